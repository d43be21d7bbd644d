//! The `--theta` argument of `sharpness --instance` and `audit --instance` (issue 15 item 4): a
//! parameter vector θ as exact rationals, given inline or as a file, so that the exact endpoint
//! of a float run goes straight into a certified enclosure.
//!
//! [`parse_theta`] reads, in this order:
//! - an existing file ending in `.npy`: a float32/float64 vector (1-D, or one row or column),
//!   each entry taken as the exact binary value it holds;
//! - another existing file whose text starts with `{`: the output of `dlncheck gd --json`, from
//!   which `final.theta` (the run's endpoint, exact) is taken; any other object is refused;
//! - another existing file whose text starts with `[`: a JSON list; strings are exact rationals
//!   or decimals (`"1/3"`, `"0.125"`), numbers are read as binary64 and taken as the exact value
//!   of that double (what Python's `json.dump(list_of_floats)` held), so write strings for
//!   decimals meant exactly;
//! - any other existing file: text, rationals or exact decimals separated by commas,
//!   whitespace or newlines; `#` starts a comment to the end of the line;
//! - otherwise the argument itself, as comma-separated rationals (`1/10,0.2,-3`).
//!
//! An argument that names no file but looks like one (it contains `/` or ends in `.npy`,
//! `.json`, `.txt` or `.csv`) is refused as a missing file rather than read as numbers. Every
//! error is one line naming the file (or `--theta`), the entry and the reason. The count of
//! entries is checked against the model by the caller ([`crate::io::matrix::parse_theta`]).

use crate::error::{Error, Result};
use crate::numeric::rational::{Q, from_f64_exact, parse_q};
use std::path::Path;

/// Largest file read as θ (a float64 vector of 10⁷ parameters is 80 MB).
pub const MAX_THETA_BYTES: u64 = 256 << 20;

/// θ from `--theta ARG`: a file (`.npy`, `gd --json` output, a JSON list, or text) or a comma
/// list (see the module docs).
pub fn parse_theta(arg: &str) -> Result<Vec<Q>> {
    let path = Path::new(arg);
    // Anything but a directory that exists is a file argument: the reader refuses a FIFO or
    // device by name rather than calling it a missing file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_dir()) {
        return read_theta_file(path);
    }
    // Not a file: a comma list of rationals (`1/3` is a number, not a path); when it is not one
    // either and looks like a path, say the file is missing rather than "not a number".
    let list = parse_list(arg);
    let looks_like_file = arg.contains('/')
        || [".npy", ".json", ".txt", ".csv"]
            .iter()
            .any(|e| arg.ends_with(e));
    if list.is_err() && looks_like_file && !arg.contains(',') {
        return Err(Error::file(arg, "--theta: no such file"));
    }
    list
}

/// Comma-separated rationals, as `--theta 1/10,0.2`.
pub fn parse_list(text: &str) -> Result<Vec<Q>> {
    text.split(',')
        .enumerate()
        .map(|(i, s)| parse_q(s).map_err(|r| Error::Usage(format!("--theta[{i}]: {r}"))))
        .collect()
}

/// Reads θ from a file (see the module docs).
pub fn read_theta_file(path: &Path) -> Result<Vec<Q>> {
    let name = path.display().to_string();
    let bytes = dlncheck_kernel::tree::read_capped(path, MAX_THETA_BYTES)?;
    if path.extension().is_some_and(|e| e == "npy") {
        let v = crate::io::npy::parse_vector(&name, &bytes)?;
        return v
            .iter()
            .enumerate()
            .map(|(i, x)| {
                from_f64_exact(*x).ok_or_else(|| {
                    Error::input(
                        &name,
                        format!("theta[{i}]"),
                        format!("{x} is not a finite number"),
                    )
                })
            })
            .collect();
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::file(
            &name,
            "--theta: not UTF-8 text (a .npy file needs the .npy extension)",
        )
    })?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return parse_json(&name, &text);
    }
    parse_text(&name, &text)
}

/// Text: rationals or decimals separated by commas, whitespace or newlines; `#` comments.
pub fn parse_text(name: &str, text: &str) -> Result<Vec<Q>> {
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let body = line.split('#').next().unwrap_or("");
        for token in body
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let q = parse_q(token).map_err(|r| {
                Error::input(
                    name,
                    format!("theta[{}] (line {})", out.len(), line_no + 1),
                    r,
                )
            })?;
            out.push(q);
        }
    }
    if out.is_empty() {
        return Err(Error::file(name, "--theta: the file holds no numbers"));
    }
    Ok(out)
}

/// A JSON list of numbers/strings, or `gd --json` output (its `final.theta`).
pub fn parse_json(name: &str, text: &str) -> Result<Vec<Q>> {
    // Plain numbers keep their text (io::json_numbers), so a JSON float is the binary64 value
    // its decimal denotes, correctly rounded, as in every other JSON input.
    let marked = crate::io::json_numbers::mark_json_numbers(text)
        .map_err(|r| Error::file(name, format!("--theta: {r}")))?
        .0;
    let v: serde_json::Value = serde_json::from_str(&marked)
        .map_err(|e| Error::file(name, format!("--theta: not valid JSON: {e}")))?;
    let (list, field) = match &v {
        serde_json::Value::Array(items) => (items, "theta"),
        serde_json::Value::Object(map) => match map
            .get("final")
            .and_then(|f| f.get("theta"))
            .and_then(|t| t.as_array())
        {
            Some(items) => (items, "final.theta"),
            None => {
                return Err(Error::input(
                    name,
                    "final.theta",
                    "missing: a JSON object for --theta must be `dlncheck gd --json` output (else give a list)",
                ));
            }
        },
        _ => {
            return Err(Error::file(
                name,
                "--theta: expected a JSON list of numbers or strings, or `gd --json` output",
            ));
        }
    };
    if list.is_empty() {
        return Err(Error::input(name, field, "empty list"));
    }
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let at = || format!("{field}[{i}]");
            match item {
                serde_json::Value::String(s) => {
                    crate::io::json_numbers::parse_entry(s).map_err(|r| Error::input(name, at(), r))
                }
                other => Err(Error::input(
                    name,
                    at(),
                    format!("expected a number or a string, found {}", kind(other)),
                )),
            }
        })
        .collect()
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
    }
}
