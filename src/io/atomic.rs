//! Output files written atomically (SPEC §7): a temporary file beside the target, then a rename,
//! so no half-written output is ever left behind. The one writer every output file goes through
//! (claim files, plots, traces, sweeps, shards, instances).

use crate::error::{Error, Result};
use std::path::Path;

/// Writes `contents` to `path` atomically: a temporary file in the same folder, then a rename,
/// so that no half-written output is ever left behind.
///
/// A target that exists and is not a regular file (a device, a FIFO, a symlink, a directory) is
/// never replaced: a character device or FIFO is written through (so `-o /dev/stdout` works);
/// anything else is refused (SPEC §7).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_fifo() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, contents))
                .map_err(|e| Error::Output {
                    file: name,
                    reason: e.to_string(),
                });
        }
        if !kind.is_file() {
            return Err(Error::Output {
                file: name,
                reason: "exists and is not a regular file (refusing to replace it)".into(),
            });
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| Error::Output {
        file: name.clone(),
        reason: "not a file name".into(),
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Output {
            file: name,
            reason: e.to_string(),
        });
    }
    Ok(())
}
