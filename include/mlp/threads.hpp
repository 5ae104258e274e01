// How many threads the training step uses. One by default; with OpenMP, `set_threads(2)` lets
// each Dense layer split its units between two threads (src/fast/ explains how). Without OpenMP
// the count stays 1.
#pragma once

namespace mlp {

// Sets the number of threads (>= 1) for all later steps; clamps to what OpenMP offers.
void set_threads(int n);
int threads();

}  // namespace mlp
