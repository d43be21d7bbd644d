//! Matrix inputs of `sharpness --matrix` and `audit --matrix` (SPEC §6, §7), and the small
//! helpers both commands share (so neither imports the other): reading `.npy`, `.npz` (one matrix
//! per archive entry: a batch, e.g. one Hessian per checkpoint) and JSON/TOML matrices,
//! `--width`, `--theta`, and the JSON form of an enclosure.

use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::io::json_numbers::mark_json_numbers;
pub use crate::io::json_numbers::parse_entry;
use crate::numeric::rational::{Q, fmt_q, from_f64_exact, parse_q, pow2};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{
    Lower, MaxCertificate, Spectrum, Upper, check_symmetric, relative_width,
};
use dlncheck_kernel::linalg::binary64;
use dlncheck_kernel::tree::{Numbers, Table};
use num_traits::{Signed, Zero};
use serde_json::{Value, json};
use std::path::Path;

/// A symmetric matrix as read: binary64 values (from `.npy`/`.npz`, exact) or rationals.
pub enum Matrix {
    Binary64(Vec<Vec<f64>>),
    Rational(Vec<Vec<Q>>),
}

impl Matrix {
    pub fn side(&self) -> usize {
        match self {
            Matrix::Binary64(m) => m.len(),
            Matrix::Rational(m) => m.len(),
        }
    }
    /// The exact rational entries.
    pub fn rational(&self) -> Vec<Vec<Q>> {
        match self {
            Matrix::Binary64(m) => m
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero))
                        .collect()
                })
                .collect(),
            Matrix::Rational(m) => m.clone(),
        }
    }
    /// The entries rounded to f64 (exact for binary64 input).
    pub fn f64s(&self) -> Vec<Vec<f64>> {
        match self {
            Matrix::Binary64(m) => m.clone(),
            Matrix::Rational(m) => m.iter().map(|r| r.iter().map(q_to_f64).collect()).collect(),
        }
    }
    /// A certified enclosure of λ_max alone: for binary64 input from side
    /// [`FLOAT_ROUTE_MIN`](crate::spectra::certified::FLOAT_ROUTE_MIN) on, the float-speed
    /// route with the exact one as fallback, as [`Spectrum::of_binary64`] does for each end.
    pub fn lambda_max(&self, width: &Q) -> MaxCertificate {
        use crate::spectra::certified::{FLOAT_ROUTE_MIN, lambda_max};
        match self {
            Matrix::Binary64(m) if m.len() >= FLOAT_ROUTE_MIN => {
                crate::spectra::verified_cholesky::lambda_max_or_exact(m, width)
            }
            _ => lambda_max(&self.rational(), width),
        }
    }
    /// Certified enclosures of both ends ([`Spectrum::of_binary64`] for binary64 input).
    pub fn spectrum(&self, width: &Q) -> Spectrum {
        match self {
            Matrix::Binary64(m) => Spectrum::of_binary64(m, width),
            Matrix::Rational(m) => Spectrum::of(m, width),
        }
    }
}

/// Checks that a binary64 matrix is non-empty, square and symmetric (bitwise equal entries):
/// the same check as for rationals.
fn check_symmetric_f64(m: &[Vec<f64>]) -> std::result::Result<(), String> {
    crate::spectra::certified::check_symmetric(m)
}

/// Reads the matrices of `path`: one for `.npy` and JSON/TOML, one per entry for `.npz`, each
/// with its name (the file, or `file[entry]`); each checked square and symmetric.
pub fn read_matrices(path: &Path) -> Result<Vec<(String, Matrix)>> {
    let name = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "npy" || ext == "npz" {
        return read_arrays(path)?
            .into_iter()
            .map(|(label, m)| {
                check_symmetric_f64(&m).map_err(|r| Error::input(&label, "matrix", r))?;
                Ok((label, Matrix::Binary64(m)))
            })
            .collect();
    }
    Ok(vec![(name, Matrix::Rational(read_matrix(path)?))])
}

/// The arrays of a `.npy` (one) or `.npz` (one per entry, named `file[entry]`), unchecked.
fn read_arrays(path: &Path) -> Result<Vec<(String, Vec<Vec<f64>>)>> {
    let name = path.display().to_string();
    let bytes = dlncheck_kernel::tree::read_capped(path, crate::io::npy::MAX_NPY_BYTES)?;
    let arrays = if path.extension().is_some_and(|e| e == "npy") {
        vec![(String::new(), crate::io::npy::parse_f64(&name, &bytes)?)]
    } else {
        crate::io::npy::parse_npz(&name, &bytes)?
    };
    Ok(arrays
        .into_iter()
        .map(|(entry, m)| {
            (
                if entry.is_empty() {
                    name.clone()
                } else {
                    format!("{name}[{entry}]")
                },
                m,
            )
        })
        .collect())
}

/// How the entries of a matrix were read, for the audit's report and its rounding-scale rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Entries {
    /// In words, e.g. "float64 binary values (.npy), read exactly".
    pub description: String,
    /// The unit roundoff u of the float format the entries came in (2^−24 when every entry is a
    /// float32 value, else 2^−53), or `None` for rationals written as strings (exact input).
    pub unit_roundoff: Option<Q>,
}

/// The largest asymmetry |H_ij − H_ji| of a matrix, exact, and where (i > j).
#[derive(Clone, Debug, PartialEq)]
pub struct Asymmetry {
    pub max: Q,
    pub at: (usize, usize),
}

/// One matrix as the audit reads it: symmetric (after `--symmetrize` when asked), with how its
/// entries were read and, when symmetrized, the asymmetry removed.
pub struct Read {
    pub label: String,
    pub matrix: Matrix,
    pub entries: Entries,
    /// `Some` exactly when symmetrizing was asked for (`max` = 0 for a symmetric input).
    pub removed: Option<Asymmetry>,
}

/// Reads the matrices of `path` like [`read_matrices`], and also JSON matrices of plain
/// floats (each read as the binary64 value it denotes). A non-symmetric matrix is an error
/// naming the largest asymmetry unless `symmetrize`, which replaces H by (H + Hᵀ)/2 exactly
/// (rationals of the values read) and reports what it removed.
pub fn read_for_audit(path: &Path, symmetrize: bool) -> Result<Vec<Read>> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let (raw, floats): (Vec<RawMatrix>, Option<String>) = if ext == "npy" || ext == "npz" {
        raw_arrays(read_arrays(path)?, ext)
    } else {
        let (tree, count) = read_exact_tree(path)?;
        raw_tree(&path.display().to_string(), &tree, count)?
    };
    finish_for_audit(raw, floats, symmetrize)
}

/// [`read_for_audit`] of a matrix handed over in memory (the Python package): the bytes of a
/// `.npy` file or the JSON text of `{"matrix": [[...]]}`, named `name` in messages and reports.
pub fn read_for_audit_bytes(
    name: &str,
    npy: Option<&[u8]>,
    json: Option<&str>,
    symmetrize: bool,
) -> Result<Read> {
    let (raw, floats) = match (npy, json) {
        (Some(bytes), _) => raw_arrays(
            vec![(name.to_string(), crate::io::npy::parse_f64(name, bytes)?)],
            "npy",
        ),
        (None, Some(text)) => {
            let (tree, count) = parse_exact_json(name, text)?;
            raw_tree(name, &tree, count)?
        }
        (None, None) => return Err(Error::file(name, "no matrix given")),
    };
    let mut read = finish_for_audit(raw, floats, symmetrize)?;
    Ok(read.remove(0))
}

/// The exact entries of binary64 arrays, and how they were read.
fn raw_arrays(arrays: Vec<(String, Vec<Vec<f64>>)>, ext: &str) -> (Vec<RawMatrix>, Option<String>) {
    let raw = arrays
        .into_iter()
        .map(|(label, m)| {
            (
                label,
                m.iter()
                    .map(|r| {
                        r.iter()
                            .map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero))
                            .collect()
                    })
                    .collect(),
                Some(m),
            )
        })
        .collect();
    (raw, Some(format!(".{ext} binary values, read exactly")))
}

/// The entries of a `{"matrix": [[...]]}` tree with `count` plain JSON floats, and how they were
/// read.
fn raw_tree(
    name: &str,
    tree: &dlncheck_kernel::tree::Tree,
    count: usize,
) -> Result<(Vec<RawMatrix>, Option<String>)> {
    {
        let m = matrix_of_tree(name, tree)?;
        // Their binary64 values, when every entry is one (one conversion per entry).
        let f = if count > 0 {
            m.iter()
                .map(|r| r.iter().map(binary64).collect::<Option<Vec<f64>>>())
                .collect::<Option<Vec<_>>>()
        } else {
            None
        };
        let how = (count > 0).then(|| {
            format!("{count} plain JSON floats, each read as the exact binary64 value it denotes")
        });
        Ok((vec![(name.to_string(), m, f)], how))
    }
}

/// Checks square and symmetric (or symmetrizes) the matrices read for the audit.
fn finish_for_audit(
    raw: Vec<RawMatrix>,
    floats: Option<String>,
    symmetrize: bool,
) -> Result<Vec<Read>> {
    raw.into_iter()
        .map(|(label, q, f)| {
            square(&q).map_err(|r| Error::input(&label, "matrix", r))?;
            let asym = asymmetry(&q);
            let unit_roundoff = floats.as_ref().map(|_| {
                let f32s = q.iter().flatten().all(|x| binary64(x).is_some_and(|v| (v as f32) as f64 == v));
                pow2(if f32s { -24 } else { -53 })
            });
            let kind = match (&floats, &unit_roundoff) {
                (Some(how), Some(u)) => format!("{how} (every entry a float{} value: u = 2^{})", if *u == pow2(-24) { "32" } else { "64" }, if *u == pow2(-24) { "-24" } else { "-53" }),
                _ => "rationals (strings), read exactly".to_string(),
            };
            let entries = Entries { description: kind, unit_roundoff };
            if !asym.max.is_zero() && !symmetrize {
                let (i, j) = asym.at;
                return Err(Error::input(
                    &label,
                    "matrix",
                    format!("not symmetric: entry [{i}][{j}] differs from [{j}][{i}] by {} (the largest asymmetry); pass --symmetrize to audit (H + Hᵀ)/2, taken exactly", crate::numeric::rational::short(&asym.max)),
                ));
            }
            let matrix = if asym.max.is_zero() {
                match f {
                    Some(f) => Matrix::Binary64(f),
                    None => Matrix::Rational(q),
                }
            } else {
                let two = Q::from_integer(2.into());
                let n = q.len();
                let s: Vec<Vec<Q>> = (0..n).map(|i| (0..n).map(|j| if q[i][j] == q[j][i] { q[i][j].clone() } else { (&q[i][j] + &q[j][i]) / &two }).collect()).collect();
                // Still binary64 when every average is (keeps the float-speed route).
                match s.iter().map(|r| r.iter().map(binary64).collect::<Option<Vec<f64>>>()).collect::<Option<Vec<_>>>() {
                    Some(f) => Matrix::Binary64(f),
                    None => Matrix::Rational(s),
                }
            };
            Ok(Read { label, matrix, entries, removed: symmetrize.then_some(asym) })
        })
        .collect()
}

/// A matrix as read: its label, exact entries and, when every entry is one, its binary64 values.
type RawMatrix = (String, Vec<Vec<Q>>, Option<Vec<Vec<f64>>>);

/// Checks that `m` is non-empty and square.
fn square(m: &[Vec<Q>]) -> std::result::Result<(), String> {
    let n = m.len();
    if n == 0 {
        return Err("the matrix is empty".into());
    }
    match m.iter().enumerate().find(|(_, r)| r.len() != n) {
        Some((i, r)) => Err(format!(
            "not square: {n} rows but row {i} has {} entries",
            r.len()
        )),
        None => Ok(()),
    }
}

/// max |m_ij − m_ji| over i > j and where (the first largest), exact.
pub fn asymmetry(m: &[Vec<Q>]) -> Asymmetry {
    let mut out = Asymmetry {
        max: Q::zero(),
        at: (0, 0),
    };
    for i in 0..m.len() {
        for j in 0..i {
            if m[i][j] != m[j][i] {
                let d = (&m[i][j] - &m[j][i]).abs();
                if d > out.max {
                    out = Asymmetry { max: d, at: (i, j) };
                }
            }
        }
    }
    out
}

/// The rows of a JSON/TOML `{"matrix": [[...]]}` tree (plain JSON floats read as binary64).
fn matrix_of_tree(name: &str, tree: &dlncheck_kernel::tree::Tree) -> Result<Vec<Vec<Q>>> {
    let name = name.to_string();
    let t = Table::new(&name, tree, "", &["matrix"])?.with_numbers(Numbers::Input(parse_entry));
    let rows = t.list("matrix")?;
    if rows.is_empty() || rows.len() > crate::io::npy::MAX_SIDE {
        return Err(Error::input(
            &name,
            "matrix",
            format!(
                "expected 1 to {} rows, found {}",
                crate::io::npy::MAX_SIDE,
                rows.len()
            ),
        ));
    }
    let m = rows
        .iter()
        .enumerate()
        .map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]")))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(m)
}

/// Reads a TOML or JSON file with the strict parser (duplicate keys refused). In JSON, every
/// plain number is kept as its text, marked, so that [`parse_entry`] reads an integer exactly
/// and a float (a `.`, `e` or `E`) as the binary64 value it denotes; returns how many floats.
pub fn read_exact_tree(path: &Path) -> Result<(dlncheck_kernel::tree::Tree, usize)> {
    let name = path.display().to_string();
    let text = dlncheck_kernel::tree::read_text(path, dlncheck_kernel::tree::MAX_FILE_BYTES)?;
    if !(name.ends_with(".json") || text.trim_start().starts_with(['{', '['])) {
        return Ok((crate::io::instance::read_tree(path)?, 0));
    }
    parse_exact_json(&name, &text)
}

/// The JSON text of [`read_exact_tree`], named `name` in messages.
pub fn parse_exact_json(name: &str, text: &str) -> Result<(dlncheck_kernel::tree::Tree, usize)> {
    let (marked, floats) = mark_json_numbers(text).map_err(|r| Error::file(name, r))?;
    let tree = serde_json::from_str(&marked).map_err(|e| {
        Error::file(
            name,
            format!(
                "malformed JSON at line {}: {}",
                e.line(),
                e.to_string()
                    .split(" at line")
                    .next()
                    .unwrap_or("syntax error")
            ),
        )
    })?;
    Ok((tree, floats))
}

/// Reads one matrix: `.npy` (f32/f64, exact binary values) or JSON/TOML `{"matrix": [[...]]}` of
/// rationals; checks that it is square and symmetric.
pub fn read_matrix(path: &Path) -> Result<Vec<Vec<Q>>> {
    let name = path.display().to_string();
    let m = if path.extension().is_some_and(|e| e == "npy") {
        crate::io::npy::read_matrix(path)?
    } else {
        let tree = crate::io::instance::read_tree(path)?;
        let t = Table::new(&name, &tree, "", &["matrix"])?.with_numbers(Numbers::Input(parse_q));
        let rows = t.list("matrix")?;
        if rows.is_empty() || rows.len() > crate::io::npy::MAX_SIDE {
            return Err(Error::input(
                &name,
                "matrix",
                format!(
                    "expected 1 to {} rows, found {}",
                    crate::io::npy::MAX_SIDE,
                    rows.len()
                ),
            ));
        }
        rows.iter()
            .enumerate()
            .map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]")))
            .collect::<std::result::Result<Vec<_>, _>>()?
    };
    check_symmetric(&m).map_err(|r| Error::input(&name, "matrix", r))?;
    Ok(m)
}

/// Parses `--width`: a rational in (0, 1).
pub fn parse_width(text: &str) -> Result<Q> {
    let w = parse_q(text).map_err(|r| Error::Usage(format!("--width: {r}")))?;
    if !w.is_positive() || w >= Q::from_integer(1.into()) {
        return Err(Error::Usage(format!(
            "--width: {text} must lie strictly between 0 and 1"
        )));
    }
    Ok(w)
}

/// Parses `--theta`: a comma list or a file ([`crate::io::theta::parse_theta`]: text, a JSON
/// list, `gd --json` output or `.npy`), one entry per parameter of the model.
pub fn parse_theta(inst: &Instance, text: &str) -> Result<Vec<Q>> {
    let p = inst.dim() * inst.model.block();
    let theta = crate::io::theta::parse_theta(text)?;
    if theta.len() != p {
        return Err(Error::Usage(format!(
            "--theta has {} entries, model {} with d = {} has {p} parameters",
            theta.len(),
            inst.model.name(),
            inst.dim()
        )));
    }
    Ok(theta)
}

/// How a certificate proves its two ends, in words.
pub fn route(c: &MaxCertificate) -> String {
    let lower = match c.lower {
        Lower::Witness(_) => "Rayleigh witness",
        Lower::Inertia => "LDLᵀ inertia",
    };
    let upper = match c.upper {
        Upper::Definite => "hi·I − H ⪰ 0 by LDLᵀ",
        Upper::KatoTemple { .. } => "Kato–Temple, one eigenvalue above a gap shift",
        Upper::KatoTempleCholesky { .. } => {
            "Kato–Temple, λ₂ below the gap shift by verified binary64 Cholesky"
        }
        Upper::DefiniteCholesky => "hi·I − H ⪰ 0 by verified binary64 Cholesky",
    };
    if c.norm_width {
        format!("{lower}; {upper}; width relative to ‖H‖ (a cluster binary64 cannot split)")
    } else {
        format!("{lower}; {upper}")
    }
}

/// `{lo, hi, relative_width, certificate}` of one end.
pub fn enclosure_json(lo: &Q, hi: &Q, how: Option<&MaxCertificate>) -> Value {
    let mut v = json!({"lo": fmt_q(lo), "hi": fmt_q(hi), "relative_width": q_to_f64(&relative_width(lo, hi))});
    if let Some(c) = how {
        v["certificate"] = json!(route(c));
        if c.norm_width {
            v["width_relative_to_norm"] = json!(true);
        }
    }
    v
}
