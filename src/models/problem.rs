//! The one-point problem (SPEC §2, §4): one data point (x, y), a model and its initialisation
//! θ0, in exact rationals. What a gradient-descent trajectory and the gradient flow start from.

use crate::error::{Error, Result};
use crate::io::instance::{Init, Instance, Model, OnePoint};
use crate::numeric::rational::Q;

/// Default initialisation scale when the instance has no `[init]`: θ0 = α·1 with α = 1/10
/// (small initialisation: the "rich" regime, where gradient flow ends near the min-norm point).
pub const DEFAULT_ALPHA: (i64, i64) = (1, 10);

/// θ0 of an instance (see [`Problem::of`]), for any number of data points.
pub fn theta0(inst: &Instance) -> Result<Vec<Q>> {
    let p = inst.dim() * inst.model.block();
    let theta0 = match &inst.init {
        None => vec![Q::new(DEFAULT_ALPHA.0.into(), DEFAULT_ALPHA.1.into()); p],
        Some(Init::Alpha(a)) => vec![a.clone(); p],
        Some(Init::Theta(t)) => t.clone(),
    };
    if let Some((i, why)) = dlncheck_kernel::instance::frozen_parameter(inst.model, &theta0) {
        return Err(Error::input(&inst.source, format!("init.theta[{i}]"), why));
    }
    Ok(theta0)
}

/// n ≥ 1 data points (rows x_j of X, labels y_j), model and initialisation in exact rationals:
/// what a gradient-descent run on several points starts from (issue 15 item 5). With n = 1
/// it is a [`Problem`] ([`Points::one_point`]), and runs take the one-point route.
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    pub model: Model,
    pub x: Vec<Vec<Q>>,
    pub y: Vec<Q>,
    pub theta0: Vec<Q>,
}

impl Points {
    /// The points of an instance (`x`/`y` or `X`/`y`), θ0 as for [`Problem::of`].
    pub fn of(inst: &Instance) -> Result<Points> {
        Ok(Points {
            model: inst.model,
            x: inst.x.clone(),
            y: inst.y.clone(),
            theta0: theta0(inst)?,
        })
    }

    /// The number of data points n.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// The one-point problem when n = 1.
    pub fn one_point(&self) -> Option<Problem> {
        (self.y.len() == 1).then(|| Problem {
            model: self.model,
            x: self.x[0].clone(),
            y: self.y[0].clone(),
            theta0: self.theta0.clone(),
        })
    }
}

/// One data point, model and initialisation in exact rationals: what a trajectory starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub model: Model,
    pub x: Vec<Q>,
    pub y: Q,
    /// θ0 (w for `shared` and `shared-depth`; u then v for `uv` and `pm`); no parameter that GD
    /// can never move.
    pub theta0: Vec<Q>,
}

impl Problem {
    /// The one-point problem of an instance, any model: θ0 from `[init]` (`alpha` sets every
    /// parameter to α: w = α·1, or u = v = α·1, see docs/models.md) or the default α = 1/10.
    /// A parameter GD can never move is refused
    /// ([`dlncheck_kernel::instance::frozen_parameter`]): a zero entry for `shared`,
    /// `shared-depth` and `pm`, a zero pair u_i = v_i = 0 for `uv` (where u0 = a·1, v0 = 0 is
    /// the literature's usual start and runs).
    pub fn of(inst: &Instance) -> Result<Problem> {
        let (x, y) = inst.point()?;
        Ok(Problem {
            model: inst.model,
            x: x.to_vec(),
            y: y.clone(),
            theta0: theta0(inst)?,
        })
    }

    /// β(θ0).
    pub fn beta0(&self) -> Vec<Q> {
        crate::models::model::beta(self.model, &self.theta0)
    }
}
