//! `dlncheck certify FILE -o OUT`: solve an instance and write a claim file with certificates.

use crate::certificate;
use crate::error::Result;
use std::path::Path;

/// Writes the T1 claims (and the T1-G claims when a teacher is given) of the instance at `input` to `out` (atomically), after checking them
/// with the kernel so that a solver bug never produces a file that `check` would reject.
pub fn run(input: &Path, out: &Path, title: Option<&str>, slacks: bool) -> Result<i32> {
    let tree = crate::instance::read_tree(input)?;
    let inst = crate::instance::parse_instance(&input.display().to_string(), &tree)?;
    let mut claims = certificate::t1_claims(&inst, slacks)?;
    let generalization = certificate::generalization_claims(&inst)?;
    let with_teacher = !generalization.is_empty();
    claims.extend(generalization);
    let default_title = format!("T1 claims for {}", input.display());
    let file = certificate::claim_file(title.unwrap_or(&default_title), certificate::claim_instance(&tree, with_teacher), claims);
    let verdicts = crate::kernel::check_tree(&out.display().to_string(), &file)?;
    if let Some(bad) = verdicts.iter().find(|v| !v.verified()) {
        eprintln!("error: internal: the kernel rejected the produced claim {} ({}); nothing written", bad.index, bad.kind);
        return Ok(1);
    }
    let text = certificate::render(out, &file)?;
    certificate::write_atomic(out, text.as_bytes())?;
    eprintln!("wrote {} ({} claims, verified by the kernel)", out.display(), verdicts.len());
    Ok(0)
}
