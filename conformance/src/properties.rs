//! Property checks over generated inputs, for every operation and callback of a spec.
//!
//! Each property runs `cases` proptest cases; failures are shrunk and persisted to a regression file
//! when a directory is given (committed, so a found failure is replayed on every run).

use crate::{strategies, Path};
use payspec::{Clock, Credentials, Interpreter, SignError, SignedRequest};
use payspec_model::{CodeValue, DigestAlg, FieldType, Spec};
use proptest::strategy::{Just, Strategy};
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{Map, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The result of one property on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyResult {
    /// `operation refund`, `callback ipn`, `status refund_submit`.
    pub target: String,
    /// The property, in words (`sign → verify round-trips; a changed signature fails`).
    pub property: &'static str,
    /// `None` when it held; else the (shrunk) counterexample.
    pub failure: Option<String>,
}

const NOW: i64 = 1_700_000_000;

fn runner(cases: u32, regressions: Option<&std::path::Path>, provider: &str) -> TestRunner {
    let persistence = regressions.map(|dir| {
        let file: &'static str = Box::leak(dir.join(format!("{provider}.txt")).display().to_string().into_boxed_str());
        Box::new(FileFailurePersistence::Direct(file)) as Box<dyn proptest::test_runner::FailurePersistence>
    });
    TestRunner::new(Config { cases, failure_persistence: persistence, ..Config::default() })
}

fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!("{what} panicked: {msg}"))
    })
}

fn outcome(
    target: String,
    property: &'static str,
    r: Result<(), proptest::test_runner::TestError<impl std::fmt::Debug>>,
) -> PropertyResult {
    PropertyResult { target, property, failure: r.err().map(|e| e.to_string()) }
}

/// How many proptest cases [`run_with`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cases {
    /// Cases of every property.
    pub cases: u32,
    /// At most this many cases of "valid inputs sign identically on every path" for an operation
    /// signed with RSA (each case is an RSA private-key operation per path). When below `cases`,
    /// "valid inputs: the interpreter computes every string to sign" runs the full `cases` without
    /// the RSA operation ([`Interpreter::strings_to_sign`]).
    pub rsa: u32,
}

/// Run every property of `spec`. `paths` are the signing implementations to hold against each other
/// (the first is the reference; usually the interpreter, then generated code).
pub fn run(
    spec: &Spec,
    creds: &Credentials,
    paths: &[&dyn Path],
    cases: u32,
    regressions: Option<&std::path::Path>,
) -> Vec<PropertyResult> {
    run_with(spec, creds, paths, Cases { cases, rsa: cases }, regressions)
}

/// Whether signing operation `op` runs an RSA private-key operation (its `sign` or `auth` recipe).
fn signs_with_rsa(spec: &Spec, op: &payspec_model::Operation) -> bool {
    let rsa = |r: &payspec_model::Recipe| r.digest.as_ref().is_some_and(|d| d.alg == DigestAlg::RsaSha256);
    op.sign.as_ref().is_some_and(rsa) || op.auth.as_ref().and_then(|a| spec.recipes.get(a)).is_some_and(rsa)
}

/// [`run`] with separate case counts for RSA-signed operations (see [`Cases`]).
pub fn run_with(
    spec: &Spec,
    creds: &Credentials,
    paths: &[&dyn Path],
    cases: Cases,
    regressions: Option<&std::path::Path>,
) -> Vec<PropertyResult> {
    let Cases { cases, rsa: rsa_cases } = cases;
    let mut out = Vec::new();
    let clock = Clock::from_secs(NOW);
    for (name, op) in &spec.operations {
        let target = format!("operation {name}");
        let rsa = signs_with_rsa(spec, op);
        if rsa && rsa_cases < cases {
            // Valid inputs are accepted, and a string to sign computed for each recipe, without panicking.
            let mut r = runner(cases, regressions, &spec.provider);
            let interp = Interpreter::new(spec);
            let res = r.run(&strategies::request(op), |input| {
                let sts = no_panic("strings_to_sign", || {
                    interp.strings_to_sign(name, &input, creds, crate::default_env(spec), clock)
                })?
                .map_err(|e| TestCaseError::fail(format!("interpreter: valid input refused: {e}")))?;
                if sts.is_empty() {
                    return Err(TestCaseError::fail("no string to sign"));
                }
                Ok(())
            });
            out.push(outcome(target.clone(), "valid inputs: the interpreter computes every string to sign", res));
        }
        // Valid inputs sign on every path, identically, without panicking.
        let mut r = runner(if rsa { cases.min(rsa_cases) } else { cases }, regressions, &spec.provider);
        let provider = Interpreter::new(spec);
        let res = r.run(&strategies::request(op), |input| {
            let mut first: Option<SignedRequest> = None;
            for p in paths {
                let signed = no_panic("sign", || p.sign(name, &input, creds, crate::default_env(spec), clock))?
                    .map_err(|e| TestCaseError::fail(format!("{}: valid input refused: {e}", p.name())))?;
                match &first {
                    None => first = Some(signed),
                    Some(f) if f != &signed => {
                        return Err(TestCaseError::fail(format!(
                            "{} differs from {}:\n{:#?}\nvs\n{:#?}",
                            p.name(),
                            paths[0].name(),
                            signed,
                            f
                        )));
                    }
                    Some(_) => {}
                }
            }
            // The provider side accepts what was signed, and rejects it with any signature changed.
            if let Some(signed) = &first {
                provider
                    .verify_request(name, signed, creds, crate::default_env(spec))
                    .map_err(|e| TestCaseError::fail(format!("signed request rejected: {e}")))?;
                for st in &signed.stages {
                    let forged = tamper(signed, &st.placed);
                    match provider.verify_request(name, &forged, creds, crate::default_env(spec)) {
                        Err(e) if e.is_bad_signature() => {}
                        other => {
                            return Err(TestCaseError::fail(format!(
                                "request with a changed {} accepted: {other:?}",
                                st.placed
                            )))
                        }
                    }
                }
            }
            // Amounts never drift: decimal fields travel with exactly the text given.
            if let Some(signed) = &first {
                let body = signed.body.to_json();
                let payload: Option<Value> = body
                    .as_object()
                    .and_then(|b| b.values().find_map(|v| v.as_str().and_then(|s| serde_json::from_str(s).ok())));
                for (k, f) in &op.request {
                    if f.ty != FieldType::Decimal {
                        continue;
                    }
                    if let Some(want) = input.get(k) {
                        let got = body.get(k).or_else(|| payload.as_ref().and_then(|p| p.get(k)));
                        if let Some(got) = got
                            && got != want
                        {
                            // Numbers compare by their exact text (serde_json arbitrary_precision).
                            return Err(TestCaseError::fail(format!("amount `{k}` drifted: {want} became {got}")));
                        }
                    }
                }
            }
            Ok(())
        });
        out.push(outcome(target.clone(), "valid inputs sign identically on every path", res));

        // Any JSON at all: a typed error, never a panic.
        let mut r = runner(cases, regressions, &spec.provider);
        let keys: Vec<String> = op.request.keys().cloned().chain(["junk".to_string()]).collect();
        let junk = proptest::collection::vec((proptest::sample::select(keys), junk_value()), 0..6)
            .prop_map(|kv| kv.into_iter().collect::<Map<String, Value>>());
        let res = r.run(&junk, |input| {
            for p in paths {
                let _ = no_panic("sign", || p.sign(name, &input, creds, crate::default_env(spec), clock))?;
            }
            Ok(())
        });
        out.push(outcome(target, "any input: an error or a request, never a panic", res));
    }
    // Typed requests and responses: serialise → parse is the identity.
    for (name, op) in &spec.operations {
        for (response, strategy) in [
            (false, Some(strategies::request(op))),
            (true, op.response.as_ref().map(|r| strategies::full_object(&r.fields))),
        ] {
            let Some(strategy) = strategy else { continue };
            let typed: Vec<&&dyn Path> =
                paths.iter().filter(|p| p.round_trip(response, name, &Value::Null).is_some()).collect();
            if typed.is_empty() {
                continue;
            }
            let mut r = runner(cases, regressions, &spec.provider);
            // An `array: true` response is a JSON array of such objects (two rows: order is kept).
            let array = response && op.response.as_ref().is_some_and(|r| r.array);
            let res = r.run(&strategy, |fields| {
                let json = if array {
                    Value::Array(vec![Value::Object(fields.clone()), Value::Object(fields)])
                } else {
                    Value::Object(fields)
                };
                for p in &typed {
                    let back = no_panic("round trip", || p.round_trip(response, name, &json))?
                        .unwrap_or(Err("no typed form".into()));
                    let back = back.map_err(|e| TestCaseError::fail(format!("{}: {e}", p.name())))?;
                    if back != json {
                        return Err(TestCaseError::fail(format!("{}: {json} came back as {back}", p.name())));
                    }
                }
                Ok(())
            });
            let what = if response { format!("response {name}") } else { format!("operation {name}") };
            out.push(outcome(what, "typed serialise → parse is the identity", res));
        }
    }
    for (name, cb) in &spec.callbacks {
        let target = format!("callback {name}");
        let interp = Interpreter::new(spec);
        let sig_field = cb.verify.place.field().unwrap_or_default().to_string();
        let mut r = runner(cases, regressions, &spec.provider);
        let payloads = crate::coverage::received_payload(&cb.fields, &sig_field, &cb.decode);
        let res = r.run(&payloads, |payload| {
            let (signed, _) = match no_panic("sign_callback", || interp.sign_callback(name, &payload, creds))? {
                Ok(s) => s,
                // A value holding a separator of the signed message: refused by signer and verifiers
                // alike (checked below), never signed.
                Err(SignError::Input { .. }) => {
                    let mut unsignable = payload.clone();
                    unsignable.insert(sig_field.clone(), Value::String("0".into()));
                    return refused_everywhere(paths, |p| p.verify_callback(name, &unsignable, creds));
                }
                Err(e) => return Err(TestCaseError::fail(format!("cannot sign: {e}"))),
            };
            for p in paths {
                let v = no_panic("verify", || p.verify_callback(name, &signed, creds))?;
                v.map_err(|e| TestCaseError::fail(format!("{}: signed payload rejected: {e}", p.name())))?;
                let mut forged = signed.clone();
                let sig = forged.get(&sig_field).and_then(Value::as_str).unwrap_or_default().to_string();
                forged.insert(sig_field.clone(), Value::String(flip(&sig)));
                match no_panic("verify", || p.verify_callback(name, &forged, creds))? {
                    Err(e) if e.is_bad_signature() => {}
                    other => {
                        return Err(TestCaseError::fail(format!(
                            "{}: forged signature not rejected: {other:?}",
                            p.name()
                        )))
                    }
                }
            }
            Ok(())
        });
        out.push(outcome(target.clone(), "sign → verify round-trips; a changed signature fails", res));

        // Any received payload at all: a verdict or a typed error, never a panic.
        let mut r = runner(cases, regressions, &spec.provider);
        let keys: Vec<String> = cb.fields.keys().cloned().chain(["junk".to_string()]).collect();
        let junk = proptest::collection::vec((proptest::sample::select(keys), junk_value()), 0..6)
            .prop_map(|kv| kv.into_iter().collect::<Map<String, Value>>());
        let res = r.run(&junk, |payload| {
            for p in paths {
                let _ = no_panic("verify", || p.verify_callback(name, &payload, creds))?;
            }
            Ok(())
        });
        out.push(outcome(target, "any payload: a verdict or an error, never a panic", res));
    }
    for (name, op) in &spec.operations {
        let Some(resp) = &op.response else { continue };
        let Some(recipe) = &resp.verify else { continue };
        let interp = Interpreter::new(spec);
        let sig_field = recipe.place.field().unwrap_or_default().to_string();
        let mut r = runner(cases, regressions, &spec.provider);
        let bodies = crate::coverage::received_payload(&resp.fields, &sig_field, &Default::default());
        let res = r.run(&bodies, |mut body| {
            // A body the spec signs: each top-level `signed_when` field holds its first listed value.
            for (f, values) in &resp.signed_when {
                if let (Some(v), false) = (values.first(), f.contains('.')) {
                    let v = match v {
                        CodeValue::Int(i) => Value::from(*i),
                        CodeValue::Text(t) => Value::from(t.clone()),
                    };
                    body.insert(f.clone(), v);
                }
            }
            let (signed, _) = match interp.sign_response(name, &body, creds) {
                Ok(s) => s,
                Err(SignError::Input { .. }) => {
                    let mut unsignable = body.clone();
                    unsignable.insert(sig_field.clone(), Value::String("0".into()));
                    return refused_everywhere(paths, |p| p.verify_response(name, &unsignable, creds));
                }
                Err(e) => return Err(TestCaseError::fail(format!("cannot sign: {e}"))),
            };
            for p in paths {
                p.verify_response(name, &signed, creds)
                    .map_err(|e| TestCaseError::fail(format!("{}: signed response rejected: {e}", p.name())))?;
            }
            Ok(())
        });
        out.push(outcome(format!("response {name}"), "sign → verify round-trips", res));
    }
    out.extend(status_total(spec));
    out
}

/// A payload the simulator refused to sign (a value holding a separator of the signed message) must
/// be refused as malformed by every verification path too, whatever signature it carries.
fn refused_everywhere<P>(
    paths: &[P],
    verify: impl Fn(&P) -> Result<payspec::Verified, payspec::VerifyError>,
) -> Result<(), TestCaseError> {
    for p in paths {
        match verify(p) {
            Err(payspec::VerifyError::Malformed { .. }) => {}
            other => return Err(TestCaseError::fail(format!("an unsignable payload was not refused: {other:?}"))),
        }
    }
    Ok(())
}

fn junk_value() -> impl Strategy<Value = Value> {
    proptest::prop_oneof![
        Just(Value::Null),
        proptest::arbitrary::any::<bool>().prop_map(Value::Bool),
        proptest::arbitrary::any::<i64>().prop_map(Value::from),
        proptest::arbitrary::any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        // Parsed once here; a `&str` strategy parses its regex for every value.
        proptest::string::string_regex("\\PC{0,40}").expect("valid regex").prop_map(Value::String),
        Just(serde_json::json!({"nested": [1, "x"]})),
    ]
}

/// The request with the value at `placed` (`body.x`, `query.x`, `header.X`) changed in its last character.
pub fn tamper(req: &SignedRequest, placed: &str) -> SignedRequest {
    let mut out = req.clone();
    let last = |s: &str| {
        let mut c: Vec<char> = s.chars().collect();
        if let Some(x) = c.last_mut() {
            *x = if *x == 'A' { 'B' } else { 'A' };
        }
        c.into_iter().collect::<String>()
    };
    match placed.split_once('.') {
        Some(("header", h)) => {
            if let Some(v) = out.headers.get_mut(h) {
                *v = last(v);
            }
        }
        Some(("body", f)) => match &mut out.body {
            payspec::Body::Json(Value::Object(m)) => {
                if let Some(Value::String(v)) = m.get_mut(f) {
                    *v = last(v);
                }
            }
            payspec::Body::Form(text) => {
                let prefix = format!("{f}=");
                *text = text
                    .split('&')
                    .map(|p| if p.starts_with(&prefix) { last(p) } else { p.to_string() })
                    .collect::<Vec<_>>()
                    .join("&");
            }
            _ => {}
        },
        Some(("query", q)) => {
            let prefix = format!("{q}=");
            if let Some((base, query)) = out.url.split_once('?') {
                let query = query
                    .split('&')
                    .map(|p| if p.starts_with(&prefix) { last(p) } else { p.to_string() })
                    .collect::<Vec<_>>()
                    .join("&");
                out.url = format!("{base}?{query}");
            }
        }
        _ => {}
    }
    out
}

/// Change one character of a signature, keeping its alphabet.
pub fn flip(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = match *c {
            'A' => 'B',
            'a' => 'b',
            '0' => '1',
            _ if c.is_ascii_uppercase() => 'A',
            _ if c.is_ascii_digit() => '0',
            _ => 'a',
        };
    } else {
        chars.push('A');
    }
    chars.into_iter().collect()
}

/// Every row of every status table is reachable (not shadowed by an earlier row) and maps to an
/// outcome; a code in no row is reported as unmapped, not defaulted.
fn status_total(spec: &Spec) -> Vec<PropertyResult> {
    let mut tables: Vec<(String, &payspec_model::StatusTable)> =
        spec.status_tables.iter().map(|(n, t)| (n.clone(), t)).collect();
    for (op, o) in &spec.operations {
        if let Some(payspec_model::StatusRef::Inline(t)) = o.response.as_ref().and_then(|r| r.status.as_ref()) {
            tables.push((format!("{op} (inline)"), t));
        }
        if let Some(payspec_model::StatusRef::Inline(t)) =
            o.response.as_ref().and_then(|r| r.error.as_ref()).and_then(|e| e.status.as_ref())
        {
            tables.push((format!("{op} error (inline)"), t));
        }
    }
    tables
        .into_iter()
        .map(|(name, t)| {
            let mut problems = Vec::new();
            for (i, row) in t.codes.iter().enumerate() {
                // A concrete code for this row: wildcards become a value no row names.
                let code: Vec<Option<String>> = row
                    .values
                    .iter()
                    .map(|v| {
                        let text = v.text();
                        Some(if v.is_wildcard() {
                            "\u{2047}unlisted".into()
                        } else if payspec_model::is_http_class(&text) {
                            // An HTTP class: a status of that class (`4xx` → 499).
                            format!("{}99", &text[..1])
                        } else {
                            text
                        })
                    })
                    .collect();
                match t.lookup(&code) {
                    Some(hit) if std::ptr::eq(hit, row) => {}
                    Some(hit) => problems.push(format!(
                        "row {i} {:?} is shadowed by an earlier row {:?}",
                        texts(&row.values),
                        texts(&hit.values)
                    )),
                    None => problems.push(format!("row {i} {:?} matches nothing", texts(&row.values))),
                }
            }
            let unlisted: Vec<Option<String>> = t.fields.iter().map(|_| Some("\u{2047}nothing".into())).collect();
            if let Some(hit) = t.lookup(&unlisted) {
                // A catch-all may only say "unknown: query first"; any other outcome is a silent default.
                if hit.values.iter().all(CodeValue::is_wildcard)
                    && hit.outcome != Some(payspec_model::Outcome::Indeterminate)
                {
                    problems.push(format!(
                        "a catch-all row maps every unknown code to `{}` (a silent default; use indeterminate)",
                        hit.outcome.map_or_else(|| "no outcome".to_string(), |o| o.to_string())
                    ));
                }
            }
            PropertyResult {
                target: format!("status {name}"),
                property: "every code maps to an outcome; unknown codes stay unmapped",
                failure: (!problems.is_empty()).then(|| problems.join("; ")),
            }
        })
        .collect()
}

fn texts(v: &[CodeValue]) -> Vec<String> {
    v.iter().map(CodeValue::text).collect()
}
