//! Which values of a spec are secret material: the structural half of redaction (the runtime's
//! `payspec::redact` masks the values; this says where they come from).
//!
//! A value is *secret-derived* when it is computed from a `secret: true` credential without a one-way
//! digest: the credential itself, a field filled with `from: cred:<secret>`, and the value of a recipe
//! without `digest:` whose message reads a secret (HTTP Basic, a bearer token). Digest, HMAC and
//! signature outputs are not secret.

use crate::model::{Field, Item, Message, Recipe, Source, Spec};
use indexmap::IndexMap;

impl Spec {
    /// Whether credential `name` is declared `secret: true`.
    pub fn is_secret_credential(&self, name: &str) -> bool {
        self.credentials.get(name).is_some_and(|c| c.secret)
    }

    /// Whether `item` reads a secret credential: `cred:<secret>`, a template with `{cred:<secret>}`,
    /// or a field of `fields` whose `from:` default is a secret credential.
    ///
    /// ```
    /// let spec = payspec_model::load_str("x.yaml", "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { user: {}, pass: { secret: true } }\noperations: {}\n").unwrap();
    /// let item = |s: &str| payspec_model::Item::try_from(s.to_string()).unwrap();
    /// assert!(spec.item_reads_secret(&item("cred:pass"), None));
    /// assert!(!spec.item_reads_secret(&item("cred:user"), None));
    /// ```
    pub fn item_reads_secret(&self, item: &Item, fields: Option<&IndexMap<String, Field>>) -> bool {
        match &item.source {
            Source::Credential(c) => self.is_secret_credential(c),
            Source::Template(t) => template_names(t).any(|name| {
                Item::try_from(name.to_string())
                    .is_ok_and(|i| !matches!(i.source, Source::Template(_)) && self.item_reads_secret(&i, fields))
            }),
            Source::Field(path) => fields.and_then(|f| f.get(&path[0])).is_some_and(|f| self.field_is_secret(f)),
            Source::Context(_) | Source::Literal(_) => false,
        }
    }

    /// Whether a request field is filled from a secret credential (`from: cred:<secret>`).
    pub fn field_is_secret(&self, field: &Field) -> bool {
        matches!(&field.from, Some(Item { source: Source::Credential(c), .. }) if self.is_secret_credential(c))
    }

    /// Whether `message` reads a secret credential anywhere (items, parts, pairs, JWT header and
    /// claims). `pairs` without `items` covers every field of `fields`.
    pub fn message_reads_secret(&self, message: &Message, fields: Option<&IndexMap<String, Field>>) -> bool {
        match message {
            Message::Value(i) => self.item_reads_secret(i, fields),
            Message::Join { parts, .. } => parts.iter().any(|p| self.message_reads_secret(&p.message, fields)),
            Message::Pairs(p) => match &p.items {
                Some(items) => items.iter().any(|i| self.item_reads_secret(i, fields)),
                None => fields.is_some_and(|f| {
                    f.iter().any(|(name, def)| !p.exclude.contains(name) && self.field_is_secret(def))
                }),
            },
            Message::Jwt(j) => j.header.values().chain(j.claims.values()).any(|i| self.item_reads_secret(i, fields)),
        }
    }

    /// Whether the value `recipe` places is secret material: it has no one-way digest and its message
    /// reads a secret (HTTP Basic `base64(user:password)`, a bearer token). `fields` are the request
    /// fields of the operation (for `from: cred:` defaults), `None` for shared recipes run on their own.
    pub fn recipe_value_is_secret(&self, recipe: &Recipe, fields: Option<&IndexMap<String, Field>>) -> bool {
        recipe.digest.is_none() && self.message_reads_secret(&recipe.message, fields)
    }
}

/// Dotted wire paths of every `sensitive: true` field (sub-fields of objects included), in spec order.
///
/// ```
/// let spec = payspec_model::load_str("x.yaml", "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: {}\noperations:\n  op:\n    method: POST\n    path: /p\n    request:\n      name: { type: string, sensitive: true }\n      payer: { type: object, fields: { email: { type: string, sensitive: true }, id: { type: string } } }\n").unwrap();
/// assert_eq!(payspec_model::sensitive_paths(&spec.operations["op"].request), ["name", "payer.email"]);
/// ```
pub fn sensitive_paths(fields: &IndexMap<String, Field>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, f) in fields {
        if f.sensitive {
            out.push(name.clone());
        } else {
            out.extend(sensitive_paths(&f.fields).into_iter().map(|p| format!("{name}.{p}")));
        }
    }
    out
}

/// The names between `{` and `}` of a template.
fn template_names(t: &str) -> impl Iterator<Item = &str> {
    t.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(n, _)| n))
}
