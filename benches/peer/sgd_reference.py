"""An independent mini-batch SGD in Python, for cross-checking `dlncheck gd --batch` (docs/sgd.md).

It re-implements, from the text of docs/sgd.md only: SplitMix64, the unbiased `below(m)`,
the sample order (epochs of a Fisher–Yates shuffle of the identity, or i.i.d. draws with
--replacement; each batch's indices sorted) and the SGD step on L = ‖Xβ − y‖²/(2n) for models
shared (β = w⊙w), uv (β = u⊙v) and pm (β = u⊙u − v⊙v).

    python sgd_reference.py INSTANCE.json --lr 1/10 --steps 4 --batch 2 --seed 7 [--replacement] [--exact]

INSTANCE.json: {"model", "X", "y", "theta0"} with rational strings. Prints the final β: exact
Fractions with --exact (compare with `gd --precision exact --json`'s `final.beta_exact`), else
float64 from numpy, whose batch gradient X_Bᵀ r_B sums in numpy's own order (compare with
`gd --json`'s `final.beta` to a relative tolerance of about 1e-12).
"""

import argparse
import json
import sys
from fractions import Fraction

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, m):
        floor = (1 << 64) % m
        while True:
            x = self.next_u64()
            if x >= floor:
                return x % m


def batches(n, batch, seed, replacement):
    rng = SplitMix64(seed)
    perm, pos = [], n
    while True:
        if replacement:
            yield sorted(rng.below(n) for _ in range(batch))
            continue
        if pos == n:
            perm = list(range(n))
            for i in range(n - 1, 0, -1):
                j = rng.below(i + 1)
                perm[i], perm[j] = perm[j], perm[i]
            pos = 0
        end = min(pos + batch, n)
        yield sorted(perm[pos:end])
        pos = end


def beta_of(model, theta, d):
    if model == "shared":
        return [w * w for w in theta]
    u, v = theta[:d], theta[d:]
    if model == "uv":
        return [a * b for a, b in zip(u, v)]
    return [a * a - b * b for a, b in zip(u, v)]


def step(model, theta, g, c, d):
    """θ ← θ − c·∂β/∂θ ⊙ g with c = η/B (g the batch's Σ r_j x_j)."""
    if model == "shared":
        return [w - c * g[k] * 2 * w for k, w in enumerate(theta)]
    u, v = theta[:d], theta[d:]
    if model == "uv":
        return [u[k] - c * g[k] * v[k] for k in range(d)] + [v[k] - c * g[k] * u[k] for k in range(d)]
    return [u[k] - 2 * c * g[k] * u[k] for k in range(d)] + [v[k] + 2 * c * g[k] * v[k] for k in range(d)]


def exact_run(inst, lr, steps, batch, seed, replacement):
    X = [[Fraction(v) for v in row] for row in inst["X"]]
    y = [Fraction(v) for v in inst["y"]]
    theta = [Fraction(v) for v in inst["theta0"]]
    n, d = len(X), len(X[0])
    order = batches(n, batch, seed, replacement)
    for _ in range(steps):
        beta = beta_of(inst["model"], theta, d)
        r = [sum(X[j][k] * beta[k] for k in range(d)) - y[j] for j in range(n)]
        b = next(order)
        g = [sum(r[j] * X[j][k] for j in b) for k in range(d)]
        theta = step(inst["model"], theta, g, Fraction(lr) / len(b), d)
    return beta_of(inst["model"], theta, d)


def float_run(inst, lr, steps, batch, seed, replacement):
    import numpy as np

    X = np.array([[float(Fraction(v)) for v in row] for row in inst["X"]])
    y = np.array([float(Fraction(v)) for v in inst["y"]])
    theta = np.array([float(Fraction(v)) for v in inst["theta0"]])
    n, d = X.shape
    order = batches(n, batch, seed, replacement)
    model = inst["model"]
    for _ in range(steps):
        beta = np.array(beta_of(model, list(theta), d))
        b = np.array(next(order))
        r = X[b] @ beta - y[b]
        g = X[b].T @ r
        theta = np.array(step(model, list(theta), list(g), float(Fraction(lr)) / len(b), d))
    return beta_of(model, list(theta), d)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("instance")
    p.add_argument("--lr", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--replacement", action="store_true")
    p.add_argument("--exact", action="store_true")
    a = p.parse_args()
    inst = json.load(open(a.instance))
    run = exact_run if a.exact else float_run
    beta = run(inst, a.lr, a.steps, a.batch, a.seed, a.replacement)
    json.dump([str(b) if a.exact else repr(float(b)) for b in beta], sys.stdout)
    print()


if __name__ == "__main__":
    main()
