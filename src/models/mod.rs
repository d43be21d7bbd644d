//! The models of SPEC §1: the predictor β(θ) and its block partials ([`model`]), the square
//! loss, its gradient, Hessian and Hessian-vector products ([`loss`]), written once over
//! [`crate::numeric::scalar::Scalar`] for `shared`, `uv`, `pm` and `shared-depth`, and the
//! one-point problem a trajectory starts from ([`problem`]). Imports [`crate::numeric`] and
//! [`crate::io::instance`]; `loss` imports `model`, never the reverse.

pub mod loss;
pub mod model;
pub mod problem;
