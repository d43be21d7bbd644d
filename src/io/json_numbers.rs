//! Plain JSON numbers read exactly, one rule for every JSON input (matrices, estimate lists,
//! `--theta` lists): serde_json would parse a number to an f64 by its own (best-effort) rounding,
//! so the text of each plain number is kept instead, marked ([`mark_json_numbers`]), and
//! [`parse_entry`] reads an integer exactly and a float (a `.`, `e` or `E`) as the binary64
//! value it denotes, correctly rounded from its decimal text.

use crate::numeric::rational::{Q, from_f64_exact, parse_q};

/// The marker [`mark_json_numbers`] puts before a plain JSON number's text.
const NUMBER_MARK: char = '\u{1}';

/// Rewrites the plain numbers of JSON text as marked strings; refuses `NaN`, `Infinity` and
/// other bare words. Returns the text and the number of floats.
pub fn mark_json_numbers(text: &str) -> std::result::Result<(String, usize), String> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let (mut i, mut last, mut floats) = (0, 0, 0);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let token = &text[start..i];
                if token == "-" && text[i..].starts_with("Infinity") {
                    return Err("`-Infinity` is not a number: every entry must be finite".into());
                }
                floats += usize::from(token.contains(['.', 'e', 'E']));
                out.push_str(&text[last..start]);
                out.push_str(&format!("\"\\u0001{token}\""));
                last = i;
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && b[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let word = &text[start..i];
                if !matches!(word, "true" | "false" | "null") {
                    return Err(format!(
                        "`{word}` is not a JSON number (NaN and Infinity are not numbers: every entry must be finite)"
                    ));
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[last.min(text.len())..]);
    Ok((out, floats))
}

/// Reads a number of a file read by `io::matrix::read_exact_tree`: a marked plain JSON float as its exact
/// binary64 value (refused beyond the binary64 range), a marked integer exactly, and a string as
/// an exact rational or decimal ([`parse_q`]).
pub fn parse_entry(text: &str) -> std::result::Result<Q, String> {
    match text.strip_prefix(NUMBER_MARK) {
        Some(t) if t.contains(['.', 'e', 'E']) => {
            let q = parse_q(t)?;
            let f = <f64 as crate::numeric::scalar::Scalar>::from_q(&q, &());
            match from_f64_exact(f) {
                Some(v) if f.is_finite() => Ok(v),
                _ => Err(format!(
                    "the JSON float {t} lies beyond the binary64 range (±1.8e308): not a finite number"
                )),
            }
        }
        Some(t) => parse_q(t),
        None => parse_q(text),
    }
}

/// Whether a string of a tree read from marked text was a plain JSON number (not a string).
pub fn is_plain_number(text: &str) -> bool {
    text.starts_with(NUMBER_MARK)
}
