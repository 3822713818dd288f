//! Interpreter semantics on small inline specs, plus cross-checks against independent implementations.

use payspec::{Clock, Credentials, Interpreter, SignError, VerifyError};
use payspec_model::{load_str, Spec};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const HEAD: &str = "provider: t\ntitle: T\nenvironments: { sandbox: https://t.test/base, production: https://live.test }\ncredentials:\n  key: { secret: true }\n  id: { type: integer }\n  token: { secret: true, optional: true }\n";
const PROV: &str = "provenance: { source: test, confidence: inferred }";

fn spec(rest: &str) -> Spec {
    load_str("t.yaml", &format!("{HEAD}{rest}")).unwrap_or_else(|d| panic!("{d}"))
}

fn creds(spec: &Spec, v: Value) -> Credentials {
    Credentials::from_json(spec, &v).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn one_op(fields: &str, sign: &str, body: &str) -> Spec {
    spec(&format!("operations:\n  op:\n    method: POST\n    path: /op/{{ref}}\n    body: {body}\n    request:\n      ref: {{ type: string, in: path, required: true }}\n{fields}    sign:\n      {PROV}\n{sign}"))
}

#[test]
fn optional_parts_drop_out_with_their_separator() {
    let s = one_op(
        "      a: { type: string, required: true }\n      b: { type: integer }\n      c: { type: string }\n",
        "      message: { join: \"|\", parts: [a, \"b?\", c?, cred:id] }\n      digest: { alg: hmac-sha256, key: cred:key }\n      encode: hex\n      place: body.mac\n",
        "json",
    );
    let c = creds(&s, json!({"key": "k", "id": 7}));
    let i = Interpreter::new(&s);
    let r = i.sign("op", &obj(json!({"ref": "x y", "a": "A", "c": "C"})), &c, "sandbox", Clock::from_secs(0)).unwrap();
    assert_eq!(r.stage("sign").unwrap().string_to_sign.0, "A|C|7");
    assert_eq!(r.url, "https://t.test/base/op/x%20y");
    let r = i.sign("op", &obj(json!({"ref": "r", "a": "A", "b": 5})), &c, "production", Clock::from_secs(0)).unwrap();
    assert_eq!(r.stage("sign").unwrap().string_to_sign.0, "A|5|7");
    assert_eq!(r.url, "https://live.test/op/r");
    assert_eq!(r.body.to_json()["mac"].as_str().unwrap().len(), 64);
}

#[test]
fn pairs_sort_encode_and_omit() {
    let s = one_op(
        "      b: { type: string }\n      a: { type: string, required: true }\n      z: { type: decimal }\n",
        "      message: { pairs: { sort: true, encode: form, omit_empty: true } }\n      digest: { alg: sha256 }\n      encode: HEX\n      place: query.sig\n",
        "form",
    );
    let c = creds(&s, json!({"key": "k", "id": 1}));
    let r = Interpreter::new(&s)
        .sign("op", &obj(json!({"ref": "r", "a": "x*y~", "b": "", "z": "10.50"})), &c, "sandbox", Clock::from_secs(0))
        .unwrap();
    assert_eq!(r.stage("sign").unwrap().string_to_sign.0, "a=x%2Ay%7E&z=10.50");
    assert!(r.url.starts_with("https://t.test/base/op/r?sig="), "{}", r.url);
    assert_eq!(r.body, payspec::Body::Form("b=&a=x%2Ay%7E&z=10.50".into()));
    assert_eq!(r.headers["Content-Type"], "application/x-www-form-urlencoded");
}

#[test]
fn header_templates_and_auth_recipes_run_after_sign() {
    let s = spec(&format!(
        "recipes:\n  bearer:\n    {PROV}\n    message: cred:token\n    place: {{ header: Authorization, template: \"Bearer {{signature}}\" }}\noperations:\n  op:\n    method: GET\n    path: /g\n    body: none\n    auth: bearer\n    request:\n      Date: {{ type: integer, in: header, required: true, from: ctx:now_s }}\n    sign:\n      {PROV}\n      message: {{ join: \"\\n\", parts: [ctx:method, ctx:url, Date, {{ pairs: {{ sort: true }}, optional: true }}] }}\n      digest: {{ alg: hmac-sha512, key: cred:key }}\n      encode: base64\n      place: {{ header: X-Sig, template: \"id={{cred:id}},sig={{signature}}\" }}\n"
    ));
    let i = Interpreter::new(&s);
    let c = creds(&s, json!({"key": "k", "id": 9, "token": "T0K"}));
    let r = i.sign("op", &Map::new(), &c, "sandbox", Clock::from_secs(1_700_000_000)).unwrap();
    assert_eq!(r.stages.iter().map(|s| &*s.recipe).collect::<Vec<_>>(), ["sign", "auth:bearer"]);
    assert_eq!(r.stage("sign").unwrap().string_to_sign.0, "GET\nhttps://t.test/base/g\n1700000000");
    assert_eq!(r.headers["Date"], "1700000000");
    assert_eq!(r.headers["Authorization"], "Bearer T0K");
    assert!(r.headers["X-Sig"].starts_with("id=9,sig="));
    assert_eq!(r.body, payspec::Body::None);
    let no_token = creds(&s, json!({"key": "k", "id": 9}));
    let e = i.sign("op", &Map::new(), &no_token, "sandbox", Clock::from_secs(0)).unwrap_err();
    assert!(e.to_string().contains("credential `token`: required by this recipe but not given"), "{e}");
}

#[test]
fn one_of_and_all_or_none_groups_are_enforced() {
    let s = one_op(
        "      a: { type: string }\n      b: { type: string }\n      c: { type: string }\n      d: { type: string }\n    one_of: [[a, b]]\n    all_or_none: [[c, d]]\n",
        "      message: ctx:payload\n      digest: { alg: md5 }\n      encode: hex\n      place: body.sig\n",
        "{ envelope: request }",
    );
    let i = Interpreter::new(&s);
    let c = creds(&s, json!({"key": "k", "id": 1}));
    let sign = |v: Value| i.sign("op", &obj(v), &c, "sandbox", Clock::from_secs(0));
    let ok = sign(json!({"ref": "r", "b": "B"})).unwrap();
    assert_eq!(ok.body.to_json()["request"], "{\"b\":\"B\"}");
    assert_eq!(ok.body.to_json()["sig"].as_str().unwrap().len(), 32);
    let e = sign(json!({"ref": "r", "a": "A", "b": "B"})).unwrap_err();
    assert!(e.to_string().contains("field `a|b`: exactly one of these fields is required, found 2"), "{e}");
    assert!(sign(json!({"ref": "r"})).is_err());
    let e = sign(json!({"ref": "r", "a": "A", "c": "C"})).unwrap_err();
    assert!(e.to_string().contains("field `d`: required together with c, d"), "{e}");
}

#[test]
fn unknown_names_are_errors_not_defaults() {
    let s = one_op(
        "",
        "      message: ref\n      digest: { alg: md5 }\n      encode: hex\n      place: body.sig\n",
        "json",
    );
    let i = Interpreter::new(&s);
    let c = creds(&s, json!({"key": "k", "id": 1}));
    assert!(matches!(i.sign("nope", &Map::new(), &c, "sandbox", Clock::from_secs(0)), Err(SignError::Unknown(_))));
    assert!(matches!(
        i.sign("op", &obj(json!({"ref": "r"})), &c, "staging", Clock::from_secs(0)),
        Err(SignError::Unknown(_))
    ));
    let e = Credentials::from_json(&s, &json!({"key": "k", "id": 1, "kee": "x"})).unwrap_err();
    assert!(e.to_string().contains("credential `kee`: unknown"), "{e}");
}

fn callback_spec() -> Spec {
    spec(&format!(
        "operations: {{}}\ncallbacks:\n  cb:\n    encoding: form\n    fields:\n      data: {{ type: string, required: true }}\n      n: {{ type: integer }}\n      sig: {{ type: string, required: true }}\n    verify:\n      {PROV}\n      message: {{ join: \"|\", parts: [data, \"n?\", cred:key] }}\n      digest: {{ alg: sha256 }}\n      encode: HEX\n      place: body.sig\n    decode: {{ data: [base64, json] }}\n"
    ))
}

fn sign_cb(data: &str, n: Option<&str>, key: &str) -> String {
    // `data|n|key` (`n` drops out with its separator); a concat would let `data` absorb `n`.
    let msg = match n {
        Some(n) => format!("{data}|{n}|{key}"),
        None => format!("{data}|{key}"),
    };
    hex::encode_upper(payspec::crypto::sha256(msg.as_bytes()))
}

#[test]
fn callbacks_verify_decode_and_reject_forgeries() {
    let s = callback_spec();
    let i = Interpreter::new(&s);
    let c = creds(&s, json!({"key": "K", "id": 1}));
    let data = "eyJhIjoxfQ"; // {"a":1}, unpadded URL-safe base64
    let good = json!({"data": data, "n": "5", "sig": sign_cb(data, Some("5"), "K")});
    let v = i.verify_callback("cb", &obj(good.clone()), &c).unwrap();
    assert_eq!(v.payload["data"], json!({"a": 1}));
    assert_eq!(v.stages.string_to_sign.0, format!("{data}|5|K"));

    let mut lower = good.clone();
    lower["sig"] = json!(sign_cb(data, Some("5"), "K").to_lowercase());
    assert!(i.verify_callback("cb", &obj(lower), &c).unwrap_err().is_bad_signature(), "case of the hex matters");
    let mut changed = good.clone();
    changed["n"] = json!("6");
    assert!(i.verify_callback("cb", &obj(changed), &c).unwrap_err().is_bad_signature());
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("sig");
    assert!(
        matches!(i.verify_callback("cb", &obj(missing), &c), Err(VerifyError::Malformed { field, .. }) if field == "sig")
    );
    let bad_data = json!({"data": "%%%", "sig": sign_cb("%%%", None, "K")});
    assert!(
        matches!(i.verify_callback("cb", &obj(bad_data), &c), Err(VerifyError::Malformed { field, .. }) if field == "data")
    );
    let bad_int = json!({"data": data, "n": "five", "sig": "x"});
    assert!(
        matches!(i.verify_callback("cb", &obj(bad_int), &c), Err(VerifyError::Malformed { field, .. }) if field == "n")
    );
}

/// AppotaPay-style JWTs from the interpreter must verify with the independent `jsonwebtoken` crate,
/// custom `cty` header included.
#[test]
fn jwt_recipe_is_accepted_by_jsonwebtoken() {
    let s =
        payspec_model::load_file(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/appotapay.yaml")))
            .unwrap();
    let c = creds(
        &s,
        json!({"partner_code": "APPOTAPAY", "api_key": "FJcmF8uj2ISveL5FvvNk4pnp8xrhINz8", "secret_key": "XAonJgy14YhtePEITXhyBS2unjfJLAV3"}),
    );
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (_, header) = Interpreter::new(&s).run_recipe("jwt", &c, Clock::from_secs(now)).unwrap();
    let key = jsonwebtoken::DecodingKey::from_secret(b"XAonJgy14YhtePEITXhyBS2unjfJLAV3");
    let data =
        jsonwebtoken::decode::<Value>(&header, &key, &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256))
            .unwrap();
    assert_eq!(data.header.cty.as_deref(), Some("appotapay-api;v=1"));
    assert_eq!(data.claims["iss"], "APPOTAPAY");
    assert_eq!(data.claims["jti"], format!("FJcmF8uj2ISveL5FvvNk4pnp8xrhINz8-{now}"));
    assert_eq!(data.claims["exp"], now + 300);
    let wrong = jsonwebtoken::DecodingKey::from_secret(b"other");
    assert!(jsonwebtoken::decode::<Value>(
        &header,
        &wrong,
        &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256)
    )
    .is_err());
}

/// BBMSL-style RSA envelopes must verify with the `openssl` command-line tool.
#[test]
fn rsa_envelope_signature_verifies_with_openssl() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let s = payspec_model::load_file(&root.join("specs/bbmsl.yaml")).unwrap();
    let vector: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("vectors/bbmsl/bbmsl-refund-request.json")).unwrap())
            .unwrap();
    let c = Credentials::from_json(&s, &vector["credentials"]).unwrap();
    let input = obj(json!({"merchantId": "M-1", "merchantReference": "Hoàn tiền #1", "amount": "12.50"}));
    let r = Interpreter::new(&s).sign("refund", &input, &c, "sandbox", Clock::from_secs(0)).unwrap();
    let body = r.body.to_json();
    let payload = body["request"].as_str().unwrap();
    assert_eq!(payload, r#"{"merchantId":"M-1","merchantReference":"Hoàn tiền #1","amount":12.50}"#);
    let dir = std::env::temp_dir().join(format!("payspec-rsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sig = payspec::crypto::decode(payspec_model::Encoding::Base64, body["signature"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("msg"), payload).unwrap();
    std::fs::write(dir.join("sig"), &sig).unwrap();
    let public = vector["credentials"]["gateway_public_key"].as_str().unwrap();
    std::fs::write(dir.join("pub.pem"), public).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "msg"])
        .current_dir(&dir)
        .output()
        .expect("openssl runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"), "{out:?}");
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,20}",
        "[|&=\\n*~%+/:]{0,8}",
        "\\PC{0,12}", // any printable Unicode
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Signing any input never panics; it yields a request or a typed error.
    #[test]
    fn signing_never_panics(a in arb_text(), b in proptest::option::of(arb_text()), n in any::<i64>(), junk in arb_text()) {
        let s = one_op(
            "      a: { type: string, required: true, max_len: 12 }\n      b: { type: string }\n      n: { type: integer, min: -1000 }\n",
            "      message: { join: \"|\", parts: [a, b?, n] }\n      digest: { alg: hmac-sha256, key: cred:key }\n      encode: hex\n      place: body.mac\n",
            "json",
        );
        let c = creds(&s, json!({"key": junk, "id": 1}));
        let mut input = json!({"ref": a.clone(), "a": a, "n": n});
        if let Some(b) = b { input["b"] = json!(b); }
        let _ = Interpreter::new(&s).sign("op", &obj(input), &c, "sandbox", Clock::from_secs(0));
    }

    /// A payload signed by the recipe verifies; changing its data or signature makes it fail.
    #[test]
    fn callback_sign_verify_round_trip(raw in "\\PC{0,40}", key in "[a-zA-Z0-9]{1,16}") {
        let s = callback_spec();
        let c = creds(&s, json!({"key": key.clone(), "id": 1}));
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, serde_json::to_string(&raw).unwrap());
        let good = json!({"data": data.clone(), "sig": sign_cb(&data, None, &key)});
        let i = Interpreter::new(&s);
        prop_assert_eq!(i.verify_callback("cb", &obj(good.clone()), &c).unwrap().payload["data"].clone(), json!(raw));
        let mut forged = good.clone();
        forged["data"] = json!(format!("{data}AAAA"));
        prop_assert!(i.verify_callback("cb", &obj(forged), &c).unwrap_err().is_bad_signature());
    }
}

/// The provider side: a signed request parses back into its fields and verifies; a changed field,
/// signature or host is refused with the reason.
#[test]
fn verify_request_accepts_what_was_signed_and_nothing_else() {
    let s = spec(&format!(
        "operations:\n  op:\n    method: POST\n    path: /op/{{ref}}\n    body: form\n    request:\n      ref: {{ type: string, in: path, required: true, pattern: '^[a-z._~-]+$' }}\n      Date: {{ type: integer, in: header, required: true, from: ctx:now_s }}\n      amount: {{ type: integer, required: true }}\n      note: {{ type: string }}\n    sign:\n      {PROV}\n      message: {{ join: \"\\n\", parts: [ctx:method, ctx:url, Date, {{ pairs: {{ sort: true, encode: form }} }}] }}\n      digest: {{ alg: hmac-sha256, key: cred:key }}\n      encode: base64\n      place: {{ header: Authorization, template: \"Sig id={{cred:id}},s={{signature}}\" }}\n"
    ));
    let i = Interpreter::new(&s);
    let c = creds(&s, json!({"key": "k", "id": 4}));
    let signed = i
        .sign(
            "op",
            &obj(json!({"ref": "a.b~c", "amount": 5, "note": "x y&z"})),
            &c,
            "sandbox",
            Clock::from_secs(1_700_000_000),
        )
        .unwrap();
    let fields = i.verify_request("op", &signed, &c, "sandbox").unwrap();
    assert_eq!(fields["ref"], "a.b~c");
    assert_eq!(fields["note"], "x y&z");
    assert_eq!(fields["Date"], "1700000000");

    let mut changed = signed.clone();
    changed.body = payspec::Body::Form("amount=6&note=x+y%26z".into());
    assert!(i.verify_request("op", &changed, &c, "sandbox").unwrap_err().is_bad_signature());
    let mut other_id = signed.clone();
    let auth = other_id.headers["Authorization"].replace("id=4", "id=5");
    other_id.headers.insert("Authorization".into(), auth);
    let e = i.verify_request("op", &other_id, &c, "sandbox").unwrap_err();
    assert!(e.to_string().contains("header does not have the form"), "{e}");
    let e = i.verify_request("op", &signed, &c, "production").unwrap_err();
    assert!(matches!(&e, VerifyError::Malformed { field, .. } if field == "url"), "{e}");
}

#[test]
fn credentials_must_include_every_required_one() {
    let s = spec("operations: {}\n");
    let e = Credentials::from_json(&s, &json!({"key": "k"})).unwrap_err();
    assert_eq!(e.to_string(), "credential `id`: required by the spec but not given");
    assert!(Credentials::from_json(&s, &json!({"key": "k", "id": 1})).is_ok(), "`token` is optional");
}

#[test]
fn debug_output_redacts_credential_material() {
    let s = spec(&format!(
        "recipes:\n  bearer:\n    {PROV}\n    message: cred:token\n    place: {{ header: Authorization, template: \"Bearer {{signature}}\" }}\noperations:\n  op:\n    method: GET\n    path: /g\n    body: none\n    auth: bearer\n"
    ));
    let c = creds(&s, json!({"key": "k", "id": 1, "token": "T0P-SECRET"}));
    let r = Interpreter::new(&s).sign("op", &Map::new(), &c, "sandbox", Clock::from_secs(0)).unwrap();
    assert_eq!(r.headers["Authorization"], "Bearer T0P-SECRET", "the wire request itself is intact");
    let shown = format!("{r:?}");
    assert!(!shown.contains("T0P-SECRET"), "{shown}");
    assert!(shown.contains("Bearer «token»"), "{shown}");
}

/// A `pad_left` wider than lint allows (a spec built in code skips lint) is a stage error, never a huge
/// allocation that aborts the process.
#[test]
fn a_huge_pad_left_is_an_error_not_an_abort() {
    let mut s = one_op(
        "      a: { type: integer, required: true }\n",
        "      message: { join: \"|\", parts: [{ field: a, pad_left: 12 }] }\n      digest: { alg: md5 }\n      encode: hex\n      place: body.sig\n",
        "json",
    );
    let c = creds(&s, json!({"key": "k", "id": 1}));
    let input = obj(json!({"ref": "r", "a": 5}));
    let ok = Interpreter::new(&s).sign("op", &input, &c, "sandbox", Clock::from_secs(0)).unwrap();
    assert_eq!(ok.stage("sign").unwrap().string_to_sign.0, "000000000005");
    let Some(payspec::model::Recipe { message: payspec::model::Message::Join { parts, .. }, .. }) =
        s.operations.get_mut("op").and_then(|o| o.sign.as_mut())
    else {
        panic!("a join message");
    };
    let payspec::model::Message::Value(item) = &mut parts[0].message else { panic!("an item") };
    item.pad_left = Some(payspec::model::PadLeft { width: usize::MAX / 2, fill: '0' });
    let e = Interpreter::new(&s).sign("op", &input, &c, "sandbox", Clock::from_secs(0)).unwrap_err();
    assert!(
        matches!(&e, SignError::Stage { stage: payspec::Stage::Select, problem, .. } if problem.contains("is wider than 256")),
        "{e}"
    );
}

#[test]
fn strings_to_sign_are_what_sign_computes_with_the_same_errors_and_no_rsa_signature() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("specs/bbmsl.yaml")).unwrap();
    let s = load_str("specs/bbmsl.yaml", &text).unwrap();
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("vectors/bbmsl/bbmsl-refund-request.json")).unwrap())
            .unwrap();
    let c = Credentials::from_json(&s, &v["credentials"]).unwrap();
    let input = v["input"].as_object().unwrap();
    let i = Interpreter::new(&s);
    let clock = Clock::from_secs(1_700_000_000);
    let signed = i.sign("refund", input, &c, "sandbox", clock).unwrap();
    let sts = i.strings_to_sign("refund", input, &c, "sandbox", clock).unwrap();
    assert_eq!(sts, signed.stages.iter().map(|st| st.string_to_sign.0.clone()).collect::<Vec<_>>());

    // An unusable key, a bad input: the errors `sign` gives.
    let mut bad_key = v["credentials"].clone();
    bad_key["private_key"] = json!("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
    let bad = Credentials::from_json(&s, &bad_key).unwrap();
    let e = i.strings_to_sign("refund", input, &bad, "sandbox", clock).unwrap_err();
    assert!(matches!(e, SignError::Stage { stage: payspec::Stage::Digest, .. }), "{e}");
    assert_eq!(e, i.sign("refund", input, &bad, "sandbox", clock).unwrap_err());
    let mut wrong = input.clone();
    wrong.insert("nonsense".into(), json!(1));
    assert_eq!(
        i.strings_to_sign("refund", &wrong, &c, "sandbox", clock).unwrap_err(),
        i.sign("refund", &wrong, &c, "sandbox", clock).unwrap_err()
    );
}
