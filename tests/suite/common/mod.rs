//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod certificates;

use dlncheck::numeric::rational::Q;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small non-zero-denominator rational strategy: n/d with |n| ≤ max_num, 1 ≤ d ≤ max_den.
pub fn small_q(max_num: i64, max_den: i64) -> impl Strategy<Value = Q> {
    (-max_num..=max_num, 1..=max_den).prop_map(|(n, d)| Q::new(n.into(), d.into()))
}

/// A non-zero small rational.
pub fn nonzero_q(max_num: i64, max_den: i64) -> impl Strategy<Value = Q> {
    (1..=max_num, 1..=max_den, any::<bool>())
        .prop_map(|(n, d, neg)| Q::new((if neg { -n } else { n }).into(), d.into()))
}

/// Runs the real `dlncheck` binary.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args(args)
        .output()
        .expect("the dlncheck binary runs")
}

/// A fresh temporary folder under the target directory.
/// The JSON a successful run of the binary prints (the test fails with its stderr otherwise).
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The rational a JSON string holds.
pub fn json_q(v: &serde_json::Value) -> Q {
    dlncheck::numeric::rational::parse_q(v.as_str().unwrap()).unwrap()
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Formats rationals as TOML string list items.
pub fn toml_list(v: &[Q]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|q| format!("\"{}\"", dlncheck::numeric::rational::fmt_q(q)))
        .collect();
    format!("[{}]", items.join(", "))
}

/// M ⪰ 0 by the kernel's exact LDLᵀ (the reference for the producer's certified enclosures).
pub fn psd(m: &[Vec<Q>]) -> Result<(), ()> {
    if dlncheck_kernel::linalg::is_psd(m) {
        Ok(())
    } else {
        Err(())
    }
}

/// A stored (uncompressed) ZIP of `entries`, as `numpy.savez` writes it (CRCs left 0: the
/// reader does not check them).
pub fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len() as u32;
        let fixed = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h
        };
        out.extend(fixed(0x0403_4b50, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend(fixed(0x0201_4b50, true));
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// A float64 matrix (rows of equal length) as the bytes of a NumPy `.npy` file (C order, little-endian).
pub fn npy(m: &[Vec<f64>]) -> Vec<u8> {
    let header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}\n",
        m.len(),
        m.first().map_or(0, Vec::len)
    );
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    m.iter()
        .flatten()
        .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    out
}
