#!/usr/bin/env bash
# Installs what is missing, builds mlp, and trains a network on the bundled iris data set,
# printing its progress and the accuracy on a held-out test set; the model and a report page
# (open build/iris-report.html in a browser) land in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/mlp train datasets/iris.csv --seed 1 --test-split 0.2 --save build/iris-model.json --report build/iris-report.html "$@"
