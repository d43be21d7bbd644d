//! Shards of a sweep (SPEC §9, docs/cluster.md): `--shard i/N` runs the rates of grid index
//! k with k mod N = i (round robin, so cheap and expensive rates spread evenly over the shards,
//! whatever order the costs come in), and writes them to its own folder as `rows.jsonl` (one
//! [`RowRecord`] per line) and `manifest.json` ([`Manifest`]: the instance's digest, the grid,
//! the settings, dlncheck's version and i/N). `merge` checks that N shard folders are exactly
//! the shards 0/N … (N−1)/N of one sweep and assembles the rows with the code of the unsharded
//! run, so it writes the same bytes.
//!
//! Resumption: the manifest is written with `complete: false` before the first rate and
//! `complete: true` after the last; each finished rate is appended to `rows.jsonl` as it ends.
//! A shard re-run on a folder whose manifest is complete does nothing; on an incomplete one it
//! keeps the rows already written and computes the rest.

use crate::error::{Error, Result};
use crate::report::sweep::{Options, RowRecord};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Most shards of one run.
pub const MAX_SHARDS: usize = 1_000_000;

/// The name of the shard format in every manifest (changes when the files change meaning).
pub const FORMAT: &str = "dlncheck-shard-1";

/// The manifest file of a shard folder.
pub const MANIFEST: &str = "manifest.json";

/// The rows file of a shard folder.
pub const ROWS: &str = "rows.jsonl";

/// Shard `index` of `count` (`--shard i/N`, 0 ≤ i < N).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `i/N` with 0 ≤ i < N ≤ [`MAX_SHARDS`].
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = |why: &str| Error::Usage(format!("--shard {text}: {why}"));
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| bad("expected i/N, e.g. 0/4"))?;
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<usize>().ok())
                .flatten()
                .ok_or_else(|| bad("i and N must be non-negative integers"))
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(bad(&format!("N must be from 1 to {MAX_SHARDS}")));
        }
        if index >= count {
            return Err(bad("i must be from 0 to N − 1"));
        }
        Ok(Shard { index, count })
    }

    /// Whether grid index `k` belongs to this shard: k mod N = i.
    pub fn owns(&self, k: usize) -> bool {
        k % self.count == self.index
    }

    /// The grid indices of this shard among `len`, in increasing order.
    pub fn indices(&self, len: usize) -> Vec<usize> {
        (self.index..len).step_by(self.count).collect()
    }

    /// `i/N`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// What a shard folder holds and of which run: `merge` refuses shards that differ in anything
/// but `shard`, and shards that are not `complete`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The version of dlncheck that ran the shard (merge requires its own).
    pub version: String,
    /// The command (`sweep`).
    pub command: String,
    /// The instance file as given on the command line (it is `file` in `sweep.json`).
    pub file: String,
    /// FNV-1a (64 bits, hex) of the instance file's bytes: a guard against merging shards of
    /// different instances, or of an instance edited between the shards and the merge (not a
    /// cryptographic hash).
    pub instance_digest: String,
    pub options: Options,
    /// The learning rates of the whole grid, exact.
    pub grid: Vec<String>,
    pub shard: Shard,
    /// Whether every rate of the shard is in `rows.jsonl`.
    pub complete: bool,
}

/// FNV-1a, 64 bits, of `bytes`, as 16 hex digits.
pub fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// dlncheck's version, as manifests record it.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Bytes read from a shard file at most.
const MAX_SHARD_FILE: u64 = 1 << 30;

/// Reads `DIR/manifest.json`; `None` when the folder has none.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = dir.join(MANIFEST);
    let name = path.display().to_string();
    if !path.exists() {
        return Ok(None);
    }
    let text = dlncheck_kernel::tree::read_text(&path, MAX_SHARD_FILE)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::file(&name, format!("not a shard manifest: {e}")))
}

/// The rows of `DIR/rows.jsonl`. With `lenient` (resuming an interrupted shard) a line that does
/// not parse ends the reading (it is the line being written when the shard was killed);
/// otherwise it is an error naming the line.
pub fn read_rows(dir: &Path, lenient: bool) -> Result<Vec<RowRecord>> {
    let path = dir.join(ROWS);
    let name = path.display().to_string();
    if lenient && !path.exists() {
        return Ok(Vec::new());
    }
    let text = dlncheck_kernel::tree::read_text(&path, MAX_SHARD_FILE)?;
    let mut rows = Vec::new();
    for (n, line) in text.split_terminator('\n').enumerate() {
        match serde_json::from_str::<RowRecord>(line) {
            Ok(r) => rows.push(r),
            Err(_) if lenient => break,
            Err(e) => {
                return Err(Error::file(&name, format!("line {}: {e}", n + 1)));
            }
        }
    }
    // A last line without its newline was cut short.
    if lenient && !text.is_empty() && !text.ends_with('\n') && !rows.is_empty() {
        let whole = text.split_terminator('\n').count();
        if rows.len() == whole {
            rows.pop();
        }
    }
    Ok(rows)
}

/// What `merge` found in its shard folders: the common manifest and every row, by grid index.
pub struct Merged {
    pub manifest: Manifest,
    pub rows: Vec<RowRecord>,
}

/// The one field that differs between two manifests of the same command (for the error).
fn difference(a: &Manifest, b: &Manifest) -> Option<String> {
    if a.format != b.format {
        return Some(format!("shard format ({} vs {})", a.format, b.format));
    }
    if a.version != b.version {
        return Some(format!("dlncheck version ({} vs {})", a.version, b.version));
    }
    if a.command != b.command {
        return Some(format!("command ({} vs {})", a.command, b.command));
    }
    if a.instance_digest != b.instance_digest || a.file != b.file {
        return Some(format!(
            "instance ({} digest {} vs {} digest {})",
            a.file, a.instance_digest, b.file, b.instance_digest
        ));
    }
    if a.options != b.options {
        let (va, vb) = (
            serde_json::to_value(&a.options).unwrap_or_default(),
            serde_json::to_value(&b.options).unwrap_or_default(),
        );
        let keys: Vec<String> = va
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| vb.get(k.as_str()) != Some(v))
            .map(|(k, v)| format!("--{} ({v} vs {})", k.replace('_', "-"), vb[k.as_str()]))
            .collect();
        return Some(format!("options: {}", keys.join(", ")));
    }
    if a.grid != b.grid {
        return Some("grid".into());
    }
    if a.shard.count != b.shard.count {
        return Some(format!(
            "shard count (N = {} vs {})",
            a.shard.count, b.shard.count
        ));
    }
    None
}

/// Checks that `shards` (folder, manifest, rows) are exactly the N shards of one run, made by
/// this version of dlncheck, each complete and holding exactly its rates, and returns their rows
/// in grid order. Every refusal is one line naming the folders (usage error, exit 2).
pub fn collect(shards: Vec<(String, Manifest, Vec<RowRecord>)>) -> Result<Merged> {
    let Some((first_dir, first, _)) = shards.first() else {
        return Err(Error::Usage("merge: no shard folders given".into()));
    };
    let (first_dir, first) = (first_dir.clone(), first.clone());
    let ours = version();
    if first.version != ours {
        return Err(Error::Usage(format!(
            "merge: mismatched version: {first_dir} was made by dlncheck {}, this is {ours}",
            first.version
        )));
    }
    let n = first.shard.count;
    let mut by_index: Vec<Option<&str>> = vec![None; n];
    for (dir, m, _) in &shards {
        if let Some(what) = difference(&first, m) {
            return Err(Error::Usage(format!(
                "merge: mismatched shards: {first_dir} and {dir} differ in {what}"
            )));
        }
        if m.shard.index >= n {
            return Err(Error::Usage(format!(
                "merge: {dir}: shard {} is out of range",
                m.shard.name()
            )));
        }
        let slot = &mut by_index[m.shard.index];
        if let Some(other) = slot {
            return Err(Error::Usage(format!(
                "merge: overlapping shards: {other} and {dir} both hold shard {}",
                m.shard.name()
            )));
        }
        *slot = Some(dir);
        if !m.complete {
            return Err(Error::Usage(format!(
                "merge: shard {} in {dir} is incomplete (interrupted); run it again with the \
                 same arguments to finish it",
                m.shard.name()
            )));
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|&i| by_index[i].is_none())
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "merge: missing shard{} {} (have {} of {n})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            n - missing.len()
        )));
    }
    let mut rows: Vec<Option<RowRecord>> = vec![None; first.grid.len()];
    for (dir, m, records) in shards {
        let want = m.shard.indices(first.grid.len());
        let got: Vec<usize> = records.iter().map(|r| r.index).collect();
        if got != want {
            return Err(Error::Usage(format!(
                "merge: {dir}: rows.jsonl does not hold exactly the rates of shard {}",
                m.shard.name()
            )));
        }
        for r in records {
            if r.lr != first.grid[r.index] {
                return Err(Error::Usage(format!(
                    "merge: {dir}: the row of grid index {} is not at the grid's rate",
                    r.index
                )));
            }
            let k = r.index;
            rows[k] = Some(r);
        }
    }
    Ok(Merged {
        manifest: first,
        rows: rows.into_iter().flatten().collect(),
    })
}
