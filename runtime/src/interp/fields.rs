//! Field values: defaults, type and limit checks, rendering to text, decoding.

use super::Clock;
use crate::error::{SignError, VerifyError};
use crate::secret::Credentials;
use indexmap::IndexMap;
use payspec_model::{Context, DecodeStep, Field, FieldType, Source};
use serde_json::{Map, Value};

pub use crate::canon::render;

/// [`render`] appended to `out`.
pub fn render_into(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => {}
        Value::Number(n) => {
            use std::fmt::Write;
            let _ = write!(out, "{n}");
        }
        other => out.push_str(&other.to_string()),
    }
}

use crate::support::input as input_err;

/// What an operation says about its request as a whole: its field groups and `omit_empty`.
#[derive(Clone, Copy)]
pub struct RequestRules<'a> {
    pub one_of: &'a [Vec<String>],
    pub any_of: &'a [Vec<String>],
    pub all_or_none: &'a [Vec<String>],
    /// `omit_empty: true`: an empty optional value counts as absent.
    pub omit_empty: bool,
}

/// Fill defaults, check every field, and return the present values in spec order.
pub fn prepare(
    target: &str,
    defs: &IndexMap<String, Field>,
    input: &Map<String, Value>,
    creds: &Credentials,
    clock: Clock,
    rules: RequestRules<'_>,
) -> Result<Map<String, Value>, SignError> {
    // The input value of each definition: the input is walked once, each key found among the
    // definitions by [`DefWalk`] (a string comparison while the input follows definition order).
    const ON_STACK: usize = 32;
    let mut stack: [Option<&Value>; ON_STACK] = [None; ON_STACK];
    let mut heap = Vec::new();
    let given_values = if defs.len() <= ON_STACK {
        &mut stack[..defs.len()]
    } else {
        heap.resize(defs.len(), None);
        &mut heap[..]
    };
    let mut walk = super::plan::DefWalk::new(defs);
    for (k, v) in input {
        match walk.index(k) {
            Some(i) => given_values[i] = Some(v),
            None => {
                let known: Vec<&str> = defs.keys().map(String::as_str).collect();
                let extra = crate::support::echo(k);
                return Err(input_err(
                    target,
                    &extra,
                    format!("unknown field (expected one of: {})", known.join(", ")),
                ));
            }
        }
    }
    let mut out = Map::with_capacity(defs.len());
    for ((name, def), given) in defs.iter().zip(given_values.iter()) {
        // `omit_empty`: an optional field given as "" is left out, as if absent (body and signature alike).
        let given = given.filter(|v| !(rules.omit_empty && !def.required && is_empty_text(def, v)));
        let (value, secret_default) = match given {
            Some(Value::Null) | None => {
                let secret = matches!(&def.from, Some(payspec_model::Item { source: Source::Credential(c), .. }) if creds.get(c).is_some_and(|v| v.is_secret()));
                (default_value(target, name, def, creds, clock)?, secret)
            }
            Some(v) => (Some(v.clone()), false),
        };
        match value {
            Some(v) => {
                let v = check(def, v, false).map_err(|p| {
                    // Never echo a secret credential's value in an error.
                    let p = if secret_default {
                        "the secret credential it defaults to does not fit (value hidden)".to_string()
                    } else {
                        p
                    };
                    input_err(target, name, p)
                })?;
                out.insert(name.clone(), v);
            }
            None if def.required => return Err(input_err(target, name, "required but missing")),
            None => {}
        }
    }
    for group in rules.one_of {
        let present: Vec<&String> = group.iter().filter(|f| out.contains_key(*f)).collect();
        if present.len() != 1 {
            return Err(input_err(
                target,
                &group.join("|"),
                format!("exactly one of these fields is required, found {}", present.len()),
            ));
        }
    }
    for group in rules.any_of {
        if !group.iter().any(|f| out.contains_key(f)) {
            return Err(input_err(target, &group.join("|"), "at least one of these fields is required, found none"));
        }
    }
    for group in rules.all_or_none {
        let present = group.iter().filter(|f| out.contains_key(*f)).count();
        if present != 0 && present != group.len() {
            let missing: Vec<&str> = group.iter().filter(|f| !out.contains_key(*f)).map(String::as_str).collect();
            return Err(input_err(target, &missing.join(", "), format!("required together with {}", group.join(", "))));
        }
    }
    Ok(out)
}

/// An empty text value (`""`) of a text field: string (enum too), JSON-text or scalar.
fn is_empty_text(def: &Field, v: &Value) -> bool {
    matches!(def.ty, FieldType::String | FieldType::JsonText | FieldType::Scalar)
        && matches!(v, Value::String(s) if s.is_empty())
}

fn default_value(
    target: &str,
    name: &str,
    def: &Field,
    creds: &Credentials,
    clock: Clock,
) -> Result<Option<Value>, SignError> {
    let Some(from) = &def.from else { return Ok(None) };
    Ok(match &from.source {
        Source::Credential(c) => match creds.get(c) {
            Some(v) => Some(v.json()),
            None if def.required => {
                return Err(input_err(
                    target,
                    name,
                    format!("missing; it defaults to credential `{c}`, which is not given"),
                ));
            }
            None => None,
        },
        Source::Context(Context::NowS) => Some(Value::from(clock.now_ms.div_euclid(1000))),
        Source::Context(Context::NowMs) => Some(Value::from(clock.now_ms)),
        Source::Literal(l) => Some(Value::String(l.clone())),
        _ => None,
    })
}

/// Check one value against its definition; returns it normalised to its wire JSON type.
/// `lenient` accepts numbers and booleans written as strings (form-encoded payloads).
pub fn check(def: &Field, v: Value, lenient: bool) -> Result<Value, String> {
    let v = match (def.ty, v) {
        (FieldType::String, Value::String(s)) => Value::String(s),
        (FieldType::JsonText, Value::String(s)) => {
            serde_json::from_str::<Value>(&s).map_err(|e| format!("not JSON text: {e}"))?;
            Value::String(s)
        }
        (FieldType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n),
        (FieldType::Integer, Value::String(s)) if lenient && s.parse::<i64>().is_ok() => Value::String(s),
        (FieldType::Decimal, Value::Number(n)) => Value::Number(crate::support::decimal_text(&n.to_string())?),
        (FieldType::Decimal, Value::String(s)) => Value::Number(crate::support::decimal_text(&s)?),
        (FieldType::Scalar, Value::String(s)) => Value::String(s),
        (FieldType::Scalar, Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n),
        (FieldType::Bool, Value::Bool(b)) => Value::Bool(b),
        (FieldType::Bool, Value::String(s)) if lenient && (s == "true" || s == "false") => Value::String(s),
        (FieldType::Object, Value::Object(m)) => {
            let mut out = Map::new();
            for (k, sub) in m {
                match def.fields.get(&k) {
                    Some(sd) => {
                        out.insert(k.clone(), check(sd, sub, lenient).map_err(|p| format!("`{k}`: {p}"))?);
                    }
                    None => {
                        out.insert(k, sub);
                    }
                }
            }
            for (k, sd) in &def.fields {
                if sd.required && !out.contains_key(k) {
                    return Err(format!("`{k}` is required but missing"));
                }
            }
            Value::Object(out)
        }
        (ty, other) => return Err(format!("expected {}, found {}", ty.described(), crate::support::json_kind(&other))),
    };
    limits(def, &v)?;
    Ok(v)
}

fn limits(def: &Field, v: &Value) -> Result<(), String> {
    if let Value::String(s) = v {
        let len = s.chars().count();
        if let Some(max) = def.max_len
            && len > max
        {
            return Err(format!("{len} characters, at most {max} allowed"));
        }
        if let Some(min) = def.min_len
            && len < min
        {
            return Err(format!("{len} characters, at least {min} required"));
        }
        if !def.values.is_empty() && !def.values.iter().any(|e| e == s) {
            return Err(format!("`{}` is not one of {}", crate::support::echo(s), def.values.join(", ")));
        }
    }
    if let Some(p) = &def.pattern {
        let text = render(v);
        let re = crate::support::whole_match(p)?;
        if !re.is_match(&text) {
            return Err(format!("`{}` does not match pattern {p}", crate::support::echo(&text)));
        }
    }
    if def.min.is_none() && def.max.is_none() {
        return Ok(());
    }
    // Integer value against integer bounds (the usual case): compared as integers, which is what the
    // decimal comparison below computes for them.
    let int = match v {
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    let (min_int, max_int) = (def.min.as_ref().map(|b| b.as_i64()), def.max.as_ref().map(|b| b.as_i64()));
    if let Some(i) = int.filter(|_| !matches!(min_int, Some(None)) && !matches!(max_int, Some(None))) {
        let text = || v.to_string();
        if let (Some(Some(m)), Some(min)) = (min_int, &def.min)
            && i < m
        {
            return Err(format!("{} is below the minimum {min}", crate::support::echo(&text())));
        }
        if let (Some(Some(m)), Some(max)) = (max_int, &def.max)
            && i > m
        {
            return Err(format!("{} is above the maximum {max}", crate::support::echo(&text())));
        }
        return Ok(());
    }
    let numeric = match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if matches!(def.ty, FieldType::Integer) => Some(s.clone()),
        _ => None,
    };
    if let Some(n) = numeric {
        let val = crate::support::to_decimal(&n)?;
        if let Some(min) = &def.min
            && val < crate::support::to_decimal(&min.to_string())?
        {
            return Err(format!("{} is below the minimum {min}", crate::support::echo(&n)));
        }
        if let Some(max) = &def.max
            && val > crate::support::to_decimal(&max.to_string())?
        {
            return Err(format!("{} is above the maximum {max}", crate::support::echo(&n)));
        }
    }
    Ok(())
}

/// Check a received payload (callback or response) against its field definitions.
pub fn check_received(
    target: &str,
    defs: &IndexMap<String, Field>,
    payload: &Map<String, Value>,
    lenient: bool,
) -> Result<(), VerifyError> {
    let malformed =
        |field: &str, problem: String| VerifyError::Malformed { target: target.into(), field: field.into(), problem };
    for (name, def) in defs {
        match payload.get(name) {
            None | Some(Value::Null) if def.required => return Err(malformed(name, "required but missing".into())),
            None | Some(Value::Null) => {}
            Some(v) => {
                check(def, v.clone(), lenient).map_err(|p| malformed(name, p))?;
            }
        }
    }
    Ok(())
}

/// Apply decode steps to a received field.
pub fn decode(target: &str, field: &str, v: Value, steps: &[DecodeStep]) -> Result<Value, VerifyError> {
    let malformed = |problem: String| VerifyError::Malformed { target: target.into(), field: field.into(), problem };
    steps.iter().try_fold(v, |v, step| {
        let text = match &v {
            Value::String(s) => s.clone(),
            other => return Err(malformed(format!("cannot {step:?}-decode {}", crate::support::json_kind(other)))),
        };
        match step {
            DecodeStep::Base64 => {
                let bytes = crate::crypto::base64_lenient(&text).ok_or_else(|| malformed("not base64".into()))?;
                String::from_utf8(bytes)
                    .map(Value::String)
                    .map_err(|_| malformed("base64 content is not UTF-8 text".into()))
            }
            DecodeStep::Json => serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}"))),
        }
    })
}
