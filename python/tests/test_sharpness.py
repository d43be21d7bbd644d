"""lambda_max, spectrum, audit and sharpness_of: against the CLI on the same inputs, and against
an independent eigenvalue computation (mpmath at 60 digits) on the exact matrices."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

import dlncheck
from conftest import exact

mpmath.mp.dps = 60


def mp_fraction(x) -> Fraction:
    """The exact value of an mpmath number."""
    x = mpmath.mpf(x)
    man, exp = x.man_exp  # man is |mantissa|: the sign is apart
    return (-1 if x < 0 else 1) * Fraction(abs(man)) * Fraction(2) ** exp


def mp_eigenvalues(rows):
    """Eigenvalues (ascending) of the exact rational matrix, by mpmath's Jacobi at 60 digits."""
    a = mpmath.matrix([[mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in r] for r in rows])
    e, _ = mpmath.eigsy(a)
    return sorted(mp_fraction(v) for v in e)


def holds(enc, value, rel=Fraction(1, 10**50)):
    """enc ∋ value up to mpmath's own error (relative 1e-50, far below every width used)."""
    slack = rel * max(abs(value), 1)
    return enc.lo - slack <= value <= enc.hi + slack


def random_symmetric(rng, d, dtype=np.float64, scale=1.0):
    a = rng.standard_normal((d, d)) * scale
    return ((a + a.T) / 2).astype(dtype)


@pytest.mark.parametrize("seed", range(12))
def test_lambda_max_contains_mpmath_eigenvalue(seed):
    rng = np.random.default_rng(seed)
    d = 2 + seed % 7
    h = random_symmetric(rng, d, scale=10.0 ** rng.integers(-3, 4))
    lam = mp_eigenvalues([[Fraction(float(v)) for v in r] for r in h])
    for width in (1e-12, "1e-30"):
        e = dlncheck.lambda_max(h, width=width)
        assert holds(e, lam[-1]), (e, float(lam[-1]))
        # the enclosure is certified to the requested relative width
        assert e.width <= Fraction(width) * max(abs(e.lo), abs(e.hi)) * 2
    s = dlncheck.spectrum(h, width="1e-25")
    assert holds(s["lambda_min"], lam[0])
    assert holds(s["lambda_max"], lam[-1])
    assert holds(s["spectral_norm"], max(abs(lam[0]), abs(lam[-1])))


def test_float_entries_are_exact_binary_values():
    # 0.1 is 3602879701896397/2^55, not 1/10: a tight enclosure tells them apart.
    e = dlncheck.lambda_max(np.array([[0.1]]), width="1e-30")
    assert e.contains(Fraction(0.1)) and e.contains(0.1)
    assert not e.contains(Fraction(1, 10))
    # the same for a float32 array: its entries are the float32 values
    e32 = dlncheck.lambda_max(np.array([[0.1]], dtype=np.float32), width="1e-30")
    assert e32.contains(Fraction(float(np.float32(0.1))))
    assert not e32.contains(Fraction(0.1))
    # a decimal string is the decimal
    assert dlncheck.lambda_max([["0.1"]], width="1e-30").contains(Fraction(1, 10))


def test_float32_array_equals_its_exact_values():
    rng = np.random.default_rng(7)
    h = random_symmetric(rng, 5, np.float32)
    as_fractions = np.array([[Fraction(float(v)) for v in r] for r in h], dtype=object)
    a, b = dlncheck.lambda_max(h, width="1e-20"), dlncheck.lambda_max(as_fractions, width="1e-20")
    assert (a.lo, a.hi) == (b.lo, b.hi)
    assert holds(a, mp_eigenvalues(as_fractions.tolist())[-1])


def test_fraction_and_string_lists():
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3; diag(1/3, 1/7) has λ_max = 1/3.
    e = dlncheck.lambda_max([[2, 1], [1, 2]])
    assert e.contains(3) and not e.contains(Fraction(3) + Fraction(1, 10**6))
    e = dlncheck.lambda_max([[Fraction(1, 3), "0"], [0, "1/7"]], width="1e-30")
    assert e.contains(Fraction(1, 3)) and e.lo <= Fraction(1, 3) <= e.hi
    assert isinstance(e.lo, Fraction) and isinstance(e.hi, Fraction)
    s = dlncheck.spectrum([[Fraction(1, 3), "0"], [0, "1/7"]], width="1e-30")
    assert s["lambda_min"].contains(Fraction(1, 7)) and not s["lambda_min"].contains(Fraction(1, 3))


def test_lambda_max_equals_cli(cli, tmp_path):
    rng = np.random.default_rng(42)
    for k in range(4):
        h = random_symmetric(rng, 3 + k)
        path = tmp_path / f"h{k}.npy"
        np.save(path, h)
        out = cli.json("sharpness", "--matrix", path, "--json", "--width", "1e-15")
        s = dlncheck.spectrum(h, width=1e-15)
        for end in ("lambda_max", "lambda_min", "spectral_norm"):
            assert (s[end].lo, s[end].hi) == (Fraction(out[end]["lo"]), Fraction(out[end]["hi"]))
        e = dlncheck.lambda_max(h, width=1e-15)
        assert (e.lo, e.hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))
        assert e.certificate == out["lambda_max"]["certificate"]


def test_shipped_matrix_files_equal_cli(cli, root):
    import json

    for name in ("tridiagonal.json", "tridiagonal.npy"):
        path = root / "examples" / name
        out = cli.json("sharpness", "--matrix", path, "--json")
        h = np.load(path) if name.endswith(".npy") else json.loads(path.read_text())["matrix"]
        e = dlncheck.lambda_max(h)
        assert (e.lo, e.hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))


def test_audit_equals_cli(cli, tmp_path):
    rng = np.random.default_rng(3)
    h = random_symmetric(rng, 6) + 4 * np.eye(6)  # λ_max > 0, dominant
    path = tmp_path / "h.npy"
    np.save(path, h)
    lam = mp_eigenvalues([[Fraction(float(v)) for v in r] for r in h])
    top = float(lam[-1])
    for est in (top, top * (1 + 1e-9), np.float32(top), float(lam[0]) if lam[0] < 0 else -0.5):
        prec = "f32" if isinstance(est, np.float32) else "f64"
        text = str(Fraction(float(est)))  # the estimate's exact binary value, for the CLI
        out = cli.json("audit", "--matrix", path, "--estimate", text, "--precision", prec, "--json")
        row = out["estimates"][0]
        py = dlncheck.audit(h, est)
        assert py["precision"] == prec
        for key in ("end", "inside", "abs_error", "rel_error", "ulp_error", "estimate"):
            assert py[key] == row[key], key
        assert py["estimate_exact"] == Fraction(row["estimate_exact"])
        assert (py["lambda_max"].lo, py["lambda_max"].hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))
        # independent: the error bounds bracket |estimate - λ| for the mpmath eigenvalue
        lam_end = lam[-1] if py["end"] == "lambda_max" else lam[0]
        err = float(abs(py["estimate_exact"] - lam_end))
        assert py["abs_error"]["lo"] <= err * (1 + 1e-12) + 1e-300 and err <= py["abs_error"]["hi"] * (1 + 1e-12) + 1e-300
    # the float one ulp beyond the f64 nearest to λ_max (away from λ_max) is outside a 1e-20
    # enclosure, at least 1 ulp off
    away = np.nextafter(top, -np.inf) if Fraction(top) <= lam[-1] else np.nextafter(top, np.inf)
    row = dlncheck.audit(h, float(away))
    assert not row["inside"] and row["ulp_error"]["lo"] >= 0.5


def test_audit_nearest_end_on_negative_spectrum(cli, tmp_path):
    """SPEC §7: `end` is the end of the spectrum the estimate is nearest. On diag(-1, -10), an
    estimate of λ_max = -1 is λ_max (a sign rule would call every negative estimate λ_min); the
    CLI uses the same nearest-end rule, and with end= forced the package compares with that end."""
    h = np.diag([-1.0, -10.0])
    row = dlncheck.audit(h, -1.0)
    assert row["end"] == "lambda_max" and row["inside"] and row["abs_error"]["hi"] < 1e-15
    row = dlncheck.audit(h, -9.5)
    assert row["end"] == "lambda_min" and not row["inside"]
    path = tmp_path / "neg.npy"
    np.save(path, h)
    out = cli.json("audit", "--matrix", path, "--estimate", "-1", "--json")["estimates"][0]
    row = dlncheck.audit(h, -1.0)
    for key in ("end", "inside", "abs_error", "rel_error", "ulp_error"):
        assert row[key] == out[key], key
    forced = dlncheck.audit(h, -1.0, end="lambda_min")
    assert forced["end"] == "lambda_min" and not forced["inside"] and forced["abs_error"]["lo"] >= 9 * (1 - 1e-15)


def test_audit_list_certifies_once_and_keeps_order():
    h = [[2, 0], [0, -3]]
    rows = dlncheck.audit(h, [2.0, -3.0, 0.5])
    assert [r["end"] for r in rows] == ["lambda_max", "lambda_min", "lambda_max"]
    assert [r["inside"] for r in rows] == [True, True, False]
    assert rows[0]["lambda_max"] is rows[1]["lambda_max"]


def shared_hessian(x, y, w):
    """The dense `shared` one-point Hessian 2r·diag(x) + 4aaᵀ, a = x ⊙ w, exactly (the test's
    own formula from SPEC §6)."""
    r = sum(xi * wi * wi for xi, wi in zip(x, w)) - y
    a = [xi * wi for xi, wi in zip(x, w)]
    d = len(x)
    return [[(2 * r * x[i] if i == j else 0) + 4 * a[i] * a[j] for j in range(d)] for i in range(d)]


def test_sharpness_of_shared_against_dense_mpmath():
    rng = np.random.default_rng(11)
    for d in (2, 5, 9):
        x = [Fraction(float(v)) for v in rng.standard_normal(d)]
        w = [Fraction(float(v)) for v in rng.standard_normal(d)]
        y = Fraction(3, 2)
        e = dlncheck.sharpness_of(x, y, w)
        assert e.route == "secular equation (diagonal + rank one)"
        assert holds(e, mp_eigenvalues(shared_hessian(x, y, w))[-1])
        assert e.relative_width <= 1e-11


def test_sharpness_of_equals_cli(cli, root):
    theta = ["1/10", "1/5", "3/10"]
    out = cli.json("sharpness", "--instance", root / "examples/eos.toml", "--theta", ",".join(theta), "--json")
    e = dlncheck.sharpness_of(["3", "1/2", "2"], "5", theta)
    assert (e.lo, e.hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))
    # the dense route (uv): against the CLI on an instance file with the same data
    theta_uv = ["1/2", "1/3", "1/4", "1/5", "1/6", "1/7"]
    uv = root / "python/tests/data/uv.toml"
    out = cli.json("sharpness", "--instance", uv, "--theta", ",".join(theta_uv), "--json")
    e = dlncheck.sharpness_of(["3", "1/2", "2"], "5", theta_uv, model="uv")
    assert e.route == "exact dense Hessian"
    assert (e.lo, e.hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))


# ------------------------------------------------------------------ bad input: the CLI's messages


def cli_message(cli, path, name, *args):
    return cli.error(*args).replace(str(path), name)


def test_bad_matrices_raise_the_cli_message(cli, tmp_path):
    cases = {
        "nonsymmetric": np.array([[1.0, 2.0], [3.0, 1.0]]),
        "nan": np.array([[1.0, np.nan], [np.nan, 1.0]]),
        "infinite": np.array([[np.inf]]),
        "vector": np.array([1.0, 2.0, 3.0]),
        "rectangular": np.zeros((2, 3)),
        "complex": np.eye(2, dtype=np.complex128),
    }
    for name, h in cases.items():
        path = tmp_path / f"{name}.npy"
        np.save(path, h)
        expected = cli_message(cli, path, "H", "sharpness", "--matrix", path, "--json")
        with pytest.raises(ValueError) as info:
            dlncheck.lambda_max(h)
        assert str(info.value) == expected, name
        assert "\n" not in str(info.value)


def test_bad_lists_raise_the_cli_message(cli, tmp_path):
    import json

    cases = {
        "ragged": [["1", "2"], ["2"]],
        "nonsymmetric": [["1", "2"], ["3", "1"]],
        "word": [["1", "x"], ["x", "1"]],
        "flat": ["1", "2"],
        "empty": [],
    }
    for name, rows in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"matrix": rows}))
        expected = cli_message(cli, path, "H", "sharpness", "--matrix", path)
        with pytest.raises(ValueError) as info:
            dlncheck.lambda_max(rows)
        assert str(info.value) == expected, name


def test_bad_width_and_estimate(cli, root):
    with pytest.raises(ValueError) as info:
        dlncheck.lambda_max([[1]], width=2)
    assert str(info.value) == cli.error("sharpness", "--matrix", root / "examples/tridiagonal.json", "--width", "2")
    with pytest.raises(ValueError, match="estimate"):
        dlncheck.audit([[1]], "one")
    with pytest.raises(ValueError):
        dlncheck.audit([[1]], float("nan"))
    with pytest.raises(ValueError):
        dlncheck.lambda_max([[True]])
