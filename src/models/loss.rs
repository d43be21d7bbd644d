//! Square loss, gradient, full Hessian and Hessian-vector products (SPEC §1), written once over
//! [`Scalar`] and once for every model, from the block partials of [`crate::models::model`].
//!
//! L(θ) = (1/(2n)) Σ_j r_j², r_j = ⟨x_j, β(θ)⟩ − y_j.
//! ∇L = (1/n) Σ_j r_j J_j with J_j = Σ_i x_ji ∂β_i/∂θ;
//! ∇²L = (1/n) Σ_j (J_j J_jᵀ + r_j Σ_i x_ji ∂²β_i/∂θ²);
//! ∇²L·v = (1/n) Σ_j (J_j ⟨J_j, v⟩ + r_j Σ_i x_ji (∂²β_i/∂θ²) v).
//! For `shared` and n = 1 this is ∇²L = 4 a aᵀ + 2 r diag(x), a = x ⊙ w (SPEC §2); the
//! one-point Hessian of every model is diagonal plus rank one after at most a 2×2 rotation per
//! coordinate ([`rank_one_form`]).
//!
//! The only allocations are one vector J_j per data point and the results; the per-coordinate
//! derivatives live in the fixed-size [`Partials`]. Floating-point results are reproducible: the
//! accumulation order is fixed (coordinates in index order, data points in file order).

use crate::io::instance::Instance;
use crate::models::model::{self, Model, Partials, partials};
use crate::numeric::scalar::Scalar;
use crate::numeric::vector::dot;

/// Data (X, y) converted to a scalar type.
#[derive(Clone, Debug)]
pub struct Data<S> {
    /// Rows x_j.
    pub x: Vec<Vec<S>>,
    pub y: Vec<S>,
}

impl<S: Scalar> Data<S> {
    /// Converts the instance's exact data (rounded to nearest for float types).
    pub fn from_instance(inst: &Instance, ctx: &S::Ctx) -> Self {
        Data {
            x: inst
                .x
                .iter()
                .map(|r| r.iter().map(|q| S::from_q(q, ctx)).collect())
                .collect(),
            y: inst.y.iter().map(|q| S::from_q(q, ctx)).collect(),
        }
    }

    fn n(&self) -> S {
        self.y[0].int_like(self.y.len() as i64)
    }
}

/// Residuals r_j = ⟨x_j, β(θ)⟩ − y_j.
pub fn residuals<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> Vec<S> {
    let b = model::beta(model, theta);
    data.x
        .iter()
        .zip(&data.y)
        .map(|(xj, yj)| dot(xj, &b) - yj.clone())
        .collect()
}

/// L(θ) = (1/(2n)) Σ_j r_j².
pub fn loss<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> S {
    let r = residuals(model, data, theta);
    let two_n = data.n() * data.y[0].int_like(2);
    dot(&r, &r) / two_n
}

/// The block partials of every β_i at θ, visited in index order.
fn each_partial<S: Scalar>(model: Model, theta: &[S], mut f: impl FnMut(usize, Partials<S>)) {
    let d = model::dim_of(model, theta.len());
    for i in 0..d {
        f(i, partials(model, theta, d, i));
    }
}

/// J_j = ∂⟨x_j, β⟩/∂θ = Σ_i x_ji ∂β_i/∂θ as a dense vector.
fn jacobian_row<S: Scalar>(model: Model, xj: &[S], theta: &[S]) -> Vec<S> {
    let mut row = vec![theta[0].zero_like(); theta.len()];
    each_partial(model, theta, |i, p| {
        for (k, v) in p.grad() {
            row[*k] = row[*k].clone() + xj[i].clone() * v.clone();
        }
    });
    row
}

/// ∇L(θ) = (1/n) Σ_j r_j J_j.
pub fn gradient<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> Vec<S> {
    let r = residuals(model, data, theta);
    let n = data.n();
    let mut g = vec![theta[0].zero_like(); theta.len()];
    for (xj, rj) in data.x.iter().zip(&r) {
        for (k, jk) in jacobian_row(model, xj, theta).into_iter().enumerate() {
            g[k] = g[k].clone() + rj.clone() * jk;
        }
    }
    g.into_iter().map(|v| v / n.clone()).collect()
}

/// The full Hessian ∇²L(θ), dense (p × p with p = |θ|).
pub fn hessian<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> Vec<Vec<S>> {
    let p = theta.len();
    let r = residuals(model, data, theta);
    let n = data.n();
    let mut h = vec![vec![theta[0].zero_like(); p]; p];
    for (xj, rj) in data.x.iter().zip(&r) {
        let jr = jacobian_row(model, xj, theta);
        let support: Vec<usize> = (0..p).filter(|&k| jr[k] != jr[k].zero_like()).collect();
        for &a in &support {
            for &b in &support {
                h[a][b] = h[a][b].clone() + jr[a].clone() * jr[b].clone();
            }
        }
        each_partial(model, theta, |i, part| {
            for (a, b, v) in part.hess() {
                h[*a][*b] = h[*a][*b].clone() + rj.clone() * xj[i].clone() * v.clone();
            }
        });
    }
    h.into_iter()
        .map(|row| row.into_iter().map(|v| v / n.clone()).collect())
        .collect()
}

/// The Gauss–Newton Gram matrix K = (1/n)·J Jᵀ (n × n, rows J_j of the Jacobian of the
/// residuals): K_jl = (1/n) Σ_i x_ji x_li c_i with c_i = ‖∂β_i/∂θ‖² (`shared`: 4w_i²; `pm`:
/// 4(u_i² + v_i²); `uv`: u_i² + v_i²). The Gauss–Newton part (1/n)JᵀJ of ∇²L (p × p) has the
/// same nonzero eigenvalues as K, so at zero loss the sharpness is λ_max(K) (SPEC §5.1: K is
/// (4/n)·X D Xᵀ).
pub fn gauss_newton_gram<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> Vec<Vec<S>> {
    let zero = theta[0].zero_like();
    let mut c = Vec::new();
    each_partial(model, theta, |_, p| {
        c.push(
            p.grad()
                .iter()
                .fold(zero.clone(), |acc, (_, v)| acc + v.clone() * v.clone()),
        )
    });
    let n = data.n();
    let rows = data.x.len();
    let mut k = vec![vec![zero.clone(); rows]; rows];
    for j in 0..rows {
        let xc: Vec<S> = data.x[j]
            .iter()
            .zip(&c)
            .map(|(x, c)| x.clone() * c.clone())
            .collect();
        for l in j..rows {
            let v = dot(&xc, &data.x[l]) / n.clone();
            k[l][j] = v.clone();
            k[j][l] = v;
        }
    }
    k
}

/// A bound on the spectral norm of the curvature part C = ∇²L − (1/n)JᵀJ =
/// (1/n) Σ_i g_i ∂²β_i/∂θ² (g = Xᵀr): C is block diagonal with one block per coordinate, so
/// ‖C‖ ≤ max_i (|g_i|/n)·(largest absolute row sum of ∂²β_i/∂θ²), which is exact for every
/// model (`shared`, `pm`: diagonal blocks ±2; `uv`: the block [[0, 1], [1, 0]]). By Weyl's
/// inequality every eigenvalue of ∇²L lies within this bound of one of (1/n)JᵀJ.
pub fn curvature_bound<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> S {
    let r = residuals(model, data, theta);
    let d = model::dim_of(model, theta.len());
    let zero = theta[0].zero_like();
    let mut g = vec![zero.clone(); d];
    for (xj, rj) in data.x.iter().zip(&r) {
        for (gi, x) in g.iter_mut().zip(xj) {
            *gi = gi.clone() + rj.clone() * x.clone();
        }
    }
    let mut bound = zero.clone();
    each_partial(model, theta, |i, p| {
        let mut rows: [S; 2] = [zero.clone(), zero.clone()];
        let first = p.hess().first().map_or(0, |h| h.0);
        for (a, _, v) in p.hess() {
            let slot = usize::from(*a != first);
            rows[slot] = rows[slot].clone() + v.abs();
        }
        for row in rows {
            let b = g[i].abs() * row;
            if b > bound {
                bound = b;
            }
        }
    });
    bound / data.n()
}

/// Hessian-vector product ∇²L(θ)·v without forming the Hessian (O(n·p)).
pub fn hvp<S: Scalar>(model: Model, data: &Data<S>, theta: &[S], v: &[S]) -> Vec<S> {
    let p = theta.len();
    let r = residuals(model, data, theta);
    let n = data.n();
    let mut out = vec![theta[0].zero_like(); p];
    for (xj, rj) in data.x.iter().zip(&r) {
        let jr = jacobian_row(model, xj, theta);
        let jv = dot(&jr, v);
        for k in 0..p {
            out[k] = out[k].clone() + jr[k].clone() * jv.clone();
        }
        each_partial(model, theta, |i, part| {
            for (a, b, c) in part.hess() {
                out[*a] = out[*a].clone() + rj.clone() * xj[i].clone() * c.clone() * v[*b].clone();
            }
        });
    }
    out.into_iter().map(|e| e / n.clone()).collect()
}

/// The one-point Hessian (n = 1, residual r) as D + zzᵀ: the pairs (δ_k, z_k²), one pair per
/// parameter (SPEC §2, §6). H = JJᵀ + r·Σ_i x_i ∂²β_i with J = Σ_i x_i ∂β_i.
/// - `shared`: δ_i = 2r x_i, z_i² = 4x_i²w_i² (J_i = 2x_i w_i).
/// - `shared-depth` D: δ_i = r x_i D(D−1) w_i^{D−2}, z_i² = (x_i D w_i^{D−1})².
/// - `pm`: ∂²β_i = diag(2, −2), so δ = (2r x_i, −2r x_i) and z² = ((2x_i u_i)², (2x_i v_i)²).
/// - `uv`: the block r x_i [[0, 1], [1, 0]] has eigenvectors (1, ±1)/√2 with eigenvalues ±r x_i;
///   in that basis J_i = x_i(v_i, u_i) has components x_i(u_i ± v_i)/√2, so δ = (r x_i, −r x_i)
///   and z² = (x_i²(u_i+v_i)²/2, x_i²(u_i−v_i)²/2). The rotation is orthogonal, so the spectrum
///   is unchanged.
pub fn rank_one_form<S: Scalar>(model: Model, x: &[S], r: &S, theta: &[S]) -> (Vec<S>, Vec<S>) {
    let d = x.len();
    match model {
        Model::Uv => {
            let mut delta = Vec::with_capacity(2 * d);
            let mut z2 = Vec::with_capacity(2 * d);
            let two = r.int_like(2);
            for i in 0..d {
                let (u, v, x) = (theta[i].clone(), theta[d + i].clone(), x[i].clone());
                let rx = r.clone() * x.clone();
                let x2 = x.clone() * x;
                let p = u.clone() + v.clone();
                let m = u - v;
                delta.push(rx.clone());
                z2.push(x2.clone() * p.clone() * p / two.clone());
                delta.push(-rx);
                z2.push(x2 * m.clone() * m / two.clone());
            }
            (delta, z2)
        }
        Model::Shared => {
            let two = r.int_like(2);
            let four = r.int_like(4);
            let delta = x
                .iter()
                .map(|x| two.clone() * r.clone() * x.clone())
                .collect();
            let z2 = (0..d)
                .map(|i| {
                    four.clone() * x[i].clone() * x[i].clone() * theta[i].clone() * theta[i].clone()
                })
                .collect();
            (delta, z2)
        }
        Model::Pm | Model::SharedDepth(_) => {
            // ∂²β_i is diagonal in the block: δ_k = r x_i ∂²_kk β_i, z_k = x_i ∂_k β_i.
            let mut delta = vec![r.zero_like(); theta.len()];
            let mut z2 = vec![r.zero_like(); theta.len()];
            each_partial(model, theta, |i, part| {
                for ((k, g), (_, _, h)) in part.grad().iter().zip(part.hess()) {
                    let z = x[i].clone() * g.clone();
                    delta[*k] = r.clone() * x[i].clone() * h.clone();
                    z2[*k] = z.clone() * z;
                }
            });
            (delta, z2)
        }
    }
}
