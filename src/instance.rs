//! Instance files (SPEC §7): model, data, optional init, teacher prior and population.
//!
//! Files are TOML, or JSON when the name ends in `.json` (or the text starts with `{`). Both are
//! read into one `serde_json::Value` tree, so every check below is written once, and every error
//! names the file, the field path and the reason on one line. This module is part of the kernel's
//! trusted base: it parses, it does not solve. Checks that need a solver-side theory (e.g. that a
//! second moment is PSD) live with that theory.

use crate::error::{Error, Result};
use crate::rational::{parse_q, Q};
use num_traits::{Signed, Zero};
use serde_json::Value;

/// Parametrisation of the diagonal linear network (SPEC §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// θ = w, β = w ⊙ w (the paper's model).
    Shared,
    /// θ = (u, v), β = u ⊙ v.
    Uv,
    /// θ = (u, v), β = u ⊙ u − v ⊙ v.
    Pm,
    /// θ = w, β = w^{⊙D}, D ≥ 2.
    SharedDepth(u32),
}

impl Model {
    /// The name used in files.
    pub fn name(&self) -> String {
        match self {
            Model::Shared => "shared".into(),
            Model::Uv => "uv".into(),
            Model::Pm => "pm".into(),
            Model::SharedDepth(_) => "shared-depth".into(),
        }
    }

    /// Parameters per coordinate of β.
    pub fn block(&self) -> usize {
        match self {
            Model::Shared | Model::SharedDepth(_) => 1,
            Model::Uv | Model::Pm => 2,
        }
    }
}

/// Initialisation for gradient descent and gradient flow (SPEC §4).
#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    /// Every parameter equal to α.
    Alpha(Q),
    /// Explicit parameter vector θ0 (length d·block).
    Theta(Vec<Q>),
}

/// Teacher prior (SPEC §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Teacher {
    /// Atoms β*_a with weights p_a.
    Discrete { atoms: Vec<(Q, Vec<Q>)> },
    /// Mean m and second moment M2 = E[β* β*ᵀ].
    Moments { mean: Vec<Q>, second_moment: Vec<Vec<Q>> },
}

/// Population covariance Σ of x' (SPEC §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Covariance {
    Identity,
    Matrix(Vec<Vec<Q>>),
}

/// A parsed instance. `x` holds the rows x_j (n = 1 for the one-point setting T1).
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// File name, for error messages.
    pub source: String,
    pub model: Model,
    /// Data rows, n × d.
    pub x: Vec<Vec<Q>>,
    /// Labels, length n.
    pub y: Vec<Q>,
    /// Whether the file used the one-point form `x = [...]`, `y = "..."`.
    pub one_point: bool,
    pub init: Option<Init>,
    pub teacher: Option<Teacher>,
    pub covariance: Covariance,
}

impl Instance {
    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.x.first().map_or(0, Vec::len)
    }

    /// The single data point (x, y) of setting T1, or an error naming the file.
    pub fn point(&self) -> Result<(&[Q], &Q)> {
        if self.x.len() != 1 {
            return Err(Error::input(&self.source, "X", format!("this command needs one data point (n = 1), the file has n = {}", self.x.len())));
        }
        Ok((&self.x[0], &self.y[0]))
    }

    /// A copy with the error-message source renamed.
    pub fn with_source(mut self, source: &str) -> Self {
        self.source = source.to_string();
        self
    }
}

/// Reads a TOML or JSON file into a value tree. `name` is used in error messages.
pub fn read_tree(path: &std::path::Path) -> Result<Value> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(&name, format!("cannot read: {e}")))?;
    parse_tree(&name, &text)
}

/// Parses TOML or JSON text (JSON when it starts with `{` after white space).
pub fn parse_tree(name: &str, text: &str) -> Result<Value> {
    if text.trim_start().starts_with('{') || name.ends_with(".json") {
        serde_json::from_str(text).map_err(|e| Error::file(name, format!("malformed JSON: {e}")))
    } else {
        if let Some(tree) = parse_flat_toml(text) {
            return Ok(tree);
        }
        // Straight into the JSON tree (no intermediate `toml::Table`).
        toml::from_str(text).map_err(|e| Error::file(name, format!("malformed TOML: {}", e.message())))
    }
}

/// A fast reader for the flat TOML of large instance files (what `dlncheck random` writes):
/// lines `key = "text"` or `key = ["text", ...]` with bare keys and basic strings without escapes
/// or control characters, blank lines and whole-line comments. Anything else — tables, escapes,
/// numbers, a comment after a value, an array over several lines, a repeated key — gives `None`,
/// and the TOML parser reads the text. `tests/instance_reading.rs` checks that both readers give
/// the same tree wherever this one answers. (The TOML parser takes ~50 ms for a 4 MB file.)
pub fn parse_flat_toml(text: &str) -> Option<Value> {
    const BLANK: [char; 2] = [' ', '\t'];
    let mut map = serde_json::Map::new();
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        // CRLF ends a line; a CR anywhere else is invalid TOML and fails the checks below.
        let line = if lines.peek().is_some() { line.strip_suffix('\r').unwrap_or(line) } else { line };
        let t = line.trim_matches(BLANK);
        if t.is_empty() || t.starts_with('#') {
            if t.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return None;
            }
            continue;
        }
        let (key, rest) = t.split_once('=')?;
        let key = key.trim_matches(BLANK);
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return None;
        }
        let rest = rest.trim_matches(BLANK);
        let value = match rest.strip_prefix('[') {
            Some(inner) => {
                let mut items = Vec::new();
                let mut s = inner.strip_suffix(']')?.trim_start_matches(BLANK);
                while !s.is_empty() {
                    let (item, after) = basic_string(s)?;
                    items.push(Value::String(item.to_string()));
                    s = after.trim_start_matches(BLANK);
                    match s.strip_prefix(',') {
                        Some(r) => s = r.trim_start_matches(BLANK),
                        None if s.is_empty() => {}
                        None => return None,
                    }
                }
                Value::Array(items)
            }
            None => match basic_string(rest)? {
                (item, "") => Value::String(item.to_string()),
                _ => return None,
            },
        };
        if map.insert(key.to_string(), value).is_some() {
            return None;
        }
    }
    Some(Value::Object(map))
}

/// The basic string `"text"` at the start of `s` when it has no escapes and no control
/// characters (then `text` is its value), and the rest of `s`.
fn basic_string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body.find('"')?;
    let text = &body[..end];
    if text.bytes().any(|b| b == b'\\' || (b < 0x20 && b != b'\t') || b == 0x7f) {
        return None;
    }
    Some((text, &body[end + 1..]))
}

/// Reads and validates an instance file.
pub fn read_instance(path: &std::path::Path) -> Result<Instance> {
    let name = path.display().to_string();
    let tree = read_tree(path)?;
    parse_instance(&name, &tree)
}

/// A cursor for reading fields of a value tree with precise error messages.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    pub file: &'a str,
}

impl<'a> Fields<'a> {
    /// Error about `field`.
    pub fn err(&self, field: &str, reason: impl Into<String>) -> Error {
        Error::input(self.file, field, reason)
    }

    /// Required child `key` of table `v` (whose path is `at`).
    pub fn get<'v>(&self, v: &'v Value, at: &str, key: &str) -> Result<&'v Value> {
        v.get(key).ok_or_else(|| self.err(&join(at, key), "missing"))
    }

    /// A rational written as a string (or an integer literal).
    pub fn q(&self, v: &Value, field: &str) -> Result<Q> {
        rational_of(v, parse_q).map_err(|r| self.err(field, r))
    }

    /// A list of rationals, not reduced (see [`crate::rational::parse_q_unreduced`]).
    pub fn qs_unreduced(&self, v: &Value, field: &str) -> Result<Vec<Q>> {
        self.list_of(v, field, crate::rational::parse_q_unreduced)
    }

    /// A list of rationals.
    pub fn qs(&self, v: &Value, field: &str) -> Result<Vec<Q>> {
        self.list_of(v, field, parse_q)
    }

    /// A list of rationals read by `parse`; the path `field[i]` of a bad entry is only built
    /// for the error message.
    /// Long lists are parsed on all cores; the error reported is always the first bad entry's.
    fn list_of(&self, v: &Value, field: &str, parse: fn(&str) -> std::result::Result<Q, String>) -> Result<Vec<Q>> {
        let arr = v.as_array().ok_or_else(|| self.err(field, format!("expected a list of rationals, found {}", kind(v))))?;
        let entry = |i: usize| rational_of(&arr[i], parse).map_err(|r| self.err(&format!("{field}[{i}]"), r));
        if arr.len() < 10_000 {
            return (0..arr.len()).map(entry).collect();
        }
        each_in_order(arr.len(), entry)
    }

    /// A matrix of rationals with rows of equal length.
    pub fn matrix(&self, v: &Value, field: &str) -> Result<Vec<Vec<Q>>> {
        let arr = v.as_array().ok_or_else(|| self.err(field, format!("expected a list of rows, found {}", kind(v))))?;
        let rows: Vec<Vec<Q>> = arr.iter().enumerate().map(|(i, r)| self.qs(r, &format!("{field}[{i}]"))).collect::<Result<_>>()?;
        if let Some(first) = rows.first() {
            if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != first.len()) {
                return Err(self.err(&format!("{field}[{i}]"), format!("row has {} entries, row 0 has {}", r.len(), first.len())));
            }
        }
        Ok(rows)
    }

    /// A string field.
    pub fn str<'v>(&self, v: &'v Value, field: &str) -> Result<&'v str> {
        v.as_str().ok_or_else(|| self.err(field, format!("expected a string, found {}", kind(v))))
    }

    /// A non-negative integer field.
    pub fn uint(&self, v: &Value, field: &str) -> Result<u64> {
        v.as_u64().ok_or_else(|| self.err(field, format!("expected a non-negative integer, found {}", kind(v))))
    }
}

/// `f(i)` for every i in 0..n, computed on all cores; the error returned is the one with the
/// lowest i, so results and messages never depend on scheduling.
pub fn each_in_order<T: Send, E: Send>(n: usize, f: impl Fn(usize) -> std::result::Result<T, E> + Sync) -> std::result::Result<Vec<T>, E> {
    use rayon::prelude::*;
    let outcomes: Vec<std::result::Result<T, E>> = (0..n).into_par_iter().map(&f).collect();
    outcomes.into_iter().collect()
}

/// A rational written as a string (read by `parse`) or an integer literal, or why it is not one.
fn rational_of(v: &Value, parse: fn(&str) -> std::result::Result<Q, String>) -> std::result::Result<Q, String> {
    match v {
        Value::String(s) => parse(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => parse_q(&n.to_string()),
        Value::Number(_) => Err("floating-point literal is not exact; write it as a string, e.g. \"0.1\" or \"1/10\"".into()),
        other => Err(format!("expected a rational string, found {}", kind(other))),
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_string() } else { format!("{at}.{key}") }
}

/// Describes a JSON value's kind for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

const TOP_LEVEL_KEYS: &[&str] = &["model", "x", "y", "X", "depth", "init", "teacher", "population", "title", "comment"];

/// Validates an instance tree. Checks shapes, y ≠ 0 for one point, and the teacher/covariance
/// shapes; feasibility (P ≠ ∅) is checked by the solvers and the kernel, which need P anyway.
pub fn parse_instance(file: &str, v: &Value) -> Result<Instance> {
    let f = Fields { file };
    let table = v.as_object().ok_or_else(|| Error::file(file, "the instance must be a table"))?;
    if let Some(k) = table.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(f.err(k, format!("unknown field (known: {})", TOP_LEVEL_KEYS.join(", "))));
    }
    let model_name = f.str(f.get(v, "", "model")?, "model")?;
    let model = match model_name {
        "shared" => Model::Shared,
        "uv" => Model::Uv,
        "pm" => Model::Pm,
        "shared-depth" => {
            let d = f.uint(f.get(v, "", "depth")?, "depth")?;
            if !(2..=64).contains(&d) {
                return Err(f.err("depth", format!("depth must be an integer from 2 to 64, found {d}")));
            }
            Model::SharedDepth(d as u32)
        }
        other => return Err(f.err("model", format!("unknown model `{other}` (expected shared, uv, pm or shared-depth)"))),
    };
    let (x, y, one_point) = match (v.get("x"), v.get("X")) {
        (Some(_), Some(_)) => return Err(f.err("X", "give either `x` (one point) or `X` (several points), not both")),
        (Some(xv), None) => {
            let x = f.qs(xv, "x")?;
            let yv = f.get(v, "", "y")?;
            if yv.is_array() {
                return Err(f.err("y", "with one point `x`, `y` is a single rational"));
            }
            let y = f.q(yv, "y")?;
            if y.is_zero() {
                return Err(f.err("y", "y = 0 is excluded (SPEC §2: the zero predictor already fits)"));
            }
            (vec![x], vec![y], true)
        }
        (None, Some(xv)) => {
            let rows = f.matrix(xv, "X")?;
            let ys = f.qs(f.get(v, "", "y")?, "y")?;
            if ys.len() != rows.len() {
                return Err(f.err("y", format!("X has {} rows but y has {} entries", rows.len(), ys.len())));
            }
            if rows.is_empty() {
                return Err(f.err("X", "no data points"));
            }
            (rows, ys, false)
        }
        (None, None) => return Err(f.err("x", "missing (give `x` for one point or `X` for several)")),
    };
    let d = x[0].len();
    if d == 0 {
        return Err(f.err(if one_point { "x" } else { "X" }, "dimension d = 0"));
    }
    let init = match v.get("init") {
        None => None,
        Some(iv) => Some(parse_init(&f, iv, d * model.block())?),
    };
    let teacher = match v.get("teacher") {
        None => None,
        Some(tv) => Some(parse_teacher(&f, tv, d)?),
    };
    let covariance = match v.get("population").and_then(|p| p.get("covariance")) {
        None => Covariance::Identity,
        Some(Value::String(s)) if s == "identity" => Covariance::Identity,
        Some(Value::String(s)) => return Err(f.err("population.covariance", format!("`{s}`: expected \"identity\" or a matrix"))),
        Some(m) => {
            let m = f.matrix(m, "population.covariance")?;
            if m.len() != d || m.iter().any(|r| r.len() != d) {
                return Err(f.err("population.covariance", format!("must be {d} × {d}")));
            }
            Covariance::Matrix(m)
        }
    };
    Ok(Instance { source: file.to_string(), model, x, y, one_point, init, teacher, covariance })
}

fn parse_init(f: &Fields, v: &Value, params: usize) -> Result<Init> {
    match (v.get("alpha"), v.get("theta")) {
        (Some(a), None) => {
            let a = f.q(a, "init.alpha")?;
            if a.is_zero() {
                return Err(f.err("init.alpha", "alpha = 0 is a stationary point; GD would never move"));
            }
            Ok(Init::Alpha(a))
        }
        (None, Some(t)) => {
            let t = f.qs(t, "init.theta")?;
            if t.len() != params {
                return Err(f.err("init.theta", format!("expected {params} parameters, found {}", t.len())));
            }
            if let Some(i) = t.iter().position(Zero::is_zero) {
                return Err(f.err(&format!("init.theta[{i}]"), "zero entry: that coordinate can never move under GD"));
            }
            Ok(Init::Theta(t))
        }
        _ => Err(f.err("init", "give exactly one of `alpha` or `theta`")),
    }
}

fn parse_teacher(f: &Fields, v: &Value, d: usize) -> Result<Teacher> {
    let kind_name = f.str(f.get(v, "teacher", "kind")?, "teacher.kind")?;
    match kind_name {
        "discrete" => {
            let atoms_v = f.get(v, "teacher", "atoms")?;
            let arr = atoms_v.as_array().ok_or_else(|| f.err("teacher.atoms", "expected a list of { weight, beta } tables"))?;
            if arr.is_empty() {
                return Err(f.err("teacher.atoms", "no atoms"));
            }
            let mut atoms = Vec::with_capacity(arr.len());
            for (i, a) in arr.iter().enumerate() {
                let at = format!("teacher.atoms[{i}]");
                let w = f.q(f.get(a, &at, "weight")?, &format!("{at}.weight"))?;
                let b = f.qs(f.get(a, &at, "beta")?, &format!("{at}.beta"))?;
                if b.len() != d {
                    return Err(f.err(&format!("{at}.beta"), format!("expected {d} entries, found {}", b.len())));
                }
                if w.is_negative() {
                    return Err(f.err(&format!("{at}.weight"), "negative weight"));
                }
                atoms.push((w, b));
            }
            let total: Q = atoms.iter().map(|(w, _)| w.clone()).sum();
            if total != Q::from_integer(1.into()) {
                return Err(f.err("teacher.atoms", format!("weights sum to {}, not 1", crate::rational::fmt_q(&total))));
            }
            Ok(Teacher::Discrete { atoms })
        }
        "moments" => {
            let mean = f.qs(f.get(v, "teacher", "mean")?, "teacher.mean")?;
            if mean.len() != d {
                return Err(f.err("teacher.mean", format!("expected {d} entries, found {}", mean.len())));
            }
            let m2 = f.matrix(f.get(v, "teacher", "second_moment")?, "teacher.second_moment")?;
            if m2.len() != d || m2.iter().any(|r| r.len() != d) {
                return Err(f.err("teacher.second_moment", format!("must be {d} × {d}")));
            }
            Ok(Teacher::Moments { mean, second_moment: m2 })
        }
        other => Err(f.err("teacher.kind", format!("unknown prior `{other}` (expected discrete or moments)"))),
    }
}
