//! Properties of every shipped spec through the interpreter and the generated code (256 cases each by default; set
//! PROPTEST_CASES to change). Failures are persisted in conformance/proptest-regressions/.

use payspec_conformance::{properties, Interpreted};
use std::path::Path;

#[test]
fn every_property_holds_for_every_shipped_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    let regressions = root.join("conformance/proptest-regressions");
    std::fs::create_dir_all(&regressions).unwrap();
    let mut failures = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root.join("specs")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let spec = payspec_model::load_str(&path.display().to_string(), &text).unwrap();
        let generated = payspec_conformance::bundled::generated_for(&spec.provider, &text).expect("bundled");
        let creds = payspec_conformance::check::dummy_credentials(&spec);
        for r in properties::run(&spec, &creds, &[&Interpreted(&spec), generated], cases, Some(&regressions)) {
            match &r.failure {
                None => println!("ok   {}.{}: {}", spec.provider, r.target, r.property),
                Some(f) => {
                    println!("FAIL {}.{}: {}: {f}", spec.provider, r.target, r.property);
                    failures.push(format!("{}.{}: {}: {f}", spec.provider, r.target, r.property));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} propert(ies) failed:\n{}", failures.len(), failures.join("\n"));
}
