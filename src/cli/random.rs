//! `dlncheck random`: write a reproducible random one-point instance.

use crate::error::{Error, Result};
use crate::io::instance::JsonTree;
use crate::numeric::random::{self, Spec};
use std::path::Path;

/// Writes the instance to `out` (TOML, or JSON for `.json`), atomically.
pub fn run(spec: &Spec, out: &Path) -> Result<i32> {
    if spec.d == 0 {
        return Err(Error::Usage("--d must be at least 1".into()));
    }
    if !(1..=4096).contains(&spec.bits) {
        return Err(Error::Usage("--bits must be from 1 to 4096".into()));
    }
    let tree = random::instance(spec);
    crate::io::instance::parse_instance("--model", &crate::io::instance::Tree::from_json(&tree))?;
    let text = crate::io::claims::render(out, &tree)?;
    crate::io::atomic::write_atomic(out, text.as_bytes())?;
    Ok(0)
}
