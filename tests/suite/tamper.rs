//! The kernel rejects tampered claims: every number (and every boolean) of every claim file in
//! `proofs/` is changed, one at a time, and each changed file must fail to verify — with one
//! exception that the test confirms by an independent route: a change to an instance number that
//! no claim depends on (for `shared`, an x_i with x_i·y < 0 cannot carry the label, and when the
//! dual slacks are not listed nothing pins it) leaves every claim true, so the kernel rightly
//! accepts it; the test re-solves the changed instance with the (untrusted) solver and requires
//! the very same claims. A `gf-limit` claim's boxes are contained, not pinned (FORMAT.md §4.9),
//! so a change that moves one of its ends outward, or its `bits`, leaves a weaker true claim
//! and is accepted; every other change must be rejected. Large files are sampled (see
//! `every_single_number_change_in_proofs_is_rejected`): the d = 1000 and d = 300 files, and files
//! of long n > 1 GD runs, where each mutation re-runs seconds of trajectories. Plus
//! hand-written wrong certificates, each wrong in one specific way.

use dlncheck::io::instance::JsonTree;
use dlncheck::numeric::rational::{fmt_q, parse_q};
use dlncheck_kernel::Outcome;
use rayon::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Paths (as JSON pointers) of every number-bearing leaf: rational strings, integers, booleans.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| leaves(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| leaves(c, format!("{at}/{i}"), out)),
        Value::String(s) if parse_q(s).is_ok() => out.push(at),
        Value::Number(_) | Value::Bool(_) => out.push(at),
        _ => {}
    }
}

/// The leaf changed: a rational moves away from zero by one (q → q + 1 for q ≥ 0, q → q − 1
/// for q < 0, so |q| always changes: a mere sign flip is not a tampering some statements can
/// see — the spectrum of D + c·aaᵀ is the same under a_i → −a_i), an integer n → n + 1, a
/// boolean flipped.
fn mutate(tree: &Value, pointer: &str) -> Value {
    let mut t = tree.clone();
    let leaf = t.pointer_mut(pointer).expect("leaf exists");
    let changed = match &*leaf {
        Value::String(s) => {
            let q = parse_q(s).unwrap();
            let step = if q < dlncheck::numeric::scalar::qi(0) {
                dlncheck::numeric::scalar::qi(-1)
            } else {
                dlncheck::numeric::scalar::qi(1)
            };
            Value::String(fmt_q(&(q + step)))
        }
        Value::Number(n) => Value::from(
            n.as_u64()
                .expect("integers in claim files are non-negative")
                + 1,
        ),
        Value::Bool(b) => Value::Bool(!*b),
        other => other.clone(),
    };
    *leaf = changed;
    t
}

/// Whether the tampered tree still verifies. Claims are checked in order and a claim only
/// reads earlier ones, so a change inside claim k is first tried on the file cut after claim k
/// (cheaper); only if that prefix still verifies is the whole file checked.
fn tampered_verifies(name: &str, tree: &Value, pointer: &str) -> bool {
    let t = mutate(tree, pointer);
    if let Some(k) = pointer
        .strip_prefix("/claim/")
        .and_then(|r| r.split('/').next())
        .and_then(|k| k.parse::<usize>().ok())
    {
        let mut prefix = t.clone();
        if let Some(list) = prefix.get_mut("claim").and_then(Value::as_array_mut) {
            list.truncate(k + 1);
        }
        if !verified(name, &prefix) {
            return false;
        }
    }
    verified(name, &t)
}

/// Whether the file passes `check`: every claim verified and `expect` matched. (A truncated
/// prefix has its `expect` list cut to match.)
fn verified(name: &str, tree: &Value) -> bool {
    let mut t = tree.clone();
    if let (Some(n), Some(e)) = (
        t["claim"].as_array().map(Vec::len),
        t.get_mut("expect").and_then(Value::as_array_mut),
    ) {
        e.truncate(n);
    }
    dlncheck_kernel::check_text(&format!("{name}.json"), &t.to_string()).is_ok_and(|r| r.passed())
}

/// Whether an accepted change to a `gf-limit` claim (FORMAT.md §4.9: boxes are not pinned) only
/// weakened its statement: a `beta`, `diag`, `norm` or `sharpness` end moved outward (lo down,
/// hi up: the untouched file verified, so the wider box still holds β∞, N, S), or `bits`, the
/// precision the kernel re-checks at, which the statement does not mention.
fn weakened_gf_limit(tree: &Value, pointer: &str) -> bool {
    let parts: Vec<&str> = pointer.split('/').collect();
    let (Some(&"claim"), Some(k)) = (parts.get(1), parts.get(2)) else {
        return false;
    };
    if tree["claim"][k.parse::<usize>().unwrap_or(usize::MAX)]["kind"] != "gf-limit" {
        return false;
    }
    match &parts[3..] {
        ["bits"] => true,
        ["beta" | "diag", _, end] | ["norm" | "sharpness", end] => {
            // mutate moves |q| up by one: outward for lo < 0 and for every hi ≥ 0.
            let q = parse_q(tree.pointer(pointer).and_then(Value::as_str).unwrap_or("x"));
            let negative = q.is_ok_and(|q| q < dlncheck::numeric::scalar::qi(0));
            (*end == "lo" && negative) || (*end == "hi" && !negative)
        }
        _ => false,
    }
}

/// Whether a change the kernel accepted left every claim true: a weakened `gf-limit` statement
/// ([`weakened_gf_limit`]), or a change to the data x of a file of T1 claims where solving the
/// changed instance afresh gives the same claims.
fn still_true(name: &str, tree: &Value, pointer: &str) -> bool {
    if weakened_gf_limit(tree, pointer) {
        return true;
    }
    if !pointer.starts_with("/instance/x/") {
        return false;
    }
    let t = mutate(tree, pointer);
    let Ok(inst) = dlncheck::io::instance::parse_instance(
        name,
        &dlncheck::io::instance::Tree::from_json(&t["instance"]),
    ) else {
        return false;
    };
    let Ok(fresh) = dlncheck::io::claims::t1_claims(&inst, false) else {
        return false;
    };
    let strip = |c: &Value| {
        let mut c = c.clone();
        if let Some(m) = c.as_object_mut() {
            m.remove("slack");
            m.remove("slack_neg");
        }
        c
    };
    let listed: Vec<Value> = t["claim"]
        .as_array()
        .map(|a| a.iter().map(strip).collect())
        .unwrap_or_default();
    listed == fresh.iter().map(|c| c.to_value()).collect::<Vec<_>>()
}

/// Σ over the n > 1 `gd-limit` claims of steps · n · d · ⌈bits/64⌉²: the trajectory work one
/// re-check of the file repeats (FORMAT.md §6's `descent` measure, without its constants).
fn descent_cost(tree: &Value) -> u64 {
    let x = &tree["instance"]["X"];
    let (n, d) = (
        x.as_array().map_or(0, Vec::len) as u64,
        x[0].as_array().map_or(0, Vec::len) as u64,
    );
    tree["claim"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["kind"] == "gd-limit")
                .map(|c| {
                    let w = c["bits"].as_u64().unwrap_or(0).div_ceil(64);
                    c["steps"].as_u64().unwrap_or(0) * n * d * w * w
                })
                .sum()
        })
        .unwrap_or(0)
}

fn claim_files() -> Vec<PathBuf> {
    dlncheck::io::walk::claim_files(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs")]).files
}

#[test]
fn every_single_number_change_in_proofs_is_rejected() {
    let files = claim_files();
    assert!(files.len() >= 8, "proofs/ should hold the shipped claims");
    let mut total = 0;
    for path in files {
        let name = path.display().to_string();
        let tree = dlncheck::io::instance::read_tree(&path).unwrap().to_json();
        assert!(verified(&name, &tree), "{name} must verify untouched");
        let mut all = Vec::new();
        leaves(&tree, String::new(), &mut all);
        // Large files are sampled, so the test stays within the suite's time budget:
        // - files of long n > 1 GD runs (each mutation re-runs every trajectory, seconds each):
        //   the rate, steps and bits of every claim, and an even spread of 4 other numbers;
        // - files of more than 400 numbers (d = 1000, d = 300, a 60 × 60 matrix, with the same
        //   structure as the small files, each mutation a full re-check): every number whose
        //   shape (its path with list indices as `#`) occurs at most 20 times, and an even
        //   spread of 30 of the others (always the first and the last).
        // Small files are mutated everywhere.
        let ptrs: Vec<String> = if descent_cost(&tree) > 1_000_000 {
            let key = |p: &str| ["/lr", "/steps", "/bits"].iter().any(|k| p.ends_with(k));
            let (keys, rest): (Vec<String>, Vec<String>) = all.into_iter().partition(|p| key(p));
            let step = rest.len().div_ceil(4).max(1);
            keys.into_iter()
                .chain(rest.iter().step_by(step).cloned())
                .chain(rest.last().cloned())
                .collect()
        } else if all.len() <= 400 {
            all
        } else {
            // A leaf's shape: its path with every list index replaced by `#`.
            let parent = |p: &str| {
                p.split('/')
                    .map(|seg| {
                        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
                            "#"
                        } else {
                            seg
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            };
            let mut sizes = std::collections::HashMap::new();
            for p in &all {
                *sizes.entry(parent(p)).or_insert(0usize) += 1;
            }
            let (long, short): (Vec<String>, Vec<String>) =
                all.into_iter().partition(|p| sizes[&parent(p)] > 20);
            let step = long.len().div_ceil(30).max(1);
            let mut picked: Vec<String> = long.iter().step_by(step).cloned().collect();
            picked.extend(long.last().cloned());
            short.into_iter().chain(picked).collect()
        };
        let accepted: Vec<&String> = ptrs
            .par_iter()
            .filter(|p| tampered_verifies(&name, &tree, p))
            .collect();
        let false_claims: Vec<&&String> = accepted
            .iter()
            .filter(|p| !still_true(&name, &tree, p))
            .collect();
        assert!(
            false_claims.is_empty(),
            "{name}: tampering at {false_claims:?} was accepted"
        );
        total += ptrs.len();
    }
    assert!(total > 700, "only {total} numbers were tampered with");
}

fn check_text(toml_text: &str) -> Vec<Outcome> {
    dlncheck_kernel::check_text("hand.toml", toml_text)
        .unwrap()
        .verdicts
        .into_iter()
        .map(|v| v.outcome)
        .collect()
}

fn rejected_because(toml_text: &str, needle: &str) {
    let outcomes = check_text(toml_text);
    let reasons: Vec<String> = outcomes
        .iter()
        .filter_map(|o| {
            if let Outcome::Rejected(r) = o {
                Some(r.clone())
            } else {
                None
            }
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains(needle)),
        "expected a rejection mentioning `{needle}`, got {outcomes:?}"
    );
}

const HEAD: &str = "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"1\"]\ny = \"4\"\n";

#[test]
fn hand_written_wrong_certificates_are_rejected() {
    // A feasible β = (0, 4) with N = 4 claimed minimal, "certified" by λ = 1: y·λ = 4 matches,
    // but λ·x_0 = 2 > 1, so the dual is infeasible (the true minimum is 2).
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"4\"\nbeta = [\"0\", \"4\"]\ndual = \"1\"\nslack = [\"-1\", \"0\"]\n"
        ),
        "dual infeasible",
    );
    // β with a negative entry for `shared`.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"4\"\nbeta = [\"3\", \"-2\"]\ndual = \"1\"\nslack = [\"-1\", \"0\"]\n"
        ),
        "negative",
    );
    // A wrong value with a consistent dual but β off the constraint ⟨x, β⟩ = y.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"1\"\nbeta = [\"1\", \"0\"]\ndual = \"1/4\"\nslack = [\"1/2\", \"3/4\"]\n"
        ),
        "≠ y",
    );
    // The optimal value split over two coordinates is not the canonical minimiser.
    let ties = "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"2\"]\ny = \"4\"\n";
    rejected_because(
        &format!(
            "{ties}[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"1\", \"1\"]\ndual = \"1/2\"\nslack = [\"0\", \"0\"]\n"
        ),
        "whole label on one coordinate",
    );
    // The canonical minimiser uses the lowest of tied coordinates.
    rejected_because(
        &format!(
            "{ties}[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"0\", \"2\"]\ndual = \"1/2\"\nslack = [\"0\", \"0\"]\n"
        ),
        "lowest",
    );
    // The same wrong certificates without listed slacks: the kernel recomputes them.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"4\"\nbeta = [\"0\", \"4\"]\ndual = \"1\"\n"
        ),
        "dual infeasible at coordinate 0",
    );
    rejected_because(
        &format!(
            "{ties}[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"0\", \"2\"]\ndual = \"1/2\"\n"
        ),
        "lowest",
    );
    // uv (β free, w = 2): λ = 2/3 certifies value 4 for y = 6 at x = (3, −4)? No: −λ·x_1 = 8/3 > 2.
    let uv = "version = 2\n[instance]\nmodel = \"uv\"\nx = [\"3\", \"-4\"]\ny = \"6\"\n";
    rejected_because(
        &format!(
            "{uv}[[claim]]\nkind = \"min-norm\"\nvalue = \"4\"\nbeta = [\"2\", \"0\"]\ndual = \"2/3\"\n"
        ),
        "−dual·x_i > w_i",
    );
    // A listed slack that disagrees with w_i − λ·x_i is rejected even when the dual is right.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"2\", \"0\"]\ndual = \"1/2\"\nslack = [\"0\", \"1/4\"]\n"
        ),
        "slack[1]",
    );
    // ... and the right certificate, without slacks, verifies.
    let good = check_text(&format!(
        "{HEAD}[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"2\", \"0\"]\ndual = \"1/2\"\n"
    ));
    assert!(matches!(good[..], [Outcome::Verified(_)]), "{good:?}");
    // A Pareto front that leaves out a vertex.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"pareto-front\"\nvertices = [{{ index = 0, norm = \"2\", sharpness = \"32\" }}]\n"
        ),
        "the front has 2 vertices, the claim lists 1",
    );
    // A front in the wrong order.
    rejected_because(
        &format!(
            "{HEAD}[[claim]]\nkind = \"pareto-front\"\nvertices = [{{ index = 1, norm = \"4\", sharpness = \"16\" }}, {{ index = 0, norm = \"2\", sharpness = \"32\" }}]\n"
        ),
        "vertex 0 is coordinate 0, the claim says 1",
    );
    // A conflict claim without the optima it compares.
    rejected_because(
        &format!("{HEAD}[[claim]]\nkind = \"conflict\"\ncoincide = false\nratio = \"2\"\n"),
        "needs a verified `min-norm` claim",
    );
}

#[test]
fn the_hand_worked_file_verifies() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/hand-d2.claim.toml");
    let report = dlncheck_kernel::check_file(&path).unwrap();
    assert_eq!(report.verdicts.len(), 4);
    assert!(report.passed());
}
