//! `dlncheck search`: find T1-G instances where a claim holds or fails, shrink them, and write
//! each as an instance file plus a kernel-verified claim file (SPEC §3, §7).

use crate::error::{Error, Result};
use crate::io::claims;
use crate::theory::search::{self, Config};
use std::path::Path;

/// Writes `DIR/<claim>-s<seed>-<index>.toml` and `.claim.toml` for one shrunk hit, after the
/// kernel has verified every claim of the file.
fn write_hit(dir: &Path, cfg: &Config, index: u64, hit: &search::Candidate) -> Result<String> {
    let stem = format!("{}-s{}-{}", cfg.target.name(), cfg.seed, index);
    let inst_path = dir.join(format!("{stem}.toml"));
    let claim_path = dir.join(format!("{stem}.claim.toml"));
    let tree = hit.tree();
    let inst = hit.instance(&inst_path.display().to_string());
    let mut claims = claims::t1_claims(&inst, true)?;
    claims.extend(claims::generalization_claims(&inst)?);
    let title = format!(
        "{} instance found by `dlncheck search --seed {}` (sample {index}, shrunk)",
        cfg.target.name(),
        cfg.seed
    );
    let file = claims::claim_file(
        &title,
        Some(claims::claim_instance(&inst, true, false)),
        claims,
    );
    claims::verify_and_write(&claim_path, &file)?;
    let inst_text = toml::to_string(&tree).map_err(|e| Error::Output {
        file: inst_path.display().to_string(),
        reason: e.to_string(),
    })?;
    crate::io::atomic::write_atomic(&inst_path, inst_text.as_bytes())?;
    Ok(claim_path.display().to_string())
}

/// Runs the search, writes the hits to `out` (if given) and prints the summary.
pub fn run(cfg: &Config, out: Option<&Path>, as_json: bool) -> Result<i32> {
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|e| Error::Output {
            file: dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let mut report = crate::report::search::evaluate(cfg, &super::Bar::default())?;
    if let Some(dir) = out {
        for (index, hit) in &report.candidates {
            report.files.push(write_hit(dir, cfg, *index, hit)?);
        }
    }
    if as_json {
        return super::print_json(&report).map(|()| 0);
    }
    out!(
        "{}: holds on {} of {} sampled instances ({:.2}%), d in {}..={}, seed {}, {:.2} s on {} thread(s)",
        report.claim,
        report.holds,
        report.samples,
        100.0 * report.fraction,
        report.dims[0],
        report.dims[1],
        report.seed,
        report.seconds,
        report.jobs
    );
    for (i, c) in &report.candidates {
        out!(
            "  sample {i}: shrunk to d = {}, {} atom(s): x = [{}]",
            c.x.len(),
            c.atoms.len(),
            c.x.iter()
                .map(crate::numeric::rational::fmt_q)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for f in &report.files {
        out!("  wrote {f}");
    }
    Ok(0)
}
