//! `audit` judging many estimates through the real binary: one enclosure judging
//! many estimates, the O(d) secular route for one-point `shared` Hessians cross-checked against
//! the dense route, honest labels (certified `interior`), clear errors for absurd estimates, and
//! exported Hessians (`--symmetrize`, JSON floats, the rounding-scale warning, `.npz` batches).
//! Expected values are derived by hand in each test (eigenvalues of diagonal matrices and of
//! [[a, b], [b, a]], which are a ± b), or come from the dense exact route.

use crate::common::{run, temp_dir, zip};
use dlncheck::numeric::rational::{Q, parse_q};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn q(s: &str) -> Q {
    parse_q(s).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `audit ARGS --json`, which must succeed.
fn audit(args: &[&str]) -> Value {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = run(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `audit ARGS`, which must fail with exit 2 and a one-line message on stderr and nothing on
/// stdout; returns the message.
fn audit_error(args: &[&str]) -> String {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?}: half an output: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("panick"), "{err}");
    err
}

fn encl(v: &Value, end: &str) -> (Q, Q) {
    (
        q(v[end]["lo"].as_str().unwrap()),
        q(v[end]["hi"].as_str().unwrap()),
    )
}

fn by_name<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no estimate {name} in {v}"))
}

/// A float64 or float32 `.npy` (C order).
fn npy(m: &[Vec<f64>], f32s: bool) -> Vec<u8> {
    let descr = if f32s { "<f4" } else { "<f8" };
    let header = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({}, {}), }}\n",
        m.len(),
        m[0].len()
    );
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in m.iter().flatten() {
        if f32s {
            out.extend_from_slice(&(*x as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

fn pow2(k: i32) -> Q {
    let p = Q::from_integer(num_bigint::BigInt::one() << k.unsigned_abs() as usize);
    if k >= 0 { p } else { p.recip() }
}

/// The `shared` one-point Hessian 2r·diag(x) + 4aaᵀ, r = ⟨x, w⊙w⟩ − y, a = x ⊙ w, by hand.
fn shared_hessian(x: &[Q], y: &Q, w: &[Q]) -> Vec<Vec<Q>> {
    let r: Q = x.iter().zip(w).map(|(xi, wi)| xi * wi * wi).sum::<Q>() - y;
    let a: Vec<Q> = x.iter().zip(w).map(|(xi, wi)| xi * wi).collect();
    let n = x.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    Q::from_integer(4.into()) * &a[i] * &a[j]
                        + if i == j {
                            Q::from_integer(2.into()) * &r * &x[i]
                        } else {
                            Q::zero()
                        }
                })
                .collect()
        })
        .collect()
}

fn matrix_json(m: &[Vec<Q>]) -> String {
    let rows: Vec<String> = m
        .iter()
        .map(|r| {
            format!(
                "[{}]",
                r.iter()
                    .map(|x| format!("\"{}\"", dlncheck::numeric::rational::fmt_q(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!("{{\"matrix\": [{}]}}", rows.join(", "))
}

fn instance_toml(x: &[Q], y: &Q) -> String {
    let xs: Vec<String> = x
        .iter()
        .map(|v| format!("\"{}\"", dlncheck::numeric::rational::fmt_q(v)))
        .collect();
    format!(
        "model = \"shared\"\nx = [{}]\ny = \"{}\"\n",
        xs.join(", "),
        dlncheck::numeric::rational::fmt_q(y)
    )
}

fn overlap(a: &(Q, Q), b: &(Q, Q)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[test]
fn the_secular_route_agrees_with_the_dense_route() {
    // x = (3, 1/2, −2, 1), y = 1, w = (1, 1/2, 2, −1/3): away from the zero-loss manifold, so
    // the Hessian is indefinite (λ_min < 0 < λ_max).
    let dir = temp_dir("audit-secular");
    let x = [q("3"), q("1/2"), q("-2"), q("1")];
    let w = [q("1"), q("1/2"), q("2"), q("-1/3")];
    let y = q("1");
    let inst = write(&dir, "i.toml", instance_toml(&x, &y).as_bytes());
    let h = shared_hessian(&x, &y, &w);
    let mat = write(&dir, "h.json", matrix_json(&h).as_bytes());
    let secular = audit(&[
        "--instance",
        inst.to_str().unwrap(),
        "--theta",
        "1,1/2,2,-1/3",
        "--estimate",
        "0",
    ]);
    let dense = audit(&["--matrix", mat.to_str().unwrap(), "--estimate", "0"]);
    assert_eq!(secular["route"], "secular equation (diagonal + rank one)");
    assert_eq!(dense["route"], "dense");
    for end in ["lambda_max", "lambda_min"] {
        let (s, d) = (encl(&secular, end), encl(&dense, end));
        assert!(overlap(&s, &d), "{end}: secular {s:?} vs dense {d:?}");
        assert!(
            secular[end]["relative_width"].as_f64().unwrap() <= 1e-20,
            "{secular}"
        );
    }
    let (min, max) = (encl(&secular, "lambda_min"), encl(&secular, "lambda_max"));
    assert!(min.1 < Q::zero() && max.0 > Q::zero());
    // 0 lies strictly between the ends by far more than an ulp of 0: certified interior.
    assert_eq!(secular["estimates"][0]["verdict"], "interior");
    assert_eq!(dense["estimates"][0]["verdict"], "interior");
    // --max-only: the same λ_max, and no λ_min at all (not a null).
    let only = audit(&[
        "--instance",
        inst.to_str().unwrap(),
        "--theta",
        "1,1/2,2,-1/3",
        "--max-only",
        "--estimate",
        "1",
    ]);
    assert!(only.get("lambda_min").is_none(), "{only}");
    assert!(overlap(&encl(&only, "lambda_max"), &max));
}

#[test]
fn exact_ends_of_the_secular_route_are_recognised() {
    // At a zero-loss point (r = 0) the Hessian is 4aaᵀ: λ_max = 4‖a‖² exactly and, for d ≥ 2,
    // λ_min = 0 exactly. x = (1, 2, 2), y = 9, w = (1, 1, 2)... ⟨x, w⊙w⟩ = 1 + 2 + 8 = 11 ≠ 9,
    // so take y = 11: a = (1, 2, 4), 4‖a‖² = 84.
    let dir = temp_dir("audit-exact");
    let inst = write(
        &dir,
        "i.toml",
        b"model = \"shared\"\nx = [\"1\", \"2\", \"2\"]\ny = \"11\"\n",
    );
    let v = audit(&[
        "--instance",
        inst.to_str().unwrap(),
        "--theta",
        "1,1,2",
        "--precision",
        "f64",
    ]);
    assert_eq!(encl(&v, "lambda_max"), (q("84"), q("84")));
    assert_eq!(encl(&v, "lambda_min"), (q("0"), q("0")));
    // d = 1: x = 3, y = 1, w = 1/3 gives r = −2/3, H = 2r·3 + 4·1² = 0 exactly, a root the
    // rounded secular sums show exactly (the term 1/4 is dyadic).
    let one = write(
        &dir,
        "one.toml",
        b"model = \"shared\"\nx = [\"3\"]\ny = \"1\"\n",
    );
    let v = audit(&[
        "--instance",
        one.to_str().unwrap(),
        "--theta",
        "1/3",
        "--estimate",
        "0",
    ]);
    assert_eq!(encl(&v, "lambda_max"), (q("0"), q("0")));
    assert_eq!(encl(&v, "lambda_min"), (q("0"), q("0")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Law: the O(d) enclosures of diag(D) + c·aaᵀ (with repeated D_i and zero a_i, the deflated
    /// cases) overlap the dense exact route's, and reach the width.
    #[test]
    fn rank_one_ends_overlap_the_dense_route(
        d in proptest::collection::vec(-4i64..=4, 1..6),
        a in proptest::collection::vec(-3i64..=3, 6),
        den in 1i64..=3,
    ) {
        let n = d.len();
        let diag: Vec<Q> = d.iter().map(|&v| Q::new(v.into(), den.into())).collect();
        let a: Vec<Q> = a[..n].iter().map(|&v| Q::new(v.into(), 2.into())).collect();
        let c = q("4");
        let w = q("1e-20");
        let h: Vec<Vec<Q>> = (0..n).map(|i| (0..n).map(|j| &c * &a[i] * &a[j] + if i == j { diag[i].clone() } else { Q::zero() }).collect()).collect();
        let dense = dlncheck::spectra::certified::Spectrum::of(&h, &w);
        let ends = dlncheck::spectra::rank_one::ends(&diag, &a, &c, &w, false);
        prop_assert!(overlap(&ends.max, &(dense.max.lo.clone(), dense.max.hi.clone())), "max {:?} vs {:?}", ends.max, dense.max);
        let min = ends.min.clone().unwrap();
        prop_assert!(overlap(&min, &dense.min()), "min {:?} vs {:?}", min, dense.min());
        for (lo, hi) in [&ends.max, &min] {
            let scale = lo.abs().max(hi.abs());
            prop_assert!(hi - lo <= &w * &scale + &w * pow2(-20) * (q("100")), "{lo} {hi}");
        }
        // The diagonal bound: λ_min ≤ min_i H_ii.
        prop_assert!(min.0 <= ends.diagonal_min);
    }
}

#[test]
fn one_enclosure_judges_many_estimates_with_honest_labels() {
    // [[2, 1], [1, 2]]: eigenvalues 2 ± 1 = 3 and 1.
    let dir = temp_dir("audit-many");
    let m = write(&dir, "m.json", br#"{"matrix": [["2", "1"], ["1", "2"]]}"#);
    let m = m.to_str().unwrap();
    let v = audit(&[
        "--matrix",
        m,
        "--estimate",
        "top=3",
        "--estimate",
        "bottom=1",
        "--estimate",
        "middle=2",
        "--estimate",
        "-7",
    ]);
    assert_eq!(v["estimates"].as_array().unwrap().len(), 4);
    let top = by_name(&v, "top");
    assert_eq!(
        (&top["verdict"], &top["end"], &top["inside"]),
        (
            &Value::from("lambda_max"),
            &Value::from("lambda_max"),
            &Value::from(true)
        )
    );
    let bottom = by_name(&v, "bottom");
    assert_eq!(
        (&bottom["verdict"], &bottom["end"], &bottom["inside"]),
        (
            &Value::from("lambda_min"),
            &Value::from("lambda_min"),
            &Value::from(true)
        )
    );
    let middle = by_name(&v, "middle");
    assert_eq!(middle["verdict"], "interior");
    assert_eq!(middle["inside"], false);
    // Unnamed: "estimate-<position>"; −7 is nearest λ_min = 1 (distance 8 < 10).
    let far = by_name(&v, "estimate-4");
    assert_eq!(
        (&far["verdict"], &far["end"]),
        (&Value::from("lambda_min"), &Value::from("lambda_min"))
    );
    assert!((far["abs_error"]["lo"].as_f64().unwrap() - 8.0).abs() < 1e-12);

    // The same estimates from a CSV file and from both JSON forms give the same rows.
    let csv = write(&dir, "e.csv", b"name,value\ntop,3\nbottom,1\nmiddle,2\n");
    let obj = write(
        &dir,
        "e.json",
        br#"{"top": "3", "bottom": 1, "middle": 2.0}"#,
    );
    let list = write(&dir, "l.json", br#"[{"name": "top", "value": "3"}, {"name": "bottom", "value": "1", "precision": "f64"}, {"name": "middle", "value": 2}]"#);
    for f in [&csv, &obj, &list] {
        let w = audit(&["--matrix", m, "--estimates", f.to_str().unwrap()]);
        for name in ["top", "bottom", "middle"] {
            let (a, b) = (by_name(&v, name), by_name(&w, name));
            assert_eq!(
                (&a["verdict"], &a["estimate_exact"], &a["abs_error"]),
                (&b["verdict"], &b["estimate_exact"], &b["abs_error"]),
                "{f:?}"
            );
        }
    }
    // A name given twice, an unknown column, a duplicate JSON key: one-line errors.
    assert!(
        audit_error(&[
            "--matrix",
            m,
            "--estimate",
            "a=1",
            "--estimates",
            csv.to_str().unwrap(),
            "--estimate",
            "top=2"
        ])
        .contains("`top` is given twice")
    );
    let bad = write(&dir, "bad.csv", b"name,value,colour\na,1,red\n");
    assert!(
        audit_error(&["--matrix", m, "--estimates", bad.to_str().unwrap()])
            .contains("unknown column `colour`")
    );
    let dup = write(&dir, "dup.json", br#"{"a": 1, "a": 2}"#);
    assert!(
        audit_error(&["--matrix", m, "--estimates", dup.to_str().unwrap()])
            .contains("duplicate key `a`")
    );
    let extra = write(
        &dir,
        "extra.json",
        br#"[{"name": "a", "value": 1, "vaule": 2}]"#,
    );
    assert!(
        audit_error(&["--matrix", m, "--estimates", extra.to_str().unwrap()]).contains("vaule")
    );
}

#[test]
fn interior_is_certified_by_more_than_an_ulp() {
    // diag(1, 2, 3). The f64 spacing at numbers in [2, 4) is 2^-51. With `--tol 0` (one ulp
    // only), 3 − 2^-51 is within one ulp of λ_max = 3: nearest λ_max, not interior;
    // 3 − 2·2^-51 is interior.
    let dir = temp_dir("audit-interior");
    let m = write(
        &dir,
        "d.json",
        br#"{"matrix": [["1", "0", "0"], ["0", "2", "0"], ["0", "0", "3"]]}"#,
    );
    let m = m.to_str().unwrap();
    let one_below = dlncheck::numeric::rational::fmt_q(&(q("3") - pow2(-51)));
    let two_below = dlncheck::numeric::rational::fmt_q(&(q("3") - pow2(-50)));
    let v = audit(&[
        "--matrix",
        m,
        "--estimate",
        &format!("near={one_below}"),
        "--estimate",
        &format!("in={two_below}"),
        "--estimate",
        "mid=2",
        "--tol",
        "0",
    ]);
    assert_eq!(by_name(&v, "near")["verdict"], "lambda_max");
    assert_eq!(by_name(&v, "in")["verdict"], "interior");
    assert_eq!(by_name(&v, "mid")["verdict"], "interior");
    // --max-only: λ_min is not computed; min_i H_ii = 1 ≥ λ_min stands in for it, so 2 is still
    // certified interior, 1/2 cannot be classified, and 3 is λ_max.
    let v = audit(&[
        "--matrix",
        m,
        "--max-only",
        "--estimate",
        "mid=2",
        "--estimate",
        "low=1/2",
        "--estimate",
        "top=3",
    ]);
    assert!(v.get("lambda_min").is_none());
    assert_eq!(by_name(&v, "mid")["verdict"], "interior");
    assert_eq!(by_name(&v, "low")["verdict"], "unclassified");
    assert_eq!(by_name(&v, "top")["verdict"], "lambda_max");
    assert_eq!(by_name(&v, "top")["inside"], true);
    // [[2, 1], [1, 2]] with --max-only: min H_ii = 2 is no help for 3/2 (truly interior).
    let m2 = write(&dir, "m.json", br#"{"matrix": [["2", "1"], ["1", "2"]]}"#);
    let v = audit(&[
        "--matrix",
        m2.to_str().unwrap(),
        "--max-only",
        "--estimate",
        "3/2",
    ]);
    assert_eq!(v["estimates"][0]["verdict"], "unclassified");
}

#[test]
fn absurd_estimates_are_clear_errors() {
    let dir = temp_dir("audit-absurd");
    let m = write(&dir, "m.json", br#"{"matrix": [["2", "1"], ["1", "2"]]}"#);
    let m = m.to_str().unwrap();
    assert!(audit_error(&["--matrix", m, "--estimate", "1e400"]).contains("beyond the f64 range"));
    assert!(audit_error(&["--matrix", m, "--estimate", "-1e400"]).contains("beyond the f64 range"));
    for word in ["inf", "-inf", "NaN", "Infinity"] {
        assert!(
            audit_error(&["--matrix", m, "--estimate", word]).contains("not a finite number"),
            "{word}"
        );
    }
    assert!(
        audit_error(&["--matrix", m, "--precision", "f32", "--estimate", "1e39"])
            .contains("beyond the f32 range")
    );
    let big = write(&dir, "big.json", br#"{"ok": 3, "huge": 1e400}"#);
    let err = audit_error(&["--matrix", m, "--estimates", big.to_str().unwrap()]);
    assert!(
        err.contains("big.json") && err.contains("huge") && err.contains("binary64 range"),
        "{err}"
    );
    let nan = write(&dir, "nan.json", br#"{"x": NaN}"#);
    assert!(audit_error(&["--matrix", m, "--estimates", nan.to_str().unwrap()]).contains("NaN"));
    let csv = write(&dir, "inf.csv", b"name,value\nx,inf\n");
    let err = audit_error(&["--matrix", m, "--estimates", csv.to_str().unwrap()]);
    assert!(
        err.contains("line 2") && err.contains("not a finite number"),
        "{err}"
    );
    // A huge but finite estimate is audited, with finite numbers only; keys that do not apply
    // (iterations of an outside estimate, a relative error over λ = 0) are absent, not null.
    let v = audit(&["--matrix", m, "--estimate", "1e300"]);
    let text = v.to_string();
    assert!(!text.contains("null") && !text.contains("NaN"), "{text}");
    assert!(v["estimates"][0].get("iterations").is_none());
    let z = write(&dir, "z.json", br#"{"matrix": [["0", "0"], ["0", "1"]]}"#);
    let v = audit(&["--matrix", z.to_str().unwrap(), "--estimate", "1e-3"]);
    assert!(!v.to_string().contains("null"), "{v}");
    assert_eq!(v["estimates"][0]["end"], "lambda_min");
    assert!(v["estimates"][0]["rel_error"].get("hi").is_none());
}

#[test]
fn symmetrize_an_exported_f32_hessian() {
    // An f32 autodiff Hessian whose triangles differ in the last bit: H01 = 1/4, H10 = 1/4 + 2^-25
    // (neighbouring float32 values, 3e-8 apart). (H + Hᵀ)/2 = [[2, b], [b, 2]] with
    // b = 1/4 + 2^-26, not a float32 nor needed to be: eigenvalues 2 ± b exactly.
    let dir = temp_dir("audit-sym");
    let b1 = 0.25f64;
    let b2 = 0.25f64 + 2f64.powi(-25);
    assert_eq!(b2 as f32 as f64, b2);
    let p = write(&dir, "h32.npy", &npy(&[vec![2.0, b1], vec![b2, 2.0]], true));
    let p = p.to_str().unwrap();
    let err = audit_error(&["--matrix", p, "--estimate", "2.25"]);
    assert!(
        err.contains("not symmetric") && err.contains("--symmetrize") && err.contains("[1][0]"),
        "{err}"
    );
    let v = audit(&[
        "--matrix",
        p,
        "--symmetrize",
        "--estimate",
        "2.25",
        "--precision",
        "f32",
    ]);
    assert_eq!(v["symmetrized"]["max_asymmetry"], "1/33554432");
    assert!(
        (v["symmetrized"]["max_asymmetry_decimal"].as_f64().unwrap() - 2f64.powi(-25)).abs()
            < 1e-20
    );
    assert_eq!(v["symmetrized"]["at"], serde_json::json!([1, 0]));
    let b = q("1/4") + pow2(-26);
    let (lo, hi) = encl(&v, "lambda_max");
    assert!(lo <= q("2") + &b && q("2") + &b <= hi, "{lo} {hi}");
    let (lo, hi) = encl(&v, "lambda_min");
    assert!(lo <= q("2") - &b && q("2") - &b <= hi, "{lo} {hi}");
    assert!(v["entries"].as_str().unwrap().contains("float32"), "{v}");
    // 2.25 as f32 is 2^-26 below λ_max; the f32 ulp at 2.25 is 2^-22: nearest λ_max.
    assert_eq!(v["estimates"][0]["verdict"], "lambda_max");
    // A symmetric file with --symmetrize: zero removed.
    let s = write(
        &dir,
        "s.npy",
        &npy(&[vec![2.0, 0.5], vec![0.5, 2.0]], false),
    );
    let v = audit(&[
        "--matrix",
        s.to_str().unwrap(),
        "--symmetrize",
        "--estimate",
        "2.5",
    ]);
    assert_eq!(v["symmetrized"]["max_asymmetry"], "0");
}

#[test]
fn json_floats_are_their_exact_binary_values() {
    // diag(0.1, 0.2) written as plain JSON floats: the eigenvalues are the binary64 values of
    // 0.1 and 0.2 (0.2 = 3602879701896397/2^54), not the decimals 1/10 and 1/5.
    let dir = temp_dir("audit-floats");
    let p = write(&dir, "f.json", br#"{"matrix": [[0.1, 0], [0, 0.2]]}"#);
    let v = audit(&["--matrix", p.to_str().unwrap(), "--estimate", "0.2"]);
    let two = q("3602879701896397") * pow2(-54);
    let (lo, hi) = encl(&v, "lambda_max");
    assert!(lo <= two && two <= hi, "{lo} {hi}");
    assert!(
        !(lo <= q("1/5") && q("1/5") <= hi),
        "the decimal 1/5 must not be inside"
    );
    assert!(
        v["entries"]
            .as_str()
            .unwrap()
            .contains("2 plain JSON floats"),
        "{v}"
    );
    // Strings stay exact decimals: the same matrix as strings has λ_max = 1/5.
    let s = write(
        &dir,
        "s.json",
        br#"{"matrix": [["0.1", "0"], ["0", "0.2"]]}"#,
    );
    let v = audit(&["--matrix", s.to_str().unwrap(), "--estimate", "0.2"]);
    let (lo, hi) = encl(&v, "lambda_max");
    assert!(lo <= q("1/5") && q("1/5") <= hi);
    assert_eq!(v["entries"], "rationals (strings), read exactly");
    assert!(v.get("rounding_scale").is_none() && v["warnings"].as_array().unwrap().is_empty());
    // Non-finite JSON entries are refused by name.
    let bad = write(&dir, "bad.json", br#"{"matrix": [[1e999]]}"#);
    assert!(audit_error(&["--matrix", bad.to_str().unwrap()]).contains("binary64 range"));
    let nan = write(&dir, "nan.json", br#"{"matrix": [[NaN]]}"#);
    assert!(audit_error(&["--matrix", nan.to_str().unwrap()]).contains("NaN"));
}

#[test]
fn ends_at_the_rounding_scale_are_flagged() {
    let dir = temp_dir("audit-scale");
    // [[1, 1], [1, 1]]: eigenvalues 2 and 0. Float entries (all float32 values: u = 2^-24):
    // τ = d·u·max|H_ij| = 2·2^-24, and λ_min = 0 lies within it.
    let p = write(
        &dir,
        "r1.npy",
        &npy(&[vec![1.0, 1.0], vec![1.0, 1.0]], false),
    );
    let v = audit(&["--matrix", p.to_str().unwrap(), "--estimate", "2"]);
    assert_eq!(
        v["rounding_scale"]["ends"],
        serde_json::json!(["lambda_min"])
    );
    assert_eq!(v["rounding_scale"]["unit_roundoff"], "2^-24");
    assert_eq!(
        q(v["rounding_scale"]["threshold_exact"].as_str().unwrap()),
        q("2") * pow2(-24)
    );
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().starts_with("lambda_min"));
    // [[1, 0.1], [0.1, 0.01]] in float64 (0.1 is no float32: u = 2^-53): det = 0.01 − 0.1² in
    // binary is about 1e-18, so λ_min ≈ 1e-18 < τ = 2·2^-53.
    let p = write(
        &dir,
        "near.npy",
        &npy(&[vec![1.0, 0.1], vec![0.1, 0.01]], false),
    );
    let v = audit(&["--matrix", p.to_str().unwrap(), "--estimate", "1"]);
    assert_eq!(v["rounding_scale"]["unit_roundoff"], "2^-53");
    assert_eq!(
        v["rounding_scale"]["ends"],
        serde_json::json!(["lambda_min"])
    );
    // diag(1, 2): no end near 0, no warning; the same rank-one matrix as exact strings: none.
    let p = write(
        &dir,
        "d.npy",
        &npy(&[vec![1.0, 0.0], vec![0.0, 2.0]], false),
    );
    assert!(
        audit(&["--matrix", p.to_str().unwrap(), "--estimate", "2"])["warnings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let p = write(&dir, "r1.json", br#"{"matrix": [["1", "1"], ["1", "1"]]}"#);
    assert!(
        audit(&["--matrix", p.to_str().unwrap(), "--estimate", "2"])["warnings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_npz_batch_is_judged_per_checkpoint() {
    // Checkpoint 0: diag(1, 2); checkpoint 1: [[2, 1], [1, 2]] (eigenvalues 1, 3); checkpoint 2:
    // an asymmetric f32 export. One estimate 2 against each: λ_max of the first, interior of
    // the second.
    let dir = temp_dir("audit-npz");
    let asym = npy(&[vec![3.0, 0.5], vec![0.5 + 2f64.powi(-24), 1.0]], true);
    let path = write(
        &dir,
        "run.npz",
        &zip(&[
            ("step_0.npy", npy(&[vec![1.0, 0.0], vec![0.0, 2.0]], false)),
            ("step_1.npy", npy(&[vec![2.0, 1.0], vec![1.0, 2.0]], false)),
            ("step_2.npy", asym),
        ]),
    );
    let p = path.to_str().unwrap();
    let err = audit_error(&["--matrix", p, "--estimate", "2"]);
    assert!(
        err.contains("[step_2]") && err.contains("--symmetrize"),
        "{err}"
    );
    let out = run(&[
        "audit",
        "--matrix",
        p,
        "--symmetrize",
        "--csv",
        "--estimate",
        "gd=2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].ends_with(",name,verdict,rounding_scale_ends"));
    let verdict = |line: &str| line.split(',').nth(15).unwrap().to_string();
    assert_eq!(verdict(lines[1]), "lambda_max");
    assert_eq!(verdict(lines[2]), "interior");
    assert!(lines[1].contains(",gd,"));
    let v = audit(&["--matrix", p, "--symmetrize", "--estimate", "gd=2"]);
    let rows = v["checkpoints"].as_array().unwrap();
    assert_eq!(rows[0]["symmetrized"]["max_asymmetry"], "0");
    assert_eq!(
        q(rows[2]["symmetrized"]["max_asymmetry"].as_str().unwrap()),
        pow2(-24)
    );
}

#[test]
fn a_gd_run_audited_at_its_final_iterate() {
    // A new user's loop: run GD, take its final θ (exact binary rationals) and its float
    // sharpness, and audit that estimate against the exact Hessian at that θ.
    let eos = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/eos.toml");
    let out = run(&["gd", eos, "--lr", "1/25", "--steps", "3000", "--json"]);
    assert!(out.status.success());
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let theta: Vec<&str> = g["final"]["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let theta = theta.join(",");
    let s = g["final"]["sharpness"].as_str().unwrap();
    let v = audit(&[
        "--instance",
        eos,
        "--theta",
        &theta,
        "--estimate",
        &format!("gd={s}"),
    ]);
    assert_eq!(v["route"], "secular equation (diagonal + rank one)");
    let e = by_name(&v, "gd");
    assert_eq!(e["verdict"], "lambda_max");
    assert!(e["rel_error"]["hi"].as_f64().unwrap() < 1e-12, "{e}");
    // Cross-check: the dense route on the Hessian built by hand at the same θ.
    let x = [q("3"), q("1/2"), q("2")];
    let w: Vec<Q> = theta.split(',').map(q).collect();
    let dir = temp_dir("audit-gd");
    let m = write(
        &dir,
        "h.json",
        matrix_json(&shared_hessian(&x, &q("5"), &w)).as_bytes(),
    );
    let dense = audit(&[
        "--matrix",
        m.to_str().unwrap(),
        "--estimate",
        &format!("gd={s}"),
    ]);
    for end in ["lambda_max", "lambda_min"] {
        assert!(overlap(&encl(&v, end), &encl(&dense, end)), "{end}");
    }
    assert_eq!(by_name(&dense, "gd")["verdict"], "lambda_max");
}

/// The verdict's tolerance (issue 26 item 5): by default 8·d·u·‖H‖ (here d = 3, u = 2^−53,
/// ‖H‖ = λ_max = 2 + √2 of the tridiagonal matrix, by hand); an estimate within it of λ_max is
/// `lambda_max`, one farther is `interior`, and `--tol 0` falls back to one ulp.
#[test]
fn an_honest_float_estimate_near_an_end_is_that_end() {
    let m = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tridiagonal.npy");
    let v = audit(&["--matrix", m, "--estimate", "near=3.4142135623730940"]);
    let row = by_name(&v, "near");
    let want = 24.0 * 2f64.powi(-53) * (2.0 + 2f64.sqrt());
    let tol = row["tolerance"].as_f64().expect("a tolerance");
    assert!((tol - want).abs() <= 1e-12 * want, "{tol} vs {want}");
    assert_eq!(row["verdict"], "lambda_max");
    let v0 = audit(&[
        "--matrix",
        m,
        "--estimate",
        "near=3.4142135623730940",
        "--tol",
        "0",
    ]);
    assert_eq!(by_name(&v0, "near")["verdict"], "interior");
}

#[test]
fn an_estimate_farther_than_the_tolerance_is_interior() {
    let m = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tridiagonal.npy");
    let v = audit(&["--matrix", m, "--estimate", "far=3.41421", "--tol", "1e-7"]);
    assert_eq!(by_name(&v, "far")["verdict"], "interior");
    let wide = audit(&["--matrix", m, "--estimate", "far=3.41421", "--tol", "1e-5"]);
    assert_eq!(by_name(&wide, "far")["verdict"], "lambda_max");
}

#[test]
fn a_negative_tolerance_is_refused() {
    let m = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tridiagonal.npy");
    let err = audit_error(&["--matrix", m, "--estimate", "1", "--tol=-1"]);
    assert!(err.contains("--tol"), "{err}");
}
