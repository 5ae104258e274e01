// From CSV columns to model inputs and targets, and back. Statistics come from training rows only,
// so validation and test rows are scaled as unseen data would be.
#include "mlp/io/preprocess.hpp"

#include "io/huge_buffer.hpp"
#include "mlp/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

const char* task_name(Task t) { return t == Task::Classification ? "classification" : "regression"; }

const char* scaling_name(Scaling s) {
  return s == Scaling::Standard ? "standard" : s == Scaling::MinMax ? "minmax" : "none";
}

Scaling parse_scaling(const std::string& name) {
  for (Scaling s : {Scaling::Standard, Scaling::MinMax, Scaling::None})
    if (name == scaling_name(s)) return s;
  throw Error("unknown scaling '" + name + "'; valid: standard, minmax, none");
}

const char* missing_name(Missing m) {
  return m == Missing::Error ? "error" : m == Missing::Drop ? "drop" : m == Missing::Mean ? "mean" : "median";
}

Missing parse_missing(const std::string& name) {
  for (Missing m : {Missing::Error, Missing::Drop, Missing::Mean, Missing::Median})
    if (name == missing_name(m)) return m;
  throw Error("unknown --missing '" + name + "'; valid: error, drop, mean, median");
}

Index Preprocessing::input_size() const {
  Index n = 0;
  for (const auto& f : features) n += f.width();
  return n;
}

Index Preprocessing::output_size(bool binary_sigmoid) const {
  if (task == Task::Regression) return static_cast<Index>(targets.size());
  return binary_sigmoid && classes.size() == 2 ? 1 : static_cast<Index>(classes.size());
}

std::vector<std::string> Preprocessing::ignored_columns() const {
  std::unordered_set<std::string> read(targets.begin(), targets.end());  // a set: files may have 10,000 columns
  for (const FeatureColumn& f : features) read.insert(f.name);
  std::vector<std::string> left_out;
  for (const std::string& c : columns)
    if (!read.count(c)) left_out.push_back(c);
  return left_out;
}

std::vector<std::string> Preprocessing::input_names() const {
  std::vector<std::string> names;
  for (const auto& f : features) {
    if (!f.categorical) names.push_back(f.name);
    for (const auto& c : f.categories) names.push_back(f.name + "=" + c);
  }
  return names;
}

namespace {

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

// 'NA', or "an empty cell": how a missing cell is shown in a message.
std::string shown(const std::string& cell) { return cell.empty() ? "an empty cell" : "'" + cell + "'"; }

// A number with a decimal comma, as some locales write them: 5,1 or -0,25.
bool decimal_comma(const std::string& s) {
  std::size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  const std::size_t comma = s.find(',');
  if (comma == std::string::npos || comma == i || comma + 1 == s.size()) return false;
  for (; i < s.size(); ++i)
    if (i != comma && !(s[i] >= '0' && s[i] <= '9')) return false;
  return true;
}

// The error for a text cell in a column that should be numbers: where it is, and what to do, in
// the order a user should try: a column of numbers with a stray word or a decimal comma wants
// the cell fixed; a column of words wants --categorical, or --ignore.
struct CellKinds {
  std::size_t numbers = 0, commas = 0, text = 0;  // cells that read as numbers, with a decimal comma, as words
  bool mostly_words() const { return numbers < text + commas && !(commas > 0 && text == 0 && numbers == 0); }
};

CellKinds cell_kinds(const csv::Column& col) {
  CellKinds k;
  for (const std::string& v : col.text) {
    if (csv::is_missing(v)) continue;
    if (csv::is_number(v))
      ++k.numbers;
    else if (decimal_comma(v))
      ++k.commas;
    else
      ++k.text;
  }
  return k;
}

[[noreturn]] void throw_text_in_numbers(const csv::Table& table, std::size_t c, const std::string& context) {
  const csv::Column& col = table.columns[c];
  const std::string& first = col.text[col.first_text_row];
  const auto [numbers, commas, text] = cell_kinds(col);
  const std::string where = table.where(col.first_text_row, c) + "column '" + col.name + "'";
  const std::string categorical = "--categorical '" + col.name + "'";
  if (commas > 0 && text == 0 && numbers == 0)
    throw Error(where + " writes its numbers with a decimal comma ('" + first +
                "'); mlp reads a decimal point: save the file with '.' as the decimal separator");
  if (decimal_comma(first))
    throw Error(where + ": '" + first + "' has a decimal comma; write it with a point (" +
                std::string(first).replace(first.find(','), 1, ".") + ")" +
                (commas > 1 ? ", as " + std::to_string(commas - 1) + " other cells of the column too" : ""));
  if (numbers >= text + commas)
    throw Error(where + " holds numbers, but this cell is text ('" + first + "')" +
                (text + commas > 1 ? " and " + std::to_string(text + commas - 1) + " more are" : "") +
                ": fix the cell" + (text + commas > 1 ? "s" : "") + context + "; or, if the column is categories, " +
                "one-hot encode it with " + categorical);
  throw Error(where + " is not numeric ('" + first + "'); one-hot encode it with " + categorical +
              ", or leave it out with --ignore '" + col.name + "'");
}

// A column of words that names or numbers each row (a name, an id, a note) rather than sorting
// the rows into a few categories: more than 20 different values, and more than one for every
// two rows that have one. One-hot encoding it would give the network an input per row.
bool names_each_row(const csv::Column& col) {
  std::unordered_set<std::string> seen;
  std::size_t cells = 0;
  for (const std::string& v : col.text)
    if (!csv::is_missing(v)) {
      ++cells;
      seen.insert(v);
    }
  return seen.size() > 20 && 2 * seen.size() > cells;
}

// The text of a cell, for labels and categories: as written for a text column; for a numeric
// column the shortest form of the number ("1", "2.5"), so labels 0/1 read as "0"/"1".
std::string cell_text(const csv::Column& c, std::size_t row) {
  if (!c.numeric) return c.text[row];
  if (c.is_missing(row)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(c.values[row]));
  return buf;
}

std::size_t column_of(const csv::Table& t, const std::string& name_or_index, const char* what) {
  const std::ptrdiff_t i = t.find(name_or_index);
  if (i < 0) {
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    throw Error(t.path + ": " + what + " '" + name_or_index +
                "' is not a column of this file (columns: " + quoted_list(names) + "; or give a 0-based index)");
  }
  return static_cast<std::size_t>(i);
}

bool is_integer_column(const csv::Column& c, const std::vector<std::size_t>& rows) {
  for (std::size_t r : rows)
    if (!c.is_missing(r) && c.values[r] != std::floor(c.values[r])) return false;
  return true;
}

std::vector<std::size_t> all_rows_of(const csv::Table& table) {
  std::vector<std::size_t> rows(table.rows);
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  return rows;
}

// Mean and population standard deviation (divided by n, as sklearn's StandardScaler) of a column
// over rows; a constant column gets sd 1, so it scales to all zeros instead of dividing by 0.
void mean_and_sd(const csv::Column& c, const std::vector<std::size_t>& rows, double& mean, double& sd) {
  double sum = 0, sq = 0;
  for (std::size_t r : rows) sum += c.values[r];
  mean = sum / static_cast<double>(rows.size());
  for (std::size_t r : rows) sq += (c.values[r] - mean) * (c.values[r] - mean);
  sd = std::sqrt(sq / static_cast<double>(rows.size()));
  if (!(sd > 0)) sd = 1.0;
}

// Classification: the class names, from the training rows, in numeric order for numbers.
std::vector<std::string> fit_classes(const csv::Table& table, const std::vector<std::size_t>& target_cols,
                                     const std::vector<std::size_t>& train_rows) {
  if (target_cols.size() > 1)
    throw Error(table.path + ": classification takes one target column (got " + std::to_string(target_cols.size()) +
                "); for several numeric targets use --task regression");
  const csv::Column& t = table.columns[target_cols[0]];
  std::vector<std::string> classes;
  if (t.numeric) {
    std::set<float> distinct;
    for (std::size_t r : train_rows) distinct.insert(t.values[r]);
    if (distinct.size() > 1000)
      throw Error(table.path + ": target '" + t.name + "' has " + std::to_string(distinct.size()) +
                  " distinct values: too many classes (use --task regression for a numeric target)");
    for (float v : distinct) {  // numeric labels in numeric order
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
      classes.push_back(buf);
    }
  } else {
    std::set<std::string> distinct;
    for (std::size_t r : train_rows) distinct.insert(t.text[r]);
    classes.assign(distinct.begin(), distinct.end());
  }
  if (classes.size() < 2)
    throw Error(table.path + ": target '" + t.name + "' has a single class ('" + classes[0] +
                "') in the training rows; classification needs at least two (or use --task regression)");
  return classes;
}

// Regression: each target is standardised with the training rows' mean and sd.
void fit_target_scaling(const csv::Table& table, const std::vector<std::size_t>& target_cols,
                        const std::vector<std::size_t>& train_rows, const PreprocessOptions& o, Preprocessing& p) {
  for (std::size_t c : target_cols) {
    const csv::Column& t = table.columns[c];
    if (!t.numeric)
      throw Error(table.where(t.first_text_row, c) + "regression target '" + t.name + "' is not a number ('" +
                  t.text[t.first_text_row] + "'); fix the cell, or " +
                  (target_cols.size() > 1
                       ? "give it as the only --target (several targets are a regression, of numbers)"
                       : "drop --task regression"));
    if (!o.bounded_output.empty()) {  // taken as they are: they must lie where the output can reach
      for (std::size_t r : train_rows)
        if (!(t.values[r] >= o.output_low && t.values[r] <= o.output_high)) {
          char range[64];
          std::snprintf(range, sizeof range, "[%g, %g]", o.output_low, o.output_high);
          throw Error(table.where(r, c) + "regression target '" + t.name + "' is " + cell_text(t, r) + ", outside " +
                      range + ", where " + o.bounded_output +
                      " outputs lie: use --output-activation identity (the default for regression), or rescale "
                      "the target into that range");
        }
      p.target_shift.push_back(0.0);
      p.target_scale.push_back(1.0);
      continue;
    }
    double mean, sd;
    mean_and_sd(t, train_rows, mean, sd);
    p.target_shift.push_back(mean);
    p.target_scale.push_back(sd);
  }
}

// Standard scaling's mean and population sd, or minmax's minimum and range, of every numeric
// feature column over the training rows, as (shift, scale). The table keeps each row's numbers
// side by side, so the rows are swept once (twice for the sd, around the mean) for all columns
// together; each column's sums still add its rows in the same order as a column at a time would.
void fit_scalings(const csv::Table& table, const std::vector<std::size_t>& cols,
                  const std::vector<std::size_t>& train_rows, Scaling scaling, std::vector<double>& shift,
                  std::vector<double>& scale) {
  const std::size_t k = cols.size(), ncols = table.columns.size();
  shift.assign(k, 0.0);
  scale.assign(k, 1.0);
  if (k == 0 || scaling == Scaling::None) return;
  // Row r's numbers are numbers[r * ncols + j] (csv.hpp); the sums run over every column of a row
  // at once (a text column's places hold finite filler, and its sums are never read).
  const float* numbers = table.numbers.get();
  const auto row = [&](std::size_t r) { return numbers + r * ncols; };
  const auto n = static_cast<double>(train_rows.size());
  std::vector<double> a(ncols), b(ncols);
  if (scaling == Scaling::Standard) {  // a: Σx, then the mean; b: Σ(x − mean)²
    for (std::size_t r : train_rows)
      for (std::size_t j = 0; j < ncols; ++j) a[j] += row(r)[j];
    for (std::size_t j = 0; j < ncols; ++j) a[j] /= n;
    for (std::size_t r : train_rows)
      for (std::size_t j = 0; j < ncols; ++j) b[j] += (row(r)[j] - a[j]) * (row(r)[j] - a[j]);
    for (std::size_t i = 0; i < k; ++i) {
      shift[i] = a[cols[i]];                 // the mean
      scale[i] = std::sqrt(b[cols[i]] / n);  // the population sd
      if (!(scale[i] > 0)) scale[i] = 1.0;   // a constant column: sd 0 becomes 1, never a division by 0
    }
  } else {  // MinMax; a: the minimum, b: the maximum
    for (std::size_t j = 0; j < ncols; ++j) a[j] = b[j] = row(train_rows[0])[j];
    for (std::size_t r : train_rows)
      for (std::size_t j = 0; j < ncols; ++j) {
        a[j] = std::min(a[j], static_cast<double>(row(r)[j]));
        b[j] = std::max(b[j], static_cast<double>(row(r)[j]));
      }
    for (std::size_t i = 0; i < k; ++i) {
      shift[i] = a[cols[i]];
      scale[i] = b[cols[i]] > a[cols[i]] ? b[cols[i]] - a[cols[i]] : 1.0;  // a constant column becomes all zeros
    }
  }
}

// A feature column's encoding: numeric (its scaling is filled in by fit_scalings) or one-hot.
FeatureColumn fit_feature(const csv::Table& table, std::size_t c, const std::vector<std::size_t>& train_rows,
                          const PreprocessOptions& o) {
  const csv::Column& col = table.columns[c];
  FeatureColumn f;
  f.name = col.name;
  for (const auto& name : o.categorical)
    if (table.find(name) == static_cast<std::ptrdiff_t>(c)) f.categorical = true;
  if (f.categorical) {
    std::set<std::string> cats;
    for (std::size_t r : train_rows)
      if (!col.is_missing(r)) cats.insert(cell_text(col, r));  // a missing cell is no category: all zeros
    f.categories.assign(cats.begin(), cats.end());
  } else if (!col.numeric) {
    throw_text_in_numbers(table, c, "");
  }
  return f;
}

// The first missing cell, in file order, of `columns` over `rows` that `missing` does not deal
// with (targets: only Drop does; features: all but Error), as an error saying what to do. `model`
// is the preprocessing of a trained model being applied, null while training.
void check_missing_cells(const csv::Table& table, const std::vector<std::size_t>& columns,
                         const std::vector<std::size_t>& target_cols, const std::vector<std::size_t>* rows,
                         Missing missing, const Preprocessing* model) {
  std::size_t bad_row = 0, bad_col = table.columns.size();
  for (std::size_t c : columns) {
    const csv::Column& col = table.columns[c];
    if (col.missing == 0) continue;
    const bool target = std::find(target_cols.begin(), target_cols.end(), c) != target_cols.end();
    if (missing == Missing::Drop || (!target && missing != Missing::Error)) continue;
    std::size_t first = table.rows;
    if (!rows)
      first = col.first_missing_row;
    else
      for (std::size_t r : *rows)
        if (col.is_missing(r)) first = std::min(first, r);
    if (first < table.rows &&
        (bad_col == table.columns.size() || first < bad_row || (first == bad_row && c < bad_col))) {
      bad_row = first;
      bad_col = c;
    }
  }
  if (bad_col == table.columns.size()) return;
  const csv::Column& col = table.columns[bad_col];
  const bool target = std::find(target_cols.begin(), target_cols.end(), bad_col) != target_cols.end();
  const std::string where = table.where(bad_row, bad_col) + (target ? "target '" : "column '") + col.name +
                            "' is missing a value (" + shown(table.cell(bad_row, bad_col)) + ")";
  if (model)
    throw Error(where + ", and this model fills in none (it was trained with --missing " +
                missing_name(model->missing) + "): fill it in, or train the model with --missing mean, median or drop");
  if (target)
    throw Error(where + (missing == Missing::Error ? "" : ", and a target is never filled in") +
                ": fill it in, or leave out such rows with --missing drop");
  throw Error(where +
              ": fill it in, or say what to do with missing values: --missing drop (leave out such rows), "
              "--missing mean or --missing median (fill in the training rows' mean or median)");
}

// The mean or median of a numeric column over the rows where it has a value.
double fill_value(const csv::Table& table, std::size_t c, const std::vector<std::size_t>& rows, Missing missing) {
  const csv::Column& col = table.columns[c];
  std::vector<double> v;
  v.reserve(rows.size());
  for (std::size_t r : rows)
    if (!col.is_missing(r)) v.push_back(col.values[r]);
  if (v.empty())
    throw Error(table.path + ": column '" + col.name + "' has no value in any training row, so there is no " +
                missing_name(missing) + " to fill in; leave it out with --ignore '" + col.name + "'");
  if (missing == Missing::Mean) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  }
  const std::size_t mid = v.size() / 2;  // the median: the middle value, or the mean of the middle two
  std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
  if (v.size() % 2) return v[mid];
  return (v[mid] + *std::max_element(v.begin(), v.begin() + static_cast<long>(mid))) / 2;
}

}  // namespace

std::vector<std::size_t> rows_without_missing(const csv::Table& table, const std::vector<std::size_t>& columns,
                                              const std::vector<std::size_t>& rows) {
  std::vector<const csv::Column*> gappy;
  for (std::size_t c : columns)
    if (table.columns[c].missing > 0) gappy.push_back(&table.columns[c]);
  if (gappy.empty()) return rows;
  std::vector<std::size_t> kept;
  for (std::size_t r : rows)
    if (std::none_of(gappy.begin(), gappy.end(), [r](const csv::Column* c) { return c->is_missing(r); }))
      kept.push_back(r);
  return kept;
}

void check_missing(const csv::Table& table, const std::vector<std::size_t>& columns,
                   const std::vector<std::size_t>& target_cols, Missing missing) {
  check_missing_cells(table, columns, target_cols, nullptr, missing, nullptr);
}

std::vector<UnseenCategories> unseen_categories(const csv::Table& table, const Preprocessing& prep,
                                                const std::vector<std::size_t>& rows) {
  std::vector<UnseenCategories> unseen;
  for (const FeatureColumn& f : prep.features) {
    if (!f.categorical) continue;
    const std::ptrdiff_t c = table.find(f.name);
    if (c < 0 || table.columns[static_cast<std::size_t>(c)].name != f.name) continue;
    const csv::Column& col = table.columns[static_cast<std::size_t>(c)];
    UnseenCategories u;
    u.column = f.name;
    for (std::size_t r : rows) {
      if (col.is_missing(r)) continue;
      const std::string v = cell_text(col, r);
      if (std::binary_search(f.categories.begin(), f.categories.end(), v)) continue;
      ++u.rows;
      if (std::find(u.values.begin(), u.values.end(), v) == u.values.end()) u.values.push_back(v);
    }
    if (u.rows) unseen.push_back(std::move(u));
  }
  return unseen;
}

std::string class_label(const csv::Column& column, std::size_t row) { return cell_text(column, row); }

std::string display_name(const std::string& name) {
  if (!name.empty() && name.find_first_of(" \t,\"") == std::string::npos) return name;
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::vector<std::size_t> target_columns(const csv::Table& table, const PreprocessOptions& o) {
  if (table.columns.size() < 2)
    throw Error(table.path + ": the file has " + std::to_string(table.columns.size()) +
                " column; mlp needs at least one feature column and one target column (is --delimiter right?)");
  std::vector<std::size_t> cols;
  if (o.targets.empty()) cols.push_back(table.columns.size() - 1);
  for (const auto& t : o.targets) cols.push_back(column_of(table, t, "target"));
  for (std::size_t c : cols)
    if (std::count(cols.begin(), cols.end(), c) > 1)
      throw Error(table.path + ": target column '" + table.columns[c].name + "' is named twice");
  if (cols.size() == table.columns.size())
    throw Error(table.path + ": every column is a target; at least one must be left as a feature");
  return cols;
}

std::vector<std::size_t> used_columns(const csv::Table& table, const PreprocessOptions& o) {
  const std::vector<std::size_t> target_cols = target_columns(table, o);
  std::vector<bool> ignored(table.columns.size(), false);
  for (const auto& name : o.ignore) {
    const std::size_t c = column_of(table, name, "ignored column");
    const std::string& col = table.columns[c].name;
    if (std::find(target_cols.begin(), target_cols.end(), c) != target_cols.end())
      throw Error(table.path + ": '" + col + "' is a target; it cannot be --ignore'd as well");
    for (const auto& cat : o.categorical)
      if (table.find(cat) == static_cast<std::ptrdiff_t>(c))
        throw Error(table.path + ": '" + col + "' is both --categorical and --ignore'd; give it to one of them");
    ignored[c] = true;
  }
  std::vector<std::size_t> used;
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    if (!ignored[c]) used.push_back(c);
  if (used.size() == target_cols.size())
    throw Error(table.path + ": every feature column is --ignore'd; at least one must be left as a feature");
  return used;
}

namespace {

// Throws, naming every feature that is text and neither categorical nor ignored, with what to do
// with each: --categorical for a column of categories, --ignore for one that names each row (more
// than 20 different values, and more than one for every two rows). A column of numbers with a
// stray word comes first, on its own: its cell wants fixing.
void check_text_features(const csv::Table& table, const PreprocessOptions& o) {
  for (const auto& name : o.categorical) column_of(table, name, "categorical column");  // a typo named as one
  const std::vector<std::size_t> target_cols = target_columns(table, o);
  std::vector<std::size_t> feature_cols;
  for (std::size_t c : used_columns(table, o))
    if (std::find(target_cols.begin(), target_cols.end(), c) == target_cols.end()) feature_cols.push_back(c);
  std::vector<std::size_t> text;
  for (std::size_t c : feature_cols) {
    bool categorical = false;
    for (const auto& name : o.categorical)
      categorical = categorical || table.find(name) == static_cast<std::ptrdiff_t>(c);
    if (!table.columns[c].numeric && !categorical) text.push_back(c);
  }
  if (text.empty()) return;
  if (!cell_kinds(table.columns[text[0]]).mostly_words()) throw_text_in_numbers(table, text[0], "");
  std::vector<std::string> words, categories, names;  // the columns of words; of them, the two kinds
  for (std::size_t c : text) {
    const csv::Column& col = table.columns[c];
    if (!cell_kinds(col).mostly_words()) continue;  // its cells are for a later error
    words.push_back(col.name);
    (names_each_row(col) ? names : categories).push_back(col.name);
  }
  const csv::Column& first = table.columns[text[0]];
  std::string msg = table.where(first.first_text_row, text[0]) + "column '" + first.name + "' is not numeric ('" +
                    first.text[first.first_text_row] + "')";
  const auto comma_list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ",") + n;
    return "'" + s + "'";
  };
  if (words.size() == 1) {
    if (names.empty()) throw_text_in_numbers(table, text[0], "");  // the one-column message
    throw Error(msg + "; it has a different value in most rows, as a name or an id does: leave it out with --ignore '" +
                first.name + "' (or, if it is categories, one-hot encode it with --categorical '" + first.name + "')");
  }
  msg += (words.size() == 2 ? ", nor is 1 more column ("
                            : ", nor are " + std::to_string(words.size() - 1) + " more columns (") +
         quoted_list({words.begin() + 1, words.end()}) + "): ";
  if (!categories.empty())
    msg += "one-hot encode the ones that are categories with --categorical " + comma_list(categories);
  if (!names.empty())
    msg += std::string(categories.empty() ? "" : ", and ") +
           "leave out the ones that name each row (a different value in most rows) with --ignore " + comma_list(names);
  throw Error(msg);
}

}  // namespace

namespace {

// What detect_task decides for Auto, and why, in words for the user.
struct TaskDecision {
  Task task;
  std::string reason;
};

TaskDecision decide_task(const csv::Table& table, const PreprocessOptions& o) {
  const auto cols = target_columns(table, o);
  if (cols.size() > 1) return {Task::Regression, std::to_string(cols.size()) + " target columns"};
  const csv::Column& t = table.columns[cols[0]];
  const std::string name = "target '" + t.name + "'";
  if (!t.numeric) return {Task::Classification, name + " holds text"};
  const auto rows = all_rows_of(table);
  if (!is_integer_column(t, rows))
    return {Task::Regression,
            name + " holds numbers that are not all whole; --task classification takes them as classes"};
  std::set<float> distinct;
  for (std::size_t r : rows)
    if (!t.is_missing(r)) distinct.insert(t.values[r]);
  const std::string n = std::to_string(distinct.size()) + " distinct whole numbers";
  const std::string limit = std::to_string(o.max_classes);
  if (static_cast<int>(distinct.size()) > o.max_classes)
    return {Task::Regression,
            name + " holds " + n + ", more than " + limit + "; --task classification takes them as classes"};
  return {Task::Classification,
          name + " holds " + n + ", " + limit + " at most are classes; --task regression takes them as numbers"};
}

}  // namespace

Task detect_task(const csv::Table& table, const PreprocessOptions& o) {
  if (o.task != PreprocessOptions::TaskChoice::Auto)
    return o.task == PreprocessOptions::TaskChoice::Classification ? Task::Classification : Task::Regression;
  return decide_task(table, o).task;
}

std::string task_reason(const csv::Table& table, const PreprocessOptions& o) {
  if (o.task != PreprocessOptions::TaskChoice::Auto) return "";
  return decide_task(table, o).reason;
}

Preprocessing fit_preprocessing(const csv::Table& table, const std::vector<std::size_t>& train_rows,
                                const PreprocessOptions& o) {
  const std::vector<std::size_t> target_cols = target_columns(table, o);
  if (train_rows.empty()) throw Error(table.path + ": no training rows left (is --val-split too large?)");
  Preprocessing p;
  p.scaling = o.scaling;
  p.missing = o.missing;
  for (const csv::Column& c : table.columns) p.columns.push_back(c.name);
  for (std::size_t c : target_cols) p.targets.push_back(table.columns[c].name);
  const std::vector<std::size_t> used = used_columns(table, o);  // the targets and the features
  // With Drop the caller has left out the rows with a missing cell; a row left in is an error too.
  check_missing_cells(table, used, target_cols, &train_rows, o.missing == Missing::Drop ? Missing::Error : o.missing,
                      nullptr);
  p.task = detect_task(table, o);
  if (p.task == Task::Classification)
    p.classes = fit_classes(table, target_cols, train_rows);
  else
    fit_target_scaling(table, target_cols, train_rows, o, p);

  // Features: every column that is neither a target nor ignored, in file order.
  for (const auto& name : o.categorical) {
    const std::size_t c = column_of(table, name, "categorical column");
    if (std::find(target_cols.begin(), target_cols.end(), c) != target_cols.end())
      throw Error(table.path + ": '" + name + "' is a target, not a feature; it cannot be --categorical");
  }
  std::vector<std::size_t> feature_cols;
  for (std::size_t c : used)
    if (std::find(target_cols.begin(), target_cols.end(), c) == target_cols.end()) feature_cols.push_back(c);
  check_text_features(table, o);
  std::vector<std::size_t> numeric;  // the numeric features' columns, whose scaling is fitted below
  for (std::size_t c : feature_cols) {
    p.features.push_back(fit_feature(table, c, train_rows, o));
    if (!p.features.back().categorical) numeric.push_back(c);
  }
  std::vector<double> shift, scale;
  std::vector<std::size_t> gappy;  // numeric features with a missing cell: scaled over the others
  for (std::size_t c : numeric)
    if (table.columns[c].missing > 0) gappy.push_back(c);
  fit_scalings(table, numeric, train_rows, o.scaling, shift, scale);  // the gappy ones again below
  std::size_t i = 0;
  for (FeatureColumn& f : p.features)
    if (!f.categorical) {
      const std::size_t c = numeric[i];
      if (table.columns[c].missing > 0) {  // its own rows with a value, not only the rows complete in every column
        const auto own = rows_without_missing(table, {c}, train_rows);
        if (own.empty())
          throw Error(table.path + ": column '" + f.name +
                      "' has no value in any training row; leave it out with --ignore '" + f.name + "'");
        std::vector<double> sh, sc;
        fit_scalings(table, {c}, own, o.scaling, sh, sc);
        shift[i] = sh[0];
        scale[i] = sc[0];
      }
      // Every numeric feature's, not only those missing a value here: a file to predict may miss any.
      if (o.missing == Missing::Mean || o.missing == Missing::Median)
        f.fill = fill_value(table, c, train_rows, o.missing);
      f.shift = shift[i];
      f.scale = scale[i];
      ++i;
    }
  return p;
}

Matrix input_matrix(Index rows, const Preprocessing& prep) {
  Matrix X(rows, prep.input_size());  // (rows, inputs)
  // A large fresh matrix is cheaper to fill in huge pages (first touch of 4 KiB pages dominates).
  advise_huge_pages(X.data(), sizeof(Scalar) * static_cast<std::size_t>(X.size()));
  return X;
}

Matrix make_inputs(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows) {
  Matrix X = input_matrix(static_cast<Index>(rows.size()), prep);
  make_inputs_into(table, prep, rows, X);
  return X;
}

void make_inputs_into(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows,
                      MatrixRef X) {
  if (X.rows() != static_cast<Index>(rows.size()) || X.cols() != prep.input_size())
    throw Error("make_inputs_into: X is " + std::to_string(X.rows()) + " x " + std::to_string(X.cols()) + ", not " +
                std::to_string(rows.size()) + " x " + std::to_string(prep.input_size()));
  std::unordered_map<std::string, std::size_t> column_of;
  for (std::size_t c = table.columns.size(); c-- > 0;) column_of[table.columns[c].name] = c;  // the first of a name
  std::vector<std::string> missing;
  std::vector<std::size_t> cols;
  for (const auto& f : prep.features) {
    const auto found = column_of.find(f.name);
    if (found == column_of.end()) missing.push_back(f.name);
    cols.push_back(found == column_of.end() ? table.columns.size() : found->second);
  }
  if (!missing.empty())
    throw Error(table.path + ": missing column" + (missing.size() > 1 ? "s " : " ") + quoted_list(missing) +
                " that the model was trained on");
  for (std::size_t k = 0; k < prep.features.size(); ++k)
    if (!prep.features[k].categorical && !table.columns[cols[k]].numeric)
      throw_text_in_numbers(table, cols[k], " (the model was trained on numbers in this column)");
  check_missing_cells(table, cols, {}, &rows, prep.missing == Missing::Drop ? Missing::Error : prep.missing, &prep);

  // Row by row: the table keeps a row's numbers side by side (numbers[r * ncols + j], csv.hpp),
  // as X does. Numeric features that sit side by side in the table and in X form a run, scaled in
  // one tight loop per row (vectorised: shift and scale side by side too); one-hot features are
  // filled one by one.
  struct Run {
    std::size_t column;  // the table column of its first feature
    Index offset;        // its place in X
    std::size_t length;  // features
    std::size_t first;   // its first feature's index in shift/scale
  };
  std::vector<Run> runs;
  std::vector<std::size_t> one_hot;  // the categorical features
  std::vector<Index> offsets;
  std::vector<double> shift, scale;  // the numeric features', in order
  Index offset = 0;
  for (std::size_t k = 0; k < prep.features.size(); ++k) {
    const FeatureColumn& f = prep.features[k];
    offsets.push_back(offset);
    if (f.categorical) {
      one_hot.push_back(k);
    } else {
      const bool extends = !runs.empty() && runs.back().column + runs.back().length == cols[k] &&
                           runs.back().offset + static_cast<Index>(runs.back().length) == offset;
      if (extends)
        ++runs.back().length;
      else
        runs.push_back({cols[k], offset, 1, shift.size()});
      shift.push_back(f.shift);
      scale.push_back(f.scale);
    }
    offset += f.width();
  }
  const float* numbers = table.numbers.get();
  const std::size_t ncols = table.columns.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto x = static_cast<Index>(i);
    const float* row = numbers + rows[i] * ncols;
    for (const Run& run : runs) {
      const float* __restrict in = row + run.column;
      Scalar* __restrict out = &X(x, run.offset);
      const double* __restrict sh = shift.data() + run.first, * __restrict sc = scale.data() + run.first;
      for (std::size_t j = 0; j < run.length; ++j) out[j] = static_cast<Scalar>((in[j] - sh[j]) / sc[j]);
    }
    for (std::size_t k : one_hot) {
      const FeatureColumn& f = prep.features[k];
      X.row(x).segment(offsets[k], f.width()).setZero();
      if (table.columns[cols[k]].is_missing(rows[i])) continue;  // Mean, Median: no category, all zeros
      const std::string v = cell_text(table.columns[cols[k]], rows[i]);
      auto it = std::lower_bound(f.categories.begin(), f.categories.end(), v);
      if (it != f.categories.end() && *it == v) X(x, offsets[k] + (it - f.categories.begin())) = 1;
    }
  }
  // Missing numbers (NaN in the table, so NaN in X above) filled in: only in columns that have one.
  for (std::size_t k = 0; k < prep.features.size(); ++k) {
    const FeatureColumn& f = prep.features[k];
    if (f.categorical || table.columns[cols[k]].missing == 0) continue;
    const auto filled = static_cast<Scalar>((f.fill - f.shift) / f.scale);
    for (Index i = 0; i < X.rows(); ++i)
      if (std::isnan(X(i, offsets[k]))) X(i, offsets[k]) = filled;
  }
}

bool has_targets(const csv::Table& table, const Preprocessing& prep) {
  for (const auto& t : prep.targets) {
    bool found = false;
    for (const auto& c : table.columns) found = found || c.name == t;
    if (!found) return false;
  }
  return true;
}

Matrix make_targets(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> cols;
  for (const auto& t : prep.targets) {
    std::size_t found = table.columns.size();
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c].name == t) found = c;
    if (found == table.columns.size()) throw Error(table.path + ": missing target column '" + t + "'");
    cols.push_back(found);
  }
  check_missing_cells(table, cols, cols, &rows, Missing::Error, nullptr);
  if (prep.task == Task::Classification) {
    const csv::Column& col = table.columns[cols[0]];
    Matrix Y(static_cast<Index>(rows.size()), 1);  // (rows, 1) class indices
    std::map<std::string, int> index;
    for (std::size_t i = 0; i < prep.classes.size(); ++i) index[prep.classes[i]] = static_cast<int>(i);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto it = index.find(cell_text(col, rows[i]));
      if (it == index.end())
        throw Error(table.where(rows[i], cols[0]) + "class '" + cell_text(col, rows[i]) +
                    "' was not seen in training (known classes: " + quoted_list(prep.classes) + ")");
      Y(static_cast<Index>(i), 0) = static_cast<Scalar>(it->second);
    }
    return Y;
  }
  Matrix Y(static_cast<Index>(rows.size()), static_cast<Index>(cols.size()));  // (rows, targets), scaled
  for (std::size_t k = 0; k < cols.size(); ++k) {
    const csv::Column& col = table.columns[cols[k]];
    if (!col.numeric)
      throw Error(table.where(col.first_text_row, cols[k]) + "target '" + col.name + "' is not a number ('" +
                  col.text[col.first_text_row] + "')");
    for (std::size_t i = 0; i < rows.size(); ++i)
      Y(static_cast<Index>(i), static_cast<Index>(k)) =
          static_cast<Scalar>((col.values[rows[i]] - prep.target_shift[k]) / prep.target_scale[k]);
  }
  return Y;
}

OutputChoice choose_output(const Preprocessing& prep, const std::string& activation, const std::string& loss) {
  std::string out_act = activation, loss_spec = loss;
  if (prep.task == Task::Classification) {
    const bool binary = prep.classes.size() == 2;
    if (out_act.empty()) out_act = (binary && loss_spec != "cross_entropy") ? "sigmoid" : "softmax";
    if (loss_spec.empty()) loss_spec = out_act == "sigmoid" ? "bce" : "cross_entropy";
    const Loss l = parse_loss(loss_spec);
    if (!l.info->from_logits)
      throw Error(
          "--loss " + loss_spec +
          " is a regression loss; for classification use cross_entropy (softmax) or bce (sigmoid, two classes)");
    if (std::string(l.name()) == "bce" && !binary)
      throw Error("--loss bce needs two classes; this target has " + std::to_string(prep.classes.size()) +
                  " (use cross_entropy)");
    // An output activation given must be the one the loss works from: any other would be replaced.
    if (!activation.empty() && std::string(parse_activation(activation).name()) != l.info->output_activation)
      throw Error("--output-activation " + activation +
                  ": a classification's output layer is softmax, or sigmoid for two classes (what its loss works "
                  "from); for " +
                  activation + " outputs, train a regression (--task regression)");
    out_act = l.info->output_activation;
  } else {
    if (out_act.empty()) out_act = "identity";
    if (loss_spec.empty()) loss_spec = "mse";
    if (parse_loss(loss_spec).info->from_logits)
      throw Error("--loss " + loss_spec + " is a classification loss; for regression use mse, mae or huber");
    if (!parse_activation(out_act).info->elementwise && prep.output_size(false) == 1)
      throw Error("--output-activation " + out_act +
                  ": over a single output it is always the same number; a regression with one target needs an "
                  "elementwise output activation (identity, the default, or a bounded one such as sigmoid)");
  }
  OutputChoice c;
  c.activation = parse_activation(out_act);
  c.loss = parse_loss(loss_spec);
  c.units = prep.output_size(std::string(c.activation.name()) == "sigmoid");
  return c;
}

Matrix unscale_targets(const Preprocessing& prep, const Matrix& Y) {
  Matrix out = Y;
  for (Index k = 0; k < Y.cols(); ++k)
    out.col(k) = (Y.col(k).array() * static_cast<Scalar>(prep.target_scale[static_cast<std::size_t>(k)]) +
                  static_cast<Scalar>(prep.target_shift[static_cast<std::size_t>(k)]))
                     .matrix();
  return out;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
