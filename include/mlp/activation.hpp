// The activation table: every activation mlp knows, each one entry in src/activation.cpp that
// names its fields: formula, derivative, range, use, parameter, default initialisation, kinks, and
// the forward and backward code side by side. Everything else (name parsing, the CLI's choices, the
// model file, `mlp activations`, the docs, the gradient checks) iterates the table, so a new
// activation is one new entry and nothing more.
#pragma once

#include "mlp/init.hpp"
#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// Whether an activation's parameter may, must, or must not be learned by gradient descent.
enum class Learnable { Never, Optional, Always };

// An activation's (at most one) parameter. It is stored per unit as a (1, units) row vector,
// so a learned one (PReLU's slope, Swish's beta) has one value per unit, as in torch.nn.PReLU(n).
struct ActivationParam {
  const char* name = nullptr;  // "alpha", "beta"; nullptr: the activation has no parameter
  double default_value = 0.0;
  double min_value = 0.0;  // valid range, inclusive; checked when parsing "leaky_relu:0.3"
  double max_value = 0.0;
  Learnable learnable = Learnable::Never;
};

// A = f(Z), elementwise (or row-wise for softmax). p is the (1, units) parameter row; it is empty
// for activations without one. Shapes: Z, A (B, units).
using ActivationForward = void (*)(const ConstMatrixRef& Z, const ConstRowRef& p, MatrixRef A);

// What an activation's backward reads and writes.
struct ActivationGrad {
  ConstMatrixRef Z;   // (B, units) the forward's input
  ConstMatrixRef A;   // (B, units) the forward's output f(Z): sigmoid′ = A(1 − A) reuses it
  ConstRowRef p;      // (1, units) the parameter; empty without one
  ConstMatrixRef dA;  // (B, units) ∂L/∂A
  MatrixRef dZ;       // (B, units) out: ∂L/∂Z = dA ⊙ f′(Z)
  RowVector* dp;      // (1, units) out, when the parameter is learned: += Σ_batch dA ⊙ ∂f/∂p
};
using ActivationBackward = void (*)(ActivationGrad& g);

struct ActivationInfo {
  const char* name = nullptr;        // canonical name, as written in a spec and in the model file
  const char* alias = nullptr;       // another accepted name ("silu" for swish), or nullptr
  const char* formula = nullptr;     // f(x), in plain text: the one place it is written
  const char* derivative = nullptr;  // f'(x), and df/dp for a parameter
  const char* range = nullptr;       // the output range
  const char* use = nullptr;         // when to use it, one sentence
  ActivationParam param;             // its parameter, if param.name is set
  InitKind default_init = InitKind::XavierUniform;
  // Where f′ jumps ({0} for the ReLU family, {0, 6} for relu6; a test checks them against f′
  // itself). The gradient checks keep their inputs away from them, where a finite difference is
  // meaningless; a flat piece, where a unit can die, can only begin at one.
  std::vector<double> kinks;
  bool smooth() const { return kinks.empty(); }
  // false for softmax, whose every output depends on its whole row: a layer cannot split such
  // an activation's units between threads, nor treat its rows as one long vector.
  bool elementwise = true;
  bool output_only = false;  // softmax: only meaningful on the output layer
  ActivationForward forward = nullptr;
  ActivationBackward backward = nullptr;

  bool has_param() const { return param.name != nullptr; }
};

// The table itself, in documentation order.
const std::vector<ActivationInfo>& activations();

// A parsed activation spec: "relu", "leaky_relu:0.3", "elu:0.5", "swish:1.5:learn", "prelu".
struct Activation {
  const ActivationInfo* info = nullptr;
  double param = 0.0;  // the (initial) parameter value when info->has_param()
  bool learn = false;  // the parameter is learned (always for prelu)

  std::string spec() const;  // canonical text form, parses back to the same Activation
  const char* name() const { return info->name; }
};

// Parses a spec; throws mlp::Error naming the valid activations, or the valid parameter range.
Activation parse_activation(const std::string& spec);

// "identity, relu, leaky_relu[:alpha=0.01], ..." for help texts and error messages.
std::string activation_names(bool hidden_only = false);  // hidden_only: without softmax and the other output-only ones

// f(x) and f′(x) of an elementwise activation at each point of x, computed as a layer computes
// them: forward on one (1, n) row with the parameter in every unit, then backward with dA = 1, so
// f′ is what backprop uses, kinks included (relu′(0) = 0). What `mlp activations --at` prints and
// the tests compare with PyTorch. Throws mlp::Error for softmax, which has no value at a point.
struct ActivationValues {
  std::vector<double> f, df;  // (n) each
};
ActivationValues activation_values(const Activation& act, const std::vector<double>& x);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
