// What `mlp train` adds to fit() for a run that takes hours: Ctrl-C (or SIGTERM) stops it between
// two batches with its state written down, and --resume takes a run back up from a checkpoint,
// its options with it.
#pragma once

#include "commands.hpp"

#include "mlp/diagnostics.hpp"
#include "mlp/types.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mlp::app {

// While one exists, SIGINT and SIGTERM no longer kill the process: the first sets a flag that the
// training loop reads after each batch (it then writes its checkpoint and returns); a second exits
// at once with status 128 + the signal. Even then no file is torn: every file is written whole to
// a temporary one, then renamed into place (io/files.hpp).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  // 0 until a signal came; then SIGINT or SIGTERM (also after the guard is gone).
  static int signal();
};

// The options a resumed run may give anew, by their visit() names; every other option is the
// checkpoint's. Listed in `mlp train --help` (--resume).
const std::vector<std::string>& resumable_options();

// The options of the run saved in a checkpoint (`run`, as training_run() wrote it), with those
// of `given` that may change and were given; --quiet, --json, --threads and --reference are always
// this command's. mlp::Error for a given option that contradicts the
// checkpoint, naming both values.
TrainOptions resumed_options(const TrainOptions& given, const nlohmann::json& run, const std::string& path);

// What a checkpoint keeps of a run besides the network: its options as given, and a fingerprint
// of the data it trains on (column names, row counts, a hash of every number) to check on resuming.
struct DataPrint {
  std::vector<std::string> columns;
  long train = 0, validation = 0;
  std::string hash;
};
DataPrint data_print(const std::vector<std::string>& columns, const Matrix& X, const Matrix& Y, const Matrix& Xval,
                     const Matrix& Yval);
nlohmann::json training_run(const TrainOptions& options, const DataPrint& data);
// The per-layer statistics of the epochs so far, kept in a checkpoint's run so that a resumed run's
// --diagnostics file and warnings cover them all. An epoch interrupted in the middle counts from
// the batch it was resumed at.
// One hidden layer's statistics of one epoch, as --json's summary and a checkpoint write them.
nlohmann::json layer_stats_json(const LayerStats& stats);
nlohmann::json diagnostics_json(const std::vector<EpochStats>& history);
std::vector<EpochStats> diagnostics_from_json(const nlohmann::json& run, const std::string& path);

// mlp::Error when the data of this run are not those of the checkpoint's run.
void check_same_data(const DataPrint& now, const nlohmann::json& run, const std::string& data_path,
                     const std::string& checkpoint_path);

}  // namespace mlp::app
