//! One parse of a YAML text into serde_yaml's value tree and the source position of every node.
//!
//! [`parse`] reads the text once with yaml-rust2's marked event parser and builds both the value
//! (resolved as serde_yaml resolves it, so the model deserializes from it exactly as from
//! `serde_yaml::from_str`) and an index mapping a node path (`operations.refund.sign.digest`,
//! `codes[2]`) to where its key and value start. Texts it leaves aside (syntax errors, anchors, tags,
//! duplicate keys, …) are parsed by serde_yaml as before, with [`index`] alongside.

use std::collections::HashMap;
use serde_yaml::{Mapping, Value};
use std::num::ParseIntError;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Path → positions (1-based line, column).
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Where the key of a map entry starts.
    pub keys: HashMap<String, (usize, usize)>,
    /// Where a node's value starts.
    pub values: HashMap<String, (usize, usize)>,
}

impl Index {
    /// Best position for a node: its key if it has one, else its value.
    pub fn at(&self, path: &str) -> Option<(usize, usize)> {
        self.keys.get(path).or_else(|| self.values.get(path)).copied()
    }

    /// Position of a node, falling back to its nearest ancestor, then to the file start.
    pub fn nearest(&self, path: &str) -> (usize, usize) {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.at(&p) {
                return pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return (1, 1),
            }
        }
    }
}

/// Join a parent path and a child segment.
pub fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    index: Index,
}

fn pos(m: Marker) -> (usize, usize) {
    (m.line().max(1), m.col() + 1)
}

impl Builder {
    /// The path of the value about to start, or `None` when a map key is expected.
    fn value_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map { path, key: Some(k) }) => Some(child(path, k)),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
        }
    }

    fn value_done(&mut self) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => match self.value_path() {
                None => {
                    if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                        self.index.keys.insert(child(path, &text), pos(mark));
                        *key = Some(text);
                    }
                }
                Some(p) => {
                    self.index.values.insert(p, pos(mark));
                    self.value_done();
                }
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let p = self.value_path().unwrap_or_default();
                self.index.values.insert(p.clone(), pos(mark));
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { path: p, key: None }
                } else {
                    Frame::Seq { path: p, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            Event::Alias(_) => {
                if let Some(p) = self.value_path() {
                    self.index.values.insert(p, pos(mark));
                }
                self.value_done();
            }
            _ => {}
        }
    }
}

/// Index a YAML text. A text that does not parse yields what was seen before the error.
///
/// The slow path of [`parse`]: used with serde_yaml's own parse when a text needs what [`parse`] leaves
/// to serde_yaml.
pub fn index(text: &str) -> Index {
    let mut b = Builder::default();
    let _ = Parser::new_from_str(text).load(&mut b, false);
    b.index
}

/// Deepest nesting [`parse`] builds; deeper texts go to serde_yaml, whose recursion limit (128) then
/// reports them as it always has.
const MAX_DEPTH: usize = 100;

/// A container being built, with the path and position bookkeeping of its entries.
enum Node {
    Map {
        path: String,
        map: Mapping,
        /// The key read, waiting for its value: (key as a value, its text).
        key: Option<(Value, String)>,
    },
    Seq {
        path: String,
        seq: Vec<Value>,
    },
}

/// Parse a YAML text once into serde_yaml's value tree and the position index of its nodes.
///
/// `None` when the text uses what only serde_yaml's own parse reproduces exactly: it does not parse
/// here (serde_yaml's libyaml words and position for the error), several documents, anchors and
/// aliases, tags, a duplicate key, an integer wider than 64 bits, or nesting deeper than
/// [`MAX_DEPTH`]. The caller then parses with serde_yaml and builds the index with [`index`].
///
/// Scalars resolve as serde_yaml resolves them (YAML 1.2 core schema: `null`/`~`/empty, `true`/`false`
/// in three spellings, decimal/`0x`/`0o`/`0b` integers, floats with `.inf`/`.nan`, quoted and block
/// scalars always strings), so the tree is the value `serde_yaml::from_str` returns.
pub fn parse(text: &str) -> Option<(Value, Index)> {
    let mut parser = Parser::new_from_str(text);
    let mut index = Index::default();
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Value> = None;
    let mut documents = 0;
    loop {
        let (ev, mark) = parser.next_token().ok()?;
        // The path of a value about to start (a map's key is read first).
        let value_path = |stack: &mut Vec<Node>| -> Option<String> {
            match stack.last_mut() {
                None => Some(String::new()),
                Some(Node::Map { key: None, .. }) => None,
                Some(Node::Map { path, key: Some((_, k)), .. }) => Some(child(path, k)),
                Some(Node::Seq { path, seq }) => Some(format!("{path}[{}]", seq.len())),
            }
        };
        match ev {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                let value = resolve(&text, style)?;
                match value_path(&mut stack) {
                    None => {
                        let Some(Node::Map { path, map, key }) = stack.last_mut() else { return None };
                        if map.contains_key(&value) {
                            return None;
                        }
                        index.keys.insert(child(path, &text), pos(mark));
                        *key = Some((value, text));
                    }
                    Some(p) => {
                        index.values.insert(p, pos(mark));
                        attach(&mut stack, &mut root, value)?;
                    }
                }
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || stack.len() >= MAX_DEPTH {
                    return None;
                }
                let path = value_path(&mut stack).unwrap_or_default();
                index.values.insert(path.clone(), pos(mark));
                stack.push(match ev {
                    Event::MappingStart(..) => Node::Map { path, map: Mapping::new(), key: None },
                    _ => Node::Seq { path, seq: Vec::new() },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let value = match stack.pop()? {
                    Node::Map { map, key: None, .. } => Value::Mapping(map),
                    Node::Seq { seq, .. } => Value::Sequence(seq),
                    Node::Map { key: Some(_), .. } => return None,
                };
                attach(&mut stack, &mut root, value)?;
            }
            Event::Alias(_) => return None,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some((root.unwrap_or(Value::Null), index))
}

/// Put a finished value into its parent (or make it the root).
fn attach(stack: &mut [Node], root: &mut Option<Value>, value: Value) -> Option<()> {
    match stack.last_mut() {
        None if root.is_none() => *root = Some(value),
        None => return None,
        Some(Node::Map { map, key, .. }) => {
            let (k, _) = key.take()?;
            map.insert(k, value);
        }
        Some(Node::Seq { seq, .. }) => seq.push(value),
    }
    Some(())
}

/// A scalar as serde_yaml 0.9 resolves it into a [`Value`] (its `de.rs`, `visit_untagged_scalar`);
/// `None` for an integer wider than 64 bits, left to serde_yaml.
fn resolve(text: &str, style: TScalarStyle) -> Option<Value> {
    if style != TScalarStyle::Plain {
        return Some(Value::String(text.to_string()));
    }
    if text.is_empty() || matches!(text, "null" | "Null" | "NULL" | "~") {
        return Some(Value::Null);
    }
    match text {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = parse_unsigned_int(text, u64::from_str_radix) {
        return Some(Value::Number(n.into()));
    }
    if let Some(n) = parse_negative_int(text, i64::from_str_radix) {
        return Some(Value::Number(n.into()));
    }
    if parse_unsigned_int(text, u128::from_str_radix).is_some() || parse_negative_int(text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(text) {
        if let Some(f) = parse_f64(text) {
            return Some(Value::Number(f.into()));
        }
    }
    Some(Value::String(text.to_string()))
}

// serde_yaml 0.9.34's number resolution, verbatim in behaviour (MIT OR Apache-2.0, David Tolnay).

fn parse_unsigned_int<T>(scalar: &str, from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(scalar: &str, from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_keys_values_and_sequences() {
        let ix = index("a:\n  b: 1\n  c: [x, {d: 2}]\ne: { f: g }\n");
        assert_eq!(ix.keys["a.b"], (2, 3));
        assert_eq!(ix.values["a.b"], (2, 6));
        assert_eq!(ix.values["a.c[0]"], (3, 7));
        assert_eq!(ix.keys["a.c[1].d"], (3, 11));
        assert_eq!(ix.keys["e.f"], (4, 6));
        assert_eq!(ix.nearest("a.c[1].d.zz"), (3, 11));
    }
}
