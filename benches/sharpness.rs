//! Speed targets of issue 5 (SPEC §5, §6). Run: `cargo bench --bench sharpness`.
//!
//! - `certified_lambda_max/dense_d200_width1e-30`: a certified enclosure of λ_max of a dense
//!   200 × 200 symmetric matrix with entries p/4, p ∈ [−10, 10] (seeded), to relative width
//!   1e-30. Target: under 5 s.

use criterion::{criterion_group, criterion_main, Criterion};
use dlncheck::rational::{parse_q, Q};
use std::hint::black_box;

/// A seeded dense symmetric matrix with entries p/4, p ∈ [−10, 10].
fn dense(n: usize, seed: u64) -> Vec<Vec<Q>> {
    let mut s = seed;
    let mut h = vec![vec![Q::from_integer(0.into()); n]; n];
    for i in 0..n {
        for j in 0..=i {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = Q::new((((s >> 33) % 21) as i64 - 10).into(), 4.into());
            h[i][j] = v.clone();
            h[j][i] = v;
        }
    }
    h
}

fn certified(c: &mut Criterion) {
    let h = dense(200, 1);
    let width = parse_q("1e-30").unwrap_or_default();
    let mut g = c.benchmark_group("certified_lambda_max");
    g.sample_size(10);
    g.bench_function("dense_d200_width1e-30", |b| {
        b.iter(|| {
            let cert = dlncheck::sharpness::lambda_max(black_box(&h), &width);
            assert!(cert.relative_width() <= width);
            cert
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = certified
}
criterion_main!(benches);
