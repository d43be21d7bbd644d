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
use crate::numeric::rational::{Q, parse_q};
use crate::numeric::scalar::{BigFloat, Scalar};
use num_traits::{One, Signed, Zero};

pub use crate::dynamics::precision::{self, Precision};
pub use crate::models::problem::{Points, Problem};
pub use crate::numeric::decimal::{decimal, text};
pub use crate::spectra::secular::{Spectrum, extreme_eigenvalues};

/// A learning rate from the command line: a rational η > 0.
pub fn parse_lr(text: &str) -> std::result::Result<Q, String> {
    let eta = parse_q(text)?;
    if !eta.is_positive() {
        return Err(format!("learning rate must be > 0, got {text}"));
    }
    Ok(eta)
}

/// The state of a trajectory: parameters θ and the residual r = ⟨x, β(θ)⟩ − y (at n > 1,
/// r = max_j |r_j|, and `residuals` holds the vector r(θ) = Xβ(θ) − y, so that a step needs two
/// matrix–vector products, not three; empty at one point).
#[derive(Clone, Debug)]
pub struct State<S> {
    pub theta: Vec<S>,
    pub r: S,
    pub residuals: Vec<S>,
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
        Data {
            model: p.model,
            x: p.x.iter().map(|q| S::from_q(q, ctx)).collect(),
            y: S::from_q(&p.y, ctx),
        }
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
        State {
            theta,
            r,
            residuals: Vec::new(),
        }
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
        Measure {
            loss,
            norm: model::norm(&s.theta),
            spectrum,
        }
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
    /// θ at this step, kept every [`Options::keep_theta_every`] steps and at the last one.
    pub theta: Option<Vec<S>>,
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
    /// With `record`: also keep θ every this many steps (and at the last step); 0 never.
    pub keep_theta_every: u64,
    /// Mini-batch SGD instead of full-batch GD (`--batch`; [`crate::dynamics::sgd`]).
    pub sgd: Option<crate::dynamics::sgd::Sgd>,
}

fn all_finite<S: Scalar>(s: &State<S>) -> bool {
    s.r.is_finite() && s.theta.iter().all(Scalar::is_finite)
}

/// What a run needs of its data: the state at θ, one GD step, and the measurements of a state.
/// [`Data`] (one point, fused O(d) step, secular sharpness) and [`Many`] (n points, gradient
/// and dense or Lanczos sharpness) implement it, and [`run_with`] is written once over it.
pub trait Dynamics<S: Scalar> {
    /// The model whose β the records hold.
    fn model(&self) -> Model;
    /// The state at θ.
    fn state(&self, theta: Vec<S>) -> State<S>;
    /// One step θ ← θ − η∇L(θ), updating the state's residual.
    fn step(&self, eta: &S, s: &mut State<S>);
    /// Number of data points n.
    fn points(&self) -> usize;
    /// One SGD step θ ← θ − η∇L_B(θ) on the rows `batch` (increasing, repeats allowed),
    /// L_B = Σ_{i ∈ batch} r_i²/(2B), updating the state's residuals on every row.
    fn step_on(&self, eta: &S, s: &mut State<S>, batch: &[usize]);
    /// Loss, norm and extreme eigenvalues at a state.
    fn measure(&self, s: &State<S>, iters: usize) -> Measure<S>;
}

impl<S: Scalar> Dynamics<S> for Data<S> {
    fn model(&self) -> Model {
        self.model
    }
    fn state(&self, theta: Vec<S>) -> State<S> {
        Data::state(self, theta)
    }
    fn step(&self, eta: &S, s: &mut State<S>) {
        Data::step(self, eta, s)
    }
    fn points(&self) -> usize {
        1
    }
    /// One point: every batch is {0}, and the SGD step is the GD step.
    fn step_on(&self, eta: &S, s: &mut State<S>, _batch: &[usize]) {
        Data::step(self, eta, s)
    }
    fn measure(&self, s: &State<S>, iters: usize) -> Measure<S> {
        Data::measure(self, s, iters)
    }
}

/// Most parameters for which the float sharpness of an n > 1 run is a dense binary64
/// eigen-solve of the Hessian (nalgebra `SymmetricEigen`); above it, Lanczos on Hessian-vector
/// products.
pub const DENSE_SHARPNESS_MAX: usize = 64;

/// Lanczos iterations of the n > 1 float sharpness above [`DENSE_SHARPNESS_MAX`] parameters.
pub const LANCZOS_ITERS: usize = 300;

/// n ≥ 1 data points in a scalar type (issue 15 item 5). The state's `r` is max_j |r_j| (the
/// largest residual, ≥ 0), which the stopping rules compare with tol·max_j |y_j|. A step is
/// θ ← θ − η∇L with ∇L of [`crate::models::loss::gradient`]; S is untrusted float evidence
/// from the Hessian computed in the run's arithmetic and rounded to binary64: a dense
/// eigen-solve up to [`DENSE_SHARPNESS_MAX`] parameters (the bracket of each end widened by the
/// residual norm ‖Hv − λv‖ of its unit eigenvector, Weyl's bound), Lanczos above.
///
/// A step is one fused pass per data matrix product (issue 27 item 4): with r = Xβ − y kept in
/// the state, g = Xᵀr (row by row, an axpy per row), then θ ← θ − η∇L per model from g
/// (∇_β L = g/n), then β and r = Xβ − y at the new θ (each row a dot product in eight partial
/// sums). Two matrix–vector products per step, no allocation (the buffers live in `scratch`),
/// no dynamic dispatch; written once over [`Scalar`]. In binary64 on a processor with AVX2 the
/// same code runs compiled for AVX2 ([`step_f64_avx2`]): the same IEEE operations in the same
/// order in wider registers (Rust never contracts a·b + c), so the same iterates bit for bit.
#[derive(Clone, Debug)]
pub struct Many<S> {
    pub model: Model,
    pub data: crate::models::loss::Data<S>,
    scratch: std::cell::RefCell<Scratch<S>>,
}

/// Buffers of [`Many`]'s step: g = Xᵀr and β.
#[derive(Clone, Debug)]
struct Scratch<S> {
    g: Vec<S>,
    beta: Vec<S>,
}

/// Σ_k a_k·b_k in eight partial sums (k mod 8), combined as ((s0 + s1) + (s2 + s3)) +
/// ((s4 + s5) + (s6 + s7)), the tail added last: independent chains, so a float dot product is
/// not bound by the latency of one addition, and vector registers carry the lanes.
#[inline(always)]
fn dot8<S: Scalar>(a: &[S], b: &[S], zero: &S) -> S {
    let m = a.len() / 8 * 8;
    let mut s: [S; 8] = std::array::from_fn(|_| zero.clone());
    for (ca, cb) in a[..m].chunks_exact(8).zip(b[..m].chunks_exact(8)) {
        for l in 0..8 {
            s[l] = s[l].clone() + ca[l].clone() * cb[l].clone();
        }
    }
    let mut tail = zero.clone();
    for k in m..a.len() {
        tail = tail + a[k].clone() * b[k].clone();
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = s;
    (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + tail
}

impl<S: Scalar> Many<S> {
    /// `p` rounded to nearest in context `ctx`.
    pub fn new(p: &Points, ctx: &S::Ctx) -> Self {
        let data = crate::models::loss::Data {
            x: p.x
                .iter()
                .map(|r| r.iter().map(|q| S::from_q(q, ctx)).collect())
                .collect(),
            y: p.y.iter().map(|q| S::from_q(q, ctx)).collect(),
        };
        Many {
            model: p.model,
            data,
            scratch: std::cell::RefCell::new(Scratch {
                g: Vec::new(),
                beta: Vec::new(),
            }),
        }
    }

    /// The residuals r_j at θ.
    pub fn residuals(&self, theta: &[S]) -> Vec<S> {
        let mut scratch = self.scratch.borrow_mut();
        let mut r = Vec::new();
        self.residuals_into(theta, &mut scratch.beta, &mut r);
        r
    }

    /// β(θ) into `beta` and r = Xβ − y into `r` (buffers reused).
    fn residuals_into(&self, theta: &[S], beta: &mut Vec<S>, r: &mut Vec<S>) {
        let d = model::dim_of(self.model, theta.len());
        beta.clear();
        beta.extend((0..d).map(|i| model::beta_i(self.model, theta, d, i)));
        let zero = theta[0].zero_like();
        r.clear();
        r.extend(
            self.data
                .x
                .iter()
                .zip(&self.data.y)
                .map(|(xj, yj)| dot8(xj, beta, &zero) - yj.clone()),
        );
    }
}

fn max_abs<S: Scalar>(v: &[S]) -> S {
    let mut m = v[0].zero_like();
    for r in v {
        if r.abs() > m || !r.is_finite() {
            m = r.abs();
        }
    }
    m
}

impl<S: Scalar + 'static> Dynamics<S> for Many<S> {
    fn model(&self) -> Model {
        self.model
    }
    fn state(&self, theta: Vec<S>) -> State<S> {
        let residuals = self.residuals(&theta);
        State {
            r: max_abs(&residuals),
            theta,
            residuals,
        }
    }
    fn step(&self, eta: &S, s: &mut State<S>) {
        self.step_rows(eta, s, None)
    }
    fn points(&self) -> usize {
        self.data.y.len()
    }
    fn step_on(&self, eta: &S, s: &mut State<S>, batch: &[usize]) {
        self.step_rows(eta, s, Some(batch))
    }

    fn measure(&self, s: &State<S>, _iters: usize) -> Measure<S> {
        self.measure_state(s)
    }
}

impl<S: Scalar + 'static> Many<S> {
    /// One step on all rows (`None`) or on a batch of rows, in binary64 through the AVX2 build
    /// of the same code where the processor has it.
    fn step_rows(&self, eta: &S, s: &mut State<S>, rows: Option<&[usize]>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            use std::any::Any;
            let many = (self as &dyn Any).downcast_ref::<Many<f64>>();
            let eta64 = (eta as &dyn Any).downcast_ref::<f64>();
            if let (Some(many), Some(eta64), Some(s64)) = (
                many,
                eta64,
                (s as &mut dyn Any).downcast_mut::<State<f64>>(),
            ) {
                // SAFETY: the processor reports AVX2.
                return unsafe { step_f64_avx2(many, eta64, s64, rows) };
            }
        }
        self.fused_step(eta, s, rows)
    }

    fn measure_state(&self, s: &State<S>) -> Measure<S> {
        let ctx = s.r.ctx();
        let loss = crate::models::loss::loss(self.model, &self.data, &s.theta);
        let ((a, b), (c, d)) = float_spectrum(self.model, &self.data, &s.theta);
        // A Hessian beyond the binary64 range (a huge iterate of a wide arithmetic) is reported
        // at the largest double rather than as a non-number.
        let to = |x: f64| {
            S::from_q(
                &crate::numeric::rational::from_f64_exact(if x.is_finite() { x } else { f64::MAX })
                    .unwrap_or_default(),
                &ctx,
            )
        };
        Measure {
            loss,
            norm: model::norm(&s.theta),
            spectrum: Spectrum {
                max: (to(a), to(b)),
                min: (to(c), to(d)),
            },
        }
    }
}

impl<S: Scalar> Many<S> {
    /// One step θ ← θ − η∇L (see [`Many`]), in the state's arithmetic, without the AVX2
    /// dispatch of [`Dynamics::step`] (which tests compare it with, bit for bit).
    pub fn step_portable(&self, eta: &S, s: &mut State<S>) {
        self.fused_step(eta, s, None)
    }

    /// One step on all rows (`None`), or the SGD step on a batch of rows (increasing, repeats
    /// allowed): g = Σ_{j ∈ batch} r_j x_j and c = η/B in place of Xᵀr and η/n. The rows are
    /// summed in the order given, so the batch 0..n is the full step bit for bit.
    #[inline(always)]
    fn fused_step(&self, eta: &S, s: &mut State<S>, rows: Option<&[usize]>) {
        let mut scratch = self.scratch.borrow_mut();
        let Scratch { g, beta } = &mut *scratch;
        let d = model::dim_of(self.model, s.theta.len());
        if s.residuals.len() != self.data.y.len() {
            self.residuals_into(&s.theta, beta, &mut s.residuals);
        }
        // g = Xᵀr, one row at a time.
        let zero = s.theta[0].zero_like();
        g.clear();
        g.resize(d, zero);
        #[inline(always)]
        fn axpy<S: Scalar>(g: &mut [S], xj: &[S], rj: &S) {
            for (gk, xjk) in g.iter_mut().zip(xj) {
                *gk = gk.clone() + rj.clone() * xjk.clone();
            }
        }
        let batch = match rows {
            None => {
                for (xj, rj) in self.data.x.iter().zip(&s.residuals) {
                    axpy(g, xj, rj);
                }
                self.data.y.len()
            }
            Some(rows) => {
                for &j in rows {
                    axpy(g, &self.data.x[j], &s.residuals[j]);
                }
                rows.len()
            }
        };
        // θ ← θ − η∇L with ∇_β L = g/n (g/B on a batch): c = η/n.
        let c = eta.clone() / eta.int_like(batch as i64);
        let theta = &mut s.theta;
        match self.model {
            Model::Shared => {
                let c2 = eta.int_like(2) * c;
                let one = eta.int_like(1);
                for k in 0..d {
                    theta[k] = theta[k].clone() * (one.clone() - c2.clone() * g[k].clone());
                }
            }
            Model::Uv => {
                for k in 0..d {
                    let (u, v) = (theta[k].clone(), theta[d + k].clone());
                    let cg = c.clone() * g[k].clone();
                    theta[k] = u.clone() - cg.clone() * v.clone();
                    theta[d + k] = v - cg * u;
                }
            }
            Model::Pm => {
                let c2 = eta.int_like(2) * c;
                for k in 0..d {
                    let c2g = c2.clone() * g[k].clone();
                    theta[k] = theta[k].clone() - c2g.clone() * theta[k].clone();
                    theta[d + k] = theta[d + k].clone() + c2g * theta[d + k].clone();
                }
            }
            Model::SharedDepth(depth) => {
                let cd = c * eta.int_like(depth as i64);
                for k in 0..d {
                    let mut power = eta.int_like(1);
                    for _ in 1..depth {
                        power = power * theta[k].clone();
                    }
                    theta[k] = theta[k].clone() - cd.clone() * g[k].clone() * power;
                }
            }
        }
        self.residuals_into(&s.theta, beta, &mut s.residuals);
        s.r = max_abs(&s.residuals);
    }
}

/// [`Many::fused_step`] in binary64, compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn step_f64_avx2(many: &Many<f64>, eta: &f64, s: &mut State<f64>, rows: Option<&[usize]>) {
    many.fused_step(eta, s, rows)
}

/// Untrusted brackets of λ_max and λ_min of ∇²L(θ), in binary64 (see [`Many`]).
pub fn float_spectrum<S: Scalar>(
    model: Model,
    data: &crate::models::loss::Data<S>,
    theta: &[S],
) -> ((f64, f64), (f64, f64)) {
    let p = theta.len();
    if p <= DENSE_SHARPNESS_MAX {
        let h: Vec<Vec<f64>> = crate::models::loss::hessian(model, data, theta)
            .iter()
            .map(|r| r.iter().map(Scalar::to_f64).collect())
            .collect();
        if h.iter().flatten().any(|x| !x.is_finite()) {
            return ((f64::NAN, f64::NAN), (f64::NAN, f64::NAN));
        }
        let (values, vectors) = crate::spectra::estimate::symmetric_eigen(&h);
        let bracket = |k: usize| {
            let (l, v) = (values[k], &vectors[k]);
            let eps = (0..p)
                .map(|i| (0..p).map(|j| h[i][j] * v[j]).sum::<f64>() - l * v[i])
                .map(|e| e * e)
                .sum::<f64>()
                .sqrt();
            (l - eps, l + eps)
        };
        return (bracket(0), bracket(p - 1));
    }
    use crate::spectra::estimate::{End, Hessian, lanczos};
    let op = Hessian::<f64> {
        model,
        data: crate::models::loss::Data {
            x: data
                .x
                .iter()
                .map(|r| r.iter().map(Scalar::to_f64).collect())
                .collect(),
            y: data.y.iter().map(Scalar::to_f64).collect(),
        },
        theta: theta.iter().map(Scalar::to_f64).collect(),
    };
    let top = lanczos(&op, End::Largest, LANCZOS_ITERS, f64::EPSILON, 1).value;
    let bottom = lanczos(&op, End::Smallest, LANCZOS_ITERS, f64::EPSILON, 1).value;
    ((top, top), (bottom, bottom))
}

/// Runs GD from θ0 in context `ctx`; `tick` is called after every step (progress bars).
pub fn run<S: Scalar>(p: &Problem, ctx: &S::Ctx, opts: &Options, tick: &dyn Fn(u64)) -> Run<S> {
    run_with(
        &Data::<S>::new(p, ctx),
        &p.theta0,
        &crate::numeric::rational::abs(&p.y),
        ctx,
        opts,
        tick,
    )
}

/// Runs GD on `data` from θ0; convergence when the state's residual is ≤ rel_tol·`scale`.
pub fn run_with<S: Scalar, D: Dynamics<S>>(
    data: &D,
    theta0: &[Q],
    scale: &Q,
    ctx: &S::Ctx,
    opts: &Options,
    tick: &dyn Fn(u64),
) -> Run<S> {
    let eta = S::from_q(&opts.eta, ctx);
    let mut state = data.state(theta0.iter().map(|q| S::from_q(q, ctx)).collect());
    let tol = S::from_q(&(opts.rel_tol.clone() * scale), ctx);
    let big = S::from_q(
        &(Q::from_integer(100_000_000.into())
            * scale.clone().max(crate::numeric::rational::abs(
                &state.r.to_q().unwrap_or_else(Q::zero),
            ))),
        ctx,
    );
    let warn = S::from_q(&(Q::from_integer(10_000.into()) * scale), ctx);
    let mut order = opts
        .sgd
        .as_ref()
        .map(|sgd| crate::dynamics::sgd::SampleOrder::new(sgd, data.points()));
    let mut records = Vec::new();
    let record = |k: u64, s: &State<S>, records: &mut Vec<Record<S>>| {
        if opts.record {
            let keep = opts.keep_theta_every > 0 && k.is_multiple_of(opts.keep_theta_every);
            records.push(Record {
                step: k,
                measure: data.measure(s, opts.secular_iters),
                beta: model::beta(data.model(), &s.theta),
                theta: keep.then(|| s.theta.clone()),
            });
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
        match order.as_mut() {
            Some(o) => data.step_on(&eta, &mut state, o.next_batch()),
            None => data.step(&eta, &mut state),
        }
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
    // The last state keeps its θ too (for the trace's certified rows).
    if opts.keep_theta_every > 0
        && let Some(last) = records.last_mut()
        && last.step == steps
        && last.theta.is_none()
    {
        last.theta = Some(state.theta.clone());
    }
    Run {
        stop,
        steps,
        state,
        records,
    }
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

/// A certified enclosure of S(θ) = max|λ| of the exact rational Hessian ∇²L(θ) of `p` at the
/// exact θ (any n, any model): exact LDLᵀ inertia, a Rayleigh witness and Kato–Temple bounds
/// for both ends ([`crate::spectra::certified::Spectrum`]), relative width `width`. Also which
/// end attains S: `"top"` (λ_max), `"bottom"` (−λ_min), or `"either"` when the two enclosures
/// overlap in magnitude. Cost: two exact dense certifications of a p × p matrix, except at
/// n > 1 points near zero loss, where the n × n Gauss–Newton route
/// ([`crate::spectra::gauss_newton`]) already meets `width` and is used instead.
pub fn certified_sharpness(p: &Points, theta: &[Q], width: &Q) -> (Q, Q, &'static str) {
    let data = crate::models::loss::Data::<Q> {
        x: p.x.clone(),
        y: p.y.clone(),
    };
    // With n > 1 points near zero loss, the n × n Gauss–Newton route meets the width.
    if p.n() > 1 && p.n() < theta.len() {
        let gn = crate::spectra::gauss_newton::sharpness(p.model, &data, theta, width);
        if gn.relative_width() <= *width {
            return (gn.lo, gn.hi, gn.end);
        }
    }
    let h = crate::models::loss::hessian(p.model, &data, theta);
    let sp = crate::spectra::certified::Spectrum::of(&h, width);
    let (lo, hi) = sp.norm();
    let end = if sp.max.lo >= sp.neg_min.hi {
        "top"
    } else if sp.neg_min.lo > sp.max.hi {
        "bottom"
    } else {
        "either"
    };
    (lo, hi, end)
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
    Ok(Thresholds {
        eta_norm: t.eta_norm(),
        eta_max: t.eta_max(),
    })
}

/// Runs in the arithmetic `prec` and converts the outcome to a precision-independent summary.
/// 256 bits run on the fixed-size [`F256`]; other bit counts on [`BigFloat`].
pub fn run_summary(p: &Problem, prec: Precision, opts: &Options, tick: &dyn Fn(u64)) -> Summary {
    match prec {
        Precision::F32 => summarize(p, prec, run::<f32>(p, &(), opts, tick), opts),
        Precision::F64 => summarize(p, prec, run::<f64>(p, &(), opts, tick), opts),
        Precision::Bits(256) => summarize(p, prec, run::<F256>(p, &(), opts, tick), opts),
        Precision::Bits(b) => summarize(
            p,
            prec,
            run::<BigFloat>(p, &precision::bigfloat_ctx(b), opts, tick),
            opts,
        ),
        Precision::Exact => summarize(p, prec, run::<Q>(p, &(), opts, tick), opts),
    }
}

/// [`run_summary`] for n ≥ 1 points: the one-point route (fused step, secular sharpness) when
/// n = 1, else [`Many`].
pub fn run_points(p: &Points, prec: Precision, opts: &Options, tick: &dyn Fn(u64)) -> Summary {
    if let Some(one) = p.one_point() {
        return run_summary(&one, prec, opts, tick);
    }
    let scale =
        p.y.iter()
            .map(crate::numeric::rational::abs)
            .max()
            .unwrap_or_else(Q::zero);
    fn go<S: Scalar + 'static>(
        p: &Points,
        prec: Precision,
        ctx: &S::Ctx,
        scale: &Q,
        opts: &Options,
        tick: &dyn Fn(u64),
    ) -> Summary {
        let data = Many::<S>::new(p, ctx);
        let run = run_with(&data, &p.theta0, scale, ctx, opts, tick);
        let residuals = data
            .residuals(&run.state.theta)
            .iter()
            .map(|v| v.to_q().unwrap_or_else(Q::zero))
            .collect();
        // S is a binary64 value here (see [`Many`]): its decimals stop at 17 digits, unless
        // the wide arithmetic's endpoint certifies it ([`certify_endpoint_sharpness`]).
        let mut s = summarize_with(&data, prec, run, opts, prec.digits().min(17));
        s.residuals = residuals;
        if matches!(prec, Precision::Bits(_)) && s.stop != Stop::Diverged {
            certify_endpoint_sharpness(p, &mut s);
        }
        s
    }
    match prec {
        Precision::F32 => go::<f32>(p, prec, &(), &scale, opts, tick),
        Precision::F64 => go::<f64>(p, prec, &(), &scale, opts, tick),
        Precision::Bits(256) => go::<F256>(p, prec, &(), &scale, opts, tick),
        Precision::Bits(b) => {
            go::<BigFloat>(p, prec, &precision::bigfloat_ctx(b), &scale, opts, tick)
        }
        Precision::Exact => go::<Q>(p, prec, &(), &scale, opts, tick),
    }
}

/// One recorded step as the trace writes it: decimals of the run's arithmetic, the end of the
/// spectrum S came from, and θ exactly on the rows that kept it.
#[derive(Clone, Debug)]
pub struct TraceRow {
    pub step: u64,
    pub loss: String,
    pub sharpness: String,
    /// `"top"` (S = λ_max) or `"bottom"` (S = −λ_min, negative curvature dominates).
    pub sharpness_end: &'static str,
    pub norm: String,
    pub beta: Vec<String>,
    pub theta: Option<Vec<Q>>,
}

/// Most parameters for which the endpoint S of a wide-arithmetic run at n > 1 falls back to
/// the exact full Hessian when the Gauss–Newton enclosure is too wide (an endpoint far from
/// zero loss).
pub const EXACT_HESSIAN_MAX: usize = 64;

/// S at the exact endpoint of a wide-arithmetic run at n > 1 (issue 27 item 3): the n × n
/// Gauss–Newton route of [`crate::spectra::gauss_newton`] when its enclosure is at least as
/// tight as binary64, else the exact full Hessian (p ≤ [`EXACT_HESSIAN_MAX`]), else the
/// binary64 value stays. The certified enclosure replaces the float bracket, and S is printed
/// with as many digits as the enclosure supports (at most the arithmetic's).
fn certify_endpoint_sharpness(p: &Points, s: &mut Summary) {
    if s.theta.iter().all(|t| t.is_zero()) {
        return;
    }
    let digits = s.precision.digits();
    let width = Q::new(1.into(), num_bigint::BigInt::from(10u8).pow(digits as u32));
    let data = crate::models::loss::Data::<Q> {
        x: p.x.clone(),
        y: p.y.clone(),
    };
    let binary64 = Q::new(1.into(), num_bigint::BigInt::from(10u8).pow(16));
    let gn = crate::spectra::gauss_newton::sharpness(p.model, &data, &s.theta, &width);
    let (lo, hi, end) = if gn.relative_width() <= binary64 {
        (gn.lo, gn.hi, gn.end)
    } else if s.theta.len() <= EXACT_HESSIAN_MAX {
        certified_sharpness(p, &s.theta, &width)
    } else {
        return;
    };
    let rel = crate::spectra::gauss_newton::Enclosure {
        lo: lo.clone(),
        hi: hi.clone(),
        end,
    }
    .relative_width();
    let mut supported = 1;
    let mut scale = Q::from_integer(10.into());
    while supported < digits && &rel * &scale <= Q::one() {
        supported += 1;
        scale *= Q::from_integer(10.into());
    }
    s.sharpness = (&lo + &hi) / Q::from_integer(2.into());
    s.sharpness_bracket = crate::numeric::bracket::Bracket::new(lo, hi);
    s.sharpness_end = end;
    s.sharpness_digits = supported.max(17);
    s.sharpness_certified = true;
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
    /// Decimal digits S is printed with (17 for a binary64 S).
    pub sharpness_digits: usize,
    /// Whether `sharpness_bracket` is a certified enclosure of S at the exact endpoint θ (the
    /// n > 1 route of [`certify_endpoint_sharpness`]).
    pub sharpness_certified: bool,
    /// Per-step records (with `--trace`).
    pub records: Vec<TraceRow>,
    /// The residuals r_j at the endpoint as the run computed them (one for n = 1).
    pub residuals: Vec<Q>,
}

fn summarize<S: Scalar>(p: &Problem, prec: Precision, run: Run<S>, opts: &Options) -> Summary {
    let data = Data::<S>::new(p, &run.state.r.ctx());
    let r = run.state.r.to_q().unwrap_or_else(Q::zero);
    let mut s = summarize_with(&data, prec, run, opts, prec.digits());
    s.residuals = vec![r];
    s
}

fn summarize_with<S: Scalar, D: Dynamics<S>>(
    data: &D,
    prec: Precision,
    run: Run<S>,
    opts: &Options,
    sharp_digits: usize,
) -> Summary {
    let digits = prec.digits();
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
            let sharpness = if a.is_finite() && b.is_finite() {
                decimal(&s, sharp_digits)
            } else {
                "inf".into()
            };
            TraceRow {
                step: r.step,
                loss: t(&r.measure.loss),
                sharpness,
                sharpness_end: r.measure.spectrum.end(),
                norm: t(&r.measure.norm),
                beta: r.beta.iter().map(t).collect(),
                theta: r.theta.as_ref().map(|th| th.iter().map(to_q).collect()),
            }
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
        sharpness_digits: sharp_digits,
        sharpness_certified: false,
        records,
        residuals: Vec::new(),
    }
}
