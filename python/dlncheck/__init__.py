"""dlncheck from Python: certified sharpness audits, exact solutions and claim checking for
diagonal linear networks (the library behind the `dlncheck` command, called directly).

Exactness
---------
Every number that goes in is read as an exact rational:

* a float (Python ``float``, NumPy float16/32/64, entries of a float array) is the binary
  rational m·2^e it holds, never a nearby decimal: ``0.1`` is
  3602879701896397/36028797018963968. Write ``"0.1"`` or ``Fraction(1, 10)`` for one tenth;
* ``int``, ``fractions.Fraction`` and ``decimal.Decimal`` are exact; a ``str`` is read like a
  number in an instance file: ``"p/q"``, an integer or an exact decimal (``"0.125"``, ``"-3e-2"``);
* tolerances (``width``, ``tol``) are the exception: a float there is read as its shortest
  decimal ``repr``, so ``width=1e-12`` means 10⁻¹², as ``--width 1e-12`` does on the command line.

Every rational that comes out is a ``fractions.Fraction``; certified intervals are
:class:`Enclosure` objects. Errors in the input raise ``ValueError`` with the command line's
one-line message (``FILE: field `KEY`: reason``; for an array or a dict the argument's name stands
in for the file name).

Long calls release the GIL and can be interrupted with Ctrl-C (``KeyboardInterrupt`` within
about 50 ms). The interrupted computation cannot be stopped from outside: it runs on to its end
on a background thread (using its CPU) and its result is discarded.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import _dlncheck as _ext

__all__ = [
    "Enclosure",
    "lambda_max",
    "spectrum",
    "audit",
    "audit_report",
    "solve",
    "check",
    "gd",
    "learner",
    "flow",
    "sharpness_of",
    "sharpness_report",
]

__version__ = _ext.__version__


# --------------------------------------------------------------------------------------------
# Enclosures


def _decimal(q: Fraction, digits: int, up: bool) -> str:
    """q rounded to `digits` significant decimal digits, up (toward +inf) or down."""
    if q == 0:
        return "0"
    sign = "-" if q < 0 else ""
    a = abs(q)
    e = math.floor(math.log10(a.numerator) - math.log10(a.denominator))
    # fix the estimate of the exponent exactly
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    scaled = a / Fraction(10) ** (e - digits + 1)
    # magnitude rounded away from zero when rounding q up and q > 0, or down and q < 0
    away = up != (q < 0)
    m = math.ceil(scaled) if away else math.floor(scaled)
    if len(str(m)) > digits:
        m //= 10
        e += 1
        if away and Fraction(m) * Fraction(10) ** (e - digits + 1) < a:
            m += 1
    s = str(m)
    head, tail = s[0], s[1:].rstrip("0")
    mant = head + ("." + tail if tail else "")
    return f"{sign}{mant}e{e:+03d}"


class Enclosure:
    """A certified interval [lo, hi] that contains an exact real quantity (λ_max, S(β∞), ...).

    ``lo`` and ``hi`` are ``fractions.Fraction``. Extra facts the command line prints with the
    interval (``relative_width``, ``certificate``, ``route``, ``d``) are attributes, and the
    object can be read like the JSON it mirrors: ``e["lo"]``, ``e["hi"]``, ``e.keys()``.
    """

    __slots__ = ("lo", "hi", "_extra")

    def __init__(self, lo: Any, hi: Any, **extra: Any) -> None:
        lo, hi = _fraction(lo, "lo"), _fraction(hi, "hi")
        if lo > hi:
            raise ValueError(f"Enclosure: lo = {lo} exceeds hi = {hi}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        object.__setattr__(self, "_extra", dict(extra))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Enclosure is immutable")

    @property
    def width(self) -> Fraction:
        """hi − lo, exactly."""
        return self.hi - self.lo

    @property
    def mid(self) -> Fraction:
        """(lo + hi) / 2, exactly."""
        return (self.lo + self.hi) / 2

    @property
    def relative_width(self) -> float:
        """(hi − lo) / max(|lo|, |hi|) as a float (0 when lo = hi = 0)."""
        scale = max(abs(self.lo), abs(self.hi))
        return float(self.width / scale) if scale else 0.0

    def contains(self, value: Any) -> bool:
        """Whether lo ≤ value ≤ hi, decided exactly (a float is its exact binary value;
        NaN is in no enclosure)."""
        if isinstance(value, float) and not math.isfinite(value):
            return False
        try:
            v = _fraction(value, "value")
        except ValueError:
            if _is_nan(value):
                return False
            raise
        return self.lo <= v <= self.hi

    __contains__ = contains

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "_extra")
        if name in extra:
            return extra[name]
        raise AttributeError(f"Enclosure has no attribute {name!r}")

    def __getitem__(self, key: str) -> Any:
        if key == "lo":
            return self.lo
        if key == "hi":
            return self.hi
        return self._extra[key]

    def keys(self) -> list[str]:
        return ["lo", "hi", *self._extra]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Enclosure):
            return (self.lo, self.hi) == (other.lo, other.hi)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.lo, self.hi))

    def __iter__(self):
        return iter((self.lo, self.hi))

    def __repr__(self) -> str:
        lo, hi = _decimal(self.lo, 17, up=False), _decimal(self.hi, 17, up=True)
        return f"Enclosure([{lo}, {hi}], width {float(self.width):.3g})"

    def __reduce__(self):
        return (_enclosure, (self.lo, self.hi, self._extra))


def _enclosure(lo: Fraction, hi: Fraction, extra: dict) -> Enclosure:
    return Enclosure(lo, hi, **extra)


# --------------------------------------------------------------------------------------------
# Python values to exact text


def _numpy():
    try:
        import numpy
    except ImportError:  # numpy is optional: lists of Fraction/int/str work without it
        return None
    return numpy


def _is_nan(v: Any) -> bool:
    try:
        return math.isnan(v)
    except (TypeError, ValueError):
        return False


def _fraction(v: Any, what: str) -> Fraction:
    """An exact Fraction of a number (a float exactly, a str as "p/q" or an exact decimal)."""
    text = _q(v, what)
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{what}: `{text}` is not a rational") from None


def _q(v: Any, what: str) -> str:
    """The exact text of a number, as the library reads it ("p/q", integer or decimal)."""
    np = _numpy()
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        raise ValueError(f"{what}: expected a number, found a boolean")
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)
    if isinstance(v, Decimal):
        if not v.is_finite():
            return str(v)
        return _q(Fraction(v), what)
    if np is not None and isinstance(v, np.integer):
        return str(int(v))
    if isinstance(v, float) or (np is not None and isinstance(v, np.floating)):
        f = float(v)  # float16/32 → float64 is exact
        if np is not None and isinstance(v, np.floating) and v.dtype.itemsize > 8:
            if not math.isfinite(f):
                return str(f)
            return _q(Fraction(*v.as_integer_ratio()), what)
        if not math.isfinite(f):
            return str(f)  # "nan", "inf": the library's parser names the field
        return _q(Fraction(f), what)
    if np is not None and isinstance(v, np.ndarray) and v.ndim == 0:
        return _q(v[()], what)
    raise ValueError(f"{what}: expected a number (int, float, Fraction, Decimal or str), found {type(v).__name__}")


def _tree(v: Any, what: str) -> Any:
    """A JSON-ready tree of a Python value: numbers become exact strings, containers recurse."""
    np = _numpy()
    if np is not None and isinstance(v, np.ndarray):
        if v.dtype.kind == "f":  # element by element, so that long doubles stay exact
            return [_tree(x, what) for x in v] if v.ndim else _q(v[()], what)
        v = v.tolist()
    if isinstance(v, dict):
        return {str(k): _tree(x, f"{what}.{k}") for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_tree(x, what) for x in v]
    if isinstance(v, str) or v is None:
        return v
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        return bool(v)
    if isinstance(v, int) and -(2**63) <= v < 2**63:
        return v
    if _array_like(v):
        return _tree(np.asarray(v), what)
    return _q(v, what)


def _array_like(v: Any) -> bool:
    return not isinstance(v, (str, bytes, list, tuple, dict)) and hasattr(v, "__array__") and _numpy() is not None


def _matrix(H: Any, name: str = "H") -> tuple[bytes | None, str | None]:
    """(npy bytes, None) for float arrays, read bit for bit; (None, JSON text) otherwise."""
    np = _numpy()
    if np is not None and (isinstance(H, np.ndarray) or _array_like(H)):
        H = np.asarray(H)  # JAX arrays, CPU torch tensors, numpy matrices
        kind = H.dtype.kind
        if kind == "f" and H.dtype.itemsize == 2:
            H = H.astype(np.float64)  # exact
        if kind == "f" and H.dtype.itemsize in (2, 4, 8):
            buf = io.BytesIO()
            np.save(buf, H, allow_pickle=False)
            return buf.getvalue(), None
        if kind in "fiuOUS":  # long doubles, integers, Fraction objects, strings
            return None, json.dumps({"matrix": _tree(H, name)})
        buf = io.BytesIO()
        np.save(buf, H, allow_pickle=False)  # the reader names the unsupported dtype
        return buf.getvalue(), None
    return None, json.dumps({"matrix": _tree(H, name)})


def _tolerance(w: Any, what: str) -> str:
    if isinstance(w, float):
        return repr(w)
    return _q(w, what)


def _count(k: Any, what: str, allow_none: bool = False) -> int | None:
    if k is None and allow_none:
        return None
    np = _numpy()
    if isinstance(k, bool) or not (isinstance(k, int) or (np is not None and isinstance(k, np.integer))) or k < 0:
        raise ValueError(f"{what}: expected a non-negative integer, found {k!r}")
    return int(k)


def _instance(inst: Any) -> tuple[str | None, str, str | None]:
    """(path, name, None) for a file, (None, "instance", JSON text) for a dict."""
    if isinstance(inst, (str, os.PathLike)):
        return os.fspath(inst), "instance", None
    if isinstance(inst, dict):
        return None, "instance", json.dumps(_tree(inst, "instance"))
    raise ValueError(f"instance: expected a file path or a dict, found {type(inst).__name__}")


# --------------------------------------------------------------------------------------------
# JSON text to Python objects

_NUMBER = re.compile(r"^-?(\d+(/\d+)?|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$")
# Keys whose string values are text even when they look like numbers.
_TEXT = frozenset(
    "file model source route certificate reason stop end sharpness_end method precision kind "
    "status detail expect optimal_end title check errors name verdict entries".split()
)


# Keys whose {lo, hi} objects are untrusted float brackets, not certified intervals: they stay
# dicts (of Fractions) and never become an Enclosure.
_BRACKETS = frozenset({"sharpness_bracket"})


def _py(v: Any, key: str | None = None) -> Any:
    if isinstance(v, dict):
        if key not in _BRACKETS and isinstance(v.get("lo"), str) and isinstance(v.get("hi"), str) and _NUMBER.match(v["lo"]) and _NUMBER.match(v["hi"]):
            extra = {k: _py(x, k) for k, x in v.items() if k not in ("lo", "hi")}
            return Enclosure(Fraction(v["lo"]), Fraction(v["hi"]), **extra)
        return {k: _py(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [_py(x, key) for x in v]
    if isinstance(v, str) and key not in _TEXT and _NUMBER.match(v):
        return Fraction(v)
    return v


def _load(text: str) -> Any:
    return _py(json.loads(text))


# --------------------------------------------------------------------------------------------
# The API


def lambda_max(H: Any, width: Any = 1e-12) -> Enclosure:
    """Certified enclosure [lo, hi] of the largest eigenvalue of a symmetric matrix (SPEC §6).

    As ``dlncheck sharpness --matrix FILE --json`` prints it under ``lambda_max``: exact LDLᵀ
    inertia, a Rayleigh witness vector and Kato–Temple bounds, on the exact rational matrix.

    H
        A square symmetric matrix: a NumPy float32/float64 array (each entry is the binary
        rational it holds, bit for bit; also JAX arrays and CPU torch tensors), an integer or
        object array (of ``Fraction``), or nested lists of ``Fraction``/int/str/float.
    width
        Target relative width (hi − lo)/|λ| of the enclosure, strictly between 0 and 1
        (default 1e-12).

    Returns an :class:`Enclosure` with ``lo``, ``hi`` (``Fraction``), ``relative_width``,
    ``certificate`` (how lo and hi are proved) and ``d``.
    Raises ``ValueError`` for a non-square or non-symmetric matrix, a NaN or infinite entry, an
    array that is not 2-D, or a width outside (0, 1), with the CLI's message.
    """
    npy, text = _matrix(H)
    return _load(_ext._lambda_max("H", npy, text, _tolerance(width, "width")))


def spectrum(H: Any, width: Any = 1e-12) -> dict:
    """Certified enclosures of λ_max, λ_min and max|λ| of a symmetric matrix (SPEC §6).

    What ``dlncheck sharpness --matrix FILE --json`` prints: ``d``, ``target_width``,
    ``lambda_max``, ``lambda_min``, ``spectral_norm`` as :class:`Enclosure`, ``seconds`` and
    ``file`` (``"H"``). Arguments as for :func:`lambda_max`.
    """
    npy, text = _matrix(H)
    return _load(_ext._spectrum("H", npy, text, _tolerance(width, "width")))


def _estimates(estimate: Any, precision: str | None, end: str | None) -> list:
    """(name, exact text, precision, end) per estimate: a number, a list of numbers, or a dict
    {name: number} of named estimates."""
    np = _numpy()
    if isinstance(estimate, dict):
        items = [(str(k), v) for k, v in estimate.items()]
    elif isinstance(estimate, (list, tuple)):
        items = [(None, v) for v in estimate]
    else:
        items = [(None, estimate)]
    rows = []
    for name, e in items:
        p = precision
        if p is None:
            p = "f32" if np is not None and isinstance(e, np.float32) else "f64"
        rows.append((name, _q(e, "estimate"), p, end))
    return rows


def audit_report(
    H: Any,
    estimates: Any = None,
    *,
    precision: str | None = None,
    end: str | None = None,
    width: Any = 1e-20,
    iterations: int = 300,
    max_only: bool = False,
    symmetrize: bool = False,
) -> dict:
    """The whole report of ``dlncheck audit --matrix FILE [--estimate NAME=E ...] --json``:
    ``d``, ``route``, ``entries``, ``lambda_max`` and ``lambda_min`` (:class:`Enclosure`),
    ``estimates`` (one row per estimate, as :func:`audit` returns them, without the ends),
    ``warnings``, ``rounding_scale`` (float entries), ``symmetrized`` (with ``symmetrize``),
    ``seconds`` and ``source`` (``"H"``).

    estimates
        ``None``: run the CLI's estimators (power iteration and Lanczos, in ``precision`` or in
        both f32 and f64); a number, a list of numbers (named ``estimate-1``, ...) or a dict
        ``{name: number}`` of named outside estimates.
    precision, end, width
        As for :func:`audit`; without estimates, ``precision`` picks the estimators' float type.
    iterations
        Iterations of the estimators run here (the CLI's ``--iters``).
    max_only
        Certify λ_max only (``--max-only``).
    symmetrize
        Audit (H + Hᵀ)/2 of a non-symmetric matrix, taken exactly, and report the largest
        asymmetry removed (``--symmetrize``).
    """
    rows = [] if estimates is None else _estimates(estimates, precision, end)
    npy, text = _matrix(H)
    p = None if precision is None else str(precision)
    return _load(
        _ext._audit(
            "H", npy, text, rows, _tolerance(width, "width"), p,
            _count(iterations, "iterations"), bool(max_only), bool(symmetrize),
        )
    )


def audit(
    H: Any,
    estimate: Any,
    *,
    precision: str | None = None,
    end: str | None = None,
    width: Any = 1e-20,
    symmetrize: bool = False,
) -> Any:
    """Audit a float eigenvalue estimate (power iteration, Lanczos, ...) against the certified
    enclosure of the end of the spectrum it belongs to (SPEC §6).

    As ``dlncheck audit --matrix FILE --estimate E --json`` prints one row of ``estimates``:

    * ``end``: ``"lambda_max"`` or ``"lambda_min"``, the end of the spectrum the estimate is
      nearest (SPEC §7; ties go to λ_max), unless given with ``end=``;
    * ``verdict``: ``"interior"`` when the estimate is certified strictly between λ_min and
      λ_max by more than its rounding radius, else the nearest end (docs/audit.md);
    * ``inside``: whether the estimate lies in that end's certified enclosure;
    * ``abs_error``, ``rel_error``, ``ulp_error``: ``{"lo", "hi"}`` floats bounding
      |estimate − λ|, the same over |λ|, and over the spacing of the estimate's float type; a
      bound that does not exist (a relative error over an enclosure touching 0) is absent, as
      in the CLI's output;
    * ``rounding_radius`` (one ulp of the estimate's float type at it), ``name``, ``estimate``
      (float), ``estimate_exact`` (Fraction), ``precision``, ``method``;
    * plus ``lambda_max`` and ``lambda_min``, the certified :class:`Enclosure` of both ends.

    H
        As for :func:`lambda_max`.
    estimate
        The estimate (its exact value is audited); a list or tuple of estimates gives a list of
        rows, a dict ``{name: estimate}`` a list of rows named as given, with the matrix
        certified once.
    precision
        ``"f32"`` or ``"f64"``: the float type of the estimate, for ulps (default: ``"f32"`` for
        a NumPy float32, ``"f64"`` otherwise).
    width
        Target relative width of the enclosures (default 1e-20, as the CLI's).
    symmetrize
        Audit (H + Hᵀ)/2 of a non-symmetric matrix (see :func:`audit_report`).

    The whole report (warnings, rounding scale, what ``symmetrize`` removed) is
    :func:`audit_report`.
    """
    many = isinstance(estimate, (list, tuple, dict))
    out = audit_report(H, estimate, precision=precision, end=end, width=width, symmetrize=symmetrize)
    audited = [dict(r, lambda_max=out["lambda_max"], lambda_min=out["lambda_min"]) for r in out["estimates"]]
    return audited if many else audited[0]


def solve(instance: Any) -> dict:
    """Solve the one-point setting T1 exactly: min-norm, min-sharpness, conflict, Pareto front
    (SPEC §2), and the generalization report when the instance has a teacher (SPEC §3).

    Returns what ``dlncheck solve FILE --json`` prints, as Python objects (every rational a
    ``Fraction``): ``min_norm`` and ``min_sharpness`` (``value``, ``beta``, ``dual``,
    ``index``), ``coincide``, ``ratio``, ``pareto_front`` (``{index, norm, sharpness}`` from
    min-norm to min-sharpness), ``thresholds`` (``eta_norm``, ``eta_max``), ``d``, ``model``,
    ``file`` and, with a teacher, ``generalization``.

    instance
        An instance file (TOML or JSON, path as ``str`` or ``os.PathLike``), or a dict with the
        same closed schema (``model``, ``x``, ``y``, ``init``, ``teacher``, ``population``,
        ``title``); numbers as ``Fraction``/int/str/float (floats exactly). A misspelled key, a
        wrong type or an infeasible instance raises ``ValueError`` with the CLI's message.
    """
    return _load(_ext._solve(*_instance(instance)))


def check(paths: Any = None) -> dict:
    """Verify claim files with the trusted kernel (default: every ``*.claim.toml`` under
    ``proofs/``, relative to the working directory), as ``dlncheck check PATH... --json``.

    Returns ``verified``, ``rejected``, ``malformed``, ``expect_not_matched`` (counts),
    ``files`` (per file: ``file``, ``verified``, ``claims``, ``expect`` — "expect matched", "no
    expect list" or "EXPECT NOT MATCHED: ..." — and ``passed``), ``claims`` (per claim:
    ``file``, ``claim`` index, ``kind``, ``status`` "verified"/"REJECTED"/"MALFORMED",
    ``detail``), ``exit`` (the CLI's exit code: 0 all verified, 1 some claim rejected or some
    expect not matched, 2 unreadable or malformed input) and ``errors`` (the messages the CLI
    writes to standard error). A malformed file is reported, not raised.

    paths
        A file or folder, or a list of them; folders are searched for ``*.claim.toml`` and
        ``*.claim.json``.
    """
    if paths is None:
        items: list = []
    elif isinstance(paths, (str, os.PathLike)):
        items = [paths]
    else:
        items = list(paths)
    return _load(_ext._check([os.fspath(p) for p in items]))


def gd(
    instance: Any,
    lr: Any,
    steps: int | None = None,
    *,
    precision: Any = "f64",
    tol: Any = None,
    certify: bool = False,
    bits: int | None = None,
    checks: bool = False,
    trace: bool = False,
    batch: int | None = None,
    seed: int | None = None,
    replacement: bool = False,
) -> dict:
    """Run gradient descent on one data point (models shared, uv) from the instance's [init]
    (default w0 = α·1 with α = 1/10) and report the final loss, full-Hessian sharpness S, norm N
    and β (SPEC §4). Stops when |r| ≤ tol·|y|, on divergence, or at the step limit.

    Returns what ``dlncheck gd FILE --lr ETA --steps K --json`` prints: ``converged``,
    ``diverged``, ``stop``, ``steps``, ``max_steps``, ``lr``, ``precision`` and ``final``
    (``loss``, ``sharpness``, ``sharpness_end``, ``norm``, ``residual``, ``beta``; decimals of
    the run, as exact ``Fraction`` of the printed decimal).

    lr
        Learning rate η > 0 (a float is its exact binary value; ``"0.1"`` is one tenth).
    steps
        Maximum number of steps (exact rationals: at most 6). Optional with ``certify``
        (default 100000).
    precision
        ``"f32"``, ``"f64"``, a bit count 16..65536 (binary floats), or ``"exact"``.
    tol
        Relative residual |r|/|y| counted as converged (default: f32 2^-15, f64 2^-40, BITS
        2^-(BITS-12), exact 0).
    certify
        Also certify the limit of the exact GD trajectory (SPEC §4.1): adds ``certified``, either
        ``converged`` True with ``steps``, ``bits``, ``beta`` (a list of :class:`Enclosure`),
        ``norm``, ``sharpness``, ``eos_margin`` (2/η − S) as :class:`Enclosure` and ``residual``
        (``rho``, ``q``), or ``converged`` False with the ``reason``.
    bits
        Precision of certified GD in significant bits (2..4096; default 64, 128, ... until it
        works).
    checks
        Run the checks C1–C3 of SPEC §4 (adds ``checks``).
    trace
        Add ``trace``: one record per step (``step``, ``loss``, ``sharpness``, ``norm``, ``beta``).
    batch, seed, replacement
        Mini-batch SGD: each step uses ``batch`` of the n points (1 ≤ B ≤ n), in the seeded
        sample order of docs/sgd.md (default seed 0; ``replacement`` draws i.i.d. indices).
        Adds ``batch``, ``seed``, ``replacement`` to the result. Not with ``certify``.
    """
    prec = str(_count(precision, "precision")) if isinstance(precision, int) and not isinstance(precision, bool) else str(precision)
    return _load(
        _ext._gd(
            *_instance(instance),
            _q(lr, "lr"),
            _count(steps, "steps", allow_none=True),
            prec,
            None if tol is None else _tolerance(tol, "tol"),
            bool(checks),
            bool(certify),
            _count(bits, "bits", allow_none=True),
            bool(trace),
            _count(batch, "batch", allow_none=True),
            _count(seed, "seed", allow_none=True),
            bool(replacement),
        )
    )


def learner(instance: Any, lr: Any, *, steps: int = 100_000, bits: int | None = None) -> dict:
    """The GD learner (SPEC §4.1): certified GD on every atom's own label y_a of a discrete
    prior, from the same w0 and η; encloses the expected error E_GD(η) and says whether GD
    provably beats (or loses to) the exact min-norm and min-sharpness ends (SPEC §3).

    Returns what ``dlncheck learner FILE --lr ETA --json`` prints: ``expected_error``
    (:class:`Enclosure`, or None when some atom is not certified), ``certified``,
    ``min_norm``, ``min_sharpness``, ``front_best``, ``bayes`` (exact), ``beats_min_norm``,
    ``beats_min_sharpness``, ``loses_to_min_norm``, ``loses_to_min_sharpness`` (True only
    when certified) and ``atoms`` (each with ``y``, ``weight`` and its certified run).

    steps
        Step limit per atom (at most 10^6).
    bits
        Precision in significant bits (default: 64, 128, ... until it works).
    """
    return _load(_ext._learner(*_instance(instance), _q(lr, "lr"), _count(steps, "steps"), _count(bits, "bits", allow_none=True)))


def flow(instance: Any, *, certify: bool = True, width: Any = "1e-30") -> dict:
    """The gradient-flow limit of every n (SPEC §5.2): β∞ = β(ν) with ν the root of
    X·β(ν) = y, certified by a Krawczyk box. Returns what ``dlncheck flow FILE --certify
    --width W --json`` prints: ``certified`` with the ``beta``, ``norm`` and ``sharpness``
    boxes (:class:`Enclosure`) and ``bits``, or ``{"converged": False, "reason": ...}`` (a
    non-coercive potential is named), plus a binary64 ``estimate`` of β∞. ``certify=False``
    gives the estimate alone.

    width
        Target relative width of the N, S and β boxes (default 1e-30).
    """
    return _load(_ext._flow(*_instance(instance), bool(certify), _tolerance(width, "width")))


def sharpness_of(x: Any, y: Any, theta: Any, *, model: str = "shared", width: Any = 1e-12) -> Enclosure:
    """Certified λ_max of the loss Hessian ∇²L(θ) of a diagonal linear network on one data point
    (x, y), as ``dlncheck sharpness --instance FILE --theta LIST --json``.

    For ``model="shared"`` (β = w ⊙ w) the Hessian 2r·diag(x) + 4aaᵀ (a = x ⊙ w) is diagonal
    plus rank one, and λ_max is certified from its secular equation in O(d) without forming the
    matrix (fine at d = 10⁶); for ``uv`` and ``pm`` the exact dense 2d × 2d Hessian is certified.

    x, y
        The data point and its label (y ≠ 0), exact (floats exactly).
    theta
        The parameters: w for ``shared``; u then v (2d entries) for ``uv`` and ``pm``.
    width
        Target relative width (default 1e-12; the secular route resolves about 1e-14 at best).

    Returns the ``lambda_max`` of what the CLI prints, an :class:`Enclosure` with
    ``relative_width``, plus ``d`` and ``route`` (``"exact dense Hessian"`` for uv and pm, whose
    full report is :func:`sharpness_report`).
    """
    v = sharpness_report(x, y, theta, model=model, width=width)
    e = v["lambda_max"]
    extra = {k: e[k] for k in e.keys() if k not in ("lo", "hi")}
    extra.update(d=v["d"], route=v.get("route", "exact dense Hessian"))
    return Enclosure(e.lo, e.hi, **extra)


def sharpness_report(x: Any, y: Any, theta: Any, *, model: str = "shared", width: Any = 1e-12) -> dict:
    """What ``dlncheck sharpness --instance FILE --theta LIST --json`` prints for the instance
    {model, x, y} (named ``data``): for ``shared``, ``d``, ``route``, ``lambda_max``
    (:class:`Enclosure`), ``seconds``, ``file``; for ``uv`` and ``pm``, the report of the exact
    dense Hessian as a matrix (``lambda_max``, ``lambda_min``, ``spectral_norm``,
    ``target_width``, ...). Arguments as for :func:`sharpness_of`.
    """
    xs = [_q(v, "x") for v in _vector(x)]
    ts = [_q(v, "theta") for v in _vector(theta)]
    return _load(_ext._sharpness_of(str(model), xs, _q(y, "y"), ts, _tolerance(width, "width")))


def _vector(v: Any) -> list:
    np = _numpy()
    if np is not None and (isinstance(v, np.ndarray) or _array_like(v)):
        a = np.asarray(v)
        if a.ndim != 1:
            raise ValueError(f"expected a vector (1-D), found an array of shape {a.shape}")
        return list(a)
    if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
        raise ValueError(f"expected a vector (a list or 1-D array), found {type(v).__name__}")
    return list(v)
