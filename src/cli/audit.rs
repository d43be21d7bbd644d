//! `dlncheck audit`: compare float eigenvalue estimates with certified enclosures (SPEC §6).
//! The report is [`crate::report::audit::Audit`]; this prints it as JSON, CSV or a table.

use crate::error::Result;
use crate::report::audit::{Audit, Report};
use serde_json::{Value, json};

pub use crate::report::audit::{Options, Source};

/// Runs `audit`: one operator, or a batch (an `.npz` of matrices, one per checkpoint) printed as
/// a JSON object with `checkpoints` or, with `csv`, as CSV rows (checkpoint, estimate).
pub fn run(o: Options, as_json: bool, csv: bool) -> Result<i32> {
    let audit = crate::report::audit::audit(o, &super::Bar::matrices())?;
    if csv {
        let reports = match &audit {
            Audit::One(r) => std::slice::from_ref(&**r),
            Audit::Batch(b) => &b.checkpoints[..],
        };
        print_csv(reports)?;
    } else if as_json {
        super::print_json(&audit)?;
    } else {
        match &audit {
            Audit::One(r) => print_table(&crate::report::to_value(r)?)?,
            Audit::Batch(b) => {
                for r in &b.checkpoints {
                    let mut v = crate::report::to_value(r)?;
                    v["source"] = json!(r.label());
                    print_table(&v)?;
                }
            }
        }
    }
    Ok(0)
}

fn print_csv(reports: &[Report]) -> Result<()> {
    out!(
        "checkpoint,d,lambda_max_lo,lambda_max_hi,lambda_min_lo,lambda_min_hi,method,precision,end,estimate,inside,abs_error_hi,rel_error_hi,ulp_error_hi,name,verdict,rounding_scale_ends"
    );
    let num = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:e}"));
    for r in reports {
        let at_scale = r
            .rounding_scale
            .as_ref()
            .map_or_else(String::new, |s| s.ends.join(" "));
        let (min_lo, min_hi) = r
            .lambda_min
            .as_ref()
            .map_or(("", ""), |m| (m.lo.as_str(), m.hi.as_str()));
        for e in &r.estimates {
            out!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                super::sharpness::csv_field(r.label()),
                r.d,
                r.lambda_max.lo,
                r.lambda_max.hi,
                min_lo,
                min_hi,
                e.method,
                e.precision,
                e.end,
                e.estimate_exact,
                e.inside,
                num(e.abs_error.hi),
                num(e.rel_error.hi),
                num(e.ulp_error.hi),
                super::sharpness::csv_field(&e.name),
                e.verdict,
                at_scale
            );
        }
    }
    Ok(())
}

fn print_table(report: &Value) -> crate::error::Result<()> {
    let num = |v: &Value| v.as_f64().map_or("-".to_string(), |x| format!("{x:.3e}"));
    out!(
        "{} (d = {}, {} route, {:.3} s)",
        report["source"].as_str().unwrap_or(""),
        report["d"],
        report["route"].as_str().unwrap_or(""),
        report["seconds"].as_f64().unwrap_or(0.0)
    );
    if let Some(entries) = report["entries"].as_str() {
        out!("  entries: {entries}");
    }
    if let Some(s) = report.get("symmetrized") {
        let at = &s["at"];
        out!(
            "  symmetrized: (H + Hᵀ)/2 exactly; removed max |H_ij − H_ji| = {} ≈ {:e} at [{}][{}]",
            s["max_asymmetry"].as_str().unwrap_or(""),
            s["max_asymmetry_decimal"].as_f64().unwrap_or(0.0),
            at[0],
            at[1]
        );
    }
    for end in ["lambda_max", "lambda_min"] {
        let e = &report[end];
        match e["lo"].as_str() {
            Some(lo) => out!(
                "  {end} in [{lo}, {}]  (relative width {})",
                e["hi"].as_str().unwrap_or(""),
                num(&e["relative_width"])
            ),
            None => out!("  {end} not computed (--max-only)"),
        }
    }
    out!(
        "  {:<20} {:<4} {:<10} {:>6} {:>24} {:>10} {:>10} {:>10}  inside  verdict",
        "name",
        "prec",
        "end",
        "iters",
        "estimate",
        "abs err",
        "rel err",
        "ulp err"
    );
    for r in report["estimates"].as_array().into_iter().flatten() {
        let iters = r["iterations"]
            .as_u64()
            .map_or("-".to_string(), |i| i.to_string());
        out!(
            "  {:<20} {:<4} {:<10} {:>6} {:>24.16e} {:>10} {:>10} {:>10}  {:<6}  {}",
            r["name"].as_str().unwrap_or(""),
            r["precision"].as_str().unwrap_or(""),
            r["end"].as_str().unwrap_or(""),
            iters,
            r["estimate"].as_f64().unwrap_or(0.0),
            num(&r["abs_error"]["hi"]),
            num(&r["rel_error"]["hi"]),
            num(&r["ulp_error"]["hi"]),
            if r["inside"] == json!(true) {
                "yes"
            } else {
                "no"
            },
            r["verdict"].as_str().unwrap_or("")
        );
    }
    for w in report["warnings"].as_array().into_iter().flatten() {
        out!("  warning: {}", w.as_str().unwrap_or(""));
    }
    out!("  errors are upper bounds over the enclosure (its width is far below the float error)");
    // The verdicts' tolerance, once per float type shown (the same for every row of a type).
    let mut shown = Vec::new();
    for r in report["estimates"].as_array().into_iter().flatten() {
        let (p, t) = (r["precision"].as_str().unwrap_or(""), &r["tolerance"]);
        if !shown.contains(&p) {
            shown.push(p);
            out!(
                "  verdict tolerance ({p}): {}: an estimate within it of an end is that end, \
                 not interior",
                num(t)
            );
        }
    }
    Ok(())
}
