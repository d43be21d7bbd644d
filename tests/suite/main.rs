//! The integration test suite, one binary: every file here is a module (so the library's generic
//! code is compiled once for all of them, not once per file — issue 9's fresh-clone CPU budget).
//! Run one part with `cargo test --release --test suite -- cli::` (a module path filter).

mod audit;
mod audit_estimates;
mod certified_gd;
mod certified_gd_points;
mod certified_learner_points;
mod certified_sweep;
mod checking;
mod cli;
mod common;
mod coq;
mod derivatives;
mod descent_commands;
mod docs;
mod dynamics;
mod float256;
mod flow;
mod gauss_newton;
mod gd_endpoint;
mod generalization;
mod generalization_commands;
mod generalization_points;
mod generalization_tamper;
mod held_out;
mod initialisation;
mod instance_reading;
mod kernel_soundness;
mod layout;
mod limits;
mod low_rank_sharpness;
mod models;
mod multipoint;
mod report;
mod scalar_laws;
mod sgd;
mod shards;
mod sharpness;
mod t1;
mod tamper;
mod terminal;
mod trajectory;
mod unit;
mod verified_sharpness;
mod walk;
