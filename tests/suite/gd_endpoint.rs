//! `gd --json` reports the float run's endpoint θ exactly and the float sharpness bracket with
//! both ends (issue 10 item 3, issue 15 item 4); the exact θ goes straight into
//! `sharpness --instance --theta`, whose certified enclosure the float bracket must approach.

use crate::common::{json_q as q, run_json as json};
use dlncheck::numeric::rational::Q;
use num_traits::Signed;

#[test]
fn exact_theta_and_both_ends_of_the_float_bracket() {
    let g = json(&[
        "gd",
        "examples/eos.toml",
        "--lr",
        "1/25",
        "--steps",
        "5000",
        "--json",
    ]);
    let f = &g["final"];
    let theta: Vec<Q> = f["theta"].as_array().unwrap().iter().map(q).collect();
    assert_eq!(theta.len(), 3);
    // β = w⊙w from the exact θ, by hand, agrees with the printed β to the printed digits.
    for (w, b) in theta.iter().zip(f["beta"].as_array().unwrap()) {
        let beta = w * w;
        let printed = q(b);
        assert!(
            (&beta - &printed).abs() <= &beta * Q::new(1.into(), 1_000_000_000_000i64.into()),
            "{beta} vs {printed}"
        );
    }
    let (lo, s, hi) = (
        q(&f["sharpness_bracket"]["lo"]),
        q(&f["sharpness"]),
        q(&f["sharpness_bracket"]["hi"]),
    );
    assert!(lo <= s && s <= hi, "{lo} ≤ {s} ≤ {hi}");
    // The exact endpoint, certified: λ_max of ∇²L(θ) at the float run's θ.
    let list: Vec<&str> = f["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let c = json(&[
        "sharpness",
        "--instance",
        "examples/eos.toml",
        "--theta",
        &list.join(","),
        "--json",
    ]);
    let (clo, chi) = (q(&c["lambda_max"]["lo"]), q(&c["lambda_max"]["hi"]));
    let tol = &chi * Q::new(1.into(), 1_000_000_000i64.into());
    assert!(
        hi >= &clo - &tol && lo <= &chi + &tol,
        "float bracket [{lo}, {hi}] far from the certified [{clo}, {chi}]"
    );
}
