//! `sweep --certify` (issue 11, item 4): certified `_lo`/`_hi` columns, rounded outward, and the
//! outward decimal printer they use.

use crate::common::{run, small_q, temp_dir};
use dlncheck::io::format::decimal_outward;
use dlncheck::numeric::rational::{Q, parse_q};
use num_traits::{Signed, Zero};

use proptest::prelude::*;

#[test]
fn outward_decimals_by_hand() {
    let q = |s: &str| parse_q(s).unwrap();
    assert_eq!(decimal_outward(&q("1/3"), 3, false), "3.33e-1");
    assert_eq!(decimal_outward(&q("1/3"), 3, true), "3.34e-1");
    assert_eq!(decimal_outward(&q("-1/3"), 3, false), "-3.34e-1");
    assert_eq!(decimal_outward(&q("-1/3"), 3, true), "-3.33e-1");
    // Exact values print exactly in both directions; rounding up can carry into a new digit.
    assert_eq!(decimal_outward(&q("1/4"), 3, false), "2.5e-1");
    assert_eq!(decimal_outward(&q("1/4"), 3, true), "2.5e-1");
    assert_eq!(decimal_outward(&q("99999/100"), 3, true), "1e3");
    assert_eq!(decimal_outward(&q("99999/100"), 3, false), "9.99e2");
    assert_eq!(decimal_outward(&q("1000"), 3, false), "1e3");
    assert_eq!(decimal_outward(&Q::zero(), 3, true), "0");
}

proptest! {
    /// Law: the text read back is a lower (upper) bound, within one unit of the last digit.
    #[test]
    fn outward_decimals_bound_the_value(v in small_q(1_000_000, 1_000_000), scale in -30i32..30, digits in 1usize..20) {
        let v = v * Q::new(10.into(), 1.into()).pow(scale);
        let lo = parse_q(&decimal_outward(&v, digits, false)).unwrap();
        let hi = parse_q(&decimal_outward(&v, digits, true)).unwrap();
        prop_assert!(lo <= v && v <= hi, "{lo} ≤ {v} ≤ {hi}");
        let ulp = v.abs() * Q::new(10.into(), 1.into()).pow(1 - digits as i32);
        prop_assert!(&hi - &lo <= ulp, "{lo}, {hi}, digits {digits}");
    }
}

#[test]
fn certified_columns_bracket_the_kernel_verified_limit() {
    // proofs/gd-limit-edge-of-stability.claim.toml is a kernel-verified gd-limit claim at
    // lr = 1/25 on examples/eos.toml; a one-rate certified sweep there must print decimals that
    // bracket its enclosures, and its float run must fall inside them to float accuracy.
    let claim: toml::Value = toml::from_str(
        &std::fs::read_to_string("proofs/gd-limit-edge-of-stability.claim.toml").unwrap(),
    )
    .unwrap();
    let c = &claim["claim"][0];
    assert_eq!(c["lr"].as_str(), Some("1/25"));
    let out = temp_dir("sweep-certify");
    let r = run(&[
        "sweep",
        "examples/eos.toml",
        "--lr-from",
        "1/25",
        "--lr-to",
        "1/20",
        "--points",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--certify",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for col in [
        "certified",
        "norm_lo",
        "norm_hi",
        "sharpness_lo",
        "sharpness_hi",
        "eos_margin_lo",
        "eos_margin_hi",
        "gen_error_lo",
        "gen_error_hi",
        "certified_reason",
    ] {
        assert!(header.contains(&col), "{col} missing from {header:?}");
    }
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let get = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(get("certified"), "true");
    for (key, col) in [
        ("norm", "norm"),
        ("sharpness", "sharpness"),
        ("eos_margin", "eos_margin"),
    ] {
        let (klo, khi) = (
            parse_q(c[key]["lo"].as_str().unwrap()).unwrap(),
            parse_q(c[key]["hi"].as_str().unwrap()).unwrap(),
        );
        let (lo, hi) = (
            parse_q(get(&format!("{col}_lo"))).unwrap(),
            parse_q(get(&format!("{col}_hi"))).unwrap(),
        );
        assert!(
            lo <= klo && khi <= hi,
            "{key}: [{lo}, {hi}] must contain the claim's [{klo}, {khi}]"
        );
    }
    let float_s = parse_q(get("sharpness")).unwrap();
    let (lo, hi) = (
        parse_q(get("sharpness_lo")).unwrap(),
        parse_q(get("sharpness_hi")).unwrap(),
    );
    let tol = Q::new(1.into(), 1_000_000.into()) * &hi;
    assert!(
        float_s >= &lo - &tol && float_s <= &hi + &tol,
        "float S {float_s} far from [{lo}, {hi}]"
    );
    // The certified expected error of the GD learner at 1/25 is below E(min-norm) (the shipped
    // gd-learner-beats-both claim); the sweep's hi end must say so too.
    let learner: toml::Value = toml::from_str(
        &std::fs::read_to_string("proofs/gd-learner-beats-both.claim.toml").unwrap(),
    )
    .unwrap();
    let e_hi = learner["claim"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"].as_str() == Some("gd-learner"))
        .map(|c| parse_q(c["expected_error"]["hi"].as_str().unwrap()).unwrap())
        .unwrap();
    assert!(
        parse_q(get("gen_error_hi")).unwrap() >= e_hi
            && parse_q(get("gen_error_lo")).unwrap() <= e_hi
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["rows"][0]["certified"]["converged"], true);
    assert!(json["rows"][0]["certified_gen_error"]["lo"].is_string());
}

#[test]
fn uncertified_rates_say_why_and_bad_flags_are_refused() {
    let out = temp_dir("sweep-certify-diverged");
    let r = run(&[
        "sweep",
        "examples/eos.toml",
        "--lr-from",
        "1/5",
        "--lr-to",
        "1/5",
        "--points",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--certify",
    ]);
    assert!(r.status.success());
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains(",false,,,,,,") && row.contains("divergence"),
        "{row}"
    );
    let r = run(&[
        "sweep",
        "examples/eos.toml",
        "--lr-from",
        "1/5",
        "--lr-to",
        "1/5",
        "--points",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--bits",
        "64",
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--bits needs --certify"));
    let r = run(&[
        "sweep",
        "examples/t2-path.toml",
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/100",
        "--points",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--certify",
    ]);
    // n = 2 is certified since SPEC §5.3 (tests/suite/certified_gd_points.rs): the row has
    // `certified` true and the float S inside [sharpness_lo, sharpness_hi].
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let at = |k: &str| row[header.iter().position(|h| *h == k).unwrap()];
    assert_eq!(at("certified"), "true");
    let s: f64 = at("sharpness").parse().unwrap();
    assert!(at("sharpness_lo").parse::<f64>().unwrap() <= s);
    assert!(s <= at("sharpness_hi").parse::<f64>().unwrap());
}
