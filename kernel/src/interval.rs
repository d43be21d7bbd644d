//! Certified enclosures: the closed interval [lo, hi].
//!
//! With rational endpoints (the default) every operation returns the exact range of the
//! operation over its arguments' intervals, so a value inside the arguments gives a value inside
//! the result. `gd.rs` uses dyadic endpoints for the GD trajectory and rounds them outward there
//! (FORMAT.md §4.8).

use crate::number::Q;
use num_traits::{Signed, Zero};

/// The closed interval [lo, hi], lo ≤ hi.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval<T = Q> {
    pub lo: T,
    pub hi: T,
}

impl<T> Interval<T> {
    pub fn new(lo: T, hi: T) -> Self {
        Interval { lo, hi }
    }
}

impl Interval {
    /// The range of s + c.
    pub fn shift(&self, c: &Q) -> Interval {
        Interval::new(&self.lo + c, &self.hi + c)
    }

    /// The range of s + t.
    pub fn add(&self, o: &Interval) -> Interval {
        Interval::new(&self.lo + &o.lo, &self.hi + &o.hi)
    }

    /// The range of c·s.
    pub fn scale(&self, c: &Q) -> Interval {
        let (a, b) = (c * &self.lo, c * &self.hi);
        if c.is_negative() {
            Interval::new(b, a)
        } else {
            Interval::new(a, b)
        }
    }

    /// The range of s·t: the least and the greatest of the four products of ends.
    pub fn mul(&self, o: &Interval) -> Interval {
        let v = [
            &self.lo * &o.lo,
            &self.lo * &o.hi,
            &self.hi * &o.lo,
            &self.hi * &o.hi,
        ];
        let lo = v.iter().min().cloned().unwrap_or_default();
        let hi = v.iter().max().cloned().unwrap_or_default();
        Interval::new(lo, hi)
    }

    /// The range of s²: 0 is its least value when the interval holds 0.
    pub fn square(&self) -> Interval {
        let (l2, h2) = (&self.lo * &self.lo, &self.hi * &self.hi);
        if !self.lo.is_negative() {
            Interval::new(l2, h2)
        } else if !self.hi.is_positive() {
            Interval::new(h2, l2)
        } else {
            Interval::new(Q::zero(), l2.max(h2))
        }
    }

    /// max |s| over the interval.
    pub fn mag(&self) -> Q {
        self.lo.abs().max(self.hi.abs())
    }
}

impl<'a> std::iter::Sum<&'a Interval> for Interval {
    fn sum<It: Iterator<Item = &'a Interval>>(it: It) -> Interval {
        it.fold(Interval::new(Q::zero(), Q::zero()), |s, t| s.add(t))
    }
}

impl std::iter::Sum<Interval> for Interval {
    fn sum<It: Iterator<Item = Interval>>(it: It) -> Interval {
        it.fold(Interval::new(Q::zero(), Q::zero()), |s, t| s.add(&t))
    }
}

#[cfg(test)]
mod tests {
    //! Each operation's result is the exact range: it holds the operation at every sampled point
    //! of its arguments (soundness), and both of its ends are values the operation takes there
    //! (tightness).
    use super::*;
    use proptest::prelude::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    fn interval() -> impl Strategy<Value = Interval> {
        (-50i64..50, -50i64..50, 1i64..7)
            .prop_map(|(a, b, d)| Interval::new(q(a.min(b), d), q(a.max(b), d)))
    }

    /// Eleven points of the interval, its ends and 0 (when inside) among them.
    fn points(s: &Interval) -> Vec<Q> {
        let mut v: Vec<Q> = (0..=10)
            .map(|k| &s.lo + (&s.hi - &s.lo) * q(k, 10))
            .collect();
        if s.lo <= Q::zero() && Q::zero() <= s.hi {
            v.push(Q::zero());
        }
        v
    }

    fn exact_range(
        r: &Interval,
        a: &Interval,
        b: &Interval,
        f: impl Fn(&Q, &Q) -> Q,
    ) -> Result<(), TestCaseError> {
        let values: Vec<Q> = points(a)
            .iter()
            .flat_map(|s| points(b).into_iter().map(move |t| (s.clone(), t)))
            .map(|(s, t)| f(&s, &t))
            .collect();
        prop_assert!(values.iter().all(|v| r.lo <= *v && *v <= r.hi));
        prop_assert!(values.contains(&r.lo) && values.contains(&r.hi));
        Ok(())
    }

    proptest! {
        #[test]
        fn operations_give_exact_ranges(a in interval(), b in interval(), c in -20i64..20) {
            let c = q(c, 3);
            exact_range(&a.add(&b), &a, &b, |s, t| s + t)?;
            exact_range(&a.mul(&b), &a, &b, |s, t| s * t)?;
            exact_range(&a.square(), &a, &a, |s, _| s * s)?;
            exact_range(&a.scale(&c), &a, &a, |s, _| &c * s)?;
            exact_range(&a.shift(&c), &a, &a, |s, _| s + &c)?;
            prop_assert!(points(&a).iter().all(|s| s.abs() <= a.mag()));
            prop_assert!(a.mag() == a.lo.abs() || a.mag() == a.hi.abs());
            let total: Interval = [a.clone(), b.clone()].iter().sum();
            prop_assert_eq!(total, a.add(&b));
        }
    }
}
