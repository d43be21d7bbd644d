//! Float eigenvalue estimators (untrusted, SPEC §6): power iteration and Lanczos in `f32` or
//! `f64` through matrix-vector products only, and the dense f64 eigensolver (nalgebra) that seeds
//! the certified enclosures of [`crate::spectra::certified`].
//!
//! Nothing here is trusted: every number these functions return is either audited against a
//! certified enclosure (`dlncheck audit`) or turned into a certificate that the kernel re-checks.

use crate::io::instance::Model;
use crate::models::loss::{self, Data};
use crate::numeric::scalar::Scalar;
use num_traits::Float;

/// A symmetric linear operator v ↦ Av on `T^p`.
pub trait Operator<T> {
    /// The dimension p.
    fn dim(&self) -> usize;
    /// A·v.
    fn apply(&self, v: &[T]) -> Vec<T>;
}

/// A dense symmetric matrix as an operator.
pub struct Dense<T>(pub Vec<Vec<T>>);

impl<T: Float> Operator<T> for Dense<T> {
    fn dim(&self) -> usize {
        self.0.len()
    }
    fn apply(&self, v: &[T]) -> Vec<T> {
        self.0.iter().map(|row| dot(row, v)).collect()
    }
}

/// The Hessian ∇²L(θ) of a diagonal linear network as an operator, by Hessian-vector products
/// ([`loss::hvp`], O(n·p) per product; the dense Hessian is never formed).
pub struct Hessian<T: Scalar> {
    pub model: Model,
    pub data: Data<T>,
    pub theta: Vec<T>,
}

impl<T: Scalar + Float> Operator<T> for Hessian<T> {
    fn dim(&self) -> usize {
        self.theta.len()
    }
    fn apply(&self, v: &[T]) -> Vec<T> {
        loss::hvp(self.model, &self.data, &self.theta, v)
    }
}

fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::zero(), |acc, (x, y)| acc + *x * *y)
}

fn normalize<T: Float>(v: &mut [T]) -> T {
    let n = dot(v, v).sqrt();
    if n > T::zero() {
        v.iter_mut().for_each(|x| *x = *x / n);
    }
    n
}

/// A reproducible start vector with entries in [−1, 1), from the crate's one PRNG stream
/// ([`SplitMix64`](crate::numeric::random::SplitMix64)) seeded by `seed`.
pub fn start_vector<T: Float>(p: usize, seed: u64) -> Vec<T> {
    let mut g = crate::numeric::random::SplitMix64::new(seed);
    (0..p)
        .map(|_| T::from(g.uniform_pm1()).unwrap_or_else(T::zero))
        .collect()
}

/// Which end of the spectrum an estimate approximates (SPEC §6: power iteration finds the
/// eigenvalue of largest magnitude, which may be the most negative one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The largest eigenvalue λ_max.
    Largest,
    /// The smallest (most negative) eigenvalue λ_min.
    Smallest,
}

impl End {
    /// `"lambda_max"` or `"lambda_min"`.
    pub fn name(&self) -> &'static str {
        match self {
            End::Largest => "lambda_max",
            End::Smallest => "lambda_min",
        }
    }
}

/// A float estimate of an extreme eigenvalue.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate<T> {
    pub value: T,
    /// Matrix-vector products used.
    pub iterations: usize,
    pub converged: bool,
    /// The end of the spectrum the value belongs to (by its sign for power iteration).
    pub end: End,
}

/// Power iteration v ← Av/‖Av‖ with the Rayleigh quotient ρ = vᵀAv as the estimate; stops when
/// |ρ_k − ρ_{k−1}| ≤ tol·|ρ_k| or after `max_iter` products. It converges to the eigenvalue of
/// largest magnitude; `end` is `Smallest` when that estimate is negative.
pub fn power_iteration<T: Float>(
    op: &dyn Operator<T>,
    max_iter: usize,
    tol: T,
    seed: u64,
) -> Estimate<T> {
    let mut v = start_vector::<T>(op.dim(), seed);
    normalize(&mut v);
    let mut rho = T::zero();
    let mut converged = false;
    let mut iterations = 0;
    while iterations < max_iter {
        let mut w = op.apply(&v);
        iterations += 1;
        let next = dot(&v, &w);
        let done = iterations > 1 && (next - rho).abs() <= tol * next.abs();
        rho = next;
        if normalize(&mut w) == T::zero() || done {
            converged = true;
            break;
        }
        v = w;
    }
    let end = if rho < T::zero() {
        End::Smallest
    } else {
        End::Largest
    };
    Estimate {
        value: rho,
        iterations,
        converged,
        end,
    }
}

/// Lanczos with full reorthogonalisation in `T`: k steps build the tridiagonal T_k = VᵀAV, whose
/// extreme eigenvalue (the Ritz value θ_k, located by Sturm-count bisection in f64, O(k) per
/// probe, and rounded to `T`) estimates λ_max or λ_min. Converged when
/// |θ_k − θ_{k−1}| ≤ tol·|θ_k|, when the Krylov space is invariant (β_k = 0), or at k = p; at most
/// `max_iter` products.
pub fn lanczos<T: Float>(
    op: &dyn Operator<T>,
    end: End,
    max_iter: usize,
    tol: T,
    seed: u64,
) -> Estimate<T> {
    let p = op.dim();
    let mut q = start_vector::<T>(p, seed);
    normalize(&mut q);
    let mut basis: Vec<Vec<T>> = vec![q];
    let (mut alpha, mut beta): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut theta = T::zero();
    let mut converged = false;
    while alpha.len() < max_iter.min(p) {
        let k = alpha.len();
        let mut w = op.apply(&basis[k]);
        alpha.push(dot(&w, &basis[k]).to_f64().unwrap_or(0.0));
        for _ in 0..2 {
            for b in &basis {
                let c = dot(&w, b);
                w.iter_mut().zip(b).for_each(|(x, y)| *x = *x - c * *y);
            }
        }
        let b = normalize(&mut w);
        let next = T::from(tridiagonal_extreme(&alpha, &beta, end)).unwrap_or(theta);
        let settled = k > 0 && (next - theta).abs() <= tol * next.abs();
        theta = next;
        if settled || b == T::zero() || k + 1 == p {
            converged = true;
            break;
        }
        beta.push(b.to_f64().unwrap_or(0.0));
        basis.push(w);
    }
    Estimate {
        value: theta,
        iterations: alpha.len(),
        converged,
        end,
    }
}

/// Number of eigenvalues of the symmetric tridiagonal (α, β) below x (Sturm count: the negative
/// pivots of the LDLᵀ of T − xI, zero pivots nudged).
fn count_below(alpha: &[f64], beta: &[f64], x: f64) -> usize {
    let mut count = 0;
    let mut d = 1.0;
    for (i, a) in alpha.iter().enumerate() {
        let off = if i == 0 {
            0.0
        } else {
            beta[i - 1] * beta[i - 1] / d
        };
        d = a - x - off;
        if d == 0.0 {
            d = -f64::EPSILON * (a.abs() + x.abs() + f64::MIN_POSITIVE);
        }
        if d < 0.0 {
            count += 1;
        }
    }
    count
}

/// The largest or smallest eigenvalue of the tridiagonal (α, β) by bisection on Sturm counts
/// inside the Gershgorin interval.
fn tridiagonal_extreme(alpha: &[f64], beta: &[f64], end: End) -> f64 {
    let k = alpha.len();
    let radius = |i: usize| {
        (if i > 0 { beta[i - 1].abs() } else { 0.0 }) + beta.get(i).map_or(0.0, |b| b.abs())
    };
    let mut lo = (0..k)
        .map(|i| alpha[i] - radius(i))
        .fold(f64::INFINITY, f64::min);
    let mut hi = (0..k)
        .map(|i| alpha[i] + radius(i))
        .fold(f64::NEG_INFINITY, f64::max);
    // Wanted: the eigenvalue with index k − 1 (largest) or 0 (smallest) in increasing order.
    let index = match end {
        End::Largest => k - 1,
        End::Smallest => 0,
    };
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if count_below(alpha, beta, mid) > index {
            hi = mid
        } else {
            lo = mid
        }
    }
    0.5 * (lo + hi)
}

/// All eigenpairs of a dense symmetric f64 matrix by nalgebra's `SymmetricEigen` (Householder
/// tridiagonalisation and implicit QR), eigenvalues sorted decreasingly, `vectors[i]` the unit
/// eigenvector of `values[i]`. Seeds the certified enclosures (benches/README.md: it replaces
/// [`jacobi_eigen`], which it beats on the same input).
pub fn symmetric_eigen(m: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = m.len();
    let e = nalgebra::SymmetricEigen::new(nalgebra::DMatrix::from_fn(n, n, |i, j| m[i][j]));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| e.eigenvalues[j].total_cmp(&e.eigenvalues[i]));
    (
        order.iter().map(|&i| e.eigenvalues[i]).collect(),
        order
            .iter()
            .map(|&i| e.eigenvectors.column(i).iter().copied().collect())
            .collect(),
    )
}

/// All eigenpairs of a dense symmetric f64 matrix by cyclic Jacobi rotations, eigenvalues sorted
/// decreasingly, `vectors[i]` the unit eigenvector of `values[i]`. O(d³) per sweep; stops when
/// the off-diagonal mass is below 1e-30 of the total or after 60 sweeps.
pub fn jacobi_eigen(m: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = m.len();
    let mut a = m.to_vec();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let total: f64 = a.iter().flatten().map(|x| x * x).sum();
    for _ in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off <= 1e-30 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q] == 0.0 {
                    continue;
                }
                let tau = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
                let t = if tau == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                // v holds eigenvectors as rows: row p and row q rotate together.
                let (vp, vq) = (v[p].clone(), v[q].clone());
                for k in 0..n {
                    v[p][k] = c * vp[k] - s * vq[k];
                    v[q][k] = s * vp[k] + c * vq[k];
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]));
    (
        order.iter().map(|&i| a[i][i]).collect(),
        order.iter().map(|&i| v[i].clone()).collect(),
    )
}
