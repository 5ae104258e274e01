"""W2 of the benchmark on the PyTorch side: the same net, data, initial weights and
hyper-parameters as bench/w2_fashion.cpp, in a plain PyTorch loop (no DataLoader). With "adam",
the optimizer is optim.Adam lr 0.001 (mlp train's default, as bench_w2_fashion's adam).

Usage: torch_w2.py DATA_DIR INIT.bin EPOCHS TORCH_THREADS SEED [adam]
Prints one JSON line per epoch and a summary line, like bench_w2_fashion. The thread
environment variables (OMP/OPENBLAS/MKL_NUM_THREADS) are set by the caller (bench/run.py).
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_common import blas_libraries


def load_idx(images, labels):
    """IDX files (gunzipped) -> X (N, 784) float32 in [0, 1], y (N,) int64."""
    with open(images, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    X = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784)
    with open(labels, "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(X.astype(np.float32) / 255.0), torch.from_numpy(y.astype(np.int64))


def main():
    data_dir, init_path = sys.argv[1], sys.argv[2]
    epochs, threads, seed = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    adam = sys.argv[6:] == ["adam"]
    if sys.argv[6:] and not adam:
        sys.exit(f"usage: torch_w2.py DATA_DIR INIT.bin EPOCHS TORCH_THREADS SEED [adam] (got {sys.argv[6:]})")
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(seed)

    X, y = load_idx(f"{data_dir}/train-images-idx3-ubyte", f"{data_dir}/train-labels-idx1-ubyte")
    Xt, yt = load_idx(f"{data_dir}/t10k-images-idx3-ubyte", f"{data_dir}/t10k-labels-idx1-ubyte")

    net = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    # The shared initial weights: float32, torch layout W1 b1 W2 b2 W3 b3.
    flat = torch.from_numpy(np.fromfile(init_path, dtype=np.float32))
    offset = 0
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
    if offset != flat.numel():
        sys.exit(f"{init_path}: {flat.numel()} floats, expected {offset} for 784-256-128-10")
    if adam:
        opt = torch.optim.Adam(net.parameters(), lr=0.001)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

    n, B = X.shape[0], 64
    total = 0.0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(n)
        loss_sum = 0.0
        for first in range(0, n, B):
            idx = order[first:first + B]
            loss = F.cross_entropy(net(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * idx.numel()
        seconds = time.perf_counter() - t0
        total += seconds
        print(json.dumps({"epoch": epoch, "loss": round(loss_sum / n, 6), "seconds": round(seconds, 4),
                          "samples_per_s": round(n / seconds, 1)}), flush=True)
    with torch.no_grad():
        acc = (net(Xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"summary": True, "optimizer": "adam" if adam else "sgd", "threads": threads,
                      "epochs": epochs, "seconds": round(total, 3), "samples_per_s": round(n * epochs / total, 1),
                      "test_accuracy": round(acc, 4), "torch_threads": torch.get_num_threads(),
                      "blas": blas_libraries()}), flush=True)


if __name__ == "__main__":
    main()
