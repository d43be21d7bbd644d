//! The fast reader of flat TOML (`instance::parse_flat_toml`) against the `toml` crate: wherever
//! the fast reader answers, the two trees are equal; on the files `dlncheck random` writes and on
//! the shipped instances it does answer.

use dlncheck::io::instance::{JsonTree, parse_flat_toml, parse_tree};
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;

fn by_toml(text: &str) -> Option<Value> {
    toml::from_str::<Value>(text).ok()
}

/// Text pieces that are valid in some places and invalid or outside the fast subset in others.
fn chunk() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "1/2", "-3", "0.125", "", " ", "\t", "#", "=", "a b", "é", "\\", "\\n", "\"", "'", ",",
        "[", "]", "\u{1}", "\u{7f}", "x", "1e-3",
    ])
    .prop_map(str::to_string)
}

fn string_literal() -> impl Strategy<Value = String> {
    prop::collection::vec(chunk(), 0..4).prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn blank() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "  ", "\t", " \t "]).prop_map(str::to_string)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        string_literal(),
        (
            prop::collection::vec((blank(), string_literal(), blank()), 0..5),
            any::<bool>(),
            blank()
        )
            .prop_map(|(items, trailing, b)| {
                let body: Vec<String> = items
                    .into_iter()
                    .map(|(a, s, c)| format!("{a}{s}{c}"))
                    .collect();
                format!(
                    "[{b}{}{}]",
                    body.join(","),
                    if trailing && !body.is_empty() {
                        ","
                    } else {
                        ""
                    }
                )
            }),
        prop::sample::select(vec![
            "3",
            "1.5",
            "true",
            "[1, 2]",
            "{ a = \"1\" }",
            "\"1\" # c",
            "[\"1\",\n\"2\"]",
            "'lit'",
            "[\"1\" \"2\"]",
            "[,\"1\"]"
        ])
        .prop_map(str::to_string),
    ]
}

fn line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "model", "x", "y", "depth", "a-b_1", "\"q\"", "a.b", "", "x y",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        6 => (blank(), key, blank(), blank(), value(), blank()).prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}={c}{v}{d}")),
        1 => prop::sample::select(vec!["", "# a comment", "  # x = [\"1\"]", "[init]", "[[claim]]", "\r", "#\u{1}"]).prop_map(str::to_string),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..6), any::<bool>())
        .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn where_the_fast_reader_answers_it_agrees_with_toml(text in document()) {
        if let Some(fast) = parse_flat_toml(&text) {
            prop_assert_eq!(Some(fast.to_json()), by_toml(&text), "text: {:?}", text);
        }
    }
}

#[test]
fn the_fast_reader_reads_random_instances_and_shipped_files() {
    for (model, d) in [("shared", 50), ("uv", 7), ("pm", 1)] {
        let tree = dlncheck::numeric::random::instance(&dlncheck::numeric::random::Spec {
            model: model.into(),
            d,
            bits: 64,
            seed: 3,
            positive: false,
        });
        let text = dlncheck::io::claims::render(Path::new("r.toml"), &tree).unwrap();
        assert_eq!(
            parse_flat_toml(&text).map(|t| t.to_json()).as_ref(),
            Some(&tree),
            "{model}: the flat form of `dlncheck random`"
        );
        assert_eq!(by_toml(&text).as_ref(), Some(&tree));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/instances");
    let mut answered = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(fast) = parse_flat_toml(&text) {
            assert_eq!(Some(fast.to_json()), by_toml(&text), "{}", path.display());
            answered += 1;
        }
        assert_eq!(
            parse_tree("f.toml", &text).ok().map(|t| t.to_json()),
            by_toml(&text),
            "{}: parse_tree reads like toml",
            path.display()
        );
    }
    assert!(
        answered >= 4,
        "the shipped flat instances take the fast path ({answered})"
    );
}

#[test]
fn hand_picked_texts() {
    let agree = [
        "model = \"shared\"\nx = [\"1\", \"2\",]\ny = \"3\"\n",
        "x=[]",
        "  x = [ \"a\" , \"b\" ]  \r\n# done\n",
        "k = \"#=[]\"",
    ];
    for text in agree {
        assert_eq!(
            parse_flat_toml(text).map(|t| t.to_json()),
            by_toml(text),
            "{text:?}"
        );
        assert!(
            parse_flat_toml(text).is_some(),
            "{text:?} is in the fast subset"
        );
    }
    // Outside the subset: the fast reader declines and the TOML parser decides.
    for text in [
        "x = \"a\\tb\"",
        "x = [\"1\",\n\"2\"]",
        "x = \"1\" # c",
        "x = \"1\"\nx = \"2\"",
        "[init]\nalpha = \"1\"",
        "x = 3",
        "\u{feff}x = \"1\"",
    ] {
        assert_eq!(parse_flat_toml(text), None, "{text:?}");
    }
}
