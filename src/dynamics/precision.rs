//! The precision policy of float and exact trajectories (SPEC §4 "Precisions"): which
//! arithmetic a run uses, its default convergence tolerance, how many digits its output keeps,
//! and how long the secular bisection runs in it.

use crate::numeric::rational::Q;
use num_bigint::BigInt;
use num_traits::{One, Zero};

/// Most exact-rational steps allowed: bit sizes roughly triple per step (SPEC §4); on
/// `examples/eos.toml` 6 steps take ~6 s and 7 steps ~24 s, dominated by the exact secular
/// bisection on the final state.
pub const MAX_EXACT_STEPS: u64 = 6;

/// Bit counts accepted by `--precision BITS`.
pub const PRECISION_BITS: std::ops::RangeInclusive<usize> = 16..=65_536;

/// Arithmetic a trajectory runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
    /// Binary floating point with this many significand bits.
    Bits(usize),
    /// Exact rationals.
    Exact,
}

impl Precision {
    /// Parses `f32`, `f64`, a bit count, or `exact`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            "exact" => Ok(Precision::Exact),
            _ => {
                let bits: usize = s
                    .parse()
                    .map_err(|_| format!("`{s}` is not f32, f64, exact or a bit count"))?;
                if PRECISION_BITS.contains(&bits) {
                    Ok(Precision::Bits(bits))
                } else {
                    Err(format!(
                        "{bits} bits is out of range ({}..={})",
                        PRECISION_BITS.start(),
                        PRECISION_BITS.end()
                    ))
                }
            }
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> String {
        match self {
            Precision::F32 => "f32".into(),
            Precision::F64 => "f64".into(),
            Precision::Bits(b) => format!("{b}"),
            Precision::Exact => "exact".into(),
        }
    }

    /// Relative residual at which a run counts as converged by default: about 2^8–2^12 units in
    /// the last place of y, above the rounding floor of the residual (f32: 2^-15, f64: 2^-40,
    /// b bits: 2^-(b-12)); exact runs only at r = 0.
    pub fn default_rel_tol(&self) -> Q {
        let p = |k: usize| Q::new(BigInt::one(), BigInt::one() << k);
        match self {
            Precision::F32 => p(15),
            Precision::F64 => p(40),
            Precision::Bits(b) => p(b - 12),
            Precision::Exact => Q::zero(),
        }
    }

    /// Significant decimal digits that round-trip a value of this precision.
    pub fn digits(&self) -> usize {
        match self {
            Precision::F32 => 9,
            Precision::F64 => 17,
            Precision::Bits(b) => b * 30103 / 100_000 + 2,
            Precision::Exact => 40,
        }
    }
}

/// Bisection steps for the secular equation in a precision.
pub fn secular_iters(p: Precision) -> usize {
    match p {
        Precision::F32 | Precision::F64 => 200,
        Precision::Bits(b) => b + 64,
        Precision::Exact => 80,
    }
}

/// The [`BigFloat`](crate::numeric::scalar::BigFloat) context (bit count) for
/// `--precision BITS`, clamped to the supported range.
pub fn bigfloat_ctx(bits: usize) -> usize {
    bits.clamp(
        *crate::numeric::scalar::BIGFLOAT_BITS.start(),
        *crate::numeric::scalar::BIGFLOAT_BITS.end(),
    )
}
