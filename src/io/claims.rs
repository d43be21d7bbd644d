//! Producing claim files (untrusted): runs the solvers and writes their answers with the
//! certificates that the kernel crate ([`dlncheck_kernel`]) re-checks. Format: `proofs/FORMAT.md`.

use crate::error::{Error, Result};
use crate::io::instance::{Covariance, Init, Instance, Model, Teacher};
use crate::theory::optimum::{self, Optimum, Slacks};
use crate::numeric::rational::{fmt_q, fmt_qs, qs_json};
use serde_json::{json, Map, Value};
use std::path::Path;

fn optimum_claim(kind: &str, o: &Optimum, slacks: Option<&Slacks>) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("value".into(), json!(fmt_q(&o.value)));
    let beta = (0..o.dim).map(|i| Value::String(if i == o.index { fmt_q(&o.carried) } else { "0".into() })).collect();
    m.insert("beta".into(), Value::Array(beta));
    m.insert("dual".into(), json!(fmt_q(&o.dual)));
    if let Some(slacks) = slacks {
        m.insert("slack".into(), qs_json(&slacks.slack));
        if let Some(sn) = &slacks.slack_neg {
            m.insert("slack_neg".into(), qs_json(sn));
        }
    }
    Value::Object(m)
}

/// The T1 claims of an instance: min-norm, min-sharpness, conflict (or coincidence), Pareto front.
/// With `slacks`, the optimum claims also list every dual slack w_i ∓ λ·x_i (the kernel
/// recomputes them either way; listing them lets a reader see each inequality of a small claim).
pub fn t1_claims(inst: &Instance, slacks: bool) -> Result<Vec<Value>> {
    let t = optimum::solve(inst)?;
    let p = optimum::Point::of(inst)?;
    let vertex = |v: &crate::theory::pareto::Vertex| {
        let mut m = Map::new();
        m.insert("index".into(), Value::from(v.index));
        m.insert("norm".into(), Value::String(fmt_q(&v.norm)));
        m.insert("sharpness".into(), Value::String(fmt_q(&v.sharpness)));
        Value::Object(m)
    };
    let front = Value::Array(t.front.iter().map(vertex).collect());
    let mut pareto = Map::new();
    pareto.insert("kind".into(), json!("pareto-front"));
    pareto.insert("vertices".into(), front);
    Ok(vec![
        optimum_claim("min-norm", &t.min_norm, slacks.then(|| p.slacks(&t.min_norm)).as_ref()),
        optimum_claim("min-sharpness", &t.min_sharpness, slacks.then(|| p.slacks(&t.min_sharpness)).as_ref()),
        json!({"kind": "conflict", "coincide": t.coincide, "ratio": fmt_q(&t.ratio)}),
        Value::Object(pareto),
    ])
}

/// The instance as a claim file holds it: canonical rationals only (SPEC §7), and only what the
/// claims are about — model (and depth) and the data, plus the teacher and population when
/// `generalization` claims are present, plus `init` when `with_init` (GD claims). Fields no claim
/// depends on are left out so that every number in a claim file is pinned by some check.
pub fn claim_instance(inst: &Instance, generalization: bool, with_init: bool) -> Value {
    let mut m = Map::new();
    m.insert("model".into(), json!(inst.model.name()));
    if let Model::SharedDepth(d) = inst.model {
        m.insert("depth".into(), json!(d));
    }
    if inst.one_point {
        m.insert("x".into(), json!(fmt_qs(&inst.x[0])));
        m.insert("y".into(), json!(fmt_q(&inst.y[0])));
    } else {
        m.insert("X".into(), json!(inst.x.iter().map(|r| fmt_qs(r)).collect::<Vec<_>>()));
        m.insert("y".into(), json!(fmt_qs(&inst.y)));
    }
    if with_init && let Some(init) = &inst.init {
        m.insert("init".into(), match init {
            Init::Alpha(a) => json!({"alpha": fmt_q(a)}),
            Init::Theta(t) => json!({"theta": fmt_qs(t)}),
        });
    }
    if generalization {
        if let Some(t) = &inst.teacher {
            m.insert("teacher".into(), match t {
                Teacher::Discrete { atoms } => json!({"kind": "discrete", "atoms": atoms.iter().map(|(p, b)| json!({"weight": fmt_q(p), "beta": fmt_qs(b)})).collect::<Vec<_>>()}),
                Teacher::Moments { mean, second_moment } => json!({"kind": "moments", "mean": fmt_qs(mean), "second_moment": second_moment.iter().map(|r| fmt_qs(r)).collect::<Vec<_>>()}),
            });
        }
        if let Covariance::Matrix(c) = &inst.covariance {
            m.insert("population".into(), json!({"covariance": c.iter().map(|r| fmt_qs(r)).collect::<Vec<_>>()}));
        }
    }
    Value::Object(m)
}

/// The T1-G claims of an instance with a teacher (SPEC §3): `neither-bias` when both ends of
/// the front lose strictly, otherwise `end-optimal` naming the optimal end; then `best-linear`
/// and, for a discrete prior, `bayes`. Empty without a teacher.
pub fn generalization_claims(inst: &Instance) -> Result<Vec<Value>> {
    let Some(r) = crate::theory::generalization::report(inst)? else { return Ok(Vec::new()) };
    Ok(generalization_claims_of(&r))
}

/// A face certificate `{ value, c, nu, mu }` (FORMAT.md).
fn face_json(f: &crate::theory::generalization::Face) -> Value {
    json!({"value": fmt_q(&f.value), "c": fmt_qs(&f.c), "nu": fmt_q(&f.nu), "mu": fmt_qs(&f.mu)})
}

/// The T1-G claims of a solved report (see [`generalization_claims`]).
pub fn generalization_claims_of(r: &crate::theory::generalization::Report) -> Vec<Value> {
    let f = &r.front;
    let mut front = Map::new();
    match f.optimal_end() {
        None => front.insert("kind".into(), json!("neither-bias")),
        Some(end) => {
            front.insert("kind".into(), json!("end-optimal"));
            front.insert("end".into(), json!(end))
        }
    };
    front.insert("value".into(), json!(fmt_q(&f.value)));
    if let Some(j) = f.segment {
        front.insert("segment".into(), json!(j));
        front.insert("t".into(), json!(fmt_q(&f.t)));
    }
    front.insert("c".into(), json!(fmt_qs(&f.c)));
    front.insert("margin_norm".into(), json!(fmt_q(&f.margin_norm)));
    front.insert("margin_sharpness".into(), json!(fmt_q(&f.margin_sharpness)));
    front.insert("min_norm".into(), face_json(&f.min_norm));
    front.insert("min_sharpness".into(), face_json(&f.min_sharpness));
    front.insert("segments".into(), Value::Array(f.segments.iter().map(face_json).collect()));
    let b = &r.best_linear;
    let mut best = face_json(b);
    best["kind"] = json!("best-linear");
    let mut out = vec![Value::Object(front), best];
    if let Some(v) = &r.bayes {
        out.push(json!({"kind": "bayes", "value": fmt_q(v)}));
    }
    out
}

/// A whole claim file: version, title, `expect` (the kinds of `claims`, in order, so that a
/// deleted or renamed claim fails `check`), the instance (if any) and the claims.
pub fn claim_file(title: &str, instance: Option<Value>, claims: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert("version".into(), json!(dlncheck_kernel::VERSION));
    m.insert("title".into(), json!(title));
    m.insert("expect".into(), Value::Array(claims.iter().map(|c| c["kind"].clone()).collect()));
    if let Some(instance) = instance {
        m.insert("instance".into(), instance);
    }
    m.insert("claim".into(), Value::Array(claims));
    Value::Object(m)
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
        return Err(Error::Output { file: path.display().to_string(), reason: format!("internal: the kernel rejected the produced claim {} ({}): {reason}; nothing written", bad.index, bad.kind) });
    }
    if let Some(why) = report.expect_mismatch() {
        return Err(Error::Output { file: path.display().to_string(), reason: format!("internal: {why}; nothing written") });
    }
    write_atomic(path, text.as_bytes())?;
    Ok(report)
}

/// Serialises a claim file as TOML (default) or JSON (`.json` extension).
pub fn render(path: &Path, file: &Value) -> Result<String> {
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(file).map(|s| s + "\n").map_err(|e| Error::Output { file: name, reason: e.to_string() })
    } else {
        toml::to_string(file).map_err(|e| Error::Output { file: name, reason: e.to_string() })
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, then a rename,
/// so that no half-written output is ever left behind.
///
/// A target that exists and is not a regular file (a device, a FIFO, a symlink, a directory) is
/// never replaced: a character device or FIFO is written through (so `-o /dev/stdout` works);
/// anything else is refused (SPEC §7).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_fifo() {
            return std::fs::OpenOptions::new().write(true).open(path).and_then(|mut f| std::io::Write::write_all(&mut f, contents)).map_err(|e| Error::Output { file: name, reason: e.to_string() });
        }
        if !kind.is_file() {
            return Err(Error::Output { file: name, reason: "exists and is not a regular file (refusing to replace it)".into() });
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| Error::Output { file: name.clone(), reason: "not a file name".into() })?;
    let tmp = dir.join(format!(".{}.tmp{}", file_name.to_string_lossy(), std::process::id()));
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Output { file: name, reason: e.to_string() });
    }
    Ok(())
}
