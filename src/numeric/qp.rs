//! The best linear rule (SPEC §3): the convex QP
//!
//!   minimise E(c) = A·cᵀΣc − 2bᵀc + tr(ΣM2)   subject to ⟨x, c⟩ = 1, c ≥ 0,
//!
//! solved exactly in Q by a primal active-set method (Nocedal & Wright, Algorithm 16.3) and
//! returned with its KKT certificate: the gradient g = 2A·Σc − 2b satisfies g − νx − μ = 0 with
//! μ ≥ 0 and μ_i c_i = 0. With Σ ≻ 0 and A > 0 the objective is strictly convex, so the KKT point
//! is the unique global minimiser. Untrusted: the kernel re-checks the certificate.
//!
//! Each iteration solves the equality-constrained problem on the free set F (c_i = 0 off F):
//! 2A·Σ_FF c_F − 2b_F = νx_F and x_Fᵀc_F = 1, i.e. with u = Σ_FF⁻¹b_F and w = Σ_FF⁻¹x_F,
//! ν/2 = (A − x_Fᵀu)/(x_Fᵀw) and c_F = (u + (ν/2)·w)/A.
//!
//! The data come through the [`Objective`] trait (implemented by
//! [`crate::theory::generalization::Setting`]), so this module imports only the numeric core.

use crate::numeric::rational::Q;
use crate::numeric::vector::{dot, mat_vec, quad};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// The data of the linear-rule QP of SPEC §3, and E(c) written once:
///
///   E(c) = A·cᵀΣc − 2cᵀb + t,   ∇E(c) = 2A·Σc − 2b,
///
/// with A = xᵀM2x, b = ΣM2x and t = tr(ΣM2) for the teacher prior's second moment M2.
pub trait Objective {
    /// The data point x (the constraint ⟨x, c⟩ = 1).
    fn x(&self) -> &[Q];
    /// The population covariance Σ.
    fn sigma(&self) -> &[Vec<Q>];
    /// A = xᵀM2x.
    fn a(&self) -> &Q;
    /// b = ΣM2x.
    fn b(&self) -> &[Q];
    /// t = tr(ΣM2).
    fn constant(&self) -> &Q;

    /// Dimension d.
    fn dim(&self) -> usize {
        self.x().len()
    }

    /// E(c) = A·cᵀΣc − 2cᵀb + t.
    fn value(&self, c: &[Q]) -> Q {
        self.a() * quad(c, self.sigma(), c) - dot(c, self.b()) * Q::from_integer(2.into())
            + self.constant()
    }

    /// ∇E(c) = 2A·Σc − 2b.
    fn gradient(&self, c: &[Q]) -> Vec<Q> {
        let two = Q::from_integer(2.into());
        mat_vec(self.sigma(), c)
            .into_iter()
            .zip(self.b())
            .map(|(s, b)| &two * (self.a() * s - b))
            .collect()
    }

    /// The vertex rule c = e_k / x_k (the whole label on coordinate k).
    fn vertex_rule(&self, k: usize) -> Vec<Q> {
        let mut c = vec![Q::zero(); self.dim()];
        c[k] = self.x()[k].recip();
        c
    }
}

/// The exact best linear rule with its KKT multipliers.
#[derive(Clone, Debug, PartialEq)]
pub struct BestLinear {
    pub c: Vec<Q>,
    /// Multiplier of ⟨x, c⟩ = 1.
    pub nu: Q,
    /// Multipliers of c ≥ 0: μ = g − νx.
    pub mu: Vec<Q>,
    /// E(c).
    pub value: Q,
    /// Active-set iterations taken.
    pub iterations: usize,
}

/// Solves `m·X = rhs` (m symmetric positive definite) for several right-hand sides at once by
/// fraction-free (Bareiss) elimination: each row of [m | rhs] is scaled by the lcm of its
/// denominators (which leaves the solution unchanged), then
/// a_ij ← (a_kk·a_ij − a_ik·a_kj) / p with p the previous pivot, an exact integer division. The
/// pivots are positive multiples of leading principal minors of m, so no pivoting is needed.
fn solve_spd(m: Vec<Vec<Q>>, rhs: Vec<Vec<Q>>) -> Vec<Vec<Q>> {
    let n = m.len();
    let mut a: Vec<Vec<BigInt>> = (0..n)
        .map(|i| {
            let row: Vec<&Q> = m[i].iter().chain(rhs.iter().map(|r| &r[i])).collect();
            let scale = row.iter().fold(BigInt::one(), |l, q| l.lcm(q.denom()));
            row.iter()
                .map(|q| q.numer() * (&scale / q.denom()))
                .collect()
        })
        .collect();
    let width = n + rhs.len();
    let mut previous = BigInt::one();
    for k in 0..n {
        for i in k + 1..n {
            for j in k + 1..width {
                let v = (&a[k][k] * &a[i][j] - &a[i][k] * &a[k][j]) / &previous;
                a[i][j] = v;
            }
            a[i][k] = BigInt::zero();
        }
        previous = a[k][k].clone();
    }
    (0..rhs.len())
        .map(|r| {
            let mut x = vec![Q::zero(); n];
            for k in (0..n).rev() {
                let s: Q = (k + 1..n)
                    .filter(|&j| !a[k][j].is_zero())
                    .map(|j| Q::from_integer(a[k][j].clone()) * &x[j])
                    .sum();
                x[k] =
                    (Q::from_integer(a[k][n + r].clone()) - s) / Q::from_integer(a[k][k].clone());
            }
            x
        })
        .collect()
}

/// The minimiser of E on {⟨x, c⟩ = 1, c_i = 0 for i ∉ F} and its multiplier ν.
fn equality_qp<P: Objective>(s: &P, free: &[usize]) -> (Vec<Q>, Q) {
    let sub: Vec<Vec<Q>> = free
        .iter()
        .map(|&i| free.iter().map(|&j| s.sigma()[i][j].clone()).collect())
        .collect();
    let bf: Vec<Q> = free.iter().map(|&i| s.b()[i].clone()).collect();
    let xf: Vec<Q> = free.iter().map(|&i| s.x()[i].clone()).collect();
    let sol = solve_spd(sub, vec![bf, xf.clone()]);
    let (u, w) = (&sol[0], &sol[1]);
    let xu = dot(&xf, u);
    let xw = dot(&xf, w);
    let half_nu = (s.a() - xu) / xw;
    let mut c = vec![Q::zero(); s.dim()];
    for (k, &i) in free.iter().enumerate() {
        c[i] = (&u[k] + &half_nu * &w[k]) / s.a();
    }
    (c, half_nu * Q::from_integer(2.into()))
}

/// The best linear rule of a validated setting, exactly, with its KKT certificate.
///
/// First tries the empty working set (every coordinate free): if that equality-constrained
/// minimiser is ≥ 0 it is optimal with μ = 0 (under the T1-G hypotheses it always is: it equals
/// M2x/(xᵀM2x), README). Otherwise runs [`minimise_on`] over every coordinate.
pub fn best_linear<P: Objective>(s: &P) -> BestLinear {
    let all: Vec<usize> = (0..s.dim()).collect();
    let (c, nu) = equality_qp(s, &all);
    if c.iter().all(|v| !v.is_negative()) {
        let value = s.value(&c);
        return BestLinear {
            c,
            nu,
            mu: vec![Q::zero(); s.dim()],
            value,
            iterations: 1,
        };
    }
    minimise_on(s, &all)
}

/// The minimum of E over the face {c ≥ 0, c_i = 0 for i ∉ S, ⟨x, c⟩ = 1} (S = `support`, not
/// empty), by the primal active-set method from the best vertex rule e_k/x_k of S (working
/// set: every other bound of S). Keeps the iterate feasible; terminates because the objective is
/// strictly convex and strictly decreases between repeated working sets. μ is 0 off S.
pub fn minimise_on<P: Objective>(s: &P, support: &[usize]) -> BestLinear {
    let d = s.dim();
    let start = support
        .iter()
        .copied()
        .min_by(|&i, &j| s.value(&s.vertex_rule(i)).cmp(&s.value(&s.vertex_rule(j))))
        .unwrap_or(0);
    let mut c = s.vertex_rule(start);
    let mut free = vec![false; d];
    free[start] = true;
    let mut iterations = 0;
    loop {
        iterations += 1;
        let f: Vec<usize> = (0..d).filter(|&i| free[i]).collect();
        let (target, nu) = equality_qp(s, &f);
        if target == c {
            let g = s.gradient(&c);
            let mu: Vec<Q> = (0..d)
                .map(|i| {
                    if free[i] || !support.contains(&i) {
                        Q::zero()
                    } else {
                        &g[i] - &nu * &s.x()[i]
                    }
                })
                .collect();
            match support
                .iter()
                .copied()
                .filter(|&i| mu[i].is_negative())
                .min_by(|&i, &j| mu[i].cmp(&mu[j]))
            {
                None => {
                    let value = s.value(&c);
                    return BestLinear {
                        c,
                        nu,
                        mu,
                        value,
                        iterations,
                    };
                }
                Some(j) => free[j] = true,
            }
        } else {
            let step: Vec<Q> = target.iter().zip(&c).map(|(t, v)| t - v).collect();
            let mut alpha = Q::one();
            let mut blocking = None;
            for &i in &f {
                if step[i].is_negative() {
                    let ratio = -&c[i] / &step[i];
                    if ratio < alpha {
                        alpha = ratio;
                        blocking = Some(i);
                    }
                }
            }
            for i in 0..d {
                c[i] += &alpha * &step[i];
            }
            if let Some(i) = blocking {
                c[i] = Q::zero();
                free[i] = false;
            }
        }
    }
}

/// The best linear rule by enumerating every support F ⊆ {0..d−1}: the feasible equality-QP
/// solutions (c_F ≥ 0) are candidates, the best one wins. Exponential; an independent route for
/// tests on small d.
pub fn best_linear_by_supports<P: Objective>(s: &P) -> Q {
    let d = s.dim();
    let mut best: Option<Q> = None;
    for mask in 1u64..(1u64 << d) {
        let f: Vec<usize> = (0..d).filter(|&i| mask >> i & 1 == 1).collect();
        let (c, _) = equality_qp(s, &f);
        if c.iter().all(|v| !v.is_negative()) {
            let e = s.value(&c);
            if best.as_ref().is_none_or(|b| e < *b) {
                best = Some(e);
            }
        }
    }
    best.unwrap_or_else(Q::zero)
}
