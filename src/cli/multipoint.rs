//! `dlncheck multipoint FILE [--json] [--claim OUT]`: the T2 setting with several data points
//! (SPEC §5): exact min-norm by LP, certified bounds on the minimum sharpness (`shared`), and
//! whether the two biases conflict.

use crate::error::Result;
use crate::io::claims;
use crate::io::instance::Model;
use crate::numeric::rational::{Q, fmt_q, fmt_qs};
use crate::spectra::certified as sharpness;
use crate::theory::multipoint::{self, four_over_n, gram};
use serde_json::json;
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
    let width = crate::report::sharpness::parse_width(o.width)?;
    let inst = crate::io::instance::read_instance(o.file)?;
    let norm = multipoint::min_norm(&inst)?;
    let mut report = json!({
        "file": o.file.display().to_string(),
        "model": inst.model.name(),
        "n": inst.x.len(),
        "d": inst.dim(),
        "min_norm": {"value": fmt_q(&norm.value), "beta": fmt_qs(&norm.beta), "dual": fmt_qs(&norm.dual)},
    });
    let sharp = if matches!(inst.model, Model::Shared | Model::SharedDepth(2)) {
        let b = multipoint::sharpness_bounds(&inst, &norm.beta, o.iterations, &width)?;
        let at_norm = sharpness::lambda_max(&gram(&inst.x, &norm.beta), &width);
        let f = four_over_n(&inst);
        let n_sharp: Q = b.beta.iter().sum();
        let (s_lo, s_hi) = (&f * &at_norm.lo, &f * &at_norm.hi);
        report["min_sharpness"] =
            json!({"lower": fmt_q(&b.lower), "upper": fmt_q(&b.upper), "beta": fmt_qs(&b.beta)});
        report["sharpness_of_min_norm"] = json!({"lo": fmt_q(&s_lo), "hi": fmt_q(&s_hi)});
        report["norm_of_sharpness_point"] = json!(fmt_q(&n_sharp));
        report["conflict"] = json!({"sharpness": s_lo > b.upper, "norm": n_sharp > norm.value});
        Some((b, at_norm))
    } else {
        None
    };
    if let Some(out) = o.claim {
        let claims = multipoint::claims(&inst, &norm, sharp.as_ref().map(|(b, c)| (b, c)));
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
        super::print_json(&report)?;
    } else {
        let s = |k: &str| report[k].as_str().unwrap_or("?").to_string();
        out!(
            "{}: model {}, n = {}, d = {}",
            s("file"),
            s("model"),
            report["n"],
            report["d"]
        );
        out!(
            "  min norm        N = {} (exact LP, dual certificate)",
            report["min_norm"]["value"].as_str().unwrap_or("?")
        );
        if sharp.is_some() {
            let m = &report["min_sharpness"];
            out!(
                "  min sharpness   S in [{}, {}]",
                m["lower"].as_str().unwrap_or("?"),
                m["upper"].as_str().unwrap_or("?")
            );
            let a = &report["sharpness_of_min_norm"];
            out!(
                "  S(min-norm β)     in [{}, {}]",
                a["lo"].as_str().unwrap_or("?"),
                a["hi"].as_str().unwrap_or("?")
            );
            out!("  N(sharpness β)  = {}", s("norm_of_sharpness_point"));
            let c = &report["conflict"];
            out!(
                "  conflict: sharpness {}, norm {}",
                c["sharpness"],
                c["norm"]
            );
        }
    }
    Ok(0)
}
