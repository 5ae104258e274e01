#!/usr/bin/env bash
# Fuzzes the parsers of what users hand mlp, with libFuzzer under AddressSanitizer and
# UndefinedBehaviorSanitizer (Debian's clang): the CSV reader and the preprocessing after it, the
# model-file loader, the command line's spec parsers and the config-file reader (tests/fuzz/).
# Each target runs for a bounded time from a seed corpus (tests/fuzz/seeds/: a few CSVs, model
# files, configs and one spec of every kind; the bundled data sets too for the CSV reader); the
# corpus it grows is kept in build-fuzz/corpus/ for the next run. A crash, leak, timeout or
# sanitizer report stops the target and leaves its input in build-fuzz/findings/: fix it and copy
# the input to tests/fuzz/regressions/TARGET/, which ctest replays on every build (fuzz_replay_*).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s each; targets: csv model specs config)
# Exit status: 0 when every target ran its time clean, 1 when one found something.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(csv model specs config)

scripts/setup.sh clang  # clang-14 brings libFuzzer and the sanitizer runtimes
build=$root/build-fuzz
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLP_NATIVE=OFF \
  -DMLP_BUILD_FUZZ=ON -DMLP_BUILD_TESTS=OFF -DMLP_BUILD_BENCH=OFF -DMLP_BUILD_APP=OFF \
  -DMLP_BUILD_EXAMPLES=OFF -DMLP_INSTALL=OFF \
  -DCMAKE_CXX_FLAGS="$sanitize -fsanitize=fuzzer-no-link" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Seeds: tests/fuzz/seeds/T and every earlier finding (tests/fuzz/regressions/T), and for the CSV
# reader the bundled data sets too. A target's input is one byte of options, then the text.
corpus=$build/corpus
for t in "${targets[@]}"; do
  mkdir -p "$corpus/$t"
  find "tests/fuzz/seeds/$t" "tests/fuzz/regressions/$t" -type f ! -name .keep -exec cp {} "$corpus/$t/" \;
done
if [[ -d $corpus/csv ]]; then
  for f in datasets/*.csv; do { printf '\000'; head -c 65535 "$f"; } >"$corpus/csv/$(basename "$f")"; done
fi

status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/findings/$t"
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" "$corpus/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$build/findings/$t/" -print_final_stats=1 \
    >"$build/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t found something: $build/fuzz_$t.log, input in $build/findings/$t/" >&2
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE" "$build/fuzz_$t.log" || true
  echo "corpus: $(ls "$corpus/$t" | wc -l) inputs"
done
exit $status
