//! Fuzzes the kernel's certified-GD kinds (`gd-limit`, `gd-learner`, kernel/src/gd.rs) deep
//! inside: random bytes rarely make a claim whose trajectory the kernel re-runs, so this target
//! starts from verified GD claim files and lets the fuzzer edit their numbers. The templates are
//! the cheapest to re-check: `proofs/gd-limit-flow-aligned.claim.toml` (62 steps at 64 bits) and
//! `templates/` (written by `dlncheck gd --certify` and `dlncheck learner` on a d = 2 instance at
//! η = 1/4: 23 steps at 64 bits; the learner file also holds `neither-bias`, `best-linear` and
//! `bayes`); the shipped files of thousands of steps cost 0.1–0.4 s a run.
//!
//! Input: byte 0 picks a template (or, with its top bit set,
//! a `gd-limit` claim built from scratch around fuzzed x, y, α, η); then each group of four bytes
//! `[token, op, a, b]` edits one number of the file: a rational string (p ± a, q ± a, a/(b+1),
//! negation, a factor 2^±a, a copy of another number, a non-canonical spelling) or an integer
//! (`steps`, `bits`, `segment`, ... set from a and b). Integers stay ≤ 128 so that a run takes
//! about a millisecond (the kernel's own limits on `steps` and `bits` are 10⁶ and 4096). The kernel must
//! answer every file with a report or a one-line error, never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

const TEMPLATES: [&str; 3] = [
    include_str!("../../../proofs/gd-limit-flow-aligned.claim.toml"),
    include_str!("../templates/gd-limit-small.claim.toml"),
    include_str!("../templates/gd-learner-small.claim.toml"),
];

/// A number in the text: its byte range and whether it is a quoted rational or a bare integer.
struct Token {
    start: usize,
    end: usize,
    quoted: bool,
}

/// The numbers of `text`: `"p"`/`"p/q"` strings and bare integers after `= `.
fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let j = i + 1 + text[i + 1..].find('"').unwrap_or(0);
            let s = &text[i + 1..j];
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit() || c == b'/') {
                out.push(Token {
                    start: i + 1,
                    end: j,
                    quoted: true,
                });
            }
            i = j + 1;
        } else if b[i] == b'=' && i + 2 < b.len() && b[i + 1] == b' ' && b[i + 2].is_ascii_digit() {
            let s = i + 2;
            let mut e = s;
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            out.push(Token {
                start: s,
                end: e,
                quoted: false,
            });
            i = e;
        } else {
            i += 1;
        }
    }
    out
}

fn parse(s: &str) -> Option<BigRational> {
    let (p, q) = s.split_once('/').unwrap_or((s, "1"));
    let (p, q): (BigInt, BigInt) = (p.parse().ok()?, q.parse().ok()?);
    (!q.is_zero()).then(|| BigRational::new(p, q))
}

fn show(r: &BigRational) -> String {
    if r.denom().is_one() {
        r.numer().to_string()
    } else {
        format!("{}/{}", r.numer(), r.denom())
    }
}

/// The edited text of a rational token.
fn edit_rational(old: &str, op: u8, a: u8, b: u8, other: &str) -> String {
    let Some(r) = parse(old) else {
        return old.to_string();
    };
    let small = BigInt::from(a as i64 - 128);
    let two = BigRational::from_integer(BigInt::from(2));
    match op % 8 {
        0 => show(&BigRational::new(r.numer() + small, r.denom().clone())),
        1 => {
            let q = r.denom() + BigInt::from(a);
            if q.is_positive() {
                show(&BigRational::new(r.numer().clone(), q))
            } else {
                old.to_string()
            }
        }
        2 => show(&BigRational::new(small, BigInt::from(b as i64 + 1))),
        3 => show(&-r),
        4 => show(&(r * num_traits::pow(two, (a % 64) as usize))),
        5 => show(&(r / num_traits::pow(two, (a % 64) as usize))),
        6 => other.to_string(),
        // Not canonical: the kernel must refuse it as malformed.
        _ => format!("{}/{}", r.numer() * 2, r.denom() * 2),
    }
}

/// The edited text of an integer token (`steps`, `bits`, `segment`, `version`, `index`).
fn edit_integer(old: &str, op: u8, a: u8, b: u8) -> String {
    let v: u64 = old.parse().unwrap_or(0);
    let n = match op % 4 {
        0 => v.saturating_add(a as u64 % 16),
        1 => v.saturating_sub(a as u64 % 16),
        2 => a as u64 + b as u64 % 2,
        _ => a as u64,
    };
    // Keep runs short (see the module docs).
    n.min(128).to_string()
}

/// A `gd-limit` claim from scratch: d = 1..=3 coordinates, x, y, α, η from the bytes.
fn scratch(data: &[u8]) -> String {
    let at = |i: usize| data.get(i).copied().unwrap_or(1);
    let q = |i: usize| format!("{}/{}", at(i) as i64 - 100, at(i + 1) % 16 + 1);
    let pos = |i: usize| format!("{}/{}", at(i) % 64 + 1, at(i + 1) % 64 + 1);
    let d = at(1) as usize % 3 + 1;
    let x: Vec<String> = (0..d).map(|i| format!("\"{}\"", q(2 + 2 * i))).collect();
    let beta: String = (0..d)
        .map(|i| {
            format!(
                "[[claim.beta]]\nlo = \"{}\"\nhi = \"{}\"\n",
                pos(8 + 4 * i),
                pos(10 + 4 * i)
            )
        })
        .collect();
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [{}]\ny = \"{}\"\n\
         [instance.init]\nalpha = \"{}\"\n[[claim]]\nkind = \"gd-limit\"\nlr = \"{}\"\n\
         steps = {}\nbits = {}\nrho = \"{}\"\nq = \"{}\"\n{beta}\
         [claim.norm]\nlo = \"{}\"\nhi = \"{}\"\n[claim.sharpness]\nlo = \"{}\"\nhi = \"{}\"\n\
         [claim.eos_margin]\nlo = \"{}\"\nhi = \"{}\"\n",
        x.join(", "),
        q(20),
        pos(22),
        pos(24),
        at(26),
        at(27) % 200 + 2,
        pos(28),
        pos(30),
        pos(32),
        pos(34),
        pos(36),
        pos(38),
        q(40),
        q(42),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some(&first) = data.first() else {
        return;
    };
    let text = if first & 0x80 != 0 {
        scratch(data)
    } else {
        let mut text = TEMPLATES[first as usize % TEMPLATES.len()].to_string();
        for edit in data[1..].chunks_exact(4).take(16) {
            let toks = tokens(&text);
            if toks.is_empty() {
                break;
            }
            let t = &toks[edit[0] as usize % toks.len()];
            let old = &text[t.start..t.end];
            let new = if t.quoted {
                let o = &toks[edit[3] as usize % toks.len()];
                let other = if o.quoted { &text[o.start..o.end] } else { "0" };
                edit_rational(old, edit[1], edit[2], edit[3], other)
            } else {
                edit_integer(old, edit[1], edit[2], edit[3])
            };
            text.replace_range(t.start..t.end, &new);
        }
        text
    };
    match dlncheck_kernel::check_text("f.claim.toml", &text) {
        Ok(report) => {
            let _ = report.passed();
        }
        Err(e) => assert!(!e.to_string().contains('\n'), "one-line error"),
    }
});
