//! The report of `multipoint` (SPEC §5.1, §7): at several data points, the exact min-norm
//! solution by LP, certified bounds on the minimum sharpness (`shared`), and whether the two
//! biases conflict.

use crate::error::Result;
use crate::io::instance::{Instance, Model};
use crate::numeric::rational::{Q, fmt_q, fmt_qs};
use crate::spectra::certified::{self as sharpness, MaxCertificate};
use crate::theory::multipoint::{self, MinNorm, SharpnessBounds, four_over_n, gram};
use serde::Serialize;

/// What `multipoint --json` prints; the keys of the sharpness half are absent for models
/// without a certified sharpness route.
#[derive(Serialize)]
pub struct Multipoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    pub d: usize,
    pub file: String,
    pub min_norm: MinNormReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sharpness: Option<SharpnessBracket>,
    pub model: String,
    pub n: usize,
    /// N at the sharpness bound's feasible β.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub norm_of_sharpness_point: Option<String>,
    /// The certified S of the min-norm β.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharpness_of_min_norm: Option<Range>,
    /// The solutions themselves, for the claim file.
    #[serde(skip)]
    pub norm: MinNorm,
    #[serde(skip)]
    pub sharpness: Option<(SharpnessBounds, MaxCertificate)>,
}

/// The exact min-norm solution and its LP dual.
#[derive(Serialize)]
pub struct MinNormReport {
    pub beta: Vec<String>,
    pub dual: Vec<String>,
    pub value: String,
}

/// Certified bounds lower ≤ min S ≤ upper, and the feasible β of the upper bound.
#[derive(Serialize)]
pub struct SharpnessBracket {
    pub beta: Vec<String>,
    pub lower: String,
    pub upper: String,
}

/// A certified enclosure [lo, hi].
#[derive(Serialize)]
pub struct Range {
    pub hi: String,
    pub lo: String,
}

/// Whether each bias is certified to lose on the other's measure.
#[derive(Serialize)]
pub struct Conflict {
    pub norm: bool,
    pub sharpness: bool,
}

/// Runs the T2 analysis of `inst` (read from `file`): `iterations` Frank–Wolfe steps for the
/// sharpness upper bound, enclosures to relative width `width`.
pub fn evaluate(inst: &Instance, file: &str, iterations: usize, width: &str) -> Result<Multipoint> {
    let width = super::sharpness::parse_width(width)?;
    let norm = multipoint::min_norm(inst)?;
    let mut report = Multipoint {
        conflict: None,
        d: inst.dim(),
        file: file.to_string(),
        min_norm: MinNormReport {
            beta: fmt_qs(&norm.beta),
            dual: fmt_qs(&norm.dual),
            value: fmt_q(&norm.value),
        },
        min_sharpness: None,
        model: inst.model.name().to_string(),
        n: inst.x.len(),
        norm_of_sharpness_point: None,
        sharpness_of_min_norm: None,
        norm,
        sharpness: None,
    };
    if matches!(inst.model, Model::Shared | Model::SharedDepth(2)) {
        let b = multipoint::sharpness_bounds(inst, &report.norm.beta, iterations, &width)?;
        let at_norm = sharpness::lambda_max(&gram(&inst.x, &report.norm.beta), &width);
        let f = four_over_n(inst);
        let n_sharp: Q = b.beta.iter().sum();
        let (s_lo, s_hi) = (&f * &at_norm.lo, &f * &at_norm.hi);
        report.min_sharpness = Some(SharpnessBracket {
            beta: fmt_qs(&b.beta),
            lower: fmt_q(&b.lower),
            upper: fmt_q(&b.upper),
        });
        report.sharpness_of_min_norm = Some(Range {
            hi: fmt_q(&s_hi),
            lo: fmt_q(&s_lo),
        });
        report.norm_of_sharpness_point = Some(fmt_q(&n_sharp));
        report.conflict = Some(Conflict {
            norm: n_sharp > report.norm.value,
            sharpness: s_lo > b.upper,
        });
        report.sharpness = Some((b, at_norm));
    }
    Ok(report)
}
