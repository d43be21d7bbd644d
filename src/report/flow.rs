//! The report of `flow` (SPEC §5.2, §7): the gradient-flow limit of an instance, certified by a
//! Krawczyk box (every n; models `shared`, `pm`, `uv`), or the reason it is not (a non-coercive
//! Φ is named), and the `gf-limit` claim the kernel re-checks.

use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::numeric::interval::Interval;
use crate::numeric::rational::{Q, fmt_q, parse_q};
use crate::numeric::scalar::q_to_f64;
use crate::theory::flow_limit::{self, Limit, Outcome};
use serde::Serialize;

/// Default target relative width of `flow --certify`.
pub const DEFAULT_WIDTH: &str = "1e-30";

/// An enclosure {lo, hi} as exact rational strings.
#[derive(Clone, Debug, Serialize)]
pub struct Bounds {
    pub lo: String,
    pub hi: String,
}

impl Bounds {
    pub fn of(i: &Interval) -> Self {
        Bounds {
            lo: fmt_q(i.lo()),
            hi: fmt_q(i.hi()),
        }
    }
}

/// The certified limit as SPEC §7 prints it.
#[derive(Clone, Debug, Serialize)]
pub struct Converged {
    pub converged: bool,
    /// Precision P of the certificate.
    pub bits: u64,
    /// The Krawczyk box V of ν.
    pub nu: Vec<Bounds>,
    pub beta: Vec<Bounds>,
    pub norm: Bounds,
    pub sharpness: Bounds,
    /// The largest relative width of N, S and the β boxes (β relative to max |β|), a decimal.
    pub relative_width: f64,
    /// With a discrete teacher: E_GF = Σ_a p_a G(β∞(y_a); β*_a) (SPEC §5.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gen_error: Option<GenError>,
}

/// The expected error of the gradient-flow learner: an enclosure, or why an atom's limit is not
/// certified.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum GenError {
    Certified(Bounds),
    NotCertified { reason: String },
}

/// E_GF over a discrete prior (SPEC §5.4): the flow limit certified on every atom's own labels
/// y_a = Xβ*_a from the instance's θ₀, and G(β; β*) = (β − β*)ᵀΣ(β − β*) in exact interval
/// arithmetic over the boxes, summed with the weights (the expected-error formula of
/// [`crate::theory::generalization::expected_error`]).
pub fn gen_error(inst: &Instance, width: &Q) -> Result<Option<GenError>> {
    let Some(dlncheck_kernel::instance::Teacher::Discrete { atoms }) = &inst.teacher else {
        return Ok(None);
    };
    let setup = flow_limit::setup(inst)?;
    let mut limits = Vec::with_capacity(atoms.len());
    for (k, (_, star)) in atoms.iter().enumerate() {
        let mut s = setup.clone();
        s.y = crate::theory::generalization::atom_labels(&inst.x, star);
        match flow_limit::certify(&s, width) {
            Outcome::Certified(l) => limits.push(l),
            Outcome::NotCertified(reason) => {
                return Ok(Some(GenError::NotCertified {
                    reason: format!("atom {k}: {reason}"),
                }));
            }
        }
    }
    let sigma = inst.sigma();
    let e: Interval = crate::theory::generalization::expected_error(
        &sigma,
        atoms
            .iter()
            .zip(&limits)
            .map(|((w, star), l)| (w, l.beta.as_slice(), star.as_slice())),
    );
    Ok(Some(GenError::Certified(Bounds::of(&e))))
}

/// `certified`: the limit, or `{converged: false, reason}`.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Certified {
    Converged(Box<Converged>),
    NotCertified { converged: bool, reason: String },
}

/// What `flow --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct FlowReport {
    pub file: String,
    pub model: String,
    pub n: usize,
    pub d: usize,
    /// The binary64 estimate of β∞ (without `--certify`; untrusted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified: Option<Certified>,
}

/// The report with the certified limit (for the claim).
pub struct Evaluated {
    pub report: FlowReport,
    pub limit: Option<Limit>,
}

/// Parses `--width` (a rational or decimal in (0, 1)).
pub fn parse_width(w: &str) -> Result<Q> {
    let q = parse_q(w).map_err(|e| Error::Usage(format!("--width: {e}")))?;
    if q <= Q::from_integer(0.into()) || q >= Q::from_integer(1.into()) {
        return Err(Error::Usage("--width must be in (0, 1)".into()));
    }
    Ok(q)
}

/// Runs `flow` on `inst`: the certified limit (`certify`) or the binary64 estimate.
pub fn evaluate(inst: &Instance, file: &str, certify: bool, width: &str) -> Result<Evaluated> {
    let width = parse_width(width)?;
    let setup = flow_limit::setup(inst)?;
    let mut report = FlowReport {
        file: file.to_string(),
        model: inst.model.name().to_string(),
        n: inst.x.len(),
        d: inst.dim(),
        estimate: None,
        certified: None,
    };
    if !certify {
        report.estimate = flow_limit::estimate(&setup).ok();
        if report.estimate.is_none() {
            report.certified = Some(Certified::NotCertified {
                converged: false,
                reason: flow_limit::estimate(&setup).err().unwrap_or_default(),
            });
        }
        return Ok(Evaluated {
            report,
            limit: None,
        });
    }
    let (certified, limit) = match flow_limit::certify(&setup, &width) {
        Outcome::Certified(l) => (
            Certified::Converged(Box::new(Converged {
                converged: true,
                bits: l.bits,
                nu: l.boxes.iter().map(Bounds::of).collect(),
                beta: l.beta.iter().map(Bounds::of).collect(),
                norm: Bounds::of(&l.norm),
                sharpness: Bounds::of(&l.sharpness),
                relative_width: q_to_f64(&flow_limit::relative_width(&l)),
                gen_error: gen_error(inst, &width)?,
            })),
            Some(*l),
        ),
        Outcome::NotCertified(reason) => (
            Certified::NotCertified {
                converged: false,
                reason,
            },
            None,
        ),
    };
    report.certified = Some(certified);
    Ok(Evaluated { report, limit })
}

/// The claim file of a certified limit: the instance (with its explicit `init`) and one
/// `gf-limit` claim.
pub fn claim_file(inst: &Instance, file: &str, limit: &Limit) -> serde_json::Value {
    let mut instance = crate::io::claims::claim_instance(inst, false, true);
    if inst.init.is_none() {
        instance["init"] = serde_json::json!({"alpha": fmt_q(&flow_limit::default_alpha())});
    }
    crate::io::claims::claim_file(
        &format!("gradient-flow limit of {file}"),
        Some(instance),
        vec![flow_limit::claim(limit)],
    )
}
