"""Write the hand-made "exported" Hessians of the README's audit walk-through (no numpy needed).

The network of examples/eos.toml (shared, x = (3, 1/2, 2), y = 5) at the final GD iterate of
`dlncheck gd examples/eos.toml --lr 1/25 --steps 3000 --json` (θ below, exact binary64 values).
Its exact Hessian 2r·diag(x) + 4aaᵀ (a = x ⊙ w, r = ⟨x, w⊙w⟩ − y) is rounded entrywise, as an
autodiff export would hold it, and one triangle is nudged by one unit in the last place, as
autodiff's two triangles differ by rounding:

* hessian-f32.npy: float32, H[1][0] one float32 ulp above H[0][1];
* hessian-f64.json: plain JSON floats (float64, printed with 17 significant digits),
  H[2][1] one float64 ulp above H[1][2].

    python3 examples/audit/make_exports.py
"""

import json
import struct
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
X = [Fraction(3), Fraction(1, 2), Fraction(2)]
Y = Fraction(5)
THETA = [Fraction(2033258805643493, 2251799813685248), Fraction(4862389724323219, 18014398509481984), Fraction(5052895853479437, 4503599627370496)]


def hessian():
    r = sum(x * w * w for x, w in zip(X, THETA)) - Y
    a = [x * w for x, w in zip(X, THETA)]
    return [[4 * a[i] * a[j] + (2 * r * X[i] if i == j else 0) for j in range(3)] for i in range(3)]


def f32(q):
    return struct.unpack("<f", struct.pack("<f", float(q)))[0]


def next_f32(x):
    (bits,) = struct.unpack("<I", struct.pack("<f", x))
    return struct.unpack("<f", struct.pack("<I", bits + 1))[0]


def next_f64(x):
    (bits,) = struct.unpack("<Q", struct.pack("<d", x))
    return struct.unpack("<d", struct.pack("<Q", bits + 1))[0]


def npy_f32(m):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (len(m), len(m))
    header += " " * (63 - len(header) % 64) + "\n"
    out = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    return out + b"".join(struct.pack("<f", x) for row in m for x in row)


h = hessian()
m32 = [[f32(q) for q in row] for row in h]
m32[1][0] = next_f32(m32[0][1])
(HERE / "hessian-f32.npy").write_bytes(npy_f32(m32))
m64 = [[float(q) for q in row] for row in h]
m64[2][1] = next_f64(m64[1][2])
rows = ",\n  ".join("[" + ", ".join("%.17g" % x for x in row) + "]" for row in m64)
(HERE / "hessian-f64.json").write_text('{"matrix": [\n  ' + rows + "\n]}\n")
print("wrote", HERE / "hessian-f32.npy", "and", HERE / "hessian-f64.json")
