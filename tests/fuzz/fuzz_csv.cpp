// The CSV reader, then the preprocessing a training run applies to what it read, on any bytes.
// Whatever the input, the only way out is a result or an mlp::Error: any other exception, a
// crash, a hang or a sanitizer report is a bug. The first byte picks the reader's options.
#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/preprocess.hpp"

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  mlp::csv::Options options;
  const std::uint8_t knobs = data[0];
  const char delimiters[] = {',', ';', '\t', '|'};
  options.delimiter = delimiters[knobs & 3];
  options.header = (knobs >> 2) % 3 == 0   ? mlp::csv::HeaderMode::Auto
                   : (knobs >> 2) % 3 == 1 ? mlp::csv::HeaderMode::Yes
                                           : mlp::csv::HeaderMode::No;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const mlp::csv::Table table = mlp::csv::parse(text, "fuzz.csv", options);
    std::vector<std::size_t> rows(table.rows);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    mlp::PreprocessOptions po;
    po.scaling = (knobs & 0x40) ? mlp::Scaling::MinMax : mlp::Scaling::Standard;
    const mlp::Preprocessing prep = mlp::fit_preprocessing(table, rows, po);
    (void)mlp::make_inputs(table, prep, rows);
    (void)mlp::make_targets(table, prep, rows);
  } catch (const mlp::Error&) {
  }
  return 0;
}
