//! `dlncheck flow FILE [--certify] [--width W] [--json] [--claim OUT]`: the gradient-flow limit
//! (SPEC §5.2), certified by a Krawczyk box and re-checked by the kernel as a `gf-limit` claim.

use crate::error::{Error, Result};
use crate::report::flow::{self, Certified};
use std::path::Path;

/// Options of `flow`.
pub struct Options<'a> {
    pub file: &'a Path,
    pub certify: bool,
    pub width: &'a str,
    pub json: bool,
    pub claim: Option<&'a Path>,
}

/// Runs `flow`.
pub fn run(o: &Options) -> Result<i32> {
    if o.claim.is_some() && !o.certify {
        return Err(Error::Usage("--claim needs --certify".into()));
    }
    let inst = super::instance(o.file)?;
    let name = o.file.display().to_string();
    let ev = flow::evaluate(&inst, &name, o.certify, o.width)?;
    if let Some(out) = o.claim {
        let Some(limit) = &ev.limit else {
            return Err(Error::Output {
                file: out.display().to_string(),
                reason: "not certified (see `certified.reason`); no claim written".into(),
            });
        };
        crate::io::claims::verify_and_write(out, &flow::claim_file(&inst, &name, limit))?;
        eprintln!("wrote {} (gf-limit, verified by the kernel)", out.display());
    }
    if o.json {
        super::print_json(&ev.report)?;
        return Ok(0);
    }
    let r = &ev.report;
    out!("{}: model {}, n = {}, d = {}", r.file, r.model, r.n, r.d);
    if let Some(e) = &r.estimate {
        let shown: Vec<String> = e.iter().map(|v| format!("{v:.6e}")).collect();
        out!(
            "  binary64 estimate of β∞ (not certified): [{}]",
            shown.join(", ")
        );
    }
    match &r.certified {
        Some(Certified::Converged(c)) => {
            let dec = |s: &str, up: bool| {
                crate::numeric::rational::parse_q(s).map_or_else(
                    |_| s.to_string(),
                    |q| crate::io::format::decimal_outward(&q, 12, up),
                )
            };
            out!(
                "  certified (SPEC §5.2, Krawczyk at {} bits): N(β∞) ∈ [{}, {}], S(β∞) ∈ [{}, {}], relative width {:.2e} (decimals rounded outward; exact in --json)",
                c.bits,
                dec(&c.norm.lo, false),
                dec(&c.norm.hi, true),
                dec(&c.sharpness.lo, false),
                dec(&c.sharpness.hi, true),
                c.relative_width
            );
            match &c.gen_error {
                Some(flow::GenError::Certified(e)) => out!(
                    "  expected error of the flow learner over the teacher's atoms (SPEC §5.4): E ∈ [{}, {}]",
                    dec(&e.lo, false),
                    dec(&e.hi, true)
                ),
                Some(flow::GenError::NotCertified { reason }) => {
                    out!("  expected error not certified: {reason}")
                }
                None => {}
            }
        }
        Some(Certified::NotCertified { reason, .. }) => out!("  not certified: {reason}"),
        None => {}
    }
    Ok(0)
}
