"""Side-by-side timing on low-rank Hessians (benches/README.md, "Low-rank Hessians"): the whole
`dlncheck sharpness --matrix M.npy --json` process (default width 1e-12) against numpy's
eigvalsh, in the same run, interleaved, median of REPEAT runs each.

numpy is timed two ways: eigvalsh alone inside this process (np.load excluded), and a whole
`python -c` process that imports numpy, loads the file and calls eigvalsh (the like-for-like
comparison with dlncheck's whole process). Matrices from make_lowrank.py (lowrank-{d}.npy).

Usage: python lowrank.py MATRIX_DIR DLNCHECK_BINARY d1 d2 ... [--repeat N]
"""
import json, statistics, subprocess, sys, time
import numpy as np

args = sys.argv[1:]
repeat = 7
if "--repeat" in args:
    i = args.index("--repeat")
    repeat = int(args[i + 1])
    del args[i:i + 2]
folder, binary, sizes = args[0], args[1], [int(s) for s in args[2:]]


def wall(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - t, r


print("d,dlncheck_process_s,dlncheck_inner_s,numpy_process_s,numpy_eigvalsh_s,"
      "ratio_process,ratio_to_eigvalsh,lambda_max_width,lambda_min_width,lambda_min_norm_width,"
      "notes_on_stderr")
for d in sizes:
    path = f"{folder}/lowrank-{d}.npy"
    a = np.load(path)
    ours, inner, py, eig = [], [], [], []
    out, notes = {}, 0
    for _ in range(repeat):
        t, r = wall([binary, "sharpness", "--matrix", path, "--json"])
        ours.append(t)
        out = json.loads(r.stdout)
        inner.append(out["seconds"])
        notes += r.stderr.decode().count("note:")
        t, _ = wall([sys.executable, "-c",
                     f"import numpy as np; np.linalg.eigvalsh(np.load({path!r}))"])
        py.append(t)
        t = time.perf_counter()
        np.linalg.eigvalsh(a)
        eig.append(time.perf_counter() - t)
    m = statistics.median
    lo = out["lambda_min"]
    print(f"{d},{m(ours):.4f},{m(inner):.4f},{m(py):.4f},{m(eig):.4f},"
          f"{m(ours) / m(py):.2f},{m(ours) / m(eig):.2f},"
          f"{out['lambda_max']['relative_width']:.1e},{lo['relative_width']:.2e},"
          f"{lo.get('width_relative_to_norm', False)},{notes}", flush=True)
