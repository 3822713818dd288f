//! Generated types: `Env`, `Credentials`, request / response / payload structs, enums, builders.

use crate::plan::{FieldPlan, Side, StructPlan, Ty};
use crate::Gen;
use payspec_model::{CredentialKind, Field, Hosts, Location, Source};
use proc_macro2::TokenStream;
use quote::quote;

/// Documentation of a field: its `doc:` and its constraints.
pub fn field_doc(f: &FieldPlan, top_request: bool) -> String {
    let def: &Field = f.def;
    // One line: the field's `doc:` (whitespace collapsed), then its wire facts.
    let mut doc = match &def.doc {
        Some(d) if !d.trim().is_empty() => {
            let d = d.split_whitespace().collect::<Vec<_>>().join(" ");
            if d.ends_with(['.', '!', '?']) {
                format!("{d} ")
            } else {
                format!("{d}. ")
            }
        }
        _ => String::new(),
    };
    let mut facts = vec![format!("Wire name `{}`", f.wire)];
    facts.push(if def.required { "required".to_string() } else { "optional".to_string() });
    if top_request {
        match def.location {
            Location::Body => {}
            Location::Query => facts.push("sent in the query string".into()),
            Location::Path => facts.push("sent in the path".into()),
            Location::Header => facts.push("sent as a header".into()),
        }
        if let Some(from) = &def.from {
            facts.push(match &from.source {
                Source::Credential(c) => format!("defaults to credential `{c}`"),
                Source::Context(c) => format!("defaults to `ctx:{}`", c.name()),
                Source::Literal(l) => format!("defaults to `{l}`"),
                _ => format!("default `{from}`"),
            });
        }
    }
    if let Some(n) = def.min_len {
        facts.push(format!("at least {n} characters"));
    }
    if let Some(n) = def.max_len {
        facts.push(format!("at most {n} characters"));
    }
    if let Some(n) = &def.min {
        facts.push(format!("minimum {n}"));
    }
    if let Some(n) = &def.max {
        facts.push(format!("maximum {n}"));
    }
    if let Some(p) = &def.pattern {
        facts.push(format!("matches `{p}`"));
    }
    if def.sensitive {
        facts.push("personal data, redacted in `Debug`".into());
    }
    doc.push_str(&facts.join("; "));
    doc.push('.');
    doc
}

impl Gen<'_> {
    /// The Rust type of a field value (without `Option`).
    pub fn rust_ty(&self, ty: Ty) -> TokenStream {
        match ty {
            Ty::Str | Ty::JsonText => quote!(String),
            Ty::Int => quote!(i64),
            Ty::Dec => quote!(::payspec::rust_decimal::Decimal),
            Ty::Bool => quote!(bool),
            Ty::Scalar => quote!(::payspec::Scalar),
            Ty::Enum(i) => {
                let n = &self.plan.enums[i].name;
                quote!(#n)
            }
            Ty::Obj(i) => {
                let n = &self.plan.structs[i].name;
                quote!(#n)
            }
        }
    }

    /// The Rust type of a struct field (with `Option` when optional).
    pub fn field_ty(&self, f: &FieldPlan) -> TokenStream {
        let t = self.rust_ty(f.ty);
        if f.optional {
            quote!(Option<#t>)
        } else {
            t
        }
    }

    pub fn env_enum(&self) -> TokenStream {
        let variants: Vec<_> = self.plan.envs.iter().map(|e| &e.variant).collect();
        let docs = self.plan.envs.iter().map(|e| format!("Environment `{}`.", e.name));
        let names: Vec<&str> = self.plan.envs.iter().map(|e| e.name.as_str()).collect();
        let mut hosts = Vec::new();
        for e in &self.plan.envs {
            let v = &e.variant;
            match &self.spec.environments[&e.name] {
                Hosts::One(url) => {
                    let host = payspec_model::DEFAULT_HOST;
                    hosts.push(quote!((Env::#v, #host, #url)));
                }
                Hosts::Named(map) => {
                    for (host, url) in map {
                        hosts.push(quote!((Env::#v, #host, #url)));
                    }
                }
            }
        }
        quote! {
            /// The environments the provider publishes, or every host replaced by one base URL.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum Env {
                #( #[doc = #docs] #variants, )*
                /// Every host at this base URL (our sandbox, a proxy); the spec's paths follow it.
                Custom(::payspec::BaseUrl),
            }

            impl Env {
                /// Every environment, in spec order.
                pub const ALL: &'static [Env] = &[#(Env::#variants),*];
                const NAMES: &'static [&'static str] = &[#(#names),*];
                const HOSTS: &'static [(Env, &'static str, &'static str)] = &[#(#hosts),*];
            }
            __g::env_enum!(Env);
        }
    }

    pub fn credentials(&self) -> TokenStream {
        let mut fields = Vec::new();
        let mut to_rt = Vec::new();
        let mut from_rt = Vec::new();
        let mut secrets = Vec::new();
        for c in &self.plan.creds {
            let id = &c.ident;
            let name = c.name;
            let (ty, _) = match (c.def.kind, c.def.secret) {
                (CredentialKind::Integer, true) => (quote!(::payspec::SecretInteger), quote!(SecretInteger)),
                (CredentialKind::Integer, false) => (quote!(i64), quote!(Integer)),
                (_, true) => (quote!(::payspec::Secret), quote!(Secret)),
                (_, false) => (quote!(String), quote!(Public)),
            };
            let mut doc = c.def.doc.clone().unwrap_or_else(|| format!("Credential `{name}`."));
            doc.push_str(&format!("\n\nSpec name `{name}`"));
            if c.def.secret {
                doc.push_str("; secret (redacted in `Debug`)");
            }
            doc.push('.');
            let read = match (c.def.kind, c.def.secret) {
                (CredentialKind::Integer, true) => quote!(read_secret_int),
                (CredentialKind::Integer, false) => quote!(read_int),
                (_, true) => quote!(read_secret),
                (_, false) => quote!(read_text),
            };
            if c.def.optional {
                fields.push(quote!(#[doc = #doc] pub #id: Option<#ty>,));
                to_rt.push(quote!(__g::put(&mut c, #name, self.#id.as_ref());));
                from_rt.push(quote!(#id: __g::cred_opt(creds, #name, __g::#read)?,));
                if c.def.secret {
                    secrets.push(quote!((#name, self.#id.as_ref().and_then(__g::secret))));
                }
            } else {
                fields.push(quote!(#[doc = #doc] pub #id: #ty,));
                to_rt.push(quote!(__g::put(&mut c, #name, Some(&self.#id));));
                from_rt.push(quote!(#id: __g::cred(creds, #name, __g::#read)?,));
                if c.def.secret {
                    secrets.push(quote!((#name, __g::secret(&self.#id))));
                }
            }
        }
        let mutable = if self.plan.creds.is_empty() { quote!() } else { quote!(mut) };
        let creds_param = if self.plan.creds.is_empty() { quote!(_creds) } else { quote!(creds) };
        quote! {
            /// The credentials the merchant holds, one field per spec credential. `Debug` redacts secrets.
            #[derive(Clone, Debug)]
            pub struct Credentials {
                #(#fields)*
            }

            impl Credentials {
                /// Every secret credential, to mask it in printed output (`Debug` of signed requests and
                /// stages, `payspec sign`).
                pub fn redactor(&self) -> ::payspec::Redactor {
                    ::payspec::Redactor::from_secrets(&[#(#secrets),*])
                }

                /// The same credentials for the recipe interpreter (`payspec::Interpreter`).
                pub fn to_runtime(&self) -> ::payspec::Credentials {
                    let #mutable c = ::payspec::Credentials::default();
                    #(#to_rt)*
                    c
                }

                /// Typed credentials from the interpreter's (e.g. loaded with `payspec::Credentials::from_json`).
                pub fn from_runtime(#creds_param: &::payspec::Credentials) -> Result<Self, ::payspec::CredentialError> {
                    Ok(Credentials { #(#from_rt)* })
                }
            }
        }
    }

    /// Every struct and enum of the plan, with builders for top-level requests.
    pub fn all_types(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for e in &self.plan.enums {
            out.extend(self.enum_type(e));
        }
        for (i, s) in self.plan.structs.iter().enumerate() {
            out.extend(self.struct_type(i, s));
            if s.side == Side::Request {
                out.extend(self.request_impl(i));
            }
        }
        for op in &self.plan.ops {
            out.extend(self.builder(op));
            if let Some(r) = op.response {
                out.extend(self.response_impl(op, r));
            }
        }
        for cb in &self.plan.callbacks {
            out.extend(self.payload_impl(cb));
        }
        out
    }

    fn enum_type(&self, e: &crate::plan::EnumPlan) -> TokenStream {
        let name = &e.name;
        let doc = &e.doc;
        let variants: Vec<_> = e.variants.iter().map(|(v, _)| v).collect();
        let wires: Vec<_> = e.variants.iter().map(|(_, w)| w.as_str()).collect();
        let vdocs = wires.iter().map(|w| format!("`{w}`"));
        let uninhabited = variants.is_empty().then(|| quote!(, uninhabited));
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #name {
                #( #[doc = #vdocs] #variants, )*
            }

            impl #name {
                /// Every value, in spec order.
                pub const ALL: &'static [#name] = &[#(Self::#variants),*];
                const WIRE: &'static [&'static str] = &[#(#wires),*];
            }
            __g::wire_enum!(#name #uninhabited);
        }
    }

    fn struct_type(&self, i: usize, s: &StructPlan) -> TokenStream {
        let name = &s.name;
        let doc = &s.doc;
        let mut fields = Vec::new();
        for f in &s.fields {
            let id = &f.ident;
            let ty = self.field_ty(f);
            let fdoc = field_doc(f, s.top_request);
            fields.push(quote! {
                #[doc = #fdoc]
                pub #id: #ty,
            });
        }
        // `sensitive` fields and fields filled from a secret credential are redacted in `Debug`.
        let redacted = |f: &FieldPlan| f.def.sensitive || self.spec.field_is_secret(f.def);
        let sensitive = s.fields.iter().any(redacted);
        let derive_debug = if sensitive { quote!() } else { quote!(Debug,) };
        let debug_impl = if sensitive {
            let entries = s.fields.iter().map(|f| {
                let id = &f.ident;
                let wire = &f.wire;
                match (redacted(f), f.optional) {
                    (true, true) => quote!(.field(#wire, &self.#id.as_ref().map(|_| "[REDACTED]"))),
                    (true, false) => quote!(.field(#wire, &"[REDACTED]")),
                    (false, _) => quote!(.field(#wire, &self.#id)),
                }
            });
            let sname = name.to_string();
            quote! {
                impl ::core::fmt::Debug for #name {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.debug_struct(#sname) #(#entries)* .finish()
                    }
                }
            }
        } else {
            quote!()
        };
        let record = self.record(i, s);
        quote! {
            #[doc = #doc]
            #[derive(Clone, PartialEq, #derive_debug)]
            pub struct #name {
                #(#fields)*
            }
            #debug_impl
            #record
        }
    }

    /// `__g::record!`: the struct's JSON intake and output (serde included) from its field list,
    /// with the wire name of each field whose Rust name differs; for a top-level request also its
    /// builder's intake.
    fn record(&self, i: usize, s: &StructPlan) -> TokenStream {
        let name = &s.name;
        let fields = s.fields.iter().map(|f| {
            let id = &f.ident;
            let wire = &f.wire;
            if *id == f.wire {
                quote!(#id)
            } else {
                quote!(#id = #wire)
            }
        });
        let strict = s.top_request.then(|| quote!(strict));
        let lenient = s.lenient.then(|| quote!(lenient));
        let builder = if s.top_request {
            self.plan.ops.iter().find(|op| op.request == i).map(|op| {
                let b = &op.builder;
                quote!(builder #b)
            })
        } else {
            None
        };
        quote! {
            __g::record!(#name #strict #lenient { #(#fields),* } #builder);
        }
    }

    fn builder(&self, op: &crate::plan::OpPlan) -> TokenStream {
        let s = &self.plan.structs[op.request];
        let name = &s.name;
        let builder = &op.builder;
        let fields = s.fields.iter().map(|f| {
            let id = &f.ident;
            let t = self.rust_ty(f.ty);
            quote!(#id: Option<#t>,)
        });
        let setters = s.fields.iter().map(|f| {
            let id = &f.ident;
            let t = self.rust_ty(f.ty);
            let doc = format!("Set `{}`. {}", f.wire, field_doc(f, true));
            quote! {
                #[doc = #doc]
                pub fn #id(self, v: impl Into<#t>) -> Self {
                    __g::with(self, |b| b.#id = Some(v.into()))
                }
            }
        });
        let build = self.build_fn(op);
        let request_trait = self.request_trait(op);
        let bdoc = format!("Builder of [`{name}`]: set fields, then [`build`]({builder}::build) validates them.");
        quote! {
            #[doc = #bdoc]
            #[derive(Clone, Default)]
            pub struct #builder {
                #(#fields)*
            }

            impl #builder {
                #(#setters)*
                #build
            }

            #request_trait
        }
    }

    fn response_impl(&self, op: &crate::plan::OpPlan, r: usize) -> TokenStream {
        let name = &self.plan.structs[r].name;
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let http = self.response_status_http(op);
        let error = op.error.map(|e| self.error_impl(op, e)).unwrap_or_default();
        if let Some(rows_ty) = &op.rows_ty {
            let (row_status, rows_status) = self.rows_status(op, r);
            let doc = format!("Response of `{}`: a JSON array of [`{name}`] rows.", op.name);
            return quote! {
                impl #name {
                    #row_status
                }

                #[doc = #doc]
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
                #[serde(crate = "::payspec::serde", transparent)]
                pub struct #rows_ty(pub Vec<#name>);

                impl #rows_ty {
                    /// Parse a response body: a JSON array of row objects. Anything else is refused, as the
                    /// interpreter refuses it: `VerifyError::Malformed`, field `body` (or `body[i]` for a row).
                    pub fn from_json(body: &Value) -> Result<Self, VerifyError> {
                        __g::parse_rows(#target, body).map(Self)
                    }
                    /// The rows, in order.
                    pub fn rows(&self) -> &[#name] {
                        &self.0
                    }
                    #rows_status
                    #http
                }
                #error
            };
        }
        let status = self.response_status(op, r);
        quote! {
            impl #name {
                /// Parse a response body. Anything but a JSON object (an array, a string, a number,
                /// `null`) is refused, as the interpreter refuses it: `VerifyError::Malformed`, field `body`.
                pub fn from_json(body: &Value) -> Result<Self, VerifyError> {
                    __g::parse_response(#target, body)
                }
                #status
                #http
            }
            #error
        }
    }

    /// `impl <Op>Error`: parse an error body and look it up.
    fn error_impl(&self, op: &crate::plan::OpPlan, e: usize) -> TokenStream {
        let name = &self.plan.structs[e].name;
        let target = format!("{}.{} error response", self.spec.provider, op.name);
        let status = self.error_status(op, e);
        quote! {
            impl #name {
                /// Parse an error body (a JSON object; anything else is `VerifyError::Malformed`, field `body`).
                pub fn from_json(body: &Value) -> Result<Self, VerifyError> {
                    __g::parse_response(#target, body)
                }
                #status
            }
        }
    }

    fn payload_impl(&self, cb: &crate::plan::CbPlan) -> TokenStream {
        let name = &self.plan.structs[cb.payload].name;
        let status = self.callback_status(cb);
        let verify = &cb.verify_fn;
        let doc = format!("Parse a received payload (before decoding; verify it with [`{verify}`] first).");
        quote! {
            impl #name {
                #[doc = #doc]
                pub fn from_map(payload: &Map<String, Value>) -> Result<Self, ::payspec::serde_json::Error> {
                    __g::from_value(Value::Object(payload.clone()))
                }
                #status
            }
        }
    }

    /// `pub static DYNAMIC`: the generated functions by name, on JSON (like the interpreter's API).
    pub fn dynamic_module(&self) -> TokenStream {
        let ops = self.plan.ops.iter().map(|op| {
            let req = &self.plan.structs[op.request].name;
            let mut entry = quote!(__g::Op::new::<#req>());
            if let Some(r) = op.response {
                let ty = op.rows_ty.as_ref().unwrap_or(&self.plan.structs[r].name);
                entry = quote!(#entry.response::<#ty>());
                let resp = op.op.response.as_ref();
                if resp.is_some_and(|r| r.status.is_some() || r.error.as_ref().is_some_and(|e| e.status.is_some())) {
                    entry = quote!(#entry.status_http(#ty::status_of_http));
                }
                if resp.is_some_and(|r| r.status.is_some()) {
                    let shape =
                        if op.rows_ty.is_some() { quote!(ResponseStatus::Rows) } else { quote!(ResponseStatus::One) };
                    entry = quote!(#entry.typed_status(|j| #ty::from_json(j).map(|r| #shape(r.status()))));
                }
            }
            if let Some(f) = &op.verify_fn {
                entry = quote!(#entry.verify_response(#f));
            }
            entry
        });
        let callbacks = self.plan.callbacks.iter().map(|cb| {
            let (n, f) = (cb.name, &cb.verify_fn);
            quote!((#n, #f))
        });
        let recipes = self.plan.recipes.iter().map(|r| {
            let (n, f) = (r.name, &r.func);
            quote!((#n, #f))
        });
        quote! {
            /// The generated functions by name, on JSON values: the same calls as `payspec::Interpreter`.
            pub static DYNAMIC: __g::Dynamic<Credentials, Env> = __g::Dynamic {
                provider: PROVIDER,
                ops: &[#(#ops),*],
                callbacks: &[#(#callbacks),*],
                recipes: &[#(#recipes),*],
            };
        }
    }

    /// Dotted wire paths of every decimal field of struct `sidx` and its objects, in spec order.
    pub(crate) fn decimal_paths(&self, sidx: usize, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.plan.structs[sidx].fields {
            let path = format!("{prefix}{}", f.wire);
            match f.ty {
                Ty::Dec => out.push(path),
                Ty::Obj(i) => out.extend(self.decimal_paths(i, &format!("{path}."))),
                _ => {}
            }
        }
        out
    }
}
