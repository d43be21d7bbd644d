//! Gradient descent on one data point and its full-Hessian sharpness (SPEC §4, §2).
//!
//! Untrusted numerics, written once over [`Scalar`] and run on `f32`, `f64`, [`F256`] (256 bits),
//! [`BigFloat`] (other bit counts) and exact rationals [`Q`]. The fused step is the whole numeric core:
//! - `shared` (β = w⊙w): w ← w ⊙ (1 − 2ηr x), then r ← ⟨x, w⊙w⟩ − y, in one pass;
//! - `uv` (β = u⊙v): (u, v) ← (u − ηr x⊙v, v − ηr x⊙u), then r ← ⟨x, u⊙v⟩ − y.
//!
//! Both equal θ ← θ − η∇L(θ) with ∇L from [`crate::models::loss::gradient`] (a property test checks
//! this exactly on Q).
//!
//! Sharpness S = max |λ| of the full Hessian. For `shared`, ∇²L = 4aaᵀ + 2r diag(x) with
//! a = x⊙w (SPEC §2): a diagonal plus rank-one matrix D + zzᵀ with δ_i = 2r x_i and
//! z_i² = 4x_i²w_i². For `uv`, ∇²L = JJᵀ + r[[0, X], [X, 0]] (X = diag x, J = (x⊙v, x⊙u)); the
//! 2×2 blocks rotate to eigenvalues ±r x_i, giving D + zzᵀ with δ = +r x_i, z² = x_i²(u_i+v_i)²/2
//! and δ = −r x_i, z² = x_i²(u_i−v_i)²/2. Eigenvalues of D + zzᵀ solve the secular equation
//! 1 = Σ z_i²/(λ − δ_i) (after deflating z_i = 0 and equal δ's); see [`extreme_eigenvalues`].

use crate::error::{Error, Result};
use crate::io::instance::OnePoint;
use crate::io::instance::{Init, Instance, Model};
use crate::numeric::rational::{parse_q, Q};
use crate::numeric::float256::F256;
use crate::numeric::scalar::{BigFloat, Scalar};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// Default initialisation scale when the instance has no `[init]`: w0 = α·1 with α = 1/10
/// (small initialisation: the "rich" regime, where gradient flow ends near the min-norm point).
pub const DEFAULT_ALPHA: (i64, i64) = (1, 10);

/// Most exact-rational steps allowed: bit sizes roughly triple per step (SPEC §4); on
/// `examples/eos.toml` 6 steps take ~6 s and 7 steps ~24 s, dominated by the exact secular
/// bisection on the final state.
pub const MAX_EXACT_STEPS: u64 = 6;

/// Bit counts accepted by `--precision BITS`.
pub const PRECISION_BITS: std::ops::RangeInclusive<usize> = 16..=65_536;

/// Arithmetic a trajectory runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
    /// Binary floating point with this many significand bits.
    Bits(usize),
    /// Exact rationals.
    Exact,
}

impl Precision {
    /// Parses `f32`, `f64`, a bit count, or `exact`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            "exact" => Ok(Precision::Exact),
            _ => {
                let bits: usize = s.parse().map_err(|_| format!("`{s}` is not f32, f64, exact or a bit count"))?;
                if PRECISION_BITS.contains(&bits) {
                    Ok(Precision::Bits(bits))
                } else {
                    Err(format!("{bits} bits is out of range ({}..={})", PRECISION_BITS.start(), PRECISION_BITS.end()))
                }
            }
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> String {
        match self {
            Precision::F32 => "f32".into(),
            Precision::F64 => "f64".into(),
            Precision::Bits(b) => format!("{b}"),
            Precision::Exact => "exact".into(),
        }
    }

    /// Relative residual at which a run counts as converged by default: about 2^8–2^12 units in
    /// the last place of y, above the rounding floor of the residual (f32: 2^-15, f64: 2^-40,
    /// b bits: 2^-(b-12)); exact runs only at r = 0.
    pub fn default_rel_tol(&self) -> Q {
        let p = |k: usize| Q::new(BigInt::one(), BigInt::one() << k);
        match self {
            Precision::F32 => p(15),
            Precision::F64 => p(40),
            Precision::Bits(b) => p(b - 12),
            Precision::Exact => Q::zero(),
        }
    }

    /// Significant decimal digits that round-trip a value of this precision.
    pub fn digits(&self) -> usize {
        match self {
            Precision::F32 => 9,
            Precision::F64 => 17,
            Precision::Bits(b) => b * 30103 / 100_000 + 2,
            Precision::Exact => 40,
        }
    }
}

/// One data point, model and initialisation in exact rationals: what a trajectory starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub model: Model,
    pub x: Vec<Q>,
    pub y: Q,
    /// θ0 (w for `shared`; u then v for `uv`), no zero entry.
    pub theta0: Vec<Q>,
}

impl Problem {
    /// The GD problem of an instance: `shared` or `uv`, one data point, θ0 from `[init]` or the
    /// default α = 1/10.
    pub fn of(inst: &Instance) -> Result<Problem> {
        let (x, y) = inst.point()?;
        if !matches!(inst.model, Model::Shared | Model::Uv) {
            return Err(Error::input(&inst.source, "model", format!("gradient descent covers shared and uv, not {}", inst.model.name())));
        }
        let p = x.len() * inst.model.block();
        let theta0 = match &inst.init {
            None => vec![Q::new(DEFAULT_ALPHA.0.into(), DEFAULT_ALPHA.1.into()); p],
            Some(Init::Alpha(a)) => vec![a.clone(); p],
            Some(Init::Theta(t)) => t.clone(),
        };
        if let Some(i) = theta0.iter().position(Zero::is_zero) {
            return Err(Error::input(&inst.source, format!("init.theta[{i}]"), "zero entry: that coordinate can never move under GD"));
        }
        Ok(Problem { model: inst.model, x: x.to_vec(), y: y.clone(), theta0 })
    }

    /// β(θ0).
    pub fn beta0(&self) -> Vec<Q> {
        crate::models::model::beta(self.model, &self.theta0)
    }
}

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
            acc = acc + self.x[i].clone() * crate::models::model::beta_i(self.model, theta, d, i);
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
            _ => {
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

    /// The Hessian ∇²L(θ) as D + zzᵀ: pairs (δ_i, z_i²) (module docs).
    pub fn secular_terms(&self, s: &State<S>) -> (Vec<S>, Vec<S>) {
        let d = self.x.len();
        match self.model {
            Model::Uv => {
                let mut delta = Vec::with_capacity(2 * d);
                let mut z2 = Vec::with_capacity(2 * d);
                let two = s.r.int_like(2);
                for i in 0..d {
                    let (u, v, x) = (s.theta[i].clone(), s.theta[d + i].clone(), self.x[i].clone());
                    let rx = s.r.clone() * x.clone();
                    let x2 = x.clone() * x;
                    let p = u.clone() + v.clone();
                    let m = u - v;
                    delta.push(rx.clone());
                    z2.push(x2.clone() * p.clone() * p / two.clone());
                    delta.push(-rx);
                    z2.push(x2 * m.clone() * m / two.clone());
                }
                (delta, z2)
            }
            _ => {
                let two = s.r.int_like(2);
                let four = s.r.int_like(4);
                let delta = self.x.iter().map(|x| two.clone() * s.r.clone() * x.clone()).collect();
                let z2 = (0..d).map(|i| four.clone() * self.x[i].clone() * self.x[i].clone() * s.theta[i].clone() * s.theta[i].clone()).collect();
                (delta, z2)
            }
        }
    }

    /// Loss, norm and the extreme eigenvalues at a state.
    pub fn measure(&self, s: &State<S>, iters: usize) -> Measure<S> {
        let (delta, z2) = self.secular_terms(s);
        let spectrum = extreme_eigenvalues(&delta, &z2, iters);
        let loss = s.r.clone() * s.r.clone() / s.r.int_like(2);
        Measure { loss, norm: crate::models::model::norm(&s.theta), spectrum }
    }
}

/// Enclosures `(lo, hi)` of the largest and smallest Hessian eigenvalues. For `Q` they are
/// certified; for float types they are the float bisection's bracket (untrusted).
#[derive(Clone, Debug)]
pub struct Spectrum<S> {
    pub max: (S, S),
    pub min: (S, S),
}

impl<S: Scalar> Spectrum<S> {
    /// Enclosure of S = max(λ_max, −λ_min).
    pub fn sharpness(&self) -> (S, S) {
        let lo = if self.max.0 >= -self.min.1.clone() { self.max.0.clone() } else { -self.min.1.clone() };
        let hi = if self.max.1 >= -self.min.0.clone() { self.max.1.clone() } else { -self.min.0.clone() };
        (lo, hi)
    }

    /// Which end of the spectrum attains S: `"top"` (λ_max) or `"bottom"` (−λ_min).
    pub fn end(&self) -> &'static str {
        if self.max.1 >= -self.min.0.clone() { "top" } else { "bottom" }
    }
}

/// Loss, norm and spectrum at one state.
#[derive(Clone, Debug)]
pub struct Measure<S> {
    pub loss: S,
    pub norm: S,
    pub spectrum: Spectrum<S>,
}

fn secular<S: Scalar>(lambda: &S, delta: &[S], z2: &[S], support: &[usize]) -> S {
    let mut acc = lambda.zero_like();
    for &i in support {
        acc = acc + z2[i].clone() / (lambda.clone() - delta[i].clone());
    }
    acc - lambda.int_like(1)
}

fn bisect<S: Scalar>(mut lo: S, mut hi: S, iters: usize, f: impl Fn(&S) -> S) -> (S, S) {
    let two = lo.int_like(2);
    for _ in 0..iters {
        let mid = (lo.clone() + hi.clone()) / two.clone();
        if mid <= lo || mid >= hi {
            break;
        }
        if f(&mid) > mid.zero_like() { lo = mid } else { hi = mid }
    }
    (lo, hi)
}

/// Largest and smallest eigenvalues of D + zzᵀ (D = diag δ, weights z_i² ≥ 0) in O(d) per
/// bisection step.
///
/// Facts used (interlacing for a positive rank-one update): let T = Σz_i² and restrict the
/// secular function f(λ) = Σ_{z_i≠0} z_i²/(λ − δ_i) − 1 to indices with z_i ≠ 0.
/// - λ_max = max(max_i δ_i, the root of f in (δ*, δ* + T]), δ* = max δ over z_i ≠ 0;
///   f decreases from +∞ to f(δ* + T) ≤ 0 there.
/// - λ_min = min(the smallest deflated eigenvalue, the root of f between the smallest δ with
///   z ≠ 0 and the next larger one (or δ + T when there is none)); deflated eigenvalues are the
///   δ_i with z_i = 0 and the δ of a repeated value among z_i ≠ 0.
///
/// Each root is bracketed by `iters` bisection steps on the sign of f (exact for Q).
pub fn extreme_eigenvalues<S: Scalar>(delta: &[S], z2: &[S], iters: usize) -> Spectrum<S> {
    let zero = delta[0].zero_like();
    let support: Vec<usize> = (0..delta.len()).filter(|&i| z2[i] > zero).collect();
    let mut dmax = delta[0].clone();
    let mut dmin = delta[0].clone();
    for v in delta {
        if *v > dmax {
            dmax = v.clone();
        }
        if *v < dmin {
            dmin = v.clone();
        }
    }
    if support.is_empty() {
        return Spectrum { max: (dmax.clone(), dmax), min: (dmin.clone(), dmin) };
    }
    let mut total = zero.clone();
    for &i in &support {
        total = total + z2[i].clone();
    }
    let f = |l: &S| secular(l, delta, z2, &support);
    let mut top = delta[support[0]].clone();
    let mut low = top.clone();
    for &i in &support {
        if delta[i] > top {
            top = delta[i].clone();
        }
        if delta[i] < low {
            low = delta[i].clone();
        }
    }
    let (lo, hi) = bisect(top.clone(), top + total.clone(), iters, f);
    let max = if dmax >= hi { (dmax.clone(), dmax) } else if dmax > lo { (dmax, hi) } else { (lo, hi) };
    // Deflated eigenvalues: δ_i with z_i = 0, and δ of a group of equal δ's among z_i ≠ 0
    // (multiplicity − 1 of them stay put).
    let mut deflated: Option<S> = None;
    for (i, v) in delta.iter().enumerate() {
        let stays = !(z2[i] > zero) || support.iter().any(|&j| j != i && delta[j] == *v);
        if stays && deflated.as_ref().is_none_or(|m| v < m) {
            deflated = Some(v.clone());
        }
    }
    let mut next: Option<S> = None;
    for &i in &support {
        if delta[i] > low && next.as_ref().is_none_or(|n| delta[i] < *n) {
            next = Some(delta[i].clone());
        }
    }
    let upper = next.unwrap_or_else(|| low.clone() + total);
    let (lo, hi) = bisect(low, upper, iters, f);
    let min = match deflated {
        Some(m) if m <= lo => (m.clone(), m),
        Some(m) if m < hi => (lo, m),
        _ => (lo, hi),
    };
    Spectrum { max, min }
}

/// Bisection steps for the secular equation in a precision.
pub fn secular_iters(p: Precision) -> usize {
    match p {
        Precision::F32 | Precision::F64 => 200,
        Precision::Bits(b) => b + 64,
        Precision::Exact => 80,
    }
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
            records.push(Record { step: k, measure: data.measure(s, opts.secular_iters), beta: crate::models::model::beta(p.model, &s.theta) });
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

/// Decimal text of a rational with `digits` significant digits (rounded to nearest),
/// e.g. `"1.2345e-3"`; `"0"` for zero. Parsable by [`crate::numeric::rational::parse_q`].
pub fn decimal(q: &Q, digits: usize) -> String {
    if q.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1);
    let sign = if q.is_negative() { "-" } else { "" };
    let a = crate::numeric::rational::abs(q);
    let ten = BigInt::from(10);
    let mut e = ((a.numer().bits() as f64 - a.denom().bits() as f64) * std::f64::consts::LOG10_2).floor() as i64;
    loop {
        let shift = digits as i64 - 1 - e;
        let scaled = if shift >= 0 { &a * Q::from_integer(num_traits::pow(ten.clone(), shift as usize)) } else { &a / Q::from_integer(num_traits::pow(ten.clone(), (-shift) as usize)) };
        let m = (scaled + Q::new(1.into(), 2.into())).floor().to_integer();
        let s = m.to_string();
        if s.len() > digits {
            e += 1;
            continue;
        }
        if s.len() < digits {
            e -= 1;
            continue;
        }
        let (head, tail) = s.split_at(1);
        let tail = tail.trim_end_matches('0');
        return if tail.is_empty() { format!("{sign}{head}e{e}") } else { format!("{sign}{head}.{tail}e{e}") };
    }
}

/// A scalar as decimal text (`None` when not finite).
pub fn text<S: Scalar>(v: &S, digits: usize) -> Option<String> {
    v.to_q().map(|q| decimal(&q, digits))
}

/// The [`BigFloat`] context (bit count) for `--precision BITS`, clamped to the supported range.
pub fn bigfloat_ctx(bits: usize) -> usize {
    bits.clamp(*crate::numeric::scalar::BIGFLOAT_BITS.start(), *crate::numeric::scalar::BIGFLOAT_BITS.end())
}

/// Exact sharpness enclosure of θ (rational), via the secular equation in Q.
pub fn exact_sharpness(p: &Problem, theta: Vec<Q>) -> (Q, Q, &'static str) {
    let data = Data::<Q>::new(p, &());
    let s = data.state(theta);
    let (delta, z2) = data.secular_terms(&s);
    let sp = extreme_eigenvalues(&delta, &z2, secular_iters(Precision::Exact));
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
        Precision::Bits(b) => summarize(p, prec, run::<BigFloat>(p, &bigfloat_ctx(b), opts, tick), opts),
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
    /// Sharpness as computed in the run's arithmetic (bracket midpoint), and its end.
    pub sharpness: Q,
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
        sharpness_end: m.spectrum.end(),
        records,
    }
}
