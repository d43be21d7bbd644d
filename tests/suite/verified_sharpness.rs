//! The float-speed certified route for binary64 matrices (issue 12, docs/verified-sharpness.md):
//! enclosures against an independent exact reference (the test's own rational LDLᵀ inertia,
//! Sylvester's law, and a 60-digit bisection on it), the kernel's verdict on the produced claims,
//! the hard cases, and `.npz` batches through the real binary.

use crate::common::{run, temp_dir};
use dlncheck::numeric::rational::{fmt_q, from_f64_exact, parse_q, Q};
use dlncheck::spectra::certified::{self as sharpness, MaxCertificate, Spectrum, Upper};
use dlncheck::spectra::verified_cholesky;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::Value;

/// The number of eigenvalues of `h` above σ (dyadic entries and σ), by the test's own
/// fraction-free (Bareiss) elimination of D·(H − σI) over the integers: the leading principal
/// minors m_k give the LDLᵀ pivots m_k/m_{k−1}, whose signs count the eigenvalues (Sylvester).
/// `None` when a minor vanishes (σ then sits on a special point: move it).
fn above(h: &[Vec<Q>], sigma: &Q) -> Option<usize> {
    use num_bigint::BigInt;
    let n = h.len();
    let shifted: Vec<Vec<Q>> = h.iter().enumerate().map(|(i, r)| r.iter().enumerate().map(|(j, x)| if i == j { x - sigma } else { x.clone() }).collect()).collect();
    let den = shifted.iter().flatten().fold(BigInt::one(), |l, q| num_integer::Integer::lcm(&l, q.denom()));
    let mut a: Vec<Vec<BigInt>> = shifted.iter().map(|r| r.iter().map(|q| q.numer() * (&den / q.denom())).collect()).collect();
    let (mut prev, mut count) = (BigInt::one(), 0);
    for k in 0..n {
        let p = a[k][k].clone();
        if p.is_zero() {
            return None;
        }
        if p.is_positive() == prev.is_positive() {
            count += 1;
        }
        for i in k + 1..n {
            for j in k + 1..n {
                a[i][j] = (&a[i][j] * &p - &a[i][k] * &a[k][j]) / &prev;
            }
        }
        prev = p;
    }
    Some(count)
}

/// λ_max(h) ∈ [lo, hi] by the exact reference: nothing above hi, something above every
/// number below lo (checked at lo − tiny, a dyadic just below lo).
fn contains_max(h: &[Vec<Q>], lo: &Q, hi: &Q) -> bool {
    let tiny = Q::new(1.into(), num_bigint::BigInt::one() << 400usize);
    let at_hi = above(h, hi).or_else(|| above(h, &(hi + &tiny)).filter(|&c| c == 0));
    let below_lo = above(h, &(lo - &tiny));
    at_hi == Some(0) && below_lo.is_some_and(|c| c >= 1)
}

/// λ_max(h) to 60 digits by exact bisection on the reference inertia, from a bracket [a, b].
fn truth(h: &[Vec<Q>], mut a: Q, mut b: Q) -> (Q, Q) {
    let eps = parse_q("1e-60").unwrap();
    while &b - &a > &eps * b.abs().max(Q::one()) {
        let mid = (&a + &b) / Q::from_integer(2.into());
        match above(h, &mid) {
            Some(0) => b = mid,
            Some(_) => a = mid,
            None => a = &mid - &eps,
        }
    }
    (a, b)
}

/// A random symmetric binary64 matrix from a xorshift stream (entries in (−1, 1)).
fn random_symmetric(n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let x = next();
            m[i][j] = x;
            m[j][i] = x;
        }
    }
    m
}

fn exact(h: &[Vec<f64>]) -> Vec<Vec<Q>> {
    h.iter().map(|r| r.iter().map(|x| from_f64_exact(*x).unwrap()).collect()).collect()
}

fn width(x: &str) -> Q {
    parse_q(x).unwrap()
}

/// The kernel verifies the `lambda-max` claim of `c` on `h`.
fn kernel_accepts(h: &[Vec<Q>], c: &MaxCertificate) -> bool {
    let file = serde_json::json!({"version": 2, "claim": [sharpness::claim(h, c)]});
    dlncheck_kernel::check_text("t.json", &file.to_string()).map(|r| r.passed()).unwrap_or(false)
}

#[test]
fn random_float64_enclosures_contain_the_60_digit_truth() {
    for (n, seed) in [(12, 1), (20, 2), (24, 3)] {
        let hf = random_symmetric(n, seed);
        let h = exact(&hf);
        let c = verified_cholesky::lambda_max(&hf, &width("1e-30")).expect("certified");
        assert!(matches!(c.upper, Upper::KatoTempleCholesky { .. }), "{n}: {:?}", c.upper);
        assert!(c.relative_width() <= width("1e-30"), "{n}: width {}", c.relative_width());
        // A bracket for the bisection from the float estimate, checked by the reference itself.
        let (a, b) = (&c.lo - width("1e-6"), &c.hi + width("1e-6"));
        assert!(above(&h, &b) == Some(0) && above(&h, &a).is_some_and(|k| k >= 1));
        let (t_lo, t_hi) = truth(&h, a, b);
        assert!(c.lo <= t_hi && t_lo <= c.hi, "{n}: [{}, {}] misses the truth [{}, {}]", fmt_q(&c.lo), fmt_q(&c.hi), fmt_q(&t_lo), fmt_q(&t_hi));
        assert!(kernel_accepts(&h, &c), "{n}: the kernel rejects the produced claim");
    }
}

#[test]
fn both_ends_of_a_dense_float64_matrix_are_certified_and_kernel_checked() {
    let hf = random_symmetric(48, 9);
    let h = exact(&hf);
    let s = Spectrum::of_binary64(&hf, &width("1e-30"));
    for (m, c) in [(h.clone(), &s.max), (sharpness::negate(&h), &s.neg_min)] {
        assert!(matches!(c.upper, Upper::KatoTempleCholesky { .. }));
        assert!(c.relative_width() <= width("1e-30"));
        assert!(contains_max(&m, &c.lo, &c.hi));
        assert!(kernel_accepts(&m, c));
    }
}

#[test]
fn hard_cases_give_honest_enclosures() {
    let n = 32;
    let diag = |d: &dyn Fn(usize) -> f64| -> Vec<Vec<f64>> { (0..n).map(|i| (0..n).map(|j| if i == j { d(i) } else { 0.0 }).collect()).collect() };
    // A triple top eigenvalue, a gap of 2^−40, a singular rank-one matrix uuᵀ (u_i small integers,
    // so every entry is exact: spectrum ‖u‖² and 0 (n − 1 times)), and a dynamic range of 2^±300.
    let triple = diag(&|i| if i < 3 { 3.0 } else { 1.0 / (i as f64) });
    let tiny_gap = diag(&|i| if i == 0 { 1.0 } else if i == 1 { 1.0 - 2f64.powi(-40) } else { 0.5 });
    let u: Vec<f64> = (0..n).map(|i| (i % 5) as f64 - 2.0).collect();
    let rank_one: Vec<Vec<f64>> = u.iter().map(|a| u.iter().map(|b| a * b).collect()).collect();
    let base = random_symmetric(n, 4);
    let scale = |i: usize| 2f64.powi(if i.is_multiple_of(2) { 300 } else { -300 });
    let huge: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| base[i][j] * scale(i) * scale(j)).collect()).collect();
    for (name, hf) in [("triple", triple), ("tiny gap", tiny_gap), ("rank one", rank_one), ("huge range", huge)] {
        let h = exact(&hf);
        let neg: Vec<Vec<f64>> = hf.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
        for (end, m, mf) in [("max", h.clone(), hf.clone()), ("min", sharpness::negate(&h), neg)] {
            let c = verified_cholesky::lambda_max(&mf, &width("1e-30")).unwrap_or_else(|| panic!("{name} λ_{end}: no certificate"));
            assert!(contains_max(&m, &c.lo, &c.hi), "{name} λ_{end}: [{}, {}] is wrong", fmt_q(&c.lo), fmt_q(&c.hi));
            assert!(kernel_accepts(&m, &c), "{name} λ_{end}: the kernel rejects it");
            if name == "triple" && end == "max" {
                // No gap: the definite route, at the honest width of the rounding bound.
                assert!(matches!(c.upper, Upper::DefiniteCholesky) && c.relative_width() < width("1e-9"), "{:?} {}", c.upper, c.relative_width());
            }
        }
    }
    // Through `Spectrum::of_binary64` (side ≥ 48, at most 300): the exact route follows where the
    // float route misses the width, so a multiple top eigenvalue still gets the target width.
    let triple: Vec<Vec<f64>> = (0..48).map(|i| (0..48).map(|j| if i == j { if i < 3 { 3.0 } else { 1.0 } } else { 0.0 }).collect()).collect();
    let s = Spectrum::of_binary64(&triple, &width("1e-30"));
    assert!(s.max.lo <= Q::from_integer(3.into()) && Q::from_integer(3.into()) <= s.max.hi && s.max.relative_width() <= width("1e-30"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// On small float64 matrices the float route and the exact route both enclose λ_max, so their
    /// enclosures intersect; the reference inertia confirms the float one, and the kernel takes it.
    #[test]
    fn the_float_route_agrees_with_the_exact_route(n in 2usize..7, seed in 1u64..10_000, k in -3i32..4) {
        let hf: Vec<Vec<f64>> = random_symmetric(n, seed).iter().map(|r| r.iter().map(|x| x * 2f64.powi(k)).collect()).collect();
        let h = exact(&hf);
        let w = width("1e-20");
        if let Some(c) = verified_cholesky::lambda_max(&hf, &w) {
            let e = sharpness::exact_lambda_max(&h, &w);
            prop_assert!(c.lo <= e.hi && e.lo <= c.hi, "float [{}, {}] vs exact [{}, {}]", fmt_q(&c.lo), fmt_q(&c.hi), fmt_q(&e.lo), fmt_q(&e.hi));
            prop_assert!(contains_max(&h, &c.lo, &c.hi));
            prop_assert!(kernel_accepts(&h, &c));
        }
    }
}

/// A `.npy` (float64, C order) of `m`.
fn npy(m: &[Vec<f64>]) -> Vec<u8> {
    let header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}\n", m.len(), m.len());
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    m.iter().flatten().for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    out
}

/// A stored (uncompressed) ZIP of `entries`, as `numpy.savez` writes it (CRCs left 0: the
/// reader does not check them).
fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len() as u32;
        let fixed = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h
        };
        out.extend(fixed(0x0403_4b50, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend(fixed(0x0201_4b50, true));
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn an_npz_batch_gives_one_row_per_checkpoint() {
    let dir = temp_dir("npz-batch");
    let (a, b) = (random_symmetric(50, 5), random_symmetric(3, 6));
    let path = dir.join("run.npz");
    std::fs::write(&path, zip(&[("step_0.npy", npy(&a)), ("step_1.npy", npy(&b))])).unwrap();
    let out = run(&["sharpness", "--matrix", path.to_str().unwrap(), "--width", "1e-25", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["checkpoints"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, m) in rows.iter().zip([exact(&a), exact(&b)]) {
        let q = |k: &str, e: &str| parse_q(row[k][e].as_str().unwrap()).unwrap();
        assert!(contains_max(&m, &q("lambda_max", "lo"), &q("lambda_max", "hi")));
        assert!(contains_max(&sharpness::negate(&m), &-q("lambda_min", "hi"), &-q("lambda_min", "lo")));
    }
    assert!(rows[0]["name"].as_str().unwrap().ends_with("[step_0]"));
    let csv = run(&["sharpness", "--matrix", path.to_str().unwrap(), "--csv"]);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.starts_with("checkpoint,d,lambda_max,"));
    let audit = run(&["audit", "--matrix", path.to_str().unwrap(), "--json", "--precision", "f64"]);
    assert!(audit.status.success(), "{}", String::from_utf8_lossy(&audit.stderr));
    let v: Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(v["checkpoints"].as_array().unwrap().len(), 2);
}

#[test]
fn non_finite_entries_are_a_one_line_error() {
    let dir = temp_dir("npz-nan");
    let mut m = random_symmetric(4, 7);
    m[1][2] = f64::NAN;
    m[2][1] = f64::NAN;
    let path = dir.join("bad.npz");
    std::fs::write(&path, zip(&[("ok.npy", npy(&random_symmetric(4, 8))), ("bad.npy", npy(&m))])).unwrap();
    let out = run(&["sharpness", "--matrix", path.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("bad.npy") && err.contains("not a finite number"), "{err}");
    let mut inf = random_symmetric(60, 3);
    inf[0][0] = f64::INFINITY;
    let p = dir.join("inf.npy");
    std::fs::write(&p, npy(&inf)).unwrap();
    let out = run(&["audit", "--matrix", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("inf is not a finite number"));
}
