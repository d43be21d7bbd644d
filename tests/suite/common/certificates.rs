//! Float matrices, exact copies and the kernel's verdict on an eigenvalue certificate: shared
//! by the suites of the binary64 sharpness routes.

use dlncheck::numeric::rational::{Q, from_f64_exact};
use dlncheck::spectra::certified::{self as sharpness, MaxCertificate};
use serde_json::Value;

/// The exact rationals of a float matrix.
pub fn exact(h: &[Vec<f64>]) -> Vec<Vec<Q>> {
    h.iter()
        .map(|r| r.iter().map(|x| from_f64_exact(*x).unwrap()).collect())
        .collect()
}

/// −m.
pub fn negated(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.iter().map(|x| -x).collect()).collect()
}

/// The kernel on a file holding the `lambda-max` claim of `c` on `h`, with `edit` applied to
/// the claim object first.
pub fn kernel_check(
    h: &[Vec<Q>],
    c: &MaxCertificate,
    edit: impl Fn(&mut serde_json::Map<String, Value>),
) -> Result<dlncheck_kernel::Report, dlncheck_kernel::Error> {
    let mut claim = serde_json::to_value(sharpness::claim(h, c)).unwrap();
    edit(claim.as_object_mut().unwrap());
    let file = serde_json::json!({"version": 2, "claim": [claim]});
    dlncheck_kernel::check_text("t.json", &file.to_string())
}

/// Whether the kernel verifies the claim of `c` on `h`.
pub fn kernel_accepts(h: &[Vec<Q>], c: &MaxCertificate) -> bool {
    kernel_check(h, c, |_| {}).is_ok_and(|r| r.passed())
}

/// The claim of `c` on `h` with `edit` applied, checked by the kernel: `Some(true)` verified,
/// `Some(false)` rejected, `None` malformed.
pub fn kernel_on_edited(
    h: &[Vec<Q>],
    c: &MaxCertificate,
    edit: impl Fn(&mut serde_json::Map<String, Value>),
) -> Option<bool> {
    kernel_check(h, c, edit).ok().map(|r| r.passed())
}
