//! The receiving side of a request: parse a wire request back into fields and check its signatures,
//! as the provider does (for a provider-side server, and for the sign → verify round-trip properties).

use super::fields::check;
use super::recipe::{self, Ctx, Target};
use super::{Clock, Interpreter};
use crate::endpoint::Endpoint;
use crate::error::{SignError, VerifyError};
use crate::secret::Credentials;
use crate::wire::{Body, SignedRequest};
use indexmap::IndexMap;
use payspec_model::{BodyEncoding, Location, Place, DEFAULT_HOST};
use serde_json::{Map, Value};

/// PHP `urldecode`: `+` is a space, `%XX` a byte.
fn form_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (form_decode(k), form_decode(v)))
        .collect()
}

impl Interpreter<'_> {
    /// Parse `req` as a request of operation `op` in environment `env` and check every signature
    /// on it. Returns the request fields by wire name.
    ///
    /// No clock is involved: the age of a timestamp field is not checked.
    ///
    /// ```
    /// use payspec::{Body, Clock, Credentials, Interpreter};
    /// use serde_json::json;
    /// # // The spec of `Interpreter::sign`'s example.
    /// # let spec = payspec::model::load_str("x.yaml", r#"
    /// # provider: x
    /// # title: X
    /// # environments: { sandbox: https://x.test }
    /// # credentials: { key: { secret: true } }
    /// # operations:
    /// #   refund:
    /// #     method: POST
    /// #     path: /refund
    /// #     request:
    /// #       id: { type: string, required: true }
    /// #       amount: { type: integer, required: true, min: 1 }
    /// #       ts: { type: integer, required: true, from: ctx:now_s }
    /// #     sign:
    /// #       provenance: { source: example, confidence: inferred }
    /// #       message: { join: "|", parts: [id, amount, ts] }
    /// #       digest: { alg: hmac-sha256, key: cred:key }
    /// #       encode: hex
    /// #       place: body.mac
    /// # callbacks:
    /// #   ipn:
    /// #     fields: { data: { type: string, required: true }, mac: { type: string, required: true } }
    /// #     verify:
    /// #       provenance: { source: example, confidence: inferred }
    /// #       message: data
    /// #       digest: { alg: hmac-sha256, key: cred:key }
    /// #       encode: hex
    /// #       place: body.mac
    /// #     decode: { data: [json] }
    /// # "#).unwrap();
    /// # let creds = Credentials::from_json(&spec, &json!({"key": "k"})).unwrap();
    /// # let interp = Interpreter::new(&spec);
    /// // Operation `refund`: `mac` = HMAC-SHA256(key, "id|amount|ts") in the JSON body.
    /// let input = json!({"id": "r1", "amount": 100});
    /// let clock = Clock::from_secs(1_700_000_000);
    /// let signed = interp.sign("refund", input.as_object().unwrap(), &creds, "sandbox", clock).unwrap();
    /// let fields = interp.verify_request("refund", &signed, &creds, "sandbox").unwrap();
    /// assert_eq!(fields["amount"], 100);
    /// assert_eq!(fields["ts"], 1_700_000_000);
    ///
    /// let mut changed = signed.clone();
    /// if let Body::Json(body) = &mut changed.body {
    ///     body["amount"] = json!(999);
    /// }
    /// assert!(interp.verify_request("refund", &changed, &creds, "sandbox").unwrap_err().is_bad_signature());
    /// ```
    pub fn verify_request<'e>(
        &self,
        op: &str,
        req: &SignedRequest,
        creds: &Credentials,
        env: impl Into<Endpoint<'e>>,
    ) -> Result<Map<String, Value>, VerifyError> {
        let env = env.into();
        let spec = self.spec;
        let target = format!("{}.{op} request", spec.provider);
        let malformed = |field: &str, problem: String| VerifyError::Malformed {
            target: target.clone(),
            field: field.into(),
            problem,
        };
        let operation = spec
            .operations
            .get(op)
            .ok_or_else(|| SignError::Unknown(format!("unknown operation `{}`", crate::support::echo(op))))?;
        if req.method != operation.method.as_str() {
            return Err(malformed(
                "method",
                format!("expected {}, got {}", operation.method.as_str(), crate::support::echo(req.method)),
            ));
        }
        let base = env.base_of(&spec.environments, operation.host.as_deref().unwrap_or(DEFAULT_HOST)).ok_or_else(
            || match env {
                Endpoint::Env(name) if !spec.environments.contains_key(name) => {
                    SignError::Unknown(format!("unknown environment `{}`", crate::support::echo(name)))
                }
                _ => SignError::Unknown(format!("environment `{}` has no host for `{op}`", env.name())),
            },
        )?;
        let base = base.trim_end_matches('/');
        let rest = req
            .url
            .strip_prefix(base)
            .ok_or_else(|| malformed("url", format!("`{}` is not under {base}", crate::support::echo(&req.url))))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));

        // Fields from every place they travel.
        let mut raw: IndexMap<String, Value> = IndexMap::new();
        let tpl: Vec<&str> = operation.path.split('/').collect();
        let got: Vec<&str> = path.split('/').collect();
        if tpl.len() != got.len() {
            return Err(malformed(
                "url",
                format!("path `{}` does not match {}", crate::support::echo(path), operation.path),
            ));
        }
        for (t, g) in tpl.iter().zip(&got) {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) => {
                    raw.insert(
                        name.to_string(),
                        Value::String(percent_encoding::percent_decode_str(g).decode_utf8_lossy().into_owned()),
                    );
                }
                None if t == g => {}
                None => {
                    return Err(malformed(
                        "url",
                        format!("path `{}` does not match {}", crate::support::echo(path), operation.path),
                    ))
                }
            }
        }
        let query = parse_pairs(query);
        let mut payload_text = None;
        let body: Map<String, Value> = match (&operation.body, &req.body) {
            (BodyEncoding::None, _) => Map::new(),
            (BodyEncoding::Json, Body::Json(Value::Object(m))) => m.clone(),
            (BodyEncoding::Form, Body::Form(text)) => {
                parse_pairs(text).into_iter().map(|(k, v)| (k, Value::String(v))).collect()
            }
            (BodyEncoding::Envelope(field), Body::Json(Value::Object(outer))) => {
                let text = outer
                    .get(field)
                    .and_then(Value::as_str)
                    .ok_or_else(|| malformed(field, "the envelope payload must be a JSON string".into()))?;
                let inner: Map<String, Value> = serde_json::from_str(text)
                    .map_err(|e| malformed(field, format!("payload is not a JSON object: {e}")))?;
                payload_text = Some(text.to_string());
                let mut all = inner;
                all.extend(outer.iter().filter(|(k, _)| *k != field).map(|(k, v)| (k.clone(), v.clone())));
                all
            }
            (enc, _) => return Err(malformed("body", format!("expected a {enc:?} body"))),
        };
        let header =
            |name: &str| req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let lenient = |loc: Location| loc != Location::Body || operation.body == BodyEncoding::Form;
        let mut values: Map<String, Value> = Map::new();
        for (name, f) in &operation.request {
            let v = match f.location {
                Location::Path => raw.get(name).cloned(),
                Location::Query => query.iter().find(|(k, _)| k == name).map(|(_, v)| Value::String(v.clone())),
                Location::Header => header(name).map(Value::String),
                Location::Body => body.get(name).cloned(),
            };
            match v {
                Some(Value::Null) | None if f.required => return Err(malformed(name, "required but missing".into())),
                Some(Value::Null) | None => {}
                Some(v) => {
                    let v = check(f, v, lenient(f.location)).map_err(|p| malformed(name, p))?;
                    values.insert(name.clone(), v);
                }
            }
        }
        let body_fields: Map<String, Value> = values
            .iter()
            .filter(|(k, _)| operation.request[*k].location == Location::Body)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let make_payload = || match &payload_text {
            Some(t) => Some(t.clone()),
            None if operation.body != BodyEncoding::None => Some(super::json_text(&body_fields)),
            None => None,
        };

        let recipes = operation.sign.iter().map(|r| (r, spec.locate(&format!("operations.{op}.sign")))).chain(
            operation
                .auth
                .iter()
                .filter_map(|a| spec.recipes.get(a).map(|r| (r, spec.locate(&format!("recipes.{a}"))))),
        );
        let placed_query: Vec<&str> = operation
            .sign
            .iter()
            .chain(operation.auth.iter().filter_map(|a| spec.recipes.get(a)))
            .filter_map(|r| match &r.place {
                Place::Query(q) => Some(q.as_str()),
                _ => None,
            })
            .collect();
        let unsigned_query: Vec<(String, String)> =
            query.iter().filter(|(k, _)| !placed_query.contains(&k.as_str())).cloned().collect();
        let make_url = || Some(crate::support::build_url(base, path, &unsigned_query));
        let ctx = Ctx {
            target: Target::Request { all: &values, defs: &operation.request },
            creds,
            method: operation.method.as_str(),
            url: recipe::Lazy::new(&make_url),
            path,
            clock: Clock { now_ms: 0 },
            payload: recipe::Lazy::new(&make_payload),
            check_rsa_only: false,
        };
        for (r, at) in recipes {
            let received = match &r.place {
                Place::Body(f) => body.get(f).and_then(Value::as_str).map(String::from),
                Place::Query(q) => query.iter().find(|(k, _)| k == q).map(|(_, v)| v.clone()),
                Place::Header { name, .. } => header(name),
            };
            let field = match &r.place {
                Place::Body(f) | Place::Query(f) => f.clone(),
                Place::Header { name, .. } => name.clone(),
            };
            let received = received.ok_or_else(|| malformed(&field, "signature missing".into()))?;
            recipe::verify_placed(&ctx, r, &received, &at)?;
        }
        Ok(values.into_iter().collect())
    }
}
