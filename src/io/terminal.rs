//! Honest terminal output: text echoed from input (a claim's kind, a key, a path, a value) is
//! escaped before it reaches a terminal, so a file cannot move the cursor, clear the screen,
//! start a new line or reorder what is shown, e.g. paint a fake "2 of 2 claims verified" line.
//!
//! [`escape`] is applied once, at the printing boundary: to every line the commands print on
//! standard output (the `out!` macro), to every error line of the binary (`main`) and to the
//! notes and errors of `check`. JSON output needs nothing: serde escapes every control character,
//! and the bidi controls below are printed as themselves inside a quoted string, where a JSON
//! reader sees them as data.

use std::borrow::Cow;

/// Whether `c` is escaped: C0 controls (U+0000–U+001F, including tab and newline), DEL, C1
/// controls (U+0080–U+009F), the Unicode bidi embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), the bidi marks (U+200E, U+200F, U+061C) and the line and
/// paragraph separators (U+2028, U+2029).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{61c}'
        | '\u{2028}' | '\u{2029}')
}

/// `s` with every [`is_unsafe`] character written as a visible escape: `\n`, `\r`, `\t`, and
/// `\u{XX}` for the others (Rust's notation, hexadecimal code point). Everything else, including
/// backslashes and non-ASCII letters, is kept, so the result of a clean string is the string
/// itself (borrowed) and escaping twice changes nothing.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
