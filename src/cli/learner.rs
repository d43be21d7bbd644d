//! `dlncheck learner FILE --lr ETA [--steps K] [--bits P] [--claim OUT] [--json]` (SPEC §4.1,
//! §7): the GD learner on a discrete prior — certified GD on every atom's own label y_a from the
//! same w0 and η — and the enclosure of its expected error against the exact ends of §3.

use super::gd::approx;
use crate::dynamics::certified_gd::{self, Certified};
use crate::error::{Error, Result};
use crate::io::claims;
use crate::io::format::{Claim, Enclosure, GdAtom, rat};
use crate::io::instance::Instance;
use crate::numeric::rational::{Q, fmt_q};
use crate::report::learner::{VERDICTS, evaluate};
use serde_json::{Value, json};
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
    let file = a.file.display().to_string();
    if !inst.one_point {
        return run_points(a, &inst, &file);
    }
    let ev = evaluate(&inst, &file, &a.lr, a.steps, a.bits)?;
    let mut out = ev.json;
    if let Some(path) = &a.claim {
        let Some((e, _)) = &ev.learner.expected_error else {
            return Err(Error::Output {
                file: path.display().to_string(),
                reason: "not certified (see the atoms' reasons); no claim written".into(),
            });
        };
        let verdicts: Vec<(&str, bool)> = VERDICTS
            .iter()
            .map(|k| (*k, out[*k] == json!(true)))
            .collect();
        write_claim(
            path,
            &inst,
            &ev.eta,
            (a.steps, ev.bits),
            &ev.learner.runs,
            e,
            ev.report,
            &verdicts,
        )?;
        out["claim"] = json!(path.display().to_string());
    }
    if a.json {
        super::print_json(&out)?;
    } else {
        print_human(&out)?;
    }
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn write_claim(
    path: &Path,
    inst: &Instance,
    eta: &Q,
    (steps, bits): (u64, Option<u64>),
    runs: &[(Q, Certified)],
    e: &crate::numeric::interval::Interval,
    report: crate::theory::generalization::Report,
    verdicts: &[(&str, bool)],
) -> Result<()> {
    let mut claims = claims::generalization_claims_of(&report);
    // GD on the instance's own label y (the label the other claims do not read), so that the
    // file also pins y.
    let y = &inst.y[0];
    let own = match runs.iter().find(|(ya, _)| ya == y) {
        Some((_, c)) => c.clone(),
        None => {
            let (x, alpha) = crate::report::gd::certified_setup(inst, Path::new(&inst.source))?;
            certified_gd::certify(&x, y, &alpha, eta, steps, bits)
        }
    };
    if let Certified::Converged(l) = own {
        claims.push(l.claim(eta));
    }
    let atoms = runs
        .iter()
        .filter_map(|(y, c)| match c {
            Certified::Converged(l) => Some(GdAtom {
                y: rat(y),
                run: l.run(),
            }),
            Certified::NotCertified(_) => None,
        })
        .collect();
    let f = &report.front;
    let verdict = |k: &str| verdicts.iter().any(|(name, v)| *name == k && *v);
    claims.push(Claim::GdLearner {
        lr: rat(eta),
        atoms,
        expected_error: Enclosure {
            lo: rat(e.lo()),
            hi: rat(e.hi()),
        },
        min_norm: rat(&f.min_norm.value),
        min_sharpness: rat(&f.min_sharpness.value),
        front_best: rat(&f.value),
        beats_min_norm: verdict("beats_min_norm"),
        beats_min_sharpness: verdict("beats_min_sharpness"),
        loses_to_min_norm: verdict("loses_to_min_norm"),
        loses_to_min_sharpness: verdict("loses_to_min_sharpness"),
    });
    let title = format!(
        "GD learner at lr = {} (SPEC §4.1): certified expected error against the exact ends",
        fmt_q(eta)
    );
    let file = claims::claim_file(
        &title,
        Some(crate::report::gd::claim_instance(inst, true)),
        claims,
    );
    claims::verify_and_write(path, &file)?;
    Ok(())
}

fn print_human(v: &Value) -> Result<()> {
    let s = |k: &Value| k.as_str().map_or_else(|| k.to_string(), str::to_string);
    out!("{}: GD learner at lr = {}", s(&v["file"]), s(&v["lr"]));
    for a in v["atoms"].as_array().into_iter().flatten() {
        match a["converged"].as_bool() {
            Some(true) => out!(
                "  y = {}: certified after {} steps at {} bits, S(β∞) ∈ [{}, {}]",
                s(&a["y"]),
                a["steps"],
                a["bits"],
                approx(&a["sharpness"]["lo"]),
                approx(&a["sharpness"]["hi"])
            ),
            _ => out!("  y = {}: not certified: {}", s(&a["y"]), s(&a["reason"])),
        }
    }
    if v["certified"].as_bool() == Some(true) {
        out!(
            "  E_GD ∈ [{}, {}] (decimals rounded; exact in --json)",
            approx(&v["expected_error"]["lo"]),
            approx(&v["expected_error"]["hi"])
        );
    }
    out!(
        "  E(min-norm) = {} ≈ {}, E(min-sharpness) = {} ≈ {}, E* (front) = {} ≈ {}",
        s(&v["min_norm"]),
        approx(&v["min_norm"]),
        s(&v["min_sharpness"]),
        approx(&v["min_sharpness"]),
        s(&v["front_best"]),
        approx(&v["front_best"])
    );
    out!(
        "  certified: beats min-norm {}, beats min-sharpness {}, loses to min-norm {}, loses to min-sharpness {}",
        v["beats_min_norm"],
        v["beats_min_sharpness"],
        v["loses_to_min_norm"],
        v["loses_to_min_sharpness"]
    );
    Ok(())
}

/// `learner` at n > 1 (SPEC §5.4): the typed report of [`crate::report::learner_points`].
fn run_points(a: &Args, inst: &Instance, file: &str) -> Result<i32> {
    if let Some(path) = &a.claim {
        return Err(Error::Output {
            file: path.display().to_string(),
            reason: "a gd-learner claim is one-point (FORMAT.md §4.8); at n > 1 write each \
                     atom's gd-limit claim with `gd --certify --claim`"
                .into(),
        });
    }
    let r = crate::report::learner_points::evaluate(inst, file, &a.lr, a.steps, a.bits)?;
    if a.json {
        super::print_json(&r)?;
        return Ok(0);
    }
    use crate::report::learner_points::End;
    let show = |e: &End| match e {
        End::Exact(v) => approx(&json!(v)),
        End::Unavailable { reason } => format!("not available: {reason}"),
    };
    out!(
        "{}: GD learner at lr = {} on n = {} points",
        r.file,
        r.lr,
        r.n
    );
    match &r.expected_error {
        Some(e) => out!(
            "  E_GD in [{}, {}]",
            approx(&json!(e.lo)),
            approx(&json!(e.hi))
        ),
        None => out!("  E_GD not certified (see the atoms' runs in --json)"),
    }
    out!("  min-norm: {}", show(&r.min_norm));
    out!("  min-sharpness: {}", show(&r.min_sharpness));
    if let Some(crate::report::flow::GenError::Certified(f)) = &r.flow {
        out!(
            "  gradient flow: [{}, {}]",
            approx(&json!(f.lo)),
            approx(&json!(f.hi))
        );
    }
    out!(
        "  beats min-norm: {}, loses to min-norm: {}, beats the flow: {}, loses to the flow: {} (true only when certified)",
        r.beats_min_norm,
        r.loses_to_min_norm,
        r.beats_flow,
        r.loses_to_flow
    );
    Ok(0)
}
