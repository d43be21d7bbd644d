//! S at several data points through the n × n Gauss–Newton Gram matrix (docs/trajectory.md,
//! "S at n > 1"; `spectra::gauss_newton`). The law: at every exact θ, of every model, the
//! enclosure [lo, hi] contains S = max|λ| of the full p × p Hessian, certified independently by
//! the dense exact route (`spectra::certified::Spectrum`, its own LDLᵀ inertia on the p × p
//! matrix); at zero loss it is λ_max of the n × n matrix itself.

use crate::common::{json_q, run_json};
use dlncheck::io::instance::Model;
use dlncheck::models::loss::{Data, curvature_bound, gauss_newton_gram, hessian};
use dlncheck::numeric::rational::Q;
use dlncheck::spectra::certified::Spectrum;
use dlncheck::spectra::gauss_newton::sharpness;
use num_traits::Zero;
use proptest::prelude::*;

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn width() -> Q {
    q(1, 1_000_000_000_000)
}

/// The full Hessian's S enclosure by the dense route (both ends).
fn dense_s(model: Model, data: &Data<Q>, theta: &[Q]) -> (Q, Q) {
    Spectrum::of(&hessian(model, data, theta), &width()).norm()
}

fn model_of(k: u8) -> Model {
    match k % 3 {
        0 => Model::Shared,
        1 => Model::Pm,
        _ => Model::Uv,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Weyl's inequality: the Gauss–Newton enclosure overlaps, and here contains, the dense
    /// enclosure of S (both are certified, so they must intersect; containment of the dense
    /// midpoint is what the law gives up to the dense route's width).
    #[test]
    fn enclosure_contains_the_full_hessians_s(
        k in 0u8..3,
        n in 2usize..4,
        d in 2usize..5,
        xs in proptest::collection::vec(-3i64..4, 16),
        ys in proptest::collection::vec(-4i64..5, 4),
        ts in proptest::collection::vec(-6i64..7, 10),
    ) {
        let model = model_of(k);
        let x: Vec<Vec<Q>> = (0..n).map(|j| (0..d).map(|i| q(xs[j * 4 + i], 1)).collect()).collect();
        let y: Vec<Q> = (0..n).map(|j| q(ys[j], 2)).collect();
        let p = d * if model == Model::Shared { 1 } else { 2 };
        let theta: Vec<Q> = (0..p).map(|i| q(ts[i], 4)).collect();
        let data = Data { x, y };
        let gn = sharpness(model, &data, &theta, &width());
        let (lo, hi) = dense_s(model, &data, &theta);
        let mid = (&lo + &hi) / q(2, 1);
        prop_assert!(gn.lo <= mid && mid <= gn.hi, "{model:?}: {} not in [{}, {}]", mid, gn.lo, gn.hi);
        prop_assert!(gn.lo <= hi && lo <= gn.hi);
        if gn.end == "top" {
            // S = λ_max was claimed: the dense route's λ_max must reach S's lower end.
            let sp = Spectrum::of(&hessian(model, &data, &theta), &width());
            prop_assert!(sp.max.hi >= gn.lo);
        }
    }

    /// At zero loss (y = Xβ(θ)) the curvature bound is 0 and the enclosure is λ_max of the
    /// n × n matrix, which equals the dense λ_max of the p × p Hessian.
    #[test]
    fn at_zero_loss_the_gram_matrix_has_the_hessians_top(
        k in 0u8..3,
        xs in proptest::collection::vec(-3i64..4, 12),
        ts in proptest::collection::vec(1i64..7, 8),
    ) {
        let model = model_of(k);
        let (n, d) = (3, 4);
        let x: Vec<Vec<Q>> = (0..n).map(|j| (0..d).map(|i| q(xs[j * 4 + i], 1)).collect()).collect();
        let p = d * if model == Model::Shared { 1 } else { 2 };
        let theta: Vec<Q> = (0..p).map(|i| q(ts[i], 3)).collect();
        let beta = dlncheck::models::model::beta(model, &theta);
        let y: Vec<Q> = x.iter().map(|r| r.iter().zip(&beta).map(|(a, b)| a * b).sum()).collect();
        let data = Data { x, y };
        prop_assert!(curvature_bound(model, &data, &theta).is_zero());
        let gn = sharpness(model, &data, &theta, &width());
        let (lo, hi) = dense_s(model, &data, &theta);
        prop_assert!(gn.lo <= hi && lo <= gn.hi);
        // The trace of the n × n matrix is the Hessian's trace (both are ‖J‖²/n).
        let k = gauss_newton_gram(model, &data, &theta);
        let h = hessian(model, &data, &theta);
        let tk: Q = (0..n).map(|j| k[j][j].clone()).sum();
        let th: Q = (0..p).map(|i| h[i][i].clone()).sum();
        prop_assert_eq!(tk, th);
    }
}

/// `gd --precision 256` at n > 1 prints S certified at the exact endpoint: the bracket is the
/// enclosure, it contains the dense route's S of the exact endpoint, and it is far narrower
/// than binary64; f64 keeps the binary64 value, not certified.
#[test]
fn wide_arithmetic_endpoint_s_is_certified() {
    let args = |p: &'static str| {
        [
            "gd",
            "examples/ten_points.toml",
            "--lr",
            "1/36",
            "--steps",
            "20000",
            "--precision",
            p,
            "--json",
        ]
    };
    let v = run_json(&args("256"));
    let f = &v["final"];
    assert_eq!(f["sharpness_certified"], true);
    assert_eq!(f["sharpness_end"], "top");
    let theta: Vec<Q> = f["theta"].as_array().unwrap().iter().map(json_q).collect();
    let inst =
        dlncheck::io::instance::read_instance(std::path::Path::new("examples/ten_points.toml"))
            .unwrap();
    let data = Data {
        x: inst.x.clone(),
        y: inst.y.clone(),
    };
    let fine = Q::new(1.into(), num_bigint::BigInt::from(10).pow(70));
    let (lo, hi) = Spectrum::of(&hessian(Model::Shared, &data, &theta), &fine).norm();
    let mid = (&lo + &hi) / q(2, 1);
    let b = &f["sharpness_bracket"];
    // Decimals of 77 digits: compare at a relative 1e-60.
    let (blo, bhi) = (json_q(&b["lo"]), json_q(&b["hi"]));
    let slack = &mid * q(1, 1) / Q::from_integer(num_bigint::BigInt::from(10).pow(60));
    assert!(blo - &slack <= mid && mid <= bhi.clone() + &slack);
    assert!(f["sharpness"].as_str().unwrap().len() > 60);
    let v64 = run_json(&args("f64"));
    assert_eq!(v64["final"]["sharpness_certified"], false);
    assert!(v64["final"]["sharpness"].as_str().unwrap().len() <= 24);
}
