"""W1 of the benchmark on the PyTorch side: XOR, 2-8-1, tanh, sigmoid, MSE, full-batch SGD
lr 0.5, as a straightforward nn.Sequential + optim.SGD loop on 1 thread. Starts from the
weights bench_w1_plain wrote (mlp's initialisation for the same seed). With "adam", the
optimizer is optim.Adam at the same lr 0.5 (as bench_xor's adam).

Usage: torch_w1.py INIT.bin [EPOCHS=10000] [sgd|adam ...]  → one JSON line per optimizer, like
bench_xor. Several optimizers run one after the other in this process, each from the initial
weights: importing torch takes longer than the training, and once is enough.
"""
import json
import sys
import time

import torch

from torch_common import blas_libraries


def train(init, optimizer, epochs):
    """One W1 run from the weights `init` (flat float32, torch layout): a JSON-ready dict."""
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    Y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1), torch.nn.Sigmoid())
    offset = 0
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(init[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(net.parameters(), lr=0.5)
    loss_fn = torch.nn.MSELoss()
    first = None
    t0 = time.perf_counter()
    for _ in range(epochs):
        loss = loss_fn(net(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if first is None:
            first = loss.item()
    us = (time.perf_counter() - t0) * 1e6
    return {"impl": "pytorch", "optimizer": optimizer, "epochs": epochs, "us_per_epoch": round(us / epochs, 4),
            "first_loss": round(first, 6), "final_loss": round(loss.item(), 6)}


def main():
    init_path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    optimizers = sys.argv[3:] or ["sgd"]
    if any(o not in ("sgd", "adam") for o in optimizers):
        sys.exit(f"usage: torch_w1.py INIT.bin [EPOCHS] [sgd|adam ...] (got {optimizers})")
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    with open(init_path, "rb") as f:
        init = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    for optimizer in optimizers:
        print(json.dumps({**train(init, optimizer, epochs), "blas": blas_libraries()}), flush=True)


if __name__ == "__main__":
    main()
