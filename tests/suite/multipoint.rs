//! Several data points (T2, SPEC §5): the exact simplex against brute-force vertex enumeration,
//! min-norm and min-sharpness on instances solved by hand, kernel re-checks, tampering, and
//! infeasible or singular input through the real binary.

use dlncheck::io::instance::JsonTree as _;
use dlncheck::io::instance::parse_instance;
use dlncheck_kernel::Outcome as Verdict;

/// The kernel's verdicts on a claim-file tree (checked as its JSON text).
fn check_tree(
    name: &str,
    file: &Value,
) -> Result<Vec<dlncheck_kernel::Verdict>, dlncheck_kernel::Error> {
    dlncheck_kernel::check_text(&format!("{name}.json"), &file.to_string()).map(|r| r.verdicts)
}
use dlncheck::numeric::rational::{Q, fmt_q, parse_q};
use dlncheck::numeric::simplex::{self, Lp, Outcome};
use dlncheck::theory::multipoint;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::process::Command;

fn q(s: &str) -> Q {
    parse_q(s).unwrap()
}

fn qi(v: i64) -> Q {
    Q::from_integer(v.into())
}

/// Solves the square system B x = b by Gauss–Jordan with row swaps; `None` if singular.
fn solve_square(b_mat: &[Vec<Q>], rhs: &[Q]) -> Option<Vec<Q>> {
    let m = rhs.len();
    let mut a: Vec<Vec<Q>> = b_mat
        .iter()
        .zip(rhs)
        .map(|(r, v)| r.iter().cloned().chain([v.clone()]).collect())
        .collect();
    for k in 0..m {
        let p = (k..m).find(|&i| !a[i][k].is_zero())?;
        a.swap(k, p);
        let piv = a[k][k].clone();
        a[k].iter_mut().for_each(|v| *v /= &piv);
        for i in 0..m {
            if i != k && !a[i][k].is_zero() {
                let f = a[i][k].clone();
                let rk = a[k].clone();
                a[i].iter_mut().zip(&rk).for_each(|(v, r)| *v -= &f * r);
            }
        }
    }
    Some(a.into_iter().map(|r| r[m].clone()).collect())
}

/// The minimum of cᵀx over the basic feasible solutions (A has full row rank m), or `None`.
fn brute_force(lp: &Lp) -> Option<Q> {
    let m = lp.b.len();
    let n = lp.c.len();
    let mut best: Option<Q> = None;
    for mask in 0u32..(1 << n) {
        if mask.count_ones() as usize != m {
            continue;
        }
        let cols: Vec<usize> = (0..n).filter(|j| mask >> j & 1 == 1).collect();
        let b_mat: Vec<Vec<Q>> = (0..m)
            .map(|i| cols.iter().map(|&j| lp.a[i][j].clone()).collect())
            .collect();
        if let Some(xb) = solve_square(&b_mat, &lp.b)
            && xb.iter().all(|v| !v.is_negative())
        {
            let obj: Q = cols.iter().zip(&xb).map(|(&j, v)| &lp.c[j] * v).sum();
            if best.as_ref().is_none_or(|b| obj < *b) {
                best = Some(obj);
            }
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A = [I | R] (full row rank), c ≥ 0: the simplex optimum equals the best vertex, with a
    /// valid dual certificate; "infeasible" comes with a valid Farkas vector exactly when no
    /// vertex is feasible.
    #[test]
    fn simplex_matches_vertex_enumeration(m in 1usize..4, extra in 1usize..5, r in proptest::collection::vec(-4i64..5, 12), b in proptest::collection::vec(-5i64..6, 3), c in proptest::collection::vec(0i64..6, 8)) {
        let n = m + extra;
        let a: Vec<Vec<Q>> = (0..m).map(|i| (0..n).map(|j| if j < m { if i == j { Q::one() } else { Q::zero() } } else { qi(r[(i * extra + j - m) % r.len()]) }).collect()).collect();
        let lp = Lp { a: a.clone(), b: b[..m].iter().map(|&v| qi(v)).collect(), c: c[..n].iter().map(|&v| qi(v)).collect() };
        let brute = brute_force(&lp);
        match simplex::solve(&lp) {
            Outcome::Optimal(o) => {
                prop_assert_eq!(Some(o.value.clone()), brute);
                for i in 0..m {
                    let row: Q = (0..n).map(|j| &a[i][j] * &o.x[j]).sum();
                    prop_assert_eq!(&row, &lp.b[i]);
                }
                prop_assert!(o.x.iter().all(|v| !v.is_negative()) && o.reduced.iter().all(|v| !v.is_negative()));
                let by: Q = lp.b.iter().zip(&o.y).map(|(b, y)| b * y).sum();
                prop_assert_eq!(by, o.value);
            }
            Outcome::Infeasible(y) => {
                prop_assert!(brute.is_none());
                let by: Q = lp.b.iter().zip(&y).map(|(b, y)| b * y).sum();
                prop_assert!(by.is_positive());
                for j in 0..n {
                    let aty: Q = (0..m).map(|i| &a[i][j] * &y[i]).sum();
                    prop_assert!(!aty.is_positive());
                }
            }
            Outcome::Unbounded => prop_assert!(false, "c ≥ 0 cannot be unbounded"),
        }
    }
}

fn instance(text: &str) -> dlncheck::io::instance::Instance {
    let tree = dlncheck::io::instance::parse_tree("t.toml", text).unwrap();
    parse_instance("t.toml", &tree).unwrap()
}

const PATH3: &str =
    "model = \"shared\"\nX = [[\"1\", \"1\", \"0\"], [\"0\", \"1\", \"1\"]]\ny = [\"1\", \"1\"]\n";

#[test]
fn min_norm_by_hand() {
    // β1 + β2 = 1, β2 + β3 = 1, β ≥ 0: Σβ = 2 − β2 is least at β = (0, 1, 0), N = 1.
    let n = multipoint::min_norm(&instance(PATH3)).unwrap();
    assert_eq!(n.value, qi(1));
    assert_eq!(n.beta, vec![qi(0), qi(1), qi(0)]);
    // uv: N = 2‖β‖₁; with free β, β = (1 − t, t, 1 − t) has ‖β‖₁ ≥ 1 (at t = 1), so N = 2.
    let n = multipoint::min_norm(&instance(&PATH3.replace("shared", "uv"))).unwrap();
    assert_eq!(n.value, qi(2));
    // Redundant but consistent rows: 2·(row 0) = row 1.
    let n = multipoint::min_norm(&instance(
        "model = \"shared\"\nX = [[\"1\", \"1\"], [\"2\", \"2\"]]\ny = [\"1\", \"2\"]\n",
    ))
    .unwrap();
    assert_eq!(n.value, qi(1));
}

#[test]
fn min_sharpness_by_hand_and_the_conflict() {
    // β = (t, 1 − t, t), t ∈ [0, 1]: X diag(β) Xᵀ = [[1, 1 − t], [1 − t, 1]], λ_max = 2 − t,
    // S = (4/2)(2 − t): inf S = 2 at t = 1 (N = 2), while the min-norm point t = 0 has S = 4.
    let inst = instance(PATH3);
    let norm = multipoint::min_norm(&inst).unwrap();
    let b = multipoint::sharpness_bounds(&inst, &norm.beta, 30, &q("1e-12")).unwrap();
    assert!(
        b.lower <= qi(2) && qi(2) <= b.upper,
        "[{}, {}]",
        b.lower,
        b.upper
    );
    assert!(b.upper < q("2.01"), "upper {}", b.upper);
    let at_norm = dlncheck::spectra::certified::lambda_max(
        &multipoint::gram(&inst.x, &norm.beta),
        &q("1e-12"),
    );
    assert!(at_norm.lo <= qi(2) && qi(2) <= at_norm.hi);
    let claims = multipoint::claims(&inst, &norm, Some((&b, &at_norm)));
    assert_eq!(claims.len(), 4, "the conflict claim is emitted");
    let file = json!({"version": 2, "instance": dlncheck::io::instance::parse_tree("t.toml", PATH3).unwrap().to_json(), "claim": claims});
    assert!(all_verified(&file));
    tamper_every_number(&file);
}

fn all_verified(file: &Value) -> bool {
    check_tree("t", file)
        .map(|vs| vs.iter().all(|v| matches!(v.outcome, Verdict::Verified(_))))
        .unwrap_or(false)
}

fn tamper_every_number(file: &Value) {
    let claims = file["claim"].as_array().unwrap();
    let mut count = 0;
    for (ci, claim) in claims.iter().enumerate() {
        for (k, v) in claim.as_object().unwrap() {
            let mut slots: Vec<Vec<usize>> = Vec::new();
            match v {
                Value::String(s) if parse_q(s).is_ok() => slots.push(vec![]),
                Value::Array(a) => {
                    for (i, e) in a.iter().enumerate() {
                        match e {
                            Value::Array(r) => (0..r.len()).for_each(|j| slots.push(vec![i, j])),
                            _ => slots.push(vec![i]),
                        }
                    }
                }
                _ => {}
            }
            for s in slots {
                let mut t = file.clone();
                let mut slot = &mut t["claim"][ci][k];
                for &i in &s {
                    slot = &mut slot[i];
                }
                let old = q(slot.as_str().unwrap());
                *slot = json!(fmt_q(&(old + Q::new(1.into(), 7.into()))));
                assert!(
                    !all_verified(&t),
                    "claim {ci} field {k}{s:?} tampered still verifies"
                );
                count += 1;
            }
        }
    }
    assert!(count > 30);
}

fn tmp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dlncheck-multipoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn cli_writes_a_verified_claim_file() {
    let p = tmp("path3.toml", PATH3);
    let out_path = p.with_file_name("path3.claim.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .arg("multipoint")
        .arg(&p)
        .arg("--json")
        .arg("--claim")
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["min_norm"]["value"], "1");
    assert_eq!(v["conflict"]["sharpness"], true);
    assert_eq!(v["conflict"]["norm"], true);
    let check = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .arg("check")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
}

#[test]
fn infeasible_and_singular_systems_get_one_line_errors() {
    let cases = [
        (
            "neg.toml",
            "model = \"shared\"\nX = [[\"1\", \"0\"], [\"0\", \"1\"]]\ny = [\"1\", \"-1\"]\n",
            "no β ≥ 0 solves Xβ = y",
        ),
        (
            "sing.toml",
            "model = \"uv\"\nX = [[\"1\", \"1\"], [\"2\", \"2\"]]\ny = [\"1\", \"3\"]\n",
            "Xβ = y has no solution",
        ),
    ];
    for (name, text, reason) in cases {
        let p = tmp(name, text);
        let out = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
            .arg("multipoint")
            .arg(&p)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(reason) && err.contains(name) && err.contains("`y`"),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1);
    }
}
