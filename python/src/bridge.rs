//! Everything the Python module asks of the `dlncheck` library, as plain Rust: each function
//! takes owned text and bytes (what Python hands over) and returns a `serde_json::Value` in the
//! layout of the matching CLI command's `--json` output, or the library's one-line [`Error`].
//!
//! Every `dlncheck::` path the package uses is imported in the block below and nowhere else, so
//! that a reorganisation of the library's modules is fixed here in one place.

// ---- the library's paths (keep every `dlncheck::` import in this block) --------------------
use dlncheck::cli::audit::{ulp_f32, ulp_f64};
use dlncheck::cli::check::verdicts as check_verdicts;
use dlncheck::cli::gd::{RunOptions as GdRunOptions, evaluate as gd_evaluate};
use dlncheck::cli::learner::evaluate as learner_evaluate;
use dlncheck::cli::sharpness::{parse_width, rank_one_hessian};
use dlncheck::cli::solve::Solved;
pub use dlncheck::error::{Error, Result};
use dlncheck::io::instance::{Instance, Tree, parse_instance, parse_tree, read_instance};
use dlncheck::io::matrix::{enclosure_json, parse_theta};
use dlncheck::io::npy::{MAX_SIDE, parse_matrix as parse_npy};
use dlncheck::models::loss::{Data, hessian};
use dlncheck::numeric::rational::{Q, abs, fmt_q, parse_q};
use dlncheck::numeric::scalar::q_to_f64;
use dlncheck::spectra::certified::{
    Spectrum, check_symmetric, lambda_max as certified_lambda_max, rank_one_max, relative_width,
};
use dlncheck::theory::generalization::{
    report as generalization_report, report_json as generalization_json,
};
use dlncheck::theory::optimum::solve as solve_t1;
use dlncheck_kernel::tree::{Numbers, Table};
// ---------------------------------------------------------------------------------------------

use num_traits::{Signed, Zero};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A matrix as Python hands it over: the bytes of a `.npy` file (float32/float64 arrays, saved
/// by `numpy.save`), or the JSON text of `{"matrix": [[...], ...]}` (nested lists, object
/// arrays of `Fraction`, integer arrays).
pub enum MatrixSource {
    Npy(Vec<u8>),
    Json(String),
}

/// Reads and checks a matrix exactly as `dlncheck sharpness --matrix FILE` does for a `.npy` or
/// a JSON file (same reader, same messages), with `name` in place of the file name.
pub fn matrix(name: &str, src: &MatrixSource) -> Result<Vec<Vec<Q>>> {
    let m = match src {
        MatrixSource::Npy(bytes) => parse_npy(name, bytes)?,
        MatrixSource::Json(text) => {
            let tree = parse_tree(&format!("{name}.json"), text)
                .map_err(|e| rename(e, &format!("{name}.json"), name))?;
            let t = Table::new(name, &tree, "", &["matrix"])?.with_numbers(Numbers::Input(parse_q));
            let rows = t.list("matrix")?;
            if rows.is_empty() || rows.len() > MAX_SIDE {
                return Err(Error::input(
                    name,
                    "matrix",
                    format!("expected 1 to {MAX_SIDE} rows, found {}", rows.len()),
                ));
            }
            rows.iter()
                .enumerate()
                .map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]")))
                .collect::<std::result::Result<Vec<_>, _>>()?
        }
    };
    check_symmetric(&m).map_err(|r| Error::input(name, "matrix", r))?;
    Ok(m)
}

/// The same error with the file name `from` replaced by `to`.
fn rename(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::File { file, reason } if file == from => Error::File {
            file: to.into(),
            reason,
        },
        Error::Input {
            file,
            field,
            reason,
        } if file == from => Error::Input {
            file: to.into(),
            field,
            reason,
        },
        other => other,
    }
}

/// `lambda_max` of `sharpness --matrix FILE --json`: `{lo, hi, relative_width, certificate}`.
pub fn lambda_max(name: &str, src: &MatrixSource, width: &str) -> Result<Value> {
    let w = parse_width(width)?;
    let h = matrix(name, src)?;
    let c = certified_lambda_max(&h, &w);
    let mut v = enclosure_json(&c.lo, &c.hi, Some(&c));
    v["d"] = json!(h.len());
    Ok(v)
}

/// `sharpness --matrix FILE --json` without the timing: λ_max, λ_min and the spectral norm.
pub fn spectrum(name: &str, src: &MatrixSource, width: &str) -> Result<Value> {
    let w = parse_width(width)?;
    let h = matrix(name, src)?;
    let s = Spectrum::of(&h, &w);
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    Ok(json!({
        "d": h.len(),
        "target_width": fmt_q(&w),
        "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
        "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
        "spectral_norm": enclosure_json(&norm_lo, &norm_hi, None),
    }))
}

/// One outside estimate to audit: its exact text, the float type it came from (for ulps) and
/// the end of the spectrum it claims (`None`: the nearest end).
pub struct EstimateIn {
    pub text: String,
    pub precision: String,
    pub end: Option<String>,
}

/// Distance from `e` to the interval [lo, hi].
fn distance(e: &Q, lo: &Q, hi: &Q) -> Q {
    if e < lo {
        lo - e
    } else if e > hi {
        e - hi
    } else {
        Q::zero()
    }
}

/// `audit --matrix FILE --estimate E --json`: the certified ends of the spectrum and one row per
/// estimate, each compared with the enclosure of its end (the errors of `cli/audit.rs`).
pub fn audit(
    name: &str,
    src: &MatrixSource,
    estimates: &[EstimateIn],
    width: &str,
) -> Result<Value> {
    let w = parse_width(width)?;
    let h = matrix(name, src)?;
    let s = Spectrum::of(&h, &w);
    let max = (s.max.lo.clone(), s.max.hi.clone());
    let min = s.min();
    let mut rows = Vec::new();
    for est in estimates {
        let e = parse_q(&est.text).map_err(|r| Error::Usage(format!("--estimate: {r}")))?;
        let f = q_to_f64(&e);
        let (precision, ulp) = match est.precision.as_str() {
            "f32" => ("f32", ulp_f32(f as f32)),
            "f64" => ("f64", ulp_f64(f)),
            other => {
                return Err(Error::Usage(format!(
                    "--precision: `{other}` (expected f32 or f64)"
                )));
            }
        };
        // SPEC §7: the end of the spectrum the estimate is nearest (ties: λ_max); or as given.
        let end = match est.end.as_deref() {
            Some("lambda_max") => "lambda_max",
            Some("lambda_min") => "lambda_min",
            Some(other) => {
                return Err(Error::Usage(format!(
                    "end: `{other}` (expected lambda_max or lambda_min)"
                )));
            }
            None => {
                let (dmax, dmin) = (distance(&e, &max.0, &max.1), distance(&e, &min.0, &min.1));
                if dmin < dmax {
                    "lambda_min"
                } else {
                    "lambda_max"
                }
            }
        };
        let (lo, hi) = if end == "lambda_max" { &max } else { &min };
        let abs_lo = distance(&e, lo, hi);
        let abs_hi = abs(&(&e - lo)).max(abs(&(&e - hi)));
        let mag_lo = if lo.is_negative() == hi.is_negative() && !lo.is_zero() {
            abs(lo).min(abs(hi))
        } else {
            Q::zero()
        };
        let mag_hi = abs(lo).max(abs(hi));
        let ratio = |a: &Q, b: &Q| {
            if b.is_zero() {
                None
            } else {
                Some(q_to_f64(&(a / b)))
            }
        };
        rows.push(json!({
            "method": "outside estimate",
            "precision": precision,
            "estimate": f,
            "estimate_exact": fmt_q(&e),
            "end": end,
            "iterations": null,
            "converged": null,
            "inside": lo <= &e && &e <= hi,
            "abs_error": {"lo": q_to_f64(&abs_lo), "hi": q_to_f64(&abs_hi)},
            "rel_error": {"lo": ratio(&abs_lo, &mag_hi), "hi": ratio(&abs_hi, &mag_lo)},
            "ulp_error": {"lo": ratio(&abs_lo, &ulp), "hi": ratio(&abs_hi, &ulp)},
        }));
    }
    Ok(json!({
        "d": h.len(),
        "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
        "lambda_min": enclosure_json(&min.0, &min.1, Some(&s.neg_min)),
        "estimates": rows,
    }))
}

/// An instance: a file path (read as the CLI reads it) or the JSON text of a Python dict,
/// named `name` in messages.
pub enum InstanceSource {
    Path(PathBuf),
    Json { name: String, text: String },
}

impl InstanceSource {
    fn name(&self) -> String {
        match self {
            InstanceSource::Path(p) => p.display().to_string(),
            InstanceSource::Json { name, .. } => name.clone(),
        }
    }
    fn load(&self) -> Result<Instance> {
        match self {
            InstanceSource::Path(p) => read_instance(p),
            InstanceSource::Json { name, text } => {
                let tree: Tree = serde_json::from_str(text)
                    .map_err(|e| Error::file(name, format!("malformed JSON: {e}")))?;
                parse_instance(name, &tree)
            }
        }
    }
}

/// `solve FILE --json`, as a value.
pub fn solve(src: &InstanceSource) -> Result<Value> {
    let inst = src.load()?;
    let t1 = solve_t1(&inst)?;
    let generalization = generalization_report(&inst)?.map(|r| generalization_json(&r));
    let solved = Solved {
        file: src.name(),
        model: inst.model.name().to_string(),
        d: inst.dim(),
        t1,
        generalization,
    };
    let mut bytes = Vec::new();
    solved.write(&mut bytes).map_err(|e| Error::Output {
        file: "<memory>".into(),
        reason: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Output {
        file: "<memory>".into(),
        reason: e.to_string(),
    })
}

/// Arguments of [`gd`] (those of `dlncheck gd` that do not write files).
pub struct GdArgs {
    pub lr: String,
    pub steps: Option<u64>,
    pub precision: String,
    pub tol: Option<String>,
    pub checks: bool,
    pub certify: bool,
    pub bits: Option<u64>,
    pub trace: bool,
}

/// `gd FILE --lr ETA ... --json` (with `--certify`, `--checks`), as a value; `trace` adds the
/// per-step records of `--trace FILE.json` under `trace`.
pub fn gd(src: &InstanceSource, a: &GdArgs) -> Result<Value> {
    let inst = src.load()?;
    let name = src.name();
    let opts = GdRunOptions {
        lr: &a.lr,
        steps: a.steps,
        precision: &a.precision,
        tol: a.tol.as_deref(),
        certify: a.certify,
        bits: a.bits,
        checks: a.checks,
        record: a.trace,
        progress: false,
        claim: false,
        certify_every: None,
    };
    let ev = gd_evaluate(&inst, Path::new(&name), &opts)?;
    let mut out = ev.json;
    if a.trace {
        out["trace"] = dlncheck::cli::gd::trace_rows(&ev.summary, &ev.trajectory).into();
    }
    Ok(out)
}

/// `learner FILE --lr ETA [--steps K] [--bits P] --json`, as a value.
pub fn learner(src: &InstanceSource, lr: &str, steps: u64, bits: Option<u64>) -> Result<Value> {
    let inst = src.load()?;
    Ok(learner_evaluate(&inst, &src.name(), lr, steps, bits)?.json)
}

/// The certified λ_max of the network Hessian ∇²L(θ) at θ for data (x, y) and `model`, as
/// `sharpness --instance FILE --theta LIST --json` computes it: the secular equation of
/// diagonal plus rank one for `shared` (O(d), the Hessian is never formed), the exact dense
/// Hessian otherwise.
pub fn sharpness_of(
    model: &str,
    x: &[String],
    y: &str,
    theta: &[String],
    width: &str,
) -> Result<Value> {
    let w = parse_width(width)?;
    let tree = Tree::Table(vec![
        ("model".into(), Tree::Str(model.into())),
        (
            "x".into(),
            Tree::List(x.iter().map(|s| Tree::Str(s.clone())).collect()),
        ),
        ("y".into(), Tree::Str(y.into())),
    ]);
    let inst = parse_instance("data", &tree)?;
    let theta = parse_theta(&inst, &theta.join(","))?;
    if let Some((diag, a, c)) = rank_one_hessian(&inst, &theta) {
        let cert = rank_one_max(&diag, &a, &c, &w);
        return Ok(json!({
            "d": diag.len(),
            "route": "secular equation (diagonal + rank one)",
            "lo": fmt_q(&cert.lo), "hi": fmt_q(&cert.hi),
            "relative_width": q_to_f64(&cert.relative_width()),
        }));
    }
    let data = Data::<Q>::from_instance(&inst, &());
    let h = hessian(inst.model, &data, &theta);
    let c = certified_lambda_max(&h, &w);
    Ok(json!({
        "d": h.len(),
        "route": "exact dense Hessian",
        "lo": fmt_q(&c.lo), "hi": fmt_q(&c.hi),
        "relative_width": q_to_f64(&relative_width(&c.lo, &c.hi)),
    }))
}

/// `check PATH... --json`, as a value, plus `exit` (the CLI's exit code) and `errors` (the
/// lines the CLI writes to standard error).
pub fn check(paths: &[PathBuf]) -> Value {
    let v = check_verdicts(paths);
    let mut out = v.json;
    out["exit"] = json!(v.exit);
    out["errors"] = json!(v.errors);
    out
}
