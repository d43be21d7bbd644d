//! `dlncheck audit`: compare float eigenvalue estimates with certified enclosures (SPEC §6).
//!
//! The operator is a matrix file (`--matrix`) or the Hessian ∇²L(θ) of a diagonal linear
//! network (`--instance FILE --theta LIST`); float estimators on a Hessian use Hessian-vector
//! products only, while the enclosure certifies the exact rational Hessian. Each estimate is
//! compared with the enclosure of the end of the spectrum it belongs to: absolute error
//! |est − λ| ∈ [dist(est, [lo, hi]), max(|est − lo|, |est − hi|)], relative error (the same over
//! |λ|), ulp error (over the spacing of the estimate's float type at the estimate), and whether
//! the estimate lies inside the enclosure.

use crate::io::matrix::{enclosure_json, parse_theta, parse_width, read_matrices, Matrix};
use crate::error::{Error, Result};
use crate::spectra::estimate::{self, Dense, End, Estimate, Hessian, Operator};
use crate::io::instance::Instance;
use crate::models::loss::{self, Data};
use crate::numeric::rational::{fmt_q, from_f64_exact, parse_q, Q};
use crate::spectra::certified::FLOAT_ROUTE_MIN;
use crate::numeric::scalar::{q_to_f64, Scalar};
use crate::numeric::rational::abs;
use crate::spectra::certified::Spectrum;
use num_traits::{Float, Signed, Zero};
use serde_json::{json, Value};
use std::path::Path;

/// What to audit: a matrix file or a network Hessian at θ.
pub enum Source<'a> {
    Matrix(&'a Path),
    Hessian { instance: &'a Path, theta: &'a str },
}

/// Options of `audit`.
pub struct Options<'a> {
    pub source: Source<'a>,
    /// An outside estimate to audit instead of running the estimators here.
    pub estimate: Option<&'a str>,
    /// `f32` or `f64`: the float type of the outside estimate (for ulps), or of the estimators
    /// run here (`None`: both).
    pub precision: Option<&'a str>,
    pub iterations: usize,
    pub width: &'a str,
    pub json: bool,
    /// One CSV row per checkpoint and estimate instead of the table.
    pub csv: bool,
}

/// One audited estimate.
struct Row {
    method: String,
    precision: &'static str,
    value: Q,
    /// The spacing of the float type at the value.
    ulp: Q,
    iterations: Option<usize>,
    converged: Option<bool>,
    end: End,
}

/// The gap from |x| to the next f64 up: one ulp of x.
pub fn ulp_f64(x: f64) -> Q {
    let a = x.abs();
    from_f64_exact(a.next_up() - a).unwrap_or_else(Q::zero)
}

/// The gap from |x| to the next f32 up: one ulp of x.
pub fn ulp_f32(x: f32) -> Q {
    let a = x.abs();
    from_f64_exact((a.next_up() - a) as f64).unwrap_or_else(Q::zero)
}

fn row<T: Float + Into<f64>>(method: &str, precision: &'static str, e: Estimate<T>, ulp: fn(T) -> Q) -> Row {
    let v: f64 = e.value.into();
    Row { method: method.into(), precision, value: from_f64_exact(v).unwrap_or_else(Q::zero), ulp: ulp(e.value), iterations: Some(e.iterations), converged: Some(e.converged), end: e.end }
}

fn run_estimators<T: Float + Into<f64>>(op: &dyn Operator<T>, precision: &'static str, iters: usize, ulp: fn(T) -> Q, eps: T) -> Vec<Row> {
    vec![
        row("power", precision, estimate::power_iteration(op, iters, eps, 1), ulp),
        row("lanczos", precision, estimate::lanczos(op, End::Largest, iters, eps, 1), ulp),
        row("lanczos", precision, estimate::lanczos(op, End::Smallest, iters, eps, 1), ulp),
    ]
}

fn hessian_op<T: Scalar<Ctx = ()>>(inst: &Instance, theta: &[Q]) -> Hessian<T> {
    Hessian { model: inst.model, data: Data::from_instance(inst, &()), theta: theta.iter().map(|q| T::from_q(q, &())).collect() }
}

/// A label, the certified spectrum, and the same operator in f64 and f32.
type Audited = (String, usize, Spectrum, Box<dyn Operator<f64>>, Box<dyn Operator<f32>>);

/// The f64 and f32 copies of a matrix (f32 rounded from the exact value, as always below the
/// float route's side, and from the binary64 value, which is the same number, above it).
fn dense_ops(m: &Matrix) -> (Box<dyn Operator<f64>>, Box<dyn Operator<f32>>) {
    let f64s = m.f64s();
    let f32s: Vec<Vec<f32>> = if m.side() < FLOAT_ROUTE_MIN || matches!(m, Matrix::Rational(_)) {
        m.rational().iter().map(|r| r.iter().map(|q| f32::from_q(q, &())).collect()).collect()
    } else {
        f64s.iter().map(|r| r.iter().map(|x| *x as f32).collect()).collect()
    };
    (Box::new(Dense(f64s)), Box::new(Dense(f32s)))
}

/// Runs `audit`: one operator, or a batch (an `.npz` of matrices, one per checkpoint) printed as
/// a JSON object with `checkpoints` or, with `csv`, as CSV rows (checkpoint, estimate).
pub fn run(o: &Options) -> Result<i32> {
    let width = parse_width(o.width)?;
    let precisions: Vec<&str> = match o.precision {
        None => vec!["f32", "f64"],
        Some(p @ ("f32" | "f64")) => vec![p],
        Some(other) => return Err(Error::Usage(format!("--precision: `{other}` (expected f32 or f64)"))),
    };
    let outside = match o.estimate {
        Some(text) => Some(parse_q(text).map_err(|r| Error::Usage(format!("--estimate: {r}")))?),
        None => None,
    };
    let mut audited: Vec<Audited> = Vec::new();
    match o.source {
        Source::Matrix(path) => {
            let matrices = read_matrices(path)?;
            let progress = super::sharpness::Progress::new(matrices.len(), matrices.iter().map(|(_, m)| m.side()).max().unwrap_or(0));
            for (label, m) in matrices {
                progress.start(&label, m.side());
                let (ops64, ops32) = dense_ops(&m);
                audited.push((label, m.side(), m.spectrum(&width), ops64, ops32));
                progress.done();
            }
            progress.finish();
        }
        Source::Hessian { instance, theta } => {
            let inst = super::instance(instance)?;
            let theta = parse_theta(&inst, theta)?;
            let data = Data::<Q>::from_instance(&inst, &());
            let h = loss::hessian(inst.model, &data, &theta);
            let spectrum = Spectrum::of(&h, &width);
            audited.push((format!("Hessian of {} at θ", instance.display()), h.len(), spectrum, Box::new(hessian_op::<f64>(&inst, &theta)), Box::new(hessian_op::<f32>(&inst, &theta))));
        }
    }
    let batch = audited.len() > 1 || o.csv;
    let mut reports = Vec::new();
    for (label, d, spectrum, ops64, ops32) in &audited {
        let mut rows = Vec::new();
        match &outside {
            Some(value) => {
                let f = q_to_f64(value);
                let (precision, ulp) = if precisions == ["f32"] { ("f32", ulp_f32(f as f32)) } else { ("f64", ulp_f64(f)) };
                let end = if value.is_negative() { End::Smallest } else { End::Largest };
                rows.push(Row { method: "outside estimate".into(), precision, value: value.clone(), ulp, iterations: None, converged: None, end });
            }
            None => {
                for p in &precisions {
                    match *p {
                        "f32" => rows.extend(run_estimators(ops32.as_ref(), "f32", o.iterations, ulp_f32, f32::EPSILON)),
                        _ => rows.extend(run_estimators(ops64.as_ref(), "f64", o.iterations, ulp_f64, f64::EPSILON)),
                    }
                }
            }
        }
        let (min_lo, min_hi) = spectrum.min();
        let estimates: Vec<Value> = rows.iter().map(|r| audit_row(r, spectrum)).collect();
        let mut report = json!({
            "source": label,
            "d": d,
            "lambda_max": enclosure_json(&spectrum.max.lo, &spectrum.max.hi, Some(&spectrum.max)),
            "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&spectrum.neg_min)),
            "estimates": estimates,
        });
        if batch {
            report["name"] = report["source"].take();
            if let Some(m) = report.as_object_mut() {
                m.remove("source");
            }
        }
        reports.push(report);
    }
    if o.csv {
        out!("checkpoint,d,lambda_max_lo,lambda_max_hi,lambda_min_lo,lambda_min_hi,method,precision,end,estimate,inside,abs_error_hi,rel_error_hi,ulp_error_hi");
        for r in &reports {
            for e in r["estimates"].as_array().into_iter().flatten() {
                let num = |v: &Value| v.as_f64().map_or(String::new(), |x| format!("{x:e}"));
                out!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    super::sharpness::csv_field(r["name"].as_str().unwrap_or("")), r["d"],
                    r["lambda_max"]["lo"].as_str().unwrap_or(""), r["lambda_max"]["hi"].as_str().unwrap_or(""),
                    r["lambda_min"]["lo"].as_str().unwrap_or(""), r["lambda_min"]["hi"].as_str().unwrap_or(""),
                    e["method"].as_str().unwrap_or(""), e["precision"].as_str().unwrap_or(""), e["end"].as_str().unwrap_or(""),
                    e["estimate_exact"].as_str().unwrap_or(""), e["inside"], num(&e["abs_error"]["hi"]), num(&e["rel_error"]["hi"]), num(&e["ulp_error"]["hi"])
                );
            }
        }
    } else if batch {
        let source = match o.source {
            Source::Matrix(p) => p.display().to_string(),
            Source::Hessian { instance, .. } => instance.display().to_string(),
        };
        let all = json!({"source": source, "checkpoints": reports});
        if o.json {
            super::print_json(&all)?;
        } else {
            for r in &reports {
                let mut r = r.clone();
                r["source"] = r["name"].clone();
                print_table(&r)?;
            }
        }
    } else if o.json {
        super::print_json(&reports[0])?;
    } else {
        print_table(&reports[0])?;
    }
    Ok(0)
}

/// The audit of one estimate against the enclosure of its end of the spectrum.
fn audit_row(r: &Row, s: &Spectrum) -> Value {
    let (lo, hi) = match r.end {
        End::Largest => (s.max.lo.clone(), s.max.hi.clone()),
        End::Smallest => s.min(),
    };
    let e = &r.value;
    let abs_lo = if e < &lo { &lo - e } else if e > &hi { e - &hi } else { Q::zero() };
    let abs_hi = abs(&(e - &lo)).max(abs(&(e - &hi)));
    let mag_lo = if lo.is_negative() == hi.is_negative() && !lo.is_zero() { abs(&lo).min(abs(&hi)) } else { Q::zero() };
    let mag_hi = abs(&lo).max(abs(&hi));
    let ratio = |a: &Q, b: &Q| if b.is_zero() { None } else { Some(q_to_f64(&(a / b))) };
    json!({
        "method": r.method,
        "precision": r.precision,
        "estimate": q_to_f64(e),
        "estimate_exact": fmt_q(e),
        "end": r.end.name(),
        "iterations": r.iterations,
        "converged": r.converged,
        "inside": lo <= *e && *e <= hi,
        "abs_error": {"lo": q_to_f64(&abs_lo), "hi": q_to_f64(&abs_hi)},
        "rel_error": {"lo": ratio(&abs_lo, &mag_hi), "hi": ratio(&abs_hi, &mag_lo)},
        "ulp_error": {"lo": ratio(&abs_lo, &r.ulp), "hi": ratio(&abs_hi, &r.ulp)},
    })
}

fn print_table(report: &Value) -> crate::error::Result<()> {
    let num = |v: &Value| v.as_f64().map_or("-".to_string(), |x| format!("{x:.3e}"));
    out!("{} (d = {})", report["source"].as_str().unwrap_or(""), report["d"]);
    for end in ["lambda_max", "lambda_min"] {
        let e = &report[end];
        out!("  {end} in [{}, {}]  (relative width {})", e["lo"].as_str().unwrap_or(""), e["hi"].as_str().unwrap_or(""), num(&e["relative_width"]));
    }
    out!("  {:<17} {:<4} {:<10} {:>6} {:>24} {:>10} {:>10} {:>10}  inside", "method", "prec", "end", "iters", "estimate", "abs err", "rel err", "ulp err");
    for r in report["estimates"].as_array().into_iter().flatten() {
        let iters = r["iterations"].as_u64().map_or("-".to_string(), |i| i.to_string());
        out!(
            "  {:<17} {:<4} {:<10} {:>6} {:>24.16e} {:>10} {:>10} {:>10}  {}",
            r["method"].as_str().unwrap_or(""),
            r["precision"].as_str().unwrap_or(""),
            r["end"].as_str().unwrap_or(""),
            iters,
            r["estimate"].as_f64().unwrap_or(f64::NAN),
            num(&r["abs_error"]["hi"]),
            num(&r["rel_error"]["hi"]),
            num(&r["ulp_error"]["hi"]),
            if r["inside"] == json!(true) { "yes" } else { "no" }
        );
    }
    out!("  errors are upper bounds over the enclosure (its width is far below the float error)");
    Ok(())
}
