//! `dlncheck solve FILE [--json]`: the exact T1 answers of SPEC §2 and §7.
//! The report is [`crate::report::solve::Solved`]; this prints it.

use crate::error::{Error, Result};
use crate::numeric::rational::fmt_q;
use crate::report::solve::solve;
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Runs `solve`; prints JSON or a short human summary.
pub fn run(path: &Path, as_json: bool) -> Result<i32> {
    let v = solve(path)?;
    if as_json {
        let out = std::io::stdout().lock();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        v.write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::Output {
                file: "<stdout>".into(),
                reason: e.to_string(),
            })?;
        return Ok(0);
    }
    let t = &v.t1;
    out!("{}: model {}, d = {}", path.display(), v.model, v.d);
    out!(
        "  min norm       N = {} (coordinate {})",
        fmt_q(&t.min_norm.value),
        t.min_norm.index
    );
    out!(
        "  min sharpness  S = {} (coordinate {})",
        fmt_q(&t.min_sharpness.value),
        t.min_sharpness.index
    );
    let verdict = if t.coincide {
        "coincide".to_string()
    } else {
        format!("conflict, ratio {}", fmt_q(&t.ratio))
    };
    out!(
        "  the two biases {verdict}; Pareto front of {} vertices",
        t.front.len()
    );
    out!(
        "  eta_norm = {}, eta_max = {}",
        fmt_q(&t.eta_norm()),
        fmt_q(&t.eta_max())
    );
    if let Some(g) = &v.generalization
        && let Some(star) = g["front_best"]["value"].as_str()
    {
        let verdict = if g["neither_bias"] == json!(true) {
            "both ends lose".to_string()
        } else {
            format!(
                "{} is optimal on the front",
                g["optimal_end"].as_str().unwrap_or("?")
            )
        };
        out!(
            "  expected error: min-norm {}, min-sharpness {}, best front point {star} ({verdict}), best linear rule {}",
            g["min_norm"].as_str().unwrap_or("?"),
            g["min_sharpness"].as_str().unwrap_or("?"),
            g["best_linear"]["value"].as_str().unwrap_or("?")
        );
    }
    Ok(0)
}
