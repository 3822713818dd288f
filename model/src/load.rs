//! Loading a spec file: YAML → model, with every error located and all errors of a file together.
//!
//! serde stops at the first error, so structural errors are collected by pruning: report the error at
//! its path, remove the smallest user-named entry that contains it (a field, an operation, a code row)
//! or the unknown key itself, and deserialize again. Semantic checks then run on what is left.

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Spec;
use crate::positions;
use crate::validate;
use serde_yaml::Value;
use std::path::Path;

/// Keys whose children are user-named entries (removable one by one).
const COLLECTIONS: &[&str] = &[
    "environments",
    "credentials",
    "recipes",
    "status_tables",
    "operations",
    "callbacks",
    "request",
    "fields",
    "codes",
    "decode",
    "reply",
    "headers",
];

/// Load and validate a spec from text. `file` names it in diagnostics.
///
/// Returns every problem of the text at once (structural and semantic), each at its `file:line:col`.
///
/// ```
/// let text = "\
/// provider: x
/// title: X
/// environments: { sandbox: https://x.test }
/// credentials: { key: { secret: true } }
/// operations: {}
/// ";
/// let spec = payspec_model::load_str("specs/x.yaml", text).unwrap();
/// assert_eq!(spec.environments["sandbox"].get("api"), Some("https://x.test"));
///
/// let bad = text.replace("provider: x", "provider: X").replace("title: X", "title: X\ncolour: red");
/// let errors = payspec_model::load_str("specs/x.yaml", &bad).unwrap_err();
/// assert_eq!(errors.0.len(), 2);
/// assert_eq!(errors.0[0].to_string(), "specs/x.yaml:1:1: provider: provider name `X` must match [a-z][a-z0-9_]*");
/// assert_eq!((errors.0[1].line, errors.0[1].col, errors.0[1].path.as_str()), (3, 1, "colour"));
/// assert!(errors.0[1].message.starts_with("unknown field `colour`"));
/// ```
pub fn load_str(file: &str, text: &str) -> Result<Spec, Diagnostics> {
    // A UTF-8 byte order mark (Windows editors write one) is not YAML content: drop it. Both parsers
    // then see the same text, so positions stay right (line 1 counts columns after the mark).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let diag = |(line, col): (usize, usize), path: &str, message: String| Diagnostic {
        file: file.into(),
        line,
        col,
        path: path.into(),
        message,
    };
    // One parse for the value tree and the positions; what that parse leaves aside (a syntax error, an
    // anchor, a tag, …) is parsed by serde_yaml, whose words and positions the diagnostics keep.
    let (mut value, index) = match positions::parse(text) {
        Some(parsed) => parsed,
        None => {
            let index = positions::index(text);
            match serde_yaml::from_str(text) {
                Ok(v) => (v, index),
                Err(e) => {
                    let raw = e.to_string();
                    // serde_yaml locates a duplicate key at the start of its map; the index keeps the
                    // last occurrence of a key, which is the duplicate.
                    if let Some((path, key)) = duplicate_key(&raw) {
                        return Err(Diagnostics(vec![diag(
                            index.nearest(&path),
                            &path,
                            format!("duplicate key `{key}`; a key may appear only once in a map"),
                        )]));
                    }
                    let pos = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                    return Err(Diagnostics(vec![diag(pos, "", format!("YAML syntax: {}", syntax_message(&raw)))]));
                }
            }
        }
    };
    if value.is_null() {
        return Err(Diagnostics(vec![diag((1, 1), "", "empty spec".into())]));
    }
    let mut diags = Vec::new();
    let mut pruned = Vec::new();
    // Sequence elements removed so far, by original index: later elements shift down, so paths from
    // serde (and from validation) are mapped back to the indexes of the file before locating them.
    let mut removed: Vec<(String, usize)> = Vec::new();
    let mut spec = None;
    // Keys filled with placeholders after a "missing field" error, and how many kinds were tried.
    let mut filled: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    // Where collection stopped with errors left unreported (the cap was reached), if it did.
    let mut stopped: Option<(usize, usize)> = None;
    for pass in 0.. {
        match serde_path_to_error::deserialize::<_, Spec>(&value) {
            Ok(s) => {
                spec = Some(s);
                break;
            }
            Err(e) => {
                let segs = segments(e.path());
                if diags.len() >= MAX_ERRORS || pass >= MAX_PASSES {
                    stopped = Some(index.nearest(&original_path(&join(&segs), &removed)));
                    break;
                }
                let message = humanize(&strip_location(&e.inner().to_string()));
                let unknown_key =
                    message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()).map(String::from);
                // The unknown key is the last segment for most maps. Below a node deserialized through a
                // `Value` (a message, an item, a place) serde's path stops at that node: look the key up
                // under it, and when it is not found once, report at the node itself.
                let mut at = segs.clone();
                if let Some(k) = &unknown_key
                    && at.last() != Some(k)
                {
                    let below = node(&value, &at).map(|n| find_key(n, k)).unwrap_or_default();
                    if let [only] = below.as_slice() {
                        at.extend(only.iter().cloned());
                    }
                }
                // Errors raised inside a node parsed from a raw value (a message's item) name the bad text,
                // not its position: find the one scalar under the node that holds it.
                if unknown_key.is_none()
                    && let Some(n) = node(&value, &at)
                {
                    let mut hits: Vec<Vec<String>> =
                        backticked(&message).iter().flat_map(|t| find_scalar(n, t)).collect();
                    hits.dedup();
                    if let [only] = hits.as_slice() {
                        at.extend(only.iter().cloned());
                    }
                }
                let path = original_path(&join(&at), &removed);
                // A placeholder of the wrong type: try the next kind, silently.
                if let Some(tries) = filled.get_mut(&join(&at)) {
                    *tries += 1;
                    if *tries < PLACEHOLDERS && set(&mut value, &at, placeholder(*tries)) {
                        continue;
                    }
                    // No placeholder fits (an enum, say): drop the entry that lacks the key instead.
                    filled.remove(&join(&at));
                    match removable(&at) {
                        Some(n) => {
                            pruned.push(original_path(&join(&at[..n]), &removed));
                            if remove(&mut value, &at[..n]) {
                                continue;
                            }
                            break;
                        }
                        None => break,
                    }
                }
                diags.push(diag(index.nearest(&path), &path, message.clone()));
                // A missing required key: put a placeholder in so the rest of the file is still checked.
                let missing =
                    message.strip_prefix("missing required key `").and_then(|r| r.split('`').next()).map(String::from);
                if let Some(k) = missing {
                    let mut key_path = at.clone();
                    key_path.push(k);
                    if set(&mut value, &key_path, placeholder(0)) {
                        filled.insert(join(&key_path), 0);
                        continue;
                    }
                }
                let removed_key = unknown_key.as_ref().is_some_and(|k| at.last() == Some(k) && remove(&mut value, &at));
                let ok = removed_key
                    || removable(&at).is_some_and(|n| {
                        let entry = original_path(&join(&at[..n]), &removed);
                        if at[n - 1].starts_with('[') {
                            let seq = original_path(&join(&at[..n - 1]), &removed);
                            if let Some(i) = entry
                                .strip_prefix(seq.as_str())
                                .and_then(|r| r.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
                            {
                                removed.push((seq, i));
                            }
                        }
                        pruned.push(entry);
                        remove(&mut value, &at[..n])
                    });
                if ok {
                    continue;
                }
                // Not inside a removable entry: the error is in a top-level value (`operations: 5`) or
                // in `rules`. Drop an optional top-level key, or put a placeholder in for a required
                // one (further kinds are tried silently as above), so the rest of the file is checked.
                let Some(top) = at.first() else { break };
                let top = top.clone();
                pruned.push(top.clone());
                if OPTIONAL_TOP.contains(&top.as_str()) {
                    if remove(&mut value, &at[..1]) {
                        continue;
                    }
                } else if set(&mut value, &at[..1], placeholder(0)) {
                    filled.insert(top, 0);
                    continue;
                }
                break;
            }
        }
    }
    if let Some(s) = spec.as_mut() {
        s.origin.file = file.into();
        // Checks on placeholders would only repeat the "missing field" error.
        let from_placeholder =
            |d: &Diagnostic| filled.keys().any(|f| d.path == *f || d.path.starts_with(&format!("{f}.")));
        diags.extend(validate::validate(s, &index, &pruned, &removed).into_iter().filter(|d| !from_placeholder(d)));
        s.origin.positions = index.positions;
    }
    diags.sort_by_key(|d| (d.line, d.col));
    diags.dedup();
    if let Some(pos) = stopped {
        let n = diags.len();
        diags.push(diag(pos, "", format!("stopped after {n} errors; fix these and run again to see the rest")));
    } else if diags.len() > MAX_ERRORS {
        let rest = diags.split_off(MAX_ERRORS);
        let first = (rest[0].line, rest[0].col);
        diags.push(diag(
            first,
            "",
            format!("… and {} more errors not shown (at most {MAX_ERRORS} are listed)", rest.len()),
        ));
    }
    match spec {
        Some(s) if diags.is_empty() => Ok(s),
        _ => Err(Diagnostics(diags)),
    }
}

/// Most errors reported for one file; past it, a last diagnostic says how collection stopped.
pub const MAX_ERRORS: usize = 500;

/// Most deserialization passes (each reports one error or tries one placeholder).
const MAX_PASSES: usize = MAX_ERRORS * (PLACEHOLDERS + 1);

/// Top-level keys that may be left out (a wrong-typed one is dropped to check the rest of the file).
const OPTIONAL_TOP: &[&str] = &["docs", "about", "recipes", "status_tables", "callbacks", "rules"];

/// Largest spec file [`load_file`] reads (16 MiB).
pub const MAX_SPEC_BYTES: u64 = 16 * 1024 * 1024;

/// How many kinds of placeholder [`placeholder`] offers.
const PLACEHOLDERS: usize = 4;

/// The `n`th kind of placeholder for a missing key: a map, a string, a list, a boolean.
fn placeholder(n: usize) -> Value {
    match n {
        0 => Value::Mapping(Default::default()),
        1 => Value::String("placeholder".into()),
        2 => Value::Sequence(Vec::new()),
        _ => Value::Bool(false),
    }
}

/// Set the node at `segs` (its parent must be a map); false when the parent is not there.
fn set(root: &mut Value, segs: &[String], v: Value) -> bool {
    let Some((last, parents)) = segs.split_last() else { return false };
    let mut node = root;
    for s in parents {
        node = match node {
            Value::Mapping(m) => match m.get_mut(s.as_str()) {
                Some(n) => n,
                None => return false,
            },
            Value::Sequence(seq) => match s
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| seq.get_mut(i))
            {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        Value::Mapping(m) => {
            m.insert(Value::String(last.clone()), v);
            true
        }
        _ => false,
    }
}

/// Load and validate a spec file.
///
/// Diagnostics name the file as `path` displays; a file that cannot be read (see [`read_spec_file`])
/// is a diagnostic at `1:1`.
///
/// ```
/// let path = std::env::temp_dir().join("payspec-load-file-example.yaml");
/// std::fs::write(
///     &path,
///     "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: {}\noperations: {}\n",
/// )
/// .unwrap();
/// let spec = payspec_model::load_file(&path).unwrap();
/// assert_eq!(spec.provider, "x");
/// assert_eq!(spec.origin.file, path.display().to_string());
///
/// let missing = std::path::Path::new("no/such/spec.yaml");
/// let errors = payspec_model::load_file(missing).unwrap_err();
/// assert!(errors.to_string().starts_with(&format!("{}:1:1: cannot read:", missing.display())));
/// ```
pub fn load_file(path: &Path) -> Result<Spec, Diagnostics> {
    let text = read_spec_file(path)?;
    load_str(&path.display().to_string(), &text)
}

/// Read a spec file's text: a regular file of at most [`MAX_SPEC_BYTES`], in UTF-8.
///
/// A directory, FIFO, device or socket is refused before it is opened (reading a FIFO blocks, a device
/// like `/dev/zero` never ends), and no more than the limit is ever read. Problems are one diagnostic
/// at `1:1` naming the file.
///
/// ```
/// let errors = payspec_model::read_spec_file(&std::env::temp_dir()).unwrap_err();
/// assert!(errors.to_string().contains("not a regular file (a directory)"), "{errors}");
/// ```
pub fn read_spec_file(path: &Path) -> Result<String, Diagnostics> {
    use std::io::Read as _;
    let file = path.display().to_string();
    let fail = |message: String| {
        Diagnostics(vec![Diagnostic { file: file.clone(), line: 1, col: 1, path: String::new(), message }])
    };
    let regular = |meta: &std::fs::Metadata| -> Result<(), Diagnostics> {
        if meta.is_file() {
            return Ok(());
        }
        Err(fail(format!(
            "cannot read: not a regular file ({}); a spec must be a regular .yaml file",
            file_kind(&meta.file_type())
        )))
    };
    let too_big = || {
        fail(format!("cannot read: the file is larger than {MAX_SPEC_BYTES} bytes (16 MiB), the most a spec may be"))
    };
    // Checked before opening: opening a FIFO for reading blocks until something writes to it.
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    regular(&meta)?;
    if meta.len() > MAX_SPEC_BYTES {
        return Err(too_big());
    }
    let f = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    // Checked again on the open file, in case the path was replaced in between.
    regular(&f.metadata().map_err(|e| fail(format!("cannot read: {e}")))?)?;
    let mut bytes = Vec::new();
    f.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes).map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(format!("cannot read: not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })
}

/// What a non-regular file is, in words.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "an unknown kind of file"
    }
}

/// A serde_yaml duplicate-key error as (path of the key, key).
fn duplicate_key(msg: &str) -> Option<(String, String)> {
    let msg = strip_location(msg);
    let (parent, rest) = msg.split_once("duplicate entry with key \"")?;
    let key = rest.strip_suffix('"')?;
    Some((positions::child(parent.strip_suffix(": ").unwrap_or(parent), key), key.to_string()))
}

/// A libyaml error without its own position (the diagnostic has it), keeping where the enclosing
/// construct started: `did not find expected ',' or '}' (while parsing a flow mapping that starts at line 3 column 10)`.
fn syntax_message(msg: &str) -> String {
    let text = match msg.split_once(", while ") {
        Some((problem, context)) => match context.rsplit_once(" at line ") {
            Some((what, at)) => format!("{} (while {what} that starts at line {at})", strip_location(problem)),
            None => format!("{} (while {context})", strip_location(problem)),
        },
        None => strip_location(msg),
    };
    // libyaml's words for a line indented differently from its siblings.
    if text.starts_with("did not find expected key") {
        format!("{text}; check the indentation of this line")
    } else {
        text
    }
}

/// serde messages that name Rust types, in the words of the spec language.
fn humanize(msg: &str) -> String {
    if msg.contains("untagged enum CodeValue") {
        return "expected an integer or a string (a status code value, or \"*\")".into();
    }
    if msg.contains("untagged enum Hosts") {
        return "expected a base URL or a map of host name to base URL".into();
    }
    msg.replace("missing field `", "missing required key `")
        .replace("expected usize", "expected a non-negative integer")
        .replace("expected u32", "expected a non-negative integer")
        .replace("expected u64", "expected a non-negative integer")
        .replace("expected i64", "expected an integer")
}

/// Map a path with the indexes of the pruned value back to the indexes of the file.
pub(crate) fn original_path(path: &str, removed: &[(String, usize)]) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| c + open) else { break };
        out.push_str(&rest[..open]);
        match rest[open + 1..close].parse::<usize>() {
            Ok(mut i) => {
                let mut gone: Vec<usize> = removed.iter().filter(|(seq, _)| *seq == out).map(|(_, r)| *r).collect();
                gone.sort_unstable();
                for r in gone {
                    if r <= i {
                        i += 1;
                    }
                }
                out.push_str(&format!("[{i}]"));
            }
            Err(_) => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The node at `segs`, if present.
fn node<'a>(root: &'a Value, segs: &[String]) -> Option<&'a Value> {
    segs.iter().try_fold(root, |n, s| {
        match (n, s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok())) {
            (Value::Sequence(seq), Some(i)) => seq.get(i),
            (Value::Mapping(m), None) => m.get(s.as_str()),
            _ => None,
        }
    })
}

/// Relative paths of the map keys named `key` below `v`; the direct one alone when `v` has it.
/// The `backticked` words of a message.
fn backticked(msg: &str) -> Vec<String> {
    msg.split('`').skip(1).step_by(2).map(String::from).collect()
}

/// Paths (below `v`) of string scalars that are `text` or carry it after a `prefix:` (`ctx:nope`).
fn find_scalar(v: &Value, text: &str) -> Vec<Vec<String>> {
    let matches = |s: &str| s == text || s.trim_end_matches('?').split_once(':').is_some_and(|(_, rest)| rest == text);
    match v {
        Value::String(s) if matches(s) => vec![vec![]],
        Value::Mapping(m) => m
            .iter()
            .filter_map(|(k, c)| k.as_str().map(|k| (k.to_string(), c)))
            .flat_map(|(k, c)| {
                find_scalar(c, text).into_iter().map(move |mut p| {
                    p.insert(0, k.clone());
                    p
                })
            })
            .collect(),
        Value::Sequence(seq) => seq
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                find_scalar(c, text).into_iter().map(move |mut p| {
                    p.insert(0, format!("[{i}]"));
                    p
                })
            })
            .collect(),
        _ => vec![],
    }
}

fn find_key(v: &Value, key: &str) -> Vec<Vec<String>> {
    match v {
        Value::Mapping(m) if m.contains_key(key) => vec![vec![key.to_string()]],
        _ => all_keys(v, key),
    }
}

fn all_keys(v: &Value, key: &str) -> Vec<Vec<String>> {
    let children: Vec<(String, &Value)> = match v {
        Value::Mapping(m) => m.iter().filter_map(|(k, c)| k.as_str().map(|k| (k.to_string(), c))).collect(),
        Value::Sequence(s) => s.iter().enumerate().map(|(i, c)| (format!("[{i}]"), c)).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (seg, c) in children {
        if seg == key {
            out.push(vec![seg.clone()]);
        }
        for mut p in all_keys(c, key) {
            p.insert(0, seg.clone());
            out.push(p);
        }
    }
    out
}

fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn segments(path: &serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Map { key } => Some(key.clone()),
            Segment::Seq { index } => Some(format!("[{index}]")),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect()
}

fn join(segs: &[String]) -> String {
    let mut out = String::new();
    for s in segs {
        if s.starts_with('[') || out.is_empty() {
            out.push_str(s);
        } else {
            out.push('.');
            out.push_str(s);
        }
    }
    out
}

/// Length of the deepest prefix of `segs` that names a removable entry.
fn removable(segs: &[String]) -> Option<usize> {
    (1..segs.len()).rev().find(|&i| COLLECTIONS.contains(&segs[i - 1].as_str())).map(|i| i + 1)
}

/// Remove the node at `segs`; false when it is not there.
fn remove(root: &mut Value, segs: &[String]) -> bool {
    let Some((last, parents)) = segs.split_last() else { return false };
    let mut node = root;
    for s in parents {
        node = match (node, s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok()))
        {
            (Value::Sequence(seq), Some(i)) => match seq.get_mut(i) {
                Some(n) => n,
                None => return false,
            },
            (Value::Mapping(m), None) => match m.get_mut(s.as_str()) {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
    }
    match (node, last.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok())) {
        // Replace list elements with a marker-free removal; later indexes shift, so positions are
        // looked up before removal and only one error per pass is reported.
        (Value::Sequence(seq), Some(i)) if i < seq.len() => {
            seq.remove(i);
            true
        }
        (Value::Mapping(m), None) => m.remove(last.as_str()).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\noperations: {}\n";

    #[test]
    fn loads_a_minimal_spec() {
        let spec = load_str("x.yaml", OK).unwrap();
        assert_eq!(spec.provider, "x");
        assert_eq!(spec.origin.file, "x.yaml");
    }

    #[test]
    fn syntax_error_is_located() {
        let e = load_str("x.yaml", "provider: x\ntitle: [unclosed\n").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(e.0[0].to_string().starts_with("x.yaml:3:1: YAML syntax"), "{e}");
    }

    #[test]
    fn collects_every_unknown_key_with_its_position() {
        let text = format!("{OK}bogus: 1\n")
            .replace("credentials: { key: { secret: true } }", "credentials:\n  key: { secret: true, sekret: 1 }");
        let e = load_str("x.yaml", &text).unwrap_err();
        let lines: Vec<String> = e.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines[0].starts_with("x.yaml:5:24: credentials.key.sekret: unknown field `sekret`"), "{lines:#?}");
        assert!(lines[1].starts_with("x.yaml:7:1: bogus: unknown field `bogus`"), "{lines:#?}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_positions_stay_right() {
        let spec = load_str("x.yaml", &format!("\u{feff}{OK}")).unwrap();
        assert_eq!(spec.provider, "x");
        let e = load_str("x.yaml", &format!("\u{feff}{OK}").replace("provider: x", "provider: X")).unwrap_err();
        assert_eq!(e.to_string(), "x.yaml:1:1: provider: provider name `X` must match [a-z][a-z0-9_]*");
        let e = load_str("x.yaml", &format!("\u{feff}{OK}colour: red\n")).unwrap_err();
        assert_eq!((e.0.len(), e.0[0].line, e.0[0].col), (1, 6, 1), "{e}");
    }

    /// A spec with `n` unknown keys in one credential, each its own error.
    fn with_unknown_keys(n: usize) -> String {
        let keys: String = (0..n).map(|i| format!("    k{i}: 1\n")).collect();
        OK.replace("credentials: { key: { secret: true } }", &format!("credentials:\n  key:\n    secret: true\n{keys}"))
    }

    #[test]
    fn the_error_cap_is_announced() {
        let e = load_str("x.yaml", &with_unknown_keys(MAX_ERRORS + 20)).unwrap_err();
        assert_eq!(e.0.len(), MAX_ERRORS + 1, "every error up to the cap, then a note");
        assert!(e.0[..MAX_ERRORS].iter().all(|d| d.message.starts_with("unknown field `k")), "{e}");
        let last = &e.0[MAX_ERRORS];
        assert_eq!(last.message, format!("stopped after {MAX_ERRORS} errors; fix these and run again to see the rest"));
        // Located at an error that was not reported (one of the keys on lines 8..528).
        assert!((8..8 + MAX_ERRORS + 20).contains(&last.line) && last.col == 5, "{last}");
        assert!(e.0[..MAX_ERRORS].iter().all(|d| d.line != last.line), "{last}");

        // At the cap exactly, every error is shown and there is nothing more to say.
        let e = load_str("x.yaml", &with_unknown_keys(MAX_ERRORS)).unwrap_err();
        assert_eq!(e.0.len(), MAX_ERRORS);
        assert!(e.0.iter().all(|d| d.message.starts_with("unknown field")), "{e}");
    }

    #[test]
    fn a_top_level_wrong_type_does_not_stop_collection() {
        let text = format!("{OK}callbacks: 5\nrules: [x]\ncolour: red\n")
            .replace("operations: {}", "operations: 5")
            .replace("provider: x", "provider: X");
        let e = load_str("x.yaml", &text).unwrap_err();
        let lines: Vec<String> = e.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            lines,
            [
                "x.yaml:1:1: provider: provider name `X` must match [a-z][a-z0-9_]*",
                "x.yaml:5:1: operations: invalid type: integer `5`, expected a map",
                "x.yaml:6:1: callbacks: invalid type: integer `5`, expected a map",
                "x.yaml:7:1: rules: invalid type: sequence, expected struct Rules",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(lines.last().filter(|l| l.contains("colour")).cloned())
            .collect::<Vec<_>>(),
        );
        assert!(
            lines.last().is_some_and(|l| l.starts_with("x.yaml:8:1: colour: unknown field `colour`")),
            "{lines:#?}"
        );
    }

    #[test]
    fn semantic_errors_past_the_cap_are_counted() {
        let fields: String = (0..MAX_ERRORS + 7).map(|i| format!("      f{i}: {{ type: string, min: 1 }}\n")).collect();
        let text = OK.replace(
            "operations: {}",
            &format!("operations:\n  r:\n    method: POST\n    path: /r\n    request:\n{fields}"),
        );
        let e = load_str("x.yaml", &text).unwrap_err();
        assert_eq!(e.0.len(), MAX_ERRORS + 1);
        assert!(e.0[..MAX_ERRORS].iter().all(|d| d.message.starts_with("min/max apply to")), "{e}");
        // The first error not shown is field f500, on line 10 + 500.
        assert_eq!(
            e.0[MAX_ERRORS].to_string(),
            format!("x.yaml:{}:29: … and 7 more errors not shown (at most {MAX_ERRORS} are listed)", 10 + MAX_ERRORS)
        );
    }
}
