// The documentation that quotes code stays true to it: every link from docs/*.md to a line of a
// source file ([dW = dZᵀ·X](../src/dense.cpp#L47)) points at a line that holds the link's text.
#include "test_util.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <vector>

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("docs: every link to a source line points at the line that computes it") {
  namespace fs = std::filesystem;
  const fs::path root = MLP_SOURCE_DIR;
  const std::regex link(R"(\[([^\]]+)\]\(\.\./([\w./-]+)#L(\d+)\))");
  int links = 0;
  for (const auto& entry : fs::directory_iterator(root / "docs")) {
    if (entry.path().extension() != ".md") continue;
    const std::string doc = read_text(entry.path().string());
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), link); it != std::sregex_iterator(); ++it) {
      const std::string text = (*it)[1], file = (*it)[2];
      const std::size_t line = std::stoul((*it)[3]);
      INFO(entry.path().filename().string(), ": [", text, "](../", file, "#L", line, ")",
           " — after editing the file, run scripts/update-doc-links.py");
      const auto lines = lines_of(read_text((root / file).string()));
      REQUIRE(line >= 1);
      REQUIRE(line <= lines.size());
      CHECK(lines[line - 1].find(text) != std::string::npos);
      ++links;
    }
  }
  CHECK(links >= 10);  // backprop.md alone has more: the regex must keep finding them
}
