//! Matrix inputs of `sharpness --matrix` and `audit --matrix` (SPEC §6, §7), and the small
//! helpers both commands share (so neither imports the other): reading `.npy`, `.npz` (one matrix
//! per archive entry: a batch, e.g. one Hessian per checkpoint) and JSON/TOML matrices,
//! `--width`, `--theta`, and the JSON form of an enclosure.

use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::numeric::rational::{fmt_q, from_f64_exact, parse_q, Q};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{check_symmetric, relative_width, Lower, MaxCertificate, Spectrum, Upper};
use dlncheck_kernel::tree::{Numbers, Table};
use num_traits::{Signed, Zero};
use serde_json::{json, Value};
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
            Matrix::Binary64(m) => m.iter().map(|r| r.iter().map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero)).collect()).collect(),
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
        let bytes = std::fs::read(path).map_err(|e| Error::file(&name, format!("cannot read: {e}")))?;
        let arrays = if ext == "npy" { vec![(String::new(), crate::io::npy::parse_f64(&name, &bytes)?)] } else { crate::io::npy::parse_npz(&name, &bytes)? };
        return arrays
            .into_iter()
            .map(|(entry, m)| {
                let label = if entry.is_empty() { name.clone() } else { format!("{name}[{entry}]") };
                check_symmetric_f64(&m).map_err(|r| Error::input(&label, "matrix", r))?;
                Ok((label, Matrix::Binary64(m)))
            })
            .collect();
    }
    Ok(vec![(name, Matrix::Rational(read_matrix(path)?))])
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
            return Err(Error::input(&name, "matrix", format!("expected 1 to {} rows, found {}", crate::io::npy::MAX_SIDE, rows.len())));
        }
        rows.iter().enumerate().map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]"))).collect::<std::result::Result<Vec<_>, _>>()?
    };
    check_symmetric(&m).map_err(|r| Error::input(&name, "matrix", r))?;
    Ok(m)
}

/// Parses `--width`: a rational in (0, 1).
pub fn parse_width(text: &str) -> Result<Q> {
    let w = parse_q(text).map_err(|r| Error::Usage(format!("--width: {r}")))?;
    if !w.is_positive() || w >= Q::from_integer(1.into()) {
        return Err(Error::Usage(format!("--width: {text} must lie strictly between 0 and 1")));
    }
    Ok(w)
}

/// Parses `--theta`: a comma list or a file ([`crate::io::theta::parse_theta`]: text, a JSON
/// list, `gd --json` output or `.npy`), one entry per parameter of the model.
pub fn parse_theta(inst: &Instance, text: &str) -> Result<Vec<Q>> {
    let p = inst.dim() * inst.model.block();
    let theta = crate::io::theta::parse_theta(text)?;
    if theta.len() != p {
        return Err(Error::Usage(format!("--theta has {} entries, model {} with d = {} has {p} parameters", theta.len(), inst.model.name(), inst.dim())));
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
        Upper::KatoTempleCholesky { .. } => "Kato–Temple, λ₂ below the gap shift by verified binary64 Cholesky",
        Upper::DefiniteCholesky => "hi·I − H ⪰ 0 by verified binary64 Cholesky",
    };
    format!("{lower}; {upper}")
}

/// `{lo, hi, relative_width, certificate}` of one end.
pub fn enclosure_json(lo: &Q, hi: &Q, how: Option<&MaxCertificate>) -> Value {
    let mut v = json!({"lo": fmt_q(lo), "hi": fmt_q(hi), "relative_width": q_to_f64(&relative_width(lo, hi))});
    if let Some(c) = how {
        v["certificate"] = json!(route(c));
    }
    v
}
