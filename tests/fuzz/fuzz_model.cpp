// The model-file loader on any bytes: a JSON document that is not a model, or a model with wrong
// shapes, names or numbers, must be an mlp::Error naming what is wrong; a model that loads must
// predict. Any other exception, a crash or a sanitizer report is a bug.
#include "mlp/error.hpp"
#include "mlp/io/model.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;  // not JSON: the JSON parser's business, not the loader's
  try {
    mlp::Model model = mlp::model_from_json(j, "fuzz.json");
    if (model.net.input_size() <= 4096) (void)model.net.predict(mlp::Matrix::Zero(2, model.net.input_size()));
  } catch (const mlp::Error&) {
  }
  return 0;
}
