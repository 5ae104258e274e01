// The mlp commands, one function each, called by main.cpp once CLI11 has parsed the options.
// Each returns the process exit status; user errors are thrown as mlp::Error and reported by main.
#pragma once

#include "mlp/csv.hpp"

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
  double lr = 0;                  // 0 = the optimizer's default (adam 0.001, sgd 0.01)
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
  double clip_norm = 0;
  double dropout = 0;
  std::string init;               // "" = from each layer's activation
  int epochs = 200;
  long batch_size = 32;
  std::string lr_schedule = "constant";
  double val_split = 0.2;
  std::string val_file, test_file;
  double test_split = 0;
  int early_stopping = -1;        // -1 = 20 when there is validation data, else off
  std::string scale = "standard";
  std::uint64_t seed = 42;
  int threads = 1;
  std::string save, history;
  bool quiet = false, json = false;
  CsvOptions csv;
};

int train(const TrainOptions& o);
int evaluate(const std::string& model, const std::string& data, const CsvOptions& csv, bool json);
int predict(const std::string& model, const std::string& data, const CsvOptions& csv, const std::string& out,
            bool proba);
int summary(const std::string& model);
int make_dataset(const std::string& kind, long samples, double noise, std::uint64_t seed, int classes,
                 const std::string& out);
int list_activations();

// Every row of a table, in order: the row list for a whole file.
std::vector<std::size_t> all_rows(const csv::Table& table);

// Writes text to path atomically (temporary file in the same directory, then rename), so an
// existing file is replaced whole or not at all. Throws mlp::Error naming the path.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mlp::app
