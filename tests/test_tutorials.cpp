// The tutorials in docs/tutorials/ quote what mlp prints. This file runs every command a tutorial
// shows and holds each number the page quotes, in its output blocks and in its prose, to the real
// output within the tolerance the page states, so a page cannot rot. The convention it reads is
// written down for authors in docs/tutorials/README.md ("How the pages are checked").
#include "cli_util.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace cli;

namespace {

// ---- Numbers in a line -------------------------------------------------------------------------

struct Token {
  bool number = false;
  bool wildcard = false;  // "…" in a shown line: any one number (a time, which differs run to run)
  bool percent = false;   // written with '%'; value is then the fraction (59% = 0.59)
  bool quoted = false;    // written with a decimal point, an exponent or '%': a measurement, in prose
  std::string text;       // as written
  double value = 0;       // NaN for nan, ±infinity for inf
  double ulp = 0;         // a unit in the last digit written: 0.0001 for 0.0380, 1e-07 for 6.53e-05,
                          // 0.01 for 59%; 0 for an integer (a count, an epoch)
};

const std::string kEllipsis = "\xE2\x80\xA6";  // U+2026 "…"

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Trimmed, every run of white space one space: column alignment may shift with a number's width.
std::string squash(const std::string& line) {
  std::string out;
  for (char c : line) {
    const bool space = c == ' ' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A line as words and numbers. A number starts with a digit (or a sign before one) that does not
// continue a word ("dense_1" and "x1" are words); it may have a fraction, an exponent and a '%'.
// nan and inf are numbers too, with or without a sign ("-nan" is how glibc prints some NaNs).
// A typographic minus (U+2212) is a sign.
std::vector<Token> tokenize(const std::string& raw) {
  std::string line = squash(raw);
  // Prose writes a minus as U+2212 (−1.851), as typography wants; mlp prints '-'.
  for (std::size_t at; (at = line.find("\u2212")) != std::string::npos;) line.replace(at, 3, "-");
  std::vector<Token> tokens;
  std::string words;
  auto flush = [&] {
    if (!words.empty()) tokens.push_back(Token{false, false, false, false, words, 0});
    words.clear();
  };
  const std::size_t n = line.size();
  std::size_t i = 0;
  while (i < n) {
    const char before = i > 0 ? line[i - 1] : ' ';
    if (line.compare(i, kEllipsis.size(), kEllipsis) == 0) {
      flush();
      tokens.push_back(Token{true, true, false, false, kEllipsis, 0});
      i += kEllipsis.size();
      continue;
    }
    const bool starts_free = !word_char(before) && before != '.';
    std::size_t k = i;
    if ((line[k] == '-' || line[k] == '+') && starts_free && k + 1 < n) ++k;
    const bool at_start = k == i ? starts_free : true;
    auto word_at = [&](const char* w) {
      const std::size_t len = std::char_traits<char>::length(w);
      return line.compare(k, len, w) == 0 && (k + len >= n || !word_char(line[k + len]));
    };
    if (at_start && (word_at("nan") || word_at("inf"))) {
      flush();
      const bool nan = word_at("nan");
      const double v = nan ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      tokens.push_back(Token{true, false, false, false, line.substr(i, k + 3 - i), line[i] == '-' && !nan ? -v : v});
      i = k + 3;
      continue;
    }
    if (!at_start || k >= n || !digit(line[k])) {
      words += line[i++];
      continue;
    }
    std::size_t j = k;
    bool quoted = false;
    int decimals = 0, exponent = 0;
    while (j < n && digit(line[j])) ++j;
    if (j + 1 < n && line[j] == '.' && digit(line[j + 1])) {
      quoted = true;
      for (++j; j < n && digit(line[j]); ++j) ++decimals;
    }
    if (j + 1 < n && (line[j] == 'e' || line[j] == 'E')) {
      const std::size_t sign = j + 1;  // the exponent with its sign: "-06"
      std::size_t e = sign;
      if (e < n && (line[e] == '-' || line[e] == '+')) ++e;
      if (e < n && digit(line[e])) {
        quoted = true;
        for (j = e; j < n && digit(line[j]);) ++j;
        exponent = std::atoi(line.substr(sign, j - sign).c_str());
      }
    }
    Token t{true, false, false, quoted, line.substr(i, j - i), std::strtod(line.substr(i, j - i).c_str(), nullptr)};
    t.ulp = quoted ? std::pow(10.0, exponent - decimals) : 0;
    if (j < n && line[j] == '%') {
      t.percent = t.quoted = true;
      t.value /= 100;
      t.ulp = std::pow(10.0, -decimals) / 100;
      t.text += '%';
      ++j;
    }
    flush();
    tokens.push_back(t);
    i = j;
  }
  flush();
  return tokens;
}

// ---- Tolerance ---------------------------------------------------------------------------------

// A shown number passes when |got - shown| <= max(rel * |shown|, last * ulp): within the relative
// tolerance, or within `last` units of the last digit the page shows, for numbers near 0 (a mean
// activation of -0.012, an R² of 0.0472) and for a value that rounds the other way. An integer (a
// count, an epoch, a gradient printed as exactly 0) has no digit after the point to give: a shown
// 0 must be 0. Percentages compare as fractions.
struct Tolerance {
  double rel = 0;
  int last = 0;
  std::string text() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "±%g%% (relative) or ±%d in the last digit shown", rel * 100, last);
    return buf;
  }
};

bool close(const Token& shown, const Token& got, const Tolerance& tol) {
  if (!got.number || got.wildcard) return false;
  if (shown.wildcard) return true;
  if (std::isnan(shown.value) || std::isnan(got.value)) return std::isnan(shown.value) && std::isnan(got.value);
  if (std::isinf(shown.value) || std::isinf(got.value)) return shown.value == got.value;
  const double allowed = std::max(tol.rel * std::fabs(shown.value), tol.last * shown.ulp);
  // The 1e-9 absorbs the binary rounding of decimals: 0.60 - 0.59 is 0.010000000000000009.
  return std::fabs(got.value - shown.value) <= allowed * (1 + 1e-9) + 1e-300;
}

// A number the prose quotes must be one an output shows, rounded as the prose writes it: 44% or
// 0.44 for 0.4375, 0.9 for 0.9000, 3.8e-03 for 3.77e-03. No tolerance on top: the shown number is
// held to the real one already, and the prose must not drift from what the page shows.
bool quotes(const Token& prose, const Token& shown) {
  if (std::isnan(prose.value) || std::isinf(prose.value) || std::isnan(shown.value) || std::isinf(shown.value))
    return false;
  return std::fabs(prose.value - shown.value) <= prose.ulp / 2 * (1 + 1e-9);
}

// The same words between the same count of numbers.
bool same_words(const std::vector<Token>& shown, const std::vector<Token>& got) {
  if (shown.size() != got.size()) return false;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (shown[i].number != got[i].number) return false;
    if (!shown[i].number && shown[i].text != got[i].text) return false;
    if (shown[i].number && !shown[i].wildcard && shown[i].percent != got[i].percent) return false;
  }
  return true;
}

bool line_matches(const std::string& shown, const std::string& got, const Tolerance& tol) {
  const auto s = tokenize(shown), g = tokenize(got);
  if (!same_words(s, g)) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i].number && !close(s[i], g[i], tol)) return false;
  return true;
}

// "0.4375 vs 0.45, 59% vs 66%": the numbers of a line with the right words that are out of tolerance.
std::string differences(const std::string& shown, const std::string& got, const Tolerance& tol) {
  const auto s = tokenize(shown), g = tokenize(got);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i].number && !close(s[i], g[i], tol)) out += (out.empty() ? "" : ", ") + s[i].text + " vs " + g[i].text;
  return out;
}

// ---- A page ------------------------------------------------------------------------------------

struct Shown {
  int line = 0;      // 1-based, in the Markdown
  std::string args;  // what follows "$ mlp "
  std::vector<std::pair<int, std::string>> output;
};

struct Page {
  std::string name;
  std::optional<Tolerance> tolerance;
  std::vector<Shown> commands;
  std::vector<std::pair<int, std::string>> prose;   // every line outside ```console blocks
  std::vector<std::pair<int, std::string>> images;  // targets of ![...](...)
  std::vector<std::string> problems;
};

std::string at(const Page& p, int line) { return p.name + ":" + std::to_string(line) + ": "; }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The visible line that states a page's tolerance, e.g. "... within ±1% (relative) or ±1 in the last
// digit shown ...".
const std::regex kToleranceLine(R"(within ±([0-9]+(?:\.[0-9]+)?)% \(relative\) )"
                                R"(or ±([0-9]+) in the last digit shown)");
const std::regex kImage(R"(!\[[^\]]*\]\(([^)\s]+)\))");

Page parse(const std::string& markdown, const std::string& name) {
  Page p;
  p.name = name;
  const auto all = lines(markdown);
  enum { Prose, Console, OtherFence } state = Prose;
  bool block_has_command = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string line = all[i];
    const std::string t = trim(line);
    if (state == Prose && starts_with(t, "```")) {
      state = t == "```console" ? Console : OtherFence;
      block_has_command = false;
      if (state == OtherFence) p.prose.emplace_back(number, line);
      continue;
    }
    if (state != Prose && t == "```") {
      state = Prose;
      continue;
    }
    if (state == Console) {
      if (starts_with(t, "$ ")) {
        std::string command = t.substr(2);
        while (!command.empty() && command.back() == '\\' && i + 1 < all.size())
          command = trim(command.substr(0, command.size() - 1)) + " " + trim(all[++i]);
        block_has_command = true;
        if (!starts_with(command, "mlp "))
          p.problems.push_back(at(p, number) + "only mlp commands can be checked: `" + command + "`");
        else
          p.commands.push_back(Shown{number, command.substr(4), {}});
      } else if (!block_has_command || p.commands.empty()) {
        p.problems.push_back(at(p, number) + "output shown before any `$ mlp` command in a console block");
      } else if (!t.empty()) {
        p.commands.back().output.emplace_back(number, line);
      }
      continue;
    }
    p.prose.emplace_back(number, line);
    std::smatch m;
    if (std::regex_search(line, m, kToleranceLine)) {
      if (p.tolerance) p.problems.push_back(at(p, number) + "a second tolerance line: state it once per page");
      p.tolerance = Tolerance{std::stod(m[1]) / 100, std::stoi(m[2])};
    }
    for (auto it = std::sregex_iterator(line.begin(), line.end(), kImage); it != std::sregex_iterator(); ++it)
      p.images.emplace_back(number, (*it)[1]);
  }
  if (state != Prose) p.problems.push_back(p.name + ": a fenced block is not closed");
  if (!p.tolerance)
    p.problems.push_back(
        p.name + ": no tolerance line: say \"... within ±1% (relative) or ±1 in the last digit shown ...\" once");
  if (p.commands.empty()) p.problems.push_back(p.name + ": no ```console block with a `$ mlp ...` command");
  return p;
}

// What a reader sees of a prose line, less what they type: HTML comments are not shown, link
// targets are addresses, the tolerance is not a measurement, and inline code that is an option or a
// command (`--lr 0.05`, `mlp ...`) is an input to try. Inline code that is only a number is checked.
std::string visible_measurements(const std::string& line) {
  static const std::regex comment(R"(<!--.*?-->)"), target(R"(\]\([^)]*\))"), code("`([^`]*)`");
  std::string s = std::regex_replace(std::regex_replace(line, kToleranceLine, " "), comment, " ");
  s = std::regex_replace(s, target, "]");
  std::string out;
  auto last = s.cbegin();
  for (auto it = std::sregex_iterator(s.begin(), s.end(), code); it != std::sregex_iterator(); ++it) {
    const std::string inside = (*it)[1];
    out.append(last, s.cbegin() + it->position());
    const bool option = inside.size() > 1 && inside[0] == '-' && !digit(inside[1]) && inside[1] != '.';
    out += option || starts_with(inside, "mlp ") ? " " : " " + inside + " ";
    last = s.cbegin() + it->position() + it->length();
  }
  out.append(last, s.cend());
  return out;
}

// Every number the prose quotes as a measurement (decimal point, exponent or %) must be one that
// an output block of the page shows (see quotes()), or an argument of one of its commands (a
// learning rate of 0.2).
void check_prose(Page& p) {
  if (!p.tolerance) return;
  std::vector<Token> shown, typed;
  for (const auto& c : p.commands) {
    for (const auto& t : tokenize(c.args))
      if (t.number) typed.push_back(t);
    for (const auto& [n, line] : c.output)
      for (const auto& t : tokenize(line))
        if (t.number && !t.wildcard) shown.push_back(t);
  }
  for (const auto& [n, line] : p.prose) {
    for (const auto& t : tokenize(visible_measurements(line))) {
      if (!t.number || !t.quoted) continue;
      const bool is_shown = std::any_of(shown.begin(), shown.end(), [&](const Token& s) { return quotes(t, s); });
      const bool is_typed = std::any_of(typed.begin(), typed.end(), [&](const Token& s) { return s.text == t.text; });
      if (!is_shown && !is_typed)
        p.problems.push_back(at(p, n) + "the text quotes " + t.text +
                             ", which no output on this page shows (rounded as the text writes it): "
                             "show the output that prints it, or do not quote it");
    }
  }
}

// ---- Running a page ----------------------------------------------------------------------------

struct Stream {
  std::vector<std::string> lines;
  std::size_t next = 0;  // the first line not yet passed
  std::size_t nonblank(std::size_t from) const {
    while (from < lines.size() && trim(lines[from]).empty()) ++from;
    return from;
  }
};

std::string excerpt(const std::string& text) {
  const auto all = lines(text);
  std::string out;
  for (std::size_t i = 0; i < all.size() && i < 40; ++i) out += "\n    | " + all[i];
  if (all.size() > 40) out += "\n    | (" + std::to_string(all.size() - 40) + " more lines)";
  return out;
}

// The shown lines must appear in the output in order, each in stdout or stderr (which a terminal
// interleaves): right after the line matched before it in that stream, or, after a line "...",
// anywhere further on. Blank lines are not compared.
void check_output(Page& p, const Shown& c, const Run& r) {
  Stream streams[2] = {{lines(r.out)}, {lines(r.err)}};
  const Tolerance tol = *p.tolerance;
  bool skip = false;
  for (const auto& [n, shown] : c.output) {
    if (trim(shown) == "...") {
      skip = true;
      continue;
    }
    bool found = false;
    for (auto& s : streams) {
      for (std::size_t i = s.nonblank(s.next); i < s.lines.size() && !found;
           i = skip ? s.nonblank(i + 1) : s.lines.size())
        if (line_matches(shown, s.lines[i], tol)) {
          s.next = i + 1;
          found = true;
        }
      if (found) break;
    }
    if (found) {
      skip = false;
      continue;
    }
    // Say why: the line is elsewhere (a missing "..."), or has other numbers (shown against the
    // line with the same words that differs in the fewest), or is not there at all.
    std::string why;
    std::size_t fewest = std::numeric_limits<std::size_t>::max();
    for (const auto& s : streams)
      for (const auto& got : s.lines) {
        if (line_matches(shown, got, tol)) {
          why = "mlp prints it, but not right after the line shown before it: put a line `...` between them";
          fewest = 0;
        } else if (same_words(tokenize(shown), tokenize(got))) {
          const std::string diff = differences(shown, got, tol);
          const auto count = static_cast<std::size_t>(std::count(diff.begin(), diff.end(), ',')) + 1;
          if (count >= fewest) continue;
          fewest = count;
          why = "mlp printed `" + trim(got) + "`: " + diff + " (tolerance " + tol.text() + ")";
        }
      }
    if (why.empty())
      why = "no line of the output reads so; stdout was:" + excerpt(r.out) + "\n  stderr:" + excerpt(r.err);
    p.problems.push_back(at(p, n) + "`" + trim(shown) + "`: " + why);
    skip = true;  // look for the next shown lines anywhere further on
  }
}

std::vector<std::string> words_of(const std::string& args) {
  std::vector<std::string> w;
  std::istringstream in(args);
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

bool is_svg(const fs::path& file) {
  const std::string head = read_text(file.string()).substr(0, 64);
  return starts_with(head, "<?xml") || starts_with(head, "<svg");
}

// Runs every command of the page in `dir` (where datasets/ and docs/tutorials/img/ resolve) and
// checks its exit status, the output it shows and the pictures it writes.
void run_page(Page& p, const fs::path& dir) {
  if (!p.tolerance) return;
  std::set<std::string> pictures;
  for (const auto& c : p.commands) {
    const Run r = run_mlp(c.args, dir.string());
    const bool shows_error = std::any_of(c.output.begin(), c.output.end(),
                                         [](const auto& l) { return starts_with(trim(l.second), "mlp: error:"); });
    if (shows_error ? (r.status == 0 || r.status >= 128) : r.status != 0)
      p.problems.push_back(at(p, c.line) + "`mlp " + c.args + "` exited with status " + std::to_string(r.status) +
                           (shows_error ? " although the page shows it failing" : "") + "; stderr:" + excerpt(r.err));
    check_output(p, c, r);
    // Pictures: `-o`, `--output` or `--svg` naming an .svg file must leave an SVG there.
    const auto w = words_of(c.args);
    bool wrote = false;
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
      if ((w[i] != "-o" && w[i] != "--output" && w[i] != "--svg") || fs::path(w[i + 1]).extension() != ".svg") continue;
      wrote = true;
      if (!fs::exists(dir / w[i + 1]) || !is_svg(dir / w[i + 1]))
        p.problems.push_back(at(p, c.line) + "`mlp " + c.args + "` did not write an SVG file to " + w[i + 1]);
      else
        pictures.insert(fs::path(w[i + 1]).lexically_normal().string());
    }
    if (!w.empty() && w[0] == "plot" && !wrote)
      p.problems.push_back(at(p, c.line) + "a plot command must write its picture with -o FILE.svg");
  }
  for (const auto& [n, target] : p.images) {
    const std::string path = (fs::path("docs/tutorials") / target).lexically_normal().string();
    if (!pictures.count(path))
      p.problems.push_back(at(p, n) + "the picture " + target + " is not written by any command on this page (" + path +
                           " from the repository root)");
  }
}

// A temporary directory laid out like the repository root for the commands of a page:
// datasets/ is the source tree's, docs/tutorials/img/ a fresh directory the pictures go to.
struct PageDir : TempDir {
  PageDir() {
    fs::create_symlink(fs::path(MLP_SOURCE_DIR) / "datasets", path / "datasets");
    fs::create_directories(path / "docs" / "tutorials" / "img");
  }
};

std::vector<std::string> check_page(const std::string& markdown, const std::string& name) {
  Page p = parse(markdown, name);
  check_prose(p);
  PageDir dir;
  run_page(p, dir.path);
  return p.problems;
}

const fs::path kTutorials = fs::path(MLP_SOURCE_DIR) / "docs" / "tutorials";

void check_tutorial(const std::string& file) {
  const fs::path path = kTutorials / file;
  REQUIRE_MESSAGE(fs::exists(path), path.string());
  for (const auto& problem : check_page(read_text(path.string()), "docs/tutorials/" + file)) FAIL_CHECK(problem);
}

// The pages, one test case each below; the last test case checks that this list is complete.
const std::vector<std::string> kPages = {
    "01-xor-needs-a-nonlinearity.md", "02-dying-relu.md", "03-vanishing-gradients.md",    "04-exploding-gradients.md",
    "05-choosing-an-activation.md",   "06-born-dead.md",  "07-seeing-a-network-learn.md",
};

// A small page about `mlp activations`, whose numbers are exact, for testing the checker itself.
const std::string kGoodPage = R"(# A page
Checked within ±1% (relative) or ±1 in the last digit shown.

```console
$ mlp activations relu,elu:0.5 --at -1000,0,0.5 --csv
activation,x,f,df
relu,-1000,0,0
...
elu:0.5,-1000,-0.5,0
```

At 0.5 relu passes the input on, and `--at 0.25` would show more; elu saturates at -0.5, 50% of 1.
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

bool mentions(const std::vector<std::string>& problems, const std::string& part) {
  return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return contains(p, part); });
}

std::string joined(const std::vector<std::string>& problems) {
  std::string s;
  for (const auto& p : problems) s += p + "\n";
  return s;
}

}  // namespace

TEST_CASE("tutorial 01-xor-needs-a-nonlinearity: every command runs and every quoted number matches") {
  check_tutorial("01-xor-needs-a-nonlinearity.md");
}
TEST_CASE("tutorial 02-dying-relu: every command runs and every quoted number matches") {
  check_tutorial("02-dying-relu.md");
}
TEST_CASE("tutorial 03-vanishing-gradients: every command runs and every quoted number matches") {
  check_tutorial("03-vanishing-gradients.md");
}
TEST_CASE("tutorial 04-exploding-gradients: every command runs and every quoted number matches") {
  check_tutorial("04-exploding-gradients.md");
}
TEST_CASE("tutorial 05-choosing-an-activation: every command runs and every quoted number matches") {
  check_tutorial("05-choosing-an-activation.md");
}
TEST_CASE("tutorial 06-born-dead: every command runs and every quoted number matches") {
  check_tutorial("06-born-dead.md");
}
TEST_CASE("tutorial 07-seeing-a-network-learn: every command runs and every quoted number matches") {
  check_tutorial("07-seeing-a-network-learn.md");
}

TEST_CASE("tutorial pages: every NN-name.md has a test case above and a link from the index") {
  std::set<std::string> found;
  for (const auto& e : fs::directory_iterator(kTutorials)) {
    const std::string f = e.path().filename().string();
    if (f.size() > 3 && digit(f[0]) && digit(f[1]) && f[2] == '-' && e.path().extension() == ".md") found.insert(f);
  }
  CHECK(found == std::set<std::string>(kPages.begin(), kPages.end()));
  const std::string index = read_text((kTutorials / "README.md").string());
  for (const auto& f : kPages) CHECK_MESSAGE(contains(index, "(" + f + ")"), "docs/tutorials/README.md links ", f);
}

TEST_CASE("tutorial harness: a correct page passes and the tokenizer reads numbers as a reader does") {
  const auto problems = check_page(kGoodPage, "good.md");
  CHECK_MESSAGE(problems.empty(), joined(problems));

  const auto t = tokenize("dense_1 (Dense)  x1 -0.5 59% 6.65e-06 -> 0.088 -nan inf 8:relu …s");
  std::vector<std::string> numbers;
  for (const auto& k : t)
    if (k.number) numbers.push_back(k.text);
  CHECK(numbers == std::vector<std::string>{"-0.5", "59%", "6.65e-06", "0.088", "-nan", "inf", "8", kEllipsis});
  std::vector<double> ulps;
  for (const auto& k : tokenize("0.0380 6.53e-05 59% 3.2% 445"))
    if (k.number) ulps.push_back(k.ulp);
  REQUIRE(ulps.size() == 5);
  CHECK(ulps[0] == doctest::Approx(1e-4));
  CHECK(ulps[1] == doctest::Approx(1e-7));
  CHECK(ulps[2] == doctest::Approx(0.01));
  CHECK(ulps[3] == doctest::Approx(0.001));
  CHECK(ulps[4] == 0);

  const Tolerance tol{0.01, 1};  // ±1% or ±1 in the last digit
  CHECK(line_matches("accuracy: 0.4375 (35 of 80)", "accuracy:   0.4400 (35 of 80)", tol));  // spaces squashed
  CHECK_FALSE(line_matches("accuracy: 0.4375 (35 of 80)", "accuracy: 0.4500 (36 of 80)", tol));
  CHECK(line_matches("mean -0.012", "mean -0.013", tol));  // near 0: the last digit decides
  CHECK_FALSE(line_matches("mean -0.012", "mean -0.014", tol));
  CHECK(line_matches("59% dead", "60% dead", tol));  // percentages compare as fractions, 1% a digit
  CHECK_FALSE(line_matches("59% dead", "0.59 dead", tol));
  CHECK_FALSE(line_matches("grad norm 0 -> 0", "grad norm 1e-05 -> 0", tol));  // a shown 0 must be 0
  CHECK(line_matches("445 of 500", "449 of 500", tol));                        // integers: relative only
  CHECK_FALSE(line_matches("445 of 500", "450 of 500", tol));
  CHECK(line_matches("the loss became nan", "the loss became -nan", tol));
  CHECK_FALSE(line_matches("the loss became nan", "the loss became inf", tol));
  CHECK(line_matches("validation results (200 epochs, …s):", "validation results (200 epochs, 0.03s):", tol));
}

TEST_CASE("tutorial harness: a wrong number in an output block is reported with what mlp printed") {
  const auto problems = check_page(replaced(kGoodPage, "elu:0.5,-1000,-0.5,0", "elu:0.5,-1000,-0.52,0"), "bad.md");
  CHECK_MESSAGE(problems.size() == 1, joined(problems));
  CHECK_MESSAGE(mentions(problems, "bad.md:9: `elu:0.5,-1000,-0.52,0`: mlp printed `elu:0.5,-1000,-0.5,0`"),
                joined(problems));
  CHECK(mentions(problems, "-0.52 vs -0.5"));
  // Within the tolerance is not a mismatch: ±1% of 0.5 allows 0.504.
  CHECK(check_page(replaced(kGoodPage, "elu:0.5,-1000,-0.5,0", "elu:0.5,-1000,-0.504,0"), "ok.md").empty());
}

TEST_CASE("tutorial harness: a number in the prose that no output shows is reported") {
  const auto problems = check_page(replaced(kGoodPage, "50% of 1", "53% of 1"), "prose.md");
  CHECK(problems.size() == 1);
  CHECK_MESSAGE(mentions(problems, "prose.md:12: the text quotes 53%, which no output on this page shows"),
                joined(problems));
  // Also inside inline code, unless the code is an option or a command, which is an input.
  CHECK(mentions(check_page(replaced(kGoodPage, "50% of 1", "`0.7` of 1"), "code.md"), "quotes 0.7,"));
}

TEST_CASE("tutorial harness: skipped output needs a line ... and the exit status must match the page") {
  // Without "...", the shown lines must follow each other in the output.
  const auto gap = check_page(replaced(kGoodPage, "...\n", ""), "gap.md");
  CHECK_MESSAGE(mentions(gap, "not right after the line shown before it"), joined(gap));
  // A failing command fails the page, unless the page shows its error; one shown failing must fail.
  const std::string failing =
      "Checked within ±1% (relative) or ±1 in the last digit shown.\n```console\n$ mlp train nope.csv\n";
  CHECK(mentions(check_page(failing + "```\n", "fails.md"), "exited with status 1"));
  const auto shown =
      check_page(failing + "mlp: error: nope.csv: cannot open: No such file or directory\n```\n", "shown.md");
  CHECK_MESSAGE(shown.empty(), joined(shown));
  CHECK(mentions(check_page(replaced(kGoodPage, "relu,-1000,0,0", "mlp: error: relu,-1000,0,0"), "ok-fails.md"),
                 "although the page shows it failing"));
  // A page must state its tolerance, an -o FILE.svg must be an SVG (here born-dead's CSV is not),
  // and the pictures a page shows must be written by its commands.
  CHECK(mentions(check_page(replaced(kGoodPage, "Checked within", "Checked"), "notol.md"), "no tolerance line"));
  CHECK(mentions(check_page(kGoodPage + "![f](img/f.svg)\n", "pic.md"), "the picture img/f.svg is not written"));
  const std::string csv =
      "```console\n$ mlp born-dead --widths 2 --depths 1 --trials 10 -o docs/tutorials/img/t.svg\n```\n";
  const auto not_svg = check_page(kGoodPage + csv + "![t](img/t.svg)\n", "csv.md");
  CHECK_MESSAGE(mentions(not_svg, "did not write an SVG file to docs/tutorials/img/t.svg"), joined(not_svg));
  CHECK(mentions(not_svg, "the picture img/t.svg is not written"));
}
