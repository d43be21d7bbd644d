//! Certified eigenvalue enclosures (SPEC §6): `lambda-max`, `lambda-max-rank-one`.
//!
//! Trusted mathematics, for a rational symmetric H and rationals lo ≤ hi:
//! - lower `witness`: for v ≠ 0, vᵀ(H − lo·I)v ≥ 0 gives λ_max ≥ vᵀHv/vᵀv ≥ lo (Rayleigh).
//! - lower `inertia`: an LDLᵀ of H − lo·I with every pivot decided and one positive shows a
//!   positive eigenvalue of H − lo·I (Sylvester), so λ_max > lo.
//! - upper `definite`: hi·I − H ⪰ 0 (no negative pivot) gives λ_max ≤ hi.
//! - upper `kato-temple`: if H − μ·I has exactly one positive and no zero pivot, one eigenvalue
//!   exceeds μ and every other is < μ; for v ≠ 0 with ρ = vᵀHv/vᵀv > μ and
//!   ε² = ‖Hv‖²/vᵀv − ρ², each λ_i is λ_max or < μ, so (λ_i − λ_max)(λ_i − μ) ≥ 0, whence
//!   0 ≤ vᵀ(H − λ_max)(H − μ)v/vᵀv = ε² + (ρ − λ_max)(ρ − μ), i.e. λ_max ≤ ρ + ε²/(ρ − μ) ≤ hi.
//! - rank one: for t > max D, tI − D ≻ 0, and by the Schur complement tI − (D + c·aaᵀ) ⪰ 0 iff
//!   c·aᵀ(tI − D)⁻¹a ≤ 1. Rounding each term a_i²/(t − D_i) up (down) to a multiple of 2^−p
//!   bounds that sum from above (below). H ⪰ diag(D) (c > 0) gives λ_max ≥ max D.

use crate::linalg::{binary64, dot, inertia, is_symmetric, mat_vec, psd_by_cholesky, shift};
use crate::number::{Q, fmt_q, int, pow2};
use crate::tree::Table;
use crate::{Checked, Claim, Fail, ensure};
use num_traits::{Signed, ToPrimitive, Zero};

pub const LAMBDA_MAX_KEYS: &[&str] = &[
    "matrix",
    "lo",
    "hi",
    "hi_minus_lo",
    "lower",
    "upper",
    "v",
    "witness_norm2",
    "witness_value",
    "mu",
    "rayleigh",
    "residual",
    "upper_slack",
];
pub const RANK_ONE_KEYS: &[&str] = &[
    "diag",
    "a",
    "c",
    "lo",
    "hi",
    "hi_minus_lo",
    "bits",
    "upper_sum",
    "lower_sum",
];
/// Largest `bits` of a rank-one certificate.
pub const MAX_BITS: u64 = 4096;

/// `lambda-max`: λ_max(matrix) ∈ [lo, hi].
pub(crate) fn lambda_max(c: &Claim) -> Checked {
    let float = c.t.str("lower")? == "witness" && c.t.str("upper")?.ends_with("-cholesky");
    let h = c.t.matrix_up_to(
        "matrix",
        if float {
            crate::tree::MAX_FLOAT_MATRIX
        } else {
            crate::tree::MAX_MATRIX
        },
    )?;
    ensure(is_symmetric(&h), || "matrix is not symmetric".into())?;
    let (lo, hi, how) = enclosure(&c.t, &h)?;
    Ok(format!(
        "λ_max of the {n}×{n} matrix in [{}, {}] ({how})",
        fmt_q(&lo),
        fmt_q(&hi),
        n = h.len()
    ))
}

/// Checks the enclosure keys of `t` for the symmetric matrix `h`; returns (lo, hi, how).
pub(crate) fn enclosure(t: &Table, h: &[Vec<Q>]) -> Result<(Q, Q, String), Fail> {
    let n = h.len();
    let (lo, hi, gap) = (t.q("lo")?, t.q("hi")?, t.q("hi_minus_lo")?);
    ensure(&hi - &lo == gap, || {
        format!(
            "hi − lo = {} ≠ hi_minus_lo {}",
            fmt_q(&(&hi - &lo)),
            fmt_q(&gap)
        )
    })?;
    ensure(!gap.is_negative(), || "hi < lo".into())?;
    let (lower, upper) = (t.str("lower")?, t.str("upper")?);
    let kato = upper.starts_with("kato-temple");
    let uses_v = lower == "witness" || kato;
    let unused: [(bool, &[&str], &str); 3] = [
        (uses_v, &["v"], "without a witness route"),
        (
            lower == "witness",
            &["witness_norm2", "witness_value"],
            "by this lower route",
        ),
        (
            kato,
            &["mu", "rayleigh", "residual", "upper_slack"],
            "by this upper route",
        ),
    ];
    for (used, keys, why) in unused {
        if !used {
            t.forbid(keys, why)?;
        }
    }
    // The binary64 copy of H and the verified Cholesky of σ·I − H + α·wwᵀ (FORMAT.md §4.6).
    let cholesky = |sigma: &Q, alpha: f64, w: &[f64]| -> Result<(), Fail> {
        let hf: Vec<Vec<f64>> = h
            .iter()
            .map(|r| r.iter().map(binary64).collect::<Option<_>>())
            .collect::<Option<_>>()
            .ok_or_else(|| Fail::Reject("a matrix entry is not a binary64 number".into()))?;
        psd_by_cholesky(&hf, sigma, alpha, w)
            .map(drop)
            .map_err(Fail::Reject)
    };
    // The witness v, with vᵀv, ρ = vᵀHv/vᵀv and ε² = ‖Hv‖²/vᵀv − ρ².
    let (v, s, rho, eps2) = if uses_v {
        let v = t.qs("v")?;
        ensure(v.len() == n, || {
            format!("v has {} entries, the matrix is {n} × {n}", v.len())
        })?;
        let s = dot(&v, &v);
        ensure(!s.is_zero(), || "v is the zero vector".into())?;
        let w = mat_vec(h, &v);
        let rho = dot(&v, &w) / &s;
        let eps2 = dot(&w, &w) / &s - &rho * &rho;
        (v, s, rho, eps2)
    } else {
        (Vec::new(), Q::zero(), Q::zero(), Q::zero())
    };
    let lower_how = match lower {
        "witness" => {
            ensure(t.q("witness_norm2")? == s, || {
                format!("witness_norm2 ≠ vᵀv = {}", fmt_q(&s))
            })?;
            let exact = (&rho - &lo) * &s;
            ensure(t.q("witness_value")? == exact, || {
                format!("witness_value ≠ vᵀ(H − lo·I)v = {}", fmt_q(&exact))
            })?;
            ensure(!exact.is_negative(), || {
                format!("vᵀ(H − lo·I)v = {} < 0", fmt_q(&exact))
            })?;
            "Rayleigh witness"
        }
        "inertia" => {
            let i = inertia(&shift(h, &lo));
            ensure(matches!(i, Some((_, _, p)) if p > 0), || {
                format!("H − lo·I has no certified positive pivot (inertia {i:?})")
            })?;
            "LDLᵀ inertia"
        }
        other => {
            return Err(Fail::Malformed(t.err(
                "lower",
                format!("unknown lower-bound route `{other}` (expected witness or inertia)"),
            )));
        }
    };
    let upper_how = match upper {
        "definite" => {
            let m: Vec<Vec<Q>> = shift(h, &hi).into_iter().map(|r| r.into_iter().map(|x| -x).collect()).collect();
            let i = inertia(&m);
            ensure(matches!(i, Some((0, _, _))), || format!("hi·I − H is not PSD by LDLᵀ (inertia {i:?})"))?;
            "hi·I − H ⪰ 0 by LDLᵀ"
        }
        "definite-cholesky" => {
            cholesky(&hi, 0.0, &vec![0.0; n])?;
            "hi·I − H ⪰ 0 by verified binary64 Cholesky"
        }
        "kato-temple" | "kato-temple-cholesky" => {
            let mu = t.q("mu")?;
            ensure(t.q("rayleigh")? == rho, || format!("rayleigh ≠ vᵀHv/vᵀv = {}", fmt_q(&rho)))?;
            ensure(t.q("residual")? == eps2, || format!("residual ≠ ‖Hv‖²/vᵀv − ρ² = {}", fmt_q(&eps2)))?;
            ensure(rho > mu, || format!("ρ = {} is not above μ = {}", fmt_q(&rho), fmt_q(&mu)))?;
            if upper == "kato-temple" {
                let i = inertia(&shift(h, &mu));
                ensure(matches!(i, Some((_, 0, 1))), || format!("H − μ·I must have exactly one positive and no zero pivot, inertia {i:?}"))?;
            } else {
                // Deflation along the witness: w = the doubles nearest to v, α = the double nearest
                // to 2(ρ − μ)/vᵀv (> 0), so B = μI − H + α·wwᵀ is positive along v.
                let w: Vec<f64> = v.iter().map(|x| x.to_f64().filter(|x| x.is_finite())).collect::<Option<_>>().ok_or_else(|| Fail::Reject("v has an entry beyond the binary64 range".into()))?;
                let alpha = (int(2) * (&rho - &mu) / &s).to_f64().filter(|a| a.is_finite()).ok_or_else(|| Fail::Reject("2(ρ − μ)/vᵀv is beyond the binary64 range".into()))?;
                cholesky(&mu, alpha, &w)?;
            }
            let exact = &hi - &rho - &eps2 / (&rho - &mu);
            ensure(t.q("upper_slack")? == exact, || format!("upper_slack ≠ hi − ρ − ε²/(ρ − μ) = {}", fmt_q(&exact)))?;
            ensure(!exact.is_negative(), || "hi is below the Kato–Temple bound".into())?;
            if upper == "kato-temple" { "Kato–Temple with one eigenvalue above μ" } else { "Kato–Temple, λ₂ ≤ μ by verified binary64 Cholesky" }
        }
        other => return Err(Fail::Malformed(t.err("upper", format!("unknown upper-bound route `{other}` (expected definite, kato-temple, definite-cholesky or kato-temple-cholesky)")))),
    };
    Ok((lo, hi, format!("{lower_how}; {upper_how}")))
}

/// Σ_i a_i²/(t − D_i), each term rounded up (or down) to a multiple of 2^−p (t > max D).
fn secular_sum(diag: &[Q], a: &[Q], t: &Q, p: u64, up: bool) -> Q {
    let scale = pow2(p as i64);
    let total: Q = diag
        .iter()
        .zip(a)
        .map(|(d, ai)| {
            let term = ai * ai * &scale / (t - d);
            if up { term.ceil() } else { term.floor() }
        })
        .sum();
    total / scale
}

/// `lambda-max-rank-one`: λ_max(diag(D) + c·aaᵀ) ∈ [lo, hi] for c > 0.
pub(crate) fn lambda_max_rank_one(c: &Claim) -> Checked {
    let t = &c.t;
    let (diag, a, coef) = (t.qs("diag")?, t.qs("a")?, t.q("c")?);
    ensure(diag.len() == a.len() && !diag.is_empty(), || {
        format!("diag has {} entries, a has {}", diag.len(), a.len())
    })?;
    ensure(coef.is_positive(), || "c must be positive".into())?;
    let (lo, hi, gap) = (t.q("lo")?, t.q("hi")?, t.q("hi_minus_lo")?);
    ensure(&hi - &lo == gap && !gap.is_negative(), || {
        "hi_minus_lo ≠ hi − lo, or negative".into()
    })?;
    let bits = t.uint("bits")?;
    if bits > MAX_BITS {
        return Err(Fail::Malformed(
            t.err("bits", format!("at most {MAX_BITS}")),
        ));
    }
    let max_d = diag.iter().max().cloned().unwrap_or_else(Q::zero);
    ensure(hi > max_d, || "hi must exceed max D".into())?;
    let upper = secular_sum(&diag, &a, &hi, bits, true);
    ensure(t.q("upper_sum")? == upper, || {
        format!("upper_sum ≠ the outward-rounded sum {}", fmt_q(&upper))
    })?;
    ensure(&coef * &upper <= int(1), || {
        "c·Σ a_i²/(hi − D_i) > 1: hi is below λ_max".into()
    })?;
    let how = if lo <= max_d {
        t.forbid(&["lower_sum"], "when lo ≤ max D")?;
        "lo ≤ max D"
    } else {
        let lower = secular_sum(&diag, &a, &lo, bits, false);
        ensure(t.q("lower_sum")? == lower, || {
            format!("lower_sum ≠ the inward-rounded sum {}", fmt_q(&lower))
        })?;
        ensure(&coef * &lower > int(1), || {
            "c·Σ a_i²/(lo − D_i) ≤ 1: lo is not below λ_max".into()
        })?;
        "secular sum above 1 at lo"
    };
    Ok(format!(
        "λ_max of diag + rank one (d = {}) in [{}, {}] ({how}; Schur complement at hi)",
        diag.len(),
        fmt_q(&lo),
        fmt_q(&hi)
    ))
}
