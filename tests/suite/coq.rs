//! The Coq generator (`dlncheck::io::coq::generate`): what it writes, what it reports, and, when
//! `coqc` is installed, that Coq accepts a true claim file and rejects a tampered one.
use dlncheck::io::coq::{Report, generate};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn tmpdir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("dlncheck-coq-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn generate_into(files: &[&str], tag: &str) -> (PathBuf, Report) {
    let out = tmpdir(tag);
    let files: Vec<PathBuf> = files.iter().map(|f| root(f)).collect();
    let report = generate(&files, &out).expect("generate");
    (out, report)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn have_coqc() -> bool {
    Command::new("coqc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Run make; Ok(()) on success, Err(output) on failure.
fn make(dir: &Path) -> Result<(), String> {
    let out = Command::new("make")
        .arg("-C")
        .arg(dir)
        .output()
        .expect("make");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Copy a claim file into a fresh directory with one literal replaced (exactly once).
fn tampered(src: &str, from: &str, to: &str, tag: &str) -> PathBuf {
    let text = std::fs::read_to_string(root(src)).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur once in {src}"
    );
    let dir = tmpdir(tag);
    let p = dir.join(Path::new(src).file_name().unwrap());
    std::fs::write(&p, text.replace(from, to)).unwrap();
    p
}

#[test]
fn statements_carry_the_literal_instance_and_claim() {
    let (out, report) = generate_into(&["proofs/hand-d2.claim.toml"], "literal");
    assert_eq!(report.files.len(), 1);
    let f = &report.files[0];
    assert_eq!(f.coq_file, "C_hand_d2.v");
    let kinds: Vec<&str> = f.covered.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["min-norm", "min-sharpness", "conflict", "pareto-front"]
    );
    assert!(f.not_covered.is_empty());
    let v = read(&out, "C_hand_d2.v");
    assert!(
        v.contains("Definition x : list Q := [(2#1); (1#1)]."),
        "{v}"
    );
    assert!(v.contains("Definition y : Q := (4#1)."));
    assert!(v.contains("Definition claim0_min_norm_beta : list Q := [(2#1); (0#1)]."));
    assert!(v.contains(
        "Theorem claim0_min_norm : min_norm_claim Shared x y claim0_min_norm_beta (2#1)."
    ));
    assert!(v.contains("Theorem claim1_min_sharpness : min_sharpness_claim Shared x y claim1_min_sharpness_beta (16#1)."));
    assert!(v.contains("Theorem claim2_conflict : conflict_claim Shared x y (2#1) false."));
    assert!(v.contains("(0%N, (2#1), (32#1))") && v.contains("(1%N, (4#1), (16#1))"));
    assert!(v.contains(
        "Theorem claim3_pareto_front : pareto_front Shared x y claim3_pareto_front_vertices."
    ));
    // every theorem is proved by reflection and audited for axioms
    assert_eq!(v.matches("vm_compute. reflexivity.").count(), 4);
    assert!(v.contains("Definition all_claims := (claim0_min_norm, claim1_min_sharpness, claim2_conflict, claim3_pareto_front)."), "{v}");
    assert_eq!(v.matches("Print Assumptions ").count(), 1);
    assert!(v.contains("Print Assumptions all_claims."));
    // the directory is self-contained: library and Makefile
    for lib in [
        "DLN/Vec.v",
        "DLN/T1.v",
        "DLN/T1Check.v",
        "DLN/T1G.v",
        "DLN/Agree.v",
        "DLN/Audit.v",
        "Makefile",
    ] {
        assert!(out.join(lib).is_file(), "{lib} missing");
    }
    let mk = read(&out, "Makefile");
    assert!(mk.contains("C_hand_d2.vo") && mk.contains("Axioms:"));
    assert_eq!(
        read(&out, "DLN/T1.v"),
        std::fs::read_to_string(root("proofs/coq/DLN/T1.v")).unwrap()
    );
}

#[test]
fn t1g_statements_use_the_model_error() {
    let (out, report) = generate_into(&["tests/fixtures/coq/tied-d3.claim.toml"], "t1g");
    let kinds: Vec<&str> = report.files[0]
        .covered
        .iter()
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(kinds, ["neither-bias", "best-linear", "bayes"]);
    let v = read(&out, "C_tied_d3.v");
    assert!(v.contains("Definition x : list Q := [(2#1); (2#1); (1#1)]."));
    assert!(v.contains("Definition E : list Q -> Q := E_disc Sigma x atoms."));
    assert!(v.contains("Definition claim0_neither_bias_levels : list Q := [(2#1); (1#1)]."));
    assert!(v.contains(
        "neither_bias_claim E x claim0_neither_bias_levels (49#80) (5#2) claim0_neither_bias_segments (1#2) (Some 0%N) (Some (1#5))"
    ));
    assert!(v.contains("claim0_neither_bias_c (9#80) (2#1)."));
    assert!(v.contains(
        "Theorem claim1_best_linear : best_linear_claim E x claim1_best_linear_c (1#2)."
    ));
    assert!(v.contains("Theorem claim2_bayes : bayes_error Sigma x atoms == (0#1)."));
}

#[test]
fn uncovered_kinds_are_listed_with_a_reason() {
    let (_, report) = generate_into(
        &[
            "proofs/t2/path.claim.toml",
            "proofs/sharpness/tridiagonal.claim.toml",
            "proofs/sharpness/one-point-hessian.claim.toml",
            "proofs/t1g-d2-neither-bias.claim.toml",
        ],
        "uncovered",
    );
    let nc: Vec<(String, String)> = report
        .files
        .iter()
        .flat_map(|f| {
            f.not_covered
                .iter()
                .map(|n| (n.kind.clone(), n.reason.clone()))
        })
        .collect();
    assert!(nc.iter().filter(|(k, _)| k.starts_with("t2-")).count() == 4);
    assert!(nc.iter().filter(|(k, _)| k == "lambda-max").count() == 2);
    assert!(
        nc.iter()
            .any(|(k, r)| k == "lambda-max-rank-one" && !r.is_empty())
    );
    // a T1-G file is covered whole
    let last = &report.files[3];
    assert_eq!(last.covered.len(), 7);
    assert!(last.not_covered.is_empty());
    // every claim of every file is accounted for exactly once
    for (f, n) in report.files.iter().zip([4usize, 2, 1, 7]) {
        assert_eq!(
            f.covered.len() + f.not_covered.len(),
            n,
            "{}",
            f.claim_file.display()
        );
    }
    assert!(report.to_string().contains("NOT COVERED"));
}

#[test]
fn a_changed_number_changes_the_statement() {
    let p = tampered(
        "proofs/hand-d2.claim.toml",
        "value = \"2\"",
        "value = \"3\"",
        "tamper-text",
    );
    let out = tmpdir("tamper-text-out");
    generate(&[p], &out).unwrap();
    let v = read(&out, "C_hand_d2.v");
    assert!(v.contains("min_norm_claim Shared x y claim0_min_norm_beta (3#1)."));
}

#[test]
fn malformed_covered_claims_are_errors_naming_the_field() {
    let p = tampered(
        "proofs/hand-d2.claim.toml",
        "dual = \"1/2\"\n",
        "",
        "malformed",
    );
    let out = tmpdir("malformed-out");
    let e = generate(&[p], &out).unwrap_err();
    assert!(e.contains("dual") && e.contains("missing"), "{e}");
}

#[test]
fn coq_accepts_true_claims_and_rejects_tampered_ones() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let (out, _) = generate_into(
        &[
            "proofs/hand-d2.claim.toml",
            "proofs/pm-mixed.claim.toml",
            "tests/fixtures/coq/neither-d2.claim.toml",
        ],
        "e2e",
    );
    if let Err(log) = make(&out) {
        panic!("make failed on true claims:\n{log}");
    }
    assert!(read(&out, "C_hand_d2.log").contains("Closed under the global context"));
    assert!(!read(&out, "C_neither_d2.log").contains("Axioms:"));
    // tamper a T1 number and a T1-G number: both must make `make` fail
    for (src, from, to) in [
        (
            "proofs/hand-d2.claim.toml",
            "ratio = \"2\"",
            "ratio = \"3\"",
        ),
        (
            "tests/fixtures/coq/neither-d2.claim.toml",
            "t = \"1/5\"",
            "t = \"1/4\"",
        ),
    ] {
        let p = tampered(src, from, to, "e2e-bad");
        let bad = tmpdir("e2e-bad-out");
        generate(&[p], &bad).unwrap();
        // reuse the compiled library (copied after generate, so that it is newer than its sources)
        for f in ["Vec", "T1", "T1Check", "T1G", "Agree", "Network", "Audit"] {
            for ext in ["vo", "glob", "log"] {
                let from = out.join(format!("DLN/{f}.{ext}"));
                std::fs::create_dir_all(bad.join("DLN")).unwrap();
                if from.exists() {
                    std::fs::copy(&from, bad.join(format!("DLN/{f}.{ext}"))).unwrap();
                }
            }
        }
        match make(&bad) {
            Ok(()) => panic!("make accepted a tampered claim ({from} -> {to})"),
            // rejected because a checker computed false, not for another reason
            Err(log) => assert!(
                log.contains("Unable to unify \"true\" with \"false\""),
                "{log}"
            ),
        }
    }
}

#[test]
fn json_claim_files_give_the_same_theorems() {
    let src = root("tests/fixtures/coq/neither-d2.claim.toml");
    let tree: serde_json::Value = toml::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    let dir = tmpdir("json");
    let json = dir.join("neither-d2.claim.json");
    std::fs::write(&json, serde_json::to_string_pretty(&tree).unwrap()).unwrap();
    let (a, _) = generate_into(&["tests/fixtures/coq/neither-d2.claim.toml"], "json-toml");
    let b = tmpdir("json-out");
    let report = generate(&[json], &b).unwrap();
    assert_eq!(report.files[0].covered.len(), 3);
    let body = |s: String| s.split_once("*)").unwrap().1.to_string(); // drop the header naming the file
    assert_eq!(
        body(read(&a, "C_neither_d2.v")),
        body(read(&b, "C_neither_d2.v"))
    );
}
