//! The Pareto front of (N, S) over the zero-loss manifold, one data point (SPEC §2, T1.4).
//!
//! With c_i = x_i β_i / y, N = |y|·a·Σ|c_i|/|x_i| and S = |y|·b·Σ|c_i||x_i|, Σc_i = 1. Putting the
//! whole label on coordinate i gives the vertex v_i = (a|y|/|x_i|, b|y||x_i|); every vertex lies on
//! the hyperbola N·S = a·b·y² (= 4y² for all three models), which is convex and decreasing, so
//! every distinct vertex is extreme and the front is the polyline through them sorted by N
//! (from the min-norm vertex, largest |x_i|, to the min-sharpness vertex, smallest |x_i|).
//! A point on the segment between consecutive vertices v_k, v_l with weight t ∈ [0, 1] is the
//! linear rule β = y·c with c = (1−t)/x_k·e_k + t/x_l·e_l — the "learning-rate knob" of SPEC §3.

use crate::numeric::rational::{Q, abs_words, cmp_abs, cmp_abs_words};
use num_bigint::BigInt;
use num_traits::Signed;
use rayon::prelude::*;

/// A vertex of the front: the label carried by coordinate `index` (lowest index among equal |x_i|).
#[derive(Clone, Debug, PartialEq)]
pub struct Vertex {
    pub index: usize,
    pub norm: Q,
    pub sharpness: Q,
}

/// The front's vertices from min-norm to min-sharpness, over the feasible coordinates `idx` of
/// the data point `x`; `value(|x_i|)` gives a vertex's (N, S) = (a|y|/|x_i|, b|y||x_i|)
/// ([`crate::theory::optimum::Point::carry_value_at`]).
pub fn front(x: &[Q], mut idx: Vec<usize>, value: impl Fn(&Q) -> (Q, Q) + Sync) -> Vec<Vertex> {
    // Sort by |x_i| descending (norm ascending), then by index so the first of equal |x_i| wins.
    // When every entry fits in 64-bit words (large random instances), sort compact keys
    // instead of chasing each big integer's heap buffer.
    let keys: Option<Vec<((u64, u64), usize)>> =
        idx.iter().map(|&i| Some((abs_words(&x[i])?, i))).collect();
    let vertex = |i: usize, abs_x: &Q| {
        let (norm, sharpness) = value(abs_x);
        Vertex {
            index: i,
            norm,
            sharpness,
        }
    };
    match keys {
        Some(mut keys) => {
            keys.par_sort_unstable_by(|a, b| cmp_abs_words(b.0, a.0).then(a.1.cmp(&b.1)));
            keys.dedup_by(|b, a| cmp_abs_words(a.0, b.0).is_eq());
            // |x_i| from the sorted keys: reading x in front order would jump around memory.
            keys.into_par_iter()
                .map(|((n, d), i)| vertex(i, &Q::new_raw(BigInt::from(n), BigInt::from(d))))
                .collect()
        }
        None => {
            idx.par_sort_unstable_by(|&i, &j| cmp_abs(&x[j], &x[i]).then(i.cmp(&j)));
            idx.dedup_by(|j, i| cmp_abs(&x[*i], &x[*j]).is_eq());
            idx.into_par_iter()
                .map(|i| vertex(i, &x[i].abs()))
                .collect()
        }
    }
}
