//! The report of `audit`: float eigenvalue estimates compared with certified enclosures (SPEC §6).
//!
//! The operator is a matrix file (`--matrix`) or the Hessian ∇²L(θ) of a diagonal linear
//! network (`--instance FILE --theta LIST`); float estimators on a Hessian use Hessian-vector
//! products only, while the enclosure certifies the exact rational Hessian (for `shared` with one
//! data point by the O(d) secular route of [`crate::spectra::rank_one`], otherwise densely). The
//! enclosures are computed once per matrix and judge every estimate: ours (power iteration,
//! Lanczos) or outside ones (`--estimate`, repeated, or `--estimates FILE`). Each estimate is
//! compared with the enclosure of one end: absolute error |est − λ| ∈ [dist(est, [lo, hi]),
//! max(|est − lo|, |est − hi|)], relative error (the same over |λ|), ulp error (over the spacing
//! of the estimate's float type at the estimate), whether it lies inside, and a `verdict`:
//! `interior` when certified strictly inside (λ_min, λ_max) by more than one ulp, else the nearest
//! end (docs/audit.md states every rule).

use super::{Observer, Symmetrized};
use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::io::matrix::{
    Asymmetry, Entries, Matrix, parse_entry, parse_theta, parse_width, read_exact_tree,
    read_for_audit, route,
};
use crate::models::loss::{self, Data};
use crate::numeric::rational::{Q, abs, fmt_q, from_f64_exact, parse_q};
use crate::numeric::scalar::{Scalar, q_to_f64};
use crate::spectra::certified::{FLOAT_ROUTE_MIN, MaxCertificate, relative_width};
use crate::spectra::estimate::{self, Dense, End, Estimate, Hessian, Operator};
use crate::spectra::rank_one;
use dlncheck_kernel::tree::{Table, Tree};
use num_traits::{Float, Signed, Zero};
use serde::Serialize;
use std::path::Path;

/// What to audit: a matrix file or a network Hessian at θ.
pub enum Source<'a> {
    Matrix(&'a Path),
    Hessian {
        instance: &'a Path,
        theta: &'a str,
    },
    /// Matrices read already (the Python package's arrays), as [`read_for_audit`] reads files.
    Read(Vec<crate::io::matrix::Read>),
}

/// One outside estimate given as data (the Python package): its exact text, an optional name,
/// the float type it came from and the end of the spectrum it estimates (`None`: the nearest).
#[derive(Clone, Debug, Default)]
pub struct EstimateIn {
    pub name: Option<String>,
    pub text: String,
    pub precision: Option<String>,
    pub end: Option<String>,
}

/// Options of `audit`.
pub struct Options<'a> {
    pub source: Source<'a>,
    /// Outside estimates to audit instead of running the estimators here: `VALUE` or
    /// `NAME=VALUE` each.
    pub estimates: Vec<&'a str>,
    /// Outside estimates given as data, after those of `estimates`.
    pub given: Vec<EstimateIn>,
    /// A file of named outside estimates: CSV `name,value[,precision]` or JSON (docs/audit.md).
    pub estimates_file: Option<&'a Path>,
    /// `f32` or `f64`: the float type of the outside estimates (for ulps), or of the estimators
    /// run here (`None`: both).
    pub precision: Option<&'a str>,
    pub iterations: usize,
    pub width: &'a str,
    /// Report a batch (`checkpoints`) even for one matrix (the CLI's `--csv`).
    pub batch: bool,
    /// Certify λ_max only (λ_min is not computed; `interior` then uses λ_min ≤ min_i H_ii).
    pub max_only: bool,
    /// Audit (H + Hᵀ)/2 of a non-symmetric matrix, reporting the asymmetry removed.
    pub symmetrize: bool,
    /// The absolute tolerance of the verdicts (`--tol`); `None`: the default
    /// [`TOLERANCE_MULTIPLE`]·d·u·‖H‖ of each estimate's float type.
    pub tolerance: Option<&'a str>,
}

/// K of the default verdict tolerance K·d·u·‖H‖ (docs/audit.md): a float eigensolver's error on
/// a d × d matrix is of order d·u·‖H‖ (backward stability), and K leaves room for a few sweeps.
pub const TOLERANCE_MULTIPLE: i64 = 8;

/// The verdict tolerance of an estimate of float type `precision` (u = 2^−24 for f32, else
/// 2^−53) on an operator of side d whose certified ends bound ‖H‖ = max |λ|.
fn tolerance(precision: &str, a: &Audited, given: Option<&Q>) -> Q {
    if let Some(t) = given {
        return t.clone();
    }
    let u = crate::numeric::rational::pow2(if precision == "f32" { -24 } else { -53 });
    let mut norm = abs(&a.max.lo).max(abs(&a.max.hi));
    if let Some(m) = &a.min {
        norm = norm.max(abs(&m.lo)).max(abs(&m.hi));
    }
    Q::from_integer((TOLERANCE_MULTIPLE * a.d as i64).into()) * u * norm
}

/// One audited estimate.
struct Row {
    name: String,
    method: String,
    precision: &'static str,
    value: Q,
    /// The spacing of the float type at the value: the estimate's rounding radius.
    ulp: Q,
    iterations: Option<usize>,
    converged: Option<bool>,
    /// The end the estimator targets (Lanczos); `None`: the nearest end.
    target: Option<End>,
}

/// An outside estimate.
struct Outside {
    name: String,
    value: Q,
    precision: &'static str,
    target: Option<End>,
}

/// A certified enclosure of one end and how it was certified.
struct Encl {
    lo: Q,
    hi: Q,
    certificate: String,
}

/// One operator with its certified ends, computed once for all its estimates.
struct Audited {
    label: String,
    d: usize,
    route: &'static str,
    max: Encl,
    min: Option<Encl>,
    /// min_i H_ii ≥ λ_min (certified: a Rayleigh quotient).
    diagonal_min: Q,
    seconds: f64,
    ops64: Box<dyn Operator<f64>>,
    ops32: Box<dyn Operator<f32>>,
    /// For matrix files: how the entries were read, max |H_ij|, the asymmetry removed.
    entries: Option<(Entries, Q, Option<Asymmetry>)>,
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

fn row<T: Float + Into<f64>>(
    name: &str,
    method: &str,
    precision: &'static str,
    e: Estimate<T>,
    ulp: fn(T) -> Q,
    target: Option<End>,
) -> Row {
    let v: f64 = e.value.into();
    Row {
        name: name.into(),
        method: method.into(),
        precision,
        value: from_f64_exact(v).unwrap_or_else(Q::zero),
        ulp: ulp(e.value),
        iterations: Some(e.iterations),
        converged: Some(e.converged),
        target,
    }
}

fn run_estimators<T: Float + Into<f64>>(
    op: &dyn Operator<T>,
    precision: &'static str,
    iters: usize,
    ulp: fn(T) -> Q,
    eps: T,
    max_only: bool,
) -> Vec<Row> {
    let mut rows = vec![
        row(
            &format!("power-{precision}"),
            "power",
            precision,
            estimate::power_iteration(op, iters, eps, 1),
            ulp,
            None,
        ),
        row(
            &format!("lanczos-max-{precision}"),
            "lanczos",
            precision,
            estimate::lanczos(op, End::Largest, iters, eps, 1),
            ulp,
            Some(End::Largest),
        ),
    ];
    if !max_only {
        rows.push(row(
            &format!("lanczos-min-{precision}"),
            "lanczos",
            precision,
            estimate::lanczos(op, End::Smallest, iters, eps, 1),
            ulp,
            Some(End::Smallest),
        ));
    }
    rows
}

fn hessian_op<T: Scalar<Ctx = ()>>(inst: &Instance, theta: &[Q]) -> Hessian<T> {
    Hessian {
        model: inst.model,
        data: Data::from_instance(inst, &()),
        theta: theta.iter().map(|q| T::from_q(q, &())).collect(),
    }
}

/// The f64 and f32 copies of a matrix (f32 rounded from the exact value, as always below the
/// float route's side, and from the binary64 value, which is the same number, above it).
fn dense_ops(m: &Matrix) -> (Box<dyn Operator<f64>>, Box<dyn Operator<f32>>) {
    let f64s = m.f64s();
    let f32s: Vec<Vec<f32>> = if m.side() < FLOAT_ROUTE_MIN || matches!(m, Matrix::Rational(_)) {
        m.rational()
            .iter()
            .map(|r| r.iter().map(|q| f32::from_q(q, &())).collect())
            .collect()
    } else {
        f64s.iter()
            .map(|r| r.iter().map(|x| *x as f32).collect())
            .collect()
    };
    (Box::new(Dense(f64s)), Box::new(Dense(f32s)))
}

fn encl(c: &MaxCertificate) -> Encl {
    Encl {
        lo: c.lo.clone(),
        hi: c.hi.clone(),
        certificate: route(c),
    }
}

fn encl_neg(c: &MaxCertificate) -> Encl {
    Encl {
        lo: -&c.hi,
        hi: -&c.lo,
        certificate: format!("{} (of −H)", route(c)),
    }
}

/// The certified ends of a dense rational or binary64 matrix (λ_max alone with `max_only`).
fn dense_ends(m: &Matrix, width: &Q, max_only: bool) -> (Encl, Option<Encl>) {
    if max_only {
        (encl(&m.lambda_max(width)), None)
    } else {
        let s = m.spectrum(width);
        (encl(&s.max), Some(encl_neg(&s.neg_min)))
    }
}

fn diagonal_min(m: &[Vec<Q>]) -> Q {
    (0..m.len())
        .map(|i| m[i][i].clone())
        .min()
        .unwrap_or_else(Q::zero)
}

/// Checks that an outside estimate is a finite number of its float type; returns its ulp.
fn outside(name: String, value: Q, precision: &'static str, what: &str) -> Result<Outside> {
    let finite = match precision {
        "f32" => f32::from_q(&value, &()).is_finite(),
        _ => f64::from_q(&value, &()).is_finite(),
    };
    if !finite {
        let range = if precision == "f32" {
            "3.4e38"
        } else {
            "1.8e308"
        };
        return Err(Error::Usage(format!(
            "{what}: lies beyond the {precision} range (±{range}): not an eigenvalue estimate"
        )));
    }
    Ok(Outside {
        name,
        value,
        precision,
        target: None,
    })
}

/// Parses an estimate's text (an exact decimal or p/q), refusing NaN and infinities clearly.
fn estimate_value(text: &str, what: &str) -> Result<Q> {
    let t = text
        .trim()
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase();
    if t.starts_with("inf") || t == "nan" {
        return Err(Error::Usage(format!(
            "{what}: `{}` is not a finite number",
            text.trim()
        )));
    }
    parse_q(text).map_err(|r| Error::Usage(format!("{what}: {r}")))
}

fn precision_name(p: &str) -> Option<&'static str> {
    match p {
        "f32" => Some("f32"),
        "f64" => Some("f64"),
        _ => None,
    }
}

/// The outside estimates of `--estimate` (repeated) and `--estimates FILE`, names unique.
fn outside_estimates(o: &Options, default: &'static str) -> Result<Vec<Outside>> {
    let mut out = Vec::new();
    for (k, text) in o.estimates.iter().enumerate() {
        let (name, value) = match text.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => (n.trim().to_string(), v),
            _ => (format!("estimate-{}", k + 1), *text),
        };
        let what = format!("--estimate `{text}`");
        out.push(outside(
            name,
            estimate_value(value, &what)?,
            default,
            &what,
        )?);
    }
    for (k, e) in o.given.iter().enumerate() {
        let name = e
            .name
            .clone()
            .unwrap_or_else(|| format!("estimate-{}", o.estimates.len() + k + 1));
        let what = format!("estimate `{}`", e.text);
        let precision = match e.precision.as_deref() {
            None => default,
            Some(p) => precision_name(p)
                .ok_or_else(|| Error::Usage(format!("precision: `{p}` (expected f32 or f64)")))?,
        };
        let mut x = outside(name, estimate_value(&e.text, &what)?, precision, &what)?;
        x.target = match e.end.as_deref() {
            None => None,
            Some("lambda_max") => Some(End::Largest),
            Some("lambda_min") => Some(End::Smallest),
            Some(other) => {
                return Err(Error::Usage(format!(
                    "end: `{other}` (expected lambda_max or lambda_min)"
                )));
            }
        };
        out.push(x);
    }
    if let Some(path) = o.estimates_file {
        out.extend(read_estimates(path, default)?);
    }
    for (i, e) in out.iter().enumerate() {
        if out[..i].iter().any(|f| f.name == e.name) {
            return Err(Error::Usage(format!(
                "estimate name `{}` is given twice (names must be unique)",
                e.name
            )));
        }
    }
    Ok(out)
}

/// Reads `--estimates FILE`: CSV with a header `name,value` (and optionally `precision`), or JSON
/// `{"name": value, ...}` or `[{"name": ..., "value": ..., "precision": ...}, ...]`. String values
/// are exact decimals or p/q; plain JSON floats are the binary64 values they denote.
fn read_estimates(path: &Path, default: &'static str) -> Result<Vec<Outside>> {
    let file = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let bad = |field: &str, reason: String| Error::input(&file, field, reason);
    let precision_of = |field: &str, p: &str| {
        precision_name(p).ok_or_else(|| bad(field, format!("`{p}` (expected f32 or f64)")))
    };
    let check =
        |name: String, value: Q, precision: &'static str, field: String| -> Result<Outside> {
            outside(name, value, precision, &field).map_err(|e| match e {
                Error::Usage(r) => bad(
                    &field,
                    r.strip_prefix(&format!("{field}: "))
                        .unwrap_or(&r)
                        .to_string(),
                ),
                other => other,
            })
        };
    let mut out = Vec::new();
    match ext {
        "csv" => {
            let text =
                dlncheck_kernel::tree::read_text(path, dlncheck_kernel::tree::MAX_FILE_BYTES)?;
            let mut lines = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty());
            let (_, header) = lines.next().ok_or_else(|| {
                Error::file(
                    &file,
                    "empty: expected a header `name,value` and one row per estimate",
                )
            })?;
            let cols: Vec<&str> = header.split(',').map(str::trim).collect();
            for (i, c) in cols.iter().enumerate() {
                if !["name", "value", "precision"].contains(c) {
                    return Err(bad(
                        "header",
                        format!("unknown column `{c}` (allowed: name, value, precision)"),
                    ));
                }
                if cols[..i].contains(c) {
                    return Err(bad("header", format!("duplicate column `{c}`")));
                }
            }
            let at = |c: &str| cols.iter().position(|x| *x == c);
            let (Some(ni), Some(vi)) = (at("name"), at("value")) else {
                return Err(bad("header", "expected the columns name and value".into()));
            };
            for (l, line) in lines {
                let fields: Vec<&str> = line
                    .split(',')
                    .map(|f| f.trim().trim_matches('"'))
                    .collect();
                let field = |c: &str| format!("line {}: {c}", l + 1);
                if fields.len() != cols.len() {
                    return Err(bad(
                        &format!("line {}", l + 1),
                        format!("{} fields, the header has {}", fields.len(), cols.len()),
                    ));
                }
                if fields[ni].is_empty() {
                    return Err(bad(&field("name"), "empty".into()));
                }
                let precision = match at("precision") {
                    Some(pi) if !fields[pi].is_empty() => {
                        precision_of(&field("precision"), fields[pi])?
                    }
                    _ => default,
                };
                let value = estimate_value(fields[vi], "value").map_err(|e| {
                    bad(
                        &field("value"),
                        e.to_string()
                            .split_once(": ")
                            .map_or(String::new(), |(_, b)| b.to_string()),
                    )
                })?;
                out.push(check(
                    fields[ni].to_string(),
                    value,
                    precision,
                    field("value"),
                )?);
            }
        }
        "json" => {
            let (tree, _) = read_exact_tree(path)?;
            let value_of = |t: &Tree, field: &str| -> Result<Q> {
                match t {
                    Tree::Str(s) if crate::io::json_numbers::is_plain_number(s) => {
                        parse_entry(s).map_err(|r| bad(field, r))
                    }
                    Tree::Str(s) => estimate_value(s, "value").map_err(|e| {
                        bad(
                            field,
                            e.to_string()
                                .split_once(": ")
                                .map_or(String::new(), |(_, b)| b.to_string()),
                        )
                    }),
                    other => Err(bad(
                        field,
                        format!(
                            "expected a number or a rational string, found {}",
                            other.kind()
                        ),
                    )),
                }
            };
            match &tree {
                Tree::Table(entries) => {
                    for (name, t) in entries {
                        out.push(check(
                            name.clone(),
                            value_of(t, name)?,
                            default,
                            name.clone(),
                        )?);
                    }
                }
                Tree::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("[{i}]");
                        let t = Table::new(&file, item, &at, &["name", "value", "precision"])?;
                        let name = t.str("name")?.to_string();
                        let value = value_of(t.req("value")?, &t.path("value"))?;
                        let precision = if t.has("precision") {
                            precision_of(&t.path("precision"), t.str("precision")?)?
                        } else {
                            default
                        };
                        out.push(check(name, value, precision, t.path("value"))?);
                    }
                }
                other => {
                    return Err(Error::file(
                        &file,
                        format!(
                            "expected an object {{\"name\": value}} or a list of {{name, value, precision}}, found {}",
                            other.kind()
                        ),
                    ));
                }
            }
        }
        _ => {
            return Err(Error::file(
                &file,
                "--estimates: expected a .csv or .json file",
            ));
        }
    }
    if out.is_empty() {
        return Err(Error::file(&file, "no estimates"));
    }
    Ok(out)
}

/// A certified end of the spectrum in a report: exact rational strings and how it was certified.
#[derive(Clone, Debug, Serialize)]
pub struct EndReport {
    pub certificate: String,
    pub hi: String,
    pub lo: String,
    pub relative_width: f64,
}

/// Lower and upper bounds of an error; a bound that does not exist (a relative error over an
/// enclosure containing 0) is absent, never null.
#[derive(Clone, Debug, Serialize)]
pub struct Bounds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lo: Option<f64>,
}

/// One audited estimate (keys in the order `--json` prints them: sorted).
#[derive(Clone, Debug, Serialize)]
pub struct EstimateRow {
    pub abs_error: Bounds,
    /// Whether our estimator converged (absent for an outside estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    pub end: &'static str,
    pub estimate: f64,
    pub estimate_exact: String,
    pub inside: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    pub method: String,
    pub name: String,
    pub precision: &'static str,
    pub rel_error: Bounds,
    pub rounding_radius: f64,
    /// The verdict's tolerance: an estimate within it of an end is not `interior`.
    pub tolerance: f64,
    pub ulp_error: Bounds,
    /// `interior`, `lambda_max`, `lambda_min` or `unclassified` (docs/audit.md).
    pub verdict: &'static str,
}

/// The rounding-scale rule of a matrix of float entries.
#[derive(Clone, Debug, Serialize)]
pub struct RoundingScale {
    /// The ends whose enclosure meets [−τ, τ].
    pub ends: Vec<&'static str>,
    pub threshold: f64,
    pub threshold_exact: String,
    pub unit_roundoff: String,
}

/// The audit of one operator: `audit --json` for one matrix, or one checkpoint of a batch.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub d: usize,
    /// How the entries of a matrix file were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<String>,
    pub estimates: Vec<EstimateRow>,
    pub lambda_max: EndReport,
    /// Absent with `--max-only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda_min: Option<EndReport>,
    /// The checkpoint's name (in a batch; `source` otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounding_scale: Option<RoundingScale>,
    pub route: &'static str,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetrized: Option<Symmetrized>,
    pub warnings: Vec<String>,
}

impl Report {
    /// The operator's label: `source`, or `name` in a batch.
    pub fn label(&self) -> &str {
        self.source
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or("")
    }
}

/// A batch: one report per checkpoint (an `.npz`, or `--csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Batch {
    pub checkpoints: Vec<Report>,
    pub source: String,
}

/// What `audit --json` prints.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Audit {
    One(Box<Report>),
    Batch(Batch),
}

/// Audits one operator or a batch; `obs` hears of the matrices certified.
pub fn audit(o: Options, obs: &dyn Observer) -> Result<Audit> {
    let width = parse_width(o.width)?;
    let tol = match o.tolerance {
        None => None,
        Some(text) => {
            let t = crate::numeric::rational::parse_q(text)
                .map_err(|e| Error::Usage(format!("--tol `{text}`: {e}")))?;
            if t.is_negative() {
                return Err(Error::Usage(format!("--tol `{text}`: a tolerance is ≥ 0")));
            }
            Some(t)
        }
    };
    let precisions: Vec<&'static str> = match o.precision {
        None => vec!["f32", "f64"],
        Some(p) => vec![
            precision_name(p)
                .ok_or_else(|| Error::Usage(format!("--precision: `{p}` (expected f32 or f64)")))?,
        ],
    };
    let default = if precisions == ["f32"] { "f32" } else { "f64" };
    let outside = outside_estimates(&o, default)?;
    let mut audited: Vec<Audited> = Vec::new();
    let batch_source = match &o.source {
        Source::Matrix(p) => p.display().to_string(),
        Source::Hessian { instance, .. } => instance.display().to_string(),
        Source::Read(r) => r.first().map_or_else(String::new, |r| r.label.clone()),
    };
    let (matrices, hessian) = match o.source {
        Source::Matrix(path) => (Some(read_for_audit(path, o.symmetrize)?), None),
        Source::Read(r) => (Some(r), None),
        Source::Hessian { instance, theta } => (None, Some((instance, theta))),
    };
    match (matrices, hessian) {
        (Some(matrices), _) => {
            let side = matrices.iter().map(|r| r.matrix.side()).max().unwrap_or(0);
            let shown = matrices.len() > 1 || side >= 500;
            if shown {
                obs.start(matrices.len() as u64, "");
            }
            for r in matrices {
                let n = r.matrix.side();
                obs.message(&format!(
                    "{}: {n}×{n}, verified Cholesky and witness",
                    r.label
                ));
                let start = std::time::Instant::now();
                let (max, min) = dense_ends(&r.matrix, &width, o.max_only);
                let seconds = start.elapsed().as_secs_f64();
                let (ops64, ops32) = dense_ops(&r.matrix);
                let h = r.matrix.rational();
                let biggest = h.iter().flatten().map(abs).max().unwrap_or_else(Q::zero);
                audited.push(Audited {
                    label: r.label,
                    d: h.len(),
                    route: "dense",
                    max,
                    min,
                    diagonal_min: diagonal_min(&h),
                    seconds,
                    ops64,
                    ops32,
                    entries: Some((r.entries, biggest, r.removed)),
                });
                obs.advance(1);
            }
            if shown {
                obs.finish();
            }
        }
        (None, Some((instance, theta))) => {
            let inst = crate::io::instance::read_instance(instance)?;
            let theta = parse_theta(&inst, theta)?;
            let label = format!("Hessian of {} at θ", instance.display());
            let start = std::time::Instant::now();
            let (route, max, min, dmin, d) = match super::sharpness::rank_one_hessian(&inst, &theta)
            {
                Some((diag, a, c)) => {
                    let e = rank_one::ends(&diag, &a, &c, &width, o.max_only);
                    let how = "secular equation (diagonal + rank one): exact inertia of H − tI in O(d), sums rounded outward";
                    let end = |(lo, hi): (Q, Q)| Encl {
                        lo,
                        hi,
                        certificate: how.into(),
                    };
                    (
                        "secular equation (diagonal + rank one)",
                        end(e.max),
                        e.min.map(end),
                        e.diagonal_min,
                        diag.len(),
                    )
                }
                None => {
                    let data = Data::<Q>::from_instance(&inst, &());
                    let h = loss::hessian(inst.model, &data, &theta);
                    let (max, min) = dense_ends(&Matrix::Rational(h.clone()), &width, o.max_only);
                    ("dense", max, min, diagonal_min(&h), h.len())
                }
            };
            let seconds = start.elapsed().as_secs_f64();
            audited.push(Audited {
                label,
                d,
                route,
                max,
                min,
                diagonal_min: dmin,
                seconds,
                ops64: Box::new(hessian_op::<f64>(&inst, &theta)),
                ops32: Box::new(hessian_op::<f32>(&inst, &theta)),
                entries: None,
            });
        }
        (None, None) => unreachable!("a source without matrices is a Hessian"),
    }
    let batch = audited.len() > 1 || o.batch;
    let mut reports = Vec::new();
    for a in &audited {
        let mut rows = Vec::new();
        if outside.is_empty() {
            for p in &precisions {
                match *p {
                    "f32" => rows.extend(run_estimators(
                        a.ops32.as_ref(),
                        "f32",
                        o.iterations,
                        ulp_f32,
                        f32::EPSILON,
                        o.max_only,
                    )),
                    _ => rows.extend(run_estimators(
                        a.ops64.as_ref(),
                        "f64",
                        o.iterations,
                        ulp_f64,
                        f64::EPSILON,
                        o.max_only,
                    )),
                }
            }
        } else {
            for e in &outside {
                let f = q_to_f64(&e.value);
                let ulp = if e.precision == "f32" {
                    ulp_f32(f as f32)
                } else {
                    ulp_f64(f)
                };
                rows.push(Row {
                    name: e.name.clone(),
                    method: "outside estimate".into(),
                    precision: e.precision,
                    value: e.value.clone(),
                    ulp,
                    iterations: None,
                    converged: None,
                    target: e.target,
                });
            }
        }
        let ends = |e: &Encl| EndReport {
            certificate: e.certificate.clone(),
            hi: fmt_q(&e.hi),
            lo: fmt_q(&e.lo),
            relative_width: q_to_f64(&relative_width(&e.lo, &e.hi)),
        };
        let (warnings, entries, rounding_scale, symmetrized) = warnings(a);
        reports.push(Report {
            d: a.d,
            entries,
            estimates: rows.iter().map(|r| audit_row(r, a, tol.as_ref())).collect(),
            lambda_max: ends(&a.max),
            lambda_min: a.min.as_ref().map(ends),
            name: batch.then(|| a.label.clone()),
            rounding_scale,
            route: a.route,
            seconds: a.seconds,
            source: (!batch).then(|| a.label.clone()),
            symmetrized,
            warnings,
        });
    }
    Ok(if batch {
        Audit::Batch(Batch {
            checkpoints: reports,
            source: batch_source,
        })
    } else {
        Audit::One(Box::new(reports.remove(0)))
    })
}

/// The report keys about the entries (`entries`, `rounding_scale`, `symmetrized`) and the
/// warnings: an end whose enclosure meets [−τ, τ], τ = d·u·max|H_ij| (u the unit roundoff of
/// the float entries), is at the scale of the entries' rounding (Weyl: rounding every entry by
/// a relative u moves each eigenvalue by at most ‖E‖₂ ≤ ‖E‖_F ≤ τ).
type EntryKeys = (
    Vec<String>,
    Option<String>,
    Option<RoundingScale>,
    Option<Symmetrized>,
);

fn warnings(a: &Audited) -> EntryKeys {
    let mut out = Vec::new();
    let Some((entries, biggest, removed)) = &a.entries else {
        return (out, None, None, None);
    };
    let symmetrized = removed.as_ref().map(Symmetrized::of);
    let mut scale = None;
    if let Some(u) = &entries.unit_roundoff {
        let tau = Q::from_integer((a.d as i64).into()) * u * biggest;
        let mut ends = Vec::new();
        for (name, e) in [("lambda_max", Some(&a.max)), ("lambda_min", a.min.as_ref())] {
            if let Some(e) = e
                && e.lo <= tau
                && e.hi >= -&tau
            {
                ends.push(name);
                out.push(format!(
                    "{name} ∈ [{:e}, {:e}] lies within τ = d·u·max|H_ij| = {:e} of 0: at the \
                     scale of the rounding of the float entries, it describes that rounding, not \
                     the network",
                    q_to_f64(&e.lo),
                    q_to_f64(&e.hi),
                    q_to_f64(&tau)
                ));
            }
        }
        let bits = if *u == Q::new(1.into(), num_bigint::BigInt::from(1) << 24usize) {
            24
        } else {
            53
        };
        scale = Some(RoundingScale {
            ends,
            threshold: q_to_f64(&tau),
            threshold_exact: fmt_q(&tau),
            unit_roundoff: format!("2^-{bits}"),
        });
    }
    (out, Some(entries.description.clone()), scale, symmetrized)
}

/// Distance from `e` to [lo, hi].
fn distance(e: &Q, lo: &Q, hi: &Q) -> Q {
    if e < lo {
        lo - e
    } else if e > hi {
        e - hi
    } else {
        Q::zero()
    }
}

/// The audit of one estimate against the enclosure of its end of the spectrum, and its verdict.
fn audit_row(r: &Row, a: &Audited, tol: Option<&Q>) -> EstimateRow {
    let e = &r.value;
    let nearest = match &a.min {
        Some(min) if distance(e, &min.lo, &min.hi) < distance(e, &a.max.lo, &a.max.hi) => {
            End::Smallest
        }
        _ => End::Largest,
    };
    let end = r.target.unwrap_or(nearest);
    let (lo, hi) = match (end, &a.min) {
        (End::Smallest, Some(min)) => (&min.lo, &min.hi),
        _ => (&a.max.lo, &a.max.hi),
    };
    // Certified interior: e ± max(ulp, tolerance) strictly inside (λ_min.hi, λ_max.lo);
    // without λ_min, min_i H_ii ≥ λ_min stands in for λ_min.hi.
    let min_hi = a.min.as_ref().map_or(&a.diagonal_min, |m| &m.hi);
    let tolerance = tolerance(r.precision, a, tol);
    let radius = r.ulp.clone().max(tolerance.clone());
    let interior = (e + &radius) < a.max.lo && (e - &radius) > *min_hi;
    let verdict = if interior {
        "interior"
    } else if a.min.is_some() || (e + &radius) >= a.max.lo {
        nearest.name()
    } else {
        "unclassified"
    };
    let abs_lo = distance(e, lo, hi);
    let abs_hi = abs(&(e - lo)).max(abs(&(e - hi)));
    let mag_lo = if lo.is_negative() == hi.is_negative() && !lo.is_zero() {
        abs(lo).min(abs(hi))
    } else {
        Q::zero()
    };
    let mag_hi = abs(lo).max(abs(hi));
    let ratio = |a: &Q, b: &Q| (!b.is_zero()).then(|| q_to_f64(&(a / b)));
    EstimateRow {
        abs_error: Bounds {
            hi: Some(q_to_f64(&abs_hi)),
            lo: Some(q_to_f64(&abs_lo)),
        },
        converged: r.iterations.and(r.converged),
        end: end.name(),
        estimate: q_to_f64(e),
        estimate_exact: fmt_q(e),
        inside: lo <= e && e <= hi,
        iterations: r.converged.and(r.iterations),
        method: r.method.clone(),
        name: r.name.clone(),
        precision: r.precision,
        rel_error: Bounds {
            hi: ratio(&abs_hi, &mag_lo),
            lo: ratio(&abs_lo, &mag_hi),
        },
        rounding_radius: q_to_f64(&r.ulp),
        tolerance: q_to_f64(&tolerance),
        ulp_error: Bounds {
            hi: ratio(&abs_hi, &r.ulp),
            lo: ratio(&abs_lo, &r.ulp),
        },
        verdict,
    }
}
