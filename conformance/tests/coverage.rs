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
        let spec = payspec_model::load_file(&path).unwrap();
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

/// The two-field shifting mutation finds a concat whose parts can trade characters, and finds
/// nothing where a separator or fixed widths keep the parts apart.
#[test]
fn shifting_mutation_reports_ambiguous_pairs() {
    let spec = payspec_model::load_str(
        "shift.yaml",
        r#"
provider: shift
title: Shift
environments: { sandbox: https://x.test }
credentials: { key: { secret: true } }
operations:
  concat:
    method: POST
    path: /a
    request:
      id: { type: string, required: true, pattern: '^[a-z0-9]{1,12}$' }
      amount: { type: string, required: true, pattern: '^[0-9]{1,9}$' }
    sign:
      provenance: { source: test, confidence: inferred }
      message: { concat: [cred:key, id, amount] }
      digest: { alg: md5 }
      encode: hex
      place: body.checksum
  separated:
    method: POST
    path: /b
    request:
      id: { type: string, required: true, pattern: '^[a-z0-9]{1,12}$' }
      amount: { type: string, required: true, pattern: '^[0-9]{1,9}$' }
    sign:
      provenance: { source: test, confidence: inferred }
      message: { join: "|", parts: [cred:key, id, amount] }
      digest: { alg: md5 }
      encode: hex
      place: body.checksum
  fixed:
    method: POST
    path: /c
    request:
      id: { type: string, required: true, pattern: '^[a-z0-9]{12}$' }
      amount: { type: string, required: true, pattern: '^[0-9]{1,9}$' }
    sign:
      provenance: { source: test, confidence: inferred }
      message: { concat: [cred:key, id, amount] }
      digest: { alg: md5 }
      encode: hex
      place: body.checksum
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let creds = payspec_conformance::check::dummy_credentials(&spec);
    let concat = payspec_conformance::coverage::operation(&spec, "concat", &creds, 24);
    assert_eq!(concat.ambiguous, [("id".to_string(), "amount".to_string())], "{concat}");
    assert!(concat.to_string().ends_with("; ambiguous: id↔amount"), "{concat}");
    for op in ["separated", "fixed"] {
        let c = payspec_conformance::coverage::operation(&spec, op, &creds, 24);
        assert!(c.ambiguous.is_empty(), "{c}");
        assert!(c.unprotected.is_empty(), "{c}");
    }
}
