// Reading back mlp's own CSV outputs (sheet.hpp).
#include "sheet.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace mlp::app {

namespace {

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    cells.push_back(line.substr(start, comma - start));
  cells.push_back(line.substr(start));
  return cells;
}

}  // namespace

std::ptrdiff_t Sheet::find(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : it - header.begin();
}

std::size_t Sheet::need(const std::string& name) const {
  const std::ptrdiff_t c = find(name);
  if (c < 0) throw Error(path + ": no column '" + name + "': is this a " + what + " file written by mlp train?");
  return static_cast<std::size_t>(c);
}

double Sheet::number(std::size_t r, std::size_t c) const {
  const std::string& cell = rows[r][c];
  if (cell.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size())
    throw Error(path + ":" + std::to_string(line[r]) + ": column '" + header[c] + "': '" + cell + "' is not a number");
  return v;
}

std::vector<double> Sheet::numbers(std::size_t c) const {
  std::vector<double> v;
  for (std::size_t r = 0; r < rows.size(); ++r) v.push_back(number(r, c));
  return v;
}

Sheet read_sheet(const std::string& text, const std::string& path, const std::string& what) {
  Sheet s;
  s.path = path;
  s.what = what;
  std::stringstream in(text);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells = split_cells(line);
    if (s.header.empty()) {
      s.header = std::move(cells);
    } else if (cells.size() != s.header.size()) {
      throw Error(path + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) +
                  " cells, but the header has " + std::to_string(s.header.size()) + " (a " + what +
                  " file written by mlp train, cut off?)");
    } else {
      s.rows.push_back(std::move(cells));
      s.line.push_back(number);
    }
  }
  if (s.header.empty()) throw Error(path + ": the file is empty (expected a " + what + " file written by mlp train)");
  return s;
}

}  // namespace mlp::app
