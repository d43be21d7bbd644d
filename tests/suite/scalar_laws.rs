//! Laws of the scalar trait (src/numeric/scalar.rs), each against an independent route.

use crate::common::small_q;
use dlncheck::numeric::rational::{Q, parse_q};
use dlncheck::numeric::scalar::{BigFloat, Scalar};
use num_traits::{Signed, Zero};
use proptest::prelude::*;

/// A decimal string m·10^e with a random mantissa and exponent.
fn decimal() -> impl Strategy<Value = String> {
    (any::<bool>(), 1u64..=999_999_999_999u64, -30i32..=30)
        .prop_map(|(neg, m, e)| format!("{}{m}e{e}", if neg { "-" } else { "" }))
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

/// q rounded to `p` significant bits, to nearest, ties to even — in exact rationals.
fn round_bits(q: &Q, p: u32) -> Q {
    use num_bigint::BigInt;
    use num_integer::Integer;
    if q.is_zero() {
        return Q::zero();
    }
    let pow2 = |e: i64| {
        if e >= 0 {
            Q::from_integer(BigInt::from(1) << e as u64)
        } else {
            Q::new(1.into(), BigInt::from(1) << (-e) as u64)
        }
    };
    let a = Signed::abs(q);
    // E with 2^E ≤ |q| < 2^(E+1).
    let mut e = a.numer().bits() as i64 - a.denom().bits() as i64;
    if a < pow2(e) {
        e -= 1;
    }
    let scaled = &a * pow2(p as i64 - 1 - e); // in [2^(p−1), 2^p)
    let mut m = scaled.floor().to_integer();
    let frac = &scaled - Q::from_integer(m.clone());
    let half = Q::new(1.into(), 2.into());
    if frac > half || (frac == half && m.is_odd()) {
        m += 1;
    }
    let r = Q::from_integer(m) * pow2(e + 1 - p as i64);
    if q.is_negative() { -r } else { r }
}

/// A p-bit float: a random significand of at most p bits at a random exponent around `base`.
fn p_bit_value(p: u32, base: i64) -> impl Strategy<Value = Q> {
    (
        any::<bool>(),
        prop::collection::vec(any::<u32>(), 1..12),
        0u32..3,
        -3i64..=3,
    )
        .prop_map(move |(neg, words, sparse, de)| {
            use num_bigint::{BigInt, BigUint};
            let mut m = BigUint::new(words);
            if sparse > 0 {
                m = (BigUint::from(1u32) << (m.bits() % p as u64)) | BigUint::from(sparse);
            }
            let excess = m.bits().saturating_sub(p as u64);
            let m = BigInt::from(m >> excess);
            let m = if neg { -m } else { m };
            let e = base + de;
            if e >= 0 {
                Q::from_integer(m << e as u64)
            } else {
                Q::new(m, BigInt::from(1) << (-e) as u64)
            }
        })
}

/// (p, a, b): two p-bit floats whose exponents differ by a little, by a few words or by far more
/// than p bits.
fn sum_operands() -> impl Strategy<Value = (u32, Q, Q)> {
    let gap = prop_oneof![-3i64..=3, -80i64..=80, -700i64..=700];
    (
        prop::sample::select(vec![2u32, 24, 53, 100, 255, 256, 300]),
        -300i64..300,
        gap,
    )
        .prop_flat_map(|(p, e, g)| (Just(p), p_bit_value(p, e), p_bit_value(p, e + g)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    // Sums and differences of BigFloats are correctly rounded at every precision, whatever the
    // gap between the exponents (cancellation, partial overlap, only a sticky bit left).
    #[test]
    fn bigfloat_sums_are_correctly_rounded((p, a, b) in sum_operands()) {
        let (fa, fb) = (BigFloat::from_q(&a, &(p as usize)), BigFloat::from_q(&b, &(p as usize)));
        prop_assert_eq!(fa.to_q().unwrap(), a.clone(), "a p-bit value is held exactly");
        prop_assert_eq!((fa.clone() + fb.clone()).to_q().unwrap(), round_bits(&(&a + &b), p));
        prop_assert_eq!((fa.clone() - fb.clone()).to_q().unwrap(), round_bits(&(&a - &b), p));
        prop_assert_eq!((fb - fa).to_q().unwrap(), round_bits(&(&b - &a), p));
    }
}

#[test]
fn the_guard_bit_case_rounds_to_256_bits() {
    // 3 − 3·2^-255 needs 257 bits; dashu-float's own subtraction returned it unrounded.
    let (a, b) = (
        Q::from_integer(3.into()),
        Q::new(3.into(), num_bigint::BigInt::from(1) << 255u32),
    );
    let d = BigFloat::from_q(&a, &256) - BigFloat::from_q(&b, &256);
    assert_eq!(d.to_q().unwrap(), round_bits(&(&a - &b), 256));
    assert_ne!(
        d.to_q().unwrap(),
        &a - &b,
        "the exact difference has 257 bits"
    );
}

#[test]
fn bigfloat_division_by_zero_is_not_finite_and_does_not_panic() {
    let (zero, one) = (BigFloat::from_int(0, &100), BigFloat::from_int(1, &100));
    assert!(!(one.clone() / zero.clone()).is_finite());
    assert!(!(-one / zero.clone()).is_finite());
    assert!(!(zero.clone() / zero).is_finite());
}
