//! Wrong proofs fed to the kernel, one way of being wrong each: the attacks that fooled the first
//! generation (issue 9) and the schema rules of FORMAT.md. Every expected verdict is derived by
//! hand in the comment beside it.

use dlncheck_kernel::{Outcome, Report, check_text};

fn report(name: &str, text: &str) -> Report {
    check_text(name, text).unwrap_or_else(|e| panic!("{name}: unexpectedly malformed: {e}"))
}

/// The file is malformed, and the one-line message mentions `needle`.
fn malformed(name: &str, text: &str, needle: &str) {
    match check_text(name, text) {
        Ok(r) => panic!("{name}: expected malformed ({needle}), got {r:?}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(needle),
                "{name}: `{msg}` should mention `{needle}`"
            );
            assert!(!msg.contains('\n'), "{name}: one line: {msg:?}");
            assert!(msg.starts_with(name), "{name}: names the file: {msg}");
        }
    }
}

fn rejected(name: &str, text: &str, needle: &str) {
    let r = report(name, text);
    let reasons: Vec<&str> = r
        .verdicts
        .iter()
        .filter_map(|v| {
            if let Outcome::Rejected(s) = &v.outcome {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect();
    assert!(
        reasons.iter().any(|s| s.contains(needle)),
        "{name}: expected a rejection mentioning `{needle}`, got {r:?}"
    );
    assert!(!r.passed());
}

/// x = (2, 1), y = 4: min N = 2 at β = (2, 0) with λ = 1/2; inf S = 16 at β = (0, 4), λ = 4.
const T1: &str = "version = 2\nexpect = [\"min-norm\", \"min-sharpness\"]\n[instance]\nmodel = \"shared\"\nx = [\"2\", \"1\"]\ny = \"4\"\n\
[[claim]]\nkind = \"min-norm\"\nvalue = \"2\"\nbeta = [\"2\", \"0\"]\ndual = \"1/2\"\n\
[[claim]]\nkind = \"min-sharpness\"\nvalue = \"16\"\nbeta = [\"0\", \"4\"]\ndual = \"4\"\n";

#[test]
fn the_reference_file_passes() {
    let r = report("t1.toml", T1);
    assert!(r.passed(), "{r:?}");
    assert_eq!(r.verified(), 2);
}

#[test]
fn a_renamed_claim_table_is_malformed() {
    // Renaming `[[claim]]` to `[[claim_]]` (the attack that passed as "6 verified"): an unknown key.
    malformed(
        "renamed.toml",
        &T1.replacen(
            "[[claim]]\nkind = \"min-sharpness\"",
            "[[claim_]]\nkind = \"min-sharpness\"",
            1,
        ),
        "claim_",
    );
}

#[test]
fn a_deleted_claim_fails_its_expect_list() {
    let cut = &T1[..T1.rfind("[[claim]]").unwrap()];
    let r = report("deleted.toml", cut);
    assert_eq!(r.verified(), 1);
    assert!(r.expect_mismatch().is_some() && !r.passed());
}

#[test]
fn reordered_claims_fail_their_expect_list() {
    let swapped = T1.replace(
        "expect = [\"min-norm\", \"min-sharpness\"]",
        "expect = [\"min-sharpness\", \"min-norm\"]",
    );
    assert!(!report("swapped.toml", &swapped).passed());
}

#[test]
fn an_expect_list_naming_no_kind_is_malformed() {
    malformed(
        "expect.toml",
        &T1.replace("\"min-sharpness\"]", "\"min-sharpnes\"]"),
        "expect[1]",
    );
}

#[test]
fn a_misspelled_claim_key_is_malformed() {
    malformed(
        "misspelled.toml",
        &T1.replace("dual = \"4\"", "daul = \"4\""),
        "claim[1].daul",
    );
}

#[test]
fn a_misspelled_top_level_key_is_malformed() {
    malformed(
        "top.toml",
        &T1.replace("version = 2", "version = 2\ntitel = \"x\""),
        "titel",
    );
}

#[test]
fn a_misspelled_instance_key_is_malformed() {
    malformed(
        "inst.toml",
        &T1.replace(
            "y = \"4\"",
            "y = \"4\"\n[instance.population]\ncovarianse = \"identity\"",
        ),
        "instance.population.covarianse",
    );
}

#[test]
fn a_duplicate_toml_key_is_malformed() {
    malformed(
        "dup.toml",
        &T1.replace("dual = \"4\"", "dual = \"4\"\ndual = \"4\""),
        "line",
    );
}

#[test]
fn a_duplicate_json_key_is_malformed() {
    malformed(
        "dup.json",
        r#"{"version": 2, "version": 2, "claim": []}"#,
        "duplicate key `version`",
    );
}

#[test]
fn a_toml_float_where_a_rational_string_belongs_is_malformed() {
    malformed(
        "float.toml",
        &T1.replace("dual = \"4\"", "dual = 4.0"),
        "claim[1].dual",
    );
}

#[test]
fn a_toml_integer_where_a_rational_string_belongs_is_malformed() {
    malformed(
        "int.toml",
        &T1.replace("dual = \"4\"", "dual = 4"),
        "claim[1].dual",
    );
}

#[test]
fn an_unknown_claim_kind_is_malformed() {
    malformed(
        "kind.toml",
        &T1.replace("kind = \"min-sharpness\"", "kind = \"min-sharpnes\""),
        "unknown claim kind",
    );
}

#[test]
fn an_old_format_version_is_malformed() {
    malformed(
        "version.toml",
        &T1.replace("version = 2", "version = 1"),
        "version",
    );
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    malformed("syntax.toml", &T1.replace("y = \"4\"", "y = \"4"), "line 6");
}

/// A non-canonical number in a claim file is malformed, with the reason named.
fn non_canonical(text: &str, why: &str) {
    malformed(
        &format!("n{why}.toml"),
        &T1.replace("dual = \"4\"", &format!("dual = \"{text}\"")),
        why,
    );
}

#[test]
fn a_fraction_not_in_lowest_terms_is_malformed() {
    non_canonical("4/2", "lowest terms");
}

#[test]
fn a_decimal_in_a_claim_file_is_malformed() {
    non_canonical("0.5", "canonical");
}

#[test]
fn an_exponent_in_a_claim_file_is_malformed() {
    non_canonical("1e100000", "canonical");
}

#[test]
fn a_plus_sign_is_malformed() {
    non_canonical("+4", "canonical");
}

#[test]
fn a_negative_zero_is_malformed() {
    non_canonical("-0", "canonical");
}

#[test]
fn a_leading_zero_is_malformed() {
    non_canonical("04", "canonical");
}

#[test]
fn a_denominator_of_one_is_malformed() {
    non_canonical("4/1", "canonical");
}

#[test]
fn a_leading_space_is_malformed() {
    non_canonical(" 4", "canonical");
}

#[test]
fn a_number_over_the_size_limit_is_refused_quickly() {
    let long = "9".repeat(10_001);
    let start = std::time::Instant::now();
    malformed(
        "long.toml",
        &T1.replace("dual = \"4\"", &format!("dual = \"{long}\"")),
        "exceeds the limit",
    );
    assert!(start.elapsed().as_secs() < 5, "refused quickly");
}

#[test]
fn y_zero_at_several_points_is_malformed_before_any_claim() {
    // y = 0 in the several-points form (the input that panicked `check`).
    malformed(
        "y0.toml",
        "version = 2\n[instance]\nmodel = \"shared\"\nX = [[\"2\", \"1\"]]\ny = [\"0\"]\n[[claim]]\nkind = \"t2-min-norm\"\nbeta = [\"0\", \"0\"]\nvalue = \"0\"\ndual = [\"0\"]\nslack = [\"1\", \"1\"]\n",
        "y = 0",
    );
}

#[test]
fn an_empty_p_is_malformed_before_any_claim() {
    // P empty: x_i·y < 0 for every i.
    malformed(
        "p.toml",
        &T1.replace("y = \"4\"", "y = \"-1\""),
        "P is empty",
    );
}

#[test]
fn a_ragged_x_is_malformed_before_any_claim() {
    // Ragged X.
    malformed(
        "ragged.toml",
        "version = 2\n[instance]\nmodel = \"shared\"\nX = [[\"2\", \"1\"], [\"1\"]]\ny = [\"1\", \"1\"]\n[[claim]]\nkind = \"t2-min-norm\"\nbeta = [\"0\", \"0\"]\nvalue = \"0\"\ndual = [\"0\", \"0\"]\nslack = [\"1\", \"1\"]\n",
        "X[1]",
    );
}

#[test]
fn an_empty_x_is_malformed_before_any_claim() {
    // Empty X.
    malformed(
        "empty.toml",
        "version = 2\n[instance]\nmodel = \"shared\"\nX = []\ny = []\n[[claim]]\nkind = \"t2-min-norm\"\nbeta = []\nvalue = \"0\"\ndual = []\nslack = []\n",
        "dimensions",
    );
}

/// x = (1, 2), one atom β* = (1, 1) (discrete) or the same moments.
const T1G_HEAD: &str =
    "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"1\", \"2\"]\ny = \"1\"\n";

#[test]
fn unrealisable_priors_and_bad_populations_are_malformed() {
    let claim = "[[claim]]\nkind = \"bayes\"\nvalue = \"0\"\n";
    // A second moment that is not PSD gave a negative expected squared error that verified.
    let not_psd = format!(
        "{T1G_HEAD}[instance.teacher]\nkind = \"moments\"\nmean = [\"0\", \"0\"]\nsecond_moment = [[\"1\", \"2\"], [\"2\", \"1\"]]\n{claim}"
    );
    malformed("m2.toml", &not_psd, "instance.teacher.second_moment");
    // PSD but with a negative entry: E[β*_0 β*_1] < 0 is impossible for β* ≥ 0.
    let negative = format!(
        "{T1G_HEAD}[instance.teacher]\nkind = \"moments\"\nmean = [\"0\", \"0\"]\nsecond_moment = [[\"1\", \"-1/2\"], [\"-1/2\", \"1\"]]\n{claim}"
    );
    malformed("neg.toml", &negative, "instance.teacher.second_moment");
    // M2 − mmᵀ not PSD: mean 2 with E[β*²] = 1 violates Var ≥ 0.
    let mean = format!(
        "{T1G_HEAD}[instance.teacher]\nkind = \"moments\"\nmean = [\"2\", \"0\"]\nsecond_moment = [[\"1\", \"0\"], [\"0\", \"1\"]]\n{claim}"
    );
    malformed("mean.toml", &mean, "instance.teacher.mean");
    // Weights that do not sum to 1, a zero weight, a negative atom, a zero atom.
    for (atoms, field) in [
        (
            "{ weight = \"1/2\", beta = [\"1\", \"1\"] }",
            "instance.teacher.atoms",
        ),
        (
            "{ weight = \"0\", beta = [\"1\", \"1\"] }, { weight = \"1\", beta = [\"1\", \"0\"] }",
            "instance.teacher.atoms[0].weight",
        ),
        (
            "{ weight = \"1\", beta = [\"1\", \"-1\"] }",
            "instance.teacher.atoms[0].beta[1]",
        ),
        (
            "{ weight = \"1\", beta = [\"0\", \"0\"] }",
            "instance.teacher.atoms[0].beta",
        ),
    ] {
        malformed(
            "atoms.toml",
            &format!(
                "{T1G_HEAD}[instance.teacher]\nkind = \"discrete\"\natoms = [{atoms}]\n{claim}"
            ),
            field,
        );
    }
    // Σ not positive definite, and x ≤ 0 under a teacher.
    let atoms = "[instance.teacher]\nkind = \"discrete\"\natoms = [{ weight = \"1\", beta = [\"1\", \"1\"] }]\n";
    malformed(
        "sigma.toml",
        &format!(
            "{T1G_HEAD}{atoms}[instance.population]\ncovariance = [[\"1\", \"1\"], [\"1\", \"1\"]]\n{claim}"
        ),
        "instance.population.covariance",
    );
    malformed(
        "x.toml",
        &format!(
            "{}{atoms}{claim}",
            T1G_HEAD
                .replace("\"1\", \"2\"", "\"-1\", \"2\"")
                .replace("y = \"1\"", "y = \"2\"")
        ),
        "instance.x[0]",
    );
}

/// Ties: x = (1, 1, 2), one atom (1, 1, 0), Σ = I. E(c) = A|c|² − 2bᵀc + 2 with A = 4,
/// b = (2, 2, 0). Min-norm face {2}: c = (0, 0, 1/2), E = 4·1/4 + 2 = 3; g = 8c − 2b =
/// (−4, −4, 4), ν = g_2/x_2 = 2, μ = 0. Min-sharpness face {0, 1}: the best point is c =
/// (1/2, 1/2, 0) (β = y·c = the teacher), E = 4·1/2 − 2·2 + 2 = 0, g = (0, 0, 0), ν = 0.
/// One segment {0, 1, 2}: the same point, E* = 0, t = x_0c_0 + x_1c_1 = 1.
fn ties(
    end: &str,
    sharp_c: &str,
    sharp_value: &str,
    sharp_nu: &str,
    sharp_mu: &str,
    star: &str,
) -> String {
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"1\", \"1\", \"2\"]\ny = \"2\"\n[instance.teacher]\nkind = \"discrete\"\natoms = [{{ weight = \"1\", beta = [\"1\", \"1\", \"0\"] }}]\n\
[[claim]]\nkind = \"end-optimal\"\nend = \"{end}\"\nvalue = \"{star}\"\nsegment = 0\nt = \"1\"\nc = {sharp_c}\nmargin_norm = \"3\"\nmargin_sharpness = \"0\"\n\
min_norm = {{ value = \"3\", c = [\"0\", \"0\", \"1/2\"], nu = \"2\", mu = [\"-4\", \"-4\", \"0\"] }}\n\
min_sharpness = {{ value = \"{sharp_value}\", c = {sharp_c}, nu = \"{sharp_nu}\", mu = {sharp_mu} }}\n\
segments = [{{ value = \"{star}\", c = {sharp_c}, nu = \"{sharp_nu}\", mu = {sharp_mu} }}]\n"
    )
}

#[test]
fn a_tied_end_is_judged_on_its_whole_face() {
    let good = ties(
        "min-sharpness",
        "[\"1/2\", \"1/2\", \"0\"]",
        "0",
        "0",
        "[\"0\", \"0\", \"0\"]",
        "0",
    );
    // The min-norm face certificate lists μ off its support, which must be 0: the file above is
    // wrong there on purpose; the right one has μ = 0 off {2}.
    rejected("mu-off-face.toml", &good, "must be 0 off the face");
    let good = good.replace("mu = [\"-4\", \"-4\", \"0\"]", "mu = [\"0\", \"0\", \"0\"]");
    assert!(report("ties.toml", &good).passed());
    // The first generation's verdict: the lowest-index vertex e_0 of the min-sharpness face
    // (c = (1, 0, 0), E = 4 − 4 + 2 = 2) as "min-sharpness"; it is not the face minimum: at
    // c = (1, 0, 0), g = (4, −4, 0), and μ_1 = g_1 − ν·x_1 = −4 − 4 < 0 with ν = 4.
    let vertex = good.replace("min_sharpness = { value = \"0\", c = [\"1/2\", \"1/2\", \"0\"], nu = \"0\", mu = [\"0\", \"0\", \"0\"] }", "min_sharpness = { value = \"2\", c = [\"1\", \"0\", \"0\"], nu = \"4\", mu = [\"0\", \"-8\", \"0\"] }");
    rejected("vertex.toml", &vertex, "min_sharpness: mu[1] < 0");
    // Claiming min-norm is the optimal end.
    rejected(
        "end.toml",
        &good.replace("end = \"min-sharpness\"", "end = \"min-norm\""),
        "not exactly the optimal end",
    );
    // And neither-bias is false here.
    let nb = good.replace(
        "kind = \"end-optimal\"\nend = \"min-sharpness\"\n",
        "kind = \"neither-bias\"\n",
    );
    rejected("nb.toml", &nb, "min-sharpness is optimal");
}

#[test]
fn a_false_enclosure_is_rejected() {
    // H = [[2, 1], [1, 2]] has λ_max = 3. Claiming [3, 5/2]… is impossible (hi < lo); claiming
    // λ_max ≤ 5/2 by "definite" fails since 5/2·I − H has a negative eigenvalue (−1/2).
    let base = "version = 2\n[[claim]]\nkind = \"lambda-max\"\nmatrix = [[\"2\", \"1\"], [\"1\", \"2\"]]\nlower = \"witness\"\nupper = \"definite\"\nv = [\"1\", \"1\"]\nwitness_norm2 = \"2\"\n";
    assert!(
        report(
            "ok.toml",
            &format!("{base}lo = \"3\"\nhi = \"3\"\nhi_minus_lo = \"0\"\nwitness_value = \"0\"\n")
        )
        .passed()
    );
    rejected(
        "hi.toml",
        &format!("{base}lo = \"5/2\"\nhi = \"5/2\"\nhi_minus_lo = \"0\"\nwitness_value = \"1\"\n"),
        "not PSD",
    );
    // An unused certificate key (Kato–Temple's μ with the definite route) is malformed.
    malformed(
        "unused.toml",
        &format!(
            "{base}lo = \"3\"\nhi = \"3\"\nhi_minus_lo = \"0\"\nwitness_value = \"0\"\nmu = \"1\"\n"
        ),
        "claim[0].mu",
    );
}

#[test]
fn norm_claims_on_deep_models_are_rejected() {
    // shared-depth, D = 3: N = Σw_i² = Σ|β_i|^{2/3} is not a·‖β‖₁, so the LP certificate of
    // `t2-min-norm` proves nothing there (β = (1, 0) has Σ|β|^{2/3} = 1, but so does any split).
    let text = "version = 2\n[instance]\nmodel = \"shared-depth\"\ndepth = 3\nX = [[\"1\", \"1\"]]\ny = [\"1\"]\n[[claim]]\nkind = \"t2-min-norm\"\nbeta = [\"1\", \"0\"]\nvalue = \"1\"\ndual = [\"1\"]\nslack = [\"0\", \"0\"]\nslack_neg = [\"2\", \"2\"]\n";
    rejected("deep.toml", text, "no norm linear in β");
    malformed(
        "depth.toml",
        &text.replace(
            "model = \"shared-depth\"\ndepth = 3",
            "model = \"shared\"\ndepth = 3",
        ),
        "depth",
    );
}

/// A `lambda-max` claim file on a binary64 matrix (rows of rational strings) with `extra` keys.
fn float_claim(matrix: &[&[&str]], keys: &str) -> String {
    let rows: Vec<String> = matrix
        .iter()
        .map(|r| {
            format!(
                "[{}]",
                r.iter()
                    .map(|x| format!("\"{x}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!(
        "version = 2\n[[claim]]\nkind = \"lambda-max\"\nmatrix = [{}]\n{keys}",
        rows.join(", ")
    )
}

// H = [[1/2, b], [b, 1/2]] has eigenvalues 1/2 ± b. With b = 1/2: λ_max = 1 (eigenvector (1, 1),
// ρ = 1, so lo = 1 has witness_value (ρ − lo)·vᵀv = 0). hi = 1 + 2^−30: the kernel's shift is
// c = 2^−48 (the power of two ≥ 2(E₀ + ‖F‖) ≈ 26·2^−53), so B̃ = hi·I − H − c·I =
// [[1/2 + 2^−30 − 2^−48, −1/2], [−1/2, …]] (exact doubles) has λ_min = 2^−30 − 2^−48 > 0.
const HI: &str = "1073741825/1073741824";
const DEFINITE: &str = "lo = \"1\"\nhi = \"1073741825/1073741824\"\nhi_minus_lo = \"1/1073741824\"\nlower = \"witness\"\nupper = \"definite-cholesky\"\nv = [\"1\", \"1\"]\nwitness_norm2 = \"2\"\n";

#[test]
fn a_verified_float_cholesky_bound_is_accepted_and_one_ulp_across_it_is_rejected() {
    let ok = float_claim(
        &[&["1/2", "1/2"], &["1/2", "1/2"]],
        &format!("{DEFINITE}witness_value = \"0\"\n"),
    );
    let r = report("float-ok.toml", &ok);
    assert!(r.passed(), "{r:?}");
    // b = 1/2 + 2^−30 + 2^−53 (a binary64: the ulp at 1/2 is 2^−53) puts λ_max = 1 + 2^−30 + 2^−53
    // half an ulp of hi above hi = 1 + 2^−30: hi·I − H has eigenvalue −2^−53, so no certificate
    // may pass (ρ = λ_max, witness_value = (ρ − 1)·2 = 2^−29 + 2^−52).
    let b = "4503599635759105/9007199254740992";
    let moved = float_claim(
        &[&["1/2", b], &[b, "1/2"]],
        &format!("{DEFINITE}witness_value = \"8388609/4503599627370496\"\n"),
    );
    rejected("float-moved.toml", &moved, "did not run to completion");
    // hi one ulp (2^−52) below λ_max = 1 of the original matrix, with any shift: rejected.
    let low = ok.replace(HI, "4503599627370495/4503599627370496").replace(
        "hi_minus_lo = \"1/1073741824\"",
        "hi_minus_lo = \"-1/4503599627370496\"",
    );
    rejected("float-low.toml", &low, "hi < lo");
    let low = low
        .replace("lo = \"1\"", "lo = \"1/2\"")
        .replace(
            "hi_minus_lo = \"-1/4503599627370496\"",
            "hi_minus_lo = \"2251799813685247/4503599627370496\"",
        )
        .replace("witness_value = \"0\"", "witness_value = \"1\"");
    rejected("float-low2.toml", &low, "did not run to completion");
}

// H = diag(2, 1, 0): λ₁ = 2 with v = e₁ exact (ρ = 2, ε² = 0); μ = 3/2, and the kernel's
// deflation w = v, α = 2(ρ − μ)/vᵀv = 1 make B = μI − H + α·wwᵀ = diag(1/2, 1/2, 3/2) ⪰ 0, so
// λ₂ ≤ μ and Kato–Temple gives λ_max ≤ ρ = 2.
const KT: &str = "lo = \"2\"\nhi = \"2\"\nhi_minus_lo = \"0\"\nlower = \"witness\"\nupper = \"kato-temple-cholesky\"\nv = [\"1\", \"0\", \"0\"]\nwitness_norm2 = \"1\"\nwitness_value = \"0\"\nmu = \"3/2\"\nrayleigh = \"2\"\nresidual = \"0\"\nupper_slack = \"0\"\n";

fn kt(h11: &str, mu: &str) -> String {
    float_claim(
        &[&["2", "0", "0"], &["0", h11, "0"], &["0", "0", "0"]],
        &KT.replace("mu = \"3/2\"", &format!("mu = \"{mu}\"")),
    )
}

#[test]
fn a_kato_temple_gap_by_float_cholesky_and_its_attacks() {
    let r = report("kt-ok.toml", &kt("1", "3/2"));
    assert!(r.passed(), "{r:?}");
    // λ₂ moved one ulp above μ (3/2 + 2^−52): μI − H + α·wwᵀ has eigenvalue −2^−52.
    rejected(
        "kt-gap.toml",
        &kt("6755399441055745/4503599627370496", "3/2"),
        "did not run to completion",
    );
    // μ = λ₂ = 1 (with upper_slack unchanged): B = diag(1, 0, 1) has no room for the shift.
    rejected("kt-mu.toml", &kt("1", "1"), "did not run to completion");
    // A matrix entry that is not a binary64 number (1/3) cannot go the float route.
    rejected("kt-third.toml", &kt("1/3", "3/2"), "not a binary64");
    // The shift and the deflation are the kernel's: keys for them are malformed, and so are the
    // Kato–Temple keys with the definite route.
    malformed(
        "kt-shift.toml",
        &format!("{}shift = \"0\"\n", kt("1", "3/2")),
        "shift",
    );
    malformed(
        "kt-keys.toml",
        &kt("1", "3/2").replace("kato-temple-cholesky", "definite-cholesky"),
        "mu",
    );
}

/// A one-point `gd-limit` claim on x = (1, 1) at η = 1/8 from α·1 (with y = 2, r₀ = 2α² − 2).
fn gd_claim(alpha: &str, steps: u64, rho: &str) -> String {
    format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [\"1\", \"1\"]\ny = \"2\"\n[instance.init]\nalpha = \"{alpha}\"\n\
         [[claim]]\nkind = \"gd-limit\"\nlr = \"1/8\"\nsteps = {steps}\nbits = 64\nq = \"1/2\"\nrho = \"{rho}\"\n\
         beta = [{{ lo = \"1\", hi = \"1\" }}, {{ lo = \"1\", hi = \"1\" }}]\nnorm = {{ lo = \"2\", hi = \"2\" }}\n\
         sharpness = {{ lo = \"8\", hi = \"8\" }}\neos_margin = {{ lo = \"8\", hi = \"8\" }}\n"
    )
}

/// Work-limit attack: the starting point already fits (α = 1: r₀ = 2 − 2 = 0). The exact GD
/// stays at β = (1, 1), so ρ = 0, c = 0, 2δ = 0, L = U = 1, N = 2, S = 4·(1 + 1) = 8 and
/// 2/η − S = 16 − 8 = 8: every pinned value holds, and 1 000 steps must be checked (the zero's
/// exponent used to double each step: 20 s at 30 steps, then an abort).
#[test]
fn a_zero_starting_residual_is_checked_quickly() {
    let r = report("zero.toml", &gd_claim("1", 1000, "0"));
    assert!(r.passed(), "{r:?}");
}

/// Work-limit attack: η·S(β∞) = 1 (η = 1/8, S = 8 at β∞ = (1, 1)), where r_k vanishes faster
/// than geometrically (φ = 1 − ηs + 4η²ru → 0). From α = 1/2 the residual is not 0 after 20 000
/// steps of interval arithmetic, so the claimed ρ = 0 is wrong: rejected, and the residual's
/// exponent stays above the floor instead of falling by a growing amount each step.
#[test]
fn a_super_geometric_residual_is_rejected_not_run_for_hours() {
    rejected(
        "quad.toml",
        &gd_claim("1/2", 20_000, "0"),
        "rho is 0, the kernel computes",
    );
}

/// Work-limit attack: T1-G with d = 20 000 under Σ = identity. The `dense` measure is
/// d²·(1 atom + 3 faces + 3) + 1 = 2.8·10⁹ > 5·10⁶: malformed before any d × d matrix exists.
#[test]
fn t1g_with_a_huge_dimension_is_refused_before_it_starts() {
    let d = 20_000;
    let ones = vec!["\"1\""; d].join(", ");
    let zeros = vec!["\"0\""; d].join(", ");
    let text = format!(
        "version = 2\n[instance]\nmodel = \"shared\"\nx = [{ones}]\ny = \"1\"\n[instance.teacher]\n\
         kind = \"discrete\"\natoms = [{{ weight = \"1\", beta = [{ones}] }}]\n[[claim]]\n\
         kind = \"best-linear\"\nvalue = \"0\"\nnu = \"0\"\nc = [{zeros}]\nmu = [{zeros}]\n"
    );
    malformed(
        "t1g.toml",
        &text,
        "needs dense work 2800000001, over the limit",
    );
}

/// Work-limit attack: an exact `lambda-max` claim on a 300 × 300 matrix of small integers (it
/// ran past 120 s). Entries "1"/"-1" have ⌈10/3⌉ + 1 = 5 or ⌈20/3⌉ + 1 = 8 text bits, lo/hi
/// "-9"/"9" at most 8: b = 8 + 8 + 1 = 17, and each of the two LDLᵀs costs
/// 300⁵·20·84/64 = 6.4·10¹³ > 6·10¹⁰: malformed, naming the `ldl` measure.
#[test]
fn an_exact_lambda_max_of_side_300_is_refused_before_it_starts() {
    let n = 300;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let row: Vec<&str> = (0..n)
                .map(|j| if (i + j) % 2 == 0 { "\"1\"" } else { "\"-1\"" })
                .collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    let text = format!(
        "version = 2\n[[claim]]\nkind = \"lambda-max\"\nlower = \"inertia\"\nupper = \"definite\"\n\
         lo = \"-9\"\nhi = \"9\"\nhi_minus_lo = \"18\"\nmatrix = [{}]\n",
        rows.join(", ")
    );
    malformed("lambda.toml", &text, "needs ldl work");
}

/// Work-limit attack: one admitted GD claim repeated. One run costs K·d·(w² + S/16) with
/// K = 10⁵, d = 2, w = 1, S = 4·(11 + 2 + 2) + 3 + 2·(64 + 2048) + 4096 = 8 383 (bits of the
/// texts "1/8", "1", "1" and of y = 2), so 10⁵·2·(1 + 523) = 1.048·10⁸ ≤ 6·10⁸; 200 copies
/// (2.1·10¹⁰) are over the file's limit though each alone is under it.
#[test]
fn repeated_claims_share_one_budget() {
    let one = gd_claim("1", 100_000, "0");
    let claim = &one[one.find("[[claim]]").unwrap()..];
    let text = format!("{one}{}", claim.repeat(199));
    malformed("many.toml", &text, "needs gd work");
}

/// A `gf-limit` claim written by `dlncheck flow FILE --certify --width 1e-6 --claim OUT` for
/// X = [[1, 2, 1/2], [0, 1, 3]], y = (2, 3), α = 1/2 (`shared`): the flow's limit is
/// β∞ ≈ (0.3371, 0.6343, 0.7886) (X·β∞ = y to the digits shown: 0.3371 + 1.2686 + 0.3943 = 2,
/// 0.6343 + 2.3657 = 3), N ≈ 1.7600, S ≈ 17.567. Each attack below changes one thing; every
/// changed claim is false (or unproved by its certificate) and must be rejected.
const GF: &str = r#"expect = ["gf-limit"]
title = "gradient-flow limit, n = 2, d = 3"
version = 2

[[claim]]
bits = 67
c = [["1963073923949489/4503599627370496", "-4979553843334005/36028797018963968"], ["-4979553843334005/36028797018963968", "6238956201114161/36028797018963968"]]
kind = "gf-limit"
nu = ["176489027892751919959/590295810358705651712", "98310348222060517411/295147905179352825856"]

[[claim.beta]]
hi = "24875214965883514337/73786976294838206464"
lo = "199001719727022866905/590295810358705651712"

[[claim.beta]]
hi = "93605726701512412685/147573952589676412928"
lo = "187211453402982258321/295147905179352825856"

[[claim.beta]]
hi = "14546505461148631577/18446744073709551616"
lo = "232744087378325185249/295147905179352825856"

[[claim.box]]
hi = "176489027892751920013/590295810358705651712"
lo = "176489027892751919905/590295810358705651712"

[[claim.box]]
hi = "24577587055515129357/73786976294838206464"
lo = "49155174111030258697/147573952589676412928"

[[claim.diag]]
hi = "24875214965883514337/73786976294838206464"
lo = "199001719727022866905/590295810358705651712"

[[claim.diag]]
hi = "93605726701512412685/147573952589676412928"
lo = "187211453402982258321/295147905179352825856"

[[claim.diag]]
hi = "14546505461148631577/18446744073709551616"
lo = "232744087378325185249/295147905179352825856"

[claim.norm]
hi = "259728200322468493975/147573952589676412928"
lo = "259728200322409438511/147573952589676412928"

[claim.sharpness]
hi = "36840653/2097152"
lo = "81013451597209927679/4611686018427387904"

[instance]
X = [["1", "2", "1/2"], ["0", "1", "3"]]
model = "shared"
y = ["2", "3"]

[instance.init]
alpha = "1/2"
"#;

#[test]
fn the_gf_limit_reference_passes() {
    let r = report("gf.toml", GF);
    assert!(r.passed(), "{r:?}");
}

#[test]
fn a_gf_limit_box_shrunk_off_the_root_is_rejected() {
    // V_0 of radius 54·2^−69 around ν̃_0 shrunk to radius 2·2^−69: |C·F(ν̃)|_0 is about a quarter
    // of the original radius, so the root leaves the box and K ⊄ int V.
    let text = GF
        .replace(
            "176489027892751920013/590295810358705651712",
            "176489027892751919961/590295810358705651712",
        )
        .replace(
            "176489027892751919905/590295810358705651712",
            "176489027892751919957/590295810358705651712",
        );
    rejected("gf.toml", &text, "Krawczyk");
}

#[test]
fn a_gf_limit_box_not_holding_nu_is_rejected() {
    // V_0 moved up by its width: ν̃_0 is no longer in V_0 (the mean-value form needs ν̃ ∈ V).
    let text = GF
        .replace(
            "176489027892751920013/590295810358705651712",
            "176489027892751920121/590295810358705651712",
        )
        .replace(
            "176489027892751919905/590295810358705651712",
            "176489027892751920013/590295810358705651712",
        );
    rejected("gf.toml", &text, "nu[0] is not in box[0]");
}

#[test]
fn a_gf_limit_with_a_wrong_c_is_rejected() {
    // C = I instead of ≈ J⁻¹: I − C·J(V) has entries of size ‖J‖ ≈ 3, so K is far wider than V.
    let start = GF.find("c = [[").unwrap();
    let end = start + GF[start..].find('\n').unwrap();
    let text = format!(
        "{}c = [[\"1\", \"0\"], [\"0\", \"1\"]]{}",
        &GF[..start],
        &GF[end..]
    );
    rejected("gf.toml", &text, "Krawczyk");
}

#[test]
fn a_moved_gf_limit_beta_box_is_rejected() {
    // β_0 ∈ [0.33713…, 0.33713…] moved to [its hi, 1]: it no longer contains the kernel's box.
    let text = GF.replacen(
        "lo = \"199001719727022866905/590295810358705651712\"",
        "lo = \"24875214965883514337/73786976294838206464\"",
        1,
    );
    let text = text.replacen(
        "hi = \"24875214965883514337/73786976294838206464\"",
        "hi = \"1\"",
        1,
    );
    rejected("gf.toml", &text, "beta[0]");
}

#[test]
fn a_moved_gf_limit_diag_box_is_rejected() {
    // diag_2 = β_2 for `shared`; its lower end raised to its upper end.
    let text = GF.replace(
        "lo = \"232744087378325185249/295147905179352825856\"",
        "lo = \"14546505461148631577/18446744073709551616\"",
    );
    rejected("gf.toml", &text, "beta[2]");
}

#[test]
fn a_shrunk_gf_limit_norm_is_rejected() {
    // N ∈ [1.75998674403, 1.75998674404] claimed as the point hi: Σ lo diag is below it.
    let text = GF.replace(
        "lo = \"259728200322409438511/147573952589676412928\"",
        "lo = \"259728200322468493975/147573952589676412928\"",
    );
    rejected("gf.toml", &text, "norm");
}

#[test]
fn a_gf_limit_sharpness_hi_below_lambda_max_is_rejected() {
    // S ≈ 17.567: hi = 17 < λ_max(A(hi diag)), so 17·I − A is not PSD.
    let text = GF.replace("hi = \"36840653/2097152\"", "hi = \"17\"");
    rejected("gf.toml", &text, "sharpness.hi");
}

#[test]
fn a_gf_limit_sharpness_lo_above_lambda_max_is_rejected() {
    // lo = 18 > S ≈ 17.567: 18·I − A(lo diag) is PSD, so λ_max > lo is not shown.
    let text = GF.replace(
        "lo = \"81013451597209927679/4611686018427387904\"",
        "lo = \"18\"",
    );
    rejected("gf.toml", &text, "sharpness.lo");
}

#[test]
fn a_gf_limit_on_an_altered_label_is_rejected() {
    // y_1 = 3 → 31/10: F(ν̃) ≈ (0, −1/10), far outside what V can absorb.
    let text = GF.replace("y = [\"2\", \"3\"]", "y = [\"2\", \"31/10\"]");
    rejected("gf.toml", &text, "Krawczyk");
}

#[test]
fn a_gf_limit_on_an_altered_model_is_rejected() {
    // `pm` from α·1 has a = b = 1/4, β = (e^z − e^{−z})/4: another F, whose root is elsewhere.
    let text = GF.replace("model = \"shared\"", "model = \"pm\"");
    rejected("gf.toml", &text, "Krawczyk");
}

#[test]
fn a_gf_limit_on_an_altered_start_is_rejected() {
    // α = 1/2 → 1/3: a = 1/9 instead of 1/4, so β(ν̃) and F(ν̃) move.
    let text = GF.replace("alpha = \"1/2\"", "alpha = \"1/3\"");
    rejected("gf.toml", &text, "Krawczyk");
}

#[test]
fn a_gf_limit_without_init_is_rejected() {
    let text = GF.replace("\n[instance.init]\nalpha = \"1/2\"", "");
    rejected("gf.toml", &text, "needs `init`");
}

#[test]
fn a_gf_limit_with_bits_out_of_range_is_malformed() {
    malformed("gf.toml", &GF.replace("bits = 67", "bits = 5000"), "bits");
}

/// T1-G (SPEC §3) is about one data point. A teacher is allowed at n > 1 points (the `X` form:
/// SPEC §5.4's float learner), so the validator no longer refuses the file below; the claim
/// kinds must. Here the T1-G file t1g-d2-min-sharpness-exact gets its point written twice as
/// `X` (two equal rows): every T1 and T1-G claim is rejected.
#[test]
fn a_t1g_claim_on_several_points_is_rejected() {
    let text = include_str!("../../proofs/t1g-d2-min-sharpness-exact.claim.toml").replace(
        "x = [\"2\", \"1\"]\ny = \"1\"",
        "X = [[\"2\", \"1\"], [\"2\", \"1\"]]\ny = [\"1\", \"1\"]",
    );
    assert!(text.contains("X = [["), "the instance was rewritten");
    let r = report("t1g-many.toml", &text);
    assert_eq!(r.verified(), 0, "{r:?}");
    rejected("t1g-many.toml", &text, "T1-G claims need one data point");
}

/// The shipped n > 1 `gd-limit` claim (FORMAT.md §4.10): shared, n = 4, d = 10, η = 1/50.
const GD_POINTS: &str = include_str!("../../proofs/t2/gd-limit-sparse-flow.claim.toml");

/// GD_POINTS with the first line starting with `key = ` replaced by `key = value`.
fn gd_points_with(key: &str, value: &str) -> String {
    let prefix = format!("{key} = ");
    let mut done = false;
    GD_POINTS
        .lines()
        .map(|l| {
            if !done && l.starts_with(&prefix) {
                done = true;
                format!("{prefix}{value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_shipped_several_point_gd_limit_passes() {
    assert!(report("gd-points", GD_POINTS).passed());
}

#[test]
fn a_shrunk_several_point_beta_box_is_rejected() {
    // beta[0] = [lo, hi] is pinned to the kernel's box; lo moved up to hi shrinks it to a point.
    let hi = GD_POINTS.lines().find(|l| l.starts_with("hi = ")).unwrap();
    let text = gd_points_with("lo", &hi["hi = ".len()..]);
    rejected("gd-points-beta", &text, "the kernel computes");
}

#[test]
fn a_changed_rate_of_a_several_point_claim_is_rejected() {
    // η = 1/49 runs another trajectory: its ρ at K = 1488 is not the claimed one.
    rejected("gd-points-lr", &gd_points_with("lr", "\"1/49\""), "rho is");
}

#[test]
fn an_altered_label_of_a_several_point_claim_is_rejected() {
    // y_0 = 3 → 7/2: the exact GD runs on other data, so ρ differs.
    let text = GD_POINTS.replace("y = [\"3\",", "y = [\"7/2\",");
    assert_ne!(text, GD_POINTS);
    rejected("gd-points-y", &text, "rho is");
}

#[test]
fn a_too_small_q_of_a_several_point_claim_is_rejected() {
    // q = 1/2 < |1 − ηℓ| ≈ 0.977: the contraction is not proved.
    rejected("gd-points-q", &gd_points_with("q", "\"1/2\""), "q ≥ max");
}

#[test]
fn a_too_small_rho_of_a_several_point_claim_is_rejected() {
    // ρ is pinned to the kernel's bound of ‖r_K‖; a smaller one would shrink every δ_i.
    rejected(
        "gd-points-rho",
        &gd_points_with("rho", "\"1/1000000000000000000\""),
        "rho is",
    );
}

#[test]
fn a_changed_step_count_of_a_several_point_claim_is_rejected() {
    // K = 1489 re-runs one more step of the reference and the radius: ρ changes.
    rejected(
        "gd-points-steps",
        &gd_points_with("steps", "1489"),
        "rho is",
    );
}

#[test]
fn a_too_large_ell_of_a_several_point_claim_is_rejected() {
    // ℓ = 2 is above λ_min of (4/n)X D_lo Xᵀ ≈ 1.148, and |1 − ηℓ| = 0.96 ≤ q still holds: only
    // the exact LDLᵀ of M(D_lo) − ℓI can reject it.
    rejected("gd-points-ell", &gd_points_with("ell", "\"2\""), "ℓI ⪯");
}

#[test]
fn a_too_small_u_of_a_several_point_claim_is_rejected() {
    // u = 16 is below λ_max of (4/n)X D_hi Xᵀ ≈ 16.36: the LDLᵀ of uI − M(D_hi) has a negative pivot.
    rejected("gd-points-u", &gd_points_with("u", "\"16\""), "⪯ uI");
}

#[test]
fn a_sharpness_bound_below_the_limit_is_rejected() {
    // S(θ∞) ≈ 16.3614: hi = 16 is not an upper bound (and eos_margin is pinned to hi).
    let at = GD_POINTS.find("[claim.sharpness]").unwrap();
    let end = GD_POINTS[at..]
        .find("\n\n")
        .map_or(GD_POINTS.len(), |e| at + e);
    let block = "[claim.sharpness]\nhi = \"16\"\nlo = \"15\"";
    let text = format!("{}{}{}", &GD_POINTS[..at], block, &GD_POINTS[end..]);
    rejected("gd-points-sharpness", &text, "S ≤ 16");
}

#[test]
fn a_loose_u_of_a_several_point_claim_is_rejected() {
    // u = 17 is a true but loose bound (λ_max ≈ 16.36 and |ηu − 1| = 0.66 ≤ q): u is pinned within
    // 2^-16 of λ_max of (4/n)X D_hi Xᵀ, so the weaker text is rejected.
    rejected(
        "gd-points-loose-u",
        &gd_points_with("u", "\"17\""),
        "pinned",
    );
}
