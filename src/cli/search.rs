//! `dlncheck search`: find T1-G instances where a claim holds or fails, shrink them, and write
//! each as an instance file plus a kernel-verified claim file (SPEC §3, §7).

use crate::error::{Error, Result};
use crate::io::claims;
use crate::theory::search::{self, Config, Summary};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::IsTerminal;
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
    claims::write_atomic(&inst_path, inst_text.as_bytes())?;
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
    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::new(cfg.max_samples);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} samples {per_sec} {msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let start = std::time::Instant::now();
    let summary: Summary = search::run(cfg, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let mut files = Vec::new();
    if let Some(dir) = out {
        for (index, hit) in &summary.hits {
            files.push(write_hit(dir, cfg, *index, hit)?);
        }
    }
    let hits: Vec<_> = summary.hits.iter().map(|(i, c)| json!({"sample": i, "d": c.x.len(), "atoms": c.atoms.len(), "instance": c.tree()})).collect();
    let fraction = if summary.samples == 0 {
        0.0
    } else {
        summary.holds as f64 / summary.samples as f64
    };
    let report = json!({
        "claim": cfg.target.name(), "seed": cfg.seed, "dims": [cfg.dims.0, cfg.dims.1], "jobs": cfg.jobs,
        "samples": summary.samples, "holds": summary.holds, "fraction": fraction,
        "seconds": seconds, "hits": hits, "files": files,
    });
    if as_json {
        super::print_json(&report)?;
    } else {
        out!(
            "{}: holds on {} of {} sampled instances ({:.2}%), d in {}..={}, seed {}, {:.2} s on {} thread(s)",
            cfg.target.name(),
            summary.holds,
            summary.samples,
            100.0 * fraction,
            cfg.dims.0,
            cfg.dims.1,
            cfg.seed,
            seconds,
            cfg.jobs
        );
        for (i, c) in &summary.hits {
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
        for f in &files {
            out!("  wrote {f}");
        }
    }
    Ok(0)
}
