//! From a GD run to an audit, on the real binary: exact endpoints in and out
//! (`gd --json` θ blocks, `--theta FILE` in every form), GD on several data points
//! (examples/ten_points.toml, n = 10), and certified sharpness along the trajectory
//! (`--trace` with `sharpness_end`, `--certify-every K`, `--plot DIR`).
//!
//! Expected values come from other routes: β by hand from the printed θ, the Hessian by its
//! closed form (SPEC §1, §2) checked with the kernel's exact LDLᵀ (`common::psd`), and re-runs
//! of `gd --steps k` for the exact iterate θ_k.

use crate::common::{psd, run, temp_dir};
use dlncheck::numeric::rational::{Q, fmt_q, parse_q};
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use std::path::Path;

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn q(v: &serde_json::Value) -> Q {
    parse_q(
        v.as_str()
            .unwrap_or_else(|| panic!("a rational string, found {v}")),
    )
    .unwrap()
}

fn qs(v: &serde_json::Value) -> Vec<Q> {
    v.as_array().expect("a list").iter().map(q).collect()
}

fn qi(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// A 1-D `.npy` file of the given dtype ("<f8" or "<f4") written by hand (format version 1).
fn npy_vector(path: &Path, descr: &str, values: &[f64]) {
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        if descr == "<f4" {
            bytes.extend_from_slice(&(*v as f32).to_le_bytes());
        } else {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    std::fs::write(path, bytes).unwrap();
}

fn lambda_max(args: &[&str]) -> (String, String) {
    let v = json(args);
    (
        v["lambda_max"]["lo"].as_str().unwrap().to_string(),
        v["lambda_max"]["hi"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_theta_file_form_gives_the_comma_list_result() {
    let dir = temp_dir("theta-forms");
    let out = run(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/25",
        "--steps",
        "5000",
        "--json",
    ]);
    assert!(out.status.success());
    let gd_json = dir.join("run.json");
    std::fs::write(&gd_json, &out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let theta = qs(&v["final"]["theta"]);
    let list: Vec<String> = theta.iter().map(fmt_q).collect();
    // Every entry of a float run is a binary64 value: its f64 is exact.
    let floats: Vec<f64> = theta
        .iter()
        .map(dlncheck::numeric::scalar::q_to_f64)
        .collect();
    for (f, t) in floats.iter().zip(&theta) {
        assert_eq!(&Q::from_float(*f).unwrap(), t);
    }
    let text = dir.join("theta.txt");
    std::fs::write(
        &text,
        format!(
            "# the endpoint of gd --lr 1/25\n{}, {}\n\n{}\n",
            list[0], list[1], list[2]
        ),
    )
    .unwrap();
    let strings = dir.join("strings.json");
    std::fs::write(&strings, serde_json::to_string(&list).unwrap()).unwrap();
    let numbers = dir.join("numbers.json");
    std::fs::write(
        &numbers,
        format!("[{:?}, {:?}, {:?}]", floats[0], floats[1], floats[2]),
    )
    .unwrap();
    let npy = dir.join("theta.npy");
    npy_vector(&npy, "<f8", &floats);
    let reference = lambda_max(&[
        "sharpness",
        "--instance",
        "examples/eos.toml",
        "--theta",
        &list.join(","),
        "--json",
    ]);
    for file in [&text, &strings, &numbers, &npy, &gd_json] {
        let f = file.to_str().unwrap();
        assert_eq!(
            lambda_max(&[
                "sharpness",
                "--instance",
                "examples/eos.toml",
                "--theta",
                f,
                "--json"
            ]),
            reference,
            "{f}"
        );
        let a = json(&[
            "audit",
            "--instance",
            "examples/eos.toml",
            "--theta",
            f,
            "--json",
            "--precision",
            "f64",
        ]);
        let b = json(&[
            "audit",
            "--instance",
            "examples/eos.toml",
            "--theta",
            &list.join(","),
            "--json",
            "--precision",
            "f64",
        ]);
        assert_eq!(a["lambda_max"], b["lambda_max"], "{f}");
    }
    // float32: an f32 run's endpoint through a <f4 .npy is the exact f32 value.
    let v32 = json(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/25",
        "--steps",
        "2000",
        "--precision",
        "f32",
        "--json",
    ]);
    let t32 = qs(&v32["final"]["theta"]);
    let f32s: Vec<f64> = t32
        .iter()
        .map(dlncheck::numeric::scalar::q_to_f64)
        .collect();
    let npy32 = dir.join("theta32.npy");
    npy_vector(&npy32, "<f4", &f32s);
    let list32: Vec<String> = t32.iter().map(fmt_q).collect();
    assert_eq!(
        lambda_max(&[
            "sharpness",
            "--instance",
            "examples/eos.toml",
            "--theta",
            npy32.to_str().unwrap(),
            "--json"
        ]),
        lambda_max(&[
            "sharpness",
            "--instance",
            "examples/eos.toml",
            "--theta",
            &list32.join(","),
            "--json"
        ])
    );
}

#[test]
fn hand_made_hessian_matches_the_instance_route() {
    // examples/one-point-hessian.toml: x = (3, 1/2, −2), y = 1, at w = (1, 3/2, 1/4). By hand:
    // β = (1, 9/4, 1/16), r = 3 + 9/8 − 1/8 − 1 = 3, a = x⊙w = (3, 3/4, −1/2), and
    // H = 4aaᵀ + 2r·diag(x) = [[36+18, 9, −6], [9, 9/4+3, −3/2], [−6, −3/2, 1−12]].
    let dir = temp_dir("hand-hessian");
    let m = dir.join("hand.json");
    std::fs::write(
        &m,
        r#"{"matrix": [["54", "9", "-6"], ["9", "21/4", "-3/2"], ["-6", "-3/2", "-11"]]}"#,
    )
    .unwrap();
    let theta = dir.join("theta.txt");
    std::fs::write(&theta, "# w of my run\n1 3/2 1/4\n").unwrap();
    let a = json(&[
        "audit",
        "--matrix",
        m.to_str().unwrap(),
        "--json",
        "--precision",
        "f64",
    ]);
    let b = json(&[
        "audit",
        "--instance",
        "examples/one-point-hessian.toml",
        "--theta",
        theta.to_str().unwrap(),
        "--json",
        "--precision",
        "f64",
    ]);
    // The two routes (dense exact LDLᵀ for the file, the O(d) secular route for the instance)
    // give different certificates; both must enclose the same eigenvalues.
    let overlap = |e: &str| q(&a[e]["lo"]) <= q(&b[e]["hi"]) && q(&b[e]["lo"]) <= q(&a[e]["hi"]);
    assert!(overlap("lambda_max") && overlap("lambda_min"), "{a} vs {b}");
    let h: Vec<Vec<Q>> = [
        ["54", "9", "-6"],
        ["9", "21/4", "-3/2"],
        ["-6", "-3/2", "-11"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| parse_q(s).unwrap()).collect())
    .collect();
    assert_eq!(
        h,
        shared_hessian(
            &[vec![qi(3), Q::new(1.into(), 2.into()), qi(-2)]],
            &[qi(1)],
            &[
                qi(1),
                Q::new(3.into(), 2.into()),
                Q::new(1.into(), 4.into())
            ]
        )
    );
    assert_encloses_s(&h, &q(&b["lambda_max"]["lo"]), &q(&b["lambda_max"]["hi"]));
    assert_encloses_s(&h, &q(&a["lambda_max"]["lo"]), &q(&a["lambda_max"]["hi"]));
}

fn bad(args: &[&str], needles: &[&str]) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` missing from {err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_theta_files_fail_with_one_line_naming_file_and_entry() {
    let dir = temp_dir("theta-bad");
    let w = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let sharp = |t: &str| {
        vec![
            "sharpness".to_string(),
            "--instance".into(),
            "examples/eos.toml".into(),
            "--theta".into(),
            t.to_string(),
            "--json".into(),
        ]
    };
    let call = |a: Vec<String>, needles: &[&str]| {
        bad(&a.iter().map(String::as_str).collect::<Vec<_>>(), needles)
    };
    let missing = dir.join("nope.json");
    call(
        sharp(missing.to_str().unwrap()),
        &["nope.json", "no such file"],
    );
    let f = w("obj.json", "{\"theta\": [\"1\", \"2\", \"3\"]}");
    call(sharp(&f), &["obj.json", "final.theta"]);
    let f = w("null.json", "[\"1\", null, \"3\"]");
    call(sharp(&f), &["null.json", "theta[1]", "null"]);
    let f = w("bad.txt", "1 2\nx 3\n");
    call(sharp(&f), &["bad.txt", "theta[2]", "line 2"]);
    let f = w("short.txt", "1 2\n");
    call(sharp(&f), &["2 entries", "3 parameters"]);
    let f = w("empty.txt", "# nothing\n");
    call(sharp(&f), &["empty.txt", "no numbers"]);
    let npy = dir.join("m.npy");
    std::fs::write(&npy, b"not numpy").unwrap();
    call(sharp(npy.to_str().unwrap()), &["m.npy", "NUMPY"]);
    let a = [
        "audit",
        "--instance",
        "examples/eos.toml",
        "--theta",
        missing.to_str().unwrap(),
    ];
    bad(&a, &["nope.json", "no such file"]);
}

fn instance(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn gd_json_theta_blocks_reproduce_beta_exactly() {
    // shared: β_i = w_i² (docs/models.md), by hand from the printed w.
    let v = json(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/25",
        "--steps",
        "5000",
        "--json",
    ]);
    let f = &v["final"];
    let w = qs(&f["w"]);
    assert_eq!(w, qs(&f["theta"]));
    let by_hand: Vec<Q> = w.iter().map(|w| w * w).collect();
    assert_eq!(qs(&f["beta_exact"]), by_hand);
    assert!(f.get("u").is_none() && f.get("v").is_none());
    // uv: β = u⊙v; pm: β = u⊙u − v⊙v; θ = (u, v).
    let dir = temp_dir("theta-blocks");
    for (model, beta) in [
        ("uv", (|u: &Q, v: &Q| u * v) as fn(&Q, &Q) -> Q),
        ("pm", |u: &Q, v: &Q| u * u - v * v),
    ] {
        let file = instance(
            &dir,
            &format!("{model}.toml"),
            &format!(
                "model = \"{model}\"\nx = [\"2\", \"-1\"]\ny = \"3\"\n[init]\nalpha = \"1/4\"\n"
            ),
        );
        let v = json(&["gd", &file, "--lr", "1/20", "--steps", "3000", "--json"]);
        let f = &v["final"];
        let (u, vv, theta) = (qs(&f["u"]), qs(&f["v"]), qs(&f["theta"]));
        assert_eq!(u.len(), 2);
        assert_eq!(
            [u.clone(), vv.clone()].concat(),
            theta,
            "{model}: theta = (u, v)"
        );
        let by_hand: Vec<Q> = u.iter().zip(&vv).map(|(a, b)| beta(a, b)).collect();
        assert_eq!(qs(&f["beta_exact"]), by_hand, "{model}");
        assert!(f.get("w").is_none());
        // The printed decimal β is the exact β to the printed digits.
        for (b, p) in by_hand.iter().zip(f["beta"].as_array().unwrap()) {
            assert!(
                (b - q(p)).abs() <= Q::new(1.into(), 1_000_000_000_000i64.into()),
                "{model}: {b} vs {p}"
            );
        }
    }
}

/// The `shared` Hessian on n points by its closed form (SPEC §1, §2):
/// ∇²L = (1/n) Σ_j (4 a_j a_jᵀ + 2 r_j diag(x_j)), a_j = x_j ⊙ w, r_j = ⟨x_j, w⊙w⟩ − y_j.
fn shared_hessian(x: &[Vec<Q>], y: &[Q], w: &[Q]) -> Vec<Vec<Q>> {
    let d = w.len();
    let n = qi(x.len() as i64);
    let mut h = vec![vec![Q::zero(); d]; d];
    for (xj, yj) in x.iter().zip(y) {
        let r: Q = xj.iter().zip(w).map(|(a, b)| a * b * b).sum::<Q>() - yj;
        for a in 0..d {
            for b in 0..d {
                h[a][b] += qi(4) * &xj[a] * &w[a] * &xj[b] * &w[b] / &n;
            }
            h[a][a] += qi(2) * &r * &xj[a] / &n;
        }
    }
    h
}

fn shifted(h: &[Vec<Q>], t: &Q, sign: i64) -> Vec<Vec<Q>> {
    // t·I − sign·H
    (0..h.len())
        .map(|i| {
            (0..h.len())
                .map(|j| {
                    if i == j {
                        t - qi(sign) * &h[i][j]
                    } else {
                        -qi(sign) * &h[i][j]
                    }
                })
                .collect()
        })
        .collect()
}

/// lo ≤ max|λ(H)| ≤ hi, decided by the kernel's exact LDLᵀ: hi·I ∓ H ⪰ 0 and not both
/// lo'·I ∓ H ⪰ 0 for lo' slightly below lo.
fn assert_encloses_s(h: &[Vec<Q>], lo: &Q, hi: &Q) {
    assert!(
        psd(&shifted(h, hi, 1)).is_ok() && psd(&shifted(h, hi, -1)).is_ok(),
        "max|λ| ≤ {hi} fails"
    );
    let below = lo - lo.abs() * Q::new(1.into(), 1_000_000_000_000_000i64.into());
    assert!(
        psd(&shifted(h, &below, 1)).is_err() || psd(&shifted(h, &below, -1)).is_err(),
        "max|λ| ≥ {lo} fails"
    );
}

fn ten_points() -> (Vec<Vec<Q>>, Vec<Q>) {
    let inst =
        dlncheck::io::instance::read_instance(Path::new("examples/ten_points.toml")).unwrap();
    (inst.x, inst.y)
}

#[test]
fn ten_points_gd_converges_and_its_sharpness_is_certified() {
    let (x, y) = ten_points();
    assert_eq!(x.len(), 10);
    let v = json(&[
        "gd",
        "examples/ten_points.toml",
        "--lr",
        "1/36",
        "--steps",
        "20000",
        "--json",
        "--checks",
    ]);
    assert_eq!(v["n"], 10);
    assert_eq!(v["converged"], true, "{v}");
    let f = &v["final"];
    let w = qs(&f["w"]);
    // The loss by hand at the exact endpoint: (1/2n) Σ r_j², below the tolerance's (2^-40·max|y|)²/2.
    let loss: Q = x
        .iter()
        .zip(&y)
        .map(|(xj, yj)| xj.iter().zip(&w).map(|(a, b)| a * b * b).sum::<Q>() - yj)
        .map(|r| &r * &r)
        .sum::<Q>()
        / qi(20);
    assert!(
        loss < Q::new(1.into(), 1_000_000_000_000_000_000i128.into()),
        "loss {loss}"
    );
    assert_eq!(f["residuals"].as_array().unwrap().len(), 10);
    // C1 certifies S at the endpoint; the closed-form Hessian confirms the enclosure.
    let c1 = &v["checks"][0];
    assert_eq!(c1["check"], "C1");
    assert_eq!(c1["status"], "pass", "{c1}");
    let (lo, hi) = (q(&c1["enclosure"]["lo"]), q(&c1["enclosure"]["hi"]));
    let h = shared_hessian(&x, &y, &w);
    assert_encloses_s(&h, &lo, &hi);
    // The float S (binary64 dense eigen-solve) is close; near a minimum it is λ_max, below 2/η.
    let s = q(&f["sharpness"]);
    assert!(
        (&s - &lo).abs() <= &hi * Q::new(1.into(), 1_000_000_000i64.into()),
        "float S {s} vs [{lo}, {hi}]"
    );
    assert_eq!(f["sharpness_end"], "top");
    assert!(hi < qi(72), "S ≤ 2/η = 72 at a stable endpoint");
    assert_eq!(v["checks"][1]["status"], "n/a");
    assert_eq!(v["checks"][2]["status"], "n/a");
}

#[test]
fn one_point_commands_refuse_several_points_in_one_line() {
    // (`gd --certify` and `sweep --certify` take n > 1 since SPEC §5.3: certified_gd_points.rs.)
    let dir = temp_dir("one-point-commands-n10");
    bad(
        &[
            "gd",
            "examples/ten_points.toml",
            "--lr",
            "1/36",
            "--steps",
            "10",
            "--certify-every",
            "5",
        ],
        &["--certify-every", "--trace"],
    );
    bad(
        &[
            "gd",
            "examples/ten_points.toml",
            "--lr",
            "1/36",
            "--steps",
            "10",
            "--certify-every",
            "0",
            "--trace",
            dir.join("t.csv").to_str().unwrap(),
        ],
        &["--certify-every"],
    );
}

#[test]
fn sweep_runs_on_ten_points_with_c1() {
    let dir = temp_dir("sweep-n10");
    let v = json(&[
        "sweep",
        "examples/ten_points.toml",
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/36",
        "--points",
        "3",
        "--steps",
        "20000",
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["checks"][0]["check"], "C1");
    assert_eq!(v["checks"][0]["status"], "pass", "{v}");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(r[col("converged")], "true");
        let (eta, s) = (
            parse_q(r[col("lr")]).unwrap(),
            parse_q(r[col("sharpness")]).unwrap(),
        );
        assert!(s <= qi(2) / eta, "S ≤ 2/η");
    }
    assert!(dir.join("sharpness.svg").exists() && dir.join("sharpness.png").exists());
}

/// The exact iterate θ_k: a re-run of the same GD for k steps (deterministic, bit for bit).
fn iterate(file: &str, lr: &str, k: u64) -> Vec<Q> {
    let v = json(&[
        "gd",
        file,
        "--lr",
        lr,
        "--steps",
        &k.to_string(),
        "--tol",
        "0",
        "--json",
    ]);
    assert_eq!(v["steps"], k);
    qs(&v["final"]["theta"])
}

#[test]
fn trace_certified_intervals_contain_the_exact_sharpness() {
    let dir = temp_dir("trace-certified");
    let trace = dir.join("t.csv");
    let v = json(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/25",
        "--steps",
        "120",
        "--tol",
        "0",
        "--trace",
        trace.to_str().unwrap(),
        "--certify-every",
        "40",
        "--json",
    ]);
    let csv = std::fs::read_to_string(&trace).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[header.len() - 3..],
        ["sharpness_end", "certified_lo", "certified_hi"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 121);
    let t = v["trajectory"].as_array().unwrap();
    assert_eq!(
        t.iter()
            .map(|c| c["step"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [0, 40, 80, 120]
    );
    let x = vec![vec![qi(3), Q::new(1.into(), 2.into()), qi(2)]];
    let y = vec![qi(5)];
    for r in &rows {
        let step: u64 = r[0].parse().unwrap();
        assert!(["top", "bottom"].contains(&r[header.len() - 3]));
        let certified = !r[header.len() - 2].is_empty();
        assert_eq!(certified, step.is_multiple_of(40), "step {step}");
        if certified {
            let c = t.iter().find(|c| c["step"] == step).unwrap();
            let (lo, hi) = (q(&c["certified"]["lo"]), q(&c["certified"]["hi"]));
            // The CSV decimals are rounded outward around the exact ends.
            assert!(
                parse_q(r[header.len() - 2]).unwrap() <= lo
                    && parse_q(r[header.len() - 1]).unwrap() >= hi
            );
            let theta = if step == 0 {
                vec![Q::new(1.into(), 10.into()); 3]
            } else {
                iterate("examples/eos.toml", "1/25", step)
            };
            assert_encloses_s(&shared_hessian(&x, &y, &theta), &lo, &hi);
            let s = parse_q(r[2]).unwrap();
            assert!(
                (&s - &lo).abs() <= &hi * Q::new(1.into(), 1_000_000_000i64.into()),
                "step {step}: float S {s} vs [{lo}, {hi}]"
            );
        }
    }
}

#[test]
fn ten_points_json_trace_and_plot() {
    let dir = temp_dir("trace-plot-n10");
    let trace = dir.join("t.json");
    let plot = dir.join("plot");
    let v = json(&[
        "gd",
        "examples/ten_points.toml",
        "--lr",
        "1/36",
        "--steps",
        "300",
        "--tol",
        "0",
        "--trace",
        trace.to_str().unwrap(),
        "--certify-every",
        "150",
        "--plot",
        plot.to_str().unwrap(),
        "--json",
    ]);
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    assert_eq!(rows.len(), 301);
    let (x, y) = ten_points();
    for r in rows.iter().filter(|r| r.get("certified").is_some()) {
        let step = r["step"].as_u64().unwrap();
        assert!(step.is_multiple_of(150));
        let (lo, hi) = (q(&r["certified"]["lo"]), q(&r["certified"]["hi"]));
        let theta = if step == 0 {
            vec![Q::new(1.into(), 2.into()); 12]
        } else {
            iterate("examples/ten_points.toml", "1/36", step)
        };
        assert_encloses_s(&shared_hessian(&x, &y, &theta), &lo, &hi);
        let s = q(&r["sharpness"]);
        assert!(
            (&s - &lo).abs() <= &hi * Q::new(1.into(), 1_000_000i64.into()),
            "step {step}: float S {s} vs [{lo}, {hi}]"
        );
    }
    assert_eq!(
        rows.iter().filter(|r| r.get("certified").is_some()).count(),
        3
    );
    assert_eq!(v["trajectory"].as_array().unwrap().len(), 3);
    let svg = std::fs::read_to_string(plot.join("sharpness_trajectory.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("2/lr") && svg.contains("certified S"));
    let png = std::fs::read(plot.join("sharpness_trajectory.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Text θ files: any separators (commas, spaces, newlines, comments) give the same list.
    #[test]
    fn text_theta_separators_do_not_matter(v in proptest::collection::vec((-1000i64..1000, 1i64..50), 1..12), seps in proptest::collection::vec(0usize..4, 12)) {
        let theta: Vec<Q> = v.iter().map(|(n, d)| Q::new((*n).into(), (*d).into())).collect();
        let mut text = String::new();
        for (i, t) in theta.iter().enumerate() {
            text += &fmt_q(t);
            text += [",", " ", "\n", " # note\n"][seps[i]];
        }
        prop_assert_eq!(dlncheck::io::theta::parse_text("t.txt", &text).unwrap(), theta.clone());
        let list: Vec<String> = theta.iter().map(fmt_q).collect();
        prop_assert_eq!(dlncheck::io::theta::parse_list(&list.join(",")).unwrap(), theta);
    }

    /// A JSON float in a `--theta` list is the binary64 value its decimal text denotes, correctly
    /// rounded (Rust's `str::parse::<f64>` is the independent route), also for 25-digit decimals
    /// that a best-effort float parser may round the other way; integers are exact.
    #[test]
    fn json_floats_in_theta_are_the_correctly_rounded_binary64(digits in proptest::collection::vec(("[1-9][0-9]{0,24}", -30i32..30), 1..8), big in 1u64..u64::MAX) {
        let texts: Vec<String> = digits.iter().map(|(m, e)| format!("{}.{}e{e}", &m[..1], if m.len() > 1 { &m[1..] } else { "0" })).collect();
        let dir = temp_dir("json-theta-prop");
        let p = dir.join("theta.json");
        std::fs::write(&p, format!("[{}, {big}]", texts.join(", "))).unwrap();
        let back = dlncheck::io::theta::parse_theta(p.to_str().unwrap()).unwrap();
        let mut want: Vec<Q> = texts.iter().map(|t| Q::from_float(t.parse::<f64>().unwrap()).unwrap()).collect();
        want.push(Q::from_integer(big.into()));
        prop_assert_eq!(back, want);
    }

    /// `.npy` vectors: every binary64 value comes back exactly.
    #[test]
    fn npy_vectors_are_exact(v in proptest::collection::vec(-1e6f64..1e6, 1..20)) {
        let dir = temp_dir("npy-prop");
        let p = dir.join("v.npy");
        npy_vector(&p, "<f8", &v);
        let back = dlncheck::io::theta::parse_theta(p.to_str().unwrap()).unwrap();
        prop_assert_eq!(back, v.iter().map(|x| Q::from_float(*x).unwrap()).collect::<Vec<_>>());
    }
}
