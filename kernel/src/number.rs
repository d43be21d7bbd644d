//! Exact rationals and their one accepted text form in claim files (SPEC §7).
//!
//! A canonical rational is `"p"` or `"p/q"`: p an integer written without a sign for p ≥ 0,
//! with `-` for p < 0, no leading zeros, no `-0`; q > 1 with no leading zeros and gcd(p, q) = 1.
//! Nothing else is accepted: no `+`, no spaces, no decimals, no exponents. A number's text is at
//! most [`MAX_NUMBER_CHARS`] characters, so parsing is fast and bounded.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::One;

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
        return Err(format!("a number of {} characters exceeds the limit of {MAX_NUMBER_CHARS}", text.len()));
    }
    let bad = || format!("`{}` is not a canonical rational (\"p\" or \"p/q\" in lowest terms, q > 1)", clip(text));
    let (num, den) = match text.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    if !is_digits(num.strip_prefix('-').unwrap_or(num)) || num == "-0" {
        return Err(bad());
    }
    let n: BigInt = num.parse().map_err(|_| bad())?;
    let Some(den) = den else { return Ok(Q::from_integer(n)) };
    if !is_digits(den) || den == "0" || den == "1" {
        return Err(bad());
    }
    let d: BigInt = den.parse().map_err(|_| bad())?;
    if !n.gcd(&d).is_one() {
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
    if s.chars().count() <= 60 { s.to_string() } else { format!("{}…", s.chars().take(57).collect::<String>()) }
}

/// The integer `k` as a rational.
pub fn int(k: i64) -> Q {
    Q::from_integer(k.into())
}
