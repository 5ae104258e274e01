// Fashion-MNIST for the benchmark: IDX files (as Debian's dataset-fashion-mnist ships them, once
// gunzipped) into a (N, 784) float matrix scaled to [0, 1] and a (N, 1) label column.
#pragma once

#include "io/huge_buffer.hpp"
#include "mlp/error.hpp"
#include "mlp/types.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

inline std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

inline std::vector<unsigned char> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw mlp::Error(path + ": cannot open (run bench/run.sh, which unpacks the IDX files)");
  return std::vector<unsigned char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void load_idx(const std::string& images, const std::string& labels, mlp::Matrix& X, mlp::Matrix& Y) {
  const auto img = slurp(images), lab = slurp(labels);
  if (img.size() < 16 || be32(img.data()) != 2051 || lab.size() < 8 || be32(lab.data()) != 2049)
    throw mlp::Error(images + ": not an IDX image/label file pair");
  const std::uint32_t n = be32(img.data() + 4), rows = be32(img.data() + 8), cols = be32(img.data() + 12);
  if (img.size() != 16 + std::size_t(n) * rows * cols || lab.size() != 8 + std::size_t(n))
    throw mlp::Error(images + ": truncated IDX file");
  X.resize(n, rows * cols);
  mlp::advise_huge_pages(X.data(), sizeof(float) * std::size_t(X.size()));  // as `mlp train` does
  Y.resize(n, 1);
  const unsigned char* p = img.data() + 16;
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<float>(p[i]) / 255.0f;
  for (std::uint32_t i = 0; i < n; ++i) Y(i, 0) = static_cast<float>(lab[8 + i]);
}

}  // namespace bench
