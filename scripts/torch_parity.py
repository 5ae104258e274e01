#!/usr/bin/python3
"""Writes tests/fixtures/torch_parity.json: small networks computed by PyTorch in float64, which
tests/test_torch_parity.cpp replays in mlp's double build without needing PyTorch.

    /usr/bin/python3 scripts/torch_parity.py        # rewrites tests/fixtures/torch_parity.json

Regenerate only when this script changes (a new activation or loss in mlp's tables needs a new
case here: the C++ test fails until every one of them has a case), and commit the fixture with it.
Every number is drawn from Python's random.Random with the seed written in the case and rounded
to a few decimals, so a rerun writes the same fixture up to the last digits of PyTorch's maths.

Each case holds what mlp needs to build the same network (input size, layer sizes, activation
specs as mlp writes them, the loss spec), the batch X and targets Y, every parameter in mlp's
order and layout (per layer: W (out, in) as torch.nn.Linear, b (out), then the activation's
per-unit parameter when it is learned), and what PyTorch computed: the network output (the
output activation's result, also for a loss from logits), the loss (a mean, as mlp's) and the
gradient of every parameter (autograd).
"""
import json
import math
import os
import random
import sys

import torch
from torch import nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "torch_parity.json")
# Where f' jumps (elu's unless alpha = 1), as the table's `kinks` says.
KINKS = {"relu": [0], "relu6": [0, 6], "leaky_relu": [0], "prelu": [0], "elu": [0], "selu": [0],
         "hardswish": [-3, 3], "hardsigmoid": [-3, 3], "hardtanh": [-1, 1]}
KINK_GAP = 0.05  # every pre-activation of those stays this far from their kinks


class Elementwise(nn.Module):
    """An activation written as its definition, where a torch.nn module's kernel differs from it."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


# The activations with a per-unit parameter, as examples/to_pytorch.py (the way out to PyTorch)
# defines them: the fixture then also checks that those definitions are mlp's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
from to_pytorch import PerUnitELU, Swish  # noqa: E402


def activation(spec, units, rng):
    """(module, learned parameter or None, its mlp name) for an mlp activation spec. A learned
    parameter starts at the spec's value plus a small per-unit offset, as after some training."""
    parts = spec.split(":")
    name, learn = parts[0], parts[-1] == "learn" or parts[0] == "prelu"
    value = float(parts[1]) if len(parts) > 1 else None
    if learn:
        p = torch.tensor([round(value + rng.uniform(-0.1, 0.1), 3) for _ in range(units)])
        if name in ("leaky_relu", "prelu"):
            module = nn.PReLU(num_parameters=units)
            with torch.no_grad():
                module.weight.copy_(p)
            return module, module.weight, "alpha"
        if name == "elu":
            module = PerUnitELU(p, learn=True)
            return module, module.alpha, "alpha"
        if name == "swish":
            module = Swish(p, learn=True)
            return module, module.beta, "beta"
        raise ValueError(f"no learnable form for {spec!r}")
    fixed = {
        "identity": lambda: nn.Identity(),
        "relu": lambda: nn.ReLU(),
        "relu6": lambda: nn.ReLU6(),
        "leaky_relu": lambda: nn.LeakyReLU(value),
        "elu": lambda: nn.ELU(value),
        # nn.CELU's backward divides by alpha rounded to float (1e-8 off for 0.7); its definition's is exact.
        "celu": lambda: Elementwise(lambda x: torch.where(x > 0, x, value * torch.expm1(x.clamp(max=0) / value))),
        "selu": lambda: nn.SELU(),
        "swish": lambda: nn.SiLU() if value == 1 else Swish(torch.full((units,), value), learn=False),
        "mish": lambda: nn.Mish(),
        "hardswish": lambda: nn.Hardswish(),
        "gelu": lambda: nn.GELU(),  # the exact erf form, as mlp's
        "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
        "sigmoid": lambda: nn.Sigmoid(),
        # nn.Hardsigmoid's backward rounds 1/6 to float even in float64; its definition's is exact.
        "hardsigmoid": lambda: Elementwise(lambda x: F.relu6(x + 3) / 6),
        "tanh": lambda: nn.Tanh(),
        "hardtanh": lambda: nn.Hardtanh(),
        "softsign": lambda: nn.Softsign(),
        "softplus": lambda: nn.Softplus(),
        "softmax": lambda: nn.Softmax(dim=1),
    }
    return fixed[name](), None, None


# ---- the cases: together they cover every activation (plain and learned) and every loss ----

CASES = [
    # name, inputs, [(units, activation spec)], loss spec
    ("relu_identity_mse", 3, [(4, "relu"), (2, "identity")], "mse"),
    ("leaky_relu_mae", 3, [(4, "leaky_relu:0.3"), (2, "identity")], "mae"),
    ("leaky_relu_learn_tanh_huber", 3, [(4, "leaky_relu:0.2:learn"), (2, "tanh")], "huber:0.5"),
    ("prelu_elu_mse", 3, [(4, "prelu:0.25"), (3, "elu:0.7"), (2, "identity")], "mse"),
    ("elu_learn_selu_bce", 3, [(4, "elu:1.2:learn"), (3, "selu"), (2, "sigmoid")], "bce"),
    ("swish_learn_gelu_cross_entropy", 3, [(4, "swish:1.5:learn"), (4, "gelu"), (3, "softmax")], "cross_entropy"),
    ("silu_softplus_sigmoid_mse", 3, [(4, "swish:1"), (3, "softplus"), (2, "sigmoid")], "mse"),
    ("swish_fixed_sigmoid_tanh_softmax_mse", 3, [(4, "swish:0.8"), (4, "sigmoid"), (3, "tanh"), (3, "softmax")], "mse"),
    ("relu6_hardtanh_softsign_mse", 3, [(4, "relu6"), (4, "hardtanh"), (3, "softsign"), (2, "identity")], "mse"),
    ("hardswish_hardsigmoid_bce", 3, [(4, "hardswish"), (4, "hardsigmoid"), (2, "sigmoid")], "bce"),
    ("mish_celu_gelu_tanh_cross_entropy", 3, [(4, "mish"), (4, "celu:0.7"), (4, "gelu_tanh"), (3, "softmax")],
     "cross_entropy"),
]
BATCH = 5


def draw(rng, shape, lo, hi, digits=3):
    return torch.tensor([[round(rng.uniform(lo, hi), digits) for _ in range(shape[1])] for _ in range(shape[0])])


def attempt(name, inputs, layers, loss_spec, seed):
    """One case from one seed, or None when the seed puts a value near a kink or leaves a
    gradient at zero (a check that cannot fail), so the caller tries the next seed."""
    rng = random.Random(seed)
    modules, params, names, kinked = [], [], [], []
    width = inputs
    for i, (units, spec) in enumerate(layers, 1):
        linear = nn.Linear(width, units)
        with torch.no_grad():
            linear.weight.copy_(draw(rng, (units, width), -1, 1))
            linear.bias.copy_(draw(rng, (1, units), -0.5, 0.5)[0])
        act, p, pname = activation(spec, units, rng)
        modules += [linear, act]
        params += [linear.weight, linear.bias]
        names += [f"dense_{i}.W", f"dense_{i}.b"]
        if p is not None:
            params.append(p)
            names.append(f"dense_{i}.{pname}")
        kinked.append(KINKS.get(spec.split(":")[0], []))
        width = units

    X = draw(rng, (BATCH, inputs), -1.5, 1.5, 2)
    loss_name = loss_spec.split(":")[0]
    outputs = layers[-1][0]
    if loss_name == "cross_entropy":
        labels = torch.tensor([rng.randrange(outputs) for _ in range(BATCH)])
        Y = labels.to(torch.float64).reshape(BATCH, 1)  # mlp takes integer labels as a (B, 1) column
    elif loss_name == "bce":
        Y = torch.tensor([[float(rng.randrange(2)) for _ in range(outputs)] for _ in range(BATCH)])
    else:
        Y = draw(rng, (BATCH, outputs), -1, 1, 2)

    # Forward, keeping every pre-activation Z.
    h, Zs = X, []
    for linear, act in zip(modules[0::2], modules[1::2]):
        z = linear(h)
        Zs.append(z)
        h = act(z)
    out, logits = h, Zs[-1]

    if loss_name == "mse":
        loss = F.mse_loss(out, Y)
    elif loss_name == "mae":
        loss = F.l1_loss(out, Y)
    elif loss_name == "huber":
        delta = float(loss_spec.split(":")[1])
        loss = F.huber_loss(out, Y, delta=delta)
    elif loss_name == "bce":
        loss = F.binary_cross_entropy_with_logits(logits, Y)
    elif loss_name == "cross_entropy":
        loss = F.cross_entropy(logits, labels)
    grads = torch.autograd.grad(loss, params)

    # Stay off the kinks, where the derivative is a convention, not a number to compare.
    for z, kinks in zip(Zs, kinked):
        if any(((z - k).abs() <= KINK_GAP).any() for k in kinks):
            return None
    r = (out - Y).abs()
    if loss_name == "mae" and (r <= KINK_GAP).any():
        return None
    if loss_name == "huber":
        if ((r - delta).abs() <= KINK_GAP).any() or not ((r < delta).any() and (r > delta).any()):
            return None  # both branches of huber, away from the switch
    # Every gradient is worth checking: none all zero, and every learned per-unit parameter
    # gets a gradient (each unit sees some negative input for the ReLU family).
    for n, g in zip(names, grads):
        if not g.abs().max() > 1e-6:
            return None
        if not (n.endswith(".W") or n.endswith(".b")) and not (g.abs() > 1e-6).all():
            return None

    return {
        "name": name,
        "seed": seed,
        "inputs": inputs,
        "layers": [{"units": u, "activation": s} for u, s in layers],
        "loss": loss_spec,
        "X": X.tolist(),
        "Y": Y.tolist(),
        "parameters": [{"name": n, "value": p.tolist(), "grad": g.tolist()} for n, p, g in zip(names, params, grads)],
        "output": out.tolist(),
        "loss_value": loss.item(),
    }


def make_case(name, inputs, layers, loss_spec):
    for seed in range(1, 1000):
        case = attempt(name, inputs, layers, loss_spec, seed)
        if case is not None:
            return case
    sys.exit(f"{name}: no seed below 1000 keeps every value away from the kinks")


# ---- stable, diff-friendly JSON: one matrix row per line, 17 significant digits ----

def number(x):
    if isinstance(x, bool) or isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError("non-finite number in the fixture")
    return "%.17g" % x


def write(value, indent=0):
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict) and all(isinstance(v, (str, int, float)) for v in value.values()):
        return "{" + ", ".join(f"{json.dumps(k)}: {write(v)}" for k, v in value.items()) + "}"
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {write(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(isinstance(v, (int, float)) for v in value):
            return "[" + ", ".join(number(v) for v in value) + "]"
        if all(isinstance(v, dict) for v in value) or all(isinstance(v, list) for v in value):
            return "[\n" + ",\n".join(inner + write(v, indent + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return number(value)
    raise TypeError(f"cannot write {value!r}")


def main():
    fixture = {
        "about": "Written by scripts/torch_parity.py (PyTorch, float64); read by tests/test_torch_parity.cpp. "
                 "Do not edit: change the script and rerun it.",
        "torch_version": torch.__version__.split("+")[0],
        "cases": [make_case(*c) for c in CASES],
    }
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w", encoding="utf-8") as f:
        f.write(write(fixture) + "\n")
    print(f"wrote {os.path.normpath(FIXTURE)}: {len(fixture['cases'])} cases")


if __name__ == "__main__":
    main()
