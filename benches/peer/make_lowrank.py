"""Low-rank-plus-noise symmetric float64 test matrices (benches/README.md, "Low-rank Hessians").

The shape of a network Hessian near a minimum: H = U diag(λ) Uᵀ + N with U a d × r matrix of
orthonormal columns (QR of a standard normal matrix), λ_k = 10^(2k/(r−1)) for k = 0..r−1 (r
positive eigenvalues spread over [1, 100], so ‖H‖ ≈ 100), and N = noise·‖H‖·(G + Gᵀ)/(2√d) with
G standard normal (so ‖N‖ ≈ noise·‖H‖·√2): a cluster of d − r eigenvalues within about
noise·‖H‖ of 0, of both signs. Seeded by numpy.random.default_rng(d), saved as float64.
Writes OUT/lowrank-{d}.npy (and OUT/lowrank0-{d}.npy, the same without noise: an exact-rank
matrix up to the rounding of the product).
Usage: python make_lowrank.py OUT d1 d2 ... [--rank R] [--noise E]
"""
import sys
import numpy as np

args = sys.argv[1:]
rank, noise = 10, 1e-12
if "--rank" in args:
    i = args.index("--rank")
    rank = int(args[i + 1])
    del args[i:i + 2]
if "--noise" in args:
    i = args.index("--noise")
    noise = float(args[i + 1])
    del args[i:i + 2]
out, sizes = args[0], [int(s) for s in args[1:]]
for d in sizes:
    rng = np.random.default_rng(d)
    r = min(rank, d)
    u, _ = np.linalg.qr(rng.standard_normal((d, r)))
    lam = 10.0 ** (2.0 * np.arange(r) / max(r - 1, 1))
    h = (u * lam) @ u.T
    h = (h + h.T) / 2
    np.save(f"{out}/lowrank0-{d}.npy", h)
    g = rng.standard_normal((d, d))
    n = noise * lam.max() * (g + g.T) / (2 * np.sqrt(d))
    np.save(f"{out}/lowrank-{d}.npy", h + n)
