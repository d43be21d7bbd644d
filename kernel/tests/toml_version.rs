//! The syntax FORMAT.md §1 pins: TOML 1.1.0 and JSON (RFC 8259, duplicate keys refused). A
//! second checker written from FORMAT.md must read every file as the kernel does, so the TOML
//! 1.1 additions are read as TOML 1.1.0 says (expected values from the spec's text, written out
//! here by hand), and input invalid in both TOML 1.0 and 1.1 is refused. One rule per test.

use dlncheck_kernel::check_text;
use dlncheck_kernel::tree::{Tree, parse_text};

/// The one top-level value `v` of a TOML text `v = ...`.
fn value(text: &str) -> Tree {
    match parse_text("t.toml", text) {
        Ok(Tree::Table(entries)) => {
            assert_eq!(entries.len(), 1, "{text}: one key expected");
            assert_eq!(entries[0].0, "v");
            entries[0].1.clone()
        }
        other => panic!("{text}: expected a table, got {other:?}"),
    }
}

fn string(text: &str) -> String {
    match value(text) {
        Tree::Str(s) => s,
        other => panic!("{text}: expected a string, got {other:?}"),
    }
}

/// `text` is a syntax error (malformed, with a line and column), in TOML.
fn refused(text: &str) {
    match parse_text("t.toml", text) {
        Ok(t) => panic!("{text:?} should be refused, parsed as {t:?}"),
        Err(e) => assert!(
            e.to_string().contains("malformed TOML at line"),
            "{text:?}: {e}"
        ),
    }
}

/// `text` is refused as JSON.
fn refused_json(text: &str) {
    if let Ok(t) = parse_text("t.json", text) {
        panic!("{text:?} should be refused as JSON, parsed as {t:?}");
    }
}

// ---- TOML 1.1.0 additions, read as the spec says -------------------------------------------

#[test]
fn hex_escape_is_the_code_point() {
    // TOML 1.1: "\xHH" is the code point U+00HH: 0x41 = 'A', 0xe9 = 'é'.
    assert_eq!(string(r#"v = "\x41\xe9""#), "A\u{e9}");
}

#[test]
fn hex_escape_in_multi_line_basic_string() {
    assert_eq!(string("v = \"\"\"\\x7a\"\"\""), "z");
}

#[test]
fn escape_e_is_the_escape_character() {
    // TOML 1.1: "\e" is U+001B.
    assert_eq!(string(r#"v = "a\eb""#), "a\u{1b}b");
}

#[test]
fn literal_string_keeps_backslash_x() {
    // Literal strings have no escapes in any version: four characters.
    assert_eq!(string(r#"v = '\x41'"#), "\\x41");
}

#[test]
fn multi_line_inline_table_with_trailing_comma() {
    let t = value("v = {\n  a = \"1\",\n  b = \"2\",\n}\n");
    assert_eq!(
        t,
        Tree::Table(vec![
            ("a".into(), Tree::Str("1".into())),
            ("b".into(), Tree::Str("2".into()))
        ])
    );
}

#[test]
fn inline_table_may_hold_comments_between_lines() {
    let t = value("v = { # first\n  a = \"1\", # one\n}\n");
    assert_eq!(t, Tree::Table(vec![("a".into(), Tree::Str("1".into()))]));
}

#[test]
fn time_without_seconds_is_a_date_time() {
    // TOML 1.1: seconds are optional; the value is a time, which no schema accepts.
    assert_eq!(value("v = 07:32"), Tree::Other("a date-time"));
}

#[test]
fn offset_date_time_without_seconds_is_a_date_time() {
    assert_eq!(value("v = 1979-05-27T07:32Z"), Tree::Other("a date-time"));
}

#[test]
fn claim_file_in_toml_1_1_syntax_reads_as_its_1_0_spelling() {
    // The same instance written with a TOML 1.0 table and with a TOML 1.1 multi-line inline table
    // (trailing comma, a "\x32" for "2"): the kernel's verdicts must be identical.
    let claims = "[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"2\", \"0\"]\n\
                  dual = \"1/2\"\nslack = [\"0\", \"1/2\"]\n";
    let v10 = format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"1\"]\ny = \"4\"\n{claims}"
    );
    let v11 = format!(
        "version = 2\ninstance = {{\n  model = \"shared\",\n  x = [\"\\x32\", \"1\"],\n  \
         y = \"4\",\n}}\n{claims}"
    );
    let a = check_text("a.claim.toml", &v10).unwrap();
    let b = check_text("a.claim.toml", &v11).unwrap();
    assert_eq!(a.verdicts, b.verdicts);
    assert_eq!(a.verified(), 1, "{a:?}");
}

// ---- invalid in TOML 1.0 and in 1.1: refused -----------------------------------------------

#[test]
fn hex_escape_with_one_digit_is_refused() {
    refused(r#"v = "\x4""#);
}

#[test]
fn hex_escape_with_a_non_hex_digit_is_refused() {
    refused(r#"v = "\xg0""#);
}

#[test]
fn unknown_escape_is_refused() {
    refused(r#"v = "\q""#);
}

#[test]
fn short_unicode_escape_is_refused() {
    refused(r#"v = "\u12""#);
}

#[test]
fn surrogate_unicode_escape_is_refused() {
    // TOML: \uXXXX must be a Unicode scalar value; U+D800 is a surrogate.
    refused(r#"v = "\ud800""#);
}

#[test]
fn inline_table_with_two_trailing_commas_is_refused() {
    refused("v = { a = \"1\",, }");
}

#[test]
fn inline_table_of_only_a_comma_is_refused() {
    refused("v = { , }");
}

#[test]
fn inline_table_extended_afterwards_is_refused() {
    // Inline tables are complete where they stand (1.0 and 1.1).
    refused("v = { a = \"1\" }\nv.b = \"2\"\n");
}

#[test]
fn hour_24_is_refused() {
    refused("v = 24:00");
}

#[test]
fn time_without_minutes_is_refused() {
    // 1.1 makes the seconds optional, never the minutes (and `07` is no integer either: a
    // leading zero).
    refused("v = 07");
}

#[test]
fn duplicate_toml_key_is_refused() {
    refused("v = \"1\"\nv = \"2\"\n");
}

// ---- JSON: RFC 8259, duplicate keys refused --------------------------------------------------

#[test]
fn json_duplicate_key_is_refused() {
    let e = parse_text("t.json", r#"{"v": "1", "v": "2"}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate key `v`"), "{e}");
}

#[test]
fn json_trailing_comma_is_refused() {
    refused_json(r#"{"v": "1",}"#);
}

#[test]
fn json_comment_is_refused() {
    refused_json("{\"v\": \"1\" // no comments in RFC 8259\n}");
}

#[test]
fn json_single_quotes_are_refused() {
    refused_json("{'v': '1'}");
}

#[test]
fn json_leading_zero_is_refused() {
    refused_json(r#"{"v": 01}"#);
}

#[test]
fn json_nan_is_refused() {
    refused_json(r#"{"v": NaN}"#);
}

#[test]
fn json_lone_surrogate_is_refused() {
    refused_json(r#"{"v": "\ud800"}"#);
}

#[test]
fn json_hex_escape_is_refused() {
    // `\x` is TOML 1.1, not JSON.
    refused_json(r#"{"v": "\x41"}"#);
}

#[test]
fn json_surrogate_pair_is_one_code_point() {
    // RFC 8259 §7: "\ud834\udd1e" is U+1D11E.
    assert_eq!(
        parse_text("t.json", r#"{"v": "\ud834\udd1e"}"#).unwrap(),
        Tree::Table(vec![("v".into(), Tree::Str("\u{1d11e}".into()))])
    );
}
