//! Gradient descent (SPEC §4, §4.1): float and arbitrary-precision runs ([`gd`]), the sample
//! order of mini-batch SGD ([`sgd`]), the certified interval trajectory and tail theorem
//! ([`certified_gd`]), and the Edge-of-Stability checks ([`eos`]). Imports everything below it: [`crate::numeric`], [`crate::models`],
//! [`crate::spectra`], [`crate::theory`], [`crate::io::instance`].

pub mod certified_gd;
pub mod eos;
pub mod gd;
pub mod precision;
pub mod sgd;
