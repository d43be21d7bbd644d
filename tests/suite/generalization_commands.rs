//! The real binary on real files: T1-G output, bad input, and `search`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dlncheck"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlncheck-g-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD_X: &str = "model = \"shared\"\nx = [\"2\", \"1\"]\ny = \"1\"\n";

/// Each bad input gives exit 2, one line on stderr naming the file and field, nothing on stdout,
/// and no claim file from `certify`.
#[test]
fn bad_teacher_and_population_inputs_name_the_field() {
    let dir = scratch("bad");
    let discrete = "[teacher]\nkind = \"discrete\"\n";
    let cases = [
        (
            "negative-weight",
            format!(
                "{GOOD_X}{discrete}atoms = [ {{ weight = \"-1/2\", beta = [\"1\", \"0\"] }}, {{ weight = \"3/2\", beta = [\"0\", \"1\"] }} ]\n"
            ),
            "teacher.atoms[0].weight",
        ),
        (
            "weights-sum",
            format!(
                "{GOOD_X}{discrete}atoms = [ {{ weight = \"1/2\", beta = [\"1\", \"0\"] }}, {{ weight = \"1/3\", beta = [\"0\", \"1\"] }} ]\n"
            ),
            "teacher.atoms",
        ),
        (
            "negative-teacher",
            format!("{GOOD_X}{discrete}atoms = [ {{ weight = \"1\", beta = [\"1\", \"-1\"] }} ]\n"),
            "teacher.atoms[0].beta[1]",
        ),
        (
            "not-psd",
            format!(
                "{GOOD_X}[teacher]\nkind = \"moments\"\nmean = [\"0\", \"0\"]\nsecond_moment = [[\"1\", \"2\"], [\"2\", \"1\"]]\n"
            ),
            "teacher.second_moment",
        ),
        (
            "not-pd",
            format!(
                "{GOOD_X}{discrete}atoms = [ {{ weight = \"1\", beta = [\"1\", \"1\"] }} ]\n[population]\ncovariance = [[\"1\", \"1\"], [\"1\", \"1\"]]\n"
            ),
            "population.covariance",
        ),
        (
            "x-not-positive",
            format!(
                "model = \"shared\"\nx = [\"2\", \"-1\"]\ny = \"1\"\n{discrete}atoms = [ {{ weight = \"1\", beta = [\"1\", \"0\"] }} ]\n"
            ),
            "x[1]",
        ),
    ];
    for (name, text, field) in cases {
        let file = write(&dir, &format!("{name}.toml"), &text);
        for args in [vec!["solve", "--json"], vec!["certify", "-o"]] {
            let out_file = dir.join(format!("{name}.claim.toml"));
            let mut cmd = bin();
            cmd.arg(args[0]).arg(&file).arg(args[1]);
            if args[0] == "certify" {
                cmd.arg(&out_file);
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name}: {err}");
            assert!(out.stdout.is_empty(), "{name}: stdout not empty");
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{name}: not one line: {err}"
            );
            assert!(
                err.contains(&format!("field `{field}`"))
                    && err.contains(&file.display().to_string()),
                "{name}: {err}"
            );
            assert!(!out_file.exists(), "{name}: certify left an output file");
        }
    }
}

#[test]
fn solve_json_has_the_generalization_object() {
    let dir = scratch("solve");
    let file = write(
        &dir,
        "d2.toml",
        &format!(
            "{GOOD_X}[teacher]\nkind = \"moments\"\nmean = [\"1/2\", \"1/2\"]\nsecond_moment = [[\"1/2\", \"0\"], [\"0\", \"1/2\"]]\n"
        ),
    );
    let out = bin().args(["solve", "--json"]).arg(&file).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = &v["generalization"];
    // Hand values of tests/suite/generalization.rs (same M2 = I/2 as atoms e_0, e_1 with weight 1/2).
    assert_eq!(g["min_norm"], "5/8");
    assert_eq!(g["min_sharpness"], "5/2");
    assert_eq!(g["margin_norm"], "1/8");
    assert_eq!(g["margin_sharpness"], "2");
    assert_eq!(g["front_best"]["value"], "1/2");
    assert_eq!(g["front_best"]["c"], serde_json::json!(["2/5", "1/5"]));
    assert_eq!(g["best_linear"]["value"], "1/2");
    assert!(
        g.get("bayes").is_none(),
        "no Bayes learner for a moments prior"
    );
    // The discrete prior with the same M2: same linear-rule errors, and labels 2 and 1 identify
    // the teacher, so the Bayes error is 0.
    let out = bin()
        .args(["solve", "--json", "proofs/t1g-d2-neither-bias.toml"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["generalization"]["front_best"]["value"], "1/2");
    assert_eq!(v["generalization"]["bayes"]["value"], "0");
}

fn search(jobs: &str, out: &Path) -> serde_json::Value {
    let o = bin()
        .args([
            "search",
            "--claim",
            "neither-bias",
            "--seed",
            "5",
            "--min-dim",
            "2",
            "--max-dim",
            "3",
            "--count",
            "2",
            "--max-samples",
            "600",
            "--json",
            "--jobs",
            jobs,
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn search_is_deterministic_across_thread_counts_and_writes_verified_files() {
    let (a, b) = (scratch("search1"), scratch("search2"));
    let one = search("1", &a);
    let two = search("2", &b);
    for key in ["samples", "holds", "hits"] {
        assert_eq!(one[key], two[key], "{key} differs between 1 and 2 threads");
    }
    assert_eq!(one["hits"].as_array().map(Vec::len), Some(2));
    let check = bin().arg("check").arg(&a).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("neither-bias"));
}
