#!/usr/bin/env bash
# examples/to_pytorch.py must reproduce `mlp predict`'s outputs within 1e-5, for a classifier and a
# regressor. Skipped (exit 77) when Debian's python3-torch is not installed.
set -euo pipefail
mlp=$1
src=$2
py=/usr/bin/python3
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch is not installed: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
check() {  # data, extra train options...
  local data=$1; shift
  "$mlp" train "$src/datasets/$data" --seed 3 --epochs 20 --quiet --save "$dir/m.json" "$@" >/dev/null
  local proba=--proba  # a classifier's probabilities; a regression model has none
  [ "$data" = diabetes.csv ] && proba=
  "$mlp" predict "$dir/m.json" "$src/datasets/$data" $proba -o "$dir/mlp.csv"
  "$py" "$src/examples/to_pytorch.py" "$dir/m.json" "$src/datasets/$data" > "$dir/torch.csv"
  "$py" - "$dir/mlp.csv" "$dir/torch.csv" <<'PY'
import csv, sys
mlp = list(csv.reader(open(sys.argv[1])))
torch = list(csv.reader(open(sys.argv[2])))
assert len(mlp) == len(torch) and len(mlp) > 1, (len(mlp), len(torch))
# mlp's columns: prediction, p_class... (classification) or the targets (regression)
skip = 1 if mlp[0][0] == "prediction" else 0
worst = 0.0
for a, b in zip(mlp[1:], torch[1:]):
    xs = [float(v) for v in a[skip:]]
    ys = [float(v) for v in b]
    assert len(xs) == len(ys), (a, b)
    worst = max(worst, max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(xs, ys)))
print(f"{sys.argv[1]}: worst difference {worst:.2e}")
assert worst < 1e-5, worst
PY
}
check iris.csv --layers 16:prelu,8:swish:1:learn
check breast_cancer.csv --layers 16:gelu --dropout 0.2
check diabetes.csv --layers 16:elu:0.5,8:tanh
check wine.csv --layers 16:mish,12:celu:0.5,8:gelu_tanh
check moons.csv --layers 16:hardswish,12:relu6,8:softsign,8:hardtanh,8:hardsigmoid
echo "to_pytorch reproduces mlp predict within 1e-5"
