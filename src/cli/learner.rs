//! `dlncheck learner FILE --lr ETA [--steps K] [--bits P] [--claim OUT] [--json]` (SPEC §4.1,
//! §7): the GD learner on a discrete prior — certified GD on every atom's own label y_a from the
//! same w0 and η — and the enclosure of its expected error against the exact ends of §3.

use super::gd::approx;
use crate::dynamics::certified_gd::{self, expected_error, interval_json, Certified};
use crate::io::claims;
use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::numeric::rational::{fmt_q, Q};
use dlncheck_kernel::instance::Teacher;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Arguments of `learner`.
pub struct Args {
    pub file: PathBuf,
    pub lr: String,
    pub steps: u64,
    pub bits: Option<u64>,
    pub claim: Option<PathBuf>,
    pub json: bool,
}

/// Runs `learner`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let eta = super::gd::lr(&a.lr)?;
    let (x, alpha) = super::gd::certified_setup(&inst, &a.file)?;
    let file = a.file.display().to_string();
    let Some(Teacher::Discrete { atoms }) = &inst.teacher else { return Err(Error::input(&file, "teacher", "the GD learner needs a discrete teacher prior (SPEC §4.1)")) };
    let bits = super::gd::bits(a.bits)?;
    super::gd::certified_steps(a.steps)?;
    let report = crate::theory::generalization::report(&inst)?.ok_or_else(|| Error::input(&file, "teacher", "missing"))?;
    let runs: Vec<(Q, Certified)> = atoms.iter().map(|(_, star)| {
        let y = crate::numeric::vector::dot(&x, star);
        let c = certified_gd::certify(&x, &y, &alpha, &eta, a.steps, bits);
        (y, c)
    }).collect();
    let limits: Vec<_> = runs.iter().filter_map(|(_, c)| match c { Certified::Converged(l) => Some(l), Certified::NotCertified(_) => None }).collect();
    let f = &report.front;
    let (mn, ms) = (&f.min_norm.value, &f.min_sharpness.value);
    let mut out = json!({
        "file": file,
        "lr": fmt_q(&eta),
        "min_norm": fmt_q(mn),
        "min_sharpness": fmt_q(ms),
        "front_best": fmt_q(&f.value),
        "bayes": report.bayes.as_ref().map(fmt_q),
        "atoms": runs.iter().zip(atoms).map(|((y, c), (p, _))| {
            let mut v = c.json();
            v["y"] = json!(fmt_q(y));
            v["weight"] = json!(fmt_q(p));
            v
        }).collect::<Vec<_>>(),
    });
    let certified = limits.len() == atoms.len();
    if certified {
        let boxes: Vec<&[_]> = limits.iter().map(|l| l.beta.as_slice()).collect();
        let pmax = limits.iter().map(|l| l.bits).max().unwrap_or(2);
        let e = expected_error(atoms, &report.setting.sigma, &boxes, pmax);
        let verdicts = [
            ("beats_min_norm", e.hi() < mn), ("beats_min_sharpness", e.hi() < ms),
            ("loses_to_min_norm", e.lo() > mn), ("loses_to_min_sharpness", e.lo() > ms),
        ];
        out["certified"] = json!(true);
        out["expected_error"] = interval_json(&e, pmax);
        for (k, v) in verdicts {
            out[k] = json!(v);
        }
        if let Some(path) = &a.claim {
            write_claim(path, &inst, &eta, (a.steps, bits), &runs, &e, report, &verdicts)?;
            out["claim"] = json!(path.display().to_string());
        }
    } else {
        out["certified"] = json!(false);
        out["expected_error"] = Value::Null;
        for k in ["beats_min_norm", "beats_min_sharpness", "loses_to_min_norm", "loses_to_min_sharpness"] {
            out[k] = json!(false);
        }
        if let Some(path) = &a.claim {
            return Err(Error::Output { file: path.display().to_string(), reason: "not certified (see the atoms' reasons); no claim written".into() });
        }
    }
    if a.json {
        super::print_json(&out)?;
    } else {
        print_human(&out)?;
    }
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn write_claim(path: &Path, inst: &Instance, eta: &Q, (steps, bits): (u64, Option<u64>), runs: &[(Q, Certified)], e: &crate::numeric::interval::Interval, report: crate::theory::generalization::Report, verdicts: &[(&str, bool)]) -> Result<()> {
    let mut claims = claims::generalization_claims_of(&report);
    // GD on the instance's own label y (the label the other claims do not read), so that the
    // file also pins y.
    let y = &inst.y[0];
    let own = match runs.iter().find(|(ya, _)| ya == y) {
        Some((_, c)) => c.clone(),
        None => {
            let (x, alpha) = super::gd::certified_setup(inst, Path::new(&inst.source))?;
            certified_gd::certify(&x, y, &alpha, eta, steps, bits)
        }
    };
    if let Certified::Converged(l) = own {
        claims.push(l.claim(eta));
    }
    let mut m = Map::new();
    m.insert("kind".into(), json!("gd-learner"));
    m.insert("lr".into(), json!(fmt_q(eta)));
    let atoms: Vec<Value> = runs.iter().filter_map(|(y, c)| match c {
        Certified::Converged(l) => {
            let mut keys = l.run_keys();
            keys.insert("y".into(), json!(fmt_q(y)));
            Some(Value::Object(keys))
        }
        Certified::NotCertified(_) => None,
    }).collect();
    m.insert("atoms".into(), Value::Array(atoms));
    m.insert("expected_error".into(), json!({"lo": fmt_q(e.lo()), "hi": fmt_q(e.hi())}));
    let f = &report.front;
    m.insert("min_norm".into(), json!(fmt_q(&f.min_norm.value)));
    m.insert("min_sharpness".into(), json!(fmt_q(&f.min_sharpness.value)));
    m.insert("front_best".into(), json!(fmt_q(&f.value)));
    for (k, v) in verdicts {
        m.insert((*k).into(), json!(v));
    }
    claims.push(Value::Object(m));
    let title = format!("GD learner at lr = {} (SPEC §4.1): certified expected error against the exact ends", fmt_q(eta));
    let file = claims::claim_file(&title, Some(super::gd::claim_instance(inst, true)), claims);
    claims::verify_and_write(path, &file)?;
    Ok(())
}

fn print_human(v: &Value) -> Result<()> {
    let s = |k: &Value| k.as_str().map_or_else(|| k.to_string(), str::to_string);
    out!("{}: GD learner at lr = {}", s(&v["file"]), s(&v["lr"]));
    for a in v["atoms"].as_array().into_iter().flatten() {
        match a["converged"].as_bool() {
            Some(true) => out!("  y = {}: certified after {} steps at {} bits, S(β∞) ∈ [{}, {}]", s(&a["y"]), a["steps"], a["bits"], approx(&a["sharpness"]["lo"]), approx(&a["sharpness"]["hi"])),
            _ => out!("  y = {}: not certified: {}", s(&a["y"]), s(&a["reason"])),
        }
    }
    if v["certified"].as_bool() == Some(true) {
        out!("  E_GD ∈ [{}, {}] (decimals rounded; exact in --json)", approx(&v["expected_error"]["lo"]), approx(&v["expected_error"]["hi"]));
    }
    out!("  E(min-norm) = {} ≈ {}, E(min-sharpness) = {} ≈ {}, E* (front) = {} ≈ {}", s(&v["min_norm"]), approx(&v["min_norm"]), s(&v["min_sharpness"]), approx(&v["min_sharpness"]), s(&v["front_best"]), approx(&v["front_best"]));
    out!("  certified: beats min-norm {}, beats min-sharpness {}, loses to min-norm {}, loses to min-sharpness {}", v["beats_min_norm"], v["beats_min_sharpness"], v["loses_to_min_norm"], v["loses_to_min_sharpness"]);
    Ok(())
}
