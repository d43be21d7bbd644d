//! The scalar trait over which the model, loss, gradient and Hessian are written once.
//!
//! Implementations: exact rationals [`Q`], `f32`, `f64`, [`BigFloat`] (binary floating point
//! with a bit count chosen at run time, pure Rust via `dashu-float`), and the fixed 256-bit
//! [`F256`](crate::numeric::float256::F256).
//!
//! Laws (checked by property tests in `tests/suite/scalar_laws.rs`, for `F256` in `tests/suite/float256.rs`):
//! - `from_q` is exact for `Q`, and correctly rounded to nearest for the float types
//!   (`|from_q(q) - q| <= ulp/2` where representable);
//! - the field operations are exact for `Q` and rounded to nearest (ties to even) for floats;
//! - `to_q(from_q(q)) == q` for `Q`; for floats `to_q` returns the exact dyadic value held.
//!
//! A precision *context* ([`Scalar::Ctx`]) carries what a value needs besides its number: the
//! bit count of a [`BigFloat`]; it is `()` for the fixed types. Constants inside generic code are
//! made with [`Scalar::int_like`], which copies the context of an existing value.

use crate::numeric::rational::Q;
use dashu_float::FBig;
use dashu_float::round::mode::HalfEven;
use dashu_int::IBig;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A real-number type the numeric core runs on.
pub trait Scalar:
    Clone
    + Debug
    + PartialOrd
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// What a value needs besides its number (the precision of a `BigFloat`).
    type Ctx: Clone + Debug + Default + Send + Sync;

    /// `q`, exactly or rounded to nearest.
    fn from_q(q: &Q, ctx: &Self::Ctx) -> Self;
    /// The integer `n` in context `ctx`.
    fn from_int(n: i64, ctx: &Self::Ctx) -> Self;
    /// The context of this value.
    fn ctx(&self) -> Self::Ctx;
    /// Nearest `f64` (for reports and plots only).
    fn to_f64(&self) -> f64;
    /// The exact rational value held, or `None` for NaN and infinities.
    fn to_q(&self) -> Option<Q>;
    /// Whether the value is a finite number.
    fn is_finite(&self) -> bool;
    /// A short name of the type, for reports: `exact`, `f32`, `f64`, `bf256`, ...
    fn type_name(ctx: &Self::Ctx) -> String;

    /// The integer `n` in the context of `self`.
    fn int_like(&self, n: i64) -> Self {
        Self::from_int(n, &self.ctx())
    }
    /// Zero in the context of `self`.
    fn zero_like(&self) -> Self {
        self.int_like(0)
    }
    /// `|self|`.
    fn abs(&self) -> Self {
        if *self < self.zero_like() {
            -self.clone()
        } else {
            self.clone()
        }
    }
}

impl Scalar for Q {
    type Ctx = ();
    fn from_q(q: &Q, _: &()) -> Self {
        q.clone()
    }
    fn from_int(n: i64, _: &()) -> Self {
        Q::from_integer(n.into())
    }
    fn ctx(&self) {}
    fn to_f64(&self) -> f64 {
        q_to_f64(self)
    }
    fn to_q(&self) -> Option<Q> {
        Some(self.clone())
    }
    fn is_finite(&self) -> bool {
        true
    }
    fn type_name(_: &()) -> String {
        "exact".into()
    }
    fn abs(&self) -> Self {
        Signed::abs(self)
    }
}

pub use crate::numeric::rational::q_to_f64;

macro_rules! float_scalar {
    ($t:ty, $name:expr) => {
        impl Scalar for $t {
            type Ctx = ();
            fn from_q(q: &Q, _: &()) -> Self {
                BigFloat::from_q(q, &(<$t>::MANTISSA_DIGITS as usize)).to_f64() as $t
            }
            fn from_int(n: i64, _: &()) -> Self {
                n as $t
            }
            fn ctx(&self) {}
            fn to_f64(&self) -> f64 {
                *self as f64
            }
            fn to_q(&self) -> Option<Q> {
                Q::from_float(*self as f64)
            }
            fn is_finite(&self) -> bool {
                <$t>::is_finite(*self)
            }
            fn type_name(_: &()) -> String {
                $name.into()
            }
            fn abs(&self) -> Self {
                <$t>::abs(*self)
            }
        }
    };
}
float_scalar!(f32, "f32");
float_scalar!(f64, "f64");

/// Smallest and largest bit counts accepted for [`BigFloat`].
pub const BIGFLOAT_BITS: std::ops::RangeInclusive<usize> = 2..=1_000_000;

/// Binary floating point with a run-time bit count, rounding to nearest (ties to even).
///
/// Binary operations round to the larger precision of the two operands.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub struct BigFloat(pub FBig<HalfEven>);

impl BigFloat {
    /// Precision in bits.
    pub fn bits(&self) -> usize {
        self.0.precision()
    }
}

fn ibig_from_bigint(n: &BigInt) -> IBig {
    let (sign, bytes) = n.to_bytes_le();
    let mag = dashu_int::UBig::from_le_bytes(&bytes);
    if sign == num_bigint::Sign::Minus {
        -IBig::from(mag)
    } else {
        IBig::from(mag)
    }
}

fn bigint_from_ibig(n: &IBig) -> BigInt {
    let (sign, mag) = n.clone().into_parts();
    let m = BigInt::from_bytes_le(num_bigint::Sign::Plus, &mag.to_le_bytes());
    if sign == dashu_int::Sign::Negative {
        -m
    } else {
        m
    }
}

impl Scalar for BigFloat {
    type Ctx = usize;
    fn from_q(q: &Q, bits: &usize) -> Self {
        let n = FBig::<HalfEven>::from(ibig_from_bigint(q.numer()));
        if q.denom().is_one() {
            return BigFloat(n.with_precision(*bits).value());
        }
        // Correctly rounded quotient: divide at the target precision from exact operands.
        let d = FBig::<HalfEven>::from(ibig_from_bigint(q.denom()));
        let ctx = dashu_float::Context::<HalfEven>::new(*bits);
        match ctx.div(n.repr(), d.repr()) {
            Ok(v) => BigFloat(v.value()),
            // A `Q` never has a zero denominator; keep the rounded-twice route as a fallback.
            Err(_) => BigFloat(n.with_precision(*bits).value() / d.with_precision(*bits).value()),
        }
    }
    fn from_int(n: i64, bits: &usize) -> Self {
        BigFloat(FBig::<HalfEven>::from(n).with_precision(*bits).value())
    }
    fn ctx(&self) -> usize {
        self.bits()
    }
    fn to_f64(&self) -> f64 {
        self.0.to_f64().value()
    }
    fn to_q(&self) -> Option<Q> {
        let repr = self.0.repr();
        if repr.is_infinite() {
            return None;
        }
        let sig = Q::from_integer(bigint_from_ibig(repr.significand()));
        let e = repr.exponent();
        let two = Q::from_integer(2.into());
        let scale = num_traits::pow(two, e.unsigned_abs());
        Some(if e >= 0 { sig * scale } else { sig / scale })
    }
    fn is_finite(&self) -> bool {
        !self.0.repr().is_infinite()
    }
    fn type_name(bits: &usize) -> String {
        format!("bf{bits}")
    }
}

macro_rules! bigfloat_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for BigFloat {
            type Output = BigFloat;
            fn $f(self, o: BigFloat) -> BigFloat {
                BigFloat(self.0 $op o.0)
            }
        }
    };
}
bigfloat_op!(Mul, mul, *);

/// a + b rounded once, to nearest (ties to even), to the larger precision of the two.
///
/// dashu-float 0.6's own `+` and `−` keep a guard bit on an effective subtraction, so a result
/// can carry one bit more than the precision and break the rounding law above; here the sum is
/// formed exactly and rounded once. An operand far below the other only decides the direction of
/// rounding: every rounding decision point near the larger operand `big` (grid points and
/// midpoints of the p-bit grid in its binade and the one below) is a multiple of 2^f with
/// f = min(lowest exponent of big, top(big) − p − 2), so when |small| < 2^f the sums big + small and
/// big ± 2^(f−1) (same sign) lie between the same two decision points and round alike. That
/// replacement keeps the exact sum short whatever the exponent gap.
fn add_rounded(a: &FBig<HalfEven>, b: &FBig<HalfEven>) -> FBig<HalfEven> {
    use dashu_int::ops::BitTest;
    let p = a.precision().max(b.precision());
    let (ra, rb) = (a.repr(), b.repr());
    if ra.is_infinite() || rb.is_infinite() {
        return a.clone() + b.clone();
    }
    if ra.significand().is_zero() {
        return b.clone().with_precision(p).value();
    }
    if rb.significand().is_zero() {
        return a.clone().with_precision(p).value();
    }
    // |v| < 2^top(v).
    let top = |r: &dashu_float::Repr<2>| r.exponent() + r.significand().bit_len() as isize;
    let (big, small) = if top(ra) >= top(rb) {
        (ra, rb)
    } else {
        (rb, ra)
    };
    let f = big.exponent().min(top(big) - p as isize - 2);
    let (s_sig, s_exp) = if top(small) <= f {
        (small.significand().signum(), f - 1)
    } else {
        (small.significand().clone(), small.exponent())
    };
    let m = big.exponent().min(s_exp);
    let sum =
        (big.significand() << (big.exponent() - m) as usize) + (s_sig << (s_exp - m) as usize);
    FBig::from_parts(sum, m).with_precision(p).value()
}

impl Add for BigFloat {
    type Output = BigFloat;
    fn add(self, o: BigFloat) -> BigFloat {
        BigFloat(add_rounded(&self.0, &o.0))
    }
}

impl Sub for BigFloat {
    type Output = BigFloat;
    fn sub(self, o: BigFloat) -> BigFloat {
        BigFloat(add_rounded(&self.0, &-o.0))
    }
}

impl Div for BigFloat {
    type Output = BigFloat;
    /// Division rounded to nearest; x/0 = ±∞ and, since dashu has no NaN, 0/0 = +∞ too (dashu
    /// itself would panic): either way the value is not finite, which callers check.
    fn div(self, o: BigFloat) -> BigFloat {
        if self.0.repr().significand().is_zero() && o.0.repr().significand().is_zero() {
            return BigFloat(FBig::INFINITY);
        }
        BigFloat(self.0 / o.0)
    }
}

impl Neg for BigFloat {
    type Output = BigFloat;
    fn neg(self) -> BigFloat {
        BigFloat(-self.0)
    }
}

/// Convenience: `Q` from an integer.
pub fn qi(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// Convenience: `Q` from `n/d` (`d != 0`).
pub fn qf(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// Is `q` zero?
pub fn is_zero(q: &Q) -> bool {
    q.is_zero()
}
