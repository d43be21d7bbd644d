//! `dlncheck sweep … --shard i/N --out DIR` (one shard, resumable) and
//! `dlncheck merge DIR… --out DIR` (SPEC §9, docs/cluster.md): the shard writes its rows and
//! manifest ([`crate::report::shard`]); merge checks the shards, assembles the rows with the
//! unsharded sweep's code and writes what `sweep` writes, byte for byte, plots re-drawn.

use crate::error::{Error, Result};
use crate::numeric::rational::fmt_qs;
use crate::report::Observer as _;
use crate::report::shard::{self, MANIFEST, Manifest, ROWS, Shard};
use crate::report::sweep::{Options, Plan, Row, RowRecord};
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn instance_digest(file: &Path) -> Result<String> {
    let bytes = dlncheck_kernel::tree::read_capped(file, dlncheck_kernel::tree::MAX_FILE_BYTES)?;
    Ok(shard::digest(&bytes))
}

fn jsonl(rows: &[RowRecord]) -> Result<String> {
    let mut text = String::new();
    for r in rows {
        text += &serde_json::to_string(r).map_err(|e| Error::Output {
            file: ROWS.into(),
            reason: e.to_string(),
        })?;
        text.push('\n');
    }
    Ok(text)
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let text = serde_json::to_string_pretty(m).map_err(|e| Error::Output {
        file: MANIFEST.into(),
        reason: e.to_string(),
    })? + "\n";
    crate::io::atomic::write_atomic(&dir.join(MANIFEST), text.as_bytes())
}

/// Runs shard `s` of the sweep of `options` on `file` into `dir`: skipped when `dir` holds it
/// complete, resumed when it holds it interrupted, refused when `dir` holds another run.
pub fn run_shard(
    file: &Path,
    inst: crate::io::instance::Instance,
    options: &Options,
    s: Shard,
    dir: &Path,
    json: bool,
) -> Result<i32> {
    let name = file.display().to_string();
    let digest = instance_digest(file)?;
    let plan = Plan::new(inst, &name, options)?;
    let manifest = Manifest {
        format: shard::FORMAT.into(),
        version: shard::version(),
        command: "sweep".into(),
        file: name,
        instance_digest: digest,
        options: options.clone(),
        grid: fmt_qs(plan.etas()),
        shard: s,
        complete: false,
    };
    super::sweep::create_dir(dir)?;
    let want = s.indices(plan.etas().len());
    let bar = super::Bar::default();
    let mut kept: Vec<RowRecord> = Vec::new();
    match shard::read_manifest(dir)? {
        Some(m)
            if m == Manifest {
                complete: true,
                ..manifest.clone()
            } =>
        {
            bar.note(&format!(
                "shard {} in {} is complete; skipped",
                s.name(),
                dir.display()
            ));
            return summary(dir, s, want.len(), want.len(), json);
        }
        Some(m) if m == manifest => {
            for r in shard::read_rows(dir, true)? {
                let fits = s.owns(r.index)
                    && want.contains(&r.index)
                    && manifest.grid.get(r.index) == Some(&r.lr)
                    && Row::from_record(&r).is_ok()
                    && !kept.iter().any(|k| k.index == r.index);
                if fits {
                    kept.push(r);
                }
            }
            bar.note(&format!(
                "shard {} in {}: resuming, {} of {} rates already done",
                s.name(),
                dir.display(),
                kept.len(),
                want.len()
            ));
        }
        Some(m) => {
            return Err(Error::Usage(format!(
                "{}: holds shard {} of another run (complete: {}); use another --out or remove it",
                dir.display(),
                m.shard.name(),
                m.complete
            )));
        }
        None => {}
    }
    write_manifest(dir, &manifest)?;
    crate::io::atomic::write_atomic(&dir.join(ROWS), jsonl(&kept)?.as_bytes())?;
    let rows_path = dir.join(ROWS);
    let appender = std::fs::OpenOptions::new()
        .append(true)
        .open(&rows_path)
        .map_err(|e| Error::Output {
            file: rows_path.display().to_string(),
            reason: e.to_string(),
        })?;
    let appender = std::sync::Mutex::new((appender, None::<String>));
    let todo: Vec<usize> = want
        .iter()
        .copied()
        .filter(|k| !kept.iter().any(|r| r.index == *k))
        .collect();
    let resumed = kept.len();
    let rows = plan.run(&todo, &bar, &|row| {
        let Ok(line) = serde_json::to_string(&row.record()) else {
            return;
        };
        if let Ok(mut g) = appender.lock() {
            let (f, err) = &mut *g;
            if err.is_none()
                && let Err(e) = writeln!(f, "{line}").and_then(|()| f.flush())
            {
                *err = Some(e.to_string());
            }
        }
    });
    if let Ok(g) = appender.lock()
        && let Some(e) = &g.1
    {
        return Err(Error::Output {
            file: rows_path.display().to_string(),
            reason: e.clone(),
        });
    }
    kept.extend(rows.iter().map(Row::record));
    kept.sort_by_key(|r| r.index);
    crate::io::atomic::write_atomic(&rows_path, jsonl(&kept)?.as_bytes())?;
    write_manifest(
        dir,
        &Manifest {
            complete: true,
            ..manifest
        },
    )?;
    summary(dir, s, want.len(), resumed, json)
}

/// What a shard run prints.
fn summary(dir: &Path, s: Shard, rates: usize, resumed: usize, json: bool) -> Result<i32> {
    if json {
        super::print_json(&serde_json::json!({
            "complete": true,
            "out": dir.display().to_string(),
            "rates": rates,
            "resumed": resumed,
            "shard": s.name(),
        }))?;
    } else {
        out!(
            "shard {}: {rates} learning rates (grid index k with k mod {} = {}; {resumed} from an earlier run) in {}; combine the shards with `dlncheck merge`",
            s.name(),
            s.count,
            s.index,
            dir.display()
        );
    }
    Ok(0)
}

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
