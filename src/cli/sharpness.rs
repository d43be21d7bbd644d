//! `dlncheck sharpness --matrix FILE [--width W] [--json] [--claim OUT]`: certified enclosures of
//! λ_max, λ_min and the spectral norm of a rational symmetric matrix (SPEC §6, §7).

use crate::certificate;
use crate::error::{Error, Result};
use crate::instance::Fields;
use crate::rational::{fmt_q, parse_q, Q};
use crate::scalar::q_to_f64;
use crate::sharpness::{self, check_symmetric, Lower, MaxCertificate, Spectrum, Upper};
use num_traits::Signed;
use serde_json::{json, Value};
use std::path::Path;

/// Reads a matrix: `.npy` (f32/f64, exact binary values) or JSON/TOML `{"matrix": [[...]]}` of
/// rationals; checks that it is square and symmetric.
pub fn read_matrix(path: &Path) -> Result<Vec<Vec<Q>>> {
    let name = path.display().to_string();
    let m = if path.extension().is_some_and(|e| e == "npy") {
        crate::npy::read_matrix(path)?
    } else {
        let tree = crate::instance::read_tree(path)?;
        let f = Fields { file: &name };
        f.matrix(f.get(&tree, "", "matrix")?, "matrix")?
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

/// Runs `sharpness`.
pub fn run(path: &Path, width: &str, as_json: bool, claim: Option<&Path>) -> Result<i32> {
    let w = parse_width(width)?;
    let h = read_matrix(path)?;
    let start = std::time::Instant::now();
    let s = Spectrum::of(&h, &w);
    let seconds = start.elapsed().as_secs_f64();
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    if let Some(out) = claim {
        let claims = vec![sharpness::claim(&h, &s.max), sharpness::claim(&sharpness::negate(&h), &s.neg_min)];
        let title = format!("Certified λ_max and λ_min (as λ_max of −H) of {}", path.display());
        let file = json!({"version": crate::kernel::VERSION, "title": title, "claim": claims});
        let verdicts = crate::kernel::check_tree(&out.display().to_string(), &file)?;
        if let Some(bad) = verdicts.iter().find(|v| !v.verified()) {
            eprintln!("error: internal: the kernel rejected the produced claim {} ({}); nothing written", bad.index, bad.kind);
            return Ok(1);
        }
        certificate::write_atomic(out, certificate::render(out, &file)?.as_bytes())?;
        eprintln!("wrote {} (2 claims, verified by the kernel)", out.display());
    }
    if as_json {
        super::print_json(&json!({
            "file": path.display().to_string(),
            "d": h.len(),
            "target_width": fmt_q(&w),
            "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
            "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
            "spectral_norm": enclosure_json(&norm_lo, &norm_hi, None),
            "seconds": seconds,
        }))?;
    } else {
        let n = h.len();
        println!("{}: {n}×{n} symmetric matrix, target relative width {}", path.display(), fmt_q(&w));
        for (name, lo, hi) in [("λ_max", &s.max.lo, &s.max.hi), ("λ_min", &min_lo, &min_hi), ("max|λ|", &norm_lo, &norm_hi)] {
            println!("  {name:<7} ≈ {:<24e} in [{}, {}]", q_to_f64(lo), fmt_q(lo), fmt_q(hi));
            println!("  {:<7}   relative width {:.3e}", "", q_to_f64(&sharpness::relative_width(lo, hi)));
        }
        println!("  certified by: λ_max {}; λ_min {}", route(&s.max), route(&s.neg_min));
        println!("  {seconds:.3} s");
    }
    Ok(0)
}
