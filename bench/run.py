"""The benchmark driver (called by bench/run.sh): runs every workload for mlp and its reference
implementations interleaved, round-robin, and writes RESULTS.md and results.svg.

    run.py [--quick] [--rounds N] [--build-dir DIR] [--out DIR]

Full mode (default) writes bench/RESULTS.md and bench/results.svg and refuses to report PyTorch
numbers unless torch loaded OpenBLAS. --quick (run by ctest) uses tiny rounds, epochs and subsets,
writes into BUILD_DIR/bench-quick/, and skips, saying why, whatever it cannot run (no torch, no
data set, no hyperfine or /usr/bin/time). It installs nothing; run.sh does that in full mode.
See bench/README.md for what each workload means.
"""
import argparse
import csv
import gzip
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from datetime import datetime, timezone

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
DATASET = "/usr/share/datasets/fashion-mnist"
IDX_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
W2_SEED = 1        # shuffling seed of both W2 implementations
INIT_SEED = 2024   # seed of the shared W2 initial weights
LAYERS = [(256, 784), (128, 256), (10, 128)]  # (out, in) of each Linear

FULL = dict(rounds=5, w1_epochs=10000, w2_epochs=5, w2_train=60000, w2_test=10000, w3_seconds=3.0,
            w4_rows=60000, numpy_rows=10000, w4_cold_wait=3.0, startup_runs=20)
QUICK = dict(rounds=2, w1_epochs=2000, w2_epochs=1, w2_train=2000, w2_test=1000, w3_seconds=0.3,
             w4_rows=2000, numpy_rows=500, w4_cold_wait=0.0, startup_runs=5)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def thread_env(omp, openblas=None):
    """Every run states its threads explicitly; nothing is inherited from the caller's shell."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(omp), MKL_NUM_THREADS=str(omp),
               OPENBLAS_NUM_THREADS=str(omp if openblas is None else openblas),
               PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ in bench/ from torch_common
    return env


def run(cmd, env=None, cwd=None, timeout=1800):
    """Runs cmd; returns (parsed JSON lines of stdout, stderr). Fails loudly: a benchmark program
    that crashes or prints garbage is exactly what the quick mode in ctest is there to catch."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    log(f"  {time.perf_counter() - t0:6.2f} s  {' '.join(os.path.basename(c) for c in cmd[:6])}")
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(cmd)} printed no JSON:\n{p.stdout[-2000:]}")
    return lines, p.stderr


def run_timed(cmd, env=None, cwd=None):
    """run() and the wall time of the whole process (seconds, taken around it)."""
    t0 = time.perf_counter()
    lines, err = run(cmd, env=env, cwd=cwd)
    return lines, err, time.perf_counter() - t0


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt):
    """'median (min–max)' of a list of per-round values."""
    if not xs:
        return "—"
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


# ---------------------------------------------------------------- data preparation (cached)

def read_idx_prefix(path_gz, header, count, item):
    with gzip.open(path_gz, "rb") as f:
        raw = f.read(header + count * item)
    return raw


def prepare_fashion(cache, train, test, full):
    """Gunzips the IDX files once into cache/fashion (full) or writes a small subset
    cache/fashion-quick (quick: only the first bytes of each .gz are read)."""
    out = os.path.join(cache, "fashion" if full else "fashion-quick")
    if all(os.path.exists(os.path.join(out, f)) for f in IDX_FILES):
        return out
    os.makedirs(out, exist_ok=True)
    for name in IDX_FILES:
        n = train if name.startswith("train") else test
        images = "images" in name
        raw = read_idx_prefix(os.path.join(DATASET, name + ".gz"), 16 if images else 8, n, 784 if images else 1)
        raw = raw[:4] + n.to_bytes(4, "big") + raw[8:]  # the item count in the header
        with open(os.path.join(out, name) + ".tmp", "wb") as f:
            f.write(raw)
        os.replace(os.path.join(out, name) + ".tmp", os.path.join(out, name))
    return out


def prepare_w2_init(cache):
    """The shared W2 initial weights, float32 in torch layout W1 b1 W2 b2 W3 b3: PyTorch's default
    nn.Linear initialisation (kaiming_uniform(a=√5) for W and the bias rule, which both come to
    U(−1/√fan_in, 1/√fan_in)), drawn with Python's own generator (seed INIT_SEED) so the file is
    the same with or without torch installed and with any torch version."""
    path = os.path.join(cache, f"w2_init_seed{INIT_SEED}.bin")
    if not os.path.exists(path):
        rng, flat = random.Random(INIT_SEED), array("f")
        for out, fan_in in LAYERS:
            bound = 1.0 / math.sqrt(fan_in)
            flat.extend(rng.uniform(-bound, bound) for _ in range(out * fan_in))  # W (out, in)
            flat.extend(rng.uniform(-bound, bound) for _ in range(out))           # b (out,)
        with open(path + ".tmp", "wb") as f:
            flat.tofile(f)
        os.replace(path + ".tmp", path)
    return path


def prepare_csv(cache, data_dir, rows, prefix_rows, tag):
    """The W4 CSV (header 'label,pixel1..pixel784', then integer pixels) and a prefix of it for
    numpy.loadtxt, written once from the IDX files."""
    path = os.path.join(cache, f"fashion_train_{tag}.csv")
    prefix = os.path.join(cache, f"fashion_train_{tag}_first{prefix_rows}.csv")
    if os.path.exists(path) and os.path.exists(prefix):
        return path, prefix
    with open(os.path.join(data_dir, "train-images-idx3-ubyte"), "rb") as f:
        images = f.read()[16:]
    with open(os.path.join(data_dir, "train-labels-idx1-ubyte"), "rb") as f:
        labels = f.read()[8:]
    digits = [str(i) for i in range(256)]
    header = "label," + ",".join(f"pixel{i}" for i in range(1, 785)) + "\n"
    with open(path + ".tmp", "w") as f, open(prefix + ".tmp", "w") as g:
        f.write(header)
        g.write(header)
        for i in range(rows):
            line = digits[labels[i]] + "," + ",".join([digits[v] for v in images[i * 784:(i + 1) * 784]]) + "\n"
            f.write(line)
            if i < prefix_rows:
                g.write(line)
    os.replace(path + ".tmp", path)
    os.replace(prefix + ".tmp", prefix)
    return path, prefix


def prepare_xor_csv(cache):
    """W1's four rows as a CSV, for `mlp train`."""
    path = os.path.join(cache, "xor.csv")
    with open(path, "w") as f:
        f.write("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    return path


# ---------------------------------------------------------------- environment facts

def probe_torch():
    """(info, reason): info has torch's version and the BLAS it loaded; reason says why not."""
    try:
        lines, _ = run([sys.executable, os.path.join(BENCH, "torch_common.py")], env=thread_env(1), timeout=120)
    except Exception as e:  # noqa: BLE001  (no torch, or a broken one: both mean "skip")
        return None, f"`import torch` failed with {sys.executable} ({str(e).splitlines()[-1] if str(e) else e})"
    info = lines[0]
    if not info["openblas"]:
        return info, ("PyTorch did not load OpenBLAS (it mapped " + (", ".join(info["blas"]) or "no BLAS") +
                      "); install libopenblas0-pthread — the reference BLAS makes W2 ~13x slower, a false win")
    return info, None


def py_module_version(name):
    try:
        p = subprocess.run([sys.executable, "-c", f"import {name}; print({name}.__version__)"],
                           capture_output=True, text=True, timeout=60)
        return p.stdout.strip() if p.returncode == 0 else "not installed"
    except Exception:  # noqa: BLE001
        return "not installed"


def machine_facts(build):
    facts = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        facts["cpu"] = re.search(r"Model name:\s*(.+)", lscpu).group(1).strip()
        fam, model = re.search(r"CPU family:\s*(\S+)", lscpu), re.search(r"Model:\s*(\S+)", lscpu)
        if fam and model:
            facts["cpu"] += f" (family {fam.group(1)}, model {model.group(1)})"
    except Exception:  # noqa: BLE001
        facts["cpu"] = platform.processor() or "unknown"
    facts["cores"] = os.cpu_count()
    facts["kernel"] = platform.release()
    with open("/proc/meminfo") as f:
        facts["memory"] = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    cache = open(os.path.join(build, "CMakeCache.txt")).read() if os.path.exists(os.path.join(build, "CMakeCache.txt")) else ""
    m = re.search(r"CMAKE_CXX_COMPILER:\w+=(.+)", cache)
    cxx = m.group(1).strip() if m else "c++"
    try:
        facts["compiler"] = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except Exception:  # noqa: BLE001
        facts["compiler"] = cxx
    m = re.search(r"CMAKE_BUILD_TYPE:\w+=(.*)", cache)
    facts["build_type"] = m.group(1).strip() if m else "?"
    flags = os.path.join(build, "bench", "CMakeFiles", "bench_w2_fashion.dir", "flags.make")
    if os.path.exists(flags):
        text = open(flags).read()
        get = lambda key: (re.search(rf"^{key} = (.*)$", text, re.M) or [None, ""])[1].strip()
        facts["flags"] = get("CXX_FLAGS") + " " + " ".join(d for d in get("CXX_DEFINES").split() if d.startswith("-DEIGEN"))
    else:
        facts["flags"] = "?"
    eigen = "/usr/include/eigen3/Eigen/src/Core/util/Macros.h"
    if os.path.exists(eigen):
        text = open(eigen).read()
        v = [re.search(rf"#define EIGEN_{k}_VERSION (\d+)", text).group(1) for k in ("WORLD", "MAJOR", "MINOR")]
        facts["eigen"] = ".".join(v)
    else:
        facts["eigen"] = "?"
    # Fresh memory is expensive on some VMs (the host backs each page on first touch); W4's output
    # matrix alone is 188 MB, so this puts a floor under any reader's time on this machine. numpy
    # asks for transparent huge pages (madvise) on large arrays; malloc (Eigen, std::vector) does not.
    touch = ("import sys, time, numpy\nnumpy.core.multiarray._set_madvise_hugepage(sys.argv[1] == 'huge')\n"
             "best = 1e9\nfor _ in range(3):\n    t = time.perf_counter()\n"
             "    a = numpy.ones(60000 * 784 * 4, numpy.uint8)\n    best = min(best, time.perf_counter() - t)\n"
             "    del a\nprint(best)")
    for pages in ("4k", "huge"):
        p = subprocess.run([sys.executable, "-c", touch, pages], capture_output=True, text=True)
        facts[f"touch_{pages}"] = float(p.stdout) if p.returncode == 0 else None
    for mod in ("torch", "numpy", "pandas"):
        facts[mod] = py_module_version(mod)
    facts["python"] = f"{sys.executable} {platform.python_version()}"
    return facts


# ---------------------------------------------------------------- the workloads, one round each

class Watch:
    """How much CPU other processes used while a measurement ran, in cores: the machine's busy
    time (/proc/stat, all CPUs) less this driver's and its waited-for children's, over the wall
    time. /proc/stat counts in ticks (10 ms), so this is only meaningful over ~1 s or more."""

    @staticmethod
    def machine_busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait

    @staticmethod
    def own_cpu():
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    def __enter__(self):
        self.t, self.busy, self.ours = time.perf_counter(), self.machine_busy(), self.own_cpu()
        return self

    def __exit__(self, *exc):
        wall = max(time.perf_counter() - self.t, 1e-3)
        self.others = max(0.0, (self.machine_busy() - self.busy) - (self.own_cpu() - self.ours)) / wall


DISTURBED = 0.15  # cores used by other processes during a measurement above which it is redone
RETRIES = 2       # how often a disturbed measurement is redone (0 in quick mode)
QUIET_WAIT = 120  # seconds to wait for other processes to go quiet before a measurement (0 in quick mode)
waited = [0.0]    # seconds spent waiting for quiet, for the report


def wait_quiet():
    """Waits (up to QUIET_WAIT s) until other processes use at most DISTURBED cores over 2 s: a
    2-thread run next to a compiler can be 20× slower, and measuring it would only waste time."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < QUIET_WAIT:
        with Watch() as w:
            time.sleep(2)
        if w.others <= DISTURBED:
            break
        if time.perf_counter() - t0 < 2.5:
            log(f"  waiting for quiet: other processes use {w.others:.2f} cores")
    waited[0] += time.perf_counter() - t0 if QUIET_WAIT else 0.0


def measured(r, fn):
    """Runs fn() → [(key, result dict)] once the machine is quiet, appending each dict to r[key].
    If other processes disturbed it anyway, fn runs again (up to RETRIES more times); every dict is
    stamped with the CPU others used meanwhile ('others', cores) and the attempt it came from."""
    for attempt in range(1, RETRIES + 2):
        if QUIET_WAIT:
            wait_quiet()
        with Watch() as w:
            out = fn()
        if w.others <= DISTURBED or attempt > RETRIES:
            break
        log(f"  disturbed: other processes used {w.others:.2f} cores meanwhile; again")
    for key, d in out:
        d["others"], d["attempt"] = round(w.others, 3), attempt
        r.setdefault(key, []).append(d)


def w1_key(line):
    """Where a W1 line goes in the results: 'mlp' is bench_xor's step loop with SGD (the original
    W1), 'mlp_fit_sgd', 'mlp_step_adam', 'mlp_fit_adam' its other modes; 'pytorch' is SGD and
    'pytorch_adam' Adam; the plain loop's lines keep their impl."""
    impl, mode, opt = line["impl"], line.get("mode", "step"), line.get("optimizer", "sgd")
    if impl == "mlp" and (mode, opt) != ("step", "sgd"):
        return f"mlp_{mode}_{opt}"
    if impl == "pytorch" and opt != "sgd":
        return f"pytorch_{opt}"
    return impl


# W1's net and training as `mlp train` options (the optimizer and the epochs are added).
W1_CLI_ARGS = ["--task", "regression", "--layers", "8", "--activation", "tanh", "--output-activation", "sigmoid",
               "--loss", "mse", "--lr", "0.5", "--val-split", "0", "--batch-size", "4", "--scale", "none",
               "--seed", "1", "--json", "--quiet"]
W1_CLI_SHOWN = " ".join(["mlp train xor.csv"] + W1_CLI_ARGS[:-2] + ["--optimizer sgd --epochs EPOCHS --json --quiet"])


def w1_cli(build, xor_csv, epochs, optimizer):
    """W1 through a whole `mlp train` process: µs per epoch from its JSON summary ("seconds", the
    time inside fit(), over "epochs_run"), and the process's wall time."""
    cmd = [os.path.join(build, "mlp"), "train", xor_csv] + W1_CLI_ARGS + ["--optimizer", optimizer,
                                                                           "--epochs", str(epochs)]
    with tempfile.TemporaryDirectory() as tmp:  # where stray output files cannot land in the repo
        lines, _, wall = run_timed(cmd, env=thread_env(1), cwd=tmp)
    j = lines[0]
    return [(f"cli_{optimizer}", {"impl": "mlp train", "optimizer": optimizer, "epochs": j["epochs_run"],
                                  "us_per_epoch": 1e6 * j["seconds"] / j["epochs_run"], "wall_ms": 1e3 * wall,
                                  "final_mse": j["mse"]})]


def round_w1(cfg, build, init, xor_csv, torch_ok, first, r):
    """W1: µs per epoch of mlp (bench_xor's step loop and fit(), `mlp train`; SGD and Adam), the
    plain Eigen loop (both variants) and PyTorch (SGD and Adam). One process takes ~10 ms, too
    short to watch for interference alone, so the round's group is watched."""
    e = str(cfg["w1_epochs"])
    xor = os.path.join(build, "bench", "bench_xor")
    torch_w1 = [sys.executable, os.path.join(BENCH, "torch_w1.py"), init, e]

    def program(cmd):
        return lambda: [(w1_key(line), line) for line in run(cmd, env=thread_env(1))[0]]

    sides = [program([xor, e, "1", "step", "sgd"]), program([os.path.join(build, "bench", "bench_w1_plain"), e, "1"]),
             program([xor, e, "1", "fit", "sgd"]), lambda: w1_cli(build, xor_csv, e, "sgd"),
             program([xor, e, "1", "step", "adam"]), program([xor, e, "1", "fit", "adam"]),
             lambda: w1_cli(build, xor_csv, e, "adam")]
    if torch_ok:  # both optimizers in one process: importing torch takes longer than the training
        sides.append(program(torch_w1 + (["sgd", "adam"] if first else ["adam", "sgd"])))
    if not first:
        sides.reverse()
    measured(r, lambda: [kd for side in sides for kd in side()])


# Runs set against each other go back to back: Adam beside SGD, diagnostics beside plain SGD.
W2_ORDER = ["mlp_1t_adam", "mlp_1t", "mlp_1t_diagnostics", "pytorch_1t", "pytorch_1t_adam", "mlp_2t", "mlp_2t_adam",
            "pytorch_2t_all2", "pytorch_2t_openblas1"]


def w2_summary(lines, err):
    """A W2 program's summary line, with its loss and samples/s per epoch and, when it ran under
    /usr/bin/time -v, its peak RSS."""
    summary = [l for l in lines if l.get("summary")][0]
    summary["losses"] = [l["loss"] for l in lines if "epoch" in l]
    summary["epoch_sps"] = [l["samples_per_s"] for l in lines if "epoch" in l]
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if m:
        summary["max_rss_kib"] = int(m.group(1))
    return summary


def round_w2(cfg, build, data, init, torch_ok, first, r, time_v):
    """W2: samples/s of mlp and PyTorch on 1 and 2 threads, with SGD and with Adam; mlp's 1-thread
    SGD run also measures peak RSS (it runs under /usr/bin/time -v when that is installed)."""
    e, seed = str(cfg["w2_epochs"]), str(W2_SEED)
    mlp = [os.path.join(build, "bench", "bench_w2_fashion"), data, init, e]
    tw2 = [sys.executable, os.path.join(BENCH, "torch_w2.py"), data, init, e]
    runs = {"mlp_1t": (([time_v, "-v"] if time_v else []) + mlp + ["1", seed], thread_env(1)),
            "mlp_1t_adam": (mlp + ["1", seed, "adam"], thread_env(1)),
            # the same 1-thread run gathering mlp::Diagnostics every step (train --diagnostics)
            "mlp_1t_diagnostics": (mlp + ["1", seed, "diagnostics"], thread_env(1)),
            "mlp_2t": (mlp + ["2", seed], thread_env(2, openblas=1)),
            "mlp_2t_adam": (mlp + ["2", seed, "adam"], thread_env(2, openblas=1))}
    if torch_ok:
        runs.update(pytorch_1t=(tw2 + ["1", seed], thread_env(1)),
                    pytorch_1t_adam=(tw2 + ["1", seed, "adam"], thread_env(1)),
                    pytorch_2t_all2=(tw2 + ["2", seed], thread_env(2)),
                    pytorch_2t_openblas1=(tw2 + ["2", seed], thread_env(2, openblas=1)))
    order = [k for k in W2_ORDER if k in runs]
    if not first:
        order.reverse()
    for name in order:
        cmd, env = runs[name]
        measured(r, lambda: [(name, w2_summary(*run(cmd, env=env)))])


def w2_cli(build, csv_path, epochs, defaults, time_v):
    """One `mlp train` process on the W2 CSV, 1 thread: W2's net, batch and epochs, with W2's SGD
    and no validation split, or (defaults) with mlp train's own optimizer and validation split.
    Per-epoch samples/s come from its history CSV (training rows / the epoch's seconds); what the
    whole process spends outside the epochs (reading and preparing the CSV, the final metrics,
    saving the model, starting and ending) is its wall time less their sum."""
    cmd = [os.path.join(build, "mlp"), "train", csv_path, "--target", "label", "--layers", "256,128",
           "--activation", "relu", "--batch-size", "64", "--epochs", str(epochs), "--seed", "1", "--threads", "1",
           "--json"]
    if not defaults:
        cmd += ["--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--val-split", "0"]
    with tempfile.TemporaryDirectory() as tmp:
        history = os.path.join(tmp, "history.csv")
        cmd += ["--history", history, "--save", os.path.join(tmp, "model.json")]
        lines, err, wall = run_timed(([time_v, "-v"] if time_v else []) + cmd, env=thread_env(1), cwd=tmp)
        with open(history, newline="") as f:
            seconds = [float(row["seconds"]) for row in csv.DictReader(f)]
    m = re.search(r"split: (\d+) train, (\d+) validation, (\d+) test", err)
    if not m or not seconds:
        raise RuntimeError(f"{' '.join(cmd)}: no 'split:' line on stderr or no epochs in the history:\n{err[-2000:]}")
    rows, j = int(m.group(1)), lines[0]
    out = {"command": "mlp " + " ".join(os.path.basename(c) if c == csv_path else c for c in cmd[1:-4]),
           "rows": rows, "val_rows": int(m.group(2)), "csv_bytes": os.path.getsize(csv_path),
           "epoch_seconds": seconds, "epoch_sps": [rows / t for t in seconds], "wall": wall,
           "fit_seconds": j["seconds"], "outside": wall - sum(seconds), "accuracy": j.get("accuracy"),
           "split": j.get("split")}
    out["outside_mb_per_s"] = out["csv_bytes"] / 1e6 / max(out["outside"], 1e-9)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if m:
        out["max_rss_kib"] = int(m.group(1))
    return out


def round_w2_cli(cfg, build, csv_path, first, r, time_v):
    """W2 through `mlp train` on the CSV (1 thread): W2's SGD settings, then mlp train's defaults."""
    order = ["sgd", "defaults"] if first else ["defaults", "sgd"]
    for name in order:
        measured(r, lambda: [(name, w2_cli(build, csv_path, cfg["w2_epochs"], name == "defaults", time_v))])


def round_w3(cfg, build, r):
    for t in (1, 2):
        cmd = [os.path.join(build, "bench", "bench_w3_gemm"), str(t), str(cfg["w3_seconds"])]
        measured(r, lambda: [(f"{t}t", run(cmd, env=thread_env(t))[0][0])])


def round_w4(cfg, build, csv_path, prefix, have_pandas, have_numpy, first, r):
    """W4: MB/s of each reader, run twice in a row: 'cold' after w4_cold_wait seconds of quiet, then
    'warm' at once. On this VM a page of fresh memory costs ~10 µs on first touch unless a process
    just freed it, so a reader that mallocs its buffers is 3-4× faster warm than cold."""
    runs = [("mlp", [os.path.join(build, "bench", "bench_w4_csv"), csv_path])]
    if have_pandas:
        runs.append(("pandas", [sys.executable, os.path.join(BENCH, "py_csv.py"), "pandas", csv_path]))
    if have_numpy:
        runs.append(("numpy", [sys.executable, os.path.join(BENCH, "py_csv.py"), "numpy", prefix]))
    if not first:
        runs.reverse()
    for name, cmd in runs:
        time.sleep(cfg["w4_cold_wait"])
        measured(r, lambda: [(name + "_cold", run(cmd, env=thread_env(1))[0][0]),
                             (name, run(cmd, env=thread_env(1))[0][0])])


def round_startup(cfg, build, hyperfine, r):
    """Wall time of one whole `mlp train` process: hyperfine's median of startup_runs runs."""
    cmd = [os.path.join(build, "mlp"), "train", os.path.join(ROOT, "datasets", "iris.csv"), "--epochs", "1", "--quiet"]

    def once():
        with tempfile.TemporaryDirectory() as tmp:  # run where stray output files cannot land in the repo
            if hyperfine:
                out = os.path.join(tmp, "h.json")
                subprocess.run([hyperfine, "-N", "--style", "none", "--warmup", "3", "--runs", str(cfg["startup_runs"]),
                                "--export-json", out, " ".join(cmd)], cwd=tmp, env=thread_env(1), check=True,
                               capture_output=True)
                times = json.load(open(out))["results"][0]["times"]
            else:
                times = []
                for i in range(cfg["startup_runs"] + 3):
                    t0 = time.perf_counter()
                    subprocess.run(cmd, cwd=tmp, env=thread_env(1), check=True, capture_output=True)
                    if i >= 3:
                        times.append(time.perf_counter() - t0)
        return [("ms", {"median": 1e3 * med(times), "min": 1e3 * min(times), "max": 1e3 * max(times)})]

    measured(r, once)


# ---------------------------------------------------------------- the report

def w2_bound_mib(rows, optimizer_buffers=1):
    """1.3 × (training data as float32 + model + optimizer state) + 50 MiB, and the data's and the
    model's (with its optimizer state) MiB: SGD's momentum is one buffer of the model's size, Adam's
    moments two."""
    params = sum(o * i + o for o, i in LAYERS)
    data = rows * (784 + 1) * 4  # X (N, 784) and the label column (N, 1)
    model = params * 4 * (1 + optimizer_buffers)
    return 1.3 * (data + model) / 2**20 + 50, data / 2**20, model / 2**20


def per_round(xs, ys):
    """Per-round ratios xs[i] / ys[i]."""
    return [a / b for a, b in zip(xs, ys)]


def summarize_w1_variants(us, s, targets):
    """W1's other sides: Adam against SGD (the step loop, fit(), mlp train, PyTorch), fit() against
    the step loop, and mlp train against the plain loop, each per round."""
    for key, a, b in (("w1_step_adam_over_sgd", "mlp_step_adam", "mlp"),
                      ("w1_fit_adam_over_sgd", "mlp_fit_adam", "mlp_fit_sgd"),
                      ("w1_cli_adam_over_sgd", "cli_adam", "cli_sgd"),
                      ("w1_torch_adam_over_sgd", "pytorch_adam", "pytorch"),
                      ("w1_fit_over_step", "mlp_fit_sgd", "mlp"),
                      ("w1_cli_over_plain", "cli_sgd", "plain_eigen_dynamic")):
        if a in us and b in us:
            s[key] = per_round(us[a], us[b])
    for key, what in (("w1_fit_adam_over_sgd", "through fit()"), ("w1_cli_adam_over_sgd", "through mlp train")):
        if key in s:
            targets.append((f"W1 {what}: XOR with Adam at lr 0.5 ≤ 2× XOR with SGD (time per epoch)",
                            spread(s[key], "{:.2f}×"), med(s[key]) <= 2.0))
    if "w1_cli_over_plain" in s:
        targets.append(("W1 through mlp train (SGD, time per epoch inside fit) ≤ 1.5× the plain (dynamic-size) "
                        "Eigen loop", spread(s["w1_cli_over_plain"], "{:.2f}×"), med(s["w1_cli_over_plain"]) <= 1.5))


def summarize_w2_adam(sps, s, targets):
    """W2 with Adam: against SGD in the same round (mlp and PyTorch), against PyTorch's Adam, and
    the 2-thread speed-up with Adam."""
    for key, a, b in (("w2_adam_over_sgd", "mlp_1t_adam", "mlp_1t"),
                      ("w2_torch_adam_over_sgd", "pytorch_1t_adam", "pytorch_1t"),
                      ("w2_adam_vs_torch", "mlp_1t_adam", "pytorch_1t_adam"),
                      ("w2_scaling_adam", "mlp_2t_adam", "mlp_1t_adam")):
        if a in sps and b in sps:
            s[key] = per_round(sps[a], sps[b])
    if "w2_adam_over_sgd" in s:
        targets.append(("W2 with Adam ≥ 0.85× W2 with SGD (mlp, 1 thread, samples/s, same round)",
                        spread(s["w2_adam_over_sgd"], "{:.2f}×"), med(s["w2_adam_over_sgd"]) >= 0.85))


def epoch_rates(summary):
    """(median, best) per-epoch samples/s of a bench_w2_fashion run (older results: the summary's)."""
    per = summary.get("epoch_sps") or [summary["samples_per_s"]]
    return med(per), max(per + [summary.get("best_epoch_samples_per_s", 0)])


def summarize_w2_cli(cfg, res, s, targets):
    """W2 through mlp train: its per-epoch rates against bench_w2_fashion's on 1 thread (median
    epoch and best epoch, same round), what the process spends outside the epochs, and the peak
    RSS of the defaults run."""
    cli, w2 = res["w2_cli"], res["w2"]
    bench = [epoch_rates(x) for x in w2["mlp_1t"]]
    for name, runs in cli.items():
        s[f"w2_cli_{name}_median"] = [med(x["epoch_sps"]) for x in runs]
        s[f"w2_cli_{name}_best"] = [max(x["epoch_sps"]) for x in runs]
        s[f"w2_cli_{name}_outside_mbs"] = [x["outside_mb_per_s"] for x in runs]
    if "sgd" in cli:
        s["w2_cli_over_bench"] = per_round(s["w2_cli_sgd_median"], [b[0] for b in bench])
        s["w2_cli_over_bench_best"] = per_round(s["w2_cli_sgd_best"], [b[1] for b in bench])
        targets.append(("W2 through mlp train (SGD, 1 thread): per-epoch rate within 5 % of bench_w2_fashion "
                        "(median epochs, same round; ≥ 0.95×)",
                        f"median epochs {spread(s['w2_cli_over_bench'], '{:.3f}×')}; best epochs "
                        f"{spread(s['w2_cli_over_bench_best'], '{:.3f}×')}", med(s["w2_cli_over_bench"]) >= 0.95))
        mbs = s["w2_cli_sgd_outside_mbs"]
        targets.append(("W2 through mlp train (SGD): the whole process outside the epochs ≥ 200 MB/s of CSV",
                        spread(mbs, "{:.0f} MB/s"), med(mbs) >= 200))
    if "mlp_1t_adam" in w2 and "defaults" in cli:
        s["w2_cli_defaults_over_bench_adam"] = per_round(s["w2_cli_defaults_median"],
                                                         [epoch_rates(x)[0] for x in w2["mlp_1t_adam"]])
    rss = [x["max_rss_kib"] / 1024 for x in cli.get("defaults", []) if "max_rss_kib" in x]
    if rss:
        bound = w2_bound_mib(cfg["w4_rows"], optimizer_buffers=2)[0]
        s["w2_cli_rss"] = rss
        targets.append(("Memory: peak RSS of mlp train with its defaults on the W2 CSV ≤ 1.3 × (data + model + "
                        "Adam's two buffers) + 50 MiB", f"{max(rss):.1f} MiB (max of rounds) vs bound {bound:.1f} MiB",
                        max(rss) <= bound))


def summarize(cfg, res):
    """Derives the per-round ratios and the target lines from the raw results."""
    s, targets = {}, []
    w1 = res.get("w1", {})
    if w1:
        us = {k: [x["us_per_epoch"] for x in v] for k, v in w1.items()}
        s["w1_us"] = us
        s["w1_mlp_over_plain"] = [a / b for a, b in zip(us["mlp"], us["plain_eigen_dynamic"])]
        ratio = med(s["w1_mlp_over_plain"])
        targets.append(("W1: mlp within 1.5× of the plain Eigen loop (time per epoch, dynamic-size)",
                        f"{ratio:.2f}× (rounds {min(s['w1_mlp_over_plain']):.2f}–{max(s['w1_mlp_over_plain']):.2f}×)",
                        ratio <= 1.5))
        if "pytorch" in us:
            s["w1_speed_vs_torch"] = [b / a for a, b in zip(us["mlp"], us["pytorch"])]
        summarize_w1_variants(us, s, targets)
    w2 = res.get("w2", {})
    if w2:
        sps = {k: [x["samples_per_s"] for x in v] for k, v in w2.items()}
        s["w2_sps"] = sps
        if "pytorch_1t" in sps:
            s["w2_ratio_1t"] = [a / b for a, b in zip(sps["mlp_1t"], sps["pytorch_1t"])]
            best = max(("pytorch_2t_all2", "pytorch_2t_openblas1"), key=lambda k: med(sps[k]))
            s["w2_best_2t"] = best
            s["w2_ratio_2t"] = [a / b for a, b in zip(sps["mlp_2t"], sps[best])]
            acc_m = med([x["test_accuracy"] for x in w2["mlp_1t"]]) * 100
            acc_t = med([x["test_accuracy"] for x in w2["pytorch_1t"]]) * 100
            gap = abs(acc_m - acc_t)
            targets.append((f"W2: test accuracies after {cfg['w2_epochs']} epochs within 1.5 points (1 thread)",
                            f"mlp {acc_m:.2f} %, PyTorch {acc_t:.2f} %: {gap:.2f} points", gap <= 1.5))
            targets.append(("W2 1 thread: mlp ≥ 2.0× PyTorch (samples/s)", spread(s["w2_ratio_1t"], "{:.2f}×"),
                            med(s["w2_ratio_1t"]) >= 2.0))
            targets.append(("W2 2 threads: mlp ≥ 2.5× PyTorch's best 2-thread setting",
                            spread(s["w2_ratio_2t"], "{:.2f}×"), med(s["w2_ratio_2t"]) >= 2.5))
        if "mlp_1t_diagnostics" in sps:
            s["w2_diagnostics_cost"] = [100 * (a / b - 1) for a, b in zip(sps["mlp_1t"], sps["mlp_1t_diagnostics"])]
            targets.append(("W2 1 thread: diagnostics on (train --diagnostics) cost ≤ 10 % of the training time",
                            spread(s["w2_diagnostics_cost"], "{:+.1f} %"), med(s["w2_diagnostics_cost"]) <= 10))
        s["w2_scaling"] = [a / b for a, b in zip(sps["mlp_2t"], sps["mlp_1t"])]
        targets.append(("W2 2 threads: ≥ 1.5× mlp's own 1-thread samples/s", spread(s["w2_scaling"], "{:.2f}×"),
                        med(s["w2_scaling"]) >= 1.5))
        summarize_w2_adam(sps, s, targets)
        rss = [x["max_rss_kib"] / 1024 for x in w2["mlp_1t"] if "max_rss_kib" in x]
        if rss:
            bound = w2_bound_mib(cfg["w2_train"])[0]
            s["w2_rss"] = rss
            targets.append(("Memory: peak RSS of the mlp W2 run ≤ 1.3 × (data + model + optimizer) + 50 MiB",
                            f"{max(rss):.1f} MiB (max of rounds) vs bound {bound:.1f} MiB", max(rss) <= bound))
        if res.get("w2_cli"):
            summarize_w2_cli(cfg, res, s, targets)
    w3 = res.get("w3", {})
    if w3 and w2:
        s["w3_sps"] = {k: [x["samples_per_s"] for x in v] for k, v in w3.items()}
        w3s = s["w3_sps"]  # per round, like every ratio
        s["w2_pct_of_w3"] = {t: [100 * a / b for a, b in zip(sps[f"mlp_{t}"], w3s[t])] for t in ("1t", "2t")}
        s["w2_pct_of_2x_w3"] = [100 * a / (2 * b) for a, b in zip(sps["mlp_2t"], w3s["1t"])]
        targets.append(("W2 1 thread: ≥ 90 % of the W3 ceiling", spread(s["w2_pct_of_w3"]["1t"], "{:.0f} %"),
                        med(s["w2_pct_of_w3"]["1t"]) >= 90))
    w4 = res.get("w4", {})
    if w4:
        mbs = {k: [x["mb_per_s"] for x in v] for k, v in w4.items()}
        s["w4_mbs"] = mbs
        for state, sfx in (("warm", ""), ("cold", "_cold")):
            m = mbs["mlp" + sfx]
            targets.append((f"W4 {state}: mlp CSV → training matrix ≥ 250 MB/s (median; best in brackets)",
                            f"{med(m):.0f} MB/s (best {max(m):.0f})", med(m) >= 250))
            for ref in ("pandas", "numpy"):
                if ref + sfx in mbs:
                    s[f"w4_vs_{ref}{sfx}"] = [a / b for a, b in zip(m, mbs[ref + sfx])]
            if "w4_vs_numpy" + sfx in s:
                v = med(s["w4_vs_numpy" + sfx])
                targets.append((f"W4 {state}: mlp ≥ 4× numpy.loadtxt", f"{v:.1f}×", v >= 4))
    st = res.get("startup", {})
    if st:
        ms = [x["median"] for x in st["ms"]]
        s["startup_ms"] = ms
        targets.append(("Startup: `mlp train datasets/iris.csv --epochs 1 --quiet` < 50 ms (median of rounds' medians)",
                        f"{med(ms):.1f} ms", med(ms) < 50))
    return s, targets


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def dag(entry):
    """† for a measurement that other processes still disturbed."""
    return "†" if entry.get("others", 0) > DISTURBED else ""


def report_w1_variants(cfg, res, s, R):
    """RESULTS.md's section on W1 through fit() and mlp train, with SGD and with Adam."""
    us, w1 = s["w1_us"], res["w1"]
    names = {"mlp": "step SGD", "mlp_fit_sgd": "fit() SGD", "mlp_step_adam": "step Adam", "mlp_fit_adam": "fit() Adam",
             "cli_sgd": "mlp train SGD", "cli_adam": "mlp train Adam", "plain_eigen_dynamic": "plain Eigen (dynamic)",
             "pytorch": "PyTorch SGD", "pytorch_adam": "PyTorch Adam"}
    cols = [(k, name) for k, name in names.items() if k in us]
    md = [f"## W1 through fit() and `mlp train`, SGD and Adam (XOR, {cfg['w1_epochs']:,} epochs, µs per epoch)\n",
          "`bench_xor EPOCHS 1 step|fit sgd|adam`: *step* is a loop of `Network::train_step` (the W1 above), *fit* is "
          "`mlp::fit()` with what `mlp train` hands it (a running R², a batch and an epoch callback, an interrupt "
          "check, the history), shuffling the four rows each epoch. *mlp train* is the whole tool on the four rows "
          "as a CSV: `" + W1_CLI_SHOWN + "`, and the same with `--optimizer adam`; its µs per epoch are the JSON "
          "summary's `seconds` (the time inside fit()) over `epochs_run`, and the process's wall time is in the "
          "second table. Adam runs at W1's lr 0.5 on every side (PyTorch: `optim.Adam(lr=0.5)`). All start from "
          "mlp's initialisation for seed 1.\n"]
    fmt = {k: "{:.1f}" if k.startswith("pytorch") else "{:.3f}" for k, _ in cols}
    rows = [[f"{i + 1}{dag(w1['mlp'][i])}"] + [fmt[k].format(us[k][i]) for k, _ in cols] for i in range(R)]
    rows.append(["**median (min–max)**"] + [spread(us[k], fmt[k]) for k, _ in cols])
    md.append(table(["round"] + [name for _, name in cols], rows))
    ratios = [(k, name) for k, name in (("w1_fit_adam_over_sgd", "fit(): Adam / SGD"),
                                        ("w1_cli_adam_over_sgd", "mlp train: Adam / SGD"),
                                        ("w1_step_adam_over_sgd", "step: Adam / SGD"),
                                        ("w1_torch_adam_over_sgd", "PyTorch: Adam / SGD"),
                                        ("w1_fit_over_step", "SGD: fit() / step"),
                                        ("w1_cli_over_plain", "SGD: mlp train / plain Eigen (dynamic)")) if k in s]
    walls = [k for k in ("cli_sgd", "cli_adam") if k in w1]
    rows = [[i + 1] + [f"{s[k][i]:.2f}×" for k, _ in ratios] + [f"{w1[k][i]['wall_ms']:.1f}" for k in walls]
            for i in range(R)]
    rows.append(["**median (min–max)**"] + [spread(s[k], "{:.2f}×") for k, _ in ratios] +
                [spread([x["wall_ms"] for x in w1[k]], "{:.1f}") for k in walls])
    md.append("Time per epoch, per round, and the whole `mlp train` process's wall time:\n")
    head = ["round"] + [name for _, name in ratios] + [f"{names[k]}: whole process (ms)" for k in walls]
    md.append(table(head, rows))
    losses = [f"{name} {med([x['final_loss'] for x in w1[k]]):.6f}" for k, name in cols
              if k in w1 and "final_loss" in w1[k][0]]
    mse = [f"{name} {med([x['final_mse'] for x in w1[k]]):.4f}" for k, name in cols if k.startswith("cli_")]
    md.append("Final training losses (median of rounds): " + ", ".join(losses) + ". " +
              ("`mlp train`'s final MSE (after training, in the target's units): " + ", ".join(mse) + ". `mlp train` "
               "standardises a regression target whatever `--scale` says (src/io/preprocess.cpp, "
               "`fit_target_scaling`), so its sigmoid output is trained towards (y − 0.5) / sd, negative for the "
               "0 rows, which a sigmoid cannot reach: its loss is not comparable with the others', its work per "
               "epoch is.\n" if mse else "\n"))
    return md


def report_w2_adam(cfg, res, s, R):
    """RESULTS.md's section on W2 with Adam against W2 with SGD, 1 thread."""
    sps, w2 = s["w2_sps"], res["w2"]
    cols = [(k, name) for k, name in (("mlp_1t", "mlp SGD"), ("mlp_1t_adam", "mlp Adam"), ("pytorch_1t", "PyTorch SGD"),
                                      ("pytorch_1t_adam", "PyTorch Adam")) if k in sps]
    ratios = [(k, name) for k, name in (("w2_adam_over_sgd", "mlp: Adam / SGD"),
                                        ("w2_torch_adam_over_sgd", "PyTorch: Adam / SGD"),
                                        ("w2_adam_vs_torch", "Adam: mlp / PyTorch")) if k in s]
    md = ["## W2 with Adam, `mlp train`'s default optimizer (1 thread, training samples/s)\n",
          "W2 as above with Adam lr 0.001 instead of SGD with momentum, the other Adam settings each library's "
          "default: `bench_w2_fashion DATA INIT EPOCHS 1 1 adam` and `torch_w2.py DATA INIT EPOCHS 1 1 adam` "
          "(`optim.Adam(lr=0.001)`). Each Adam run goes right before or after the SGD run it is divided by.\n"]
    rows = [[i + 1] + [f"{sps[k][i]:,.0f}{dag(w2[k][i])}" for k, _ in cols] + [f"{s[k][i]:.2f}×" for k, _ in ratios]
            for i in range(R)]
    rows.append(["**median (min–max)**"] + [spread(sps[k], "{:,.0f}") for k, _ in cols] +
                [spread(s[k], "{:.2f}×") for k, _ in ratios])
    md.append(table(["round"] + [name for _, name in cols] + [name for _, name in ratios], rows))
    rows = [(name, spread([x["test_accuracy"] * 100 for x in w2[k]], "{:.2f} %"),
             " → ".join(f"{l:.4f}" for l in w2[k][0]["losses"])) for k, name in cols if k.endswith("adam")]
    md.append("Test accuracy after the last epoch and the training loss per epoch (round 1) with Adam:\n")
    md.append(table(["run", "test accuracy", "training loss by epoch"], rows))
    return md


def report_w2_threads(res, s, R):
    """RESULTS.md's section on mlp's 2-thread speed-up, SGD and Adam, per round."""
    sps, w2 = s["w2_sps"], res["w2"]
    groups = [(opt, sfx, key) for opt, sfx, key in (("SGD", "", "w2_scaling"), ("Adam", "_adam", "w2_scaling_adam"))
              if key in s]
    md = ["## W2 on 2 threads over 1 (mlp, training samples/s)\n",
          "Each 2-thread run divided by the 1-thread run with the same optimizer in the same round.\n"]
    head, rows = ["round"], []
    for opt, _, _ in groups:
        head += [f"{opt} 1 thread", f"{opt} 2 threads", f"{opt}: 2 threads / 1"]
    for i in range(R):
        row = [i + 1]
        for _, sfx, key in groups:
            row += [f"{sps['mlp_1t' + sfx][i]:,.0f}{dag(w2['mlp_1t' + sfx][i])}",
                    f"{sps['mlp_2t' + sfx][i]:,.0f}{dag(w2['mlp_2t' + sfx][i])}", f"{s[key][i]:.2f}×"]
        rows.append(row)
    row = ["**median (min–max)**"]
    for _, sfx, key in groups:
        row += [spread(sps["mlp_1t" + sfx], "{:,.0f}"), spread(sps["mlp_2t" + sfx], "{:,.0f}"),
                spread(s[key], "{:.2f}×")]
    rows.append(row)
    md.append(table(head, rows))
    return md


def report_w2_cli(cfg, res, s, R):
    """RESULTS.md's section on W2 through `mlp train` on the CSV."""
    cli = res["w2_cli"]
    any_run = next(iter(cli.values()))[0]
    size = any_run["csv_bytes"]
    md = [f"## W2 through `mlp train` on the CSV ({cfg['w4_rows']:,} rows, {size / 1e6:.1f} MB, "
          f"{cfg['w2_epochs']} epochs, 1 thread)\n",
          "What a user runs: the tool reads the CSV (the W4 file), standardises the pixels, trains, prints its "
          "metrics and writes the history and the model. Per-epoch samples/s = training rows / the epoch's "
          "`seconds` in the history CSV (median and best epoch of the run). *Outside the epochs* = the whole "
          "process's wall time less the sum of its epochs (starting, reading and preparing the CSV, the final "
          "metrics, saving the model), given as MB of CSV per second of it. bench_w2_fashion is the same round's "
          "1-thread run (its data from the IDX files, scaled by 1/255), the same net, batch and epochs.\n"]
    for name, title in (("sgd", "W2's SGD, no validation split"), ("defaults", "mlp train's defaults")):
        if name not in cli:
            continue
        runs = cli[name]
        md.append(f"**{title}**: `{runs[0]['command']} --history H.csv --save M.json` "
                  f"({runs[0]['rows']:,} training rows, {runs[0]['val_rows']:,} validation rows"
                  + ("; an epoch's seconds include mlp train's validation pass after it" if runs[0]["val_rows"] else "")
                  + ").\n")
        head = ["round", "median epoch (samples/s)", "best epoch (samples/s)"]
        ref = None
        if name == "sgd" and "w2_cli_over_bench" in s:
            ref = ("bench_w2_fashion SGD", "mlp_1t", s["w2_cli_over_bench"], s["w2_cli_over_bench_best"])
        elif name == "defaults" and "w2_cli_defaults_over_bench_adam" in s:
            ref = ("bench_w2_fashion Adam", "mlp_1t_adam", s["w2_cli_defaults_over_bench_adam"], None)
        if ref:
            head += [f"{ref[0]} median epoch", "mlp train / it (median epochs)"]
            head += ["mlp train / it (best epochs)"] if ref[3] else []
        head += ["whole process (s)", "Σ epochs (s)", "outside the epochs (s)", "outside the epochs (MB/s)"]
        rss = "max_rss_kib" in runs[0]
        head += ["peak RSS (MiB)"] if rss else []
        rows = []
        for i, x in enumerate(runs):
            row = [f"{i + 1}{dag(x)}", f"{med(x['epoch_sps']):,.0f}", f"{max(x['epoch_sps']):,.0f}"]
            if ref:
                row += [f"{epoch_rates(res['w2'][ref[1]][i])[0]:,.0f}", f"{ref[2][i]:.3f}×"]
                row += [f"{ref[3][i]:.3f}×"] if ref[3] else []
            row += [f"{x['wall']:.2f}", f"{sum(x['epoch_seconds']):.2f}", f"{x['outside']:.2f}",
                    f"{x['outside_mb_per_s']:.0f}"]
            row += [f"{x['max_rss_kib'] / 1024:.1f}"] if rss else []
            rows.append(row)
        row = ["**median (min–max)**", spread(s[f"w2_cli_{name}_median"], "{:,.0f}"),
               spread(s[f"w2_cli_{name}_best"], "{:,.0f}")]
        if ref:
            row += [spread([epoch_rates(x)[0] for x in res["w2"][ref[1]]], "{:,.0f}"), spread(ref[2], "{:.3f}×")]
            row += [spread(ref[3], "{:.3f}×")] if ref[3] else []
        row += [spread([x["wall"] for x in runs], "{:.2f}"), spread([sum(x["epoch_seconds"]) for x in runs], "{:.2f}"),
                spread([x["outside"] for x in runs], "{:.2f}"), spread(s[f"w2_cli_{name}_outside_mbs"], "{:.0f}")]
        row += [spread([x["max_rss_kib"] / 1024 for x in runs], "{:.1f}")] if rss else []
        rows.append(row)
        md.append(table(head, rows))
    if "w2_cli_rss" in s:
        bound, data, model = w2_bound_mib(cfg["w4_rows"], optimizer_buffers=2)
        md.append(f"Memory bound of the defaults run (`/usr/bin/time -v`) = 1.3 × ({data:.1f} MiB: all "
                  f"{cfg['w4_rows']:,} rows as float32, training and validation, pixels and label + {model:.1f} MiB "
                  f"model and Adam's two moment buffers) + 50 MiB = **{bound:.1f} MiB**.\n")
    return md


def report(cfg, args, facts, res, s, targets, skipped, meta):
    R = cfg["rounds"]
    md = ["# mlp benchmark results\n"]
    if args.quick:
        md.append("**Quick mode** (`bench/run.sh --quick`): tiny rounds, epochs and subsets, to keep the benchmark "
                  "from rotting. These numbers say nothing about performance.\n")
    md.append(f"Generated by `{meta['command']}` on {meta['date']} in {meta['duration']:.0f} s: "
              f"{R} rounds, each running every workload's implementations back to back (the order reversed on "
              "alternate rounds), so slow drifts of the machine hit all sides alike. Each cell is the median over "
              "rounds with the min–max in brackets; a ratio is computed per round, then its median taken.\n")
    # one entry per measurement: W1 and W4 measure a round's whole group at once (see measured())
    runs = [d for w, v in res.items() for k, l in v.items()
            if (w != "w1" or k == "mlp") and not k.endswith("_cold") for d in l]
    redone = sum(1 for d in runs if d.get("attempt", 1) > 1)
    left = sum(1 for d in runs if d.get("others", 0) > DISTURBED)
    md.append(f"Interference: while each measurement ran (a round's W1 group or startup series, a W4 reader's "
              f"cold + warm pair, any single W2 or W3 run), the CPU time used by *other* processes was taken from /proc/stat; above "
              f"{DISTURBED} cores the measurement was redone, up to {RETRIES} times. Before each attempt the driver "
              f"waited (up to {QUIET_WAIT} s) for 2 quiet seconds; it waited {meta.get('waited', 0):.0f} s in all. "
              f"Of {len(runs)} "
              f"measurements, {redone} were redone and {left} still disturbed after that (marked † in the "
              "tables). Slowdowns from outside this VM (other guests on the host) do not show up there: "
              "the per-round spread is the guard against those.\n")
    md.append("## Machine\n")
    md.append(table(["", ""], [
        ("CPU", facts["cpu"]), ("cores (nproc)", facts["cores"]), ("memory", facts["memory"]), ("kernel", facts["kernel"]),
        ("compiler", facts["compiler"]), ("build type, flags", f"{facts['build_type']}: `{facts['flags']}`"),
        ("Eigen", facts["eigen"]), ("Python", facts["python"]), ("torch", facts["torch"]), ("numpy", facts["numpy"]),
        ("pandas", facts["pandas"]), ("PyTorch's BLAS", meta.get("torch_blas", "—")),
        ("first touch of 188 MB of fresh memory (numpy.ones, best of 3)",
         f"{facts['touch_4k']:.3f} s with 4 KiB pages ({facts['touch_4k'] / (188160000 / 4096) * 1e6:.1f} µs per page), "
         f"{facts['touch_huge']:.3f} s with transparent huge pages (madvise)" if facts.get("touch_4k") else "not measured (no numpy)"),
        ("load average (1, 5, 15 min) before", meta["load_before"]), ("load average after", meta["load_after"]),
        ("load average (1 min) at each round's start", ", ".join(meta["round_loads"])),
    ]))
    if skipped:
        md.append("## Skipped\n")
        md += [f"- {k}: {v}" for k, v in skipped.items()]
        md.append("")
    md.append("## Targets\n")
    md.append(table(["target", "measured" + (" (quick mode: meaningless sizes)" if args.quick else ""), "met"],
                    [(t, m, "met" if ok else "**not met**") for t, m, ok in targets]))
    if any(not ok for _, _, ok in targets):
        md.append("What limits the targets not met, with profiles: bench/README.md, \"Targets not met\".\n")

    if "w1_us" in s:
        us = s["w1_us"]
        md.append(f"## W1 tiny: XOR 2-8-1, {cfg['w1_epochs']:,} full-batch epochs (µs per epoch, 1 thread)\n")
        md.append("All start from the same weights (mlp's initialisation, seed 1); final losses: " + ", ".join(
            f"{k} {med([x['final_loss'] for x in res['w1'][k]]):.6f}"
            for k in ("mlp", "plain_eigen_dynamic", "plain_eigen_fixed", "pytorch") if k in res["w1"]) + ".\n")
        head = ["round", "mlp", "plain Eigen (dynamic)", "plain Eigen (fixed-size)", "PyTorch", "mlp / plain (time)",
                "mlp speed / PyTorch speed"]
        rows = []
        for i in range(R):
            rows.append((f"{i + 1}{dag(res['w1']['mlp'][i])}", f"{us['mlp'][i]:.3f}", f"{us['plain_eigen_dynamic'][i]:.3f}",
                         f"{us['plain_eigen_fixed'][i]:.3f}",
                         f"{us['pytorch'][i]:.1f}" if "pytorch" in us else "skipped",
                         f"{s['w1_mlp_over_plain'][i]:.2f}×",
                         f"{s['w1_speed_vs_torch'][i]:.0f}×" if "w1_speed_vs_torch" in s else "skipped"))
        rows.append(("**median (min–max)**", spread(us["mlp"], "{:.3f}"), spread(us["plain_eigen_dynamic"], "{:.3f}"),
                     spread(us["plain_eigen_fixed"], "{:.3f}"),
                     spread(us["pytorch"], "{:.1f}") if "pytorch" in us else "skipped",
                     spread(s["w1_mlp_over_plain"], "{:.2f}×"),
                     spread(s["w1_speed_vs_torch"], "{:.0f}×") if "w1_speed_vs_torch" in s else "skipped"))
        md.append(table(head, rows))
        if any(k in us for k in ("mlp_fit_sgd", "cli_sgd", "mlp_step_adam")):
            md += report_w1_variants(cfg, res, s, R)

    if "w2_sps" in s:
        sps, w2 = s["w2_sps"], res["w2"]
        md.append(f"## W2 Fashion-MNIST: 784-256-128-10, {cfg['w2_train']:,} training images, "
                  f"{cfg['w2_epochs']} epochs (training samples/s)\n")
        md.append("ReLU, softmax + cross-entropy, SGD lr 0.05 momentum 0.9, batch 64, shuffled every epoch (each side "
                  "with its own generator, seed 1), the same initial weights on both sides. Samples/s counts training "
                  "only (shuffling included; loading and the test evaluation excluded). PyTorch's 2-thread settings: "
                  "*all 2* = torch.set_num_threads(2) with OMP/OPENBLAS/MKL_NUM_THREADS=2; *OpenBLAS 1* = the same with "
                  "OPENBLAS_NUM_THREADS=1. Interop threads are 1 everywhere.\n")
        keys = [k for k in ("mlp_1t", "pytorch_1t", "mlp_2t", "pytorch_2t_all2", "pytorch_2t_openblas1") if k in sps]
        names = {"mlp_1t": "mlp 1 thread", "pytorch_1t": "PyTorch 1 thread", "mlp_2t": "mlp 2 threads",
                 "pytorch_2t_all2": "PyTorch 2 threads (all 2)", "pytorch_2t_openblas1": "PyTorch 2 threads (OpenBLAS 1)"}
        head = ["round"] + [names[k] for k in keys]
        if "w2_ratio_1t" in s:
            head += ["mlp / PyTorch, 1 thread", "mlp / PyTorch's best, 2 threads"]
        rows = []
        for i in range(R):
            row = [i + 1] + [f"{sps[k][i]:,.0f}{dag(w2[k][i])}" for k in keys]
            if "w2_ratio_1t" in s:
                row += [f"{s['w2_ratio_1t'][i]:.2f}×", f"{s['w2_ratio_2t'][i]:.2f}×"]
            rows.append(row)
        row = ["**median (min–max)**"] + [spread(sps[k], "{:,.0f}") for k in keys]
        if "w2_ratio_1t" in s:
            row += [spread(s["w2_ratio_1t"], "{:.2f}×"), spread(s["w2_ratio_2t"], "{:.2f}×")]
        rows.append(row)
        md.append(table(head, rows))
        if "w2_best_2t" in s:
            md.append(f"PyTorch's best 2-thread setting: **{names[s['w2_best_2t']]}**.\n")
        md.append(f"Test accuracy ({cfg['w2_test']:,} test images) after the last epoch, and the training loss per epoch (mean of "
                  "the batch losses before each update), from round 1:\n")
        rows = []
        for k in keys:
            acc = [x["test_accuracy"] * 100 for x in w2[k]]
            rows.append((names[k], spread(acc, "{:.2f} %"), " → ".join(f"{l:.4f}" for l in w2[k][0]["losses"])))
        md.append(table(["run", "test accuracy", "training loss by epoch"], rows))
        if "w2_adam_over_sgd" in s:
            md += report_w2_adam(cfg, res, s, R)
        md += report_w2_threads(res, s, R)
    if "w2_cli_sgd_median" in s or "w2_cli_defaults_median" in s:
        md += report_w2_cli(cfg, res, s, R)

    if "w3_sps" in s:
        w3 = s["w3_sps"]
        md.append(f"## W3 ceiling: the 8 GEMMs of one W2 step alone ({cfg['w3_seconds']} s per measurement)\n")
        rows = [(i + 1, f"{w3['1t'][i]:,.0f}{dag(res['w3']['1t'][i])}", f"{w3['2t'][i]:,.0f}{dag(res['w3']['2t'][i])}")
                for i in range(R)]
        rows.append(("**median (min–max)**", spread(w3["1t"], "{:,.0f}"), spread(w3["2t"], "{:,.0f}")))
        rows.append(("**mlp's W2 as % of it**", spread(s["w2_pct_of_w3"]["1t"], "{:.0f} %"),
                     spread(s["w2_pct_of_w3"]["2t"], "{:.0f} %")))
        rows.append(("**mlp's W2 as % of 2 × the 1-thread ceiling**", "", spread(s["w2_pct_of_2x_w3"], "{:.0f} %")))
        md.append(table(["round", "1 thread (samples/s)", "2 threads (samples/s)"], rows))
        md.append("The 2-thread column is Eigen's own threading of each product (bench_w3_gemm calls "
                  "Eigen::setNbThreads). An engine that splits the work between threads itself instead is bounded "
                  "rather by twice the 1-thread ceiling (perfect scaling): the last row.\n")

    if "w4_mbs" in s:
        mbs, w4 = s["w4_mbs"], res["w4"]
        size = w4["mlp"][0]["bytes"]
        md.append(f"## W4 CSV: {w4['mlp'][0]['rows']:,} × 785 Fashion-MNIST training set, {size / 1e6:.1f} MB "
                  "(MB/s = 10⁶ bytes of file per second of wall time)\n")
        note = ("Each reader runs in its own process and ends with a row-major (N, 784) float32 matrix and the labels; "
                "the clock covers the read and that copy, not process start. The file is in the page cache. "
                "mlp = `mlp::csv::read` + copying the columns; pandas = `read_csv` + `to_numpy(float32)`")
        if "numpy" in mbs:
            pre = w4["numpy"][0]
            note += (f"; numpy = `loadtxt(dtype=float32)` timed on the first {pre['rows']:,} rows only "
                     f"({pre['bytes'] / 1e6:.1f} MB, the same format), its MB/s being that prefix's size over its time "
                     "(loadtxt's rate does not depend on the file's length)")
        if facts.get("touch_4k"):
            t = facts["touch_4k"] * w4["mlp"][0]["rows"] / 60000
            note += (f". The (N, 784) float32 result alone is {w4['mlp'][0]['rows'] * 784 * 4 / 1e6:.0f} MB of fresh "
                     f"memory, which takes this machine ≈ {t:.2f} s to first touch in 4 KiB pages, as malloc gives them "
                     f"(see Machine): that caps a reader whose buffers come from malloc at ≈ {size / t / 1e6:.0f} MB/s "
                     "before it parses a byte, and each further buffer of that size (the file text, the columns) "
                     "costs as much again; numpy's arrays get huge pages")
        md.append(note + ".\n")
        md.append("Each reader runs twice per round, back to back: **cold** after "
                  f"{cfg['w4_cold_wait']:.0f} s of quiet, then **warm** at once. They differ because fresh memory is "
                  "slow here: first touching a page costs ~10 µs (see Machine) unless a process has just freed "
                  "it, and a warm run reuses what the cold one freed. A reader that takes its buffers from malloc "
                  "pays this per page; numpy's large arrays get huge pages. Bare metal would sit near the warm "
                  "numbers; a fresh process on this VM sees the cold ones.\n")
        chk = {k: v[0]["checksum"] for k, v in w4.items() if not k.startswith("numpy")}
        if len(set(chk.values())) > 1:
            md.append(f"**Checksums differ** (sum of all pixels): {chk}\n")
        keys = [k for k in ("mlp", "pandas", "numpy") if k in mbs]
        for state, sfx in (("warm", ""), ("cold", "_cold")):
            md.append(f"**{state.capitalize()}** (MB/s):\n")
            head = ["round"] + keys + [f"mlp / {k}" for k in keys[1:]]
            ratios = {k: s[f"w4_vs_{k}{sfx}"] for k in keys[1:]}
            rows = [[i + 1] + [f"{mbs[k + sfx][i]:.1f}{dag(w4[k + sfx][i])}" for k in keys] +
                    [f"{ratios[k][i]:.1f}×" for k in keys[1:]] for i in range(R)]
            rows.append(["**median (min–max)**"] + [spread(mbs[k + sfx], "{:.1f}") for k in keys] +
                        [spread(ratios[k], "{:.1f}×") for k in keys[1:]])
            rows.append(["**best**"] + [f"{max(mbs[k + sfx]):.1f}" for k in keys] + [""] * (len(keys) - 1))
            md.append(table(head, rows))

    if "startup_ms" in s:
        st = res["startup"]["ms"]
        md.append("## Startup: `build/mlp train datasets/iris.csv --epochs 1 --quiet` as a whole process\n")
        md.append(f"{meta['startup_tool']}, {cfg['startup_runs']} runs after 3 warm-ups per round.\n")
        rows = [(f"{i + 1}{dag(x)}", f"{x['median']:.1f}", f"{x['min']:.1f}–{x['max']:.1f}") for i, x in enumerate(st)]
        md.append(table(["round", "median (ms)", "min–max of the round's runs (ms)"], rows))

    if "w2_rss" in s:
        bound, data, model = w2_bound_mib(cfg["w2_train"])
        md.append("## Memory: peak RSS of the mlp W2 run (1 thread, `/usr/bin/time -v`)\n")
        md.append(f"Bound = 1.3 × ({data:.1f} MiB training data as float32, images and labels + {model:.1f} MiB "
                  f"model and momentum) + 50 MiB = **{bound:.1f} MiB**. The process also holds the test set "
                  f"({cfg['w2_test']:,} × 784 floats, {cfg['w2_test'] * 785 * 4 / 2**20:.1f} MiB), which the bound "
                  "does not count.\n")
        md.append(table(["round", "max RSS (MiB)"], [(i + 1, f"{x:.1f}") for i, x in enumerate(s["w2_rss"])]))
    md.append("![ratios and W2 loss curves](results.svg)\n")
    return "\n".join(md)


def svg(cfg, res, s):
    """Left: speed ratios (log scale) with min–max whiskers; right: W2 training loss per epoch."""
    bars = []
    if "w1_mlp_over_plain" in s:
        bars.append(("W1 mlp / plain Eigen (dynamic)", [1 / x for x in s["w1_mlp_over_plain"]]))
    if "w1_cli_over_plain" in s:
        bars.append(("W1 mlp train / plain Eigen (dyn.)", [1 / x for x in s["w1_cli_over_plain"]]))
    if "w1_speed_vs_torch" in s:
        bars.append(("W1 mlp / PyTorch", s["w1_speed_vs_torch"]))
    if "w2_ratio_1t" in s:
        bars.append(("W2 mlp / PyTorch, 1 thread", s["w2_ratio_1t"]))
        bars.append(("W2 mlp / PyTorch best, 2 thr.", s["w2_ratio_2t"]))
    if "w2_adam_vs_torch" in s:
        bars.append(("W2 Adam: mlp / PyTorch, 1 thr.", s["w2_adam_vs_torch"]))
    if "w2_cli_over_bench" in s:
        bars.append(("W2 mlp train / bench_w2, 1 thr.", s["w2_cli_over_bench"], "#888888"))
    if "w2_pct_of_w3" in s:
        for t in ("1t", "2t"):
            per = [a / b for a, b in zip(s["w2_sps"][f"mlp_{t}"], s["w3_sps"][t])]
            bars.append((f"W2 mlp / W3 ceiling, {t[0]} thr.", per, "#888888"))
    for ref, name in (("pandas", "pandas.read_csv"), ("numpy", "numpy.loadtxt")):
        for state, sfx in (("warm", ""), ("cold", "_cold")):
            if f"w4_vs_{ref}{sfx}" in s:
                bars.append((f"W4 mlp / {name}, {state}", s[f"w4_vs_{ref}{sfx}"]))
    W, H = 1060, 80 + 34 * max(len(bars), 8)
    e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         '<text x="10" y="22" font-size="15" font-weight="bold">Speed of mlp relative to each reference '
         '(log scale; &gt;1 = mlp faster)</text>',
         '<text x="10" y="38" fill="#555">bar: median of the per-round ratios; line: min–max over rounds</text>']
    x0, x1, y0 = 220, 590, 50
    lo, hi = -1.0, 3.0  # log10 range: 0.1× to 1000×
    X = lambda v: x0 + (min(max(math.log10(max(v, 1e-9)), lo), hi) - lo) / (hi - lo) * (x1 - x0)
    for d in range(int(lo), int(hi) + 1):
        e.append(f'<line x1="{X(10**d):.1f}" y1="{y0 - 5}" x2="{X(10**d):.1f}" y2="{y0 + 34 * len(bars)}" '
                 f'stroke="{"#333" if d == 0 else "#ddd"}"/>')
        e.append(f'<text x="{X(10**d):.1f}" y="{y0 + 34 * len(bars) + 15}" text-anchor="middle">{10**d:g}×</text>')
    for i, (label, vals, *fixed) in enumerate(bars):  # grey: a fraction of the ceiling, not a race
        y = y0 + 34 * i + 6
        m = med(vals)
        color = fixed[0] if fixed else "#2b7bba" if m >= 1 else "#d95f02"
        e.append(f'<text x="{x0 - 8}" y="{y + 14}" text-anchor="end">{label}</text>')
        e.append(f'<rect x="{min(X(1), X(m)):.1f}" y="{y}" width="{abs(X(m) - X(1)):.1f}" height="20" fill="{color}"/>')
        e.append(f'<line x1="{X(min(vals)):.1f}" y1="{y + 10}" x2="{X(max(vals)):.1f}" y2="{y + 10}" stroke="black"/>')
        e.append(f'<text x="{max(X(m), X(1), X(max(vals))) + 6:.1f}" y="{y + 14}">{m:.2f}×</text>')
    # loss curves
    curves = []
    w2 = res.get("w2", {})
    for key, name, color in (("mlp_1t", "mlp", "#2b7bba"), ("pytorch_1t", "PyTorch", "#d95f02")):
        if key in w2:
            curves.append((name, w2[key][0]["losses"], color))
    px0, px1, py0, py1 = 720, 1040, 60, 300
    e.append(f'<text x="{px0}" y="{py0 - 15}" font-size="13" font-weight="bold">W2 training loss by epoch '
             '(1 thread, round 1)</text>')
    if curves:
        allv = [v for _, c, _ in curves for v in c]
        vmin, vmax = min(allv), max(allv)
        pad = (vmax - vmin) * 0.1 or 0.05
        vmin, vmax = vmin - pad, vmax + pad
        n = max(len(c) for _, c, _ in curves)
        PX = lambda i: px0 + (i / max(n - 1, 1)) * (px1 - px0)
        PY = lambda v: py1 - (v - vmin) / (vmax - vmin) * (py1 - py0)
        e.append(f'<rect x="{px0}" y="{py0}" width="{px1 - px0}" height="{py1 - py0}" fill="none" stroke="#999"/>')
        for k in range(5):
            v = vmin + (vmax - vmin) * k / 4
            e.append(f'<text x="{px0 - 5}" y="{PY(v) + 4:.1f}" text-anchor="end">{v:.3f}</text>')
        for i in range(n):
            e.append(f'<text x="{PX(i):.1f}" y="{py1 + 16}" text-anchor="middle">{i + 1}</text>')
        e.append(f'<text x="{(px0 + px1) / 2}" y="{py1 + 32}" text-anchor="middle">epoch</text>')
        for j, (name, c, color) in enumerate(curves):
            pts = " ".join(f"{PX(i):.1f},{PY(v):.1f}" for i, v in enumerate(c))
            e.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
            e += [f'<circle cx="{PX(i):.1f}" cy="{PY(v):.1f}" r="3" fill="{color}"/>' for i, v in enumerate(c)]
            e.append(f'<text x="{px1 - 110}" y="{py0 + 20 + 16 * j}" fill="{color}" font-weight="bold">— {name}</text>')
    else:
        e.append(f'<text x="{px0}" y="{py0 + 20}">no W2 data</text>')
    e.append("</svg>")
    return "\n".join(e) + "\n"


# ---------------------------------------------------------------- main

def write_report(out, args, saved):
    """RESULTS.md and results.svg in `out` from a run's results (as saved in results-*.json)."""
    cfg, res = saved["cfg"], saved["results"]
    s, targets = summarize(cfg, res)
    with open(os.path.join(out, "RESULTS.md"), "w") as f:
        f.write(report(cfg, args, saved["facts"], res, s, targets, saved["skipped"], saved["meta"]))
    with open(os.path.join(out, "results.svg"), "w") as f:
        f.write(svg(cfg, res, s))
    for t, m, ok in targets:
        log(f"{'met    ' if ok else 'NOT MET'}  {t}: {m}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny rounds/epochs/subsets, under a minute (ctest)")
    ap.add_argument("--rounds", type=int, help="rounds of every workload (default 5; 2 with --quick)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", help="where RESULTS.md and results.svg go (default bench/, or BUILD/bench-quick)")
    ap.add_argument("--report", metavar="RESULTS.json",
                    help="only write RESULTS.md and the SVG again from a run's saved results "
                         "(BUILD/bench-data/results-full.json), e.g. after changing the report")
    args = ap.parse_args()
    if args.report:
        saved = json.load(open(args.report))
        args.quick = "--quick" in saved["meta"]["command"]
        out = os.path.abspath(args.out or BENCH)
        os.makedirs(out, exist_ok=True)
        write_report(out, args, saved)
        return
    cfg = dict(QUICK if args.quick else FULL)
    global RETRIES, QUIET_WAIT
    if args.quick:  # ctest runs other tests alongside: every measurement is disturbed, and none matters
        RETRIES, QUIET_WAIT = 0, 0
    if args.rounds:
        cfg["rounds"] = args.rounds
    build = os.path.abspath(args.build_dir)
    out = os.path.abspath(args.out or (os.path.join(build, "bench-quick") if args.quick else BENCH))
    cache = os.path.join(build, "bench-data")
    os.makedirs(out, exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    for prog in ("bench/bench_xor", "bench/bench_w1_plain", "bench/bench_w2_fashion", "bench/bench_w3_gemm",
                 "bench/bench_w4_csv", "mlp"):
        if not os.access(os.path.join(build, prog), os.X_OK):
            sys.exit(f"bench: {os.path.join(build, prog)} is missing; build first (scripts/build.sh, or bench/run.sh)")

    start = time.time()
    meta = {"command": " ".join(["bench/run.sh"] + sys.argv[1:]), "load_before": loadavg(), "round_loads": [],
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    skipped = {}
    log(f"load average {meta['load_before']} (1, 5, 15 min) on {os.cpu_count()} cores")
    if not args.quick and float(meta["load_before"].split()[0]) > 0.5:
        log("warning: the machine is busy; the numbers will be noisy (the load average goes into RESULTS.md)")

    tinfo, why = probe_torch()
    torch_ok = why is None
    if tinfo:
        meta["torch_blas"] = ", ".join(tinfo["blas"]) or "none mapped"
    if not torch_ok:
        if not args.quick:
            sys.exit(f"bench: {why}. bench/run.sh installs python3-torch and libopenblas0-pthread; refusing to report.")
        skipped["PyTorch (W1, W2)"] = why
    have_numpy = py_module_version("numpy") != "not installed"
    have_pandas = have_numpy and py_module_version("pandas") != "not installed"
    if not have_numpy:
        skipped["numpy.loadtxt (W4)"] = "numpy is not installed (python3-numpy)"
    if not have_pandas:
        skipped["pandas.read_csv (W4)"] = "pandas is not installed (python3-pandas)"
    have_data = all(os.path.exists(os.path.join(DATASET, f + ".gz")) for f in IDX_FILES)
    if not have_data:
        if not args.quick:
            sys.exit(f"bench: {DATASET} is missing; bench/run.sh installs dataset-fashion-mnist")
        skipped["W2 (also through mlp train), W4 and memory"] = f"{DATASET} is missing (package dataset-fashion-mnist)"
    hyperfine = shutil.which("hyperfine")
    meta["startup_tool"] = "hyperfine -N (no shell)" if hyperfine else "timed from Python (hyperfine not installed)"
    time_v = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    if not time_v and have_data:
        skipped["memory"] = "/usr/bin/time is not installed (package time)"

    if have_data:
        log("preparing data (cached in " + cache + ")")
        data = prepare_fashion(cache, cfg["w2_train"], cfg["w2_test"], not args.quick)
        init = prepare_w2_init(cache)
        csv_path, prefix = prepare_csv(cache, data, cfg["w4_rows"], cfg["numpy_rows"], "full" if not args.quick else "quick")

    # W1's initial weights: mlp's for seed 1, written by bench_w1_plain for PyTorch to load.
    xor_init = os.path.join(cache, "xor_init.bin")
    run([os.path.join(build, "bench", "bench_w1_plain"), "1", "1", xor_init], env=thread_env(1))
    xor_csv = prepare_xor_csv(cache)  # W1 through mlp train

    res = {}
    for i in range(cfg["rounds"]):
        first = i % 2 == 0
        meta["round_loads"].append(loadavg().split()[0])
        log(f"round {i + 1}/{cfg['rounds']}: W1")
        round_w1(cfg, build, xor_init, xor_csv, torch_ok, first, res.setdefault("w1", {}))
        if have_data:
            log(f"round {i + 1}/{cfg['rounds']}: W2")
            round_w2(cfg, build, data, init, torch_ok, first, res.setdefault("w2", {}), time_v)
            log(f"round {i + 1}/{cfg['rounds']}: W2 through mlp train")
            round_w2_cli(cfg, build, csv_path, first, res.setdefault("w2_cli", {}), time_v)
        log(f"round {i + 1}/{cfg['rounds']}: W3")
        round_w3(cfg, build, res.setdefault("w3", {}))
        if have_data:
            log(f"round {i + 1}/{cfg['rounds']}: W4")
            round_w4(cfg, build, csv_path, prefix, have_pandas, have_numpy, first, res.setdefault("w4", {}))
        log(f"round {i + 1}/{cfg['rounds']}: startup")
        round_startup(cfg, build, hyperfine, res.setdefault("startup", {}))
    if not have_data:
        res.pop("w3", None)  # without W2 there is nothing to set against the ceiling

    for workload in ("w1", "w2"):  # the BLAS check, on every PyTorch run
        for name, runs in res.get(workload, {}).items():
            for x in runs:
                if name.startswith("pytorch") and not any("libopenblas" in p for p in x.get("blas", [])):
                    sys.exit(f"bench: a PyTorch run ({workload} {name}) did not use OpenBLAS ({x.get('blas')}); "
                             "refusing to report")

    meta["load_after"] = loadavg()
    meta["duration"] = time.time() - start
    meta["waited"] = waited[0]
    saved = {"cfg": cfg, "meta": meta, "facts": machine_facts(build), "results": res, "skipped": skipped}
    with open(os.path.join(cache, "results-quick.json" if args.quick else "results-full.json"), "w") as f:
        json.dump(saved, f, indent=1)
    write_report(out, args, saved)
    for k, v in skipped.items():
        log(f"skipped  {k}: {v}")
    log(f"wrote {os.path.join(out, 'RESULTS.md')} and results.svg in {meta['duration']:.0f} s")


if __name__ == "__main__":
    main()
