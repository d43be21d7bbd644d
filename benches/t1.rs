//! T1 at scale (issue 2): solve + certify + kernel check for one data point with d = 10⁵ and
//! 64-bit rational entries (numerators and denominators of up to 64 bits), in process, from a
//! parsed instance tree. Target: under 1 s on the 2-core CI machine.

use criterion::{Criterion, criterion_group, criterion_main};

use dlncheck::io::instance::JsonTree;
use dlncheck::io::{claims, instance};
use dlncheck::numeric::random;
use std::hint::black_box;

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("t1");
    group.sample_size(10);
    for (model, d) in [("shared", 100_000usize), ("uv", 100_000)] {
        let tree = instance::Tree::from_json(&random::instance(&random::Spec {
            model: model.into(),
            d,
            bits: 64,
            seed: 42,
            positive: model == "shared",
        }));
        group.bench_function(format!("solve+certify+check/{model}/d={d}/64-bit"), |b| {
            b.iter(|| {
                let inst =
                    instance::parse_instance("bench", black_box(&tree)).expect("valid instance");
                let claims = claims::t1_claims(&inst, false).expect("feasible");
                let file = claims::claim_file(
                    "bench",
                    Some(claims::claim_instance(&inst, false, false)),
                    claims,
                );
                let report = dlncheck_kernel::check_text("bench.json", &file.to_string())
                    .expect("well-formed");
                assert!(report.passed());
            })
        });
        let inst = instance::parse_instance("bench", &tree).expect("valid instance");
        group.bench_function(format!("solve/{model}/d={d}/64-bit"), |b| {
            b.iter(|| dlncheck::theory::optimum::solve(black_box(&inst)).expect("feasible"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotting needs system fonts that a fresh machine lacks.
    config = Criterion::default().without_plots();
    targets = pipeline
}
criterion_main!(benches);
