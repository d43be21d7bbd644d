//! Exact rationals and their one accepted text form in claim files (SPEC §7).
//!
//! A canonical rational is `"p"` or `"p/q"`: p an integer written without a sign for p ≥ 0,
//! with `-` for p < 0, no leading zeros, no `-0`; q > 1 with no leading zeros and gcd(p, q) = 1.
//! Nothing else is accepted: no `+`, no spaces, no decimals, no exponents. A number's text is at
//! most [`MAX_NUMBER_CHARS`] characters, so parsing is fast and bounded.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The exact rational type.
pub type Q = BigRational;

/// Longest accepted number text, in characters (about 33 000 bits per integer).
pub const MAX_NUMBER_CHARS: usize = 10_000;

fn is_digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && (t == "0" || !t.starts_with('0'))
}

/// Parses a canonical rational, or says in one line why the text is not one.
pub fn parse_canonical(text: &str) -> Result<Q, String> {
    if text.len() > MAX_NUMBER_CHARS {
        return Err(format!(
            "a number of {} characters exceeds the limit of {MAX_NUMBER_CHARS}",
            text.len()
        ));
    }
    let bad = || {
        format!(
            "`{}` is not a canonical rational (\"p\" or \"p/q\" in lowest terms, q > 1)",
            clip(text)
        )
    };
    let (num, den) = match text.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    if !is_digits(num.strip_prefix('-').unwrap_or(num)) || num == "-0" {
        return Err(bad());
    }
    let n: BigInt = num.parse().map_err(|_| bad())?;
    let Some(den) = den else {
        return Ok(Q::from_integer(n));
    };
    if !is_digits(den) || den == "0" || den == "1" {
        return Err(bad());
    }
    let d: BigInt = den.parse().map_err(|_| bad())?;
    // gcd(n, d) = 1: the same gcd, in machine words when both fit (most numbers do).
    let coprime = match (n.magnitude().to_u64(), d.to_u64()) {
        (Some(a), Some(b)) => a.gcd(&b) == 1,
        _ => n.gcd(&d).is_one(),
    };
    if !coprime {
        return Err(format!("`{}` is not in lowest terms", clip(text)));
    }
    Ok(Q::new_raw(n, d))
}

/// The canonical text of `q` (what [`parse_canonical`] reads back to `q`).
pub fn fmt_q(q: &Q) -> String {
    q.to_string()
}

/// [`fmt_q`] cut to 60 characters, for messages.
pub fn short(q: &Q) -> String {
    clip(&fmt_q(q))
}

fn clip(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(57).collect::<String>())
    }
}

/// The integer `k` as a rational.
pub fn int(k: i64) -> Q {
    Q::from_integer(k.into())
}

/// 2^k as a rational.
pub fn pow2(k: i64) -> Q {
    let p = Q::from_integer(BigInt::from(1) << k.unsigned_abs());
    if k >= 0 { p } else { p.recip() }
}

/// Directed rounding to P significant bits: the largest (`up` = false) or smallest (`up` = true)
/// number m·2^k (m, k integers, |m| < 2^P) that is ≤ q (resp. ≥ q). Exponents are unbounded.
pub fn round(q: &Q, p: u64, up: bool) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    if q.is_negative() {
        return -round(&-q, p, !up);
    }
    let e = q.numer().bits() as i64 - q.denom().bits() as i64; // ⌊log₂ q⌋ is e or e − 1
    let s = p as i64 - if *q < pow2(e) { e } else { e + 1 };
    let scaled = q * pow2(s);
    (if up { scaled.ceil() } else { scaled.floor() }) * pow2(-s)
}

#[cfg(test)]
mod tests {
    //! The canonical-form check against its definition (gcd of the big integers, independent of
    //! the machine-word route), and `round` at one bit against the powers of two.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lowest_terms_is_the_big_integer_gcd(n in any::<i64>(), d in 2u64..u64::MAX, big: bool) {
            let (n, d) = if big { (BigInt::from(n) << 70, BigInt::from(d) << 3) } else { (BigInt::from(n), BigInt::from(d)) };
            let text = format!("{n}/{d}");
            let reduced = n.gcd(&d).is_one();
            prop_assert_eq!(parse_canonical(&text).is_ok(), reduced && n != BigInt::from(0), "{}", text);
        }

        #[test]
        fn round_up_to_one_bit_is_the_least_power_of_two_above(n in 1u64..u64::MAX, d in 1u64..u64::MAX) {
            let q = Q::new(n.into(), d.into());
            let c = round(&q, 1, true);
            let k = (0..).map(|k| k - 64).find(|&k| pow2(k) >= q).unwrap();
            prop_assert_eq!(c, pow2(k));
        }
    }
}
