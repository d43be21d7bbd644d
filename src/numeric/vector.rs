//! The small linear-algebra helpers, written once over [`Scalar`] (exact rationals, floats of
//! every precision): inner products, matrix-vector products and quadratic forms. Dense,
//! sequential, left-to-right accumulation (so float results are reproducible bit for bit).

use crate::numeric::scalar::Scalar;

/// ⟨a, b⟩ = Σ_i a_i b_i, summed left to right (0 for empty vectors). Extra entries of the longer
/// vector are ignored.
pub fn dot<S: Scalar>(a: &[S], b: &[S]) -> S {
    let zero = match a.first() {
        Some(v) => v.zero_like(),
        None => S::from_int(0, &S::Ctx::default()),
    };
    a.iter()
        .zip(b)
        .fold(zero, |acc, (p, q)| acc + p.clone() * q.clone())
}

/// M·v for a dense matrix given by its rows.
pub fn mat_vec<S: Scalar>(m: &[Vec<S>], v: &[S]) -> Vec<S> {
    m.iter().map(|row| dot(row, v)).collect()
}

/// uᵀ M v.
pub fn quad<S: Scalar>(u: &[S], m: &[Vec<S>], v: &[S]) -> S {
    dot(u, &mat_vec(m, v))
}

/// ‖v‖² = ⟨v, v⟩.
pub fn norm2<S: Scalar>(v: &[S]) -> S {
    dot(v, v)
}
