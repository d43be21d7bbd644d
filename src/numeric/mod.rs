//! The numeric core: exact rationals, the scalar trait over which the models are written once
//! (rationals, f32, f64, 256-bit and arbitrary-precision floats), enclosures, and the exact
//! linear algebra the theory stands on (LDLᵀ, simplex, convex QP). Imports nothing else of the
//! crate but [`crate::error`].

pub mod bracket;
pub mod decimal;
pub mod float256;
pub mod interval;
pub mod ldl;
pub mod qp;
pub mod random;
pub mod rational;
pub mod scalar;
pub mod simplex;
pub mod vector;
