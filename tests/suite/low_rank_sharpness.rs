//! Low-rank Hessians (issue 26, item 4): a rank-r matrix plus a cluster of d − r eigenvalues at
//! or within rounding of 0 keeps the binary64 route for both ends — the cluster end by the
//! definite route at a width relative to ‖H‖ (`norm_width`), never minutes of exact arithmetic.
//! Every spectrum here is known by hand: Q·diag(λ)·Qᵀ with the rational orthogonal Householder
//! Q = I − vvᵀ/16 (v with 32 entries ±1, the rest 0, so vᵀv = 32), or permuted 2 × 2 blocks
//! [[a, b], [b, a]] with eigenvalues a ± b; the entries are checked to be binary64 numbers.

use crate::common::certificates::{exact, kernel_accepts, kernel_on_edited, negated};
use crate::common::npy;
use crate::common::{run, temp_dir};
use dlncheck::numeric::rational::{Q, fmt_q, from_f64_exact, parse_q};
use dlncheck::spectra::certified::{self as sharpness, MaxCertificate, Spectrum, Upper};
use num_traits::{Signed, ToPrimitive, Zero};
use proptest::prelude::*;
use serde_json::Value;

/// The CLI's default width.
fn default_width() -> Q {
    parse_q("1e-12").unwrap()
}

/// 2^e.
fn pow2(e: i32) -> Q {
    if e >= 0 {
        Q::from_integer(num_bigint::BigInt::from(1) << e as usize)
    } else {
        Q::new(1.into(), num_bigint::BigInt::from(1) << (-e) as usize)
    }
}

/// Q·diag(d)·Qᵀ, Q = I − vvᵀ/16 with v_i = `signs[i]` ∈ {−1, 0, 1} (32 nonzero), computed
/// exactly: (QDQ)_ij = d_i·δ_ij − v_i·v_j·(d_i + d_j)/16 + v_i·v_j·(Σ_k v_k² d_k)/256. Panics if
/// an entry is not a binary64 number (the test then chose its values badly).
fn householder(d: &[Q], signs: &[i64]) -> Vec<Vec<f64>> {
    assert_eq!(signs.iter().filter(|s| **s != 0).count(), 32);
    let n = d.len();
    let s: Q = (0..n)
        .map(|k| Q::from_integer((signs[k] * signs[k]).into()) * &d[k])
        .sum();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let vv = Q::from_integer((signs[i] * signs[j]).into());
                    let mut x = &vv * &s / Q::from_integer(256.into())
                        - &vv * (&d[i] + &d[j]) / Q::from_integer(16.into());
                    if i == j {
                        x += &d[i];
                    }
                    let f = x.to_f64().unwrap();
                    assert_eq!(from_f64_exact(f).as_ref(), Some(&x), "entry [{i}][{j}]");
                    f
                })
                .collect()
        })
        .collect()
}

/// Signs for [`householder`]: ±1 on 32 positions spread over n (from `seed`), 0 elsewhere.
fn signs(n: usize, seed: u64) -> Vec<i64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut v = vec![0i64; n];
    let mut placed = 0;
    while placed < 32 {
        let i = (next() % n as u64) as usize;
        if v[i] == 0 {
            v[i] = if next() % 2 == 0 { 1 } else { -1 };
            placed += 1;
        }
    }
    v
}

/// The ten large eigenvalues (rank 10, ‖H‖ = 64).
fn top_ten() -> Vec<Q> {
    [64, 50, 40, 33, 20, 17, 9, 5, 3, 2]
        .iter()
        .map(|&x| Q::from_integer(x.into()))
        .collect()
}

/// `count` tiny eigenvalues m·2^−34 (|m| ≤ 7, both signs; ≈ 1e−12·‖H‖), from `seed`.
fn tiny(count: usize, seed: u64) -> Vec<Q> {
    let mut s = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    (0..count)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            Q::from_integer(((s % 15) as i64 - 7).into()) * pow2(-34)
        })
        .collect()
}

fn f(q: &Q) -> f64 {
    q.to_f64().unwrap()
}

/// Which end of the spectrum is the cluster at 0.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Cluster {
    Bottom,
    Top,
}

/// `Spectrum::of_binary64` at the CLI's default width on `hf` with eigenvalues `values`: both
/// ends contain the hand-known truth, both claims pass the kernel, the far end meets the width
/// relative to |λ|, and the cluster end is kept on the float route (`definite-cholesky`, marked
/// `norm_width`) with hi − lo ≤ width·‖H‖ — never the exact route.
fn check_low_rank(name: &str, hf: &[Vec<f64>], values: &[Q], cluster: Cluster) {
    let w = default_width();
    let s = Spectrum::of_binary64(hf, &w);
    let (top, bottom) = (
        values.iter().max().unwrap().clone(),
        values.iter().min().unwrap().clone(),
    );
    let norm = top.clone().max(-bottom.clone());
    let (min_lo, min_hi) = s.min();
    assert!(
        s.max.lo <= top && top <= s.max.hi,
        "{name}: λ_max = {} not in [{}, {}]",
        fmt_q(&top),
        fmt_q(&s.max.lo),
        fmt_q(&s.max.hi)
    );
    assert!(
        min_lo <= bottom && bottom <= min_hi,
        "{name}: λ_min = {} not in [{}, {}]",
        fmt_q(&bottom),
        fmt_q(&min_lo),
        fmt_q(&min_hi)
    );
    let h = exact(hf);
    assert!(kernel_accepts(&h, &s.max), "{name}: λ_max claim rejected");
    assert!(
        kernel_accepts(&sharpness::negate(&h), &s.neg_min),
        "{name}: λ_min claim rejected"
    );
    let (near, far) = match cluster {
        Cluster::Bottom => (&s.neg_min, &s.max),
        Cluster::Top => (&s.max, &s.neg_min),
    };
    assert!(
        far.relative_width() <= w && !far.norm_width,
        "{name}: far end width {}",
        f(&far.relative_width())
    );
    assert!(
        near.upper == Upper::DefiniteCholesky && near.norm_width,
        "{name}: cluster end {:?}, norm_width {}, width {}",
        near.upper,
        near.norm_width,
        f(&near.relative_width())
    );
    // Within 2^−30·‖H‖ of 0 (the cluster), or at the width target relative to ‖H‖; and in any
    // case no wider than the rounding bound of Theorem 1 (≈ n·2^−53·tr H) and the cluster's own
    // spread allow: 2^−30·‖H‖ is far above both here.
    let zero = &norm * pow2(-30);
    assert!(
        (near.lo.abs() <= zero && near.hi.abs() <= zero) || &near.hi - &near.lo <= &w * &norm,
        "{name}: cluster end [{}, {}], ‖H‖ = {}",
        f(&near.lo),
        f(&near.hi),
        f(&norm)
    );
}

#[test]
fn an_exact_rank_ten_matrix_keeps_the_float_route_at_the_zero_cluster() {
    // 64 × 64, eigenvalues 64, 50, …, 2 and 54 exact zeros.
    let mut d = top_ten();
    d.resize(64, Q::zero());
    let hf = householder(&d, &signs(64, 1));
    check_low_rank("rank 10 + exact zeros", &hf, &d, Cluster::Bottom);
}

#[test]
fn a_tiny_noise_cluster_keeps_the_float_route() {
    // 60 × 60: rank 10 plus 50 eigenvalues m·2^−34 of both signs (≈ 1e−12·‖H‖), λ_min < 0.
    let mut d = top_ten();
    d.extend(tiny(50, 2));
    assert!(d.iter().min().unwrap() < &Q::zero());
    let hf = householder(&d, &signs(60, 2));
    check_low_rank("rank 10 + tiny noise", &hf, &d, Cluster::Bottom);
}

#[test]
fn a_negative_semidefinite_low_rank_matrix_has_its_cluster_on_top() {
    // −(the previous shape): the cluster end is λ_max, the far end λ_min = −64.
    let mut d = top_ten();
    d.extend(tiny(54, 3));
    let hf = negated(&householder(&d, &signs(64, 3)));
    let values: Vec<Q> = d.iter().map(|x| -x).collect();
    check_low_rank("−(rank 10 + tiny noise)", &hf, &values, Cluster::Top);
}

/// P·diag(B_1, …, B_m)·Pᵀ for blocks [[a, b], [b, a]] (eigenvalues a ± b exactly, whatever the
/// permutation P from `seed`), with the eigenvalues.
fn permuted_blocks(blocks: &[(Q, Q)], seed: u64) -> (Vec<Vec<f64>>, Vec<Q>) {
    let n = 2 * blocks.len();
    let mut perm: Vec<usize> = (0..n).collect();
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..n).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        perm.swap(i, (s % (i as u64 + 1)) as usize);
    }
    let mut m = vec![vec![0.0; n]; n];
    let mut values = Vec::new();
    for (k, (a, b)) in blocks.iter().enumerate() {
        let (i, j) = (perm[2 * k], perm[2 * k + 1]);
        let (af, bf) = (a.to_f64().unwrap(), b.to_f64().unwrap());
        assert_eq!(from_f64_exact(af).as_ref(), Some(a));
        assert_eq!(from_f64_exact(bf).as_ref(), Some(b));
        (m[i][i], m[j][j], m[i][j], m[j][i]) = (af, af, bf, bf);
        values.extend([a + b, a - b]);
    }
    (m, values)
}

#[test]
fn a_low_rank_matrix_above_the_dense_seed_size_keeps_the_float_route() {
    // 200 × 200 through Lanczos: ten blocks [[a, a], [a, a]] (eigenvalues 2a and an exact 0 each),
    // then 90 blocks of tiny entries m·2^−34 (eigenvalues their sums and differences).
    let t = tiny(180, 4);
    let blocks: Vec<(Q, Q)> = top_ten()
        .into_iter()
        .map(|x| {
            let a = x / Q::from_integer(2.into());
            (a.clone(), a)
        })
        .chain(t.chunks(2).map(|p| (p[0].clone(), p[1].clone())))
        .collect();
    let (hf, values) = permuted_blocks(&blocks, 4);
    assert!(hf.len() > dlncheck::spectra::verified_cholesky::DENSE_SEED_MAX);
    check_low_rank("200 × 200 blocks", &hf, &values, Cluster::Bottom);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    /// The law of `norm_width`, on random low-rank shapes: rank r of positive integers, the rest
    /// exact zeros or tiny values (m·2^−k, |m| ≤ 7, k from 34 to 40, both signs), side 48–80:
    /// both ends enclose the known values, the kernel accepts both claims, and the zero cluster
    /// is kept on the float route within width·‖H‖.
    #[test]
    fn low_rank_spectra_are_enclosed_on_the_float_route(
        n in 48usize..80,
        rank in 1usize..12,
        noise in prop::option::of(34i32..40),
        seed in 1u64..10_000,
    ) {
        let mut d: Vec<Q> = (0..rank)
            .map(|k| Q::from_integer((64 - 5 * k as i64).into()))
            .collect();
        match noise {
            Some(k) => d.extend(tiny(n - rank, seed).into_iter().map(|x| x * pow2(34 - k))),
            None => d.resize(n, Q::zero()),
        }
        let hf = householder(&d, &signs(n, seed));
        check_low_rank(&format!("n {n}, rank {rank}, noise {noise:?}"), &hf, &d, Cluster::Bottom);
    }
}

/// The 60 × 60 tiny-noise matrix, its exact −H and the certificate of λ_max(−H) = −λ_min.
fn cluster_end() -> (Vec<Vec<Q>>, MaxCertificate, Q) {
    let mut d = top_ten();
    d.extend(tiny(50, 2));
    let hf = householder(&d, &signs(60, 2));
    let s = Spectrum::of_binary64(&hf, &default_width());
    assert_eq!(s.neg_min.upper, Upper::DefiniteCholesky);
    let truth = -d.iter().min().unwrap().clone();
    (sharpness::negate(&exact(&hf)), s.neg_min, truth)
}

fn s(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

#[test]
fn the_kernel_accepts_the_cluster_end_untouched() {
    let (h, c, _) = cluster_end();
    assert_eq!(kernel_on_edited(&h, &c, |_| {}), Some(true));
}

#[test]
fn a_cluster_end_with_hi_below_the_true_value_is_rejected() {
    // hi one notch below −λ_min (hi − lo made to match): hi·I + H is then not PSD, and the
    // verified Cholesky must say so.
    let (h, c, truth) = cluster_end();
    let bad_hi = &truth - pow2(-80);
    assert!(bad_hi > c.lo);
    assert_eq!(
        kernel_on_edited(&h, &c, |o| {
            o.insert("hi".into(), s(&bad_hi));
            o.insert("hi_minus_lo".into(), s(&(&bad_hi - &c.lo)));
        }),
        Some(false)
    );
}

#[test]
fn a_cluster_end_with_lo_above_the_witness_is_rejected() {
    // lo above the witness's Rayleigh quotient (witness value made to match: it is negative).
    let (h, c, _) = cluster_end();
    let sharpness::Lower::Witness(v) = &c.lower else {
        panic!("{:?}", c.lower)
    };
    let (rho, _) = sharpness::rayleigh(&h, v);
    let high_lo = &rho + pow2(-90);
    assert!(high_lo < c.hi);
    let norm2: Q = v.iter().map(|x| x * x).sum();
    assert_eq!(
        kernel_on_edited(&h, &c, |o| {
            o.insert("lo".into(), s(&high_lo));
            o.insert("hi_minus_lo".into(), s(&(&c.hi - &high_lo)));
            o.insert("witness_value".into(), s(&((&rho - &high_lo) * &norm2)));
        }),
        Some(false)
    );
}

#[test]
fn a_cluster_end_moved_onto_another_matrix_is_rejected() {
    // The same certificate on −H + t·e_i e_iᵀ (i the largest diagonal entry, t the least power
    // of two that lifts it above hi): λ_max ≥ the new (−H)_ii > hi, so the claim is false.
    let (mut h, c, _) = cluster_end();
    let i = (0..h.len()).max_by(|&a, &b| h[a][a].cmp(&h[b][b])).unwrap();
    let mut t = pow2(-44);
    while &h[i][i] + &t <= c.hi {
        t *= Q::from_integer(2.into());
    }
    h[i][i] += t;
    let x = h[i][i].to_f64().unwrap();
    assert_eq!(from_f64_exact(x).as_ref(), Some(&h[i][i]), "not binary64");
    assert!(h[i][i] > c.hi);
    assert_ne!(kernel_on_edited(&h, &c, |_| {}), Some(true));
}

#[test]
fn the_cli_says_the_cluster_end_is_relative_to_the_norm() {
    let mut d = top_ten();
    d.extend(tiny(50, 5));
    let hf = householder(&d, &signs(60, 5));
    let path = temp_dir("low-rank-cli").join("h.npy");
    std::fs::write(&path, npy(&hf)).unwrap();
    let out = run(&["sharpness", "--matrix", path.to_str().unwrap(), "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("exact route"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let min = &v["lambda_min"];
    assert_eq!(min["width_relative_to_norm"], Value::Bool(true), "{min}");
    assert!(
        min["certificate"]
            .as_str()
            .unwrap()
            .contains("relative to ‖H‖"),
        "{min}"
    );
    let q = |k: &str| parse_q(min[k].as_str().unwrap()).unwrap();
    let bottom = d.iter().min().unwrap();
    assert!(&q("lo") <= bottom && bottom <= &q("hi"));
    assert!(v["lambda_max"].get("width_relative_to_norm").is_none());
}

#[test]
fn an_exact_fallback_is_announced_on_stderr() {
    // A triple top eigenvalue 3 over 45 ones at width 1e-30: no float route reaches it, and the
    // exact route (fast on a diagonal matrix) must not run without a note.
    let hf: Vec<Vec<f64>> = (0..48)
        .map(|i| {
            (0..48)
                .map(|j| match (i == j, i < 3) {
                    (true, true) => 3.0,
                    (true, false) => 1.0,
                    _ => 0.0,
                })
                .collect()
        })
        .collect();
    let path = temp_dir("low-rank-note").join("triple.npy");
    std::fs::write(&path, npy(&hf)).unwrap();
    let out = run(&[
        "sharpness",
        "--matrix",
        path.to_str().unwrap(),
        "--width",
        "1e-30",
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("note: λ_max") && err.contains("running the exact route"),
        "{err}"
    );
}
