//! Kernel check of certified eigenvalue enclosures (SPEC §6), claim kind `lambda-max`.
//!
//! Trusted mathematics, for a rational symmetric H and rationals lo ≤ hi:
//! - `lower = "witness"`: for v ≠ 0, vᵀ(H − lo·I)v ≥ 0 gives λ_max ≥ vᵀHv/vᵀv ≥ lo (Rayleigh).
//! - `lower = "inertia"`: an LDLᵀ of H − lo·I with all pivots decided and one positive has a
//!   positive eigenvalue (Sylvester), so λ_max > lo.
//! - `upper = "definite"`: hi·I − H ⪰ 0 (exact LDLᵀ, no negative pivot) gives λ_max ≤ hi.
//! - `upper = "kato-temple"`: if H − μ·I has exactly one positive pivot (all decided, none zero),
//!   exactly one eigenvalue exceeds μ; for v ≠ 0 with ρ = vᵀHv/vᵀv > μ and
//!   ε² = ‖Hv‖²/vᵀv − ρ², every eigenvalue λ_i is λ_max or ≤ μ, so
//!   0 ≤ vᵀ(H − λ_max)(H − μ)v / vᵀv = ε² + (ρ − λ_max)(ρ − μ), i.e. λ_max ≤ ρ + ε²/(ρ − μ) ≤ hi.
//!
//! Every number is pinned: `hi_minus_lo`, `witness_norm2` (vᵀv), `witness_value`, `rayleigh`,
//! `residual` and `upper_slack` are recomputed and compared for equality.

use super::{ensure, Checked, Claim, Fail};
use crate::ldl;
use crate::rational::{fmt_q, Q};
use num_traits::{Signed, Zero};

fn matvec(h: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    h.iter().map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum()).collect()
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// H − σ·I.
fn shift(h: &[Vec<Q>], sigma: &Q) -> Vec<Vec<Q>> {
    h.iter().enumerate().map(|(i, row)| row.iter().enumerate().map(|(j, a)| if i == j { a - sigma } else { a.clone() }).collect()).collect()
}

fn text(c: &Claim, key: &str) -> Result<String, Fail> {
    Ok(c.fields.str(c.raw(key)?, &format!("{}.{key}", c.at))?.to_string())
}

/// The matrix of a `lambda-max` claim, checked square and symmetric.
fn matrix(c: &Claim) -> Result<Vec<Vec<Q>>, Fail> {
    let h = c.matrix("matrix")?;
    let n = h.len();
    ensure(n > 0 && h.iter().all(|r| r.len() == n), || "matrix must be square and non-empty".into())?;
    ensure(ldl::is_symmetric(&h), || "matrix is not symmetric".into())?;
    Ok(h)
}

/// `lambda-max`: λ_max(matrix) ∈ [lo, hi].
pub(super) fn lambda_max(c: &Claim) -> Checked {
    let h = matrix(c)?;
    let (lo, hi, how) = enclosure(c, &h)?;
    let n = h.len();
    Ok(format!("λ_max of the {n}×{n} matrix in [{}, {}] ({how})", fmt_q(&lo), fmt_q(&hi)))
}

/// Checks the enclosure fields of claim `c` (`lo`, `hi`, `hi_minus_lo`, `lower`, `upper` and
/// their certificates) for the symmetric matrix `h`; returns (lo, hi, how it was certified).
pub(super) fn enclosure(c: &Claim, h: &[Vec<Q>]) -> Result<(Q, Q, String), Fail> {
    let n = h.len();
    let lo = c.q("lo")?;
    let hi = c.q("hi")?;
    let gap = c.q("hi_minus_lo")?;
    ensure(&hi - &lo == gap, || format!("hi − lo = {} ≠ hi_minus_lo {}", fmt_q(&(&hi - &lo)), fmt_q(&gap)))?;
    ensure(!gap.is_negative(), || "hi < lo".into())?;
    let lower = text(c, "lower")?;
    let upper = text(c, "upper")?;
    // The witness vector, when a route uses it: ρ, ε² pinned.
    let witness = if lower == "witness" || upper == "kato-temple" {
        let v = c.qs("v")?;
        ensure(v.len() == n, || format!("v has {} entries, the matrix is {n} × {n}", v.len()))?;
        let s = dot(&v, &v);
        ensure(!s.is_zero(), || "v is the zero vector".into())?;
        let w = matvec(h, &v);
        let rho = dot(&v, &w) / &s;
        let eps2 = dot(&w, &w) / &s - &rho * &rho;
        Some((v, s, rho, eps2))
    } else {
        None
    };
    let lower_how = match (lower.as_str(), &witness) {
        ("witness", Some((_, s, rho, _))) => {
            let norm2 = c.q("witness_norm2")?;
            ensure(&norm2 == s, || format!("witness_norm2 {} ≠ vᵀv = {}", fmt_q(&norm2), fmt_q(s)))?;
            let value = c.q("witness_value")?;
            let exact = (rho - &lo) * s;
            ensure(value == exact, || format!("witness_value {} ≠ vᵀ(H − lo·I)v = {}", fmt_q(&value), fmt_q(&exact)))?;
            ensure(!value.is_negative(), || format!("vᵀ(H − lo·I)v = {} < 0", fmt_q(&value)))?;
            "Rayleigh witness"
        }
        ("inertia", _) => {
            let inertia = ldl::inertia_integer(&shift(h, &lo));
            ensure(matches!(inertia, Some((_, _, p)) if p > 0), || format!("H − lo·I has no certified positive pivot (inertia {inertia:?})"))?;
            "LDLᵀ inertia"
        }
        (other, _) => return Err(Fail::Malformed(c.fields.err(&format!("{}.lower", c.at), format!("unknown lower-bound route `{other}` (expected witness or inertia)")))),
    };
    let upper_how = match (upper.as_str(), &witness) {
        ("definite", _) => {
            let m: Vec<Vec<Q>> = shift(h, &hi).into_iter().map(|r| r.into_iter().map(|x| -x).collect()).collect();
            let inertia = ldl::inertia_integer(&m);
            ensure(matches!(inertia, Some((0, _, _))), || format!("hi·I − H is not PSD by LDLᵀ (inertia {inertia:?})"))?;
            "hi·I − H ⪰ 0 by LDLᵀ"
        }
        ("kato-temple", Some((_, _, rho, eps2))) => {
            let mu = c.q("mu")?;
            let rayleigh = c.q("rayleigh")?;
            let residual = c.q("residual")?;
            let slack = c.q("upper_slack")?;
            ensure(&rayleigh == rho, || format!("rayleigh {} ≠ vᵀHv/vᵀv = {}", fmt_q(&rayleigh), fmt_q(rho)))?;
            ensure(&residual == eps2, || format!("residual {} ≠ ‖Hv‖²/vᵀv − ρ² = {}", fmt_q(&residual), fmt_q(eps2)))?;
            ensure(rho > &mu, || format!("ρ = {} is not above μ = {}", fmt_q(rho), fmt_q(&mu)))?;
            let inertia = ldl::inertia_integer(&shift(h, &mu));
            ensure(matches!(inertia, Some((_, 0, 1))), || format!("H − μ·I must have exactly one positive and no zero pivot, inertia {inertia:?}"))?;
            let exact = &hi - rho - eps2 / (rho - &mu);
            ensure(slack == exact, || format!("upper_slack {} ≠ hi − ρ − ε²/(ρ − μ) = {}", fmt_q(&slack), fmt_q(&exact)))?;
            ensure(!slack.is_negative(), || "hi is below the Kato–Temple bound".into())?;
            "Kato–Temple with one eigenvalue above μ"
        }
        (other, _) => return Err(Fail::Malformed(c.fields.err(&format!("{}.upper", c.at), format!("unknown upper-bound route `{other}` (expected definite or kato-temple)")))),
    };
    Ok((lo, hi, format!("{lower_how}; {upper_how}")))
}

/// Σ_i a_i²/(t − D_i) with each term rounded to a multiple of 2^−p, up or down (t > max D).
fn secular_sum(diag: &[Q], a: &[Q], t: &Q, p: u64, up: bool) -> Q {
    let scale = Q::from_integer(num_bigint::BigInt::from(1) << p as usize);
    let mut total = Q::zero();
    for (d, ai) in diag.iter().zip(a) {
        let term = ai * ai * &scale / (t - d);
        total += if up { term.ceil() } else { term.floor() };
    }
    total / scale
}

/// `lambda-max-rank-one`: λ_max(diag(D) + c·aaᵀ) ∈ [lo, hi] for c > 0.
///
/// For t > max D the matrix tI − D is positive definite, and by its Schur complement
/// tI − H ⪰ 0 iff c·aᵀ(tI − D)⁻¹a ≤ 1. So c·(upper sum at hi) ≤ 1 with hi > max D gives
/// λ_max ≤ hi; c·(lower sum at lo) > 1 with lo > max D gives λ_max > lo; and lo ≤ max D gives
/// λ_max ≥ max D ≥ lo because H ⪰ diag(D). The sums round each term a_i²/(t − D_i) outward to a
/// multiple of 2^−bits and are pinned.
pub(super) fn lambda_max_rank_one(c: &Claim) -> Checked {
    let diag = c.qs("diag")?;
    let a = c.qs("a")?;
    let coef = c.q("c")?;
    ensure(diag.len() == a.len() && !diag.is_empty(), || format!("diag has {} entries, a has {}", diag.len(), a.len()))?;
    ensure(coef.is_positive(), || "c must be positive".into())?;
    let lo = c.q("lo")?;
    let hi = c.q("hi")?;
    let gap = c.q("hi_minus_lo")?;
    ensure(&hi - &lo == gap && !gap.is_negative(), || format!("hi_minus_lo {} ≠ hi − lo or negative", fmt_q(&gap)))?;
    let bits = c.uint("bits")?;
    ensure(bits <= 4096, || "bits must be at most 4096".into())?;
    let max_d = diag.iter().max().cloned().unwrap_or_else(Q::zero);
    ensure(hi > max_d, || "hi must exceed max D".into())?;
    let upper = secular_sum(&diag, &a, &hi, bits, true);
    let claimed = c.q("upper_sum")?;
    ensure(claimed == upper, || format!("upper_sum {} ≠ the outward-rounded sum {}", fmt_q(&claimed), fmt_q(&upper)))?;
    ensure(&coef * &upper <= Q::from_integer(1.into()), || "c·Σ a_i²/(hi − D_i) > 1: hi is below λ_max".into())?;
    let how = if lo <= max_d {
        ensure(c.value.get("lower_sum").is_none(), || "lower_sum is only given when lo > max D".into())?;
        "lo ≤ max D"
    } else {
        let lower = secular_sum(&diag, &a, &lo, bits, false);
        let claimed = c.q("lower_sum")?;
        ensure(claimed == lower, || format!("lower_sum {} ≠ the inward-rounded sum {}", fmt_q(&claimed), fmt_q(&lower)))?;
        ensure(&coef * &lower > Q::from_integer(1.into()), || "c·Σ a_i²/(lo − D_i) ≤ 1: lo is not below λ_max".into())?;
        "secular sum above 1 at lo"
    };
    Ok(format!("λ_max of diag + rank one (d = {}) in [{}, {}] ({how}; Schur complement at hi)", diag.len(), fmt_q(&lo), fmt_q(&hi)))
}
