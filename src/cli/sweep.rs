//! `dlncheck sweep FILE --lr-from A --lr-to B --points N [--log] --out DIR [--shard i/N]`
//! (SPEC §4, §7, §9): parses, runs [`crate::report::sweep`], writes `DIR/sweep.csv`,
//! `DIR/sweep.json` and the plots (SVG and PNG), and prints the checks C1–C5. With `--shard`,
//! DIR receives the shard's rows and manifest instead ([`crate::report::shard`]).

use crate::dynamics::gd::decimal;
use crate::error::{Error, Result};
use crate::report::sweep::{Options, Plan, Sweep};
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
        return super::merge::run_shard(&a.file, inst, &a.options, shard, &a.out, a.json);
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
