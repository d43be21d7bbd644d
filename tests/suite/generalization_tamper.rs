//! Tampering with any single number of a T1-G claim file under proofs/ must make `check` fail:
//! either a claim is rejected or the file is malformed.

use dlncheck::io::instance::JsonTree as _;
use dlncheck::numeric::rational::{fmt_q, parse_q};
use num_traits::One;
use serde_json::Value;

/// The kernel's verdicts on a claim-file tree (checked as the JSON text it serialises to).
fn check_tree(
    name: &str,
    tree: &Value,
) -> Result<Vec<dlncheck_kernel::Verdict>, dlncheck_kernel::Error> {
    dlncheck_kernel::check_text(&format!("{name}.json"), &tree.to_string()).map(|r| r.verdicts)
}

/// Paths (as JSON pointers) of every rational string in the tree.
fn numbers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(s) if parse_q(s).is_ok() => out.push(at),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, e)| numbers(e, format!("{at}/{i}"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, e)| numbers(e, format!("{at}/{k}"), out)),
        _ => {}
    }
}

fn t1g_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("proofs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".claim.toml"))
        .collect();
    // T1-G claim files: those with a front verdict (other files with a teacher, such as a
    // gd-witness, carry other claims).
    files.retain(|p| {
        let text = std::fs::read_to_string(p).unwrap();
        text.contains("[instance.teacher]")
            && (text.contains("\"neither-bias\"") || text.contains("\"end-optimal\""))
    });
    files.sort();
    files
}

#[test]
fn every_number_of_every_t1g_claim_file_is_pinned() {
    let files = t1g_files();
    assert!(
        files.len() >= 3,
        "expected the T1-G claim files of proofs/, found {files:?}"
    );
    for path in files {
        let tree = dlncheck::io::instance::read_tree(&path).unwrap().to_json();
        let name = path.display().to_string();
        assert!(
            check_tree(&name, &tree)
                .unwrap()
                .iter()
                .all(|v| v.verified()),
            "{name} must verify untouched"
        );
        let mut paths = Vec::new();
        numbers(&tree, String::new(), &mut paths);
        assert!(paths.len() > 10);
        for p in paths {
            let mut bad = tree.clone();
            let slot = bad.pointer_mut(&p).unwrap();
            let q =
                parse_q(slot.as_str().unwrap()).unwrap() + dlncheck::numeric::rational::Q::one();
            *slot = Value::String(fmt_q(&q));
            let accepted = check_tree(&name, &bad).is_ok_and(|vs| vs.iter().all(|v| v.verified()));
            assert!(!accepted, "{name}: changing {p} by +1 was accepted");
        }
    }
}

/// Every other verdict on the front (the other claim kind, or another end) is rejected.
#[test]
fn a_wrong_verdict_on_the_front_is_rejected() {
    for path in t1g_files() {
        let tree = dlncheck::io::instance::read_tree(&path).unwrap().to_json();
        let name = path.display().to_string();
        let claims = tree["claim"].as_array().unwrap();
        let j = claims
            .iter()
            .position(|c| c["kind"] == "end-optimal" || c["kind"] == "neither-bias")
            .unwrap();
        let current = (
            claims[j]["kind"].as_str().unwrap(),
            claims[j]["end"].as_str(),
        );
        let verdicts = [
            ("neither-bias", None),
            ("end-optimal", Some("min-norm")),
            ("end-optimal", Some("min-sharpness")),
            ("end-optimal", Some("both")),
        ];
        for (kind, end) in verdicts.into_iter().filter(|v| *v != current) {
            let mut bad = tree.clone();
            let c = &mut bad["claim"][j];
            c["kind"] = Value::String(kind.into());
            match end {
                Some(e) => c["end"] = Value::String(e.into()),
                None => {
                    c.as_object_mut().unwrap().remove("end");
                }
            }
            bad["expect"][j] = Value::String(kind.into());
            assert!(
                !check_tree(&name, &bad).unwrap()[j].verified(),
                "{name}: verdict {kind} {end:?} was accepted"
            );
        }
    }
}
