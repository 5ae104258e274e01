// mlp's own CSV outputs read back (--history, --diagnostics): a header, then rows whose cells may
// be empty (no validation data, a ratio not measured that epoch), which the data reader (csv.hpp)
// rightly refuses in a training file. Read by `mlp plot` and `mlp compare --collect`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mlp::app {

struct Sheet {
  std::string path;  // for messages
  std::string what;  // the kind of file, for messages: "--history"
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  std::vector<std::size_t> line;               // (rows) 1-based line of each row

  // The column's index, or -1; `need` throws mlp::Error naming the file and the column instead.
  std::ptrdiff_t find(const std::string& name) const;
  std::size_t need(const std::string& name) const;
  // The cell as a number: NaN when empty (missing); mlp::Error "PATH:LINE: ..." when not a number.
  double number(std::size_t row, std::size_t col) const;
  std::vector<double> numbers(std::size_t col) const;  // the whole column
};

// `what` names the kind of file in messages ("--history"). Throws mlp::Error for an empty text or
// a row with more or fewer cells than the header (a file cut off); a header alone gives no rows.
Sheet read_sheet(const std::string& text, const std::string& path, const std::string& what);

}  // namespace mlp::app
