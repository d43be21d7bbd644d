//! Fuzzes the kernel over claim files: any bytes, read as TOML and as JSON. The kernel must
//! answer (a report or a one-line error) and never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for name in ["f.claim.toml", "f.claim.json"] {
            match dlncheck_kernel::check_text(name, text) {
                Ok(report) => {
                    let _ = report.passed();
                }
                Err(e) => assert!(!e.to_string().contains('\n'), "one-line error"),
            }
        }
    }
});
