//! Nothing payspec prints shows a secret credential: for every seed spec, with distinctive credential
//! values, every operation is signed (valid and invalid inputs), every callback and signed response
//! signed and verified (valid and forged), every shared recipe run — through the interpreter and the
//! generated code — and `Debug` / `Display` of every result and error, `explain`, and the masked JSON
//! are scanned for each secret in raw, hex, base64 (std / url, padded or not), form-encoded and
//! percent-encoded form, and for base64 tokens that decode to one (HTTP Basic, JWT segments).
//! The CLI side is `cli/tests/no_secret_leaks.rs`.

use base64::Engine;
use payspec::{Clock, CredentialValue, Credentials, Interpreter, Secret};
use payspec_conformance::leaks::{forbidden, Scanner};
use payspec_conformance::{bundled, strategies, Interpreted, Path};
use payspec_model::{CredentialKind, Spec};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Distinctive credentials for `spec`: secrets carry characters every encoding changes.
fn credentials(spec: &Spec) -> (Credentials, Vec<(String, String)>) {
    let key = |f: &str| std::fs::read_to_string(root().join("conformance/keys").join(f)).unwrap();
    let mut c = Credentials::default();
    let mut secrets = Vec::new();
    for (name, def) in &spec.credentials {
        let v = match def.kind {
            CredentialKind::Integer if def.secret => CredentialValue::SecretInteger(918_273_645.into()),
            CredentialKind::Integer => CredentialValue::Integer(2553),
            CredentialKind::PrivateKeyPem => CredentialValue::Secret(Secret::new(key("test_private_key.pem"))),
            CredentialKind::PublicKeyPem => CredentialValue::Public(key("test_public_key.pem")),
            CredentialKind::String if def.secret => {
                CredentialValue::Secret(Secret::new(format!("Zq7{name}-s3cr3t+/~* é&=")))
            }
            CredentialKind::String => CredentialValue::Public(format!("pub-{name}")),
        };
        if v.is_secret() {
            secrets.push((name.clone(), v.text()));
        }
        c.insert(name, v);
    }
    (c, secrets)
}

/// The scanner itself finds every form, and a base64 composite.
#[test]
fn the_scanner_finds_each_form() {
    let secret = "Zq7k-s3cr3t+/~* é&=";
    for form in forbidden(secret)
        .into_iter()
        .chain([base64::engine::general_purpose::STANDARD.encode(format!("user:{secret}"))])
    {
        let text = format!("x {form} y");
        let hit = std::panic::catch_unwind(|| Scanner::new(&[("k".into(), secret.into())]).scan("self-check", &text));
        assert!(hit.is_err(), "form {form} not detected");
    }
}

fn sample<T: std::fmt::Debug>(s: impl Strategy<Value = T>, rng: &mut TestRunner) -> T {
    s.new_tree(rng).expect("a value").current()
}

/// Run `f` on every item, on at most `available_parallelism` threads; panics propagate (with the
/// first panic's message).
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
fn nothing_printed_shows_a_secret() {
    let total = std::sync::atomic::AtomicUsize::new(0);
    let mut names: Vec<PathBuf> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    // The specs are independent (each its own credentials, scanner and proptest seed): checked in parallel.
    par_each(&names, |file| {
        let text = std::fs::read_to_string(file).unwrap();
        let rel = format!("specs/{}", file.file_name().unwrap().to_string_lossy());
        let spec = payspec_model::load_str(&rel, &text).unwrap();
        let (creds, secrets) = credentials(&spec);
        assert!(!secrets.is_empty(), "{rel} has secret credentials");
        let mut sc = Scanner::new(&secrets);
        let interp = Interpreter::new(&spec);
        let generated = bundled::generated_for(&spec.provider, &text).expect("bundled generated code");
        let paths: [&dyn Path; 2] = [&Interpreted(&spec), generated];
        let mut runner =
            TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
        let clock = Clock::from_secs(1_700_000_000);

        for (op_name, op) in &spec.operations {
            for case in 0..6 {
                let mut input = sample(strategies::request(op), &mut runner);
                if case == 5 {
                    // An invalid input: the error must not show secrets either.
                    if let Some((k, f)) = op.request.iter().find(|(_, f)| f.max_len.is_some()) {
                        input.insert(k.clone(), Value::String("\u{1b}[31m".repeat(f.max_len.unwrap() + 1)));
                    }
                }
                for path in paths {
                    let what = format!("{} {rel} {op_name} #{case}", path.name());
                    match path.sign(op_name, &input, &creds, "sandbox", clock) {
                        Ok(signed) => {
                            sc.scan(&what, &format!("{signed:?}"));
                            sc.scan(&what, &format!("{signed:#?}"));
                            sc.scan(&what, &signed.to_json_masked().to_string());
                            for st in &signed.stages {
                                sc.scan(&what, &format!("{st:?} {} {}", st.string_to_sign, st.signature));
                                sc.scan(&what, &st.explain(creds.secrets()));
                                sc.scan(&what, &format!("{:?} {:?}", st.string_to_sign, st.signature));
                            }
                            if case == 0 && path.name() == "interpreter" {
                                // Tampered requests: the verification error.
                                if let Some(st) = signed.stages.first() {
                                    let t = payspec_conformance::properties::tamper(&signed, &st.placed);
                                    if let Err(e) = interp.verify_request(op_name, &t, &creds, "sandbox") {
                                        sc.scan(&what, &format!("{e} {e:?}"));
                                    }
                                }
                            }
                        }
                        Err(e) => sc.scan(&what, &format!("{e} {e:?}")),
                    }
                }
            }
            // Signed responses: sign as the provider would, verify, forge.
            if op.response.as_ref().is_some_and(|r| r.verify.is_some()) {
                let fields = &op.response.as_ref().unwrap().fields;
                let body = sample(strategies::full_object(fields), &mut runner);
                if let Ok((signed, st)) = interp.sign_response(op_name, &body, &creds) {
                    sc.scan("sign_response", &format!("{st:?} {}", st.explain(creds.secrets())));
                    scan_verify(&mut sc, &paths, &signed, |p, b| p.verify_response(op_name, b, &creds));
                }
            }
        }
        for (cb_name, cb) in &spec.callbacks {
            let payload = sample(strategies::full_object(&cb.fields), &mut runner);
            match interp.sign_callback(cb_name, &payload, &creds) {
                Ok((signed, st)) => {
                    sc.scan("sign_callback", &format!("{st:?} {}", st.explain(creds.secrets())));
                    scan_verify(&mut sc, &paths, &signed, |p, b| p.verify_callback(cb_name, b, &creds));
                }
                Err(e) => sc.scan("sign_callback", &format!("{e} {e:?}")),
            }
        }
        for name in spec.recipes.keys() {
            for path in paths {
                match path.recipe(name, &creds, clock) {
                    Ok((st, _value)) => sc.scan(&format!("recipe {name}"), &format!("{st:?} {}", st.explain([]))),
                    Err(e) => sc.scan(&format!("recipe {name}"), &format!("{e} {e:?}")),
                }
            }
        }
        // Malformed credentials: the error names the credential, never its value.
        for (name, def) in &spec.credentials {
            let mut json: Map<String, Value> =
                spec.credentials.keys().map(|k| (k.clone(), Value::String(creds.get(k).unwrap().text()))).collect();
            if def.secret {
                json.insert(name.clone(), serde_json::json!([creds.get(name).unwrap().text()]));
                if let Err(e) = Credentials::from_json(&spec, &Value::Object(json)) {
                    sc.scan("credentials", &format!("{e} {e:?}"));
                }
            }
        }
        sc.scan("credentials Debug", &format!("{creds:?}"));
        total.fetch_add(sc.scanned, std::sync::atomic::Ordering::Relaxed);
    });
    let total = total.into_inner();
    assert!(total > 200, "only {total} outputs scanned");
}

fn scan_verify(
    sc: &mut Scanner,
    paths: &[&dyn Path; 2],
    signed: &Map<String, Value>,
    verify: impl Fn(&dyn Path, &Map<String, Value>) -> Result<payspec::Verified, payspec::VerifyError>,
) {
    for path in paths {
        match verify(*path, signed) {
            Ok(v) => sc.scan("verified", &format!("{v:?} {}", v.stages.explain([]))),
            Err(e) => sc.scan("verify", &format!("{e} {e:?}")),
        }
        // Forged: every string field changed.
        let forged: Map<String, Value> = signed
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or(v.clone(), |s| Value::String(format!("{s}x")))))
            .collect();
        if let Err(e) = verify(*path, &forged) {
            sc.scan("forged", &format!("{e} {e:?}"));
        }
    }
}
