//! Speed targets of issue 3: the exact best-linear QP with its certificate at d = 50 (target
//! under 1 s; the cold active-set path from a vertex, which T1-G inputs never need, at d = 20),
//! and the throughput of `search` at d = 4 on 1 and 2 threads (target speed-up ≥ 1.7).
//!
//! Run: `cargo bench --bench generalization`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dlncheck::io::instance::{Covariance, Instance, Model, Teacher};
use dlncheck::numeric::scalar::{qf, qi};
use dlncheck::theory::generalization::Setting;
use dlncheck::theory::search::{Target, evaluate};
use std::hint::black_box;

/// Dimension d (50 for the target): x_i = (50 + i)/50, dense Σ_ij = 2 if i = j else 2^−|i−j| (strictly diagonally
/// dominant, so positive definite), three atoms with entries (7i + 3a) mod 5 and weights
/// 1/2, 1/3, 1/6.
fn instance(d: usize) -> Instance {
    let x = (0..d).map(|i| qf(50 + i as i64, 50)).collect();
    let atoms = [(1, 2), (1, 3), (1, 6)]
        .iter()
        .enumerate()
        .map(|(a, &(n, m))| {
            (
                qf(n, m),
                (0..d).map(|i| qi(((7 * i + 3 * a) % 5) as i64)).collect(),
            )
        })
        .collect();
    let sigma = (0..d)
        .map(|i| {
            (0..d)
                .map(|j| {
                    if i == j {
                        qi(2)
                    } else {
                        qf(1, 1i64 << i.abs_diff(j).min(62))
                    }
                })
                .collect()
        })
        .collect();
    Instance {
        source: "bench".into(),
        model: Model::Shared,
        x: vec![x],
        y: vec![qi(1)],
        one_point: true,
        init: None,
        teacher: Some(Teacher::Discrete { atoms }),
        covariance: Covariance::Matrix(sigma),
        test: None,
    }
}

fn qp(c: &mut Criterion) {
    let inst = instance(50);
    let tree = serde_json::json!({"version": 2, "instance": {
        "model": "shared",
        "x": dlncheck::numeric::rational::fmt_qs(&inst.x[0]),
        "y": "1",
        "teacher": {"kind": "discrete", "atoms": match &inst.teacher { Some(Teacher::Discrete { atoms }) => atoms.iter().map(|(w, b)| serde_json::json!({"weight": dlncheck::numeric::rational::fmt_q(w), "beta": dlncheck::numeric::rational::fmt_qs(b)})).collect::<Vec<_>>(), _ => Vec::new() }},
        "population": {"covariance": match &inst.covariance { Covariance::Matrix(m) => m.iter().map(|r| dlncheck::numeric::rational::fmt_qs(r)).collect::<Vec<_>>(), Covariance::Identity => Vec::new() }},
    }});
    let mut g = c.benchmark_group("best_linear_qp");
    g.sample_size(10);
    let s = Setting::of(&inst).unwrap().unwrap();
    let sol = dlncheck::numeric::qp::best_linear(&s);
    let claim = serde_json::json!({"kind": "best-linear", "value": dlncheck::numeric::rational::fmt_q(&sol.value), "c": dlncheck::numeric::rational::fmt_qs(&sol.c), "nu": dlncheck::numeric::rational::fmt_q(&sol.nu), "mu": dlncheck::numeric::rational::fmt_qs(&sol.mu)});
    let mut file = tree.clone();
    file["claim"] = serde_json::json!([claim]);
    g.bench_function("d50_validate_solve_certificate", |b| {
        b.iter(|| {
            let s = Setting::of(black_box(&inst)).unwrap().unwrap();
            dlncheck::numeric::qp::best_linear(&s)
        })
    });
    g.bench_function("d50_kernel_check", |b| {
        b.iter(|| {
            let report =
                dlncheck_kernel::check_text("bench.json", black_box(&file.to_string())).unwrap();
            assert!(report.verdicts[0].verified());
        })
    });
    g.bench_function("d20_active_set_from_vertex", |b| {
        let s = Setting::of(&instance(20)).unwrap().unwrap();
        let all: Vec<usize> = (0..20).collect();
        b.iter(|| dlncheck::numeric::qp::minimise_on(black_box(&s), &all))
    });
    g.finish();
}

fn search(c: &mut Criterion) {
    let mut g = c.benchmark_group("search_d4");
    g.sample_size(10);
    g.throughput(Throughput::Elements(512));
    for jobs in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .unwrap();
        g.bench_function(format!("512_samples_{jobs}_threads"), |b| {
            b.iter(|| pool.install(|| evaluate(Target::NeitherBias, black_box(7), (4, 4), 0..512)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = qp, search
}
criterion_main!(benches);
