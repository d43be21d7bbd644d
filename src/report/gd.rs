//! The report of `gd`: one gradient-descent run (SPEC §4, §7), its final state, optional
//! per-step records, certified GD (SPEC §4.1) and the checks C1–C3, with the run settings'
//! parsing and checks that `gd`, `sweep` and `learner` share.

use super::Observer;
use crate::dynamics::gd::{self as dynamics, Options, Points, Precision, Stop, Summary, decimal};
use crate::error::{Error, Result};
use crate::numeric::rational::{Q, fmt_q};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;

/// Step limit of certified GD when `--steps` is not given.
pub const CERTIFY_STEPS: u64 = 100_000;

/// What `gd --json` prints (SPEC §7): the run's settings, how it stopped, its final state, and
/// as asked the SGD settings, the certified enclosures along the trajectory, certified GD and
/// the checks. Decimals carry the run's precision; exact values are rational strings.
#[derive(Clone, Debug, Serialize)]
pub struct GdReport {
    pub file: String,
    pub model: String,
    pub d: usize,
    pub n: usize,
    pub lr: String,
    pub precision: String,
    pub steps: u64,
    pub max_steps: u64,
    pub converged: bool,
    pub diverged: bool,
    pub stop: &'static str,
    #[serde(rename = "final")]
    pub end: Final,
    /// `batch`, `seed`, `replacement` of an SGD run (docs/sgd.md).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub sgd: Option<SgdKeys>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certify_every: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trajectory: Option<Vec<TrajectoryRow>>,
    /// The `certified` object of SPEC §4.1 / §5.3 (`dynamics::certified_gd::Certified::json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified: Option<Value>,
    /// The checks C1–C3 (`dynamics::eos`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Value>,
}

/// The SGD settings of a run.
#[derive(Clone, Debug, Serialize)]
pub struct SgdKeys {
    pub batch: usize,
    pub seed: u64,
    pub replacement: bool,
}

/// {lo, hi} as text (decimals or rationals, as the field says).
#[derive(Clone, Debug, Serialize)]
pub struct Pair {
    pub lo: String,
    pub hi: String,
}

/// The `final` object: the endpoint in the run's decimals and, exactly, its blocks and β.
#[derive(Clone, Debug, Serialize)]
pub struct Final {
    pub loss: String,
    pub sharpness: String,
    /// The float bracket of S, or its certified enclosure when `sharpness_certified`.
    pub sharpness_bracket: Pair,
    pub sharpness_end: &'static str,
    pub sharpness_certified: bool,
    pub theta: Vec<String>,
    pub norm: String,
    /// One point: the residual; several: `residuals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residuals: Option<Vec<String>>,
    pub beta: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub u: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<Vec<String>>,
    pub beta_exact: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<String>,
}

/// A certified enclosure of S at one recorded step (exact rationals) and where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct CertifiedAt {
    pub lo: String,
    pub hi: String,
    pub end: &'static str,
}

/// One row of `trajectory` (`--certify-every`): the float S of the recorded step, its end,
/// and the certified enclosure.
#[derive(Clone, Debug, Serialize)]
pub struct TrajectoryRow {
    pub step: u64,
    pub sharpness: Option<String>,
    pub sharpness_end: Option<&'static str>,
    pub certified: CertifiedAt,
}

/// x and α of an instance for certified GD: model `shared`, one point, init α·1 (default 1/10).
pub fn certified_setup(inst: &crate::io::instance::Instance, file: &Path) -> Result<(Vec<Q>, Q)> {
    use dlncheck_kernel::instance::{Init, Model};
    let name = file.display().to_string();
    if inst.x.len() > 1 {
        return Err(Error::input(
            &name,
            "X",
            format!(
                "--certify: certified GD (SPEC §4.1) is proved for one data point, this file has n = {} (run without --certify; --checks certifies S at the endpoint)",
                inst.x.len()
            ),
        ));
    }
    if inst.model != Model::Shared || !inst.one_point {
        return Err(Error::input(
            &name,
            "model",
            "certified GD (SPEC §4.1) needs model shared and one data point `x`",
        ));
    }
    let alpha = match &inst.init {
        None => Q::new(1.into(), 10.into()),
        Some(Init::Alpha(a)) => a.clone(),
        Some(Init::Theta(_)) => {
            return Err(Error::input(
                &name,
                "init.theta",
                "certified GD starts from w0 = α·1: give init.alpha",
            ));
        }
    };
    Ok((inst.x[0].clone(), alpha))
}

/// The instance of certified GD on several points (SPEC §5.3): models `shared`, `pm`, `uv`, with
/// `init` α·1 (default 1/10) or θ.
pub fn points_instance(
    inst: &crate::io::instance::Instance,
    file: &Path,
) -> Result<crate::io::instance::Instance> {
    use dlncheck_kernel::instance::{Init, Model};
    if matches!(inst.model, Model::SharedDepth(_)) {
        return Err(Error::input(
            &file.display().to_string(),
            "model",
            "certified GD for n > 1 (SPEC §5.3) needs model shared, pm or uv",
        ));
    }
    let mut inst = inst.clone();
    if inst.init.is_none() {
        inst.init = Some(Init::Alpha(Q::new(1.into(), 10.into())));
    }
    Ok(inst)
}

/// Checks the step limit of certified GD.
pub fn certified_steps(k: u64) -> Result<u64> {
    if k > crate::dynamics::certified_gd::MAX_STEPS {
        return Err(Error::Usage(format!(
            "--steps {k}: certified GD runs at most {} steps (the kernel's limit)",
            crate::dynamics::certified_gd::MAX_STEPS
        )));
    }
    Ok(k)
}

/// Checks `--bits`.
pub fn bits(b: Option<u64>) -> Result<Option<u64>> {
    match b {
        Some(p) if !(2..=crate::dynamics::certified_gd::MAX_BITS).contains(&p) => {
            Err(Error::Usage(format!(
                "--bits must be in 2..={}",
                crate::dynamics::certified_gd::MAX_BITS
            )))
        }
        _ => Ok(b),
    }
}

/// The claim instance with its teacher (if `teacher`) and an explicit `init.alpha`.
pub fn claim_instance(inst: &crate::io::instance::Instance, teacher: bool) -> Value {
    let mut v = crate::io::claims::claim_instance(inst, teacher, true);
    if inst.init.is_none() {
        v["init"] = json!({"alpha": "1/10"});
    }
    v
}

/// Validated run settings shared by `gd` and `sweep`.
pub fn options(
    eta: Q,
    steps: u64,
    prec: Precision,
    tol: Option<&str>,
    record: bool,
) -> Result<Options> {
    options_keeping(eta, steps, prec, tol, record, 0)
}

/// [`options`] that also keep θ every `keep` steps of the record (0: never).
pub fn options_keeping(
    eta: Q,
    steps: u64,
    prec: Precision,
    tol: Option<&str>,
    record: bool,
    keep: u64,
) -> Result<Options> {
    if steps == 0 {
        return Err(Error::Usage("--steps must be at least 1".into()));
    }
    if prec == Precision::Exact && steps > dynamics::precision::MAX_EXACT_STEPS {
        return Err(Error::Usage(format!(
            "--steps {steps} with --precision exact: at most {} exact steps (bit sizes roughly triple per step); use --precision BITS for longer runs",
            dynamics::precision::MAX_EXACT_STEPS
        )));
    }
    let rel_tol = match tol {
        None => prec.default_rel_tol(),
        Some(t) => {
            crate::numeric::rational::parse_q(t).map_err(|e| Error::Usage(format!("--tol: {e}")))?
        }
    };
    if rel_tol < Q::from_integer(0.into()) {
        return Err(Error::Usage("--tol must be ≥ 0".into()));
    }
    Ok(Options {
        eta,
        max_steps: steps,
        rel_tol,
        record,
        secular_iters: dynamics::precision::secular_iters(prec),
        keep_theta_every: keep,
        sgd: None,
    })
}

/// The SGD settings of `--batch B [--seed S] [--replacement]` on n data points, checked:
/// 1 ≤ B ≤ n, no `--certify` (certified GD is full-batch; docs/sgd.md), `--seed` and
/// `--replacement` only with `--batch`. `None` without `--batch` (full-batch GD). The default
/// seed is 0.
pub fn sgd(
    batch: Option<u64>,
    seed: Option<u64>,
    replacement: bool,
    n: usize,
    certify: bool,
) -> Result<Option<crate::dynamics::sgd::Sgd>> {
    let Some(b) = batch else {
        if seed.is_some() || replacement {
            return Err(Error::Usage(format!(
                "{} needs --batch B (mini-batch SGD)",
                if seed.is_some() {
                    "--seed"
                } else {
                    "--replacement"
                }
            )));
        }
        return Ok(None);
    };
    if b == 0 || b > n as u64 {
        return Err(Error::Usage(format!(
            "--batch {b}: the batch size must be from 1 to n = {n} (the number of data points)"
        )));
    }
    if certify {
        return Err(Error::Usage(
            "--batch with --certify: certified GD is full-batch; SGD runs are float evidence (docs/sgd.md)".into(),
        ));
    }
    Ok(Some(crate::dynamics::sgd::Sgd {
        batch: b as usize,
        seed: seed.unwrap_or(0),
        replacement,
    }))
}

/// The keys `batch`, `seed`, `replacement` of an SGD run (added to `gd --json` and
/// `sweep.json`'s `sgd`); nothing for full-batch GD.
pub fn sgd_json(sgd: &crate::dynamics::sgd::Sgd) -> Value {
    serde_json::to_value(sgd_keys(sgd)).unwrap_or_default()
}

/// The [`SgdKeys`] of an SGD run.
pub fn sgd_keys(sgd: &crate::dynamics::sgd::Sgd) -> SgdKeys {
    SgdKeys {
        batch: sgd.batch,
        seed: sgd.seed,
        replacement: sgd.replacement,
    }
}

/// The test loss ‖X_test β − y_test‖²/(2 n_test) at the exact endpoint θ (the normalisation
/// of L; SPEC §7, researchers' columns), exactly.
pub fn test_loss(
    model: crate::io::instance::Model,
    (x, y): &(Vec<Vec<Q>>, Vec<Q>),
    theta: &[Q],
) -> Q {
    let data = crate::models::loss::Data::<Q> {
        x: x.clone(),
        y: y.clone(),
    };
    crate::models::loss::loss(model, &data, theta)
}

/// Parses `--precision`.
pub fn precision(text: &str) -> Result<Precision> {
    Precision::parse(text).map_err(|e| Error::Usage(format!("--precision: {e}")))
}

/// Parses `--lr`.
pub fn lr(text: &str) -> Result<Q> {
    dynamics::parse_lr(text).map_err(|e| Error::Usage(format!("--lr: {e}")))
}

/// The `final` object of SPEC §7 (`residual` for one point, `residuals` for n > 1).
pub fn final_state(s: &Summary, model: crate::io::instance::Model) -> Final {
    use crate::numeric::rational::fmt_qs;
    let digits = s.precision.digits();
    let beta = crate::models::model::beta(model, &s.theta);
    // With n > 1 points S is a binary64 value (17 digits) unless a wide arithmetic's endpoint
    // certified it (docs/trajectory.md, "S at n > 1").
    let sd = s.sharpness_digits;
    let several = s.residuals.len() > 1;
    let d = crate::models::model::dim_of(model, s.theta.len());
    let two_blocks = model.block() == 2;
    Final {
        loss: decimal(&s.loss, digits),
        sharpness: decimal(&s.sharpness, sd),
        sharpness_bracket: Pair {
            lo: decimal(s.sharpness_bracket.lo(), sd),
            hi: decimal(s.sharpness_bracket.hi(), sd),
        },
        sharpness_end: s.sharpness_end,
        sharpness_certified: s.sharpness_certified,
        theta: fmt_qs(&s.theta),
        norm: decimal(&s.norm, digits),
        residual: (!several).then(|| decimal(&s.r, digits)),
        residuals: several.then(|| s.residuals.iter().map(|r| decimal(r, digits)).collect()),
        beta: beta.iter().map(|b| decimal(b, digits)).collect(),
        w: (!two_blocks).then(|| fmt_qs(&s.theta)),
        u: two_blocks.then(|| fmt_qs(&s.theta[..d])),
        v: two_blocks.then(|| fmt_qs(&s.theta[d..])),
        beta_exact: fmt_qs(&beta),
        test_loss: None,
    }
}

/// [`final_state`] as JSON.
pub fn final_json(s: &Summary, model: crate::io::instance::Model) -> Value {
    serde_json::to_value(final_state(s, model)).unwrap_or_default()
}

fn stop_name(s: Stop) -> &'static str {
    match s {
        Stop::Converged => "converged",
        Stop::Diverged => "diverged",
        Stop::Limit => "step-limit",
    }
}

/// Relative width of the certified enclosures along the trajectory.
pub const TRAJECTORY_WIDTH: (i64, i64) = (1, 1_000_000_000_000);

/// A certified enclosure of S = max|λ| at one recorded step (`--certify-every`).
#[derive(Clone, Debug)]
pub struct CertifiedStep {
    pub step: u64,
    pub lo: Q,
    pub hi: Q,
    /// `"top"`, `"bottom"` or `"either"` (the two ends' enclosures overlap in magnitude).
    pub end: &'static str,
}

/// The per-step records as JSON rows (what `--trace FILE.json` writes and Python returns):
/// `step`, `loss`, `sharpness`, `sharpness_end`, `norm`, `beta`, and `certified` `{lo, hi, end}`
/// (exact rational strings) on the certified rows.
pub fn trace_rows(s: &Summary, certified: &[CertifiedStep]) -> Vec<Value> {
    s.records
        .iter()
        .map(|r| {
            let mut v = json!({"step": r.step, "loss": r.loss, "sharpness": r.sharpness, "sharpness_end": r.sharpness_end, "norm": r.norm, "beta": r.beta});
            if let Some(c) = certified.iter().find(|c| c.step == r.step) {
                v["certified"] = json!({"lo": fmt_q(&c.lo), "hi": fmt_q(&c.hi), "end": c.end});
            }
            v
        })
        .collect()
}

/// Certified enclosures of S at every recorded step that kept its exact θ.
pub fn certify_trajectory(points: &Points, s: &Summary) -> Vec<CertifiedStep> {
    let width = Q::new(TRAJECTORY_WIDTH.0.into(), TRAJECTORY_WIDTH.1.into());
    s.records
        .iter()
        .filter_map(|r| {
            let theta = r.theta.as_ref()?;
            let (lo, hi, end) = dynamics::certified_sharpness(points, theta, &width);
            Some(CertifiedStep {
                step: r.step,
                lo,
                hi,
                end,
            })
        })
        .collect()
}

/// The settings of one `gd` run (the flags of `dlncheck gd`, as text where the CLI takes text).
pub struct RunOptions<'a> {
    pub lr: &'a str,
    pub steps: Option<u64>,
    pub precision: &'a str,
    pub tol: Option<&'a str>,
    pub certify: bool,
    pub bits: Option<u64>,
    pub checks: bool,
    /// Keep the per-step records (for `--trace`).
    pub record: bool,
    /// A claim file will be written (needs `certify`).
    pub claim: bool,
    /// Certified enclosures of S every K recorded steps (needs `record`).
    pub certify_every: Option<u64>,
    /// Mini-batch SGD: `--batch`, `--seed`, `--replacement` (docs/sgd.md).
    pub batch: Option<u64>,
    pub seed: Option<u64>,
    pub replacement: bool,
}

/// One evaluated `gd` run: what `gd --json` prints, and the run it came from.
pub struct Evaluated {
    /// `report` as JSON (what `--json` prints).
    pub json: Value,
    pub report: GdReport,
    pub summary: Summary,
    pub certified: Option<crate::dynamics::certified_gd::Certified>,
    pub eta: Q,
    /// The certified enclosures along the trajectory (`certify_every`).
    pub trajectory: Vec<CertifiedStep>,
}

/// Runs GD (and, as asked, certified GD and the checks C1–C3) on `inst`, checking the settings
/// as the CLI does; `file` names the instance in messages. The CLI and the Python package call
/// this; `obs` hears of the steps.
pub fn evaluate(
    inst: &crate::io::instance::Instance,
    file: &Path,
    o: &RunOptions,
    obs: &dyn Observer,
) -> Result<Evaluated> {
    let points = Points::of(inst)?;
    let eta = lr(o.lr)?;
    let prec = precision(o.precision)?;
    let keep = match o.certify_every {
        Some(0) => return Err(Error::Usage("--certify-every must be at least 1".into())),
        Some(k) if !o.record => {
            return Err(Error::Usage(format!(
                "--certify-every {k} needs --trace FILE or --plot DIR (it certifies recorded steps)"
            )));
        }
        Some(k) => k,
        None => 0,
    };
    let steps = match (o.steps, o.certify) {
        (Some(k), _) => k,
        (None, true) => CERTIFY_STEPS,
        (None, false) => {
            return Err(Error::Usage(
                "--steps K is required (optional only with --certify)".into(),
            ));
        }
    };
    if o.claim && !o.certify {
        return Err(Error::Usage("--claim needs --certify".into()));
    }
    let sgd = sgd(o.batch, o.seed, o.replacement, points.n(), o.certify)?;
    if sgd.is_some() && o.checks {
        return Err(Error::Usage(
            "--checks compares full-batch GD with its theory (SPEC §4); not with --batch".into(),
        ));
    }
    let certified = if o.certify && !inst.one_point {
        Some(crate::dynamics::certified_gd::certify_points(
            &points_instance(inst, file)?,
            &eta,
            certified_steps(steps)?,
            bits(o.bits)?,
        ))
    } else if o.certify {
        let (x, alpha) = certified_setup(inst, file)?;
        Some(crate::dynamics::certified_gd::certify(
            &x,
            &inst.y[0],
            &alpha,
            &eta,
            certified_steps(steps)?,
            bits(o.bits)?,
        ))
    } else {
        None
    };
    let mut opts = options_keeping(eta.clone(), steps, prec, o.tol, o.record, keep)?;
    opts.sgd = sgd;
    obs.start(steps, "gd");
    let summary = dynamics::run_points(&points, prec, &opts, &|k| obs.at(k));
    obs.finish();
    let trajectory = if keep > 0 {
        certify_trajectory(&points, &summary)
    } else {
        Vec::new()
    };
    let mut end = final_state(&summary, inst.model);
    end.test_loss = inst
        .test
        .as_ref()
        .map(|t| decimal(&test_loss(inst.model, t, &summary.theta), prec.digits()));
    let checks = if o.checks {
        Some(match points.one_point() {
            Some(problem) => json!(crate::dynamics::eos::run_checks(
                inst, &problem, &eta, &summary
            )?),
            None => json!(crate::dynamics::eos::run_checks_points(
                &points, &eta, &summary
            )),
        })
    } else {
        None
    };
    let report = GdReport {
        file: file.display().to_string(),
        model: inst.model.name().to_string(),
        d: inst.dim(),
        n: points.n(),
        lr: fmt_q(&eta),
        precision: prec.name(),
        steps: summary.steps,
        max_steps: steps,
        converged: summary.stop == Stop::Converged,
        diverged: summary.stop == Stop::Diverged,
        stop: stop_name(summary.stop),
        end,
        sgd: opts.sgd.as_ref().map(sgd_keys),
        certify_every: (keep > 0).then_some(keep),
        trajectory: (keep > 0).then(|| {
            trajectory
                .iter()
                .map(|c| {
                    let r = summary.records.iter().find(|r| r.step == c.step);
                    TrajectoryRow {
                        step: c.step,
                        sharpness: r.map(|r| r.sharpness.clone()),
                        sharpness_end: r.map(|r| r.sharpness_end),
                        certified: CertifiedAt {
                            lo: fmt_q(&c.lo),
                            hi: fmt_q(&c.hi),
                            end: c.end,
                        },
                    }
                })
                .collect()
        }),
        certified: certified.as_ref().map(|c| c.json()),
        checks,
    };
    let out = serde_json::to_value(&report).map_err(|e| Error::Usage(format!("internal: {e}")))?;
    Ok(Evaluated {
        json: out,
        report,
        summary,
        certified,
        eta,
        trajectory,
    })
}
