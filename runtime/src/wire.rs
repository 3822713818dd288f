//! The named intermediates of signing: string to sign, digest, signature, signed wire request.
//!
//! Each carries the [`Redactor`] of the run that made it: `Debug` and `Display` show secret
//! credentials, values derived from them and `sensitive` fields as `«name»`; the public fields hold
//! the exact values for the wire.

use crate::redact::Redactor;
use std::borrow::Cow;
use std::fmt;

/// The canonical string a recipe signs. `.0` is the exact text; `Debug` and `Display` mask secret
/// values with `.1` (which [`Stages::seal`] fills).
#[derive(Clone, PartialEq, Eq)]
pub struct StringToSign(pub String, pub Redactor);

/// Raw digest / MAC / signature bytes, before encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestBytes(pub Vec<u8>);

/// The encoded value a recipe places (hex MAC, base64 signature, JWT segment, Basic credentials).
/// `.0` is the exact text; `Debug` and `Display` mask it with `.1` when it is secret material
/// (HTTP Basic, a bearer token).
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureValue(pub String, pub Redactor);

impl StringToSign {
    /// A string to sign with nothing to mask (yet).
    pub fn new(text: impl Into<String>) -> Self {
        StringToSign(text.into(), Redactor::default())
    }
}

impl SignatureValue {
    /// A value with nothing to mask (yet).
    pub fn new(text: impl Into<String>) -> Self {
        SignatureValue(text.into(), Redactor::default())
    }
}

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StringToSign({:?})", self.1.mask(&self.0))
    }
}
impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.1.mask(&self.0))
    }
}
impl fmt::Debug for DigestBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DigestBytes({})", hex::encode(&self.0))
    }
}
impl fmt::Display for DigestBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}
impl fmt::Debug for SignatureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignatureValue({:?})", self.1.mask(&self.0))
    }
}
impl fmt::Display for SignatureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.1.mask(&self.0))
    }
}

/// Every stage of one recipe run.
///
/// `Debug` masks secret values in the string to sign and the value (the whole value of a recipe
/// without a digest that reads a secret: HTTP Basic, bearer tokens). Digests and MACs stay visible.
#[derive(Clone, PartialEq, Eq)]
pub struct Stages {
    /// `sign`, `auth:<name>`, `verify` or `recipe:<name>` (borrowed from the generated code, which
    /// knows it at generation time; owned when the interpreter composes it).
    pub recipe: Cow<'static, str>,
    /// The message: the digest's input, or the value itself when the recipe has no digest.
    pub string_to_sign: StringToSign,
    /// Absent for recipes without a digest (HTTP Basic, bearer tokens).
    pub digest: Option<DigestBytes>,
    /// The encoded value (after `encode:`, before any header template). When verifying: the received
    /// value.
    pub signature: SignatureValue,
    /// Where the value went: `body.mac`, `query.signature`, `header.Authorization`.
    pub placed: Cow<'static, str>,
}

impl Stages {
    /// Multi-line description with secret values masked as `«name»`: the stage's own redactor (every
    /// secret credential and secret-derived value of the run) plus `secrets` (e.g.
    /// [`Credentials::secrets`](crate::Credentials::secrets)). `sensitive` field values are shown.
    pub fn explain<'a>(&self, secrets: impl IntoIterator<Item = (&'a str, String)>) -> String {
        let mut r = self.string_to_sign.1.clone();
        for (name, value) in secrets {
            r.secret(name, value);
        }
        self.describe(|s| r.mask_secrets(s))
    }

    /// The description of [`explain`](Self::explain) with every value as it is (`--reveal-secrets`).
    pub fn explain_revealed(&self) -> String {
        self.describe(str::to_string)
    }

    fn describe(&self, mask: impl Fn(&str) -> String) -> String {
        let mut out = format!("[{}]\n  string to sign: {:?}\n", self.recipe, mask(&self.string_to_sign.0));
        if let Some(d) = &self.digest {
            out.push_str(&format!("  digest (hex):   {d}\n"));
        }
        out.push_str(&format!(
            "  signature:      {}\n  placed:         {}\n",
            mask(&self.signature.0),
            mask(&self.placed)
        ));
        out
    }

    /// Attach the run's redactor to the string to sign and the value (what `Debug` masks with).
    pub fn seal(&mut self, redactor: &Redactor) {
        self.string_to_sign.1 = redactor.clone();
        self.signature.1 = redactor.clone();
    }

    /// The redactor the stage masks with.
    pub fn redactor(&self) -> &Redactor {
        &self.string_to_sign.1
    }
}

/// The HTTP body of a signed request.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// No body (`body: none`).
    None,
    /// JSON body (also the envelope form).
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded` text.
    Form(String),
}

impl Body {
    /// The body as the CLI prints it: JSON value, form string, or null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Body::None => serde_json::Value::Null,
            Body::Json(v) => v.clone(),
            Body::Form(s) => serde_json::Value::String(s.clone()),
        }
    }
}

/// The headers of a signed request, in the order they are sent: one value per name (a second
/// [`insert`](Self::insert) of a name replaces its value in place, as a map would).
///
/// Names are `&'static str` when the generated code knows them (no allocation), owned when the
/// interpreter reads them from a spec. Lookups by name are exact (case-sensitive), as in the spec.
/// Serialises as a JSON object in order; `Debug` shows `{"name": "value", …}`. Two header lists are
/// equal when they hold the same names with the same values, in any order.
#[derive(Clone, Default)]
pub struct Headers(Vec<(Cow<'static, str>, String)>);

impl Headers {
    /// No headers.
    pub const fn new() -> Self {
        Headers(Vec::new())
    }

    /// No headers, room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Headers(Vec::with_capacity(n))
    }

    /// The value of header `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The value of header `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut String> {
        self.0.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Whether header `name` is set.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Set header `name` to `value`: in place when it is already set (the old value is returned),
    /// else last.
    pub fn insert(&mut self, name: Cow<'static, str>, value: String) -> Option<String> {
        match self.get_mut(&name) {
            Some(v) => Some(std::mem::replace(v, value)),
            None => {
                self.0.push((name, value));
                None
            }
        }
    }

    /// Set header `name` to `value` unless it is set.
    pub fn insert_if_absent(&mut self, name: &'static str, value: &'static str) {
        if !self.contains_key(name) {
            self.0.push((Cow::Borrowed(name), value.to_string()));
        }
    }

    /// Names and values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &String)> + '_ {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// The names in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Cow<'static, str>, String)>,
        fn(&'a (Cow<'static, str>, String)) -> (&'a str, &'a String),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (&**k, v))
    }
}

impl std::ops::Index<&str> for Headers {
    type Output = String;
    /// The value of header `name`; panics when it is not set (as a map's index).
    fn index(&self, name: &str) -> &String {
        self.get(name).unwrap_or_else(|| panic!("no header `{name}`"))
    }
}

impl<K: Into<Cow<'static, str>>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut h = Headers::new();
        for (k, v) in iter {
            h.insert(k.into(), v.into());
        }
        h
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Headers {}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// A request ready for the wire, with the stages that produced its signatures.
///
/// `Debug` masks every secret credential, every value derived from one without a one-way digest
/// (HTTP Basic, bearer tokens, fields filled `from: cred:<secret>`) and every `sensitive` field, in
/// the URL, headers, body and stages, as `«name»`.
#[derive(Clone, PartialEq)]
pub struct SignedRequest {
    /// HTTP method (`POST`).
    pub method: &'static str,
    /// Full URL: the environment's base URL, the path with path fields filled in (percent-encoded),
    /// and the form-encoded query string with any query-placed signature.
    pub url: String,
    /// Headers in order: the operation's constant headers, header fields, header-placed values, and a
    /// `Content-Type` for JSON and form bodies unless the spec sets one.
    pub headers: Headers,
    /// The body, with body-placed signatures.
    pub body: Body,
    /// One entry per recipe applied (`sign` first, then `auth:<name>`).
    pub stages: Vec<Stages>,
    /// What `Debug` and [`to_json_masked`](Self::to_json_masked) mask; set with
    /// [`redacted_by`](Self::redacted_by).
    pub redactor: Redactor,
}

impl SignedRequest {
    /// The stages of the recipe named `recipe` (`sign`, `auth:<name>`).
    pub fn stage(&self, recipe: &str) -> Option<&Stages> {
        self.stages.iter().find(|s| s.recipe == recipe)
    }

    /// Attach the run's redactor to the request and every stage.
    pub fn redacted_by(mut self, redactor: Redactor) -> Self {
        for st in &mut self.stages {
            st.seal(&redactor);
        }
        self.redactor = redactor;
        self
    }

    /// [`to_json`](Self::to_json) with every secret value, in every derived form, replaced by
    /// `«name»` (what `payspec sign` prints without `--reveal-secrets`). Not usable on the wire.
    pub fn to_json_masked(&self) -> serde_json::Value {
        self.redactor.mask_json_secrets(&self.to_json())
    }

    /// The CLI's JSON form: `{"method", "url", "headers", "body", "string_to_sign"}`
    /// (`string_to_sign` of the `sign` recipe, else of the first recipe, else null).
    pub fn to_json(&self) -> serde_json::Value {
        let sts = self.stage("sign").or(self.stages.first()).map(|s| s.string_to_sign.0.clone());
        serde_json::json!({
            "method": self.method,
            "url": self.url,
            "headers": self.headers,
            "body": self.body.to_json(),
            "string_to_sign": sts,
        })
    }
}

/// A callback or response whose signature checked out.
///
/// `Debug` masks secret values (in the payload too) with the stages' redactor.
#[derive(Clone, PartialEq)]
pub struct Verified {
    /// The payload with encoded fields decoded (base64 → JSON, …).
    pub payload: serde_json::Value,
    /// The check's stages: the recomputed string to sign (and digest), and the received signature.
    pub stages: Stages,
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("payload", &self.stages.redactor().mask_json(&self.payload))
            .field("stages", &self.stages)
            .finish()
    }
}

impl Stages {
    /// True when the value is credential material (no digest: HTTP Basic, a bearer token).
    pub fn is_credential(&self) -> bool {
        self.digest.is_none()
    }
}

impl fmt::Debug for Stages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stages")
            .field("recipe", &self.recipe)
            .field("string_to_sign", &self.string_to_sign)
            .field("digest", &self.digest)
            .field("signature", &self.signature)
            .field("placed", &self.placed)
            .finish()
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.redactor;
        let headers = Headers(self.headers.0.iter().map(|(k, v)| (Cow::Owned(r.mask(k)), r.mask(v))).collect());
        let body = match &self.body {
            Body::None => Body::None,
            Body::Json(v) => Body::Json(r.mask_json(v)),
            Body::Form(s) => Body::Form(r.mask(s)),
        };
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &r.mask(&self.url))
            .field("headers", &headers)
            .field("body", &body)
            .field("stages", &self.stages)
            .field("redactor", &self.redactor)
            .finish()
    }
}
