// The mlp commands, one function each, called by main.cpp once CLI11 has parsed the options.
// Each returns the process exit status; user errors are thrown as mlp::Error and reported by main.
#pragma once

#include "mlp/io/csv.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlp::app {

struct CsvOptions {
  std::string delimiter = ",";
  bool header = false, no_header = false;
  csv::Options resolve() const;  // validates the delimiter
};

struct TrainOptions {
  std::string data;
  std::vector<std::string> targets;
  std::string task = "auto";
  std::vector<std::string> categorical;
  std::string layers = "64,32";
  std::string activation = "relu";
  std::string output_activation;  // "" = chosen from the task
  std::string loss;               // "" = chosen from the task
  std::string optimizer = "adam";
  double lr = 0;  // 0 = the optimizer's default (adam 0.001, sgd 0.01)
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
  double clip_norm = 0;
  double dropout = 0;
  std::string init;      // "" = from each layer's activation
  double bias_init = 0;  // the value every hidden layer's biases start at
  int epochs = 200;
  long batch_size = 32;
  std::string lr_schedule = "constant";
  double val_split = 0.2;
  std::string val_file, test_file;
  double test_split = 0;
  int early_stopping = -1;  // -1 = 20 when there is validation data, else off
  std::string scale = "standard";
  std::uint64_t seed = 42;
  int threads = 1;
  bool reference = false;  // run src/dense.cpp itself instead of the fast path
  std::string save, history;
  std::string diagnostics;  // CSV of per-layer statistics per epoch ("" = off)
  std::string report;       // a self-contained HTML page about the run ("" = none)
  bool quiet = false, json = false;
  CsvOptions csv;

  // Every option of a run, once, by its name (the command line's, with '_' for '-'). The model
  // file's "options" and --write-config's file are both written from this list (options.cpp).
  template <class Visitor>
  void visit(Visitor&& v) const {
    v("data", data);
    v("target", targets);
    v("task", task);
    v("categorical", categorical);
    v("layers", layers);
    v("activation", activation);
    v("output_activation", output_activation);
    v("loss", loss);
    v("optimizer", optimizer);
    v("lr", lr);
    v("momentum", momentum);
    v("nesterov", nesterov);
    v("weight_decay", weight_decay);
    v("clip_norm", clip_norm);
    v("dropout", dropout);
    v("init", init);
    v("bias_init", bias_init);
    v("epochs", epochs);
    v("batch_size", batch_size);
    v("lr_schedule", lr_schedule);
    v("val_split", val_split);
    v("val", val_file);
    v("test_split", test_split);
    v("test", test_file);
    v("early_stopping", early_stopping);
    v("scale", scale);
    v("seed", seed);
    v("threads", threads);
    v("reference", reference);
    v("delimiter", csv.delimiter);
    v("header", csv.header);
    v("no_header", csv.no_header);
    v("save", save);
    v("history", history);
    v("diagnostics", diagnostics);
    v("report", report);
    v("quiet", quiet);
    v("json", json);
  }
};

// The options as JSON, {"data": ..., "layers": ..., ...}, for the model file.
nlohmann::json options_json(const TrainOptions& o);
// The options as a TOML [train] section that `mlp train --config FILE` reads back; options left
// empty ("" or no values) are left out, so reading the file back leaves them unset too.
std::string options_toml(const TrainOptions& o);

int train(const TrainOptions& o);
// Throws mlp::Error on what train would reject before reading a file.
void check_train_options(const TrainOptions& o);
// One run of train, silent and writing no file, always measuring the diagnostics: the texts its
// --history and --diagnostics files and its --json line would hold (compare.cpp reads both alike).
struct TrainRecord {
  std::string history, diagnostics, summary;
};
TrainRecord train_record(const TrainOptions& o);
int evaluate(const std::string& model, const std::string& data, const CsvOptions& csv, bool json);
int predict(const std::string& model, const std::string& data, const CsvOptions& csv, const std::string& out,
            bool proba);
int summary(const std::string& model);
int make_dataset(const std::string& kind, long samples, double noise, std::uint64_t seed, int classes,
                 const std::string& out);
int list_activations();

// Every row of a table, in order: the row list for a whole file.
std::vector<std::size_t> all_rows(const csv::Table& table);

}  // namespace mlp::app
