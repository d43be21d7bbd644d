//! The one-point setting T1 (SPEC §2) against independent routes:
//! - random points θ of M built in parameter space (y := ⟨x, β(θ)⟩), their N from the model and
//!   their S from the dense Hessian of `loss::hessian`, confirmed by exact LDLᵀ;
//! - a brute-force grid over M for small d;
//! - the SPEC's formulas written out plainly here, compared with the real `dlncheck solve --json`.

use crate::common::{nonzero_q, small_q};
use dlncheck::io::instance::{Covariance, Instance, Model};
use dlncheck::models::loss::{self, Data};
use dlncheck::models::model;
use dlncheck::numeric::rational::{Q, fmt_q};
use dlncheck::theory::optimum::{self, Objective, Point};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

fn inst(model: Model, x: Vec<Q>, y: Q) -> Instance {
    Instance {
        source: "test".into(),
        model,
        x: vec![x],
        y: vec![y],
        one_point: true,
        init: None,
        teacher: None,
        covariance: Covariance::Identity,
        test: None,
    }
}

fn models() -> impl Strategy<Value = Model> {
    prop_oneof![Just(Model::Shared), Just(Model::Uv), Just(Model::Pm)]
}

/// λ is the largest eigenvalue of the symmetric H: λI − H ⪰ 0 and (λ − 1/10⁶)I − H is not.
fn is_lambda_max(h: &[Vec<Q>], lambda: &Q) -> bool {
    let shifted = |l: &Q| -> Vec<Vec<Q>> {
        h.iter()
            .enumerate()
            .map(|(i, r)| {
                r.iter()
                    .enumerate()
                    .map(|(j, v)| if i == j { l - v } else { -v.clone() })
                    .collect()
            })
            .collect()
    };
    let eps = Q::new(1.into(), 1_000_000.into());
    crate::common::psd(&shifted(lambda)).is_ok()
        && crate::common::psd(&shifted(&(lambda - eps))).is_err()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    // Every sampled point of M has N ≥ min-norm and S ≥ min-sharpness, with S the true
    // largest Hessian eigenvalue (the Hessian at zero loss is PSD, so S = λ_max).
    #[test]
    fn points_of_m_are_never_below_the_optima(model in models(), d in 1usize..=4,
            xs in proptest::collection::vec(nonzero_q(6, 4), 4), th in proptest::collection::vec(small_q(5, 3), 8)) {
        let x: Vec<Q> = xs[..d].to_vec();
        let theta: Vec<Q> = th[..d * model.block()].to_vec();
        let beta = model::beta(model, &theta);
        let y: Q = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
        prop_assume!(!y.is_zero());
        let t = optimum::solve(&inst(model, x.clone(), y.clone())).unwrap();
        let data = Data { x: vec![x], y: vec![y] };
        prop_assert!(loss::loss(model, &data, &theta).is_zero());
        let n = model::norm(&theta);
        let h = loss::hessian(model, &data, &theta);
        let s: Q = (0..h.len()).map(|i| h[i][i].clone()).sum(); // rank one at r = 0: λ_max = trace
        prop_assert!(is_lambda_max(&h, &s), "trace is not λ_max of the rank-one Hessian");
        prop_assert!(n >= t.min_norm.value, "N = {} < min {}", fmt_q(&n), fmt_q(&t.min_norm.value));
        prop_assert!(s >= t.min_sharpness.value, "S = {} < min {}", fmt_q(&s), fmt_q(&t.min_sharpness.value));
    }

    // Brute force over the grid c ∈ {k/6}^d ∩ simplex on the feasible coordinates: every grid point
    // lies on or above the front polyline, and the grid minima equal the closed forms.
    #[test]
    fn brute_force_grid_agrees_with_closed_forms(model in models(), d in 1usize..=4,
            xs in proptest::collection::vec(nonzero_q(6, 4), 4), y in nonzero_q(7, 3)) {
        let x: Vec<Q> = xs[..d].to_vec();
        let instance = inst(model, x.clone(), y.clone());
        let Ok(t) = optimum::solve(&instance) else { return Ok(()); };
        let p = Point::of(&instance).unwrap();
        let feas = p.feasible();
        let m = 6i64;
        let mut best = (None::<Q>, None::<Q>);
        let mut stack = vec![(0usize, m, vec![Q::zero(); d])];
        while let Some((k, left, beta)) = stack.pop() {
            if k == feas.len() - 1 {
                let mut b = beta.clone();
                let i = feas[k];
                b[i] = Q::new(left.into(), m.into()) * &y / &x[i];
                let fit: Q = b.iter().zip(&x).map(|(a, c)| a * c).sum();
                prop_assert_eq!(&fit, &y);
                let (n, s) = (p.objective(Objective::Norm, &b), p.objective(Objective::Sharpness, &b));
                for w in t.front.windows(2) {
                    if w[0].norm <= n && n <= w[1].norm {
                        let tt = (&n - &w[0].norm) / (&w[1].norm - &w[0].norm);
                        let on_front = &w[0].sharpness + tt * (&w[1].sharpness - &w[0].sharpness);
                        prop_assert!(s >= on_front, "grid point below the front");
                    }
                }
                if best.0.as_ref().is_none_or(|v| n < *v) { best.0 = Some(n); }
                if best.1.as_ref().is_none_or(|v| s < *v) { best.1 = Some(s); }
                continue;
            }
            for c in 0..=left {
                let mut b = beta.clone();
                b[feas[k]] = Q::new(c.into(), m.into()) * &y / &x[feas[k]];
                stack.push((k + 1, left - c, b));
            }
        }
        prop_assert_eq!(best.0.unwrap(), t.min_norm.value);
        prop_assert_eq!(best.1.unwrap(), t.min_sharpness.value);
        // Front vertices lie on N·S = 4y², norms rise, sharpnesses fall.
        let four_y2 = Q::from_integer(4.into()) * &y * &y;
        for v in &t.front {
            prop_assert_eq!(&v.norm * &v.sharpness, four_y2.clone());
        }
        for w in t.front.windows(2) {
            prop_assert!(w[0].norm < w[1].norm && w[0].sharpness > w[1].sharpness);
        }
    }
}

/// SPEC §2 written out plainly: (min N, its index, inf S, its index, front as (N, S) pairs).
fn spec_formulas(model: &str, x: &[Q], y: &Q) -> (Q, usize, Q, usize, Vec<(Q, Q)>) {
    let (a, b, signed) = match model {
        "shared" => (1, 4, true),
        "uv" => (2, 2, false),
        _ => (1, 4, false),
    };
    let carry: Vec<usize> = (0..x.len())
        .filter(|&i| {
            if signed {
                (&x[i] * y).is_positive()
            } else {
                !x[i].is_zero()
            }
        })
        .collect();
    let max = carry.iter().map(|&i| x[i].abs()).max().unwrap();
    let min = carry.iter().map(|&i| x[i].abs()).min().unwrap();
    let i_max = *carry.iter().find(|&&i| x[i].abs() == max).unwrap();
    let i_min = *carry.iter().find(|&&i| x[i].abs() == min).unwrap();
    let qa = Q::from_integer(a.into());
    let qb = Q::from_integer(b.into());
    let mut abs: Vec<Q> = carry.iter().map(|&i| x[i].abs()).collect();
    abs.sort_by(|p, q| q.cmp(p));
    abs.dedup();
    let front = abs
        .iter()
        .map(|v| (&qa * y.abs() / v, &qb * y.abs() * v))
        .collect();
    (&qa * y.abs() / max, i_max, qb * y.abs() * min, i_min, front)
}

#[test]
fn solve_json_agrees_with_the_spec_on_random_instances() {
    let dir = crate::common::temp_dir("solve-spec");
    let mut rng = dlncheck::numeric::random::SplitMix64::new(7);
    for case in 0..40 {
        let model = ["shared", "uv", "pm"][case % 3];
        let d = 1 + (rng.next_u64() % 7) as usize;
        // Small denominators make ties in |x_i| frequent, exercising the lowest-index rule.
        let mut x: Vec<Q> = (0..d)
            .map(|_| Q::new(rng.range(-4, 4).into(), rng.range(1, 3).into()))
            .collect();
        let y = Q::new(rng.range(1, 9).into(), rng.range(1, 4).into())
            * if rng.next_u64() & 1 == 0 {
                Q::one()
            } else {
                -Q::one()
            };
        x[0] = if y.is_positive() {
            Q::new(rng.range(1, 5).into(), 2.into())
        } else {
            Q::new(rng.range(-5, -1).into(), 2.into())
        };
        let path = dir.join(format!("case{case}.toml"));
        std::fs::write(
            &path,
            format!(
                "model = \"{model}\"\nx = {}\ny = \"{}\"\n",
                crate::common::toml_list(&x),
                fmt_q(&y)
            ),
        )
        .unwrap();
        let out = crate::common::run(&["solve", path.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (n, i_n, s, i_s, front) = spec_formulas(model, &x, &y);
        assert_eq!(v["min_norm"]["value"], fmt_q(&n), "case {case}");
        assert_eq!(v["min_sharpness"]["value"], fmt_q(&s), "case {case}");
        let mut beta_n = vec!["0".to_string(); d];
        beta_n[i_n] = fmt_q(&(&y / &x[i_n]));
        let mut beta_s = vec!["0".to_string(); d];
        beta_s[i_s] = fmt_q(&(&y / &x[i_s]));
        assert_eq!(
            v["min_norm"]["beta"],
            serde_json::json!(beta_n),
            "case {case}"
        );
        assert_eq!(
            v["min_sharpness"]["beta"],
            serde_json::json!(beta_s),
            "case {case}"
        );
        assert_eq!(
            v["coincide"],
            serde_json::json!(front.len() == 1),
            "case {case}"
        );
        let got: Vec<(String, String)> = v["pareto_front"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["norm"].as_str().unwrap().to_string(),
                    p["sharpness"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = front.iter().map(|(a, b)| (fmt_q(a), fmt_q(b))).collect();
        assert_eq!(got, want, "case {case}");
    }
}

#[test]
fn ratio_is_max_over_min_on_the_paper_instance() {
    // x = (3, 1/2, 2), y = 5, shared: min N = 5/3, inf S = 4·5·(1/2) = 10, ratio 3/(1/2) = 6.
    let q = |n: i64, d: i64| Q::new(n.into(), d.into());
    let t = optimum::solve(&inst(
        Model::Shared,
        vec![q(3, 1), q(1, 2), q(2, 1)],
        q(5, 1),
    ))
    .unwrap();
    assert_eq!(t.min_norm.value, q(5, 3));
    assert_eq!(t.min_sharpness.value, q(10, 1));
    assert_eq!(t.ratio, q(6, 1));
    assert!(!t.coincide);
}

/// `solve --json` writes its object by hand (the Pareto vertex lines on all cores); it must be
/// the very bytes that serde_json writes, in the stdout layout, for the object built here from
/// the solver's values with `json!`.
#[test]
fn the_solve_writer_matches_serde_byte_for_byte() {
    use dlncheck::numeric::rational::fmt_q;
    use dlncheck::theory::optimum::Optimum;
    use serde::Serialize;
    use serde_json::json;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("dlncheck-writer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<std::path::PathBuf> = [
        "examples/eos.toml",
        "examples/d100.toml",
        "proofs/instances/uv-mixed.toml",
        "proofs/instances/coincide.toml",
        "proofs/t1g-moments-d3.toml",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for (model, d, seed) in [("shared", 9000, 1), ("uv", 5, 2), ("pm", 1, 3)] {
        let tree = dlncheck::numeric::random::instance(&dlncheck::numeric::random::Spec {
            model: model.into(),
            d,
            bits: 64,
            seed,
            positive: false,
        });
        let path = dir.join(format!("{model}.toml"));
        std::fs::write(&path, dlncheck::io::claims::render(&path, &tree).unwrap()).unwrap();
        files.push(path);
    }
    let optimum = |o: &Optimum| {
        let beta: Vec<String> = (0..o.dim)
            .map(|i| {
                if i == o.index {
                    fmt_q(&o.carried)
                } else {
                    "0".into()
                }
            })
            .collect();
        json!({"beta": beta, "dual": fmt_q(&o.dual), "index": o.index, "value": fmt_q(&o.value)})
    };
    for path in files {
        let solved = dlncheck::report::solve::solve(&path).unwrap();
        let t = &solved.t1;
        let front: Vec<serde_json::Value> = t.front.iter().map(|v| json!({"index": v.index, "norm": fmt_q(&v.norm), "sharpness": fmt_q(&v.sharpness)})).collect();
        let mut expected = json!({
            "coincide": t.coincide, "d": solved.d, "file": solved.file, "model": solved.model,
            "min_norm": optimum(&t.min_norm), "min_sharpness": optimum(&t.min_sharpness),
            "pareto_front": front, "ratio": fmt_q(&t.ratio),
            "thresholds": {"eta_max": fmt_q(&t.eta_max()), "eta_norm": fmt_q(&t.eta_norm())},
        });
        if let Some(g) = &solved.generalization {
            expected["generalization"] = g.clone();
        }
        let mut by_hand = Vec::new();
        solved.write(&mut by_hand).unwrap();
        let mut by_serde = Vec::new();
        expected
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut by_serde,
                dlncheck::report::Layout::default(),
            ))
            .unwrap();
        by_serde.push(b'\n');
        assert_eq!(
            String::from_utf8(by_hand).unwrap(),
            String::from_utf8(by_serde).unwrap(),
            "{}",
            path.display()
        );
    }
}
