//! Signature coverage of every shipped spec, computed by mutation and pinned in
//! `conformance/expected/coverage.txt` (regenerate with `UPDATE_EXPECT=1`), so a spec change that
//! widens or narrows what the signatures protect is noticed.

use std::path::Path;

#[test]
fn signature_coverage_matches_the_pinned_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut report = String::new();
    let mut names: Vec<_> = std::fs::read_dir(root.join("specs")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let spec = payspec_spec::load_file(&path).unwrap();
        let creds = payspec_conformance::check::dummy_credentials(&spec);
        for c in payspec_conformance::coverage::all(&spec, &creds, 24) {
            report.push_str(&format!("{}.{c}\n", spec.provider));
        }
    }
    let expected_file = root.join("conformance/expected/coverage.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(expected_file.parent().unwrap()).unwrap();
        std::fs::write(&expected_file, &report).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
    assert_eq!(report, expected, "signature coverage changed; review and rerun with UPDATE_EXPECT=1");
}
