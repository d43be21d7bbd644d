//! `dlncheck solve FILE [--json]`: the exact T1 answers of SPEC §2 and §7.

use crate::error::Result;
use crate::optimum::{self, Optimum};
use crate::rational::{fmt_q, fmt_qs};
use serde_json::{json, Value};
use std::path::Path;

fn optimum_json(o: &Optimum) -> Value {
    json!({"value": fmt_q(&o.value), "beta": fmt_qs(&o.beta), "index": o.index, "dual": fmt_q(&o.dual)})
}

/// The `solve` JSON object (SPEC §7).
pub fn solve_json(path: &Path) -> Result<Value> {
    let inst = super::instance(path)?;
    let t = optimum::solve(&inst)?;
    let front: Vec<Value> = t.front.iter().map(|v| json!({"norm": fmt_q(&v.norm), "sharpness": fmt_q(&v.sharpness), "index": v.index})).collect();
    let mut out = json!({
        "file": path.display().to_string(),
        "model": inst.model.name(),
        "d": inst.dim(),
        "min_norm": optimum_json(&t.min_norm),
        "min_sharpness": optimum_json(&t.min_sharpness),
        "coincide": t.coincide,
        "ratio": fmt_q(&t.ratio),
        "pareto_front": front,
        "thresholds": {
            "eta_norm": fmt_q(&t.eta_norm()),
            "eta_max": fmt_q(&t.eta_max()),
        },
    });
    if let Some(r) = crate::generalization::report(&inst)? {
        out["generalization"] = crate::generalization::report_json(&r);
    }
    Ok(out)
}

/// Runs `solve`; prints JSON or a short human summary.
pub fn run(path: &Path, as_json: bool) -> Result<i32> {
    let v = solve_json(path)?;
    if as_json {
        super::print_json(&v)?;
    } else {
        println!("{}: model {}, d = {}", path.display(), v["model"].as_str().unwrap_or("?"), v["d"]);
        println!("  min norm       N = {} (coordinate {})", v["min_norm"]["value"].as_str().unwrap_or("?"), v["min_norm"]["index"]);
        println!("  min sharpness  S = {} (coordinate {})", v["min_sharpness"]["value"].as_str().unwrap_or("?"), v["min_sharpness"]["index"]);
        let verdict = if v["coincide"] == json!(true) { "coincide".to_string() } else { format!("conflict, ratio {}", v["ratio"].as_str().unwrap_or("?")) };
        println!("  the two biases {verdict}; Pareto front of {} vertices", v["pareto_front"].as_array().map_or(0, Vec::len));
        println!("  eta_norm = {}, eta_max = {}", v["thresholds"]["eta_norm"].as_str().unwrap_or("?"), v["thresholds"]["eta_max"].as_str().unwrap_or("?"));
        let g = &v["generalization"];
        if let Some(star) = g["front_best"]["value"].as_str() {
            let verdict = if g["neither_bias"] == json!(true) { "both ends lose".to_string() } else { format!("{} is optimal on the front", g["optimal_end"].as_str().unwrap_or("?")) };
            println!("  expected error: min-norm {}, min-sharpness {}, best front point {star} ({verdict}), best linear rule {}", g["min_norm"].as_str().unwrap_or("?"), g["min_sharpness"].as_str().unwrap_or("?"), g["best_linear"]["value"].as_str().unwrap_or("?"));
        }
    }
    Ok(0)
}
