#!/usr/bin/env python3
"""Which defaults should `mlp train DATA.csv` use?  Measures candidate settings on held-out rows.

For every bundled data set (datasets/*.csv, target = last column, task detected by mlp) and every
held-out split k (held-out rows: data-row index % 4 == k), trains mlp with each candidate setting
over several seeds and records the held-out metric (accuracy, or R² for regression). Beside each
candidate it trains its linear twin (the same options with --layers none) and, on the same
training rows, scikit-learn's defaults: MLPClassifier() / MLPRegressor() after StandardScaler
(random_state = seed), plus LogisticRegression() / LinearRegression() as a linear reference.

  python3 scripts/defaults_study.py --mlp build-defaults/mlp --out build-defaults/study.json \
      [--sets iris,wine] [--seeds 1-10] [--splits 0,1,2] [--candidates old,refit,...] \
      [--table build-defaults/study.md] [--fashion] [--fashion-seeds 1] [--fashion-candidates ...]

Results are cached in --out (keyed by data set, split, seed and the exact mlp options), so a re-run
only trains what is missing; --fresh ignores the cache.

Candidate names: a base, then modifiers joined with '+':
  old            mlp's defaults at the time of the study (64,32 relu, Adam 1e-3, batch 32, 200 epochs,
                 --val-split 0.2, early stopping 20 for regression only); run with the binary of that time
  default        the defaults of the --mlp binary given (no option), cached apart from old
  esN            --early-stopping N (restores the best epoch's weights), classification too
  val0           --val-split 0: train on every training row for --epochs (200), no early stopping
  refit[N][xF]   two runs with the same seed: (1) --early-stopping N (default 20) on the validation
                 split, read best_epoch E; (2) --val-split 0 --epochs round(F*E) (F default 1) on all rows
  refitaccN[xF], esaccN, refitaclN[xF], esaclN
                 early stopping on validation ACCURACY (mlp monitors the loss), emulated: one run without
                 early stopping writes --history; where patience N would have stopped on val_acc ('acl':
                 ties broken by the lower val_loss; regression: val_loss) gives the best epoch E; 'es' re-runs
                 to epoch E (the same trajectory: the weights the tool would restore), 'refit' trains on all
                 rows for round(F*E) epochs. The time counted is the first run's share up to the stop.
  modifiers: wdX (--weight-decay X), lA-B (--layers A,B; lnone), lin (--layers none), bsN (batch
             min(N, training rows), as sklearn's batch_size='auto' with N=200), epN (--epochs N),
             rcos (the refit run only: --lr-schedule cosine over its epochs), lrX (--lr X), dropX (--dropout X), vsX (--val-split X), actNAME (--activation NAME), initNAME (--init NAME),
             ensN (average the predictions of N seeds: seed, seed+1000, ...; via mlp predict),
             wdselA/B/.. (one early-stopped run per weight decay, default 1e-4/1e-3/1e-2/1e-1; the lowest
             validation loss wins; then refit, or keep that run with an esN base), lselA/B (the same over
             --layers, e.g. lselnone/64-32; combined with wdsel: every combination)
Examples: old, es20, refitx1.25, refit10+wd1e-4, val0+l100+bs200+wd1e-4, refit+ens3.
"""
import argparse
import csv
import json
import math
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core: see --help
    os.environ.setdefault(_v, "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["iris", "wine", "breast_cancer", "digits", "diabetes", "blobs", "circles", "moons", "spiral", "xor"]
DEFAULT_CANDIDATES = ["old", "es20", "es10", "val0", "refit", "refitx1.25", "refit10", "refit10x1.25"]
FASHION_TRAIN = os.path.join(ROOT, "build", "bench-data", "fashion_train_full.csv")
FASHION_IDX = os.path.join(ROOT, "build", "bench-data", "fashion")


# ---- candidates ------------------------------------------------------------------------------

class Candidate:
    def __init__(self, name):
        self.name = name
        self.opts = {}          # mlp option -> value (one value per option: CLI11 refuses repeats)
        self.refit = None       # (patience, factor) for the two-run refit
        self.batch_auto = None  # N of min(N, training rows)
        self.ens = 1
        self.refit_opts = {}    # options for the refit run only (rcos: a cosine schedule over its epochs)
        self.grid = []          # [(option, [values])]: chosen by the lowest validation loss (see run_candidate)
        tokens = name.split("+")
        base, mods = tokens[0], tokens[1:]
        m = re.fullmatch(r"refit(\d+)?(?:x([\d.]+))?", base)
        ma = re.fullmatch(r"(refit|es)(acc|acl)(\d+)?(?:x([\d.]+))?", base)
        self.monitor = None     # (kind, monitor, patience, factor): early stopping on validation accuracy, emulated
        self.base = base
        if base in ("old", "default"):
            pass
        elif re.fullmatch(r"es\d+", base):
            self.opts["--early-stopping"] = base[2:]
        elif base == "val0":
            self.opts["--val-split"] = "0"
        elif m:
            self.refit = (int(m.group(1) or 20), float(m.group(2) or 1.0))
        elif ma:
            self.monitor = (ma.group(1), ma.group(2), int(ma.group(3) or 20), float(ma.group(4) or 1.0))
        else:
            raise SystemExit(f"candidate {name!r}: unknown base {base!r} (old, default, esN, val0, refit[N][xF], refitacc/esacc/refitacl/esacl)")
        for t in mods:
            if t == "lin":
                self.opts["--layers"] = "none"
            elif re.fullmatch(r"wd[\d.e+-]+", t):
                self.opts["--weight-decay"] = t[2:]
            elif re.fullmatch(r"l[\d-]+|lnone", t):
                self.opts["--layers"] = t[1:].replace("-", ",")
            elif re.fullmatch(r"bs\d+", t):
                self.batch_auto = int(t[2:])
            elif re.fullmatch(r"ep\d+", t):
                self.opts["--epochs"] = t[2:]
            elif re.fullmatch(r"lr[\d.e+-]+", t):
                self.opts["--lr"] = t[2:]
            elif re.fullmatch(r"drop[\d.]+", t):
                self.opts["--dropout"] = t[4:]
            elif re.fullmatch(r"vs[\d.]+", t):
                self.opts["--val-split"] = t[2:]
            elif re.fullmatch(r"act\w+(:[\d.]+)?", t):
                self.opts["--activation"] = t[3:]
            elif re.fullmatch(r"init\w+", t):
                self.opts["--init"] = t[4:]
            elif t == "rcos":
                self.refit_opts["--lr-schedule"] = "cosine"
            elif re.fullmatch(r"ens\d+", t):
                self.ens = int(t[3:])
            elif re.fullmatch(r"wdsel[\d.e/+-]*", t):
                self.grid.append(("--weight-decay", t[5:].split("/") if t[5:] else ["1e-4", "1e-3", "1e-2", "1e-1"]))
            elif re.fullmatch(r"lsel[\w/-]+", t):
                self.grid.append(("--layers", [x.replace("-", ",") for x in t[4:].split("/")]))
            else:
                raise SystemExit(f"candidate {name!r}: unknown modifier {t!r}")
        if self.is_linear():
            self.grid = [(k, v) for k, v in self.grid if k != "--layers"]
        self.es = int(base[2:]) if re.fullmatch(r"es\d+", base) else None
        if self.grid and not (self.refit or self.es):
            raise SystemExit(f"candidate {name!r}: a selection (wdsel, lsel) needs a refit or esN base")
        if self.refit and "--val-split" in self.opts and float(self.opts["--val-split"]) == 0:
            raise SystemExit(f"candidate {name!r}: refit needs a validation split")

    def is_linear(self):
        return self.opts.get("--layers") == "none"

    def twin(self):
        return self.name if self.is_linear() else self.name + "+lin"

    def signature(self):
        """What determines the runs (the cache key): two names with the same options share runs."""
        return json.dumps({**({"base": "default"} if self.base == "default" else {}),
                           "opts": sorted(self.opts.items()), "refit": self.refit, "bs": self.batch_auto,
                           "ens": self.ens, **({"refit_opts": sorted(self.refit_opts.items())} if self.refit_opts else {}),
                           **({"monitor": self.monitor} if self.monitor else {}), **({"grid": self.grid} if self.grid else {})}, sort_keys=True)

    def run_opts(self, n_train, val_split=None):
        o = dict(self.opts)
        if self.base != "default":  # the old defaults spelled out: today's binary would choose them (auto)
            o.setdefault("--epochs", "200")
            o.setdefault("--layers", "64,32")
        if val_split is not None:
            o["--val-split"] = val_split
        if self.batch_auto:
            vs = float(o.get("--val-split", "0.2"))
            o["--batch-size"] = str(max(1, min(self.batch_auto, int(round(n_train * (1 - vs))))))
        return o


# ---- data --------------------------------------------------------------------------------------

def read_rows(path):
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    return lines[0], [l for l in lines[1:] if l.strip()]


def make_splits(name, split_dir, splits):
    """datasets/NAME.csv -> NAME_kK_train.csv / NAME_kK_test.csv (held out: row index % 4 == K)."""
    header, rows = read_rows(os.path.join(ROOT, "datasets", name + ".csv"))
    out = {}
    for k in splits:
        tr = os.path.join(split_dir, f"{name}_k{k}_train.csv")
        te = os.path.join(split_dir, f"{name}_k{k}_test.csv")
        train_rows = [r for i, r in enumerate(rows) if i % 4 != k]
        test_rows = [r for i, r in enumerate(rows) if i % 4 == k]
        for path, part in ((tr, train_rows), (te, test_rows)):
            text = header + "\n" + "\n".join(part) + "\n"
            if not os.path.exists(path) or open(path).read() != text:
                with open(path, "w") as f:
                    f.write(text)
        out[k] = (tr, te, len(train_rows), len(test_rows))
    return out


def load_xy(path, target=-1):
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    header, rows = r[0], r[1:]
    t = target if target >= 0 else len(header) - 1
    X = [[float(v) for j, v in enumerate(row) if j != t] for row in rows]
    y = [row[t] for row in rows]
    return X, y


def fashion_test_csv(split_dir):
    """The 10,000 Fashion-MNIST test rows as CSV (header label,pixel1..pixel784), from the IDX files."""
    path = os.path.join(split_dir, "fashion_test.csv")
    if os.path.exists(path):
        return path
    with open(os.path.join(FASHION_IDX, "t10k-images-idx3-ubyte"), "rb") as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, "not an IDX image file"
        pixels = f.read(n * h * w)
    with open(os.path.join(FASHION_IDX, "t10k-labels-idx1-ubyte"), "rb") as f:
        magic, n2 = struct.unpack(">II", f.read(8))
        assert magic == 2049 and n2 == n, "not the matching IDX label file"
        labels = f.read(n)
    d = h * w
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("label," + ",".join(f"pixel{i}" for i in range(1, d + 1)) + "\n")
        for i in range(n):
            f.write(str(labels[i]) + "," + ",".join(map(str, pixels[i * d:(i + 1) * d])) + "\n")
    os.replace(tmp, path)
    return path


# ---- running mlp ---------------------------------------------------------------------------------

def mlp_train(mlp, train, test, seed, opts, target=None, save=None):
    cmd = [mlp, "train", train, "--test", test, "--seed", str(seed), "--json", "--quiet"]
    if target:
        cmd += ["--target", target]
    for k, v in opts.items():
        cmd += [k, str(v)]
    if save:
        cmd += ["--save", save]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        err = [l for l in p.stderr.splitlines() if not l.startswith("  T ")]
        raise RuntimeError(f"{' '.join(cmd)}\nexit {p.returncode}: " + "\n".join(err[-5:]))
    s = json.loads(p.stdout)
    assert s.get("split") == "test", f"expected the test split's metrics, got {s.get('split')}"
    return s, wall, cmd


def metric_of(summary):
    return summary["r2"] if summary["task"] == "regression" else summary["accuracy"]


def predictions(mlp, model, test, proba):
    cmd = [mlp, "predict", model, test] + (["--proba"] if proba else [])
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = list(csv.reader(p.stdout.splitlines()))
    return rows[0], rows[1:]


def combos(grid):
    out = [{}]
    for opt, values in grid:
        out = [dict(c, **{opt: v}) for c in out for v in values]
    return out


def min_val_loss(history):
    with open(history, newline="") as f:
        return min(float(r["val_loss"]) for r in csv.DictReader(f))


def stop_on_history(history, monitor, patience):
    """Where early stopping with this patience would have stopped, monitoring validation accuracy ('acc':
    a strictly higher one is better; 'acl': higher, or the same with a lower loss), the validation loss for
    regression. Returns (best epoch, stop epoch, epochs in the history)."""
    with open(history, newline="") as f:
        rows = list(csv.DictReader(f))
    best, best_epoch, since, stop = None, 0, 0, int(rows[-1]["epoch"])
    for r in rows:
        if "val_acc" in r:
            score = (float(r["val_acc"]),) if monitor == "acc" else (float(r["val_acc"]), -float(r["val_loss"]))
        else:
            score = (-float(r["val_loss"]),)
        if best is None or score > best:
            best, best_epoch, since = score, int(r["epoch"]), 0
        else:
            since += 1
            if since >= patience:
                stop = int(r["epoch"])
                break
    return best_epoch, stop, len(rows)


def run_monitored(mlp, cand, train, test, n_train, seed, target, save, rec, first):
    """Early stopping on validation accuracy, emulated from one run without early stopping: its history
    says where the tool would have stopped; 'es' then re-runs to that epoch (the same trajectory, so the
    weights the tool would have restored), 'refit' trains on every row for factor x that many epochs.
    Time: the first run's share up to the stopping epoch, plus the second run."""
    kind, monitor, patience, factor = cand.monitor
    hist_dir = tempfile.mkdtemp(prefix="mlp-mon-")
    o1 = cand.run_opts(n_train)
    o1["--early-stopping"] = "0"
    o1["--history"] = os.path.join(hist_dir, "h.csv")
    s1, w1, c1 = mlp_train(mlp, train, test, seed, o1, target)
    best_epoch, stop, ran = stop_on_history(o1["--history"], monitor, patience)
    shutil.rmtree(hist_dir)
    if kind == "es":
        o2 = cand.run_opts(n_train)
        o2["--early-stopping"] = "0"
        o2["--epochs"] = str(best_epoch)
        e = best_epoch
    else:
        e = max(1, int(round(factor * best_epoch)))
        o2 = dict(cand.run_opts(n_train, val_split="0"), **cand.refit_opts)
        o2["--epochs"] = str(e)
    s, w2, c2 = mlp_train(mlp, train, test, seed, o2, target, save)
    share = stop / ran
    rec["seconds"] += s1["seconds"] * share + (s["seconds"] if kind == "refit" else 0)
    rec["wall"] += w1 * share + (w2 if kind == "refit" else 0)
    rec["cmds"] += [c1, c2]
    if first:
        rec.update(best_epoch=best_epoch, epochs_run=stop, first_metric=metric_of(s1), emulated=True)
        if kind == "refit":
            rec["refit_epochs"] = e
    return s


def run_candidate(mlp, cand, train, test, n_train, seed, target=None):
    """One candidate on one (split, seed): the held-out metric, epochs and time (both runs for refit)."""
    members, tmpdir = [], None
    if cand.ens > 1:
        tmpdir = tempfile.mkdtemp(prefix="mlp-ens-")
    rec = {"seconds": 0.0, "wall": 0.0, "cmds": []}
    for j in range(cand.ens):
        s_j = seed + 1000 * j
        save = os.path.join(tmpdir, f"m{j}.json") if tmpdir else None
        if cand.monitor:
            s = run_monitored(mlp, cand, train, test, n_train, s_j, target, save, rec, j == 0)
        elif cand.grid:
            # one early-stopped run per combination; keep the one with the lowest validation loss
            hist_dir = tempfile.mkdtemp(prefix="mlp-sel-")
            best, tried = None, []
            for i, combo in enumerate(combos(cand.grid)):
                o1 = dict(cand.run_opts(n_train), **combo)
                o1["--early-stopping"] = str(cand.refit[0] if cand.refit else cand.es)
                o1["--history"] = os.path.join(hist_dir, f"h{i}.csv")
                s1, w1, c1 = mlp_train(mlp, train, test, s_j, o1, target)
                vl = min_val_loss(o1["--history"])
                rec["seconds"] += s1["seconds"]
                rec["wall"] += w1
                rec["cmds"].append(c1)
                tried.append({"combo": combo, "val_loss": vl, "best_epoch": s1["best_epoch"], "metric": metric_of(s1)})
                if best is None or vl < best[0]:
                    best = (vl, combo, s1)
            shutil.rmtree(hist_dir)
            _, chosen, s1 = best
            if j == 0:
                rec.update(chosen=chosen, tried=tried, best_epoch=s1["best_epoch"], epochs_run=s1["epochs_run"],
                           first_metric=metric_of(s1))
            if cand.refit:
                e = max(1, int(round(cand.refit[1] * s1["best_epoch"])))
                o2 = dict(cand.run_opts(n_train, val_split="0"), **chosen, **cand.refit_opts)
                o2["--epochs"] = str(e)
                s, w2, c2 = mlp_train(mlp, train, test, s_j, o2, target, save)
                rec["seconds"] += s["seconds"]
                rec["wall"] += w2
                rec["cmds"].append(c2)
                if j == 0:
                    rec["refit_epochs"] = e
            else:
                s = s1
                if save:  # the chosen run again, to keep its model (an ensemble member)
                    o1 = dict(cand.run_opts(n_train), **chosen)
                    o1["--early-stopping"] = str(cand.es)
                    s, _, _ = mlp_train(mlp, train, test, s_j, o1, target, save)
        elif cand.refit:
            patience, factor = cand.refit
            o1 = cand.run_opts(n_train)
            o1["--early-stopping"] = str(patience)
            s1, w1, c1 = mlp_train(mlp, train, test, s_j, o1, target)
            e = max(1, int(round(factor * s1["best_epoch"])))
            o2 = dict(cand.run_opts(n_train, val_split="0"), **cand.refit_opts)
            o2.pop("--early-stopping", None)
            o2["--epochs"] = str(e)
            s, w2, c2 = mlp_train(mlp, train, test, s_j, o2, target, save)
            rec["seconds"] += s1["seconds"] + s["seconds"]
            rec["wall"] += w1 + w2
            rec["cmds"] += [c1, c2]
            if j == 0:
                rec.update(best_epoch=s1["best_epoch"], epochs_run=s1["epochs_run"], refit_epochs=e,
                           first_metric=metric_of(s1))
        else:
            s, w, c = mlp_train(mlp, train, test, s_j, cand.run_opts(n_train), target, save)
            rec["seconds"] += s["seconds"]
            rec["wall"] += w
            rec["cmds"].append(c)
            if j == 0:
                rec.update(best_epoch=s["best_epoch"], epochs_run=s["epochs_run"])
        if j == 0:
            rec["task"] = s["task"]
            rec["metric"] = metric_of(s)
        members.append(save)
    if cand.ens > 1:
        rec["single_metric"] = rec["metric"]
        rec["metric"] = ensemble_metric(mlp, members, test, rec["task"], target)
        shutil.rmtree(tmpdir)
    rec["cmds"] = [" ".join(os.path.relpath(x, ROOT) if os.path.isabs(x) else x for x in c) for c in rec["cmds"]]
    return rec


def ensemble_metric(mlp, models, test, task, target):
    with open(test, newline="") as f:
        rows = list(csv.reader(f))
    t = rows[0].index(target) if target else len(rows[0]) - 1
    truth = [r[t] for r in rows[1:]]
    if task == "regression":
        acc = None
        for m in models:
            head, pred = predictions(mlp, m, test, False)
            v = [float(r[0]) for r in pred]
            acc = v if acc is None else [a + b for a, b in zip(acc, v)]
        mean = [a / len(models) for a in acc]
        y = [float(v) for v in truth]
        ybar = sum(y) / len(y)
        ss_res = sum((a - b) ** 2 for a, b in zip(y, mean))
        ss_tot = sum((a - ybar) ** 2 for a in y)
        return 1 - ss_res / ss_tot
    acc, classes = None, None
    for m in models:
        head, pred = predictions(mlp, m, test, True)
        # the columns after "prediction" are the classes; "p_" in front only where a class would repeat a column
        classes = [h[2:] if h.startswith("p_") and (h[2:] == head[0] or h[2:] in head[1:]) else h for h in head[1:]]
        v = [[float(x) for x in r[1:]] for r in pred]
        acc = v if acc is None else [[a + b for a, b in zip(ra, rb)] for ra, rb in zip(acc, v)]
    guess = [classes[max(range(len(r)), key=r.__getitem__)] for r in acc]
    return sum(g == y for g, y in zip(guess, truth)) / len(truth)


# ---- scikit-learn references ---------------------------------------------------------------------

def sklearn_runs(train, test, task, seeds):
    import warnings
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    Xtr, ytr = load_xy(train)
    Xte, yte = load_xy(test)
    Xtr, Xte = np.array(Xtr), np.array(Xte)
    if task == "regression":
        ytr, yte = np.array(ytr, float), np.array(yte, float)
        score = r2_score
    else:
        score = accuracy_score
    out = {}
    for seed in seeds:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always", ConvergenceWarning)
            est = MLPRegressor(random_state=seed) if task == "regression" else MLPClassifier(random_state=seed)
            model = make_pipeline(StandardScaler(), est)
            t0 = time.perf_counter()
            model.fit(Xtr, ytr)
            wall = time.perf_counter() - t0
            conv = any(issubclass(x.category, ConvergenceWarning) for x in w)
        out[seed] = {"metric": float(score(yte, model.predict(Xte))), "wall": wall,
                     "n_iter": int(model[-1].n_iter_), "not_converged": conv}
    lin = LinearRegression() if task == "regression" else LogisticRegression(max_iter=5000)
    model = make_pipeline(StandardScaler(), lin).fit(Xtr, ytr)
    out["linear"] = {"metric": float(score(yte, model.predict(Xte)))}
    return out


# ---- summary --------------------------------------------------------------------------------------

def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"mean": statistics.fmean(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def cell(st):
    if not st:
        return "—"
    return f"{st['mean']:.4f} ({st['min']:.3f}–{st['max']:.3f})"


def summarize(db, sets, cands, seeds, splits, fashion_cands, fashion_seeds, fashion_name="fashion"):
    runs = db["runs"]
    names = []
    extra = ["old"]  # the reference for "Δ vs old" and "time vs old", from the cache if not a candidate
    for c in cands:
        for n in (c.name, c.twin()):
            if n not in names:
                names.append(n)
    by = {}  # (set, name) -> list of metrics
    secs = {}
    for s in sets:
        for n in names + [x for x in extra if x not in names]:
            sig = Candidate(n).signature()
            vals, tt = [], []
            for k in splits:
                for seed in seeds:
                    r = runs.get(f"{s}|{k}|{seed}|{sig}")
                    if r:
                        vals.append(r["metric"])
                        tt.append(r["wall"])
            by[(s, n)] = vals
            secs[(s, n)] = tt
        for ref in ("sklearn", "sklearn-linear"):
            vals, tt = [], []
            for k in splits:
                sk = runs.get(f"{s}|{k}|sklearn")
                if not sk:
                    continue
                if ref == "sklearn-linear":
                    vals.append(sk["linear"]["metric"])
                else:
                    for seed in seeds:
                        if str(seed) in sk:
                            vals.append(sk[str(seed)]["metric"])
                            tt.append(sk[str(seed)]["wall"])
            by[(s, ref)] = vals
            secs[(s, ref)] = tt
    lines = []
    lines.append(f"Held-out metric (accuracy; R² for diabetes): mean (min–max) over seeds {fmt_list(seeds)} "
                 f"× held-out splits k = {fmt_list(splits)} (held-out rows: index % 4 == k).\n")
    lines.append("| candidate | " + " | ".join(sets) + " |")
    lines.append("|---|" + "---|" * len(sets))
    for n in names + ["sklearn", "sklearn-linear"]:
        lines.append(f"| {n} | " + " | ".join(cell(stats(by[(s, n)])) for s in sets) + " |")
    lines.append("")
    # per candidate: against its linear twin, against sklearn, and its time
    lines.append("Per candidate: mean held-out metric minus its linear twin's (same options, --layers none), "
                 "the worst data set; minus sklearn's MLP defaults on the classification sets; mean epochs; "
                 "training time (wall, all runs of the candidate, both runs for refit) relative to `old`.\n")
    lines.append("| candidate | Δ vs linear twin, worst set | sets below twin | Δ vs sklearn MLP, mean / worst "
                 "(classification) | Δ vs old, mean / worst | time vs old | " +
                 " | ".join(f"Δsk {s}" for s in sets if s != "diabetes") + " |")
    lines.append("|---|---|---|---|---|---|" + "---|" * (len(sets) - ("diabetes" in sets)))
    old_time = sum(sum(secs.get((s, "old"), [])) for s in sets)
    for c in cands:
        if c.is_linear():
            continue
        deltas, dsk, dold, skcells = [], [], [], []
        for s in sets:
            a, b = by[(s, c.name)], by[(s, c.twin())]
            if a and b:
                deltas.append((statistics.fmean(a) - statistics.fmean(b), s))
            o = by[(s, "old")] if (s, "old") in by else []
            if a and o:
                dold.append((statistics.fmean(a) - statistics.fmean(o), s))
            if s != "diabetes":
                sk = by[(s, "sklearn")]
                if a and sk:
                    d = statistics.fmean(a) - statistics.fmean(sk)
                    dsk.append((d, s))
                    skcells.append(f"{d * 100:+.2f}")
                else:
                    skcells.append("—")
        t = sum(sum(secs[(s, c.name)]) for s in sets)
        worst = min(deltas) if deltas else None
        below = [s for d, s in deltas if d < 0]
        lines.append(
            f"| {c.name} | {fmt_d(worst)} | {len(below)}{' (' + ', '.join(below) + ')' if below else ''} | "
            f"{fmt_pts(dsk)} | {fmt_pts(dold)} | " + (f"{t / old_time:.2f}× |" if old_time else "— |"))
        lines[-1] += " " + " | ".join(skcells) + " |"
    lines.append("")
    lines.append("Δ in points (×100) for accuracy; for diabetes the R² difference ×100 as well.\n")
    # paired differences with their standard error, per data set
    def paired(s, a_sig, ref):
        d = []
        for k in splits:
            sk = runs.get(f"{s}|{k}|sklearn", {})
            for seed in seeds:
                a = runs.get(f"{s}|{k}|{seed}|{a_sig}")
                if ref == "sklearn":
                    b = sk.get(str(seed))
                else:
                    b = runs.get(f"{s}|{k}|{seed}|{ref}")
                if a and b:
                    d.append((a["metric"] - b["metric"]) * 100)
        if len(d) < 2:
            return "—"
        se = statistics.stdev(d) / math.sqrt(len(d))
        mark = "**" if statistics.fmean(d) < -2 * se else ""
        return f"{mark}{statistics.fmean(d):+.2f} ±{se:.2f}{mark}"
    for title, ref in (("its linear twin (same options, --layers none)", "twin"), ("sklearn's MLP defaults", "sklearn")):
        lines.append(f"Paired difference from {title}, in points, ± its standard error over the "
                     f"{len(splits)}×{len(seeds)} (split, seed) pairs; **bold**: below by more than 2 SE.\n")
        lines.append("| candidate | " + " | ".join(sets) + " |")
        lines.append("|---|" + "---|" * len(sets))
        for c in cands:
            if c.is_linear():
                continue
            r = Candidate(c.twin()).signature() if ref == "twin" else "sklearn"
            lines.append(f"| {c.name} | " + " | ".join(paired(s, c.signature(), r) for s in sets) + " |")
        lines.append("")
    # epochs
    lines.append("Mean best epoch / epochs run (first run), and refit epochs, per data set:\n")
    lines.append("| candidate | " + " | ".join(sets) + " |")
    lines.append("|---|" + "---|" * len(sets))
    for c in cands:
        row = []
        for s in sets:
            sig = c.signature()
            rs = [runs.get(f"{s}|{k}|{seed}|{sig}") for k in splits for seed in seeds]
            rs = [r for r in rs if r]
            if not rs:
                row.append("—")
                continue
            be = statistics.fmean(r["best_epoch"] for r in rs)
            er = statistics.fmean(r["epochs_run"] for r in rs)
            txt = f"{be:.0f}/{er:.0f}"
            if c.refit:
                txt += f" → {statistics.fmean(r['refit_epochs'] for r in rs):.0f}"
            row.append(txt)
        lines.append(f"| {c.name} | " + " | ".join(row) + " |")
    lines.append("")
    lines.append("Mean wall time per run (s), both runs for refit; sklearn: fit only, in-process:\n")
    lines.append("| candidate | " + " | ".join(sets) + " | total |")
    lines.append("|---|" + "---|" * (len(sets) + 1))
    for n in names + ["sklearn"]:
        tt = [secs[(s, n)] for s in sets]
        lines.append(f"| {n} | " + " | ".join(f"{statistics.fmean(t):.3f}" if t else "—" for t in tt) +
                     f" | {sum(sum(t) for t in tt):.1f} |")
    if fashion_cands:
        lines.append("")
        lines.append(f"Fashion-MNIST ({fashion_name}: training rows from "
                     f"{'fashion_train_full.csv, 60,000 rows' if fashion_name == 'fashion' else fashion_name[8:]}; "
                     f"test: the 10,000 t10k rows; seeds {fmt_list(fashion_seeds)}): "
                     "test accuracy, best epoch / epochs run (first run), refit epochs, wall time per run.\n")
        lines.append("| candidate | test accuracy mean (min–max) | runs | best/run epochs | refit epochs | wall s |")
        lines.append("|---|---|---|---|---|---|")
        for c in fashion_cands:
            rs = [runs.get(f"{fashion_name}|test|{seed}|{c.signature()}") for seed in fashion_seeds]
            rs = [r for r in rs if r]
            if not rs:
                continue
            lines.append(f"| {c.name} | {cell(stats([r['metric'] for r in rs]))} | {len(rs)} | "
                         f"{'/'.join(str(r['best_epoch']) + ':' + str(r['epochs_run']) for r in rs)} | "
                         f"{'/'.join(str(r.get('refit_epochs', '—')) for r in rs)} | "
                         f"{statistics.fmean(r['wall'] for r in rs):.0f} |")
    return "\n".join(lines) + "\n"


def fmt_d(x):
    return "—" if x is None else f"{x[0] * 100:+.2f} ({x[1]})"


def fmt_pts(ds):
    if not ds:
        return "—"
    worst = min(ds)
    return f"{statistics.fmean(d for d, _ in ds) * 100:+.2f} / {worst[0] * 100:+.2f} ({worst[1]})"


def fmt_list(xs):
    xs = list(xs)
    if len(xs) > 2 and all(isinstance(x, int) for x in xs) and xs == list(range(xs[0], xs[-1] + 1)):
        return f"{xs[0]}–{xs[-1]}"
    return ",".join(map(str, xs))


def parse_ints(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def save_db(path, db):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(db, f, indent=1)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mlp", default=os.environ.get("STUDY_BIN", os.path.join(ROOT, "build-defaults", "mlp")),
                    help="the mlp binary (default: $STUDY_BIN, else build-defaults/mlp)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build-defaults", "study.json"))
    ap.add_argument("--table", help="write the markdown tables here")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--seeds", default="1-10")
    ap.add_argument("--splits", default="0,1,2", help="held-out splits k (rows with index %% 4 == k)")
    ap.add_argument("--candidates", default=",".join(DEFAULT_CANDIDATES))
    ap.add_argument("--no-twins", action="store_true", help="skip the linear twin of each candidate")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--fashion", action="store_true", help="also run Fashion-MNIST (long: ~1 s per epoch)")
    ap.add_argument("--fashion-seeds", default="1")
    ap.add_argument("--fashion-candidates", default="es20,refit,refitx1.25")
    ap.add_argument("--fashion-train", default=FASHION_TRAIN)
    ap.add_argument("--only-table", action="store_true", help="train nothing; tabulate what --out holds")
    ap.add_argument("--fresh", action="store_true", help="ignore the results cached in --out")
    a = ap.parse_args()

    mlp = os.path.abspath(a.mlp)
    # Fashion-MNIST runs are cached under 'fashion' (the full 60,000 rows) or 'fashion@FILE' (another file)
    fashion_name = "fashion" if os.path.abspath(a.fashion_train) == FASHION_TRAIN else \
        "fashion@" + os.path.basename(a.fashion_train)
    sets = [s for s in a.sets.split(",") if s]
    seeds, splits = parse_ints(a.seeds), parse_ints(a.splits)
    cands = [Candidate(n) for n in a.candidates.split(",") if n]
    fcands = [Candidate(n) for n in a.fashion_candidates.split(",") if n] if a.fashion else []
    fseeds = parse_ints(a.fashion_seeds)
    split_dir = os.path.join(os.path.dirname(os.path.abspath(a.out)), "splits")
    os.makedirs(split_dir, exist_ok=True)
    db = {"runs": {}}
    if os.path.exists(a.out) and not a.fresh:
        with open(a.out) as f:
            db = json.load(f)
    db.setdefault("meta", {})
    db["meta"].update(mlp=mlp, python=sys.version.split()[0])
    try:
        import sklearn
        db["meta"]["sklearn"] = sklearn.__version__
    except ImportError:
        a.no_sklearn = True
    runs = db["runs"]

    todo = []
    for c in cands:
        todo.append(c)
        if not a.no_twins and not c.is_linear() and c.twin() not in [x.name for x in todo]:
            todo.append(Candidate(c.twin()))
    if not a.only_table:
        t_start = time.perf_counter()
        for s in sets:
            sp = make_splits(s, split_dir, splits)
            for c in todo:
                sig = c.signature()
                vals, t0, new = [], time.perf_counter(), 0
                for k in splits:
                    tr, te, ntr, _ = sp[k]
                    for seed in seeds:
                        key = f"{s}|{k}|{seed}|{sig}"
                        if key not in runs:
                            r = run_candidate(mlp, c, tr, te, ntr, seed)
                            r.update(set=s, split=k, seed=seed, candidate=c.name)
                            runs[key] = r
                            new += 1
                        vals.append(runs[key]["metric"])
                st = stats(vals)
                print(f"{s:14s} {c.name:28s} mean {st['mean']:.4f}  min {st['min']:.4f}  max {st['max']:.4f}"
                      f"  ({new} new runs, {time.perf_counter() - t0:.1f} s; total {time.perf_counter() - t_start:.0f} s)",
                      flush=True)
                if new:
                    save_db(a.out, db)
            if not a.no_sklearn:
                for k in splits:
                    tr, te, _, _ = sp[k]
                    key = f"{s}|{k}|sklearn"
                    have = runs.get(key, {})
                    missing = [seed for seed in seeds if str(seed) not in have]
                    if missing or "linear" not in have:
                        task = next((r["task"] for kk, r in runs.items() if kk.startswith(f"{s}|")), None)
                        got = sklearn_runs(tr, te, task, missing)
                        have.update({str(x): v for x, v in got.items()})
                        runs[key] = have
                        save_db(a.out, db)
                vals = [runs[f"{s}|{k}|sklearn"][str(seed)]["metric"] for k in splits for seed in seeds]
                lin = [runs[f"{s}|{k}|sklearn"]["linear"]["metric"] for k in splits]
                nc = sum(runs[f"{s}|{k}|sklearn"][str(seed)]["not_converged"] for k in splits for seed in seeds)
                print(f"{s:14s} {'sklearn MLP':28s} mean {statistics.fmean(vals):.4f}  min {min(vals):.4f}  "
                      f"max {max(vals):.4f}  ({nc} of {len(vals)} hit max_iter); sklearn linear "
                      f"{statistics.fmean(lin):.4f}", flush=True)
        if fcands:
            test = fashion_test_csv(split_dir)
            n_fashion = sum(1 for _ in open(a.fashion_train)) - 1
            for c in fcands:
                for seed in fseeds:
                    key = f"{fashion_name}|test|{seed}|{c.signature()}"
                    if key not in runs:
                        t0 = time.perf_counter()
                        r = run_candidate(mlp, c, a.fashion_train, test, n_fashion, seed, target="label")
                        r.update(set=fashion_name, split="test", seed=seed, candidate=c.name)
                        runs[key] = r
                        save_db(a.out, db)
                    r = runs[key]
                    print(f"{fashion_name:14s} {c.name:28s} seed {seed}: test accuracy {r['metric']:.4f}, best epoch "
                          f"{r['best_epoch']} of {r['epochs_run']}"
                          f"{', refit ' + str(r['refit_epochs']) if 'refit_epochs' in r else ''}, {r['wall']:.0f} s",
                          flush=True)
        save_db(a.out, db)
    table = summarize(db, sets, todo, seeds, splits, fcands, fseeds, fashion_name)
    if a.table:
        with open(a.table, "w") as f:
            f.write(table)
        print(f"table written to {a.table}")
    else:
        print(table)


if __name__ == "__main__":
    main()
