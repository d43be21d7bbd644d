"""Every function of the package returns what the matching CLI command prints with --json on the
same input (issue 25 item 1): both parsed, the CLI's numbers read as Fractions by the test's own
reader (conftest.exact), the package's Enclosures turned back into dicts (conftest.plain).
Excluded by name: `seconds` (timing), and `file`/`source`, which name the input (a path for the
CLI, "H" or "data" for an array handed over in memory)."""

import json
from fractions import Fraction

import numpy as np
import pytest

import dlncheck
from conftest import exact, plain

EXCLUDED = {"seconds", "file", "source"}


def strip(v):
    """v without the excluded keys, at every level."""
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in EXCLUDED}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def same(py, out):
    assert strip(plain(py)) == strip(exact(out))


@pytest.fixture
def matrices(tmp_path):
    """(array, path of its .npy) for a float64 matrix, and (rows, path of its .json) for an exact
    one and for a non-symmetric one."""
    rng = np.random.default_rng(25)
    a = rng.standard_normal((5, 5))
    h = (a + a.T) / 2 + np.diag([3.0, 0, 0, 0, -2.0])
    npy = tmp_path / "h.npy"
    np.save(npy, h)
    rows = [["2", "1/3", "0"], ["1/3", "-1", "1/7"], ["0", "1/7", "5"]]
    exact_path = tmp_path / "q.json"
    exact_path.write_text(json.dumps({"matrix": rows}))
    asym = [["2", "1", "0"], ["3/2", "5", "1/3"], ["0", "1/3", "-1"]]
    asym_path = tmp_path / "asym.json"
    asym_path.write_text(json.dumps({"matrix": asym}))
    return {"f64": (h, npy), "exact": ([[Fraction(x) for x in r] for r in rows], exact_path), "asym": ([[Fraction(x) for x in r] for r in asym], asym_path)}


def test_lambda_max(cli, matrices):
    for key in ("f64", "exact"):
        h, path = matrices[key]
        out = cli.json("sharpness", "--matrix", path, "--json")
        e = dlncheck.lambda_max(h)
        assert plain(e) == dict(exact(out["lambda_max"]), d=out["d"])


def test_spectrum(cli, matrices):
    for key in ("f64", "exact"):
        h, path = matrices[key]
        same(dlncheck.spectrum(h), cli.json("sharpness", "--matrix", path, "--json"))
        same(dlncheck.spectrum(h, width="1e-30"), cli.json("sharpness", "--matrix", path, "--width", "1e-30", "--json"))


def test_audit_report_with_named_estimates(cli, matrices):
    h, path = matrices["f64"]
    lam = np.linalg.eigvalsh(h)
    est = {"top": float(lam[-1]), "bottom": float(lam[0]), "middle": float(lam[2])}
    args = [a for k, v in est.items() for a in ("--estimate", f"{k}={Fraction(v)}")]
    out = cli.json("audit", "--matrix", path, *args, "--json")
    py = dlncheck.audit_report(h, est)
    same(py, out)
    assert [r["name"] for r in py["estimates"]] == list(est)
    assert py["estimates"][2]["verdict"] == "interior"


def test_audit_report_of_the_estimators(cli, matrices):
    for key in ("f64", "exact"):
        h, path = matrices[key]
        same(dlncheck.audit_report(h), cli.json("audit", "--matrix", path, "--json"))
        same(dlncheck.audit_report(h, precision="f32", max_only=True), cli.json("audit", "--matrix", path, "--precision", "f32", "--max-only", "--json"))


def test_audit_rows(cli, matrices):
    h, path = matrices["exact"]
    out = cli.json("audit", "--matrix", path, "--estimate", "5.1", "--estimate", "-1", "--json")
    rows = dlncheck.audit(h, [Fraction("5.1"), -1])
    for row, cli_row in zip(rows, out["estimates"]):
        same(row, dict(cli_row, lambda_max=out["lambda_max"], lambda_min=out["lambda_min"]))
    one = dlncheck.audit(h, Fraction("5.1"))
    same(one, dict(out["estimates"][0], lambda_max=out["lambda_max"], lambda_min=out["lambda_min"]))


def test_audit_symmetrize(cli, matrices):
    h, path = matrices["asym"]
    out = cli.json("audit", "--matrix", path, "--symmetrize", "--estimate", "w=5", "--json")
    py = dlncheck.audit_report(h, {"w": 5}, symmetrize=True)
    same(py, out)
    assert py["symmetrized"]["max_asymmetry"] == Fraction(1, 2)
    row = dlncheck.audit(h, 5, symmetrize=True)
    assert row["verdict"] == out["estimates"][0]["verdict"]
    with pytest.raises(ValueError, match="not symmetric"):
        dlncheck.audit(h, 5)


def test_solve(cli, root):
    for name in ("examples/eos.toml", "proofs/t1g-d2-neither-bias.toml", "python/tests/data/uv.toml"):
        path = root / name
        assert dlncheck.solve(path) == exact(cli.json("solve", path, "--json"))


def test_check(cli, root):
    path = root / "proofs/hand-d2.claim.toml"
    py = dlncheck.check([path])
    assert {k: v for k, v in py.items() if k not in ("exit", "errors")} == exact(cli.json("check", path, "--json"))


def test_gd(cli, root):
    path = root / "examples/eos.toml"
    same(dlncheck.gd(path, "1/100", 500, checks=True), cli.json("gd", path, "--lr", "1/100", "--steps", 500, "--checks", "--json"))
    same(dlncheck.gd(path, "1/25", certify=True), cli.json("gd", path, "--lr", "1/25", "--certify", "--json"))
    ten = root / "examples/ten_points.toml"
    same(dlncheck.gd(ten, "1/1000", 300, checks=True), cli.json("gd", ten, "--lr", "1/1000", "--steps", 300, "--checks", "--json"))


def test_learner(cli, root):
    path = root / "examples/eos.toml"
    same(dlncheck.learner(path, "1/25"), cli.json("learner", path, "--lr", "1/25", "--json"))


def test_flow(cli, root):
    """flow at one point and at n > 1, with and without --certify; the certified box of the
    n = 6 instance contains the kernel-checked claim's β∞ box of proofs/ (an independent file)."""
    one = root / "examples/eos.toml"
    same(dlncheck.flow(one), cli.json("flow", one, "--certify", "--json"))
    six = root / "proofs/instances/flow-sparse-regression.toml"
    py = dlncheck.flow(six, width="1e-20")
    same(py, cli.json("flow", six, "--certify", "--width", "1e-20", "--json"))
    same(dlncheck.flow(six, certify=False), cli.json("flow", six, "--json"))
    assert py["certified"]["converged"] is True
    assert py["certified"]["relative_width"] <= 1e-20


def test_gd_certified_several_points(cli, root):
    """n > 1 certified GD from Python equals the CLI, and S(β∞) lies below 2/η."""
    path = root / "proofs/instances/sparse-d10-n4.toml"
    out = cli.json("gd", path, "--lr", "1/50", "--certify", "--json")
    py = dlncheck.gd(path, "1/50", certify=True)
    same(py, out)
    c = py["certified"]
    assert c["converged"] is True and c["sharpness"].hi < 100
    assert "ell" in c["residual"] and "u" in c["residual"]


def test_learner_several_points(cli, root):
    path = root / "examples/sparse-d10-n4-teacher.toml"
    py = dlncheck.learner(path, "1/50")
    same(py, cli.json("learner", path, "--lr", "1/50", "--json"))
    assert py["certified"] is True and py["beats_min_norm"] is True


def test_sharpness_report_and_sharpness_of(cli, root):
    theta = ["1/10", "1/5", "3/10"]
    out = cli.json("sharpness", "--instance", root / "examples/eos.toml", "--theta", ",".join(theta), "--json")
    same(dlncheck.sharpness_report(["3", "1/2", "2"], "5", theta), out)
    e = dlncheck.sharpness_of(["3", "1/2", "2"], "5", theta)
    assert (e.lo, e.hi) == (Fraction(out["lambda_max"]["lo"]), Fraction(out["lambda_max"]["hi"]))
    theta_uv = ["1/2", "1/3", "1/4", "1/5", "1/6", "1/7"]
    out = cli.json("sharpness", "--instance", root / "python/tests/data/uv.toml", "--theta", ",".join(theta_uv), "--json")
    same(dlncheck.sharpness_report(["3", "1/2", "2"], "5", theta_uv, model="uv"), out)


def test_every_function_has_a_parity_test():
    tested = {"lambda_max", "spectrum", "audit", "audit_report", "solve", "check", "gd", "learner", "flow", "sharpness_of", "sharpness_report"}
    assert set(dlncheck.__all__) - {"Enclosure"} == tested


def test_gd_sgd(cli, root):
    ten = root / "examples/ten_points.toml"
    same(dlncheck.gd(ten, "1/36", 2000, batch=5, seed=1), cli.json("gd", ten, "--lr", "1/36", "--steps", 2000, "--batch", 5, "--seed", 1, "--json"))
    four = root / "examples/four-points-uv.toml"
    same(
        dlncheck.gd(four, "1/10", 3, precision="exact", batch=3, seed=11, replacement=True),
        cli.json("gd", four, "--lr", "1/10", "--steps", 3, "--precision", "exact", "--batch", 3, "--seed", 11, "--replacement", "--json"),
    )
