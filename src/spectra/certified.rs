//! Certified enclosures of the largest eigenvalue of a rational symmetric matrix (SPEC §6).
//!
//! Untrusted producer: it searches with floats and bisection, and returns a [`MaxCertificate`]
//! that [`dlncheck_kernel`] re-checks in exact arithmetic (claim kind `lambda-max`,
//! `proofs/FORMAT.md`). The certificate forms:
//!
//! - lower bound, `Witness(v)`: vᵀ(H − lo·I)v ≥ 0 for a rational v ≠ 0, so λ_max ≥ vᵀHv/vᵀv ≥ lo;
//!   `Inertia`: H − lo·I has a positive LDLᵀ pivot (Sylvester), so λ_max > lo.
//! - upper bound, `Definite`: hi·I − H ⪰ 0 by exact LDLᵀ (no negative pivot);
//!   `KatoTemple { mu }`: H − μ·I has exactly one positive pivot and no failed pivot, so exactly
//!   one eigenvalue lies above μ; with ρ = vᵀHv/vᵀv > μ and ε² = ‖Hv‖²/vᵀv − ρ² (the squared
//!   residual of the unit vector v/‖v‖), λ_max ≤ ρ + ε²/(ρ − μ). Proof: every eigenvalue λ_i is
//!   λ_max or ≤ μ, so (λ_i − λ_max)(λ_i − μ) ≥ 0, hence vᵀ(H − λ_max)(H − μ)v ≥ 0, which reads
//!   ε² + (ρ − λ_max)(ρ − μ) ≥ 0 (the Kato–Temple inequality).
//!
//! Route: a dense f64 eigendecomposition (nalgebra) gives the top eigenvector; it is refined by
//! exact residuals (v ← v − Σ_{j outside the top cluster} (u_jᵀr)/(λ_j − ρ) u_j), each step
//! gaining about 16 digits, so ρ and ε² reach any width with O(d²) exact work. The single exact
//! LDLᵀ is the one at a short dyadic μ in the spectral gap, whose integers stay small. When the
//! top eigenvalue is (nearly) multiple, or floats cannot represent H, bisection on the inertia of
//! H − σ·I at short dyadic σ tightens [lo, hi] instead.

use crate::io::format::{Claim, LambdaMaxCertificate, rat, rat_rows, rats};
use crate::numeric::ldl;
use crate::numeric::rational::{Q, from_f64_exact, pow2};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::estimate::symmetric_eigen;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// How the lower end `lo` is certified.
#[derive(Clone, Debug, PartialEq)]
pub enum Lower {
    /// vᵀ(H − lo·I)v ≥ 0.
    Witness(Vec<Q>),
    /// H − lo·I has a positive pivot.
    Inertia,
}

/// How the upper end `hi` is certified.
#[derive(Clone, Debug, PartialEq)]
pub enum Upper {
    /// hi·I − H ⪰ 0.
    Definite,
    /// Kato–Temple with the witness vector of [`Lower::Witness`] and the gap shift μ.
    KatoTemple { mu: Q },
    /// Kato–Temple whose gap λ₂ ≤ μ is proved by a verified binary64 Cholesky of
    /// μI − H + α·wwᵀ − c·I, w the doubles nearest to the witness, α = 2(ρ − μ)/vᵀv, c the
    /// kernel's own shift (docs/verified-sharpness.md).
    KatoTempleCholesky { mu: Q },
    /// hi·I − H ⪰ 0 by a verified binary64 Cholesky of hi·I − H − c·I.
    DefiniteCholesky,
}

/// A certified enclosure λ_max(H) ∈ [lo, hi].
#[derive(Clone, Debug, PartialEq)]
pub struct MaxCertificate {
    pub lo: Q,
    pub hi: Q,
    pub lower: Lower,
    pub upper: Upper,
    /// The width target was met relative to the spectral norm ‖H‖, not to |λ|: an end inside a
    /// cluster the binary64 route cannot split (typically the eigenvalues of a low-rank Hessian
    /// at rounding level around 0; docs/verified-sharpness.md, "Clusters at 0"). Not part of the
    /// claim: the enclosure [lo, hi] is certified either way.
    pub norm_width: bool,
}

impl MaxCertificate {
    /// (hi − lo) / max(|lo|, |hi|), or 0 when lo = hi = 0.
    pub fn relative_width(&self) -> Q {
        relative_width(&self.lo, &self.hi)
    }
}

/// (hi − lo) / max(|lo|, |hi|), or 0 when both are 0.
pub fn relative_width(lo: &Q, hi: &Q) -> Q {
    let scale = lo.abs().max(hi.abs());
    if scale.is_zero() {
        Q::zero()
    } else {
        (hi - lo) / scale
    }
}

/// Checks that `m` is a non-empty square symmetric matrix; the reason names the first offence.
pub fn check_symmetric<T: PartialEq>(m: &[Vec<T>]) -> Result<(), String> {
    let n = m.len();
    if n == 0 {
        return Err("the matrix is empty".into());
    }
    if let Some((i, r)) = m.iter().enumerate().find(|(_, r)| r.len() != n) {
        return Err(format!(
            "not square: {n} rows but row {i} has {} entries",
            r.len()
        ));
    }
    for i in 0..n {
        for j in 0..i {
            if m[i][j] != m[j][i] {
                return Err(format!(
                    "not symmetric: entry [{i}][{j}] differs from [{j}][{i}]"
                ));
            }
        }
    }
    Ok(())
}

fn matvec(h: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    h.iter()
        .map(|row| {
            row.iter()
                .zip(v)
                .filter(|(a, b)| !a.is_zero() && !b.is_zero())
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect()
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    dlncheck_kernel::linalg::dot(a, b)
}

fn shift(h: &[Vec<Q>], sigma: &Q) -> Vec<Vec<Q>> {
    h.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, a)| if i == j { a - sigma } else { a.clone() })
                .collect()
        })
        .collect()
}

/// Rayleigh quotient ρ = vᵀHv/vᵀv and squared unit residual ε² = ‖Hv‖²/vᵀv − ρ².
pub fn rayleigh(h: &[Vec<Q>], v: &[Q]) -> (Q, Q) {
    let w = dlncheck_kernel::linalg::mat_vec(h, v);
    let s = dot(v, v);
    let rho = dot(v, &w) / &s;
    let eps2 = dot(&w, &w) / &s - &rho * &rho;
    (rho, eps2)
}

/// floor(q·2^k)/2^k.
fn round_down(q: &Q, k: i64) -> Q {
    (q * pow2(k)).floor() * pow2(-k)
}

/// ceil(q·2^k)/2^k.
fn round_up(q: &Q, k: i64) -> Q {
    (q * pow2(k)).ceil() * pow2(-k)
}

/// The dyadic m/2^k with the smallest k ≥ 0 strictly inside (a, b), a < b.
pub fn short_dyadic(a: &Q, b: &Q) -> Q {
    let mut k = 0;
    loop {
        let c = (a * pow2(k)).floor() + Q::one();
        let x = c * pow2(-k);
        if &x < b {
            return x;
        }
        k += 1;
    }
}

/// The number of bits k with 2^−k ≤ t (t > 0).
fn bits_for(t: &Q) -> i64 {
    let mut k = 0;
    while pow2(-k) > *t {
        k += 1;
    }
    while k > -4096 && pow2(-(k - 1)) <= *t {
        k -= 1;
    }
    k
}

fn to_f64_matrix(h: &[Vec<Q>]) -> Option<Vec<Vec<f64>>> {
    let m: Vec<Vec<f64>> = h.iter().map(|r| r.iter().map(q_to_f64).collect()).collect();
    m.iter().flatten().all(|x| x.is_finite()).then_some(m)
}

/// Smallest side on which binary64 matrices take the float-speed route of
/// `Spectrum::of_binary64` (in `spectra::verified_cholesky`); below it the exact route
/// is fast and its answers stay as they were.
pub const FLOAT_ROUTE_MIN: usize = 48;

/// A certified enclosure of λ_max(h) with (hi − lo) ≤ `width`·max(|lo|, |hi|) when reachable
/// (`h` square symmetric, `width` > 0). Never wrong: the kernel re-checks the certificate.
pub fn lambda_max(h: &[Vec<Q>], width: &Q) -> MaxCertificate {
    exact_lambda_max(h, width)
}

/// The exact route (float-seeded Kato–Temple with exact LDLᵀ, or bisection on inertia).
pub fn exact_lambda_max(h: &[Vec<Q>], width: &Q) -> MaxCertificate {
    exact_lambda_max_ticking(h, width, &|| {})
}

/// [`exact_lambda_max`], calling `tick` after every exact LDLᵀ (each O(n³) operations on
/// integers that can grow to thousands of bits: the unit of progress of this route).
pub fn exact_lambda_max_ticking(h: &[Vec<Q>], width: &Q, tick: &dyn Fn()) -> MaxCertificate {
    if let Some(hf) = to_f64_matrix(h) {
        let (values, vectors) = symmetric_eigen(&hf);
        let top: Option<Vec<Q>> = vectors[0].iter().map(|x| from_f64_exact(*x)).collect();
        if let Some(top) = top.filter(|_| values.iter().all(|l| l.is_finite())) {
            if let Some(c) = refined(h, &values, &vectors, width, tick) {
                return c;
            }
            return bisection(h, top, width, tick);
        }
    }
    let n = h.len();
    let k = (0..n).max_by(|&i, &j| h[i][i].cmp(&h[j][j])).unwrap_or(0);
    let e_k = (0..n)
        .map(|i| if i == k { Q::one() } else { Q::zero() })
        .collect();
    bisection(h, e_k, width, tick)
}

/// The float-seeded route: refine the top eigenvector by exact residuals, then certify by
/// Kato–Temple (simple top eigenvalue) or by a definite check (top cluster). `None` when the
/// certificate cannot be completed at the requested width.
fn refined(
    h: &[Vec<Q>],
    values: &[f64],
    vectors: &[Vec<f64>],
    width: &Q,
    tick: &dyn Fn(),
) -> Option<MaxCertificate> {
    let n = h.len();
    let scale = values[0]
        .abs()
        .max(values[n - 1].abs())
        .max(f64::MIN_POSITIVE);
    let cluster = values
        .iter()
        .take_while(|&&l| values[0] - l <= 1e-9 * scale)
        .count();
    let mut v: Vec<Q> = vectors[0]
        .iter()
        .map(|x| from_f64_exact(*x))
        .collect::<Option<_>>()?;
    let mu = if cluster == 1 && n > 1 {
        Some(gap_shift(h, values[0], values[1], tick)?)
    } else {
        None
    };
    for _ in 0..8 {
        let (rho, eps2) = rayleigh(h, &v);
        let tw = target(&rho, width, scale);
        let bound = match &mu {
            Some(mu) if cluster == 1 && &rho > mu => Some(&eps2 / (&rho - mu)),
            _ if eps2.is_zero() => Some(Q::zero()),
            _ => None,
        };
        if let Some(bound) = bound {
            if &bound * Q::from_integer(4.into()) <= tw {
                let k = bits_for(&(&tw / Q::from_integer(8.into())));
                let lo = round_down(&rho, k);
                let hi = round_up(&(&rho + bound), k);
                let upper = match (&mu, eps2.is_zero()) {
                    (Some(mu), false) => Upper::KatoTemple { mu: mu.clone() },
                    _ => Upper::Definite,
                };
                if upper == Upper::Definite && !definite(h, &hi, tick) {
                    return None;
                }
                return Some(MaxCertificate {
                    lo,
                    hi,
                    lower: Lower::Witness(v),
                    upper,
                    norm_width: false,
                });
            }
        } else if cluster > 1 && eps2 * Q::from_integer(4.into()) <= &tw * &tw {
            // λ_max − ρ ≤ ε for a (nearly) multiple top eigenvalue is not a theorem; try hi directly.
            let k = bits_for(&(&tw / Q::from_integer(8.into())));
            let lo = round_down(&rho, k);
            let hi = round_up(&(&rho + &tw / Q::from_integer(2.into())), k);
            return definite(h, &hi, tick).then_some(MaxCertificate {
                lo,
                hi,
                lower: Lower::Witness(v),
                upper: Upper::Definite,
                norm_width: false,
            });
        }
        let w = matvec(h, &v);
        let rf: Vec<f64> = w
            .iter()
            .zip(&v)
            .map(|(a, b)| q_to_f64(&(a - &rho * b)))
            .collect();
        let rho_f = q_to_f64(&rho);
        let mut delta = vec![0.0; n];
        for (lam, u) in values.iter().zip(vectors).skip(cluster) {
            let c = u.iter().zip(&rf).map(|(a, b)| a * b).sum::<f64>() / (lam - rho_f);
            delta.iter_mut().zip(u).for_each(|(d, x)| *d -= c * x);
        }
        for (vi, di) in v.iter_mut().zip(&delta) {
            *vi += from_f64_exact(*di)?;
        }
    }
    None
}

/// The target absolute width: width·|ρ|, or width·(spectral scale) when ρ = 0.
fn target(rho: &Q, width: &Q, scale: f64) -> Q {
    if rho.is_zero() {
        width * from_f64_exact(scale).unwrap_or_else(Q::one)
    } else {
        width * rho.abs()
    }
}

/// A short dyadic μ in the middle half of the float gap (λ_2, λ_1) such that exactly one
/// eigenvalue of H exceeds μ (checked exactly).
fn gap_shift(h: &[Vec<Q>], top: f64, next: f64, tick: &dyn Fn()) -> Option<Q> {
    let (a, b) = (from_f64_exact(next)?, from_f64_exact(top)?);
    let len = &b - &a;
    NUDGES.iter().find_map(|&(p, q)| {
        let inset = &len * Q::new(p.into(), q.into());
        let mu = short_dyadic(&(&a + &inset), &(&b - &inset));
        matches!(inertia(&shift(h, &mu), tick), Some((_, 0, 1))).then_some(mu)
    })
}

/// Insets (as fractions of the interval) of the successive probe windows: when a probe meets a
/// zero pivot, the next window yields a different short dyadic.
const NUDGES: [(i64, i64); 4] = [(1, 4), (3, 8), (1, 3), (2, 5)];

/// hi·I − H ⪰ 0 by exact LDLᵀ.
/// The exact inertia (LDLᵀ), then `tick`.
fn inertia(m: &[Vec<Q>], tick: &dyn Fn()) -> Option<(usize, usize, usize)> {
    let r = ldl::inertia_integer(m);
    tick();
    r
}

fn definite(h: &[Vec<Q>], hi: &Q, tick: &dyn Fn()) -> bool {
    let m: Vec<Vec<Q>> = shift(h, hi)
        .into_iter()
        .map(|r| r.into_iter().map(|x| -x).collect())
        .collect();
    matches!(inertia(&m, tick), Some((0, _, _)))
}

/// Bisection on the inertia of H − σ·I at short dyadic σ, from lo = ρ(v) and the Gershgorin
/// bound hi = max_i (h_ii + Σ_{j≠i} |h_ij|). At most 400 steps.
fn bisection(h: &[Vec<Q>], v: Vec<Q>, width: &Q, tick: &dyn Fn()) -> MaxCertificate {
    let (rho, _) = rayleigh(h, &v);
    let gershgorin = h
        .iter()
        .enumerate()
        .map(|(i, r)| {
            &r[i]
                + r.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, a)| a.abs())
                    .sum::<Q>()
        })
        .max()
        .unwrap_or_else(Q::zero);
    let mut c = MaxCertificate {
        lo: rho.clone(),
        hi: gershgorin.max(rho),
        lower: Lower::Witness(v),
        upper: Upper::Definite,
        norm_width: false,
    };
    for _ in 0..400 {
        if c.relative_width() <= *width {
            break;
        }
        let len = &c.hi - &c.lo;
        let probe = NUDGES.iter().find_map(|&(p, q)| {
            let a = &c.lo + &len * Q::new(p.into(), q.into());
            let b = &c.hi - &len * Q::new(p.into(), q.into());
            let sigma = short_dyadic(&a, &b);
            inertia(&shift(h, &sigma), tick).map(|i| (sigma, i))
        });
        match probe {
            Some((sigma, (_, _, pos))) if pos > 0 => {
                c.lo = sigma;
                c.lower = Lower::Inertia;
            }
            Some((sigma, _)) => c.hi = sigma,
            None => break,
        }
    }
    c
}

/// A certified enclosure of λ_min(h), as −λ_max(−h): returns the certificate for −h.
pub fn lambda_min(h: &[Vec<Q>], width: &Q) -> MaxCertificate {
    lambda_max(&negate(h), width)
}

/// −h.
pub fn negate(h: &[Vec<Q>]) -> Vec<Vec<Q>> {
    h.iter().map(|r| r.iter().map(|x| -x).collect()).collect()
}

/// Enclosures of λ_max, λ_min and the spectral norm max|λ| = max(λ_max, −λ_min).
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    pub max: MaxCertificate,
    /// The certificate for λ_max(−H) = −λ_min(H).
    pub neg_min: MaxCertificate,
}

impl Spectrum {
    /// Certifies both ends of the spectrum of `h`.
    pub fn of(h: &[Vec<Q>], width: &Q) -> Self {
        Spectrum {
            max: lambda_max(h, width),
            neg_min: lambda_min(h, width),
        }
    }
    /// [lo, hi] ∋ λ_min.
    pub fn min(&self) -> (Q, Q) {
        (-&self.neg_min.hi, -&self.neg_min.lo)
    }
    /// [lo, hi] ∋ max|λ| = max(λ_max, −λ_min).
    pub fn norm(&self) -> (Q, Q) {
        (
            self.max.lo.clone().max(self.neg_min.lo.clone()),
            self.max.hi.clone().max(self.neg_min.hi.clone()),
        )
    }
}

/// The `lambda-max` claim of `proofs/FORMAT.md` for `cert` on `h`, every number written out.
pub fn claim(h: &[Vec<Q>], cert: &MaxCertificate) -> Claim {
    Claim::LambdaMax {
        matrix: rat_rows(h),
        certificate: certificate(h, cert),
    }
}

/// The certificate keys of a `lambda-max` claim for `h` (FORMAT.md §4.6), without the matrix.
pub fn certificate(h: &[Vec<Q>], cert: &MaxCertificate) -> LambdaMaxCertificate {
    let mut c = LambdaMaxCertificate {
        lo: rat(&cert.lo),
        hi: rat(&cert.hi),
        hi_minus_lo: rat(&(&cert.hi - &cert.lo)),
        lower: "inertia".into(),
        witness_value: None,
        witness_norm2: None,
        upper: "definite".into(),
        mu: None,
        upper_slack: None,
        rayleigh: None,
        residual: None,
        v: None,
    };
    if let Lower::Witness(v) = &cert.lower {
        let s = dot(v, v);
        let (rho, _) = rayleigh(h, v);
        c.lower = "witness".into();
        c.witness_value = Some(rat(&((&rho - &cert.lo) * &s)));
        c.witness_norm2 = Some(rat(&s));
        c.v = Some(rats(v));
    }
    match (&cert.upper, &cert.lower) {
        (Upper::KatoTemple { mu }, Lower::Witness(v))
        | (Upper::KatoTempleCholesky { mu }, Lower::Witness(v)) => {
            let (rho, eps2) = rayleigh(h, v);
            c.upper = if matches!(cert.upper, Upper::KatoTemple { .. }) {
                "kato-temple"
            } else {
                "kato-temple-cholesky"
            }
            .into();
            c.mu = Some(rat(mu));
            c.upper_slack = Some(rat(&(&cert.hi - &rho - &eps2 / (&rho - mu))));
            c.rayleigh = Some(rat(&rho));
            c.residual = Some(rat(&eps2));
        }
        (Upper::DefiniteCholesky, _) => c.upper = "definite-cholesky".into(),
        _ => {}
    }
    c
}

/// Directed-rounding precision (bits after the binary point) of the secular sums.
pub const SECULAR_BITS: u64 = 128;

/// Σ_i a_i²/(t − D_i) rounded term by term to multiples of 2^−p, up (`up`) or down; exact
/// integer arithmetic, t > max D. This bounds the secular function from the chosen side.
pub fn secular_sum(diag: &[Q], a: &[Q], t: &Q, p: u64, up: bool) -> Q {
    use rayon::prelude::*;
    let total: BigInt = diag
        .par_iter()
        .zip(a.par_iter())
        .filter(|(_, ai)| !ai.is_zero())
        .map(|(di, ai)| {
            let nt = t.numer() * di.denom() - di.numer() * t.denom();
            let dt = t.denom() * di.denom();
            let num = (ai.numer() * ai.numer() * dt) << p as usize;
            let den = ai.denom() * ai.denom() * nt;
            let (q, r) = num_integer::Integer::div_mod_floor(&num, &den);
            if up && !r.is_zero() { q + 1 } else { q }
        })
        .reduce(BigInt::zero, |x, y| x + y);
    Q::new(total, BigInt::one() << p as usize)
}

/// A certified enclosure of λ_max(diag(D) + c·aaᵀ), c > 0 (SPEC §6, the `shared` n = 1 Hessian
/// 2r·diag(x) + 4aaᵀ with a = x ⊙ w). For t > max D, tI − H ⪰ 0 iff c·aᵀ(tI − D)⁻¹a ≤ 1 (Schur
/// complement of the positive definite tI − D), and λ_max ≥ max D since H ⪰ diag(D).
#[derive(Clone, Debug, PartialEq)]
pub struct RankOneCertificate {
    pub lo: Q,
    pub hi: Q,
    /// c·(upper sum at hi) ≤ 1.
    pub upper_sum: Q,
    /// c·(lower sum at lo) > 1 when lo > max D; `None` when lo ≤ max D.
    pub lower_sum: Option<Q>,
}

impl RankOneCertificate {
    /// (hi − lo) / max(|lo|, |hi|).
    pub fn relative_width(&self) -> Q {
        relative_width(&self.lo, &self.hi)
    }
}

/// Encloses λ_max(diag(D) + c·aaᵀ) to relative width about `width` (≥ 1e-14: the root is located
/// in f64) by f64 bisection on the secular equation 1 = c·Σ a_i²/(t − D_i), then exact checks.
pub fn rank_one_max(diag: &[Q], a: &[Q], c: &Q, width: &Q) -> RankOneCertificate {
    use rayon::prelude::*;
    let m = diag.iter().max().cloned().unwrap_or_else(Q::zero);
    let df: Vec<f64> = diag.iter().map(q_to_f64).collect();
    let a2: Vec<f64> = a.iter().map(|x| q_to_f64(x).powi(2)).collect();
    let cf = q_to_f64(c);
    let mf = q_to_f64(&m);
    let f = |t: f64| {
        1.0 - cf
            * df.par_iter()
                .zip(&a2)
                .map(|(d, a2)| a2 / (t - d))
                .sum::<f64>()
    };
    let (mut l, mut h) = (mf, mf + cf * a2.iter().sum::<f64>() + f64::MIN_POSITIVE);
    for _ in 0..80 {
        let mid = 0.5 * (l + h);
        if mid <= l || mid >= h {
            break;
        }
        if f(mid) < 0.0 { l = mid } else { h = mid }
    }
    let root = from_f64_exact(0.5 * (l + h)).unwrap_or_else(|| m.clone());
    let mut delta = (width.clone() / Q::from_integer(4.into()))
        * root
            .abs()
            .max(m.abs())
            .max(Q::new(1.into(), BigInt::one() << 1000usize));
    let floor = from_f64_exact(4.0 * f64::EPSILON).unwrap_or_else(Q::zero) * root.abs();
    delta = delta.max(floor);
    loop {
        let k = bits_for(&(&delta / Q::from_integer(4.into())));
        let hi = round_up(&(&root + &delta), k).max(round_up(&(&m + &delta), k));
        let lo = round_down(&(&root - &delta), k);
        let upper_sum = secular_sum(diag, a, &hi, SECULAR_BITS, true);
        let hi_ok = hi > m && c * &upper_sum <= Q::one();
        let (lower_sum, lo_ok) = if lo <= m {
            (None, true)
        } else {
            let s = secular_sum(diag, a, &lo, SECULAR_BITS, false);
            let ok = c * &s > Q::one();
            (Some(s), ok)
        };
        if hi_ok && lo_ok {
            return RankOneCertificate {
                lo,
                hi,
                upper_sum,
                lower_sum,
            };
        }
        delta *= Q::from_integer(4.into());
    }
}

/// The `lambda-max-rank-one` claim of `proofs/FORMAT.md` for `cert`.
pub fn rank_one_claim(diag: &[Q], a: &[Q], c: &Q, cert: &RankOneCertificate) -> Claim {
    Claim::LambdaMaxRankOne {
        diag: rats(diag),
        a: rats(a),
        c: rat(c),
        lo: rat(&cert.lo),
        hi: rat(&cert.hi),
        hi_minus_lo: rat(&(&cert.hi - &cert.lo)),
        bits: SECULAR_BITS,
        upper_sum: rat(&cert.upper_sum),
        lower_sum: cert.lower_sum.as_ref().map(rat),
    }
}
