#!/usr/bin/env python3
"""Peer for float GD at several data points (issue 27 item 4): numpy's four-line loop.

    python3 benches/peer/gd_points.py make N D SEED OUT.toml   # a sparse-regression instance
    python3 benches/peer/gd_points.py run FILE.toml ETA STEPS  # numpy GD, the whole process

`make` writes model `shared`, X with N rows of D exact decimals in [-1, 1) (two digits), a
3-sparse non-negative teacher β* and y = Xβ* exactly, [init] alpha = 1/10. `run` reads the same
file and runs, in float64, from w = alpha·1:
    r = X @ (w*w) - y;  w *= 1 - (2*eta/n) * (X.T @ r)
for STEPS steps (no early stop), then prints the final loss. Time it as a whole process beside
`dlncheck gd FILE --lr ETA --steps STEPS --tol 0` (benches/README.md).
"""
import random
import sys
import tomllib
from fractions import Fraction


def make(n, d, seed, out):
    rng = random.Random(seed)
    x = [[Fraction(rng.randrange(-100, 100), 100) for _ in range(d)] for _ in range(n)]
    teacher = [Fraction(0)] * d
    for i in rng.sample(range(d), 3):
        teacher[i] = Fraction(rng.randrange(1, 10), 4)
    y = [sum(xi * bi for xi, bi in zip(row, teacher)) for row in x]
    q = lambda f: f'"{f.numerator}"' if f.denominator == 1 else f'"{f.numerator}/{f.denominator}"'
    with open(out, "w") as fh:
        fh.write(f'# {n} points, d = {d}, seed {seed}: a 3-sparse non-negative teacher\n')
        fh.write('model = "shared"\nX = [\n')
        for row in x:
            fh.write("  [" + ", ".join(q(v) for v in row) + "],\n")
        fh.write("]\ny = [" + ", ".join(q(v) for v in y) + "]\n[init]\nalpha = \"1/10\"\n")


def run(path, eta, steps):
    import numpy as np

    inst = tomllib.load(open(path, "rb"))
    f = lambda s: float(Fraction(s))
    X = np.array([[f(v) for v in row] for row in inst["X"]])
    y = np.array([f(v) for v in inst["y"]])
    n = X.shape[0]
    w = np.full(X.shape[1], f(inst["init"]["alpha"]))
    c = 2.0 * float(Fraction(eta)) / n
    for _ in range(steps):
        r = X @ (w * w) - y
        w *= 1.0 - c * (X.T @ r)
    r = X @ (w * w) - y
    print(f"numpy {np.__version__}: loss {float(r @ r) / (2 * n):.6e}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
