//! The report layer: every command's result as a typed value, computed by the library and
//! serialised in one place. A command's module here (named after what it reports) checks the
//! command's settings, runs the mathematics and returns a `#[derive(Serialize)]` struct (or, for
//! the reports not yet typed, a `serde_json::Value`); `--json` prints it through [`Layout`], the
//! human text is rendered from the same value by the `cli` module, and the Python package
//! returns the same value. Progress and notes go through an [`Observer`] passed in; the
//! mathematics never draws a progress bar itself.
//!
//! May import: everything of the library below it (`numeric`, `io`, `models`, `spectra`,
//! `theory`, `dynamics`). Imported by: `cli` (the binary's leaf), the Python bridge, the
//! benches and the tests. It never imports `cli`.

pub mod audit;
pub mod check;
pub mod flow;
pub mod gd;
pub mod learner;
pub mod learner_points;
pub mod multipoint;
pub mod search;
pub mod shard;
pub mod sharpness;
pub mod solve;
pub mod sweep;

use crate::error::{Error, Result};

/// What a long computation tells whoever runs it (argmin's `Observe`, reduced): a task of
/// `len` units starts, `n` more are done, it finishes, or a line of note. The library calls
/// these; the CLI draws a progress bar on a terminal and the Python bridge passes [`Quiet`].
pub trait Observer: Sync {
    /// A task of `len` units named `what` starts (a matrix side, a step count, a rate count).
    fn start(&self, len: u64, what: &str);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The position is `k` units (for loops that report where they are, not how far they went).
    fn at(&self, k: u64);
    /// What the current unit is (a progress bar's message).
    fn message(&self, what: &str);
    /// The current task ends.
    fn finish(&self);
    /// A line for the user (the CLI writes it to standard error).
    fn note(&self, line: &str);
}

/// The observer that ignores everything.
pub struct Quiet;

impl Observer for Quiet {
    fn start(&self, _: u64, _: &str) {}
    fn advance(&self, _: u64) {}
    fn at(&self, _: u64) {}
    fn message(&self, _: &str) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
}

/// What `--symmetrize` removed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Symmetrized {
    pub at: [usize; 2],
    pub max_asymmetry: String,
    pub max_asymmetry_decimal: f64,
}

impl Symmetrized {
    pub fn of(a: &crate::io::matrix::Asymmetry) -> Self {
        Symmetrized {
            at: [a.at.0, a.at.1],
            max_asymmetry: crate::numeric::rational::fmt_q(&a.max),
            max_asymmetry_decimal: crate::numeric::scalar::q_to_f64(&a.max),
        }
    }
}

/// Serialises `v` in the stdout layout ([`Layout`]) into `w`, with a final newline.
pub fn write_json<T: serde::Serialize + ?Sized>(
    w: &mut impl std::io::Write,
    v: &T,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, Layout::default());
    v.serialize(&mut ser).map_err(std::io::Error::from)?;
    writeln!(w)
}

/// A report as a `serde_json::Value` (what the Python bridge hands over).
pub fn to_value<T: serde::Serialize + ?Sized>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Output {
        file: "<memory>".into(),
        reason: e.to_string(),
    })
}

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
