//! One plain parser for every file the kernel reads: TOML or JSON text into a [`Tree`], read
//! back through [`Table`], which enforces a closed schema.
//!
//! - A duplicate key is an error (the TOML parser refuses it itself; for JSON, [`Tree`]'s
//!   deserializer does), never "the last one wins".
//! - An unknown or misspelled key is an error naming the key and the keys allowed there.
//! - A value of the wrong type is an error naming the key, the expected and the found type.
//! - Numbers are canonical rational strings (see [`crate::number`]); TOML/JSON floats are
//!   refused as inexact.

use crate::Error;
use crate::number::{Q, parse_canonical};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Largest dimension d (and list length) accepted anywhere.
pub const MAX_LIST: usize = 1_000_000;
/// Largest side of a dense matrix (covariance, second moment, `lambda-max` matrix, `z`).
pub const MAX_MATRIX: usize = 300;
/// Largest side of a `lambda-max` matrix whose routes are all at float speed (FORMAT.md §4.6).
pub const MAX_FLOAT_MATRIX: usize = 4096;
/// Largest file the kernel reads, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Reads the file at `path`, at most `limit` bytes, refusing anything but a regular file.
///
/// - The type is checked (following symlinks) before the file is opened, so a FIFO, device or
///   socket named like an input file is refused without an open that could block; on Linux the
///   open is non-blocking as well, and the type is checked again on the open handle, so a file
///   swapped for a FIFO in between is refused too.
/// - The cap counts the bytes actually read (`take(limit + 1)`), not the length the file system
///   reports, which a pseudo-file or a growing file can understate.
pub fn read_capped(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| Error::file(&name, format!("cannot read: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    regular_file(&name, &meta)?;
    let too_big = || Error::file(&name, format!("more than {limit} bytes, the size limit"));
    if meta.len() > limit {
        return Err(too_big());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64",
            target_arch = "powerpc64",
            target_arch = "s390x",
            target_arch = "loongarch64"
        )
    ))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK on these architectures (asm-generic/fcntl.h); no effect on regular files.
        options.custom_flags(0o4000);
    }
    let file = options.open(path).map_err(cannot)?;
    regular_file(&name, &file.metadata().map_err(cannot)?)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text(path: &std::path::Path, limit: u64) -> Result<String, Error> {
    String::from_utf8(read_capped(path, limit)?).map_err(|e| {
        Error::file(
            &path.display().to_string(),
            format!(
                "cannot read: not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Refuses a file that is not a regular file, naming what it is.
fn regular_file(name: &str, meta: &std::fs::Metadata) -> Result<(), Error> {
    if meta.is_file() {
        return Ok(());
    }
    let t = meta.file_type();
    let mut what = if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            what = "a FIFO";
        } else if t.is_char_device() || t.is_block_device() {
            what = "a device";
        } else if t.is_socket() {
            what = "a socket";
        }
    }
    Err(Error::file(
        name,
        format!("not a regular file ({what}): refused without reading"),
    ))
}

/// A parsed TOML or JSON document. Tables keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Tree>),
    Table(Vec<(String, Tree)>),
    /// A value no schema accepts (float, null, date-time, integer beyond 64 bits), by kind.
    Other(&'static str),
}

impl Tree {
    /// The kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Tree::Str(_) => "a string",
            Tree::Int(_) => "an integer",
            Tree::Bool(_) => "a boolean",
            Tree::List(_) => "a list",
            Tree::Table(_) => "a table",
            Tree::Other(k) => k,
        }
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML or JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(i64::try_from(v).map_or(Tree::Other("an integer beyond 64 bits"), Tree::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
        Ok(Tree::Other(
            "a float (inexact: write the number as a string \"p/q\")",
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX_LIST {
                return Err(de::Error::custom(format!(
                    "a list longer than the limit of {MAX_LIST} entries"
                )));
            }
            items.push(item);
        }
        Ok(Tree::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries: Vec<(String, Tree)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: Tree = map.next_value()?;
            if key == "$__toml_private_datetime" {
                return Ok(Tree::Other("a date-time"));
            }
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            entries.push((key, value));
        }
        Ok(Tree::Table(entries))
    }
}

/// Parses a file's text: JSON when the name ends in `.json` or the text starts with `{`,
/// TOML otherwise. Syntax errors name the line and column.
pub fn parse_text(name: &str, text: &str) -> Result<Tree, Error> {
    if name.ends_with(".json") || text.trim_start().starts_with('{') {
        return serde_json::from_str(text)
            .map_err(|e| Error::file(name, format!("malformed JSON: {e}")));
    }
    toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start).min(text.len());
        let before = &text.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        Error::file(
            name,
            format!(
                "malformed TOML at line {line}, column {column}: {}",
                e.message()
            ),
        )
    })
}

/// A table read against a closed set of keys; every accessor names `file` and the key path.
#[derive(Clone)]
pub struct Table<'a> {
    pub file: &'a str,
    at: String,
    entries: &'a [(String, Tree)],
    numbers: Numbers,
}

/// How numbers are read.
#[derive(Clone, Copy)]
pub enum Numbers {
    /// Claim files: canonical rational strings only ([`parse_canonical`]).
    Canonical,
    /// Instance files read by the producer: strings read by the given parser (which also takes
    /// exact decimals) and integer literals.
    Input(fn(&str) -> Result<Q, String>),
}

/// `at.key`, or `key` at the top level.
pub fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

impl<'a> Table<'a> {
    /// Reads `tree` (at path `at`) as a table whose keys all belong to `keys`.
    pub fn new(file: &'a str, tree: &'a Tree, at: &str, keys: &[&str]) -> Result<Table<'a>, Error> {
        let Tree::Table(entries) = tree else {
            return Err(Error::field(
                file,
                if at.is_empty() { "(top level)" } else { at },
                format!("expected a table, found {}", tree.kind()),
            ));
        };
        if let Some((k, _)) = entries.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
            return Err(Error::field(
                file,
                &join(at, k),
                format!("unknown key (allowed here: {})", keys.join(", ")),
            ));
        }
        Ok(Table {
            file,
            at: at.to_string(),
            entries,
            numbers: Numbers::Canonical,
        })
    }
    /// The same table, reading numbers with `numbers`; nested tables inherit it.
    pub fn with_numbers(mut self, numbers: Numbers) -> Self {
        self.numbers = numbers;
        self
    }
    /// `tree` at path `at` as a nested table with keys `keys`, reading numbers like this one.
    pub fn nested(&self, tree: &'a Tree, at: &str, keys: &[&str]) -> Result<Table<'a>, Error> {
        Ok(Table::new(self.file, tree, at, keys)?.with_numbers(self.numbers))
    }
    /// Field `key` as a nested table with keys `keys`.
    pub fn child(&self, key: &str, keys: &[&str]) -> Result<Table<'a>, Error> {
        self.nested(self.req(key)?, &self.path(key), keys)
    }
    /// The path of `key`, for messages.
    pub fn path(&self, key: &str) -> String {
        join(&self.at, key)
    }
    /// The path of this table.
    pub fn at(&self) -> &str {
        &self.at
    }
    /// An error about `key`.
    pub fn err(&self, key: &str, reason: impl Into<String>) -> Error {
        Error::field(self.file, &self.path(key), reason)
    }
    pub fn has(&self, key: &str) -> bool {
        self.opt(key).is_some()
    }
    pub fn opt(&self, key: &str) -> Option<&'a Tree> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn req(&self, key: &str) -> Result<&'a Tree, Error> {
        self.opt(key).ok_or_else(|| self.err(key, "missing"))
    }
    /// Refuses every key of `keys` that is present: keys the chosen variant does not use.
    pub fn forbid(&self, keys: &[&str], why: &str) -> Result<(), Error> {
        match keys.iter().find(|k| self.has(k)) {
            Some(k) => Err(self.err(k, format!("not used {why}"))),
            None => Ok(()),
        }
    }
    pub fn q(&self, key: &str) -> Result<Q, Error> {
        self.q_at(self.req(key)?, &self.path(key))
    }
    pub fn qs(&self, key: &str) -> Result<Vec<Q>, Error> {
        self.qs_at(self.req(key)?, &self.path(key))
    }
    pub fn matrix(&self, key: &str) -> Result<Vec<Vec<Q>>, Error> {
        self.matrix_up_to(key, MAX_MATRIX)
    }
    /// A square matrix of at most `max` rows.
    pub fn matrix_up_to(&self, key: &str, max: usize) -> Result<Vec<Vec<Q>>, Error> {
        self.matrix_at(self.req(key)?, &self.path(key), max)
    }
    pub fn list(&self, key: &str) -> Result<&'a [Tree], Error> {
        match self.req(key)? {
            Tree::List(items) => Ok(items),
            other => Err(self.err(key, format!("expected a list, found {}", other.kind()))),
        }
    }
    pub fn str(&self, key: &str) -> Result<&'a str, Error> {
        match self.req(key)? {
            Tree::Str(s) => Ok(s),
            other => Err(self.err(key, format!("expected a string, found {}", other.kind()))),
        }
    }
    pub fn boolean(&self, key: &str) -> Result<bool, Error> {
        match self.req(key)? {
            Tree::Bool(b) => Ok(*b),
            other => Err(self.err(
                key,
                format!("expected true or false, found {}", other.kind()),
            )),
        }
    }
    pub fn uint(&self, key: &str) -> Result<u64, Error> {
        match self.req(key)? {
            Tree::Int(i) if *i >= 0 => Ok(*i as u64),
            other => Err(self.err(
                key,
                format!("expected a non-negative integer, found {}", other.kind()),
            )),
        }
    }
}

impl Table<'_> {
    /// A rational string at `path`.
    pub fn q_at(&self, tree: &Tree, path: &str) -> Result<Q, Error> {
        let parsed = match (tree, self.numbers) {
            (Tree::Str(s), Numbers::Canonical) => parse_canonical(s),
            (Tree::Str(s), Numbers::Input(parse)) => parse(s),
            (Tree::Int(i), Numbers::Input(_)) => Ok(Q::from_integer((*i).into())),
            (other, _) => {
                return Err(Error::field(
                    self.file,
                    path,
                    format!("expected a rational string \"p/q\", found {}", other.kind()),
                ));
            }
        };
        parsed.map_err(|r| Error::field(self.file, path, r))
    }

    /// A list of rationals at `path`.
    pub fn qs_at(&self, tree: &Tree, path: &str) -> Result<Vec<Q>, Error> {
        match tree {
            Tree::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, t)| self.q_at(t, &format!("{path}[{i}]")))
                .collect(),
            other => Err(Error::field(
                self.file,
                path,
                format!("expected a list of rationals, found {}", other.kind()),
            )),
        }
    }

    /// A square matrix (list of rows) of rationals at `path`, at most `max` wide.
    pub fn matrix_at(&self, tree: &Tree, path: &str, max: usize) -> Result<Vec<Vec<Q>>, Error> {
        let file = self.file;
        let Tree::List(rows) = tree else {
            return Err(Error::field(
                file,
                path,
                format!("expected a list of rows, found {}", tree.kind()),
            ));
        };
        let n = rows.len();
        if n == 0 || n > max {
            return Err(Error::field(
                file,
                path,
                format!("a matrix must have 1 to {max} rows, found {n}"),
            ));
        }
        let m: Vec<Vec<Q>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| self.qs_at(r, &format!("{path}[{i}]")))
            .collect::<Result<_, _>>()?;
        match m.iter().position(|r| r.len() != n) {
            Some(i) => Err(Error::field(
                file,
                &format!("{path}[{i}]"),
                format!(
                    "the matrix must be square: row {i} has {} entries, expected {n}",
                    m[i].len()
                ),
            )),
            None => Ok(m),
        }
    }
}
