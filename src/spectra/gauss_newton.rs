//! The sharpness S = max|λ(∇²L)| at several data points through the Gauss–Newton Gram matrix
//! (SPEC §5.1; docs/trajectory.md, "S at n > 1").
//!
//! ∇²L = (1/n)JᵀJ + C, where J (n × p) is the Jacobian of the residuals and C the curvature
//! part ([`crate::models::loss::curvature_bound`] bounds ‖C‖ by e). (1/n)JᵀJ is positive
//! semidefinite with the nonzero eigenvalues of the n × n matrix K = (1/n)JJᵀ
//! ([`crate::models::loss::gauss_newton_gram`]). Weyl's inequality then gives
//! λ_max(∇²L) ∈ [λ_max(K) − e, λ_max(K) + e] and λ_min(∇²L) ≥ −e, so with [lo, hi] ∋ λ_max(K)
//! certified by exact LDLᵀ ([`crate::spectra::certified::lambda_max`]):
//!
//! S ∈ [max(lo − e, 0), max(hi + e, e)], and S = λ_max(∇²L) (the top end) when lo − e ≥ e.
//!
//! At zero loss e = 0 and this is the n × n form of §5.1. Near it (a converged GD run at
//! high precision) e is of the order of the residual, and the enclosure is as tight as the
//! residual allows; far from it (early in a trajectory) e is large, and the full Hessian is
//! the better route: [`Enclosure::relative_width`] lets the caller choose.

use crate::models::loss::{Data, curvature_bound, gauss_newton_gram};
use crate::models::model::Model;
use crate::numeric::rational::Q;
use num_traits::{Signed, Zero};

/// A certified enclosure of S and the end of the spectrum it is known to come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Enclosure {
    pub lo: Q,
    pub hi: Q,
    /// `"top"` when S = λ_max is certified, else `"either"`.
    pub end: &'static str,
}

impl Enclosure {
    /// (hi − lo)/hi, or 0 when hi = 0.
    pub fn relative_width(&self) -> Q {
        if self.hi.is_zero() {
            Q::zero()
        } else {
            (&self.hi - &self.lo) / self.hi.abs()
        }
    }
}

/// The enclosure of S at the exact point θ, with λ_max(K) certified to relative `width`.
pub fn sharpness(model: Model, data: &Data<Q>, theta: &[Q], width: &Q) -> Enclosure {
    let k = gauss_newton_gram(model, data, theta);
    let e = curvature_bound(model, data, theta);
    let cert = crate::spectra::certified::lambda_max(&k, width);
    let top = &cert.lo - &e;
    let end = if top >= e { "top" } else { "either" };
    Enclosure {
        lo: top.max(Q::zero()),
        hi: (&cert.hi + &e).max(e),
        end,
    }
}
