//! The named intermediates of signing: string to sign, digest, signature, signed wire request.
//!
//! Each carries the [`Redactor`] of the run that made it: `Debug` and `Display` show secret
//! credentials, values derived from them and `sensitive` fields as `«name»`; the public fields hold
//! the exact values for the wire.

use crate::redact::Redactor;
use indexmap::IndexMap;
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
    /// `sign`, `auth:<name>`, `verify` or `recipe:<name>`.
    pub recipe: String,
    /// The message: the digest's input, or the value itself when the recipe has no digest.
    pub string_to_sign: StringToSign,
    /// Absent for recipes without a digest (HTTP Basic, bearer tokens).
    pub digest: Option<DigestBytes>,
    /// The encoded value (after `encode:`, before any header template). When verifying: the received
    /// value.
    pub signature: SignatureValue,
    /// Where the value went: `body.mac`, `query.signature`, `header.Authorization`.
    pub placed: String,
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

/// A request ready for the wire, with the stages that produced its signatures.
///
/// `Debug` masks every secret credential, every value derived from one without a one-way digest
/// (HTTP Basic, bearer tokens, fields filled `from: cred:<secret>`) and every `sensitive` field, in
/// the URL, headers, body and stages, as `«name»`.
#[derive(Clone, PartialEq)]
pub struct SignedRequest {
    /// HTTP method (`POST`).
    pub method: String,
    /// Full URL: the environment's base URL, the path with path fields filled in (percent-encoded),
    /// and the form-encoded query string with any query-placed signature.
    pub url: String,
    /// Headers in order: the operation's constant headers, header fields, header-placed values, and a
    /// `Content-Type` for JSON and form bodies unless the spec sets one.
    pub headers: IndexMap<String, String>,
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
        let headers: IndexMap<String, String> = self.headers.iter().map(|(k, v)| (r.mask(k), r.mask(v))).collect();
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
