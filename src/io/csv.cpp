// CSV reading: the whole file in memory (mapped), one pass over it, fields as views into it,
// numbers into one block, row after row. Positions are kept per row, not per cell; the rare
// paths that need a cell's position (error messages, where(), recovering the text of a column
// that turned out not to be numeric) re-scan that row. Large memory that the reader fills itself
// is a HugeBuffer (see huge_buffer.hpp for why).
#include "mlp/io/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/huge_buffer.hpp"
#include "mlp/error.hpp"

namespace mlp::csv {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

unsigned char uc(char c) { return static_cast<unsigned char>(c); }

// One table lookup per byte in the field loop instead of four comparisons.
struct Classes {
  bool stop[256] = {};  // ends an unquoted field: delimiter, CR, LF, and the NUL after the text
  bool pad[256] = {};   // trimmed around fields: space and tab, unless that is the delimiter
};

Classes make_classes(char delimiter) {
  Classes c;
  c.stop[uc(delimiter)] = c.stop[uc('\r')] = c.stop[uc('\n')] = c.stop[0] = true;
  c.pad[uc(' ')] = delimiter != ' ';
  c.pad[uc('\t')] = delimiter != '\t';
  return c;
}

// 1-based column in characters (UTF-8 code points, so an accented name counts once), which is
// what editors show.
std::size_t column_of(const char* line_start, const char* pos) {
  std::size_t col = 1;
  for (const char* p = line_start; p < pos; ++p) col += (uc(*p) & 0xC0) != 0x80;
  return col;
}

std::string prefix(const std::string& path, std::size_t line, const char* line_start, const char* pos) {
  return path + ":" + std::to_string(line) + ":" + std::to_string(column_of(line_start, pos)) + ": ";
}

// Quotes a cell for a message, cut short so a runaway quoted field cannot flood the terminal.
std::string in_quotes(std::string_view s) {
  if (s.size() > 60) return "'" + std::string(s.substr(0, 57)) + "...'";
  return "'" + std::string(s) + "'";
}

// ---------------------------------------------------------------------------------------------
// Binary files: refuse them up front, so the parser may assume UTF-8 text with no NUL inside
// (it uses the NUL kept after the text as its end marker).

// Offset of the first NUL or invalid UTF-8 byte among the characters that start in [from, to),
// or kNone; `stopped` is where the next character starts (at or just past `to`).
std::size_t find_non_text(std::string_view s, std::size_t from, std::size_t to, std::size_t& stopped) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  to = std::min(to, n);
  std::size_t i = from;
  stopped = to;
  while (i < to) {
    // Plain ASCII without NUL, eight bytes at a time: this loop is the whole cost for most files.
    while (i + 8 <= to) {
      std::uint64_t w;
      std::memcpy(&w, b + i, 8);
      const std::uint64_t high = 0x8080808080808080ull, low = 0x0101010101010101ull;
      if ((w & high) || ((w - low) & ~w & high)) break;
      i += 8;
    }
    if (i >= to) break;
    const unsigned char c = b[i];
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The allowed range of the second byte rules out overlong forms, UTF-16 surrogates and
    // code points past U+10FFFF.
    std::size_t len = 2;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else if (c < 0xC2 || c > 0xDF) {
      return i;
    }
    if (i + len > n || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((b[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  stopped = std::max(i, to);
  return kNone;
}

[[noreturn]] void throw_not_text(const std::string& path, std::string_view s, std::size_t begin, std::size_t bad) {
  // Count lines the way the parser does: LF, CRLF or a lone CR each end one.
  std::size_t line = 1, line_start = begin;
  for (std::size_t i = begin; i < bad; ++i) {
    if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n')) {
      ++line;
      line_start = i + 1;
    }
  }
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", uc(s[bad]));
  const std::string what =
      s[bad] == '\0' ? std::string("a NUL byte") : "byte " + std::string(byte) + " is not valid UTF-8";
  throw Error(prefix(path, line, s.data() + line_start, s.data() + bad) + what +
              ": this does not look like a text CSV file (binary data, or text in another "
              "encoding such as UTF-16 or Latin-1: save it as UTF-8 CSV)");
}

// ---------------------------------------------------------------------------------------------
// Numbers.

enum class Num { Finite, NonFinite, TooLarge, NotNumber };

// from_chars reports both overflow and underflow as out of range. An underflow (1e-50) is a
// perfectly good 0; an overflow (1e999) is not. The decimal exponent of the leading significant
// digit tells them apart, and cannot be fooled near the edge because float's range is far
// inside double's, which is tried first.
bool below_one(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool point = false, seen = false;
  long long int_digits = 0;  // integer digits from the first nonzero one on
  long long lead = 0;        // when the first nonzero digit is after the point: minus its place
  long long frac = 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      point = true;
      continue;
    }
    if (!point) {
      if (seen || s[i] != '0') {
        seen = true;
        ++int_digits;
      }
    } else {
      ++frac;
      if (!seen && s[i] != '0') {
        seen = true;
        lead = -frac;
      }
    }
  }
  if (!seen) return true;  // all zeros
  const long long exp10 = int_digits > 0 ? int_digits - 1 : lead;
  long long e = 0;
  bool negative = false;
  if (i < s.size()) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    for (; i < s.size(); ++i) e = std::min(e * 10 + (s[i] - '0'), 1000000000000LL);
  }
  return exp10 + (negative ? -e : e) < 0;
}

// A cell is a number when from_chars consumes all of it. A leading '+' is accepted, since
// spreadsheets write it, though from_chars does not.
Num parse_general(std::string_view s, float& out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') {
    ++b;
    if (b == e || *b == '-' || *b == '+') return Num::NotNumber;
  }
  auto [ptr, ec] = std::from_chars(b, e, out);
  if (ptr != e || b == e) return Num::NotNumber;
  if (ec == std::errc::result_out_of_range) {
    double d;
    auto r = std::from_chars(b, e, d);
    if (r.ec == std::errc())
      out = static_cast<float>(d);
    else if (below_one(s))
      out = *b == '-' ? -0.0f : 0.0f;
    else
      return Num::TooLarge;
    if (std::isinf(out)) return Num::TooLarge;
    return Num::Finite;
  }
  if (!std::isfinite(out)) return Num::NonFinite;
  return Num::Finite;
}

// Short plain integers (pixel values, counts, class ids: most cells of most data sets) are
// read here, since from_chars is the slower way for them (bench/README.md, W4); they are exact
// in a float up to 2^24, so the result is the one from_chars would give. Anything else goes to
// from_chars.
inline Num parse_number(std::string_view s, float& out) {
  const char* p = s.data();
  std::size_t n = s.size();
  const bool negative = n > 1 && *p == '-';
  p += negative;
  n -= negative;
  if (n >= 1 && n <= 7) {
    std::int32_t v = 0;
    std::size_t k = 0;
    for (; k < n; ++k) {
      const unsigned digit = static_cast<unsigned>(uc(p[k])) - '0';
      if (digit > 9) break;
      v = v * 10 + static_cast<std::int32_t>(digit);
    }
    if (k == n) {
      out = negative ? -static_cast<float>(v) : static_cast<float>(v);
      return Num::Finite;
    }
  }
  return parse_general(s, out);
}

// ---------------------------------------------------------------------------------------------
// The scanner: one field at a time, tracking the physical line so errors can name it.

enum class End { Delimiter, Row, File };

struct Field {
  std::string_view text;  // trimmed and unquoted; valid until the next next_field()
  const char* start;      // first byte after leading padding: the opening quote when quoted
  std::size_t line;       // where `start` is
  const char* line_start;
};

class Cursor {
 public:
  Cursor(std::string_view text, std::size_t offset, std::size_t line, const Classes& classes, char delimiter,
         const std::string& path)
      : p_(text.data() + offset),
        end_(text.data() + text.size()),
        line_start_(p_),
        line_(line),
        cls_(&classes),
        delim_(delimiter),
        path_(&path) {}

  // Skips blank lines (empty or padding only). False at the end of the text; otherwise the
  // cursor sits at the start of the line where the next row begins.
  bool next_row() {
    for (;;) {
      const char* q = p_;
      while (cls_->pad[uc(*q)]) ++q;
      if (q >= end_ || *q == '\0') {
        p_ = end_;
        return false;
      }
      if (*q != '\n' && *q != '\r') return true;
      if (*q == '\r' && q[1] == '\n') ++q;
      p_ = q + 1;
      ++line_;
      line_start_ = p_;
    }
  }

  // The common cell, a plain integer of up to 7 digits followed by the delimiter (pixels, counts,
  // class ids), read in the same pass that finds its end, so its bytes are read once, not twice
  // (bench/README.md, W4). False, with the cursor unmoved, for anything else (a sign, padding, a quote, the last field
  // of a row), which next_field() then reads. Such integers are exact in a float, so the result
  // is the one next_field() and parse_number() would give.
  bool next_small_int(float& out) {
    const char* q = p_;
    std::uint32_t v = 0;
    for (unsigned digit; (digit = unsigned{uc(*q)} - '0') <= 9; ++q) v = v * 10 + digit;
    if (*q != delim_ || q == p_ || q - p_ > 7) return false;  // a digit delimiter never gets here
    out = static_cast<float>(v);
    p_ = q + 1;
    return true;
  }

  End next_field(Field& f) {
    const char* q = p_;
    while (cls_->pad[uc(*q)]) ++q;
    f.start = q;
    f.line = line_;
    f.line_start = line_start_;
    if (*q == '"') {
      q = read_quoted(q, f);
      while (cls_->pad[uc(*q)]) ++q;
      if (!cls_->stop[uc(*q)]) throw_stray(q);
    } else {
      const char* s = q;
      while (!cls_->stop[uc(*q)]) ++q;
      const char* e = q;
      while (e > s && cls_->pad[uc(e[-1])]) --e;
      f.text = std::string_view(s, static_cast<std::size_t>(e - s));
    }
    const char c = *q;
    if (c == delim_) {
      p_ = q + 1;
      return End::Delimiter;
    }
    stop_ = q;
    stop_line_ = line_;
    stop_line_start_ = line_start_;
    if (c == '\0') {
      p_ = end_;
      return End::File;
    }  // only ever at end_: the text is checked
    if (c == '\r' && q[1] == '\n') ++q;
    p_ = q + 1;
    ++line_;
    line_start_ = p_;
    return End::Row;
  }

  const char* pos() const { return p_; }
  std::size_t line() const { return line_; }
  // Where the last row ended (its CR/LF, or the end of the text), for "too few fields".
  std::string stop_prefix() const { return prefix(*path_, stop_line_, stop_line_start_, stop_); }

 private:
  const char* read_quoted(const char* open, Field& f) {
    const char* seg = open + 1;  // start of the text not yet copied
    const char* q = seg;
    bool escaped = false;  // saw "": the field lives in scratch_, not in the text
    for (;;) {
      const auto* r = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end_ - q)));
      if (!r) {
        throw Error(prefix(*path_, f.line, f.line_start, open) +
                    "this quoted field is never closed: add the closing '\"' (a '\"' inside a "
                    "quoted field is written '\"\"')");
      }
      count_lines(q, r);
      if (r[1] == '"') {  // r + 1 <= end_, and *end_ is NUL, so this read is safe
        if (!escaped) scratch_.clear();
        scratch_.append(seg, r + 1);
        seg = q = r + 2;
        escaped = true;
        continue;
      }
      if (escaped) {
        scratch_.append(seg, r);
        f.text = scratch_;
      } else {
        f.text = std::string_view(seg, static_cast<std::size_t>(r - seg));
      }
      return r + 1;
    }
  }

  // Newlines inside a quoted field still start new physical lines.
  void count_lines(const char* a, const char* b) {
    for (const char* c = a; c < b; ++c) {
      if (*c == '\n' || (*c == '\r' && c[1] != '\n')) {
        ++line_;
        line_start_ = c + 1;
      }
    }
  }

  [[noreturn]] void throw_stray(const char* q) const {
    std::size_t len = 1;  // show the whole character, not half of a UTF-8 sequence
    while (q + len < end_ && (uc(q[len]) & 0xC0) == 0x80) ++len;
    throw Error(prefix(*path_, line_, line_start_, q) + "unexpected " + in_quotes(std::string_view(q, len)) +
                " after the closing quote of a field: put the whole field in quotes, and write "
                "a '\"' inside it as '\"\"'");
  }

  const char* p_;
  const char* end_;
  const char* line_start_;
  std::size_t line_;
  const Classes* cls_;
  char delim_;
  const std::string* path_;
  std::string scratch_;
  const char* stop_ = nullptr;
  std::size_t stop_line_ = 0;
  const char* stop_line_start_ = nullptr;
};

// Where a row starts: what a Cursor needs to begin there.
struct Place {
  std::size_t offset;  // bytes into the text
  std::size_t line;    // 1-based
};

Cursor cursor_at(const Table& t, Place at, const Classes& cls) {
  return Cursor(std::string_view(t.source.get(), t.source_size), at.offset, at.line, cls, t.delimiter, t.path);
}

// Fields of one row re-scanned from its start: used to find a cell, or to count the fields.
struct RowScan {
  Cursor cur;
  RowScan(const Table& t, std::size_t row, const Classes& cls)
      : cur(cursor_at(t, {t.offset_of_row[row], t.line_of_row[row]}, cls)) {}
};

struct Cell {
  std::string where;
  std::string text;
};

// The cell's position and text, or an empty `where` when the row has no such field.
Cell cell_at(const Table& t, std::size_t row, std::size_t col) {
  if (!t.source || row >= t.offset_of_row.size() || row >= t.line_of_row.size() || t.offset_of_row[row] > t.source_size)
    return {};
  const Classes cls = make_classes(t.delimiter);
  RowScan scan(t, row, cls);
  Field f;
  for (std::size_t j = 0;; ++j) {
    const End e = scan.cur.next_field(f);
    if (j == col) return {prefix(t.path, f.line, f.line_start, f.start), std::string(f.text)};
    if (e != End::Delimiter) return {};
  }
}

// Throws the "row has N fields" error if data row `row` does not have `want` fields. Called when
// a row ended early, and before any error about a cell, since a missing or extra field explains
// the cell errors that follow from it.
void check_shape(const Table& t, std::size_t row, std::size_t want, const Classes& cls, const std::string& reference) {
  RowScan scan(t, row, cls);
  Field f;
  std::size_t n = 0;
  std::string extra;  // where the first field past `want` starts
  for (;;) {
    const End e = scan.cur.next_field(f);
    if (n == want) extra = prefix(t.path, f.line, f.line_start, f.start);
    ++n;
    if (e != End::Delimiter) break;
  }
  if (n == want) return;
  throw Error((n > want ? extra : scan.cur.stop_prefix()) + "row has " + std::to_string(n) +
              (n == 1 ? " field" : " fields") + " but " + reference + " has " + std::to_string(want) +
              ": give every row one value per column (a value "
              "containing the delimiter must be in double quotes)");
}

// Line breaks in [from, to), counted as lines are everywhere here: LF, CRLF and a lone CR each
// end one line. A NUL follows the text, so the byte after a CR can always be read.
std::size_t count_line_breaks(const char* from, const char* to) {
  const auto next = [to](const char* p, char c) {
    return static_cast<const char*>(std::memchr(p, c, static_cast<std::size_t>(to - p)));
  };
  std::size_t n = 0;
  for (const char* p = next(from, '\n'); p; p = next(p + 1, '\n')) ++n;
  for (const char* p = next(from, '\r'); p; p = next(p + 1, '\r')) n += p[1] != '\n';
  return n;
}

// ---------------------------------------------------------------------------------------------

// A HugeBuffer of `count` zero-valued T, held by a pointer to its first element, as Table holds
// its text and numbers.
template <class T>
std::shared_ptr<T> shared_huge(std::size_t count) {
  auto buffer = std::make_shared<HugeBuffer>(count * sizeof(T));
  return std::shared_ptr<T>(buffer, reinterpret_cast<T*>(buffer->data()));
}

// A large mapped file is read through a window, so that reading it holds about Options::window
// bytes of it in memory: the pages just ahead of the reader are mapped in one call
// (MADV_POPULATE_READ: one call rather than a fault per page) and those behind it are given back
// (MADV_DONTNEED: they stay in the page cache, and a later where() maps them again). Giving pages
// back costs time (on the benchmark's 133 MB file, reading took 0.31 s mapped whole and 0.6 s
// through a window), so a file of up to Options::window_above bytes (64 MB) is mapped whole;
// above it, the window keeps the file's text from doubling the memory its numbers take: `mlp
// train` on that 133 MB file peaked at 373 MB mapped whole, 243 MB through the window
// (scripts/soak.sh checks a larger one). Text in memory (parse(), a pipe) is left alone: window 0.
class Window {
 public:
  Window(const char* text, std::size_t size, std::size_t window) : text_(text), size_(size), window_(window) {
    page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    mapped_ = window > 0;
    window_ = mapped_ ? std::max(window_, page_) : std::max<std::size_t>(size_, 1);  // unwindowed: all at once
  }
  std::size_t size() const { return window_; }
  // The reader is at pos: keep the window around it.
  void reach(const char* pos) {
    if (!mapped_ || pos < trigger_) return;
    const auto at = static_cast<std::size_t>(pos - text_);
    const std::size_t behind = at / page_ * page_;
    if (behind > released_) {
      ::madvise(const_cast<char*>(text_) + released_, behind - released_, MADV_DONTNEED);
      released_ = behind;
    }
    const std::size_t ahead = std::min(size_, (at + window_ + page_ - 1) / page_ * page_);
    if (ahead > ahead_) {
#ifdef MADV_POPULATE_READ
      ::madvise(const_cast<char*>(text_) + ahead_, ahead - ahead_, MADV_POPULATE_READ);  // faults if unsupported
#endif
      ahead_ = ahead;
    }
    trigger_ = text_ + std::max(at + 1, ahead_ > window_ / 2 ? ahead_ - window_ / 2 : 0);
  }
  // Done: every page given back.
  void release_all() {
    if (mapped_ && size_ > released_) ::madvise(const_cast<char*>(text_) + released_, size_ - released_, MADV_DONTNEED);
    released_ = size_;
  }

 private:
  const char* text_;
  std::size_t size_, window_;
  bool mapped_;
  std::size_t page_ = 4096, released_ = 0, ahead_ = 0;
  const char* trigger_ = nullptr;
};

// A quote, a line break and NUL already mean something to the scanner, and a byte above 0x7F is
// part of a UTF-8 character.
void check_delimiter(char d) {
  if (d == '"' || d == '\r' || d == '\n' || d == '\0' || uc(d) >= 0x80) {
    throw Error(
        "the CSV delimiter cannot be a quote, a line break, NUL or a non-ASCII byte: use "
        "',' ';' '|' or a tab");
  }
}

// Where the text starts (past a UTF-8 byte order mark) and how many line breaks it holds, in one
// pass over the file. Throws for an empty or binary file, so that the scanner may take the first
// NUL for the end. The line breaks bound the rows (max_data_rows); counting them here rather than
// in a pass of their own saves a second sweep of a large file's window (bench/README.md, W4).
struct TextStart {
  std::size_t begin = 0;
  std::size_t line_breaks = 0;
};
TextStart start_of_text(std::string_view s, const std::string& path, std::size_t window_size) {
  if (s.empty()) throw Error(path + ": the file is empty");
  TextStart text;
  text.begin = s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // UTF-8 BOM
  Window window(s.data(), s.size(), window_size);
  for (std::size_t at = text.begin; at < s.size();) {  // a window at a time
    window.reach(s.data() + at);
    std::size_t next = at;
    const std::size_t bad = find_non_text(s, at, at + window.size(), next);
    if (bad != kNone) throw_not_text(path, s, text.begin, bad);
    text.line_breaks += count_line_breaks(s.data() + at, s.data() + next);
    at = next;
  }
  window.release_all();
  return text;
}

Place place_of(const Cursor& cur, const Table& t) {
  return {static_cast<std::size_t>(cur.pos() - t.source.get()), cur.line()};
}

// What the first non-blank row says before any column is made from it.
struct FirstRow {
  Place start;  // where it starts
  Place after;  // where the next row may start
  std::size_t fields = 0;
  bool any_number = false;  // a field parses as a number: the row is data, not a header
  bool all_empty = true;    // every field is empty
  std::string first_field;  // "FILE:LINE:COLUMN: " of its first field
};

FirstRow scan_first_row(const Table& t, std::size_t begin, const Classes& cls) {
  Cursor cur = cursor_at(t, {begin, 1}, cls);
  if (!cur.next_row()) throw Error(t.path + ": the file is empty (only blank lines)");
  FirstRow first;
  first.start = place_of(cur, t);
  Field f;
  for (;;) {
    const End e = cur.next_field(f);
    float v;
    // nan counts as a number: "nan,1" is data with a bad value, not a header.
    first.any_number = first.any_number || parse_number(f.text, v) != Num::NotNumber;
    if (first.fields == 0) first.first_field = prefix(t.path, f.line, f.line_start, f.start);
    first.all_empty = first.all_empty && f.text.empty();
    ++first.fields;
    if (e != End::Delimiter) break;
  }
  first.after = place_of(cur, t);
  return first;
}

// Makes the columns, named by the header or "column_1", "column_2"... without one. Returns what
// a ragged data row is compared with in its message.
std::string make_columns(Table& t, const FirstRow& first, const Classes& cls) {
  if (!t.had_header) {
    // Before a line of ten million commas has made ten million columns.
    if (first.all_empty && first.fields > 1)
      throw Error(first.first_field + "the first row has " + std::to_string(first.fields) +
                  " fields and all are empty: a file without a header starts with a row of data");
    t.columns.resize(first.fields);
    for (std::size_t j = 0; j < first.fields; ++j) t.columns[j].name = "column_" + std::to_string(j + 1);
    return "the first row (line " + std::to_string(first.start.line) + ")";
  }
  // Names come from a second pass over the row, each checked before its column is made, so
  // a first line of garbage fails at once instead of first building a million columns.
  Cursor names = cursor_at(t, first.start, cls);
  Field f;
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t j = 0; j < first.fields; ++j) {
    names.next_field(f);
    if (f.text.empty()) {
      throw Error(prefix(t.path, f.line, f.line_start, f.start) + "the header has no name for column " +
                  std::to_string(j + 1) + ": name every column (or pass the option for a file without a header)");
    }
    auto [it, fresh] = seen.emplace(f.text, j);
    if (!fresh) {
      throw Error(prefix(t.path, f.line, f.line_start, f.start) + "the header names " + in_quotes(f.text) +
                  " twice (columns " + std::to_string(it->second + 1) + " and " + std::to_string(j + 1) +
                  "): give each column its own name");
    }
    t.columns.emplace_back();
    t.columns.back().name = std::string(f.text);
  }
  return "the header";
}

// The numbers go to one block of max_rows rows of ncols floats, sized once for the most rows
// the rest of the text can hold. A data row has ncols - 1 delimiters, and all but the last end
// in a line break, so row r starts at least r line breaks and r * ncols bytes into the data (its
// fields may all be empty: missing values). Pages past the last row are never touched, so the
// bound costs nothing but address space. `line_breaks`: those of the whole text (start_of_text).
std::size_t max_data_rows(const Table& t, Place data, std::size_t ncols, std::size_t line_breaks) {
  const auto data_bytes = t.source_size - data.offset;
  return 1 + std::min(line_breaks, data_bytes / ncols);
}

// Reads every data row into t: a column's numbers into numbers[r * ncols + j], or its text
// once a cell is not a number. The common path per cell: scan and parse in one go, store; no
// string, no position. Returns, per column, the first row with nan, inf or an overflow, or kNone.
std::vector<std::size_t> read_data_rows(Table& t, Place data, float* numbers, std::size_t max_rows, const Classes& cls,
                                        const std::string& reference, std::size_t window_size) {
  const std::size_t ncols = t.columns.size();
  if (max_rows > 64) {  // below that, growing is cheap
    t.line_of_row.reserve(max_rows);
    t.offset_of_row.reserve(max_rows);
  }
  Cursor cur = cursor_at(t, data, cls);
  Field f;
  std::vector<char> numeric(ncols, 1);  // (ncols) Column::numeric, packed for the loop below
  std::vector<std::size_t> non_finite(ncols, kNone);
  Window window(t.source.get(), t.source_size, window_size);
  while (cur.next_row()) {
    window.reach(cur.pos());
    const std::size_t r = t.rows;
    if (r == max_rows)  // max_data_rows is a bound: never reached, and never written past
      throw Error(t.path + ": internal error: more rows than the bound of " + std::to_string(max_rows));
    t.line_of_row.push_back(cur.line());
    t.offset_of_row.push_back(static_cast<std::size_t>(cur.pos() - t.source.get()));
    float* const out = numbers + r * ncols;  // this row's numbers: column j's at out[j]
    std::size_t j = 0;
    for (;; ++j) {
      if (j < ncols && numeric[j] && cur.next_small_int(out[j])) continue;
      const End e = cur.next_field(f);
      if (j < ncols) {
        Column& c = t.columns[j];
        if (numeric[j] && is_missing(f.text)) {  // NaN in its place; the caller decides what it means
          out[j] = std::numeric_limits<float>::quiet_NaN();
          if (c.missing++ == 0) c.first_missing_row = r;
        } else if (numeric[j]) {
          const Num kind = parse_number(f.text, out[j]);
          if (kind == Num::NotNumber) {
            // Text after all. Earlier cells' text is recovered from the file after the loop,
            // so the all-numeric path never makes a string.
            numeric[j] = 0;
            c.numeric = false;
            c.first_text_row = r;
            c.text.resize(r);
            c.text.emplace_back(f.text);
          } else if (kind != Num::Finite) {
            // nan/inf is an error only if the column stays numeric: in a text column it is text.
            if (non_finite[j] == kNone) non_finite[j] = r;
            out[j] = 0.0f;
          }
        } else {
          c.text.emplace_back(f.text);
        }
      }
      if (e != End::Delimiter) break;
    }
    if (j + 1 != ncols) check_shape(t, r, ncols, cls, reference);
    ++t.rows;
  }
  window.release_all();
  return non_finite;
}

// nan/inf/overflow in a column that stayed numeric: reports the first in file order.
void check_finite(const Table& t, const std::vector<std::size_t>& non_finite) {
  std::size_t bad_row = kNone, bad_col = kNone;
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    if (t.columns[j].numeric && non_finite[j] < bad_row) {
      bad_row = non_finite[j];
      bad_col = j;
    }
  }
  if (bad_row == kNone) return;
  const Cell cell = cell_at(t, bad_row, bad_col);
  float v;
  const bool too_large = parse_number(cell.text, v) == Num::TooLarge;
  throw Error(cell.where + "column '" + t.columns[bad_col].name + "' has " +
              (too_large ? "a value too large for a 32-bit float " : "a non-finite value ") + in_quotes(cell.text) +
              " (mlp needs finite numbers: " + (too_large ? "fix" : "fill") + " or drop this row)");
}

// Text columns that started out looking numeric: fetches their first cells' text as written
// ("1" stays "1"), in one re-scan of the rows before the latest switch.
void recover_early_text(Table& t, const Classes& cls) {
  std::size_t need_rows = 0, last_col = 0;
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    if (!t.columns[j].numeric && t.columns[j].first_text_row > 0) {
      need_rows = std::max(need_rows, t.columns[j].first_text_row);
      last_col = j;
    }
  }
  Field f;
  for (std::size_t r = 0; r < need_rows; ++r) {
    RowScan scan(t, r, cls);
    for (std::size_t j = 0; j <= last_col; ++j) {
      scan.cur.next_field(f);
      Column& c = t.columns[j];
      if (!c.numeric && r < c.first_text_row) c.text[r] = std::string(f.text);
    }
  }
}

// `source` holds `size` bytes of text and then a NUL.
// `window`: for a large file's mapping, read through a Window of that many bytes; 0 otherwise.
Table parse_source(std::shared_ptr<const char> source, std::size_t size, const std::string& path,
                   const Options& options, std::size_t window = 0) {
  check_delimiter(options.delimiter);
  const TextStart text = start_of_text(std::string_view(source.get(), size), path, window);
  const std::size_t begin = text.begin;
  Table t;
  t.path = path;
  t.source = source;
  t.source_size = size;
  t.delimiter = options.delimiter;
  const Classes cls = make_classes(t.delimiter);

  const FirstRow first = scan_first_row(t, begin, cls);
  t.had_header = options.header == HeaderMode::Yes || (options.header == HeaderMode::Auto && !first.any_number);
  const std::string reference = make_columns(t, first, cls);

  const Place data = t.had_header ? first.after : first.start;
  const std::size_t ncols = t.columns.size();
  const std::size_t max_rows = max_data_rows(t, data, ncols, text.line_breaks);
  std::shared_ptr<float> numbers = shared_huge<float>(max_rows * ncols);
  t.numbers = numbers;
  const std::vector<std::size_t> non_finite = read_data_rows(t, data, numbers.get(), max_rows, cls, reference, window);
  if (t.rows == 0) {
    throw Error(path + ": the file has a header (line " + std::to_string(first.start.line) +
                ") but no data rows: add rows of values below it");
  }
  check_finite(t, non_finite);
  recover_early_text(t, cls);
  for (std::size_t j = 0; j < ncols; ++j) {
    Column& c = t.columns[j];
    if (c.numeric) {
      c.values = {numbers.get() + j, t.rows, ncols};
      continue;
    }
    c.missing = 0;  // counted again over the text: the numeric cells before it turned text counted only some
    for (std::size_t r = 0; r < t.rows; ++r)
      if (is_missing(c.text[r]) && c.missing++ == 0) c.first_missing_row = r;
  }
  return t;
}

// The text of a regular file of `size` > 0 bytes, mapped rather than copied: its pages are
// already in memory (the page cache), where a copy needs as much fresh memory as the file is
// large, and fresh memory is slow to come where the host backs it on demand (bench/README.md,
// W4).
// A page of zeros is mapped after the file, so a NUL follows the text even if another program
// appends to the file meanwhile. Null if the file cannot be mapped.
// The price of mapping: a file cut short by another program while this Table still reads it
// (during read(), or in a later where()) ends the program with SIGBUS.
std::shared_ptr<const char> map_file(int fd, std::size_t size, bool whole) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t span = (size + page - 1) / page * page + page;
  void* region = ::mmap(nullptr, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return nullptr;
  std::shared_ptr<const char> text(static_cast<const char*>(region),
                                   [span](const char* p) { ::munmap(const_cast<char*>(p), span); });
#ifdef MAP_POPULATE
  const int populate = whole ? MAP_POPULATE : 0;  // all page-table entries in one call, not a fault per page
#else
  const int populate = 0;
#endif
  // Not populated when read through a Window: parse_source maps the pages in as it reads.
  if (::mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | populate, fd, 0) == MAP_FAILED) return nullptr;
  return text;
}

}  // namespace

bool is_missing(std::string_view s) {
  if (s.empty()) return true;
  switch (s[0]) {  // most cells are numbers: one comparison sends them on
    case 'N':
      return s == "NA" || s == "N/A" || s == "NaN" || s == "NULL";
    case 'n':
      return s == "n/a" || s == "nan" || s == "null";
    case '-':
      return s == "-nan" || s == "-NaN";
    case '#':
      return s == "#N/A" || s == "#NA";
    case '<':
      return s == "<NA>";
    case '?':
      return s.size() == 1;
    default:
      return false;
  }
}

bool is_number(std::string_view cell) {
  float v;
  return parse_number(cell, v) == Num::Finite;
}

bool Column::is_missing(std::size_t row) const {
  if (missing == 0) return false;
  return numeric ? std::isnan(values[row]) : csv::is_missing(text[row]);
}

std::string Table::cell(std::size_t row, std::size_t col) const { return cell_at(*this, row, col).text; }

std::ptrdiff_t Table::find(const std::string& name_or_index) const {
  for (std::size_t j = 0; j < columns.size(); ++j)
    if (columns[j].name == name_or_index) return static_cast<std::ptrdiff_t>(j);
  std::size_t index = 0;
  const char* b = name_or_index.data();
  const char* e = b + name_or_index.size();
  auto [ptr, ec] = std::from_chars(b, e, index);
  if (b == e || ptr != e || ec != std::errc() || index >= columns.size()) return -1;
  return static_cast<std::ptrdiff_t>(index);
}

void Table::release_rows(std::size_t first, std::size_t last) const {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  last = std::min(last, rows);
  if (first >= last || !numbers) return;
  // The whole pages inside the rows' numbers (one range: rows are stored one after another); a
  // page shared with a row still needed is kept.
  const float* base = numbers.get();
  const auto from = (reinterpret_cast<std::uintptr_t>(base + first * columns.size()) + page - 1) / page * page;
  const auto to = reinterpret_cast<std::uintptr_t>(base + last * columns.size()) / page * page;
  if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

std::string Table::where(std::size_t row, std::size_t col) const {
  try {
    Cell cell = cell_at(*this, row, col);
    if (!cell.where.empty()) return cell.where;
  } catch (const Error&) {
    // Only a Table edited by hand can fail to re-scan; a plain prefix still names the file.
  }
  return path + ": ";
}

Table parse(const std::string& text, const std::string& path_for_messages, const Options& options) {
  std::shared_ptr<char> copy = shared_huge<char>(text.size() + 1);  // zeroed: ends in a NUL
  std::memcpy(copy.get(), text.data(), text.size());
  return parse_source(std::move(copy), text.size(), path_for_messages, options);
}

Table read(const std::string& path, const Options& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    const bool whole = size <= options.window_above || options.window == 0;
    if (std::shared_ptr<const char> text = map_file(fd, size, whole))
      return parse_source(std::move(text), size, path, options, whole ? 0 : options.window);
  }
  // Pipes and the like, and files that cannot be mapped: read into a buffer that grows as it
  // goes. It is zeroed, and always kept at least one byte longer than the text: a NUL follows.
  std::size_t capacity = regular ? static_cast<std::size_t>(st.st_size) + 1 : 0, used = 0;
  capacity = std::max<std::size_t>(capacity, 65536);
  std::shared_ptr<char> text = shared_huge<char>(capacity);
  for (;;) {
    if (used + 1 == capacity) {
      std::shared_ptr<char> bigger = shared_huge<char>(2 * capacity);
      std::memcpy(bigger.get(), text.get(), used);
      text = std::move(bigger);
      capacity *= 2;
    }
    const ::ssize_t got = ::read(fd, text.get() + used, capacity - 1 - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  return parse_source(std::move(text), used, path, options);
}

}  // namespace mlp::csv
