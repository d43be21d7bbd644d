//! `F256`: binary floating point with a 256-bit significand held in four machine words — the
//! allocation-free replacement of [`BigFloat`](crate::numeric::scalar::BigFloat) at 256 bits for
//! gradient descent (issue 4, SPEC §4).
//!
//! A finite nonzero value is (−1)^neg · m · 2^e with an integer significand
//! 2^255 ≤ m < 2^256 (the top bit is always set, so a value has exactly one representation)
//! and an exponent |e| ≤ 2^60. Zero is exact and unsigned. Infinities and NaN exist only as
//! results of division by zero (and of arithmetic on those results); they are not finite and
//! have no rational value.
//!
//! Every `+ − × ÷` and [`Scalar::from_q`] is correctly rounded to 256 significant bits, to
//! nearest with ties to even (the law of `src/numeric/scalar.rs`). Rounding argument, shared by all
//! operations: each one produces the exact result's leading 256 bits `M`, the next bit (`round`)
//! and whether anything nonzero lies below it (`sticky`); the exact value then lies in
//! `[M, M+1)` ulp, at exactly `M + ½` iff `round ∧ ¬sticky` and above it iff `round ∧ sticky`,
//! so `round_pack` picks `M` or `M + 1` exactly as round-to-nearest-even requires.
//!
//! Relation to `BigFloat` at 256 bits (checked in `tests/suite/float256.rs`): `+`, `−`, `×`, `÷` and
//! `from_q` give the same values bit for bit, and so do whole GD trajectories (dashu-float 0.6's
//! own subtraction keeps a guard bit; `BigFloat` rounds sums itself, see `scalar::add_rounded`).
//! mpmath at `mp.prec = 256` rounds every operation to 256 bits, as both do.
//!
//! An exponent leaving ±2^60 after rounding overflows to ±∞ or underflows to 0; ordinary use
//! (and every computation of this crate) stays many orders of magnitude inside that range.

use crate::numeric::rational::Q;
use crate::numeric::scalar::Scalar;
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{Signed, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Largest exponent e of a finite value m · 2^e; beyond it a result is infinite.
const EXP_MAX: i64 = 1 << 60;
/// Smallest exponent of a nonzero value; below it a result is zero.
const EXP_MIN: i64 = -(1 << 60);
/// The top bit of the most significant limb.
const TOP: u64 = 1 << 63;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Zero,
    Finite,
    Inf,
    Nan,
}

/// A 256-bit binary float (see the module docs).
#[derive(Clone, Copy)]
pub struct F256 {
    kind: Kind,
    neg: bool,
    /// The exponent e of m · 2^e (0 unless `kind` is `Finite`).
    exp: i64,
    /// m in little-endian 64-bit limbs; `mant[3] & TOP != 0` when `kind` is `Finite`, else 0.
    mant: [u64; 4],
}

impl F256 {
    /// Exact zero.
    pub const ZERO: F256 = F256 {
        kind: Kind::Zero,
        neg: false,
        exp: 0,
        mant: [0; 4],
    };
    const NAN: F256 = F256 {
        kind: Kind::Nan,
        neg: false,
        exp: 0,
        mant: [0; 4],
    };

    fn inf(neg: bool) -> F256 {
        F256 {
            kind: Kind::Inf,
            neg,
            exp: 0,
            mant: [0; 4],
        }
    }
}

/// The float nearest to (−1)^neg · (M + f) · 2^exp, ties to even, where `mant` is M (top bit
/// set) and the fraction f ∈ [0, 1) is known through `round` (f ≥ ½) and `sticky`
/// (f ∉ {0, ½}). M + 1 can carry out to 2^256, which is 2^255 at the next exponent.
fn round_pack(neg: bool, mut exp: i64, mut mant: [u64; 4], round: bool, sticky: bool) -> F256 {
    debug_assert!(mant[3] & TOP != 0);
    if round && (sticky || mant[0] & 1 == 1) {
        let mut carry = true;
        for limb in mant.iter_mut() {
            let (v, c) = limb.overflowing_add(carry as u64);
            *limb = v;
            carry = c;
        }
        if carry {
            mant = [0, 0, 0, TOP];
            exp += 1;
        }
    }
    if exp > EXP_MAX {
        F256::inf(neg)
    } else if exp < EXP_MIN {
        F256::ZERO
    } else {
        F256 {
            kind: Kind::Finite,
            neg,
            exp,
            mant,
        }
    }
}

/// `v >> d` on a 320-bit number, and whether any nonzero bit was shifted out.
fn shr5(v: [u64; 5], d: u64) -> ([u64; 5], bool) {
    if d >= 320 {
        return ([0; 5], v != [0; 5]);
    }
    let (limbs, bits) = ((d / 64) as usize, (d % 64) as u32);
    let mut lost = v[..limbs].iter().any(|&x| x != 0);
    let mut out = [0u64; 5];
    if bits == 0 {
        out[..5 - limbs].copy_from_slice(&v[limbs..]);
    } else {
        lost |= v[limbs] << (64 - bits) != 0;
        for i in 0..5 - limbs {
            let hi = if i + limbs + 1 < 5 {
                v[i + limbs + 1] << (64 - bits)
            } else {
                0
            };
            out[i] = (v[i + limbs] >> bits) | hi;
        }
    }
    (out, lost)
}

/// `v << d` on a 320-bit number (`d < 320`; the caller guarantees nothing is shifted out).
fn shl5(v: [u64; 5], d: u32) -> [u64; 5] {
    let (limbs, bits) = ((d / 64) as usize, d % 64);
    let mut out = [0u64; 5];
    for i in limbs..5 {
        let lo = if bits != 0 && i > limbs {
            v[i - limbs - 1] >> (64 - bits)
        } else {
            0
        };
        out[i] = (v[i - limbs] << bits) | lo;
    }
    out
}

/// Leading zero bits of a 320-bit number (320 for zero).
fn leading_zeros5(v: &[u64; 5]) -> u32 {
    for i in (0..5).rev() {
        if v[i] != 0 {
            return (4 - i as u32) * 64 + v[i].leading_zeros();
        }
    }
    320
}

/// Compares the magnitudes of two finite nonzero values.
fn cmp_mag(a: &F256, b: &F256) -> Ordering {
    a.exp
        .cmp(&b.exp)
        .then_with(|| a.mant.iter().rev().cmp(b.mant.iter().rev()))
}

/// a + b for finite nonzero a, b.
///
/// Both significands are placed in a 320-bit window whose low limb holds 64 guard bits: the
/// larger-magnitude operand x as `[0, x.m]` (value x.m · 2^(x.e − 64) per unit), the other
/// shifted right by the exponent difference, bits falling out of the window kept as `sticky`.
/// - Same signs: the sum has its top bit at 319 or 320 (a carry, shifted back by one with the
///   lost bit joining `sticky`); M is the top four limbs, `round` bit 63 of the guard limb.
/// - Opposite signs: the difference of the window values is exact when nothing fell out. If
///   something did (only when the exponent gap exceeds 64), the true difference lies strictly
///   between (window difference − 1) and the window difference, so we subtract one unit and keep
///   `sticky`: the value then lies strictly inside (D, D + 1) units. A gap over 64 means
///   y < x/2^64, so D ≥ 2^318 and normalising shifts left by at most one bit; D + 1 reaching
///   the next even round position would need 63 low bits of 2D all ones, impossible as 2D is
///   even, so `round` is read correctly and `sticky` stays true. With a gap ≤ 64 the difference
///   is exact and any amount of cancellation is shifted out with zeros coming in.
fn add_finite(a: &F256, b: &F256) -> F256 {
    let (x, y) = if cmp_mag(a, b) == Ordering::Less {
        (b, a)
    } else {
        (a, b)
    };
    let d = (x.exp - y.exp) as u64;
    let xw = [0, x.mant[0], x.mant[1], x.mant[2], x.mant[3]];
    let (yw, mut sticky) = shr5([0, y.mant[0], y.mant[1], y.mant[2], y.mant[3]], d);
    let mut exp = x.exp;
    let mut s = [0u64; 5];
    if x.neg == y.neg {
        let mut carry = false;
        for i in 0..5 {
            let (v, c1) = xw[i].overflowing_add(yw[i]);
            let (v, c2) = v.overflowing_add(carry as u64);
            s[i] = v;
            carry = c1 | c2;
        }
        if carry {
            sticky |= s[0] & 1 == 1;
            for i in 0..4 {
                s[i] = (s[i] >> 1) | (s[i + 1] << 63);
            }
            s[4] = (s[4] >> 1) | TOP;
            exp += 1;
        }
    } else {
        let mut borrow = sticky;
        for i in 0..5 {
            let (v, b1) = xw[i].overflowing_sub(yw[i]);
            let (v, b2) = v.overflowing_sub(borrow as u64);
            s[i] = v;
            borrow = b1 | b2;
        }
        debug_assert!(!borrow);
        let lz = leading_zeros5(&s);
        if lz == 320 {
            return F256::ZERO;
        }
        debug_assert!(lz <= 1 || !sticky);
        s = shl5(s, lz);
        exp -= lz as i64;
    }
    let round = s[0] & TOP != 0;
    sticky |= s[0] << 1 != 0;
    round_pack(x.neg, exp, [s[1], s[2], s[3], s[4]], round, sticky)
}

/// The 512-bit product of two 256-bit integers (schoolbook, 16 limb products).
fn mul4(a: &[u64; 4], b: &[u64; 4]) -> [u64; 8] {
    let mut p = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0u64;
        for j in 0..4 {
            // (2^64−1)² + 2(2^64−1) = 2^128 − 1: no overflow.
            let t = a[i] as u128 * b[j] as u128 + p[i + j] as u128 + carry as u128;
            p[i + j] = t as u64;
            carry = (t >> 64) as u64;
        }
        p[i + 4] = carry;
    }
    p
}

/// a · b for finite nonzero a, b: the exact product P of the significands lies in
/// [2^510, 2^512); M is its top 256 bits after shifting a leading zero out, `round` the next
/// bit, `sticky` the rest.
fn mul_finite(a: &F256, b: &F256) -> F256 {
    let mut p = mul4(&a.mant, &b.mant);
    let mut exp = a.exp + b.exp + 256;
    if p[7] & TOP == 0 {
        for i in (1..8).rev() {
            p[i] = (p[i] << 1) | (p[i - 1] >> 63);
        }
        p[0] <<= 1;
        exp -= 1;
    }
    let round = p[3] & TOP != 0;
    let sticky = (p[3] << 1) | p[2] | p[1] | p[0] != 0;
    round_pack(a.neg != b.neg, exp, [p[4], p[5], p[6], p[7]], round, sticky)
}

/// Quotient and remainder of the 576-bit `u` (limbs 0..9; `u[9]` must be 0) by the 256-bit `v`
/// whose top bit is set: Knuth's Algorithm D (TAOCP vol. 2, §4.3.1) with 64-bit digits. The
/// divisor is already normalised, so no scaling step is needed. Returns the quotient (6 limbs);
/// the remainder is left in `u[0..4]`.
fn div_rem(u: &mut [u64; 10], v: &[u64; 4]) -> [u64; 6] {
    let mut q = [0u64; 6];
    let (v1, v2) = (v[3] as u128, v[2] as u128);
    for j in (0..6).rev() {
        // Estimate q̂ from the top two digits; the test with v[2] makes it exact or one too big.
        let num = ((u[j + 4] as u128) << 64) | u[j + 3] as u128;
        let mut qhat = num / v1;
        let mut rhat = num % v1;
        while qhat >> 64 != 0 || qhat * v2 > ((rhat << 64) | u[j + 2] as u128) {
            qhat -= 1;
            rhat += v1;
            if rhat >> 64 != 0 {
                break;
            }
        }
        // u[j..j+5] −= q̂ · v.
        let mut carry = 0u128;
        let mut borrow = false;
        for i in 0..4 {
            let p = qhat * v[i] as u128 + carry;
            carry = p >> 64;
            let (s, b1) = u[i + j].overflowing_sub(p as u64);
            let (s, b2) = s.overflowing_sub(borrow as u64);
            u[i + j] = s;
            borrow = b1 | b2;
        }
        let (s, b1) = u[j + 4].overflowing_sub(carry as u64);
        let (s, b2) = s.overflowing_sub(borrow as u64);
        u[j + 4] = s;
        if b1 | b2 {
            // q̂ was one too big: add v back (the carry out cancels the borrow).
            qhat -= 1;
            let mut c = false;
            for i in 0..4 {
                let (s, c1) = u[i + j].overflowing_add(v[i]);
                let (s, c2) = s.overflowing_add(c as u64);
                u[i + j] = s;
                c = c1 | c2;
            }
            u[j + 4] = u[j + 4].wrapping_add(c as u64);
        }
        q[j] = qhat as u64;
    }
    q
}

/// a / b for finite nonzero a, b: Q = ⌊a.m · 2^320 / b.m⌋ lies in [2^319, 2^321) because
/// a.m / b.m ∈ (1/2, 2); M is its top 256 bits, `round` the next bit, `sticky` the bits below
/// that or a nonzero remainder.
fn div_finite(a: &F256, b: &F256) -> F256 {
    let mut u = [0u64; 10];
    u[5..9].copy_from_slice(&a.mant);
    let q = div_rem(&mut u, &b.mant);
    let rem = u[..4].iter().any(|&x| x != 0);
    let exp = a.exp - b.exp - 320;
    let neg = a.neg != b.neg;
    if q[5] != 0 {
        // 321 bits: M = Q >> 65.
        let m = [
            (q[1] >> 1) | (q[2] << 63),
            (q[2] >> 1) | (q[3] << 63),
            (q[3] >> 1) | (q[4] << 63),
            (q[4] >> 1) | (q[5] << 63),
        ];
        let round = q[1] & 1 == 1;
        let sticky = rem || q[0] != 0;
        round_pack(neg, exp + 65, m, round, sticky)
    } else {
        // 320 bits: M = Q >> 64.
        let round = q[0] & TOP != 0;
        let sticky = rem || q[0] << 1 != 0;
        round_pack(neg, exp + 64, [q[1], q[2], q[3], q[4]], round, sticky)
    }
}

impl Add for F256 {
    type Output = F256;
    fn add(self, o: F256) -> F256 {
        match (self.kind, o.kind) {
            (Kind::Finite, Kind::Finite) => add_finite(&self, &o),
            (Kind::Nan, _) | (_, Kind::Nan) => F256::NAN,
            (Kind::Inf, Kind::Inf) => {
                if self.neg == o.neg {
                    self
                } else {
                    F256::NAN
                }
            }
            (Kind::Inf, _) | (_, Kind::Zero) => self,
            (_, Kind::Inf) | (Kind::Zero, _) => o,
        }
    }
}

impl Sub for F256 {
    type Output = F256;
    fn sub(self, o: F256) -> F256 {
        self + (-o)
    }
}

impl Mul for F256 {
    type Output = F256;
    fn mul(self, o: F256) -> F256 {
        match (self.kind, o.kind) {
            (Kind::Finite, Kind::Finite) => mul_finite(&self, &o),
            (Kind::Nan, _) | (_, Kind::Nan) => F256::NAN,
            (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => F256::NAN,
            (Kind::Inf, _) | (_, Kind::Inf) => F256::inf(self.neg != o.neg),
            _ => F256::ZERO,
        }
    }
}

impl Div for F256 {
    type Output = F256;
    /// Rounded quotient; x/0 = ±∞ for finite nonzero x (as `BigFloat`), 0/0 = NaN (`BigFloat`
    /// panics there).
    fn div(self, o: F256) -> F256 {
        match (self.kind, o.kind) {
            (Kind::Finite, Kind::Finite) => div_finite(&self, &o),
            (Kind::Nan, _) | (_, Kind::Nan) => F256::NAN,
            (Kind::Zero, Kind::Zero) | (Kind::Inf, Kind::Inf) => F256::NAN,
            (Kind::Finite, Kind::Zero) | (Kind::Inf, _) => F256::inf(self.neg != o.neg),
            _ => F256::ZERO,
        }
    }
}

impl Neg for F256 {
    type Output = F256;
    fn neg(self) -> F256 {
        match self.kind {
            Kind::Finite | Kind::Inf => F256 {
                neg: !self.neg,
                ..self
            },
            Kind::Zero | Kind::Nan => self,
        }
    }
}

impl F256 {
    /// Position in the order −∞ < negative < 0 < positive < +∞ (NaN unordered).
    fn class(&self) -> i8 {
        let s = if self.neg { -1 } else { 1 };
        match self.kind {
            Kind::Zero | Kind::Nan => 0,
            Kind::Finite => s,
            Kind::Inf => 2 * s,
        }
    }
}

impl PartialOrd for F256 {
    fn partial_cmp(&self, o: &F256) -> Option<Ordering> {
        if self.kind == Kind::Nan || o.kind == Kind::Nan {
            return None;
        }
        Some(match (self.class(), o.class()) {
            (1, 1) => cmp_mag(self, o),
            (-1, -1) => cmp_mag(o, self),
            (a, b) => a.cmp(&b),
        })
    }
}

impl PartialEq for F256 {
    fn eq(&self, o: &F256) -> bool {
        self.partial_cmp(o) == Some(Ordering::Equal)
    }
}

impl fmt::Debug for F256 {
    /// Hexadecimal significand and binary exponent, e.g. `F256(-0x8000…0000p-255)` for −1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.neg { "-" } else { "" };
        match self.kind {
            Kind::Zero => write!(f, "F256(0)"),
            Kind::Nan => write!(f, "F256(NaN)"),
            Kind::Inf => write!(f, "F256({sign}inf)"),
            Kind::Finite => {
                let m = self.mant;
                write!(
                    f,
                    "F256({sign}0x{:016x}{:016x}{:016x}{:016x}p{})",
                    m[3], m[2], m[1], m[0], self.exp
                )
            }
        }
    }
}

/// The significand limbs of a `BigUint` below 2^256.
fn limbs(n: &BigUint) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (o, d) in out.iter_mut().zip(n.iter_u64_digits()) {
        *o = d;
    }
    out
}

/// The top `bits` bits of the significand m (1 ≤ `bits` ≤ 53, all in the top limb), rounded to
/// nearest with ties to even: m / 2^(256−bits) rounded, which may equal 2^bits after a carry.
fn round_top(m: &[u64; 4], bits: u32) -> u64 {
    debug_assert!((1..=53).contains(&bits));
    let t = m[3] >> (64 - bits);
    let round = m[3] >> (63 - bits) & 1 == 1;
    let sticky = m[3] & ((1u64 << (63 - bits)) - 1) != 0 || m[0] | m[1] | m[2] != 0;
    t + (round && (sticky || t & 1 == 1)) as u64
}

/// 2^k as an `f64` for −1022 ≤ k ≤ 1023.
fn pow2(k: i64) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

impl Scalar for F256 {
    type Ctx = ();

    /// Correctly rounded: Q = ⌊|n| · 2^s / d⌋ with s chosen so that 2^257 ≤ Q < 2^259 (at least
    /// two bits beyond the 256 kept), the bits below M and a nonzero remainder giving `round` and
    /// `sticky`.
    fn from_q(q: &Q, _: &()) -> F256 {
        let (n, d) = (q.numer(), q.denom());
        if n.is_zero() {
            return F256::ZERO;
        }
        let (na, da) = (n.magnitude(), d.magnitude());
        // 2^(nb−1) ≤ |n| < 2^nb and 2^(db−1) ≤ d < 2^db, so 2^(nb−db+s−1) < |n|2^s/d < 2^(nb−db+s+1).
        let s = 258 + da.bits() as i64 - na.bits() as i64;
        let (num, den) = if s >= 0 {
            (na << s as u64, da.clone())
        } else {
            (na.clone(), da << (-s) as u64)
        };
        let (quot, rem) = num_integer::Integer::div_rem(&num, &den);
        let extra = quot.bits() - 256; // 2 or 3
        let m = limbs(&(&quot >> extra));
        let round = quot.bit(extra - 1);
        let sticky = !rem.is_zero() || quot.trailing_zeros().is_some_and(|tz| tz < extra - 1);
        round_pack(n.is_negative(), extra as i64 - s, m, round, sticky)
    }

    fn from_int(n: i64, _: &()) -> F256 {
        if n == 0 {
            return F256::ZERO;
        }
        let m = n.unsigned_abs();
        let lz = m.leading_zeros();
        F256 {
            kind: Kind::Finite,
            neg: n < 0,
            exp: -192 - lz as i64,
            mant: [0, 0, 0, m << lz],
        }
    }

    fn ctx(&self) {}

    /// Nearest `f64`, ties to even, with gradual underflow and overflow to ±∞.
    fn to_f64(&self) -> f64 {
        let mag = match self.kind {
            Kind::Zero => return 0.0,
            Kind::Nan => return f64::NAN,
            Kind::Inf => f64::INFINITY,
            Kind::Finite => {
                // 2^top ≤ |x| < 2^(top+1); keep the bits at or above 2^-1074, at most 53.
                let top = self.exp + 255;
                let keep = (top + 1075).min(53);
                if top > 1023 {
                    f64::INFINITY
                } else if keep <= 0 {
                    // |x| < 2^-1074: nearest is 2^-1074 above the midpoint 2^-1075, else 0.
                    let above_half = top == -1075 && self.mant != [0, 0, 0, TOP];
                    if above_half { f64::from_bits(1) } else { 0.0 }
                } else {
                    // |x| rounds to t · 2^(top−keep+1), t ≤ 2^53 exact in f64; the exponent is
                    // ≥ −1074 and the result representable, so both scalings below are exact.
                    let t = round_top(&self.mant, keep as u32) as f64;
                    let e = top - keep + 1;
                    if e >= -1022 {
                        t * pow2(e)
                    } else {
                        t * pow2(e + 128) * pow2(-128)
                    }
                }
            }
        };
        if self.neg { -mag } else { mag }
    }

    /// m · 2^e with the trailing zero bits of m moved into the exponent, so an odd numerator
    /// over a power of two is already in lowest terms.
    fn to_q(&self) -> Option<Q> {
        match self.kind {
            Kind::Zero => Some(Q::zero()),
            Kind::Inf | Kind::Nan => None,
            Kind::Finite => {
                let m = BigUint::from_bytes_le(
                    &self
                        .mant
                        .iter()
                        .flat_map(|l| l.to_le_bytes())
                        .collect::<Vec<u8>>(),
                );
                let tz = m.trailing_zeros().unwrap_or(0);
                let odd =
                    BigInt::from_biguint(if self.neg { Sign::Minus } else { Sign::Plus }, m >> tz);
                let e = self.exp + tz as i64;
                Some(if e >= 0 {
                    Q::from_integer(odd << e as u64)
                } else {
                    Q::new_raw(odd, BigInt::from(1u8) << (-e) as u64)
                })
            }
        }
    }

    fn is_finite(&self) -> bool {
        matches!(self.kind, Kind::Zero | Kind::Finite)
    }

    /// `bf256`, the name `BigFloat` has at 256 bits: the two compute the same values.
    fn type_name(_: &()) -> String {
        "bf256".into()
    }

    fn abs(&self) -> F256 {
        F256 {
            neg: false,
            ..*self
        }
    }
}
