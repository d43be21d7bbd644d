//! Instance files (SPEC §7) on the producer side: reading them fast, then the kernel's schema and
//! validator.
//!
//! Files are TOML, or JSON when the name ends in `.json` (or the text starts with `{`). The
//! instance types, the closed schema and every precondition live in the kernel crate
//! ([`dlncheck_kernel::instance`]); this module only adds the producer's number syntax (exact
//! decimals and integer literals, [`crate::numeric::rational::parse_q`]) and a fast reader for the flat
//! TOML of large generated instances. Every error names the file, the field and the reason.

use crate::error::{Error, Result};
use crate::numeric::rational::{Q, parse_q};
pub use dlncheck_kernel::instance::{Covariance, Init, Instance, Model, Teacher};
pub use dlncheck_kernel::tree::Tree;
use dlncheck_kernel::tree::{MAX_FILE_BYTES, Numbers};

/// JSON ↔ [`Tree`] for the producer and the tests (the kernel itself parses JSON text straight
/// into a `Tree` and never needs these).
pub trait JsonTree {
    /// The tree of a JSON value (floats, null and integers beyond 64 bits become [`Tree::Other`]).
    fn from_json(v: &serde_json::Value) -> Tree;
    /// The JSON value of a tree ([`Tree::Other`] becomes null).
    fn to_json(&self) -> serde_json::Value;
}

impl JsonTree for Tree {
    fn from_json(v: &serde_json::Value) -> Tree {
        use serde_json::Value as V;
        match v {
            V::Null => Tree::Other("null"),
            V::Bool(b) => Tree::Bool(*b),
            V::Number(n) => n.as_i64().map_or(
                Tree::Other("a float or an integer beyond 64 bits"),
                Tree::Int,
            ),
            V::String(s) => Tree::Str(s.clone()),
            V::Array(a) => Tree::List(a.iter().map(Tree::from_json).collect()),
            V::Object(m) => Tree::Table(
                m.iter()
                    .map(|(k, v)| (k.clone(), Tree::from_json(v)))
                    .collect(),
            ),
        }
    }
    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as V;
        match self {
            Tree::Str(s) => V::String(s.clone()),
            Tree::Int(i) => V::from(*i),
            Tree::Bool(b) => V::Bool(*b),
            Tree::List(items) => V::Array(items.iter().map(Tree::to_json).collect()),
            Tree::Table(entries) => V::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Tree::Other(_) => V::Null,
        }
    }
}

/// One-point access for commands of setting T1.
pub trait OnePoint {
    /// The single data point (x, y), or an error naming the file.
    fn point(&self) -> Result<(&[Q], &Q)>;
}

impl OnePoint for Instance {
    fn point(&self) -> Result<(&[Q], &Q)> {
        if self.x.len() != 1 {
            return Err(Error::input(
                &self.source,
                "X",
                format!(
                    "this command needs one data point (n = 1), the file has n = {}",
                    self.x.len()
                ),
            ));
        }
        Ok((&self.x[0], &self.y[0]))
    }
}

/// Reads a TOML or JSON file into a tree: a regular file of at most the kernel's size limit
/// (bytes counted as read), by the kernel's reader.
pub fn read_tree(path: &std::path::Path) -> Result<Tree> {
    let name = path.display().to_string();
    let text = dlncheck_kernel::tree::read_text(path, MAX_FILE_BYTES)?;
    parse_tree(&name, &text)
}

/// Parses TOML or JSON text with the kernel's strict parser (duplicate keys refused, syntax
/// errors with line and column), after trying the fast flat-TOML reader.
pub fn parse_tree(name: &str, text: &str) -> Result<Tree> {
    let json = name.ends_with(".json") || text.trim_start().starts_with('{');
    if !json && let Some(tree) = parse_flat_toml(text) {
        return Ok(tree);
    }
    Ok(dlncheck_kernel::tree::parse_text(name, text)?)
}

/// A fast reader for the flat TOML of large instance files (what `dlncheck random` writes):
/// lines `key = "text"` or `key = ["text", ...]` with bare keys and basic strings without escapes
/// or control characters, blank lines and whole-line comments. Anything else — tables, escapes,
/// numbers, a comment after a value, an array over several lines, a repeated key — gives `None`,
/// and the TOML parser reads the text. `tests/suite/instance_reading.rs` checks that both readers give
/// the same tree wherever this one answers. (The TOML parser takes ~50 ms for a 4 MB file.)
pub fn parse_flat_toml(text: &str) -> Option<Tree> {
    const BLANK: [char; 2] = [' ', '\t'];
    let mut map: Vec<(String, Tree)> = Vec::new();
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        // CRLF ends a line; a CR anywhere else is invalid TOML and fails the checks below.
        let line = if lines.peek().is_some() {
            line.strip_suffix('\r').unwrap_or(line)
        } else {
            line
        };
        let t = line.trim_matches(BLANK);
        if t.is_empty() || t.starts_with('#') {
            if t.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return None;
            }
            continue;
        }
        let (key, rest) = t.split_once('=')?;
        let key = key.trim_matches(BLANK);
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        let rest = rest.trim_matches(BLANK);
        let value = match rest.strip_prefix('[') {
            Some(inner) => {
                let mut items = Vec::new();
                let mut s = inner.strip_suffix(']')?.trim_start_matches(BLANK);
                while !s.is_empty() {
                    let (item, after) = basic_string(s)?;
                    items.push(Tree::Str(item.to_string()));
                    s = after.trim_start_matches(BLANK);
                    match s.strip_prefix(',') {
                        Some(r) => s = r.trim_start_matches(BLANK),
                        None if s.is_empty() => {}
                        None => return None,
                    }
                }
                Tree::List(items)
            }
            None => match basic_string(rest)? {
                (item, "") => Tree::Str(item.to_string()),
                _ => return None,
            },
        };
        if map.iter().any(|(k, _)| k == key) {
            return None;
        }
        map.push((key.to_string(), value));
    }
    Some(Tree::Table(map))
}

/// The basic string `"text"` at the start of `s` when it has no escapes and no control
/// characters (then `text` is its value), and the rest of `s`.
fn basic_string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body.find('"')?;
    let text = &body[..end];
    if text
        .bytes()
        .any(|b| b == b'\\' || (b < 0x20 && b != b'\t') || b == 0x7f)
    {
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

/// Reads an instance tree against the kernel's closed schema with the producer's number syntax,
/// and runs the kernel's validator of every precondition (SPEC §2, §3). A `[test]` table
/// `npz = "FILE"` is first replaced by the archive's arrays ([`held_out_npz`]).
pub fn parse_instance(file: &str, tree: &Tree) -> Result<Instance> {
    let replaced = held_out_npz(file, tree)?;
    Ok(dlncheck_kernel::instance::load(
        file,
        replaced.as_ref().unwrap_or(tree),
        "",
        Numbers::Input(parse_q),
    )?)
}

/// `[test] npz = "FILE"`: held-out points in a NumPy archive, FILE relative to the instance
/// file's folder (to the working folder for an instance given as data), with exactly the arrays
/// `X` (n_test × d, float32 or float64; 1-D for one point) and `y` (1-D, or one column). Their
/// binary values are taken exactly and become the table `[test]` with `X` and `y` that the
/// kernel's schema reads (`docs/instances.md`), so both forms meet the same checks. `None` when
/// the tree has no such table.
pub fn held_out_npz(file: &str, tree: &Tree) -> Result<Option<Tree>> {
    let Tree::Table(entries) = tree else {
        return Ok(None);
    };
    let Some(at) = entries.iter().position(|(k, v)| {
        k == "test" && matches!(v, Tree::Table(t) if t.iter().any(|(k, _)| k == "npz"))
    }) else {
        return Ok(None);
    };
    let Tree::Table(test) = &entries[at].1 else {
        return Ok(None);
    };
    if let Some((key, _)) = test.iter().find(|(k, _)| k != "npz") {
        return Err(Error::input(
            file,
            format!("test.{key}"),
            "give either `npz` or `X` and `y`, not both",
        ));
    }
    let Some((_, Tree::Str(name))) = test.iter().find(|(k, _)| k == "npz") else {
        return Err(Error::input(
            file,
            "test.npz",
            "expected a file name (a string)",
        ));
    };
    let path = std::path::Path::new(file)
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(name);
    let shown = path.display().to_string();
    let bytes = dlncheck_kernel::tree::read_capped(&path, crate::io::npy::MAX_NPY_BYTES)
        .map_err(|e| Error::input(file, "test.npz", e.to_string()))?;
    let arrays = crate::io::npy::parse_npz_vectors(&shown, &bytes)?;
    let (mut x, mut y) = (None, None);
    for (array, values) in arrays {
        let slot = match array.as_str() {
            "X" => &mut x,
            "y" => &mut y,
            other => {
                return Err(Error::input(
                    file,
                    "test.npz",
                    format!("{shown}: unexpected array `{other}` (expected exactly `X` and `y`)"),
                ));
            }
        };
        *slot = Some(values);
    }
    let (Some(x), Some(y)): (Option<Vec<Vec<f64>>>, _) = (x, y) else {
        return Err(Error::input(
            file,
            "test.npz",
            format!("{shown}: the archive needs the arrays `X` and `y`"),
        ));
    };
    let y: Vec<f64> = if y.len() == 1 || y.iter().all(|r| r.len() == 1) {
        y.into_iter().flatten().collect()
    } else {
        return Err(Error::input(
            file,
            "test.y",
            format!(
                "{shown}: `y` must be a vector, found {} × {}",
                y.len(),
                y[0].len()
            ),
        ));
    };
    let text = |v: f64| {
        Tree::Str(crate::numeric::rational::fmt_q(
            &crate::numeric::rational::from_f64_exact(v).unwrap_or_default(),
        ))
    };
    let held_out = Tree::Table(vec![
        (
            "X".into(),
            Tree::List(
                x.into_iter()
                    .map(|r| Tree::List(r.into_iter().map(text).collect()))
                    .collect(),
            ),
        ),
        ("y".into(), Tree::List(y.into_iter().map(text).collect())),
    ]);
    let mut entries = entries.clone();
    entries[at].1 = held_out;
    Ok(Some(Tree::Table(entries)))
}
