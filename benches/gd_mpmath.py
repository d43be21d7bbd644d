#!/usr/bin/env python3
"""Peer comparison for issue 4: the GD update of `gd_step/bf256/d=100` in mpmath at 256 bits.

Install: pip install mpmath
Run:     python3 benches/gd_mpmath.py [d] [steps]

Update (shared model, one data point, SPEC §4): w <- w * (1 - 2*eta*r*x), r <- <x, w*w> - y,
every operation rounded to 256 bits (mp.prec = 256), the same operation count as the Rust step.
"""
import sys
import time

import mpmath
from mpmath import mp, mpf

mp.prec = 256
d = int(sys.argv[1]) if len(sys.argv) > 1 else 100
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
x = [1 + mpf(i) / d for i in range(d)]
w = [mpf(1) / 10 for _ in range(d)]
y, eta = mpf(1), mpf(1) / 10
one, two = mpf(1), mpf(2)
r = sum(xi * wi * wi for xi, wi in zip(x, w)) - y
best = float("inf")
for rep in range(3):
    t0 = time.perf_counter()
    for _ in range(steps):
        c = two * eta * r
        acc = mpf(0)
        for i in range(d):
            wi = w[i] * (one - c * x[i])
            acc += x[i] * wi * wi
            w[i] = wi
        r = acc - y
    best = min(best, (time.perf_counter() - t0) / steps)
print(f"mpmath {mpmath.__version__} (backend {mpmath.libmp.BACKEND}): d={d} prec=256 {best*1e6:.1f} us/step")
