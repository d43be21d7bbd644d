//! The Edge-of-Stability cross-checks C1–C5 of SPEC §4 and the gradient-flow report: C1–C3 of
//! one run ([`run_checks`]) and C1–C5 over a sweep ([`sweep_checks`]); the commands only format.
//!
//! Untrusted: each check is a measurement with its margin. C5 here is a float observation: the
//! GD learner runs once per teacher atom's own label y_a (SPEC §4.1) and its endpoints' exact
//! errors are summed; only a certified run makes it a theorem.

use crate::dynamics::gd::{self as dynamics, Problem, Stop, Summary, decimal};
use crate::error::{Error, Result};
use crate::io::instance::{Instance, Model};
use crate::numeric::interval::Interval;
use crate::numeric::rational::{Q, fmt_q};
use crate::theory::flow::{Flow, Limit, MaxSharpness};
use crate::theory::generalization::{Setting, expected_error};
use num_traits::{Signed, Zero};
use serde::Serialize;
use serde_json::{Value, json};

/// Significant bits of the gradient-flow enclosures.
pub const FLOW_BITS: u64 = 96;

/// The certified gradient flow of an instance and the critical rate η_c = 2/max_t S(GF).
#[derive(Clone, Debug)]
pub struct FlowReport {
    pub limit: Limit,
    pub max_sharpness: MaxSharpness,
    /// Whether the limit is the kernel-accepted `gf-limit` one (else the producer's bisection).
    pub kernel_checked: bool,
    /// [2/hi, 2/lo] of the max-sharpness enclosure.
    pub eta_c: Interval,
}

/// The limit (ρ*, β∞, N, S_GF) from a `gf-limit` claim (SPEC §5.2) that the kernel accepted, or
/// `None` when the Krawczyk route does not certify it (then the bisection of [`Flow::limit`]
/// stands, producer-only).
pub fn kernel_checked_limit(p: &Problem) -> Option<Limit> {
    use crate::numeric::rational::fmt_qs;
    use crate::theory::flow_limit::{self, Outcome, Setup};
    let setup = Setup {
        x: vec![p.x.clone()],
        y: vec![p.y.clone()],
        a: p.beta0(),
        b: vec![Q::zero(); p.x.len()],
        c_n: Q::from_integer(1.into()),
        c_s: Q::from_integer(4.into()),
    };
    let width = crate::numeric::rational::pow2(48 - FLOW_BITS as i64);
    let Outcome::Certified(l) = flow_limit::certify(&setup, &width) else {
        return None;
    };
    let instance = json!({"model": "shared", "x": fmt_qs(&p.x), "y": fmt_q(&p.y),
        "init": {"theta": fmt_qs(&p.theta0)}});
    let file = serde_json::to_value(crate::io::format::ClaimFile {
        version: dlncheck_kernel::VERSION,
        title: "gradient-flow limit".into(),
        expect: vec!["gf-limit".into()],
        instance: Some(instance),
        claim: vec![flow_limit::claim(&l).to_value()],
    })
    .ok()?;
    let report = dlncheck_kernel::check_text("gf-limit.json", &file.to_string()).ok()?;
    if !report.passed() {
        return None;
    }
    let four = Q::from_integer(4.into());
    let nu = &l.boxes[0];
    Some(Limit {
        rho: Interval::hull(-nu.hi() / &four, -nu.lo() / &four),
        beta: l.beta.clone(),
        norm: l.norm.clone(),
        sharpness: l.sharpness.clone(),
    })
}

/// Computes the flow report (`shared` only). The limit comes from a kernel-accepted `gf-limit`
/// claim; max_t S (hence η_c) is the producer's branch and bound over hull(0, ρ*).
pub fn flow_report(p: &Problem) -> Result<FlowReport> {
    let flow = Flow::new(p, FLOW_BITS)?;
    let checked = kernel_checked_limit(p);
    let kernel_checked = checked.is_some();
    let limit = match checked {
        Some(l) => l,
        None => flow.limit()?,
    };
    let max_sharpness = flow.max_sharpness(&limit, 64, 16);
    let two = Q::from_integer(2.into());
    let v = &max_sharpness.value;
    if !v.lo().is_positive() {
        return Err(Error::Usage(
            "gradient flow: max sharpness is not certified positive".into(),
        ));
    }
    let eta_c = Interval::hull(&two / v.hi(), &two / v.lo());
    Ok(FlowReport {
        limit,
        max_sharpness,
        kernel_checked,
        eta_c,
    })
}

/// One of the checks C1–C5: its status (`pass`, `pass (within enclosure)`, `fail` or `n/a`),
/// its margin when it was measured (absent for `n/a`, never null) and what was measured.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub detail: String,
    /// The certified enclosure of S at the endpoint (C1 on n > 1 points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclosure: Option<EndpointEnclosure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<String>,
    /// The margin as an exact rational (C5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_exact: Option<String>,
    pub status: &'static str,
}

/// `{end, hi, lo}`: an enclosure of S and the end of the spectrum it comes from.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointEnclosure {
    pub end: &'static str,
    pub hi: String,
    pub lo: String,
}

fn check(
    name: &'static str,
    status: &'static str,
    margin: Option<String>,
    detail: String,
) -> Check {
    Check {
        check: name,
        detail,
        enclosure: None,
        margin,
        margin_exact: None,
        status,
    }
}

/// The exact sharpness enclosure of a run's endpoint (the float endpoint rationalised exactly).
pub fn endpoint_sharpness(p: &Problem, s: &Summary) -> (Q, Q) {
    let (lo, hi, _) = dynamics::exact_sharpness(p, s.theta.clone());
    (lo, hi)
}

/// C1: a converged endpoint has S ≤ 2/η. Margin (2/η − S)/(2/η), S of the exact endpoint.
pub fn c1(p: &Problem, eta: &Q, s: &Summary) -> Check {
    if s.stop != Stop::Converged {
        return check("C1", "n/a", None, "run did not converge".into());
    }
    let bound = Q::from_integer(2.into()) / eta;
    let (lo, hi) = endpoint_sharpness(p, s);
    let margin = (&bound - &hi) / &bound;
    let status = if hi <= bound {
        "pass"
    } else if lo <= bound {
        "pass (within enclosure)"
    } else {
        "fail"
    };
    check(
        "C1",
        status,
        Some(decimal(&margin, 6)),
        format!(
            "S(endpoint) in [{}, {}] (exact endpoint), 2/eta = {}",
            decimal(&lo, 10),
            decimal(&hi, 10),
            decimal(&bound, 10)
        ),
    )
}

/// C2: for η < η_c the endpoint is near the GF limit. Margin: relative ℓ1 distance
/// Σ|β_i − β*_i| / Σβ*_i (midpoint of the certified β*); pass when ≤ 1/10.
pub fn c2(p: &Problem, eta: &Q, s: &Summary, f: &FlowReport) -> Check {
    if eta >= f.eta_c.lo() {
        return check(
            "C2",
            "n/a",
            None,
            format!("eta ≥ eta_c ≈ {}", decimal(&f.eta_c.mid(), 8)),
        );
    }
    let beta = crate::models::model::beta(p.model, &s.theta);
    let dist: Q = beta
        .iter()
        .zip(&f.limit.beta)
        .map(|(b, g)| (b - g.mid()).abs())
        .sum();
    let rel = dist / f.limit.norm.mid();
    let status = if rel <= Q::new(1.into(), 10.into()) {
        "pass"
    } else {
        "fail"
    };
    check(
        "C2",
        status,
        Some(decimal(&rel, 6)),
        "relative l1 distance of beta(endpoint) to the GF limit".into(),
    )
}

/// C3: for η_c < η < η_max the endpoint's S is near 2/η. Margin |S − 2/η|/(2/η); pass ≤ 5%.
pub fn c3(p: &Problem, eta: &Q, s: &Summary, f: &FlowReport, eta_max: &Q) -> Check {
    if eta <= f.eta_c.hi() || eta >= eta_max {
        return check("C3", "n/a", None, "eta outside (eta_c, eta_max)".into());
    }
    if s.stop == Stop::Diverged {
        return check(
            "C3",
            "n/a",
            None,
            "diverged inside (eta_c, eta_max): no endpoint (reported, not hidden)".into(),
        );
    }
    let bound = Q::from_integer(2.into()) / eta;
    let (lo, hi) = endpoint_sharpness(p, s);
    let sh = (lo + hi) / Q::from_integer(2.into());
    let rel = (&sh - &bound).abs() / &bound;
    let status = if rel <= Q::new(1.into(), 20.into()) {
        "pass"
    } else {
        "fail"
    };
    check(
        "C3",
        status,
        Some(decimal(&rel, 6)),
        format!(
            "S(endpoint) = {}, 2/eta = {}",
            decimal(&sh, 10),
            decimal(&bound, 10)
        ),
    )
}

/// C1–C3 for one `gd` run (`shared` only; `uv` gets C1).
pub fn run_checks(inst: &Instance, p: &Problem, eta: &Q, s: &Summary) -> Result<Vec<Check>> {
    let mut out = vec![c1(p, eta, s)];
    if p.model == Model::Shared {
        let f = flow_report(p)?;
        let t = dynamics::thresholds(inst)?;
        out.push(c2(p, eta, s, &f));
        out.push(c3(p, eta, s, &f, &t.eta_max));
    }
    Ok(out)
}

/// Most parameters for which `gd --checks` on n > 1 points certifies S at the endpoint (two
/// exact dense certifications of the p × p Hessian).
pub const CHECK_MAX_PARAMS: usize = 200;

/// C1–C3 for a `gd` run on n > 1 points (issue 15 item 5). C1 certifies S of the exact
/// endpoint by the dense route ([`dynamics::certified_sharpness`]: the Hessian is no longer
/// diagonal plus rank one) and adds the enclosure as `enclosure` `{lo, hi, end}`; C2 and C3
/// compare with the certified gradient flow, which is one-point only, and are `n/a`.
pub fn run_checks_points(p: &crate::models::problem::Points, eta: &Q, s: &Summary) -> Vec<Check> {
    let one_point =
        "needs one data point: the certified gradient flow (its limit and eta_c) is one-point only";
    let c1 = if s.stop != Stop::Converged {
        check("C1", "n/a", None, "run did not converge".into())
    } else if s.theta.len() > CHECK_MAX_PARAMS {
        check(
            "C1",
            "n/a",
            None,
            format!(
                "{} parameters: the certified dense route runs on at most {CHECK_MAX_PARAMS}",
                s.theta.len()
            ),
        )
    } else {
        let bound = Q::from_integer(2.into()) / eta;
        let width = Q::new(1.into(), 1_000_000_000_000i64.into());
        let (lo, hi, end) = dynamics::certified_sharpness(p, &s.theta, &width);
        let margin = (&bound - &hi) / &bound;
        let status = if hi <= bound {
            "pass"
        } else if lo <= bound {
            "pass (within enclosure)"
        } else {
            "fail"
        };
        let mut c = check(
            "C1",
            status,
            Some(decimal(&margin, 6)),
            format!(
                "S(endpoint) in [{}, {}] (certified: exact LDLT of the exact Hessian at the float \
                 endpoint, n = {}), 2/eta = {}",
                decimal(&lo, 10),
                decimal(&hi, 10),
                p.n(),
                decimal(&bound, 10)
            ),
        );
        c.enclosure = Some(EndpointEnclosure {
            end,
            hi: fmt_q(&hi),
            lo: fmt_q(&lo),
        });
        c
    };
    vec![
        c1,
        check("C2", "n/a", None, one_point.into()),
        check("C3", "n/a", None, one_point.into()),
    ]
}

/// E(min-norm), E(min-sharpness), E* (front best) and its rule c (SPEC §3).
pub type References = (Q, Q, Q, Vec<Q>);

/// Errors of the reference learners (SPEC §3): (min-norm, min-sharpness, front best, its rule c),
/// computed by [`crate::theory::generalization`]; `None` without a teacher.
pub fn reference_errors(inst: &Instance) -> Result<Option<References>> {
    let Some(setting) = Setting::of(inst)? else {
        return Ok(None);
    };
    let f = setting.front_best();
    Ok(Some((
        f.min_norm.value,
        f.min_sharpness.value,
        f.value,
        f.c,
    )))
}

/// The expected error of the float GD learner of a discrete prior (SPEC §4.1, evidence only):
/// GD from the instance's θ0 on every atom's own label y_a = ⟨x, β*_a⟩, and
/// Σ_a p_a G(β_a; β*_a) evaluated exactly at each float endpoint β_a = β(θ_a). `None` for a
/// moments prior or when some run diverged.
pub fn learner_error(
    p: &Problem,
    s: &Setting,
    prec: crate::dynamics::precision::Precision,
    o: &crate::dynamics::gd::Options,
) -> Option<Q> {
    let atoms = s.atoms.as_ref()?;
    let mut endpoints = Vec::with_capacity(atoms.len());
    for (_, teacher) in atoms {
        let label = crate::numeric::vector::dot(teacher, &s.x);
        let run = Problem {
            y: label,
            ..p.clone()
        };
        let summary = dynamics::run_summary(&run, prec, o, &|_| {});
        if summary.stop == Stop::Diverged {
            return None;
        }
        endpoints.push(crate::models::model::beta(p.model, &summary.theta));
    }
    Some(expected_error(
        &s.sigma,
        atoms
            .iter()
            .zip(&endpoints)
            .map(|((w, star), beta)| (w, beta.as_slice(), star.as_slice())),
    ))
}

/// The expected error of the float GD learner at n > 1 points (SPEC §5.4, evidence only): the
/// run of `o` (GD, or SGD with its sample order) from the instance's θ0 on every atom's labels
/// y_a = Xβ*_a, and E = Σ_a p_a G(β_a; β*_a), G(β; β*) = (β − β*)ᵀΣ(β − β*), evaluated exactly
/// at each float endpoint β_a = β(θ_a). `None` when some run diverged.
pub fn learner_error_points(
    p: &dynamics::Points,
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    prec: crate::dynamics::precision::Precision,
    o: &crate::dynamics::gd::Options,
) -> Option<Q> {
    let mut endpoints = Vec::with_capacity(atoms.len());
    for (_, star) in atoms {
        let labels = dynamics::Points {
            y: crate::theory::generalization::atom_labels(&p.x, star),
            ..p.clone()
        };
        let summary = dynamics::run_points(&labels, prec, o, &|_| {});
        if summary.stop == Stop::Diverged {
            return None;
        }
        endpoints.push(crate::models::model::beta(p.model, &summary.theta));
    }
    Some(expected_error(
        sigma,
        atoms
            .iter()
            .zip(&endpoints)
            .map(|((w, star), beta)| (w, beta.as_slice(), star.as_slice())),
    ))
}

/// One learning rate of a sweep: the endpoint of its run (what the checks, the CSV and the plots
/// read, exactly as the run left it) and, with a teacher, the float GD learner's exact expected
/// error ([`learner_error`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    pub eta: Q,
    pub stop: Stop,
    pub steps: u64,
    /// θ at the endpoint, exactly (dyadic for floats).
    pub theta: Vec<Q>,
    pub loss: Q,
    pub norm: Q,
    /// S as the run computed it (the midpoint of its float bracket).
    pub sharpness: Q,
    pub gen_error: Option<Q>,
}

impl SweepRow {
    /// The row of a run's summary at rate `eta`.
    pub fn of(eta: Q, s: Summary, gen_error: Option<Q>) -> SweepRow {
        SweepRow {
            eta,
            stop: s.stop,
            steps: s.steps,
            theta: s.theta,
            loss: s.loss,
            norm: s.norm,
            sharpness: s.sharpness,
            gen_error,
        }
    }
}

fn status(ok: bool) -> &'static str {
    if ok { "pass" } else { "fail" }
}

/// C1–C5 over a sweep (SPEC §4), each with its margin. Sharpness here is the run's own (float)
/// value; `gd --checks` uses the exact endpoint. C1 needs only the runs; C2–C4 need the
/// certified gradient flow and the T1 thresholds (`flow`, `th`: `shared` only), C5 a teacher
/// (`refs`).
pub fn sweep_checks(
    rows: &[SweepRow],
    flow: Option<&FlowReport>,
    th: Option<&dynamics::Thresholds>,
    refs: Option<&References>,
) -> Vec<Check> {
    let two = Q::from_integer(2.into());
    let mut out = Vec::new();
    // C1: worst relative margin (2/η − S)/(2/η) over converged runs.
    let conv: Vec<&SweepRow> = rows.iter().filter(|r| r.stop == Stop::Converged).collect();
    let worst = conv
        .iter()
        .map(|r| (&two / &r.eta - &r.sharpness) / (&two / &r.eta))
        .min();
    out.push(match worst {
        None => check("C1", "n/a", None, "no converged run".into()),
        Some(m) => check(
            "C1",
            status(!m.is_negative() || m > -Q::new(1.into(), 1_000_000.into())),
            Some(decimal(&m, 6)),
            format!(
                "min over {} converged runs of (2/eta - S)/(2/eta)",
                conv.len()
            ),
        ),
    });
    let (Some(f), Some(th)) = (flow, th) else {
        return out;
    };
    // C2: max relative l1 distance to the GF limit for η < η_c.
    let gf_norm = f.limit.norm.mid();
    let below: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| &r.eta < f.eta_c.lo() && r.stop != Stop::Diverged)
        .collect();
    let dist = below
        .iter()
        .map(|r| {
            let beta = crate::models::model::beta(crate::io::instance::Model::Shared, &r.theta);
            beta.iter()
                .zip(&f.limit.beta)
                .map(|(b, g)| (b - g.mid()).abs())
                .sum::<Q>()
                / &gf_norm
        })
        .max();
    out.push(match dist {
        None => check("C2", "n/a", None, "no learning rate below eta_c".into()),
        Some(m) => check(
            "C2",
            status(m <= Q::new(1.into(), 10.into())),
            Some(decimal(&m, 6)),
            format!(
                "max relative l1 distance to the GF limit over {} rates below eta_c \
                 (pass: <= 1/10)",
                below.len()
            ),
        ),
    });
    // C3: max |S − 2/η|/(2/η) for η_c < η < η_max.
    let eos: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| &r.eta > f.eta_c.hi() && r.eta < th.eta_max)
        .collect();
    let dev = eos
        .iter()
        .filter(|r| r.stop == Stop::Converged)
        .map(|r| (&r.sharpness - &two / &r.eta).abs() / (&two / &r.eta))
        .max();
    let diverged = eos.iter().filter(|r| r.stop == Stop::Diverged).count();
    let converged = eos.iter().filter(|r| r.stop == Stop::Converged).count();
    out.push(match dev {
        None => check(
            "C3",
            "n/a",
            None,
            "no learning rate in (eta_c, eta_max)".into(),
        ),
        Some(m) => check(
            "C3",
            status(m <= Q::new(1.into(), 20.into())),
            Some(decimal(&m, 6)),
            format!(
                "max |S - 2/eta|/(2/eta) over the {converged} converged of {} rates in \
                 (eta_c, eta_max); {diverged} diverged, {} still oscillating at the step limit \
                 (pass: <= 1/20)",
                eos.len(),
                eos.len() - diverged - converged
            ),
        ),
    });
    // C4: over η > η_c (converged runs, sorted by η), N rises and S falls from first to last,
    // with the fraction of monotone consecutive pairs as the margin.
    let mut above: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| &r.eta > f.eta_c.hi() && r.stop == Stop::Converged)
        .collect();
    above.sort_by(|a, b| a.eta.cmp(&b.eta));
    out.push(if above.len() < 2 {
        check(
            "C4",
            "n/a",
            None,
            "fewer than two converged rates above eta_c".into(),
        )
    } else {
        let (first, last) = (above[0], above[above.len() - 1]);
        let mono = above
            .windows(2)
            .filter(|w| w[1].norm >= w[0].norm && w[1].sharpness <= w[0].sharpness)
            .count();
        let frac = mono as f64 / (above.len() - 1) as f64;
        let ok = last.norm > first.norm && last.sharpness < first.sharpness;
        check(
            "C4",
            status(ok),
            Some(format!("{frac:.4}")),
            format!(
                "N: {} -> {}, S: {} -> {} over {} rates above eta_c; margin = fraction of \
                 monotone neighbour pairs",
                decimal(&first.norm, 8),
                decimal(&last.norm, 8),
                decimal(&first.sharpness, 8),
                decimal(&last.sharpness, 8),
                above.len()
            ),
        )
    });
    // C5: the best GD learner's exact error against min-norm and min-sharpness.
    if let Some((en, es, fb, _)) = refs {
        let best = rows
            .iter()
            .filter_map(|r| r.gen_error.as_ref().map(|e| (r, e)))
            .min_by(|a, b| a.1.cmp(b.1));
        out.push(match best {
            None => check(
                "C5",
                "n/a",
                None,
                "no GD learner error (a moments prior, or every run diverged)".into(),
            ),
            Some((r, e)) => {
                let margin = en.clone().min(es.clone()) - e;
                let mut c = check(
                    "C5",
                    status(margin.is_positive()),
                    Some(decimal(&margin, 10)),
                    format!(
                        "float observation, not a certificate (`dlncheck learner` certifies): \
                         the float GD learner at lr = {} (one run per teacher atom's label) has \
                         E = {} vs min-norm {} and min-sharpness {} (front best {})",
                        fmt_q(&r.eta),
                        decimal(e, 10),
                        decimal(en, 10),
                        decimal(es, 10),
                        decimal(fb, 10)
                    ),
                );
                c.margin_exact = Some(fmt_q(&margin));
                c
            }
        });
    }
    out
}

/// θ_k as f64 for k = 0..=steps (stops early if a value stops being finite).
fn trajectory<S: crate::numeric::scalar::Scalar>(
    p: &Problem,
    ctx: &S::Ctx,
    eta: &Q,
    steps: u64,
) -> Vec<Vec<f64>> {
    let data = dynamics::Data::<S>::new(p, ctx);
    let e = S::from_q(eta, ctx);
    let mut s = data.state(p.theta0.iter().map(|q| S::from_q(q, ctx)).collect());
    let mut out = vec![s.theta.iter().map(|v| v.to_f64()).collect::<Vec<f64>>()];
    for _ in 0..steps {
        data.step(&e, &mut s);
        let row: Vec<f64> = s.theta.iter().map(|v| v.to_f64()).collect();
        if row.iter().any(|v| !v.is_finite()) {
            break;
        }
        out.push(row);
    }
    out
}

/// max over the first `steps` steps and coordinates of |θ^256 − θ^exact|/|θ^exact|, in Q.
fn exact_deviation(p: &Problem, eta: &Q, steps: u64) -> f64 {
    use crate::numeric::float256::F256;
    use crate::numeric::scalar::Scalar;
    let exact = dynamics::Data::<Q>::new(p, &());
    let float = dynamics::Data::<F256>::new(p, &());
    let (e_eta, f_eta) = (eta.clone(), F256::from_q(eta, &()));
    let mut se = exact.state(p.theta0.clone());
    let mut sf = float.state(p.theta0.iter().map(|q| F256::from_q(q, &())).collect());
    let mut worst = Q::zero();
    for _ in 0..steps {
        exact.step(&e_eta, &mut se);
        float.step(&f_eta, &mut sf);
        for (a, b) in sf.theta.iter().zip(&se.theta) {
            if let Some(a) = a.to_q()
                && !b.is_zero()
            {
                worst = worst.max(crate::numeric::rational::abs(&((a - b) / b)));
            }
        }
    }
    crate::numeric::scalar::q_to_f64(&worst)
}

fn rel_dev(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x - y) / y).abs())
        .fold(0.0, f64::max)
}

/// Precision audit of one learning rate (issue 4): f32, f64 and 256-bit trajectories against
/// each other, and the 256-bit one against exact rationals for the first exact steps.
/// Reports, per float type, the first step at which max_i |θ_i − θ_i^ref|/|θ_i^ref| exceeds
/// 10^-6 (reference: 256 bits) and the final relative deviation of θ, loss, S and N.
pub fn audit(p: &Problem, eta: &Q, steps: u64) -> Value {
    let reference = trajectory::<crate::numeric::float256::F256>(p, &(), eta, steps);
    let exact_steps = steps.min(8);
    let exact_dev = exact_deviation(p, eta, exact_steps);
    let measure = |theta: &[f64]| -> (f64, f64, f64) {
        let data = dynamics::Data::<f64>::new(p, &());
        let s = data.state(theta.to_vec());
        let m = data.measure(&s, 200);
        let (lo, hi) = m.spectrum.sharpness();
        (m.loss, 0.5 * (lo + hi), m.norm)
    };
    let (rl, rs, rn) = reference.last().map_or((0.0, 0.0, 0.0), |t| measure(t));
    let mut floats = Vec::new();
    for (name, traj) in [
        ("f32", trajectory::<f32>(p, &(), eta, steps)),
        ("f64", trajectory::<f64>(p, &(), eta, steps)),
    ] {
        let first = traj
            .iter()
            .zip(&reference)
            .position(|(a, b)| rel_dev(a, b) > 1e-6);
        let k = traj.len().min(reference.len()) - 1;
        let (l, s, n) = measure(&traj[k]);
        floats.push(json!({
            "precision": name,
            "steps_compared": k,
            "first_step_rel_dev_above_1e-6": first,
            "final_theta_rel_dev": rel_dev(&traj[k], &reference[k]),
            "final_loss": l, "final_loss_reference": rl,
            "final_sharpness_rel_dev": ((s - rs) / rs).abs(),
            "final_norm_rel_dev": ((n - rn) / rn).abs(),
        }));
    }
    json!({
        "lr": fmt_q(eta),
        "steps": reference.len() - 1,
        "reference": "256-bit binary floats",
        "exact_steps": exact_steps,
        "reference_vs_exact_max_rel_dev": exact_dev,
        "note": "final losses are evaluated in f64 from each endpoint",
        "floats": floats,
    })
}
