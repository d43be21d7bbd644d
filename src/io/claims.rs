//! Producing claim files (untrusted): runs the solvers and writes their answers with the
//! certificates that the kernel crate ([`dlncheck_kernel`]) re-checks. Format: `proofs/FORMAT.md`.

use crate::error::{Error, Result};
use crate::io::format::{self, Claim, ClaimFile, rat, rat_rows, rats};
use crate::io::instance::{Covariance, Init, Instance, Model, Teacher};
use crate::theory::optimum::{self, Optimum, Slacks};
use serde_json::Value;
use std::path::Path;

fn optimum_claim(o: &Optimum, slacks: Option<&Slacks>) -> format::Optimum {
    let beta = (0..o.dim)
        .map(|i| {
            if i == o.index {
                rat(&o.carried)
            } else {
                format::Rat(num_traits::Zero::zero())
            }
        })
        .collect();
    format::Optimum {
        value: rat(&o.value),
        beta,
        dual: rat(&o.dual),
        slack: slacks.map(|s| rats(&s.slack)),
        slack_neg: slacks.and_then(|s| s.slack_neg.as_deref().map(rats)),
    }
}

/// The T1 claims of an instance: min-norm, min-sharpness, conflict (or coincidence), Pareto front.
/// With `slacks`, the optimum claims also list every dual slack w_i ∓ λ·x_i (the kernel
/// recomputes them either way; listing them lets a reader see each inequality of a small claim).
pub fn t1_claims(inst: &Instance, slacks: bool) -> Result<Vec<Claim>> {
    let t = optimum::solve(inst)?;
    let p = optimum::Point::of(inst)?;
    let vertices = t
        .front
        .iter()
        .map(|v| format::Vertex {
            index: v.index,
            norm: rat(&v.norm),
            sharpness: rat(&v.sharpness),
        })
        .collect();
    Ok(vec![
        Claim::MinNorm(optimum_claim(
            &t.min_norm,
            slacks.then(|| p.slacks(&t.min_norm)).as_ref(),
        )),
        Claim::MinSharpness(optimum_claim(
            &t.min_sharpness,
            slacks.then(|| p.slacks(&t.min_sharpness)).as_ref(),
        )),
        Claim::Conflict {
            coincide: t.coincide,
            ratio: rat(&t.ratio),
        },
        Claim::ParetoFront { vertices },
    ])
}

/// The instance as a claim file holds it: canonical rationals only (SPEC §7), and only what the
/// claims are about — model (and depth) and the data, plus the teacher and population when
/// `generalization` claims are present, plus `init` when `with_init` (GD claims). Fields no claim
/// depends on are left out so that every number in a claim file is pinned by some check.
pub fn claim_instance(inst: &Instance, generalization: bool, with_init: bool) -> Value {
    let depth = match inst.model {
        Model::SharedDepth(d) => Some(d),
        _ => None,
    };
    let (x, x_rows, y) = if inst.one_point {
        (
            Some(rats(&inst.x[0])),
            None,
            serde_json::to_value(rat(&inst.y[0])),
        )
    } else {
        (
            None,
            Some(rat_rows(&inst.x)),
            serde_json::to_value(rats(&inst.y)),
        )
    };
    let init = match &inst.init {
        Some(Init::Alpha(a)) if with_init => Some(format::Init::Alpha(rat(a))),
        Some(Init::Theta(t)) if with_init => Some(format::Init::Theta(rats(t))),
        _ => None,
    };
    let teacher = match &inst.teacher {
        Some(Teacher::Discrete { atoms }) if generalization => Some(format::Teacher::Discrete {
            atoms: atoms
                .iter()
                .map(|(p, b)| format::Atom {
                    weight: rat(p),
                    beta: rats(b),
                })
                .collect(),
        }),
        Some(Teacher::Moments {
            mean,
            second_moment,
        }) if generalization => Some(format::Teacher::Moments {
            mean: rats(mean),
            second_moment: rat_rows(second_moment),
        }),
        _ => None,
    };
    let population = match &inst.covariance {
        Covariance::Matrix(c) if generalization => Some(format::Population {
            covariance: rat_rows(c),
        }),
        _ => None,
    };
    let table = format::Instance {
        model: inst.model.name().to_string(),
        depth,
        x,
        x_rows,
        y: y.unwrap_or(Value::Null),
        init,
        teacher,
        population,
    };
    serde_json::to_value(table).unwrap_or(Value::Null)
}

/// The T1-G claims of an instance with a teacher (SPEC §3): `neither-bias` when both ends of
/// the front lose strictly, otherwise `end-optimal` naming the optimal end; then `best-linear`
/// and, for a discrete prior, `bayes`. Empty without a teacher.
pub fn generalization_claims(inst: &Instance) -> Result<Vec<Claim>> {
    let Some(r) = crate::theory::generalization::report(inst)? else {
        return Ok(Vec::new());
    };
    Ok(generalization_claims_of(&r))
}

/// A face certificate `{ value, c, nu, mu }` (FORMAT.md).
fn face(f: &crate::theory::generalization::Face) -> format::Face {
    format::Face {
        value: rat(&f.value),
        c: rats(&f.c),
        nu: rat(&f.nu),
        mu: rats(&f.mu),
    }
}

/// The T1-G claims of a solved report (see [`generalization_claims`]).
pub fn generalization_claims_of(r: &crate::theory::generalization::Report) -> Vec<Claim> {
    let f = &r.front;
    let best = format::FrontBest {
        value: rat(&f.value),
        segment: f.segment,
        t: f.segment.map(|_| rat(&f.t)),
        c: rats(&f.c),
        margin_norm: rat(&f.margin_norm),
        margin_sharpness: rat(&f.margin_sharpness),
        min_norm: face(&f.min_norm),
        min_sharpness: face(&f.min_sharpness),
        segments: f.segments.iter().map(face).collect(),
    };
    let mut out = vec![match f.optimal_end() {
        None => Claim::NeitherBias(best),
        Some(end) => Claim::EndOptimal {
            end: end.to_string(),
            best,
        },
    }];
    out.push(Claim::BestLinear(face(&r.best_linear)));
    if let Some(v) = &r.bayes {
        out.push(Claim::Bayes { value: rat(v) });
    }
    out
}

/// A whole claim file: version, title, `expect` (the kinds of `claims`, in order, so that a
/// deleted or renamed claim fails `check`), the instance (if any) and the claims.
pub fn claim_file<C: Into<Claim>>(title: &str, instance: Option<Value>, claims: Vec<C>) -> Value {
    let claim: Vec<Value> = claims.into_iter().map(|c| c.into().to_value()).collect();
    let expect = claim
        .iter()
        .map(|c| c["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    let file = ClaimFile {
        version: dlncheck_kernel::VERSION,
        title: title.to_string(),
        expect,
        instance,
        claim,
    };
    serde_json::to_value(file).unwrap_or(Value::Null)
}

/// Renders the claim file, has the kernel check exactly the text that would be written, and
/// writes it (atomically) only when every claim is verified and `expect` matches. Returns the
/// kernel's report; on a rejection nothing is written and the error says which claim failed
/// (a producer bug, never a file `check` would reject).
pub fn verify_and_write(path: &Path, file: &Value) -> Result<dlncheck_kernel::Report> {
    let text = render(path, file)?;
    let report = dlncheck_kernel::check_text(&path.display().to_string(), &text)?;
    if let Some(bad) = report.verdicts.iter().find(|v| !v.verified()) {
        let reason = match &bad.outcome {
            dlncheck_kernel::Outcome::Rejected(r) => r.as_str(),
            dlncheck_kernel::Outcome::Verified(_) => "",
        };
        return Err(Error::Output {
            file: path.display().to_string(),
            reason: format!(
                "internal: the kernel rejected the produced claim {} ({}): {reason}; nothing written",
                bad.index, bad.kind
            ),
        });
    }
    if let Some(why) = report.expect_mismatch() {
        return Err(Error::Output {
            file: path.display().to_string(),
            reason: format!("internal: {why}; nothing written"),
        });
    }
    crate::io::atomic::write_atomic(path, text.as_bytes())?;
    Ok(report)
}

/// Serialises a claim file as TOML (default) or JSON (`.json` extension).
pub fn render(path: &Path, file: &Value) -> Result<String> {
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(file)
            .map(|s| s + "\n")
            .map_err(|e| Error::Output {
                file: name,
                reason: e.to_string(),
            })
    } else {
        toml::to_string(file).map_err(|e| Error::Output {
            file: name,
            reason: e.to_string(),
        })
    }
}
