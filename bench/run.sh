#!/usr/bin/env bash
# The benchmark: mlp against a plain Eigen loop, PyTorch, pandas and numpy (see bench/README.md).
#   bench/run.sh [--rounds N]   installs what it needs (Debian packages), builds Release, runs
#                               everything and writes bench/RESULTS.md and bench/results.svg
#   bench/run.sh --quick        under a minute, no root, no network, no build unless a program is
#                               missing: the smoke test ctest runs (writes build/bench-quick/)
# Other options go to bench/run.py (--build-dir DIR, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for a in "$@"; do
  if [ "$a" = "--quick" ]; then quick=1; fi
done
if [ "$quick" = 0 ]; then
  # libopenblas0-pthread: without it Debian's PyTorch falls back to the reference BLAS (~13x
  # slower on W2, a false win for mlp); run.py checks which BLAS torch really loaded.
  scripts/setup.sh python3 python3-torch python3-numpy python3-pandas dataset-fashion-mnist hyperfine \
    libopenblas0-pthread time
  scripts/build.sh
fi
# /usr/bin/python3, not the python3 on PATH (which may be a pyenv Python without Debian's torch).
if [ ! -x /usr/bin/python3 ]; then
  echo "bench: skipped: /usr/bin/python3 is missing (bench/run.sh without --quick installs it)" >&2
  exit 0
fi
exec /usr/bin/python3 bench/run.py "$@"
