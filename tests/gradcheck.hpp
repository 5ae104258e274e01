// The gradient checker of the tests is the library's (include/mlp/gradcheck.hpp, src/gradcheck.cpp),
// which `mlp gradcheck` runs too; here it is only pinned to the double build.
#pragma once

#include "mlp/gradcheck.hpp"

static_assert(sizeof(mlp::Scalar) == 8, "gradient checks run on the double build (mlp_engine_f64)");

namespace gradcheck = mlp::gradcheck;
