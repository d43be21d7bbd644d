//! A teacher at n > 1 points (SPEC §5.4): the atoms' labels y_a = Xβ*_a, and the float GD
//! learner's expected error E = Σ_a p_a G(β_GD(y_a); β*_a), G(β; β*) = (β − β*)ᵀΣ(β − β*), which
//! `sweep` reports as `gen_error` (one float run per atom). Checked on a run computed by hand,
//! and against `gd` runs on each atom's labels with G summed in the test.

use crate::common::{run, temp_dir};
use dlncheck::dynamics::gd::{Points, Precision};
use dlncheck::io::instance::{Teacher, Tree, parse_instance};
use dlncheck::numeric::rational::{Q, parse_q};

fn instance(text: &str) -> dlncheck::io::instance::Instance {
    let tree: Tree = dlncheck_kernel::tree::parse_text("t.toml", text).unwrap();
    parse_instance("t.toml", &tree).unwrap()
}

fn q(s: &str) -> Q {
    parse_q(s).unwrap()
}

#[test]
fn one_exact_step_gives_the_hand_computed_expected_error() {
    // shared, X = I (2 points in d = 2), w0 = 1, η = 1/2, Σ = diag(2, 1).
    // Atom (2, 0): y = (2, 0), r = β − y = (−1, 1), g = Xᵀr = (−1, 1), w ← w(1 − (2η/n)g) =
    // (3/2, 1/2), β = (9/4, 1/4), G = 2·(1/4)² + (1/4)² = 3/16.
    // Atom (1, 1): y = (1, 1) = β0, r = 0, β stays (1, 1), G = 0. E = ½·3/16 + ½·0 = 3/32.
    let inst = instance(
        "model = \"shared\"\nX = [[\"1\", \"0\"], [\"0\", \"1\"]]\ny = [\"1\", \"2\"]\n[init]\nalpha = \"1\"\n\
         [teacher]\nkind = \"discrete\"\natoms = [{ weight = \"1/2\", beta = [\"2\", \"0\"] }, { weight = \"1/2\", beta = [\"1\", \"1\"] }]\n\
         [population]\ncovariance = [[\"2\", \"0\"], [\"0\", \"1\"]]\n",
    );
    let Some(Teacher::Discrete { atoms }) = &inst.teacher else {
        panic!("a discrete teacher")
    };
    let points = Points::of(&inst).unwrap();
    let mut o =
        dlncheck::report::gd::options(q("1/2"), 1, Precision::Exact, Some("0"), false).unwrap();
    o.sgd = None;
    let e = dlncheck::dynamics::eos::learner_error_points(
        &points,
        atoms,
        &inst.sigma(),
        Precision::Exact,
        &o,
    );
    assert_eq!(e, Some(q("3/32")));
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn sweep_gen_error_is_the_weighted_g_of_gd_runs_on_each_atoms_labels() {
    let dir = temp_dir("teacher-points");
    let x = [["1", "2", "0"], ["0", "1", "-1"]];
    let atoms = [("1/4", ["1", "-1", "0"]), ("3/4", ["0", "1/2", "2"])];
    let list = |v: &[&str]| {
        format!(
            "[{}]",
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let rows = x.iter().map(|r| list(r)).collect::<Vec<_>>().join(", ");
    let head = |y: &[String]| {
        let y: Vec<&str> = y.iter().map(String::as_str).collect();
        format!(
            "model = \"uv\"\nX = [{rows}]\ny = {}\n[init]\nu = \"1/2\"\nv = \"0\"\n",
            list(&y)
        )
    };
    let xq: Vec<Vec<Q>> = x.iter().map(|r| r.iter().map(|s| q(s)).collect()).collect();
    let labels = |star: &[&str]| -> Vec<String> {
        let star: Vec<Q> = star.iter().map(|s| q(s)).collect();
        xq.iter()
            .map(|r| dlncheck::numeric::rational::fmt_q(&dot(r, &star)))
            .collect()
    };
    let teacher = format!(
        "[teacher]\nkind = \"discrete\"\natoms = [{}]\n",
        atoms
            .iter()
            .map(|(w, b)| format!("{{ weight = \"{w}\", beta = {} }}", list(b)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let file = dir.join("t.toml");
    std::fs::write(&file, head(&labels(&atoms[0].1)) + &teacher).unwrap();
    let out = dir.join("sweep");
    let o = run(&[
        "sweep",
        file.to_str().unwrap(),
        "--lr-from",
        "1/10",
        "--lr-to",
        "1/5",
        "--points",
        "2",
        "--steps",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .split(',')
            .any(|h| h == "gen_error")
    );
    assert!(out.join("gen_error.svg").exists());
    for row in sweep["rows"].as_array().unwrap() {
        let lr = row["lr"].as_str().unwrap();
        // The independent route: one `gd` run per atom on its own labels, G by hand (Σ = I).
        let mut e = Q::from_integer(0.into());
        for (k, (w, star)) in atoms.iter().enumerate() {
            let f = dir.join(format!("atom{k}.toml"));
            std::fs::write(&f, head(&labels(&star[..]))).unwrap();
            let g = run(&[
                "gd",
                f.to_str().unwrap(),
                "--lr",
                lr,
                "--steps",
                "300",
                "--json",
            ]);
            let g: serde_json::Value = serde_json::from_slice(&g.stdout).unwrap();
            let beta: Vec<Q> = g["final"]["beta_exact"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| q(v.as_str().unwrap()))
                .collect();
            let diff: Vec<Q> = beta
                .iter()
                .zip(star.iter())
                .map(|(b, s)| b - q(s))
                .collect();
            e += q(w) * dot(&diff, &diff);
        }
        let printed = q(row["gen_error"].as_str().unwrap());
        let rel = (printed - &e) / &e;
        assert!(
            rel.clone() * rel < q("1e-30"),
            "lr {lr}: 17 digits of E = {e}"
        );
    }
}

fn refused(text: &str, needle: &str) {
    let tree: Tree = dlncheck_kernel::tree::parse_text("t.toml", text).unwrap();
    let err = parse_instance("t.toml", &tree).unwrap_err().to_string();
    assert!(err.contains(needle), "`{err}` should mention `{needle}`");
}

#[test]
fn a_teacher_at_several_points_is_a_discrete_prior_of_shared_uv_or_pm() {
    let data = "X = [[\"1\", \"2\"], [\"0\", \"1\"]]\ny = [\"1\", \"1\"]\n";
    refused(
        &format!(
            "model = \"uv\"\n{data}[teacher]\nkind = \"moments\"\nmean = [\"1\", \"0\"]\nsecond_moment = [[\"1\", \"0\"], [\"0\", \"0\"]]\n"
        ),
        "discrete prior of model shared, uv or pm",
    );
    refused(
        &format!(
            "model = \"shared-depth\"\ndepth = 3\n{data}[teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1\", beta = [\"1\", \"0\"] }}]\n"
        ),
        "discrete prior of model shared, uv or pm",
    );
    refused(
        &format!(
            "model = \"shared\"\n{data}[teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1\", beta = [\"1\", \"-1\"] }}]\n"
        ),
        "teacher.atoms[0].beta[1]",
    );
    refused(
        &format!(
            "model = \"pm\"\n{data}[teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1/2\", beta = [\"1\", \"-1\"] }}]\n"
        ),
        "weights sum to 1/2",
    );
    // A signed teacher of pm at n > 1 is fine; T1-G (solve) still needs one point `x`.
    let ok = format!(
        "model = \"pm\"\n{data}[teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1\", beta = [\"1\", \"-1\"] }}]\n"
    );
    let inst = instance(&ok);
    let err = dlncheck::theory::generalization::Setting::of(&inst)
        .unwrap_err()
        .to_string();
    assert!(err.contains("one data point"), "{err}");
}
