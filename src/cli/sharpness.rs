//! `dlncheck sharpness --matrix FILE [--width W] [--json] [--claim OUT]`: certified enclosures of
//! λ_max, λ_min and the spectral norm of a rational symmetric matrix (SPEC §6, §7).

use crate::io::claims;
use crate::error::{Error, Result};
use dlncheck_kernel::tree::{Numbers, Table};
use crate::numeric::rational::{fmt_q, parse_q, Q};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified::{self as sharpness, check_symmetric, Lower, MaxCertificate, Spectrum, Upper};
use num_traits::Signed;
use serde_json::{json, Value};
use std::path::Path;

/// Reads a matrix: `.npy` (f32/f64, exact binary values) or JSON/TOML `{"matrix": [[...]]}` of
/// rationals; checks that it is square and symmetric.
pub fn read_matrix(path: &Path) -> Result<Vec<Vec<Q>>> {
    let name = path.display().to_string();
    let m = if path.extension().is_some_and(|e| e == "npy") {
        crate::io::npy::read_matrix(path)?
    } else {
        let tree = crate::io::instance::read_tree(path)?;
        let t = Table::new(&name, &tree, "", &["matrix"])?.with_numbers(Numbers::Input(parse_q));
        let rows = t.list("matrix")?;
        if rows.is_empty() || rows.len() > crate::io::npy::MAX_SIDE {
            return Err(Error::input(&name, "matrix", format!("expected 1 to {} rows, found {}", crate::io::npy::MAX_SIDE, rows.len())));
        }
        rows.iter().enumerate().map(|(i, r)| t.qs_at(r, &format!("matrix[{i}]"))).collect::<std::result::Result<Vec<_>, _>>()?
    };
    check_symmetric(&m).map_err(|r| Error::input(&name, "matrix", r))?;
    Ok(m)
}

/// Parses `--width`: a rational in (0, 1).
pub fn parse_width(text: &str) -> Result<Q> {
    let w = parse_q(text).map_err(|r| Error::Usage(format!("--width: {r}")))?;
    if !w.is_positive() || w >= Q::from_integer(1.into()) {
        return Err(Error::Usage(format!("--width: {text} must lie strictly between 0 and 1")));
    }
    Ok(w)
}

fn route(c: &MaxCertificate) -> String {
    let lower = match c.lower {
        Lower::Witness(_) => "Rayleigh witness",
        Lower::Inertia => "LDLᵀ inertia",
    };
    let upper = match c.upper {
        Upper::Definite => "hi·I − H ⪰ 0 by LDLᵀ",
        Upper::KatoTemple { .. } => "Kato–Temple, one eigenvalue above a gap shift",
    };
    format!("{lower}; {upper}")
}

/// `{lo, hi, relative_width, certificate}` of one end.
pub fn enclosure_json(lo: &Q, hi: &Q, how: Option<&MaxCertificate>) -> Value {
    let mut v = json!({"lo": fmt_q(lo), "hi": fmt_q(hi), "relative_width": q_to_f64(&sharpness::relative_width(lo, hi))});
    if let Some(c) = how {
        v["certificate"] = json!(route(c));
    }
    v
}

/// The `shared` one-point Hessian 2r·diag(x) + 4aaᵀ at θ = w (a = x ⊙ w) as (D, a, c = 4), or
/// `None` for other models and n > 1.
pub fn rank_one_hessian(inst: &crate::io::instance::Instance, theta: &[Q]) -> Option<(Vec<Q>, Vec<Q>, Q)> {
    if inst.model != crate::io::instance::Model::Shared || inst.x.len() != 1 {
        return None;
    }
    let x = &inst.x[0];
    let r: Q = x.iter().zip(theta).map(|(xi, wi)| xi * wi * wi).sum::<Q>() - &inst.y[0];
    let two_r = Q::from_integer(2.into()) * r;
    let diag = x.iter().map(|xi| &two_r * xi).collect();
    let a = x.iter().zip(theta).map(|(xi, wi)| xi * wi).collect();
    Some((diag, a, Q::from_integer(4.into())))
}

/// `sharpness --instance FILE --theta LIST`: λ_max of the network Hessian at θ. For `shared`
/// with one point the secular route certifies λ_max in O(d); otherwise the exact dense Hessian
/// goes through [`run_matrix`].
pub fn run_hessian(instance: &Path, theta: &str, width: &str, as_json: bool, claim: Option<&Path>) -> Result<i32> {
    let w = parse_width(width)?;
    let inst = super::instance(instance)?;
    let theta = super::audit::parse_theta(&inst, theta)?;
    let Some((diag, a, c)) = rank_one_hessian(&inst, &theta) else {
        let data = crate::models::loss::Data::<Q>::from_instance(&inst, &());
        let h = crate::models::loss::hessian(inst.model, &data, &theta);
        return report(&format!("Hessian of {} at θ", instance.display()), h, &w, as_json, claim);
    };
    let start = std::time::Instant::now();
    let cert = sharpness::rank_one_max(&diag, &a, &c, &w);
    let seconds = start.elapsed().as_secs_f64();
    if let Some(out) = claim {
        let file = claims::claim_file(&format!("Certified λ_max of the Hessian of {} at θ", instance.display()), None, vec![sharpness::rank_one_claim(&diag, &a, &c, &cert)]);
        write_checked(out, &file)?;
    }
    let v = json!({
        "file": instance.display().to_string(),
        "d": diag.len(),
        "route": "secular equation (diagonal + rank one)",
        "lambda_max": {"lo": fmt_q(&cert.lo), "hi": fmt_q(&cert.hi), "relative_width": q_to_f64(&cert.relative_width())},
        "seconds": seconds,
    });
    if as_json {
        super::print_json(&v)?;
    } else {
        out!("Hessian of {} at θ (shared, one point, d = {}): secular equation", instance.display(), diag.len());
        out!("  λ_max ≈ {:e} in [{}, {}], relative width {:.3e}", q_to_f64(&cert.lo), fmt_q(&cert.lo), fmt_q(&cert.hi), q_to_f64(&cert.relative_width()));
    }
    Ok(0)
}

fn write_checked(out: &Path, file: &Value) -> Result<()> {
    let report = claims::verify_and_write(out, file)?;
    eprintln!("wrote {} ({} claims, verified by the kernel)", out.display(), report.verdicts.len());
    Ok(())
}

/// Runs `sharpness --matrix FILE`.
pub fn run(path: &Path, width: &str, as_json: bool, claim: Option<&Path>) -> Result<i32> {
    let w = parse_width(width)?;
    let h = read_matrix(path)?;
    report(&path.display().to_string(), h, &w, as_json, claim)
}

fn report(label: &str, h: Vec<Vec<Q>>, w: &Q, as_json: bool, claim: Option<&Path>) -> Result<i32> {
    let start = std::time::Instant::now();
    let s = Spectrum::of(&h, w);
    let seconds = start.elapsed().as_secs_f64();
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    if let Some(out) = claim {
        let claims = vec![sharpness::claim(&h, &s.max), sharpness::claim(&sharpness::negate(&h), &s.neg_min)];
        let title = format!("Certified λ_max and λ_min (as λ_max of −H) of {label}");
        write_checked(out, &claims::claim_file(&title, None, claims))?;
    }
    if as_json {
        super::print_json(&json!({
            "file": label,
            "d": h.len(),
            "target_width": fmt_q(w),
            "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
            "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
            "spectral_norm": enclosure_json(&norm_lo, &norm_hi, None),
            "seconds": seconds,
        }))?;
    } else {
        let n = h.len();
        out!("{label}: {n}×{n} symmetric matrix, target relative width {}", fmt_q(w));
        for (name, lo, hi) in [("λ_max", &s.max.lo, &s.max.hi), ("λ_min", &min_lo, &min_hi), ("max|λ|", &norm_lo, &norm_hi)] {
            out!("  {name:<7} ≈ {:<24e} in [{}, {}]", q_to_f64(lo), fmt_q(lo), fmt_q(hi));
            out!("  {:<7}   relative width {:.3e}", "", q_to_f64(&sharpness::relative_width(lo, hi)));
        }
        out!("  certified by: λ_max {}; λ_min {}", route(&s.max), route(&s.neg_min));
        out!("  {seconds:.3} s");
    }
    Ok(0)
}
