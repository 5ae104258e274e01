// The activation table: every activation mlp knows, each one row with its name, documentation,
// optional parameter, and forward/backward side by side. Everything else (name parsing, the CLI's
// choices, the model file, the docs listing, the gradient-check tests) iterates this table, so a
// new activation is one new row in src/activation.cpp and nothing more.
#pragma once

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
  const char* name;     // "alpha", "beta"
  double default_value;
  double min_value;     // valid range, inclusive; checked when parsing "leaky_relu:0.3"
  double max_value;
  Learnable learnable;
};

// A = f(Z), elementwise (or row-wise for softmax). p is the (1, units) parameter row; it is empty
// for activations without one. Shapes: Z, A (B, units).
using ActivationForward = void (*)(const ConstMatrixRef& Z, const ConstRowRef& p, MatrixRef A);

// dZ = dA ⊙ f′(Z), given the forward's Z and A (the derivative may use either: sigmoid′ = A(1−A)).
// When dp is not null the parameter's gradient Σ_batch dA ⊙ ∂f/∂p is added to it (1, units).
using ActivationBackward = void (*)(const ConstMatrixRef& Z, const ConstMatrixRef& A, const ConstRowRef& p,
                                    const ConstMatrixRef& dA, MatrixRef dZ, RowVector* dp);

// Weight initialisation that suits an activation (see init.hpp).
enum class InitKind { HeNormal, HeUniform, XavierNormal, XavierUniform, LecunNormal, LecunUniform };

struct ActivationInfo {
  const char* name;      // canonical name, as written in a spec and in the model file
  const char* alias;     // another accepted name ("silu" for swish), or nullptr
  const char* formula;   // f(x), in plain text
  const char* derivative;
  const char* range;     // the output range
  const char* use;       // when to use it, one sentence
  bool has_param;
  ActivationParam param;
  InitKind default_init;
  bool output_only;      // softmax: only meaningful on the output layer
  bool kinked;           // has a point where f′ jumps (gradient checks keep inputs away from 0)
  ActivationForward forward;
  ActivationBackward backward;
  bool rowwise = false;  // softmax: each output depends on its whole row, not on one input
};

// The table itself, in documentation order.
const std::vector<ActivationInfo>& activations();

// A parsed activation spec: "relu", "leaky_relu:0.3", "elu:0.5", "swish:1.5:learn", "prelu".
struct Activation {
  const ActivationInfo* info = nullptr;
  double param = 0.0;     // the (initial) parameter value when info->has_param
  bool learn = false;     // the parameter is learned (always for prelu)

  std::string spec() const;  // canonical text form, parses back to the same Activation
  const char* name() const { return info->name; }
};

// Parses a spec; throws mlp::Error naming the valid activations, or the valid parameter range.
Activation parse_activation(const std::string& spec);

// "identity, relu, leaky_relu[:alpha=0.01], ..." for help texts and error messages.
std::string activation_names();

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
