//! Fast exact inertia for the producer (untrusted): fraction-free (Bareiss) symmetric
//! elimination, the same elimination as the kernel's plain rational LDLᵀ
//! ([`dlncheck_kernel::linalg::inertia`], which the kernel uses to re-check every certificate
//! and the tests use as the reference), in integers so that entries stay the size of minors.

use crate::numeric::rational::Q;
use num_traits::{Signed, Zero};

/// Inertia `(negative, zero, positive)` of a symmetric `m` by fraction-free (Bareiss)
/// elimination, or `None` exactly when the kernel's plain `inertia` returns `None`.
///
/// The same elimination as the kernel's, in integers: `m` is first multiplied by the least
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
    let mut a: Vec<Vec<BigInt>> = (0..n)
        .map(|i| (i..n).map(|j| (&m[i][j] * &lcd).to_integer()).collect())
        .collect();
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
        if pivot.is_negative() == prev.is_negative() {
            pos += 1
        } else {
            neg += 1
        }
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
