//! Generated code (`payspec::provider!`) against the published vectors and the recipe interpreter.
//!
//! The generated modules are a second, independent implementation of the spec semantics: every vector
//! goes through both, and their results (signed requests, verified payloads, errors) must be equal.

// Every public item of the generated modules is documented.
#![deny(missing_docs)]

use payspec::serde_json::{self, json, Map, Value};
use payspec::{Clock, Interpreter, Outcome, SignError};
use std::path::{Path, PathBuf};

payspec::provider!("../specs/hitechpay.yaml");
payspec::provider!("../specs/vietqr.yaml");
payspec::provider!("../specs/ninepay.yaml");
payspec::provider!("../specs/appotapay.yaml");
payspec::provider!("../specs/bbmsl.yaml");
payspec::provider!("tests/specs/kitchen_sink.yaml");

const PROVIDERS: &[&str] = &["hitechpay", "vietqr", "ninepay", "appotapay", "bbmsl", "kitchen_sink"];

/// Run `$body` with `$m` bound to the generated module of provider `$name`.
macro_rules! with_provider {
    ($name:expr, |$m:ident| $body:expr) => {
        match $name {
            "hitechpay" => {
                use hitechpay as $m;
                $body
            }
            "vietqr" => {
                use vietqr as $m;
                $body
            }
            "ninepay" => {
                use ninepay as $m;
                $body
            }
            "appotapay" => {
                use appotapay as $m;
                $body
            }
            "bbmsl" => {
                use bbmsl as $m;
                $body
            }
            "kitchen_sink" => {
                use kitchen_sink as $m;
                $body
            }
            other => panic!("no generated module for {other}"),
        }
    };
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The spec for the interpreter, named as the `provider!` calls name it: errors then carry the same
/// `file:line:col` locations in both implementations.
fn spec(provider: &str) -> payspec::model::Spec {
    let given = match provider {
        "kitchen_sink" => "tests/specs/kitchen_sink.yaml".to_string(),
        p => format!("../specs/{p}.yaml"),
    };
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&given)).unwrap();
    payspec::model::load_str(&given, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn obj(v: &Value) -> &Map<String, Value> {
    v.as_object().expect("a JSON object")
}

// ---- HiTechPAY, through the typed API ------------------------------------------------------------

const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

fn htp_creds() -> hitechpay::Credentials {
    hitechpay::Credentials { app_id: 2553, key1: KEY1.into(), key2: KEY2.into() }
}

fn htp_refund(fee: Option<i64>) -> hitechpay::RefundRequest {
    let mut b = hitechpay::RefundRequest::builder()
        .zp_trans_id("200904000000389")
        .amount(10000)
        .description("ZaloPay Refund Demo")
        .timestamp(1599189500000i64)
        .m_refund_id("200904_2553_1599189500000123");
    if let Some(fee) = fee {
        b = b.refund_fee_amount(fee);
    }
    b.build().expect("a valid refund")
}

#[test]
fn hitechpay_refund_vector_without_fee() {
    let signed =
        hitechpay::sign_refund(&htp_refund(None), &htp_creds(), hitechpay::Env::Sandbox, Clock::from_secs(0)).unwrap();
    let st = signed.stage("sign").unwrap();
    assert_eq!(st.string_to_sign.0, "2553|200904000000389|10000|ZaloPay Refund Demo|1599189500000");
    assert_eq!(st.signature.0, "5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01");
    assert_eq!(signed.url, "https://sb-openapi.hitechpay.vn/v2/refund");
    assert_eq!(signed.method, "POST");
    assert_eq!(signed.headers.get("Content-Type").map(String::as_str), Some("application/json"));
    let body = signed.body.to_json();
    assert_eq!(body["mac"], "5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01");
    assert_eq!(body["app_id"], 2553, "app_id is filled from the credential");
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["app_id", "m_refund_id", "zp_trans_id", "amount", "timestamp", "description", "mac"],
        "wire order, absent optional fields left out, signature last"
    );
}

#[test]
fn hitechpay_refund_vector_with_fee() {
    let signed =
        hitechpay::sign_refund(&htp_refund(Some(500)), &htp_creds(), hitechpay::Env::Sandbox, Clock::from_secs(0))
            .unwrap();
    let st = signed.stage("sign").unwrap();
    assert_eq!(st.string_to_sign.0, "2553|200904000000389|10000|500|ZaloPay Refund Demo|1599189500000");
    assert_eq!(st.signature.0, "e66c273a628d3a3a293ab98e9180e435b7acd081633b6c695cde4ac50e7c5e35");
}

#[test]
fn hitechpay_generated_equals_interpreter() {
    let spec = spec("hitechpay");
    let creds = htp_creds();
    for fee in [None, Some(0), Some(500)] {
        let req = htp_refund(fee);
        let generated =
            hitechpay::sign_refund(&req, &creds, hitechpay::Env::Sandbox, Clock::from_secs(1_700_000_000)).unwrap();
        let input = serde_json::to_value(&req).unwrap();
        let interpreted = Interpreter::new(&spec)
            .sign("refund", obj(&input), &creds.to_runtime(), "sandbox", Clock::from_secs(1_700_000_000))
            .unwrap();
        assert_eq!(generated, interpreted);
    }
    // `from:` defaults from the clock.
    let req = hitechpay::QueryRefundRequest::builder().m_refund_id("200904_2553_1").build().unwrap();
    let clock = Clock { now_ms: 1_599_189_500_123 };
    let generated = hitechpay::sign_query_refund(&req, &creds, hitechpay::Env::Sandbox, clock).unwrap();
    let interpreted = Interpreter::new(&spec)
        .sign("query_refund", obj(&serde_json::to_value(&req).unwrap()), &creds.to_runtime(), "sandbox", clock)
        .unwrap();
    assert_eq!(generated, interpreted);
    assert_eq!(generated.stage("sign").unwrap().string_to_sign.0, "2553|200904_2553_1|1599189500123");
}

#[test]
fn credentials_debug_redacts_secrets() {
    let creds = htp_creds();
    let debug = format!("{creds:?}");
    assert!(!debug.contains(KEY1) && !debug.contains(KEY2), "{debug}");
    assert!(debug.contains("2553"), "public values stay visible: {debug}");
    let rt = creds.to_runtime();
    assert!(!format!("{rt:?}").contains(KEY1));
    let back = hitechpay::Credentials::from_runtime(&rt).unwrap();
    assert_eq!(back.key1.expose(), KEY1);
}

#[test]
fn builder_rejects_missing_and_overlong_fields() {
    let missing = hitechpay::RefundRequest::builder()
        .m_refund_id("200904_2553_1")
        .amount(1)
        .description("x")
        .build()
        .unwrap_err();
    assert_eq!(
        missing,
        SignError::Input {
            target: "hitechpay.refund".into(),
            field: "zp_trans_id".into(),
            problem: "required but missing".into()
        }
    );
    let long = "x".repeat(101);
    let err = hitechpay::RefundRequest::builder()
        .m_refund_id("200904_2553_1")
        .zp_trans_id("1")
        .amount(1)
        .description(long.as_str())
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        SignError::Input {
            target: "hitechpay.refund".into(),
            field: "description".into(),
            problem: "101 characters, at most 100 allowed".into()
        }
    );
    // Same error, same words as the interpreter.
    let spec = spec("hitechpay");
    let input =
        json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": long, "timestamp": 1});
    let interpreted = Interpreter::new(&spec)
        .sign("refund", obj(&input), &htp_creds().to_runtime(), "sandbox", Clock::from_secs(0))
        .unwrap_err();
    assert_eq!(err, interpreted);
    // Pattern and bounds.
    let err = hitechpay::RefundRequest::builder()
        .m_refund_id("bad")
        .zp_trans_id("1")
        .amount(0)
        .description("x")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, SignError::Input { field, problem, .. } if field == "m_refund_id" && problem.contains("does not match pattern")),
        "{err}"
    );
    let err = hitechpay::RefundRequest::builder()
        .m_refund_id("200904_2553_1")
        .zp_trans_id("1")
        .amount(0)
        .description("x")
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "hitechpay.refund: field `amount`: 0 is below the minimum 1");
}

#[test]
fn hitechpay_callback_published_vector() {
    let v = vector("hitechpay", "hitechpay-callback-published-2553");
    let payload = obj(&v["input"]);
    let verified = hitechpay::verify_callback(payload, &htp_creds()).unwrap();
    assert_eq!(verified.stages.signature.0, "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67");
    assert_eq!(verified.payload["data"], v["decoded"]["data"]);
    let typed = hitechpay::CallbackPayload::from_map(payload).unwrap();
    assert_eq!(typed.r#type, Some(1));
    // A tampered payload is a bad signature, not a malformed one.
    let mut tampered = payload.clone();
    tampered.insert("data".into(), Value::String(payload["data"].as_str().unwrap().replace("10000", "10001")));
    let err = hitechpay::verify_callback(&tampered, &htp_creds()).unwrap_err();
    assert!(err.is_bad_signature(), "{err}");
    let spec = spec("hitechpay");
    assert_eq!(Err(err), Interpreter::new(&spec).verify_callback("callback", &tampered, &htp_creds().to_runtime()));
    // Missing signature field.
    let mut unsigned = payload.clone();
    unsigned.remove("mac");
    let err = hitechpay::verify_callback(&unsigned, &htp_creds()).unwrap_err();
    assert_eq!(Err(err), Interpreter::new(&spec).verify_callback("callback", &unsigned, &htp_creds().to_runtime()));
}

#[test]
fn status_tables_match_the_interpreter() {
    let spec = spec("hitechpay");
    let interp = Interpreter::new(&spec);
    let samples = [
        json!({"return_code": 1, "return_message": "ok", "refund_id": 12}),
        json!({"return_code": 2, "sub_return_code": -13}),
        json!({"return_code": 2, "sub_return_code": -7}),
        json!({"return_code": -500}),
        json!({"return_code": 7}),
    ];
    for s in &samples {
        let report = interp.status("refund", s).unwrap().unwrap();
        let typed = hitechpay::RefundResponse::from_json(s).unwrap().status();
        let raw = hitechpay::RefundResponse::status_of(s).unwrap();
        assert_eq!(typed, raw);
        assert_eq!(typed.code, report.code);
        assert_eq!(typed.outcome, report.outcome());
        assert_eq!(typed.name, report.row.and_then(|r| r.name.as_deref()));
    }
    let unmapped = hitechpay::RefundResponse::status_of(&samples[4]).unwrap();
    assert!(unmapped.is_unmapped() && !unmapped.retryable);
    assert_eq!(hitechpay::RefundResponse::status_of(&samples[3]).unwrap().outcome, Some(Outcome::Indeterminate));
    // Nested paths and enums (appotapay v1: data.status).
    let spec = self::spec("appotapay");
    let s = json!({"errorCode": 0, "data": {"status": "pending", "amount": 5}});
    let typed = appotapay::RefundResponse::from_json(&s).unwrap().status();
    assert_eq!(typed.code, Interpreter::new(&spec).status("refund", &s).unwrap().unwrap().code);
    assert_eq!(typed.outcome, Some(Outcome::Pending));
}

/// The interpreter's and the generated code's status results say the same (errors equal).
fn same_statuses(
    a: &Result<Option<payspec::ResponseStatus<payspec::interp::StatusReport>>, payspec::VerifyError>,
    b: &Result<Option<payspec::ResponseStatus<payspec::StatusMatch>>, payspec::VerifyError>,
) -> bool {
    use payspec::ResponseStatus::{One, Rows};
    let same = |r: &payspec::interp::StatusReport, m: &payspec::StatusMatch| {
        m.code == r.code
            && m.outcome == r.outcome()
            && m.matched == r.matched()
            && m.name == r.row.and_then(|x| x.name.as_deref())
            && m.meaning == r.row.map(|x| x.meaning.as_str())
            && m.retryable == r.row.is_some_and(|x| x.retryable)
    };
    match (a, b) {
        (Err(x), Err(y)) => x == y,
        (Ok(None), Ok(None)) => true,
        (Ok(Some(One(r))), Ok(Some(One(m)))) => same(r, m),
        (Ok(Some(Rows(r))), Ok(Some(Rows(m)))) => r.len() == m.len() && r.iter().zip(m).all(|(r, m)| same(r, m)),
        _ => false,
    }
}

// ---- the synthetic kitchen-sink spec, through the typed API -------------------------------------

fn ks_creds(token: Option<&str>) -> kitchen_sink::Credentials {
    let key = |f: &str| std::fs::read_to_string(root().join("conformance/keys").join(f)).unwrap_or_default();
    kitchen_sink::Credentials {
        merchant: "M-1".into(),
        number: 42,
        secret: "s3cret".into(),
        token: token.map(Into::into),
        pin: Some(918_273.into()),
        rsa_private: key("test_private_key.pem").into(),
        rsa_public: key("test_public_key.pem"),
    }
}

#[test]
fn kitchen_sink_typed_api() {
    use kitchen_sink as ks;
    use payspec::rust_decimal::Decimal;
    let spec = spec("kitchen_sink");
    let interp = Interpreter::new(&spec);
    let clock = Clock { now_ms: 1_700_000_000_456 };

    // Form body, path / query / header fields, decimals kept to the byte, defaults, a query signature.
    let req = ks::FormOpRequest::builder()
        .item_id("a-b.C~1")
        .page(3)
        .x_trace("t-1")
        .amount("10.50".parse::<Decimal>().unwrap())
        .note("Nguyễn A")
        .flag(true)
        .meta(r#"{"k":[1,2]}"#)
        .r#ref("AB12")
        .build()
        .unwrap();
    assert!(!format!("{req:?}").contains("Nguyễn"), "sensitive fields are redacted: {req:?}");
    for token in [None, Some("tok")] {
        let creds = ks_creds(token);
        for env in ks::Env::ALL {
            let signed = ks::sign_form_op(&req, &creds, *env, clock).unwrap();
            let input = serde_json::to_value(&req).unwrap();
            assert_eq!(
                Ok(&signed),
                interp.sign("form_op", obj(&input), &creds.to_runtime(), env.name(), clock).as_ref()
            );
            assert!(signed.url.contains("/items/a-b.C~1/pay?page=3&lang=vi&sig="), "{}", signed.url);
            let sts = &signed.stage("sign").unwrap().string_to_sign.0;
            assert!(sts.contains("\n000000010.50\n"), "{sts}");
            assert!(sts.ends_with("\n1003"), "page + 1000: {sts}");
            assert_eq!(
                signed.headers.get("Authorization").map(String::as_str),
                Some(format!("Bearer {}", token.unwrap_or_default()).as_str())
            );
            match &signed.body {
                payspec::Body::Form(f) => assert!(f.starts_with("amount=10.50&note=Nguy%E1%BB%85n+A&flag=true&meta=%7B%22k%22%3A%5B1%2C2%5D%7D&ref=AB12&merchant=M-1&num=42&when=1700000000"), "{f}"),
                other => panic!("{other:?}"),
            }
        }
    }
    // all_or_none names the missing members.
    let err = ks::FormOpRequest::builder().item_id("x").amount(Decimal::ONE).flag(false).build().unwrap_err();
    assert_eq!(err.to_string(), "kitchen_sink.form_op: field `note`: required together with flag, note");

    // Nested objects, one_of, odd enum values, a keyword field name, JWT auth after the signature.
    let order = ks::JsonOpOrder {
        id: "o-1".into(),
        total: Some("12.340".parse().unwrap()),
        lines: Some(2),
        nested: Some(ks::JsonOpOrderNested { deep: Some("d".into()), ok: Some(true) }),
    };
    let req = ks::JsonOpRequest::builder()
        .order(order.clone())
        .choice_b(5)
        .kind(ks::JsonOpKind::BTwo)
        .r#type("t")
        .build()
        .unwrap();
    assert_eq!(ks::JsonOpKind::V3.as_str(), "3");
    assert_eq!(ks::JsonOpKind::from_wire("A_ONE"), Some(ks::JsonOpKind::AOne));
    let creds = ks_creds(Some("tok"));
    let signed = ks::sign_json_op(&req, &creds, ks::Env::Production, clock).unwrap();
    let input = serde_json::to_value(&req).unwrap();
    assert_eq!(Ok(&signed), interp.sign("json_op", obj(&input), &creds.to_runtime(), "production", clock).as_ref());
    assert_eq!(
        signed.stage("sign").unwrap().string_to_sign.0,
        r#"choice_b:5;deep:d;id:o-1;kind:b-two;nested:{"deep":"d","ok":true};total:12.340;ts:1700000000456;type:t;zz:fixed"#
    );
    assert_eq!(signed.stages.iter().map(|s| &*s.recipe).collect::<Vec<_>>(), ["sign", "auth:jwt"]);
    let (st, value) = ks::recipe_jwt(&creds, clock).unwrap();
    assert_eq!(signed.headers.get("X-Auth"), Some(&value));
    assert_eq!(st.recipe, "recipe:jwt");
    let err = ks::JsonOpRequest::builder()
        .order(order.clone())
        .choice_a("a")
        .choice_b(1)
        .kind(ks::JsonOpKind::AOne)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "kitchen_sink.json_op: field `choice_a|choice_b`: exactly one of these fields is required, found 2"
    );
    let mut long = order;
    long.nested = Some(ks::JsonOpOrderNested { deep: Some("toolong".into()), ok: None });
    let err = ks::JsonOpRequest::builder().order(long).choice_a("a").kind(ks::JsonOpKind::AOne).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "kitchen_sink.json_op: field `order`: `nested`: `deep`: 7 characters, at most 5 allowed"
    );

    // Envelope body signed with RSA over the exact payload text.
    let req = ks::EnvelopeOpRequest::builder().a("x").c("1.10".parse::<Decimal>().unwrap()).build().unwrap();
    let signed = ks::sign_envelope_op(&req, &creds, ks::Env::Sandbox, clock).unwrap();
    assert_eq!(signed.body.to_json()["request"], r#"{"a":"x","c":1.10}"#);
    assert_eq!(
        Ok(&signed),
        interp
            .sign("envelope_op", obj(&serde_json::to_value(&req).unwrap()), &creds.to_runtime(), "sandbox", clock)
            .as_ref()
    );

    // Lenient typed payloads for form callbacks; status of a decoded payload.
    let payload = json!({"amount": "5", "ok": "true", "sig": "x", "code": 0});
    let typed = ks::FormCbPayload::from_map(obj(&payload)).unwrap();
    assert_eq!((typed.amount, typed.ok), (5, Some(true)));
    assert_eq!(ks::FormCbPayload::status_of(&payload).name, Some("OK"));
    let status = ks::FormOpResponse::from_json(&json!({"result": {"code": "00"}, "state": "done"})).unwrap().status();
    assert_eq!((status.outcome, status.name), (Some(Outcome::Succeeded), Some("DONE")));
    let status = ks::FormOpResponse::status_of(&json!({"result": {"code": 7}, "state": "wait"})).unwrap();
    assert_eq!((status.outcome, status.retryable), (Some(Outcome::Pending), true));
}

/// Sign `op` of the kitchen-sink spec on both paths, assert they agree, and return the result.
fn ks_sign_both(
    op: &str,
    input: Value,
    creds: &kitchen_sink::Credentials,
) -> Result<payspec::SignedRequest, SignError> {
    let spec = spec("kitchen_sink");
    let clock = Clock::from_secs(1_700_000_000);
    let generated = kitchen_sink::DYNAMIC.sign(op, obj(&input), creds, kitchen_sink::Env::Sandbox, clock);
    let interpreted = Interpreter::new(&spec).sign(op, obj(&input), &creds.to_runtime(), "sandbox", clock);
    assert_eq!(generated, interpreted, "{op} on {input}");
    generated
}

/// Header injection is impossible: a CR, LF or other control character reaching a header — through a
/// request field `in: header`, a `from: cred:` default into a header, a credential in a header
/// template or a bearer token — is a typed error on both paths that names the field or the recipe and
/// never quotes the value.
#[test]
fn control_characters_never_reach_a_header() {
    let injected = "a\r\nX-Admin: 1";
    let form = |note: &str| json!({"item_id": "x", "amount": 10.5, "X-Note": note});
    let problem = "the header value would contain control character U+000D; CR, LF and other control characters cannot be sent in a header (header injection)";

    // A request field `in: header`.
    let err = ks_sign_both("form_op", form(injected), &ks_creds(None)).unwrap_err();
    assert_eq!(err.to_string(), format!("kitchen_sink.form_op: field `X-Note`: {problem}"));
    for bad in ["a\nb", "a\rb", "a\u{0}b", "a\u{7f}b", "a\u{85}b"] {
        let err = ks_sign_both("form_op", form(bad), &ks_creds(None)).unwrap_err();
        assert!(matches!(&err, SignError::Input { field, .. } if field == "X-Note"), "{bad:?}: {err}");
    }
    // Tab is allowed in a header value; the value travels unchanged.
    let signed = ks_sign_both("form_op", form("a\tb"), &ks_creds(None)).unwrap();
    assert_eq!(signed.headers.get("X-Note").map(String::as_str), Some("a\tb"));

    // A credential filled into a header field by `from: cred:merchant`.
    let mut creds = ks_creds(Some("tok"));
    creds.merchant = injected.into();
    let json_op = json!({"order": {"id": "o-1"}, "choice_a": "a", "kind": "A_ONE"});
    let err = ks_sign_both("json_op", json_op.clone(), &creds).unwrap_err();
    assert_eq!(err.to_string(), format!("kitchen_sink.json_op: field `X-Merchant`: {problem}"));

    // A credential in a header template (`X-Sig: "v1 {signature} {cred:merchant} {ctx:now_s}"`).
    let err = ks_sign_both("get_op", json!({"id": "1"}), &creds).unwrap_err();
    assert!(matches!(&err, SignError::Stage { stage: payspec::Stage::Place, .. }), "{err}");
    assert!(
        err.to_string().ends_with(&format!("operations.get_op.sign: place stage: header `X-Sig`: {problem}")),
        "{err}"
    );

    // A bearer token with a line break (`auth: bearer`, `Authorization: Bearer {signature}`).
    let creds = ks_creds(Some("tok\nX-Admin: 1"));
    let err = ks_sign_both("form_op", form("fine"), &creds).unwrap_err();
    assert!(err.to_string().contains("recipes.bearer: place stage: header `Authorization`: the header value would contain control character U+000A"), "{err}");
    assert!(!err.to_string().contains("X-Admin") && !err.to_string().contains("tok"), "never quoted: {err}");
    // …and `run_recipe` on its own refuses it the same way.
    let spec = spec("kitchen_sink");
    let clock = Clock::from_secs(0);
    assert_eq!(
        kitchen_sink::recipe_bearer(&creds, clock).map(|(_, v)| v),
        Interpreter::new(&spec).run_recipe("bearer", &creds.to_runtime(), clock).map(|(_, v)| v)
    );
    assert!(kitchen_sink::recipe_bearer(&creds, clock).is_err());
}

/// A path field whose value is `.` or `..` is encoded (`%2E`, `%2E%2E`) on both paths, so the URL
/// cannot normalise to another path; the provider side reads the value back unchanged.
#[test]
fn dot_segments_in_path_values_are_encoded() {
    let spec = spec("kitchen_sink");
    let creds = ks_creds(Some("tok"));
    for (id, seg) in [("..", "%2E%2E"), (".", "%2E"), ("...", "..."), ("a..b", "a..b"), ("../x", "..%2Fx")] {
        let signed = ks_sign_both("get_op", json!({ "id": id }), &creds).unwrap();
        assert_eq!(signed.url, format!("https://api.sandbox.test/base/get/{seg}/x"), "{id}");
        let form = json!({"item_id": id, "amount": 1});
        if id.contains('/') {
            // `form_op` signs `ctx:path`: its path field takes unreserved characters only.
            assert!(matches!(ks_sign_both("form_op", form, &creds), Err(SignError::Input { .. })), "{id}");
            continue;
        }
        let signed = ks_sign_both("form_op", form, &creds).unwrap();
        assert!(signed.url.starts_with(&format!("https://files.sandbox.test/items/{seg}/pay?")), "{}", signed.url);
        // `ctx:path` is signed as sent.
        assert!(signed.stage("sign").unwrap().string_to_sign.0.contains(&format!("\n/items/{seg}/pay\n")));
        let fields =
            Interpreter::new(&spec).verify_request("form_op", &signed, &creds.to_runtime(), "sandbox").unwrap();
        assert_eq!(fields["item_id"], id);
    }
}

/// An empty path value is refused on both paths, naming the field: `/get//x` would route elsewhere.
#[test]
fn an_empty_path_value_is_refused() {
    let creds = ks_creds(Some("tok"));
    match ks_sign_both("get_op", json!({ "id": "" }), &creds) {
        Err(SignError::Input { field, problem, .. }) => {
            assert_eq!(field, "id");
            assert!(problem.contains("cannot be empty"), "{problem}");
        }
        other => panic!("accepted or wrong error: {other:?}"),
    }
    // With a bad header listed before it, both paths still report the path value first.
    match ks_sign_both("get_op", json!({ "X-Trace": "a\nb", "id": "" }), &creds) {
        Err(SignError::Input { field, .. }) => assert_eq!(field, "id"),
        other => panic!("accepted or wrong error: {other:?}"),
    }
}

/// An unknown operation name (here 10 000 characters with a newline) is echoed bounded and escaped, the
/// same on both paths.
#[test]
fn unknown_names_are_echoed_bounded_and_escaped() {
    let creds = ks_creds(Some("tok"));
    let name = format!("x\n{}", "y".repeat(10_000));
    let e = ks_sign_both(&name, json!({}), &creds).unwrap_err().to_string();
    assert!(e.starts_with("unknown operation `x\\nyyy"), "{e}");
    assert!(e.contains("… (10002 characters)") && !e.contains('\n') && e.len() < 400, "{e}");
}

// ---- vector data (every vector runs through both paths in payspec-conformance's tests/vectors.rs) ----

fn vector(provider: &str, id: &str) -> Value {
    let path = root().join(format!("vectors/{provider}/{id}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn vectors() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for provider in PROVIDERS {
        let Ok(dir) = std::fs::read_dir(root().join("vectors").join(provider)) else {
            continue;
        };
        let mut files: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            out.push((provider.to_string(), v));
        }
    }
    out
}

#[test]
fn unknown_names_fail_like_the_interpreter() {
    let spec = spec("hitechpay");
    let creds = htp_creds();
    let interp = Interpreter::new(&spec);
    let empty = Map::new();
    assert_eq!(
        hitechpay::DYNAMIC.sign("nope", &empty, &creds, hitechpay::Env::Sandbox, Clock::from_secs(0)),
        interp.sign("nope", &empty, &creds.to_runtime(), "sandbox", Clock::from_secs(0))
    );
    let extra = json!({"zp_trans_id": "1", "amount": 1, "bogus": true});
    assert_eq!(
        hitechpay::DYNAMIC.sign("refund", obj(&extra), &creds, hitechpay::Env::Sandbox, Clock::from_secs(0)),
        interp.sign("refund", obj(&extra), &creds.to_runtime(), "sandbox", Clock::from_secs(0))
    );
    assert_eq!(
        hitechpay::DYNAMIC.run_recipe("nope", &creds, Clock::from_secs(0)),
        interp.run_recipe("nope", &creds.to_runtime(), Clock::from_secs(0))
    );
    assert_eq!(
        hitechpay::DYNAMIC.verify_callback("nope", &empty, &creds),
        interp.verify_callback("nope", &empty, &creds.to_runtime())
    );
}

#[test]
fn environments_and_hosts() {
    assert_eq!(appotapay::Env::Sandbox.base_url("v1"), Some("https://payment.dev.appotapay.com"));
    assert_eq!(appotapay::Env::Production.base_url("api"), Some("https://gateway.appotapay.com"));
    assert_eq!(hitechpay::Env::ALL, &[hitechpay::Env::Sandbox]);
    assert_eq!(hitechpay::Env::Sandbox.base_url("v1"), None);
    assert_eq!(ninepay::Env::from_name("production"), Some(ninepay::Env::Production));
}

// ---- differential properties: random inputs, valid and invalid, through both paths ----------------

mod differential {
    use super::*;
    use payspec::model::{Field, FieldType, Spec};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Text with separators, Unicode and lengths around the limits.
    fn text(max: usize) -> BoxedStrategy<String> {
        let max = max.min(40) + 2;
        prop_oneof![
            proptest::string::string_regex(&format!("[a-zA-Z0-9 ]{{0,{max}}}")).unwrap(),
            proptest::string::string_regex(&format!("[0-9_]{{0,{max}}}")).unwrap(),
            proptest::string::string_regex(&format!("[a-z|&=\\n*~%+/:#{{}}?.]{{0,{max}}}")).unwrap(),
            proptest::string::string_regex(&format!("[a-zàáảãạăắđêếệôơưữỳ ]{{0,{max}}}")).unwrap(),
        ]
        .boxed()
    }

    fn bound(n: Option<String>, dflt: i64) -> i64 {
        n.and_then(|t| t.parse::<f64>().ok()).map(|x| x as i64).unwrap_or(dflt)
    }

    /// A value the typed request can hold (so both paths see the same input), often outside the limits.
    fn value(f: &Field) -> BoxedStrategy<Value> {
        if !f.values.is_empty() && f.ty == FieldType::String {
            return proptest::sample::select(f.values.clone()).prop_map(Value::String).boxed();
        }
        let max_len = f.max_len.unwrap_or(20);
        if let (Some(p), FieldType::String | FieldType::Scalar) = (&f.pattern, f.ty) {
            let p = p.strip_prefix('^').unwrap_or(p);
            let p = p.strip_suffix('$').unwrap_or(p);
            if let Ok(matching) = proptest::string::string_regex(p) {
                return prop_oneof![3 => matching.prop_map(Value::String), 1 => text(max_len).prop_map(Value::String)]
                    .boxed();
            }
        }
        match f.ty {
            FieldType::String => text(max_len).prop_map(Value::String).boxed(),
            FieldType::JsonText => prop_oneof![
                Just("{}".to_string()),
                Just("{oops".to_string()),
                text(8).prop_map(|s| json!({ "k": s }).to_string()),
            ]
            .prop_map(Value::String)
            .boxed(),
            FieldType::Integer => {
                let (lo, hi) = (
                    bound(f.min.as_ref().map(|n| n.to_string()), -1000) - 2,
                    bound(f.max.as_ref().map(|n| n.to_string()), 1_000_000_000) + 2,
                );
                (lo..=hi).prop_map(Value::from).boxed()
            }
            FieldType::Decimal => {
                let (lo, hi) = (
                    bound(f.min.as_ref().map(|n| n.to_string()), -1000) - 2,
                    bound(f.max.as_ref().map(|n| n.to_string()), 1_000_000) + 2,
                );
                (lo..=hi, 0u32..1000, 0usize..4)
                    .prop_map(|(int, frac, scale)| {
                        let t = match scale {
                            0 => int.to_string(),
                            1 => format!("{int}.{}", frac % 10),
                            2 => format!("{int}.{:02}", frac % 100),
                            _ => format!("{int}.{frac:03}"),
                        };
                        Value::Number(t.parse().unwrap())
                    })
                    .boxed()
            }
            FieldType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            FieldType::Scalar => {
                prop_oneof![text(max_len).prop_map(Value::String), (-5i64..100).prop_map(Value::from)].boxed()
            }
            // Required sub-fields always: a typed object cannot lack one (a deserialization error, not a check).
            FieldType::Object => object(&f.fields, 1.0).prop_map(Value::Object).boxed(),
        }
    }

    /// Objects with required fields usually present and optional ones sometimes.
    fn object(fields: &indexmap::IndexMap<String, Field>, p_present: f64) -> BoxedStrategy<Map<String, Value>> {
        let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
            .iter()
            .map(|(n, f)| {
                let n = n.clone();
                let p = if f.required { p_present } else { p_present.min(0.95) * 0.6 + 0.35 };
                if p >= 1.0 {
                    return value(f).prop_map(move |v| Some((n.clone(), v))).boxed();
                }
                proptest::option::weighted(p, value(f)).prop_map(move |v| v.map(|v| (n.clone(), v))).boxed()
            })
            .collect();
        parts.prop_map(|p| p.into_iter().flatten().collect()).boxed()
    }

    /// Credentials from the provider's vectors (real key pairs for RSA), with optional ones dropped
    /// when `drop_optional`.
    fn credentials(spec: &Spec, drop_optional: bool) -> payspec::Credentials {
        let mut json = Map::new();
        for (_, v) in vectors().iter().filter(|(p, _)| *p == spec.provider) {
            for (k, val) in v["credentials"].as_object().into_iter().flatten() {
                json.entry(k.clone()).or_insert(val.clone());
            }
        }
        // The throwaway key pair of the RSA vectors also stands in for a gateway's signing key.
        for (kind, file) in [
            (payspec::model::CredentialKind::PrivateKeyPem, "conformance/keys/test_private_key.pem"),
            (payspec::model::CredentialKind::PublicKeyPem, "conformance/keys/test_public_key.pem"),
        ] {
            if let Ok(pem) = std::fs::read_to_string(root().join(file)) {
                for (name, def) in &spec.credentials {
                    if def.kind == kind && !json.contains_key(name) {
                        json.insert(name.clone(), Value::String(pem.clone()));
                    }
                }
            }
        }
        for (name, def) in &spec.credentials {
            if def.optional && drop_optional {
                json.remove(name);
            } else if !json.contains_key(name) {
                json.insert(
                    name.clone(),
                    if def.kind == payspec::model::CredentialKind::Integer { json!(7) } else { json!("dummy-secret") },
                );
            }
        }
        payspec::Credentials::from_json(spec, &Value::Object(json)).unwrap()
    }

    fn runner() -> TestRunner {
        TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() })
    }

    /// Run `f` on every item, on at most `available_parallelism` threads; panics propagate.
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
    fn signing_matches_the_interpreter_on_random_inputs() {
        // The providers are independent: checked in parallel.
        par_each(PROVIDERS, |provider| {
            let spec = spec(provider);
            let interp = Interpreter::new(&spec);
            for drop_optional in [false, true] {
                let rt = credentials(&spec, drop_optional);
                with_provider!(*provider, |m| {
                    let creds = m::Credentials::from_runtime(&rt).unwrap();
                    for name in spec.recipes.keys() {
                        runner()
                            .run(&(-5_000_000_000_000i64..5_000_000_000_000), |ms| {
                                let clock = Clock { now_ms: ms };
                                prop_assert_eq!(
                                    m::DYNAMIC.run_recipe(name, &creds, clock),
                                    interp.run_recipe(name, &rt, clock)
                                );
                                Ok(())
                            })
                            .unwrap_or_else(|e| panic!("{provider}.{name}: {e}"));
                    }
                    for (op, def) in &spec.operations {
                        let strategy = (object(&def.request, 0.9), 0i64..2_000_000_000);
                        runner()
                            .run(&strategy, |(input, secs)| {
                                let clock = Clock { now_ms: secs * 1000 + 123 };
                                for env in m::Env::ALL {
                                    let generated = m::DYNAMIC.sign(op, &input, &creds, *env, clock);
                                    let interpreted = interp.sign(op, &input, &rt, env.name(), clock);
                                    prop_assert_eq!(&generated, &interpreted, "{}.{} on {:?}", provider, op, input);
                                }
                                Ok(())
                            })
                            .unwrap_or_else(|e| panic!("{provider}.{op}: {e}"));
                    }
                });
            }
        });
    }

    #[test]
    fn verifying_matches_the_interpreter_on_random_payloads() {
        for provider in PROVIDERS {
            let spec = spec(provider);
            let interp = Interpreter::new(&spec);
            let rt = credentials(&spec, false);
            with_provider!(*provider, |m| {
                let creds = m::Credentials::from_runtime(&rt).unwrap();
                for (name, cb) in &spec.callbacks {
                    // Encoded fields usually hold what their decode steps can decode.
                    let decode = cb.decode.clone();
                    let lenient = !matches!(cb.encoding, payspec::model::PayloadEncoding::Json);
                    let payloads =
                        (object(&cb.fields, 0.95), proptest::option::weighted(0.8, (0i64..10, text(8))), any::<bool>())
                            .prop_map(move |(mut p, inner, stringify)| {
                                // Form and query payloads arrive as text.
                                if lenient && stringify {
                                    for v in p.values_mut() {
                                        if v.is_number() || v.is_boolean() {
                                            *v = Value::String(v.to_string());
                                        }
                                    }
                                }
                                if let Some((status, note)) = inner {
                                    for (field, steps) in &decode {
                                        let mut v = json!({ "status": status, "note": note }).to_string();
                                        if steps.first() == Some(&payspec::model::DecodeStep::Base64) {
                                            v = payspec::crypto::encode(payspec::model::Encoding::Base64, v.as_bytes());
                                        }
                                        if p.contains_key(field) {
                                            p.insert(field.clone(), Value::String(v));
                                        }
                                    }
                                }
                                p
                            });
                    runner()
                        .run(&(payloads, any::<bool>()), |(payload, sign)| {
                            // Half the payloads carry a valid signature (signed as the provider would).
                            let payload = match sign.then(|| interp.sign_callback(name, &payload, &rt)) {
                                Some(Ok((signed, _))) => signed,
                                _ => payload,
                            };
                            let generated = m::DYNAMIC.verify_callback(name, &payload, &creds);
                            prop_assert_eq!(
                                &generated,
                                &interp.verify_callback(name, &payload, &rt),
                                "{}.{} on {:?}",
                                provider,
                                name,
                                payload
                            );
                            Ok(())
                        })
                        .unwrap_or_else(|e| panic!("{provider}.{name}: {e}"));
                }
                for (op, def) in &spec.operations {
                    let Some(resp) = def.response.as_ref() else {
                        continue;
                    };
                    runner()
                        .run(&(object(&resp.fields, 0.95), any::<bool>()), |(body, sign)| {
                            if resp.verify.is_some() {
                                let body = match sign.then(|| interp.sign_response(op, &body, &rt)) {
                                    Some(Ok((signed, _))) => signed,
                                    _ => body.clone(),
                                };
                                let generated = m::DYNAMIC.verify_response(op, &body, &creds);
                                prop_assert_eq!(
                                    &generated,
                                    &interp.verify_response(op, &body, &rt),
                                    "{}.{} response on {:?}",
                                    provider,
                                    op,
                                    body
                                );
                            }
                            // Every shape and HTTP status: interpreter ≡ generated (`status_http`).
                            let shaped = if resp.array {
                                Value::Array(vec![Value::Object(body.clone()), Value::Object(body.clone())])
                            } else {
                                Value::Object(body.clone())
                            };
                            for http in [None, Some(200), Some(400), Some(401), Some(404), Some(500), Some(503)] {
                                for json in [&shaped, &Value::Object(body.clone()), &json!([]), &json!("<html>")] {
                                    let by_interp = interp.status_http(op, http, json);
                                    let by_generated = m::DYNAMIC.status_http(op, http, json);
                                    prop_assert!(
                                        same_statuses(&by_interp, &by_generated),
                                        "{}.{} status_http({:?}) on {}: {:?} vs {:?}",
                                        provider,
                                        op,
                                        http,
                                        json,
                                        by_interp,
                                        by_generated
                                    );
                                }
                            }
                            if resp.status.is_some() && !resp.array {
                                let json = Value::Object(body.clone());
                                let report = interp.status(op, &json).unwrap().unwrap();
                                let raw = m::DYNAMIC.status(op, &json).unwrap().unwrap();
                                prop_assert_eq!(&raw.code, &report.code);
                                prop_assert_eq!(raw.outcome, report.outcome());
                                prop_assert_eq!(raw.name, report.row.and_then(|r| r.name.as_deref()));
                                prop_assert_eq!(raw.meaning, report.row.map(|r| r.meaning.as_str()));
                                prop_assert_eq!(raw.retryable, report.row.is_some_and(|r| r.retryable));
                                // A body the typed response cannot hold is an error there, not a status.
                                if let Ok(typed) = m::DYNAMIC.typed_status(op, &json) {
                                    prop_assert_eq!(typed.as_ref(), Some(&raw), "typed status of {:?}", json);
                                }
                            }
                            Ok(())
                        })
                        .unwrap_or_else(|e| panic!("{provider}.{op}: {e}"));
                }
            });
        }
    }
}

// ---- secrets never shown -------------------------------------------------------------------------

/// Values copied from secret credentials (`from: cred:`: an `x-api-key` header, a `password` body
/// field, a secret integer), an unkeyed digest over them, HTTP Basic and a sensitive nested field:
/// the wire request carries them, `Debug` of the typed request, the signed request (both paths) and
/// its stages never shows them; the masked JSON keeps the sensitive field but not the secrets.
#[test]
fn secret_values_never_appear_in_debug_on_either_path() {
    use kitchen_sink as ks;
    let spec = spec("kitchen_sink");
    let creds = ks_creds(Some("T0KEN-pass~word"));
    let clock = Clock::from_secs(1_700_000_000);
    let req = ks::SecretOpRequest::builder()
        .x_api_key("s3cret")
        .payer(ks::SecretOpPayer { email: Some("payer@example.test".into()), id: Some("p-1".into()) })
        .build()
        .unwrap();
    let shown = format!("{req:?}");
    assert!(!shown.contains("s3cret") && !shown.contains("payer@example.test"), "{shown}");

    let generated =
        ks::sign_secret_op(&ks::SecretOpRequest::builder().build().unwrap(), &creds, ks::Env::Sandbox, clock);
    let input = json!({"payer": {"email": "payer@example.test", "id": "p-1"}});
    let signed = Interpreter::new(&spec).sign("secret_op", obj(&input), &creds.to_runtime(), "sandbox", clock).unwrap();
    let typed = ks::SecretOpRequest::builder()
        .payer(ks::SecretOpPayer { email: Some("payer@example.test".into()), id: Some("p-1".into()) })
        .build()
        .unwrap();
    assert_eq!(ks::sign_secret_op(&typed, &creds, ks::Env::Sandbox, clock).as_ref(), Ok(&signed), "both paths agree");
    assert!(generated.is_ok());

    // The wire request is intact.
    assert_eq!(signed.headers["x-api-key"], "s3cret");
    let body = signed.body.to_json();
    assert_eq!((body["password"].as_str(), body["pin"].as_i64()), (Some("T0KEN-pass~word"), Some(918_273)));
    let sts = &signed.stage("sign").unwrap().string_to_sign.0;
    assert!(sts.contains("password=T0KEN-pass~word") && sts.contains("pin=918273"), "{sts}");
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("M-1:s3cret");
    assert_eq!(signed.headers["Authorization"], format!("Basic {basic}"));

    for text in [
        format!("{signed:?}"),
        format!("{signed:#?}"),
        format!("{:?}", signed.stages),
        signed.stages.iter().map(|s| format!("{} {}", s.string_to_sign, s.signature)).collect(),
        signed.to_json_masked().to_string(),
    ] {
        for secret in ["s3cret", "T0KEN-pass~word", "T0KEN-pass%7Eword", "918273", basic.as_str()] {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
    let debug = format!("{signed:?}");
    assert!(!debug.contains("payer@example.test"), "sensitive fields are redacted in Debug: {debug}");
    assert!(debug.contains("\"x-api-key\": \"«secret»\"") && debug.contains("Basic «secret»"), "{debug}");
    assert!(debug.contains("pin=«pin»"), "secret integers are masked: {debug}");
    let masked = signed.to_json_masked();
    assert_eq!(masked["body"]["payer"]["email"], "payer@example.test", "the CLI form keeps personal data");
    assert_eq!(masked["body"]["pin"], "«pin»");
    // The md5 checksum is not secret.
    assert_eq!(masked["body"]["checksum"], body["checksum"]);
}

/// A value filled from a secret credential that fails the field's check is never echoed, on either
/// path (the same error).
#[test]
fn a_secret_default_that_does_not_fit_is_not_echoed() {
    let yaml = "provider: s\ntitle: S\nenvironments: { sandbox: https://s.test }\ncredentials:\n  key: { secret: true }\noperations:\n  op:\n    method: POST\n    path: /p\n    request:\n      k: { type: string, required: true, max_len: 4, from: cred:key }\n";
    let spec = payspec::model::load_str("s.yaml", yaml).unwrap();
    let creds = payspec::Credentials::from_json(&spec, &json!({"key": "LONG-SECRET-VALUE"})).unwrap();
    let e = Interpreter::new(&spec).sign("op", &Map::new(), &creds, "sandbox", Clock::from_secs(0)).unwrap_err();
    assert!(!format!("{e} {e:?}").contains("LONG-SECRET"), "{e}");
    assert_eq!(e.to_string(), "s.op: field `k`: the secret credential it defaults to does not fit (value hidden)");
    // Generated code (kitchen sink `x-api-key` has no limits): the field's rule is marked hidden, and
    // the glue's hidden problem is the interpreter's message.
    let tokens = payspec_codegen::pretty(&payspec_codegen::generate(&spec, "s.yaml"));
    assert!(tokens.contains(".hidden()"), "{tokens}");
    assert_eq!(payspec::glue::HIDDEN, "the secret credential it defaults to does not fit (value hidden)");
}

/// Received values echoed in errors are bounded and escaped on both paths: a 50 MB value gives a
/// short message without raw newlines, terminal escapes or bidi overrides.
#[test]
fn echoed_values_are_bounded_and_escaped() {
    let spec = spec("hitechpay");
    let creds = htp_creds();
    let huge = format!("\u{1b}[2J\n{}", "9".repeat(50_000_000));
    for (field, value) in
        [("m_refund_id", json!(huge)), ("amount", json!(huge)), ("zp_trans_id", json!("a\nb\u{202e}"))]
    {
        let mut input = json!({"m_refund_id": "200904_2553_1", "zp_trans_id": "1", "amount": 1, "description": "d"});
        input[field] = value;
        let i =
            Interpreter::new(&spec).sign("refund", obj(&input), &creds.to_runtime(), "sandbox", Clock::from_secs(0));
        let g = hitechpay::DYNAMIC.sign("refund", obj(&input), &creds, hitechpay::Env::Sandbox, Clock::from_secs(0));
        for e in [i.unwrap_err(), g.unwrap_err()] {
            let msg = e.to_string();
            assert!(msg.len() < 400, "{field}: {} bytes", msg.len());
            assert!(!msg.contains('\n') && !msg.contains('\u{1b}') && !msg.contains('\u{202e}'), "{field}: {msg:?}");
        }
    }
}

// ---- spec fixes found against the official SDKs (issue 6, section 5) -----------------------------

/// Runtime credentials of a provider's vector, and the generated module's typed ones.
fn vector_creds(provider: &str, id: &str) -> (payspec::model::Spec, payspec::Credentials) {
    let spec = spec(provider);
    let creds = payspec::Credentials::from_json(&spec, &vector(provider, id)["credentials"]).unwrap();
    (spec, creds)
}

#[test]
fn bbmsl_refund_and_void_take_both_order_references() {
    let (spec, rt) = vector_creds("bbmsl", "bbmsl-refund-request");
    let creds = bbmsl::Credentials::from_runtime(&rt).unwrap();
    let interp = Interpreter::new(&spec);
    let clock = Clock::from_secs(0);
    // As the official plugin sends them: orderId and merchantReference together.
    let both = json!({"merchantId": "3", "orderId": "4922", "merchantReference": "REF-1", "amount": 10});
    let req = bbmsl::RefundRequest::builder()
        .merchant_id("3")
        .order_id("4922")
        .merchant_reference("REF-1")
        .amount(payspec::rust_decimal::Decimal::from(10))
        .build()
        .expect("both references are accepted");
    let generated = bbmsl::sign_refund(&req, &creds, bbmsl::Env::Sandbox, clock).unwrap();
    assert_eq!(Ok(&generated), interp.sign("refund", obj(&both), &rt, "sandbox", clock).as_ref());
    assert_eq!(
        generated.body.to_json()["request"],
        r#"{"merchantId":"3","orderId":"4922","merchantReference":"REF-1","amount":10}"#
    );
    let void = json!({"merchantId": "3", "orderId": 4922, "merchantReference": "REF-1"});
    let generated = bbmsl::DYNAMIC.sign("void", obj(&void), &creds, bbmsl::Env::Sandbox, clock);
    assert!(generated.is_ok(), "{generated:?}");
    assert_eq!(generated, interp.sign("void", obj(&void), &rt, "sandbox", clock));
    // Neither: refused on both paths, naming the group.
    let neither_err = SignError::Input {
        target: "bbmsl.refund".into(),
        field: "orderId|merchantReference".into(),
        problem: "at least one of these fields is required, found none".into(),
    };
    let built = bbmsl::RefundRequest::builder().merchant_id("3").amount(payspec::rust_decimal::Decimal::ONE).build();
    assert_eq!(built.unwrap_err(), neither_err);
    let neither = json!({"merchantId": "3", "amount": 1});
    assert_eq!(interp.sign("refund", obj(&neither), &rt, "sandbox", clock).unwrap_err(), neither_err);
    assert_eq!(bbmsl::DYNAMIC.sign("refund", obj(&neither), &creds, bbmsl::Env::Sandbox, clock), Err(neither_err));
    // Query still takes exactly one.
    let e = interp.sign("query", obj(&void), &rt, "sandbox", clock).unwrap_err();
    assert!(e.to_string().contains("exactly one of these fields is required, found 2"), "{e}");
}

#[test]
fn ninepay_empty_optional_field_is_neither_sent_nor_signed() {
    let (spec, rt) = vector_creds("ninepay", "ninepay-refund-create-minimal");
    let creds = ninepay::Credentials::from_runtime(&rt).unwrap();
    let clock = Clock::from_secs(1_700_000_000);
    let input = json!({"request_id": "RF_1", "payment_no": 42, "amount": 1000, "description": "x", "bank": ""});
    let interpreted = Interpreter::new(&spec).sign("refund", obj(&input), &rt, "sandbox", clock).unwrap();
    let generated = ninepay::DYNAMIC.sign("refund", obj(&input), &creds, ninepay::Env::Sandbox, clock).unwrap();
    assert_eq!(generated, interpreted);
    let typed = ninepay::RefundRequest::builder()
        .request_id("RF_1")
        .payment_no(42)
        .amount(1000)
        .description("x")
        .bank("")
        .build()
        .unwrap();
    assert_eq!(ninepay::sign_refund(&typed, &creds, ninepay::Env::Sandbox, clock).unwrap(), interpreted);
    let body = interpreted.body.to_json();
    assert!(body.get("bank").is_none(), "an empty optional field is not sent: {body}");
    let sts = &interpreted.stage("sign").unwrap().string_to_sign.0;
    assert!(!sts.contains("bank"), "nor signed: {sts}");
    // The same request as if `bank` were left out.
    let mut without = obj(&input).clone();
    without.remove("bank");
    assert_eq!(Interpreter::new(&spec).sign("refund", &without, &rt, "sandbox", clock).unwrap(), interpreted);
}

#[test]
fn ninepay_path_ids_that_need_encoding_are_refused_on_both_paths() {
    let (spec, rt) = vector_creds("ninepay", "ninepay-refund-inquire");
    let creds = ninepay::Credentials::from_runtime(&rt).unwrap();
    let clock = Clock::from_secs(1_700_000_000);
    for id in ["HĐ-001", "a/b", "a b", "RF%2F1"] {
        let input = json!({ "request_id": id });
        let interpreted = Interpreter::new(&spec).sign("refund_inquire", obj(&input), &rt, "sandbox", clock);
        let generated = ninepay::DYNAMIC.sign("refund_inquire", obj(&input), &creds, ninepay::Env::Sandbox, clock);
        assert_eq!(generated, interpreted);
        assert!(
            matches!(&interpreted, Err(SignError::Input { field, problem, .. }) if field == "request_id" && problem.contains("does not match pattern")),
            "{interpreted:?}"
        );
    }
    // An id of unreserved characters is signed as it is, as every SDK signs it.
    let input = json!({ "request_id": "RF_1.a~b-c" });
    let signed = Interpreter::new(&spec).sign("refund_inquire", obj(&input), &rt, "sandbox", clock).unwrap();
    assert!(signed.stage("sign").unwrap().string_to_sign.0.contains("/v2/refunds/RF_1.a~b-c/inquire\n"));
}

#[test]
fn validate_accepts_what_build_accepted_with_from_defaults() {
    // `timestamp` defaults to the clock, `app_id` to a credential: both filled when signing.
    let req = hitechpay::QueryRefundRequest::builder().m_refund_id("200904_2553_1").build().unwrap();
    assert_eq!(req.validate(), Ok(()));
    let req = ninepay::RefundInquireRequest::builder().request_id("RF_1").build().unwrap();
    assert_eq!(req.validate(), Ok(()));
    // A real problem is still reported.
    let mut bad = ninepay::RefundInquireRequest::builder().request_id("RF_1").build().unwrap();
    bad.request_id = "x".repeat(31);
    assert!(bad.validate().unwrap_err().to_string().contains("31 characters, at most 30 allowed"));
}

#[test]
fn typed_responses_refuse_non_objects_as_the_interpreter_does() {
    let spec = spec("hitechpay");
    let interp = Interpreter::new(&spec);
    for body in [json!([1]), json!("1"), json!(1), json!(null), json!([{"return_code": 1}])] {
        let typed = hitechpay::QueryRefundResponse::from_json(&body);
        let expected = payspec::VerifyError::Malformed {
            target: "hitechpay.query_refund response".into(),
            field: "body".into(),
            problem: format!("expected a JSON object, found {}", payspec::support::json_kind(&body)),
        };
        assert_eq!(typed.map(|r| r.status()), Err(expected.clone()), "{body}");
        assert_eq!(interp.status("query_refund", &body), Err(expected.clone()));
        assert_eq!(hitechpay::QueryRefundResponse::status_of(&body), Err(expected.clone()));
        assert_eq!(hitechpay::DYNAMIC.status("query_refund", &body), Err(expected.clone()));
        assert_eq!(hitechpay::DYNAMIC.typed_status("query_refund", &body), Err(expected));
    }
    // An object still maps.
    let ok = json!({"return_code": 1});
    assert_eq!(hitechpay::QueryRefundResponse::status_of(&ok).unwrap().outcome, Some(Outcome::Succeeded));
}

#[test]
fn minus_zero_status_codes_are_compared_canonically_on_every_path() {
    let spec = spec("hitechpay");
    let interp = Interpreter::new(&spec);
    for text in [r#"{"return_code": -0}"#, r#"{"return_code": 0}"#, r#"{"return_code": 2, "sub_return_code": -0}"#] {
        let body: Value = serde_json::from_str(text).unwrap();
        let report = interp.status("refund", &body).unwrap().unwrap();
        let raw = hitechpay::RefundResponse::status_of(&body).unwrap();
        let typed = hitechpay::RefundResponse::from_json(&body).unwrap().status();
        assert_eq!(raw, typed, "{text}");
        assert_eq!(raw.code, report.code, "{text}");
        assert_eq!(raw.outcome, report.outcome(), "{text}");
        assert!(!raw.code.contains(&Some("-0".to_string())), "{text}: {:?}", raw.code);
    }
    // `[2, 0]` of refund_query matches a received `-0` on every path.
    let body: Value = serde_json::from_str(r#"{"return_code": 2, "sub_return_code": -0}"#).unwrap();
    let report = interp.status("query_refund", &body).unwrap().unwrap();
    assert_eq!(report.row.and_then(|r| r.name.as_deref()), Some("REFUND_FAILED"));
    let typed = hitechpay::QueryRefundResponse::from_json(&body).unwrap().status();
    assert_eq!((typed.outcome, typed.name), (Some(Outcome::Failed), Some("REFUND_FAILED")));
    assert_eq!(hitechpay::QueryRefundResponse::status_of(&body).unwrap(), typed);
}

#[test]
fn decimals_beyond_28_digits_are_refused_on_both_paths() {
    let spec = spec("kitchen_sink");
    let interp = Interpreter::new(&spec);
    let creds = ks_creds(None);
    let clock = Clock::from_secs(0);
    // `c` has no limits: before, the interpreter signed the exact text and generated code a rounded one.
    for c in ["1.00000000000000000000000000001", "0.123456789012345678901234567891", "99999999999999999999999999999"] {
        let input: Value = serde_json::from_str(&format!(r#"{{"a": "x", "c": {c}}}"#)).unwrap();
        let interpreted = interp.sign("envelope_op", obj(&input), &creds.to_runtime(), "sandbox", clock);
        let generated =
            kitchen_sink::DYNAMIC.sign("envelope_op", obj(&input), &creds, kitchen_sink::Env::Sandbox, clock);
        assert_eq!(generated, interpreted, "{c}");
        assert!(
            matches!(&interpreted, Err(SignError::Input { field, problem, .. }) if field == "c" && problem.contains("cannot be held exactly")),
            "{c}: {interpreted:?}"
        );
    }
    // Negative zero: typed parsing would read it as 0 while the interpreter kept `-0`; both refuse it.
    for c in ["-0", "-0.0", "-0.00"] {
        let input: Value = serde_json::from_str(&format!(r#"{{"a": "x", "c": {c}}}"#)).unwrap();
        let interpreted = interp.sign("envelope_op", obj(&input), &creds.to_runtime(), "sandbox", clock);
        let generated =
            kitchen_sink::DYNAMIC.sign("envelope_op", obj(&input), &creds, kitchen_sink::Env::Sandbox, clock);
        assert_eq!(generated, interpreted, "{c}");
        assert!(interpreted.unwrap_err().to_string().contains("negative zero"), "{c}");
    }
    // Inside an object, named as the interpreter names it.
    let input =
        json!({"order": {"id": "o", "total": "1.00000000000000000000000000001"}, "choice_a": "a", "kind": "A_ONE"});
    let interpreted = interp.sign("json_op", obj(&input), &creds.to_runtime(), "sandbox", clock);
    let generated = kitchen_sink::DYNAMIC.sign("json_op", obj(&input), &creds, kitchen_sink::Env::Sandbox, clock);
    assert_eq!(generated, interpreted);
    assert!(
        matches!(&interpreted, Err(SignError::Input { field, problem, .. }) if field == "order" && problem.starts_with("`total`: ")),
        "{interpreted:?}"
    );
    // 28 significant digits are kept to the byte on both paths.
    let input: Value = serde_json::from_str(r#"{"a": "x", "c": 1.000000000000000000000000001}"#).unwrap();
    let interpreted = interp.sign("envelope_op", obj(&input), &creds.to_runtime(), "sandbox", clock).unwrap();
    let generated =
        kitchen_sink::DYNAMIC.sign("envelope_op", obj(&input), &creds, kitchen_sink::Env::Sandbox, clock).unwrap();
    assert_eq!(generated, interpreted);
    assert_eq!(interpreted.body.to_json()["request"], r#"{"a":"x","c":1.000000000000000000000000001}"#);
    // Received decimals too (BBMSL notification amounts).
    let typed = bbmsl::NotificationPayload::from_map(obj(&json!({
        "amount": "0.123456789012345678901234567891", "merchantReference": "R", "orderId": 1, "status": "SUCCESS", "signature": "x"
    })));
    assert!(typed.unwrap_err().to_string().contains("cannot be held exactly"));
}

#[test]
fn add_offsets_overflow_into_an_error_on_both_paths() {
    let spec = spec("kitchen_sink");
    let interp = Interpreter::new(&spec);
    let creds = ks_creds(Some("tok"));
    // `nbf_ms: { ctx: now_ms, add: -1000 }` at the bottom of the clock: checked in every build profile.
    let clock = Clock { now_ms: i64::MIN + 10 };
    let generated = kitchen_sink::recipe_jwt(&creds, clock);
    let interpreted = interp.run_recipe("jwt", &creds.to_runtime(), clock);
    assert_eq!(generated, interpreted);
    assert!(
        matches!(&interpreted, Err(SignError::Stage { problem, .. }) if problem.contains("ctx:now_ms`: -9223372036854775798 + -1000 is out of the integer range")),
        "{interpreted:?}"
    );
    assert!(interp.run_recipe("jwt", &creds.to_runtime(), Clock { now_ms: 0 }).is_ok());
    // A clock from seconds whose milliseconds do not fit is refused, not wrapped.
    assert!(Clock::try_from_secs(i64::MAX).is_err());
    assert!(Clock::try_from_secs(i64::MIN / 1000 - 1).is_err());
    assert_eq!(Clock::try_from_secs(-5).unwrap().now_ms, -5000);
}

/// Wire enums (de)serialise through their wire texts, with the messages serde's derive gives.
#[test]
fn wire_enums_use_their_wire_texts_and_serde_messages() {
    use appotapay::RefundV2XLanguage as Lang;
    #[derive(payspec::serde::Deserialize, Debug)]
    #[serde(crate = "payspec::serde")]
    enum Derived {
        #[serde(rename = "vi")]
        Vi,
        #[serde(rename = "en")]
        En,
    }
    assert_eq!(serde_json::to_value(Lang::Vi).unwrap(), json!("vi"));
    assert_eq!(serde_json::from_value::<Lang>(json!("en")).unwrap(), Lang::En);
    assert_eq!(Lang::En.to_string(), "en");
    let odd =
        [json!({"vi": null}), json!({"fr": null}), json!({"vi": 1}), json!({"vi": null, "en": null}), json!(["vi"])];
    for bad in [json!("fr"), json!(""), json!(1), json!(-1), json!(1.5), json!(null), json!(true), json!([]), json!({})]
        .into_iter()
        .chain(odd)
    {
        let ours = serde_json::from_value::<Lang>(bad.clone()).map(|l| l.to_string()).map_err(|e| e.to_string());
        let derived = serde_json::from_value::<Derived>(bad.clone()).map(|d| format!("{d:?}").to_lowercase());
        assert_eq!(ours, derived.map_err(|e| e.to_string()), "{bad}");
    }
    let _ = (Derived::Vi, Derived::En);
}

/// A custom base URL replaces every host of the spec on both paths, before signing: 9Pay signs
/// `ctx:url`, so both sign the custom URL, and agree byte for byte.
#[test]
fn a_custom_base_url_is_signed_alike_on_both_paths() {
    let spec = spec("ninepay");
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("vectors/ninepay/ninepay-refund-create-minimal.json")).unwrap(),
    )
    .unwrap();
    let creds = payspec::Credentials::from_json(&spec, &v["credentials"]).unwrap();
    let typed = ninepay::Credentials::from_runtime(&creds).unwrap();
    let req: ninepay::RefundRequest = serde_json::from_value(v["input"].clone()).unwrap();
    let clock = Clock::from_secs(1_700_000_000);
    let base = payspec::BaseUrl::parse("http://127.0.0.1:8080/ninepay/").unwrap();

    let generated = ninepay::sign_refund(&req, &typed, ninepay::Env::Custom(base), clock).unwrap();
    let interpreted = Interpreter::new(&spec).sign("refund", obj(&v["input"]), &creds, base, clock).unwrap();
    assert_eq!(generated.url, "http://127.0.0.1:8080/ninepay/v2/refunds/create");
    assert_eq!(
        (&generated.url, &generated.headers, generated.body.to_json()),
        (&interpreted.url, &interpreted.headers, interpreted.body.to_json())
    );
    assert!(generated.stages[0].string_to_sign.0.contains("\nhttp://127.0.0.1:8080/ninepay/v2/refunds/create\n"));
    let published = ninepay::sign_refund(&req, &typed, ninepay::Env::Sandbox, clock).unwrap();
    assert_ne!(published.headers["Authorization"], generated.headers["Authorization"]);

    assert_eq!(ninepay::Env::Custom(base).name(), "custom");
    assert_eq!(ninepay::Env::from_name("custom"), None, "custom is not a spec environment");
    assert_eq!(ninepay::Env::custom("http://127.0.0.1:8080/ninepay").unwrap(), ninepay::Env::Custom(base));
    assert!(ninepay::Env::custom("127.0.0.1:8080").is_err());
}

// ---- response shapes: HTTP status, error envelopes, arrays, signed_when, diagnostic rows ---------

/// Both paths' `status_http` for `op` of `provider`, checked equal; the generated result.
fn status_both(
    provider: &str,
    op: &str,
    http: Option<u16>,
    body: &Value,
) -> Result<Option<payspec::ResponseStatus<payspec::StatusMatch>>, payspec::VerifyError> {
    let spec = spec(provider);
    let by_interp = Interpreter::new(&spec).status_http(op, http, body);
    let by_generated = with_provider!(provider, |m| m::DYNAMIC.status_http(op, http, body));
    assert!(
        same_statuses(&by_interp, &by_generated),
        "{provider}.{op} {http:?} {body}: {by_interp:?} vs {by_generated:?}"
    );
    by_generated
}

fn one(s: Result<Option<payspec::ResponseStatus<payspec::StatusMatch>>, payspec::VerifyError>) -> payspec::StatusMatch {
    s.expect("a status").expect("a table").one().expect("one lookup").clone()
}

#[test]
fn http_status_selects_rows_on_both_paths() {
    // 9Pay refund: non-2xx with an undocumented (here: HTML) body; the error table reads only the status.
    let html = json!("<html>Bad Request</html>");
    let m = one(status_both("ninepay", "refund", Some(400), &html));
    assert_eq!((m.outcome, m.name), (Some(Outcome::Rejected), Some("REQUEST_REJECTED")));
    let m = one(status_both("ninepay", "refund", Some(503), &json!({})));
    assert_eq!((m.outcome, m.retryable), (Some(Outcome::Indeterminate), true));
    // The query side: a refused query says nothing about the refund.
    let m = one(status_both("ninepay", "refund_inquire", Some(404), &html));
    assert_eq!((m.outcome, m.name), (Some(Outcome::Indeterminate), Some("QUERY_REJECTED")));
    // 2xx and no HTTP status: the success table, as `status`.
    let ok = json!({"status": 5, "error_code": "000", "amount": 1, "order_code": 2, "request_id": "r"});
    assert_eq!(one(status_both("ninepay", "refund", Some(200), &ok)).outcome, Some(Outcome::Succeeded));
    assert_eq!(one(status_both("ninepay", "refund", None, &ok)).outcome, Some(Outcome::Succeeded));
    assert_eq!(ninepay::RefundResponse::status_of(&ok).unwrap().outcome, Some(Outcome::Succeeded));
    // Without an HTTP status an HTML body is malformed (the success shape is an object).
    let err = status_both("ninepay", "refund", None, &html).unwrap_err();
    assert!(matches!(err, payspec::VerifyError::Malformed { ref field, .. } if field == "body"), "{err}");

    // AppotaPay v2: an error body with a code, and one with only an HTTP status to go by.
    let m = one(status_both("appotapay", "refund_v2", Some(400), &json!({"errorCode": 31, "message": "dup"})));
    assert_eq!(m.name, Some("DUPLICATE_REFUND"));
    assert_eq!(m.code, vec![Some("31".to_string()), Some("400".to_string())]);
    let m = one(status_both("appotapay", "refund_v2", Some(401), &json!({"message": "expired"})));
    assert_eq!((m.outcome, m.name), (Some(Outcome::Rejected), Some("HTTP_UNAUTHORIZED")));
    let m = one(status_both("appotapay", "refund_v2_status", Some(502), &json!({})));
    assert_eq!((m.outcome, m.name), (Some(Outcome::Indeterminate), Some("HTTP_SERVER_ERROR")));
    let m = one(status_both("appotapay", "refund_v2", Some(418), &json!({"errorCode": 7})));
    assert!(m.is_unmapped(), "{m:?}");
    let m = one(status_both("appotapay", "refund_v2", Some(200), &json!({"status": "success"})));
    assert_eq!(m.outcome, Some(Outcome::Succeeded));
    // The typed error type reads the same code (its `http:status` column is absent).
    let e = appotapay::RefundV2Error::from_json(&json!({"errorCode": 129, "message": "wait"})).unwrap();
    assert_eq!((e.error_code, e.status().name), (Some(129), Some("WAIT_BEFORE_REFUND")));
}

#[test]
fn vietqr_check_order_is_an_array_with_a_status_per_row() {
    let rows = json!([
        {"referenceNumber": "FT1", "orderId": "o1", "amount": 10000, "type": 0, "status": 1,
         "refundCount": 1, "amountRefunded": 5000, "transType": "C"},
        {"referenceNumber": "FT2", "orderId": "o1", "amount": 5000, "type": 6, "status": 1, "transType": "D"},
        {"referenceNumber": "FT3", "type": 6, "status": 0},
        {"referenceNumber": "FT4", "type": 9, "status": 1},
    ]);
    for op in ["check_order", "check_order_h2c"] {
        let s = status_both("vietqr", op, Some(200), &rows).unwrap().unwrap();
        let r = s.rows().expect("one status per row");
        assert_eq!(r.len(), 4);
        assert!(r[0].is_diagnostic() && r[0].name == Some("PAYMENT_VIETQR"), "{:?}", r[0]);
        assert_eq!(r[1].outcome, Some(Outcome::Succeeded));
        assert_eq!(r[2].outcome, Some(Outcome::Processing));
        assert!(r[3].is_unmapped());
        // No rows: its own result, not a success.
        let empty = status_both("vietqr", op, Some(200), &json!([])).unwrap().unwrap();
        assert!(empty.is_empty_rows() && empty.one().is_none());
        // An object where the array belongs is malformed, naming `body`; a row that is no object names it.
        for (body, field) in [(json!({"status": "FAILED"}), "body"), (json!([{"type": 6}, 3]), "body[1]")] {
            let err = status_both("vietqr", op, Some(200), &body).unwrap_err();
            assert!(matches!(err, payspec::VerifyError::Malformed { field: ref f, .. } if f == field), "{err}");
        }
        // HTTP 400: the error envelope and its table.
        let m = one(status_both("vietqr", op, Some(400), &json!({"status": "FAILED", "message": "E96"})));
        assert_eq!((m.outcome, m.name), (Some(Outcome::Rejected), Some("TRANSACTION_NOT_FOUND")));
        // The single-status entry points refuse an array response (one status per row).
        let spec = spec("vietqr");
        let err = Interpreter::new(&spec).status(op, &rows).unwrap_err();
        assert_eq!(Err(err), vietqr::DYNAMIC.status(op, &rows));
    }
    // The typed response is a Vec of rows.
    let typed = vietqr::CheckOrderResponse::from_json(&rows).unwrap();
    assert_eq!(typed.rows().len(), 4);
    assert_eq!(typed.0[1].trans_type, Some(vietqr::CheckOrderResponseTransType::D));
    assert_eq!(typed.status(), vietqr::CheckOrderResponse::status_of(&rows).unwrap());
    assert_eq!(typed.status()[1].outcome, Some(Outcome::Succeeded));
    assert!(vietqr::CheckOrderResponse::from_json(&json!({"status": "FAILED"})).is_err());
    let e = vietqr::CheckOrderError::from_json(&json!({"status": "FAILED", "message": "E74"})).unwrap();
    assert_eq!(e.status().name, Some("INVALID_TOKEN"));
    // Token errors (HTTP 400) have their own table; a 200 token body has none.
    let m = one(status_both("vietqr", "token", Some(400), &json!({"status": "FAILED", "message": "E01"})));
    assert_eq!(m.outcome, Some(Outcome::Rejected));
    assert_eq!(status_both("vietqr", "token", Some(200), &json!({"access_token": "t"})), Ok(None));
}

#[test]
fn appotapay_v1_error_bodies_are_unsigned_by_the_spec() {
    let spec = spec("appotapay");
    let interp = Interpreter::new(&spec);
    let rt = payspec::Credentials::from_json(&spec, &json!({"partner_code": "P", "api_key": "A", "secret_key": "S"}))
        .unwrap();
    let creds = appotapay::Credentials::from_runtime(&rt).unwrap();
    let error = json!({"errorCode": 36, "message": "Not found"});
    let by_interp = interp.verify_response("refund", obj(&error), &rt);
    let by_generated = appotapay::verify_refund_response(obj(&error), &creds);
    assert_eq!(by_interp, by_generated);
    let err = by_generated.unwrap_err();
    assert!(err.is_unsigned() && !err.is_bad_signature(), "{err}");
    assert!(err.to_string().contains("errorCode"), "{err}");
    // A success body must carry a valid signature, as before.
    let ok = json!({"errorCode": 0, "message": "ok", "data": {"amount": 1, "appotapayTransId": "t", "reason": "r",
        "refundId": "x", "refundOriginalId": "y", "status": "success", "transactionTs": 1}});
    let (signed, _) = interp.sign_response("refund", obj(&ok), &rt).unwrap();
    assert!(appotapay::verify_refund_response(&signed, &creds).is_ok());
    assert!(interp.verify_response("refund", &signed, &rt).is_ok());
    let missing = appotapay::verify_refund_response(obj(&ok), &creds).unwrap_err();
    assert!(!missing.is_unsigned(), "{missing}");
    assert_eq!(Err(missing), interp.verify_response("refund", obj(&ok), &rt));
    let mut forged = signed.clone();
    forged.insert("errorCode".into(), json!(0));
    forged["data"]["amount"] = json!(2);
    assert!(appotapay::verify_refund_response(&forged, &creds).unwrap_err().is_bad_signature());
}

#[test]
fn diagnostic_rows_have_a_name_and_no_outcome() {
    let m = payspec::StatusMatch::lookup(ninepay::STATUS_ERROR_CODE, vec![Some("100".into())]);
    assert!(m.matched && m.is_diagnostic() && !m.is_unmapped(), "{m:?}");
    assert_eq!((m.outcome, m.name), (None, Some("Invalid_otp")));
    let unmapped = payspec::StatusMatch::lookup(ninepay::STATUS_ERROR_CODE, vec![Some("777".into())]);
    assert!(unmapped.is_unmapped() && !unmapped.is_diagnostic());
    let spec = spec("ninepay");
    let row = spec.status_tables["error_code"].lookup(&[Some("100".into())]).unwrap();
    assert_eq!((row.outcome, row.name.as_deref()), (None, Some("Invalid_otp")));
}

/// Generated structs (de)serialise through `payspec::glue::record!`, not serde's derive: on many
/// inputs — valid, mistyped, missing, unknown and duplicate fields, several problems at once in
/// shuffled key orders, arrays, non-objects — they read and write exactly what structs with the
/// derive and the attributes codegen used to emit read and write, with the same error messages.
#[test]
fn generated_structs_read_and_write_json_as_serde_derive_did() {
    use payspec::rust_decimal::Decimal;
    use payspec::serde::{de::DeserializeOwned, Deserialize, Serialize};
    use payspec::Scalar;

    #[payspec::glue::skip_serializing_none]
    #[derive(Serialize, Deserialize)]
    #[serde(crate = "payspec::serde")]
    struct FormCbPayload {
        #[serde(deserialize_with = "payspec::scalar::lenient::i64")]
        amount: i64,
        #[serde(default, deserialize_with = "payspec::scalar::lenient::bool_opt")]
        ok: Option<bool>,
        #[serde(default, with = "payspec::glue::exact_decimal_option")]
        price: Option<Decimal>,
        data: Option<String>,
        sig: String,
        code: Option<Scalar>,
    }
    #[payspec::glue::skip_serializing_none]
    #[derive(Serialize, Deserialize)]
    #[serde(crate = "payspec::serde", deny_unknown_fields)]
    struct JsonOpRequest {
        order: JsonOpOrder,
        choice_a: Option<String>,
        choice_b: Option<i64>,
        kind: kitchen_sink::JsonOpKind,
        r#type: Option<String>,
        #[serde(rename = "X-Merchant")]
        x_merchant: Option<String>,
    }
    #[payspec::glue::skip_serializing_none]
    #[derive(Serialize, Deserialize)]
    #[serde(crate = "payspec::serde")]
    struct JsonOpOrder {
        id: String,
        #[serde(default, with = "payspec::glue::exact_decimal_option")]
        total: Option<Decimal>,
        lines: Option<i64>,
        nested: Option<JsonOpOrderNested>,
    }
    #[payspec::glue::skip_serializing_none]
    #[derive(Serialize, Deserialize)]
    #[serde(crate = "payspec::serde")]
    struct JsonOpOrderNested {
        deep: Option<String>,
        ok: Option<bool>,
    }
    #[derive(Deserialize)]
    #[serde(crate = "payspec::serde", default, deny_unknown_fields)]
    #[allow(dead_code)]
    #[derive(Default)]
    struct JsonOpRequestBuilder {
        order: Option<JsonOpOrder>,
        choice_a: Option<String>,
        choice_b: Option<i64>,
        kind: Option<kitchen_sink::JsonOpKind>,
        r#type: Option<String>,
        #[serde(rename = "X-Merchant")]
        x_merchant: Option<String>,
    }
    #[payspec::glue::skip_serializing_none]
    #[derive(Serialize, Deserialize)]
    #[serde(crate = "payspec::serde", deny_unknown_fields)]
    struct FormOpRequest {
        item_id: String,
        page: Option<i64>,
        lang: Option<kitchen_sink::FormOpLang>,
        #[serde(rename = "X-Trace")]
        x_trace: Option<String>,
        #[serde(rename = "X-Note")]
        x_note: Option<String>,
        #[serde(with = "payspec::glue::exact_decimal")]
        amount: Decimal,
        note: Option<String>,
        flag: Option<bool>,
        meta: Option<String>,
        r#ref: Option<Scalar>,
        merchant: Option<String>,
        num: Option<i64>,
        when: Option<i64>,
    }

    /// Both parse `input` (a value, or JSON text); both results written back as JSON text.
    fn same<G, M>(input: &Value, text: Option<&str>) -> bool
    where
        G: Serialize + DeserializeOwned,
        M: Serialize + DeserializeOwned,
    {
        let write = |v: Result<Value, String>| v.map(|v| v.to_string());
        let (ours, derived) = match text {
            None => (
                write(
                    serde_json::from_value::<G>(input.clone())
                        .map(|g| serde_json::to_value(g).unwrap())
                        .map_err(|e| e.to_string()),
                ),
                write(
                    serde_json::from_value::<M>(input.clone())
                        .map(|m| serde_json::to_value(m).unwrap())
                        .map_err(|e| e.to_string()),
                ),
            ),
            // From text, positions differ (ours: the end of the object), and so does the wording
            // of a number where text is expected ("number", as from a `Value` with arbitrary
            // precision, for the parser's "integer `5`"); the inputs below have neither.
            Some(t) => {
                let msg = |e: serde_json::Error| e.to_string().split(" at line ").next().unwrap().to_string();
                (
                    write(serde_json::from_str::<G>(t).map(|g| serde_json::to_value(g).unwrap()).map_err(msg)),
                    write(serde_json::from_str::<M>(t).map(|m| serde_json::to_value(m).unwrap()).map_err(msg)),
                )
            }
        };
        assert_eq!(ours, derived, "{}", text.map_or(input.to_string(), String::from));
        ours.is_ok()
    }
    /// Builders are read only: the same errors, or both read.
    fn same_builder(input: &Value) -> bool {
        let ours = serde_json::from_value::<kitchen_sink::JsonOpRequestBuilder>(input.clone()).map(|_| ());
        let derived = serde_json::from_value::<JsonOpRequestBuilder>(input.clone()).map(|_| ());
        let (ours, derived) = (ours.map_err(|e| e.to_string()), derived.map_err(|e| e.to_string()));
        assert_eq!(ours, derived, "{input}");
        ours.is_ok()
    }

    // A small deterministic generator of inputs.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let scalars = [
        json!(null),
        json!(true),
        json!(false),
        json!("true"),
        json!(12),
        json!(-3),
        json!("12"),
        json!(1.5),
        json!("1.50"),
        json!(""),
        json!("x"),
        json!("A_ONE"),
        json!("b-two"),
        json!("vi"),
        json!([]),
        json!([1]),
        json!({}),
        json!(18446744073709551615u64),
        json!("0.12345678901234567890123456789"),
    ];
    let nested = [json!({"deep": "d", "ok": true}), json!({"ok": "true"}), json!({"deep": 5}), json!([null, false])];
    let orders = [
        json!({"id": "o1"}),
        json!({"id": "o1", "total": "10.50", "lines": 2, "nested": nested[0]}),
        json!({"id": 1}),
        json!({"total": 1.25}),
        json!({"id": "o", "total": "x"}),
        json!({"id": "o", "nested": nested[2]}),
        json!(["o2", 3, 4]),
        json!({"id": "o", "zz": 1}),
    ];
    let pick = |field: &str, rand: &mut dyn FnMut(usize) -> usize| match field {
        "order" if rand(3) > 0 => orders[rand(orders.len())].clone(),
        "nested" if rand(2) > 0 => nested[rand(nested.len())].clone(),
        _ => scalars[rand(scalars.len())].clone(),
    };
    let object = |fields: &[&str], rand: &mut dyn FnMut(usize) -> usize| {
        let mut keys: Vec<&str> = fields.iter().copied().filter(|_| rand(4) > 0).collect();
        if rand(6) == 0 {
            keys.push("zz");
        }
        for i in (1..keys.len()).rev() {
            keys.swap(i, rand(i + 1));
        }
        let mut m = Map::new();
        for k in keys {
            m.insert(k.to_string(), pick(k, rand));
        }
        if rand(8) == 0 {
            let n = rand(fields.len() + 2);
            return Value::Array((0..n).map(|i| pick(fields.get(i).copied().unwrap_or(""), rand)).collect());
        }
        if rand(20) == 0 {
            return scalars[rand(scalars.len())].clone();
        }
        Value::Object(m)
    };

    let payload = ["amount", "ok", "price", "data", "sig", "code"];
    let request = ["order", "choice_a", "choice_b", "kind", "type", "X-Merchant"];
    let form = [
        "item_id", "page", "lang", "X-Trace", "X-Note", "amount", "note", "flag", "meta", "ref", "merchant", "num",
        "when",
    ];
    let (mut ok, mut total) = (0, 0);
    for _ in 0..3000 {
        let p = object(&payload, &mut rand);
        let r = object(&request, &mut rand);
        let f = object(&form, &mut rand);
        ok += same::<kitchen_sink::FormCbPayload, FormCbPayload>(&p, None) as usize;
        ok += same::<kitchen_sink::JsonOpRequest, JsonOpRequest>(&r, None) as usize;
        ok += same_builder(&r) as usize;
        ok += same::<kitchen_sink::FormOpRequest, FormOpRequest>(&f, None) as usize;
        ok += same::<kitchen_sink::JsonOpOrder, JsonOpOrder>(&pick("order", &mut rand), None) as usize;
        total += 5;
    }
    // Both outcomes are well represented.
    assert!(ok > total / 20 && ok < total - total / 20, "{ok} of {total} parsed");

    // From text: duplicate fields, unreadable values, trailing elements.
    for text in [
        r#"{"amount": 1, "sig": "s", "amount": 2}"#,
        r#"{"amount": "x", "sig": "s", "amount": 2}"#,
        r#"{"sig": [5], "amount": tru}"#,
        r#"{"sig": "s", "amount": 1}"#,
        r#"[1, null, null, null, "s", null, 7]"#,
        r#"[1, true]"#,
        r#"{"amount": "12", "ok": "false", "sig": "s", "zz": {"deep": [1, 2]}}"#,
    ] {
        same::<kitchen_sink::FormCbPayload, FormCbPayload>(&Value::Null, Some(text));
    }
    for text in [r#"{"order": {"id": "a"}, "kind": "3", "kind": "3"}"#, r#"{"order": {"id": [1]}, "zz": 1, "kind": 5}"#]
    {
        same::<kitchen_sink::JsonOpRequest, JsonOpRequest>(&Value::Null, Some(text));
    }
}
