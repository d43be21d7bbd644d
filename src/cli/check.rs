//! `dlncheck check [PATH...]`: verify claim files with the kernel crate only.
//!
//! A directory is searched recursively for `*.claim.toml` and `*.claim.json`; a file named on the
//! command line is checked whatever its name. Every file gets a line saying how many of its
//! claims were verified and whether they match its `expect` list. Exit 0: every claim verified
//! and every `expect` matched; 1: some claim rejected or some `expect` not matched; 2: a file
//! unreadable or malformed.

use crate::error::Result;
use crate::io::terminal::escape;
use crate::io::walk;
use dlncheck_kernel::Outcome;
use serde_json::json;
use std::path::PathBuf;

/// The verdicts of `check` over `paths` (default `proofs/`), as data: what `check --json`
/// prints, the one-line errors of unreadable or malformed files (the CLI prints them on
/// stderr), and the exit code (0 all verified and matched, 1 some claim rejected or an `expect`
/// not matched, 2 some file malformed). The Python package returns the same object.
pub struct Verdicts {
    pub json: serde_json::Value,
    pub errors: Vec<String>,
    pub exit: i32,
}

/// Checks every claim file under `paths` with the kernel (see [`Verdicts`]). The files are found
/// by [`walk::claim_files`]: regular files only, no symlinked directory followed, each file once;
/// what the walk skipped is listed under `notes` in the JSON (and printed as notes by the CLI).
pub fn verdicts(paths: &[PathBuf]) -> Verdicts {
    let roots = if paths.is_empty() {
        vec![PathBuf::from("proofs")]
    } else {
        paths.to_vec()
    };
    let walk::Walk {
        files,
        notes,
        mut errors,
    } = walk::claim_files(&roots);
    let mut malformed = errors.len();
    let (mut verified, mut rejected, mut unmatched) = (0usize, 0usize, 0usize);
    let (mut rows, mut summaries) = (Vec::new(), Vec::new());
    for file in &files {
        let name = file.display().to_string();
        match dlncheck_kernel::check_file(file) {
            Ok(report) => {
                for v in &report.verdicts {
                    let (status, text) = match &v.outcome {
                        Outcome::Verified(s) => ("verified", s.as_str()),
                        Outcome::Rejected(r) => ("REJECTED", r.as_str()),
                    };
                    rows.push(json!({"file": name, "claim": v.index, "kind": v.kind, "status": status, "detail": text}));
                }
                let ok = report.verified();
                verified += ok;
                rejected += report.verdicts.len() - ok;
                let expect = match (&report.expect, report.expect_mismatch()) {
                    (None, _) => "no expect list".to_string(),
                    (Some(_), None) => "expect matched".to_string(),
                    (Some(_), Some(why)) => {
                        unmatched += 1;
                        format!("EXPECT NOT MATCHED: {why}")
                    }
                };
                summaries.push(json!({"file": name, "verified": ok, "claims": report.verdicts.len(), "expect": expect, "passed": report.passed()}));
            }
            Err(e) => {
                malformed += 1;
                errors.push(e.to_string());
                rows.push(json!({"file": name, "claim": null, "kind": null, "status": "MALFORMED", "detail": e.to_string()}));
                summaries.push(json!({"file": name, "verified": 0, "claims": null, "expect": null, "passed": false}));
            }
        }
    }
    let exit = if malformed > 0 {
        2
    } else if rejected > 0 || unmatched > 0 {
        1
    } else {
        0
    };
    let json = json!({"verified": verified, "rejected": rejected, "malformed": malformed, "expect_not_matched": unmatched, "files": summaries, "claims": rows, "notes": notes});
    Verdicts { json, errors, exit }
}

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
