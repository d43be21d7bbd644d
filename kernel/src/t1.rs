//! One data point (T1, SPEC §2): `min-norm`, `min-sharpness`, `conflict`, `pareto-front`.
//!
//! Trusted mathematics. On the zero-loss manifold of one point, at a balanced factorisation,
//! N = a·Σ|β_i| and S = b·Σx_i²|β_i|, with (a, b) = (1, 4) for `shared` (β ≥ 0), (2, 2) for `uv`
//! and (1, 4) for `pm` (β free); both minima are attained there (README, "The mathematics").
//! So min N and inf S are the LPs min Σ w_i|β_i| over ⟨x, β⟩ = y with w_i = a or w_i = b·x_i².
//! Weak duality: if λ·x_i ≤ w_i (and −λ·x_i ≤ w_i for free β) for every i, every feasible β has
//! Σ w_i|β_i| ≥ Σ λ·x_i·β_i = λ·y; a feasible β whose objective equals λ·y is a minimiser.
//! Putting the whole label on coordinate i costs w_i·|y/x_i|; the LP optimum is the least of these.

use crate::instance::{Instance, Model};
use crate::number::{Q, int, short};
use crate::{Checked, Claim, Fail, ensure};
use num_traits::{One, Signed, Zero};
use std::collections::BTreeMap;

pub const OPTIMUM_KEYS: &[&str] = &["value", "beta", "dual", "slack", "slack_neg"];

/// The one-point data and the weights (a, b) of the model.
pub(crate) struct Point<'a> {
    pub inst: &'a Instance,
    pub x: &'a [Q],
    pub y: &'a Q,
    a: Q,
    b: Q,
}

pub(crate) fn point<'a>(c: &Claim<'a>) -> Result<Point<'a>, Fail> {
    let inst = c.instance()?;
    ensure(inst.one_point, || {
        "T1 claims need one data point `x`".into()
    })?;
    let (a, b) = match inst.model {
        Model::Shared | Model::SharedDepth(2) | Model::Pm => (1, 4),
        Model::Uv => (2, 2),
        Model::SharedDepth(d) => {
            return Err(Fail::Reject(format!(
                "model shared-depth with D = {d} has no T1 closed form"
            )));
        }
    };
    Ok(Point {
        inst,
        x: &inst.x[0],
        y: &inst.y[0],
        a: int(a),
        b: int(b),
    })
}

impl Point<'_> {
    /// w_i: a for the norm, b·x_i² for the sharpness.
    pub fn weight(&self, norm: bool, i: usize) -> Q {
        if norm {
            self.a.clone()
        } else {
            &self.b * &self.x[i] * &self.x[i]
        }
    }
    pub fn objective(&self, norm: bool, beta: &[Q]) -> Q {
        beta.iter()
            .enumerate()
            .filter(|(_, v)| !v.is_zero())
            .map(|(i, v)| self.weight(norm, i) * v.abs())
            .sum()
    }
    /// The objective of the whole label on coordinate i: w_i·|y/x_i|.
    fn vertex_cost(&self, norm: bool, i: usize) -> Q {
        self.weight(norm, i) * (self.y / &self.x[i]).abs()
    }
    fn carriers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.x.len()).filter(|&i| self.inst.can_carry(i))
    }
}

fn optimum(c: &Claim, norm: bool) -> Checked {
    let p = point(c)?;
    let d = p.x.len();
    let (value, beta, dual) = (c.t.q("value")?, c.t.qs("beta")?, c.t.q("dual")?);
    let free = !p.inst.model.nonnegative();
    if !free {
        c.t.forbid(&["slack_neg"], "by a model with β ≥ 0")?;
    }
    ensure(beta.len() == d, || {
        format!("beta has {} entries, x has {d}", beta.len())
    })?;
    ensure(free || beta.iter().all(|b| !b.is_negative()), || {
        "beta has a negative entry (the model needs β ≥ 0)".into()
    })?;
    let fit: Q = beta.iter().zip(p.x).map(|(b, x)| b * x).sum();
    ensure(&fit == p.y, || {
        format!("⟨x, beta⟩ = {} ≠ y = {}", short(&fit), short(p.y))
    })?;
    let obj = p.objective(norm, &beta);
    ensure(obj == value, || {
        format!(
            "the objective of beta is {}, claimed value {}",
            short(&obj),
            short(&value)
        )
    })?;
    ensure(p.y * &dual == value, || {
        format!(
            "y·dual = {} ≠ value {}",
            short(&(p.y * &dual)),
            short(&value)
        )
    })?;
    // Dual feasibility λ·x_i ≤ w_i (and −λ·x_i ≤ w_i for free β), with the slacks w_i ∓ λ·x_i
    // when the file lists them.
    let listed = |key: &str| -> Result<Option<Vec<Q>>, Fail> {
        let l = if c.t.has(key) {
            Some(c.t.qs(key)?)
        } else {
            None
        };
        ensure(l.as_ref().is_none_or(|l| l.len() == d), || {
            format!("{key} has the wrong length")
        })?;
        Ok(l)
    };
    let (slack, slack_neg) = (listed("slack")?, listed("slack_neg")?);
    for i in 0..d {
        let (w, lx) = (p.weight(norm, i), &dual * &p.x[i]);
        ensure(lx <= w, || {
            format!("dual infeasible at coordinate {i}: dual·x_i > w_i")
        })?;
        ensure(!free || -&lx <= w, || {
            format!("dual infeasible at coordinate {i}: −dual·x_i > w_i")
        })?;
        ensure(slack.as_ref().is_none_or(|l| l[i] == &w - &lx), || {
            format!("slack[{i}] is not w_i − dual·x_i = {}", short(&(&w - &lx)))
        })?;
        ensure(slack_neg.as_ref().is_none_or(|l| l[i] == &w + &lx), || {
            format!(
                "slack_neg[{i}] is not w_i + dual·x_i = {}",
                short(&(&w + &lx))
            )
        })?;
    }
    // Canonical minimiser (SPEC §7): the whole label on the lowest optimal coordinate k.
    let support: Vec<usize> = (0..d).filter(|&i| !beta[i].is_zero()).collect();
    ensure(support.len() == 1, || {
        format!(
            "beta must put the whole label on one coordinate; it has {} non-zeros",
            support.len()
        )
    })?;
    let k = support[0];
    if let Some(i) = p
        .carriers()
        .take_while(|&i| i < k)
        .find(|&i| p.vertex_cost(norm, i) == value)
    {
        return Err(Fail::Reject(format!(
            "coordinate {i} < {k} is also optimal; the canonical minimiser uses the lowest index"
        )));
    }
    Ok(format!(
        "{} = {} at beta on coordinate {k} (LP dual {})",
        if norm { "min N" } else { "inf S" },
        short(&value),
        short(&dual)
    ))
}

pub(crate) fn min_norm(c: &Claim) -> Checked {
    optimum(c, true)
}

pub(crate) fn min_sharpness(c: &Claim) -> Checked {
    optimum(c, false)
}

/// `conflict` (T1.3), using the earlier verified `min-norm` and `min-sharpness`.
pub(crate) fn conflict(c: &Claim) -> Checked {
    let p = point(c)?;
    let (ratio, coincide) = (c.t.q("ratio")?, c.t.boolean("coincide")?);
    let (norm, sharp) = (c.earlier("min-norm")?, c.earlier("min-sharpness")?);
    let (b_norm, n_min, b_sharp, s_min) = (
        norm.qs("beta")?,
        norm.q("value")?,
        sharp.qs("beta")?,
        sharp.q("value")?,
    );
    let r_norm = p.objective(true, &b_sharp) / &n_min;
    let r_sharp = p.objective(false, &b_norm) / &s_min;
    ensure(r_norm == ratio, || {
        format!(
            "N(β_sharp)/N(β_norm) = {} ≠ ratio {}",
            short(&r_norm),
            short(&ratio)
        )
    })?;
    ensure(r_sharp == ratio, || {
        format!(
            "S(β_norm)/S(β_sharp) = {} ≠ ratio {}",
            short(&r_sharp),
            short(&ratio)
        )
    })?;
    let abs: Vec<Q> = p.carriers().map(|i| p.x[i].abs()).collect();
    let (lo, hi) = (
        abs.iter().min().cloned().unwrap_or_else(Q::one),
        abs.iter().max().cloned().unwrap_or_else(Q::one),
    );
    ensure(&hi / &lo == ratio, || {
        format!(
            "max|x_i|/min|x_i| over P is {}, not the ratio",
            short(&(&hi / &lo))
        )
    })?;
    ensure(coincide == ratio.is_one(), || {
        format!("coincide = {coincide} contradicts ratio {}", short(&ratio))
    })?;
    Ok(if coincide {
        "min-norm and min-sharpness coincide (ratio 1)".into()
    } else {
        format!("the biases conflict: ratio {} > 1", short(&ratio))
    })
}

/// `pareto-front` (T1.4): one vertex per distinct |x_i| over P, at its lowest index, from the
/// largest |x_i| (min-norm) to the smallest (min-sharpness).
pub(crate) fn pareto_front(c: &Claim) -> Checked {
    let p = point(c)?;
    let mut lowest: BTreeMap<Q, usize> = BTreeMap::new();
    for i in p.carriers() {
        lowest.entry(p.x[i].abs()).or_insert(i);
    }
    let list = c.t.list("vertices")?;
    ensure(list.len() == lowest.len(), || {
        format!(
            "the front has {} vertices, the claim lists {}",
            lowest.len(),
            list.len()
        )
    })?;
    for (j, (tree, (_, &k))) in list.iter().zip(lowest.iter().rev()).enumerate() {
        let v = c.t.nested(
            tree,
            &format!("{}[{j}]", c.t.path("vertices")),
            &["index", "norm", "sharpness"],
        )?;
        let index = v.uint("index")?;
        ensure(index == k as u64, || {
            format!("vertex {j} is coordinate {k}, the claim says {index}")
        })?;
        let (n, s) = (v.q("norm")?, v.q("sharpness")?);
        ensure(n == p.vertex_cost(true, k), || {
            format!("vertex {j}: norm {} is not a·|y/x_{k}|", short(&n))
        })?;
        ensure(s == p.vertex_cost(false, k), || {
            format!(
                "vertex {j}: sharpness {} is not b·x_{k}²·|y/x_{k}|",
                short(&s)
            )
        })?;
    }
    Ok(format!(
        "Pareto front of {} vertices on N·S = {}",
        list.len(),
        short(&(&p.a * &p.b * p.y * p.y))
    ))
}
