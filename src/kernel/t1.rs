//! Kernel checks for the one-point setting T1 (SPEC §2).
//!
//! Trusted mathematics (stated in [`crate::model::beta_space`]): on the zero-loss manifold of one
//! data point, min N and inf S are the weighted ℓ1 problems `min Σ w_i|β_i|` over ⟨x, β⟩ = y
//! (β ≥ 0 for `shared`) with w_i = a (norm) or w_i = b·x_i² (sharpness). Weak LP duality: if
//! λ·x_i ≤ w_i (and −λ·x_i ≤ w_i for free β) for all i, then every feasible β has
//! Σ w_i|β_i| ≥ Σ λ x_i β_i = λ·y. So a feasible β whose objective equals λ·y is optimal.

use super::{ensure, is_c_minus_lx, is_product_eq, Checked, Claim, Fail};
use crate::instance::{each_in_order, Instance};
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

/// Compares l·x with c by cross-multiplication (denominators positive, any fraction form).
fn cmp_lx(l: &Q, x: &Q, c: &Q) -> std::cmp::Ordering {
    (l.numer() * x.numer() * c.denom()).cmp(&(c.numer() * l.denom() * x.denom()))
}

fn optimum(c: &Claim, norm: bool) -> Checked {
    let p = point(c)?;
    let d = p.x.len();
    let value = c.q("value")?;
    let beta = c.qs("beta")?;
    let dual = c.q("dual")?;
    // Listing the dual slacks is optional (FORMAT.md): the checks below recompute them.
    let listed = |key: &str| match c.value.get(key) {
        Some(_) => c.qs_unreduced(key).map(Some),
        None => Ok(None),
    };
    let slack = listed("slack")?;
    let slack_neg = listed("slack_neg")?;
    ensure(beta.len() == d, || format!("beta has {} entries, x has {d}", beta.len()))?;
    ensure(slack.as_ref().is_none_or(|sl| sl.len() == d), || "slack has the wrong length".into())?;
    ensure(slack_neg.as_ref().is_none_or(|sn| sn.len() == d), || "slack_neg has the wrong length".into())?;
    ensure(!p.space.signed || slack_neg.is_none(), || "slack_neg belongs to free-sign models (uv, pm) only".into())?;
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
    // Dual feasibility: λ·x_i ≤ w_i for every i, and −λ·x_i ≤ w_i when β is free; the slacks
    // w_i ∓ λ·x_i are compared with zero by cross-multiplication, and must equal listed ones.
    let neg_dual = -dual.clone();
    // Whether coordinate i is tight (a zero slack on some side), after checking its feasibility.
    let tight = |i: usize| -> Result<bool, Fail> {
        let w = p.weight(norm, i);
        let pos = cmp_lx(&dual, &p.x[i], &w);
        ensure(pos.is_le(), || format!("dual infeasible at coordinate {i}: dual·x_i > w_i"))?;
        if let Some(sl) = &slack {
            ensure(is_c_minus_lx(&sl[i], &w, &dual, &p.x[i]), || format!("slack[{i}] = {} is not w_i − dual·x_i", short(&sl[i])))?;
        }
        let mut zero = pos.is_eq();
        if !p.space.signed {
            let neg = cmp_lx(&neg_dual, &p.x[i], &w);
            ensure(neg.is_le(), || format!("dual infeasible at coordinate {i}: −dual·x_i > w_i"))?;
            if let Some(sn) = &slack_neg {
                ensure(is_c_minus_lx(&sn[i], &w, &neg_dual, &p.x[i]), || format!("slack_neg[{i}] = {} is not w_i + dual·x_i", short(&sn[i])))?;
            }
            zero |= neg.is_eq();
        }
        Ok(zero)
    };
    let tight_carrier = each_in_order(d, |i| Ok::<_, Fail>(tight(i)? && p.can_carry(i)))?;
    let tight_before_k = tight_carrier.iter().position(|&t| t);
    // Canonical minimiser: the whole label on one coordinate k, the lowest optimal one.
    let support: Vec<usize> = (0..d).filter(|&i| !beta[i].is_zero()).collect();
    ensure(support.len() == 1, || format!("beta must be the canonical minimiser on one coordinate; it has {} non-zeros", support.len()))?;
    let k = support[0];
    if let Some(i) = tight_before_k.filter(|&i| i < k) {
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
pub(super) fn pareto_front<'a>(c: &Claim<'a>) -> Checked {
    let p = point(c)?;
    let d = p.x.len();
    let list = c.list("vertices")?;
    let product = Q::from_integer((p.space.norm_weight * p.space.sharp_weight).into()) * p.y * p.y;
    // Lowest carrying index for every distinct |x_i|, keyed by the reduced pair (|p|, q) of
    // x_i = p/q (instance numbers are parsed in lowest terms, so equal values have equal keys).
    let key = |i: usize| (p.x[i].numer().magnitude(), p.x[i].denom());
    let mut lowest: std::collections::HashMap<_, usize> = std::collections::HashMap::with_capacity(d);
    for i in (0..d).filter(|&i| p.can_carry(i)) {
        lowest.entry(key(i)).or_insert(i);
    }
    let one = Q::one();
    let (a, b) = (Q::from_integer(p.space.norm_weight.into()), Q::from_integer(p.space.sharp_weight.into()));
    let (a_abs_y, b_abs_y) = (&a * p.y.abs(), &b * p.y.abs());
    // A vertex's field, read without building its path unless there is an error. Norms and
    // sharpnesses are only compared by cross-multiplication, so they need not be reduced.
    let field = |j: usize, v: &'a serde_json::Value, key: &str| vertex_field(c, j, v, key);
    let rational = |j: usize, v: &'a serde_json::Value, key: &str| -> Result<Q, Fail> {
        let raw = field(j, v, key)?;
        let parsed = match raw.as_str() {
            Some(text) => crate::rational::parse_q_unreduced(text).ok(),
            None => None,
        };
        match parsed {
            Some(q) => Ok(q),
            None => Ok(c.fields.q(raw, &format!("{}.vertices[{j}].{key}", c.at))?),
        }
    };
    // Every vertex is read and checked against its coordinate on all cores.
    let vertices = each_in_order(list.len(), |j| {
        let v = &list[j];
        let raw_idx = field(j, v, "index")?;
        let idx = raw_idx.as_u64().ok_or_else(|| Fail::Malformed(c.fields.err(&format!("{}.vertices[{j}].index", c.at), "expected a non-negative integer")))? as usize;
        let n = rational(j, v, "norm")?;
        let s = rational(j, v, "sharpness")?;
        ensure(idx < d && p.can_carry(idx), || format!("vertex {j}: coordinate {idx} cannot carry the label"))?;
        ensure(lowest.get(&key(idx)) == Some(&idx), || format!("vertex {j}: coordinate {idx} is not the lowest index with |x| = {}", short(&p.x[idx].abs())))?;
        // The label carried by coordinate idx: β = y/x_idx, so N = a|y|/|x_idx| and
        // S = b·x_idx²·|y/x_idx| = b|y||x_idx|; hence N·S = ab·y², the hyperbola (T1.4).
        let ax = p.x[idx].abs();
        ensure(is_product_eq(&n, &ax, &a_abs_y, &one), || format!("vertex {j}: norm {} is not N of the label on coordinate {idx}", short(&n)))?;
        ensure(is_product_eq(&s, &one, &b_abs_y, &ax), || format!("vertex {j}: sharpness {} is not S of the label on coordinate {idx}", short(&s)))?;
        Ok::<_, Fail>((n, s))
    })?;
    // Along the front N rises strictly and S falls strictly.
    each_in_order(vertices.len().saturating_sub(1), |j| {
        let ((pn, ps), (n, s)) = (&vertices[j], &vertices[j + 1]);
        ensure(cmp(pn, n).is_lt() && cmp(ps, s).is_gt(), || format!("vertex {} does not continue the front (N must rise and S fall)", j + 1))
    })?;
    let first_norm = vertices.first().map(|v| &v.0);
    let last_sharp = vertices.last().map(|v| &v.1);
    ensure(list.len() == lowest.len(), || format!("the front has {} distinct vertices, the claim lists {}", lowest.len(), list.len()))?;
    if let (Some(n_min), Some(f)) = (earlier_value(c, "min-norm"), first_norm) {
        ensure(cmp(f, &n_min?).is_eq(), || "the first vertex is not the verified min-norm value".into())?;
    }
    if let (Some(s_min), Some(l)) = (earlier_value(c, "min-sharpness"), last_sharp) {
        ensure(cmp(l, &s_min?).is_eq(), || "the last vertex is not the verified min-sharpness value".into())?;
    }
    Ok(format!("Pareto front of {} vertices on N·S = {}", list.len(), short(&product)))
}

/// Field `key` of vertex j; its path is only built for the error message.
fn vertex_field<'v>(c: &Claim, j: usize, v: &'v serde_json::Value, key: &str) -> Result<&'v serde_json::Value, Fail> {
    v.get(key).ok_or_else(|| Fail::Malformed(c.fields.err(&format!("{}.vertices[{j}].{key}", c.at), "missing")))
}

/// The value of the most recent verified claim of `kind`, if there is one.
fn earlier_value(c: &Claim, kind: &str) -> Option<Result<Q, Fail>> {
    let v = c.earlier(kind)?;
    Some(c.fields.q(v.get("value").unwrap_or(&serde_json::Value::Null), "value").map_err(Fail::from))
}
