"""W4 of the benchmark, Python side: the same CSV (header, then label,pixel1..pixel784) read into
a row-major (N, 784) float32 training matrix and an (N,) label vector, with pandas.read_csv or
numpy.loadtxt. Each runs in its own process, as bench_w4_csv does.

Usage: py_csv.py pandas|numpy FILE.csv  → one JSON line, with the same checksum as bench_w4_csv.
"""
import json
import os
import sys
import time

import numpy as np


def read_pandas(path):
    import pandas as pd
    df = pd.read_csv(path)
    X = np.ascontiguousarray(df.drop(columns="label").to_numpy(dtype=np.float32))
    y = df["label"].to_numpy(dtype=np.float32)
    return X, y


def read_numpy(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    return np.ascontiguousarray(a[:, 1:]), a[:, 0].copy()


def main():
    how, path = sys.argv[1], sys.argv[2]
    reader = {"pandas": read_pandas, "numpy": read_numpy}[how]
    if how == "pandas":
        import pandas  # noqa: F401  (imported before the clock starts, like numpy)
    t0 = time.perf_counter()
    X, y = reader(path)
    seconds = time.perf_counter() - t0
    size = os.path.getsize(path)
    print(json.dumps({"impl": how, "rows": X.shape[0], "features": X.shape[1], "bytes": size,
                      "seconds": round(seconds, 4), "mb_per_s": round(size / seconds / 1e6, 1),
                      "checksum": float(X.sum(dtype=np.float64)), "label_sum": float(y.sum(dtype=np.float64))}))


if __name__ == "__main__":
    main()
