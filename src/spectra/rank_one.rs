//! Both ends of the spectrum of a diagonal-plus-rank-one matrix H = diag(D) + c·aaᵀ (c > 0),
//! certified in O(d) per step (SPEC §6: the `shared` one-point Hessian 2r·diag(x) + 4aaᵀ,
//! a = x ⊙ w). `audit --instance` uses it instead of the dense exact route.
//!
//! **The count.** For t outside D, the Haynsworth inertia formula applied twice to the bordered
//! matrix [[D − tI, a], [aᵀ, −1/c]] (Schur complements on either diagonal block) gives
//! n₋(H − tI) = n₋(D − tI) + n₋(S(t) − 1/c) − n₋(−1/c), with S(t) = Σ a_i²/(t − D_i), so
//!
//! #{eigenvalues of H below t} = #{i : D_i < t} − [c·S(t) ≥ 1],
//!
//! and t is an eigenvalue exactly when c·S(t) = 1. S(t) is enclosed by
//! [`secular_sum`] with every term rounded down or up
//! to a multiple of 2^−p (exact integers; the floors are valid for terms of either sign); a
//! probe whose sign the enclosure cannot decide is retried with more bits, then moved.
//!
//! **The ends.** λ_max starts from the certified bracket of
//! [`rank_one_max`] (the route of `sharpness
//! --instance`, relative width ≈ 1e-15 at best); λ_min starts from
//! [min D, min_i(D_i + c·a_i²)] (H ⪰ diag(D), and the Rayleigh quotient of e_i). Both are
//! narrowed by bisection on the count at short dyadic probes until the relative width is reached.
//! Exact ends are recognised: λ_min = min D when that value is repeated or carries a_i = 0
//! (a deflated eigenvalue), λ_max = max D when no root of the secular equation lies above it, and
//! the simplest rational of a narrow bracket is tried as an exact root (for d ≤
//! [`EXACT_ROOT_MAX`]).
//!
//! Everything here is exact and sound, but it is not a kernel claim kind: `audit` reports these
//! enclosures; `sharpness --instance --claim` writes the `lambda-max-rank-one` claim.

use crate::numeric::rational::{Q, pow2};
use crate::spectra::certified::{SECULAR_BITS, rank_one_max, relative_width, secular_sum};
use num_traits::{One, Signed, Zero};

/// Largest d for which the simplest rational of a bracket is tried as an exact eigenvalue (one
/// exact rational sum of d terms).
pub const EXACT_ROOT_MAX: usize = 2000;

/// Certified enclosures of the ends of the spectrum of diag(D) + c·aaᵀ.
#[derive(Clone, Debug, PartialEq)]
pub struct Ends {
    /// λ_max ∈ [lo, hi].
    pub max: (Q, Q),
    /// λ_min ∈ [lo, hi] (`None` when not asked for).
    pub min: Option<(Q, Q)>,
    /// min_i H_ii = min_i (D_i + c·a_i²) ≥ λ_min, a certified upper bound on λ_min.
    pub diagonal_min: Q,
}

/// The matrix diag(D) + c·aaᵀ with D sorted once (probes must avoid D).
struct RankOne<'a> {
    diag: &'a [Q],
    a: &'a [Q],
    c: &'a Q,
    sorted: Vec<Q>,
}

impl RankOne<'_> {
    /// #{eigenvalues < t} for t ∉ D, or `None` when 2^−p rounding up to p = 4096 cannot decide
    /// the sign of c·S(t) − 1 (t is then an eigenvalue or within rounding of one).
    fn count_below(&self, t: &Q) -> Option<usize> {
        if self.sorted.binary_search(t).is_ok() {
            return None;
        }
        let below = self.sorted.partition_point(|d| d < t);
        let mut p = SECULAR_BITS;
        while p <= 4096 {
            if self.c * secular_sum(self.diag, self.a, t, p, false) >= Q::one() {
                return Some(below.saturating_sub(1));
            }
            if self.c * secular_sum(self.diag, self.a, t, p, true) < Q::one() {
                return Some(below);
            }
            p *= 4;
        }
        None
    }

    /// Whether t ∉ D is exactly an eigenvalue: c·Σ a_i²/(t − D_i) = 1 in exact arithmetic (then
    /// #{eigenvalues < t} = #{D_i < t} − 1).
    fn is_eigenvalue(&self, t: &Q) -> bool {
        if self.diag.len() > EXACT_ROOT_MAX || self.sorted.binary_search(t).is_ok() {
            return false;
        }
        let s: Q = self
            .diag
            .iter()
            .zip(self.a)
            .filter(|(_, a)| !a.is_zero())
            .map(|(d, a)| a * a / (t - d))
            .sum();
        self.c * s == Q::one()
    }

    /// Whether t ∉ D is an eigenvalue shown by the rounded sums alone: every term exact at
    /// [`SECULAR_BITS`] bits (the two sums agree) and c·S(t) = 1.
    fn exact_hit(&self, t: &Q) -> bool {
        if self.sorted.binary_search(t).is_ok() {
            return false;
        }
        let lo = secular_sum(self.diag, self.a, t, SECULAR_BITS, false);
        self.c * &lo == Q::one() && lo == secular_sum(self.diag, self.a, t, SECULAR_BITS, true)
    }

    /// Narrows [lo, hi] ∋ λ by bisection, `below(t)` telling whether λ < t from the count.
    fn narrow(
        &self,
        mut lo: Q,
        mut hi: Q,
        width: &Q,
        floor: &Q,
        below: impl Fn(usize) -> bool,
    ) -> (Q, Q) {
        for _ in 0..20_000 {
            if hi <= lo || relative_width(&lo, &hi) <= *width || &hi - &lo <= *floor {
                break;
            }
            let span = &hi - &lo;
            let k = bits_below(&(&span / Q::from_integer(8.into())));
            let step = pow2(-(k + 3));
            let mid = ((&lo + &hi) / Q::from_integer(2.into()) * pow2(k)).floor() * pow2(-k);
            let mut moved = false;
            for j in [0i64, 1, -1, 2, -2, 3, -3] {
                let t = &mid + &step * Q::from_integer(j.into());
                if t <= lo || t >= hi {
                    continue;
                }
                if let Some(n) = self.count_below(&t) {
                    if below(n) {
                        hi = t
                    } else {
                        lo = t
                    }
                    moved = true;
                    break;
                }
            }
            if !moved {
                break;
            }
        }
        (lo, hi)
    }
}

/// Certified enclosures of λ_max and (unless `max_only`) λ_min of diag(D) + c·aaᵀ, c > 0, each
/// to relative width `width` where reachable (an end at 0 stops at an absolute width of
/// `width`·2^−64 times the scale max|D| + c·‖a‖²).
pub fn ends(diag: &[Q], a: &[Q], c: &Q, width: &Q, max_only: bool) -> Ends {
    let n = diag.len();
    let mut sorted = diag.to_vec();
    sorted.sort();
    let m = RankOne { diag, a, c, sorted };
    let norm2: Q = a.iter().map(|x| x * x).sum();
    let dmax = m.sorted[n - 1].clone();
    let dmin = m.sorted[0].clone();
    let scale = dmax.abs().max(dmin.abs()) + c * &norm2;
    let floor = width * &scale * pow2(-64);
    let diagonal_min = diag
        .iter()
        .zip(a)
        .map(|(d, x)| d + c * x * x)
        .min()
        .unwrap_or_else(Q::zero);

    // λ_max ≥ max D; λ_max = max D when a vanishes wherever D is largest and c·S(max D) ≤ 1
    // (S decreases above max D, so no root lies above it).
    let top_free = diag.iter().zip(a).all(|(d, x)| *d != dmax || x.is_zero());
    let max = if top_free && c * secular_sum(diag, a, &dmax, SECULAR_BITS, true) <= Q::one() {
        (dmax.clone(), dmax.clone())
    } else {
        let cert = rank_one_max(diag, a, c, width);
        let (lo, hi) = m.narrow(cert.lo.max(dmax.clone()), cert.hi, width, &floor, |below| {
            below == n
        });
        exact_root(&m, lo, hi, n - 1)
    };

    let min = (!max_only).then(|| {
        // A deflated eigenvalue at min D: a repeated smallest D_i, or one with a_i = 0.
        let at_min: Vec<&Q> = diag
            .iter()
            .zip(a)
            .filter(|(d, _)| **d == dmin)
            .map(|(_, x)| x)
            .collect();
        if at_min.len() > 1 || at_min.iter().any(|x| x.is_zero()) {
            (dmin.clone(), dmin.clone())
        } else {
            let (lo, hi) = m.narrow(dmin.clone(), diagonal_min.clone(), width, &floor, |below| {
                below >= 1
            });
            exact_root(&m, lo, hi, 0)
        }
    });
    Ends {
        max,
        min,
        diagonal_min,
    }
}

/// [t, t] when the simplest rational t of [lo, hi] is exactly the eigenvalue with `rank`
/// eigenvalues below it; otherwise [lo, hi].
fn exact_root(m: &RankOne, lo: Q, hi: Q, rank: usize) -> (Q, Q) {
    if lo == hi {
        return (lo, hi);
    }
    // Only a probe the rounded sums cannot decide can be an eigenvalue with non-dyadic terms;
    // the exact sum (costly: its denominators multiply) is tried only then.
    let t = simplest_between(&lo, &hi);
    let root = || match m.count_below(&t) {
        None => m.is_eigenvalue(&t),
        Some(_) => m.exact_hit(&t),
    };
    if m.sorted.partition_point(|d| *d < t) == rank + 1 && root() {
        return (t.clone(), t);
    }
    (lo, hi)
}

/// A k with 2^−k ≤ q (q > 0), within one of the largest such k.
fn bits_below(q: &Q) -> i64 {
    q.denom().bits() as i64 - q.numer().bits() as i64 + 1
}

/// The rational with the smallest denominator in [lo, hi] (lo ≤ hi), by continued fractions.
pub fn simplest_between(lo: &Q, hi: &Q) -> Q {
    if lo.is_negative() && hi.is_positive() || lo.is_zero() || hi.is_zero() {
        return Q::zero();
    }
    if hi.is_negative() {
        return -simplest_between(&-hi, &-lo);
    }
    let fl = lo.floor();
    if fl == *lo {
        return fl;
    }
    if fl + Q::one() <= *hi {
        return lo.floor() + Q::one();
    }
    // lo and hi share the integer part f: recurse on 1/(hi − f) ≤ · ≤ 1/(lo − f).
    let f = lo.floor();
    let inner = simplest_between(&(hi - &f).recip(), &(lo - &f).recip());
    f + inner.recip()
}
