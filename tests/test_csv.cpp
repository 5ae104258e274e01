// Tests for the CSV reader: what a real file may contain (quotes, CRLF, BOM, blank lines, text
// columns), and that every kind of bad file gives an mlp::Error naming the line and column.
// In-memory text goes through parse() as "t.csv"; read() gets real files under a temp dir.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"

namespace {

namespace csv = mlp::csv;
namespace fs = std::filesystem;

// The message of the mlp::Error that f throws, or a marker that makes any CHECK on it fail.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const mlp::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an mlp::Error: ") + e.what() + ">";
  }
  return "<no error>";
}

std::string parse_error(const std::string& text, const csv::Options& options = {}) {
  return error_of([&] { csv::parse(text, "t.csv", options); });
}

bool has(const std::string& message, const std::string& piece) { return message.find(piece) != std::string::npos; }

// Prints the whole message when a piece is missing, so a failure shows what was said instead.
#define CHECK_HAS(message, piece) \
  CHECK_MESSAGE(has(message, piece), "message: ", message, "\n  should contain: ", piece)

csv::Options with_header(csv::HeaderMode mode) {
  csv::Options o;
  o.header = mode;
  return o;
}

csv::Options with_delimiter(char d) {
  csv::Options o;
  o.delimiter = d;
  return o;
}

// A numeric column's values as a vector, to compare whole.
std::vector<float> values(const csv::Column& c) { return std::vector<float>(c.values.begin(), c.values.end()); }

std::vector<std::string> names(const csv::Table& t) {
  std::vector<std::string> out;
  for (const csv::Column& c : t.columns) out.push_back(c.name);
  return out;
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("mlp_test_csv_" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
};

// datasets/ sits next to tests/ in the source tree; __FILE__ finds it from any build directory.
std::string dataset(const std::string& name) {
#ifdef MLP_SOURCE_DIR
  return (fs::path(MLP_SOURCE_DIR) / "datasets" / name).string();
#else
  return (fs::path(__FILE__).parent_path().parent_path() / "datasets" / name).string();
#endif
}

}  // namespace

TEST_CASE("csv: read() of iris.csv gives 150 rows of 4 numeric columns and a text label") {
  const csv::Table t = csv::read(dataset("iris.csv"));
  CHECK(t.had_header);
  CHECK(t.rows == 150);
  REQUIRE(t.columns.size() == 5);
  CHECK(names(t) == std::vector<std::string>{"sepal_length", "sepal_width", "petal_length", "petal_width", "species"});
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(t.columns[j].numeric);
    CHECK(t.columns[j].values.size() == 150);
  }
  CHECK(t.columns[0].values[0] == 5.1f);
  CHECK(t.columns[1].values[1] == 3.0f);
  const csv::Column& species = t.columns[4];
  CHECK_FALSE(species.numeric);
  CHECK(species.first_text_row == 0);
  REQUIRE(species.text.size() == 150);
  CHECK(species.text[0] == "setosa");
  CHECK(species.text[149] == "virginica");
  CHECK(t.line_of_row.front() == 2);
  CHECK(t.line_of_row.back() == 151);
  CHECK(t.where(149, 4) == dataset("iris.csv") + ":151:15: ");
}

TEST_CASE("csv: Auto takes the first row as a header only when none of its fields is a number") {
  SUBCASE("all text: a header") {
    const csv::Table t = csv::parse("a,b\n1,2\n", "t.csv");
    CHECK(t.had_header);
    CHECK(names(t) == std::vector<std::string>{"a", "b"});
    CHECK(t.rows == 1);
  }
  SUBCASE("all numbers: data, columns named column_1...") {
    const csv::Table t = csv::parse("1,2\n3,4\n", "t.csv");
    CHECK_FALSE(t.had_header);
    CHECK(names(t) == std::vector<std::string>{"column_1", "column_2"});
    CHECK(t.rows == 2);
    CHECK(values(t.columns[1]) == std::vector<float>{2, 4});
    CHECK(t.line_of_row == std::vector<std::size_t>{1, 2});
  }
  SUBCASE("one number is enough to make it data") {
    const csv::Table t = csv::parse("a,1\nb,3\n", "t.csv");
    CHECK_FALSE(t.had_header);
    CHECK(t.columns[0].text == std::vector<std::string>{"a", "b"});
    CHECK(values(t.columns[1]) == std::vector<float>{1, 3});
  }
  SUBCASE("Yes forces a numeric first row to be the header") {
    const csv::Table t = csv::parse("1,2\n3,4\n", "t.csv", with_header(csv::HeaderMode::Yes));
    CHECK(t.had_header);
    CHECK(names(t) == std::vector<std::string>{"1", "2"});
    CHECK(t.rows == 1);
  }
  SUBCASE("No forces a text first row to be data") {
    const csv::Table t = csv::parse("a,b\n1,2\n", "t.csv", with_header(csv::HeaderMode::No));
    CHECK_FALSE(t.had_header);
    CHECK(t.rows == 2);
    CHECK(t.columns[0].text == std::vector<std::string>{"a", "1"});
    CHECK(t.columns[0].first_text_row == 0);
  }
  SUBCASE("header names are trimmed and unquoted") {
    const csv::Table t = csv::parse(" a ,\t\"x, y\" , \"z\"\"\"\n1,2,3\n", "t.csv");
    CHECK(names(t) == std::vector<std::string>{"a", "x, y", "z\""});
  }
}

TEST_CASE("csv: header errors name the line and column") {
  CHECK_HAS(parse_error("a,,c\n1,2,3\n"), "t.csv:1:3: the header has no name for column 2");
  const std::string twice = parse_error(" a , b ,a\n1,2,3\n");
  CHECK_HAS(twice, "t.csv:1:9: the header names 'a' twice (columns 1 and 3)");
  CHECK_HAS(parse_error("a,b\n"), "t.csv: the file has a header (line 1) but no data rows");
  CHECK_HAS(parse_error("\n\na,b\n  \n\n"), "t.csv: the file has a header (line 3) but no data rows");
  CHECK_HAS(parse_error("a"), "no data rows");
}

TEST_CASE("csv: the delimiter is configurable") {
  SUBCASE("semicolon: a comma is just text") {
    const csv::Table t = csv::parse("a;b\n1,5;2\n", "t.csv", with_delimiter(';'));
    CHECK(t.columns[0].text == std::vector<std::string>{"1,5"});
    CHECK(values(t.columns[1]) == std::vector<float>{2});
  }
  SUBCASE("tab: spaces are still trimmed") {
    const csv::Table t = csv::parse("a\tb\n 1 \t 2 \n", "t.csv", with_delimiter('\t'));
    CHECK(values(t.columns[0]) == std::vector<float>{1});
    CHECK(values(t.columns[1]) == std::vector<float>{2});
  }
  SUBCASE("tab: a field of spaces between tabs is an empty cell, not padding around a tab") {
    const csv::Table t = csv::parse("a\tb\n1\t  \n", "t.csv", with_delimiter('\t'));
    REQUIRE(t.columns.size() == 2);
    CHECK(t.columns[1].missing == 1);
    CHECK(t.columns[1].is_missing(0));
    CHECK(t.where(0, 1) == "t.csv:2:5: ");
  }
  SUBCASE("space: tabs are trimmed") {
    const csv::Table t = csv::parse("a b\n1\t 2\n", "t.csv", with_delimiter(' '));
    CHECK(values(t.columns[1]) == std::vector<float>{2});
  }
  SUBCASE("a delimiter that cannot work is refused") {
    for (const char d : {'"', '\n', '\r', '\0', '\xC3'})
      CHECK_HAS(parse_error("a\n1\n", with_delimiter(d)), "delimiter");
  }
}

TEST_CASE("csv: quoted fields hold delimiters, newlines and doubled quotes") {
  const std::string text =
      "name,v\n"
      "\"Smith, J\",1\n"
      "\"multi\nline\",2\n"
      "\"say \"\"hi\"\"\",3\n"
      "  \"  padded  \"  ,\"4\"\n"
      "5 \"inch\",5\n";
  const csv::Table t = csv::parse(text, "t.csv");
  CHECK(t.rows == 5);
  CHECK(t.columns[0].text ==
        std::vector<std::string>{"Smith, J", "multi\nline", "say \"hi\"", "  padded  ", "5 \"inch\""});
  CHECK(t.columns[1].numeric);  // a quoted "4" is still the number 4
  CHECK(values(t.columns[1]) == std::vector<float>{1, 2, 3, 4, 5});
  // The newline inside row 1 pushes every later row down one physical line.
  CHECK(t.line_of_row == std::vector<std::size_t>{2, 3, 5, 6, 7});
  CHECK(t.where(3, 0) == "t.csv:6:3: ");
  CHECK(t.where(3, 1) == "t.csv:6:18: ");
  CHECK(t.where(1, 1) == "t.csv:4:7: ");  // after the closing quote on the field's last line
}

TEST_CASE("csv: LF, CRLF, lone CR and a missing final newline all read the same") {
  for (const std::string text : {"a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r", "a,b\r\n1,2\n3,4\r",
                                 "a,b\n1,2\n3,4", "a,b\r\n1,2\r\n3,4\r"}) {
    CAPTURE(text);
    const csv::Table t = csv::parse(text, "t.csv");
    CHECK(t.rows == 2);
    REQUIRE(t.columns.size() == 2);
    CHECK(values(t.columns[0]) == std::vector<float>{1, 3});
    CHECK(values(t.columns[1]) == std::vector<float>{2, 4});
    CHECK(t.line_of_row == std::vector<std::size_t>{2, 3});
  }
  for (const std::string ends : {"a,b\r\n1,2\r\n3,\r\n", "a,b\r1,2\r3,\r"}) {  // an empty last cell, then the break
    const csv::Table e = csv::parse(ends, "t.csv");
    CHECK(e.rows == 2);
    CHECK(e.columns[1].missing == 1);
    CHECK(e.columns[1].first_missing_row == 1);
    CHECK(e.where(1, 1) == "t.csv:3:3: ");
  }
  // A CRLF inside quotes is kept, and still counts as one line.
  const csv::Table t = csv::parse("a\r\n\"x\r\ny\"\r\nz\r\n", "t.csv");
  CHECK(t.columns[0].text == std::vector<std::string>{"x\r\ny", "z"});
  CHECK(t.line_of_row == std::vector<std::size_t>{2, 4});
  // So does a lone CR inside quotes.
  const csv::Table u = csv::parse("a\r\"x\ry\"\rz\r", "t.csv");
  CHECK(u.columns[0].text == std::vector<std::string>{"x\ry", "z"});
  CHECK(u.line_of_row == std::vector<std::size_t>{2, 4});
  // LF and lone CR by turns: neither alone counts the rows. The reader sizes its block of numbers
  // from the line breaks, and here exactly (one-digit cells also make the bound from the file's
  // size exact), so a row past that size would land in the next column and show below.
  std::string mixed = "a,b";
  std::vector<float> a, b;
  for (int i = 0; i < 300; ++i) {
    mixed += (i % 2 ? "\r" : "\n") + std::to_string(i % 10) + "," + std::to_string(9 - i % 10);
    a.push_back(static_cast<float>(i % 10));
    b.push_back(static_cast<float>(9 - i % 10));
  }
  const csv::Table m = csv::parse(mixed, "t.csv");
  CHECK(values(m.columns[0]) == a);
  CHECK(values(m.columns[1]) == b);
  CHECK(m.line_of_row.back() == 301);
}

TEST_CASE("csv: many columns over many blank lines") {
  // Here the block of numbers is sized from the file's size (one row), not from its 5000 line
  // breaks.
  std::string text;
  for (int j = 0; j < 2000; ++j) text += (j ? ",c" : "c") + std::to_string(j);
  text += std::string(5000, '\n');
  for (int j = 0; j < 2000; ++j) text += (j ? "," : "") + std::to_string(j % 7);
  const csv::Table t = csv::parse(text, "t.csv");
  REQUIRE(t.rows == 1);
  REQUIRE(t.columns.size() == 2000);
  CHECK(t.line_of_row == std::vector<std::size_t>{5001});
  for (std::size_t j = 0; j < 2000; ++j) CHECK(values(t.columns[j]) == std::vector<float>{static_cast<float>(j % 7)});
}

TEST_CASE("csv: a UTF-8 byte order mark is skipped") {
  const csv::Table t = csv::parse(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n",
      "t.csv");
  CHECK(names(t) == std::vector<std::string>{"a", "b"});
  // Columns on line 1 are counted from after the mark, as an editor shows them.
  CHECK_HAS(parse_error("\xEF\xBB\xBF"
                        "a,,c\n1,2,3\n"),
            "t.csv:1:3: the header has no name");
  CHECK_HAS(parse_error("\xEF\xBB\xBF"), "t.csv: the file is empty");
}

TEST_CASE("csv: blank and whitespace-only lines are skipped, and still counted as lines") {
  const csv::Table t = csv::parse("\n  \n\t\na,b\n\n1,2\n   \n\r\n3,4\n\n\n", "t.csv");
  CHECK(t.rows == 2);
  CHECK(values(t.columns[0]) == std::vector<float>{1, 3});
  CHECK(t.line_of_row == std::vector<std::size_t>{6, 9});
  const csv::Table e = csv::parse("a,b\n\n \n1,\n", "t.csv");
  CHECK(e.columns[1].is_missing(0));
  CHECK(e.where(0, 1) == "t.csv:4:3: ");
}

TEST_CASE("csv: spaces and tabs around a field are trimmed, inside quotes they are kept") {
  const csv::Table t = csv::parse("a , b\n  1\t,\t2  \n x y , \" q \" \n", "t.csv");
  CHECK(names(t) == std::vector<std::string>{"a", "b"});
  CHECK(t.columns[0].text == std::vector<std::string>{"1", "x y"});
  CHECK(t.columns[1].text == std::vector<std::string>{"2", " q "});
}

TEST_CASE("csv: numbers are what from_chars reads whole, plus a leading '+'") {
  const csv::Table t = csv::parse(
      "v\n+1\n-2.5\n1e3\n.5\n5.\n1e-50\n-0\n3.4e38\n0001\n12345678\n  7  \n\"8\"\n-1e-45\n"
      "1e-999\n-0.000001e-99999\n",
      "t.csv");
  REQUIRE(t.columns[0].numeric);
  const std::vector<float> v = values(t.columns[0]);
  REQUIRE(v.size() == 15);
  CHECK(v[0] == 1.0f);
  CHECK(v[1] == -2.5f);
  CHECK(v[2] == 1000.0f);
  CHECK(v[3] == 0.5f);
  CHECK(v[4] == 5.0f);
  CHECK(v[5] == 0.0f);  // an underflow is a fine zero, unlike an overflow
  CHECK(v[6] == 0.0f);
  CHECK(std::signbit(v[6]));
  CHECK(v[7] == 3.4e38f);
  CHECK(v[8] == 1.0f);
  CHECK(v[9] == 12345678.0f);
  CHECK(v[10] == 7.0f);
  CHECK(v[11] == 8.0f);
  CHECK(v[12] < 0.0f);   // the smallest denormal, not flushed to zero
  CHECK(v[13] == 0.0f);  // too small even for a double: still zero, not "too large"
  CHECK(v[14] == 0.0f);

  for (const std::string cell :
       {"1.5f", "0x10", "1_000", "+-1", "--1", "++1", "1e", "+", "-", ".", "1 2", "1,5", "e5", "- 1"}) {
    CAPTURE(cell);
    const csv::Table u = csv::parse("v\n1\n\"" + cell + "\"\n", "t.csv");
    CHECK_FALSE(u.columns[0].numeric);
    CHECK(u.columns[0].first_text_row == 1);
    CHECK(u.columns[0].text == std::vector<std::string>{"1", cell});
  }
}

TEST_CASE("csv: short integers read without from_chars give exactly what from_chars gives") {
  // Each cell twice in its row: before a delimiter (the one-pass path, Cursor::next_small_int)
  // and at the end of the row (next_field, then parse_number).
  std::mt19937 rng(7);
  std::string text = "v,w\n";
  std::vector<std::string> cells;
  for (int i = 0; i < 2000; ++i) {
    const std::uint32_t value = rng() % 2000000000, shift = rng() % 31;  // all digit counts
    std::string cell = std::to_string(value >> shift);
    if (i % 7 == 0) cell = "00" + cell;
    if (i % 3 == 0) cell = "-" + cell;
    cells.push_back(cell);
    text += cell + "," + cell + "\n";
  }
  const csv::Table t = csv::parse(text, "t.csv");
  REQUIRE(t.columns[0].values.size() == cells.size());
  REQUIRE(t.columns[1].values.size() == cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    float expected = 0;
    std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), expected);
    CHECK_MESSAGE(t.columns[0].values[i] == expected, cells[i]);
    CHECK_MESSAGE(t.columns[1].values[i] == expected, cells[i]);
  }
}

TEST_CASE("csv: Column::values views the table's numbers, and copies of the table share them") {
  const csv::Table t = csv::parse("a,b,c\n1,x,3\n4,y,6\n", "t.csv");
  REQUIRE(t.rows == 2);
  CHECK(values(t.columns[0]) == std::vector<float>{1, 4});
  CHECK(t.columns[1].values.empty());
  CHECK(std::vector<float>(t.columns[2].values.begin(), t.columns[2].values.end()) == std::vector<float>{3, 6});
  csv::Table copy;
  {
    const csv::Table original = csv::parse("a,b\n1,2\n3,4\n", "t.csv");
    copy = original;
  }
  CHECK(values(copy.columns[1]) == std::vector<float>{2, 4});
  // A digit as the delimiter splits numbers the same way on every path.
  const csv::Table d = csv::parse("a0b\n1203\n405\n", "t.csv", with_delimiter('0'));
  CHECK(values(d.columns[0]) == std::vector<float>{12, 4});
  CHECK(values(d.columns[1]) == std::vector<float>{3, 5});
}

TEST_CASE("csv: inf and float overflow in a numeric column are errors at their cell") {
  for (const std::string bad : {"inf", "-inf", "+inf", "Infinity", "INF"}) {
    CAPTURE(bad);
    CHECK_HAS(parse_error("x,y\n1,2\n3, " + bad + "\n"), "t.csv:3:4: column 'y' has a non-finite value '" + bad +
                                                             "' (mlp needs finite numbers: fill or drop this row)");
  }
  for (const std::string big : {"1e999", "-1e999", "3.5e38", "1e39", "99999999999999999999e30"}) {
    CAPTURE(big);
    CHECK_HAS(parse_error("x,y\n1,2\n3," + big + "\n"),
              "t.csv:3:3: column 'y' has a value too large for a 32-bit float '" + big + "'");
  }
  // The first bad cell in file order is the one reported; nan is a missing value, not a bad one.
  CHECK_HAS(parse_error("a,b\n1,inf\n-inf,2\n"), "t.csv:2:3: column 'b' has a non-finite value 'inf'");
  CHECK_HAS(parse_error("a,b\n-inf,2\n3,inf\n"), "t.csv:2:1: column 'a' has a non-finite value '-inf'");
  CHECK_HAS(parse_error("a,b\nnan,2\n3,inf\n"), "t.csv:3:3: column 'b' has a non-finite value 'inf'");
  // A first row of nan and inf is data (with bad values), not a header named "nan".
  CHECK_HAS(parse_error("nan,inf\n2,3\n"), "t.csv:1:5: column 'column_2' has a non-finite value");
}

TEST_CASE("csv: nan in a column that is text anyway is just text, counted as missing") {
  const csv::Table t = csv::parse("x,y\n1,nan\n2,a\n3,inf\n", "t.csv");
  CHECK_FALSE(t.columns[1].numeric);
  CHECK(t.columns[1].text == std::vector<std::string>{"nan", "a", "inf"});
  CHECK(t.columns[1].missing == 1);
  CHECK(t.columns[1].is_missing(0));
  CHECK_FALSE(t.columns[1].is_missing(2));
}

TEST_CASE("csv: empty cells and missing-value markers are missing: NaN in a numeric column, as written in a text one") {
  for (const std::string marker : {"", "\"\"", "   ", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "NULL", "null",
                                   "#N/A", "#NA", "<NA>", "?"}) {
    CAPTURE(marker);
    CHECK(csv::is_missing(marker == "\"\"" || marker == "   " ? "" : marker));
    const csv::Table t = csv::parse("a,b\n1,2\n" + marker + ",4\n5,6\n", "t.csv");
    REQUIRE(t.rows == 3);
    const csv::Column& a = t.columns[0];
    CHECK(a.numeric);
    CHECK(a.missing == 1);
    CHECK(a.first_missing_row == 1);
    CHECK(std::isnan(a.values[1]));
    CHECK(a.is_missing(1));
    CHECK_FALSE(a.is_missing(0));
    CHECK(a.values[2] == 5);
    CHECK(t.columns[1].missing == 0);
  }
  for (const std::string word : {"None", "none", "NA2", "nada", "0", "-", "??", "Nan "}) {  // words, not markers
    CAPTURE(word);
    CHECK_FALSE(csv::is_missing(word == "Nan " ? "Nan" : word));
  }
  // A text column keeps its cells as written; its missing ones are counted, after it turned text too.
  const csv::Table t = csv::parse("c,n\nNA,1\nred,2\n,3\nblue,4\n", "t.csv");
  const csv::Column& c = t.columns[0];
  CHECK_FALSE(c.numeric);
  CHECK(c.text == std::vector<std::string>{"NA", "red", "", "blue"});
  CHECK(c.missing == 2);
  CHECK(c.first_missing_row == 0);
  CHECK(c.is_missing(2));
  CHECK_FALSE(c.is_missing(1));
  // A file without a header may start with a missing cell; a first row of nothing but empty
  // fields is refused before it makes a column per comma.
  const csv::Table h = csv::parse(",2\n3,4\n", "t.csv");
  CHECK_FALSE(h.had_header);
  CHECK(h.columns[0].is_missing(0));
  CHECK_HAS(parse_error(",,\n1,2,3\n", csv::Options{',', csv::HeaderMode::No}),
            "t.csv:1:1: the first row has 3 fields and all are empty");
  // The cell as written, for a column whose number reads differently.
  const csv::Table w = csv::parse("id,x\n007,\"1.50\"\n", "t.csv");
  CHECK(w.columns[0].values[0] == 7);
  CHECK(w.cell(0, 0) == "007");
  CHECK(w.cell(0, 1) == "1.50");
}

TEST_CASE("csv: rows of empty cells, shorter than two bytes a field, all fit in the block of numbers") {
  // A row of missing values is ncols bytes ("1,,0" and its line break); the block the numbers go
  // to was once sized for rows of at least 2 * ncols bytes, and such a file wrote past its end.
  TempDir dir;
  for (const std::string& row : {std::string("1,,0"), std::string(",,,,,,,,1,0")}) {
    const std::size_t fields = static_cast<std::size_t>(std::count(row.begin(), row.end(), ',')) + 1;
    std::string text;
    for (std::size_t j = 0; j < fields; ++j) text += (j ? ",c" : "c") + std::to_string(j);
    text += "\n";
    const std::size_t rows = 300000;
    for (std::size_t r = 0; r < rows; ++r) text += row + "\n";
    for (const bool from_file : {false, true}) {
      CAPTURE(row);
      CAPTURE(from_file);
      const csv::Table t = from_file ? csv::read(dir.write("empty_cells.csv", text)) : csv::parse(text, "t.csv");
      REQUIRE(t.rows == rows);
      REQUIRE(t.columns.size() == fields);
      CHECK(t.columns[1].missing == rows);
      CHECK(t.columns[fields - 1].values[rows - 1] == 0);
      const std::size_t one = fields == 3 ? 0 : fields - 2;  // the column of the 1
      CHECK(t.columns[one].values[rows - 1] == 1);
      CHECK(t.columns[one].missing == 0);
    }
  }
}

TEST_CASE("csv: rows with too few or too many fields name the row's line") {
  CHECK_HAS(parse_error("a,b,c\n1,2,3\n4,5\n"),
            "t.csv:3:4: row has 2 fields but the header has 3: "
            "give every row one value per column");
  CHECK_HAS(parse_error("a,b\n1,2\n3,4,5\n"), "t.csv:3:5: row has 3 fields but the header has 2");
  CHECK_HAS(parse_error("1,2\n3\n"), "t.csv:2:2: row has 1 field but the first row (line 1) has 2");
  CHECK_HAS(parse_error("a,b\n1,2,\n"), "t.csv:2:5: row has 3 fields but the header has 2");
  // The missing field explains the empty cell, so it is what gets reported.
  CHECK_HAS(parse_error("a,b,c\n,2\n"), "t.csv:2:3: row has 2 fields but the header has 3");
  CHECK_HAS(parse_error("a,b\n,,,\n"), "t.csv:2:3: row has 4 fields but the header has 2");
  // The row ends on a later line when a quoted field spans lines.
  CHECK_HAS(parse_error("a,b,c\n1,\"x\ny\"\n"), "t.csv:3:3: row has 2 fields");
}

TEST_CASE("csv: a column with text in some rows keeps every cell's text as written") {
  const csv::Table t = csv::parse("id,label,score\n1,1,0.5\n2,2.50,0.25\n3,cat,x\n4,\"dog\"\"s\",1\n", "t.csv");
  CHECK(t.columns[0].numeric);
  CHECK(values(t.columns[0]) == std::vector<float>{1, 2, 3, 4});
  CHECK_FALSE(t.columns[1].numeric);
  CHECK(t.columns[1].values.empty());
  CHECK(t.columns[1].first_text_row == 2);
  CHECK(t.columns[1].text == std::vector<std::string>{"1", "2.50", "cat", "dog\"s"});
  CHECK_FALSE(t.columns[2].numeric);
  CHECK(t.columns[2].first_text_row == 2);
  CHECK(t.columns[2].text == std::vector<std::string>{"0.5", "0.25", "x", "1"});
  CHECK(t.where(t.columns[1].first_text_row, 1) == "t.csv:4:3: ");
  CHECK(t.where(t.columns[2].first_text_row, 2) == "t.csv:4:7: ");

  // Switches at different rows, with quoted and multi-line cells before them.
  const csv::Table u = csv::parse("a,b,c\n\"1\",\"x\ny\",  7 \n2,3,\"8\"\nz,4,9\n5,6,w\n", "t.csv");
  CHECK(u.columns[0].text == std::vector<std::string>{"1", "2", "z", "5"});
  CHECK(u.columns[0].first_text_row == 2);
  CHECK(u.columns[1].text == std::vector<std::string>{"x\ny", "3", "4", "6"});
  CHECK(u.columns[1].first_text_row == 0);
  CHECK(u.columns[2].text == std::vector<std::string>{"7", "8", "9", "w"});
  CHECK(u.columns[2].first_text_row == 3);
  CHECK(u.line_of_row == std::vector<std::size_t>{2, 4, 5, 6});
}

TEST_CASE("csv: where() counts characters, not bytes, and survives bad arguments") {
  const csv::Table t = csv::parse("a,b\n\"\xC3\xA9\xC3\xA9\",5\n  7,x\n", "t.csv");
  CHECK(t.where(0, 1) == "t.csv:2:6: ");  // "éé" is 4 characters wide with its quotes
  CHECK(t.where(1, 0) == "t.csv:3:3: ");
  CHECK(t.where(9, 0) == "t.csv: ");
  CHECK(t.where(0, 9) == "t.csv: ");
  CHECK(csv::Table{}.where(0, 0) == ": ");
}

TEST_CASE("csv: find() takes a name, else a 0-based index") {
  const csv::Table t = csv::parse("x,0,y\n1,2,3\n", "t.csv", with_header(csv::HeaderMode::Yes));
  CHECK(t.find("x") == 0);
  CHECK(t.find("y") == 2);
  CHECK(t.find("0") == 1);  // the name "0" wins over index 0
  CHECK(t.find("2") == 2);
  CHECK(t.find("3") == -1);
  CHECK(t.find("-1") == -1);
  CHECK(t.find("") == -1);
  CHECK(t.find("1x") == -1);
  CHECK(t.find("X") == -1);
  CHECK(t.find("99999999999999999999999") == -1);
}

TEST_CASE("csv: an unclosed quote points at where it opened, a stray character after one at itself") {
  CHECK_HAS(parse_error("a,b\n1,\"abc\n2,3\n"), "t.csv:2:3: this quoted field is never closed: add the closing '\"'");
  CHECK_HAS(parse_error("\""), "t.csv:1:1: this quoted field is never closed");
  CHECK_HAS(parse_error("a,b\n\"x\"y,2\n"), "t.csv:2:4: unexpected 'y' after the closing quote");
  CHECK_HAS(parse_error("a,b\n\"x\"  y,2\n"), "t.csv:2:6: unexpected 'y'");
  CHECK_HAS(parse_error("a\n\"x\ny\"z\n"), "t.csv:3:3: unexpected 'z'");
  CHECK_HAS(parse_error("a\n\"x\"\xC3\xA9\n"), "t.csv:2:4: unexpected '\xC3\xA9'");
}

TEST_CASE("csv: binary data and non-UTF-8 text are refused at their line and column") {
  using namespace std::string_literals;
  CHECK_HAS(parse_error("a,b\n1,\0\n"s), "t.csv:2:3: a NUL byte: this does not look like a text CSV file");
  CHECK_HAS(parse_error("a,b\n1,2\n\xFF\n"), "t.csv:3:1: byte 0xFF is not valid UTF-8");
  CHECK_HAS(parse_error("a,b\n1,\xC3"), "t.csv:2:3: byte 0xC3 is not valid UTF-8");  // cut short
  CHECK_HAS(parse_error("a\n\xC0\x80\n"), "t.csv:2:1: byte 0xC0");                   // overlong
  CHECK_HAS(parse_error("a\n\xED\xA0\x80\n"), "t.csv:2:1: byte 0xED");               // surrogate
  CHECK_HAS(parse_error("a\n\xF4\x90\x80\x80\n"), "t.csv:2:1: byte 0xF4");           // > U+10FFFF
  CHECK_HAS(parse_error("\xFF\xFE"
                        "a\0,\0b\0"s),
            "t.csv:1:1: byte 0xFF");                                  // UTF-16
  CHECK_HAS(parse_error("\xC3\xA9,\xFF\n"), "t.csv:1:3: byte 0xFF");  // é is one column
  CHECK_HAS(parse_error("a\r\n\r\n1\r2\xFF"), "t.csv:4:2: byte 0xFF");
  // Valid multi-byte text is fine.
  const csv::Table t = csv::parse("a\n\xF0\x9F\x98\x80\n\xE2\x82\xAC\n", "t.csv");
  CHECK(t.columns[0].text == std::vector<std::string>{"\xF0\x9F\x98\x80", "\xE2\x82\xAC"});
}

TEST_CASE("csv: one column and one row are fine") {
  const csv::Table t = csv::parse("x\n1\n2\n", "t.csv");
  CHECK(t.columns.size() == 1);
  CHECK(values(t.columns[0]) == std::vector<float>{1, 2});
  const csv::Table u = csv::parse("1", "t.csv");
  CHECK(u.rows == 1);
  CHECK(values(u.columns[0]) == std::vector<float>{1});
}

TEST_CASE("csv: read() reports files it cannot use") {
  TempDir dir;
  CHECK(error_of([] { csv::read("/nonexistent/dir/x.csv"); }) ==
        "/nonexistent/dir/x.csv: cannot open: No such file or directory");
  CHECK_HAS(error_of([&] { csv::read(dir.path.string()); }), dir.path.string() + ": cannot open: ");
  const std::string empty = dir.write("empty.csv", "");
  CHECK(error_of([&] { csv::read(empty); }) == empty + ": the file is empty");
  const std::string blank = dir.write("blank.csv", "\n \r\n\t\n");
  CHECK_HAS(error_of([&] { csv::read(blank); }), blank + ": the file is empty");
  const std::string ragged = dir.write("ragged.csv", "a,b\n1,2\n3\n");
  CHECK_HAS(error_of([&] { csv::read(ragged); }), ragged + ":3:2: row has 1 field");
  // read() and parse() agree on the same bytes.
  const std::string text = "\xEF\xBB\xBFx,y\r\n1,\"a\nb\"\r\n2,c";
  const csv::Table a = csv::read(dir.write("ok.csv", text));
  const csv::Table b = csv::parse(text, "ok.csv");
  CHECK(a.rows == b.rows);
  CHECK(values(a.columns[0]) == values(b.columns[0]));
  CHECK(a.columns[1].text == b.columns[1].text);
  CHECK(a.line_of_row == b.line_of_row);
}

TEST_CASE("csv: read() of a file that fills its last page, and of a pipe") {
  // A file is mapped, not copied, and the parser stops at the NUL after the text: a file of a
  // whole number of pages has no room for one, so a page of zeros is mapped after it.
  TempDir dir;
  for (const std::size_t size : {4096, 16384, 65536}) {
    CAPTURE(size);
    std::string text = "x,y\n";
    std::size_t rows = 0;
    while (text.size() + 8 < size) text += "12,34\r\n", ++rows;
    text += std::string(size - text.size() - 3, ' ') + "5,6";  // the last field ends the file
    REQUIRE(text.size() == size);
    const csv::Table t = csv::read(dir.write("page.csv", text));
    CHECK(t.rows == rows + 1);
    CHECK(t.columns[1].values[rows] == 6);
  }
  // A FIFO has no size to map: it is read into a buffer that grows (from 64 KiB) as it goes.
  std::string text = "x,y\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",\"" + std::to_string(-i) + "\"\n";
  const std::string fifo = (dir.path / "pipe.csv").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  const csv::Table t = csv::read(fifo);
  writer.join();
  REQUIRE(t.rows == 20000);
  CHECK(t.columns[0].values[19999] == 19999);
  CHECK(t.columns[1].values[12345] == -12345);
  CHECK(t.where(19999, 1) == fifo + ":20001:7: ");
}

// Writes random tables the way real files come (random quoting, padding, line endings, blank
// lines, delimiters) and checks every cell, row line and where() against what was written. The
// expected positions are counted here from the written text, independently of the reader.
TEST_CASE("csv: random tables read back cell for cell, with every cell's line and column") {
  std::mt19937 rng(2024);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int round = 0; round < 300; ++round) {
    const char delim = ",;\t"[pick(3)];
    const std::string pads = delim == '\t' ? " " : " \t";
    const std::size_t ncols = 1 + pick(5), nrows = 1 + pick(6);
    // Per column: 0 numbers, 1 words, 2 a mix (so text, holding the numbers as written).
    std::vector<int> kind(ncols);
    for (int& k : kind) k = static_cast<int>(pick(3));

    std::string text;
    std::vector<std::vector<std::size_t>> starts(nrows + 1);  // byte offset of each cell
    std::vector<std::vector<std::string>> cells(nrows + 1);   // each cell's content
    for (std::size_t r = 0; r <= nrows; ++r) {                // row 0 is the header
      while (pick(4) == 0) text += pick(2) ? "\n" : "  \n";   // blank lines
      for (std::size_t j = 0; j < ncols; ++j) {
        std::string cell;
        const bool number = r > 0 && (kind[j] == 0 || (kind[j] == 2 && pick(2)));
        if (r == 0) {
          cell = "h" + std::to_string(j);
        } else if (number) {
          const std::size_t form = pick(4);
          if (form == 0) cell = std::to_string(static_cast<int>(rng() % 200001) - 100000);
          if (form == 1) cell = std::to_string(static_cast<float>(rng()) / 1e6f);
          if (form == 2) cell = "1.5e-" + std::to_string(pick(30));
          if (form == 3) cell = "+" + std::to_string(pick(1000)) + "." + std::to_string(pick(100));
        } else {
          cell = std::string(1, "abxyz"[pick(5)]);  // a letter first: never a number
          const std::string letters = std::string("abc xyz\"\n\r") + delim;
          for (std::size_t k = pick(8); k > 0; --k) cell += letters[pick(letters.size())];
        }
        const bool must_quote = cell.find_first_of(std::string("\"\n\r ") + delim) != std::string::npos;
        const bool quote = must_quote || pick(4) == 0;
        for (std::size_t k = pick(3); k > 0; --k) text += pads[pick(pads.size())];
        starts[r].push_back(text.size());
        cells[r].push_back(cell);
        if (quote) {
          text += '"';
          for (const char c : cell) text += c == '"' ? std::string("\"\"") : std::string(1, c);
          text += '"';
        } else {
          text += cell;
        }
        for (std::size_t k = pick(3); k > 0; --k) text += pads[pick(pads.size())];
        if (j + 1 < ncols) text += delim;
      }
      if (r < nrows || pick(2)) text += std::vector<std::string>{"\n", "\r\n", "\r"}[pick(3)];
    }
    CAPTURE(text);
    csv::Options options;
    options.delimiter = delim;
    const csv::Table t = csv::parse(text, "r.csv", options);
    REQUIRE(t.rows == nrows);
    REQUIRE(t.columns.size() == ncols);

    // Line and column of a byte offset: CRLF, LF and lone CR each end a line; columns count
    // UTF-8 code points (all ASCII here, so bytes).
    auto position = [&](std::size_t offset) {
      std::size_t line = 1, line_start = 0;
      for (std::size_t i = 0; i < offset; ++i) {
        const bool brk = text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n');
        if (brk) {
          ++line;
          line_start = i + 1;
        }
      }
      return "r.csv:" + std::to_string(line) + ":" + std::to_string(offset - line_start + 1) + ": ";
    };
    for (std::size_t j = 0; j < ncols; ++j) {
      const csv::Column& c = t.columns[j];
      CHECK(c.name == cells[0][j]);
      bool all_numbers = true;
      for (std::size_t r = 1; r <= nrows; ++r) {
        float expected = 0;
        const std::string& cell = cells[r][j];
        const std::size_t skip = cell[0] == '+';
        auto parsed = std::from_chars(cell.data() + skip, cell.data() + cell.size(), expected);
        const bool number = parsed.ptr == cell.data() + cell.size() && parsed.ec == std::errc();
        all_numbers = all_numbers && number;
        if (c.numeric)
          CHECK(c.values[r - 1] == expected);
        else
          CHECK(c.text[r - 1] == cell);
        CHECK(t.where(r - 1, j) == position(starts[r][j]));
      }
      CHECK(c.numeric == all_numbers);
    }
    for (std::size_t r = 1; r <= nrows; ++r) {
      std::string line_prefix = position(starts[r][0]);
      line_prefix = line_prefix.substr(0, line_prefix.rfind(':', line_prefix.size() - 3));
      CHECK("r.csv:" + std::to_string(t.line_of_row[r - 1]) == line_prefix);
    }
  }
}

TEST_CASE("csv: nasty small inputs return or throw mlp::Error, nothing else") {
  for (const std::string text : {"",         "\"",
                                 "\r",       "\n",
                                 "\r\n",     ",",
                                 ",,,",      "a",
                                 "1",        "\"\"",
                                 "\"a\"\"",  "\"\"\"",
                                 "a\n\"",    "a,b\n1,\"",
                                 " ",        "\t",
                                 "\xEF\xBB", "\xEF\xBB\xBF\r",
                                 "a\n1\r",   "1,2\n3,4\n\"5\"6",
                                 "\"\"\"\"", "a\n\"\r",
                                 "1,\"",     "\",\"\n1"}) {
    CAPTURE(text);
    for (const auto mode : {csv::HeaderMode::Auto, csv::HeaderMode::Yes, csv::HeaderMode::No}) {
      const std::string m = parse_error(text, with_header(mode));
      CHECK_FALSE(has(m, "<not an mlp::Error"));
    }
  }
}

TEST_CASE("csv: random bytes return or throw mlp::Error, and any table they give is whole") {
  std::mt19937 rng(12345);
  // CSV-ish bytes, so the parser itself gets exercised; the NUL last, left out of every other
  // input so those reach the parser.
  const std::string alphabet = std::string("a1.-e,;\"\r\n \t5+\xC3\xA9") + std::string(1, '\0');
  auto check = [](const std::string& text, const csv::Options& options) {
    std::string error;
    try {
      const csv::Table t = csv::parse(text, "f.csv", options);
      for (std::size_t j = 0; j < t.columns.size(); ++j) {
        const csv::Column& c = t.columns[j];
        CHECK((c.numeric ? c.values.size() : c.text.size()) == t.rows);
        CHECK(t.where(t.rows - 1, j).rfind("f.csv:", 0) == 0);
      }
      CHECK(t.line_of_row.size() == t.rows);
    } catch (const mlp::Error&) {
      // A clear refusal is a fine answer to garbage.
    } catch (const std::exception& e) {
      error = e.what();
    }
    CHECK_MESSAGE(error.empty(), "threw something other than mlp::Error: ", error);
  };
  for (int i = 0; i < 400; ++i) {
    std::string text(rng() % 300, '\0');
    const bool any_byte = i % 4 == 0;
    const std::size_t letters = alphabet.size() - (i % 2);
    for (char& c : text) c = any_byte ? static_cast<char>(rng() & 0xFF) : alphabet[rng() % letters];
    csv::Options options;
    options.delimiter = i % 5 == 0 ? ';' : ',';
    options.header = static_cast<csv::HeaderMode>(i % 3);
    check(text, options);
  }
  std::string big(1 << 20, '\0');  // a megabyte of noise, to rule out quadratic blowups
  for (char& c : big) c = static_cast<char>(rng() & 0xFF);
  check(big, {});
  for (char& c : big) c = alphabet[rng() % (alphabet.size() - 1)];
  check(big, {});
}

// A large file is read through a window of its pages (Options::window_above, window); here a
// 1.5 MB file through 64 KB windows must give what mapping it whole gives, to the last bit, and
// the same errors, with their places, for a bad cell and a binary byte far into the file.
TEST_CASE("csv: a file read through a small window gives the table and the errors of one mapped whole") {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> value(-1000, 1000);
  std::string text = "a,b,label,c\r\n";
  for (int r = 0; r < 30000; ++r) {
    text += std::to_string(value(random)) + "," + std::to_string(r) + ",";
    text += r % 3 == 0 ? "\"x, quoted\"" : r % 3 == 1 ? "y" : "z";
    text += "," + std::to_string(value(random) / 7) + (r % 2 ? "\r\n" : "\n");
  }
  TempDir dir;
  const std::string path = dir.write("big.csv", text);
  csv::Options windowed;
  windowed.window_above = 0;
  windowed.window = 64 << 10;
  const csv::Table whole = csv::read(path), through = csv::read(path, windowed);
  REQUIRE(through.rows == 30000);
  CHECK(through.rows == whole.rows);
  CHECK(through.line_of_row == whole.line_of_row);
  REQUIRE(through.columns.size() == 4);
  for (std::size_t j = 0; j < 4; ++j) {
    CAPTURE(j);
    const csv::Column &w = whole.columns[j], &t = through.columns[j];
    CHECK(t.numeric == w.numeric);
    CHECK(t.text == w.text);
    if (w.numeric) CHECK(std::equal(t.values.begin(), t.values.end(), w.values.begin(), w.values.end()));
  }
  CHECK(through.where(29999, 3) == whole.where(29999, 3));  // the place of a cell near the end

  auto message = [](const std::string& file, const csv::Options& options) {
    try {
      (void)csv::read(file, options);
    } catch (const mlp::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string bad_cell = text;
  bad_cell.replace(bad_cell.size() - 40, 1, "?");  // a cell of the last rows is no longer a number
  const std::string cell_path = dir.write("cell.csv", bad_cell);
  CHECK(message(cell_path, windowed) == message(cell_path, {}));
  std::string binary = text;
  binary[binary.size() - 1000] = '\0';
  const std::string binary_path = dir.write("binary.csv", binary);
  CHECK(message(binary_path, windowed) == message(binary_path, {}));
  CHECK(message(binary_path, windowed).find("binary") != std::string::npos);
}

// release_rows gives back the whole pages inside the rows asked for and nothing else: the numbers
// of every later row are all still there, a row sharing a page with them included, while the first
// rows' pages (the block starts on a page) are gone and read 0.
TEST_CASE("csv: release_rows frees the rows asked for and keeps every other row's numbers") {
  std::string text = "a,b,c,d,e,f,g,h\n";
  const auto cell = [](std::size_t r, std::size_t j) { return static_cast<float>(r * 8 + j + 1); };
  for (std::size_t r = 0; r < 3000; ++r)
    for (std::size_t j = 0; j < 8; ++j) text += std::to_string(static_cast<long>(cell(r, j))) + (j < 7 ? "," : "\n");
  const csv::Table t = csv::parse(text, "release.csv");
  REQUIRE(t.rows == 3000);
  t.release_rows(0, 1001);
  for (std::size_t r = 1001; r < 3000; ++r)
    for (std::size_t j = 0; j < 8; ++j)
      if (t.columns[j].values[r] != cell(r, j)) FAIL("row " << r << ", column " << j << " changed");
  for (std::size_t r = 0; r < 100; ++r)  // 32 bytes a row: the first 4 KiB page holds rows 0-127
    for (std::size_t j = 0; j < 8; ++j) CHECK(t.columns[j].values[r] == 0.0f);
  t.release_rows(2999, 3000);  // the last row alone: its page holds earlier rows, so it stays
  CHECK(t.columns[7].values[2999] == cell(2999, 7));
}
