// The mlp command line as a table of commands: each command registers its options with CLI11 and
// says how to run once they are parsed (Command), in the file that implements it. main.cpp lists
// them; a new command is one new add_*_command function and one line there.
#pragma once

#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <functional>

namespace mlp::app {

struct Command {
  CLI::App* cmd;             // the subcommand, owned by the app
  std::function<int()> run;  // called when it was parsed; returns the exit status
};

Command add_train_command(CLI::App& app);
Command add_evaluate_command(CLI::App& app);
Command add_predict_command(CLI::App& app);
Command add_summary_command(CLI::App& app);  // summary.cpp
Command add_make_dataset_command(CLI::App& app);
Command add_activations_command(CLI::App& app);
Command add_compare_command(CLI::App& app);  // compare.cpp
Command add_plot_command(CLI::App& app);     // plot.cpp
Command add_trace_command(CLI::App& app);    // trace.cpp
// Computed in double, against the double engine (apps/CMakeLists.txt): gradcheck.cpp, born_dead.cpp.
Command add_gradcheck_command(CLI::App& app);
Command add_born_dead_command(CLI::App& app);

// For an option of unsigned type (a seed): CLI11 reads "-3" into one as 2^64 - 3, so a minus sign
// is refused before the conversion.
inline CLI::Validator no_minus_sign() {
  return CLI::Validator(
      [](std::string& s) { return s.rfind('-', 0) == 0 ? "takes a whole number, 0 or more, not '" + s + "'" : ""; },
      "");
}

// --delimiter, --header, --no-header.
void add_csv_options(CLI::App* cmd, CsvOptions& csv);
// Every option of TrainOptions but the outputs (--save, --history, --quiet, --json): the data
// positional, the network, the optimizer, the split, the seed. Shared by every command that trains.
void add_training_options(CLI::App* cmd, TrainOptions& t);

}  // namespace mlp::app
