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

/// How many characters of a received value [`echo`] shows.
pub const ECHO_MAX: usize = 80;

/// A received or given value as it may appear in an error message: at most [`ECHO_MAX`] characters
/// (then `…` and the full length), with `\` and every control or invisible formatting character
/// escaped (`\n`, `\u{1b}`, `\u{202e}`), so an error never carries a raw newline, a terminal
/// escape or megabytes of input. Interpreter and generated code format values into errors with it.
///
/// ```
/// use payspec::support::echo;
/// assert_eq!(echo("ok 1"), "ok 1");
/// assert_eq!(echo("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
/// let long = "x".repeat(50_000_000);
/// assert_eq!(echo(&long), format!("{}… (50000000 characters)", "x".repeat(80)));
/// ```
pub fn echo(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == ECHO_MAX {
            out.push_str(&format!("… ({} characters)", value.chars().count()));
            return out;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Zero-width, bidirectional-override and other formatting characters that change how a terminal
/// shows text.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x00ad | 0x061c | 0x180e | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2069 | 0xfeff | 0xfff9..=0xfffb)
}

/// The text of a received field at `path` (into objects), as a string to sign renders it; `None`
/// when absent or `null`.
pub fn received_text(payload: &serde_json::Map<String, Value>, path: &[&str]) -> Option<String> {
    let (first, rest) = path.split_first()?;
    let v = rest.iter().try_fold(payload.get(*first)?, |v, seg| v.get(seg))?;
    (!v.is_null()).then(|| crate::canon::render(v))
}

/// Refuse a received value (or field name) that contains a separator of the message it is signed in:
/// it could carry a neighbouring field's text (`status = "SUCCESS&updateTime=…"` in `a=x&b=y` pairs).
///
/// ```
/// let e = payspec::support::refuse_separators("x.ipn", "status", "SUCCESS&updateTime=1", &["&", "="]).unwrap_err();
/// assert_eq!(e.to_string(), "malformed x.ipn: field `status`: contains `&`, a separator of the signed message, so it could stand for other fields; refused");
/// assert!(payspec::support::refuse_separators("x.ipn", "status", "SUCCESS", &["&", "="]).is_ok());
/// ```
pub fn refuse_separators(target: &str, field: &str, text: &str, seps: &[&str]) -> Result<(), VerifyError> {
    match seps.iter().find(|s| !s.is_empty() && text.contains(**s)) {
        Some(sep) => Err(malformed(
            target,
            field,
            format!(
                "contains `{}`, a separator of the signed message, so it could stand for other fields; refused",
                sep.escape_debug()
            ),
        )),
        None => Ok(()),
    }
}

/// Refuse a received value wider than the `pad_left` width it is signed at: padding would not fix its
/// width, so characters could move between it and its neighbour.
///
/// ```
/// assert!(payspec::support::refuse_wider("x.ipn", "amount", "0100000202", 10).is_ok());
/// assert!(payspec::support::refuse_wider("x.ipn", "amount", "01000002020", 10).is_err());
/// ```
pub fn refuse_wider(target: &str, field: &str, text: &str, width: usize) -> Result<(), VerifyError> {
    let len = text.chars().count();
    if len > width {
        Err(malformed(
            target,
            field,
            format!("{len} characters, wider than the {width} it is padded to in the signed message; refused"),
        ))
    } else {
        Ok(())
    }
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
        .map_err(|e| format!("`{}` is out of the numeric range: {e}", echo(s)))
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
        return Err(format!("`{}` is not a decimal amount (digits with an optional `.` fraction)", echo(text)));
    }
    match text.parse::<rust_decimal::Decimal>() {
        Ok(d) if d.to_string() == text => Ok(d),
        Ok(d) if d.is_zero() => Err(format!("`{}` is a negative zero, which a decimal amount cannot hold", echo(text))),
        _ => {
            Err(format!("`{}` cannot be held exactly as a decimal amount (at most 28 significant digits)", echo(text)))
        }
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

/// How a JSON value is described in messages (its text bounded and escaped by [`echo`]).
pub fn json_kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {}", echo(&n.to_string())),
        Value::String(s) => format!("string \"{}\"", echo(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Percent-encode one path segment (unreserved characters kept).
///
/// A value that is exactly `.` or `..` is encoded in full (`%2E`, `%2E%2E`): left as is, it is a dot
/// segment, which URL normalisation (RFC 3986 §5.2.4, every HTTP client and server) resolves to
/// another path — `/refunds/../admin` is `/admin`.
///
/// ```
/// use payspec::support::path_segment;
/// assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
/// assert_eq!(path_segment(".."), "%2E%2E");
/// assert_eq!(path_segment("."), "%2E");
/// assert_eq!(path_segment("v1.2"), "v1.2");
/// ```
pub fn path_segment(s: &str) -> String {
    const SEG: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    if s == "." || s == ".." {
        return s.replace('.', "%2E");
    }
    percent_encoding::utf8_percent_encode(s, SEG).to_string()
}

/// The path segment of request field `field` of `target` ([`path_segment`]), or an input error naming
/// the field when the value is empty: the URL would get an empty segment (`/refund//status`), which
/// servers normalise away or route elsewhere.
///
/// ```
/// assert_eq!(payspec::support::path_field("x.op", "id", "a b").unwrap(), "a%20b");
/// assert!(payspec::support::path_field("x.op", "id", "").is_err());
/// ```
pub fn path_field(target: &str, field: &str, value: &str) -> Result<String, SignError> {
    if value.is_empty() {
        return Err(input(target, field, "a path value cannot be empty (the URL would get an empty segment)"));
    }
    Ok(path_segment(value))
}

/// Why `value` cannot be an HTTP header value, if it cannot: a CR, LF or any other control character
/// (tab aside) would end the header line and let the rest start a header of its own (header injection).
/// The value is never quoted: it may hold a secret.
///
/// ```
/// assert_eq!(payspec::support::header_problem("Bearer abc\tdef"), None);
/// assert!(payspec::support::header_problem("abc\r\nX-Admin: 1").unwrap().contains("U+000D"));
/// ```
pub fn header_problem(value: &str) -> Option<String> {
    // Printable ASCII and tab, the usual case, without decoding characters.
    if value.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        return None;
    }
    value.chars().find(|c| c.is_control() && *c != '\t').map(|c| {
        format!(
            "the header value would contain control character U+{:04X}; CR, LF and other control characters cannot be sent in a header (header injection)",
            c as u32
        )
    })
}

/// The value of request field `field` of `target` that travels as a header, or an input error naming the
/// field when it cannot be a header value ([`header_problem`]).
pub fn header_field(target: &str, field: &str, value: String) -> Result<String, SignError> {
    match header_problem(&value) {
        None => Ok(value),
        Some(p) => Err(input(target, field, p)),
    }
}

/// The value a recipe at spec location `at` places into header `name`, or a place-stage error when it
/// cannot be a header value ([`header_problem`]).
pub fn header_placed(at: &str, name: &str, value: String) -> Result<String, SignError> {
    match header_problem(&value) {
        None => Ok(value),
        Some(p) => Err(stage(at, Stage::Place, format!("header `{name}`: {p}"))),
    }
}

/// Base URL (trailing `/` dropped) + path + form-encoded query.
///
/// ```
/// assert_eq!(payspec::support::build_url("https://x.test/", "/r", &[("a", "1 2")]), "https://x.test/r?a=1+2");
/// ```
pub fn build_url<K: AsRef<str>, V: AsRef<str>>(base: &str, path: &str, query: &[(K, V)]) -> String {
    let base = base.trim_end_matches('/');
    let mut url = String::with_capacity(base.len() + path.len() + if query.is_empty() { 0 } else { 64 });
    url.push_str(base);
    url.push_str(path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&crate::canon::pairs(query.iter().map(|(k, v)| (k.as_ref(), v.as_ref())), "=", "&", true));
    }
    url
}

/// A field `pattern` compiled to match whole values, cached per pattern (compiling on every check
/// dominated signing). The compiled regex is shared, not cloned: a clone would start with an empty
/// match cache and rebuild it on every check.
pub fn whole_match(pattern: &str) -> Result<std::sync::Arc<regex::Regex>, String> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(
        regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("spec pattern does not compile: {e}"))?,
    );
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
