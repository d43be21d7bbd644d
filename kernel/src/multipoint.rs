//! Several data points (T2, SPEC §5): `t2-min-norm`, `t2-sharpness-upper`,
//! `t2-sharpness-lower`, `t2-conflict`.
//!
//! Trusted mathematics:
//! - `t2-min-norm`: N = a·‖β‖₁ at a balanced point (a = 2 for `uv`, else 1). If Xβ = y (β ≥ 0 for
//!   `shared`) and (Xᵀλ)_i ≤ a (and −(Xᵀλ)_i ≤ a for free β), every feasible β' has
//!   a·‖β'‖₁ ≥ λᵀXβ' = λᵀy; so a·‖β‖₁ = λᵀy makes β a minimiser (weak LP duality).
//! - For `shared` at zero loss S(w) = (4/n)·λ_max(X diag(β) Xᵀ) with β = w⊙w: the Hessian
//!   (4/n)·diag(w)XᵀX diag(w) shares its non-zero spectrum with (4/n)·X diag(β) Xᵀ.
//! - `t2-sharpness-upper`: a feasible β ≥ 0 and λ_max(X diag(β) Xᵀ) ≤ hi give inf S ≤ (4/n)·hi.
//! - `t2-sharpness-lower`: for Z ⪰ 0 with tr Z = 1, λ_max(A) ≥ ⟨Z, A⟩, and
//!   ⟨Z, X diag(β) Xᵀ⟩ = Σ β_i x_iᵀZx_i (x_i the columns). If (Xᵀμ)_i ≤ (4/n)·x_iᵀZx_i for all i,
//!   every feasible β ≥ 0 has S ≥ (4/n)Σ β_i x_iᵀZx_i ≥ μᵀXβ = μᵀy.
//! - `t2-conflict`: S(β_norm) ≥ (4/n)·lo lies strictly above the verified bound on inf S, and
//!   N(β_sharp) = Σβ_sharp lies strictly above the verified min N.

use crate::instance::{Instance, Model};
use crate::linalg::{dot, inertia, is_symmetric};
use crate::number::{Q, fmt_q, int};
use crate::sharpness::enclosure;
use crate::tree::Table;
use crate::{Checked, Claim, Fail, ensure};
use num_traits::Signed;

pub const MIN_NORM_KEYS: &[&str] = &["beta", "value", "dual", "slack", "slack_neg"];
pub const LOWER_KEYS: &[&str] = &["z", "mu", "slack", "bound"];
pub const UPPER_KEYS: &[&str] = &[
    "beta",
    "bound",
    "lo",
    "hi",
    "hi_minus_lo",
    "lower",
    "upper",
    "v",
    "witness_norm2",
    "witness_value",
    "mu",
    "rayleigh",
    "residual",
    "upper_slack",
];
pub const CONFLICT_KEYS: &[&str] = &[
    "sharpness_lo",
    "sharpness_margin",
    "norm_of_sharp",
    "norm_margin",
    "lo",
    "hi",
    "hi_minus_lo",
    "lower",
    "upper",
    "v",
    "witness_norm2",
    "witness_value",
    "mu",
    "rayleigh",
    "residual",
    "upper_slack",
];

/// (Xᵀλ)_i.
fn column_dot(x: &[Vec<Q>], i: usize, lambda: &[Q]) -> Q {
    x.iter().zip(lambda).map(|(row, l)| &row[i] * l).sum()
}

fn feasible(inst: &Instance, beta: &[Q], nonneg: bool) -> Result<(), Fail> {
    let d = inst.dim();
    ensure(beta.len() == d, || {
        format!("beta has {} entries, d = {d}", beta.len())
    })?;
    ensure(!nonneg || beta.iter().all(|b| !b.is_negative()), || {
        "beta has a negative entry (the model needs β ≥ 0)".into()
    })?;
    for (j, (row, yj)) in inst.x.iter().zip(&inst.y).enumerate() {
        let fit = dot(row, beta);
        ensure(&fit == yj, || {
            format!(
                "row {j}: ⟨x_j, beta⟩ = {} ≠ y_j = {}",
                fmt_q(&fit),
                fmt_q(yj)
            )
        })?;
    }
    Ok(())
}

fn shared<'a>(c: &Claim<'a>) -> Result<&'a Instance, Fail> {
    let inst = c.instance()?;
    ensure(
        matches!(inst.model, Model::Shared | Model::SharedDepth(2)),
        || {
            format!(
                "T2 sharpness claims need model shared, not {}",
                inst.model.name()
            )
        },
    )?;
    Ok(inst)
}

fn four_over_n(inst: &Instance) -> Q {
    int(4) / int(inst.x.len() as i64)
}

/// X diag(β) Xᵀ.
fn gram(x: &[Vec<Q>], beta: &[Q]) -> Vec<Vec<Q>> {
    x.iter()
        .map(|xj| {
            x.iter()
                .map(|xk| {
                    xj.iter()
                        .zip(xk)
                        .zip(beta)
                        .map(|((a, c), b)| a * c * b)
                        .sum()
                })
                .collect()
        })
        .collect()
}

/// Reads `key` of `t` and requires it to equal `exact`.
fn pinned(t: &Table, key: &str, exact: Q) -> Result<Q, Fail> {
    let claimed = t.q(key)?;
    ensure(claimed == exact, || {
        format!(
            "{key} = {} but the exact value is {}",
            fmt_q(&claimed),
            fmt_q(&exact)
        )
    })?;
    Ok(claimed)
}

pub(crate) fn min_norm(c: &Claim) -> Checked {
    let inst = c.instance()?;
    let t = &c.t;
    ensure(
        !matches!(inst.model, Model::SharedDepth(d) if d != 2),
        || "model shared-depth with D ≠ 2 has no norm linear in β".into(),
    )?;
    let a = int(if inst.model == Model::Uv { 2 } else { 1 });
    let free = !inst.model.nonnegative();
    let (d, n) = (inst.dim(), inst.x.len());
    let beta = t.qs("beta")?;
    feasible(inst, &beta, !free)?;
    let value = pinned(t, "value", beta.iter().map(|b| &a * b.abs()).sum())?;
    let dual = t.qs("dual")?;
    ensure(dual.len() == n, || {
        format!("dual has {} entries, n = {n}", dual.len())
    })?;
    ensure(dot(&inst.y, &dual) == value, || "yᵀλ ≠ value".into())?;
    let slack = t.qs("slack")?;
    ensure(slack.len() == d, || {
        format!("slack has {} entries, d = {d}", slack.len())
    })?;
    ensure(free == t.has("slack_neg"), || {
        "slack_neg is given exactly for free-sign models (uv, pm)".into()
    })?;
    let slack_neg = if free {
        t.qs("slack_neg")?
    } else {
        slack.clone()
    };
    ensure(slack_neg.len() == d, || {
        "slack_neg has the wrong length".into()
    })?;
    for i in 0..d {
        let xt = column_dot(&inst.x, i, &dual);
        let s = &a - &xt;
        ensure(s == slack[i] && !s.is_negative(), || {
            format!("slack[{i}] must be a − (Xᵀλ)_i = {} ≥ 0", fmt_q(&s))
        })?;
        let s = &a + &xt;
        ensure(!free || (s == slack_neg[i] && !s.is_negative()), || {
            format!("slack_neg[{i}] must be a + (Xᵀλ)_i = {} ≥ 0", fmt_q(&s))
        })?;
    }
    Ok(format!(
        "min N over M = {} for n = {n} points (LP primal and dual agree)",
        fmt_q(&value)
    ))
}

pub(crate) fn sharpness_upper(c: &Claim) -> Checked {
    let inst = shared(c)?;
    let beta = c.t.qs("beta")?;
    feasible(inst, &beta, true)?;
    let (_, hi, how) = enclosure(&c.t, &gram(&inst.x, &beta))?;
    let bound = pinned(&c.t, "bound", four_over_n(inst) * hi)?;
    Ok(format!(
        "inf S over M ≤ {} at a feasible β ({how})",
        fmt_q(&bound)
    ))
}

pub(crate) fn sharpness_lower(c: &Claim) -> Checked {
    let inst = shared(c)?;
    let t = &c.t;
    let (n, d) = (inst.x.len(), inst.dim());
    let z = t.matrix("z")?;
    ensure(z.len() == n && is_symmetric(&z), || {
        format!("z must be a symmetric {n} × {n} matrix")
    })?;
    ensure((0..n).map(|i| &z[i][i]).sum::<Q>() == int(1), || {
        "tr z ≠ 1".into()
    })?;
    ensure(matches!(inertia(&z), Some((0, _, _))), || {
        "z is not PSD by LDLᵀ".into()
    })?;
    let (mu, slack) = (t.qs("mu")?, t.qs("slack")?);
    ensure(mu.len() == n && slack.len() == d, || {
        format!("mu needs {n} entries and slack {d}")
    })?;
    for (i, si) in slack.iter().enumerate() {
        let col: Vec<Q> = inst.x.iter().map(|r| r[i].clone()).collect();
        let g: Q = col
            .iter()
            .zip(&z)
            .map(|(ci, row)| ci * dot(row, &col))
            .sum();
        let s = four_over_n(inst) * g - column_dot(&inst.x, i, &mu);
        ensure(&s == si && !s.is_negative(), || {
            format!(
                "slack[{i}] must be (4/n)·x_iᵀZx_i − (Xᵀμ)_i = {} ≥ 0",
                fmt_q(&s)
            )
        })?;
    }
    let bound = pinned(t, "bound", dot(&inst.y, &mu))?;
    Ok(format!(
        "inf S over M ≥ {} (trace-one PSD Z and LP dual μ)",
        fmt_q(&bound)
    ))
}

pub(crate) fn conflict(c: &Claim) -> Checked {
    let inst = shared(c)?;
    let t = &c.t;
    let (norm, upper) = (c.earlier("t2-min-norm")?, c.earlier("t2-sharpness-upper")?);
    let (b_norm, n_min, b_sharp, s_upper) = (
        norm.qs("beta")?,
        norm.q("value")?,
        upper.qs("beta")?,
        upper.q("bound")?,
    );
    let (lo, _, how) = enclosure(t, &gram(&inst.x, &b_norm))?;
    let s_norm = pinned(t, "sharpness_lo", four_over_n(inst) * lo)?;
    let s_margin = pinned(t, "sharpness_margin", &s_norm - &s_upper)?;
    ensure(s_margin.is_positive(), || {
        "S(β_norm) is not above the upper bound on inf S".into()
    })?;
    let n_sharp = pinned(t, "norm_of_sharp", b_sharp.iter().sum())?;
    let n_margin = pinned(t, "norm_margin", &n_sharp - &n_min)?;
    ensure(n_margin.is_positive(), || {
        "N(β_sharp) is not above min N".into()
    })?;
    Ok(format!(
        "the biases conflict for n = {}: S(min-norm) − S_up ≥ {}, N(sharp) − N_min = {} ({how})",
        inst.x.len(),
        fmt_q(&s_margin),
        fmt_q(&n_margin)
    ))
}
