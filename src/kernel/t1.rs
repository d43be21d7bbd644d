//! Kernel checks for the one-point setting T1 (SPEC §2).
//!
//! Trusted mathematics (stated in [`crate::model::beta_space`]): on the zero-loss manifold of one
//! data point, min N and inf S are the weighted ℓ1 problems `min Σ w_i|β_i|` over ⟨x, β⟩ = y
//! (β ≥ 0 for `shared`) with w_i = a (norm) or w_i = b·x_i² (sharpness). Weak LP duality: if
//! λ·x_i ≤ w_i (and −λ·x_i ≤ w_i for free β) for all i, then every feasible β has
//! Σ w_i|β_i| ≥ Σ λ x_i β_i = λ·y. So a feasible β whose objective equals λ·y is optimal.

use super::{ensure, is_c_minus_lx, is_product_eq, Checked, Claim, Fail};
use crate::instance::Instance;
use crate::model::{beta_space, BetaSpace};
use crate::rational::{cmp, same_sign, short, Q};
use num_traits::{One, Signed, Zero};

struct Point<'a> {
    x: &'a [Q],
    y: &'a Q,
    space: BetaSpace,
}

fn point<'a>(c: &Claim<'a>) -> Result<Point<'a>, Fail> {
    let inst: &'a Instance = c.instance()?;
    let (x, y) = inst.point()?;
    let space = beta_space(inst.model).ok_or_else(|| Fail::Reject(format!("model {} has no T1 closed form", inst.model.name())))?;
    Ok(Point { x, y, space })
}

impl Point<'_> {
    fn weight(&self, norm: bool, i: usize) -> Q {
        if norm { Q::from_integer(self.space.norm_weight.into()) } else { self.sharp_weight_raw(i) }
    }
    /// b·x_i² as the fraction (b·p²)/q² for x_i = p/q, not reduced (no gcd): only used where
    /// values are compared or fed to reducing arithmetic, both of which accept it.
    fn sharp_weight_raw(&self, i: usize) -> Q {
        let (p, q) = (self.x[i].numer(), self.x[i].denom());
        Q::new_raw(p * p * self.space.sharp_weight, q * q)
    }
    fn objective(&self, norm: bool, beta: &[Q]) -> Q {
        beta.iter().enumerate().filter(|(_, b)| !b.is_zero()).map(|(i, b)| self.weight(norm, i) * b.abs()).sum()
    }
    fn can_carry(&self, i: usize) -> bool {
        if self.space.signed { same_sign(&self.x[i], self.y) } else { !self.x[i].is_zero() }
    }
}

fn optimum(c: &Claim, norm: bool) -> Checked {
    let p = point(c)?;
    let d = p.x.len();
    let value = c.q("value")?;
    let beta = c.qs("beta")?;
    let dual = c.q("dual")?;
    let slack = c.qs_unreduced("slack")?;
    let slack_neg = match c.value.get("slack_neg") {
        Some(_) => Some(c.qs_unreduced("slack_neg")?),
        None => None,
    };
    ensure(beta.len() == d, || format!("beta has {} entries, x has {d}", beta.len()))?;
    ensure(slack.len() == d, || format!("slack has {} entries, x has {d}", slack.len()))?;
    ensure(p.space.signed == slack_neg.is_none(), || "slack_neg must be given exactly for free-sign models (uv, pm)".into())?;
    ensure(slack_neg.as_ref().is_none_or(|sn| sn.len() == d), || "slack_neg has the wrong length".into())?;
    // Primal feasibility.
    if p.space.signed {
        ensure(beta.iter().all(|b| !b.is_negative()), || "beta has a negative entry (shared needs β ≥ 0)".into())?;
    }
    let fit: Q = beta.iter().zip(p.x).filter(|(b, _)| !b.is_zero()).map(|(b, x)| b * x).sum();
    ensure(&fit == p.y, || format!("⟨x, beta⟩ = {} ≠ y = {}", short(&fit), short(p.y)))?;
    // Objective of the primal point, and strong duality.
    let obj = p.objective(norm, &beta);
    ensure(obj == value, || format!("objective of beta is {}, claimed value {}", short(&obj), short(&value)))?;
    ensure(p.y * &dual == value, || format!("y·dual = {} ≠ value {}", short(&(p.y * &dual)), short(&value)))?;
    // Dual feasibility, with every slack written out.
    for i in 0..d {
        let w = p.weight(norm, i);
        ensure(is_c_minus_lx(&slack[i], &w, &dual, &p.x[i]), || format!("slack[{i}] = {} is not w_i − dual·x_i", short(&slack[i])))?;
        ensure(!slack[i].is_negative(), || format!("dual infeasible at coordinate {i}: slack {}", short(&slack[i])))?;
        if let Some(sn) = &slack_neg {
            ensure(is_c_minus_lx(&sn[i], &w, &-dual.clone(), &p.x[i]), || format!("slack_neg[{i}] = {} is not w_i + dual·x_i", short(&sn[i])))?;
            ensure(!sn[i].is_negative(), || format!("dual infeasible at coordinate {i}: slack_neg {}", short(&sn[i])))?;
        }
    }
    // Canonical minimiser: the whole label on one coordinate k, the lowest optimal one.
    let support: Vec<usize> = (0..d).filter(|&i| !beta[i].is_zero()).collect();
    ensure(support.len() == 1, || format!("beta must be the canonical minimiser on one coordinate; it has {} non-zeros", support.len()))?;
    let k = support[0];
    let reduced = |i: usize| match &slack_neg {
        Some(sn) => slack[i].clone().min(sn[i].clone()),
        None => slack[i].clone(),
    };
    if let Some(i) = (0..k).find(|&i| p.can_carry(i) && reduced(i).is_zero()) {
        return Err(Fail::Reject(format!("coordinate {i} < {k} is also optimal; the canonical minimiser uses the lowest index")));
    }
    let what = if norm { "min N" } else { "inf S" };
    Ok(format!("{what} = {} at beta on coordinate {k} (LP dual {})", short(&value), short(&dual)))
}

/// `min-norm`: value, canonical minimiser, dual and slacks (T1.1).
pub(super) fn min_norm(c: &Claim) -> Checked {
    optimum(c, true)
}

/// `min-sharpness`: value, canonical minimiser, dual and slacks (T1.2).
pub(super) fn min_sharpness(c: &Claim) -> Checked {
    optimum(c, false)
}

fn earlier_beta(c: &Claim, kind: &str) -> Result<(Vec<Q>, Q), Fail> {
    let v = c.earlier(kind).ok_or_else(|| Fail::Reject(format!("needs a verified {kind} claim earlier in the file")))?;
    let beta = c.fields.qs(v.get("beta").unwrap_or(&serde_json::Value::Null), "beta")?;
    let value = c.fields.q(v.get("value").unwrap_or(&serde_json::Value::Null), "value")?;
    Ok((beta, value))
}

/// `conflict`: ratio = N(β_sharp)/N(β_norm) = S(β_norm)/S(β_sharp) = max_P|x|/min_P|x|, and
/// `coincide` iff the ratio is 1 (T1.3).
pub(super) fn conflict(c: &Claim) -> Checked {
    let p = point(c)?;
    let ratio = c.q("ratio")?;
    let coincide = c.bool("coincide")?;
    let (b_norm, n_min) = earlier_beta(c, "min-norm")?;
    let (b_sharp, s_min) = earlier_beta(c, "min-sharpness")?;
    let r_norm = p.objective(true, &b_sharp) / &n_min;
    let r_sharp = p.objective(false, &b_norm) / &s_min;
    ensure(r_norm == ratio, || format!("N(β_sharp)/N(β_norm) = {} ≠ ratio {}", short(&r_norm), short(&ratio)))?;
    ensure(r_sharp == ratio, || format!("S(β_norm)/S(β_sharp) = {} ≠ ratio {}", short(&r_sharp), short(&ratio)))?;
    let abs: Vec<Q> = (0..p.x.len()).filter(|&i| p.can_carry(i)).map(|i| p.x[i].abs()).collect();
    let (lo, hi) = (abs.iter().min(), abs.iter().max());
    if let (Some(lo), Some(hi)) = (lo, hi) {
        ensure(hi / lo == ratio, || format!("max|x|/min|x| over P is {}, not the ratio", short(&(hi / lo))))?;
    }
    ensure(coincide == ratio.is_one(), || format!("coincide = {coincide} contradicts ratio {}", short(&ratio)))?;
    Ok(if coincide { "min-norm and min-sharpness coincide (ratio 1)".into() } else { format!("the biases conflict: ratio {} > 1", short(&ratio)) })
}

/// `pareto-front`: the vertices (index, norm, sharpness), sorted from min-norm to
/// min-sharpness, one per distinct |x_i| over P at the lowest such index, all on N·S = ab·y² (T1.4).
pub(super) fn pareto_front(c: &Claim) -> Checked {
    let p = point(c)?;
    let d = p.x.len();
    let list = c.list("vertices")?;
    let product = Q::from_integer((p.space.norm_weight * p.space.sharp_weight).into()) * p.y * p.y;
    // Lowest carrying index for every distinct |x_i|, keyed by the reduced pair (|p|, q) of
    // x_i = p/q (instance numbers are parsed in lowest terms, so equal values have equal keys).
    let key = |i: usize| (p.x[i].numer().magnitude().clone(), p.x[i].denom().clone());
    let mut lowest: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for i in (0..d).filter(|&i| p.can_carry(i)) {
        lowest.entry(key(i)).or_insert(i);
    }
    let one = Q::one();
    let (a, b) = (Q::from_integer(p.space.norm_weight.into()), Q::from_integer(p.space.sharp_weight.into()));
    let (a_abs_y, b_abs_y) = (&a * p.y.abs(), &b * p.y.abs());
    let mut prev: Option<(Q, Q)> = None;
    let mut first_norm = None;
    let mut last_sharp = None;
    for (j, v) in list.iter().enumerate() {
        let at = format!("{}.vertices[{j}]", c.at);
        let idx = c.fields.uint(c.fields.get(v, &at, "index")?, &format!("{at}.index"))? as usize;
        let n = c.fields.q(c.fields.get(v, &at, "norm")?, &format!("{at}.norm"))?;
        let s = c.fields.q(c.fields.get(v, &at, "sharpness")?, &format!("{at}.sharpness"))?;
        ensure(idx < d && p.can_carry(idx), || format!("vertex {j}: coordinate {idx} cannot carry the label"))?;
        ensure(lowest.get(&key(idx)) == Some(&idx), || format!("vertex {j}: coordinate {idx} is not the lowest index with |x| = {}", short(&p.x[idx].abs())))?;
        // The label carried by coordinate idx: β = y/x_idx, so N = a|y|/|x_idx| and
        // S = b·x_idx²·|y/x_idx| = b|y||x_idx|.
        let ax = p.x[idx].abs();
        ensure(is_product_eq(&n, &ax, &a_abs_y, &one), || format!("vertex {j}: norm {} is not N of the label on coordinate {idx}", short(&n)))?;
        ensure(is_product_eq(&s, &one, &b_abs_y, &ax), || format!("vertex {j}: sharpness {} is not S of the label on coordinate {idx}", short(&s)))?;
        ensure(is_product_eq(&n, &s, &product, &one), || format!("vertex {j} is off the hyperbola N·S = {}", short(&product)))?;
        if let Some((pn, ps)) = &prev {
            ensure(cmp(pn, &n).is_lt() && cmp(ps, &s).is_gt(), || format!("vertex {j} does not continue the front (N must rise and S fall)"))?;
        }
        first_norm.get_or_insert_with(|| n.clone());
        last_sharp = Some(s.clone());
        prev = Some((n, s));
    }
    ensure(list.len() == lowest.len(), || format!("the front has {} distinct vertices, the claim lists {}", lowest.len(), list.len()))?;
    if let (Some((_, n_min)), Some(f)) = (earlier_beta(c, "min-norm").ok(), &first_norm) {
        ensure(f == &n_min, || "the first vertex is not the verified min-norm value".into())?;
    }
    if let (Some((_, s_min)), Some(l)) = (earlier_beta(c, "min-sharpness").ok(), &last_sharp) {
        ensure(l == &s_min, || "the last vertex is not the verified min-sharpness value".into())?;
    }
    Ok(format!("Pareto front of {} vertices on N·S = {}", list.len(), short(&product)))
}
