//! Certified λ_max of float64 matrices at float speed (issue 12). Run:
//! `python benches/peer/make_matrices.py benches/peer/matrices 200 1000 2000` once (numpy), then
//! `cargo bench -p dlncheck-benches --bench verified_sharpness`. Sizes: `DLNCHECK_BENCH_SIZES`
//! (default `200,1000,2000`); matrices: `DLNCHECK_BENCH_MATRICES` (default
//! `benches/peer/matrices`), the very files `benches/peer/peer.py` times numpy and python-flint on.
//!
//! - `both_ends/d{d}_width1e-30`: [`Spectrum::of_binary64`], what `dlncheck sharpness --matrix`
//!   runs: λ_max and λ_min, each to relative width 1e-30 (one seed run, then both ends in
//!   parallel: fast Cholesky, double-double witness, exact Rayleigh, the kernel's check).
//! - `verified_lambda_max/d{d}_width1e-30`: [`verified_cholesky::lambda_max`], one end.
//! - `kernel_psd_by_cholesky/d{d}`: the kernel's verified Cholesky check of the certificate's gap
//!   (`psd_by_cholesky` with the certificate's μ, α and w: what `check` re-runs per end).
//! - `kernel_cholesky/d{d}`: the kernel's plain binary64 factorization (`linalg::cholesky`) alone
//!   on the same shifted matrix, so that the check's cost splits into factorization and the rest.
//! - `fast_cholesky/d{d}`: the producer's blocked float Cholesky on the same matrix;
//!   `fast_cholesky_binary32/d{d}` the same in binary32 (the preconditioner where the gap allows).
//! - `float_seed/d200_{nalgebra,jacobi}`: the float eigenvector that seeds the route, by nalgebra's
//!   `SymmetricEigen` and by the hand-written Jacobi solver it replaced, on the same d = 200 input.
//! - `low_rank/d{d}_width1e-12`: [`Spectrum::of_binary64`] at the CLI's default width on the
//!   low-rank Hessians of `benches/peer/make_lowrank.py` (rank 10 plus noise 1e-12·‖H‖:
//!   `python benches/peer/make_lowrank.py benches/peer/matrices 60 200 1000`), sizes
//!   `DLNCHECK_BENCH_LOWRANK_SIZES` (default `60,200,1000`; a missing file is skipped with a
//!   note). The cluster end stays on the binary64 route (asserted: no exact fallback).

use criterion::{Criterion, criterion_group, criterion_main};
use dlncheck::numeric::rational::{Q, parse_q};
use dlncheck::spectra::certified::{Lower, Spectrum, Upper};
use dlncheck::spectra::verified_cholesky;
use num_traits::ToPrimitive;
use std::hint::black_box;
use std::time::Duration;

fn matrix(d: usize) -> Vec<Vec<f64>> {
    read_npy(&format!("sym-{d}.npy"))
}

fn matrices_dir() -> std::path::PathBuf {
    std::env::var("DLNCHECK_BENCH_MATRICES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/peer/matrices").into())
        .into()
}

fn read_npy(name: &str) -> Vec<Vec<f64>> {
    let path = matrices_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run benches/peer/make_matrices.py first)",
            path.display()
        )
    });
    dlncheck::io::npy::parse_f64(&path.display().to_string(), &bytes)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn sizes() -> Vec<usize> {
    std::env::var("DLNCHECK_BENCH_SIZES")
        .unwrap_or_else(|_| "200,1000,2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn width() -> Q {
    parse_q("1e-30").unwrap_or_default()
}

fn verified(c: &mut Criterion) {
    let width = width();
    let mut g = c.benchmark_group("both_ends");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    for d in sizes() {
        let h = matrix(d);
        g.bench_function(format!("d{d}_width1e-30"), |b| {
            b.iter(|| {
                let s = Spectrum::of_binary64(black_box(&h), &width);
                assert!(s.max.relative_width() <= width && s.neg_min.relative_width() <= width);
                s
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("verified_lambda_max");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    for d in sizes() {
        let h = matrix(d);
        g.bench_function(format!("d{d}_width1e-30"), |b| {
            b.iter(|| {
                let cert = verified_cholesky::lambda_max(black_box(&h), &width)
                    .unwrap_or_else(|| panic!("d = {d}: not certified"));
                assert!(cert.relative_width() <= width);
                cert
            })
        });
    }
    g.finish();
}

/// The kernel's check of one end and its factorization alone, beside the producer's fast one.
fn factorizations(c: &mut Criterion) {
    let width = width();
    let mut g = c.benchmark_group("factorization");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    for d in sizes() {
        let h = matrix(d);
        let Some(cert) = verified_cholesky::lambda_max(&h, &width) else {
            continue;
        };
        let (Upper::KatoTempleCholesky { mu }, Lower::Witness(v)) = (&cert.upper, &cert.lower)
        else {
            continue;
        };
        // The certificate's α and w, derived as the kernel derives them (FORMAT.md §4.6).
        let parts: Vec<Vec<f64>> = v
            .iter()
            .map(|x| {
                let hi = x.to_f64().unwrap_or(0.0);
                vec![
                    hi,
                    (x - Q::from_float(hi).unwrap_or_default())
                        .to_f64()
                        .unwrap_or(0.0),
                ]
            })
            .collect();
        let (rho, _) = verified_cholesky::exact_rayleigh(&h, &parts);
        let s2: Q = v.iter().map(|x| x * x).sum();
        let alpha = (Q::from_integer(2.into()) * (&rho - mu) / s2)
            .to_f64()
            .unwrap_or(0.0);
        let w: Vec<f64> = v.iter().map(|x| x.to_f64().unwrap_or(0.0)).collect();
        assert!(dlncheck_kernel::linalg::psd_by_cholesky(&h, mu, alpha, &w).is_ok());
        g.bench_function(format!("kernel_psd_by_cholesky/d{d}"), |b| {
            b.iter(|| {
                dlncheck_kernel::linalg::psd_by_cholesky(black_box(&h), mu, alpha, &w)
                    .map(|l| l.len())
            })
        });
        // B̃ = μI − H + α·wwᵀ (the kernel's shift c is far below the gap: left out here).
        let muf = mu.to_f64().unwrap_or(0.0);
        let b_row_major: Vec<f64> = (0..d * d)
            .map(|k| {
                let (i, j) = (k / d, k % d);
                alpha * (w[i] * w[j]) - h[i][j] + if i == j { muf } else { 0.0 }
            })
            .collect();
        g.bench_function(format!("kernel_cholesky/d{d}"), |b| {
            b.iter(|| {
                let mut a = b_row_major.clone();
                assert!(dlncheck_kernel::linalg::cholesky(black_box(&mut a), d));
                a[d * d - 1]
            })
        });
        let b_col_major = nalgebra::DMatrix::from_row_slice(d, d, &b_row_major);
        g.bench_function(format!("fast_cholesky/d{d}"), |b| {
            b.iter(|| {
                let mut a = b_col_major.clone();
                assert!(verified_cholesky::fast_cholesky(black_box(&mut a)));
                a[(d - 1, d - 1)]
            })
        });
        // The same in binary32: the preconditioner's factor where the gap allows it.
        let b32 = b_col_major.map(|x| x as f32);
        g.bench_function(format!("fast_cholesky_binary32/d{d}"), |b| {
            b.iter(|| {
                let mut a = b32.clone();
                assert!(verified_cholesky::fast_cholesky(black_box(&mut a)));
                a[(d - 1, d - 1)]
            })
        });
    }
    g.finish();
}

fn seed(c: &mut Criterion) {
    let h = matrix(200);
    let mut g = c.benchmark_group("float_seed");
    g.sample_size(10);
    let hm = nalgebra::DMatrix::from_fn(200, 200, |i, j| h[i][j]);
    // d = 200 is above DENSE_SEED_MAX (128): the seed is one Lanczos run, not nalgebra's dense
    // eigensolver.
    g.bench_function("d200_lanczos", |b| {
        b.iter(|| verified_cholesky::seed(black_box(&hm)).top)
    });
    g.bench_function("d200_jacobi", |b| {
        b.iter(|| dlncheck::spectra::estimate::jacobi_eigen(black_box(&h)).0[0])
    });
    g.finish();
}

/// Both ends of a low-rank Hessian at the default width: the top by Kato–Temple, the cluster at 0
/// by the definite route at a width relative to ‖H‖.
fn low_rank(c: &mut Criterion) {
    let width = parse_q("1e-12").unwrap_or_default();
    let mut g = c.benchmark_group("low_rank");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    let sizes: Vec<usize> = std::env::var("DLNCHECK_BENCH_LOWRANK_SIZES")
        .unwrap_or_else(|_| "60,200,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for d in sizes {
        let name = format!("lowrank-{d}.npy");
        if !matrices_dir().join(&name).exists() {
            eprintln!("low_rank: {name} missing (run benches/peer/make_lowrank.py): skipped");
            continue;
        }
        let h = read_npy(&name);
        g.bench_function(format!("d{d}_width1e-12"), |b| {
            b.iter(|| {
                let s = Spectrum::of_binary64(black_box(&h), &width);
                assert!(s.max.relative_width() <= width);
                assert!(s.neg_min.upper == Upper::DefiniteCholesky);
                s
            })
        });
    }
    g.finish();
}

criterion_group!(benches, verified, factorizations, seed, low_rank);
criterion_main!(benches);
