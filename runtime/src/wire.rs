//! The named intermediates of signing: string to sign, digest, signature, signed wire request.

use indexmap::IndexMap;
use std::fmt;

/// The canonical string a recipe signs.
#[derive(Clone, PartialEq, Eq)]
pub struct StringToSign(pub String);

/// Raw digest / MAC / signature bytes, before encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestBytes(pub Vec<u8>);

/// The encoded value a recipe places (hex MAC, base64 signature, JWT segment, Basic credentials).
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureValue(pub String);

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StringToSign({:?})", self.0)
    }
}
impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
        write!(f, "SignatureValue({:?})", self.0)
    }
}
impl fmt::Display for SignatureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every stage of one recipe run.
///
/// `Debug` redacts the string to sign and the value of recipes without a digest (HTTP Basic, bearer
/// tokens): there they are credential material, not a signature.
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
    /// Multi-line description with secret credential values masked as `«name»`.
    pub fn explain<'a>(&self, secrets: impl IntoIterator<Item = (&'a str, String)>) -> String {
        let secrets: Vec<_> = secrets.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let mask =
            |s: &str| secrets.iter().fold(s.to_string(), |acc, (n, v)| acc.replace(v.as_str(), &format!("«{n}»")));
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
/// `Debug` redacts headers that carry credential material (placed by a recipe without a digest).
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
}

impl SignedRequest {
    /// The stages of the recipe named `recipe` (`sign`, `auth:<name>`).
    pub fn stage(&self, recipe: &str) -> Option<&Stages> {
        self.stages.iter().find(|s| s.recipe == recipe)
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
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The payload with encoded fields decoded (base64 → JSON, …).
    pub payload: serde_json::Value,
    /// The check's stages: the recomputed string to sign (and digest), and the received signature.
    pub stages: Stages,
}

impl Stages {
    /// True when the value is credential material (no digest: HTTP Basic, a bearer token).
    pub fn is_credential(&self) -> bool {
        self.digest.is_none()
    }
}

impl fmt::Debug for Stages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Stages");
        d.field("recipe", &self.recipe);
        if self.is_credential() {
            d.field("string_to_sign", &"[REDACTED]").field("digest", &self.digest).field("signature", &"[REDACTED]");
        } else {
            d.field("string_to_sign", &self.string_to_sign)
                .field("digest", &self.digest)
                .field("signature", &self.signature);
        }
        d.field("placed", &self.placed).finish()
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |name: &str| {
            self.stages.iter().any(|s| {
                s.is_credential() && s.placed.strip_prefix("header.").is_some_and(|h| h.eq_ignore_ascii_case(name))
            })
        };
        let headers: IndexMap<&str, &str> =
            self.headers.iter().map(|(k, v)| (k.as_str(), if secret(k) { "[REDACTED]" } else { v.as_str() })).collect();
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("stages", &self.stages)
            .finish()
    }
}
