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

// One input column of the CSV and how it becomes model inputs.
struct FeatureColumn {
  std::string name;
  bool categorical = false;
  // numeric: input = (x − shift) / scale   (standard: mean, std; minmax: min, max − min; none: 0, 1)
  double shift = 0.0, scale = 1.0;
  // categorical: one input per category, 1 for the row's category and 0 elsewhere; a category
  // not seen in training gives all zeros.
  std::vector<std::string> categories;
  Index width() const { return categorical ? static_cast<Index>(categories.size()) : 1; }
};

struct Preprocessing {
  Task task = Task::Classification;
  Scaling scaling = Scaling::Standard;
  std::vector<FeatureColumn> features;             // in input order
  std::vector<std::string> targets;                // target column names
  std::vector<std::string> classes;                // classification: class names; class i = output i
  std::vector<double> target_shift, target_scale;  // regression: y_model = (y − shift) / scale

  Index input_size() const;
  // Outputs of the network: classes (or 1 for two classes with a sigmoid output), or targets.
  Index output_size(bool binary_sigmoid) const;
  std::vector<std::string> input_names() const;  // "sepal_length", "colour=red", ...
};

struct PreprocessOptions {
  std::vector<std::string> targets;      // names or 0-based indices; empty = the last column
  std::vector<std::string> categorical;  // feature columns to one-hot encode
  Scaling scaling = Scaling::Standard;
  enum class TaskChoice { Auto, Classification, Regression } task = TaskChoice::Auto;
  int max_classes = 20;  // integer targets with at most this many distinct values are classes
  // A regression's targets are standardised (mean 0, sd 1 over the training rows), unless the
  // output layer can only reach [output_low, output_high] (a sigmoid's [0, 1], a tanh's
  // [-1, 1]): then they are taken as they are, since standardised they would leave that range,
  // and a training target outside it is an error naming the cell. bounded_output names that
  // activation ("" = unbounded).
  std::string bounded_output;
  double output_low = 0, output_high = 0;
};

// The target columns' indices: the last column, or the ones named (or numbered) in options.
// Throws mlp::Error for a name that is not a column, a column named twice, or no feature left.
std::vector<std::size_t> target_columns(const csv::Table& table, const PreprocessOptions& options);

// The one place that decides whether a target is a set of classes: as options.task says, or for
// Auto, classification when the one target column is text or holds whole numbers with at most
// options.max_classes distinct values over all the table's rows; regression otherwise.
Task detect_task(const csv::Table& table, const PreprocessOptions& options);

// A class label as text: the cell as written, or the shortest form of a number ("1", "2.5").
std::string class_label(const csv::Column& column, std::size_t row);

// Decides the columns, the task (detect_task) and the class names, and fits scaling on `train_rows`.
// Throws mlp::Error (FILE:LINE:COLUMN where a cell is at fault) for a text feature column not
// listed as categorical, a target that is not a column, a single class, ...
Preprocessing fit_preprocessing(const csv::Table& table, const std::vector<std::size_t>& train_rows,
                                const PreprocessOptions& options);

// X (rows, input_size) for the given table rows. The table must have every feature column (by
// name; order and extra columns do not matter) — otherwise an error naming the missing ones.
Matrix make_inputs(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows);
// The same into X, which must be (rows.size(), input_size): for filling a large matrix a block of
// rows at a time without a second copy of each block. input_matrix makes such an X, uninitialised,
// in memory that is cheap to fill (huge pages where the system offers them).
Matrix input_matrix(Index rows, const Preprocessing& prep);
void make_inputs_into(const csv::Table& table, const Preprocessing& prep, const std::vector<std::size_t>& rows,
                      MatrixRef X);

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
