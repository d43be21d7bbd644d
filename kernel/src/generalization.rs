//! Generalization of one point (T1-G, SPEC §3): `neither-bias`, `end-optimal`, `best-linear`,
//! `bayes`.
//!
//! Trusted mathematics. Model `shared`, one point with x > 0, teachers β* ≥ 0, Σ ≻ 0 (all checked
//! by [`crate::instance::validate`]). A linear rule β = y·c has expected error
//! E(c) = A·cᵀΣc − 2bᵀc + tr(ΣM2) with M2 = E[β*β*ᵀ], A = xᵀM2x > 0, b = ΣM2x (expand
//! E[(yc − β*)ᵀΣ(yc − β*)] with y = ⟨x, β*⟩). E is convex (Σ ≻ 0, A > 0). For a support set S,
//! the KKT conditions — c ≥ 0, c = 0 off S, ⟨x, c⟩ = 1, and for i ∈ S: μ_i ≥ 0, μ_i·c_i = 0,
//! g_i − ν·x_i = μ_i with g = ∇E(c) = 2A·Σc − 2b — prove that c minimises E over the face
//! {c ≥ 0 on S, 0 off S, ⟨x, c⟩ = 1}: for any feasible c', E(c') − E(c) ≥ gᵀ(c' − c) =
//! Σ_{i∈S} (ν x_i + μ_i)(c'_i − c_i) = ν·0 + Σ μ_i c'_i ≥ 0.
//! The levels L_0, L_1, … are the sets of equal x_i, from the largest x_i to the smallest. The
//! min-norm face has S = L_0, the min-sharpness face S = L_last, and the Pareto set is the union
//! of the faces S = L_j ∪ L_{j+1} (SPEC §3, ties).

use crate::instance::Teacher;
use crate::linalg::{dot, mat_vec, quad};
use crate::number::{Q, fmt_q, int};
use crate::tree::Table;
use crate::{Checked, Claim, Fail, ensure};
use num_traits::{Signed, Zero};
use std::collections::BTreeMap;

pub const FACE_KEYS: &[&str] = &["value", "c", "nu", "mu"];
pub const FRONT_KEYS: &[&str] = &[
    "value",
    "margin_norm",
    "margin_sharpness",
    "segment",
    "t",
    "c",
    "min_norm",
    "min_sharpness",
    "segments",
];
pub const END_KEYS: &[&str] = &[
    "end",
    "value",
    "margin_norm",
    "margin_sharpness",
    "segment",
    "t",
    "c",
    "min_norm",
    "min_sharpness",
    "segments",
];

struct Setting {
    x: Vec<Q>,
    sigma: Vec<Vec<Q>>,
    atoms: Option<Vec<(Q, Vec<Q>)>>,
    a: Q,
    b: Vec<Q>,
    trace: Q,
}

fn setting(c: &Claim) -> Result<Setting, Fail> {
    let inst = c.instance()?;
    let teacher = inst.teacher.as_ref().ok_or_else(|| {
        Fail::Malformed(crate::Error::field(
            c.t.file,
            "instance.teacher",
            "missing: T1-G claims need a teacher prior",
        ))
    })?;
    ensure(inst.one_point, || {
        "T1-G claims need one data point `x` (SPEC §3)".into()
    })?;
    let (x, d, sigma) = (inst.x[0].clone(), inst.dim(), inst.sigma());
    let (m2, atoms) = match teacher {
        Teacher::Discrete { atoms } => {
            let m2 = (0..d)
                .map(|i| {
                    (0..d)
                        .map(|j| atoms.iter().map(|(p, b)| p * &b[i] * &b[j]).sum())
                        .collect()
                })
                .collect();
            (m2, Some(atoms.clone()))
        }
        Teacher::Moments { second_moment, .. } => (second_moment.clone(), None),
    };
    let a = quad(&x, &m2, &x);
    ensure(a.is_positive(), || "E[y²] = xᵀM2x is not positive".into())?;
    let b = mat_vec(&sigma, &mat_vec(&m2, &x));
    let trace = (0..d)
        .map(|i| {
            dot(
                &sigma[i],
                &m2.iter().map(|r| r[i].clone()).collect::<Vec<_>>(),
            )
        })
        .sum();
    Ok(Setting {
        x,
        sigma,
        atoms,
        a,
        b,
        trace,
    })
}

impl Setting {
    fn error(&self, c: &[Q]) -> Q {
        &self.a * quad(c, &self.sigma, c) - int(2) * dot(&self.b, c) + &self.trace
    }

    /// The levels of x, largest first.
    fn levels(&self) -> Vec<Vec<usize>> {
        let mut by_value: BTreeMap<&Q, Vec<usize>> = BTreeMap::new();
        for (i, v) in self.x.iter().enumerate() {
            by_value.entry(v).or_default().push(i);
        }
        by_value.into_values().rev().collect()
    }

    /// Checks the face certificate `t` (value, c, ν, μ) for support `s`; returns (value, c).
    fn face(&self, t: &Table, s: &[bool]) -> Result<(Q, Vec<Q>), Fail> {
        let d = self.x.len();
        let (value, c, nu, mu) = (t.q("value")?, t.qs("c")?, t.q("nu")?, t.qs("mu")?);
        let at = t.at();
        ensure(c.len() == d && mu.len() == d, || {
            format!("{at}: c and mu need {d} entries")
        })?;
        ensure(dot(&self.x, &c) == int(1), || format!("{at}: ⟨x, c⟩ ≠ 1"))?;
        let g: Vec<Q> = mat_vec(&self.sigma, &c)
            .iter()
            .zip(&self.b)
            .map(|(sc, b)| int(2) * (&self.a * sc - b))
            .collect();
        for i in 0..d {
            ensure(!c[i].is_negative(), || format!("{at}: c[{i}] < 0"))?;
            if !s[i] {
                ensure(c[i].is_zero() && mu[i].is_zero(), || {
                    format!("{at}: c[{i}] and mu[{i}] must be 0 off the face")
                })?;
                continue;
            }
            ensure(!mu[i].is_negative(), || format!("{at}: mu[{i}] < 0"))?;
            ensure((&mu[i] * &c[i]).is_zero(), || {
                format!("{at}: complementarity fails at {i}: mu·c ≠ 0")
            })?;
            let r = &g[i] - &nu * &self.x[i] - &mu[i];
            ensure(r.is_zero(), || {
                format!(
                    "{at}: stationarity fails at {i}: g − νx − μ = {}",
                    fmt_q(&r)
                )
            })?;
        }
        let e = self.error(&c);
        ensure(e == value, || {
            format!("{at}: E(c) is {}, claimed {}", fmt_q(&e), fmt_q(&value))
        })?;
        Ok((value, c))
    }
}

fn support(d: usize, sets: &[&Vec<usize>]) -> Vec<bool> {
    (0..d)
        .map(|i| sets.iter().any(|s| s.contains(&i)))
        .collect()
}

/// The front part of `neither-bias` and `end-optimal`; returns (E*, the two margins, where).
fn front(c: &Claim, s: &Setting) -> Result<(Q, Q, Q, String), Fail> {
    let (d, levels) = (s.x.len(), s.levels());
    let sub = |key: &str| -> Result<Table, Fail> { Ok(c.t.child(key, FACE_KEYS)?) };
    let (e_norm, c_norm) = s.face(&sub("min_norm")?, &support(d, &[&levels[0]]))?;
    let (e_sharp, _) = s.face(
        &sub("min_sharpness")?,
        &support(d, &[&levels[levels.len() - 1]]),
    )?;
    let list = c.t.list("segments")?;
    ensure(list.len() + 1 == levels.len(), || {
        format!(
            "the front has {} segments, the claim lists {}",
            levels.len() - 1,
            list.len()
        )
    })?;
    let mut segments = Vec::with_capacity(list.len());
    for (j, tree) in list.iter().enumerate() {
        let t =
            c.t.nested(tree, &format!("{}[{j}]", c.t.path("segments")), FACE_KEYS)?;
        segments.push(s.face(&t, &support(d, &[&levels[j], &levels[j + 1]]))?);
    }
    let star = segments
        .iter()
        .map(|(v, _)| v)
        .min()
        .unwrap_or(&e_norm)
        .clone();
    let value = c.t.q("value")?;
    ensure(value == star, || {
        format!(
            "the minimum of E over the Pareto set is {}, claimed {}",
            fmt_q(&star),
            fmt_q(&value)
        )
    })?;
    let point = c.t.qs("c")?;
    let place = match segments.iter().position(|(v, _)| *v == star) {
        None => {
            c.t.forbid(&["segment", "t"], "when the front is one face")?;
            ensure(point == c_norm, || {
                "c is not the best point of the only face".into()
            })?;
            "on the only face".to_string()
        }
        Some(j) => {
            let claimed = c.t.uint("segment")?;
            ensure(claimed == j as u64, || {
                format!("segment {j} is the first to attain E*, the claim says {claimed}")
            })?;
            let t = levels[j + 1]
                .iter()
                .map(|&i| &s.x[i] * &segments[j].1[i])
                .sum::<Q>();
            ensure(c.t.q("t")? == t, || {
                format!("t is not the share of the sharper level, {}", fmt_q(&t))
            })?;
            ensure(point == segments[j].1, || {
                format!("c is not the point of segment {j}")
            })?;
            format!("on segment {j} at t = {}", fmt_q(&t))
        }
    };
    let (mn, ms) = (c.t.q("margin_norm")?, c.t.q("margin_sharpness")?);
    ensure(mn == &e_norm - &star, || {
        format!(
            "margin_norm is not E(min-norm) − E* = {}",
            fmt_q(&(&e_norm - &star))
        )
    })?;
    ensure(ms == &e_sharp - &star, || {
        format!(
            "margin_sharpness is not E(min-sharpness) − E* = {}",
            fmt_q(&(&e_sharp - &star))
        )
    })?;
    Ok((star, mn, ms, place))
}

/// `neither-bias`: both end faces lose strictly to the best point of the Pareto set.
pub(crate) fn neither_bias(c: &Claim) -> Checked {
    let s = setting(c)?;
    let (star, mn, ms, place) = front(c, &s)?;
    ensure(mn.is_positive(), || {
        "min-norm is optimal on the Pareto set (margin 0): the claim fails".into()
    })?;
    ensure(ms.is_positive(), || {
        "min-sharpness is optimal on the Pareto set (margin 0): the claim fails".into()
    })?;
    Ok(format!(
        "neither bias alone: E* = {} {place}; min-norm loses by {}, min-sharpness by {}",
        fmt_q(&star),
        fmt_q(&mn),
        fmt_q(&ms)
    ))
}

/// `end-optimal`: the named end (`min-norm`, `min-sharpness` or `both`) attains E*.
pub(crate) fn end_optimal(c: &Claim) -> Checked {
    let s = setting(c)?;
    let (star, mn, ms, _) = front(c, &s)?;
    let end = c.t.str("end")?;
    let ok = match end {
        "min-norm" => mn.is_zero() && ms.is_positive(),
        "min-sharpness" => ms.is_zero() && mn.is_positive(),
        "both" => mn.is_zero() && ms.is_zero(),
        other => {
            return Err(Fail::Malformed(c.t.err(
                "end",
                format!("`{other}`: expected min-norm, min-sharpness or both"),
            )));
        }
    };
    ensure(ok, || {
        format!(
            "`{end}` is not exactly the optimal end (margins {} and {})",
            fmt_q(&mn),
            fmt_q(&ms)
        )
    })?;
    Ok(format!(
        "{end} is optimal on the Pareto set: E* = {}, margins {} and {}",
        fmt_q(&star),
        fmt_q(&mn),
        fmt_q(&ms)
    ))
}

/// `best-linear`: c minimises E over every linear rule (the face with S = every coordinate).
pub(crate) fn best_linear(c: &Claim) -> Checked {
    let s = setting(c)?;
    let (value, _) = s.face(&c.t, &vec![true; s.x.len()])?;
    Ok(format!("best linear rule: E = {} (KKT)", fmt_q(&value)))
}

/// `bayes` (discrete prior): Σ_a p_a G(m(y_a); β*_a), m(y) the posterior mean of the atoms with
/// label y, G(β; β*) = (β − β*)ᵀΣ(β − β*).
pub(crate) fn bayes(c: &Claim) -> Checked {
    let s = setting(c)?;
    let atoms = s
        .atoms
        .as_ref()
        .ok_or_else(|| Fail::Reject("the Bayes claim needs a discrete prior".into()))?;
    let labels: Vec<Q> = atoms.iter().map(|(_, b)| dot(&s.x, b)).collect();
    let mut total = Q::zero();
    for (a, (p, beta)) in atoms.iter().enumerate() {
        let group: Vec<&(Q, Vec<Q>)> = atoms
            .iter()
            .zip(&labels)
            .filter(|(_, y)| **y == labels[a])
            .map(|(at, _)| at)
            .collect();
        let mass: Q = group.iter().map(|(q, _)| q).sum();
        let diff: Vec<Q> = (0..s.x.len())
            .map(|i| group.iter().map(|(q, b)| q * &b[i]).sum::<Q>() / &mass - &beta[i])
            .collect();
        total += p * quad(&diff, &s.sigma, &diff);
    }
    let value = c.t.q("value")?;
    ensure(total == value, || {
        format!(
            "the Bayes error is {}, claimed {}",
            fmt_q(&total),
            fmt_q(&value)
        )
    })?;
    Ok(format!("Bayes-optimal expected error {}", fmt_q(&value)))
}
