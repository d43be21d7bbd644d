//! The gradient-flow limit in closed form, every n (SPEC §5.2): untrusted producer of the
//! `gf-limit` claim (the kernel's `flow` module re-checks it; docs/flow.md has the theorem).
//!
//! Per coordinate gradient flow keeps u_i² = a_i·e^{z_i} and v_i² = b_i·e^{−z_i}, z = Xᵀν(t):
//! `shared` a = w₀², b = 0; `pm` a = u₀², b = v₀²; `uv` a = ((u₀ + v₀)/2)², b = ((u₀ − v₀)/2)²
//! (p = (u + v)/2 and q = (u − v)/2 satisfy p' = −(1/n)g⊙p, q' = (1/n)g⊙q with g = Xᵀr: the `pm`
//! flow at half the rate, and β = uv = p² − q²). The limit is β(ν*) with ν* the root of
//! F(ν) = X·(a⊙e^{Xᵀν} − b⊙e^{−Xᵀν}) − y, the gradient of the convex
//! Φ(ν) = Σ_i (a_i e^{z_i} + b_i e^{−z_i}) − yᵀν. Φ is coercive exactly when X has full row rank
//! and y = Gλ for some λ > 0, G the columns X_i (a_i > 0) and −X_i (b_i > 0): y in the interior of
//! the cone they span; [`coercive`] decides it exactly (rank, then one LP).
//!
//! The root: damped Newton on Φ in binary64, then simplified Newton ν ← ν − C·F(ν) in P-bit
//! dyadic arithmetic with C ≈ J⁻¹ (binary64), then a Krawczyk box V around ν̃ tested in
//! outward-rounded [`Interval`] arithmetic (the kernel's test, FORMAT.md §4.9). The claimed boxes
//! of β, D = a⊙e^z + b⊙e^{−z} (u² + v²), N and S are padded outward so the kernel's own
//! enclosures fit inside them.

use crate::error::{Error, Result};
use crate::io::format::{Claim, Enclosure, rat, rat_rows, rats};
use crate::io::instance::{Init, Instance, Model};
use crate::numeric::interval::{Interval, exp_bounds, round_down, round_up};
use crate::numeric::rational::{Q, pow2, q_to_f64};
use crate::numeric::simplex::{self, Lp, Outcome as LpOutcome};
use crate::spectra::certified as spectra;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The data of the closed form: X, y, the weights (a, b), and c_N, c_S of N = c_N·ΣD and
/// S = (c_S/n)·λ_max(X diag(D) Xᵀ) at the limit.
#[derive(Clone, Debug)]
pub struct Setup {
    pub x: Vec<Vec<Q>>,
    pub y: Vec<Q>,
    pub a: Vec<Q>,
    pub b: Vec<Q>,
    pub c_n: Q,
    pub c_s: Q,
}

/// A certified limit: the certificate (P, ν̃, C, V) and the claimed boxes.
#[derive(Clone, Debug)]
pub struct Limit {
    pub bits: u64,
    pub nu: Vec<Q>,
    pub c: Vec<Vec<Q>>,
    pub boxes: Vec<Interval>,
    pub beta: Vec<Interval>,
    pub diag: Vec<Interval>,
    pub norm: Interval,
    pub sharpness: Interval,
    /// Newton iterations (binary64, then P-bit) and Krawczyk attempts, for the report.
    pub iterations: usize,
}

/// The outcome of [`certify`].
#[derive(Clone, Debug)]
pub enum Outcome {
    Certified(Box<Limit>),
    /// Not certified, with the reason (non-coercive Φ is said so).
    NotCertified(String),
}

/// The default start when the instance has no `[init]`: α = 1/10 (as `gd`).
pub fn default_alpha() -> Q {
    Q::new(1.into(), 10.into())
}

/// The closed form's data for `inst` (models `shared`, `pm`, `uv`).
pub fn setup(inst: &Instance) -> Result<Setup> {
    let d = inst.dim();
    let theta = match &inst.init {
        Some(Init::Alpha(a)) => vec![a.clone(); d * inst.model.block()],
        Some(Init::Theta(t)) => t.clone(),
        None => vec![default_alpha(); d * inst.model.block()],
    };
    let half = Q::new(1.into(), 2.into());
    let (mut a, mut b) = (Vec::with_capacity(d), Vec::with_capacity(d));
    for i in 0..d {
        match inst.model {
            Model::Shared => {
                a.push(&theta[i] * &theta[i]);
                b.push(Q::zero());
            }
            Model::Pm => {
                a.push(&theta[i] * &theta[i]);
                b.push(&theta[d + i] * &theta[d + i]);
            }
            Model::Uv => {
                let p = (&theta[i] + &theta[d + i]) * &half;
                let q = (&theta[i] - &theta[d + i]) * &half;
                a.push(&p * &p);
                b.push(&q * &q);
            }
            Model::SharedDepth(_) => {
                return Err(Error::input(
                    &inst.source,
                    "model",
                    "the gradient-flow limit is certified for models shared, pm and uv (SPEC §5.2)",
                ));
            }
        }
    }
    let (c_n, c_s) = if inst.model == Model::Uv {
        (Q::from_integer(2.into()), Q::from_integer(2.into()))
    } else {
        (Q::one(), Q::from_integer(4.into()))
    };
    Ok(Setup {
        x: inst.x.clone(),
        y: inst.y.clone(),
        a,
        b,
        c_n,
        c_s,
    })
}

/// Exact rank of a rational matrix (Gaussian elimination).
pub fn rank(m: &[Vec<Q>]) -> usize {
    let mut a = m.to_vec();
    let (rows, cols) = (a.len(), a.first().map_or(0, Vec::len));
    let mut r = 0;
    for col in 0..cols {
        let Some(p) = (r..rows).find(|&i| !a[i][col].is_zero()) else {
            continue;
        };
        a.swap(r, p);
        for i in r + 1..rows {
            let f = &a[i][col] / &a[r][col];
            if f.is_zero() {
                continue;
            }
            for j in col..cols {
                let t = &f * &a[r][j];
                a[i][j] -= t;
            }
        }
        r += 1;
        if r == rows {
            break;
        }
    }
    r
}

/// Whether Φ is coercive; `Err` says why not. Rank of X, then the LP max t over
/// Gλ' + t·G1 = y, t + s = 1, (λ', t, s) ≥ 0: y = Gλ with λ > 0 iff its optimum t* > 0.
pub fn coercive(s: &Setup) -> std::result::Result<(), String> {
    let n = s.x.len();
    let r = rank(&s.x);
    if r < n {
        return Err(format!(
            "Φ is not coercive: X has rank {r} < n = {n} (SPEC §5.2 needs full row rank), so the \
             root ν of X·β(ν) = y is not unique or does not exist"
        ));
    }
    let d = s.a.len();
    let mut cols: Vec<Vec<Q>> = Vec::new();
    for i in 0..d {
        let col: Vec<Q> = (0..n).map(|j| s.x[j][i].clone()).collect();
        if s.a[i].is_positive() {
            cols.push(col.clone());
        }
        if s.b[i].is_positive() {
            cols.push(col.iter().map(|v| -v).collect());
        }
    }
    let m = cols.len();
    let sum: Vec<Q> = (0..n).map(|j| cols.iter().map(|c| &c[j]).sum()).collect();
    let mut a: Vec<Vec<Q>> = (0..n)
        .map(|j| {
            let mut row: Vec<Q> = cols.iter().map(|c| c[j].clone()).collect();
            row.push(sum[j].clone());
            row.push(Q::zero());
            row
        })
        .collect();
    let mut last = vec![Q::zero(); m + 2];
    last[m] = Q::one();
    last[m + 1] = Q::one();
    a.push(last);
    let mut b = s.y.clone();
    b.push(Q::one());
    let mut c = vec![Q::zero(); m + 2];
    c[m] = -Q::one();
    let where_ = if s.b.iter().all(Zero::is_zero) {
        "the cone spanned by the columns of X"
    } else {
        "the cone spanned by the columns X_i (a_i > 0) and −X_i (b_i > 0)"
    };
    match simplex::solve(&Lp { a, b, c }) {
        LpOutcome::Optimal(o) if o.value.is_negative() => Ok(()),
        LpOutcome::Optimal(_) => Err(format!(
            "Φ is not coercive: y lies on the boundary of {where_} (exact LP), so the flow drives \
             some β_i to 0 and its limit is not β(ν) for a finite ν (SPEC §5.2)"
        )),
        _ => Err(format!(
            "Φ is not coercive: y is outside {where_} (exact LP, Farkas certificate), so no \
             zero-loss point is reachable by the flow (SPEC §5.2)"
        )),
    }
}

/// ln q for q > 0 of any size.
fn ln_q(q: &Q) -> f64 {
    let part = |v: &num_bigint::BigInt| {
        let s = v.bits().saturating_sub(60);
        (v >> s as usize).to_f64().unwrap_or(1.0).ln() + s as f64 * std::f64::consts::LN_2
    };
    part(q.numer()) - part(q.denom())
}

/// Damped Newton on Φ in binary64 (log-weights, so tiny a, b do not underflow). Returns ν and
/// the iteration count, or why it failed.
fn newton_f64(s: &Setup) -> std::result::Result<(Vec<f64>, usize), String> {
    let (n, d) = (s.x.len(), s.a.len());
    let x: Vec<Vec<f64>> =
        s.x.iter()
            .map(|r| r.iter().map(q_to_f64).collect())
            .collect();
    let y: Vec<f64> = s.y.iter().map(q_to_f64).collect();
    // ln of each weight, −∞ for a zero weight (its term vanishes).
    let ln_all = |w: &[Q]| -> Vec<f64> {
        w.iter()
            .map(|v| {
                if v.is_zero() {
                    f64::NEG_INFINITY
                } else {
                    ln_q(v)
                }
            })
            .collect()
    };
    let (la, lb) = (ln_all(&s.a), ln_all(&s.b));
    let z = |nu: &[f64]| -> Vec<f64> {
        (0..d)
            .map(|i| (0..n).map(|j| x[j][i] * nu[j]).sum())
            .collect()
    };
    let phi = |nu: &[f64]| -> f64 {
        let z = z(nu);
        let e: f64 = (0..d)
            .map(|i| (la[i] + z[i]).exp() + (lb[i] - z[i]).exp())
            .sum();
        e - (0..n).map(|j| y[j] * nu[j]).sum::<f64>()
    };
    let mut nu = vec![0.0; n];
    for it in 0..500 {
        let zz = z(&nu);
        let p: Vec<f64> = (0..d).map(|i| (la[i] + zz[i]).exp()).collect();
        let m: Vec<f64> = (0..d).map(|i| (lb[i] - zz[i]).exp()).collect();
        let f: Vec<f64> = (0..n)
            .map(|j| (0..d).map(|i| x[j][i] * (p[i] - m[i])).sum::<f64>() - y[j])
            .collect();
        let scale: f64 = (0..n)
            .map(|j| (0..d).map(|i| (x[j][i] * (p[i] + m[i])).abs()).sum::<f64>() + y[j].abs())
            .fold(0.0, f64::max);
        if f.iter().all(|v| v.abs() <= 1e-14 * scale) {
            return Ok((nu, it));
        }
        let jac = nalgebra::DMatrix::from_fn(n, n, |j, k| {
            (0..d)
                .map(|i| x[j][i] * x[k][i] * (p[i] + m[i]))
                .sum::<f64>()
        });
        let Some(step) = jac.lu().solve(&nalgebra::DVector::from_vec(f.clone())) else {
            return Err("the Jacobian X diag(D) Xᵀ is singular in binary64".into());
        };
        let big = nu.iter().map(|v| v.abs()).fold(1.0, f64::max);
        if step.iter().all(|s| s.abs() <= 1e-13 * big) {
            return Ok((nu, it)); // rounding level: the P-bit iteration takes over
        }
        let (p0, slope) = (
            phi(&nu),
            -f.iter().zip(step.iter()).map(|(a, b)| a * b).sum::<f64>(),
        );
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = nu.iter().zip(step.iter()).map(|(v, s)| v - t * s).collect();
            let pt = phi(&trial);
            if pt.is_finite() && pt <= p0 + 1e-4 * t * slope.min(0.0) {
                nu = trial;
                break;
            }
            t *= 0.5;
            let near = step.iter().all(|s| s.abs() <= 1e-6 * big);
            if t < 1e-30 && !near {
                return Err(
                    "binary64 Newton stalled (Φ not decreasing along the Newton step)".into(),
                );
            }
            if t < 1e-3 && near {
                // No decrease visible in binary64 along a full-Newton direction: at rounding
                // level of Φ; take the full step if it is finite (the P-bit iteration decides).
                let full: Vec<f64> = nu.iter().zip(step.iter()).map(|(v, s)| v - s).collect();
                if !phi(&full).is_finite() {
                    return Err("binary64 Newton stalled (Φ not decreasing)".into());
                }
                if it > 50 {
                    return Ok((nu, it));
                }
                nu = full;
                break;
            }
        }
        if nu.iter().any(|v| !v.is_finite()) {
            return Err("binary64 Newton left the finite numbers".into());
        }
    }
    Err("binary64 Newton did not converge in 500 iterations".into())
}

/// The binary64 inverse of J(ν) as exact rationals (C of the certificate).
fn inverse_at(s: &Setup, nu: &[f64]) -> Option<Vec<Vec<Q>>> {
    let (n, d) = (s.x.len(), s.a.len());
    let x: Vec<Vec<f64>> =
        s.x.iter()
            .map(|r| r.iter().map(q_to_f64).collect())
            .collect();
    let dd: Vec<f64> = (0..d)
        .map(|i| {
            let z: f64 = (0..n).map(|j| x[j][i] * nu[j]).sum();
            let t = |w: &Q, z: f64| {
                if w.is_zero() {
                    0.0
                } else {
                    (ln_q(w) + z).exp()
                }
            };
            t(&s.a[i], z) + t(&s.b[i], -z)
        })
        .collect();
    let jac = nalgebra::DMatrix::from_fn(n, n, |j, k| {
        (0..d).map(|i| x[j][i] * x[k][i] * dd[i]).sum::<f64>()
    });
    let inv = jac.try_inverse()?;
    (0..n)
        .map(|j| {
            (0..n)
                .map(|k| Q::from_float(inv[(j, k)]))
                .collect::<Option<Vec<Q>>>()
        })
        .collect()
}

/// Enclosures of e^t and e^{−t} at `p` bits.
fn exps(t: &Interval, p: u64) -> (Interval, Interval) {
    let (lo, hi) = (exp_bounds(t.lo(), p), exp_bounds(t.hi(), p));
    (
        Interval::hull(lo.0.clone(), hi.1.clone()),
        Interval::hull(
            round_down(&(Q::one() / &hi.1), p),
            round_up(&(Q::one() / &lo.0), p),
        ),
    )
}

/// z = Xᵀν over a box (exact).
fn z_of(s: &Setup, v: &[Interval]) -> Vec<Interval> {
    (0..s.a.len())
        .map(|i| {
            (0..s.x.len()).fold(Interval::point(Q::zero()), |z, j| {
                z.add(&v[j].scale(&s.x[j][i]))
            })
        })
        .collect()
}

/// Enclosures of β = a e^z − b e^{−z} (increasing in z) and D = a e^z + b e^{−z} over a box.
fn beta_diag(s: &Setup, v: &[Interval], p: u64) -> (Vec<Interval>, Vec<Interval>) {
    z_of(s, v)
        .iter()
        .enumerate()
        .map(|(i, z)| {
            let lo = exps(&Interval::point(z.lo().clone()), p);
            let hi = if z.lo() == z.hi() {
                lo.clone()
            } else {
                exps(&Interval::point(z.hi().clone()), p)
            };
            let (a, b) = (&s.a[i], &s.b[i]);
            let beta = Interval::hull(a * lo.0.lo() - b * lo.1.hi(), a * hi.0.hi() - b * hi.1.lo())
                .round(p);
            let diag = Interval::hull(a * lo.0.lo() + b * hi.1.lo(), a * hi.0.hi() + b * lo.1.hi())
                .round(p);
            (beta, diag)
        })
        .unzip()
}

/// Σ_i c_i·v_i rounded outward.
fn combo(c: &[Q], v: &[Interval], p: u64) -> Interval {
    c.iter()
        .zip(v)
        .fold(Interval::point(Q::zero()), |s, (c, v)| s.add(&v.scale(c)))
        .round(p)
}

/// F(ν) enclosed at a point ν.
fn residual(s: &Setup, nu: &[Q], p: u64) -> Vec<Interval> {
    let point: Vec<Interval> = nu.iter().map(|v| Interval::point(v.clone())).collect();
    let (beta, _) = beta_diag(s, &point, p);
    (0..s.x.len())
        .map(|j| combo(&s.x[j], &beta, p).minus(&s.y[j]))
        .collect()
}

/// The Krawczyk set K(ν̃, V) (FORMAT.md §4.9), or `None` if ν̃ ∉ V.
fn krawczyk(s: &Setup, nu: &[Q], c: &[Vec<Q>], v: &[Interval], p: u64) -> Vec<Interval> {
    let n = s.x.len();
    let f = residual(s, nu, p);
    let (_, diag) = beta_diag(s, v, p);
    let lo: Vec<Q> = diag.iter().map(|d| d.lo().clone()).collect();
    let hi: Vec<Q> = diag.iter().map(|d| d.hi().clone()).collect();
    let jac: Vec<Vec<Interval>> = gram_range(&s.x, &lo, &hi)
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|(a, b)| Interval::hull(a, b).round(p))
                .collect()
        })
        .collect();
    (0..n)
        .map(|j| {
            let cf = combo(&c[j], &f, p);
            let mut kj = Interval::hull(&nu[j] - cf.hi(), &nu[j] - cf.lo());
            for k in 0..n {
                let col: Vec<Interval> = (0..n).map(|l| jac[l][k].clone()).collect();
                let cj = combo(&c[j], &col, p);
                let id = if j == k { Q::one() } else { Q::zero() };
                let m = Interval::hull(&id - cj.hi(), &id - cj.lo());
                kj = kj.add(&m.mul(&v[k].minus(&nu[k])));
            }
            kj
        })
        .collect()
}

/// Widens [lo, hi] by 2^−(P−24)·pad on each side and rounds outward to P bits.
fn padded(v: &Interval, pad: &Q, p: u64) -> Interval {
    let e = pow2(24 - p as i64) * pad;
    Interval::hull(round_down(&(v.lo() - &e), p), round_up(&(v.hi() + &e), p))
}

/// X diag(lo..hi) Xᵀ: entry (j, k) is the exact range Σ_i X_ji X_ki·[lo_i, hi_i], computed in
/// integers: X = X'/L with L the lcm of X's denominators and lo, hi dyadic (m·2^−e).
fn gram_range(x: &[Vec<Q>], lo: &[Q], hi: &[Q]) -> Vec<Vec<(Q, Q)>> {
    use num_bigint::BigInt;
    let l = x.iter().flatten().fold(BigInt::one(), |a, q| {
        num_integer::Integer::lcm(&a, q.denom())
    });
    let xi: Vec<Vec<BigInt>> = x
        .iter()
        .map(|r| {
            r.iter()
                .map(|q| (q * Q::from_integer(l.clone())).to_integer())
                .collect()
        })
        .collect();
    let e = lo
        .iter()
        .chain(hi)
        .map(|q| q.denom().bits())
        .max()
        .unwrap_or(1);
    let unit = Q::from_integer(BigInt::one() << e);
    let ints = |v: &[Q]| -> Vec<BigInt> { v.iter().map(|q| (q * &unit).to_integer()).collect() };
    let (ml, mh) = (ints(lo), ints(hi));
    let scale = Q::new(BigInt::one(), (BigInt::one() << e) * &l * &l);
    let n = x.len();
    let mut g = vec![vec![(Q::zero(), Q::zero()); n]; n];
    for j in 0..n {
        for k in j..n {
            let (mut a, mut b) = (BigInt::zero(), BigInt::zero());
            for i in 0..ml.len() {
                let c = &xi[j][i] * &xi[k][i];
                if c.is_negative() {
                    a += &c * &mh[i];
                    b += &c * &ml[i];
                } else {
                    a += &c * &ml[i];
                    b += &c * &mh[i];
                }
            }
            g[j][k] = (Q::from_integer(a) * &scale, Q::from_integer(b) * &scale);
            g[k][j] = g[j][k].clone();
        }
    }
    g
}

/// (c_S/n)·X diag(D) Xᵀ (D dyadic).
pub fn curvature(s: &Setup, diag: &[Q]) -> Vec<Vec<Q>> {
    let f = &s.c_s / Q::from_integer((s.x.len() as i64).into());
    gram_range(&s.x, diag, diag)
        .into_iter()
        .map(|r| r.into_iter().map(|v| &f * v.0).collect())
        .collect()
}

/// A top eigenvector of the symmetric `a` to about P bits: the binary64 one, then Rayleigh
/// quotient iterations (A − σI)x = v by Gaussian elimination at P + 32 bits (untrusted).
fn top_vector(a: &[Vec<Q>], p: u64) -> Option<Vec<Q>> {
    let n = a.len();
    let af: Vec<Vec<f64>> = a.iter().map(|r| r.iter().map(q_to_f64).collect()).collect();
    let (_, vecs) = crate::spectra::estimate::symmetric_eigen(&af);
    let mut v: Vec<Q> = vecs
        .first()?
        .iter()
        .map(|x| Q::from_float(*x))
        .collect::<Option<_>>()?;
    let w = p + 32;
    // Cubic convergence from the binary64 vector's ~50 bits.
    let mut rounds = 1;
    while 50 * 3u64.pow(rounds) < w {
        rounds += 1;
    }
    for _ in 0..=rounds {
        let (sigma, _) = spectra::rayleigh(a, &v);
        let sigma = round_down(&sigma, w);
        let mut m: Vec<Vec<Q>> = (0..n)
            .map(|i| {
                let mut row: Vec<Q> = (0..n)
                    .map(|j| {
                        if i == j {
                            &a[i][j] - &sigma
                        } else {
                            a[i][j].clone()
                        }
                    })
                    .collect();
                row.push(v[i].clone());
                row
            })
            .collect();
        for k in 0..n {
            let piv = (k..n).max_by(|&i, &j| m[i][k].abs().cmp(&m[j][k].abs()))?;
            m.swap(k, piv);
            if m[k][k].is_zero() {
                return Some(v); // σ is an eigenvalue to working precision
            }
            for i in k + 1..n {
                let f = &m[i][k] / &m[k][k];
                for j in k..=n {
                    let t = round_down(&(&m[i][j] - &f * &m[k][j]), w);
                    m[i][j] = t;
                }
            }
        }
        let mut x = vec![Q::zero(); n];
        for k in (0..n).rev() {
            let r: Q = &m[k][n] - (k + 1..n).map(|j| &m[k][j] * &x[j]).sum::<Q>();
            x[k] = round_down(&(r / &m[k][k]), w);
        }
        let big = x.iter().map(Q::abs).max()?;
        if big.is_zero() {
            return Some(v);
        }
        let next: Vec<Q> = x.iter().map(|e| round_down(&(e / &big), w)).collect();
        let done = next
            .iter()
            .zip(&v)
            .all(|(a, b)| (a - b).abs() <= pow2(-(w as i64) + 16))
            || next
                .iter()
                .zip(&v)
                .all(|(a, b)| (a + b).abs() <= pow2(-(w as i64) + 16));
        v = next;
        if done {
            break;
        }
    }
    Some(v)
}

/// A lower bound on λ_max(a): the exact Rayleigh quotient of a P-bit top vector.
fn rayleigh_lower(a: &[Vec<Q>], p: u64) -> Option<Q> {
    let v = top_vector(a, p)?;
    let v: Vec<Q> = v.iter().map(|e| round_down(e, p)).collect();
    Some(round_down(&spectra::rayleigh(a, &v).0, p + 8))
}

/// An upper bound h on λ_max(a) with h·I − a ⪰ 0 checked by exact inertia.
fn psd_upper(a: &[Vec<Q>], p: u64) -> Option<Q> {
    let v = top_vector(a, p)?;
    let rho = spectra::rayleigh(a, &v).0;
    let h = round_up(&(&rho + rho.abs() * pow2(8 - p as i64)), p);
    let m: Vec<Vec<Q>> = (0..a.len())
        .map(|i| {
            (0..a.len())
                .map(|j| if i == j { &h - &a[i][j] } else { -&a[i][j] })
                .collect()
        })
        .collect();
    matches!(crate::numeric::ldl::inertia_integer(&m), Some((0, _, _))).then_some(h)
}

/// One attempt at P bits from the binary64 root `nu64`.
fn attempt(s: &Setup, nu64: &[f64], p: u64, width: &Q) -> std::result::Result<Limit, String> {
    let n = s.x.len();
    let c = inverse_at(s, nu64).ok_or("the binary64 Jacobian is singular")?;
    let mut nu: Vec<Q> = nu64
        .iter()
        .map(|v| Q::from_float(*v).unwrap_or_default())
        .collect();
    let tiny = pow2(-(p as i64));
    let mut iterations = 0;
    let mut inv = c.clone();
    let w = p + 16;
    let rnd = |v: Q| round_down(&v, w);
    let mut last: Option<Q> = None;
    for _ in 0..200 {
        iterations += 1;
        let point: Vec<Interval> = nu.iter().map(|v| Interval::point(v.clone())).collect();
        let (beta, diag) = beta_diag(s, &point, w);
        let f: Vec<Q> = (0..n)
            .map(|j| combo(&s.x[j], &beta, w).minus(&s.y[j]).mid())
            .collect();
        let newton = |inv: &[Vec<Q>]| -> Vec<Q> {
            (0..n)
                .map(|j| (0..n).map(|k| &inv[j][k] * &f[k]).sum())
                .collect()
        };
        let mut step = newton(&inv);
        let size = step.iter().map(Q::abs).max().unwrap_or_default();
        let slow = last.as_ref().is_some_and(|l: &Q| size > l * pow2(-20));
        last = Some(size);
        if slow {
            // Slow contraction (ill-conditioned J): Newton–Schulz, inv ← inv + inv·(I − J·inv),
            // doubles the correct bits of J⁻¹; the step is then taken with the refined inverse.
            let dm: Vec<Q> = diag.iter().map(Interval::mid).collect();
            let jac = crate::theory::multipoint::gram(&s.x, &dm);
            let e: Vec<Vec<Q>> = (0..n)
                .map(|j| {
                    (0..n)
                        .map(|k| {
                            let id = if j == k { Q::one() } else { Q::zero() };
                            rnd(id - (0..n).map(|l| &jac[j][l] * &inv[l][k]).sum::<Q>())
                        })
                        .collect()
                })
                .collect();
            inv = (0..n)
                .map(|j| {
                    (0..n)
                        .map(|k| rnd(&inv[j][k] + (0..n).map(|l| &inv[j][l] * &e[l][k]).sum::<Q>()))
                        .collect()
                })
                .collect();
            step = newton(&inv);
        }
        let done = step
            .iter()
            .zip(&nu)
            .all(|(d, v)| d.abs() <= &tiny * (v.abs() + Q::one()));
        nu = nu.iter().zip(&step).map(|(v, d)| rnd(v - d)).collect();
        if done {
            break;
        }
    }
    let nu: Vec<Q> = nu.iter().map(|v| round_down(v, p)).collect();
    let cf: Vec<Interval> = {
        let f = residual(s, &nu, p);
        (0..n).map(|j| combo(&c[j], &f, p)).collect()
    };
    let mut radius: Vec<Q> = cf
        .iter()
        .zip(&nu)
        .map(|(e, v)| {
            Q::from_integer(4.into()) * (e.mag() + e.width()) + &tiny * (v.abs() + Q::one())
        })
        .collect();
    for _ in 0..8 {
        let v: Vec<Interval> = nu
            .iter()
            .zip(&radius)
            .map(|(m, r)| Interval::hull(round_down(&(m - r), p), round_up(&(m + r), p)))
            .collect();
        let k = krawczyk(s, &nu, &c, &v, p);
        // Inside the middle half of V: a margin for the kernel's own rounding.
        let inside = k.iter().zip(&v).zip(&nu).all(|((k, v), m)| {
            let q = (v.hi() - v.lo()) / Q::from_integer(4.into());
            &(v.lo() + &q) < k.lo() && k.hi() < &(v.hi() - &q) && v.lo() <= m && m <= v.hi()
        });
        if inside {
            return finish(s, nu, c, v, p, width, iterations);
        }
        radius = radius
            .iter()
            .map(|r| r * Q::from_integer(16.into()))
            .collect();
    }
    Err(format!("the Krawczyk test failed at {p} bits"))
}

/// The claimed boxes from a Krawczyk box V.
fn finish(
    s: &Setup,
    nu: Vec<Q>,
    c: Vec<Vec<Q>>,
    v: Vec<Interval>,
    p: u64,
    width: &Q,
    iterations: usize,
) -> std::result::Result<Limit, String> {
    let (beta, diag) = beta_diag(s, &v, p);
    let beta: Vec<Interval> = beta
        .iter()
        .zip(&diag)
        .map(|(b, d)| padded(b, d.hi(), p))
        .collect();
    let diag: Vec<Interval> = diag.iter().map(|d| padded(d, d.hi(), p)).collect();
    let lo: Vec<Q> = diag.iter().map(|d| d.lo().clone()).collect();
    let hi: Vec<Q> = diag.iter().map(|d| d.hi().clone()).collect();
    let norm = Interval::hull(&s.c_n * lo.iter().sum::<Q>(), &s.c_n * hi.iter().sum::<Q>());
    let norm = Interval::hull(round_down(norm.lo(), p), round_up(norm.hi(), p));
    let (a_lo, a_hi) = (curvature(s, &lo), curvature(s, &hi));
    let (s_lo, s_hi) = match (rayleigh_lower(&a_lo, p), psd_upper(&a_hi, p)) {
        (Some(l), Some(h)) => (l, h),
        _ => {
            let target = width / Q::from_integer(8.into());
            let low = spectra::lambda_max(&a_lo, &target);
            let high = spectra::lambda_max(&a_hi, &target);
            (low.lo, high.hi)
        }
    };
    // Strictly below the certified λ_max(A(lo)) ≥ s_lo.
    let s_lo = round_down(&(&s_lo - s_lo.abs() * pow2(-(p as i64))), p);
    let sharpness = Interval::hull(s_lo, round_up(&s_hi, p));
    Ok(Limit {
        bits: p,
        nu,
        c,
        boxes: v,
        beta,
        diag,
        norm,
        sharpness,
        iterations,
    })
}

/// The largest relative width of N, S and the β boxes (each β box relative to max |β|).
pub fn relative_width(l: &Limit) -> Q {
    let rel = |i: &Interval| spectra::relative_width(i.lo(), i.hi());
    let scale = l.beta.iter().map(Interval::mag).max().unwrap_or_default();
    let beta = if scale.is_zero() {
        Q::zero()
    } else {
        l.beta
            .iter()
            .map(|b| b.width() / &scale)
            .max()
            .unwrap_or_default()
    };
    rel(&l.norm).max(rel(&l.sharpness)).max(beta)
}

/// Bits for a relative width `w`: log₂(1/w) + 48.
fn bits_for(w: &Q) -> u64 {
    let inv = Q::one() / w;
    (inv.numer().bits().saturating_sub(inv.denom().bits()) + 48).clamp(64, 4000)
}

/// Certifies the limit to relative width `width` (N, S, β; see [`relative_width`]).
pub fn certify(s: &Setup, width: &Q) -> Outcome {
    if let Err(why) = coercive(s) {
        return Outcome::NotCertified(why);
    }
    let (nu64, it) = match newton_f64(s) {
        Ok(v) => v,
        Err(why) => return Outcome::NotCertified(why),
    };
    let mut p = bits_for(width);
    let mut last = String::new();
    for _ in 0..4 {
        match attempt(s, &nu64, p, width) {
            Ok(mut l) if relative_width(&l) <= *width => {
                l.iterations += it;
                return Outcome::Certified(Box::new(l));
            }
            Ok(l) => {
                last = format!(
                    "relative width {:.3e} > {:.3e} at {p} bits",
                    q_to_f64(&relative_width(&l)),
                    q_to_f64(width)
                )
            }
            Err(why) => last = why,
        }
        p += 64;
    }
    Outcome::NotCertified(format!("not certified: {last}"))
}

/// The `gf-limit` claim of a certified limit.
pub fn claim(l: &Limit) -> Claim {
    let enc = |i: &Interval| Enclosure {
        lo: rat(i.lo()),
        hi: rat(i.hi()),
    };
    Claim::GfLimit {
        bits: l.bits,
        nu: rats(&l.nu),
        c: rat_rows(&l.c),
        r#box: l.boxes.iter().map(enc).collect(),
        beta: l.beta.iter().map(enc).collect(),
        diag: l.diag.iter().map(enc).collect(),
        norm: enc(&l.norm),
        sharpness: enc(&l.sharpness),
    }
}

/// The binary64 estimate of β∞ (untrusted; `flow` without `--certify`), or why there is none.
pub fn estimate(s: &Setup) -> std::result::Result<Vec<f64>, String> {
    coercive(s)?;
    let (nu, _) = newton_f64(s)?;
    let (n, d) = (s.x.len(), s.a.len());
    Ok((0..d)
        .map(|i| {
            let z: f64 = (0..n).map(|j| q_to_f64(&s.x[j][i]) * nu[j]).sum();
            let t = |w: &Q, z: f64| {
                if w.is_zero() {
                    0.0
                } else {
                    (ln_q(w) + z).exp()
                }
            };
            t(&s.a[i], z) - t(&s.b[i], -z)
        })
        .collect())
}
