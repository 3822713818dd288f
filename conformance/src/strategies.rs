//! proptest strategies for inputs that respect a spec's field types and limits — with Unicode,
//! separators (`|`, `&`, `=`, `\n`) and empty optionals — plus single-field mutations.

use indexmap::IndexMap;
use payspec_model::{Field, FieldType, Location, Operation};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

/// Text with the characters that break naive canonicalisers. Built once per length range and thread
/// (every field of every property asks for one; parsing the four regexes dominated building them).
fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    let max = max.min(24).max(min);
    thread_local! {
        static BUILT: std::cell::RefCell<std::collections::HashMap<(usize, usize), BoxedStrategy<String>>> =
            Default::default();
    }
    BUILT.with(|b| b.borrow_mut().entry((min, max)).or_insert_with(|| build_text(min, max)).clone())
}

fn build_text(min: usize, max: usize) -> BoxedStrategy<String> {
    prop_oneof![
        3 => proptest::string::string_regex(&format!("[a-zA-Z0-9 ]{{{min},{max}}}")).expect("valid regex"),
        2 => proptest::string::string_regex(&format!("[a-z|&=\\n*~%+/:#]{{{min},{max}}}")).expect("valid regex"),
        2 => proptest::string::string_regex(&format!("[a-zàáảãạăắđêếệôơưữỳ ]{{{min},{max}}}")).expect("valid regex"),
        1 => proptest::string::string_regex(&format!("\\PC{{{min},{max}}}")).expect("valid regex"),
    ]
    .boxed()
}

fn len_ok(f: &Field, s: &str) -> bool {
    let n = s.chars().count();
    f.max_len.is_none_or(|m| n <= m) && f.min_len.is_none_or(|m| n >= m)
}

fn number(n: &payspec_model::Number) -> i64 {
    n.as_i64().unwrap_or_else(|| n.as_f64().unwrap_or(0.0).ceil() as i64)
}

/// A strategy for one valid value of `f`. A value that travels as a header holds no control
/// character (signing refuses one: header injection).
pub fn value(f: &Field) -> BoxedStrategy<Value> {
    let v = any_value(f);
    if f.location != Location::Header {
        return v;
    }
    v.prop_filter("a header value has no control character", |v| {
        v.as_str().is_none_or(|s| payspec::support::header_problem(s).is_none())
    })
    .boxed()
}

fn any_value(f: &Field) -> BoxedStrategy<Value> {
    if !f.values.is_empty() {
        return select(f.values.clone()).prop_map(Value::String).boxed();
    }
    let field = f.clone();
    match f.ty {
        FieldType::String | FieldType::Scalar if f.pattern.is_some() => {
            let p = f.pattern.as_deref().unwrap_or_default();
            let p = p.strip_prefix('^').unwrap_or(p);
            let p = p.strip_suffix('$').unwrap_or(p);
            proptest::string::string_regex(p)
                .map(|s| s.prop_filter("length limits", move |s| len_ok(&field, s)).prop_map(Value::String).boxed())
                .unwrap_or_else(|_| Just(Value::String("x".into())).boxed())
        }
        FieldType::String => text(f.min_len.unwrap_or(0), f.max_len.unwrap_or(24))
            .prop_filter("length limits", move |s| len_ok(&field, s))
            .prop_map(Value::String)
            .boxed(),
        FieldType::Scalar => prop_oneof![
            text(f.min_len.unwrap_or(1).max(1), f.max_len.unwrap_or(16))
                .prop_filter("length limits", move |s| len_ok(&field, s))
                .prop_map(Value::String),
            (0i64..1_000_000_000).prop_map(Value::from),
        ]
        .boxed(),
        FieldType::Integer => {
            let lo = f.min.as_ref().map(number).unwrap_or(-1_000_000);
            let hi = f.max.as_ref().map(number).unwrap_or(1_000_000_000_000);
            (lo..=hi.max(lo)).prop_map(Value::from).boxed()
        }
        FieldType::Decimal => {
            // Compiled once per strategy, not once per generated value.
            let pattern: Option<Option<regex::Regex>> =
                f.pattern.as_ref().map(|p| regex::Regex::new(&format!("^(?:{p})$")).ok());
            let lo = f.min.as_ref().map(|m| number(m).max(0)).unwrap_or(0);
            let hi = f.max.as_ref().map(number).unwrap_or(10_000_000).max(lo + 1);
            (lo..hi, 0u32..100, 0usize..3)
                .prop_map(|(int, frac, scale)| match scale {
                    0 => int.to_string(),
                    1 => format!("{int}.{}", frac % 10),
                    _ => format!("{int}.{frac:02}"),
                })
                .prop_filter("decimal limits", move |t| {
                    // `None`: no pattern; `Some(None)`: a pattern that does not compile (nothing passes).
                    let re_ok = pattern.as_ref().is_none_or(|r| r.as_ref().is_some_and(|r| r.is_match(t)));
                    let v: f64 = t.parse().unwrap_or(0.0);
                    re_ok
                        && field.min.as_ref().is_none_or(|m| v >= m.as_f64().unwrap_or(0.0))
                        && field.max.as_ref().is_none_or(|m| v <= m.as_f64().unwrap_or(f64::MAX))
                })
                .prop_map(|t| Value::Number(t.parse::<Number>().expect("decimal text is a JSON number")))
                .boxed()
        }
        FieldType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        FieldType::JsonText => prop_oneof![
            Just("{}".to_string()),
            Just("[]".to_string()),
            text(0, 12).prop_map(|s| serde_json::json!({ "k": s, "n": 1 }).to_string()),
        ]
        .prop_filter("length limits", move |s| len_ok(&field, s))
        .prop_map(Value::String)
        .boxed(),
        FieldType::Object => object(&f.fields, &[], &[], &[]).prop_map(Value::Object).boxed(),
    }
}

/// A strategy for an object of `fields`: required fields always, optional ones sometimes, one field
/// of each `one_of` group, at least one of each `any_of` group, all or none of each `all_or_none`
/// group. Fields with a `from:` default
/// are sometimes left to their default.
pub fn object(
    fields: &IndexMap<String, Field>,
    one_of: &[Vec<String>],
    any_of: &[Vec<String>],
    all_or_none: &[Vec<String>],
) -> BoxedStrategy<Map<String, Value>> {
    let in_group = |n: &String| one_of.iter().chain(any_of).chain(all_or_none).any(|g| g.contains(n));
    let mut parts: Vec<BoxedStrategy<Vec<(String, Value)>>> = Vec::new();
    for (name, f) in fields {
        if in_group(name) {
            continue;
        }
        let n = name.clone();
        let v = value(f);
        parts.push(if f.required && f.from.is_none() {
            v.prop_map(move |v| vec![(n.clone(), v)]).boxed()
        } else {
            proptest::option::of(v).prop_map(move |v| v.map(|v| (n.clone(), v)).into_iter().collect()).boxed()
        });
    }
    for g in one_of {
        let choices: Vec<BoxedStrategy<Vec<(String, Value)>>> = g
            .iter()
            .filter_map(|n| fields.get(n).map(|f| (n.clone(), f)))
            .map(|(n, f)| value(f).prop_map(move |v| vec![(n.clone(), v)]).boxed())
            .collect();
        if !choices.is_empty() {
            parts.push(proptest::strategy::Union::new(choices).boxed());
        }
    }
    for g in any_of {
        // Each member sometimes; when none is drawn, the first member is there.
        let members: Vec<(String, BoxedStrategy<Value>)> =
            g.iter().filter_map(|n| fields.get(n).map(|f| (n.clone(), value(f)))).collect();
        let Some((first, first_value)) = members.first().cloned() else {
            continue;
        };
        let draws: Vec<BoxedStrategy<Option<(String, Value)>>> = members
            .into_iter()
            .map(|(name, v)| proptest::option::of(v).prop_map(move |v| v.map(|v| (name.clone(), v))).boxed())
            .collect();
        parts.push(
            (draws, first_value)
                .prop_map(move |(drawn, v)| {
                    let mut present: Vec<(String, Value)> = drawn.into_iter().flatten().collect();
                    if present.is_empty() {
                        present.push((first.clone(), v));
                    }
                    present
                })
                .boxed(),
        );
    }
    for g in all_or_none {
        let members: Vec<BoxedStrategy<(String, Value)>> = g
            .iter()
            .filter_map(|n| fields.get(n).map(|f| (n.clone(), f)))
            .map(|(n, f)| value(f).prop_map(move |v| (n.clone(), v)).boxed())
            .collect();
        parts.push(proptest::option::of(members).prop_map(|m| m.unwrap_or_default()).boxed());
    }
    let order: Vec<String> = fields.keys().cloned().collect();
    parts
        .prop_map(move |chunks| {
            let mut all: Vec<(String, Value)> = chunks.into_iter().flatten().collect();
            all.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
            all.into_iter().collect()
        })
        .boxed()
}

/// A strategy for an object with every field present (objects walked into): received payloads.
pub fn full_object(fields: &IndexMap<String, Field>) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<(String, Value)>> = fields
        .iter()
        .map(|(n, f)| {
            let n = n.clone();
            let v = if f.ty == FieldType::Object && !f.fields.is_empty() {
                full_object(&f.fields).prop_map(Value::Object).boxed()
            } else {
                value(f)
            };
            v.prop_map(move |v| (n.clone(), v)).boxed()
        })
        .collect();
    parts.prop_map(|p| p.into_iter().collect()).boxed()
}

/// A strategy for valid request inputs of `op`.
pub fn request(op: &Operation) -> BoxedStrategy<Map<String, Value>> {
    // A path value is never empty; with `omit_empty`, an empty optional text value counts as absent,
    // so a present one is not empty either.
    let mut fields = op.request.clone();
    for f in fields.values_mut() {
        let text = matches!(f.ty, FieldType::String | FieldType::JsonText | FieldType::Scalar);
        if text && (f.location == Location::Path || (op.omit_empty && !f.required)) {
            f.min_len = Some(f.min_len.unwrap_or(0).max(1));
        }
    }
    object(&fields, &op.one_of, &op.any_of, &op.all_or_none)
}

/// Fields that travel on the wire (everything but pure local values).
pub fn wire_fields(op: &Operation) -> impl Iterator<Item = (&String, &Field)> {
    op.request
        .iter()
        .filter(|(_, f)| matches!(f.location, Location::Body | Location::Query | Location::Path | Location::Header))
}

/// A different value for `v` that still respects `f`'s limits where it can.
pub fn mutate(f: &Field, v: &Value) -> Option<Value> {
    if !f.values.is_empty() {
        return f.values.iter().find(|e| Value::String((*e).clone()) != *v).map(|e| Value::String(e.clone()));
    }
    Some(match v {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) if n.is_i64() => {
            let i = n.as_i64()?;
            let up = f.max.as_ref().is_none_or(|m| i < number(m));
            Value::from(if up { i + 1 } else { i - 1 })
        }
        Value::Number(n) => {
            let t = n.to_string();
            let d: rust_decimal::Decimal = t.parse().ok()?;
            let step = rust_decimal::Decimal::new(1, d.scale());
            let up = f
                .max
                .as_ref()
                .is_none_or(|m| m.as_f64().unwrap_or(f64::MAX) > (d + step).to_string().parse::<f64>().unwrap_or(0.0));
            Value::Number((if up { d + step } else { d - step }).to_string().parse().ok()?)
        }
        Value::String(s) if f.ty == FieldType::JsonText => {
            Value::String(if s == "{}" { "[]".into() } else { "{}".into() })
        }
        Value::String(s) => {
            // Change the last character to another of the same class, so patterns still match.
            let mut chars: Vec<char> = s.chars().collect();
            match chars.last_mut() {
                Some(c) => {
                    *c = match *c {
                        '0'..='8' | 'a'..='y' | 'A'..='Y' => char::from_u32(*c as u32 + 1)?,
                        '9' => '0',
                        'z' => 'a',
                        'Z' => 'A',
                        _ => 'x',
                    }
                }
                None => chars.push('x'),
            }
            Value::String(chars.into_iter().collect())
        }
        Value::Object(m) => {
            let (k, sub) = m.iter().next()?;
            let mut m = m.clone();
            m.insert(k.clone(), mutate(f.fields.get(k)?, sub)?);
            Value::Object(m)
        }
        _ => return None,
    })
}
