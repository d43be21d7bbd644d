//! Exact rationals `Q` and their text form (SPEC §7).
//!
//! Every rational in a file or in JSON output is the string `"p/q"` in lowest terms with `q > 0`,
//! or `"p"` when `q = 1`. Input additionally accepts exact decimals (`"0.125"`, `"-3e-2"`) and
//! integers. This module is part of the trusted base of the kernel: it only parses and prints.

use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The exact rational type used everywhere a value is called exact.
pub type Q = BigRational;

/// Largest decimal exponent accepted in input (docs/instances.md): `1e10000` has 10 001 digits,
/// the kernel's limit on a number's text ([`dlncheck_kernel::number::MAX_NUMBER_CHARS`]).
const MAX_DECIMAL_EXPONENT: i64 = 10_000;

/// Parses `"p/q"`, `"p"`, or an exact decimal such as `"-0.125"`, `"3e-2"`, `"1.5E+3"`.
///
/// The result is reduced. Errors are short, single-line reasons suitable for
/// `file: field: reason` messages.
pub fn parse_q(text: &str) -> Result<Q, String> {
    let limit = dlncheck_kernel::number::MAX_NUMBER_CHARS;
    if text.len() > limit {
        return Err(format!(
            "a number of {} characters exceeds the limit of {limit}",
            text.len()
        ));
    }
    let s = text.trim();
    if s.is_empty() {
        return Err("empty string is not a rational".into());
    }
    if let Some(q) = parse_small(s) {
        return Ok(q);
    }
    if let Some((p, q)) = s.split_once('/') {
        let num =
            parse_int(p.trim()).ok_or_else(|| format!("`{}` is not a rational p/q", clip(s)))?;
        let den =
            parse_int(q.trim()).ok_or_else(|| format!("`{}` is not a rational p/q", clip(s)))?;
        if den.is_zero() {
            return Err(format!("`{}` has a zero denominator", clip(s)));
        }
        return Ok(frac(num, den));
    }
    parse_decimal(s).ok_or_else(|| {
        format!(
            "`{}` is not a rational (expected \"p/q\", an integer or an exact decimal)",
            clip(s)
        )
    })
}

/// Fast path of [`parse_q`] for `"p"` and `"p/q"` with at most 38 digits each (they fit in
/// i128/u128): parsed and reduced in machine words. `None` means "use the general path".
/// (Public for the unit tests in tests/suite/unit.rs.)
pub fn parse_small(s: &str) -> Option<Q> {
    let (neg, n, d) = parse_digits(s)?;
    let g = gcd_u128(n, d).max(1);
    let num = BigInt::from(n / g);
    Some(Q::new_raw(
        if neg { -num } else { num },
        BigInt::from(d / g),
    ))
}

/// `"p"` or `"p/q"` with at most 38 decimal digits each and q ≠ 0, as (p < 0, |p|, q), unreduced.
fn parse_digits(s: &str) -> Option<(bool, u128, u128)> {
    let (p, q) = s.split_once('/').unwrap_or((s, "1"));
    let digits = |t: &str| !t.is_empty() && t.len() <= 38 && t.bytes().all(|b| b.is_ascii_digit());
    let (neg, pd) = match p.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, p.strip_prefix('+').unwrap_or(p)),
    };
    if !digits(pd) || !digits(q) {
        return None;
    }
    let (n, d) = (digits_u128(pd.as_bytes()), digits_u128(q.as_bytes()));
    (d != 0).then_some((neg, n, d))
}

/// The value of at most 38 ASCII digits (checked by the caller), in 64-bit steps of 19 digits.
/// (Public for the unit tests in tests/suite/unit.rs.)
pub fn digits_u128(t: &[u8]) -> u128 {
    let word = |t: &[u8]| t.iter().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    if t.len() <= 19 {
        return u128::from(word(t));
    }
    let (hi, lo) = t.split_at(t.len() - 19);
    u128::from(word(hi)) * 10_000_000_000_000_000_000 + u128::from(word(lo))
}

fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(37).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

fn parse_int(s: &str) -> Option<BigInt> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<BigInt>().ok()
}

fn parse_decimal(s: &str) -> Option<Q> {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
        None => (s, 0),
    };
    if !(-MAX_DECIMAL_EXPONENT..=MAX_DECIMAL_EXPONENT).contains(&exp) {
        return None;
    }
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let mut num: BigInt = if digits.is_empty() {
        BigInt::zero()
    } else {
        digits.parse().ok()?
    };
    if negative {
        num = -num;
    }
    let scale = exp - frac_part.len() as i64;
    let ten = BigInt::from(10u32);
    let value = if scale >= 0 {
        Q::from_integer(num * num_traits::pow(ten, scale as usize))
    } else {
        frac(num, num_traits::pow(ten, (-scale) as usize))
    };
    Some(value)
}

/// `n/d` in lowest terms (`d ≠ 0`); the same value as `Q::new(n, d)`, faster.
///
/// num-bigint's gcd is a bit-by-bit binary gcd on heap integers, which dominated parsing and
/// checking of large claim files. Here Euclid's remainder steps shrink the operands until both
/// fit in 128 bits, and a binary gcd on machine words finishes. Property-tested against `Q::new`.
pub fn frac(n: BigInt, d: BigInt) -> Q {
    let g = gcd(n.magnitude().clone(), d.magnitude().clone());
    let (mut n, mut d) = if g.is_one() {
        (n, d)
    } else {
        (n / BigInt::from(g.clone()), d / BigInt::from(g))
    };
    if d.is_negative() {
        n = -n;
        d = -d;
    }
    Q::new_raw(n, d)
}

/// n/(f_1·f_2·…) in lowest terms, for non-zero factors f_k of the denominator.
///
/// Uses gcd(n, a·b) = g·gcd(n/g, b) with g = gcd(n, a) (after dividing by g, n/g and a/g are
/// coprime), so each gcd is against one factor. When the factors are small (64-bit entries),
/// every gcd takes one big remainder step and finishes in machine words, where a gcd against the
/// whole product would need dozens of big-integer Euclid steps.
pub fn frac_factored(mut n: BigInt, factors: &[&BigInt]) -> Q {
    let mut den = BigInt::one();
    for f in factors {
        let g = gcd(n.magnitude().clone(), f.magnitude().clone());
        if g.is_one() {
            den *= *f;
        } else {
            let g = BigInt::from(g);
            n /= &g;
            den *= *f / &g;
        }
    }
    if den.is_negative() {
        n = -n;
        den = -den;
    }
    Q::new_raw(n, den)
}

/// gcd(a, b) by Euclid on big integers down to 128 bits, then binary gcd on `u128`.
fn gcd(mut a: BigUint, mut b: BigUint) -> BigUint {
    loop {
        if let (Some(x), Some(y)) = (a.to_u128(), b.to_u128()) {
            return BigUint::from(gcd_u128(x, y));
        }
        if b.is_zero() {
            return a;
        }
        let r = &a % &b;
        a = b;
        b = r;
    }
}

pub fn gcd_u128(a: u128, b: u128) -> u128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(x), Ok(y)) => binary_gcd_u64(x, y) as u128,
        // One remainder step brings the wide operand below the narrow one (gcd(a, b) = gcd(b, a mod b)).
        (Err(_), Ok(y)) if y != 0 => binary_gcd_u64(y, (a % b) as u64) as u128,
        (Ok(x), Err(_)) if x != 0 => binary_gcd_u64(x, (b % a) as u64) as u128,
        _ => binary_gcd_u128(a, b),
    }
}

/// Stein's binary gcd on one machine-word type (64-bit words are faster when both fit). The
/// loop keeps a odd and replaces (a, b) by (min(a, b), |b − a|) with b's factors of two removed,
/// written with min and abs_diff so that it compiles to conditional moves, not branches.
macro_rules! binary_gcd {
    ($name:ident, $t:ty) => {
        fn $name(mut a: $t, mut b: $t) -> $t {
            if a == 0 || b == 0 {
                return a | b;
            }
            let shift = (a | b).trailing_zeros();
            a >>= a.trailing_zeros();
            loop {
                b >>= b.trailing_zeros();
                let diff = b.abs_diff(a);
                a = a.min(b);
                b = diff;
                if b == 0 {
                    return a << shift;
                }
            }
        }
    };
}
binary_gcd!(binary_gcd_u64, u64);
binary_gcd!(binary_gcd_u128, u128);

/// c − l·x in lowest terms, over the common denominator c_d·l_d·x_d, reduced once by [`frac`].
pub fn c_minus_lx(c: &Q, l: &Q, x: &Q) -> Q {
    let ld_xd = l.denom() * x.denom();
    frac_factored(
        c.numer() * &ld_xd - l.numer() * x.numer() * c.denom(),
        &[c.denom(), l.denom(), x.denom()],
    )
}

/// k·x² for an integer k, reduced by [`frac`] (x = p/q in lowest terms gives k·p²/q²).
pub fn k_sq(k: i64, x: &Q) -> Q {
    frac_factored(x.numer() * x.numer() * k, &[x.denom(), x.denom()])
}

/// Whether x·y > 0, from the signs alone.
pub fn same_sign(x: &Q, y: &Q) -> bool {
    (x.is_positive() && y.is_positive()) || (x.is_negative() && y.is_negative())
}

/// `|n|` when it fits in one 64-bit word.
#[inline]
fn word(n: &BigInt) -> Option<u64> {
    n.magnitude().to_u64()
}

/// `|n|` when it fits in 128 bits.
#[inline]
fn wide(n: &BigInt) -> Option<u128> {
    n.magnitude().to_u128()
}

/// (|numerator|, denominator) of `q` when both fit in 64-bit words: a compact, pointer-free
/// sort key (compare two keys with [`cmp_abs_words`]).
pub fn abs_words(q: &Q) -> Option<(u64, u64)> {
    Some((word(q.numer())?, word(q.denom())?))
}

/// Compares |a| with |b| given as [`abs_words`] keys, by cross-multiplication in 128 bits.
pub fn cmp_abs_words(a: (u64, u64), b: (u64, u64)) -> std::cmp::Ordering {
    (a.0 as u128 * b.1 as u128).cmp(&(b.0 as u128 * a.1 as u128))
}

/// Compares a with b by cross-multiplication (denominators are positive; no division or gcd).
pub fn cmp(a: &Q, b: &Q) -> std::cmp::Ordering {
    use num_bigint::Sign::{Minus, NoSign, Plus};
    let (sa, sb) = (a.numer().sign(), b.numer().sign());
    match (sa, sb) {
        _ if sa != sb => sa.cmp(&sb),
        (NoSign, _) => std::cmp::Ordering::Equal,
        (Plus, _) => cmp_abs(a, b),
        (Minus, _) => cmp_abs(b, a),
    }
}

/// Compares |a| with |b| by cross-multiplication (denominators are positive).
pub fn cmp_abs(a: &Q, b: &Q) -> std::cmp::Ordering {
    // Words: both products fit in 128 bits.
    if let (Some(x), Some(y)) = (abs_words(a), abs_words(b)) {
        return cmp_abs_words(x, y);
    }
    (a.numer().magnitude() * b.denom().magnitude())
        .cmp(&(b.numer().magnitude() * a.denom().magnitude()))
}

/// x·y for magnitudes below 2^128: in a machine word when the product fits, else as a big integer.
fn wide_mul(x: u128, y: u128) -> BigUint {
    match x.checked_mul(y) {
        Some(p) => BigUint::from(p),
        None => BigUint::from(x) * BigUint::from(y),
    }
}

/// a·b for rationals in lowest terms, by cross-reduction: g₁ = gcd(a_n, b_d), g₂ = gcd(b_n, a_d),
/// a·b = (a_n/g₁ · b_n/g₂) / (a_d/g₂ · b_d/g₁), already in lowest terms (num-rational's algorithm,
/// with `gcd`'s machine-word tail).
pub fn mul(a: &Q, b: &Q) -> Q {
    if a.is_zero() || b.is_zero() {
        return Q::zero();
    }
    // Machine words when every part is below 2^128 (the 64-bit entries of large instances).
    if let (Some(an), Some(ad), Some(bn), Some(bd)) = (
        wide(a.numer()),
        wide(a.denom()),
        wide(b.numer()),
        wide(b.denom()),
    ) {
        let (g1, g2) = (gcd_u128(an, bd), gcd_u128(bn, ad));
        let sign = if a.is_negative() == b.is_negative() {
            num_bigint::Sign::Plus
        } else {
            num_bigint::Sign::Minus
        };
        let num = BigInt::from_biguint(sign, wide_mul(an / g1, bn / g2));
        return Q::new_raw(num, BigInt::from(wide_mul(ad / g2, bd / g1)));
    }
    let g1 = BigInt::from(gcd(
        a.numer().magnitude().clone(),
        b.denom().magnitude().clone(),
    ));
    let g2 = BigInt::from(gcd(
        b.numer().magnitude().clone(),
        a.denom().magnitude().clone(),
    ));
    Q::new_raw(
        (a.numer() / &g1) * (b.numer() / &g2),
        (a.denom() / &g2) * (b.denom() / &g1),
    )
}

/// Formats `q` as `"p/q"` (lowest terms, `q > 0`) or `"p"` when the denominator is one.
pub fn fmt_q(q: &Q) -> String {
    Display(q).to_string()
}

/// `q` in the text form of [`fmt_q`], as a [`std::fmt::Display`] (so that it can be written
/// straight into an output stream).
pub struct Display<'a>(pub &'a Q);

impl std::fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q = self.0;
        // Primitive formatting is much faster than num-bigint's for the common small case.
        if let (Some(n), Some(d)) = (q.numer().to_i128(), q.denom().to_u128()) {
            f.write_str(itoa::Buffer::new().format(n))?;
            if d != 1 {
                f.write_str("/")?;
                f.write_str(itoa::Buffer::new().format(d))?;
            }
            return Ok(());
        }
        if q.denom().is_one() {
            write!(f, "{}", q.numer())
        } else {
            write!(f, "{}/{}", q.numer(), q.denom())
        }
    }
}

/// Formats `q` for messages and tables: exact when short, otherwise `≈` a 6-digit decimal and
/// the bit size (files and `--json` outputs always carry the exact value).
pub fn short(q: &Q) -> String {
    let exact = fmt_q(q);
    if exact.len() <= 32 {
        exact
    } else {
        format!("≈{:.6e} ({} bits)", q_to_f64(q), bits(q))
    }
}

/// Formats a vector of rationals.
pub fn fmt_qs(v: &[Q]) -> Vec<String> {
    v.iter().map(fmt_q).collect()
}

/// A vector of rationals as a JSON array of strings, built without an intermediate copy.
pub fn qs_json(v: &[Q]) -> serde_json::Value {
    serde_json::Value::Array(
        v.iter()
            .map(|q| serde_json::Value::String(fmt_q(q)))
            .collect(),
    )
}

/// `|q|`.
pub fn abs(q: &Q) -> Q {
    q.abs()
}

/// 2^k as a rational (k of either sign): the kernel's, so producer and checker share one.
pub use dlncheck_kernel::number::pow2;

/// Exact value of a finite `f64` as a rational (every finite binary float is a dyadic rational).
pub fn from_f64_exact(x: f64) -> Option<Q> {
    Q::from_float(x)
}

/// Number of bits of the larger of numerator and denominator, a size measure for reports.
pub fn bits(q: &Q) -> u64 {
    q.numer().bits().max(q.denom().bits())
}

/// Nearest-ish `f64` of a rational of any size (no overflow to NaN for huge numerators and
/// denominators: both are scaled by their bit lengths first). Used for display only.
pub fn q_to_f64(q: &Q) -> f64 {
    if let (Some(n), Some(d)) = (q.numer().to_f64(), q.denom().to_f64())
        && n.is_finite()
        && d.is_finite()
    {
        return n / d;
    }
    let nb = q.numer().bits() as i64;
    let db = q.denom().bits() as i64;
    let shift_n = (nb - 60).max(0);
    let shift_d = (db - 60).max(0);
    let n = (q.numer() >> shift_n as usize).to_f64().unwrap_or(0.0);
    let d = (q.denom() >> shift_d as usize).to_f64().unwrap_or(1.0);
    n / d * 2f64.powi((shift_n - shift_d).clamp(-4000, 4000) as i32)
}
