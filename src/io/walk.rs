//! The directory walk of `dlncheck check DIR` (and of the Python package's `check`): which files
//! under the paths given are claim files.
//!
//! Every directory is hostile input, so the walk
//! - reads only regular files: a FIFO, device or socket named `*.claim.toml` / `*.claim.json` is
//!   skipped with a note, never opened (opening a FIFO for reading blocks until a writer comes);
//! - never follows a symlink to a directory (two links to `.` would otherwise make the walk
//!   exponential, one link to `..` endless); a symlink to a regular claim file is read;
//! - counts each file once, by canonical path, however many names (symlinks, overlapping
//!   arguments such as `check proofs proofs/t1.claim.toml`) lead to it;
//! - does not stop at an unreadable directory: it is reported as an error (exit 2) and the rest
//!   is walked.
//!
//! A path named on the command line is followed if it is a symlink (the user named it). If it is a
//! regular file it is checked whatever its name; if it is neither a file nor a directory the
//! kernel's reader refuses it with one line (exit 2) without opening it.

use std::collections::HashSet;
use std::fs::FileType;
use std::path::{Path, PathBuf};

/// What a walk found: the claim files (sorted, each once), notes about what it skipped, and
/// errors (directories it could not read; `check` exits 2 on any).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
}

/// Whether `name` is a claim file's name.
pub fn is_claim_name(name: &str) -> bool {
    name.ends_with(".claim.toml") || name.ends_with(".claim.json")
}

/// The claim files under `roots` (see the module docs). A root that does not exist is left in
/// `files`: reading it gives the one-line error.
pub fn claim_files(roots: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    let mut seen = HashSet::new();
    for root in roots {
        let mut found = Vec::new();
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {
                walk_dir(root, &mut found, &mut walk);
                if found.is_empty() {
                    walk.errors.push(format!(
                        "{}: no claim files (*.claim.toml, *.claim.json) found",
                        root.display()
                    ));
                }
            }
            // A file, a missing path or a special file: the kernel's reader answers for it.
            _ => found.push(root.clone()),
        }
        found.sort();
        for f in found {
            let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            if seen.insert(key) {
                walk.files.push(f);
            }
        }
    }
    walk.notes.sort();
    walk
}

/// Walks the directory `root` without following symlinks to directories.
fn walk_dir(root: &Path, found: &mut Vec<PathBuf>, walk: &mut Walk) {
    let mut dirs: HashSet<PathBuf> = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        // A bind mount can still make a directory reachable twice; walk it once.
        let key = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if !dirs.insert(key) {
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                walk.errors
                    .push(format!("{}: cannot read the directory: {e}", dir.display()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    walk.errors
                        .push(format!("{}: cannot read the directory: {e}", dir.display()));
                    break;
                }
            };
            let path = entry.path();
            // `file_type` does not follow symlinks.
            let Ok(t) = entry.file_type() else {
                walk.errors
                    .push(format!("{}: cannot read its type", path.display()));
                continue;
            };
            let claim = entry.file_name().to_str().is_some_and(is_claim_name);
            if t.is_dir() {
                stack.push(path);
            } else if t.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => walk.notes.push(format!(
                        "{}: a symlink to a directory, not followed",
                        path.display()
                    )),
                    Ok(m) if claim && !m.is_file() => walk.notes.push(format!(
                        "{}: a symlink to {}, not a regular file: skipped",
                        path.display(),
                        special(&m.file_type())
                    )),
                    // A regular file, or a dangling link (the reader then says why).
                    _ if claim => found.push(path),
                    _ => {}
                }
            } else if claim && t.is_file() {
                found.push(path);
            } else if claim {
                walk.notes.push(format!(
                    "{}: {}, not a regular file: skipped",
                    path.display(),
                    special(&t)
                ));
            }
        }
    }
}

/// What a file that is neither a regular file nor a directory is.
fn special(t: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_char_device() || t.is_block_device() {
            return "a device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    let _ = t;
    "a special file"
}
