"""Type stubs of the dlncheck Python package (see the module docstring and python/README.md)."""

import os
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator, Literal, Sequence, TypedDict, Union, overload

__version__: str

Number = Union[int, float, Fraction, Decimal, str]
"""An exact number: a float is its binary value, a str "p/q", an integer or an exact decimal."""
Matrix = Any
"""A square symmetric matrix: numpy float32/float64 (exact), int or object array, JAX array, CPU
torch tensor, or nested lists of Number."""
Instance = Union[str, "os.PathLike[str]", dict[str, Any]]
"""An instance file (TOML/JSON) or a dict with the instance schema."""
End = Literal["lambda_max", "lambda_min"]

class Enclosure:
    """A certified interval [lo, hi] (exact Fractions) containing an exact real quantity."""

    lo: Fraction
    hi: Fraction
    def __init__(self, lo: Number, hi: Number, **extra: Any) -> None: ...
    @property
    def width(self) -> Fraction: ...
    @property
    def mid(self) -> Fraction: ...
    @property
    def relative_width(self) -> float: ...
    def contains(self, value: Number) -> bool: ...
    def __contains__(self, value: Number) -> bool: ...
    def __getitem__(self, key: str) -> Any: ...
    def __getattr__(self, name: str) -> Any: ...
    def keys(self) -> list[str]: ...
    def get(self, key: str, default: Any = ...) -> Any: ...
    def __iter__(self) -> Iterator[Fraction]: ...

class ErrorBounds(TypedDict):
    lo: float | None
    hi: float | None

class AuditRow(TypedDict, total=False):
    name: str
    verdict: Literal["interior", "lambda_max", "lambda_min", "unclassified"]
    rounding_radius: float
    method: str
    precision: Literal["f32", "f64"]
    estimate: float
    estimate_exact: Fraction
    end: End
    iterations: int
    converged: bool
    inside: bool
    abs_error: ErrorBounds
    rel_error: ErrorBounds
    ulp_error: ErrorBounds
    lambda_max: Enclosure
    lambda_min: Enclosure

def lambda_max(H: Matrix, width: Number = 1e-12) -> Enclosure: ...
def spectrum(H: Matrix, width: Number = 1e-12) -> dict[str, Any]: ...
@overload
def audit(H: Matrix, estimate: Number, *, precision: Literal["f32", "f64"] | None = None, end: End | None = None, width: Number = 1e-20, symmetrize: bool = False) -> AuditRow: ...
@overload
def audit(H: Matrix, estimate: Sequence[Number] | dict[str, Number], *, precision: Literal["f32", "f64"] | None = None, end: End | None = None, width: Number = 1e-20, symmetrize: bool = False) -> list[AuditRow]: ...
def audit_report(H: Matrix, estimates: Number | Sequence[Number] | dict[str, Number] | None = None, *, precision: Literal["f32", "f64"] | None = None, end: End | None = None, width: Number = 1e-20, iterations: int = 300, max_only: bool = False, symmetrize: bool = False) -> dict[str, Any]: ...
def solve(instance: Instance) -> dict[str, Any]: ...
def check(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None) -> dict[str, Any]: ...
def gd(
    instance: Instance,
    lr: Number,
    steps: int | None = None,
    *,
    precision: Literal["f32", "f64", "exact"] | str | int = "f64",
    tol: Number | None = None,
    certify: bool = False,
    bits: int | None = None,
    checks: bool = False,
    trace: bool = False,
    batch: int | None = None,
    seed: int | None = None,
    replacement: bool = False,
) -> dict[str, Any]: ...
def learner(instance: Instance, lr: Number, *, steps: int = 100000, bits: int | None = None) -> dict[str, Any]: ...
def flow(instance: Instance, *, certify: bool = True, width: Number = "1e-30") -> dict[str, Any]: ...
def sharpness_of(x: Sequence[Number] | Any, y: Number, theta: Sequence[Number] | Any, *, model: Literal["shared", "uv", "pm"] = "shared", width: Number = 1e-12) -> Enclosure: ...
def sharpness_report(x: Sequence[Number] | Any, y: Number, theta: Sequence[Number] | Any, *, model: Literal["shared", "uv", "pm"] = "shared", width: Number = 1e-12) -> dict[str, Any]: ...
