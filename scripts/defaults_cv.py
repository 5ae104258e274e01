#!/usr/bin/env python3
"""A measurement for the next change to the defaults, not the defaults: the weight decay and the epoch
of the network (64,32) chosen by 5-fold cross-validation on the training rows instead of on one
validation split of 20 %, then a refit on every training row for round(1.25 E) epochs.

For each fold f (training rows i % 5 == f), for each weight decay 1e-4, 1e-3, 1e-2, 1e-1: one
200-epoch run on the other four fifths with the fold as --val, its validation loss per epoch from
--history. The (weight decay, epoch) whose validation loss, averaged over the five folds, is lowest
wins. Emulated with `mlp train` runs; the network only (no linear model beside it).

Uses the held-out splits that scripts/defaults_unseen.py (--dir DIR) or scripts/defaults_study.py
write: DIR/NAME_kK_train.csv and DIR/NAME_kK_test.csv, K = 0, 1, 2; seeds 1-5. Prints the mean
held-out metric (accuracy, or R²) of the cross-validated choice and of `mlp train`'s defaults on
the same rows, and their paired difference in points ± its standard error.

  python3 scripts/defaults_cv.py build/mlp build-defaults/unseen fgl
"""
import subprocess, json, sys, statistics, math, csv, os, concurrent.futures
mlp, d, name = sys.argv[1], sys.argv[2], sys.argv[3]
W = [1e-4, 1e-3, 1e-2, 1e-1]
def run(args):
    return subprocess.run([mlp] + args, capture_output=True, text=True, check=True).stdout
def one(k, s):
    tr = f"{d}/{name}_k{k}_train.csv"; te = f"{d}/{name}_k{k}_test.csv"
    lines = open(tr).read().splitlines(); head, rows = lines[0], lines[1:]
    tmp = os.path.join(d, "cv", f"{name}_{k}_{s}"); os.makedirs(tmp, exist_ok=True)
    curves = {}
    for f in range(5):
        fo, re = f"{tmp}/f{f}.csv", f"{tmp}/r{f}.csv"
        open(fo, "w").write("\n".join([head] + [r for i, r in enumerate(rows) if i % 5 != f]) + "\n")
        open(re, "w").write("\n".join([head] + [r for i, r in enumerate(rows) if i % 5 == f]) + "\n")
        for w in W:
            h = f"{tmp}/h{f}_{w}.csv"
            run(["train", fo, "--val", re, "--layers", "64,32", "--epochs", "200", "--early-stopping", "0",
                 "--weight-decay", str(w), "--seed", str(s), "-q", "--history", h])
            v = [float(x["val_loss"]) for x in csv.DictReader(open(h))]
            curves.setdefault(w, []).append(v)
    best = min(((statistics.fmean(c[e] for c in curves[w]), w, e + 1) for w in W for e in range(200)))
    _, w, E = best
    j = json.loads(run(["train", tr, "--test", te, "--layers", "64,32", "--val-split", "0", "--epochs", str(max(1, round(1.25 * E))),
                        "--weight-decay", str(w), "--seed", str(s), "--json", "-q"]))
    m = j["accuracy"] if j["task"] == "classification" else j["metrics"]["test"]["r2"]
    dj = json.loads(run(["train", tr, "--test", te, "--seed", str(s), "--json", "-q"]))
    dm = dj["accuracy"] if dj["task"] == "classification" else dj["metrics"]["test"]["r2"]
    return m, dm, w, E
jobs = [(k, s) for k in (0, 1, 2) for s in (1, 2, 3, 4, 5)]
with concurrent.futures.ThreadPoolExecutor(2) as ex: res = list(ex.map(lambda a: one(*a), jobs))
dd = [100 * (a - b) for a, b, _, _ in res]
print(f"{name}: cv {statistics.fmean(r[0] for r in res):.3f}  defaults {statistics.fmean(r[1] for r in res):.3f}  "
      f"cv - defaults {statistics.fmean(dd):+.2f} ± {statistics.stdev(dd)/math.sqrt(len(dd)):.2f}  "
      f"E {[r[3] for r in res]}", flush=True)
