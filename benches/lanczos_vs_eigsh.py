#!/usr/bin/env python3
"""scipy's eigsh on the matrix of the Rust bench `lanczos_f64/dense_d1000` (issue 5).

Install the dependencies with `pip install scipy numpy`, then run
`python3 benches/lanczos_vs_eigsh.py` and compare with
`cargo bench --bench sharpness -- lanczos_f64`. The matrix is rebuilt here with the same
generator as `benches/sharpness.rs::dense` (a 64-bit LCG; entries p/4, p in [-10, 10]).
"""
import time

import numpy as np
from scipy.sparse.linalg import eigsh


def dense(n, seed):
    s = seed
    mask = (1 << 64) - 1
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            s = (s * 6364136223846793005 + 1442695040888963407) & mask
            v = (((s >> 33) % 21) - 10) / 4.0
            h[i, j] = v
            h[j, i] = v
    return h


def main():
    h = dense(1000, 1)
    v0 = np.ones(1000)
    runs = []
    for _ in range(20):
        t = time.perf_counter()
        value = eigsh(h, k=1, which="LA", tol=1e-12, v0=v0, return_eigenvectors=False)[0]
        runs.append(time.perf_counter() - t)
    runs.sort()
    print(f"eigsh d=1000 lambda_max = {value!r}; median {runs[len(runs) // 2] * 1e3:.2f} ms, min {runs[0] * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
