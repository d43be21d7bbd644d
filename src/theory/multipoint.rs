//! Several data points (T2, SPEC §5): min-norm as an exact LP, certified bounds on the minimum
//! sharpness for `shared`, and the norm-versus-sharpness conflict for n > 1. Untrusted: every
//! result carries a certificate that [`dlncheck_kernel`] re-checks (`proofs/FORMAT.md`).
//!
//! - Min-norm: on the balanced fibre N = a·Σ|β_i| ([`crate::models::model::beta_space`]), so
//!   min_M N = min a·‖β‖₁ s.t. Xβ = y (β ≥ 0 for `shared`), an LP; free β is split β = β⁺ − β⁻.
//! - Min-sharpness (`shared`): at zero loss the Hessian (4/n)·diag(w)XᵀX·diag(w) has the non-zero
//!   spectrum of (4/n)·X diag(β) Xᵀ, so S(β) = (4/n)·λ_max(X diag(β) Xᵀ), convex in β.
//!   Upper bound: any feasible β with a certified enclosure of λ_max (Frank–Wolfe iterates
//!   average LP vertices, so they stay exactly feasible). Lower bound: for PSD Z with tr Z = 1,
//!   λ_max(A) ≥ ⟨Z, A⟩ and ⟨Z, X diag(β) Xᵀ⟩ = Σ_i β_i x_iᵀZx_i (x_i the columns of X), so
//!   S ≥ min_{Xβ=y, β≥0} (4/n)·Σ_i β_i g_i with g_i = x_iᵀZx_i, which by LP duality is ≥ yᵀμ for
//!   every μ with Xᵀμ ≤ (4/n)·g.

use crate::error::{Error, Result};
use crate::io::format::{self, Claim, rat, rat_rows, rats};
use crate::io::instance::{Instance, Model};
use crate::models::model::beta_space;
use crate::numeric::rational::{Q, from_f64_exact};
use crate::numeric::scalar::q_to_f64;
use crate::numeric::simplex::{self, Lp, Outcome};
use crate::spectra::certified::{self as sharpness, MaxCertificate};
use crate::spectra::estimate::symmetric_eigen;
use num_traits::{One, Signed, Zero};

/// The exact min-norm point of T2 with its LP dual certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct MinNorm {
    pub beta: Vec<Q>,
    pub value: Q,
    /// λ ∈ Q^n with a ± (Xᵀλ)_i ≥ 0.
    pub dual: Vec<Q>,
    /// a − (Xᵀλ)_i.
    pub slack: Vec<Q>,
    /// a + (Xᵀλ)_i, for models with free β.
    pub slack_neg: Option<Vec<Q>>,
}

fn columns(x: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let d = x.first().map_or(0, Vec::len);
    (0..d)
        .map(|i| x.iter().map(|row| row[i].clone()).collect())
        .collect()
}

/// Solves min a·‖β‖₁ s.t. Xβ = y (β ≥ 0 for `shared`) exactly; infeasibility is an input error.
pub fn min_norm(inst: &Instance) -> Result<MinNorm> {
    let space = beta_space(inst.model).ok_or_else(|| {
        Error::input(
            &inst.source,
            "model",
            format!(
                "{}: the norm is not linear in β on the balanced fibre",
                inst.model.name()
            ),
        )
    })?;
    let d = inst.dim();
    let a_w = Q::from_integer(space.norm_weight.into());
    let a: Vec<Vec<Q>> = if space.signed {
        inst.x.clone()
    } else {
        inst.x
            .iter()
            .map(|r| r.iter().cloned().chain(r.iter().map(|v| -v)).collect())
            .collect()
    };
    let width = a.first().map_or(0, Vec::len);
    let lp = Lp {
        a,
        b: inst.y.clone(),
        c: vec![a_w.clone(); width],
    };
    match simplex::solve(&lp) {
        Outcome::Optimal(o) => {
            let beta: Vec<Q> = if space.signed {
                o.x.clone()
            } else {
                (0..d).map(|i| &o.x[i] - &o.x[d + i]).collect()
            };
            let value = beta.iter().map(|b| &a_w * b.abs()).sum();
            let xt: Vec<Q> = columns(&inst.x)
                .iter()
                .map(|col| col.iter().zip(&o.y).map(|(x, l)| x * l).sum())
                .collect();
            let slack = xt.iter().map(|v| &a_w - v).collect();
            let slack_neg = (!space.signed).then(|| xt.iter().map(|v| &a_w + v).collect());
            Ok(MinNorm {
                beta,
                value,
                dual: o.y,
                slack,
                slack_neg,
            })
        }
        Outcome::Infeasible(_) => Err(Error::input(
            &inst.source,
            "y",
            if space.signed {
                "infeasible: no β ≥ 0 solves Xβ = y (Farkas certificate found)"
            } else {
                "infeasible: Xβ = y has no solution"
            },
        )),
        Outcome::Unbounded => Err(Error::input(
            &inst.source,
            "X",
            "internal: the norm LP is unbounded",
        )),
    }
}

/// A(β) = X diag(β) Xᵀ (n × n).
pub fn gram(x: &[Vec<Q>], beta: &[Q]) -> Vec<Vec<Q>> {
    let n = x.len();
    (0..n)
        .map(|j| {
            (0..n)
                .map(|k| {
                    x[j].iter()
                        .zip(&x[k])
                        .zip(beta)
                        .filter(|(_, b)| !b.is_zero())
                        .map(|((a, c), b)| a * c * b)
                        .sum()
                })
                .collect()
        })
        .collect()
}

/// Certified bounds on inf_M S for `shared` with several points.
#[derive(Clone, Debug, PartialEq)]
pub struct SharpnessBounds {
    /// The best feasible β found and the enclosure of λ_max(X diag(β) Xᵀ).
    pub beta: Vec<Q>,
    pub enclosure: MaxCertificate,
    /// (4/n)·hi: inf S ≤ upper.
    pub upper: Q,
    /// Z (PSD, trace 1), μ and the slacks (4/n)·x_iᵀZx_i − (Xᵀμ)_i ≥ 0: inf S ≥ lower = yᵀμ.
    pub z: Vec<Vec<Q>>,
    pub mu: Vec<Q>,
    pub slack: Vec<Q>,
    pub lower: Q,
}

/// 4/n.
pub fn four_over_n(inst: &Instance) -> Q {
    Q::new(4.into(), (inst.x.len() as i64).into())
}

fn top_vector(a: &[Vec<Q>]) -> Vec<f64> {
    let af: Vec<Vec<f64>> = a.iter().map(|r| r.iter().map(q_to_f64).collect()).collect();
    symmetric_eigen(&af).1.swap_remove(0)
}

/// LP vertex minimising Σ g_i β_i over {Xβ = y, β ≥ 0}, with the dual μ and reduced costs.
fn linear_min(inst: &Instance, g: &[Q]) -> Option<simplex::Optimal> {
    match simplex::solve(&Lp {
        a: inst.x.clone(),
        b: inst.y.clone(),
        c: g.to_vec(),
    }) {
        Outcome::Optimal(o) => Some(o),
        _ => None,
    }
}

/// Frank–Wolfe on S(β) over {Xβ = y, β ≥ 0} from `start` (`iters` steps, step 2/(k+2)) with the
/// gradient direction g_i = (x_iᵀu)² of the top eigenvector u; the lower bound uses Z = uuᵀ/uᵀu
/// of the best iterate. Widths of the enclosures: `width`.
pub fn sharpness_bounds(
    inst: &Instance,
    start: &[Q],
    iters: usize,
    width: &Q,
) -> Result<SharpnessBounds> {
    if !matches!(inst.model, Model::Shared | Model::SharedDepth(2)) {
        return Err(Error::input(
            &inst.source,
            "model",
            "minimum-sharpness bounds for n > 1 are implemented for `shared` only",
        ));
    }
    let cols = columns(&inst.x);
    let f = four_over_n(inst);
    let mut beta = start.to_vec();
    let mut best: Option<(Q, Vec<Q>, MaxCertificate)> = None;
    for k in 0..=iters {
        let a = gram(&inst.x, &beta);
        let cert = sharpness::lambda_max(&a, width);
        if best.as_ref().is_none_or(|(hi, _, _)| cert.hi < *hi) {
            best = Some((cert.hi.clone(), beta.clone(), cert));
        }
        if k == iters {
            break;
        }
        let u = top_vector(&a);
        let g: Vec<Q> = cols
            .iter()
            .map(|c| {
                from_f64_exact(
                    c.iter()
                        .zip(&u)
                        .map(|(x, ui)| q_to_f64(x) * ui)
                        .sum::<f64>()
                        .powi(2),
                )
                .unwrap_or_else(Q::zero)
            })
            .collect();
        let Some(vertex) = linear_min(inst, &g) else {
            break;
        };
        let gamma = Q::new(2.into(), ((k + 2) as i64).into());
        beta = beta
            .iter()
            .zip(&vertex.x)
            .map(|(b, s)| (Q::one() - &gamma) * b + &gamma * s)
            .collect();
        // Exact averaging grows the bit sizes of β; stop before they make the LDLᵀ slow.
        if beta
            .iter()
            .any(|b| crate::numeric::rational::bits(b) > 4096)
        {
            break;
        }
    }
    let (hi, beta, enclosure) =
        best.ok_or_else(|| Error::input(&inst.source, "X", "internal: no iterate"))?;
    let upper = &f * &hi;
    // Lower bound from Z = uuᵀ/uᵀu of the best iterate.
    let u: Vec<Q> = top_vector(&gram(&inst.x, &beta))
        .iter()
        .map(|v| from_f64_exact(*v).unwrap_or_else(Q::zero))
        .collect();
    let uu: Q = u.iter().map(|v| v * v).sum();
    let z: Vec<Vec<Q>> = u
        .iter()
        .map(|a| u.iter().map(|b| a * b / &uu).collect())
        .collect();
    let g: Vec<Q> = cols.iter().map(|c| &f * quad(&z, c)).collect();
    let lp = linear_min(inst, &g)
        .ok_or_else(|| Error::input(&inst.source, "y", "infeasible: no β ≥ 0 solves Xβ = y"))?;
    Ok(SharpnessBounds {
        beta,
        enclosure,
        upper,
        z,
        mu: lp.y,
        slack: lp.reduced,
        lower: lp.value,
    })
}

/// cᵀZc.
pub fn quad(z: &[Vec<Q>], c: &[Q]) -> Q {
    z.iter()
        .zip(c)
        .map(|(row, ci)| ci * row.iter().zip(c).map(|(a, b)| a * b).sum::<Q>())
        .sum()
}

/// The certificate keys of a `lambda-max` claim for `h` (without `kind` and `matrix`), to
/// embed in a T2 claim.
fn enclosure_fields(h: &[Vec<Q>], cert: &MaxCertificate) -> format::LambdaMaxCertificate {
    sharpness::certificate(h, cert)
}

/// The T2 claims of `proofs/FORMAT.md`: `t2-min-norm`, and for `shared` also
/// `t2-sharpness-upper`, `t2-sharpness-lower` and `t2-conflict` (when the biases conflict).
pub fn claims(
    inst: &Instance,
    norm: &MinNorm,
    sharp: Option<(&SharpnessBounds, &MaxCertificate)>,
) -> Vec<Claim> {
    let mut out = vec![Claim::T2MinNorm(format::T2MinNorm {
        beta: rats(&norm.beta),
        value: rat(&norm.value),
        dual: rats(&norm.dual),
        slack: rats(&norm.slack),
        slack_neg: norm.slack_neg.as_deref().map(rats),
    })];
    if let Some((b, at_norm)) = sharp {
        out.push(Claim::T2SharpnessUpper {
            beta: rats(&b.beta),
            bound: rat(&b.upper),
            enclosure: enclosure_fields(&gram(&inst.x, &b.beta), &b.enclosure),
        });
        out.push(Claim::T2SharpnessLower {
            z: rat_rows(&b.z),
            mu: rats(&b.mu),
            slack: rats(&b.slack),
            bound: rat(&b.lower),
        });
        let f = four_over_n(inst);
        let s_lo = &f * &at_norm.lo;
        let n_sharp: Q = b.beta.iter().sum();
        if s_lo > b.upper && n_sharp > norm.value {
            out.push(Claim::T2Conflict {
                sharpness_margin: rat(&(&s_lo - &b.upper)),
                sharpness_lo: rat(&s_lo),
                norm_margin: rat(&(&n_sharp - &norm.value)),
                norm_of_sharp: rat(&n_sharp),
                enclosure: enclosure_fields(&gram(&inst.x, &norm.beta), at_norm),
            });
        }
    }
    out
}
