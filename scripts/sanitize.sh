#!/usr/bin/env bash
# Builds mlp and its test suite with AddressSanitizer (and LeakSanitizer) and
# UndefinedBehaviorSanitizer, in build-asan/, and runs the suite through ctest: any out-of-bounds
# access, use after free, leak or undefined behaviour (signed overflow, a misaligned or null
# access, a shift too far, a float cast out of range...) fails the test it happens in.
#
# Left out, each for a reason: bench_quick (timings, meaningless under the sanitizers' 2-3x),
# install_and_consume (it builds another project against the installed libraries, which would need
# the sanitizer runtimes too). The allocation-counting tests skip themselves: they interpose
# malloc, which is AddressSanitizer's to interpose.
#
# Usage: scripts/sanitize.sh [ctest options...]   e.g. scripts/sanitize.sh -R cli
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
build=$root/build-asan
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLP_NATIVE=OFF -DMLP_BUILD_BENCH=ON \
  -DMLP_INSTALL=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j"$(nproc)"
# allocator_may_return_null: mlp reports an allocation too large for the machine (std::bad_alloc)
# as an error; ASan would abort instead of letting operator new throw.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j"$(nproc)" -E "^(bench_quick|install_and_consume)$" --timeout 1200 "$@"
