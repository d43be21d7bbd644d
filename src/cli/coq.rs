//! `dlncheck coq CLAIM... -o DIR`: the claims as Coq theorems (SPEC §8), via
//! [`crate::io::coq::generate`]. Whether they hold is decided by `make -C DIR`, not here.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Writes the Coq files and prints which claims became theorems and which kinds are not covered.
pub fn run(claims: &[PathBuf], out: &Path) -> Result<i32> {
    let report =
        crate::io::coq::generate(claims, out).map_err(|reason| Error::file("coq", reason))?;
    out!("{report}");
    out!(
        "next: make -C {} (Coq 8.16) proves every covered claim",
        out.display()
    );
    Ok(0)
}
