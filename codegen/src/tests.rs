//! Unit tests: generated tokens parse as a Rust file, for small inline specs and the shipped specs;
//! what cannot be generated is a `compile_error!` naming the spec location, never a panic.

use crate::{generate, pretty};
use payspec_model::Spec;

fn load(yaml: &str) -> Spec {
    payspec_model::load_str("inline.yaml", yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// Generate, check that the tokens parse as a file, and return the formatted source.
fn gen_spec(spec: &Spec) -> String {
    let tokens = generate(spec, "/abs/inline.yaml");
    let file = syn::parse2::<syn::File>(tokens.clone()).unwrap_or_else(|e| panic!("{e}\n{tokens}"));
    prettyplease::unparse(&file)
}

fn gen(yaml: &str) -> String {
    gen_spec(&load(yaml))
}

const BASE: &str =
    "provider: t\ntitle: T\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\n";

#[test]
fn minimal_spec() {
    let out = gen(&format!("{BASE}operations: {{}}\n"));
    assert!(out.contains("pub mod t"), "{out}");
    assert!(out.contains("include_str!(\"/abs/inline.yaml\")"));
    assert!(out.contains("pub enum Env"));
    assert!(out.contains("pub key: ::payspec::Secret"));
    assert!(!out.contains("compile_error"));
}

#[test]
fn every_construct_generates_parseable_code() {
    let out = gen(r#"
provider: every
title: Every construct
environments:
  sandbox: { api: https://a.test, files: https://f.test }
  production: { api: https://p.test, files: https://pf.test }
credentials:
  id: { type: integer }
  key: { secret: true }
  tok: { secret: true, optional: true }
  pub: { doc: Public }
  pem: { type: private_key_pem, secret: true }
  pubpem: { type: public_key_pem }
recipes:
  bearer:
    provenance: { source: t, confidence: inferred }
    message: cred:tok?
    place: { header: Authorization, template: "Bearer {signature}" }
  jwt:
    provenance: { source: t, confidence: inferred }
    message: { jwt: { header: { cty: lit:x }, claims: { iss: cred:pub, n: cred:id, exp: { ctx: now_s, add: 300 }, jti: { template: "{cred:pub}-{ctx:now_ms}" } } } }
    digest: { alg: hmac-sha256, key: cred:key }
    encode: base64url
    place: { header: X-Auth, template: "{message}.{signature}" }
status_tables:
  shared:
    provenance: { source: t, confidence: inferred }
    fields: [code, data.state]
    codes:
      - { when: [1, "*"], outcome: succeeded, name: OK, meaning: ok }
      - { when: ["*", x], outcome: indeterminate, meaning: unknown, retryable: true }
operations:
  op_one:
    doc: First.
    method: POST
    path: /a/{id}
    host: files
    body: form
    headers: { X-Const: c }
    request:
      id: { type: scalar, in: path, required: true, pattern: '[0-9]+' }
      q: { type: integer, in: query, min: 1, max: 9 }
      H-Dr: { type: string, in: header, enum: [a, b], from: lit:a }
      type: { type: string, max_len: 3, min_len: 1 }
      amount: { type: decimal, required: true, min: 0.5 }
      flag: { type: bool }
      meta: { type: json_text }
      who: { type: integer, required: true, from: cred:id }
      when: { type: integer, required: true, from: ctx:now_ms }
      secret_note: { type: string, sensitive: true }
      obj:
        type: object
        fields:
          a: { type: string, required: true }
          b: { type: object, fields: { c: { type: decimal, max: 5 } } }
    one_of: [[type, meta]]
    all_or_none: [[flag, secret_note]]
    auth: bearer
    sign:
      provenance: { source: t, confidence: inferred }
      message:
        join: "|"
        parts: [ctx:method, ctx:url, ctx:path, ctx:payload, { field: amount, pad_left: 10 }, obj.b.c?, { pairs: { sort: true, encode: form, omit_empty: true, exclude: [when] }, optional: true }, { concat: [id, cred:key] }]
      digest: { alg: hmac-sha512, key: cred:key }
      encode: HEX
      place: query.sig
    response:
      fields:
        code: { type: integer, required: true }
        data: { type: object, fields: { state: { type: string, enum: [x, y] } } }
        sig: { type: string }
      verify:
        provenance: { source: t, confidence: inferred }
        message: { pairs: { items: [code, data.state?, { field: data, key: d }], sort: true } }
        digest: { alg: hmac-sha256, key: cred:key }
        encode: hex
        place: body.sig
      status: shared
  op_two:
    method: GET
    path: /b
    body: none
    request: {}
    auth: jwt
    response:
      fields: { r: { type: string } }
      status:
        provenance: { source: t, confidence: inferred }
        fields: [r]
        codes: [{ when: [ok], outcome: succeeded, meaning: ok }]
  op_three:
    method: PUT
    path: /c
    body: { envelope: request }
    request: { a: { type: string, required: true } }
    sign:
      provenance: { source: t, confidence: inferred }
      message: ctx:payload
      digest: { alg: rsa-sha256, key: cred:pem }
      encode: base64
      place: body.signature
callbacks:
  ipn:
    encoding: form
    fields:
      data: { type: string, required: true }
      n: { type: integer }
      ok: { type: bool, required: true }
      sig: { type: string, required: true }
      code: { type: integer }
    verify:
      provenance: { source: t, confidence: inferred }
      message: { concat: [data, cred:key] }
      digest: { alg: sha256 }
      encode: HEX
      place: body.sig
    decode: { data: [base64, json] }
    status: shared
  rsa:
    fields: { p: { type: string, required: true }, s: { type: string, required: true } }
    verify:
      provenance: { source: t, confidence: inferred }
      message: { pairs: { sort: true } }
      digest: { alg: rsa-sha256, key: cred:pem, public_key: cred:pubpem }
      encode: base64
      place: body.s
"#);
    for item in [
        "pub fn sign_op_one(",
        "pub fn sign_op_two(",
        "pub fn sign_op_three(",
        "pub fn verify_op_one_response(",
        "pub fn verify_ipn(",
        "pub fn verify_rsa(",
        "pub fn recipe_bearer(",
        "pub fn recipe_jwt(",
        "pub struct OpOneRequest",
        "pub struct OpOneRequestBuilder",
        "pub struct OpOneObj",
        "pub struct OpOneObjB",
        "pub enum OpOneHDr",
        "pub enum OpOneResponseDataState",
        "pub struct IpnPayload",
        "pub static STATUS_SHARED",
        "pub r#type:",
        "pub fn status(&self)",
        "pub fn status_of(",
        "pub static DYNAMIC",
        "IpnPayload lenient",
        "Production",
    ] {
        assert!(out.contains(item), "missing {item}");
    }
    // Explicit pair items are sorted at generation time; the join is a fixed sequence.
    assert!(!out.contains("compile_error"));
}

#[test]
fn colliding_type_names_are_a_compile_error() {
    let out = gen(&format!(
        "{BASE}operations:\n  a_b: {{ method: GET, path: /x, body: none }}\n  aB: {{ method: GET, path: /y, body: none }}\n"
    ));
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("the generated type name `ABRequest` is used twice"), "{out}");
    assert!(out.contains("inline.yaml:7:3: operations.aB"), "{out}");
}

#[test]
fn colliding_field_names_get_distinct_identifiers() {
    let out = gen(&format!(
        "{BASE}operations:\n  op:\n    method: POST\n    path: /x\n    request:\n      amount: {{ type: integer }}\n      Amount: {{ type: integer }}\n      self: {{ type: string }}\n      9lives: {{ type: bool }}\n"
    ));
    for id in ["pub amount:", "pub amount_2:", "pub self_:", "pub f_9lives:"] {
        assert!(out.contains(id), "missing {id}: {out}");
    }
}

#[test]
fn unknown_references_become_compile_errors_not_panics() {
    // The loader rejects these; `generate` must still cope with a model that has them.
    let mut spec = load(&format!("{BASE}operations:\n  op: {{ method: GET, path: /x, body: none, response: {{ fields: {{ c: {{ type: integer }} }} }} }}\n"));
    let op = spec.operations.get_mut("op").unwrap();
    op.auth = Some("nope".into());
    op.response.as_mut().unwrap().status = Some(payspec_model::StatusRef::Named("missing".into()));
    let tokens = generate(&spec, "/abs/inline.yaml");
    let text = tokens.to_string();
    assert!(text.contains("compile_error"), "{text}");
    assert!(text.contains("operations.op.auth: unknown recipe `nope`"), "{text}");
    assert!(text.contains("unknown status table `missing`"), "{text}");
    assert!(syn::parse2::<syn::File>(tokens).is_ok());
}

#[test]
fn a_pad_left_wider_than_lint_allows_is_a_compile_error() {
    let mut spec = load(&format!(
        "{BASE}operations:\n  op:\n    method: POST\n    path: /x\n    request: {{ a: {{ type: integer }} }}\n    sign:\n      provenance: {{ source: t, confidence: inferred }}\n      message: {{ value: {{ field: a, pad_left: 8 }} }}\n      digest: {{ alg: md5 }}\n      encode: hex\n      place: body.sig\n"
    ));
    let recipe = spec.operations.get_mut("op").unwrap().sign.as_mut().unwrap();
    let payspec_model::Message::Value(item) = &mut recipe.message else { panic!("an item") };
    item.pad_left = Some(payspec_model::PadLeft { width: 1 << 40, fill: '0' });
    let text = generate(&spec, "/abs/inline.yaml").to_string();
    assert!(text.contains("compile_error"), "{text}");
    assert!(text.contains("operations.op.sign: `a`: pad_left 1099511627776 is wider than 256"), "{text}");
}

#[test]
fn constructs_the_loader_rejects_still_generate_runtime_errors() {
    // A header place on a verified recipe, an unclosed template, a digest without encoding: the
    // interpreter reports these when run, so the generated code does too.
    let mut spec = load(&format!(
        r#"{BASE}operations:
  op:
    method: POST
    path: /x
    request: {{ a: {{ type: string }} }}
    sign:
      provenance: {{ source: t, confidence: inferred }}
      message: a?
      digest: {{ alg: hmac-sha256, key: cred:key }}
      encode: hex
      place: {{ header: X, template: "v {{signature}}" }}
callbacks:
  cb:
    fields: {{ d: {{ type: string, required: true }}, s: {{ type: string, required: true }} }}
    verify:
      provenance: {{ source: t, confidence: inferred }}
      message: d
      digest: {{ alg: hmac-sha256, key: cred:key }}
      encode: hex
      place: body.s
"#
    ));
    let recipe = spec.operations.get_mut("op").unwrap().sign.as_mut().unwrap();
    recipe.encode = None;
    recipe.place = payspec_model::Place::Header { name: "X".into(), template: "v {signature".into() };
    spec.callbacks.get_mut("cb").unwrap().verify.place =
        payspec_model::Place::Header { name: "X".into(), template: "{signature}".into() };
    let out = gen_spec(&spec);
    assert!(out.contains("a digest needs an encoding"));
    assert!(out.contains("unclosed `{` in template"));
    assert!(out.contains("only body and query places can be verified"));
    assert!(!out.contains("compile_error"));
}

#[test]
fn pretty_formats_generated_code() {
    let spec = load(&format!("{BASE}operations: {{}}\n"));
    let text = pretty(&generate(&spec, "/abs/inline.yaml"));
    assert!(text.starts_with("///T — generated"), "{text}");
    assert!(text.lines().count() > 50);
}

#[test]
fn shipped_specs_generate_parseable_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seen = 0;
    let dirs = [root.join("specs"), root.join("runtime/tests/specs")];
    for entry in dirs.iter().filter_map(|d| std::fs::read_dir(d).ok()).flatten() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(spec) = payspec_model::load_str(&path.display().to_string(), &text) else {
                continue;
            };
            let tokens = generate(&spec, &path.display().to_string());
            let out = pretty(&tokens);
            assert!(syn::parse2::<syn::File>(tokens).is_ok(), "{}", path.display());
            assert!(!out.contains("compile_error"), "{}: {out}", path.display());
            if let Ok(dir) = std::env::var("PAYSPEC_DUMP") {
                std::fs::write(format!("{dir}/{}.rs", spec.provider), out).unwrap();
            }
            seen += 1;
        }
    }
    assert!(seen > 0);
}

/// RSA signing with a secret credential goes through the key parsed once and cached in the `Secret`
/// (`glue::rsa_sign` → `crypto::rsa_sha256_sign_secret`), never the PEM text re-parsed per call.
#[test]
fn rsa_signing_with_a_secret_credential_uses_the_cached_key() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("specs/bbmsl.yaml")).unwrap();
    let out = gen_spec(&payspec_model::load_str("specs/bbmsl.yaml", &text).unwrap());
    assert!(out.contains("__g::rsa_sign(&creds.private_key, &__msg)"), "{out}");
    assert!(!out.contains("rsa_sha256_sign("), "{out}");
}

/// Generated code is glue: a builder setter is one call, a `DYNAMIC` entry one line per operation, a
/// rule one line, a credential one line in `to_runtime` and `redactor`.
#[test]
fn generated_code_stays_thin() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("specs/hitechpay.yaml")).unwrap();
    let out = gen_spec(&payspec_model::load_str("specs/hitechpay.yaml", &text).unwrap());
    assert!(out.contains("__g::with(self, |b| b.amount = Some(v.into()))"), "{out}");
    assert!(out.contains("__g::Op::new::<RefundRequest>()"), "{out}");
    assert!(out.contains("__g::Rule::string(\"m_refund_id\").req().max_len(45).pattern(&__PATTERN0),"), "{out}");
    assert!(out.contains("__g::put(&mut c, \"key1\", Some(&self.key1));"), "{out}");
    assert!(out.contains("let mut __w = env.__wire(\"api\", \"POST\", \"/refund\")?;"), "{out}");
    assert!(out.contains("__w.opt(\"refund_fee_amount\", req.refund_fee_amount);"), "{out}");
    // A shared recipe reading nothing of the request runs through its function, not inlined.
    let text = std::fs::read_to_string(root.join("specs/vietqr.yaml")).unwrap();
    let out = gen_spec(&payspec_model::load_str("specs/vietqr.yaml", &text).unwrap());
    assert!(out.contains("= __recipe_bearer(creds, clock, \"auth:bearer\")?;"), "{out}");
    assert_eq!(
        out.matches("__g::stages(").count(),
        out.matches("fn __recipe_").count() + out.matches("let __st0 = {").count(),
        "{out}"
    );
}

/// Generated structs get their JSON intake and output from one `__g::record!` line each (the field
/// list, wire names where they differ), never serde's derive (~250 lines of expansion per struct).
#[test]
fn generated_structs_list_their_fields_for_record_not_serde_derive() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (spec, expect) in [
        (
            "hitechpay",
            "__g::record!(\n        QueryRefundRequest strict { app_id, m_refund_id, timestamp } builder\n        QueryRefundRequestBuilder\n    );",
        ),
        ("appotapay", "x_request_id = \"X-Request-ID\""),
        ("kitchen_sink", "__g::record!(FormCbPayload lenient { amount, ok, price, data, sig, code });"),
    ] {
        let path = if spec == "kitchen_sink" { root.join("runtime/tests/specs/kitchen_sink.yaml") } else { root.join(format!("specs/{spec}.yaml")) };
        let text = std::fs::read_to_string(&path).unwrap();
        let out = gen_spec(&payspec_model::load_str(&path.display().to_string(), &text).unwrap());
        assert!(out.contains(expect), "{spec}: {out}");
        assert!(!out.contains("Deserialize") && !out.contains("Serialize") && !out.contains("#[serde"), "{spec}: {out}");
        let flat: String = out.split_whitespace().collect();
        for name in out.split("pub struct ").skip(1).filter_map(|s| s.split_whitespace().next()) {
            let listed = flat.contains(&format!("record!({name}")) || flat.contains(&format!("builder{name})"));
            assert!(name == "Credentials" || listed, "{spec}: {name} has no record!");
        }
    }
}
