//! Laws of SPEC §3 (T1-G) checked on random instances, and hand-derived values.

use dlncheck::io::instance::{Covariance, Instance, Model, Teacher};
use dlncheck::numeric::qp;
use dlncheck::numeric::rational::Q;
use dlncheck::numeric::scalar::{qf, qi};
use dlncheck::theory::generalization::{Setting, report};
use num_traits::{One, Zero};
use proptest::prelude::*;

fn instance(x: Vec<Q>, teacher: Teacher, covariance: Covariance) -> Instance {
    Instance {
        source: "test".into(),
        model: Model::Shared,
        x: vec![x],
        y: vec![qi(1)],
        one_point: true,
        init: None,
        teacher: Some(teacher),
        covariance,
        test: None,
    }
}

/// x, weighted atoms, covariance.
type Data = (Vec<Q>, Vec<(Q, Vec<Q>)>, Covariance);

/// Random T1-G data: d ∈ 1..=4, x_i = n/m > 0, 1–3 non-negative non-zero integer atoms with
/// positive weights, and Σ = I or Σ = LLᵀ + I (positive definite by construction).
fn data() -> impl Strategy<Value = Data> {
    (1usize..=4).prop_flat_map(|d| {
        let x = prop::collection::vec((1i64..=6, 1i64..=3), d);
        let atoms =
            prop::collection::vec((1i64..=4, prop::collection::vec(0i64..=3, d), 0..d), 1..=3);
        let cov = prop::option::of(prop::collection::vec(-2i64..=2, d * d));
        (x, atoms, cov).prop_map(move |(x, atoms, cov)| {
            let x: Vec<Q> = x.into_iter().map(|(n, m)| qf(n, m)).collect();
            let total: i64 = atoms.iter().map(|a| a.0).sum();
            let atoms = atoms
                .into_iter()
                .map(|(w, mut b, k)| {
                    b[k] += 1;
                    (qf(w, total), b.into_iter().map(qi).collect())
                })
                .collect();
            let covariance = match cov {
                None => Covariance::Identity,
                Some(l) => Covariance::Matrix(
                    (0..d)
                        .map(|i| {
                            (0..d)
                                .map(|j| {
                                    (0..d).map(|k| qi(l[i * d + k] * l[j * d + k])).sum::<Q>()
                                        + if i == j { qi(1) } else { qi(0) }
                                })
                                .collect()
                        })
                        .collect(),
                ),
            };
            (x, atoms, covariance)
        })
    })
}

fn discrete(x: &[Q], atoms: &[(Q, Vec<Q>)], cov: &Covariance) -> Instance {
    instance(
        x.to_vec(),
        Teacher::Discrete {
            atoms: atoms.to_vec(),
        },
        cov.clone(),
    )
}

/// A linear rule from non-negative integer weights: c_i = w_i / (x_i Σw), so ⟨x, c⟩ = 1.
fn rule(x: &[Q], w: &[i64]) -> Vec<Q> {
    let total: i64 = w.iter().sum::<i64>().max(1);
    let w: Vec<i64> = if w.iter().all(|&v| v == 0) {
        (0..x.len()).map(|i| i64::from(i == 0)).collect()
    } else {
        w.to_vec()
    };
    w.iter()
        .zip(x)
        .map(|(&wi, xi)| qf(wi, total) / xi)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn front_best_beats_both_ends_and_best_linear_beats_front((x, atoms, cov) in data()) {
        let r = report(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let f = &r.front;
        prop_assert!(f.value <= f.min_norm.value.clone().min(f.min_sharpness.value.clone()));
        prop_assert!(r.best_linear.value <= f.value);
        prop_assert_eq!(r.setting.error(&f.c), f.value.clone());
    }

    #[test]
    fn bayes_beats_every_learner((x, atoms, cov) in data(), w in prop::collection::vec(0i64..=3, 4)) {
        let r = report(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let bayes = r.bayes.clone().unwrap();
        let c = rule(&x, &w[..x.len()]);
        let s = &r.setting;
        for e in [r.front.min_norm.value.clone(), r.front.min_sharpness.value.clone(), r.front.value.clone(), r.best_linear.value.clone(), s.error(&c)] {
            prop_assert!(bayes <= e, "Bayes {} > learner {}", bayes, e);
        }
    }

    #[test]
    fn error_through_m2_equals_error_atom_by_atom((x, atoms, cov) in data(), w in prop::collection::vec(0i64..=3, 4)) {
        let s = Setting::of(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let c = rule(&x, &w[..x.len()]);
        prop_assert_eq!(Some(s.error(&c)), s.error_per_atom(&c));
    }

    #[test]
    fn active_set_equals_enumeration_of_supports((x, atoms, cov) in data()) {
        let s = Setting::of(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let brute = qp::best_linear_by_supports(&s);
        for b in [qp::best_linear(&s), qp::minimise_on(&s, &(0..x.len()).collect::<Vec<_>>())] {
            prop_assert_eq!(b.value.clone(), brute.clone());
            prop_assert_eq!(s.error(&b.c), b.value);
        }
    }

    #[test]
    fn a_moments_prior_with_the_same_second_moment_gives_the_same_errors((x, atoms, cov) in data(), w in prop::collection::vec(0i64..=3, 4)) {
        let d = x.len();
        // M2 and the mean written out here, independently of the library.
        let m2: Vec<Vec<Q>> = (0..d).map(|i| (0..d).map(|j| atoms.iter().map(|(p, b)| p * &b[i] * &b[j]).sum()).collect()).collect();
        let mean: Vec<Q> = (0..d).map(|i| atoms.iter().map(|(p, b)| p * &b[i]).sum()).collect();
        let disc = report(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let mom = report(&instance(x.clone(), Teacher::Moments { mean, second_moment: m2 }, cov.clone())).unwrap().unwrap();
        let c = rule(&x, &w[..d]);
        prop_assert_eq!(disc.setting.error_per_atom(&c).unwrap(), mom.setting.error(&c));
        prop_assert_eq!(&disc.front, &mom.front);
        prop_assert_eq!(disc.best_linear.value, mom.best_linear.value);
        prop_assert!(mom.bayes.is_none());
    }

    /// Under T1-G (M2 ≥ 0 entrywise, x > 0) the unconstrained minimiser of E, c = M2x/(xᵀM2x)
    /// (from ∇E = 2Σ(A·c − M2x) = 0), already satisfies ⟨x, c⟩ = 1 and c ≥ 0, so it is the best
    /// linear rule, with ν = 0: a closed form independent of the active-set method.
    #[test]
    fn best_linear_rule_is_the_closed_form((x, atoms, cov) in data()) {
        let d = x.len();
        let m2x: Vec<Q> = (0..d).map(|i| atoms.iter().map(|(p, b)| p * &b[i] * b.iter().zip(&x).map(|(u, v)| u * v).sum::<Q>()).sum()).collect();
        let a: Q = m2x.iter().zip(&x).map(|(u, v)| u * v).sum();
        let r = report(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        prop_assert_eq!(r.best_linear.c, m2x.iter().map(|v| v / &a).collect::<Vec<_>>());
        prop_assert_eq!(r.best_linear.nu, Q::zero());
    }

    /// d = 2, x_0 ≠ x_1 (README, T1-G): on the one segment, q'(t_end) at an end has the sign of
    /// −(M2x)_other·wᵀΣw, so an end is optimal iff no teacher has mass on the other coordinate;
    /// hence both ends lose iff some atom has β*_0 > 0 and some atom has β*_1 > 0.
    #[test]
    fn in_two_dimensions_both_ends_lose_iff_both_coordinates_carry_teacher_mass((x, atoms, cov) in data()) {
        prop_assume!(x.len() == 2 && x[0] != x[1]);
        let r = report(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let mass = |i: usize| atoms.iter().any(|(p, b)| !p.is_zero() && !b[i].is_zero());
        prop_assert_eq!(r.front.neither_bias(), mass(0) && mass(1));
    }

    /// Every face minimum (the two end faces and each face between adjacent levels) lies below E
    /// at every point of a grid over that face: rules c = w_i/(x_i Σw) with integer weights
    /// w ∈ {0..2} on the face's support (an independent route: no QP, only E itself).
    #[test]
    fn face_minima_are_below_a_grid_of_face_points((x, atoms, cov) in data()) {
        let s = Setting::of(&discrete(&x, &atoms, &cov)).unwrap().unwrap();
        let f = s.front_best();
        let last = s.levels.len() - 1;
        let mut faces = vec![(f.min_norm.clone(), vec![0]), (f.min_sharpness.clone(), vec![last])];
        faces.extend(f.segments.iter().cloned().enumerate().map(|(j, seg)| (seg, vec![j, j + 1])));
        for (face, levels) in faces {
            let support: Vec<usize> = levels.iter().flat_map(|&k| s.levels[k].clone()).collect();
            let n = support.len() as u32;
            for code in 0..3u64.pow(n) {
                let mut w = vec![0i64; x.len()];
                for (k, &i) in support.iter().enumerate() {
                    w[i] = (code / 3u64.pow(k as u32) % 3) as i64;
                }
                if w.iter().all(|&v| v == 0) {
                    continue;
                }
                prop_assert!(face.value <= s.error(&rule(&x, &w)));
            }
        }
    }
}

/// d = 2, x = (2, 1), Σ = I, atoms e_0 and e_1 with weight 1/2 each. By hand: M2 = I/2,
/// A = xᵀM2x = 5/2, b = M2x = (1, 1/2), tr M2 = 1, and the front point c(t) = ((1−t)/2, t) has
/// bᵀc = 1/2, so E(t) = (5/2)((1−t)²/4 + t²), minimised at t = 1/5 with E = 1/2;
/// E(min-norm) = E(0) = 5/8, E(min-sharpness) = E(1) = 5/2. The labels 2 and 1 differ, so the
/// Bayes learner recovers the teacher: error 0. The unconstrained minimiser of E on ⟨x, c⟩ = 1
/// is c ∝ x (Σ = I, b ∝ x): c = x/‖x‖² = (2/5, 1/5), which is ≥ 0 and is the front point.
#[test]
fn hand_derived_two_dimensional_example() {
    let atoms = vec![
        (qf(1, 2), vec![qi(1), qi(0)]),
        (qf(1, 2), vec![qi(0), qi(1)]),
    ];
    let r = report(&discrete(&[qi(2), qi(1)], &atoms, &Covariance::Identity))
        .unwrap()
        .unwrap();
    assert_eq!(r.front.min_norm.value, qf(5, 8));
    assert_eq!(r.front.min_sharpness.value, qf(5, 2));
    assert_eq!(r.front.value, qf(1, 2));
    assert_eq!(r.front.t, qf(1, 5));
    assert_eq!(r.front.c, vec![qf(2, 5), qf(1, 5)]);
    assert!(r.front.neither_bias());
    assert_eq!(r.best_linear.value, qf(1, 2));
    assert_eq!(r.best_linear.c, vec![qf(2, 5), qf(1, 5)]);
    assert_eq!(r.best_linear.nu, Q::zero());
    assert_eq!(r.bayes, Some(Q::zero()));
}

/// One atom e_0 with x = (2, 1): the min-norm rule c = e_0/2 predicts y/2·e_0 = e_0 exactly, so
/// E(min-norm) = 0 and min-norm is the optimal end.
#[test]
fn a_teacher_on_the_largest_coordinate_makes_min_norm_optimal() {
    let atoms = vec![(Q::one(), vec![qi(1), qi(0)])];
    let r = report(&discrete(&[qi(2), qi(1)], &atoms, &Covariance::Identity))
        .unwrap()
        .unwrap();
    assert_eq!(r.front.min_norm.value, Q::zero());
    assert_eq!(r.front.optimal_end(), Some("min-norm"));
    assert!(!r.front.neither_bias());
}

/// Ties (issue 11): x = (1, 1, 2) and one teacher (1, 1, 0), so y = 2 and Σ = I. The min-sharpness
/// face is every rule on {0, 1}; its point c = (1/2, 1/2, 0) predicts β = y·c = (1, 1, 0), the
/// teacher itself: E(min-sharpness) = 0, although its lowest-index vertex e_0 (β = (2, 0, 0)) has
/// error 1 + 1 = 2. Min-norm is c = e_2/2, β = (0, 0, 1), error 1 + 1 + 1 = 3. So min-sharpness
/// is the optimal end, and the kernel verifies exactly that verdict.
#[test]
fn with_tied_coordinates_an_end_is_its_whole_face() {
    let atoms = vec![(Q::one(), vec![qi(1), qi(1), qi(0)])];
    let inst = discrete(&[qi(1), qi(1), qi(2)], &atoms, &Covariance::Identity);
    let r = report(&inst).unwrap().unwrap();
    assert_eq!(r.front.min_sharpness.value, Q::zero());
    assert_eq!(r.front.min_sharpness.c, vec![qf(1, 2), qf(1, 2), qi(0)]);
    assert_eq!(r.setting.error(&[qi(1), qi(0), qi(0)]), qi(2));
    assert_eq!(r.front.min_norm.value, qi(3));
    assert_eq!(r.front.optimal_end(), Some("min-sharpness"));
    let claims = dlncheck::io::claims::generalization_claims(&inst).unwrap();
    let file = dlncheck::io::claims::claim_file(
        "ties",
        Some(dlncheck::io::claims::claim_instance(&inst, true, false)),
        claims,
    );
    let report = dlncheck_kernel::check_text("ties.json", &file.to_string()).unwrap();
    assert!(report.passed(), "{report:?}");
    // The old verdict, min-norm optimal at the lowest-index vertices, is rejected.
    let mut wrong = file.clone();
    wrong["claim"][0]["end"] = serde_json::json!("min-norm");
    assert!(
        !dlncheck_kernel::check_text("ties.json", &wrong.to_string())
            .unwrap()
            .passed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Producer and kernel agree: every T1 and T1-G claim produced for a sampled instance (both
    /// priors' code paths share M2, Σ may be correlated) is verified by the kernel, and the front
    /// claim is `neither-bias` exactly when both margins are positive.
    #[test]
    fn the_kernel_verifies_every_produced_claim(seed in 0u64..1000, index in 0u64..1000) {
        let cand = dlncheck::theory::search::Candidate::sample(seed, index, (1, 4));
        let inst = cand.instance("sampled");
        let mut claims = dlncheck::io::claims::t1_claims(&inst, index % 2 == 0).unwrap();
        let t1 = claims.len();
        claims.extend(dlncheck::io::claims::generalization_claims(&inst).unwrap());
        let file = dlncheck::io::claims::claim_file("sampled", Some(dlncheck::io::claims::claim_instance(&inst, true, false)), claims.clone());
        let checked = dlncheck_kernel::check_text("sampled.json", &file.to_string()).unwrap();
        prop_assert!(checked.passed(), "{:?}", checked);
        let f = report(&inst).unwrap().unwrap().front;
        prop_assert_eq!(claims[t1].to_value()["kind"] == "neither-bias", f.margin_norm > Q::zero() && f.margin_sharpness > Q::zero());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Shrinking keeps the claim true and never grows the instance; sampling is a pure function
    /// of (seed, index).
    #[test]
    fn shrinking_keeps_the_claim_and_does_not_grow(seed in 0u64..1000, index in 0u64..1000) {
        use dlncheck::theory::search::{Candidate, Target};
        let cand = Candidate::sample(seed, index, (2, 3));
        prop_assert_eq!(&cand, &Candidate::sample(seed, index, (2, 3)));
        for target in [Target::NeitherBias, Target::EndOptimal] {
            if cand.holds(target) {
                let small = cand.clone().shrink(target);
                prop_assert!(small.holds(target));
                prop_assert!(small.size() <= cand.size());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Σ = I, any d (README, T1-G, item 2): q'(0)/2 = −(1/x_k²)Σ_{i≠k} x_i u_i − u_l/x_l at the
    /// min-norm end (and the mirror image at the other end), so an end of a front with at least
    /// two vertices is optimal only when it recovers every teacher: E* = 0. The argument needs
    /// the optimal end to be a single coordinate: a tied end is a face, and its best point can be
    /// optimal with E* > 0 (x = (2, 1/3, 1/3), atoms e_1 and e_2: the face holds the posterior
    /// mean; see the next test).
    #[test]
    fn with_identity_covariance_an_untied_optimal_end_has_zero_error((x, atoms, _) in data()) {
        let r = report(&discrete(&x, &atoms, &Covariance::Identity)).unwrap().unwrap();
        let levels = &r.setting.levels;
        let untied = match r.front.optimal_end() {
            Some("min-norm") => levels[0].len() == 1,
            Some("min-sharpness") => levels[levels.len() - 1].len() == 1,
            _ => false,
        };
        if levels.len() >= 2 && untied {
            prop_assert_eq!(r.front.value, Q::zero());
        }
    }
}

/// The tied counterpart, by hand: x = (2, 1/3, 1/3), Σ = I, atoms e_1 and e_2 with weight 1/2.
/// Both labels are 1/3, and the rule c = (0, 3/2, 3/2) (on the min-sharpness face {1, 2},
/// ⟨x, c⟩ = 1) predicts β = (0, 1/2, 1/2), the posterior mean, error (1/2)² + (1/2)² = 1/2 for
/// each atom. No linear rule does better (E(c) = A|c|² − 2bᵀc + 1 with A = 1/9, b = (0, 1/6, 1/6)
/// is minimised on ⟨x, c⟩ = 1 at c ∝ b), so min-sharpness is optimal with E* = 1/2 > 0.
#[test]
fn a_tied_end_can_be_optimal_without_exact_recovery() {
    let atoms = vec![
        (qf(1, 2), vec![qi(0), qi(1), qi(0)]),
        (qf(1, 2), vec![qi(0), qi(0), qi(1)]),
    ];
    let r = report(&discrete(
        &[qi(2), qf(1, 3), qf(1, 3)],
        &atoms,
        &Covariance::Identity,
    ))
    .unwrap()
    .unwrap();
    assert_eq!(r.front.min_sharpness.c, vec![qi(0), qf(3, 2), qf(3, 2)]);
    assert_eq!(r.front.value, qf(1, 2));
    assert_eq!(r.front.optimal_end(), Some("min-sharpness"));
    assert_eq!(r.best_linear.value, qf(1, 2));
}
