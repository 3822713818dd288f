//! Masking secret material in everything payspec prints: `Debug` and `Display` of the signing
//! intermediates, `payspec sign` / `--explain` output.
//!
//! A [`Redactor`] knows the secret values of one signing run: every `secret: true` credential
//! (strings and integers), the value of every recipe without a one-way digest whose message reads a
//! secret (HTTP Basic `base64(user:password)`, bearer tokens; see
//! [`Spec::recipe_value_is_secret`](payspec_model::Spec::recipe_value_is_secret)), and — for `Debug`
//! only — the values of `sensitive: true` fields. [`Redactor::mask`] replaces each of them, and each
//! derived form of it, by `«name»`:
//!
//! - raw, JSON-escaped, PHP `urlencode`d (form), percent-encoded (path segment),
//! - lowercase and uppercase hex, base64 (standard and URL alphabets, with and without padding),
//! - and, as a backstop, any base64 / base64url token whose decoded bytes contain a secret (HTTP Basic
//!   credentials at any alignment, a JWT header or claims segment carrying a secret claim).
//!
//! Digests, MACs and signatures are not secret and stay visible.
//!
//! ```
//! use payspec::redact::Redactor;
//! let mut r = Redactor::default();
//! r.secret("password", "hunter2!");
//! assert_eq!(r.mask("user:hunter2!"), "user:«password»");
//! assert_eq!(r.mask("p=hunter2%21"), "p=«password»");
//! // base64("alice:hunter2!") — HTTP Basic — is caught by decoding.
//! assert_eq!(r.mask("Basic YWxpY2U6aHVudGVyMiE="), "Basic «password»");
//! assert!(r.reveals("YWxpY2U6aHVudGVyMiE="));
//! ```

use crate::secret::{Credentials, Secret};
use base64::Engine;
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A secret credential value of typed (generated) credentials, for [`Redactor::from_secrets`].
#[derive(Clone, Copy)]
pub enum SecretRef<'a> {
    /// A secret string or key.
    Text(&'a Secret),
    /// A secret integer.
    Integer(i64),
}

/// What a masked value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A secret credential, or a value derived from one without a one-way digest. Masked everywhere
    /// unless `--reveal-secrets`.
    Secret,
    /// A `sensitive: true` field (personal data): masked in `Debug` only.
    Sensitive,
}

#[derive(Clone)]
struct Entry {
    kind: Kind,
    label: Cow<'static, str>,
    value: Secret,
}

#[derive(Default)]
struct Compiled {
    /// Every form of every entry, longest first.
    all: Option<regex::Regex>,
    /// The same for secrets only.
    secrets: Option<regex::Regex>,
    /// Raw values (for the decoding backstop), with their labels.
    raw_all: Option<regex::bytes::Regex>,
    raw_secrets: Option<regex::bytes::Regex>,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    compiled: OnceLock<Compiled>,
}

/// A copy recompiles its patterns on first use (it is about to get another entry).
impl Clone for Inner {
    fn clone(&self) -> Self {
        Inner { entries: self.entries.clone(), compiled: OnceLock::new() }
    }
}

/// The secret (and sensitive) values of one signing or verification run, for masking output.
///
/// Cheap to clone (shared); `Debug` lists the labels, never the values. Two redactors are equal when
/// they hold the same labelled values.
#[derive(Clone)]
pub struct Redactor(Arc<Inner>);

/// The empty redactor is shared: every stage starts with one, so creating it must not allocate.
impl Default for Redactor {
    fn default() -> Self {
        static EMPTY: std::sync::LazyLock<Redactor> = std::sync::LazyLock::new(|| Redactor(Arc::default()));
        EMPTY.clone()
    }
}

/// The shortest base64 token the decoding backstop looks at.
const MIN_TOKEN: usize = 4;

impl Redactor {
    /// Every secret credential of `creds` (`secret: true` strings, keys and integers), labelled by
    /// its spec name.
    pub fn from_credentials(creds: &Credentials) -> Self {
        let mut r = Redactor::default();
        for (name, value) in creds.secrets() {
            r.secret(name, value);
        }
        r
    }

    /// The secret credentials of generated code's typed credentials, in spec order (`None`: an
    /// optional credential not given): the same redactor as [`from_credentials`](Self::from_credentials)
    /// of the same values, built without going through runtime credentials.
    pub fn from_secrets(secrets: &[(&'static str, Option<SecretRef<'_>>)]) -> Self {
        let mut entries: Vec<Entry> = Vec::with_capacity(secrets.len());
        for (label, v) in secrets {
            let value = match v {
                None => continue,
                Some(SecretRef::Text(s)) => (*s).clone(),
                Some(SecretRef::Integer(i)) => Secret::new(i.to_string()),
            };
            let v = value.expose();
            if v.is_empty() || entries.iter().any(|e| e.kind == Kind::Secret && e.value.expose() == v) {
                continue;
            }
            entries.push(Entry { kind: Kind::Secret, label: Cow::Borrowed(label), value });
        }
        let order =
            |a: &Entry, b: &Entry| (a.kind, &a.label, a.value.expose()).cmp(&(b.kind, &b.label, b.value.expose()));
        // Specs usually list their secrets in name order already: no sort then.
        if !entries.windows(2).all(|w| order(&w[0], &w[1]).is_le()) {
            entries.sort_by(order);
        }
        Redactor(Arc::new(Inner { entries, compiled: OnceLock::new() }))
    }

    fn push(&mut self, kind: Kind, label: Cow<'static, str>, value: String) {
        if value.is_empty() {
            return;
        }
        let inner = Arc::make_mut(&mut self.0);
        if inner.entries.iter().any(|e| e.kind == kind && e.value.expose() == value) {
            return;
        }
        let entry = Entry { kind, label, value: Secret::new(value) };
        let at = inner.entries.partition_point(|e| {
            (e.kind, &e.label, e.value.expose()) <= (entry.kind, &entry.label, entry.value.expose())
        });
        inner.entries.insert(at, entry);
        inner.compiled = OnceLock::new();
    }

    /// Add a secret value (a credential, or a value derived from one) shown as `«label»`.
    pub fn secret(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.push(Kind::Secret, Cow::Owned(label.into()), value.into());
    }

    /// Add a `sensitive: true` field value, masked as `«label»` in `Debug` (not by [`mask_secrets`](Self::mask_secrets)).
    pub fn sensitive(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.push(Kind::Sensitive, Cow::Owned(label.into()), value.into());
    }

    /// Add the value at each dotted path of `root` (a request's fields by wire name) as sensitive.
    /// Used with [`payspec_model::sensitive_paths`] by the interpreter and generated code alike.
    pub fn sensitive_paths<S: AsRef<str>>(&mut self, root: &serde_json::Value, paths: &[S]) {
        for path in paths {
            let path = path.as_ref();
            let v = path.split('.').try_fold(root, |v, seg| v.get(seg));
            match v {
                None | Some(serde_json::Value::Null) => {}
                Some(v) => self.sensitive(path, crate::canon::render(v)),
            }
        }
    }

    /// A signing stage is done: when its value is secret material — `structural` (the recipe has no
    /// digest and reads a secret, [`Spec::recipe_value_is_secret`](payspec_model::Spec::recipe_value_is_secret)),
    /// or it has no digest and its message contains a known secret — add the value as a secret
    /// labelled with the recipe.
    pub fn stage_done(&mut self, stage: &crate::wire::Stages, structural: bool) {
        if stage.digest.is_none() && (structural || self.reveals(&stage.string_to_sign.0)) {
            self.push(Kind::Secret, stage.recipe.clone(), stage.signature.0.clone());
        }
    }

    /// True when there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    /// The labels of the masked values, in order.
    pub fn labels(&self) -> Vec<&str> {
        self.0.entries.iter().map(|e| &*e.label).collect()
    }

    fn compiled(&self) -> &Compiled {
        self.0.compiled.get_or_init(|| {
            let build = |secrets_only: bool| {
                let mut forms: Vec<String> = self
                    .0
                    .entries
                    .iter()
                    .filter(|e| !secrets_only || e.kind == Kind::Secret)
                    .flat_map(|e| forms(e.value.expose()))
                    .collect();
                forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
                forms.dedup();
                let raw: Vec<String> = self
                    .0
                    .entries
                    .iter()
                    .filter(|e| !secrets_only || e.kind == Kind::Secret)
                    .flat_map(|e| {
                        let v = e.value.expose();
                        [regex::escape(v), regex::escape(&json_escaped(v))]
                    })
                    .collect();
                let alt = |v: Vec<String>| {
                    (!v.is_empty()).then(|| v.iter().map(|f| regex::escape(f)).collect::<Vec<_>>().join("|"))
                };
                let text = alt(forms).and_then(|p| regex::RegexBuilder::new(&p).size_limit(1 << 26).build().ok());
                let bytes = (!raw.is_empty())
                    .then(|| raw.join("|"))
                    .and_then(|p| regex::bytes::RegexBuilder::new(&p).unicode(false).size_limit(1 << 26).build().ok());
                (text, bytes)
            };
            let (all, raw_all) = build(false);
            let (secrets, raw_secrets) = build(true);
            Compiled { all, secrets, raw_all, raw_secrets }
        })
    }

    /// The label of the entry one of whose forms is `found`.
    fn label_of(&self, found: &str, secrets_only: bool) -> &str {
        self.0
            .entries
            .iter()
            .filter(|e| !secrets_only || e.kind == Kind::Secret)
            .find(|e| forms(e.value.expose()).iter().any(|f| f == found))
            .map_or("secret", |e| &*e.label)
    }

    fn label_of_raw(&self, found: &[u8], secrets_only: bool) -> &str {
        self.0
            .entries
            .iter()
            .filter(|e| !secrets_only || e.kind == Kind::Secret)
            .find(|e| {
                let v = e.value.expose();
                v.as_bytes() == found || json_escaped(v).as_bytes() == found
            })
            .map_or("secret", |e| &*e.label)
    }

    fn mask_with(&self, text: &str, secrets_only: bool) -> String {
        if self.is_empty() || text.is_empty() {
            return text.to_string();
        }
        // Every form of a value is at least as long as the value, and so is every base64 token that
        // decodes to it: a text shorter than every value holds none of them. Skips compiling the
        // patterns (large for a PEM key) to mask a short mismatch.
        let shortest = self.0.entries.iter().filter(|e| !secrets_only || e.kind == Kind::Secret);
        if shortest.map(|e| e.value.expose().len()).min().is_none_or(|n| text.len() < n) {
            return text.to_string();
        }
        let c = self.compiled();
        let (re, raw) = if secrets_only { (&c.secrets, &c.raw_secrets) } else { (&c.all, &c.raw_all) };
        let Some(re) = re else { return text.to_string() };
        // Whole base64 tokens that decode to a secret first (HTTP Basic `user:password` at any
        // alignment), then every derived form.
        let text = match raw {
            Some(raw) => base64_backstop(text, |bytes| {
                raw.find(bytes).map(|m| self.label_of_raw(m.as_bytes(), secrets_only).to_string())
            }),
            None => text.to_string(),
        };
        re.replace_all(&text, |m: &regex::Captures| format!("«{}»", self.label_of(&m[0], secrets_only))).into_owned()
    }

    /// `text` with every secret and sensitive value, in every derived form, replaced by `«label»`
    /// (what `Debug` shows).
    pub fn mask(&self, text: &str) -> String {
        self.mask_with(text, false)
    }

    /// `text` with every secret value, in every derived form, replaced by `«label»`; sensitive field
    /// values are kept (what `payspec sign` prints).
    pub fn mask_secrets(&self, text: &str) -> String {
        self.mask_with(text, true)
    }

    /// True when `text` contains a secret in any form [`mask_secrets`](Self::mask_secrets) replaces.
    pub fn reveals(&self, text: &str) -> bool {
        self.mask_secrets(text) != text
    }

    fn mask_json_with(&self, v: &serde_json::Value, secrets_only: bool) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::String(s) => Value::String(self.mask_with(s, secrets_only)),
            Value::Number(n) => {
                let t = n.to_string();
                let m = self.mask_with(&t, secrets_only);
                if m == t {
                    v.clone()
                } else {
                    Value::String(m)
                }
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| self.mask_json_with(x, secrets_only)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (self.mask_with(k, secrets_only), self.mask_json_with(x, secrets_only)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A JSON value with every string (and a number equal to a secret integer) masked like
    /// [`mask`](Self::mask).
    pub fn mask_json(&self, v: &serde_json::Value) -> serde_json::Value {
        self.mask_json_with(v, false)
    }

    /// A JSON value masked like [`mask_secrets`](Self::mask_secrets).
    pub fn mask_json_secrets(&self, v: &serde_json::Value) -> serde_json::Value {
        self.mask_json_with(v, true)
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Redactor").field(&self.labels()).finish()
    }
}

impl PartialEq for Redactor {
    fn eq(&self, other: &Self) -> bool {
        let a = &self.0.entries;
        let b = &other.0.entries;
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                x.kind == y.kind
                    && x.label == y.label
                    && crate::crypto::ct_eq(x.value.expose().as_bytes(), y.value.expose().as_bytes())
            })
    }
}

impl Eq for Redactor {}

/// A string as the inside of a JSON string literal.
fn json_escaped(v: &str) -> String {
    let s = serde_json::Value::String(v.to_string()).to_string();
    s[1..s.len() - 1].to_string()
}

/// Every derived form of a secret value that [`Redactor::mask`] replaces.
fn forms(v: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let b = v.as_bytes();
    let mut out = vec![
        v.to_string(),
        json_escaped(v),
        crate::canon::form_encode(v),
        crate::support::path_segment(v),
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string(),
        hex::encode(b),
        hex::encode_upper(b),
        STANDARD.encode(b),
        STANDARD_NO_PAD.encode(b),
        URL_SAFE.encode(b),
        URL_SAFE_NO_PAD.encode(b),
    ];
    out.sort();
    out.dedup();
    out
}

/// Replace every base64 / base64url token of `text` whose decoded bytes contain a secret (`found`
/// returns its label) by `«label»`.
fn base64_backstop(text: &str, found: impl Fn(&[u8]) -> Option<String>) -> String {
    static TOKEN: OnceLock<regex::Regex> = OnceLock::new();
    let token = TOKEN.get_or_init(|| regex::Regex::new(r"[A-Za-z0-9+/_-]+=*").expect("valid regex"));
    token
        .replace_all(text, |m: &regex::Captures| {
            let t = &m[0];
            if t.len() < MIN_TOKEN {
                return t.to_string();
            }
            match decode_any(t).and_then(|bytes| found(&bytes)) {
                Some(label) => format!("«{label}»"),
                None => t.to_string(),
            }
        })
        .into_owned()
}

/// Decode a token as base64 or base64url, padded or not.
fn decode_any(t: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    let cfg = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let std = GeneralPurpose::new(&base64::alphabet::STANDARD, cfg);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, cfg);
    // A token of a longer text may start mid-quantum; try dropping up to 3 leading characters.
    for skip in 0..4.min(t.len()) {
        let s = &t[skip..];
        if let Ok(b) = std.decode(s).or_else(|_| url.decode(s)) {
            return Some(b);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        let mut r = Redactor::default();
        r.secret("key", "s3cr3t*~ key/+");
        r.sensitive("name", "Nguyễn Văn A");
        r
    }

    #[test]
    fn a_text_shorter_than_every_secret_is_returned_without_compiling_the_patterns() {
        let pem = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/keys/test_private_key.pem"));
        let mut r = Redactor::default();
        r.secret("private_key", pem);
        let short = "c2lnbmF0dXJl".repeat(20);
        assert_eq!(r.mask_secrets(&short), short);
        assert!(r.0.compiled.get().is_none(), "no pattern compiled for a text that cannot hold the key");
        // As long as the key, or longer: compiled and masked, in every form.
        for text in [pem.to_string(), format!("key: {}", hex::encode(pem)), format!("<{}>", json_escaped(pem))] {
            assert!(!r.mask_secrets(&text).contains("PRIVATE KEY") && r.mask_secrets(&text).contains("«private_key»"));
        }
        assert!(r.0.compiled.get().is_some());
        // The shortest value decides: a short secret next to the key is still masked in a short text.
        r.secret("pin", "1234");
        assert_eq!(r.mask_secrets("pin=1234"), "pin=«pin»");
    }

    #[test]
    fn every_derived_form_is_masked() {
        let r = r();
        let v = "s3cr3t*~ key/+";
        for form in forms(v) {
            let shown = r.mask(&format!("<{form}>"));
            assert_eq!(shown, "<«key»>", "form {form}");
        }
        assert_eq!(r.mask(&hex::encode(v)), "«key»");
        assert_eq!(r.mask(&crate::canon::form_encode(v)), "«key»");
    }

    #[test]
    fn base64_of_a_composite_and_jwt_claims_are_masked() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let r = r();
        for prefix in ["u", "us", "use", "user"] {
            let basic = STANDARD.encode(format!("{prefix}:s3cr3t*~ key/+"));
            assert_eq!(r.mask(&format!("Basic {basic}")), "Basic «key»", "{prefix}");
        }
        let claims = URL_SAFE_NO_PAD.encode(r#"{"iss":"m","tok":"s3cr3t*~ key/+"}"#);
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{claims}.c2lnbmF0dXJl");
        assert_eq!(r.mask(&jwt), "eyJhbGciOiJIUzI1NiJ9.«key».c2lnbmF0dXJl");
    }

    #[test]
    fn digests_stay_visible_and_sensitive_only_in_debug_masking() {
        let r = r();
        let mac = "5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01";
        assert_eq!(r.mask(mac), mac);
        assert_eq!(r.mask("to Nguyễn Văn A"), "to «name»");
        assert_eq!(r.mask_secrets("to Nguyễn Văn A"), "to Nguyễn Văn A");
        assert_eq!(r.mask("Nguy%E1%BB%85n+V%C4%83n+A"), "«name»");
    }

    #[test]
    fn json_masking_covers_strings_keys_and_secret_integers() {
        let mut r = Redactor::default();
        r.secret("pin", "918273");
        let v = serde_json::json!({"pin": 918273, "note": "pin=918273", "n": 5});
        assert_eq!(r.mask_json(&v), serde_json::json!({"pin": "«pin»", "note": "pin=«pin»", "n": 5}));
    }

    #[test]
    fn equality_ignores_insertion_order_and_debug_shows_labels_only() {
        let mut a = Redactor::default();
        a.secret("a", "one-value");
        a.secret("b", "two-value");
        let mut b = Redactor::default();
        b.secret("b", "two-value");
        b.secret("a", "one-value");
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), r#"Redactor(["a", "b"])"#);
        let clone = a.clone();
        b.secret("c", "three");
        assert_ne!(clone, b);
    }
}
