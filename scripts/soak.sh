#!/usr/bin/env bash
# Soak test, not part of CI: trains on a large generated CSV (default 3,000,000 rows x 50 numeric
# features and a regression target that depends on them, made on the fly in a temporary directory
# and removed at exit) for a few epochs with --checkpoint-every 1, under /usr/bin/time -v, and
# checks that
#   - the peak RSS stays within 1.5 x (data as float32 + model + Adam state) + 50 MB, where
#     data = rows x (features + targets) x 4 bytes (all rows, training and validation),
#     model = parameters x 4, Adam's state = 2 x parameters x 4;
#   - the checkpoint and the saved model load (mlp summary), and resuming from the checkpoint for
#     one more epoch works;
#   - LeakSanitizer finds no leak in a shorter run (train with checkpoints, then resume) of mlp
#     built with AddressSanitizer, LeakSanitizer and UBSan, as scripts/sanitize.sh builds it.
# It prints the peak RSS (and its anonymous and file-backed parts, sampled from /proc), the bound
# and their ratio, the seconds per epoch, the checkpoint's size and the time to write one.
# Builds go to build-soak/ (Release) and build-soak-asan/; build/ is left alone.
#
# Usage: scripts/soak.sh [--rows N] [--epochs N] [--threads N] [--no-lsan]
#                        [--lsan-rows N] [--lsan-epochs N] [--keep]
#   defaults: --rows 3000000 --epochs 3 --threads 1 --lsan-rows 200000 --lsan-epochs 2
#   --keep leaves the temporary directory (data, logs, checkpoints) in place and prints its path.
# Exit status: 0 when every check passed, 1 when one failed (each failure is named on stderr),
# 2 for a bad argument.
# With the defaults it takes about 2 minutes on 2 cores once both builds are up to date (building
# from scratch takes about 10 minutes for Release and 25 for the sanitizers), about 2.5 GB of
# memory and 1.2 GB of disk in $TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rows=3000000
epochs=3
threads=1
lsan=1
lsan_rows=200000
lsan_epochs=2
keep=0
features=50
while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-lsan) lsan=0; shift ;;
    --lsan-rows) lsan_rows=$2; shift 2 ;;
    --lsan-epochs) lsan_epochs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in rows epochs threads lsan_rows lsan_epochs; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "soak: --${v//_/-} needs a positive integer, not '${!v}'" >&2; exit 2; }
done

start=$SECONDS
step() { printf '\n== [%4ds] %s\n' $((SECONDS - start)) "$*"; }
failures=()
fail() { echo "soak: FAIL: $*" >&2; failures+=("$*"); }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlp-soak.XXXXXX")
cleanup() {
  if ((keep)); then echo "soak: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# ---- 1. tools and builds ------------------------------------------------------------------------
step "setup: packages (time for /usr/bin/time -v, gcc for the data generator)"
scripts/setup.sh time gcc
step "build: Release mlp in build-soak/"
cmake -S . -B build-soak -DCMAKE_BUILD_TYPE=Release -DMLP_BUILD_TESTS=OFF -DMLP_BUILD_BENCH=OFF \
  -DMLP_BUILD_EXAMPLES=OFF -DMLP_INSTALL=OFF >/dev/null
cmake --build build-soak -j"$(nproc)" --target mlp >/dev/null
mlp=$root/build-soak/mlp

# ---- 2. the data ------------------------------------------------------------------------------
# A tiny C program: awk takes minutes for a few million rows, this takes seconds. Features are
# uniform in [-1, 1) with 4 decimals; the target is a linear mix of them plus sin(3 x1) + x2 x3
# and a little noise, so a network has something to learn (R^2 well above 0).
step "data generator: compiling"
cat >"$tmp/gen.c" <<'EOF'
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static uint64_t s = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { s ^= s >> 12; s ^= s << 25; s ^= s >> 27; return s * 2685821657736338717ull; }
static long uniform(void) { return (long)(next() >> 40) % 20000 - 10000; } /* [-10000, 10000) */
static char *put(char *p, long v) { /* v / 10000 as [-]D.DDDD */
  if (v < 0) { *p++ = '-'; v = -v; }
  p += sprintf(p, "%ld.", v / 10000);
  long f = v % 10000;
  p[0] = (char)('0' + f / 1000); p[1] = (char)('0' + f / 100 % 10);
  p[2] = (char)('0' + f / 10 % 10); p[3] = (char)('0' + f % 10);
  return p + 4;
}
int main(int argc, char **argv) {
  if (argc != 4) return 2;
  long rows = atol(argv[1]); int nf = atoi(argv[2]); s += strtoull(argv[3], 0, 10);
  if (nf < 3 || nf > 200) return 2;
  static char buf[1 << 16]; char line[4096]; double x[200];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  for (int j = 0; j < nf; ++j) printf("x%d,", j + 1);
  printf("y\n");
  for (long r = 0; r < rows; ++r) {
    char *p = line; double y = 0;
    for (int j = 0; j < nf; ++j) {
      long v = uniform();
      x[j] = v / 10000.0;
      y += ((j % 5) - 2) * 0.25 * x[j];
      p = put(p, v); *p++ = ',';
    }
    y += sin(3 * x[0]) + x[1] * x[2] + 0.05 * uniform() / 10000.0;
    p = put(p, lround(y * 10000)); *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), stdout);
  }
  return fflush(stdout) != 0;
}
EOF
gcc -O2 -o "$tmp/gen" "$tmp/gen.c" -lm

step "data: generating $rows rows x $features features + 1 target"
data=$tmp/soak.csv
"$tmp/gen" "$rows" "$features" 1 >"$data"
data_file_bytes=$(stat -c %s "$data")
echo "$data: $(mb "$data_file_bytes") ($((data_file_bytes / rows)) bytes a row)"

# ---- 3. the long run, measured ------------------------------------------------------------------
# run_measured NAME CMD...: runs CMD under /usr/bin/time -v (report in $tmp/NAME.time), its output
# to the terminal and $tmp/NAME.log, and samples its RSS from /proc every 0.2 s into
# $tmp/NAME.rss ("seconds VmRSS RssAnon RssFile", kB). Returns CMD's exit status.
run_measured() {
  local name=$1; shift
  local log=$tmp/$name.log rss=$tmp/$name.rss
  : >"$log"; : >"$rss"
  /usr/bin/time -v -o "$tmp/$name.time" "$@" >"$log" 2>&1 &
  local tpid=$! cpid="" t0=$EPOCHREALTIME
  tail -n +1 -f --pid="$tpid" "$log" | sed 's/^/  | /' &
  local tail_pid=$!
  while kill -0 "$tpid" 2>/dev/null; do
    [[ -n $cpid ]] || cpid=$(pgrep -P "$tpid" | head -n1 || true)
    if [[ -n $cpid && -r /proc/$cpid/status ]]; then
      awk -v t="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" \
        '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } /^RssFile/ { f = $2 }
         END { if (r != "") print t, r, a, f }' "/proc/$cpid/status" >>"$rss" 2>/dev/null || true
    fi
    sleep 0.2
  done
  local status=0
  wait "$tpid" || status=$?
  wait "$tail_pid" 2>/dev/null || true
  return "$status"
}
peak_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/$1.time"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$tmp/$1.time"; }
# The sampled peaks of each RSS part, and the RSS in the last sample (the end of training).
rss_profile() {
  awk '{ if ($2 > r) { r = $2; rt = $1 } if ($3 > a) a = $3; if ($4 > f) f = $4; last = $2 }
       END { printf "sampled every 0.2 s: peak VmRSS %.1f MB at %.1f s (peak anonymous %.1f MB, peak file-backed %.1f MB); %.1f MB in the last sample\n",
             r * 1.024e-3, rt, a * 1.024e-3, f * 1.024e-3, last * 1.024e-3 }' "$tmp/$1.rss"
}

ck=$tmp/soak-checkpoint.json
model=$tmp/soak-model.json
step "train: $epochs epochs, --checkpoint-every 1, under /usr/bin/time -v"
if ! run_measured train "$mlp" train "$data" --epochs "$epochs" --checkpoint "$ck" --checkpoint-every 1 \
  --save "$model" --history "$tmp/history.csv" --threads "$threads" --seed 1; then
  fail "mlp train exited with an error (log above)"
fi

if [[ -s $tmp/history.csv && -s $ck ]]; then
  params=$(sed -n 's/^Total params: *\([0-9]*\).*/\1/p' "$tmp/train.log" | head -n1)
  train_rows=$(sed -n 's/^split: \([0-9]*\) train, \([0-9]*\) validation.*/\1/p' "$tmp/train.log")
  val_rows=$(sed -n 's/^split: \([0-9]*\) train, \([0-9]*\) validation.*/\2/p' "$tmp/train.log")
  peak=$(($(peak_kb train) * 1024))
  data_bytes=$((rows * (features + 1) * 4))
  model_bytes=$((params * 4))
  adam_bytes=$((2 * params * 4))
  bound=$(awk -v s=$((data_bytes + model_bytes + adam_bytes)) 'BEGIN { printf "%.0f", 1.5 * s + 50e6 }')
  fit_seconds=$(sed -n 's/^validation results ([0-9]* epochs*, \([0-9.]*\)s).*/\1/p' "$tmp/train.log")
  # Epoch times from the history (training and validation, without checkpointing); what fit()
  # spent beyond them is writing the checkpoints (and copying the best weights, which is tiny).
  read -r epoch_mean epoch_list epoch_sum < <(awk -F, 'NR > 1 { s += $6; n++; l = l (l ? "/" : "") sprintf("%.1f", $6) }
    END { printf "%.2f %s %.3f\n", s / n, l, s }' "$tmp/history.csv")
  ck_seconds=$(awk -v f="${fit_seconds:-nan}" -v e="$epoch_sum" -v n="$epochs" 'BEGIN { printf "%.2f", (f - e) / n }')
  echo
  echo "rows:               $rows ($train_rows train, $val_rows validation) x $features features + 1 target"
  echo "CSV file:           $(mb "$data_file_bytes")"
  echo "parameters:         $params"
  echo "data as float32:    $(mb "$data_bytes")   model: $(mb "$model_bytes")   Adam state: $(mb "$adam_bytes")"
  echo "bound:              $(mb "$bound")   (1.5 x the sum + 50 MB)"
  echo "peak RSS:           $(mb "$peak")   (/usr/bin/time -v)"
  echo "wall time:          $(wall train) (m:ss), of which fit() ${fit_seconds}s; the rest is reading the CSV, making the matrices, evaluating and saving"
  echo "ratio peak/bound:   $(awk -v p="$peak" -v b="$bound" 'BEGIN { printf "%.2f", p / b }')"
  echo "RSS profile:        $(rss_profile train)"
  echo "seconds per epoch:  $epoch_mean (epochs: $epoch_list s; training + validation)"
  echo "checkpoint:         $(mb "$(stat -c %s "$ck")"), about ${ck_seconds}s to write each (fit time ${fit_seconds}s - epoch times ${epoch_sum}s, / $epochs)"
  echo "saved model:        $(mb "$(stat -c %s "$model")")"
  if ((peak > bound)); then
    fail "peak RSS $(mb "$peak") exceeds the bound $(mb "$bound")"
  fi

  step "load: mlp summary of the checkpoint and of the saved model"
  for f in "$ck" "$model"; do
    if "$mlp" summary "$f" >"$tmp/summary.log" 2>&1; then
      echo "$(basename "$f"): loads ($(grep -c . "$tmp/summary.log") lines of summary)"
    else
      cat "$tmp/summary.log" >&2
      fail "mlp summary $(basename "$f") failed"
    fi
  done

  step "resume: one more epoch from the checkpoint (--epochs $((epochs + 1)))"
  if run_measured resume "$mlp" train "$data" --resume "$ck" --epochs $((epochs + 1)) \
    --save "$tmp/resumed-model.json" --history "$tmp/resumed-history.csv"; then
    done_epochs=$(($(wc -l <"$tmp/resumed-history.csv") - 1))
    if ((done_epochs == epochs + 1)) && grep -q "resuming from" "$tmp/resume.log"; then
      echo "resumed: the history has $done_epochs epochs; peak RSS $(mb $(($(peak_kb resume) * 1024))) ($(wall resume) wall)"
      echo "RSS profile:        $(rss_profile resume)"
    else
      fail "resume: expected $((epochs + 1)) epochs in the history and a 'resuming from' line, got $done_epochs"
    fi
  else
    fail "mlp train --resume exited with an error (log above)"
  fi
else
  fail "no history or checkpoint written: nothing to measure"
fi
((keep)) || rm -f "$data"  # the large file is not needed any more

# ---- 4. LeakSanitizer on a short run ------------------------------------------------------------
if ((lsan)); then
  step "build: mlp with AddressSanitizer + LeakSanitizer + UBSan in build-soak-asan/"
  flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  cmake -S . -B build-soak-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLP_NATIVE=OFF -DMLP_BUILD_TESTS=OFF \
    -DMLP_BUILD_BENCH=OFF -DMLP_BUILD_EXAMPLES=OFF -DMLP_INSTALL=OFF -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  cmake --build build-soak-asan -j"$(nproc)" --target mlp >/dev/null
  asan_mlp=$root/build-soak-asan/mlp
  export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

  # A leak on purpose first: LeakSanitizer can be silently unable to run (under ptrace, or where
  # the container forbids what it needs); then "no leak" below would mean nothing.
  step "lsan: checking that LeakSanitizer reports a deliberate leak"
  printf '#include <cstdlib>\nvoid* volatile p;\nint main() { p = std::malloc(4096); p = nullptr; return 0; }\n' >"$tmp/leak.cpp"
  g++ $flags -fsanitize=address,undefined -o "$tmp/leak" "$tmp/leak.cpp"
  if "$tmp/leak" 2>"$tmp/leak.log" || ! grep -q "ERROR: LeakSanitizer: detected memory leaks" "$tmp/leak.log"; then
    cat "$tmp/leak.log" >&2
    fail "LeakSanitizer did not report a deliberate leak: it does not work here, the check below is void"
  else
    echo "LeakSanitizer works: it reported the deliberate 4096-byte leak"
  fi

  step "lsan: data, $lsan_rows rows"
  "$tmp/gen" "$lsan_rows" "$features" 2 >"$tmp/lsan.csv"
  lsan_ck=$tmp/lsan-checkpoint.json
  lsan_clean=1
  # lsan_run NAME ARGS...: runs the sanitized mlp; a non-zero exit or any sanitizer report fails.
  lsan_run() {
    local name=$1; shift
    local t0=$SECONDS status=0
    "$asan_mlp" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
    if ((status != 0)) || grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$tmp/$name.err"; then
      sed 's/^/  | /' "$tmp/$name.err" | head -n 60 >&2
      fail "lsan: $name: exit status $status, sanitizer report above"
      lsan_clean=0
    else
      echo "$name: clean, exit 0 ($((SECONDS - t0)) s)"
    fi
  }
  step "lsan: train $lsan_epochs epochs with --checkpoint-every 1, then resume one more, then summary"
  lsan_run train train "$tmp/lsan.csv" --epochs "$lsan_epochs" --checkpoint "$lsan_ck" \
    --checkpoint-every 1 --save "$tmp/lsan-model.json" --seed 1 --quiet
  lsan_run resume train "$tmp/lsan.csv" --resume "$lsan_ck" --epochs $((lsan_epochs + 1)) --quiet
  lsan_run summary summary "$lsan_ck"
  ((lsan_clean)) && echo "LeakSanitizer: no leak, no ASan/UBSan report"
fi

step "done in $((SECONDS - start)) s"
if ((${#failures[@]})); then
  printf 'soak: %d check(s) failed:\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "soak: all checks passed"
