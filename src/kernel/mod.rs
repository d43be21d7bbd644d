//! The trusted kernel: re-checks claim files in exact rational arithmetic.
//!
//! De Bruijn criterion: everything that searches, solves or approximates lives outside this
//! module and only *produces* certificates. This module depends on nothing but the data parsers
//! ([`crate::rational`], [`crate::instance`]), the model definitions ([`crate::model`]) and
//! big-integer arithmetic; it has no clever optimisations. A claim counts as verified only when
//! a function here accepts it. The file format is documented in `proofs/FORMAT.md` so that a
//! second, independent checker can be written from it.
//!
//! A claim file is a table with `version = 1`, an optional `title`, an optional `[instance]`
//! (SPEC §7 instance format) and a list `[[claim]]` of tables, each with a `kind`. Claims are
//! checked in order; a later claim may refer to earlier verified claims of the same file.

mod generalization;
mod dynamics;
mod multipoint;
mod sharpness;
mod t1;

use crate::error::Error;
use crate::instance::{self, Fields, Instance};
use crate::rational::Q;
use serde_json::Value;
use std::path::Path;

/// The claim-file format version this kernel checks.
pub const VERSION: u64 = 1;

/// The result of checking one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the string states what was verified.
    Verified(String),
    /// Rejected; the string says which check failed.
    Rejected(String),
}

/// A verdict on one claim of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub file: String,
    /// Position of the claim in the file (0-based).
    pub index: usize,
    pub kind: String,
    pub outcome: Outcome,
}

impl Verdict {
    /// Whether the claim was verified.
    pub fn verified(&self) -> bool {
        matches!(self.outcome, Outcome::Verified(_))
    }
}

/// Why a single claim did not pass: the file is malformed (exit 2) or a check failed (exit 1).
#[derive(Debug)]
pub(crate) enum Fail {
    Malformed(Error),
    Reject(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Malformed(e)
    }
}

pub(crate) type Checked = Result<String, Fail>;

/// Rejects with `reason` unless `cond`.
pub(crate) fn ensure(cond: bool, reason: impl FnOnce() -> String) -> Result<(), Fail> {
    if cond { Ok(()) } else { Err(Fail::Reject(reason())) }
}

/// Whether `s = c − l·x` exactly. Decided on numerators and denominators multiplied out,
/// s_n·c_d·l_d·x_d = (c_n·l_d·x_d − l_n·x_n·c_d)·s_d (all denominators are positive), so no
/// gcd is computed: the kernel's O(d) loops would otherwise spend most of their time reducing
/// intermediate fractions. Inputs need not be in lowest terms.
pub(crate) fn is_c_minus_lx(s: &Q, c: &Q, l: &Q, x: &Q) -> bool {
    let (ld_xd, ln_xn) = (l.denom() * x.denom(), l.numer() * x.numer());
    s.numer() * c.denom() * &ld_xd == (c.numer() * &ld_xd - ln_xn * c.denom()) * s.denom()
}

/// Whether `p·q = r·t` exactly, by multiplying out the denominators (no gcd):
/// p_n·q_n·r_d·t_d = r_n·t_n·p_d·q_d.
pub(crate) fn is_product_eq(p: &Q, q: &Q, r: &Q, t: &Q) -> bool {
    p.numer() * q.numer() * r.denom() * t.denom() == r.numer() * t.numer() * p.denom() * q.denom()
}

/// What a claim checker sees: the file, its instance, the claim and the claims verified so far.
pub(crate) struct Claim<'a> {
    pub fields: Fields<'a>,
    pub instance: Option<&'a Instance>,
    /// `claim[i]`, for error messages.
    pub at: String,
    pub value: &'a Value,
    pub verified: &'a [(String, &'a Value)],
}

impl<'a> Claim<'a> {
    /// The instance, required by this kind.
    pub fn instance(&self) -> Result<&'a Instance, Fail> {
        self.instance.ok_or_else(|| Fail::Malformed(self.fields.err("instance", format!("missing: needed by {}", self.at))))
    }
    fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.at)
    }
    /// Required raw field.
    pub fn raw(&self, key: &str) -> Result<&'a Value, Fail> {
        Ok(self.fields.get(self.value, &self.at, key)?)
    }
    /// Required rational field.
    pub fn q(&self, key: &str) -> Result<Q, Fail> {
        Ok(self.fields.q(self.raw(key)?, &self.path(key))?)
    }
    /// Required list of rationals.
    pub fn qs(&self, key: &str) -> Result<Vec<Q>, Fail> {
        Ok(self.fields.qs(self.raw(key)?, &self.path(key))?)
    }
    /// Required list of rationals, not reduced: for lists whose entries the checker only
    /// compares by cross-multiplication, signs and zero tests.
    pub fn qs_unreduced(&self, key: &str) -> Result<Vec<Q>, Fail> {
        Ok(self.fields.qs_unreduced(self.raw(key)?, &self.path(key))?)
    }
    /// Optional list of rationals.
    pub fn qs_opt(&self, key: &str) -> Result<Option<Vec<Q>>, Fail> {
        match self.value.get(key) {
            None => Ok(None),
            Some(v) => Ok(Some(self.fields.qs(v, &self.path(key))?)),
        }
    }
    /// Required rational matrix.
    pub fn matrix(&self, key: &str) -> Result<Vec<Vec<Q>>, Fail> {
        Ok(self.fields.matrix(self.raw(key)?, &self.path(key))?)
    }
    /// Required boolean.
    pub fn bool(&self, key: &str) -> Result<bool, Fail> {
        let v = self.raw(key)?;
        v.as_bool().ok_or_else(|| Fail::Malformed(self.fields.err(&self.path(key), "expected true or false")))
    }
    /// Required non-negative integer.
    pub fn uint(&self, key: &str) -> Result<u64, Fail> {
        Ok(self.fields.uint(self.raw(key)?, &self.path(key))?)
    }
    /// A list field's elements.
    pub fn list(&self, key: &str) -> Result<&'a Vec<Value>, Fail> {
        let v = self.raw(key)?;
        v.as_array().ok_or_else(|| Fail::Malformed(self.fields.err(&self.path(key), "expected a list")))
    }
    /// The most recent verified claim of `kind` in this file.
    pub fn earlier(&self, kind: &str) -> Option<&'a Value> {
        self.verified.iter().rev().find(|(k, _)| k == kind).map(|(_, v)| *v)
    }
}

/// Checks every claim of the file at `path`.
///
/// `Err` means the file is unreadable or malformed (exit 2); otherwise one verdict per claim.
pub fn check_file(path: &Path) -> Result<Vec<Verdict>, Error> {
    let name = path.display().to_string();
    let tree = instance::read_tree(path)?;
    check_tree(&name, &tree)
}

/// Checks every claim of an already parsed claim file.
pub fn check_tree(file: &str, tree: &Value) -> Result<Vec<Verdict>, Error> {
    let fields = Fields { file };
    let version = fields.uint(fields.get(tree, "", "version")?, "version")?;
    if version != VERSION {
        return Err(fields.err("version", format!("unsupported claim-file version {version} (this kernel checks version {VERSION})")));
    }
    let instance = match tree.get("instance") {
        Some(iv) => Some(instance::parse_instance(file, iv).map_err(|e| prefix_instance(file, e))?),
        None => None,
    };
    let claims = fields.get(tree, "", "claim")?.as_array().ok_or_else(|| fields.err("claim", "expected a list of [[claim]] tables"))?;
    if claims.is_empty() {
        return Err(fields.err("claim", "no claims"));
    }
    let mut verified: Vec<(String, &Value)> = Vec::new();
    let mut out = Vec::with_capacity(claims.len());
    for (index, value) in claims.iter().enumerate() {
        let at = format!("claim[{index}]");
        let kind = fields.str(fields.get(value, &at, "kind")?, &format!("{at}.kind"))?.to_string();
        let claim = Claim { fields, instance: instance.as_ref(), at: at.clone(), value, verified: &verified };
        let result = match kind.as_str() {
            "min-norm" => t1::min_norm(&claim),
            "min-sharpness" => t1::min_sharpness(&claim),
            "conflict" => t1::conflict(&claim),
            "pareto-front" => t1::pareto_front(&claim),
            "neither-bias" => generalization::neither_bias(&claim),
            "end-optimal" => generalization::end_optimal(&claim),
            "best-linear" => generalization::best_linear(&claim),
            "bayes" => generalization::bayes(&claim),
            "gd-witness" => dynamics::gd_witness(&claim),
            "lambda-max" => sharpness::lambda_max(&claim),
            "lambda-max-rank-one" => sharpness::lambda_max_rank_one(&claim),
            "t2-min-norm" => multipoint::min_norm(&claim),
            "t2-sharpness-upper" => multipoint::sharpness_upper(&claim),
            "t2-sharpness-lower" => multipoint::sharpness_lower(&claim),
            "t2-conflict" => multipoint::conflict(&claim),
            other => return Err(fields.err(&format!("{at}.kind"), format!("unknown claim kind `{other}`"))),
        };
        let outcome = match result {
            Ok(summary) => {
                verified.push((kind.clone(), value));
                Outcome::Verified(summary)
            }
            Err(Fail::Reject(reason)) => Outcome::Rejected(reason),
            Err(Fail::Malformed(e)) => return Err(e),
        };
        out.push(Verdict { file: file.to_string(), index, kind, outcome });
    }
    Ok(out)
}

fn prefix_instance(file: &str, e: Error) -> Error {
    match e {
        Error::Input { field, reason, .. } => Error::input(file, format!("instance.{field}"), reason),
        other => other,
    }
}
