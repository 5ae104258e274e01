// The config-file reader (`mlp train --config FILE`, CLI11's TOML/INI parser) on any text, into
// options of every type `mlp train` has: a result or a CLI11 error, nothing else.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CLI::App app{"fuzz"};
  auto* train = app.add_subcommand("train");
  int epochs = 200;
  long batch = 32;
  double lr = 0;
  std::uint64_t seed = 42;
  std::string layers = "64,32";
  std::vector<std::string> targets;
  bool nesterov = false;
  train->add_option("--epochs", epochs);
  train->add_option("--batch-size", batch);
  train->add_option("--lr", lr);
  train->add_option("--seed", seed);
  train->add_option("--layers", layers);
  train->add_option("--target", targets)->delimiter(',');
  train->add_flag("--nesterov", nesterov);
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    app.parse_from_stream(in);
  } catch (const CLI::Error&) {
  }
  return 0;
}
