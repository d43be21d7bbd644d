//! The models of SPEC §1: the predictor β(θ), the square loss, its gradient, Hessian and
//! Hessian-vector products, written once over [`crate::numeric::scalar::Scalar`]. Imports
//! [`crate::numeric`] and [`crate::io::instance`].

pub mod model;
pub mod loss;
