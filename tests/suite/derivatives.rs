//! Gradient, Hessian and Hessian-vector product of the generic loss (src/models/loss.rs) against an
//! independent route: forward-mode dual numbers (and duals of duals for second derivatives),
//! running the *value* code path `loss::loss` on a dual scalar type, exactly over Q.

use crate::common::{nonzero_q, small_q};
use dlncheck::io::instance::Model;
use dlncheck::models::loss::{self, Data};
use dlncheck::numeric::rational::Q;
use dlncheck::numeric::scalar::Scalar;
use proptest::prelude::*;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// v + e·ε with ε² = 0.
#[derive(Clone, Debug, PartialEq)]
struct Dual<S> {
    v: S,
    e: S,
}

impl<S: Scalar> PartialOrd for Dual<S> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        self.v.partial_cmp(&o.v)
    }
}
impl<S: Scalar> Add for Dual<S> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Dual {
            v: self.v + o.v,
            e: self.e + o.e,
        }
    }
}
impl<S: Scalar> Sub for Dual<S> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Dual {
            v: self.v - o.v,
            e: self.e - o.e,
        }
    }
}
impl<S: Scalar> Mul for Dual<S> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Dual {
            v: self.v.clone() * o.v.clone(),
            e: self.v * o.e + self.e * o.v,
        }
    }
}
impl<S: Scalar> Div for Dual<S> {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        let v = self.v.clone() / o.v.clone();
        Dual {
            e: (self.e - v.clone() * o.e) / o.v,
            v,
        }
    }
}
impl<S: Scalar> Neg for Dual<S> {
    type Output = Self;
    fn neg(self) -> Self {
        Dual {
            v: -self.v,
            e: -self.e,
        }
    }
}
impl<S: Scalar> Scalar for Dual<S> {
    type Ctx = S::Ctx;
    fn from_q(q: &Q, ctx: &S::Ctx) -> Self {
        Dual {
            v: S::from_q(q, ctx),
            e: S::from_int(0, ctx),
        }
    }
    fn from_int(n: i64, ctx: &S::Ctx) -> Self {
        Dual {
            v: S::from_int(n, ctx),
            e: S::from_int(0, ctx),
        }
    }
    fn ctx(&self) -> S::Ctx {
        self.v.ctx()
    }
    fn to_f64(&self) -> f64 {
        self.v.to_f64()
    }
    fn to_q(&self) -> Option<Q> {
        self.v.to_q()
    }
    fn is_finite(&self) -> bool {
        self.v.is_finite()
    }
    fn type_name(ctx: &S::Ctx) -> String {
        format!("dual<{}>", S::type_name(ctx))
    }
}

type D2 = Dual<Dual<Q>>;

fn q0() -> Q {
    Q::from_integer(0.into())
}
fn q1() -> Q {
    Q::from_integer(1.into())
}
fn ind(b: bool) -> Q {
    if b { q1() } else { q0() }
}

/// Data lifted to D2 (constants: zero derivative parts).
fn lift(data: &Data<Q>) -> Data<D2> {
    let c = |q: &Q| D2::from_q(q, &());
    Data {
        x: data.x.iter().map(|r| r.iter().map(c).collect()).collect(),
        y: data.y.iter().map(c).collect(),
    }
}

/// θ seeded along direction a (outer ε) and b (inner ε).
fn seed(theta: &[Q], a: usize, b: usize) -> Vec<D2> {
    theta
        .iter()
        .enumerate()
        .map(|(i, t)| Dual {
            v: Dual {
                v: t.clone(),
                e: ind(i == b),
            },
            e: Dual {
                v: ind(i == a),
                e: q0(),
            },
        })
        .collect()
}

fn models() -> impl Strategy<Value = Model> {
    prop_oneof![
        Just(Model::Shared),
        Just(Model::Uv),
        Just(Model::Pm),
        Just(Model::SharedDepth(3)),
        Just(Model::SharedDepth(4))
    ]
}

/// (model, data, θ) with n ≤ 3 points, d ≤ 3.
fn problem() -> impl Strategy<Value = (Model, Data<Q>, Vec<Q>)> {
    (models(), 1usize..=3, 1usize..=3).prop_flat_map(|(m, n, d)| {
        (
            Just(m),
            proptest::collection::vec(proptest::collection::vec(small_q(5, 4), d), n),
            proptest::collection::vec(nonzero_q(5, 3), n),
            proptest::collection::vec(small_q(4, 3), d * m.block()),
        )
            .prop_map(|(m, x, y, theta)| (m, Data { x, y }, theta))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn gradient_and_hessian_match_dual_numbers((model, data, theta) in problem()) {
        let g = loss::gradient(model, &data, &theta);
        let h = loss::hessian(model, &data, &theta);
        let lifted = lift(&data);
        let p = theta.len();
        for a in 0..p {
            for b in 0..p {
                let l = loss::loss(model, &lifted, &seed(&theta, a, b));
                prop_assert_eq!(&l.v.v, &loss::loss(model, &data, &theta));
                prop_assert_eq!(&l.e.v, &g[a], "∂L/∂θ_{}", a);
                prop_assert_eq!(&l.v.e, &g[b], "∂L/∂θ_{}", b);
                prop_assert_eq!(&l.e.e, &h[a][b], "∂²L/∂θ_{}∂θ_{}", a, b);
            }
        }
    }

    #[test]
    fn hvp_is_hessian_times_vector((model, data, theta) in problem(), seed_v in proptest::collection::vec(small_q(3, 2), 8)) {
        let h = loss::hessian(model, &data, &theta);
        let v: Vec<Q> = (0..theta.len()).map(|i| seed_v[i % seed_v.len()].clone()).collect();
        let hv = loss::hvp(model, &data, &theta, &v);
        for (row, out) in h.iter().zip(&hv) {
            let expect: Q = row.iter().zip(&v).map(|(a, b)| a * b).sum();
            prop_assert_eq!(&expect, out);
        }
    }
}

#[test]
fn shared_one_point_hessian_is_the_spec_formula() {
    // SPEC §2: ∇²L = 4aaᵀ + 2r·diag(x), a = x⊙w, worked for x = (1, 2), w = (1, 1), y = 1:
    // β = (1, 1), r = 1 + 2 − 1 = 2, a = (1, 2); H = 4[[1,2],[2,4]] + 4·diag(1, 2) = [[8,8],[8,24]].
    let q = |n: i64| Q::from_integer(n.into());
    let data = Data {
        x: vec![vec![q(1), q(2)]],
        y: vec![q(1)],
    };
    let h = loss::hessian(Model::Shared, &data, &[q(1), q(1)]);
    assert_eq!(h, vec![vec![q(8), q(8)], vec![q(8), q(24)]]);
    // ∇L = 2r(x⊙w) = (4, 8); L = r²/2 = 2.
    assert_eq!(
        loss::gradient(Model::Shared, &data, &[q(1), q(1)]),
        vec![q(4), q(8)]
    );
    assert_eq!(loss::loss(Model::Shared, &data, &[q(1), q(1)]), q(2));
}
