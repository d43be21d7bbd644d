//! Work limits (SPEC §7, FORMAT.md §6): the work a claim file can cause, counted from its sizes
//! alone and refused, before any claim is checked, when it is over a limit.
//!
//! Three measures, each summed over the whole file (instance and every claim), each with its own
//! limit: `gd` (coordinate-steps of the certified GD trajectory weighted by the cost of one
//! dyadic operation), `ldl` (exact LDLᵀ eliminations weighted by the size their entries reach)
//! and `dense` (exact rational operations of dense matrix products). The weights are upper
//! estimates of the arithmetic cost, not exact counts; `docs/limits.md` gives the measured time
//! of the worst case at each limit.

use crate::Error;
use crate::instance::{Covariance, Instance, Teacher};
use crate::number::Q;
use crate::tree::Tree;

/// Limit of the `gd` measure of a file.
pub const GD_WORK: u128 = 600_000_000;
/// Limit of the `descent` measure of a file.
pub const DESCENT_WORK: u128 = 10_000_000_000;
/// Limit of the `ldl` measure of a file.
pub const LDL_WORK: u128 = 60_000_000_000;
/// Limit of the `dense` measure of a file.
pub const DENSE_WORK: u128 = 5_000_000;

/// Bits of a rational: of its numerator plus of its denominator.
pub fn bits(q: &Q) -> u64 {
    q.numer().bits() + q.denom().bits()
}

/// The largest [`bits`] of the entries of a matrix.
pub fn max_bits(m: &[Vec<Q>]) -> u64 {
    m.iter().flatten().map(bits).max().unwrap_or(0)
}

/// The `ldl` measure of one exact LDLᵀ of an n × n matrix with entries of at most b bits: after
/// k steps the entries are ratios of k × k minors (k·b bits), and each of the n³/3 updates costs
/// about (size)·(1 + size/64) word operations: n⁵·(b + 3)·(b + 67)/64.
pub fn ldl(n: usize, b: u64) -> u128 {
    let (n, b) = (n as u128, b as u128 + 3);
    n.pow(5).saturating_mul(b * (b + 64) / 64)
}

/// The `gd` measure of one certified run: K·d·(w² + S/16), w = ⌈P/64⌉ the words of a P-bit
/// number and S (bits) the span of exponents a sum may have to align: the rounded constants
/// (2ηx, 4ηx², 4η²x³, α², r₀) spread over 4·(bits of η, x, α) + bits of y, plus 2·(P + 2048)
/// for the exponent floor and 4 096 for the divergence bound.
pub fn gd_run(d: usize, steps: u64, p: u64, spread: u64) -> u128 {
    if steps > crate::gd::MAX_STEPS || p > crate::gd::MAX_BITS {
        return 0; // malformed: refused by the claim's own check
    }
    let w = p.div_ceil(64) as u128;
    let s = spread as u128 + 2 * (p as u128 + 2048) + 4096;
    steps as u128 * d as u128 * (w * w + s / 16)
}

/// The `descent` measure of one n > 1 run (FORMAT.md §4.10): K·(2nd + 3m)·(w² + S/16) for the
/// reference and the ball (m parameters, S of [`gd_run`] with the largest bits of X and y), and
/// (2K + MAX_J)·(n³ + 20 000) for the verified Cholesky anchors (at most two a step, plus every
/// raise of j; the constant is its exact rounding bound).
pub fn descent_run(n: usize, d: usize, m: usize, steps: u64, p: u64, spread: u64) -> u128 {
    if steps > crate::gd::MAX_STEPS || p > crate::gd::MAX_BITS {
        return 0; // malformed: refused by the claim's own check
    }
    let (n, d, m, k) = (n as u128, d as u128, m as u128, steps as u128);
    let w = p.div_ceil(64) as u128;
    let s = spread as u128 + 2 * (p as u128 + 2048) + 4096;
    let anchors = (2 * k + crate::centred_gd::MAX_J as u128) * (n * n * n + 20_000);
    k * (2 * n * d + 3 * m) * (w * w + s / 16) + anchors
}

/// The exponent spread of certified GD on a one-point instance at rate η: 4·(bits(η) +
/// max bits(x_i) + bits(α)) + bits(y).
pub fn gd_spread(inst: &Instance, eta_bits: u64) -> u64 {
    let xb = inst.x.iter().flatten().map(bits).max().unwrap_or(0);
    let ab = match &inst.init {
        Some(crate::instance::Init::Alpha(a)) => bits(a),
        _ => 0,
    };
    4 * (eta_bits + xb + ab) + inst.y.iter().map(bits).max().unwrap_or(0)
}

/// The `dense` measure of a `gf-limit` claim: (n²d + n³ + n² + 3d·(P + 30))·w²/1000, the interval
/// products of J(V), C·J(V) and the Krawczyk sum, and the Taylor terms (at most P + m + 16,
/// m ≤ 14 halvings) of 3d exponentials, each weighted by w² with w = ⌈(P + b)/64⌉ the words of a
/// number (b: the largest bits of X and of the claim's nu, c, box); /1000 because one such
/// operation on P-bit numbers costs about a thousandth of the unit the limit was measured in.
pub fn gf_limit(n: usize, d: usize, p: u64, b: u64) -> u128 {
    let (n, d, w) = (n as u128, d as u128, (p + b).div_ceil(64) as u128);
    (n * n * d + n * n * n + n * n + 3 * d * (p as u128 + 30)).saturating_mul(w * w) / 1000
}

/// The work of a file, by measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub gd: u128,
    pub descent: u128,
    pub ldl: u128,
    pub dense: u128,
}

impl Work {
    /// The first measure over its limit, as (name, work, limit).
    pub fn over(&self) -> Option<(&'static str, u128, u128)> {
        [
            ("gd", self.gd, GD_WORK),
            ("descent", self.descent, DESCENT_WORK),
            ("ldl", self.ldl, LDL_WORK),
            ("dense", self.dense, DENSE_WORK),
        ]
        .into_iter()
        .find(|(_, w, l)| w > l)
    }
    /// The one-line reason for refusing this work, if it is over a limit.
    pub fn refusal(&self, what: &str) -> Option<String> {
        self.over().map(|(name, w, l)| {
            format!(
                "{what} needs {name} work {w}, over the limit of {l} (work limits: proofs/FORMAT.md §6)"
            )
        })
    }
}

/// The work of validating the instance: the exact LDLᵀs of Σ, M2 and M2 − mmᵀ.
pub fn instance_work(inst: &Instance) -> Work {
    let mut w = Work::default();
    if let Covariance::Matrix(m) = &inst.covariance {
        w.ldl += ldl(m.len(), max_bits(m));
    }
    if let Some(Teacher::Moments {
        mean,
        second_moment,
    }) = &inst.teacher
    {
        let mb = mean.iter().map(bits).max().unwrap_or(0);
        w.ldl += ldl(mean.len(), max_bits(second_moment));
        w.ldl += ldl(mean.len(), max_bits(second_moment) + 2 * mb + 2);
    }
    w
}

/// Upper estimate of the bits of a canonical rational's text (3.33 bits a digit), 0 otherwise.
fn text_bits(t: &Tree) -> u64 {
    match t {
        Tree::Str(s) => (s.len() as u64 * 10).div_ceil(3) + 1,
        _ => 0,
    }
}

fn get<'a>(t: &'a Tree, key: &str) -> Option<&'a Tree> {
    match t {
        Tree::Table(e) => e.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn len(t: Option<&Tree>) -> usize {
    match t {
        Some(Tree::List(l)) => l.len(),
        _ => 0,
    }
}

fn uint(t: Option<&Tree>) -> u64 {
    match t {
        Some(Tree::Int(k)) => (*k).max(0) as u64,
        _ => 0,
    }
}

fn str_of<'a>(t: &'a Tree, key: &str) -> &'a str {
    match get(t, key) {
        Some(Tree::Str(s)) => s,
        _ => "",
    }
}

/// The largest text bits of the numbers in the list (of lists or tables) at `key`.
fn list_bits(t: Option<&Tree>) -> u64 {
    match t {
        Some(Tree::List(l)) => l.iter().map(|e| list_bits(Some(e))).max().unwrap_or(0),
        Some(Tree::Table(e)) => e.iter().map(|(_, v)| list_bits(Some(v))).max().unwrap_or(0),
        Some(e) => text_bits(e),
        None => 0,
    }
}

/// The number of exact LDLᵀs an enclosure (FORMAT.md §4.6) runs.
fn exact_ldls(claim: &Tree) -> u128 {
    let lower = (str_of(claim, "lower") == "inertia") as u128;
    let upper = matches!(str_of(claim, "upper"), "definite" | "kato-temple") as u128;
    lower + upper
}

/// The largest text bits of the enclosure's shifts (lo, hi, mu).
fn shift_bits(claim: &Tree) -> u64 {
    ["lo", "hi", "mu"]
        .iter()
        .filter_map(|k| get(claim, k))
        .map(text_bits)
        .max()
        .unwrap_or(0)
}

/// The work of one claim of kind `kind`, from its sizes (shapes are checked later; a claim of
/// the wrong shape is counted by what it holds).
pub fn claim_work(kind: &str, claim: &Tree, inst: Option<&Instance>) -> Work {
    let mut w = Work::default();
    let (n, d) = inst.map_or((0, 0), |i| (i.x.len(), i.dim()));
    let (n2, d2) = (n as u128 * n as u128, d as u128 * d as u128);
    let atoms = match inst.and_then(|i| i.teacher.as_ref()) {
        Some(Teacher::Discrete { atoms }) => atoms.len() as u128,
        _ => 1,
    };
    let eta = get(claim, "lr").map_or(0, text_bits);
    match kind {
        "gd-limit" => {
            if let Some(i) = inst.filter(|i| !i.one_point) {
                let (k, p) = (uint(get(claim, "steps")), uint(get(claim, "bits")));
                let xb = max_bits(&i.x) + i.y.iter().map(bits).max().unwrap_or(0);
                let m = d * i.model.block();
                w.descent = descent_run(n, d, m, k, p, gd_spread(i, eta) + xb);
                let b = 2 * max_bits(&i.x)
                    + 64
                    + 64
                    + 2 * text_bits(get(claim, "u").unwrap_or(&Tree::Int(0)));
                w.ldl = 6 * ldl(n, b);
            } else if let Some(i) = inst {
                let (k, p) = (uint(get(claim, "steps")), uint(get(claim, "bits")));
                w.gd = gd_run(d, k, p, gd_spread(i, eta));
            }
        }
        "gd-learner" => {
            if let (Some(i), Some(Tree::List(list))) = (inst, get(claim, "atoms")) {
                for a in list {
                    let (k, p) = (uint(get(a, "steps")), uint(get(a, "bits")));
                    let y = get(a, "y").map_or(0, text_bits);
                    w.gd += gd_run(d, k, p, gd_spread(i, eta) + y);
                }
                w.dense = list.len() as u128 * d2;
            }
        }
        "neither-bias" | "end-optimal" | "best-linear" | "bayes" => {
            let faces = 3 + len(get(claim, "segments")) as u128;
            w.dense = d2 * (atoms + faces + 3) + atoms * atoms;
        }
        "lambda-max" => {
            let m = len(get(claim, "matrix"));
            let b = list_bits(get(claim, "matrix")) + shift_bits(claim) + 1;
            w.ldl = exact_ldls(claim) * ldl(m, b);
            w.dense = 4 * (m as u128).pow(2);
        }
        "t2-sharpness-upper" | "t2-conflict" => {
            let xb = inst.map_or(0, |i| max_bits(&i.x));
            let bb = list_bits(get(claim, "beta"));
            let b = 2 * xb + bb + 64 - (d as u64).leading_zeros() as u64 + shift_bits(claim);
            w.ldl = exact_ldls(claim) * ldl(n, b);
            w.dense = n2 * (d as u128 + 4);
        }
        "gf-limit" => {
            let xb = inst.map_or(0, |i| max_bits(&i.x));
            let cb = ["nu", "c", "box"].map(|k| list_bits(get(claim, k)));
            let p = uint(get(claim, "bits")).min(crate::flow::MAX_BITS);
            w.dense = gf_limit(n, d, p, xb + cb.iter().max().unwrap_or(&0));
            let b = 2 * xb + list_bits(get(claim, "diag")) + 64 - (d as u64).leading_zeros() as u64;
            w.ldl = 2 * ldl(n, b + list_bits(get(claim, "sharpness")) + 3);
        }
        "t2-sharpness-lower" => {
            w.ldl = ldl(len(get(claim, "z")), list_bits(get(claim, "z")));
            w.dense = n2 * (d as u128 + 1);
        }
        _ => w.dense = (n as u128 + 1) * (d as u128 + 1) + len(get(claim, "diag")) as u128,
    }
    w
}

/// Refuses the file when the instance and its claims together are over a limit.
pub fn admit(file: &str, claims: &[Tree], inst: Option<&Instance>) -> Result<Work, Error> {
    let mut total = inst.map(instance_work).unwrap_or_default();
    for c in claims {
        let kind = str_of(c, "kind");
        let w = claim_work(kind, c, inst);
        total.gd += w.gd;
        total.descent += w.descent;
        total.ldl += w.ldl;
        total.dense += w.dense;
    }
    match total.refusal("the file") {
        Some(reason) => Err(Error::file(file, reason)),
        None => Ok(total),
    }
}
