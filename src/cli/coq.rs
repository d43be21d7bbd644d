//! `dlncheck coq CLAIM... -o DIR`: the claims as Coq theorems (SPEC §8), via
//! [`crate::io::coq::generate`]. Whether they hold is decided by `make -C DIR`, not here.
//!
//! Exit 0: every claim file was read (claims of kinds Coq does not cover are listed as NOT
//! COVERED). Exit 2: some claim file was unreadable or malformed; it is named on stderr (one
//! line each, escaped) and skipped, the other files' Coq is written, and the generated Makefile
//! fails after compiling them. Also exit 2, with nothing written, when DIR cannot be used (not
//! new, not empty and not an earlier output of `dlncheck coq`).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Writes the Coq files and prints which claims became theorems and which kinds are not covered.
pub fn run(claims: &[PathBuf], out: &Path) -> Result<i32> {
    let report =
        crate::io::coq::generate(claims, out).map_err(|reason| Error::file("coq", reason))?;
    for s in &report.skipped {
        eprintln!("coq: skipped: {}", s.message);
    }
    out!("{report}");
    out!(
        "next: make -C {} (Coq 8.16) proves every covered claim",
        crate::io::coq::shown(out)
    );
    Ok(report.exit_code())
}
