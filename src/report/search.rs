//! The report of `search` (SPEC §3, §7): how often a T1-G claim holds over seeded random
//! instances, and the first hits, shrunk.

use crate::error::Result;
use crate::theory::search::{self, Candidate, Config};
use serde::Serialize;
use serde_json::Value;

/// What `search --json` prints.
#[derive(Serialize)]
pub struct Search {
    pub claim: &'static str,
    pub dims: [usize; 2],
    /// The claim files written for the hits (filled in by the caller that writes them).
    pub files: Vec<String>,
    /// holds / samples (0 when no sample ran).
    pub fraction: f64,
    pub hits: Vec<Hit>,
    pub holds: u64,
    pub jobs: usize,
    pub samples: u64,
    pub seconds: f64,
    pub seed: u64,
    /// The shrunk hits themselves, by sample index.
    #[serde(skip)]
    pub candidates: Vec<(u64, Candidate)>,
}

/// One shrunk hit: its sample index, sizes and instance.
#[derive(Serialize)]
pub struct Hit {
    pub atoms: usize,
    pub d: usize,
    pub instance: Value,
    pub sample: u64,
}

/// Runs the search of `cfg`, telling `obs` of each sample done.
pub fn evaluate(cfg: &Config, obs: &dyn super::Observer) -> Result<Search> {
    let start = std::time::Instant::now();
    obs.start(cfg.max_samples, "samples");
    let summary = search::run(cfg, &|n| obs.advance(n));
    obs.finish();
    let summary = summary?;
    let fraction = if summary.samples == 0 {
        0.0
    } else {
        summary.holds as f64 / summary.samples as f64
    };
    Ok(Search {
        claim: cfg.target.name(),
        dims: [cfg.dims.0, cfg.dims.1],
        files: Vec::new(),
        fraction,
        hits: summary
            .hits
            .iter()
            .map(|(i, c)| Hit {
                atoms: c.atoms.len(),
                d: c.x.len(),
                instance: c.tree(),
                sample: *i,
            })
            .collect(),
        holds: summary.holds,
        jobs: cfg.jobs,
        samples: summary.samples,
        seconds: start.elapsed().as_secs_f64(),
        seed: cfg.seed,
        candidates: summary.hits,
    })
}
