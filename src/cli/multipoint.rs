//! `dlncheck multipoint FILE [--json] [--claim OUT]`: prints [`crate::report::multipoint`] and
//! writes its claims.

use crate::error::Result;
use crate::io::claims;
use crate::report::multipoint::evaluate;
use crate::theory::multipoint;
use std::path::Path;

/// Options of `multipoint`.
pub struct Options<'a> {
    pub file: &'a Path,
    pub json: bool,
    pub claim: Option<&'a Path>,
    /// Frank–Wolfe steps for the sharpness upper bound.
    pub iterations: usize,
    pub width: &'a str,
}

/// Runs `multipoint`.
pub fn run(o: &Options) -> Result<i32> {
    let inst = crate::io::instance::read_instance(o.file)?;
    let r = evaluate(&inst, &o.file.display().to_string(), o.iterations, o.width)?;
    if let Some(out) = o.claim {
        let sharp = r.sharpness.as_ref().map(|(b, c)| (b, c));
        let claims = multipoint::claims(&inst, &r.norm, sharp);
        let file = claims::claim_file(
            &format!("T2 claims for {}", o.file.display()),
            Some(claims::claim_instance(&inst, false, false)),
            claims,
        );
        let verified = claims::verify_and_write(out, &file)?;
        eprintln!(
            "wrote {} ({} claims, verified by the kernel)",
            out.display(),
            verified.verdicts.len()
        );
    }
    if o.json {
        return super::print_json(&r).map(|()| 0);
    }
    out!("{}: model {}, n = {}, d = {}", r.file, r.model, r.n, r.d);
    out!(
        "  min norm        N = {} (exact LP, dual certificate)",
        r.min_norm.value
    );
    if let (Some(m), Some(a), Some(n), Some(c)) = (
        &r.min_sharpness,
        &r.sharpness_of_min_norm,
        &r.norm_of_sharpness_point,
        &r.conflict,
    ) {
        out!("  min sharpness   S in [{}, {}]", m.lower, m.upper);
        out!("  S(min-norm β)     in [{}, {}]", a.lo, a.hi);
        out!("  N(sharpness β)  = {n}");
        out!("  conflict: sharpness {}, norm {}", c.sharpness, c.norm);
    }
    Ok(0)
}
