//! `dlncheck coq`: restate claim files as Coq theorems about the model (SPEC §8).
//!
//! For every claim of a covered kind the generator writes a Coq theorem whose statement is the
//! claim about the instance's literal data, phrased with the model definitions of the Coq library
//! under `proofs/coq/` (feasible β, N, S, E, faces, ...), and a proof that applies a soundness
//! theorem of the library to a boolean checker run by `vm_compute`. The generator decides
//! nothing: it never calls the Rust kernel or a solver. The few numbers it computes itself
//! (positions of coordinates among the claimed vertices, the indices of the largest and the
//! smallest carrying |x_i|, the levels of x, an LDLᵀ factorisation of Σ) are hints that the Coq
//! checker verifies; a wrong hint makes `make` fail, never a wrong claim pass.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The Coq library, embedded so that the output directory is self-contained.
pub const LIBRARY: &[(&str, &str)] = &[
    ("Vec.v", include_str!("../../proofs/coq/DLN/Vec.v")),
    ("T1.v", include_str!("../../proofs/coq/DLN/T1.v")),
    ("T1Check.v", include_str!("../../proofs/coq/DLN/T1Check.v")),
    ("T1G.v", include_str!("../../proofs/coq/DLN/T1G.v")),
    ("Agree.v", include_str!("../../proofs/coq/DLN/Agree.v")),
    ("Network.v", include_str!("../../proofs/coq/DLN/Network.v")),
    ("Audit.v", include_str!("../../proofs/coq/DLN/Audit.v")),
];

/// Claim kinds that become Coq theorems.
pub const COVERED_KINDS: &[&str] = &[
    "min-norm",
    "min-sharpness",
    "conflict",
    "pareto-front",
    "neither-bias",
    "end-optimal",
    "best-linear",
    "bayes",
];

/// One claim turned into a theorem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    /// position of the claim in the file (0-based)
    pub index: usize,
    pub kind: String,
    /// the Coq theorem's name in `coq_file`
    pub theorem: String,
}

/// One claim the Coq layer does not check, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCovered {
    pub index: usize,
    pub kind: String,
    pub reason: String,
}

/// What was generated for one claim file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub claim_file: PathBuf,
    /// the generated file, relative to the output directory
    pub coq_file: String,
    pub covered: Vec<Covered>,
    pub not_covered: Vec<NotCovered>,
}

/// What `generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
}

impl Report {
    pub fn covered_count(&self) -> usize {
        self.files.iter().map(|f| f.covered.len()).sum()
    }
    pub fn not_covered_count(&self) -> usize {
        self.files.iter().map(|f| f.not_covered.len()).sum()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for file in &self.files {
            writeln!(
                f,
                "{} -> {}: {} claim(s) as Coq theorems, {} not covered",
                file.claim_file.display(),
                file.coq_file,
                file.covered.len(),
                file.not_covered.len()
            )?;
            for c in &file.covered {
                writeln!(f, "  claim {} {}: theorem {}", c.index, c.kind, c.theorem)?;
            }
            for c in &file.not_covered {
                writeln!(
                    f,
                    "  claim {} {}: NOT COVERED ({})",
                    c.index, c.kind, c.reason
                )?;
            }
        }
        write!(
            f,
            "total: {} covered, {} not covered",
            self.covered_count(),
            self.not_covered_count()
        )
    }
}

type Q = BigRational;

fn err(file: &Path, field: &str, msg: &str) -> String {
    format!("{}: {}: {}", file.display(), field, msg)
}

fn parse_q(v: &Value, file: &Path, field: &str) -> Result<Q, String> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            let (n, d) = match s.split_once('/') {
                Some((n, d)) => (n, d),
                None => (s, "1"),
            };
            let n: BigInt = n
                .parse()
                .map_err(|_| err(file, field, &format!("not a rational: {s:?}")))?;
            let d: BigInt = d
                .parse()
                .map_err(|_| err(file, field, &format!("not a rational: {s:?}")))?;
            if d.is_zero() {
                return Err(err(file, field, "zero denominator"));
            }
            Ok(Q::new(n, d))
        }
        Value::Number(n) if n.is_i64() => Ok(Q::from_integer(BigInt::from(n.as_i64().unwrap()))),
        _ => Err(err(file, field, "expected a rational string")),
    }
}

fn get<'a>(t: &'a Value, key: &str, file: &Path, ctx: &str) -> Result<&'a Value, String> {
    t.get(key)
        .ok_or_else(|| err(file, &format!("{ctx}{key}"), "missing"))
}

fn get_q(t: &Value, key: &str, file: &Path, ctx: &str) -> Result<Q, String> {
    parse_q(get(t, key, file, ctx)?, file, &format!("{ctx}{key}"))
}

fn get_vec(t: &Value, key: &str, file: &Path, ctx: &str) -> Result<Vec<Q>, String> {
    let v = get(t, key, file, ctx)?;
    vec_of(v, file, &format!("{ctx}{key}"))
}

fn vec_of(v: &Value, file: &Path, field: &str) -> Result<Vec<Q>, String> {
    let a = v
        .as_array()
        .ok_or_else(|| err(file, field, "expected a list"))?;
    a.iter().map(|e| parse_q(e, file, field)).collect()
}

fn mat_of(v: &Value, file: &Path, field: &str) -> Result<Vec<Vec<Q>>, String> {
    let a = v
        .as_array()
        .ok_or_else(|| err(file, field, "expected a list of rows"))?;
    a.iter().map(|r| vec_of(r, file, field)).collect()
}

fn get_uint(t: &Value, key: &str, file: &Path, ctx: &str) -> Result<u64, String> {
    get(t, key, file, ctx)?.as_u64().ok_or_else(|| {
        err(
            file,
            &format!("{ctx}{key}"),
            "expected a non-negative integer",
        )
    })
}

/// A Coq literal of type Q.
fn cq(q: &Q) -> String {
    format!("({}#{})", q.numer(), q.denom())
}

fn cvec(v: &[Q]) -> String {
    let mut s = String::with_capacity(v.len() * 24 + 2);
    s.push('[');
    for (i, q) in v.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&cq(q));
    }
    s.push(']');
    s
}

fn cmat(m: &[Vec<Q>]) -> String {
    let rows: Vec<String> = m.iter().map(|r| cvec(r)).collect();
    format!("[{}]", rows.join(";\n   "))
}

fn cvec_opt(v: &Option<Vec<Q>>) -> String {
    match v {
        None => "None".into(),
        Some(v) => format!("(Some {})", cvec(v)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Model {
    Shared,
    Uv,
    Pm,
}

impl Model {
    fn coq(self) -> &'static str {
        match self {
            Model::Shared => "Shared",
            Model::Uv => "UV",
            Model::Pm => "PM",
        }
    }
    fn carries(self, xi: &Q, y: &Q) -> bool {
        match self {
            Model::Shared => (xi * y).is_positive(),
            _ => !xi.is_zero(),
        }
    }
}

enum Teacher {
    Discrete(Vec<(Q, Vec<Q>)>),
    Moments(Vec<Vec<Q>>),
}

struct Instance {
    model: Model,
    x: Vec<Q>,
    y: Q,
    teacher: Option<Teacher>,
    sigma: Option<Vec<Vec<Q>>>, // None = identity
}

fn read_instance(inst: &Value, file: &Path) -> Result<Option<Instance>, String> {
    if inst.get("X").is_some() {
        return Ok(None); // several data points: T2, not covered
    }
    let model = match get(inst, "model", file, "instance.")?.as_str() {
        Some("shared") => Model::Shared,
        Some("uv") => Model::Uv,
        Some("pm") => Model::Pm,
        _ => return Err(err(file, "instance.model", "expected shared, uv or pm")),
    };
    let x = get_vec(inst, "x", file, "instance.")?;
    let y = get_q(inst, "y", file, "instance.")?;
    let teacher = match inst.get("teacher") {
        None => None,
        Some(t) => match t.get("kind").and_then(|k| k.as_str()) {
            Some("discrete") => {
                let atoms = get(t, "atoms", file, "instance.teacher.")?
                    .as_array()
                    .ok_or_else(|| err(file, "instance.teacher.atoms", "expected a list"))?;
                let mut out = Vec::new();
                for a in atoms {
                    let w = get_q(a, "weight", file, "instance.teacher.atoms.")?;
                    let b = get_vec(a, "beta", file, "instance.teacher.atoms.")?;
                    out.push((w, b));
                }
                Some(Teacher::Discrete(out))
            }
            Some("moments") => Some(Teacher::Moments(mat_of(
                get(t, "second_moment", file, "instance.teacher.")?,
                file,
                "instance.teacher.second_moment",
            )?)),
            _ => {
                return Err(err(
                    file,
                    "instance.teacher.kind",
                    "expected discrete or moments",
                ));
            }
        },
    };
    let sigma = match inst.get("population").and_then(|p| p.get("covariance")) {
        None => None,
        Some(Value::String(s)) if s == "identity" => None,
        Some(m) => Some(mat_of(m, file, "instance.population.covariance")?),
    };
    Ok(Some(Instance {
        model,
        x,
        y,
        teacher,
        sigma,
    }))
}

/// LDLᵀ without pivoting: Σ = Σ_k D_k l_k l_kᵀ, l_k = column k of L. A hint only: Coq
/// multiplies it out and compares with Σ, and checks D ≥ 0.
fn ldl(s: &[Vec<Q>]) -> (Vec<Q>, Vec<Vec<Q>>) {
    let n = s.len();
    let mut a: Vec<Vec<Q>> = s.to_vec();
    let mut d = Vec::with_capacity(n);
    let mut cols = Vec::with_capacity(n);
    for k in 0..n {
        let p = a[k][k].clone();
        let mut l = vec![Q::zero(); n];
        if p.is_zero() {
            // not positive definite; emit a zero pivot and let Coq reject the product
            d.push(Q::zero());
            cols.push(l);
            continue;
        }
        for i in 0..n {
            l[i] = if i < k { Q::zero() } else { &a[i][k] / &p };
        }
        for i in k..n {
            for j in k..n {
                let v = &l[i] * &l[j] * &p;
                a[i][j] = &a[i][j] - v;
            }
        }
        d.push(p);
        cols.push(l);
    }
    (d, cols)
}

fn identity(n: usize) -> Vec<Vec<Q>> {
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if i == j { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect()
}

fn module_name(path: &Path, used: &mut HashMap<String, usize>) -> String {
    let stem = path
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = stem
        .trim_end_matches(".toml")
        .trim_end_matches(".json")
        .trim_end_matches(".claim");
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    name = format!("C_{name}");
    let n = used.entry(name.clone()).or_insert(0);
    *n += 1;
    if *n > 1 {
        name = format!("{name}_{n}");
    }
    name
}

struct Face {
    c: Vec<Q>,
    nu: Q,
    mu: Vec<Q>,
    value: Q,
}

fn read_face(t: &Value, file: &Path, ctx: &str) -> Result<Face, String> {
    if !t.is_object() {
        return Err(err(
            file,
            ctx,
            "expected a face certificate { value, c, nu, mu }",
        ));
    }
    let ctx = format!("{ctx}.");
    Ok(Face {
        c: get_vec(t, "c", file, &ctx)?,
        nu: get_q(t, "nu", file, &ctx)?,
        mu: get_vec(t, "mu", file, &ctx)?,
        value: get_q(t, "value", file, &ctx)?,
    })
}

fn cface(f: &Face) -> String {
    format!(
        "({}, {}, {}, {})",
        cvec(&f.c),
        cq(&f.nu),
        cvec(&f.mu),
        cq(&f.value)
    )
}

fn not_covered_reason(kind: &str) -> Option<&'static str> {
    if COVERED_KINDS.contains(&kind) {
        None
    } else if kind.starts_with("t2-") {
        Some("several data points (T2): not in the Coq layer")
    } else if kind.starts_with("gd-") {
        Some("gradient-descent claims: not in the Coq layer")
    } else if kind.starts_with("lambda-max") {
        Some("eigenvalue enclosures: not in the Coq layer")
    } else {
        Some("kind not in the Coq layer")
    }
}

/// Generate `out_dir` (library, one .v per claim file, Makefile) from the claim files.
pub fn generate(claim_files: &[PathBuf], out_dir: &Path) -> Result<Report, String> {
    let dln = out_dir.join("DLN");
    std::fs::create_dir_all(&dln).map_err(|e| format!("{}: {e}", dln.display()))?;
    for (name, text) in LIBRARY {
        write_file(&dln.join(name), text)?;
    }
    let mut report = Report::default();
    let mut used = HashMap::new();
    let mut modules = Vec::new();
    for path in claim_files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let tree: Value = if path.extension().and_then(|e| e.to_str()) == Some("json") {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        } else {
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        };
        let module = module_name(path, &mut used);
        let (coq, fr) = generate_file(path, &tree, &module)?;
        write_file(&out_dir.join(format!("{module}.v")), &coq)?;
        modules.push(module);
        report.files.push(fr);
    }
    write_file(&out_dir.join("Makefile"), &makefile(&modules))?;
    write_file(&out_dir.join("_CoqProject"), "-R DLN DLN\n")?;
    let mut summary = report.to_string();
    summary.push('\n');
    write_file(&out_dir.join("REPORT.txt"), &summary)?;
    Ok(report)
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn makefile(modules: &[String]) -> String {
    let mut s = String::new();
    s.push_str("# Generated by dlncheck coq. `make` compiles the library and every claim file;\n");
    s.push_str("# it fails when a claim is false, and when a theorem depends on an axiom.\n");
    s.push_str("COQC ?= coqc\nCOQFLAGS = -q -R DLN DLN\n\n");
    s.push_str(
        "LIB = DLN/Vec.vo DLN/T1.vo DLN/T1Check.vo DLN/T1G.vo DLN/Agree.vo DLN/Network.vo\n",
    );
    let vos: Vec<String> = modules.iter().map(|m| format!("{m}.vo")).collect();
    let _ = writeln!(s, "CLAIMS = {}\n", vos.join(" "));
    s.push_str("all: $(LIB) DLN/Audit.vo $(CLAIMS)\n\n");
    s.push_str("DLN/T1.vo: DLN/Vec.vo\nDLN/T1Check.vo: DLN/T1.vo\nDLN/T1G.vo: DLN/T1Check.vo\nDLN/Agree.vo: DLN/T1G.vo\nDLN/Network.vo: DLN/T1G.vo\n");
    s.push_str("DLN/Audit.vo: $(LIB)\n\n");
    s.push_str("# Print Assumptions output must not list any axiom\n");
    s.push_str("%.vo: %.v\n");
    s.push_str("\t$(COQC) $(COQFLAGS) $< > $*.log 2>&1 || { cat $*.log; exit 1; }\n");
    s.push_str("\t@if grep -q 'Axioms:' $*.log; then cat $*.log; echo 'axioms used'; rm -f $@; exit 1; fi\n\n");
    for m in modules {
        let _ = writeln!(s, "{m}.vo: $(LIB)");
    }
    s.push_str("\nclean:\n\trm -f *.vo *.vok *.vos *.glob *.log DLN/*.vo DLN/*.vok DLN/*.vos DLN/*.glob DLN/*.log\n");
    s.push_str(".PHONY: all clean\n");
    s
}

struct Gen<'a> {
    file: &'a Path,
    out: String,
    theorems: Vec<String>,
}

fn generate_file(path: &Path, tree: &Value, module: &str) -> Result<(String, FileReport), String> {
    let mut g = Gen {
        file: path,
        out: String::new(),
        theorems: Vec::new(),
    };
    let mut fr = FileReport {
        claim_file: path.to_path_buf(),
        coq_file: format!("{module}.v"),
        covered: Vec::new(),
        not_covered: Vec::new(),
    };
    let version = tree.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
    let claims: Vec<Value> = tree
        .get("claim")
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default();
    let inst = match tree.get("instance") {
        Some(i) => read_instance(i, path)?,
        None => None,
    };
    let _ = writeln!(
        g.out,
        "(* Generated by `dlncheck coq` from {} (claim-file version {version}).\n   \
         Each theorem below states one claim about the literal instance data, in terms of the\n   \
         model definitions of the DLN library; its proof runs a checked certificate by vm_compute. *)",
        path.display()
    );
    g.out.push_str(
        "From Coq Require Import QArith List.\nFrom DLN Require Import Vec T1 T1Check T1G.\n\
         Import ListNotations.\nOpen Scope Q_scope.\n\n",
    );
    if let Some(inst) = &inst {
        let _ = writeln!(
            g.out,
            "(* the data point *)\nDefinition x : list Q := {}.",
            cvec(&inst.x)
        );
        let _ = writeln!(g.out, "Definition y : Q := {}.\n", cq(&inst.y));
    }
    let mut t1g_defs_written = false;
    for (idx, claim) in claims.iter().enumerate() {
        let kind = claim
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("")
            .to_string();
        if let Some(reason) = not_covered_reason(&kind) {
            fr.not_covered.push(NotCovered {
                index: idx,
                kind,
                reason: reason.into(),
            });
            continue;
        }
        let Some(inst) = &inst else {
            fr.not_covered.push(NotCovered {
                index: idx,
                kind,
                reason: "no one-point instance (missing, or several data points)".into(),
            });
            continue;
        };
        let name = format!("claim{idx}_{}", kind.replace('-', "_"));
        // Ok(None): a theorem; Ok(Some(reason)): not covered; Err: malformed input
        let res: Result<Option<String>, String> = match kind.as_str() {
            "min-norm" | "min-sharpness" => g
                .min_claim(inst, claim, &name, kind == "min-norm")
                .map(|_| None),
            "conflict" => g.conflict(inst, claim, &name).map(|_| None),
            "pareto-front" => g.pareto(inst, claim, &name).map(|_| None),
            _ => match g.t1g_reason(inst, claim, &kind, version) {
                Some(reason) => Ok(Some(reason)),
                None => {
                    if !t1g_defs_written {
                        g.t1g_defs(inst);
                        t1g_defs_written = true;
                    }
                    match kind.as_str() {
                        "neither-bias" | "end-optimal" => g.front(inst, claim, &name, &kind),
                        "best-linear" => g.best_linear(inst, claim, &name),
                        _ => g.bayes(inst, claim, &name),
                    }
                    .map(|_| None)
                }
            },
        };
        match res? {
            None => {
                g.theorems.push(name.clone());
                fr.covered.push(Covered {
                    index: idx,
                    kind,
                    theorem: name,
                });
            }
            Some(reason) => fr.not_covered.push(NotCovered {
                index: idx,
                kind,
                reason,
            }),
        }
    }
    if !g.theorems.is_empty() {
        // One `Print Assumptions` over the tuple of every theorem of the file: it lists the
        // union of their axioms, and walks the shared library once instead of once per theorem
        // (each walk cost about 1 s, most of a small file's compile time).
        g.out
            .push_str("(* every theorem of this file, so that one audit covers them all *)\n");
        let _ = writeln!(
            g.out,
            "Definition all_claims := ({}).",
            g.theorems.join(", ")
        );
        g.out
            .push_str("(* no axiom may appear below (the Makefile checks it) *)\n");
        g.out.push_str("Print Assumptions all_claims.\n");
    }
    Ok((g.out, fr))
}

impl<'a> Gen<'a> {
    fn min_claim(
        &mut self,
        inst: &Instance,
        c: &Value,
        name: &str,
        norm: bool,
    ) -> Result<(), String> {
        let f = self.file;
        let ctx = format!("claim {name}: ");
        let beta = get_vec(c, "beta", f, &ctx)?;
        let value = get_q(c, "value", f, &ctx)?;
        let dual = get_q(c, "dual", f, &ctx)?;
        let slack = c.get("slack").map(|v| vec_of(v, f, "slack")).transpose()?;
        let slack_neg = c
            .get("slack_neg")
            .map(|v| vec_of(v, f, "slack_neg"))
            .transpose()?;
        let m = inst.model.coq();
        let (what, claim, check) = if norm {
            ("min-norm", "min_norm_claim", "check_min_norm_sound")
        } else {
            (
                "min-sharpness",
                "min_sharpness_claim",
                "check_min_sharpness_sound",
            )
        };
        let _ = writeln!(
            self.out,
            "(* {what}: the claimed β is feasible with value, and every feasible β has at least value *)\n\
             Definition {name}_beta : list Q := {}.\n\
             Theorem {name} : {claim} {m} x y {name}_beta {}.\n\
             Proof.\n  apply ({check} {m} x y {name}_beta {} {} {} {}).\n  vm_compute. reflexivity.\nQed.\n",
            cvec(&beta),
            cq(&value),
            cq(&value),
            cq(&dual),
            cvec_opt(&slack),
            cvec_opt(&slack_neg)
        );
        Ok(())
    }

    fn conflict(&mut self, inst: &Instance, c: &Value, name: &str) -> Result<(), String> {
        let f = self.file;
        let ratio = get_q(c, "ratio", f, "conflict.")?;
        let coincide = get(c, "coincide", f, "conflict.")?
            .as_bool()
            .ok_or_else(|| err(f, "conflict.coincide", "expected a boolean"))?;
        // hints: a largest and a smallest carrying |x_i| (Coq re-checks both)
        let mut imax = 0usize;
        let mut imin = 0usize;
        let mut seen = false;
        for (i, xi) in inst.x.iter().enumerate() {
            if inst.model.carries(xi, &inst.y) {
                if !seen || xi.abs() > inst.x[imax].abs() {
                    imax = i;
                }
                if !seen || xi.abs() < inst.x[imin].abs() {
                    imin = i;
                }
                seen = true;
            }
        }
        let m = inst.model.coq();
        let _ = writeln!(
            self.out,
            "(* conflict (T1.3): N(β_sharp) = ratio·N(β_norm), S(β_norm) = ratio·S(β_sharp),\n   \
             ratio = max_P|x_i| / min_P|x_i|, and coincide iff |x_i| is constant on P *)\n\
             Theorem {name} : conflict_claim {m} x y {} {coincide}.\n\
             Proof.\n  apply (check_conflict_sound {m} x y {imax}%N {imin}%N).\n  vm_compute. reflexivity.\nQed.\n",
            cq(&ratio)
        );
        Ok(())
    }

    fn pareto(&mut self, inst: &Instance, c: &Value, name: &str) -> Result<(), String> {
        let f = self.file;
        let vs = get(c, "vertices", f, "pareto-front.")?
            .as_array()
            .ok_or_else(|| err(f, "pareto-front.vertices", "expected a list"))?;
        let mut verts = Vec::new();
        for v in vs {
            let k = get_uint(v, "index", f, "pareto-front.vertices.")?;
            let n = get_q(v, "norm", f, "pareto-front.vertices.")?;
            let s = get_q(v, "sharpness", f, "pareto-front.vertices.")?;
            verts.push((k, n, s));
        }
        // hint: for every coordinate the position of its |x_i| among the vertices
        let mut pos_of: HashMap<Q, usize> = HashMap::new();
        for (p, (k, _, _)) in verts.iter().enumerate() {
            if let Some(xk) = inst.x.get(*k as usize) {
                pos_of.entry(xk.abs()).or_insert(p);
            }
        }
        let pos: Vec<String> = inst
            .x
            .iter()
            .map(|xi| format!("{}", pos_of.get(&xi.abs()).copied().unwrap_or(0)))
            .collect();
        let vlist: Vec<String> = verts
            .iter()
            .map(|(k, n, s)| format!("({k}%N, {}, {})", cq(n), cq(s)))
            .collect();
        let m = inst.model.coq();
        let _ = writeln!(
            self.out,
            "(* pareto-front (T1.4): each vertex (index, N, S) is the vertex of coordinate index and is\n   \
             attained, N rises and S falls, every point of each segment is attained, every feasible\n   \
             point is on or above each segment, the ends are min-norm and min-sharpness *)\n\
             Definition {name}_vertices : list (N * Q * Q) :=\n  [{}].\n\
             Definition {name}_pos : list N := ([{}])%N.\n\
             Theorem {name} : pareto_front {m} x y {name}_vertices.\n\
             Proof.\n  apply (check_pareto_sound {m} x y {name}_vertices {name}_pos).\n  vm_compute. reflexivity.\nQed.\n",
            vlist.join(";\n   "),
            pos.join("; ")
        );
        Ok(())
    }

    /// Why a T1-G claim cannot be restated (None: it can).
    fn t1g_reason(&self, inst: &Instance, c: &Value, kind: &str, version: i64) -> Option<String> {
        if inst.model != Model::Shared {
            return Some("T1-G claims need model shared".into());
        }
        let Some(t) = &inst.teacher else {
            return Some("T1-G claim without a teacher".into());
        };
        if kind == "bayes" && !matches!(t, Teacher::Discrete(_)) {
            return Some("bayes needs a discrete prior".into());
        }
        if (kind == "neither-bias" || kind == "end-optimal")
            && !c.get("min_norm").is_some_and(|v| v.is_object())
        {
            return Some(format!(
                "claim-file version {version} layout without face certificates (version 2 needed)"
            ));
        }
        if kind == "best-linear" && c.get("c").is_none() {
            return Some("best-linear without c".into());
        }
        None
    }

    fn t1g_defs(&mut self, inst: &Instance) {
        let d = inst.x.len();
        let sigma = inst.sigma.clone().unwrap_or_else(|| identity(d));
        let (dd, ll) = ldl(&sigma);
        let _ = writeln!(
            self.out,
            "(* population covariance Σ{} *)\nDefinition Sigma : list (list Q) :=\n  {}.",
            if inst.sigma.is_none() {
                " (identity)"
            } else {
                ""
            },
            cmat(&sigma)
        );
        match inst.teacher.as_ref().unwrap() {
            Teacher::Discrete(atoms) => {
                let a: Vec<String> = atoms
                    .iter()
                    .map(|(w, b)| format!("({}, {})", cq(w), cvec(b)))
                    .collect();
                let _ = writeln!(
                    self.out,
                    "(* discrete teacher prior: (weight, β⋆) *)\nDefinition atoms : list (Q * list Q) :=\n  [{}].\n\
                     (* the expected error of the linear rule β = y_a·c, straight from the model *)\n\
                     Definition E : list Q -> Q := E_disc Sigma x atoms.",
                    a.join(";\n   ")
                );
                let _ = writeln!(
                    self.out,
                    "Definition F : QF := qf_disc Sigma x atoms.\n\
                     Lemma F_ok : QF_ok F (length x).\nProof. apply qf_disc_ok. vm_compute. reflexivity. Qed."
                );
            }
            Teacher::Moments(m2) => {
                let _ = writeln!(
                    self.out,
                    "(* moments prior: the second moment M2 = E[β⋆ β⋆ᵀ] *)\nDefinition M2 : list (list Q) :=\n  {}.\n\
                     (* E(c) = (xᵀM2x)·cᵀΣc − 2cᵀΣM2x + tr(ΣM2) *)\n\
                     Definition E : list Q -> Q := E_mom Sigma M2 x.",
                    cmat(m2)
                );
                let _ = writeln!(
                    self.out,
                    "Definition F : QF := qf_mom Sigma M2 x.\n\
                     Lemma F_ok : QF_ok F (length x).\nProof. apply qf_mom_ok. Qed."
                );
            }
        }
        let _ = writeln!(
            self.out,
            "(* Σ = Σ_k D_k l_k l_kᵀ with D ≥ 0 (an LDLᵀ hint; Coq multiplies it out): Σ ⪰ 0 *)\n\
             Definition psdD : list Q := {}.\nDefinition psdL : list (list Q) :=\n  {}.\n",
            cvec(&dd),
            cmat(&ll)
        );
    }

    fn front(&mut self, inst: &Instance, c: &Value, name: &str, kind: &str) -> Result<(), String> {
        let f = self.file;
        let ctx = format!("claim {kind}: ");
        let mn = read_face(get(c, "min_norm", f, &ctx)?, f, "min_norm")?;
        let ms = read_face(get(c, "min_sharpness", f, &ctx)?, f, "min_sharpness")?;
        let segs_v = get(c, "segments", f, &ctx)?
            .as_array()
            .ok_or_else(|| err(f, "segments", "expected a list"))?;
        let mut segs = Vec::new();
        for (j, s) in segs_v.iter().enumerate() {
            segs.push(read_face(s, f, &format!("segments[{j}]"))?);
        }
        let value = get_q(c, "value", f, &ctx)?;
        let cc = get_vec(c, "c", f, &ctx)?;
        let marn = get_q(c, "margin_norm", f, &ctx)?;
        let mars = get_q(c, "margin_sharpness", f, &ctx)?;
        let seg = c.get("segment").map(|v| {
            v.as_u64()
                .ok_or_else(|| err(f, "segment", "expected a non-negative integer"))
        });
        let seg = seg.transpose()?;
        let t = c.get("t").map(|v| parse_q(v, f, "t")).transpose()?;
        // hint: the levels of x, decreasing
        let mut lv: Vec<Q> = inst.x.clone();
        lv.sort_by(|a, b| b.cmp(a));
        lv.dedup();
        let seg_c = match seg {
            Some(s) => format!("(Some {s}%N)"),
            None => "None".into(),
        };
        let t_c = match &t {
            Some(t) => format!("(Some {})", cq(t)),
            None => "None".into(),
        };
        let seg_vals: Vec<Q> = segs.iter().map(|s| s.value.clone()).collect();
        let seg_certs: Vec<String> = segs.iter().map(cface).collect();
        let (claim, extra, check) = match kind {
            "neither-bias" => (
                "neither_bias_claim",
                String::new(),
                "check_neither_bias_sound",
            ),
            _ => {
                let e = get(c, "end", f, &ctx)?
                    .as_str()
                    .ok_or_else(|| err(f, "end", "expected a string"))?;
                let e = match e {
                    "min-norm" => "EndNorm",
                    "min-sharpness" => "EndSharp",
                    "both" => "EndBoth",
                    _ => return Err(err(f, "end", "expected min-norm, min-sharpness or both")),
                };
                (
                    "end_optimal_claim",
                    format!(" {e}"),
                    "check_end_optimal_sound",
                )
            }
        };
        let _ = writeln!(
            self.out,
            "(* {kind} (T1-G): over the faces of the Pareto set of x's levels lv: the minimum of E on the\n   \
             min-norm face is min_norm, on the min-sharpness face min_sharpness, on each segment face\n   \
             segments[j]; E* = value is the minimum over the whole Pareto set, attained at c on the\n   \
             lowest such segment (t = its mass on the next level); margins = ends − E* *)\n\
             Definition {name}_levels : list Q := {}.\n\
             Definition {name}_c : list Q := {}.\n\
             Definition {name}_segments : list Q := {}.\n\
             (* arguments: E x levels min_norm min_sharpness segments value segment t c margin_norm\n   \
             margin_sharpness{} *)\n\
             Theorem {name} :\n  {claim} E x {name}_levels {} {} {name}_segments {} {seg_c} {t_c}\n    {name}_c {} {}{extra}.\n\
             Proof.\n  apply ({check} F psdD psdL x F_ok {name}_levels\n    {}\n    {}\n    [{}]).\n  \
             vm_compute. reflexivity.\nQed.\n",
            cvec(&lv),
            cvec(&cc),
            cvec(&seg_vals),
            if extra.is_empty() { "" } else { " end" },
            cq(&mn.value),
            cq(&ms.value),
            cq(&value),
            cq(&marn),
            cq(&mars),
            cface(&mn),
            cface(&ms),
            seg_certs.join(";\n     ")
        );
        Ok(())
    }

    fn best_linear(&mut self, _inst: &Instance, c: &Value, name: &str) -> Result<(), String> {
        let f = self.file;
        let face = Face {
            c: get_vec(c, "c", f, "best-linear.")?,
            nu: get_q(c, "nu", f, "best-linear.")?,
            mu: get_vec(c, "mu", f, "best-linear.")?,
            value: get_q(c, "value", f, "best-linear.")?,
        };
        let _ = writeln!(
            self.out,
            "(* best-linear: c is a linear rule (c ≥ 0, ⟨x, c⟩ = 1) with E(c) = value, and no linear\n   \
             rule has a smaller expected error *)\n\
             Definition {name}_c : list Q := {}.\n\
             Theorem {name} : best_linear_claim E x {name}_c {}.\n\
             Proof.\n  apply (check_best_linear_sound F psdD psdL x F_ok {}).\n  vm_compute. reflexivity.\nQed.\n",
            cvec(&face.c),
            cq(&face.value),
            cface(&face)
        );
        Ok(())
    }

    fn bayes(&mut self, _inst: &Instance, c: &Value, name: &str) -> Result<(), String> {
        let value = get_q(c, "value", self.file, "bayes.")?;
        let _ = writeln!(
            self.out,
            "(* bayes: Σ_a p_a G(m(y_a); β⋆_a) = value, m(y) the posterior mean of the atoms with label y *)\n\
             Theorem {name} : bayes_error Sigma x atoms == {}.\n\
             Proof.\n  apply check_bayes_sound.\n  vm_compute. reflexivity.\nQed.\n",
            cq(&value)
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldl_reproduces_sigma() {
        let q = |n: i64| Q::from_integer(BigInt::from(n));
        let s = vec![
            vec![q(2), q(1), q(0)],
            vec![q(1), q(2), q(1)],
            vec![q(0), q(1), q(2)],
        ];
        let (d, l) = ldl(&s);
        for i in 0..3 {
            for j in 0..3 {
                let mut acc = Q::zero();
                for k in 0..3 {
                    acc += &d[k] * &l[k][i] * &l[k][j];
                }
                assert_eq!(acc, s[i][j]);
            }
        }
        assert!(d.iter().all(|x| x.is_positive()));
    }
}
