//! `[init]`: the named starts (`u`, `v` for the two-block models) and which zero parameters are
//! allowed: exactly those GD can move (issue 26 item 1).

use crate::common::{run, temp_dir};
use dlncheck::numeric::rational::Q;
use dlncheck_kernel::instance::{Model, frozen_parameter};
use proptest::prelude::*;
use serde_json::Value;

fn write(name: &str, text: &str) -> String {
    let path = temp_dir(&format!("init-{name}")).join(format!("{name}.toml"));
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8").to_string()
}

/// `gd` on the instance `text` is refused: exit 2 and one line holding every needle.
fn refused(name: &str, text: &str, needles: &[&str]) {
    let f = write(name, text);
    let out = run(&["gd", &f, "--lr", "1/100", "--steps", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
}

#[test]
fn uv_starts_from_v0_zero_and_v_moves_in_one_exact_step() {
    // x = (3, 1/2, 2), y = 5, u0 = 1/7·1, v0 = 0: r0 = −5, so by hand one step at η = 1/100
    // gives v1 = −η·r0·x⊙u0 = x/140 and u1 = u0 − η·r0·x⊙v0 = u0.
    let f = write(
        "uv-v0",
        "model = \"uv\"\nx = [\"3\", \"1/2\", \"2\"]\ny = \"5\"\n[init]\nu = \"1/7\"\nv = \"0\"\n",
    );
    let out = run(&[
        "gd",
        &f,
        "--lr",
        "1/100",
        "--steps",
        "1",
        "--precision",
        "exact",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["final"]["v"],
        serde_json::json!(["3/140", "1/280", "1/70"])
    );
    assert_eq!(v["final"]["u"], serde_json::json!(["1/7", "1/7", "1/7"]));
}

#[test]
fn uv_with_v0_zero_converges_at_several_points() {
    let f = write(
        "uv-points",
        "model = \"uv\"\nX = [[\"1\", \"2\", \"0\"], [\"0\", \"1\", \"3\"]]\ny = [\"2\", \"3\"]\n\
         [init]\nu = \"1/10\"\nv = \"0\"\n",
    );
    let out = run(&["gd", &f, "--lr", "1/20", "--steps", "20000", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["converged"], true);
}

#[test]
fn a_uv_pair_of_zeros_is_refused_as_a_fixed_point() {
    refused(
        "uv-pair",
        "model = \"uv\"\nx = [\"3\", \"1/2\", \"2\"]\ny = \"5\"\n[init]\n\
         theta = [\"1\", \"0\", \"1\", \"1\", \"0\", \"1\"]\n",
        &["init.theta[1]", "fixed point"],
    );
}

#[test]
fn a_pm_zero_is_refused_with_the_pm_reason() {
    refused(
        "pm-zero",
        "model = \"pm\"\nx = [\"3\", \"1/2\", \"2\"]\ny = \"5\"\n[init]\nu = \"1/7\"\nv = \"0\"\n",
        &["init.theta[3]", "model pm"],
    );
}

#[test]
fn u_and_v_are_refused_for_a_one_block_model() {
    refused(
        "shared-uv",
        "model = \"shared\"\nx = [\"3\", \"1\"]\ny = \"5\"\n[init]\nu = \"1\"\nv = \"1\"\n",
        &["init.u", "uv and pm"],
    );
}

#[test]
fn u_without_v_is_refused() {
    refused(
        "uv-half",
        "model = \"uv\"\nx = [\"3\", \"1\"]\ny = \"5\"\n[init]\nu = \"1\"\n",
        &["init", "v"],
    );
}

/// One exact GD step of `uv` on one point from θ (by hand: u' = u − η·r·x⊙v, v' = v − η·r·x⊙u).
fn uv_step(x: &[Q], y: &Q, theta: &[Q], eta: &Q) -> Vec<Q> {
    let d = x.len();
    let r: Q = (0..d).map(|i| &x[i] * &theta[i] * &theta[d + i]).sum::<Q>() - y;
    let mut next = theta.to_vec();
    for i in 0..d {
        next[i] = &theta[i] - eta * &r * &x[i] * &theta[d + i];
        next[d + i] = &theta[d + i] - eta * &r * &x[i] * &theta[i];
    }
    next
}

proptest! {
    /// The law behind the rule for `uv`: with x_i ≠ 0 and r ≠ 0, a zero parameter moves in one
    /// step unless its partner is zero too, and a reported pair stays (0, 0).
    #[test]
    fn uv_frozen_parameters_are_exactly_the_ones_gd_cannot_move(
        theta in prop::collection::vec(prop_oneof![Just(0i64), -3i64..=3], 6),
        x in prop::collection::vec(prop_oneof![-3i64..=-1, 1i64..=3], 3),
    ) {
        let theta: Vec<Q> = theta.into_iter().map(|k| Q::from_integer(k.into())).collect();
        let x: Vec<Q> = x.into_iter().map(|k| Q::from_integer(k.into())).collect();
        // y far from ⟨x, β(θ)⟩ so that r ≠ 0.
        let y = Q::from_integer((1000).into());
        let next = uv_step(&x, &y, &theta, &Q::new(1.into(), 7.into()));
        let zero = Q::from_integer((0).into());
        let frozen = frozen_parameter(Model::Uv, &theta);
        let pairs: Vec<usize> = (0..3).filter(|&i| theta[i] == zero && theta[3 + i] == zero).collect();
        prop_assert_eq!(frozen.map(|(i, _)| i), pairs.first().copied());
        for i in 0..3 {
            let stays = next[i] == zero && next[3 + i] == zero;
            prop_assert_eq!(stays, pairs.contains(&i));
        }
        for k in 0..6 {
            let partner = if k < 3 { k + 3 } else { k - 3 };
            if theta[k] == zero && theta[partner] != zero {
                prop_assert!(next[k] != zero, "a zero with a non-zero partner must move");
            }
        }
    }
}
