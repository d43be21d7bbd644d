//! The report layer (issue 25 items 1 and 8): the library computes each command's result and
//! the CLI only prints it; progress goes through an observer; `sharpness --symmetrize`; the
//! closed-form `uv` thresholds of `sweep`.

use crate::common::{nonzero_q, run, temp_dir};
use dlncheck::io::instance::{Tree, parse_instance};
use dlncheck::numeric::rational::{Q, abs, fmt_q};
use dlncheck::report::Observer;
use proptest::prelude::*;
use std::path::Path;
use std::sync::Mutex;

/// A one-point instance {model, x, y}.
fn instance(model: &str, x: &[Q], y: &Q) -> dlncheck::io::instance::Instance {
    let tree = Tree::Table(vec![
        ("model".into(), Tree::Str(model.into())),
        (
            "x".into(),
            Tree::List(x.iter().map(|q| Tree::Str(fmt_q(q))).collect()),
        ),
        ("y".into(), Tree::Str(fmt_q(y))),
    ]);
    parse_instance("test", &tree).expect("a valid instance")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// uv: on the balanced zero-loss points S = 2Σx_i²|β_i| and N = 2Σ|β_i|; the min-norm point
    /// carries y on a coordinate of largest |x_k| (β_k = y/x_k), so S(β_norm) = 2|y|·max|x_i|
    /// and η_norm = 1/(|y| max|x_i|); inf S = 2|y| min_{x_i≠0}|x_i| gives η_max (derived here
    /// by hand, not by the solver).
    #[test]
    fn uv_thresholds_are_the_closed_forms(
        x in proptest::collection::vec(nonzero_q(9, 4), 1..6),
        y in nonzero_q(9, 4),
    ) {
        let inst = instance("uv", &x, &y);
        let t = dlncheck::report::sweep::thresholds(&inst, true)
            .expect("thresholds")
            .expect("uv one-point has closed forms");
        let max = x.iter().map(abs).max().unwrap();
        let min = x.iter().map(abs).min().unwrap();
        let one = Q::from_integer(1.into());
        prop_assert_eq!(t.eta_norm, &one / (abs(&y) * max));
        prop_assert_eq!(t.eta_max, &one / (abs(&y) * min));
    }
}

/// pm and n > 1 points get no thresholds from the sweep's closed forms.
#[test]
fn thresholds_are_absent_without_a_closed_form() {
    let q = |n: i64| Q::from_integer(n.into());
    let inst = instance("pm", &[q(1), q(2)], &q(1));
    assert!(
        dlncheck::report::sweep::thresholds(&inst, true)
            .unwrap()
            .is_none()
    );
    let inst = instance("uv", &[q(1), q(2)], &q(1));
    assert!(
        dlncheck::report::sweep::thresholds(&inst, false)
            .unwrap()
            .is_none()
    );
}

/// `sweep --json` on a one-point uv instance prints the thresholds (x = (3, −1, 1/2), y = 2:
/// η_norm = 1/(2·3), η_max = 1/(2·1/2)).
#[test]
fn sweep_prints_uv_thresholds() {
    let dir = temp_dir("report-sweep-uv");
    let file = dir.join("uv.toml");
    std::fs::write(
        &file,
        "model = \"uv\"\nx = [\"3\", \"-1\", \"1/2\"]\ny = \"2\"\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = run(&[
        "sweep",
        file.to_str().unwrap(),
        "--lr-from",
        "0.01",
        "--lr-to",
        "0.1",
        "--points",
        "2",
        "--steps",
        "200",
        "--out",
        out_dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["thresholds"]["eta_norm"], "1/6");
    assert_eq!(v["thresholds"]["eta_max"], "1");
}

/// Writes `{"matrix": rows}` to `name` in `dir`.
fn matrix_file(dir: &Path, name: &str, rows: &[[&str; 3]]) -> String {
    let text = serde_json::json!({ "matrix": rows }).to_string();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `sharpness --symmetrize` certifies (H + Hᵀ)/2: the same enclosures as `sharpness` on the
/// matrix averaged by hand, and it reports the largest asymmetry removed.
#[test]
fn sharpness_symmetrize_certifies_the_averaged_matrix() {
    let dir = temp_dir("report-symmetrize");
    let asym = matrix_file(
        &dir,
        "asym.json",
        &[["2", "1", "0"], ["3/2", "5", "1/3"], ["0", "1/3", "-1"]],
    );
    // (1 + 3/2)/2 = 5/4, by hand.
    let sym = matrix_file(
        &dir,
        "sym.json",
        &[["2", "5/4", "0"], ["5/4", "5", "1/3"], ["0", "1/3", "-1"]],
    );
    let a = run(&["sharpness", "--matrix", &asym, "--symmetrize", "--json"]);
    let s = run(&["sharpness", "--matrix", &sym, "--json"]);
    assert_eq!(a.status.code(), Some(0), "{a:?}");
    let a: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let s: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    for end in ["lambda_max", "lambda_min", "spectral_norm"] {
        assert_eq!(a[end], s[end], "{end}");
    }
    assert_eq!(a["symmetrized"]["max_asymmetry"], "1/2");
    assert_eq!(a["symmetrized"]["at"], serde_json::json!([1, 0]));
    assert!(s.get("symmetrized").is_none(), "absent without the flag");
}

/// Without `--symmetrize` a non-symmetric matrix is one line on stderr and exit 2 (the message
/// is the one the Python package raises too, so it does not name the CLI flag).
#[test]
fn sharpness_without_symmetrize_refuses_an_asymmetric_matrix() {
    let dir = temp_dir("report-asym");
    let asym = matrix_file(
        &dir,
        "asym.json",
        &[["2", "1", "0"], ["3/2", "5", "0"], ["0", "0", "1"]],
    );
    let out = run(&["sharpness", "--matrix", &asym, "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("not symmetric: entry [1][0]"), "{err}");
}

/// An observer that records what it hears.
#[derive(Default)]
struct Record(Mutex<Vec<String>>);

impl Observer for Record {
    fn start(&self, len: u64, what: &str) {
        self.0.lock().unwrap().push(format!("start {len} {what}"));
    }
    fn advance(&self, n: u64) {
        self.0.lock().unwrap().push(format!("advance {n}"));
    }
    fn at(&self, k: u64) {
        self.0.lock().unwrap().push(format!("at {k}"));
    }
    fn message(&self, what: &str) {
        self.0.lock().unwrap().push(format!("message {what}"));
    }
    fn finish(&self) {
        self.0.lock().unwrap().push("finish".into());
    }
    fn note(&self, line: &str) {
        self.0.lock().unwrap().push(format!("note {line}"));
    }
}

/// `gd` tells its observer the step count, where it is, and that it finished; the positions
/// never go back and never pass the step limit.
#[test]
fn gd_reports_progress_to_its_observer() {
    let q = |n: i64, d: i64| Q::new(n.into(), d.into());
    let inst = instance("shared", &[q(1, 1), q(2, 1)], &q(1, 1));
    let opts = dlncheck::report::gd::RunOptions {
        lr: "1/10",
        steps: Some(50),
        precision: "f64",
        tol: Some("0"),
        certify: false,
        bits: None,
        checks: false,
        record: false,
        claim: false,
        certify_every: None,
        batch: None,
        seed: None,
        replacement: false,
    };
    let rec = Record::default();
    let ev = dlncheck::report::gd::evaluate(&inst, Path::new("test"), &opts, &rec).unwrap();
    let log = rec.0.into_inner().unwrap();
    assert_eq!(log.first().map(String::as_str), Some("start 50 gd"));
    assert_eq!(log.last().map(String::as_str), Some("finish"));
    let at: Vec<u64> = log
        .iter()
        .filter_map(|l| l.strip_prefix("at ")?.parse().ok())
        .collect();
    assert!(!at.is_empty(), "positions reported");
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
    assert!(at.iter().all(|k| *k <= 50));
    assert_eq!(ev.json["max_steps"], 50);
}

/// A batch of matrices tells the observer one unit per matrix.
#[test]
fn sharpness_batch_reports_one_unit_per_matrix() {
    let dir = temp_dir("report-batch");
    let f64s = |m: &[f64]| -> Vec<u8> {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((h.len() as u16).to_le_bytes());
        out.extend(h.as_bytes());
        for x in m {
            out.extend(x.to_le_bytes());
        }
        out
    };
    let npz = crate::common::zip(&[
        ("a.npy", f64s(&[2.0, 1.0, 1.0, 3.0])),
        ("b.npy", f64s(&[1.0, 0.0, 0.0, -1.0])),
        ("c.npy", f64s(&[4.0, 0.5, 0.5, 4.0])),
    ]);
    let path = dir.join("three.npz");
    std::fs::write(&path, npz).unwrap();
    let rec = Record::default();
    let r = dlncheck::report::sharpness::matrices(&path, "1e-12", false, false, &rec).unwrap();
    let log = rec.0.into_inner().unwrap();
    assert_eq!(log.iter().filter(|l| *l == "advance 1").count(), 3);
    assert_eq!(log.first().map(String::as_str), Some("start 3 "));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["checkpoints"].as_array().map(Vec::len), Some(3));
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `cli` is a leaf: no library module, bench, Python bridge or test imports it (except the
/// two commands others are moving: check and coq), and only `src/cli/` names indicatif.
#[test]
fn cli_is_a_leaf_and_alone_draws_progress_bars() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["src", "benches", "python/src", "tests"] {
        rust_files(&root.join(d), &mut files);
    }
    let this = root.join("tests/suite/report.rs");
    let mut bad = Vec::new();
    for f in files.iter().filter(|f| **f != this) {
        let rel = f.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        let in_cli = rel.starts_with("src/cli/");
        if !in_cli && text.contains("indicatif") {
            bad.push(format!("{rel} names indicatif"));
        }
        if in_cli || rel == "src/main.rs" || rel == "src/lib.rs" {
            continue;
        }
        for line in text.lines() {
            let uses = line.contains("dlncheck::cli::") || line.contains("crate::cli::");
            // The layout test's own example strings are not imports.
            if uses && !line.trim_start().starts_with("imports(") {
                bad.push(format!("{rel}: {}", line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// A check that does not apply has no margin key (absent, never null).
#[test]
fn a_check_that_does_not_apply_has_no_margin() {
    let q = |n: i64| Q::from_integer(n.into());
    let inst = instance("shared", &[q(1), q(2)], &q(1));
    let opts = dlncheck::report::gd::RunOptions {
        lr: "1/100",
        steps: Some(2),
        precision: "f64",
        tol: Some("0"),
        certify: false,
        bits: None,
        checks: true,
        record: false,
        claim: false,
        certify_every: None,
        batch: None,
        seed: None,
        replacement: false,
    };
    let ev = dlncheck::report::gd::evaluate(&inst, Path::new("t"), &opts, &dlncheck::report::Quiet)
        .unwrap();
    let c1 = &ev.json["checks"][0];
    assert_eq!(c1["check"], "C1");
    assert_eq!(c1["status"], "n/a", "two steps do not converge: {c1}");
    assert!(c1.get("margin").is_none(), "{c1}");
    let text = serde_json::to_string(&ev.json).unwrap();
    assert!(!text.contains("null"), "{text}");
}
