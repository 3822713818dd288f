//! The `payspec` command-line contract, run as a real process from the repository root.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn payspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec")).args(args).current_dir(root()).output().expect("payspec runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn vectors() -> Vec<Value> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root().join("vectors")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|x| x == "json") {
                out.push(serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap());
            }
        }
    }
    out
}

fn spec_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn lint_passes_on_every_shipped_spec() {
    let out = payspec(&["lint"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    for name in spec_names() {
        assert!(text(&out.stdout).contains(&format!("specs/{name}.yaml: ok")), "{}", text(&out.stdout));
    }
}

#[test]
fn a_typo_appended_to_any_shipped_spec_fails_lint_naming_file_and_line() {
    for name in spec_names() {
        let original = std::fs::read_to_string(root().join("specs").join(format!("{name}.yaml"))).unwrap();
        let typo_line = original.lines().count() + 1;
        let copy = tmp(&format!("{name}-typo.yaml"), &format!("{original}operatoins: {{}}\n"));
        let out = payspec(&["lint", copy.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stdout));
        let expected = format!("{}:{typo_line}:1: operatoins: unknown field `operatoins`", copy.display());
        assert!(text(&out.stdout).contains(&expected), "{name}: wanted {expected}\n got {}", text(&out.stdout));
    }
}

#[test]
fn lint_reports_every_error_of_a_file_together() {
    let original = std::fs::read_to_string(root().join("specs/hitechpay.yaml")).unwrap();
    let broken =
        original.replacen("encode: hex", "encode: hexx", 1).replacen("cred:key2", "cred:key3", 1) + "bogus: 1\n";
    let copy = tmp("hitechpay-broken.yaml", &broken);
    let out = payspec(&["lint", copy.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("unknown variant `hexx`"), "{stdout}");
    assert!(stdout.contains("undefined credential `key3`"), "{stdout}");
    assert!(stdout.contains("unknown field `bogus`"), "{stdout}");
}

/// `payspec` as a child process, killed (and the test failed) when it has not finished in 20 s.
fn payspec_within(args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("payspec runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("payspec {args:?} did not finish within 20 s (blocked or reading forever)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn lint_check_and_sign_refuse_a_spec_path_that_is_not_a_regular_file() {
    let fifo = std::env::temp_dir().join(format!("payspec-cli-{}-spec.fifo", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let have_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if !have_fifo {
        eprintln!("SKIPPED the FIFO part: mkfifo is unavailable here");
    }
    let mut paths = vec!["/dev/zero".to_string()];
    if have_fifo {
        paths.push(fifo.display().to_string());
    }
    for p in &paths {
        let kind = if p == "/dev/zero" { "a character device" } else { "a FIFO" };
        let want = format!("{p}:1:1: cannot read: not a regular file ({kind})");
        let out = payspec_within(&["lint", p]);
        assert_eq!(out.status.code(), Some(1), "lint {p}");
        assert!(text(&out.stdout).contains(&want), "lint {p}: {}", text(&out.stdout));
        let report = std::env::temp_dir().join(format!("payspec-cli-{}-report.md", std::process::id()));
        let out = payspec_within(&["check", p, "--report", report.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "check {p}");
        assert!(text(&out.stdout).contains(kind), "check {p}: {}", text(&out.stdout));
        let out = payspec_within(&["sign", p, "refund", "--request", "x.json", "--credentials", "y.json"]);
        assert_eq!(out.status.code(), Some(2), "sign {p}");
        assert!(text(&out.stderr).contains(&want), "sign {p}: {}", text(&out.stderr));
    }
    let _ = std::fs::remove_file(&fifo);
}

/// `payspec sign` for every operation of every spec: with a vector's input where one exists (and
/// then its expected stages must match), else with `cli/tests/requests/<provider>.<op>.json`.
#[test]
fn sign_works_for_every_operation() {
    let vectors = vectors();
    for name in spec_names() {
        let spec = payspec_model::load_file(&root().join("specs").join(format!("{name}.yaml"))).unwrap();
        let provider_vectors: Vec<&Value> = vectors.iter().filter(|v| v["provider"] == name.as_str()).collect();
        let creds = provider_vectors
            .iter()
            .filter(|v| v["target"].get("operation").is_some())
            .max_by_key(|v| v["credentials"].as_object().map_or(0, |c| c.len()))
            .expect("a vector with credentials")["credentials"]
            .clone();
        for op in spec.operations.keys() {
            let vector =
                provider_vectors.iter().find(|v| v["target"]["operation"] == op.as_str() && v["expect_valid"] != false);
            let (input, creds, now) = match vector {
                Some(v) => (v["input"].clone(), v["credentials"].clone(), v["now"].as_i64().unwrap_or(0)),
                None => {
                    let f = root().join(format!("cli/tests/requests/{name}.{op}.json"));
                    let input = std::fs::read_to_string(&f)
                        .unwrap_or_else(|_| panic!("{name}.{op} has neither a vector nor {}", f.display()));
                    (serde_json::from_str(&input).unwrap(), creds.clone(), 1_700_000_000)
                }
            };
            let req = tmp(&format!("{name}.{op}.req.json"), &input.to_string());
            let cred = tmp(&format!("{name}.{op}.cred.json"), &creds.to_string());
            let now = now.to_string();
            let out = payspec(&[
                "sign",
                &name,
                op,
                "--request",
                req.to_str().unwrap(),
                "--credentials",
                cred.to_str().unwrap(),
                "--now",
                &now,
                "--explain",
                "--reveal-secrets",
            ]);
            assert!(out.status.success(), "{name}.{op}: {}", text(&out.stderr));
            let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
            for key in ["method", "url", "headers", "body", "string_to_sign"] {
                assert!(signed.get(key).is_some(), "{name}.{op}: no `{key}` in {signed}");
            }
            assert!(text(&out.stderr).contains("string to sign"), "{name}.{op}: --explain printed no stages");
            if let Some(v) = vector {
                let e = &v["expected"];
                if v["stage"] != "auth" {
                    if let Some(sts) = e.get("string_to_sign") {
                        assert_eq!(&signed["string_to_sign"], sts, "{}", v["id"]);
                    }
                }
                for (h, want) in e["headers"].as_object().into_iter().flatten() {
                    assert_eq!(&signed["headers"][h], want, "{} header {h}", v["id"]);
                }
                if let Some(url) = e.get("url") {
                    assert_eq!(&signed["url"], url, "{}", v["id"]);
                }
                if let Some(body) = e.get("body") {
                    assert_eq!(&signed["body"], body, "{}", v["id"]);
                }
            }
        }
    }
}

#[test]
fn sign_never_prints_secrets_in_explain() {
    let creds = tmp(
        "ht-creds.json",
        r#"{"app_id": 2553, "key1": "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL", "key2": "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"}"#,
    );
    let req = tmp("ht-order-query.json", r#"{"app_trans_id": "200904_2553_1598435687208"}"#);
    let out = payspec(&[
        "sign",
        "hitechpay",
        "query_order",
        "--request",
        req.to_str().unwrap(),
        "--credentials",
        creds.to_str().unwrap(),
        "--explain",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("2553|200904_2553_1598435687208|«key1»"), "{stderr}");
    assert!(!stderr.contains("PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL"), "{stderr}");
}

#[test]
fn invalid_sign_input_names_the_field() {
    let creds = tmp("ht-creds2.json", r#"{"app_id": 2553, "key1": "k1", "key2": "k2"}"#);
    let cases = [
        (json!({"zp_trans_id": "1", "amount": 1, "description": "d"}), "field `m_refund_id`: required but missing"),
        (
            json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": "x".repeat(101)}),
            "field `description`: 101 characters, at most 100 allowed",
        ),
        (
            json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": "1", "description": "d"}),
            "field `amount`: expected an integer, found string \"1\"",
        ),
        (
            json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": "d", "amout": 2}),
            "field `amout`: unknown field",
        ),
    ];
    for (i, (input, want)) in cases.iter().enumerate() {
        let req = tmp(&format!("bad-{i}.json"), &input.to_string());
        let out = payspec(&[
            "sign",
            "hitechpay",
            "refund",
            "--request",
            req.to_str().unwrap(),
            "--credentials",
            creds.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{want}");
        assert!(text(&out.stderr).contains(want), "wanted {want}\n got {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
    let bad_creds = tmp("bad-creds.json", r#"{"app_id": "x", "key1": "k1", "key2": "k2"}"#);
    let req =
        tmp("ok.json", r#"{"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": "d"}"#);
    let out = payspec(&[
        "sign",
        "hitechpay",
        "refund",
        "--request",
        req.to_str().unwrap(),
        "--credentials",
        bad_creds.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("credential `app_id`: `x` is not an integer"), "{}", text(&out.stderr));
}

/// `payspec verify` for every callback vector: valid → 0 with the decoded payload; a changed
/// signature → 1; a missing signature or non-JSON payload → 2.
#[test]
fn verify_contract_for_every_callback() {
    let mut seen = Vec::new();
    // A callback without a vector of its own needs a payload fixture in cli/tests/payloads/ (today every
    // callback has a vector, so the folder does not exist).
    let mut cases: Vec<Value> = vectors().into_iter().filter(|v| v["target"]["callback"].is_string()).collect();
    for f in std::fs::read_dir(root().join("cli/tests/payloads")).into_iter().flatten() {
        let f = f.unwrap().path();
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let (provider, cb) = name.split_once('.').unwrap();
        let mut fixture: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        fixture["provider"] = json!(provider);
        fixture["target"] = json!({ "callback": cb });
        fixture["id"] = json!(name);
        cases.push(fixture);
    }
    for v in cases {
        let Some(cb) = v["target"]["callback"].as_str() else { continue };
        let provider = v["provider"].as_str().unwrap();
        seen.push(format!("{provider}.{cb}"));
        let id = v["id"].as_str().unwrap();
        let cred = tmp(&format!("{id}.cred.json"), &v["credentials"].to_string());
        let payload = tmp(&format!("{id}.payload.json"), &v["input"].to_string());
        let out = payspec(&[
            "verify",
            provider,
            cb,
            "--payload",
            payload.to_str().unwrap(),
            "--credentials",
            cred.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
        let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        for (k, want) in v["decoded"].as_object().into_iter().flatten() {
            assert_eq!(&decoded[k], want, "{id}: decoded {k}");
        }

        let spec = payspec_model::load_file(&root().join("specs").join(format!("{provider}.yaml"))).unwrap();
        let sig_field = spec.callbacks[cb].verify.place.field().unwrap().to_string();
        let mut forged = v["input"].as_object().unwrap().clone();
        let sig = forged[&sig_field].as_str().unwrap().to_string();
        // Flip one character of the signature, keeping its alphabet.
        let flipped: String = sig
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 2 {
                    if c == 'A' {
                        'B'
                    } else {
                        'A'
                    }
                } else {
                    c
                }
            })
            .collect();
        forged.insert(sig_field.clone(), Value::String(flipped));
        let forged_file = tmp(&format!("{id}.forged.json"), &Value::Object(forged.clone()).to_string());
        let out = payspec(&[
            "verify",
            provider,
            cb,
            "--payload",
            forged_file.to_str().unwrap(),
            "--credentials",
            cred.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{id} forged: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("signature check failed"), "{id}: {}", text(&out.stderr));

        forged.remove(&sig_field);
        let missing = tmp(&format!("{id}.missing.json"), &Value::Object(forged).to_string());
        let out = payspec(&[
            "verify",
            provider,
            cb,
            "--payload",
            missing.to_str().unwrap(),
            "--credentials",
            cred.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{id} missing signature: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(&format!("field `{sig_field}`")), "{id}: {}", text(&out.stderr));

        let garbage = tmp(&format!("{id}.garbage.json"), "{\"truncated\": ");
        let out = payspec(&[
            "verify",
            provider,
            cb,
            "--payload",
            garbage.to_str().unwrap(),
            "--credentials",
            cred.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{id} garbage");
    }
    for name in spec_names() {
        let spec = payspec_model::load_file(&root().join("specs").join(format!("{name}.yaml"))).unwrap();
        for cb in spec.callbacks.keys() {
            assert!(
                seen.contains(&format!("{name}.{cb}")),
                "callback {name}.{cb} has neither a vector nor a payload fixture"
            );
        }
    }
}

#[test]
fn check_passes_on_the_shipped_specs_and_writes_a_report() {
    let report = std::env::temp_dir().join(format!("payspec-check-{}.md", std::process::id()));
    let out = payspec(&["check", "--cases", "16", "--report", report.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for name in spec_names() {
        assert!(stdout.contains(&format!("{name}: lint ok")), "{stdout}");
    }
    // Every operation and callback of the shipped specs is checked by a passing vector.
    assert!(!stdout.contains("unverified"), "{stdout}");
    assert!(stdout.contains("0 failed (interpreter + generated)"), "{stdout}");
    assert!(stdout.contains("hitechpay  operation refund                 ✓  unprotected: m_refund_id"), "{stdout}");
    assert!(stdout.contains(&format!("report: {}", report.display())), "{stdout}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("| hitechpay | operation refund | ✓ | m_refund_id |"), "{md}");
    // VietQR's refund checksum concatenates without separators: the shifting mutation shows it.
    assert!(stdout.contains("ambiguous: bankAccount↔amount, referenceNumber↔amount"), "{stdout}");
    assert!(md.contains("| bankAccount↔amount, referenceNumber↔amount |"), "{md}");
    assert!(
        md.contains("known failure (the doc example signature was made with AppotaPay's unpublished partner secret"),
        "{md}"
    );
}

#[test]
fn check_fails_on_a_broken_recipe_and_names_the_stage() {
    // A copy whose refund join separator is wrong: the vectors of `hitechpay` catch it.
    let dir = std::env::temp_dir().join(format!("payspec-check-broken-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    let text_ =
        std::fs::read_to_string(root().join("specs/hitechpay.yaml")).unwrap().replacen("join: \"|\"", "join: \";\"", 1);
    std::fs::write(dir.join("specs/hitechpay.yaml"), text_).unwrap();
    copy_dir(&root().join("vectors/hitechpay"), &dir.join("vectors/hitechpay"));
    let out =
        Command::new(env!("CARGO_BIN_EXE_payspec")).args(["check", "--cases", "8"]).current_dir(&dir).output().unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("hitechpay: lint ok") && stdout.contains("· ✗"), "{stdout}");
    assert!(stdout.contains("operation refund                 ✗ vector hitechpay-refund-"), "{stdout}");
    assert!(stdout.contains("stage `string_to_sign` differs"), "{stdout}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

/// `--now` whose milliseconds do not fit a 64-bit integer is refused (exit 2), not wrapped.
#[test]
fn out_of_range_now_is_refused() {
    let creds = tmp("ht-creds-now.json", r#"{"app_id": 2553, "key1": "k1", "key2": "k2"}"#);
    let req = tmp(
        "now-req.json",
        &json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": "d"}).to_string(),
    );
    for now in ["9223372036854775807", "-9223372036854776"] {
        let out = payspec(&[
            "sign",
            "hitechpay",
            "refund",
            "--request",
            req.to_str().unwrap(),
            "--credentials",
            creds.to_str().unwrap(),
            &format!("--now={now}"),
        ]);
        assert_eq!(out.status.code(), Some(2), "{now}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(&format!("--now: {now} unix seconds is out of range")),
            "{}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
}
