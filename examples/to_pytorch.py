#!/usr/bin/env python3
"""Load an mlp model file into a torch.nn.Sequential, and optionally run it on a CSV file.

    python3 examples/to_pytorch.py MODEL.json              # print the PyTorch model
    python3 examples/to_pytorch.py MODEL.json DATA.csv     # print its predictions as CSV

The predictions are class probabilities (header: the class names; `mlp predict --proba` gives the
same numbers) or targets in their own units (header: the target names), to 9 significant digits.
As a module:

    model, prep = load("model.json")
    probabilities = model(preprocess(rows, header, prep))

The model file format is described in docs/model-format.md.
"""
import csv
import json
import math
import struct
import sys

import torch
from torch import nn


class PerUnitELU(nn.Module):
    """x if x > 0 else alpha * (exp(x) - 1), one alpha per unit (nn.ELU has a single alpha)."""

    def __init__(self, alpha, learn):
        super().__init__()
        self.alpha = nn.Parameter(alpha, requires_grad=learn)

    def forward(self, x):
        return torch.where(x > 0, x, self.alpha * torch.expm1(x.clamp(max=0)))


class Swish(nn.Module):
    """x * sigmoid(beta * x), one beta per unit (beta = 1 everywhere is nn.SiLU)."""

    def __init__(self, beta, learn):
        super().__init__()
        self.beta = nn.Parameter(beta, requires_grad=learn)

    def forward(self, x):
        return x * torch.sigmoid(self.beta * x)


PLAIN = {"identity": nn.Identity, "relu": nn.ReLU, "selu": nn.SELU, "gelu": nn.GELU,  # GELU: exact erf
         "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softplus": nn.Softplus, "softmax": lambda: nn.Softmax(dim=1),
         "relu6": nn.ReLU6, "hardtanh": nn.Hardtanh, "hardsigmoid": nn.Hardsigmoid, "hardswish": nn.Hardswish,
         "mish": nn.Mish, "softsign": nn.Softsign, "gelu_tanh": lambda: nn.GELU(approximate="tanh")}


def activation(spec, p):
    """The module for an activation spec ("relu", "leaky_relu:0.3", "swish:1:learn", "prelu:0.25");
    p is the layer's per-unit parameter (a float32 tensor), or None for an activation without one."""
    name = spec.split(":")[0]
    if name in PLAIN:
        return PLAIN[name]()
    learn = name == "prelu" or spec.endswith(":learn")
    same = not learn and bool((p == p[0]).all())  # one fixed value: the stock module fits
    if name == "leaky_relu" and same:
        return nn.LeakyReLU(p[0].item())
    if name in ("leaky_relu", "prelu"):  # a slope per unit is exactly nn.PReLU
        prelu = nn.PReLU(num_parameters=len(p))
        prelu.weight.data.copy_(p)
        return prelu
    if name == "elu":
        return nn.ELU(p[0].item()) if same else PerUnitELU(p, learn)
    if name == "celu":  # alpha is fixed (as in torch.nn.CELU): one value for every unit
        return nn.CELU(p[0].item())
    if name == "swish":
        return nn.SiLU() if same and p[0] == 1 else Swish(p, learn)
    raise ValueError(f"unknown activation {spec!r}")


def load(path):
    """Reads an mlp model file: (torch.nn.Sequential in eval mode, the "preprocessing" dict)."""
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    if m.get("format") != "mlp-model" or m.get("version") != 1:
        raise ValueError(f"{path}: not an mlp model file of version 1")
    layers, inputs = [], m["input_size"]
    for layer in m["layers"]:
        if layer["type"] == "dropout":
            layers.append(nn.Dropout(layer["rate"]))
            continue
        linear = nn.Linear(inputs, layer["units"])  # weight (out, in), as mlp stores it
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer["weight"], dtype=torch.float32))
            linear.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float32))
        p = torch.tensor(layer["activation_param"], dtype=torch.float32) if "activation_param" in layer else None
        layers += [linear, activation(layer["activation"], p)]
        inputs = layer["units"]
    return nn.Sequential(*layers).eval(), m["preprocessing"]


def float32(text):
    """A CSV cell as mlp reads it: a finite float32, or None if it is not a number."""
    try:
        v = struct.unpack("f", struct.pack("f", float(text)))[0]
    except (ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def preprocess(rows, header, prep):
    """The model's inputs (len(rows), input_size) as float32, from CSV rows (lists of strings) whose
    columns `header` names: numeric (x - shift) / scale, categorical one-hot by the stored
    categories (all zeros for a category not seen in training)."""
    X = [[] for _ in rows]
    for f in prep["features"]:
        if f["name"] not in header:
            raise ValueError(f"missing column {f['name']!r} that the model was trained on")
        cells = [row[header.index(f["name"])].strip() for row in rows]
        values = [float32(c) for c in cells]
        if f["type"] == "numeric":
            if None in values:
                raise ValueError(f"column {f['name']!r} must be numeric, as in training")
            for x, v in zip(X, values):
                x.append((v - f["shift"]) / f["scale"])
            continue
        if all(v is not None for v in values):  # mlp names categories of a numeric column "1", "2.5"
            cells = ["%.9g" % v for v in values]
        index = {c: i for i, c in enumerate(f["categories"])}
        for x, c in zip(X, cells):
            x.extend(1.0 if index.get(c) == i else 0.0 for i in range(len(index)))
    return torch.tensor(X, dtype=torch.float32).reshape(len(rows), -1)


def predict(model, prep, X):
    """(column names, outputs): class probabilities, or targets in their own units."""
    with torch.no_grad():
        Y = model(X)
    if prep["task"] == "classification":
        if Y.shape[1] == 1 and len(prep["classes"]) == 2:  # one sigmoid output: P(second class)
            Y = torch.cat([1 - Y, Y], dim=1)
        return prep["classes"], Y
    if prep["target_scale"]:
        Y = Y * torch.tensor(prep["target_scale"], dtype=torch.float32) + torch.tensor(prep["target_shift"], dtype=torch.float32)
    return prep["targets"], Y


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    model, prep = load(argv[1])
    if len(argv) == 2:
        print(model)
        return
    with open(argv[2], newline="", encoding="utf-8") as f:
        rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    header = [name.strip() for name in rows[0]]
    if any(float32(name) is not None for name in header):  # no header row, as mlp decides it
        header = [f"column_{i + 1}" for i in range(len(header))]
    else:
        rows = rows[1:]
    names, Y = predict(model, prep, preprocess(rows, header, prep))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(names)
    out.writerows(["%.9g" % v for v in row] for row in Y.tolist())


if __name__ == "__main__":
    main(sys.argv)
