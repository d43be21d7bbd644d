//! The one-point problem (SPEC §2, §4): one data point (x, y), a model and its initialisation
//! θ0, in exact rationals. What a gradient-descent trajectory and the gradient flow start from.

use crate::error::{Error, Result};
use crate::io::instance::{Init, Instance, Model, OnePoint};
use crate::numeric::rational::Q;
use num_traits::Zero;

/// Default initialisation scale when the instance has no `[init]`: θ0 = α·1 with α = 1/10
/// (small initialisation: the "rich" regime, where gradient flow ends near the min-norm point).
pub const DEFAULT_ALPHA: (i64, i64) = (1, 10);

/// One data point, model and initialisation in exact rationals: what a trajectory starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub model: Model,
    pub x: Vec<Q>,
    pub y: Q,
    /// θ0 (w for `shared` and `shared-depth`; u then v for `uv` and `pm`), no zero entry.
    pub theta0: Vec<Q>,
}

impl Problem {
    /// The one-point problem of an instance, any model: θ0 from `[init]` (`alpha` sets every
    /// parameter to α: w = α·1, or u = v = α·1, see docs/models.md) or the default α = 1/10.
    /// A zero entry of θ0 is refused: for `shared`, `shared-depth` and `pm` GD and GF never move
    /// it (∂L/∂θ_k is a multiple of θ_k). For `uv` a zero u_i with v_i ≠ 0 would move; the one
    /// rule is kept for every model (u_i = v_i = 0 is a fixed point).
    pub fn of(inst: &Instance) -> Result<Problem> {
        let (x, y) = inst.point()?;
        let p = x.len() * inst.model.block();
        let theta0 = match &inst.init {
            None => vec![Q::new(DEFAULT_ALPHA.0.into(), DEFAULT_ALPHA.1.into()); p],
            Some(Init::Alpha(a)) => vec![a.clone(); p],
            Some(Init::Theta(t)) => t.clone(),
        };
        if let Some(i) = theta0.iter().position(Zero::is_zero) {
            return Err(Error::input(&inst.source, format!("init.theta[{i}]"), "zero entry: that coordinate can never move under GD"));
        }
        Ok(Problem { model: inst.model, x: x.to_vec(), y: y.clone(), theta0 })
    }

    /// β(θ0).
    pub fn beta0(&self) -> Vec<Q> {
        crate::models::model::beta(self.model, &self.theta0)
    }
}
