#!/usr/bin/env python3
"""Peer comparison for issue 4: the same f64 GD update as `gd_step/f64/d=1000000` in numpy.

Install: pip install numpy
Run:     python3 benches/gd_numpy.py [d] [steps]

Update (shared model, one data point, SPEC §4): w <- w * (1 - 2*eta*r*x), r <- <x, w*w> - y.
numpy needs several passes per step (temporaries); the Rust step is one fused pass.
Prints seconds per step and the effective bandwidth at 24 bytes per coordinate.
"""
import sys
import time

import numpy as np

d = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
x = 1.0 + np.arange(d, dtype=np.float64) / d
w = np.full(d, 0.1)
y, eta = 1.0, 1e-7
r = float(x @ (w * w)) - y
best = float("inf")
for rep in range(5):
    t0 = time.perf_counter()
    for _ in range(steps):
        w *= 1.0 - (2.0 * eta * r) * x
        r = float(x @ (w * w)) - y
    best = min(best, (time.perf_counter() - t0) / steps)
print(f"numpy {np.__version__}: d={d} {best*1e3:.3f} ms/step, {24*d/best/1e9:.2f} GB/s effective")
