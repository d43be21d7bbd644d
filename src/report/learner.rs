//! The report of `learner` (SPEC §4.1, §7): the GD learner on a discrete prior — certified GD
//! on every atom's own label y_a from the same w0 and η — and the enclosure of its expected
//! error against the exact ends of §3.

use crate::dynamics::certified_gd::{self, interval_json};
use crate::error::{Error, Result};
use crate::io::instance::Instance;
use crate::numeric::rational::{Q, fmt_q};
use serde_json::{Value, json};
use std::path::Path;

/// The verdict keys of the learner's report: hi < end (GD provably beats it), lo > end
/// (GD provably loses to it).
pub const VERDICTS: [&str; 4] = [
    "beats_min_norm",
    "beats_min_sharpness",
    "loses_to_min_norm",
    "loses_to_min_sharpness",
];

/// What `learner --json` prints (without `claim`), with the pieces a claim file needs.
pub struct Evaluated {
    pub json: Value,
    pub eta: Q,
    pub learner: certified_gd::Learner,
    pub report: crate::theory::generalization::Report,
    pub bits: Option<u64>,
}

/// Runs the GD learner of SPEC §4.1 on the instance `file` names: checks the arguments as the
/// CLI does and returns its report. The Python package calls this too.
pub fn evaluate(
    inst: &Instance,
    file: &str,
    lr: &str,
    steps: u64,
    bits: Option<u64>,
) -> Result<Evaluated> {
    let eta = super::gd::lr(lr)?;
    let (x, alpha) = super::gd::certified_setup(inst, Path::new(file))?;
    let (atoms, bits) = super::learner_points::checked_prior(inst, file, "§4.1", steps, bits)?;
    let report = crate::theory::generalization::report(inst)?
        .ok_or_else(|| Error::input(file, "teacher", "missing"))?;
    let learner =
        certified_gd::learner(&x, &alpha, &eta, atoms, &report.setting.sigma, steps, bits);
    let f = &report.front;
    let (mn, ms) = (&f.min_norm.value, &f.min_sharpness.value);
    let mut out = json!({
        "file": file,
        "lr": fmt_q(&eta),
        "min_norm": fmt_q(mn),
        "min_sharpness": fmt_q(ms),
        "front_best": fmt_q(&f.value),
        "bayes": report.bayes.as_ref().map(fmt_q),
        "atoms": learner.runs.iter().zip(atoms).map(|((y, c), (p, _))| {
            let mut v = c.json();
            v["y"] = json!(fmt_q(y));
            v["weight"] = json!(fmt_q(p));
            v
        }).collect::<Vec<_>>(),
    });
    match &learner.expected_error {
        Some((e, p)) => {
            out["certified"] = json!(true);
            out["expected_error"] = interval_json(e, *p);
            for (k, v) in VERDICTS
                .iter()
                .zip([e.hi() < mn, e.hi() < ms, e.lo() > mn, e.lo() > ms])
            {
                out[*k] = json!(v);
            }
        }
        None => {
            out["certified"] = json!(false);
            out["expected_error"] = Value::Null;
            for k in VERDICTS {
                out[k] = json!(false);
            }
        }
    }
    Ok(Evaluated {
        json: out,
        eta,
        learner,
        report,
        bits,
    })
}
