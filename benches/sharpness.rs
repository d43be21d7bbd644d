//! Speed targets of issue 5 (SPEC §5, §6). Run: `cargo bench --bench sharpness`.
//!
//! - `certified_lambda_max/dense_d200_width1e-30`: a certified enclosure of λ_max of a dense
//!   200 × 200 symmetric matrix with entries p/4, p ∈ [−10, 10] (seeded), to relative width
//!   1e-30. Target: under 5 s.
//! - `lanczos_f64/dense_d1000`: f64 Lanczos (full reorthogonalisation, tol 1e-12) for λ_max of a
//!   dense 1000 × 1000 matrix with the same generator; `benches/lanczos_vs_eigsh.py` runs scipy's
//!   `eigsh` on the identical matrix for the side-by-side ratio.
//! - `simplex/min_norm_n20_d200`: the exact T2 min-norm LP (shared) for X of size 20 × 200 with
//!   entries in {0, ..., 9} and y = Xβ* for a seeded β* ≥ 0. Target: under 2 s.
//! - `secular/shared_n1_d1e6`: the certified λ_max of the `shared` one-point Hessian
//!   2r·diag(x) + 4aaᵀ, a = x ⊙ w, for d = 10^6 (x_i = (i mod 17 + 1)/8, w_i = (i mod 7 + 1)/4,
//!   y = 1), relative width 1e-12, by the secular equation. Target: under 1 s.

use criterion::{Criterion, criterion_group, criterion_main};
use dlncheck::numeric::rational::{Q, parse_q};
use std::hint::black_box;

use dlncheck::numeric::random::dense_symmetric as dense;

fn certified(c: &mut Criterion) {
    let h = dense(200, 1);
    let width = parse_q("1e-30").unwrap_or_default();
    let mut g = c.benchmark_group("certified_lambda_max");
    g.sample_size(10);
    g.bench_function("dense_d200_width1e-30", |b| {
        b.iter(|| {
            let cert = dlncheck::spectra::certified::lambda_max(black_box(&h), &width);
            assert!(cert.relative_width() <= width);
            cert
        })
    });
    g.finish();
}

fn lanczos(c: &mut Criterion) {
    let h: Vec<Vec<f64>> = dense(1000, 1)
        .iter()
        .map(|r| r.iter().map(dlncheck::numeric::scalar::q_to_f64).collect())
        .collect();
    let op = dlncheck::spectra::estimate::Dense(h);
    let mut g = c.benchmark_group("lanczos_f64");
    g.sample_size(10);
    g.bench_function("dense_d1000", |b| {
        b.iter(|| {
            dlncheck::spectra::estimate::lanczos(
                black_box(&op),
                dlncheck::spectra::estimate::End::Largest,
                300,
                1e-12,
                1,
            )
        })
    });
    g.finish();
}

/// X (n × d) with entries in {0, ..., 9} and y = Xβ* for β* with entries in {0, 1, 2}.
fn t2_instance(n: usize, d: usize, seed: u64) -> dlncheck::numeric::simplex::Lp {
    let mut g = dlncheck::numeric::random::SplitMix64::new(seed);
    let mut next = |m: u64| g.next_u64() % m;
    let x: Vec<Vec<Q>> = (0..n)
        .map(|_| {
            (0..d)
                .map(|_| Q::from_integer((next(10) as i64).into()))
                .collect()
        })
        .collect();
    let beta: Vec<Q> = (0..d)
        .map(|_| Q::from_integer((next(3) as i64).into()))
        .collect();
    let y = x
        .iter()
        .map(|r| r.iter().zip(&beta).map(|(a, b)| a * b).sum())
        .collect();
    dlncheck::numeric::simplex::Lp {
        a: x,
        b: y,
        c: vec![Q::from_integer(1.into()); d],
    }
}

fn simplex(c: &mut Criterion) {
    let lp = t2_instance(20, 200, 3);
    let mut g = c.benchmark_group("simplex");
    g.sample_size(10);
    g.bench_function("min_norm_n20_d200", |b| {
        b.iter(|| dlncheck::numeric::simplex::solve(black_box(&lp)))
    });
    g.finish();
}

fn secular(c: &mut Criterion) {
    let d = 1_000_000usize;
    let x: Vec<Q> = (0..d)
        .map(|i| Q::new(((i % 17 + 1) as i64).into(), 8.into()))
        .collect();
    let w: Vec<Q> = (0..d)
        .map(|i| Q::new(((i % 7 + 1) as i64).into(), 4.into()))
        .collect();
    let r: Q = x.iter().zip(&w).map(|(xi, wi)| xi * wi * wi).sum::<Q>() - Q::from_integer(1.into());
    let two_r = Q::from_integer(2.into()) * r;
    let diag: Vec<Q> = x.iter().map(|xi| &two_r * xi).collect();
    let a: Vec<Q> = x.iter().zip(&w).map(|(xi, wi)| xi * wi).collect();
    let four = Q::from_integer(4.into());
    let width = parse_q("1e-12").unwrap_or_default();
    let mut g = c.benchmark_group("secular");
    g.sample_size(10);
    g.bench_function("shared_n1_d1e6", |b| {
        b.iter(|| dlncheck::spectra::certified::rank_one_max(black_box(&diag), &a, &four, &width))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = certified, lanczos, simplex, secular
}
criterion_main!(benches);
