#!/usr/bin/python3
"""Writes tests/fixtures/torch_activation_values.json: f(x) and f'(x) of every activation of mlp's
table, computed by PyTorch in float64 (f' by autograd), at points from far out (+-1000) through
every kink, for tests/test_torch_activations.cpp, which replays them in mlp's double build.

    /usr/bin/python3 scripts/torch_activation_values.py   # rewrites the fixture

Regenerate when this script changes: a new activation in src/activation.cpp needs an entry in
SPECS (the C++ test fails until every activation of the table has one, and until every kink the
table lists is among an entry's points), and commit the fixture with it.

Where f' jumps, its value at the kink is a choice; the fixture holds PyTorch's. Three of PyTorch's
backward kernels are not what autograd gives for the activation's own definition, and the fixture
takes the definition (REFERENCE below), after checking that the kernel differs only as expected:
  * celu: the backward divides by alpha rounded to float (derivatives.yaml: 1.0/alpha.toFloat()),
    so for an alpha such as 0.7 (0.5 is exact in float) f' is off by 1.7e-8 relative at 0 and by
    1e-6 at x = -50;
  * hardsigmoid: the kernel rounds 1/6 to float even in float64 (f' = 0.16666667163...); autograd
    of relu6(x + 3)/6 gives 1/6, with the same kinks (f'(+-3) = 0).
  * hardswish: torch 1.13's kernel gives f'(-3) = -0.5 and f'(3) = 1.5 or 1 (scalar or vectorised
    loop); autograd of x*relu6(x + 3)/6 gives 0 and 1, the flat and the linear side, which
    pytorch/pytorch#147801 asks of the kernel too.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "torch_activation_values.json")

# Every point of every activation; each activation adds its kinks and points 1e-3 to each side.
POINTS = [-1000, -50, -20, -5, -3, -1, -0.5, 0, 0.5, 1, 3, 5, 20, 50, 1000]
KINK_SIDE = 1e-3


def swish(beta):
    return lambda x: x * torch.sigmoid(beta * x)  # beta = 1 is F.silu


def prelu(a):
    return lambda x: F.prelu(x, torch.tensor([a]))


# spec as mlp parses it: (PyTorch's function, where f' jumps). Every activation of the table at
# its default, and each parameter at another value as well.
SPECS = {
    "identity": (lambda x: x * 1, []),
    "relu": (F.relu, [0]),
    "relu6": (F.relu6, [0, 6]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.01), [0]),
    "leaky_relu:0.3": (lambda x: F.leaky_relu(x, 0.3), [0]),
    "prelu": (prelu(0.25), [0]),
    "prelu:0.1": (prelu(0.1), [0]),
    "elu": (F.elu, []),  # alpha = 1: f' = exp(x) -> 1 at 0, no jump
    "elu:0.5": (lambda x: F.elu(x, 0.5), [0]),
    "celu": (F.celu, []),
    "celu:0.5": (lambda x: F.celu(x, 0.5), []),  # f' = exp(x/alpha) -> 1 at 0 for every alpha
    "celu:0.7": (lambda x: F.celu(x, 0.7), []),
    "selu": (F.selu, [0]),
    "swish": (F.silu, []),
    "swish:1.5": (swish(1.5), []),
    "swish:-0.5": (swish(-0.5), []),
    "mish": (F.mish, []),
    "hardswish": (F.hardswish, [-3, 3]),
    "gelu": (F.gelu, []),  # the exact erf form
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), []),
    "sigmoid": (torch.sigmoid, []),
    "hardsigmoid": (F.hardsigmoid, [-3, 3]),
    "tanh": (torch.tanh, []),
    "hardtanh": (F.hardtanh, [-1, 1]),
    "softsign": (F.softsign, []),
    "softplus": (F.softplus, []),
}
# Activations with no value at a point: the C++ test checks that mlp refuses to give one.
NOT_ELEMENTWISE = ["softmax"]

def celu_definition(alpha):
    # exp, not expm1, whose backward computes exp as its output + 1 and loses f' far left; of
    # min(x, 0), as the branch torch.where discards must stay finite, or its zero gradient times
    # exp(1000/alpha) = inf makes NaN.
    return lambda x: torch.where(x > 0, x, alpha * (torch.exp(torch.clamp(x, max=0) / alpha) - 1))


# Where f' is autograd's of the activation's definition rather than PyTorch's kernel's: name ->
# (the definition for a parameter value, the points where the kernel's f' may differ beyond
# rounding, or None: nowhere, only by a float-rounded constant, the reason).
REFERENCE = {
    "celu": (celu_definition, None, "autograd of x if x > 0 else alpha*(exp(x/alpha) - 1): F.celu's backward "
             "divides by alpha rounded to float"),
    "hardsigmoid": (lambda _: lambda x: F.relu6(x + 3) / 6, None, "autograd of relu6(x + 3)/6: F.hardsigmoid's "
                    "kernel rounds 1/6 to float (0.16666667163...) even in float64"),
    "hardswish": (lambda _: lambda x: x * F.relu6(x + 3) / 6, [-3, 3], "autograd of x*relu6(x + 3)/6: f'(-3) = 0 "
                  "and f'(3) = 1 (pytorch/pytorch#147801); torch 1.13's F.hardswish kernel gives -0.5 and 1.5 or 1"),
}


def values(fn, x):
    x = x.clone().requires_grad_(True)
    f = fn(x)
    (df,) = torch.autograd.grad(f.sum(), x)
    return f.detach(), df


def case(spec, fn, kinks):
    points = sorted(set(POINTS + kinks + [k + d for k in kinks for d in (-KINK_SIDE, KINK_SIDE)]))
    x = torch.tensor(points, dtype=torch.float64)
    f, df = values(fn, x)
    entry = {"spec": spec}
    name = spec.split(":")[0]
    if name in REFERENCE:
        definition, where, note = REFERENCE[name]
        f_ref, df_ref = values(definition(float(spec.split(":")[1]) if ":" in spec else 1.0), x)  # f stays PyTorch's: the definition's may cancel (exp - 1)
        if not torch.allclose(f, f_ref, rtol=1e-12, atol=1e-15):
            sys.exit(f"{spec}: PyTorch's f and its definition's differ")
        # Beyond the last few bits: the kernel's x/3 + 1/2 and autograd's relu6(x + 3)/6 + x/6 round apart.
        differs = [p for p, a, b in zip(points, df.tolist(), df_ref.tolist()) if abs(a - b) > 1e-12 * max(1, abs(b))]
        if where is None:  # only the rounding of 1/6 or 1/alpha to float: 3e-8 relative, times |x| in exp(x/alpha)
            if not ((df - df_ref).abs() <= 1e-7 * (1 + x.abs()) * df_ref.abs()).all():
                sys.exit(f"{spec}: the kernel's f' differs from autograd of the definition by more than float rounding")
        elif not set(differs) <= set(where):
            sys.exit(f"{spec}: the kernel's f' differs from autograd of the definition at {differs}, not only {where}")
        df = df_ref
        entry["note"] = note
    for name_, t in (("f", f), ("df", df)):
        if not torch.isfinite(t).all():
            sys.exit(f"{spec}: PyTorch's {name_} is not finite")
    entry["kinks"] = kinks
    # -0.0 is written as 0: its sign is not something to compare.
    entry["x"] = points
    entry["f"] = [v + 0.0 for v in f.tolist()]
    entry["df"] = [v + 0.0 for v in df.tolist()]
    return entry


def number(v):
    if not math.isfinite(v):
        raise ValueError("non-finite number in the fixture")
    return str(v) if isinstance(v, int) else "%.17g" % v


def write_entry(entry):
    """One activation, one line per field: diff-friendly, 17 significant digits (exact doubles)."""
    fields = []
    for k, v in entry.items():
        text = "[" + ", ".join(number(x) for x in v) + "]" if isinstance(v, list) else json.dumps(v)
        fields.append(f"      {json.dumps(k)}: {text}")
    return "    {\n" + ",\n".join(fields) + "\n    }"


def main():
    fixture = {
        "about": "Written by scripts/torch_activation_values.py (PyTorch, float64, f' by autograd); read by "
                 "tests/test_torch_activations.cpp. Do not edit: change the script and rerun it.",
        "torch_version": torch.__version__.split("+")[0],
        "not_elementwise": NOT_ELEMENTWISE,
        "activations": [case(spec, fn, kinks) for spec, (fn, kinks) in SPECS.items()],
    }
    for entry in fixture["activations"]:
        for v in entry["f"] + entry["df"]:
            assert math.isfinite(v)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    head = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in fixture.items() if k != "activations"]
    body = '  "activations": [\n' + ",\n".join(write_entry(e) for e in fixture["activations"]) + "\n  ]"
    with open(FIXTURE, "w", encoding="utf-8") as out:
        out.write("{\n" + ",\n".join(head + [body]) + "\n}\n")
    print(f"wrote {os.path.normpath(FIXTURE)}: {len(fixture['activations'])} activations")


if __name__ == "__main__":
    main()
