//! `dlncheck merge DIR… --out DIR` (SPEC §9, docs/cluster.md): checks the shard folders that
//! `sweep --shard i/N` wrote ([`crate::report::shard`]), assembles their rows with the unsharded
//! sweep's code and writes what `sweep` writes, byte for byte, plots re-drawn.

use super::sweep::instance_digest;
use crate::error::{Error, Result};
use crate::numeric::rational::fmt_qs;
use crate::report::shard::{self, MANIFEST, ROWS};
use crate::report::sweep::{Plan, Row};
use std::path::{Path, PathBuf};

/// Runs `merge`: the shard folders `dirs` into `out`.
pub fn run(dirs: &[PathBuf], out: &Path, json: bool) -> Result<i32> {
    let mut shards = Vec::new();
    for dir in dirs {
        let name = dir.display().to_string();
        let m = shard::read_manifest(dir)?
            .ok_or_else(|| Error::file(&name, format!("no {MANIFEST}: not a shard folder")))?;
        let rows = if m.complete {
            let rows = shard::read_rows(dir, false)?;
            let file = dir.join(ROWS).display().to_string();
            for r in &rows {
                Row::from_record(r).map_err(|e| Error::file(&file, e))?;
            }
            rows
        } else {
            Vec::new()
        };
        shards.push((name, m, rows));
    }
    let merged = shard::collect(shards)?;
    let m = &merged.manifest;
    let path = Path::new(&m.file);
    let now = instance_digest(path)?;
    if now != m.instance_digest {
        return Err(Error::Usage(format!(
            "merge: mismatched instance: {} has changed since the shards ran (digest {now}, \
             shards {})",
            m.file, m.instance_digest
        )));
    }
    let plan = Plan::new(super::instance(path)?, &m.file, &m.options)?;
    if fmt_qs(plan.etas()) != m.grid {
        return Err(Error::Usage(
            "merge: mismatched grid: the shards' learning rates are not this version's grid".into(),
        ));
    }
    let rows = merged
        .rows
        .iter()
        .map(Row::from_record)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Usage(format!("merge: {e}")))?;
    let sweep = plan.report(rows)?;
    super::sweep::create_dir(out)?;
    super::sweep::write(&sweep, out)?;
    super::sweep::print(&sweep, out, json)?;
    Ok(0)
}
