//! Decimal text of exact values: what `gd`, `sweep` and the human-readable reports print
//! (SPEC §7: "decimal or rational strings"). Rounding to nearest at a chosen number of
//! significant digits; the text parses back with [`crate::numeric::rational::parse_q`].

use crate::numeric::rational::Q;
use crate::numeric::scalar::Scalar;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

/// Decimal text of a rational with `digits` significant digits (rounded to nearest),
/// e.g. `"1.2345e-3"`; `"0"` for zero. Parsable by [`crate::numeric::rational::parse_q`].
pub fn decimal(q: &Q, digits: usize) -> String {
    if q.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1);
    let sign = if q.is_negative() { "-" } else { "" };
    let a = Signed::abs(q);
    let ten = BigInt::from(10);
    let mut e = ((a.numer().bits() as f64 - a.denom().bits() as f64) * std::f64::consts::LOG10_2)
        .floor() as i64;
    loop {
        let shift = digits as i64 - 1 - e;
        let scaled = if shift >= 0 {
            &a * Q::from_integer(num_traits::pow(ten.clone(), shift as usize))
        } else {
            &a / Q::from_integer(num_traits::pow(ten.clone(), (-shift) as usize))
        };
        let m = (scaled + Q::new(1.into(), 2.into())).floor().to_integer();
        let s = m.to_string();
        if s.len() > digits {
            e += 1;
            continue;
        }
        if s.len() < digits {
            e -= 1;
            continue;
        }
        let (head, tail) = s.split_at(1);
        let tail = tail.trim_end_matches('0');
        return if tail.is_empty() {
            format!("{sign}{head}e{e}")
        } else {
            format!("{sign}{head}.{tail}e{e}")
        };
    }
}

/// A scalar as decimal text of its exact value (`None` when not finite).
pub fn text<S: Scalar>(v: &S, digits: usize) -> Option<String> {
    v.to_q().map(|q| decimal(&q, digits))
}
