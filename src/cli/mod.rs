//! Command implementations behind the `dlncheck` binary. Each command is a function from its
//! parsed arguments to an exit code; all output goes through here, errors are single lines.

pub mod audit;
pub mod certify;
pub mod check;
pub mod random;
pub mod search;
pub mod gd;
pub mod multipoint;
pub mod sharpness;
pub mod solve;
pub mod sweep;

use crate::error::{Error, Result};
use std::path::Path;

/// Prints a JSON value to stdout, pretty.
pub fn print_json(v: &serde_json::Value) -> Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(|e| Error::Output { file: "<stdout>".into(), reason: e.to_string() })?;
    println!("{s}");
    Ok(())
}

/// Reads an instance file given on the command line.
pub fn instance(path: &Path) -> Result<crate::instance::Instance> {
    crate::instance::read_instance(path)
}
