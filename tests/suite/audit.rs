//! `dlncheck audit` through the real binary, on matrices with hand-known spectra.

use serde_json::Value;
use std::process::Command;

fn tmp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dlncheck-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn audit(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .arg("audit")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn estimators_find_both_ends_and_are_accurate() {
    // [[−1,4],[4,−1]]: λ = 3 and −5; power iteration finds −5 (largest magnitude).
    let p = tmp("m.json", r#"{"matrix": [["-1", "4"], ["4", "-1"]]}"#);
    let v = audit(&["--matrix", p.to_str().unwrap()]);
    let rows = v["estimates"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for r in rows {
        let want = if r["end"] == "lambda_max" { 3.0 } else { -5.0 };
        let tol = if r["precision"] == "f32" { 1e-5 } else { 1e-12 };
        assert!((r["estimate"].as_f64().unwrap() - want).abs() < tol, "{r}");
        assert!(r["abs_error"]["hi"].as_f64().unwrap() < tol);
    }
    let power64 = rows
        .iter()
        .find(|r| r["method"] == "power" && r["precision"] == "f64")
        .unwrap();
    assert_eq!(power64["end"], "lambda_min");
}

#[test]
fn an_exact_outside_estimate_is_inside_with_zero_error() {
    let p = tmp("two.json", r#"{"matrix": [["2", "1"], ["1", "2"]]}"#);
    let v = audit(&["--matrix", p.to_str().unwrap(), "--estimate", "3"]);
    let r = &v["estimates"][0];
    assert_eq!(r["inside"], true);
    assert_eq!(r["abs_error"]["lo"].as_f64(), Some(0.0));
    assert!(r["abs_error"]["hi"].as_f64().unwrap() < 1e-19);
    // 3.5 is 0.5 away, i.e. 0.5 / 2^-51 = 2^50 ulps of f64 at 3.5.
    let v = audit(&["--matrix", p.to_str().unwrap(), "--estimate", "3.5"]);
    let r = &v["estimates"][0];
    assert_eq!(r["inside"], false);
    assert!((r["ulp_error"]["lo"].as_f64().unwrap() - 2f64.powi(50)).abs() < 1.0);
    assert!((r["rel_error"]["lo"].as_f64().unwrap() - 0.5 / 3.0).abs() < 1e-12);
}

#[test]
fn network_hessian_by_hvp_matches_the_closed_form() {
    // shared, n = 1 at a zero-loss point: H = 4 a aᵀ with a = x ⊙ w, so λ_max = 4‖a‖².
    // x = (1, 2), y = 3, w = (1, 1): ⟨x, w⊙w⟩ = 3, a = (1, 2), λ_max = 20.
    let p = tmp(
        "i.toml",
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"3\"\n",
    );
    let v = audit(&[
        "--instance",
        p.to_str().unwrap(),
        "--theta",
        "1,1",
        "--precision",
        "f64",
    ]);
    assert_eq!(v["lambda_max"]["lo"], "20");
    assert_eq!(v["lambda_max"]["hi"], "20");
    for r in v["estimates"].as_array().unwrap() {
        let want = if r["end"] == "lambda_max" { 20.0 } else { 0.0 };
        assert!(
            (r["estimate"].as_f64().unwrap() - want).abs() < 1e-12,
            "{r}"
        );
    }
}

#[test]
fn bad_theta_is_a_usage_error() {
    let p = tmp(
        "j.toml",
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"3\"\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args([
            "audit",
            "--instance",
            p.to_str().unwrap(),
            "--theta",
            "1,1,1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--theta has 3 entries"));
}
