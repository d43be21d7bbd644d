//! The gradient-flow limit in closed form (SPEC §5.2): `gf-limit`.
//!
//! Trusted mathematics (FORMAT.md §4.9; proof in docs/flow.md). Models `shared`, `pm`, `uv`,
//! any n, start θ₀ from `init`. Per coordinate the flow keeps the form u_i² = a_i·e^{z_i},
//! v_i² = b_i·e^{−z_i} with z = Xᵀν(t): `shared` a = w₀², b = 0; `pm` a = u₀², b = v₀²; `uv`
//! a = ((u₀ + v₀)/2)², b = ((u₀ − v₀)/2)² (p = (u + v)/2, q = (u − v)/2 follow the `pm` flow at
//! half the rate). So β(ν) = a⊙e^{Xᵀν} − b⊙e^{−Xᵀν} and ν' = −κ·F(ν), κ > 0, with
//! F(ν) = X·β(ν) − y = ∇Φ(ν), Φ(ν) = Σ_i (a_i e^{z_i} + b_i e^{−z_i}) − yᵀν convex, and
//! J(ν) = ∂F/∂ν = X·diag(D(ν))·Xᵀ with D = a⊙e^{z} + b⊙e^{−z} > 0.
//!
//! Krawczyk: if K = ν̃ − C·F(ν̃) + (I − C·J(V))·(V − ν̃) ⊆ int V, with J(V) an interval matrix
//! holding J(ν) for every ν ∈ V, then F has exactly one root ν* in V and J(ν*) is nonsingular,
//! so X has full row rank, Φ is strictly convex with minimiser ν*, and the flow ν(t) converges to
//! ν*: the gradient flow from θ₀ converges to β∞ = β(ν*), a zero-loss point. The kernel encloses
//! every quantity with rational intervals rounded outward to P bits ([`out`]) and e^t by
//! [`exp`]; each claimed box must contain the kernel's enclosure. At the limit N = c_N·ΣD_i and
//! S = (c_S/n)·λ_max(X diag(D) Xᵀ) (c_N = 1, c_S = 4; `uv`: c_N = 2, c_S = 2), and for D in the
//! claimed box [lo, hi] the Loewner order gives A(lo) ⪯ A(D) ⪯ A(hi), A(D) = (c_S/n)·X diag(D) Xᵀ.

use crate::instance::{Init, Instance, Model};
use crate::interval::Interval;
use crate::linalg::is_psd;
use crate::number::{Q, int, round, short as fmt_q};
use crate::tree::{Table, Tree};
use crate::{Checked, Claim, Fail, ensure};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

pub const KEYS: &[&str] = &[
    "bits",
    "nu",
    "c",
    "box",
    "beta",
    "diag",
    "norm",
    "sharpness",
];
/// Largest accepted `bits`.
pub const MAX_BITS: u64 = 4096;
/// Largest accepted |(Xᵀν)_i| over the box: e^t is then computed after at most 14 halvings.
pub const MAX_EXPONENT: i64 = 4096;

type I = Interval;
/// The weights (a_i, b_i) of one coordinate: u_i² = a_i·e^{z_i}, v_i² = b_i·e^{−z_i}.
type Weights = (Q, Q);

/// [↓lo, ↑hi] at P bits.
fn out(lo: Q, hi: Q, p: u64) -> I {
    Interval::new(round(&lo, p, false), round(&hi, p, true))
}

/// e^t ∈ [lo, hi] at P bits. For t > 0: s = t/2^m ≤ 1/2 and, in integers of unit 2^−w
/// (w = P + m + 16), ⌊s⌋ ≤ s ≤ ⌈s⌉ and the terms s^j/j! from the last, rounded down (lower sum)
/// and up (upper sum), until the upper term is ≤ 1; the tail Σ_{k≥j} s^k/k! ≤ 2·s^j/j! is added
/// to the upper sum; then m squarings, rounded down and up. e^{−t} = [1/hi, 1/lo].
pub fn exp(t: &Q, p: u64) -> I {
    if t.is_negative() {
        let e = exp(&-t, p);
        return out(e.hi.recip(), e.lo.recip(), p);
    }
    let half = Q::new(1.into(), 2.into());
    let (mut s, mut m) = (t.clone(), 0u64);
    while s > half {
        s /= int(2);
        m += 1;
    }
    let w = (p + m + 16) as usize;
    let one = BigInt::one() << w;
    let scaled = s * Q::from_integer(one.clone());
    let (s_lo, s_hi) = (scaled.floor().to_integer(), scaled.ceil().to_integer());
    let (mut lo, mut hi) = (one.clone(), one.clone());
    let (mut term_lo, mut term_hi) = (one.clone(), one.clone());
    for j in 1..=w {
        let k = BigInt::from(j) << w;
        term_lo = (&term_lo * &s_lo).div_floor(&k);
        term_hi = (&term_hi * &s_hi).div_ceil(&k);
        if term_hi <= BigInt::one() {
            break;
        }
        lo += &term_lo;
        hi += &term_hi;
    }
    hi += BigInt::from(2) * term_hi;
    for _ in 0..m {
        lo = (&lo * &lo) >> w;
        hi = (&hi * &hi).div_ceil(&one);
    }
    out(Q::new(lo, one.clone()), Q::new(hi, one), p)
}

/// The weights (a_i, b_i) of the closed form (as pairs) and (c_N, c_S), from the model and θ₀.
fn weights(inst: &Instance) -> Result<(Vec<Weights>, Q, Q), Fail> {
    let d = inst.dim();
    let theta = match &inst.init {
        Some(Init::Alpha(a)) => vec![a.clone(); d * inst.model.block()],
        Some(Init::Theta(t)) => t.clone(),
        None => return Err(Fail::Reject("gf-limit needs `init` (θ₀)".into())),
    };
    let half = Q::new(1.into(), 2.into());
    let w = |i: usize| -> (Q, Q) {
        match inst.model {
            Model::Uv => {
                let (p, q) = (
                    (&theta[i] + &theta[d + i]) * &half,
                    (&theta[i] - &theta[d + i]) * &half,
                );
                (&p * &p, &q * &q)
            }
            Model::Pm => (&theta[i] * &theta[i], &theta[d + i] * &theta[d + i]),
            _ => (&theta[i] * &theta[i], Q::zero()),
        }
    };
    let ab = (0..d).map(w).collect();
    match inst.model {
        Model::Shared | Model::Pm => Ok((ab, int(1), int(4))),
        Model::Uv => Ok((ab, int(2), int(2))),
        Model::SharedDepth(_) => Err(Fail::Reject(
            "gf-limit is proved for models shared, pm and uv (SPEC §5.2)".into(),
        )),
    }
}

/// The boxes of β and D over V, after checking the Krawczyk inclusion K ⊆ int V.
fn krawczyk(
    inst: &Instance,
    ab: &[Weights],
    nu: &[Q],
    c: &[Vec<Q>],
    v: &[I],
    p: u64,
) -> Result<(Vec<I>, Vec<I>), Fail> {
    let (x, n, d) = (&inst.x, inst.x.len(), inst.dim());
    let limit = int(MAX_EXPONENT);
    for j in 0..n {
        ensure(v[j].lo <= nu[j] && nu[j] <= v[j].hi, || {
            format!("nu[{j}] is not in box[{j}]")
        })?;
    }
    let (mut beta_t, mut beta_v, mut diag_v) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (a, b)) in ab.iter().enumerate() {
        let zt: Q = (0..n).map(|j| &x[j][i] * &nu[j]).sum();
        let zv: I = (0..n).map(|j| v[j].scale(&x[j][i])).sum();
        ensure(zv.lo.abs() <= limit && zv.hi.abs() <= limit, || {
            format!("(Xᵀν)_{i} over the box leaves [−{MAX_EXPONENT}, {MAX_EXPONENT}]")
        })?;
        let (et, elo, ehi) = (exp(&zt, p), exp(&zv.lo, p), exp(&zv.hi, p));
        // a·e^z − b·e^{−z} increases with z; a·e^z + b·e^{−z} is enclosed term by term.
        beta_t.push(out(a * &et.lo - b / &et.lo, a * &et.hi - b / &et.hi, p));
        beta_v.push(out(a * &elo.lo - b / &elo.lo, a * &ehi.hi - b / &ehi.hi, p));
        diag_v.push(out(a * &elo.lo + b / &ehi.hi, a * &ehi.hi + b / &elo.lo, p));
    }
    let sum = |f: &dyn Fn(usize) -> I, len: usize| {
        let s: I = (0..len).map(f).sum();
        out(s.lo, s.hi, p)
    };
    let f: Vec<I> = (0..n)
        .map(|j| sum(&|i| beta_t[i].scale(&x[j][i]), d).shift(&-&inst.y[j]))
        .collect();
    let mut jac = vec![vec![Interval::new(Q::zero(), Q::zero()); n]; n];
    for j in 0..n {
        for k in j..n {
            jac[j][k] = sum(&|i| diag_v[i].scale(&(&x[j][i] * &x[k][i])), d);
            jac[k][j] = jac[j][k].clone();
        }
    }
    for j in 0..n {
        let cf = sum(&|k| f[k].scale(&c[j][k]), n);
        let mut kj = Interval::new(&nu[j] - &cf.hi, &nu[j] - &cf.lo);
        for k in 0..n {
            let cj = sum(&|l| jac[l][k].scale(&c[j][l]), n);
            let id = if j == k { Q::one() } else { Q::zero() };
            let m = Interval::new(&id - &cj.hi, &id - &cj.lo);
            kj = kj.add(&m.mul(&v[k].shift(&-&nu[k])));
        }
        ensure(v[j].lo < kj.lo && kj.hi < v[j].hi, || {
            format!(
                "Krawczyk: K_{j} = [{}, {}] is not inside the open box ({}, {})",
                fmt_q(&kj.lo),
                fmt_q(&kj.hi),
                fmt_q(&v[j].lo),
                fmt_q(&v[j].hi)
            )
        })?;
    }
    Ok((beta_v, diag_v))
}

/// The list `key` of `len` tables {lo, hi}.
fn boxes(t: &Table, key: &str, len: usize) -> Result<Vec<I>, Fail> {
    let list = t.list(key)?;
    ensure(list.len() == len, || format!("{key} needs {len} entries"))?;
    list.iter()
        .enumerate()
        .map(|(i, tree)| enclosure(t, tree, &format!("{}[{i}]", t.path(key))))
        .collect()
}

fn enclosure(t: &Table, tree: &Tree, at: &str) -> Result<I, Fail> {
    let e = t.nested(tree, at, &["lo", "hi"])?;
    Ok(Interval::new(e.q("lo")?, e.q("hi")?))
}

/// The claimed box `got` at `at` contains the kernel's `want`.
fn contains(at: &str, got: &I, want: &I) -> Result<(), Fail> {
    ensure(got.lo <= want.lo && want.hi <= got.hi, || {
        format!(
            "{at} = [{}, {}] does not contain the kernel's [{}, {}]",
            fmt_q(&got.lo),
            fmt_q(&got.hi),
            fmt_q(&want.lo),
            fmt_q(&want.hi)
        )
    })
}

/// s·I − (c_S/n)·X diag(D) Xᵀ.
fn shifted(inst: &Instance, diag: &[Q], c_s: &Q, s: &Q) -> Vec<Vec<Q>> {
    let (x, n) = (&inst.x, inst.x.len());
    let f = c_s / int(n as i64);
    let mut m = vec![vec![Q::zero(); n]; n];
    for j in 0..n {
        for k in j..n {
            let a: Q = (0..diag.len())
                .map(|i| &x[j][i] * &x[k][i] * &diag[i])
                .sum();
            let id = if j == k { s.clone() } else { Q::zero() };
            m[j][k] = id - &f * a;
            m[k][j] = m[j][k].clone();
        }
    }
    m
}

/// `gf-limit`: gradient flow from θ₀ converges to a zero-loss β∞ in the claimed box, with N and
/// S (of the Hessian at the limit) in theirs.
pub(crate) fn gf_limit(c: &Claim) -> Checked {
    let inst = c.instance()?;
    let t = &c.t;
    let (ab, c_n, c_s) = weights(inst)?;
    let (n, d, p) = (inst.x.len(), inst.dim(), t.uint("bits")?);
    if !(2..=MAX_BITS).contains(&p) {
        return Err(Fail::Malformed(
            t.err("bits", format!("need 2 ≤ bits ≤ {MAX_BITS}")),
        ));
    }
    let nu = t.qs("nu")?;
    let cm = t.matrix("c")?;
    ensure(
        nu.len() == n && cm.len() == n && cm.iter().all(|r| r.len() == n),
        || format!("nu needs {n} entries and c {n} × {n}"),
    )?;
    let v = boxes(t, "box", n)?;
    let (beta, diag) = krawczyk(inst, &ab, &nu, &cm, &v, p)?;
    let (got_beta, got_diag) = (boxes(t, "beta", d)?, boxes(t, "diag", d)?);
    for i in 0..d {
        contains(&format!("beta[{i}]"), &got_beta[i], &beta[i])?;
        contains(&format!("diag[{i}]"), &got_diag[i], &diag[i])?;
    }
    let lo: Vec<Q> = got_diag.iter().map(|b| b.lo.clone()).collect();
    let hi: Vec<Q> = got_diag.iter().map(|b| b.hi.clone()).collect();
    let norm = Interval::new(&c_n * lo.iter().sum::<Q>(), &c_n * hi.iter().sum::<Q>());
    contains("norm", &enclosure(t, t.req("norm")?, "norm")?, &norm)?;
    let s = enclosure(t, t.req("sharpness")?, "sharpness")?;
    ensure(is_psd(&shifted(inst, &hi, &c_s, &s.hi)), || {
        "sharpness.hi·I − A(diag.hi) is not PSD".into()
    })?;
    ensure(!is_psd(&shifted(inst, &lo, &c_s, &s.lo)), || {
        "sharpness.lo·I − A(diag.lo) is PSD, so λ_max(A(diag.lo)) > lo is not shown".into()
    })?;
    Ok(format!(
        "gradient flow converges; N(β∞) ∈ [{}, {}], S(β∞) ∈ [{}, {}]",
        fmt_q(&round(&norm.lo, 40, false)),
        fmt_q(&round(&norm.hi, 40, true)),
        fmt_q(&round(&s.lo, 40, false)),
        fmt_q(&round(&s.hi, 40, true))
    ))
}

#[cfg(test)]
mod tests {
    //! The exp enclosure against e's known digits and its own laws (e^a·e^b ∋ e^{a+b}).
    use super::*;
    use crate::number::pow2;
    use proptest::prelude::*;

    #[test]
    fn exp_one_encloses_e() {
        // e = 2.718281828459045235360287471352662497757...
        let Interval { lo, hi } = exp(&int(1), 128);
        let e_lo = Q::new(
            2718281828459045235360287471352u128.into(),
            10u128.pow(30).into(),
        );
        let e_hi = &e_lo + Q::new(1.into(), 10u128.pow(30).into());
        assert!(lo <= e_hi && e_lo <= hi && lo < hi);
        assert!(&hi - &lo < pow2(-120));
    }

    proptest! {
        #[test]
        fn exp_is_multiplicative(a in -4000i64..4000, b in -4000i64..4000, p in 8u64..200) {
            let (s, t) = (Q::new(a.into(), 37.into()), Q::new(b.into(), 53.into()));
            let (u, v, w) = (exp(&s, p), exp(&t, p), exp(&(&s + &t), p));
            let prod = u.mul(&v);
            prop_assert!(prod.lo <= w.hi && w.lo <= prod.hi);
            prop_assert!(w.lo <= w.hi);
        }
    }
}
