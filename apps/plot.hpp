// The pictures of `mlp plot`, as figures (mlp/io/svg.hpp) built from what mlp writes: activation
// curves from the activation table, training curves from a --history file, per-layer curves from a
// --diagnostics file, decision regions from a model and a CSV. `mlp train --report` draws the same
// figures into its HTML page.
#pragma once

#include "mlp/activation.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/model.hpp"
#include "mlp/io/svg.hpp"

#include <string>
#include <vector>

namespace mlp::app {

// f of each activation over [lo, hi]; with derivative, f′ beside it. grid: one small panel per
// activation instead (f solid, f′ dashed), as textbooks draw them.
svg::Figure activation_figure(const std::vector<Activation>& activations, double lo, double hi, bool derivative,
                              bool grid);

// Loss beside the metric (accuracy or R²), training and validation, per epoch. `text` is the content
// of a --history file, `path` its name for messages and the title.
svg::Figure history_figure(const std::string& text, const std::string& path);

// Per hidden layer, per epoch: the share of dead units beside the gradient norm ‖dW‖ (a log
// axis), and the share of saturated units when any layer has some. `text`: a --diagnostics file.
svg::Figure diagnostics_figure(const std::string& text, const std::string& path);

// A model on a data set: for two numeric feature columns and classes, the predicted class over a
// grid covering the data (coloured cells, paler where the model is less sure) with the points on
// top; for one numeric feature column and a regression, the fitted curve over the points.
// Throws mlp::Error naming the model's feature columns for any other model.
svg::Figure boundary_figure(Network& net, const Preprocessing& prep, const csv::Table& data, int resolution = 150);

// Whether boundary_figure can draw this model (two numeric features and classes, or one and a
// regression target).
bool can_draw_boundary(const Preprocessing& prep);

}  // namespace mlp::app
