//! Diagonal linear network parametrisations β(θ) (SPEC §1), written once over [`Scalar`].
//!
//! Parameter layout: `shared` and `shared-depth` have θ = w (length d); `uv` and `pm` have
//! θ = (u, v) stored as `[u_0..u_{d-1}, v_0..v_{d-1}]` (length 2d).
//! Every β_i depends on its own block of θ only, so the Jacobian of β is block diagonal; this
//! module exposes that block structure ([`dbeta`], [`d2beta`]) and [`crate::models::loss`] assembles the
//! loss derivatives from it.

pub use crate::io::instance::Model;
use crate::numeric::scalar::Scalar;

/// Number of parameters for dimension `d`.
pub fn param_count(model: Model, d: usize) -> usize {
    d * model.block()
}

/// Dimension d for a parameter vector of length `p`.
pub fn dim_of(model: Model, p: usize) -> usize {
    p / model.block()
}

fn pow<S: Scalar>(w: &S, k: u32) -> S {
    let mut acc = w.int_like(1);
    for _ in 0..k {
        acc = acc * w.clone();
    }
    acc
}

/// β(θ): `w⊙w`, `u⊙v`, `u⊙u − v⊙v`, or `w^{⊙D}`.
pub fn beta<S: Scalar>(model: Model, theta: &[S]) -> Vec<S> {
    let d = dim_of(model, theta.len());
    (0..d).map(|i| beta_i(model, theta, d, i)).collect()
}

/// β_i(θ).
pub fn beta_i<S: Scalar>(model: Model, theta: &[S], d: usize, i: usize) -> S {
    match model {
        Model::Shared => theta[i].clone() * theta[i].clone(),
        Model::SharedDepth(k) => pow(&theta[i], k),
        Model::Uv => theta[i].clone() * theta[d + i].clone(),
        Model::Pm => theta[i].clone() * theta[i].clone() - theta[d + i].clone() * theta[d + i].clone(),
    }
}

/// ∂β_i/∂θ as sparse `(parameter index, value)` pairs (one or two entries).
pub fn dbeta<S: Scalar>(model: Model, theta: &[S], d: usize, i: usize) -> Vec<(usize, S)> {
    let two = theta[i].int_like(2);
    match model {
        Model::Shared => vec![(i, two * theta[i].clone())],
        Model::SharedDepth(k) => vec![(i, theta[i].int_like(k as i64) * pow(&theta[i], k - 1))],
        Model::Uv => vec![(i, theta[d + i].clone()), (d + i, theta[i].clone())],
        Model::Pm => vec![(i, two.clone() * theta[i].clone()), (d + i, -(two * theta[d + i].clone()))],
    }
}

/// ∂²β_i/∂θ∂θ as sparse `(row, column, value)` triples.
pub fn d2beta<S: Scalar>(model: Model, theta: &[S], d: usize, i: usize) -> Vec<(usize, usize, S)> {
    let one = theta[i].int_like(1);
    let two = theta[i].int_like(2);
    match model {
        Model::Shared => vec![(i, i, two)],
        Model::SharedDepth(k) => {
            let c = theta[i].int_like((k * (k - 1)) as i64);
            vec![(i, i, c * pow(&theta[i], k - 2))]
        }
        Model::Uv => vec![(i, d + i, one.clone()), (d + i, i, one)],
        Model::Pm => vec![(i, i, two.clone()), (d + i, d + i, -two)],
    }
}

/// N(θ) = ‖θ‖₂², the sum of squares of all parameters.
pub fn norm<S: Scalar>(theta: &[S]) -> S {
    let mut acc = theta[0].zero_like();
    for t in theta {
        acc = acc + t.clone() * t.clone();
    }
    acc
}

/// Norm and sharpness on the zero-loss manifold, written in β (SPEC §2), for one data point.
///
/// For every θ on M, N(θ) ≥ a·Σ|β_i| and S(θ) ≥ b·Σ x_i²|β_i|, with equality at the balanced
/// factorisation, so minimising N or S over M is a weighted ℓ1 problem over {⟨x, β⟩ = y}
/// (with β ≥ 0 when `signed`):
/// - `shared` (β = w²): N = Σβ_i, H = 4aaᵀ at r = 0 so S = 4Σx_i²β_i; a = 1, b = 4, β ≥ 0.
/// - `uv` (β = uv): u²+v² ≥ 2|uv| (AM–GM); ∇r = (x⊙v, x⊙u), S = ‖∇r‖² = Σx_i²(u_i²+v_i²);
///   a = 2, b = 2, β free.
/// - `pm` (β = u²−v²): u²+v² ≥ |u²−v²| (equality with one of u_i, v_i zero);
///   ∇r = (2x⊙u, −2x⊙v), S = 4Σx_i²(u_i²+v_i²); a = 1, b = 4, β free.
/// - `shared-depth` (D > 2): N = Σβ_i^{2/D} is not linear in β; not covered (`None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BetaSpace {
    /// a: N = a·Σ|β_i| on the optimal fibre.
    pub norm_weight: i64,
    /// b: S = b·Σx_i²|β_i| on the optimal fibre.
    pub sharp_weight: i64,
    /// Whether β is constrained to β ≥ 0.
    pub signed: bool,
}

/// The [`BetaSpace`] of a model, if its T1 problems are weighted ℓ1 problems.
pub fn beta_space(model: Model) -> Option<BetaSpace> {
    match model {
        Model::Shared | Model::SharedDepth(2) => Some(BetaSpace { norm_weight: 1, sharp_weight: 4, signed: true }),
        Model::Uv => Some(BetaSpace { norm_weight: 2, sharp_weight: 2, signed: false }),
        Model::Pm => Some(BetaSpace { norm_weight: 1, sharp_weight: 4, signed: false }),
        Model::SharedDepth(_) => None,
    }
}
