//! `dlncheck gd FILE --lr ETA --steps K [--precision P] [--json]`: one gradient-descent run
//! (SPEC §4, §7), its final state, optional per-step trace and the checks C1–C3.

use crate::dynamics::gd::{Precision, Problem, Summary, decimal};
use crate::error::{Error, Result};
use crate::io::atomic::write_atomic;
use crate::numeric::rational::{Q, fmt_q};
use crate::report::gd::{
    CertifiedStep, Evaluated, RunOptions, claim_instance, evaluate, lr, options, precision,
    trace_rows,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `gd`.
#[derive(Clone, Debug)]
pub struct Args {
    pub file: PathBuf,
    pub lr: String,
    pub steps: Option<u64>,
    pub precision: String,
    pub tol: Option<String>,
    pub trace: Option<PathBuf>,
    pub checks: bool,
    pub audit: bool,
    pub json: bool,
    /// Certified GD and the tail theorem (SPEC §4.1).
    pub certify: bool,
    pub bits: Option<u64>,
    pub claim: Option<PathBuf>,
    /// Certified enclosures of S every K steps along the trajectory (with `--trace` or `--plot`).
    pub certify_every: Option<u64>,
    /// Write sharpness_trajectory.svg and .png here.
    pub plot: Option<PathBuf>,
    /// Mini-batch SGD (docs/sgd.md).
    pub batch: Option<u64>,
    pub seed: Option<u64>,
    pub replacement: bool,
}

/// Significant digits of the certified trace columns (rounded outward).
const CERTIFIED_DIGITS: usize = 17;

fn write_trace(
    path: &Path,
    s: &Summary,
    certified: &[CertifiedStep],
    with_certified: bool,
) -> Result<()> {
    use crate::io::format::decimal_outward;
    let text = if path.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(&trace_rows(s, certified)).map_err(|e| Error::Output {
            file: path.display().to_string(),
            reason: e.to_string(),
        })? + "\n"
    } else {
        let d = s.records.first().map_or(0, |r| r.beta.len());
        let mut out = String::from("step,loss,sharpness,norm");
        for i in 0..d {
            out += &format!(",beta_{i}");
        }
        out += ",sharpness_end";
        if with_certified {
            out += ",certified_lo,certified_hi";
        }
        out.push('\n');
        for r in &s.records {
            out += &format!(
                "{},{},{},{},{},{}",
                r.step,
                r.loss,
                r.sharpness,
                r.norm,
                r.beta.join(","),
                r.sharpness_end
            );
            if with_certified {
                match certified.iter().find(|c| c.step == r.step) {
                    Some(c) => {
                        out += &format!(
                            ",{},{}",
                            decimal_outward(&c.lo, CERTIFIED_DIGITS, false),
                            decimal_outward(&c.hi, CERTIFIED_DIGITS, true)
                        )
                    }
                    None => out += ",,",
                }
            }
            out.push('\n');
        }
        out
    };
    write_atomic(path, text.as_bytes())
}

/// Runs `gd`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let eta = lr(&a.lr)?;
    precision(&a.precision)?;
    if a.audit {
        if a.batch.is_some() {
            return Err(Error::Usage(
                "--audit compares full-batch GD across precisions; not with --batch".into(),
            ));
        }
        let problem = Problem::of(&inst)?;
        let steps = a
            .steps
            .ok_or_else(|| Error::Usage("--steps K is required".into()))?;
        options(eta.clone(), steps, Precision::F64, None, false)?;
        super::print_json(&crate::dynamics::eos::audit(&problem, &eta, steps))?;
        return Ok(0);
    }
    let record = a.trace.is_some() || a.plot.is_some();
    let opts = RunOptions {
        lr: &a.lr,
        steps: a.steps,
        precision: &a.precision,
        tol: a.tol.as_deref(),
        certify: a.certify,
        bits: a.bits,
        checks: a.checks,
        record,
        claim: a.claim.is_some(),
        certify_every: a.certify_every,
        batch: a.batch,
        seed: a.seed,
        replacement: a.replacement,
    };
    if let Some(dir) = &a.plot {
        std::fs::create_dir_all(dir).map_err(|e| Error::Output {
            file: dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let ev = evaluate(&inst, &a.file, &opts, &super::Bar::default())?;
    if let Some(path) = &a.trace {
        write_trace(path, &ev.summary, &ev.trajectory, a.certify_every.is_some())?;
    }
    if let Some(dir) = &a.plot {
        plot_trajectory(dir, &ev)?;
    }
    let out = ev.json;
    if let (Some(c), Some(path)) = (&ev.certified, &a.claim) {
        let crate::dynamics::certified_gd::Certified::Converged(limit) = c else {
            return Err(Error::Output {
                file: path.display().to_string(),
                reason: "not certified (see `certified.reason`); no claim written".into(),
            });
        };
        let title = format!(
            "GD at lr = {} converges to a certified box (SPEC §4.1)",
            fmt_q(&ev.eta)
        );
        let file = crate::io::claims::claim_file(
            &title,
            Some(claim_instance(&inst, false)),
            vec![limit.claim(&ev.eta)],
        );
        crate::io::claims::verify_and_write(path, &file)?;
    }
    if a.json {
        super::print_json(&out)?;
    } else {
        print_human(&out)?;
    }
    Ok(0)
}

fn print_human(v: &Value) -> crate::error::Result<()> {
    let s = |k: &Value| k.as_str().unwrap_or("?").to_string();
    let method = match v.get("batch") {
        Some(b) => format!(
            "SGD (batch {b}, seed {}, {})",
            v["seed"],
            if v["replacement"].as_bool() == Some(true) {
                "with replacement"
            } else {
                "shuffled epochs"
            }
        ),
        None => "GD".into(),
    };
    out!(
        "{}: {method} on {} (d = {}, n = {}), lr = {}, precision {}",
        s(&v["file"]),
        s(&v["model"]),
        v["d"],
        v["n"],
        s(&v["lr"]),
        s(&v["precision"])
    );
    out!("  stopped after {} steps: {}", v["steps"], s(&v["stop"]));
    let f = &v["final"];
    out!(
        "  loss {}  sharpness {} ({} of the spectrum)  norm {}",
        s(&f["loss"]),
        s(&f["sharpness"]),
        s(&f["sharpness_end"]),
        s(&f["norm"])
    );
    match v.get("certified") {
        Some(c) if c["converged"].as_bool() == Some(true) => {
            let d = |v: &Value| approx(v);
            out!(
                "  certified (SPEC §4.1): after {} steps at {} bits; S(β∞) ∈ [{}, {}], N(β∞) ∈ [{}, {}], 2/η − S ∈ [{}, {}] (decimals rounded; exact in --json)",
                c["steps"],
                c["bits"],
                d(&c["sharpness"]["lo"]),
                d(&c["sharpness"]["hi"]),
                d(&c["norm"]["lo"]),
                d(&c["norm"]["hi"]),
                d(&c["eos_margin"]["lo"]),
                d(&c["eos_margin"]["hi"])
            );
        }
        Some(c) => out!("  not certified: {}", s(&c["reason"])),
        None => {}
    }
    if let Some(t) = v.get("trajectory").and_then(Value::as_array) {
        let inside = t.iter().filter(|c| {
            let (f, lo, hi) = (c["sharpness"].as_str().map(crate::numeric::rational::parse_q), c["certified"]["lo"].as_str().map(crate::numeric::rational::parse_q), c["certified"]["hi"].as_str().map(crate::numeric::rational::parse_q));
            matches!((f, lo, hi), (Some(Ok(f)), Some(Ok(lo)), Some(Ok(hi))) if lo <= f && f <= hi)
        }).count();
        out!(
            "  certified S at {} steps (every {}); the float S lies inside the enclosure at {inside} of them (decimals; exact in --json)",
            t.len(),
            v["certify_every"]
        );
    }
    if let Some(checks) = v.get("checks").and_then(Value::as_array) {
        for c in checks {
            out!(
                "  {}: {} (margin {}) — {}",
                s(&c["check"]),
                s(&c["status"]),
                c["margin"].as_str().unwrap_or("-"),
                s(&c["detail"])
            );
        }
        // With n > 1 the checks list C2 and C3 as n/a with their reason.
        if v["n"].as_u64() == Some(1) && v["model"].as_str() != Some("shared") {
            out!(
                "  C2, C3: not run — they compare with the certified gradient flow, which exists for model shared only (docs/models.md)"
            );
        }
    }
    Ok(())
}

/// A rational string of the JSON output as a 12-digit decimal (for the human-readable output).
pub fn approx(v: &Value) -> String {
    match v.as_str().map(crate::numeric::rational::parse_q) {
        Some(Ok(q)) => decimal(&q, 12),
        _ => v.to_string(),
    }
}

/// `--plot DIR`: sharpness_trajectory.svg and .png — S along the steps (the run's float value),
/// the stability line 2/η, and with `--certify-every` the certified enclosures as error bars.
fn plot_trajectory(dir: &Path, ev: &Evaluated) -> Result<()> {
    use crate::io::plot::{self, Chart, Mark, Series, Style};
    use plotters::style::RGBColor;
    let q = |t: &str| {
        crate::numeric::rational::parse_q(t)
            .ok()
            .map(|q| crate::numeric::scalar::q_to_f64(&q))
    };
    let points: Vec<(f64, f64)> = ev
        .summary
        .records
        .iter()
        .filter_map(|r| Some((r.step as f64, q(&r.sharpness)?)))
        .filter(|p| p.1.is_finite())
        .collect();
    let bottom: Vec<(f64, f64)> = ev
        .summary
        .records
        .iter()
        .filter(|r| r.sharpness_end == "bottom")
        .filter_map(|r| Some((r.step as f64, q(&r.sharpness)?)))
        .collect();
    let bars: Vec<(f64, f64, f64)> = ev
        .trajectory
        .iter()
        .map(|c| {
            (
                c.step as f64,
                crate::numeric::scalar::q_to_f64(&c.lo),
                crate::numeric::scalar::q_to_f64(&c.hi),
            )
        })
        .collect();
    let mids: Vec<(f64, f64)> = bars.iter().map(|b| (b.0, (b.1 + b.2) / 2.0)).collect();
    let mut c = Chart::new(
        format!("Sharpness along GD, lr = {}", fmt_q(&ev.eta)),
        "step",
        "sharpness S = max |eigenvalue| of the Hessian",
    );
    let line = if points.len() > 400 {
        Style::Line
    } else {
        Style::Dots
    };
    c.series.push(Series::new(
        format!("float S ({})", ev.summary.precision.name()),
        points,
        RGBColor(255, 127, 14),
        line,
    ));
    if !bottom.is_empty() {
        c.series.push(Series::new(
            "steps where S = -lambda_min (negative curvature)",
            bottom,
            RGBColor(148, 103, 189),
            Style::Crosses,
        ));
    }
    if !bars.is_empty() {
        c.series.push(
            Series::new(
                "certified S (exact Hessian at the float iterate)",
                mids,
                RGBColor(0, 0, 0),
                Style::Rings,
            )
            .with_bars(bars),
        );
    }
    c.horizontal.push(Mark {
        name: "2/lr (linear stability)".into(),
        value: crate::numeric::scalar::q_to_f64(&(Q::from_integer(2.into()) / &ev.eta)),
        color: RGBColor(31, 119, 180),
    });
    plot::render(&c, dir, "sharpness_trajectory")
}
