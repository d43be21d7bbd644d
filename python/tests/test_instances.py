"""solve, gd, learner and check: against the CLI's JSON on the same files, against values known
by hand, and bad input raising ValueError with the CLI's message."""

import json
import shutil
import tomllib
from fractions import Fraction

import pytest

import dlncheck
from conftest import exact, plain

SOLVE_FILES = [
    "examples/eos.toml",
    "proofs/t1g-d2-neither-bias.toml",
    "proofs/t1g-moments-d3.toml",
    "proofs/t1g-min-norm-optimal.toml",
    "proofs/t1g-min-sharpness-optimal.toml",
    "python/tests/data/uv.toml",
]


@pytest.mark.parametrize("name", SOLVE_FILES)
def test_solve_equals_cli(cli, root, name):
    path = root / name
    py = dlncheck.solve(path)
    assert py == exact(cli.json("solve", path, "--json"))
    # a dict with the file's content gives the same answer (only `file` differs)
    as_dict = tomllib.loads(path.read_text())
    from_dict = dlncheck.solve(as_dict)
    assert from_dict["file"] == "instance"
    assert {k: v for k, v in from_dict.items() if k != "file"} == {k: v for k, v in py.items() if k != "file"}


def test_solve_hand_values(root):
    # proofs/t1g-d2-neither-bias.toml, by hand: E(t) = (5/2)((1−t)²/4 + t²) along the front,
    # E* = 1/2 at t = 1/5, E(min-norm) = 5/8, E(min-sharpness) = 5/2.
    g = dlncheck.solve(root / "proofs/t1g-d2-neither-bias.toml")["generalization"]
    assert g["min_norm"] == Fraction(5, 8) and g["min_sharpness"] == Fraction(5, 2)
    assert g["front_best"]["value"] == Fraction(1, 2) and g["neither_bias"] is True
    # x = (2, 1), y = 1, shared: min-norm puts β = y/x_i on the largest |x_i| (N = 1/2), and
    # min-sharpness S = 4 Σ x_i² β_i is least on the smallest |x_i| (β = (0, 1), S = 4).
    s = dlncheck.solve({"model": "shared", "x": [2, 1], "y": 1})
    assert s["min_norm"]["beta"] == [Fraction(1, 2), 0] and s["min_norm"]["value"] == Fraction(1, 2)
    assert s["min_sharpness"]["beta"] == [0, 1] and s["min_sharpness"]["value"] == 4
    assert s["coincide"] is False
    assert all(isinstance(v, Fraction) for v in s["min_norm"]["beta"])


def test_dict_numbers_are_exact():
    # floats in a dict are their binary values; "0.5" and Fraction(1, 2) are one half
    for half in ("0.5", Fraction(1, 2), 0.5, "1/2"):
        s = dlncheck.solve({"model": "shared", "x": [half, 1], "y": 1})
        assert s["min_norm"]["value"] == 1  # β = y / max|x| on x_1 = 1
        assert s["min_sharpness"]["value"] == Fraction(2)  # 4·x²·β = 4·(1/4)·2
    s = dlncheck.solve({"model": "shared", "x": [0.1, 1], "y": 1})
    assert s["min_sharpness"]["beta"][0] == 1 / Fraction(0.1)
    assert s["min_sharpness"]["beta"][0] != 10


def dict_message(cli, tmp_path, inst, *args):
    """The CLI's message for the same instance written as a JSON file, with the file's name
    replaced by the package's name for a dict, `instance`."""
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(inst))
    return cli.error(args[0], path, *args[1:]).replace(str(path), "instance")


BAD_INSTANCES = {
    "misspelled top key": {"model": "shared", "x": ["1", "2"], "y": "1", "teachr": {}},
    "misspelled nested key": {"model": "shared", "x": ["1", "2"], "y": "1", "init": {"alhpa": "1/10"}},
    "unknown model": {"model": "sharde", "x": ["1", "2"], "y": "1"},
    "wrong type": {"model": "shared", "x": "1", "y": "1"},
    "not a number": {"model": "shared", "x": ["1", "two"], "y": "1"},
    "zero label": {"model": "shared", "x": ["1", "2"], "y": "0"},
    "missing y": {"model": "shared", "x": ["1", "2"]},
}


@pytest.mark.parametrize("case", list(BAD_INSTANCES))
def test_bad_instance_dict_raises_the_cli_message(cli, tmp_path, case):
    inst = BAD_INSTANCES[case]
    expected = dict_message(cli, tmp_path, inst, "solve", "--json")
    with pytest.raises(ValueError) as info:
        dlncheck.solve(inst)
    assert str(info.value) == expected
    assert "\n" not in expected


def test_bad_instance_file_raises_the_cli_message(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('model = "shared"\nx = ["1", "2"]\ny = "1"\n[init]\nalhpa = "1/10"\n')
    with pytest.raises(ValueError) as info:
        dlncheck.solve(path)
    assert str(info.value) == cli.error("solve", path, "--json")
    with pytest.raises(ValueError) as info:
        dlncheck.solve(tmp_path / "missing.toml")
    assert str(info.value) == cli.error("solve", tmp_path / "missing.toml")
    with pytest.raises(ValueError, match="instance: expected a file path or a dict"):
        dlncheck.solve(42)


def test_gd_equals_cli(cli, root):
    path = root / "examples/eos.toml"
    for lr, steps, prec in (("1/100", 3000, "f64"), ("1/25", 3000, "f32"), ("1/4", 200, "f64"), ("1/100", 3, "exact")):
        out = cli.json("gd", path, "--lr", lr, "--steps", steps, "--precision", prec, "--json")
        py = dlncheck.gd(path, lr, steps, precision=prec)
        assert py == exact(out), (lr, prec)
    # precision as a bit count
    out = cli.json("gd", path, "--lr", "1/100", "--steps", 500, "--precision", "80", "--json")
    assert dlncheck.gd(path, "1/100", 500, precision=80) == exact(out)


def test_gd_certified_equals_cli(cli, root):
    path = root / "examples/eos.toml"
    out = cli.json("gd", path, "--lr", "1/25", "--certify", "--checks", "--json")
    py = dlncheck.gd(path, "1/25", certify=True, checks=True)
    assert plain(py) == exact(out)
    c = py["certified"]
    assert c["converged"] is True and isinstance(c["sharpness"], dlncheck.Enclosure)
    # linear stability (SPEC §4): the certified limit has S(β∞) ≤ 2/η = 50
    assert c["sharpness"].hi <= 50 and c["eos_margin"].lo >= 0
    # the float run's endpoint sharpness lies near the certified interval
    assert abs(float(py["final"]["sharpness"]) - float(c["sharpness"].mid)) < 1e-6


def test_gd_trace_and_errors(cli, root, tmp_path):
    path = root / "examples/eos.toml"
    py = dlncheck.gd(path, "1/100", 50, trace=True)
    trace = tmp_path / "trace.json"
    cli.json("gd", path, "--lr", "1/100", "--steps", 50, "--trace", trace, "--json")
    assert py["trace"] == exact(json.loads(trace.read_text()))
    steps = [r["step"] for r in py["trace"]]
    assert steps == sorted(steps) and steps[-1] <= 50 and len(steps) > 10
    with pytest.raises(ValueError) as info:
        dlncheck.gd(path, "1/100", 7, precision="exact")
    assert str(info.value) == cli.error("gd", path, "--lr", "1/100", "--steps", "7", "--precision", "exact")
    with pytest.raises(ValueError) as info:
        dlncheck.gd(path, "-1", 10)
    assert str(info.value) == cli.error("gd", path, "--lr", "-1", "--steps", "10")
    with pytest.raises(ValueError, match="steps"):
        dlncheck.gd(path, "1/100", -3)


def test_learner_equals_cli(cli, root):
    path = root / "examples/eos.toml"
    for lr in ("1/25", "1/20"):
        out = cli.json("learner", path, "--lr", lr, "--json")
        py = dlncheck.learner(path, lr)
        assert plain(py) == exact(out)
    # the shipped claim (proofs/gd-learner-beats-both): at η = 1/25 GD beats both ends
    py = dlncheck.learner(path, "1/25")
    assert py["beats_min_norm"] and py["beats_min_sharpness"]
    assert py["expected_error"].hi < py["min_norm"] and py["expected_error"].hi < py["min_sharpness"]
    with pytest.raises(ValueError) as info:
        dlncheck.learner(root / "python/tests/data/uv.toml", "1/25")
    assert str(info.value) == cli.error("learner", root / "python/tests/data/uv.toml", "--lr", "1/25")


def test_check_equals_cli(cli, root):
    p = cli.run("check", "proofs", "--json")
    import os

    here = os.getcwd()  # relative paths resolve from the working directory, as for the CLI
    try:
        os.chdir(root)
        py = dlncheck.check("proofs")
        default = dlncheck.check()
    finally:
        os.chdir(here)
    assert {k: v for k, v in py.items() if k not in ("exit", "errors")} == exact(json.loads(p.stdout))
    assert py["exit"] == p.returncode == 0 and py["errors"] == []
    assert default == py
    assert py["verified"] == len(py["claims"]) > 0
    assert all(c["status"] == "verified" for c in py["claims"])


def test_check_rejected_and_malformed(cli, root, tmp_path):
    # a tampered claim: the last digit of a claimed value changed
    src = root / "proofs/hand-d2.claim.toml"
    text = src.read_text()
    bad = tmp_path / "tampered.claim.toml"
    i = text.index('value = "') + len('value = "')
    j = text.index('"', i)
    bad.write_text(text[:i] + str(Fraction(text[i:j]) + 1) + text[j:])
    junk = tmp_path / "junk.claim.toml"
    junk.write_text("this is = not toml [")
    good = tmp_path / "good.claim.toml"
    shutil.copy(src, good)
    for paths, code in (([bad], 1), ([junk], 2), ([good], 0), ([tmp_path], 2), ([tmp_path / "empty-dir"], 2)):
        if paths[0].name == "empty-dir":
            paths[0].mkdir()
        p = cli.run("check", *paths, "--json")
        py = dlncheck.check(paths)
        assert py["exit"] == p.returncode == code, paths
        assert {k: v for k, v in py.items() if k not in ("exit", "errors")} == exact(json.loads(p.stdout))
        assert py["errors"] == [line[len("error: "):] for line in p.stderr.splitlines() if line.startswith("error: ")]
    assert dlncheck.check([bad])["rejected"] >= 1
