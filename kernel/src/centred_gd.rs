//! Certified gradient descent for several data points (SPEC §5.3, FORMAT.md §4.10): a centred-form
//! enclosure of the exact iterates and the n > 1 tail theorem. Theorems and proofs:
//! docs/certified-gd.md, "Several data points".
//!
//! Parameters p. `shared` runs on w (β = w⊙w), `pm` on (u, v) (β = u⊙u − v⊙v), `uv` is `pm` at
//! half the rate on (a, b) = ((u + v)/2, (u − v)/2). One GD step is exactly
//!   p'_j = p_j·(1 − σ_j·c·g_i),  c = 2η/n, g = Xᵀ(Xβ − y), σ_j = +1 (w, u), −1 (v),
//! for coordinate i of p_j. The Hessian of L(p) = ‖Xβ(p) − y‖²/(2n) is AᵀA + (2/n)·diag(σ⊙g)
//! with AAᵀ = M(s) = (4/n)·X diag(s) Xᵀ, s_i = Σ_{j at i} p_j², so its eigenvalues lie in
//! [−(2/n)G, t + (2/n)G] when G ≥ max|g_i| and t ≥ λ_max M(s).
//!
//! Enclosure. A reference p̃_k (P-bit dyadics) and a radius ε_k with ‖p_k − p̃_k‖ ≤ ε_k. The step
//! from the point p̃_k in P-bit interval arithmetic gives boxes [lo_j, hi_j] ∋ F(p̃_k)_j; p̃_{k+1} =
//! lo and the defect ‖F(p̃_k) − p̃_{k+1}‖ ≤ Σ(hi_j − lo_j). On the ball B(p̃_k, ε_k) the Jacobian
//! I − η∇²L is symmetric with norm ≤ Λ_k = ηt − 1 + cG (t ≥ 2/η), so by the mean value theorem
//! ε_{k+1} = ↑(Λ_k·ε_k + defect) bounds ‖p_{k+1} − p̃_{k+1}‖. t is certified by the verified
//! binary64 Cholesky of FORMAT.md §4.6 on a 53-bit upper matrix of M over the ball.

use crate::gd::{Bits, D, J, approx, pinned, run_size};
use crate::instance::{Init, Instance, Model};
use crate::interval::Interval;
use crate::linalg::{is_pd, is_psd, psd_by_cholesky, shift};
use crate::number::{Q, int, pow2, round, short};
use crate::{Checked, Claim, Fail, ensure};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Bits of the ball's bounds, the radius, ρ, γ̄ and the tail's matrices.
pub const LOW: u64 = 64;
/// Bits of the matrix handed to the binary64 Cholesky.
const MAT: u64 = 53;
/// t_j = (2/η)(1 + j/64) for j ≤ MAX_J.
pub const MAX_J: u64 = 4096;
/// The anchor of the t bound is kept while its Weyl drift is ≤ (2/η)/DRIFT.
const DRIFT: i64 = 4096;

/// The iteration: data, rate of the parameter iteration, parameters.
pub struct Descent {
    x: Vec<Vec<Q>>,
    y: Vec<Q>,
    /// η of the parameter iteration (η of the model, η/2 for `uv`).
    pub eta: Q,
    /// S = κ·λ_max M(s) and N = Σs/κ at zero loss (1, or 1/2 for `uv`).
    pub kappa: Q,
    /// σ_j = −1 (a `v` parameter) for j ≥ d when two parameters per coordinate.
    two: bool,
    theta0: Vec<Q>,
}

fn half() -> Q {
    Q::new(1.into(), 2.into())
}

impl Descent {
    /// The iteration of `inst` (models `shared`, `pm`, `uv`; init α·1 or θ) at rate `eta`.
    pub fn new(inst: &Instance, eta: &Q) -> Result<Descent, String> {
        let d = inst.dim();
        let m = d * inst.model.block();
        let theta = match &inst.init {
            Some(Init::Alpha(a)) => vec![a.clone(); m],
            Some(Init::Theta(t)) => t.clone(),
            None => return Err("certified GD needs init.alpha or init.theta".into()),
        };
        let (two, eta, kappa, theta0) = match inst.model {
            Model::Shared => (false, eta.clone(), Q::one(), theta),
            Model::Pm => (true, eta.clone(), Q::one(), theta),
            Model::Uv => {
                let (u, v) = theta.split_at(d);
                let a = u.iter().zip(v).map(|(u, v)| (u + v) * half());
                let b = u.iter().zip(v).map(|(u, v)| (u - v) * half());
                (true, eta * half(), half(), a.chain(b).collect())
            }
            Model::SharedDepth(_) => {
                return Err("certified GD for n > 1 needs model shared, pm or uv".into());
            }
        };
        Ok(Descent {
            x: inst.x.clone(),
            y: inst.y.clone(),
            eta,
            kappa,
            two,
            theta0,
        })
    }

    fn n(&self) -> usize {
        self.x.len()
    }

    fn d(&self) -> usize {
        self.x[0].len()
    }

    /// t·I − M(s), exact.
    fn gap(&self, s: &[Q], t: &Q) -> Vec<Vec<Q>> {
        let m = self.matrix(s);
        shift(
            &m.iter()
                .map(|r| r.iter().map(|v| -v).collect())
                .collect::<Vec<_>>(),
            &-t,
        )
    }

    /// M(s) = (4/n)·X diag(s) Xᵀ, exact.
    pub fn matrix(&self, s: &[Q]) -> Vec<Vec<Q>> {
        let f = int(4) / int(self.n() as i64);
        let row = |a: usize, b: usize| -> Q {
            let t: Q = (0..self.d())
                .map(|i| &self.x[a][i] * &self.x[b][i] * &s[i])
                .sum();
            &f * t
        };
        (0..self.n())
            .map(|a| (0..self.n()).map(|b| row(a, b)).collect())
            .collect()
    }
}

/// [0, hi] ∪ the range of v·v: the range of v², rounded outward.
fn square(b: &Bits, v: &J) -> J {
    let r = b.mul(v, v);
    if r.lo.m.is_negative() {
        Interval::new(D::new(BigInt::zero(), 0), r.hi)
    } else {
        r
    }
}

/// (β, r, g) from the squares of the parameters at `b`'s bits (FORMAT.md §4.10, in this order):
/// β_i = sq_i (or sq_u − sq_v), r_a = Σ_i X_ai·β_i − y_a, g_i = Σ_a X_ai·r_a.
fn residual(b: &Bits, x: &[Vec<J>], y: &[J], sq: &[J], two: bool) -> (Vec<J>, Vec<J>) {
    let d = x[0].len();
    let zero = b.enc(Q::zero());
    let beta: Vec<J> = (0..d)
        .map(|i| {
            if two {
                b.sub(&sq[i], &sq[i + d])
            } else {
                sq[i].clone()
            }
        })
        .collect();
    let r: Vec<J> = x
        .iter()
        .zip(y)
        .map(|(row, ya)| {
            let s = row
                .iter()
                .zip(&beta)
                .fold(zero.clone(), |s, (xi, bi)| b.add(&s, &b.mul(xi, bi)));
            b.sub(&s, ya)
        })
        .collect();
    let g = (0..d)
        .map(|i| {
            x.iter()
                .zip(&r)
                .fold(zero.clone(), |s, (row, ra)| b.add(&s, &b.mul(&row[i], ra)))
        })
        .collect();
    (r, g)
}

/// The least 64-bit dyadic ≥ √v (v ≥ 0).
pub fn sqrt_up(v: &Q) -> Q {
    if v.is_zero() {
        return Q::zero();
    }
    let e = v.numer().bits() as i64 - v.denom().bits() as i64;
    let k = LOW as i64 - e.div_euclid(2);
    let scaled = (v * pow2(2 * k)).ceil().to_integer();
    let mut s = scaled.sqrt();
    if &s * &s < scaled {
        s += 1;
    }
    Q::from_integer(s) * pow2(-k)
}

/// The exact binary64 value of a dyadic of at most 53 bits in the normal range.
fn binary64(v: &D) -> Option<f64> {
    let m = v.m.to_i64().filter(|m| m.unsigned_abs() < 1 << 53)?;
    (-1000..=900)
        .contains(&v.e)
        .then(|| m as f64 * 2f64.powi(v.e as i32))
}

/// The enclosure of the iterates at P bits (FORMAT.md §4.10).
pub struct Trajectory<'a> {
    g: &'a Descent,
    p: u64,
    xp: Vec<Vec<J>>,
    yp: Vec<J>,
    cp: J,
    xl: Vec<Vec<J>>,
    yl: Vec<J>,
    /// (4/n)·X_ai·X_bi at 53 bits, a ≤ b (index a·n + b).
    pairs: Vec<Vec<J>>,
    /// ↑53((4/n)·Σ_a X_ai²): the diagonal of M per unit s_i.
    trace: Vec<D>,
    /// p̃_k.
    w: Vec<D>,
    /// ε_k.
    eps: D,
    /// j of the last t_j.
    j: u64,
    /// The last anchor (a, t_a ≥ λ_max M(a)) of [`Trajectory::sharpness_bound`].
    anchor: Option<(Vec<D>, Q)>,
    pub step: u64,
}

impl<'a> Trajectory<'a> {
    /// Step 0: p̃_0 = ↓θ0 at P bits, ε_0 = ↑(Σ_j (θ0_j − p̃_0,j)).
    pub fn new(g: &'a Descent, p: u64) -> Self {
        let (b, l, t) = (Bits(p), Bits(LOW), Bits(MAT));
        let n = g.n();
        let f = int(4) / int(n as i64);
        let enc = |b: &Bits, m: &[Vec<Q>]| -> Vec<Vec<J>> {
            m.iter()
                .map(|r| r.iter().map(|v| b.enc(v.clone())).collect())
                .collect()
        };
        let mut pairs = Vec::new();
        for a in 0..n {
            for c in 0..n {
                pairs.push(if c < a {
                    Vec::new()
                } else {
                    (0..g.d())
                        .map(|i| t.enc(&f * &g.x[a][i] * &g.x[c][i]))
                        .collect()
                });
            }
        }
        let trace = (0..g.d())
            .map(|i| {
                let v: Q = g.x.iter().map(|r| &r[i] * &r[i]).sum();
                D::of(&(&f * v), MAT, true)
            })
            .collect();
        let w: Vec<D> = g.theta0.iter().map(|v| D::of(v, p, false)).collect();
        let gap: Q = g.theta0.iter().zip(&w).map(|(v, w)| v - w.q()).sum();
        Trajectory {
            g,
            p,
            xp: enc(&b, &g.x),
            yp: g.y.iter().map(|v| b.enc(v.clone())).collect(),
            cp: b.enc(int(2) * &g.eta / int(n as i64)),
            xl: enc(&l, &g.x),
            yl: g.y.iter().map(|v| l.enc(v.clone())).collect(),
            pairs,
            trace,
            w,
            eps: D::of(&gap, LOW, true),
            j: 0,
            anchor: None,
            step: 0,
        }
    }

    /// ε_k.
    pub fn radius(&self) -> Q {
        self.eps.q()
    }

    /// The P-bit boxes [p̃_j − ε, p̃_j + ε] at `b`'s bits.
    fn ball(&self, b: &Bits) -> Vec<J> {
        let e = Interval::new(self.eps.neg(), self.eps.clone());
        self.w
            .iter()
            .map(|w| b.add(&Interval::new(w.clone(), w.clone()), &e))
            .collect()
    }

    /// t ≥ λ_max M(s') for every 0 ≤ s' ≤ s (53-bit upper ends; M is Loewner-monotone in s):
    /// 2/η when η·Σ_i tr_i·s_i ≤ 2 (λ_max ≤ trace); else t_a + Σ_i tr_i·|s_i − a_i| at the anchor
    /// (a, t_a) (Weyl: M(s) − M(a) = Σ_i (s_i − a_i)(4/n)X_iX_iᵀ, of norm ≤ Σ tr_i|s_i − a_i|)
    /// while that sum is ≤ (2/η)/DRIFT; else a new anchor a = s with t_a = t_j, the least j ≥ j_prev − 1
    /// that the verified binary64 Cholesky accepts. The result is at least 2/η.
    fn sharpness_bound(&mut self, s: &[D]) -> Result<Q, String> {
        let two = int(2) / &self.g.eta;
        let zero = D::new(BigInt::zero(), 0);
        let tr = s
            .iter()
            .zip(&self.trace)
            .fold(zero.clone(), |a, (s, t)| a.add(&s.mul(t)));
        if &self.g.eta * tr.q() <= int(2) {
            self.j = 0;
            return Ok(two);
        }
        if let Some((a, ta)) = &self.anchor {
            let drift = s
                .iter()
                .zip(a)
                .zip(&self.trace)
                .fold(zero, |acc, ((s, a), t)| {
                    let diff = s.add(&a.neg());
                    let diff = if diff.m.is_negative() {
                        diff.neg()
                    } else {
                        diff
                    };
                    acc.add(&diff.mul(t))
                });
            let drift = drift.q();
            if drift <= &two / int(DRIFT) {
                return Ok((ta + drift).max(two));
            }
        }
        let t = self.cholesky_bound(s, &two)?;
        self.anchor = Some((s.to_vec(), t.clone()));
        Ok(t)
    }

    /// t_j = (2/η)(1 + j/64) ≥ λ_max M(s), the least j ≥ j_prev − 1 that the verified binary64
    /// Cholesky (FORMAT.md §4.6) proves, on H = the 53-bit upper ends of M(s): λ_max M(s) ≤
    /// λ_max H + max_a Σ_b (hi − lo)_ab.
    fn cholesky_bound(&mut self, s: &[D], two: &Q) -> Result<Q, String> {
        let (n, b) = (self.g.n(), Bits(MAT));
        let mut h = vec![vec![0.0; n]; n];
        let mut widths = vec![Q::zero(); n];
        for a in 0..n {
            for c in a..n {
                let m =
                    self.pairs[a * n + c]
                        .iter()
                        .zip(s)
                        .fold(b.enc(Q::zero()), |acc, (pc, si)| {
                            let si = Interval::new(si.clone(), si.clone());
                            b.add(&acc, &b.mul(pc, &si))
                        });
                let v = binary64(&m.hi).ok_or("an entry of M is outside binary64's range")?;
                (h[a][c], h[c][a]) = (v, v);
                let wd = m.hi.q() - m.lo.q();
                widths[a] += &wd;
                if c != a {
                    widths[c] += wd;
                }
            }
        }
        let wsum = widths.into_iter().max().unwrap_or_default();
        let zeros = vec![0.0; n];
        let mut j = self.j.saturating_sub(1);
        loop {
            let t = two * (Q::one() + Q::new(j.into(), 64.into()));
            if psd_by_cholesky(&h, &(&t - &wsum), 0.0, &zeros).is_ok() {
                self.j = j;
                return Ok(t);
            }
            j += 1;
            if j > MAX_J {
                return Err(format!(
                    "λ_max of M over the ball exceeds 65·(2/η) at step {}",
                    self.step
                ));
            }
        }
    }

    /// One step (FORMAT.md §4.10): the reference, the defect, the ball's Λ, the radius.
    pub fn step(&mut self) -> Result<(), String> {
        let (b, l, g) = (Bits(self.p), Bits(LOW), self.g);
        let d = g.d();
        // The reference step from the point p̃_k.
        let pt: Vec<J> = self
            .w
            .iter()
            .map(|w| Interval::new(w.clone(), w.clone()))
            .collect();
        let sq: Vec<J> = pt.iter().map(|v| b.mul(v, v)).collect();
        let (_, gr) = residual(&b, &self.xp, &self.yp, &sq, g.two);
        let one = b.enc(Q::one());
        let mut defect = D::new(BigInt::zero(), 0);
        for (j, v) in pt.iter().enumerate() {
            let cg = b.mul(&self.cp, &gr[j % d]);
            let f = if j < d {
                b.sub(&one, &cg)
            } else {
                b.add(&one, &cg)
            };
            let next = b.mul(v, &f);
            defect = defect.add(&next.hi.add(&next.lo.neg()));
            self.w[j] = next.lo;
        }
        // The ball B(p̃_k, ε_k): G ≥ max|g|, s_i upper ends, t, Λ.
        let ball = self.ball(&l);
        let sq: Vec<J> = ball.iter().map(|v| square(&l, v)).collect();
        let (_, gl) = residual(&l, &self.xl, &self.yl, &sq, g.two);
        let big = gl
            .iter()
            .flat_map(|v| [v.lo.clone(), v.hi.clone()])
            .map(|v| if v.m.is_negative() { v.neg() } else { v })
            .fold(
                D::new(BigInt::zero(), 0),
                |m, v| if m.less(&v) { v } else { m },
            )
            .q();
        let s: Vec<D> = (0..d)
            .map(|i| {
                let v = if g.two {
                    sq[i].hi.add(&sq[i + d].hi)
                } else {
                    sq[i].hi.clone()
                };
                v.round(MAT, true)
            })
            .collect();
        let t = self.sharpness_bound(&s)?;
        let c = int(2) * &g.eta / int(g.n() as i64);
        let lambda = D::of(&(&g.eta * &t - Q::one() + c * big), LOW, true);
        self.eps = lambda.mul(&self.eps).add(&defect).round(LOW, true);
        self.step += 1;
        if self.eps.huge() || self.w.iter().any(D::huge) {
            return Err(format!(
                "the enclosure left [−2^1024, 2^1024] at step {} (divergence)",
                self.step
            ));
        }
        Ok(())
    }

    /// The squares of the parameters over the P-bit ball at step k, and ρ = ↑√(Σ_a max|R_a|²)
    /// at 64 bits, R the P-bit box of r_k = Xβ_k − y computed from them.
    fn residual_box(&self) -> (Vec<J>, Q) {
        let b = Bits(self.p);
        let sq: Vec<J> = self.ball(&b).iter().map(|v| square(&b, v)).collect();
        let (r, _) = residual(&b, &self.xp, &self.yp, &sq, self.g.two);
        let mag = |v: &J| v.lo.q().abs().max(v.hi.q().abs());
        (sq, sqrt_up(&r.iter().map(|v| mag(v).pow(2)).sum()))
    }

    /// ρ ≥ ‖r_k‖ (see [`Trajectory::tail`]).
    pub fn rho(&self) -> Q {
        self.residual_box().1
    }

    /// The tail theorem's box at step K with ratio q (FORMAT.md §4.10, "Tail"), before ℓ and u.
    pub fn tail(&self, q: &Q) -> Result<Tail, String> {
        let g = self.g;
        let (n, d) = (g.n(), g.d());
        let (sq, rho) = self.residual_box();
        if q.is_negative() || *q >= Q::one() {
            return Err(format!("q = {} is not in [0, 1)", short(q)));
        }
        let cn = int(2) * &g.eta / int(n as i64);
        let gamma: Vec<Q> = (0..d)
            .map(|i| sqrt_up(&g.x.iter().map(|r| &r[i] * &r[i]).sum()))
            .collect();
        let c = &cn * gamma.iter().max().cloned().unwrap_or_default() * &rho;
        if c >= Q::one() {
            return Err(format!("c = (2η/n)·max γ·ρ = {} is not < 1", short(&c)));
        }
        let mut m = Vec::with_capacity(d);
        for (i, gi) in gamma.iter().enumerate() {
            let two_delta = int(2) * &cn * gi * &rho / ((Q::one() - q) * (Q::one() - &c));
            if two_delta >= Q::one() {
                return Err(format!("2δ_{i} = {} is not < 1", short(&two_delta)));
            }
            m.push(Q::one() - two_delta);
        }
        let boxes: Vec<Interval> = sq
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let f = &m[j % d];
                Interval::new(
                    round(&(v.lo.q() * f), self.p, false),
                    round(&(v.hi.q() / f), self.p, true),
                )
            })
            .collect();
        let (lo, hi) = (Q::one() - &c * half(), Q::one() + &c * half());
        let (mut beta, mut s, mut d_lo, mut d_hi) = (vec![], vec![], vec![], vec![]);
        for i in 0..d {
            let (bi, si) = if g.two {
                let (u, v) = (&boxes[i], &boxes[i + d]);
                let bi = Interval::new(&u.lo - &v.hi, &u.hi - &v.lo);
                (bi, u.add(v))
            } else {
                (boxes[i].clone(), boxes[i].clone())
            };
            let sk = if g.two {
                (
                    &sq[i].lo.q() + sq[i + d].lo.q(),
                    sq[i].hi.q() + sq[i + d].hi.q(),
                )
            } else {
                (sq[i].lo.q(), sq[i].hi.q())
            };
            d_lo.push(round(&(sk.0 * &m[i] * &lo), LOW, false));
            d_hi.push(round(&(sk.1 * &hi / &m[i]), LOW, true));
            beta.push(bi);
            s.push(si);
        }
        let norm = Interval::new(
            s.iter().map(|v| &v.lo).sum::<Q>() / &g.kappa,
            s.iter().map(|v| &v.hi).sum::<Q>() / &g.kappa,
        );
        Ok(Tail {
            rho,
            beta,
            norm,
            s_lo: s.iter().map(|v| round(&v.lo, LOW, false)).collect(),
            s_hi: s.iter().map(|v| round(&v.hi, LOW, true)).collect(),
            d_lo,
            d_hi,
        })
    }
}

/// The tail theorem's box: ρ ≥ ‖r_K‖, β∞ ∈ beta, N ∈ norm, and the 64-bit ends of s∞ and of D.
pub struct Tail {
    pub rho: Q,
    pub beta: Vec<Interval>,
    pub norm: Interval,
    pub s_lo: Vec<Q>,
    pub s_hi: Vec<Q>,
    pub d_lo: Vec<Q>,
    pub d_hi: Vec<Q>,
}

impl Tail {
    /// 0 < ℓ, u < 2/η, q ≥ max(|1 − ηℓ|, |ηu − 1|), ℓI ⪯ M(D_lo), M(D_hi) ⪯ uI.
    pub fn contraction(&self, g: &Descent, q: &Q, ell: &Q, u: &Q) -> Result<(), String> {
        let eta = &g.eta;
        let need = (Q::one() - eta * ell).abs().max((eta * u - Q::one()).abs());
        if !ell.is_positive() || *u >= int(2) / eta || *q < need {
            return Err(format!(
                "needs ℓ > 0, u < 2/η and q ≥ max(|1 − ηℓ|, |ηu − 1|) = {}",
                short(&need)
            ));
        }
        if !is_psd(&shift(&g.matrix(&self.d_lo), ell)) {
            return Err("ℓI ⪯ (4/n)X D_lo Xᵀ fails (exact LDLᵀ)".into());
        }
        if !is_psd(&g.gap(&self.d_hi, u)) {
            return Err("(4/n)X D_hi Xᵀ ⪯ uI fails (exact LDLᵀ)".into());
        }
        // Pinned within 2^-16: a looser ℓ or u is a weaker claim of another text.
        let (up, down) = (Q::one() + pow2(-16), Q::one() - pow2(-16));
        if is_psd(&shift(&g.matrix(&self.d_lo), &(ell * up)))
            || is_psd(&g.gap(&self.d_hi, &(u * down)))
        {
            return Err("ℓ or u is not within 2^-16 of its eigenvalue (pinned)".into());
        }
        Ok(())
    }

    /// S(θ∞) ∈ [lo, hi]: hi/κ ≥ λ_max M(s_hi) and lo/κ ≤ λ_max M(s_lo) (Loewner, exact LDLᵀ).
    pub fn sharpness(&self, g: &Descent, lo: &Q, hi: &Q) -> Result<(), String> {
        if !is_psd(&g.gap(&self.s_hi, &(hi / &g.kappa))) {
            return Err(format!("S ≤ {} is not certified", short(hi)));
        }
        if is_pd(&g.gap(&self.s_lo, &(lo / &g.kappa))) {
            return Err(format!("S ≥ {} is not certified", short(lo)));
        }
        Ok(())
    }
}

/// `gd-limit` for an instance with `X` (FORMAT.md §4.10).
pub(crate) fn gd_limit(c: &Claim) -> Checked {
    let (inst, t) = (c.instance()?, &c.t);
    let eta = t.q("lr")?;
    ensure(eta.is_positive(), || "lr must be > 0".into())?;
    let g = Descent::new(inst, &eta).map_err(Fail::Reject)?;
    let (k, p) = run_size(t)?;
    let mut tr = Trajectory::new(&g, p);
    for _ in 0..k {
        tr.step().map_err(Fail::Reject)?;
    }
    let q = t.q("q")?;
    let tail = tr.tail(&q).map_err(Fail::Reject)?;
    let claimed = t.q("rho")?;
    ensure(claimed == tail.rho, || {
        format!(
            "rho is {}, the kernel computes {}",
            short(&claimed),
            short(&tail.rho)
        )
    })?;
    tail.contraction(&g, &q, &t.q("ell")?, &t.q("u")?)
        .map_err(Fail::Reject)?;
    let list = t.list("beta")?;
    ensure(list.len() == tail.beta.len(), || {
        format!("beta needs {} entries", tail.beta.len())
    })?;
    for (i, tree) in list.iter().enumerate() {
        pinned(
            t,
            tree,
            &format!("{}[{i}]", t.path("beta")),
            &tail.beta[i],
            p,
        )?;
    }
    pinned(t, t.req("norm")?, &t.path("norm"), &tail.norm, p)?;
    let s = t.child("sharpness", &["lo", "hi"])?;
    let (lo, hi) = (s.q("lo")?, s.q("hi")?);
    ensure(lo <= hi, || "sharpness has lo > hi".into())?;
    tail.sharpness(&g, &lo, &hi).map_err(Fail::Reject)?;
    let two = int(2) / &eta;
    let margin = Interval::new(&two - &hi, &two - &lo);
    pinned(t, t.req("eos_margin")?, &t.path("eos_margin"), &margin, p)?;
    Ok(format!(
        "GD at η = {} converges (n = {}); S(θ∞) ∈ [{}, {}], 2/η − S ≥ {}",
        short(&eta),
        inst.x.len(),
        approx(&lo, false),
        approx(&hi, true),
        approx(&margin.lo, false)
    ))
}
