//! The theorems' objects: T1 optima and the Pareto front (SPEC §2), generalization and the
//! faces of ties (§3), several data points (§5), the certified gradient-flow limit (§4), and the
//! counterexample search over random instances. Imports [`crate::numeric`], [`crate::models`],
//! [`crate::spectra`] and [`crate::io::instance`].

pub mod flow;
pub mod flow_limit;
pub mod generalization;
pub mod multipoint;
pub mod optimum;
pub mod pareto;
pub mod search;
