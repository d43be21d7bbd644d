//! Certified gradient descent (SPEC §4.1): `gd-limit` and `gd-learner`.
//!
//! Trusted mathematics. Model `shared`, one point (x, y), w0 = α·1, rational η > 0. With
//! β = w⊙w and r = ⟨x, β⟩ − y, one GD step is exactly
//!   β'_i = β_i·(1 − 2ηr·x_i)²  and  r' = r·φ,  φ = 1 − Σ_i 4ηx_i²β_i + r·Σ_i 4η²x_i³β_i.
//! The kernel re-runs K steps of these two identities in interval arithmetic (state: one interval
//! per β_i and one for r), every endpoint rounded outward to P significant bits ([`round`]), so
//! by induction β_k ∈ B_k and r_k ∈ R_k. Tail theorem (docs/certified-gd.md, proof there): with
//! ρ = max|R_K|, c = 2ηρ·max|x_i| < 1, 0 ≤ q < 1, δ_i = 2η|x_i|ρ/((1 − q)(1 − c)), 2δ_i < 1 and
//! |φ| ≤ q on the box L_i = lo(B_K,i)(1 − 2δ_i), U_i = hi(B_K,i)/(1 − 2δ_i) for all |r| ≤ ρ, GD
//! converges to a zero-loss β∞ with L ≤ β∞ ≤ U. The kernel rounds L down and U up to P bits (a
//! larger box: the |φ| test on it implies the test on the exact box, and β∞ stays inside), and
//! every claimed enclosure is pinned: equal to the kernel's own exact result rounded outward.

use crate::instance::{Init, Instance, Model, Teacher};
use crate::interval::Interval;
use crate::linalg::dot;
use crate::number::{Q, int, pow2, round, short as fmt_q};
use crate::tree::{Table, Tree};
use crate::{Checked, Claim, Fail, ensure};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

pub const LIMIT_KEYS: &[&str] = &[
    "lr",
    "steps",
    "bits",
    "rho",
    "q",
    "beta",
    "norm",
    "sharpness",
    "eos_margin",
    "ell",
    "u",
];
pub const LEARNER_KEYS: &[&str] = &[
    "lr",
    "atoms",
    "expected_error",
    "min_norm",
    "min_sharpness",
    "front_best",
    "beats_min_norm",
    "beats_min_sharpness",
    "loses_to_min_norm",
    "loses_to_min_sharpness",
];
const ATOM_KEYS: &[&str] = &["y", "steps", "bits", "rho", "q", "beta"];
/// Largest accepted `bits` and `steps`.
pub const MAX_BITS: u64 = 4096;
pub const MAX_STEPS: u64 = 1_000_000;
/// An endpoint of absolute value ≥ 2^1024 rejects the trajectory (divergence).
pub const BOUND_LOG2: i64 = 1024;
/// Every rounded number is m·2^e with e ≥ −(P + FLOOR_LOG2) (FORMAT.md §4.8), so exponents and
/// shifts stay bounded; only magnitudes below 2^−FLOOR_LOG2 lose precision.
pub const FLOOR_LOG2: i64 = 2048;

/// The least exponent of a rounded number at P bits.
pub(crate) fn e_min(p: u64) -> i64 {
    -(p as i64) - FLOOR_LOG2
}

/// ↓q or ↑q at P bits with the exponent floor of FORMAT.md §4.8.
fn rnd(q: &Q, p: u64, up: bool) -> Q {
    D::of(q, p, up).q()
}

/// A dyadic number m·2^e: the trajectory's endpoints (exact sums and products, no gcd).
#[derive(Clone, Debug)]
pub(crate) struct D {
    pub(crate) m: BigInt,
    pub(crate) e: i64,
}

impl D {
    /// m·2^e, with zero always 0·2^0 (a zero's exponent never grows).
    pub(crate) fn new(m: BigInt, e: i64) -> D {
        let e = if m.is_zero() { 0 } else { e };
        D { m, e }
    }
    /// ↓q or ↑q as a dyadic: the unbounded-exponent rounding, then the floor (rounding a P-bit
    /// number again with the floor gives the same as rounding q once, as the sets are nested).
    pub(crate) fn of(q: &Q, p: u64, up: bool) -> D {
        let r = round(q, p, up);
        D::new(r.numer().clone(), 1 - r.denom().bits() as i64).round(p, up)
    }
    pub(crate) fn q(&self) -> Q {
        Q::from_integer(self.m.clone()) * pow2(self.e)
    }
    pub(crate) fn mul(&self, o: &D) -> D {
        D::new(&self.m * &o.m, self.e + o.e)
    }
    pub(crate) fn add(&self, o: &D) -> D {
        if o.m.is_zero() {
            return self.clone();
        }
        if self.m.is_zero() {
            return o.clone();
        }
        let (a, b) = if self.e >= o.e { (self, o) } else { (o, self) };
        D::new((&a.m << (a.e - b.e) as usize) + &b.m, b.e)
    }
    pub(crate) fn neg(&self) -> D {
        D::new(-&self.m, self.e)
    }
    pub(crate) fn less(&self, o: &D) -> bool {
        if self.e >= o.e {
            (&self.m << (self.e - o.e) as usize) < o.m
        } else {
            self.m < (&o.m << (o.e - self.e) as usize)
        }
    }
    /// The rounding rule on m·2^e: cut the low s bits of m, s the least that leaves at most P
    /// bits and an exponent ≥ e_min(P), flooring (`>>` on a BigInt floors) or ceiling (floor + 1
    /// when a cut bit is nonzero).
    pub(crate) fn round(self, p: u64, up: bool) -> D {
        let s = (self.m.bits() as i64 - p as i64).max(e_min(p) - self.e);
        if s <= 0 {
            return self;
        }
        let cut = self.m.trailing_zeros().is_some_and(|t| t < s as u64);
        let q = self.m >> s as usize;
        D::new(if up && cut { q + 1 } else { q }, self.e + s)
    }
    /// |m·2^e| ≥ 2^BOUND_LOG2.
    pub(crate) fn huge(&self) -> bool {
        !self.m.is_zero() && self.m.bits() as i64 - 1 + self.e >= BOUND_LOG2
    }
}

/// An interval [lo, hi] of dyadics.
pub(crate) type J = Interval<D>;

fn min_max(v: [D; 4]) -> (D, D) {
    v.iter()
        .skip(1)
        .fold((v[0].clone(), v[0].clone()), |(lo, hi), x| {
            (
                if x.less(&lo) { x.clone() } else { lo },
                if hi.less(x) { x.clone() } else { hi },
            )
        })
}

/// [↓lo, ↑hi] at P bits.
fn outward(i: &Interval, p: u64) -> Interval {
    Interval::new(rnd(&i.lo, p, false), rnd(&i.hi, p, true))
}

/// Interval operations at P bits: exact result, then lo rounded down and hi rounded up.
pub(crate) struct Bits(pub(crate) u64);

impl Bits {
    pub(crate) fn out(&self, lo: D, hi: D) -> J {
        Interval::new(lo.round(self.0, false), hi.round(self.0, true))
    }
    pub(crate) fn enc(&self, q: Q) -> J {
        Interval::new(D::of(&q, self.0, false), D::of(&q, self.0, true))
    }
    pub(crate) fn add(&self, a: &J, b: &J) -> J {
        self.out(a.lo.add(&b.lo), a.hi.add(&b.hi))
    }
    pub(crate) fn sub(&self, a: &J, b: &J) -> J {
        self.out(a.lo.add(&b.hi.neg()), a.hi.add(&b.lo.neg()))
    }
    pub(crate) fn mul(&self, a: &J, b: &J) -> J {
        if !a.lo.m.is_negative() && !b.lo.m.is_negative() {
            // 0 ≤ a, b: the range is [a.lo·b.lo, a.hi·b.hi].
            return self.out(a.lo.mul(&b.lo), a.hi.mul(&b.hi));
        }
        let (lo, hi) = min_max([
            a.lo.mul(&b.lo),
            a.lo.mul(&b.hi),
            a.hi.mul(&b.lo),
            a.hi.mul(&b.hi),
        ]);
        self.out(lo, hi)
    }
}

/// The boxes (B_K, R_K) after K steps from β_0 = α², at P bits (FORMAT.md §4.8).
fn trajectory(
    x: &[Q],
    y: &Q,
    alpha: &Q,
    eta: &Q,
    k: u64,
    p: u64,
) -> Result<(Vec<Interval>, Interval), Fail> {
    let r = Bits(p);
    let c2: Vec<J> = x.iter().map(|xi| r.enc(int(2) * eta * xi)).collect();
    let s4: Vec<J> = x.iter().map(|xi| r.enc(int(4) * eta * xi * xi)).collect();
    let u4: Vec<J> = x
        .iter()
        .map(|xi| r.enc(int(4) * eta * eta * xi * xi * xi))
        .collect();
    let a2 = alpha * alpha;
    let mut b: Vec<J> = x.iter().map(|_| r.enc(a2.clone())).collect();
    let mut res = r.enc(x.iter().sum::<Q>() * &a2 - y);
    let (one, zero) = (r.enc(Q::one()), r.enc(Q::zero()));
    for step in 0..k {
        let (mut sig1, mut sig2) = (zero.clone(), zero.clone());
        for i in 0..x.len() {
            sig1 = r.add(&sig1, &r.mul(&s4[i], &b[i]));
            sig2 = r.add(&sig2, &r.mul(&u4[i], &b[i]));
        }
        let phi = r.add(&r.sub(&one, &sig1), &r.mul(&res, &sig2));
        for i in 0..x.len() {
            let f = r.sub(&one, &r.mul(&c2[i], &res));
            b[i] = r.mul(&r.mul(&b[i], &f), &f);
        }
        res = r.mul(&res, &phi);
        let big = |v: &J| v.lo.huge() || v.hi.huge();
        ensure(!big(&res) && !b.iter().any(big), || {
            format!(
                "the enclosure left [−2^{BOUND_LOG2}, 2^{BOUND_LOG2}] at step {} (divergence)",
                step + 1
            )
        })?;
    }
    let exact = |v: &J| Interval::new(v.lo.q(), v.hi.q());
    Ok((b.iter().map(exact).collect(), exact(&res)))
}

/// The tail theorem; returns (ρ, the box [L, U] of β∞, rounded outward to P bits: a larger box,
/// so every later sum is over P-bit numbers).
fn tail(
    x: &[Q],
    eta: &Q,
    b: &[Interval],
    res: &Interval,
    q: &Q,
    p: u64,
) -> Result<(Q, Vec<Interval>), Fail> {
    let rho = res.mag();
    ensure(!q.is_negative() && *q < Q::one(), || {
        format!("q = {} is not in [0, 1)", fmt_q(q))
    })?;
    let xmax = x.iter().map(Q::abs).max().unwrap_or_default();
    let c = int(2) * eta * &rho * xmax;
    ensure(c < Q::one(), || {
        format!("c = 2ηρ·max|x| = {} is not < 1", fmt_q(&c))
    })?;
    let mut lims = Vec::with_capacity(x.len());
    for (i, (xi, bi)) in x.iter().zip(b).enumerate() {
        let two_delta = int(4) * eta * xi.abs() * &rho / ((Q::one() - q) * (Q::one() - &c));
        ensure(two_delta < Q::one(), || {
            format!("2δ_{i} = {} is not < 1", fmt_q(&two_delta))
        })?;
        let m = Q::one() - two_delta;
        lims.push(outward(&Interval::new(&bi.lo * &m, &bi.hi / &m), p));
    }
    let s = sharpness(x, &lims);
    let cubes: Interval = x
        .iter()
        .zip(&lims)
        .map(|(xi, l)| l.scale(&(xi * xi * xi)))
        .sum();
    let ru = int(4) * eta * eta * &rho * cubes.mag();
    let (phi_lo, phi_hi) = (Q::one() - eta * &s.hi - &ru, Q::one() - eta * &s.lo + &ru);
    ensure(-q <= phi_lo && phi_hi <= *q, || {
        format!(
            "|φ| ≤ q fails on the tail box: φ ∈ [{}, {}], q = {}",
            fmt_q(&phi_lo),
            fmt_q(&phi_hi),
            fmt_q(q)
        )
    })?;
    Ok((rho, lims))
}

/// q with 12 decimals, rounded down (or up), for messages.
pub(crate) fn approx(q: &Q, up: bool) -> String {
    let t = q * Q::from_integer(BigInt::from(10).pow(12));
    let n = if up { t.ceil() } else { t.floor() }.to_integer();
    let a = format!("{:0>13}", n.abs());
    format!(
        "{}{}.{}",
        if n.is_negative() { "-" } else { "" },
        &a[..a.len() - 12],
        &a[a.len() - 12..]
    )
}

/// [4Σx_i²L_i, 4Σx_i²U_i].
fn sharpness(x: &[Q], lims: &[Interval]) -> Interval {
    x.iter()
        .zip(lims)
        .map(|(xi, l)| l.scale(&(int(4) * xi * xi)))
        .sum()
}

/// The claimed {lo, hi} at `at` equals [↓lo, ↑hi] of the kernel's exact `want` at P bits.
pub(crate) fn pinned(
    t: &Table,
    tree: &Tree,
    at: &str,
    want: &Interval,
    p: u64,
) -> Result<(), Fail> {
    let want = outward(want, p);
    let got = t.nested(tree, at, &["lo", "hi"])?;
    let (lo, hi) = (got.q("lo")?, got.q("hi")?);
    ensure(lo == want.lo && hi == want.hi, || {
        format!(
            "{at} is [{}, {}], the kernel computes [{}, {}]",
            fmt_q(&lo),
            fmt_q(&hi),
            fmt_q(&want.lo),
            fmt_q(&want.hi)
        )
    })
}

/// One certified run read from `t` (`steps`, `bits`, `q`, `rho`, `beta`): the box of β∞.
fn certified(t: &Table, x: &[Q], y: &Q, alpha: &Q, eta: &Q) -> Result<(Vec<Interval>, u64), Fail> {
    let (k, p) = run_size(t)?;
    let (b, res) = trajectory(x, y, alpha, eta, k, p)?;
    let (rho, lims) = tail(x, eta, &b, &res, &t.q("q")?, p)?;
    let claimed = t.q("rho")?;
    ensure(claimed == rho, || {
        format!(
            "{}: rho is {}, the kernel computes {}",
            t.at(),
            fmt_q(&claimed),
            fmt_q(&rho)
        )
    })?;
    let list = t.list("beta")?;
    ensure(list.len() == x.len(), || {
        format!("{}: beta needs {} entries", t.at(), x.len())
    })?;
    for (i, tree) in list.iter().enumerate() {
        pinned(t, tree, &format!("{}[{i}]", t.path("beta")), &lims[i], p)?;
    }
    Ok((lims, p))
}

/// K and P of a run (`steps`, `bits`), in range.
pub(crate) fn run_size(t: &Table) -> Result<(u64, u64), Fail> {
    let (k, p) = (t.uint("steps")?, t.uint("bits")?);
    if k > MAX_STEPS || !(2..=MAX_BITS).contains(&p) {
        return Err(Fail::Malformed(t.err(
            if k > MAX_STEPS { "steps" } else { "bits" },
            format!("need steps ≤ {MAX_STEPS} and 2 ≤ bits ≤ {MAX_BITS}"),
        )));
    }
    Ok((k, p))
}

/// x, α and η > 0 of a `shared` one-point instance with `init.alpha`.
fn setup<'a>(c: &Claim<'a>) -> Result<(&'a Instance, Q, Q), Fail> {
    let inst = c.instance()?;
    ensure(inst.model == Model::Shared && inst.one_point, || {
        "certified GD needs model shared and one data point".into()
    })?;
    let (Some(Init::Alpha(alpha)), eta) = (&inst.init, c.t.q("lr")?) else {
        return Err(Fail::Reject(
            "certified GD needs init.alpha (w0 = α·1)".into(),
        ));
    };
    ensure(eta.is_positive(), || "lr must be > 0".into())?;
    Ok((inst, alpha.clone(), eta))
}

/// `gd-limit`: GD at η from α·1 converges to β∞ in the claimed box, with N, S and 2/η − S.
pub(crate) fn gd_limit(c: &Claim) -> Checked {
    if !c.instance()?.one_point {
        return crate::centred_gd::gd_limit(c);
    }
    c.t.forbid(&["ell", "u"], "for one data point")?;
    let (inst, alpha, eta) = setup(c)?;
    let x = &inst.x[0];
    let (lims, p) = certified(&c.t, x, &inst.y[0], &alpha, &eta)?;
    let norm: Interval = lims.iter().sum();
    let s = sharpness(x, &lims);
    let margin = s.scale(&-Q::one()).shift(&(int(2) / &eta));
    pinned(&c.t, c.t.req("norm")?, &c.t.path("norm"), &norm, p)?;
    pinned(&c.t, c.t.req("sharpness")?, &c.t.path("sharpness"), &s, p)?;
    pinned(
        &c.t,
        c.t.req("eos_margin")?,
        &c.t.path("eos_margin"),
        &margin,
        p,
    )?;
    Ok(format!(
        "GD at η = {} converges; S(β∞) ∈ [{}, {}], 2/η − S ≥ {}",
        fmt_q(&eta),
        approx(&s.lo, false),
        approx(&s.hi, true),
        approx(&margin.lo, false)
    ))
}

/// `gd-learner`: the enclosure of E_GD(η) = Σ_a p_a G(β∞(y_a); β*_a) and its comparison with
/// the exact E(min-norm), E(min-sharpness) of the earlier `neither-bias` (else `end-optimal`).
pub(crate) fn gd_learner(c: &Claim) -> Checked {
    let (inst, alpha, eta) = setup(c)?;
    let Some(Teacher::Discrete { atoms }) = &inst.teacher else {
        return Err(Fail::Reject("gd-learner needs a discrete teacher".into()));
    };
    let (x, sigma) = (&inst.x[0], inst.sigma());
    let list = c.t.list("atoms")?;
    ensure(list.len() == atoms.len(), || {
        format!("atoms needs {} entries", atoms.len())
    })?;
    let (mut total, mut bits) = (Interval::new(Q::zero(), Q::zero()), 2);
    for (a, ((p, star), tree)) in atoms.iter().zip(list).enumerate() {
        let t =
            c.t.nested(tree, &format!("{}[{a}]", c.t.path("atoms")), ATOM_KEYS)?;
        let y = dot(x, star);
        ensure(t.q("y")? == y, || {
            format!("{}: y is not ⟨x, β*⟩ = {}", t.at(), fmt_q(&y))
        })?;
        let (lims, pa) = certified(&t, x, &y, &alpha, &eta)?;
        bits = bits.max(pa);
        let diff: Vec<Interval> = lims.iter().zip(star).map(|(l, s)| l.shift(&-s)).collect();
        for i in 0..x.len() {
            for j in 0..x.len() {
                let v = if i == j {
                    diff[i].square()
                } else {
                    diff[i].mul(&diff[j])
                };
                total = total.add(&v.scale(&(p * &sigma[i][j])));
            }
        }
    }
    pinned(
        &c.t,
        c.t.req("expected_error")?,
        &c.t.path("expected_error"),
        &total,
        bits,
    )?;
    let total = outward(&total, bits);
    let none = |_| {
        Fail::Reject(
            "needs a verified `neither-bias` or `end-optimal` claim earlier in the file".into(),
        )
    };
    let front = c
        .earlier("neither-bias")
        .or_else(|_| c.earlier("end-optimal"))
        .map_err(none)?;
    let face = |k: &str| -> Result<Q, Fail> {
        Ok(front.child(k, &["value", "c", "nu", "mu"])?.q("value")?)
    };
    let (mn, ms, star) = (face("min_norm")?, face("min_sharpness")?, front.q("value")?);
    for (key, want) in [
        ("min_norm", &mn),
        ("min_sharpness", &ms),
        ("front_best", &star),
    ] {
        let got = c.t.q(key)?;
        ensure(got == *want, || {
            format!(
                "{key} is {}, the earlier front claim has {}",
                fmt_q(&got),
                fmt_q(want)
            )
        })?;
    }
    let verdicts = [
        ("beats_min_norm", total.hi < mn),
        ("beats_min_sharpness", total.hi < ms),
        ("loses_to_min_norm", total.lo > mn),
        ("loses_to_min_sharpness", total.lo > ms),
    ];
    for (key, want) in verdicts {
        ensure(c.t.boolean(key)? == want, || format!("{key} is not {want}"))?;
    }
    Ok(format!(
        "GD learner at η = {}: E_GD ∈ [{}, {}]; E(min-norm) = {}, E(min-sharpness) = {}",
        fmt_q(&eta),
        approx(&total.lo, false),
        approx(&total.hi, true),
        fmt_q(&mn),
        fmt_q(&ms)
    ))
}

#[cfg(test)]
mod tests {
    //! The dyadic operations against the rational definitions they implement (FORMAT.md §4.8):
    //! rounding is `round` of the exact value, `less` and `add` are the rational order and sum,
    //! and an interval product is the rounded exact range (the nonnegative shortcut included).
    use super::*;
    use proptest::prelude::*;

    fn d(m: i64, e: i64) -> D {
        D {
            m: BigInt::from(m),
            e,
        }
    }

    proptest! {
        #[test]
        fn dyadic_ops_are_the_rational_ones(a in any::<i64>(), ea in -80i64..80, b in any::<i64>(), eb in -80i64..80, p in 2u64..70, up: bool) {
            let (x, y) = (d(a, ea), d(b, eb));
            prop_assert_eq!(x.clone().round(p, up).q(), round(&x.q(), p, up));
            prop_assert_eq!(x.less(&y), x.q() < y.q());
            prop_assert_eq!(x.add(&y).q(), x.q() + y.q());
        }

        /// The exponent floor (FORMAT.md §4.8): ↓v (↑v) is the unbounded P-bit rounding of v
        /// first rounded down (up) to a multiple of 2^e_min, so the representable numbers are
        /// the P-bit multiples of 2^e_min.
        #[test]
        fn rounding_near_the_floor_is_the_grid_then_the_bits(a in any::<i64>(), off in -200i64..200, p in 2u64..70, up: bool) {
            let x = d(a, e_min(p) + off);
            let unit = pow2(e_min(p));
            let scaled = x.q() / &unit;
            let grid = if up { scaled.ceil() } else { scaled.floor() } * &unit;
            prop_assert_eq!(x.clone().round(p, up).q(), round(&grid, p, up));
            prop_assert_eq!(rnd(&x.q(), p, up), round(&grid, p, up));
        }

        /// Zero has one representation, 0·2^0, whatever produced it: a difference of equals, a
        /// product with zero, a number rounded to zero below the floor.
        #[test]
        fn zero_is_canonical(a in any::<i64>(), ea in -3000i64..3000, p in 2u64..70) {
            let x = d(a, ea);
            let zero = x.add(&x.neg());
            prop_assert_eq!((zero.m.clone(), zero.e), (BigInt::from(0), 0));
            let prod = x.mul(&zero);
            prop_assert_eq!((prod.m.clone(), prod.e), (BigInt::from(0), 0));
            let tiny = d(a.signum(), e_min(p) - 5).round(p, a < 0);
            prop_assert_eq!((tiny.m.clone(), tiny.e), (BigInt::from(0), 0));
            let of = D::of(&Q::zero(), p, true);
            prop_assert_eq!((of.m, of.e), (BigInt::from(0), 0));
        }

        #[test]
        fn interval_product_is_the_rounded_range(v in proptest::array::uniform4(-1000i64..1000), e in proptest::array::uniform4(-8i64..8), p in 2u64..12) {
            let (mut s, mut t) = ((d(v[0], e[0]), d(v[1], e[1])), (d(v[2], e[2]), d(v[3], e[3])));
            if s.1.less(&s.0) { s = (s.1, s.0); }
            if t.1.less(&t.0) { t = (t.1, t.0); }
            let exact = [s.0.q() * t.0.q(), s.0.q() * t.1.q(), s.1.q() * t.0.q(), s.1.q() * t.1.q()];
            let (lo, hi) = (exact.iter().min().unwrap(), exact.iter().max().unwrap());
            let got = Bits(p).mul(&Interval::new(s.0, s.1), &Interval::new(t.0, t.1));
            prop_assert_eq!(got.lo.q(), round(lo, p, false));
            prop_assert_eq!(got.hi.q(), round(hi, p, true));
        }
    }
}
