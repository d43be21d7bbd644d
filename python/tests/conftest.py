"""Fixtures: the repository root and the release CLI the Python results are compared with."""

import json
import os
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    """`target/release/dlncheck` of this checkout (built if missing), or $DLNCHECK_BIN."""
    if os.environ.get("DLNCHECK_BIN"):
        return Path(os.environ["DLNCHECK_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / "release" / "dlncheck"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "--bin", "dlncheck"], cwd=ROOT, check=True)
    return exe


class Cli:
    def __init__(self, exe: Path):
        self.exe = exe

    def run(self, *args, cwd=ROOT):
        return subprocess.run([str(self.exe), *map(str, args)], cwd=cwd, capture_output=True, text=True)

    def json(self, *args, cwd=ROOT):
        p = self.run(*args, cwd=cwd)
        assert p.returncode in (0, 1), p.stderr
        return json.loads(p.stdout)

    def error(self, *args):
        """The one-line message of a failing command (without the `error: ` prefix)."""
        p = self.run(*args)
        assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
        line = p.stderr.strip().splitlines()[-1]
        assert line.startswith("error: ")
        return line[len("error: "):]


@pytest.fixture(scope="session")
def cli():
    return Cli(_binary())


@pytest.fixture(scope="session")
def root():
    return ROOT


NUMBER_KEYS_TEXT = {"file", "model", "source", "route", "certificate", "reason", "stop", "end", "sharpness_end", "method", "precision", "kind", "status", "detail", "expect", "optimal_end", "check"}


def exact(v, key=None):
    """The CLI's JSON with every number string read as a Fraction (the test's own reader, not the
    package's): used to compare the package's output with the CLI's."""
    if isinstance(v, dict):
        return {k: exact(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [exact(x, key) for x in v]
    if isinstance(v, str) and key not in NUMBER_KEYS_TEXT:
        try:
            return Fraction(v)
        except ValueError:
            return v
    return v


def plain(v):
    """The package's output with each Enclosure turned back into a dict {lo, hi, ...}."""
    import dlncheck

    if isinstance(v, dlncheck.Enclosure):
        return {k: plain(v[k]) for k in v.keys()}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
