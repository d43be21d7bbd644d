//! The trusted kernel of dlncheck: re-checks claim files in exact rational arithmetic.
//!
//! De Bruijn criterion: everything that searches, solves or approximates lives in the `dlncheck`
//! crate and only *produces* certificates. This crate depends on big integers and rationals and on
//! plain parsers (serde with `toml` and `serde_json`), has no parallelism, and is meant to be read
//! in one sitting: each check is written as its section of `proofs/FORMAT.md` words it, and that
//! file is the kernel's exact specification (every kind, key, check and limit). Two checks also
//! have a faster variant in [`fast`], beside the plain code, proved to give the same answer bit
//! for bit, and switched off by `dlncheck check --plain` ([`fast::set_enabled`]). A claim counts
//! as verified only when [`check_text`] accepts it.
//!
//! A claim file is a table with `version = 2`, optional `title` and `expect`, an optional
//! `instance` (validated once, before any claim, by [`instance::validate`]) and `claim`, a list
//! of tables each with a `kind`. Claims are checked in order; a later claim may use the most
//! recent earlier *verified* claim of a kind it names.

pub mod centred_gd;
pub mod fast;
pub mod instance;
pub mod interval;
pub mod limits;
pub mod linalg;
pub mod number;
pub mod tree;

mod flow;
mod gd;
mod generalization;
mod multipoint;
mod sharpness;
mod t1;

use generalization as g;
use instance::Instance;
use multipoint as m;
use sharpness as s;
use std::fmt;
use tree::{Table, Tree};

/// The claim-file format version this kernel checks.
pub const VERSION: u64 = 2;

/// Malformed or unreadable input: one line naming the file, the field (if any) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    pub field: Option<String>,
    pub reason: String,
}

impl Error {
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        Error {
            file: file.to_string(),
            field: None,
            reason: one_line(&reason.into()),
        }
    }
    pub fn field(file: &str, field: &str, reason: impl Into<String>) -> Self {
        Error {
            file: file.to_string(),
            field: Some(field.to_string()),
            reason: one_line(&reason.into()),
        }
    }
}

fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: field `{field}`: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for Error {}

/// The verdict on one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the text states what was verified.
    Verified(String),
    /// Rejected; the text says which check failed.
    Rejected(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Position of the claim in the file (0-based).
    pub index: usize,
    pub kind: String,
    pub outcome: Outcome,
}

impl Verdict {
    pub fn verified(&self) -> bool {
        matches!(self.outcome, Outcome::Verified(_))
    }
}

/// Everything `check` knows about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub file: String,
    pub verdicts: Vec<Verdict>,
    /// The file's `expect` list, if it has one.
    pub expect: Option<Vec<String>>,
}

impl Report {
    pub fn verified(&self) -> usize {
        self.verdicts.iter().filter(|v| v.verified()).count()
    }
    /// Why the claims do not match `expect`, if they do not.
    pub fn expect_mismatch(&self) -> Option<String> {
        let expect = self.expect.as_ref()?;
        let kinds: Vec<&str> = self.verdicts.iter().map(|v| v.kind.as_str()).collect();
        (kinds != *expect).then(|| {
            format!(
                "expect = [{}] but the file's claims are [{}]",
                expect.join(", "),
                kinds.join(", ")
            )
        })
    }
    /// The file passes: every claim verified and `expect` (if given) matched.
    pub fn passed(&self) -> bool {
        self.verified() == self.verdicts.len() && self.expect_mismatch().is_none()
    }
}

/// Why one claim did not pass: malformed input (exit 2) or a failed check (exit 1).
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
    if cond {
        Ok(())
    } else {
        Err(Fail::Reject(reason()))
    }
}

/// What a claim checker sees: its table, the validated instance and the earlier verified claims.
pub(crate) struct Claim<'a> {
    pub t: Table<'a>,
    instance: Option<&'a Instance>,
    earlier: &'a [(String, &'a Tree)],
}

impl<'a> Claim<'a> {
    /// The instance; a claim of this kind needs one.
    pub fn instance(&self) -> Result<&'a Instance, Fail> {
        self.instance.ok_or_else(|| {
            Fail::Malformed(Error::field(
                self.t.file,
                "instance",
                format!("missing: needed by {}", self.t.at()),
            ))
        })
    }
    /// The most recent earlier verified claim of `kind`, read with that kind's keys.
    pub fn earlier(&self, kind: &str) -> Result<Table<'a>, Fail> {
        let (_, tree) = self
            .earlier
            .iter()
            .rev()
            .find(|(k, _)| k == kind)
            .ok_or_else(|| {
                Fail::Reject(format!(
                    "needs a verified `{kind}` claim earlier in the file"
                ))
            })?;
        let keys = KINDS
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map_or(&[][..], |(_, keys, _)| keys);
        let all: Vec<&str> = std::iter::once("kind")
            .chain(keys.iter().copied())
            .collect();
        Ok(Table::new(
            self.t.file,
            tree,
            &format!("(earlier {kind} claim)"),
            &all,
        )?)
    }
}

type Checker = fn(&Claim) -> Checked;

/// Every claim kind: its name, its closed set of keys (besides `kind`) and its checker.
const KINDS: &[(&str, &[&str], Checker)] = &[
    ("min-norm", t1::OPTIMUM_KEYS, t1::min_norm),
    ("min-sharpness", t1::OPTIMUM_KEYS, t1::min_sharpness),
    ("conflict", &["ratio", "coincide"], t1::conflict),
    ("pareto-front", &["vertices"], t1::pareto_front),
    ("neither-bias", g::FRONT_KEYS, g::neither_bias),
    ("end-optimal", g::END_KEYS, g::end_optimal),
    ("best-linear", g::FACE_KEYS, g::best_linear),
    ("bayes", &["value"], g::bayes),
    ("lambda-max", s::LAMBDA_MAX_KEYS, s::lambda_max),
    (
        "lambda-max-rank-one",
        s::RANK_ONE_KEYS,
        s::lambda_max_rank_one,
    ),
    ("t2-min-norm", m::MIN_NORM_KEYS, m::min_norm),
    ("t2-sharpness-upper", m::UPPER_KEYS, m::sharpness_upper),
    ("t2-sharpness-lower", m::LOWER_KEYS, m::sharpness_lower),
    ("t2-conflict", m::CONFLICT_KEYS, m::conflict),
    ("gd-limit", gd::LIMIT_KEYS, gd::gd_limit),
    ("gd-learner", gd::LEARNER_KEYS, gd::gd_learner),
    ("gf-limit", flow::KEYS, flow::gf_limit),
];

/// Reads and checks the claim file at `path`. `Err` means unreadable or malformed (exit 2).
pub fn check_file(path: &std::path::Path) -> Result<Report, Error> {
    let name = path.display().to_string();
    let text = tree::read_text(path, tree::MAX_FILE_BYTES)?;
    check_text(&name, &text)
}

/// Checks the text of a claim file called `name` (TOML, or JSON by name or leading `{`).
pub fn check_text(name: &str, text: &str) -> Result<Report, Error> {
    let root = tree::parse_text(name, text)?;
    let top = Table::new(
        name,
        &root,
        "",
        &["version", "title", "expect", "instance", "claim"],
    )?;
    let version = top.uint("version")?;
    if version != VERSION {
        return Err(top.err(
            "version",
            format!(
                "unsupported claim-file version {version} (this kernel checks version {VERSION})"
            ),
        ));
    }
    if top.has("title") {
        top.str("title")?;
    }
    let expect = match top.opt("expect") {
        None => None,
        Some(_) => Some(
            top.list("expect")?
                .iter()
                .enumerate()
                .map(|(i, k)| match k {
                    Tree::Str(s) if KINDS.iter().any(|(n, _, _)| n == s) => Ok(s.clone()),
                    other => Err(Error::field(
                        name,
                        &format!("expect[{i}]"),
                        format!(
                            "expected a claim kind, found {}",
                            match other {
                                Tree::Str(s) => format!("`{s}`"),
                                o => o.kind().into(),
                            }
                        ),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let instance = match top.opt("instance") {
        None => None,
        Some(tree) => Some(instance::load(
            name,
            tree,
            "instance",
            tree::Numbers::Canonical,
        )?),
    };
    let claims = top.list("claim")?;
    if claims.is_empty() {
        return Err(top.err("claim", "no claims"));
    }
    limits::admit(name, claims, instance.as_ref())?;
    let mut earlier: Vec<(String, &Tree)> = Vec::new();
    let mut verdicts = Vec::with_capacity(claims.len());
    for (index, tree) in claims.iter().enumerate() {
        let at = format!("claim[{index}]");
        let Tree::Table(entries) = tree else {
            return Err(Error::field(
                name,
                &at,
                format!("expected a table, found {}", tree.kind()),
            ));
        };
        let kind = match entries.iter().find(|(k, _)| k == "kind") {
            Some((_, Tree::Str(s))) => s,
            Some((_, other)) => {
                return Err(Error::field(
                    name,
                    &format!("{at}.kind"),
                    format!("expected a string, found {}", other.kind()),
                ));
            }
            None => return Err(Error::field(name, &format!("{at}.kind"), "missing")),
        };
        let Some((_, keys, checker)) = KINDS.iter().find(|(k, _, _)| k == kind) else {
            return Err(Error::field(
                name,
                &format!("{at}.kind"),
                format!("unknown claim kind `{kind}`"),
            ));
        };
        let all: Vec<&str> = std::iter::once("kind")
            .chain(keys.iter().copied())
            .collect();
        let claim = Claim {
            t: Table::new(name, tree, &at, &all)?,
            instance: instance.as_ref(),
            earlier: &earlier,
        };
        let outcome = match checker(&claim) {
            Ok(summary) => {
                earlier.push((kind.clone(), tree));
                Outcome::Verified(summary)
            }
            Err(Fail::Reject(reason)) => Outcome::Rejected(reason),
            Err(Fail::Malformed(e)) => return Err(e),
        };
        verdicts.push(Verdict {
            index,
            kind: kind.clone(),
            outcome,
        });
    }
    Ok(Report {
        file: name.to_string(),
        verdicts,
        expect,
    })
}
