//! The claim-file format (`proofs/FORMAT.md`) as Rust types: the producer builds every claim as
//! one of these structs and serde writes it, so a claim's keys are fixed in one place and a
//! misspelt key is a compile error, not a file the kernel rejects.
//!
//! Sits with the readers at the bottom of the layout (it imports only [`crate::numeric`]), so the
//! solvers in `theory`, `spectra` and `dynamics` can build their claims; the writer
//! ([`crate::io::claims`]) assembles them into files. Serialisation goes through
//! `serde_json::Value`, whose maps keep keys sorted, so the bytes written do not depend on the
//! order of the fields below.

use crate::numeric::rational::{Q, fmt_q};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// An exact rational, written as its canonical string "p/q" or "p" (FORMAT.md §1).
#[derive(Clone, Debug, PartialEq)]
pub struct Rat(pub Q);

impl Serialize for Rat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&fmt_q(&self.0))
    }
}

/// `q` as a [`Rat`].
pub fn rat(q: &Q) -> Rat {
    Rat(q.clone())
}

/// A vector of rationals.
pub fn rats(v: &[Q]) -> Vec<Rat> {
    v.iter().map(rat).collect()
}

/// A matrix of rationals, by rows.
pub fn rat_rows(m: &[Vec<Q>]) -> Vec<Vec<Rat>> {
    m.iter().map(|r| rats(r)).collect()
}

/// A Pareto-front vertex (`pareto-front`).
#[derive(Clone, Debug, Serialize)]
pub struct Vertex {
    pub index: usize,
    pub norm: Rat,
    pub sharpness: Rat,
}

/// A face certificate `{ value, c, nu, mu }`: the KKT point of E over a face (FORMAT.md, T1-G).
#[derive(Clone, Debug, Serialize)]
pub struct Face {
    pub value: Rat,
    pub c: Vec<Rat>,
    pub nu: Rat,
    pub mu: Vec<Rat>,
}

/// The fields shared by `neither-bias` and `end-optimal`: the best point of the Pareto set and
/// the faces of both ends.
#[derive(Clone, Debug, Serialize)]
pub struct FrontBest {
    pub value: Rat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<Rat>,
    pub c: Vec<Rat>,
    pub margin_norm: Rat,
    pub margin_sharpness: Rat,
    pub min_norm: Face,
    pub min_sharpness: Face,
    pub segments: Vec<Face>,
}

/// A T1 optimum (`min-norm`, `min-sharpness`): value, the optimal β and the LP dual, with the
/// dual slacks when they are listed.
#[derive(Clone, Debug, Serialize)]
pub struct Optimum {
    pub value: Rat,
    pub beta: Vec<Rat>,
    pub dual: Rat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<Vec<Rat>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_neg: Option<Vec<Rat>>,
}

/// The T2 minimum norm (`t2-min-norm`): an LP optimum with its dual certificate.
#[derive(Clone, Debug, Serialize)]
pub struct T2MinNorm {
    pub beta: Vec<Rat>,
    pub value: Rat,
    pub dual: Vec<Rat>,
    pub slack: Vec<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_neg: Option<Vec<Rat>>,
}

/// An enclosure [lo, hi] as a claim writes it.
#[derive(Clone, Debug, Serialize)]
pub struct Enclosure {
    pub lo: Rat,
    pub hi: Rat,
}

/// The certificate of a `lambda-max` claim without its matrix (the T2 sharpness claims embed it
/// for their Gram matrix): the enclosure, its lower route (`witness` with its value and norm, or
/// `inertia`) and its upper route (`kato-temple`, `kato-temple-cholesky` with μ, slack, Rayleigh
/// quotient and residual; `definite`, `definite-cholesky`).
#[derive(Clone, Debug, Serialize)]
pub struct LambdaMaxCertificate {
    pub lo: Rat,
    pub hi: Rat,
    pub hi_minus_lo: Rat,
    pub lower: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_value: Option<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_norm2: Option<Rat>,
    pub upper: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_slack: Option<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rayleigh: Option<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<Rat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<Vec<Rat>>,
}

/// One certified GD run in a claim (`gd-limit`, the atoms of `gd-learner`): the step K at which
/// the tail theorem held, the precision, ρ and q of the tail, and the box of β∞.
#[derive(Clone, Debug, Serialize)]
pub struct GdRun {
    pub steps: u64,
    pub bits: u64,
    pub rho: Rat,
    pub q: Rat,
    pub beta: Vec<Enclosure>,
}

/// One atom of a `gd-learner` claim: its label and its certified run.
#[derive(Clone, Debug, Serialize)]
pub struct GdAtom {
    pub y: Rat,
    #[serde(flatten)]
    pub run: GdRun,
}

/// One claim, tagged by its `kind` (FORMAT.md lists the keys and the checks of each).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Claim {
    MinNorm(Optimum),
    MinSharpness(Optimum),
    Conflict {
        coincide: bool,
        ratio: Rat,
    },
    ParetoFront {
        vertices: Vec<Vertex>,
    },
    NeitherBias(FrontBest),
    EndOptimal {
        end: String,
        #[serde(flatten)]
        best: FrontBest,
    },
    BestLinear(Face),
    Bayes {
        value: Rat,
    },
    T2MinNorm(T2MinNorm),
    T2SharpnessUpper {
        beta: Vec<Rat>,
        bound: Rat,
        #[serde(flatten)]
        enclosure: LambdaMaxCertificate,
    },
    T2SharpnessLower {
        z: Vec<Vec<Rat>>,
        mu: Vec<Rat>,
        slack: Vec<Rat>,
        bound: Rat,
    },
    T2Conflict {
        sharpness_lo: Rat,
        sharpness_margin: Rat,
        norm_of_sharp: Rat,
        norm_margin: Rat,
        #[serde(flatten)]
        enclosure: LambdaMaxCertificate,
    },
    LambdaMax {
        matrix: Vec<Vec<Rat>>,
        #[serde(flatten)]
        certificate: LambdaMaxCertificate,
    },
    LambdaMaxRankOne {
        diag: Vec<Rat>,
        a: Vec<Rat>,
        c: Rat,
        lo: Rat,
        hi: Rat,
        hi_minus_lo: Rat,
        bits: u64,
        upper_sum: Rat,
        #[serde(skip_serializing_if = "Option::is_none")]
        lower_sum: Option<Rat>,
    },
    GdLimit {
        lr: Rat,
        #[serde(flatten)]
        run: GdRun,
        norm: Enclosure,
        sharpness: Enclosure,
        eos_margin: Enclosure,
        /// ℓ and u of the n > 1 tail theorem (FORMAT.md §4.10); absent for one point.
        #[serde(skip_serializing_if = "Option::is_none")]
        ell: Option<Rat>,
        #[serde(skip_serializing_if = "Option::is_none")]
        u: Option<Rat>,
    },
    /// The gradient-flow limit (SPEC §5.2, FORMAT.md §4.9): precision, ν̃, C, the Krawczyk box
    /// V and the boxes of β∞, D = u² + v², N and S.
    GfLimit {
        bits: u64,
        nu: Vec<Rat>,
        c: Vec<Vec<Rat>>,
        r#box: Vec<Enclosure>,
        beta: Vec<Enclosure>,
        diag: Vec<Enclosure>,
        norm: Enclosure,
        sharpness: Enclosure,
    },
    GdLearner {
        lr: Rat,
        atoms: Vec<GdAtom>,
        expected_error: Enclosure,
        min_norm: Rat,
        min_sharpness: Rat,
        front_best: Rat,
        beats_min_norm: bool,
        beats_min_sharpness: bool,
        loses_to_min_norm: bool,
        loses_to_min_sharpness: bool,
    },
}

impl Claim {
    /// The claim as the JSON object written to the file.
    pub fn to_value(&self) -> Value {
        // Serialising these types into a `Value` cannot fail: every key is a string and every
        // number an integer or a string.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The `[instance]` table of a claim file: canonical rationals only, and only what the claims
/// are about (see [`crate::io::claims::claim_instance`]).
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Vec<Rat>>,
    #[serde(rename = "X", skip_serializing_if = "Option::is_none")]
    pub x_rows: Option<Vec<Vec<Rat>>>,
    pub y: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<Init>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teacher: Option<Teacher>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<Population>,
}

/// `[init]`: the GD/GF start.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    Alpha(Rat),
    Theta(Vec<Rat>),
}

/// `[teacher]`: the teacher prior (SPEC §3).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Teacher {
    Discrete {
        atoms: Vec<Atom>,
    },
    Moments {
        mean: Vec<Rat>,
        second_moment: Vec<Vec<Rat>>,
    },
}

/// One atom of a discrete prior.
#[derive(Clone, Debug, Serialize)]
pub struct Atom {
    pub weight: Rat,
    pub beta: Vec<Rat>,
}

/// `[population]`: the population covariance Σ (omitted for the identity).
#[derive(Clone, Debug, Serialize)]
pub struct Population {
    pub covariance: Vec<Vec<Rat>>,
}

/// A whole claim file (FORMAT.md §2).
#[derive(Clone, Debug, Serialize)]
pub struct ClaimFile {
    pub version: u64,
    pub title: String,
    pub expect: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Value>,
    pub claim: Vec<Value>,
}

/// `q` as a decimal in scientific notation with `digits` significant digits, rounded down
/// (`up = false`) or up (`up = true`) — never to nearest — so that the text of a certified
/// lower (upper) end is still a lower (upper) bound: "-1.2345e-3", "0" for zero.
pub fn decimal_outward(q: &Q, digits: usize, up: bool) -> String {
    use num_bigint::BigInt;
    use num_integer::Integer;
    use num_traits::{Signed, Zero};
    if q.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1);
    let ten = BigInt::from(10);
    // k with 10^k ≤ |q| < 10^(k+1), from the digit counts, then corrected.
    let (n, d) = (q.numer().abs(), q.denom().clone());
    let mut k = n.to_string().len() as i64 - d.to_string().len() as i64;
    let pow = |e: i64| -> Q {
        if e >= 0 {
            Q::from_integer(ten.pow(e as u32))
        } else {
            Q::new(BigInt::from(1), ten.pow((-e) as u32))
        }
    };
    let a = q.abs();
    while pow(k) > a {
        k -= 1;
    }
    while pow(k + 1) <= a {
        k += 1;
    }
    // m = q·10^(digits−1−k), rounded in the asked direction; |m| has `digits` digits (or one
    // more after rounding up to a power of ten, which the exponent absorbs).
    let scaled = q * pow(digits as i64 - 1 - k);
    let (fl, rem) = scaled.numer().div_mod_floor(scaled.denom());
    let m = if up && !rem.is_zero() { fl + 1 } else { fl };
    let neg = m.is_negative();
    let mut text = m.abs().to_string();
    let mut exp = k;
    if text.len() > digits {
        text.truncate(digits);
        exp += 1;
    }
    let mantissa = if text.len() > 1 {
        format!("{}.{}", &text[..1], text[1..].trim_end_matches('0'))
    } else {
        text.clone()
    };
    let mantissa = mantissa.trim_end_matches('.').to_string();
    format!("{}{}e{}", if neg { "-" } else { "" }, mantissa, exp)
}
