//! Fuzzes the claim-file walk of `dlncheck check DIR` (`src/io/walk.rs`, compiled here from its
//! source file, which uses `std` only) together with the kernel's capped reader and checker, the
//! two steps `check` runs on what the walk finds.
//!
//! Input: a list of four-byte operations `[op, parent, name, target]`, each adding one node to a
//! fresh directory tree: a directory, a claim file (verified, or of fuzzed bytes), a symlink to
//! `.`, to `..`, to an earlier node, to `/dev/zero`, to a missing path, or a FIFO. Names come
//! from a short list in which most are claim names (`*.claim.toml`, `*.claim.json`).
//!
//! The walk must end (libFuzzer's `-timeout` catches a hang: a FIFO opened for reading, a
//! symlink cycle), and what it finds must equal what the tree model built from the operations
//! says, computed without the walk: the regular claim files reachable through real directories,
//! plus the targets of claim-named symlinks to regular files, each once. Every found file is then
//! read with the kernel's capped reader and checked; neither may panic, and `/dev/zero` or a FIFO
//! must never be found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[path = "../../../src/io/walk.rs"]
#[allow(dead_code)]
mod walk;

/// One verified claim (T1.1 on x = (2, 1), y = 4; proofs/hand-d2.claim.toml).
const ONE_CLAIM: &str = "version = 2\nexpect = [\"min-norm\"]\n[instance]\nmodel = \"shared\"\n\
    x = [\"2\", \"1\"]\ny = \"4\"\n[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\n\
    beta = [\"2\", \"0\"]\ndual = \"1/2\"\nslack = [\"0\", \"1/2\"]\n";

const NAMES: [&str; 8] = [
    "a.claim.toml",
    "b.claim.json",
    "c.claim.toml",
    ".claim.toml",
    "d",
    "e.toml",
    "f.claim.toml",
    "g.claim.json",
];

/// What a node of the model is.
#[derive(Clone, Copy, PartialEq)]
enum Node {
    Dir,
    File,
    /// A symlink to another node of the tree (by index).
    LinkTo(usize),
    /// A symlink to a directory (`.`, `..`), to a device, or dangling: never a regular file.
    LinkElsewhere,
    Fifo,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn scratch() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("claim-walk-fuzz-{}-{n}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let root = scratch();
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("scratch directory");
    // The model: per node, its path, its kind, and whether it is reachable through real
    // directories only (the root is node 0).
    let mut paths: Vec<PathBuf> = vec![root.clone()];
    let mut kinds: Vec<Node> = vec![Node::Dir];
    for op in data.chunks_exact(4).take(24) {
        let dirs: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == Node::Dir).collect();
        let parent = dirs[op[1] as usize % dirs.len()];
        let path = paths[parent].join(NAMES[op[2] as usize % NAMES.len()]);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue; // that name is taken
        }
        let kind = match op[0] % 9 {
            0 | 1 => {
                std::fs::create_dir(&path).expect("mkdir");
                Node::Dir
            }
            2 | 3 => {
                std::fs::write(&path, ONE_CLAIM).expect("write");
                Node::File
            }
            4 => {
                // A claim file of fuzzed bytes: the rest of the input, from this operation on.
                std::fs::write(&path, &data[(op.as_ptr() as usize - data.as_ptr() as usize)..])
                    .expect("write");
                Node::File
            }
            5 => {
                let target = op[3] as usize % kinds.len();
                if target == 0 || kinds[target] == Node::Fifo {
                    continue;
                }
                symlink(&paths[target], &path).expect("symlink");
                Node::LinkTo(target)
            }
            6 => {
                let to = match op[3] % 4 {
                    0 => ".",
                    1 => "..",
                    2 => "/dev/zero",
                    _ => "missing",
                };
                symlink(to, &path).expect("symlink");
                Node::LinkElsewhere
            }
            7 => {
                let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
                // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
                if unsafe { libc_mkfifo(c.as_ptr(), 0o600) } != 0 {
                    continue;
                }
                Node::Fifo
            }
            _ => {
                // A directory reached only through a symlink: its files must not be found.
                let target = op[3] as usize % kinds.len();
                if kinds[target] != Node::Dir {
                    continue;
                }
                symlink(&paths[target], &path).expect("symlink");
                Node::LinkTo(target)
            }
        };
        paths.push(path);
        kinds.push(kind);
    }

    // The model's answer. Every node was created inside a real directory (parents are `Dir`
    // nodes), so every node is reachable through real directories.
    let claim = |i: usize| walk::is_claim_name(paths[i].file_name().unwrap().to_str().unwrap());
    let mut expected: BTreeSet<PathBuf> = BTreeSet::new();
    let mut dangling: BTreeSet<PathBuf> = BTreeSet::new();
    for i in 1..kinds.len() {
        if !claim(i) {
            continue;
        }
        // Follow symlinks within the tree (each points to an earlier node, so this ends).
        let mut t = i;
        while let Node::LinkTo(u) = kinds[t] {
            t = u;
        }
        match kinds[t] {
            Node::File => {
                expected.insert(paths[t].clone());
            }
            Node::LinkElsewhere if std::fs::read_link(&paths[t]).unwrap() == Path::new("missing") => {
                dangling.insert(paths[i].clone());
            }
            _ => {}
        }
    }

    let found = walk::claim_files(std::slice::from_ref(&root));
    if found.files.is_empty() {
        assert_eq!(found.errors.len(), 1, "walk errors: {:?}", found.errors);
        assert!(found.errors[0].ends_with("no claim files (*.claim.toml, *.claim.json) found"));
    } else {
        assert!(found.errors.is_empty(), "walk errors: {:?}", found.errors);
    }
    let mut got: BTreeSet<PathBuf> = BTreeSet::new();
    let mut got_dangling: BTreeSet<PathBuf> = BTreeSet::new();
    for f in &found.files {
        match std::fs::canonicalize(f) {
            Ok(c) => assert!(got.insert(c), "{} found twice", f.display()),
            Err(_) => {
                got_dangling.insert(f.clone());
            }
        }
        // `check` reads and checks what the walk found; the reader refuses a special file.
        let _ = dlncheck_kernel::check_file(f);
    }
    let expected: BTreeSet<PathBuf> = expected
        .iter()
        .map(|p| std::fs::canonicalize(p).expect("a created file"))
        .collect();
    assert_eq!(got, expected, "the walk's files against the model");
    assert_eq!(got_dangling, dangling, "dangling claim links are left to the reader");
    let _ = std::fs::remove_dir_all(&root);
});

unsafe extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}
