//! A `[test]` section of held-out points (SPEC §7, researchers' columns): `gd --json` gains
//! `final.test_loss` and `sweep` a `test_loss` column, ‖X_test β − y_test‖²/(2 n_test) at the
//! endpoint, exactly; the points are inline exact rationals or a NumPy archive beside the file.

use crate::common::json_q as q;
use crate::common::{npy, run, temp_dir, zip};
use dlncheck::numeric::rational::Q;
use std::path::Path;

const DATA: &str = "model = \"uv\"\nX = [[\"1\", \"2\", \"0\"], [\"0\", \"1\", \"-1\"]]\ny = [\"1\", \"-1/2\"]\n[init]\nu = \"1/2\"\nv = \"1/4\"\n";
/// Three held-out points: exact binary values, so the archive below holds the same numbers.
const TEST_X: [[f64; 3]; 3] = [[0.5, -1.0, 2.0], [1.0, 0.25, 0.0], [-3.0, 1.0, 0.75]];
const TEST_Y: [f64; 3] = [1.5, -0.5, 2.0];

fn inline() -> String {
    let row = |r: &[f64; 3]| format!("[\"{}\", \"{}\", \"{}\"]", r[0], r[1], r[2]);
    format!(
        "{DATA}[test]\nX = [{}]\ny = [{}]\n",
        TEST_X.iter().map(row).collect::<Vec<_>>().join(", "),
        TEST_Y
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn archive(dir: &Path, name: &str, arrays: &[(&str, Vec<Vec<f64>>)]) {
    let entries: Vec<(String, Vec<u8>)> = arrays
        .iter()
        .map(|(k, m)| (format!("{k}.npy"), npy(m)))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(k, b)| (k.as_str(), b.clone()))
        .collect();
    std::fs::write(dir.join(name), zip(&refs)).unwrap();
}

fn gd(file: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["gd", file, "--lr", "1/10", "--steps", "50", "--json"];
    args.extend(extra);
    crate::common::run_json(&args)
}

#[test]
fn the_test_loss_is_the_held_out_loss_of_the_exact_endpoint() {
    let dir = temp_dir("held-out-inline");
    let file = write(&dir, "i.toml", &inline());
    let g = gd(&file, &[]);
    let beta: Vec<Q> = g["final"]["beta_exact"]
        .as_array()
        .unwrap()
        .iter()
        .map(q)
        .collect();
    // By hand: Σ_j (⟨x_j, β⟩ − y_j)² / (2·3), in exact arithmetic.
    let exact = |v: f64| Q::from_float(v).unwrap();
    let mut total = Q::from_integer(0.into());
    for (row, yj) in TEST_X.iter().zip(TEST_Y) {
        let r: Q = row.iter().zip(&beta).map(|(x, b)| exact(*x) * b).sum::<Q>() - exact(yj);
        total += &r * &r;
    }
    let expected = total / Q::from_integer(6.into());
    let printed = q(&g["final"]["test_loss"]);
    let rel = (printed - &expected) / &expected;
    assert!(
        rel.clone() * rel < Q::new(1.into(), 10i64.pow(30).into()),
        "17 digits"
    );
    // Without [test] there is no key (never null).
    let plain = gd(&write(&dir, "p.toml", DATA), &[]);
    assert!(plain["final"].get("test_loss").is_none());
}

#[test]
fn an_npz_archive_gives_the_same_test_loss_as_the_same_points_inline() {
    let dir = temp_dir("held-out-npz");
    let inline = gd(&write(&dir, "i.toml", &inline()), &[]);
    let x: Vec<Vec<f64>> = TEST_X.iter().map(|r| r.to_vec()).collect();
    // y as a column (n × 1): a vector in either shape.
    let y: Vec<Vec<f64>> = TEST_Y.iter().map(|v| vec![*v]).collect();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    archive(&dir.join("data"), "held.npz", &[("X", x), ("y", y)]);
    // The archive's path is relative to the instance file, not to the working folder.
    let file = write(
        &dir,
        "n.toml",
        &format!("{DATA}[test]\nnpz = \"data/held.npz\"\n"),
    );
    let from_npz = gd(&file, &[]);
    assert_eq!(from_npz["final"]["test_loss"], inline["final"]["test_loss"]);
    assert!(inline["final"]["test_loss"].is_string());
}

/// Named arrays of an archive.
type Arrays<'a> = &'a [(&'a str, Vec<Vec<f64>>)];

fn refused(text: &str, files: &[(&str, Arrays)], needle: &str) {
    let dir = temp_dir("held-out-bad");
    for (name, arrays) in files {
        archive(&dir, name, arrays);
    }
    let file = write(&dir, "bad.toml", text);
    let out = run(&["gd", &file, "--lr", "1/10", "--steps", "5"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains(needle),
        "{text}: `{err}` should mention `{needle}`"
    );
}

#[test]
fn malformed_held_out_points_are_one_line_errors() {
    let good_x = vec![vec![1.0, 2.0, 3.0]];
    let good_y = vec![vec![1.0]];
    // A row of the wrong dimension names test.X.
    refused(
        &format!("{DATA}[test]\nX = [[\"1\", \"2\"]]\ny = [\"1\"]\n"),
        &[],
        "test.X[0]",
    );
    refused(
        &format!("{DATA}[test]\nX = [[\"1\", \"2\", \"3\"]]\ny = [\"1\", \"2\"]\n"),
        &[],
        "test.y",
    );
    refused(
        &format!("{DATA}[test]\nX = [[\"1\", \"2\", \"3\"]]\ny = [\"1\"]\nw = \"1\"\n"),
        &[],
        "test.w",
    );
    refused(
        &format!("{DATA}[test]\nnpz = \"a.npz\"\ny = [\"1\"]\n"),
        &[("a.npz", &[])],
        "test.y",
    );
    refused(
        &format!("{DATA}[test]\nnpz = \"missing.npz\"\n"),
        &[],
        "test.npz",
    );
    refused(
        &format!("{DATA}[test]\nnpz = \"a.npz\"\n"),
        &[(
            "a.npz",
            &[
                ("X", good_x.clone()),
                ("y", good_y.clone()),
                ("z", good_y.clone()),
            ],
        )],
        "unexpected array `z`",
    );
    refused(
        &format!("{DATA}[test]\nnpz = \"a.npz\"\n"),
        &[("a.npz", &[("X", good_x.clone())])],
        "needs the arrays `X` and `y`",
    );
    refused(
        &format!("{DATA}[test]\nnpz = \"a.npz\"\n"),
        &[("a.npz", &[("X", vec![vec![1.0, 2.0]]), ("y", good_y)])],
        "test.X[0]",
    );
}

#[test]
fn sweep_has_the_test_loss_of_each_rate() {
    let dir = temp_dir("held-out-sweep");
    let file = write(&dir, "i.toml", &inline());
    let out = dir.join("sweep").display().to_string();
    let o = run(&[
        "sweep",
        &file,
        "--lr-from",
        "1/20",
        "--lr-to",
        "1/10",
        "--points",
        "2",
        "--steps",
        "50",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("sweep/sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "test_loss")
        .expect("test_loss column");
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep/sweep.json")).unwrap())
            .unwrap();
    for (k, line) in csv.lines().skip(1).enumerate() {
        let row = &sweep["rows"][k];
        let o = run(&[
            "gd",
            &file,
            "--lr",
            row["lr"].as_str().unwrap(),
            "--steps",
            "50",
            "--json",
        ]);
        let g: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(line.split(',').nth(col).unwrap(), g["final"]["test_loss"]);
        assert_eq!(row["test_loss"], g["final"]["test_loss"]);
    }
    assert!(dir.join("sweep/test_loss.svg").exists() && dir.join("sweep/test_loss.png").exists());
    assert!(dir.join("sweep/beta_l1.svg").exists() && dir.join("sweep/beta_l1.png").exists());
}
