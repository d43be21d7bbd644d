//! Everything the Python module asks of the `dlncheck` library, as plain Rust: each function
//! takes owned text and bytes (what Python hands over) and returns a `serde_json::Value` in the
//! layout of the matching CLI command's `--json` output, or the library's one-line [`Error`].
//!
//! Every `dlncheck::` path the package uses is imported in the block below and nowhere else, so
//! that a reorganisation of the library's modules is fixed here in one place.

// ---- the library's paths (keep every `dlncheck::` import in this block) --------------------
pub use dlncheck::error::{Error, Result};
use dlncheck::io::instance::{Instance, Tree, parse_instance, parse_tree, read_instance};
use dlncheck::io::matrix::{Matrix, enclosure_json, parse_theta, read_for_audit_bytes};
use dlncheck::io::npy::{MAX_SIDE, parse_f64 as parse_npy};
use dlncheck::numeric::rational::{Q, parse_q};
pub use dlncheck::report::audit::EstimateIn;
use dlncheck::report::audit::{
    Options as AuditOptions, Source as AuditSource, audit as audit_report,
};
use dlncheck::report::check::verdicts as check_verdicts;
use dlncheck::report::flow::evaluate as flow_evaluate;
use dlncheck::report::gd::{RunOptions as GdRunOptions, evaluate as gd_evaluate, trace_rows};
use dlncheck::report::learner::evaluate as learner_evaluate;
use dlncheck::report::sharpness::{hessian as hessian_report, matrix_report, parse_width};
use dlncheck::report::solve::solve_instance;
use dlncheck::report::{Quiet, to_value};
use dlncheck::spectra::certified::check_symmetric;
use dlncheck_kernel::tree::{Numbers, Table};
// ---------------------------------------------------------------------------------------------

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
/// a JSON file (same reader, same messages, the same binary64 or rational route), with `name`
/// in place of the file name.
pub fn matrix(name: &str, src: &MatrixSource) -> Result<Matrix> {
    match src {
        MatrixSource::Npy(bytes) => {
            let m = parse_npy(name, bytes)?;
            check_symmetric(&m).map_err(|r| Error::input(name, "matrix", r))?;
            Ok(Matrix::Binary64(m))
        }
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
            let m = rows
                .iter()
                .enumerate()
                .map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]")))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            check_symmetric(&m).map_err(|r| Error::input(name, "matrix", r))?;
            Ok(Matrix::Rational(m))
        }
    }
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

/// `lambda_max` of `sharpness --matrix FILE --json`: `{lo, hi, relative_width, certificate}`,
/// and `d`.
pub fn lambda_max(name: &str, src: &MatrixSource, width: &str) -> Result<Value> {
    let w = parse_width(width)?;
    let m = matrix(name, src)?;
    let d = m.side();
    let c = m.lambda_max(&w);
    let mut v = enclosure_json(&c.lo, &c.hi, Some(&c));
    v["d"] = json!(d);
    Ok(v)
}

/// `sharpness --matrix FILE --json`: λ_max, λ_min and the spectral norm (the same report).
pub fn spectrum(name: &str, src: &MatrixSource, width: &str) -> Result<Value> {
    let w = parse_width(width)?;
    to_value(&matrix_report(name, matrix(name, src)?, &w, false))
}

/// The settings of [`audit`] beyond the matrix and the estimates (the flags of `audit`).
pub struct AuditArgs {
    pub width: String,
    pub precision: Option<String>,
    pub iterations: usize,
    pub max_only: bool,
    pub symmetrize: bool,
}

/// `audit --matrix FILE [--estimate NAME=E ...] --json`: the same report, computed by the same
/// library function on the matrix read as the CLI reads a `.npy` or JSON file.
pub fn audit(
    name: &str,
    src: &MatrixSource,
    estimates: Vec<EstimateIn>,
    a: &AuditArgs,
) -> Result<Value> {
    let (npy, json) = match src {
        MatrixSource::Npy(b) => (Some(&b[..]), None),
        MatrixSource::Json(t) => (None, Some(t.as_str())),
    };
    let read = read_for_audit_bytes(name, npy, json, a.symmetrize)?;
    let o = AuditOptions {
        source: AuditSource::Read(vec![read]),
        estimates: Vec::new(),
        given: estimates,
        estimates_file: None,
        precision: a.precision.as_deref(),
        iterations: a.iterations,
        width: &a.width,
        batch: false,
        max_only: a.max_only,
        symmetrize: a.symmetrize,
        tolerance: None,
    };
    to_value(&audit_report(o, &Quiet)?)
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
    solve_instance(&src.load()?, &src.name())?.to_value()
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
    /// Mini-batch SGD (`--batch`, `--seed`, `--replacement`).
    pub batch: Option<u64>,
    pub seed: Option<u64>,
    pub replacement: bool,
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
        claim: false,
        certify_every: None,
        batch: a.batch,
        seed: a.seed,
        replacement: a.replacement,
    };
    let ev = gd_evaluate(&inst, Path::new(&name), &opts, &Quiet)?;
    let mut out = ev.json;
    if a.trace {
        out["trace"] = trace_rows(&ev.summary, &ev.trajectory).into();
    }
    Ok(out)
}

/// `learner FILE --lr ETA [--steps K] [--bits P] --json`, as a value.
pub fn learner(src: &InstanceSource, lr: &str, steps: u64, bits: Option<u64>) -> Result<Value> {
    let inst = src.load()?;
    if !inst.one_point {
        let r = dlncheck::report::learner_points::evaluate(&inst, &src.name(), lr, steps, bits)?;
        return to_value(&r);
    }
    Ok(learner_evaluate(&inst, &src.name(), lr, steps, bits)?.json)
}

/// `flow FILE [--certify] --width W --json`: the gradient-flow limit (SPEC §5.2), as a value.
pub fn flow(src: &InstanceSource, certify: bool, width: &str) -> Result<Value> {
    let inst = src.load()?;
    to_value(&flow_evaluate(&inst, &src.name(), certify, width)?.report)
}

/// `sharpness --instance FILE --theta LIST --json` on the instance {model, x, y}, named
/// `data`: the secular equation of diagonal plus rank one for `shared` (O(d), the Hessian is
/// never formed), the exact dense Hessian otherwise (then the report of a matrix: λ_max, λ_min
/// and the spectral norm).
pub fn sharpness_of(
    model: &str,
    x: &[String],
    y: &str,
    theta: &[String],
    width: &str,
) -> Result<Value> {
    let tree = Tree::Table(vec![
        ("model".into(), Tree::Str(model.into())),
        (
            "x".into(),
            Tree::List(x.iter().map(|s| Tree::Str(s.clone())).collect()),
        ),
        ("y".into(), Tree::Str(y.into())),
    ]);
    let inst = parse_instance("data", &tree)?;
    parse_width(width)?;
    let theta = parse_theta(&inst, &theta.join(","))?;
    to_value(&hessian_report(&inst, "data", &theta, width)?)
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
