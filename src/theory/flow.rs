//! Certified gradient flow for `shared` on one data point (SPEC §4).
//!
//! Along gradient flow θ' = −∇L, β_i(t) = β0_i·e^{−4x_iρ(t)} with ρ(t) = ∫_0^t r, and
//! ρ' = r = g(ρ) := Σ_i x_i β0_i e^{−4x_iρ} − y. Since g'(ρ) = −4Σ x_i²β0_i e^{−4x_iρ} < 0, g is
//! strictly decreasing, ρ moves monotonically from 0 to the unique root ρ* of g, and the flow
//! visits every ρ between 0 and ρ* exactly once. Hence
//! - the GF limit is β* = β(ρ*), with N = Σβ*_i and (r = 0) S_GF = 4Σx_i²β*_i;
//! - max_t S(GF) = max over ρ ∈ hull(0, ρ*) of S(w(ρ)), S = max|λ| of ∇²L = 4aaᵀ + 2r diag(x).
//!
//! Everything here is an enclosure computed with [`Interval`] arithmetic (sound exp):
//! - ρ* ∈ [a, b] with g(a) > 0 > g(b) certified (a bracket around an f64 estimate, or by
//!   doubling), narrowed by certified bisection to relative width 2^-(bits−24);
//! - max S: branch and bound over sub-intervals J of hull(0, ρ*). On J, β_i is monotone in ρ and
//!   so is r = g(ρ), so enclosures of z_i² = 4x_i²β_i and δ_i = 2x_i r on J come from the ends of
//!   J. Upper bound on J: λ_max ≤ λ whenever λ > max δ_i^hi and Σ (z_i²)^hi/(λ − δ_i^hi) ≤ 1
//!   (each term increases with z² and δ, so the secular function of every ρ ∈ J is ≤ 0 at λ),
//!   and −λ_min ≤ −min δ_i^lo (Weyl: D + zzᵀ ⪰ D). Lower bound at a point ρ: λ_max ≥ max δ_i,
//!   λ_max ≥ λ whenever λ > max δ_i^hi and Σ (z_i²)^lo/(λ − δ_i^lo) > 1, and −λ_min ≥ −(z_j² + δ_j)
//!   (Rayleigh quotient at e_j). The reported enclosure [lo, hi] of max S is the best point lower
//!   bound and the largest upper bound over sub-intervals not yet discarded; its width is the
//!   method's stated error. η_c = 2/max S is then enclosed by [2/hi, 2/lo].

use crate::error::{Error, Result};
use crate::io::instance::Model;
use crate::models::problem::Problem;
use crate::numeric::interval::{Interval, round_down};
use crate::numeric::rational::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// Gradient flow of a `shared` one-point problem, evaluated at `bits` significant bits.
#[derive(Clone, Debug)]
pub struct Flow {
    x: Vec<Q>,
    beta0: Vec<Q>,
    y: Q,
    bits: u64,
}

/// The state of the flow at one ρ: enclosures of every β_i and of r = g(ρ).
#[derive(Clone, Debug)]
pub struct Point {
    pub rho: Q,
    pub beta: Vec<Interval>,
    pub r: Interval,
}

/// Fixed-point enclosures of the secular terms: z² in [z_lo, z_hi], δ in [d_lo, d_hi].
struct Terms {
    z_lo: Vec<BigInt>,
    z_hi: Vec<BigInt>,
    d_lo: Vec<BigInt>,
    d_hi: Vec<BigInt>,
}

/// The certified GF limit.
#[derive(Clone, Debug)]
pub struct Limit {
    pub rho: Interval,
    pub beta: Vec<Interval>,
    pub norm: Interval,
    /// S_GF = 4Σx_i²β*_i (at the limit r = 0).
    pub sharpness: Interval,
}

/// Enclosure of max_t S along the flow and the ρ of the best lower bound.
#[derive(Clone, Debug)]
pub struct MaxSharpness {
    pub value: Interval,
    pub rho: Q,
    /// Sub-intervals evaluated.
    pub pieces: usize,
}

fn q(n: i64) -> Q {
    Q::from_integer(n.into())
}

impl Flow {
    /// The flow of a GD problem; `shared` only (the closed form above is for β = w⊙w).
    pub fn new(p: &Problem, bits: u64) -> Result<Flow> {
        if p.model != Model::Shared {
            return Err(Error::Usage(format!(
                "gradient flow is certified for the shared model only, not {}",
                p.model.name()
            )));
        }
        Ok(Flow {
            x: p.x.clone(),
            beta0: p.beta0(),
            y: p.y.clone(),
            bits,
        })
    }

    /// β(ρ) and r(ρ) enclosed at a rational ρ.
    pub fn at(&self, rho: &Q) -> Point {
        let mut r = Interval::point(-self.y.clone());
        let beta: Vec<Interval> = self
            .x
            .iter()
            .zip(&self.beta0)
            .map(|(x, b0)| {
                let t = -(q(4) * x * rho);
                let (lo, hi) = crate::numeric::interval::exp_bounds(&t, self.bits);
                Interval::hull(lo, hi).scale(b0)
            })
            .collect();
        for (x, b) in self.x.iter().zip(&beta) {
            r = r.add(&b.scale(x));
        }
        Point {
            rho: rho.clone(),
            beta,
            r: r.round(self.bits),
        }
    }

    /// The certified limit ρ* and β*, N, S_GF.
    pub fn limit(&self) -> Result<Limit> {
        let origin = self.at(&Q::zero());
        let rho = if origin.r.lo().is_zero() && origin.r.hi().is_zero() {
            Interval::point(Q::zero())
        } else {
            let up = origin.r.positive();
            let (mut pos, mut neg) = match self.narrow_bracket(up) {
                Some(b) => b,
                None => self.wide_bracket(up)?,
            };
            let stop = Q::new(
                1.into(),
                num_bigint::BigInt::one() << (self.bits as usize).saturating_sub(24),
            );
            for _ in 0..(self.bits + 128) {
                let scale = pos.abs().max(neg.abs()).max(q(1));
                if (&neg - &pos).abs() <= &stop * scale {
                    break;
                }
                let mid = round_down(&((&pos + &neg) / q(2)), self.bits + 8);
                if mid == pos || mid == neg {
                    break;
                }
                let g = self.at(&mid).r;
                if g.positive() {
                    pos = mid;
                } else if g.negative() {
                    neg = mid;
                } else {
                    break;
                }
            }
            Interval::hull(pos, neg)
        };
        let lo = self.at(rho.lo());
        let hi = self.at(rho.hi());
        let beta: Vec<Interval> = lo
            .beta
            .iter()
            .zip(&hi.beta)
            .map(|(a, b)| a.join(b))
            .collect();
        let mut norm = Interval::point(Q::zero());
        let mut sharp = Interval::point(Q::zero());
        for (x, b) in self.x.iter().zip(&beta) {
            norm = norm.add(b);
            sharp = sharp.add(&b.scale(&(q(4) * x * x)));
        }
        Ok(Limit {
            rho,
            beta,
            norm,
            sharpness: sharp,
        })
    }

    /// A certified bracket (ρ with g > 0, ρ with g < 0) found by doubling |ρ| from 0.
    fn wide_bracket(&self, up: bool) -> Result<(Q, Q)> {
        let mut far = if up { q(1) } else { q(-1) };
        for _ in 0..64 {
            let g = self.at(&far).r;
            if (up && g.negative()) || (!up && g.positive()) {
                return Ok(if up {
                    (Q::zero(), far)
                } else {
                    (far, Q::zero())
                });
            }
            far *= q(2);
        }
        Err(Error::Usage(
            "gradient flow: no root of g(ρ) = Σ x_i β0_i e^{−4x_iρ} − y found within |ρ| ≤ 2^64"
                .into(),
        ))
    }

    /// An untrusted f64 bisection for ρ*, then a certified bracket of relative width about
    /// 2^-40 around it (`None` if the certification fails; the caller falls back).
    fn narrow_bracket(&self, up: bool) -> Option<(Q, Q)> {
        let x: Vec<f64> = self
            .x
            .iter()
            .map(crate::numeric::scalar::q_to_f64)
            .collect();
        let b0: Vec<f64> = self
            .beta0
            .iter()
            .map(crate::numeric::scalar::q_to_f64)
            .collect();
        let y = crate::numeric::scalar::q_to_f64(&self.y);
        let g = |rho: f64| {
            x.iter()
                .zip(&b0)
                .map(|(x, b)| x * b * (-4.0 * x * rho).exp())
                .sum::<f64>()
                - y
        };
        let mut far = if up { 1.0 } else { -1.0 };
        while g(far).is_finite() && (g(far) > 0.0) == up && far.abs() < 1e300 {
            far *= 2.0;
        }
        let (mut a, mut b) = if up { (0.0, far) } else { (far, 0.0) };
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if m <= a || m >= b {
                break;
            }
            if g(m) > 0.0 { a = m } else { b = m }
        }
        let guess = Q::from_float(0.5 * (a + b))?;
        let mut h = (crate::numeric::rational::abs(&guess) + Q::new(1.into(), 1_000_000.into()))
            * Q::new(1.into(), num_bigint::BigInt::one() << 40);
        for _ in 0..4 {
            let (lo, hi) = (&guess - &h, &guess + &h);
            if self.at(&lo).r.positive() && self.at(&hi).r.negative() {
                return Some((lo, hi));
            }
            h *= q(256);
        }
        None
    }

    /// Fixed-point enclosures (units of 2^-bits, rounded outward) of z_i² = 4x_i²β_i and
    /// δ_i = 2x_i r over the ρ-interval between two evaluated points.
    fn terms(&self, a: &Point, b: &Point) -> Terms {
        let w = self.bits as usize;
        let down = |v: &Q| (v.numer() << w).div_floor(v.denom());
        let up = |v: &Q| (v.numer() << w).div_ceil(v.denom());
        let r = a.r.join(&b.r);
        let mut t = Terms {
            z_lo: Vec::new(),
            z_hi: Vec::new(),
            d_lo: Vec::new(),
            d_hi: Vec::new(),
        };
        for (i, x) in self.x.iter().enumerate() {
            let z = a.beta[i].join(&b.beta[i]).scale(&(q(4) * x * x));
            let d = r.scale(&(q(2) * x));
            t.z_lo.push(down(z.lo()));
            t.z_hi.push(up(z.hi()));
            t.d_lo.push(down(d.lo()));
            t.d_hi.push(up(d.hi()));
        }
        t
    }

    /// Σ z_i²/(λ − δ_i) in units of 2^-bits, each term rounded up with z², δ at their upper
    /// ends (`upper`), or down with their lower ends; λ − δ_i must be positive.
    fn secular_sum(&self, lambda: &BigInt, t: &Terms, upper: bool) -> BigInt {
        let w = self.bits as usize;
        let (z, d) = if upper {
            (&t.z_hi, &t.d_hi)
        } else {
            (&t.z_lo, &t.d_lo)
        };
        let mut acc = BigInt::zero();
        for (zi, di) in z.iter().zip(d) {
            let n = zi << w;
            let m = lambda - di;
            acc += if upper {
                n.div_ceil(&m)
            } else {
                n.div_floor(&m)
            };
        }
        acc
    }

    fn to_q(&self, v: BigInt) -> Q {
        Q::new(v, BigInt::one() << self.bits as usize)
    }

    /// A certified upper bound on S(ρ) for every ρ between the points `a` and `b`.
    fn upper(&self, a: &Point, b: &Point) -> Q {
        let t = self.terms(a, b);
        let one = BigInt::one() << self.bits as usize;
        let dh = t.d_hi.iter().max().cloned().unwrap_or_default();
        let dl = t.d_lo.iter().min().cloned().unwrap_or_default();
        let total: BigInt = t.z_hi.iter().sum();
        // At λ = dh + total every term is ≤ z_i/total, so the sum is ≤ 1: a valid bound.
        let mut lo = dh.clone();
        let mut hi = &dh + &total;
        for _ in 0..40 {
            let mid: BigInt = (&lo + &hi) >> 1;
            if mid <= lo || mid >= hi {
                break;
            }
            if self.secular_sum(&mid, &t, true) <= one {
                hi = mid
            } else {
                lo = mid
            }
        }
        self.to_q(hi.max(-dl))
    }

    /// A certified lower bound on S at the point `p`.
    fn lower(&self, p: &Point) -> Q {
        let t = self.terms(p, p);
        let one = BigInt::one() << self.bits as usize;
        let dh = t.d_hi.iter().max().cloned().unwrap_or_default();
        let mut best = t.d_lo.iter().max().cloned().unwrap_or_default();
        let total: BigInt = t.z_hi.iter().sum();
        let (mut lo, mut hi) = (dh.clone(), &dh + &total);
        for _ in 0..40 {
            let mid: BigInt = (&lo + &hi) >> 1;
            if mid <= lo || mid >= hi {
                break;
            }
            if self.secular_sum(&mid, &t, false) > one {
                best = best.max(mid.clone());
                lo = mid;
            } else {
                hi = mid;
            }
        }
        for (z, d) in t.z_hi.iter().zip(&t.d_hi) {
            best = best.max(-(z + d));
        }
        self.to_q(best)
    }

    /// Encloses max S over ρ ∈ hull(0, ρ*) by branch and bound: `pieces` equal sub-intervals,
    /// then up to `rounds` halvings of every sub-interval whose upper bound exceeds the best lower
    /// bound, stopping when the relative width is ≤ 2^-20.
    pub fn max_sharpness(&self, limit: &Limit, pieces: usize, rounds: usize) -> MaxSharpness {
        let a = limit.rho.lo().clone().min(Q::zero());
        let b = limit.rho.hi().clone().max(Q::zero());
        let n = pieces.max(1);
        let pts: Vec<Point> = (0..=n)
            .map(|k| self.at(&(&a + (&b - &a) * Q::new((k as i64).into(), (n as i64).into()))))
            .collect();
        let mut best_lo = Q::zero();
        let mut best_rho = Q::zero();
        for p in &pts {
            let l = self.lower(p);
            if l > best_lo {
                best_lo = l;
                best_rho = p.rho.clone();
            }
        }
        let mut live: Vec<(Point, Point, Q)> = pts
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone(), self.upper(&w[0], &w[1])))
            .collect();
        let mut count = live.len();
        let tol = Q::new(1.into(), (1i64 << 20).into());
        for _ in 0..rounds {
            live.retain(|(_, _, u)| *u > best_lo);
            let top = live
                .iter()
                .map(|(_, _, u)| u.clone())
                .max()
                .unwrap_or_else(|| best_lo.clone());
            if &top - &best_lo <= &tol * &best_lo.abs() || live.len() > 4096 {
                break;
            }
            let mut next = Vec::with_capacity(2 * live.len());
            for (p, r, _) in live {
                let m = self.at(&((&p.rho + &r.rho) / q(2)));
                let l = self.lower(&m);
                if l > best_lo {
                    best_lo = l;
                    best_rho = m.rho.clone();
                }
                let u1 = self.upper(&p, &m);
                let u2 = self.upper(&m, &r);
                next.push((p, m.clone(), u1));
                next.push((m, r, u2));
                count += 2;
            }
            live = next;
        }
        let top = live
            .iter()
            .filter(|(_, _, u)| *u > best_lo)
            .map(|(_, _, u)| u.clone())
            .max()
            .unwrap_or_else(|| best_lo.clone());
        MaxSharpness {
            value: Interval::hull(best_lo, top),
            rho: best_rho,
            pieces: count,
        }
    }
}
