//! Certified gradient descent (SPEC §4.1): enclosures of the exact rational GD trajectory of
//! model `shared` on one point, the tail theorem, and the GD learner.
//!
//! State: intervals B_i ∋ β_i = w_i² and R ∋ r = ⟨x, β⟩ − y, updated by the exact identities
//! β'_i = β_i(1 − 2ηr x_i)² and r' = r·φ, φ = 1 − Σ 4ηx_i²β_i + r·Σ 4η²x_i³β_i, every operation
//! rounded outward to P bits ([`crate::numeric::interval::round_bits`]). Tracking r by its own identity
//! (not as ⟨x, B⟩ − y) keeps the widths growing like |φ| ≈ |1 − ηS| instead of 1 + ηS. The
//! operation order is the kernel's (`kernel/src/gd.rs`, FORMAT.md §4.8), so the kernel re-derives
//! the same endpoints bit for bit. Tail theorem and proof: docs/certified-gd.md.

use crate::io::format::{Claim, Enclosure, GdRun, rat};
use crate::numeric::interval::{Dyadic, Interval, round_bits, round_gd};
use crate::numeric::rational::{Q, fmt_q, pow2};
use num_traits::{One, Signed, Zero};
use serde_json::{Value, json};

/// Largest `--bits` (the kernel's limit, FORMAT.md §4.8).
pub const MAX_BITS: u64 = 4096;
/// Largest step limit (the kernel's limit on `steps`, FORMAT.md §4.8).
pub const MAX_STEPS: u64 = 1_000_000;
/// Precisions tried in turn when `--bits` is not given.
pub const BITS_PLAN: &[u64] = &[64, 128, 256, 512, 1024, 2048];
/// An endpoint of absolute value ≥ 2^1024 ends the run (divergence), as in the kernel.
const BOUND_LOG2: i64 = 1024;

fn q(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// The interval trajectory at P bits.
pub struct Trajectory {
    p: u64,
    c2: Vec<Interval<Dyadic>>,
    s4: Vec<Interval<Dyadic>>,
    u4: Vec<Interval<Dyadic>>,
    /// B_k ∋ β_k.
    b: Vec<Interval<Dyadic>>,
    /// R_k ∋ r_k.
    r: Interval<Dyadic>,
    /// k.
    pub step: u64,
}

impl Trajectory {
    /// k = 0: β_0 = α²·1, r_0 = α²Σx_i − y, and the constants 2ηx_i, 4ηx_i², 4η²x_i³, all
    /// enclosed at P bits.
    pub fn new(x: &[Q], y: &Q, alpha: &Q, eta: &Q, p: u64) -> Self {
        let enc = |f: &dyn Fn(&Q) -> Q| {
            x.iter()
                .map(|xi| Interval::enclose(&f(xi), p))
                .collect::<Vec<_>>()
        };
        let a2 = alpha * alpha;
        Trajectory {
            p,
            c2: enc(&|xi| q(2) * eta * xi),
            s4: enc(&|xi| q(4) * eta * xi * xi),
            u4: enc(&|xi| q(4) * eta * eta * xi * xi * xi),
            b: vec![Interval::enclose(&a2, p); x.len()],
            r: Interval::enclose(&(x.iter().sum::<Q>() * &a2 - y), p),
            step: 0,
        }
    }

    /// One GD step (FORMAT.md §4.8 order); `Err` when an endpoint reaches 2^1024 (divergence).
    pub fn step(&mut self) -> Result<(), String> {
        let p = self.p;
        let one = Interval::enclose(&Q::one(), p);
        let (mut sig1, mut sig2) = (
            Interval::enclose(&Q::zero(), p),
            Interval::enclose(&Q::zero(), p),
        );
        for i in 0..self.b.len() {
            sig1 = sig1.add_at(&self.s4[i].mul_at(&self.b[i], p), p);
            sig2 = sig2.add_at(&self.u4[i].mul_at(&self.b[i], p), p);
        }
        let phi = one.sub_at(&sig1, p).add_at(&self.r.mul_at(&sig2, p), p);
        for i in 0..self.b.len() {
            let f = one.sub_at(&self.c2[i].mul_at(&self.r, p), p);
            self.b[i] = self.b[i].mul_at(&f, p).mul_at(&f, p);
        }
        self.r = self.r.mul_at(&phi, p);
        self.step += 1;
        let huge = |b: &Interval<Dyadic>| b.log2().is_some_and(|e| e >= BOUND_LOG2);
        if huge(&self.r) || self.b.iter().any(huge) {
            return Err(format!(
                "divergence: the enclosure left [−2^{BOUND_LOG2}, 2^{BOUND_LOG2}] at step {}",
                self.step
            ));
        }
        Ok(())
    }

    /// The boxes B_k and R_k with exact rational endpoints.
    pub fn boxes(&self) -> (Vec<Interval>, Interval) {
        (self.b.iter().map(Interval::exact).collect(), self.r.exact())
    }

    /// Largest relative width hi/lo − 1 of a β box (∞ as `None` when some lo is 0).
    fn spread(b: &[Interval]) -> Option<Q> {
        b.iter()
            .map(|b| (b.lo().is_positive()).then(|| b.hi() / b.lo() - Q::one()))
            .try_fold(Q::zero(), |m, s| s.map(|s| m.max(s)))
    }
}

/// The range of φ = 1 − η·4Σx_i²β_i + 4η²·r·Σx_i³β_i over the box `lims` and |r| ≤ ρ, exact.
pub fn phi_range(x: &[Q], eta: &Q, lims: &[Interval], rho: &Q) -> (Q, Q) {
    let s = sharpness(x, lims);
    let u = x
        .iter()
        .zip(lims)
        .fold(Interval::point(Q::zero()), |acc, (xi, l)| {
            acc.add(&l.mul(&Interval::point(xi * xi * xi)))
        });
    let ru = q(4) * eta * eta * rho * u.mag();
    (Q::one() - eta * s.hi() - &ru, Q::one() - eta * s.lo() + &ru)
}

/// S = 4Σx_i²β_i over a box (exact).
pub fn sharpness(x: &[Q], lims: &[Interval]) -> Interval {
    let f = |end: &dyn Fn(&Interval) -> Q| {
        q(4) * x
            .iter()
            .zip(lims)
            .map(|(xi, l)| xi * xi * end(l))
            .sum::<Q>()
    };
    Interval::hull(f(&|l| l.lo().clone()), f(&|l| l.hi().clone()))
}

/// The tail theorem (SPEC §4.1) on (B_K, R_K) with ratio `q`: the box of β∞ rounded outward to
/// `p` bits, or why it fails.
pub fn tail(
    x: &[Q],
    eta: &Q,
    b: &[Interval],
    r: &Interval,
    ratio: &Q,
    p: u64,
) -> Result<Vec<Interval>, String> {
    let rho = r.mag();
    let xmax = x.iter().map(|v| v.abs()).max().unwrap_or_default();
    let c = q(2) * eta * &rho * xmax;
    if c >= Q::one() || ratio.is_negative() || *ratio >= Q::one() {
        return Err(format!(
            "c = 2ηρ·max|x| = {} or q = {} is not < 1",
            crate::numeric::rational::short(&c),
            fmt_q(ratio)
        ));
    }
    let mut lims = Vec::with_capacity(x.len());
    for (xi, bi) in x.iter().zip(b) {
        let m = Q::one() - q(4) * eta * xi.abs() * &rho / ((Q::one() - ratio) * (Q::one() - &c));
        if !m.is_positive() {
            return Err("2δ_i ≥ 1: the residual is not yet small enough".into());
        }
        // Rounded outward to P bits (the kernel's rule): a larger box, so the |φ| test below
        // implies the theorem's, and every later sum is over P-bit numbers.
        lims.push(Interval::hull(
            round_gd(&(bi.lo() * &m), p, false),
            round_gd(&(bi.hi() / &m), p, true),
        ));
    }
    let (lo, hi) = phi_range(x, eta, &lims, &rho);
    if -ratio.clone() <= lo && hi <= *ratio {
        Ok(lims)
    } else {
        Err(format!(
            "|φ| ≤ q fails on the tail box (φ ∈ [{}, {}])",
            crate::numeric::rational::short(&lo),
            crate::numeric::rational::short(&hi)
        ))
    }
}

/// A certified limit of GD (SPEC §4.1).
#[derive(Clone, Debug)]
pub struct Limit {
    pub steps: u64,
    pub bits: u64,
    pub rho: Q,
    pub q: Q,
    pub beta: Vec<Interval>,
    pub norm: Interval,
    pub sharpness: Interval,
    pub eos_margin: Interval,
    /// ℓ and u of the n > 1 tail theorem (SPEC §5.3); `None` for one point.
    pub ell_u: Option<(Q, Q)>,
}

/// The answer of [`certify`]: a certified limit, or why there is none (one value per run, so
/// the size difference of the variants does not matter).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Certified {
    Converged(Limit),
    NotCertified(String),
}

/// Ratios q to try: the bound on |φ| at the current box, moved towards 1, on a 32-bit grid.
fn ratios(x: &[Q], eta: &Q, b: &[Interval], r: &Interval) -> Vec<Q> {
    let (lo, hi) = phi_range(x, eta, b, &r.mag());
    let m = lo.abs().max(hi.abs());
    if m >= Q::one() {
        return Vec::new();
    }
    [q(1) / q(8), q(1) / q(2)]
        .iter()
        .map(|f| round_bits(&(&m + (Q::one() - &m) * f), 32, true))
        .filter(|v| *v < Q::one())
        .collect()
}

fn limit(
    x: &[Q],
    eta: &Q,
    steps: u64,
    bits: u64,
    r: &Interval,
    ratio: Q,
    beta: Vec<Interval>,
) -> Limit {
    let norm = Interval::hull(
        beta.iter().map(|l| l.lo()).sum(),
        beta.iter().map(|l| l.hi()).sum(),
    );
    let s = sharpness(x, &beta);
    let two = q(2) / eta;
    let eos_margin = Interval::hull(&two - s.hi(), &two - s.lo());
    Limit {
        steps,
        bits,
        rho: r.mag(),
        q: ratio,
        beta,
        norm,
        sharpness: s,
        eos_margin,
        ell_u: None,
    }
}

/// Certified GD from α·1 at η on (x, y): at most `max_steps` steps, at `bits` or the precisions
/// of [`BITS_PLAN`] in turn. The tail is tried once its widening 4ηρ·max|x| is below the boxes'
/// own relative width (or 2^-64), and again whenever ρ has halved.
pub fn certify(x: &[Q], y: &Q, alpha: &Q, eta: &Q, max_steps: u64, bits: Option<u64>) -> Certified {
    let plan: Vec<u64> = bits.map_or_else(|| BITS_PLAN.to_vec(), |p| vec![p]);
    let mut reason = String::from("no precision tried");
    let xmax = x.iter().map(|v| v.abs()).max().unwrap_or_default();
    // Relative β-box width at which a precision is abandoned: 2^-32 when adapting, 2^-8 at a
    // fixed `--bits`.
    let exhausted = pow2(if bits.is_some() { -8 } else { -32 });
    'plan: for &p in &plan {
        let mut t = Trajectory::new(x, y, alpha, eta, p);
        let mut tried: Option<i64> = None;
        let mut signs: Vec<bool> = Vec::new();
        let mut spread = Q::zero();
        loop {
            if t.step.is_multiple_of(64) {
                match Trajectory::spread(&t.boxes().0) {
                    Some(s) if s <= exhausted => spread = s,
                    _ => {
                        reason = format!(
                            "precision exhausted: a β box is wider than {} (relative) at step {} with {p} bits",
                            crate::numeric::rational::short(&exhausted),
                            t.step
                        );
                        continue 'plan;
                    }
                }
            }
            // ρ < 2^(log2 + 1), or ρ = 0 (None: never 2^(i64::MIN), which cannot be allocated).
            let log2 = t.r.log2();
            let floor = spread.clone().max(pow2(-(p.min(64) as i64)));
            let small = log2.is_none_or(|l| q(4) * eta * pow2(l + 1) * &xmax <= floor);
            let log2 = log2.unwrap_or(i64::MIN);
            if small && tried.is_none_or(|l| log2 < l) {
                tried = Some(log2);
                let (b, r) = t.boxes();
                for ratio in ratios(x, eta, &b, &r) {
                    match tail(x, eta, &b, &r, &ratio, p) {
                        Ok(beta) => {
                            return Certified::Converged(limit(x, eta, t.step, p, &r, ratio, beta));
                        }
                        Err(e) => {
                            reason = format!(
                                "tail inequality fails at step {} with {p} bits: {e}",
                                t.step
                            )
                        }
                    }
                }
            }
            if t.step >= max_steps {
                break;
            }
            if let Err(e) = t.step() {
                // Wide boxes at a low precision can blow up while the exact run converges.
                reason = format!("{e} with {p} bits");
                continue 'plan;
            }
            if t.r.positive() || t.r.negative() {
                if signs.len() == 32 {
                    signs.remove(0);
                }
                signs.push(t.r.positive());
            }
        }
        let rho = t.boxes().1.mag();
        if rho * Q::from_integer(1024.into()) > y.abs() {
            let alternates = signs.len() == 32 && signs.windows(2).all(|w| w[0] != w[1]);
            let what = if alternates {
                "r_k alternates in sign without settling (a period-2 orbit)"
            } else {
                "the residual has not settled"
            };
            return Certified::NotCertified(format!(
                "not settled within {max_steps} steps: {what}; |r_K| ≤ {}",
                crate::numeric::rational::short(&t.boxes().1.mag())
            ));
        }
    }
    Certified::NotCertified(reason)
}

/// `i` rounded outward to `p` bits, as a claim writes it (the pinned form, FORMAT.md §4.8).
pub fn enclosure(i: &Interval, p: u64) -> Enclosure {
    Enclosure {
        lo: rat(&round_gd(i.lo(), p, false)),
        hi: rat(&round_gd(i.hi(), p, true)),
    }
}

/// {lo, hi} as rational strings, rounded outward to `p` bits (the pinned form, FORMAT.md §4.8).
pub fn interval_json(i: &Interval, p: u64) -> Value {
    json!({"lo": fmt_q(&round_gd(i.lo(), p, false)), "hi": fmt_q(&round_gd(i.hi(), p, true))})
}

impl Certified {
    /// The `certified` object of SPEC §7.
    pub fn json(&self) -> Value {
        match self {
            Certified::NotCertified(reason) => json!({"converged": false, "reason": reason}),
            Certified::Converged(l) => json!({
                "converged": true,
                "steps": l.steps,
                "bits": l.bits,
                "beta": l.beta.iter().map(|b| interval_json(b, l.bits)).collect::<Vec<_>>(),
                "norm": interval_json(&l.norm, l.bits),
                "sharpness": interval_json(&l.sharpness, l.bits),
                "eos_margin": interval_json(&l.eos_margin, l.bits),
                "residual": match &l.ell_u {
                    None => json!({"rho": fmt_q(&l.rho), "q": fmt_q(&l.q)}),
                    Some((ell, u)) => json!({"rho": fmt_q(&l.rho), "q": fmt_q(&l.q), "ell": fmt_q(ell), "u": fmt_q(u)}),
                },
            }),
        }
    }
}

impl Limit {
    /// One certified run as a claim holds it (`steps`, `bits`, `rho`, `q`, `beta`).
    pub fn run(&self) -> GdRun {
        GdRun {
            steps: self.steps,
            bits: self.bits,
            rho: rat(&self.rho),
            q: rat(&self.q),
            beta: self.beta.iter().map(|b| enclosure(b, self.bits)).collect(),
        }
    }

    /// A `gd-limit` claim (FORMAT.md §4.8).
    pub fn claim(&self, eta: &Q) -> Claim {
        Claim::GdLimit {
            lr: rat(eta),
            run: self.run(),
            norm: enclosure(&self.norm, self.bits),
            sharpness: match self.ell_u {
                None => enclosure(&self.sharpness, self.bits),
                // n > 1: the certified bounds themselves (checked by LDLᵀ, not pinned).
                Some(_) => Enclosure {
                    lo: rat(self.sharpness.lo()),
                    hi: rat(self.sharpness.hi()),
                },
            },
            eos_margin: enclosure(&self.eos_margin, self.bits),
            ell: self.ell_u.as_ref().map(|(l, _)| rat(l)),
            u: self.ell_u.as_ref().map(|(_, u)| rat(u)),
        }
    }
}

/// The enclosure of E_GD = Σ_a p_a G(β∞(y_a); β*_a) (SPEC §3, §4.1): the one expected-error
/// formula, [`crate::theory::generalization::expected_error`], in exact interval arithmetic over
/// the boxes (the kernel's formula), rounded outward to `p` bits (the pinned form).
pub fn expected_error(
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    boxes: &[&[Interval]],
    p: u64,
) -> Interval {
    let total: Interval = crate::theory::generalization::expected_error(
        sigma,
        atoms
            .iter()
            .zip(boxes)
            .map(|((w, star), bx)| (w, *bx, star.as_slice())),
    );
    Interval::hull(
        round_gd(total.lo(), p, false),
        round_gd(total.hi(), p, true),
    )
}

/// The GD learner of SPEC §4.1 on a discrete prior: certified GD on every atom's own label
/// y_a = ⟨x, β*_a⟩ from the same α·1 and η, and, when every run is certified, the enclosure of
/// E_GD(η) at the largest precision used.
#[derive(Clone, Debug)]
pub struct Learner {
    /// (y_a, its certified run or the reason), in atom order.
    pub runs: Vec<(Q, Certified)>,
    /// E_GD(η) ∈ [lo, hi] and the bit count it is pinned at; `None` when some atom is not certified.
    pub expected_error: Option<(Interval, u64)>,
}

/// Runs the GD learner (see [`Learner`]) on `(x, atoms)` with covariance `sigma`.
pub fn learner(
    x: &[Q],
    alpha: &Q,
    eta: &Q,
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    max_steps: u64,
    bits: Option<u64>,
) -> Learner {
    let runs: Vec<(Q, Certified)> = atoms
        .iter()
        .map(|(_, star)| {
            let y = crate::numeric::vector::dot(x, star);
            let c = certify(x, &y, alpha, eta, max_steps, bits);
            (y, c)
        })
        .collect();
    let expected_error = learner_error(atoms, sigma, runs.iter().map(|(_, c)| c));
    Learner {
        runs,
        expected_error,
    }
}

/// E_GD over the atoms' certified runs (in atom order, one point or several), pinned at the
/// largest precision used, with that precision; `None` when some run is not certified.
pub fn learner_error<'a>(
    atoms: &[(Q, Vec<Q>)],
    sigma: &[Vec<Q>],
    runs: impl IntoIterator<Item = &'a Certified>,
) -> Option<(Interval, u64)> {
    let limits: Vec<&Limit> = runs
        .into_iter()
        .filter_map(|c| match c {
            Certified::Converged(l) => Some(l),
            Certified::NotCertified(_) => None,
        })
        .collect();
    (limits.len() == atoms.len()).then(|| {
        let boxes: Vec<&[Interval]> = limits.iter().map(|l| l.beta.as_slice()).collect();
        let p = limits.iter().map(|l| l.bits).max().unwrap_or(2);
        (expected_error(atoms, sigma, &boxes, p), p)
    })
}

/// Largest and least eigenvalue of a rational symmetric matrix, in binary64 (untrusted: every
/// bound built from them is checked exactly).
fn extremes(m: &[Vec<Q>]) -> (f64, f64) {
    use num_traits::ToPrimitive;
    let f: Vec<Vec<f64>> = m
        .iter()
        .map(|r| r.iter().map(|v| v.to_f64().unwrap_or(f64::NAN)).collect())
        .collect();
    let (values, _) = crate::spectra::estimate::symmetric_eigen(&f);
    let at = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
    (at(values.len().wrapping_sub(1)), at(0))
}

/// v·(1 + f) rounded to 40 bits, up (or v·(1 − f) down), for f ≥ 0 small.
fn padded(v: f64, f: f64, up: bool) -> Option<Q> {
    let w = if up { v * (1.0 + f) } else { v * (1.0 - f) };
    Q::from_float(w).map(|w| round_bits(&w, 40, up))
}

/// The n > 1 tail theorem (SPEC §5.3) at the trajectory's current step: q, ℓ, u from the binary64
/// spectrum of M(s_K), checked by the kernel's exact tail, and S(θ∞) bounded by exact LDLᵀ.
fn tail_points(
    g: &dlncheck_kernel::centred_gd::Descent,
    t: &dlncheck_kernel::centred_gd::Trajectory,
    eta: &Q,
    p: u64,
) -> Result<Limit, String> {
    use num_traits::ToPrimitive;
    let first = t.tail(&Q::zero())?;
    let (lmin, lmax) = extremes(&g.matrix(&first.s_hi));
    let e = g.eta.to_f64().unwrap_or(f64::NAN);
    let q0 = (1.0 - e * lmin).abs().max((e * lmax - 1.0).abs());
    if q0.is_nan() || q0 >= 1.0 {
        return Err(format!("‖I − ηÂ‖ ≈ {q0:.6} is not < 1 at step {}", t.step));
    }
    let mut reason = String::new();
    for f in [0.125, 0.5] {
        let Some(ratio) = Q::from_float(q0 + (1.0 - q0) * f).map(|v| round_bits(&v, 32, true))
        else {
            continue;
        };
        let tail = match t.tail(&ratio) {
            Ok(tail) => tail,
            Err(e) => {
                reason = e;
                continue;
            }
        };
        let (l_lo, _) = extremes(&g.matrix(&tail.d_lo));
        let (_, u_hi) = extremes(&g.matrix(&tail.d_hi));
        let (Some(ell), Some(u)) = (padded(l_lo, 1e-9, false), padded(u_hi, 1e-9, true)) else {
            continue;
        };
        if let Err(e) = tail.contraction(g, &ratio, &ell, &u) {
            reason = e;
            continue;
        }
        let (_, s_lo) = extremes(&g.matrix(&tail.s_lo));
        let (_, s_hi) = extremes(&g.matrix(&tail.s_hi));
        let k = g.kappa.to_f64().unwrap_or(f64::NAN);
        let mut bounds = None;
        for pad in [1e-12, 1e-9, 1e-6] {
            if let (Some(lo), Some(hi)) =
                (padded(k * s_lo, pad, false), padded(k * s_hi, pad, true))
                && tail.sharpness(g, &lo, &hi).is_ok()
            {
                bounds = Some((lo, hi));
                break;
            }
        }
        let Some((lo, hi)) = bounds else {
            reason = "the S bounds did not pass the exact LDLᵀ".into();
            continue;
        };
        let two = q(2) / eta;
        let kb =
            |v: &dlncheck_kernel::interval::Interval| Interval::hull(v.lo.clone(), v.hi.clone());
        return Ok(Limit {
            steps: t.step,
            bits: p,
            rho: tail.rho.clone(),
            q: ratio,
            beta: tail.beta.iter().map(kb).collect(),
            norm: kb(&tail.norm),
            sharpness: Interval::hull(lo.clone(), hi.clone()),
            eos_margin: Interval::hull(&two - &hi, &two - &lo),
            ell_u: Some((ell, u)),
        });
    }
    Err(reason)
}

/// Certified GD on several points (SPEC §5.3; models `shared`, `pm`, `uv`, init α·1 or θ): the
/// kernel's centred-form enclosure ([`dlncheck_kernel::centred_gd`]) run step by step at `bits`
/// or at 128, 256, 512 bits in turn, the tail tried every 8 steps once ρ ≥ ‖r_k‖ has halved
/// since the last try and the widening of the tail box is about 2^-48 or less. The claim is then re-checked by the kernel as written.
pub fn certify_points(
    inst: &crate::io::instance::Instance,
    eta: &Q,
    max_steps: u64,
    bits: Option<u64>,
) -> Certified {
    use dlncheck_kernel::centred_gd::{Descent, Trajectory};
    let g = match Descent::new(inst, eta) {
        Ok(g) => g,
        Err(e) => return Certified::NotCertified(e),
    };
    let plan: Vec<u64> = bits.map_or_else(|| vec![128, 256, 512], |p| vec![p]);
    let mut reason = String::from("no precision tried");
    // The tail's relative widening is about 2δ ≈ (4η/n)·max γ_i·ρ/(1 − q): tried once
    // (4η/n)·max|X_ai|·√n·ρ ≤ 2^-48, so the boxes come out tight.
    let xmax = inst
        .x
        .iter()
        .flatten()
        .map(|v| v.abs())
        .max()
        .unwrap_or_default();
    let n = inst.x.len() as i64;
    let widen = q(4) * eta * xmax * q(n) / q(n);
    let target = pow2(-48);
    'plan: for &p in &plan {
        let mut t = Trajectory::new(&g, p);
        let mut tried: Option<Q> = None;
        loop {
            if t.step.is_multiple_of(8) {
                if &widen * t.radius() * q(64) > target {
                    reason = format!(
                        "precision exhausted: the radius of the enclosure is {} at step {} with {p} bits",
                        crate::numeric::rational::short(&t.radius()),
                        t.step
                    );
                    continue 'plan;
                }
                let rho = t.rho();
                if &widen * &rho <= target && tried.as_ref().is_none_or(|r| &rho * q(2) <= *r) {
                    tried = Some(rho);
                    match tail_points(&g, &t, eta, p) {
                        Ok(limit) => return Certified::Converged(limit),
                        Err(e) => {
                            reason = format!("tail fails at step {} with {p} bits: {e}", t.step)
                        }
                    }
                }
            }
            if t.step >= max_steps {
                break;
            }
            if let Err(e) = t.step() {
                reason = format!("{e} with {p} bits");
                continue 'plan;
            }
        }
        return Certified::NotCertified(format!(
            "not settled within {max_steps} steps: {reason}; ‖r_K‖ ≤ {}",
            crate::numeric::rational::short(&t.rho())
        ));
    }
    Certified::NotCertified(reason)
}
