//! `dlncheck gd FILE --lr ETA --steps K [--precision P] [--json]`: one gradient-descent run
//! (SPEC §4, §7), its final state, optional per-step trace and the checks C1–C3.

use crate::io::claims::write_atomic;
use crate::dynamics::gd::{self as dynamics, decimal, Options, Precision, Problem, Stop, Summary};
use crate::error::{Error, Result};
use crate::numeric::rational::{fmt_q, Q};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Arguments of `gd`.
#[derive(Clone, Debug)]
pub struct Args {
    pub file: PathBuf,
    pub lr: String,
    pub steps: Option<u64>,
    pub precision: String,
    pub tol: Option<String>,
    pub trace: Option<PathBuf>,
    pub checks: bool,
    pub audit: bool,
    pub json: bool,
    /// Certified GD and the tail theorem (SPEC §4.1).
    pub certify: bool,
    pub bits: Option<u64>,
    pub claim: Option<PathBuf>,
}

/// Step limit of certified GD when `--steps` is not given.
pub const CERTIFY_STEPS: u64 = 100_000;

/// x and α of an instance for certified GD: model `shared`, one point, init α·1 (default 1/10).
pub fn certified_setup(inst: &crate::io::instance::Instance, file: &Path) -> Result<(Vec<Q>, Q)> {
    use dlncheck_kernel::instance::{Init, Model};
    let name = file.display().to_string();
    if inst.model != Model::Shared || !inst.one_point {
        return Err(Error::input(&name, "model", "certified GD (SPEC §4.1) needs model shared and one data point `x`"));
    }
    let alpha = match &inst.init {
        None => Q::new(1.into(), 10.into()),
        Some(Init::Alpha(a)) => a.clone(),
        Some(Init::Theta(_)) => return Err(Error::input(&name, "init.theta", "certified GD starts from w0 = α·1: give init.alpha")),
    };
    Ok((inst.x[0].clone(), alpha))
}

/// Checks the step limit of certified GD.
pub fn certified_steps(k: u64) -> Result<u64> {
    if k > crate::dynamics::certified_gd::MAX_STEPS {
        return Err(Error::Usage(format!("--steps {k}: certified GD runs at most {} steps (the kernel's limit)", crate::dynamics::certified_gd::MAX_STEPS)));
    }
    Ok(k)
}

/// Checks `--bits`.
pub fn bits(b: Option<u64>) -> Result<Option<u64>> {
    match b {
        Some(p) if !(2..=crate::dynamics::certified_gd::MAX_BITS).contains(&p) => Err(Error::Usage(format!("--bits must be in 2..={}", crate::dynamics::certified_gd::MAX_BITS))),
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
pub fn options(eta: Q, steps: u64, prec: Precision, tol: Option<&str>, record: bool) -> Result<Options> {
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
        Some(t) => crate::numeric::rational::parse_q(t).map_err(|e| Error::Usage(format!("--tol: {e}")))?,
    };
    if rel_tol < Q::from_integer(0.into()) {
        return Err(Error::Usage("--tol must be ≥ 0".into()));
    }
    Ok(Options { eta, max_steps: steps, rel_tol, record, secular_iters: dynamics::precision::secular_iters(prec) })
}

/// Parses `--precision`.
pub fn precision(text: &str) -> Result<Precision> {
    Precision::parse(text).map_err(|e| Error::Usage(format!("--precision: {e}")))
}

/// Parses `--lr`.
pub fn lr(text: &str) -> Result<Q> {
    dynamics::parse_lr(text).map_err(|e| Error::Usage(format!("--lr: {e}")))
}

/// The `final` object of SPEC §7.
pub fn final_json(s: &Summary, p: &Problem) -> Value {
    let digits = s.precision.digits();
    let beta = crate::models::model::beta(p.model, &s.theta);
    let mut v = json!({
        "loss": decimal(&s.loss, digits),
        "sharpness": decimal(&s.sharpness, digits),
        "sharpness_bracket": {"lo": decimal(s.sharpness_bracket.lo(), digits), "hi": decimal(s.sharpness_bracket.hi(), digits)},
        "sharpness_end": s.sharpness_end,
        "theta": crate::numeric::rational::fmt_qs(&s.theta),
        "norm": decimal(&s.norm, digits),
        "residual": decimal(&s.r, digits),
        "beta": beta.iter().map(|b| decimal(b, digits)).collect::<Vec<_>>(),
    });
    add_exact_blocks(&mut v, p.model, &s.theta);
    v
}

/// `final.w` (shared, shared-depth) or `final.u`, `final.v` (uv, pm): the blocks of the exact
/// endpoint θ (every float is a dyadic rational), and `final.beta_exact` = β(θ) computed
/// exactly from them (issue 15 item 4), all as rational strings.
pub fn add_exact_blocks(v: &mut Value, model: crate::io::instance::Model, theta: &[Q]) {
    use crate::numeric::rational::fmt_qs;
    let d = crate::models::model::dim_of(model, theta.len());
    if model.block() == 2 {
        v["u"] = json!(fmt_qs(&theta[..d]));
        v["v"] = json!(fmt_qs(&theta[d..]));
    } else {
        v["w"] = json!(fmt_qs(theta));
    }
    v["beta_exact"] = json!(fmt_qs(&crate::models::model::beta(model, theta)));
}

fn stop_name(s: Stop) -> &'static str {
    match s {
        Stop::Converged => "converged",
        Stop::Diverged => "diverged",
        Stop::Limit => "step-limit",
    }
}

fn write_trace(path: &Path, s: &Summary) -> Result<()> {
    let text = if path.extension().is_some_and(|e| e == "json") {
        let rows: Vec<Value> = s.records.iter().map(|(k, l, sh, n, b)| json!({"step": k, "loss": l, "sharpness": sh, "norm": n, "beta": b})).collect();
        serde_json::to_string_pretty(&rows).map_err(|e| Error::Output { file: path.display().to_string(), reason: e.to_string() })? + "\n"
    } else {
        let d = s.records.first().map_or(0, |r| r.4.len());
        let mut out = String::from("step,loss,sharpness,norm");
        for i in 0..d {
            out += &format!(",beta_{i}");
        }
        out.push('\n');
        for (k, l, sh, n, b) in &s.records {
            out += &format!("{k},{l},{sh},{n},{}\n", b.join(","));
        }
        out
    };
    write_atomic(path, text.as_bytes())
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
    /// Draw a progress bar (on a terminal only).
    pub progress: bool,
    /// A claim file will be written (needs `certify`).
    pub claim: bool,
}

/// One evaluated `gd` run: what `gd --json` prints, and the run it came from.
pub struct Evaluated {
    pub json: Value,
    pub summary: Summary,
    pub certified: Option<crate::dynamics::certified_gd::Certified>,
    pub eta: Q,
}

/// Runs GD (and, as asked, certified GD and the checks C1–C3) on `inst`, checking the settings
/// as the CLI does; `file` names the instance in messages. The Python package calls this too.
pub fn evaluate(inst: &crate::io::instance::Instance, file: &Path, o: &RunOptions) -> Result<Evaluated> {
    let problem = Problem::of(inst)?;
    let eta = lr(o.lr)?;
    let prec = precision(o.precision)?;
    let steps = match (o.steps, o.certify) {
        (Some(k), _) => k,
        (None, true) => CERTIFY_STEPS,
        (None, false) => return Err(Error::Usage("--steps K is required (optional only with --certify)".into())),
    };
    if o.claim && !o.certify {
        return Err(Error::Usage("--claim needs --certify".into()));
    }
    let certified = if o.certify {
        let (x, alpha) = certified_setup(inst, file)?;
        Some(crate::dynamics::certified_gd::certify(&x, &inst.y[0], &alpha, &eta, certified_steps(steps)?, bits(o.bits)?))
    } else {
        None
    };
    let opts = options(eta.clone(), steps, prec, o.tol, o.record)?;
    let bar = if o.progress { progress(steps, "gd") } else { indicatif::ProgressBar::hidden() };
    let summary = dynamics::run_summary(&problem, prec, &opts, &|k| bar.set_position(k));
    bar.finish_and_clear();
    let mut out = json!({
        "file": file.display().to_string(),
        "model": inst.model.name(),
        "d": inst.dim(),
        "lr": fmt_q(&eta),
        "precision": prec.name(),
        "steps": summary.steps,
        "max_steps": steps,
        "converged": summary.stop == Stop::Converged,
        "diverged": summary.stop == Stop::Diverged,
        "stop": stop_name(summary.stop),
        "final": final_json(&summary, &problem),
    });
    if let Some(c) = &certified {
        out["certified"] = c.json();
    }
    if o.checks {
        out["checks"] = crate::dynamics::eos::run_checks(inst, &problem, &eta, &summary)?;
    }
    Ok(Evaluated { json: out, summary, certified, eta })
}

/// Runs `gd`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let problem = Problem::of(&inst)?;
    let eta = lr(&a.lr)?;
    precision(&a.precision)?;
    if a.audit {
        let steps = a.steps.ok_or_else(|| Error::Usage("--steps K is required".into()))?;
        options(eta.clone(), steps, Precision::F64, None, false)?;
        super::print_json(&crate::dynamics::eos::audit(&problem, &eta, steps))?;
        return Ok(0);
    }
    let opts = RunOptions { lr: &a.lr, steps: a.steps, precision: &a.precision, tol: a.tol.as_deref(), certify: a.certify, bits: a.bits, checks: a.checks, record: a.trace.is_some(), progress: true, claim: a.claim.is_some() };
    let ev = evaluate(&inst, &a.file, &opts)?;
    if let Some(path) = &a.trace {
        write_trace(path, &ev.summary)?;
    }
    let out = ev.json;
    if let (Some(c), Some(path)) = (&ev.certified, &a.claim) {
        let crate::dynamics::certified_gd::Certified::Converged(limit) = c else {
            return Err(Error::Output { file: path.display().to_string(), reason: "not certified (see `certified.reason`); no claim written".into() });
        };
        let title = format!("GD at lr = {} converges to a certified box (SPEC §4.1)", fmt_q(&ev.eta));
        let file = crate::io::claims::claim_file(&title, Some(claim_instance(&inst, false)), vec![limit.claim(&ev.eta)]);
        crate::io::claims::verify_and_write(path, &file)?;
    }
    if a.json {
        super::print_json(&out)?;
    } else {
        print_human(&out)?;
    }
    Ok(0)
}

fn print_human(v: &Value) -> crate::error::Result<()> {
    let s = |k: &Value| k.as_str().unwrap_or("?").to_string();
    out!("{}: GD on {} (d = {}), lr = {}, precision {}", s(&v["file"]), s(&v["model"]), v["d"], s(&v["lr"]), s(&v["precision"]));
    out!("  stopped after {} steps: {}", v["steps"], s(&v["stop"]));
    let f = &v["final"];
    out!("  loss {}  sharpness {} ({} of the spectrum)  norm {}", s(&f["loss"]), s(&f["sharpness"]), s(&f["sharpness_end"]), s(&f["norm"]));
    match v.get("certified") {
        Some(c) if c["converged"].as_bool() == Some(true) => {
            let d = |v: &Value| approx(v);
            out!("  certified (SPEC §4.1): after {} steps at {} bits; S(β∞) ∈ [{}, {}], N(β∞) ∈ [{}, {}], 2/η − S ∈ [{}, {}] (decimals rounded; exact in --json)", c["steps"], c["bits"], d(&c["sharpness"]["lo"]), d(&c["sharpness"]["hi"]), d(&c["norm"]["lo"]), d(&c["norm"]["hi"]), d(&c["eos_margin"]["lo"]), d(&c["eos_margin"]["hi"]));
        }
        Some(c) => out!("  not certified: {}", s(&c["reason"])),
        None => {}
    }
    if let Some(checks) = v.get("checks").and_then(Value::as_array) {
        for c in checks {
            out!("  {}: {} (margin {}) — {}", s(&c["check"]), s(&c["status"]), c["margin"].as_str().unwrap_or("-"), s(&c["detail"]));
        }
        if v["model"].as_str() != Some("shared") {
            out!("  C2, C3: not run — they compare with the certified gradient flow, which exists for model shared only (docs/models.md)");
        }
    }
    Ok(())
}

/// A rational string of the JSON output as a 12-digit decimal (for the human-readable output).
pub fn approx(v: &Value) -> String {
    match v.as_str().map(crate::numeric::rational::parse_q) {
        Some(Ok(q)) => decimal(&q, 12),
        _ => v.to_string(),
    }
}

/// A progress bar on stderr when it is a terminal; hidden (quiet) when piped.
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}
