//! `payspec check` and `payspec verify` tell the truth: a target no passing vector checks is
//! unverified (not ✓), vectors are found next to the spec wherever the command runs, and a refused
//! payload still shows its string to sign. Each test builds a small project in a temporary folder.
//!
//! Expected MACs were computed with Python: `hmac.new(b"k", b"r1|100", "sha256").hexdigest()` and
//! `hmac.new(b"k", b"hello", "sha256").hexdigest()`.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REFUND_MAC: &str = "240a62858a48f3d78047630e0724d82dd27e5f05342ede95d2de30c61ffec33c";
const HELLO_MAC: &str = "406e4b43f87095aa86ca6299d25e875921fefa180f02043bb29bec5681c0c2d0";

/// A spec with one signed operation and one callback, published only in `production`.
const SPEC: &str = r#"provider: mini
title: Mini
environments: { production: https://mini.test }
credentials: { key: { secret: true } }
operations:
  refund:
    method: POST
    path: /refund
    request:
      id: { type: string, required: true, pattern: '^[a-z0-9]{2}$' }
      amount: { type: integer, required: true, min: 1 }
    sign:
      provenance: { source: test, confidence: inferred }
      message: { join: "|", parts: [id, amount] }
      digest: { alg: hmac-sha256, key: cred:key }
      encode: hex
      place: body.mac
callbacks:
  ipn:
    fields: { data: { type: string, required: true }, mac: { type: string, required: true } }
    verify:
      provenance: { source: test, confidence: inferred }
      message: data
      digest: { alg: hmac-sha256, key: cred:key }
      encode: hex
      place: body.mac
"#;

fn refund_vector(id: &str) -> Value {
    json!({
        "id": id, "provider": "mini", "target": { "operation": "refund" },
        "provenance": { "kind": "computed", "source": "hmac-sha256(key, id|amount)", "tool": "Python hmac" },
        "credentials": { "key": "k" },
        "input": { "id": "r1", "amount": 100 },
        "expected": { "string_to_sign": "r1|100", "signature": REFUND_MAC, "url": "https://mini.test/refund" }
    })
}

fn ipn_vector(id: &str) -> Value {
    json!({
        "id": id, "provider": "mini", "target": { "callback": "ipn" },
        "provenance": { "kind": "computed", "source": "hmac-sha256(key, data)", "tool": "Python hmac" },
        "credentials": { "key": "k" },
        "input": { "data": "hello", "mac": HELLO_MAC },
        "expected": { "string_to_sign": "hello" }
    })
}

/// A fresh project folder: `specs/mini.yaml` and `vectors/mini/` with the given vectors.
fn project(name: &str, vectors: &[Value], known_failures: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::write(dir.join("specs/mini.yaml"), SPEC).unwrap();
    if !vectors.is_empty() || !known_failures.is_empty() {
        std::fs::create_dir_all(dir.join("vectors/mini")).unwrap();
    }
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        std::fs::write(dir.join(format!("vectors/mini/{id}.json")), v.to_string()).unwrap();
    }
    if !known_failures.is_empty() {
        std::fs::write(dir.join("vectors/mini/known-failures.txt"), known_failures).unwrap();
    }
    dir
}

/// Run `payspec` in `cwd`.
fn payspec(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec")).args(args).current_dir(cwd).output().expect("payspec runs")
}

fn check(cwd: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let report = cwd.join("report.md");
    let mut args = vec!["check", "--cases", "4", "--report", report.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = payspec(cwd, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let md = std::fs::read_to_string(&report).unwrap_or_default();
    (out.status.code(), stdout, md + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_fully_covered_spec_passes_in_an_environment_other_than_sandbox() {
    let dir = project("covered", &[refund_vector("mini-refund"), ipn_vector("mini-ipn")], "");
    let (code, out, md) = check(&dir, &[]);
    assert_eq!(code, Some(0), "{out}{md}");
    assert!(out.contains("mini: lint ok · vectors 2 passed, 0 known failures, 0 failed (interpreter only"), "{out}");
    assert!(out.contains("generated code exists only for the specs bundled at build time"), "{out}");
    assert!(out.contains("· ✓"), "{out}");
    assert!(out.contains("operation refund                 ✓"), "{out}");
    assert!(out.contains("callback ipn                     ✓"), "{out}");
}

#[test]
fn targets_without_a_passing_vector_are_unverified_and_fail_unless_allowed() {
    // The refund's only vector is a known failure; the callback has none.
    let mut wrong = refund_vector("mini-refund-doc");
    wrong["expected"]["signature"] = json!("00".repeat(32));
    let dir = project("unverified", &[wrong], "mini-refund-doc: made with an unpublished key\n");
    let (code, out, md) = check(&dir, &[]);
    assert_eq!(code, Some(1), "{out}{md}");
    assert!(out.contains("vectors 0 passed, 1 known failures, 0 failed"), "{out}");
    assert!(out.contains("· 2 unverified · ?"), "{out}");
    assert!(
        out.contains("operation refund                 ? unverified: all 1 of its vectors are known failures"),
        "{out}"
    );
    assert!(out.contains("callback ipn                     ? unverified: no vectors"), "{out}");
    assert!(md.contains("| mini | callback ipn | ? unverified: no vectors |"), "{md}");
    assert!(md.contains("2 target(s) unverified"), "{md}");

    let (code, out, _) = check(&dir, &["--allow-unverified"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("? unverified"), "still shown: {out}");
}

#[test]
fn vectors_are_found_next_to_the_spec_from_any_directory_or_where_told() {
    let dir = project("elsewhere", &[refund_vector("mini-refund"), ipn_vector("mini-ipn")], "");
    let spec = dir.join("specs/mini.yaml");
    let elsewhere = std::env::temp_dir();
    let (code, out, _) = check(&elsewhere, &[spec.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("vectors 2 passed"), "{out}");

    // An explicit folder wins; one without this provider's vectors says where it looked.
    let empty = dir.join("no-vectors-here");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, out, _) = check(&elsewhere, &[spec.to_str().unwrap(), "--vectors", empty.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("vectors: none found in {}", empty.join("mini").display())), "{out}");
    let (code, out, _) =
        check(&elsewhere, &[spec.to_str().unwrap(), "--vectors", dir.join("vectors").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_failing_verify_vector_names_the_differing_stage_with_both_values() {
    let mut v = ipn_vector("mini-ipn");
    v["expected"]["string_to_sign"] = json!("hellp");
    let dir = project("verify-stage", &[refund_vector("mini-refund"), v], "");
    let (code, out, md) = check(&dir, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            r#"vector mini-ipn [interpreter]: stage `string_to_sign` differs: expected "hellp", computed "hello""#
        ),
        "{out}"
    );
    assert!(md.contains("stage `string_to_sign` differs"), "{md}");
    assert!(out.contains("vectors 1 passed, 0 known failures, 1 failed"), "{out}");
}

#[test]
fn a_vector_for_a_missing_recipe_says_what_to_set() {
    let spec = SPEC.replace("    sign:\n      provenance: { source: test, confidence: inferred }\n      message: { join: \"|\", parts: [id, amount] }\n      digest: { alg: hmac-sha256, key: cred:key }\n      encode: hex\n      place: body.mac\n", "    auth: basic\n")
        .replace("operations:\n", "recipes:\n  basic:\n    provenance: { source: test, confidence: inferred }\n    message: { join: \":\", parts: [lit:u, cred:key] }\n    encode: base64\n    place: { header: Authorization, template: \"Basic {signature}\" }\noperations:\n");
    let dir = project("stage", &[refund_vector("mini-refund"), ipn_vector("mini-ipn")], "");
    std::fs::write(dir.join("specs/mini.yaml"), &spec).unwrap();
    let (code, out, _) = check(&dir, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("vector `stage`: expected operation `refund` to have a `sign` recipe (the vector's `stage`, default `sign`); its recipes are: auth:basic; add `\"stage\": \"auth\"` to the vector"),
        "{out}"
    );
}

#[test]
fn verify_explains_a_refused_callback_and_checks_signed_responses() {
    let dir = project("verify", &[], "");
    let creds = dir.join("creds.json");
    std::fs::write(&creds, r#"{"key": "k"}"#).unwrap();
    let forged = dir.join("forged.json");
    std::fs::write(&forged, json!({"data": "hellp", "mac": HELLO_MAC}).to_string()).unwrap();
    let args = |payload: &Path| {
        vec![
            "verify".to_string(),
            "specs/mini.yaml".into(),
            "ipn".into(),
            "--payload".into(),
            payload.display().to_string(),
            "--credentials".into(),
            creds.display().to_string(),
            "--explain".into(),
        ]
    };
    let out = Command::new(env!("CARGO_BIN_EXE_payspec")).args(args(&forged)).current_dir(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("string to sign: \"hellp\""), "{stderr}");
    assert!(stderr.contains(&format!("signature:      {HELLO_MAC}")), "the received one: {stderr}");
    // The MAC the key gives for the forged payload would be a valid forgery: never printed.
    let forgery = "9c09f468df11f131187be6362cbb571f233432f241624024d44c8540363e5dda";
    assert!(!stderr.contains(forgery), "{stderr}");
    assert!(stderr.contains("invalid signature"), "{stderr}");

    // A signed response: the same recipe shape under `response.verify`.
    let spec = SPEC.replace(
        "      place: body.mac\ncallbacks:",
        "      place: body.mac\n    response:\n      fields: { data: { type: string }, mac: { type: string } }\n      verify:\n        provenance: { source: test, confidence: inferred }\n        message: data\n        digest: { alg: hmac-sha256, key: cred:key }\n        encode: hex\n        place: body.mac\ncallbacks:",
    );
    std::fs::write(dir.join("specs/mini.yaml"), spec).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, json!({"data": "hello", "mac": HELLO_MAC}).to_string()).unwrap();
    let run = |payload: &Path| {
        let mut a = args(payload);
        a.splice(2..3, ["--response".to_string(), "refund".to_string()]);
        Command::new(env!("CARGO_BIN_EXE_payspec")).args(a).current_dir(&dir).output().unwrap()
    };
    let out = run(&good);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, json!({"data": "hello", "mac": HELLO_MAC}));
    let out = run(&forged);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("string to sign: \"hellp\""));
}

#[test]
fn sign_defaults_to_the_specs_first_environment() {
    let dir = project("sign-env", &[], "");
    std::fs::write(dir.join("creds.json"), r#"{"key": "k"}"#).unwrap();
    std::fs::write(dir.join("req.json"), r#"{"id": "r1", "amount": 100}"#).unwrap();
    let out = payspec(
        &dir,
        &[
            "sign",
            "specs/mini.yaml",
            "refund",
            "--request",
            "req.json",
            "--credentials",
            "creds.json",
            "--reveal-secrets",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed["url"], "https://mini.test/refund");
    assert_eq!(signed["body"]["mac"], REFUND_MAC);
}

#[test]
fn specs_checked_in_parallel_are_reported_in_the_order_given() {
    // `mini` runs vectors, properties and coverage; `broken` fails lint at once, so it finishes first
    // whenever the two run side by side. Progress lines, matrix and report still follow the arguments.
    let dir = project("order", &[refund_vector("mini-refund"), ipn_vector("mini-ipn")], "");
    std::fs::write(dir.join("specs/broken.yaml"), "provider: broken\n").unwrap();
    for (args, first, second) in [(["mini", "broken"], "mini:", "broken:"), (["broken", "mini"], "broken:", "mini:")] {
        let (code, out, md) = check(&dir, &args);
        assert_eq!(code, Some(1), "the broken spec fails the run: {out}{md}");
        let at = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle} missing: {out}"));
        assert!(at(first) < at(second), "{out}");
        let row = |p: &str| out.find(&format!("\n{p:<10} ")).unwrap_or_else(|| panic!("{p} row missing: {out}"));
        let (a, b) = (first.trim_end_matches(':'), second.trim_end_matches(':'));
        assert!(row(a) < row(b), "matrix in argument order: {out}");
        assert!(md.find(&format!("| {a} |")).unwrap() < md.find(&format!("| {b} |")).unwrap(), "{md}");
    }
}
