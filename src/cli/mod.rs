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
pub mod gd;
pub mod learner;
pub mod multipoint;
pub mod random;
pub mod search;
pub mod sharpness;
pub mod solve;
pub mod sweep;

use crate::error::{Error, Result};
use std::path::Path;

/// Prints a JSON value to stdout (layout: [`Layout`]).
pub fn print_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<()> {
    use std::io::Write;
    let out = std::io::stdout().lock();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut ser = serde_json::Serializer::with_formatter(&mut w, Layout::default());
    let written = v
        .serialize(&mut ser)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(w))
        .and_then(|()| w.flush());
    written.map_err(|e| Error::Output {
        file: "<stdout>".into(),
        reason: e.to_string(),
    })
}

/// The JSON layout of standard output: the two outermost levels are indented by two spaces, one
/// entry per line; anything nested deeper is written on one line, so a list of numbers stays on
/// one line (`"beta": ["0", "5/2", "0"]`) and a list of records shows one record per line (one
/// Pareto vertex, one sweep row). At d = 10⁵ this halves `solve --json` compared with indenting
/// every level.
#[derive(Default)]
pub struct Layout {
    depth: usize,
    /// Whether the container being written at each open level has an entry yet.
    has_value: Vec<bool>,
}

impl Layout {
    /// The layout of a value written as a member of the top-level object (depth 1), for writers
    /// that produce the outer object themselves.
    pub fn member() -> Self {
        Layout {
            depth: 1,
            has_value: vec![true],
        }
    }
    /// Lines are broken inside containers opened at depth 1 and 2.
    fn pretty(&self) -> bool {
        self.depth <= 2
    }
    fn newline_indent<W: ?Sized + std::io::Write>(
        &self,
        w: &mut W,
        depth: usize,
    ) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value.push(false);
        w.write_all(bracket)
    }
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        let pretty = self.pretty();
        let had = self.has_value.pop().unwrap_or(false);
        self.depth -= 1;
        if pretty && had {
            self.newline_indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }
    fn entry<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(if self.pretty() { b"," } else { b", " })?;
        }
        if self.pretty() {
            self.newline_indent(w, self.depth)?;
        }
        if let Some(h) = self.has_value.last_mut() {
            *h = true;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Layout {
    /// serde escapes C0 controls; DEL, C1 controls and the bidi controls of
    /// [`crate::io::terminal`] are written as `\uXXXX` too (the same JSON value), so JSON on a
    /// terminal cannot reorder or repaint what is shown.
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(crate::io::terminal::is_unsafe) {
            let c = rest[i..].chars().next().unwrap_or(' ');
            w.write_all(&rest.as_bytes()[..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads an instance file given on the command line.
pub fn instance(path: &Path) -> Result<crate::io::instance::Instance> {
    crate::io::instance::read_instance(path)
}
