//! Unit laws of small producer modules, through their public API: exact parsing and the fast
//! rational helpers against num-rational (`rational`), the float eigen-estimators on hand
//! examples (`estimate`), and the fast Bareiss inertia against the kernel's plain LDLᵀ (`ldl`).
//! (Kept out of `src/` so that `cargo test` does not build the library a second time as a test
//! harness: see `[lib] test = false` in Cargo.toml.)

mod rational {
    use dlncheck::numeric::rational::*;
    use num_bigint::{BigInt, BigUint};
    use num_traits::{Signed, ToPrimitive};

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    #[test]
    fn parses_all_accepted_forms() {
        assert_eq!(parse_q("3/6").unwrap(), q(1, 2));
        assert_eq!(
            parse_q("4/-8").unwrap(),
            q(-1, 2),
            "a signed denominator is normalised"
        );
        assert_eq!(parse_q("-7").unwrap(), q(-7, 1));
        assert_eq!(parse_q("0.125").unwrap(), q(1, 8));
        assert_eq!(parse_q("-3e-2").unwrap(), q(-3, 100));
        assert_eq!(parse_q("1.5E+3").unwrap(), q(1500, 1));
        assert_eq!(parse_q(".5").unwrap(), q(1, 2));
    }

    #[test]
    fn rejects_bad_forms_with_reason() {
        assert!(parse_q("1/0").unwrap_err().contains("zero denominator"));
        for bad in [
            "", "abc", "1/2/3", "1e", "--1", "0x10", "1.2.3", "nan", "inf", "1e999999",
        ] {
            assert!(parse_q(bad).is_err(), "{bad} should be rejected");
        }
    }

    proptest::proptest! {
        #[test]
        fn frac_equals_the_library_reduction(n in proptest::num::i128::ANY, d in proptest::num::i128::ANY, k in 0u32..200, m in 0u32..200) {
            proptest::prop_assume!(d != 0);
            // Scale by powers of 3 and 2 to cross the 128-bit boundary of the fast path.
            let n = BigInt::from(n) * num_traits::pow(BigInt::from(3), k as usize);
            let d = BigInt::from(d) * num_traits::pow(BigInt::from(2), m as usize) * num_traits::pow(BigInt::from(3), (k / 2) as usize);
            let f = frac(n.clone(), d.clone());
            let q = Q::new(n, d);
            proptest::prop_assert_eq!(f.numer(), q.numer());
            proptest::prop_assert_eq!(f.denom(), q.denom());
        }

        #[test]
        fn frac_factored_equals_the_library_reduction(n in proptest::num::i128::ANY, a in proptest::num::i64::ANY, b in proptest::num::i64::ANY, c in proptest::num::i64::ANY) {
            proptest::prop_assume!(a != 0 && b != 0 && c != 0);
            let (a, b, c) = (BigInt::from(a), BigInt::from(b), BigInt::from(c));
            let n = BigInt::from(n) * &a;  // share factors with the denominator
            let f = frac_factored(n.clone(), &[&a, &b, &c]);
            let q = Q::new(n, a * b * c);
            proptest::prop_assert_eq!(f.numer(), q.numer());
            proptest::prop_assert_eq!(f.denom(), q.denom());
        }

        #[test]
        fn fast_helpers_equal_plain_arithmetic(a in -1000i64..1000, b in 1i64..1000, c in -1000i64..1000, e in 1i64..1000, k in -5i64..5) {
            let (x, y) = (q(a, b), q(c, e));
            let l = q(k, 7);
            proptest::prop_assert_eq!(c_minus_lx(&y, &l, &x), &y - &l * &x);
            proptest::prop_assert_eq!(k_sq(k, &x), q(k, 1) * &x * &x);
            proptest::prop_assert_eq!(same_sign(&x, &y), (&x * &y).is_positive());
            proptest::prop_assert_eq!(mul(&x, &y), &x * &y);
        }

        #[test]
        fn cmp_abs_orders_like_abs(a in -1000i64..1000, b in 1i64..1000, c in -1000i64..1000, e in 1i64..1000) {
            let (x, y) = (q(a, b), q(c, e));
            proptest::prop_assert_eq!(cmp_abs(&x, &y), x.abs().cmp(&y.abs()));
            proptest::prop_assert_eq!(cmp(&x, &y), x.cmp(&y));
        }
    }

    /// A rational whose parts straddle the 64- and 128-bit boundaries of the fast paths.
    fn straddling() -> impl proptest::strategy::Strategy<Value = Q> {
        use proptest::prelude::*;
        (any::<i128>(), 0u32..140, any::<u128>(), 0u32..140, 0u32..3).prop_map(
            |(n, sn, d, sd, small)| {
                let n = BigInt::from(n >> (small * 60)) << (sn as usize / 2);
                let d = (BigInt::from(d >> (small * 60)) << (sd as usize / 2)) + 1u32;
                Q::new(n, d)
            },
        )
    }

    proptest::proptest! {
        #[test]
        fn word_paths_agree_with_num_rational(x in straddling(), y in straddling()) {
            proptest::prop_assert_eq!(mul(&x, &y), &x * &y);
            proptest::prop_assert_eq!(cmp(&x, &y), x.cmp(&y));
            proptest::prop_assert_eq!(cmp_abs(&x, &y), x.abs().cmp(&y.abs()));
            proptest::prop_assert_eq!(cmp(&x, &x), std::cmp::Ordering::Equal);
            let g = gcd_u128(x.numer().magnitude().to_u128().unwrap_or(7), y.denom().magnitude().to_u128().unwrap_or(5));
            let (a, b) = (x.numer().magnitude().to_u128().unwrap_or(7), y.denom().magnitude().to_u128().unwrap_or(5));
            proptest::prop_assert_eq!(BigUint::from(g), num_integer::Integer::gcd(&BigUint::from(a), &BigUint::from(b)));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_parser_agrees_with_the_general_one(n in proptest::num::i128::ANY, d in proptest::num::u128::ANY) {
            proptest::prop_assume!(d != 0 && n != i128::MIN);
            let text = format!("{n}/{d}");
            let general = Q::new(BigInt::from(n), BigInt::from(d));
            // The fast path either declines (39 digits) or agrees exactly; parse_q always agrees.
            if let Some(fast) = parse_small(&text) {
                proptest::prop_assert_eq!(fast.numer(), general.numer());
                proptest::prop_assert_eq!(fast.denom(), general.denom());
            }
            let parsed = parse_q(&text).unwrap();
            proptest::prop_assert_eq!(parsed.numer(), general.numer());
            proptest::prop_assert_eq!(parsed.denom(), general.denom());
        }
    }

    proptest::proptest! {
        #[test]
        fn digit_runs_parse_like_the_standard_library(v in proptest::num::u128::ANY, shift in 0u32..128) {
            let text = (v >> shift).to_string();
            proptest::prop_assume!(text.len() <= 38);
            proptest::prop_assert_eq!(digits_u128(text.as_bytes()), text.parse::<u128>().unwrap());
        }
    }

    #[test]
    fn formats_in_lowest_terms() {
        assert_eq!(fmt_q(&q(6, -4)), "-3/2");
        assert_eq!(fmt_q(&q(8, 4)), "2");
        assert_eq!(fmt_q(&q(0, 5)), "0");
    }
}

mod estimate {
    use dlncheck::spectra::estimate::*;

    #[test]
    fn jacobi_finds_hand_eigenpairs() {
        // [[2,1],[1,2]]: eigenvalues 3 (vector (1,1)/√2) and 1.
        let (vals, vecs) = jacobi_eigen(&[vec![2.0, 1.0], vec![1.0, 2.0]]);
        assert!((vals[0] - 3.0).abs() < 1e-14 && (vals[1] - 1.0).abs() < 1e-14);
        assert!((vecs[0][0].abs() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-14);
        assert!((vecs[0][0] - vecs[0][1]).abs() < 1e-14);
    }

    #[test]
    fn power_and_lanczos_on_a_diagonal() {
        let d = Dense(vec![
            vec![5.0f64, 0.0, 0.0],
            vec![0.0, -7.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ]);
        let p = power_iteration(&d, 500, 1e-15, 1);
        assert!((p.value + 7.0).abs() < 1e-9 && p.end == End::Smallest);
        let l = lanczos(&d, End::Largest, 10, 1e-14, 1);
        assert!((l.value - 5.0).abs() < 1e-12 && l.converged);
        let s = lanczos(&d, End::Smallest, 10, 1e-14, 1);
        assert!((s.value + 7.0).abs() < 1e-12);
    }
}

mod ldl {
    use dlncheck::numeric::ldl::inertia_integer;
    use dlncheck::numeric::rational::Q;
    use dlncheck::numeric::scalar::qi;
    use dlncheck_kernel::linalg::inertia;

    fn m(rows: &[&[i64]]) -> Vec<Vec<Q>> {
        rows.iter()
            .map(|r| r.iter().map(|&v| qi(v)).collect())
            .collect()
    }

    #[test]
    fn agrees_with_the_kernel_on_small_matrices_by_hand() {
        // [[2,1],[1,2]]: eigenvalues 1, 3; [[1,2],[2,1]]: −1, 3; [[1,1],[1,1]]: 0, 2;
        // [[0,1],[1,0]]: ±1 with a zero pivot and a non-zero column (undecided).
        type Inertia = Option<(usize, usize, usize)>;
        let cases: [(&[&[i64]], Inertia); 4] = [
            (&[&[2, 1], &[1, 2]], Some((0, 0, 2))),
            (&[&[1, 2], &[2, 1]], Some((1, 0, 1))),
            (&[&[1, 1], &[1, 1]], Some((0, 1, 1))),
            (&[&[0, 1], &[1, 0]], None),
        ];
        for (rows, want) in cases {
            assert_eq!(inertia_integer(&m(rows)), want);
            assert_eq!(inertia(&m(rows)), want);
        }
    }
}
