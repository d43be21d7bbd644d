//! Square loss, gradient and full Hessian (SPEC §1), written once over [`Scalar`].
//!
//! L(θ) = (1/(2n)) Σ_j r_j², r_j = ⟨x_j, β(θ)⟩ − y_j.
//! ∇L = (1/n) Σ_j r_j J_j with J_j = Σ_i x_ji ∂β_i/∂θ;
//! ∇²L = (1/n) Σ_j (J_j J_jᵀ + r_j Σ_i x_ji ∂²β_i/∂θ²).
//! For `shared` and n = 1 this is ∇²L = 4 a aᵀ + 2 r diag(x), a = x ⊙ w (SPEC §2).

use crate::io::instance::Instance;
use crate::models::model::{self, Model};
use crate::numeric::scalar::Scalar;

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
            x: inst.x.iter().map(|r| r.iter().map(|q| S::from_q(q, ctx)).collect()).collect(),
            y: inst.y.iter().map(|q| S::from_q(q, ctx)).collect(),
        }
    }

    fn n(&self) -> S {
        self.y[0].int_like(self.y.len() as i64)
    }
}

fn dot<S: Scalar>(a: &[S], b: &[S]) -> S {
    let mut acc = a[0].zero_like();
    for (p, q) in a.iter().zip(b) {
        acc = acc + p.clone() * q.clone();
    }
    acc
}

/// Residuals r_j = ⟨x_j, β(θ)⟩ − y_j.
pub fn residuals<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> Vec<S> {
    let b = model::beta(model, theta);
    data.x.iter().zip(&data.y).map(|(xj, yj)| dot(xj, &b) - yj.clone()).collect()
}

/// L(θ) = (1/(2n)) Σ_j r_j².
pub fn loss<S: Scalar>(model: Model, data: &Data<S>, theta: &[S]) -> S {
    let r = residuals(model, data, theta);
    let two_n = data.n() * data.y[0].int_like(2);
    dot(&r, &r) / two_n
}

/// J_j = ∂⟨x_j, β⟩/∂θ as a dense vector.
fn jacobian_row<S: Scalar>(model: Model, xj: &[S], theta: &[S]) -> Vec<S> {
    let d = xj.len();
    let mut row = vec![theta[0].zero_like(); theta.len()];
    for (i, xi) in xj.iter().enumerate() {
        for (k, v) in model::dbeta(model, theta, d, i) {
            row[k] = row[k].clone() + xi.clone() * v;
        }
    }
    row
}

/// ∇L(θ).
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
    let d = model::dim_of(model, p);
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
        for (i, xi) in xj.iter().enumerate() {
            for (a, b, v) in model::d2beta(model, theta, d, i) {
                h[a][b] = h[a][b].clone() + rj.clone() * xi.clone() * v;
            }
        }
    }
    h.into_iter().map(|row| row.into_iter().map(|v| v / n.clone()).collect()).collect()
}

/// Hessian-vector product ∇²L(θ)·v without forming the Hessian (O(n·p)).
pub fn hvp<S: Scalar>(model: Model, data: &Data<S>, theta: &[S], v: &[S]) -> Vec<S> {
    let p = theta.len();
    let d = model::dim_of(model, p);
    let r = residuals(model, data, theta);
    let n = data.n();
    let mut out = vec![theta[0].zero_like(); p];
    for (xj, rj) in data.x.iter().zip(&r) {
        let jr = jacobian_row(model, xj, theta);
        let jv = dot(&jr, v);
        for k in 0..p {
            out[k] = out[k].clone() + jr[k].clone() * jv.clone();
        }
        for (i, xi) in xj.iter().enumerate() {
            for (a, b, c) in model::d2beta(model, theta, d, i) {
                out[a] = out[a].clone() + rj.clone() * xi.clone() * c * v[b].clone();
            }
        }
    }
    out.into_iter().map(|e| e / n.clone()).collect()
}
