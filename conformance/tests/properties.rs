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
