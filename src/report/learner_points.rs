//! The report of `learner` at several data points (SPEC §5.4, §7): the GD learner on a discrete
//! prior — certified GD (SPEC §5.3) on every atom's own labels y_a = Xβ*_a from the instance's
//! θ₀ and η — against the learners whose errors are certified at n > 1 today: the gradient-flow
//! limit (§5.2, [`crate::report::flow::gen_error`]) and the min-norm point when the LP's optimum
//! is provably unique (exact). The min-sharpness end needs §5.1's convex lower bound, which is
//! not built yet: its entry says so, and no verdict against it is ever claimed.

use crate::dynamics::certified_gd::{self, Certified};
use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::numeric::interval::Interval;
use crate::numeric::rational::{Q, fmt_q, fmt_qs};
use crate::report::flow::{Bounds, GenError};
use dlncheck_kernel::instance::Teacher;
use num_traits::{Signed, Zero};
use serde::Serialize;

/// One atom: its weight, labels and certified GD run (the keys of `gd`'s `certified` object,
/// side by side with `y` and `weight` as at one point).
#[derive(Clone, Debug, Serialize)]
pub struct Atom {
    pub weight: String,
    pub y: Vec<String>,
    #[serde(flatten)]
    pub run: serde_json::Map<String, serde_json::Value>,
}

/// An end's expected error: exact, or why it is not available.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum End {
    Exact(String),
    Unavailable { reason: String },
}

/// What `learner --json` prints for n > 1.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub n: usize,
    pub lr: String,
    /// Whether every atom's GD limit is certified.
    pub certified: bool,
    /// E_GD(η) ∈ [lo, hi] (exact rationals, outward at the runs' precision); null when some
    /// atom is not certified.
    pub expected_error: Option<Bounds>,
    /// E at the min-norm point (exact, when the LP optimum is unique for every atom).
    pub min_norm: End,
    /// Not certified at n > 1 yet (SPEC §5.1's lower bound over {S ≤ S*_hi}).
    pub min_sharpness: End,
    /// E of the gradient-flow limit (SPEC §5.2).
    pub flow: Option<GenError>,
    pub beats_min_norm: bool,
    pub beats_min_sharpness: bool,
    pub loses_to_min_norm: bool,
    pub loses_to_min_sharpness: bool,
    pub beats_flow: bool,
    pub loses_to_flow: bool,
    pub atoms: Vec<Atom>,
}

/// The instance with the labels y_a = Xβ* of one atom.
fn with_labels(inst: &Instance, star: &[Q]) -> Instance {
    let mut a = inst.clone();
    a.y = crate::theory::generalization::atom_labels(&inst.x, star);
    a
}

/// The min-norm point of one atom's labels when the LP's optimum is provably unique. Every
/// optimum satisfies complementary slackness with the LP's dual certificate, so it vanishes
/// wherever the reduced cost (`slack`, and `slack_neg` for the negative part of a free β) is
/// positive; if the coordinates left free are exactly the support of β and their columns of X
/// are linearly independent (exact rank), Xβ = y pins β there: the optimal face is one point.
/// `Err` names the atom otherwise.
fn unique_min_norm(inst: &Instance, k: usize) -> std::result::Result<Vec<Q>, String> {
    let m = crate::theory::multipoint::min_norm(inst).map_err(|e| format!("atom {k}: {e}"))?;
    let forced_zero = |i: usize| {
        let pos = m.slack[i].is_positive();
        let neg = m.slack_neg.as_ref().is_none_or(|s| s[i].is_positive());
        pos && neg
    };
    let free: Vec<usize> = (0..m.beta.len()).filter(|&i| !forced_zero(i)).collect();
    let support_only = free.iter().all(|&i| !m.beta[i].is_zero());
    let columns: Vec<Vec<Q>> = inst
        .x
        .iter()
        .map(|row| free.iter().map(|&i| row[i].clone()).collect())
        .collect();
    if support_only && crate::theory::flow_limit::rank(&columns) == free.len() {
        Ok(m.beta)
    } else {
        Err(format!(
            "atom {k}: the min-norm optimum is not shown unique (the dual leaves {} coordinates \
             free); E over the optimal face needs issue 28's face analysis",
            free.len()
        ))
    }
}

/// Certified GD on every atom's labels y_a = Xβ*_a from `inst`'s θ₀ (an instance ready for
/// certified GD, [`super::gd::points_instance`]), and E_GD(η) enclosed over the boxes when every
/// run is certified, rounded outward at the largest precision used.
fn learner_runs(
    inst: &Instance,
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    eta: &Q,
    steps: u64,
    bits: Option<u64>,
) -> (Vec<Instance>, Vec<Certified>, Option<Interval>) {
    let labelled: Vec<Instance> = atoms.iter().map(|(_, s)| with_labels(inst, s)).collect();
    let runs: Vec<Certified> = labelled
        .iter()
        .map(|a| certified_gd::certify_points(a, eta, steps, bits))
        .collect();
    let expected = certified_gd::learner_error(atoms, sigma, &runs).map(|(e, _)| e);
    (labelled, runs, expected)
}

/// E_GD(η) at n > 1 (`sweep --certify`'s `gen_error_lo/hi` with a discrete teacher), or the
/// first uncertified atom's reason.
pub fn expected_error_gd(
    inst: &Instance,
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    eta: &Q,
    steps: u64,
    bits: Option<u64>,
) -> std::result::Result<Interval, String> {
    let (_, runs, expected) = learner_runs(inst, atoms, sigma, eta, steps, bits);
    expected.ok_or_else(|| {
        runs.iter()
            .enumerate()
            .find_map(|(k, c)| match c {
                Certified::NotCertified(why) => Some(format!("atom {k}: {why}")),
                Certified::Converged(_) => None,
            })
            .unwrap_or_default()
    })
}

/// A discrete prior's atoms (weight p_a, β*_a).
pub type Atoms = [(Q, Vec<Q>)];

/// The GD learner's settings, checked as the CLI does at one point and at several: a discrete
/// teacher prior (SPEC `section`), the bit count and the step limit of certified GD.
pub fn checked_prior<'a>(
    inst: &'a Instance,
    file: &str,
    section: &str,
    steps: u64,
    bits: Option<u64>,
) -> Result<(&'a Atoms, Option<u64>)> {
    let Some(Teacher::Discrete { atoms }) = &inst.teacher else {
        return Err(Error::input(
            file,
            "teacher",
            format!("the GD learner needs a discrete teacher prior (SPEC {section})"),
        ));
    };
    let bits = super::gd::bits(bits)?;
    super::gd::certified_steps(steps)?;
    Ok((atoms, bits))
}

/// Runs the GD learner at n > 1 on `inst` (which has `X` rows and a discrete teacher).
pub fn evaluate(
    inst: &Instance,
    file: &str,
    lr: &str,
    steps: u64,
    bits: Option<u64>,
) -> Result<Report> {
    let eta = super::gd::lr(lr)?;
    let inst = super::gd::points_instance(inst, std::path::Path::new(file))?;
    let (atoms, bits) = checked_prior(&inst, file, "§5.4", steps, bits)?;
    let sigma = inst.sigma();
    let (labelled, runs, expected) = learner_runs(&inst, atoms, &sigma, &eta, steps, bits);
    let min_norm = labelled
        .iter()
        .enumerate()
        .map(|(k, a)| unique_min_norm(a, k))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(|betas| {
            crate::theory::generalization::expected_error::<Q>(
                &sigma,
                atoms
                    .iter()
                    .zip(&betas)
                    .map(|((w, star), b)| (w, b.as_slice(), star.as_slice())),
            )
        });
    let flow = super::flow::gen_error(&inst, &super::flow::parse_width("1e-30")?)?;
    let flow_box = match &flow {
        Some(GenError::Certified(b)) => Some((
            crate::numeric::rational::parse_q(&b.lo).unwrap_or_default(),
            crate::numeric::rational::parse_q(&b.hi).unwrap_or_default(),
        )),
        _ => None,
    };
    let below = |v: Option<&Q>| expected.as_ref().zip(v).is_some_and(|(e, v)| e.hi() < v);
    let above = |v: Option<&Q>| expected.as_ref().zip(v).is_some_and(|(e, v)| e.lo() > v);
    let mn = min_norm.as_ref().ok();
    Ok(Report {
        file: file.to_string(),
        n: inst.x.len(),
        lr: fmt_q(&eta),
        certified: expected.is_some(),
        expected_error: expected.as_ref().map(Bounds::of),
        min_norm: match &min_norm {
            Ok(v) => End::Exact(fmt_q(v)),
            Err(reason) => End::Unavailable {
                reason: reason.clone(),
            },
        },
        min_sharpness: End::Unavailable {
            reason: "the expected error of the min-sharpness set at n > 1 needs SPEC §5.1's \
                     certified lower bound over {S ≤ S*_hi} (issue 28), not built yet"
                .into(),
        },
        beats_min_norm: below(mn),
        beats_min_sharpness: false,
        loses_to_min_norm: above(mn),
        loses_to_min_sharpness: false,
        beats_flow: below(flow_box.as_ref().map(|(lo, _)| lo)),
        loses_to_flow: above(flow_box.as_ref().map(|(_, hi)| hi)),
        flow,
        atoms: atoms
            .iter()
            .zip(&labelled)
            .zip(&runs)
            .map(|(((w, _), a), c)| Atom {
                weight: fmt_q(w),
                y: fmt_qs(&a.y),
                run: match c.json() {
                    serde_json::Value::Object(m) => m,
                    _ => serde_json::Map::new(),
                },
            })
            .collect(),
    })
}
