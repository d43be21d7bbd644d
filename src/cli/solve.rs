//! `dlncheck solve FILE [--json]`: the exact T1 answers of SPEC §2 and §7.
//!
//! The JSON object is written straight to standard output from the solver's values (no
//! intermediate tree of strings: at d = 10⁵ it has 4·10⁵ numbers), keys in sorted order, in the
//! stdout layout of [`super::Layout`].

use crate::error::{Error, Result};
use crate::numeric::rational::{Q, fmt_q};
use crate::theory::optimum::{self, T1};
use crate::theory::pareto::Vertex;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// Everything `solve` reports about one instance file.
pub struct Solved {
    pub file: String,
    pub model: String,
    pub d: usize,
    pub t1: T1,
    /// The `generalization` object when the instance has a teacher.
    pub generalization: Option<Value>,
}

impl Solved {
    /// Writes the object in the stdout layout ([`super::Layout`]): the same bytes as serialising
    /// the equal `serde_json::Value` with that formatter (`tests/suite/t1.rs` builds that value and
    /// compares), with the Pareto vertex lines rendered on all cores.
    pub fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        let t = &self.t1;
        let quoted = |q: &Q| format!("\"{}\"", crate::numeric::rational::Display(q));
        writeln!(w, "{{")?;
        writeln!(w, "  \"coincide\": {},", t.coincide)?;
        writeln!(w, "  \"d\": {},", self.d)?;
        writeln!(w, "  \"file\": {},", serde_json::to_string(&self.file)?)?;
        if let Some(g) = &self.generalization {
            write!(w, "  \"generalization\": ")?;
            g.serialize(&mut serde_json::Serializer::with_formatter(
                &mut *w,
                super::Layout::member(),
            ))?;
            writeln!(w, ",")?;
        }
        for (key, o) in [
            ("min_norm", &t.min_norm),
            ("min_sharpness", &t.min_sharpness),
        ] {
            writeln!(w, "  \"{key}\": {{")?;
            // β is "0" except at its index.
            write!(w, "    \"beta\": [")?;
            w.write_all(&b"\"0\", ".repeat(o.index))?;
            write!(w, "{}", quoted(&o.carried))?;
            w.write_all(&b", \"0\"".repeat(o.dim - o.index - 1))?;
            writeln!(w, "],")?;
            writeln!(w, "    \"dual\": {},", quoted(&o.dual))?;
            writeln!(w, "    \"index\": {},", o.index)?;
            writeln!(w, "    \"value\": {}", quoted(&o.value))?;
            writeln!(w, "  }},")?;
        }
        writeln!(w, "  \"model\": {},", serde_json::to_string(&self.model)?)?;
        if t.front.is_empty() {
            writeln!(w, "  \"pareto_front\": [],")?;
        } else {
            writeln!(w, "  \"pareto_front\": [")?;
            // Vertex lines are rendered on all cores into a few reused buffers (fresh memory for
            // 20 MB of text would cost more in page faults than the formatting saves), then
            // written in order; every line is followed by ",\n" and the last separator dropped.
            let render = |out: &mut Vec<u8>, c: &[Vertex]| {
                out.clear();
                for v in c {
                    let (n, s) = (
                        crate::numeric::rational::Display(&v.norm),
                        crate::numeric::rational::Display(&v.sharpness),
                    );
                    // Writing into a Vec<u8> cannot fail.
                    let _ = writeln!(
                        out,
                        "    {{\"index\": {}, \"norm\": \"{n}\", \"sharpness\": \"{s}\"}},",
                        v.index
                    );
                }
            };
            const CHUNK: usize = 1024;
            let mut buffers = vec![Vec::new(); 2 * rayon::current_num_threads()];
            let batch = buffers.len() * CHUNK;
            for (b, vertices) in t.front.chunks(batch).enumerate() {
                buffers
                    .par_iter_mut()
                    .zip(vertices.par_chunks(CHUNK))
                    .for_each(|(out, c)| render(out, c));
                let used = vertices.len().div_ceil(CHUNK);
                for (i, out) in buffers[..used].iter().enumerate() {
                    let last = (b + 1) * batch >= t.front.len() && i + 1 == used;
                    w.write_all(if last { &out[..out.len() - 2] } else { out })?;
                }
            }
            writeln!(w, "\n  ],")?;
        }
        writeln!(w, "  \"ratio\": {},", quoted(&t.ratio))?;
        writeln!(w, "  \"thresholds\": {{")?;
        writeln!(w, "    \"eta_max\": {},", quoted(&t.eta_max()))?;
        writeln!(w, "    \"eta_norm\": {}", quoted(&t.eta_norm()))?;
        writeln!(w, "  }}")?;
        writeln!(w, "}}")
    }
}

/// Solves the instance at `path` (SPEC §2, and §3 when it has a teacher).
pub fn solve(path: &Path) -> Result<Solved> {
    let inst = super::instance(path)?;
    let t1 = optimum::solve(&inst)?;
    let generalization = crate::theory::generalization::report(&inst)?
        .map(|r| crate::theory::generalization::report_json(&r));
    Ok(Solved {
        file: path.display().to_string(),
        model: inst.model.name().to_string(),
        d: inst.dim(),
        t1,
        generalization,
    })
}

/// Runs `solve`; prints JSON or a short human summary.
pub fn run(path: &Path, as_json: bool) -> Result<i32> {
    let v = solve(path)?;
    if as_json {
        let out = std::io::stdout().lock();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        v.write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::Output {
                file: "<stdout>".into(),
                reason: e.to_string(),
            })?;
        return Ok(0);
    }
    let t = &v.t1;
    out!("{}: model {}, d = {}", path.display(), v.model, v.d);
    out!(
        "  min norm       N = {} (coordinate {})",
        fmt_q(&t.min_norm.value),
        t.min_norm.index
    );
    out!(
        "  min sharpness  S = {} (coordinate {})",
        fmt_q(&t.min_sharpness.value),
        t.min_sharpness.index
    );
    let verdict = if t.coincide {
        "coincide".to_string()
    } else {
        format!("conflict, ratio {}", fmt_q(&t.ratio))
    };
    out!(
        "  the two biases {verdict}; Pareto front of {} vertices",
        t.front.len()
    );
    out!(
        "  eta_norm = {}, eta_max = {}",
        fmt_q(&t.eta_norm()),
        fmt_q(&t.eta_max())
    );
    if let Some(g) = &v.generalization
        && let Some(star) = g["front_best"]["value"].as_str()
    {
        let verdict = if g["neither_bias"] == json!(true) {
            "both ends lose".to_string()
        } else {
            format!(
                "{} is optimal on the front",
                g["optimal_end"].as_str().unwrap_or("?")
            )
        };
        out!(
            "  expected error: min-norm {}, min-sharpness {}, best front point {star} ({verdict}), best linear rule {}",
            g["min_norm"].as_str().unwrap_or("?"),
            g["min_sharpness"].as_str().unwrap_or("?"),
            g["best_linear"]["value"].as_str().unwrap_or("?")
        );
    }
    Ok(0)
}
