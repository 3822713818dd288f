//! `payspec::transport` against a real HTTP/1.1 server on 127.0.0.1, written here on a raw
//! `TcpListener` so faults can be injected exactly: what arrives is compared byte for byte with the
//! generated signers' `SignedRequest`, and each fault gives the `SendError` its kind promises.
//! Every wait is bounded (≤ 2 s).

use payspec::transport::{Exchange, SendError, Transport, TransportConfig};
use payspec::{Body, SignedRequest};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

payspec::provider!("../specs/hitechpay.yaml");
payspec::provider!("../specs/vietqr.yaml");

mod loopback;
use loopback::{closed_port, response, serve, vector, Reply, BOUND};

fn transport(request_timeout: Duration) -> Transport {
    Transport::new(TransportConfig {
        connect_timeout: Duration::from_millis(500),
        request_timeout,
        ..TransportConfig::default()
    })
    .unwrap()
}

async fn send(t: &Transport, req: &SignedRequest) -> Result<Exchange, SendError> {
    tokio::time::timeout(BOUND, t.send(req)).await.expect("send took longer than its bound")
}

/// The recorded HiTechPAY refund vector signed by the generated signer, sent to `addr`.
fn hitechpay_refund(addr: SocketAddr) -> (SignedRequest, Value) {
    let v = vector("hitechpay", "hitechpay-refund-nofee-2553");
    let (c, i) = (&v["credentials"], &v["input"]);
    let creds = hitechpay::Credentials {
        app_id: c["app_id"].as_i64().unwrap(),
        key1: payspec::Secret::new(c["key1"].as_str().unwrap()),
        key2: payspec::Secret::new(c["key2"].as_str().unwrap()),
    };
    let req = hitechpay::RefundRequest::builder()
        .m_refund_id(i["m_refund_id"].as_str().unwrap())
        .zp_trans_id(i["zp_trans_id"].as_str().unwrap())
        .amount(i["amount"].as_i64().unwrap())
        .description(i["description"].as_str().unwrap())
        .build()
        .unwrap();
    let clock = payspec::Clock { now_ms: i["timestamp"].as_i64().unwrap() };
    let mut signed = hitechpay::sign_refund(&req, &creds, hitechpay::Env::Sandbox, clock).unwrap();
    assert_eq!(signed.url, v["expected"]["url"].as_str().unwrap());
    signed.url = signed.url.replace("https://sb-openapi.hitechpay.vn", &format!("http://{addr}"));
    (signed, v)
}

#[tokio::test]
async fn a_signed_hitechpay_refund_arrives_byte_for_byte_and_the_exchange_keeps_the_answer() {
    let answer = br#"{"return_code":2,"return_message":"Giao dich dang xu ly","refund_id":12345}"#;
    let len = answer.len().to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Zeta", "last-letter"),
        ("X-Alpha", "first"),
        ("Content-Length", &len),
    ];
    let (addr, server) = serve(Reply::Bytes(response("200 OK", &headers, answer))).await;
    let (signed, vector) = hitechpay_refund(addr);

    let exchange = send(&transport(BOUND), &signed).await.unwrap();
    let got = server.await.unwrap();

    // The request line, as signed.
    assert_eq!(got.method, signed.method);
    assert_eq!(got.target, "/v2/refund");
    // Each signed header arrives with its exact value, in the signed order (`host`, `accept` and
    // `content-length` are the HTTP stack's own additions).
    let mut last = None;
    assert!(!signed.headers.is_empty());
    for (name, value) in &signed.headers {
        let at = got
            .headers
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("header {name} did not arrive: {:?}", got.headers));
        assert_eq!(&got.headers[at].1, value, "header {name}");
        assert!(last < Some(at), "header {name} arrived out of order: {:?}", got.headers);
        last = Some(at);
    }
    // The body: exactly the compact JSON text of the signed body (what `ctx:payload` renders),
    // which is the recorded vector's body with its recorded MAC.
    let Body::Json(body) = &signed.body else { panic!("expected a JSON body, got {:?}", signed.body) };
    assert_eq!(got.body, serde_json::to_string(body).unwrap().into_bytes());
    assert_eq!(serde_json::from_slice::<Value>(&got.body).unwrap(), vector["expected"]["body"]);
    assert!(String::from_utf8(got.body.clone())
        .unwrap()
        .contains(r#""mac":"5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01""#));

    // The exchange keeps the answer: status, headers in the server's order, body bytes.
    assert_eq!((exchange.status, exchange.reason.as_str(), exchange.version.as_str()), (200, "OK", "HTTP/1.1"));
    let names: Vec<&str> = exchange.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["content-type", "x-zeta", "x-alpha", "content-length"]);
    assert_eq!(exchange.header("X-Zeta"), Some("last-letter"));
    assert_eq!(exchange.body, answer);
    assert!(exchange.elapsed > Duration::ZERO && exchange.elapsed < BOUND);
    let shown = exchange.to_string();
    assert!(shown.starts_with("HTTP/1.1 200 OK\ncontent-type: application/json\nx-zeta: last-letter\n"), "{shown}");
    assert!(shown.ends_with(std::str::from_utf8(answer).unwrap()), "{shown}");
    assert!(format!("{exchange:?}").contains("HTTP/1.1 200 OK"));
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let addr = closed_port();
    let (signed, _) = hitechpay_refund(addr);
    let err = send(&transport(BOUND), &signed).await.unwrap_err();
    assert!(matches!(err, SendError::NotSent { .. }), "{err:?}");
    assert!(!err.may_have_reached_provider());
    let text = err.to_string();
    assert!(text.starts_with(&format!("POST http://{addr}/v2/refund: not sent")), "{text}");
}

#[tokio::test]
async fn a_server_that_reads_the_request_and_never_answers_is_ambiguous_after_the_request_timeout() {
    let (addr, server) = serve(Reply::Silent).await;
    let (signed, _) = hitechpay_refund(addr);
    let timeout = Duration::from_millis(300);
    let start = Instant::now();
    let err = send(&transport(timeout), &signed).await.unwrap_err();
    let waited = start.elapsed();
    assert!(matches!(err, SendError::Ambiguous { status: None, .. }), "{err:?}");
    assert!(err.may_have_reached_provider());
    assert!(waited >= timeout && waited < BOUND, "{waited:?}");
    assert!(err.to_string().contains("within the request timeout (300ms)"), "{err}");
    // It was ambiguous indeed: the server had the whole request.
    let got = server.await.unwrap();
    assert_eq!(got.body.len(), serde_json::to_string(&signed.body.to_json()).unwrap().len());
}

#[tokio::test]
async fn a_body_cut_short_of_its_content_length_is_ambiguous() {
    let (addr, server) = serve(Reply::Bytes(response("200 OK", &[("Content-Length", "100")], b"{\"return_"))).await;
    let (signed, _) = hitechpay_refund(addr);
    let err = send(&transport(BOUND), &signed).await.unwrap_err();
    assert!(matches!(err, SendError::Ambiguous { status: Some(200), .. }), "{err:?}");
    assert!(err.may_have_reached_provider());
    assert!(err.to_string().contains("(it answered 200)"), "{err}");
    server.await.unwrap();
}

#[tokio::test]
async fn a_502_html_page_an_empty_204_and_a_redirect_come_back_as_exchanges() {
    let page = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let len = page.len().to_string();
    let (addr, server) = serve(Reply::Bytes(response(
        "502 Bad Gateway",
        &[("Content-Type", "text/html"), ("Content-Length", &len)],
        page,
    )))
    .await;
    let t = transport(BOUND);
    let x = send(&t, &hitechpay_refund(addr).0).await.unwrap();
    server.await.unwrap();
    assert_eq!((x.status, x.reason.as_str()), (502, "Bad Gateway"));
    assert_eq!(x.header("content-type"), Some("text/html"));
    assert_eq!(x.body, page);

    let (addr, server) = serve(Reply::Bytes(response("204 No Content", &[], b""))).await;
    let x = send(&t, &hitechpay_refund(addr).0).await.unwrap();
    server.await.unwrap();
    assert_eq!((x.status, x.reason.as_str()), (204, "No Content"));
    assert!(x.body.is_empty() && x.headers.is_empty(), "{x:?}");
    assert_eq!(x.to_string(), "HTTP/1.1 204 No Content\n\n");

    // A redirect is not followed (a signed request is never replayed elsewhere): following this one
    // would fail to connect.
    let location = format!("http://{}/elsewhere", closed_port());
    let (addr, server) = serve(Reply::Bytes(response(
        "307 Temporary Redirect",
        &[("Location", &location), ("Content-Length", "0")],
        b"",
    )))
    .await;
    let x = send(&t, &hitechpay_refund(addr).0).await.unwrap();
    server.await.unwrap();
    assert_eq!(x.status, 307);
    assert_eq!(x.header("location"), Some(location.as_str()));
}

/// The VietQR refund vector signed with its bearer token (an `Authorization` header), sent to `addr`.
fn vietqr_refund(addr: SocketAddr) -> (SignedRequest, String) {
    let v = vector("vietqr", "vietqr-refund-bearer-auth");
    let (c, i) = (&v["credentials"], &v["input"]);
    let s = |x: &Value| x.as_str().unwrap().to_string();
    let token = s(&c["access_token"]);
    let creds = vietqr::Credentials {
        username: s(&c["username"]),
        password: payspec::Secret::new(s(&c["password"])),
        secret_key: payspec::Secret::new(s(&c["secret_key"])),
        access_token: Some(payspec::Secret::new(token.clone())),
        sync_secret: None,
    };
    let req = vietqr::RefundRequest::builder()
        .bank_code(s(&i["bankCode"]))
        .bank_account(s(&i["bankAccount"]))
        .reference_number(s(&i["referenceNumber"]))
        .amount(s(&i["amount"]))
        .content(s(&i["content"]))
        .multi_times(i["multiTimes"].as_bool().unwrap())
        .terminal_code(s(&i["terminalCode"]))
        .sub_terminal_code(s(&i["subTerminalCode"]))
        .build()
        .unwrap();
    let mut signed = vietqr::sign_refund(&req, &creds, vietqr::Env::Sandbox, payspec::Clock { now_ms: 0 }).unwrap();
    assert_eq!(signed.headers["Authorization"], format!("Bearer {token}"));
    signed.url = signed.url.replace("https://dev.vietqr.org", &format!("http://{addr}"));
    (signed, token)
}

#[tokio::test]
async fn no_error_and_no_printed_exchange_contains_the_bearer_token() {
    let t = transport(Duration::from_millis(300));
    let mut errors: Vec<SendError> = Vec::new();

    let (signed, token) = vietqr_refund(closed_port());
    errors.push(send(&t, &signed).await.unwrap_err());

    let (addr, server) = serve(Reply::Silent).await;
    errors.push(send(&t, &vietqr_refund(addr).0).await.unwrap_err());
    let got = server.await.unwrap();
    assert!(got.headers.iter().any(|(_, v)| v.contains(&token)), "the token is sent: {got:?}");

    let (addr, server) = serve(Reply::Bytes(response("200 OK", &[("Content-Length", "100")], b"0123456789"))).await;
    errors.push(send(&t, &vietqr_refund(addr).0).await.unwrap_err());
    server.await.unwrap();

    // A header value that cannot be a header (CR LF), carrying the token.
    let (mut bad_header, _) = vietqr_refund(closed_port());
    bad_header.headers.insert("X-Echo".into(), format!("{token}\r\nX-Injected: 1"));
    errors.push(send(&t, &bad_header).await.unwrap_err());
    // A URL the HTTP stack would re-encode (a space), carrying the token in its query.
    let (mut bad_url, _) = vietqr_refund(closed_port());
    bad_url.url = format!("{}?t={token}&note=a b", bad_url.url);
    errors.push(send(&t, &bad_url).await.unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            SendError::NotSent { .. } => "not sent",
            SendError::Ambiguous { .. } => "ambiguous",
            SendError::Invalid { .. } => "invalid",
            SendError::Setup { .. } => "setup",
            SendError::TooLarge { .. } => "too large",
        })
        .collect();
    assert_eq!(kinds, ["not sent", "ambiguous", "ambiguous", "invalid", "invalid"]);
    assert!(errors[3].to_string().contains("header `X-Echo`"), "{}", errors[3]);
    assert!(errors[4].to_string().contains("«access_token»"), "the URL is shown masked: {}", errors[4]);
    for e in &errors {
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(
                text.starts_with("POST ")
                    || text.starts_with("NotSent")
                    || text.starts_with("Ambiguous")
                    || text.starts_with("Invalid"),
                "{text}"
            );
            assert!(!text.contains(&token), "the token leaks: {text}");
            assert!(!text.contains("mySecretKey123"), "the secret key leaks: {text}");
        }
    }

    // A provider echoing the token: the exchange keeps it, its printed forms mask it.
    let echo = format!("{{\"error\":\"invalid token Bearer {token}\"}}");
    let len = echo.len().to_string();
    let (addr, server) = serve(Reply::Bytes(response(
        "401 Unauthorized",
        &[("WWW-Authenticate", &format!("Bearer error=\"invalid_token\" token=\"{token}\"")), ("Content-Length", &len)],
        echo.as_bytes(),
    )))
    .await;
    let x = send(&t, &vietqr_refund(addr).0).await.unwrap();
    server.await.unwrap();
    assert_eq!(x.status, 401);
    assert_eq!(x.body, echo.as_bytes());
    for text in [x.to_string(), format!("{x:?}")] {
        assert!(!text.contains(&token), "the token leaks: {text}");
        assert!(text.contains("«access_token»"), "{text}");
    }
}
