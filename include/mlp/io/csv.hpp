// Reads a CSV file (RFC 4180, as real files are written) into named columns of floats, or of
// text for a column that is not all numbers. Knows nothing of matrices or labels: the caller
// picks the columns it wants, decides whether text is allowed, and uses Table::where() to point
// its own error messages at a cell.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlp::csv {

enum class HeaderMode { Auto, Yes, No };

struct Options {
  char delimiter = ',';  // any byte but '"', CR, LF, NUL or a non-ASCII byte
  // Auto: the first non-blank row is a header iff none of its fields parses as a number.
  HeaderMode header = HeaderMode::Auto;
  // read() maps a file of up to window_above bytes whole (fastest); a larger one it reads through
  // a window of `window` bytes, giving the pages behind back as it goes, so that its text never
  // sits in memory beside all its numbers (csv.cpp, Window).
  std::size_t window_above = std::size_t{64} << 20;
  std::size_t window = std::size_t{32} << 20;
};

// The numbers of one column, values[r] for data row r: a view into the Table's block of numbers,
// which holds them row after row (a row's numbers side by side, `stride` floats apart from one row
// to the next), valid for as long as the Table, or a copy of it, lives.
struct Values {
  const float* first = nullptr;
  std::size_t count = 0;   // rows
  std::size_t stride = 1;  // floats from one row's value to the next
  float operator[](std::size_t r) const { return first[r * stride]; }
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }

  // For `for (float v : column.values)` and std algorithms.
  struct iterator {
    using iterator_category = std::forward_iterator_tag;
    using value_type = float;
    using difference_type = std::ptrdiff_t;
    using pointer = const float*;
    using reference = const float&;
    const float* p;
    std::size_t stride;
    reference operator*() const { return *p; }
    iterator& operator++() {
      p += stride;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      p += stride;
      return before;
    }
    bool operator==(const iterator& o) const { return p == o.p; }
    bool operator!=(const iterator& o) const { return p != o.p; }
  };
  iterator begin() const { return {first, stride}; }
  iterator end() const { return {first + count * stride, stride}; }
};

// Whether a cell's text (trimmed, unquoted) marks a missing value: empty, or one of the markers
// spreadsheets, R and pandas write for one: NA, N/A, n/a, NaN, nan, -nan, -NaN, null, NULL,
// #N/A, #NA, <NA>, and the '?' of the UCI repository's files. ("None" is not one: it is a word
// that is a category in many files.)
bool is_missing(std::string_view cell);

// Whether a cell's text is a number as read() reads one (a leading '+' allowed, "1e5", "-0.5"):
// for messages about a column that is not all numbers, so they agree with the reader.
bool is_number(std::string_view cell);

struct Column {
  std::string name;                   // from the header, or "column_1", "column_2"... (1-based) without one
  bool numeric = true;                // every cell parsed as a finite number, or is missing (is_missing)
  Values values;                      // (rows) when numeric, NaN where a cell is missing; empty when not
  std::vector<std::string> text;      // (rows) when !numeric: each cell as written, trimmed, unquoted
  std::size_t first_text_row = 0;     // when !numeric: 0-based data row of the first non-number
  std::size_t missing = 0;            // cells that are missing (is_missing), in either kind of column
  std::size_t first_missing_row = 0;  // when missing > 0: 0-based data row of the first

  bool is_missing(std::size_t row) const;
};

struct Table {
  std::string path;
  bool had_header = false;
  std::size_t rows = 0;
  std::vector<Column> columns;
  std::vector<std::size_t> line_of_row;    // (rows) 1-based line where each data row starts
  std::vector<std::size_t> offset_of_row;  // (rows) byte offset in *source of that line's start

  // Every numeric cell, in one block of memory, row after row (numbers[r * columns.size() + j]
  // is row r's cell of column j; a text column's places are unused): what Column::values view.
  std::shared_ptr<const float> numbers;

  // The whole file text (source_size bytes, then a NUL) and its delimiter, kept so where() can
  // re-scan one row on demand instead of storing a position per cell (parse() has no file to
  // re-read). read() maps the file rather than copying it (see csv.cpp on what that implies);
  // either way it stays in memory as long as the Table (or a copy) lives, unless dropped.
  std::shared_ptr<const char> source;
  std::size_t source_size = 0;
  char delimiter = ',';

  // Index of a column by exact name or, failing that, by 0-based index written in decimal
  // ("0", "4"); -1 when there is no such column.
  std::ptrdiff_t find(const std::string& name_or_index) const;

  // Gives the memory of the numbers of rows [first, last) back to the system, for a reader that
  // copies the rows out in file order and needs them no more (train.cpp): a large file's numbers
  // are then never in memory twice. Those rows then read 0; text columns are not touched.
  void release_rows(std::size_t first, std::size_t last) const;
  // Cell (data row `row`, column `col`) as written in the file, trimmed and unquoted ("007"
  // where the column's number is 7), re-scanned from the row's start.
  std::string cell(std::size_t row, std::size_t col) const;
  // "FILE:LINE:COLUMN: " for cell (data row `row`, column `col`), COLUMN being the 1-based
  // character column where the cell starts on that line. Out of range gives just "FILE: ".
  std::string where(std::size_t row, std::size_t col) const;
};

// Both throw mlp::Error, with a "FILE:LINE:COLUMN: what is wrong, and what to do" message, for
// anything wrong with the file: missing, empty, binary, ragged rows, a bad quote, a header with
// no data, an empty or repeated header name, inf or a float overflow in a numeric column. A missing
// value (is_missing) is not an error here: whether it is one is for the caller to say.
Table read(const std::string& path, const Options& options = {});
Table parse(const std::string& text, const std::string& path_for_messages, const Options& options = {});

}  // namespace mlp::csv
