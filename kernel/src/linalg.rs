//! Exact linear algebra over Q: products and symmetric LDLᵀ elimination (inertia, PSD).
//!
//! LDLᵀ here is plain symmetric Gaussian elimination without pivoting, on rationals. When step k
//! meets pivot p ≠ 0, row and column k are eliminated and p is a diagonal entry of D. A zero pivot
//! whose remaining column is zero is a zero eigen-direction and is skipped. A zero pivot with a
//! non-zero remaining column leaves the inertia undecided (`None`). By Sylvester's law of inertia,
//! the signs of the pivots count the signs of the eigenvalues.

pub use crate::number::pow2; // for the producer
use crate::number::{Q, int, round, short};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

/// (x·D, D) with D the least common denominator of `x`: integer numerators, so sums need no gcd.
fn scaled(x: &[Q]) -> (Vec<BigInt>, BigInt) {
    let d = x.iter().fold(BigInt::from(1), |l, q| {
        num_integer::Integer::lcm(&l, q.denom())
    });
    (x.iter().map(|q| q.numer() * (&d / q.denom())).collect(), d)
}

/// Σ u_i·v_i = (Σ U_i·V_i)/(D_u·D_v), exactly.
fn dot_scaled(u: &[Q], (v, dv): &(Vec<BigInt>, BigInt)) -> Q {
    let (u, du) = scaled(u);
    Q::new(u.iter().zip(v).map(|(a, b)| a * b).sum(), du * dv)
}

pub fn dot(u: &[Q], v: &[Q]) -> Q {
    dot_scaled(u, &scaled(v))
}

pub fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    let v = scaled(v);
    m.iter().map(|row| dot_scaled(row, &v)).collect()
}

/// uᵀMv.
pub fn quad(u: &[Q], m: &[Vec<Q>], v: &[Q]) -> Q {
    dot(u, &mat_vec(m, v))
}

pub fn identity(d: usize) -> Vec<Vec<Q>> {
    (0..d)
        .map(|i| {
            (0..d)
                .map(|j| {
                    if i == j {
                        Q::from_integer(1.into())
                    } else {
                        Q::zero()
                    }
                })
                .collect()
        })
        .collect()
}

/// Whether the square matrix `m` is symmetric.
pub fn is_symmetric(m: &[Vec<Q>]) -> bool {
    (0..m.len()).all(|i| (0..i).all(|j| m[i][j] == m[j][i]))
}

/// M − s·I.
pub fn shift(m: &[Vec<Q>], s: &Q) -> Vec<Vec<Q>> {
    m.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, a)| if i == j { a - s } else { a.clone() })
                .collect()
        })
        .collect()
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
        if pivot.is_negative() {
            neg += 1
        } else {
            pos += 1
        }
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

/// The binary64 number equal to `q`, if there is one (so the f64 copy of `q` is exact).
pub fn binary64(q: &Q) -> Option<f64> {
    let x = q.to_f64().filter(|x| x.is_finite())?;
    // x = sign·m·2^e; q = n/d equals x iff n·2^−e = sign·m·d
    let (m, e, sign) = num_traits::Float::integer_decode(x);
    let m = BigInt::from(sign) * BigInt::from(m) * q.denom();
    let exact = if e < 0 {
        (q.numer() << (-e) as usize) == m
    } else {
        *q.numer() == m << e as usize
    };
    exact.then_some(x)
}

/// D(i, j) of FORMAT.md §4.6: Σ_k x_k·y_k in binary64, summed as 8 partial sums p_l over
/// k ≡ l (mod 8) for k < 8·⌊len/8⌋ (each in increasing k), combined as
/// ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)), plus the sequential sum of the remaining
/// len mod 8 terms, added last. Every sum starts at +0.0.
pub fn dot8(x: &[f64], y: &[f64]) -> f64 {
    let m = x.len() / 8 * 8;
    let mut tail = 0.0;
    for k in m..x.len() {
        tail += x[k] * y[k];
    }
    let mut p = [0.0f64; 8];
    for k in 0..m {
        p[k % 8] += x[k] * y[k];
    }
    (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))) + tail
}

/// Binary64 Cholesky A = LLᵀ in place, as FORMAT.md §4.6 states it (row-major n×n, lower
/// triangle read and overwritten): for j = 0..n−1 and i = 0..j, s = a_ji − D(i, j), then
/// l_ji = s / l_ii for i < j and l_jj = √s. True when it runs to completion: every radicand
/// s > 0 and every l_ji finite.
pub fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        for i in 0..=j {
            let s = a[j * n + i] - dot8(&a[i * n..i * n + i], &a[j * n..j * n + i]);
            a[j * n + i] = if i < j {
                s / a[i * n + i]
            } else if s > 0.0 {
                s.sqrt()
            } else {
                return false;
            };
            if !a[j * n + i].is_finite() {
                return false;
            }
        }
    }
    true
}

/// γ_k = k·u/(1 − k·u), u = 2^−53 (binary64, round to nearest).
pub fn gamma(k: usize) -> Q {
    let ku = Q::from_integer(k.into()) * pow2(-53);
    &ku / (int(1) - &ku)
}

/// E(τ) of FORMAT.md §4.6: γ_{n+8}·T + 2nη(n + 1 + T), T = (τ + 2n²η)/(1 − γ_{n+8}).
pub fn rounding_bound(n: usize, trace: Q) -> Q {
    let (nq, eta, g) = (int(n as i64), pow2(-1074), gamma(n + 8));
    let t = (trace + int(2) * &nq * &nq * &eta) / (int(1) - &g);
    &g * &t + int(2) * &nq * &eta * (&nq + int(1) + &t)
}

/// F of FORMAT.md §4.6, the bound on the rounding of the off-diagonal entries of B̃:
/// γ_3·(r + a·p·m)/(1 − γ_n) + n(a + 2)η, with r, p, m the double sums the format names.
pub fn off_diagonal_bound(h: &[Vec<f64>], alpha: f64, w: &[f64]) -> Result<Q, String> {
    let n = h.len();
    let rows = h
        .iter()
        .map(|r| r.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let p = w.iter().map(|x| x.abs()).sum::<f64>();
    let m = w.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let a = exact(alpha)?;
    Ok(
        gamma(3) * (exact(rows)? + &a * exact(p)? * exact(m)?) / (int(1) - gamma(n))
            + int(n as i64) * (&a + int(2)) * pow2(-1074),
    )
}

/// The exact rational value of a finite double.
pub fn exact(x: f64) -> Result<Q, String> {
    Q::from_float(x).ok_or_else(|| format!("{x} is not a finite binary64"))
}

/// The verified Cholesky check of FORMAT.md §4.6: proves B = σ·I − H + α·wwᵀ ⪰ 0 for a binary64
/// symmetric H (`h`: its values exactly), a binary64 vector w and a binary64 α ≥ 0, or says why
/// not; returns the computed factor L̃ (row-major, lower triangle). The theorem and its proof:
/// docs/verified-sharpness.md, Theorem 1 and Corollary 2.
///
/// This runs the faster variant of [`crate::fast`] (the same factor and the same verdict, bit
/// for bit; proved there and proptested against [`psd_by_cholesky_plain`]) unless it is switched
/// off (`dlncheck check --plain`, [`crate::fast::set_enabled`]).
pub fn psd_by_cholesky(
    h: &[Vec<f64>],
    sigma: &Q,
    alpha: f64,
    w: &[f64],
) -> Result<Vec<f64>, String> {
    if crate::fast::enabled() {
        crate::fast::psd_by_cholesky(h, sigma, alpha, w)
    } else {
        psd_by_cholesky_plain(h, sigma, alpha, w)
    }
}

/// The verified Cholesky check, step by step as FORMAT.md §4.6 words it, in exact rationals
/// (the plain reference of [`psd_by_cholesky`]).
pub fn psd_by_cholesky_plain(
    h: &[Vec<f64>],
    sigma: &Q,
    alpha: f64,
    w: &[f64],
) -> Result<Vec<f64>, String> {
    let n = h.len();
    let a = exact(alpha)?;
    // t_i = σ − h_ii + a·w_i²
    let mut t = Vec::with_capacity(n);
    for i in 0..n {
        t.push(sigma - exact(h[i][i])? + &a * exact(w[i])? * exact(w[i])?);
    }
    let f = off_diagonal_bound(h, alpha, w)?;
    // c = 2^max(k, −1074), 2^k the least power of two ≥ 2(E(Σ_i max(t_i, 0)) + F)
    let positive: Q = t.iter().filter(|x| x.is_positive()).sum();
    let c = round(&(int(2) * (rounding_bound(n, positive) + &f)), 1, true).max(pow2(-1074));
    // σ − c′ = ⌊(σ − c)·2^3225⌋·2^−3225
    let sigma_minus_c_prime =
        Q::from_integer(((sigma - &c) * pow2(3225)).floor().to_integer()) * pow2(-3225);
    // B̃: b̃_ij = fl(α·fl(w_i·w_j)) − h_ij for i > j; b̃_ii = the double nearest to t_i − c′
    let mut b = vec![0.0; n * n];
    let mut diagonal = Vec::with_capacity(n);
    for i in 0..n {
        for j in 0..i {
            b[i * n + j] = alpha * (w[i] * w[j]) - h[i][j];
        }
        let t_minus_c_prime = &t[i] - sigma + &sigma_minus_c_prime;
        let bii = t_minus_c_prime.to_f64().filter(|x| x.is_finite());
        b[i * n + i] = bii.ok_or("a diagonal entry of the shifted matrix is not finite")?;
        diagonal.push(exact(b[i * n + i])?);
    }
    if !cholesky(&mut b, n) {
        return Err("the binary64 Cholesky of the shifted matrix did not run to completion".into());
    }
    // min_i (t_i − b̃_ii) ≥ E(Σ_i b̃_ii) + F
    let need = rounding_bound(n, diagonal.iter().sum()) + f;
    let min_delta = t
        .iter()
        .zip(&diagonal)
        .map(|(t, d)| t - d)
        .min()
        .unwrap_or_default();
    if min_delta < need {
        return Err(format!(
            "the diagonal shift {} is below the rounding bound {} of the theorem",
            short(&min_delta),
            short(&need)
        ));
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    //! `binary64` against num-rational's own float conversion (`Ratio::from_float`, which
    //! reduces by gcd): the same answer for every double and for rationals one step off one.
    //! `dot8` and `cholesky` against exact arithmetic where every operation is exact.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn binary64_is_exact_conversion(bits in any::<u64>(), off in -1i64..=1, shift in 0u32..80) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let q = Q::from_float(x).unwrap() + Q::new(off.into(), BigInt::from(1) << shift);
            let want =
                q.to_f64().filter(|y| y.is_finite() && Q::from_float(*y).as_ref() == Some(&q));
            prop_assert_eq!(binary64(&q).map(f64::to_bits), want.map(f64::to_bits));
        }

        /// With small integers every product and partial sum is exact, so any order gives
        /// the exact dot product.
        #[test]
        fn dot8_is_the_dot_product_when_no_operation_rounds(
            xy in prop::collection::vec((-1000i32..1000, -1000i32..1000), 0..40),
        ) {
            let (x, y): (Vec<f64>, Vec<f64>) =
                xy.iter().map(|&(a, b)| (a as f64, b as f64)).unzip();
            let exact: i64 = xy.iter().map(|&(a, b)| a as i64 * b as i64).sum();
            prop_assert_eq!(dot8(&x, &y), exact as f64);
        }
    }

    #[test]
    fn dot8_sums_in_the_order_of_the_format() {
        // 1 + 2^53 + (−2^53) … summed in eight lanes: lane 0 gets 2^53 and −2^53 (exactly 0),
        // lane 1 gets 1; the tail (ninth term) 1 is added last: exactly 2. A sequential sum
        // would give (1 + 2^53) − 2^53 + 1 = 1 (1 + 2^53 rounds to 2^53).
        let big = 2f64.powi(53);
        let x = [
            big, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -big, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        let y = [1.0; 17];
        assert_eq!(dot8(&x, &y), 2.0);
        let sequential = x.iter().fold(0.0, |s, v| s + v);
        assert_eq!(sequential, 1.0, "the counter-example needs rounding");
    }

    #[test]
    fn cholesky_of_a_hand_factored_matrix() {
        // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]]: every operation is exact.
        let mut a = vec![4.0, 0.0, 2.0, 5.0];
        assert!(cholesky(&mut a, 2));
        assert_eq!((a[0], a[2], a[3]), (2.0, 1.0, 2.0));
        // [[1, 2], [2, 1]] is indefinite: the second radicand is 1 − 4 < 0.
        let mut b = vec![1.0, 0.0, 2.0, 1.0];
        assert!(!cholesky(&mut b, 2));
    }
}
