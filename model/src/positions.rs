//! One parse of a YAML text into serde_yaml's value tree and the source position of every node.
//!
//! [`parse`] reads the text once with yaml-rust2's marked event parser and builds both the value
//! (resolved as serde_yaml resolves it, so the model deserializes from it exactly as from
//! `serde_yaml::from_str`) and an index mapping a node path (`operations.refund.sign.digest`,
//! `codes[2]`) to where its key and value start. Texts it leaves aside (syntax errors, anchors, tags,
//! duplicate keys, …) are parsed by serde_yaml as before, with [`index`] alongside.

use serde_yaml::{Mapping, Value};
use std::collections::HashMap;
use std::num::ParseIntError;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Path → position (1-based line, column) of every node: where its key starts, or for a node without
/// a key (a list element, the document) where its value starts.
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Dotted node path → position.
    pub positions: HashMap<String, (usize, usize)>,
}

impl Index {
    /// Best position for a node: its key if it has one, else its value.
    pub fn at(&self, path: &str) -> Option<(usize, usize)> {
        self.positions.get(path).copied()
    }

    /// Whether the text has a node at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.positions.contains_key(path)
    }

    /// Position of a node, falling back to its nearest ancestor, then to the file start.
    pub fn nearest(&self, path: &str) -> (usize, usize) {
        let mut p = path;
        loop {
            if let Some(pos) = self.at(p) {
                return pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
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
        let mut p = String::with_capacity(parent.len() + 1 + key.len());
        p.push_str(parent);
        p.push('.');
        p.push_str(key);
        p
    }
}

fn pos(m: Marker) -> (usize, usize) {
    (m.line().max(1), m.col() + 1)
}

/// Index a YAML text. A text that does not parse yields what was seen before the error; where a key
/// appears twice, the index has its last occurrence.
///
/// The slow path of [`parse`]: used alongside serde_yaml's own parse when a text needs what [`parse`]
/// leaves to serde_yaml.
pub fn index(text: &str) -> Index {
    match walk(text, false) {
        Walk::Done(_, index) | Walk::Stopped(index) => index,
    }
}

/// Parse a YAML text once into serde_yaml's value tree and the position index of its nodes.
///
/// `None` when the text uses what only serde_yaml's own parse reproduces exactly: it does not parse
/// here (serde_yaml's libyaml words and position for the error), several documents, anchors and
/// aliases, tags, a key that is not a scalar, a duplicate key, an integer wider than 64 bits, or
/// nesting deeper than [`MAX_DEPTH`]. The caller then parses with serde_yaml and builds the index
/// with [`index`].
///
/// Scalars resolve as serde_yaml resolves them (YAML 1.2 core schema: `null`/`~`/empty, `true`/`false`
/// in three spellings, decimal/`0x`/`0o`/`0b` integers, floats with `.inf`/`.nan`, quoted and block
/// scalars always strings), so the tree is the value `serde_yaml::from_str` returns.
pub fn parse(text: &str) -> Option<(Value, Index)> {
    match walk(text, true) {
        Walk::Done(Some(value), index) => Some((value, index)),
        Walk::Done(None, _) | Walk::Stopped(_) => None,
    }
}

/// Deepest nesting [`parse`] builds; deeper texts go to serde_yaml, whose recursion limit (128) then
/// reports them as it always has.
const MAX_DEPTH: usize = 100;

/// A container being read: its path and (when building) its value.
enum Node {
    Map {
        path: String,
        /// Entries read so far (when building).
        map: Mapping,
        /// The key read, waiting for its value: the key's full path and (when building) its value.
        key: Option<(String, Value)>,
        /// No key read yet.
        first: bool,
    },
    Seq {
        path: String,
        len: usize,
        seq: Vec<Value>,
    },
}

enum Walk {
    /// The whole text was read; the value when building (and nothing was left to serde_yaml).
    Done(Option<Value>, Index),
    /// Reading stopped at a syntax error (or, when building, at something left to serde_yaml).
    Stopped(Index),
}

/// Read the text's events once, recording every node's position and, when `build`, its value.
fn walk(text: &str, build: bool) -> Walk {
    let mut parser = Parser::new_from_str(text);
    // About one node per 16 bytes of a spec: sized once instead of grown.
    let mut index = Index { positions: HashMap::with_capacity(text.len() / 16) };
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Value> = None;
    let mut documents = 0;
    // A block scalar (`|`, `>`) read at the end of a text without a final line break keeps one in
    // yaml-rust2, not in libyaml.
    let mut block_scalar = false;
    // Leave the text to serde_yaml (when building).
    macro_rules! aside {
        () => {
            if build {
                return Walk::Stopped(index);
            }
        };
    }
    // yaml-rust2 follows YAML 1.2 where libyaml (serde_yaml's parser) is stricter: tabs as separation
    // whitespace, `:` before `,` `?` `[` `]` `{` `}` (libyaml refuses it in a flow: `when:[1]`), empty keys (`[a, : b]`), keys over several
    // lines, plain scalars at an indicator (`[a, |b]`). Texts with those go to serde_yaml, so they are
    // refused (or read) as before; `agrees_with_serde_yaml_on_the_corpus_and_its_mutations` checks
    // that no other difference shows on thousands of mutated specs.
    if build && (text.contains('\t') || colon_before_flow_indicator(text)) {
        return Walk::Stopped(index);
    }
    loop {
        let Ok((ev, mark)) = parser.next_token() else { return Walk::Stopped(index) };
        match ev {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    // Only the first document is indexed (serde_yaml refuses several).
                    if build {
                        return Walk::Stopped(index);
                    }
                    break;
                }
            }
            Event::Scalar(text, style, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || (style == TScalarStyle::Plain && plain_is_unusual(&text)) {
                    aside!();
                }
                block_scalar |= matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                let key_path = match stack.last() {
                    Some(Node::Map { path, key: None, .. }) => Some(child(path, &text)),
                    _ => None,
                };
                let value = if build {
                    match resolve(text, style) {
                        Some(v) => v,
                        None => return Walk::Stopped(index),
                    }
                } else {
                    Value::Null
                };
                match (stack.last_mut(), key_path) {
                    (Some(Node::Map { path, key: key @ None, first, .. }), Some(key_path)) => {
                        if text_is_unusual_key(&key_path, path) {
                            aside!();
                        }
                        index.positions.insert(key_path.clone(), pos(mark));
                        // A block mapping starts at its first key (yaml-rust2 marks it at the `:`).
                        if std::mem::take(first) {
                            starts_at_first_key(&mut index, path, pos(mark));
                        }
                        *key = Some((key_path, value));
                    }
                    _ => {
                        let (p, keyed) = value_path(&mut stack);
                        if !keyed {
                            index.positions.insert(p, pos(mark));
                        }
                        if !build {
                            done(&mut stack);
                        } else if !attach(&mut stack, &mut root, value) {
                            return Walk::Stopped(index);
                        }
                    }
                }
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || stack.len() >= MAX_DEPTH {
                    aside!();
                }
                if matches!(stack.last(), Some(Node::Map { key: None, .. })) {
                    // A map or list as a key: left to serde_yaml; indexed as before (as the document).
                    aside!();
                }
                let (path, keyed) = value_path(&mut stack);
                if !keyed {
                    index.positions.insert(path.clone(), pos(mark));
                }
                stack.push(match ev {
                    Event::MappingStart(..) => Node::Map { path, map: Mapping::new(), key: None, first: true },
                    _ => Node::Seq { path, len: 0, seq: Vec::new() },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let value = match stack.pop() {
                    Some(Node::Map { map, key: None, .. }) => Value::Mapping(map),
                    Some(Node::Seq { seq, .. }) => Value::Sequence(seq),
                    _ => return Walk::Stopped(index),
                };
                if build {
                    if !attach(&mut stack, &mut root, value) {
                        return Walk::Stopped(index);
                    }
                } else {
                    done(&mut stack);
                }
            }
            Event::Alias(_) => {
                aside!();
                let (p, keyed) = value_path(&mut stack);
                if !keyed {
                    index.positions.insert(p, pos(mark));
                }
                done(&mut stack);
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
    }
    if !stack.is_empty() || (build && block_scalar && !text.ends_with('\n')) {
        return Walk::Stopped(index);
    }
    Walk::Done(build.then(|| root.unwrap_or(Value::Null)), index)
}

/// Whether a `:` outside quotes is followed by `,` `?` `[` `]` `{` `}` on some line. Quotes count
/// where a scalar can start (after a space, `[`, `{`, `,`, `:` or at the line start); a comment ends
/// the line. Wrong guesses only send a text to serde_yaml.
fn colon_before_flow_indicator(text: &str) -> bool {
    for line in text.lines() {
        let b = line.as_bytes();
        let mut quote: Option<u8> = None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let start = i == 0 || matches!(b[i - 1], b' ' | b'[' | b'{' | b',' | b':');
            match quote {
                Some(b'"') if c == b'\\' => i += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if (c == b'"' || c == b'\'') && start => quote = Some(c),
                None if c == b'#' && (i == 0 || b[i - 1] == b' ') => break,
                None if c == b':' && matches!(b.get(i + 1), Some(b',' | b'?' | b'[' | b']' | b'{' | b'}')) => {
                    return true
                }
                None => {}
            }
            i += 1;
        }
    }
    false
}

/// A plain scalar ending in `:` or starting with an indicator character (`[a, |b]`, `:x`): yaml-rust2
/// reads some of these where libyaml refuses them.
fn plain_is_unusual(text: &str) -> bool {
    text.ends_with(':')
        || text.starts_with([':', '?', '|', '>', '%', '@', '`', '!', '&', '*', '#', '\'', '"', '[', ']', '{', '}', ','])
}

/// An empty key, or one with a space (a key folded from several lines has one): read by serde_yaml.
fn text_is_unusual_key(key_path: &str, map_path: &str) -> bool {
    let key = &key_path[key_path.len().min(map_path.len() + usize::from(!map_path.is_empty()))..];
    key.is_empty() || key.contains([' ', '\n', '\r'])
}

/// A map in a list or at the top has no key: it is located where its first key starts.
fn starts_at_first_key(index: &mut Index, map_path: &str, key_pos: (usize, usize)) {
    if let Some(p) = index.positions.get_mut(map_path) {
        *p = (*p).min(key_pos);
    }
}

/// The path of the value about to start, and whether it sits under a key (then the key's position
/// stands for it). Counts a list element.
fn value_path(stack: &mut [Node]) -> (String, bool) {
    match stack.last_mut() {
        None => (String::new(), false),
        Some(Node::Map { key: Some((p, _)), .. }) => (p.clone(), true),
        // A value where a key is expected does not happen in a well-formed event stream.
        Some(Node::Map { path, key: None, .. }) => (path.clone(), true),
        Some(Node::Seq { path, len, .. }) => {
            let mut p = String::with_capacity(path.len() + 4);
            p.push_str(path);
            p.push('[');
            p.push_str(&len.to_string());
            p.push(']');
            *len += 1;
            (p, false)
        }
    }
}

/// A value is finished (not building): its map waits for the next key.
fn done(stack: &mut [Node]) {
    if let Some(Node::Map { key, .. }) = stack.last_mut() {
        *key = None;
    }
}

/// Put a finished value into its parent (or make it the root); false on a duplicate key.
fn attach(stack: &mut [Node], root: &mut Option<Value>, value: Value) -> bool {
    match stack.last_mut() {
        None if root.is_none() => *root = Some(value),
        None => return false,
        Some(Node::Map { map, key, .. }) => {
            let Some((_, k)) = key.take() else { return false };
            if map.insert(k, value).is_some() {
                return false;
            }
        }
        Some(Node::Seq { seq, .. }) => seq.push(value),
    }
    true
}

/// A scalar as serde_yaml 0.9 resolves it into a [`Value`] (its `de.rs`, `visit_untagged_scalar`);
/// `None` for an integer wider than 64 bits, left to serde_yaml.
fn resolve(owned: String, style: TScalarStyle) -> Option<Value> {
    if style != TScalarStyle::Plain {
        return Some(Value::String(owned));
    }
    let text = owned.as_str();
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
    if parse_unsigned_int(text, u128::from_str_radix).is_some()
        || parse_negative_int(text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(text)
        && let Some(f) = parse_f64(text)
    {
        return Some(Value::Number(f.into()));
    }
    Some(Value::String(owned))
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
        if let Some(rest) = scalar.strip_prefix(prefix)
            && let Ok(int) = from_str_radix(&format!("-{rest}"), radix)
        {
            return Some(int);
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
        let text = "a:\n  b: 1\n  c: [x, {d: 2}]\ne: { f: g }\nl:\n  - k: 1\n    m: 2\n";
        for ix in [index(text), parse(text).unwrap().1] {
            assert_eq!(ix.at("a.b"), Some((2, 3)));
            assert_eq!(ix.at("a.c[0]"), Some((3, 7)));
            assert_eq!(ix.at("a.c[1].d"), Some((3, 11)));
            assert_eq!(ix.at("e.f"), Some((4, 6)));
            // A block mapping in a list starts at its first key.
            assert_eq!(ix.at("l[0]"), Some((6, 5)));
            assert_eq!(ix.nearest("a.c[1].d.zz"), (3, 11));
        }
    }

    #[test]
    fn the_tree_is_serde_yamls_value() {
        let text = "a: [1, -2, 0x1f, 0o17, 017, +3, 1.5, .inf, -.Inf, .nan, ~, null, '', true, False, 'true', x]\n\
                    b: |\n  line\n  next\nc: >-\n  folded\n  text\n\"d\": \"q\\u00e9\"\n1: one\n";
        let (value, _) = parse(text).unwrap();
        let expected: Value = serde_yaml::from_str(text).unwrap();
        // NaN is not equal to itself: compare the text of both trees.
        assert_eq!(format!("{value:?}"), format!("{expected:?}"));
    }

    #[test]
    fn what_serde_yaml_reads_differently_is_left_to_it() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !tag 1\n",
            "a: 1\na: 2\n",
            "a: 1\n---\nb: 2\n",
            "a: 340282366920938463463374607431768211455\n",
            "? [a]\n: 1\n",
            "a: [unclosed\n",
        ] {
            assert!(parse(text).is_none(), "{text}");
        }
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep).is_none());
    }

    /// A spec cut into small valid YAML texts: each top-level entry, and a long one entry by entry
    /// (under its top-level key).
    fn pieces(spec: &str) -> Vec<String> {
        let mut tops: Vec<Vec<&str>> = Vec::new();
        for line in spec.lines() {
            if !line.starts_with([' ', '#']) && !line.is_empty() || tops.is_empty() {
                tops.push(Vec::new());
            }
            tops.last_mut().unwrap().push(line);
        }
        let mut out = Vec::new();
        for top in tops {
            if top.len() <= 40 {
                out.push(top.join("\n") + "\n");
                continue;
            }
            let mut entry = vec![top[0]];
            for line in &top[1..] {
                if line.starts_with("  ") && !line.starts_with("   ") && entry.len() > 1 {
                    out.push(entry.join("\n") + "\n");
                    entry = vec![top[0]];
                }
                entry.push(line);
            }
            out.push(entry.join("\n") + "\n");
        }
        out
    }

    /// The single parse agrees with serde_yaml on every text of the repository (seed specs, UI cases)
    /// and on mutations of the seeds: where it builds a tree, serde_yaml reads the same tree; where
    /// serde_yaml refuses a text, it builds none (so serde_yaml's error is reported, as before).
    #[test]
    fn agrees_with_serde_yaml_on_the_corpus_and_its_mutations() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |dir: std::path::PathBuf| -> Vec<String> {
            let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
            paths.sort();
            // `load_str` drops a byte order mark before parsing.
            paths
                .iter()
                .map(|p| std::fs::read_to_string(p).unwrap().trim_start_matches('\u{feff}').to_string())
                .collect()
        };
        let seeds = read(root.join("../specs"));
        // Every shipped spec is read by the single parse alone.
        assert!(seeds.iter().all(|s| parse(s).is_some()));
        let mut texts: Vec<String> = seeds.iter().cloned().chain(read(root.join("tests/ui"))).collect();
        // Deterministic mutations of small valid pieces of the seeds (small texts keep this quick): a
        // character removed, or one of the characters YAML is picky about inserted.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for piece in seeds.iter().flat_map(|s| pieces(s)) {
            let chars: Vec<char> = piece.chars().collect();
            for _ in 0..3 {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let at = (state >> 33) as usize % chars.len().max(1);
                for insert in "\0: \t\"'-\n{}[],#?|>&*!%@\\".chars() {
                    let mut m = chars.clone();
                    if insert == '\0' {
                        m.remove(at);
                    } else {
                        m.insert(at, insert);
                    }
                    texts.push(m.into_iter().collect());
                }
            }
        }
        // Each text is checked on its own: the corpus is split over the available cores (a failing
        // text panics its thread, and the panic is re-raised here).
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = texts.len().div_ceil(workers).max(1);
        let counts: Vec<(usize, usize, usize)> = std::thread::scope(|s| {
            let handles: Vec<_> = texts.chunks(chunk).map(|part| s.spawn(move || differ(part))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        let (built, aside, refused) = counts.into_iter().fold((0, 0, 0), |(b, a, r), (x, y, z)| (b + x, a + y, r + z));
        eprintln!("{built} built, {aside} read by serde_yaml, {refused} refused by both");
        assert!(built > aside, "{built} built, {aside} read by serde_yaml, {refused} refused by both");
    }

    /// Parse each text both ways; panic where they disagree. Counts: built by both, read by
    /// serde_yaml alone (left aside by the single parse), refused by both.
    fn differ(texts: &[String]) -> (usize, usize, usize) {
        let (mut built, mut aside, mut refused) = (0, 0, 0);
        for text in texts {
            let ours = parse(text).map(|(v, _)| v);
            let theirs = serde_yaml::from_str::<Value>(text);
            match (ours, theirs) {
                (Some(a), Ok(b)) => {
                    let (a, b) = (format!("{a:?}"), format!("{b:?}"));
                    if a != b {
                        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                        let ctx =
                            |s: &str| s.get(at.saturating_sub(80)..(at + 80).min(s.len())).unwrap_or("").to_string();
                        panic!("the trees differ:\n ours:   …{}…\n theirs: …{}…", ctx(&a), ctx(&b));
                    }
                    built += 1;
                }
                (Some(_), Err(e)) => {
                    let line = e.location().map_or(0, |l| l.line() - 1);
                    panic!(
                        "serde_yaml refuses ({e}) what the single parse reads:\n{}",
                        text.lines().nth(line).unwrap_or("")
                    );
                }
                (None, Ok(_)) => aside += 1,
                (None, Err(_)) => refused += 1,
            }
        }
        (built, aside, refused)
    }
}
