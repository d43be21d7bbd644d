//! Producing claim files (untrusted): runs the solvers and writes their answers with the
//! certificates that [`crate::kernel`] re-checks. Format: `proofs/FORMAT.md`.

use crate::error::{Error, Result};
use crate::instance::Instance;
use crate::optimum::{self, Optimum, Slacks};
use crate::rational::{fmt_q, fmt_qs, qs_json};
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
    let vertex = |v: &crate::pareto::Vertex| {
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

/// The part of an instance tree that the claims are about: model (and depth) and the data, plus
/// the teacher and population when `generalization` claims are present. Fields no claim depends
/// on (init, and the teacher for T1-only files) are left out so that every number in a claim
/// file is pinned by some check of the kernel.
pub fn claim_instance(tree: &Value, generalization: bool) -> Value {
    let keep: &[&str] = if generalization { &["model", "depth", "x", "X", "y", "teacher", "population"] } else { &["model", "depth", "x", "X", "y"] };
    let mut m = Map::new();
    if let Some(obj) = tree.as_object() {
        for (k, v) in obj.iter().filter(|(k, _)| keep.contains(&k.as_str())) {
            m.insert(k.clone(), v.clone());
        }
    }
    Value::Object(m)
}

/// The T1-G claims of an instance with a teacher (SPEC §3): `neither-bias` when both ends of
/// the front lose strictly, otherwise `end-optimal` naming the optimal end; then `best-linear`
/// and, for a discrete prior, `bayes`. Empty without a teacher.
pub fn generalization_claims(inst: &Instance) -> Result<Vec<Value>> {
    let Some(r) = crate::generalization::report(inst)? else { return Ok(Vec::new()) };
    Ok(generalization_claims_of(&r))
}

/// The T1-G claims of a solved report (see [`generalization_claims`]).
pub fn generalization_claims_of(r: &crate::generalization::Report) -> Vec<Value> {
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
    front.insert("min_norm".into(), json!(fmt_q(&f.min_norm)));
    front.insert("min_sharpness".into(), json!(fmt_q(&f.min_sharpness)));
    front.insert("margin_norm".into(), json!(fmt_q(&f.margin_norm)));
    front.insert("margin_sharpness".into(), json!(fmt_q(&f.margin_sharpness)));
    let segments: Vec<Value> = f.segments.iter().map(|s| json!({"t": fmt_q(&s.t), "value": fmt_q(&s.value)})).collect();
    front.insert("segments".into(), json!(segments));
    let b = &r.best_linear;
    let mut out = vec![
        Value::Object(front),
        json!({"kind": "best-linear", "value": fmt_q(&b.value), "c": fmt_qs(&b.c), "nu": fmt_q(&b.nu), "mu": fmt_qs(&b.mu)}),
    ];
    if let Some(v) = &r.bayes {
        out.push(json!({"kind": "bayes", "value": fmt_q(v)}));
    }
    out
}

/// A whole claim file: version, title, the instance tree as given, and the claims.
pub fn claim_file(title: &str, instance_tree: Value, claims: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert("version".into(), json!(crate::kernel::VERSION));
    m.insert("title".into(), json!(title));
    m.insert("instance".into(), instance_tree);
    m.insert("claim".into(), Value::Array(claims));
    Value::Object(m)
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
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.display().to_string();
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
