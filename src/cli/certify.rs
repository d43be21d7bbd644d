//! `dlncheck certify FILE -o OUT`: solve an instance and write a claim file with certificates.

use crate::error::Result;
use crate::io::claims;
use std::path::Path;

/// Writes the T1 claims (and the T1-G claims when a teacher is given) of the instance at `input` to `out` (atomically), after checking them
/// with the kernel so that a solver bug never produces a file that `check` would reject.
pub fn run(input: &Path, out: &Path, title: Option<&str>, slacks: bool) -> Result<i32> {
    let inst = crate::io::instance::read_instance(input)?;
    let mut claims = claims::t1_claims(&inst, slacks)?;
    let generalization = claims::generalization_claims(&inst)?;
    let with_teacher = !generalization.is_empty();
    claims.extend(generalization);
    let default_title = format!("T1 claims for {}", input.display());
    let file = claims::claim_file(
        title.unwrap_or(&default_title),
        Some(claims::claim_instance(&inst, with_teacher, false)),
        claims,
    );
    let report = claims::verify_and_write(out, &file)?;
    eprintln!(
        "wrote {} ({} claims, verified by the kernel)",
        out.display(),
        report.verdicts.len()
    );
    Ok(0)
}
