//! Diagonal linear network parametrisations β(θ) (SPEC §1), written once over [`Scalar`].
//!
//! Parameter layout: `shared` and `shared-depth` have θ = w (length d); `uv` and `pm` have
//! θ = (u, v) stored as `[u_0..u_{d-1}, v_0..v_{d-1}]` (length 2d).
//! Every β_i depends on its own block of θ only, so the Jacobian of β is block diagonal; this
//! module exposes that block structure ([`partials`]), from which the loss module assembles the
//! loss derivatives. It imports only [`crate::numeric`] and the instance's [`Model`].

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
        Model::Pm => {
            theta[i].clone() * theta[i].clone() - theta[d + i].clone() * theta[d + i].clone()
        }
    }
}

/// The first and second derivatives of one β_i with respect to its own block of θ (SPEC §1),
/// held in fixed-size arrays (no allocation): the non-zero entries of ∂β_i/∂θ as
/// `(parameter index, value)` ([`Partials::grad`]) and of ∂²β_i/∂θ∂θ as `(row, column, value)`
/// ([`Partials::hess`]). With w = θ_i and (u, v) = (θ_i, θ_{d+i}):
///
/// | model | β_i | ∂β_i | ∂²β_i |
/// |---|---|---|---|
/// | `shared` | w² | ∂_w = 2w | ∂_ww = 2 |
/// | `shared-depth` D | w^D | ∂_w = D·w^{D−1} | ∂_ww = D(D−1)·w^{D−2} |
/// | `uv` | u·v | ∂_u = v, ∂_v = u | ∂_uv = ∂_vu = 1 |
/// | `pm` | u² − v² | ∂_u = 2u, ∂_v = −2v | ∂_uu = 2, ∂_vv = −2 |
#[derive(Clone, Debug)]
pub struct Partials<S> {
    grad: [(usize, S); 2],
    grads: usize,
    hess: [(usize, usize, S); 2],
    hesses: usize,
}

impl<S> Partials<S> {
    /// The non-zero first derivatives (one entry, or two for `uv` and `pm`).
    pub fn grad(&self) -> &[(usize, S)] {
        &self.grad[..self.grads]
    }

    /// The non-zero second derivatives (one entry, or two for `uv` and `pm`).
    pub fn hess(&self) -> &[(usize, usize, S)] {
        &self.hess[..self.hesses]
    }
}

/// The [`Partials`] of β_i at θ (d = dimension of β).
pub fn partials<S: Scalar>(model: Model, theta: &[S], d: usize, i: usize) -> Partials<S> {
    let w = &theta[i];
    let two = w.int_like(2);
    let zero = w.zero_like();
    let one = |g: S, h: S| Partials {
        grad: [(i, g), (i, zero.clone())],
        grads: 1,
        hess: [(i, i, h), (i, i, zero.clone())],
        hesses: 1,
    };
    match model {
        Model::Shared => one(two.clone() * w.clone(), two),
        Model::SharedDepth(k) => one(
            w.int_like(k as i64) * pow(w, k - 1),
            w.int_like((k * (k - 1)) as i64) * pow(w, k - 2),
        ),
        Model::Uv => {
            let unit = w.int_like(1);
            Partials {
                grad: [(i, theta[d + i].clone()), (d + i, w.clone())],
                grads: 2,
                hess: [(i, d + i, unit.clone()), (d + i, i, unit)],
                hesses: 2,
            }
        }
        Model::Pm => Partials {
            grad: [
                (i, two.clone() * w.clone()),
                (d + i, -(two.clone() * theta[d + i].clone())),
            ],
            grads: 2,
            hess: [(i, i, two.clone()), (d + i, d + i, -two)],
            hesses: 2,
        },
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
        Model::Shared | Model::SharedDepth(2) => Some(BetaSpace {
            norm_weight: 1,
            sharp_weight: 4,
            signed: true,
        }),
        Model::Uv => Some(BetaSpace {
            norm_weight: 2,
            sharp_weight: 2,
            signed: false,
        }),
        Model::Pm => Some(BetaSpace {
            norm_weight: 1,
            sharp_weight: 4,
            signed: false,
        }),
        Model::SharedDepth(_) => None,
    }
}
