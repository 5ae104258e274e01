"""What the PyTorch side of the benchmark shares: which BLAS this process really loaded.

Debian's PyTorch calls whatever libblas.so.3 the alternatives system points at; without
libopenblas0-pthread that is the reference BLAS, ~13x slower on W2 — a false win for mlp.
Run as a script, it prints one JSON line describing the torch in this Python (bench/run.py's probe).
"""
import json
import re


def blas_libraries():
    """Shared libraries with 'blas' in their name mapped into this process (after torch's first matmul)."""
    with open("/proc/self/maps") as f:
        paths = set(re.findall(r"(/\S*blas\S*\.so\S*)", f.read()))
    return sorted(paths)


def uses_openblas(libraries):
    return any("libopenblas" in p for p in libraries)


if __name__ == "__main__":
    import torch
    a = torch.ones(64, 64)
    (a @ a).sum().item()  # forces the BLAS to be resolved and mapped
    libs = blas_libraries()
    print(json.dumps({"torch": torch.__version__, "blas": libs, "openblas": uses_openblas(libs)}))
