//! Generated `Client`s against a real HTTP/1.1 server on 127.0.0.1 (tests/loopback): the exact wire
//! request is checked against recorded vectors (or, where the recipe signs the URL, recomputed here
//! with the hash crates for the custom base URL), and every answer shape — documented and hostile —
//! gives the typed result or error its kind promises. Every wait is bounded.

use hmac::{Hmac, Mac};
use payspec::client::{CallError, ClientConfig};
use payspec::transport::{SendError, TransportConfig};
use payspec::{Clock, Outcome, Secret};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

payspec::provider!("../specs/hitechpay.yaml");
payspec::provider!("../specs/ninepay.yaml");
payspec::provider!("../specs/appotapay.yaml");
payspec::provider!("../specs/vietqr.yaml");

mod loopback;
use loopback::{closed_port, response, serve, vector, Received, Reply, BOUND};

/// A JSON answer with its framing.
fn json_reply(status_line: &str, body: &Value) -> Reply {
    let text = body.to_string();
    Reply::Bytes(response(
        status_line,
        &[("content-type", "application/json"), ("content-length", &text.len().to_string()), ("connection", "close")],
        text.as_bytes(),
    ))
}

/// Any bytes as a body, with a correct length.
fn raw_reply(status_line: &str, content_type: &str, body: &[u8]) -> Reply {
    Reply::Bytes(response(
        status_line,
        &[("content-type", content_type), ("content-length", &body.len().to_string()), ("connection", "close")],
        body,
    ))
}

/// Short timeouts, a 64 KiB body limit, and the 9Pay vector's clock.
fn config() -> ClientConfig {
    ClientConfig {
        transport: TransportConfig {
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_secs(1),
            max_response_bytes: 64 * 1024,
        },
        clock: || Clock::from_secs(1_700_000_000),
    }
}

// --- HiTechPAY: the recorded refund vector, byte for byte -------------------------------------------

fn hitechpay_vector() -> (hitechpay::Credentials, hitechpay::RefundRequest, Value) {
    let v = vector("hitechpay", "hitechpay-refund-nofee-2553");
    let (c, i) = (&v["credentials"], &v["input"]);
    let creds = hitechpay::Credentials {
        app_id: c["app_id"].as_i64().unwrap(),
        key1: Secret::new(c["key1"].as_str().unwrap()),
        key2: Secret::new(c["key2"].as_str().unwrap()),
    };
    // The vector fixes app_id and timestamp, so the body does not depend on the clock.
    let req = hitechpay::RefundRequest::builder()
        .app_id(i["app_id"].as_i64().unwrap())
        .m_refund_id(i["m_refund_id"].as_str().unwrap())
        .zp_trans_id(i["zp_trans_id"].as_str().unwrap())
        .amount(i["amount"].as_i64().unwrap())
        .timestamp(i["timestamp"].as_i64().unwrap())
        .description(i["description"].as_str().unwrap())
        .build()
        .unwrap();
    (creds, req, v["expected"].clone())
}

fn hitechpay_client(addr: SocketAddr) -> hitechpay::Client {
    let (creds, _, _) = hitechpay_vector();
    let env = hitechpay::Env::custom(&format!("http://{addr}/hitechpay")).unwrap();
    hitechpay::Client::with_config(env, creds, config()).unwrap()
}

async fn hitechpay_refund(
    reply: Reply,
) -> (Result<payspec::client::Reply<hitechpay::RefundResponse>, CallError>, Received) {
    let (addr, server) = serve(reply).await;
    let (_, req, _) = hitechpay_vector();
    let client = hitechpay_client(addr);
    let result = tokio::time::timeout(BOUND, client.refund(&req)).await.expect("the call took longer than its bound");
    (result, server.await.unwrap())
}

#[tokio::test]
async fn hitechpay_refund_goes_out_as_the_vector_and_comes_back_typed() {
    let answer = json!({"return_code": 1, "return_message": "ok", "sub_return_code": 1, "refund_id": 123456789});
    let (result, got) = hitechpay_refund(json_reply("200 OK", &answer)).await;
    let (_, _, expected) = hitechpay_vector();
    assert_eq!((got.method.as_str(), got.target.as_str()), ("POST", "/hitechpay/refund"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.body, serde_json::to_vec(&expected["body"]).unwrap(), "the body bytes are the vector's");

    let reply = result.unwrap();
    assert_eq!(reply.response.return_code, 1);
    assert_eq!(reply.response.refund_id, Some(123456789));
    assert_eq!(reply.outcome(), Some(Outcome::Processing));
    assert_eq!(reply.status_match().unwrap().name, Some("ACCEPTED"));
    assert!(reply.verified.is_none(), "HiTechPAY responses are not signed");
    assert_eq!(reply.exchange.status, 200);
    assert_eq!(reply.exchange.body, answer.to_string().into_bytes());
    assert!(reply.request.url.ends_with("/hitechpay/refund"), "{}", reply.request.url);
    assert!(reply.accepted().is_ok());
}

#[tokio::test]
async fn a_refusal_is_an_answer_and_accepted_turns_it_into_an_error() {
    let answer = json!({"return_code": 2, "return_message": "dup", "sub_return_code": -23});
    let (result, _) = hitechpay_refund(json_reply("200 OK", &answer)).await;
    let reply = result.unwrap();
    assert_eq!(reply.outcome(), Some(Outcome::Rejected));
    let err = reply.accepted().unwrap_err();
    assert!(
        matches!(&err, CallError::Rejected { status, .. } if status.name == Some("DUPLICATE_M_REFUND_ID")),
        "{err:?}"
    );
    assert!(err.to_string().contains("DUPLICATE_M_REFUND_ID"), "{err}");
    assert!(!err.may_have_reached_provider(), "a refusal says what happened");

    let (result, _) = hitechpay_refund(json_reply("200 OK", &json!({"return_code": 77}))).await;
    let reply = result.unwrap();
    assert_eq!(reply.outcome(), None, "code 77 is in no row");
    assert!(matches!(reply.accepted(), Err(CallError::Unmapped { .. })));
}

#[tokio::test]
async fn hostile_answers_are_typed_errors() {
    type Case = (&'static str, Reply, fn(&CallError) -> bool, &'static str);
    let cases: Vec<Case> = vec![
        (
            "502 HTML page",
            raw_reply("502 Bad Gateway", "text/html", b"<html><body>Bad gateway</body></html>"),
            |e| matches!(e, CallError::Http { exchange, .. } if exchange.status == 502),
            "HTML",
        ),
        ("empty 200", raw_reply("200 OK", "application/json", b""), |e| matches!(e, CallError::Decode { .. }), "empty"),
        (
            "truncated JSON",
            raw_reply("200 OK", "application/json", br#"{"return_code": 1, "return_mes"#),
            |e| matches!(e, CallError::Decode { .. }),
            "truncated",
        ),
        (
            "wrong type",
            json_reply("200 OK", &json!({"return_code": "one"})),
            |e| matches!(e, CallError::Decode { .. }),
            "return_code",
        ),
        (
            "missing required field",
            json_reply("200 OK", &json!({"return_message": "ok"})),
            |e| matches!(e, CallError::Decode { .. }),
            "return_code",
        ),
        (
            "array instead of object",
            json_reply("200 OK", &json!([{"return_code": 1}])),
            |e| matches!(e, CallError::Decode { .. }),
            "an array",
        ),
        (
            "empty 503",
            raw_reply("503 Service Unavailable", "text/plain", b""),
            |e| matches!(e, CallError::Http { exchange, .. } if exchange.status == 503),
            "empty",
        ),
        (
            "body over the limit",
            raw_reply("200 OK", "application/json", &vec![b' '; 65 * 1024]),
            |e| matches!(e, CallError::Send(SendError::TooLarge { limit: 65536, status: 200, .. })),
            "limit",
        ),
        (
            "dropped before answering",
            Reply::Bytes(Vec::new()),
            |e| matches!(e, CallError::Send(SendError::Ambiguous { .. })),
            "may have reached",
        ),
    ];
    for (name, reply, kind, says) in cases {
        let (result, got) = hitechpay_refund(reply).await;
        assert_eq!(got.target, "/hitechpay/refund", "{name}");
        let err = result.expect_err(name);
        assert!(kind(&err), "{name}: {err:?}");
        assert!(err.to_string().contains(says), "{name}: {err}");
        assert!(err.may_have_reached_provider(), "{name}: the request arrived, so the refund may exist");
    }
}

#[tokio::test]
async fn a_refused_connection_is_not_sent_and_safe_to_retry() {
    let client = hitechpay_client(closed_port());
    let (_, req, _) = hitechpay_vector();
    let err = tokio::time::timeout(BOUND, client.refund(&req)).await.unwrap().unwrap_err();
    assert!(matches!(err, CallError::Send(SendError::NotSent { .. })), "{err:?}");
    assert!(!err.may_have_reached_provider());
}

#[tokio::test]
async fn an_invalid_request_is_refused_before_anything_is_sent() {
    let client = hitechpay_client(closed_port());
    let (_, mut req, _) = hitechpay_vector();
    req.amount = 0;
    let err = client.refund(&req).await.unwrap_err();
    assert!(matches!(&err, CallError::Sign(payspec::SignError::Input { field, .. }) if field == "amount"), "{err:?}");
}

// --- 9Pay: the signature covers the URL, so the custom base is signed ------------------------------

#[tokio::test]
async fn ninepay_signs_the_custom_base_url_it_sends_to() {
    let v = vector("ninepay", "ninepay-refund-create-minimal");
    let (c, i, expected) = (&v["credentials"], &v["input"], &v["expected"]);
    let creds = ninepay::Credentials::from_runtime(
        &payspec::Credentials::from_json(
            &payspec::model::load_str("ninepay.yaml", include_str!("../../specs/ninepay.yaml")).unwrap(),
            c,
        )
        .unwrap(),
    )
    .unwrap();
    let req: ninepay::RefundRequest = serde_json::from_value(i.clone()).unwrap();
    let answer = json!({"status": 2, "error_code": "999", "amount": 100000, "order_code": 42580311462342_i64, "request_id": "RF_20231114_0001"});
    let (addr, server) = serve(json_reply("200 OK", &answer)).await;
    let base = format!("http://{addr}/ninepay");
    let client = ninepay::Client::with_config(ninepay::Env::custom(&base).unwrap(), creds, config()).unwrap();
    let reply = tokio::time::timeout(BOUND, client.refund(&req)).await.unwrap().unwrap();
    let got = server.await.unwrap();

    // The vector's string to sign, with the vector's URL replaced by the one sent; its clock
    // (1700000000) is the client's.
    let sts = expected["string_to_sign"].as_str().unwrap().replace("https://sand-payment.9pay.vn", &base);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(c["secret_key"].as_str().unwrap().as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    let sig = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, mac.finalize().into_bytes());
    assert_eq!(got.target, "/ninepay/v2/refunds/create");
    assert_eq!(got.header("date"), Some("1700000000"));
    assert_eq!(
        got.header("authorization"),
        Some(format!("Signature Algorithm=HS256,Credential=NGuTdi,SignedHeaders=,Signature={sig}").as_str())
    );
    assert_ne!(expected["signature"].as_str(), Some(sig.as_str()), "a different URL gives a different signature");
    assert_eq!(got.body, serde_json::to_vec(&expected["body"]).unwrap());
    assert_eq!(reply.outcome(), Some(Outcome::Processing));
}

// --- AppotaPay v1: signed responses are verified before they are read ------------------------------

fn appotapay_client(addr: SocketAddr) -> (appotapay::Client, Value) {
    let v = vector("appotapay", "appotapay-v1-refund-response-sandbox");
    let c = &v["credentials"];
    let creds = appotapay::Credentials {
        partner_code: c["partner_code"].as_str().unwrap().into(),
        api_key: c["api_key"].as_str().unwrap().into(),
        secret_key: Secret::new(c["secret_key"].as_str().unwrap()),
    };
    let env = appotapay::Env::custom(&format!("http://{addr}/appotapay")).unwrap();
    (appotapay::Client::with_config(env, creds, config()).unwrap(), v["input"].clone())
}

async fn appotapay_refund(body: &Value) -> Result<payspec::client::Reply<appotapay::RefundResponse>, CallError> {
    let (addr, server) = serve(json_reply("200 OK", body)).await;
    let (client, _) = appotapay_client(addr);
    let req = appotapay::RefundRequest::builder()
        .refund_id("237052c887614019bedfd1851a287d9c")
        .appotapay_trans_id("AP211364332963")
        .amount(10000)
        .reason("Test refund")
        .build()
        .unwrap();
    let result = tokio::time::timeout(BOUND, client.refund(&req)).await.unwrap();
    let got = server.await.unwrap();
    assert_eq!(got.target, "/appotapay/api/v1/transaction/refund");
    assert!(got.header("x-appotapay-auth").is_some_and(|v| v.starts_with("Bearer ")), "{got:?}");
    result
}

#[tokio::test]
async fn appotapay_signed_responses_are_verified_and_forgeries_refused() {
    let (_, recorded) = appotapay_client(closed_port());
    let reply = appotapay_refund(&recorded).await.unwrap();
    assert!(reply.verified.is_some(), "the recorded response's signature verifies");
    assert_eq!(reply.response.data.as_ref().and_then(|d| d.status).map(|s| s.as_str()), Some("processing"));

    let mut forged = recorded.clone();
    forged["data"]["amount"] = json!(99999999);
    let err = appotapay_refund(&forged).await.unwrap_err();
    assert!(matches!(err, CallError::Signature { .. }), "{err:?}");
    assert!(err.may_have_reached_provider());

    let mut unsigned = recorded.clone();
    unsigned.as_object_mut().unwrap().remove("signature");
    assert!(matches!(appotapay_refund(&unsigned).await, Err(CallError::Signature { .. })));
}

// --- VietQR: a secret the provider echoes never reaches an error ------------------------------------

#[tokio::test]
async fn an_echoed_bearer_token_is_masked_in_errors() {
    let token = "eyJhbGciOiJIUzUxMiJ9.secret-token-payload.sig";
    let creds = vietqr::Credentials {
        username: "customer-vietqr-user".into(),
        password: Secret::new("pw-not-in-errors"),
        secret_key: Secret::new("refund-secret-key"),
        access_token: Some(Secret::new(token)),
        sync_secret: None,
    };
    let page = format!("<html>401: bad token Bearer {token}</html>");
    let (addr, server) = serve(raw_reply("401 Unauthorized", "text/html", page.as_bytes())).await;
    let env = vietqr::Env::custom(&format!("http://{addr}/vietqr")).unwrap();
    let client = vietqr::Client::with_config(env, creds, config()).unwrap();
    let req = vietqr::RefundRequest::builder()
        .bank_code("MB")
        .bank_account("0123456789")
        .reference_number("FT24001")
        .amount("10000")
        .content("refund")
        .build()
        .unwrap();
    let err = tokio::time::timeout(BOUND, client.refund(&req)).await.unwrap().unwrap_err();
    let got = server.await.unwrap();
    assert_eq!(got.header("authorization"), Some(format!("Bearer {token}").as_str()));
    assert!(matches!(err, CallError::Http { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains("secret-token-payload"), "{shown}");
        assert!(!shown.contains("pw-not-in-errors") && !shown.contains("refund-secret-key"), "{shown}");
    }
}

// --- Response shapes: arrays with a status per row, error envelopes, unsigned error bodies ----------

fn vietqr_client(addr: SocketAddr) -> vietqr::Client {
    let creds = vietqr::Credentials {
        username: "customer-vietqr-user".into(),
        password: Secret::new("pw"),
        secret_key: Secret::new("refund-secret-key"),
        access_token: Some(Secret::new("token-value")),
        sync_secret: None,
    };
    vietqr::Client::with_config(vietqr::Env::custom(&format!("http://{addr}/vietqr")).unwrap(), creds, config())
        .unwrap()
}

async fn check_order(
    reply: Reply,
) -> Result<
    payspec::client::Reply<payspec::client::Answer<vietqr::CheckOrderResponse, vietqr::CheckOrderError>>,
    CallError,
> {
    let (addr, server) = serve(reply).await;
    let req =
        vietqr::CheckOrderRequest::builder().bank_account("0123456789").r#type("1").value("FT24001").build().unwrap();
    let result = tokio::time::timeout(BOUND, vietqr_client(addr).check_order(&req)).await.unwrap();
    assert_eq!(server.await.unwrap().target, "/vietqr/api/transactions/check-order");
    result
}

#[tokio::test]
async fn vietqr_check_order_rows_and_its_error_envelope() {
    use payspec::client::Answer;
    let rows = json!([
        {"referenceNumber": "FT24001", "amount": 10000, "status": 1, "type": 0, "refundCount": 1, "amountRefunded": 4000},
        {"referenceNumber": "FT24001", "amount": 4000, "status": 0, "type": 6},
    ]);
    let reply = check_order(json_reply("200 OK", &rows)).await.unwrap();
    let Answer::Success(vietqr::CheckOrderResponse(got)) = &reply.response else { panic!("{:?}", reply.response) };
    assert_eq!((got.len(), got[0].amount_refunded, got[1].r#type), (2, Some(4000), Some(6)));
    let per_row: Vec<_> = reply.status.as_ref().unwrap().rows().unwrap().iter().map(|s| s.outcome).collect();
    assert_eq!(per_row, [None, Some(Outcome::Processing)], "a payment row is diagnostic, the refund row is waiting");
    assert_eq!(reply.outcome(), None, "an array answer has no single outcome");

    let empty = check_order(json_reply("200 OK", &json!([]))).await.unwrap();
    assert!(empty.status.as_ref().unwrap().is_empty_rows(), "no rows is its own answer, not a success");

    let error = json!({"status": "FAILED", "message": "E96"});
    let reply = check_order(json_reply("400 Bad Request", &error)).await.unwrap();
    assert!(matches!(&reply.response, Answer::Error(e) if e.message.as_deref() == Some("E96")), "{:?}", reply.response);
    assert_eq!(reply.outcome(), Some(Outcome::Rejected));
    assert_eq!(reply.status_match().unwrap().name, Some("TRANSACTION_NOT_FOUND"));

    // A 200 body that is an object where rows are documented: the wrong shape, not an answer.
    let err = check_order(json_reply("200 OK", &json!({"status": "SUCCESS"}))).await.unwrap_err();
    assert!(matches!(err, CallError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn an_appotapay_v1_error_body_is_marked_unsigned_never_verified() {
    let reply = appotapay_refund(&json!({"errorCode": 40, "message": "Transaction already refunded"})).await.unwrap();
    assert!(reply.verified.is_none());
    assert!(reply.unsigned.as_deref().is_some_and(|why| why.contains("errorCode")), "{:?}", reply.unsigned);
    assert_eq!(reply.outcome(), Some(Outcome::Rejected));
    assert_eq!(reply.status_match().unwrap().name, Some("ALREADY_REFUNDED"));
    // A success code still needs its signature.
    let err =
        appotapay_refund(&json!({"errorCode": 0, "message": "ok", "data": {"status": "success"}})).await.unwrap_err();
    assert!(matches!(err, CallError::Signature { .. }), "{err:?}");
}

#[tokio::test]
async fn a_ninepay_4xx_page_is_an_http_error_with_what_its_status_table_says() {
    let v = vector("ninepay", "ninepay-refund-create-minimal");
    let spec = payspec::model::load_str("ninepay.yaml", include_str!("../../specs/ninepay.yaml")).unwrap();
    let creds = ninepay::Credentials::from_runtime(&payspec::Credentials::from_json(&spec, &v["credentials"]).unwrap())
        .unwrap();
    let req: ninepay::RefundRequest = serde_json::from_value(v["input"].clone()).unwrap();
    for (status_line, outcome) in
        [("403 Forbidden", Outcome::Rejected), ("503 Service Unavailable", Outcome::Indeterminate)]
    {
        let (addr, server) = serve(raw_reply(status_line, "text/html", b"<html>nope</html>")).await;
        let env = ninepay::Env::custom(&format!("http://{addr}/ninepay")).unwrap();
        let client = ninepay::Client::with_config(env, creds.clone(), config()).unwrap();
        let err = tokio::time::timeout(BOUND, client.refund(&req)).await.unwrap().unwrap_err();
        server.await.unwrap();
        let CallError::Http { status: Some(s), .. } = &err else { panic!("{status_line}: {err:?}") };
        assert_eq!(s.outcome, Some(outcome), "{status_line}");
        assert!(err.to_string().contains("status table"), "{err}");
    }
}
