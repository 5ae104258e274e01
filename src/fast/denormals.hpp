// Denormal (subnormal) floats: below 1.2e-38 in float, a number loses precision gradually instead
// of becoming 0, and on x86 every operation on one costs ~100 cycles instead of ~4. Training makes
// them: a weight whose gradient is exactly 0 (a dead ReLU unit, an input pixel that is always 0)
// has Adam moment estimates that decay by β each step, and m = 0.9ᵗ·m₀ is denormal after ~800
// steps. The update of those weights then runs ~25x slower, and XOR with saturated units spent
// most of its time there.
//
// FlushDenormals sets the thread's flush-to-zero (results that would be denormal become 0) and
// denormals-are-zero (denormal inputs read as 0) flags for its lifetime, and puts the previous
// flags back when it ends, so a program calling mlp keeps its own floating-point mode. The
// difference is below 1.2e-38 (float) or 2.2e-308 (double): no gradient check can see it. PyTorch
// offers the same as torch.set_flush_denormal(True); there it is off by default.
// A no-op on CPUs other than x86 with SSE.
#pragma once

#include "mlp/types.hpp"  // MLP_SCALAR_NAMESPACE

#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

class FlushDenormals {
 public:
#if defined(__SSE__) || defined(_M_X64)
  FlushDenormals() : saved_(_mm_getcsr()) {
    constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;  // MXCSR bits 15 and 6
    if ((saved_ & (kFlushToZero | kDenormalsAreZero)) != (kFlushToZero | kDenormalsAreZero))
      _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  }
  ~FlushDenormals() {
    if (_mm_getcsr() != saved_) _mm_setcsr(saved_);
  }

 private:
  unsigned saved_;
#else
  FlushDenormals() = default;
#endif

 public:
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
