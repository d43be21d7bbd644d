//! Command implementations behind the `dlncheck` binary. Each command is a function from its
//! parsed arguments to an exit code; all output goes through here, errors are single lines.

/// `println!` that returns `Err` (exit 2) instead of panicking when standard output is closed or
/// full (SPEC §7).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        // One line, escaped: text echoed from input cannot paint other lines (io::terminal).
        let line = format!($($arg)*);
        writeln!(std::io::stdout(), "{}", crate::io::terminal::escape(&line)).map_err(|e| crate::error::Error::Output { file: "<stdout>".into(), reason: e.to_string() })?;
    }};
}

pub mod audit;
pub mod certify;
pub mod check;
pub mod coq;
pub mod flow;
pub mod gd;
pub mod learner;
pub mod merge;
pub mod multipoint;
pub mod random;
pub mod search;
pub mod sharpness;
pub mod solve;
pub mod sweep;

use crate::error::Result;
use std::path::Path;

pub use crate::report::{Layout, print_json};

/// Reads an instance file given on the command line.
pub fn instance(path: &Path) -> Result<crate::io::instance::Instance> {
    crate::io::instance::read_instance(path)
}

/// The CLI's [`crate::report::Observer`]: a progress bar on standard error when it is a
/// terminal, nothing when piped; notes go to standard error.
pub struct Bar {
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
    matrices: bool,
}

impl Default for Bar {
    /// A bar over steps or learning rates: `{msg} [bar] pos/len (eta)`.
    fn default() -> Self {
        Bar {
            bar: std::sync::Mutex::new(None),
            matrices: false,
        }
    }
}

impl Bar {
    /// A bar over matrices with a spinner and the elapsed time (factorizations can be long).
    pub fn matrices() -> Self {
        Bar {
            bar: std::sync::Mutex::new(None),
            matrices: true,
        }
    }
    fn with(&self, f: impl FnOnce(&indicatif::ProgressBar)) {
        if let Ok(g) = self.bar.lock()
            && let Some(b) = g.as_ref()
        {
            f(b);
        }
    }
}

impl crate::report::Observer for Bar {
    fn start(&self, len: u64, what: &str) {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::new(len);
        let template = if self.matrices {
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}"
        } else {
            "{msg} [{bar:40}] {pos}/{len} ({eta})"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        if self.matrices {
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
        }
        bar.set_message(what.to_string());
        if let Ok(mut g) = self.bar.lock() {
            *g = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        self.with(|b| b.inc(n));
    }
    fn at(&self, k: u64) {
        self.with(|b| b.set_position(k));
    }
    fn message(&self, what: &str) {
        self.with(|b| b.set_message(what.to_string()));
    }
    fn finish(&self) {
        if let Ok(mut g) = self.bar.lock()
            && let Some(b) = g.take()
        {
            b.finish_and_clear();
        }
    }
    fn note(&self, line: &str) {
        eprintln!("{line}");
    }
}
