//! The spec language as Rust types. `SPEC.md` at the repository root documents the YAML surface.
//!
//! Every type deserializes from YAML with `deny_unknown_fields`; shorthand strings (an [`Item`] such
//! as `cred:key1`, a [`Place`] such as `body.mac`) are parsed by `TryFrom<String>` so a bad one is a
//! serde error at its own position.

use indexmap::IndexMap;
#[cfg(feature = "load")]
use serde::Deserialize;
use std::fmt;

/// One provider: the whole truth about its API, loaded from `specs/<provider>.yaml`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Spec {
    /// Machine name; also the generated module name (`[a-z][a-z0-9_]*`).
    pub provider: String,
    /// Human name.
    pub title: String,
    /// Documentation URL.
    #[cfg_attr(feature = "load", serde(default))]
    pub docs: Option<String>,
    /// Free text, copied into the generated module's documentation.
    #[cfg_attr(feature = "load", serde(default))]
    pub about: Option<String>,
    /// Environment name (`sandbox`, `production`) → host name → base URL.
    pub environments: IndexMap<String, Hosts>,
    /// Credential name → definition.
    pub credentials: IndexMap<String, Credential>,
    /// Shared recipes (authentication schemes) referenced by name from operations.
    #[cfg_attr(feature = "load", serde(default))]
    pub recipes: IndexMap<String, Recipe>,
    /// Shared status tables referenced by name.
    #[cfg_attr(feature = "load", serde(default))]
    pub status_tables: IndexMap<String, StatusTable>,
    /// Operation name → definition.
    pub operations: IndexMap<String, Operation>,
    /// Callback (IPN / webhook) name → definition.
    #[cfg_attr(feature = "load", serde(default))]
    pub callbacks: IndexMap<String, Callback>,
    /// Business rules (refund policy) as data. Lint checks `idempotency_key`; the rest documents the
    /// provider's policy for spec readers and for a provider-side simulator, which this workspace does
    /// not have yet.
    #[cfg_attr(feature = "load", serde(default))]
    pub rules: Option<Rules>,
    /// Where the spec was loaded from, for error locations.
    #[cfg_attr(feature = "load", serde(skip))]
    pub origin: Origin,
}

/// Source file and node positions of a loaded spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    /// Name the spec was loaded under (the `file` argument of [`load_str`](crate::load_str)); empty for
    /// a spec built in code, and then [`Spec::locate`] names the provider instead.
    pub file: String,
    /// Dotted node path (`operations.refund.sign`) → 1-based (line, column).
    pub positions: std::collections::HashMap<String, (usize, usize)>,
}

impl Spec {
    /// `file:line:col path` of a node, for runtime errors that point back into the spec.
    pub fn locate(&self, path: &str) -> String {
        match self.origin.positions.get(path) {
            Some((line, col)) => format!("{}:{line}:{col}: {path}", self.origin.file),
            None if self.origin.file.is_empty() => format!("{}: {path}", self.provider),
            None => format!("{}: {path}", self.origin.file),
        }
    }
}

/// A number as a spec writes it (`min`, `max`, `min_amount`): an integer or a float, shown as
/// serde_yaml shows it (`10`, `-5`, `1.5`, `.inf`, `.nan`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(NumberRepr);

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberRepr {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

impl Number {
    /// The value as an `i64`, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            NumberRepr::PosInt(n) => i64::try_from(n).ok(),
            NumberRepr::NegInt(n) => Some(n),
            NumberRepr::Float(_) => None,
        }
    }

    /// The value as an `f64` (integers converted, perhaps rounded).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match self.0 {
            NumberRepr::PosInt(n) => n as f64,
            NumberRepr::NegInt(n) => n as f64,
            NumberRepr::Float(f) => f,
        })
    }

    /// Neither infinite nor NaN.
    pub fn is_finite(&self) -> bool {
        !matches!(self.0, NumberRepr::Float(f) if !f.is_finite())
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number(if n < 0 { NumberRepr::NegInt(n) } else { NumberRepr::PosInt(n as u64) })
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(NumberRepr::PosInt(n))
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number(NumberRepr::Float(f))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            NumberRepr::PosInt(n) => write!(f, "{n}"),
            NumberRepr::NegInt(n) => write!(f, "{n}"),
            NumberRepr::Float(x) if x.is_nan() => f.write_str(".nan"),
            NumberRepr::Float(x) if x.is_infinite() => f.write_str(if x < 0.0 { "-.inf" } else { ".inf" }),
            NumberRepr::Float(x) => f.write_str(ryu::Buffer::new().format_finite(x)),
        }
    }
}

/// Read through serde_yaml's own number, so messages stay serde_yaml's ("expected a number").
#[cfg(feature = "load")]
impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_yaml::Number::deserialize(d)?;
        Ok(if let Some(u) = n.as_u64() {
            Number::from(u)
        } else if let Some(i) = n.as_i64() {
            Number::from(i)
        } else {
            Number::from(n.as_f64().unwrap_or(f64::NAN))
        })
    }
}

/// Base URLs of one environment: a single URL (host `api`) or named hosts.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(untagged))]
pub enum Hosts {
    /// `sandbox: https://…` — shorthand for `{ api: https://… }`.
    One(String),
    /// `sandbox: { api: https://…, v1: https://… }`.
    Named(IndexMap<String, String>),
}

impl Hosts {
    /// Base URL of `host` in this environment.
    pub fn get(&self, host: &str) -> Option<&str> {
        match self {
            Hosts::One(url) => (host == DEFAULT_HOST).then_some(url.as_str()),
            Hosts::Named(map) => map.get(host).map(String::as_str),
        }
    }
}

/// The host an operation uses when it names none.
pub const DEFAULT_HOST: &str = "api";

/// A credential the merchant holds.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Credential {
    /// Value type (`type:`, default `string`).
    #[cfg_attr(feature = "load", serde(default, rename = "type"))]
    pub kind: CredentialKind,
    /// Secret values are redacted in `Debug` and never printed.
    #[cfg_attr(feature = "load", serde(default))]
    pub secret: bool,
    /// May be absent (e.g. a token obtained at run time).
    #[cfg_attr(feature = "load", serde(default))]
    pub optional: bool,
    /// What the credential is for; becomes the doc comment of the generated credentials field.
    #[cfg_attr(feature = "load", serde(default))]
    pub doc: Option<String>,
}

/// Value type of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum CredentialKind {
    /// Text (default).
    #[default]
    String,
    /// A whole number; a credentials file may give it as a JSON number or a numeric string. Rendered
    /// as a JSON number in JWT claims.
    Integer,
    /// RSA private key, PEM text (PKCS#1 or PKCS#8).
    PrivateKeyPem,
    /// RSA public key, PEM text (SPKI or PKCS#1).
    PublicKeyPem,
}

/// Where a claim comes from: published by the provider, or inferred.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Provenance {
    /// URL or `owner/repo:path`.
    pub source: String,
    /// How directly `source` supports the claim.
    pub confidence: Confidence,
}

/// Confidence labels of the provider references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "kebab-case"))]
pub enum Confidence {
    /// `official-doc`: the provider's own documentation.
    OfficialDoc,
    /// `official-sdk`: the provider's official SDK or sample code.
    OfficialSdk,
    /// `third-party`: someone else's SDK, plugin or transcription.
    ThirdParty,
    /// `inferred`: deduced (e.g. from the platform the provider re-brands), not stated by any source.
    Inferred,
}

/// An API operation (one HTTP request/response exchange).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Operation {
    /// What the operation does; becomes the doc comment of the generated signer.
    #[cfg_attr(feature = "load", serde(default))]
    pub doc: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Path after the base URL; `{name}` segments are `in: path` fields.
    pub path: String,
    /// Named host of the environment (default `api`).
    #[cfg_attr(feature = "load", serde(default))]
    pub host: Option<String>,
    /// Body encoding.
    #[cfg_attr(feature = "load", serde(default))]
    pub body: BodyEncoding,
    /// Constant headers sent with every request.
    #[cfg_attr(feature = "load", serde(default))]
    pub headers: IndexMap<String, String>,
    /// Request fields by wire name, in wire order.
    #[cfg_attr(feature = "load", serde(default))]
    pub request: IndexMap<String, Field>,
    /// Groups of fields of which exactly one must be present.
    #[cfg_attr(feature = "load", serde(default))]
    pub one_of: Vec<Vec<String>>,
    /// Groups of fields of which at least one must be present (any number of them may be).
    #[cfg_attr(feature = "load", serde(default))]
    pub any_of: Vec<Vec<String>>,
    /// Groups of fields that are present together or not at all.
    #[cfg_attr(feature = "load", serde(default))]
    pub all_or_none: Vec<Vec<String>>,
    /// An optional request field given as empty text (`""`) is treated as absent: left out of the
    /// body, query and headers and of every signature (PHP SDKs drop empty values before sending).
    #[cfg_attr(feature = "load", serde(default))]
    pub omit_empty: bool,
    /// Name of a shared recipe (under `recipes:`) applied after `sign`, e.g. a JWT header.
    #[cfg_attr(feature = "load", serde(default))]
    pub auth: Option<String>,
    /// The request signature.
    #[cfg_attr(feature = "load", serde(default))]
    pub sign: Option<Recipe>,
    /// The response: its fields, signature check and status table. `None` = not modelled (no typed
    /// response, nothing to verify or map to an outcome).
    #[cfg_attr(feature = "load", serde(default))]
    pub response: Option<Response>,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
pub enum Method {
    /// `GET`.
    GET,
    /// `POST`.
    POST,
    /// `PUT`.
    PUT,
    /// `DELETE`.
    DELETE,
}

impl Method {
    /// The method as written in the request line (`"POST"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
        }
    }
}

/// How request fields become the HTTP body: `json`, `form`, `none` or `{ envelope: <payload field> }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BodyEncoding {
    /// JSON object of the body fields, in spec order.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// No body.
    None,
    /// `{"<payload>": "<JSON text of the body fields>", …signature field…}`: the fields are serialized
    /// once to JSON text, which is signed as is and sent as a string inside an outer JSON object.
    Envelope(String),
}

/// One field of a request, response or callback.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Field {
    /// Value type (`type:`).
    #[cfg_attr(feature = "load", serde(rename = "type"))]
    pub ty: FieldType,
    /// Must be present: in a request after `from:` defaults are applied; in a received payload,
    /// present and not `null`.
    #[cfg_attr(feature = "load", serde(default))]
    pub required: bool,
    /// Where the field travels (requests only).
    #[cfg_attr(feature = "load", serde(default, rename = "in"))]
    pub location: Location,
    /// Maximum length of a string value, in characters (not bytes), inclusive.
    #[cfg_attr(feature = "load", serde(default))]
    pub max_len: Option<usize>,
    /// Minimum length of a string value, in characters (not bytes), inclusive.
    #[cfg_attr(feature = "load", serde(default))]
    pub min_len: Option<usize>,
    /// Minimum numeric value (integer or decimal, as text).
    #[cfg_attr(feature = "load", serde(default))]
    pub min: Option<Number>,
    /// Maximum numeric value, inclusive (integer or decimal).
    #[cfg_attr(feature = "load", serde(default))]
    pub max: Option<Number>,
    /// Regular expression the whole value must match.
    #[cfg_attr(feature = "load", serde(default))]
    pub pattern: Option<String>,
    /// Allowed values; a Rust enum is generated for string fields.
    #[cfg_attr(feature = "load", serde(default, rename = "enum"))]
    pub values: Vec<String>,
    /// Fills the field when the caller leaves it out: `cred:<name>`, `ctx:now_s`, `ctx:now_ms`, `lit:<text>`.
    #[cfg_attr(feature = "load", serde(default))]
    pub from: Option<Item>,
    /// Personal data: redacted in `Debug`.
    #[cfg_attr(feature = "load", serde(default))]
    pub sensitive: bool,
    /// What the field is; becomes the doc comment of the generated struct field.
    #[cfg_attr(feature = "load", serde(default))]
    pub doc: Option<String>,
    /// Sub-fields of an `object` field.
    #[cfg_attr(feature = "load", serde(default))]
    pub fields: IndexMap<String, Field>,
}

/// Value type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum FieldType {
    /// Text.
    String,
    /// A whole number (a JSON integer).
    Integer,
    /// Exact decimal amount; its text is kept byte for byte.
    Decimal,
    /// `true` / `false`; signed as that text.
    Bool,
    /// Nested object with `fields:`.
    Object,
    /// A string that holds JSON text (signed and sent exactly as given).
    JsonText,
    /// A string or an integer, sent as given (providers that accept both).
    Scalar,
}

impl FieldType {
    /// The type as messages name it: "an integer", "a decimal amount".
    pub fn described(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Integer => "an integer",
            FieldType::Decimal => "a decimal amount",
            FieldType::Bool => "a boolean",
            FieldType::Object => "an object",
            FieldType::JsonText => "a string of JSON text",
            FieldType::Scalar => "a string or an integer",
        }
    }
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum Location {
    /// In the body (default), encoded as the operation's `body:` says.
    #[default]
    Body,
    /// A query-string parameter (form-encoded).
    Query,
    /// Substituted for `{name}` in the operation's path, percent-encoded as one path segment.
    Path,
    /// An HTTP header named after the field.
    Header,
}

/// A response: its fields, an optional signature check and the status table that maps it to an outcome.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Response {
    /// Response fields by wire name; checked when a response is verified, and the typed response
    /// struct is generated from them.
    #[cfg_attr(feature = "load", serde(default))]
    pub fields: IndexMap<String, Field>,
    /// Signature the provider puts on its responses.
    #[cfg_attr(feature = "load", serde(default))]
    pub verify: Option<Recipe>,
    /// Status table: a name under `status_tables:` or inline. For an [`array`](Self::array)
    /// response it is looked up once per row.
    #[cfg_attr(feature = "load", serde(default))]
    pub status: Option<StatusRef>,
    /// The body is a JSON array of objects (rows) with these `fields`, not one object: the typed
    /// response is a `Vec` of rows and the status table is looked up once per row.
    #[cfg_attr(feature = "load", serde(default))]
    pub array: bool,
    /// The response signature applies only when these received fields hold one of the listed
    /// values (all conditions together); otherwise the body is unsigned by the spec
    /// (`VerifyError::Unsigned`), e.g. `signed_when: { errorCode: [0] }`.
    #[cfg_attr(feature = "load", serde(default))]
    pub signed_when: IndexMap<String, Vec<CodeValue>>,
    /// Another body shape the provider answers with on error HTTP statuses.
    #[cfg_attr(feature = "load", serde(default))]
    pub error: Option<ErrorShape>,
}

/// An error envelope: the body the provider sends with the HTTP statuses listed in `http`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct ErrorShape {
    /// HTTP statuses that select this shape: exact (`"400"`, `404`) or a class (`"4xx"`, `"5xx"`).
    pub http: Vec<CodeValue>,
    /// Fields of the error body (a JSON object).
    #[cfg_attr(feature = "load", serde(default))]
    pub fields: IndexMap<String, Field>,
    /// Status table of error bodies: a name under `status_tables:` or inline.
    #[cfg_attr(feature = "load", serde(default))]
    pub status: Option<StatusRef>,
}

impl ErrorShape {
    /// Whether HTTP status `http` selects this shape.
    pub fn selected_by(&self, http: u16) -> bool {
        let text = http.to_string();
        self.http.iter().any(|v| code_matches(&v.text(), Some(&text)))
    }
}

impl Response {
    /// The error shape HTTP status `http` selects, if any (`None`: the success shape).
    pub fn error_for(&self, http: Option<u16>) -> Option<&ErrorShape> {
        self.error.as_ref().filter(|e| http.is_some_and(|h| e.selected_by(h)))
    }
}

/// The status-table pseudo-field that reads the HTTP status of the response (absent when none is
/// given): `fields: [http:status, errorCode]`.
pub const HTTP_STATUS: &str = "http:status";

/// Whether `text` is an HTTP status class (`1xx` … `5xx`).
pub fn is_http_class(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1] == b'x' && b[2] == b'x'
}

/// Whether `text` is an exact HTTP status (`100` … `599`).
pub fn is_http_code(text: &str) -> bool {
    text.len() == 3
        && text.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n))
        && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a status row's `when` value `want` matches the received code `got` (`None` = absent):
/// `"*"` matches anything (absence too), an HTTP class (`4xx`, only valid in the [`HTTP_STATUS`]
/// column) any three-digit code of that class, anything else the same text.
pub fn code_matches(want: &str, got: Option<&str>) -> bool {
    if want == "*" {
        return true;
    }
    let Some(got) = got else { return false };
    if is_http_class(want) {
        return got.len() == 3 && got.as_bytes()[0] == want.as_bytes()[0] && got.bytes().all(|b| b.is_ascii_digit());
    }
    got == want
}

/// A callback (IPN / webhook) the provider sends to the merchant.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Callback {
    /// What the callback reports; becomes the doc comment of the generated verifier.
    #[cfg_attr(feature = "load", serde(default))]
    pub doc: Option<String>,
    /// How the payload arrives.
    #[cfg_attr(feature = "load", serde(default))]
    pub encoding: PayloadEncoding,
    /// Fields of the received payload.
    pub fields: IndexMap<String, Field>,
    /// How its signature is checked.
    pub verify: Recipe,
    /// Field → decode steps applied after verification (e.g. `[base64, json]`).
    #[cfg_attr(feature = "load", serde(default))]
    pub decode: IndexMap<String, Vec<DecodeStep>>,
    /// Replies the provider expects, by situation (`ok`, `bad_signature`, `error`).
    #[cfg_attr(feature = "load", serde(default))]
    pub reply: IndexMap<String, serde_json::Value>,
    /// Status table that maps the payload to an outcome: a name under `status_tables:` or inline.
    #[cfg_attr(feature = "load", serde(default))]
    pub status: Option<StatusRef>,
}

/// Encoding of a received callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum PayloadEncoding {
    /// A JSON object (default); field types are checked strictly.
    #[default]
    Json,
    /// An `application/x-www-form-urlencoded` body: values arrive as text, so integers and booleans
    /// are accepted in their text form.
    Form,
    /// Query-string parameters (e.g. a redirect to the merchant's return URL); values are text, as
    /// with [`Form`](PayloadEncoding::Form).
    Query,
}

/// One decode step of a callback field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum DecodeStep {
    /// Standard or URL-safe base64, padded or not.
    Base64,
    /// Parse JSON text.
    Json,
}

/// A signature recipe, as named stages: message (select + canonicalise) → digest → encode → place.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Recipe {
    /// What the recipe is for; shown in the generated docs.
    #[cfg_attr(feature = "load", serde(default))]
    pub doc: Option<String>,
    /// Where the recipe comes from. Optional here so a spec without it still loads; validation
    /// (`payspec lint`) reports it as an error.
    #[cfg_attr(feature = "load", serde(default))]
    pub provenance: Option<Provenance>,
    /// The canonical string (string to sign).
    pub message: Message,
    /// Absent: the message itself is the value (e.g. HTTP Basic, a bearer token).
    #[cfg_attr(feature = "load", serde(default))]
    pub digest: Option<Digest>,
    /// Text encoding of the digest; required with a digest.
    #[cfg_attr(feature = "load", serde(default))]
    pub encode: Option<Encoding>,
    /// Where the value goes (or, when verifying, where it is read from).
    pub place: Place,
}

/// How the string to sign is built.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(try_from = "serde_yaml::Value"))]
pub enum Message {
    /// One value: `message: data` or `message: { value: cred:access_token }`.
    Value(Item),
    /// Parts joined with a separator (`concat` is `join: ""`).
    Join {
        /// Between present parts (`""` for `concat`).
        sep: String,
        /// The parts, in order.
        parts: Vec<Part>,
    },
    /// `key=value` pairs.
    Pairs(Pairs),
    /// JWT signing input: `base64url(header) "." base64url(claims)`.
    Jwt(Jwt),
}

/// A part of a `join`: a value, or a nested message; `optional` parts drop out (with their separator)
/// when absent or empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part's value: an item ([`Message::Value`]) or a nested message.
    pub message: Message,
    /// Drop the part, with its separator, when it is absent or renders empty (an item's trailing
    /// `?`, or `optional: true` on a nested message).
    pub optional: bool,
}

/// `key=value` pairs over fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Pairs {
    /// Explicit items (key = last path segment unless `key:` is given). Absent: every body field
    /// of the request (or every received field of a callback) except the signature field.
    #[cfg_attr(feature = "load", serde(default))]
    pub items: Option<Vec<Item>>,
    /// Sort by key (byte order).
    #[cfg_attr(feature = "load", serde(default))]
    pub sort: bool,
    /// Between pairs (default `&`).
    #[cfg_attr(feature = "load", serde(default = "default_amp"))]
    pub sep: String,
    /// Between key and value (default `=`).
    #[cfg_attr(feature = "load", serde(default = "default_eq"))]
    pub kv: String,
    /// How values are encoded (default `raw`); keys are never encoded.
    #[cfg_attr(feature = "load", serde(default))]
    pub encode: PairEncoding,
    /// Leave out pairs whose value is absent, null or empty.
    #[cfg_attr(feature = "load", serde(default))]
    pub omit_empty: bool,
    /// Field names left out of the every-field form (only allowed without `items`).
    #[cfg_attr(feature = "load", serde(default))]
    pub exclude: Vec<String>,
}

#[cfg(feature = "load")]
fn default_amp() -> String {
    "&".into()
}
#[cfg(feature = "load")]
fn default_eq() -> String {
    "=".into()
}

/// Value encoding inside pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum PairEncoding {
    /// Values as they are.
    #[default]
    Raw,
    /// PHP `http_build_query` / `urlencode`: RFC 1738, space → `+`, everything but `A-Za-z0-9-_.` as `%XX`.
    Form,
}

/// JWT header extras and claims.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Jwt {
    /// Header members after `typ` and `alg` (e.g. `cty`), in order.
    #[cfg_attr(feature = "load", serde(default))]
    pub header: IndexMap<String, Item>,
    /// Claims in order.
    pub claims: IndexMap<String, Item>,
}

/// A value inside a recipe: a field, a credential, a context value, a literal or a template.
///
/// Shorthand strings: `amount`, `data.amount` (field path), `cred:key1`, `ctx:now_s`, `lit:text`,
/// and a trailing `?` marks it optional. The map form adds `key`, `pad_left`, `add`, `template`.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Where the value comes from.
    pub source: Source,
    /// Absent value drops out instead of being an error.
    pub optional: bool,
    /// Pair key override (default: last path segment / credential name).
    pub key: Option<String>,
    /// Left-pad to this width.
    pub pad_left: Option<PadLeft>,
    /// Integer offset added to a numeric value (e.g. `exp = now + 300`).
    pub add: Option<i64>,
}

/// Left padding of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
pub struct PadLeft {
    /// Target width in characters (`pad_left:`); longer values are refused (a signing error, or a
    /// malformed received payload), never signed as they are.
    pub width: usize,
    /// Padding character (`pad_char:`, default `0`).
    pub fill: char,
}

/// Where an [`Item`] takes its value from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A request / payload field by wire-name path (`data.amount`).
    Field(Vec<String>),
    /// A credential by spec name (`cred:key1`).
    Credential(String),
    /// A value known when signing (`ctx:now_s`).
    Context(Context),
    /// Literal text (`lit:text`; YAML numbers and booleans are literals too).
    Literal(String),
    /// Text with `{item}` placeholders, e.g. `"{cred:api_key}-{ctx:now_s}"`.
    Template(String),
}

/// Values known when a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// HTTP method.
    Method,
    /// Full URL: base + path (+ query string).
    Url,
    /// Path after the base URL.
    Path,
    /// Clock, unix seconds.
    NowS,
    /// Clock, unix milliseconds.
    NowMs,
    /// Exact JSON text of the body fields (the envelope payload / the JSON body).
    Payload,
}

impl Context {
    /// Every context with its spec name (the part after `ctx:`).
    pub const ALL: [(&'static str, Context); 6] = [
        ("method", Context::Method),
        ("url", Context::Url),
        ("path", Context::Path),
        ("now_s", Context::NowS),
        ("now_ms", Context::NowMs),
        ("payload", Context::Payload),
    ];
    /// The spec name, without `ctx:` (`now_s`).
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, c)| *c == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

/// Digest stage.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Digest {
    /// Algorithm.
    pub alg: DigestAlg,
    /// HMAC key, or RSA private key for signing.
    #[cfg_attr(feature = "load", serde(default))]
    pub key: Option<Item>,
    /// RSA public key for verifying.
    #[cfg_attr(feature = "load", serde(default))]
    pub public_key: Option<Item>,
}

/// Digest algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "kebab-case"))]
pub enum DigestAlg {
    /// HMAC-SHA256 keyed with `key`.
    HmacSha256,
    /// HMAC-SHA512 keyed with `key`.
    HmacSha512,
    /// SHA-256 of the message; no key (the secret, if any, is part of the message).
    Sha256,
    /// MD5 of the message; no key (only where a provider requires it).
    Md5,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaSha256,
}

impl DigestAlg {
    /// The spec's name (`hmac-sha256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::HmacSha256 => "hmac-sha256",
            DigestAlg::HmacSha512 => "hmac-sha512",
            DigestAlg::Sha256 => "sha256",
            DigestAlg::Md5 => "md5",
            DigestAlg::RsaSha256 => "rsa-sha256",
        }
    }
    /// Whether the algorithm is an HMAC (and so needs `key`).
    pub fn is_hmac(self) -> bool {
        matches!(self, DigestAlg::HmacSha256 | DigestAlg::HmacSha512)
    }
}

/// Encode stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
pub enum Encoding {
    /// Lowercase hex.
    #[cfg_attr(feature = "load", serde(rename = "hex"))]
    Hex,
    /// Uppercase hex.
    #[cfg_attr(feature = "load", serde(rename = "HEX"))]
    HexUpper,
    /// Standard base64, padded.
    #[cfg_attr(feature = "load", serde(rename = "base64"))]
    Base64,
    /// URL-safe base64 without padding (JWT).
    #[cfg_attr(feature = "load", serde(rename = "base64url"))]
    Base64Url,
}

impl Encoding {
    /// The spec's name (`hex`, `HEX`, `base64`, `base64url`).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::HexUpper => "HEX",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
        }
    }
}

impl Recipe {
    /// What the recipe produces, for messages: `the hmac-sha256 (hex)`.
    pub fn describe(&self) -> String {
        match (&self.digest, self.encode) {
            (Some(d), Some(e)) => format!("the {} ({})", d.alg.name(), e.name()),
            (Some(d), None) => format!("the {}", d.alg.name()),
            (None, Some(e)) => format!("the {} value", e.name()),
            (None, None) => "the value".into(),
        }
    }
}

/// Place stage: where the value goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// Body field (`body.mac`).
    Body(String),
    /// Query parameter (`query.signature`).
    Query(String),
    /// Header with a template over `{signature}`, `{message}` and items (`header.Authorization`).
    Header {
        /// Header name.
        name: String,
        /// The header value; `{signature}`, `{message}` and any item (`{cred:merchant_key}`) are
        /// substituted. `header.<name>` is the template `{signature}`.
        template: String,
    },
}

/// A status table: which fields, which codes, which outcome.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct StatusTable {
    /// Where the codes come from. Optional here so a spec without it still loads; validation reports it
    /// as an error.
    #[cfg_attr(feature = "load", serde(default))]
    pub provenance: Option<Provenance>,
    /// Field paths whose values (as text) form the code, e.g. `[return_code, sub_return_code]`.
    pub fields: Vec<String>,
    /// Rows, first match wins; `"*"` matches any value (and an absent one).
    pub codes: Vec<Code>,
}

/// A status table, by name or inline.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusRef {
    /// `status: <name>`: a table under `status_tables:`.
    Named(String),
    /// A table written in place.
    Inline(StatusTable),
}

/// One row of a status table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Code {
    /// One value per table field.
    #[cfg_attr(feature = "load", serde(rename = "when"))]
    pub values: Vec<CodeValue>,
    /// What the code means for the refund; absent in a diagnostic row (a code the provider names
    /// whose effect on the refund is not known): a match then has a name and meaning, no outcome.
    #[cfg_attr(feature = "load", serde(default))]
    pub outcome: Option<Outcome>,
    /// Symbolic name of the code (`ACCEPTED`), as the provider spells it.
    #[cfg_attr(feature = "load", serde(default))]
    pub name: Option<String>,
    /// What the code means and what to do about it, in words.
    pub meaning: String,
    /// Whether the caller may try again (default `false`).
    #[cfg_attr(feature = "load", serde(default))]
    pub retryable: bool,
}

/// A code value: number or text in YAML, compared as text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(untagged))]
pub enum CodeValue {
    /// A YAML number (`-13`).
    Int(i64),
    /// A YAML string; `"*"` is the wildcard.
    Text(String),
}

impl CodeValue {
    /// Whether this is `"*"`, which matches any value and an absent one.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, CodeValue::Text(t) if t == "*")
    }
    /// The value as the text it is compared as (`-13` → `"-13"`).
    pub fn text(&self) -> String {
        match self {
            CodeValue::Int(i) => i.to_string(),
            CodeValue::Text(t) => t.clone(),
        }
    }
}

/// What a status code means for a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(rename_all = "snake_case"))]
pub enum Outcome {
    /// The refund completed.
    Succeeded,
    /// The refund was created but ended unsuccessfully.
    Failed,
    /// Accepted, waiting for a manual or approval step.
    Pending,
    /// Accepted, automatic processing under way.
    Processing,
    /// The request itself was refused; no refund was created.
    Rejected,
    /// Unknown whether anything happened: query before retrying.
    Indeterminate,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
            Outcome::Processing => "processing",
            Outcome::Rejected => "rejected",
            Outcome::Indeterminate => "indeterminate",
        })
    }
}

/// Business rules.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
pub struct Rules {
    /// Where the rules come from.
    #[cfg_attr(feature = "load", serde(default))]
    pub provenance: Option<Provenance>,
    /// Partial refunds allowed.
    pub partial_refunds: bool,
    /// More than one refund per payment.
    pub multiple_refunds: bool,
    /// Total refunded ≤ amount paid.
    #[cfg_attr(feature = "load", serde(default = "yes"))]
    pub total_at_most_paid: bool,
    /// Minimum refund amount.
    #[cfg_attr(feature = "load", serde(default))]
    pub min_amount: Option<Number>,
    /// Refunds allowed this many days after payment.
    #[cfg_attr(feature = "load", serde(default))]
    pub refund_window_days: Option<u32>,
    /// A signed request older than this is refused.
    #[cfg_attr(feature = "load", serde(default))]
    pub max_request_age_seconds: Option<u32>,
    /// Refund operation field that identifies a refund (idempotency key).
    #[cfg_attr(feature = "load", serde(default))]
    pub idempotency_key: Option<String>,
    /// The refund result arrives asynchronously (poll or callback).
    #[cfg_attr(feature = "load", serde(default))]
    pub asynchronous: bool,
}

#[cfg(feature = "load")]
fn yes() -> bool {
    true
}

// ---- shorthand parsing -------------------------------------------------------------------------

impl TryFrom<&str> for Source {
    type Error = String;
    fn try_from(s: &str) -> Result<Self, String> {
        let ident = |v: &str| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if let Some(name) = s.strip_prefix("cred:") {
            return if ident(name) {
                Ok(Source::Credential(name.into()))
            } else if name.is_empty() {
                Err("no credential name after `cred:`".to_string())
            } else {
                Err(format!("bad credential name in `{s}` (letters, digits, `_`, `-`)"))
            };
        }
        if let Some(name) = s.strip_prefix("ctx:") {
            return Context::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| Source::Context(*c)).ok_or_else(|| {
                format!("unknown context `{name}`; expected one of method, url, path, now_s, now_ms, payload")
            });
        }
        if let Some(text) = s.strip_prefix("lit:") {
            return Ok(Source::Literal(text.into()));
        }
        if s.contains(':') {
            return Err(format!("unknown prefix in `{s}`; expected a field path or cred:, ctx:, lit:"));
        }
        let path: Vec<String> = s.split('.').map(String::from).collect();
        if path.iter().all(|p| ident(p)) {
            Ok(Source::Field(path))
        } else {
            Err(format!("`{s}` is not a field path (letters, digits, `_`, `-`, joined by `.`)"))
        }
    }
}

impl TryFrom<String> for Item {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let (body, optional) = match s.strip_suffix('?') {
            Some(b) => (b, true),
            None => (s.as_str(), false),
        };
        Ok(Item { source: Source::try_from(body)?, optional, key: None, pad_left: None, add: None })
    }
}

#[cfg(feature = "load")]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
struct ItemMap {
    #[cfg_attr(feature = "load", serde(default))]
    field: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    cred: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    ctx: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    lit: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    template: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    optional: bool,
    #[cfg_attr(feature = "load", serde(default))]
    key: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    pad_left: Option<usize>,
    #[cfg_attr(feature = "load", serde(default))]
    pad_char: Option<char>,
    #[cfg_attr(feature = "load", serde(default))]
    add: Option<i64>,
}

#[cfg(feature = "load")]
impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_yaml::Value::deserialize(d)?;
        match v {
            serde_yaml::Value::String(s) => Item::try_from(s).map_err(D::Error::custom),
            serde_yaml::Value::Number(n) => Ok(Item::literal(n.to_string())),
            serde_yaml::Value::Bool(b) => Ok(Item::literal(b.to_string())),
            serde_yaml::Value::Mapping(_) => {
                let m: ItemMap = serde_yaml::from_value(v).map_err(D::Error::custom)?;
                let mut sources = Vec::new();
                if let Some(f) = m.field {
                    sources.push(Source::try_from(f.as_str()).and_then(|s| match s {
                        Source::Field(_) => Ok(s),
                        _ => Err(format!("`field: {f}` must be a field path")),
                    }));
                }
                if let Some(c) = m.cred {
                    sources.push(Source::try_from(format!("cred:{c}").as_str()));
                }
                if let Some(c) = m.ctx {
                    sources.push(Source::try_from(format!("ctx:{c}").as_str()));
                }
                if let Some(l) = m.lit {
                    sources.push(Ok(Source::Literal(l)));
                }
                if let Some(t) = m.template {
                    sources.push(Ok(Source::Template(t)));
                }
                if sources.len() != 1 {
                    return Err(D::Error::custom(
                        "an item needs exactly one of `field`, `cred`, `ctx`, `lit`, `template`",
                    ));
                }
                let source = sources.pop().expect("one source").map_err(D::Error::custom)?;
                if m.pad_char.is_some() && m.pad_left.is_none() {
                    return Err(D::Error::custom("`pad_char` needs `pad_left`"));
                }
                Ok(Item {
                    source,
                    optional: m.optional,
                    key: m.key,
                    pad_left: m.pad_left.map(|width| PadLeft { width, fill: m.pad_char.unwrap_or('0') }),
                    add: m.add,
                })
            }
            other => Err(D::Error::custom(format!("expected an item (string or map), found {}", kind(&other)))),
        }
    }
}

impl Item {
    /// A literal text item.
    pub fn literal(text: impl Into<String>) -> Self {
        Item { source: Source::Literal(text.into()), optional: false, key: None, pad_left: None, add: None }
    }
    /// Key used when this item is a `key=value` pair.
    pub fn pair_key(&self) -> String {
        if let Some(k) = &self.key {
            return k.clone();
        }
        match &self.source {
            Source::Field(p) => p.last().cloned().unwrap_or_default(),
            Source::Credential(c) => c.clone(),
            Source::Context(c) => c.name().to_string(),
            Source::Literal(l) | Source::Template(l) => l.clone(),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Field(p) => write!(f, "{}", p.join("."))?,
            Source::Credential(c) => write!(f, "cred:{c}")?,
            Source::Context(c) => write!(f, "ctx:{}", c.name())?,
            Source::Literal(l) => write!(f, "lit:{l}")?,
            Source::Template(t) => write!(f, "template:{t}")?,
        }
        if self.optional {
            f.write_str("?")?;
        }
        Ok(())
    }
}

#[cfg(feature = "load")]
/// Name of a YAML value's kind, for messages.
pub fn kind(v: &serde_yaml::Value) -> &'static str {
    match v {
        serde_yaml::Value::Null => "null",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a map",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(feature = "load")]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
struct MessageMap {
    #[cfg_attr(feature = "load", serde(default))]
    value: Option<Item>,
    #[cfg_attr(feature = "load", serde(default))]
    join: Option<String>,
    #[cfg_attr(feature = "load", serde(default))]
    parts: Option<Vec<serde_yaml::Value>>,
    #[cfg_attr(feature = "load", serde(default))]
    concat: Option<Vec<serde_yaml::Value>>,
    #[cfg_attr(feature = "load", serde(default))]
    pairs: Option<Pairs>,
    #[cfg_attr(feature = "load", serde(default))]
    jwt: Option<Jwt>,
    #[cfg_attr(feature = "load", serde(default))]
    optional: bool,
}

#[cfg(feature = "load")]
fn part(v: serde_yaml::Value) -> Result<Part, String> {
    match v {
        serde_yaml::Value::Mapping(ref m)
            if !m.contains_key("field")
                && !m.contains_key("cred")
                && !m.contains_key("ctx")
                && !m.contains_key("lit")
                && !m.contains_key("template") =>
        {
            let optional = m.get("optional").and_then(|o| o.as_bool()).unwrap_or(false);
            Ok(Part { message: Message::try_from(v)?, optional })
        }
        other => {
            let item: Item = serde_yaml::from_value(other).map_err(|e| e.to_string())?;
            let optional = item.optional;
            Ok(Part { message: Message::Value(item), optional })
        }
    }
}

#[cfg(feature = "load")]
impl TryFrom<serde_yaml::Value> for Message {
    type Error = String;
    fn try_from(v: serde_yaml::Value) -> Result<Self, String> {
        match v {
            serde_yaml::Value::String(_) => Ok(Message::Value(serde_yaml::from_value(v).map_err(|e| e.to_string())?)),
            serde_yaml::Value::Mapping(_) => {
                let m: MessageMap = serde_yaml::from_value(v).map_err(|e| e.to_string())?;
                let parts = |list: Vec<serde_yaml::Value>| list.into_iter().map(part).collect::<Result<Vec<_>, _>>();
                let mut forms = Vec::new();
                if let Some(item) = m.value {
                    forms.push(Message::Value(item));
                }
                match (m.join, m.parts) {
                    (Some(sep), Some(list)) => forms.push(Message::Join { sep, parts: parts(list)? }),
                    (Some(_), None) => return Err("`join` needs `parts`".into()),
                    (None, Some(_)) => return Err("`parts` needs `join: <separator>`".into()),
                    (None, None) => {}
                }
                if let Some(list) = m.concat {
                    forms.push(Message::Join { sep: String::new(), parts: parts(list)? });
                }
                if let Some(p) = m.pairs {
                    forms.push(Message::Pairs(p));
                }
                if let Some(j) = m.jwt {
                    forms.push(Message::Jwt(j));
                }
                let _ = m.optional; // read by `part()` from the raw map; accepted here so nested parts may carry it
                match forms.len() {
                    1 => Ok(forms.pop().expect("one form")),
                    0 => Err("a message needs one of `value`, `join`+`parts`, `concat`, `pairs`, `jwt`".into()),
                    _ => Err("a message takes only one of `value`, `join`, `concat`, `pairs`, `jwt`".into()),
                }
            }
            other => Err(format!("expected a message (item string or map), found {}", kind(&other))),
        }
    }
}

#[cfg(feature = "load")]
#[cfg_attr(feature = "load", derive(Deserialize))]
#[cfg_attr(feature = "load", serde(deny_unknown_fields))]
struct HeaderPlace {
    header: String,
    #[cfg_attr(feature = "load", serde(default = "default_template"))]
    template: String,
}

#[cfg(feature = "load")]
fn default_template() -> String {
    "{signature}".into()
}

#[cfg(feature = "load")]
impl<'de> Deserialize<'de> for Place {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_yaml::Value::deserialize(d)?;
        match v {
            serde_yaml::Value::String(s) => match s.split_once('.') {
                Some(("body", f)) if !f.is_empty() => Ok(Place::Body(f.into())),
                Some(("query", f)) if !f.is_empty() => Ok(Place::Query(f.into())),
                Some(("header", h)) if !h.is_empty() => {
                    Ok(Place::Header { name: h.into(), template: default_template() })
                }
                _ => Err(D::Error::custom(format!(
                    "bad place `{s}`; expected body.<field>, query.<name>, header.<name> or {{ header, template }}"
                ))),
            },
            serde_yaml::Value::Mapping(_) => {
                let h: HeaderPlace = serde_yaml::from_value(v).map_err(D::Error::custom)?;
                Ok(Place::Header { name: h.header, template: h.template })
            }
            other => Err(D::Error::custom(format!("expected a place, found {}", kind(&other)))),
        }
    }
}

impl Place {
    /// The body field or query parameter that carries the value, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Place::Body(f) | Place::Query(f) => Some(f),
            Place::Header { .. } => None,
        }
    }
}

/// Whether `c` goes into a URL path segment as it is: RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`).
pub fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// Widest `pad_left:` lint accepts and the runtime pads to (wider is an error, never an allocation).
pub const MAX_PAD_LEFT: usize = 256;

/// Largest `|add:|` lint accepts: ten 365-day years in milliseconds (`ctx:now_ms` offsets included).
pub const MAX_ADD: i64 = 315_360_000_000;

impl Item {
    /// Whether this item, or a placeholder of its template, reads context value `c`.
    pub fn reads_context(&self, c: Context) -> bool {
        match &self.source {
            Source::Context(x) => *x == c,
            Source::Template(t) => template_reads_context(t, c),
            _ => false,
        }
    }
}

/// Whether a `{…}` placeholder of template `t` reads context value `c`.
fn template_reads_context(t: &str, c: Context) -> bool {
    t.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter_map(|name| Item::try_from(name.to_string()).ok())
        .any(|item| item.reads_context(c))
}

impl Message {
    /// Whether any item of the message reads context value `c`.
    pub fn reads_context(&self, c: Context) -> bool {
        match self {
            Message::Value(item) => item.reads_context(c),
            Message::Join { parts, .. } => parts.iter().any(|p| p.message.reads_context(c)),
            Message::Pairs(p) => p.items.iter().flatten().any(|i| i.reads_context(c)),
            Message::Jwt(j) => j.header.values().chain(j.claims.values()).any(|i| i.reads_context(c)),
        }
    }
}

impl Recipe {
    /// Whether the recipe (message, keys or header template) reads context value `c`.
    pub fn reads_context(&self, c: Context) -> bool {
        self.message.reads_context(c)
            || self.digest.iter().flat_map(|d| d.key.iter().chain(&d.public_key)).any(|i| i.reads_context(c))
            || matches!(&self.place, Place::Header { template, .. } if template_reads_context(template, c))
    }
}

impl Spec {
    /// Whether a recipe of operation `op` (`sign`, or its `auth` recipe) signs the URL or the path
    /// (`ctx:url`, `ctx:path`): then a path field's value is signed as it appears in the URL.
    pub fn signs_path(&self, op: &Operation) -> bool {
        op.sign
            .iter()
            .chain(op.auth.as_ref().and_then(|a| self.recipes.get(a)))
            .any(|r| r.reads_context(Context::Url) || r.reads_context(Context::Path))
    }

    /// Resolve a status reference to its table.
    pub fn status_table<'a>(&'a self, r: &'a StatusRef) -> Option<&'a StatusTable> {
        match r {
            StatusRef::Named(n) => self.status_tables.get(n),
            StatusRef::Inline(t) => Some(t),
        }
    }
}

impl StatusTable {
    /// First row matching `values` (one text per table field; `None` = absent).
    pub fn lookup(&self, values: &[Option<String>]) -> Option<&Code> {
        self.codes.iter().find(|c| {
            c.values.len() == values.len()
                && c.values.iter().zip(values).all(|(want, got)| code_matches(&want.text(), got.as_deref()))
        })
    }
}

#[cfg(feature = "load")]
impl<'de> Deserialize<'de> for BodyEncoding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_yaml::Value::deserialize(d)?;
        match &v {
            serde_yaml::Value::String(s) => match s.as_str() {
                "json" => Ok(BodyEncoding::Json),
                "form" => Ok(BodyEncoding::Form),
                "none" => Ok(BodyEncoding::None),
                other => Err(D::Error::custom(format!(
                    "unknown body encoding `{other}`; expected json, form, none or {{ envelope: <field> }}"
                ))),
            },
            serde_yaml::Value::Mapping(m) if m.len() == 1 => match (m.get("envelope"), m.keys().next()) {
                (Some(serde_yaml::Value::String(f)), _) => Ok(BodyEncoding::Envelope(f.clone())),
                (Some(other), _) => {
                    Err(D::Error::custom(format!("`envelope` takes the payload field name, found {}", kind(other))))
                }
                (None, key) => {
                    Err(D::Error::custom(format!("unknown body encoding {key:?}; expected {{ envelope: <field> }}")))
                }
            },
            other => Err(D::Error::custom(format!("expected a body encoding, found {}", kind(other)))),
        }
    }
}

#[cfg(feature = "load")]
impl<'de> Deserialize<'de> for StatusRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_yaml::Value::deserialize(d)?;
        match v {
            serde_yaml::Value::String(s) => Ok(StatusRef::Named(s)),
            serde_yaml::Value::Mapping(_) => serde_yaml::from_value(v).map(StatusRef::Inline).map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "expected a status table name or an inline table, found {}",
                kind(&other)
            ))),
        }
    }
}
