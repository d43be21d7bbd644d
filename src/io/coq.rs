//! `dlncheck coq`: restate claim files as Coq theorems about the model (SPEC §8).
//!
//! For every claim of a covered kind the generator writes a Coq theorem whose statement is the
//! claim about the instance's literal data, phrased with the model definitions of the Coq library
//! under `proofs/coq/` (feasible β, N, S, E, faces, ...), and a proof that applies a soundness
//! theorem of the library to a boolean checker run by `vm_compute`. The generator decides
//! nothing: it reads claim files with the kernel's parser and instance reader (so a statement is
//! about the instance `dlncheck check` reads) but never runs the kernel's checks or a solver.
//! The few numbers it computes itself
//! (positions of coordinates among the claimed vertices, the indices of the largest and the
//! smallest carrying |x_i|, the levels of x, an LDLᵀ factorisation of Σ) are hints that the Coq
//! checker verifies; a wrong hint makes `make` fail, never a wrong claim pass.
//!
//! What reaches Coq source (SPEC §8): numbers printed from parsed rationals and integers, and
//! names and comments chosen here. No byte of a claim file's path, title, kind or any other
//! string is written into a `.v` file or the Makefile; the module of the n-th file is
//! `C<n>_<stem>` ([`module_name`], `[A-Za-z0-9_]` only). The path is in `REPORT.txt`, escaped.
//! The output folder must be new, empty or an earlier output ([`generate`]), and the Makefile
//! fixes coqc's load path (see `makefile`).

use dlncheck_kernel::instance::{
    self as kinstance, Covariance, Model as KModel, Teacher as KTeacher,
};
use dlncheck_kernel::number::parse_canonical;
use dlncheck_kernel::tree::{Numbers, Tree};
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
    ("T2.v", include_str!("../../proofs/coq/DLN/T2.v")),
    ("GD.v", include_str!("../../proofs/coq/DLN/GD.v")),
    ("GDCheck.v", include_str!("../../proofs/coq/DLN/GDCheck.v")),
    (
        "GDLearner.v",
        include_str!("../../proofs/coq/DLN/GDLearner.v"),
    ),
    ("Audit.v", include_str!("../../proofs/coq/DLN/Audit.v")),
    ("AuditGD.v", include_str!("../../proofs/coq/DLN/AuditGD.v")),
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
    "gd-limit",
    "gd-learner",
    "t2-min-norm",
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
    /// the Coq module: `C<position in the batch>_<stem>` (see [`module_name`])
    pub module: String,
    /// the generated file, relative to the output directory; `None` when no claim of the file
    /// became a theorem (then no file is written)
    pub coq_file: Option<String>,
    pub covered: Vec<Covered>,
    pub not_covered: Vec<NotCovered>,
}

/// A claim file that was not restated: unreadable or malformed. `message` is one line, the
/// path and every claim-file text in it escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub claim_file: PathBuf,
    pub message: String,
}

/// What `generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
    pub skipped: Vec<Skipped>,
}

impl Report {
    pub fn covered_count(&self) -> usize {
        self.files.iter().map(|f| f.covered.len()).sum()
    }
    pub fn not_covered_count(&self) -> usize {
        self.files.iter().map(|f| f.not_covered.len()).sum()
    }
    /// The exit code of `dlncheck coq`: 2 when some claim file was skipped as unreadable or
    /// malformed (the other files' Coq is written all the same), 0 otherwise. Claims of kinds
    /// the Coq layer does not cover are listed as NOT COVERED and do not change it.
    pub fn exit_code(&self) -> i32 {
        if self.skipped.is_empty() { 0 } else { 2 }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for file in &self.files {
            writeln!(
                f,
                "{} -> {}: {} claim(s) as Coq theorems, {} not covered",
                shown(&file.claim_file),
                file.coq_file.as_deref().unwrap_or("no Coq file"),
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
                    c.index,
                    escape_text(&c.kind),
                    c.reason
                )?;
            }
        }
        for s in &self.skipped {
            writeln!(f, "SKIPPED {}", s.message)?;
        }
        write!(
            f,
            "total: {} covered, {} not covered, {} file(s) skipped",
            self.covered_count(),
            self.not_covered_count(),
            self.skipped.len()
        )
    }
}

type Q = BigRational;

/// A path as printed in messages and in `REPORT.txt`: its `Debug` form without the quotes, so
/// that control characters, quotes, backslashes and bytes that are not UTF-8 are escaped
/// (`\n`, `\"`, `\\`, `\xFF`) and the result is one line. Paths never reach Coq source.
pub fn shown(path: &Path) -> String {
    let d = format!("{:?}", path.as_os_str());
    let inner = d
        .strip_prefix('"')
        .and_then(|d| d.strip_suffix('"'))
        .unwrap_or(&d);
    // `Debug` escapes control characters; this also catches the line and paragraph separators
    escape_text(inner)
}

/// Text from a claim file (a kind, a key) for a one-line message: control characters escaped.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn err(file: &str, field: &str, msg: &str) -> String {
    format!("{}: {}: {}", file, escape_text(field), msg)
}

/// A rational of a claim file: a canonical string, exactly as the kernel reads it.
fn parse_q(v: &Value, file: &str, field: &str) -> Result<Q, String> {
    match v {
        Value::String(s) => parse_canonical(s).map_err(|e| err(file, field, &escape_text(&e))),
        _ => Err(err(file, field, "expected a rational string \"p/q\"")),
    }
}

fn get<'a>(t: &'a Value, key: &str, file: &str, ctx: &str) -> Result<&'a Value, String> {
    t.get(key)
        .ok_or_else(|| err(file, &format!("{ctx}{key}"), "missing"))
}

fn get_q(t: &Value, key: &str, file: &str, ctx: &str) -> Result<Q, String> {
    parse_q(get(t, key, file, ctx)?, file, &format!("{ctx}{key}"))
}

fn get_vec(t: &Value, key: &str, file: &str, ctx: &str) -> Result<Vec<Q>, String> {
    let v = get(t, key, file, ctx)?;
    vec_of(v, file, &format!("{ctx}{key}"))
}

fn vec_of(v: &Value, file: &str, field: &str) -> Result<Vec<Q>, String> {
    let a = v
        .as_array()
        .ok_or_else(|| err(file, field, "expected a list"))?;
    a.iter().map(|e| parse_q(e, file, field)).collect()
}

fn get_uint(t: &Value, key: &str, file: &str, ctx: &str) -> Result<u64, String> {
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

fn cpair(p: &(Q, Q)) -> String {
    format!("({}, {})", cq(&p.0), cq(&p.1))
}

fn cbox(b: &[(Q, Q)]) -> String {
    let v: Vec<String> = b.iter().map(cpair).collect();
    format!("[{}]", v.join(";\n   "))
}

/// The kernel's work limits of a certified run (FORMAT.md §4.8).
const GD_MAX_STEPS: u64 = 1_000_000;
const GD_MAX_BITS: u64 = 4096;

/// ↓v or ↑v at P bits with the exponent floor −(P + 2048) (FORMAT.md §4.8) as (m, e), m·2^e:
/// a hint only, Coq checks that the enclosure holds v.
fn dyadic(v: &Q, p: u64, up: bool) -> (num_bigint::BigInt, i64) {
    use num_bigint::BigInt;
    let r = dlncheck_kernel::number::round(v, p, up);
    if r.is_zero() {
        return (BigInt::zero(), 0);
    }
    // r = m / 2^k, or an integer
    let k = r.denom().bits() as i64 - 1;
    let (mut m, mut e) = (r.numer().clone(), -k);
    let emin = -(p as i64) - 2048;
    if e < emin {
        let s = (emin - e) as usize;
        let scaled = Q::new(m, BigInt::one() << s);
        m = if up { scaled.ceil() } else { scaled.floor() }.to_integer();
        e = emin;
    }
    (m, e)
}

/// The Coq interval [↓v, ↑v] of dyadics.
fn dyadic_enc(v: &Q, p: u64) -> String {
    let (m1, e1) = dyadic(v, p, false);
    let (m2, e2) = dyadic(v, p, true);
    format!("((({m1})%bigZ, ({e1})%bigZ), (({m2})%bigZ, ({e2})%bigZ))")
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
    /// `init.alpha` (w0 = α·1), when given
    alpha: Option<Q>,
}

/// The instance of a claim file, read and validated by the kernel's own reader (the same
/// schema, number syntax, limits and preconditions as `dlncheck check`), so that a statement
/// is about the instance `check` reads. `Ok(Err(reason))`: an instance the Coq layer does not
/// cover; `Err`: malformed.
fn read_instance(tree: &Tree, file: &str) -> Result<Result<Instance, String>, String> {
    let inst = kinstance::load(file, tree, "instance", Numbers::Canonical)
        .map_err(|e| kernel_message(file, &e))?;
    if !inst.one_point {
        return Ok(Err("several data points (T2): not in the Coq layer".into()));
    }
    let model = match inst.model {
        KModel::Shared => Model::Shared,
        KModel::Uv => Model::Uv,
        KModel::Pm => Model::Pm,
        other => {
            return Ok(Err(format!("model {}: not in the Coq layer", other.name())));
        }
    };
    let teacher = inst.teacher.as_ref().map(|t| match t {
        KTeacher::Discrete { atoms } => Teacher::Discrete(atoms.clone()),
        KTeacher::Moments { second_moment, .. } => Teacher::Moments(second_moment.clone()),
    });
    let sigma = match &inst.covariance {
        Covariance::Identity => None,
        Covariance::Matrix(m) => Some(m.clone()),
    };
    let alpha = match &inst.init {
        Some(kinstance::Init::Alpha(a)) => Some(a.clone()),
        _ => None,
    };
    Ok(Ok(Instance {
        model,
        x: inst.x[0].clone(),
        y: inst.y[0].clone(),
        teacher,
        sigma,
        alpha,
    }))
}

/// Model, X (n rows of d) and y of a several-point instance.
type T2Data = (Model, Vec<Vec<Q>>, Vec<Q>);

/// The data of a several-point instance (model shared, uv or pm): `Ok(None)` when the
/// instance has one point or another model.
fn read_instance_t2(tree: &Tree, file: &str) -> Result<Option<T2Data>, String> {
    let inst = kinstance::load(file, tree, "instance", Numbers::Canonical)
        .map_err(|e| kernel_message(file, &e))?;
    if inst.one_point {
        return Ok(None);
    }
    let model = match inst.model {
        KModel::Shared => Model::Shared,
        KModel::Uv => Model::Uv,
        KModel::Pm => Model::Pm,
        _ => return Ok(None),
    };
    Ok(Some((model, inst.x.clone(), inst.y.clone())))
}

/// A kernel error as one line naming `file` (already escaped) and the field.
fn kernel_message(file: &str, e: &dlncheck_kernel::Error) -> String {
    match &e.field {
        Some(field) => format!(
            "{file}: field `{}`: {}",
            escape_text(field),
            escape_text(&e.reason)
        ),
        None => format!("{file}: {}", escape_text(&e.reason)),
    }
}

/// The kernel's tree as a JSON value (the generator's claim readers work on `Value`). A value no
/// schema accepts (float, null, date-time) becomes `null`, which every reader refuses.
fn to_value(t: &Tree) -> Value {
    match t {
        Tree::Str(s) => Value::String(s.clone()),
        Tree::Int(i) => Value::from(*i),
        Tree::Bool(b) => Value::Bool(*b),
        Tree::List(l) => Value::Array(l.iter().map(to_value).collect()),
        Tree::Table(e) => Value::Object(e.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
        Tree::Other(_) => Value::Null,
    }
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

/// The Coq module of the `seq`-th claim file of a batch (1-based): `C<seq>_<stem>`, the stem
/// being the file name without `.claim.toml`/`.claim.json`/`.toml`/`.json`, every character
/// outside `[A-Za-z0-9_]` replaced by `_`, cut to [`MAX_STEM`] characters. The digits between
/// `C` and the first `_` are the position, so two files of a batch never share a module,
/// whatever their names; the stem is only there for a reader.
pub fn module_name(seq: usize, path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = [".claim.toml", ".claim.json", ".toml", ".json"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    let stem: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(MAX_STEM)
        .collect();
    format!("C{seq:03}_{stem}")
}

/// Longest stem kept in a module name.
pub const MAX_STEM: usize = 40;

struct Face {
    c: Vec<Q>,
    nu: Q,
    mu: Vec<Q>,
    value: Q,
}

fn read_face(t: &Value, file: &str, ctx: &str) -> Result<Face, String> {
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
    } else if kind.starts_with("gd-") || kind.starts_with("gf-") {
        Some("kind not in the Coq layer")
    } else if kind.starts_with("lambda-max") {
        Some("eigenvalue enclosures: not in the Coq layer")
    } else {
        Some("kind not in the Coq layer")
    }
}

/// Generate `out_dir` (library, one .v per claim file with a theorem, Makefile, REPORT.txt)
/// from the claim files. A claim file that cannot be read or is malformed is listed in
/// [`Report::skipped`] and the batch goes on. `Err` (nothing generated) only when `out_dir`
/// cannot be used: it must be new, empty, or an earlier output of this generator (which is
/// then emptied first, so that no stale or planted `.vo` survives); or when writing fails.
pub fn generate(claim_files: &[PathBuf], out_dir: &Path) -> Result<Report, String> {
    prepare_out_dir(out_dir)?;
    write_file(&out_dir.join(MARKER), MARKER_TEXT)?;
    let dln = out_dir.join("DLN");
    std::fs::create_dir_all(&dln).map_err(|e| format!("{}: {e}", shown(&dln)))?;
    for (name, text) in LIBRARY {
        write_file(&dln.join(name), text)?;
    }
    let mut report = Report::default();
    let mut modules = Vec::new();
    for (i, path) in claim_files.iter().enumerate() {
        let module = module_name(i + 1, path);
        match read_claim_file(path).and_then(|tree| generate_file(path, &tree, i + 1, &module)) {
            Ok((coq, fr)) => {
                if let Some(f) = &fr.coq_file {
                    write_file(&out_dir.join(f), &coq)?;
                    modules.push(module);
                }
                report.files.push(fr);
            }
            Err(message) => report.skipped.push(Skipped {
                claim_file: path.clone(),
                message,
            }),
        }
    }
    write_file(
        &out_dir.join("Makefile"),
        &makefile(&modules, report.skipped.len()),
    )?;
    write_file(&out_dir.join("_CoqProject"), "-R DLN DLN\n")?;
    let mut summary = report.to_string();
    summary.push('\n');
    write_file(&out_dir.join("REPORT.txt"), &summary)?;
    Ok(report)
}

/// The file that marks a directory as an output of this generator.
const MARKER: &str = ".dlncheck-coq";
const MARKER_TEXT: &str = "Written by dlncheck coq. The next run into this directory deletes \
every file it or make wrote here, and refuses to run if anything else is here.\n";

/// Extensions of the files `coqc` and `make` write beside a `.v` file.
const COQ_OUTPUTS: &[&str] = &["v", "vo", "vok", "vos", "glob", "log"];

/// Whether `name` is a file this generator, `coqc` or the Makefile writes: `stem.ext` for an
/// extension of [`COQ_OUTPUTS`], `.stem.aux`, or either followed by `.tmp~` (an interrupted
/// write), where `stem` satisfies `stem_ok`.
fn generated_name(name: &str, stem_ok: impl Fn(&str) -> bool) -> bool {
    let name = name.strip_suffix(".tmp~").unwrap_or(name);
    if let Some(aux) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".aux")) {
        return stem_ok(aux);
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => COQ_OUTPUTS.contains(&ext) && stem_ok(stem),
        None => false,
    }
}

/// A module name as [`module_name`] makes them.
fn module_stem(stem: &str) -> bool {
    let Some(rest) = stem.strip_prefix('C') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && rest[digits..].starts_with('_')
        && rest[digits..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Makes `dir` ready: created when missing; used as it is when empty; emptied when it is an
/// earlier output (it holds [`MARKER`] and nothing but files this generator, `coqc` or the
/// Makefile write, `DLN/` a plain folder of the same); refused otherwise, before anything is
/// deleted or written.
fn prepare_out_dir(dir: &Path) -> Result<(), String> {
    let name = shown(dir);
    let meta = match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return std::fs::create_dir_all(dir).map_err(|e| format!("{name}: cannot create: {e}"));
        }
        Err(e) => return Err(format!("{name}: {e}")),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(format!("{name}: not a directory"));
    }
    let entries = list_dir(dir)?;
    if entries.is_empty() {
        return Ok(());
    }
    let refuse = |what: String| {
        Err(format!(
            "{name}: the output directory is not empty and not an earlier output of dlncheck coq \
             ({what}); give a new or empty directory"
        ))
    };
    if !entries.iter().any(|(n, _)| n == MARKER) {
        return refuse(format!("no {MARKER}"));
    }
    let top_level = |n: &str| {
        // micromega (lia, nra) caches its certificates in the folder coqc runs in
        [
            MARKER,
            "Makefile",
            "_CoqProject",
            "REPORT.txt",
            ".lia.cache",
            ".nia.cache",
            ".nra.cache",
        ]
        .iter()
        .any(|k| n == *k || n.strip_suffix(".tmp~") == Some(k))
            || generated_name(n, module_stem)
    };
    let library = |n: &str| {
        generated_name(n, |stem| {
            LIBRARY
                .iter()
                .any(|(f, _)| f.strip_suffix(".v") == Some(stem))
        })
    };
    let mut doomed = Vec::new();
    for (n, ft) in &entries {
        let p = dir.join(n);
        if n == "DLN" && ft.is_dir() {
            for (m, ft) in list_dir(&p)? {
                if !(ft.is_file() && library(&m)) {
                    return refuse(format!("found {}", shown(&p.join(&m))));
                }
                doomed.push(p.join(&m));
            }
        } else if ft.is_file() && top_level(n) {
            doomed.push(p);
        } else {
            return refuse(format!("found {}", shown(&p)));
        }
    }
    for p in doomed {
        std::fs::remove_file(&p).map_err(|e| format!("{}: cannot delete: {e}", shown(&p)))?;
    }
    Ok(())
}

/// The entries of `dir`: names that are not UTF-8 are kept lossily (they match no generated
/// name, so they are refused), file types are not followed through symbolic links.
fn list_dir(dir: &Path) -> Result<Vec<(String, std::fs::FileType)>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|e| format!("{}: {e}", shown(dir)))?;
        let ft = e
            .file_type()
            .map_err(|er| format!("{}: {er}", shown(&e.path())))?;
        let name = match e.file_name().into_string() {
            Ok(n) => n,
            Err(raw) => format!("\u{fffd}{}", raw.to_string_lossy()),
        };
        out.push((name, ft));
    }
    Ok(out)
}

/// Reads a claim file as the kernel does ([`dlncheck_kernel::tree::parse_text`]: JSON when the
/// name ends in `.json` or the text starts with `{`, TOML otherwise; duplicate keys refused;
/// at most [`dlncheck_kernel::tree::MAX_FILE_BYTES`]). Anything but a regular file is refused
/// before it is opened, so a FIFO cannot block the batch.
fn read_claim_file(path: &Path) -> Result<Tree, String> {
    use std::io::Read as _;
    let name = shown(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{name}: not a regular file"));
    }
    let limit = dlncheck_kernel::tree::MAX_FILE_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{name}: larger than the limit of {limit} bytes"));
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8 text"))?;
    // the name decides JSON or TOML exactly as for the kernel: the lossy form keeps its ending
    let lossy = path.to_string_lossy();
    dlncheck_kernel::tree::parse_text(&lossy, &text).map_err(|e| kernel_message(&name, &e))
}

/// Writes `text` to `path` through a temporary file beside it (`NAME.tmp~`) and a rename.
fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp~");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(|e| format!("{}: cannot write: {e}", shown(&tmp)))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: cannot write: {e}", shown(path)))
}

/// The library's modules in dependency order, without `.v`.
fn library_modules() -> impl Iterator<Item = &'static str> {
    LIBRARY.iter().map(|(f, _)| f.trim_end_matches(".v"))
}

fn makefile(modules: &[String], skipped: usize) -> String {
    let mut s = String::new();
    s.push_str(
        "# Generated by dlncheck coq. `make` compiles the library DLN/ and every claim module;\n\
         # it fails when a claim is false, when a theorem depends on an axiom, and when a claim\n\
         # file of the batch was skipped as unreadable or malformed (REPORT.txt).\n\
         #\n\
         # Load path: DLN/ (-R DLN DLN; built by this make, from the sources written beside this\n\
         # Makefile), this folder, and the standard library of the `coqc` found on PATH with its\n\
         # system folders (user-contrib). coqc runs with an empty environment, so COQPATH,\n\
         # COQLIB, HOME, XDG_DATA_HOME, XDG_DATA_DIRS and OCAMLPATH add nothing to it, and\n\
         # `override` keeps the environment, MAKEFLAGS and the command line from changing these\n\
         # variables. Only PATH decides which coqc runs.\n\
         MAKEFLAGS += --no-builtin-rules --no-builtin-variables\n.SUFFIXES:\n\n",
    );
    s.push_str(
        "override COQC := env -i PATH=\"$$PATH\" HOME=/nonexistent XDG_DATA_HOME=/nonexistent \
         XDG_DATA_DIRS=/nonexistent coqc\noverride COQFLAGS := -q -R DLN DLN\n\n",
    );
    let lib: Vec<String> = library_modules()
        .filter(|m| !m.starts_with("Audit"))
        .map(|m| format!("DLN/{m}.vo"))
        .collect();
    let _ = writeln!(s, "override LIB := {}", lib.join(" "));
    let vos: Vec<String> = modules.iter().map(|m| format!("{m}.vo")).collect();
    let _ = writeln!(s, "override CLAIMS := {}\n", vos.join(" "));
    s.push_str("all: $(LIB) DLN/Audit.vo DLN/AuditGD.vo $(CLAIMS)\n");
    if skipped > 0 {
        let _ = writeln!(
            s,
            "\t@echo 'dlncheck coq skipped {skipped} claim file(s) as unreadable or malformed: see REPORT.txt'; exit 1"
        );
    }
    s.push('\n');
    s.push_str("DLN/T1.vo: DLN/Vec.vo\nDLN/T1Check.vo: DLN/T1.vo\nDLN/T1G.vo: DLN/T1Check.vo\nDLN/Agree.vo: DLN/T1G.vo\nDLN/Network.vo: DLN/T1G.vo\n");
    s.push_str("DLN/T2.vo: DLN/T1.vo\nDLN/GDCheck.vo: DLN/GD.vo\nDLN/GDLearner.vo: DLN/GDCheck.vo DLN/T1G.vo\n");
    s.push_str("DLN/Audit.vo DLN/AuditGD.vo: $(LIB)\n\n");
    s.push_str(
        "# Print Assumptions may list only Coq's own axioms: the three of its real numbers\n\
         # (Reals: ClassicalDedekindReals.sig_forall_dec, sig_not_dec, functional_extensionality_dep)\n\
         # and the primitive 63-bit integers with their specifications (PrimInt63.*, Uint63.*, under\n\
         # Bignums' BigZ). Any other axiom fails the build.\n",
    );
    s.push_str(
        "override AXIOMS_OK := ^(ClassicalDedekindReals\\.sig_forall_dec|ClassicalDedekindReals\\.sig_not_dec|FunctionalExtensionality\\.functional_extensionality_dep|PrimInt63\\.[A-Za-z0-9_]+|Uint63\\.[A-Za-z0-9_]+)$$\n",
    );
    s.push_str("%.vo: %.v\n");
    s.push_str("\t$(COQC) $(COQFLAGS) $< > $*.log 2>&1 || { cat $*.log; exit 1; }\n");
    s.push_str(
        "\t@if awk '/^Axioms:/{f=1;next} f && /^[^ ]/{print $$1}' $*.log | grep -vqE '$(AXIOMS_OK)'; then cat $*.log; echo 'axioms used beyond the reals and the primitive integers'; rm -f $@; exit 1; fi\n\n",
    );
    for m in modules {
        let _ = writeln!(s, "{m}.vo: $(LIB)");
    }
    s.push_str("\nclean:\n\trm -f *.vo *.vok *.vos *.glob *.log .*.aux DLN/*.vo DLN/*.vok DLN/*.vos DLN/*.glob DLN/*.log DLN/.*.aux\n");
    s.push_str(".PHONY: all clean\n");
    s
}

struct Gen<'a> {
    /// the claim file's path, escaped, for messages
    file: &'a str,
    out: String,
    theorems: Vec<String>,
    /// certified GD runs already written: (η, y, steps, bits, q, box) → the run's Coq name
    runs: Vec<(RunKey, String)>,
    /// whether `alpha` and the GD imports are needed
    gd_used: bool,
    /// whether the T2 module is needed
    t2_used: bool,
    /// the last covered neither-bias and end-optimal theorems (name), for gd-learner
    last_neither: Option<String>,
    last_end: Option<String>,
}

/// What makes two certified runs the same Coq run.
type RunKey = (Q, Q, u64, u64, Q, Vec<(Q, Q)>);

fn generate_file(
    path: &Path,
    root: &Tree,
    seq: usize,
    module: &str,
) -> Result<(String, FileReport), String> {
    let name = shown(path);
    let file = name.as_str();
    let tree = to_value(root);
    let mut g = Gen {
        file,
        out: String::new(),
        theorems: Vec::new(),
        runs: Vec::new(),
        gd_used: false,
        t2_used: false,
        last_neither: None,
        last_end: None,
    };
    let mut fr = FileReport {
        claim_file: path.to_path_buf(),
        module: module.to_string(),
        coq_file: None,
        covered: Vec::new(),
        not_covered: Vec::new(),
    };
    if !tree.is_object() {
        return Err(err(file, "(top level)", "expected a table"));
    }
    let version = tree.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
    let claims = get(&tree, "claim", file, "")?
        .as_array()
        .ok_or_else(|| err(file, "claim", "expected a list of claims"))?;
    if claims.is_empty() {
        return Err(err(file, "claim", "no claims"));
    }
    let mut kinds = Vec::with_capacity(claims.len());
    for (i, c) in claims.iter().enumerate() {
        match c.get("kind").and_then(|k| k.as_str()) {
            Some(k) => kinds.push(k.to_string()),
            None => {
                return Err(err(
                    file,
                    &format!("claim[{i}].kind"),
                    "missing or not a string",
                ));
            }
        }
    }
    // Ok(inst): one point, a covered model; Err(reason): every T1 claim is NOT COVERED
    let inst: Result<Instance, String> = match root {
        Tree::Table(e) => match e.iter().find(|(k, _)| k == "instance") {
            Some((_, t)) => read_instance(t, file)?,
            None => Err("no instance".into()),
        },
        _ => unreachable!("checked above"),
    };
    let inst2 = match root {
        Tree::Table(e) => match e.iter().find(|(k, _)| k == "instance") {
            Some((_, t)) if inst.is_err() => read_instance_t2(t, file)?,
            _ => None,
        },
        _ => None,
    };
    let mut t2_defs_written = false;
    // No text of the claim file's path or contents is written below except numbers printed
    // from parsed rationals and integers, and names chosen here.
    let _ = writeln!(
        g.out,
        "(* Generated by `dlncheck coq` from claim file {seq} of its batch (claim-file version\n   \
         {version}; its path is in REPORT.txt). Each theorem below states one claim about the\n   \
         literal instance data, in terms of the model definitions of the DLN library; its proof\n   \
         runs a checked certificate by vm_compute. *)"
    );
    g.out.push_str(
        "From Coq Require Import QArith List.\nFrom DLN Require Import Vec T1 T1Check T1G.\n\
         Import ListNotations.\nOpen Scope Q_scope.\n\n",
    );
    if let Ok(inst) = &inst {
        let _ = writeln!(
            g.out,
            "(* the data point *)\nDefinition x : list Q := {}.",
            cvec(&inst.x)
        );
        let _ = writeln!(g.out, "Definition y : Q := {}.\n", cq(&inst.y));
    }
    let mut t1g_defs_written = false;
    for (idx, (claim, kind)) in claims.iter().zip(kinds).enumerate() {
        if let Some(reason) = not_covered_reason(&kind) {
            fr.not_covered.push(NotCovered {
                index: idx,
                kind,
                reason: reason.into(),
            });
            continue;
        }
        // a several-point instance: only t2-min-norm is restated (T2.v)
        if let (true, Some((m, xx, yy))) = (kind == "t2-min-norm", &inst2) {
            let name = format!("claim{idx}_t2_min_norm");
            if !t2_defs_written {
                let _ = writeln!(
                    g.out,
                    "(* the data: X (n rows of d) and y *)\nDefinition X : list (list Q) :=\n  {}.\nDefinition yv : list Q := {}.\n",
                    cmat(xx),
                    cvec(yy)
                );
                t2_defs_written = true;
            }
            g.t2_min_norm(*m, claim, &name)?;
            g.t2_used = true;
            g.theorems.push(name.clone());
            fr.covered.push(Covered {
                index: idx,
                kind,
                theorem: name,
            });
            continue;
        }
        let inst = match &inst {
            Ok(inst) => inst,
            Err(reason) => {
                fr.not_covered.push(NotCovered {
                    index: idx,
                    kind,
                    reason: reason.clone(),
                });
                continue;
            }
        };
        let name = format!("claim{idx}_{}", kind.replace('-', "_"));
        // Ok(None): a theorem; Ok(Some(reason)): not covered; Err: malformed input
        let res: Result<Option<String>, String> = match kind.as_str() {
            "min-norm" | "min-sharpness" => g
                .min_claim(inst, claim, &name, kind == "min-norm")
                .map(|_| None),
            "conflict" => g.conflict(inst, claim, &name).map(|_| None),
            "pareto-front" => g.pareto(inst, claim, &name).map(|_| None),
            "gd-limit" => g.gd_limit(inst, claim, &name),
            "t2-min-norm" => Ok(Some(
                "t2-min-norm needs several data points (model shared, uv or pm)".into(),
            )),
            "gd-learner" => g.gd_learner(inst, claim, &name, t1g_defs_written),
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
                if kind == "neither-bias" {
                    g.last_neither = Some(name.clone());
                } else if kind == "end-optimal" {
                    g.last_end = Some(name.clone());
                }
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
    if g.t2_used {
        let imports = "From DLN Require Import Vec T1 T1Check T1G.\n";
        g.out = g.out.replacen(
            imports,
            &format!("{imports}From DLN Require Import T2.\n"),
            1,
        );
    }
    if g.gd_used {
        // the GD library (over R) only where a GD claim needs it; α of the instance
        let alpha = inst.as_ref().ok().and_then(|i| i.alpha.clone());
        let imports = "From DLN Require Import Vec T1 T1Check T1G.\n";
        let alpha_def = alpha
            .map(|a| format!("Definition alpha : Q := {}.\n", cq(&a)))
            .unwrap_or_default();
        g.out = g.out.replacen(
            imports,
            &format!(
                "{imports}From Coq Require Import Reals.\nFrom Bignums Require Import BigZ.\n\
                 From DLN Require Import GD GDCheck GDLearner.\n"
            ),
            1,
        );
        g.out = g.out.replacen(
            "Definition y : Q := ",
            &format!("{alpha_def}Definition y : Q := "),
            1,
        );
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
        fr.coq_file = Some(format!("{module}.v"));
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

    fn t2_min_norm(&mut self, m: Model, c: &Value, name: &str) -> Result<(), String> {
        let f = self.file;
        let ctx = "t2-min-norm.";
        let beta = get_vec(c, "beta", f, ctx)?;
        let value = get_q(c, "value", f, ctx)?;
        let dual = get_vec(c, "dual", f, ctx)?;
        let _ = writeln!(
            self.out,
            "(* t2-min-norm (SPEC §5.1): β is feasible (Xβ = y, β ≥ 0 for shared), N(β) = value, and\n   \
             every feasible β' has N(β') ≥ value (LP duality with the dual λ, checked) *)\n\
             Definition {name}_beta : list Q := {}.\n\
             Theorem {name} : t2_min_norm_claim {} X yv {name}_beta {}.\n\
             Proof.\n  apply (check_t2_min_norm_sound {} X yv {name}_beta {} {}).\n  vm_compute. reflexivity.\nQed.\n",
            cvec(&beta),
            m.coq(),
            cq(&value),
            m.coq(),
            cq(&value),
            cvec(&dual)
        );
        Ok(())
    }

    /// Why a GD claim cannot be restated (None: it can).
    fn gd_reason(inst: &Instance) -> Option<String> {
        if inst.model != Model::Shared {
            return Some("GD claims need model shared".into());
        }
        if inst.alpha.is_none() {
            return Some("GD claims need init.alpha".into());
        }
        None
    }

    /// One certified run (`steps`, `bits`, `q`, `beta`) for label `y` at rate `eta`, written once
    /// as a Coq `run` with its hints (the enclosures of the constants, FORMAT.md §4.8) and a
    /// lemma `<run>_ok` proving it by vm_compute; returns the run's name and its box.
    fn gd_run(
        &mut self,
        inst: &Instance,
        t: &Value,
        y: &Q,
        eta: &Q,
        ctx: &str,
    ) -> Result<(String, Vec<(Q, Q)>), String> {
        let f = self.file;
        let steps = get_uint(t, "steps", f, ctx)?;
        let bits = get_uint(t, "bits", f, ctx)?;
        if steps > GD_MAX_STEPS {
            return Err(err(f, &format!("{ctx}steps"), "more than 1000000 steps"));
        }
        if !(2..=GD_MAX_BITS).contains(&bits) {
            return Err(err(f, &format!("{ctx}bits"), "bits must be in 2..=4096"));
        }
        let q = get_q(t, "q", f, ctx)?;
        let list = get(t, "beta", f, ctx)?
            .as_array()
            .ok_or_else(|| err(f, &format!("{ctx}beta"), "expected a list"))?;
        let mut bx = Vec::with_capacity(list.len());
        for e in list {
            bx.push((
                get_q(e, "lo", f, &format!("{ctx}beta."))?,
                get_q(e, "hi", f, &format!("{ctx}beta."))?,
            ));
        }
        let key: RunKey = (eta.clone(), y.clone(), steps, bits, q.clone(), bx.clone());
        if let Some((_, name)) = self.runs.iter().find(|(k, _)| *k == key) {
            return Ok((name.clone(), bx));
        }
        let name = format!("run{}", self.runs.len() + 1);
        let alpha = inst.alpha.clone().expect("checked by gd_reason");
        let x = &inst.x;
        let two = Q::from_integer(2.into());
        let four = Q::from_integer(4.into());
        let enc_list = |g: &dyn Fn(&Q) -> Q| -> String {
            let v: Vec<String> = x.iter().map(|xi| dyadic_enc(&g(xi), bits)).collect();
            format!("[{}]", v.join("; "))
        };
        let c2 = enc_list(&|xi| &two * eta * xi);
        let s4 = enc_list(&|xi| &four * eta * xi * xi);
        let u4 = enc_list(&|xi| &four * eta * eta * xi * xi * xi);
        let a2 = &alpha * &alpha;
        let sx: Q = x.iter().sum();
        let b0 = dyadic_enc(&a2, bits);
        let r0 = dyadic_enc(&(&a2 * &sx - y), bits);
        let _ = writeln!(
            self.out,
            "(* a certified GD run: label, K steps, P bits, q, the enclosures of 2ηx_i, 4ηx_i², 4η²x_i³,\n   \
             α², α²Σx_i − y (hints: each is checked to contain its value), and the claimed box of β∞ *)\n\
             Definition {name} : run := mkrun {} (N.to_nat {steps}%N) {bits}%Z {}\n  {c2}\n  {s4}\n  {u4}\n  {b0}\n  {r0}\n  {}.\n\
             (* the run is computed once, by the kernel at Qed (vm_cast_no_check skips the\n   \
             tactic-side copy of the same computation; a false check fails at Qed) *)\n\
             Lemma {name}_ok : run_ok x alpha {} {name} = true.\nProof. vm_cast_no_check (eq_refl true). Qed.\n",
            cq(y),
            cq(&q),
            cbox(&bx),
            cq(eta)
        );
        self.runs.push((key, name.clone()));
        Ok((name, bx))
    }

    fn gd_limit(
        &mut self,
        inst: &Instance,
        c: &Value,
        name: &str,
    ) -> Result<Option<String>, String> {
        if let Some(r) = Self::gd_reason(inst) {
            return Ok(Some(r));
        }
        let f = self.file;
        let ctx = "gd-limit.";
        let eta = get_q(c, "lr", f, ctx)?;
        let iv = |k: &str| -> Result<(Q, Q), String> {
            let t = get(c, k, f, ctx)?;
            Ok((
                get_q(t, "lo", f, &format!("{ctx}{k}."))?,
                get_q(t, "hi", f, &format!("{ctx}{k}."))?,
            ))
        };
        let (norm, sharp, eos) = (iv("norm")?, iv("sharpness")?, iv("eos_margin")?);
        self.gd_used = true;
        let (run, bx) = self.gd_run(inst, c, &inst.y, &eta, ctx)?;
        let _ = writeln!(
            self.out,
            "(* gd-limit (SPEC §4.1): GD at rate η from w0 = α·1 on (x, y) converges to a zero-loss β∞\n   \
             with β∞ in the box; N(β∞) = Σβ∞_i, S(β∞) = 4Σx_i²β∞_i and 2/η − S(β∞) lie in the claimed\n   \
             intervals (arguments: x y α η box norm sharpness eos_margin) *)\n\
             Definition {name}_box : list (Q * Q) := {}.\n\
             Theorem {name} :\n  gd_limit_claim x y alpha {} {name}_box\n    {}\n    {}\n    {}.\n\
             Proof.\n  apply (check_gd_limit_sound x alpha {} {run} {} {} {} {run}_ok).\n  \
             vm_compute. reflexivity.\nQed.\n",
            cbox(&bx),
            cq(&eta),
            cpair(&norm),
            cpair(&sharp),
            cpair(&eos),
            cq(&eta),
            cpair(&norm),
            cpair(&sharp),
            cpair(&eos),
        );
        Ok(None)
    }

    fn gd_learner(
        &mut self,
        inst: &Instance,
        c: &Value,
        name: &str,
        t1g_written: bool,
    ) -> Result<Option<String>, String> {
        if let Some(r) = Self::gd_reason(inst) {
            return Ok(Some(r));
        }
        let Some(Teacher::Discrete(atoms)) = &inst.teacher else {
            return Ok(Some("gd-learner needs a discrete teacher".into()));
        };
        let Some(front) = self.last_neither.clone().or_else(|| self.last_end.clone()) else {
            return Ok(Some(
                "no earlier covered neither-bias or end-optimal claim".into(),
            ));
        };
        debug_assert!(
            t1g_written,
            "a covered front claim wrote the T1-G definitions"
        );
        let f = self.file;
        let ctx = "gd-learner.";
        let eta = get_q(c, "lr", f, ctx)?;
        let ee = get(c, "expected_error", f, ctx)?;
        let ee = (
            get_q(ee, "lo", f, "gd-learner.expected_error.")?,
            get_q(ee, "hi", f, "gd-learner.expected_error.")?,
        );
        let en = get_q(c, "min_norm", f, ctx)?;
        let es = get_q(c, "min_sharpness", f, ctx)?;
        let flag = |k: &str| -> Result<bool, String> {
            get(c, k, f, ctx)?
                .as_bool()
                .ok_or_else(|| err(f, &format!("{ctx}{k}"), "expected a boolean"))
        };
        let (bn, bs) = (flag("beats_min_norm")?, flag("beats_min_sharpness")?);
        let (ln, ls) = (flag("loses_to_min_norm")?, flag("loses_to_min_sharpness")?);
        let list = get(c, "atoms", f, ctx)?
            .as_array()
            .ok_or_else(|| err(f, "gd-learner.atoms", "expected a list"))?;
        if list.len() != atoms.len() {
            return Err(err(
                f,
                "gd-learner.atoms",
                "one run per teacher atom needed",
            ));
        }
        self.gd_used = true;
        let mut runs = Vec::with_capacity(list.len());
        for t in list {
            let y = get_q(t, "y", f, "gd-learner.atoms.")?;
            runs.push(self.gd_run(inst, t, &y, &eta, "gd-learner.atoms.")?.0);
        }
        let forall: String = runs
            .iter()
            .map(|r| format!("constructor; [exact {r}_ok|]. "))
            .collect();
        let _ = writeln!(
            self.out,
            "(* gd-learner (SPEC §4.1, C5): for every teacher atom a, GD at rate η from w0 = α·1 on\n   \
             (x, ⟨x, β⋆_a⟩) converges to a zero-loss limit_a; E_GD = Σ_a p_a G(limit_a; β⋆_a) lies in\n   \
             expected_error; the flags (beats min-norm, beats min-sharpness, loses to min-norm, loses to\n   \
             min-sharpness) state E_GD < En, E_GD < Es, E_GD > En, E_GD > Es; and En, Es are E(min-norm)\n   \
             and E(min-sharpness), the minima of E over the two end faces of the Pareto set\n   \
             (arguments: x α η Σ atoms expected_error En Es flags) *)\n\
             Theorem {name} :\n  gd_learner_claim x alpha {} Sigma atoms\n    {}\n    {} {} {bn} {bs} {ln} {ls} /\\\n  \
             ends_of E x {front}_levels {} {}.\n\
             Proof.\n  split.\n  - apply (check_learner_sound x alpha {} Sigma atoms [{}]).\n    + {forall}constructor.\n    \
             + vm_compute. reflexivity.\n  - eapply ends_eq; [exact (front_ends _ _ _ _ _ _ _ _ _ _ _ _ (proj1 {front}))|].\n    \
             vm_compute. reflexivity.\nQed.\n",
            cq(&eta),
            cpair(&ee),
            cq(&en),
            cq(&es),
            cq(&en),
            cq(&es),
            cq(&eta),
            runs.join("; "),
        );
        Ok(None)
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
    use num_bigint::BigInt;

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
