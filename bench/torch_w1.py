"""W1 of the benchmark on the PyTorch side: XOR, 2-8-1, tanh, sigmoid, MSE, full-batch SGD
lr 0.5, as a straightforward nn.Sequential + optim.SGD loop on 1 thread. Starts from the
weights bench_w1_plain wrote (mlp's initialisation for the same seed).

Usage: torch_w1.py INIT.bin [EPOCHS=10000]  → one JSON line, like bench_xor.
"""
import json
import sys
import time

import torch

from torch_common import blas_libraries


def main():
    init_path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    Y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1), torch.nn.Sigmoid())
    with open(init_path, "rb") as f:
        flat = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    offset = 0
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
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
    print(json.dumps({"impl": "pytorch", "epochs": epochs, "us_per_epoch": round(us / epochs, 4),
                      "first_loss": round(first, 6), "final_loss": round(loss.item(), 6),
                      "blas": blas_libraries()}))


if __name__ == "__main__":
    main()
