//! Work limits (proofs/FORMAT.md §6, docs/limits.md): for each measure, a generator of the
//! worst-case claim file of a family, grown to the largest size the limits admit; the file one
//! step larger must be refused by the real binary with exit 2 and one line naming the measure.
//! The timed run of the admitted worst cases (60 s, 2 GB) is `benches/limits.sh`, which writes
//! them with the ignored test `write_worst_cases` below.

use super::common::{run, temp_dir};
use dlncheck_kernel::{instance, limits, tree};

/// A one-point `gd-limit` claim: d coordinates, K steps at P bits; `x_small` puts 10^−k on every
/// other coordinate (the widest exponent spread), `zero` makes r₀ = 0 exactly.
fn gd(d: usize, steps: u64, bits: u64, x_small: Option<usize>, zero: bool) -> String {
    let x: Vec<String> = (0..d)
        .map(|i| match x_small {
            Some(k) if i % 2 == 0 => format!("\"1/1{}\"", "0".repeat(k)),
            _ => "\"1\"".into(),
        })
        .collect();
    let y = if zero { d.to_string() } else { "1".into() };
    let alpha = if zero { "1" } else { "1/3" };
    let beta = vec!["{ lo = \"0\", hi = \"1\" }"; d].join(", ");
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [{}]\ny = \"{y}\"\n[instance.init]\nalpha = \"{alpha}\"\n\
         [[claim]]\nkind = \"gd-limit\"\nlr = \"1/{}\"\nsteps = {steps}\nbits = {bits}\nq = \"1/2\"\nrho = \"0\"\n\
         beta = [{beta}]\nnorm = {{ lo = \"0\", hi = \"1\" }}\nsharpness = {{ lo = \"0\", hi = \"1\" }}\n\
         eos_margin = {{ lo = \"0\", hi = \"1\" }}\n",
        x.join(", "),
        8 * d
    )
}

/// A `lambda-max` claim on an n × n symmetric matrix of entries with about `digits` digits,
/// checked by the exact LDLᵀ routes (inertia and definite).
fn lambda(n: usize, digits: usize) -> String {
    let mut s: u64 = 12345;
    let mut m = vec![vec![String::new(); n]; n];
    for i in 0..n {
        for j in 0..=i {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let lead = 1 + (s >> 33) % 9;
            let sign = if (s >> 20) & 1 == 1 { "-" } else { "" };
            let v = format!("\"{sign}{lead}{}\"", "7".repeat(digits.saturating_sub(1)));
            m[i][j] = v.clone();
            m[j][i] = v;
        }
    }
    let rows: Vec<String> = m.iter().map(|r| format!("[{}]", r.join(", "))).collect();
    format!(
        "version = 2\n[[claim]]\nkind = \"lambda-max\"\nlower = \"inertia\"\nupper = \"definite\"\n\
         lo = \"-1\"\nhi = \"1\"\nhi_minus_lo = \"2\"\nmatrix = [{}]\n",
        rows.join(",\n")
    )
}

/// A T1-G `best-linear` claim with d coordinates and `atoms` discrete atoms.
fn t1g(d: usize, atoms: usize) -> String {
    let x = vec!["\"1\""; d].join(", ");
    let w = if atoms == 1 {
        "1".to_string()
    } else {
        format!("1/{atoms}")
    };
    let list: Vec<String> = (0..atoms)
        .map(|a| {
            let b: Vec<String> = (0..d)
                .map(|i| format!("\"{}\"", if i == 0 { 1 } else { (a + i) % 3 }))
                .collect();
            format!("{{ weight = \"{w}\", beta = [{}] }}", b.join(", "))
        })
        .collect();
    let zeros = vec!["\"0\""; d].join(", ");
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [{x}]\ny = \"1\"\n[instance.teacher]\n\
         kind = \"discrete\"\natoms = [{}]\n[[claim]]\nkind = \"best-linear\"\nvalue = \"0\"\nnu = \"0\"\n\
         c = [{zeros}]\nmu = [{zeros}]\n",
        list.join(",\n")
    )
}

/// The kernel's work-limit verdict on a file's text: Ok(work) when admitted.
fn admitted(text: &str) -> Result<limits::Work, String> {
    let root = tree::parse_text("f.toml", text).map_err(|e| e.to_string())?;
    let tree::Tree::Table(top) = &root else {
        return Err("not a table".into());
    };
    let field = |k: &str| top.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let inst = match field("instance") {
        Some(t) => Some(
            instance::load("f.toml", t, "instance", tree::Numbers::Canonical)
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let Some(tree::Tree::List(claims)) = field("claim") else {
        return Err("no claims".into());
    };
    limits::admit("f.toml", claims, inst.as_ref()).map_err(|e| e.to_string())
}

/// The largest k in [lo, hi) whose file `make(k)` is admitted (admission is monotone in k).
fn largest(lo: u64, hi: u64, make: &dyn Fn(u64) -> String) -> u64 {
    let (mut lo, mut hi) = (lo, hi);
    assert!(admitted(&make(lo)).is_ok(), "the smallest size is admitted");
    assert!(admitted(&make(hi)).is_err(), "the largest size is refused");
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if admitted(&make(mid)).is_ok() {
            lo = mid
        } else {
            hi = mid
        }
    }
    lo
}

/// Every family: (name, measure, generator, search range).
type Family = (
    &'static str,
    &'static str,
    Box<dyn Fn(u64) -> String>,
    u64,
    u64,
);

fn families() -> Vec<Family> {
    vec![
        (
            "gd-p4096",
            "gd",
            Box::new(|k| gd(4, k, 4096, None, false)),
            1,
            1_000_000,
        ),
        (
            "gd-p64-spread",
            "gd",
            Box::new(|k| gd(8, k, 64, Some(3000), false)),
            1,
            1_000_000,
        ),
        (
            "gd-zero-residual",
            "gd",
            Box::new(|k| gd(16, k, 64, None, true)),
            1,
            1_000_000,
        ),
        (
            "gd-wide-d",
            "gd",
            Box::new(|d| gd(d as usize, 1000, 64, None, false)),
            1,
            200_000,
        ),
        (
            "ldl-small-entries",
            "ldl",
            Box::new(|n| lambda(n as usize, 1)),
            1,
            300,
        ),
        (
            "ldl-big-entries",
            "ldl",
            Box::new(|n| lambda(n as usize, 3000)),
            1,
            300,
        ),
        (
            "dense-t1g-one-atom",
            "dense",
            Box::new(|d| t1g(d as usize, 1)),
            1,
            20_000,
        ),
        (
            "dense-t1g-40-atoms",
            "dense",
            Box::new(|d| t1g(d as usize, 40)),
            1,
            20_000,
        ),
    ]
}

fn refused_by_the_binary(name: &str, measure: &str, text: &str) {
    let dir = temp_dir(&format!("limits-{name}"));
    let path = dir.join(format!("{name}-over.claim.toml"));
    std::fs::write(&path, text).unwrap();
    assert!(text.len() < 1 << 20, "{name}: the file is under 1 MB");
    let out = run(&["check", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: exit 2, stderr {err}");
    let line = err
        .lines()
        .find(|l| l.contains("over the limit"))
        .unwrap_or_default();
    assert!(
        line.contains(&format!("needs {measure} work")),
        "{name}: the line names the measure `{measure}`: {err}"
    );
}

/// One family per test: its largest admitted file is under 1 MB, and one size more is refused.
fn family(name: &str) {
    let (_, measure, make, lo, hi) = families()
        .into_iter()
        .find(|f| f.0 == name)
        .expect("a family of that name");
    let k = largest(lo, hi, &*make);
    assert!(
        make(k).len() < 1 << 20,
        "{name}: the worst case is under 1 MB"
    );
    let over = make(k + 1);
    let why = admitted(&over).expect_err("one size more is over");
    assert!(why.contains(measure), "{why}");
    refused_by_the_binary(name, measure, &over);
}

#[test]
fn gd_at_4096_bits_is_bounded_in_steps() {
    family("gd-p4096");
}

#[test]
fn gd_with_a_wide_exponent_spread_is_bounded_in_steps() {
    family("gd-p64-spread");
}

#[test]
fn gd_with_a_zero_residual_is_bounded_in_steps() {
    family("gd-zero-residual");
}

#[test]
fn gd_is_bounded_in_dimension() {
    family("gd-wide-d");
}

#[test]
fn exact_ldl_of_small_integers_is_bounded_in_size() {
    family("ldl-small-entries");
}

#[test]
fn exact_ldl_of_big_entries_is_bounded_in_size() {
    family("ldl-big-entries");
}

#[test]
fn t1g_with_one_atom_is_bounded_in_dimension() {
    family("dense-t1g-one-atom");
}

#[test]
fn t1g_with_forty_atoms_is_bounded_in_dimension() {
    family("dense-t1g-40-atoms");
}

/// The attacker's T1-G file: d = 20 000 with the identity covariance, refused before any d × d
/// matrix exists (it aborted on memory before the limit).
#[test]
fn t1g_with_d_20000_is_refused_fast() {
    refused_by_the_binary("t1g-20000", "dense", &t1g(20_000, 1));
}

/// A file repeating an admitted heavy claim is refused: the limits add up over the file.
#[test]
fn repeating_a_claim_adds_its_work() {
    let k = largest(1, 1_000_000, &|k| gd(4, k, 4096, None, false));
    let one = gd(4, k, 4096, None, false);
    let claim = &one[one.find("[[claim]]").unwrap()..];
    let twice = format!("{one}{claim}");
    assert!(admitted(&one).is_ok());
    let why = admitted(&twice).expect_err("two heavy claims are over");
    assert!(why.contains("needs gd work"), "{why}");
}

/// Writes every family's largest admitted file to $DLNCHECK_LIMITS_DIR, for benches/limits.sh.
#[test]
#[ignore]
fn write_worst_cases() {
    let dir = std::env::var("DLNCHECK_LIMITS_DIR").expect("DLNCHECK_LIMITS_DIR is set");
    for (name, _, make, lo, hi) in families() {
        let k = largest(lo, hi, &*make);
        std::fs::write(format!("{dir}/{name}.claim.toml"), make(k)).unwrap();
    }
}

mod producer_dyadics {
    //! The producer's P-bit dyadic arithmetic follows the kernel's rule (FORMAT.md §4.8): zero
    //! has one representation, and rounding has the exponent floor e ≥ −(P + 2048).
    use dlncheck::numeric::interval::{Dyadic, Interval, e_min, round_bits, round_gd};
    use dlncheck::numeric::rational::{Q, pow2};
    use num_bigint::BigInt;
    use proptest::prelude::*;

    fn q(m: i64, e: i64) -> Q {
        Q::from_integer(BigInt::from(m)) * pow2(e)
    }

    proptest! {
        /// A zero interval reached by any route equals the enclosure of 0 (derived equality
        /// compares mantissa and exponent, so a zero carrying an exponent would differ).
        #[test]
        fn zero_is_canonical(m in any::<i64>(), e in -3000i64..3000, p in 2u64..80) {
            let a = Interval::<Dyadic>::enclose(&round_gd(&q(m, e), p, false), p);
            let zero = Interval::<Dyadic>::enclose(&Q::from_integer(0.into()), p);
            prop_assert_eq!(&a.sub_at(&a, p), &zero);
            prop_assert_eq!(&a.mul_at(&zero, p), &zero);
            prop_assert_eq!(&zero.mul_at(&a, p).add_at(&zero, p), &zero);
        }

        /// ↓v (↑v) with the floor is the unbounded rounding of v rounded down (up) to a
        /// multiple of 2^e_min first: an independent formula.
        #[test]
        fn rounding_has_the_floor(m in any::<i64>(), off in -200i64..200, p in 2u64..80, up: bool) {
            let v = q(m, e_min(p) + off);
            let unit = pow2(e_min(p));
            let s = &v / &unit;
            let grid = if up { s.ceil() } else { s.floor() } * &unit;
            prop_assert_eq!(round_gd(&v, p, up), round_bits(&grid, p, up));
        }

        /// The sticky-bit sum gives the exact sum's rounding: a + b of two rounded numbers and of a
        /// rounded number and a product, against round_gd of the exact rational sum.
        #[test]
        fn sums_round_the_exact_sum(a in any::<i64>(), ea in -300i64..300, b in any::<i64>(), eb in -300i64..300, c in any::<i32>(), p in 2u64..70) {
            let x = Interval::<Dyadic>::enclose(&q(a, ea), p);
            let y = Interval::<Dyadic>::enclose(&q(b, eb), p);
            let z = Interval::<Dyadic>::enclose(&q(c as i64, 0), p);
            let prod = y.mul_at(&z, 2 * p + 2); // a 2P-bit product, exact
            let got = x.add_at(&prod, p).exact();
            let want_lo = round_gd(&(x.exact().lo() + prod.exact().lo()), p, false);
            let want_hi = round_gd(&(x.exact().hi() + prod.exact().hi()), p, true);
            prop_assert_eq!(got.lo(), &want_lo);
            prop_assert_eq!(got.hi(), &want_hi);
        }
    }
}
