//! Semantic checks after deserialization: references resolve, recipes can run, tables are sound.
//! Every problem is collected (serde_derive style) and located through the position index.

use crate::diag::Diagnostic;
use crate::model::*;
use crate::positions::{child, Index};
use indexmap::IndexMap;
use std::collections::HashSet;

struct Checker<'a> {
    spec: &'a Spec,
    index: &'a Index,
    pruned: &'a [String],
    /// Sequence elements removed while loading (see `load::original_path`).
    removed: &'a [(String, usize)],
    out: Vec<Diagnostic>,
}

/// What a recipe's field items may refer to.
struct Scope<'a> {
    /// Fields by name (request, callback or response fields).
    fields: &'a IndexMap<String, Field>,
    /// Path of `fields` in the spec (`operations.refund.request`), empty for shared recipes.
    at: String,
    /// Signing a request (false: verifying a received payload).
    signing: bool,
    /// The operation has a body (for `ctx:payload`).
    has_body: bool,
    /// Body encoding of the request, when signing.
    body: Option<&'a BodyEncoding>,
}

/// The fields a status table reads: their definitions, their path in the spec and what to call them.
#[derive(Clone, Copy)]
struct Readable<'f> {
    defs: &'f IndexMap<String, Field>,
    at: &'f str,
    what: &'static str,
    /// The table may read `http:status` (a response's; a callback has no HTTP status).
    http: bool,
}

pub fn validate(spec: &Spec, index: &Index, pruned: &[String], removed: &[(String, usize)]) -> Vec<Diagnostic> {
    let mut c = Checker { spec, index, pruned, removed, out: Vec::new() };
    c.spec_level();
    c.out
}

impl Checker<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        let path = crate::load::original_path(path, self.removed);
        let (line, col) = self.index.nearest(&path);
        self.out.push(Diagnostic { file: self.spec.origin.file.clone(), line, col, path, message: message.into() });
    }

    /// True when `path`, or an entry containing it, was removed after a structural error (its
    /// references are not re-reported).
    fn was_pruned(&self, path: &str) -> bool {
        self.pruned
            .iter()
            .any(|p| p == path || path.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with(['.', '['])))
    }

    /// True when field `name` of the fields at `at` was removed after a structural error (so a
    /// reference to it is not reported as undefined).
    fn field_pruned(&self, at: &str, name: &str) -> bool {
        !at.is_empty() && self.was_pruned(&child(at, name))
    }

    /// True when an entry below `path` was removed after a structural error (so an emptiness check
    /// would only repeat that error).
    fn pruned_below(&self, path: &str) -> bool {
        self.pruned.iter().any(|p| p.strip_prefix(path).is_some_and(|r| r.starts_with(['.', '['])))
    }

    fn spec_level(&mut self) {
        let spec = self.spec;
        let name_ok = spec.provider.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && spec.provider.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            self.err("provider", format!("provider name `{}` must match [a-z][a-z0-9_]*", spec.provider));
        }
        if spec.environments.is_empty() && !self.pruned_below("environments") {
            self.err("environments", "at least one environment is required");
        }
        for (env, hosts) in &spec.environments {
            let urls: Vec<(String, &String)> = match hosts {
                Hosts::One(u) => vec![(child("environments", env), u)],
                Hosts::Named(m) => m.iter().map(|(h, u)| (child(&child("environments", env), h), u)).collect(),
            };
            for (path, url) in urls {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    self.err(&path, format!("`{url}` is not an http(s) URL"));
                }
            }
        }
        for (name, t) in &spec.status_tables {
            self.status_table(&child("status_tables", name), t, None);
        }
        for (name, r) in &spec.recipes {
            let empty = IndexMap::new();
            let scope = Scope { fields: &empty, at: String::new(), signing: true, has_body: false, body: None };
            self.recipe(&child("recipes", name), r, &scope);
        }
        for (name, op) in &spec.operations {
            self.operation(&child("operations", name), op);
        }
        for (name, cb) in &spec.callbacks {
            self.callback(&child("callbacks", name), cb);
        }
        if let Some(rules) = &spec.rules {
            if let Some(n) = rules.min_amount.as_ref().filter(|n| !finite(n)) {
                self.err("rules.min_amount", format!("min_amount `{n}` is not a finite number"));
            }
            if let Some(key) = &rules.idempotency_key
                && !spec.operations.values().any(|op| op.request.contains_key(key))
            {
                self.err("rules.idempotency_key", format!("`{key}` is not a request field of any operation"));
            }
        }
    }

    fn operation(&mut self, path: &str, op: &Operation) {
        let spec = self.spec;
        let host = op.host.as_deref().unwrap_or(DEFAULT_HOST);
        for (env, hosts) in &spec.environments {
            if hosts.get(host).is_none() {
                let at = if op.host.is_some() { child(path, "host") } else { path.to_string() };
                self.err(&at, format!("environment `{env}` has no host `{host}`"));
            }
        }
        if !op.path.starts_with('/') {
            self.err(
                &child(path, "path"),
                format!("path `{}` must start with `/` (it is appended to the base URL)", op.path),
            );
        }
        if op.path.split('{').skip(1).any(|s| !s.contains('}')) {
            self.err(&child(path, "path"), format!("unclosed `{{` in path `{}`", op.path));
        }
        // Path parameters and `in: path` fields must match one to one.
        let params: Vec<&str> = op.path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(p, _)| p)).collect();
        for p in &params {
            match op.request.get(*p) {
                Some(f) if f.location == Location::Path => {}
                Some(_) => self.err(
                    &child(&child(path, "request"), p),
                    format!("`{p}` appears in the path, so it needs `in: path`"),
                ),
                None => self.err(&child(path, "path"), format!("path parameter `{{{p}}}` has no request field")),
            }
        }
        for (name, f) in &op.request {
            let fp = child(&child(path, "request"), name);
            if f.location == Location::Path && !params.contains(&name.as_str()) {
                self.err(&fp, format!("`{name}` is `in: path` but the path has no `{{{name}}}`"));
            }
            if f.location == Location::Body && op.body == BodyEncoding::None {
                self.err(&fp, "a body field on an operation with `body: none`");
            }
            if f.location == Location::Path && spec.signs_path(op) && !self.was_pruned(&fp) {
                self.signed_path_field(&fp, name, f);
            }
            self.field(&fp, f, true);
        }
        for (key, groups) in [("one_of", &op.one_of), ("any_of", &op.any_of), ("all_or_none", &op.all_or_none)] {
            for (i, g) in groups.iter().enumerate() {
                let gp = format!("{}[{i}]", child(path, key));
                if g.len() < 2 {
                    self.err(&gp, "a group needs at least two fields");
                }
                let article = if key == "one_of" { "a" } else { "an" };
                for (j, f) in g.iter().enumerate() {
                    let mp = format!("{gp}[{j}]");
                    if g[..j].contains(f) {
                        continue; // reported by `repeated_in_groups`
                    }
                    match op.request.get(f) {
                        None if self.was_pruned(&child(&child(path, "request"), f)) => {}
                        None => self.err(&mp, format!("`{f}` is not a request field")),
                        Some(d) if d.required => {
                            self.err(&mp, format!("`{f}` is required, so it cannot be in {article} `{key}` group"))
                        }
                        _ => {}
                    }
                }
            }
        }
        self.repeated_in_groups(&child(path, "one_of"), &op.one_of);
        self.repeated_in_groups(&child(path, "any_of"), &op.any_of);
        self.repeated_in_groups(&child(path, "all_or_none"), &op.all_or_none);
        self.envelope_is_signature_field(path, op);
        self.header_text(path, op);
        self.headers_set_twice(path, op);
        if let BodyEncoding::Envelope(payload) = &op.body
            && op.request.contains_key(payload)
        {
            self.err(&child(path, "body"), format!("envelope field `{payload}` must not also be a request field"));
        }
        let scope = Scope {
            fields: &op.request,
            at: child(path, "request"),
            signing: true,
            has_body: op.body != BodyEncoding::None,
            body: Some(&op.body),
        };
        if let Some(r) = &op.sign {
            self.recipe(&child(path, "sign"), r, &scope);
        }
        if let Some(a) = &op.auth
            && !spec.recipes.contains_key(a)
            && !self.was_pruned(&child("recipes", a))
        {
            let known: Vec<&str> = spec.recipes.keys().map(String::as_str).collect();
            self.err(
                &child(path, "auth"),
                format!(
                    "undefined recipe `{a}` (recipes: {})",
                    if known.is_empty() { "none".into() } else { known.join(", ") }
                ),
            );
        }
        if let Some(resp) = &op.response {
            let rp = child(path, "response");
            for (name, f) in &resp.fields {
                self.field(&child(&child(&rp, "fields"), name), f, false);
            }
            if let Some(v) = &resp.verify {
                let scope = Scope {
                    fields: &resp.fields,
                    at: child(&rp, "fields"),
                    signing: false,
                    has_body: false,
                    body: None,
                };
                self.recipe(&child(&rp, "verify"), v, &scope);
            }
            if let Some(s) = &resp.status {
                let at = child(&rp, "fields");
                self.status_ref(
                    &child(&rp, "status"),
                    s,
                    Readable { defs: &resp.fields, at: &at, what: "response field", http: true },
                );
            }
            self.response_shapes(&rp, resp);
        }
    }

    /// `array`, `signed_when` and `error` of a response.
    fn response_shapes(&mut self, rp: &str, resp: &Response) {
        if resp.array {
            if resp.verify.is_some() {
                self.err(
                    &child(rp, "verify"),
                    "an `array: true` response cannot carry a signature (a recipe reads the fields of one object)",
                );
            }
            if resp.fields.is_empty() && !self.pruned_below(&child(rp, "fields")) {
                self.err(&child(rp, "array"), "an `array: true` response needs `fields:` (the fields of one row)");
            }
        }
        if !resp.signed_when.is_empty() && resp.verify.is_none() {
            self.err(
                &child(rp, "signed_when"),
                "`signed_when` needs a `verify` recipe (it says when that signature applies)",
            );
        }
        for (name, values) in &resp.signed_when {
            let wp = child(&child(rp, "signed_when"), name);
            if name == HTTP_STATUS {
                self.err(&wp, "`http:status` cannot decide a signature: verification reads the body only");
                continue;
            }
            let readable =
                Readable { defs: &resp.fields, at: &child(rp, "fields"), what: "response field", http: false };
            if !self.known_path(name, readable) {
                self.err(&wp, format!("`{name}` is not a response field"));
            }
            if values.is_empty() {
                self.err(&wp, "list at least one value (the body is signed when the field holds one of them)");
            }
            for (i, v) in values.iter().enumerate() {
                if v.is_wildcard() {
                    self.err(
                        &format!("{wp}[{i}]"),
                        "`*` is not a value: the condition would always hold; drop `signed_when`",
                    );
                }
            }
        }
        if let Some(e) = &resp.error {
            let ep = child(rp, "error");
            if e.http.is_empty() && !self.pruned_below(&child(&ep, "http")) {
                self.err(&child(&ep, "http"), "list the HTTP statuses of the error shape (`\"400\"`, `\"4xx\"`)");
            }
            for (i, v) in e.http.iter().enumerate() {
                let t = v.text();
                if !is_http_code(&t) && !is_http_class(&t) {
                    self.err(
                        &format!("{}[{i}]", child(&ep, "http")),
                        format!("`{t}` is not an HTTP status (100-599) or class (1xx-5xx)"),
                    );
                }
            }
            for (name, f) in &e.fields {
                self.field(&child(&child(&ep, "fields"), name), f, false);
            }
            if let Some(s) = &e.status {
                let at = child(&ep, "fields");
                self.status_ref(
                    &child(&ep, "status"),
                    s,
                    Readable { defs: &e.fields, at: &at, what: "error field", http: true },
                );
            }
        }
    }

    fn callback(&mut self, path: &str, cb: &Callback) {
        for (name, f) in &cb.fields {
            self.field(&child(&child(path, "fields"), name), f, false);
        }
        let scope =
            Scope { fields: &cb.fields, at: child(path, "fields"), signing: false, has_body: false, body: None };
        self.recipe(&child(path, "verify"), &cb.verify, &scope);
        for name in cb.decode.keys() {
            if !cb.fields.contains_key(name) {
                self.err(&child(&child(path, "decode"), name), format!("`{name}` is not a callback field"));
            }
        }
        self.decoded_signature_field(path, cb);
        if let Some(s) = &cb.status {
            // Status fields may reach into decoded JSON, whose shape the spec does not describe.
            let mut fields = cb.fields.clone();
            for name in cb.decode.keys() {
                if let Some(f) = fields.get_mut(name) {
                    f.ty = FieldType::Object;
                    f.fields.clear();
                }
            }
            let at = child(path, "fields");
            self.status_ref(
                &child(path, "status"),
                s,
                Readable { defs: &fields, at: &at, what: "callback field", http: false },
            );
        }
    }

    fn field(&mut self, path: &str, f: &Field, request: bool) {
        let stringy = matches!(f.ty, FieldType::String | FieldType::JsonText | FieldType::Scalar);
        let numeric = matches!(f.ty, FieldType::Integer | FieldType::Decimal);
        let ty = type_name(f.ty);
        // Located at the first offending key.
        let first = |keys: [(&'static str, bool); 2]| {
            keys.iter().find(|(_, set)| *set).map(|(k, _)| child(path, k)).unwrap_or_else(|| path.to_string())
        };
        if (f.max_len.is_some() || f.min_len.is_some()) && !stringy {
            self.err(
                &first([("max_len", f.max_len.is_some()), ("min_len", f.min_len.is_some())]),
                format!("max_len/min_len apply to text fields, not {ty}"),
            );
        }
        if f.pattern.is_some() && !(stringy || f.ty == FieldType::Decimal) {
            self.err(&child(path, "pattern"), format!("pattern applies to text and decimal fields, not {ty}"));
        }
        if (f.min.is_some() || f.max.is_some()) && !numeric {
            self.err(
                &first([("min", f.min.is_some()), ("max", f.max.is_some())]),
                format!("min/max apply to integer and decimal fields, not {ty}"),
            );
        }
        if let (Some(a), Some(b)) = (f.min_len, f.max_len)
            && a > b
        {
            self.err(&child(path, "min_len"), format!("min_len {a} is greater than max_len {b}"));
        }
        self.finite_bounds(path, f);
        if let (Some(a), Some(b)) = (&f.min, &f.max)
            && a.as_f64().unwrap_or(0.0) > b.as_f64().unwrap_or(0.0)
        {
            self.err(&child(path, "min"), format!("min {a} is greater than max {b}"));
        }
        if !f.values.is_empty() && !matches!(f.ty, FieldType::String | FieldType::Scalar) {
            self.err(&child(path, "enum"), format!("enum applies to string fields, not {ty}"));
        }
        if let Some(p) = &f.pattern
            && let Err(e) = regex::Regex::new(p)
        {
            self.err(&child(path, "pattern"), format!("pattern `{p}` does not compile: {}", regex_problem(&e)));
        }
        if !f.fields.is_empty() && f.ty != FieldType::Object {
            self.err(&child(path, "fields"), "only `object` fields have sub-fields");
        }
        for (name, sub) in &f.fields {
            // Sub-fields are filled by the caller: `from` and `in` belong to top-level request fields.
            self.field(&child(&child(path, "fields"), name), sub, false);
        }
        if let Some(from) = &f.from {
            let fp = child(path, "from");
            if !request {
                self.err(&fp, "`from` applies to top-level request fields only");
            }
            // The default must have the field's type (a mismatch would surface at run time, with the value).
            let fits = match &from.source {
                Source::Credential(c) => {
                    self.credential(&fp, c);
                    match self.spec.credentials.get(c).map(|d| d.kind) {
                        Some(CredentialKind::Integer) => {
                            matches!(f.ty, FieldType::Integer | FieldType::Scalar | FieldType::String)
                        }
                        Some(CredentialKind::String) => matches!(f.ty, FieldType::String | FieldType::Scalar),
                        Some(_) => false,
                        None => true,
                    }
                }
                Source::Context(Context::NowS | Context::NowMs) => {
                    matches!(f.ty, FieldType::Integer | FieldType::Scalar)
                }
                Source::Literal(l) => match f.ty {
                    FieldType::String | FieldType::Scalar => true,
                    FieldType::Integer => l.parse::<i64>().is_ok(),
                    FieldType::Decimal => l.parse::<f64>().is_ok(),
                    FieldType::Bool => l == "true" || l == "false",
                    FieldType::JsonText => serde_json::from_str::<serde_json::Value>(l).is_ok(),
                    FieldType::Object => false,
                },
                _ => {
                    self.err(&fp, format!("`from: {from}` must be cred:<name>, ctx:now_s, ctx:now_ms or lit:<text>"));
                    true
                }
            };
            if !fits {
                self.err(&fp, format!("`from: {from}` does not give a value of type {ty}"));
            }
        }
        if !request && f.location != Location::Body {
            self.err(&child(path, "in"), "`in` applies to request fields only");
        }
    }

    /// A path field of an operation that signs its URL or path must only take values that need no
    /// percent-encoding: the URL carries `%XX` where SDKs sign the raw value, so the two would differ.
    fn signed_path_field(&mut self, path: &str, name: &str, f: &Field) {
        let why = "so the signed URL and the raw value the provider's SDKs sign agree";
        if !f.values.is_empty() {
            if let Some(v) = f.values.iter().find(|v| v.is_empty() || !v.chars().all(is_unreserved)) {
                self.err(
                    &child(path, "enum"),
                    format!("`{name}` goes into a signed URL path, so its values must be non-empty A-Z a-z 0-9 - . _ ~ ({why}); `{v}` is not"),
                );
            }
            return;
        }
        match &f.pattern {
            None => self.err(
                path,
                format!("`{name}` goes into a signed URL path: give it a `pattern` (or `enum`) allowing only A-Z a-z 0-9 - . _ ~, e.g. '^[A-Za-z0-9._~-]+$' ({why})"),
            ),
            Some(p) => {
                // A pattern that does not compile is reported by `field`.
                let Ok(hir) = regex_syntax::Parser::new().parse(p) else { return };
                if !only_unreserved(&hir) {
                    self.err(
                        &child(path, "pattern"),
                        format!("`{name}` goes into a signed URL path, so its pattern must allow only A-Z a-z 0-9 - . _ ~ ({why}); `{p}` allows more"),
                    );
                }
            }
        }
    }

    fn credential(&mut self, path: &str, name: &str) {
        if !self.spec.credentials.contains_key(name) && !self.was_pruned(&child("credentials", name)) {
            let known: Vec<&str> = self.spec.credentials.keys().map(String::as_str).collect();
            self.err(path, format!("undefined credential `{name}` (credentials: {})", known.join(", ")));
        }
    }

    fn item(&mut self, path: &str, item: &Item, scope: &Scope) {
        match &item.source {
            Source::Credential(c) => self.credential(path, c),
            Source::Field(p) => {
                let mut fields = scope.fields;
                let mut at = scope.at.clone();
                for (i, seg) in p.iter().enumerate() {
                    let fp = child(&at, seg);
                    match fields.get(seg) {
                        Some(f) if i + 1 < p.len() && f.ty != FieldType::Object => {
                            self.err(
                                path,
                                format!("`{}` is not an object, so `{}` cannot go into it", seg, p.join(".")),
                            );
                            return;
                        }
                        Some(f) => {
                            fields = &f.fields;
                            at = child(&fp, "fields");
                        }
                        // Already reported where the field is defined.
                        None if self.field_pruned(&at, seg) => return,
                        None => {
                            let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                            let known = if known.is_empty() { "none".into() } else { known.join(", ") };
                            let within =
                                if i == 0 { "fields".to_string() } else { format!("fields of `{}`", p[..i].join(".")) };
                            self.err(path, format!("undefined field `{}` ({within}: {known})", p.join(".")));
                            return;
                        }
                    }
                }
            }
            Source::Context(c) => {
                if !scope.signing {
                    self.err(path, format!("ctx:{} is only known when signing a request", c.name()));
                } else if *c == Context::Payload && !scope.has_body {
                    self.err(path, "ctx:payload needs an operation with a body");
                }
            }
            Source::Literal(_) => {}
            Source::Template(t) => self.template(path, t, scope, &[]),
        }
        if item.add.is_some() && matches!(item.source, Source::Literal(_)) {
            self.err(path, "`add` needs a numeric field, credential or clock value");
        }
        if let Some(add) = item.add.filter(|a| a.unsigned_abs() > MAX_ADD.unsigned_abs()) {
            self.err(
                path,
                format!("`add: {add}` is out of range: at most {MAX_ADD} either way (ten years in milliseconds)"),
            );
        }
        if let Some(pad) = item.pad_left.as_ref().filter(|p| p.width > MAX_PAD_LEFT) {
            self.err(path, format!("`pad_left: {}` is too wide: at most {MAX_PAD_LEFT}", pad.width));
        }
    }

    fn template(&mut self, path: &str, t: &str, scope: &Scope, extra: &[&str]) {
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                self.err(path, format!("unclosed `{{` in template {t:?}"));
                return;
            };
            let name = &rest[open + 1..close];
            if !extra.contains(&name) {
                match Item::try_from(name.to_string()) {
                    Ok(item) => {
                        let before = self.out.len();
                        self.item(path, &item, scope);
                        for d in &mut self.out[before..] {
                            d.message = format!("template placeholder `{{{name}}}`: {}", d.message);
                        }
                    }
                    Err(e) => self.err(path, format!("template placeholder `{{{name}}}`: {e}")),
                }
            }
            rest = &rest[close + 1..];
        }
    }

    /// `path` is the message node; problems inside it are located at the part, item or claim.
    fn message(&mut self, path: &str, m: &Message, scope: &Scope) {
        let index = self.index;
        let has = |p: &str| index.contains(p);
        match m {
            Message::Value(item) => {
                let vp = child(path, "value");
                self.item(if has(&vp) { &vp } else { path }, item, scope)
            }
            Message::Join { parts, .. } => {
                let list = [child(path, "parts"), child(path, "concat")]
                    .into_iter()
                    .find(|p| has(p))
                    .unwrap_or_else(|| path.to_string());
                if parts.is_empty() {
                    self.err(&list, "a join needs at least one part");
                }
                for (i, p) in parts.iter().enumerate() {
                    self.message(&format!("{list}[{i}]"), &p.message, scope);
                }
            }
            Message::Pairs(p) => {
                let pp = child(path, "pairs");
                if let Some(items) = &p.items {
                    let ip = child(&pp, "items");
                    if items.is_empty() {
                        self.err(&ip, "`pairs.items` is empty; leave it out to cover every field");
                    }
                    let mut keys = HashSet::new();
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("{ip}[{i}]");
                        self.item(&at, item, scope);
                        if !keys.insert(item.pair_key()) {
                            self.err(&at, format!("pair key `{}` appears twice", item.pair_key()));
                        }
                    }
                    if !p.exclude.is_empty() {
                        self.err(&child(&pp, "exclude"), "`exclude` applies to pairs over every field; with `items`, list only the fields to include");
                    }
                }
                for (i, x) in p.exclude.iter().enumerate() {
                    if !scope.fields.contains_key(x) && !self.field_pruned(&scope.at, x) {
                        self.err(
                            &format!("{}[{i}]", child(&pp, "exclude")),
                            format!("excluded field `{x}` is not defined"),
                        );
                    }
                }
            }
            Message::Jwt(j) => {
                let jp = child(path, "jwt");
                for (part, members) in [("header", &j.header), ("claims", &j.claims)] {
                    for (name, item) in members {
                        self.item(&child(&child(&jp, part), name), item, scope);
                    }
                }
                if j.header.contains_key("alg") || j.header.contains_key("typ") {
                    self.err(
                        &child(&jp, "header"),
                        "the JWT header's `typ` and `alg` are fixed (JWT, HS256); list only extra members",
                    );
                }
            }
        }
    }

    fn recipe(&mut self, path: &str, r: &Recipe, scope: &Scope) {
        if r.provenance.is_none() {
            self.err(path, "a recipe needs `provenance: { source, confidence }`");
        }
        if !scope.signing {
            self.verify_depends_on_secret(path, r);
            self.verify_unambiguous(&child(path, "message"), &r.message, scope);
        }
        self.message(&child(path, "message"), &r.message, scope);
        let dp = child(path, "digest");
        match &r.digest {
            Some(d) => {
                match (d.alg, &d.key, &d.public_key) {
                    (a, None, _) if a.is_hmac() => {
                        self.err(&dp, format!("{} needs `key` (the HMAC key, e.g. cred:<name>)", alg_name(a)))
                    }
                    (a, _, Some(_)) if a != DigestAlg::RsaSha256 => {
                        self.err(&dp, "`public_key` applies to rsa-sha256 only")
                    }
                    (DigestAlg::Sha256 | DigestAlg::Md5, Some(_), _) => self.err(
                        &dp,
                        "sha256 and md5 take no key; put the secret into the message (e.g. concat: [.., cred:x])",
                    ),
                    (DigestAlg::RsaSha256, None, _) if scope.signing => {
                        self.err(&dp, "rsa-sha256 needs `key` (the private key) to sign")
                    }
                    (DigestAlg::RsaSha256, _, None) if !scope.signing => {
                        self.err(&dp, "rsa-sha256 needs `public_key` to verify")
                    }
                    _ => {}
                }
                for (k, item) in [("key", &d.key), ("public_key", &d.public_key)] {
                    let Some(item) = item else { continue };
                    self.item(&child(&dp, k), item, scope);
                    if let Source::Credential(c) = &item.source {
                        let want = match (d.alg, k) {
                            (DigestAlg::RsaSha256, "key") => Some(CredentialKind::PrivateKeyPem),
                            (DigestAlg::RsaSha256, _) => Some(CredentialKind::PublicKeyPem),
                            _ => None,
                        };
                        if let (Some(want), Some(def)) = (want, self.spec.credentials.get(c))
                            && def.kind != want
                        {
                            self.err(
                                &child(&dp, k),
                                format!("credential `{c}` must be of type {} for rsa-sha256", kind_name(want)),
                            );
                        }
                    }
                }
                if r.encode.is_none() {
                    self.err(path, "a digest needs `encode` (hex, HEX, base64 or base64url)");
                }
                if matches!(r.message, Message::Jwt(_))
                    && (d.alg != DigestAlg::HmacSha256 || r.encode != Some(Encoding::Base64Url))
                {
                    self.err(&dp, "a jwt message is HS256: use hmac-sha256 with encode: base64url");
                }
            }
            None if matches!(r.message, Message::Jwt(_)) => {
                self.err(path, "a jwt message needs `digest: { alg: hmac-sha256, key: … }`")
            }
            None => {}
        }
        let pp = child(path, "place");
        self.header_name_of_place(&pp, &r.place);
        match &r.place {
            Place::Header { template, .. } => {
                // `{ header, template }` locates problems at the template, `header.X` at the place.
                let tp = child(&pp, "template");
                let tp = if self.index.contains(&tp) { tp } else { pp.clone() };
                if !scope.signing {
                    self.err(&pp, "a received signature is read from a body or query field, not a header");
                }
                if !template.contains("{signature}") {
                    self.err(&tp, "the header template must contain {signature}");
                }
                self.template(&tp, template, scope, &["signature", "message"]);
            }
            Place::Body(f) | Place::Query(f) => {
                if scope.signing {
                    if matches!(r.place, Place::Body(_)) {
                        match scope.body {
                            None => self.err(&pp, "a shared recipe cannot place into a body; use query.<name> or a header"),
                            Some(BodyEncoding::None) => self.err(&pp, "cannot place into the body: the operation has `body: none`; use query.<name> or a header"),
                            Some(_) => {}
                        }
                    }
                    if scope.fields.contains_key(f) {
                        self.err(&pp, format!("signature field `{f}` must not also be a request field"));
                    }
                } else if !scope.fields.contains_key(f) && !self.field_pruned(&scope.at, f) {
                    self.err(&pp, format!("signature field `{f}` is not a defined field"));
                }
            }
        }
    }

    fn status_ref(&mut self, path: &str, s: &StatusRef, fields: Readable) {
        match s {
            StatusRef::Named(n) => match self.spec.status_tables.get(n) {
                Some(t) => {
                    // A shared table may suit other operations: report at the reference, naming the table.
                    for f in self.unknown_status_fields(t, fields) {
                        self.err(path, format!("status field `{f}` of table `{n}` {}", Self::not_readable(f, fields)));
                    }
                }
                None if self.was_pruned(&child("status_tables", n)) => {}
                None => {
                    let known: Vec<&str> = self.spec.status_tables.keys().map(String::as_str).collect();
                    self.err(
                        path,
                        format!(
                            "undefined status table `{n}` (tables: {})",
                            if known.is_empty() { "none".into() } else { known.join(", ") }
                        ),
                    );
                }
            },
            StatusRef::Inline(t) => self.status_table(path, t, Some(fields)),
        }
    }

    /// Fields of a status table that are not among `fields` (paths reach into objects; an object
    /// without declared sub-fields, i.e. decoded JSON, accepts any path). Fields removed after a
    /// structural error are not repeated.
    fn unknown_status_fields<'t>(&self, t: &'t StatusTable, fields: Readable) -> Vec<&'t String> {
        t.fields.iter().filter(|f| !(self.known_path(f, fields) || fields.http && *f == HTTP_STATUS)).collect()
    }

    /// Whether dotted path `f` names one of `fields` (see [`Self::unknown_status_fields`]).
    fn known_path(&self, f: &str, fields: Readable) -> bool {
        let known = |f: &str| {
            let mut defs = fields.defs;
            let mut fp = fields.at.to_string();
            for seg in f.split('.') {
                fp = child(&fp, seg);
                match defs.get(seg) {
                    Some(d) if d.ty == FieldType::Object && d.fields.is_empty() => return true,
                    Some(d) => {
                        defs = &d.fields;
                        fp = child(&fp, "fields");
                    }
                    None => return self.was_pruned(&fp),
                }
            }
            true
        };
        known(f)
    }

    /// What a status field that `fields` cannot read is called in a message.
    fn not_readable(f: &str, fields: Readable) -> String {
        if f == HTTP_STATUS {
            "is the HTTP status of a response: a callback has none".to_string()
        } else {
            let article = if fields.what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            format!("is not {article} {}", fields.what)
        }
    }

    fn status_table(&mut self, path: &str, t: &StatusTable, fields: Option<Readable>) {
        if t.provenance.is_none() {
            self.err(path, "a status table needs `provenance: { source, confidence }`");
        }
        if t.fields.is_empty() {
            self.err(&child(path, "fields"), "a status table needs at least one field");
        }
        if t.codes.is_empty() && !self.pruned_below(&child(path, "codes")) {
            self.err(&child(path, "codes"), "a status table needs at least one code");
        }
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        for (i, code) in t.codes.iter().enumerate() {
            let cp = format!("{}[{i}]", child(path, "codes"));
            if code.values.len() != t.fields.len() {
                self.err(
                    &cp,
                    format!("`when` has {} value(s) but the table has {} field(s)", code.values.len(), t.fields.len()),
                );
            }
            for (j, v) in code.values.iter().enumerate() {
                let text = v.text();
                let vp = format!("{}[{j}]", child(&cp, "when"));
                match t.fields.get(j) {
                    Some(f) if f == HTTP_STATUS && !(v.is_wildcard() || is_http_code(&text) || is_http_class(&text)) => {
                        self.err(&vp, format!("`{text}` is not an HTTP status (100-599), a class (1xx-5xx) or `*`"));
                    }
                    Some(f) if f == HTTP_STATUS => {}
                    Some(f) if is_http_class(&text) => self.err(
                        &vp,
                        format!("`{text}` is an HTTP status class: only the `{HTTP_STATUS}` column matches classes (field `{f}` compares text)"),
                    ),
                    _ => {}
                }
            }
            let key: Vec<String> = code.values.iter().map(CodeValue::text).collect();
            if !seen.insert(key.clone()) {
                self.err(
                    &cp,
                    format!(
                        "duplicate code [{}]: an earlier row has the same `when`, so this row never matches",
                        key.join(", ")
                    ),
                );
            }
        }
        if let Some(fields) = fields {
            for f in self.unknown_status_fields(t, fields) {
                let i = t.fields.iter().position(|x| x == f).unwrap_or(0);
                self.err(
                    &format!("{}[{i}]", child(path, "fields")),
                    format!("status field `{f}` {}", Self::not_readable(f, fields)),
                );
            }
        }
    }
}

impl Checker<'_> {
    /// `min: .nan`, `max: .inf`: no value compares meaningfully against a bound that is not a finite number.
    fn finite_bounds(&mut self, path: &str, f: &Field) {
        for (key, bound) in [("min", &f.min), ("max", &f.max)] {
            if let Some(n) = bound.as_ref().filter(|n| !finite(n)) {
                self.err(
                    &child(path, key),
                    format!("{key} `{n}` is not a finite number; a bound must be a number (leave it out for no bound)"),
                );
            }
        }
    }

    /// A field listed twice in one group (`one_of: [[a, a]]` is a group of one field). `path` is the
    /// list of groups (`operations.refund.one_of`); applies to every group kind.
    fn repeated_in_groups(&mut self, path: &str, groups: &[Vec<String>]) {
        for (i, g) in groups.iter().enumerate() {
            let mut seen = HashSet::new();
            for (j, f) in g.iter().enumerate() {
                if !seen.insert(f) {
                    self.err(
                        &format!("{path}[{i}][{j}]"),
                        format!(
                            "`{f}` appears twice in this group; a group lists at least two different fields, each once"
                        ),
                    );
                }
            }
        }
    }

    /// `body: { envelope: request }` with the signature placed at `body.request`: the signature would
    /// replace the enveloped body.
    fn envelope_is_signature_field(&mut self, path: &str, op: &Operation) {
        let BodyEncoding::Envelope(payload) = &op.body else { return };
        if let Some(Place::Body(f)) = op.sign.as_ref().map(|r| &r.place)
            && f == payload
        {
            self.err(
                    &child(&child(path, "sign"), "place"),
                    format!(
                        "signature field `{f}` is the envelope field (`body: {{ envelope: {payload} }}`): the signature would replace the body"
                    ),
                );
        }
    }

    /// `decode:` on a callback's signature field: the signature is compared as received.
    fn decoded_signature_field(&mut self, path: &str, cb: &Callback) {
        if let Place::Body(f) | Place::Query(f) = &cb.verify.place
            && cb.decode.contains_key(f)
        {
            self.err(
                &child(&child(path, "decode"), f),
                format!("`{f}` is the signature field (verify.place); it is checked as received and cannot be decoded"),
            );
        }
    }

    /// Constant headers must be valid HTTP header lines: a token as name, no CR, LF or other control
    /// character in the value (it would end the header and start another: header injection).
    /// Names of `in: header` fields must be tokens too.
    fn header_text(&mut self, path: &str, op: &Operation) {
        for (name, value) in &op.headers {
            let hp = child(&child(path, "headers"), name);
            self.header_name(&hp, name);
            if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| forbidden_in_header(*c)) {
                self.err(
                    &hp,
                    format!(
                        "header value has control character U+{:04X} at character {}; CR, LF and other control characters would break the header (header injection)",
                        c as u32,
                        i + 1
                    ),
                );
            }
        }
        for (name, f) in &op.request {
            if f.location == Location::Header {
                self.header_name(&child(&child(path, "request"), name), name);
            }
        }
    }

    /// The header name of a `place: header.<name>` / `{ header: <name> }`.
    fn header_name_of_place(&mut self, place: &str, p: &Place) {
        if let Place::Header { name, .. } = p {
            let np = child(place, "header");
            let at = if self.index.contains(&np) { np } else { place.to_string() };
            self.header_name(&at, name);
        }
    }

    fn header_name(&mut self, path: &str, name: &str) {
        let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(tchar) {
            self.err(path, format!("{name:?} is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"));
        }
    }

    /// One header set by two places of an operation: constant `headers:`, `in: header` fields, the
    /// `sign` placement and the `auth` recipe's placement. Names compare case-insensitively (HTTP
    /// header names are), and the later place is reported, naming the earlier.
    fn headers_set_twice(&mut self, path: &str, op: &Operation) {
        // (header name, where to report, what sets it)
        let mut setters: Vec<(&str, String, String)> = Vec::new();
        for name in op.headers.keys() {
            let at = child(&child(path, "headers"), name);
            setters.push((name, at.clone(), format!("the constant header {at}")));
        }
        for (name, f) in &op.request {
            if f.location == Location::Header {
                let at = child(&child(path, "request"), name);
                setters.push((name, at.clone(), format!("the `in: header` field {at}")));
            }
        }
        if let Some(Place::Header { name, .. }) = op.sign.as_ref().map(|r| &r.place) {
            let at = child(&child(path, "sign"), "place");
            setters.push((name, at.clone(), format!("the signature placement {at}")));
        }
        if let Some((a, Place::Header { name, .. })) =
            op.auth.as_ref().and_then(|a| self.spec.recipes.get(a).map(|r| (a, &r.place)))
        {
            setters.push((name, child(path, "auth"), format!("the placement recipes.{a}.place of recipe `{a}`")));
        }
        for (i, (name, at, what)) in setters.iter().enumerate() {
            if let Some((first, first_at, first_what)) =
                setters[..i].iter().find(|(n, ..)| n.eq_ignore_ascii_case(name))
            {
                let (line, col) = self.index.nearest(first_at);
                self.err(
                    at,
                    format!(
                        "header `{name}` is set twice: by {what} and by {first_what} (`{first}`, line {line} column {col}); HTTP header names are case-insensitive, so one would overwrite the other"
                    ),
                );
            }
        }
    }
}

/// A finite number (not `.nan`, `.inf` or `-.inf`).
fn finite(n: &crate::model::Number) -> bool {
    n.is_finite()
}

/// A character that may not appear in an HTTP header value: every control character but tab.
fn forbidden_in_header(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// Verify recipes (callbacks, `response.verify`): the result must depend on a secret, and the
/// message must parse back into its fields one way only.
impl Checker<'_> {
    /// Whether credential `c` is secret (an undefined one counts as secret: it is reported already).
    fn secret_credential(&self, c: &str) -> bool {
        self.spec.credentials.get(c).is_none_or(|d| d.secret)
    }

    /// Whether `item` carries a secret credential (directly or in a template).
    fn item_has_secret(&self, item: &Item) -> bool {
        match &item.source {
            Source::Credential(c) => self.secret_credential(c),
            Source::Template(t) => template_items(t).iter().any(|i| self.item_has_secret(i)),
            _ => false,
        }
    }

    /// Whether the message carries a secret credential.
    fn message_has_secret(&self, m: &Message) -> bool {
        match m {
            Message::Value(item) => self.item_has_secret(item),
            Message::Join { parts, .. } => parts.iter().any(|p| self.message_has_secret(&p.message)),
            Message::Pairs(p) => p.items.as_ref().is_some_and(|items| items.iter().any(|i| self.item_has_secret(i))),
            Message::Jwt(j) => j.header.values().chain(j.claims.values()).any(|i| self.item_has_secret(i)),
        }
    }

    /// A verify recipe whose result anyone could compute is refused: no digest, a constant message,
    /// an HMAC key that is not a secret credential, an RSA public key that is not a credential, a
    /// keyless hash without a secret in its message.
    fn verify_depends_on_secret(&mut self, path: &str, r: &Recipe) {
        if !message_has_field(&r.message) {
            self.err(
                &child(path, "message"),
                "this verify recipe's message holds no received field: its signature is the same for every payload, so it proves nothing about one",
            );
        }
        let dp = child(path, "digest");
        let Some(d) = &r.digest else {
            self.err(
                path,
                "this verify recipe has no digest, so anyone can compute the value it checks; use an HMAC keyed with a secret credential, rsa-sha256 with the provider's public key, or sha256/md5 over a message holding a secret credential",
            );
            return;
        };
        match d.alg {
            a if a.is_hmac() => {
                let Some(key) = &d.key else { return }; // reported by `recipe`
                let kp = child(&dp, "key");
                match &key.source {
                    Source::Literal(l) if l.is_empty() => self.err(
                        &kp,
                        format!("this verify recipe's {} key is empty, so anyone can compute the signature; use a secret credential (cred:<name> with `secret: true`)", alg_name(a)),
                    ),
                    Source::Credential(c) if !self.secret_credential(c) => self.err(
                        &kp,
                        format!("credential `{c}` is not `secret: true`, so an {} keyed with it proves nothing; the key of a verify recipe must be a secret credential", alg_name(a)),
                    ),
                    Source::Field(_) => self.err(
                        &kp,
                        format!("this verify recipe takes its {} key from the received payload, which the sender chooses; use a secret credential", alg_name(a)),
                    ),
                    Source::Credential(_) => {}
                    _ if self.item_has_secret(key) => {}
                    _ => self.err(
                        &kp,
                        format!("this verify recipe's {} key is a literal written in the spec, so anyone can compute the signature; use a secret credential (cred:<name> with `secret: true`)", alg_name(a)),
                    ),
                }
            }
            DigestAlg::RsaSha256 => {
                // Only the holder of the private key can sign; the public key must be configured.
                if let Some(k) = &d.public_key
                    && !matches!(k.source, Source::Credential(_))
                {
                    self.err(
                            &child(&dp, "public_key"),
                            "the public key of a verify recipe must be a credential (cred:<name> of type public_key_pem), not a literal or a received value",
                        );
                }
            }
            a => {
                if !self.message_has_secret(&r.message) {
                    self.err(
                        &dp,
                        format!("this verify recipe hashes ({}) received fields only, so anyone can recompute it; put a secret credential into the message (e.g. concat: [.., cred:x]) or use an HMAC", alg_name(a)),
                    );
                }
            }
        }
    }

    /// In a `concat` (a `join` with separator `""`) every received part followed by another
    /// received part must have a fixed width (see [`crate::canonical`]); nested messages are checked
    /// the same way. `path` is the message node.
    fn verify_unambiguous(&mut self, path: &str, m: &Message, scope: &Scope) {
        let Message::Join { sep, parts } = m else { return };
        let index = self.index;
        let list = [child(path, "parts"), child(path, "concat")]
            .into_iter()
            .find(|p| index.contains(p))
            .unwrap_or_else(|| path.to_string());
        if sep.is_empty() {
            use crate::canonical::{part_width, Width};
            let widths: Vec<Width> = parts.iter().map(|p| part_width(&p.message, p.optional, scope.fields)).collect();
            let received: Vec<usize> = (0..parts.len()).filter(|i| widths[*i] != Width::Constant).collect();
            for pair in received.windows(2) {
                let (i, next) = (pair[0], pair[1]);
                if widths[i] == Width::Variable {
                    self.err(
                        &format!("{list}[{i}]"),
                        format!(
                            "{} has no fixed width but is followed by {} in a concat, so characters can move from one into the other without changing the signed string; fix its width (a `pattern` of fixed length such as '^[0-9]{{10}}$', `min_len` = `max_len`, `pad_left`) or sign with a separator",
                            part_name(&parts[i]),
                            part_name(&parts[next])
                        ),
                    );
                }
            }
        }
        for (i, p) in parts.iter().enumerate() {
            self.verify_unambiguous(&format!("{list}[{i}]"), &p.message, scope);
        }
    }
}

/// Whether a message holds a received (or request) field; `pairs` without `items` covers every field.
fn message_has_field(m: &Message) -> bool {
    let item = |i: &Item| match &i.source {
        Source::Field(_) => true,
        Source::Template(t) => template_items(t).iter().any(|i| matches!(i.source, Source::Field(_))),
        _ => false,
    };
    match m {
        Message::Value(i) => item(i),
        Message::Join { parts, .. } => parts.iter().any(|p| message_has_field(&p.message)),
        Message::Pairs(p) => p.items.as_ref().is_none_or(|items| items.iter().any(item)),
        Message::Jwt(j) => j.header.values().chain(j.claims.values()).any(item),
    }
}

/// The items of a template's placeholders (unparsable ones are reported elsewhere).
fn template_items(t: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else { break };
        if let Ok(i) = Item::try_from(rest[open + 1..close].to_string()) {
            out.push(i);
        }
        rest = &rest[close + 1..];
    }
    out
}

/// A concat part as messages name it: `` `amount` `` or "a nested message".
fn part_name(p: &Part) -> String {
    match &p.message {
        Message::Value(i) => format!("`{i}`"),
        _ => "a nested message".to_string(),
    }
}

/// Whether every string `hir` matches consists of unreserved characters (and is not empty-only).
fn only_unreserved(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    let byte_ok = |b: u8| b.is_ascii() && is_unreserved(b as char);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => l.0.iter().all(|b| byte_ok(*b)),
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().all(|r| (r.start()..=r.end()).all(is_unreserved)),
        HirKind::Class(Class::Bytes(c)) => c.ranges().iter().all(|r| (r.start()..=r.end()).all(byte_ok)),
        HirKind::Repetition(r) => only_unreserved(&r.sub),
        HirKind::Capture(c) => only_unreserved(&c.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().all(only_unreserved),
    }
}

/// Spec spelling of a field type.
fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Bool => "bool",
        FieldType::Object => "object",
        FieldType::JsonText => "json_text",
        FieldType::Scalar => "scalar",
    }
}

/// Spec spelling of a digest algorithm.
fn alg_name(a: DigestAlg) -> &'static str {
    match a {
        DigestAlg::HmacSha256 => "hmac-sha256",
        DigestAlg::HmacSha512 => "hmac-sha512",
        DigestAlg::Sha256 => "sha256",
        DigestAlg::Md5 => "md5",
        DigestAlg::RsaSha256 => "rsa-sha256",
    }
}

/// Spec spelling of a credential type.
fn kind_name(k: CredentialKind) -> &'static str {
    match k {
        CredentialKind::String => "string",
        CredentialKind::Integer => "integer",
        CredentialKind::PrivateKeyPem => "private_key_pem",
        CredentialKind::PublicKeyPem => "public_key_pem",
    }
}

/// A regex error on one line: regex prints the pattern and a caret on lines of their own.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let what = lines.last().map_or("", |l| l.trim_start_matches("error: "));
    match lines.as_slice() {
        // "regex parse error:", "    <pattern>", "    <spaces>^", "error: <what>"
        [_, _, carets, _] if carets.trim_start().starts_with('^') => {
            format!("{what} at character {}", carets.len() - carets.trim_start().len() - 3)
        }
        _ => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::load_str;

    const BASE: &str =
        "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\n";

    fn errors(ops: &str) -> Vec<String> {
        match load_str("x.yaml", &format!("{BASE}{ops}")) {
            Ok(_) => vec![],
            Err(d) => d.0.iter().map(|d| d.to_string()).collect(),
        }
    }

    const PROV: &str = "provenance: { source: s, confidence: inferred }";

    #[test]
    fn undefined_references_are_located() {
        let e = errors(&format!(
            "operations:\n  refund:\n    method: POST\n    path: /r\n    request: {{ a: {{ type: string }} }}\n    sign:\n      {PROV}\n      message: {{ join: \"|\", parts: [a, b] }}\n      digest: {{ alg: hmac-sha256, key: cred:nope }}\n      encode: hex\n      place: body.mac\n"
        ));
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(
            e[0].starts_with("x.yaml:12:40: operations.refund.sign.message.parts[1]: undefined field `b`"),
            "{e:#?}"
        );
        assert!(
            e[1].starts_with("x.yaml:13:35: operations.refund.sign.digest.key: undefined credential `nope`"),
            "{e:#?}"
        );
    }

    #[test]
    fn impossible_recipes_are_errors() {
        let e = errors(&format!(
            "operations:\n  refund:\n    method: POST\n    path: /r/{{id}}\n    request: {{ a: {{ type: integer, pattern: x }} }}\n    sign:\n      {PROV}\n      message: a\n      digest: {{ alg: sha256, key: cred:key }}\n      place: body.mac\n"
        ));
        let all = e.join("\n");
        assert!(all.contains("path parameter `{id}` has no request field"), "{all}");
        assert!(all.contains("pattern applies to text and decimal fields, not integer"), "{all}");
        assert!(all.contains("sha256 and md5 take no key"), "{all}");
        assert!(all.contains("a digest needs `encode`"), "{all}");
    }

    #[test]
    fn structural_and_semantic_errors_are_reported_together() {
        let e = errors(&format!(
            "operations:\n  refund:\n    method: POST\n    path: /r\n    auth: missing\n    request: {{ a: {{ type: strin }} }}\n    sign:\n      {PROV}\n      message: a\n      place: body.mac\n"
        ));
        let all = e.join("\n");
        assert!(all.contains("unknown variant `strin`"), "{all}");
        assert!(all.contains("undefined recipe `missing`"), "{all}");
    }

    /// An operation whose signature covers `ctx:url`, with path field `id` defined as `id_def`.
    fn signed_path(id_def: &str) -> Vec<String> {
        errors(&format!(
            "operations:\n  get:\n    method: GET\n    path: /r/{{id}}\n    body: none\n    request: {{ id: {id_def} }}\n    sign:\n      {PROV}\n      message: {{ join: \"\\n\", parts: [ctx:method, ctx:url] }}\n      digest: {{ alg: hmac-sha256, key: cred:key }}\n      encode: hex\n      place: query.sig\n"
        ))
    }

    #[test]
    fn path_fields_of_a_signed_url_take_only_unreserved_characters() {
        for ok in [
            "{ type: string, in: path, required: true, pattern: '^[A-Za-z0-9._~-]+$' }",
            "{ type: string, in: path, required: true, pattern: '[0-9]{1,8}(-[a-z]+)?' }",
            "{ type: string, in: path, required: true, enum: [a-1, B_2] }",
        ] {
            assert_eq!(signed_path(ok), Vec::<String>::new(), "{ok}");
        }
        let e = signed_path("{ type: string, in: path, required: true }").join("\n");
        assert!(
            e.contains(
                "x.yaml:10:16: operations.get.request.id: `id` goes into a signed URL path: give it a `pattern`"
            ),
            "{e}"
        );
        for (bad, what) in [
            ("{ type: string, in: path, required: true, pattern: '.+' }", "`.+` allows more"),
            ("{ type: string, in: path, required: true, pattern: '[a-z ]+' }", "allows more"),
            ("{ type: string, in: path, required: true, pattern: 'a/b' }", "allows more"),
            ("{ type: string, in: path, required: true, pattern: '\\w+' }", "allows more"),
            ("{ type: string, in: path, required: true, enum: [a, 'b c'] }", "`b c` is not"),
        ] {
            let e = signed_path(bad).join("\n");
            assert!(e.contains("goes into a signed URL path") && e.contains(what), "{bad}: {e}");
        }
        // Without ctx:url / ctx:path in any recipe, the path may be encoded freely.
        let e = errors(&format!(
            "operations:\n  get:\n    method: GET\n    path: /r/{{id}}\n    body: none\n    request: {{ id: {{ type: string, in: path }} }}\n    sign:\n      {PROV}\n      message: id\n      digest: {{ alg: hmac-sha256, key: cred:key }}\n      encode: hex\n      place: query.sig\n"
        ));
        assert_eq!(e, Vec::<String>::new());
    }

    #[test]
    fn add_and_pad_left_are_bounded() {
        let e = errors(&format!(
            "operations:\n  op:\n    method: POST\n    path: /r\n    request: {{ a: {{ type: integer }} }}\n    sign:\n      {PROV}\n      message: {{ join: \"|\", parts: [{{ field: a, pad_left: 1000000000000 }}, {{ ctx: now_s, add: 9000000000000000000 }}, {{ ctx: now_ms, add: -315360000000 }}, {{ field: a, pad_left: 256 }}] }}\n      digest: {{ alg: hmac-sha256, key: cred:key }}\n      encode: hex\n      place: body.mac\n"
        ));
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(e[0].contains("parts[0]: `pad_left: 1000000000000` is too wide: at most 256"), "{e:#?}");
        assert!(e[1].contains("parts[1]: `add: 9000000000000000000` is out of range: at most 315360000000"), "{e:#?}");
    }

    #[test]
    fn any_of_groups_are_checked_like_the_others() {
        let e = errors(&format!(
            "operations:\n  op:\n    method: POST\n    path: /r\n    request: {{ a: {{ type: string }}, b: {{ type: string, required: true }} }}\n    any_of: [[a, a], [a, b], [a, c], [a]]\n    sign:\n      {PROV}\n      message: ctx:payload\n      digest: {{ alg: md5 }}\n      encode: hex\n      place: body.mac\n"
        ));
        let all = e.join("\n");
        assert!(all.contains("any_of[0][1]: `a` appears twice in this group"), "{all}");
        assert!(all.contains("any_of[1][1]: `b` is required, so it cannot be in an `any_of` group"), "{all}");
        assert!(all.contains("any_of[2][1]: `c` is not a request field"), "{all}");
        assert!(all.contains("any_of[3]: a group needs at least two fields"), "{all}");
    }

    #[test]
    fn bad_status_tables_are_errors() {
        let e = errors(&format!(
            "status_tables:\n  t:\n    {PROV}\n    fields: [code]\n    codes:\n      - {{ when: [1], outcome: succeeded, meaning: ok }}\n      - {{ when: [1], outcome: failed, meaning: dup }}\n      - {{ when: [1, 2], outcome: failed, meaning: arity }}\noperations: {{}}\n"
        ));
        let all = e.join("\n");
        assert!(all.contains("x.yaml:11:9: status_tables.t.codes[1]: duplicate code [1]"), "{all}");
        assert!(all.contains("codes[2]: `when` has 2 value(s) but the table has 1 field(s)"), "{all}");
    }
}
