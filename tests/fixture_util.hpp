// The JSON fixtures made by scripts/*.py (PyTorch's values, read by tests that run without it):
// loaded once per test binary, by their path under the source tree (MLP_SOURCE_DIR).
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <string>

inline const nlohmann::json& load_fixture(const std::string& relative_path) {
  static std::map<std::string, nlohmann::json> loaded;
  auto it = loaded.find(relative_path);
  if (it == loaded.end()) {
    std::ifstream in(std::string(MLP_SOURCE_DIR) + "/" + relative_path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << relative_path);
    it = loaded.emplace(relative_path, nlohmann::json::parse(in)).first;
  }
  return it->second;
}
