//! `dlncheck sharpness --matrix FILE [--width W] [--json] [--claim OUT]`: certified enclosures of
//! λ_max, λ_min and the spectral norm of a rational symmetric matrix (SPEC §6, §7).

use crate::error::Result;
use crate::io::claims;
use crate::numeric::rational::{Q, fmt_q};
use crate::numeric::scalar::q_to_f64;
use crate::spectra::certified as sharpness;
use serde_json::{Value, json};
use std::path::Path;

pub use crate::io::matrix::parse_width;
use crate::io::matrix::{Matrix, enclosure_json, read_matrices, route};

/// The `shared` one-point Hessian 2r·diag(x) + 4aaᵀ at θ = w (a = x ⊙ w) as (D, a, c = 4), or
/// `None` for other models and n > 1.
pub fn rank_one_hessian(
    inst: &crate::io::instance::Instance,
    theta: &[Q],
) -> Option<(Vec<Q>, Vec<Q>, Q)> {
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
/// goes through the dense route of [`run`].
pub fn run_hessian(
    instance: &Path,
    theta: &str,
    width: &str,
    as_json: bool,
    claim: Option<&Path>,
) -> Result<i32> {
    let w = parse_width(width)?;
    let inst = super::instance(instance)?;
    let theta = crate::io::matrix::parse_theta(&inst, theta)?;
    let Some((diag, a, c)) = rank_one_hessian(&inst, &theta) else {
        let data = crate::models::loss::Data::<Q>::from_instance(&inst, &());
        let h = crate::models::loss::hessian(inst.model, &data, &theta);
        return report(
            &format!("Hessian of {} at θ", instance.display()),
            &Matrix::Rational(h),
            &w,
            as_json,
            claim,
        );
    };
    let start = std::time::Instant::now();
    let cert = sharpness::rank_one_max(&diag, &a, &c, &w);
    let seconds = start.elapsed().as_secs_f64();
    if let Some(out) = claim {
        let file = claims::claim_file(
            &format!(
                "Certified λ_max of the Hessian of {} at θ",
                instance.display()
            ),
            None,
            vec![sharpness::rank_one_claim(&diag, &a, &c, &cert)],
        );
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
        out!(
            "Hessian of {} at θ (shared, one point, d = {}): secular equation",
            instance.display(),
            diag.len()
        );
        out!(
            "  λ_max ≈ {:e} in [{}, {}], relative width {:.3e}",
            q_to_f64(&cert.lo),
            fmt_q(&cert.lo),
            fmt_q(&cert.hi),
            q_to_f64(&cert.relative_width())
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
    as_json: bool,
    csv: bool,
    claim: Option<&Path>,
) -> Result<i32> {
    let w = parse_width(width)?;
    let mut matrices = read_matrices(path)?;
    if matrices.len() == 1 && !csv {
        let (label, m) = matrices.remove(0);
        return report(&label, &m, &w, as_json, claim);
    }
    let progress = Progress::new(
        matrices.len(),
        matrices.iter().map(|(_, m)| m.side()).max().unwrap_or(0),
    );
    let mut rows = Vec::new();
    let mut claims_out = Vec::new();
    for (label, m) in &matrices {
        progress.start(label, m.side());
        let start = std::time::Instant::now();
        let s = m.spectrum(&w);
        let seconds = start.elapsed().as_secs_f64();
        if claim.is_some() {
            let h = m.rational();
            claims_out.push(sharpness::claim(&h, &s.max));
            claims_out.push(sharpness::claim(&sharpness::negate(&h), &s.neg_min));
        }
        rows.push((label.clone(), m.side(), s, seconds));
        progress.done();
    }
    progress.finish();
    if let Some(out) = claim {
        let title = format!(
            "Certified λ_max and λ_min (as λ_max of −H) of each matrix of {}",
            path.display()
        );
        write_checked(out, &claims::claim_file(&title, None, claims_out))?;
    }
    if csv {
        out!(
            "checkpoint,d,lambda_max,lambda_max_lo,lambda_max_hi,lambda_min,lambda_min_lo,lambda_min_hi,relative_width_max,relative_width_min,seconds"
        );
        for (label, d, s, seconds) in &rows {
            let (min_lo, min_hi) = s.min();
            out!(
                "{},{d},{:e},{},{},{:e},{},{},{:e},{:e},{seconds:.3}",
                csv_field(label),
                q_to_f64(&s.max.lo),
                fmt_q(&s.max.lo),
                fmt_q(&s.max.hi),
                q_to_f64(&min_hi),
                fmt_q(&min_lo),
                fmt_q(&min_hi),
                q_to_f64(&s.max.relative_width()),
                q_to_f64(&s.neg_min.relative_width())
            );
        }
    } else if as_json {
        let checkpoints: Vec<Value> = rows
            .iter()
            .map(|(label, d, s, seconds)| {
                let (min_lo, min_hi) = s.min();
                let (norm_lo, norm_hi) = s.norm();
                json!({
                    "name": label, "d": d,
                    "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
                    "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
                    "spectral_norm": enclosure_json(&norm_lo, &norm_hi, None),
                    "seconds": seconds,
                })
            })
            .collect();
        super::print_json(
            &json!({"file": path.display().to_string(), "target_width": fmt_q(&w), "checkpoints": checkpoints}),
        )?;
    } else {
        out!(
            "{}: {} matrices, target relative width {}",
            path.display(),
            rows.len(),
            fmt_q(&w)
        );
        for (label, d, s, seconds) in &rows {
            let (_, min_hi) = s.min();
            out!(
                "  {label} ({d}×{d}): λ_max ≈ {:e} (width {:.1e}), λ_min ≈ {:e} (width {:.1e}), {seconds:.3} s",
                q_to_f64(&s.max.lo),
                q_to_f64(&s.max.relative_width()),
                q_to_f64(&min_hi),
                q_to_f64(&s.neg_min.relative_width())
            );
        }
    }
    Ok(0)
}

/// A CSV field, quoted when it holds a comma or a quote.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A progress bar on stderr for batches and long factorizations (only when stderr is a terminal).
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// For `count` matrices of side at most `side`: shown when there are several or they are large.
    pub fn new(count: usize, side: usize) -> Self {
        use std::io::IsTerminal;
        let show = std::io::stderr().is_terminal() && (count > 1 || side >= 500);
        Progress(show.then(|| {
            let bar = indicatif::ProgressBar::new(count as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        }))
    }
    pub fn start(&self, label: &str, side: usize) {
        if let Some(b) = &self.0 {
            b.set_message(format!(
                "{label}: {side}×{side}, verified Cholesky and witness"
            ));
        }
    }
    pub fn done(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn report(label: &str, m: &Matrix, w: &Q, as_json: bool, claim: Option<&Path>) -> Result<i32> {
    let progress = Progress::new(1, m.side());
    progress.start(label, m.side());
    let start = std::time::Instant::now();
    let s = m.spectrum(w);
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();
    let (min_lo, min_hi) = s.min();
    let (norm_lo, norm_hi) = s.norm();
    if let Some(out) = claim {
        let h = m.rational();
        let claims = vec![
            sharpness::claim(&h, &s.max),
            sharpness::claim(&sharpness::negate(&h), &s.neg_min),
        ];
        let title = format!("Certified λ_max and λ_min (as λ_max of −H) of {label}");
        write_checked(out, &claims::claim_file(&title, None, claims))?;
    }
    if as_json {
        super::print_json(&json!({
            "file": label,
            "d": m.side(),
            "target_width": fmt_q(w),
            "lambda_max": enclosure_json(&s.max.lo, &s.max.hi, Some(&s.max)),
            "lambda_min": enclosure_json(&min_lo, &min_hi, Some(&s.neg_min)),
            "spectral_norm": enclosure_json(&norm_lo, &norm_hi, None),
            "seconds": seconds,
        }))?;
    } else {
        let n = m.side();
        out!(
            "{label}: {n}×{n} symmetric matrix, target relative width {}",
            fmt_q(w)
        );
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
        out!("  {seconds:.3} s");
    }
    Ok(0)
}
