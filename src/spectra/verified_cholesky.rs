//! Certified λ_max of a binary64 symmetric matrix at float speed (SPEC §6, issue 12). The
//! mathematics, with the theorem on the binary64 Cholesky and its proof, is
//! `docs/verified-sharpness.md`; the checks are the kernel's (`upper = kato-temple-cholesky` and
//! `definite-cholesky` of `proofs/FORMAT.md` §4.6), which this module calls itself so that what it
//! returns is exactly what the kernel accepts.
//!
//! Route, for H with binary64 entries (every float64/float32 Hessian):
//! 1. A float eigen-estimate ([`seed`]): nalgebra's dense symmetric eigensolver up to
//!    [`DENSE_SEED_MAX`], Lanczos with full reorthogonalisation above, giving λ̃₁, its vector ũ
//!    and λ̃₂ (the next eigenvalue below the top cluster).
//! 2. A gap shift μ between λ̃₂ and λ̃₁: a verified binary64 Cholesky of μI − H + 2(λ̃₁ − μ)ũũᵀ
//!    − c·I (c from Theorem 1, chosen by the kernel's function) whose factor preconditions 3.
//! 3. The witness v, refined in double-double arithmetic: each step takes the residual
//!    r = Hv − ρv in double-double (O(d²)) and solves the projected correction equation
//!    (ρI − H)δ = r, δ ⊥ v, by conjugate gradients preconditioned with the Cholesky factor of
//!    step 2 (its spectrum relative to the operator lies in [1, (ρ − λ₂)/(μ − λ₂)], so a dozen
//!    iterations give 12 digits). Two or three steps reach ε ≈ 1e-31·‖H‖.
//! 4. Exact ρ = vᵀHv/vᵀv and ε² = ‖Hv‖²/vᵀv − ρ² (integer arithmetic, O(d²)): λ_max ∈
//!    [ρ, ρ + ε²/(ρ − μ)] (Kato–Temple), once the kernel's check — the Cholesky of
//!    μI − H + α·wwᵀ − c·I with w the doubles nearest to v and α = 2(ρ − μ)/vᵀv, everything
//!    derived from the certificate, nothing free — proves λ₂ ≤ μ (a second factorization).
//!
//! A top cluster (no usable gap) falls back to `definite-cholesky`: hi·I − H ⪰ 0 by one verified
//! Cholesky, honest width ≈ the rounding bound of Theorem 1 (about d²·2^−53·|λ| relative).

use crate::numeric::rational::{from_f64_exact, Q};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{Lower, MaxCertificate, Spectrum, Upper};
use dlncheck_kernel::linalg::psd_by_cholesky;
use num_bigint::BigInt;
use rayon::prelude::*;
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use num_traits::{Signed, Zero};

/// Largest side seeded by the dense eigensolver; above, Lanczos.
pub const DENSE_SEED_MAX: usize = 400;

/// The binary64 copy of `h`, if every entry is a binary64 number (then the copy is exact).
pub fn binary64_matrix(h: &[Vec<Q>]) -> Option<Vec<Vec<f64>>> {
    h.iter().map(|r| r.iter().map(dlncheck_kernel::linalg::binary64).collect()).collect()
}

/// A float estimate of the top of the spectrum.
#[derive(Clone, Debug)]
pub struct Seed {
    /// λ̃₁.
    pub top: f64,
    /// λ̃₂ below the top cluster, `None` when the top eigenvalue is (numerically) multiple.
    pub next: Option<f64>,
    /// ũ, unit.
    pub vector: Vec<f64>,
    /// max |λ̃|.
    pub scale: f64,
}

/// Relative size (of the spectral scale) under which two eigenvalues count as one cluster.
const CLUSTER: f64 = 1e-9;

fn seed_from(values: &[f64], vector: Vec<f64>) -> Seed {
    let scale = values.iter().fold(f64::MIN_POSITIVE, |m, l| m.max(l.abs()));
    let top = values[0];
    let next = values.iter().skip(1).copied().find(|l| top - l > CLUSTER * scale);
    let multiple = values.get(1).is_some_and(|l| top - l <= CLUSTER * scale);
    Seed { top, next: if multiple { None } else { next }, vector, scale }
}

/// The top eigenpair and the next eigenvalue (decreasing order) of the symmetric `h`.
pub fn seed(h: &DMatrix<f64>) -> Seed {
    let n = h.nrows();
    if n <= DENSE_SEED_MAX {
        let e = SymmetricEigen::new(h.clone());
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| e.eigenvalues[j].total_cmp(&e.eigenvalues[i]));
        let values: Vec<f64> = order.iter().map(|&i| e.eigenvalues[i]).collect();
        return seed_from(&values, e.eigenvectors.column(order[0]).iter().copied().collect());
    }
    lanczos_seed(h)
}

/// Lanczos with full reorthogonalisation from a fixed start, up to 400 steps or until the top two
/// Ritz pairs have residual below 1e-10 of the scale (checked every 8 steps); Ritz values from
/// nalgebra on T_k.
fn lanczos_seed(h: &DMatrix<f64>) -> Seed {
    let n = h.nrows();
    let start = crate::spectra::estimate::start_vector::<f64>(n, 7);
    let mut q = DVector::from_vec(start);
    q /= q.norm();
    let mut basis: Vec<DVector<f64>> = vec![q];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let max_k = n.min(400);
    loop {
        let k = alpha.len();
        let mut w = h * &basis[k];
        alpha.push(w.dot(&basis[k]));
        for _ in 0..2 {
            for b in &basis {
                let c = w.dot(b);
                w.axpy(-c, b, 1.0);
            }
        }
        let b = w.norm();
        let m = alpha.len();
        if !m.is_multiple_of(8) && b > 1e-300 && m < max_k {
            beta.push(b);
            basis.push(w / b);
            continue;
        }
        let t = DMatrix::from_fn(m, m, |i, j| if i == j { alpha[i] } else if i + 1 == j { beta[i] } else if j + 1 == i { beta[j] } else { 0.0 });
        let e = SymmetricEigen::new(t);
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&i, &j| e.eigenvalues[j].total_cmp(&e.eigenvalues[i]));
        let scale = e.eigenvalues.iter().fold(f64::MIN_POSITIVE, |s, l| s.max(l.abs()));
        let settled = m >= 2 && order.iter().take(2).all(|&i| (b * e.eigenvectors[(m - 1, i)]).abs() <= 1e-10 * scale);
        if settled || b <= 1e-300 || m == max_k {
            let values: Vec<f64> = order.iter().map(|&i| e.eigenvalues[i]).collect();
            let s = e.eigenvectors.column(order[0]);
            let mut y = DVector::zeros(n);
            for (i, bi) in basis.iter().enumerate() {
                y.axpy(s[i], bi, 1.0);
            }
            y /= y.norm();
            return seed_from(&values, y.iter().copied().collect());
        }
        beta.push(b);
        basis.push(w / b);
    }
}

/// An a-priori estimate (in f64, with margin) of the shift c that Theorem 1 needs for
/// σI − H + wwᵀ; the kernel's check decides.
fn shift_estimate(h: &[Vec<f64>], sigma: f64, w: &[f64]) -> f64 {
    let n = h.len() as f64;
    let trace: f64 = h.iter().enumerate().zip(w).map(|((i, r), wi)| (sigma - r[i] + wi * wi).abs()).sum();
    let rows = h.iter().map(|r| r.iter().map(|x| x.abs()).sum::<f64>()).fold(0.0, f64::max);
    let (w1, wmax) = (w.iter().map(|x| x.abs()).sum::<f64>(), w.iter().fold(0.0f64, |m, x| m.max(x.abs())));
    let u = f64::EPSILON / 2.0;
    1.25 * ((n + 8.0) * u * trace + 2.0 * u * (rows + w1 * wmax)) + 1e-300
}

/// A short dyadic in (a, b), a < b (floats).
fn dyadic_between(a: f64, b: f64) -> Q {
    crate::spectra::certified::short_dyadic(&from_f64_exact(a).unwrap_or_else(Q::zero), &from_f64_exact(b).unwrap_or_else(Q::zero))
}

/// Double-double number hi + lo.
#[derive(Clone, Copy, Debug, Default)]
struct Dd(f64, f64);

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

fn split(a: f64) -> (f64, f64) {
    let t = 134_217_729.0 * a;
    let hi = t - (t - a);
    (hi, a - hi)
}

/// a·b exactly as a double-double (Dekker; no fused multiply-add needed).
fn two_prod(a: f64, b: f64) -> Dd {
    let p = a * b;
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    Dd(p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

impl Dd {
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        let t = s.1 + self.1 + o.1;
        two_sum(s.0, t)
    }
    fn mul_f(self, b: f64) -> Dd {
        let p = two_prod(self.0, b);
        two_sum(p.0, p.1 + self.1 * b)
    }
    fn mul(self, o: Dd) -> Dd {
        let p = two_prod(self.0, o.0);
        two_sum(p.0, p.1 + self.0 * o.1 + self.1 * o.0)
    }
    fn div(self, o: Dd) -> Dd {
        let q = self.0 / o.0;
        let r = self.add(o.mul_f(-q));
        two_sum(q, r.0 / o.0)
    }
}

fn dot_dd(a: &[Dd], b: &[Dd]) -> Dd {
    a.iter().zip(b).fold(Dd::default(), |acc, (x, y)| acc.add(x.mul(*y)))
}

/// Solves L Lᵀ x = b (L row-major lower triangular).
fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (y[i] - s) / l[i * n + i];
    }
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * y[k]).sum();
        y[i] = (y[i] - s) / l[i * n + i];
    }
    y
}

fn project(x: &mut [f64], v: &[f64]) {
    let c: f64 = x.iter().zip(v).map(|(a, b)| a * b).sum();
    x.iter_mut().zip(v).for_each(|(a, b)| *a -= c * b);
}

/// δ ⊥ v with P(ρI − H)Pδ = Pr by conjugate gradients preconditioned with (LLᵀ)⁻¹ (v unit).
fn correction(h: &DMatrix<f64>, rho: f64, v: &[f64], r: &[f64], l: &[f64]) -> Vec<f64> {
    let n = v.len();
    let apply = |x: &[f64]| -> Vec<f64> {
        let hx = h * DVector::from_column_slice(x);
        let mut y: Vec<f64> = x.iter().zip(hx.iter()).map(|(a, b)| rho * a - b).collect();
        project(&mut y, v);
        y
    };
    let precondition = |x: &[f64]| {
        let mut z = cholesky_solve(l, n, x);
        project(&mut z, v);
        z
    };
    let dotf = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut res = r.to_vec();
    project(&mut res, v);
    let norm0 = dotf(&res, &res).sqrt();
    let mut x = vec![0.0; n];
    let mut z = precondition(&res);
    let mut p = z.clone();
    let mut rz = dotf(&res, &z);
    for _ in 0..60 {
        if dotf(&res, &res).sqrt() <= 1e-14 * norm0 || rz <= 0.0 {
            break;
        }
        let ap = apply(&p);
        let pap = dotf(&p, &ap);
        if pap <= 0.0 {
            break;
        }
        let a = rz / pap;
        x.iter_mut().zip(&p).for_each(|(xi, pi)| *xi += a * pi);
        res.iter_mut().zip(&ap).for_each(|(ri, api)| *ri -= a * api);
        z = precondition(&res);
        let next = dotf(&res, &z);
        let beta = next / rz;
        rz = next;
        p.iter_mut().zip(&z).for_each(|(pi, zi)| *pi = zi + beta * *pi);
    }
    x
}

/// x = m·2^e exactly (m an odd or zero integer), for a finite binary64 x.
fn dyadic(x: f64) -> (i64, i64) {
    if x == 0.0 {
        return (0, 0);
    }
    let bits = x.to_bits();
    let (exp, frac) = (((bits >> 52) & 0x7ff) as i64, (bits & ((1 << 52) - 1)) as i64);
    let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | (1 << 52), exp - 1075) };
    let z = m.trailing_zeros() as i64;
    (if x < 0.0 { -(m >> z) } else { m >> z }, e + z)
}

/// Integers M and an exponent E with x_k = M_k·2^E exactly, for sums x_k = Σ parts (binary64).
fn common_exponent(parts: &[Vec<f64>]) -> (Vec<BigInt>, i64) {
    let e = parts.iter().flatten().filter(|x| **x != 0.0).map(|x| dyadic(*x).1).min().unwrap_or(0);
    let m = parts.par_iter().map(|p| p.iter().map(|x| { let (m, f) = dyadic(*x); BigInt::from(m) << (f - e) as usize }).sum()).collect();
    (m, e)
}

/// The binary64 matrix H as integers M·2^E (row-major), built once for the exact Rayleigh quotient.
pub struct IntMatrix {
    rows: Vec<Vec<BigInt>>,
    e: i64,
    /// Stands for −H (its Rayleigh quotients are the negated ones, residuals the same).
    negated: bool,
}

impl IntMatrix {
    pub fn new(h: &[Vec<f64>]) -> Self {
        let e = h.iter().flatten().filter(|x| **x != 0.0).map(|x| dyadic(*x).1).min().unwrap_or(0);
        let rows = h.par_iter().map(|r| r.iter().map(|x| { let (m, f) = dyadic(*x); BigInt::from(m) << (f - e) as usize }).collect()).collect();
        IntMatrix { rows, e, negated: false }
    }
    /// The same integers standing for −H.
    pub fn negated(self) -> Self {
        IntMatrix { negated: !self.negated, ..self }
    }
    /// Exact ρ = vᵀHv/vᵀv and ε² = ‖Hv‖²/vᵀv − ρ² for v_i = Σ of the binary64 `parts[i]`.
    pub fn rayleigh(&self, parts: &[Vec<f64>]) -> (Q, Q) {
        let (v, _) = common_exponent(parts);
        let w: Vec<BigInt> = self.rows.par_iter().map(|r| r.iter().zip(&v).map(|(a, b)| a * b).sum()).collect();
        let s: BigInt = v.iter().map(|x| x * x).sum();
        let vw: BigInt = v.iter().zip(&w).map(|(a, b)| a * b).sum();
        let ww: BigInt = w.iter().map(|x| x * x).sum();
        let scale = dlncheck_kernel::linalg::pow2(self.e);
        let rho = Q::new(if self.negated { -vw } else { vw }, s.clone()) * &scale;
        let eps2 = Q::new(ww, s) * &scale * &scale - &rho * &rho;
        (rho, eps2)
    }
}

/// The double nearest to q (as the kernel rounds it), if finite.
fn q_to_nearest(q: &Q) -> Option<f64> {
    num_traits::ToPrimitive::to_f64(q).filter(|x| x.is_finite())
}

/// The exact witness values v_i = hi_i + lo_i.
fn exact_vector(v: &[Dd]) -> Option<Vec<Q>> {
    v.iter().map(|x| Some(from_f64_exact(x.0)? + from_f64_exact(x.1)?)).collect()
}

/// Rounds down (`up` = false) or up to a multiple of 2^k.
fn round_to(q: &Q, k: i64, up: bool) -> Q {
    let s = dlncheck_kernel::linalg::pow2(k);
    let t = q * &s;
    (if up { t.ceil() } else { t.floor() }) / s
}

/// k with 2^−k ≤ t (t > 0), the largest such.
fn bits_below(t: &Q) -> i64 {
    let e = q_to_f64(t).log2().floor() as i64;
    -(e - 1)
}

/// Kato–Temple with a verified-Cholesky gap, to relative width `width`; `None` when the seed has
/// no usable gap or the refinement does not reach the width.
fn kato_temple(h: &[Vec<f64>], hm: &DMatrix<f64>, exact: &IntMatrix, s: &Seed, width: &Q) -> Option<MaxCertificate> {
    let next = s.next?;
    let gap = s.top - next;
    let wf = q_to_f64(width);
    // μ at 1/2, then 3/4, then 7/8 of the way from λ̃₂ to λ̃₁ (λ̃₂ of Lanczos may be low).
    for frac in [0.5, 0.75, 0.875] {
        let mu = dyadic_between(next + (frac - 0.125) * gap, next + frac * gap);
        let muf = q_to_f64(&mu);
        // The preconditioner: the same check on the float seed (α = 2(λ̃₁ − μ), ũ unit).
        let alpha_seed = 2.0 * (s.top - muf);
        let c = shift_estimate(h, muf, &s.vector.iter().map(|x| x * alpha_seed.sqrt()).collect::<Vec<_>>());
        if c >= 0.25 * (muf - next) {
            continue;
        }
        let Ok(l) = psd_by_cholesky(h, &mu, alpha_seed, &s.vector) else { continue };
        let mut v: Vec<Dd> = s.vector.iter().map(|&x| Dd(x, 0.0)).collect();
        for step in 0..6 {
            // The residual in double-double; the exact check once it predicts the width.
            let hvd: Vec<Dd> = h.par_iter().map(|row| row.iter().zip(&v).fold(Dd::default(), |acc, (a, x)| acc.add(x.mul_f(*a)))).collect();
            let vv = dot_dd(&v, &v);
            let rho_d = dot_dd(&v, &hvd).div(vv);
            let r: Vec<f64> = hvd.iter().zip(&v).map(|(a, x)| a.add(x.mul(rho_d).mul_f(-1.0)).0).collect();
            let eps2_f = r.iter().map(|x| x * x).sum::<f64>() / vv.0;
            if eps2_f / (rho_d.0 - muf) <= 0.05 * wf * rho_d.0.abs().max(1e-300 * s.scale) || step == 5 {
                let (rho, eps2) = exact.rayleigh(&v.iter().map(|x| vec![x.0, x.1]).collect::<Vec<_>>());
                if rho <= mu {
                    return None;
                }
                let bound = &eps2 / (&rho - &mu);
                let tw = width * rho.abs();
                if &bound * Q::from_integer(4.into()) > tw && step < 5 {
                    continue;
                }
                let k = bits_below(&(&tw / Q::from_integer(8.into())).max(&bound * Q::from_integer(2.into())));
                let lo = round_to(&rho, k, false);
                let hi = round_to(&(&rho + &bound), k, true);
                // The kernel's gap check on the final witness (FORMAT.md §4.6).
                let vq = exact_vector(&v)?;
                let w: Vec<f64> = vq.iter().map(q_to_nearest).collect::<Option<_>>()?;
                let s2: Q = vq.iter().map(|x| x * x).sum();
                let alpha = q_to_nearest(&(Q::from_integer(2.into()) * (&rho - &mu) / s2))?;
                psd_by_cholesky(h, &mu, alpha, &w).ok()?;
                return Some(MaxCertificate { lo, hi, lower: Lower::Witness(vq), upper: Upper::KatoTempleCholesky { mu } });
            }
            let norm = vv.0.sqrt();
            let vf: Vec<f64> = v.iter().map(|x| x.0 / norm).collect();
            let delta = correction(hm, rho_d.0, &vf, &r, &l);
            v.iter_mut().zip(&delta).for_each(|(x, d)| *x = x.add(Dd(*d, 0.0)));
        }
        return None;
    }
    None
}

/// hi·I − H ⪰ 0 by one verified Cholesky, hi = λ̃₁ + margin, lo = ρ(ũ) (exact): honest width of
/// the rounding bound. `None` if the factorization fails at every margin tried.
fn definite(h: &[Vec<f64>], exact: &IntMatrix, s: &Seed) -> Option<MaxCertificate> {
    let v: Vec<Q> = s.vector.iter().map(|&x| from_f64_exact(x)).collect::<Option<_>>()?;
    let (rho, _) = exact.rayleigh(&s.vector.iter().map(|x| vec![*x]).collect::<Vec<_>>());
    let zero = vec![0.0; h.len()];
    let mut margin = shift_estimate(h, s.top, &zero).max(4.0 * f64::EPSILON * s.scale);
    for _ in 0..40 {
        let c = shift_estimate(h, s.top + 2.0 * margin, &zero);
        let hi = dyadic_between(s.top + 2.0 * margin + 4.0 * c, s.top + 3.0 * margin + 5.0 * c).max(rho.clone());
        if psd_by_cholesky(h, &hi, 0.0, &zero).is_ok() {
            let k = bits_below(&(&hi - &rho).max(from_f64_exact(f64::MIN_POSITIVE).unwrap_or_else(Q::zero)));
            let lo = round_to(&rho, k + 8, false);
            return Some(MaxCertificate { lo, hi, lower: Lower::Witness(v), upper: Upper::DefiniteCholesky });
        }
        margin *= 4.0;
    }
    None
}

/// A certified enclosure of λ_max(h) for a binary64 symmetric `h` at float speed: Kato–Temple to
/// relative width `width` when the top eigenvalue is simple, otherwise the definite route at the
/// width of the rounding bound. `None` when neither certifies.
pub fn lambda_max(h: &[Vec<f64>], width: &Q) -> Option<MaxCertificate> {
    lambda_max_with(h, &IntMatrix::new(h), width)
}

/// [`lambda_max`] with the integer form of `h` already built (it serves both ends, negated).
pub fn lambda_max_with(h: &[Vec<f64>], exact: &IntMatrix, width: &Q) -> Option<MaxCertificate> {
    let n = h.len();
    let hm = DMatrix::from_fn(n, n, |i, j| h[i][j]);
    let s = seed(&hm);
    if !s.top.is_finite() || s.vector.iter().any(|x| !x.is_finite()) {
        return None;
    }
    kato_temple(h, &hm, exact, &s, width).or_else(|| definite(h, exact, &s))
}

/// The float-speed route for whole spectra, beside the exact [`Spectrum::of`] (this module
/// builds on `certified`, never the reverse).
impl Spectrum {
    /// Certifies both ends of a binary64 matrix (finite entries, symmetric): the float-speed route
    /// from side [`FLOAT_ROUTE_MIN`](crate::spectra::certified::FLOAT_ROUTE_MIN) on, with the exact route when it misses the width and the
    /// side allows it (or when it fails); below that side exactly as [`Spectrum::of`].
    pub fn of_binary64(hf: &[Vec<f64>], width: &Q) -> Self {
        let n = hf.len();
        let exact = || -> Vec<Vec<Q>> { hf.iter().map(|r| r.iter().map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero)).collect()).collect() };
        if n < crate::spectra::certified::FLOAT_ROUTE_MIN {
            return Spectrum::of(&exact(), width);
        }
        let ints = IntMatrix::new(hf);
        let neg: Vec<Vec<f64>> = hf.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
        let max = lambda_max_with(hf, &ints, width);
        let neg_min = lambda_max_with(&neg, &ints.negated(), width);
        let good = |c: &MaxCertificate| c.relative_width() <= *width || n > dlncheck_kernel::tree::MAX_MATRIX;
        let max = max.filter(|c| good(c)).unwrap_or_else(|| crate::spectra::certified::exact_lambda_max(&exact(), width));
        let neg_min = neg_min.filter(|c| good(c)).unwrap_or_else(|| crate::spectra::certified::exact_lambda_max(&crate::spectra::certified::negate(&exact()), width));
        Spectrum { max, neg_min }
    }
}
