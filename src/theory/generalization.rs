//! Expected generalization error of the one-point learners (SPEC §3, T1-G). Untrusted: its
//! answers are re-checked by the kernel (`kernel/src/generalization.rs`).
//!
//! Setting: model `shared`, one data point with x > 0, teachers β* ≥ 0 and not zero, population
//! x' ~ N(0, Σ) with Σ ≻ 0. The error of β against β* is G(β; β*) = (β − β*)ᵀΣ(β − β*); labels
//! are y = ⟨x, β*⟩ > 0, so every coordinate can carry the label (P = all of 1..d).
//!
//! A *linear rule* is β = y·c with ⟨x, c⟩ = 1, c ≥ 0. Its expected error depends on the prior
//! only through M2 = E\[β*β*ᵀ\] (for a discrete prior M2 = Σ_a p_a β*_a β*_aᵀ):
//!
//!   E(c) = A·cᵀΣc − 2cᵀb + tr(ΣM2),   A = xᵀM2x,   b = ΣM2x.
//!
//! The levels L_0, L_1, … group equal x_i, from the largest x_i to the smallest. With ties an end
//! of the front is a face, not a point (SPEC §3): min-norm is every rule supported on L_0,
//! min-sharpness every rule supported on L_last, and the Pareto set is the union of the faces
//! supported on L_j ∪ L_{j+1}. E(min-norm), E(min-sharpness) and E* are the minima of E over
//! those faces: exact convex QPs ([`crate::numeric::qp::minimise_on`]) with KKT certificates. Without
//! ties a face is a vertex or a segment, and its minimum is that of the quadratic E(c(t)).

use crate::error::{Error, Result};
use crate::io::instance::{Instance, Teacher};
use crate::numeric::interval::Interval;
use crate::numeric::qp::Objective;
use crate::numeric::rational::{Q, fmt_q};
use crate::numeric::vector::{dot, mat_vec, quad};
use num_traits::{Signed, Zero};

/// The data of T1-G: x, Σ, M2 and the derived A, b, tr(ΣM2); the atoms for a discrete prior.
#[derive(Clone, Debug)]
pub struct Setting {
    pub x: Vec<Q>,
    pub sigma: Vec<Vec<Q>>,
    pub m2: Vec<Vec<Q>>,
    /// A = xᵀM2x = E\[y²\].
    pub a: Q,
    /// b = ΣM2x.
    pub b: Vec<Q>,
    /// tr(ΣM2) = E\[β*ᵀΣβ*\].
    pub trace: Q,
    /// (p_a, β*_a) of a discrete prior.
    pub atoms: Option<Vec<(Q, Vec<Q>)>>,
    /// The levels of x (coordinates of equal x_i), from the largest x_i (min-norm) to the
    /// smallest (min-sharpness).
    pub levels: Vec<Vec<usize>>,
}

/// Arithmetic an expected error is evaluated in: exact rationals ([`Q`]) for exact learners
/// and float endpoints rationalised exactly, certified enclosures ([`Interval`]) for the boxes
/// of certified GD. Every operation is exact (no rounding); an `Interval` result is the exact
/// range of the formula over its boxes, evaluated term by term.
pub trait ErrorArith: Sized {
    /// t − c.
    fn minus(&self, c: &Q) -> Self;
    /// t·u.
    fn times(&self, o: &Self) -> Self;
    /// t².
    fn square(&self) -> Self;
    /// c·t for an exact c.
    fn scaled(&self, c: &Q) -> Self;
    /// t + u.
    fn plus(&self, o: &Self) -> Self;
    /// 0.
    fn zero_value() -> Self;
}

impl ErrorArith for Q {
    fn minus(&self, c: &Q) -> Q {
        self - c
    }
    fn times(&self, o: &Q) -> Q {
        self * o
    }
    fn square(&self) -> Q {
        self * self
    }
    fn scaled(&self, c: &Q) -> Q {
        c * self
    }
    fn plus(&self, o: &Q) -> Q {
        self + o
    }
    fn zero_value() -> Q {
        Q::zero()
    }
}

impl ErrorArith for Interval {
    fn minus(&self, c: &Q) -> Interval {
        Interval::minus(self, c)
    }
    fn times(&self, o: &Interval) -> Interval {
        self.mul(o)
    }
    fn square(&self) -> Interval {
        self.sqr()
    }
    fn scaled(&self, c: &Q) -> Interval {
        self.mul(&Interval::point(c.clone()))
    }
    fn plus(&self, o: &Interval) -> Interval {
        self.add(o)
    }
    fn zero_value() -> Interval {
        Interval::point(Q::zero())
    }
}

/// The expected error of predictions against teachers, written once (SPEC §3, §4.1):
///
///   E = Σ_a p_a G(β_a; β*_a),   G(β; β*) = (β − β*)ᵀΣ(β − β*) = Σ_ij Σ_ij D_i D_j,  D = β − β*,
///
/// summed term by term with D_i² for i = j (the kernel's formula, so an interval result is the
/// one the kernel re-derives) and terms with p_a·Σ_ij = 0 left out. `terms` yields
/// (p_a, β_a, β*_a). A discrete prior's expected error of any learner, the error G of one
/// predictor (p = 1), and the enclosure of the certified GD learner's error are this function.
pub fn expected_error<'a, T: ErrorArith + 'a>(
    sigma: &[Vec<Q>],
    terms: impl IntoIterator<Item = (&'a Q, &'a [T], &'a [Q])>,
) -> T {
    let mut total = T::zero_value();
    for (p, beta, star) in terms {
        let diff: Vec<T> = beta.iter().zip(star).map(|(b, s)| b.minus(s)).collect();
        for (i, di) in diff.iter().enumerate() {
            for (j, dj) in diff.iter().enumerate() {
                let c = p * &sigma[i][j];
                if c.is_zero() {
                    continue;
                }
                let v = if i == j { di.square() } else { di.times(dj) };
                total = total.plus(&v.scaled(&c));
            }
        }
    }
    total
}

/// The labels y_a = Xβ*_a of a teacher atom on the rows of X (SPEC §5.4).
pub fn atom_labels(x: &[Vec<Q>], star: &[Q]) -> Vec<Q> {
    x.iter()
        .map(|row| crate::numeric::vector::dot(row, star))
        .collect()
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
    /// The data of T1-G for an instance with a teacher; `Ok(None)` without one. The instance's
    /// preconditions (model `shared`, x > 0, a realisable prior, Σ ≻ 0) are checked by the
    /// kernel's validator, called again here for instances built in code.
    pub fn of(inst: &Instance) -> Result<Option<Setting>> {
        let Some(teacher) = &inst.teacher else {
            return Ok(None);
        };
        dlncheck_kernel::instance::validate(inst)
            .map_err(|(field, reason)| Error::input(&inst.source, field, reason))?;
        if !inst.one_point {
            return Err(Error::input(
                &inst.source,
                "teacher",
                "T1-G (SPEC §3) is about one data point `x`; at n > 1 points the teacher labels the float GD learner of `sweep` (SPEC §5.4)",
            ));
        }
        let x = &inst.x[0];
        let d = x.len();
        // The dense d × d work of T1-G (Σ, M2, faces), refused before it starts with the
        // kernel's `dense` limit (proofs/FORMAT.md §6), as `check` refuses the claims.
        let atoms = match teacher {
            Teacher::Discrete { atoms } => atoms.len() as u128,
            Teacher::Moments { .. } => 1,
        };
        let work = (d as u128).pow(2) * (atoms + 6) + atoms * atoms;
        if work > dlncheck_kernel::limits::DENSE_WORK {
            return Err(Error::input(
                &inst.source,
                "x",
                format!(
                    "T1-G with d = {d} and {atoms} atom(s) needs dense work {work}, over the limit of {} (proofs/FORMAT.md §6)",
                    dlncheck_kernel::limits::DENSE_WORK
                ),
            ));
        }
        let sigma = inst.sigma();
        let (m2, atoms) = match teacher {
            Teacher::Discrete { atoms } => (second_moment(atoms, d), Some(atoms.clone())),
            Teacher::Moments { second_moment, .. } => (second_moment.clone(), None),
        };
        let a = quad(x, &m2, x);
        let b = mat_vec(&sigma, &mat_vec(&m2, x));
        let trace = (0..d)
            .map(|i| {
                dot(
                    &sigma[i],
                    &(0..d).map(|j| m2[j][i].clone()).collect::<Vec<_>>(),
                )
            })
            .sum();
        let mut by_value: std::collections::BTreeMap<&Q, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, v) in x.iter().enumerate() {
            by_value.entry(v).or_default().push(i);
        }
        let levels = by_value.into_values().rev().collect();
        Ok(Some(Setting {
            x: x.to_vec(),
            sigma,
            m2,
            a,
            b,
            trace,
            atoms,
            levels,
        }))
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.x.len()
    }

    /// E(c) = A·cᵀΣc − 2cᵀb + tr(ΣM2) for a linear rule β = y·c ([`Objective::value`]).
    pub fn error(&self, c: &[Q]) -> Q {
        Objective::value(self, c)
    }

    /// ∇E(c) = 2A·Σc − 2b ([`Objective::gradient`]).
    pub fn gradient(&self, c: &[Q]) -> Vec<Q> {
        Objective::gradient(self, c)
    }

    /// The vertex rule c = e_k / x_k (the whole label on coordinate k).
    pub fn vertex_rule(&self, k: usize) -> Vec<Q> {
        Objective::vertex_rule(self, k)
    }

    /// G(β; β*) = (β − β*)ᵀΣ(β − β*) ([`expected_error`] of one predictor with weight 1).
    pub fn g(&self, beta: &[Q], teacher: &[Q]) -> Q {
        expected_error(&self.sigma, [(&Q::from_integer(1.into()), beta, teacher)])
    }

    /// Σ_a p_a G(y_a·c; β*_a), the discrete-prior error evaluated atom by atom (independent of M2).
    pub fn error_per_atom(&self, c: &[Q]) -> Option<Q> {
        let atoms = self.atoms.as_ref()?;
        let preds: Vec<Vec<Q>> = atoms
            .iter()
            .map(|(_, beta)| {
                let y = dot(&self.x, beta);
                c.iter().map(|ci| &y * ci).collect()
            })
            .collect();
        Some(expected_error(
            &self.sigma,
            atoms
                .iter()
                .zip(&preds)
                .map(|((p, beta), pred)| (p, pred.as_slice(), beta.as_slice())),
        ))
    }

    /// Bayes-optimal expected error of a discrete prior: each label y is answered with the
    /// posterior mean of the atoms with ⟨x, β*_a⟩ = y (SPEC §3). `None` for a moments prior.
    pub fn bayes(&self) -> Option<Q> {
        let atoms = self.atoms.as_ref()?;
        let labels: Vec<Q> = atoms.iter().map(|(_, b)| dot(&self.x, b)).collect();
        let means: Vec<Vec<Q>> = (0..atoms.len())
            .map(|a| {
                if atoms[a].0.is_zero() {
                    return atoms[a].1.clone();
                }
                let group: Vec<usize> = (0..atoms.len())
                    .filter(|&j| labels[j] == labels[a])
                    .collect();
                let mass: Q = group.iter().map(|&j| atoms[j].0.clone()).sum();
                (0..self.dim())
                    .map(|i| {
                        group
                            .iter()
                            .map(|&j| &atoms[j].0 * &atoms[j].1[i])
                            .sum::<Q>()
                            / &mass
                    })
                    .collect()
            })
            .collect();
        Some(expected_error(
            &self.sigma,
            atoms
                .iter()
                .zip(&means)
                .map(|((p, beta), mean)| (p, mean.as_slice(), beta.as_slice())),
        ))
    }

    /// The minimum of E over the face supported on the union of `levels` (KKT-certified).
    pub fn face(&self, levels: &[usize]) -> Face {
        let support: Vec<usize> = levels
            .iter()
            .flat_map(|&k| self.levels[k].iter().copied())
            .collect();
        crate::numeric::qp::minimise_on(self, &support)
    }

    /// The best point of the Pareto set and both end faces' errors and margins (SPEC §3, T1-G).
    pub fn front_best(&self) -> FrontBest {
        let last = self.levels.len() - 1;
        let min_norm = self.face(&[0]);
        let min_sharpness = self.face(&[last]);
        let segments: Vec<Face> = (0..last).map(|j| self.face(&[j, j + 1])).collect();
        let value = segments
            .iter()
            .map(|s| &s.value)
            .min()
            .unwrap_or(&min_norm.value)
            .clone();
        let segment = segments.iter().position(|s| s.value == value);
        let (c, t) = match segment {
            Some(j) => (
                segments[j].c.clone(),
                self.levels[j + 1]
                    .iter()
                    .map(|&i| &self.x[i] * &segments[j].c[i])
                    .sum(),
            ),
            None => (min_norm.c.clone(), Q::zero()),
        };
        let margin_norm = &min_norm.value - &value;
        let margin_sharpness = &min_sharpness.value - &value;
        FrontBest {
            min_norm,
            min_sharpness,
            segments,
            segment,
            t,
            c,
            value,
            margin_norm,
            margin_sharpness,
        }
    }
}

impl Objective for Setting {
    fn x(&self) -> &[Q] {
        &self.x
    }
    fn sigma(&self) -> &[Vec<Q>] {
        &self.sigma
    }
    fn a(&self) -> &Q {
        &self.a
    }
    fn b(&self) -> &[Q] {
        &self.b
    }
    fn constant(&self) -> &Q {
        &self.trace
    }
}

/// The minimum of E over a face {c ≥ 0 on S, 0 off S, ⟨x, c⟩ = 1}, with its KKT certificate.
pub type Face = crate::numeric::qp::BestLinear;

/// E on the front: both ends, every segment's minimum, and the best point.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontBest {
    /// E(min-norm): the minimum over the min-norm face.
    pub min_norm: Face,
    /// E(min-sharpness): the minimum over the min-sharpness face.
    pub min_sharpness: Face,
    /// The minimum over each face between adjacent levels, in front order.
    pub segments: Vec<Face>,
    /// The first segment attaining E* (`None` when the front is one face).
    pub segment: Option<usize>,
    /// The share Σ_{i ∈ L_{segment+1}} x_i·c_i of the sharper level at the best point.
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
    pub best_linear: crate::numeric::qp::BestLinear,
    /// Bayes-optimal error (discrete prior only).
    pub bayes: Option<Q>,
}

/// Solves T1-G for an instance with a teacher; `Ok(None)` without one.
pub fn report(inst: &Instance) -> Result<Option<Report>> {
    let Some(setting) = Setting::of(inst)? else {
        return Ok(None);
    };
    let front = setting.front_best();
    let best_linear = crate::numeric::qp::best_linear(&setting);
    let bayes = setting.bayes();
    Ok(Some(Report {
        setting,
        front,
        best_linear,
        bayes,
    }))
}

/// The `generalization` object of `solve --json` (SPEC §7), every number an exact rational:
/// `min_norm` and `min_sharpness` are the two ends' expected errors, `margin_*` = E(end) − E*.
pub fn report_json(r: &Report) -> serde_json::Value {
    use crate::numeric::rational::fmt_qs;
    let f = &r.front;
    let mut out = serde_json::json!({
        "min_norm": fmt_q(&f.min_norm.value),
        "min_sharpness": fmt_q(&f.min_sharpness.value),
        "margin_norm": fmt_q(&f.margin_norm),
        "margin_sharpness": fmt_q(&f.margin_sharpness),
        "front_best": {"value": fmt_q(&f.value), "c": fmt_qs(&f.c), "segment": f.segment, "t": fmt_q(&f.t)},
        "front": f.segments.iter().enumerate().map(|(j, s)| serde_json::json!({"from": r.setting.levels[j][0], "to": r.setting.levels[j + 1][0], "t": fmt_q(&r.setting.levels[j + 1].iter().map(|&i| &r.setting.x[i] * &s.c[i]).sum()), "value": fmt_q(&s.value)})).collect::<Vec<_>>(),
        "neither_bias": f.neither_bias(),
        "optimal_end": f.optimal_end(),
        "best_linear": {"value": fmt_q(&r.best_linear.value), "c": fmt_qs(&r.best_linear.c), "nu": fmt_q(&r.best_linear.nu)},
    });
    if let Some(b) = &r.bayes {
        out["bayes"] = serde_json::json!({"value": fmt_q(b)});
    }
    out
}
