// W4 of the benchmark, mlp side: reading the Fashion-MNIST training set written as CSV (a header,
// then label,pixel1..pixel784 per row) into the training matrix — mlp::csv::read, then the pixel
// columns copied into a row-major (N, 784) float matrix and the labels into (N, 1).
// Usage: w4_csv FILE.csv  → one JSON line; the checksum lets bench/run.py compare with pandas.
#include "io/huge_buffer.hpp"
#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/types.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.csv\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  try {
    const auto t0 = Clock::now();
    mlp::csv::Table table = mlp::csv::read(argv[1]);
    const auto t1 = Clock::now();
    const std::ptrdiff_t label = table.find("label");
    if (label < 0) throw mlp::Error(std::string(argv[1]) + ": no 'label' column");
    const auto n = static_cast<mlp::Index>(table.rows);
    const auto features = static_cast<mlp::Index>(table.columns.size()) - 1;
    mlp::Matrix X(n, features), Y(n, 1);  // (N, 784), (N, 1)
    // X is 188 MB that nothing has touched yet: in 2 MiB pages its first touch is ~20× cheaper
    // (bench/README.md, "Measurements behind the code": huge pages).
    mlp::advise_huge_pages(X.data(), sizeof(mlp::Scalar) * static_cast<std::size_t>(X.size()));
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (!table.columns[c].numeric) throw mlp::Error(table.where(table.columns[c].first_text_row, c) + "not a number");
    // The table keeps each row's numbers side by side (numbers[r * ncols + j]), as X does: each row
    // is copied as the runs of columns before and after the label.
    const auto ncols = static_cast<std::size_t>(features) + 1, at = static_cast<std::size_t>(label);
    for (mlp::Index i = 0; i < n; ++i) {
      const float* row = table.numbers.get() + static_cast<std::size_t>(i) * ncols;
      float* out = &X(i, 0);
      std::copy(row, row + at, out);
      std::copy(row + at + 1, row + ncols, out + at);
      Y(i, 0) = row[at];
    }
    const auto t2 = Clock::now();
    const double bytes = static_cast<double>(std::filesystem::file_size(argv[1]));
    const double read_s = std::chrono::duration<double>(t1 - t0).count();
    const double total_s = std::chrono::duration<double>(t2 - t0).count();
    std::printf(
        "{\"rows\": %td, \"features\": %td, \"bytes\": %.0f, \"seconds\": %.4f, \"read_seconds\": %.4f, "
        "\"mb_per_s\": %.1f, \"checksum\": %.1f, \"label_sum\": %.1f}\n",
        n, features, bytes, total_s, read_s, bytes / total_s / 1e6, X.cast<double>().sum(), Y.cast<double>().sum());
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
