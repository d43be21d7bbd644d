//! The integration test suite, one binary: every file here is a module (so the library's generic
//! code is compiled once for all of them, not once per file — issue 9's fresh-clone CPU budget).
//! Run one part with `cargo test --release --test suite -- cli::` (a module path filter).

mod audit;
mod audit_estimates;
mod certified_gd;
mod certified_gd_points;
mod checking;
mod cli;
mod common;
mod coq;
mod derivatives;
mod docs;
mod dynamics;
mod float256;
mod gd_cli;
mod gd_json;
mod generalization;
mod generalization_cli;
mod generalization_tamper;
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
mod sharpness;
mod sweep_certify;
mod t1;
mod tamper;
mod terminal;
mod trajectory;
mod unit;
mod verified_sharpness;
mod walk;
