//! Certified GD (SPEC §4.1): on fresh random instances the certified box of β∞ contains the
//! limit of an independent 512-bit float GD run; the rounding rule is the one FORMAT.md §4.8
//! specifies; the kernel accepts the produced claims and rejects wrong ones; the CLI reports
//! "not certified" with a reason and refuses bad input with exit 2.

use dlncheck::dynamics::certified_gd::{Certified, certify};
use dlncheck::dynamics::gd::{self as dynamics, Precision, Problem};
use dlncheck::numeric::interval::round_bits;
use dlncheck::numeric::rational::{Q, fmt_q};
use dlncheck_kernel::Outcome;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::Value;

// Helpers kept local (no `mod common`), so the file works as its own test binary or as a
// module of a single test suite.
fn run_bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args(args)
        .output()
        .expect("the dlncheck binary runs")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn toml_list(v: &[Q]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|q| format!("\"{}\"", fmt_q(q)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn qq(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// β_K of a GD run at 512-bit floats (an independent implementation: `dynamics`, on w).
fn float_limit(x: &[Q], y: &Q, eta: &Q, dir: &std::path::Path) -> Vec<Q> {
    let path = dir.join("inst.toml");
    let text = format!(
        "model = \"shared\"\nx = {}\ny = \"{}\"\n[init]\nalpha = \"1/10\"\n",
        toml_list(x),
        fmt_q(y)
    );
    std::fs::write(&path, text).unwrap();
    let inst = dlncheck::io::instance::read_instance(&path).unwrap();
    let problem = Problem::of(&inst).unwrap();
    let prec = Precision::Bits(512);
    let opts =
        dlncheck::report::gd::options(eta.clone(), 400_000, prec, Some("1e-140"), false).unwrap();
    let s = dynamics::run_summary(&problem, prec, &opts, &|_| {});
    assert_eq!(s.stop, dynamics::Stop::Converged, "the float run converges");
    s.theta.iter().map(|w| w * w).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Random x > 0, y > 0 and η = t·η_norm for t in (0, 1.4): the certified box holds the
    /// 512-bit float limit up to 2^-300 (the float run's own error at |r| ≤ 10^-140·y).
    #[test]
    fn certified_box_contains_the_high_precision_limit(xs in proptest::collection::vec((1i64..=9, 1i64..=4), 2..=4), yn in 1i64..=9, t in 1i64..=14) {
        let x: Vec<Q> = xs.iter().map(|&(n, d)| qq(n, d)).collect();
        let y = qq(yn, 2);
        let xmax = x.iter().max().unwrap().clone();
        let eta = qq(t, 10) / (Q::from_integer(2.into()) * &y * &xmax);
        let Certified::Converged(l) = certify(&x, &y, &qq(1, 10), &eta, 200_000, None) else {
            // Near and above η_norm a run may settle slowly; only certified runs are compared.
            return Err(TestCaseError::reject("not certified"));
        };
        let dir = temp_dir("certified-gd");
        let limit = float_limit(&x, &y, &eta, &dir);
        let tol = qq(1, 1) / Q::from_integer(num_bigint::BigInt::one() << 300usize);
        for (i, (b, f)) in l.beta.iter().zip(&limit).enumerate() {
            prop_assert!(b.lo() - &tol <= *f && *f <= b.hi() + &tol, "β∞_{} = {} outside [{}, {}]", i, f, b.lo(), b.hi());
            prop_assert!(b.width() < qq(1, 1 << 20), "box {} is not tight", i);
        }
        // The limit has zero loss: ⟨x, box⟩ ∋ y.
        let lo: Q = x.iter().zip(&l.beta).map(|(xi, b)| xi * b.lo()).sum();
        let hi: Q = x.iter().zip(&l.beta).map(|(xi, b)| xi * b.hi()).sum();
        prop_assert!(lo <= y && y <= hi);
        prop_assert!(!l.eos_margin.hi().is_negative(), "2/η − S(β∞) < 0 for a convergent run contradicts linear stability");
    }

    /// ↓q ≤ q ≤ ↑q, both with |m| < 2^p, and no such number strictly between (FORMAT.md §4.8).
    #[test]
    fn directed_rounding_is_the_specified_rule(n in -10_000_000i64..10_000_000, d in 1i64..1_000_000, p in 2u64..40) {
        let q = qq(n, d);
        let (lo, hi) = (round_bits(&q, p, false), round_bits(&q, p, true));
        prop_assert!(lo <= q && q <= hi);
        if q.is_zero() {
            prop_assert!(lo.is_zero() && hi.is_zero());
        } else {
            // Both lie on the grid 2^(E+1−p) of q's binade [2^E, 2^(E+1)) (or its end), and
            // differ by at most one grid step.
            let a = q.abs();
            let mut e = 0i64;
            let two = Q::from_integer(2.into());
            let mut pow = Q::one();
            while pow > a { pow /= &two; e -= 1; }
            while &pow * &two <= a { pow *= &two; e += 1; }
            let ulp = if e + 1 - p as i64 >= 0 { Q::from_integer(num_bigint::BigInt::one() << (e + 1 - p as i64) as usize) } else { Q::new(1.into(), num_bigint::BigInt::one() << (p as i64 - e - 1) as usize) };
            prop_assert!((&lo / &ulp).is_integer() && (&hi / &ulp).is_integer());
            prop_assert!(&hi - &lo <= ulp);
            prop_assert_eq!(lo == hi, (&q / &ulp).is_integer());
        }
    }
}

fn check(text: &str) -> Result<Vec<Outcome>, String> {
    dlncheck_kernel::check_text("t.toml", text)
        .map(|r| r.verdicts.into_iter().map(|v| v.outcome).collect())
        .map_err(|e| e.to_string())
}

fn proof(name: &str) -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("proofs")
            .join(name),
    )
    .unwrap();
    serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap()
}

fn last_rejected(file: &Value, needle: &str) {
    let out = check(&toml::to_string(file).unwrap()).expect("well-formed");
    match out.last() {
        Some(Outcome::Rejected(r)) => {
            assert!(r.contains(needle), "rejected for another reason: {r}")
        }
        other => panic!("accepted a wrong certificate ({needle}): {other:?}"),
    }
}

fn edit(file: &Value, f: impl FnOnce(&mut Value)) -> Value {
    let mut v = file.clone();
    f(&mut v);
    v
}

/// The file with its last claim edited.
fn edit_last(file: &Value, f: impl FnOnce(&mut Value)) -> Value {
    edit(file, |v| {
        f(v["claim"].as_array_mut().unwrap().last_mut().unwrap())
    })
}

#[test]
fn shipped_gd_claims_verify() {
    for name in [
        "gd-limit-flow-aligned.claim.toml",
        "gd-limit-edge-of-stability.claim.toml",
        "gd-learner-beats-both.claim.toml",
        "gd-learner-loses-to-min-norm.claim.toml",
    ] {
        let out = check(&toml::to_string(&proof(name)).unwrap()).unwrap();
        assert!(
            out.iter().all(|o| matches!(o, Outcome::Verified(_))),
            "{name}: {out:?}"
        );
    }
}

#[test]
fn wrong_gd_certificates_are_rejected() {
    let limit = proof("gd-limit-edge-of-stability.claim.toml");
    let learner = proof("gd-learner-beats-both.claim.toml");
    // A claimed box that is merely wider (still true) is not the kernel's: pinned.
    last_rejected(
        &edit_last(&limit, |c| c["beta"][0]["lo"] = Value::from("0")),
        "the kernel computes",
    );
    // Fewer steps: the tail does not hold yet (or the pinned ρ differs).
    last_rejected(&edit_last(&limit, |c| c["steps"] = Value::from(100)), "");
    // q = 1 and a q too small for |φ| ≤ q.
    last_rejected(
        &edit_last(&limit, |c| c["q"] = Value::from("1")),
        "not in [0, 1)",
    );
    last_rejected(
        &edit_last(&limit, |c| c["q"] = Value::from("1/2")),
        "|φ| ≤ q fails",
    );
    // Another learning rate: at lr = 1/5 the enclosure blows up.
    last_rejected(
        &edit_last(&limit, |c| c["lr"] = Value::from("1/5")),
        "divergence",
    );
    // Without init.alpha.
    last_rejected(
        &edit(&limit, |v| {
            v["instance"].as_object_mut().unwrap().remove("init");
        }),
        "init.alpha",
    );
    // Learner: a verdict flipped, a forged E(min-norm), the front claim removed.
    last_rejected(
        &edit_last(&learner, |c| c["beats_min_norm"] = Value::from(false)),
        "beats_min_norm",
    );
    last_rejected(
        &edit_last(&learner, |c| {
            c["loses_to_min_sharpness"] = Value::from(true)
        }),
        "loses_to_min_sharpness",
    );
    last_rejected(
        &edit_last(&learner, |c| c["min_norm"] = Value::from("1")),
        "earlier front claim",
    );
    last_rejected(
        &edit(&learner, |v| {
            v["claim"].as_array_mut().unwrap().remove(0);
            v["expect"].as_array_mut().unwrap().remove(0);
        }),
        "neither-bias",
    );
    // An atom's label that is not ⟨x, β*⟩, and an atom run swapped with the other atom's.
    last_rejected(
        &edit_last(&learner, |c| c["atoms"][0]["y"] = Value::from("4")),
        "y is not",
    );
    last_rejected(
        &edit_last(&learner, |c| {
            let atoms = c["atoms"].as_array_mut().unwrap();
            let y0 = atoms[0]["y"].clone();
            atoms[0] = atoms[1].clone();
            atoms[0]["y"] = y0;
        }),
        "",
    );
    // Limits on bits and steps are malformed, not rejected.
    let big = edit_last(&limit, |c| c["bits"] = Value::from(5000));
    assert!(check(&toml::to_string(&big).unwrap()).is_err());
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_certified_fields_and_not_certified_reasons() {
    let eos = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/eos.toml");
    let v = json(&run_bin(&[
        "gd",
        eos,
        "--lr",
        "1/25",
        "--certify",
        "--json",
    ]));
    let c = &v["certified"];
    assert_eq!(c["converged"], true);
    for k in ["norm", "sharpness", "eos_margin"] {
        assert!(
            dlncheck::numeric::rational::parse_q(c[k]["lo"].as_str().unwrap()).unwrap()
                <= dlncheck::numeric::rational::parse_q(c[k]["hi"].as_str().unwrap()).unwrap()
        );
    }
    let margin_hi =
        dlncheck::numeric::rational::parse_q(c["eos_margin"]["hi"].as_str().unwrap()).unwrap();
    assert!(
        margin_hi.is_positive() && margin_hi < qq(1, 2),
        "S(β∞) within 1% of 2/η = 50"
    );
    assert_eq!(c["beta"].as_array().unwrap().len(), 3);
    assert!(c["residual"]["rho"].is_string() && c["residual"]["q"].is_string());
    let v = json(&run_bin(&[
        "gd",
        eos,
        "--lr",
        "1/5",
        "--certify",
        "--steps",
        "2000",
        "--json",
    ]));
    assert_eq!(v["certified"]["converged"], false);
    assert!(
        v["certified"]["reason"]
            .as_str()
            .unwrap()
            .contains("divergence"),
        "{}",
        v["certified"]
    );
    let v = json(&run_bin(&["learner", eos, "--lr", "1/25", "--json"]));
    assert_eq!(
        (
            v["beats_min_norm"].clone(),
            v["beats_min_sharpness"].clone()
        ),
        (Value::from(true), Value::from(true))
    );
    assert_eq!(v["min_norm"], "67/18");
    assert_eq!(v["atoms"].as_array().unwrap().len(), 2);
    let v = json(&run_bin(&["learner", eos, "--lr", "1/20", "--json"]));
    assert_eq!(
        (v["beats_min_norm"].clone(), v["loses_to_min_norm"].clone()),
        (Value::from(false), Value::from(true))
    );
    for bad in [
        vec!["gd", eos, "--lr", "1/25", "--certify", "--bits", "1"],
        vec!["gd", eos, "--lr", "1/25", "--claim", "/tmp/x.toml"],
        vec!["gd", eos, "--lr", "1/25"],
        vec![
            "learner",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/t2-uv.toml"),
            "--lr",
            "1/25",
        ],
        vec!["learner", eos, "--lr", "-1"],
        vec!["learner", eos, "--lr", "1/25", "--steps", "2000000"],
    ] {
        let out = run_bin(&bad);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim().lines().count(),
            1
        );
    }
}
