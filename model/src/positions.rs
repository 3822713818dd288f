//! Source positions of every YAML node, by dotted path, built alongside serde_yaml's parse.
//!
//! serde_yaml locates syntax and type errors but not values validated afterwards; this index maps
//! a node path (`operations.refund.sign.digest`, `codes[2]`) to where its key and value start.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

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
pub fn index(text: &str) -> Index {
    let mut b = Builder::default();
    let _ = Parser::new_from_str(text).load(&mut b, false);
    b.index
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
