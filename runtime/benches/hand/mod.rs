//! Hand-written baselines: the shortest correct Rust a careful engineer would write for each seed
//! recipe — `format!` + the hash crate + hex/base64, building the same method, URL, headers and JSON
//! body as the generated signer. No payspec code: only std, serde_json, hmac, sha2, md-5, hex, base64,
//! percent-encoding, subtle and (for RSA) aws-lc-rs.
//!
//! Like code written by hand, these do not validate inputs (lengths, patterns, bounds) and carry no
//! stages; the bench asserts that their output equals the generated signer's and the interpreter's
//! before timing anything.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use md5::Md5;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// A request ready for the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// HTTP method.
    pub method: &'static str,
    /// Full URL.
    pub url: String,
    /// Headers, in the order they are sent.
    pub headers: Vec<(&'static str, String)>,
    /// JSON body.
    pub body: Value,
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

// ---- HiTechPAY (ZaloPay v2) refund: hex HMAC-SHA256(key1, app_id|zp_trans_id|amount[|fee]|description|timestamp)

/// HiTechPAY refund fields.
pub struct HitechpayRefund<'a> {
    pub m_refund_id: &'a str,
    pub zp_trans_id: &'a str,
    pub amount: i64,
    pub refund_fee_amount: Option<i64>,
    pub description: &'a str,
}

/// HiTechPAY refund on the sandbox host.
pub fn hitechpay_refund(r: &HitechpayRefund, app_id: i64, key1: &str, now_ms: i64) -> Request {
    let fee = r.refund_fee_amount.map(|f| format!("|{f}")).unwrap_or_default();
    let msg = format!("{app_id}|{}|{}{fee}|{}|{now_ms}", r.zp_trans_id, r.amount, r.description);
    let mac = hex::encode(hmac_sha256(key1.as_bytes(), msg.as_bytes()));
    let mut body = Map::new();
    body.insert("app_id".into(), app_id.into());
    body.insert("m_refund_id".into(), r.m_refund_id.into());
    body.insert("zp_trans_id".into(), r.zp_trans_id.into());
    body.insert("amount".into(), r.amount.into());
    if let Some(f) = r.refund_fee_amount {
        body.insert("refund_fee_amount".into(), f.into());
    }
    body.insert("timestamp".into(), now_ms.into());
    body.insert("description".into(), r.description.into());
    body.insert("mac".into(), mac.into());
    Request {
        method: "POST",
        url: format!("{}/refund", "https://sb-openapi.hitechpay.vn/v2"),
        headers: vec![("Content-Type", "application/json".into())],
        body: Value::Object(body),
    }
}

/// HiTechPAY payment callback: `mac` = hex HMAC-SHA256(key2, data), compared in constant time; the
/// payload with `data` (JSON text) decoded. `None` for a bad or missing signature or malformed data.
pub fn hitechpay_callback(payload: &Map<String, Value>, key2: &str) -> Option<Value> {
    let data = payload.get("data")?.as_str()?;
    let mac = payload.get("mac")?.as_str()?;
    let want = hex::encode(hmac_sha256(key2.as_bytes(), data.as_bytes()));
    if !bool::from(subtle::ConstantTimeEq::ct_eq(want.as_bytes(), mac.as_bytes())) {
        return None;
    }
    let mut out = payload.clone();
    out.insert("data".into(), serde_json::from_str(data).ok()?);
    Some(Value::Object(out))
}

// ---- VietQR refund: checkSum = hex MD5(secret_key + referenceNumber + amount + bankAccount); Bearer token

/// VietQR refund fields.
pub struct VietqrRefund<'a> {
    pub bank_code: &'a str,
    pub bank_account: &'a str,
    pub reference_number: &'a str,
    pub amount: &'a str,
    pub content: &'a str,
    pub multi_times: Option<bool>,
}

/// VietQR refund on the sandbox host.
pub fn vietqr_refund(r: &VietqrRefund, secret_key: &str, access_token: &str) -> Request {
    let sum = Md5::digest(format!("{secret_key}{}{}{}", r.reference_number, r.amount, r.bank_account));
    let mut body = Map::new();
    body.insert("bankCode".into(), r.bank_code.into());
    body.insert("bankAccount".into(), r.bank_account.into());
    body.insert("referenceNumber".into(), r.reference_number.into());
    body.insert("amount".into(), r.amount.into());
    body.insert("content".into(), r.content.into());
    if let Some(m) = r.multi_times {
        body.insert("multiTimes".into(), m.into());
    }
    body.insert("checkSum".into(), hex::encode(sum).into());
    Request {
        method: "POST",
        url: format!("{}/api/transaction/refund", "https://dev.vietqr.org/vqr"),
        headers: vec![("Content-Type", "application/json".into()), ("Authorization", format!("Bearer {access_token}"))],
        body: Value::Object(body),
    }
}

// ---- 9Pay refund: base64 HMAC-SHA256(secret_key, METHOD\nURL\nDate\nsorted form-encoded body pairs)

/// 9Pay refund fields (the bank fields go together).
pub struct NinepayRefund<'a> {
    pub request_id: &'a str,
    pub payment_no: i64,
    pub amount: i64,
    pub description: &'a str,
    pub bank: Option<(&'a str, &'a str, &'a str)>,
}

/// PHP `urlencode`: everything but `A-Z a-z 0-9 - _ .` as `%XX`, space as `+`.
fn form(v: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    percent_encoding::utf8_percent_encode(v, SET).to_string().replace("%20", "+")
}

/// 9Pay refund on the sandbox host.
pub fn ninepay_refund(r: &NinepayRefund, merchant_key: &str, secret_key: &str, now_s: i64) -> Request {
    let url = format!("{}/v2/refunds/create", "https://sand-payment.9pay.vn");
    // Sorted by key; empty optional values are left out of the body and the signature.
    let bank = r.bank.filter(|(b, a, c)| !b.is_empty() && !a.is_empty() && !c.is_empty());
    let pairs = match bank {
        Some((bank, account, name)) => format!(
            "account_number={}&amount={}&bank={}&customer_name={}&description={}&payment_no={}&request_id={}",
            form(account),
            r.amount,
            form(bank),
            form(name),
            form(r.description),
            r.payment_no,
            form(r.request_id)
        ),
        None => format!(
            "amount={}&description={}&payment_no={}&request_id={}",
            r.amount,
            form(r.description),
            r.payment_no,
            form(r.request_id)
        ),
    };
    let msg = format!("POST\n{url}\n{now_s}\n{pairs}");
    let sig = STANDARD.encode(hmac_sha256(secret_key.as_bytes(), msg.as_bytes()));
    let mut body = Map::new();
    body.insert("request_id".into(), r.request_id.into());
    body.insert("payment_no".into(), r.payment_no.into());
    body.insert("amount".into(), r.amount.into());
    body.insert("description".into(), r.description.into());
    if let Some((bank, account, name)) = bank {
        body.insert("bank".into(), bank.into());
        body.insert("account_number".into(), account.into());
        body.insert("customer_name".into(), name.into());
    }
    Request {
        method: "POST",
        url,
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("Date", now_s.to_string()),
            (
                "Authorization",
                format!("Signature Algorithm=HS256,Credential={merchant_key},SignedHeaders=,Signature={sig}"),
            ),
        ],
        body: Value::Object(body),
    }
}

// ---- AppotaPay v1 refund: hex HMAC-SHA256(secret_key, sorted raw pairs); HS256 JWT with Bearer

/// AppotaPay v1 refund fields.
pub struct AppotapayRefund<'a> {
    pub refund_id: &'a str,
    pub appotapay_trans_id: &'a str,
    pub amount: i64,
    pub reason: &'a str,
}

/// AppotaPay v1 refund on the sandbox v1 host.
pub fn appotapay_refund(
    r: &AppotapayRefund,
    partner_code: &str,
    api_key: &str,
    secret_key: &str,
    now_s: i64,
) -> Request {
    let msg = format!(
        "amount={}&appotapayTransId={}&reason={}&refundId={}",
        r.amount, r.appotapay_trans_id, r.reason, r.refund_id
    );
    let sig = hex::encode(hmac_sha256(secret_key.as_bytes(), msg.as_bytes()));
    let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256","cty":"appotapay-api;v=1"}"#);
    let claims =
        json!({"iss": partner_code, "jti": format!("{api_key}-{now_s}"), "api_key": api_key, "exp": now_s + 300});
    let jwt = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let jwt_sig = URL_SAFE_NO_PAD.encode(hmac_sha256(secret_key.as_bytes(), jwt.as_bytes()));
    let mut body = Map::new();
    body.insert("refundId".into(), r.refund_id.into());
    body.insert("appotapayTransId".into(), r.appotapay_trans_id.into());
    body.insert("amount".into(), r.amount.into());
    body.insert("reason".into(), r.reason.into());
    body.insert("signature".into(), sig.into());
    Request {
        method: "POST",
        url: format!("{}/api/v1/transaction/refund", "https://payment.dev.appotapay.com"),
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("X-APPOTAPAY-AUTH", format!("Bearer {jwt}.{jwt_sig}")),
        ],
        body: Value::Object(body),
    }
}

// ---- BBMSL refund: {"request": <JSON text>, "signature": base64 SHA256withRSA(private key, text)}

/// BBMSL refund fields.
#[cfg(feature = "aws-lc-rs")]
pub struct BbmslRefund<'a> {
    pub merchant_id: i64,
    pub order_id: Option<i64>,
    pub merchant_reference: Option<&'a str>,
    /// The decimal amount, exact text (`699.00`).
    pub amount: &'a serde_json::Number,
}

/// The merchant's RSA key, parsed once from PEM (PKCS#8) when the service starts.
#[cfg(feature = "aws-lc-rs")]
pub fn bbmsl_key(pem: &str) -> aws_lc_rs::signature::RsaKeyPair {
    let (_label, der) = pem_rfc7468::decode_vec(pem.as_bytes()).expect("PEM");
    aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).expect("PKCS#8 RSA key")
}

/// BBMSL refund on the sandbox host.
#[cfg(feature = "aws-lc-rs")]
pub fn bbmsl_refund(r: &BbmslRefund, key: &aws_lc_rs::signature::RsaKeyPair) -> Request {
    let mut req = Map::new();
    req.insert("merchantId".into(), r.merchant_id.into());
    if let Some(id) = r.order_id {
        req.insert("orderId".into(), id.into());
    }
    if let Some(m) = r.merchant_reference {
        req.insert("merchantReference".into(), m.into());
    }
    req.insert("amount".into(), Value::Number(r.amount.clone()));
    let text = Value::Object(req).to_string();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), text.as_bytes(), &mut sig)
        .expect("RSA sign");
    Request {
        method: "POST",
        url: format!("{}/hosted-checkout/refund", "https://payapi.sit.bbmsl.com"),
        headers: vec![("Content-Type", "application/json".into())],
        body: json!({"request": text, "signature": STANDARD.encode(sig)}),
    }
}
