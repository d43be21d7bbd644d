//! `cargo run --release --example coq_generate -- -o DIR FILES...`: write the Coq checks of the
//! claim files into DIR (what `dlncheck coq FILES... -o DIR` does once the CLI is wired).
use std::path::PathBuf;

fn main() {
    let mut out: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-o" {
            out = args.next().map(PathBuf::from);
        } else {
            files.push(PathBuf::from(a));
        }
    }
    let Some(out) = out else {
        eprintln!("usage: coq_generate -o DIR CLAIM...");
        std::process::exit(2);
    };
    match dlncheck::coq::generate(&files, &out) {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
