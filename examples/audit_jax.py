"""Audit the sharpness estimates of a training run with certified enclosures (dlncheck).

A recipe to copy into your own training script. It trains, with full-batch gradient descent in
JAX (float64):

* a small tanh MLP on a regression task, at a learning rate whose 2/η the sharpness stays below
  and at one where it climbs to 2/η (the Edge of Stability);
* the diagonal linear network of `examples/eos.toml` (shared model, β = w ⊙ w, one data point),
  at η = 1/100 (flow-aligned) and η = 1/25 (Edge of Stability);

and every few steps estimates the sharpness λ_max(∇²L) as the peers do:

* power iteration on Hessian-vector products, PyHessian's loop (random start, at most 100
  iterations, stop at relative change < 1e-3);
* Lanczos on Hessian-vector products, Cohen et al.'s call (`scipy.sparse.linalg.eigsh` with
  k = 2, which='LM', the top value returned as float32);

then builds the float64 Hessian (`jax.hessian`, symmetrised: its two triangles differ in the
last bits) and audits every estimate against the certified enclosure of λ_max and λ_min of that
exact matrix (`dlncheck.audit`: which end it found, inside or not, error bounds). For the
diagonal network it also certifies λ_max of the exact Hessian at the float iterate without
forming it (`dlncheck.sharpness_of`, secular equation).

Writes DIR/audit_jax.csv and DIR/audit_jax.png (estimate vs certified interval vs 2/η, and the
certified relative error of each estimate). Needs jax, scipy, matplotlib and the dlncheck
package (`pip install ./python jax matplotlib`).

    python examples/audit_jax.py --out audit-jax
"""

from __future__ import annotations

import argparse
import csv
import time
import tomllib
from fractions import Fraction
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from scipy.sparse.linalg import LinearOperator, eigsh

import dlncheck

jax.config.update("jax_enable_x64", True)

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------------------ the peers' estimators


def power_iteration(hvp, dim, seed, max_iter=100, tol=1e-3):
    """PyHessian's `eigenvalues()` loop for the top eigenvalue: v ← Hv/‖Hv‖, eigenvalue vᵀHv."""
    v = np.random.default_rng(seed).standard_normal(dim)
    v /= np.linalg.norm(v)
    eig = None
    for k in range(1, max_iter + 1):
        hv = hvp(v)
        new = float(v @ hv)
        v = hv / np.linalg.norm(hv)
        if eig is not None and abs(new - eig) / (abs(eig) + 1e-6) < tol:
            return new, k
        eig = new
    return eig, max_iter


def lanczos(hvp, dim, neigs=2):
    """Cohen et al.'s `lanczos()`: eigsh on the HVP operator (which='LM'), returned as float32."""
    op = LinearOperator((dim, dim), matvec=lambda v: hvp(np.asarray(v, dtype=np.float64)))
    evals = eigsh(op, neigs, return_eigenvectors=False)
    return np.float32(np.sort(evals)[::-1][0])


# ------------------------------------------------------------------------------------- the models


def mlp_problem(seed=0, n=32, d_in=4, width=10):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_in))
    y = np.sin(x @ rng.standard_normal(d_in))[:, None]
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    params = {
        "w1": jax.random.normal(k1, (d_in, width)) / np.sqrt(d_in),
        "b1": jnp.zeros(width),
        "w2": jax.random.normal(k2, (width, 1)) / np.sqrt(width),
        "b2": jnp.zeros(1),
    }
    flat, unravel = ravel_pytree(params)

    def loss(theta):
        p = unravel(theta)
        out = jnp.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
        return 0.5 * jnp.mean((out - y) ** 2)

    return flat, loss


def dln_problem():
    inst = tomllib.loads((HERE / "eos.toml").read_text())
    x = np.array([float(Fraction(v)) for v in inst["x"]])
    y = float(Fraction(inst["y"]))
    alpha = float(Fraction(inst["init"]["alpha"]))

    def loss(w):  # shared model, one point: L = ½ (⟨x, w ⊙ w⟩ − y)²
        return 0.5 * (jnp.dot(x, w * w) - y) ** 2

    return jnp.full(x.shape, alpha), loss, (x, y)


# --------------------------------------------------------------------------------- train and audit


def run(model, lr, theta, loss, steps, every, data=None, seed=0):
    grad = jax.jit(jax.grad(loss))
    hess = jax.jit(jax.hessian(loss))
    loss_j = jax.jit(loss)

    @jax.jit
    def hvp_j(th, v):
        return jax.jvp(jax.grad(loss), (th,), (v,))[1]

    rows = []
    for step in range(steps + 1):
        if step % every == 0:
            th = np.asarray(theta)
            hvp = lambda v: np.asarray(hvp_j(theta, jnp.asarray(v)))  # noqa: E731
            power, iters = power_iteration(hvp, th.size, seed + step)
            lz = lanczos(hvp, th.size)
            h = np.asarray(hess(theta))
            asym = float(np.max(np.abs(h - h.T)))
            h = (h + h.T) / 2  # exactly symmetric: a + b == b + a in IEEE arithmetic
            audits = dlncheck.audit(h, [power, lz], width=1e-12)
            exact = dlncheck.sharpness_of(data[0], data[1], th) if data is not None else None
            for name, est, a in (("power", power, audits[0]), ("lanczos", lz, audits[1])):
                enc = a[a["end"]]
                rows.append({
                    "model": model, "lr": lr, "two_over_lr": 2 / lr, "step": step,
                    "loss": float(loss_j(theta)), "estimator": name,
                    "iterations": iters if name == "power" else "",
                    "precision": a["precision"], "estimate": float(est), "end": a["end"],
                    "lo": float(enc.lo), "hi": float(enc.hi), "lo_exact": str(enc.lo), "hi_exact": str(enc.hi),
                    "lambda_max_lo": float(a["lambda_max"].lo), "lambda_max_hi": float(a["lambda_max"].hi),
                    "inside": a["inside"], "abs_error_hi": a["abs_error"]["hi"], "rel_error_hi": a["rel_error"]["hi"],
                    "ulp_error_hi": a["ulp_error"]["hi"], "hessian_asymmetry": asym,
                    "exact_hessian_lo": str(exact.lo) if exact else "", "exact_hessian_hi": str(exact.hi) if exact else "",
                })
        theta = theta - lr * grad(theta)
    return rows


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = list(dict.fromkeys((r["model"], r["lr"]) for r in rows))
    plt.rcParams.update({"font.size": 11, "axes.titlesize": 12, "legend.fontsize": 9})
    fig, axes = plt.subplots(2, len(runs), figsize=(4.2 * len(runs), 7), sharex="col", squeeze=False)
    for j, (model, lr) in enumerate(runs):
        rs = [r for r in rows if (r["model"], r["lr"]) == (model, lr)]
        ax, ex = axes[0][j], axes[1][j]
        pw = [r for r in rs if r["estimator"] == "power"]
        lz = [r for r in rs if r["estimator"] == "lanczos"]
        steps = [r["step"] for r in pw]
        lo = np.array([r["lambda_max_lo"] for r in pw])
        hi = np.array([r["lambda_max_hi"] for r in pw])
        ax.errorbar(steps, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="-", color="black", lw=1.2, capsize=2, label="certified λ_max (interval)")
        ax.plot(steps, [r["estimate"] for r in pw], "o", ms=4, mfc="none", color="tab:blue", label="power iteration (PyHessian)")
        ax.plot([r["step"] for r in lz], [r["estimate"] for r in lz], "x", ms=4, color="tab:orange", label="Lanczos (eigsh, f32)")
        ax.axhline(2 / lr, ls="--", color="tab:red", lw=1.2, label="2/η")
        ax.set_title(f"{model}, η = {lr:g}")
        ax.set_ylabel("sharpness λ_max(∇²L)")
        for est, mark, color in ((pw, "o", "tab:blue"), (lz, "x", "tab:orange")):
            ok = [r for r in est if r["end"] == "lambda_max" and r["rel_error_hi"]]
            ex.semilogy([r["step"] for r in ok], [r["rel_error_hi"] for r in ok], mark, ms=4, mfc="none" if mark == "o" else None, color=color)
            wrong = [r for r in est if r["end"] != "lambda_max"]
            if wrong:
                ex.semilogy([r["step"] for r in wrong], [1.0] * len(wrong), "v", color="tab:red", ms=6, label="found λ_min, not λ_max")
        rel = [(h - l) / max(abs(l), abs(h)) for l, h in zip(lo, hi)]
        ex.semilogy(steps, rel, "-", color="black", lw=1, label="certified interval's width")
        ex.set_xlabel("GD step")
        ex.set_ylabel("relative error (certified bound)")
        if j == 0:
            ax.legend(loc="best")
        if j == 0 or any(r["end"] != "lambda_max" for r in rs):
            ex.legend(loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("audit-jax"), help="output folder")
    ap.add_argument("--steps", type=int, default=300, help="GD steps of the MLP runs")
    ap.add_argument("--every", type=int, default=10, help="audit every N steps")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    start = time.time()
    rows = []
    theta0, loss = mlp_problem()
    for lr in (0.5, 1.0):  # 2/η = 4 stays above the sharpness; 2/η = 2: the Edge of Stability
        rows += run("MLP", lr, theta0, loss, a.steps, a.every)
    w0, dloss, data = dln_problem()
    for lr in (1 / 100, 1 / 25):
        rows += run("DLN (eos.toml)", lr, w0, dloss, 6 * a.steps, 6 * a.every, data=data)
    with open(a.out / "audit_jax.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    plot(rows, a.out / "audit_jax.png")
    n = len(rows)
    inside = sum(r["inside"] for r in rows)
    print(f"{n} estimates audited in {time.time() - start:.1f} s: {inside} inside their certified interval")
    for est in ("power", "lanczos"):
        rs = [r for r in rows if r["estimator"] == est]
        worst = max(rs, key=lambda r: r["rel_error_hi"] or 0)
        ends = sum(r["end"] != "lambda_max" for r in rs)
        print(f"  {est:8s} worst relative error ≤ {worst['rel_error_hi']:.2e} ({worst['model']}, η = {worst['lr']:g}, step {worst['step']}); found λ_min {ends} time(s)")
    asym = max(r["hessian_asymmetry"] for r in rows)
    dln = [r for r in rows if r["exact_hessian_lo"] and r["estimator"] == "power"]
    overlap = sum(Fraction(r["exact_hessian_lo"]) <= Fraction(r["lambda_max_hi"]) and Fraction(r["lambda_max_lo"]) <= Fraction(r["exact_hessian_hi"]) for r in dln)
    print(f"  jax.hessian's two triangles differ by up to {asym:.1e}; DLN: the certified λ_max of the float64 Hessian and of the exact Hessian at the same iterate overlap at {overlap} of {len(dln)} points")
    print(f"wrote {a.out / 'audit_jax.csv'} and {a.out / 'audit_jax.png'}")


if __name__ == "__main__":
    main()
