//! Signers: items, messages and recipe stages specialised at generation time, `sign_<op>` and
//! `recipe_<name>`. Mirrors `runtime/src/interp/{mod,recipe}.rs`.

use crate::plan::{OpPlan, RecipePlan, Ty};
use crate::Gen;
use payspec_model::{
    BodyEncoding, Context, CredentialKind, DigestAlg, Encoding, Item, Location, Message, PairEncoding, Place, Recipe,
    Source, DEFAULT_HOST,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What a recipe's field items read from.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A prepared typed request `req`, with `__url`, `__path`, `__payload` and `clock` in scope.
    Request(&'a OpPlan<'a>),
    /// A received JSON map `payload` (callback or response body); clock 0, no URL.
    Received,
    /// No fields (a shared recipe run on its own); `clock` in scope.
    Empty,
}

/// Generation context of one recipe.
pub struct RCtx<'a> {
    pub target: Target<'a>,
    /// Spec path of the recipe, for errors (`operations.refund.sign`).
    pub at: String,
    /// The field `pairs` without items leaves out: the recipe's placed field.
    pub exclude: Option<String>,
    /// A `const` holding `at` in the generated function, when there is one.
    pub at_id: Option<proc_macro2::Ident>,
}

impl RCtx<'_> {
    /// `at` in generated code: its `const`, or the literal.
    pub fn at_t(&self) -> TokenStream {
        match &self.at_id {
            Some(id) => quote!(#id),
            None => {
                let at = &self.at;
                quote!(#at)
            }
        }
    }
}

/// The Rust representation of a present value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RawTy {
    /// Derefs to `str` (`&str`, `&String` or `String`).
    Str,
    Int,
    Bool,
    Dec,
    Scalar,
    Enum,
    Obj,
    /// `&serde_json::Value`.
    JsonRef,
}

pub struct Raw {
    pub expr: TokenStream,
    /// `expr` is an `Option`.
    pub opt: bool,
    pub ty: RawTy,
}

enum Src {
    Val(Raw),
    /// Statically absent.
    Absent,
    /// Statically an error (a `SignError` expression), whether or not the item is optional.
    Fail(TokenStream),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Text,
    Json,
}

fn raw_of(ty: Ty) -> RawTy {
    match ty {
        Ty::Str | Ty::JsonText => RawTy::Str,
        Ty::Int => RawTy::Int,
        Ty::Bool => RawTy::Bool,
        Ty::Dec => RawTy::Dec,
        Ty::Scalar => RawTy::Scalar,
        Ty::Enum(_) => RawTy::Enum,
        Ty::Obj(_) => RawTy::Obj,
    }
}

pub fn to_text(ty: RawTy, v: &TokenStream) -> TokenStream {
    match ty {
        RawTy::Str | RawTy::Int | RawTy::Bool | RawTy::Dec | RawTy::Scalar | RawTy::Enum => {
            quote!(#v.to_string())
        }
        RawTy::Obj => quote!(__g::json(#v).to_string()),
        RawTy::JsonRef => quote!(__g::render(#v)),
    }
}

/// `x.to_string()` → `x`: a `Join` writes any `Display` value in place, so the `String` is not needed.
fn display_of(e: TokenStream) -> TokenStream {
    match syn::parse2::<syn::Expr>(e.clone()) {
        Ok(syn::Expr::MethodCall(m)) if m.method == "to_string" && m.args.is_empty() => {
            let receiver = &m.receiver;
            quote!(#receiver)
        }
        _ => e,
    }
}

fn to_json(ty: RawTy, v: &TokenStream) -> TokenStream {
    match ty {
        RawTy::Str => quote!(Value::String(#v.to_string())),
        RawTy::Int => quote!(Value::from(#v)),
        RawTy::Bool => quote!(Value::Bool(#v)),
        RawTy::Dec => quote!(__g::decimal_json(#v)),
        RawTy::Scalar | RawTy::Enum | RawTy::Obj => quote!(__g::json(#v)),
        RawTy::JsonRef => quote!(Clone::clone(#v)),
    }
}

fn want_ty(want: Want) -> TokenStream {
    match want {
        Want::Text => quote!(String),
        Want::Json => quote!(Value),
    }
}

/// `Err::<T, SignError>(e)?` — an error at a point the compiler does not see as diverging.
fn fail(ty: TokenStream, err: TokenStream) -> TokenStream {
    quote!(Err::<#ty, SignError>(#err)?)
}

/// `return Err(e)` in a function returning `SignError`; `return Err(e.into())` in a verifier (which
/// returns `VerifyError`) — the recipe target says which.
fn ret(cx: &RCtx, err: TokenStream) -> TokenStream {
    if matches!(cx.target, Target::Received) {
        quote!(return Err(From::from(#err)))
    } else {
        quote!(return Err(#err))
    }
}

/// `ts` with every `__v` replaced by `expr` (parenthesised before a method call when it is a
/// reference or a dereference).
/// `x.as_str()` (or a string literal) of an inlined `x.as_str().to_string()`: pushed as it is.
fn str_of_to_string(e: &TokenStream) -> Option<TokenStream> {
    use proc_macro2::TokenTree;
    let t: Vec<TokenTree> = e.clone().into_iter().collect();
    let n = t.len();
    let is = |i: usize, s: &str| t.get(i).is_some_and(|x| x.to_string() == s);
    if n < 4 || !is(n - 3, ".") || !is(n - 2, "to_string") || !is(n - 1, "()") {
        return None;
    }
    let rest = &t[..n - 3];
    let lit = rest.len() == 1 && matches!(&rest[0], TokenTree::Literal(l) if l.to_string().starts_with('"'));
    let as_str =
        rest.len() > 3 && rest[rest.len() - 2].to_string() == "as_str" && rest[rest.len() - 1].to_string() == "()";
    (lit || as_str).then(|| rest.iter().cloned().collect())
}

/// Whether `body` may take `expr` in place of its one `__v` (see [`subst`]): `expr` is a path,
/// literal, method chain or call, possibly after leading `&` / `*`, and `body` reads `__v` once.
fn inlinable(expr: &TokenStream, body: &TokenStream) -> bool {
    use proc_macro2::TokenTree;
    fn count(ts: &TokenStream) -> usize {
        ts.clone()
            .into_iter()
            .map(|t| match t {
                TokenTree::Ident(i) if i == "__v" => 1,
                TokenTree::Group(g) => count(&g.stream()),
                _ => 0,
            })
            .sum()
    }
    let mut leading = true;
    let simple = expr.clone().into_iter().all(|t| match t {
        TokenTree::Punct(p) if leading && matches!(p.as_char(), '&' | '*') => true,
        TokenTree::Punct(p) => {
            leading = false;
            matches!(p.as_char(), '.' | ':')
        }
        TokenTree::Group(g) => {
            leading = false;
            g.delimiter() != proc_macro2::Delimiter::Brace
        }
        _ => {
            leading = false;
            true
        }
    });
    simple && count(expr) == 0 && count(body) == 1
}

pub(crate) fn subst(ts: TokenStream, expr: &TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let prefix = matches!(expr.clone().into_iter().next(), Some(TokenTree::Punct(p)) if p.as_char() == '&' || p.as_char() == '*');
    let toks: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = TokenStream::new();
    for (n, t) in toks.iter().enumerate() {
        match t {
            TokenTree::Ident(i) if i == "__v" => {
                let method = matches!(toks.get(n + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                let mut it = expr.clone().into_iter();
                let amp = matches!(it.next(), Some(TokenTree::Punct(p)) if p.as_char() == '&');
                let star = matches!(it.next(), Some(TokenTree::Punct(p)) if p.as_char() == '*');
                if method && amp {
                    // A method call borrows (and dereferences) by itself.
                    out.extend(expr.clone().into_iter().skip(if star { 2 } else { 1 }));
                } else if method && prefix {
                    out.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, expr.clone()))]);
                } else {
                    out.extend(expr.clone());
                }
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), subst(g.stream(), expr));
                ng.set_span(g.span());
                out.extend([TokenTree::Group(ng)]);
            }
            t => out.extend([t.clone()]),
        }
    }
    out
}

/// `__t.push_str("…")`, or `__t.push('…')` for one character.
fn push_lit(lit: &str) -> TokenStream {
    let mut chars = lit.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote!(__t.push(#c);),
        _ => quote!(__t.push_str(#lit);),
    }
}

/// The local that holds a required request field with a `from:` default after `__prepare`.
fn filled_local(f: &crate::plan::FieldPlan) -> proc_macro2::Ident {
    format_ident!("f_{}", f.ident.to_string().trim_start_matches("r#"))
}

pub fn encoding_tokens(e: Encoding) -> TokenStream {
    match e {
        Encoding::Hex => quote!(__g::Hex),
        Encoding::HexUpper => quote!(__g::HexUpper),
        Encoding::Base64 => quote!(__g::Base64),
        Encoding::Base64Url => quote!(__g::Base64Url),
    }
}

pub fn stage_err(at: impl quote::ToTokens, stage: &str, problem: TokenStream) -> TokenStream {
    let stage = format_ident!("{}", stage);
    quote!(__g::stage(#at, ::payspec::Stage::#stage, #problem))
}

/// Where a stage's value went: `body.mac`, `query.signature`, `header.Authorization`.
pub fn placed_label(place: &Place) -> String {
    match place {
        Place::Body(f) => format!("body.{f}"),
        Place::Query(q) => format!("query.{q}"),
        Place::Header { name, .. } => format!("header.{name}"),
    }
}

/// A signer's local holding a top-level request field after the checks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Local {
    /// A field with a `from:` default: `T` / `Cow<T>` when required, else `Option<T>` / `Option<Cow<T>>`.
    Filled,
    /// An optional field `omit_empty` may leave out: `Option<&T>`.
    Present,
}

impl Gen<'_> {
    /// The local a signer binds for top-level field `f` of request struct `sidx`, if any.
    pub fn local_of(&self, sidx: usize, f: &crate::plan::FieldPlan) -> Option<Local> {
        let s = &self.plan.structs[sidx];
        if !s.top_request {
            return None;
        }
        if f.has_from() {
            return Some(Local::Filled);
        }
        let omit = self.plan.ops.iter().any(|o| o.request == sidx && o.op.omit_empty);
        (omit && f.optional && !f.def.required && !f.ty.is_copy()).then_some(Local::Present)
    }

    /// Access to a typed request field by wire-name path on `req`.
    fn request_field(&self, op: &OpPlan, path: &[String]) -> Option<Raw> {
        let target = format!("{}.{}", self.spec.provider, op.name);
        self.field_path(quote!(req), op.request, path, Some(&target))
    }

    /// Typed access by wire-name path into struct `sidx` at place `root`. With `filled` (the request
    /// target), required fields with `from:` defaults are read as present (an error if not).
    pub fn field_path(&self, root: TokenStream, sidx: usize, path: &[String], filled: Option<&str>) -> Option<Raw> {
        enum Acc {
            /// A place of type `T`.
            Place(TokenStream),
            /// An expression of type `&T` (never `Copy`).
            Ref(TokenStream),
            /// `Option<&T>` (`Option<T>` for `Copy` types).
            Opt(TokenStream),
        }
        let mut sidx = sidx;
        let mut acc: Option<Acc> = None;
        let mut ty = Ty::Str;
        for (i, seg) in path.iter().enumerate() {
            if i > 0 {
                match ty {
                    Ty::Obj(s) => sidx = s,
                    _ => return None,
                }
            }
            let f = self.plan.structs[sidx].field(seg)?;
            let id = &f.ident;
            let copy = f.ty.is_copy();
            let local = if i == 0 && filled.is_some() { self.local_of(sidx, f) } else { None };
            acc = Some(match acc {
                None if local.is_some() => {
                    let l = filled_local(f);
                    match local.unwrap() {
                        Local::Filled if f.def.required && copy => Acc::Place(quote!(#l)),
                        Local::Filled if f.def.required => Acc::Ref(quote!(&*#l)),
                        Local::Filled if copy => Acc::Opt(quote!(#l)),
                        Local::Filled => Acc::Opt(quote!(#l.as_deref())),
                        Local::Present => Acc::Opt(quote!(#l)),
                    }
                }
                None if !f.optional => Acc::Place(quote!(#root.#id)),
                None if copy => Acc::Opt(quote!(#root.#id)),
                None => Acc::Opt(quote!(#root.#id.as_ref())),
                Some(Acc::Place(p)) if !f.optional => Acc::Place(quote!(#p.#id)),
                Some(Acc::Place(p)) if copy => Acc::Opt(quote!(#p.#id)),
                Some(Acc::Place(p)) => Acc::Opt(quote!(#p.#id.as_ref())),
                Some(Acc::Ref(r)) if !f.optional => Acc::Place(quote!((#r).#id)),
                Some(Acc::Ref(r)) if copy => Acc::Opt(quote!((#r).#id)),
                Some(Acc::Ref(r)) => Acc::Opt(quote!((#r).#id.as_ref())),
                Some(Acc::Opt(o)) if !f.optional && copy => Acc::Opt(quote!(#o.map(|__x| __x.#id))),
                Some(Acc::Opt(o)) if !f.optional => Acc::Opt(quote!(#o.map(|__x| &__x.#id))),
                Some(Acc::Opt(o)) if copy => Acc::Opt(quote!(#o.and_then(|__x| __x.#id))),
                Some(Acc::Opt(o)) => Acc::Opt(quote!(#o.and_then(|__x| __x.#id.as_ref()))),
            });
            ty = f.ty;
        }
        let raw = raw_of(ty);
        Some(match acc? {
            Acc::Place(p) if ty.is_copy() => Raw { expr: p, opt: false, ty: raw },
            Acc::Place(p) => Raw { expr: quote!(&#p), opt: false, ty: raw },
            Acc::Ref(r) => Raw { expr: r, opt: false, ty: raw },
            Acc::Opt(o) => Raw { expr: o, opt: true, ty: raw },
        })
    }

    fn source(&self, cx: &RCtx, item: &Item) -> Src {
        let str_lit = |s: &str| Src::Val(Raw { expr: quote!(#s), opt: false, ty: RawTy::Str });
        match &item.source {
            Source::Field(path) => match cx.target {
                Target::Request(op) => match self.request_field(op, path) {
                    Some(r) => Src::Val(r),
                    None => Src::Absent,
                },
                Target::Received => {
                    let first = &path[0];
                    let rest = path[1..].iter().map(|seg| quote!(.and_then(|v| v.get(#seg))));
                    Src::Val(Raw {
                        expr: quote!(payload.get(#first) #(#rest)* .filter(|v| !v.is_null())),
                        opt: true,
                        ty: RawTy::JsonRef,
                    })
                }
                Target::Empty => Src::Absent,
            },
            Source::Credential(c) => match self.plan.creds.iter().find(|p| p.name == c) {
                None => Src::Absent,
                Some(cp) => {
                    let id = &cp.ident;
                    let int = cp.def.kind == CredentialKind::Integer;
                    let (expr, ty) = match (int, cp.def.secret, cp.def.optional) {
                        (true, _, _) => (quote!(creds.#id), RawTy::Int),
                        (false, true, false) => (quote!(creds.#id.expose()), RawTy::Str),
                        (false, true, true) => (quote!(creds.#id.as_ref().map(|s| s.expose())), RawTy::Str),
                        (false, false, false) => (quote!(creds.#id.as_str()), RawTy::Str),
                        (false, false, true) => (quote!(creds.#id.as_deref()), RawTy::Str),
                    };
                    Src::Val(Raw { expr, opt: cp.def.optional, ty })
                }
            },
            Source::Context(c) => {
                let request = matches!(cx.target, Target::Request(_));
                let int = |e: TokenStream| Src::Val(Raw { expr: e, opt: false, ty: RawTy::Int });
                match c {
                    Context::Method => match cx.target {
                        Target::Request(op) => str_lit(op.op.method.as_str()),
                        _ => str_lit(""),
                    },
                    Context::Url if request => {
                        Src::Val(Raw { expr: quote!(__url.as_str()), opt: false, ty: RawTy::Str })
                    }
                    Context::Path if request => Src::Val(Raw { expr: quote!(&*__w.path), opt: false, ty: RawTy::Str }),
                    Context::Url | Context::Path => str_lit(""),
                    Context::NowS if matches!(cx.target, Target::Received) => int(quote!(0i64)),
                    Context::NowMs if matches!(cx.target, Target::Received) => int(quote!(0i64)),
                    Context::NowS => int(quote!(clock.now_ms.div_euclid(1000))),
                    Context::NowMs => int(quote!(clock.now_ms)),
                    Context::Payload => match cx.target {
                        Target::Request(op) if op.op.body != BodyEncoding::None => {
                            Src::Val(Raw { expr: quote!(__payload.as_str()), opt: false, ty: RawTy::Str })
                        }
                        _ => Src::Fail(stage_err(
                            cx.at_t(),
                            "Select",
                            quote!("ctx:payload used on an operation without a body"),
                        )),
                    },
                }
            }
            Source::Literal(l) => str_lit(l),
            Source::Template(t) => Src::Val(Raw { expr: self.template(cx, t, &[]), opt: false, ty: RawTy::Str }),
        }
    }

    /// The error of a required item that is absent.
    fn absent_err(&self, cx: &RCtx, item: &Item) -> TokenStream {
        let at = cx.at_t();
        match &item.source {
            Source::Credential(c) => quote! {
                SignError::Credential {
                    target: #at.into(),
                    source: ::payspec::CredentialError { name: #c.into(), problem: "required by this recipe but not given".into() },
                }
            },
            _ => {
                let msg = format!("`{item}` is absent");
                stage_err(&at, "Select", quote!(#msg))
            }
        }
    }

    /// An item's value: `(expr, opt)` where `expr` is `T` or, when `opt`, `Option<T>` (`T` = `String`
    /// for [`Want::Text`], `serde_json::Value` for [`Want::Json`]). Errors as the interpreter's `json`.
    pub fn item(&self, cx: &RCtx, item: &Item, want: Want) -> (TokenStream, bool) {
        // A received field's text: one glue call.
        if let (Target::Received, Source::Field(path), Want::Text, None, None) =
            (cx.target, &item.source, want, item.add, &item.pad_left)
        {
            if item.optional {
                return (quote!(__g::received_text(payload, &[#(#path),*])), true);
            }
            let at = cx.at_t();
            return (quote!(__g::received(payload, &[#(#path),*], #at)?), false);
        }
        let wt = want_ty(want);
        let at = cx.at_t();
        let absent_err = self.absent_err(cx, item);
        match self.source(cx, item) {
            Src::Fail(e) => {
                let ty = if item.optional { quote!(Option<#wt>) } else { wt };
                (fail(ty, e), item.optional)
            }
            Src::Absent if item.optional => (quote!(None::<#wt>), true),
            Src::Absent => (fail(wt, absent_err), false),
            Src::Val(raw) => {
                let v = quote!(__v);
                let mut ty = raw.ty;
                let mut steps = TokenStream::new();
                let mut fallible = false;
                if let Some(add) = item.add {
                    let msg = format!("`{item}`: `add` needs an integer value");
                    let r = ret(cx, stage_err(&at, "Select", quote!(#msg)));
                    // Checked in every build profile: an overflow is an error, never a wrapped value.
                    let overflow = format!("`{item}`: {{}} + {add} is out of the integer range");
                    let o = ret(cx, stage_err(&at, "Select", quote!(format!(#overflow, __n))));
                    fallible = true;
                    let n = if ty == RawTy::Int {
                        quote!(#v)
                    } else {
                        let t = to_text(ty, &v);
                        quote! {
                            match #t.parse::<i64>() {
                                Ok(n) => n,
                                Err(_) => #r,
                            }
                        }
                    };
                    steps.extend(quote! {
                        let __n: i64 = #n;
                        let __v: i64 = match __n.checked_add(#add) {
                            Some(n) => n,
                            None => #o,
                        };
                    });
                    ty = RawTy::Int;
                }
                if let Some(pad) = &item.pad_left {
                    if pad.width > payspec_model::MAX_PAD_LEFT {
                        // `cx.at` is located (`file:line:col: <path>`); the error takes the dotted path.
                        self.error(
                            cx.at.rsplit(": ").next().unwrap_or_default().to_string(),
                            format!("`{item}`: pad_left {} is wider than {}", pad.width, payspec_model::MAX_PAD_LEFT),
                        );
                    }
                    let t = to_text(ty, &v);
                    let w = pad.width;
                    let fill = pad.fill;
                    let msg = format!("`{item}` is wider than its pad_left width {w}");
                    let r = ret(cx, stage_err(&at, "Select", quote!(#msg)));
                    steps.extend(quote! {
                        let __v: String = match ::payspec::canon::pad_fixed(&#t, #w, #fill) {
                            Some(s) => s,
                            None => #r,
                        };
                    });
                    fallible = true;
                    ty = RawTy::Str;
                }
                let conv = match want {
                    Want::Text => to_text(ty, &v),
                    Want::Json => to_json(ty, &v),
                };
                let body = if steps.is_empty() { conv } else { quote!({ #steps #conv }) };
                let steps_empty = steps.is_empty();
                let expr = raw.expr;
                match (raw.opt, item.optional) {
                    (false, false) if steps_empty && inlinable(&expr, &body) => (subst(body, &expr), false),
                    (false, true) if steps_empty && inlinable(&expr, &body) => {
                        let b = subst(body, &expr);
                        (quote!(Some(#b)), true)
                    }
                    (false, false) => (quote!({ let __v = #expr; #body }), false),
                    (false, true) => (quote!(Some({ let __v = #expr; #body })), true),
                    (true, true) if steps_empty && ty == RawTy::JsonRef && want == Want::Text => {
                        (quote!(#expr.map(__g::render)), true)
                    }
                    (true, true) if !fallible => (quote!(#expr.map(|__v| #body)), true),
                    (true, true) => (
                        quote! {
                            match #expr {
                                Some(__v) => Some(#body),
                                None => None,
                            }
                        },
                        true,
                    ),
                    (true, false) => {
                        let r = ret(cx, absent_err);
                        (
                            quote! {
                                match #expr {
                                    Some(__v) => #body,
                                    None => #r,
                                }
                            },
                            false,
                        )
                    }
                }
            }
        }
    }

    /// A template: `{item}` placeholders, `extra` supplies `{signature}` / `{message}` (`&str`
    /// expressions). A `String` expression.
    pub fn template(&self, cx: &RCtx, t: &str, extra: &[(&str, TokenStream)]) -> TokenStream {
        let mut pushes = Vec::new();
        let mut rest = t;
        loop {
            let Some(open) = rest.find('{') else {
                if !rest.is_empty() {
                    pushes.push(push_lit(rest));
                }
                break;
            };
            let lit = &rest[..open];
            if !lit.is_empty() {
                pushes.push(push_lit(lit));
            }
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                let msg = format!("unclosed `{{` in template {t:?}");
                let e = fail(quote!(String), stage_err(cx.at_t(), "Place", quote!(#msg)));
                pushes.push(quote!(__t.push_str(&#e);));
                break;
            };
            let name = &rest[open + 1..close];
            match extra.iter().find(|(k, _)| *k == name) {
                Some((_, e)) => pushes.push(quote!(__t.push_str(#e);)),
                None => match Item::try_from(name.to_string()) {
                    Err(msg) => {
                        let e = fail(quote!(String), stage_err(cx.at_t(), "Place", quote!(#msg)));
                        pushes.push(quote!(__t.push_str(&#e);));
                        break;
                    }
                    Ok(item) => {
                        let (e, opt) = self.item(cx, &item, Want::Text);
                        pushes.push(if opt {
                            quote!(if let Some(s) = #e { __t.push_str(&s); })
                        } else if let Some(text) = str_of_to_string(&e) {
                            quote!(__t.push_str(#text);)
                        } else {
                            quote!(__t.push_str(&#e);)
                        });
                    }
                },
            }
            rest = &rest[close + 1..];
        }
        if pushes.is_empty() {
            return quote!(String::new());
        }
        quote!({
            let mut __t = String::with_capacity(128);
            #(#pushes)*
            __t
        })
    }

    /// The string to sign: `(expr, opt)`, `expr` a `String` (or `Option<String>` when `opt`).
    pub fn message(&self, cx: &RCtx, m: &Message) -> (TokenStream, bool) {
        match m {
            Message::Value(item) => self.item(cx, item, Want::Text),
            Message::Join { sep, parts } => {
                if parts.is_empty() {
                    return (quote!(String::new()), false);
                }
                let missing = ret(cx, stage_err(cx.at_t(), "Select", quote!("a required part is absent")));
                let pushes = parts.iter().map(|p| {
                    // A plain field or credential is written straight into the message.
                    let fast = match &p.message {
                        Message::Value(item) if item.add.is_none() && item.pad_left.is_none() => {
                            match (&item.source, self.source(cx, item)) {
                                (Source::Field(_) | Source::Credential(_), Src::Val(raw))
                                    if !matches!(raw.ty, RawTy::Obj | RawTy::JsonRef) =>
                                {
                                    Some((raw, item))
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    if let Some((raw, item)) = fast {
                        let e = raw.expr;
                        let absent = ret(cx, self.absent_err(cx, item));
                        let (opt_value, value) = match (raw.opt, item.optional) {
                            (true, true) => (true, quote!(#e)),
                            (true, false) => (false, quote!(match #e { Some(v) => v, None => #absent })),
                            (false, _) => (false, quote!(#e)),
                        };
                        // Text and integers are written in without a formatter (`__g::Text`).
                        let (part, skip) = if matches!(raw.ty, RawTy::Str | RawTy::Int) {
                            (quote!(put), quote!(put_skip_empty))
                        } else {
                            (quote!(part), quote!(skip_empty))
                        };
                        return match (opt_value, p.optional) {
                            (false, false) => quote!(__m.#part(&#value);),
                            (false, true) => quote!(__m.#skip(&#value);),
                            (true, false) => quote!(match #value { Some(v) => __m.#part(&v), None => #missing }),
                            (true, true) => quote!(if let Some(v) = #value { __m.#skip(&v); }),
                        };
                    }
                    let (e, opt) = self.message(cx, &p.message);
                    let e = if opt { e } else { display_of(e) };
                    match (opt, p.optional) {
                        (false, false) => quote!(__m.part(&#e);),
                        (false, true) => quote!(__m.skip_empty(&#e);),
                        (true, true) => quote!(if let Some(v) = #e { __m.skip_empty(&v); }),
                        (true, false) => quote!(match #e { Some(v) => __m.part(&v), None => #missing }),
                    }
                });
                (
                    quote!({
                        let mut __m = __g::Join::new(#sep);
                        #(#pushes)*
                        __m.finish()
                    }),
                    false,
                )
            }
            Message::Pairs(p) => (self.pairs(cx, p), false),
            Message::Jwt(j) => {
                let mut inserts = Vec::new();
                for (map, members) in [(quote!(__h), &j.header), (quote!(__c), &j.claims)] {
                    for (k, item) in members {
                        let (e, opt) = self.item(cx, item, Want::Json);
                        inserts.push(if opt {
                            quote!(if let Some(v) = #e { #map.insert(#k.to_string(), v); })
                        } else {
                            quote!(#map.insert(#k.to_string(), #e);)
                        });
                    }
                }
                let (hs, cs) = inserts.split_at(j.header.len());
                let c_mut = if cs.is_empty() { quote!() } else { quote!(mut) };
                (
                    quote!({
                        let mut __h = Map::new();
                        __h.insert("typ".to_string(), Value::String("JWT".to_string()));
                        __h.insert("alg".to_string(), Value::String("HS256".to_string()));
                        #(#hs)*
                        let #c_mut __c = Map::new();
                        #(#cs)*
                        ::payspec::canon::jwt_signing_input(&Value::Object(__h), &Value::Object(__c))
                    }),
                    false,
                )
            }
        }
    }

    fn pairs(&self, cx: &RCtx, p: &payspec_model::Pairs) -> TokenStream {
        let kv = &p.kv;
        let sep = &p.sep;
        let form = matches!(p.encode, PairEncoding::Form);
        let omit = p.omit_empty;
        let join = quote!(::payspec::canon::pairs(__pairs.iter().map(|(k, v)| (&**k, v.as_str())), #kv, #sep, #form));
        match &p.items {
            Some(items) => {
                // Evaluate in spec order (errors as the interpreter), push in key order (sorted now).
                let mut evals = Vec::new();
                let mut entries = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let var = format_ident!("__p{}", i);
                    let (e, opt) = self.item(cx, item, Want::Text);
                    evals.push(quote!(let #var = #e;));
                    entries.push((item.pair_key(), var, opt));
                }
                if p.sort {
                    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                }
                // Written in place, in key order: `Pairs` renders no string per item.
                let adds = entries.iter().map(|(k, var, opt)| {
                    let add =
                        if omit { quote!(__pp.add_str_nonempty(#k, &#var);) } else { quote!(__pp.add_str(#k, &#var);) };
                    if *opt {
                        quote!(if let Some(#var) = &#var { #add })
                    } else {
                        add
                    }
                });
                quote!({
                    #(#evals)*
                    let mut __pp = ::payspec::canon::Pairs::new(#kv, #sep, #form);
                    #(#adds)*
                    __pp.finish()
                })
            }
            None => match cx.target {
                Target::Empty => quote!(String::new()),
                Target::Request(op) => {
                    let s = &self.plan.structs[op.request];
                    let mut fields: Vec<_> = s
                        .fields
                        .iter()
                        .filter(|f| f.def.location == Location::Body)
                        .filter(|f| Some(&f.wire) != cx.exclude.as_ref() && !p.exclude.contains(&f.wire))
                        .collect();
                    if p.sort {
                        fields.sort_by(|a, b| a.wire.as_bytes().cmp(b.wire.as_bytes()));
                    }
                    let adds = fields.iter().map(|f| {
                        let raw = self.request_field(op, std::slice::from_ref(&f.wire)).expect("a request field");
                        let k = &f.wire;
                        // Scalars by `Display` (their `to_string` is the text to sign); JSON as text.
                        let add = match (raw.ty, omit) {
                            (RawTy::Obj | RawTy::JsonRef, _) => {
                                let text = to_text(raw.ty, &quote!(__v));
                                if omit {
                                    quote!(__pp.add_str_nonempty(#k, &#text);)
                                } else {
                                    quote!(__pp.add_str(#k, &#text);)
                                }
                            }
                            (_, true) => quote!(__pp.add_nonempty(#k, &__v);),
                            (_, false) => quote!(__pp.add(#k, &__v);),
                        };
                        let expr = raw.expr;
                        if raw.opt {
                            quote!(if let Some(__v) = #expr { #add })
                        } else {
                            quote!({ let __v = #expr; #add })
                        }
                    });
                    let mutable = if fields.is_empty() { quote!() } else { quote!(mut) };
                    quote!({
                        let #mutable __pp = ::payspec::canon::Pairs::new(#kv, #sep, #form);
                        #(#adds)*
                        __pp.finish()
                    })
                }
                Target::Received => {
                    let mut names: Vec<&String> = cx.exclude.iter().chain(&p.exclude).collect();
                    names.dedup();
                    let mut seen = std::collections::HashSet::new();
                    names.retain(|n| seen.insert(*n));
                    let mut skip: Vec<TokenStream> = names.iter().map(|x| quote!(__k == #x)).collect();
                    if omit {
                        skip.push(quote!(__v.is_null() || __g::render(__v).is_empty()));
                    }
                    let skip = if skip.is_empty() { quote!() } else { quote!(if #(#skip)||* { continue; }) };
                    let sort = if p.sort {
                        quote!(__pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));)
                    } else {
                        quote!()
                    };
                    quote!({
                        let mut __pairs: Vec<(String, String)> = Vec::new();
                        for (__k, __v) in payload.iter() {
                            let __k: &str = __k.as_str();
                            #skip
                            __pairs.push((__k.to_string(), __g::render(__v)));
                        }
                        #sort
                        #join
                    })
                }
            },
        }
    }

    /// A key item's text (`String`), as the interpreter's `key`.
    /// An HMAC key item as an expression with `.as_bytes()`: a plain string credential borrowed (no
    /// copy of the secret), anything else as [`key_text`](Self::key_text).
    fn hmac_key(&self, cx: &RCtx, key: Option<&Item>) -> TokenStream {
        if let Some(item) = key.filter(|i| i.add.is_none() && i.pad_left.is_none()) {
            if let (Source::Credential(_), Src::Val(raw)) = (&item.source, self.source(cx, item)) {
                if raw.ty == RawTy::Str && !raw.opt {
                    return raw.expr;
                }
            }
        }
        self.key_text(cx, key, "key")
    }

    /// The field of a required text `Secret` credential used as a whole key (`cred:<name>`, no
    /// transforms): RSA then signs through the key cached in the `Secret`.
    pub fn secret_key(&self, key: Option<&Item>) -> Option<proc_macro2::Ident> {
        let item = key.filter(|i| i.add.is_none() && i.pad_left.is_none())?;
        let Source::Credential(name) = &item.source else { return None };
        let c = self.plan.creds.iter().find(|p| p.name == name)?;
        (c.def.secret && !c.def.optional && c.def.kind != CredentialKind::Integer).then(|| c.ident.clone())
    }

    pub fn key_text(&self, cx: &RCtx, key: Option<&Item>, what: &str) -> TokenStream {
        let Some(item) = key else {
            let msg = format!("needs `{what}`");
            return fail(quote!(String), stage_err(cx.at_t(), "Digest", quote!(#msg)));
        };
        let (e, opt) = self.item(cx, item, Want::Text);
        if opt {
            let msg = format!("`{what}` is absent");
            let r = ret(cx, stage_err(cx.at_t(), "Digest", quote!(#msg)));
            quote!(match #e { Some(k) => k, None => #r })
        } else {
            e
        }
    }

    /// Statements binding `__msg: String` and `__digest` (`Vec<u8>`, when the recipe has a digest).
    /// Returns them and whether `__digest` exists.
    pub fn message_and_digest(&self, cx: &RCtx, recipe: &Recipe) -> (TokenStream, bool) {
        let mut out = self.message_stmt(cx, recipe);
        match self.digest_stmt(cx, recipe) {
            Some(d) => {
                out.extend(d);
                (out, true)
            }
            None => (out, false),
        }
    }

    /// `let __msg: String = …;`
    pub fn message_stmt(&self, cx: &RCtx, recipe: &Recipe) -> TokenStream {
        let (m, opt) = self.message(cx, &recipe.message);
        let msg = if opt { quote!(#m.unwrap_or_default()) } else { m };
        quote!(let __msg: String = #msg;)
    }

    /// `let __digest: Vec<u8> = …;` of the signing digest (`None` without a digest stage).
    pub fn digest_stmt(&self, cx: &RCtx, recipe: &Recipe) -> Option<TokenStream> {
        let d = recipe.digest.as_ref()?;
        let digest = match d.alg {
            DigestAlg::HmacSha256 => {
                let k = self.hmac_key(cx, d.key.as_ref());
                quote!(__g::hmac_sha256(#k, &__msg))
            }
            DigestAlg::HmacSha512 => {
                let k = self.hmac_key(cx, d.key.as_ref());
                quote!(__g::hmac_sha512(#k, &__msg))
            }
            DigestAlg::Sha256 => quote!(__g::sha256(&__msg)),
            DigestAlg::Md5 => quote!(__g::md5(&__msg)),
            DigestAlg::RsaSha256 => {
                let err = stage_err(cx.at_t(), "Digest", quote!(e.to_string()));
                match self.secret_key(d.key.as_ref()) {
                    // The key parsed once and kept in the `Secret`.
                    Some(k) => quote!(__g::rsa_sign(&creds.#k, &__msg).map_err(|e| #err)?),
                    None => {
                        let k = self.key_text(cx, d.key.as_ref(), "key");
                        quote!(::payspec::crypto::rsa_sha256_sign(&#k, __msg.as_bytes()).map_err(|e| #err)?)
                    }
                }
            }
        };
        Some(quote!(let __digest = #digest;))
    }

    /// The encoded value (`String` expression) from `__msg` / `__digest`.
    pub fn encoded(&self, cx: &RCtx, recipe: &Recipe, has_digest: bool) -> TokenStream {
        match (has_digest, recipe.encode) {
            (true, Some(e)) => {
                let e = encoding_tokens(e);
                quote!(__g::encode(#e, &__digest))
            }
            (true, None) => fail(quote!(String), stage_err(cx.at_t(), "Encode", quote!("a digest needs an encoding"))),
            (false, Some(e)) => {
                let e = encoding_tokens(e);
                quote!(__g::encode(#e, &__msg))
            }
            (false, None) => quote!(Clone::clone(&__msg)),
        }
    }

    /// A block evaluating to `(String, Stages)`: a recipe run for signing (stages labelled `label`)
    /// and the value for its place; with `stages_only` (and no header template) the block evaluates
    /// to the `Stages` alone (the value is its signature).
    pub fn recipe_run(&self, cx: &RCtx, recipe: &Recipe, label: TokenStream, stages_only: bool) -> TokenStream {
        let (md, has_digest) = self.message_and_digest(cx, recipe);
        let sig = self.encoded(cx, recipe, has_digest);
        let placed = placed_label(&recipe.place);
        let value = match &recipe.place {
            Place::Header { name, template } => {
                let t = self.template(
                    cx,
                    template,
                    &[("signature", quote!(__sig.as_str())), ("message", quote!(__msg.as_str()))],
                );
                let at = cx.at_t();
                quote!(__g::header_placed(#at, #name, #t)?)
            }
            _ => quote!(Clone::clone(&__sig)),
        };
        let digest = if has_digest { quote!(Some(__digest)) } else { quote!(None) };
        let (value_stmt, value) = match &recipe.place {
            Place::Header { .. } => (quote!(let __value: String = #value;), quote!(__value)),
            _ if stages_only => {
                return quote!({
                    #md
                    let __sig = #sig;
                    __g::stages(#label, __msg, #digest, __sig, #placed)
                });
            }
            _ => (quote!(), quote!(__sig.clone())),
        };
        quote!({
            #md
            let __sig = #sig;
            #value_stmt
            (#value, __g::stages(#label, __msg, #digest, __sig, #placed))
        })
    }

    /// `pub fn sign_<op>`.
    pub fn sign_fn(&self, op: &OpPlan) -> TokenStream {
        let o = op.op;
        let s = &self.plan.structs[op.request];
        let req = &s.name;
        let f = &op.sign_fn;
        let host = o.host.as_deref().unwrap_or(DEFAULT_HOST);
        let method = o.method.as_str();
        let path = &o.path;
        let has_body = o.body != BodyEncoding::None;
        let target = self.target(op);
        let rules = self.rules(op.request);

        // Checks in field order (as `__run`), `from:` defaults and `omit_empty` into locals.
        let mut checks = Vec::new();
        for (n, fp) in s.fields.iter().enumerate() {
            let id = &fp.ident;
            let l = filled_local(fp);
            let i = proc_macro2::Literal::usize_unsuffixed(n);
            checks.push(match self.local_of(op.request, fp) {
                Some(Local::Filled) => {
                    let d = self.default_expr(op, fp, n).unwrap_or_else(|| quote!(|_, _| Ok(None)));
                    let (f, arg) = match (fp.ty.is_copy(), fp.def.required) {
                        (true, true) => (quote!(need_copy), quote!(req.#id)),
                        (true, false) => (quote!(fill_copy), quote!(req.#id)),
                        (false, true) => (quote!(need_ref), quote!(req.#id.as_ref())),
                        (false, false) => (quote!(fill_ref), quote!(req.#id.as_ref())),
                    };
                    quote!(let #l = cx.#f(#i, #arg, #d)?;)
                }
                Some(Local::Present) => quote!(let #l = cx.present(#i, req.#id.as_ref())?;),
                None if fp.optional => quote!(cx.present(#i, req.#id.as_ref())?;),
                None => quote!(cx.check(#i, &req.#id)?;),
            });
        }
        let present = |w: &str| {
            s.field(w).map(|f| match self.local_of(op.request, f) {
                Some(Local::Filled) if f.def.required => quote!(true),
                Some(_) => {
                    let l = filled_local(f);
                    quote!(#l.is_some())
                }
                None if f.optional => {
                    let id = &f.ident;
                    quote!(req.#id.is_some())
                }
                None => quote!(true),
            })
        };
        let groups = self.groups(op, &present, false);

        let mut path_steps = Vec::new();
        let mut query_steps = Vec::new();
        let mut header_steps = Vec::new();
        let mut body_steps = Vec::new();
        for fp in &s.fields {
            let raw = self.request_field(op, std::slice::from_ref(&fp.wire)).expect("a request field");
            let wire = &fp.wire;
            let v = quote!(__v);
            let step = match fp.def.location {
                Location::Path => {
                    let t = to_text(raw.ty, &v);
                    quote!(__w.path_field(T, #wire, &#t)?;)
                }
                Location::Query => {
                    let t = to_text(raw.ty, &v);
                    quote!(__w.query(#wire, #t);)
                }
                Location::Header => {
                    let t = to_text(raw.ty, &v);
                    quote!(__w.header_field(T, #wire, #t)?;)
                }
                Location::Body if has_body => {
                    let j = to_json(raw.ty, &v);
                    quote!(__w.body(#wire, #j);)
                }
                Location::Body => continue,
            };
            let expr = raw.expr;
            let simple = matches!(raw.ty, RawTy::Str | RawTy::Int | RawTy::Bool | RawTy::Dec);
            let step = if raw.opt && simple && matches!(fp.def.location, Location::Body) && has_body {
                quote!(__w.opt(#wire, #expr);)
            } else if raw.opt {
                quote!(if let Some(__v) = #expr { #step })
            } else {
                // The value straight in place of `__v`.
                subst(step, &expr)
            };
            match fp.def.location {
                Location::Path => path_steps.push(step),
                Location::Query => query_steps.push(step),
                Location::Header => header_steps.push(step),
                Location::Body => body_steps.push(step),
            }
        }
        let const_headers = o.headers.iter().map(|(k, v)| quote!(__w.header(#k, #v);));

        // Recipes: `sign` then `auth`, each on the unsigned request.
        let mut runs = Vec::new();
        let mut recipes: Vec<(String, String, &Recipe)> = Vec::new();
        if let Some(r) = &o.sign {
            recipes.push(("sign".into(), self.spec.locate(&format!("operations.{}.sign", op.name)), r));
        }
        if let Some(name) = &o.auth {
            match self.spec.recipes.get(name) {
                Some(r) => recipes.push((format!("auth:{name}"), self.spec.locate(&format!("recipes.{name}")), r)),
                None => self.error(format!("operations.{}.auth", op.name), format!("unknown recipe `{name}`")),
            }
        }
        let mut placements = Vec::new();
        let mut seals = Vec::new();
        let mut envelope_sigs = Vec::new();
        for (i, (label, at, recipe)) in recipes.iter().enumerate() {
            let st = format_ident!("__st{}", i);
            let pv = format_ident!("__pv{}", i);
            let cx = RCtx {
                target: Target::Request(op),
                at: at.clone(),
                exclude: recipe.place.field().map(String::from),
                at_id: Some(format_ident!("AT{}", i)),
            };
            let header = matches!(recipe.place, Place::Header { .. });
            // A shared recipe that reads nothing of the request runs through its function.
            let shared = label
                .strip_prefix("auth:")
                .and_then(|name| self.plan.recipes.iter().find(|r| r.name == name))
                .filter(|r| self.reads_no_request(op, r));
            let tuple = header || shared.is_some();
            if let Some(r) = shared {
                let f = format_ident!("__{}", r.func);
                runs.push(quote!(let (#pv, #st) = #f(creds, clock, #label)?;));
            } else {
                let block = self.recipe_run(&cx, recipe, quote!(#label), !header);
                let at_id = cx.at_id.as_ref().expect("set above");
                if block.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| *at_id == w) {
                    runs.push(quote!(const #at_id: &str = #at;));
                }
                if header {
                    runs.push(quote!(let (#pv, #st) = #block;));
                } else {
                    runs.push(quote!(let #st = #block;));
                }
            }
            let pv = if tuple { quote!(#pv) } else { quote!(#st.signature.0.clone()) };
            let structural = self.spec.recipe_value_is_secret(recipe, Some(&o.request));
            seals.push(quote!(__w.stage(#st, #structural);));
            match &recipe.place {
                Place::Body(field) => {
                    if matches!(o.body, BodyEncoding::Json | BodyEncoding::Form) {
                        placements.push(quote!(__w.body(#field, Value::String(#pv));));
                    }
                    envelope_sigs.push(quote!((#field, #i)));
                }
                Place::Query(q) => placements.push(quote!(__w.query(#q, #pv);)),
                Place::Header { name, .. } => placements.push(quote!(__w.header(#name, #pv);)),
            }
        }
        let runs_text = quote!(#(#runs)*).to_string();
        let payload = if has_body && runs_text.contains("__payload") {
            quote!(let __payload: String = __w.payload();)
        } else {
            quote!()
        };
        let url = if runs_text.contains("__url") { quote!(let __url: String = __w.url();) } else { quote!() };
        let kind = match &o.body {
            BodyEncoding::None => quote!(None),
            BodyEncoding::Json => quote!(Json),
            BodyEncoding::Form => quote!(Form),
            BodyEncoding::Envelope(field) => quote!(Envelope(#field)),
        };
        if !matches!(o.body, BodyEncoding::Envelope(_)) {
            envelope_sigs.clear();
        }
        let sensitive_paths = payspec_model::sensitive_paths(&o.request);
        let redactor = if sensitive_paths.is_empty() { quote!(creds.redactor()) } else { quote!(__redactor) };
        // Top-level text, integer and boolean fields register their values directly (their
        // `to_string` is what `render` gives); anything else through the request as JSON.
        let direct: Option<Vec<TokenStream>> = sensitive_paths
            .iter()
            .map(|path| {
                let raw =
                    (!path.contains('.')).then(|| self.request_field(op, std::slice::from_ref(path))).flatten()?;
                if !matches!(raw.ty, RawTy::Str | RawTy::Int | RawTy::Bool) {
                    return None;
                }
                let e = raw.expr;
                Some(if raw.opt {
                    quote!(if let Some(__v) = #e { __redactor.sensitive(#path, __v.to_string()); })
                } else {
                    quote!(__redactor.sensitive(#path, #e.to_string());)
                })
            })
            .collect();
        let sensitive = if sensitive_paths.is_empty() {
            quote!()
        } else if let Some(direct) = direct {
            quote! {
                let mut __redactor = creds.redactor();
                #(#direct)*
            }
        } else {
            // The request as signed: defaults filled, `omit_empty` applied.
            let sets = s.fields.iter().filter_map(|f| {
                let id = &f.ident;
                let l = filled_local(f);
                Some(match self.local_of(op.request, f)? {
                    Local::Filled if f.def.required && f.ty.is_copy() => quote!(__s.#id = Some(#l);),
                    Local::Filled if f.def.required => quote!(__s.#id = Some(#l.clone().into_owned());),
                    Local::Filled if f.ty.is_copy() => quote!(__s.#id = #l;),
                    Local::Filled => quote!(__s.#id = #l.clone().map(::std::borrow::Cow::into_owned);),
                    Local::Present => quote!(__s.#id = #l.cloned();),
                })
            });
            quote! {
                let mut __redactor = creds.redactor();
                let mut __s = req.clone();
                #(#sets)*
                __redactor.sensitive_paths(&__g::json(&__s), &[#(#sensitive_paths),*]);
            }
        };
        let doc = format!(
            "Sign `{}`{}\n\n`{method} {path}` on host `{host}`. Fills `from:` defaults, validates, builds the URL, headers and body and runs the recipes (`sign`, then `auth`), exactly as `payspec::Interpreter::sign`.",
            op.name,
            o.doc.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_else(|| ".".into())
        );
        quote! {
            #[doc = #doc]
            pub fn #f(req: &#req, creds: &Credentials, env: Env, clock: Clock) -> Result<SignedRequest, SignError> {
                const T: &str = #target;
                let r = &#rules;
                let cx = __g::Fields::signing(T, r, creds, clock);
                #(#checks)*
                #groups
                let mut __w = env.__wire(#host, #method, #path)?;
                #(#path_steps)*
                #(#query_steps)*
                #(#const_headers)*
                #(#header_steps)*
                #(#body_steps)*
                #payload
                #url
                #(#runs)*
                #(#placements)*
                #(#seals)*
                #sensitive
                Ok(__w.finish(__g::BodyKind::#kind, &[#(#envelope_sigs),*], #redactor))
            }
        }
    }

    /// Recipe `r` for operation `op` generates the same code as on its own (it reads no request
    /// field, payload or URL): signers then call its `__recipe_<name>` function.
    fn reads_no_request(&self, op: &OpPlan, r: &RecipePlan) -> bool {
        let cx = |target| RCtx {
            target,
            at: self.spec.locate(&format!("recipes.{}", r.name)),
            exclude: r.recipe.place.field().map(String::from),
            at_id: Some(format_ident!("AT")),
        };
        let label = quote!(label);
        let alone = self.recipe_run(&cx(Target::Empty), r.recipe, label.clone(), false).to_string();
        alone == self.recipe_run(&cx(Target::Request(op)), r.recipe, label, false).to_string()
    }

    /// `pub fn recipe_<name>`: a shared recipe on its own (no fields, no URL), and the
    /// `__recipe_<name>` it and signers call (value and unsealed stages, labelled `label`).
    pub fn recipe_fn(&self, r: &RecipePlan) -> TokenStream {
        let f = &r.func;
        let inner = format_ident!("__{}", f);
        let cx = RCtx {
            target: Target::Empty,
            at: self.spec.locate(&format!("recipes.{}", r.name)),
            exclude: r.recipe.place.field().map(String::from),
            at_id: Some(format_ident!("AT")),
        };
        let block = self.recipe_run(&cx, r.recipe, quote!(label), false);
        let at_const = if block.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "AT") {
            let at = &cx.at;
            quote!(const AT: &str = #at;)
        } else {
            quote!()
        };
        let structural = self.spec.recipe_value_is_secret(r.recipe, None);
        let label = format!("recipe:{}", r.name);
        let doc = format!(
            "Run shared recipe `{}` on its own{} Returns its stages and the value for its place (header templates applied), as `payspec::Interpreter::run_recipe`.",
            r.name,
            r.recipe.doc.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_else(|| ".".into())
        );
        quote! {
            #[doc = #doc]
            pub fn #f(creds: &Credentials, clock: Clock) -> Result<(Stages, String), SignError> {
                let (__value, __st) = #inner(creds, clock, #label)?;
                Ok((__g::sealed(__st, creds.redactor(), #structural), __value))
            }

            fn #inner(creds: &Credentials, clock: Clock, label: &'static str) -> Result<(String, Stages), SignError> {
                #at_const
                Ok(#block)
            }
        }
    }
}
