//! `dlncheck sweep FILE --lr-from A --lr-to B --points N [--log] --out DIR` (SPEC §4, §7):
//! gradient descent at N learning rates in parallel, `DIR/sweep.csv`, `DIR/sweep.json`, plots
//! (SVG and PNG) and the checks C1–C5.

use crate::dynamics::gd::{self as dynamics, decimal, Precision, Problem, Stop};
use crate::dynamics::eos::{self, FlowReport, SweepRow};
use crate::error::{Error, Result};
use crate::io::plot::{self, Chart, Mark, Series};
use crate::numeric::rational::{fmt_q, parse_q, Q};
use crate::numeric::scalar::q_to_f64;
use plotters::style::RGBColor;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Arguments of `sweep`.
#[derive(Clone, Debug)]
pub struct Args {
    pub file: PathBuf,
    pub lr_from: String,
    pub lr_to: String,
    pub points: usize,
    pub log: bool,
    pub out: PathBuf,
    pub steps: u64,
    pub precision: String,
    pub tol: Option<String>,
    pub json: bool,
}

/// Most learning rates in one sweep.
pub const MAX_POINTS: usize = 100_000;

/// The learning-rate grid: A + (B − A)·k/(N − 1) exactly, or with `log` A·(B/A)^{k/(N−1)}
/// rounded to 12 significant decimal digits (then exact from there on).
pub fn grid(a: &Q, b: &Q, n: usize, log: bool) -> Vec<Q> {
    if n == 1 {
        return vec![a.clone()];
    }
    let last = Q::from_integer(((n - 1) as i64).into());
    (0..n)
        .map(|k| {
            let t = Q::from_integer((k as i64).into()) / &last;
            if k == 0 {
                a.clone()
            } else if k == n - 1 {
                b.clone()
            } else if log {
                let v = q_to_f64(a) * (q_to_f64(b) / q_to_f64(a)).powf(q_to_f64(&t));
                Q::from_float(v).map_or_else(|| a.clone(), |q| parse_q(&decimal(&q, 12)).unwrap_or(q))
            } else {
                a + (b - a) * t
            }
        })
        .collect()
}

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(90, 90, 90);
/// The 2/η reference curve, distinct from the grey step-limit points.
const INK: RGBColor = RGBColor(0, 0, 0);

/// Runs `sweep`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let problem = Problem::of(&inst)?;
    let from = super::gd::lr(&a.lr_from).map_err(|e| rename(e, "--lr-from"))?;
    let to = super::gd::lr(&a.lr_to).map_err(|e| rename(e, "--lr-to"))?;
    if to < from {
        return Err(Error::Usage("--lr-to must be ≥ --lr-from".into()));
    }
    if a.points == 0 || a.points > MAX_POINTS {
        return Err(Error::Usage(format!("--points must be from 1 to {MAX_POINTS}")));
    }
    let prec = super::gd::precision(&a.precision)?;
    if prec == Precision::Exact {
        return Err(Error::Usage("--precision exact is for `gd` (a few steps); sweeps run in f32, f64 or BITS".into()));
    }
    let opts = super::gd::options(from.clone(), a.steps, prec, a.tol.as_deref(), false)?;
    let refs = eos::reference_errors(&inst)?;
    let setting = crate::theory::generalization::Setting::of(&inst)?;
    std::fs::create_dir_all(&a.out).map_err(|e| Error::Output { file: a.out.display().to_string(), reason: e.to_string() })?;
    let flow = if problem.model == crate::io::instance::Model::Shared { Some(eos::flow_report(&problem)?) } else { None };
    let thresholds = if problem.model == crate::io::instance::Model::Shared { Some(dynamics::thresholds(&inst)?) } else { None };
    let etas = grid(&from, &to, a.points, a.log);
    let bar = super::gd::progress(etas.len() as u64, "sweep");
    let rows: Vec<SweepRow> = etas
        .par_iter()
        .map(|eta| {
            let mut o = opts.clone();
            o.eta = eta.clone();
            let summary = dynamics::run_summary(&problem, prec, &o, &|_| {});
            let gen_error = setting.as_ref().and_then(|s| eos::learner_error(&problem, s, prec, &o));
            bar.inc(1);
            SweepRow { eta: eta.clone(), summary, gen_error }
        })
        .collect();
    bar.finish_and_clear();
    let csv = csv_text(&rows, refs.is_some());
    crate::io::claims::write_atomic(&a.out.join("sweep.csv"), csv.as_bytes())?;
    let checks = eos::sweep_checks(&rows, flow.as_ref(), thresholds.as_ref(), refs.as_ref());
    let out = json!({
        "file": a.file.display().to_string(),
        "precision": prec.name(),
        "steps": a.steps,
        "points": rows.len(),
        "thresholds": thresholds.as_ref().map(|t| json!({"eta_norm": fmt_q(&t.eta_norm), "eta_max": fmt_q(&t.eta_max)})),
        "gradient_flow": flow.as_ref().map(eos::flow_json),
        "references": refs.as_ref().map(|(n, s, b, c)| json!({"min_norm": fmt_q(n), "min_sharpness": fmt_q(s), "front_best": {"value": fmt_q(b), "c": crate::numeric::rational::fmt_qs(c)}})),
        "checks": checks,
        "rows": rows.iter().map(row_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&out).map_err(|e| Error::Output { file: "sweep.json".into(), reason: e.to_string() })? + "\n";
    crate::io::claims::write_atomic(&a.out.join("sweep.json"), text.as_bytes())?;
    plots(&a.out, &rows, &inst, flow.as_ref(), thresholds.as_ref(), refs.as_ref(), a.log)?;
    if a.json {
        super::print_json(&json!({"out": a.out.display().to_string(), "checks": out["checks"], "gradient_flow": out["gradient_flow"], "thresholds": out["thresholds"]}))?;
    } else {
        out!("{}: {} learning rates, {} steps each, precision {}; wrote {}/sweep.csv, sweep.json and plots", a.file.display(), rows.len(), a.steps, prec.name(), a.out.display());
        if let Some(f) = &flow {
            out!("  gradient flow: eta_c in [{}, {}]", decimal(f.eta_c.lo(), 10), decimal(f.eta_c.hi(), 10));
        }
        for c in out["checks"].as_array().into_iter().flatten() {
            out!("  {}: {} (margin {}) — {}", c["check"].as_str().unwrap_or("?"), c["status"].as_str().unwrap_or("?"), c["margin"].as_str().unwrap_or("-"), c["detail"].as_str().unwrap_or(""));
        }
    }
    Ok(0)
}

fn rename(e: Error, flag: &str) -> Error {
    match e {
        Error::Usage(m) => Error::Usage(m.replacen("--lr", flag, 1)),
        other => other,
    }
}

fn row_json(r: &SweepRow) -> Value {
    let d = r.summary.precision.digits();
    json!({
        "lr": fmt_q(&r.eta),
        "converged": r.summary.stop == Stop::Converged,
        "diverged": r.summary.stop == Stop::Diverged,
        "steps": r.summary.steps,
        "loss": decimal(&r.summary.loss, d),
        "sharpness": decimal(&r.summary.sharpness, d),
        "norm": decimal(&r.summary.norm, d),
        "gen_error": r.gen_error.as_ref().map(|e| decimal(e, 17)),
    })
}

fn csv_text(rows: &[SweepRow], teacher: bool) -> String {
    let mut s = String::from("lr,converged,diverged,steps,norm,sharpness,loss");
    if teacher {
        s += ",gen_error";
    }
    s.push('\n');
    for r in rows {
        let d = r.summary.precision.digits();
        s += &format!(
            "{},{},{},{},{},{},{}",
            decimal(&r.eta, 17),
            r.summary.stop == Stop::Converged,
            r.summary.stop == Stop::Diverged,
            r.summary.steps,
            decimal(&r.summary.norm, d),
            decimal(&r.summary.sharpness, d),
            decimal(&r.summary.loss, d)
        );
        if teacher {
            s += &format!(",{}", r.gen_error.as_ref().map(|e| decimal(e, 17)).unwrap_or_default());
        }
        s.push('\n');
    }
    s
}

fn f(q: &Q) -> f64 {
    q_to_f64(q)
}

#[allow(clippy::too_many_arguments)]
fn plots(dir: &std::path::Path, rows: &[SweepRow], inst: &crate::io::instance::Instance, flow: Option<&FlowReport>, th: Option<&dynamics::Thresholds>, refs: Option<&eos::References>, log: bool) -> Result<()> {
    let xv = |q: &Q| if log { f(q).log10() } else { f(q) };
    let x_label = if log { "log10(learning rate)" } else { "learning rate" };
    let ok: Vec<&SweepRow> = rows.iter().filter(|r| r.summary.stop == Stop::Converged).collect();
    let limit: Vec<&SweepRow> = rows.iter().filter(|r| r.summary.stop == Stop::Limit).collect();
    let mut vertical = Vec::new();
    if let Some(t) = th {
        vertical.push(Mark { name: "eta_norm".into(), value: xv(&t.eta_norm), color: BLUE });
        vertical.push(Mark { name: "eta_max".into(), value: xv(&t.eta_max), color: RED });
    }
    if let Some(fr) = flow {
        vertical.push(Mark { name: "eta_c (GF)".into(), value: xv(&fr.eta_c.mid()), color: PURPLE });
    }
    // The T1 reference lines exist where the T1 closed forms do (not for shared-depth, D > 2).
    let t1 = match crate::models::model::beta_space(inst.model) {
        Some(_) => Some(crate::theory::optimum::solve(inst)?),
        None => None,
    };
    let two_over: Vec<(f64, f64)> = rows.iter().map(|r| (xv(&r.eta), 2.0 / f(&r.eta))).collect();
    let sharp = Chart {
        title: "Final sharpness vs learning rate".into(),
        x_label: x_label.into(),
        y_label: "sharpness S".into(),
        series: vec![
            Series { name: "GD endpoint S (converged)".into(), points: ok.iter().map(|r| (xv(&r.eta), f(&r.summary.sharpness))).collect(), color: ORANGE, line: false },
            Series { name: "S at the step limit (not converged)".into(), points: limit.iter().map(|r| (xv(&r.eta), f(&r.summary.sharpness))).collect(), color: GREY, line: false },
            Series { name: "2/eta".into(), points: two_over, color: INK, line: true },
        ],
        vertical: vertical.clone(),
        horizontal: t1.as_ref().map_or_else(Vec::new, |t1| vec![
            Mark { name: "S(min-norm)".into(), value: f(&t1.sharpness_of_min_norm), color: BLUE },
            Mark { name: "S(min-sharpness)".into(), value: f(&t1.min_sharpness.value), color: GREEN },
        ]),
    };
    plot::render(&sharp, dir, "sharpness")?;
    let norm = Chart {
        title: "Final norm vs learning rate".into(),
        x_label: x_label.into(),
        y_label: "norm N = |theta|^2".into(),
        series: vec![
            Series { name: "GD endpoint N (converged)".into(), points: ok.iter().map(|r| (xv(&r.eta), f(&r.summary.norm))).collect(), color: ORANGE, line: false },
            Series { name: "N at the step limit (not converged)".into(), points: limit.iter().map(|r| (xv(&r.eta), f(&r.summary.norm))).collect(), color: GREY, line: false },
        ],
        vertical: vertical.clone(),
        horizontal: t1.as_ref().map_or_else(Vec::new, |t1| vec![
            Mark { name: "N(min-norm)".into(), value: f(&t1.min_norm.value), color: BLUE },
            Mark { name: "N(min-sharpness)".into(), value: f(&t1.norm_of_min_sharpness), color: GREEN },
        ]),
    };
    plot::render(&norm, dir, "norm")?;
    if let Some((en, es, fb, _)) = refs {
        let errors = Chart {
            title: "Expected generalization error vs learning rate".into(),
            x_label: x_label.into(),
            y_label: "E (exact, endpoint projected onto M)".into(),
            series: vec![Series { name: "GD endpoint E".into(), points: rows.iter().filter_map(|r| r.gen_error.as_ref().map(|e| (xv(&r.eta), f(e)))).collect(), color: ORANGE, line: false }],
            vertical,
            horizontal: vec![
                Mark { name: "E(min-norm)".into(), value: f(en), color: BLUE },
                Mark { name: "E(min-sharpness)".into(), value: f(es), color: GREEN },
                Mark { name: "E(front best)".into(), value: f(fb), color: RED },
            ],
        };
        plot::render(&errors, dir, "gen_error")?;
    }
    Ok(())
}
