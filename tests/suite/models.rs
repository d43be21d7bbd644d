//! The one model abstraction (SPEC §1) and GD for every model (SPEC §4), tested against
//! independent routes: derivatives by exact polynomial interpolation of the loss itself,
//! hand-written GD iterations in exact rationals, the dense Hessian certified by exact LDLᵀ, and
//! the real binary on `pm` and `shared-depth` instances in every precision.

use crate::common::{nonzero_q, psd, run, small_q, temp_dir};
use dlncheck::dynamics::gd::{self as dynamics, Data, Precision, Problem, extreme_eigenvalues};
use dlncheck::io::instance::Model;
use dlncheck::models::loss;
use dlncheck::models::model;
use dlncheck::numeric::rational::Q;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn any_model() -> impl Strategy<Value = Model> {
    prop_oneof![
        Just(Model::Shared),
        Just(Model::Uv),
        Just(Model::Pm),
        (2u32..=4).prop_map(Model::SharedDepth)
    ]
}

/// Data with n rows (1 ≤ n ≤ 3) in dimension d, and θ of the model's length.
fn any_case() -> impl Strategy<Value = (Model, loss::Data<Q>, Vec<Q>)> {
    (any_model(), 1usize..=3, 1usize..=3).prop_flat_map(|(m, d, n)| {
        (
            prop::collection::vec(prop::collection::vec(small_q(6, 3), d), n),
            prop::collection::vec(small_q(6, 3), n),
            prop::collection::vec(small_q(4, 3), d * m.block()),
        )
            .prop_map(move |(x, y, theta)| (m, loss::Data { x, y }, theta))
    })
}

/// The coefficients c_0..c_k of the polynomial of degree ≤ k through (t_m, f_m), t_m = m − k/2,
/// by exact Gauss–Jordan elimination on the Vandermonde system.
fn interpolate(values: &[Q]) -> Vec<Q> {
    let k = values.len();
    let half = (k / 2) as i64;
    let mut a: Vec<Vec<Q>> = (0..k)
        .map(|m| {
            let t = Q::from_integer((m as i64 - half).into());
            let mut row: Vec<Q> = (0..k).map(|j| num_traits::pow(t.clone(), j)).collect();
            row.push(values[m].clone());
            row
        })
        .collect();
    for c in 0..k {
        let p = (c..k)
            .find(|&r| !a[r][c].is_zero())
            .expect("Vandermonde is invertible");
        a.swap(c, p);
        let pivot = a[c][c].clone();
        a[c].iter_mut().for_each(|v| *v = &*v / &pivot);
        for r in 0..k {
            if r != c && !a[r][c].is_zero() {
                let f = a[r][c].clone();
                let row_c = a[c].clone();
                a[r].iter_mut()
                    .zip(&row_c)
                    .for_each(|(v, w)| *v = &*v - &f * w);
            }
        }
    }
    a.into_iter().map(|row| row[k].clone()).collect()
}

/// L(θ + t·dir) as a polynomial in t (degree ≤ 2·deg β ≤ 8), coefficients by interpolation of
/// the value code path `loss::loss` at 9 integer points: exact, and independent of the
/// derivative code.
fn loss_along(m: Model, data: &loss::Data<Q>, theta: &[Q], dir: &[Q]) -> Vec<Q> {
    let values: Vec<Q> = (-4i64..=4)
        .map(|t| {
            let t = Q::from_integer(t.into());
            let at: Vec<Q> = theta.iter().zip(dir).map(|(a, b)| a + &t * b).collect();
            loss::loss(m, data, &at)
        })
        .collect();
    interpolate(&values)
}

fn unit(p: usize, k: usize) -> Vec<Q> {
    (0..p)
        .map(|i| if i == k { Q::one() } else { Q::zero() })
        .collect()
}

fn shifted(h: &[Vec<Q>], lambda: &Q, sign: i64) -> Vec<Vec<Q>> {
    let s = Q::from_integer(sign.into());
    h.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, v)| &s * ((if i == j { lambda.clone() } else { Q::zero() }) - v))
                .collect()
        })
        .collect()
}

fn pow2(k: usize) -> Q {
    Q::new(1.into(), num_bigint::BigInt::one() << k)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// ∂L/∂θ_k = the t-coefficient of L(θ + t e_k), and ∂²L/∂θ_a∂θ_b from the t²-coefficients
    /// along e_a, e_b and e_a + e_b, exactly, for every model and n ≤ 3.
    #[test]
    fn gradient_and_hessian_match_interpolated_loss((m, data, theta) in any_case()) {
        let p = theta.len();
        let g = loss::gradient(m, &data, &theta);
        let h = loss::hessian(m, &data, &theta);
        let second = |dir: &[Q]| loss_along(m, &data, &theta, dir)[2].clone() * q(2, 1);
        for a in 0..p {
            prop_assert_eq!(&g[a], &loss_along(m, &data, &theta, &unit(p, a))[1], "∂L/∂θ_{}", a);
            let daa = second(&unit(p, a));
            prop_assert_eq!(&h[a][a], &daa, "H[{}][{}]", a, a);
            for b in a + 1..p {
                let both: Vec<Q> = unit(p, a).iter().zip(unit(p, b)).map(|(u, v)| u + v).collect();
                let hab = (second(&both) - &daa - second(&unit(p, b))) / q(2, 1);
                prop_assert_eq!(&h[a][b], &hab, "H[{}][{}]", a, b);
            }
        }
    }

    /// The Hessian is symmetric and the Hessian-vector product equals H·v exactly.
    #[test]
    fn hessian_symmetric_and_hvp_is_h_times_v((m, data, theta) in any_case(), seed in prop::collection::vec(small_q(5, 4), 8)) {
        let h = loss::hessian(m, &data, &theta);
        for (a, row) in h.iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                prop_assert_eq!(v, &h[b][a]);
            }
        }
        let v: Vec<Q> = (0..theta.len()).map(|i| seed[i % seed.len()].clone()).collect();
        prop_assert_eq!(loss::hvp(m, &data, &theta, &v), dlncheck::numeric::vector::mat_vec(&h, &v));
    }

    /// Block laws of β: uv at u = v = w is shared's w⊙w; pm at u = v is 0; shared-depth 2 is shared.
    #[test]
    fn beta_laws(w in prop::collection::vec(small_q(5, 3), 1..5)) {
        let uv: Vec<Q> = w.iter().chain(&w).cloned().collect();
        prop_assert_eq!(model::beta(Model::Uv, &uv), model::beta(Model::Shared, &w));
        prop_assert!(model::beta(Model::Pm, &uv).iter().all(Zero::is_zero));
        prop_assert_eq!(model::beta(Model::SharedDepth(2), &w), model::beta(Model::Shared, &w));
    }

    /// Every model's fused GD step is θ − η∇L(θ) with ∇L from the loss module, exactly on Q,
    /// and the residual it carries is the residual of the new θ.
    #[test]
    fn every_step_is_the_gradient_step(m in any_model(), d in 1usize..=3, seed in prop::collection::vec(nonzero_q(6, 4), 12), eta in (1i64..=5, 1i64..=40)) {
        let eta = q(eta.0, eta.1);
        let x: Vec<Q> = seed[..d].to_vec();
        let theta0: Vec<Q> = (0..d * m.block()).map(|i| seed[(d + i) % seed.len()].clone() / q(3, 1)).collect();
        let p = Problem { model: m, x: x.clone(), y: seed[11].clone(), theta0: theta0.clone() };
        let data = Data::<Q>::new(&p, &());
        let mut s = data.state(theta0.clone());
        data.step(&eta, &mut s);
        let ldata = loss::Data::<Q> { x: vec![x], y: vec![p.y.clone()] };
        let g = loss::gradient(m, &ldata, &theta0);
        let expect: Vec<Q> = theta0.iter().zip(&g).map(|(t, gi)| t - &eta * gi).collect();
        prop_assert_eq!(&s.theta, &expect);
        prop_assert_eq!(&s.r, &loss::residuals(m, &ldata, &expect)[0]);
    }

    /// The secular enclosures of λ_max and λ_min (exact, on Q) are certified by exact LDLᵀ on the
    /// dense Hessian for pm and shared-depth too: hi·I − H ⪰ 0, (lo − ε)·I − H ⋡ 0, and the mirror.
    #[test]
    fn secular_extremes_match_dense_hessian_for_pm_and_depth(m in prop_oneof![Just(Model::Pm), (2u32..=5).prop_map(Model::SharedDepth)], d in 1usize..=3, seed in prop::collection::vec(nonzero_q(6, 4), 12)) {
        let x: Vec<Q> = seed[..d].to_vec();
        let theta: Vec<Q> = (0..d * m.block()).map(|i| seed[(d + i) % seed.len()].clone() / q(2, 1)).collect();
        let p = Problem { model: m, x: x.clone(), y: seed[11].clone(), theta0: theta.clone() };
        let data = Data::<Q>::new(&p, &());
        let (delta, z2) = data.secular_terms(&data.state(theta.clone()));
        let sp = extreme_eigenvalues(&delta, &z2, 60);
        let h = loss::hessian(m, &loss::Data { x: vec![x], y: vec![p.y.clone()] }, &theta);
        let eps = pow2(30);
        let (lo, hi) = sp.max.clone();
        prop_assert!(psd(&shifted(&h, &hi, 1)).is_ok(), "λ_max ≤ hi");
        prop_assert!(psd(&shifted(&h, &(lo - &eps), 1)).is_err(), "λ_max ≥ lo");
        let (lo, hi) = sp.min.clone();
        prop_assert!(psd(&shifted(&h, &lo, -1)).is_ok(), "λ_min ≥ lo");
        prop_assert!(psd(&shifted(&h, &(hi + &eps), -1)).is_err(), "λ_min ≤ hi");
    }
}

/// Exact GD for pm and shared-depth 3 equals a hand-written iteration of the textbook updates
/// (pm: u ← u(1 − 2ηr x), v ← v(1 + 2ηr x); depth D: w ← w − ηr x D w^{D−1}), step by step.
#[test]
fn exact_gd_matches_hand_iteration() {
    let x = vec![q(3, 1), q(1, 2), q(2, 1)];
    let y = q(5, 1);
    let eta = q(1, 100);
    let residual = |beta: &[Q]| beta.iter().zip(&x).map(|(b, xi)| b * xi).sum::<Q>() - &y;
    // pm from u = v = α·1 (docs/models.md), α = 1/10.
    let (mut u, mut v) = (vec![q(1, 10); 3], vec![q(1, 10); 3]);
    for _ in 0..4 {
        let r = residual(
            &(0..3)
                .map(|i| &u[i] * &u[i] - &v[i] * &v[i])
                .collect::<Vec<_>>(),
        );
        for i in 0..3 {
            u[i] = &u[i] * (Q::one() - q(2, 1) * &eta * &r * &x[i]);
            v[i] = &v[i] * (Q::one() + q(2, 1) * &eta * &r * &x[i]);
        }
    }
    let p = Problem {
        model: Model::Pm,
        x: x.clone(),
        y: y.clone(),
        theta0: vec![q(1, 10); 6],
    };
    let opts = dlncheck::report::gd::options(eta.clone(), 4, Precision::Exact, None, false)
        .expect("options");
    let s = dynamics::run_summary(&p, Precision::Exact, &opts, &|_| {});
    assert_eq!(s.steps, 4);
    assert_eq!(s.theta, u.iter().chain(&v).cloned().collect::<Vec<_>>());
    // shared-depth D = 3 from w = 1/2.
    let mut w = vec![q(1, 2); 3];
    for _ in 0..4 {
        let r = residual(&w.iter().map(|t| t * t * t).collect::<Vec<_>>());
        w = (0..3)
            .map(|i| &w[i] - &eta * &r * &x[i] * q(3, 1) * &w[i] * &w[i])
            .collect();
    }
    let p = Problem {
        model: Model::SharedDepth(3),
        x,
        y,
        theta0: vec![q(1, 2); 3],
    };
    let s = dynamics::run_summary(&p, Precision::Exact, &opts, &|_| {});
    assert_eq!(s.theta, w);
}

fn write_instance(dir: &std::path::Path, model: &str) -> std::path::PathBuf {
    let depth = if model == "shared-depth" {
        "depth = 3\n"
    } else {
        ""
    };
    let path = dir.join(format!("{model}.toml"));
    std::fs::write(&path, format!("model = \"{model}\"\n{depth}x = [\"3\", \"1/2\", \"2\"]\ny = \"5\"\n[init]\nalpha = \"1/10\"\n")).expect("write");
    path
}

/// `gd` runs pm and shared-depth in every precision; the float runs converge to zero loss, and
/// the reported full-Hessian S of an f64 run lies within 1e-8 (relative) of the exact secular
/// enclosure at the run's own (exactly rationalised) endpoint.
#[test]
fn gd_runs_pm_and_depth_in_every_precision() {
    let dir = temp_dir("models-gd");
    for model in ["pm", "shared-depth"] {
        let file = write_instance(&dir, model);
        let f = file.to_str().expect("utf-8 path");
        for (prec, steps) in [
            ("f32", "3000"),
            ("f64", "3000"),
            ("256", "3000"),
            ("100", "3000"),
            ("exact", "3"),
        ] {
            let out = run(&[
                "gd",
                f,
                "--lr",
                "1/100",
                "--steps",
                steps,
                "--precision",
                prec,
                "--json",
            ]);
            assert!(
                out.status.success(),
                "{model} {prec}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(v["model"], model);
            assert_eq!(v["converged"], prec != "exact", "{model} {prec}");
            let s =
                dlncheck::numeric::rational::parse_q(v["final"]["sharpness"].as_str().expect("S"))
                    .expect("decimal");
            assert!(s.is_positive(), "{model} {prec}: S = {s}");
        }
        let out = run(&[
            "gd",
            f,
            "--lr",
            "1/100",
            "--steps",
            "3000",
            "--precision",
            "f64",
            "--checks",
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["checks"][0]["check"], "C1");
        assert_eq!(v["checks"][0]["status"], "pass", "{model}: {}", v["checks"]);
        let detail = v["checks"][0]["detail"].as_str().expect("detail");
        let s = dlncheck::numeric::rational::parse_q(v["final"]["sharpness"].as_str().expect("S"))
            .expect("decimal");
        let lo = detail
            .split('[')
            .nth(1)
            .and_then(|t| t.split(',').next())
            .expect("enclosure in the detail");
        let lo = dlncheck::numeric::rational::parse_q(lo.trim()).expect("decimal");
        assert!(
            ((&s - &lo) / &lo).abs() < q(1, 100_000_000),
            "{model}: run S = {s}, exact endpoint S ≥ {lo}"
        );
    }
}

/// `sweep` runs pm and shared-depth and writes one CSV row per rate; C1 is reported.
#[test]
fn sweep_runs_pm_and_depth() {
    let dir = temp_dir("models-sweep");
    for model in ["pm", "shared-depth"] {
        let file = write_instance(&dir, model);
        let out_dir = dir.join(format!("sweep-{model}"));
        let out = run(&[
            "sweep",
            file.to_str().expect("utf-8"),
            "--lr-from",
            "1/100",
            "--lr-to",
            "1/20",
            "--points",
            "4",
            "--steps",
            "3000",
            "--out",
            out_dir.to_str().expect("utf-8"),
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["checks"][0]["check"], "C1");
        let csv = std::fs::read_to_string(out_dir.join("sweep.csv")).expect("csv");
        assert_eq!(csv.lines().count(), 5, "{csv}");
        assert!(csv.starts_with("lr,converged,diverged,steps,norm,sharpness,loss,beta_l1\n"));
        assert!(out_dir.join("sharpness.svg").exists() && out_dir.join("norm.png").exists());
    }
}

/// Certified GD stays `shared`-only, with a one-line error (exit 2) for the other models.
#[test]
fn certify_refuses_other_models() {
    let dir = temp_dir("models-certify");
    let file = write_instance(&dir, "pm");
    let out = run(&[
        "gd",
        file.to_str().expect("utf-8"),
        "--lr",
        "1/100",
        "--certify",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("model shared"), "{err}");
}
