//! The real binary on real files: bad input gets one line naming the file, field and reason,
//! a non-zero exit, no panic and no output file; huge exact numbers work.

use crate::common::{run, temp_dir};
use std::path::Path;

/// Runs `solve --json` and `certify -o` on `body` and checks the error contract.
fn assert_bad(name: &str, body: &str, field: &str, reason: &str) {
    let dir = temp_dir(&format!("bad-{name}"));
    let file = dir.join(if body.trim_start().starts_with('{') {
        format!("{name}.json")
    } else {
        format!("{name}.toml")
    });
    std::fs::write(&file, body).unwrap();
    let out_claim = dir.join("out.claim.toml");
    for args in [
        vec!["solve", file.to_str().unwrap(), "--json"],
        vec![
            "certify",
            file.to_str().unwrap(),
            "-o",
            out_claim.to_str().unwrap(),
        ],
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: {args:?} exit code; stderr: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{name}: one line, got {stderr:?}"
        );
        assert!(
            stderr.contains(file.to_str().unwrap()),
            "{name}: names the file: {stderr}"
        );
        assert!(
            stderr.contains(field),
            "{name}: names the field `{field}`: {stderr}"
        );
        assert!(stderr.contains(reason), "{name}: says `{reason}`: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: no panic");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != file.file_name().unwrap())
        .collect();
    assert!(
        leftovers.is_empty(),
        "{name}: no output or temp file left: {leftovers:?}"
    );
}

#[test]
fn malformed_toml_and_json() {
    assert_bad(
        "toml-syntax",
        "model = \"shared\"\nx = [\"1\",\n",
        "",
        "malformed TOML",
    );
    assert_bad(
        "json-syntax",
        "{\"model\": \"shared\", \"x\": [\"1\"], \"y\": }",
        "",
        "malformed JSON",
    );
}

#[test]
fn a_long_list_reports_its_first_bad_entry() {
    // Lists of 10^4 entries or more are parsed on all cores; the error must still name the first
    // bad entry, whichever thread met it first.
    let x: Vec<String> = (0..20_000)
        .map(|i| match i {
            12_345 => "\"1/0\"".to_string(),
            19_000 => "\"oops\"".to_string(),
            _ => format!("\"{}/7\"", i + 1),
        })
        .collect();
    assert_bad(
        "long-list",
        &format!("model = \"shared\"\nx = [{}]\ny = \"1\"\n", x.join(", ")),
        "x[12345]",
        "zero denominator",
    );
}

#[test]
fn non_rational_and_zero_denominator() {
    assert_bad(
        "not-rational",
        "model = \"shared\"\nx = [\"1/2\", \"abc\"]\ny = \"1\"\n",
        "x[1]",
        "not a rational",
    );
    assert_bad(
        "zero-den",
        "model = \"shared\"\nx = [\"1/2\", \"3\"]\ny = \"3/0\"\n",
        "`y`",
        "zero denominator",
    );
    assert_bad(
        "float-literal",
        "model = \"shared\"\nx = [0.5, \"3\"]\ny = \"1\"\n",
        "x[0]",
        "inexact",
    );
}

#[test]
fn y_zero_and_empty_p() {
    assert_bad(
        "y-zero",
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"0\"\n",
        "`y`",
        "y = 0",
    );
    assert_bad(
        "p-empty",
        "model = \"shared\"\nx = [\"-1\", \"0\", \"-2\"]\ny = \"1\"\n",
        "`x`",
        "P is empty",
    );
    assert_bad(
        "uv-zero-x",
        "model = \"uv\"\nx = [\"0\", \"0\"]\ny = \"1\"\n",
        "`x`",
        "infeasible",
    );
}

#[test]
fn dimension_mismatches_and_unknown_model() {
    assert_bad(
        "ragged-x",
        "model = \"shared\"\nX = [[\"1\", \"2\"], [\"3\"]]\ny = [\"1\", \"2\"]\n",
        "X[1]",
        "row 1 has 1 entries",
    );
    assert_bad(
        "y-length",
        "model = \"shared\"\nX = [[\"1\", \"2\"], [\"3\", \"4\"]]\ny = [\"1\"]\n",
        "`y`",
        "2 rows",
    );
    assert_bad(
        "init-length",
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"1\"\n[init]\ntheta = [\"1\"]\n",
        "init.theta",
        "expected 2 entries",
    );
    assert_bad(
        "teacher-length",
        "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"1\"\n[teacher]\nkind = \"discrete\"\natoms = [{ weight = \"1\", beta = [\"1\"] }]\n",
        "teacher.atoms[0].beta",
        "expected 2 entries",
    );
    assert_bad(
        "model",
        "model = \"deep\"\nx = [\"1\", \"2\"]\ny = \"1\"\n",
        "`model`",
        "unknown model",
    );
    assert_bad(
        "unknown-field",
        "model = \"shared\"\nx = [\"1\"]\ny = \"1\"\nlearning_rate = \"1\"\n",
        "learning_rate",
        "unknown key",
    );
    assert_bad(
        "several-points",
        "model = \"shared\"\nX = [[\"1\", \"2\"], [\"3\", \"4\"]]\ny = [\"1\", \"2\"]\n",
        "`X`",
        "one data point",
    );
}

#[test]
fn thousand_digit_numbers_work_exactly() {
    let dir = temp_dir("huge");
    let big = format!("1{}", "7".repeat(999)); // 1000 digits
    let den = format!("3{}", "1".repeat(998)); // 999 digits
    let file = dir.join("huge.toml");
    std::fs::write(
        &file,
        format!("model = \"shared\"\nx = [\"{big}/{den}\", \"{den}\"]\ny = \"{big}\"\n"),
    )
    .unwrap();
    let out = run(&["solve", file.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // x_1 = den > x_0 = big/den (≈ 5.7), so min N = y/x_1 = big/den and inf S = 4·y·x_0 = 4·big²/den,
    // computed here with num-bigint directly (reduced: gcd(big, den) checked below).
    let b: num_bigint::BigInt = big.parse().unwrap();
    let d: num_bigint::BigInt = den.parse().unwrap();
    assert_eq!(num_integer::Integer::gcd(&b, &d), 1.into());
    assert_eq!(v["min_norm"]["value"], format!("{big}/{den}"));
    assert_eq!(
        v["min_sharpness"]["value"],
        format!("{}/{}", 4 * &b * &b, d)
    );
    let claim = dir.join("huge.claim.toml");
    let out = run(&[
        "certify",
        file.to_str().unwrap(),
        "-o",
        claim.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(
        run(&["check", claim.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

#[test]
fn check_exit_codes() {
    let dir = temp_dir("check-codes");
    let proofs = Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/hand-d2.claim.toml");
    let good = std::fs::read_to_string(&proofs).unwrap();
    assert_eq!(
        run(&["check", proofs.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let tampered = dir.join("tampered.claim.toml");
    std::fs::write(&tampered, good.replace("value = \"16\"", "value = \"15\"")).unwrap();
    let out = run(&["check", tampered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("REJECTED"));
    let malformed = dir.join("malformed.claim.toml");
    std::fs::write(&malformed, good.replace("version = 2", "version = 7")).unwrap();
    let out = run(&["check", malformed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("field `version`"));
    assert_eq!(
        run(&["check", dir.join("missing.claim.toml").to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    let unreadable_number = dir.join("bad-number.claim.toml");
    std::fs::write(
        &unreadable_number,
        good.replace("dual = \"4\"", "dual = \"four\""),
    )
    .unwrap();
    let out = run(&["check", unreadable_number.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("claim[1].dual"));
}

#[test]
fn certify_into_a_missing_folder_fails_cleanly() {
    let dir = temp_dir("certify-missing");
    let input =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/instances/paper-positive-distinct.toml");
    let out_path = dir.join("no-such-dir/out.claim.toml");
    let out = run(&[
        "certify",
        input.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "nothing written"
    );
}

/// Runs the binary with stdout redirected to `target` (e.g. /dev/full) and stdin closed.
fn run_to(args: &[&str], target: &str) -> std::process::Output {
    let out = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .expect("open target");
    std::process::Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args(args)
        .stdout(out)
        .output()
        .expect("runs")
}

/// The inputs of issue 9 that panicked or hung, each now a one-line error with exit 2.
#[test]
fn attacker_inputs_end_with_one_line_and_exit_2() {
    let dir = temp_dir("attacks");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let expect_2 = |args: &[&str], needle: &str| {
        let start = std::time::Instant::now();
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: one line: {err}"
        );
        assert!(
            err.contains(needle) && !err.contains("panicked"),
            "{args:?}: `{needle}` in {err}"
        );
        assert!(start.elapsed().as_secs() < 30, "{args:?} answered at once");
    };
    // A misspelled key was silently ignored (Σ = I assumed).
    let misspelled = write(
        "misspelled.toml",
        "model = \"shared\"\nx = [\"2\", \"1\"]\ny = \"1\"\n[teacher]\nkind = \"discrete\"\natoms = [{ weight = \"1\", beta = [\"1\", \"1\"] }]\n[population]\ncovarianse = [[\"2\", \"0\"], [\"0\", \"1\"]]\n",
    );
    expect_2(&["solve", &misspelled, "--json"], "population.covarianse");
    // A claim file with y = 0 in the several-points form panicked `check`.
    let y0 = write(
        "y0.claim.toml",
        "version = 2\n[instance]\nmodel = \"shared\"\nX = [[\"2\", \"1\"]]\ny = [\"0\"]\n[[claim]]\nkind = \"t2-min-norm\"\nbeta = [\"0\", \"0\"]\nvalue = \"0\"\ndual = [\"0\"]\nslack = [\"1\", \"1\"]\n",
    );
    expect_2(&["check", &y0], "y = 0");
    // P empty made `sweep` and `gd --checks` run forever.
    let p_empty = write(
        "p-empty.toml",
        "model = \"shared\"\nx = [\"2\", \"3\"]\ny = \"-1\"\n",
    );
    let out_dir = dir.join("sweep-out").display().to_string();
    expect_2(
        &[
            "sweep",
            &p_empty,
            "--lr-from",
            "0.01",
            "--lr-to",
            "0.1",
            "--points",
            "4",
            "--out",
            &out_dir,
        ],
        "P is empty",
    );
    expect_2(
        &[
            "gd", &p_empty, "--lr", "0.01", "--steps", "100", "--checks", "--json",
        ],
        "P is empty",
    );
    assert!(
        !Path::new(&out_dir).exists(),
        "no output folder for refused input"
    );
    // A .npy header with shape (2^61, 1) overflowed.
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, 1), }}",
        1u64 << 61
    );
    let padded = format!("{header:<118}\n");
    npy.extend_from_slice(&(padded.len() as u16).to_le_bytes());
    npy.extend_from_slice(padded.as_bytes());
    npy.extend_from_slice(&[0u8; 16]);
    let npy_path = dir.join("huge.npy");
    std::fs::write(&npy_path, npy).unwrap();
    expect_2(
        &[
            "sharpness",
            "--matrix",
            npy_path.to_str().unwrap(),
            "--json",
        ],
        "shape",
    );
    // A number far beyond the limit in a claim file is refused at once.
    let huge = write(
        "huge.claim.toml",
        &format!(
            "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"1\"]\ny = \"{}\"\n[[claim]]\nkind = \"conflict\"\nratio = \"2\"\ncoincide = false\n",
            "1e100000"
        ),
    );
    expect_2(&["check", &huge], "canonical");
}

#[test]
fn a_full_or_closed_stdout_ends_with_exit_2() {
    let proofs = Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/hand-d2.claim.toml");
    let instance =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/instances/paper-positive-distinct.toml");
    for args in [
        vec!["check", proofs.to_str().unwrap()],
        vec!["solve", instance.to_str().unwrap(), "--json"],
        vec!["solve", instance.to_str().unwrap()],
    ] {
        let out = run_to(&args, "/dev/full");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A closed pipe: the reader goes away before the writer is done.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args([
            "check",
            "--json",
            proofs.parent().unwrap().to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn an_output_that_is_not_a_regular_file_is_never_replaced() {
    let dir = temp_dir("special-out");
    let input =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/instances/paper-positive-distinct.toml");
    // A character device is written through and stays a device.
    let out = run(&["certify", input.to_str().unwrap(), "-o", "/dev/null"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A symlink is refused, and its target is untouched.
    let target = dir.join("target.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.join("link.claim.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = run(&[
        "certify",
        input.to_str().unwrap(),
        "-o",
        link.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A directory is refused too.
    let out = run(&[
        "certify",
        input.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
