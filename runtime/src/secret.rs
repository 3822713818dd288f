//! Credentials: secret values are redacted in `Debug` and only exposed on purpose.

use indexmap::IndexMap;
use payspec_spec::{CredentialKind, Spec};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A secret string (key, password, PEM private key). `Debug` prints `[REDACTED]`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }
    /// The secret value, for signing only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
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

/// One credential value.
#[derive(Clone)]
pub enum CredentialValue {
    /// Text that is not secret (`secret: false`); printed as is by `Debug`.
    Public(String),
    /// A credential of type `integer`.
    Integer(i64),
    /// A secret (`secret: true`): `[REDACTED]` in `Debug`, masked in explanations.
    Secret(Secret),
}

impl fmt::Debug for CredentialValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialValue::Public(s) => write!(f, "{s:?}"),
            CredentialValue::Integer(i) => write!(f, "{i}"),
            CredentialValue::Secret(s) => write!(f, "{s:?}"),
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
        }
    }
    /// The value as JSON (integers stay numbers).
    pub fn json(&self) -> serde_json::Value {
        match self {
            CredentialValue::Integer(i) => serde_json::Value::from(*i),
            other => serde_json::Value::String(other.text()),
        }
    }
    /// Whether the value is a secret (masked in printed stages).
    pub fn is_secret(&self) -> bool {
        matches!(self, CredentialValue::Secret(_))
    }
}

/// Credentials of one provider, by spec name, for the interpreter.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    values: IndexMap<String, CredentialValue>,
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
    /// let spec = payspec::spec::load_str("x.yaml", "\
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
            let v = match (def.kind, value) {
                (CredentialKind::Integer, serde_json::Value::Number(n)) => {
                    CredentialValue::Integer(n.as_i64().ok_or_else(|| err(name, format!("`{n}` is not an integer")))?)
                }
                (CredentialKind::Integer, serde_json::Value::String(s)) => {
                    CredentialValue::Integer(s.parse().map_err(|_| err(name, format!("`{s}` is not an integer")))?)
                }
                (CredentialKind::Integer, other) => {
                    return Err(err(name, format!("expected an integer, found {other}")))
                }
                (_, serde_json::Value::String(s)) if def.secret => CredentialValue::Secret(Secret::new(s.clone())),
                (_, serde_json::Value::String(s)) => CredentialValue::Public(s.clone()),
                (_, serde_json::Value::Number(n)) if !def.secret => CredentialValue::Public(n.to_string()),
                (_, _) => return Err(err(name, "expected a string".into())),
            };
            values.insert(name.clone(), v);
        }
        if let Some((name, _)) = spec.credentials.iter().find(|(n, d)| !d.optional && !values.contains_key(*n)) {
            return Err(err(name, "required by the spec but not given".into()));
        }
        Ok(Credentials { values })
    }

    /// Set one credential.
    pub fn insert(&mut self, name: impl Into<String>, value: CredentialValue) {
        self.values.insert(name.into(), value);
    }

    /// The credential named `name` (its spec name); `None` when it was not given.
    pub fn get(&self, name: &str) -> Option<&CredentialValue> {
        self.values.get(name)
    }

    /// Secret values, to mask them in printed stages.
    pub fn secrets(&self) -> impl Iterator<Item = (&str, String)> {
        self.values.iter().filter(|(_, v)| v.is_secret()).map(|(k, v)| (k.as_str(), v.text()))
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
}
