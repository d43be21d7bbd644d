//! `dlncheck check [PATH...]`: verify claim files with the kernel crate only.
//!
//! A directory is searched recursively for `*.claim.toml` and `*.claim.json`; a file named on the
//! command line is checked whatever its name. Every file gets a line saying how many of its
//! claims were verified and whether they match its `expect` list. Exit 0: every claim verified
//! and every `expect` matched; 1: some claim rejected or some `expect` not matched; 2: a file
//! unreadable or malformed.

use crate::error::Result;
use crate::io::terminal::escape;
use crate::report::check::verdicts;
use std::path::PathBuf;

/// Runs `check`; prints a table (or JSON) and returns the exit code.
pub fn run(paths: &[PathBuf], as_json: bool) -> Result<i32> {
    let v = verdicts(paths);
    for n in v.json["notes"].as_array().into_iter().flatten() {
        eprintln!("note: {}", escape(n.as_str().unwrap_or("")));
    }
    for e in &v.errors {
        eprintln!("error: {}", escape(e));
    }
    let j = &v.json;
    if as_json {
        super::print_json(j)?;
    } else {
        print_table(j["claims"].as_array().map_or(&[][..], |a| a.as_slice()))?;
        out!("");
        for s in j["files"].as_array().into_iter().flatten() {
            match s["claims"].as_u64() {
                Some(n) => out!(
                    "{}: {} of {n} claims verified; {}",
                    s["file"].as_str().unwrap_or(""),
                    s["verified"],
                    s["expect"].as_str().unwrap_or("")
                ),
                None => out!("{}: MALFORMED", s["file"].as_str().unwrap_or("")),
            }
        }
        out!(
            "{} verified, {} rejected, {} malformed file(s), {} file(s) not matching expect",
            j["verified"],
            j["rejected"],
            j["malformed"],
            j["expect_not_matched"]
        );
    }
    Ok(v.exit)
}

fn print_table(rows: &[serde_json::Value]) -> Result<()> {
    // Every field echoed from a file is escaped before its width is measured (`out!` escapes
    // the whole line again, which changes nothing).
    let field = |r: &serde_json::Value, key: &str, none: &'static str| {
        escape(r[key].as_str().unwrap_or(none)).into_owned()
    };
    let w_file = rows
        .iter()
        .map(|r| field(r, "file", "").chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let w_kind = rows
        .iter()
        .map(|r| field(r, "kind", "-").chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    out!(
        "{:<w_file$}  {:>5}  {:<w_kind$}  {:<9}  detail",
        "file",
        "claim",
        "kind",
        "status"
    );
    for r in rows {
        let claim = r["claim"]
            .as_u64()
            .map_or("-".to_string(), |c| c.to_string());
        out!(
            "{:<w_file$}  {:>5}  {:<w_kind$}  {:<9}  {}",
            field(r, "file", ""),
            claim,
            field(r, "kind", "-"),
            field(r, "status", ""),
            field(r, "detail", "")
        );
    }
    Ok(())
}
