// Turning a CSV table into training matrices, and the preprocessing a model keeps so that
// predict applies exactly what train did: feature scaling, one-hot vocabularies, class names,
// target scaling. Everything here is fitted on the training rows only.
#pragma once

#include "mlp/activation.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/loss.hpp"
#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

enum class Task { Classification, Regression };
const char* task_name(Task t);  // "classification", "regression"

enum class Scaling { Standard, MinMax, None };
const char* scaling_name(Scaling s);  // "standard", "minmax", "none"
Scaling parse_scaling(const std::string& name);

// What a missing cell (csv::is_missing: empty, NA, NaN, null, ...) in a feature or target column
// means. Error: it is an error naming the cell. Drop: the row is left out of training (predict
// writes an empty prediction for it). Mean, Median: a numeric feature's missing cell takes the
// training rows' mean or median, a one-hot feature's gets all zeros (no category, as pandas'
// get_dummies does); a missing target is always an error, or dropped with Drop.
enum class Missing { Error, Drop, Mean, Median };
const char* missing_name(Missing m);  // "error", "drop", "mean", "median"
Missing parse_missing(const std::string& name);

// One input column of the CSV and how it becomes model inputs.
struct FeatureColumn {
  std::string name;
  bool categorical = false;
  // numeric: input = (x − shift) / scale   (standard: mean, std; minmax: min, max − min; none: 0, 1)
  double shift = 0.0, scale = 1.0;
  double fill = 0.0;  // numeric, Missing::Mean or Median: what a missing x becomes (in the column's units)
  // categorical: one input per category, 1 for the row's category and 0 elsewhere; a category
  // not seen in training gives all zeros.
  std::vector<std::string> categories;
  Index width() const { return categorical ? static_cast<Index>(categories.size()) : 1; }
};

struct Preprocessing {
  Task task = Task::Classification;
  Scaling scaling = Scaling::Standard;
  Missing missing = Missing::Error;
  std::vector<std::string> columns;                // the training file's columns, in its order
  std::vector<FeatureColumn> features;             // in input order
  std::vector<std::string> targets;                // target column names
  std::vector<std::string> classes;                // classification: class names; class i = output i
  std::vector<double> target_shift, target_scale;  // regression: y_model = (y − shift) / scale

  Index input_size() const;
  // Outputs of the network: classes (or 1 for two classes with a sigmoid output), or targets.
  Index output_size(bool binary_sigmoid) const;
  std::vector<std::string> input_names() const;  // "sepal_length", "colour=red", ...
  // The training file's columns that are neither features nor targets: the ones --ignore left out.
  std::vector<std::string> ignored_columns() const;
};

struct PreprocessOptions {
  std::vector<std::string> targets;      // names or 0-based indices; empty = the last column
  std::vector<std::string> categorical;  // feature columns to one-hot encode
  std::vector<std::string> ignore;       // columns left out of the features (ids, names, notes)
  Scaling scaling = Scaling::Standard;
  enum class TaskChoice { Auto, Classification, Regression } task = TaskChoice::Auto;
  // Whole-number targets with at most this many distinct values are classes (digits' 0-9, labels
  // 1-3); more (ages, prices, counts 0-14) are numbers. detect_task says which, task_reason why.
  int max_classes = 10;
  // A regression's targets are standardised (mean 0, sd 1 over the training rows), unless the
  // output layer can only reach [output_low, output_high] (a sigmoid's [0, 1], a tanh's
  // [-1, 1]): then they are taken as they are, since standardised they would leave that range,
  // and a training target outside it is an error naming the cell. bounded_output names that
  // activation ("" = unbounded).
  std::string bounded_output;
  double output_low = 0, output_high = 0;
  Missing missing = Missing::Error;
};

// Missing cells. `columns` are table column indices; rows are 0-based data rows.
// The rows of `rows` with no missing cell in `columns`: what Missing::Drop keeps.
std::vector<std::size_t> rows_without_missing(const csv::Table& table, const std::vector<std::size_t>& columns,
                                              const std::vector<std::size_t>& rows);
// Throws, naming the first missing cell (in file order) of `columns` with what to do, if there is
// one that `missing` cannot deal with: any under Error, a target's under Mean or Median. Drop deals
// with all (the caller leaves the rows out).
void check_missing(const csv::Table& table, const std::vector<std::size_t>& columns,
                   const std::vector<std::size_t>& target_columns, Missing missing);

// The target columns' indices: the last column, or the ones named (or numbered) in options.
// Throws mlp::Error for a name that is not a column, a column named twice, or no feature left.
std::vector<std::size_t> target_columns(const csv::Table& table, const PreprocessOptions& options);

// The columns a run reads: every column but the ignored ones, in file order. Throws mlp::Error for
// an ignored name that is not a column, is a target or is also categorical, or when no feature is
// left.
std::vector<std::size_t> used_columns(const csv::Table& table, const PreprocessOptions& options);

// The one place that decides whether a target is a set of classes: as options.task says, or for
// Auto, classification when the one target column is text or holds whole numbers with at most
// options.max_classes distinct values over all the table's rows; regression otherwise.
Task detect_task(const csv::Table& table, const PreprocessOptions& options);

// A category or class name as printed in text: in double quotes (a quote inside doubled) when it
// is empty or has a space, comma or quote, so that "New York" and "Paris, FR" read as one name
// in a list or a table. Other names print as they are.
std::string display_name(const std::string& name);

// A class label as text: the cell as written, or the shortest form of a number ("1", "2.5").
std::string class_label(const csv::Column& column, std::size_t row);

// Why detect_task decided as it did, in a line for the user: what the target holds, and the option
// that decides otherwise ("" when --task was given).
std::string task_reason(const csv::Table& table, const PreprocessOptions& options);

// Decides the columns, the task (detect_task) and the class names, and fits scaling on `train_rows`.
// Throws mlp::Error (FILE:LINE:COLUMN where a cell is at fault) for a text feature column not
// listed as categorical, a target that is not a column, a single class, ...
Preprocessing fit_preprocessing(const csv::Table& table, const std::vector<std::size_t>& train_rows,
                                const PreprocessOptions& options);

// X (rows, input_size) for the given table rows. The table must have every feature column (by
// name; order and extra columns do not matter) — otherwise an error naming the missing ones. A
// missing cell is filled in as prep.missing says (Mean, Median), or is an error naming it.
Matrix make_inputs(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows);
// The same into X, which must be (rows.size(), input_size): for filling a large matrix a block of
// rows at a time without a second copy of each block. input_matrix makes such an X, uninitialised,
// in memory that is cheap to fill (huge pages where the system offers them).
Matrix input_matrix(Index rows, const Preprocessing& prep);
void make_inputs_into(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows,
                      MatrixRef X);

// Categories of one-hot feature columns that the model never saw in training (their inputs are
// all zero), over the given rows: per column, how many rows, and the distinct values in order of
// appearance. Missing cells are not counted.
struct UnseenCategories {
  std::string column;
  std::size_t rows = 0;
  std::vector<std::string> values;
};
std::vector<UnseenCategories> unseen_categories(const csv::Table& table, const Preprocessing& prep,
                                                const std::vector<std::size_t>& rows);

// Whether the table has every target column.
bool has_targets(const csv::Table& table, const Preprocessing& prep);
// Y for the given rows: classification: (rows, 1) class indices; regression: (rows, targets),
// scaled. Unknown class labels are an error naming the cell.
Matrix make_targets(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows);

// The output layer and loss that fit the task: softmax + cross_entropy for classes (sigmoid + bce
// for two), identity + mse for regression, with one unit per class (one for a sigmoid) or per
// target. `activation` and `loss` are a user's choices ("" = the default); a loss computed from
// logits fixes the output activation. Throws mlp::Error, saying what fits, for a choice that does
// not fit the task.
struct OutputChoice {
  Activation activation;
  Loss loss;
  Index units = 0;
};
OutputChoice choose_output(const Preprocessing& prep, const std::string& activation, const std::string& loss);

// Regression: model outputs back to target units.
Matrix unscale_targets(const Preprocessing& prep, const Matrix& Y);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
