//! Forgeries that moved text across field boundaries without touching the signed string, refused by
//! the interpreter and by the generated verifiers alike (issue 6, section 2).

use payspec::serde_json::{self, json, Map, Value};
use payspec::{Credentials, Interpreter, SignError, VerifyError};
use std::path::{Path, PathBuf};

payspec::provider!("../specs/vietqr.yaml");
payspec::provider!("../specs/bbmsl.yaml");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The spec as the `provider!` calls name it, so errors carry the same locations on both paths.
fn spec(provider: &str) -> payspec::model::Spec {
    let given = format!("../specs/{provider}.yaml");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&given)).unwrap();
    payspec::model::load_str(&given, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn vector(provider: &str, id: &str) -> Value {
    let path = root().join(format!("vectors/{provider}/{id}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn creds(spec: &payspec::model::Spec, v: &Value) -> Credentials {
    Credentials::from_json(spec, &v["credentials"]).unwrap()
}

fn malformed_field(e: &VerifyError) -> &str {
    match e {
        VerifyError::Malformed { field, .. } => field,
        other => panic!("expected a malformed payload, got {other}"),
    }
}

// ---- VietQR transaction_sync ---------------------------------------------------------------------

fn vietqr_published() -> (payspec::model::Spec, Credentials, Map<String, Value>) {
    let spec = spec("vietqr");
    let v = vector("vietqr", "vietqr-transaction-sync-signature-published");
    let c = creds(&spec, &v);
    (spec, c, v["input"].as_object().unwrap().clone())
}

#[test]
fn vietqr_published_callback_still_verifies_on_both_paths() {
    let (spec, rt, payload) = vietqr_published();
    let interp = Interpreter::new(&spec).verify_callback("transaction_sync", &payload, &rt).unwrap();
    let generated = vietqr::DYNAMIC
        .verify_callback("transaction_sync", &payload, &vietqr::Credentials::from_runtime(&rt).unwrap())
        .unwrap();
    assert_eq!(interp, generated);
    assert_eq!(
        interp.stages.string_to_sign.0,
        "0a4cc317-3af3-4055-bc83-7296adb624bf00001000002024-05-1701:530a4cc317-3af3-4055-bc83-7296adb624bf"
    );
}

/// `transactionId += "000"`, `amount = "0100000202"` (100 000 → 100 000 202), the time shortened by
/// the three characters the amount took: the same string to sign, so the published signature fits.
#[test]
fn vietqr_amount_shift_forgery_is_refused_on_both_paths() {
    let (spec, rt, mut forged) = vietqr_published();
    let id = forged["transactionId"].as_str().unwrap().to_string();
    forged.insert("transactionId".into(), json!(format!("{id}000")));
    forged.insert("amount".into(), json!("0100000202"));
    forged.insert("transactionTime".into(), json!("4-05-1701:53"));
    // The forgery really keeps the signed string (so only the widths can catch it).
    let message = format!("{id}000{}{}{}", "0100000202", "4-05-1701:53", forged["orderId"].as_str().unwrap());
    assert_eq!(
        message,
        "0a4cc317-3af3-4055-bc83-7296adb624bf00001000002024-05-1701:530a4cc317-3af3-4055-bc83-7296adb624bf"
    );
    // ... and the published signature is the HMAC of it, so only the widths can catch the forgery.
    let key = b"YWN0aXZlX3NpZ24ga2V5LiBLZWVwIGl0IHNlY3JldCE=";
    assert_eq!(hex::encode(payspec::crypto::hmac_sha256(key, message.as_bytes())), forged["signature"]);
    let interp = Interpreter::new(&spec).verify_callback("transaction_sync", &forged, &rt).unwrap_err();
    let generated = vietqr::DYNAMIC
        .verify_callback("transaction_sync", &forged, &vietqr::Credentials::from_runtime(&rt).unwrap())
        .unwrap_err();
    assert_eq!(interp, generated);
    assert_eq!(malformed_field(&interp), "transactionId", "{interp}");
}

/// The orderId variant: the last character of transactionTime moved to the front of orderId.
#[test]
fn vietqr_order_id_shift_forgery_is_refused_on_both_paths() {
    let (spec, rt, mut forged) = vietqr_published();
    forged.insert("transactionTime".into(), json!("2024-05-1701:5"));
    let order = forged["orderId"].as_str().unwrap().to_string();
    forged.insert("orderId".into(), json!(format!("3{order}")));
    let interp = Interpreter::new(&spec).verify_callback("transaction_sync", &forged, &rt).unwrap_err();
    let generated = vietqr::DYNAMIC
        .verify_callback("transaction_sync", &forged, &vietqr::Credentials::from_runtime(&rt).unwrap())
        .unwrap_err();
    assert_eq!(interp, generated);
    assert_eq!(malformed_field(&interp), "transactionTime", "{interp}");
}

/// An amount wider than its pad width is refused, not signed unpadded (here: 11 digits given as a
/// number, which the amount pattern refuses first; and the pad rule itself, on a spec without the
/// pattern, below).
#[test]
fn vietqr_amount_wider_than_its_pad_is_refused() {
    let (spec, rt, mut forged) = vietqr_published();
    forged.insert("amount".into(), json!(10_000_000_000i64));
    let interp = Interpreter::new(&spec).verify_callback("transaction_sync", &forged, &rt).unwrap_err();
    let generated = vietqr::DYNAMIC
        .verify_callback("transaction_sync", &forged, &vietqr::Credentials::from_runtime(&rt).unwrap())
        .unwrap_err();
    assert_eq!(interp, generated);
    assert_eq!(malformed_field(&interp), "amount", "{interp}");
}

#[test]
fn pad_left_width_is_enforced_when_verifying_and_signing() {
    let spec = payspec::model::load_str(
        "pad.yaml",
        r#"
provider: pad
title: Pad
environments: { sandbox: https://x.test }
credentials: { key: { secret: true } }
operations:
  op:
    method: POST
    path: /op
    request: { amount: { type: integer, required: true } }
    sign:
      provenance: { source: test, confidence: inferred }
      message: { concat: [{ field: amount, pad_left: 4 }] }
      digest: { alg: hmac-sha256, key: cred:key }
      encode: hex
      place: body.mac
callbacks:
  cb:
    fields: { amount: { type: integer, required: true }, id: { type: string, required: true }, mac: { type: string, required: true } }
    verify:
      provenance: { source: test, confidence: inferred }
      message: { concat: [{ field: amount, pad_left: 4 }, id] }
      digest: { alg: hmac-sha256, key: cred:key }
      encode: hex
      place: body.mac
"#,
    )
    .unwrap();
    let rt = Credentials::from_json(&spec, &json!({"key": "k"})).unwrap();
    let interp = Interpreter::new(&spec);
    // "12345" + "6" and "1234" + "56" would not even pad alike; what matters is that the wide value
    // is refused, naming the field, before any signature is computed.
    let mac = hex::encode(payspec::crypto::hmac_sha256(b"k", b"123456"));
    let wide = json!({"amount": 12345, "id": "6", "mac": mac});
    let e = interp.verify_callback("cb", wide.as_object().unwrap(), &rt).unwrap_err();
    assert_eq!(malformed_field(&e), "amount", "{e}");
    assert!(e.to_string().contains("wider than the 4"), "{e}");
    let e = interp
        .sign("op", json!({"amount": 12345}).as_object().unwrap(), &rt, "sandbox", payspec::Clock::from_secs(0))
        .unwrap_err();
    assert!(
        matches!(&e, SignError::Stage { problem, .. } if problem.contains("wider than its pad_left width 4")),
        "{e}"
    );
    let ok = interp
        .sign("op", json!({"amount": 1234}).as_object().unwrap(), &rt, "sandbox", payspec::Clock::from_secs(0))
        .unwrap();
    assert_eq!(ok.stages[0].string_to_sign.0, "1234");
}

// ---- BBMSL notification (raw pairs over every received field) -------------------------------------

fn bbmsl_synthetic() -> (payspec::model::Spec, Credentials, Map<String, Value>) {
    let spec = spec("bbmsl");
    let v = vector("bbmsl", "bbmsl-notification-synthetic");
    let mut c = v["credentials"].as_object().unwrap().clone();
    // The vector names the key that signed it `private_key`; the spec's simulator key is gateway_private_key.
    if let Some(k) = c.get("private_key").cloned() {
        c.insert("gateway_private_key".into(), k);
    }
    let rt = Credentials::from_json(&spec, &Value::Object(c)).unwrap();
    (spec, rt, v["input"].as_object().unwrap().clone())
}

#[test]
fn bbmsl_synthetic_notification_still_verifies_on_both_paths() {
    let (spec, rt, payload) = bbmsl_synthetic();
    let interp = Interpreter::new(&spec).verify_callback("notification", &payload, &rt).unwrap();
    let generated = bbmsl::DYNAMIC
        .verify_callback("notification", &payload, &bbmsl::Credentials::from_runtime(&rt).unwrap())
        .unwrap();
    assert_eq!(interp, generated);
}

/// `updateTime` dropped and carried inside `status`: the sorted raw pairs are byte for byte the same,
/// so BBMSL's real RSA signature verifies — unless a value holding `&` or `=` is refused.
#[test]
fn bbmsl_status_absorbing_update_time_is_refused_on_both_paths() {
    let (spec, rt, mut forged) = bbmsl_synthetic();
    let time = forged.shift_remove("updateTime").unwrap();
    forged.insert("status".into(), json!(format!("SUCCESS&updateTime={}", time.as_str().unwrap())));
    // The forged payload's sorted raw pairs are the published string, and the RSA signature verifies.
    let mut pairs: Vec<String> = forged
        .iter()
        .filter(|(k, _)| *k != "signature")
        .map(|(k, v)| format!("{k}={}", payspec::interp::render(v)))
        .collect();
    pairs.sort();
    let canonical = pairs.join("&");
    let v = vector("bbmsl", "bbmsl-notification-synthetic");
    assert_eq!(canonical, v["expected"]["string_to_sign"]);
    let sig = payspec::crypto::decode(payspec::model::Encoding::Base64, forged["signature"].as_str().unwrap()).unwrap();
    let public = v["credentials"]["gateway_public_key"].as_str().unwrap();
    assert!(payspec::crypto::rsa_sha256_verify(public, canonical.as_bytes(), &sig).unwrap());
    let interp = Interpreter::new(&spec).verify_callback("notification", &forged, &rt).unwrap_err();
    let generated = bbmsl::DYNAMIC
        .verify_callback("notification", &forged, &bbmsl::Credentials::from_runtime(&rt).unwrap())
        .unwrap_err();
    assert_eq!(interp, generated);
    assert_eq!(malformed_field(&interp), "status", "{interp}");
    assert!(interp.to_string().contains("contains `&`, a separator of the signed message"), "{interp}");
    // The provider-side simulator refuses to sign such a payload too.
    let mut unsigned = forged.clone();
    unsigned.remove("signature");
    let e = Interpreter::new(&spec).sign_callback("notification", &unsigned, &rt).unwrap_err();
    assert!(matches!(&e, SignError::Input { field, .. } if field == "status"), "{e}");
}

/// A received field name holding the separators is refused as well (the pairs cover every field).
#[test]
fn bbmsl_field_name_with_separator_is_refused_on_both_paths() {
    let (spec, rt, mut forged) = bbmsl_synthetic();
    let time = forged.shift_remove("updateTime").unwrap();
    forged.insert("status=SUCCESS&updateTime".into(), time);
    forged.insert("status".into(), json!("SUCCESS"));
    let interp = Interpreter::new(&spec).verify_callback("notification", &forged, &rt).unwrap_err();
    let generated = bbmsl::DYNAMIC
        .verify_callback("notification", &forged, &bbmsl::Credentials::from_runtime(&rt).unwrap())
        .unwrap_err();
    assert_eq!(interp, generated);
    assert_eq!(malformed_field(&interp), "status=SUCCESS&updateTime", "{interp}");
}
