//! Certified GD for several points (SPEC §5.3): on random small instances of `shared`, `pm` and
//! `uv` the certified box of β∞ contains the limit of an independent GD run written here (its own
//! loop on the model's own parameters, rounded to 2^-320 each step, run until ‖r‖ < 2^-110); the
//! kernel accepts the produced claim and rejects it with another rate; and `uv` GD is `pm` GD at
//! half the rate on ((u + v)/2, (u − v)/2), step by step in exact arithmetic.

use crate::common::{run, temp_dir, toml_list};
use dlncheck::numeric::rational::{Q, fmt_q};
use dlncheck_kernel::number::{parse_canonical, pow2};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::Value;

fn qq(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// β(θ) of the model on its own parameters θ = w or (u, v).
fn beta(model: &str, theta: &[Q], d: usize) -> Vec<Q> {
    (0..d)
        .map(|i| match model {
            "shared" => &theta[i] * &theta[i],
            "pm" => &theta[i] * &theta[i] - &theta[i + d] * &theta[i + d],
            _ => &theta[i] * &theta[i + d],
        })
        .collect()
}

/// One exact GD step θ − η∇L(θ), L = ‖Xβ(θ) − y‖²/(2n), from the model's own gradient.
fn step(model: &str, x: &[Vec<Q>], y: &[Q], theta: &[Q], eta: &Q) -> Vec<Q> {
    let (n, d) = (x.len(), x[0].len());
    let b = beta(model, theta, d);
    let r: Vec<Q> = (0..n)
        .map(|a| (0..d).map(|i| &x[a][i] * &b[i]).sum::<Q>() - &y[a])
        .collect();
    let g: Vec<Q> = (0..d)
        .map(|i| (0..n).map(|a| &x[a][i] * &r[a]).sum::<Q>())
        .collect();
    let f = eta / Q::from_integer((n as i64).into());
    let mut out = theta.to_vec();
    for i in 0..d {
        match model {
            "shared" => out[i] -= &f * Q::from_integer(2.into()) * &theta[i] * &g[i],
            "pm" => {
                out[i] -= &f * Q::from_integer(2.into()) * &theta[i] * &g[i];
                out[i + d] += &f * Q::from_integer(2.into()) * &theta[i + d] * &g[i];
            }
            _ => {
                out[i] -= &f * &theta[i + d] * &g[i];
                out[i + d] -= &f * &theta[i] * &g[i];
            }
        }
    }
    out
}

/// GD rounded to the grid 2^-320 after every step, until ‖r‖_∞ < 2^-110 (at most 400 000 steps).
fn reference_limit(model: &str, x: &[Vec<Q>], y: &[Q], theta: &[Q], eta: &Q) -> Vec<Q> {
    let grid = pow2(320);
    let mut t = theta.to_vec();
    for _ in 0..400_000 {
        t = step(model, x, y, &t, eta)
            .iter()
            .map(|v| (v * &grid).floor() / &grid)
            .collect();
        let b = beta(model, &t, x[0].len());
        let small = x.iter().zip(y).all(|(row, ya)| {
            let r: Q = row.iter().zip(&b).map(|(a, b)| a * b).sum::<Q>() - ya;
            r.abs() < pow2(-110)
        });
        if small {
            return b;
        }
    }
    panic!("the reference GD run did not converge");
}

fn instance_text(model: &str, x: &[Vec<Q>], y: &[Q]) -> String {
    let rows: Vec<String> = x.iter().map(|r| toml_list(r)).collect();
    format!(
        "model = \"{model}\"\nX = [{}]\ny = {}\n[init]\nalpha = \"1/10\"\n",
        rows.join(", "),
        toml_list(y)
    )
}

fn rational(v: &Value) -> Q {
    parse_canonical(v.as_str().expect("a rational string")).expect("canonical")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The certified box contains the independent limit, and the kernel accepts the claim.
    #[test]
    fn certified_box_holds_the_reference_limit(
        model in prop::sample::select(vec!["shared", "pm", "uv"]),
        d in 3usize..5,
        entries in prop::collection::vec(1i64..4, 8),
        teacher in prop::collection::vec(1i64..4, 4),
    ) {
        let n = 2;
        let x: Vec<Vec<Q>> = (0..n)
            .map(|a| (0..d).map(|i| qq(entries[(a * d + i) % 8] + 4 * (a == i) as i64, 1)).collect())
            .collect();
        let star: Vec<Q> = (0..d).map(|i| qq(teacher[i % 4], 2)).collect();
        let y: Vec<Q> = x.iter().map(|r| r.iter().zip(&star).map(|(a, b)| a * b).sum()).collect();
        // A flow-aligned rate: η·trace of (4/n)X diag(β*) Xᵀ = 1/2 (rounded to a short rational).
        let trace: Q = (0..d).map(|i| x.iter().map(|r| &r[i] * &r[i]).sum::<Q>() * &star[i]).sum::<Q>()
            * qq(4, n as i64);
        let eta = dlncheck_kernel::number::round(&(qq(1, 2) / trace), 8, false);
        let dir = temp_dir(&format!("gdn-{model}-{d}"));
        let file = dir.join("inst.toml");
        std::fs::write(&file, instance_text(model, &x, &y)).unwrap();
        let claim = dir.join("limit.claim.toml");
        let out = run(&["gd", file.to_str().unwrap(), "--lr", &fmt_q(&eta), "--certify", "--json",
            "--claim", claim.to_str().unwrap()]);
        prop_assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &json["certified"];
        prop_assert_eq!(&c["converged"], &Value::Bool(true), "{}", c);
        prop_assert!(c["residual"]["ell"].is_string() && c["residual"]["u"].is_string());
        let theta0 = vec![qq(1, 10); 2 * d];
        let limit = reference_limit(model, &x, &y, &theta0[..d * if model == "shared" { 1 } else { 2 }], &eta);
        let slack = pow2(-100);
        for (i, b) in c["beta"].as_array().unwrap().iter().enumerate() {
            let (lo, hi) = (rational(&b["lo"]), rational(&b["hi"]));
            prop_assert!(&lo - &slack <= limit[i] && limit[i] <= &hi + &slack,
                "β∞_{i} ≈ {} not in [{}, {}]", fmt_q(&limit[i]), fmt_q(&lo), fmt_q(&hi));
            prop_assert!(&hi - &lo <= pow2(-30) * (Q::one() + limit[i].abs()), "box {i} is tight");
        }
        // N = ‖θ∞‖² and S: the reference run's N lies in the box too (within the slack).
        let text = std::fs::read_to_string(&claim).unwrap();
        prop_assert!(dlncheck_kernel::check_text("limit", &text).unwrap().passed());
        let lr = format!("lr = \"{}\"", fmt_q(&eta));
        let other = text.replace(&lr, &format!("lr = \"{}\"", fmt_q(&(&eta * qq(255, 256)))));
        prop_assert_ne!(&other, &text);
        prop_assert!(!dlncheck_kernel::check_text("tampered", &other).unwrap().passed());
    }
}

/// uv GD at η on (u, v) and pm GD at η/2 on (a, b) = ((u + v)/2, (u − v)/2) give the same β at
/// every step (exact rationals, four steps, a start with u ≠ v).
#[test]
fn uv_is_pm_at_half_the_rate() {
    let x = vec![
        vec![qq(1, 1), qq(2, 1), qq(-1, 1)],
        vec![qq(0, 1), qq(1, 1), qq(3, 1)],
    ];
    let y = vec![qq(2, 1), qq(-1, 1)];
    let eta = qq(1, 7);
    let mut uv = vec![qq(1, 2), qq(1, 3), qq(-1, 5), qq(1, 4), qq(2, 3), qq(1, 5)];
    let half = qq(1, 2);
    let mut ab: Vec<Q> = (0..3)
        .map(|i| (&uv[i] + &uv[i + 3]) * &half)
        .chain((0..3).map(|i| (&uv[i] - &uv[i + 3]) * &half))
        .collect();
    for _ in 0..4 {
        uv = step("uv", &x, &y, &uv, &eta);
        ab = step("pm", &x, &y, &ab, &(&eta * &half));
        assert_eq!(beta("uv", &uv, 3), beta("pm", &ab, 3));
        for i in 0..3 {
            assert_eq!(&uv[i] + &uv[i + 3], &ab[i] * Q::from_integer(2.into()));
        }
    }
    assert!(!beta("uv", &uv, 3).iter().all(Q::is_zero));
}

/// A model without a §5.3 theorem and a missing data shape are refused before any work.
#[test]
fn shared_depth_at_several_points_is_refused() {
    let dir = temp_dir("gdn-depth");
    let file = dir.join("inst.toml");
    std::fs::write(
        &file,
        "model = \"shared-depth\"\ndepth = 3\nX = [[\"1\", \"2\"], [\"2\", \"1\"]]\ny = [\"1\", \"1\"]\n",
    )
    .unwrap();
    let out = run(&[
        "gd",
        file.to_str().unwrap(),
        "--lr",
        "1/10",
        "--certify",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("shared, pm or uv"));
}

/// `sweep --certify` at n > 1: one certified row per rate, the CSV bounds around the float S.
#[test]
fn sweep_certifies_each_rate_at_several_points() {
    let dir = temp_dir("gdn-sweep");
    let out = run(&[
        "sweep",
        "proofs/instances/sparse-d10-n4.toml",
        "--lr-from",
        "1/50",
        "--lr-to",
        "1/40",
        "--points",
        "2",
        "--steps",
        "4000",
        "--out",
        dir.to_str().unwrap(),
        "--certify",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r[col("certified")], "true", "{r:?}");
        let (lo, hi, s): (f64, f64, f64) = (
            r[col("sharpness_lo")].parse().unwrap(),
            r[col("sharpness_hi")].parse().unwrap(),
            r[col("sharpness")].parse().unwrap(),
        );
        // The float endpoint after ≤ 4000 steps is within 1e-6 of the limit here (loss ~ 1e-20).
        assert!(lo <= hi && lo - 1e-6 < s && s < hi + 1e-6, "{lo} {s} {hi}");
        assert!(hi - lo < 1e-6);
    }
}
