//! Everything the `payspec` binary prints — `sign` (with and without `--explain`) for every operation,
//! `verify` for every callback (valid, `--explain`, bad signature, malformed), `lint`, `check` and its
//! Markdown report (also of a broken spec, whose mismatches print stage values) — is scanned for the
//! bytes of every secret credential: raw, hex, base64 (std / url, padded or not), form-encoded,
//! percent-encoded, JSON-escaped, and base64 tokens decoding to one (HTTP Basic).
//! `--reveal-secrets` is the one way to print them.

use payspec::{Credentials, Interpreter};
use payspec_conformance::leaks::Scanner;
use payspec_model::{CredentialKind, Spec};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn payspec_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec")).args(args).current_dir(dir).output().expect("payspec runs")
}

fn payspec(args: &[&str]) -> Output {
    payspec_in(&root(), args)
}

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-leaks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
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

fn vectors() -> Vec<Value> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root().join("vectors")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "json") {
                    out.push(serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap());
                }
            }
        }
    }
    out
}

/// Distinctive credentials as JSON: secrets carry characters every encoding changes.
fn credentials(spec: &Spec) -> Value {
    let key = |f: &str| std::fs::read_to_string(root().join("conformance/keys").join(f)).unwrap();
    let mut m = Map::new();
    for (name, def) in &spec.credentials {
        let v = match def.kind {
            CredentialKind::Integer if def.secret => json!(918_273_645),
            CredentialKind::Integer => json!(2553),
            CredentialKind::PrivateKeyPem => json!(key("test_private_key.pem")),
            CredentialKind::PublicKeyPem => json!(key("test_public_key.pem")),
            CredentialKind::String if def.secret => json!(format!("Zq7{name}-s3cr3t+/~* é&=")),
            CredentialKind::String => json!(format!("pub-{name}")),
        };
        m.insert(name.clone(), v);
    }
    Value::Object(m)
}

/// The secret values of `creds` (JSON, by spec name) under `spec`.
fn secrets(spec: &Spec, creds: &Value) -> Vec<(String, String)> {
    spec.credentials
        .iter()
        .filter(|(_, d)| d.secret)
        .filter_map(|(n, _)| {
            creds.get(n).map(|v| (n.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        })
        .collect()
}

/// Fail when `text` shows any of `secrets` in any form.
fn scan(what: &str, text: &str, secrets: &[(String, String)]) {
    Scanner::new(secrets).scan(what, text);
}

fn all(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Run `f` on every item, on at most `available_parallelism` threads (each item spawns its commands
/// one after another); panics propagate.
fn par_each<T: Sync>(items: &[T], f: impl Fn(&T) + Sync) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        f(item);
                    }
                })
            })
            .collect();
        for h in handles {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
}

#[test]
fn no_command_prints_a_secret() {
    let vectors = vectors();
    let scanned = std::sync::atomic::AtomicUsize::new(0);
    // The specs are independent (own temporary files, credentials and commands): run in parallel.
    par_each(&spec_names(), |name| {
        let name: &str = name;
        let spec = payspec_model::load_file(&root().join("specs").join(format!("{name}.yaml"))).unwrap();
        let creds_json = credentials(&spec);
        let secrets = secrets(&spec, &creds_json);
        let cred_file = tmp(&format!("{name}.cred.json"), &creds_json.to_string());
        let cred = cred_file.to_str().unwrap();
        let creds = Credentials::from_json(&spec, &creds_json).unwrap();

        for op in spec.operations.keys() {
            let input = match vectors.iter().find(|v| v["provider"] == name && v["target"]["operation"] == op.as_str())
            {
                Some(v) => v["input"].clone(),
                None => serde_json::from_str(
                    &std::fs::read_to_string(root().join(format!("cli/tests/requests/{name}.{op}.json"))).unwrap(),
                )
                .unwrap(),
            };
            let req = tmp(&format!("{name}.{op}.req.json"), &input.to_string());
            let req = req.to_str().unwrap();
            let base = ["sign", name, op, "--request", req, "--credentials", cred, "--now", "1700000000"];
            for extra in [&[][..], &["--explain"][..]] {
                let out = payspec(&[&base[..], extra].concat());
                assert!(out.status.success(), "{name}.{op}: {}", all(&out));
                scan(&format!("sign {name} {op} {extra:?}"), &all(&out), &secrets);
                scanned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // --reveal-secrets prints the real request: the same as the interpreter signs.
            let out = payspec(&[&base[..], &["--reveal-secrets"][..]].concat());
            let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
            let signed = Interpreter::new(&spec)
                .sign(op, input.as_object().unwrap(), &creds, "sandbox", payspec::Clock::from_secs(1_700_000_000))
                .unwrap();
            assert_eq!(printed, signed.to_json(), "{name}.{op} --reveal-secrets");
            // Invalid input: the error.
            let bad = tmp(&format!("{name}.{op}.bad.json"), &json!({"no_such_field\u{1b}[2J": "x\ny"}).to_string());
            let out = payspec(&["sign", name, op, "--request", bad.to_str().unwrap(), "--credentials", cred]);
            assert_eq!(out.status.code(), Some(2), "{name}.{op}: {}", all(&out));
            assert!(!all(&out).contains('\u{1b}'), "{name}.{op}: a raw terminal escape in {}", all(&out));
            scan(&format!("sign {name} {op} (invalid)"), &all(&out), &secrets);
        }

        for (cb, def) in &spec.callbacks {
            // A payload signed with these credentials (fields from the vector or fixture).
            let fixture = vectors
                .iter()
                .find(|v| v["provider"] == name && v["target"]["callback"] == cb.as_str())
                .map(|v| v["input"].clone())
                .or_else(|| {
                    std::fs::read_to_string(root().join(format!("cli/tests/payloads/{name}.{cb}.json")))
                        .ok()
                        .map(|t| serde_json::from_str::<Value>(&t).unwrap()["input"].clone())
                })
                .expect("a payload");
            let signed = match Interpreter::new(&spec).sign_callback(cb, fixture.as_object().unwrap(), &creds) {
                Ok((p, _)) => Value::Object(p),
                Err(_) => fixture.clone(), // e.g. an RSA callback without the provider's key
            };
            let sig_field = def.verify.place.field().unwrap().to_string();
            let mut forged = signed.clone();
            forged[&sig_field] = json!("AAAA");
            let mut missing = signed.clone();
            missing.as_object_mut().unwrap().remove(&sig_field);
            for (label, payload) in [("signed", &signed), ("forged", &forged), ("missing", &missing)] {
                let f = tmp(&format!("{name}.{cb}.{label}.json"), &payload.to_string());
                for extra in [&[][..], &["--explain"][..]] {
                    let args =
                        [&["verify", name, cb, "--payload", f.to_str().unwrap(), "--credentials", cred][..], extra]
                            .concat();
                    let out = payspec(&args);
                    scan(&format!("verify {name} {cb} {label} {extra:?}"), &all(&out), &secrets);
                    scanned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        let out = payspec(&["lint", name]);
        scan(&format!("lint {name}"), &all(&out), &secrets);
    });
    let scanned = scanned.into_inner();
    assert!(scanned > 40, "only {scanned} outputs scanned");
}

/// `payspec check` prints stage values when a vector fails: a broken copy of VietQR (its refund
/// checksum puts `secretKey` first) must show the mismatch with the vectors' secrets masked, in the
/// matrix and in the Markdown report.
#[test]
fn check_output_and_report_mask_the_vector_secrets() {
    let dir = std::env::temp_dir().join(format!("payspec-leaks-check-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::create_dir_all(dir.join("vectors/vietqr")).unwrap();
    let text = std::fs::read_to_string(root().join("specs/vietqr.yaml")).unwrap();
    let broken = text.replacen("referenceNumber, amount, bankAccount]", "referenceNumber, bankAccount, amount]", 1);
    assert_ne!(broken, text, "the refund checksum message is where this test expects it");
    std::fs::write(dir.join("specs/vietqr.yaml"), &broken).unwrap();
    let spec = payspec_model::load_str("specs/vietqr.yaml", &text).unwrap();
    let mut secrets = Vec::new();
    for e in std::fs::read_dir(root().join("vectors/vietqr")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("vectors/vietqr").join(p.file_name().unwrap())).unwrap();
        if p.extension().is_some_and(|x| x == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            secrets.extend(secrets_of(&spec, &v["credentials"]));
        }
    }
    assert!(!secrets.is_empty());
    let report = dir.join("report.md");
    let out = payspec_in(&dir, &["check", "--cases", "4", "--report", report.to_str().unwrap()]);
    let shown = all(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("«secret_key»"), "the mismatch is shown, masked:\n{md}");
    scan("check", &shown, &secrets);
    scan("check report", &md, &secrets);
    // The shipped specs: passing check, and its report.
    let report = dir.join("ok.md");
    let out = payspec(&["check", "--cases", "4", "--report", report.to_str().unwrap()]);
    let shipped: Vec<(String, String)> = spec_names()
        .iter()
        .flat_map(|n| {
            let spec = payspec_model::load_file(&root().join("specs").join(format!("{n}.yaml"))).unwrap();
            vectors()
                .into_iter()
                .filter(|v| v["provider"] == n.as_str())
                .flat_map(move |v| secrets_of(&spec, &v["credentials"]))
        })
        .collect();
    scan("check (shipped)", &all(&out), &shipped);
    scan("check report (shipped)", &std::fs::read_to_string(&report).unwrap(), &shipped);
}

fn secrets_of(spec: &Spec, creds: &Value) -> Vec<(String, String)> {
    // Short or placeholder values (`""`, "x") would match anywhere; vectors use real-length secrets.
    secrets(spec, creds).into_iter().filter(|(_, v)| v.len() >= 8).collect()
}
