//! Laws of the scalar trait (src/scalar.rs), each against an independent route.

mod common;

use common::small_q;
use dlncheck::rational::{parse_q, Q};
use dlncheck::scalar::{BigFloat, Scalar};
use num_traits::{Signed, Zero};
use proptest::prelude::*;

/// A decimal string m·10^e with a random mantissa and exponent.
fn decimal() -> impl Strategy<Value = String> {
    (any::<bool>(), 1u64..=999_999_999_999u64, -30i32..=30).prop_map(|(neg, m, e)| format!("{}{m}e{e}", if neg { "-" } else { "" }))
}

/// |approx − exact| ≤ |exact|·2^-bits (round to nearest at `bits` significant bits).
fn within_half_ulp(approx: &Q, exact: &Q, bits: u32) -> bool {
    let bound = Signed::abs(exact) / Q::from_integer(num_bigint::BigInt::from(2u32).pow(bits));
    Signed::abs(&(approx - exact)) <= bound
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // from_q is correctly rounded: Rust's own decimal parser is correctly rounded too.
    #[test]
    fn from_q_rounds_like_the_standard_library(s in decimal()) {
        let q = parse_q(&s).unwrap();
        prop_assert_eq!(f64::from_q(&q, &()), s.parse::<f64>().unwrap());
        prop_assert_eq!(f32::from_q(&q, &()), s.parse::<f32>().unwrap());
        prop_assert_eq!(BigFloat::from_q(&q, &53).to_f64(), s.parse::<f64>().unwrap());
    }

    // to_q returns the exact value held; from_q of it gives the value back.
    #[test]
    fn to_q_is_exact(s in decimal(), bits in 2usize..300) {
        let q = parse_q(&s).unwrap();
        let f = f64::from_q(&q, &());
        prop_assert_eq!(f64::from_q(&f.to_q().unwrap(), &()), f);
        let b = BigFloat::from_q(&q, &bits);
        let back = b.to_q().unwrap();
        prop_assert_eq!(BigFloat::from_q(&back, &bits), b);
        prop_assert!(within_half_ulp(&back, &q, bits as u32));
        prop_assert_eq!(Q::from_q(&q, &()).to_q().unwrap(), q);
    }

    // Field operations of BigFloat are rounded to nearest at the operands' precision.
    #[test]
    fn bigfloat_ops_round_to_nearest(a in small_q(1_000_000, 999_999), b in small_q(1_000_000, 999_999), bits in prop::sample::select(vec![24usize, 53, 100, 256])) {
        let (fa, fb) = (BigFloat::from_q(&a, &bits), BigFloat::from_q(&b, &bits));
        let (qa, qb) = (fa.to_q().unwrap(), fb.to_q().unwrap());
        let cases = [
            ((fa.clone() + fb.clone()), &qa + &qb),
            ((fa.clone() - fb.clone()), &qa - &qb),
            ((fa.clone() * fb.clone()), &qa * &qb),
        ];
        for (got, exact) in cases {
            prop_assert!(within_half_ulp(&got.to_q().unwrap(), &exact, bits as u32));
        }
        if !qb.is_zero() {
            let got = (fa / fb).to_q().unwrap();
            prop_assert!(within_half_ulp(&got, &(qa / qb), bits as u32));
        }
    }

    // Q arithmetic is exact and reduced.
    #[test]
    fn rationals_are_reduced(a in small_q(1000, 999), b in small_q(1000, 999)) {
        let s = &a * &b + &a;
        let g = num_integer::Integer::gcd(s.numer(), s.denom());
        prop_assert_eq!(g, num_bigint::BigInt::from(1u32));
        prop_assert!(s.denom().is_positive());
    }
}

#[test]
fn abs_and_int_like_follow_the_context() {
    let b = BigFloat::from_q(&parse_q("-3/7").unwrap(), &300);
    assert_eq!(b.abs().bits(), 300);
    assert!(b.abs() > b.zero_like());
    assert_eq!(b.int_like(5).bits(), 300);
    assert_eq!(f32::type_name(&()), "f32");
    assert_eq!(BigFloat::type_name(&256), "bf256");
    assert_eq!((-2.5f64).abs(), Scalar::abs(&-2.5f64));
}
