// The model-file and checkpoint loaders on any bytes: a JSON document that is not a model, or a
// model with wrong shapes, names or numbers, must be an mlp::Error naming what is wrong; a model
// that loads must predict. The same document is then read as a checkpoint (a model with a
// "checkpoint" section: training progress, rng and optimizer state); one that loads is restored
// into a network rebuilt with the same layers, loss and optimizer (restore_network: weights,
// optimizer set_state, rng set_state), which must then hold the same weights and take a training
// step. Any other exception, a crash or a sanitizer report is a bug.
#include "mlp/error.hpp"
#include "mlp/io/checkpoint.hpp"
#include "mlp/io/model.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

// A network with the layers of `from` (fresh weights), its loss and a new optimizer named `optimizer`.
mlp::Network same_shape(const mlp::Network& from, const std::string& optimizer) {
  mlp::Network net(from.input_size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    const mlp::Layer& layer = from.layer(i);
    if (const auto* dense = dynamic_cast<const mlp::Dense*>(&layer))
      net.add_dense(dense->output_size(), dense->activation);
    else if (const auto* dropout = dynamic_cast<const mlp::Dropout*>(&layer))
      net.add_dropout(dropout->rate());
    else
      std::abort();  // the loader makes only dense and dropout layers
  }
  net.set_loss(from.loss());
  mlp::OptimizerConfig config;
  config.name = optimizer;
  net.set_optimizer(mlp::make_optimizer(config));  // an unknown name is an mlp::Error
  return net;
}

void fuzz_checkpoint(const nlohmann::json& j) {
  const mlp::Checkpoint checkpoint = mlp::checkpoint_from_json(j, "fuzz.json");
  const mlp::Network& from = checkpoint.model.net;
  mlp::Network net = same_shape(from, checkpoint.optimizer_name);
  mlp::restore_network(net, checkpoint, "fuzz.json");
  // Restored means the checkpoint's weights, bit for bit.
  const auto& to = net.parameters();
  const auto& saved = from.parameters();
  if (to.size() != saved.size()) std::abort();
  for (std::size_t i = 0; i < to.size(); ++i)
    if (to[i].size != saved[i].size ||
        std::memcmp(to[i].value, saved[i].value, sizeof(*to[i].value) * static_cast<std::size_t>(to[i].size)) != 0)
      std::abort();
  if (net.input_size() <= 4096) {  // one step on a tiny batch: the restored optimizer state and rng at work
    const mlp::Matrix X = mlp::Matrix::Zero(2, net.input_size());
    const mlp::Matrix Y = mlp::Matrix::Zero(2, net.output_size());  // cross_entropy: a one-hot of zeros
    (void)net.train_step(X, Y);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;  // not JSON: the JSON parser's business, not the loader's
  try {
    mlp::Model model = mlp::model_from_json(j, "fuzz.json");
    if (model.net.input_size() <= 4096) (void)model.net.predict(mlp::Matrix::Zero(2, model.net.input_size()));
  } catch (const mlp::Error&) {
  }
  try {
    fuzz_checkpoint(j);
  } catch (const mlp::Error&) {
  }
  return 0;
}
