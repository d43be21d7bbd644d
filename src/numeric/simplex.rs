//! Exact rational simplex method (untrusted; SPEC §5) for min cᵀx s.t. Ax = b, x ≥ 0.
//!
//! Two phases on a dense tableau over Q. The entering column is the most negative reduced cost
//! (Dantzig) until the pivots stall on degeneracy, then Bland's rule (smallest entering index
//! with negative reduced cost; ties in the ratio test broken by the smallest basic index), which
//! cannot cycle; so the method always terminates.
//! Phase I minimises the sum of artificial variables after flipping rows so that b ≥ 0.
//! The artificial columns are kept (never re-entering) so that B⁻¹ can be read off the tableau.
//!
//! Results come with certificates that the kernel re-checks:
//! - optimal: x ≥ 0 with Ax = b, and duals y with reduced costs s = c − Aᵀy ≥ 0 and
//!   bᵀy = cᵀx (weak duality then makes cᵀx the minimum);
//! - infeasible: a Farkas vector y with Aᵀy ≤ 0 and bᵀy > 0 (then Ax = b, x ≥ 0 is impossible,
//!   since 0 < bᵀy = xᵀAᵀy ≤ 0);
//! - unbounded: reported without certificate (the T2 objectives are bounded below by 0).

use crate::numeric::rational::Q;
use num_bigint::BigInt;
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

/// Consecutive degenerate pivots after which the entering rule switches to Bland's.
const DEGENERATE_LIMIT: usize = 50;

/// An integer-preserving tableau: the true tableau is `t / det` with `det` > 0 the determinant
/// of the current basis (of the row-scaled system). A pivot on p = t[r][col] leaves row r and
/// maps every other entry to (p·t_ij − t_i,col·t_rj)/det, an exact division (Edmonds); then
/// det ← p (rows negated if p < 0). No gcds, and entries stay minors of the data.
struct Tableau {
    /// m rows of N + m columns (structural, artificial) and the right-hand side last.
    t: Vec<Vec<BigInt>>,
    det: BigInt,
    basis: Vec<usize>,
    n: usize,
}

impl Tableau {
    fn rhs(&self) -> usize {
        self.t.first().map_or(0, |r| r.len() - 1)
    }

    fn pivot(&mut self, r: usize, col: usize) {
        let p = self.t[r][col].clone();
        let row_r = self.t[r].clone();
        for (i, row) in self.t.iter_mut().enumerate() {
            if i == r {
                continue;
            }
            let f = row[col].clone();
            for (v, pr) in row.iter_mut().zip(&row_r) {
                let t = &p * &*v - &f * pr;
                *v = t / &self.det;
            }
        }
        self.det = p;
        if self.det.is_negative() {
            self.det = -&self.det;
            self.t.iter_mut().flatten().for_each(|v| *v = -&*v);
        }
        self.basis[r] = col;
    }

    /// det·d_j = det·cost_j − Σ_i cost_{basis_i} t_ij for every column (integer costs).
    fn reduced(&self, cost: &[BigInt]) -> Vec<BigInt> {
        let mut d: Vec<BigInt> = cost.iter().map(|c| c * &self.det).collect();
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

    /// Pivots on the structural columns until no reduced cost is negative; `false` if
    /// unbounded. Entering column: the most negative reduced cost (Dantzig) while pivots make
    /// progress; after [`DEGENERATE_LIMIT`] consecutive degenerate pivots, Bland's rule (the
    /// smallest index) for the rest of the phase, which cannot cycle.
    fn optimise(&mut self, cost: &[BigInt]) -> bool {
        let rhs = self.rhs();
        let mut degenerate = 0usize;
        loop {
            let d = self.reduced(cost);
            let negative = (0..self.n).filter(|&j| d[j].is_negative());
            let entering = if degenerate >= DEGENERATE_LIMIT {
                negative.min()
            } else {
                negative.min_by(|&i, &j| d[i].cmp(&d[j]).then(i.cmp(&j)))
            };
            let Some(col) = entering else {
                return true;
            };
            // Ratio test: min t_i,rhs / t_i,col over t_i,col > 0, ties by the smallest basic index.
            let mut best: Option<usize> = None;
            for (i, row) in self.t.iter().enumerate() {
                if !row[col].is_positive() {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some(b) => {
                        let (lhs, rhs_) =
                            (&row[rhs] * &self.t[b][col], &self.t[b][rhs] * &row[col]);
                        lhs < rhs_ || (lhs == rhs_ && self.basis[i] < self.basis[b])
                    }
                };
                if better {
                    best = Some(i);
                }
            }
            let Some(r) = best else {
                return false;
            };
            if self.t[r][rhs].is_zero() {
                degenerate += 1;
            } else if degenerate < DEGENERATE_LIMIT {
                degenerate = 0;
            }
            self.pivot(r, col);
        }
    }

    /// y with y_k = σ_k·Σ_i cost_{basis_i}·(B⁻¹)_ik, where B⁻¹ is read from the artificial
    /// columns and σ_k is the scale of row k: the duals of the original rows.
    fn duals(&self, cost: &[Q], scale: &[Q]) -> Vec<Q> {
        (0..self.t.len())
            .map(|k| {
                let exact: Q = self
                    .t
                    .iter()
                    .zip(&self.basis)
                    .map(|(row, &bi)| &cost[bi] * Q::from_integer(row[self.n + k].clone()))
                    .sum::<Q>()
                    / Q::from_integer(self.det.clone());
                exact * &scale[k]
            })
            .collect()
    }
}

/// Integer multiples of `v` by a common positive factor (the lcm of the denominators).
fn integer_scale(v: &[Q]) -> (Q, Vec<BigInt>) {
    let lcm = v.iter().fold(BigInt::one(), |acc, q| {
        num_integer::Integer::lcm(&acc, q.denom())
    });
    let s = Q::from_integer(lcm);
    let ints = v.iter().map(|q| (q * &s).to_integer()).collect();
    (s, ints)
}

/// Solves min cᵀx s.t. Ax = b, x ≥ 0 exactly. `a` must have `b.len()` rows of `c.len()` entries.
pub fn solve(lp: &Lp) -> Outcome {
    let m = lp.b.len();
    let n = lp.c.len();
    // Row i is multiplied by σ_i = ±(lcm of its denominators) so that it is integer with b_i ≥ 0.
    let mut scale = Vec::with_capacity(m);
    let t: Vec<Vec<BigInt>> = (0..m)
        .map(|i| {
            let full: Vec<Q> = lp.a[i].iter().chain([&lp.b[i]]).cloned().collect();
            let (s, ints) = integer_scale(&full);
            let sigma = if lp.b[i].is_negative() { -s } else { s };
            let flip = sigma.is_negative();
            let mut row: Vec<BigInt> = ints[..n]
                .iter()
                .map(|v| if flip { -v } else { v.clone() })
                .collect();
            row.extend((0..m).map(|k| {
                if k == i {
                    BigInt::one()
                } else {
                    BigInt::zero()
                }
            }));
            row.push(if flip { -&ints[n] } else { ints[n].clone() });
            scale.push(sigma);
            row
        })
        .collect();
    let mut tab = Tableau {
        t,
        det: BigInt::one(),
        basis: (n..n + m).collect(),
        n,
    };
    // Phase I: minimise the sum of the artificials.
    let phase1: Vec<Q> = (0..n + m)
        .map(|j| if j < n { Q::zero() } else { Q::one() })
        .collect();
    let phase1_int: Vec<BigInt> = phase1.iter().map(Q::to_integer).collect();
    tab.optimise(&phase1_int);
    let rhs = tab.rhs();
    let infeasible = tab
        .t
        .iter()
        .zip(&tab.basis)
        .any(|(row, b)| *b >= n && row[rhs].is_positive());
    if infeasible {
        // Phase-I duals: Aᵀy ≤ 0 (reduced costs −Aᵀy ≥ 0) and bᵀy = the positive optimum.
        return Outcome::Infeasible(tab.duals(&phase1, &scale));
    }
    // Drive zero-level artificials out of the basis where a structural pivot exists.
    for r in 0..m {
        if tab.basis[r] < n {
            continue;
        }
        if let Some(col) = (0..n).find(|&j| !tab.t[r][j].is_zero()) {
            tab.pivot(r, col);
        }
    }
    // Phase II, with the costs scaled to integers (a positive factor keeps every sign).
    let mut cost = lp.c.clone();
    cost.extend((0..m).map(|_| Q::zero()));
    let (_, cost_int) = integer_scale(&cost);
    if !tab.optimise(&cost_int) {
        return Outcome::Unbounded;
    }
    let mut x = vec![Q::zero(); n];
    for (row, &bi) in tab.t.iter().zip(&tab.basis) {
        if bi < n {
            x[bi] = Q::new(row[rhs].clone(), tab.det.clone());
        }
    }
    let y = tab.duals(&cost, &scale);
    let reduced: Vec<Q> = (0..n)
        .map(|j| &lp.c[j] - (0..m).map(|i| &lp.a[i][j] * &y[i]).sum::<Q>())
        .collect();
    let value = lp.c.iter().zip(&x).map(|(c, x)| c * x).sum();
    Outcome::Optimal(Optimal {
        x,
        y,
        reduced,
        value,
    })
}
