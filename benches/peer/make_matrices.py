"""Random symmetric float64 test matrices for the sharpness benchmark (benches/README.md).

Writes OUT/sym-{d}.npy for each d: A = (G + Gᵀ)/2 with G standard normal from
numpy.random.default_rng(d), saved as float64 (the values dlncheck reads exactly).
Usage: python make_matrices.py OUT d1 d2 ...
"""
import sys
import numpy as np

out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
for d in sizes:
    g = np.random.default_rng(d).standard_normal((d, d))
    np.save(f"{out}/sym-{d}.npy", (g + g.T) / 2)
