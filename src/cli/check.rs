//! `dlncheck check [PATH...]`: verify claim files with the kernel only.
//!
//! A directory is searched recursively for `*.claim.toml` and `*.claim.json`; a file named on the
//! command line is checked whatever its name. Exit 0: all verified; 1: some claim rejected;
//! 2: a file unreadable or malformed.

use crate::kernel::{self, Outcome};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Claim files under `dir`, sorted, or the path itself if it is a file.
pub fn collect(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".claim.toml") || n.ends_with(".claim.json")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Runs `check`; prints a table (or JSON) and returns the exit code.
pub fn run(paths: &[PathBuf], as_json: bool) -> i32 {
    let roots = if paths.is_empty() { vec![PathBuf::from("proofs")] } else { paths.to_vec() };
    let mut files = Vec::new();
    let mut malformed = 0usize;
    let mut rows = Vec::new();
    for root in &roots {
        match collect(root) {
            Ok(f) if f.is_empty() => {
                eprintln!("error: {}: no claim files (*.claim.toml, *.claim.json) found", root.display());
                malformed += 1;
            }
            Ok(f) => files.extend(f),
            Err(e) => {
                eprintln!("error: {}: cannot read: {e}", root.display());
                malformed += 1;
            }
        }
    }
    let (mut verified, mut rejected) = (0usize, 0usize);
    for file in &files {
        match kernel::check_file(file) {
            Ok(verdicts) => {
                for v in verdicts {
                    let (status, text) = match &v.outcome {
                        Outcome::Verified(s) => {
                            verified += 1;
                            ("verified", s.clone())
                        }
                        Outcome::Rejected(r) => {
                            rejected += 1;
                            ("REJECTED", r.clone())
                        }
                    };
                    rows.push(json!({"file": v.file, "claim": v.index, "kind": v.kind, "status": status, "detail": text}));
                }
            }
            Err(e) => {
                malformed += 1;
                eprintln!("error: {e}");
                rows.push(json!({"file": file.display().to_string(), "claim": null, "kind": null, "status": "MALFORMED", "detail": e.to_string()}));
            }
        }
    }
    if as_json {
        let summary = json!({"verified": verified, "rejected": rejected, "malformed": malformed, "claims": rows});
        if let Err(e) = super::print_json(&summary) {
            eprintln!("error: {e}");
            return 2;
        }
    } else {
        print_table(&rows);
        println!("{verified} verified, {rejected} rejected, {malformed} malformed file(s)");
    }
    if malformed > 0 {
        2
    } else if rejected > 0 {
        1
    } else {
        0
    }
}

fn print_table(rows: &[serde_json::Value]) {
    let w_file = rows.iter().map(|r| r["file"].as_str().map_or(0, str::len)).max().unwrap_or(4).max(4);
    let w_kind = rows.iter().map(|r| r["kind"].as_str().map_or(1, str::len)).max().unwrap_or(4).max(4);
    println!("{:<w_file$}  {:>5}  {:<w_kind$}  {:<9}  detail", "file", "claim", "kind", "status");
    for r in rows {
        let claim = r["claim"].as_u64().map_or("-".to_string(), |c| c.to_string());
        println!(
            "{:<w_file$}  {:>5}  {:<w_kind$}  {:<9}  {}",
            r["file"].as_str().unwrap_or(""),
            claim,
            r["kind"].as_str().unwrap_or("-"),
            r["status"].as_str().unwrap_or(""),
            r["detail"].as_str().unwrap_or("")
        );
    }
}
