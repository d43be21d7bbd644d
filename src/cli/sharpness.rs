//! `dlncheck sharpness --matrix FILE [--width W] [--symmetrize] [--json] [--claim OUT]`: certified
//! enclosures of λ_max, λ_min and the spectral norm of a rational symmetric matrix (SPEC §6,
//! §7). The report is [`crate::report::sharpness::Sharpness`]; this prints it and writes claims.

use crate::error::Result;
use crate::io::claims;
use crate::io::matrix::route;
use crate::numeric::rational::fmt_q;
use crate::numeric::scalar::q_to_f64;
use crate::report::sharpness::{self as report, MatrixReport, Sharpness};
use crate::spectra::certified as sharpness;
use serde_json::Value;
use std::path::Path;

/// Runs `sharpness --instance FILE --theta LIST`.
pub fn run_hessian(
    instance: &Path,
    theta: &str,
    width: &str,
    as_json: bool,
    claim: Option<&Path>,
) -> Result<i32> {
    let inst = super::instance(instance)?;
    let theta = crate::io::matrix::parse_theta(&inst, theta)?;
    let r = report::hessian(&inst, &instance.display().to_string(), &theta, width)?;
    let Sharpness::Hessian(h) = &r else {
        return print(&r, None, as_json, false, claim);
    };
    if let (Some(out), Some((diag, a, c, cert))) = (claim, &h.certificate) {
        let file = claims::claim_file(
            &format!(
                "Certified λ_max of the Hessian of {} at θ",
                instance.display()
            ),
            None,
            vec![sharpness::rank_one_claim(diag, a, c, cert)],
        );
        write_checked(out, &file)?;
    }
    if as_json {
        super::print_json(&r)?;
    } else {
        out!(
            "Hessian of {} at θ (shared, one point, d = {}): secular equation",
            instance.display(),
            h.d
        );
        out!(
            "  λ_max ≈ {:e} in [{}, {}], relative width {:.3e}",
            h.certificate.as_ref().map_or(0.0, |c| q_to_f64(&c.3.lo)),
            h.lambda_max.lo,
            h.lambda_max.hi,
            h.lambda_max.relative_width
        );
    }
    Ok(0)
}

fn write_checked(out: &Path, file: &Value) -> Result<()> {
    let report = claims::verify_and_write(out, file)?;
    eprintln!(
        "wrote {} ({} claims, verified by the kernel)",
        out.display(),
        report.verdicts.len()
    );
    Ok(())
}

/// Runs `sharpness --matrix FILE`: one matrix, or a batch (`.npz`, one per checkpoint) printed
/// as one JSON object with `checkpoints` or, with `csv`, one CSV row per checkpoint.
pub fn run(
    path: &Path,
    width: &str,
    symmetrize: bool,
    as_json: bool,
    csv: bool,
    claim: Option<&Path>,
) -> Result<i32> {
    let r = report::matrices(path, width, symmetrize, csv, &super::Bar::matrices())?;
    print(&r, Some(path), as_json, csv, claim)
}

/// The claims of one matrix: λ_max of H and λ_max of −H.
fn matrix_claims(m: &MatrixReport) -> Vec<crate::io::format::Claim> {
    let (Some(s), Some(matrix)) = (&m.spectrum, &m.matrix) else {
        return Vec::new();
    };
    let h = &matrix.rational();
    vec![
        sharpness::claim(h, &s.max),
        sharpness::claim(&sharpness::negate(h), &s.neg_min),
    ]
}

fn print(
    r: &Sharpness,
    path: Option<&Path>,
    as_json: bool,
    csv: bool,
    claim: Option<&Path>,
) -> Result<i32> {
    if let Some(out) = claim {
        let (title, reports) = match r {
            Sharpness::One(m) => (
                format!(
                    "Certified λ_max and λ_min (as λ_max of −H) of {}",
                    m.file.as_deref().unwrap_or("")
                ),
                std::slice::from_ref(&**m),
            ),
            Sharpness::Batch(b) => (
                format!(
                    "Certified λ_max and λ_min (as λ_max of −H) of each matrix of {}",
                    path.map_or_else(String::new, |p| p.display().to_string())
                ),
                &b.checkpoints[..],
            ),
            Sharpness::Hessian(_) => (String::new(), &[][..]),
        };
        let mut all = Vec::new();
        for m in reports {
            all.extend(matrix_claims(m));
        }
        write_checked(out, &claims::claim_file(&title, None, all))?;
    }
    match r {
        Sharpness::Batch(b) if csv => print_csv(&b.checkpoints),
        Sharpness::One(m) if csv => print_csv(std::slice::from_ref(&**m)),
        _ if as_json => super::print_json(r),
        Sharpness::One(m) => print_one(m),
        Sharpness::Batch(b) => {
            out!(
                "{}: {} matrices, target relative width {}",
                b.file,
                b.checkpoints.len(),
                b.target_width
            );
            for m in &b.checkpoints {
                let Some(s) = &m.spectrum else { continue };
                let (_, min_hi) = s.min();
                out!(
                    "  {} ({}×{}): λ_max ≈ {:e} (width {:.1e}), λ_min ≈ {:e} (width {:.1e}), {:.3} s",
                    m.name.as_deref().unwrap_or(""),
                    m.d,
                    m.d,
                    q_to_f64(&s.max.lo),
                    q_to_f64(&s.max.relative_width()),
                    q_to_f64(&min_hi),
                    q_to_f64(&s.neg_min.relative_width()),
                    m.seconds
                );
                print_symmetrized(m)?;
            }
            Ok(())
        }
        Sharpness::Hessian(_) => super::print_json(r),
    }?;
    Ok(0)
}

fn print_csv(rows: &[MatrixReport]) -> Result<()> {
    out!(
        "checkpoint,d,lambda_max,lambda_max_lo,lambda_max_hi,lambda_min,lambda_min_lo,lambda_min_hi,relative_width_max,relative_width_min,seconds"
    );
    for m in rows {
        let Some(s) = &m.spectrum else { continue };
        let (min_lo, min_hi) = s.min();
        let label = m.name.as_deref().or(m.file.as_deref()).unwrap_or("");
        out!(
            "{},{},{:e},{},{},{:e},{},{},{:e},{:e},{:.3}",
            csv_field(label),
            m.d,
            q_to_f64(&s.max.lo),
            fmt_q(&s.max.lo),
            fmt_q(&s.max.hi),
            q_to_f64(&min_hi),
            fmt_q(&min_lo),
            fmt_q(&min_hi),
            q_to_f64(&s.max.relative_width()),
            q_to_f64(&s.neg_min.relative_width()),
            m.seconds
        );
    }
    Ok(())
}

fn print_symmetrized(m: &MatrixReport) -> Result<()> {
    if let Some(s) = &m.symmetrized {
        out!(
            "  symmetrized: (H + Hᵀ)/2 exactly; removed max |H_ij − H_ji| = {} ≈ {:e} at [{}][{}]",
            s.max_asymmetry,
            s.max_asymmetry_decimal,
            s.at[0],
            s.at[1]
        );
    }
    Ok(())
}

fn print_one(m: &MatrixReport) -> Result<()> {
    let Some(s) = &m.spectrum else {
        return Ok(());
    };
    let n = m.d;
    out!(
        "{}: {n}×{n} symmetric matrix, target relative width {}",
        m.file.as_deref().unwrap_or(""),
        m.target_width.as_deref().unwrap_or("")
    );
    print_symmetrized(m)?;
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    for (name, lo, hi) in [
        ("λ_max", &s.max.lo, &s.max.hi),
        ("λ_min", &min_lo, &min_hi),
        ("max|λ|", &norm_lo, &norm_hi),
    ] {
        out!(
            "  {name:<7} ≈ {:<24e} in [{}, {}]",
            q_to_f64(lo),
            fmt_q(lo),
            fmt_q(hi)
        );
        out!(
            "  {:<7}   relative width {:.3e}",
            "",
            q_to_f64(&sharpness::relative_width(lo, hi))
        );
    }
    out!(
        "  certified by: λ_max {}; λ_min {}",
        route(&s.max),
        route(&s.neg_min)
    );
    out!("  {:.3} s", m.seconds);
    Ok(())
}

/// A CSV field, quoted when it holds a comma or a quote.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
