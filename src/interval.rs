//! Closed intervals [lo, hi] with rational endpoints and outward rounding (SPEC §4: "certified
//! enclosures"). Every operation returns an interval that contains every exact result for
//! arguments in the operand intervals; endpoints are rounded outward to dyadic rationals with a
//! fixed number of significant bits so that their sizes stay bounded.
//!
//! `exp` uses argument halving and a Taylor polynomial with the Lagrange remainder:
//! for 0 ≤ s ≤ 1/2, e^s = Σ_{j≤n} s^j/j! + R with 0 ≤ R ≤ e^s·s^{n+1}/(n+1)! ≤ 2·s^{n+1}/(n+1)!,
//! then e^t = (e^{t/2^k})^{2^k} by k outward-rounded squarings, and e^{−t} = 1/e^t.

use crate::rational::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// A non-empty closed interval [lo, hi] of reals, lo ≤ hi.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    lo: Q,
    hi: Q,
}

/// Largest dyadic rational with `bits` significant bits that is ≤ q.
pub fn round_down(q: &Q, bits: u64) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    let e = q.numer().bits() as i64 - q.denom().bits() as i64;
    let shift = bits as i64 - e;
    if shift >= 0 {
        let m = (q.numer() << shift as usize).div_floor(q.denom());
        Q::new(m, BigInt::one() << shift as usize)
    } else {
        let m = q.numer().div_floor(&(q.denom() << (-shift) as usize));
        Q::from_integer(m << (-shift) as usize)
    }
}

/// Smallest dyadic rational with `bits` significant bits that is ≥ q.
pub fn round_up(q: &Q, bits: u64) -> Q {
    -round_down(&-q, bits)
}

impl Interval {
    /// [q, q].
    pub fn point(q: Q) -> Self {
        Interval { lo: q.clone(), hi: q }
    }

    /// [min(a, b), max(a, b)].
    pub fn hull(a: Q, b: Q) -> Self {
        if a <= b { Interval { lo: a, hi: b } } else { Interval { lo: b, hi: a } }
    }

    pub fn lo(&self) -> &Q {
        &self.lo
    }

    pub fn hi(&self) -> &Q {
        &self.hi
    }

    /// hi − lo.
    pub fn width(&self) -> Q {
        &self.hi - &self.lo
    }

    /// (lo + hi)/2.
    pub fn mid(&self) -> Q {
        (&self.lo + &self.hi) / Q::from_integer(2.into())
    }

    /// Outward rounding of both ends to `bits` significant bits.
    pub fn round(&self, bits: u64) -> Self {
        Interval { lo: round_down(&self.lo, bits), hi: round_up(&self.hi, bits) }
    }

    /// Whether every element is > 0.
    pub fn positive(&self) -> bool {
        self.lo.is_positive()
    }

    /// Whether every element is < 0.
    pub fn negative(&self) -> bool {
        self.hi.is_negative()
    }

    /// Sum.
    pub fn add(&self, o: &Interval) -> Interval {
        Interval { lo: &self.lo + &o.lo, hi: &self.hi + &o.hi }
    }

    /// Product with an exact rational.
    pub fn scale(&self, c: &Q) -> Interval {
        Interval::hull(&self.lo * c, &self.hi * c)
    }

    /// The smallest interval holding both.
    pub fn join(&self, o: &Interval) -> Interval {
        Interval { lo: self.lo.clone().min(o.lo.clone()), hi: self.hi.clone().max(o.hi.clone()) }
    }

    /// e^x over the interval (exp is increasing), endpoints with `bits` significant bits.
    pub fn exp(&self, bits: u64) -> Interval {
        Interval { lo: exp_bounds(&self.lo, bits).0, hi: exp_bounds(&self.hi, bits).1 }
    }
}

/// An enclosure (lo, hi) of e^t with `bits` significant bits.
pub fn exp_bounds(t: &Q, bits: u64) -> (Q, Q) {
    if t.is_negative() {
        let (a, b) = exp_bounds(&-t, bits);
        return (round_down(&(Q::one() / b), bits), round_up(&(Q::one() / a), bits));
    }
    if t.is_zero() {
        return (Q::one(), Q::one());
    }
    // k halvings bring s = t/2^k into [0, 1/2]. Fixed point: integers in units of 2^-w.
    let e = (t.numer().bits() as i64 - t.denom().bits() as i64 + 2).max(0) as usize;
    let w = (bits as usize) + e + 16;
    let one = BigInt::one() << w;
    let ceil_shift = |v: BigInt| -> BigInt { (v + &one - BigInt::one()) >> w };
    // s_lo ≤ s·2^w ≤ s_hi.
    let s_lo = (t.numer() << w).div_floor(&(t.denom() << e));
    let s_hi = &s_lo + BigInt::one();
    // Rounded-down and rounded-up Taylor terms: term_lo ≤ 2^w·s^j/j! ≤ term_hi.
    let mut sum_lo = BigInt::zero();
    let mut sum_hi = BigInt::zero();
    let mut term_lo = one.clone();
    let mut term_hi = one.clone();
    let mut n = 0u64;
    loop {
        sum_lo += &term_lo;
        sum_hi += &term_hi;
        n += 1;
        let k = BigInt::from(n);
        term_lo = ((&term_lo * &s_lo) >> w).div_floor(&k);
        term_hi = ceil_shift(&term_hi * &s_hi).div_ceil(&k);
        if term_hi <= BigInt::one() {
            break;
        }
    }
    // The tail Σ_{j≥n} s^j/j! ≤ (s^n/n!)·1/(1−s) ≤ 2·term_hi·2^-w for s ≤ 1/2.
    let mut lo = sum_lo;
    let mut hi = sum_hi + BigInt::from(2) * term_hi;
    for _ in 0..e {
        lo = (&lo * &lo) >> w;
        hi = ceil_shift(&hi * &hi);
    }
    let lo = Q::new(lo, one.clone());
    let hi = Q::new(hi, one);
    (round_down(&lo, bits), round_up(&hi, bits))
}
