//! Signing and verifying throughput: generated code vs the interpreter, HMAC vs RSA, spec loading.
//! `cargo bench -p payspec --bench sign` (add `--features rsa-rustcrypto` to compare the RSA backends)

use criterion::{criterion_group, criterion_main, Criterion};
use payspec::{Clock, Credentials, Interpreter};
use serde_json::json;
use std::hint::black_box;

payspec::provider!("../specs/hitechpay.yaml");

fn root(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn benches(c: &mut Criterion) {
    let text = std::fs::read_to_string(root("specs/hitechpay.yaml")).unwrap();
    c.bench_function("load+validate hitechpay.yaml", |b| {
        b.iter(|| payspec::model::load_str("hitechpay.yaml", black_box(&text)).unwrap())
    });

    let spec = payspec::model::load_str("hitechpay.yaml", &text).unwrap();
    let creds_json =
        json!({"app_id": 2553, "key1": "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL", "key2": "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"});
    let rt = Credentials::from_json(&spec, &creds_json).unwrap();
    let input = json!({"m_refund_id": "200904_2553_1599189500000123", "zp_trans_id": "200904000000389", "amount": 10000, "description": "Hoàn tiền đơn hàng #1"});
    let input = input.as_object().unwrap();
    let clock = Clock::from_secs(1_599_189_500);
    let interp = Interpreter::new(&spec);
    c.bench_function("refund, interpreter (hmac-sha256)", |b| {
        b.iter(|| interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap())
    });

    let creds = hitechpay::Credentials::from_runtime(&rt).unwrap();
    let req = hitechpay::RefundRequest::builder()
        .m_refund_id("200904_2553_1599189500000123")
        .zp_trans_id("200904000000389")
        .amount(10000)
        .description("Hoàn tiền đơn hàng #1")
        .build()
        .unwrap();
    c.bench_function("refund, generated (hmac-sha256)", |b| {
        b.iter(|| hitechpay::sign_refund(black_box(&req), &creds, hitechpay::Env::Sandbox, clock).unwrap())
    });

    let cb: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root("vectors/hitechpay/hitechpay-callback-published-2553.json")).unwrap(),
    )
    .unwrap();
    let payload = cb["input"].as_object().unwrap();
    c.bench_function("callback verify, interpreter", |b| {
        b.iter(|| interp.verify_callback("callback", black_box(payload), &rt).unwrap())
    });
    c.bench_function("callback verify, generated", |b| {
        b.iter(|| hitechpay::verify_callback(black_box(payload), &creds).unwrap())
    });

    let bbmsl_text = std::fs::read_to_string(root("specs/bbmsl.yaml")).unwrap();
    let bbmsl = payspec::model::load_str("bbmsl.yaml", &bbmsl_text).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root("vectors/bbmsl/bbmsl-refund-request.json")).unwrap())
            .unwrap();
    let bcreds = Credentials::from_json(&bbmsl, &v["credentials"]).unwrap();
    let binterp = Interpreter::new(&bbmsl);
    let binput = v["input"].as_object().unwrap();
    c.bench_function("refund envelope, interpreter (rsa-sha256 2048)", |b| {
        b.iter(|| binterp.sign("refund", black_box(binput), &bcreds, "sandbox", clock).unwrap())
    });

    // RSA-2048 PKCS#1 v1.5 SHA-256 on each backend compiled in, side by side (PEM text in, as the
    // interpreter and generated code call it). Both: `--features rsa-rustcrypto`.
    let private = std::fs::read_to_string(root("conformance/keys/test_private_key.pem")).unwrap();
    let public = std::fs::read_to_string(root("conformance/keys/test_public_key.pem")).unwrap();
    let msg = binput.get("merchantReference").map(|v| v.to_string()).unwrap_or_default().repeat(8);
    for backend in payspec::crypto::RsaBackend::ALL {
        let sig = backend.sign_sha256(&private, msg.as_bytes()).unwrap();
        c.bench_function(&format!("rsa-2048 sign, {}", backend.name()), |b| {
            b.iter(|| backend.sign_sha256(&private, black_box(msg.as_bytes())).unwrap())
        });
        c.bench_function(&format!("rsa-2048 verify, {}", backend.name()), |b| {
            b.iter(|| assert!(backend.verify_sha256(&public, black_box(msg.as_bytes()), &sig).unwrap()))
        });
    }
}

criterion_group!(sign, benches);
criterion_main!(sign);
