//! Minimum-norm and minimum-sharpness zero-loss solutions for one data point (SPEC §2, T1.1–T1.3),
//! in closed form and exact. Untrusted: its answers are re-checked by the kernel crate ([`dlncheck_kernel`]).
//!
//! Both problems are `min Σ w_i |β_i|` over `{⟨x, β⟩ = y}` (β ≥ 0 for `shared`), see
//! [`crate::models::model::beta_space`]. A coordinate i can carry the whole label when x_i ≠ 0 (and, for
//! signed models, x_i·y > 0); the value of putting it there is |y|·w_i/|x_i|, and the optimum picks
//! the smallest such ratio — for the norm (w_i = a) the largest |x_i|, for the sharpness
//! (w_i = b x_i²) the smallest |x_i|. The LP dual λ = sgn(y)·w_k/|x_k| certifies optimality:
//! λ x_i ≤ w_i for every i (and −λ x_i ≤ w_i when β is free), with y·λ equal to the value.

use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::io::instance::OnePoint;
use crate::models::model::{BetaSpace, Model, beta_space};
use crate::numeric::rational::{Q, c_minus_lx, cmp_abs, k_sq, mul, same_sign};
use crate::numeric::scalar::qi;
use num_traits::{Signed, Zero};

/// Which objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// N(θ) = ‖θ‖².
    Norm,
    /// S(θ) at zero loss.
    Sharpness,
}

/// An exact optimum with its LP certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    /// The coordinate carrying the whole label (lowest index among ties).
    pub index: usize,
    /// The optimal value.
    pub value: Q,
    /// The canonical minimiser β = (y/x_k)·e_k: its one non-zero entry y/x_k, at `index`.
    pub carried: Q,
    /// The dimension d of β.
    pub dim: usize,
    /// LP dual λ with y·λ = value.
    pub dual: Q,
    /// The objective this optimises.
    pub objective: Objective,
}

/// Dual slacks of an optimum, written out for the certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Slacks {
    /// w_i − λ x_i ≥ 0 for every i.
    pub slack: Vec<Q>,
    /// w_i + λ x_i ≥ 0 for every i (free-sign models only).
    pub slack_neg: Option<Vec<Q>>,
}

/// One data point as a weighted ℓ1 problem.
#[derive(Clone, Debug)]
pub struct Point<'a> {
    pub model: Model,
    pub space: BetaSpace,
    pub x: &'a [Q],
    pub y: &'a Q,
    source: &'a str,
    /// a·|y| and b·|y|: the value of carrying the label is a|y|/|x_i| or b|y||x_i|.
    scale: (Q, Q),
}

impl<'a> Point<'a> {
    /// The one-point problem of an instance, or a one-line error (n ≠ 1, unsupported model,
    /// infeasible: no coordinate can carry y).
    pub fn of(inst: &'a Instance) -> Result<Self> {
        let (x, y) = inst.point()?;
        let space = beta_space(inst.model).ok_or_else(|| {
            Error::input(
                &inst.source,
                "model",
                format!(
                    "T1 closed forms cover shared, uv and pm; not {} with depth > 2",
                    inst.model.name()
                ),
            )
        })?;
        let scale = (
            qi(space.norm_weight) * y.abs(),
            qi(space.sharp_weight) * y.abs(),
        );
        let p = Point {
            model: inst.model,
            space,
            x,
            y,
            source: &inst.source,
            scale,
        };
        if p.feasible().is_empty() {
            let why = if space.signed {
                "no coordinate has x_i·y > 0 (P is empty), so no zero-loss point exists"
            } else {
                "x = 0, so no zero-loss point exists"
            };
            return Err(Error::input(
                &inst.source,
                "x",
                format!("infeasible instance: {why}"),
            ));
        }
        Ok(p)
    }

    /// Can coordinate i carry the label? (x_i ≠ 0, and x_i·y > 0 when β ≥ 0.)
    pub fn can_carry(&self, i: usize) -> bool {
        if self.space.signed {
            same_sign(&self.x[i], self.y)
        } else {
            !self.x[i].is_zero()
        }
    }

    /// The feasible coordinates P.
    pub fn feasible(&self) -> Vec<usize> {
        (0..self.x.len()).filter(|&i| self.can_carry(i)).collect()
    }

    /// Objective weight w_i.
    pub fn weight(&self, obj: Objective, i: usize) -> Q {
        match obj {
            Objective::Norm => qi(self.space.norm_weight),
            Objective::Sharpness => k_sq(self.space.sharp_weight, &self.x[i]),
        }
    }

    /// Objective value Σ w_i |β_i| of a β.
    pub fn objective(&self, obj: Objective, beta: &[Q]) -> Q {
        beta.iter()
            .enumerate()
            .filter(|(_, b)| !b.is_zero())
            .map(|(i, b)| self.weight(obj, i) * b.abs())
            .sum()
    }

    /// Value of putting the whole label on coordinate i: |y|·w_i/|x_i|.
    pub fn carry_value(&self, obj: Objective, i: usize) -> Q {
        self.carry_value_at(obj, &self.x[i].abs())
    }

    /// [`Point::carry_value`] of a coordinate with |x_i| = `abs_x`.
    pub fn carry_value_at(&self, obj: Objective, abs_x: &Q) -> Q {
        match obj {
            // a·|y|/|x_i|
            Objective::Norm => mul(
                &self.scale.0,
                &Q::new_raw(abs_x.denom().clone(), abs_x.numer().clone()),
            ),
            // b·x_i²·|y/x_i| = b·|y|·|x_i|
            Objective::Sharpness => mul(&self.scale.1, abs_x),
        }
    }

    /// The exact optimum of `obj` with its dual certificate. The best coordinate minimises
    /// w_i/|x_i|: the largest |x_i| for the norm (w_i = a), the smallest for the sharpness
    /// (w_i = b·x_i²); ties go to the lowest index.
    pub fn optimum(&self, obj: Objective) -> Optimum {
        let better = |i: usize, k: usize| match obj {
            Objective::Norm => cmp_abs(&self.x[i], &self.x[k]) == std::cmp::Ordering::Greater,
            Objective::Sharpness => cmp_abs(&self.x[i], &self.x[k]) == std::cmp::Ordering::Less,
        };
        let mut best: Option<usize> = None;
        for i in self.feasible() {
            if best.is_none_or(|k| better(i, k)) {
                best = Some(i);
            }
        }
        let k = best.unwrap_or_else(|| {
            unreachable!("Point::of checked that P is non-empty ({})", self.source)
        });
        let value = self.carry_value(obj, k);
        let carried = self.y / &self.x[k];
        let sign = if self.y.is_negative() { qi(-1) } else { qi(1) };
        let dual = sign * self.weight(obj, k) / self.x[k].abs();
        Optimum {
            index: k,
            value,
            carried,
            dim: self.x.len(),
            dual,
            objective: obj,
        }
    }

    /// The dual slacks of `o` (O(d) reduced fractions; only certificates need them).
    pub fn slacks(&self, o: &Optimum) -> Slacks {
        let slack = (0..self.x.len())
            .map(|i| c_minus_lx(&self.weight(o.objective, i), &o.dual, &self.x[i]))
            .collect();
        let neg_dual = -o.dual.clone();
        let slack_neg = (!self.space.signed).then(|| {
            (0..self.x.len())
                .map(|i| c_minus_lx(&self.weight(o.objective, i), &neg_dual, &self.x[i]))
                .collect()
        });
        Slacks { slack, slack_neg }
    }
}

/// The T1 summary: both optima, whether they coincide, the conflict ratio and the Pareto front.
#[derive(Clone, Debug)]
pub struct T1 {
    pub min_norm: Optimum,
    pub min_sharpness: Optimum,
    /// N(β_sharp)/N(β_norm) = S(β_norm)/S(β_sharp) = max_P|x| / min_P|x| (T1.3).
    pub ratio: Q,
    pub coincide: bool,
    pub front: Vec<crate::theory::pareto::Vertex>,
    /// S(β_norm): the sharpness of the min-norm solution.
    pub sharpness_of_min_norm: Q,
    /// N(β_sharp): the norm of the min-sharpness solution.
    pub norm_of_min_sharpness: Q,
}

impl T1 {
    /// η_norm = 2/S(β_norm): above it the min-norm solution is not linearly stable (SPEC §4).
    pub fn eta_norm(&self) -> Q {
        qi(2) / &self.sharpness_of_min_norm
    }

    /// η_max = 2/inf S: above it no zero-loss point is linearly stable (SPEC §4).
    pub fn eta_max(&self) -> Q {
        qi(2) / &self.min_sharpness.value
    }
}

/// Solves T1 exactly.
pub fn solve(inst: &Instance) -> Result<T1> {
    let p = Point::of(inst)?;
    let min_norm = p.optimum(Objective::Norm);
    let min_sharpness = p.optimum(Objective::Sharpness);
    let norm_of_min_sharpness =
        p.weight(Objective::Norm, min_sharpness.index) * min_sharpness.carried.abs();
    let sharpness_of_min_norm =
        p.weight(Objective::Sharpness, min_norm.index) * min_norm.carried.abs();
    let ratio = &norm_of_min_sharpness / &min_norm.value;
    let coincide = ratio == qi(1);
    let front = crate::theory::pareto::front(p.x, p.feasible(), |ax| {
        (
            p.carry_value_at(Objective::Norm, ax),
            p.carry_value_at(Objective::Sharpness, ax),
        )
    });
    Ok(T1 {
        min_norm,
        min_sharpness,
        ratio,
        coincide,
        front,
        sharpness_of_min_norm,
        norm_of_min_sharpness,
    })
}
