//! Exact symmetric LDLᵀ elimination over Q: positive (semi)definiteness and inertia.
//!
//! Part of the kernel's trusted base (used to check PSD certificates), so it is kept plain:
//! Gaussian elimination on the symmetric matrix without pivoting, O(d³) rational operations.
//!
//! - PSD test: eliminate column by column. A negative pivot means not PSD. A zero pivot whose
//!   column below is not all zero also means not PSD (the 2×2 minor [[0, a], [a, c]] has
//!   determinant −a² < 0); a zero pivot with a zero column is skipped. Otherwise PSD.
//! - Inertia (Sylvester's law): when every pivot is non-zero, the numbers of negative and
//!   positive pivots are the numbers of negative and positive eigenvalues. A zero pivot with a
//!   non-zero column makes the plain elimination inconclusive (`None`); callers shift and retry.

use crate::rational::Q;
use num_traits::{Signed, Zero};

/// Why a matrix is not positive semidefinite: the elimination step and the offending pivot.
#[derive(Clone, Debug, PartialEq)]
pub struct NotPsd {
    /// Elimination step (0-based) at which it was detected.
    pub step: usize,
    /// The pivot there (negative, or zero with a non-zero column below).
    pub pivot: Q,
}

/// Whether `m` is symmetric and square.
pub fn is_symmetric(m: &[Vec<Q>]) -> bool {
    let n = m.len();
    m.iter().all(|r| r.len() == n) && (0..n).all(|i| (0..i).all(|j| m[i][j] == m[j][i]))
}

fn eliminate(a: &mut [Vec<Q>], k: usize) {
    let n = a.len();
    let pivot = a[k][k].clone();
    for i in k + 1..n {
        if a[i][k].is_zero() {
            continue;
        }
        let f = &a[i][k] / &pivot;
        for j in k + 1..n {
            if !a[k][j].is_zero() {
                let delta = &f * &a[k][j];
                a[i][j] -= delta;
            }
        }
        a[i][k] = Q::zero();
    }
}

/// Checks `m ⪰ 0` exactly. `m` must be symmetric (see [`is_symmetric`]).
pub fn psd(m: &[Vec<Q>]) -> Result<(), NotPsd> {
    let mut a = m.to_vec();
    let n = a.len();
    for k in 0..n {
        let pivot = a[k][k].clone();
        if pivot.is_negative() {
            return Err(NotPsd { step: k, pivot });
        }
        if pivot.is_zero() {
            if (k + 1..n).any(|i| !a[i][k].is_zero()) {
                return Err(NotPsd { step: k, pivot });
            }
            continue;
        }
        eliminate(&mut a, k);
    }
    Ok(())
}

/// Checks `m ≻ 0` exactly: every pivot strictly positive.
pub fn positive_definite(m: &[Vec<Q>]) -> Result<(), NotPsd> {
    let mut a = m.to_vec();
    for k in 0..a.len() {
        let pivot = a[k][k].clone();
        if !pivot.is_positive() {
            return Err(NotPsd { step: k, pivot });
        }
        eliminate(&mut a, k);
    }
    Ok(())
}

/// Inertia `(negative, zero, positive)` of a symmetric `m`, or `None` if plain elimination meets
/// a zero pivot with a non-zero column below.
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
        eliminate(&mut a, k);
    }
    Some((neg, zero, pos))
}

/// Inertia `(negative, zero, positive)` of a symmetric `m` by fraction-free (Bareiss)
/// elimination, or `None` exactly when [`inertia`] returns `None`.
///
/// The same elimination as [`inertia`], in integers: `m` is first multiplied by the least
/// common denominator of its entries (a positive factor, so the inertia is unchanged). After the
/// pivots of the set S have been used, entry (i, j) is the minor det m[S∪{i}, S∪{j}], and the
/// update is a_ij ← (p·a_ij − a_ik·a_kj) / p_prev with an exact division (Bareiss). The LDLᵀ
/// pivot of step k is M_{S∪{k}} / M_S, so its sign is sign(p)·sign(p_prev). A zero pivot with a
/// zero column leaves S unchanged. Integer sizes stay bounded by the size of the minors, which
/// makes this much faster than rational elimination for dense matrices (SPEC §6).
pub fn inertia_integer(m: &[Vec<Q>]) -> Option<(usize, usize, usize)> {
    use num_bigint::BigInt;
    use num_integer::Integer;
    use num_traits::One;
    let n = m.len();
    let mut lcd = BigInt::one();
    for row in m {
        for q in row {
            lcd = lcd.lcm(q.denom());
        }
    }
    // Upper triangle only: a[i][j - i] holds entry (i, j), j ≥ i.
    let mut a: Vec<Vec<BigInt>> = (0..n).map(|i| (i..n).map(|j| (&m[i][j] * &lcd).to_integer()).collect()).collect();
    let mut prev = BigInt::one();
    let (mut neg, mut zero, mut pos) = (0, 0, 0);
    for k in 0..n {
        let (head, tail) = a.split_at_mut(k + 1);
        let row_k = &head[k];
        let pivot = row_k[0].clone();
        if pivot.is_zero() {
            if row_k[1..].iter().any(|v| !v.is_zero()) {
                return None;
            }
            zero += 1;
            continue;
        }
        if pivot.is_negative() == prev.is_negative() { pos += 1 } else { neg += 1 }
        for (r, row_i) in tail.iter_mut().enumerate() {
            let i = k + 1 + r;
            let a_ki = &row_k[i - k];
            for (c, a_ij) in row_i.iter_mut().enumerate() {
                let j = i + c;
                let t = &pivot * &*a_ij - a_ki * &row_k[j - k];
                *a_ij = t / &prev;
            }
        }
        prev = pivot;
    }
    Some((neg, zero, pos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::qi;

    fn m(rows: &[&[i64]]) -> Vec<Vec<Q>> {
        rows.iter().map(|r| r.iter().map(|&v| qi(v)).collect()).collect()
    }

    #[test]
    fn classifies_small_matrices_by_hand() {
        // [[2,1],[1,2]]: eigenvalues 1 and 3.
        assert!(positive_definite(&m(&[&[2, 1], &[1, 2]])).is_ok());
        assert_eq!(inertia(&m(&[&[2, 1], &[1, 2]])), Some((0, 0, 2)));
        // [[1,2],[2,1]]: eigenvalues −1 and 3.
        assert!(psd(&m(&[&[1, 2], &[2, 1]])).is_err());
        assert_eq!(inertia(&m(&[&[1, 2], &[2, 1]])), Some((1, 0, 1)));
        // [[1,1],[1,1]]: eigenvalues 0 and 2, PSD but not PD.
        assert!(psd(&m(&[&[1, 1], &[1, 1]])).is_ok());
        assert!(positive_definite(&m(&[&[1, 1], &[1, 1]])).is_err());
        assert_eq!(inertia(&m(&[&[1, 1], &[1, 1]])), Some((0, 1, 1)));
        // [[0,1],[1,0]]: eigenvalues ±1; zero pivot with a non-zero column.
        assert!(psd(&m(&[&[0, 1], &[1, 0]])).is_err());
        assert_eq!(inertia(&m(&[&[0, 1], &[1, 0]])), None);
        assert!(is_symmetric(&m(&[&[0, 1], &[1, 0]])));
        assert!(!is_symmetric(&m(&[&[0, 1], &[2, 0]])));
        for rows in [&[&[2, 1][..], &[1, 2]][..], &[&[1, 2], &[2, 1]], &[&[1, 1], &[1, 1]], &[&[0, 1], &[1, 0]]] {
            assert_eq!(inertia_integer(&m(rows)), inertia(&m(rows)));
        }
    }
}
