//! Running a recipe's stages: select + canonicalise → digest → encode → place.

use super::fields::{render, render_into};
use super::plan::{DefWalk, MsgPlan, PairsPlan, Template, TemplatePart};
use super::Clock;
use crate::crypto;
use crate::error::{SignError, Stage, VerifyError};
use crate::secret::Credentials;
use crate::wire::{DigestBytes, SignatureValue, Stages, StringToSign};
use indexmap::IndexMap;
use payspec_model::{Context, DigestAlg, Field, Item, Location, Message, Place, Recipe, Source};
use serde_json::{Map, Value};

/// What the recipe's field items read from.
pub enum Target<'a> {
    /// A request: `all` every field by wire name, in definition order (what
    /// [`prepare`](super::fields::prepare) returns), defined by `defs`; those `in: body` are the body
    /// fields (what `pairs` over all fields reads).
    Request { all: &'a Map<String, Value>, defs: &'a IndexMap<String, Field> },
    /// A received payload (callback or response body).
    Received(&'a Map<String, Value>),
}

/// Append `k` and the text of `v` ([`render`]) to `pairs`; with `omit_empty`, nothing when that
/// text is empty.
pub(super) fn add_pair(pairs: &mut crate::canon::Pairs<'_>, k: &str, v: &Value, omit_empty: bool) {
    match v {
        Value::String(s) if omit_empty => pairs.add_str_nonempty(k, s),
        Value::String(s) => pairs.add_str(k, s),
        Value::Number(n) => pairs.add(k, n),
        Value::Bool(b) => pairs.add(k, b),
        Value::Null if omit_empty => {}
        Value::Null => pairs.add_str(k, ""),
        other => pairs.add_str(k, &other.to_string()),
    }
}

pub struct Ctx<'a> {
    pub target: Target<'a>,
    pub creds: &'a Credentials,
    pub method: &'a str,
    /// `ctx:url`, built only when a recipe reads it.
    pub url: Lazy<'a>,
    pub path: &'a str,
    pub clock: Clock,
    /// `ctx:payload` (`None`: the operation has no body), built only when read.
    pub payload: Lazy<'a>,
    /// RSA digests check the key but do not sign (see [`Interpreter::strings_to_sign`](super::Interpreter::strings_to_sign)).
    pub check_rsa_only: bool,
}

/// A context text computed on first use (most recipes read neither the URL nor the payload).
pub struct Lazy<'a> {
    cell: std::cell::OnceCell<Option<String>>,
    make: Option<&'a dyn Fn() -> Option<String>>,
}

impl<'a> Lazy<'a> {
    /// Computed by `make` when first read.
    pub fn new(make: &'a dyn Fn() -> Option<String>) -> Self {
        Lazy { cell: std::cell::OnceCell::new(), make: Some(make) }
    }
    /// Known now.
    pub fn ready(v: Option<String>) -> Self {
        Lazy { cell: std::cell::OnceCell::from(v), make: None }
    }
    pub fn get(&self) -> Option<&str> {
        self.cell.get_or_init(|| self.make.and_then(|m| m())).as_deref()
    }
    /// The value, computed now if it was not read.
    pub fn into_value(self) -> Option<String> {
        let make = self.make;
        self.cell.into_inner().unwrap_or_else(|| make.and_then(|m| m()))
    }
}

use crate::support::stage as stage_err;

impl<'a> Ctx<'a> {
    /// The context of a received payload: only its fields and the credentials.
    pub fn received(payload: &'a Map<String, Value>, creds: &'a Credentials) -> Self {
        Ctx {
            target: Target::Received(payload),
            creds,
            method: "",
            url: Lazy::ready(Some(String::new())),
            path: "",
            clock: Clock { now_ms: 0 },
            payload: Lazy::ready(None),
            check_rsa_only: false,
        }
    }
}

impl Ctx<'_> {
    fn field(&self, path: &[String]) -> Option<Value> {
        self.field_ref(path).cloned()
    }

    /// The value at a field path; `None` when absent or `null`.
    fn field_ref(&self, path: &[String]) -> Option<&Value> {
        let first = match &self.target {
            Target::Request { all, .. } => all.get(&path[0]),
            Target::Received(m) => m.get(&path[0]),
        }?;
        path[1..].iter().try_fold(first, |v, seg| v.get(seg)).filter(|v| !v.is_null())
    }

    /// An item's value as JSON (`None` = absent).
    fn json(&self, item: &Item, at: &str) -> Result<Option<Value>, SignError> {
        let v =
            match &item.source {
                Source::Field(p) => self.field(p),
                Source::Credential(c) => match self.creds.get(c) {
                    Some(v) => Some(v.json()),
                    None if item.optional => None,
                    None => {
                        return Err(SignError::Credential {
                            target: at.into(),
                            source: crate::secret::CredentialError {
                                name: c.clone(),
                                problem: "required by this recipe but not given".into(),
                            },
                        })
                    }
                },
                Source::Context(c) => Some(match c {
                    Context::Method => Value::String(self.method.into()),
                    Context::Url => Value::String(self.url.get().unwrap_or_default().to_string()),
                    Context::Path => Value::String(self.path.to_string()),
                    Context::NowS => Value::from(self.clock.now_ms.div_euclid(1000)),
                    Context::NowMs => Value::from(self.clock.now_ms),
                    Context::Payload => Value::String(self.payload.get().map(str::to_string).ok_or_else(|| {
                        stage_err(at, Stage::Select, "ctx:payload used on an operation without a body")
                    })?),
                }),
                Source::Literal(l) => Some(Value::String(l.clone())),
                Source::Template(t) => Some(Value::String(self.template(t, at, &[])?)),
            };
        let Some(mut v) = v else {
            return if item.optional {
                Ok(None)
            } else {
                Err(stage_err(at, Stage::Select, format!("`{item}` is absent")))
            };
        };
        if let Some(add) = item.add {
            let n = render(&v)
                .parse::<i64>()
                .map_err(|_| stage_err(at, Stage::Select, format!("`{item}`: `add` needs an integer value")))?;
            // Checked in every build profile: an overflow is an error, never a wrapped value.
            let sum = n.checked_add(add).ok_or_else(|| {
                stage_err(at, Stage::Select, format!("`{item}`: {n} + {add} is out of the integer range"))
            })?;
            v = Value::from(sum);
        }
        if let Some(pad) = &item.pad_left {
            // Lint bounds the width; a spec built in code is refused here rather than allocating.
            if pad.width > payspec_model::MAX_PAD_LEFT {
                return Err(stage_err(
                    at,
                    Stage::Select,
                    format!("`{item}`: pad_left {} is wider than {}", pad.width, payspec_model::MAX_PAD_LEFT),
                ));
            }
            v = Value::String(crate::canon::pad_fixed(&render(&v), pad.width, pad.fill).ok_or_else(|| {
                stage_err(at, Stage::Select, format!("`{item}` is wider than its pad_left width {}", pad.width))
            })?);
        }
        Ok(Some(v))
    }

    fn text(&self, item: &Item, at: &str) -> Result<Option<String>, SignError> {
        let mut out = String::new();
        Ok(self.text_into(item, at, &mut out)?.then_some(out))
    }

    /// An item's text appended to `out`; `false` when absent (nothing appended).
    fn text_into(&self, item: &Item, at: &str, out: &mut String) -> Result<bool, SignError> {
        // A plain field, literal or context text renders straight from the spec, the request or the
        // context, without a JSON value in between; everything else goes through `json`.
        if item.add.is_none() && item.pad_left.is_none() {
            let text = match &item.source {
                Source::Field(p) => {
                    return match self.field_ref(p) {
                        Some(v) => {
                            render_into(v, out);
                            Ok(true)
                        }
                        None if item.optional => Ok(false),
                        None => Err(stage_err(at, Stage::Select, format!("`{item}` is absent"))),
                    };
                }
                Source::Literal(l) => Some(l.as_str()),
                Source::Context(Context::Method) => Some(self.method),
                Source::Context(Context::Url) => Some(self.url.get().unwrap_or_default()),
                Source::Context(Context::Path) => Some(self.path),
                _ => None,
            };
            if let Some(text) = text {
                out.push_str(text);
                return Ok(true);
            }
        }
        Ok(match self.json(item, at)? {
            Some(v) => {
                render_into(&v, out);
                true
            }
            None => false,
        })
    }

    /// [`template`](Self::template) of a template parsed in advance.
    fn template_of(&self, t: &Template, at: &str, extra: &[(&str, &str)]) -> Result<String, SignError> {
        let mut out = String::with_capacity(128);
        for part in &t.parts {
            match part {
                TemplatePart::Text(text) => out.push_str(text),
                TemplatePart::Item(name, item) => match extra.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        self.text_into(item, at, &mut out)?;
                    }
                },
            }
        }
        Ok(out)
    }

    /// Substitute `{item}` placeholders; `extra` supplies `{signature}` / `{message}`.
    pub fn template(&self, t: &str, at: &str, extra: &[(&str, &str)]) -> Result<String, SignError> {
        let mut out = String::new();
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| stage_err(at, Stage::Place, format!("unclosed `{{` in template {t:?}")))?
                + open;
            let name = &rest[open + 1..close];
            match extra.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => out.push_str(v),
                None => {
                    let item = Item::try_from(name.to_string()).map_err(|e| stage_err(at, Stage::Place, e))?;
                    out.push_str(&self.text(&item, at)?.unwrap_or_default());
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The string to sign (`None`: an optional message that came out absent). `plan`: what was
    /// worked out for this message in advance ([`MsgPlan::new`] over the request's fields).
    pub(super) fn message(
        &self,
        m: &Message,
        plan: Option<&MsgPlan>,
        exclude: Option<&str>,
        at: &str,
    ) -> Result<Option<String>, SignError> {
        let mut out = String::with_capacity(128);
        Ok(self.message_into(m, plan, exclude, at, &mut out)?.then_some(out))
    }

    /// [`message`](Self::message) appended to `out`; `false` when absent (nothing appended).
    fn message_into(
        &self,
        m: &Message,
        plan: Option<&MsgPlan>,
        exclude: Option<&str>,
        at: &str,
        out: &mut String,
    ) -> Result<bool, SignError> {
        Ok(match m {
            Message::Value(item) => self.text_into(item, at, out)?,
            Message::Join { sep, parts } => {
                let mut first = true;
                for (i, part) in parts.iter().enumerate() {
                    let mark = out.len();
                    if !first {
                        out.push_str(sep);
                    }
                    let start = out.len();
                    let present = self.message_into(&part.message, plan.and_then(|p| p.part(i)), exclude, at, out)?;
                    if present && !(part.optional && out.len() == start) {
                        first = false;
                    } else if part.optional {
                        out.truncate(mark);
                    } else {
                        return Err(stage_err(at, Stage::Select, "a required part is absent"));
                    }
                }
                true
            }
            Message::Pairs(p) => {
                let form = matches!(p.encode, payspec_model::PairEncoding::Form);
                let mut pairs = crate::canon::Pairs::after(std::mem::take(out), &p.kv, &p.sep, form);
                let planned = match plan {
                    Some(MsgPlan::Pairs(pp)) => self.planned_pairs(p, pp, &mut pairs, at)?,
                    _ => false,
                };
                if !planned {
                    self.pairs(p, exclude, &mut pairs, at)?;
                }
                *out = pairs.finish();
                true
            }
            Message::Jwt(j) => {
                let mut header = Map::new();
                header.insert("typ".into(), Value::String("JWT".into()));
                header.insert("alg".into(), Value::String("HS256".into()));
                for (k, item) in &j.header {
                    if let Some(v) = self.json(item, at)? {
                        header.insert(k.clone(), v);
                    }
                }
                let mut claims = Map::new();
                for (k, item) in &j.claims {
                    if let Some(v) = self.json(item, at)? {
                        claims.insert(k.clone(), v);
                    }
                }
                out.push_str(&crate::canon::jwt_signing_input(&Value::Object(header), &Value::Object(claims)));
                true
            }
        })
    }

    /// The pairs of `p` in the order its plan fixed. `false` (nothing written) when the plan does not
    /// fit the target (a received payload, or a request field without a definition): then
    /// [`pairs`](Self::pairs) writes them.
    fn planned_pairs(
        &self,
        p: &payspec_model::Pairs,
        plan: &PairsPlan,
        out: &mut crate::canon::Pairs<'_>,
        at: &str,
    ) -> Result<bool, SignError> {
        match plan {
            PairsPlan::Items(items) => {
                for (key, item) in items {
                    if let Some(v) = self.json(item, at)? {
                        add_pair(out, key, &v, p.omit_empty);
                    }
                }
                Ok(true)
            }
            PairsPlan::Fields { slot, count } => {
                let Target::Request { all, defs } = &self.target else { return Ok(false) };
                if defs.len() != slot.len() {
                    return Ok(false);
                }
                const ON_STACK: usize = 32;
                let mut stack: [Option<(&str, &Value)>; ON_STACK] = [None; ON_STACK];
                let mut heap = Vec::new();
                let slots = if *count <= ON_STACK {
                    &mut stack[..*count]
                } else {
                    heap.resize(*count, None);
                    &mut heap[..]
                };
                let mut walk = DefWalk::new(defs);
                for (k, v) in all.iter() {
                    let Some(i) = walk.index(k) else { return Ok(false) };
                    if let Some(n) = slot[i] {
                        slots[n] = Some((k.as_str(), v));
                    }
                }
                for (k, v) in slots.iter().flatten() {
                    add_pair(out, k, v, p.omit_empty);
                }
                Ok(true)
            }
        }
    }

    /// The pairs of `p`, worked out now: items in order, or every body (received) field but
    /// `exclude` and `p.exclude`; then sorted by key when `p.sort`.
    fn pairs(
        &self,
        p: &payspec_model::Pairs,
        exclude: Option<&str>,
        out: &mut crate::canon::Pairs<'_>,
        at: &str,
    ) -> Result<(), SignError> {
        match &p.items {
            Some(items) => {
                let mut values: Vec<(String, Value)> = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(v) = self.json(item, at)? {
                        values.push((item.pair_key(), v));
                    }
                }
                if p.sort {
                    values.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                }
                for (k, v) in &values {
                    add_pair(out, k, v, p.omit_empty);
                }
            }
            None => {
                let (map, mut walk) = match &self.target {
                    Target::Request { all, defs } => (*all, Some(DefWalk::new(defs))),
                    Target::Received(m) => (*m, None),
                };
                let mut fields: Vec<(&String, &Value)> = Vec::with_capacity(map.len());
                for (k, v) in map {
                    // A request's body fields; every field of a received payload.
                    let body = walk.as_mut().is_none_or(|w| w.field(k).is_some_and(|f| f.location == Location::Body));
                    if body && Some(k.as_str()) != exclude && !p.exclude.contains(k) {
                        fields.push((k, v));
                    }
                }
                if p.sort {
                    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                }
                for (k, v) in fields {
                    add_pair(out, k, v, p.omit_empty);
                }
            }
        }
        Ok(())
    }

    /// The secret credential a key item names as it is (`cred:<name>`, no `add` / `pad_left`), whose
    /// parsed RSA key is cached inside it; `None` for any other item (then [`key`](Self::key) gives the text).
    fn secret_key(&self, item: Option<&Item>) -> Option<&crate::secret::Secret> {
        let item = item.filter(|i| i.add.is_none() && i.pad_left.is_none())?;
        let Source::Credential(c) = &item.source else { return None };
        match self.creds.get(c) {
            Some(crate::secret::CredentialValue::Secret(s)) => Some(s),
            _ => None,
        }
    }

    /// A key's text: a secret credential's is borrowed from the secret, never copied.
    fn key(&self, item: Option<&Item>, what: &str, at: &str) -> Result<std::borrow::Cow<'_, str>, SignError> {
        let item = item.ok_or_else(|| stage_err(at, Stage::Digest, format!("needs `{what}`")))?;
        if let Some(secret) = self.secret_key(Some(item)) {
            return Ok(std::borrow::Cow::Borrowed(secret.expose()));
        }
        let text = self.text(item, at)?.ok_or_else(|| stage_err(at, Stage::Digest, format!("`{what}` is absent")))?;
        Ok(std::borrow::Cow::Owned(text))
    }
}

/// The string to sign and digest of a recipe, before encoding.
fn message_and_digest(
    ctx: &Ctx,
    recipe: &Recipe,
    plan: Option<&MsgPlan>,
    at: &str,
) -> Result<(String, Option<Vec<u8>>), SignError> {
    let msg = ctx.message(&recipe.message, plan, recipe.place.field(), at)?.unwrap_or_default();
    let digest = digest_of(ctx, recipe, &msg, at)?;
    Ok((msg, digest))
}

fn digest_of(ctx: &Ctx, recipe: &Recipe, msg: &str, at: &str) -> Result<Option<Vec<u8>>, SignError> {
    let digest = match &recipe.digest {
        None => None,
        Some(d) => Some(match d.alg {
            DigestAlg::HmacSha256 => {
                crypto::hmac_sha256(ctx.key(d.key.as_ref(), "key", at)?.as_bytes(), msg.as_bytes())
            }
            DigestAlg::HmacSha512 => {
                crypto::hmac_sha512(ctx.key(d.key.as_ref(), "key", at)?.as_bytes(), msg.as_bytes())
            }
            DigestAlg::Sha256 => crypto::sha256(msg.as_bytes()),
            DigestAlg::Md5 => crypto::md5(msg.as_bytes()),
            DigestAlg::RsaSha256 if ctx.check_rsa_only => {
                // The key is checked as signing would check it; the stand-in value is never returned.
                match ctx.secret_key(d.key.as_ref()) {
                    Some(key) => crypto::rsa_private_key_check_secret(key),
                    None => crypto::rsa_private_key_check(&ctx.key(d.key.as_ref(), "key", at)?),
                }
                .map_err(|e| stage_err(at, Stage::Digest, e.to_string()))?;
                crypto::sha256(msg.as_bytes())
            }
            DigestAlg::RsaSha256 => match ctx.secret_key(d.key.as_ref()) {
                // A secret credential keeps its parsed key: parsed once, not on every signature.
                Some(key) => crypto::rsa_sha256_sign_secret(key, msg.as_bytes()),
                None => crypto::rsa_sha256_sign(&ctx.key(d.key.as_ref(), "key", at)?, msg.as_bytes()),
            }
            .map_err(|e| stage_err(at, Stage::Digest, e.to_string()))?,
        }),
    };
    Ok(digest)
}

fn encode(recipe: &Recipe, msg: &str, digest: Option<&[u8]>, at: &str) -> Result<String, SignError> {
    Ok(match (digest, recipe.encode) {
        (Some(d), Some(enc)) => crypto::encode(enc, d),
        (Some(_), None) => return Err(stage_err(at, Stage::Encode, "a digest needs an encoding")),
        (None, Some(enc)) => crypto::encode(enc, msg.as_bytes()),
        (None, None) => msg.to_string(),
    })
}

/// Run a recipe for signing; `plan`: its message's plan over the request's fields.
pub fn run(ctx: &Ctx, recipe: &Recipe, plan: Option<&MsgPlan>, label: &str, at: &str) -> Result<Stages, SignError> {
    let (msg, digest) = message_and_digest(ctx, recipe, plan, at)?;
    let signature = encode(recipe, &msg, digest.as_deref(), at)?;
    let placed = match &recipe.place {
        Place::Body(f) => ["body.", f].concat(),
        Place::Query(q) => ["query.", q].concat(),
        Place::Header { name, .. } => ["header.", name].concat(),
    };
    Ok(Stages {
        recipe: label.to_string().into(),
        string_to_sign: StringToSign::new(msg),
        digest: digest.map(DigestBytes),
        signature: SignatureValue::new(signature),
        placed: placed.into(),
    })
}

/// The value that goes to the place (header templates applied); `parsed`: the header template,
/// parsed in advance.
pub fn place_value(
    ctx: &Ctx,
    recipe: &Recipe,
    parsed: Option<&Template>,
    st: &Stages,
    at: &str,
) -> Result<String, SignError> {
    match &recipe.place {
        Place::Header { name, template } => {
            let extra = [("signature", st.signature.0.as_str()), ("message", st.string_to_sign.0.as_str())];
            let value = match parsed {
                Some(t) => ctx.template_of(t, at, &extra)?,
                None => ctx.template(template, at, &extra)?,
            };
            crate::support::header_placed(at, name, value)
        }
        _ => Ok(st.signature.0.clone()),
    }
}

/// Apply the rules a received payload must satisfy before its signature over `recipe` is checked
/// ([`payspec_model::canonical::received_rules`]): no separator of the message inside a value, no value
/// wider than its `pad_left` width. The generated verifiers apply the same rules in the same order.
pub fn check_canonical(recipe: &Recipe, payload: &Map<String, Value>, target: &str) -> Result<(), VerifyError> {
    use crate::support::{received_text, refuse_separators, refuse_wider};
    use payspec_model::canonical::ReceivedRule;
    for rule in payspec_model::canonical::received_rules(recipe) {
        match rule {
            ReceivedRule::NoSeparator { field, seps } => {
                let path: Vec<&str> = field.iter().map(String::as_str).collect();
                let seps: Vec<&str> = seps.iter().map(String::as_str).collect();
                if let Some(t) = received_text(payload, &path) {
                    refuse_separators(target, &field.join("."), &t, &seps)?;
                }
            }
            ReceivedRule::NoSeparatorAnyField { exclude, seps } => {
                let seps: Vec<&str> = seps.iter().map(String::as_str).collect();
                for (k, v) in payload {
                    if exclude.contains(k) {
                        continue;
                    }
                    refuse_separators(target, k, k, &seps)?;
                    refuse_separators(target, k, &render(v), &seps)?;
                }
            }
            ReceivedRule::MaxWidth { field, width } => {
                let path: Vec<&str> = field.iter().map(String::as_str).collect();
                if let Some(t) = received_text(payload, &path) {
                    refuse_wider(target, &field.join("."), &t, width)?;
                }
            }
        }
    }
    Ok(())
}

/// Sign a payload the way the provider does (callbacks, signed responses): the signature goes into
/// the recipe's place field. RSA recipes sign with `key` (the provider's private key, tests only).
pub fn sign_payload(
    recipe: &Recipe,
    payload: &Map<String, Value>,
    creds: &Credentials,
    target: &str,
    at: &str,
    structural: bool,
) -> Result<(Map<String, Value>, Stages), SignError> {
    let field = recipe
        .place
        .field()
        .ok_or_else(|| stage_err(at, Stage::Place, "only body and query places can carry a payload signature"))?;
    let mut unsigned = payload.clone();
    unsigned.remove(field);
    // A payload the verifier would refuse as ambiguous is not signed either.
    check_canonical(recipe, &unsigned, target).map_err(|e| match e {
        VerifyError::Malformed { target, field, problem } => SignError::Input { target, field, problem },
        VerifyError::Sign(e) => e,
        other => SignError::Unknown(other.to_string()),
    })?;
    let ctx = Ctx::received(&unsigned, creds);
    let mut st = run(&ctx, recipe, None, "sign", at)?;
    seal(&mut st, creds, structural);
    let mut signed = unsigned.clone();
    signed.insert(field.to_string(), Value::String(st.signature.0.clone()));
    Ok((signed, st))
}

/// The received signature of a payload: the string in the recipe's signature field.
fn received_signature<'p>(
    recipe: &Recipe,
    payload: &'p Map<String, Value>,
    target: &str,
    at: &str,
) -> Result<(&'p str, &'p str), VerifyError> {
    let field = recipe
        .place
        .field()
        .ok_or_else(|| SignError::Unknown(format!("{at}: only body and query places can be verified")))?;
    let malformed = |problem: String| VerifyError::Malformed { target: target.into(), field: field.into(), problem };
    match payload.get_key_value(field) {
        Some((name, Value::String(s))) => Ok((name.as_str(), s.as_str())),
        Some((_, other)) => {
            Err(malformed(format!("signature must be a string, found {}", crate::support::json_kind(other))))
        }
        None => Err(malformed("signature field missing".into())),
    }
}

/// What a verifier computes from a received payload, without comparing: the string to sign and, for
/// HMAC / hash recipes, the expected digest and encoded signature. RSA recipes cannot recompute a
/// signature (that needs the signer's private key): their `signature` is the received value and
/// `digest` is absent. `structural` says whether the recipe's value is secret material (see
/// [`seal`]).
pub fn recompute(
    recipe: &Recipe,
    payload: &Map<String, Value>,
    creds: &Credentials,
    target: &str,
    at: &str,
    structural: bool,
) -> Result<Stages, VerifyError> {
    let mut st = recompute_unsealed(recipe, payload, creds, target, at)?;
    seal(&mut st, creds, structural);
    Ok(st)
}

fn recompute_unsealed(
    recipe: &Recipe,
    payload: &Map<String, Value>,
    creds: &Credentials,
    target: &str,
    at: &str,
) -> Result<Stages, VerifyError> {
    let (field, received) = received_signature(recipe, payload, target, at)?;
    let ctx = Ctx::received(payload, creds);
    let msg = ctx.message(&recipe.message, None, Some(field), at)?.unwrap_or_default();
    let placed = match &recipe.place {
        Place::Query(q) => format!("query.{q}"),
        _ => format!("body.{field}"),
    };
    let (digest, signature) = if recipe.digest.as_ref().is_some_and(|d| d.alg == DigestAlg::RsaSha256) {
        (None, received.to_string())
    } else {
        let digest = digest_of(&ctx, recipe, &msg, at)?;
        let expected = encode(recipe, &msg, digest.as_deref(), at)?;
        (digest, expected)
    };
    Ok(Stages {
        recipe: "verify".into(),
        string_to_sign: StringToSign::new(msg),
        digest: digest.map(DigestBytes),
        signature: SignatureValue::new(signature),
        placed: placed.into(),
    })
}

/// Verify a received payload's signature: [`recompute`], then compare (constant-time for HMAC /
/// hash values; RSA verifies with the public key). On success the stages carry the received signature.
pub fn verify(
    recipe: &Recipe,
    payload: &Map<String, Value>,
    creds: &Credentials,
    target: &str,
    at: &str,
    structural: bool,
) -> Result<Stages, VerifyError> {
    let (field, received) = received_signature(recipe, payload, target, at)?;
    let mut stages = recompute_unsealed(recipe, payload, creds, target, at)?;
    let bad = |problem: String| VerifyError::BadSignature { at: at.into(), problem };
    if let Some(d) = recipe.digest.as_ref().filter(|d| d.alg == DigestAlg::RsaSha256) {
        let enc = recipe.encode.ok_or_else(|| stage_err(at, Stage::Encode, "a digest needs an encoding"))?;
        let received_ctx = Ctx::received(payload, creds);
        let pem = received_ctx.key(d.public_key.as_ref(), "public_key", at)?;
        let sig = crypto::decode(enc, received).ok_or_else(|| bad(format!("`{field}` is not valid {enc:?} text")))?;
        let ok = crypto::rsa_sha256_verify(&pem, stages.string_to_sign.0.as_bytes(), &sig)
            .map_err(|e| stage_err(at, Stage::Digest, e.to_string()))?;
        if !ok {
            return Err(bad(format!("RSA-SHA256 signature in `{field}` does not verify over the string to sign")));
        }
        stages.digest = Some(DigestBytes(sig));
    } else if !crypto::ct_eq(stages.signature.0.as_bytes(), received.as_bytes()) {
        return Err(bad(format!("`{field}` does not match {} of the string to sign", recipe.describe())));
    }
    stages.signature = SignatureValue::new(received);
    seal(&mut stages, creds, structural);
    Ok(stages)
}

/// Attach the redactor of `creds` (plus the stage's value when it is secret material) to a stage.
pub fn seal(st: &mut Stages, creds: &Credentials, structural: bool) {
    let mut r = creds.redactor();
    r.stage_done(st, structural);
    st.seal(&r);
}

/// How many header patterns [`header_regex`] keeps; when full, it starts over.
const HEADER_PATTERNS: usize = 64;

/// A header template's pattern, compiled once and shared (compiling it on every verification cost
/// more than the verification). The pattern holds the expected text of the template's other
/// placeholders (usually credentials, the same on every call), so the cache is bounded.
fn header_regex(pattern: &str) -> Result<std::sync::Arc<regex::Regex>, regex::Error> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(regex::Regex::new(pattern)?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= HEADER_PATTERNS {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

/// Split a received header value along its template: the `{signature}` and `{message}` parts; every
/// other placeholder must equal its expected value.
fn split_header(ctx: &Ctx, template: &str, received: &str, at: &str) -> Result<(String, Option<String>), VerifyError> {
    let mut pattern = String::from("^");
    let mut rest = template;
    let mut groups: Vec<String> = Vec::new();
    while let Some(open) = rest.find('{') {
        pattern.push_str(&regex::escape(&rest[..open]));
        let close = rest[open..]
            .find('}')
            .map(|c| c + open)
            .ok_or_else(|| stage_err(at, Stage::Place, "unclosed `{` in template"))?;
        match &rest[open + 1..close] {
            // The message (a JWT's signing input) runs to the last separator; the signature is short.
            "message" => {
                pattern.push_str("(.+)");
                groups.push("message".into());
            }
            "signature" => {
                pattern.push_str("(.+?)");
                groups.push("signature".into());
            }
            other => {
                let item = Item::try_from(other.to_string()).map_err(|e| stage_err(at, Stage::Place, e))?;
                pattern.push_str(&regex::escape(&ctx.text(&item, at)?.unwrap_or_default()));
            }
        }
        rest = &rest[close + 1..];
    }
    pattern.push_str(&regex::escape(rest));
    pattern.push('$');
    let re = header_regex(&pattern).map_err(|e| stage_err(at, Stage::Place, e.to_string()))?;
    let caps = re.captures(received).ok_or_else(|| VerifyError::BadSignature {
        at: at.into(),
        problem: format!("header does not have the form {template:?}"),
    })?;
    let mut signature = None;
    let mut message = None;
    for (i, g) in groups.iter().enumerate() {
        let v = caps.get(i + 1).map(|m| m.as_str().to_string());
        if g == "signature" {
            signature = v;
        } else {
            message = v;
        }
    }
    Ok((signature.unwrap_or_default(), message))
}

/// Check a received placed value against the recipe: recompute the message (or take it from the
/// header when the template carries it, as a JWT does), then compare in constant time, or verify
/// the RSA signature (with `public_key`, else the public half of `key`).
pub fn verify_placed(ctx: &Ctx, recipe: &Recipe, received: &str, at: &str) -> Result<(), VerifyError> {
    let bad = |problem: String| VerifyError::BadSignature { at: at.into(), problem };
    let (signature, carried) = match &recipe.place {
        Place::Header { template, .. } => split_header(ctx, template, received, at)?,
        _ => (received.to_string(), None),
    };
    let msg = match carried {
        Some(m) => m,
        None => ctx.message(&recipe.message, None, recipe.place.field(), at)?.unwrap_or_default(),
    };
    if let Some(d) = recipe.digest.as_ref().filter(|d| d.alg == DigestAlg::RsaSha256) {
        let enc = recipe.encode.ok_or_else(|| stage_err(at, Stage::Encode, "a digest needs an encoding"))?;
        let sig = crypto::decode(enc, &signature).ok_or_else(|| bad(format!("signature is not valid {enc:?} text")))?;
        let ok = match &d.public_key {
            Some(k) => crypto::rsa_sha256_verify(&ctx.key(Some(k), "public_key", at)?, msg.as_bytes(), &sig),
            None => match ctx.secret_key(d.key.as_ref()) {
                Some(key) => crypto::rsa_sha256_verify_with_secret(key, msg.as_bytes(), &sig),
                None => {
                    crypto::rsa_sha256_verify_with_private(&ctx.key(d.key.as_ref(), "key", at)?, msg.as_bytes(), &sig)
                }
            },
        }
        .map_err(|e| stage_err(at, Stage::Digest, e.to_string()))?;
        return if ok {
            Ok(())
        } else {
            Err(bad("RSA-SHA256 signature does not verify over the string to sign".into()))
        };
    }
    let digest = digest_of(ctx, recipe, &msg, at)?;
    let expected = encode(recipe, &msg, digest.as_deref(), at)?;
    if crypto::ct_eq(expected.as_bytes(), signature.as_bytes()) {
        Ok(())
    } else {
        Err(bad(format!("{} does not match the string to sign", recipe.describe())))
    }
}
