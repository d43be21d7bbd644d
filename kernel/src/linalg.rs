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
    let (m, e, sign) = num_traits::Float::integer_decode(x); // x = sign·m·2^e; q = n/d = x iff n·2^−e = sign·m·d
    let m = BigInt::from(sign) * BigInt::from(m) * q.denom();
    let exact = if e < 0 {
        (q.numer() << (-e) as usize) == m
    } else {
        *q.numer() == m << e as usize
    };
    exact.then_some(x)
}

/// Σ x_k·y_g,k for each of G vectors y_g, in binary64, each in eight interleaved partial sums
/// (each term meets at most len/8 + 5 roundings); x is read once for the G sums, and each sum is
/// the same operations in the same order whatever G is, so lanes never reassociate.
#[inline(always)]
fn dots<const G: usize>(x: &[f64], ys: [&[f64]; G]) -> [f64; G] {
    let (m, mut acc, mut tail) = (x.len() / 8 * 8, [[0.0f64; 8]; G], [0.0f64; G]);
    for g in 0..G {
        for k in m..x.len() {
            tail[g] += x[k] * ys[g][k];
        }
    }
    for (c, a) in x[..m].chunks_exact(8).enumerate() {
        let k = 8 * c;
        for g in 0..G {
            let b = &ys[g][k..k + 8];
            for l in 0..8 {
                acc[g][l] += a[l] * b[l];
            }
        }
    }
    std::array::from_fn(|g| {
        let a = &acc[g];
        (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))) + tail[g]
    })
}

/// Binary64 Cholesky A = LLᵀ in place (row-major n×n, lower triangle read and overwritten):
/// l_ji = (a_ji − Σ_{k<i} l_ik·l_jk)/l_ii, l_jj = √(a_jj − Σ_{k<j} l_jk²). True when it runs to
/// completion: every radicand > 0 and every value finite. Rows are done G at a time, so each row
/// i is read once for G dot products; every entry is the same formula on the same operands as
/// one row at a time, so the factor is the same, bit for bit, for every G. Inlined, so that each
/// target-feature variant below compiles the whole loop for its own instruction set.
#[inline(always)]
fn cholesky_rows<const G: usize>(a: &mut [f64], n: usize) -> bool {
    for j0 in (0..n).step_by(G) {
        let j1 = (j0 + G).min(n);
        for i in 0..j1 {
            let (row, mut s, grouped) = (&a[i * n..i * n + i], [0.0; G], i < j0 && j1 == j0 + G);
            if grouped {
                s = dots(
                    row,
                    std::array::from_fn(|g| &a[(j0 + g) * n..(j0 + g) * n + i]),
                );
            }
            for j in j0.max(i)..j1 {
                if !grouped {
                    s[j - j0] = dots(&a[i * n..i * n + i], [&a[j * n..j * n + i]])[0];
                }
                let t = a[j * n + i] - s[j - j0];
                a[j * n + i] = if i < j {
                    t / a[i * n + i]
                } else if t > 0.0 {
                    t.sqrt()
                } else {
                    return false;
                };
                if !a[j * n + i].is_finite() {
                    return false;
                }
            }
        }
    }
    true
}

/// [`cholesky_rows`], eight rows at a time, compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn cholesky_avx2(a: &mut [f64], n: usize) -> bool {
    cholesky_rows::<8>(a, n)
}

/// The Cholesky of [`cholesky_rows`], in AVX2 registers where the processor has them. The code
/// is one: a target feature picks the instructions that carry the same IEEE 754 binary64
/// operations, never other operations (Rust never contracts a·b + c into a fused multiply-add),
/// so every variant gives the same factor, bit for bit (tested).
#[allow(unsafe_code)]
pub fn cholesky(a: &mut [f64], n: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return unsafe { cholesky_avx2(a, n) }; // SAFETY: the processor reports AVX2.
    }
    cholesky_rows::<4>(a, n)
}

/// γ_k = k·u/(1 − k·u), u = 2^−53 (binary64, round to nearest).
fn gamma(k: usize) -> Q {
    let ku = Q::from_integer(k.into()) * pow2(-53);
    &ku / (int(1) - &ku)
}

/// Proves B = σ·I − H + α·wwᵀ ⪰ 0 for a binary64 symmetric H (`h`: its values exactly), a
/// binary64 vector w and a binary64 α ≥ 0, or says why not (docs/verified-sharpness.md, Theorem
/// 1 and Corollary 2). With u = 2^−53, η = 2^−1074, γ_k = ku/(1 − ku): the off-diagonal entries
/// b̃_ij = fl(fl(α·fl(w_i·w_j)) − h_ij) differ from B's by F with ‖F‖₂ ≤ γ_3(R + α·S) + n(α + 2)η,
/// R ≥ max_i Σ_j |h_ij|, S ≥ ‖w‖₁·max|w_i| (f64 sums over 1 − γ_n). The shift is the power of two
/// c ≥ 2(E₀ + ‖F‖), E₀ the bound of Theorem 1 at T₀ = Σ_i (σ − h_ii + αw_i²)⁺; b̃_ii = the f64
/// nearest to σ − c − h_ii + αw_i² (σ − c first rounded down to a multiple of 2^−3225; any
/// binary64 b̃_ii would be sound), δ_i = σ − h_ii + αw_i² − b̃_ii exact. If the Cholesky of B̃
/// runs to completion, λ_min(B̃) ≥ −E (Theorem 1 at tr B̃), so min δ_i ≥ E + ‖F‖ proves B ⪰ 0.
/// Returns the computed factor L̃ (row-major, lower triangle).
pub fn psd_by_cholesky(
    h: &[Vec<f64>],
    sigma: &Q,
    alpha: f64,
    w: &[f64],
) -> Result<Vec<f64>, String> {
    let n = h.len();
    let exact = |x: f64| Q::from_float(x).ok_or_else(|| format!("{x} is not a finite binary64"));
    let (nq, eta, g, a) = (int(n as i64), pow2(-1074), gamma(n + 8), exact(alpha)?);
    let bound = |trace: Q| {
        let t = (trace + int(2) * &nq * &nq * &eta) / (int(1) - &g);
        &g * &t + int(2) * &nq * &eta * (&nq + int(1) + &t)
    };
    let rows = h
        .iter()
        .map(|r| r.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let (w1, wmax) = (
        w.iter().map(|x| x.abs()).sum::<f64>(),
        w.iter().fold(0.0f64, |m, x| m.max(x.abs())),
    );
    let f = gamma(3) * (exact(rows)? + &a * exact(w1)? * exact(wmax)?) / (int(1) - gamma(n))
        + &nq * (&a + int(2)) * &eta;
    // t_i = σ + r_i·2^−FIXED with r_i = (αw_i² − h_ii)·2^FIXED an exact integer: no gcd per entry.
    let r: Vec<BigInt> = (0..n)
        .map(|i| Ok(fixed(&[alpha, w[i], w[i]])? - fixed(&[h[i][i]])?))
        .collect::<Result<_, String>>()?;
    let scaled = |k: BigInt| Q::from_integer(k) * pow2(-FIXED);
    let floor = (-sigma * pow2(FIXED)).floor().to_integer(); // t_i > 0 ⟺ r_i > ⌊−σ·2^FIXED⌋
    let (k, sum) = r
        .iter()
        .filter(|x| **x > floor)
        .fold((0, BigInt::zero()), |(k, s), x| (k + 1, s + x));
    let e0 = bound(int(k) * sigma + scaled(sum));
    let c = round(&(int(2) * (&e0 + &f)), 1, true).max(pow2(-1074)); // the least power of two ≥ 2(E₀ + ‖F‖)
    let below = ((sigma - &c) * pow2(FIXED)).floor().to_integer(); // σ − c′ = below·2^−FIXED (FORMAT.md)
    let (mut b, denom) = (vec![0.0; n * n], pow2(FIXED).to_integer()); // 2^FIXED
    for i in 0..n {
        for j in 0..i {
            b[i * n + j] = alpha * (w[i] * w[j]) - h[i][j];
        }
        b[i * n + i] = Q::new_raw(&below + &r[i], denom.clone())
            .to_f64()
            .unwrap_or(f64::NAN); // unreduced: no gcd
    }
    let diag: Vec<BigInt> = (0..n)
        .map(|i| fixed(&[b[i * n + i]]))
        .collect::<Result<_, String>>()?;
    if !cholesky(&mut b, n) {
        return Err("the binary64 Cholesky of the shifted matrix did not run to completion".into());
    }
    let need = bound(scaled(diag.iter().sum())) + f;
    // δ_i = t_i − b̃_ii = σ + (r_i − b̃_ii·2^FIXED)·2^−FIXED, exactly.
    let min_delta = sigma
        + scaled(
            r.iter()
                .zip(&diag)
                .map(|(x, d)| x - d)
                .min()
                .unwrap_or_default(),
        );
    if min_delta < need {
        return Err(format!(
            "the diagonal shift {} is below the rounding bound {} of the theorem",
            short(&min_delta),
            short(&need)
        ));
    }
    Ok(b)
}

/// `integer_decode` writes a double as m·2^e with e ≥ −1075, so a product of three doubles is an
/// integer times 2^−FIXED.
const FIXED: i64 = 3 * 1075;

/// Π x_k·2^FIXED as an exact integer, for at most three finite doubles x_k.
fn fixed(xs: &[f64]) -> Result<BigInt, String> {
    let (mut m, mut e) = (BigInt::from(1), FIXED);
    for &x in xs {
        let x = Some(x)
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{x} is not a finite binary64"))?;
        let (mx, ex, sign) = num_traits::Float::integer_decode(x); // x = sign·mx·2^ex
        (m, e) = (m * BigInt::from(sign) * BigInt::from(mx), e + ex as i64);
    }
    Ok(m << e as usize) // e ≥ 0: each ex ≥ −1075
}

#[cfg(test)]
mod tests {
    //! `binary64` against num-rational's own float conversion (`Ratio::from_float`, which
    //! reduces by gcd): the same answer for every double and for rationals one step off one.
    use super::*;
    use proptest::prelude::*;

    /// The unblocked Cholesky, one row at a time: the reference the blocked one must equal.
    fn cholesky_by_rows(a: &mut [f64], n: usize) -> bool {
        for j in 0..n {
            for i in 0..=j {
                let s = a[j * n + i] - dots(&a[i * n..i * n + i], [&a[j * n..j * n + i]])[0];
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

    /// `psd_by_cholesky` as it was before its bookkeeping moved to integers: every quantity a
    /// gcd-reducing rational, b̃_ii the double nearest to t_i − c (FORMAT.md §4.6 word for word).
    fn psd_by_rationals(
        h: &[Vec<f64>],
        sigma: &Q,
        alpha: f64,
        w: &[f64],
    ) -> Result<Vec<f64>, String> {
        let n = h.len();
        let exact = |x: f64| Q::from_float(x).unwrap();
        let (nq, eta, g, a) = (int(n as i64), pow2(-1074), gamma(n + 8), exact(alpha));
        let bound = |trace: Q| {
            let t = (trace + int(2) * &nq * &nq * &eta) / (int(1) - &g);
            &g * &t + int(2) * &nq * &eta * (&nq + int(1) + &t)
        };
        let rows = h
            .iter()
            .map(|r| r.iter().map(|x| x.abs()).sum::<f64>())
            .fold(0.0, f64::max);
        let (w1, wmax) = (
            w.iter().map(|x| x.abs()).sum::<f64>(),
            w.iter().fold(0.0f64, |m, x| m.max(x.abs())),
        );
        let f = gamma(3) * (exact(rows) + &a * exact(w1) * exact(wmax)) / (int(1) - gamma(n))
            + &nq * (&a + int(2)) * &eta;
        let t: Vec<Q> = (0..n)
            .map(|i| sigma - exact(h[i][i]) + &a * exact(w[i]) * exact(w[i]))
            .collect();
        let e0 = bound(t.iter().filter(|x| x.is_positive()).sum());
        let c = round(&(int(2) * (&e0 + &f)), 1, true).max(pow2(-1074));
        let mut b = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..i {
                b[i * n + j] = alpha * (w[i] * w[j]) - h[i][j];
            }
            b[i * n + i] = (&t[i] - &c).to_f64().unwrap();
        }
        let diag: Vec<Q> = (0..n).map(|i| exact(b[i * n + i])).collect();
        if !cholesky(&mut b, n) {
            return Err("did not run to completion".into());
        }
        let need = bound(diag.iter().sum()) + f;
        let min_delta = t.iter().zip(&diag).map(|(x, d)| x - d).min().unwrap();
        if min_delta < need {
            Err("below the bound".into())
        } else {
            Ok(b)
        }
    }

    /// A finite double from raw bits (NaN and infinities folded onto finite values).
    fn finite(bits: u64) -> f64 {
        let x = f64::from_bits(bits);
        if x.is_finite() {
            x
        } else {
            f64::from_bits(bits & !(1 << 62))
        }
    }

    proptest! {
        #[test]
        fn fixed_is_the_exact_product_times_two_to_the_fixed_exponent(bits in prop::collection::vec(any::<u64>(), 1..4), tiny in any::<bool>()) {
            // With `tiny`, all three are subnormal or near the bottom: the least exponents.
            let xs: Vec<f64> = bits.iter().map(|&b| finite(if tiny { b >> 12 } else { b })).collect();
            let product: Q = xs.iter().map(|&x| Q::from_float(x).unwrap()).product();
            prop_assert_eq!(Q::from_integer(fixed(&xs).unwrap()), product * pow2(FIXED));
        }

        #[test]
        fn fixed_rejects_non_finite_doubles(x in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)], y in any::<f64>()) {
            prop_assert!(fixed(&[y, x]).is_err());
        }

        /// The integer bookkeeping decides as the rational one and returns the same factor, bit
        /// for bit, for dyadic σ (where b̃_ii is the same double); both accept or reject alike.
        #[test]
        fn psd_by_cholesky_equals_its_rational_reference(n in 1usize..12, seed in any::<u64>(), sigma_num in -400i64..400, sigma_exp in -60i64..4, alpha_exp in -8i32..4, tiny in any::<bool>()) {
            let mut s = seed | 1;
            let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5 };
            let scale = if tiny { 1e-300 } else { 1.0 };
            let mut h = vec![vec![0.0; n]; n];
            for i in 0..n {
                for j in 0..=i {
                    let x = next() * scale;
                    h[i][j] = x;
                    h[j][i] = x;
                }
            }
            let w: Vec<f64> = (0..n).map(|_| next() * scale.sqrt()).collect();
            let (sigma, alpha) = (int(sigma_num) * pow2(sigma_exp) * Q::from_float(scale).unwrap(), 2f64.powi(alpha_exp));
            let (ours, reference) = (psd_by_cholesky(&h, &sigma, alpha, &w), psd_by_rationals(&h, &sigma, alpha, &w));
            prop_assert_eq!(ours.is_ok(), reference.is_ok(), "{:?} vs {:?}", ours, reference);
            if let (Ok(a), Ok(b)) = (ours, reference) {
                prop_assert_eq!(a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), b.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            }
        }
    }

    proptest! {
        #[test]
        fn blocked_cholesky_is_the_row_cholesky_bit_for_bit(n in 1usize..40, seed in any::<u64>(), shift in -3.0f64..30.0) {
            let mut s = seed | 1;
            let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5 };
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..=i {
                    a[i * n + j] = next() + if i == j { shift } else { 0.0 };
                }
            }
            let mut b = a.clone();
            let ok = cholesky_by_rows(&mut b, n);
            let bits = |m: &[f64]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut variants: Vec<(&str, fn(&mut [f64], usize) -> bool)> = vec![("dispatch", cholesky), ("1 row", cholesky_rows::<1>), ("4 rows", cholesky_rows::<4>), ("8 rows", cholesky_rows::<8>), ("3 rows", cholesky_rows::<3>)];
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                variants.push(("avx2", |a, n| unsafe { cholesky_avx2(a, n) }));
            }
            for (name, f) in variants {
                let mut c = a.clone();
                prop_assert_eq!(f(&mut c, n), ok, "{}", name);
                if ok {
                    prop_assert_eq!(bits(&c), bits(&b), "{}", name);
                }
            }
        }

        #[test]
        fn binary64_is_exact_conversion(bits in any::<u64>(), off in -1i64..=1, shift in 0u32..80) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let q = Q::from_float(x).unwrap() + Q::new(off.into(), BigInt::from(1) << shift);
            let want = q.to_f64().filter(|y| y.is_finite() && Q::from_float(*y).as_ref() == Some(&q));
            prop_assert_eq!(binary64(&q).map(f64::to_bits), want.map(f64::to_bits));
        }
    }
}
