//! Loading a spec file: YAML → model, with every error located and all errors of a file together.
//!
//! serde stops at the first error, so structural errors are collected by pruning: report the error at
//! its path, remove the smallest user-named entry that contains it (a field, an operation, a code row)
//! or the unknown key itself, and deserialize again. Semantic checks then run on what is left.

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Origin, Spec};
use crate::positions::{self, Index};
use crate::validate;
use serde_yaml::Value;
use std::path::Path;

/// Keys whose children are user-named entries (removable one by one).
const COLLECTIONS: &[&str] =
    &["environments", "credentials", "recipes", "status_tables", "operations", "callbacks", "request", "fields", "codes", "decode", "reply", "headers"];

/// Load and validate a spec from text. `file` names it in diagnostics.
pub fn load_str(file: &str, text: &str) -> Result<Spec, Diagnostics> {
    let diag = |(line, col): (usize, usize), path: &str, message: String| Diagnostic { file: file.into(), line, col, path: path.into(), message };
    let mut value: Value = match serde_yaml::from_str(text) {
        Ok(Value::Null) => return Err(Diagnostics(vec![diag((1, 1), "", "empty spec".into())])),
        Ok(v) => v,
        Err(e) => {
            let pos = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
            return Err(Diagnostics(vec![diag(pos, "", format!("YAML syntax: {}", strip_location(&e.to_string())))]));
        }
    };
    let index = positions::index(text);
    let mut diags = Vec::new();
    let mut pruned = Vec::new();
    let mut spec = None;
    for _ in 0..500 {
        match serde_path_to_error::deserialize::<_, Spec>(value.clone()) {
            Ok(s) => {
                spec = Some(s);
                break;
            }
            Err(e) => {
                let segs = segments(e.path());
                let message = strip_location(&e.inner().to_string());
                let unknown_key = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()).map(String::from);
                // The unknown key is the last segment for most maps; make sure it is there.
                let mut at = segs.clone();
                if let Some(k) = &unknown_key {
                    if at.last() != Some(k) {
                        at.push(k.clone());
                    }
                }
                let path = join(&at);
                diags.push(diag(index.nearest(&path), &path, message.clone()));
                let removed = match &unknown_key {
                    Some(_) => remove(&mut value, &at),
                    None => removable(&at).is_some_and(|n| {
                        pruned.push(join(&at[..n]));
                        remove(&mut value, &at[..n])
                    }),
                };
                if !removed {
                    break;
                }
            }
        }
    }
    if let Some(s) = spec.as_mut() {
        s.origin = origin(file, &index);
        diags.extend(validate::validate(s, &index, &pruned));
    }
    diags.sort_by_key(|d| (d.line, d.col));
    diags.dedup();
    match spec {
        Some(s) if diags.is_empty() => Ok(s),
        _ => Err(Diagnostics(diags)),
    }
}

/// Load and validate a spec file.
pub fn load_file(path: &Path) -> Result<Spec, Diagnostics> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic { file: file.clone(), line: 1, col: 1, path: String::new(), message: format!("cannot read: {e}") }])
    })?;
    load_str(&file, &text)
}

fn origin(file: &str, index: &Index) -> Origin {
    let mut positions = index.values.clone();
    positions.extend(index.keys.iter().map(|(k, v)| (k.clone(), *v)));
    Origin { file: file.into(), positions }
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
        node = match (node, s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok())) {
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
        let text = format!("{OK}bogus: 1\n").replace("credentials: { key: { secret: true } }", "credentials:\n  key: { secret: true, sekret: 1 }");
        let e = load_str("x.yaml", &text).unwrap_err();
        let lines: Vec<String> = e.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines[0].starts_with("x.yaml:5:24: credentials.key.sekret: unknown field `sekret`"), "{lines:#?}");
        assert!(lines[1].starts_with("x.yaml:7:1: bogus: unknown field `bogus`"), "{lines:#?}");
    }
}
