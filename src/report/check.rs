//! `check`'s report: the kernel's verdicts over claim files, as data (what `check --json`
//! prints and the Python package returns).

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
