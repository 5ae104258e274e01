// The HTML report of `mlp train --report FILE.html`: one self-contained page (styles and pictures
// inline, nothing fetched) that a student can open offline or mail to a teacher: the run's
// configuration, the data, the network, the final metrics with the confusion matrix, the
// training curves, what happened inside each layer and, for two-feature data, the decision
// regions.
#pragma once

#include "commands.hpp"

#include "mlp/diagnostics.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/preprocess.hpp"
#include "mlp/network.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mlp::app {

struct ReportInput {
  const TrainOptions* options = nullptr;  // as the run resolved them (learning rate, output layer, ...)
  const Preprocessing* prep = nullptr;
  Network* net = nullptr;   // trained
  std::size_t rows = 0;     // in the data file
  std::size_t dropped = 0;  // of them, left out by --missing drop
  std::size_t train_rows = 0, val_rows = 0, test_rows = 0;
  std::vector<std::size_t> class_counts;  // classification: training rows per class
  nlohmann::json metrics;                 // {"train": ..., "validation": ..., "test": ...} (evaluation.hpp)
  std::string held_out;                   // the set the results are about: "test", "validation" or "train"
  std::string held_out_label;             // how to name it: held_out, or "cross-validated" (train.cpp)
  int epochs_run = 0, best_epoch = 0;
  bool stopped_early = false;
  double seconds = 0;
  std::string history_csv;  // what --history holds
  const Diagnostics* diagnostics = nullptr;
  const csv::Table* data = nullptr;  // the file, for the decision regions (two features)
  nlohmann::json selection;          // --epochs auto: what chose the options (train.cpp); null otherwise
};

// The page, as one string of HTML.
std::string html_report(const ReportInput& in);

}  // namespace mlp::app
