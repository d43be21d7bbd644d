//! The report of `sweep` (SPEC §4, §7): gradient descent at every rate of a learning-rate grid,
//! in parallel, with the T1 thresholds, the certified gradient flow, the reference learners and
//! the checks C1–C5 it is read against, and (with `--certify`) every rate's certified GD limit
//! and GD learner. [`Plan`] checks the settings and computes what the whole sweep shares;
//! [`Plan::rate`] computes one rate's [`Row`]; [`Plan::report`] assembles the rows into
//! [`Sweep`], which holds `sweep.json` as a typed value and renders `sweep.csv` and the figures.
//!
//! The rows are what a shard (`--shard i/N`, [`crate::report::shard`]) writes and `merge`
//! reads back ([`RowRecord`], exact rationals as strings), so a merged sweep is assembled by the
//! same code from the same values as an unsharded one, and writes the same bytes.

use crate::dynamics::certified_gd::{self, Certified};
use crate::dynamics::eos::{self, Check, FlowReport, References, SweepRow};
use crate::dynamics::gd::{self as dynamics, Points, Precision, Stop, Thresholds, decimal};
use crate::error::{Error, Result};
use crate::io::format::decimal_outward;
use crate::io::instance::{Instance, Model};
use crate::io::plot::{Chart, Mark, Series, Style};
use crate::numeric::interval::{Interval, round_gd};
use crate::numeric::rational::{Q, fmt_q, fmt_qs, parse_q};
use crate::numeric::scalar::q_to_f64;
use crate::report::Observer;
use plotters::style::RGBColor;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most learning rates in one sweep.
pub const MAX_POINTS: usize = 100_000;

/// The learning-rate grid: A + (B − A)·k/(N − 1) exactly, or with `log` A·(B/A)^{k/(N−1)}
/// rounded to 12 significant decimal digits (then exact from there on).
pub fn grid(a: &Q, b: &Q, n: usize, log: bool) -> Vec<Q> {
    if n == 1 {
        return vec![a.clone()];
    }
    let last = Q::from_integer(((n - 1) as i64).into());
    (0..n)
        .map(|k| {
            let t = Q::from_integer((k as i64).into()) / &last;
            if k == 0 {
                a.clone()
            } else if k == n - 1 {
                b.clone()
            } else if log {
                let v = q_to_f64(a) * (q_to_f64(b) / q_to_f64(a)).powf(q_to_f64(&t));
                Q::from_float(v)
                    .map_or_else(|| a.clone(), |q| parse_q(&decimal(&q, 12)).unwrap_or(q))
            } else {
                a + (b - a) * t
            }
        })
        .collect()
}

/// The thresholds η_norm = 2/S(β_norm) and η_max = 2/inf S of a one-point instance whose model
/// has them in closed form (docs/gradient-descent.md): `shared` and `uv` (for `uv`, with
/// S = 2Σx_i²|β_i| on the balanced zero-loss points, η_norm = 1/(|y|·max|x_i|) and
/// η_max = 1/(|y|·min_{x_i≠0}|x_i|)); `None` for other models and for n > 1 points.
pub fn thresholds(inst: &Instance, one_point: bool) -> Result<Option<Thresholds>> {
    if !one_point || !matches!(inst.model, Model::Shared | Model::Uv) {
        return Ok(None);
    }
    crate::dynamics::gd::thresholds(inst).map(Some)
}

/// The settings of a sweep: everything that decides its values (where its files go aside). A
/// shard's manifest records them, and `merge` refuses shards whose settings differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub lr_from: String,
    pub lr_to: String,
    pub points: usize,
    pub log: bool,
    pub steps: u64,
    pub precision: String,
    pub tol: Option<String>,
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
/// instance's own labels, and (one point, discrete teacher) the GD learner's expected error over
/// the atoms' labels, or why it is not certified.
#[derive(Clone, Debug)]
pub struct CertifiedRow {
    pub limit: Certified,
    pub learner: Option<std::result::Result<Interval, String>>,
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

/// One learning rate of a sweep, by its index in the grid: the run's endpoint (with the float
/// learner's error), the test loss and the certified columns.
#[derive(Clone, Debug)]
pub struct Row {
    pub index: usize,
    pub run: SweepRow,
    pub test_loss: Option<Q>,
    pub certified: Option<CertifiedRow>,
}

/// What certified GD needs, by the number of data points.
enum Certify {
    No,
    /// One point: x and the initial scale α.
    OnePoint(Vec<Q>, Q),
    /// n > 1 points (SPEC §5.3): the certified limit per rate, no certified learner column.
    Points(Instance),
}

/// A sweep ready to run: the instance, the grid and what every rate shares (the certified
/// gradient flow, the thresholds, the reference learners).
pub struct Plan {
    file: String,
    options: Options,
    inst: Instance,
    points: Points,
    problem: Option<dynamics::Problem>,
    prec: Precision,
    opts: dynamics::Options,
    refs: Option<References>,
    setting: Option<crate::theory::generalization::Setting>,
    flow: Option<FlowReport>,
    thresholds: Option<Thresholds>,
    etas: Vec<Q>,
    certify: Certify,
    atoms: Option<Vec<(Q, Vec<Q>)>>,
    sigma: Vec<Vec<Q>>,
}

fn rename(e: Error, flag: &str) -> Error {
    match e {
        Error::Usage(m) => Error::Usage(m.replacen("--lr", flag, 1)),
        other => other,
    }
}

impl Plan {
    /// Checks the settings `o` against the instance `inst` read from `file` and computes what
    /// every rate shares. The errors are the command's (usage errors name the flag).
    pub fn new(inst: Instance, file: &str, o: &Options) -> Result<Plan> {
        use crate::report::gd as g;
        let points = Points::of(&inst)?;
        // The gradient flow, the T1 thresholds and the reference learners are one-point theory:
        // with n > 1 points the sweep runs GD and C1 only (docs/trajectory.md).
        let problem = points.one_point();
        let from = g::lr(&o.lr_from).map_err(|e| rename(e, "--lr-from"))?;
        let to = g::lr(&o.lr_to).map_err(|e| rename(e, "--lr-to"))?;
        if to < from {
            return Err(Error::Usage("--lr-to must be ≥ --lr-from".into()));
        }
        if o.points == 0 || o.points > MAX_POINTS {
            return Err(Error::Usage(format!(
                "--points must be from 1 to {MAX_POINTS}"
            )));
        }
        let prec = g::precision(&o.precision)?;
        if prec == Precision::Exact {
            return Err(Error::Usage(
                "--precision exact is for `gd` (a few steps); sweeps run in f32, f64 or BITS"
                    .into(),
            ));
        }
        let mut opts = g::options(from.clone(), o.steps, prec, o.tol.as_deref(), false)?;
        opts.sgd = g::sgd(o.batch, o.seed, o.replacement, points.n(), o.certify)?;
        let (refs, setting) = if inst.one_point {
            (
                eos::reference_errors(&inst)?,
                crate::theory::generalization::Setting::of(&inst)?,
            )
        } else {
            (None, None)
        };
        let flow = match problem.as_ref().filter(|p| p.model == Model::Shared) {
            Some(p) => Some(eos::flow_report(p)?),
            None => None,
        };
        let thresholds = thresholds(&inst, problem.is_some())?;
        let etas = grid(&from, &to, o.points, o.log);
        let path = std::path::Path::new(file);
        let certify = if o.certify && !inst.one_point {
            g::certified_steps(o.certify_steps)?;
            g::bits(o.bits)?;
            Certify::Points(g::points_instance(&inst, path)?)
        } else if o.certify {
            let (x, alpha) = g::certified_setup(&inst, path)?;
            g::certified_steps(o.certify_steps)?;
            g::bits(o.bits)?;
            Certify::OnePoint(x, alpha)
        } else {
            if o.bits.is_some() {
                return Err(Error::Usage("--bits needs --certify".into()));
            }
            Certify::No
        };
        let atoms = match &inst.teacher {
            Some(dlncheck_kernel::instance::Teacher::Discrete { atoms }) => Some(atoms.clone()),
            _ => None,
        };
        let sigma = inst.sigma();
        Ok(Plan {
            file: file.to_string(),
            options: o.clone(),
            inst,
            points,
            problem,
            prec,
            opts,
            refs,
            setting,
            flow,
            thresholds,
            etas,
            certify,
            atoms,
            sigma,
        })
    }

    /// The learning-rate grid.
    pub fn etas(&self) -> &[Q] {
        &self.etas
    }

    /// The settings the plan was made from.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// SPEC §5.4: at n > 1 points (the `X` form) the float learner runs once per atom's labels.
    fn many_atoms(&self) -> Option<&[(Q, Vec<Q>)]> {
        self.atoms.as_deref().filter(|_| !self.inst.one_point)
    }

    /// Rate `k` of the grid: the float run, the float learner's error, the test loss and the
    /// certified columns.
    pub fn rate(&self, k: usize) -> Row {
        let eta = &self.etas[k];
        let mut o = self.opts.clone();
        o.eta = eta.clone();
        let summary = dynamics::run_points(&self.points, self.prec, &o, &|_| {});
        let gen_error = match self.many_atoms() {
            Some(at) => eos::learner_error_points(&self.points, at, &self.sigma, self.prec, &o),
            None => self
                .setting
                .as_ref()
                .zip(self.problem.as_ref())
                .and_then(|(s, p)| eos::learner_error(p, s, self.prec, &o)),
        };
        let test_loss = self
            .inst
            .test
            .as_ref()
            .map(|t| crate::report::gd::test_loss(self.inst.model, t, &summary.theta));
        let (steps, bits) = (self.options.certify_steps, self.options.bits);
        let certified = match &self.certify {
            Certify::No => None,
            Certify::OnePoint(x, alpha) => Some(CertifiedRow::of(
                x,
                &self.inst.y[0],
                alpha,
                eta,
                steps,
                bits,
                self.atoms.as_deref().map(|at| (at, self.sigma.as_slice())),
            )),
            Certify::Points(pi) => Some(CertifiedRow {
                limit: certified_gd::certify_points(pi, eta, steps, bits),
                learner: self.atoms.as_deref().map(|at| {
                    crate::report::learner_points::expected_error_gd(
                        pi,
                        at,
                        &self.sigma,
                        eta,
                        steps,
                        bits,
                    )
                }),
            }),
        };
        Row {
            index: k,
            run: SweepRow::of(eta.clone(), summary, gen_error),
            test_loss,
            certified,
        }
    }

    /// The rates `indices` in parallel, in the order given; `done` sees each row as it is
    /// finished (a shard's checkpoint) and `obs` counts them.
    pub fn run(
        &self,
        indices: &[usize],
        obs: &dyn Observer,
        done: &(dyn Fn(&Row) + Sync),
    ) -> Vec<Row> {
        obs.start(indices.len() as u64, "sweep");
        let rows = indices
            .par_iter()
            .map(|&k| {
                let row = self.rate(k);
                done(&row);
                obs.advance(1);
                row
            })
            .collect();
        obs.finish();
        rows
    }

    /// The whole sweep: every rate of the grid.
    pub fn run_all(&self, obs: &dyn Observer) -> Vec<Row> {
        let all: Vec<usize> = (0..self.etas.len()).collect();
        self.run(&all, obs, &|_| {})
    }

    /// Assembles the report from one row per rate of the grid (any order; each index once, at
    /// its grid's rate, else an error naming the index).
    pub fn report(self, mut rows: Vec<Row>) -> Result<Sweep> {
        rows.sort_by_key(|r| r.index);
        for (k, r) in rows.iter().enumerate() {
            if r.index != k || self.etas.get(k) != Some(&r.run.eta) {
                return Err(Error::Usage(format!(
                    "internal: sweep rows do not match the grid at index {k}"
                )));
            }
        }
        if rows.len() != self.etas.len() {
            return Err(Error::Usage(format!(
                "internal: {} sweep rows for a grid of {} rates",
                rows.len(),
                self.etas.len()
            )));
        }
        let model = self.inst.model;
        let mut runs = Vec::with_capacity(rows.len());
        let (mut certs, mut test_losses) = (Vec::new(), Vec::new());
        for r in rows {
            runs.push(r.run);
            certs.push(r.certified);
            test_losses.push(r.test_loss);
        }
        let betas: Vec<(Vec<Q>, Q)> = runs.iter().map(|r| endpoint_beta(r, model)).collect();
        let columns = Columns {
            teacher: self.refs.is_some() || self.many_atoms().is_some(),
            test: self.inst.test.is_some(),
            certify: self.options.certify,
            beta: self.options.beta,
            sgd: self.opts.sgd.clone(),
        };
        let checks = eos::sweep_checks(
            &runs,
            self.flow.as_ref(),
            self.thresholds.as_ref(),
            self.refs.as_ref(),
        );
        let report_rows = runs
            .iter()
            .zip(&certs)
            .zip(&betas)
            .zip(&test_losses)
            .map(|(((r, c), b), t)| RowReport::of(r, self.prec, c.as_ref(), b, t.as_ref()))
            .collect();
        Ok(Sweep {
            checks,
            file: self.file.clone(),
            gradient_flow: self.flow.as_ref().map(GradientFlow::of),
            points: runs.len(),
            precision: self.prec.name(),
            references: self.refs.as_ref().map(ReferenceErrors::of),
            rows: report_rows,
            sgd: self.opts.sgd.as_ref().map(crate::report::gd::sgd_json),
            steps: self.options.steps,
            thresholds: self.thresholds.as_ref().map(|t| ThresholdValues {
                eta_max: fmt_q(&t.eta_max),
                eta_norm: fmt_q(&t.eta_norm),
            }),
            data: Data {
                runs,
                certs,
                betas,
                test_losses,
                columns,
                digits: self.prec.digits(),
                plan: self,
            },
        })
    }
}

/// β at the run's endpoint, exactly (from its exact θ), and ‖β‖₁ (what papers plot; `norm` is
/// N = ‖θ‖², a different number: docs/gradient-descent.md).
fn endpoint_beta(r: &SweepRow, model: Model) -> (Vec<Q>, Q) {
    let beta = crate::models::model::beta::<Q>(model, &r.theta);
    let l1 = beta.iter().map(crate::numeric::rational::abs).sum();
    (beta, l1)
}

/// `sweep.json`: the settings, the thresholds, the certified gradient flow, the reference
/// learners, the checks C1–C5 and one [`RowReport`] per rate. Keys that do not apply to the
/// instance are `null` at the top level and in `gen_error`, absent elsewhere (as in every
/// release so far).
#[derive(Serialize)]
pub struct Sweep {
    pub checks: Vec<Check>,
    pub file: String,
    pub gradient_flow: Option<GradientFlow>,
    pub points: usize,
    pub precision: String,
    pub references: Option<ReferenceErrors>,
    pub rows: Vec<RowReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sgd: Option<Value>,
    pub steps: u64,
    pub thresholds: Option<ThresholdValues>,
    #[serde(skip)]
    data: Data,
}

/// The values the CSV and the figures are drawn from.
struct Data {
    runs: Vec<SweepRow>,
    certs: Vec<Option<CertifiedRow>>,
    betas: Vec<(Vec<Q>, Q)>,
    test_losses: Vec<Option<Q>>,
    columns: Columns,
    digits: usize,
    plan: Plan,
}

/// `{eta_max, eta_norm}`, exact.
#[derive(Serialize)]
pub struct ThresholdValues {
    pub eta_max: String,
    pub eta_norm: String,
}

/// The errors of the reference learners (SPEC §3), exact.
#[derive(Serialize)]
pub struct ReferenceErrors {
    pub front_best: FrontBest,
    pub min_norm: String,
    pub min_sharpness: String,
}

/// E* and its rule β = y·c.
#[derive(Serialize)]
pub struct FrontBest {
    pub c: Vec<String>,
    pub value: String,
}

impl ReferenceErrors {
    fn of((n, s, b, c): &References) -> Self {
        ReferenceErrors {
            front_best: FrontBest {
                c: fmt_qs(c),
                value: fmt_q(b),
            },
            min_norm: fmt_q(n),
            min_sharpness: fmt_q(s),
        }
    }
}

/// An exact enclosure with a decimal midpoint.
#[derive(Serialize)]
pub struct Enclosure {
    pub hi: String,
    pub lo: String,
    pub mid: String,
}

impl Enclosure {
    fn of(i: &Interval) -> Self {
        Enclosure {
            hi: fmt_q(i.hi()),
            lo: fmt_q(i.lo()),
            mid: decimal(&i.mid(), 17),
        }
    }
}

/// The certified gradient flow of a one-point `shared` instance: every value an enclosure of
/// exact rationals, and how it was computed.
#[derive(Serialize)]
pub struct GradientFlow {
    pub beta: Vec<Enclosure>,
    pub eta_c: Enclosure,
    pub max_sharpness: Enclosure,
    pub max_sharpness_rho: String,
    pub method: String,
    pub norm: Enclosure,
    pub rho: Enclosure,
    pub sharpness: Enclosure,
}

impl GradientFlow {
    /// The report of `f`.
    pub fn of(f: &FlowReport) -> Self {
        let limit = if f.kernel_checked {
            "from a gf-limit claim the kernel accepted (Krawczyk, docs/flow.md)"
        } else {
            "by certified bisection (producer only: the gf-limit route did not certify)"
        };
        GradientFlow {
            beta: f.limit.beta.iter().map(Enclosure::of).collect(),
            eta_c: Enclosure::of(&f.eta_c),
            max_sharpness: Enclosure::of(&f.max_sharpness.value),
            max_sharpness_rho: decimal(&f.max_sharpness.rho, 17),
            method: format!(
                "interval arithmetic at {} bits (Taylor exp with remainder); rho*, beta, norm and \
                 sharpness of the limit {limit}; max S by branch and bound over {} sub-intervals \
                 of hull(0, rho*) with secular-equation upper bounds and Rayleigh/secular lower \
                 bounds; eta_c = 2/max S",
                eos::FLOW_BITS,
                f.max_sharpness.pieces
            ),
            norm: Enclosure::of(&f.limit.norm),
            rho: Enclosure::of(&f.limit.rho),
            sharpness: Enclosure::of(&f.limit.sharpness),
        }
    }
}

/// One rate in `sweep.json`: decimals at the run's precision, `lr` exact, and with `--certify`
/// the `certified` object of SPEC §7 and the GD learner's certified error.
#[derive(Serialize)]
pub struct RowReport {
    pub beta: Vec<String>,
    pub beta_l1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified_gen_error: Option<LearnerError>,
    pub converged: bool,
    pub diverged: bool,
    pub gen_error: Option<String>,
    pub loss: String,
    pub lr: String,
    pub norm: String,
    pub sharpness: String,
    pub steps: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<String>,
}

/// The GD learner's certified expected error (ends rounded outward to 256 bits), or why not.
#[derive(Serialize)]
#[serde(untagged)]
pub enum LearnerError {
    Enclosure { hi: String, lo: String },
    NotCertified { reason: String },
}

impl RowReport {
    fn of(
        r: &SweepRow,
        prec: Precision,
        certified: Option<&CertifiedRow>,
        (beta, beta_l1): &(Vec<Q>, Q),
        test_loss: Option<&Q>,
    ) -> Self {
        let d = prec.digits();
        RowReport {
            beta: beta.iter().map(|b| decimal(b, d)).collect(),
            beta_l1: decimal(beta_l1, d),
            certified: certified.map(|c| c.limit.json()),
            certified_gen_error: certified.and_then(|c| c.learner.as_ref()).map(|l| match l {
                Ok(e) => LearnerError::Enclosure {
                    hi: fmt_q(&round_gd(e.hi(), 256, true)),
                    lo: fmt_q(&round_gd(e.lo(), 256, false)),
                },
                Err(why) => LearnerError::NotCertified {
                    reason: why.clone(),
                },
            }),
            converged: r.stop == Stop::Converged,
            diverged: r.stop == Stop::Diverged,
            gen_error: r.gen_error.as_ref().map(|e| decimal(e, 17)),
            loss: decimal(&r.loss, d),
            lr: fmt_q(&r.eta),
            norm: decimal(&r.norm, d),
            sharpness: decimal(&r.sharpness, d),
            steps: r.steps,
            test_loss: test_loss.map(|t| decimal(t, d)),
        }
    }
}

/// What `sweep --json` prints: where the files went, the checks, the flow and the thresholds.
#[derive(Serialize)]
pub struct Summary<'a> {
    pub checks: &'a [Check],
    pub gradient_flow: Option<&'a GradientFlow>,
    pub out: String,
    pub thresholds: Option<&'a ThresholdValues>,
}

impl Sweep {
    /// `sweep.json`: two-space indentation, keys sorted, a final newline.
    pub fn json_text(&self) -> Result<String> {
        let value = super::to_value(self)?;
        serde_json::to_string_pretty(&value)
            .map(|s| s + "\n")
            .map_err(|e| Error::Output {
                file: "sweep.json".into(),
                reason: e.to_string(),
            })
    }

    /// What `--json` prints for files written to `out`.
    pub fn summary(&self, out: &str) -> Summary<'_> {
        Summary {
            checks: &self.checks,
            gradient_flow: self.gradient_flow.as_ref(),
            out: out.to_string(),
            thresholds: self.thresholds.as_ref(),
        }
    }

    /// The certified η_c of the gradient flow, when there is one.
    pub fn eta_c(&self) -> Option<&Interval> {
        self.data.plan.flow.as_ref().map(|f| &f.eta_c)
    }

    /// The text `sweep.csv` holds.
    pub fn csv(&self) -> String {
        let d = &self.data;
        csv_text(
            &d.runs,
            &d.certs,
            &d.betas,
            &d.test_losses,
            &d.columns,
            d.digits,
        )
    }

    /// The figures (file stem, chart): S, N, ‖β‖₁, and with a `[test]` section the test loss,
    /// with a teacher the expected error.
    pub fn charts(&self) -> Result<Vec<(&'static str, Chart)>> {
        let d = &self.data;
        let p = &d.plan;
        charts(
            &d.runs,
            &d.certs,
            &d.betas,
            &d.test_losses,
            &p.inst,
            p.flow.as_ref(),
            p.thresholds.as_ref(),
            p.refs.as_ref(),
            p.options.log,
        )
    }
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
    d: usize,
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
        s += &format!(
            "{},{},{},{},{},{},{}",
            decimal(&r.eta, 17),
            r.stop == Stop::Converged,
            r.stop == Stop::Diverged,
            r.steps,
            decimal(&r.norm, d),
            decimal(&r.sharpness, d),
            decimal(&r.loss, d)
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

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(90, 90, 90);
/// The 2/η reference curve, distinct from the grey step-limit points.
const INK: RGBColor = RGBColor(0, 0, 0);

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
fn charts(
    rows: &[SweepRow],
    certs: &[Option<CertifiedRow>],
    betas: &[(Vec<Q>, Q)],
    test_losses: &[Option<Q>],
    inst: &Instance,
    flow: Option<&FlowReport>,
    th: Option<&Thresholds>,
    refs: Option<&References>,
    log: bool,
) -> Result<Vec<(&'static str, Chart)>> {
    let mut out = Vec::new();
    let x_label = "learning rate eta";
    let ok: Vec<&SweepRow> = rows.iter().filter(|r| r.stop == Stop::Converged).collect();
    let limit: Vec<&SweepRow> = rows.iter().filter(|r| r.stop == Stop::Limit).collect();
    let diverged: Vec<&SweepRow> = rows.iter().filter(|r| r.stop == Stop::Diverged).collect();
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
            .map(|r| (f(&r.eta), f(&r.sharpness)))
            .collect::<Vec<_>>()
    };
    let s_top = top(&ok
        .iter()
        .chain(&limit)
        .map(|r| f(&r.sharpness))
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
    out.push(("sharpness", sharp));
    let n_of = |rs: &[&SweepRow]| {
        rs.iter()
            .map(|r| (f(&r.eta), f(&r.norm)))
            .collect::<Vec<_>>()
    };
    let n_top = top(&ok
        .iter()
        .chain(&limit)
        .map(|r| f(&r.norm))
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
    out.push(("norm", norm));
    // What papers on diagonal networks plot against η: ‖β‖₁ and the held-out loss.
    let by_stop = |values: &dyn Fn(usize) -> Option<f64>, stop: Stop| {
        (0..rows.len())
            .filter(|&k| rows[k].stop == stop)
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
    out.push(("beta_l1", beta_panel));
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
        out.push(("test_loss", test));
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
        out.push(("gen_error", errors));
    }
    if let Some((en, es, fb, _)) = refs {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.stop != Stop::Diverged)
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
        out.push(("gen_error", errors));
    }
    Ok(out)
}

/// One [`Row`] as a shard writes it (a line of `rows.jsonl`) and `merge` reads it back: every
/// number an exact rational string ("p/q" in lowest terms, or "p"), so the merged sweep is
/// assembled from exactly the values the shard computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowRecord {
    pub index: usize,
    pub lr: String,
    pub stop: StopRecord,
    pub steps: u64,
    pub theta: Vec<String>,
    pub loss: String,
    pub norm: String,
    pub sharpness: String,
    pub gen_error: Option<String>,
    pub test_loss: Option<String>,
    pub certified: Option<CertifiedRecord>,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopRecord {
    Converged,
    Diverged,
    Limit,
}

/// The certified columns of a row: the GD limit and the GD learner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertifiedRecord {
    pub limit: LimitRecord,
    pub learner: Option<LearnerRecord>,
}

/// A certified GD limit ([`certified_gd::Limit`], enclosures as `[lo, hi]`), or why not (one
/// per row, so the size difference of the variants does not matter).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum LimitRecord {
    Converged {
        steps: u64,
        bits: u64,
        rho: String,
        q: String,
        beta: Vec<[String; 2]>,
        norm: [String; 2],
        sharpness: [String; 2],
        eos_margin: [String; 2],
        ell_u: Option<[String; 2]>,
    },
    NotCertified {
        reason: String,
    },
}

/// The GD learner's certified expected error `[lo, hi]`, or why not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum LearnerRecord {
    Certified { expected_error: [String; 2] },
    NotCertified { reason: String },
}

fn ends(i: &Interval) -> [String; 2] {
    [fmt_q(i.lo()), fmt_q(i.hi())]
}

/// A canonical rational string (as [`fmt_q`] writes it), or what is wrong with it, naming `field`.
fn exact(field: &str, s: &str) -> std::result::Result<Q, String> {
    match s.parse::<Q>() {
        Ok(q) if fmt_q(&q) == s => Ok(q),
        _ => Err(format!(
            "field `{field}`: {s:?} is not a canonical rational \"p/q\""
        )),
    }
}

fn exacts(field: &str, v: &[String]) -> std::result::Result<Vec<Q>, String> {
    v.iter().map(|s| exact(field, s)).collect()
}

fn interval(field: &str, [lo, hi]: &[String; 2]) -> std::result::Result<Interval, String> {
    let (lo, hi) = (exact(field, lo)?, exact(field, hi)?);
    if lo > hi {
        return Err(format!("field `{field}`: lo > hi"));
    }
    Ok(Interval::hull(lo, hi))
}

impl Row {
    /// The row as a shard writes it.
    pub fn record(&self) -> RowRecord {
        let r = &self.run;
        RowRecord {
            index: self.index,
            lr: fmt_q(&r.eta),
            stop: match r.stop {
                Stop::Converged => StopRecord::Converged,
                Stop::Diverged => StopRecord::Diverged,
                Stop::Limit => StopRecord::Limit,
            },
            steps: r.steps,
            theta: fmt_qs(&r.theta),
            loss: fmt_q(&r.loss),
            norm: fmt_q(&r.norm),
            sharpness: fmt_q(&r.sharpness),
            gen_error: r.gen_error.as_ref().map(fmt_q),
            test_loss: self.test_loss.as_ref().map(fmt_q),
            certified: self.certified.as_ref().map(|c| CertifiedRecord {
                limit: match &c.limit {
                    Certified::Converged(l) => LimitRecord::Converged {
                        steps: l.steps,
                        bits: l.bits,
                        rho: fmt_q(&l.rho),
                        q: fmt_q(&l.q),
                        beta: l.beta.iter().map(ends).collect(),
                        norm: ends(&l.norm),
                        sharpness: ends(&l.sharpness),
                        eos_margin: ends(&l.eos_margin),
                        ell_u: l.ell_u.as_ref().map(|(a, b)| [fmt_q(a), fmt_q(b)]),
                    },
                    Certified::NotCertified(why) => LimitRecord::NotCertified {
                        reason: why.clone(),
                    },
                },
                learner: c.learner.as_ref().map(|l| match l {
                    Ok(e) => LearnerRecord::Certified {
                        expected_error: ends(e),
                    },
                    Err(why) => LearnerRecord::NotCertified {
                        reason: why.clone(),
                    },
                }),
            }),
        }
    }

    /// The row a record holds (the inverse of [`Row::record`]), or the first malformed field.
    pub fn from_record(r: &RowRecord) -> std::result::Result<Row, String> {
        let certified = match &r.certified {
            None => None,
            Some(c) => Some(CertifiedRow {
                limit: match &c.limit {
                    LimitRecord::Converged {
                        steps,
                        bits,
                        rho,
                        q,
                        beta,
                        norm,
                        sharpness,
                        eos_margin,
                        ell_u,
                    } => Certified::Converged(certified_gd::Limit {
                        steps: *steps,
                        bits: *bits,
                        rho: exact("rho", rho)?,
                        q: exact("q", q)?,
                        beta: beta
                            .iter()
                            .map(|b| interval("beta", b))
                            .collect::<std::result::Result<_, _>>()?,
                        norm: interval("norm", norm)?,
                        sharpness: interval("sharpness", sharpness)?,
                        eos_margin: interval("eos_margin", eos_margin)?,
                        ell_u: match ell_u {
                            None => None,
                            Some([a, b]) => Some((exact("ell_u", a)?, exact("ell_u", b)?)),
                        },
                    }),
                    LimitRecord::NotCertified { reason } => Certified::NotCertified(reason.clone()),
                },
                learner: match &c.learner {
                    None => None,
                    Some(LearnerRecord::Certified { expected_error }) => {
                        Some(Ok(interval("expected_error", expected_error)?))
                    }
                    Some(LearnerRecord::NotCertified { reason }) => Some(Err(reason.clone())),
                },
            }),
        };
        let opt = |field: &str, v: &Option<String>| v.as_ref().map(|s| exact(field, s)).transpose();
        Ok(Row {
            index: r.index,
            run: SweepRow {
                eta: exact("lr", &r.lr)?,
                stop: match r.stop {
                    StopRecord::Converged => Stop::Converged,
                    StopRecord::Diverged => Stop::Diverged,
                    StopRecord::Limit => Stop::Limit,
                },
                steps: r.steps,
                theta: exacts("theta", &r.theta)?,
                loss: exact("loss", &r.loss)?,
                norm: exact("norm", &r.norm)?,
                sharpness: exact("sharpness", &r.sharpness)?,
                gen_error: opt("gen_error", &r.gen_error)?,
            },
            test_loss: opt("test_loss", &r.test_loss)?,
            certified,
        })
    }
}
