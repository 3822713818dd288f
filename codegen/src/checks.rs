//! Field checks as static data: one `static RULES_<STRUCT>: [__g::Rule; N]` per struct, evaluated by
//! `payspec::glue` (typed request checks, builders, `from:` defaults, received payloads). Messages are
//! the interpreter's (`runtime/src/interp/fields.rs`).

use crate::naming::upper;
use crate::plan::{FieldPlan, OpPlan, Ty};
use crate::Gen;
use payspec_model::{Context, CredentialKind, Field, FieldType, Source};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

impl Gen<'_> {
    /// `static RULES_<STRUCT>` of struct `sidx` (emitted once); its name.
    pub fn rules(&self, sidx: usize) -> Ident {
        let s = &self.plan.structs[sidx];
        let id = format_ident!("RULES_{}", upper(&crate::naming::snake(&s.name.to_string())));
        if !self.rules_done.borrow_mut().insert(sidx) {
            return id;
        }
        let omit = s.top_request && self.plan.ops.iter().any(|o| o.request == sidx && o.op.omit_empty);
        let rules: Vec<_> = s
            .fields
            .iter()
            .map(|f| {
                let sub = match f.ty {
                    Ty::Obj(i) => Some(self.rules(i)),
                    _ => None,
                };
                let hidden = s.top_request && f.def.from.is_some() && self.spec.field_is_secret(f.def);
                self.rule(&f.wire, f.def, sub, hidden, omit && f.optional && !f.def.required)
            })
            .collect();
        let n = rules.len();
        self.extra(quote! {
            static #id: [__g::Rule; #n] = [#(#rules),*];
        });
        id
    }

    /// A received object field's rule when it has no struct (nested `fields` of a received field).
    fn rule(&self, wire: &str, def: &Field, sub: Option<Ident>, hidden: bool, omit_empty: bool) -> TokenStream {
        let ctor = format_ident!("{}", crate::naming::snake(&format!("{:?}", def.ty)));
        let mut e = quote!(__g::Rule::#ctor(#wire));
        if def.required {
            e.extend(quote!(.req()));
        }
        if hidden {
            e.extend(quote!(.hidden()));
        }
        if omit_empty {
            e.extend(quote!(.omit_empty()));
        }
        let lit = |n: usize| proc_macro2::Literal::usize_unsuffixed(n);
        if let Some(n) = def.min_len.map(lit) {
            e.extend(quote!(.min_len(#n)));
        }
        if let Some(n) = def.max_len.map(lit) {
            e.extend(quote!(.max_len(#n)));
        }
        if let Some(t) = def.min.as_ref().map(|n| n.to_string()) {
            e.extend(quote!(.min(#t)));
        }
        if let Some(t) = def.max.as_ref().map(|n| n.to_string()) {
            e.extend(quote!(.max(#t)));
        }
        if !def.values.is_empty() {
            let v = &def.values;
            e.extend(quote!(.values(&[#(#v),*])));
        }
        if let Some(p) = &def.pattern {
            let id = self.fresh("PATTERN");
            self.extra(quote!(static #id: __g::Pattern = __g::Pattern::new(#p);));
            e.extend(quote!(.pattern(&#id)));
        }
        if def.ty == FieldType::Object {
            match sub {
                Some(sub) => e.extend(quote!(.fields(&#sub))),
                None => {
                    let subs: Vec<_> = def.fields.iter().map(|(k, d)| self.rule(k, d, None, false, false)).collect();
                    let id = self.fresh("RULES");
                    let n = subs.len();
                    self.extra(quote!(static #id: [__g::Rule; #n] = [#(#subs),*];));
                    e.extend(quote!(.fields(&#id)));
                }
            }
        }
        e
    }

    /// `impl __g::Checked` for objects of request-side structs; `validate` and `builder()`.
    pub fn request_impl(&self, idx: usize) -> TokenStream {
        let s = &self.plan.structs[idx];
        let name = &s.name;
        let rules = self.rules(idx);
        if !s.top_request {
            let steps = s.fields.iter().enumerate().map(|(i, f)| {
                let id = &f.ident;
                let i = proc_macro2::Literal::usize_unsuffixed(i);
                let v = if f.optional { quote!(self.#id.as_ref()) } else { quote!(Some(&self.#id)) };
                quote!(__g::nested(&r[#i], #v)?;)
            });
            return quote! {
                impl __g::Checked for #name {
                    fn check(&self, rule: &__g::Rule) -> Result<(), String> {
                        let r = &#rules;
                        #(#steps)*
                        rule.pattern_json(self)
                    }
                }
            };
        }
        let op = self.plan.ops.iter().find(|o| o.request == idx).expect("a top-level request belongs to an operation");
        let target = self.target(op);
        let doc = format!("Check every field as `build()` does: fields with `from:` defaults may be left out (they are filled when signing). Errors are `SignError::Input` naming the wire field, target `{target}`.");
        let bdoc = format!("A builder that validates `{}` requests.", op.name);
        let builder = &op.builder;
        quote! {
            impl #name {
                #[doc = #doc]
                pub fn validate(&self) -> Result<(), SignError> {
                    __g::validate(self)
                }
                #[doc = #bdoc]
                pub fn builder() -> #builder {
                    #builder::default()
                }
            }
        }
    }

    pub fn target(&self, op: &OpPlan) -> String {
        format!("{}.{}", self.spec.provider, op.name)
    }

    /// Group checks (`one_of`, `any_of`, `all_or_none`) with `present(wire)` giving a presence expression.
    pub fn groups(&self, op: &OpPlan, present: &dyn Fn(&str) -> Option<TokenStream>, skip_from: bool) -> TokenStream {
        let s = &self.plan.structs[op.request];
        let target = self.target(op);
        let has_from = |g: &Vec<String>| g.iter().any(|w| s.field(w).is_some_and(|f| f.has_from()));
        let flags = |g: &Vec<String>| g.iter().map(|w| present(w).unwrap_or(quote!(false))).collect::<Vec<_>>();
        let mut out = TokenStream::new();
        for (groups, f) in [(&op.op.one_of, quote!(one_of)), (&op.op.any_of, quote!(any_of))] {
            for g in groups {
                if skip_from && has_from(g) {
                    continue;
                }
                let p = flags(g);
                let field = g.join("|");
                out.extend(quote!(__g::#f(#target, #field, &[#(#p),*])?;));
            }
        }
        for g in &op.op.all_or_none {
            if skip_from && has_from(g) {
                continue;
            }
            let p = flags(g);
            out.extend(quote!(__g::all_or_none(#target, &[#(#g),*], &[#(#p),*])?;));
        }
        out
    }

    /// Groups as `build()` (skipping groups a `from:` default may complete) and as signing.
    pub fn groups_both(&self, op: &OpPlan, present: &dyn Fn(&str) -> Option<TokenStream>) -> TokenStream {
        let always = self.groups(op, present, true);
        let all = self.groups(op, present, false);
        if always.to_string() == all.to_string() {
            all
        } else {
            quote! {
                if building {
                    #always
                } else {
                    #all
                }
            }
        }
    }

    /// `build()` of an operation's builder (the pass itself is [`Self::request_trait`]): one pass in
    /// field order, as the interpreter's `prepare` — fill the `from:` default (when signing), check,
    /// require — then the groups.
    pub fn build_fn(&self, op: &OpPlan) -> TokenStream {
        let name = &self.plan.structs[op.request].name;
        let target = self.target(op);
        let doc = format!(
            "Check every field (required fields present, lengths, patterns, bounds, `one_of` / `any_of` / `all_or_none` groups) and build the request; fields with `from:` defaults may be left out (they are filled when signing). Errors are `SignError::Input` naming the wire field, target `{target}`."
        );
        quote! {
            #[doc = #doc]
            pub fn build(self) -> Result<#name, SignError> {
                __g::build(self)
            }
        }
    }

    /// `impl __g::Request` of an operation's request: the builder's pass (see [`Self::build_fn`]).
    pub fn request_trait(&self, op: &OpPlan) -> TokenStream {
        let s = &self.plan.structs[op.request];
        let name = &s.name;
        let builder = &op.builder;
        let target = self.target(op);
        let rules = self.rules(op.request);
        let decimals = self.decimal_paths(op.request, "");
        let decimals = if decimals.is_empty() {
            quote!()
        } else {
            quote!(const DECIMALS: &'static [&'static str] = &[#(#decimals),*];)
        };
        let mut steps = Vec::new();
        for (i, f) in s.fields.iter().enumerate() {
            let id = &f.ident;
            let n = i;
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            let step = match self.default_expr(op, f, n) {
                Some(d) => quote!(#id: cx.filled(#i, __b.#id, #d)?,),
                None if !f.optional => quote!(#id: cx.required(#i, __b.#id)?,),
                None => quote!(#id: cx.optional(#i, __b.#id)?,),
            };
            steps.push(step);
        }
        let present = |w: &str| {
            s.field(w).map(|f| {
                let id = &f.ident;
                if f.optional {
                    quote!(__r.#id.is_some())
                } else {
                    quote!(true)
                }
            })
        };
        let groups = self.groups_both(op, &present);
        let (op_name, sign_fn) = (op.name, &op.sign_fn);
        quote! {
            impl __g::Request for #name {
                type Builder = #builder;
                type Creds = Credentials;
                type Env = Env;
                const OP: &'static str = #op_name;
                const TARGET: &'static str = #target;
                const SIGN: __g::Signer<Self> = #sign_fn;
                const RULES: &'static [__g::Rule] = &#rules;
                #decimals
                fn run(__b: #builder, fill: Option<(&Credentials, Clock)>, building: bool) -> Result<Self, SignError> {
                    const T: &str = #target;
                    let r = &#rules;
                    let cx = __g::Fields::new(T, r, fill, building);
                    let __r = #name { #(#steps)* };
                    #groups
                    Ok(__r)
                }
            }
        }
    }

    /// The `from:` default of a top-level request field `f` (rule `r[i]`, target `T` in scope): a
    /// closure `|c: &Credentials, k: Clock| -> Result<Option<T>, SignError>`. `None` when the field
    /// has no default the interpreter fills.
    pub fn default_expr(&self, op: &OpPlan, f: &FieldPlan, i: usize) -> Option<TokenStream> {
        let from = f.def.from.as_ref()?;
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let _ = op;
        let mismatch = |found: TokenStream| quote!(__g::mismatch(T, &r[#i], #found));
        // Conversion of an integer `v: i64`.
        let from_int = |v: TokenStream| -> TokenStream {
            match f.ty {
                Ty::Int => quote!(Ok(Some(#v))),
                Ty::Scalar => quote!(Ok(Some(::payspec::Scalar::Int(#v)))),
                Ty::Dec => quote!(Ok(Some(::payspec::rust_decimal::Decimal::from(#v)))),
                _ => mismatch(quote!(format!("number {}", #v))),
            }
        };
        // Conversion of a text `v: &str`.
        let from_text = |v: TokenStream| -> TokenStream {
            match f.ty {
                Ty::Str | Ty::JsonText => quote!(Ok(Some(String::from(#v)))),
                Ty::Scalar => quote!(Ok(Some(::payspec::Scalar::Text(String::from(#v))))),
                Ty::Enum(e) => {
                    let ename = &self.plan.enums[e].name;
                    quote!(__g::text_default(T, &r[#i], #v).map(|_| #ename::from_wire(#v)))
                }
                Ty::Dec => quote!(__g::decimal_default(T, &r[#i], #v).map(Some)),
                _ => mismatch(quote!(format!("string \"{}\"", __g::echo(#v)))),
            }
        };
        let body = match &from.source {
            Source::Credential(c) => {
                let missing = if f.def.required {
                    let msg = format!("missing; it defaults to credential `{c}`, which is not given");
                    quote!(Err(__g::input(T, r[#i].wire, #msg)))
                } else {
                    quote!(Ok(None))
                };
                match self.plan.creds.iter().find(|p| p.name == c) {
                    None => missing,
                    Some(cp) => {
                        let id = &cp.ident;
                        let int = cp.def.kind == CredentialKind::Integer;
                        let v = if cp.def.optional { quote!(v) } else { quote!(c.#id) };
                        let conv = match (int, cp.def.secret) {
                            (true, true) => from_int(quote!(#v.expose())),
                            (true, false) if cp.def.optional => from_int(quote!(*v)),
                            (true, false) => from_int(v),
                            (false, true) => from_text(quote!(#v.expose())),
                            (false, false) => from_text(quote!(#v.as_str())),
                        };
                        // Never echo a secret credential's value in an error (as the interpreter).
                        let conv = if cp.def.secret { quote!(__g::hide(T, &r[#i], #conv)) } else { conv };
                        if cp.def.optional {
                            quote!(match &c.#id { Some(v) => #conv, None => #missing })
                        } else {
                            conv
                        }
                    }
                }
            }
            Source::Context(Context::NowS) => from_int(quote!(k.now_ms.div_euclid(1000))),
            Source::Context(Context::NowMs) => from_int(quote!(k.now_ms)),
            Source::Literal(l) => from_text(quote!(#l)),
            _ => return None,
        };
        Some(quote!(|c, k| #body))
    }

    /// The interpreter's `check_received` on the fields of struct `sidx`.
    pub fn check_received(&self, target: &str, sidx: usize) -> TokenStream {
        let rules = self.rules(sidx);
        let lenient = self.plan.structs[sidx].lenient;
        let _ = target;
        quote!(__g::check_received(T, &#rules, payload, #lenient)?;)
    }
}
