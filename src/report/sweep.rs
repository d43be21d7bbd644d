//! The report of `sweep` (SPEC §4, §7): the learning-rate grid and the T1 thresholds a sweep
//! is read against. The runs, checks and files are still assembled by the `sweep` command.

use crate::dynamics::gd::{Thresholds, decimal};
use crate::error::Result;
use crate::io::instance::{Instance, Model};
use crate::numeric::rational::{Q, parse_q};
use crate::numeric::scalar::q_to_f64;

/// Most learning rates in one sweep.
pub const MAX_POINTS: usize = 100_000;

/// The learning-rate grid: A + (B − A)·k/(N − 1) exactly, or with `log` A·(B/A)^{k/(N−1)}
/// rounded to 12 significant decimal digits (then exact from there on).
pub fn grid(a: &Q, b: &Q, n: usize, log: bool) -> Vec<Q> {
    if n == 1 {
        return vec![a.clone()];
    }
    let last = Q::from_integer(((n - 1) as i64).into());
    (0..n)
        .map(|k| {
            let t = Q::from_integer((k as i64).into()) / &last;
            if k == 0 {
                a.clone()
            } else if k == n - 1 {
                b.clone()
            } else if log {
                let v = q_to_f64(a) * (q_to_f64(b) / q_to_f64(a)).powf(q_to_f64(&t));
                Q::from_float(v)
                    .map_or_else(|| a.clone(), |q| parse_q(&decimal(&q, 12)).unwrap_or(q))
            } else {
                a + (b - a) * t
            }
        })
        .collect()
}

/// The thresholds η_norm = 2/S(β_norm) and η_max = 2/inf S of a one-point instance whose model
/// has them in closed form (docs/gradient-descent.md): `shared` and `uv` (for `uv`, with
/// S = 2Σx_i²|β_i| on the balanced zero-loss points, η_norm = 1/(|y|·max|x_i|) and
/// η_max = 1/(|y|·min_{x_i≠0}|x_i|)); `None` for other models and for n > 1 points.
pub fn thresholds(inst: &Instance, one_point: bool) -> Result<Option<Thresholds>> {
    if !one_point || !matches!(inst.model, Model::Shared | Model::Uv) {
        return Ok(None);
    }
    crate::dynamics::gd::thresholds(inst).map(Some)
}
