// The checkpoint: a model file (model.hpp) that also carries the training state, under one more
// key, "checkpoint". `mlp summary`, `evaluate` and `predict` read it as the model it is (the
// weights of the last batch trained); `mlp train --resume` reads the rest and goes on exactly
// where the run stopped. The format is documented in docs/model-format.md, "Checkpoints".
#pragma once

#include "mlp/io/model.hpp"
#include "mlp/rng.hpp"
#include "mlp/trainer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// The "checkpoint" section's own version: it reads exactly this one.
constexpr int kCheckpointFormatVersion = 1;

struct Checkpoint {
  Model model;                                    // the network as it was (no optimizer), its preprocessing, "training"
  TrainingProgress progress;                      // epoch, batch, sample order, history, early stopping
  RngState rng;                                   // the network's random stream: shuffling and dropout
  Optimizer::State optimizer;                     // step count and buffers
  std::string optimizer_name;                     // "adam", "sgd"
  nlohmann::json run = nlohmann::json::object();  // the caller's: options, a fingerprint of the data
};

// Writes the network (with its rng and optimizer) and the progress to PATH atomically, as
// save_model writes a model. `run` is stored as it is, for the caller to check on resuming.
void save_checkpoint(const std::string& path, const Network& net, const Preprocessing& prep,
                     const nlohmann::json& training, const TrainingProgress& progress, const nlohmann::json& run);

// Reads a checkpoint; every problem is an mlp::Error "PATH: place: what is wrong". A model file
// without the section is refused with a word on how to make a checkpoint.
Checkpoint load_checkpoint(const std::string& path);
Checkpoint checkpoint_from_json(const nlohmann::json& document, const std::string& path_for_messages);

// Puts a checkpoint's weights, rng and optimizer state into net, built with the same layers and
// an optimizer of the same kind; mlp::Error names the first layer or buffer that does not fit.
void restore_network(Network& net, const Checkpoint& checkpoint, const std::string& path_for_messages);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
