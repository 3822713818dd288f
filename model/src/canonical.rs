//! Whether a verified message can be parsed back into its fields one way only.
//!
//! A message that puts received values next to each other can let a forger move characters from one
//! field into the next without changing the string that was signed: `concat: [id, amount]` signs
//! `"ab" + "12"` and `"ab1" + "2"` the same. Two tools keep that out:
//!
//! - **Lint** ([`part_width`]): in a `concat` (a `join` with separator `""`) of a verify recipe, every
//!   received part followed by another received part must be self-delimiting (a fixed width or a
//!   prefix-free set of values).
//! - **Verification** ([`received_rules`]): a received value must not contain a separator of the
//!   message it sits in (a `join` separator, a raw `pairs` separator or key/value separator), and a
//!   value padded with `pad_left` must not be wider than the pad width. Both the interpreter and the
//!   generated verifiers apply these rules to a received payload before its signature is checked.

use crate::model::{Field, FieldType, Item, Message, PairEncoding, Recipe, Source};
use indexmap::IndexMap;

/// How wide a part of a `concat` is, as far as a verifier can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// No received value inside: credentials and literals, the same in every payload.
    Constant,
    /// Received, but where it ends is known without looking at what follows: a fixed width (an exact
    /// length, a pattern of fixed length, a `pad_left` width) or a prefix-free set of values (an
    /// enum none of whose values starts another, a boolean).
    Delimited,
    /// Received, and of variable width: characters can move across its end.
    Variable,
}

/// A rule a received value must satisfy before a signature over it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceivedRule {
    /// The field at `field` (a path into the payload) must not contain any of `seps`.
    NoSeparator {
        /// Path of the field (`data.amount` is `["data", "amount"]`).
        field: Vec<String>,
        /// Separators of the messages the field sits in (non-empty strings).
        seps: Vec<String>,
    },
    /// No received field name or value other than `exclude` may contain any of `seps` (raw `pairs`
    /// over every received field).
    NoSeparatorAnyField {
        /// Fields left out of the message (the signature field and `pairs.exclude`).
        exclude: Vec<String>,
        /// The pairs' separators and those of the messages around them.
        seps: Vec<String>,
    },
    /// The field at `field`, rendered as text, must be at most `width` characters (it is left-padded
    /// to that width, so a longer value would make the padded part wider than the rest assumes).
    MaxWidth {
        /// Path of the field.
        field: Vec<String>,
        /// The `pad_left` width.
        width: usize,
    },
}

/// The rules a payload verified with `recipe` must satisfy, in message order.
pub fn received_rules(recipe: &Recipe) -> Vec<ReceivedRule> {
    let mut out = Vec::new();
    let sig = recipe.place.field().map(str::to_string);
    walk(&recipe.message, &[], sig.as_deref(), &mut out);
    out
}

fn walk(m: &Message, seps: &[String], sig: Option<&str>, out: &mut Vec<ReceivedRule>) {
    match m {
        Message::Value(item) => rules_of_item(item, seps, out),
        Message::Join { sep, parts } => {
            let mut inner = seps.to_vec();
            if !sep.is_empty() && !inner.contains(sep) {
                inner.push(sep.clone());
            }
            for p in parts {
                walk(&p.message, &inner, sig, out);
            }
        }
        Message::Pairs(p) => {
            let mut inner = seps.to_vec();
            if p.encode == PairEncoding::Raw {
                for s in [&p.sep, &p.kv] {
                    if !s.is_empty() && !inner.contains(s) {
                        inner.push(s.clone());
                    }
                }
            }
            match &p.items {
                Some(items) => {
                    for item in items {
                        rules_of_item(item, &inner, out);
                    }
                }
                None if !inner.is_empty() => {
                    let mut exclude: Vec<String> = sig.map(str::to_string).into_iter().collect();
                    exclude.extend(p.exclude.iter().cloned());
                    out.push(ReceivedRule::NoSeparatorAnyField { exclude, seps: inner });
                }
                None => {}
            }
        }
        // Header and claims are JSON-encoded: their values cannot break out of their strings.
        Message::Jwt(_) => {}
    }
}

fn rules_of_item(item: &Item, seps: &[String], out: &mut Vec<ReceivedRule>) {
    let Source::Field(path) = &item.source else { return };
    if !seps.is_empty() {
        out.push(ReceivedRule::NoSeparator { field: path.clone(), seps: seps.to_vec() });
    }
    if let (Some(pad), None) = (&item.pad_left, item.add) {
        out.push(ReceivedRule::MaxWidth { field: path.clone(), width: pad.width });
    }
}

/// The width class of a `concat` part when verifying a payload whose fields are `fields`.
/// `optional` is the part's own `optional` flag (an optional received part may be absent, so its
/// width is not fixed).
pub fn part_width(m: &Message, optional: bool, fields: &IndexMap<String, Field>) -> Width {
    let w = match m {
        Message::Value(item) => item_width(item, fields),
        Message::Join { parts, .. } => {
            let widths: Vec<Width> = parts.iter().map(|p| part_width(&p.message, p.optional, fields)).collect();
            if widths.iter().all(|w| *w == Width::Constant) {
                Width::Constant
            } else if widths.iter().all(|w| *w != Width::Variable) {
                // Every part delimited (optional received parts are `Variable` already), and the
                // separator constant, so the joined text is too.
                Width::Delimited
            } else {
                Width::Variable
            }
        }
        Message::Pairs(p) => match &p.items {
            Some(items) if items.iter().all(|i| item_width(i, fields) == Width::Constant) => Width::Constant,
            _ => Width::Variable,
        },
        Message::Jwt(j) => {
            if j.header.values().chain(j.claims.values()).all(|i| item_width(i, fields) == Width::Constant) {
                Width::Constant
            } else {
                Width::Variable
            }
        }
    };
    if optional && w != Width::Constant {
        Width::Variable
    } else {
        w
    }
}

/// The width class of one item.
pub fn item_width(item: &Item, fields: &IndexMap<String, Field>) -> Width {
    let w = match &item.source {
        Source::Credential(_) | Source::Literal(_) | Source::Context(_) => return Width::Constant,
        Source::Template(t) => {
            if placeholders(t)
                .iter()
                .all(|p| !matches!(Item::try_from(p.clone()).map(|i| i.source), Ok(Source::Field(_))))
            {
                return Width::Constant;
            }
            Width::Variable
        }
        // Values longer than the pad width are refused, so a padded value has exactly that width.
        Source::Field(_) if item.pad_left.is_some() => Width::Delimited,
        Source::Field(path) => match lookup(fields, path) {
            Some(f) if delimited(f) => Width::Delimited,
            _ => Width::Variable,
        },
    };
    if item.optional {
        Width::Variable
    } else {
        w
    }
}

fn placeholders(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else { break };
        out.push(rest[open + 1..close].to_string());
        rest = &rest[close + 1..];
    }
    out
}

/// The definition of the field at `path` (into objects).
pub fn lookup<'f>(fields: &'f IndexMap<String, Field>, path: &[String]) -> Option<&'f Field> {
    let (first, rest) = path.split_first()?;
    let f = fields.get(first)?;
    if rest.is_empty() {
        Some(f)
    } else {
        lookup(&f.fields, rest)
    }
}

/// Whether every value a field accepts ends where it is known to end: an exact length
/// (`min_len` = `max_len` on a string field — a scalar's number would skip the length check), a
/// pattern whose matches all have one length, a string enum none of whose values is a prefix of
/// another, or a boolean.
pub fn delimited(f: &Field) -> bool {
    let exact_len = matches!(f.ty, FieldType::String | FieldType::JsonText)
        && matches!((f.min_len, f.max_len), (Some(a), Some(b)) if a == b);
    let fixed_pattern = f.pattern.as_deref().is_some_and(|p| pattern_width(p).is_some());
    let prefix_free_enum = f.ty == FieldType::String
        && !f.values.is_empty()
        && f.values.iter().all(|a| f.values.iter().all(|b| a == b || !b.starts_with(a.as_str())));
    exact_len || fixed_pattern || prefix_free_enum || f.ty == FieldType::Bool
}

/// The length in bytes every whole match of `pattern` has, if they all have one.
pub fn pattern_width(pattern: &str) -> Option<usize> {
    let hir = regex_syntax::parse(&format!("^(?:{pattern})$")).ok()?;
    let props = hir.properties();
    match (props.minimum_len(), props.maximum_len()) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_widths() {
        assert_eq!(pattern_width("^[0-9]{10}$"), Some(10));
        assert_eq!(pattern_width("[0-9]{4}-[0-9]{2}"), Some(7));
        assert_eq!(pattern_width("^[0-9]{1,10}$"), None);
        assert_eq!(pattern_width("^[0-9]+$"), None);
        assert_eq!(pattern_width("a|bc"), None);
    }
}
