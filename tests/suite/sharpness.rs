//! Certified λ_max enclosures (SPEC §6): hand eigenvalues, an independent characteristic-
//! polynomial route, kernel re-checks, tampering, and bad input through the real binary.

use dlncheck::io::instance::JsonTree as _;
use dlncheck_kernel::Outcome;

/// The kernel's verdicts on a claim-file tree (checked as its JSON text).
fn check_tree(
    name: &str,
    file: &serde_json::Value,
) -> Result<Vec<dlncheck_kernel::Verdict>, dlncheck_kernel::Error> {
    dlncheck_kernel::check_text(&format!("{name}.json"), &file.to_string()).map(|r| r.verdicts)
}
use dlncheck::numeric::rational::{Q, parse_q};
use dlncheck::spectra::certified::{self as sharpness, Spectrum};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::process::Command;

fn q(s: &str) -> Q {
    parse_q(s).unwrap()
}

fn qm(rows: &[&[i64]]) -> Vec<Vec<Q>> {
    rows.iter()
        .map(|r| r.iter().map(|&v| Q::from_integer(v.into())).collect())
        .collect()
}

fn verified(file: &Value) -> bool {
    check_tree("test", file)
        .map(|vs| vs.iter().all(|v| matches!(v.outcome, Outcome::Verified(_))))
        .unwrap_or(false)
}

fn claim_file(h: &[Vec<Q>], width: &Q) -> (sharpness::MaxCertificate, Value) {
    let c = sharpness::lambda_max(h, width);
    let file = json!({"version": 2, "claim": [sharpness::claim(h, &c)]});
    (c, file)
}

/// Characteristic polynomial det(tI − H) by Faddeev–LeVerrier (independent of LDLᵀ):
/// coefficients c[0..=n] of t^n, t^{n−1}, ..., 1.
fn charpoly(h: &[Vec<Q>]) -> Vec<Q> {
    let n = h.len();
    let mut c = vec![Q::one()];
    let mut m: Vec<Vec<Q>> = vec![vec![Q::zero(); n]; n];
    for k in 1..=n {
        // M_k = H·M_{k−1} + c_{k−1}·I, c_k = −tr(H·M_k)/k.
        let prev = m.clone();
        for i in 0..n {
            for j in 0..n {
                m[i][j] = (0..n).map(|l| &h[i][l] * &prev[l][j]).sum::<Q>()
                    + if i == j { c[k - 1].clone() } else { Q::zero() };
            }
        }
        let tr: Q = (0..n)
            .map(|i| (0..n).map(|l| &h[i][l] * &m[l][i]).sum::<Q>())
            .sum();
        c.push(-tr / Q::from_integer((k as i64).into()));
    }
    c
}

fn eval_derivative(c: &[Q], order: usize, t: &Q) -> Q {
    let n = c.len() - 1;
    let mut acc = Q::zero();
    for (i, ci) in c.iter().enumerate() {
        let power = n - i;
        if power < order {
            continue;
        }
        let falling: i64 = (0..order).map(|j| (power - j) as i64).product();
        // Horner over the coefficients c_i·power!/(power − order)! of the derivative.
        acc = acc * t + ci * Q::from_integer(falling.into());
    }
    acc
}

/// t ≥ λ_max for a real-rooted monic p iff p^{(k)}(t) ≥ 0 for every k (Budan–Fourier).
fn at_or_above_max_root(c: &[Q], t: &Q) -> bool {
    (0..c.len()).all(|k| !eval_derivative(c, k, t).is_negative())
}

/// t > λ_max iff p(t) > 0 and every derivative ≥ 0.
fn above_max_root(c: &[Q], t: &Q) -> bool {
    eval_derivative(c, 0, t).is_positive() && at_or_above_max_root(c, t)
}

#[test]
fn derivative_helper_matches_hand_values() {
    // p(t) = t² − 4t + 3 = (t − 1)(t − 3); p'(t) = 2t − 4.
    let c = vec![q("1"), q("-4"), q("3")];
    assert_eq!(eval_derivative(&c, 0, &q("5")), q("8"));
    assert_eq!(eval_derivative(&c, 1, &q("5")), q("6"));
    assert_eq!(eval_derivative(&c, 2, &q("5")), q("2"));
    assert!(
        at_or_above_max_root(&c, &q("3"))
            && !above_max_root(&c, &q("3"))
            && !at_or_above_max_root(&c, &q("2"))
    );
    assert_eq!(charpoly(&qm(&[&[2, 1], &[1, 2]])), c);
}

#[test]
fn two_by_two_by_hand() {
    // [[2,1],[1,2]]: λ = 3 and 1.
    let h = qm(&[&[2, 1], &[1, 2]]);
    let (c, file) = claim_file(&h, &q("1e-20"));
    assert!(c.lo <= q("3") && q("3") <= c.hi, "[{}, {}]", c.lo, c.hi);
    assert!(c.relative_width() <= q("1e-20"));
    assert!(verified(&file));
}

#[test]
fn tridiagonal_to_width_1e_30() {
    // [[2,1,0],[1,2,1],[0,1,2]]: λ_max = 2 + √2, λ_min = 2 − √2.
    let h = qm(&[&[2, 1, 0], &[1, 2, 1], &[0, 1, 2]]);
    let s = Spectrum::of(&h, &q("1e-30"));
    let two = q("2");
    let (lo, hi) = (&s.max.lo - &two, &s.max.hi - &two);
    assert!(lo.is_negative() || &lo * &lo <= two, "lo above 2 + √2");
    assert!(!hi.is_negative() && &hi * &hi >= two, "hi below 2 + √2");
    assert!(s.max.relative_width() <= q("1e-30"));
    let (mlo, mhi) = s.min();
    let (a, b) = (&two - &mhi, &two - &mlo); // enclose √2 from [2 − hi, 2 − lo]
    assert!(!b.is_negative() && &b * &b >= two && (a.is_negative() || &a * &a <= two));
    let (nlo, nhi) = s.norm();
    assert_eq!((nlo, nhi), (s.max.lo.clone(), s.max.hi.clone()));
    let file = json!({"version": 2, "claim": [sharpness::claim(&h, &s.max), sharpness::claim(&sharpness::negate(&h), &s.neg_min)]});
    assert!(verified(&file));
}

#[test]
fn spectral_norm_is_the_most_negative_end_when_larger() {
    // [[−1,4],[4,−1]]: λ = 3 and −5, so max|λ| = 5.
    let h = qm(&[&[-1, 4], &[4, -1]]);
    let s = Spectrum::of(&h, &q("1e-15"));
    let (lo, hi) = s.norm();
    assert!(lo <= q("5") && q("5") <= hi && lo > q("4.9"));
    assert!(s.max.lo <= q("3") && q("3") <= s.max.hi);
}

#[test]
fn diagonal_plus_rank_one_against_the_secular_equation() {
    // H = diag(1, 2, 3, 4) + z zᵀ, z = (1, 1, 1, 1): λ_max > 4 is the root of
    // f(λ) = 1 − Σ z_i²/(λ − d_i), increasing on (4, ∞): f(lo) ≤ 0 ≤ f(hi).
    let d = [1, 2, 3, 4];
    let h: Vec<Vec<Q>> = (0..4)
        .map(|i| {
            (0..4)
                .map(|j| Q::from_integer((if i == j { d[i] + 1 } else { 1 }).into()))
                .collect()
        })
        .collect();
    let c = sharpness::lambda_max(&h, &q("1e-25"));
    let f = |l: &Q| {
        Q::one()
            - d.iter()
                .map(|&di| (l - Q::from_integer(di.into())).recip())
                .sum::<Q>()
    };
    assert!(c.lo > q("4") && !f(&c.lo).is_positive() && !f(&c.hi).is_negative());
    assert!(c.relative_width() <= q("1e-25"));
}

#[test]
fn repeated_top_eigenvalue_is_certified() {
    // diag(5, 5, 1) conjugated by a permutation-free mixing: [[3,2,0],[2,3,0],[0,0,5]] has λ = 5, 5, 1.
    let h = qm(&[&[3, 2, 0], &[2, 3, 0], &[0, 0, 5]]);
    let (c, file) = claim_file(&h, &q("1e-12"));
    assert!(c.lo <= q("5") && q("5") <= c.hi && c.relative_width() <= q("1e-12"));
    assert!(verified(&file));
}

#[test]
fn dense_twenty_by_twenty_with_gershgorin_and_trace() {
    let n = 20;
    let h = dlncheck::numeric::random::dense_symmetric(n, 7);
    let (c, file) = claim_file(&h, &q("1e-30"));
    let trace: Q = (0..n).map(|i| h[i][i].clone()).sum();
    let gersh = (0..n)
        .map(|i| &h[i][i] + (0..n).filter(|&j| j != i).map(|j| h[i][j].abs()).sum::<Q>())
        .max()
        .unwrap();
    let diag_max = (0..n).map(|i| h[i][i].clone()).max().unwrap();
    assert!(
        c.hi >= &trace / Q::from_integer((n as i64).into()) && c.hi >= diag_max && c.lo <= gersh
    );
    assert!(
        c.relative_width() <= q("1e-30"),
        "width {}",
        c.relative_width()
    );
    assert!(verified(&file));
}

/// Every numeric string of the claim (matrix included) changed by +1/7 must be rejected.
#[test]
fn tampering_with_any_number_is_rejected() {
    let h = qm(&[&[2, 1, 0], &[1, 2, 1], &[0, 1, 2]]);
    let (_, file) = claim_file(&h, &q("1e-20"));
    let claim = file["claim"][0].clone();
    // (key, optional list index, optional inner index)
    type Path = (String, Option<(usize, Option<usize>)>);
    let mut paths: Vec<Path> = Vec::new();
    for (k, v) in claim.as_object().unwrap() {
        match v {
            Value::String(s) if parse_q(s).is_ok() => paths.push((k.clone(), None)),
            Value::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    match e {
                        Value::Array(r) => {
                            (0..r.len()).for_each(|j| paths.push((k.clone(), Some((i, Some(j))))))
                        }
                        _ => paths.push((k.clone(), Some((i, None)))),
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        paths.len() > 15,
        "expected the matrix, v and the pinned values"
    );
    for (k, idx) in paths {
        let mut t = file.clone();
        let slot = match idx {
            None => &mut t["claim"][0][&k],
            Some((i, None)) => &mut t["claim"][0][&k][i],
            Some((i, Some(j))) => &mut t["claim"][0][&k][i][j],
        };
        let old = q(slot.as_str().unwrap());
        *slot = json!(dlncheck::numeric::rational::fmt_q(
            &(old + Q::new(1.into(), 7.into()))
        ));
        assert!(!verified(&t), "tampered {k} {idx:?} still verified");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// lo ≤ λ_max ≤ hi for random small symmetric matrices, checked by the characteristic
    /// polynomial (Budan–Fourier), and the kernel accepts the certificate.
    #[test]
    fn enclosure_contains_lambda_max(n in 1usize..5, entries in proptest::collection::vec(-6i64..7, 16), den in 1i64..4) {
        let mut h = vec![vec![Q::zero(); n]; n];
        let mut k = 0;
        for i in 0..n {
            for j in 0..=i {
                let v = Q::new(entries[k].into(), den.into());
                k += 1;
                h[i][j] = v.clone();
                h[j][i] = v;
            }
        }
        let (c, file) = claim_file(&h, &q("1e-10"));
        let p = charpoly(&h);
        prop_assert!(at_or_above_max_root(&p, &c.hi), "hi = {} below λ_max of {:?}", c.hi, h);
        prop_assert!(!above_max_root(&p, &c.lo), "lo = {} above λ_max of {:?}", c.lo, h);
        prop_assert!(c.relative_width() <= q("1e-10") || c.hi - c.lo <= q("1e-10"));
        prop_assert!(verified(&file));
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dlncheck"))
}

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dlncheck-sharpness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n");
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn cli_json_has_the_spec_fields() {
    let p = tmp("m.json", br#"{"matrix": [["2", "1"], ["1", "2"]]}"#);
    let out = bin()
        .args(["sharpness", "--matrix"])
        .arg(&p)
        .args(["--json", "--width", "1e-20"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (lo, hi) = (
        q(v["lambda_max"]["lo"].as_str().unwrap()),
        q(v["lambda_max"]["hi"].as_str().unwrap()),
    );
    assert!(lo <= q("3") && q("3") <= hi && &hi - &lo <= q("3e-20"));
    let (lo, hi) = (
        q(v["lambda_min"]["lo"].as_str().unwrap()),
        q(v["lambda_min"]["hi"].as_str().unwrap()),
    );
    assert!(lo <= q("1") && q("1") <= hi);
}

#[test]
fn npy_values_are_read_as_their_exact_binary_value() {
    // f32 0.1 holds 13421773/134217728 exactly.
    let mut data = Vec::new();
    for x in [0.1f32, 0.0, 0.0, 0.1] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    let m = dlncheck::io::npy::parse_matrix("a.npy", &npy("<f4", "(2, 2)", &data)).unwrap();
    assert_eq!(m[0][0], q("13421773/134217728"));
    assert_eq!(m[0][1], Q::zero());
    let p = tmp("diag.npy", &npy("<f4", "(2, 2)", &data));
    let out = bin()
        .args(["sharpness", "--json", "--matrix"])
        .arg(&p)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (lo, hi) = (
        q(v["lambda_max"]["lo"].as_str().unwrap()),
        q(v["lambda_max"]["hi"].as_str().unwrap()),
    );
    assert!(lo <= q("13421773/134217728") && q("13421773/134217728") <= hi);
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let nan: Vec<u8> = [1.0f64, f64::NAN, f64::NAN, 1.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let ints: Vec<u8> = [1i32, 0, 0, 1]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let cube: Vec<u8> = [0.0f64; 8].iter().flat_map(|x| x.to_le_bytes()).collect();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            tmp("ns.json", br#"{"matrix": [["1", "2"], ["3", "1"]]}"#),
            "not symmetric",
        ),
        (
            tmp(
                "rect.json",
                br#"{"matrix": [["1", "2", "3"], ["2", "1", "3"]]}"#,
            ),
            "not square",
        ),
        (
            tmp("nan.npy", &npy("<f8", "(2, 2)", &nan)),
            "not a finite number",
        ),
        (
            tmp("int.npy", &npy("<i4", "(2, 2)", &ints)),
            "unsupported dtype",
        ),
        (
            tmp("cube.npy", &npy("<f8", "(2, 2, 2)", &cube)),
            "expected a 2-D array",
        ),
        (tmp("junk.npy", b"not numpy"), "not a .npy file"),
    ];
    for (p, reason) in cases {
        let out = bin()
            .args(["sharpness", "--matrix"])
            .arg(&p)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", p.display());
        assert!(
            err.contains(reason) && err.contains(p.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(out.stdout.is_empty());
    }
    let p = tmp("ok.json", br#"{"matrix": [["1"]]}"#);
    let out = bin()
        .args(["sharpness", "--width", "0", "--matrix"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn rank_one_dense(diag: &[Q], a: &[Q], c: &Q) -> Vec<Vec<Q>> {
    (0..diag.len())
        .map(|i| {
            (0..diag.len())
                .map(|j| c * &a[i] * &a[j] + if i == j { diag[i].clone() } else { Q::zero() })
                .collect()
        })
        .collect()
}

#[test]
fn rank_one_route_matches_the_secular_root_by_hand() {
    // diag(1, 2, 3, 4) + 1·(1,1,1,1)(1,1,1,1)ᵀ: f(λ) = 1 − Σ 1/(λ − d_i) changes sign in [lo, hi].
    let d: Vec<Q> = (1..=4).map(|v| Q::from_integer(v.into())).collect();
    let a = vec![Q::one(); 4];
    let cert = sharpness::rank_one_max(&d, &a, &Q::one(), &q("1e-13"));
    let f = |l: &Q| Q::one() - d.iter().map(|di| (l - di).recip()).sum::<Q>();
    assert!(cert.lo > q("4") && !f(&cert.lo).is_positive() && !f(&cert.hi).is_negative());
    assert!(cert.relative_width() <= q("1e-12"));
    let file =
        json!({"version": 2, "claim": [sharpness::rank_one_claim(&d, &a, &Q::one(), &cert)]});
    assert!(verified(&file));
    for key in ["lo", "hi", "upper_sum", "lower_sum", "c", "hi_minus_lo"] {
        let mut t = file.clone();
        let old = q(t["claim"][0][key].as_str().unwrap());
        t["claim"][0][key] = json!(dlncheck::numeric::rational::fmt_q(
            &(old + Q::new(1.into(), 7.into()))
        ));
        assert!(!verified(&t), "tampered {key} still verifies");
    }
}

#[test]
fn rank_one_route_on_the_network_hessian() {
    // shared, n = 1: ∇²L = 2r·diag(x) + 4aaᵀ with a = x ⊙ w (SPEC §2); compare with the dense
    // exact Hessian of `loss::hessian` certified by the general route.
    let x = [q("3"), q("1/2"), q("-2")];
    let w = [q("1"), q("3/2"), q("1/4")];
    let y = q("1");
    let beta_dot: Q = x.iter().zip(&w).map(|(xi, wi)| xi * wi * wi).sum();
    let r = beta_dot - &y;
    let diag: Vec<Q> = x
        .iter()
        .map(|xi| Q::from_integer(2.into()) * &r * xi)
        .collect();
    let a: Vec<Q> = x.iter().zip(&w).map(|(xi, wi)| xi * wi).collect();
    let four = Q::from_integer(4.into());
    let cert = sharpness::rank_one_max(&diag, &a, &four, &q("1e-13"));
    let inst = dlncheck::io::instance::parse_instance(
        "t",
        &dlncheck::io::instance::Tree::from_json(
            &json!({"model": "shared", "x": ["3", "1/2", "-2"], "y": "1"}),
        ),
    )
    .unwrap();
    let data = dlncheck::models::loss::Data::<Q>::from_instance(&inst, &());
    let h = dlncheck::models::loss::hessian(inst.model, &data, &w);
    assert_eq!(h, rank_one_dense(&diag, &a, &four));
    let dense = sharpness::lambda_max(&h, &q("1e-20"));
    assert!(
        cert.lo <= dense.hi && dense.lo <= cert.hi,
        "[{}, {}] vs [{}, {}]",
        cert.lo,
        cert.hi,
        dense.lo,
        dense.hi
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The rank-one route and the dense route certify overlapping enclosures, and the kernel
    /// accepts the rank-one certificate.
    #[test]
    fn rank_one_and_dense_routes_agree(n in 1usize..5, d in proptest::collection::vec(-8i64..9, 4), a in proptest::collection::vec(-4i64..5, 4), c in 1i64..4) {
        let diag: Vec<Q> = d[..n].iter().map(|&v| Q::new(v.into(), 2.into())).collect();
        let av: Vec<Q> = a[..n].iter().map(|&v| Q::from_integer(v.into())).collect();
        let cq = Q::from_integer(c.into());
        let cert = sharpness::rank_one_max(&diag, &av, &cq, &q("1e-12"));
        let dense = sharpness::lambda_max(&rank_one_dense(&diag, &av, &cq), &q("1e-12"));
        prop_assert!(cert.lo <= dense.hi && dense.lo <= cert.hi, "[{}, {}] vs [{}, {}]", cert.lo, cert.hi, dense.lo, dense.hi);
        let file = json!({"version": 2, "claim": [sharpness::rank_one_claim(&diag, &av, &cq, &cert)]});
        prop_assert!(verified(&file));
    }
}

#[test]
fn cli_network_hessian_uses_the_secular_route_and_agrees_with_the_dense_route() {
    let p = tmp(
        "one.toml",
        b"model = \"shared\"\nx = [\"3\", \"1/2\", \"-2\"]\ny = \"1\"\n",
    );
    let run = |extra: &[&str]| {
        let out = bin()
            .args(["sharpness", "--json", "--instance"])
            .arg(&p)
            .args(["--theta", "1,3/2,1/4"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = run(&[]);
    assert_eq!(v["route"], "secular equation (diagonal + rank one)");
    let (lo, hi) = (
        q(v["lambda_max"]["lo"].as_str().unwrap()),
        q(v["lambda_max"]["hi"].as_str().unwrap()),
    );
    // The dense route on the same exact Hessian (tests/suite/sharpness.rs::rank_one_dense layout).
    let x = [q("3"), q("1/2"), q("-2")];
    let w = [q("1"), q("3/2"), q("1/4")];
    let r: Q = x.iter().zip(&w).map(|(a, b)| a * b * b).sum::<Q>() - q("1");
    let diag: Vec<Q> = x.iter().map(|a| q("2") * &r * a).collect();
    let a: Vec<Q> = x.iter().zip(&w).map(|(a, b)| a * b).collect();
    let dense = sharpness::lambda_max(&rank_one_dense(&diag, &a, &q("4")), &q("1e-20"));
    assert!(lo <= dense.hi && dense.lo <= hi);
}
