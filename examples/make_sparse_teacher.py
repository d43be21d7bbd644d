"""Writes sparse-teacher.toml and sparse-teacher-test.npz (docs/walkthrough.md).

The setting of the DLN step-size studies of GD versus SGD (e.g. Even, Pesme, Gunasekar,
Flammarion 2023): β = u⊙v from u0 = √2·α·1, v0 = 0 (β0 = 0), d = 30, n = 20 Gaussian points,
a 3-sparse teacher β* and noiseless labels y = Xβ*. Entries of X are N(0, 1) draws rounded to
two decimals, so the instance holds exact decimals; the held-out set (100 points, same law,
float64, labels X_test β* in float64) is a NumPy archive with arrays X and y.

    python examples/make_sparse_teacher.py      (numpy; seed 0; rewrites both files)
"""

from decimal import Decimal
from pathlib import Path

import numpy as np

D, N, N_TEST, ALPHA = 30, 20, 100, Decimal("0.1")
STAR = {0: Decimal("1"), 1: Decimal("-1"), 2: Decimal("1.5")}

rng = np.random.default_rng(0)
X = [[Decimal(f"{v:.2f}") for v in row] for row in rng.standard_normal((N, D))]
y = [sum(row[i] * b for i, b in STAR.items()) for row in X]
beta = [str(STAR.get(i, Decimal(0))) for i in range(D)]
# √2·α to 20 significant digits, an exact decimal.
u0 = (Decimal(2).sqrt() * ALPHA).quantize(Decimal("1e-20"))

here = Path(__file__).parent
q = lambda v: f'"{v}"'
lines = [
    "# GD on a diagonal linear network β = u⊙v from u0 = √2·α·1 (α = 1/10), v0 = 0: d = 30,",
    "# n = 20, a 3-sparse teacher β* = (1, −1, 3/2, 0, …) and labels y = Xβ*; held-out points in",
    "# sparse-teacher-test.npz. Written by examples/make_sparse_teacher.py; docs/walkthrough.md.",
    'model = "uv"',
    "X = [",
    *["  [" + ", ".join(q(v) for v in row) + "]," for row in X],
    "]",
    "y = [" + ", ".join(q(v) for v in y) + "]",
    "",
    "[init]",
    f'u = "{u0}"',
    'v = "0"',
    "",
    "[teacher]",
    'kind = "discrete"',
    'atoms = [{ weight = "1", beta = [' + ", ".join(q(b) for b in beta) + "] }]",
    "",
    "[test]",
    'npz = "sparse-teacher-test.npz"',
    "",
]
(here / "sparse-teacher.toml").write_text("\n".join(lines))
X_test = np.round(rng.standard_normal((N_TEST, D)), 2)
star = np.array([float(b) for b in beta])
np.savez(here / "sparse-teacher-test.npz", X=X_test, y=X_test @ star)
