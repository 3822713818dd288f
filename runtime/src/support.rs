//! Small value helpers shared by the interpreter and generated code: error constructors, exact
//! decimals, URL building, cached field patterns. Recipe logic is not here — each path has its own.

use crate::error::{SignError, Stage, VerifyError};
use serde_json::{Number, Value};

/// An input error on `field` of `target`.
pub fn input(target: &str, field: &str, problem: impl Into<String>) -> SignError {
    SignError::Input { target: target.into(), field: field.into(), problem: problem.into() }
}

/// A stage error at spec location `at`.
pub fn stage(at: &str, stage: Stage, problem: impl Into<String>) -> SignError {
    SignError::Stage { at: at.into(), stage, problem: problem.into() }
}

/// A malformed received payload.
pub fn malformed(target: &str, field: &str, problem: impl Into<String>) -> VerifyError {
    VerifyError::Malformed { target: target.into(), field: field.into(), problem: problem.into() }
}

/// A signature that does not check out.
pub fn bad_signature(at: &str, problem: String) -> VerifyError {
    VerifyError::BadSignature { at: at.into(), problem }
}

/// A response body as the JSON object it must be (`target` is `<provider>.<operation> response`);
/// an array, string, number or `null` is malformed (field `body`), on both signing paths alike.
pub fn response_object<'v>(target: &str, body: &'v Value) -> Result<&'v serde_json::Map<String, Value>, VerifyError> {
    body.as_object()
        .ok_or_else(|| malformed(target, "body", format!("expected a JSON object, found {}", json_kind(body))))
}

/// A numeric text as a decimal, for `min` / `max` checks.
pub fn to_decimal(s: &str) -> Result<rust_decimal::Decimal, String> {
    s.parse::<rust_decimal::Decimal>()
        .or_else(|_| rust_decimal::Decimal::from_scientific(s))
        .map_err(|e| format!("`{s}` is out of the numeric range: {e}"))
}

/// A decimal amount (digits with an optional `.` fraction) as a JSON number with exactly this text.
///
/// The text must be one a typed decimal (`rust_decimal`, 28 significant digits) holds exactly, so the
/// interpreter (which keeps the text) and generated code (which keeps a `Decimal`) sign the same value:
/// more digits, and a negative zero, are refused on both paths rather than changed on one.
///
/// ```
/// assert_eq!(payspec::support::decimal_text("10.50").unwrap().to_string(), "10.50");
/// assert!(payspec::support::decimal_text("1e3").is_err());
/// assert!(payspec::support::decimal_text("0.12345678901234567890123456789").is_err());
/// ```
pub fn decimal_text(text: &str) -> Result<Number, String> {
    exact_decimal_text(text)?;
    text.parse::<Number>().map_err(|e| format!("`{text}`: {e}"))
}

/// The typed decimal of a decimal amount's text, refused unless it keeps the text exactly.
fn exact_decimal_text(text: &str) -> Result<rust_decimal::Decimal, String> {
    let t = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
    let ok = !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(format!("`{text}` is not a decimal amount (digits with an optional `.` fraction)"));
    }
    match text.parse::<rust_decimal::Decimal>() {
        Ok(d) if d.to_string() == text => Ok(d),
        Ok(d) if d.is_zero() => Err(format!("`{text}` is a negative zero, which a decimal amount cannot hold")),
        _ => Err(format!("`{text}` cannot be held exactly as a decimal amount (at most 28 significant digits)")),
    }
}

/// The typed decimal of a JSON number or numeric string, exactly as [`decimal_text`] accepts it.
pub fn exact_decimal_value(v: &Value) -> Result<rust_decimal::Decimal, String> {
    match v {
        Value::Number(n) => exact_decimal_text(&n.to_string()),
        Value::String(s) => exact_decimal_text(s),
        other => Err(format!("expected a decimal amount, found {}", json_kind(other))),
    }
}

/// The first decimal field of `input` (dotted paths into objects, in spec order) that is not an exact
/// decimal amount: its top-level field and the problem, worded as the interpreter words it (a nested
/// one as "`total`: …"). Generated code checks these before typed parsing, which would lose the text.
pub fn first_bad_decimal<'a>(
    input: &serde_json::Map<String, Value>,
    decimals: &[&'a str],
) -> Option<(&'a str, String)> {
    decimals.iter().find_map(|d| {
        let mut segs = d.split('.');
        let first = segs.next()?;
        let rest: Vec<&str> = segs.collect();
        let v = rest.iter().try_fold(input.get(first)?, |v, seg| v.as_object()?.get(*seg))?;
        if v.is_null() {
            return None;
        }
        let problem = exact_decimal_value(v).err()?;
        let problem = rest.iter().rev().fold(problem, |p, seg| format!("`{seg}`: {p}"));
        Some((first, problem))
    })
}

/// Serde for typed decimals in generated structs: a JSON number (or numeric string) with the exact
/// text a `Decimal` holds; anything that would be rounded is an error, never a rounded value.
pub mod exact_decimal {
    use serde::{Deserialize, Serialize};

    /// Deserialize an exact decimal.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        super::exact_decimal_value(&v).map_err(serde::de::Error::custom)
    }

    /// Serialize as a JSON number with the decimal's text (scale kept).
    pub fn serialize<S: serde::Serializer>(v: &rust_decimal::Decimal, s: S) -> Result<S::Ok, S::Error> {
        v.to_string().parse::<serde_json::Number>().map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

/// [`exact_decimal`] for optional fields (`null` is absent).
pub mod exact_decimal_option {
    use serde::{Deserialize, Serialize};

    /// Deserialize an optional exact decimal.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<rust_decimal::Decimal>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            v => super::exact_decimal_value(&v).map(Some).map_err(serde::de::Error::custom),
        }
    }

    /// Serialize as a JSON number with the decimal's text, or `null`.
    pub fn serialize<S: serde::Serializer>(v: &Option<rust_decimal::Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => d.to_string().parse::<serde_json::Number>().map_err(serde::ser::Error::custom)?.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// A typed decimal as an exact JSON number (its scale kept: `10.50` stays `10.50`).
pub fn decimal_json(d: &rust_decimal::Decimal) -> Value {
    d.to_string().parse::<Number>().map(Value::Number).unwrap_or(Value::Null)
}

/// A serializable value as JSON (`null` if it cannot be represented).
pub fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// How a JSON value is described in messages.
pub fn json_kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Percent-encode one path segment (unreserved characters kept).
pub fn path_segment(s: &str) -> String {
    const SEG: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEG).to_string()
}

/// Base URL (trailing `/` dropped) + path + form-encoded query.
///
/// ```
/// assert_eq!(payspec::support::build_url("https://x.test/", "/r", &[("a", "1 2")]), "https://x.test/r?a=1+2");
/// ```
pub fn build_url<K: AsRef<str>, V: AsRef<str>>(base: &str, path: &str, query: &[(K, V)]) -> String {
    let mut url = format!("{}{}", base.trim_end_matches('/'), path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&crate::canon::pairs(query.iter().map(|(k, v)| (k.as_ref(), v.as_ref())), "=", "&", true));
    }
    url
}

/// A field `pattern` compiled to match whole values, cached per pattern (compiling on every check
/// dominated signing).
pub fn whole_match(pattern: &str) -> Result<regex::Regex, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re =
        regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("spec pattern does not compile: {e}"))?;
    if let Ok(mut c) = cache.lock() {
        c.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

/// A field `pattern` compiled once into a per-call-site cell (generated code keeps one static cell
/// per field).
pub fn pattern(
    cell: &'static std::sync::OnceLock<Result<regex::Regex, String>>,
    pattern: &str,
) -> Result<&'static regex::Regex, String> {
    cell.get_or_init(|| regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| format!("spec pattern does not compile: {e}"))
}
