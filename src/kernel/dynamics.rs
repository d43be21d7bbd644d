//! Kernel check of the `gd-witness` claim (SPEC §4 C5, §3): a gradient-descent endpoint,
//! projected exactly onto the zero-loss manifold, has a smaller expected generalization error
//! than both the min-norm and the min-sharpness solutions.
//!
//! Trusted mathematics, all in Q: β = θ⊙θ (`shared`), projection β_gd = β·y/⟨x, β⟩ (so
//! ⟨x, β_gd⟩ = y), the learner as the linear rule c = β_gd/y, and the expected error by its
//! definition (SPEC §3): discrete prior E(c) = Σ_a p_a (y_a c − β*_a)ᵀΣ(y_a c − β*_a) with
//! y_a = ⟨x, β*_a⟩; moments prior E(c) = (xᵀM2x)·cᵀΣc − 2cᵀΣM2x + tr(ΣM2). With every x_i > 0
//! (T1-G), min-norm puts the label on the lowest index of the largest x_i, min-sharpness on the
//! lowest index of the smallest x_i (T1.1, T1.2).

use super::{ensure, Checked, Claim, Fail};
use crate::instance::{Covariance, Model, Teacher};
use crate::rational::{fmt_q, Q};
use num_traits::{Signed, ToPrimitive, Zero};

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

fn sigma(cov: &Covariance, v: &[Q]) -> Vec<Q> {
    match cov {
        Covariance::Identity => v.to_vec(),
        Covariance::Matrix(m) => m.iter().map(|row| dot(row, v)).collect(),
    }
}

fn error(x: &[Q], teacher: &Teacher, cov: &Covariance, c: &[Q]) -> Q {
    match teacher {
        Teacher::Discrete { atoms } => atoms
            .iter()
            .map(|(p, b)| {
                let ya = dot(x, b);
                let diff: Vec<Q> = c.iter().zip(b).map(|(ci, bi)| &ya * ci - bi).collect();
                p * dot(&diff, &sigma(cov, &diff))
            })
            .sum(),
        Teacher::Moments { second_moment, .. } => {
            let m2x: Vec<Q> = second_moment.iter().map(|row| dot(row, x)).collect();
            let sc = sigma(cov, c);
            let d = x.len();
            let trace: Q = (0..d).map(|i| dot(&sigma(cov, &second_moment.iter().map(|row| row[i].clone()).collect::<Vec<_>>()), &unit(d, i))).sum();
            dot(x, &m2x) * dot(c, &sc) - Q::from_integer(2.into()) * dot(&sc, &m2x) + trace
        }
    }
}

/// Nearest f64, for the summary line only.
fn approx(q: &Q) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

fn unit(d: usize, i: usize) -> Vec<Q> {
    let mut e = vec![Q::zero(); d];
    e[i] = Q::from_integer(1.into());
    e
}

/// `gd-witness`: fields `theta`, `beta`, `error`, `error_min_norm`, `error_min_sharpness`.
pub(super) fn gd_witness(c: &Claim) -> Checked {
    let inst = c.instance()?;
    ensure(inst.model == Model::Shared, || format!("gd-witness is for the shared model, not {}", inst.model.name()))?;
    let (x, y) = inst.point()?;
    let teacher = inst.teacher.as_ref().ok_or_else(|| Fail::Reject("gd-witness needs a [teacher] in the instance".into()))?;
    ensure(x.iter().all(Signed::is_positive), || "T1-G needs every x_i > 0".into())?;
    let d = x.len();
    let theta = c.qs("theta")?;
    let beta = c.qs("beta")?;
    let e = c.q("error")?;
    let e_norm = c.q("error_min_norm")?;
    let e_sharp = c.q("error_min_sharpness")?;
    ensure(theta.len() == d && beta.len() == d, || format!("theta and beta need {d} entries"))?;
    let raw: Vec<Q> = theta.iter().map(|w| w * w).collect();
    let s = dot(x, &raw);
    ensure(s.is_positive(), || "⟨x, θ⊙θ⟩ must be > 0 to project onto M".into())?;
    for i in 0..d {
        let p = &raw[i] * y / &s;
        ensure(p == beta[i], || format!("beta[{i}] = {} but the projection θ_i²·y/⟨x, θ⊙θ⟩ is {}", fmt_q(&beta[i]), fmt_q(&p)))?;
    }
    ensure(&dot(x, &beta) == y, || "⟨x, beta⟩ ≠ y".into())?;
    let rule: Vec<Q> = beta.iter().map(|b| b / y).collect();
    let got = error(x, teacher, &inst.covariance, &rule);
    ensure(got == e, || format!("expected error of beta is {}, claimed {}", fmt_q(&got), fmt_q(&e)))?;
    let pick = |better: &dyn Fn(&Q, &Q) -> bool| -> usize { (1..d).fold(0, |k, i| if better(&x[i], &x[k]) { i } else { k }) };
    let k_norm = pick(&|a, b| a > b);
    let k_sharp = pick(&|a, b| a < b);
    let rule_at = |k: usize| -> Vec<Q> { unit(d, k).iter().map(|v| v / &x[k]).collect() };
    let got_norm = error(x, teacher, &inst.covariance, &rule_at(k_norm));
    let got_sharp = error(x, teacher, &inst.covariance, &rule_at(k_sharp));
    ensure(got_norm == e_norm, || format!("expected error of min-norm is {}, claimed {}", fmt_q(&got_norm), fmt_q(&e_norm)))?;
    ensure(got_sharp == e_sharp, || format!("expected error of min-sharpness is {}, claimed {}", fmt_q(&got_sharp), fmt_q(&e_sharp)))?;
    ensure(e < e_norm, || "the GD learner does not beat min-norm".into())?;
    ensure(e < e_sharp, || "the GD learner does not beat min-sharpness".into())?;
    let margin = e_norm.min(e_sharp) - &e;
    Ok(format!("projected GD endpoint has expected error ≈ {:.8e}, below both min-norm and min-sharpness by ≈ {:.6e}", approx(&e), approx(&margin)))
}
