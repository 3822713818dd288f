//! Every RSA vector through both RSA backends (aws-lc-rs, the default, and the `rsa` crate behind
//! `rsa-rustcrypto`, enabled for this crate's tests), on both signing paths; the backends sign the
//! same bytes, verify each other's signatures and `openssl`'s, and refuse the same short keys.

use payspec::crypto::{KeyError, KeyKind, RsaBackend};
use payspec_conformance::bundled::generated_for;
use payspec_conformance::check::{known_failures, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY};
use payspec_conformance::{check, load_vectors, Interpreted, Path, Target, Vector};
use payspec_model::{DigestAlg, Recipe, Spec};
use std::path::{Path as FsPath, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    FsPath::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn is_rsa(r: &Recipe) -> bool {
    r.digest.as_ref().is_some_and(|d| d.alg == DigestAlg::RsaSha256)
}

/// Whether the recipe a vector exercises signs or verifies with RSA.
fn uses_rsa(spec: &Spec, v: &Vector) -> bool {
    match &v.target {
        Target::Operation(op) | Target::Response(op) => spec.operations.get(op).is_some_and(|o| {
            o.sign.as_ref().is_some_and(is_rsa)
                || o.auth.as_ref().and_then(|a| spec.recipes.get(a)).is_some_and(is_rsa)
                || o.response.as_ref().and_then(|r| r.verify.as_ref()).is_some_and(is_rsa)
        }),
        Target::Callback(name) => spec.callbacks.get(name).is_some_and(|c| is_rsa(&c.verify)),
        Target::Recipe(name) => spec.recipes.get(name).is_some_and(is_rsa),
    }
}

fn spec_of(provider: &str) -> (Spec, String) {
    let file = root().join("specs").join(format!("{provider}.yaml"));
    let text = std::fs::read_to_string(&file).unwrap();
    (payspec_model::load_str(&file.display().to_string(), &text).unwrap(), text)
}

fn rsa_vectors() -> Vec<Vector> {
    load_vectors(&root().join("vectors"))
        .unwrap()
        .into_iter()
        .filter(|v| uses_rsa(&spec_of(&v.provider).0, v))
        .collect()
}

#[test]
fn both_backends_are_compiled_into_the_conformance_tests() {
    assert_eq!(RsaBackend::ALL, &[RsaBackend::AwsLc, RsaBackend::RustCrypto]);
    assert_eq!(RsaBackend::DEFAULT, RsaBackend::AwsLc);
    assert!(RsaBackend::AwsLc.is_constant_time() && !RsaBackend::RustCrypto.is_constant_time());
}

/// Each RSA vector, on each backend, through the interpreter and the generated code: passes, or fails
/// as its listed known failure, exactly as in `tests/vectors.rs` (which runs the default backend).
#[test]
fn every_rsa_vector_passes_on_every_backend_and_path() {
    let vectors = rsa_vectors();
    let ids: Vec<&str> = vectors.iter().map(|v| v.id.as_str()).collect();
    assert!(vectors.len() >= 4, "the RSA vectors were not found: {ids:?}");
    assert!(ids.iter().any(|i| i.contains("notification")), "an RSA callback vector is covered: {ids:?}");
    for v in &vectors {
        let (spec, text) = spec_of(&v.provider);
        let generated = generated_for(&spec.provider, &text).expect("bundled generated code");
        let known = known_failures(&root().join("vectors").join(&v.provider));
        let interp = Interpreted(&spec);
        let paths: [&dyn Path; 2] = [&interp, generated];
        for backend in RsaBackend::ALL {
            for p in paths {
                let result = backend.scope(|| check(&spec, p, v));
                match (result, known.get(&v.id)) {
                    (Ok(()), None) | (Err(_), Some(_)) => {}
                    (Ok(()), Some(reason)) => {
                        panic!(
                            "{} [{} on {}]: listed as known failure ({reason}) but passes",
                            v.id,
                            p.name(),
                            backend.name()
                        )
                    }
                    (Err(m), None) => panic!("on backend {}: {m}", backend.name()),
                }
            }
        }
    }
}

/// A PEM block whose DER is cut short: each backend's own parser refuses it, and says so.
fn truncated_key() -> String {
    let lines: Vec<&str> = TEST_PRIVATE_KEY.lines().collect();
    format!("{}\n{}\n{}\n", lines[0], lines[1..6].join("\n"), lines[lines.len() - 1])
}

/// `RsaBackend::scope` routes the RSA calls of both paths (interpreter and generated code) to the
/// chosen backend, visible in which parser refuses a damaged key; the default is aws-lc-rs, and the
/// previous backend is restored after the scope, also after a panic inside it.
#[test]
fn scope_routes_both_paths_to_the_chosen_backend() {
    let (spec, text) = spec_of("bbmsl");
    let generated = generated_for(&spec.provider, &text).unwrap();
    let v: Vector =
        serde_json::from_str(&std::fs::read_to_string(root().join("vectors/bbmsl/bbmsl-refund-request.json")).unwrap())
            .unwrap();
    let mut creds_json = v.credentials.clone();
    creds_json["private_key"] = truncated_key().into();
    let creds = payspec::Credentials::from_json(&spec, &creds_json).unwrap();
    let interp = Interpreted(&spec);
    let paths: [&dyn Path; 2] = [&interp, generated];
    let sign = |p: &dyn Path| {
        p.sign("refund", &v.input, &creds, "sandbox", payspec::Clock::from_secs(0)).unwrap_err().to_string()
    };
    for p in paths {
        assert!(sign(p).contains("rejected by aws-lc"), "default, {}: {}", p.name(), sign(p));
        let e = RsaBackend::RustCrypto.scope(|| sign(p));
        assert!(e.contains("rejected by rsa"), "{}: {e}", p.name());
        let e = RsaBackend::AwsLc.scope(|| RsaBackend::RustCrypto.scope(|| sign(p)));
        assert!(e.contains("rejected by rsa"), "innermost scope wins, {}: {e}", p.name());
        assert!(sign(p).contains("rejected by aws-lc"), "restored, {}", p.name());
    }
    let r = std::panic::catch_unwind(|| RsaBackend::RustCrypto.scope(|| panic!("inside")));
    assert!(r.is_err());
    assert_eq!(RsaBackend::current(), RsaBackend::AwsLc);
}

fn openssl(dir: &FsPath, args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success() || args.contains(&"-verify"), "openssl {args:?}: {out:?}");
    out
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Messages: the string to sign of every RSA vector (real payloads: JSON envelopes, UTF-8), plus
/// edge cases. For each, both backends give byte-identical signatures equal to `openssl dgst
/// -sha256 -sign`, each verifies the other's (with the public key and with the private key), and a
/// flipped bit is refused by both.
#[test]
fn backends_sign_identical_bytes_cross_verify_and_match_openssl() {
    let mut messages: Vec<String> = rsa_vectors().into_iter().filter_map(|v| v.expected.string_to_sign).collect();
    assert!(messages.len() >= 3, "{messages:?}");
    messages.extend(["".to_string(), "Hoàn tiền #1 — 100%".to_string(), "x".repeat(10_000)]);
    let dir = temp_dir("rsa-backends");
    std::fs::write(dir.join("key.pem"), TEST_PRIVATE_KEY).unwrap();
    std::fs::write(dir.join("pub.pem"), TEST_PUBLIC_KEY).unwrap();
    for (i, msg) in messages.iter().enumerate() {
        let sigs: Vec<Vec<u8>> =
            RsaBackend::ALL.iter().map(|b| b.sign_sha256(TEST_PRIVATE_KEY, msg.as_bytes()).unwrap()).collect();
        assert_eq!(sigs[0], sigs[1], "message {i}: the backends differ");
        let m = format!("msg{i}");
        std::fs::write(dir.join(&m), msg).unwrap();
        let theirs = openssl(&dir, &["dgst", "-sha256", "-sign", "key.pem", &m]).stdout;
        assert_eq!(sigs[0], theirs, "message {i}: differs from openssl");
        std::fs::write(dir.join("sig"), &sigs[0]).unwrap();
        let ok = openssl(&dir, &["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", &m]);
        assert!(String::from_utf8_lossy(&ok.stdout).contains("Verified OK"), "{ok:?}");
        let mut bad = sigs[0].clone();
        bad[17] ^= 0x01;
        for verifier in RsaBackend::ALL {
            for sig in &sigs {
                assert_eq!(verifier.verify_sha256(TEST_PUBLIC_KEY, msg.as_bytes(), sig), Ok(true));
                assert_eq!(verifier.verify_sha256_with_private(TEST_PRIVATE_KEY, msg.as_bytes(), sig), Ok(true));
            }
            assert_eq!(verifier.verify_sha256(TEST_PUBLIC_KEY, msg.as_bytes(), &bad), Ok(false));
            assert_eq!(verifier.verify_sha256(TEST_PUBLIC_KEY, format!("{msg}!").as_bytes(), &sigs[0]), Ok(false));
            assert_eq!(verifier.verify_sha256(TEST_PUBLIC_KEY, msg.as_bytes(), &sigs[0][..255]), Ok(false));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The four PEM encodings (PKCS#8, PKCS#1 private; SPKI, PKCS#1 public), converted by `openssl`, work
/// on both backends with the same signature.
#[test]
fn pkcs1_and_pkcs8_keys_work_on_both_backends() {
    let dir = temp_dir("rsa-formats");
    std::fs::write(dir.join("key.pem"), TEST_PRIVATE_KEY).unwrap();
    std::fs::write(dir.join("pub.pem"), TEST_PUBLIC_KEY).unwrap();
    openssl(&dir, &["pkey", "-in", "key.pem", "-traditional", "-out", "key1.pem"]);
    openssl(&dir, &["rsa", "-pubin", "-in", "pub.pem", "-RSAPublicKey_out", "-out", "pub1.pem"]);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (pkcs1_private, pkcs1_public) = (read("key1.pem"), read("pub1.pem"));
    assert!(pkcs1_private.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{}", &pkcs1_private[..40]);
    assert!(pkcs1_public.starts_with("-----BEGIN RSA PUBLIC KEY-----"), "{pkcs1_public}");
    let reference = RsaBackend::AwsLc.sign_sha256(TEST_PRIVATE_KEY, b"abc").unwrap();
    for b in RsaBackend::ALL {
        assert_eq!(b.sign_sha256(&pkcs1_private, b"abc").unwrap(), reference, "{}", b.name());
        assert_eq!(b.verify_sha256(&pkcs1_public, b"abc", &reference), Ok(true), "{}", b.name());
        assert_eq!(b.verify_sha256_with_private(&pkcs1_private, b"abc", &reference), Ok(true), "{}", b.name());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Keys under 2048 bits (generated by `openssl`: 1024 and 2047 bits), private and public, PKCS#8 and
/// PKCS#1: the same typed error on both backends, with the size; and through both paths of a spec
/// the error names the recipe stage.
#[test]
fn keys_under_2048_bits_are_refused_on_both_backends_and_paths() {
    let dir = temp_dir("rsa-short");
    for bits in [1024usize, 2047] {
        let k = format!("k{bits}.pem");
        let args = ["genpkey", "-algorithm", "RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}"), "-out", &k];
        openssl(&dir, &args);
        openssl(&dir, &["pkey", "-in", &k, "-pubout", "-out", "p.pem"]);
        openssl(&dir, &["pkey", "-in", &k, "-traditional", "-out", "k1.pem"]);
        openssl(&dir, &["rsa", "-in", &k, "-RSAPublicKey_out", "-out", "p1.pem"]);
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let private = KeyError::TooShort { kind: KeyKind::Private, bits };
        let public = KeyError::TooShort { kind: KeyKind::Public, bits };
        for b in RsaBackend::ALL {
            for pem in [read(&k), read("k1.pem")] {
                assert_eq!(b.sign_sha256(&pem, b"m"), Err(private.clone()), "{} {bits}", b.name());
                assert_eq!(b.verify_sha256_with_private(&pem, b"m", &[0; 256]), Err(private.clone()));
            }
            for pem in [read("p.pem"), read("p1.pem")] {
                assert_eq!(b.verify_sha256(&pem, b"m", &[0; 256]), Err(public.clone()), "{} {bits}", b.name());
            }
        }
        assert_eq!(private.to_string(), format!("the RSA private key is {bits} bits; at least 2048 are required"));

        // A BBMSL refund signed with the short key: a typed error at the digest stage, on both paths.
        let (spec, text) = spec_of("bbmsl");
        let generated = generated_for(&spec.provider, &text).unwrap();
        let v: Vector = serde_json::from_str(
            &std::fs::read_to_string(root().join("vectors/bbmsl/bbmsl-refund-request.json")).unwrap(),
        )
        .unwrap();
        let mut creds_json = v.credentials.clone();
        creds_json["private_key"] = read(&k).into();
        let creds = payspec::Credentials::from_json(&spec, &creds_json).unwrap();
        let interp = Interpreted(&spec);
        let paths: [&dyn Path; 2] = [&interp, generated];
        for b in RsaBackend::ALL {
            for p in paths {
                let err = b
                    .scope(|| p.sign("refund", &v.input, &creds, "sandbox", payspec::Clock::from_secs(0)))
                    .unwrap_err()
                    .to_string();
                assert!(err.contains(&private.to_string()), "{} on {}: {err}", p.name(), b.name());
                assert!(err.contains("digest"), "{} on {}: the stage is named: {err}", p.name(), b.name());
                assert!(!err.contains("BEGIN") && !err.contains(&read(&k)[40..80]), "no key material: {err}");
            }
        }
    }
    // 2048 bits is accepted: the boundary is exact.
    assert!(RsaBackend::ALL.iter().all(|b| b.sign_sha256(TEST_PRIVATE_KEY, b"m").is_ok()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Malformed keys get the same kind of error on both backends, never a panic, and no key material.
#[test]
fn malformed_keys_are_typed_errors_on_both_backends() {
    let truncated = truncated_key();
    let cases: Vec<(String, &str)> = vec![
        ("not a key".into(), "not PEM text"),
        (TEST_PUBLIC_KEY.into(), "PEM label `PUBLIC KEY`"),
        (TEST_PRIVATE_KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), "encrypted"),
        (TEST_PRIVATE_KEY.replace("PRIVATE KEY", "CERTIFICATE"), "PEM label `CERTIFICATE`"),
        (truncated, "rejected by"),
    ];
    for b in RsaBackend::ALL {
        for (pem, says) in &cases {
            let err = b.sign_sha256(pem, b"m").unwrap_err();
            assert!(matches!(err, KeyError::PrivateKey(_)), "{}: {err:?}", b.name());
            assert!(err.to_string().contains(says), "{}: {err}", b.name());
        }
        let err = b.verify_sha256(TEST_PRIVATE_KEY, b"m", &[0; 256]).unwrap_err();
        assert!(matches!(&err, KeyError::PublicKey(m) if m.contains("PEM label `PRIVATE KEY`")), "{err:?}");
        assert!(!format!("{err:?}").contains(&TEST_PRIVATE_KEY[40..80]));
    }
}
