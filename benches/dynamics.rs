//! Speed of gradient descent (issue 4, SPEC §4). Inputs are named in each benchmark id.
//!
//! - `gd_step/f64/d=1000000`: one fused step w ← w⊙(1 − 2ηr x), r ← ⟨x, w⊙w⟩ − y in f64;
//!   it streams x (read) and w (read + write), 24 bytes per coordinate, so the effective memory
//!   bandwidth is 24·10^6 bytes / (time per step).
//! - `gd_step/bf256/d=100`: the same generic step on 256-bit binary floats (`BigFloat`, dashu).
//! - `gd_step/f256/d=100`: the same step, same problem, on the fixed-size `F256` that
//!   `--precision 256` runs on (compare with `benches/gd_mpmath.py`).
//! - `gd_run/f64/d=100/steps=10000`: one learning rate of the sweep target (256 of them in
//!   < 10 s on 2 cores).
//! - `flow_report/d=3`: the certified gradient-flow limit and η_c of `examples/eos.toml`.
//! - `certified/*` (issue 11, SPEC §4.1): 10^4 steps of the certified GD trajectory (dyadic
//!   intervals at 256 bits) at d = 100, η = 4/10, beside the 256-bit float run of the same
//!   trajectory (`F256`, `--precision 256`), and the kernel's re-check of a `gd-limit` claim.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dlncheck::dynamics::gd::{self as dynamics, Data, Precision, Problem};
use dlncheck::io::instance::Model;
use dlncheck::numeric::float256::F256;
use dlncheck::numeric::rational::Q;
use dlncheck::numeric::scalar::{BigFloat, Scalar};
use std::hint::black_box;

fn problem(d: usize) -> Problem {
    // x_i = 1 + i/d, y = 1, w0 = 1/10: the shape of examples/d100.toml at any d.
    let x = (0..d)
        .map(|i| Q::new(((d + i) as i64).into(), (d as i64).into()))
        .collect();
    Problem {
        model: Model::Shared,
        x,
        y: Q::from_integer(1.into()),
        theta0: vec![Q::new(1.into(), 10.into()); d],
    }
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("gd_step");
    let d = 1_000_000;
    let p = problem(d);
    let data = Data::<f64>::new(&p, &());
    let eta = 1e-7f64;
    let mut s = data.state(vec![0.1; d]);
    g.throughput(Throughput::Bytes(24 * d as u64));
    g.bench_function(BenchmarkId::new("f64", format!("d={d}")), |b| {
        b.iter(|| data.step(black_box(&eta), &mut s))
    });
    let p = problem(100);
    let data = Data::<BigFloat>::new(&p, &256);
    let eta = BigFloat::from_q(&Q::new(1.into(), 10.into()), &256);
    let mut s = data.state(p.theta0.iter().map(|q| BigFloat::from_q(q, &256)).collect());
    g.throughput(Throughput::Elements(100));
    g.bench_function(BenchmarkId::new("bf256", "d=100"), |b| {
        b.iter(|| data.step(black_box(&eta), &mut s))
    });
    let data = Data::<F256>::new(&p, &());
    let eta = F256::from_q(&Q::new(1.into(), 10.into()), &());
    let mut s = data.state(p.theta0.iter().map(|q| F256::from_q(q, &())).collect());
    g.bench_function(BenchmarkId::new("f256", "d=100"), |b| {
        b.iter(|| data.step(black_box(&eta), &mut s))
    });
    g.finish();
}

fn runs(c: &mut Criterion) {
    let p = problem(100);
    let opts = dlncheck::report::gd::options(
        Q::new(4.into(), 10.into()),
        10_000,
        Precision::F64,
        Some("0"),
        false,
    )
    .expect("options");
    c.bench_function("gd_run/f64/d=100/steps=10000", |b| {
        b.iter(|| dynamics::run_summary(black_box(&p), Precision::F64, &opts, &|_| {}))
    });
    let inst = dlncheck::io::instance::read_instance(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/eos.toml"
    )))
    .expect("example");
    let p = Problem::of(&inst).expect("problem");
    let mut g = c.benchmark_group("flow_report");
    g.sample_size(10);
    g.bench_function("d=3", |b| {
        b.iter(|| dlncheck::dynamics::eos::flow_report(black_box(&p)).expect("flow"))
    });
    g.finish();
}

fn certified(c: &mut Criterion) {
    use dlncheck::dynamics::certified_gd::{Certified, Trajectory, certify};
    let p = problem(100);
    let (alpha, eta) = (Q::new(1.into(), 10.into()), Q::new(4.into(), 10.into()));
    let mut g = c.benchmark_group("certified");
    g.sample_size(10);
    g.bench_function("trajectory/bits=256/d=100/steps=10000", |b| {
        b.iter(|| {
            let mut t = Trajectory::new(black_box(&p.x), &p.y, &alpha, &eta, 256);
            for _ in 0..10_000 {
                t.step().expect("bounded");
            }
            t
        })
    });
    let opts =
        dlncheck::report::gd::options(eta.clone(), 10_000, Precision::Bits(256), Some("0"), false)
            .expect("options");
    g.bench_function("float256/d=100/steps=10000", |b| {
        b.iter(|| dynamics::run_summary(black_box(&p), Precision::Bits(256), &opts, &|_| {}))
    });
    let Certified::Converged(limit) = certify(&p.x, &p.y, &alpha, &eta, 100_000, Some(256)) else {
        panic!("certified at 4/10")
    };
    let inst = serde_json::json!({"model": "shared", "x": dlncheck::numeric::rational::fmt_qs(&p.x), "y": "1", "init": {"alpha": "1/10"}});
    let file = dlncheck::io::claims::claim_file("bench", Some(inst), vec![limit.claim(&eta)]);
    let text =
        dlncheck::io::claims::render(std::path::Path::new("bench.json"), &file).expect("render");
    g.bench_function(
        BenchmarkId::new("kernel-check", format!("d=100/steps={}", limit.steps)),
        |b| {
            b.iter(|| {
                let r = dlncheck_kernel::check_text("bench.json", black_box(&text))
                    .expect("well-formed");
                assert!(r.passed());
            })
        },
    );
    g.bench_function(
        BenchmarkId::new("certify", format!("d=100/steps={}", limit.steps)),
        |b| b.iter(|| certify(black_box(&p.x), &p.y, &alpha, &eta, 100_000, Some(256))),
    );
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotting needs system fonts that a fresh machine lacks.
    config = Criterion::default().without_plots();
    targets = steps, runs, certified
}
criterion_main!(benches);
