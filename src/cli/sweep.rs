//! `dlncheck sweep FILE --lr-from A --lr-to B --points N [--log] --out DIR` (SPEC §4, §7):
//! gradient descent at N learning rates in parallel, `DIR/sweep.csv`, `DIR/sweep.json`, plots
//! (SVG and PNG) and the checks C1–C5.

use crate::dynamics::certified_gd::{self, Certified, interval_json};
use crate::dynamics::eos::{self, FlowReport, SweepRow};
use crate::dynamics::gd::{self as dynamics, Points, Precision, Stop, decimal};
use crate::error::{Error, Result};
use crate::io::format::decimal_outward;
use crate::io::plot::{self, Chart, Mark, Series, Style};
use crate::numeric::interval::Interval;
use crate::numeric::rational::{Q, fmt_q};
use crate::numeric::scalar::q_to_f64;
use crate::report::Observer as _;
use crate::report::sweep::{MAX_POINTS, grid, thresholds};
use plotters::style::RGBColor;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Arguments of `sweep`.
#[derive(Clone, Debug)]
pub struct Args {
    pub file: PathBuf,
    pub lr_from: String,
    pub lr_to: String,
    pub points: usize,
    pub log: bool,
    pub out: PathBuf,
    pub steps: u64,
    pub precision: String,
    pub tol: Option<String>,
    pub json: bool,
    /// Also certify every learning rate's exact GD limit (SPEC §4.1) and, with a discrete
    /// teacher, the GD learner's expected error.
    pub certify: bool,
    /// Precision of certified GD (None: adaptive).
    pub bits: Option<u64>,
    /// Step limit of certified GD.
    pub certify_steps: u64,
    /// Mini-batch SGD at every rate (docs/sgd.md).
    pub batch: Option<u64>,
    pub seed: Option<u64>,
    pub replacement: bool,
    /// β per rate in sweep.csv (`beta_1` … `beta_d`).
    pub beta: bool,
}

/// The certified columns of one learning rate (`--certify`): the exact GD limit at η on the
/// instance's own label, and the GD learner's expected error over the atoms' labels.
struct CertifiedRow {
    limit: Certified,
    learner: Option<std::result::Result<Interval, String>>,
}

/// A discrete prior's atoms (weight, β*) and the population covariance Σ.
type Prior<'a> = (&'a [(Q, Vec<Q>)], &'a [Vec<Q>]);

impl CertifiedRow {
    fn of(
        x: &[Q],
        y: &Q,
        alpha: &Q,
        eta: &Q,
        steps: u64,
        bits: Option<u64>,
        teacher: Option<Prior>,
    ) -> CertifiedRow {
        let limit = certified_gd::certify(x, y, alpha, eta, steps, bits);
        let learner = teacher.map(|(atoms, sigma)| {
            let l = certified_gd::learner(x, alpha, eta, atoms, sigma, steps, bits);
            match l.expected_error {
                Some((e, _)) => Ok(e),
                None => Err(l
                    .runs
                    .iter()
                    .find_map(|(ya, c)| match c {
                        Certified::NotCertified(why) => {
                            Some(format!("atom with y = {}: {why}", fmt_q(ya)))
                        }
                        Certified::Converged(_) => None,
                    })
                    .unwrap_or_default()),
            }
        });
        CertifiedRow { limit, learner }
    }
}

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(90, 90, 90);
/// The 2/η reference curve, distinct from the grey step-limit points.
const INK: RGBColor = RGBColor(0, 0, 0);

/// Runs `sweep`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let points = Points::of(&inst)?;
    // The gradient flow, the T1 thresholds and the reference learners are one-point theory:
    // with n > 1 points the sweep runs GD and C1 only (docs/trajectory.md).
    let problem = points.one_point();
    let from = crate::report::gd::lr(&a.lr_from).map_err(|e| rename(e, "--lr-from"))?;
    let to = crate::report::gd::lr(&a.lr_to).map_err(|e| rename(e, "--lr-to"))?;
    if to < from {
        return Err(Error::Usage("--lr-to must be ≥ --lr-from".into()));
    }
    if a.points == 0 || a.points > MAX_POINTS {
        return Err(Error::Usage(format!(
            "--points must be from 1 to {MAX_POINTS}"
        )));
    }
    let prec = crate::report::gd::precision(&a.precision)?;
    if prec == Precision::Exact {
        return Err(Error::Usage(
            "--precision exact is for `gd` (a few steps); sweeps run in f32, f64 or BITS".into(),
        ));
    }
    let mut opts =
        crate::report::gd::options(from.clone(), a.steps, prec, a.tol.as_deref(), false)?;
    opts.sgd = crate::report::gd::sgd(a.batch, a.seed, a.replacement, points.n(), a.certify)?;
    let refs = if inst.one_point {
        eos::reference_errors(&inst)?
    } else {
        None
    };
    let setting = if inst.one_point {
        crate::theory::generalization::Setting::of(&inst)?
    } else {
        None
    };
    std::fs::create_dir_all(&a.out).map_err(|e| Error::Output {
        file: a.out.display().to_string(),
        reason: e.to_string(),
    })?;
    let shared = problem
        .as_ref()
        .filter(|p| p.model == crate::io::instance::Model::Shared);
    let flow = match shared {
        Some(p) => Some(eos::flow_report(p)?),
        None => None,
    };
    let thresholds = thresholds(&inst, problem.is_some())?;
    let etas = grid(&from, &to, a.points, a.log);
    // n > 1 (SPEC §5.3): the certified limit per rate; no certified learner column yet.
    let points_certify = if a.certify && !inst.one_point {
        crate::report::gd::certified_steps(a.certify_steps)?;
        crate::report::gd::bits(a.bits)?;
        Some(crate::report::gd::points_instance(&inst, &a.file)?)
    } else {
        None
    };
    let certify_setup = if points_certify.is_some() {
        None
    } else if a.certify {
        let (x, alpha) = crate::report::gd::certified_setup(&inst, &a.file)?;
        crate::report::gd::certified_steps(a.certify_steps)?;
        crate::report::gd::bits(a.bits)?;
        Some((x, alpha))
    } else {
        if a.bits.is_some() {
            return Err(Error::Usage("--bits needs --certify".into()));
        }
        None
    };
    let atoms = match &inst.teacher {
        Some(dlncheck_kernel::instance::Teacher::Discrete { atoms }) => Some(atoms.clone()),
        _ => None,
    };
    let sigma = inst.sigma();
    // SPEC §5.4: at n > 1 points (the `X` form) the float learner runs once per atom's labels.
    let many_atoms = atoms.as_deref().filter(|_| !inst.one_point);
    let bar = super::Bar::default();
    bar.start(etas.len() as u64, "sweep");
    /// A rate's run with its test loss, and its certified columns.
    type Rate = ((SweepRow, Option<Q>), Option<CertifiedRow>);
    let (runs, certs): (Vec<_>, Vec<_>) = etas
        .par_iter()
        .map(|eta| {
            let mut o = opts.clone();
            o.eta = eta.clone();
            let summary = dynamics::run_points(&points, prec, &o, &|_| {});
            let gen_error = match many_atoms {
                Some(at) => eos::learner_error_points(&points, at, &sigma, prec, &o),
                None => setting
                    .as_ref()
                    .zip(problem.as_ref())
                    .and_then(|(s, p)| eos::learner_error(p, s, prec, &o)),
            };
            let test_loss = inst
                .test
                .as_ref()
                .map(|t| crate::report::gd::test_loss(inst.model, t, &summary.theta));
            let certified = certify_setup.as_ref().map(|(x, alpha)| {
                CertifiedRow::of(
                    x,
                    &inst.y[0],
                    alpha,
                    eta,
                    a.certify_steps,
                    a.bits,
                    atoms.as_deref().map(|at| (at, sigma.as_slice())),
                )
            });
            let certified = certified.or_else(|| {
                let pi = points_certify.as_ref()?;
                let limit = certified_gd::certify_points(pi, eta, a.certify_steps, a.bits);
                Some(CertifiedRow {
                    limit,
                    learner: None,
                })
            });
            bar.advance(1);
            (
                (
                    SweepRow {
                        eta: eta.clone(),
                        summary,
                        gen_error,
                    },
                    test_loss,
                ),
                certified,
            )
        })
        .collect::<Vec<Rate>>()
        .into_iter()
        .unzip();
    bar.finish();
    let (rows, test_losses): (Vec<SweepRow>, Vec<Option<Q>>) = runs.into_iter().unzip();
    let betas: Vec<(Vec<Q>, Q)> = rows.iter().map(|r| endpoint_beta(r, inst.model)).collect();
    let columns = Columns {
        teacher: refs.is_some() || many_atoms.is_some(),
        test: inst.test.is_some(),
        certify: a.certify,
        beta: a.beta,
        sgd: opts.sgd.clone(),
    };
    let csv = csv_text(&rows, &certs, &betas, &test_losses, &columns);
    crate::io::atomic::write_atomic(&a.out.join("sweep.csv"), csv.as_bytes())?;
    let checks = eos::sweep_checks(&rows, flow.as_ref(), thresholds.as_ref(), refs.as_ref());
    let out = json!({
        "file": a.file.display().to_string(),
        "precision": prec.name(),
        "steps": a.steps,
        "points": rows.len(),
        "thresholds": thresholds.as_ref().map(|t| json!({"eta_norm": fmt_q(&t.eta_norm), "eta_max": fmt_q(&t.eta_max)})),
        "gradient_flow": flow.as_ref().map(eos::flow_json),
        "references": refs.as_ref().map(|(n, s, b, c)| json!({"min_norm": fmt_q(n), "min_sharpness": fmt_q(s), "front_best": {"value": fmt_q(b), "c": crate::numeric::rational::fmt_qs(c)}})),
        "checks": checks,
        "rows": rows.iter().zip(&certs).zip(&betas).zip(&test_losses).map(|(((r, c), b), t)| row_json(r, c.as_ref(), b, t.as_ref())).collect::<Vec<_>>(),
    });
    let mut out = out;
    if let Some(sgd) = &opts.sgd {
        out["sgd"] = crate::report::gd::sgd_json(sgd);
    }
    let text = serde_json::to_string_pretty(&out).map_err(|e| Error::Output {
        file: "sweep.json".into(),
        reason: e.to_string(),
    })? + "\n";
    crate::io::atomic::write_atomic(&a.out.join("sweep.json"), text.as_bytes())?;
    plots(
        &a.out,
        &rows,
        &certs,
        &betas,
        &test_losses,
        &inst,
        flow.as_ref(),
        thresholds.as_ref(),
        refs.as_ref(),
        a.log,
    )?;
    if a.json {
        super::print_json(
            &json!({"out": a.out.display().to_string(), "checks": out["checks"], "gradient_flow": out["gradient_flow"], "thresholds": out["thresholds"]}),
        )?;
    } else {
        out!(
            "{}: {} learning rates, {} steps each, precision {}; wrote {}/sweep.csv, sweep.json and plots",
            a.file.display(),
            rows.len(),
            a.steps,
            prec.name(),
            a.out.display()
        );
        if let Some(f) = &flow {
            out!(
                "  gradient flow: eta_c in [{}, {}]",
                decimal(f.eta_c.lo(), 10),
                decimal(f.eta_c.hi(), 10)
            );
        }
        for c in out["checks"].as_array().into_iter().flatten() {
            out!(
                "  {}: {} (margin {}) — {}",
                c["check"].as_str().unwrap_or("?"),
                c["status"].as_str().unwrap_or("?"),
                c["margin"].as_str().unwrap_or("-"),
                c["detail"].as_str().unwrap_or("")
            );
        }
    }
    Ok(0)
}

fn rename(e: Error, flag: &str) -> Error {
    match e {
        Error::Usage(m) => Error::Usage(m.replacen("--lr", flag, 1)),
        other => other,
    }
}

/// β at the run's endpoint, exactly (from its exact θ), and ‖β‖₁ (what papers plot; `norm` is
/// N = ‖θ‖², a different number: docs/gradient-descent.md).
fn endpoint_beta(r: &SweepRow, model: crate::io::instance::Model) -> (Vec<Q>, Q) {
    let beta = crate::models::model::beta::<Q>(model, &r.summary.theta);
    let l1 = beta.iter().map(crate::numeric::rational::abs).sum();
    (beta, l1)
}

fn row_json(
    r: &SweepRow,
    certified: Option<&CertifiedRow>,
    (beta, beta_l1): &(Vec<Q>, Q),
    test_loss: Option<&Q>,
) -> Value {
    let d = r.summary.precision.digits();
    let mut v = json!({
        "beta": beta.iter().map(|b| decimal(b, d)).collect::<Vec<_>>(),
        "beta_l1": decimal(beta_l1, d),
        "lr": fmt_q(&r.eta),
        "converged": r.summary.stop == Stop::Converged,
        "diverged": r.summary.stop == Stop::Diverged,
        "steps": r.summary.steps,
        "loss": decimal(&r.summary.loss, d),
        "sharpness": decimal(&r.summary.sharpness, d),
        "norm": decimal(&r.summary.norm, d),
        "gen_error": r.gen_error.as_ref().map(|e| decimal(e, 17)),
    });
    if let Some(t) = test_loss {
        v["test_loss"] = json!(decimal(t, d));
    }
    if let Some(c) = certified {
        v["certified"] = c.limit.json();
        if let Some(l) = &c.learner {
            v["certified_gen_error"] = match l {
                Ok(e) => interval_json(e, 256),
                Err(why) => json!({"reason": why}),
            };
        }
    }
    v
}

/// Significant digits of the certified CSV columns (rounded outward, so each `_lo` is a lower
/// and each `_hi` an upper bound of the exact value).
const CERTIFIED_DIGITS: usize = 17;

/// Which optional columns sweep.csv has.
struct Columns {
    teacher: bool,
    /// `test_loss` (a `[test]` section).
    test: bool,
    certify: bool,
    /// `beta_1` … `beta_d` (`--beta`).
    beta: bool,
    /// `batch,seed,replacement`, the same on every row (`--batch`).
    sgd: Option<crate::dynamics::sgd::Sgd>,
}

fn csv_text(
    rows: &[SweepRow],
    certs: &[Option<CertifiedRow>],
    betas: &[(Vec<Q>, Q)],
    test_losses: &[Option<Q>],
    columns: &Columns,
) -> String {
    let Columns {
        teacher, certify, ..
    } = *columns;
    let mut s = String::from("lr,converged,diverged,steps,norm,sharpness,loss");
    if teacher {
        s += ",gen_error";
    }
    s += ",beta_l1";
    if columns.test {
        s += ",test_loss";
    }
    if columns.beta {
        for i in 1..=betas.first().map_or(0, |b| b.0.len()) {
            s += &format!(",beta_{i}");
        }
    }
    if columns.sgd.is_some() {
        s += ",batch,seed,replacement";
    }
    if certify {
        s += ",certified,norm_lo,norm_hi,sharpness_lo,sharpness_hi,eos_margin_lo,eos_margin_hi";
        if teacher {
            s += ",gen_error_lo,gen_error_hi";
        }
        s += ",certified_reason";
    }
    s.push('\n');
    for (((r, c), (beta, beta_l1)), test_loss) in rows.iter().zip(certs).zip(betas).zip(test_losses)
    {
        let d = r.summary.precision.digits();
        s += &format!(
            "{},{},{},{},{},{},{}",
            decimal(&r.eta, 17),
            r.summary.stop == Stop::Converged,
            r.summary.stop == Stop::Diverged,
            r.summary.steps,
            decimal(&r.summary.norm, d),
            decimal(&r.summary.sharpness, d),
            decimal(&r.summary.loss, d)
        );
        if teacher {
            s += &format!(
                ",{}",
                r.gen_error
                    .as_ref()
                    .map(|e| decimal(e, 17))
                    .unwrap_or_default()
            );
        }
        s += &format!(",{}", decimal(beta_l1, d));
        if columns.test {
            s += &format!(
                ",{}",
                test_loss
                    .as_ref()
                    .map(|t| decimal(t, d))
                    .unwrap_or_default()
            );
        }
        if columns.beta {
            for b in beta {
                s += &format!(",{}", decimal(b, d));
            }
        }
        if let Some(sgd) = &columns.sgd {
            s += &format!(",{},{},{}", sgd.batch, sgd.seed, sgd.replacement);
        }
        if let Some(c) = c {
            let ends = |i: &Interval| {
                format!(
                    "{},{}",
                    decimal_outward(i.lo(), CERTIFIED_DIGITS, false),
                    decimal_outward(i.hi(), CERTIFIED_DIGITS, true)
                )
            };
            let mut reasons = Vec::new();
            match &c.limit {
                Certified::Converged(l) => {
                    s += &format!(
                        ",true,{},{},{}",
                        ends(&l.norm),
                        ends(&l.sharpness),
                        ends(&l.eos_margin)
                    )
                }
                Certified::NotCertified(why) => {
                    s += ",false,,,,,,";
                    reasons.push(why.clone());
                }
            }
            if teacher {
                match &c.learner {
                    Some(Ok(e)) => s += &format!(",{}", ends(e)),
                    Some(Err(why)) => {
                        s += ",,";
                        reasons.push(format!("learner: {why}"));
                    }
                    None => s += ",,",
                }
            }
            // One quoted field (RFC 4180: inner quotes doubled).
            s += &format!(",\"{}\"", reasons.join("; ").replace('"', "\"\""));
        }
        s.push('\n');
    }
    s
}

fn f(q: &Q) -> f64 {
    q_to_f64(q)
}

/// The certified values of a sweep as a series with error bars [lo, hi] (empty without
/// `--certify`; rates with no certificate are left out of it, and appear as float points).
fn certified_series<'r, T: 'r>(
    name: &str,
    rows: &[SweepRow],
    certs: &'r [Option<CertifiedRow>],
    field: impl Fn(&'r CertifiedRow) -> Option<&'r T>,
    enclosure: impl Fn(&'r T) -> Option<&'r Interval>,
) -> Series {
    let mut points = Vec::new();
    let mut bars = Vec::new();
    for (r, c) in rows.iter().zip(certs) {
        if let Some(i) = c.as_ref().and_then(&field).and_then(&enclosure) {
            let (lo, hi, x) = (f(i.lo()), f(i.hi()), f(&r.eta));
            points.push((x, (lo + hi) / 2.0));
            bars.push((x, lo, hi));
        }
    }
    Series::new(name, points, INK, Style::Rings).with_bars(bars)
}

/// The sweep's figures: S, N and (with a teacher) E against η, with η_norm, η_c and η_max as
/// distinct vertical marks, 2/η as a dashed curve, runs that did not converge drawn as crosses
/// (at the top of the panel when they diverged) rather than dropped, and a true log axis with
/// `--log`.
#[allow(clippy::too_many_arguments)]
fn plots(
    dir: &std::path::Path,
    rows: &[SweepRow],
    certs: &[Option<CertifiedRow>],
    betas: &[(Vec<Q>, Q)],
    test_losses: &[Option<Q>],
    inst: &crate::io::instance::Instance,
    flow: Option<&FlowReport>,
    th: Option<&dynamics::Thresholds>,
    refs: Option<&eos::References>,
    log: bool,
) -> Result<()> {
    let x_label = "learning rate eta";
    let ok: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| r.summary.stop == Stop::Converged)
        .collect();
    let limit: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| r.summary.stop == Stop::Limit)
        .collect();
    let diverged: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| r.summary.stop == Stop::Diverged)
        .collect();
    let mut vertical = Vec::new();
    if let Some(t) = th {
        vertical.push(Mark {
            name: "eta_norm = 2/S(min-norm)".into(),
            value: f(&t.eta_norm),
            color: BLUE,
        });
        vertical.push(Mark {
            name: "eta_max = 2/S(min-sharpness)".into(),
            value: f(&t.eta_max),
            color: GREEN,
        });
    }
    if let Some(fr) = flow {
        vertical.push(Mark {
            name: "eta_c (gradient flow)".into(),
            value: f(&fr.eta_c.mid()),
            color: PURPLE,
        });
    }
    // The T1 reference lines exist where the T1 closed forms do (not for shared-depth, D > 2).
    let t1 = match crate::models::model::beta_space(inst.model) {
        Some(_) if inst.x.len() == 1 => Some(crate::theory::optimum::solve(inst)?),
        _ => None,
    };
    // The top of a panel fitted to the finite values, where diverged runs are drawn.
    let top = |vals: &[f64]| {
        vals.iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let panel = |title: &str, y_label: &str, series: Vec<Series>, horizontal: Vec<Mark>| {
        let mut c = Chart::new(title, x_label, y_label);
        c.log_x = log;
        c.series = series;
        c.vertical = vertical.clone();
        c.horizontal = horizontal;
        c
    };
    let s_of = |rs: &[&SweepRow]| {
        rs.iter()
            .map(|r| (f(&r.eta), f(&r.summary.sharpness)))
            .collect::<Vec<_>>()
    };
    let s_top = top(&ok
        .iter()
        .chain(&limit)
        .map(|r| f(&r.summary.sharpness))
        .chain(t1.iter().map(|t| f(&t.sharpness_of_min_norm)))
        .collect::<Vec<_>>());
    // 2/η as a smooth curve over the swept range (geometric steps on a log axis).
    let (e0, e1) = (
        rows.first().map_or(1.0, |r| f(&r.eta)),
        rows.last().map_or(1.0, |r| f(&r.eta)),
    );
    let at = |k: f64| {
        if log {
            e0 * (e1 / e0).powf(k)
        } else {
            e0 + (e1 - e0) * k
        }
    };
    let two_over: Vec<(f64, f64)> = (0..=200)
        .map(|k| at(k as f64 / 200.0))
        .map(|e| (e, 2.0 / e))
        .filter(|p| p.1 <= 1.2 * s_top)
        .collect();
    let sharp = panel(
        "Final sharpness vs learning rate",
        "sharpness S (full Hessian)",
        vec![
            Series::new("GD endpoint S (converged)", s_of(&ok), ORANGE, Style::Dots),
            Series::new(
                "S at the step limit (not converged)",
                s_of(&limit),
                GREY,
                Style::Crosses,
            ),
            Series::new(
                "diverged (drawn at the top)",
                diverged.iter().map(|r| (f(&r.eta), s_top)).collect(),
                RED,
                Style::Crosses,
            ),
            Series::new("2/eta (linear stability)", two_over, INK, Style::Dashed),
            certified_series(
                "certified S of the exact GD limit",
                rows,
                certs,
                |l| Some(&l.limit),
                |l| match l {
                    Certified::Converged(l) => Some(&l.sharpness),
                    Certified::NotCertified(_) => None,
                },
            ),
        ],
        t1.as_ref().map_or_else(Vec::new, |t1| {
            vec![
                Mark {
                    name: "S(min-norm)".into(),
                    value: f(&t1.sharpness_of_min_norm),
                    color: BLUE,
                },
                Mark {
                    name: "S(min-sharpness)".into(),
                    value: f(&t1.min_sharpness.value),
                    color: GREEN,
                },
            ]
        }),
    );
    plot::render(&sharp, dir, "sharpness")?;
    let n_of = |rs: &[&SweepRow]| {
        rs.iter()
            .map(|r| (f(&r.eta), f(&r.summary.norm)))
            .collect::<Vec<_>>()
    };
    let n_top = top(&ok
        .iter()
        .chain(&limit)
        .map(|r| f(&r.summary.norm))
        .chain(t1.iter().map(|t| f(&t.norm_of_min_sharpness)))
        .collect::<Vec<_>>());
    let norm = panel(
        "Final norm vs learning rate",
        "norm N = |theta|^2",
        vec![
            Series::new("GD endpoint N (converged)", n_of(&ok), ORANGE, Style::Dots),
            Series::new(
                "N at the step limit (not converged)",
                n_of(&limit),
                GREY,
                Style::Crosses,
            ),
            Series::new(
                "diverged (drawn at the top)",
                diverged.iter().map(|r| (f(&r.eta), n_top)).collect(),
                RED,
                Style::Crosses,
            ),
        ],
        t1.as_ref().map_or_else(Vec::new, |t1| {
            vec![
                Mark {
                    name: "N(min-norm)".into(),
                    value: f(&t1.min_norm.value),
                    color: BLUE,
                },
                Mark {
                    name: "N(min-sharpness)".into(),
                    value: f(&t1.norm_of_min_sharpness),
                    color: GREEN,
                },
            ]
        }),
    );
    let mut norm = norm;
    norm.series.push(certified_series(
        "certified N of the exact GD limit",
        rows,
        certs,
        |l| Some(&l.limit),
        |l| match l {
            Certified::Converged(l) => Some(&l.norm),
            Certified::NotCertified(_) => None,
        },
    ));
    plot::render(&norm, dir, "norm")?;
    // What papers on diagonal networks plot against η: ‖β‖₁ and the held-out loss.
    let by_stop = |values: &dyn Fn(usize) -> Option<f64>, stop: Stop| {
        (0..rows.len())
            .filter(|&k| rows[k].summary.stop == stop)
            .filter_map(|k| Some((f(&rows[k].eta), values(k)?)))
            .filter(|p| p.1.is_finite())
            .collect::<Vec<_>>()
    };
    // Diverged runs as red crosses at the top of a panel, as in the panels above.
    let diverged_at = |values: &[(f64, f64)]| {
        let y = top(&values.iter().map(|p| p.1).collect::<Vec<_>>());
        Series::new(
            "diverged (drawn at the top)",
            diverged.iter().map(|r| (f(&r.eta), y)).collect(),
            RED,
            Style::Crosses,
        )
    };
    let l1 = |k: usize| Some(f(&betas[k].1));
    let settled: Vec<(f64, f64)> = [Stop::Converged, Stop::Limit]
        .into_iter()
        .flat_map(|s| by_stop(&l1, s))
        .collect();
    let beta_panel = panel(
        "Final l1 norm of beta vs learning rate",
        "|beta|_1 of the GD endpoint",
        vec![
            Series::new(
                "GD endpoint |beta|_1 (converged)",
                by_stop(&l1, Stop::Converged),
                ORANGE,
                Style::Dots,
            ),
            Series::new(
                "|beta|_1 at the step limit (not converged)",
                by_stop(&l1, Stop::Limit),
                GREY,
                Style::Crosses,
            ),
            diverged_at(&settled),
        ],
        Vec::new(),
    );
    plot::render(&beta_panel, dir, "beta_l1")?;
    if test_losses.iter().any(Option::is_some) {
        let t = |k: usize| test_losses[k].as_ref().map(f);
        let (ok, open) = (by_stop(&t, Stop::Converged), by_stop(&t, Stop::Limit));
        let settled: Vec<(f64, f64)> = ok.iter().chain(&open).copied().collect();
        let positive: Vec<f64> = settled.iter().map(|p| p.1).collect();
        let (lo, hi) = positive
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let mut test = panel(
            "Test loss vs learning rate",
            "test loss |X_test beta - y_test|^2 / (2 n_test)",
            vec![
                Series::new("GD endpoint (converged)", ok, ORANGE, Style::Dots),
                Series::new(
                    "at the step limit (not converged)",
                    open,
                    GREY,
                    Style::Crosses,
                ),
                diverged_at(&settled),
            ],
            Vec::new(),
        );
        // A log axis when the losses are positive and span more than two decades.
        test.log_y = lo > 0.0 && hi / lo > 100.0;
        plot::render(&test, dir, "test_loss")?;
    }
    if refs.is_none() && rows.iter().any(|r| r.gen_error.is_some()) {
        let e = |k: usize| rows[k].gen_error.as_ref().map(f);
        let errors = panel(
            "Expected generalization error vs learning rate",
            "E = sum_a p_a G(beta_GD(y_a); beta*_a) (exact at the float endpoints)",
            vec![
                Series::new(
                    "GD learner E (rates where the instance's run converged)",
                    by_stop(&e, Stop::Converged),
                    ORANGE,
                    Style::Dots,
                ),
                Series::new(
                    "rates where the instance's run hit the step limit",
                    by_stop(&e, Stop::Limit),
                    GREY,
                    Style::Crosses,
                ),
            ],
            Vec::new(),
        );
        plot::render(&errors, dir, "gen_error")?;
    }
    if let Some((en, es, fb, _)) = refs {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.summary.stop != Stop::Diverged)
            .filter_map(|r| r.gen_error.as_ref().map(|e| (f(&r.eta), f(e))))
            .collect();
        // The interesting part: E*, the nearer end and the GD points; the farther end only when
        // it is within twice that range (else its mark says where it is).
        let (en, es, fb) = (f(en), f(es), f(fb));
        let (near, far) = if en <= es { (en, es) } else { (es, en) };
        let core = points
            .iter()
            .map(|p| p.1)
            .chain([fb, near])
            .filter(|v| v.is_finite());
        let (lo, hi) = core.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let shown = far <= lo + 2.0 * (hi - lo).max(0.0);
        let hi = if shown { far } else { hi };
        let pad = 0.1 * (hi - lo).max(1e-12 * hi.abs().max(1.0));
        let far_name = |name: &str| {
            if shown {
                name.to_string()
            } else {
                format!("{name} = {far:.4e}, above the panel")
            }
        };
        let (name_n, name_s) = if en <= es {
            ("E(min-norm)".to_string(), far_name("E(min-sharpness)"))
        } else {
            (far_name("E(min-norm)"), "E(min-sharpness)".to_string())
        };
        let mut errors = panel(
            "Expected generalization error vs learning rate",
            "E (exact, endpoint projected onto M)",
            vec![
                Series::new("GD endpoint E (float learner)", points, ORANGE, Style::Dots),
                certified_series(
                    "certified E of the GD learner",
                    rows,
                    certs,
                    |c| c.learner.as_ref(),
                    |l| l.as_ref().ok(),
                ),
            ],
            vec![
                Mark {
                    name: name_n,
                    value: en,
                    color: BLUE,
                },
                Mark {
                    name: name_s,
                    value: es,
                    color: GREEN,
                },
                Mark {
                    name: "E* (best on the front)".into(),
                    value: fb,
                    color: RED,
                },
            ],
        );
        errors.y_range = Some((
            (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
            hi + pad,
        ));
        plot::render(&errors, dir, "gen_error")?;
    }
    Ok(())
}
