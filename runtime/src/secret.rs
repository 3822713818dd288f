//! Credentials: secret values are redacted in `Debug` and only exposed on purpose.

use indexmap::IndexMap;
use payspec_model::{CredentialKind, Spec};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A secret string (key, password, PEM private key). `Debug` prints `[REDACTED]`.
///
/// Cheap to clone: copies share one allocation, which is zeroized when the last copy drops. An RSA
/// private key held in a `Secret` is parsed and validated once, on first use, and the parsed key
/// lives exactly as long as the secret (see [`crypto::rsa_sha256_sign_secret`](crate::crypto::rsa_sha256_sign_secret)).
///
/// ```
/// use payspec::Secret;
/// let key = Secret::new("hunter2");
/// let copy = key.clone();
/// assert!(Secret::same(&key, &copy), "a clone shares the value, it does not copy it");
/// assert!(!Secret::same(&key, &Secret::new("hunter2")));
/// assert_eq!((copy.expose(), format!("{copy:?}").as_str()), ("hunter2", "[REDACTED]"));
/// ```
#[derive(Clone)]
pub struct Secret(Arc<SecretInner>);

struct SecretInner {
    /// Zeroized on drop (`secrecy`).
    value: SecretString,
    /// The value parsed as an RSA private key, per backend, filled on first RSA use.
    rsa: crate::crypto::PrivateKeyCache,
}

impl Secret {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::new(SecretInner {
            value: SecretString::from(value.into()),
            rsa: crate::crypto::PrivateKeyCache::default(),
        }))
    }
    /// A secret that also remembers the last few RSA signatures made with it (by backend and SHA-256
    /// of the message): signing the same message again returns the remembered bytes without a
    /// private-key operation. RSASSA-PKCS1-v1_5 is deterministic, so they are the bytes a new signature
    /// would have. For test harnesses that sign one message on several paths (`payspec check` runs the
    /// interpreter and generated code on every property case); [`Secret::new`] keeps nothing. Count
    /// the operations with [`crypto::rsa_private_key_operations`](crate::crypto::rsa_private_key_operations).
    pub fn with_signature_memo(value: impl Into<String>) -> Self {
        Secret(Arc::new(SecretInner {
            value: SecretString::from(value.into()),
            rsa: crate::crypto::PrivateKeyCache::memoizing(),
        }))
    }
    /// The secret value, for signing only.
    pub fn expose(&self) -> &str {
        self.0.value.expose_secret()
    }
    /// Whether `a` and `b` are copies of one secret (share its allocation and parsed keys).
    pub fn same(a: &Secret, b: &Secret) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
    /// The parsed-key cache of this secret.
    pub(crate) fn rsa_cache(&self) -> &crate::crypto::PrivateKeyCache {
        &self.0.rsa
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

/// A secret integer credential (`type: integer, secret: true`). `Debug` prints `[REDACTED]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretInteger(i64);

impl SecretInteger {
    /// Wrap a secret integer.
    pub fn new(value: i64) -> Self {
        SecretInteger(value)
    }
    /// The value, for signing only.
    pub fn expose(&self) -> i64 {
        self.0
    }
}

impl fmt::Debug for SecretInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<i64> for SecretInteger {
    fn from(v: i64) -> Self {
        SecretInteger(v)
    }
}

/// One credential value.
#[derive(Clone)]
pub enum CredentialValue {
    /// Text that is not secret (`secret: false`); printed as is by `Debug`.
    Public(String),
    /// A credential of type `integer`.
    Integer(i64),
    /// A secret (`secret: true`): `[REDACTED]` in `Debug`, masked in explanations.
    Secret(Secret),
    /// A credential of type `integer` marked `secret: true`: `[REDACTED]` in `Debug`, masked in output.
    SecretInteger(SecretInteger),
}

impl fmt::Debug for CredentialValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialValue::Public(s) => write!(f, "{s:?}"),
            CredentialValue::Integer(i) => write!(f, "{i}"),
            CredentialValue::Secret(s) => write!(f, "{s:?}"),
            CredentialValue::SecretInteger(s) => write!(f, "{s:?}"),
        }
    }
}

impl CredentialValue {
    /// The value as text (exposes secrets: signing only).
    pub fn text(&self) -> String {
        match self {
            CredentialValue::Public(s) => s.clone(),
            CredentialValue::Integer(i) => i.to_string(),
            CredentialValue::Secret(s) => s.expose().to_string(),
            CredentialValue::SecretInteger(i) => i.expose().to_string(),
        }
    }
    /// The value as JSON (integers stay numbers).
    pub fn json(&self) -> serde_json::Value {
        match self {
            CredentialValue::Integer(i) => serde_json::Value::from(*i),
            CredentialValue::SecretInteger(i) => serde_json::Value::from(i.expose()),
            other => serde_json::Value::String(other.text()),
        }
    }
    /// Whether the value is a secret (masked in printed stages).
    pub fn is_secret(&self) -> bool {
        matches!(self, CredentialValue::Secret(_) | CredentialValue::SecretInteger(_))
    }
}

/// Credentials of one provider, by spec name, for the interpreter.
#[derive(Clone, Default)]
pub struct Credentials {
    values: IndexMap<String, CredentialValue>,
    /// [`Redactor::from_credentials`](crate::redact::Redactor::from_credentials) of these values, built
    /// on first use and shared by every signing run (reset by [`insert`](Self::insert)).
    redactor: OnceLock<crate::redact::Redactor>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("values", &self.values).finish()
    }
}

/// A credentials file did not fit the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credential `{name}`: {problem}")]
pub struct CredentialError {
    /// The credential's spec name; `*` when the credentials are not a JSON object at all.
    pub name: String,
    /// What is wrong with it.
    pub problem: String,
}

impl Credentials {
    /// Check a JSON object of credentials against the spec: every name known, required ones present,
    /// integers integral. Secret credentials are wrapped in [`Secret`]. An `integer` credential may be
    /// a JSON number or a numeric string; a non-secret string credential may also be a number. A
    /// `credential_source` key (a note on where the values come from) is ignored.
    ///
    /// ```
    /// use payspec::{CredentialValue, Credentials};
    /// use serde_json::json;
    /// let spec = payspec::model::load_str("x.yaml", "\
    /// provider: x
    /// title: X
    /// environments: { sandbox: https://x.test }
    /// credentials:
    ///   app_id: { type: integer }
    ///   key: { secret: true }
    ///   token: { optional: true }
    /// operations: {}
    /// ").unwrap();
    ///
    /// let creds = Credentials::from_json(&spec, &json!({"app_id": "2553", "key": "hunter2"})).unwrap();
    /// assert!(matches!(creds.get("app_id"), Some(CredentialValue::Integer(2553))));
    /// assert_eq!(format!("{:?}", creds.get("key").unwrap()), "[REDACTED]");
    /// assert!(creds.get("token").is_none());
    ///
    /// let err = Credentials::from_json(&spec, &json!({"app_id": 2553})).unwrap_err();
    /// assert_eq!(err.to_string(), "credential `key`: required by the spec but not given");
    /// let err = Credentials::from_json(&spec, &json!({"app_id": 2553, "key": "k", "kye": "k"})).unwrap_err();
    /// assert_eq!(err.name, "kye");
    /// ```
    pub fn from_json(spec: &Spec, json: &serde_json::Value) -> Result<Self, CredentialError> {
        let err = |name: &str, problem: String| CredentialError { name: name.to_string(), problem };
        let obj = json.as_object().ok_or_else(|| err("*", "credentials must be a JSON object".into()))?;
        let mut values = IndexMap::new();
        for (name, value) in obj {
            if name == "credential_source" {
                continue;
            }
            let def = spec.credentials.get(name).ok_or_else(|| {
                let known: Vec<_> = spec.credentials.keys().map(String::as_str).collect();
                err(name, format!("unknown for provider {} (expected one of: {})", spec.provider, known.join(", ")))
            })?;
            // A received value is echoed (bounded, escaped) only for a credential that is not secret.
            let shown = |v: &dyn fmt::Display| {
                if def.secret {
                    "the value (hidden: the credential is secret)".to_string()
                } else {
                    format!("`{}`", crate::support::echo(&v.to_string()))
                }
            };
            let int = |i: i64| {
                if def.secret {
                    CredentialValue::SecretInteger(SecretInteger(i))
                } else {
                    CredentialValue::Integer(i)
                }
            };
            let v = match (def.kind, value) {
                (CredentialKind::Integer, serde_json::Value::Number(n)) => {
                    int(n.as_i64().ok_or_else(|| err(name, format!("{} is not an integer", shown(n))))?)
                }
                (CredentialKind::Integer, serde_json::Value::String(s)) => {
                    int(s.parse().map_err(|_| err(name, format!("{} is not an integer", shown(s))))?)
                }
                (CredentialKind::Integer, other) => {
                    return Err(err(name, format!("expected an integer, found {}", kind_of(other))))
                }
                (_, serde_json::Value::String(s)) if def.secret => CredentialValue::Secret(Secret::new(s.clone())),
                (_, serde_json::Value::String(s)) => CredentialValue::Public(s.clone()),
                (_, serde_json::Value::Number(n)) if !def.secret => CredentialValue::Public(n.to_string()),
                (_, other) => return Err(err(name, format!("expected a string, found {}", kind_of(other)))),
            };
            values.insert(name.clone(), v);
        }
        if let Some((name, _)) = spec.credentials.iter().find(|(n, d)| !d.optional && !values.contains_key(*n)) {
            return Err(err(name, "required by the spec but not given".into()));
        }
        Ok(Credentials { values, redactor: OnceLock::new() })
    }

    /// Set one credential.
    pub fn insert(&mut self, name: impl Into<String>, value: CredentialValue) {
        self.values.insert(name.into(), value);
        self.redactor = OnceLock::new();
    }

    /// The credential named `name` (its spec name); `None` when it was not given.
    pub fn get(&self, name: &str) -> Option<&CredentialValue> {
        self.values.get(name)
    }

    /// Secret values (strings, keys and integers marked `secret: true`), to mask them in printed
    /// output; see [`Redactor`](crate::redact::Redactor).
    pub fn secrets(&self) -> impl Iterator<Item = (&str, String)> {
        self.values.iter().filter(|(_, v)| v.is_secret()).map(|(k, v)| (k.as_str(), v.text()))
    }

    /// The redactor of these credentials ([`Redactor::from_credentials`](crate::redact::Redactor::from_credentials)),
    /// built once and shared: a copy costs a reference count, and its compiled masks are shared too.
    pub fn redactor(&self) -> crate::redact::Redactor {
        self.redactor.get_or_init(|| crate::redact::Redactor::from_credentials(self)).clone()
    }
}

/// A JSON value's kind, without its content (a credential's value is never echoed).
fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(s.expose(), "hunter2");
        let v = CredentialValue::Secret(s);
        assert!(!format!("{v:?}").contains("hunter2"));
    }

    #[test]
    fn the_cached_redactor_follows_every_insert() {
        let mut c = Credentials::default();
        c.insert("key", CredentialValue::Secret(Secret::new("first-secret")));
        let r = c.redactor();
        assert_eq!(r, c.redactor());
        assert_eq!(r.mask("a first-secret b"), "a «key» b");
        c.insert("other", CredentialValue::Secret(Secret::new("second-secret")));
        assert_eq!(c.redactor().mask("first-secret second-secret"), "«key» «other»");
        assert_eq!(c.redactor(), crate::redact::Redactor::from_credentials(&c));
        // The copy taken before the insert is unchanged, and Debug shows no cache.
        assert_eq!(r.mask("second-secret"), "second-secret");
        assert!(!format!("{c:?}").contains("redactor"), "{c:?}");
    }

    #[test]
    #[cfg(feature = "interpreter")]
    fn credential_errors_never_echo_a_secret_value() {
        let spec = payspec_model::load_str(
            "x.yaml",
            "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials:\n  pin: { type: integer, secret: true }\n  id: { type: integer }\n  key: { secret: true, optional: true }\noperations: {}\n",
        )
        .unwrap();
        let e = Credentials::from_json(&spec, &serde_json::json!({"pin": "12x-SECRET", "id": 1})).unwrap_err();
        assert!(!e.to_string().contains("12x-SECRET"), "{e}");
        assert_eq!(e.to_string(), "credential `pin`: the value (hidden: the credential is secret) is not an integer");
        let e = Credentials::from_json(&spec, &serde_json::json!({"pin": 1, "id": 1, "key": ["SECRET-IN-ARRAY"]}))
            .unwrap_err();
        assert!(!e.to_string().contains("SECRET-IN-ARRAY"), "{e}");
        let e = Credentials::from_json(&spec, &serde_json::json!({"pin": 1, "id": "x\u{1b}[31m"})).unwrap_err();
        assert_eq!(e.to_string(), "credential `id`: `x\\u{1b}[31m` is not an integer");
        let c = Credentials::from_json(&spec, &serde_json::json!({"pin": 918273, "id": 1})).unwrap();
        assert!(c.get("pin").unwrap().is_secret());
        assert_eq!(format!("{c:?}").matches("918273").count(), 0, "{c:?}");
        assert_eq!(c.secrets().collect::<Vec<_>>(), [("pin", "918273".to_string())]);
    }
}
