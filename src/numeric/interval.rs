//! Closed intervals [lo, hi] with rational endpoints and outward rounding (SPEC §4: "certified
//! enclosures"). Every operation returns an interval that contains every exact result for
//! arguments in the operand intervals; endpoints are rounded outward to dyadic rationals with a
//! fixed number of significant bits so that their sizes stay bounded.
//!
//! `exp` uses argument halving and a Taylor polynomial with the Lagrange remainder:
//! for 0 ≤ s ≤ 1/2, e^s = Σ_{j≤n} s^j/j! + R with 0 ≤ R ≤ e^s·s^{n+1}/(n+1)! ≤ 2·s^{n+1}/(n+1)!,
//! then e^t = (e^{t/2^k})^{2^k} by k outward-rounded squarings, and e^{−t} = 1/e^t.

use crate::numeric::rational::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// A non-empty closed interval [lo, hi] of reals, lo ≤ hi: the one certified enclosure type.
///
/// Endpoints are exact rationals (`Interval`, i.e. `Interval<Q>`: every operation is exact or
/// rounds outward explicitly) or [`Dyadic`] numbers m·2^e (`Interval<Dyadic>`: the fast
/// representation of certified GD, where every operation rounds outward to P bits with the rule
/// of [`round_bits`]). Fields are private, so no operation can drop the bound;
/// [`Interval::<Dyadic>::exact`] gives the same enclosure with rational endpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval<E = Q> {
    lo: E,
    hi: E,
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

impl Interval<Q> {
    /// [q, q].
    pub fn point(q: Q) -> Self {
        Interval {
            lo: q.clone(),
            hi: q,
        }
    }

    /// [min(a, b), max(a, b)].
    pub fn hull(a: Q, b: Q) -> Self {
        if a <= b {
            Interval { lo: a, hi: b }
        } else {
            Interval { lo: b, hi: a }
        }
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
        Interval {
            lo: round_down(&self.lo, bits),
            hi: round_up(&self.hi, bits),
        }
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
        Interval {
            lo: &self.lo + &o.lo,
            hi: &self.hi + &o.hi,
        }
    }

    /// Product with an exact rational.
    pub fn scale(&self, c: &Q) -> Interval {
        Interval::hull(&self.lo * c, &self.hi * c)
    }

    /// The smallest interval holding both.
    pub fn join(&self, o: &Interval) -> Interval {
        Interval {
            lo: self.lo.clone().min(o.lo.clone()),
            hi: self.hi.clone().max(o.hi.clone()),
        }
    }

    /// e^x over the interval (exp is increasing), endpoints with `bits` significant bits.
    pub fn exp(&self, bits: u64) -> Interval {
        Interval {
            lo: exp_bounds(&self.lo, bits).0,
            hi: exp_bounds(&self.hi, bits).1,
        }
    }
}

/// An enclosure (lo, hi) of e^t with `bits` significant bits.
pub fn exp_bounds(t: &Q, bits: u64) -> (Q, Q) {
    if t.is_negative() {
        let (a, b) = exp_bounds(&-t, bits);
        return (
            round_down(&(Q::one() / b), bits),
            round_up(&(Q::one() / a), bits),
        );
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

/// ⌊log₂ q⌋ for q > 0.
fn floor_log2(q: &Q) -> i64 {
    let e = q.numer().bits() as i64 - q.denom().bits() as i64;
    let below = if e >= 0 {
        q.numer() < &(q.denom() << e as usize)
    } else {
        &(q.numer() << (-e) as usize) < q.denom()
    };
    if below { e - 1 } else { e }
}

/// Directed rounding to `p` significant bits, the rule of certified GD (SPEC §4.1, FORMAT.md
/// §4.8): the largest (`up` = false) or smallest (`up` = true) m·2^k, m and k integers with
/// |m| < 2^p, that is ≤ q (resp. ≥ q). This is IEEE rounding toward −∞ / +∞ with a p-bit
/// significand and no exponent limit, so it is a function of the exact value alone and the
/// kernel's plain re-implementation gives the same endpoints bit for bit.
pub fn round_bits(q: &Q, p: u64, up: bool) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    if q.is_negative() {
        return -round_bits(&-q, p, !up);
    }
    let s = p as i64 - 1 - floor_log2(q);
    let (n, d) = if s >= 0 {
        (q.numer() << s as usize, q.denom().clone())
    } else {
        (q.numer().clone(), q.denom() << (-s) as usize)
    };
    let m = if up { n.div_ceil(&d) } else { n.div_floor(&d) };
    if s >= 0 {
        Q::new(m, BigInt::one() << s as usize)
    } else {
        Q::from_integer(m << (-s) as usize)
    }
}

/// ↓q or ↑q at `p` bits with the exponent floor [`e_min`]: the rounding of every number of a
/// certified GD claim (FORMAT.md §4.8), equal to [`round_bits`] for |q| ≥ 2^−2049.
pub fn round_gd(q: &Q, p: u64, up: bool) -> Q {
    Dyadic::of(q, p, up).q()
}

/// Exact interval operations used by the tail theorem and the learner (SPEC §4.1).
impl Interval<Q> {
    /// The exact range of s·t over self × o.
    pub fn mul(&self, o: &Interval) -> Interval {
        let v = [
            &self.lo * &o.lo,
            &self.lo * &o.hi,
            &self.hi * &o.lo,
            &self.hi * &o.hi,
        ];
        let lo = v.iter().min().cloned().unwrap_or_default();
        let hi = v.iter().max().cloned().unwrap_or_default();
        Interval { lo, hi }
    }
    /// The exact range of t² over the interval.
    pub fn sqr(&self) -> Interval {
        let (l2, h2) = (&self.lo * &self.lo, &self.hi * &self.hi);
        if !self.lo.is_negative() {
            Interval { lo: l2, hi: h2 }
        } else if !self.hi.is_positive() {
            Interval { lo: h2, hi: l2 }
        } else {
            Interval {
                lo: Q::zero(),
                hi: l2.max(h2),
            }
        }
    }
    /// max |t| over the interval.
    pub fn mag(&self) -> Q {
        self.lo.abs().max(self.hi.abs())
    }
    /// Every element shifted by −c (exact).
    pub fn minus(&self, c: &Q) -> Interval {
        Interval {
            lo: &self.lo - c,
            hi: &self.hi - c,
        }
    }
}

/// A dyadic number m·2^e, the endpoints of the certified GD trajectory: sums and products are
/// exact integer operations (no gcd), and rounding applies the rule of [`round_bits`].
#[derive(Clone, Debug, PartialEq)]
pub struct Dyadic {
    m: BigInt,
    e: i64,
}

impl Dyadic {
    /// [`round_bits`] of q, as a dyadic.
    pub fn of(q: &Q, p: u64, up: bool) -> Dyadic {
        let r = round_bits(q, p, up);
        Dyadic::new(r.numer().clone(), 1 - r.denom().bits() as i64).round(p, up)
    }
    /// m·2^e with zero always 0·2^0, so a zero's exponent never drifts (a drifting zero made
    /// every later sum shift by that exponent).
    fn new(m: BigInt, e: i64) -> Dyadic {
        let e = if m.is_zero() { 0 } else { e };
        Dyadic { m, e }
    }
    /// The exact value.
    pub fn q(&self) -> Q {
        let p = BigInt::one() << self.e.unsigned_abs() as usize;
        if self.e >= 0 {
            Q::from_integer(&self.m * p)
        } else {
            Q::new(self.m.clone(), p)
        }
    }
    fn mul(&self, o: &Dyadic) -> Dyadic {
        Dyadic::new(&self.m * &o.m, self.e + o.e)
    }
    fn add(&self, o: &Dyadic) -> Dyadic {
        if o.m.is_zero() {
            return self.clone();
        }
        if self.m.is_zero() {
            return o.clone();
        }
        let (a, b) = if self.e >= o.e { (self, o) } else { (o, self) };
        Dyadic::new((&a.m << (a.e - b.e) as usize) + &b.m, b.e)
    }
    fn neg(&self) -> Dyadic {
        Dyadic::new(-&self.m, self.e)
    }
    fn less(&self, o: &Dyadic) -> bool {
        if self.e >= o.e {
            (&self.m << (self.e - o.e) as usize) < o.m
        } else {
            self.m < (&o.m << (o.e - self.e) as usize)
        }
    }
    /// Cuts the low s bits of m, s the least that leaves at most `p` bits and an exponent
    /// ≥ [`e_min`]`(p)`, flooring (`>>` on a BigInt floors) or ceiling when `up` (floor + 1 when
    /// a cut bit is nonzero): ↓ or ↑ at `p` bits with the exponent floor.
    fn round(self, p: u64, up: bool) -> Dyadic {
        let s = (self.m.bits() as i64 - p as i64).max(e_min(p) - self.e);
        if s <= 0 {
            return self;
        }
        let cut = self.m.trailing_zeros().is_some_and(|t| t < s as u64);
        let q = self.m >> s as usize;
        Dyadic::new(if up && cut { q + 1 } else { q }, self.e + s)
    }
    /// ⌊log₂|v|⌋ (None for 0).
    pub fn log2(&self) -> Option<i64> {
        (!self.m.is_zero()).then(|| self.m.bits() as i64 - 1 + self.e)
    }
}

/// The least exponent of a dyadic rounded at `p` bits (FORMAT.md §4.8): every rounded number is
/// m·2^e with |m| < 2^p and e ≥ −(p + 2048), so exponents, and the shifts of a sum, stay bounded
/// however fast the residual vanishes; only magnitudes below 2^−2048 lose precision.
pub fn e_min(p: u64) -> i64 {
    -(p as i64) - 2048
}

/// a + b, with a summand t far below the other summand s shrunk to a sticky bit (see
/// [`Interval::<Dyadic>::add_at`]); exact whenever the exponents are close.
fn sum(a: &Dyadic, b: &Dyadic, p: u64) -> Dyadic {
    let tiny = |s: &Dyadic, t: &Dyadic| match (s.log2(), t.log2()) {
        (Some(es), Some(et)) if et < s.e.min(es - p as i64) - 1 => Some(Dyadic {
            m: if t.m.is_negative() {
                -BigInt::one()
            } else {
                BigInt::one()
            },
            e: s.e.min(es - p as i64) - 1,
        }),
        _ => None,
    };
    match (tiny(a, b), tiny(b, a)) {
        (Some(b2), _) => a.add(&b2),
        (_, Some(a2)) => a2.add(b),
        _ => a.add(b),
    }
}

/// Interval arithmetic at a fixed precision P (SPEC §4.1): every operation returns the exact
/// range of the operation over the operands with lo rounded down and hi rounded up to P bits.
impl Interval<Dyadic> {
    /// [↓q, ↑q] at `p` bits.
    pub fn enclose(q: &Q, p: u64) -> Interval<Dyadic> {
        Interval {
            lo: Dyadic::of(q, p, false),
            hi: Dyadic::of(q, p, true),
        }
    }
    fn out(lo: Dyadic, hi: Dyadic, p: u64) -> Interval<Dyadic> {
        Interval {
            lo: lo.round(p, false),
            hi: hi.round(p, true),
        }
    }
    /// a + b at `p` bits. With s = m·2^e the other summand and E = ⌊log₂|s|⌋, every number
    /// representable at `p` bits within 2^(E−1) of s is a multiple of 2^k, k = min(e, E − p), so
    /// a summand t with |t| < 2^(k−1) only decides on which side of s the exact sum lies: it is
    /// replaced by sign(t)·2^(k−1) (same directed roundings, no long shift when |t| ≪ |s|).
    pub fn add_at(&self, o: &Interval<Dyadic>, p: u64) -> Interval<Dyadic> {
        Self::out(sum(&self.lo, &o.lo, p), sum(&self.hi, &o.hi, p), p)
    }
    /// a − b at `p` bits (as a + (−b), see [`Interval::<Dyadic>::add_at`]).
    pub fn sub_at(&self, o: &Interval<Dyadic>, p: u64) -> Interval<Dyadic> {
        Self::out(
            sum(&self.lo, &o.hi.neg(), p),
            sum(&self.hi, &o.lo.neg(), p),
            p,
        )
    }
    /// a·b at `p` bits.
    pub fn mul_at(&self, o: &Interval<Dyadic>, p: u64) -> Interval<Dyadic> {
        if !self.lo.m.is_negative() && !o.lo.m.is_negative() {
            return Self::out(self.lo.mul(&o.lo), self.hi.mul(&o.hi), p); // 0 ≤ both: [lo·lo, hi·hi]
        }
        let v = [
            self.lo.mul(&o.lo),
            self.lo.mul(&o.hi),
            self.hi.mul(&o.lo),
            self.hi.mul(&o.hi),
        ];
        let (mut lo, mut hi) = (v[0].clone(), v[0].clone());
        for x in &v[1..] {
            if x.less(&lo) {
                lo = x.clone();
            }
            if hi.less(x) {
                hi = x.clone();
            }
        }
        Self::out(lo, hi, p)
    }
    /// The largest ⌊log₂|v|⌋ of the two endpoints.
    pub fn log2(&self) -> Option<i64> {
        self.lo.log2().max(self.hi.log2())
    }
    /// Whether every element is > 0.
    pub fn positive(&self) -> bool {
        self.lo.m.is_positive()
    }
    /// Whether every element is < 0.
    pub fn negative(&self) -> bool {
        self.hi.m.is_negative()
    }
    /// The same enclosure with exact rational endpoints.
    pub fn exact(&self) -> Interval<Q> {
        Interval {
            lo: self.lo.q(),
            hi: self.hi.q(),
        }
    }
}
