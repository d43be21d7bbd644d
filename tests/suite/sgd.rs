//! Mini-batch SGD (`gd --batch B --seed S`, docs/sgd.md): the sample order is SplitMix64 with an
//! unbiased `below(m)`, epochs of a Fisher–Yates shuffle (or i.i.d. draws with replacement), and
//! the step is the generic GD step on the batch's rows. Checked against the published SplitMix64
//! test vector, against an independent SGD written here (its own generator, shuffle and loop, over
//! num-rational and over f64), against values of the Python re-implementation
//! `benches/peer/sgd_reference.py` (exact Fractions), and B = n against plain GD bit for bit.

use crate::common::run_json as json;
use crate::common::{run, temp_dir};
use dlncheck::dynamics::gd::{Points, Precision, run_points};
use dlncheck::dynamics::sgd::{SampleOrder, Sgd};
use dlncheck::io::instance::read_instance;
use dlncheck::numeric::random::SplitMix64;
use dlncheck::numeric::rational::{Q, fmt_q, parse_q};
use proptest::prelude::*;
use std::path::Path;

const FOUR: &str = "examples/four-points-uv.toml";

/// The test's own SplitMix64 (Steele, Lea, Flood 2014) and rejection sampler, from the text of
/// docs/sgd.md.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, m: u64) -> u64 {
        let floor = ((1u128 << 64) % m as u128) as u64;
        loop {
            let x = self.next();
            if x >= floor {
                return x % m;
            }
        }
    }
}

/// The batches of the first `steps` steps, from the test's generator.
fn batches(n: usize, b: usize, seed: u64, replacement: bool, steps: usize) -> Vec<Vec<usize>> {
    let mut g = Gen(seed);
    let mut out = Vec::new();
    let mut perm: Vec<usize> = Vec::new();
    let mut pos = n;
    while out.len() < steps {
        let mut batch: Vec<usize> = if replacement {
            (0..b).map(|_| g.below(n as u64) as usize).collect()
        } else {
            if pos == n {
                perm = (0..n).collect();
                for i in (1..n).rev() {
                    let j = g.below(i as u64 + 1) as usize;
                    perm.swap(i, j);
                }
                pos = 0;
            }
            let end = (pos + b).min(n);
            let s = perm[pos..end].to_vec();
            pos = end;
            s
        };
        batch.sort();
        out.push(batch);
    }
    out
}

/// SGD on model uv written out by hand over any field: r = Xβ − y, g = Σ_{j ∈ batch} r_j x_j,
/// c = η/B, u ← u − c·g⊙v, v ← v − c·g⊙u (SPEC §1: ∂β_k/∂u_k = v_k, ∂β_k/∂v_k = u_k).
fn uv_sgd<T>(x: &[Vec<T>], y: &[T], theta: &mut [T], eta: T, order: &[Vec<usize>], zero: T)
where
    T: Clone
        + std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + From<i32>,
{
    let d = x[0].len();
    for batch in order {
        let beta: Vec<T> = (0..d)
            .map(|k| theta[k].clone() * theta[d + k].clone())
            .collect();
        let r: Vec<T> = x
            .iter()
            .zip(y)
            .map(|(row, yj)| {
                let mut acc = zero.clone();
                for k in 0..d {
                    acc = acc + row[k].clone() * beta[k].clone();
                }
                acc - yj.clone()
            })
            .collect();
        let mut g = vec![zero.clone(); d];
        for &j in batch {
            for k in 0..d {
                g[k] = g[k].clone() + r[j].clone() * x[j][k].clone();
            }
        }
        let c = eta.clone() / T::from(batch.len() as i32);
        for k in 0..d {
            let (u, v) = (theta[k].clone(), theta[d + k].clone());
            let cg = c.clone() * g[k].clone();
            theta[k] = u.clone() - cg.clone() * v.clone();
            theta[d + k] = v - cg * u;
        }
    }
}

/// An exact rational of the test's own loop (num-rational, with `From<i32>`).
#[derive(Clone, Debug, PartialEq)]
struct R(Q);
impl From<i32> for R {
    fn from(v: i32) -> R {
        R(Q::from_integer(v.into()))
    }
}
macro_rules! op {
    ($tr:ident, $f:ident) => {
        impl std::ops::$tr for R {
            type Output = R;
            fn $f(self, o: R) -> R {
                R(std::ops::$tr::$f(self.0, o.0))
            }
        }
    };
}
op!(Add, add);
op!(Sub, sub);
op!(Mul, mul);
op!(Div, div);

fn points(path: &str) -> Points {
    Points::of(&read_instance(Path::new(path)).unwrap()).unwrap()
}

fn opts(
    eta: &str,
    steps: u64,
    prec: Precision,
    sgd: Option<Sgd>,
) -> dlncheck::dynamics::gd::Options {
    let mut o = dlncheck::report::gd::options(parse_q(eta).unwrap(), steps, prec, Some("0"), false)
        .unwrap();
    o.sgd = sgd;
    o
}

fn sgd(batch: usize, seed: u64, replacement: bool) -> Option<Sgd> {
    Some(Sgd {
        batch,
        seed,
        replacement,
    })
}

#[test]
fn splitmix64_gives_the_published_test_vector() {
    // The first outputs for seed 0 of the reference implementation (Vigna, splitmix64.c).
    let mut g = SplitMix64::new(0);
    assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    assert_eq!(g.next_u64(), 0x06C4_5D18_8009_454F);
}

#[test]
fn below_rejects_exactly_the_draws_under_two_to_the_64_mod_m() {
    // m = 2^63 + 1: 2^64 mod m = 2^63 − 1, so about half the draws are rejected; the result is
    // the first accepted draw mod m, which the test finds by hand.
    let m = (1u64 << 63) + 1;
    for seed in 0..50 {
        let mut draws = SplitMix64::new(seed);
        let expected = loop {
            let x = draws.next_u64();
            if x >= (1u64 << 63) - 1 {
                break x % m;
            }
        };
        assert_eq!(SplitMix64::new(seed).below(m), expected);
    }
    // m = 1 accepts every draw.
    assert_eq!(SplitMix64::new(3).below(1), 0);
}

proptest! {
    #[test]
    fn below_agrees_with_the_independent_sampler(seed in any::<u64>(), m in 1u64..=u64::MAX) {
        let (mut a, mut b) = (SplitMix64::new(seed), Gen(seed));
        for _ in 0..4 {
            let v = a.below(m);
            prop_assert!(v < m);
            prop_assert_eq!(v, b.below(m));
        }
    }

    #[test]
    fn the_sample_order_is_the_documented_one(
        n in 1usize..40, b in 1usize..40, seed in any::<u64>(), replacement in any::<bool>()
    ) {
        let b = b.min(n);
        let mut order = SampleOrder::new(&Sgd { batch: b, seed, replacement }, n);
        let expected = batches(n, b, seed, replacement, 3 * n.div_ceil(b) + 1);
        for want in &expected {
            prop_assert_eq!(order.next_batch(), want.as_slice());
        }
        // Without replacement every epoch covers each index exactly once.
        if !replacement {
            let per_epoch = n.div_ceil(b);
            let mut seen: Vec<usize> = expected[..per_epoch].concat();
            seen.sort();
            prop_assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }
}

#[test]
fn a_batch_of_all_n_points_is_plain_gd_bit_for_bit() {
    let ten = points("examples/ten_points.toml");
    let gd = run_points(
        &ten,
        Precision::F64,
        &opts("1/36", 400, Precision::F64, None),
        &|_| {},
    );
    for seed in [0, 1, 99] {
        let s = run_points(
            &ten,
            Precision::F64,
            &opts("1/36", 400, Precision::F64, sgd(10, seed, false)),
            &|_| {},
        );
        assert_eq!((s.steps, s.stop), (gd.steps, gd.stop));
        assert_eq!(s.theta, gd.theta, "f64, seed {seed}");
    }
    let four = points(FOUR);
    let gd = run_points(
        &four,
        Precision::Exact,
        &opts("1/10", 3, Precision::Exact, None),
        &|_| {},
    );
    let s = run_points(
        &four,
        Precision::Exact,
        &opts("1/10", 3, Precision::Exact, sgd(4, 5, false)),
        &|_| {},
    );
    assert_eq!(s.theta, gd.theta);
    // A smaller batch is a different trajectory.
    let s = run_points(
        &four,
        Precision::Exact,
        &opts("1/10", 3, Precision::Exact, sgd(2, 5, false)),
        &|_| {},
    );
    assert_ne!(s.theta, gd.theta);
}

/// β = u⊙v of an exact θ, as rational strings.
fn beta_strings(theta: &[Q]) -> Vec<String> {
    let d = theta.len() / 2;
    (0..d)
        .map(|k| fmt_q(&(&theta[k] * &theta[d + k])))
        .collect()
}

#[test]
fn exact_sgd_is_pinned_by_two_independent_implementations() {
    let p = points(FOUR);
    let x: Vec<Vec<R>> =
        p.x.iter()
            .map(|r| r.iter().cloned().map(R).collect())
            .collect();
    let y: Vec<R> = p.y.iter().cloned().map(R).collect();
    // Values printed by `python benches/peer/sgd_reference.py` (Fractions) on this instance.
    let python = [
        (
            2,
            7,
            false,
            [
                "280749402911018111997218371106511000508544742042680585449/1014120480182583521197362564300800000000000000000000000000",
                "2356633884170934090167769571955674154487451490713683861/15845632502852867518708790067200000000000000000000000000",
                "3129948213099620476941401476560315781325822938257007734441/16225927682921336339157801028812800000000000000000000000000",
            ],
        ),
        (
            3,
            11,
            true,
            [
                "242653356864155121232578402467403039001/901736973729792000000000000000000000000",
                "120712345683831596618844953697363677/815372697600000000000000000000000000",
                "126820535295828622235907532924119146035339/641235181318963200000000000000000000000000",
            ],
        ),
    ];
    for (b, seed, replacement, pinned) in python {
        let s = run_points(
            &p,
            Precision::Exact,
            &opts("1/10", 3, Precision::Exact, sgd(b, seed, replacement)),
            &|_| {},
        );
        assert_eq!(s.steps, 3);
        let mut theta: Vec<R> = p.theta0.iter().cloned().map(R).collect();
        let order = batches(4, b, seed, replacement, 3);
        uv_sgd(
            &x,
            &y,
            &mut theta,
            R(parse_q("1/10").unwrap()),
            &order,
            R::from(0),
        );
        let theirs: Vec<Q> = theta.into_iter().map(|r| r.0).collect();
        assert_eq!(s.theta, theirs, "B = {b}, seed {seed}");
        assert_eq!(beta_strings(&s.theta), pinned);
    }
}

#[test]
fn f64_sgd_matches_the_independent_loop_bit_for_bit() {
    let p = points(FOUR);
    let f = |q: &Q| dlncheck::numeric::scalar::q_to_f64(q);
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct F(f64);
    impl From<i32> for F {
        fn from(v: i32) -> F {
            F(v as f64)
        }
    }
    impl std::ops::Add for F {
        type Output = F;
        fn add(self, o: F) -> F {
            F(self.0 + o.0)
        }
    }
    impl std::ops::Sub for F {
        type Output = F;
        fn sub(self, o: F) -> F {
            F(self.0 - o.0)
        }
    }
    impl std::ops::Mul for F {
        type Output = F;
        fn mul(self, o: F) -> F {
            F(self.0 * o.0)
        }
    }
    impl std::ops::Div for F {
        type Output = F;
        fn div(self, o: F) -> F {
            F(self.0 / o.0)
        }
    }
    let x: Vec<Vec<F>> =
        p.x.iter()
            .map(|r| r.iter().map(|q| F(f(q))).collect())
            .collect();
    let y: Vec<F> = p.y.iter().map(|q| F(f(q))).collect();
    for (b, seed, replacement) in [(1, 0, false), (2, 7, false), (3, 11, true), (4, 2, true)] {
        let s = run_points(
            &p,
            Precision::F64,
            &opts("1/10", 200, Precision::F64, sgd(b, seed, replacement)),
            &|_| {},
        );
        assert_eq!(s.steps, 200, "tol 0: runs to the step limit");
        let mut theta: Vec<F> = p.theta0.iter().map(|q| F(f(q))).collect();
        let order = batches(4, b, seed, replacement, 200);
        uv_sgd(&x, &y, &mut theta, F(0.1), &order, F(0.0));
        let ours: Vec<f64> = s.theta.iter().map(f).collect();
        let theirs: Vec<f64> = theta.iter().map(|t| t.0).collect();
        assert_eq!(
            ours, theirs,
            "B = {b}, seed {seed}, replacement {replacement}"
        );
    }
}

fn stderr_of(args: &[&str]) -> (i32, String) {
    let out = run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_batch_settings_are_one_line_errors() {
    for (args, needle) in [
        (vec!["--batch", "0"], "from 1 to n = 4"),
        (vec!["--batch", "5"], "from 1 to n = 4"),
        (vec!["--batch", "2", "--certify"], "--certify"),
        (vec!["--seed", "3"], "--seed needs --batch"),
        (vec!["--replacement"], "--replacement needs --batch"),
        (vec!["--batch", "2", "--checks"], "not with --batch"),
        (vec!["--batch", "2", "--audit"], "not with --batch"),
    ] {
        let mut all = vec!["gd", FOUR, "--lr", "1/10", "--steps", "5"];
        all.extend(args.iter());
        let (code, err) = stderr_of(&all);
        assert_eq!(code, 2, "{all:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    let dir = temp_dir("sgd-sweep-errors");
    let out = dir.display().to_string();
    let (code, err) = stderr_of(&[
        "sweep",
        FOUR,
        "--lr-from",
        "1/10",
        "--lr-to",
        "1/5",
        "--points",
        "2",
        "--out",
        &out,
        "--batch",
        "9",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("from 1 to n = 4"), "{err}");
}

#[test]
fn gd_json_records_the_sample_order_only_when_sgd_ran() {
    let plain = json(&["gd", FOUR, "--lr", "1/10", "--steps", "20", "--json"]);
    for key in ["batch", "seed", "replacement"] {
        assert!(plain.get(key).is_none(), "{key} in a full-batch run");
    }
    let v = json(&[
        "gd",
        FOUR,
        "--lr",
        "1/10",
        "--steps",
        "20",
        "--batch",
        "3",
        "--seed",
        "42",
        "--replacement",
        "--json",
    ]);
    assert_eq!(v["batch"], 3);
    assert_eq!(v["seed"], 42);
    assert_eq!(v["replacement"], true);
    // The default seed is 0, and the same seed gives the same run.
    let a = json(&[
        "gd", FOUR, "--lr", "1/10", "--steps", "20", "--batch", "2", "--json",
    ]);
    let b = json(&[
        "gd", FOUR, "--lr", "1/10", "--steps", "20", "--batch", "2", "--seed", "0", "--json",
    ]);
    assert_eq!(a["seed"], 0);
    assert_eq!(a["final"]["theta"], b["final"]["theta"]);
}

#[test]
fn sweep_records_the_sample_order_and_beta_per_rate() {
    let dir = temp_dir("sgd-sweep");
    let out = dir.display().to_string();
    let o = run(&[
        "sweep",
        FOUR,
        "--lr-from",
        "1/20",
        "--lr-to",
        "1/10",
        "--points",
        "2",
        "--out",
        &out,
        "--steps",
        "50",
        "--batch",
        "2",
        "--seed",
        "7",
        "--beta",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for col in [
        "beta_l1",
        "beta_1",
        "beta_2",
        "beta_3",
        "batch",
        "seed",
        "replacement",
    ] {
        assert!(header.contains(&col), "{col} missing: {header:?}");
    }
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(sweep["sgd"]["batch"], 2);
    assert_eq!(sweep["sgd"]["seed"], 7);
    assert_eq!(sweep["sgd"]["replacement"], false);
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (k, line) in csv.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[at("batch")], "2");
        assert_eq!(cells[at("seed")], "7");
        // β per rate in the CSV is sweep.json's β; and the run is `gd --batch` at that rate.
        let row = &sweep["rows"][k];
        for i in 0..3 {
            assert_eq!(cells[at(&format!("beta_{}", i + 1))], row["beta"][i]);
        }
        let lr = row["lr"].as_str().unwrap();
        let g = json(&[
            "gd", FOUR, "--lr", lr, "--steps", "50", "--batch", "2", "--seed", "7", "--json",
        ]);
        assert_eq!(g["final"]["beta"], row["beta"]);
    }
}
