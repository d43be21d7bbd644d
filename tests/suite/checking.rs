//! `dlncheck check` as a whole: the kernel's faster variants (kernel/src/fast/) switched off by
//! `--plain` give the same verdicts, claim by claim, as the default.

use crate::common::run;
use serde_json::Value;

fn verdicts(args: &[&str]) -> (i32, Value) {
    let out = run(args);
    let json: Value = serde_json::from_slice(&out.stdout).expect("check --json prints JSON");
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn plain_and_fast_kernels_agree_on_every_shipped_claim() {
    let root = env!("CARGO_MANIFEST_DIR");
    let proofs = format!("{root}/proofs");
    let (fast_code, fast) = verdicts(&["check", "--json", &proofs]);
    let (plain_code, plain) = verdicts(&["check", "--json", "--plain", &proofs]);
    assert_eq!(fast_code, 0, "{fast}");
    assert_eq!(plain_code, fast_code);
    assert_eq!(
        plain, fast,
        "the plain kernel's verdicts differ from the fast kernel's"
    );
}

#[test]
fn plain_kernel_rejects_what_the_fast_kernel_rejects() {
    // The float route of proofs/sharpness/float64-sym60 with μ moved below the second
    // eigenvalue's certificate: both kernels must reject it, with the same status.
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/proofs/sharpness/float64-sym60.claim.toml"))
        .expect("shipped claim");
    let mu_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("mu = "))
        .expect("a mu");
    let tampered = text.replacen(mu_line, "mu = \"0\"", 1);
    let dir = crate::common::temp_dir("plain-reject");
    let file = dir.join("tampered.claim.toml");
    std::fs::write(&file, tampered).expect("write");
    let file = file.to_str().expect("utf-8");
    let (fast_code, fast) = verdicts(&["check", "--json", file]);
    let (plain_code, plain) = verdicts(&["check", "--json", "--plain", file]);
    assert_eq!(fast_code, 1, "{fast}");
    assert_eq!(plain_code, 1, "{plain}");
    assert_eq!(plain, fast);
}
