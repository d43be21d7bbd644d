//! Safe directory walks and reads (docs/robustness.md): only regular files are read, symlinks to
//! directories are not followed, each file counts once, reads are capped by the bytes read. One
//! attack per test; every run of the binary or the walk has a deadline, so a walk or read that
//! blocks fails the test instead of hanging it.

use crate::common::temp_dir;
use dlncheck::io::walk::{Walk, claim_files};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A claim file with one verified claim (T1.1 on x = (2, 1), y = 4: β = (2, 0), N = 2, by hand
/// in proofs/hand-d2.claim.toml).
const ONE_CLAIM: &str = "version = 2\nexpect = [\"min-norm\"]\n[instance]\nmodel = \"shared\"\n\
    x = [\"2\", \"1\"]\ny = \"4\"\n[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\n\
    beta = [\"2\", \"0\"]\ndual = \"1/2\"\nslack = [\"0\", \"1/2\"]\n";

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs the binary, killing it after 60 s (a hang fails the test).
fn run_deadline(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dlncheck binary runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("dlncheck {args:?} still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// The walk of `roots` on another thread, failing after 30 s.
fn walk_deadline(roots: Vec<PathBuf>) -> Walk {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(claim_files(&roots));
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the walk ends within 30 s")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The last line of `check`'s table: "V verified, R rejected, M malformed file(s), ...".
fn summary(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or("").to_string()
}

/// A folder holding one good claim file.
fn one_good(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("good.claim.toml"), ONE_CLAIM).unwrap();
    dir
}

#[test]
fn fifo_in_a_directory_is_skipped_with_a_note() {
    let dir = one_good("walk-fifo");
    mkfifo(&dir.join("trap.claim.toml"));
    let o = run_deadline(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(summary(&o).starts_with("1 verified, 0 rejected, 0 malformed"));
    assert!(stderr(&o).contains("trap.claim.toml: a FIFO, not a regular file: skipped"));
}

#[test]
fn fifo_named_on_the_command_line_is_refused_in_one_line() {
    let dir = temp_dir("walk-fifo-arg");
    let fifo = dir.join("trap.claim.toml");
    mkfifo(&fifo);
    let o = run_deadline(&["check", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
}

#[test]
fn symlink_to_dev_zero_in_a_directory_is_skipped() {
    let dir = one_good("walk-zero");
    symlink("/dev/zero", dir.join("zero.claim.toml")).unwrap();
    let o = run_deadline(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("zero.claim.toml: a symlink to a device"));
}

#[test]
fn symlink_to_dev_zero_on_the_command_line_is_refused() {
    let dir = temp_dir("walk-zero-arg");
    let link = dir.join("zero.claim.toml");
    symlink("/dev/zero", &link).unwrap();
    let o = run_deadline(&["check", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file (a device)"));
}

#[test]
fn two_symlinks_to_dot_do_not_multiply_the_walk() {
    // Followed, links a -> . and b -> . would give 2^k copies of the file at depth k (until
    // ELOOP); not followed, the file counts once.
    let dir = one_good("walk-dots");
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    let o = run_deadline(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(summary(&o).starts_with("1 verified,"), "{}", summary(&o));
}

#[test]
fn symlink_to_parent_does_not_loop() {
    let dir = one_good("walk-parent");
    std::fs::create_dir(dir.join("sub")).unwrap();
    symlink("..", dir.join("sub").join("up")).unwrap();
    let w = walk_deadline(vec![dir.clone()]);
    assert_eq!(w.files, vec![dir.join("good.claim.toml")]);
    assert!(w.notes.iter().any(|n| n.contains("symlink to a directory")));
}

#[test]
fn symlink_to_a_claim_file_counts_it_once() {
    let dir = one_good("walk-dup");
    symlink("good.claim.toml", dir.join("again.claim.toml")).unwrap();
    let o = run_deadline(&["check", dir.to_str().unwrap()]);
    assert!(summary(&o).starts_with("1 verified,"), "{}", summary(&o));
}

#[test]
fn overlapping_arguments_count_a_file_once() {
    let dir = one_good("walk-overlap");
    let file = dir.join("good.claim.toml");
    let w = walk_deadline(vec![dir.clone(), file.clone(), dir.join(".")]);
    assert_eq!(w.files, vec![file]);
}

#[test]
fn dangling_symlink_named_like_a_claim_is_malformed() {
    let dir = one_good("walk-dangling");
    symlink("nowhere", dir.join("gone.claim.toml")).unwrap();
    let o = run_deadline(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("gone.claim.toml: cannot read"));
}

#[test]
fn socket_named_like_a_claim_is_skipped() {
    let dir = one_good("walk-socket");
    let _l = std::os::unix::net::UnixListener::bind(dir.join("s.claim.toml")).unwrap();
    let w = walk_deadline(vec![dir.clone()]);
    assert_eq!(w.files, vec![dir.join("good.claim.toml")]);
    assert!(w.notes.iter().any(|n| n.contains("a socket")));
}

#[test]
fn unreadable_subdirectory_is_an_error_and_the_rest_is_walked() {
    let dir = one_good("walk-unreadable");
    let sub = dir.join("locked");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("x.claim.toml"), ONE_CLAIM).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read_dir(&sub).is_ok(); // true when the tests run as root
    let w = walk_deadline(vec![dir.clone()]);
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(w.files.contains(&dir.join("good.claim.toml")));
    if !readable {
        assert!(
            w.errors
                .iter()
                .any(|e| e.contains("cannot read the directory"))
        );
    }
}

#[test]
fn cap_counts_bytes_read_not_the_reported_length() {
    // /proc files report length 0 and hold more: a cap trusting the length would read them all.
    let p = Path::new("/proc/self/maps");
    assert_eq!(std::fs::metadata(p).unwrap().len(), 0);
    let e = dlncheck_kernel::tree::read_capped(p, 10).unwrap_err();
    assert!(e.to_string().contains("more than 10 bytes"), "{e}");
}

#[test]
fn cap_admits_a_file_of_exactly_the_limit() {
    let dir = temp_dir("walk-cap");
    let f = dir.join("f");
    std::fs::write(&f, b"0123456789").unwrap();
    assert_eq!(
        dlncheck_kernel::tree::read_capped(&f, 10).unwrap(),
        b"0123456789"
    );
    assert!(dlncheck_kernel::tree::read_capped(&f, 9).is_err());
}

#[test]
fn instance_fifo_is_refused_by_solve() {
    let dir = temp_dir("walk-solve-fifo");
    let fifo = dir.join("i.toml");
    mkfifo(&fifo);
    let o = run_deadline(&["solve", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file (a FIFO)"));
}

#[test]
fn npy_fifo_is_refused_by_sharpness() {
    let dir = temp_dir("walk-npy-fifo");
    let fifo = dir.join("h.npy");
    mkfifo(&fifo);
    let o = run_deadline(&["sharpness", "--matrix", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file (a FIFO)"));
}

#[test]
fn json_matrix_device_is_refused_by_sharpness() {
    let o = run_deadline(&["sharpness", "--matrix", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file (a device)"));
}

#[test]
fn theta_fifo_is_refused() {
    let dir = temp_dir("walk-theta-fifo");
    let inst = dir.join("i.toml");
    std::fs::write(&inst, "model = \"shared\"\nx = [\"1\", \"2\"]\ny = \"1\"\n").unwrap();
    let fifo = dir.join("theta.npy");
    mkfifo(&fifo);
    let o = run_deadline(&[
        "sharpness",
        "--instance",
        inst.to_str().unwrap(),
        "--theta",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file (a FIFO)"));
}

// ---- the law, over random trees ------------------------------------------------------------

/// One node of a random tree, created in order; `parent` and `target` index earlier nodes.
#[derive(Clone, Debug)]
enum Node {
    Dir {
        parent: usize,
    },
    Claim {
        parent: usize,
    },
    Other {
        parent: usize,
    },
    Fifo {
        parent: usize,
    },
    /// A symlink named like a claim file, to an earlier node (any kind).
    LinkClaim {
        parent: usize,
        target: usize,
    },
    /// A symlink with a plain name, to an earlier node (a directory link may close a loop).
    Link {
        parent: usize,
        target: usize,
    },
    /// A symlink to `.` or `..`.
    LinkUp {
        parent: usize,
        up: bool,
    },
}

fn node() -> impl Strategy<Value = Node> {
    let i = 0usize..64;
    prop_oneof![
        i.clone().prop_map(|parent| Node::Dir { parent }),
        i.clone().prop_map(|parent| Node::Claim { parent }),
        i.clone().prop_map(|parent| Node::Other { parent }),
        i.clone().prop_map(|parent| Node::Fifo { parent }),
        (i.clone(), i.clone()).prop_map(|(parent, target)| Node::LinkClaim { parent, target }),
        (i.clone(), i.clone()).prop_map(|(parent, target)| Node::Link { parent, target }),
        (i, any::<bool>()).prop_map(|(parent, up)| Node::LinkUp { parent, up }),
    ]
}

/// What a created node is, for the expected set.
#[derive(Clone, PartialEq)]
enum Made {
    Dir,
    File { claim: bool },
    Special,
    LinkToDir,
    LinkToFile,
    LinkToSpecial,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Over random trees of directories, files, FIFOs and symlinks (to files, FIFOs, directories,
    /// `.` and `..`, so with loops), the walk ends, never lists a FIFO, and lists exactly the
    /// regular files reached through a claim-named entry, each once. Expected set: from the
    /// construction, not from the walk: every claim-named regular file, and the target of every
    /// claim-named symlink to a regular file (every directory here is a real directory reachable
    /// from the root without a link).
    #[test]
    fn walk_lists_each_reachable_regular_claim_file_once(nodes in prop::collection::vec(node(), 1..24)) {
        static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = temp_dir(&format!("walk-tree-{n}"));
        // paths[i], made[i] for node i; the root is a directory at index 0.
        let mut paths = vec![root.clone()];
        let mut made = vec![Made::Dir];
        let mut expected = BTreeSet::new();
        let mut fifos = Vec::new();
        for (k, node) in nodes.iter().enumerate() {
            // The parent is the nearest directory at or before the given index.
            let dir_of = |p: usize| {
                let mut p = p % paths.len();
                while made[p] != Made::Dir {
                    p -= 1;
                }
                paths[p].clone()
            };
            let (path, m) = match node {
                Node::Dir { parent } => {
                    let p = dir_of(*parent).join(format!("d{k}"));
                    std::fs::create_dir(&p).unwrap();
                    (p, Made::Dir)
                }
                Node::Claim { parent } => {
                    let p = dir_of(*parent).join(format!("c{k}.claim.toml"));
                    std::fs::write(&p, "x").unwrap();
                    expected.insert(std::fs::canonicalize(&p).unwrap());
                    (p, Made::File { claim: true })
                }
                Node::Other { parent } => {
                    let p = dir_of(*parent).join(format!("o{k}.txt"));
                    std::fs::write(&p, "x").unwrap();
                    (p, Made::File { claim: false })
                }
                Node::Fifo { parent } => {
                    let p = dir_of(*parent).join(format!("f{k}.claim.toml"));
                    mkfifo(&p);
                    fifos.push(p.clone());
                    (p, Made::Special)
                }
                Node::LinkClaim { parent, target } | Node::Link { parent, target } => {
                    let t = *target % paths.len();
                    let claim = matches!(node, Node::LinkClaim { .. });
                    let name = if claim { format!("l{k}.claim.json") } else { format!("l{k}") };
                    let p = dir_of(*parent).join(name);
                    symlink(&paths[t], &p).unwrap();
                    let m = match made[t] {
                        Made::Dir | Made::LinkToDir => Made::LinkToDir,
                        Made::File { .. } | Made::LinkToFile => Made::LinkToFile,
                        Made::Special | Made::LinkToSpecial => Made::LinkToSpecial,
                    };
                    if claim && m == Made::LinkToFile {
                        expected.insert(std::fs::canonicalize(&p).unwrap());
                    }
                    (p, m)
                }
                Node::LinkUp { parent, up } => {
                    let p = dir_of(*parent).join(format!("u{k}"));
                    symlink(if *up { ".." } else { "." }, &p).unwrap();
                    (p, Made::LinkToDir)
                }
            };
            paths.push(path);
            made.push(m);
        }
        let w = walk_deadline(vec![root.clone()]);
        let listed: Vec<PathBuf> =
            w.files.iter().map(|f| std::fs::canonicalize(f).unwrap()).collect();
        let unique: BTreeSet<PathBuf> = listed.iter().cloned().collect();
        prop_assert_eq!(unique.len(), listed.len(), "a file listed twice: {:?}", w.files);
        prop_assert_eq!(&unique, &expected);
        for f in &fifos {
            prop_assert!(!w.files.contains(f));
        }
        prop_assert!(w.errors.iter().all(|e| e.contains("no claim files")), "{:?}", w.errors);
        let _ = std::fs::remove_dir_all(&root);
    }
}
