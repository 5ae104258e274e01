// The model file: a trained network, the preprocessing that turns CSV rows into its inputs, and
// how it was trained, in one JSON document that `mlp predict` (or 10 lines of Python) can load.
// The format is documented field by field in docs/model-format.md.
#pragma once

#include "mlp/io/preprocess.hpp"
#include "mlp/network.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// The "version" this mlp writes; it reads exactly this version and refuses others by name.
constexpr int kModelFormatVersion = 1;

struct Model {
  Network net;  // layers, weights and loss; no optimizer (continuing training sets a new one)
  Preprocessing prep;
  nlohmann::json training = nlohmann::json::object();  // free-form: configuration, seed, metrics
};

// Writes atomically (write_file_atomically, files.hpp), so an existing file at PATH is never left
// half-written. On any failure mlp::Error names the path and the reason.
void save_model(const std::string& path, const Network& net, const Preprocessing& prep, const nlohmann::json& training);
// The document save_model writes. Throws mlp::Error for a network that cannot be saved
// (no loss, non-finite weights).
nlohmann::json model_to_json(const Network& net, const Preprocessing& prep, const nlohmann::json& training);

// Writes a document of this format (model_to_json's, or a checkpoint's) as save_model does: one
// weight row per line, atomically; "PATH: FAILURE: why" on failure.
void write_model_document(const std::string& path, const nlohmann::json& document, const std::string& failure);

// Reads a model file. Every problem is an mlp::Error "PATH: what is wrong", never a crash.
Model load_model(const std::string& path);
// Its JSON document, read and parsed (the errors of load_model for an unreadable, empty,
// truncated or malformed file: "PATH:LINE:COLUMN: ...").
nlohmann::json load_model_json(const std::string& path);
// The same from a parsed document; path_for_messages prefixes every error message.
Model model_from_json(const nlohmann::json& j, const std::string& path_for_messages);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
