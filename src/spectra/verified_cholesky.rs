//! Certified λ_max of a binary64 symmetric matrix at float speed (SPEC §6, issue 12). The
//! mathematics, with the theorem on the binary64 Cholesky and its proof, is
//! `docs/verified-sharpness.md`; the checks are the kernel's (`upper = kato-temple-cholesky` and
//! `definite-cholesky` of `proofs/FORMAT.md` §4.6), which this module calls itself so that what it
//! returns is exactly what the kernel accepts.
//!
//! Route, for H with binary64 entries (every float64/float32 Hessian):
//! 1. A float eigen-estimate ([`seeds`], one run for both ends): nalgebra's dense symmetric
//!    eigensolver up to [`DENSE_SEED_MAX`], Lanczos with full reorthogonalisation above (on a
//!    binary32 copy of H unless the gap it finds is below 1e−4 of the scale), giving λ̃₁, its
//!    vector ũ and λ̃₂ (the next eigenvalue below the top cluster), of H and of −H.
//! 2. A gap shift μ between λ̃₂ and λ̃₁ and the float factor of μI − H + 2(λ̃₁ − μ)ũũᵀ by the
//!    blocked [`fast_cholesky`], binary32 when the gap allows (untrusted: it finds μ and
//!    preconditions 3; it certifies nothing).
//! 3. The witness v, refined in double-double arithmetic: each step takes the residual
//!    r = Hv − ρv in double-double (O(d²)) and solves the projected correction equation
//!    (ρI − H)δ = r, δ ⊥ v, by conjugate gradients preconditioned with the Cholesky factor of
//!    step 2 (its spectrum relative to the operator lies in [1, (ρ − λ₂)/(μ − λ₂)], so a dozen
//!    iterations give 12 digits). One or two steps reach ε ≈ 1e-31·‖H‖.
//! 4. Exact ρ = vᵀHv/vᵀv and ε² = ‖Hv‖²/vᵀv − ρ² ([`exact_rayleigh`], fixed-point integers,
//!    O(d²)): λ_max ∈ [ρ, ρ + ε²/(ρ − μ)] (Kato–Temple), once the kernel's check — the
//!    Cholesky of μI − H + α·wwᵀ − c·I with w the doubles nearest to v and α = 2(ρ − μ)/vᵀv,
//!    everything derived from the certificate, nothing free — proves λ₂ ≤ μ: the one verified
//!    factorization per end.
//!
//! A top cluster (no usable gap) falls back to `definite-cholesky`: hi·I − H ⪰ 0 by one verified
//! Cholesky, honest width ≈ the rounding bound of Theorem 1 (about d²·2^−53·|λ| relative).
//! The cluster at 0 of a low-rank Hessian is such an end: [`accept`] keeps it at a width relative
//! to ‖H‖ (marked [`MaxCertificate::norm_width`]) instead of exact arithmetic on rounding noise,
//! and [`exact_with_note`] announces any exact fallback on stderr, with progress.

use crate::numeric::rational::{Q, from_f64_exact};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{Lower, MaxCertificate, Spectrum, Upper};
use dlncheck_kernel::linalg::psd_by_cholesky;
use nalgebra::{DMatrix, DVector, RealField, SymmetricEigen};
use num_bigint::{BigInt, BigUint};
use num_traits::{Signed, Zero};
use rayon::prelude::*;

/// Largest side seeded by the dense eigensolver; above, Lanczos.
pub const DENSE_SEED_MAX: usize = 128;

/// Phase timings on stderr when the environment variable `DLNCHECK_PROFILE` is set (what
/// benches/README.md's table of phases was measured with); silent otherwise.
struct Clock(Option<std::time::Instant>, &'static str);

impl Clock {
    fn new(label: &'static str) -> Self {
        Clock(
            std::env::var_os("DLNCHECK_PROFILE").map(|_| std::time::Instant::now()),
            label,
        )
    }
    fn lap(&mut self, what: impl FnOnce() -> String) {
        if let Some(t) = self.0 {
            eprintln!(
                "[{}] {:>8.3} s  {}",
                self.1,
                t.elapsed().as_secs_f64(),
                what()
            );
            self.0 = Some(std::time::Instant::now());
        }
    }
}

/// The binary64 copy of `h`, if every entry is a binary64 number (then the copy is exact).
pub fn binary64_matrix(h: &[Vec<Q>]) -> Option<Vec<Vec<f64>>> {
    h.iter()
        .map(|r| r.iter().map(dlncheck_kernel::linalg::binary64).collect())
        .collect()
}

/// The symmetric `h` (rows) as a column-major matrix: its rows are its columns, copied in order.
fn column_major(h: &[Vec<f64>]) -> DMatrix<f64> {
    DMatrix::from_vec(h.len(), h.len(), h.concat())
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

impl Seed {
    /// The seed of c·H (c > 0, a power of two: exact).
    fn times(self, c: f64) -> Seed {
        Seed {
            top: self.top * c,
            next: self.next.map(|l| l * c),
            scale: self.scale * c,
            vector: self.vector,
        }
    }
}

/// Relative size (of the spectral scale) under which two eigenvalues count as one cluster.
const CLUSTER: f64 = 1e-9;

/// Lanczos stops once the Ritz pairs it needs have residual below this fraction of the spectral
/// scale: the seed only has to place μ in the gap and start the refinement, which gains a dozen
/// digits per step (measured: 1e−6 instead of 1e−10 saves a fifth of the steps at d = 1 000–2 000
/// and no refinement step; issue 12's note).
const SETTLED: f64 = 1e-6;

fn seed_from(values: &[f64], vector: Vec<f64>) -> Seed {
    let scale = values.iter().fold(f64::MIN_POSITIVE, |m, l| m.max(l.abs()));
    let top = values[0];
    let next = values
        .iter()
        .skip(1)
        .copied()
        .find(|l| top - l > CLUSTER * scale);
    let multiple = values.get(1).is_some_and(|l| top - l <= CLUSTER * scale);
    Seed {
        top,
        next: if multiple { None } else { next },
        vector,
        scale,
    }
}

/// The top eigenpair and the next eigenvalue (decreasing order) of the symmetric `h`.
pub fn seed(h: &DMatrix<f64>) -> Seed {
    seeds(h, false).0
}

/// Seeds of both ends from one float run: of H, and of −H (its top is −λ_min(H), with the same
/// vector). Dense (nalgebra's `SymmetricEigen`) up to [`DENSE_SEED_MAX`], else one Lanczos run
/// whose Krylov space serves both ends (`both`: wait until the bottom end has settled too).
pub fn seeds(h: &DMatrix<f64>, both: bool) -> (Seed, Seed) {
    let n = h.nrows();
    // Every float run is on 2^−k·H with 2^k ≤ max|h_ij| < 2^(k+1), and its eigenvalues are scaled
    // back: on H itself, norms of vectors of entries near 1e250 square to infinity and Lanczos
    // broke down at its second step (then the exact fallback ran for minutes).
    let top = h
        .as_slice()
        .par_iter()
        .fold(|| 0.0f64, |m, x| m.max(x.abs()))
        .reduce(|| 0.0, f64::max);
    let up = if top.is_finite() && top > 0.0 {
        power_of_two_below(top)
    } else {
        1.0
    };
    let down = 1.0 / up;
    let back = |(a, b): (Seed, Seed)| (a.times(up), b.times(up));
    if n <= DENSE_SEED_MAX {
        let e = SymmetricEigen::new(h * down);
        let order = decreasing(&e.eigenvalues);
        return back(both_ends(&e.eigenvalues, &order, |i| {
            e.eigenvectors.column(i).iter().copied().collect()
        }));
    }
    // Lanczos reads H once per step, so its time is the matrix's memory traffic: a binary32
    // copy of 2^−k·H halves it. Its eigenvalues are within ≈ 1e−7 of the scale of H's, far
    // inside a gap of 1e−4; a smaller gap, or none, and the run is repeated on 2^−k·H in binary64.
    if top.is_finite() {
        let h32: Vec<f32> = h.as_slice().par_iter().map(|x| (x * down) as f32).collect();
        let seeds = back(lanczos_seeds(n, |x| sym_mul32(&h32, x), both, "binary32"));
        let wide = |s: &Seed| s.next.is_some_and(|l| s.top - l > 1e-4 * s.scale);
        if wide(&seeds.0) && (!both || wide(&seeds.1)) {
            return seeds;
        }
    }
    back(lanczos_seeds(
        n,
        |x| sym_mul(h, x).into_iter().map(|y| y * down).collect(),
        both,
        "binary64",
    ))
}

fn decreasing(values: &DVector<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
    order
}

/// The seeds of H and −H from eigenvalues `values` (sorted by `order`, decreasing) and vectors.
fn both_ends(
    values: &DVector<f64>,
    order: &[usize],
    vector: impl Fn(usize) -> Vec<f64>,
) -> (Seed, Seed) {
    let top: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    let bottom: Vec<f64> = order.iter().rev().map(|&i| -values[i]).collect();
    (
        seed_from(&top, vector(order[0])),
        seed_from(&bottom, vector(order[order.len() - 1])),
    )
}

/// Lanczos with full reorthogonalisation (classical Gram–Schmidt twice, as two matrix–vector
/// products with the basis) from a fixed start, up to 400 steps or until the top two Ritz pairs
/// (and with `both` the bottom two) have residual below [`SETTLED`] of the scale (checked every 8
/// steps); Ritz values from nalgebra on T_k. `mul` is H·x (`copy` names H's copy, for the profile).
fn lanczos_seeds(
    n: usize,
    mul: impl Fn(&[f64]) -> Vec<f64>,
    both: bool,
    copy: &str,
) -> (Seed, Seed) {
    let max_k = n.min(400);
    let mut q = DMatrix::<f64>::zeros(n, max_k);
    let start = DVector::from_vec(crate::spectra::estimate::start_vector::<f64>(n, 7));
    q.set_column(0, &(&start / start.norm()));
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    loop {
        let k = alpha.len();
        let mut w = DVector::from_vec(mul(&q.column(k).iter().copied().collect::<Vec<_>>()));
        alpha.push(w.dot(&q.column(k)));
        for _ in 0..2 {
            let basis = q.columns(0, k + 1);
            let c = basis.tr_mul(&w);
            w.gemv(-1.0, &basis, &c, 1.0);
        }
        let b = w.norm();
        let m = alpha.len();
        // An invariant subspace: what is left of w is rounding (relative to the T_k seen so far).
        let size = alpha
            .iter()
            .chain(&beta)
            .fold(f64::MIN_POSITIVE, |s: f64, x| s.max(x.abs()));
        let broke = b <= 1e-13 * size;
        if !m.is_multiple_of(8) && !broke && m < max_k {
            beta.push(b);
            q.set_column(m, &(w / b));
            continue;
        }
        let t = DMatrix::from_fn(m, m, |i, j| {
            if i == j {
                alpha[i]
            } else if i + 1 == j {
                beta[i]
            } else if j + 1 == i {
                beta[j]
            } else {
                0.0
            }
        });
        let e = SymmetricEigen::new(t);
        let order = decreasing(&e.eigenvalues);
        let scale = e
            .eigenvalues
            .iter()
            .fold(f64::MIN_POSITIVE, |s, l| s.max(l.abs()));
        let settled = |i: &usize| (b * e.eigenvectors[(m - 1, *i)]).abs() <= SETTLED * scale;
        let ends = if both && m >= 4 {
            [&order[..2], &order[m - 2..]].concat()
        } else {
            order[..2.min(m)].to_vec()
        };
        if (m >= 2 && ends.iter().all(settled)) || broke || m == max_k {
            let ritz = |i: usize| -> Vec<f64> {
                let y = q.columns(0, m) * e.eigenvectors.column(i);
                (&y / y.norm()).iter().copied().collect()
            };
            if std::env::var_os("DLNCHECK_PROFILE").is_some() {
                eprintln!("[seeds] Lanczos on the {copy} copy: {m} steps, residual β = {b:.1e}");
            }
            return both_ends(&e.eigenvalues, &order, ritz);
        }
        beta.push(b);
        q.set_column(m, &(w / b));
    }
}

/// H·x for a symmetric column-major H, as the columns' dot products with x (column i is row i),
/// columns in parallel (rayon), each dot in sixteen partial sums (four vector additions in
/// flight). Measured at d = 1 000 on 2 threads: 0.153 ms per product against 0.195 ms with four
/// partial sums (which were 1.7–1.9× nalgebra's generic product), 0.107 ms from a binary32 copy;
/// issue 12's note.
fn sym_mul(h: &DMatrix<f64>, x: &[f64]) -> Vec<f64> {
    columns_times(h.as_slice(), x)
}

/// [`sym_mul`] for a binary32 copy of H (column-major, n² entries), each product and sum in
/// binary64.
fn sym_mul32(h: &[f32], x: &[f64]) -> Vec<f64> {
    columns_times(h, x)
}

/// Below this side a product runs on the calling thread: at d = 200 it takes about 15 µs, less
/// than handing columns to rayon's workers and waking them (70 µs per product measured on a
/// quiet machine, and up to 3 ms when other jobs hold the cores).
const PARALLEL_SIDE: usize = 512;

/// The dot products of the columns of `h` (column-major, side x.len()) with x.
fn columns_times<T: Copy + Into<f64> + Sync>(h: &[T], x: &[f64]) -> Vec<f64> {
    let n = x.len().max(1);
    if n < PARALLEL_SIDE {
        h.chunks(n).map(|c| dot16(c, x)).collect()
    } else {
        h.par_chunks(n).map(|c| dot16(c, x)).collect()
    }
}

/// Σ a_k·x_k in binary64, in sixteen partial sums.
fn dot16<T: Copy + Into<f64>>(a: &[T], x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 16];
    let (cs, xs) = (a.chunks_exact(16), x.chunks_exact(16));
    let tail: f64 = cs
        .remainder()
        .iter()
        .zip(xs.remainder())
        .map(|(a, b)| (*a).into() * b)
        .sum();
    for (a, b) in cs.zip(xs) {
        for l in 0..16 {
            acc[l] += a[l].into() * b[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Blocked right-looking float Cholesky (binary64 or binary32) of the lower triangle of `a`
/// (column-major, in place; the strict upper triangle is left as it was): the diagonal block and
/// the panel column by column, the trailing matrix by matrix products (nalgebra's `gemm`, i.e.
/// matrixmultiply, which may use fused multiply-adds and any summation order). **Untrusted**: it
/// only finds the gap shift and builds the preconditioner; the certificate is the kernel's own
/// factorization (`psd_by_cholesky`). False when a pivot is not positive or not finite.
pub fn fast_cholesky<T: RealField + Copy>(a: &mut DMatrix<T>) -> bool {
    const NB: usize = 96;
    let n = a.nrows();
    let mut k = 0;
    while k < n {
        let end = (k + NB).min(n);
        let d = a.as_mut_slice();
        for j in k..end {
            let (left, right) = d.split_at_mut(j * n);
            let col = &mut right[j..n];
            for p in k..j {
                let c = left[p * n + j];
                if c != T::zero() {
                    col.iter_mut()
                        .zip(&left[p * n + j..p * n + n])
                        .for_each(|(x, y)| *x -= c * *y);
                }
            }
            let pivot = col[0];
            if !(pivot > T::zero() && pivot.is_finite()) {
                return false;
            }
            let l = pivot.sqrt();
            col[0] = l;
            col[1..].iter_mut().for_each(|x| *x /= l);
        }
        if end < n {
            let panel = a.view((end, k), (n - end, end - k)).clone_owned();
            let mut jb = end;
            while jb < n {
                let jw = NB.min(n - jb);
                let rhs = panel.rows(jb - end, jw).transpose();
                a.view_mut((jb, jb), (n - jb, jw)).gemm(
                    -T::one(),
                    &panel.rows(jb - end, n - jb),
                    &rhs,
                    T::one(),
                );
                jb += jw;
            }
        }
        k = end;
    }
    true
}

/// An a-priori estimate (in f64, with margin) of the shift c that Theorem 1 needs for
/// σI − H + wwᵀ; the kernel's check decides.
fn shift_estimate(h: &[Vec<f64>], sigma: f64, w: &[f64]) -> f64 {
    let n = h.len() as f64;
    let trace: f64 = h
        .iter()
        .enumerate()
        .zip(w)
        .map(|((i, r), wi)| (sigma - r[i] + wi * wi).abs())
        .sum();
    let rows = h
        .iter()
        .map(|r| r.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let (w1, wmax) = (
        w.iter().map(|x| x.abs()).sum::<f64>(),
        w.iter().fold(0.0f64, |m, x| m.max(x.abs())),
    );
    let u = f64::EPSILON / 2.0;
    1.25 * ((n + 8.0) * u * trace + 2.0 * u * (rows + w1 * wmax)) + 1e-300
}

/// A short dyadic in (a, b), a < b (floats).
fn dyadic_between(a: f64, b: f64) -> Q {
    crate::spectra::certified::short_dyadic(
        &from_f64_exact(a).unwrap_or_else(Q::zero),
        &from_f64_exact(b).unwrap_or_else(Q::zero),
    )
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
    a.iter()
        .zip(b)
        .fold(Dd::default(), |acc, (x, y)| acc.add(x.mul(*y)))
}

fn project(x: &mut [f64], v: &[f64]) {
    let c: f64 = x.iter().zip(v).map(|(a, b)| a * b).sum();
    x.iter_mut().zip(v).for_each(|(a, b)| *a -= c * b);
}

/// One end of the spectrum: the rows of H or of −H (`h`, what the kernel sees), H itself as a
/// column-major matrix for the float products, and the sign (+1 for H, −1 for −H).
struct End<'a> {
    h: &'a [Vec<f64>],
    hm: &'a DMatrix<f64>,
    sign: f64,
}

impl End<'_> {
    /// σI − sign·H + α·wwᵀ as a column-major float matrix (for [`fast_cholesky`]), each entry
    /// computed in binary64 and then converted by `cast`.
    fn shifted<T: nalgebra::Scalar>(
        &self,
        sigma: f64,
        alpha: f64,
        w: &[f64],
        cast: impl Fn(f64) -> T,
    ) -> DMatrix<T> {
        let n = self.h.len();
        DMatrix::from_fn(n, n, |i, j| {
            cast(
                alpha * w[i] * w[j] - self.sign * self.hm[(i, j)]
                    + if i == j { sigma } else { 0.0 },
            )
        })
    }
}

/// The preconditioner's Cholesky factor: binary32 (half the memory traffic and twice the
/// vector width of binary64) when the gap is wide against binary32's rounding, else binary64.
enum Factor {
    Single(DMatrix<f32>),
    Double(DMatrix<f64>),
}

impl Factor {
    /// (LLᵀ)⁻¹x, if both triangular solves go through.
    fn solve(&self, x: &[f64]) -> Option<Vec<f64>> {
        match self {
            Factor::Single(l) => solve_both(l, x, |a| a as f32, |a| a as f64),
            Factor::Double(l) => solve_both(l, x, |a| a, |a| a),
        }
    }
}

/// (LLᵀ)⁻¹x for the lower triangle L of `l`, in `l`'s precision (`to` and `back` convert).
fn solve_both<T: RealField + Copy>(
    l: &DMatrix<T>,
    x: &[f64],
    to: impl Fn(f64) -> T,
    back: impl Fn(T) -> f64,
) -> Option<Vec<f64>> {
    let mut z = DVector::from_iterator(x.len(), x.iter().map(|&a| to(a)));
    (l.solve_lower_triangular_mut(&mut z) && l.tr_solve_lower_triangular_mut(&mut z))
        .then(|| z.iter().map(|&a| back(a)).collect())
}

/// δ ⊥ v with P(ρI − H)Pδ = Pr by conjugate gradients preconditioned with (LLᵀ)⁻¹ (v unit; H
/// the end's matrix, `sign`·`hm`; L the factor `l`).
fn correction(e: &End, rho: f64, v: &[f64], r: &[f64], l: &Factor) -> Vec<f64> {
    let n = v.len();
    let apply = |x: &[f64]| -> Vec<f64> {
        let hx = sym_mul(e.hm, x);
        let mut y: Vec<f64> = x
            .iter()
            .zip(hx.iter())
            .map(|(a, b)| rho * a - e.sign * b)
            .collect();
        project(&mut y, v);
        y
    };
    let precondition = |x: &[f64]| {
        let mut z = l.solve(x).unwrap_or_else(|| x.to_vec());
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
        p.iter_mut()
            .zip(&z)
            .for_each(|(pi, zi)| *pi = zi + beta * *pi);
    }
    x
}

/// x = m·2^e exactly, |m| < 2^53 (not reduced), for a finite binary64 x.
fn mantissa_exponent(x: f64) -> (i64, i64) {
    let bits = x.to_bits();
    let (exp, frac) = (
        ((bits >> 52) & 0x7ff) as i64,
        (bits & ((1 << 52) - 1)) as i64,
    );
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    (if x < 0.0 { -m } else { m }, e)
}

/// Adds p·2^s to the fixed-point number Σ acc_k·2^{32k} (|p| < 2^106; each limb takes at most
/// five 33-bit pieces per call, so 2^29 calls cannot overflow an i64 limb).
fn add_at(acc: &mut [i64], p: i128, s: usize) {
    let (k, r) = (s / 32, s % 32);
    let mag = p.unsigned_abs();
    let lo = (mag as u64 as u128) << r;
    let hi = (mag >> 64) << r;
    const M: u128 = 0xffff_ffff;
    let pieces = [
        lo & M,
        (lo >> 32) & M,
        (lo >> 64) + (hi & M),
        (hi >> 32) & M,
        hi >> 64,
    ];
    let sign = if p < 0 { -1 } else { 1 };
    for (a, d) in acc[k..k + 5].iter_mut().zip(pieces) {
        *a += sign * d as i64;
    }
}

/// Σ acc_k·2^{32k} as a big integer.
fn limbs_to_bigint(acc: &[i64]) -> BigInt {
    let mut digits = Vec::with_capacity(acc.len());
    let mut carry: i128 = 0;
    for &a in acc {
        carry += a as i128;
        digits.push((carry & 0xffff_ffff) as u32);
        carry >>= 32;
    }
    BigInt::from(BigUint::new(digits)) + (BigInt::from(carry) << (32 * acc.len()))
}

/// Exact ρ = vᵀHv/vᵀv and ε² = ‖Hv‖²/vᵀv − ρ² for the binary64 matrix `h` and v_i = Σ of the
/// binary64 `parts[i]`; (0, 0) when v = 0. Each product h_ij·(part of v_j) is the exact i128
/// product of two mantissas, accumulated in fixed point (32-bit limbs, least significant bit
/// 2^{min exponent of H + min exponent of v}): O(d²) machine-integer work, big integers only for
/// the d row sums and the three final dot products.
pub fn exact_rayleigh(h: &[Vec<f64>], parts: &[Vec<f64>]) -> (Q, Q) {
    let (rho, eps2, _) = rayleigh_and_norm(h, parts);
    (rho, eps2)
}

/// [`exact_rayleigh`] and vᵀv (exact), from the same fixed-point vector.
fn rayleigh_and_norm(h: &[Vec<f64>], parts: &[Vec<f64>]) -> (Q, Q, Q) {
    let range = |(a, b): (i64, i64), (c, d): (i64, i64)| (a.min(c), b.max(d));
    let empty = (i64::MAX, i64::MIN);
    let exponents = |r: &[f64]| {
        r.iter()
            .filter(|x| **x != 0.0)
            .map(|x| mantissa_exponent(*x).1)
            .fold(empty, |acc, e| range(acc, (e, e)))
    };
    let (eh, eh_max) = h.par_iter().map(|r| exponents(r)).reduce(|| empty, range);
    let vparts: Vec<Vec<(i64, i64)>> = parts
        .iter()
        .map(|p| {
            p.iter()
                .filter(|x| **x != 0.0)
                .map(|x| mantissa_exponent(*x))
                .collect()
        })
        .collect();
    let (ev, ev_max) = vparts
        .iter()
        .flatten()
        .fold(empty, |acc, &(_, e)| range(acc, (e, e)));
    if ev == i64::MAX {
        return (Q::zero(), Q::zero(), Q::zero());
    }
    let v: Vec<BigInt> = vparts
        .iter()
        .map(|p| {
            p.iter()
                .map(|&(m, e)| BigInt::from(m) << (e - ev) as usize)
                .sum()
        })
        .collect();
    let s: BigInt = v.iter().map(|x| x * x).sum();
    let vv = Q::from_integer(s.clone()) * dlncheck_kernel::linalg::pow2(2 * ev);
    if eh == i64::MAX {
        return (Q::zero(), Q::zero(), vv);
    }
    let base = eh + ev;
    let limbs = ((eh_max + ev_max + 106 - base) as usize + 64) / 32 + 6;
    let w: Vec<BigInt> = h
        .par_iter()
        .map(|row| {
            let mut acc = vec![0i64; limbs];
            for (x, vp) in row.iter().zip(&vparts) {
                if *x != 0.0 {
                    let (mh, e) = mantissa_exponent(*x);
                    for &(mv, f) in vp {
                        add_at(&mut acc, mh as i128 * mv as i128, (e + f - base) as usize);
                    }
                }
            }
            limbs_to_bigint(&acc)
        })
        .collect();
    let vw: BigInt = v.iter().zip(&w).map(|(a, b)| a * b).sum();
    let ww: BigInt = w.par_iter().map(|x| x * x).sum();
    let scale = dlncheck_kernel::linalg::pow2(eh);
    let rho = Q::new(vw, s.clone()) * &scale;
    let eps2 = Q::new(ww, s) * &scale * &scale - &rho * &rho;
    (rho, eps2, vv)
}

/// The double nearest to q (as the kernel rounds it), if finite.
fn q_to_nearest(q: &Q) -> Option<f64> {
    num_traits::ToPrimitive::to_f64(q).filter(|x| x.is_finite())
}

/// The exact witness values v_i = hi_i + lo_i.
fn exact_vector(v: &[Dd]) -> Option<Vec<Q>> {
    v.iter()
        .map(|x| Some(from_f64_exact(x.0)? + from_f64_exact(x.1)?))
        .collect()
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

/// The float factorization that stands in for the kernel's: [`fast_cholesky`] of
/// (σI − H + α·wwᵀ)/sc at a shift 8× the a-priori estimate of the kernel's (the kernel's own
/// shift is a power of two ≤ 4× its bound), so that a success here predicts the kernel's. `sc`
/// is a power of two near the spectral scale: dividing by it changes no rounding (in the normal
/// range), and keeps the preconditioner's solves away from overflow and subnormals.
fn fast_factor(
    e: &End,
    sigma: f64,
    alpha: f64,
    w: &[f64],
    c: f64,
    sc: f64,
) -> Option<DMatrix<f64>> {
    let mut b = e.shifted(sigma - 8.0 * c, alpha, w, |x| x / sc);
    fast_cholesky(&mut b).then_some(b)
}

/// The power of two 2^k ≤ x < 2^(k+1) (x > 0), k clamped to ±1000.
fn power_of_two_below(x: f64) -> f64 {
    2f64.powi((x.log2().floor() as i32).clamp(-1000, 1000))
}

/// The preconditioner at μ = `sigma`, `room` = μ − λ̃₂ (the least eigenvalue the factored matrix
/// should have): binary32 when `room` is 4√n binary32 units of the scale or more (the typical
/// backward error of its factor) and its factorization goes through, else [`fast_factor`] (whose
/// success also predicts the kernel's).
#[allow(clippy::too_many_arguments)]
fn preconditioner(
    e: &End,
    sigma: f64,
    alpha: f64,
    w: &[f64],
    c: f64,
    room: f64,
    scale: f64,
    sc: f64,
) -> Option<Factor> {
    if room >= 4.0 * (e.h.len() as f64).sqrt() * f32::EPSILON as f64 * scale {
        // The factor of B/sc, as in `fast_factor` (and so that B's entries fit binary32): a scalar
        // multiple of the preconditioner changes no conjugate-gradient iterate.
        let mut b = e.shifted(sigma - 8.0 * c, alpha, w, |x| (x / sc) as f32);
        if fast_cholesky(&mut b) {
            return Some(Factor::Single(b));
        }
    }
    fast_factor(e, sigma, alpha, w, c, sc).map(Factor::Double)
}

/// (ρ, r/sc, ε²/sc²) with r = Hv − ρv, ε² = ‖r‖²/vᵀv of the end's matrix at v (`sc` a power
/// of two near the spectral scale, so that no square overflows) in double-double (each product
/// exact by Dekker's two-product). A binary64 residual would do for the float seed, but its
/// rounding error (≈ 1e−14·‖H‖ at d = 1 000) enters the correction and costs a second step
/// (measured; issue 12's note).
fn residual(e: &End, v: &[Dd], sc: f64) -> (f64, Vec<f64>, f64) {
    let hvd: Vec<Dd> =
        e.h.par_iter()
            .map(|row| {
                row.iter()
                    .zip(v)
                    .fold(Dd::default(), |acc, (a, x)| acc.add(x.mul_f(*a)))
            })
            .collect();
    let vv = dot_dd(v, v);
    let rho = dot_dd(v, &hvd).div(vv);
    let r: Vec<f64> = hvd
        .iter()
        .zip(v)
        .map(|(a, x)| a.add(x.mul(rho).mul_f(-1.0)).0 / sc)
        .collect();
    let eps2 = r.iter().map(|x| x * x).sum::<f64>() / vv.0;
    (rho.0, r, eps2)
}

/// What the exact check of a witness found.
enum Finish {
    Certified(Box<MaxCertificate>),
    /// ρ ≤ μ or the kernel's gap check failed: the next μ.
    NextShift,
    /// The bound misses the width (and this is not the last step): refine further.
    Short,
    /// The witness has no binary64 rounding (it overflowed).
    Failed,
}

/// Exact ρ and ε², the Kato–Temple enclosure rounded outward to a short dyadic, and the kernel's
/// gap check on the final witness (FORMAT.md §4.6); on the `last` step the enclosure is returned
/// whatever its width.
fn finish(e: &End, v: &[Dd], mu: &Q, width: &Q, last: bool, clock: &mut Clock) -> Finish {
    let (rho, eps2, s2) =
        rayleigh_and_norm(e.h, &v.iter().map(|x| vec![x.0, x.1]).collect::<Vec<_>>());
    clock.lap(|| "exact ρ and ε²".into());
    if rho <= *mu {
        return Finish::NextShift;
    }
    let bound = &eps2 / (&rho - mu);
    let tw = width * rho.abs();
    if &bound * Q::from_integer(4.into()) > tw && !last {
        return Finish::Short;
    }
    let k = bits_below(&(&tw / Q::from_integer(8.into())).max(&bound * Q::from_integer(2.into())));
    let lo = round_to(&rho, k, false);
    let hi = round_to(&(&rho + &bound), k, true);
    let Some(vq) = exact_vector(v) else {
        return Finish::Failed;
    };
    let Some(w) = vq.iter().map(q_to_nearest).collect::<Option<Vec<f64>>>() else {
        return Finish::Failed;
    };
    let Some(alpha) = q_to_nearest(&(Q::from_integer(2.into()) * (&rho - mu) / s2)) else {
        return Finish::Failed;
    };
    let checked = psd_by_cholesky(e.h, mu, alpha, &w);
    clock.lap(|| {
        format!(
            "the kernel's psd_by_cholesky: {}",
            if checked.is_ok() { "passed" } else { "failed" }
        )
    });
    match checked {
        Ok(_) => Finish::Certified(Box::new(MaxCertificate {
            lo,
            hi,
            lower: Lower::Witness(vq),
            upper: Upper::KatoTempleCholesky { mu: mu.clone() },
            norm_width: false,
        })),
        Err(_) => Finish::NextShift,
    }
}

/// Kato–Temple with a verified-Cholesky gap, to relative width `width`; `None` when the seed has
/// no usable gap, the refinement does not reach the width, or the kernel's check fails.
fn kato_temple(e: &End, s: &Seed, width: &Q, clock: &mut Clock) -> Option<MaxCertificate> {
    let next = s.next?;
    let gap = s.top - next;
    let wf = q_to_f64(width);
    let sc = power_of_two_below(s.scale);
    // μ at 1/2, then 3/4, then 7/8 of the way from λ̃₂ to λ̃₁ (λ̃₂ of Lanczos may be low).
    'shift: for frac in [0.5, 0.75, 0.875] {
        let mu = dyadic_between(next + (frac - 0.125) * gap, next + frac * gap);
        let muf = q_to_f64(&mu);
        // The preconditioner: the float factor of μI − H + 2(λ̃₁ − μ)ũũᵀ (ũ unit).
        let alpha_seed = 2.0 * (s.top - muf);
        let c = shift_estimate(
            e.h,
            muf,
            &s.vector
                .iter()
                .map(|x| x * alpha_seed.sqrt())
                .collect::<Vec<_>>(),
        );
        if c >= 0.25 * (muf - next) {
            continue;
        }
        let Some(l) = preconditioner(e, muf, alpha_seed, &s.vector, c, muf - next, s.scale, sc)
        else {
            continue;
        };
        clock.lap(|| {
            format!(
                "fast Cholesky at μ ({frac} of the gap, {})",
                if matches!(l, Factor::Single(_)) {
                    "binary32"
                } else {
                    "binary64"
                }
            )
        });
        let mut v: Vec<Dd> = s.vector.iter().map(|&x| Dd(x, 0.0)).collect();
        // After a correction the exact check runs at once (one O(d²) pass where a float
        // predictor would add another); before it, and when it misses, a double-double residual.
        let mut exact_now = false;
        for step in 0..6 {
            let mut missed = false;
            if exact_now || step == 5 {
                match finish(e, &v, &mu, width, step == 5, clock) {
                    Finish::Certified(c) => return Some(*c),
                    Finish::NextShift => continue 'shift,
                    Finish::Failed => return None,
                    Finish::Short => missed = true,
                }
            }
            // The residual and ε² in units of sc (squares of entries near 1e250 overflow, near
            // 1e−250 underflow); the correction of r/sc is δ/sc.
            let (rho, r, eps2) = residual(e, &v, sc);
            clock.lap(|| format!("residual, step {step}: ε²/sc² ≈ {eps2:.1e}"));
            exact_now = true;
            if !missed && eps2 / ((rho - muf) / sc) <= 0.05 * wf * (rho / sc).abs().max(1e-300) {
                continue;
            }
            let norm = v.iter().map(|x| x.0 * x.0).sum::<f64>().sqrt();
            let vf: Vec<f64> = v.iter().map(|x| x.0 / norm).collect();
            let delta: Vec<f64> = correction(e, rho, &vf, &r, &l)
                .into_iter()
                .map(|d| d * sc)
                .collect();
            clock.lap(|| "preconditioned CG correction".into());
            v.iter_mut()
                .zip(&delta)
                .for_each(|(x, d)| *x = x.add(Dd(*d, 0.0)));
        }
        return None;
    }
    None
}

/// hi·I − H ⪰ 0 by one verified Cholesky, hi = λ̃₁ + margin, lo = ρ(ũ) (exact): honest width of
/// the rounding bound. The margin is searched with [`fast_cholesky`]; the kernel's
/// factorization runs once it succeeds. `None` if no margin tried certifies.
fn definite(e: &End, s: &Seed, clock: &mut Clock) -> Option<MaxCertificate> {
    let v: Vec<Q> = s
        .vector
        .iter()
        .map(|&x| from_f64_exact(x))
        .collect::<Option<_>>()?;
    let (rho, _) = exact_rayleigh(e.h, &s.vector.iter().map(|x| vec![*x]).collect::<Vec<_>>());
    clock.lap(|| "definite route: exact ρ of the seed".into());
    let zero = vec![0.0; e.h.len()];
    let mut margin = shift_estimate(e.h, s.top, &zero).max(4.0 * f64::EPSILON * s.scale);
    for tries in 1..=40 {
        let c = shift_estimate(e.h, s.top + 2.0 * margin, &zero);
        let hi = dyadic_between(
            s.top + 2.0 * margin + 4.0 * c,
            s.top + 3.0 * margin + 5.0 * c,
        )
        .max(rho.clone());
        let hif = q_to_f64(&hi);
        if fast_factor(e, hif, 0.0, &zero, c / 2.0, power_of_two_below(s.scale)).is_some() {
            clock.lap(|| format!("definite route: the float Cholesky passed at try {tries}"));
            let checked = psd_by_cholesky(e.h, &hi, 0.0, &zero);
            clock.lap(|| {
                format!(
                    "definite route: the kernel's psd_by_cholesky {}",
                    if checked.is_ok() { "passed" } else { "failed" }
                )
            });
            if checked.is_ok() {
                let k = bits_below(
                    &(&hi - &rho).max(from_f64_exact(f64::MIN_POSITIVE).unwrap_or_else(Q::zero)),
                );
                let lo = round_to(&rho, k + 8, false);
                return Some(MaxCertificate {
                    lo,
                    hi,
                    lower: Lower::Witness(v),
                    upper: Upper::DefiniteCholesky,
                    norm_width: false,
                });
            }
        }
        margin *= 4.0;
    }
    None
}

/// Kato–Temple, else the definite route, for one end seeded by `s`.
fn certify_end(e: &End, s: &Seed, width: &Q, mut clock: Clock) -> Option<MaxCertificate> {
    if !s.top.is_finite() || s.vector.iter().any(|x| !x.is_finite()) {
        return None;
    }
    kato_temple(e, s, width, &mut clock).or_else(|| definite(e, s, &mut clock))
}

/// A certified enclosure of λ_max(h) for a binary64 symmetric `h` at float speed: Kato–Temple to
/// relative width `width` when the top eigenvalue is simple, otherwise the definite route at the
/// width of the rounding bound. `None` when neither certifies.
pub fn lambda_max(h: &[Vec<f64>], width: &Q) -> Option<MaxCertificate> {
    let hm = column_major(h);
    let (top, _) = seeds(&hm, false);
    certify_end(
        &End {
            h,
            hm: &hm,
            sign: 1.0,
        },
        &top,
        width,
        Clock::new("λ_max"),
    )
}

/// An end whose enclosure lies within this fraction of ‖H‖ of 0 is part of the cluster at 0 (about
/// 1e−9: far above the rounding level of a float64 Hessian, ≈ 1e−16·d·‖H‖ per entry, and
/// below any curvature a float64 computation could resolve relative to ‖H‖).
pub const NEAR_ZERO: f64 = 1.0 / (1u64 << 30) as f64;

/// Width targets from this one on (2^−40 ≈ 9.1e−13, just below the CLI's default 1e−12) are
/// requests the binary64 route serves at a cluster at 0; a tighter target asks for digits that
/// only exact arithmetic gives there, and gets them (with a note on stderr).
pub const FLOAT_WIDTH: f64 = 1.0 / (1u64 << 40) as f64;

/// The float route's enclosure of one end, if it is to be kept:
/// - it meets the width target relative to |λ|;
/// - or it is a `definite-cholesky` end (one inside a cluster no certifiable gap splits) that
///   meets the target relative to the spectral norm (hi − lo ≤ width·‖H‖), or, for a target of
///   at least [`FLOAT_WIDTH`], lies within [`NEAR_ZERO`]·‖H‖ of 0 — the eigenvalues around 0 of
///   a low-rank Hessian at rounding level, where exact arithmetic would spend minutes on digits of
///   rounding noise; it is then marked [`MaxCertificate::norm_width`] (`norm` is a lower bound
///   of ‖H‖);
/// - or the side is above the exact route's limit, which keeps whatever width it reached.
pub fn accept(
    c: Option<MaxCertificate>,
    width: &Q,
    norm: Option<&Q>,
    n: usize,
) -> Option<MaxCertificate> {
    let mut c = c?;
    if c.relative_width() <= *width {
        return Some(c);
    }
    let q = |x: f64| from_f64_exact(x).unwrap_or_else(Q::zero);
    c.norm_width = c.upper == Upper::DefiniteCholesky
        && norm.is_some_and(|norm| {
            let near = q(NEAR_ZERO) * norm;
            &c.hi - &c.lo <= width * norm
                || (*width >= q(FLOAT_WIDTH) && c.lo.abs() <= near && c.hi.abs() <= near)
        });
    (c.norm_width || n > dlncheck_kernel::tree::MAX_MATRIX).then_some(c)
}

/// The exact route for one end of `h` (the matrix whose λ_max is wanted), after a note on
/// stderr saying why it runs and what it costs, and with progress lines on stderr (at most one a
/// second, each after an exact LDLᵀ): never minutes of exact arithmetic in silence.
pub fn exact_with_note(
    h: &[Vec<Q>],
    width: &Q,
    end: &str,
    float: &Option<MaxCertificate>,
) -> MaxCertificate {
    let n = h.len();
    let why = match float {
        Some(c) => format!(
            "the binary64 route reached relative width {:.1e} (target {:.1e})",
            q_to_f64(&c.relative_width()),
            q_to_f64(width)
        ),
        None => "the binary64 route certified nothing".into(),
    };
    eprintln!(
        "note: {end}: {why}; running the exact route (rational LDLᵀ of {n}×{n} matrices: seconds \
         to minutes, more above n ≈ 100); a wider --width avoids it"
    );
    let start = std::time::Instant::now();
    let (done, shown) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicU64::new(0),
    );
    let tick = || {
        use std::sync::atomic::Ordering::Relaxed;
        let k = done.fetch_add(1, Relaxed) + 1;
        let t = start.elapsed().as_secs();
        if t > shown.load(Relaxed) {
            shown.store(t, Relaxed);
            eprintln!("  [exact route, {end}] {k} LDLᵀ done, {t} s");
        }
    };
    let c = crate::spectra::certified::exact_lambda_max_ticking(h, width, &tick);
    if start.elapsed().as_secs() >= 1 {
        eprintln!(
            "  [exact route, {end}] finished: {} LDLᵀ, {:.1} s",
            done.into_inner(),
            start.elapsed().as_secs_f64()
        );
    }
    c
}

/// λ_max alone of a binary64 matrix from side
/// [`FLOAT_ROUTE_MIN`](crate::spectra::certified::FLOAT_ROUTE_MIN) on: [`lambda_max`], kept as
/// [`accept`] decides (with the seed's float scale standing in for ‖H‖: which route is taken
/// needs no proof), else the exact route with a note.
pub fn lambda_max_or_exact(h: &[Vec<f64>], width: &Q) -> MaxCertificate {
    let hm = column_major(h);
    let (top, _) = seeds(&hm, false);
    let float = certify_end(
        &End {
            h,
            hm: &hm,
            sign: 1.0,
        },
        &top,
        width,
        Clock::new("λ_max"),
    );
    let norm = from_f64_exact(top.scale);
    accept(float.clone(), width, norm.as_ref(), h.len()).unwrap_or_else(|| {
        let exact: Vec<Vec<Q>> = h
            .iter()
            .map(|r| {
                r.iter()
                    .map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero))
                    .collect()
            })
            .collect();
        exact_with_note(&exact, width, "λ_max", &float)
    })
}

/// The float-speed route for whole spectra, beside the exact [`Spectrum::of`] (this module
/// builds on `certified`, never the reverse).
impl Spectrum {
    /// Certifies both ends of a binary64 matrix (finite entries, symmetric): the float-speed route
    /// from side [`FLOAT_ROUTE_MIN`](crate::spectra::certified::FLOAT_ROUTE_MIN) on, with the exact route when it misses the width and the
    /// side allows it (or when it fails); below that side exactly as [`Spectrum::of`]. One seed
    /// run serves both ends, which then run in parallel (rayon).
    pub fn of_binary64(hf: &[Vec<f64>], width: &Q) -> Self {
        let n = hf.len();
        let exact = || -> Vec<Vec<Q>> {
            hf.iter()
                .map(|r| {
                    r.iter()
                        .map(|x| from_f64_exact(*x).unwrap_or_else(Q::zero))
                        .collect()
                })
                .collect()
        };
        if n < crate::spectra::certified::FLOAT_ROUTE_MIN {
            return Spectrum::of(&exact(), width);
        }
        let mut clock = Clock::new("both ends");
        let hm = column_major(hf);
        let neg: Vec<Vec<f64>> = hf
            .par_iter()
            .map(|r| r.iter().map(|x| -x).collect())
            .collect();
        let (top, bottom) = seeds(&hm, true);
        clock.lap(|| format!("seeds of both ends (n = {n})"));
        let (max, neg_min) = rayon::join(
            || {
                certify_end(
                    &End {
                        h: hf,
                        hm: &hm,
                        sign: 1.0,
                    },
                    &top,
                    width,
                    Clock::new("λ_max"),
                )
            },
            || {
                certify_end(
                    &End {
                        h: &neg,
                        hm: &hm,
                        sign: -1.0,
                    },
                    &bottom,
                    width,
                    Clock::new("λ_min"),
                )
            },
        );
        // ‖H‖ = max(λ_max, −λ_min) ≥ the larger of the two certified lower ends.
        let norm = [&max, &neg_min]
            .into_iter()
            .flatten()
            .map(|c| c.lo.clone())
            .max()
            .filter(|l| l.is_positive())
            .or_else(|| from_f64_exact(top.scale.max(bottom.scale)));
        let max = accept(max.clone(), width, norm.as_ref(), n)
            .unwrap_or_else(|| exact_with_note(&exact(), width, "λ_max", &max));
        let neg = || crate::spectra::certified::negate(&exact());
        let neg_min = accept(neg_min.clone(), width, norm.as_ref(), n)
            .unwrap_or_else(|| exact_with_note(&neg(), width, "λ_min", &neg_min));
        Spectrum { max, neg_min }
    }
}
