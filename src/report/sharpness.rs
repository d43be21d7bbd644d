//! The report of `sharpness` (SPEC §6, §7): certified enclosures of λ_max, λ_min and the
//! spectral norm of a symmetric matrix (one, or a batch of checkpoints), or λ_max of a network
//! Hessian at θ.

use super::{Observer, Symmetrized};
use crate::error::Result;
use crate::io::instance::{Instance, Model};
use crate::io::matrix::{Matrix, enclosure_json, read_for_audit, read_matrices};
use crate::numeric::rational::{Q, fmt_q};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{self as sharpness, RankOneCertificate, Spectrum};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

pub use crate::io::matrix::parse_width;

/// The `shared` one-point Hessian 2r·diag(x) + 4aaᵀ at θ = w (a = x ⊙ w) as (D, a, c = 4), or
/// `None` for other models and n > 1. (`models::loss::rank_one_form` gives the same matrix as
/// D + zzᵀ with z² only; the claim files of the secular route record a itself.)
pub fn rank_one_hessian(inst: &Instance, theta: &[Q]) -> Option<(Vec<Q>, Vec<Q>, Q)> {
    if inst.model != Model::Shared || inst.x.len() != 1 {
        return None;
    }
    let x = &inst.x[0];
    let r: Q = x.iter().zip(theta).map(|(xi, wi)| xi * wi * wi).sum::<Q>() - &inst.y[0];
    let two_r = Q::from_integer(2.into()) * r;
    let diag = x.iter().map(|xi| &two_r * xi).collect();
    let a = x.iter().zip(theta).map(|(xi, wi)| xi * wi).collect();
    Some((diag, a, Q::from_integer(4.into())))
}

/// The certified ends and norm of one matrix (`sharpness --matrix FILE --json`); in a batch,
/// one checkpoint (`name` instead of `file` and `target_width`).
#[derive(Serialize)]
pub struct MatrixReport {
    pub d: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `{lo, hi, relative_width, certificate}`.
    pub lambda_max: Value,
    pub lambda_min: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub seconds: f64,
    /// `{lo, hi, relative_width}` of max |λ|.
    pub spectral_norm: Value,
    /// What `--symmetrize` removed (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetrized: Option<Symmetrized>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_width: Option<String>,
    /// The spectrum itself, for the human text, CSV and claims.
    #[serde(skip)]
    pub spectrum: Option<Spectrum>,
    /// The matrix certified (for claim files).
    #[serde(skip)]
    pub matrix: Option<Matrix>,
}

/// A batch (`.npz`): one report per checkpoint.
#[derive(Serialize)]
pub struct Batch {
    pub checkpoints: Vec<MatrixReport>,
    pub file: String,
    pub target_width: String,
}

/// λ_max of a network Hessian at θ by the secular route (`sharpness --instance --theta`).
#[derive(Serialize)]
pub struct HessianReport {
    pub d: usize,
    pub file: String,
    pub lambda_max: Bound,
    pub route: &'static str,
    pub seconds: f64,
    /// The certificate and the (D, a, c) it certifies, for the claim file.
    #[serde(skip)]
    pub certificate: Option<(Vec<Q>, Vec<Q>, Q, RankOneCertificate)>,
}

/// `{hi, lo, relative_width}` of one enclosure.
#[derive(Serialize)]
pub struct Bound {
    pub hi: String,
    pub lo: String,
    pub relative_width: f64,
}

/// What `sharpness --json` prints.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Sharpness {
    One(Box<MatrixReport>),
    Batch(Batch),
    Hessian(Box<HessianReport>),
}

/// One matrix's report: its spectrum certified to relative width `w`.
pub fn matrix_report(label: &str, m: Matrix, w: &Q, batch: bool) -> MatrixReport {
    let start = std::time::Instant::now();
    let s = m.spectrum(w);
    let seconds = start.elapsed().as_secs_f64();
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    MatrixReport {
        d: m.side(),
        file: (!batch).then(|| label.to_string()),
        lambda_max: enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
        lambda_min: enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
        name: batch.then(|| label.to_string()),
        seconds,
        spectral_norm: enclosure_json(&norm_lo, &norm_hi, None),
        symmetrized: None,
        target_width: (!batch).then(|| fmt_q(w)),
        spectrum: Some(s),
        matrix: Some(m),
    }
}

/// `sharpness --matrix FILE [--symmetrize]`: one matrix, or a batch (`.npz`, or `batch` asked
/// for, as `--csv` does); `obs` hears of the matrices certified.
pub fn matrices(
    path: &Path,
    width: &str,
    symmetrize: bool,
    batch: bool,
    obs: &dyn Observer,
) -> Result<Sharpness> {
    let w = parse_width(width)?;
    let read: Vec<(String, Matrix, Option<Symmetrized>)> = if symmetrize {
        read_for_audit(path, true)?
            .into_iter()
            .map(|r| {
                let s = r.removed.as_ref().map(Symmetrized::of);
                (r.label, r.matrix, s)
            })
            .collect()
    } else {
        read_matrices(path)?
            .into_iter()
            .map(|(l, m)| (l, m, None))
            .collect()
    };
    let batch = batch || read.len() > 1;
    let side = read.iter().map(|r| r.1.side()).max().unwrap_or(0);
    let shown = read.len() > 1 || side >= 500;
    if shown {
        obs.start(read.len() as u64, "");
    }
    let mut reports = Vec::new();
    for (label, m, sym) in read {
        let n = m.side();
        obs.message(&format!("{label}: {n}×{n}, verified Cholesky and witness"));
        let mut r = matrix_report(&label, m, &w, batch);
        r.symmetrized = sym;
        reports.push(r);
        obs.advance(1);
    }
    if shown {
        obs.finish();
    }
    Ok(if batch {
        Sharpness::Batch(Batch {
            checkpoints: reports,
            file: path.display().to_string(),
            target_width: fmt_q(&w),
        })
    } else {
        Sharpness::One(Box::new(reports.remove(0)))
    })
}

/// `sharpness --instance FILE --theta LIST`: λ_max of the network Hessian at θ. For `shared`
/// with one point the secular route certifies λ_max in O(d); otherwise the exact dense Hessian
/// goes through the dense route of [`matrix_report`].
pub fn hessian(inst: &Instance, file: &str, theta: &[Q], width: &str) -> Result<Sharpness> {
    let w = parse_width(width)?;
    let Some((diag, a, c)) = rank_one_hessian(inst, theta) else {
        let data = crate::models::loss::Data::<Q>::from_instance(inst, &());
        let h = crate::models::loss::hessian(inst.model, &data, theta);
        return Ok(Sharpness::One(Box::new(matrix_report(
            &format!("Hessian of {file} at θ"),
            Matrix::Rational(h),
            &w,
            false,
        ))));
    };
    let start = std::time::Instant::now();
    let cert = sharpness::rank_one_max(&diag, &a, &c, &w);
    let seconds = start.elapsed().as_secs_f64();
    Ok(Sharpness::Hessian(Box::new(HessianReport {
        d: diag.len(),
        file: file.to_string(),
        lambda_max: Bound {
            hi: fmt_q(&cert.hi),
            lo: fmt_q(&cert.lo),
            relative_width: q_to_f64(&cert.relative_width()),
        },
        route: "secular equation (diagonal + rank one)",
        seconds,
        certificate: Some((diag, a, c, cert)),
    })))
}
