//! Properties of every shipped spec through the interpreter and the generated code (256 cases each by default; set
//! PROPTEST_CASES to change). Failures are persisted in conformance/proptest-regressions/.
//!
//! An operation signed with RSA compares both paths' complete signed requests (every stage, the
//! RSA signature included, then verified and tampered with) on [`RSA_CASES`] cases — each case is
//! one RSA-2048 private-key operation per path — and has the interpreter compute every string to
//! sign, RSA-free, on all the cases. Its "any input" property and the RSA callback round trip
//! (signed, verified and forged on both paths) keep every case.
//!
//! One test per spec, so the test harness runs the specs in parallel; `every_shipped_spec_has_a_test`
//! keeps the list complete.

use payspec_conformance::properties::{self, Cases};
use payspec_conformance::Interpreted;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Cases of "valid inputs sign identically on every path" for an RSA-signed operation.
const RSA_CASES: u32 = 32;

/// Every property of `specs/<name>.yaml` on both signing paths.
fn every_property_holds(name: &str) {
    let root = root();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    let regressions = root.join("conformance/proptest-regressions");
    std::fs::create_dir_all(&regressions).unwrap();
    let mut failures = Vec::new();
    let path = root.join("specs").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = payspec_model::load_str(&path.display().to_string(), &text).unwrap();
    let generated = payspec_conformance::bundled::generated_for(&spec.provider, &text).expect("bundled");
    let creds = payspec_conformance::check::dummy_credentials(&spec);
    let cases = Cases { cases, rsa: RSA_CASES.min(cases) };
    let results = properties::run_with(&spec, &creds, &[&Interpreted(&spec), generated], cases, Some(&regressions));
    assert!(!results.is_empty(), "{name}: no property ran");
    for r in results {
        match &r.failure {
            None => println!("ok   {}.{}: {}", spec.provider, r.target, r.property),
            Some(f) => {
                println!("FAIL {}.{}: {}: {f}", spec.provider, r.target, r.property);
                failures.push(format!("{}.{}: {}: {f}", spec.provider, r.target, r.property));
            }
        }
    }
    assert!(failures.is_empty(), "{} propert(ies) failed:\n{}", failures.len(), failures.join("\n"));
}

/// The specs with a test below.
const TESTED: &[&str] = &["appotapay", "bbmsl", "hitechpay", "ninepay", "vietqr"];

#[test]
fn every_shipped_spec_has_a_test() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, TESTED, "add a `#[test]` below (and to TESTED) for each spec in specs/");
}

#[test]
fn every_property_holds_for_appotapay() {
    every_property_holds("appotapay");
}

#[test]
fn every_property_holds_for_bbmsl() {
    every_property_holds("bbmsl");
}

#[test]
fn every_property_holds_for_hitechpay() {
    every_property_holds("hitechpay");
}

#[test]
fn every_property_holds_for_ninepay() {
    every_property_holds("ninepay");
}

#[test]
fn every_property_holds_for_vietqr() {
    every_property_holds("vietqr");
}

/// `payspec check` signs every property case on the interpreter and on generated code. With the
/// check's credentials (`dummy_credentials`) that is one RSA private-key operation per case, not one per
/// path: the second path gets the remembered signature of the same message, and a different message on
/// either path is still signed on its own (and caught as a difference).
#[test]
fn the_check_credentials_sign_one_rsa_message_once_across_both_paths() {
    use payspec::crypto::rsa_private_key_operations as ops;
    use payspec_conformance::{default_env, Path as _};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("specs/bbmsl.yaml")).unwrap();
    let spec = payspec_model::load_str("bbmsl.yaml", &text).unwrap();
    let generated = payspec_conformance::bundled::generated_for(&spec.provider, &text).expect("bundled");
    let interp = Interpreted(&spec);
    let clock = payspec::Clock::from_secs(1_700_000_000);
    let input = |amount: &str| {
        serde_json::json!({"merchantId": "3", "orderId": "42", "amount": amount}).as_object().unwrap().clone()
    };
    let sign_both = |creds: &payspec::Credentials, amount: &str| {
        let before = ops();
        let a = interp.sign("refund", &input(amount), creds, default_env(&spec), clock).unwrap();
        let b = generated.sign("refund", &input(amount), creds, default_env(&spec), clock).unwrap();
        assert_eq!(a, b, "both paths sign the same request");
        (a, ops() - before)
    };

    let memo = payspec_conformance::check::dummy_credentials(&spec);
    let (first, n) = sign_both(&memo, "1.00");
    assert_eq!(n, 1, "one RSA operation for both paths");
    let (second, n) = sign_both(&memo, "2.00");
    assert_eq!(n, 1, "a new message is signed anew");
    assert_ne!(first.stage("sign").unwrap().signature, second.stage("sign").unwrap().signature);

    // The same key in plain credentials (as a vector's): one operation per path.
    let plain = payspec::Credentials::from_json(
        &spec,
        &serde_json::json!({
            "private_key": payspec_conformance::check::TEST_PRIVATE_KEY,
            "gateway_public_key": payspec_conformance::check::TEST_PUBLIC_KEY,
        }),
    )
    .unwrap();
    let (again, n) = sign_both(&plain, "1.00");
    assert_eq!(n, 2);
    assert_eq!(again, first, "deterministic: a remembered signature is the one a new signature gives");
}
