// The `mlp` command line: the table of subcommands (cli.hpp), parsed with CLI11, and the one place
// that turns an error into a message and an exit status. `mlp --help` and `mlp COMMAND --help` are
// the first documentation.
#include "cli.hpp"

#include "text.hpp"

#include "mlp/error.hpp"

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace {

// A config file written by hand usually has bare keys ("epochs = 3"); CLI11 reads a subcommand's
// options from its [train] section, so such a file is handed over as a copy that has one. Returns
// the copy's path ("" when none was made), for the caller to remove.
std::string section_bare_config(std::vector<std::string>& args) {
  for (std::size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i] != "--config") continue;
    std::ifstream in(args[i + 1]);
    if (!in) return "";  // CLI11 reports the missing file
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find('[') != std::string::npos || text.find("train.") != std::string::npos) return "";
    char tmpl[] = "/tmp/mlp-config-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) return "";
    const std::string body = "[train]\n" + text;
    const bool ok = write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
    close(fd);
    if (!ok) return "";
    args[i + 1] = tmpl;
    return tmpl;
  }
  return "";
}

// CLI11 ignores a key of a --config file that names no option; a misspelt one ("epoch = 3") would
// then leave its option at the default without a word. Every key of the file's [train] section
// (or of a file without sections) must name an option of `mlp train`: else an error at its line,
// with the nearest name. Throws mlp::Error.
void check_config_keys(const std::vector<std::string>& args, const CLI::App& train) {
  std::vector<std::string> names;
  for (const CLI::Option* o : train.get_options())
    for (const std::string& n : o->get_lnames()) names.push_back(n);
  names.push_back("data");
  for (std::size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i] != "--config") continue;
    std::ifstream file(args[i + 1]);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // As section_bare_config reads it: with sections (or train.KEY), a bare key is nobody's.
    const bool sectioned = text.find('[') != std::string::npos || text.find("train.") != std::string::npos;
    std::istringstream in(text);
    std::string line, section;
    for (int number = 1; std::getline(in, line); ++number) {
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#' || line[first] == ';') continue;
      if (line[first] == '[') {
        section = line.substr(first + 1, line.find(']') - first - 1);
        continue;
      }
      std::string key = line.substr(first, line.find('=') - first);
      key.erase(key.find_last_not_of(" \t\r") + 1);
      if (!section.empty() && section != "train") continue;  // another command's section
      const std::string where = args[i + 1] + ":" + std::to_string(number) + ":" + std::to_string(first + 1) + ": ";
      if (section.empty() && key.rfind("train.", 0) == 0)
        key.erase(0, 6);
      else if (section.empty() && key.find('.') != std::string::npos)
        continue;
      else if (section.empty() && sectioned)
        throw mlp::Error(
            where + "'" + key +
            "' is outside the [train] section, where no command reads it; put it under [train] or write train." + key);
      // CLI11 matches the command line's spelling only: weight_decay would be ignored too.
      if (std::find(names.begin(), names.end(), key) != names.end()) continue;
      const std::string near = mlp::app::nearest(key, names);
      throw mlp::Error(where + "unknown option '" + key + "' for mlp train" +
                       (near.empty() ? "; `mlp train --help` lists them" : "; did you mean '" + near + "'?"));
    }
  }
}

// For a command line CLI11 refused: the nearest command to an unknown one, and the nearest option
// of the command to an unknown option, as " ; did you mean ...?" ("" when nothing is close).
std::string suggestion(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* command = nullptr;
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands({})) {
    commands.push_back(sub->get_name());
    if (sub->parsed()) command = sub;
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!command && !a.empty() && a[0] != '-') {  // the first word is the command
      const std::string near = mlp::app::nearest(a, commands);
      std::string list;
      for (const std::string& c : commands) list += (list.empty() ? "" : ", ") + c;
      return "unknown command '" + a + "'" + (near.empty() ? "" : "; did you mean '" + near + "'?") +
             " (commands: " + list + ")";
    }
    std::vector<std::string> inner;  // a command's own commands (mlp plot history ...)
    bool inner_parsed = false;
    if (command)
      for (const CLI::App* sub : command->get_subcommands({})) {
        inner.push_back(sub->get_name());
        inner_parsed = inner_parsed || sub->parsed();
      }
    if (command && !inner.empty() && !inner_parsed && !a.empty() && a[0] != '-' && a != command->get_name()) {
      const std::string near = mlp::app::nearest(a, inner);
      std::string list;
      for (const std::string& c : inner) list += (list.empty() ? "" : ", ") + c;
      return "unknown command 'mlp " + command->get_name() + " " + a + "'" +
             (near.empty() ? "" : "; did you mean '" + near + "'?") + " (" + command->get_name() + " takes: " + list +
             ")";
    }
    if (command && a.rfind("--", 0) == 0 && a.size() > 2) {
      const std::string name = a.substr(2, a.find('=') - 2);
      std::vector<std::string> names;
      for (const CLI::Option* o : command->get_options())
        for (const std::string& n : o->get_lnames()) names.push_back(n);
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      const std::string near = mlp::app::nearest(name, names);
      return "unknown option --" + name + " for mlp " + command->get_name() +
             (near.empty() ? "" : "; did you mean --" + near + "?");
    }
  }
  return "";
}

// CLI11's "Could not convert: --epochs = abc" in words: what the option takes and what it got,
// e.g. "--epochs takes a whole number or auto, not 'abc'". Empty where the message is another.
std::string conversion_message(const CLI::App& app, const CLI::Error& e) {
  const std::string what = e.what(), head = "Could not convert: ";
  const std::size_t eq = what.find(" = ");
  if (what.rfind(head, 0) != 0 || eq == std::string::npos) return "";
  const std::string name = what.substr(head.size(), eq - head.size()), value = what.substr(eq + 3);
  // The option of the innermost parsed command that has it (mlp plot history --width ...).
  const CLI::Option* option = app.get_option_no_throw(name);
  for (const CLI::App* at = &app; at;) {
    const std::vector<CLI::App*> parsed = at->get_subcommands();  // the parsed ones
    at = parsed.empty() ? nullptr : parsed.front();
    if (at && at->get_option_no_throw(name)) option = at->get_option_no_throw(name);
  }
  if (!option) return "";
  std::string type = option->get_type_name();
  const bool or_auto = type.size() > 5 && type.compare(type.size() - 5, 5, "|auto") == 0;
  if (or_auto) type.resize(type.size() - 5);
  const std::string kind = type == "INT"     ? "a whole number"
                           : type == "UINT"  ? "a whole number, 0 or more"
                           : type == "FLOAT" ? "a number"
                                             : type;
  const bool digits = !value.empty() && value.find_first_not_of("-0123456789") == std::string::npos;
  return name + " takes " + kind + (or_auto ? " or auto" : "") +
         (digits ? ", and " + value + " is too large" : ", not '" + value + "'");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mlp::app;
  CLI::App app{
      "mlp: train, evaluate and use multilayer perceptrons on CSV files.\n"
      "Start with:  mlp train datasets/iris.csv"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mlp 0.1.0");
  // A malformed option reads like every other error ("mlp: error: --trials takes a whole number, not 'abc'").
  app.failure_message(
      [](const CLI::App* a, const CLI::Error& e) { return "mlp: error: " + CLI::FailureMessage::simple(a, e); });
  const std::vector<Command> commands = {
      add_train_command(app),     add_evaluate_command(app),     add_predict_command(app),
      add_summary_command(app),   add_make_dataset_command(app), add_activations_command(app),
      add_gradcheck_command(app), add_born_dead_command(app),    add_compare_command(app),
      add_plot_command(app),      add_trace_command(app),
  };

  std::vector<std::string> args(argv, argv + argc);
  try {
    check_config_keys(args, *commands.front().cmd);  // train
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "mlp: error: %s\n", e.what());
    return 1;
  }
  const std::string sectioned = section_bare_config(args);
  std::vector<char*> argp;
  for (auto& arg : args) argp.push_back(arg.data());
  try {
    app.parse(static_cast<int>(argp.size()), argp.data());
  } catch (const CLI::ParseError& e) {
    if (!sectioned.empty()) std::remove(sectioned.c_str());
    // An unknown command or option: the nearest name, as the tools people know do.
    const bool unknown =
        dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr || dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
    const std::string hint = unknown                                                    ? suggestion(app, args)
                             : dynamic_cast<const CLI::ConversionError*>(&e) != nullptr ? conversion_message(app, e)
                                                                                        : "";
    // --help and --version exit 0; every error of the command line exits 1, as every other error.
    if (hint.empty()) return app.exit(e) == 0 ? 0 : 1;
    std::fprintf(stderr, "mlp: error: %s\nRun with --help for more information.\n", hint.c_str());
    return 1;
  }
  if (!sectioned.empty()) std::remove(sectioned.c_str());

  try {
    for (const Command& c : commands)
      if (c.cmd->parsed()) return c.run();
    return 0;
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "mlp: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mlp: error: out of memory (is the file or the network larger than this machine can hold?)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlp: internal error: %s (please report it)\n", e.what());
    return 3;
  }
}
