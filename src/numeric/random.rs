//! Reproducible random instances (untrusted helper for benchmarks, proofs and searches).
//!
//! SplitMix64 (Steele, Lea, Flood 2014) is used instead of an external RNG crate so that a seed
//! produces the same instance on every platform and every version of the dependencies.

use crate::numeric::rational::{Q, fmt_q};
use num_bigint::BigInt;
use serde_json::{Value, json};

/// SplitMix64 pseudo-random generator.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// An independent stream for sample `index` under `seed` (searches draw sample i from its own
    /// stream, so results do not depend on the number of threads).
    pub fn for_sample(seed: u64, index: u64) -> Self {
        let mut g = SplitMix64(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        g.next_u64();
        g
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in [0, m), without bias (m ≥ 1): draw x = `next_u64()` until
    /// x ≥ 2^64 mod m, then return x mod m (the values kept are a multiple of m in number, so
    /// each residue is equally likely). `docs/sgd.md` states it for re-implementation.
    pub fn below(&mut self, m: u64) -> u64 {
        assert!(m >= 1, "below(0)");
        // 2^64 mod m, computed as (2^64 − m) mod m.
        let floor = m.wrapping_neg() % m;
        loop {
            let x = self.next_u64();
            if x >= floor {
                return x % m;
            }
        }
    }

    /// Uniform in [−1, 1), on the grid of 2^-52 (the top 53 bits of the next draw).
    pub fn uniform_pm1(&mut self) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        2.0 * u - 1.0
    }

    /// Uniform integer in `[lo, hi]` (inclusive; `lo <= hi`).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.next_u64() as u128 % span) as i128) as i64
    }

    /// A random integer with at most `bits` bits (uniform magnitude), non-zero, positive.
    pub fn positive_int(&mut self, bits: u32) -> BigInt {
        let words = bits.div_ceil(64).max(1);
        let mut n = BigInt::from(0u32);
        for _ in 0..words {
            n = (n << 64) + BigInt::from(self.next_u64());
        }
        let n = n >> (words * 64 - bits.max(1)) as usize;
        if n == BigInt::from(0u32) {
            BigInt::from(1u32)
        } else {
            n
        }
    }

    /// A random positive rational p/q with p, q of at most `bits` bits.
    pub fn positive_q(&mut self, bits: u32) -> Q {
        Q::new(self.positive_int(bits), self.positive_int(bits))
    }
}

/// Options for [`instance`].
#[derive(Clone, Debug)]
pub struct Spec {
    pub model: String,
    pub d: usize,
    pub bits: u32,
    pub seed: u64,
    /// Only positive x (the paper's setting); otherwise signs are random.
    pub positive: bool,
}

/// A random one-point instance tree in the SPEC §7 format. With random signs, at least one
/// coordinate has x_i·y > 0 so that the instance is feasible for every model.
pub fn instance(spec: &Spec) -> Value {
    let mut rng = SplitMix64::new(spec.seed);
    let mut x: Vec<Q> = (0..spec.d).map(|_| rng.positive_q(spec.bits)).collect();
    let y = rng.positive_q(spec.bits);
    if !spec.positive {
        for xi in x.iter_mut().skip(1) {
            if rng.next_u64() & 1 == 1 {
                *xi = -xi.clone();
            }
        }
    }
    json!({
        "model": spec.model,
        "x": x.iter().map(fmt_q).collect::<Vec<_>>(),
        "y": fmt_q(&y),
    })
}

/// A seeded dense symmetric n × n matrix with entries p/4, p ∈ [−10, 10], from the 64-bit LCG
/// s ← 6364136223846793005·s + 1442695040888963407 (p = (s >> 33) mod 21 − 10, filled row by
/// row over the lower triangle). `benches/lanczos_vs_eigsh.py` builds the same matrix in Python.
pub fn dense_symmetric(n: usize, seed: u64) -> Vec<Vec<Q>> {
    let mut s = seed;
    let mut h = vec![vec![Q::from_integer(0.into()); n]; n];
    for i in 0..n {
        for j in 0..=i {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = Q::new((((s >> 33) % 21) as i64 - 10).into(), 4.into());
            h[i][j] = v.clone();
            h[j][i] = v;
        }
    }
    h
}
