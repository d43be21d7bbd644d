//! The certified gradient-flow limit (issue 27 item 1, SPEC §5.2): d = 40, n = 12, relative
//! width 1e-30, in process. `certify` is the producer (Newton, Krawczyk box, S by Rayleigh
//! quotient iteration and one exact LDLᵀ); `check` the kernel's re-check of the `gf-limit`
//! claim; `certify+check` both, what `flow FILE --certify --claim OUT` costs. Target: under 1 s.

use criterion::{Criterion, criterion_group, criterion_main};
use dlncheck::io::instance::{Instance, parse_instance};
use dlncheck::theory::flow_limit::{self, Outcome};
use std::hint::black_box;

/// X with entries k/q, k ∈ [−9, 9], q ∈ [1, 5] (a fixed linear congruential sequence), a
/// 5-sparse teacher β* ≥ 0, y = Xβ*, α = 1/10.
fn instance(model: &str, n: usize, d: usize) -> Instance {
    let mut s: u64 = 27;
    let mut next = |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    let x: Vec<Vec<(i64, i64)>> = (0..n)
        .map(|_| {
            (0..d)
                .map(|_| (next(19) as i64 - 9, next(5) as i64 + 1))
                .collect()
        })
        .collect();
    let teacher: Vec<i64> = (0..d)
        .map(|i| if i % 8 == 3 { 1 + (i as i64 % 3) } else { 0 })
        .collect();
    let y: Vec<String> = x
        .iter()
        .map(|r| {
            let v: dlncheck::numeric::rational::Q = r
                .iter()
                .zip(&teacher)
                .map(|((k, q), t)| dlncheck::numeric::rational::Q::new((k * t).into(), (*q).into()))
                .sum();
            format!("\"{v}\"")
        })
        .collect();
    let rows: Vec<String> = x
        .iter()
        .map(|r| {
            let e: Vec<String> = r.iter().map(|(k, q)| format!("\"{k}/{q}\"")).collect();
            format!("[{}]", e.join(", "))
        })
        .collect();
    let text = format!(
        "model = \"{model}\"\nX = [{}]\ny = [{}]\n[init]\nalpha = \"1/10\"\n",
        rows.join(", "),
        y.join(", ")
    );
    let tree = dlncheck_kernel::tree::parse_text("bench.toml", &text).expect("parses");
    parse_instance("bench.toml", &tree).expect("valid instance")
}

fn flow(c: &mut Criterion) {
    let mut group = c.benchmark_group("flow");
    group.sample_size(10);
    let width = dlncheck::numeric::rational::parse_q("1e-30").unwrap();
    for model in ["shared", "pm"] {
        let inst = instance(model, 12, 40);
        let setup = flow_limit::setup(&inst).unwrap();
        let certify = || match flow_limit::certify(&setup, &width) {
            Outcome::Certified(l) => *l,
            Outcome::NotCertified(why) => panic!("{why}"),
        };
        let limit = certify();
        assert!(flow_limit::relative_width(&limit) <= width);
        let text = dlncheck::report::flow::claim_file(&inst, "bench", &limit).to_string();
        group.bench_function(format!("certify/{model}/n=12/d=40/1e-30"), |b| {
            b.iter(|| black_box(certify()))
        });
        group.bench_function(format!("check/{model}/n=12/d=40/1e-30"), |b| {
            b.iter(|| {
                let r = dlncheck_kernel::check_text("bench.json", black_box(&text)).unwrap();
                assert!(r.passed());
            })
        });
        group.bench_function(format!("certify+check/{model}/n=12/d=40/1e-30"), |b| {
            b.iter(|| {
                let l = certify();
                let file = dlncheck::report::flow::claim_file(&inst, "bench", &l).to_string();
                let r = dlncheck_kernel::check_text("bench.json", &file).unwrap();
                assert!(r.passed());
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotting needs system fonts that a fresh machine lacks.
    config = Criterion::default().without_plots();
    targets = flow
}
criterion_main!(benches);
