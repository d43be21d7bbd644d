//! Kernel checks for several data points (T2, SPEC §5).
//!
//! Trusted mathematics:
//! - `t2-min-norm`: on the balanced fibre N = a·‖β‖₁ (`model::beta_space`). If Xβ = y (β ≥ 0 for
//!   `shared`) and λ satisfies (Xᵀλ)_i ≤ a (and −(Xᵀλ)_i ≤ a for free β), then every feasible β'
//!   has a·‖β'‖₁ ≥ Σ (Xᵀλ)_i β'_i = λᵀy; so a·‖β‖₁ = λᵀy makes β a minimiser (weak duality).
//! - For `shared` at zero loss, S(w) = (4/n)·λ_max(X diag(β) Xᵀ) with β = w⊙w (the Hessian
//!   (4/n)·diag(w)XᵀX diag(w) is PSD and shares its non-zero spectrum), and N(w) = Σβ_i.
//! - `t2-sharpness-upper`: a feasible β ≥ 0 with Xβ = y and λ_max(X diag(β) Xᵀ) ≤ hi (checked by
//!   [`super::sharpness::enclosure`]) gives inf_M S ≤ (4/n)·hi.
//! - `t2-sharpness-lower`: for Z ⪰ 0 (exact LDLᵀ) with tr Z = 1, λ_max(A) ≥ ⟨Z, A⟩, and
//!   ⟨Z, X diag(β) Xᵀ⟩ = Σ β_i x_iᵀZx_i (x_i the columns of X). If (Xᵀμ)_i ≤ (4/n)·x_iᵀZx_i for all
//!   i, then for every feasible β ≥ 0, S ≥ (4/n)Σ β_i x_iᵀZx_i ≥ μᵀXβ = μᵀy.
//! - `t2-conflict`: with an enclosure of λ_max at the verified min-norm β, S(β_norm) ≥ (4/n)·lo,
//!   which lies strictly above the verified upper bound on inf S; and N of the verified
//!   sharpness point β_sharp, Σ β_sharp, lies strictly above the verified min N.

use super::sharpness::enclosure;
use super::{ensure, Checked, Claim, Fail};
use crate::instance::{Instance, Model};
use crate::ldl;
use crate::model::beta_space;
use crate::rational::{fmt_q, Q};
use num_traits::Signed;
use serde_json::Value;

fn column_dot(x: &[Vec<Q>], i: usize, lambda: &[Q]) -> Q {
    x.iter().zip(lambda).map(|(row, l)| &row[i] * l).sum()
}

fn feasible(inst: &Instance, beta: &[Q], nonneg: bool) -> Result<(), Fail> {
    let d = inst.dim();
    ensure(beta.len() == d, || format!("beta has {} entries, d = {d}", beta.len()))?;
    if nonneg {
        ensure(beta.iter().all(|b| !b.is_negative()), || "beta has a negative entry (shared needs β ≥ 0)".into())?;
    }
    for (j, (row, yj)) in inst.x.iter().zip(&inst.y).enumerate() {
        let fit: Q = row.iter().zip(beta).map(|(x, b)| x * b).sum();
        ensure(&fit == yj, || format!("row {j}: ⟨x_j, beta⟩ = {} ≠ y_j = {}", fmt_q(&fit), fmt_q(yj)))?;
    }
    Ok(())
}

fn shared(inst: &Instance) -> Result<(), Fail> {
    ensure(matches!(inst.model, Model::Shared | Model::SharedDepth(2)), || format!("sharpness claims for n > 1 need model shared, not {}", inst.model.name()))
}

/// 4/n.
fn four_over_n(inst: &Instance) -> Q {
    Q::new(4.into(), (inst.x.len() as i64).into())
}

/// X diag(β) Xᵀ.
fn gram(x: &[Vec<Q>], beta: &[Q]) -> Vec<Vec<Q>> {
    x.iter().map(|xj| x.iter().map(|xk| xj.iter().zip(xk).zip(beta).map(|((a, c), b)| a * c * b).sum()).collect()).collect()
}

fn pinned(c: &Claim, key: &str, exact: &Q) -> Result<Q, Fail> {
    let claimed = c.q(key)?;
    ensure(&claimed == exact, || format!("{key} = {} but the exact value is {}", fmt_q(&claimed), fmt_q(exact)))?;
    Ok(claimed)
}

/// `t2-min-norm`: β, value, dual λ and the slacks.
pub(super) fn min_norm(c: &Claim) -> Checked {
    let inst = c.instance()?;
    let space = beta_space(inst.model).ok_or_else(|| Fail::Reject(format!("model {} has no linear norm in β", inst.model.name())))?;
    let a = Q::from_integer(space.norm_weight.into());
    let d = inst.dim();
    let beta = c.qs("beta")?;
    feasible(inst, &beta, space.signed)?;
    let value = pinned(c, "value", &beta.iter().map(|b| &a * b.abs()).sum())?;
    let dual = c.qs("dual")?;
    ensure(dual.len() == inst.x.len(), || format!("dual has {} entries, n = {}", dual.len(), inst.x.len()))?;
    let ydual: Q = inst.y.iter().zip(&dual).map(|(y, l)| y * l).sum();
    ensure(ydual == value, || format!("yᵀλ = {} ≠ value {}", fmt_q(&ydual), fmt_q(&value)))?;
    let slack = c.qs("slack")?;
    let slack_neg = c.qs_opt("slack_neg")?;
    ensure(slack.len() == d, || format!("slack has {} entries, d = {d}", slack.len()))?;
    ensure(space.signed == slack_neg.is_none(), || "slack_neg must be given exactly for free-sign models (uv, pm)".into())?;
    ensure(slack_neg.as_ref().is_none_or(|s| s.len() == d), || "slack_neg has the wrong length".into())?;
    for i in 0..d {
        let xt = column_dot(&inst.x, i, &dual);
        let s = &a - &xt;
        ensure(s == slack[i], || format!("slack[{i}] = {} but a − (Xᵀλ)_i = {}", fmt_q(&slack[i]), fmt_q(&s)))?;
        ensure(!s.is_negative(), || format!("dual infeasible at coordinate {i}"))?;
        if let Some(sn) = &slack_neg {
            let s = &a + &xt;
            ensure(s == sn[i], || format!("slack_neg[{i}] = {} but a + (Xᵀλ)_i = {}", fmt_q(&sn[i]), fmt_q(&s)))?;
            ensure(!s.is_negative(), || format!("dual infeasible at coordinate {i} (slack_neg)"))?;
        }
    }
    Ok(format!("min N over M = {} for n = {} points (LP primal and dual agree)", fmt_q(&value), inst.x.len()))
}

/// `t2-sharpness-upper`: a feasible β and an enclosure of λ_max(X diag(β) Xᵀ).
pub(super) fn sharpness_upper(c: &Claim) -> Checked {
    let inst = c.instance()?;
    shared(inst)?;
    let beta = c.qs("beta")?;
    feasible(inst, &beta, true)?;
    let (_, hi, how) = enclosure(c, &gram(&inst.x, &beta))?;
    let bound = pinned(c, "bound", &(four_over_n(inst) * hi))?;
    Ok(format!("inf S over M ≤ {} at a feasible β ({how})", fmt_q(&bound)))
}

/// `t2-sharpness-lower`: Z ⪰ 0 with tr Z = 1, μ and the slacks.
pub(super) fn sharpness_lower(c: &Claim) -> Checked {
    let inst = c.instance()?;
    shared(inst)?;
    let n = inst.x.len();
    let d = inst.dim();
    let z = c.matrix("z")?;
    ensure(z.len() == n && z.iter().all(|r| r.len() == n), || format!("z must be {n} × {n}"))?;
    ensure(ldl::is_symmetric(&z), || "z is not symmetric".into())?;
    let trace: Q = (0..n).map(|i| z[i][i].clone()).sum();
    ensure(trace == Q::from_integer(1.into()), || format!("tr z = {} ≠ 1", fmt_q(&trace)))?;
    let inertia = ldl::inertia_integer(&z);
    ensure(matches!(inertia, Some((0, _, _))), || format!("z is not PSD by LDLᵀ (inertia {inertia:?})"))?;
    let mu = c.qs("mu")?;
    ensure(mu.len() == n, || format!("mu has {} entries, n = {n}", mu.len()))?;
    let slack = c.qs("slack")?;
    ensure(slack.len() == d, || format!("slack has {} entries, d = {d}", slack.len()))?;
    let f = four_over_n(inst);
    for (i, si) in slack.iter().enumerate() {
        let col: Vec<Q> = inst.x.iter().map(|r| r[i].clone()).collect();
        let g: Q = col.iter().zip(&z).map(|(ci, row)| ci * row.iter().zip(&col).map(|(a, b)| a * b).sum::<Q>()).sum();
        let s = &f * g - column_dot(&inst.x, i, &mu);
        ensure(&s == si, || format!("slack[{i}] = {} but (4/n)·x_iᵀZx_i − (Xᵀμ)_i = {}", fmt_q(si), fmt_q(&s)))?;
        ensure(!s.is_negative(), || format!("dual infeasible at coordinate {i}"))?;
    }
    let bound = pinned(c, "bound", &inst.y.iter().zip(&mu).map(|(y, m)| y * m).sum())?;
    Ok(format!("inf S over M ≥ {} (trace-one PSD Z and LP dual μ)", fmt_q(&bound)))
}

fn earlier(c: &Claim, kind: &str, key: &str) -> Result<(Vec<Q>, Q), Fail> {
    let v: &Value = c.earlier(kind).ok_or_else(|| Fail::Reject(format!("needs a verified {kind} claim earlier in the file")))?;
    let beta = c.fields.qs(v.get("beta").unwrap_or(&Value::Null), &format!("{kind}.beta"))?;
    let value = c.fields.q(v.get(key).unwrap_or(&Value::Null), &format!("{kind}.{key}"))?;
    Ok((beta, value))
}

/// `t2-conflict`: S(β_norm) > upper bound on inf S, and N(β_sharp) > min N.
pub(super) fn conflict(c: &Claim) -> Checked {
    let inst = c.instance()?;
    shared(inst)?;
    let (b_norm, n_min) = earlier(c, "t2-min-norm", "value")?;
    let (b_sharp, s_upper) = earlier(c, "t2-sharpness-upper", "bound")?;
    let (lo, _, how) = enclosure(c, &gram(&inst.x, &b_norm))?;
    let s_norm = pinned(c, "sharpness_lo", &(four_over_n(inst) * lo))?;
    let s_margin = pinned(c, "sharpness_margin", &(&s_norm - &s_upper))?;
    ensure(s_margin.is_positive(), || format!("S(β_norm) ≥ {} is not above the upper bound {} on inf S", fmt_q(&s_norm), fmt_q(&s_upper)))?;
    let n_sharp = pinned(c, "norm_of_sharp", &b_sharp.iter().sum())?;
    let n_margin = pinned(c, "norm_margin", &(&n_sharp - &n_min))?;
    ensure(n_margin.is_positive(), || format!("N(β_sharp) = {} is not above min N = {}", fmt_q(&n_sharp), fmt_q(&n_min)))?;
    Ok(format!("the biases conflict for n = {}: S(min-norm) − S_up ≥ {}, N(sharp) − N_min = {} ({how})", inst.x.len(), fmt_q(&s_margin), fmt_q(&n_margin)))
}
