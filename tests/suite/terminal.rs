//! Honest terminal output (docs/robustness.md): text echoed from input reaches the terminal
//! escaped, in `check`'s table, in every error line, and in JSON. One attack per test; the laws
//! of `escape` as property tests, against a decoder written here.

use crate::common::{run, temp_dir};
use dlncheck::io::terminal::{escape, is_unsafe};
use proptest::prelude::*;
use std::path::PathBuf;

/// The characters the binary must never print raw (from the brief, by hand): C0, DEL, C1 and the
/// bidi embeddings, overrides and isolates.
fn forbidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n')
        || (0x7f..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

/// Output bytes, as text, checked to hold no forbidden character (newlines end lines).
fn clean(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes).into_owned();
    if let Some(c) = s.chars().find(|&c| forbidden(c)) {
        panic!("raw U+{:04X} in output: {s:?}", c as u32);
    }
    s
}

/// A claim file `name` in a fresh folder with `text`.
fn claim(dir: &str, name: &str, text: &str) -> PathBuf {
    let d = temp_dir(dir);
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn kind_with_newline_cannot_paint_a_verified_line() {
    let p = claim(
        "term-kind",
        "k.claim.toml",
        "version = 2\n[[claim]]\nkind = \"x\\n2 of 2 claims verified; expect matched\"\n",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let out = clean(&o.stdout);
    let err = clean(&o.stderr);
    for line in out.lines().chain(err.lines()) {
        assert!(!line.starts_with("2 of 2"), "a painted line: {line:?}");
    }
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn kind_with_escape_sequence_is_escaped_in_the_table() {
    // ESC [ 2 K erases the line, ESC [ 1 A moves up: a real terminal would overwrite a verdict.
    let p = claim(
        "term-esc",
        "e.claim.toml",
        "version = 2\n[[claim]]\nkind = \"\\u001b[1A\\u001b[2Kverified\"\n",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    let out = clean(&o.stdout);
    assert!(out.contains("\\u{1b}[1A"), "{out}");
}

#[test]
fn expect_with_bidi_override_is_escaped() {
    let p = claim(
        "term-bidi",
        "b.claim.toml",
        "version = 2\nexpect = [\"\\u202edeifirev\"]\n[[claim]]\nkind = \"min-norm\"\n",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(clean(&o.stderr).contains("\\u{202e}"));
    clean(&o.stdout);
}

#[test]
fn path_with_newline_is_escaped_in_the_table() {
    let d = temp_dir("term-path");
    std::fs::write(d.join("a\n0 rejected\rz.claim.toml"), "version = 2\n").unwrap();
    let o = run(&["check", d.to_str().unwrap()]);
    let out = clean(&o.stdout);
    assert!(out.contains("a\\n0 rejected\\rz.claim.toml"), "{out}");
}

#[test]
fn instance_key_with_control_characters_is_escaped_in_the_error() {
    let p = claim(
        "term-key",
        "i.toml",
        "model = \"shared\"\nx = [\"1\"]\ny = \"1\"\n\"k\\u0007\\u009b2J\" = \"1\"\n",
    );
    let o = run(&["solve", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = clean(&o.stderr);
    assert!(err.contains("k\\u{7}\\u{9b}2J"), "{err}");
}

#[test]
fn json_output_escapes_bidi_and_keeps_the_value() {
    let kind = "\u{202e}x\u{2066}\u{7f}";
    let p = claim(
        "term-json",
        "j.claim.toml",
        "version = 2\n[[claim]]\nkind = \"\\u202ex\\u2066\\u007f\"\n",
    );
    let o = run(&["check", p.to_str().unwrap(), "--json"]);
    let out = clean(&o.stdout);
    assert!(out.contains("\\u202e"), "{out}");
    // The JSON value is unchanged: the detail names the kind with its characters.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let detail = v["claims"][0]["detail"].as_str().unwrap();
    assert!(detail.contains(kind), "{detail:?}");
}

#[test]
fn escape_leaves_clean_text_alone() {
    let s = "t1.claim.toml: 2 of 2 claims verified; β = (2, 0) \\n";
    assert_eq!(escape(s), s);
}

/// The inverse of `escape`, written from its documentation: `\n`, `\r`, `\t`, `\u{X..}`; every
/// other character stands for itself.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("\\n") {
            out.push('\n');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\r") {
            out.push('\r');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\t") {
            out.push('\t');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\u{")
            && let Some(end) = r.find('}')
            && let Ok(u) = u32::from_str_radix(&r[..end], 16)
            && let Some(ch) = char::from_u32(u)
            && is_unsafe(ch)
        {
            out.push(ch);
            rest = &r[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Strings rich in the characters that matter.
fn nasty() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        proptest::char::range('\u{0}', '\u{a0}'),
        proptest::char::range('\u{2020}', '\u{206f}'),
        Just('\u{61c}'),
        Just('\u{200e}'),
        Just('é'),
        Just('\\'),
        any::<char>(),
    ];
    prop::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    /// No escaped string holds a forbidden character.
    #[test]
    fn escape_output_is_safe(s in nasty()) {
        let e = escape(&s);
        prop_assert!(!e.chars().any(forbidden), "{:?}", e);
        prop_assert!(!e.chars().any(is_unsafe));
    }

    /// Escaping twice changes nothing.
    #[test]
    fn escape_is_idempotent(s in nasty()) {
        let once = escape(&s).into_owned();
        prop_assert_eq!(escape(&once).into_owned(), once);
    }

    /// Safe strings (those holding no literal `\`-escape text) come back from the decoder, so
    /// two different such strings never print alike.
    #[test]
    fn escape_is_undone_by_the_decoder(s in nasty()) {
        let s = s.replace('\\', "");
        prop_assert_eq!(unescape(&escape(&s)), s);
    }
}
