//! Faster variants of two kernel checks, each beside its plain reference in [`crate::linalg`]
//! and proved to give the same answer, bit for bit. `dlncheck check --plain` (or
//! [`set_enabled`]`(false)`) switches them off; the verdicts are then computed by the plain code
//! alone and are the same (tests/suite/checking.rs runs `check` both ways over `proofs/`).
//!
//! - [`cholesky`]: the binary64 Cholesky of FORMAT.md §4.6, G rows at a time, and compiled for
//!   AVX2 where the processor has it. Equal to [`linalg::cholesky`][plain] bit for bit: entry
//!   (j, i) is the same IEEE 754 expression a_ji − D(i, j) on the same operands in both (D summed
//!   by [`dots`] in exactly the order of [`linalg::dot8`][dot8]: eight lanes over k ≡ l mod 8,
//!   combined pairwise, the tail added last, every sum from +0.0); grouping only changes which
//!   entries are computed together, never an operand, since entry (j, i) reads only entries
//!   (i, k), (j, k) with k < i, all final by then in both orders. A target feature selects the
//!   instructions that carry the same binary64 operations: Rust never contracts a·b + c into a
//!   fused multiply-add and never reassociates. The AVX2 call is the kernel's one `unsafe`,
//!   guarded by `is_x86_feature_detected!("avx2")`.
//! - [`psd_by_cholesky`]: the verified Cholesky check with its O(n) exact bookkeeping (t_i,
//!   Σ max(t_i, 0), Σ b̃_ii, min (t_i − b̃_ii)) in integers times 2^−3225 instead of reduced
//!   rationals. Every such quantity is a sum of products of at most three doubles and σ, and a
//!   product of three doubles is an integer times 2^−3225 exactly ([`fixed`]), so each sum, each
//!   comparison with 0 and each minimum is the same number as in
//!   [`linalg::psd_by_cholesky_plain`][psd]; b̃_ii is the double nearest to the same rational
//!   t_i − c′ (σ − c′ is ⌊(σ − c)·2^3225⌋·2^−3225 in both). F, E and c are computed by the same
//!   functions.
//!
//! Both are proptested against the plain code (factor bits, and accept/reject alike).
//!
//! [plain]: crate::linalg::cholesky
//! [dot8]: crate::linalg::dot8
//! [psd]: crate::linalg::psd_by_cholesky_plain

use crate::linalg::{off_diagonal_bound, rounding_bound};
use crate::number::{Q, int, pow2, round, short};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::sync::atomic::{AtomicBool, Ordering};

static DISABLED: AtomicBool = AtomicBool::new(false);

/// Switches the faster variants on (the default) or off for the whole process.
pub fn set_enabled(on: bool) {
    DISABLED.store(!on, Ordering::Relaxed);
}

/// Whether the faster variants run.
pub fn enabled() -> bool {
    !DISABLED.load(Ordering::Relaxed)
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

/// [`linalg::cholesky`](crate::linalg::cholesky), rows G at a time, so each row
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

/// The plain check ([`crate::linalg::psd_by_cholesky_plain`]) with its exact bookkeeping in
/// integers times 2^−3225 (no gcd per entry): the same factor and the same verdict (module doc).
pub fn psd_by_cholesky(
    h: &[Vec<f64>],
    sigma: &Q,
    alpha: f64,
    w: &[f64],
) -> Result<Vec<f64>, String> {
    let n = h.len();
    let f = off_diagonal_bound(h, alpha, w)?;
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
    let e0 = rounding_bound(n, int(k) * sigma + scaled(sum));
    let c = round(&(int(2) * (&e0 + &f)), 1, true).max(pow2(-1074));
    let below = ((sigma - &c) * pow2(FIXED)).floor().to_integer(); // σ − c′ = below·2^−FIXED
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
    let need = rounding_bound(n, scaled(diag.iter().sum())) + f;
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
    //! Each faster variant against its plain reference in `linalg`.
    use super::*;
    use crate::linalg;
    use proptest::prelude::*;

    /// A finite double from raw bits (NaN and infinities folded onto finite values).
    fn finite(bits: u64) -> f64 {
        let x = f64::from_bits(bits);
        if x.is_finite() {
            x
        } else {
            f64::from_bits(bits & !(1 << 62))
        }
    }

    /// A generator of doubles in [−1/2, 1/2) from a seed (xorshift).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        }
    }

    type Variant = (&'static str, fn(&mut [f64], usize) -> bool);

    proptest! {
        #[test]
        fn fixed_is_the_exact_product_times_two_to_the_fixed_exponent(
            bits in prop::collection::vec(any::<u64>(), 1..4),
            tiny in any::<bool>(),
        ) {
            // With `tiny`, all three are subnormal or near the bottom: the least exponents.
            let xs: Vec<f64> =
                bits.iter().map(|&b| finite(if tiny { b >> 12 } else { b })).collect();
            let product: Q = xs.iter().map(|&x| Q::from_float(x).unwrap()).product();
            prop_assert_eq!(Q::from_integer(fixed(&xs).unwrap()), product * pow2(FIXED));
        }

        #[test]
        fn fixed_rejects_non_finite_doubles(
            x in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
            y in any::<f64>(),
        ) {
            prop_assert!(fixed(&[y, x]).is_err());
        }

        /// The integer bookkeeping decides as the plain rational check and returns the same
        /// factor, bit for bit; both accept or reject alike, for dyadic and non-dyadic σ.
        #[test]
        fn psd_by_cholesky_equals_the_plain_check(
            n in 1usize..12,
            seed in any::<u64>(),
            sigma_num in -400i64..400,
            sigma_exp in -60i64..4,
            sigma_den in prop_oneof![Just(1i64), 3i64..1000],
            alpha_exp in -8i32..4,
            tiny in any::<bool>(),
        ) {
            let mut next = uniform(seed);
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
            let sigma = int(sigma_num) * pow2(sigma_exp) / int(sigma_den)
                * Q::from_float(scale).unwrap();
            let alpha = 2f64.powi(alpha_exp);
            let ours = psd_by_cholesky(&h, &sigma, alpha, &w);
            let plain = linalg::psd_by_cholesky_plain(&h, &sigma, alpha, &w);
            prop_assert_eq!(ours.is_ok(), plain.is_ok(), "{:?} vs {:?}", ours, plain);
            if let (Ok(a), Ok(b)) = (ours, plain) {
                let bits = |m: &[f64]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&a), bits(&b));
            }
        }

        #[test]
        fn grouped_cholesky_is_the_plain_cholesky_bit_for_bit(
            n in 1usize..40,
            seed in any::<u64>(),
            shift in -3.0f64..30.0,
        ) {
            let mut next = uniform(seed);
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..=i {
                    a[i * n + j] = next() + if i == j { shift } else { 0.0 };
                }
            }
            let mut b = a.clone();
            let ok = linalg::cholesky(&mut b, n);
            let bits = |m: &[f64]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut variants: Vec<Variant> = vec![
                ("dispatch", cholesky),
                ("1 row", cholesky_rows::<1>),
                ("3 rows", cholesky_rows::<3>),
                ("4 rows", cholesky_rows::<4>),
                ("8 rows", cholesky_rows::<8>),
            ];
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
    }

    #[test]
    fn the_switch_selects_the_plain_check_and_back() {
        // Both routes must accept σ = 2 for H = I (B = I ⪰ 0), whichever runs.
        let h = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        assert!(enabled());
        set_enabled(false);
        assert!(!enabled());
        let plain = linalg::psd_by_cholesky(&h, &int(2), 0.0, &[0.0, 0.0]);
        set_enabled(true);
        let fast = linalg::psd_by_cholesky(&h, &int(2), 0.0, &[0.0, 0.0]);
        assert_eq!(plain, fast);
        assert!(fast.is_ok());
    }
}
