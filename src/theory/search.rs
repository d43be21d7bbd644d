//! Search for T1-G instances where a claim holds or fails (SPEC §3), with shrinking.
//!
//! Sampling distribution (sample `i` of seed `s` is drawn from its own SplitMix64 stream seeded by
//! `s` and `i`, so results do not depend on the number of threads): d uniform in the dimension
//! range; x_i = n/m with n ∈ 1..=9, m ∈ 1..=4; a discrete prior of 1–3 atoms with entries in
//! 0..=4 (a zero atom gets a 1 at a random coordinate) and integer weights in 1..=4, normalised;
//! Σ = I with probability 1/2, else Σ = I + LLᵀ with L lower triangular, entries in −2..=2
//! (positive definite by construction); y = 1 (T1-G does not depend on y). A non-identity Σ is
//! needed for non-trivial `end-optimal` hits: with Σ = I an end is optimal only when it recovers
//! every teacher exactly (README, T1-G).
//!
//! Shrinking keeps the claim true while it greedily drops coordinates, then atoms, then replaces
//! each number by a simpler one (smaller |numerator| + denominator). Untrusted: every hit is
//! written with a claim file that the kernel has verified.

use crate::error::{Error, Result};
use crate::io::instance::{Covariance, Instance, Model, Teacher};
use crate::numeric::random::SplitMix64;
use crate::numeric::rational::{Q, fmt_q, fmt_qs};
use crate::theory::generalization::Setting;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rayon::prelude::*;
use serde_json::{Value, json};

/// Which claim a search looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Both ends of the front lose strictly (T1-G holds).
    NeitherBias,
    /// An end of the front is optimal (T1-G fails) non-trivially: the front has at least two
    /// vertices and E* > 0. (A trivial failure, where the optimal end recovers every teacher
    /// exactly, is the only kind d = 2 allows; see the README.)
    EndOptimal,
}

impl Target {
    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Target::NeitherBias => "neither-bias",
            Target::EndOptimal => "end-optimal",
        }
    }
}

/// A candidate instance: x, atoms with integer (unnormalised) weights, and Σ (`None`: identity).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub x: Vec<Q>,
    pub atoms: Vec<(i64, Vec<Q>)>,
    pub sigma: Option<Vec<Vec<Q>>>,
}

impl Candidate {
    /// Sample `index` of `seed` with d in `dims`.
    pub fn sample(seed: u64, index: u64, dims: (usize, usize)) -> Candidate {
        let mut g = SplitMix64::for_sample(seed, index);
        let d = g.range(dims.0 as i64, dims.1 as i64) as usize;
        let x = (0..d)
            .map(|_| Q::new(g.range(1, 9).into(), g.range(1, 4).into()))
            .collect();
        let k = g.range(1, 3);
        let atoms = (0..k)
            .map(|_| {
                let w = g.range(1, 4);
                let mut b: Vec<Q> = (0..d)
                    .map(|_| Q::from_integer(g.range(0, 4).into()))
                    .collect();
                if b.iter().all(Zero::is_zero) {
                    b[g.range(0, d as i64 - 1) as usize] = Q::one();
                }
                (w, b)
            })
            .collect();
        let sigma = (g.range(0, 1) == 1).then(|| {
            let l: Vec<Vec<i64>> = (0..d)
                .map(|i| {
                    (0..d)
                        .map(|j| if j <= i { g.range(-2, 2) } else { 0 })
                        .collect()
                })
                .collect();
            (0..d)
                .map(|i| {
                    (0..d)
                        .map(|j| {
                            Q::from_integer(
                                ((0..d).map(|k| l[i][k] * l[j][k]).sum::<i64>()
                                    + i64::from(i == j))
                                .into(),
                            )
                        })
                        .collect()
                })
                .collect()
        });
        Candidate { x, atoms, sigma }
    }

    /// The instance (Σ = I, y = 1).
    pub fn instance(&self, source: &str) -> Instance {
        let total: i64 = self.atoms.iter().map(|a| a.0).sum();
        let atoms = self
            .atoms
            .iter()
            .map(|(w, b)| (Q::new((*w).into(), total.into()), b.clone()))
            .collect();
        Instance {
            source: source.into(),
            model: Model::Shared,
            x: vec![self.x.clone()],
            y: vec![Q::one()],
            one_point: true,
            init: None,
            teacher: Some(Teacher::Discrete { atoms }),
            covariance: self
                .sigma
                .clone()
                .map_or(Covariance::Identity, Covariance::Matrix),
            test: None,
        }
    }

    /// The instance file tree (SPEC §7 format).
    pub fn tree(&self) -> Value {
        let total: i64 = self.atoms.iter().map(|a| a.0).sum();
        let atoms: Vec<Value> = self.atoms.iter().map(|(w, b)| json!({"weight": fmt_q(&Q::new((*w).into(), total.into())), "beta": fmt_qs(b)})).collect();
        let mut tree = json!({"model": "shared", "x": fmt_qs(&self.x), "y": "1", "teacher": {"kind": "discrete", "atoms": atoms}});
        if let Some(m) = &self.sigma {
            tree["population"] =
                json!({"covariance": m.iter().map(|r| fmt_qs(r)).collect::<Vec<_>>()});
        }
        tree
    }

    /// Whether `target` holds on this candidate (`false` for an invalid candidate).
    pub fn holds(&self, target: Target) -> bool {
        match Setting::of(&self.instance("search")) {
            Ok(Some(s)) => {
                let f = s.front_best();
                match target {
                    Target::NeitherBias => f.neither_bias(),
                    Target::EndOptimal => {
                        s.levels.len() >= 2 && f.optimal_end().is_some() && f.value.is_positive()
                    }
                }
            }
            _ => false,
        }
    }

    /// Size measure minimised by shrinking: d, atoms, a non-identity Σ, then the sum of
    /// |numerator| + denominator over all numbers.
    pub fn size(&self) -> (usize, usize, bool, u64) {
        let sigma = self.sigma.iter().flatten().flatten();
        let numbers = self
            .x
            .iter()
            .chain(self.atoms.iter().flat_map(|a| a.1.iter()))
            .chain(sigma)
            .map(complexity)
            .sum::<u64>()
            + self.atoms.iter().map(|a| a.0.unsigned_abs()).sum::<u64>();
        (
            self.x.len(),
            self.atoms.len(),
            self.sigma.is_some(),
            numbers,
        )
    }

    /// Greedy shrinking while `target` holds: drop coordinates, drop atoms, simplify numbers.
    pub fn shrink(mut self, target: Target) -> Candidate {
        loop {
            let next = self.simpler().into_iter().find(|c| c.holds(target));
            match next {
                Some(c) => self = c,
                None => return self,
            }
        }
    }

    /// One-step simplifications, each strictly smaller in [`Candidate::size`].
    fn simpler(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let d = self.x.len();
        for i in (0..d).filter(|_| d > 1) {
            let mut c = self.clone();
            c.x.remove(i);
            for a in &mut c.atoms {
                a.1.remove(i);
            }
            c.atoms.retain(|a| a.1.iter().any(|v| !v.is_zero()));
            if let Some(m) = &mut c.sigma {
                m.remove(i);
                m.iter_mut().for_each(|r| {
                    r.remove(i);
                });
            }
            if !c.atoms.is_empty() {
                out.push(c);
            }
        }
        for a in (0..self.atoms.len()).filter(|_| self.atoms.len() > 1) {
            let mut c = self.clone();
            c.atoms.remove(a);
            out.push(c);
        }
        for i in 0..d {
            for v in simpler_numbers(&self.x[i])
                .into_iter()
                .filter(Signed::is_positive)
            {
                let mut c = self.clone();
                c.x[i] = v;
                out.push(c);
            }
        }
        if let Some(m) = &self.sigma {
            out.push(Candidate {
                sigma: None,
                ..self.clone()
            });
            for i in 0..d {
                for j in 0..=i {
                    for v in simpler_numbers(&m[i][j])
                        .into_iter()
                        .chain(simpler_numbers(&-&m[i][j]).into_iter().map(|v| -v))
                    {
                        let mut c = self.clone();
                        if let Some(s) = &mut c.sigma {
                            s[i][j] = v.clone();
                            s[j][i] = v;
                        }
                        out.push(c);
                    }
                }
            }
        }
        for a in 0..self.atoms.len() {
            for w in 1..self.atoms[a].0 {
                let mut c = self.clone();
                c.atoms[a].0 = w;
                out.push(c);
            }
            for i in 0..d {
                for v in simpler_numbers(&self.atoms[a].1[i])
                    .into_iter()
                    .filter(|v| !v.is_negative())
                {
                    let mut c = self.clone();
                    c.atoms[a].1[i] = v;
                    if c.atoms[a].1.iter().any(|v| !v.is_zero()) {
                        out.push(c);
                    }
                }
            }
        }
        let size = self.size();
        out.retain(|c| c.size() < size);
        out
    }
}

/// |numerator| + denominator.
fn complexity(q: &Q) -> u64 {
    (q.numer().abs() + q.denom()).to_u64().unwrap_or(u64::MAX)
}

/// Rationals of smaller complexity near `q`, simplest first: 0, ±1, q/2 and q − 1 toward zero
/// (rounded), then for each denominator m ≤ den(q) the nearest numerators n/m below and above q.
fn simpler_numbers(q: &Q) -> Vec<Q> {
    let limit = complexity(q);
    let den = q.denom().to_i64().unwrap_or(1).min(64);
    let one = Q::one();
    let toward_zero = if q.is_negative() { q + &one } else { q - &one };
    let mut out = vec![
        Q::zero(),
        one.clone(),
        -one,
        (q / Q::from_integer(2.into())).trunc(),
        toward_zero.trunc(),
    ];
    for m in 1..=den {
        let scaled = q * Q::from_integer(m.into());
        for n in [scaled.floor(), scaled.ceil()] {
            out.push(n / Q::from_integer(m.into()));
        }
    }
    out.retain(|v| complexity(v) < limit);
    out.sort_by_key(complexity);
    out.dedup();
    out
}

/// A search request (`dlncheck search`).
#[derive(Clone, Debug)]
pub struct Config {
    pub target: Target,
    pub seed: u64,
    /// Inclusive dimension range.
    pub dims: (usize, usize),
    /// Hits wanted.
    pub count: usize,
    /// Sampling budget.
    pub max_samples: u64,
    /// Worker threads.
    pub jobs: usize,
}

/// Samples per parallel batch; fixed so that which samples are drawn does not depend on `jobs`.
pub const BATCH: u64 = 256;

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Summary {
    pub samples: u64,
    /// Samples where the target claim holds.
    pub holds: u64,
    /// The first `count` hits by sample index, shrunk: (sample index, shrunk candidate).
    pub hits: Vec<(u64, Candidate)>,
}

/// Evaluates samples `range` of `seed` for `target` in parallel on the current rayon pool.
pub fn evaluate(
    target: Target,
    seed: u64,
    dims: (usize, usize),
    range: std::ops::Range<u64>,
) -> Vec<(u64, bool)> {
    range
        .into_par_iter()
        .map(|i| (i, Candidate::sample(seed, i, dims).holds(target)))
        .collect()
}

/// Runs a search: batches of [`BATCH`] samples until `count` hits or `max_samples`; then shrinks
/// the first `count` hits in parallel. `tick` is called with the number of samples evaluated.
pub fn run(cfg: &Config, tick: &(dyn Fn(u64) + Sync)) -> Result<Summary> {
    if cfg.dims.0 == 0 || cfg.dims.0 > cfg.dims.1 || cfg.dims.1 > 12 {
        return Err(Error::Usage(format!(
            "dimension range {}..={} must satisfy 1 ≤ min ≤ max ≤ 12",
            cfg.dims.0, cfg.dims.1
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.jobs.max(1))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", cfg.jobs)))?;
    pool.install(|| {
        let (mut samples, mut holds) = (0u64, 0u64);
        let mut found = Vec::new();
        while samples < cfg.max_samples && (found.len() < cfg.count || cfg.count == 0) {
            let end = (samples + BATCH).min(cfg.max_samples);
            let batch = evaluate(cfg.target, cfg.seed, cfg.dims, samples..end);
            tick(end - samples);
            holds += batch.iter().filter(|(_, h)| *h).count() as u64;
            found.extend(batch.into_iter().filter(|(_, h)| *h).map(|(i, _)| i));
            samples = end;
        }
        found.truncate(cfg.count);
        let hits = found
            .into_par_iter()
            .map(|i| {
                (
                    i,
                    Candidate::sample(cfg.seed, i, cfg.dims).shrink(cfg.target),
                )
            })
            .collect();
        Ok(Summary {
            samples,
            holds,
            hits,
        })
    })
}
