//! [`Scalar`]: a value that is a string or an integer, sent as given (spec type `scalar`).

use serde::de::Error as _;
use std::fmt;

/// A string or an integer, kept as received and sent as given.
///
/// Serializes as a JSON string or number; deserializes from either (and from nothing else).
///
/// ```
/// use payspec::Scalar;
/// assert_eq!(Scalar::from("999").to_string(), "999");
/// assert_eq!(serde_json::to_string(&Scalar::from(42)).unwrap(), "42");
/// assert_eq!(serde_json::from_str::<Scalar>("\"a\"").unwrap(), Scalar::Text("a".into()));
/// assert_eq!(serde_json::from_str::<Scalar>("7").unwrap(), Scalar::Int(7));
/// assert!(serde_json::from_str::<Scalar>("1.5").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// A JSON string.
    Text(String),
    /// A JSON integer.
    Int(i64),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Text(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Text(s.to_string())
    }
}

impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Scalar::Text(s)
    }
}

impl From<i64> for Scalar {
    fn from(i: i64) -> Self {
        Scalar::Int(i)
    }
}

impl From<i32> for Scalar {
    fn from(i: i32) -> Self {
        Scalar::Int(i.into())
    }
}

impl From<u32> for Scalar {
    fn from(i: u32) -> Self {
        Scalar::Int(i.into())
    }
}

impl serde::Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Text(t) => s.serialize_str(t),
            Scalar::Int(i) => s.serialize_i64(*i),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through `serde_json::Value`, which understands serde_json's arbitrary-precision numbers.
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Scalar::Text(s)),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Scalar::Int)
                .ok_or_else(|| D::Error::custom(format!("expected a string or an integer, found number {n}"))),
            other => Err(D::Error::custom(format!("expected a string or an integer, found {other}"))),
        }
    }
}

/// Lenient deserializers for payloads that arrive as text (form-encoded or query-string callbacks):
/// integers and booleans may be written as strings, as the interpreter accepts them there.
pub mod lenient {
    use serde::Deserialize;

    fn int<E: serde::de::Error>(v: serde_json::Value) -> Result<i64, E> {
        match v {
            serde_json::Value::Number(n) => {
                n.as_i64().ok_or_else(|| E::custom(format!("expected an integer, found number {n}")))
            }
            serde_json::Value::String(s) => {
                s.parse().map_err(|_| E::custom(format!("expected an integer, found string {s:?}")))
            }
            other => Err(E::custom(format!("expected an integer, found {other}"))),
        }
    }

    fn boolean<E: serde::de::Error>(v: serde_json::Value) -> Result<bool, E> {
        match v {
            serde_json::Value::Bool(b) => Ok(b),
            serde_json::Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            other => Err(E::custom(format!("expected a boolean, found {other}"))),
        }
    }

    /// An integer, or a string holding one.
    pub fn i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        int(serde_json::Value::deserialize(d)?)
    }

    /// An optional integer, or a string holding one (`null` is absent).
    pub fn i64_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            v => int(v).map(Some),
        }
    }

    /// A boolean, or the string `true` / `false`.
    pub fn bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        boolean(serde_json::Value::deserialize(d)?)
    }

    /// An optional boolean, or the string `true` / `false` (`null` is absent).
    pub fn bool_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            v => boolean(v).map(Some),
        }
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct P {
            #[serde(deserialize_with = "super::i64")]
            a: i64,
            #[serde(default, deserialize_with = "super::bool_opt")]
            b: Option<bool>,
        }

        #[test]
        fn text_or_native() {
            assert_eq!(serde_json::from_str::<P>(r#"{"a": "12", "b": "true"}"#).unwrap(), P { a: 12, b: Some(true) });
            assert_eq!(serde_json::from_str::<P>(r#"{"a": 12}"#).unwrap(), P { a: 12, b: None });
            assert!(serde_json::from_str::<P>(r#"{"a": "x"}"#).is_err());
        }
    }
}
