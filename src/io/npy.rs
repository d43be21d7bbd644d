//! A small exact reader of NumPy `.npy` matrices (format versions 1, 2 and 3).
//!
//! Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (2 bytes
//! little-endian for version 1, 4 bytes for versions 2 and 3), then an ASCII Python dict with
//! `descr`, `fortran_order` and `shape`, then the raw data. Accepted `descr`: `<f4`, `<f8`,
//! `>f4`, `>f8` (and `|`-less equivalents written by NumPy). Every value is read as the exact
//! binary rational it holds ([`crate::numeric::rational::from_f64_exact`]); NaN and infinities are
//! rejected with the index of the first one. Only 2-D arrays are accepted. `.npz` archives
//! ([`parse_npz`]) hold one such array per entry: a batch (e.g. one Hessian per checkpoint).

use crate::error::{Error, Result};
use crate::numeric::rational::{Q, from_f64_exact};
use std::path::Path;

/// Largest side of a matrix read from a file (a 20 000 × 20 000 float64 matrix is 3.2 GB).
pub const MAX_SIDE: usize = 20_000;

/// Largest `.npy` or `.npz` file read, in bytes (counted as read): a float64 matrix of side
/// [`MAX_SIDE`] and a megabyte of headers.
pub const MAX_NPY_BYTES: u64 = 8 * (MAX_SIDE as u64) * (MAX_SIDE as u64) + (1 << 20);

/// Reads a 2-D `.npy` file as a matrix of exact rationals (row-major, as NumPy indexes it).
pub fn read_matrix(path: &Path) -> Result<Vec<Vec<Q>>> {
    let name = path.display().to_string();
    let bytes = dlncheck_kernel::tree::read_capped(path, MAX_NPY_BYTES)?;
    parse_matrix(&name, &bytes)
}

/// Parses the bytes of a 2-D `.npy` file; `name` is used in error messages.
pub fn parse_matrix(name: &str, bytes: &[u8]) -> Result<Vec<Vec<Q>>> {
    Ok(parse_f64(name, bytes)?
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|x| from_f64_exact(x).unwrap_or_default())
                .collect()
        })
        .collect())
}

/// Parses the bytes of a 2-D `.npy` file into its binary64 values (float32 widened exactly);
/// NaN and infinities are refused with the index of the first one.
pub fn parse_f64(name: &str, bytes: &[u8]) -> Result<Vec<Vec<f64>>> {
    parse_array(name, bytes, false)
}

/// Parses the bytes of a 1-D `.npy` file (or a 2-D one with a single row or column) into its
/// binary64 values (float32 widened exactly): a vector such as a parameter vector θ.
pub fn parse_vector(name: &str, bytes: &[u8]) -> Result<Vec<f64>> {
    let m = parse_array(name, bytes, true)?;
    if m.len() == 1 {
        return Ok(m.into_iter().next().unwrap_or_default());
    }
    if m.iter().all(|r| r.len() == 1) {
        return Ok(m.into_iter().flatten().collect());
    }
    Err(Error::input(
        name,
        "shape",
        format!(
            "{}×{}: expected a vector (1-D, or one row or column)",
            m.len(),
            m.first().map_or(0, Vec::len)
        ),
    ))
}

/// A 2-D array, or (with `vector`) a 1-D one as a single row.
fn parse_array(name: &str, bytes: &[u8], vector: bool) -> Result<Vec<Vec<f64>>> {
    let bad = |field: &str, reason: String| Error::input(name, field, reason);
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(Error::file(
            name,
            "not a .npy file (missing the \\x93NUMPY magic)",
        ));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => {
            return Err(bad(
                "version",
                format!("unsupported .npy format version {v}"),
            ));
        }
    };
    let header_end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| Error::file(name, "truncated .npy header"))?;
    let header = std::str::from_utf8(&bytes[start..header_end])
        .map_err(|_| Error::file(name, "the .npy header is not text"))?;
    let descr = dict_value(header, "descr")
        .ok_or_else(|| bad("descr", "missing in the .npy header".into()))?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let (big_endian, width) = match descr {
        "<f8" | "=f8" => (false, 8),
        "<f4" | "=f4" => (false, 4),
        ">f8" => (true, 8),
        ">f4" => (true, 4),
        other => {
            return Err(bad(
                "descr",
                format!(
                    "unsupported dtype `{other}` (expected float32 or float64: <f4, <f8, >f4, >f8)"
                ),
            ));
        }
    };
    let fortran = match dict_value(header, "fortran_order").as_deref() {
        Some("False") => false,
        Some("True") => true,
        _ => {
            return Err(bad(
                "fortran_order",
                "missing or not True/False in the .npy header".into(),
            ));
        }
    };
    let shape = dict_value(header, "shape")
        .ok_or_else(|| bad("shape", "missing in the .npy header".into()))?;
    let dims: Vec<usize> = shape
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| bad("shape", format!("`{shape}` is not a tuple of sizes")))
        })
        .collect::<Result<_>>()?;
    let (rows, cols) = match dims[..] {
        [rows, cols] => (rows, cols),
        [n] if vector => (1, n),
        _ if vector => {
            return Err(bad(
                "shape",
                format!(
                    "{shape}: expected a 1-D array (a vector), found {} dimensions",
                    dims.len()
                ),
            ));
        }
        _ => {
            return Err(bad(
                "shape",
                format!(
                    "{shape}: expected a 2-D array (a matrix), found {} dimensions",
                    dims.len()
                ),
            ));
        }
    };
    if rows == 0 || cols == 0 || rows > MAX_SIDE || cols > MAX_SIDE {
        return Err(bad(
            "shape",
            format!("{shape}: each side must be from 1 to {MAX_SIDE}"),
        ));
    }
    let count = rows * cols;
    let data = &bytes[header_end..];
    if data.len() != count * width {
        return Err(Error::file(
            name,
            format!(
                "data has {} bytes, shape {shape} of {descr} needs {}",
                data.len(),
                count * width
            ),
        ));
    }
    let mut out = vec![Vec::with_capacity(cols); rows];
    for k in 0..count {
        let chunk = &data[k * width..(k + 1) * width];
        let value = match (width, big_endian) {
            (8, false) => f64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])),
            (8, true) => f64::from_be_bytes(chunk.try_into().unwrap_or([0; 8])),
            (_, false) => f32::from_le_bytes(chunk.try_into().unwrap_or([0; 4])) as f64,
            (_, true) => f32::from_be_bytes(chunk.try_into().unwrap_or([0; 4])) as f64,
        };
        let (i, j) = if fortran {
            (k % rows, k / rows)
        } else {
            (k / cols, k % cols)
        };
        if !value.is_finite() {
            return Err(bad(
                &format!("[{i}][{j}]"),
                format!("{value} is not a finite number"),
            ));
        }
        out[i].push((j, value));
    }
    Ok(out
        .into_iter()
        .map(|mut r: Vec<(usize, f64)>| {
            r.sort_by_key(|(j, _)| *j);
            r.into_iter().map(|(_, q)| q).collect()
        })
        .collect())
}

/// The arrays of a NumPy `.npz` archive (a ZIP of `.npy` files, stored or deflated, ZIP64 as
/// NumPy writes it), in archive order, each named without its `.npy` suffix.
pub fn parse_npz(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<Vec<f64>>)>> {
    npz_arrays(name, bytes, false)
}

/// [`parse_npz`] that also accepts 1-D arrays, each read as a single row (a vector of labels).
pub fn parse_npz_vectors(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<Vec<f64>>)>> {
    npz_arrays(name, bytes, true)
}

fn npz_arrays(name: &str, bytes: &[u8], vectors: bool) -> Result<Vec<(String, Vec<Vec<f64>>)>> {
    let bad = |reason: &str| Error::file(name, format!("not a readable .npz archive: {reason}"));
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
            .ok_or_else(|| bad("truncated"))
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64)
            .ok_or_else(|| bad("truncated"))
    };
    let u64_at = |at: usize| {
        bytes
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .ok_or_else(|| bad("truncated"))
    };
    let from = bytes.len().saturating_sub(65_557);
    let eocd = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| bad("no end-of-directory record"))?;
    let (mut count, mut offset) = (u16_at(eocd + 10)?, u32_at(eocd + 16)?);
    if offset == 0xffff_ffff || count == 0xffff {
        let locator = eocd
            .checked_sub(20)
            .filter(|&l| bytes[l..l + 4] == [0x50, 0x4b, 0x06, 0x07])
            .ok_or_else(|| bad("no ZIP64 locator"))?;
        let z = usize::try_from(u64_at(locator + 8)?).map_err(|_| bad("offset"))?;
        (count, offset) = (u64_at(z + 32)?, u64_at(z + 48)?);
    }
    let mut at = usize::try_from(offset).map_err(|_| bad("offset"))?;
    let mut out = Vec::new();
    for _ in 0..count {
        if u32_at(at)? != 0x0201_4b50 {
            return Err(bad("corrupt central directory"));
        }
        let (method, mut csize, mut usize_) =
            (u16_at(at + 10)?, u32_at(at + 20)?, u32_at(at + 24)?);
        let (nlen, xlen, clen) = (
            u16_at(at + 28)? as usize,
            u16_at(at + 30)? as usize,
            u16_at(at + 32)? as usize,
        );
        let mut local = u32_at(at + 42)?;
        let entry = String::from_utf8_lossy(
            bytes
                .get(at + 46..at + 46 + nlen)
                .ok_or_else(|| bad("truncated"))?,
        )
        .to_string();
        // ZIP64 extra field: the 8-byte sizes and offset that the 4-byte fields mark 0xFFFFFFFF.
        let (mut x, end) = (at + 46 + nlen, at + 46 + nlen + xlen);
        while x + 4 <= end {
            let (id, len) = (u16_at(x)?, u16_at(x + 2)? as usize);
            if id == 1 {
                let mut f = x + 4;
                for v in [&mut usize_, &mut csize, &mut local] {
                    if *v == 0xffff_ffff {
                        *v = u64_at(f)?;
                        f += 8;
                    }
                }
            }
            x += 4 + len;
        }
        let local = usize::try_from(local).map_err(|_| bad("offset"))?;
        let data = local + 30 + u16_at(local + 26)? as usize + u16_at(local + 28)? as usize;
        let raw = usize::try_from(csize)
            .ok()
            .and_then(|c| bytes.get(data..data.checked_add(c)?))
            .ok_or_else(|| bad("truncated entry"))?;
        let member = format!("{name}[{entry}]");
        let array = match method {
            0 => parse_array(&member, raw, vectors)?,
            8 => {
                let limit = usize::try_from(usize_).map_err(|_| bad("entry size"))?;
                let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(raw, limit)
                    .map_err(|_| bad("a deflated entry does not inflate"))?;
                parse_array(&member, &inflated, vectors)?
            }
            m => {
                return Err(bad(&format!(
                    "entry `{entry}` uses compression method {m} (stored or deflate expected)"
                )));
            }
        };
        out.push((
            entry.strip_suffix(".npy").unwrap_or(&entry).to_string(),
            array,
        ));
        at += 46 + nlen + xlen + clen;
    }
    if out.is_empty() {
        return Err(bad("no arrays"));
    }
    Ok(out)
}

/// The raw text of `key`'s value in a Python dict literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }`.
fn dict_value(header: &str, key: &str) -> Option<String> {
    let at = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = header[at + key.len() + 2..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}'])?
    };
    Some(rest[..end].trim().to_string())
}
