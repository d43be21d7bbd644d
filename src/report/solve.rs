//! The report of `solve`: the exact T1 answers of SPEC §2 and §7.
//!
//! The JSON object is written straight to its output from the solver's values (no
//! intermediate tree of strings: at d = 10⁵ it has 4·10⁵ numbers), keys in sorted order, in the
//! stdout layout of [`super::Layout`].

use crate::error::{Error, Result};
use crate::numeric::rational::Q;
use crate::theory::optimum::{self, T1};
use crate::theory::pareto::Vertex;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
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
    let inst = crate::io::instance::read_instance(path)?;
    solve_instance(&inst, &path.display().to_string())
}

/// Solves an instance read already; `file` names it in the report.
pub fn solve_instance(inst: &crate::io::instance::Instance, file: &str) -> Result<Solved> {
    let t1 = optimum::solve(inst)?;
    let generalization = crate::theory::generalization::report(inst)?
        .map(|r| crate::theory::generalization::report_json(&r));
    Ok(Solved {
        file: file.to_string(),
        model: inst.model.name().to_string(),
        d: inst.dim(),
        t1,
        generalization,
    })
}

impl Solved {
    /// The report as a JSON value (what the Python package returns): parsed back from
    /// [`Solved::write`], so it is the value `solve --json` prints.
    pub fn to_value(&self) -> Result<Value> {
        let mut bytes = Vec::new();
        let out = |e: String| Error::Output {
            file: "<memory>".into(),
            reason: e,
        };
        self.write(&mut bytes).map_err(|e| out(e.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| out(e.to_string()))
    }
}
