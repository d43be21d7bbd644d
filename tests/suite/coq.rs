//! The Coq generator (`dlncheck::io::coq::generate`): what it writes, what it reports, and, when
//! `coqc` is installed, that Coq accepts a true claim file and rejects a tampered one. Then the
//! attacks of issue 24 (item 1), one per test: colliding module names, a path that closes a Coq
//! comment, a planted library in the output folder or on the environment's load path, and
//! files that used to stop the whole batch.
use dlncheck::io::coq::{Report, generate};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
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
    assert_eq!(f.coq_file.as_deref(), Some("C001_hand_d2.v"));
    let kinds: Vec<&str> = f.covered.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["min-norm", "min-sharpness", "conflict", "pareto-front"]
    );
    assert!(f.not_covered.is_empty());
    let v = read(&out, "C001_hand_d2.v");
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
    assert!(mk.contains("C001_hand_d2.vo") && mk.contains("Axioms:"));
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
    let v = read(&out, "C001_tied_d3.v");
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
    // path.claim.toml: t2-min-norm is covered (LP duality, T2.v), the other three are not
    assert!(nc.iter().filter(|(k, _)| k.starts_with("t2-")).count() == 3);
    assert_eq!(report.files[0].covered.len(), 1);
    assert_eq!(report.files[0].covered[0].kind, "t2-min-norm");
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
    let v = read(&out, "C001_hand_d2.v");
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
    let report = generate(&[p], &out).unwrap();
    assert!(report.files.is_empty());
    assert_eq!(report.skipped.len(), 1);
    let e = &report.skipped[0].message;
    assert!(e.contains("dual") && e.contains("missing"), "{e}");
    assert_eq!(report.exit_code(), 2);
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
    assert!(read(&out, "C001_hand_d2.log").contains("Closed under the global context"));
    assert!(!read(&out, "C003_neither_d2.log").contains("Axioms:"));
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
        with_library(&bad);
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
        body(read(&a, "C001_neither_d2.v")),
        body(read(&b, "C001_neither_d2.v"))
    );
}

// ---------------------------------------------------------------------------------------------
// Attacks (issue 24, item 1). Helpers first.

/// A claim file with one min-norm claim on x = (2, 1), y = 4. With `value = "2"` it is true;
/// with "3" it is false (N(β) = 2 at the claimed β = (2, 0), worked by hand in
/// proofs/hand-d2.claim.toml).
fn min_norm_file(value: &str) -> String {
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"1\"]\ny = \"4\"\n\n\
         [[claim]]\nkind = \"min-norm\"\nvalue = \"{value}\"\nbeta = [\"2\", \"0\"]\n\
         dual = \"1/2\"\nslack = [\"0\", \"1/2\"]\n"
    )
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// The library compiled once per test run (by the generated Makefile with no claim file).
fn compiled_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = tmpdir("library");
        generate(&[], &dir).unwrap();
        if let Err(log) = make(&dir) {
            panic!("the library does not compile:\n{log}");
        }
        dir
    })
}

/// Copies the compiled library into a freshly generated `dir`, every `.vo` dated like the
/// Makefile (written after the library's sources), so that make takes them all as up to date:
/// the tests then compile only their claim modules.
fn with_library(dir: &Path) {
    let lib = compiled_library().join("DLN");
    let stamp = std::fs::metadata(dir.join("Makefile"))
        .unwrap()
        .modified()
        .unwrap();
    for e in std::fs::read_dir(&lib).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "v") {
            let to = dir.join("DLN").join(p.file_name().unwrap());
            std::fs::copy(&p, &to).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&to)
                .unwrap()
                .set_modified(stamp)
                .unwrap();
        }
    }
}

/// A look-alike library: `From DLN Require Import Vec T1 T1Check T1G` works, and its
/// `min_norm_claim` is `True`, proved for any numbers. Compiled once; returns the folder that
/// holds `DLN/`.
fn evil_library() -> &'static Path {
    static EVIL: OnceLock<PathBuf> = OnceLock::new();
    EVIL.get_or_init(|| {
        let root = tmpdir("evil");
        let dln = root.join("DLN");
        write(&dln.join("Vec.v"), "Definition vec := 0.\n");
        write(&dln.join("T1.v"), "Inductive model := Shared | UV | PM.\n");
        write(
            &dln.join("T1Check.v"),
            "From Coq Require Import QArith List.\nFrom DLN Require Import T1.\n\
             Definition min_norm_claim (m : model) (x : list Q) (y : Q) (b : list Q) (v : Q) \
             : Prop := True.\n\
             Definition check_min_norm_sound (m : model) (x : list Q) (y : Q) (b : list Q) \
             (v l : Q) (s t : option (list Q)) : true = true -> min_norm_claim m x y b v := \
             fun _ => I.\n",
        );
        write(&dln.join("T1G.v"), "Definition t1g := 0.\n");
        for m in ["Vec", "T1", "T1Check", "T1G"] {
            let st = Command::new("coqc")
                .current_dir(&root)
                .args(["-q", "-R", "DLN", "DLN", &format!("DLN/{m}.v")])
                .status()
                .unwrap();
            assert!(st.success(), "the look-alike library does not compile");
        }
        root
    })
}

/// The evil library really proves the false claim when it is on the load path: without this,
/// the attacks below could pass for a reason other than the defence.
fn evil_library_accepts(false_claim: &Path) {
    let out = tmpdir("evil-check");
    generate(&[false_claim.to_path_buf()], &out).unwrap();
    let v = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "v"))
        .unwrap();
    let st = Command::new("coqc")
        .current_dir(&out)
        .arg("-q")
        .arg("-R")
        .arg(evil_library().join("DLN"))
        .args(["DLN", v.file_name().unwrap().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "the look-alike library should prove the false claim: {}",
        String::from_utf8_lossy(&st.stdout)
    );
}

fn all_v_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("DLN")] {
        for e in std::fs::read_dir(&sub).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "v") {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                out.push((name, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

/// Two files with the same name in different folders and a third named like the old collision
/// suffix (`x_2`): the old naming gave the second and the third the module `C_x_2`, so the
/// third (true) overwrote the second (false).
fn colliding_batch(tag: &str) -> Vec<PathBuf> {
    let base = tmpdir(tag);
    vec![
        write(&base.join("a/x.claim.toml"), &min_norm_file("2")),
        write(&base.join("b/x.claim.toml"), &min_norm_file("3")),
        write(&base.join("c/x_2.claim.toml"), &min_norm_file("2")),
    ]
}

#[test]
fn colliding_names_give_distinct_modules() {
    let files = colliding_batch("collide");
    let out = tmpdir("collide-out");
    let report = generate(&files, &out).unwrap();
    let modules: Vec<&str> = report.files.iter().map(|f| f.module.as_str()).collect();
    assert_eq!(modules, ["C001_x", "C002_x", "C003_x_2"]);
    // each module's file exists and states its own file's claim (the false one only in its own)
    for (m, value) in [
        ("C001_x", "(2#1)"),
        ("C002_x", "(3#1)"),
        ("C003_x_2", "(2#1)"),
    ] {
        let v = read(&out, &format!("{m}.v"));
        let stmt = format!("min_norm_claim Shared x y claim0_min_norm_beta {value}.");
        assert!(v.contains(&stmt), "{m}: {v}");
    }
    // the Makefile lists every module exactly once
    let mk = read(&out, "Makefile");
    for m in modules {
        assert_eq!(mk.matches(&format!(" {m}.vo")).count(), 1, "{m} in {mk}");
    }
}

#[test]
fn module_names_never_meet_whatever_the_file_names() {
    // brute force over names built to collide after `[^A-Za-z0-9_]` -> `_`
    let names = [
        "x.claim.toml",
        "x.toml",
        "x.json",
        "x.claim.json",
        "x-2.claim.toml",
        "x_2.claim.toml",
        "x 2.claim.toml",
        "x\u{e9}.toml",
        "x\u{20ac}.toml",
        "C001_x.toml",
        "1_x.toml",
        "",
        "..",
    ];
    let mut seen = std::collections::HashSet::new();
    for (i, n) in names.iter().enumerate() {
        let m = dlncheck::io::coq::module_name(i + 1, Path::new(n));
        assert!(
            m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && m.starts_with('C'),
            "{m}"
        );
        assert!(seen.insert(m.clone()), "{m} twice");
    }
    // a long name is cut, the position still tells them apart
    let long = "y".repeat(300);
    let a = dlncheck::io::coq::module_name(7, Path::new(&long));
    let b = dlncheck::io::coq::module_name(17, Path::new(&long));
    assert!(a.len() < 60 && a != b, "{a} {b}");
}

#[test]
fn colliding_names_with_a_false_claim_fail_make() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let files = colliding_batch("collide-make");
    let out = tmpdir("collide-make-out");
    generate(&files, &out).unwrap();
    with_library(&out);
    match make(&out) {
        Ok(()) => panic!("make accepted a batch with a false claim"),
        Err(log) => assert!(
            log.contains("Unable to unify \"true\" with \"false\""),
            "{log}"
        ),
    }
    // and it is the false file's module that failed, the true ones compiled
    assert!(!out.join("C002_x.vo").exists());
    let _ = Command::new("make")
        .arg("-k")
        .arg("-C")
        .arg(&out)
        .output()
        .unwrap();
    assert!(out.join("C001_x.vo").exists() && out.join("C003_x_2.vo").exists());
}

/// `<base>/ *) Add LoadPath "<evil>/DLN" as DLN. (* /m.claim.toml`: the old header comment
/// copied the path, so the comment closed and the load path command ran (and won over
/// `-R DLN DLN`).
fn injected_path(tag: &str, evil: &Path) -> PathBuf {
    let base = tmpdir(tag);
    let p = PathBuf::from(format!(
        "{}/ *) Add LoadPath \"{}/DLN\" as DLN. (* /m.claim.toml",
        base.display(),
        evil.display()
    ));
    write(&p, &min_norm_file("3"))
}

#[test]
fn a_path_that_closes_a_comment_reaches_no_coq_source() {
    let p = injected_path("inject-text", Path::new("/nowhere/evil"));
    let out = tmpdir("inject-text-out");
    let report = generate(std::slice::from_ref(&p), &out).unwrap();
    assert_eq!(report.files[0].covered.len(), 1);
    for (name, v) in all_v_files(&out) {
        assert!(!v.contains("LoadPath") && !v.contains("nowhere"), "{name}");
    }
    // nor does any other text of the path: the folder's name never appears in Coq source
    let dir = p.parent().unwrap().parent().unwrap();
    let tag = dir.file_name().unwrap().to_string_lossy().to_string();
    for (name, v) in all_v_files(&out) {
        assert!(!v.contains(&tag), "{name} contains {tag}");
    }
    // the report names the file, escaped, on one line
    let text = read(&out, "REPORT.txt");
    assert!(
        text.lines()
            .any(|l| l.contains("Add LoadPath \\\"/nowhere/evil/DLN\\\"")),
        "{text}"
    );
}

#[test]
fn a_path_injection_cannot_pass_a_false_claim() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let p = injected_path("inject", evil_library());
    evil_library_accepts(&p);
    let out = tmpdir("inject-out");
    generate(&[p], &out).unwrap();
    with_library(&out);
    match make(&out) {
        Ok(()) => panic!("make accepted a false claim behind an injected path"),
        Err(log) => assert!(
            log.contains("Unable to unify \"true\" with \"false\""),
            "{log}"
        ),
    }
}

#[test]
fn coqpath_cannot_bring_a_look_alike_library() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let p = write(&tmpdir("coqpath").join("m.claim.toml"), &min_norm_file("3"));
    evil_library_accepts(&p);
    let out = tmpdir("coqpath-out");
    generate(&[p], &out).unwrap();
    with_library(&out);
    let run = Command::new("make")
        .arg("-C")
        .arg(&out)
        .env("COQPATH", evil_library())
        .env("XDG_DATA_HOME", evil_library())
        .output()
        .unwrap();
    assert!(!run.status.success(), "make accepted a false claim");
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(
        log.contains("Unable to unify \"true\" with \"false\""),
        "{log}"
    );
}

#[test]
fn makeflags_cannot_change_the_load_path() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let p = write(
        &tmpdir("makeflags").join("m.claim.toml"),
        &min_norm_file("3"),
    );
    evil_library_accepts(&p);
    let out = tmpdir("makeflags-out");
    generate(&[p], &out).unwrap();
    with_library(&out);
    // MAKEFLAGS from the environment sets variables as if given on the command line (spaces in
    // a value escaped by a backslash)
    let evil = format!(
        "COQFLAGS=-q\\ -R\\ {}\\ DLN",
        evil_library().join("DLN").display()
    );
    let run = Command::new("make")
        .arg("-C")
        .arg(&out)
        .env("MAKEFLAGS", &evil)
        .output()
        .unwrap();
    assert!(!run.status.success(), "make accepted a false claim");
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(
        log.contains("Unable to unify \"true\" with \"false\""),
        "{log}"
    );
}

#[test]
fn a_planted_library_in_a_foreign_output_dir_is_refused() {
    let out = tmpdir("planted");
    // a .vo "newer than its source": make would have trusted it
    write(&out.join("DLN/T1.vo"), "not a Coq object");
    let e = generate(&[root("proofs/hand-d2.claim.toml")], &out).unwrap_err();
    assert!(e.contains("not empty"), "{e}");
    // nothing was written
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["DLN"]);
    assert_eq!(std::fs::read_dir(out.join("DLN")).unwrap().count(), 1);
}

/// Files make or coqc write in an output folder, planted by hand.
const PLANTED: &[&str] = &[
    "DLN/T1.vo",
    "DLN/Vec.glob",
    "DLN/.T1.aux",
    "C001_hand_d2.vo",
    "C009_old.v",
    ".lia.cache",
];

#[test]
fn a_planted_library_in_an_earlier_output_is_deleted() {
    let out = tmpdir("planted-again");
    generate(&[root("proofs/hand-d2.claim.toml")], &out).unwrap();
    // files make would have written, some planted: all must go before the next run
    for f in PLANTED {
        write(&out.join(f), "planted");
    }
    generate(&[root("tests/fixtures/coq/tied-d3.claim.toml")], &out).unwrap();
    for f in PLANTED {
        assert!(!out.join(f).exists(), "{f} survived");
    }
    assert!(out.join("C001_tied_d3.v").is_file() && out.join("DLN/T1.v").is_file());
}

#[test]
fn the_marker_does_not_license_deleting_other_files() {
    let out = tmpdir("marker");
    generate(&[root("proofs/hand-d2.claim.toml")], &out).unwrap();
    write(&out.join("notes.txt"), "mine");
    write(&out.join("DLN/Extra.v"), "mine too");
    let e = generate(&[root("proofs/hand-d2.claim.toml")], &out).unwrap_err();
    assert!(e.contains("notes.txt") || e.contains("Extra.v"), "{e}");
    // refused before anything was deleted
    assert_eq!(read(&out, "notes.txt"), "mine");
    assert!(out.join("C001_hand_d2.v").is_file() && out.join("DLN/T1.v").is_file());
}

#[test]
fn a_symlink_in_an_earlier_output_is_refused() {
    let out = tmpdir("symlink");
    generate(&[root("proofs/hand-d2.claim.toml")], &out).unwrap();
    let victim = write(&tmpdir("symlink-victim").join("keep.v"), "keep");
    std::fs::remove_file(out.join("DLN/T1.v")).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("DLN/T1.v")).unwrap();
    assert!(generate(&[root("proofs/hand-d2.claim.toml")], &out).is_err());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
}

#[test]
fn the_makefile_fixes_the_load_path() {
    let (out, _) = generate_into(&["proofs/hand-d2.claim.toml"], "makefile");
    let mk = read(&out, "Makefile");
    // coqc runs with an empty environment and flags nobody can override
    assert!(
        mk.contains("override COQC := env -i PATH=\"$$PATH\""),
        "{mk}"
    );
    assert!(mk.contains("override COQFLAGS := -q -R DLN DLN\n"), "{mk}");
    // no other load path anywhere: the only -R is DLN's, no -Q or -I
    let code: String = mk
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(code.matches("-R ").count(), 1, "{code}");
    assert!(!code.contains("-Q ") && !code.contains("-I "), "{code}");
    assert_eq!(read(&out, "_CoqProject"), "-R DLN DLN\n");
    // every library module is built by this make
    for m in ["Vec", "T1", "T1Check", "T1G", "Agree", "Network", "Audit"] {
        assert!(mk.contains(&format!("DLN/{m}.vo")), "{m}");
    }
}

#[test]
fn a_json_claim_file_named_toml_is_read() {
    let src = root("tests/fixtures/coq/neither-d2.claim.toml");
    let tree: serde_json::Value = toml::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    let p = write(
        &tmpdir("json-as-toml").join("j.claim.toml"),
        &serde_json::to_string(&tree).unwrap(),
    );
    let out = tmpdir("json-as-toml-out");
    let report = generate(&[p], &out).unwrap();
    assert!(report.skipped.is_empty(), "{report}");
    assert_eq!(report.files[0].covered.len(), 3);
}

#[test]
fn a_malformed_file_is_skipped_and_the_batch_goes_on() {
    let dir = tmpdir("batch");
    let bad = write(&dir.join("bad.claim.toml"), "version = 2\n[[claim]\n");
    let files = [
        root("proofs/hand-d2.claim.toml"),
        bad.clone(),
        root("tests/fixtures/coq/tied-d3.claim.toml"),
    ];
    let out = tmpdir("batch-out");
    let report = generate(&files, &out).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].claim_file, bad);
    assert!(report.skipped[0].message.contains("malformed TOML"));
    assert_eq!(report.exit_code(), 2);
    // the other files' Coq is written, and keeps its position in the batch
    assert!(out.join("C001_hand_d2.v").is_file() && out.join("C003_tied_d3.v").is_file());
    assert!(!out.join("C002_bad.v").exists());
    // the Makefile says so: it fails after compiling the others
    let mk = read(&out, "Makefile");
    assert!(
        mk.contains("skipped 1 claim file(s)") && mk.contains("exit 1"),
        "{mk}"
    );
    assert!(read(&out, "REPORT.txt").contains("SKIPPED"));
}

#[test]
fn a_model_coq_does_not_cover_is_reported_not_fatal() {
    let dir = tmpdir("depth");
    let text =
        min_norm_file("2").replace("model = \"shared\"", "model = \"shared-depth\"\ndepth = 2");
    let depth = write(&dir.join("depth.claim.toml"), &text);
    let files = [depth, root("proofs/hand-d2.claim.toml")];
    let out = tmpdir("depth-out");
    let report = generate(&files, &out).unwrap();
    assert!(report.skipped.is_empty());
    assert_eq!(report.exit_code(), 0);
    let f = &report.files[0];
    assert!(f.covered.is_empty() && f.coq_file.is_none());
    assert_eq!(f.not_covered.len(), 1);
    assert!(
        f.not_covered[0].reason.contains("shared-depth"),
        "{:?}",
        f.not_covered
    );
    assert_eq!(report.files[1].covered.len(), 4);
    assert!(!read(&out, "Makefile").contains("C001_"));
}

#[test]
fn an_unreadable_path_is_skipped() {
    let dir = tmpdir("unreadable");
    let files = [
        dir.join("missing.claim.toml"),
        root("proofs/hand-d2.claim.toml"),
    ];
    let out = tmpdir("unreadable-out");
    let report = generate(&files, &out).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].message.contains("missing.claim.toml"));
    assert_eq!(report.files.len(), 1);
    assert_eq!(report.files[0].module, "C002_hand_d2");
}

#[test]
fn a_directory_as_claim_file_is_skipped() {
    let dir = tmpdir("a-dir");
    let out = tmpdir("a-dir-out");
    let report = generate(&[dir.clone(), root("proofs/hand-d2.claim.toml")], &out).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].message.contains("not a regular file"));
    assert_eq!(report.files.len(), 1);
}

#[test]
fn a_fifo_as_claim_file_does_not_hang() {
    let dir = tmpdir("fifo");
    let fifo = dir.join("f.claim.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable: skipping");
        return;
    }
    let out = tmpdir("fifo-out");
    // no writer ever opens the FIFO: reading it would block forever
    let report = generate(&[fifo, root("proofs/hand-d2.claim.toml")], &out).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.files.len(), 1);
}

#[test]
fn a_newline_in_a_path_stays_on_one_line() {
    let dir = tmpdir("newline");
    let p = write(
        &dir.join("two\nlines\u{1b}[31m\u{2028}.claim.toml"),
        "not = [toml",
    );
    let out = tmpdir("newline-out");
    let report = generate(&[p], &out).unwrap();
    let m = &report.skipped[0].message;
    assert!(!m.contains('\n') && !m.contains('\u{1b}'), "{m:?}");
    assert!(!m.contains('\u{2028}'), "{m:?}");
    assert!(
        m.contains("two\\nlines\\u{1b}[31m\\u{2028}.claim.toml"),
        "{m}"
    );
    let text = report.to_string();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn the_cli_exits_2_when_a_file_was_skipped_and_writes_the_others() {
    let dir = tmpdir("cli");
    let bad = write(
        &dir.join("bad\n.claim.toml"),
        &min_norm_file("2").replace("dual", "daul"),
    );
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .arg("coq")
        .arg(root("proofs/hand-d2.claim.toml"))
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad\\n.claim.toml") && err.contains("dual"),
        "{err}"
    );
    assert!(out.join("C001_hand_d2.v").is_file());
    // a run with only good files exits 0
    let ok = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .arg("coq")
        .arg(root("proofs/hand-d2.claim.toml"))
        .arg("-o")
        .arg(dir.join("out2"))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn a_skipped_file_makes_make_fail_after_the_others_compile() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let dir = tmpdir("skip-make");
    let bad = write(&dir.join("bad.claim.toml"), "version = 2\n");
    let out = tmpdir("skip-make-out");
    generate(&[root("proofs/hand-d2.claim.toml"), bad], &out).unwrap();
    with_library(&out);
    match make(&out) {
        Ok(()) => panic!("make passed a batch with a skipped file"),
        Err(log) => assert!(log.contains("skipped 1 claim file(s)"), "{log}"),
    }
    assert!(out.join("C001_hand_d2.vo").is_file());
}

mod laws {
    use dlncheck::io::coq::{module_name, shown};
    use proptest::prelude::*;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    proptest! {
        /// Files at different positions of a batch never share a module, whatever their names
        /// (arbitrary bytes, including `/`, `.`, `_`, digits, non-UTF-8), and every module name
        /// is a plain Coq identifier.
        #[test]
        fn distinct_positions_give_distinct_plain_modules(
            a in proptest::collection::vec(any::<u8>(), 0..60),
            b in proptest::collection::vec(any::<u8>(), 0..60),
            i in 1usize..5000,
            j in 1usize..5000,
        ) {
            let ma = module_name(i, Path::new(std::ffi::OsStr::from_bytes(&a)));
            let mb = module_name(j, Path::new(std::ffi::OsStr::from_bytes(&b)));
            for m in [&ma, &mb] {
                prop_assert!(m.starts_with('C') && m.len() <= 1 + 4 + 1 + 40, "{}", m);
                prop_assert!(m.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'), "{}", m);
            }
            if i != j {
                prop_assert_ne!(ma, mb);
            }
        }

        /// A path as printed in messages and REPORT.txt is one line without control characters,
        /// and different paths print differently.
        #[test]
        fn shown_paths_are_one_line_and_tell_paths_apart(
            a in proptest::collection::vec(any::<u8>(), 1..60),
            b in proptest::collection::vec(any::<u8>(), 1..60),
        ) {
            let pa = Path::new(std::ffi::OsStr::from_bytes(&a));
            let pb = Path::new(std::ffi::OsStr::from_bytes(&b));
            let sa = shown(pa);
            prop_assert!(!sa.chars().any(char::is_control), "{:?}", sa);
            prop_assert!(!sa.contains('\u{2028}') && !sa.contains('\u{2029}'), "{:?}", sa);
            if a != b {
                prop_assert_ne!(sa, shown(pb));
            }
        }
    }
}

// ---- GD claims (issue 29): the statements parsed back and compared with the claim file ----

type Rat = num_rational::BigRational;

/// The Coq Q literals `(p#q)` of `text`, in order, as rationals.
fn q_literals(text: &str) -> Vec<Rat> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let rest = &text[i + 1..];
            if let Some(end) = rest.find(')') {
                let lit = &rest[..end];
                if let Some((p, q)) = lit.split_once('#') {
                    let num = p.trim().parse::<num_bigint::BigInt>();
                    let den = q.trim().parse::<num_bigint::BigInt>();
                    if let (Ok(n), Ok(d)) = (num, den) {
                        out.push(Rat::new(n, d));
                        i += end + 2;
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    out
}

/// The text of `Theorem name : STATEMENT.` (up to `Proof.`) or of `Definition name ... := BODY.`
fn coq_item(v: &str, head: &str) -> String {
    let start = v.find(head).unwrap_or_else(|| panic!("{head} missing"));
    let rest = &v[start + head.len()..];
    let end = rest.find(".\n").unwrap_or_else(|| panic!("{head}: no end"));
    rest[..end].to_string()
}

/// Every literal replaced by `_`, white space collapsed: the statement's shape.
fn shape(text: &str) -> String {
    let mut s = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('(') {
        s.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(')') {
            Some(e) if after[..e].contains('#') && !after[..e].contains('(') => {
                s.push('_');
                rest = &after[e + 1..];
            }
            _ => {
                s.push('(');
                rest = after;
            }
        }
    }
    s.push_str(rest);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn claim_rat(t: &toml::Value, key: &str) -> Rat {
    t[key].as_str().unwrap().parse().unwrap()
}
fn claim_iv(t: &toml::Value, key: &str) -> [Rat; 2] {
    [claim_rat(&t[key], "lo"), claim_rat(&t[key], "hi")]
}

#[test]
fn gd_statements_restate_the_claim_file() {
    let file = "proofs/gd-learner-beats-both.claim.toml";
    let (out, report) = generate_into(&[file], "gd-parse");
    let f = &report.files[0];
    let kinds: Vec<&str> = f.covered.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "neither-bias",
            "best-linear",
            "bayes",
            "gd-limit",
            "gd-learner"
        ]
    );
    let v = read(&out, f.coq_file.as_deref().unwrap());
    // the claim file, read independently of the generator (the toml crate, not the kernel)
    let text = std::fs::read_to_string(root(file)).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    let inst = &doc["instance"];
    let x: Vec<Rat> = inst["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().parse().unwrap())
        .collect();
    let y: Rat = claim_rat(inst, "y");
    let alpha: Rat = claim_rat(&inst["init"], "alpha");
    assert_eq!(q_literals(&coq_item(&v, "Definition x : list Q :=")), x);
    assert_eq!(q_literals(&coq_item(&v, "Definition y : Q :=")), [y]);
    assert_eq!(
        q_literals(&coq_item(&v, "Definition alpha : Q :=")),
        [alpha]
    );
    let atoms = inst["teacher"]["atoms"].as_array().unwrap();
    let mut want_atoms = Vec::new();
    for a in atoms {
        want_atoms.push(claim_rat(a, "weight"));
        for b in a["beta"].as_array().unwrap() {
            want_atoms.push(b.as_str().unwrap().parse().unwrap());
        }
    }
    assert_eq!(
        q_literals(&coq_item(&v, "Definition atoms : list (Q * list Q) :=")),
        want_atoms
    );
    let claims = doc["claim"].as_array().unwrap();
    // gd-limit: FORMAT.md §4.8 — lr, beta boxes, norm, sharpness, eos_margin
    let c = &claims[3];
    let stmt = coq_item(&v, "Theorem claim3_gd_limit :");
    assert_eq!(
        shape(&stmt),
        "gd_limit_claim x y alpha _ claim3_gd_limit_box (_, _) (_, _) (_, _)"
    );
    let mut want = vec![claim_rat(c, "lr")];
    for k in ["norm", "sharpness", "eos_margin"] {
        want.extend(claim_iv(c, k));
    }
    assert_eq!(q_literals(&stmt), want);
    let bx: Vec<Rat> = c["beta"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| [claim_rat(b, "lo"), claim_rat(b, "hi")])
        .collect();
    assert_eq!(
        q_literals(&coq_item(
            &v,
            "Definition claim3_gd_limit_box : list (Q * Q) :="
        )),
        bx
    );
    // gd-learner: lr, expected_error, min_norm, min_sharpness and the four flags, and the ends
    let c = &claims[4];
    let stmt = coq_item(&v, "Theorem claim4_gd_learner :");
    let flag = |k: &str| c[k].as_bool().unwrap().to_string();
    assert_eq!(
        shape(&stmt),
        format!(
            "gd_learner_claim x alpha _ Sigma atoms (_, _) _ _ {} {} {} {} /\\ ends_of E x claim0_neither_bias_levels _ _",
            flag("beats_min_norm"),
            flag("beats_min_sharpness"),
            flag("loses_to_min_norm"),
            flag("loses_to_min_sharpness")
        )
    );
    let (en, es) = (claim_rat(c, "min_norm"), claim_rat(c, "min_sharpness"));
    let mut want = vec![claim_rat(c, "lr")];
    want.extend(claim_iv(c, "expected_error"));
    want.extend([en.clone(), es.clone(), en, es]);
    assert_eq!(q_literals(&stmt), want);
    // the headline: GD beats both ends
    assert!(flag("beats_min_norm") == "true" && flag("beats_min_sharpness") == "true");
    // the earlier neither-bias theorem states that En and Es are the end-face minima
    let nb = &claims[0];
    assert_eq!(
        claim_rat(&nb["min_norm"], "value"),
        claim_rat(c, "min_norm")
    );
    assert_eq!(
        claim_rat(&nb["min_sharpness"], "value"),
        claim_rat(c, "min_sharpness")
    );
    // one run per distinct (label, steps, bits, q, box): the y = 5 run is shared
    assert_eq!(v.matches("Lemma run").count(), 2, "{v}");
}

#[test]
fn gd_claims_outside_n1_shared_are_not_covered() {
    let (_, report) = generate_into(
        &[
            "proofs/t2/gd-limit-sparse-flow.claim.toml",
            "proofs/gd-limit-flow-aligned.claim.toml",
        ],
        "gd-uncovered",
    );
    assert_eq!(report.files[0].covered.len(), 0);
    assert!(
        report.files[0].not_covered[0]
            .reason
            .contains("several data points")
    );
    assert_eq!(report.files[1].covered.len(), 1);
}

#[test]
fn coq_rejects_a_gd_box_one_unit_in_the_last_place_too_small() {
    if !have_coqc() {
        eprintln!("coqc not on PATH: skipping the Coq compile");
        return;
    }
    let (out, _) = generate_into(&["proofs/gd-limit-flow-aligned.claim.toml"], "gd-e2e");
    with_library(&out);
    if let Err(log) = make(&out) {
        panic!("make failed on a true gd-limit claim:\n{log}");
    }
    // β_2's upper end lowered by 2^-65, one unit in its last place (in lowest terms)
    let p = tampered(
        "proofs/gd-limit-flow-aligned.claim.toml",
        "hi = \"11474814845404857015/36893488147419103232\"",
        "hi = \"5737407422702428507/18446744073709551616\"",
        "gd-e2e-bad",
    );
    let bad = tmpdir("gd-e2e-bad-out");
    generate(&[p], &bad).unwrap();
    with_library(&bad);
    match make(&bad) {
        Ok(()) => panic!("make accepted a gd-limit box one ulp too small"),
        // the run's check computed false: the kernel refuses `eq_refl true` at Qed
        Err(log) => assert!(
            log.contains("has type \"true = true\" while it is expected to have type")
                && log.contains("run_ok"),
            "{log}"
        ),
    }
}
