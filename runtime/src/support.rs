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
pub fn response_object<'v>(
    target: &str,
    body: &'v Value,
) -> Result<&'v serde_json::Map<String, Value>, VerifyError> {
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
/// ```
/// assert_eq!(payspec::support::decimal_text("10.50").unwrap().to_string(), "10.50");
/// assert!(payspec::support::decimal_text("1e3").is_err());
/// ```
pub fn decimal_text(text: &str) -> Result<Number, String> {
    let t = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
    let ok = !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(format!("`{text}` is not a decimal amount (digits with an optional `.` fraction)"));
    }
    text.parse::<Number>().map_err(|e| format!("`{text}`: {e}"))
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
