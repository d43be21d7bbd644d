//! Shards and merge (SPEC §9, docs/cluster.md): for any N, the N shard folders of a sweep merged
//! write exactly the bytes of the unsharded sweep (the reference is the unsharded run itself,
//! computed by a different path: all rates in one process, no rows written or read back); merge
//! refuses overlapping, missing, incomplete and mismatched shards; an interrupted shard resumes.

use crate::common::{run, temp_dir};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Every file a sweep writes into `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?} must exit 2");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

/// Runs the sweep `args` unsharded into `root/whole` and as `n` shards merged into
/// `root/merged`; returns both folders and the shard folders.
fn both(root: &Path, sweep: &[&str], n: usize) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let whole = root.join("whole");
    let mut a: Vec<&str> = vec!["sweep"];
    a.extend(sweep);
    let w = whole.to_str().unwrap().to_string();
    ok(&[a.clone(), vec!["--out", &w]].concat());
    let mut shards = Vec::new();
    for i in 0..n {
        let dir = root.join(format!("shard{i}"));
        let (s, d) = (format!("{i}/{n}"), dir.to_str().unwrap().to_string());
        ok(&[a.clone(), vec!["--shard", &s, "--out", &d]].concat());
        shards.push(dir);
    }
    let merged = root.join("merged");
    let mut m: Vec<String> = vec!["merge".into()];
    // Any order of the folders.
    m.extend(shards.iter().rev().map(|d| d.to_str().unwrap().to_string()));
    m.extend(["--out".into(), merged.to_str().unwrap().to_string()]);
    ok(&m.iter().map(String::as_str).collect::<Vec<_>>());
    (whole, merged, shards)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn merged_shards_equal_the_unsharded_sweep(n in 1usize..6, points in 1usize..9, log: bool) {
        let root = temp_dir(&format!("shards-{n}-{points}-{log}"));
        let p = points.to_string();
        let mut sweep = vec!["examples/ten_points.toml", "--lr-from", "1/100", "--lr-to", "1/36",
            "--points", &p, "--steps", "3000", "--beta"];
        if log {
            sweep.push("--log");
        }
        let (whole, merged, _) = both(&root, &sweep, n);
        let (w, m) = (files(&whole), files(&merged));
        prop_assert!(w.iter().any(|(name, _)| name == "sweep.csv"));
        prop_assert_eq!(w, m);
    }
}

#[test]
fn merged_certified_shards_equal_the_unsharded_sweep() {
    // One point, `shared`, a discrete teacher: certified limits, the certified GD learner per
    // rate, the gradient flow and C1–C5.
    let root = temp_dir("shards-certified");
    let sweep = [
        "examples/eos.toml",
        "--lr-from",
        "0.01",
        "--lr-to",
        "0.2",
        "--points",
        "5",
        "--log",
        "--certify",
    ];
    let (whole, merged, _) = both(&root, &sweep, 3);
    let csv = std::fs::read_to_string(whole.join("sweep.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("gen_error_lo"));
    assert_eq!(files(&whole), files(&merged));
}

/// Three complete shards of a small float sweep in `root`.
fn three_shards(root: &Path, instance: &str) -> Vec<String> {
    (0..3)
        .map(|i| {
            let d = root.join(format!("s{i}")).to_str().unwrap().to_string();
            ok(&[
                "sweep",
                instance,
                "--lr-from",
                "1/100",
                "--lr-to",
                "1/36",
                "--points",
                "5",
                "--steps",
                "2000",
                "--shard",
                &format!("{i}/3"),
                "--out",
                &d,
            ]);
            d
        })
        .collect()
}

fn merge(dirs: &[&str], out: &Path) -> Vec<String> {
    let mut a = vec!["merge".to_string()];
    a.extend(dirs.iter().map(|s| s.to_string()));
    a.extend(["--out".into(), out.to_str().unwrap().into()]);
    a
}

fn args(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

#[test]
fn merge_refuses_overlapping_shards() {
    let root = temp_dir("shards-overlap");
    let s = three_shards(&root, "examples/ten_points.toml");
    let copy = root.join("copy-of-s1");
    std::fs::create_dir_all(&copy).unwrap();
    for f in ["manifest.json", "rows.jsonl"] {
        std::fs::copy(Path::new(&s[1]).join(f), copy.join(f)).unwrap();
    }
    let c = copy.to_str().unwrap();
    let err = refused(&args(&merge(&[&s[0], &s[1], c, &s[2]], &root.join("m"))));
    assert!(
        err.contains("overlapping shards") && err.contains(c) && err.contains("1/3"),
        "{err}"
    );
    assert!(!root.join("m").join("sweep.csv").exists());
}

#[test]
fn merge_names_the_missing_shards() {
    let root = temp_dir("shards-missing");
    let s = three_shards(&root, "examples/ten_points.toml");
    let err = refused(&args(&merge(&[&s[1]], &root.join("m"))));
    assert!(err.contains("missing shards 0/3, 2/3"), "{err}");
}

#[test]
fn merge_refuses_an_instance_changed_between_shards() {
    let root = temp_dir("shards-instance");
    let inst = root.join("inst.toml");
    let text = std::fs::read_to_string("examples/ten_points.toml").unwrap();
    std::fs::write(&inst, &text).unwrap();
    let i = inst.to_str().unwrap();
    let mut s = three_shards(&root, i);
    // Shard 2 again, on an edited instance of the same name.
    std::fs::write(&inst, format!("{text}\n# edited\n")).unwrap();
    let d = root.join("t2").to_str().unwrap().to_string();
    ok(&[
        "sweep",
        i,
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/36",
        "--points",
        "5",
        "--steps",
        "2000",
        "--shard",
        "2/3",
        "--out",
        &d,
    ]);
    s[2] = d;
    let err = refused(&args(&merge(&[&s[0], &s[1], &s[2]], &root.join("m"))));
    assert!(
        err.contains("mismatched shards") && err.contains("instance"),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_of_another_grid() {
    let root = temp_dir("shards-grid");
    let s = three_shards(&root, "examples/ten_points.toml");
    let d = root.join("other").to_str().unwrap().to_string();
    ok(&[
        "sweep",
        "examples/ten_points.toml",
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/30",
        "--points",
        "5",
        "--steps",
        "2000",
        "--shard",
        "2/3",
        "--out",
        &d,
    ]);
    let err = refused(&args(&merge(&[&s[0], &s[1], &d], &root.join("m"))));
    assert!(
        err.contains("mismatched shards") && err.contains("--lr-to"),
        "{err}"
    );
}

fn edit_manifest(dir: &str, from: &str, to: &str) {
    let path = Path::new(dir).join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn merge_refuses_shards_of_another_version() {
    let root = temp_dir("shards-version");
    let s = three_shards(&root, "examples/ten_points.toml");
    let ours = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    edit_manifest(&s[0], &ours, "\"version\": \"0.0.0-other\"");
    let err = refused(&args(&merge(&[&s[0], &s[1], &s[2]], &root.join("m"))));
    assert!(
        err.contains("mismatched version") && err.contains("0.0.0-other"),
        "{err}"
    );
    let err = refused(&args(&merge(&[&s[1], &s[0], &s[2]], &root.join("m"))));
    assert!(err.contains("dlncheck version"), "{err}");
}

#[test]
fn an_interrupted_shard_resumes_and_a_complete_one_is_skipped() {
    let root = temp_dir("shards-resume");
    let s = three_shards(&root, "examples/ten_points.toml");
    // A killed shard 0: manifest not complete, one row written and a second cut short.
    let rows_path = Path::new(&s[0]).join("rows.jsonl");
    let full = std::fs::read_to_string(&rows_path).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    assert_eq!(lines.len(), 2, "grid indices 0 and 3 of 5");
    std::fs::write(&rows_path, format!("{}\n{}", lines[0], &lines[1][..20])).unwrap();
    edit_manifest(&s[0], "\"complete\": true", "\"complete\": false");
    let err = refused(&args(&merge(&[&s[0], &s[1], &s[2]], &root.join("m"))));
    assert!(
        err.contains("shard 0/3") && err.contains("incomplete"),
        "{err}"
    );
    let again = [
        "sweep",
        "examples/ten_points.toml",
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/36",
        "--points",
        "5",
        "--steps",
        "2000",
        "--shard",
        "0/3",
        "--out",
        &s[0],
    ];
    let out = run(&again);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("resuming, 1 of 2 rates already done"));
    assert_eq!(std::fs::read_to_string(&rows_path).unwrap(), full);
    let out = run(&again);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("complete; skipped"));
    // Merged, equal to the unsharded sweep.
    ok(&args(&merge(&[&s[0], &s[1], &s[2]], &root.join("m"))));
    let whole = root.join("whole").to_str().unwrap().to_string();
    ok(&[
        "sweep",
        "examples/ten_points.toml",
        "--lr-from",
        "1/100",
        "--lr-to",
        "1/36",
        "--points",
        "5",
        "--steps",
        "2000",
        "--out",
        &whole,
    ]);
    assert_eq!(files(Path::new(&whole)), files(&root.join("m")));
}

#[test]
fn bad_shard_arguments_are_refused() {
    for bad in ["3/3", "1", "+1/3", "0/0", "a/b", "1/2/3", "1/"] {
        let err = refused(&[
            "sweep",
            "examples/ten_points.toml",
            "--lr-from",
            "1/100",
            "--lr-to",
            "1/36",
            "--points",
            "2",
            "--shard",
            bad,
            "--out",
            "/nonexistent/x",
        ]);
        assert!(err.contains("--shard"), "{bad}: {err}");
    }
}
