//! Field checks: typed checks of requests (builders, `validate`, `from:` defaults) and JSON checks of
//! received payloads. Messages are the interpreter's (`runtime/src/interp/fields.rs`).

use crate::plan::{FieldPlan, OpPlan, Ty};
use crate::Gen;
use payspec_model::{Context, CredentialKind, Field, FieldType, Source};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The problem of a field filled from a secret credential that does not fit (its value is hidden).
const HIDDEN: &str = "the secret credential it defaults to does not fit (value hidden)";

/// The pattern check on the rendered text `text: &str` (every type, as the interpreter's `limits`).
fn pattern_check(def: &Field, text: &TokenStream) -> TokenStream {
    let Some(p) = &def.pattern else {
        return quote!();
    };
    quote! {
        {
            static RE: ::std::sync::OnceLock<Result<::payspec::regex::Regex, String>> = ::std::sync::OnceLock::new();
            let __text: &str = #text;
            if !__g::pattern(&RE, #p)?.is_match(__text) {
                return Err(format!("`{}` does not match pattern {}", __g::echo(__text), #p));
            }
        }
    }
}

/// String limits on `s: &str` (statements returning `Err(String)`): JSON text, lengths, enum values,
/// pattern. `None` when there is nothing to check.
fn str_checks(def: &Field, s: &Ident, json_text: bool, enum_check: bool) -> Option<TokenStream> {
    let mut out = TokenStream::new();
    if json_text {
        out.extend(quote! {
            if let Err(e) = ::payspec::serde_json::from_str::<Value>(#s) {
                return Err(format!("not JSON text: {}", e));
            }
        });
    }
    if def.max_len.is_some() || def.min_len.is_some() {
        out.extend(quote!(let __len = #s.chars().count();));
    }
    if let Some(max) = def.max_len {
        out.extend(quote! {
            if __len > #max {
                return Err(format!("{} characters, at most {} allowed", __len, #max));
            }
        });
    }
    if let Some(min) = def.min_len {
        out.extend(quote! {
            if __len < #min {
                return Err(format!("{} characters, at least {} required", __len, #min));
            }
        });
    }
    if enum_check && !def.values.is_empty() {
        let values = &def.values;
        let joined = def.values.join(", ");
        out.extend(quote! {
            if ![#(#values),*].contains(&#s) {
                return Err(format!("`{}` is not one of {}", __g::echo(#s), #joined));
            }
        });
    }
    out.extend(pattern_check(def, &quote!(#s)));
    (!out.is_empty()).then_some(out)
}

/// Numeric limits on the number whose text is `text: &str` (received values, as the interpreter does).
fn num_checks_text(def: &Field, text: TokenStream) -> Option<TokenStream> {
    if def.min.is_none() && def.max.is_none() {
        return None;
    }
    let mut out = quote!(let __val = __g::to_decimal(#text)?;);
    if let Some(min) = &def.min {
        let m = min.to_string();
        out.extend(quote! {
            if __val < __g::to_decimal(#m)? {
                return Err(format!("{} is below the minimum {}", __g::echo(#text), #m));
            }
        });
    }
    if let Some(max) = &def.max {
        let m = max.to_string();
        out.extend(quote! {
            if __val > __g::to_decimal(#m)? {
                return Err(format!("{} is above the maximum {}", __g::echo(#text), #m));
            }
        });
    }
    Some(out)
}

/// Pattern and numeric limits on a typed integer `v: i64`.
fn int_checks(def: &Field, v: &Ident) -> TokenStream {
    let mut out = pattern_check(def, &quote!(&#v.to_string()));
    for (bound, below) in [(&def.min, true), (&def.max, false)] {
        let Some(b) = bound else { continue };
        let text = b.to_string();
        let (cmp, msg) =
            if below { (quote!(<), "{} is below the minimum {}") } else { (quote!(>), "{} is above the maximum {}") };
        out.extend(match text.parse::<i64>() {
            Ok(n) => quote! {
                if #v #cmp #n {
                    return Err(format!(#msg, #v, #text));
                }
            },
            Err(_) => quote! {
                if ::payspec::rust_decimal::Decimal::from(#v) #cmp __g::to_decimal(#text)? {
                    return Err(format!(#msg, #v, #text));
                }
            },
        });
    }
    out
}

/// Pattern and numeric limits on a typed decimal `v: &Decimal`.
fn dec_checks(def: &Field, v: &Ident) -> TokenStream {
    let mut out = pattern_check(def, &quote!(&#v.to_string()));
    for (bound, below) in [(&def.min, true), (&def.max, false)] {
        let Some(b) = bound else { continue };
        let text = b.to_string();
        let (cmp, msg) =
            if below { (quote!(<), "{} is below the minimum {}") } else { (quote!(>), "{} is above the maximum {}") };
        out.extend(quote! {
            if *#v #cmp __g::to_decimal(#text)? {
                return Err(format!(#msg, #v, #text));
            }
        });
    }
    out
}

/// A closure `|v: &&T| -> bool` telling whether a present value renders as empty text (`omit_empty`);
/// `None` for types that never do.
fn empty_text(ty: Ty) -> Option<TokenStream> {
    match ty {
        Ty::Str | Ty::JsonText => Some(quote!(|v: &String| v.is_empty())),
        Ty::Scalar => {
            Some(quote!(|v: &::payspec::Scalar| ::core::matches!(v, ::payspec::Scalar::Text(t) if t.is_empty())))
        }
        Ty::Enum(_) => Some(quote!(|v| v.as_str().is_empty())),
        Ty::Int | Ty::Dec | Ty::Bool | Ty::Obj(_) => None,
    }
}

impl Gen<'_> {
    /// Whether a request-side field has anything to check.
    pub fn needs_check(&self, f: &FieldPlan) -> bool {
        let d = f.def;
        let pattern = d.pattern.is_some();
        let str_limits = d.max_len.is_some() || d.min_len.is_some() || pattern || !d.values.is_empty();
        let num_limits = d.min.is_some() || d.max.is_some() || pattern;
        match f.ty {
            Ty::Str => str_limits,
            Ty::JsonText | Ty::Enum(_) => true,
            Ty::Int | Ty::Dec => num_limits,
            Ty::Bool => pattern,
            Ty::Scalar => str_limits || num_limits,
            Ty::Obj(i) => pattern || self.plan.structs[i].fields.iter().any(|f| self.needs_check(f)),
        }
    }

    /// `Self::__check_<field>(<v as argument>)`, for `v: &T` — a `Result<(), String>`.
    pub fn check_call(&self, owner: &TokenStream, f: &FieldPlan, v: TokenStream) -> TokenStream {
        let name = Self::check_fn_name(f);
        match f.ty {
            Ty::Str | Ty::JsonText | Ty::Enum(_) => quote!(#owner::#name((#v).as_str())),
            Ty::Int | Ty::Bool => quote!(#owner::#name(*(#v))),
            Ty::Dec | Ty::Scalar | Ty::Obj(_) => quote!(#owner::#name(#v)),
        }
    }

    /// `fn __check_<field>(v) -> Result<(), String>` of a request-side field.
    fn check_fn(&self, f: &FieldPlan) -> TokenStream {
        let name = Self::check_fn_name(f);
        let v = quote::format_ident!("v");
        let (arg, body) = match f.ty {
            Ty::Str | Ty::JsonText | Ty::Enum(_) => {
                let json = f.ty == Ty::JsonText;
                (quote!(&str), str_checks(f.def, &v, json, true).unwrap_or_default())
            }
            Ty::Int => (quote!(i64), int_checks(f.def, &v)),
            Ty::Bool => (quote!(bool), pattern_check(f.def, &quote!(&v.to_string()))),
            Ty::Dec => (quote!(&::payspec::rust_decimal::Decimal), dec_checks(f.def, &v)),
            Ty::Scalar => {
                let s = quote::format_ident!("s");
                let i = quote::format_ident!("i");
                let text = str_checks(f.def, &s, false, true);
                let int = int_checks(f.def, &i);
                let text_arm = match text {
                    Some(t) => {
                        quote!(::payspec::Scalar::Text(s) => { let s: &str = s.as_str(); #t })
                    }
                    None => quote!(::payspec::Scalar::Text(_) => {}),
                };
                let int_arm = if int.is_empty() {
                    quote!(::payspec::Scalar::Int(_) => {})
                } else {
                    quote!(::payspec::Scalar::Int(i) => { let i: i64 = *i; #int })
                };
                (quote!(&::payspec::Scalar), quote!(match v { #text_arm #int_arm }))
            }
            Ty::Obj(i) => {
                let sname = &self.plan.structs[i].name;
                let pattern = pattern_check(f.def, &quote!(&__g::json(v).to_string()));
                (quote!(&#sname), quote!(v.__check()?; #pattern))
            }
        };
        quote! {
            #[allow(unused_variables)]
            fn #name(v: #arg) -> Result<(), String> {
                #body
                Ok(())
            }
        }
    }

    /// Check impls of request-side struct `idx`: per-field checks, `__check` (nested), `__prepare` and
    /// `validate` (top level).
    pub fn request_impl(&self, idx: usize) -> TokenStream {
        let s = &self.plan.structs[idx];
        let name = &s.name;
        let fns: Vec<_> = s.fields.iter().filter(|f| self.needs_check(f)).map(|f| self.check_fn(f)).collect();
        let mut outer = TokenStream::new();
        let extra = if s.top_request {
            let op =
                self.plan.ops.iter().find(|o| o.request == idx).expect("a top-level request belongs to an operation");
            let (inner, o) = self.prepare_fn(op);
            outer = o;
            inner
        } else {
            let steps = s.fields.iter().filter(|f| self.needs_check(f)).map(|f| {
                let id = &f.ident;
                let wire = &f.wire;
                let call = self.check_call(&quote!(Self), f, quote!(__v));
                let bind = if f.optional {
                    quote!(if let Some(__v) = &self.#id)
                } else {
                    quote!(let __v = &self.#id;)
                };
                if f.optional {
                    quote!(#bind { #call.map_err(|p| format!("`{}`: {}", #wire, p))?; })
                } else {
                    quote!({ #bind #call.map_err(|p| format!("`{}`: {}", #wire, p))?; })
                }
            });
            quote! {
                fn __check(&self) -> Result<(), String> {
                    #(#steps)*
                    Ok(())
                }
            }
        };
        if fns.is_empty() && extra.is_empty() {
            return outer;
        }
        quote! {
            impl #name {
                #(#fns)*
                #extra
            }
            #outer
        }
    }

    fn target(&self, op: &OpPlan) -> String {
        format!("{}.{}", self.spec.provider, op.name)
    }

    /// Group checks (`one_of`, `any_of`, `all_or_none`) with `present(wire)` giving a presence expression.
    fn groups(&self, op: &OpPlan, present: &dyn Fn(&str) -> Option<TokenStream>, skip_from: bool) -> TokenStream {
        let s = &self.plan.structs[op.request];
        let target = self.target(op);
        let has_from = |g: &Vec<String>| g.iter().any(|w| s.field(w).is_some_and(|f| f.has_from()));
        let flags = |g: &Vec<String>| g.iter().map(|w| present(w).unwrap_or(quote!(false))).collect::<Vec<_>>();
        let mut out = TokenStream::new();
        for g in &op.op.one_of {
            if skip_from && has_from(g) {
                continue;
            }
            let p = flags(g);
            let n = p.len();
            let field = g.join("|");
            out.extend(quote! {
                {
                    let __p: [bool; #n] = [#(#p),*];
                    let __n = __p.iter().filter(|b| **b).count();
                    if __n != 1 {
                        return Err(__g::input(#target, #field, format!("exactly one of these fields is required, found {}", __n)));
                    }
                }
            });
        }
        for g in &op.op.any_of {
            if skip_from && has_from(g) {
                continue;
            }
            let p = flags(g);
            let field = g.join("|");
            out.extend(quote! {
                if ![#(#p),*].contains(&true) {
                    return Err(__g::input(#target, #field, "at least one of these fields is required, found none"));
                }
            });
        }
        for g in &op.op.all_or_none {
            if skip_from && has_from(g) {
                continue;
            }
            let p = flags(g);
            let n = p.len();
            let names = g.iter().map(String::as_str);
            let msg = format!("required together with {}", g.join(", "));
            out.extend(quote! {
                {
                    let __p: [bool; #n] = [#(#p),*];
                    let __n = __p.iter().filter(|b| **b).count();
                    if __n != 0 && __n != #n {
                        let __names: [&str; #n] = [#(#names),*];
                        let __missing: Vec<&str> = __names.iter().zip(__p.iter()).filter(|(_, p)| !**p).map(|(n, _)| *n).collect();
                        return Err(__g::input(#target, &__missing.join(", "), #msg));
                    }
                }
            });
        }
        out
    }

    /// `__run` of an operation's builder: one pass in field order, as the interpreter's `prepare` —
    /// fill the `from:` default (when signing), check, require — then the groups. `build()` runs it
    /// without defaults and without requiring what a default may still fill.
    pub fn build_fn(&self, op: &OpPlan) -> TokenStream {
        let s = &self.plan.structs[op.request];
        let name = &s.name;
        let target = self.target(op);
        let owner = quote!(#name);
        let mut steps = Vec::new();
        let mut any_from = false;
        for f in &s.fields {
            let id = &f.ident;
            let wire = &f.wire;
            let default = self.default_expr(op, f);
            let mutable = if default.is_some() { quote!(mut) } else { quote!() };
            let empty = if op.op.omit_empty && f.optional && !f.def.required { empty_text(f.ty) } else { None };
            let mutable = if empty.is_some() { quote!(mut) } else { mutable };
            steps.push(quote!(let #mutable #id = self.#id;));
            if let Some(is_empty) = empty {
                // `omit_empty`: an optional field given as "" is left out, as if absent.
                steps.push(quote! {
                    if #id.as_ref().is_some_and(#is_empty) {
                        #id = None;
                    }
                });
            }
            if let Some(d) = default {
                any_from = true;
                if self.spec.field_is_secret(f.def) {
                    steps.push(quote!(let __secret_default = #id.is_none() && fill.is_some();));
                }
                steps.push(quote! {
                    if #id.is_none() {
                        if let Some((__creds, __clock)) = fill {
                            let _ = (__creds, __clock);
                            #id = #d?;
                        }
                    }
                });
            }
            if self.needs_check(f) {
                let call = self.check_call(&owner, f, quote!(__v));
                // A value filled from a secret credential is never echoed (as the interpreter).
                let problem = if self.spec.field_is_secret(f.def) && f.def.from.is_some() {
                    quote!(if __secret_default { String::from(#HIDDEN) } else { p })
                } else {
                    quote!(p)
                };
                steps.push(quote! {
                    if let Some(__v) = &#id {
                        #call.map_err(|p| __g::input(#target, #wire, #problem))?;
                    }
                });
            }
            let missing = quote!(return Err(__g::input(#target, #wire, "required but missing")));
            if !f.optional {
                steps.push(quote! {
                    let #id = match #id {
                        Some(v) => v,
                        None => #missing,
                    };
                });
            } else if f.def.required {
                steps.push(quote! {
                    if #id.is_none() && !building {
                        #missing;
                    }
                });
            }
        }
        let present = |w: &str| {
            s.field(w).map(|f| {
                let id = &f.ident;
                if f.optional {
                    quote!(#id.is_some())
                } else {
                    quote!(true)
                }
            })
        };
        let always = self.groups(op, &present, true);
        let all = self.groups(op, &present, false);
        let groups = if always.to_string() == all.to_string() {
            all
        } else {
            quote! {
                if building {
                    #always
                } else {
                    #all
                }
            }
        };
        let ids = s.fields.iter().map(|f| &f.ident);
        let fill = if any_from { quote!(fill) } else { quote!(_fill) };
        let doc = format!(
            "Check every field (required fields present, lengths, patterns, bounds, `one_of` / `any_of` / `all_or_none` groups) and build the request. Fields with `from:` defaults may be left out: they are filled when signing.\n\nErrors are `SignError::Input` naming the wire field, target `{target}`."
        );
        quote! {
            #[doc = #doc]
            pub fn build(self) -> Result<#name, SignError> {
                self.__run(None, true)
            }

            #[doc(hidden)]
            #[allow(unused_variables)]
            pub fn __run(self, #fill: Option<(&Credentials, Clock)>, building: bool) -> Result<#name, SignError> {
                #(#steps)*
                #groups
                Ok(#name { #(#ids),* })
            }
        }
    }

    /// `__prepare` (fill `from:` defaults when signing, then check like the interpreter's `prepare`),
    /// `validate`, and the conversion back to a builder.
    fn prepare_fn(&self, op: &OpPlan) -> (TokenStream, TokenStream) {
        let s = &self.plan.structs[op.request];
        let name = &s.name;
        let builder = &op.builder;
        let target = self.target(op);
        let back = s.fields.iter().map(|f| {
            let id = &f.ident;
            if f.optional {
                quote!(#id: r.#id,)
            } else {
                quote!(#id: Some(r.#id),)
            }
        });
        let doc = format!("Check every field as `build()` does: fields with `from:` defaults may be left out (they are filled when signing). Errors are `SignError::Input` naming the wire field, target `{target}`.");
        let bdoc = format!("A builder holding every field of a `{}` request.", op.name);
        let inner = quote! {
            fn __prepare(&self, fill: Option<(&Credentials, Clock)>) -> Result<Self, SignError> {
                #builder::from(self.clone()).__run(fill, false)
            }

            #[doc = #doc]
            pub fn validate(&self) -> Result<(), SignError> {
                // As `build()`: a field a `from:` default fills when signing is not missing yet.
                #builder::from(self.clone()).__run(None, true).map(|_| ())
            }
        };
        let outer = quote! {
            impl From<#name> for #builder {
                #[doc = #bdoc]
                #[allow(unused_variables)]
                fn from(r: #name) -> Self {
                    #builder { #(#back)* }
                }
            }
        };
        (inner, outer)
    }

    /// The `from:` default of a top-level request field: `Result<Option<T>, SignError>` using
    /// `__creds` / `__clock`. `None` when the field has no default the interpreter fills.
    fn default_expr(&self, op: &OpPlan, f: &FieldPlan) -> Option<TokenStream> {
        let from = f.def.from.as_ref()?;
        let target = self.target(op);
        let wire = &f.wire;
        let tname = f.def.ty.described();
        let mismatch = |found: TokenStream| quote!(Err(__g::input(#target, #wire, format!("expected {}, found {}", #tname, #found))));
        let ok = |v: TokenStream| quote!(Ok(Some(#v)));
        // Conversion of an integer `v: i64`.
        let from_int = |v: TokenStream| -> TokenStream {
            match f.ty {
                Ty::Int => ok(v),
                Ty::Scalar => ok(quote!(::payspec::Scalar::Int(#v))),
                Ty::Dec => ok(quote!(::payspec::rust_decimal::Decimal::from(#v))),
                _ => mismatch(quote!(format!("number {}", #v))),
            }
        };
        // Conversion of a text `v: &str`.
        let from_text = |v: TokenStream| -> TokenStream {
            match f.ty {
                Ty::Str | Ty::JsonText => ok(quote!(String::from(#v))),
                Ty::Scalar => ok(quote!(::payspec::Scalar::Text(String::from(#v)))),
                Ty::Enum(i) => {
                    let ename = &self.plan.enums[i].name;
                    let check = Self::check_fn_name(f);
                    let joined = f.def.values.join(", ");
                    let owner = &self.plan.structs[op.request].name;
                    quote! {
                        match #owner::#check(#v) {
                            Err(p) => Err(__g::input(#target, #wire, p)),
                            Ok(()) => match #ename::from_wire(#v) {
                                Some(e) => Ok(Some(e)),
                                None => Err(__g::input(#target, #wire, format!("`{}` is not one of {}", __g::echo(#v), #joined))),
                            },
                        }
                    }
                }
                Ty::Dec => quote! {
                    match __g::decimal_text(#v) {
                        Ok(n) => match n.to_string().parse::<::payspec::rust_decimal::Decimal>() {
                            Ok(d) => Ok(Some(d)),
                            Err(e) => Err(__g::input(#target, #wire, format!("`{}` is out of the numeric range: {}", __g::echo(#v), e))),
                        },
                        Err(p) => Err(__g::input(#target, #wire, p)),
                    }
                },
                _ => mismatch(quote!(format!("string \"{}\"", __g::echo(#v)))),
            }
        };
        Some(match &from.source {
            Source::Credential(c) => {
                let missing = if f.def.required {
                    let msg = format!("missing; it defaults to credential `{c}`, which is not given");
                    quote!(Err(__g::input(#target, #wire, #msg)))
                } else {
                    quote!(Ok(None))
                };
                match self.plan.creds.iter().find(|p| p.name == c) {
                    None => missing,
                    Some(cp) => {
                        let id = &cp.ident;
                        let int = cp.def.kind == CredentialKind::Integer;
                        let hidden = cp.def.secret;
                        let (value, conv) = match (int, cp.def.secret) {
                            (true, true) => (quote!(__creds.#id), from_int(quote!(__c.expose()))),
                            (true, false) => (quote!(__creds.#id), from_int(quote!(__c))),
                            (false, true) => (quote!(__creds.#id), from_text(quote!(__c.expose()))),
                            (false, false) => (quote!(__creds.#id), from_text(quote!(__c.as_str()))),
                        };
                        // Never echo a secret credential's value in an error (as the interpreter).
                        let conv = if hidden {
                            let t = self.rust_ty(f.ty);
                            quote!({
                                let __r: Result<Option<#t>, SignError> = #conv;
                                __r.map_err(|_| __g::input(#target, #wire, #HIDDEN))
                            })
                        } else {
                            conv
                        };
                        if cp.def.optional {
                            let bind = if int { quote!(__c) } else { quote!(ref __c) };
                            let _ = bind;
                            let scrut = if int { value } else { quote!(&#value) };
                            quote! {
                                match #scrut {
                                    Some(__c) => { #conv }
                                    None => #missing,
                                }
                            }
                        } else {
                            let bind = if int { quote!(let __c = #value;) } else { quote!(let __c = &#value;) };
                            quote!({ #bind #conv })
                        }
                    }
                }
            }
            Source::Context(Context::NowS) => from_int(quote!(__clock.now_ms.div_euclid(1000))),
            Source::Context(Context::NowMs) => from_int(quote!(__clock.now_ms)),
            Source::Literal(l) => from_text(quote!(#l)),
            _ => return None,
        })
    }

    /// `fn __rc<n>(v: &Value) -> Result<Value, String>`: the interpreter's `check` of a received value
    /// (type, limits, pattern on the rendered text), returning the value normalised to its wire type.
    /// Returns the function's name; the function goes into the module's extra items.
    pub fn recv_check_fn(&self, def: &Field, lenient: bool) -> Ident {
        let name = self.fresh("rc");
        let s = quote::format_ident!("s");
        let ok = |v: TokenStream| quote!(Ok(#v));
        let string_arm = |json: bool, guard: TokenStream, numeric: bool| {
            let sc = str_checks(def, &s, json, true).unwrap_or_default();
            let nc = if numeric { num_checks_text(def, quote!(s)).unwrap_or_default() } else { quote!() };
            let r = ok(quote!(Value::String(s.to_string())));
            quote!(Value::String(s) #guard => { let s: &str = s.as_str(); #sc #nc #r })
        };
        // A number `n` kept as is: pattern on its text, then numeric limits.
        let number_arm = |guard: TokenStream| {
            let pc = pattern_check(def, &quote!(&__t));
            let nc = num_checks_text(def, quote!(&__t)).unwrap_or_default();
            let r = ok(quote!(Value::Number(n.clone())));
            quote!(Value::Number(n) #guard => { let __t = n.to_string(); #pc #nc #r })
        };
        let mut arms = Vec::new();
        match def.ty {
            FieldType::String => arms.push(string_arm(false, quote!(), false)),
            FieldType::JsonText => arms.push(string_arm(true, quote!(), false)),
            FieldType::Integer => {
                arms.push(number_arm(quote!(if n.is_i64() || n.is_u64())));
                if lenient {
                    arms.push(string_arm(false, quote!(if s.parse::<i64>().is_ok()), true));
                }
            }
            FieldType::Decimal => {
                let pc = pattern_check(def, &quote!(&__t));
                let nc = num_checks_text(def, quote!(&__t)).unwrap_or_default();
                for (pat, text) in
                    [(quote!(Value::Number(n)), quote!(&n.to_string())), (quote!(Value::String(s)), quote!(s))]
                {
                    arms.push(quote! {
                        #pat => {
                            let __n = __g::decimal_text(#text)?;
                            let __t = __n.to_string();
                            #pc
                            #nc
                            Ok(Value::Number(__n))
                        }
                    });
                }
            }
            FieldType::Scalar => {
                arms.push(string_arm(false, quote!(), false));
                arms.push(number_arm(quote!(if n.is_i64() || n.is_u64())));
            }
            FieldType::Bool => {
                let pc = pattern_check(def, &quote!(&b.to_string()));
                arms.push(quote!(Value::Bool(b) => { #pc Ok(Value::Bool(*b)) }));
                if lenient {
                    arms.push(string_arm(false, quote!(if s == "true" || s == "false"), false));
                }
            }
            FieldType::Object => {
                let subs = def.fields.iter().map(|(k, sd)| {
                    let f = self.recv_check_fn(sd, lenient);
                    quote!(#k => #f(sub).map_err(|p| format!("`{}`: {}", k, p))?,)
                });
                let required = def.fields.iter().filter(|(_, sd)| sd.required).map(|(k, _)| {
                    quote! {
                        if !out.contains_key(#k) {
                            return Err(format!("`{}` is required but missing", #k));
                        }
                    }
                });
                let pc = pattern_check(def, &quote!(&__t));
                let pattern = if pc.is_empty() { quote!() } else { quote!(let __t = __obj.to_string(); #pc) };
                arms.push(quote! {
                    Value::Object(m) => {
                        let mut out = Map::new();
                        for (k, sub) in m {
                            let v: Value = match k.as_str() {
                                #(#subs)*
                                _ => sub.clone(),
                            };
                            out.insert(k.clone(), v);
                        }
                        #(#required)*
                        let __obj = Value::Object(out);
                        #pattern
                        Ok(__obj)
                    }
                });
            }
        }
        let tname = def.ty.described();
        self.extra(quote! {
            #[allow(unused_variables, clippy::needless_return)]
            fn #name(v: &Value) -> Result<Value, String> {
                use Value;
                match v {
                    #(#arms)*
                    other => Err(format!("expected {}, found {}", #tname, __g::json_kind(other))),
                }
            }
        });
        name
    }

    /// The interpreter's `check_received`: statements returning `Err(VerifyError::Malformed)`.
    pub fn check_received(
        &self,
        target: &str,
        fields: &indexmap::IndexMap<String, Field>,
        lenient: bool,
    ) -> TokenStream {
        let steps = fields.iter().map(|(name, def)| {
            let f = self.recv_check_fn(def, lenient);
            let none = if def.required {
                quote!(return Err(__g::malformed(#target, #name, "required but missing"));)
            } else {
                quote!()
            };
            quote! {
                match payload.get(#name) {
                    None | Some(Value::Null) => { #none }
                    Some(v) => {
                        #f(v).map_err(|p| __g::malformed(#target, #name, p))?;
                    }
                }
            }
        });
        quote!(#(#steps)*)
    }
}
