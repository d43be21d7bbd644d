//! Gradient descent on one data point and its full-Hessian sharpness (SPEC §4, §2), for every
//! model of SPEC §1.
//!
//! Untrusted numerics, written once over [`Scalar`] and run on `f32`, `f64`, [`F256`] (256 bits),
//! [`BigFloat`] (other bit counts) and exact rationals [`Q`] (the policy: [`precision`]). One
//! step is θ ← θ − η∇L(θ) with ∇L = r·J, J = Σ_i x_i ∂β_i/∂θ (n = 1), fused with the update of
//! the residual r ← ⟨x, β(θ)⟩ − y in one pass:
//! - `shared` (β = w⊙w): w ← w ⊙ (1 − 2ηr x);
//! - `uv` (β = u⊙v): (u, v) ← (u − ηr x⊙v, v − ηr x⊙u);
//! - `pm` and `shared-depth`: θ_k ← θ_k − (ηr)·x_i·∂β_i/∂θ_k from the block partials of
//!   [`crate::models::model::partials`] (pm: u ← u − ηr x⊙2u, v ← v + ηr x⊙2v; depth D:
//!   w ← w − ηr x⊙D w^{D−1}).
//!
//! The first two are the same step factored by hand (they keep earlier outputs bit for bit and
//! the `shared` step as fast as it was); a property test checks every model's step against
//! [`crate::models::loss::gradient`] exactly on Q.
//!
//! Sharpness S = max |λ| of the full Hessian: the one-point Hessian of every model is
//! diagonal plus rank one, D + zzᵀ ([`crate::models::loss::rank_one_form`]), whose extreme
//! eigenvalues solve the secular equation ([`crate::spectra::secular`]) in O(d) per bisection
//! step, in the run's own arithmetic.

use crate::error::Result;
use crate::io::instance::{Instance, Model};
use crate::models::loss::rank_one_form;
use crate::models::model;
use crate::numeric::float256::F256;
use crate::numeric::rational::{parse_q, Q};
use crate::numeric::scalar::{BigFloat, Scalar};
use num_traits::{Signed, Zero};

pub use crate::dynamics::precision::{self, Precision};
pub use crate::models::problem::Problem;
pub use crate::numeric::decimal::{decimal, text};
pub use crate::spectra::secular::{extreme_eigenvalues, Spectrum};

/// A learning rate from the command line: a rational η > 0.
pub fn parse_lr(text: &str) -> std::result::Result<Q, String> {
    let eta = parse_q(text)?;
    if !eta.is_positive() {
        return Err(format!("learning rate must be > 0, got {text}"));
    }
    Ok(eta)
}

/// The state of a trajectory: parameters θ and the residual r = ⟨x, β(θ)⟩ − y.
#[derive(Clone, Debug)]
pub struct State<S> {
    pub theta: Vec<S>,
    pub r: S,
}

/// The problem's data in a scalar type.
#[derive(Clone, Debug)]
pub struct Data<S> {
    pub model: Model,
    pub x: Vec<S>,
    pub y: S,
}

impl<S: Scalar> Data<S> {
    /// `p` rounded to nearest in context `ctx`.
    pub fn new(p: &Problem, ctx: &S::Ctx) -> Self {
        Data { model: p.model, x: p.x.iter().map(|q| S::from_q(q, ctx)).collect(), y: S::from_q(&p.y, ctx) }
    }

    /// r(θ) = ⟨x, β(θ)⟩ − y.
    pub fn residual(&self, theta: &[S]) -> S {
        let d = self.x.len();
        let mut acc = self.y.zero_like();
        for i in 0..d {
            acc = acc + self.x[i].clone() * model::beta_i(self.model, theta, d, i);
        }
        acc - self.y.clone()
    }

    /// The state at θ.
    pub fn state(&self, theta: Vec<S>) -> State<S> {
        let r = self.residual(&theta);
        State { theta, r }
    }

    /// One fused GD step θ ← θ − η∇L(θ), updating r in the same pass (see the module docs).
    pub fn step(&self, eta: &S, s: &mut State<S>) {
        let d = self.x.len();
        let mut acc = self.y.zero_like();
        match self.model {
            Model::Uv => {
                let c = eta.clone() * s.r.clone();
                for i in 0..d {
                    let cx = c.clone() * self.x[i].clone();
                    let u = s.theta[i].clone();
                    let v = s.theta[d + i].clone();
                    let u2 = u.clone() - cx.clone() * v.clone();
                    let v2 = v - cx * u;
                    acc = acc + self.x[i].clone() * u2.clone() * v2.clone();
                    s.theta[i] = u2;
                    s.theta[d + i] = v2;
                }
            }
            Model::Pm | Model::SharedDepth(_) => return self.step_by_partials(eta, s),
            Model::Shared => {
                let c = eta.int_like(2) * eta.clone() * s.r.clone();
                let one = eta.int_like(1);
                for i in 0..d {
                    let w = s.theta[i].clone() * (one.clone() - c.clone() * self.x[i].clone());
                    acc = acc + self.x[i].clone() * w.clone() * w.clone();
                    s.theta[i] = w;
                }
            }
        }
        s.r = acc - self.y.clone();
    }

    /// The step of [`Data::step`] from the block partials: θ_k ← θ_k − (ηr)·x_i·∂β_i/∂θ_k, then
    /// r ← ⟨x, β(θ)⟩ − y (a separate function, so that the hand-factored `shared` loop compiles
    /// as before).
    fn step_by_partials(&self, eta: &S, s: &mut State<S>) {
        let d = self.x.len();
        let mut acc = self.y.zero_like();
        let c = eta.clone() * s.r.clone();
        for i in 0..d {
            let cx = c.clone() * self.x[i].clone();
            let part = model::partials(self.model, &s.theta, d, i);
            for (k, g) in part.grad() {
                s.theta[*k] = s.theta[*k].clone() - cx.clone() * g.clone();
            }
            acc = acc + self.x[i].clone() * model::beta_i(self.model, &s.theta, d, i);
        }
        s.r = acc - self.y.clone();
    }

    /// The Hessian ∇²L(θ) as D + zzᵀ: pairs (δ_k, z_k²)
    /// ([`crate::models::loss::rank_one_form`]).
    pub fn secular_terms(&self, s: &State<S>) -> (Vec<S>, Vec<S>) {
        rank_one_form(self.model, &self.x, &s.r, &s.theta)
    }

    /// Loss, norm and the extreme eigenvalues at a state.
    pub fn measure(&self, s: &State<S>, iters: usize) -> Measure<S> {
        let (delta, z2) = self.secular_terms(s);
        let spectrum = extreme_eigenvalues(&delta, &z2, iters);
        let loss = s.r.clone() * s.r.clone() / s.r.int_like(2);
        Measure { loss, norm: model::norm(&s.theta), spectrum }
    }
}

/// Loss, norm and spectrum at one state.
#[derive(Clone, Debug)]
pub struct Measure<S> {
    pub loss: S,
    pub norm: S,
    pub spectrum: Spectrum<S>,
}

/// Why a trajectory stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Loss ≤ tolerance.
    Converged,
    /// |r| exceeded 10^8 · max(|y|, |r0|) or a value stopped being finite (the last finite
    /// state is kept).
    Diverged,
    /// Step limit reached.
    Limit,
}

/// One recorded step.
#[derive(Clone, Debug)]
pub struct Record<S> {
    pub step: u64,
    pub measure: Measure<S>,
    pub beta: Vec<S>,
}

/// A finished trajectory.
#[derive(Clone, Debug)]
pub struct Run<S> {
    pub stop: Stop,
    /// Steps taken (the state is θ_steps).
    pub steps: u64,
    pub state: State<S>,
    pub records: Vec<Record<S>>,
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct Options {
    pub eta: Q,
    pub max_steps: u64,
    /// Converged when |r| ≤ rel_tol·|y|, i.e. loss ≤ (rel_tol·y)²/2.
    pub rel_tol: Q,
    /// Record loss, S, N and β at every step (costs a secular solve per step).
    pub record: bool,
    pub secular_iters: usize,
}

fn all_finite<S: Scalar>(s: &State<S>) -> bool {
    s.r.is_finite() && s.theta.iter().all(Scalar::is_finite)
}

/// Runs GD from θ0 in context `ctx`; `tick` is called after every step (progress bars).
pub fn run<S: Scalar>(p: &Problem, ctx: &S::Ctx, opts: &Options, tick: &dyn Fn(u64)) -> Run<S> {
    let data = Data::<S>::new(p, ctx);
    let eta = S::from_q(&opts.eta, ctx);
    let mut state = data.state(p.theta0.iter().map(|q| S::from_q(q, ctx)).collect());
    let tol = S::from_q(&(opts.rel_tol.clone() * crate::numeric::rational::abs(&p.y)), ctx);
    let big = S::from_q(&(Q::from_integer(100_000_000.into()) * crate::numeric::rational::abs(&p.y).max(crate::numeric::rational::abs(&state.r.to_q().unwrap_or_else(Q::zero)))), ctx);
    let warn = S::from_q(&(Q::from_integer(10_000.into()) * crate::numeric::rational::abs(&p.y)), ctx);
    let mut records = Vec::new();
    let record = |k: u64, s: &State<S>, records: &mut Vec<Record<S>>| {
        if opts.record {
            records.push(Record { step: k, measure: data.measure(s, opts.secular_iters), beta: model::beta(p.model, &s.theta) });
        }
    };
    record(0, &state, &mut records);
    let mut steps = 0;
    let mut stop = Stop::Limit;
    while steps < opts.max_steps {
        if state.r.abs() <= tol {
            stop = Stop::Converged;
            break;
        }
        if state.r.abs() > big {
            stop = Stop::Diverged;
            break;
        }
        let backup = (state.r.abs() > warn).then(|| state.clone());
        data.step(&eta, &mut state);
        steps += 1;
        if !all_finite(&state) {
            if let Some(b) = backup {
                state = b;
                steps -= 1;
            }
            stop = Stop::Diverged;
            break;
        }
        record(steps, &state, &mut records);
        tick(steps);
    }
    if stop == Stop::Limit && state.r.abs() <= tol {
        stop = Stop::Converged;
    }
    Run { stop, steps, state, records }
}

/// Exact sharpness enclosure of θ (rational), via the secular equation in Q.
pub fn exact_sharpness(p: &Problem, theta: Vec<Q>) -> (Q, Q, &'static str) {
    let data = Data::<Q>::new(p, &());
    let s = data.state(theta);
    let (delta, z2) = data.secular_terms(&s);
    let sp = extreme_eigenvalues(&delta, &z2, precision::secular_iters(Precision::Exact));
    let (lo, hi) = sp.sharpness();
    (lo, hi, sp.end())
}

/// Thresholds of linear stability (SPEC §4), exact: η_norm = 2/S(β_norm), η_max = 2/S_min.
#[derive(Clone, Debug)]
pub struct Thresholds {
    pub eta_norm: Q,
    pub eta_max: Q,
}

/// η_norm and η_max of a `shared` one-point instance from the T1 closed forms.
pub fn thresholds(inst: &Instance) -> Result<Thresholds> {
    let t = crate::theory::optimum::solve(inst)?;
    Ok(Thresholds { eta_norm: t.eta_norm(), eta_max: t.eta_max() })
}

/// Runs in the arithmetic `prec` and converts the outcome to a precision-independent summary.
/// 256 bits run on the fixed-size [`F256`]; other bit counts on [`BigFloat`].
pub fn run_summary(p: &Problem, prec: Precision, opts: &Options, tick: &dyn Fn(u64)) -> Summary {
    match prec {
        Precision::F32 => summarize(p, prec, run::<f32>(p, &(), opts, tick), opts),
        Precision::F64 => summarize(p, prec, run::<f64>(p, &(), opts, tick), opts),
        Precision::Bits(256) => summarize(p, prec, run::<F256>(p, &(), opts, tick), opts),
        Precision::Bits(b) => summarize(p, prec, run::<BigFloat>(p, &precision::bigfloat_ctx(b), opts, tick), opts),
        Precision::Exact => summarize(p, prec, run::<Q>(p, &(), opts, tick), opts),
    }
}

/// A finished run in exact terms: the endpoint θ is the exact value the arithmetic held.
#[derive(Clone, Debug)]
pub struct Summary {
    pub precision: Precision,
    pub stop: Stop,
    pub steps: u64,
    /// θ_K exactly (dyadic for floats).
    pub theta: Vec<Q>,
    /// Residual as computed by the run (in its arithmetic).
    pub r: Q,
    pub loss: Q,
    pub norm: Q,
    /// Sharpness as computed in the run's arithmetic: the midpoint of the float bracket, the
    /// bracket itself (both ends, untrusted), and the end of the spectrum it came from.
    pub sharpness: Q,
    pub sharpness_bracket: crate::numeric::bracket::Bracket<Q>,
    pub sharpness_end: &'static str,
    /// Per-step records as decimal text: (step, loss, S, N, β).
    pub records: Vec<(u64, String, String, String, Vec<String>)>,
}

fn summarize<S: Scalar>(p: &Problem, prec: Precision, run: Run<S>, opts: &Options) -> Summary {
    let digits = prec.digits();
    let data = Data::<S>::new(p, &run.state.r.ctx());
    let m = data.measure(&run.state, opts.secular_iters);
    let (slo, shi) = m.spectrum.sharpness();
    let to_q = |v: &S| v.to_q().unwrap_or_else(Q::zero);
    let sharp = (to_q(&slo) + to_q(&shi)) / Q::from_integer(2.into());
    let t = |v: &S| text(v, digits).unwrap_or_else(|| "inf".into());
    let records = run
        .records
        .iter()
        .map(|r| {
            let (a, b) = r.measure.spectrum.sharpness();
            let s = (to_q(&a) + to_q(&b)) / Q::from_integer(2.into());
            (r.step, t(&r.measure.loss), decimal(&s, digits), t(&r.measure.norm), r.beta.iter().map(t).collect())
        })
        .collect();
    Summary {
        precision: prec,
        stop: run.stop,
        steps: run.steps,
        theta: run.state.theta.iter().map(to_q).collect(),
        r: to_q(&run.state.r),
        loss: to_q(&m.loss),
        norm: to_q(&m.norm),
        sharpness: sharp,
        sharpness_bracket: crate::numeric::bracket::Bracket::new(to_q(&slo), to_q(&shi)),
        sharpness_end: m.spectrum.end(),
        records,
    }
}
