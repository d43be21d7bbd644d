//! Float brackets: the untrusted counterpart of [`Interval`](crate::numeric::interval::Interval).
//!
//! A [`Bracket`] is a pair lo ≤ hi computed in some float type (a float bisection of a secular
//! equation, the spread of an estimate). It is evidence, never a certificate: nothing in the
//! crate turns a `Bracket` into an `Interval`, and output keeps both ends (no midpoint-only
//! summaries). Certified values are `Interval`s, whose operations round outward.

use crate::numeric::scalar::Scalar;

/// An untrusted bracket [lo, hi] in the float type `S`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bracket<S> {
    lo: S,
    hi: S,
}

impl<S: Scalar> Bracket<S> {
    /// The bracket with ends `a` and `b` (in either order).
    pub fn new(a: S, b: S) -> Self {
        if b < a {
            Bracket { lo: b, hi: a }
        } else {
            Bracket { lo: a, hi: b }
        }
    }
    /// The lower end.
    pub fn lo(&self) -> &S {
        &self.lo
    }
    /// The upper end.
    pub fn hi(&self) -> &S {
        &self.hi
    }
    /// hi − lo, in `S`.
    pub fn width(&self) -> S {
        self.hi.clone() - self.lo.clone()
    }
    /// (lo + hi)/2, in `S` (for plots; reports keep both ends).
    pub fn mid(&self) -> S {
        (self.lo.clone() + self.hi.clone()) / self.lo.int_like(2)
    }
}
