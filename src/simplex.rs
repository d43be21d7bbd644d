//! Exact rational simplex method (untrusted; SPEC §5) for min cᵀx s.t. Ax = b, x ≥ 0.
//!
//! Two phases on a dense tableau over Q with Bland's rule (smallest entering index with negative
//! reduced cost; ties in the ratio test broken by the smallest basic index), which cannot cycle.
//! Phase I minimises the sum of artificial variables after flipping rows so that b ≥ 0.
//! The artificial columns are kept (never re-entering) so that B⁻¹ can be read off the tableau.
//!
//! Results come with certificates that the kernel re-checks:
//! - optimal: x ≥ 0 with Ax = b, and duals y with reduced costs s = c − Aᵀy ≥ 0 and
//!   bᵀy = cᵀx (weak duality then makes cᵀx the minimum);
//! - infeasible: a Farkas vector y with Aᵀy ≤ 0 and bᵀy > 0 (then Ax = b, x ≥ 0 is impossible,
//!   since 0 < bᵀy = xᵀAᵀy ≤ 0);
//! - unbounded: reported without certificate (the T2 objectives are bounded below by 0).

use crate::rational::Q;
use num_traits::{One, Signed, Zero};

/// The LP min cᵀx s.t. Ax = b, x ≥ 0 (A is m × N).
#[derive(Clone, Debug, PartialEq)]
pub struct Lp {
    pub a: Vec<Vec<Q>>,
    pub b: Vec<Q>,
    pub c: Vec<Q>,
}

/// An optimal primal–dual pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimal {
    pub x: Vec<Q>,
    pub y: Vec<Q>,
    /// c − Aᵀy (all ≥ 0).
    pub reduced: Vec<Q>,
    pub value: Q,
}

/// The outcome of [`solve`].
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Optimal(Optimal),
    /// A Farkas certificate y: Aᵀy ≤ 0, bᵀy > 0.
    Infeasible(Vec<Q>),
    Unbounded,
}

struct Tableau {
    /// m rows of N + m columns (structural, artificial) and the right-hand side last.
    t: Vec<Vec<Q>>,
    basis: Vec<usize>,
    n: usize,
    /// Row signs s_i = ±1 applied so that b ≥ 0.
    sign: Vec<bool>,
}

impl Tableau {
    fn rhs(&self) -> usize {
        self.t.first().map_or(0, |r| r.len() - 1)
    }

    fn pivot(&mut self, r: usize, col: usize) {
        let p = self.t[r][col].clone();
        self.t[r].iter_mut().filter(|v| !v.is_zero()).for_each(|v| *v /= &p);
        let row_r = self.t[r].clone();
        for (i, row) in self.t.iter_mut().enumerate() {
            if i == r || row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (v, pr) in row.iter_mut().zip(&row_r) {
                if !pr.is_zero() {
                    *v -= &f * pr;
                }
            }
        }
        self.basis[r] = col;
    }

    /// Reduced costs d_j = cost_j − Σ_i cost_{basis_i} t_ij for every column.
    fn reduced(&self, cost: &[Q]) -> Vec<Q> {
        let mut d = cost.to_vec();
        for (row, &bi) in self.t.iter().zip(&self.basis) {
            let cb = &cost[bi];
            if cb.is_zero() {
                continue;
            }
            for (dj, tij) in d.iter_mut().zip(row) {
                if !tij.is_zero() {
                    *dj -= cb * tij;
                }
            }
        }
        d
    }

    /// Bland's rule on the structural columns; `false` if unbounded.
    fn optimise(&mut self, cost: &[Q]) -> bool {
        let rhs = self.rhs();
        loop {
            let d = self.reduced(cost);
            let Some(col) = (0..self.n).find(|&j| d[j].is_negative()) else {
                return true;
            };
            let mut best: Option<(Q, usize, usize)> = None;
            for (i, row) in self.t.iter().enumerate() {
                if row[col].is_positive() {
                    let ratio = &row[rhs] / &row[col];
                    let better = match &best {
                        None => true,
                        Some((r, _, b)) => ratio < *r || (ratio == *r && self.basis[i] < *b),
                    };
                    if better {
                        best = Some((ratio, i, self.basis[i]));
                    }
                }
            }
            match best {
                Some((_, r, _)) => self.pivot(r, col),
                None => return false,
            }
        }
    }

    /// y with yᵀ = c_Bᵀ B⁻¹ S, read from the artificial columns (which hold B⁻¹ of the
    /// sign-flipped system) — the duals of the original rows.
    fn duals(&self, cost: &[Q]) -> Vec<Q> {
        let m = self.t.len();
        (0..m)
            .map(|k| {
                let v: Q = self.t.iter().zip(&self.basis).map(|(row, &bi)| &cost[bi] * &row[self.n + k]).sum();
                if self.sign[k] { -v } else { v }
            })
            .collect()
    }
}

/// Solves min cᵀx s.t. Ax = b, x ≥ 0 exactly. `a` must have `b.len()` rows of `c.len()` entries.
pub fn solve(lp: &Lp) -> Outcome {
    let m = lp.b.len();
    let n = lp.c.len();
    let sign: Vec<bool> = lp.b.iter().map(Signed::is_negative).collect();
    let t: Vec<Vec<Q>> = (0..m)
        .map(|i| {
            let flip = |q: &Q| if sign[i] { -q } else { q.clone() };
            let mut row: Vec<Q> = lp.a[i].iter().map(flip).collect();
            row.extend((0..m).map(|k| if k == i { Q::one() } else { Q::zero() }));
            row.push(flip(&lp.b[i]));
            row
        })
        .collect();
    let mut tab = Tableau { t, basis: (n..n + m).collect(), n, sign };
    // Phase I: minimise the sum of the artificials.
    let phase1: Vec<Q> = (0..n + m).map(|j| if j < n { Q::zero() } else { Q::one() }).collect();
    tab.optimise(&phase1);
    let rhs = tab.rhs();
    let infeasibility: Q = tab.t.iter().zip(&tab.basis).filter(|(_, b)| **b >= n).map(|(row, _)| row[rhs].clone()).sum();
    if infeasibility.is_positive() {
        // Phase-I duals: Aᵀy ≤ 0 (reduced costs −Aᵀy ≥ 0) and bᵀy = the positive optimum.
        return Outcome::Infeasible(tab.duals(&phase1));
    }
    // Drive zero-level artificials out of the basis where a structural pivot exists.
    for r in 0..m {
        if tab.basis[r] >= n {
            if let Some(col) = (0..n).find(|&j| !tab.t[r][j].is_zero()) {
                tab.pivot(r, col);
            }
        }
    }
    // Phase II.
    let mut cost = lp.c.clone();
    cost.extend((0..m).map(|_| Q::zero()));
    if !tab.optimise(&cost) {
        return Outcome::Unbounded;
    }
    let mut x = vec![Q::zero(); n];
    for (row, &bi) in tab.t.iter().zip(&tab.basis) {
        if bi < n {
            x[bi] = row[rhs].clone();
        }
    }
    let y = tab.duals(&cost);
    let reduced: Vec<Q> = (0..n).map(|j| &lp.c[j] - (0..m).map(|i| &lp.a[i][j] * &y[i]).sum::<Q>()).collect();
    let value = lp.c.iter().zip(&x).map(|(c, x)| c * x).sum();
    Outcome::Optimal(Optimal { x, y, reduced, value })
}
