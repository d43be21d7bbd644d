//! Kernel checks for the generalization setting T1-G (SPEC §3).
//!
//! Trusted mathematics. Model `shared`, one point with x > 0, teachers β* ≥ 0, Σ ≻ 0. A linear
//! rule β = y·c (⟨x, c⟩ = 1, c ≥ 0) has expected error E(c) = A·cᵀΣc − 2cᵀb + tr(ΣM2) with
//! M2 = E[β*β*ᵀ], A = xᵀM2x, b = ΣM2x (expand E[(y c − β*)ᵀΣ(y c − β*)] with y = ⟨x, β*⟩).
//! The front point with weight t between consecutive vertex rules c_k = e_k/x_k and c_l is
//! c(t) = c_k + t(c_l − c_k), and E(c(t)) = αt² + βt + γ with α = A·δᵀΣδ ≥ 0: a convex quadratic,
//! so t ∈ [0, 1] minimises it over the segment iff q'(t) = 2αt + β is 0 (0 < t < 1), ≥ 0 (t = 0)
//! or ≤ 0 (t = 1). For the best linear rule, Σ ⪰ 0 and A ≥ 0 make E convex, so the KKT conditions
//! (g − νx − μ = 0, μ ≥ 0, c ≥ 0, μ_i c_i = 0, ⟨x, c⟩ = 1) prove global optimality.
//! Everything here is recomputed from the instance; this file depends on no solver.

use super::{ensure, Checked, Claim, Fail};
use crate::instance::{Covariance, Model, Teacher};
use crate::ldl;
use crate::rational::{fmt_q, Q};
use num_traits::{One, Signed, Zero};

struct Setting {
    x: Vec<Q>,
    sigma: Vec<Vec<Q>>,
    atoms: Option<Vec<(Q, Vec<Q>)>>,
    a: Q,
    b: Vec<Q>,
    trace: Q,
}

fn dot(u: &[Q], v: &[Q]) -> Q {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    m.iter().map(|r| dot(r, v)).collect()
}

fn quad(u: &[Q], m: &[Vec<Q>], v: &[Q]) -> Q {
    dot(u, &mat_vec(m, v))
}

fn malformed(c: &Claim, field: &str, reason: impl Into<String>) -> Fail {
    Fail::Malformed(c.fields.err(&format!("instance.{field}"), reason))
}

/// Validates the T1-G preconditions and computes M2, A, b and tr(ΣM2) from the instance.
fn setting(c: &Claim) -> Result<Setting, Fail> {
    let inst = c.instance()?;
    ensure(inst.model == Model::Shared, || format!("T1-G is for model shared, not {}", inst.model.name()))?;
    let (x, _) = inst.point()?;
    if let Some(i) = x.iter().position(|v| !v.is_positive()) {
        return Err(malformed(c, &format!("x[{i}]"), "T1-G needs x > 0"));
    }
    let d = x.len();
    let sigma: Vec<Vec<Q>> = match &inst.covariance {
        Covariance::Identity => (0..d).map(|i| (0..d).map(|j| if i == j { Q::one() } else { Q::zero() }).collect()).collect(),
        Covariance::Matrix(m) => m.clone(),
    };
    if !ldl::is_symmetric(&sigma) || ldl::positive_definite(&sigma).is_err() {
        return Err(malformed(c, "population.covariance", "not symmetric positive definite"));
    }
    let (m2, atoms) = match &inst.teacher {
        None => return Err(malformed(c, "teacher", "missing: T1-G claims need a teacher prior")),
        Some(Teacher::Discrete { atoms }) => {
            let mut m2 = vec![vec![Q::zero(); d]; d];
            for (a, (p, beta)) in atoms.iter().enumerate() {
                if beta.iter().any(Signed::is_negative) || beta.iter().all(Zero::is_zero) {
                    return Err(malformed(c, &format!("teacher.atoms[{a}].beta"), "a teacher of model shared is ≥ 0 and not zero"));
                }
                for i in 0..d {
                    for j in 0..d {
                        m2[i][j] += p * &beta[i] * &beta[j];
                    }
                }
            }
            (m2, Some(atoms.clone()))
        }
        Some(Teacher::Moments { mean, second_moment }) => {
            if !ldl::is_symmetric(second_moment) || ldl::psd(second_moment).is_err() {
                return Err(malformed(c, "teacher.second_moment", "not symmetric positive semidefinite"));
            }
            let centred: Vec<Vec<Q>> = (0..d).map(|i| (0..d).map(|j| &second_moment[i][j] - &mean[i] * &mean[j]).collect()).collect();
            if mean.iter().any(Signed::is_negative) || ldl::psd(&centred).is_err() {
                return Err(malformed(c, "teacher.mean", "no prior of teachers β* ≥ 0 has this mean and second moment (need m ≥ 0, M2 − mmᵀ ⪰ 0)"));
            }
            (second_moment.clone(), None)
        }
    };
    let a = quad(x, &m2, x);
    ensure(a.is_positive(), || "E[y²] = xᵀM2x is not positive".into())?;
    let b = mat_vec(&sigma, &mat_vec(&m2, x));
    let trace = (0..d).map(|i| (0..d).map(|j| &sigma[i][j] * &m2[j][i]).sum::<Q>()).sum();
    Ok(Setting { x: x.to_vec(), sigma, atoms, a, b, trace })
}

impl Setting {
    fn error(&self, c: &[Q]) -> Q {
        &self.a * quad(c, &self.sigma, c) - Q::from_integer(2.into()) * dot(c, &self.b) + &self.trace
    }

    fn vertex(&self, k: usize) -> Vec<Q> {
        (0..self.x.len()).map(|i| if i == k { self.x[k].recip() } else { Q::zero() }).collect()
    }

    /// Vertex coordinates of the front: one per distinct x_i (lowest index), x decreasing.
    fn vertices(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.x.len()).filter(|&i| (0..i).all(|j| self.x[j] != self.x[i])).collect();
        idx.sort_by(|&i, &j| self.x[j].cmp(&self.x[i]));
        idx
    }
}

/// Checks the front part shared by `neither-bias` and `end-optimal`; returns (E*, margins, where).
fn front(c: &Claim, s: &Setting) -> Result<(Q, Q, Q, String), Fail> {
    let two = Q::from_integer(2.into());
    let vertices = s.vertices();
    let e_norm = s.error(&s.vertex(vertices[0]));
    let e_sharp = s.error(&s.vertex(vertices[vertices.len() - 1]));
    let min_norm = c.q("min_norm")?;
    let min_sharpness = c.q("min_sharpness")?;
    ensure(min_norm == e_norm, || format!("E(min-norm) is {}, claimed {}", fmt_q(&e_norm), fmt_q(&min_norm)))?;
    ensure(min_sharpness == e_sharp, || format!("E(min-sharpness) is {}, claimed {}", fmt_q(&e_sharp), fmt_q(&min_sharpness)))?;
    let list = c.list("segments")?;
    ensure(list.len() + 1 == vertices.len(), || format!("the front has {} segments, the claim lists {}", vertices.len() - 1, list.len()))?;
    let mut values = Vec::with_capacity(list.len());
    let mut points = Vec::with_capacity(list.len());
    for (j, seg) in list.iter().enumerate() {
        let at = format!("{}.segments[{j}]", c.at);
        let t = c.fields.q(c.fields.get(seg, &at, "t")?, &format!("{at}.t"))?;
        let value = c.fields.q(c.fields.get(seg, &at, "value")?, &format!("{at}.value"))?;
        let (ck, cl) = (s.vertex(vertices[j]), s.vertex(vertices[j + 1]));
        let delta: Vec<Q> = cl.iter().zip(&ck).map(|(u, v)| u - v).collect();
        let alpha = &s.a * quad(&delta, &s.sigma, &delta);
        let beta = &two * &s.a * quad(&ck, &s.sigma, &delta) - &two * dot(&s.b, &delta);
        ensure(!alpha.is_negative(), || format!("segment {j}: E is not convex along it"))?;
        ensure(!t.is_negative() && t <= Q::one(), || format!("segment {j}: t = {} is outside [0, 1]", fmt_q(&t)))?;
        let slope = &two * &alpha * &t + &beta;
        let optimal = if t.is_zero() { !slope.is_negative() } else if t.is_one() { !slope.is_positive() } else { slope.is_zero() };
        ensure(optimal, || format!("segment {j}: t = {} does not minimise E there (q'(t) = {})", fmt_q(&t), fmt_q(&slope)))?;
        let point: Vec<Q> = ck.iter().zip(&delta).map(|(u, v)| u + &t * v).collect();
        let e = s.error(&point);
        ensure(e == value, || format!("segment {j}: E(c(t)) is {}, claimed {}", fmt_q(&e), fmt_q(&value)))?;
        values.push(value);
        points.push((t, point));
    }
    let value = c.q("value")?;
    let star = values.iter().min().cloned().unwrap_or_else(|| e_norm.clone());
    ensure(value == star, || format!("the minimum of E over the front is {}, claimed {}", fmt_q(&star), fmt_q(&value)))?;
    let point = c.qs("c")?;
    let place = if list.is_empty() {
        ensure(point == s.vertex(vertices[0]), || "c is not the only front point".into())?;
        "at the single vertex".to_string()
    } else {
        let j = c.uint("segment")? as usize;
        ensure(j < values.len() && values[j] == star, || format!("segment {j} does not attain the minimum"))?;
        let t = c.q("t")?;
        ensure(t == points[j].0, || format!("t is {}, segment {j} lists {}", fmt_q(&t), fmt_q(&points[j].0)))?;
        ensure(point == points[j].1, || format!("c is not the point of segment {j} at t"))?;
        format!("on segment {j} at t = {}", fmt_q(&t))
    };
    let margin_norm = c.q("margin_norm")?;
    let margin_sharpness = c.q("margin_sharpness")?;
    ensure(margin_norm == &e_norm - &star, || format!("margin_norm is not E(min-norm) − E* = {}", fmt_q(&(&e_norm - &star))))?;
    ensure(margin_sharpness == &e_sharp - &star, || format!("margin_sharpness is not E(min-sharpness) − E* = {}", fmt_q(&(&e_sharp - &star))))?;
    Ok((star, margin_norm, margin_sharpness, place))
}

/// `neither-bias` (T1-G): both ends of the front lose strictly to the best front point E*.
pub(super) fn neither_bias(c: &Claim) -> Checked {
    let s = setting(c)?;
    let (star, mn, ms, place) = front(c, &s)?;
    ensure(mn.is_positive(), || "min-norm is optimal on the front (margin 0): the claim fails".into())?;
    ensure(ms.is_positive(), || "min-sharpness is optimal on the front (margin 0): the claim fails".into())?;
    Ok(format!("neither bias alone: E* = {} {place}; min-norm loses by {}, min-sharpness by {}", fmt_q(&star), fmt_q(&mn), fmt_q(&ms)))
}

/// `end-optimal`: the named end (`min-norm`, `min-sharpness` or `both`) attains E*.
pub(super) fn end_optimal(c: &Claim) -> Checked {
    let s = setting(c)?;
    let (star, mn, ms, _) = front(c, &s)?;
    let end = c.fields.str(c.raw("end")?, &format!("{}.end", c.at))?;
    let (ok, other) = match end {
        "min-norm" => (mn.is_zero() && ms.is_positive(), &ms),
        "min-sharpness" => (ms.is_zero() && mn.is_positive(), &mn),
        "both" => (mn.is_zero() && ms.is_zero(), &mn),
        other => return Err(Fail::Malformed(c.fields.err(&format!("{}.end", c.at), format!("`{other}`: expected min-norm, min-sharpness or both")))),
    };
    ensure(ok, || format!("`{end}` is not exactly the optimal end (margins {} and {})", fmt_q(&mn), fmt_q(&ms)))?;
    Ok(format!("{end} is optimal on the front: E* = {}, the other end loses by {}", fmt_q(&star), fmt_q(other)))
}

/// `best-linear`: c minimises E over all linear rules, certified by KKT multipliers ν, μ.
pub(super) fn best_linear(c: &Claim) -> Checked {
    let s = setting(c)?;
    let d = s.x.len();
    let point = c.qs("c")?;
    let nu = c.q("nu")?;
    let mu = c.qs("mu")?;
    let value = c.q("value")?;
    ensure(point.len() == d && mu.len() == d, || format!("c and mu need {d} entries"))?;
    // Convexity: Σ ≻ 0 was checked by `setting`, and A > 0.
    ensure(!s.a.is_negative(), || "E is not convex".into())?;
    ensure(dot(&s.x, &point).is_one(), || "⟨x, c⟩ ≠ 1".into())?;
    let two = Q::from_integer(2.into());
    let sc = mat_vec(&s.sigma, &point);
    for i in 0..d {
        ensure(!point[i].is_negative(), || format!("c[{i}] < 0"))?;
        ensure(!mu[i].is_negative(), || format!("mu[{i}] < 0"))?;
        ensure((&mu[i] * &point[i]).is_zero(), || format!("complementarity fails at {i}: mu·c ≠ 0"))?;
        let g = &two * (&s.a * &sc[i] - &s.b[i]);
        ensure(&g - &nu * &s.x[i] == mu[i], || format!("stationarity fails at {i}: g − νx − μ = {}", fmt_q(&(&g - &nu * &s.x[i] - &mu[i]))))?;
    }
    let e = s.error(&point);
    ensure(e == value, || format!("E(c) is {}, claimed {}", fmt_q(&e), fmt_q(&value)))?;
    Ok(format!("best linear rule: E = {} (KKT, ν = {})", fmt_q(&value), fmt_q(&nu)))
}

/// `bayes`: the Bayes-optimal error of a discrete prior (posterior mean per label).
pub(super) fn bayes(c: &Claim) -> Checked {
    let s = setting(c)?;
    let atoms = s.atoms.as_ref().ok_or_else(|| Fail::Reject("the Bayes claim needs a discrete prior".into()))?;
    let value = c.q("value")?;
    let labels: Vec<Q> = atoms.iter().map(|(_, b)| dot(&s.x, b)).collect();
    let mut total = Q::zero();
    for (a, (p, beta)) in atoms.iter().enumerate() {
        if p.is_zero() {
            continue;
        }
        let group: Vec<&(Q, Vec<Q>)> = atoms.iter().zip(&labels).filter(|(_, y)| **y == labels[a]).map(|(at, _)| at).collect();
        let mass: Q = group.iter().map(|(q, _)| q.clone()).sum();
        let diff: Vec<Q> = (0..s.x.len()).map(|i| group.iter().map(|(q, b)| q * &b[i]).sum::<Q>() / &mass - &beta[i]).collect();
        total += p * quad(&diff, &s.sigma, &diff);
    }
    ensure(total == value, || format!("the Bayes error is {}, claimed {}", fmt_q(&total), fmt_q(&value)))?;
    Ok(format!("Bayes-optimal expected error {}", fmt_q(&value)))
}
