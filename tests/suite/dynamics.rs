//! Gradient descent, sharpness, gradient flow and the EoS checks (SPEC §4), tested against
//! closed forms, exact arithmetic and the dense Hessian.

use dlncheck::dynamics::gd::{self as dynamics, Data, Precision, Problem, extreme_eigenvalues};
use dlncheck::io::instance::{Init, Instance, JsonTree, Model, parse_instance};
use dlncheck::models::loss;
use dlncheck::numeric::interval::exp_bounds;
use dlncheck::numeric::rational::{Q, parse_q};
use dlncheck::theory::flow::Flow;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn instance(model: &str, x: &[Q], y: &Q, theta: Option<&[Q]>) -> Instance {
    let s = |v: &Q| dlncheck::numeric::rational::fmt_q(v);
    let mut tree =
        serde_json::json!({"model": model, "x": x.iter().map(s).collect::<Vec<_>>(), "y": s(y)});
    if let Some(t) = theta {
        tree["init"] = serde_json::json!({"theta": t.iter().map(s).collect::<Vec<_>>()});
    }
    parse_instance("test", &dlncheck::io::instance::Tree::from_json(&tree)).expect("valid instance")
}

fn small_q() -> impl Strategy<Value = Q> {
    (-12i64..=12, 1i64..=6).prop_map(|(n, d)| q(n, d))
}

fn nonzero_q() -> impl Strategy<Value = Q> {
    small_q().prop_filter("non-zero", |v| !v.is_zero())
}

fn problem_strategy(model: Model) -> impl Strategy<Value = Problem> {
    let block = model.block();
    (1usize..=4).prop_flat_map(move |d| {
        (
            prop::collection::vec(small_q(), d),
            nonzero_q(),
            prop::collection::vec(nonzero_q(), d * block),
        )
            .prop_map(move |(x, y, theta0)| Problem {
                model,
                x,
                y,
                theta0,
            })
    })
}

fn any_problem() -> impl Strategy<Value = Problem> {
    prop_oneof![problem_strategy(Model::Shared), problem_strategy(Model::Uv)]
}

fn pow2(k: usize) -> Q {
    Q::new(1.into(), num_bigint::BigInt::one() << k)
}

fn dense_hessian(p: &Problem, theta: &[Q]) -> Vec<Vec<Q>> {
    let data = loss::Data::<Q> {
        x: vec![p.x.clone()],
        y: vec![p.y.clone()],
    };
    loss::hessian(p.model, &data, theta)
}

fn shifted(h: &[Vec<Q>], lambda: &Q, sign: i64) -> Vec<Vec<Q>> {
    // sign = 1: λI − H; sign = −1: H − λI.
    let s = Q::from_integer(sign.into());
    h.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, v)| {
                    let diag = if i == j { lambda.clone() } else { Q::zero() };
                    &s * (diag - v)
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The fused step equals θ − η∇L(θ) with ∇L from the generic loss module, exactly on Q.
    #[test]
    fn exact_step_is_generic_gradient_step(p in any_problem(), eta in (1i64..=5, 1i64..=40)) {
        let eta = q(eta.0, eta.1);
        let data = Data::<Q>::new(&p, &());
        let mut s = data.state(p.theta0.clone());
        data.step(&eta, &mut s);
        let ldata = loss::Data::<Q> { x: vec![p.x.clone()], y: vec![p.y.clone()] };
        let g = loss::gradient(p.model, &ldata, &p.theta0);
        let expect: Vec<Q> = p.theta0.iter().zip(&g).map(|(t, gi)| t - &eta * gi).collect();
        prop_assert_eq!(&s.theta, &expect);
        prop_assert_eq!(s.r, loss::residuals(p.model, &ldata, &expect)[0].clone());
    }

    /// The secular-equation enclosures of λ_max and λ_min on Q are certified by exact LDLᵀ on
    /// the dense Hessian: hi·I − H ⪰ 0 and (lo − ε)·I − H ⋡ 0 (and the mirror for λ_min), width ≤ ε.
    #[test]
    fn secular_extremes_match_dense_hessian(p in any_problem()) {
        let data = Data::<Q>::new(&p, &());
        let s = data.state(p.theta0.clone());
        let (delta, z2) = data.secular_terms(&s);
        let sp = extreme_eigenvalues(&delta, &z2, 60);
        let h = dense_hessian(&p, &p.theta0);
        let eps = pow2(30);
        let (lo, hi) = sp.max.clone();
        prop_assert!(lo <= hi);
        prop_assert!(crate::common::psd(&shifted(&h, &hi, 1)).is_ok(), "λ_max ≤ hi");
        prop_assert!(&hi - &lo <= &eps * (hi.abs() + Q::one()), "tight enclosure");
        prop_assert!(crate::common::psd(&shifted(&h, &(lo - &eps), 1)).is_err(), "λ_max ≥ lo");
        let (lo, hi) = sp.min.clone();
        prop_assert!(lo <= hi);
        prop_assert!(crate::common::psd(&shifted(&h, &lo, -1)).is_ok(), "λ_min ≥ lo");
        prop_assert!(&hi - &lo <= &eps * (hi.abs() + Q::one()), "tight enclosure");
        prop_assert!(crate::common::psd(&shifted(&h, &(hi + &eps), -1)).is_err(), "λ_min ≤ hi");
    }

    /// η_norm = 1/(2|y| max_P|x|) and η_max = 1/(2|y| min_P|x|) (SPEC §4), for shared.
    #[test]
    fn thresholds_match_closed_form(x in prop::collection::vec(small_q(), 1..5), y in nonzero_q()) {
        let pos: Vec<Q> = x.iter().filter(|v| (*v * &y).is_positive()).map(|v| v.abs()).collect();
        let s = |v: &Q| dlncheck::numeric::rational::fmt_q(v);
        let tree = serde_json::json!({"model": "shared", "x": x.iter().map(s).collect::<Vec<_>>(), "y": s(&y)});
        let parsed = parse_instance("test", &dlncheck::io::instance::Tree::from_json(&tree));
        // An instance with P empty is refused when it is read (SPEC §2), before any command.
        prop_assert_eq!(parsed.is_err(), pos.is_empty());
        let Ok(inst) = parsed else { return Ok(()) };
        match dynamics::thresholds(&inst) {
            Err(_) => prop_assert!(pos.is_empty()),
            Ok(t) => {
                let two_y = Q::from_integer(2.into()) * y.abs();
                let max = pos.iter().max().expect("non-empty P");
                let min = pos.iter().min().expect("non-empty P");
                prop_assert_eq!(t.eta_norm, Q::one() / (&two_y * max));
                prop_assert_eq!(t.eta_max, Q::one() / (&two_y * min));
            }
        }
    }

    /// e^a·e^b and e^(a+b) enclosures overlap, and each encloses a tight interval.
    #[test]
    fn exp_enclosures_are_consistent(a in -40i64..40, b in -40i64..40, den in 1i64..8) {
        let (qa, qb) = (q(a, den), q(b, den));
        let (la, ha) = exp_bounds(&qa, 80);
        let (lb, hb) = exp_bounds(&qb, 80);
        let (ls, hs) = exp_bounds(&(&qa + &qb), 80);
        prop_assert!(la <= ha && lb <= hb && ls <= hs);
        prop_assert!(&la * &lb <= hs && ls <= &ha * &hb, "e^a e^b = e^(a+b) must be consistent");
        prop_assert!((&hs - &ls) <= &hs * pow2(40), "width below 2^-40 relative");
    }

    /// The decimal text of a rational parses back to within half a unit in its last digit.
    #[test]
    fn decimal_text_round_trips(n in -1_000_000i64..1_000_000, d in 1i64..1000, digits in 1usize..20) {
        let v = q(n, d);
        let t = dynamics::decimal(&v, digits);
        let back = parse_q(&t).expect("parsable");
        let tol = v.abs() * Q::new(1.into(), num_traits::pow(num_bigint::BigInt::from(10), digits - 1)) ;
        prop_assert!((back - &v).abs() <= tol, "{} -> {}", dlncheck::numeric::rational::fmt_q(&v), t);
    }
}

#[test]
fn e_is_enclosed() {
    // e = 2.71828182845904523536028747135266249775724709369995..., by hand from the series.
    let e_lo = parse_q("2.718281828459045235360287471352662497757").expect("q");
    let e_hi = parse_q("2.718281828459045235360287471352662497758").expect("q");
    let (lo, hi) = exp_bounds(&Q::one(), 128);
    assert!(lo <= e_hi && hi >= e_lo && lo <= hi, "enclosure of e");
    assert!(hi - lo < pow2(60));
    let (lo, hi) = exp_bounds(&Q::from_integer((-1).into()), 128);
    assert!(
        &lo * &e_lo <= Q::one() + pow2(50) && &hi * &e_hi >= Q::one() - pow2(50),
        "enclosure of 1/e"
    );
}

/// d = 1: the GF limit is β* = y/x, N = y/x, S_GF = 4xy; along the flow S = |6x²β − 2xy|, which
/// for β0 < y/x is largest at the limit, so max S = 4xy and η_c = 1/(2xy) (by hand).
#[test]
fn gradient_flow_one_coordinate_closed_form() {
    let (x, y) = (q(3, 1), q(5, 1));
    let p = Problem {
        model: Model::Shared,
        x: vec![x.clone()],
        y: y.clone(),
        theta0: vec![q(1, 10)],
    };
    let flow = Flow::new(&p, 96).expect("shared");
    let lim = flow.limit().expect("root");
    let target = &y / &x;
    assert!(lim.beta[0].lo() <= &target && &target <= lim.beta[0].hi());
    assert!(lim.beta[0].width() < pow2(60));
    let s = Q::from_integer(4.into()) * &x * &y;
    assert!(lim.sharpness.lo() <= &s && &s <= lim.sharpness.hi());
    let m = flow.max_sharpness(&lim, 16, 12);
    assert!(
        m.value.lo() <= &s && &s <= m.value.hi(),
        "max S encloses 4xy"
    );
    assert!(
        m.value.width() <= &s * q(1, 1000),
        "max S enclosure within 0.1%"
    );
    // ρ* = ln(xβ0/y)/(4x) < 0 for a small start.
    assert!(lim.rho.hi().is_negative());
}

/// Equal x: β_i(ρ) = β0_i e^{−4xρ} keeps the ratios, so β* = y·β0/⟨x, β0⟩ (by hand).
#[test]
fn gradient_flow_equal_inputs_keep_ratios() {
    let p = Problem {
        model: Model::Shared,
        x: vec![q(2, 1), q(2, 1)],
        y: q(3, 1),
        theta0: vec![q(1, 10), q(1, 5)],
    };
    let flow = Flow::new(&p, 96).expect("shared");
    let lim = flow.limit().expect("root");
    let b0 = p.beta0();
    let s: Q = b0.iter().map(|b| b * q(2, 1)).sum();
    for (i, b) in b0.iter().enumerate() {
        let t = b * q(3, 1) / &s;
        assert!(
            lim.beta[i].lo() <= &t && &t <= lim.beta[i].hi(),
            "coordinate {i}"
        );
    }
}

/// A few exact steps agree with f64 and 256-bit runs to their precision.
#[test]
fn float_runs_track_the_exact_run() {
    let inst = instance("shared", &[q(3, 1), q(1, 2), q(2, 1)], &q(5, 1), None);
    let p = Problem::of(&inst).expect("problem");
    let opts = dlncheck::report::gd::options(q(1, 100), 6, Precision::Exact, None, false)
        .expect("options");
    let exact = dynamics::run_summary(&p, Precision::Exact, &opts, &|_| {});
    assert_eq!(exact.steps, 6);
    for (prec, rel) in [
        (Precision::F64, pow2(40)),
        (Precision::Bits(256), pow2(200)),
        (Precision::F32, pow2(16)),
    ] {
        let run = dynamics::run_summary(&p, prec, &opts, &|_| {});
        for (a, b) in run.theta.iter().zip(&exact.theta) {
            assert!((a - b).abs() <= b.abs() * &rel, "{prec:?}: {a} vs {b}");
        }
    }
}

/// Linear stability (SPEC §4): converged f64 endpoints have exact S ≤ 2/η (C1), and for η
/// between η_c and η_max the endpoint sits near 2/η (C3), on the example instance.
#[test]
fn linear_stability_and_edge_of_stability() {
    let inst = dlncheck::io::instance::read_instance(std::path::Path::new("examples/eos.toml"))
        .expect("example");
    let p = Problem::of(&inst).expect("problem");
    let f = dlncheck::dynamics::eos::flow_report(&p).expect("flow");
    let t = dynamics::thresholds(&inst).expect("thresholds");
    assert!(
        f.eta_c.hi() < &t.eta_max && f.eta_c.lo() >= &t.eta_norm,
        "η_norm ≤ η_c < η_max here"
    );
    for eta in [q(1, 100), q(3, 100), q(6, 100)] {
        let opts = dlncheck::report::gd::options(eta.clone(), 20_000, Precision::F64, None, false)
            .expect("options");
        let s = dynamics::run_summary(&p, Precision::F64, &opts, &|_| {});
        assert_eq!(s.stop, dynamics::Stop::Converged, "η = {eta}");
        let c1 = dlncheck::dynamics::eos::c1(&p, &eta, &s);
        assert_eq!(c1.status, "pass", "{c1:?}");
        if &eta > f.eta_c.hi() {
            let c3 = dlncheck::dynamics::eos::c3(&p, &eta, &s, &f, &t.eta_max);
            assert_eq!(c3.status, "pass", "{c3:?}");
        }
    }
}

#[test]
fn init_with_zero_entry_is_rejected_by_the_parser() {
    let tree = serde_json::json!({"model": "shared", "x": ["1", "2"], "y": "1", "init": {"theta": ["1", "0"]}});
    let e = parse_instance("f.toml", &dlncheck::io::instance::Tree::from_json(&tree))
        .expect_err("zero entry");
    assert!(e.to_string().contains("init.theta[1]"), "{e}");
    let inst = instance("shared", &[q(1, 1)], &q(1, 1), Some(&[q(1, 3)]));
    assert_eq!(inst.init, Some(Init::Theta(vec![q(1, 3)])));
}

/// A `Points` problem from small integers (X: n rows of d, y, θ0) for the n > 1 step tests.
fn points(model: Model, x: &[Vec<i64>], y: &[i64], theta: &[i64]) -> dynamics::Points {
    let qi = |k: &i64| q(*k, 1);
    dynamics::Points {
        model,
        x: x.iter().map(|r| r.iter().map(qi).collect()).collect(),
        y: y.iter().map(qi).collect(),
        theta0: theta.iter().map(|k| q(*k, 3)).collect(),
    }
}

fn model_of(k: u8) -> Model {
    match k % 4 {
        0 => Model::Shared,
        1 => Model::Uv,
        2 => Model::Pm,
        _ => Model::SharedDepth(3),
    }
}

/// (model, X, y, θ0) with n in 2..=4 and d in 1..=19 (the tail and the eight-lane chunks).
fn multipoint_case() -> impl Strategy<Value = (Model, Vec<Vec<i64>>, Vec<i64>, Vec<i64>)> {
    (0u8..4, 2usize..=4, 1usize..=19).prop_flat_map(|(m, n, d)| {
        let model = model_of(m);
        let p = d * model.block();
        (
            Just(model),
            prop::collection::vec(prop::collection::vec(-4i64..=4, d), n),
            prop::collection::vec(-6i64..=6, n),
            prop::collection::vec(prop_oneof![-6i64..=-1, 1i64..=6], p),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The fused n > 1 step (two matrix–vector products, eight-lane sums, per-model update from
    /// g = Xᵀr) is θ − η∇L of the generic `loss::gradient`, exactly over Q, and the residual
    /// vector it keeps is Xβ − y at the new θ.
    #[test]
    fn fused_multipoint_step_is_theta_minus_eta_gradient_over_q(
        (model, x, y, theta) in multipoint_case(),
        eta_num in 1i64..5,
    ) {
        use dlncheck::dynamics::gd::Dynamics;
        let p = points(model, &x, &y, &theta);
        let eta = q(eta_num, 7);
        let many = dynamics::Many::<Q>::new(&p, &());
        let mut state = many.state(p.theta0.clone());
        many.step(&eta, &mut state);
        let data = loss::Data { x: p.x.clone(), y: p.y.clone() };
        let g = loss::gradient(model, &data, &p.theta0);
        let want: Vec<Q> = p.theta0.iter().zip(&g).map(|(t, gk)| t - &eta * gk).collect();
        prop_assert_eq!(&state.theta, &want);
        prop_assert_eq!(&state.residuals, &loss::residuals(model, &data, &want));
        let max = state.residuals.iter().map(|r| r.abs()).max().unwrap_or_default();
        prop_assert_eq!(state.r, max);
    }

    /// In binary64 the AVX2-compiled step (where the processor has AVX2) gives the portable
    /// step's iterates bit for bit, over several steps.
    #[test]
    fn avx2_multipoint_step_is_the_portable_step_bit_for_bit(
        (model, x, y, theta) in multipoint_case(),
    ) {
        use dlncheck::dynamics::gd::Dynamics;
        let p = points(model, &x, &y, &theta);
        let many = dynamics::Many::<f64>::new(&p, &());
        let (mut a, mut b) = (many.state(theta_f64(&p)), many.state(theta_f64(&p)));
        for _ in 0..5 {
            many.step(&(1.0 / 64.0), &mut a);
            many.step_portable(&(1.0 / 64.0), &mut b);
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&a.theta), bits(&b.theta));
        prop_assert_eq!(bits(&a.residuals), bits(&b.residuals));
    }
}

fn theta_f64(p: &dynamics::Points) -> Vec<f64> {
    p.theta0
        .iter()
        .map(dlncheck::numeric::scalar::Scalar::to_f64)
        .collect()
}
