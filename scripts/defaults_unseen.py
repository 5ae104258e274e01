#!/usr/bin/env python3
"""The defaults of `mlp train` on four data sets made for the purpose, none of them bundled or used to
choose the defaults: does `mlp train DATA.csv` lose to a straight line where the truth is (nearly)
linear, and does it find the curve where it is not?

  reg_linear   200 rows, y = w·x + noise (8 inputs, noise sd 1.5)
  cls_linear   300 rows, two classes drawn from a logistic model of 10 inputs
  reg_nonlin   400 rows, y = x0² − x1 + sin(2 x2) + noise (5 inputs, 2 of them unused)
  cls_imb      500 rows, three classes cut from a noisy linear score (6 inputs; 3 %/85 %/12 %-ish)

For each, held-out rows are every fourth row (k = 0, 1, 2) and seeds 1–5: `mlp train` with its
defaults against `mlp train --layers none`, and, with scikit-learn installed (/usr/bin/python3 on
Debian: python3-sklearn), LinearRegression / LogisticRegression and MLPRegressor / MLPClassifier
after StandardScaler on the same rows.

  python3 scripts/defaults_unseen.py --mlp build/mlp [--dir build-defaults/unseen] [--out runs.json]

--out records every run; scripts/defaults_pair.py pairs two such records (two binaries, the same
splits and seeds).

With --real, six real data sets instead, shipped with statsmodels (Debian: python3-statsmodels), none
of them used to choose the defaults (held-out rows k = 0, 1, 2, seeds 1-5):

  anes96     944 rows, classification: did the respondent vote for Clinton (1996 American National
             Election Study; 10 inputs: party id, left-right placements, age, education, income...)
  fair       6,366 rows, classification: any extramarital affair (Fair 1978; 8 inputs)
  star98     303 rows, regression: the share of a California district's pupils above the national
             median in maths (1998; 20 inputs)
  randhie    20,190 rows, regression: visits to a doctor in a year (RAND health insurance
             experiment; 9 inputs), mostly noise
  engel      235 rows, regression: a household's food spending from its income (Engel 1857; 1 input)
  grunfeld   220 rows, regression: a firm's investment from its value and capital stock, by year
             (Grunfeld 1950; 3 inputs)

and, where R's MASS package is installed (Debian: r-cran-mass), seven of the data sets of Venables &
Ripley's Modern Applied Statistics with S:

  boston     506 rows, regression: median house value of a Boston district (13 inputs)
  pima       532 rows, classification: diabetes among Pima women (Pima.tr and Pima.te; 7 inputs)
  biopsy     683 rows, classification: a breast tumour benign or malignant (9 cell scores; the 16
             rows with a missing score left out)
  fgl        214 rows, classification: 6 kinds of glass fragment from their oxides (9 inputs)
  crabs      200 rows, classification: the colour form of a crab from its sex and 5 measures
  birthwt    189 rows, classification: a birth weight under 2.5 kg (8 inputs; the weight left out)
  cpus       209 rows, regression: log10 of a CPU's published performance (6 inputs)

With --more, fifteen more real sets instead, gathered on 2026-12-03 after the defaults were
settled, to check them once more on data they never saw: twelve from MASS (r-cran-mass) and three
from statsmodels, most of them small, several with a curve a straight line misses:

  cats       144 rows, classification: a cat's sex from its body and heart weights
  mammals    62 rows, regression: log10 brain weight from log10 body weight (a straight line)
  hills      35 rows, regression: the record time of a Scottish hill race from distance and climb
  cars93     93 rows, regression: a car's price from 13 measures (mpg, engine, size, weight...)
  uscrime    47 rows, regression: a US state's crime rate from 15 inputs (1960)
  shuttle    256 rows, classification: auto or manual landing from 6 coded conditions
  survey     ~200 rows, classification: a student's sex from hand spans, height and age
  gagurine   314 rows, regression: a child's GAG concentration from age (a curve)
  mcycle     133 rows, regression: head acceleration in a simulated crash from time (a curve)
  quine      146 rows, regression: days absent from school from 4 coded factors (noisy counts)
  wtloss     52 rows, regression: a patient's weight from days on a diet (a curve)
  traffic    184 rows, regression: accidents a day from the year, day and a speed limit
  statecrime 51 rows, regression: a US state's murder rate from poverty, urbanisation... (2009)
  ccard      72 rows, regression: average credit-card spending from age, income, ownership
  strikes    62 rows, regression: a strike's duration from industrial production

With --large, two larger sets instead, where the defaults' time matters as much as their score
(held-out rows k = 0, seeds 1-3; the wall time of each fit is printed beside its score):

  reg_large    50,000 rows, Friedman's #1: y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise
               (10 inputs in [0, 1], 5 of them unused)
  cls_large    50,000 rows, 20 inputs, 4 classes from the signs of two curved scores, 5 % of the labels
               drawn at random
"""
import argparse
import concurrent.futures
import csv
import json
import math
import os
import random
import statistics
import subprocess
import time


def make_sets(out):
    def write(name, rows, header):
        with open(os.path.join(out, name + ".csv"), "w") as f:
            f.write(",".join(header) + "\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")

    random.seed(5)
    w = [random.gauss(0, 1) for _ in range(8)]
    rows = []
    for _ in range(200):
        x = [round(random.gauss(0, 1), 4) for _ in range(8)]
        rows.append(x + [round(sum(a * b for a, b in zip(w, x)) + random.gauss(0, 1.5), 4)])
    write("reg_linear", rows, [f"x{i}" for i in range(8)] + ["y"])
    w = [random.gauss(0, 1) for _ in range(10)]
    rows = []
    for _ in range(300):
        x = [round(random.gauss(0, 1), 4) for _ in range(10)]
        p = 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, x))))
        rows.append(x + ["yes" if random.random() < p else "no"])
    write("cls_linear", rows, [f"x{i}" for i in range(10)] + ["label"])
    rows = []
    for _ in range(400):
        x = [round(random.uniform(-2, 2), 4) for _ in range(5)]
        rows.append(x + [round(x[0] ** 2 - x[1] + math.sin(2 * x[2]) + random.gauss(0, 0.3), 4)])
    write("reg_nonlin", rows, [f"x{i}" for i in range(5)] + ["y"])
    rows = []
    for _ in range(500):
        x = [round(random.gauss(0, 1), 4) for _ in range(6)]
        s = x[0] + 0.5 * x[1] - x[2] + random.gauss(0, 0.7)
        rows.append(x + ["a" if s < -1.2 else ("c" if s > 1.5 else "b")])
    write("cls_imb", rows, [f"x{i}" for i in range(6)] + ["cls"])
    return ["reg_linear", "cls_linear", "reg_nonlin", "cls_imb"]


def make_large_sets(out):
    def write(name, rows, header):
        with open(os.path.join(out, name + ".csv"), "w") as f:
            f.write(",".join(header) + "\n")
            f.writelines(",".join(r) + "\n" for r in rows)

    random.seed(7)
    rows = []
    for _ in range(50000):
        x = [random.random() for _ in range(10)]
        y = (10 * math.sin(math.pi * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] +
             random.gauss(0, 1))
        rows.append([f"{v:.5f}" for v in x] + [f"{y:.5f}"])
    write("reg_large", rows, [f"x{i}" for i in range(10)] + ["y"])
    rows = []
    for _ in range(50000):
        x = [random.gauss(0, 1) for _ in range(20)]
        s1 = x[0] * x[1] + math.sin(2 * x[2]) + 0.5 * x[3]
        s2 = x[4] ** 2 - 1 + x[5] - 0.5 * x[6] * x[7]
        c = 2 * (s1 > 0) + (s2 > 0) if random.random() >= 0.05 else random.randrange(4)
        rows.append([f"{v:.5f}" for v in x] + ["abcd"[c]])
    write("cls_large", rows, [f"x{i}" for i in range(20)] + ["label"])
    return ["reg_large", "cls_large"]


def make_real_sets(out):
    import warnings
    warnings.filterwarnings("ignore")
    import statsmodels.api as sm

    def write(name, df, target, labels=None):
        cols = [c for c in df.columns if c != target]
        with open(os.path.join(out, name + ".csv"), "w") as f:
            f.write(",".join(cols + [target]) + "\n")
            for _, r in df.iterrows():
                y = labels[int(r[target])] if labels else repr(float(r[target]))
                f.write(",".join(repr(float(r[c])) for c in cols) + "," + y + "\n")

    d = sm.datasets.anes96.load_pandas().data.drop(columns=["logpopul"])
    write("anes96", d, "vote", ["dole", "clinton"])
    d = sm.datasets.fair.load_pandas().data
    d["affair"] = (d.pop("affairs") > 0).astype(int)
    write("fair", d, "affair", ["no", "yes"])
    d = sm.datasets.star98.load_pandas().data
    above, below = d.pop("NABOVE"), d.pop("NBELOW")
    d["share_above"] = above / (above + below)
    write("star98", d, "share_above")
    write("randhie", sm.datasets.randhie.load_pandas().data, "mdvis")
    write("engel", sm.datasets.engel.load_pandas().data, "foodexp")
    write("grunfeld", sm.datasets.grunfeld.load_pandas().data.drop(columns=["firm"]), "invest")
    names = ["anes96", "fair", "star98", "randhie", "engel", "grunfeld"]
    # MASS's sets, written by R itself: the target last, classes as words, every input a number.
    r = f"""
    suppressMessages(library(MASS))
    w <- function(d, name) write.csv(d, file.path("{out}", paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
    w(Boston, "boston")
    p <- rbind(Pima.tr, Pima.te); p$type <- ifelse(p$type == "Yes", "diabetic", "healthy"); w(p, "pima")
    b <- na.omit(biopsy[, -1]); b$class <- as.character(b$class); w(b, "biopsy")
    g <- fgl; g$type <- as.character(g$type); w(g, "fgl")
    c <- crabs[, c("sex", "FL", "RW", "CL", "CW", "BD", "sp")]; c$sex <- as.integer(c$sex == "M")
    c$sp <- ifelse(c$sp == "B", "blue", "orange"); w(c, "crabs")
    bw <- birthwt[, c("age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv", "low")]
    bw$low <- ifelse(bw$low == 1, "low", "normal"); w(bw, "birthwt")
    u <- cpus[, c("syct", "mmin", "mmax", "cach", "chmin", "chmax")]; u$log10_perf <- log10(cpus$perf); w(u, "cpus")
    """
    try:
        subprocess.run(["Rscript", "-e", r], check=True, capture_output=True)
        names += ["boston", "pima", "biopsy", "fgl", "crabs", "birthwt", "cpus"]
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"(MASS's data sets left out: {e})")
    return names


def make_more_sets(out):
    r = f"""
    suppressMessages(library(MASS))
    w <- function(d, name) write.csv(d, file.path("{out}", paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
    w(data.frame(Bwt = cats$Bwt, Hwt = cats$Hwt, sex = ifelse(cats$Sex == "F", "female", "male")), "cats")
    w(data.frame(log10_body = log10(mammals$body), log10_brain = log10(mammals$brain)), "mammals")
    w(hills, "hills")
    w(Cars93[, c("MPG.city", "MPG.highway", "EngineSize", "Horsepower", "RPM", "Rev.per.mile", "Fuel.tank.capacity",
                 "Passengers", "Length", "Wheelbase", "Width", "Turn.circle", "Weight", "Price")], "cars93")
    w(UScrime, "uscrime")
    s <- shuttle; for (c in names(s)[1:6]) s[[c]] <- as.integer(s[[c]]); s$use <- as.character(s$use); w(s, "shuttle")
    v <- na.omit(survey[, c("Wr.Hnd", "NW.Hnd", "Height", "Age", "Sex")]); v$Sex <- tolower(as.character(v$Sex))
    w(v, "survey")
    w(GAGurine, "gagurine")
    w(mcycle, "mcycle")
    q <- quine; for (c in c("Eth", "Sex", "Age", "Lrn")) q[[c]] <- as.integer(q[[c]]); w(q, "quine")
    w(wtloss, "wtloss")
    t <- Traffic; t$limit <- as.integer(t$limit == "yes"); w(t[, c("year", "day", "limit", "y")], "traffic")
    """
    subprocess.run(["Rscript", "-e", r], check=True, capture_output=True)
    import warnings
    warnings.filterwarnings("ignore")
    import statsmodels.api as sm

    def write(name, df, target):
        cols = [c for c in df.columns if c != target]
        df[cols + [target]].astype(float).to_csv(os.path.join(out, name + ".csv"), index=False)
    write("statecrime", sm.datasets.statecrime.load_pandas().data, "murder")
    write("ccard", sm.datasets.ccard.load_pandas().data, "AVGEXP")
    write("strikes", sm.datasets.strikes.load_pandas().data, "duration")
    return ["cats", "mammals", "hills", "cars93", "uscrime", "shuttle", "survey", "gagurine", "mcycle", "quine",
            "wtloss", "traffic", "statecrime", "ccard", "strikes"]


def split(out, name, k):
    with open(os.path.join(out, name + ".csv")) as f:
        lines = f.read().splitlines()
    head, rows = lines[0], lines[1:]
    tr, te = os.path.join(out, f"{name}_k{k}_train.csv"), os.path.join(out, f"{name}_k{k}_test.csv")
    with open(tr, "w") as f:
        f.write("\n".join([head] + [r for i, r in enumerate(rows) if i % 4 != k]) + "\n")
    with open(te, "w") as f:
        f.write("\n".join([head] + [r for i, r in enumerate(rows) if i % 4 == k]) + "\n")
    return tr, te


def mlp_metric(mlp, tr, te, seed, extra):
    start = time.perf_counter()
    p = subprocess.run([mlp, "train", tr, "--test", te, "--seed", str(seed), "--json", "--quiet"] + extra,
                       capture_output=True, text=True, check=True)
    d = json.loads(p.stdout)
    kept = d.get("selection", {}).get("layers")
    return (d["accuracy"] if d["task"] == "classification" else d["metrics"]["test"]["r2"]), kept, \
        time.perf_counter() - start


def sklearn_metrics(tr, te, seeds):
    import warnings
    import numpy as np
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    warnings.filterwarnings("ignore")

    def load(path):
        with open(path) as f:
            rows = list(csv.reader(f))[1:]
        return np.array([[float(v) for v in r[:-1]] for r in rows]), [r[-1] for r in rows]
    (Xtr, ytr), (Xte, yte) = load(tr), load(te)
    regression = all(v.replace(".", "", 1).replace("-", "", 1).isdigit() for v in ytr[:20])
    if regression:
        ytr, yte = [float(v) for v in ytr], [float(v) for v in yte]
    score = (lambda m: r2_score(yte, m.predict(Xte))) if regression else (lambda m: accuracy_score(yte, m.predict(Xte)))
    lin = score(make_pipeline(StandardScaler(), LinearRegression() if regression else
                              LogisticRegression(max_iter=5000)).fit(Xtr, ytr))
    mlps, seconds = [], []
    for s in seeds:
        start = time.perf_counter()
        m = make_pipeline(StandardScaler(), (MLPRegressor if regression else MLPClassifier)(random_state=s)).fit(Xtr, ytr)
        seconds.append(time.perf_counter() - start)
        mlps.append(score(m))
    return lin, statistics.fmean(mlps), statistics.fmean(seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mlp", required=True)
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                  "build-defaults", "unseen"))
    ap.add_argument("--large", action="store_true", help="the two 50,000-row sets instead (a few minutes)")
    ap.add_argument("--real", action="store_true", help="six real data sets from statsmodels instead")
    ap.add_argument("--more", action="store_true", help="fifteen more real sets instead (MASS, statsmodels)")
    ap.add_argument("--out", help="also write every run's held-out metric here (JSON), to pair two binaries' runs")
    args = ap.parse_args()
    record = {}
    os.makedirs(args.dir, exist_ok=True)
    seeds, splits = ([1, 2, 3], [0]) if args.large else ([1, 2, 3, 4, 5], [0, 1, 2])
    print("| set | defaults | `--layers none` | defaults − linear (points ± SE) | linear kept | "
          "scikit-learn linear | scikit-learn MLP |" + (" seconds a fit: defaults, linear, scikit-learn MLP |"
                                                        if args.large else ""))
    print("|---|---|---|---|---|---|---|" + ("---|" if args.large else ""))
    for name in (make_large_sets if args.large else make_real_sets if args.real else
                 make_more_sets if args.more else make_sets)(args.dir):
        jobs, sk = [], []
        for k in splits:
            tr, te = split(args.dir, name, k)
            jobs += [(tr, te, s, extra) for s in seeds for extra in ([], ["--layers", "none"])]
            try:
                sk.append(sklearn_metrics(tr, te, seeds))
            except ImportError:
                pass
        with concurrent.futures.ThreadPoolExecutor(1 if args.large else 2) as ex:  # large: timed alone
            res = list(ex.map(lambda j: mlp_metric(args.mlp, *j), jobs))
        dflt, lin = [r[0] for r in res[0::2]], [r[0] for r in res[1::2]]
        kept = sum(1 for r in res[0::2] if r[1] == "none")
        record[name] = {"runs": [{"split": int(j[0].rsplit("_k", 1)[1].split("_")[0]), "seed": j[2],
                                  "layers": "none" if j[3] else "default", "metric": r[0], "kept": r[1],
                                  "seconds": r[2]} for j, r in zip(jobs, res)],
                        "sklearn": [{"split": k, "linear": v[0], "mlp": v[1]} for k, v in zip(splits, sk)]}
        if args.out:
            with open(args.out, "w") as f:
                json.dump(record, f, indent=1)
        d = [100 * (a - b) for a, b in zip(dflt, lin)]
        sk_text = (f"{statistics.fmean(s[0] for s in sk):.3f} | {statistics.fmean(s[1] for s in sk):.3f}"
                   if sk else "– | –")
        if args.large:
            sk_text += (f" | {statistics.fmean(r[2] for r in res[0::2]):.1f}, "
                        f"{statistics.fmean(r[2] for r in res[1::2]):.1f}, " +
                        (f"{statistics.fmean(s[2] for s in sk):.1f}" if sk else "–"))
        print(f"| {name} | {statistics.fmean(dflt):.3f} | {statistics.fmean(lin):.3f} | "
              f"{statistics.fmean(d):+.2f} ± {statistics.stdev(d) / math.sqrt(len(d)):.2f} | {kept}/{len(dflt)} | "
              f"{sk_text} |", flush=True)


if __name__ == "__main__":
    main()
