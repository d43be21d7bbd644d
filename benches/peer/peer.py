"""Side-by-side timing for benches/README.md: dlncheck's certified enclosures (the real binary,
width 1e-30) against python-flint's rigorous acb_mat.eig at 128 bits and numpy's float eigvalsh,
on the same .npy matrices (make_matrices.py).

Usage: python peer.py MATRIX_DIR DLNCHECK_BINARY d1 d2 ... [--flint-max D]
python-flint runs only for d <= --flint-max (default 200): above, it takes tens of minutes.
"""
import json, subprocess, sys, time
import numpy as np

args = sys.argv[1:]
flint_max = 200
if "--flint-max" in args:
    i = args.index("--flint-max")
    flint_max = int(args[i + 1])
    del args[i:i + 2]
folder, binary, sizes = args[0], args[1], [int(s) for s in args[2:]]


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


print("d,dlncheck_both_ends_s,dlncheck_lambda_max_width,numpy_eigvalsh_s,flint_acb_eig_128_s")
for d in sizes:
    path = f"{folder}/sym-{d}.npy"
    a = np.load(path)
    out = {}

    def run_dlncheck():
        r = subprocess.run([binary, "sharpness", "--matrix", path, "--width", "1e-30", "--json"], capture_output=True, check=True)
        out.update(json.loads(r.stdout))

    ours = best(run_dlncheck, 3 if d <= 1000 else 1)
    ours_inner = out["seconds"]
    ref = best(lambda: np.linalg.eigvalsh(a), 3)
    flint_s = ""
    if d <= flint_max:
        import flint
        flint.ctx.prec = 128
        m = flint.acb_mat([[flint.acb(float(x)) for x in row] for row in a])
        flint_s = f"{best(lambda: m.eig(), 1):.3f}"
    print(f"{d},{ours_inner:.3f},{out['lambda_max']['relative_width']:.2e},{ref:.3f},{flint_s}", flush=True)
