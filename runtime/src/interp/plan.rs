//! What the interpreter works out once per operation about a recipe's message and placement, so
//! that signing does not redo it on every call: the order `pairs` are written in (sorted once, not
//! per signature), their keys, and parsed header templates.

use indexmap::IndexMap;
use payspec_model::{Field, Item, Location, Message, Pairs};

/// A message's plan, mirroring its shape: a `join` has one plan per part.
pub enum MsgPlan<'s> {
    /// Nothing worked out in advance (values, JWTs): computed per call.
    Plain,
    /// One plan per part of a `join`, in order.
    Join(Vec<MsgPlan<'s>>),
    /// A `pairs` message.
    Pairs(PairsPlan<'s>),
}

/// The order a `pairs` message of a request writes its items in.
pub enum PairsPlan<'s> {
    /// Every body field (`items` absent): `slot[i]` is where request field `i` (in definition order)
    /// goes among the written pairs, `None` when it is not written (not in the body, excluded, the
    /// signature field); `count` slots in all.
    Fields { slot: Vec<Option<usize>>, count: usize },
    /// Explicit items in the order they are written (sorted once when `sort`), each with its key.
    Items(Vec<(String, &'s Item)>),
}

impl<'s> MsgPlan<'s> {
    /// The plan of `m`, a message over the fields `defs` of a request; `exclude` is the recipe's
    /// signature field (never one of the pairs).
    pub fn new(m: &'s Message, defs: &'s IndexMap<String, Field>, exclude: Option<&str>) -> Self {
        match m {
            Message::Join { parts, .. } => {
                MsgPlan::Join(parts.iter().map(|p| MsgPlan::new(&p.message, defs, exclude)).collect())
            }
            Message::Pairs(p) => MsgPlan::Pairs(PairsPlan::new(p, defs, exclude)),
            Message::Value(_) | Message::Jwt(_) => MsgPlan::Plain,
        }
    }

    /// The plan of part `i` of a `join`.
    pub fn part(&self, i: usize) -> Option<&MsgPlan<'s>> {
        match self {
            MsgPlan::Join(parts) => parts.get(i),
            _ => None,
        }
    }
}

impl<'s> PairsPlan<'s> {
    fn new(p: &'s Pairs, defs: &'s IndexMap<String, Field>, exclude: Option<&str>) -> Self {
        // Stable sorts by key bytes: the order sorting the rendered pairs on every call gave.
        match &p.items {
            Some(items) => {
                let mut keyed: Vec<(String, &Item)> = items.iter().map(|i| (i.pair_key(), i)).collect();
                if p.sort {
                    keyed.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                }
                PairsPlan::Items(keyed)
            }
            None => {
                let mut written: Vec<usize> = defs
                    .iter()
                    .enumerate()
                    .filter(|(_, (k, f))| {
                        f.location == Location::Body && Some(k.as_str()) != exclude && !p.exclude.contains(k)
                    })
                    .map(|(i, _)| i)
                    .collect();
                if p.sort {
                    let key = |i: usize| defs.get_index(i).map(|(k, _)| k.as_bytes());
                    written.sort_by(|&a, &b| key(a).cmp(&key(b)));
                }
                let mut slot = vec![None; defs.len()];
                for (n, &i) in written.iter().enumerate() {
                    slot[i] = Some(n);
                }
                PairsPlan::Fields { slot, count: written.len() }
            }
        }
    }
}

/// A template split once into its text and placeholders.
pub struct Template<'s> {
    pub parts: Vec<TemplatePart<'s>>,
}

/// One piece of a [`Template`].
pub enum TemplatePart<'s> {
    /// Text copied as it is.
    Text(&'s str),
    /// `{name}`: an extra value of that name (`signature`, `message`) when given, else the item.
    Item(&'s str, Item),
}

impl<'s> Template<'s> {
    /// `None` when the template is malformed (an unclosed `{`, a placeholder that is not an item):
    /// then it is parsed per call, which reports the error where it always did.
    pub fn parse(t: &'s str) -> Option<Self> {
        let mut parts = Vec::new();
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(TemplatePart::Text(&rest[..open]));
            }
            let close = rest[open..].find('}')? + open;
            let name = &rest[open + 1..close];
            parts.push(TemplatePart::Item(name, Item::try_from(name.to_string()).ok()?));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest));
        }
        Some(Template { parts })
    }
}

/// Finds request fields' definition indices, walking the definitions alongside a map of values that
/// holds a subsequence of them in definition order (what [`super::fields::prepare`] returns): one
/// string comparison per field instead of a hash lookup.
pub struct DefWalk<'d> {
    defs: &'d IndexMap<String, Field>,
    next: usize,
}

impl<'d> DefWalk<'d> {
    pub fn new(defs: &'d IndexMap<String, Field>) -> Self {
        DefWalk { defs, next: 0 }
    }

    /// The definition index of field `name` (`None`: not a defined field).
    pub fn index(&mut self, name: &str) -> Option<usize> {
        let i = match self.defs.get_index(self.next) {
            Some((k, _)) if k == name => self.next,
            _ => self.defs.get_index_of(name)?,
        };
        self.next = i + 1;
        Some(i)
    }

    /// The definition of field `name`.
    pub fn field(&mut self, name: &str) -> Option<&'d Field> {
        let i = self.index(name)?;
        self.defs.get_index(i).map(|(_, f)| f)
    }
}
