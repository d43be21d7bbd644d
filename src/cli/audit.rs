//! `dlncheck audit`: compare float eigenvalue estimates with certified enclosures (SPEC §6).
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

use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::io::matrix::{
    Asymmetry, Entries, Matrix, enclosure_json, parse_entry, parse_theta, parse_width,
    read_exact_tree, read_for_audit, route,
};
use crate::models::loss::{self, Data};
use crate::numeric::rational::{Q, abs, fmt_q, from_f64_exact, parse_q};
use crate::numeric::scalar::{Scalar, q_to_f64};
use crate::spectra::certified::{FLOAT_ROUTE_MIN, MaxCertificate};
use crate::spectra::estimate::{self, Dense, End, Estimate, Hessian, Operator};
use crate::spectra::rank_one;
use dlncheck_kernel::tree::{Table, Tree};
use num_traits::{Float, Signed, Zero};
use serde_json::{Value, json};
use std::path::Path;

/// What to audit: a matrix file or a network Hessian at θ.
pub enum Source<'a> {
    Matrix(&'a Path),
    Hessian { instance: &'a Path, theta: &'a str },
}

/// Options of `audit`.
pub struct Options<'a> {
    pub source: Source<'a>,
    /// Outside estimates to audit instead of running the estimators here: `VALUE` or
    /// `NAME=VALUE` each.
    pub estimates: Vec<&'a str>,
    /// A file of named outside estimates: CSV `name,value[,precision]` or JSON (docs/audit.md).
    pub estimates_file: Option<&'a Path>,
    /// `f32` or `f64`: the float type of the outside estimates (for ulps), or of the estimators
    /// run here (`None`: both).
    pub precision: Option<&'a str>,
    pub iterations: usize,
    pub width: &'a str,
    pub json: bool,
    /// One CSV row per checkpoint and estimate instead of the table.
    pub csv: bool,
    /// Certify λ_max only (λ_min is not computed; `interior` then uses λ_min ≤ min_i H_ii).
    pub max_only: bool,
    /// Audit (H + Hᵀ)/2 of a non-symmetric matrix, reporting the asymmetry removed.
    pub symmetrize: bool,
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

/// Runs `audit`: one operator, or a batch (an `.npz` of matrices, one per checkpoint) printed as
/// a JSON object with `checkpoints` or, with `csv`, as CSV rows (checkpoint, estimate).
pub fn run(o: &Options) -> Result<i32> {
    let width = parse_width(o.width)?;
    let precisions: Vec<&'static str> = match o.precision {
        None => vec!["f32", "f64"],
        Some(p) => vec![
            precision_name(p)
                .ok_or_else(|| Error::Usage(format!("--precision: `{p}` (expected f32 or f64)")))?,
        ],
    };
    let default = if precisions == ["f32"] { "f32" } else { "f64" };
    let outside = outside_estimates(o, default)?;
    let mut audited: Vec<Audited> = Vec::new();
    match o.source {
        Source::Matrix(path) => {
            let matrices = read_for_audit(path, o.symmetrize)?;
            let progress = super::sharpness::Progress::new(
                matrices.len(),
                matrices.iter().map(|r| r.matrix.side()).max().unwrap_or(0),
            );
            for r in matrices {
                progress.start(&r.label, r.matrix.side());
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
                progress.done();
            }
            progress.finish();
        }
        Source::Hessian { instance, theta } => {
            let inst = super::instance(instance)?;
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
    }
    let batch = audited.len() > 1 || o.csv;
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
                    target: None,
                });
            }
        }
        let estimates: Vec<Value> = rows.iter().map(|r| audit_row(r, a)).collect();
        let ends = |e: &Encl| {
            let mut v = enclosure_json(&e.lo, &e.hi, None);
            v["certificate"] = json!(e.certificate);
            v
        };
        let mut report = json!({
            "source": a.label,
            "d": a.d,
            "route": a.route,
            "lambda_max": ends(&a.max),
            "estimates": estimates,
            "seconds": a.seconds,
        });
        if let Some(min) = &a.min {
            report["lambda_min"] = ends(min);
        }
        let w = warnings(a, &mut report);
        report["warnings"] = json!(w);
        if batch {
            report["name"] = report["source"].take();
            if let Some(m) = report.as_object_mut() {
                m.remove("source");
            }
        }
        reports.push(report);
    }
    if o.csv {
        out!(
            "checkpoint,d,lambda_max_lo,lambda_max_hi,lambda_min_lo,lambda_min_hi,method,precision,end,estimate,inside,abs_error_hi,rel_error_hi,ulp_error_hi,name,verdict,rounding_scale_ends"
        );
        for r in &reports {
            let at_scale: Vec<&str> = r["rounding_scale"]["ends"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .collect();
            for e in r["estimates"].as_array().into_iter().flatten() {
                let num = |v: &Value| v.as_f64().map_or(String::new(), |x| format!("{x:e}"));
                out!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    super::sharpness::csv_field(r["name"].as_str().unwrap_or("")),
                    r["d"],
                    r["lambda_max"]["lo"].as_str().unwrap_or(""),
                    r["lambda_max"]["hi"].as_str().unwrap_or(""),
                    r["lambda_min"]["lo"].as_str().unwrap_or(""),
                    r["lambda_min"]["hi"].as_str().unwrap_or(""),
                    e["method"].as_str().unwrap_or(""),
                    e["precision"].as_str().unwrap_or(""),
                    e["end"].as_str().unwrap_or(""),
                    e["estimate_exact"].as_str().unwrap_or(""),
                    e["inside"],
                    num(&e["abs_error"]["hi"]),
                    num(&e["rel_error"]["hi"]),
                    num(&e["ulp_error"]["hi"]),
                    super::sharpness::csv_field(e["name"].as_str().unwrap_or("")),
                    e["verdict"].as_str().unwrap_or(""),
                    at_scale.join(" ")
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

/// The report keys about the entries (`entries`, `symmetrized`, `rounding_scale`) and the
/// warnings: an end whose enclosure meets [−τ, τ], τ = d·u·max|H_ij| (u the unit roundoff of
/// the float entries), is at the scale of the entries' rounding (Weyl: rounding every entry by
/// a relative u moves each eigenvalue by at most ‖E‖₂ ≤ ‖E‖_F ≤ τ).
fn warnings(a: &Audited, report: &mut Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some((entries, biggest, removed)) = &a.entries else {
        return out;
    };
    report["entries"] = json!(entries.description);
    if let Some(asym) = removed {
        report["symmetrized"] = json!({
            "max_asymmetry": fmt_q(&asym.max),
            "max_asymmetry_decimal": q_to_f64(&asym.max),
            "at": [asym.at.0, asym.at.1],
        });
    }
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
                    "{name} ∈ [{:e}, {:e}] lies within τ = d·u·max|H_ij| = {:e} of 0: at the scale of the rounding of the float entries, it describes that rounding, not the network",
                    q_to_f64(&e.lo), q_to_f64(&e.hi), q_to_f64(&tau)
                ));
            }
        }
        let bits = if *u == Q::new(1.into(), num_bigint::BigInt::from(1) << 24usize) {
            24
        } else {
            53
        };
        report["rounding_scale"] = json!({"unit_roundoff": format!("2^-{bits}"), "threshold": q_to_f64(&tau), "threshold_exact": fmt_q(&tau), "ends": ends});
    }
    out
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
fn audit_row(r: &Row, a: &Audited) -> Value {
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
    // Certified interior: e ± ulp strictly inside (λ_min.hi, λ_max.lo); without λ_min,
    // min_i H_ii ≥ λ_min stands in for λ_min.hi.
    let min_hi = a.min.as_ref().map_or(&a.diagonal_min, |m| &m.hi);
    let interior = (e + &r.ulp) < a.max.lo && (e - &r.ulp) > *min_hi;
    let verdict = if interior {
        "interior"
    } else if a.min.is_some() || (e + &r.ulp) >= a.max.lo {
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
    // A bound that does not exist (a relative error over an enclosure containing 0) is absent,
    // never null; so are `iterations` and `converged` of an outside estimate.
    let ratio = |a: &Q, b: &Q| {
        let mut v = json!({});
        if !b.is_zero() {
            v["lo"] = json!(q_to_f64(&(a / b)));
        }
        v
    };
    let bounds = |lo: &Q, hi: &Q, den_lo: &Q, den_hi: &Q| {
        let mut v = ratio(lo, den_lo);
        if let Some(x) = ratio(hi, den_hi).get("lo") {
            v["hi"] = x.clone();
        }
        v
    };
    let mut row = json!({
        "name": r.name,
        "method": r.method,
        "precision": r.precision,
        "estimate": q_to_f64(e),
        "estimate_exact": fmt_q(e),
        "end": end.name(),
        "verdict": verdict,
        "rounding_radius": q_to_f64(&r.ulp),
        "inside": lo <= e && e <= hi,
        "abs_error": {"lo": q_to_f64(&abs_lo), "hi": q_to_f64(&abs_hi)},
        "rel_error": bounds(&abs_lo, &abs_hi, &mag_hi, &mag_lo),
        "ulp_error": bounds(&abs_lo, &abs_hi, &r.ulp, &r.ulp),
    });
    if let (Some(i), Some(c)) = (r.iterations, r.converged) {
        row["iterations"] = json!(i);
        row["converged"] = json!(c);
    }
    row
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
    Ok(())
}
