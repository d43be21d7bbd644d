#!/usr/bin/env python3
"""Peer comparison for issue 2: the T1 closed forms (SPEC §2) in plain Python `fractions`,
side by side with `dlncheck solve --json` on the same instance file, in one run.

Usage (from the repository root; needs only the Python standard library, 3.11+ for tomllib):
    cargo build --release
    python3 benches/t1_fractions.py [D] [BITS]
It writes target/bench/t1-d{D}.toml with `dlncheck random`, times both implementations on it
(best of 3 wall-clock runs each, including reading the file), checks they agree exactly, and
prints the ratio.
"""
import json, subprocess, sys, time, tomllib
from fractions import Fraction
from pathlib import Path

D = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BITS = int(sys.argv[2]) if len(sys.argv) > 2 else 64
EXE = Path("target/release/dlncheck")


def fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def closed_forms(path: Path) -> dict:
    inst = tomllib.loads(path.read_text())
    assert inst["model"] == "shared"
    x = [Fraction(s) for s in inst["x"]]
    y = Fraction(inst["y"])
    P = [i for i, xi in enumerate(x) if xi * y > 0]
    if not P:
        raise SystemExit("infeasible")
    i_n = min(P, key=lambda i: (-abs(x[i]), i))  # largest |x_i|, lowest index
    i_s = min(P, key=lambda i: (abs(x[i]), i))   # smallest |x_i|, lowest index
    beta_n = ["0"] * len(x)
    beta_n[i_n] = fmt(y / x[i_n])
    beta_s = ["0"] * len(x)
    beta_s[i_s] = fmt(y / x[i_s])
    seen, front = set(), []
    for i in sorted(P, key=lambda i: (-abs(x[i]), i)):
        a = abs(x[i])
        if a in seen:
            continue
        seen.add(a)
        front.append({"norm": fmt(abs(y) / a), "sharpness": fmt(4 * abs(y) * a)})
    return {
        "min_norm": {"value": fmt(abs(y) / abs(x[i_n])), "beta": beta_n},
        "min_sharpness": {"value": fmt(4 * abs(y) * abs(x[i_s])), "beta": beta_s},
        "pareto_front": front,
    }


def best_of(n, f):
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    if not EXE.exists():
        raise SystemExit("build first: cargo build --release")
    path = Path(f"target/bench/t1-d{D}.toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(EXE), "random", "--d", str(D), "--bits", str(BITS), "--seed", "42", "--positive", "-o", str(path)], check=True)
    t_rust, out = best_of(3, lambda: subprocess.run([str(EXE), "solve", str(path), "--json"], check=True, capture_output=True).stdout)
    rust = json.loads(out)
    t_py, py = best_of(3, lambda: closed_forms(path))
    for key in ("min_norm", "min_sharpness"):
        assert rust[key]["value"] == py[key]["value"] and rust[key]["beta"] == py[key]["beta"], key
    assert [{"norm": v["norm"], "sharpness": v["sharpness"]} for v in rust["pareto_front"]] == py["pareto_front"]
    print(f"d = {D}, {BITS}-bit entries, front of {len(py['pareto_front'])} vertices; results agree exactly")
    print(f"dlncheck solve --json : {t_rust:8.3f} s")
    print(f"python fractions      : {t_py:8.3f} s")
    print(f"ratio                 : {t_py / t_rust:8.1f}x")


if __name__ == "__main__":
    main()
