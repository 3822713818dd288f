//! Conformance: recorded vectors run through a signing path, compared stage by stage.
//!
//! A [`Vector`] (one file in `vectors/<provider>/<id>.json`, format in `vectors/README.md`) names a
//! target (operation, callback, response or shared recipe), its input, credentials and clock, and
//! the expected stages. A [`Path`] is one implementation of the spec (the interpreter, or generated
//! code); [`check()`](fn@check) runs a vector through it and reports the first stage that differs.

#![deny(missing_docs)]

pub mod bundled;
pub mod check;
pub mod coverage;
pub mod leaks;
pub mod properties;
pub mod strategies;

use payspec::{Clock, Credentials, SignError, SignedRequest, Stages, Verified, VerifyError};
use payspec_model::Spec;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path as FsPath, PathBuf};

/// One recorded test vector. Unknown keys are refused: a typo must not silently check nothing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Hash / MAC / signature algorithm and output encoding, as text (for readers).
    #[serde(default)]
    pub algorithm: Option<String>,
    /// Where the credential values come from (public sandbox, doc example, dummy, throwaway key).
    #[serde(default)]
    pub credential_source: Option<String>,
    /// Caveats and the origin of the input values.
    #[serde(default)]
    pub notes: Option<String>,
    /// Stable identifier, prefixed with the provider name (`hitechpay-refund-nofee-2553`).
    pub id: String,
    /// Spec name: `specs/<provider>.yaml`, and the folder under `vectors/`.
    pub provider: String,
    /// What the vector exercises.
    pub target: Target,
    /// Which recipe of an operation the expected stages belong to: `sign` (default) or `auth`.
    #[serde(default)]
    pub stage: Option<String>,
    /// Where the expected values come from.
    pub provenance: Provenance,
    /// Credential values by spec name, as a credentials file holds them (read with
    /// [`Credentials::from_json`]).
    pub credentials: Value,
    /// Clock, unix seconds (`ctx:now_s`); `None` = 0.
    #[serde(default)]
    pub now: Option<i64>,
    /// Environment to sign in; `None` = the spec's first environment ([`default_env`]).
    #[serde(default)]
    pub env: Option<String>,
    /// Operations: the request fields by wire name, without the signature field. Callbacks and
    /// responses: the received payload, signature included. Recipes: unused.
    pub input: Map<String, Value>,
    /// The expected stages and wire values.
    pub expected: Expected,
    /// `false` marks a counterexample: a correct implementation must NOT produce `expected.signature`.
    #[serde(default = "yes")]
    pub expect_valid: bool,
    /// Callbacks: the expected decoded fields.
    #[serde(default)]
    pub decoded: Option<Map<String, Value>>,
}

fn yes() -> bool {
    true
}

/// What a vector exercises.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// `{"operation": "<name>"}`: build and sign a request of this operation.
    Operation(String),
    /// `{"callback": "<name>"}`: verify a received payload of this callback.
    Callback(String),
    /// `{"response": "<operation>"}`: verify a signed response of this operation.
    Response(String),
    /// `{"recipe": "<name>"}`: evaluate this shared recipe (under `recipes:`) on its own.
    Recipe(String),
}

/// Where the expected values come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// `published` or `computed`.
    pub kind: String,
    /// Where the value is published, or (`computed`) the formula and the documents it comes from.
    pub source: String,
    /// `computed` vectors: the independent implementation that produced the values (Python `hmac`,
    /// `openssl dgst`).
    #[serde(default)]
    pub tool: Option<String>,
}

/// Expected stages; absent ones are not checked.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The exact string to sign of the checked recipe.
    pub string_to_sign: Option<String>,
    /// Raw digest / MAC / RSA signature bytes, lowercase hex.
    pub digest_hex: Option<String>,
    /// The value after encoding (for a header recipe: what is substituted for `{signature}`).
    pub signature: Option<String>,
    /// Operations: the HTTP method.
    pub method: Option<String>,
    /// Operations: the full URL, in the vector's environment.
    pub url: Option<String>,
    /// Headers that must be present with exactly these values.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Operations: the complete body, signature included, as [`Body::to_json`](payspec::Body::to_json)
    /// gives it (a form body is a JSON string).
    pub body: Option<Value>,
}

/// The first stage where a path disagrees with a vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The vector's id.
    pub case: String,
    /// The [`Path::name`] that disagreed.
    pub path: String,
    /// What differs (`string_to_sign`, `digest`, `signature`, `url`, `header <name>`, `body`,
    /// `decoded <field>`, …), or the step that failed before anything could be compared (`credentials`,
    /// `sign`, `verify`).
    pub stage: String,
    /// The vector's value, as text.
    pub expected: String,
    /// What the path produced, or its error, as text.
    pub actual: String,
}

impl Mismatch {
    /// One line for a matrix cell: the differing stage with both values (each cut to 120 characters),
    /// or the step that failed before anything could be compared.
    pub fn summary(&self) -> String {
        let cut = |s: &str| {
            let mut t: String = s.chars().take(120).collect();
            if t.len() < s.len() {
                t.push('…');
            }
            t.replace('\n', "\\n")
        };
        match self.stage.as_str() {
            "stage" => format!("vector `stage`: expected {}; {}", self.expected, self.actual),
            "credentials" | "sign" | "verify" => {
                format!("{} failed: expected {}, got {}", self.stage, cut(&self.expected), cut(&self.actual))
            }
            stage => {
                format!("stage `{stage}` differs: expected {}, computed {}", cut(&self.expected), cut(&self.actual))
            }
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}]: stage `{}` differs\n  expected: {}\n  actual:   {}",
            self.case, self.path, self.stage, self.expected, self.actual
        )
    }
}

/// One implementation of a spec's recipes.
pub trait Path {
    /// Name shown in mismatches (`interpreter`, `generated`).
    fn name(&self) -> &str;
    /// Sign operation `op` on `input` (fields by wire name) in environment `env`, as
    /// [`Interpreter::sign`](payspec::Interpreter::sign) does.
    fn sign(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &Credentials,
        env: &str,
        clock: Clock,
    ) -> Result<SignedRequest, SignError>;
    /// Verify a received payload of callback `name`, as
    /// [`Interpreter::verify_callback`](payspec::Interpreter::verify_callback) does.
    fn verify_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError>;
    /// Verify a signed response body of operation `op`, as
    /// [`Interpreter::verify_response`](payspec::Interpreter::verify_response) does.
    fn verify_response(
        &self,
        op: &str,
        body: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError>;
    /// Run shared recipe `name` on its own: its stages and the value it places (header template
    /// applied), as [`Interpreter::run_recipe`](payspec::Interpreter::run_recipe) does.
    fn recipe(&self, name: &str, creds: &Credentials, clock: Clock) -> Result<(Stages, String), SignError>;
    /// Typed paths: parse a request (or, with `response`, a response body) of `op` into its typed
    /// form and serialise it back. `None` for untyped paths and operations without that type.
    fn round_trip(&self, _response: bool, _op: &str, _json: &Value) -> Option<Result<Value, String>> {
        None
    }
}

/// The interpreter as a [`Path`].
pub struct Interpreted<'s>(pub &'s Spec);

impl Path for Interpreted<'_> {
    fn name(&self) -> &str {
        "interpreter"
    }
    fn sign(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &Credentials,
        env: &str,
        clock: Clock,
    ) -> Result<SignedRequest, SignError> {
        payspec::Interpreter::new(self.0).sign(op, input, creds, env, clock)
    }
    fn verify_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError> {
        payspec::Interpreter::new(self.0).verify_callback(name, payload, creds)
    }
    fn verify_response(
        &self,
        op: &str,
        body: &Map<String, Value>,
        creds: &Credentials,
    ) -> Result<Verified, VerifyError> {
        payspec::Interpreter::new(self.0).verify_response(op, body, creds)
    }
    fn recipe(&self, name: &str, creds: &Credentials, clock: Clock) -> Result<(Stages, String), SignError> {
        payspec::Interpreter::new(self.0).run_recipe(name, creds, clock)
    }
}

/// The environment vectors, properties and coverage run in when none is named: the spec's first
/// (lint requires at least one; a spec need not publish a `sandbox`).
pub fn default_env(spec: &Spec) -> &str {
    spec.environments.keys().next().map(String::as_str).unwrap_or_default()
}

/// Every vector under `dir/<provider>/*.json`, sorted by id.
pub fn load_vectors(dir: &FsPath) -> Result<Vec<Vector>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            for f in std::fs::read_dir(&p).map_err(|e| format!("{}: {e}", p.display()))? {
                let f = f.map_err(|e| e.to_string())?.path();
                if f.extension().is_some_and(|x| x == "json") {
                    files.push(f);
                }
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let v: Vector = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        out.push(v);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Run `v` through `path` and compare every expected stage.
///
/// `Ok` when every stage the vector lists matches (a counterexample, `expect_valid: false`, passes
/// when the path does not produce its signature); otherwise the first stage that differs.
///
/// ```
/// use payspec_conformance::{check, Interpreted, Vector};
/// use serde_json::json;
/// let spec = payspec_model::load_str("x.yaml", r#"
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
/// // Computed independently: python3 -c 'import hmac; print(hmac.new(b"k", b"r1|100", "sha256").hexdigest())'
/// let mac = "240a62858a48f3d78047630e0724d82dd27e5f05342ede95d2de30c61ffec33c";
/// let vector: Vector = serde_json::from_value(json!({
///     "id": "x-refund", "provider": "x", "target": { "operation": "refund" },
///     "provenance": { "kind": "computed", "source": "hmac-sha256(key, id|amount)", "tool": "Python hmac" },
///     "credentials": { "key": "k" },
///     "input": { "id": "r1", "amount": 100 },
///     "expected": { "string_to_sign": "r1|100", "signature": mac, "url": "https://x.test/refund" }
/// }))
/// .unwrap();
/// assert_eq!(check(&spec, &Interpreted(&spec), &vector), Ok(()));
///
/// let mut wrong = vector.clone();
/// wrong.expected.string_to_sign = Some("r1,100".into());
/// let mismatch = check(&spec, &Interpreted(&spec), &wrong).unwrap_err();
/// assert_eq!((mismatch.path.as_str(), mismatch.stage.as_str()), ("interpreter", "string_to_sign"));
/// ```
pub fn check(spec: &Spec, path: &dyn Path, v: &Vector) -> Result<(), Mismatch> {
    // Expected and actual values are printed (matrix, report): secret credentials masked as «name».
    check_unmasked(spec, path, v).map_err(|m| match Credentials::from_json(spec, &v.credentials) {
        Ok(creds) => {
            let r = masking_redactor(&v.credentials, &creds);
            Mismatch { expected: r.mask_secrets(&m.expected), actual: r.mask_secrets(&m.actual), ..m }
        }
        Err(_) => m,
    })
}

/// The redactor of a vector's credentials, shared by the vectors (and paths) with the same
/// credentials: its masks compile once (a PEM key's forms make a large pattern).
fn masking_redactor(json: &serde_json::Value, creds: &Credentials) -> payspec::Redactor {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static SEEN: RefCell<HashMap<String, payspec::Redactor>> = RefCell::new(HashMap::new());
    }
    let key = json.to_string();
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() > 64 {
            seen.clear();
        }
        seen.entry(key).or_insert_with(|| creds.redactor()).clone()
    })
}

fn check_unmasked(spec: &Spec, path: &dyn Path, v: &Vector) -> Result<(), Mismatch> {
    let miss = |stage: &str, expected: String, actual: String| Mismatch {
        case: v.id.clone(),
        path: path.name().into(),
        stage: stage.into(),
        expected,
        actual,
    };
    let creds = Credentials::from_json(spec, &v.credentials)
        .map_err(|e| miss("credentials", "valid credentials".into(), e.to_string()))?;
    let clock =
        Clock::try_from_secs(v.now.unwrap_or(0)).map_err(|e| miss("now", "a clock in range".into(), e.to_string()))?;
    let env = v.env.as_deref().unwrap_or(default_env(spec));
    let e = &v.expected;

    // Counterexamples: signing must succeed and must not produce the listed signature.
    let (stages, extra): (Stages, Option<(SignedRequest, Option<String>)>) = match &v.target {
        Target::Operation(op) => {
            let signed = path
                .sign(op, &v.input, &creds, env, clock)
                .map_err(|err| miss("sign", "a signed request".into(), err.to_string()))?;
            let label = match v.stage.as_deref().unwrap_or("sign") {
                "auth" => signed.stages.iter().find(|s| s.recipe.starts_with("auth:")).cloned(),
                other => signed.stage(other).cloned(),
            };
            let st = label.ok_or_else(|| {
                let wanted = v.stage.as_deref().unwrap_or("sign");
                let has: Vec<&str> = signed.stages.iter().map(|s| &*s.recipe).collect();
                let hint = if v.stage.is_none() && has.iter().any(|r| r.starts_with("auth:")) {
                    "; add `\"stage\": \"auth\"` to the vector to check its auth recipe"
                } else {
                    ""
                };
                miss(
                    "stage",
                    format!(
                        "operation `{op}` to have a `{wanted}` recipe (the vector's `stage`{})",
                        if v.stage.is_none() { ", default `sign`" } else { "" }
                    ),
                    format!(
                        "its recipes are: {}{hint}",
                        if has.is_empty() { "none".to_string() } else { has.join(", ") }
                    ),
                )
            })?;
            (st, Some((signed, None)))
        }
        Target::Recipe(name) => {
            let (st, value) = path
                .recipe(name, &creds, clock)
                .map_err(|err| miss("sign", "a recipe value".into(), err.to_string()))?;
            let placed = st.placed.strip_prefix("header.").map(|h| (h.to_string(), value));
            if let Some((h, value)) = placed
                && let Some(want) = e.headers.get(&h)
            {
                let want = want.as_str().unwrap_or_default().to_string();
                if v.expect_valid && want != value {
                    return Err(miss(&format!("header {h}"), want, value));
                }
            }
            (st, None)
        }
        Target::Callback(name) => {
            let verified = path.verify_callback(name, &v.input, &creds);
            let recompute = || payspec::Interpreter::new(spec).recompute_callback(name, &v.input, &creds);
            return compare_verified(v, verified, &recompute, &miss);
        }
        Target::Response(op) => {
            let verified = path.verify_response(op, &v.input, &creds);
            let recompute = || payspec::Interpreter::new(spec).recompute_response(op, &v.input, &creds);
            return compare_verified(v, verified, &recompute, &miss);
        }
    };

    if let Some(want) = &e.string_to_sign
        && v.expect_valid
        && want != &stages.string_to_sign.0
    {
        return Err(miss("string_to_sign", format!("{want:?}"), format!("{:?}", stages.string_to_sign.0)));
    }
    if let Some(want) = &e.digest_hex {
        let got = stages.digest.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "<no digest>".into());
        if v.expect_valid && want != &got {
            return Err(miss("digest", want.clone(), got));
        }
    }
    if let Some(want) = &e.signature {
        let got = &stages.signature.0;
        if !v.expect_valid {
            if want == got {
                return Err(miss("signature (counterexample)", format!("anything but {want}"), got.clone()));
            }
            return Ok(());
        }
        if want != got {
            return Err(miss("signature", want.clone(), got.clone()));
        }
    }
    if let Some((signed, _)) = extra {
        if let Some(m) = &e.method
            && m != signed.method
        {
            return Err(miss("method", m.clone(), signed.method.to_string()));
        }
        if let Some(u) = &e.url
            && u != &signed.url
        {
            return Err(miss("url", u.clone(), signed.url.clone()));
        }
        for (h, want) in &e.headers {
            let want = want.as_str().unwrap_or_default();
            let got = signed.headers.get(h).map(String::as_str).unwrap_or("<absent>");
            if want != got {
                return Err(miss(&format!("header {h}"), want.into(), got.into()));
            }
        }
        if let Some(b) = &e.body {
            let got = signed.body.to_json();
            if b != &got {
                return Err(miss("body", b.to_string(), got.to_string()));
            }
        }
    }
    Ok(())
}

/// Compare a verification result with the vector. When a valid vector is refused, the stages the
/// interpreter recomputes from the payload are compared with the expected ones, so the first differing
/// stage is named with both values, as for signed requests.
fn compare_verified(
    v: &Vector,
    verified: Result<Verified, VerifyError>,
    recompute: &dyn Fn() -> Result<Stages, VerifyError>,
    miss: &dyn Fn(&str, String, String) -> Mismatch,
) -> Result<(), Mismatch> {
    let verified = match verified {
        Ok(x) if v.expect_valid => x,
        Ok(_) => return Err(miss("verify", "rejected".into(), "accepted".into())),
        Err(_) if !v.expect_valid => return Ok(()),
        Err(e) => {
            let refused = format!("refused: {e}");
            if let Ok(computed) = recompute() {
                let note = |m: Mismatch| Mismatch { actual: format!("{} (then {refused})", m.actual), ..m };
                compare_stages(v, &computed, true, miss).map_err(note)?;
            }
            return Err(miss("verify", "accepted".into(), refused));
        }
    };
    compare_stages(v, &verified.stages, false, miss)?;
    if let Some(decoded) = &v.decoded {
        for (k, want) in decoded {
            let got = verified.payload.get(k).cloned().unwrap_or(Value::Null);
            if want != &got {
                return Err(miss(&format!("decoded {k}"), want.to_string(), got.to_string()));
            }
        }
    }
    Ok(())
}

/// The expected string to sign and digest of a callback or response vector against `stages`; with
/// `recomputed`, also the expected signature against the one the verifier computed (HMAC / hash).
fn compare_stages(
    v: &Vector,
    stages: &Stages,
    recomputed: bool,
    miss: &dyn Fn(&str, String, String) -> Mismatch,
) -> Result<(), Mismatch> {
    if let Some(want) = &v.expected.string_to_sign
        && want != &stages.string_to_sign.0
    {
        return Err(miss("string_to_sign", format!("{want:?}"), format!("{:?}", stages.string_to_sign.0)));
    }
    if let Some(want) = &v.expected.digest_hex {
        if let Some(got) = stages.digest.as_ref().map(|d| d.to_string()) {
            if want != &got {
                return Err(miss("digest", want.clone(), got));
            }
        } else if !recomputed {
            return Err(miss("digest", want.clone(), "<no digest>".into()));
        }
    }
    if recomputed && stages.digest.is_some() {
        let field = stages.placed.split_once('.').map_or("", |(_, f)| f);
        let want =
            v.expected.signature.clone().or_else(|| v.input.get(field).and_then(|s| s.as_str()).map(String::from));
        if let Some(want) = want
            && want != stages.signature.0
        {
            return Err(miss("signature", want, stages.signature.0.clone()));
        }
    }
    Ok(())
}
