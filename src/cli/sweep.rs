//! `dlncheck sweep FILE --lr-from A --lr-to B --points N [--log] --out DIR [--shard i/N]`
//! (SPEC §4, §7, §9): parses, runs [`crate::report::sweep`], writes `DIR/sweep.csv`,
//! `DIR/sweep.json` and the plots (SVG and PNG), and prints the checks C1–C5. With `--shard`,
//! DIR receives the shard's rows and manifest instead ([`crate::report::shard`]).

use crate::dynamics::gd::decimal;
use crate::error::{Error, Result};
use crate::numeric::rational::fmt_qs;
use crate::report::Observer as _;
use crate::report::shard::{self, MANIFEST, Manifest, ROWS, Shard};
use crate::report::sweep::{Options, Plan, Row, RowRecord, Sweep};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `sweep`.
#[derive(Clone, Debug)]
pub struct Args {
    pub file: PathBuf,
    pub out: PathBuf,
    pub json: bool,
    /// `--shard i/N`: only the rates of shard i ([`crate::report::shard::Shard`]).
    pub shard: Option<String>,
    pub options: Options,
}

/// Runs `sweep`.
pub fn run(a: &Args) -> Result<i32> {
    let inst = super::instance(&a.file)?;
    let file = a.file.display().to_string();
    if let Some(s) = &a.shard {
        let shard = crate::report::shard::Shard::parse(s)?;
        return run_shard(&a.file, inst, &a.options, shard, &a.out, a.json);
    }
    let plan = Plan::new(inst, &file, &a.options)?;
    create_dir(&a.out)?;
    let rows = plan.run_all(&super::Bar::default());
    let sweep = plan.report(rows)?;
    write(&sweep, &a.out)?;
    print(&sweep, &a.out, a.json)?;
    Ok(0)
}

/// Creates the output folder.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        file: dir.display().to_string(),
        reason: e.to_string(),
    })
}

/// Writes `sweep.csv`, `sweep.json` and the figures into `dir`.
pub fn write(sweep: &Sweep, dir: &Path) -> Result<()> {
    crate::io::atomic::write_atomic(&dir.join("sweep.csv"), sweep.csv().as_bytes())?;
    crate::io::atomic::write_atomic(&dir.join("sweep.json"), sweep.json_text()?.as_bytes())?;
    for (stem, chart) in sweep.charts()? {
        crate::io::plot::render(&chart, dir, stem)?;
    }
    Ok(())
}

/// Prints the summary (`--json`: the checks, flow and thresholds as JSON).
pub fn print(sweep: &Sweep, dir: &Path, json: bool) -> Result<()> {
    if json {
        return super::print_json(&super::super::report::to_value(
            &sweep.summary(&dir.display().to_string()),
        )?);
    }
    out!(
        "{}: {} learning rates, {} steps each, precision {}; wrote {}/sweep.csv, sweep.json and plots",
        sweep.file,
        sweep.points,
        sweep.steps,
        sweep.precision,
        dir.display()
    );
    if let Some(eta_c) = sweep.eta_c() {
        out!(
            "  gradient flow: eta_c in [{}, {}]",
            decimal(eta_c.lo(), 10),
            decimal(eta_c.hi(), 10)
        );
    }
    for c in &sweep.checks {
        out!(
            "  {}: {} (margin {}) — {}",
            c.check,
            c.status,
            c.margin.as_deref().unwrap_or("-"),
            c.detail
        );
    }
    Ok(())
}

pub fn instance_digest(file: &Path) -> Result<String> {
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
    create_dir(dir)?;
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
