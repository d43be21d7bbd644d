//! Eigenvalues (SPEC §6): certified enclosures of λ_max and λ_min in exact arithmetic
//! ([`certified`]) and the untrusted float estimates an audit judges ([`estimate`]: power
//! iteration, Lanczos), and the float-speed certified route for binary64 matrices
//! ([`verified_cholesky`]: a verified Cholesky and a double-double witness), and both ends of a diagonal-plus-rank-one spectrum certified in O(d)
//! per step ([`rank_one`], the route of `audit --instance` on one-point `shared`). Imports [`crate::numeric`], [`crate::models`] and [`crate::io::instance`].

pub mod certified;
pub mod estimate;
pub mod gauss_newton;
pub mod rank_one;
pub mod secular;
pub mod verified_cholesky;
