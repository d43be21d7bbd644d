//! Expected generalization error of the one-point learners (SPEC §3, T1-G). Untrusted: its
//! answers are re-checked by the kernel (`src/kernel/generalization.rs`).
//!
//! Setting: model `shared`, one data point with x > 0, teachers β* ≥ 0 and not zero, population
//! x' ~ N(0, Σ) with Σ ≻ 0. The error of β against β* is G(β; β*) = (β − β*)ᵀΣ(β − β*); labels
//! are y = ⟨x, β*⟩ > 0, so every coordinate can carry the label (P = all of 1..d).
//!
//! A *linear rule* is β = y·c with ⟨x, c⟩ = 1, c ≥ 0. Its expected error depends on the prior
//! only through M2 = E[β*β*ᵀ] (for a discrete prior M2 = Σ_a p_a β*_a β*_aᵀ):
//!
//!   E(c) = A·cᵀΣc − 2cᵀb + tr(ΣM2),   A = xᵀM2x,   b = ΣM2x.
//!
//! Min-norm and min-sharpness are the rules c = e_k/x_k at the largest and the smallest x_k; the
//! Pareto front (SPEC §2, T1.4) is the polyline through the distinct vertices, and its point with
//! weight t on the segment (v_k, v_l) is c(t) = (1−t)/x_k·e_k + t/x_l·e_l. Along a segment
//! E(c(t)) = α t² + β t + γ is a convex quadratic; its minimum over [0, 1] is exact in Q.

use crate::error::{Error, Result};
use crate::instance::{Covariance, Instance, Model, Teacher};
use crate::ldl;
use crate::optimum::Point;
use crate::rational::{fmt_q, Q};
use num_traits::{One, Signed, Zero};

/// The data of T1-G: x, Σ, M2 and the derived A, b, tr(ΣM2); the atoms for a discrete prior.
#[derive(Clone, Debug)]
pub struct Setting {
    pub x: Vec<Q>,
    pub sigma: Vec<Vec<Q>>,
    pub m2: Vec<Vec<Q>>,
    /// A = xᵀM2x = E[y²].
    pub a: Q,
    /// b = ΣM2x.
    pub b: Vec<Q>,
    /// tr(ΣM2) = E[β*ᵀΣβ*].
    pub trace: Q,
    /// (p_a, β*_a) of a discrete prior.
    pub atoms: Option<Vec<(Q, Vec<Q>)>>,
    /// Vertex coordinates of the front, from min-norm (largest x) to min-sharpness (smallest x).
    pub vertices: Vec<usize>,
}

/// `m·v`.
pub fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    m.iter().map(|r| dot(r, v)).collect()
}

/// `⟨u, v⟩`.
pub fn dot(u: &[Q], v: &[Q]) -> Q {
    u.iter().zip(v).filter(|(a, b)| !a.is_zero() && !b.is_zero()).map(|(a, b)| a * b).sum()
}

/// `uᵀ m v`.
pub fn quad(u: &[Q], m: &[Vec<Q>], v: &[Q]) -> Q {
    dot(u, &mat_vec(m, v))
}

/// The dense Σ of a population (identity expanded).
pub fn sigma_matrix(cov: &Covariance, d: usize) -> Vec<Vec<Q>> {
    match cov {
        Covariance::Identity => (0..d).map(|i| (0..d).map(|j| if i == j { Q::one() } else { Q::zero() }).collect()).collect(),
        Covariance::Matrix(m) => m.clone(),
    }
}

/// M2 = Σ_a p_a β*_a β*_aᵀ of a discrete prior.
pub fn second_moment(atoms: &[(Q, Vec<Q>)], d: usize) -> Vec<Vec<Q>> {
    let mut m = vec![vec![Q::zero(); d]; d];
    for (p, beta) in atoms {
        for i in 0..d {
            if beta[i].is_zero() {
                continue;
            }
            let pb = p * &beta[i];
            for j in 0..d {
                m[i][j] += &pb * &beta[j];
            }
        }
    }
    m
}

impl Setting {
    /// Validates an instance for T1-G and builds its data. `Ok(None)` without a teacher.
    ///
    /// Errors (one line, naming the field): model not `shared`; some x_i ≤ 0; a negative or
    /// all-zero teacher atom; a mean with a negative entry; a second moment that is not symmetric,
    /// has a negative entry, is not PSD (exact LDLᵀ), is inconsistent with the mean
    /// (M2 − m mᵀ not PSD) or has xᵀM2x = 0; a covariance that is not symmetric positive definite.
    pub fn of(inst: &Instance) -> Result<Option<Setting>> {
        let Some(teacher) = &inst.teacher else { return Ok(None) };
        let file = inst.source.as_str();
        if inst.model != Model::Shared {
            return Err(Error::input(file, "model", format!("the generalization setting T1-G (SPEC §3) is for model shared, not {}", inst.model.name())));
        }
        let (x, _) = inst.point()?;
        if let Some(i) = x.iter().position(|v| !v.is_positive()) {
            return Err(Error::input(file, format!("x[{i}]"), format!("T1-G needs x > 0 (SPEC §3), found {}", fmt_q(&x[i]))));
        }
        let d = x.len();
        let sigma = sigma_matrix(&inst.covariance, d);
        if !ldl::is_symmetric(&sigma) {
            return Err(Error::input(file, "population.covariance", "not symmetric"));
        }
        if let Err(e) = ldl::positive_definite(&sigma) {
            return Err(Error::input(file, "population.covariance", format!("not positive definite (LDLᵀ pivot {} at step {})", fmt_q(&e.pivot), e.step)));
        }
        let (m2, atoms) = match teacher {
            Teacher::Discrete { atoms } => {
                for (a, (_, beta)) in atoms.iter().enumerate() {
                    if let Some(i) = beta.iter().position(Signed::is_negative) {
                        return Err(Error::input(file, format!("teacher.atoms[{a}].beta[{i}]"), "negative entry: a teacher of model shared has β* ≥ 0"));
                    }
                    if beta.iter().all(Zero::is_zero) {
                        return Err(Error::input(file, format!("teacher.atoms[{a}].beta"), "the zero teacher gives the label y = 0, which T1 excludes"));
                    }
                }
                (second_moment(atoms, d), Some(atoms.clone()))
            }
            Teacher::Moments { mean, second_moment } => {
                if let Some(i) = mean.iter().position(Signed::is_negative) {
                    return Err(Error::input(file, format!("teacher.mean[{i}]"), "negative entry: a teacher of model shared has β* ≥ 0"));
                }
                let field = "teacher.second_moment";
                if !ldl::is_symmetric(second_moment) {
                    return Err(Error::input(file, field, "not symmetric"));
                }
                if let Err(e) = ldl::psd(second_moment) {
                    return Err(Error::input(file, field, format!("not positive semidefinite (LDLᵀ pivot {} at step {})", fmt_q(&e.pivot), e.step)));
                }
                if second_moment.iter().flatten().any(Signed::is_negative) {
                    return Err(Error::input(file, field, "negative entry: E[β*_i β*_j] ≥ 0 when β* ≥ 0"));
                }
                let cov: Vec<Vec<Q>> = (0..d).map(|i| (0..d).map(|j| &second_moment[i][j] - &mean[i] * &mean[j]).collect()).collect();
                if ldl::psd(&cov).is_err() {
                    return Err(Error::input(file, "teacher.mean", "M2 − m mᵀ is not positive semidefinite: no prior has this mean and second moment"));
                }
                (second_moment.clone(), None)
            }
        };
        let a = quad(x, &m2, x);
        if !a.is_positive() {
            return Err(Error::input(file, "teacher", "E[y²] = xᵀM2x = 0: the prior is the zero teacher"));
        }
        let b = mat_vec(&sigma, &mat_vec(&m2, x));
        let trace = (0..d).map(|i| dot(&sigma[i], &(0..d).map(|j| m2[j][i].clone()).collect::<Vec<_>>())).sum();
        let point = Point::of(inst)?;
        let vertices = crate::pareto::front(&point).into_iter().map(|v| v.index).collect();
        Ok(Some(Setting { x: x.to_vec(), sigma, m2, a, b, trace, atoms, vertices }))
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.x.len()
    }

    /// E(c) = A·cᵀΣc − 2cᵀb + tr(ΣM2) for a linear rule β = y·c.
    pub fn error(&self, c: &[Q]) -> Q {
        &self.a * quad(c, &self.sigma, c) - dot(c, &self.b) * Q::from_integer(2.into()) + &self.trace
    }

    /// ∇E(c) = 2A·Σc − 2b.
    pub fn gradient(&self, c: &[Q]) -> Vec<Q> {
        let two = Q::from_integer(2.into());
        mat_vec(&self.sigma, c).into_iter().zip(&self.b).map(|(s, b)| &two * (&self.a * s - b)).collect()
    }

    /// The vertex rule c = e_k / x_k (the whole label on coordinate k).
    pub fn vertex_rule(&self, k: usize) -> Vec<Q> {
        let mut c = vec![Q::zero(); self.dim()];
        c[k] = self.x[k].recip();
        c
    }

    /// The front point c(t) = (1−t)·c_k + t·c_l on the segment between vertex rules k and l.
    pub fn segment_rule(&self, k: usize, l: usize, t: &Q) -> Vec<Q> {
        let mut c = vec![Q::zero(); self.dim()];
        c[k] = (Q::one() - t) / &self.x[k];
        c[l] = t / &self.x[l];
        c
    }

    /// G(β; β*) = (β − β*)ᵀΣ(β − β*).
    pub fn g(&self, beta: &[Q], teacher: &[Q]) -> Q {
        let diff: Vec<Q> = beta.iter().zip(teacher).map(|(b, t)| b - t).collect();
        quad(&diff, &self.sigma, &diff)
    }

    /// Σ_a p_a G(y_a·c; β*_a), the discrete-prior error evaluated atom by atom (independent of M2).
    pub fn error_per_atom(&self, c: &[Q]) -> Option<Q> {
        let atoms = self.atoms.as_ref()?;
        Some(atoms.iter().map(|(p, beta)| {
            let y = dot(&self.x, beta);
            let pred: Vec<Q> = c.iter().map(|ci| &y * ci).collect();
            p * self.g(&pred, beta)
        }).sum())
    }

    /// Bayes-optimal expected error of a discrete prior: each label y is answered with the
    /// posterior mean of the atoms with ⟨x, β*_a⟩ = y (SPEC §3). `None` for a moments prior.
    pub fn bayes(&self) -> Option<Q> {
        let atoms = self.atoms.as_ref()?;
        let labels: Vec<Q> = atoms.iter().map(|(_, b)| dot(&self.x, b)).collect();
        let mut total = Q::zero();
        for (a, (p, beta)) in atoms.iter().enumerate() {
            if p.is_zero() {
                continue;
            }
            let group: Vec<usize> = (0..atoms.len()).filter(|&j| labels[j] == labels[a]).collect();
            let mass: Q = group.iter().map(|&j| atoms[j].0.clone()).sum();
            let mean: Vec<Q> = (0..self.dim()).map(|i| group.iter().map(|&j| &atoms[j].0 * &atoms[j].1[i]).sum::<Q>() / &mass).collect();
            total += p * self.g(&mean, beta);
        }
        Some(total)
    }

    /// The exact minimum of E over each segment of the front, in front order.
    pub fn segments(&self) -> Vec<SegmentMin> {
        self.vertices.windows(2).map(|w| self.segment_min(w[0], w[1])).collect()
    }

    /// Minimises E(c(t)) = α t² + β t + γ over t ∈ [0, 1] on the segment (k, l):
    /// with δ = c_l − c_k, α = A·δᵀΣδ, β = 2A·c_kᵀΣδ − 2bᵀδ, γ = E(c_k); t* = clamp(−β/(2α), 0, 1).
    pub fn segment_min(&self, k: usize, l: usize) -> SegmentMin {
        let ck = self.vertex_rule(k);
        let cl = self.vertex_rule(l);
        let delta: Vec<Q> = cl.iter().zip(&ck).map(|(u, v)| u - v).collect();
        let two = Q::from_integer(2.into());
        let alpha = &self.a * quad(&delta, &self.sigma, &delta);
        let beta = &two * &self.a * quad(&ck, &self.sigma, &delta) - &two * dot(&self.b, &delta);
        let t = if alpha.is_positive() {
            (-&beta / (&two * &alpha)).max(Q::zero()).min(Q::one())
        } else if beta.is_negative() {
            Q::one()
        } else {
            Q::zero()
        };
        let c = self.segment_rule(k, l, &t);
        let value = self.error(&c);
        SegmentMin { from: k, to: l, t, value, c }
    }

    /// The best point of the front and both ends' errors and margins (SPEC §3, T1-G).
    pub fn front_best(&self) -> FrontBest {
        let first = self.vertices[0];
        let last = self.vertices[self.vertices.len() - 1];
        let min_norm = self.error(&self.vertex_rule(first));
        let min_sharpness = self.error(&self.vertex_rule(last));
        let segments = self.segments();
        let best = segments.iter().enumerate().min_by(|(_, a), (_, b)| a.value.cmp(&b.value)).map(|(j, _)| j);
        let (value, c, t) = match best {
            Some(j) => (segments[j].value.clone(), segments[j].c.clone(), segments[j].t.clone()),
            None => (min_norm.clone(), self.vertex_rule(first), Q::zero()),
        };
        let margin_norm = &min_norm - &value;
        let margin_sharpness = &min_sharpness - &value;
        FrontBest { min_norm, min_sharpness, segments, segment: best, t, c, value, margin_norm, margin_sharpness }
    }
}

/// The minimum of E over one segment of the front.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentMin {
    /// Vertex coordinate at t = 0 (the min-norm side).
    pub from: usize,
    /// Vertex coordinate at t = 1.
    pub to: usize,
    pub t: Q,
    pub value: Q,
    pub c: Vec<Q>,
}

/// E on the front: both ends, every segment's minimum, and the best point.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontBest {
    /// E(min-norm).
    pub min_norm: Q,
    /// E(min-sharpness).
    pub min_sharpness: Q,
    pub segments: Vec<SegmentMin>,
    /// The segment holding the best point (`None` when the front is one vertex).
    pub segment: Option<usize>,
    pub t: Q,
    /// The best front point as a linear rule β = y·c.
    pub c: Vec<Q>,
    /// E* = min over the front.
    pub value: Q,
    /// E(min-norm) − E*.
    pub margin_norm: Q,
    /// E(min-sharpness) − E*.
    pub margin_sharpness: Q,
}

impl FrontBest {
    /// Whether "neither bias alone" holds: both ends lose strictly.
    pub fn neither_bias(&self) -> bool {
        self.margin_norm.is_positive() && self.margin_sharpness.is_positive()
    }

    /// The optimal end when the claim fails: `min-norm`, `min-sharpness` or `both`.
    pub fn optimal_end(&self) -> Option<&'static str> {
        match (self.margin_norm.is_zero(), self.margin_sharpness.is_zero()) {
            (true, true) => Some("both"),
            (true, false) => Some("min-norm"),
            (false, true) => Some("min-sharpness"),
            (false, false) => None,
        }
    }
}

/// Every T1-G learner of an instance, exact (SPEC §3).
#[derive(Clone, Debug)]
pub struct Report {
    pub setting: Setting,
    pub front: FrontBest,
    pub best_linear: crate::qp::BestLinear,
    /// Bayes-optimal error (discrete prior only).
    pub bayes: Option<Q>,
}

/// Solves T1-G for an instance with a teacher; `Ok(None)` without one.
pub fn report(inst: &Instance) -> Result<Option<Report>> {
    let Some(setting) = Setting::of(inst)? else { return Ok(None) };
    let front = setting.front_best();
    let best_linear = crate::qp::best_linear(&setting);
    let bayes = setting.bayes();
    Ok(Some(Report { setting, front, best_linear, bayes }))
}

/// The `generalization` object of `solve --json` (SPEC §7), every number an exact rational:
/// `min_norm` and `min_sharpness` are the two ends' expected errors, `margin_*` = E(end) − E*.
pub fn report_json(r: &Report) -> serde_json::Value {
    use crate::rational::fmt_qs;
    let f = &r.front;
    let mut out = serde_json::json!({
        "min_norm": fmt_q(&f.min_norm),
        "min_sharpness": fmt_q(&f.min_sharpness),
        "margin_norm": fmt_q(&f.margin_norm),
        "margin_sharpness": fmt_q(&f.margin_sharpness),
        "front_best": {"value": fmt_q(&f.value), "c": fmt_qs(&f.c), "segment": f.segment, "t": fmt_q(&f.t)},
        "front": f.segments.iter().map(|s| serde_json::json!({"from": s.from, "to": s.to, "t": fmt_q(&s.t), "value": fmt_q(&s.value)})).collect::<Vec<_>>(),
        "neither_bias": f.neither_bias(),
        "optimal_end": f.optimal_end(),
        "best_linear": {"value": fmt_q(&r.best_linear.value), "c": fmt_qs(&r.best_linear.c), "nu": fmt_q(&r.best_linear.nu)},
    });
    if let Some(b) = &r.bayes {
        out["bayes"] = serde_json::json!({"value": fmt_q(b)});
    }
    out
}
