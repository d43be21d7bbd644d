//! Certified λ_max of float64 matrices at float speed (issue 12). Run:
//! `python benches/peer/make_matrices.py benches/peer/matrices 200 1000 2000` once (numpy), then
//! `cargo bench -p dlncheck-benches --bench verified_sharpness`. Sizes: `DLNCHECK_BENCH_SIZES`
//! (default `200,1000,2000`); matrices: `DLNCHECK_BENCH_MATRICES` (default
//! `benches/peer/matrices`), the very files `benches/peer/peer.py` times numpy and python-flint on.
//!
//! - `verified_lambda_max/d{d}_width1e-30`: [`verified_cholesky::lambda_max`] on `sym-{d}.npy` to
//!   relative width 1e-30 (seed, one verified Cholesky, double-double witness, exact Rayleigh).
//! - `kernel_check/d{d}`: the kernel's verified Cholesky check of the certificate's gap
//!   (`psd_by_cholesky`, what `check` re-runs).
//! - `float_seed/d200_{nalgebra,jacobi}`: the float eigenvector that seeds the route, by nalgebra's
//!   `SymmetricEigen` and by the hand-written Jacobi solver it replaced, on the same d = 200 input.

use criterion::{criterion_group, criterion_main, Criterion};
use dlncheck::numeric::rational::parse_q;
use dlncheck::spectra::certified::Upper;
use dlncheck::spectra::verified_cholesky;
use std::hint::black_box;
use std::time::Duration;

fn matrix(d: usize) -> Vec<Vec<f64>> {
    let dir = std::env::var("DLNCHECK_BENCH_MATRICES").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/peer/matrices").into());
    let path = std::path::Path::new(&dir).join(format!("sym-{d}.npy"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run benches/peer/make_matrices.py first)", path.display()));
    dlncheck::io::npy::parse_f64(&path.display().to_string(), &bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn sizes() -> Vec<usize> {
    std::env::var("DLNCHECK_BENCH_SIZES").unwrap_or_else(|_| "200,1000,2000".into()).split(',').filter_map(|s| s.trim().parse().ok()).collect()
}

fn verified(c: &mut Criterion) {
    let width = parse_q("1e-30").unwrap_or_default();
    let mut g = c.benchmark_group("verified_lambda_max");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    for d in sizes() {
        let h = matrix(d);
        g.bench_function(format!("d{d}_width1e-30"), |b| {
            b.iter(|| {
                let cert = verified_cholesky::lambda_max(black_box(&h), &width).unwrap_or_else(|| panic!("d = {d}: not certified"));
                assert!(cert.relative_width() <= width);
                cert
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("kernel_check");
    g.sample_size(10).warm_up_time(Duration::from_millis(100));
    for d in sizes() {
        let h = matrix(d);
        let Some(cert) = verified_cholesky::lambda_max(&h, &width) else { continue };
        let Upper::KatoTempleCholesky { mu } = cert.upper else { continue };
        let dlncheck::spectra::certified::Lower::Witness(v) = &cert.lower else { continue };
        let w: Vec<f64> = v.iter().map(|x| num_traits::ToPrimitive::to_f64(x).unwrap_or(0.0)).collect();
        g.bench_function(format!("d{d}"), |b| b.iter(|| dlncheck_kernel::linalg::psd_by_cholesky(black_box(&h), &mu, 1.0, &w).map(|l| l.len())));
    }
    g.finish();
}

fn seed(c: &mut Criterion) {
    let h = matrix(200);
    let mut g = c.benchmark_group("float_seed");
    g.sample_size(10);
    let hm = nalgebra::DMatrix::from_fn(200, 200, |i, j| h[i][j]);
    g.bench_function("d200_nalgebra", |b| b.iter(|| verified_cholesky::seed(black_box(&hm)).top));
    g.bench_function("d200_jacobi", |b| b.iter(|| dlncheck::spectra::estimate::jacobi_eigen(black_box(&h)).0[0]));
    g.finish();
}

criterion_group!(benches, verified, seed);
criterion_main!(benches);
