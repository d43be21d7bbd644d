//! `F256` (src/numeric/float256.rs) against two independent routes: `BigFloat` at 256 bits (dashu-float,
//! compared bit for bit through `to_q`) and a rounding function written here on exact rationals.

use crate::common::small_q;
use dlncheck::dynamics::gd::{self as dynamics, Data, Problem};
use dlncheck::io::instance::Model;
use dlncheck::numeric::float256::F256;
use dlncheck::numeric::rational::Q;
use dlncheck::numeric::scalar::{BigFloat, Scalar};
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

/// (−1)^neg · m · 2^e, exactly.
fn dyadic(neg: bool, m: BigUint, e: i64) -> Q {
    let m = BigInt::from(m);
    let m = if neg { -m } else { m };
    if e >= 0 {
        Q::from_integer(m << e as u64)
    } else {
        Q::new(m, BigInt::one() << (-e) as u64)
    }
}

fn pow2(e: i64) -> Q {
    dyadic(false, BigUint::one(), e)
}

/// E with 2^E ≤ |q| < 2^(E+1), for q ≠ 0.
fn floor_log2(q: &Q) -> i64 {
    let (n, d) = (q.numer().magnitude(), q.denom().magnitude());
    let mut e = n.bits() as i64 - d.bits() as i64;
    // 2^(e−1) < |q| < 2^(e+1): one comparison decides.
    let below = if e >= 0 {
        n < &(d << e as u64)
    } else {
        &(n << (-e) as u64) < d
    };
    if below {
        e -= 1;
    }
    e
}

/// The integer nearest to q ≥ 0, ties to even.
fn round_half_even(q: &Q) -> BigInt {
    let mut m = q.floor().to_integer();
    let frac = q - Q::from_integer(m.clone());
    let half = Q::new(1.into(), 2.into());
    if frac > half || (frac == half && m.is_odd()) {
        m += 1;
    }
    m
}

/// q rounded to 256 significant bits, to nearest, ties to even — in exact rationals.
fn round256(q: &Q) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    let e = floor_log2(q);
    let m = round_half_even(&(Signed::abs(q) * pow2(255 - e))); // of a value in [2^255, 2^256)
    let r = Q::from_integer(m) * pow2(e - 255);
    if q.is_negative() { -r } else { r }
}

/// Half an ulp of the 256-bit floats around q ≠ 0: 2^(E−256) for 2^E ≤ |q| < 2^(E+1).
fn half_ulp(q: &Q) -> Q {
    pow2(floor_log2(q) - 256)
}

fn f(q: &Q) -> F256 {
    F256::from_q(q, &())
}

fn bf(q: &Q) -> BigFloat {
    BigFloat::from_q(q, &256)
}

fn q_of<S: Scalar>(v: &S) -> Q {
    v.to_q().expect("finite")
}

/// A significand of 1 to 256 bits: full random limbs, or a few bits (exact sums and
/// cancellations are then common).
fn significand() -> impl Strategy<Value = BigUint> {
    prop_oneof![
        prop::array::uniform4(any::<u64>()).prop_map(|l| BigUint::from_slice(
            &l.iter()
                .flat_map(|&x| [x as u32, (x >> 32) as u32])
                .collect::<Vec<_>>()
        ) | (BigUint::one() << 255u32)),
        (1u64..=u64::MAX, 0u32..=192).prop_map(|(m, s)| BigUint::from(m) << s),
        (0u32..=255, 0u32..=255).prop_map(|(a, b)| (BigUint::one() << a) | (BigUint::one() << b)),
    ]
}

/// A value exactly representable in 256 bits, with integer exponent around `base`.
fn value_near(base: i64) -> impl Strategy<Value = Q> {
    (any::<bool>(), significand(), -3i64..=3)
        .prop_map(move |(neg, m, de)| dyadic(neg, m, base + de))
}

/// Pairs of representable values whose exponents differ by a little (cancellation), by up to
/// a few limbs (partial overlap) or by far more than 256 bits (only a sticky bit remains).
fn pair() -> impl Strategy<Value = (Q, Q)> {
    let gap = prop_oneof![-2i64..=2, -70i64..=70, -300i64..=300, -2000i64..=2000];
    (-400i64..=400, gap).prop_flat_map(|(e, g)| (value_near(e), value_near(e + g)))
}

/// An exact rational with numerator and denominator of up to ~600 bits, or zero.
fn rational() -> impl Strategy<Value = Q> {
    let big = prop::collection::vec(any::<u32>(), 1..20).prop_map(BigUint::new);
    prop_oneof![
        small_q(1_000_000, 999_999),
        (big.clone(), big, any::<bool>()).prop_filter_map("nonzero denominator", |(n, d, neg)| {
            (!d.is_zero()).then(|| {
                let n = BigInt::from(n);
                Q::new(if neg { -n } else { n }, BigInt::from(d))
            })
        }),
    ]
}

/// Checks one rounded result against exact rounding and, bit for bit, against BigFloat (whose
/// sums are formed exactly and rounded once, see `scalar::add_rounded`).
fn check(got: F256, reference: BigFloat, exact: &Q) -> Result<(), TestCaseError> {
    let g = q_of(&got);
    prop_assert_eq!(&g, &round256(exact), "not the correctly rounded value");
    if !exact.is_zero() {
        prop_assert!(Signed::abs(&(&g - exact)) <= half_ulp(exact));
    }
    prop_assert_eq!(&g, &q_of(&reference), "F256 and BigFloat differ");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_sub_mul_div_agree_with_bigfloat_and_exact_rounding((a, b) in pair()) {
        let (fa, fb, ba, bb) = (f(&a), f(&b), bf(&a), bf(&b));
        prop_assert_eq!(q_of(&fa), a.clone(), "representable values are held exactly");
        check(fa + fb, ba.clone() + bb.clone(), &(&a + &b))?;
        check(fa - fb, ba.clone() - bb.clone(), &(&a - &b))?;
        check(fb - fa, bb.clone() - ba.clone(), &(&b - &a))?;
        check(fa * fb, ba.clone() * bb.clone(), &(&a * &b))?;
        check(fa / fb, ba / bb, &(&a / &b))?;
    }

    #[test]
    fn ops_on_rounded_rationals((a, b) in (rational(), rational())) {
        let (fa, fb, ba, bb) = (f(&a), f(&b), bf(&a), bf(&b));
        check(fa, ba.clone(), &a)?;
        let (qa, qb) = (q_of(&fa), q_of(&fb));
        check(fa + fb, ba.clone() + bb.clone(), &(&qa + &qb))?;
        check(fa - fb, ba.clone() - bb.clone(), &(&qa - &qb))?;
        check(fa * fb, ba.clone() * bb.clone(), &(&qa * &qb))?;
        if !qb.is_zero() {
            check(fa / fb, ba / bb, &(&qa / &qb))?;
        }
    }

    // Sums whose exact value is a midpoint between two floats, or just beside one:
    // a = m·2^e (256 bits) plus b = ±(2^(e−1) + t·2^(e−1−k)) for t ∈ {−1, 0, 1}.
    #[test]
    fn sums_at_and_beside_midpoints(neg in any::<bool>(), m in significand(), sb in any::<bool>(), t in -1i64..=1, k in 1i64..=255, e in -300i64..300) {
        let a = dyadic(neg, m | (BigUint::one() << 255u32), e);
        let b = pow2(e - 1) + Q::from_integer(t.into()) * pow2(e - 1 - k);
        let b = if sb { -b } else { b };
        check(f(&a) + f(&b), bf(&a) + bf(&b), &(&a + &b))?;
        check(f(&a) - f(&b), bf(&a) - bf(&b), &(&a - &b))?;
    }

    // Products of two odd integers with 257 or 258 bits in total: a 257-bit odd product is an
    // exact midpoint; 258 bits exercise round and sticky.
    #[test]
    fn products_at_midpoints(a in any::<[u32; 8]>(), b in any::<[u32; 8]>(), ka in 2u64..=255, total in 257u64..=258, neg in any::<bool>(), e in -200i64..200) {
        // An odd integer of exactly k bits.
        let odd = |v: [u32; 8], k: u64| (BigUint::new(v.to_vec()) % (BigUint::one() << k)) | (BigUint::one() << (k - 1)) | BigUint::one();
        let (qa, qb) = (dyadic(neg, odd(a, ka), e), dyadic(false, odd(b, total - ka), -e));
        check(f(&qa) * f(&qb), bf(&qa) * bf(&qb), &(&qa * &qb))?;
    }

    // from_q on dyadic rationals with 257 and 258 significant bits: midpoints and near-midpoints.
    #[test]
    fn from_q_at_midpoints(m in significand(), low in 0u32..4, neg in any::<bool>(), e in -1000i64..1000) {
        let m = (m | (BigUint::one() << 255u32)) << 2u32 | BigUint::from(low);
        let q = dyadic(neg, m, e);
        check(f(&q), bf(&q), &q)?;
    }

    // Results just above a midpoint whose only evidence lies far below the round bit: the
    // product (2^255 + 1)(2^255 + 2^254 + t) has round bit 1, then ~190 zero bits, then t; the
    // quotient (2^255 + u)/(2^256 − 1) = ½ + u·2^-256 + 2^-257 + (2^255 + u)·2^-512 + … has its
    // tail beyond every computed quotient bit, visible only in the remainder.
    #[test]
    fn sticky_bits_far_below_the_round_bit(t in 1u64.., u in 0u64..1 << 60, na in any::<bool>(), nb in any::<bool>(), e in -300i64..300) {
        let one = BigUint::one();
        let a = dyadic(na, (&one << 255u32) + 1u32, e);
        let b = dyadic(nb, (&one << 255u32) + (&one << 254u32) + t, -e);
        check(f(&a) * f(&b), bf(&a) * bf(&b), &(&a * &b))?;
        let a = dyadic(na, (&one << 255u32) + u, e);
        let b = dyadic(nb, (&one << 256u32) - 1u32, -e);
        check(f(&a) / f(&b), bf(&a) / bf(&b), &(&a / &b))?;
    }

    #[test]
    fn from_q_round_trips_and_orders((a, b) in (rational(), rational())) {
        let (fa, fb) = (f(&a), f(&b));
        prop_assert_eq!(f(&q_of(&fa)), fa, "from_q(to_q(x)) = x");
        prop_assert_eq!(fa.partial_cmp(&fb), q_of(&fa).partial_cmp(&q_of(&fb)));
        prop_assert_eq!(fa == fb, q_of(&fa) == q_of(&fb));
        prop_assert_eq!(q_of(&-fa), -q_of(&fa));
        prop_assert_eq!(q_of(&Scalar::abs(&fa)), Signed::abs(&q_of(&fa)));
        prop_assert!(fa.is_finite());
    }

    #[test]
    fn to_f64_is_correctly_rounded(m in significand(), neg in any::<bool>(), e in -1400i64..1100) {
        let q = dyadic(neg, m, e - 255);
        let (x, top) = (f(&q), floor_log2(&q));
        if (-1022..1024).contains(&top) {
            // Normal range: f64::from_q and BigFloat's to_f64 both round the exact value.
            prop_assert_eq!(x.to_f64(), f64::from_q(&q, &()));
            prop_assert_eq!(x.to_f64().to_bits(), bf(&q).to_f64().to_bits(), "F256 and BigFloat disagree on {:?}", x);
        } else if top < -1022 {
            // Subnormal range: the nearest multiple k·2^-1074, ties to even, is f64 with bits k.
            // (dashu-float 0.6 rounds some values just above 2^-1075 down to 0 here.)
            let k = round_half_even(&(Signed::abs(&q) * pow2(1074)));
            let expected = f64::from_bits(u64::try_from(k).expect("k ≤ 2^52"));
            prop_assert_eq!(x.to_f64(), if neg { -expected } else { expected });
        } else {
            prop_assert_eq!(x.to_f64(), if neg { f64::NEG_INFINITY } else { f64::INFINITY });
        }
    }

    #[test]
    fn from_int_is_exact(n in any::<i64>()) {
        prop_assert_eq!(q_of(&F256::from_int(n, &())), Q::from_integer(n.into()));
        prop_assert_eq!(F256::from_int(n, &()), f(&Q::from_integer(n.into())));
    }
}

/// Significands from limbs (little-endian).
fn limbs(l: [u64; 4]) -> BigUint {
    l.iter()
        .rev()
        .fold(BigUint::zero(), |acc, &x| (acc << 64u32) + x)
}

/// Hand-built cases where a single low bit decides between a midpoint and just above it:
/// - sum with a carry out of the top limb: x = [1, ~0, ~0, ~0], y = [1, 0, 0, 2^63]·2^-64;
///   after the carry the round bit is 1, M is even, and the only nonzero bit below is the one
///   shifted out by the carry;
/// - quotient 3·2^254 / (2^255 + 1) = 3/2 − 3·2^-256 + 3·2^-511 − …: a 321-bit quotient whose
///   round bit is 1 with the following computed bits 0, the tail visible only in the remainder.
#[test]
fn single_low_bits_decide_near_midpoints() {
    let one = BigUint::one();
    for (na, nb, e) in [
        (false, false, 0),
        (true, true, 40),
        (false, true, -77),
        (true, false, 1000),
    ] {
        let x = dyadic(na, limbs([1, u64::MAX, u64::MAX, u64::MAX]), e);
        let y = dyadic(na, limbs([1, 0, 0, 1 << 63]), e - 64);
        check(f(&x) + f(&y), bf(&x) + bf(&y), &(&x + &y)).unwrap();
        let a = dyadic(na, BigUint::from(3u32) << 254u32, e);
        let b = dyadic(nb, (&one << 255u32) + 1u32, -e);
        check(f(&a) / f(&b), bf(&a) / bf(&b), &(&a / &b)).unwrap();
    }
}

#[test]
fn to_f64_edges() {
    let x = |q: Q| f(&q).to_f64();
    assert_eq!(x(pow2(-1074)), f64::from_bits(1));
    assert_eq!(x(pow2(-1075)), 0.0, "midpoint 2^-1075 ties to even (zero)");
    assert_eq!(x(pow2(-1075) + pow2(-1200)), f64::from_bits(1));
    assert_eq!(
        x(Q::from_integer(3.into()) * pow2(-1076)),
        f64::from_bits(1)
    );
    assert_eq!(
        x(Q::from_integer(3.into()) * pow2(-1075)),
        f64::from_bits(2),
        "1.5 ulp ties to even (2)"
    );
    assert_eq!(x(pow2(-2000)), 0.0);
    assert_eq!(x(-pow2(-1022)), -f64::MIN_POSITIVE);
    assert_eq!(x(pow2(1024) - pow2(971)), f64::MAX);
    assert_eq!(
        x(pow2(1024) - pow2(970)),
        f64::INFINITY,
        "midpoint above MAX ties to even (overflow)"
    );
    assert_eq!(x(pow2(1024) - pow2(970) - pow2(800)), f64::MAX);
    assert_eq!(x(-pow2(5000)), f64::NEG_INFINITY);
    assert_eq!(x(Q::new(1.into(), 3.into())), 1.0 / 3.0);
}

#[test]
fn zero_infinity_and_nan() {
    let (zero, one, two) = (
        F256::from_int(0, &()),
        F256::from_int(1, &()),
        F256::from_int(2, &()),
    );
    assert_eq!(q_of(&zero), Q::zero());
    assert_eq!(q_of(&(one - one)), Q::zero());
    assert_eq!(q_of(&(zero * -two)), Q::zero());
    assert_eq!(zero, -zero);
    let inf = one / zero;
    assert!(!inf.is_finite() && inf.to_q().is_none());
    assert!(inf > two && -inf < -two);
    assert_eq!(inf.to_f64(), f64::INFINITY);
    assert_eq!((-one / zero).to_f64(), f64::NEG_INFINITY);
    assert_eq!(
        (-one / zero).to_f64(),
        (bf(&-Q::one()) / bf(&Q::zero())).to_f64(),
        "x/0 = ±inf as in BigFloat"
    );
    let nan = zero / zero;
    assert!(!nan.is_finite() && nan.to_q().is_none() && nan.partial_cmp(&nan).is_none());
    assert!(!(inf - inf).is_finite() && !(inf * zero).is_finite());
    assert_eq!((inf + two).to_f64(), f64::INFINITY);
    assert_eq!(q_of(&(two / inf)), Q::zero());
    assert_eq!(F256::type_name(&()), BigFloat::type_name(&256));
    assert_eq!(
        format!("{:?}", -one),
        format!("F256(-0x8{}p-255)", "0".repeat(63))
    );
}

/// Exact rationals rounded to 256 bits after every operation: a slow, obviously correct model of
/// what F256 computes.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
struct R256(Q);

macro_rules! r256_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl std::ops::$tr for R256 {
            type Output = R256;
            fn $f(self, o: R256) -> R256 {
                R256(round256(&(self.0 $op o.0)))
            }
        }
    };
}
r256_op!(Add, add, +);
r256_op!(Sub, sub, -);
r256_op!(Mul, mul, *);
r256_op!(Div, div, /);

impl std::ops::Neg for R256 {
    type Output = R256;
    fn neg(self) -> R256 {
        R256(-self.0)
    }
}

impl Scalar for R256 {
    type Ctx = ();
    fn from_q(q: &Q, _: &()) -> R256 {
        R256(round256(q))
    }
    fn from_int(n: i64, _: &()) -> R256 {
        R256(Q::from_integer(n.into()))
    }
    fn ctx(&self) {}
    fn to_f64(&self) -> f64 {
        dlncheck::numeric::scalar::q_to_f64(&self.0)
    }
    fn to_q(&self) -> Option<Q> {
        Some(self.0.clone())
    }
    fn is_finite(&self) -> bool {
        true
    }
    fn type_name(_: &()) -> String {
        "r256".into()
    }
}

/// d = 20: x_i = 1 + ((i mod 7) − 2)/7 (positive) for `shared`, x_i = ((i mod 7) − 3)/2 (both
/// signs and zero) for `uv`; y = 3/2.
fn problem(model: Model) -> Problem {
    let d = 20;
    let x: Vec<Q> = (0..d as i64)
        .map(|i| {
            if model == Model::Uv {
                Q::new((i % 7 - 3).into(), 2.into())
            } else {
                Q::new((i % 7 - 2).into(), 7.into()) + Q::one()
            }
        })
        .collect();
    let theta0 = (0..d * model.block())
        .map(|i| Q::new((1 + i as i64 % 3).into(), 10.into()))
        .collect();
    Problem {
        model,
        x,
        y: Q::new(3.into(), 2.into()),
        theta0,
    }
}

/// Whole trajectories: θ and r after every one of 300 steps are the same dyadic numbers as with
/// every operation rounded exactly (R256), the secular bisection (divisions, comparisons) ends
/// on the same brackets, and BigFloat at 256 bits (a third implementation of the same rounding)
/// holds the same θ at the end.
#[test]
fn gradient_descent_matches_exact_rounding() {
    for model in [Model::Shared, Model::Uv] {
        let p = problem(model);
        let (df, dr, db) = (
            Data::<F256>::new(&p, &()),
            Data::<R256>::new(&p, &()),
            Data::<BigFloat>::new(&p, &256),
        );
        let eta_q = Q::new(1.into(), 20.into());
        let (ef, er, eb) = (f(&eta_q), R256::from_q(&eta_q, &()), bf(&eta_q));
        let mut sf = df.state(p.theta0.iter().map(f).collect());
        let mut sr = dr.state(p.theta0.iter().map(|q| R256::from_q(q, &())).collect());
        let mut sb = db.state(p.theta0.iter().map(bf).collect());
        for k in 0..300 {
            df.step(&ef, &mut sf);
            dr.step(&er, &mut sr);
            db.step(&eb, &mut sb);
            assert_eq!(
                q_of(&sf.r),
                sr.r.0,
                "{model:?}: residual differs at step {k}"
            );
            for (a, b) in sf.theta.iter().zip(&sr.theta) {
                assert_eq!(q_of(a), b.0, "{model:?}: θ differs at step {k}");
            }
        }
        for (a, b) in sf.theta.iter().zip(&sb.theta) {
            let (a, b) = (q_of(a), q_of(b));
            assert_eq!(a, b, "{model:?}: BigFloat and F256 differ after 300 steps");
        }
        let (mf, mr) = (df.measure(&sf, 320), dr.measure(&sr, 320));
        assert_eq!(q_of(&mf.loss), mr.loss.0);
        assert_eq!(q_of(&mf.norm), mr.norm.0);
        let ((fl, fh), (rl, rh)) = (mf.spectrum.sharpness(), mr.spectrum.sharpness());
        assert_eq!((q_of(&fl), q_of(&fh)), (rl.0, rh.0));
        let opts = dlncheck::report::gd::options(
            eta_q.clone(),
            200,
            dynamics::Precision::Bits(256),
            None,
            false,
        )
        .expect("options");
        let (rf, rr) = (
            dynamics::run::<F256>(&p, &(), &opts, &|_| {}),
            dynamics::run::<R256>(&p, &(), &opts, &|_| {}),
        );
        assert_eq!((rf.stop, rf.steps), (rr.stop, rr.steps));
        assert_ne!(
            rf.stop,
            dynamics::Stop::Diverged,
            "{model:?}: the comparison should cover a stable run"
        );
        assert_eq!(
            rf.state.theta.iter().map(q_of).collect::<Vec<_>>(),
            rr.state
                .theta
                .iter()
                .map(|v| v.0.clone())
                .collect::<Vec<_>>()
        );
    }
}
