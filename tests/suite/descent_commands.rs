//! The real `dlncheck` binary on real files: `gd` and `sweep` (SPEC §7), bad input, and the
//! labels of float evidence.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dlncheck"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlncheck-gd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn gd_json_has_the_spec_fields_and_closed_form_sharpness() {
    let v = json(&run(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/100",
        "--steps",
        "5000",
        "--json",
    ]));
    assert_eq!(v["converged"], true);
    assert_eq!(v["diverged"], false);
    assert!(v["steps"].as_u64().expect("steps") > 0);
    let f = &v["final"];
    let parse = |k: &str| {
        dlncheck::numeric::rational::parse_q(f[k].as_str().expect("string")).expect("decimal")
    };
    let beta: Vec<dlncheck::numeric::rational::Q> = f["beta"]
        .as_array()
        .expect("beta")
        .iter()
        .map(|b| dlncheck::numeric::rational::parse_q(b.as_str().expect("s")).expect("q"))
        .collect();
    // At (numerically) zero loss, S = 4Σx_i²β_i and N = Σβ_i (SPEC §2), x = (3, 1/2, 2).
    let x = [
        dlncheck::numeric::scalar::qi(3),
        dlncheck::numeric::scalar::qf(1, 2),
        dlncheck::numeric::scalar::qi(2),
    ];
    let s_closed: dlncheck::numeric::rational::Q = x
        .iter()
        .zip(&beta)
        .map(|(x, b)| dlncheck::numeric::scalar::qi(4) * x * x * b)
        .sum();
    let n_closed: dlncheck::numeric::rational::Q = beta.iter().sum();
    let rel = |a: &dlncheck::numeric::rational::Q, b: &dlncheck::numeric::rational::Q| {
        dlncheck::numeric::scalar::q_to_f64(&((a - b) / b)).abs()
    };
    assert!(rel(&parse("sharpness"), &s_closed) < 1e-9);
    assert!(rel(&parse("norm"), &n_closed) < 1e-12);
    assert!(dlncheck::numeric::scalar::q_to_f64(&parse("loss")) < 1e-20);
}

#[test]
fn gd_reports_divergence_without_nan() {
    let out = run(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1",
        "--steps",
        "1000",
        "--precision",
        "f32",
        "--json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let v = json(&out);
    assert_eq!(v["diverged"], true);
    assert_eq!(v["converged"], false);
    assert!(
        !text.to_lowercase().contains("nan") && !text.contains("inf"),
        "{text}"
    );
}

#[test]
fn gd_exact_and_bigfloat_runs_and_trace() {
    let dir = tmp("trace");
    let trace = dir.join("t.csv");
    let v = json(&run(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/50",
        "--steps",
        "4",
        "--precision",
        "exact",
        "--json",
        "--trace",
        trace.to_str().expect("utf8"),
    ]));
    assert_eq!(v["steps"], 4);
    let csv = std::fs::read_to_string(&trace).expect("trace");
    assert!(
        csv.starts_with("step,loss,sharpness,norm,beta_0,beta_1,beta_2,sharpness_end\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 6, "header + steps 0..=4");
    let v = json(&run(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/50",
        "--steps",
        "3000",
        "--precision",
        "256",
        "--json",
    ]));
    assert_eq!(v["converged"], true);
}

fn bad(args: &[&str], needle: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let f = "examples/eos.toml";
    bad(
        &["gd", f, "--lr", "0", "--steps", "10"],
        "--lr: learning rate must be > 0",
    );
    bad(
        &["gd", f, "--lr", "-1/10", "--steps", "10"],
        "--lr: learning rate must be > 0",
    );
    bad(&["gd", f, "--lr", "nan", "--steps", "10"], "--lr:");
    bad(&["gd", f, "--lr", "inf", "--steps", "10"], "--lr:");
    bad(
        &["gd", f, "--lr", "0.1", "--steps", "0"],
        "--steps must be at least 1",
    );
    bad(
        &["gd", f, "--lr", "0.1", "--steps", "10", "--precision", "3"],
        "--precision: 3 bits is out of range",
    );
    bad(
        &[
            "gd",
            f,
            "--lr",
            "0.1",
            "--steps",
            "10",
            "--precision",
            "f16",
        ],
        "--precision:",
    );
    bad(
        &[
            "gd",
            f,
            "--lr",
            "0.1",
            "--steps",
            "50",
            "--precision",
            "exact",
        ],
        "at most 6 exact steps",
    );
    let dir = tmp("bad");
    let zero = dir.join("zero.toml");
    std::fs::write(
        &zero,
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"1\"\n[init]\ntheta = [\"1\", \"0\"]\n",
    )
    .expect("write");
    bad(
        &[
            "gd",
            zero.to_str().expect("utf8"),
            "--lr",
            "0.1",
            "--steps",
            "10",
        ],
        "field `init.theta[1]`: zero entry",
    );
    let out = dir.join("out");
    bad(
        &[
            "sweep",
            f,
            "--lr-from",
            "0.2",
            "--lr-to",
            "0.1",
            "--points",
            "3",
            "--out",
            out.to_str().expect("utf8"),
        ],
        "--lr-to must be ≥ --lr-from",
    );
    bad(
        &[
            "sweep",
            f,
            "--lr-from",
            "0.1",
            "--lr-to",
            "0.2",
            "--points",
            "0",
            "--out",
            out.to_str().expect("utf8"),
        ],
        "--points",
    );
    assert!(!out.join("sweep.csv").exists(), "no output on bad input");
}

fn no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("dir") {
        let name = e.expect("entry").file_name().to_string_lossy().to_string();
        assert!(!name.starts_with('.'), "temporary file left: {name}");
    }
}

#[test]
fn sweep_writes_csv_json_plots_and_labels_c5_as_float_evidence() {
    let dir = tmp("sweep");
    let out = dir.join("out");
    let o = run(&[
        "sweep",
        "examples/eos.toml",
        "--lr-from",
        "0.005",
        "--lr-to",
        "0.06",
        "--points",
        "12",
        "--log",
        "--steps",
        "20000",
        "--out",
        out.to_str().expect("utf8"),
        "--json",
    ]);
    let v = json(&o);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("csv");
    let header = csv.lines().next().expect("header");
    assert!(
        header.starts_with("lr,converged,diverged,steps,norm,sharpness,loss,gen_error"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 13);
    for stem in ["sharpness", "norm", "gen_error"] {
        for ext in ["svg", "png"] {
            let p = out.join(format!("{stem}.{ext}"));
            assert!(
                std::fs::metadata(&p).expect("plot").len() > 1000,
                "{}",
                p.display()
            );
        }
    }
    let svg = std::fs::read_to_string(out.join("sharpness.svg")).expect("svg");
    assert!(
        svg.contains("learning rate") && svg.contains("2/eta"),
        "axis and legend text"
    );
    no_temp_files(&out);
    // C5 is a float observation of the GD learner (one run per atom's label), never a verdict
    // that claims a certificate; the sweep writes no claim file.
    let checks = v["checks"].as_array().expect("checks");
    let c5 = checks.iter().find(|c| c["check"] == "C5").expect("C5");
    assert!(
        c5["detail"]
            .as_str()
            .expect("detail")
            .contains("not a certificate"),
        "{c5}"
    );
    assert!(v.get("witness").is_none());
}

/// `sweep.csv`'s `beta_l1` and `sweep.json`'s β are the endpoint's ‖β‖₁ and β: checked against
/// `gd --json` at the same rate, whose exact β is summed here (‖β‖₁ = Σ|β_i|, by hand).
#[test]
fn sweep_reports_beta_and_its_l1_norm_per_rate() {
    let out = tmp("sweep-beta");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/uv-zero-start.toml");
    let o = run(&[
        "sweep",
        file,
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/20",
        "--points",
        "2",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "beta_l1")
        .expect("a beta_l1 column");
    let first: Vec<&str> = csv.lines().nth(1).expect("a row").split(',').collect();
    let l1_csv: f64 = first[col].parse().expect("a number");
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).expect("json"))
            .expect("json");
    let beta_json: Vec<f64> = sweep["rows"][0]["beta"]
        .as_array()
        .expect("beta per rate")
        .iter()
        .map(|b| b.as_str().expect("string").parse().expect("number"))
        .collect();
    let gd = json(&run(&[
        "gd", file, "--lr", "1/100", "--steps", "10000", "--json",
    ]));
    let exact: Vec<dlncheck::numeric::rational::Q> = gd["final"]["beta_exact"]
        .as_array()
        .expect("beta_exact")
        .iter()
        .map(|b| dlncheck::numeric::rational::parse_q(b.as_str().expect("str")).expect("q"))
        .collect();
    let l1: f64 = exact
        .iter()
        .map(|b| dlncheck::numeric::scalar::q_to_f64(&num_traits::Signed::abs(b)))
        .sum();
    assert!((l1 - l1_csv).abs() <= 1e-14 * l1, "{l1} vs {l1_csv}");
    for (b, q) in beta_json.iter().zip(&exact) {
        let q = dlncheck::numeric::scalar::q_to_f64(q);
        assert!((b - q).abs() <= 1e-14 * q.abs().max(1e-300), "{b} vs {q}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
