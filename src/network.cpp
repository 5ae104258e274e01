// The sequential network: forward through the layers, loss, backward in reverse, update.
#include "mlp/network.hpp"

#include "mlp/error.hpp"

#include "fast/denormals.hpp"
#include "fast/parallel_dense.hpp"

#include <algorithm>
#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

Network::Network(Index input_size, std::uint64_t seed, Path path) : input_size_(input_size), rng_(seed), path_(path) {
  if (input_size <= 0) throw Error("a network needs at least one input");
}

Dense& Network::add_dense(Index units, const Activation& activation) {
  return add_dense(units, activation, activation.info->default_init);
}

Dense& Network::add_dense(Index units, const Activation& activation, InitKind init) {
  if (units <= 0) throw Error("a layer needs at least one unit (got " + std::to_string(units) + ")");
  // The same layer either way; the fast one computes it split between threads (network.hpp).
  std::unique_ptr<Dense> layer;
  if (path_ == Path::Fast)
    layer = std::make_unique<fast::ParallelDense>(output_size(), units, activation, init, rng_);
  else
    layer = std::make_unique<Dense>(output_size(), units, activation, init, rng_);
  layer->name = "dense_" + std::to_string(++dense_count_);
  layer->compute_input_gradient = !layers_.empty();
  Dense& ref = *layer;
  layers_.push_back(std::move(layer));
  output_ = &ref;
  params_.clear();
  for (auto& l : layers_) l->parameters(params_);
  return ref;
}

Dense& Network::add_dense(Index units, const std::string& spec) { return add_dense(units, parse_activation(spec)); }

Dropout& Network::add_dropout(double rate) {
  auto layer = std::make_unique<Dropout>(output_size(), rate);
  layer->name = "dropout_" + std::to_string(++dropout_count_);
  Dropout& ref = *layer;
  layers_.push_back(std::move(layer));
  output_ = nullptr;
  return ref;
}

void Network::set_loss(const Loss& loss) {
  loss_ = loss;
  check_loss_fits();
}

void Network::set_optimizer(std::unique_ptr<Optimizer> optimizer) { optimizer_ = std::move(optimizer); }

Index Network::output_size() const { return layers_.empty() ? input_size_ : layers_.back()->output_size(); }

Index Network::parameter_count() const {
  Index n = 0;
  for (const auto& l : layers_) n += l->parameter_count();
  return n;
}

Dense& Network::output_layer() {
  Dense* d = output_;
  if (!d) throw Error("the last layer of the network must be a Dense layer");
  return *d;
}
const Dense& Network::output_layer() const { return const_cast<Network*>(this)->output_layer(); }

void Network::check_loss_fits() const {
  if (!loss_.info || layers_.empty()) return;
  loss_.check_class_weight(output_layer().output_size());
  if (!loss_.info->output_activation) return;
  const char* have = output_layer().activation.name();
  if (std::string(have) != loss_.info->output_activation)
    throw Error(std::string("loss '") + loss_.name() + "' is computed from logits and needs a '" +
                loss_.info->output_activation + "' output activation (the output layer has '" + have + "')");
}

ConstMatrixView Network::forward(const ConstMatrixRef& X, bool training) {
  if (layers_.empty()) throw Error("the network has no layers");
  if (X.cols() != input_size_)
    throw Error("the network takes " + std::to_string(input_size_) + " inputs, got " + std::to_string(X.cols()));
  batch_ = X.rows();
  layers_[0]->forward(X, training, rng_);
  for (std::size_t i = 1; i < layers_.size(); ++i) layers_[i]->forward(layers_[i - 1]->output(), training, rng_);
  return layers_.back()->output();
}

// The loss's input: the logits Z of the output layer, or its activation A.
static ConstMatrixView loss_input(const Dense& out, const Loss& loss) {
  return loss.info->from_logits ? out.Z() : out.A();
}

Scalar Network::loss_of_last_forward(const ConstMatrixRef& Y) const {
  if (!loss_.info) throw Error("the network has no loss");
  return loss_.value(loss_input(output_layer(), loss_), Y);
}

// Layer i's input: X for the first layer, the previous layer's output for the others.
ConstMatrixRef Network::input_of(std::size_t i, const ConstMatrixRef& X) const {
  return i == 0 ? X : ConstMatrixRef(layers_[i - 1]->output());
}

// The chain rule through the whole network, last layer first: the loss gives ∂L/∂P for the
// output P, each layer turns its dY = ∂L/∂Y into its parameter gradients and dX = ∂L/∂X, and
// one layer's dX is the dY of the layer before it.
void Network::backward(const ConstMatrixRef& X, const ConstMatrixRef& Y) {
  if (!loss_.info) throw Error("the network has no loss");
  Dense& out = output_layer();
  const std::size_t last = layers_.size() - 1;
  MatrixView dP = batch_view(dP_, batch_, out.output_size());
  loss_.gradient(loss_input(out, loss_), Y, dP);  // dP = ∂L/∂P  (B, outputs)

  // A loss from logits (cross-entropy, bce) gives ∂L/∂Z of the output layer directly: the
  // softmax's or sigmoid's derivative is already inside P − Y.
  if (loss_.info->from_logits)
    out.backward_from_logits(input_of(last, X), dP);
  else
    out.backward(input_of(last, X), dP);
  for (std::size_t i = last; i-- > 0;)
    layers_[i]->backward(input_of(i, X), layers_[i + 1]->input_gradient());  // dY of i = dX of i + 1
}

Scalar Network::train_step(const ConstMatrixRef& X, const ConstMatrixRef& Y) {
  if (!optimizer_) throw Error("the network has no optimizer");
  const fast::FlushDenormals flush;  // tiny numbers become 0, not 25x slower (src/fast/denormals.hpp)
  forward(X, true);
  const Scalar loss = loss_of_last_forward(Y);
  backward(X, Y);
  optimizer_->step(params_);
  return loss;
}

Matrix Network::predict(const ConstMatrixRef& X) {
  Matrix out(X.rows(), output_size());
  const Index chunk = 256;
  for (Index r = 0; r < X.rows(); r += chunk) {
    const Index n = std::min(chunk, X.rows() - r);
    out.middleRows(r, n) = forward(X.middleRows(r, n), false);
  }
  return out;
}

// Each chunk's mean counts by its weight (its rows, or with class weights their sum), so the result
// is the mean over all rows, whatever the chunks: Σ w_i L_i / Σ w_i.
double Network::evaluate_loss(const ConstMatrixRef& X, const ConstMatrixRef& Y) {
  double total = 0.0, weight = 0.0;
  const Index chunk = 256;
  for (Index r = 0; r < X.rows(); r += chunk) {
    const Index n = std::min(chunk, X.rows() - r);
    forward(X.middleRows(r, n), false);
    const double w = loss_.weight(Y.middleRows(r, n));
    total += static_cast<double>(loss_of_last_forward(Y.middleRows(r, n))) * w;
    weight += w;
  }
  return X.rows() ? total / weight : 0.0;
}

std::vector<double> Network::row_losses(const ConstMatrixRef& X, const ConstMatrixRef& Y) {
  if (!loss_.info) throw Error("the network has no loss");
  Loss plain = loss_;
  plain.class_weight.resize(0);
  std::vector<double> losses(static_cast<std::size_t>(X.rows()));
  const Index chunk = 256;
  for (Index r = 0; r < X.rows(); r += chunk) {
    const Index n = std::min(chunk, X.rows() - r);
    forward(X.middleRows(r, n), false);
    const ConstMatrixView P = loss_input(output_layer(), loss_);
    for (Index i = 0; i < n; ++i) losses[static_cast<std::size_t>(r + i)] = plain.value(P.row(i), Y.row(r + i));
  }
  return losses;
}

std::string Network::summary() const {
  std::string s;
  char line[160];
  std::snprintf(line, sizeof line, "%-22s %-14s %10s  %s\n", "Layer (type)", "Output shape", "Param #", "Activation");
  s += line;
  s += std::string(66, '=') + "\n";
  std::snprintf(line, sizeof line, "%-22s %-14s %10d  %s\n", "input",
                ("(B, " + std::to_string(input_size_) + ")").c_str(), 0, "");
  s += line;
  for (const auto& l : layers_) {
    const std::string name = l->name + " (" + l->type() + ")";
    const std::string shape = "(B, " + std::to_string(l->output_size()) + ")";
    std::snprintf(line, sizeof line, "%-22s %-14s %10lld  %s\n", name.c_str(), shape.c_str(),
                  static_cast<long long>(l->parameter_count()), l->describe().c_str());
    s += line;
  }
  s += std::string(66, '=') + "\n";
  s += "Total params: " + std::to_string(parameter_count()) + "\n";
  if (loss_.info) s += "Loss: " + loss_.spec() + "\n";
  return s;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
