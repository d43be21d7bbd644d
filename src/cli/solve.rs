//! `dlncheck solve FILE [--json]`: the exact T1 answers of SPEC §2 and §7.
//!
//! The JSON object is serialised straight to standard output from the solver's values (no
//! intermediate tree of strings: at d = 10⁵ it has 4·10⁵ numbers). Keys are written in sorted
//! order, as `serde_json` orders a `Value` object, so [`solve_json`]'s tree is the same object.

use crate::error::{Error, Result};
use crate::optimum::{self, Optimum, T1};
use crate::pareto::Vertex;
use crate::rational::{fmt_q, Q};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// A rational serialised as its SPEC §7 string, written without an intermediate `String` when it
/// fits in machine words.
struct Text<'a>(&'a Q);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&crate::rational::Display(self.0))
    }
}

/// The canonical minimiser as a dense list: "0" except y/x_k at k.
struct BetaOut<'a>(&'a Optimum);

impl Serialize for BetaOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let o = self.0;
        let mut seq = s.serialize_seq(Some(o.dim))?;
        for i in 0..o.dim {
            if i == o.index {
                seq.serialize_element(&Text(&o.carried))?;
            } else {
                seq.serialize_element("0")?;
            }
        }
        seq.end()
    }
}

/// `{beta, dual, index, value}` of an optimum.
struct OptimumOut<'a>(&'a Optimum);

impl Serialize for OptimumOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("beta", &BetaOut(o))?;
        m.serialize_entry("dual", &Text(&o.dual))?;
        m.serialize_entry("index", &o.index)?;
        m.serialize_entry("value", &Text(&o.value))?;
        m.end()
    }
}

/// The Pareto front as a list of `{index, norm, sharpness}`.
struct FrontOut<'a>(&'a [Vertex]);

impl Serialize for FrontOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            seq.serialize_element(&VertexOut(v))?;
        }
        seq.end()
    }
}

struct VertexOut<'a>(&'a Vertex);

impl Serialize for VertexOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("index", &self.0.index)?;
        m.serialize_entry("norm", &Text(&self.0.norm))?;
        m.serialize_entry("sharpness", &Text(&self.0.sharpness))?;
        m.end()
    }
}

/// Everything `solve` reports about one instance file.
pub struct Solved {
    pub file: String,
    pub model: String,
    pub d: usize,
    pub t1: T1,
    /// The `generalization` object when the instance has a teacher.
    pub generalization: Option<Value>,
}

impl Serialize for Solved {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let t = &self.t1;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("coincide", &t.coincide)?;
        m.serialize_entry("d", &self.d)?;
        m.serialize_entry("file", &self.file)?;
        if let Some(g) = &self.generalization {
            m.serialize_entry("generalization", g)?;
        }
        m.serialize_entry("min_norm", &OptimumOut(&t.min_norm))?;
        m.serialize_entry("min_sharpness", &OptimumOut(&t.min_sharpness))?;
        m.serialize_entry("model", &self.model)?;
        m.serialize_entry("pareto_front", &FrontOut(&t.front))?;
        m.serialize_entry("ratio", &Text(&t.ratio))?;
        m.serialize_entry("thresholds", &json!({"eta_max": fmt_q(&t.eta_max()), "eta_norm": fmt_q(&t.eta_norm())}))?;
        m.end()
    }
}

impl Solved {
    /// Writes the object in the stdout layout ([`super::Layout`]): the same bytes as serialising
    /// it with that formatter (`tests/t1.rs` compares the two), with the d-long lists rendered on
    /// all cores.
    pub fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        let t = &self.t1;
        let quoted = |q: &Q| format!("\"{}\"", crate::rational::Display(q));
        writeln!(w, "{{")?;
        writeln!(w, "  \"coincide\": {},", t.coincide)?;
        writeln!(w, "  \"d\": {},", self.d)?;
        writeln!(w, "  \"file\": {},", serde_json::to_string(&self.file)?)?;
        if let Some(g) = &self.generalization {
            write!(w, "  \"generalization\": ")?;
            g.serialize(&mut serde_json::Serializer::with_formatter(&mut *w, super::Layout::member()))?;
            writeln!(w, ",")?;
        }
        for (key, o) in [("min_norm", &t.min_norm), ("min_sharpness", &t.min_sharpness)] {
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
                    let (n, s) = (crate::rational::Display(&v.norm), crate::rational::Display(&v.sharpness));
                    // Writing into a Vec<u8> cannot fail.
                    let _ = writeln!(out, "    {{\"index\": {}, \"norm\": \"{n}\", \"sharpness\": \"{s}\"}},", v.index);
                }
            };
            const CHUNK: usize = 1024;
            let mut buffers = vec![Vec::new(); 2 * rayon::current_num_threads()];
            let batch = buffers.len() * CHUNK;
            for (b, vertices) in t.front.chunks(batch).enumerate() {
                buffers.par_iter_mut().zip(vertices.par_chunks(CHUNK)).for_each(|(out, c)| render(out, c));
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
    let generalization = crate::generalization::report(&inst)?.map(|r| crate::generalization::report_json(&r));
    Ok(Solved { file: path.display().to_string(), model: inst.model.name(), d: inst.dim(), t1, generalization })
}

/// The `solve` JSON object (SPEC §7) as a tree.
pub fn solve_json(path: &Path) -> Result<Value> {
    serde_json::to_value(solve(path)?).map_err(|e| Error::Output { file: "<stdout>".into(), reason: e.to_string() })
}

/// Runs `solve`; prints JSON or a short human summary.
pub fn run(path: &Path, as_json: bool) -> Result<i32> {
    let v = solve(path)?;
    if as_json {
        let out = std::io::stdout().lock();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        v.write(&mut w).and_then(|()| w.flush()).map_err(|e| Error::Output { file: "<stdout>".into(), reason: e.to_string() })?;
        return Ok(0);
    }
    let t = &v.t1;
    println!("{}: model {}, d = {}", path.display(), v.model, v.d);
    println!("  min norm       N = {} (coordinate {})", fmt_q(&t.min_norm.value), t.min_norm.index);
    println!("  min sharpness  S = {} (coordinate {})", fmt_q(&t.min_sharpness.value), t.min_sharpness.index);
    let verdict = if t.coincide { "coincide".to_string() } else { format!("conflict, ratio {}", fmt_q(&t.ratio)) };
    println!("  the two biases {verdict}; Pareto front of {} vertices", t.front.len());
    println!("  eta_norm = {}, eta_max = {}", fmt_q(&t.eta_norm()), fmt_q(&t.eta_max()));
    if let Some(g) = &v.generalization
        && let Some(star) = g["front_best"]["value"].as_str()
    {
        let verdict = if g["neither_bias"] == json!(true) { "both ends lose".to_string() } else { format!("{} is optimal on the front", g["optimal_end"].as_str().unwrap_or("?")) };
        println!("  expected error: min-norm {}, min-sharpness {}, best front point {star} ({verdict}), best linear rule {}", g["min_norm"].as_str().unwrap_or("?"), g["min_sharpness"].as_str().unwrap_or("?"), g["best_linear"]["value"].as_str().unwrap_or("?"));
    }
    Ok(0)
}
