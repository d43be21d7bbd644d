//! Extreme eigenvalues of a diagonal-plus-rank-one matrix D + zzᵀ by the secular equation
//! (SPEC §6: "for `shared` n = 1 the Hessian is diagonal plus rank one, so its eigenvalues solve a
//! secular equation (O(d) per evaluation)"). Written once over [`Scalar`]: on exact rationals the
//! bisection decides every sign exactly, so its brackets are enclosures; on floats they are
//! untrusted estimates. Which matrices of the models have this form is
//! [`crate::models::loss::rank_one_form`].

use crate::numeric::scalar::Scalar;

/// Enclosures `(lo, hi)` of the largest and smallest Hessian eigenvalues. For `Q` they are
/// certified; for float types they are the float bisection's bracket (untrusted).
#[derive(Clone, Debug)]
pub struct Spectrum<S> {
    pub max: (S, S),
    pub min: (S, S),
}

impl<S: Scalar> Spectrum<S> {
    /// Enclosure of S = max(λ_max, −λ_min).
    pub fn sharpness(&self) -> (S, S) {
        let lo = if self.max.0 >= -self.min.1.clone() {
            self.max.0.clone()
        } else {
            -self.min.1.clone()
        };
        let hi = if self.max.1 >= -self.min.0.clone() {
            self.max.1.clone()
        } else {
            -self.min.0.clone()
        };
        (lo, hi)
    }

    /// Which end of the spectrum attains S: `"top"` (λ_max) or `"bottom"` (−λ_min).
    pub fn end(&self) -> &'static str {
        if self.max.1 >= -self.min.0.clone() {
            "top"
        } else {
            "bottom"
        }
    }
}

fn secular<S: Scalar>(lambda: &S, delta: &[S], z2: &[S], support: &[usize]) -> S {
    let mut acc = lambda.zero_like();
    for &i in support {
        acc = acc + z2[i].clone() / (lambda.clone() - delta[i].clone());
    }
    acc - lambda.int_like(1)
}

fn bisect<S: Scalar>(mut lo: S, mut hi: S, iters: usize, f: impl Fn(&S) -> S) -> (S, S) {
    let two = lo.int_like(2);
    for _ in 0..iters {
        let mid = (lo.clone() + hi.clone()) / two.clone();
        if mid <= lo || mid >= hi {
            break;
        }
        if f(&mid) > mid.zero_like() {
            lo = mid
        } else {
            hi = mid
        }
    }
    (lo, hi)
}

/// Largest and smallest eigenvalues of D + zzᵀ (D = diag δ, weights z_i² ≥ 0) in O(d) per
/// bisection step.
///
/// Facts used (interlacing for a positive rank-one update): let T = Σz_i² and restrict the
/// secular function f(λ) = Σ_{z_i≠0} z_i²/(λ − δ_i) − 1 to indices with z_i ≠ 0.
/// - λ_max = max(max_i δ_i, the root of f in (δ*, δ* + T]), δ* = max δ over z_i ≠ 0;
///   f decreases from +∞ to f(δ* + T) ≤ 0 there.
/// - λ_min = min(the smallest deflated eigenvalue, the root of f between the smallest δ with
///   z ≠ 0 and the next larger one (or δ + T when there is none)); deflated eigenvalues are the
///   δ_i with z_i = 0 and the δ of a repeated value among z_i ≠ 0.
///
/// Each root is bracketed by `iters` bisection steps on the sign of f (exact for Q).
pub fn extreme_eigenvalues<S: Scalar>(delta: &[S], z2: &[S], iters: usize) -> Spectrum<S> {
    let zero = delta[0].zero_like();
    let support: Vec<usize> = (0..delta.len()).filter(|&i| z2[i] > zero).collect();
    let mut dmax = delta[0].clone();
    let mut dmin = delta[0].clone();
    for v in delta {
        if *v > dmax {
            dmax = v.clone();
        }
        if *v < dmin {
            dmin = v.clone();
        }
    }
    if support.is_empty() {
        return Spectrum {
            max: (dmax.clone(), dmax),
            min: (dmin.clone(), dmin),
        };
    }
    let mut total = zero.clone();
    for &i in &support {
        total = total + z2[i].clone();
    }
    let f = |l: &S| secular(l, delta, z2, &support);
    let mut top = delta[support[0]].clone();
    let mut low = top.clone();
    for &i in &support {
        if delta[i] > top {
            top = delta[i].clone();
        }
        if delta[i] < low {
            low = delta[i].clone();
        }
    }
    let (lo, hi) = bisect(top.clone(), top + total.clone(), iters, f);
    let max = if dmax >= hi {
        (dmax.clone(), dmax)
    } else if dmax > lo {
        (dmax, hi)
    } else {
        (lo, hi)
    };
    // Deflated eigenvalues: δ_i with z_i = 0, and δ of a group of equal δ's among z_i ≠ 0
    // (multiplicity − 1 of them stay put).
    let mut deflated: Option<S> = None;
    for (i, v) in delta.iter().enumerate() {
        let stays = z2[i].partial_cmp(&zero) != Some(std::cmp::Ordering::Greater)
            || support.iter().any(|&j| j != i && delta[j] == *v);
        if stays && deflated.as_ref().is_none_or(|m| v < m) {
            deflated = Some(v.clone());
        }
    }
    let mut next: Option<S> = None;
    for &i in &support {
        if delta[i] > low && next.as_ref().is_none_or(|n| delta[i] < *n) {
            next = Some(delta[i].clone());
        }
    }
    let upper = next.unwrap_or_else(|| low.clone() + total);
    let (lo, hi) = bisect(low, upper, iters, f);
    let min = match deflated {
        Some(m) if m <= lo => (m.clone(), m),
        Some(m) if m < hi => (lo, m),
        _ => (lo, hi),
    };
    Spectrum { max, min }
}
