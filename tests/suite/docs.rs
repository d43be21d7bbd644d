//! Every command shown in README.md and docs/ is run (issue 25: no transcript goes stale).
//!
//! The convention, stated in `docs/index.md`: a fenced block whose info string is `console`
//! holds commands (`$ dlncheck ARGS`, optionally `> FILE` to keep its standard output) and,
//! under each command, lines of its expected output. Every expected line must appear, in
//! order, among the lines the command printed (stdout, then stderr; both trimmed); a line
//! holding `…` is an elision and is not compared, a line `[exit N]` states the exit code
//! (default 0), and a line starting with `# ` is a comment. The commands of one page run in
//! order in one fresh folder holding copies of `examples/` and `proofs/`, so a file written
//! by one command can be read by the next. `sh` blocks may show set-up commands (cargo, pip)
//! but no `dlncheck` command: those must be in `console` blocks, where they are run; `text`
//! blocks hold synopses.

use crate::common::temp_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One command of a `console` block.
#[derive(Debug, Default)]
struct Shown {
    line: usize,
    args: Vec<String>,
    stdout_to: Option<String>,
    expected: Vec<String>,
    exit: i32,
}

/// Splits a command line into words: whitespace separates, '…' and "…" quote.
fn words(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The `console` commands of a Markdown page, and the `dlncheck` lines of its other blocks.
fn parse(text: &str) -> (Vec<Shown>, Vec<(usize, String)>) {
    let (mut shown, mut stray) = (Vec::new(), Vec::new());
    let mut fence: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(info) = line.strip_prefix("```") {
            fence = match fence {
                None => Some(info.trim().to_string()),
                Some(_) => None,
            };
            continue;
        }
        let Some(info) = &fence else { continue };
        if info != "console" {
            // `text` blocks hold synopses (`dlncheck gd FILE --lr ETA ...`), not commands.
            let command = line.starts_with("dlncheck ") || line.starts_with("$ dlncheck");
            if info != "text" && command {
                stray.push((i + 1, line.to_string()));
            }
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut w = words(cmd);
            let mut s = Shown {
                line: i + 1,
                ..Default::default()
            };
            if let Some(p) = w.iter().position(|x| x == ">") {
                s.stdout_to = w.get(p + 1).cloned();
                w.truncate(p);
            }
            s.args = w;
            shown.push(s);
        } else if line.is_empty() || line.starts_with("# ") || line.contains('…') {
            continue;
        } else if let Some(s) = shown.last_mut() {
            match line
                .strip_prefix("[exit ")
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(code) => s.exit = code.parse().expect("[exit N] holds a number"),
                None => s.expected.push(line.to_string()),
            }
        }
    }
    (shown, stray)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs every command of `page` (relative to the repository) and returns what went wrong.
fn run_page(page: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(page)).expect("page readable");
    let (shown, stray) = parse(&text);
    let mut problems: Vec<String> = stray
        .iter()
        .map(|(l, c)| format!("{page}:{l}: a dlncheck command outside a console block: {c}"))
        .collect();
    let dir = temp_dir(&format!("docs-{}", page.replace(['/', '.'], "-")));
    for sub in ["examples", "proofs"] {
        copy_dir(&root().join(sub), &dir.join(sub));
    }
    for s in &shown {
        if s.args.first().map(String::as_str) != Some("dlncheck") {
            problems.push(format!("{page}:{}: not a dlncheck command", s.line));
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_dlncheck"))
            .args(&s.args[1..])
            .current_dir(&dir)
            .output()
            .expect("the dlncheck binary runs");
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if let Some(file) = &s.stdout_to {
            std::fs::write(dir.join(file), &out.stdout).expect("redirect");
        }
        if code != s.exit {
            problems.push(format!(
                "{page}:{}: `{}` exited {code}, the page says {}: {}",
                s.line,
                s.args.join(" "),
                s.exit,
                stderr.lines().next().unwrap_or("")
            ));
            continue;
        }
        let printed: Vec<&str> = stdout
            .lines()
            .chain(stderr.lines())
            .map(str::trim)
            .collect();
        let mut at = 0;
        for want in &s.expected {
            match printed[at..].iter().position(|l| l == want) {
                Some(k) => at += k + 1,
                None => {
                    problems.push(format!(
                        "{page}:{}: `{}` did not print (in order) the line `{want}`",
                        s.line,
                        s.args.join(" ")
                    ));
                    break;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    problems
}

fn assert_page(page: &str) {
    let problems = run_page(page);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The pages whose commands are run, one test each below.
const PAGES: &[&str] = &[
    "README.md",
    "docs/index.md",
    "docs/audit.md",
    "docs/certified-gd.md",
    "docs/checking.md",
    "docs/cluster.md",
    "docs/commands.md",
    "docs/design.md",
    "docs/flow.md",
    "docs/generalization.md",
    "docs/gradient-descent.md",
    "docs/instances.md",
    "docs/limits.md",
    "docs/models.md",
    "docs/one-point.md",
    "docs/python.md",
    "docs/robustness.md",
    "docs/sgd.md",
    "docs/sharpness.md",
    "docs/trajectory.md",
    "docs/verified.md",
    "docs/verified-sharpness.md",
    "docs/walkthrough.md",
];

#[test]
fn every_page_of_docs_is_in_the_list_of_run_pages() {
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name.ends_with(".md") {
            let page = format!("docs/{name}");
            assert!(
                PAGES.contains(&page.as_str()),
                "{page} is not run by tests/suite/docs.rs"
            );
        }
    }
}

#[test]
fn the_harness_reads_commands_outputs_exits_and_elisions() {
    let page = "```sh\ncargo test\n```\n```console\n# a comment\n$ dlncheck check 'a b' > out.txt\nline one\n…\n[exit 1]\n$ dlncheck solve x.toml\n```\n```sh\ndlncheck stray\n```\n";
    let (shown, stray) = parse(page);
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0].args, ["dlncheck", "check", "a b"]);
    assert_eq!(shown[0].stdout_to.as_deref(), Some("out.txt"));
    assert_eq!(shown[0].expected, ["line one"]);
    assert_eq!(shown[0].exit, 1);
    assert_eq!((shown[1].exit, shown[1].expected.len()), (0, 0));
    assert_eq!(stray, [(13, "dlncheck stray".to_string())]);
}

#[test]
fn a_stale_transcript_is_caught() {
    // A page whose shown output differs from what the command prints must fail the run.
    let dir = temp_dir("docs-stale");
    let page = dir.join("stale.md");
    std::fs::write(
        &page,
        "```console\n$ dlncheck check proofs/hand-d2.claim.toml\n3 of 3 claims verified, the wrong count\n```\n",
    )
    .expect("write");
    let rel = page
        .strip_prefix(root())
        .map(|p| p.to_path_buf())
        .unwrap_or(page.clone());
    let problems = run_page(rel.to_str().expect("utf-8"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("did not print"), "{problems:?}");
}

macro_rules! page_tests {
    ($($name:ident => $page:literal,)*) => {
        $(#[test] fn $name() { assert_page($page); })*
        #[test]
        fn the_page_list_and_the_tests_agree() {
            assert_eq!(PAGES, [$($page),*]);
        }
    };
}

page_tests! {
    readme => "README.md",
    docs_index => "docs/index.md",
    docs_audit => "docs/audit.md",
    docs_certified_gd => "docs/certified-gd.md",
    docs_checking => "docs/checking.md",
    docs_cluster => "docs/cluster.md",
    docs_commands => "docs/commands.md",
    docs_design => "docs/design.md",
    docs_flow => "docs/flow.md",
    docs_generalization => "docs/generalization.md",
    docs_gradient_descent => "docs/gradient-descent.md",
    docs_instances => "docs/instances.md",
    docs_limits => "docs/limits.md",
    docs_models => "docs/models.md",
    docs_one_point => "docs/one-point.md",
    docs_python => "docs/python.md",
    docs_robustness => "docs/robustness.md",
    docs_sgd => "docs/sgd.md",
    docs_sharpness => "docs/sharpness.md",
    docs_trajectory => "docs/trajectory.md",
    docs_verified => "docs/verified.md",
    docs_verified_sharpness => "docs/verified-sharpness.md",
    docs_walkthrough => "docs/walkthrough.md",
}

/// The figures shown in docs/walkthrough.md are what its sweep writes, byte for byte: the test
/// runs the page's command and compares the SVGs (so a change of the data, the runs or the plots
/// shows up here, and the committed figures are re-generated with the command below).
#[test]
fn the_walkthrough_figures_are_what_its_sweep_writes() {
    let page = std::fs::read_to_string(root().join("docs/walkthrough.md")).expect("page");
    let args = [
        "sweep",
        "examples/sparse-teacher.toml",
        "--lr-from",
        "0.05",
        "--lr-to",
        "1",
        "--points",
        "30",
        "--log",
        "--steps",
        "20000",
        "--out",
    ];
    assert!(page.contains(&format!("$ dlncheck {} walk", args.join(" "))));
    let out = crate::common::temp_dir("walkthrough-figures");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_dlncheck"))
        .current_dir(root())
        .args(args)
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for figure in ["test_loss.svg", "beta_l1.svg"] {
        let shown = std::fs::read(root().join("docs/walkthrough").join(figure)).expect("committed");
        let written = std::fs::read(out.join(figure)).expect("written");
        assert!(
            shown == written,
            "docs/walkthrough/{figure} differs from what the sweep writes: re-run `dlncheck {} docs/walkthrough`",
            args.join(" ")
        );
    }
}
