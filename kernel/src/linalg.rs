//! Exact linear algebra over Q: products and symmetric LDLᵀ elimination (inertia, PSD).
//!
//! LDLᵀ here is plain symmetric Gaussian elimination without pivoting, on rationals. When step k
//! meets pivot p ≠ 0, row and column k are eliminated and p is a diagonal entry of D. A zero pivot
//! whose remaining column is zero is a zero eigen-direction and is skipped. A zero pivot with a
//! non-zero remaining column leaves the inertia undecided (`None`). By Sylvester's law of inertia,
//! the signs of the pivots count the signs of the eigenvalues.

use crate::number::Q;
use num_traits::{Signed, Zero};

pub fn dot(u: &[Q], v: &[Q]) -> Q {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

pub fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    m.iter().map(|row| dot(row, v)).collect()
}

/// uᵀMv.
pub fn quad(u: &[Q], m: &[Vec<Q>], v: &[Q]) -> Q {
    dot(u, &mat_vec(m, v))
}

pub fn identity(d: usize) -> Vec<Vec<Q>> {
    (0..d).map(|i| (0..d).map(|j| if i == j { Q::from_integer(1.into()) } else { Q::zero() }).collect()).collect()
}

/// Whether the square matrix `m` is symmetric.
pub fn is_symmetric(m: &[Vec<Q>]) -> bool {
    (0..m.len()).all(|i| (0..i).all(|j| m[i][j] == m[j][i]))
}

/// M − s·I.
pub fn shift(m: &[Vec<Q>], s: &Q) -> Vec<Vec<Q>> {
    m.iter().enumerate().map(|(i, row)| row.iter().enumerate().map(|(j, a)| if i == j { a - s } else { a.clone() }).collect()).collect()
}

/// Inertia (negative, zero, positive) of a symmetric matrix, or `None` when undecided.
// The index loops are the formula a_ij ← a_ij − (a_ik/a_kk)·a_kj as written.
#[allow(clippy::needless_range_loop)]
pub fn inertia(m: &[Vec<Q>]) -> Option<(usize, usize, usize)> {
    let mut a = m.to_vec();
    let n = a.len();
    let (mut neg, mut zero, mut pos) = (0, 0, 0);
    for k in 0..n {
        let pivot = a[k][k].clone();
        if pivot.is_zero() {
            if (k + 1..n).any(|i| !a[i][k].is_zero()) {
                return None;
            }
            zero += 1;
            continue;
        }
        if pivot.is_negative() { neg += 1 } else { pos += 1 }
        for i in k + 1..n {
            let f = &a[i][k] / &pivot;
            for j in k + 1..n {
                let t = &f * &a[k][j];
                a[i][j] -= t;
            }
        }
    }
    Some((neg, zero, pos))
}

/// M ⪰ 0: no negative pivot. An undecided elimination means not PSD: a zero pivot with a non-zero
/// entry a below it leaves the 2×2 minor [[0, a], [a, c]] of determinant −a² < 0.
pub fn is_psd(m: &[Vec<Q>]) -> bool {
    matches!(inertia(m), Some((0, _, _)))
}

/// M ≻ 0: every pivot positive.
pub fn is_pd(m: &[Vec<Q>]) -> bool {
    matches!(inertia(m), Some((0, 0, _)))
}
