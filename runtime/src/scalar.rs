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
            serde_json::Value::Number(n) => {
                n.as_i64().map(Scalar::Int).ok_or_else(|| D::Error::custom(format!("expected a string or an integer, found number {n}")))
            }
            other => Err(D::Error::custom(format!("expected a string or an integer, found {other}"))),
        }
    }
}
