//! The certified gradient-flow limit (SPEC §5.2, `flow --certify`, claim kind `gf-limit`)
//! against independent routes: float gradient descent at small η (its limit tends to the flow's
//! as η → 0, for `shared`, `pm` and `uv`, which checks the `uv` → `pm` reduction), the
//! mirror-descent optimality condition log(β∞/β₀) ∈ range(Xᵀ), Xβ∞ = y in exact interval
//! arithmetic, the one-point flow of `theory::flow` (a bisection on ρ, another algorithm), the
//! kernel on random instances, and the reasons for a non-coercive Φ decided by hand.

use dlncheck::io::instance::{Instance, parse_instance};
use dlncheck::numeric::interval::Interval;
use dlncheck::numeric::rational::Q;
use dlncheck::numeric::scalar::q_to_f64;
use dlncheck::theory::flow_limit::{self, Limit, Outcome};
use proptest::prelude::*;

fn instance(text: &str) -> Instance {
    let tree = dlncheck_kernel::tree::parse_text("t.toml", text).expect("parses");
    parse_instance("t.toml", &tree).expect("valid instance")
}

fn width(s: &str) -> Q {
    dlncheck::numeric::rational::parse_q(s).unwrap()
}

fn certified(inst: &Instance, w: &str) -> Limit {
    let s = flow_limit::setup(inst).unwrap();
    match flow_limit::certify(&s, &width(w)) {
        Outcome::Certified(l) => *l,
        Outcome::NotCertified(why) => panic!("not certified: {why}"),
    }
}

fn reason(inst: &Instance) -> String {
    let s = flow_limit::setup(inst).unwrap();
    match flow_limit::certify(&s, &width("1e-20")) {
        Outcome::Certified(_) => panic!("certified a non-coercive instance"),
        Outcome::NotCertified(why) => why,
    }
}

/// The kernel's verdict on the claim file of a limit.
fn kernel_accepts(inst: &Instance, l: &Limit) -> bool {
    let file = dlncheck::report::flow::claim_file(inst, "t.toml", l);
    let r = dlncheck_kernel::check_text("t.json", &file.to_string()).expect("well formed");
    r.passed()
}

const SHARED: &str = "model = \"shared\"\nX = [[\"1\", \"2\", \"1/2\", \"1\"], [\"0\", \"1\", \"3\", \"-1\"]]\ny = [\"2\", \"3\"]\n[init]\nalpha = \"1/2\"\n";

/// Plain float GD (binary64), written here from SPEC §5.3's update rules, run to zero loss.
fn float_gd(model: &str, x: &[Vec<f64>], y: &[f64], theta: &[f64], eta: f64) -> Vec<f64> {
    let (n, d) = (x.len(), x[0].len());
    let mut t = theta.to_vec();
    for _ in 0..2_000_000 {
        let beta: Vec<f64> = (0..d)
            .map(|i| match model {
                "shared" => t[i] * t[i],
                "pm" => t[i] * t[i] - t[d + i] * t[d + i],
                _ => t[i] * t[d + i],
            })
            .collect();
        let r: Vec<f64> = (0..n)
            .map(|j| (0..d).map(|i| x[j][i] * beta[i]).sum::<f64>() - y[j])
            .collect();
        if r.iter().all(|v| v.abs() < 1e-13) {
            return beta;
        }
        let g: Vec<f64> = (0..d)
            .map(|i| (0..n).map(|j| x[j][i] * r[j]).sum::<f64>())
            .collect();
        let c = eta / n as f64;
        for i in 0..d {
            match model {
                "shared" => t[i] *= 1.0 - 2.0 * c * g[i],
                "pm" => {
                    t[i] *= 1.0 - 2.0 * c * g[i];
                    t[d + i] *= 1.0 + 2.0 * c * g[i];
                }
                _ => {
                    let (u, v) = (t[i], t[d + i]);
                    t[i] = u - c * g[i] * v;
                    t[d + i] = v - c * g[i] * u;
                }
            }
        }
    }
    panic!("float GD did not reach zero loss")
}

/// max_i |β_GD,i − mid β∞_i|.
fn distance(gd: &[f64], l: &Limit) -> f64 {
    gd.iter()
        .zip(&l.beta)
        .map(|(g, b)| (g - q_to_f64(&b.mid())).abs())
        .fold(0.0, f64::max)
}

#[test]
fn float_gd_approaches_the_certified_limit_linearly_in_eta_for_every_model() {
    let x = vec![vec![1.0, 2.0, 0.5, 1.0], vec![0.0, 1.0, 3.0, -1.0]];
    let y = vec![2.0, 3.0];
    for (model, theta, init) in [
        ("shared", vec![0.5; 4], "alpha = \"1/2\""),
        (
            "pm",
            vec![0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25],
            "u = \"1/2\"\nv = \"1/4\"",
        ),
        (
            "uv",
            vec![0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25],
            "u = \"1/2\"\nv = \"1/4\"",
        ),
    ] {
        let text = SHARED
            .replace("model = \"shared\"", &format!("model = \"{model}\""))
            .replace("alpha = \"1/2\"", init);
        let l = certified(&instance(&text), "1e-25");
        let (d1, d2) = (
            distance(&float_gd(model, &x, &y, &theta, 0.02), &l),
            distance(&float_gd(model, &x, &y, &theta, 0.01), &l),
        );
        // GD's limit differs from GF's by O(η): halving η about halves the distance.
        assert!(d2 < 2e-2, "{model}: distance {d2} at η = 0.01");
        assert!(d1 / d2 > 1.6 && d1 / d2 < 2.5, "{model}: ratio {}", d1 / d2);
    }
}

#[test]
fn the_limit_fits_the_data_exactly_and_is_the_mirror_descent_optimum() {
    let inst = instance(SHARED);
    let l = certified(&inst, "1e-30");
    // X·β∞ = y: the exact interval sum of X_ji·β_i contains y_j.
    for (row, y) in inst.x.iter().zip(&inst.y) {
        let s = row
            .iter()
            .zip(&l.beta)
            .fold(Interval::point(Q::from_integer(0.into())), |s, (x, b)| {
                s.add(&b.scale(x))
            });
        assert!(s.lo() <= y && y <= s.hi());
    }
    // KKT of min Σ β log(β/β₀) − β over Xβ = y: log(β∞/β₀) = Xᵀν for some ν. Least squares in
    // binary64 over the 4 coordinates (2 unknowns) leaves a residual at rounding level.
    let z: Vec<f64> = l
        .beta
        .iter()
        .map(|b| (q_to_f64(&b.mid()) / 0.25).ln())
        .collect();
    let xt = nalgebra::DMatrix::from_fn(4, 2, |i, j| q_to_f64(&inst.x[j][i]));
    let zv = nalgebra::DVector::from_vec(z.clone());
    let nu = (xt.transpose() * &xt)
        .lu()
        .solve(&(xt.transpose() * &zv))
        .unwrap();
    let resid = (&xt * nu - zv).amax();
    assert!(resid < 1e-12, "log(β/β₀) is {resid} away from range(Xᵀ)");
}

#[test]
fn one_point_limit_agrees_with_the_one_point_flow() {
    let text =
        "model = \"shared\"\nx = [\"3\", \"1/2\", \"2\"]\ny = \"5\"\n[init]\nalpha = \"1/10\"\n";
    let inst = instance(text);
    let l = certified(&inst, "1e-30");
    let p = dlncheck::models::problem::Problem::of(&inst).unwrap();
    let old = dlncheck::theory::flow::Flow::new(&p, 160)
        .unwrap()
        .limit()
        .unwrap();
    for (a, b) in l.beta.iter().zip(&old.beta) {
        // Both enclose the same β∞_i: the boxes intersect.
        assert!(a.lo() <= b.hi() && b.lo() <= a.hi(), "{a:?} vs {b:?}");
    }
    assert!(l.sharpness.lo() <= old.sharpness.hi() && old.sharpness.lo() <= l.sharpness.hi());
    // ν = −4ρ for one point (β = β₀e^{xν}, β = β₀e^{−4xρ}).
    let nu = &l.boxes[0];
    let rho = Interval::hull(
        -nu.hi() / Q::from_integer(4.into()),
        -nu.lo() / Q::from_integer(4.into()),
    );
    assert!(rho.lo() <= old.rho.hi() && old.rho.lo() <= rho.hi());
    assert!(kernel_accepts(&inst, &l));
}

#[test]
fn y_on_the_boundary_of_the_cone_is_named() {
    // Columns e₁, e₂ span the quadrant; y = (1, 0) is on its boundary: β∞ would need β₂ = 0.
    let inst =
        instance("model = \"shared\"\nX = [[\"1\", \"0\"], [\"0\", \"1\"]]\ny = [\"1\", \"0\"]\n");
    let why = reason(&inst);
    assert!(
        why.contains("not coercive") && why.contains("boundary"),
        "{why}"
    );
}

#[test]
fn y_outside_the_cone_is_named() {
    // y = (1, −1) is no combination of e₁, e₂ with nonnegative weights.
    let inst =
        instance("model = \"shared\"\nX = [[\"1\", \"0\"], [\"0\", \"1\"]]\ny = [\"1\", \"-1\"]\n");
    let why = reason(&inst);
    assert!(
        why.contains("not coercive") && why.contains("outside"),
        "{why}"
    );
}

#[test]
fn a_rank_deficient_x_is_named_for_pm() {
    // Row 2 = 2·row 1: rank 1 < 2.
    let inst =
        instance("model = \"pm\"\nX = [[\"1\", \"2\"], [\"2\", \"4\"]]\ny = [\"1\", \"2\"]\n");
    let why = reason(&inst);
    assert!(why.contains("rank 1 < n = 2"), "{why}");
}

#[test]
fn pm_from_equal_u_v_reaches_negative_labels() {
    // pm with u₀ = v₀ = α·1 starts at β = 0 and can fit any sign: y = (−1, 2) is certified.
    let inst = instance(
        "model = \"pm\"\nX = [[\"1\", \"1\", \"0\"], [\"0\", \"1\", \"1\"]]\ny = [\"-1\", \"2\"]\n[init]\nalpha = \"1/5\"\n",
    );
    let l = certified(&inst, "1e-20");
    assert!(kernel_accepts(&inst, &l));
    assert!(l.beta[0].hi() < &Q::from_integer(0.into()));
}

#[test]
fn the_cli_prints_the_certified_boxes_and_writes_a_checked_claim() {
    let dir = crate::common::temp_dir("flow-cli");
    let file = dir.join("i.toml");
    std::fs::write(&file, SHARED).unwrap();
    let claim = dir.join("i.claim.toml");
    let out = crate::common::run(&[
        "flow",
        file.to_str().unwrap(),
        "--certify",
        "--json",
        "--claim",
        claim.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["certified"];
    assert_eq!(c["converged"], true);
    assert_eq!(c["beta"].as_array().unwrap().len(), 4);
    assert!(c["norm"]["lo"].is_string() && c["sharpness"]["hi"].is_string());
    let check = crate::common::run(&["check", claim.to_str().unwrap()]);
    assert!(check.status.success());
    // A non-coercive instance: converged false with the reason, exit 0, and no claim.
    std::fs::write(
        &file,
        "model = \"shared\"\nX = [[\"1\", \"0\"], [\"0\", \"1\"]]\ny = [\"1\", \"0\"]\n",
    )
    .unwrap();
    let out = crate::common::run(&["flow", file.to_str().unwrap(), "--certify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["certified"]["converged"], false);
    assert!(
        v["certified"]["reason"]
            .as_str()
            .unwrap()
            .contains("boundary")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// On random small instances with a positive teacher (y = Xβ*, β* > 0, so y is inside the
    /// cone of a full-rank X), every model's certified limit is accepted by the kernel, and its
    /// β box fits y.
    #[test]
    fn the_kernel_accepts_the_producers_claims(
        n in 1usize..4,
        extra in 0usize..3,
        entries in proptest::collection::vec(-6i64..7, 36),
        teacher in proptest::collection::vec(1i64..5, 6),
        model in 0usize..3,
        alpha in 1i64..8,
    ) {
        let d = n + extra + 1;
        let x: Vec<Vec<i64>> = (0..n)
            .map(|j| (0..d).map(|i| if i == j { 7 } else { entries[j * 6 + i] }).collect())
            .collect();
        let y: Vec<i64> = (0..n).map(|j| (0..d).map(|i| x[j][i] * teacher[i]).sum()).collect();
        prop_assume!(y.iter().any(|v| *v != 0));
        let rows: Vec<String> = x
            .iter()
            .map(|r| format!("[{}]", r.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")))
            .collect();
        let ys: Vec<String> = y.iter().map(|v| format!("\"{v}\"")).collect();
        let name = ["shared", "pm", "uv"][model];
        let text = format!(
            "model = \"{name}\"\nX = [{}]\ny = [{}]\n[init]\nalpha = \"1/{alpha}\"\n",
            rows.join(", "),
            ys.join(", ")
        );
        let inst = instance(&text);
        let s = flow_limit::setup(&inst).unwrap();
        match flow_limit::certify(&s, &width("1e-20")) {
            Outcome::Certified(l) => prop_assert!(kernel_accepts(&inst, &l)),
            // A diagonally dominant X (7 on the diagonal, |other| ≤ 6 … ) may still be
            // rank-deficient or put y on a face; then the reason must say non-coercive.
            Outcome::NotCertified(why) => prop_assert!(why.contains("not coercive"), "{}", why),
        }
    }
}

/// With a discrete teacher, `flow --certify` encloses E_GF = Σ_a p_a ‖β∞(y_a) − β*_a‖²
/// (SPEC §5.4, Σ = I): each atom's labels y_a = Xβ*_a, and, independently, float GD at small η
/// run per atom (its limit tends to the flow's linearly in η, so the Richardson value
/// 2·E(η/2) − E(η) is within a small multiple of η² of E_GF).
#[test]
fn the_flow_learners_expected_error_is_that_of_the_atoms_limits() {
    let text = format!(
        "{SHARED}[teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1/3\", beta = [\"1\", \"0\", \"1/2\", \"0\"] }}, {{ weight = \"2/3\", beta = [\"0\", \"1\", \"1\", \"1/4\"] }}]\n"
    );
    let inst = instance(&text);
    let report = dlncheck::report::flow::evaluate(&inst, "t.toml", true, "1e-20")
        .unwrap()
        .report;
    let v = serde_json::to_value(&report).unwrap();
    let e = &v["certified"]["gen_error"];
    let lo = q_to_f64(&width(e["lo"].as_str().unwrap()));
    let hi = q_to_f64(&width(e["hi"].as_str().unwrap()));
    assert!(
        lo <= hi && (hi - lo) <= 1e-15 * hi.abs().max(1e-300),
        "{lo} {hi}"
    );
    let x = vec![vec![1.0, 2.0, 0.5, 1.0], vec![0.0, 1.0, 3.0, -1.0]];
    let atoms = [
        (1.0 / 3.0, [1.0, 0.0, 0.5, 0.0]),
        (2.0 / 3.0, [0.0, 1.0, 1.0, 0.25]),
    ];
    let error_at = |eta: f64| -> f64 {
        atoms
            .iter()
            .map(|(w, star)| {
                let y: Vec<f64> = x
                    .iter()
                    .map(|r| r.iter().zip(star).map(|(a, b)| a * b).sum())
                    .collect();
                let b = float_gd("shared", &x, &y, &[0.5; 4], eta);
                w * b
                    .iter()
                    .zip(star)
                    .map(|(b, s)| (b - s) * (b - s))
                    .sum::<f64>()
            })
            .sum()
    };
    let (e1, e2) = (error_at(0.01), error_at(0.005));
    let richardson = 2.0 * e2 - e1;
    assert!(
        (richardson - lo).abs() <= 1e-4 * lo && (e1 - e2).abs() > (richardson - lo).abs(),
        "GD {e1}, {e2} → {richardson}; certified [{lo}, {hi}]"
    );
}
