#!/usr/bin/env python3
"""Pairs the runs of two binaries that scripts/defaults_unseen.py recorded (--out A.json, --out
B.json): for each data set, B's mean held-out metric (accuracy, or R²), and in points ± the standard
error over the (split, seed) pairs: B − A for the defaults and for --layers none, B − its own
--layers none, B − scikit-learn's MLP (the mean over seeds of each split); and each binary's median
seconds a run.

  python3 scripts/defaults_pair.py build-defaults/before.json build-defaults/after.json

Two records of scripts/defaults_study.py (--out) pair the same way, given the candidate (its
linear twin, CANDIDATE+lin, is the --layers none column; scikit-learn's is left out there):

  python3 scripts/defaults_pair.py before-study.json after-study.json default
"""
import json
import math
import statistics
import sys


def study(path, candidate):
    """scripts/defaults_study.py's --out, as defaults_unseen.py's records: {set: {"runs": [...]}}."""
    out = {}
    for r in json.load(open(path))["runs"].values():
        if r.get("candidate") in (candidate, candidate + "+lin"):
            out.setdefault(r["set"], {"runs": []})["runs"].append(
                {"split": r["split"], "seed": r["seed"], "metric": r["metric"], "seconds": r.get("wall", 0),
                 "layers": "none" if r["candidate"].endswith("+lin") else "default"})
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    if len(sys.argv) == 4:  # two records of scripts/defaults_study.py, and the candidate to pair
        a_all, b_all = study(sys.argv[1], sys.argv[3]), study(sys.argv[2], sys.argv[3])
    else:
        a_all, b_all = (json.load(open(p)) for p in sys.argv[1:3])

    def se(x):
        return statistics.stdev(x) / math.sqrt(len(x)) if len(x) > 1 else 0.0

    for name, b_rec in b_all.items():
        if name not in a_all:
            continue
        by = lambda rec, layers: {(r["split"], r["seed"]): r for r in rec["runs"] if r["layers"] == layers}
        a, b = by(a_all[name], "default"), by(b_rec, "default")
        al, bl = by(a_all[name], "none"), by(b_rec, "none")
        keys = sorted(set(a) & set(b) & set(al) & set(bl))
        if not keys:
            continue
        pts = lambda x, y: [100 * (x[k]["metric"] - y[k]["metric"]) for k in keys]
        sk = {s["split"]: s["mlp"] for s in b_rec.get("sklearn", [])}
        dsk = [100 * (b[k]["metric"] - sk[k[0]]) for k in keys if k[0] in sk]
        cell = lambda d: f"{statistics.fmean(d):+.2f} ± {se(d):.2f}" if d else "–"
        print(f"{name:10s} {statistics.fmean(b[k]['metric'] for k in keys):.3f}  B−A {cell(pts(b, a))}  "
              f"linear B−A {cell(pts(bl, al))}  B−linear {cell(pts(b, bl))}  B−sklearn MLP {cell(dsk)}  "
              f"seconds {statistics.median(a[k]['seconds'] for k in keys):.2f} → "
              f"{statistics.median(b[k]['seconds'] for k in keys):.2f}")


if __name__ == "__main__":
    main()
