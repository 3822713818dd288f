//! The recipe interpreter: signs and verifies with any loaded spec, on JSON values.
//!
//! ```
//! use payspec::{Clock, Credentials, Interpreter};
//! let spec = payspec::model::load_str("x.yaml", r#"
//! provider: x
//! title: X
//! environments: { sandbox: https://x.test }
//! credentials: { key: { secret: true } }
//! operations:
//!   refund:
//!     method: POST
//!     path: /refund
//!     request: { id: { type: string, required: true }, amount: { type: integer, required: true } }
//!     sign:
//!       provenance: { source: example, confidence: inferred }
//!       message: { join: "|", parts: [id, amount] }
//!       digest: { alg: hmac-sha256, key: cred:key }
//!       encode: hex
//!       place: body.mac
//! "#).unwrap();
//! let creds = Credentials::from_json(&spec, &serde_json::json!({"key": "k"})).unwrap();
//! let input = serde_json::json!({"id": "r1", "amount": 100});
//! let signed = Interpreter::new(&spec)
//!     .sign("refund", input.as_object().unwrap(), &creds, "sandbox", Clock::from_secs(0))
//!     .unwrap();
//! assert_eq!(signed.stage("sign").unwrap().string_to_sign.0, "r1|100");
//! assert_eq!(signed.url, "https://x.test/refund");
//! ```

mod fields;
mod plan;
mod recipe;
mod request;
#[cfg(test)]
mod tests;

use crate::endpoint::Endpoint;
use crate::error::{SignError, VerifyError};
use crate::redact::Redactor;
use crate::secret::Credentials;
use crate::status::ResponseStatus;
use crate::wire::{Body, SignedRequest, Verified};
use payspec_model::{BodyEncoding, Code, Location, Outcome, Spec, DEFAULT_HOST};
use serde_json::{Map, Value};
use std::sync::OnceLock;

pub use crate::canon::render;
pub use crate::clock::{Clock, ClockRangeError};
use recipe::{Ctx, Target};

/// Signs and verifies with one spec.
///
/// What signing an operation needs from the spec beyond its fields (error-message target, spec
/// locations, the recipes it runs and whether their values are secret, its `sensitive` paths) is
/// worked out on the operation's first [`sign`](Self::sign) and kept: reuse one interpreter.
pub struct Interpreter<'s> {
    spec: &'s Spec,
    /// One per operation, in spec order; filled on first use.
    plans: Box<[OnceLock<OpPlan<'s>>]>,
}

/// What [`Interpreter::sign`] works out once per operation.
struct OpPlan<'s> {
    /// `<provider>.<operation>`, for error messages.
    target: String,
    /// The operation's own `sign` recipe.
    sign: Option<RecipePlan<'s>>,
    /// The shared `auth` recipe, or the message of an unknown-recipe error (raised where it always was).
    auth: Option<Result<RecipePlan<'s>, String>>,
    /// Dotted paths of the `sensitive: true` request fields.
    sensitive: Vec<String>,
    /// Request fields outside the body in placement order: path, query, header, each in field order.
    outside_body: Vec<(&'s String, &'s payspec_model::Field)>,
    /// Every request field travels in the body.
    all_body: bool,
}

/// One recipe an operation runs.
struct RecipePlan<'s> {
    recipe: &'s payspec_model::Recipe,
    /// `sign` or `auth:<name>`.
    label: String,
    /// The recipe's spec location.
    at: String,
    /// [`Spec::recipe_value_is_secret`] of it.
    secret: bool,
    /// Its message's plan over the operation's request fields.
    message: plan::MsgPlan<'s>,
    /// Its header template, parsed (`None`: not a header place, or malformed, reported when used).
    template: Option<plan::Template<'s>>,
}

impl<'s> OpPlan<'s> {
    fn new(spec: &'s Spec, op: &str, operation: &'s payspec_model::Operation) -> Self {
        let recipe_plan = |recipe: &'s payspec_model::Recipe, label: String, at: String| RecipePlan {
            recipe,
            label,
            at,
            secret: spec.recipe_value_is_secret(recipe, Some(&operation.request)),
            message: plan::MsgPlan::new(&recipe.message, &operation.request, recipe.place.field()),
            template: match &recipe.place {
                payspec_model::Place::Header { template, .. } => plan::Template::parse(template),
                _ => None,
            },
        };
        let order = [Location::Path, Location::Query, Location::Header];
        OpPlan {
            target: format!("{}.{op}", spec.provider),
            sign: operation
                .sign
                .as_ref()
                .map(|r| recipe_plan(r, "sign".into(), spec.locate(&format!("operations.{op}.sign")))),
            auth: operation.auth.as_ref().map(|name| match spec.recipes.get(name) {
                Some(r) => Ok(recipe_plan(r, format!("auth:{name}"), spec.locate(&format!("recipes.{name}")))),
                None => Err(unknown("recipe", name, spec.recipes.keys())),
            }),
            sensitive: payspec_model::sensitive_paths(&operation.request),
            outside_body: order
                .iter()
                .flat_map(|l| operation.request.iter().filter(move |(_, f)| f.location == *l))
                .collect(),
            all_body: operation.request.values().all(|f| f.location == Location::Body),
        }
    }
}

/// How a response or payload maps onto a status table.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport<'s> {
    /// The code values read from the table's fields (`None` = absent).
    pub code: Vec<Option<String>>,
    /// The matching row; `None` means the code is unmapped (never a silent default).
    pub row: Option<&'s Code>,
}

impl StatusReport<'_> {
    /// The outcome, or `None` when the code is unmapped or its row is diagnostic (no outcome).
    pub fn outcome(&self) -> Option<Outcome> {
        self.row.and_then(|r| r.outcome)
    }

    /// A row matched (`false`: unmapped).
    pub fn matched(&self) -> bool {
        self.row.is_some()
    }
}

impl<'s> Interpreter<'s> {
    /// An interpreter for `spec`. Borrows it; each operation is prepared on its first use.
    pub fn new(spec: &'s Spec) -> Self {
        Interpreter { spec, plans: spec.operations.iter().map(|_| OnceLock::new()).collect() }
    }

    /// Sign operation `op` on `input` (request fields by wire name) for environment `env`: fill `from:`
    /// defaults, check every field, build the URL, headers and body, and run the operation's `sign`
    /// recipe, then its `auth` recipe (each on the unsigned request), placing their values.
    ///
    /// ```
    /// use payspec::{Clock, Credentials, Interpreter, SignError};
    /// use serde_json::json;
    /// let spec = payspec::model::load_str("x.yaml", r#"
    /// provider: x
    /// title: X
    /// environments: { sandbox: https://x.test }
    /// credentials: { key: { secret: true } }
    /// operations:
    ///   refund:
    ///     method: POST
    ///     path: /refund
    ///     request:
    ///       id: { type: string, required: true }
    ///       amount: { type: integer, required: true, min: 1 }
    ///       ts: { type: integer, required: true, from: ctx:now_s }
    ///     sign:
    ///       provenance: { source: example, confidence: inferred }
    ///       message: { join: "|", parts: [id, amount, ts] }
    ///       digest: { alg: hmac-sha256, key: cred:key }
    ///       encode: hex
    ///       place: body.mac
    /// callbacks:
    ///   ipn:
    ///     fields: { data: { type: string, required: true }, mac: { type: string, required: true } }
    ///     verify:
    ///       provenance: { source: example, confidence: inferred }
    ///       message: data
    ///       digest: { alg: hmac-sha256, key: cred:key }
    ///       encode: hex
    ///       place: body.mac
    ///     decode: { data: [json] }
    /// "#).unwrap();
    /// let creds = Credentials::from_json(&spec, &json!({"key": "k"})).unwrap();
    /// let interp = Interpreter::new(&spec);
    /// let input = json!({"id": "r1", "amount": 100});
    /// let clock = Clock::from_secs(1_700_000_000);
    /// let signed = interp.sign("refund", input.as_object().unwrap(), &creds, "sandbox", clock).unwrap();
    ///
    /// // `ts` was filled from the clock; `mac` is HMAC-SHA256(key, "r1|100|1700000000"), lowercase hex.
    /// let mac = hex::encode(payspec::crypto::hmac_sha256(b"k", b"r1|100|1700000000"));
    /// assert_eq!(signed.stage("sign").unwrap().string_to_sign.0, "r1|100|1700000000");
    /// assert_eq!((signed.method, signed.url.as_str()), ("POST", "https://x.test/refund"));
    /// assert_eq!(signed.body.to_json(), json!({"id": "r1", "amount": 100, "ts": 1_700_000_000, "mac": mac}));
    ///
    /// // Invalid input is refused before anything is signed, naming the field.
    /// let input = json!({"id": "r1", "amount": 0});
    /// let err = interp.sign("refund", input.as_object().unwrap(), &creds, "sandbox", Clock::system()).unwrap_err();
    /// assert!(matches!(err, SignError::Input { ref field, .. } if field == "amount"));
    /// ```
    pub fn sign<'e>(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &Credentials,
        env: impl Into<Endpoint<'e>>,
        clock: Clock,
    ) -> Result<SignedRequest, SignError> {
        self.sign_as(op, input, creds, env.into(), clock, false)
    }

    /// The string to sign of each recipe [`sign`](Self::sign) runs on `op` (its `sign` recipe, then
    /// its `auth` recipe), computed exactly as `sign` computes them, with the same errors, but without
    /// the RSA private-key operation: an RSA key is parsed and checked, nothing is signed with it.
    ///
    /// Every signature is a deterministic function of its string to sign (HMAC, hashes and PKCS#1
    /// v1.5 RSA alike), so two inputs get the same signatures exactly when they get the same strings
    /// to sign: what mutation coverage compares, without thousands of RSA signatures.
    ///
    /// ```
    /// use payspec::{Clock, Credentials, Interpreter};
    /// let spec = payspec::model::load_str("x.yaml", r#"
    /// provider: x
    /// title: X
    /// environments: { sandbox: https://x.test }
    /// credentials: { key: { secret: true } }
    /// operations:
    ///   refund:
    ///     method: POST
    ///     path: /refund
    ///     request: { id: { type: string, required: true }, amount: { type: integer, required: true } }
    ///     sign:
    ///       provenance: { source: example, confidence: inferred }
    ///       message: { join: "|", parts: [id, amount] }
    ///       digest: { alg: hmac-sha256, key: cred:key }
    ///       encode: hex
    ///       place: body.mac
    /// "#).unwrap();
    /// let creds = Credentials::from_json(&spec, &serde_json::json!({"key": "k"})).unwrap();
    /// let input = serde_json::json!({"id": "r1", "amount": 100});
    /// let sts = Interpreter::new(&spec).strings_to_sign("refund", input.as_object().unwrap(), &creds, "sandbox", Clock::from_secs(0));
    /// assert_eq!(sts.unwrap(), ["r1|100"]);
    /// ```
    pub fn strings_to_sign<'e>(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &Credentials,
        env: impl Into<Endpoint<'e>>,
        clock: Clock,
    ) -> Result<Vec<String>, SignError> {
        let signed = self.sign_as(op, input, creds, env.into(), clock, true)?;
        Ok(signed.stages.into_iter().map(|st| st.string_to_sign.0).collect())
    }

    /// [`sign`](Self::sign); `check_rsa_only`: RSA digests only check the key (their signature is a
    /// stand-in, for [`strings_to_sign`](Self::strings_to_sign), never returned).
    fn sign_as(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &Credentials,
        env: Endpoint<'_>,
        clock: Clock,
        check_rsa_only: bool,
    ) -> Result<SignedRequest, SignError> {
        let spec = self.spec;
        let (index, _, operation) = spec
            .operations
            .get_full(op)
            .ok_or_else(|| SignError::Unknown(unknown("operation", op, spec.operations.keys())))?;
        let plan = self.plans[index].get_or_init(|| OpPlan::new(spec, op, operation));
        let target = plan.target.as_str();
        let values = fields::prepare(
            target,
            &operation.request,
            input,
            creds,
            clock,
            fields::RequestRules {
                one_of: &operation.one_of,
                any_of: &operation.any_of,
                all_or_none: &operation.all_or_none,
                omit_empty: operation.omit_empty,
            },
        )?;

        let host = operation.host.as_deref().unwrap_or(DEFAULT_HOST);
        let base = env.base_of(&spec.environments, host).ok_or_else(|| match env {
            Endpoint::Env(name) if !spec.environments.contains_key(name) => {
                SignError::Unknown(unknown("environment", name, spec.environments.keys()))
            }
            _ => SignError::Unknown(format!("environment `{}` has no URL for host `{host}`", env.name())),
        })?;

        let mut path = operation.path.clone();
        let mut query: Vec<(String, String)> = Vec::new();
        let mut headers: crate::wire::Headers = operation.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        // Path values first, then query and headers, each in field order: generated code checks them
        // in this order too, so both report the same first error. Body fields stay in `values`.
        for &(name, field) in &plan.outside_body {
            let Some(v) = values.get(name) else { continue };
            match field.location {
                Location::Body => {}
                Location::Query => query.push((name.clone(), render(v))),
                Location::Header => {
                    headers.insert(name.clone().into(), crate::support::header_field(target, name, render(v))?);
                }
                Location::Path => {
                    path = path.replace(&format!("{{{name}}}"), &crate::support::path_field(target, name, &render(v))?)
                }
            }
        }
        let defs = &operation.request;
        let is_body = |walk: &mut plan::DefWalk, k: &str| walk.field(k).is_some_and(|f| f.location == Location::Body);
        let make_payload = || match operation.body {
            BodyEncoding::None => None,
            _ if plan.all_body => Some(json_text(&values)),
            _ => {
                let mut walk = plan::DefWalk::new(defs);
                Some(json_text(values.iter().filter(|(k, _)| is_body(&mut walk, k))))
            }
        };
        let make_url = || Some(crate::support::build_url(base, &path, &query));
        let ctx = Ctx {
            target: Target::Request { all: &values, defs },
            creds,
            method: operation.method.as_str(),
            url: recipe::Lazy::new(&make_url),
            path: &path,
            clock,
            payload: recipe::Lazy::new(&make_payload),
            check_rsa_only,
        };

        // Every recipe sees the unsigned request; placements are applied afterwards.
        let auth = match &plan.auth {
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => return Err(SignError::Unknown(e.clone())),
            None => None,
        };
        // What `Debug` and masked output hide: secret credentials, `sensitive` fields, and the value
        // of every recipe that is secret material.
        let mut redactor = creds.redactor();
        for p in &plan.sensitive {
            // `Redactor::sensitive_paths` over the fields as one JSON object, without building it.
            let mut segs = p.split('.');
            let v = segs.next().and_then(|first| values.get(first)).and_then(|v| segs.try_fold(v, |v, s| v.get(s)));
            if let Some(v) = v.filter(|v| !v.is_null()) {
                redactor.sensitive(p.as_str(), render(v));
            }
        }
        let mut stages = Vec::with_capacity(2);
        let mut placements = Vec::with_capacity(2);
        for r in plan.sign.iter().chain(auth) {
            let st = recipe::run(&ctx, r.recipe, Some(&r.message), &r.label, &r.at)?;
            placements.push((&r.recipe.place, recipe::place_value(&ctx, r.recipe, r.template.as_ref(), &st, &r.at)?));
            redactor.stage_done(&st, r.secret);
            stages.push(st);
        }
        let Ctx { payload: lazy_payload, url: lazy_url, .. } = ctx;
        // The envelope carries the unsigned payload text.
        let payload = match operation.body {
            BodyEncoding::Envelope(_) => lazy_payload.into_value(),
            _ => None,
        };
        // Without a signature in the query, the URL is the one the recipes saw (built now if none read it).
        let query_placed = placements.iter().any(|(p, _)| matches!(p, payspec_model::Place::Query(_)));
        let url = if query_placed { None } else { lazy_url.into_value() };
        let mut body_fields = values;
        if !plan.all_body {
            // In place, in order: no second map.
            let mut walk = plan::DefWalk::new(defs);
            body_fields.retain(|k, _| is_body(&mut walk, k));
        }
        for (place, value) in placements {
            match place {
                payspec_model::Place::Body(f) => {
                    body_fields.insert(f.clone(), Value::String(value));
                }
                payspec_model::Place::Query(q) => query.push((q.clone(), value)),
                payspec_model::Place::Header { name, .. } => {
                    headers.insert(name.clone().into(), value);
                }
            }
        }

        let body = match &operation.body {
            BodyEncoding::None => Body::None,
            BodyEncoding::Json => {
                headers.insert_if_absent("Content-Type", "application/json");
                Body::Json(Value::Object(body_fields))
            }
            BodyEncoding::Form => {
                headers.insert_if_absent("Content-Type", "application/x-www-form-urlencoded");
                let mut pairs = crate::canon::Pairs::new("=", "&", true);
                for (k, v) in &body_fields {
                    recipe::add_pair(&mut pairs, k, v, false);
                }
                Body::Form(pairs.finish())
            }
            BodyEncoding::Envelope(field) => {
                headers.insert_if_absent("Content-Type", "application/json");
                let mut outer = Map::new();
                outer.insert(field.clone(), Value::String(payload.unwrap_or_default()));
                // Only the placed signature fields travel next to the payload.
                for st in &stages {
                    if let Some(f) = st.placed.strip_prefix("body.") {
                        outer.insert(f.to_string(), Value::String(st.signature.0.clone()));
                    }
                }
                Body::Json(Value::Object(outer))
            }
        };
        Ok(SignedRequest {
            method: operation.method.as_str(),
            url: url.unwrap_or_else(|| crate::support::build_url(base, &path, &query)),
            headers,
            body,
            stages,
            redactor: Redactor::default(),
        }
        .redacted_by(redactor))
    }

    /// Run a shared recipe on its own (e.g. produce an auth header).
    pub fn run_recipe(
        &self,
        name: &str,
        creds: &Credentials,
        clock: Clock,
    ) -> Result<(crate::wire::Stages, String), SignError> {
        let recipe = self
            .spec
            .recipes
            .get(name)
            .ok_or_else(|| SignError::Unknown(unknown("recipe", name, self.spec.recipes.keys())))?;
        let empty = Map::new();
        let ctx = Ctx {
            target: Target::Received(&empty),
            creds,
            method: "",
            url: recipe::Lazy::ready(Some(String::new())),
            path: "",
            clock,
            payload: recipe::Lazy::ready(None),
            check_rsa_only: false,
        };
        let at = self.spec.locate(&format!("recipes.{name}"));
        let mut st = recipe::run(&ctx, recipe, None, &format!("recipe:{name}"), &at)?;
        let value = recipe::place_value(&ctx, recipe, None, &st, &at)?;
        recipe::seal(&mut st, creds, self.spec.recipe_value_is_secret(recipe, None));
        Ok((st, value))
    }

    /// Sign a callback payload as the provider would (for sandboxes and round-trip tests); any
    /// signature field already present is replaced. RSA callbacks need the provider's private key.
    pub fn sign_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<(Map<String, Value>, crate::wire::Stages), SignError> {
        let cb = self
            .spec
            .callbacks
            .get(name)
            .ok_or_else(|| SignError::Unknown(unknown("callback", name, self.spec.callbacks.keys())))?;
        let structural = self.spec.recipe_value_is_secret(&cb.verify, None);
        let target = format!("{}.{name}", self.spec.provider);
        recipe::sign_payload(
            &cb.verify,
            payload,
            creds,
            &target,
            &self.spec.locate(&format!("callbacks.{name}.verify")),
            structural,
        )
    }

    /// Sign a response body of operation `op` as the provider would.
    pub fn sign_response(
        &self,
        op: &str,
        body: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<(Map<String, Value>, crate::wire::Stages), SignError> {
        let recipe = self
            .spec
            .operations
            .get(op)
            .and_then(|o| o.response.as_ref())
            .and_then(|r| r.verify.as_ref())
            .ok_or_else(|| SignError::Unknown(format!("operation `{op}` has no signed response")))?;
        let structural = self.spec.recipe_value_is_secret(recipe, None);
        let target = format!("{}.{op} response", self.spec.provider);
        recipe::sign_payload(
            recipe,
            body,
            creds,
            &target,
            &self.spec.locate(&format!("operations.{op}.response.verify")),
            structural,
        )
    }

    /// Verify callback `name` on the received payload; on success return it decoded.
    ///
    /// The payload's fields are checked against the spec first (a missing or mistyped field is
    /// [`VerifyError::Malformed`]); an HMAC or hash value is compared in constant time.
    ///
    /// ```
    /// use payspec::{Credentials, Interpreter};
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
    /// // Callback `ipn`: `mac` = HMAC-SHA256(key, data), hex; `data` is JSON text, decoded once verified.
    /// let data = r#"{"order":"o1","amount":100}"#;
    /// let mac = hex::encode(payspec::crypto::hmac_sha256(b"k", data.as_bytes()));
    /// let payload = json!({"data": data, "mac": mac});
    /// let verified = interp.verify_callback("ipn", payload.as_object().unwrap(), &creds).unwrap();
    /// assert_eq!(verified.payload["data"]["amount"], 100);
    ///
    /// let forged = json!({"data": r#"{"order":"o1","amount":999}"#, "mac": mac});
    /// let err = interp.verify_callback("ipn", forged.as_object().unwrap(), &creds).unwrap_err();
    /// assert!(err.is_bad_signature());
    /// ```
    pub fn verify_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError> {
        let (cb, target, at) = self.callback(name)?;
        let lenient = !matches!(cb.encoding, payspec_model::PayloadEncoding::Json);
        fields::check_received(&target, &cb.fields, payload, lenient)?;
        recipe::check_canonical(&cb.verify, payload, &target)?;
        let stages = recipe::verify(
            &cb.verify,
            payload,
            creds,
            &target,
            &at,
            self.spec.recipe_value_is_secret(&cb.verify, None),
        )?;
        let mut decoded = payload.clone();
        for (field, steps) in &cb.decode {
            if let Some(v) = decoded.get(field).cloned() {
                let v = fields::decode(&target, field, v, steps)?;
                decoded.insert(field.clone(), v);
            }
        }
        Ok(Verified { payload: Value::Object(decoded), stages })
    }

    /// Verify the signature on a response of operation `op`.
    pub fn verify_response(
        &self,
        op: &str,
        body: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError> {
        let (response, recipe, target, at) = self.signed_response(op)?;
        fields::check_received(&target, &response.fields, body, false)?;
        if !response.signed_when.is_empty() {
            let values: Vec<(&str, Vec<String>)> = response
                .signed_when
                .iter()
                .map(|(f, vs)| (f.as_str(), vs.iter().map(|v| v.text()).collect()))
                .collect();
            let refs: Vec<Vec<&str>> = values.iter().map(|(_, vs)| vs.iter().map(String::as_str).collect()).collect();
            let conds: Vec<(&str, &[&str])> = values.iter().zip(&refs).map(|((f, _), r)| (*f, r.as_slice())).collect();
            crate::glue::signed_when(&target, body, &conds)?;
        }
        recipe::check_canonical(recipe, body, &target)?;
        let stages = recipe::verify(recipe, body, creds, &target, &at, self.spec.recipe_value_is_secret(recipe, None))?;
        Ok(Verified { payload: Value::Object(body.clone()), stages })
    }

    /// What verifying callback `name` computes from `payload`, without comparing: the string to sign
    /// and, for HMAC / hash recipes, the expected digest and signature (RSA: the received signature,
    /// no digest). For explaining a failed check (`payspec verify --explain`) and vector mismatches.
    /// The payload's fields are not checked, so a malformed payload still shows its string to sign.
    ///
    /// The expected signature of a payload someone else chose is a valid signature for it: show it
    /// only to whoever holds the key.
    pub fn recompute_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<crate::wire::Stages, VerifyError> {
        let (cb, target, at) = self.callback(name)?;
        recipe::recompute(&cb.verify, payload, creds, &target, &at, self.spec.recipe_value_is_secret(&cb.verify, None))
    }

    /// [`recompute_callback`](Self::recompute_callback) for a signed response of operation `op`.
    pub fn recompute_response(
        &self,
        op: &str,
        body: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<crate::wire::Stages, VerifyError> {
        let (_, recipe, target, at) = self.signed_response(op)?;
        recipe::recompute(recipe, body, creds, &target, &at, self.spec.recipe_value_is_secret(recipe, None))
    }

    /// A callback by name, its error-message target and the spec location of its verify recipe.
    fn callback(&self, name: &str) -> Result<(&'s payspec_model::Callback, String, String), SignError> {
        let spec = self.spec;
        let cb = spec
            .callbacks
            .get(name)
            .ok_or_else(|| SignError::Unknown(unknown("callback", name, spec.callbacks.keys())))?;
        Ok((cb, format!("{}.{name}", spec.provider), spec.locate(&format!("callbacks.{name}.verify"))))
    }

    /// The response of operation `op` with its verify recipe, error-message target and spec location.
    fn signed_response(
        &self,
        op: &str,
    ) -> Result<(&'s payspec_model::Response, &'s payspec_model::Recipe, String, String), SignError> {
        let spec = self.spec;
        let operation = spec
            .operations
            .get(op)
            .ok_or_else(|| SignError::Unknown(unknown("operation", op, spec.operations.keys())))?;
        let response = operation
            .response
            .as_ref()
            .ok_or_else(|| SignError::Unknown(format!("operation `{op}` has no response")))?;
        let recipe = response
            .verify
            .as_ref()
            .ok_or_else(|| SignError::Unknown(format!("operation `{op}` has no signed response")))?;
        Ok((
            response,
            recipe,
            format!("{}.{op} response", spec.provider),
            spec.locate(&format!("operations.{op}.response.verify")),
        ))
    }

    /// Map a response of operation `op` onto its status table. `Ok(None)` when the operation has none;
    /// [`VerifyError::Malformed`] (field `body`) when the response is not a JSON object. Integer codes
    /// are compared in canonical form ([`code_text`](crate::status::code_text): `-0` is `0`).
    ///
    /// Without an HTTP status the `http:status` column reads as absent and the success shape is
    /// used; an `array: true` response is an error here (one status per row: use
    /// [`status_http`](Self::status_http)).
    pub fn status(&self, op: &str, response: &Value) -> Result<Option<StatusReport<'s>>, VerifyError> {
        let target = format!("{}.{op} response", self.spec.provider);
        self.status_http(op, None, response).map(|s| s.map(|s| crate::glue::one_status(&target, Ok(s))).transpose())?
    }

    /// Map a response of operation `op`, received with HTTP status `http_status` (`None`: not
    /// known, e.g. a recorded vector), onto its status table(s):
    ///
    /// - an HTTP status listed in the response's `error: { http }` selects the error shape and its
    ///   table: [`ResponseStatus::One`];
    /// - otherwise an object response gives `One` and an `array: true` response one lookup per row,
    ///   [`ResponseStatus::Rows`] (empty for `[]`: no rows, nothing known);
    /// - the `http:status` column reads `http_status` (absent when `None`: only `"*"` matches).
    ///
    /// `Ok(None)` when the selected shape has no table. A body of another top-level shape than the
    /// one declared is [`VerifyError::Malformed`] naming `body` (a row that is not an object:
    /// `body[i]`); a table that reads only `http:status` looks at no body.
    ///
    /// ```
    /// use payspec::{Interpreter, Outcome, ResponseStatus};
    /// let spec = payspec::model::load_str("x.yaml", r#"
    /// provider: x
    /// title: X
    /// environments: { sandbox: https://x.test }
    /// credentials: {}
    /// operations:
    ///   query:
    ///     method: GET
    ///     path: /q
    ///     response:
    ///       array: true
    ///       fields: { state: { type: integer } }
    ///       status:
    ///         provenance: { source: example, confidence: inferred }
    ///         fields: [state]
    ///         codes: [{ when: [1], outcome: succeeded, meaning: paid }]
    ///       error:
    ///         http: ["4xx", "5xx"]
    ///         fields: { code: { type: string } }
    ///         status:
    ///           provenance: { source: example, confidence: inferred }
    ///           fields: [http:status, code]
    ///           codes:
    ///             - { when: ["5xx", "*"], outcome: indeterminate, meaning: server error }
    ///             - { when: ["4xx", E1], outcome: rejected, meaning: bad request }
    /// "#).unwrap();
    /// let interp = Interpreter::new(&spec);
    /// let rows = interp.status_http("query", Some(200), &serde_json::json!([{"state": 1}, {"state": 7}])).unwrap().unwrap();
    /// let rows = rows.rows().unwrap();
    /// assert_eq!((rows[0].outcome(), rows[1].matched()), (Some(Outcome::Succeeded), false));
    /// let err = interp.status_http("query", Some(400), &serde_json::json!({"code": "E1"})).unwrap().unwrap();
    /// assert_eq!(err.one().unwrap().outcome(), Some(Outcome::Rejected));
    /// let empty = interp.status_http("query", Some(200), &serde_json::json!([])).unwrap().unwrap();
    /// assert!(empty.is_empty_rows());
    /// assert!(interp.status_http("query", Some(200), &serde_json::json!({"state": 1})).is_err());
    /// ```
    pub fn status_http(
        &self,
        op: &str,
        http_status: Option<u16>,
        response: &Value,
    ) -> Result<Option<ResponseStatus<StatusReport<'s>>>, VerifyError> {
        let spec = self.spec;
        let Some(resp) = spec.operations.get(op).and_then(|o| o.response.as_ref()) else {
            return Ok(None);
        };
        let lookup = |table: &'s payspec_model::StatusTable, body: &Value| {
            let paths: Vec<&str> = table.fields.iter().map(String::as_str).collect();
            let code = crate::glue::status_code(body, &paths, http_status);
            let row = table.lookup(&code);
            StatusReport { code, row }
        };
        let table_of = |r: &'s Option<payspec_model::StatusRef>| r.as_ref().and_then(|s| spec.status_table(s));
        if let Some(error) = resp.error_for(http_status) {
            let Some(table) = table_of(&error.status) else { return Ok(None) };
            let paths: Vec<&str> = table.fields.iter().map(String::as_str).collect();
            if crate::glue::reads_body(&paths) {
                crate::support::response_object(&format!("{}.{op} error response", spec.provider), response)?;
            }
            return Ok(Some(ResponseStatus::One(lookup(table, response))));
        }
        let Some(table) = table_of(&resp.status) else { return Ok(None) };
        let target = format!("{}.{op} response", spec.provider);
        if resp.array {
            let rows = crate::glue::response_rows(&target, response)?;
            return Ok(Some(ResponseStatus::Rows(rows.iter().map(|r| lookup(table, r)).collect())));
        }
        let paths: Vec<&str> = table.fields.iter().map(String::as_str).collect();
        if crate::glue::reads_body(&paths) {
            crate::support::response_object(&target, response)?;
        }
        Ok(Some(ResponseStatus::One(lookup(table, response))))
    }
}

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    format!("unknown {what} `{}` (known: {known})", crate::support::echo(name))
}

/// A request's body fields as compact JSON text (what `ctx:payload` and the envelope carry).
pub(crate) fn json_text<'v>(fields: impl IntoIterator<Item = (&'v String, &'v Value)>) -> String {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::new(&mut out);
    // Serialising a map of JSON values cannot fail.
    let _ = serde::Serializer::collect_map(&mut ser, fields);
    String::from_utf8(out).unwrap_or_default()
}
