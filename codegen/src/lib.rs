//! payspec spec → Rust tokens: typed requests, responses and callback payloads, builders that
//! validate, and signers / verifiers specialised at compile time.
//!
//! The generated code is a second, independent implementation of the semantics of the recipe
//! interpreter (`payspec::Interpreter`): the same strings to sign, URLs, headers, bodies and error
//! kinds. Nothing here knows any provider: everything is derived from the spec.
//!
//! ```
//! let spec = payspec_model::load_str("x.yaml", "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\noperations: {}\n").unwrap();
//! let tokens = payspec_codegen::generate(&spec, "/abs/x.yaml");
//! assert!(syn::parse2::<syn::File>(tokens).is_ok());
//! ```

#![deny(missing_docs)]

mod checks;
mod client;
mod naming;
mod plan;
mod signers;
mod status;
mod support;
mod types;
mod verifiers;

use payspec_model::Spec;
use plan::Plan;
use proc_macro2::TokenStream;
use quote::quote;

/// Something the generator cannot (or will not) generate, located in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GenError {
    /// Dotted spec path (`operations.refund.sign`).
    pub(crate) at: String,
    /// What cannot be generated, and why.
    pub(crate) message: String,
}

impl GenError {
    /// An error at spec path `at`.
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        GenError { at: at.into(), message: message.into() }
    }
}

/// Shared state of one generation run.
pub(crate) struct Gen<'s> {
    pub spec: &'s Spec,
    pub spec_path: String,
    pub plan: Plan<'s>,
    counter: std::cell::Cell<usize>,
    rules_done: std::cell::RefCell<std::collections::HashSet<usize>>,
    errors: std::cell::RefCell<Vec<GenError>>,
    extras: std::cell::RefCell<Vec<TokenStream>>,
    /// Inline status tables already emitted, by spec path.
    inline_tables: std::cell::RefCell<std::collections::HashMap<String, proc_macro2::Ident>>,
}

impl<'s> Gen<'s> {
    /// A fresh private identifier `__<stem><n>`.
    pub fn fresh(&self, stem: &str) -> proc_macro2::Ident {
        let n = self.counter.get();
        self.counter.set(n + 1);
        quote::format_ident!("__{}{}", stem, n)
    }

    /// A module-level item generated on the way (helper functions, inline status tables).
    pub fn extra(&self, item: TokenStream) {
        self.extras.borrow_mut().push(item);
    }

    /// Record an unsupported construct; generation goes on and the module becomes `compile_error!`s.
    pub fn error(&self, at: impl Into<String>, message: impl Into<String>) {
        self.errors.borrow_mut().push(GenError::new(at, message));
    }

    /// Display of a generation error: `file:line:col: path: message` (the file as the spec was loaded,
    /// like the interpreter's runtime errors), or the spec path when the spec has no origin.
    fn describe(&self, e: &GenError) -> String {
        if self.spec.origin.file.is_empty() {
            format!("{}: {}: {}", self.spec_path, e.at, e.message)
        } else {
            format!("{}: {}", self.spec.locate(&e.at), e.message)
        }
    }
}

fn compile_errors(spec: &Spec, spec_path: &str, errors: &[GenError]) -> TokenStream {
    let g = Gen {
        spec,
        spec_path: spec_path.to_string(),
        plan: Plan {
            structs: vec![],
            enums: vec![],
            creds: vec![],
            envs: vec![],
            ops: vec![],
            callbacks: vec![],
            recipes: vec![],
        },
        counter: Default::default(),
        rules_done: Default::default(),
        errors: Default::default(),
        extras: Default::default(),
        inline_tables: Default::default(),
    };
    errors
        .iter()
        .map(|e| {
            let msg = format!("payspec: {}", g.describe(e));
            quote! { ::core::compile_error!(#msg); }
        })
        .collect()
}

/// Generate `pub mod <provider> { … }` for a (validated) spec loaded from `spec_path` (absolute; it is
/// `include_str!`-ed so that editing the YAML recompiles the caller).
///
/// Never panics: what it cannot generate becomes `compile_error!` naming the spec location.
pub fn generate(spec: &Spec, spec_path: &str) -> TokenStream {
    let plan = match plan::plan(spec) {
        Ok(p) => p,
        Err(errors) => return compile_errors(spec, spec_path, &errors),
    };
    let g = Gen {
        spec,
        spec_path: spec_path.to_string(),
        plan,
        counter: Default::default(),
        rules_done: Default::default(),
        errors: Default::default(),
        extras: Default::default(),
        inline_tables: Default::default(),
    };
    let body = g.module_body();
    let errors = g.errors.borrow().clone();
    if !errors.is_empty() {
        return compile_errors(spec, spec_path, &errors);
    }
    let name = naming::ident(&spec.provider);
    let mut doc = format!("{} — generated from `{}` by `payspec::provider!`.", spec.title, spec.provider);
    if let Some(about) = &spec.about {
        doc.push_str("\n\n");
        doc.push_str(about.trim());
    }
    if let Some(docs) = &spec.docs {
        doc.push_str(&format!("\n\nProvider documentation: <{docs}>"));
    }
    quote! {
        #[doc = #doc]
        // Generated bodies are uniform: some bind what a given spec never reads.
        #[allow(non_camel_case_types, unused_variables, unused_mut, clippy::let_and_return)]
        pub mod #name {
            #body
        }
    }
}

/// Generated tokens as formatted Rust source (for debugging and `payspec` tooling). Falls back to the
/// raw token text when the tokens do not parse.
pub fn pretty(tokens: &TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

impl Gen<'_> {
    fn module_body(&self) -> TokenStream {
        let spec_path = &self.spec_path;
        let provider = &self.spec.provider;
        let title = &self.spec.title;
        let support = support::helpers();
        let env = self.env_enum();
        let creds = self.credentials();
        let types = self.all_types();
        let status = self.status_tables();
        let ops: Vec<_> = self.plan.ops.iter().map(|op| self.sign_fn(op)).collect();
        let responses: Vec<_> = self.plan.ops.iter().map(|op| self.verify_response_fn(op)).collect();
        let callbacks: Vec<_> = self.plan.callbacks.iter().map(|cb| self.verify_callback_fn(cb)).collect();
        let recipes: Vec<_> = self.plan.recipes.iter().map(|r| self.recipe_fn(r)).collect();
        let dynamic = self.dynamic_module();
        let client = self.client();
        let extras = self.extras.borrow().clone();
        quote! {
            #[allow(dead_code)]
            const _SPEC: &str = include_str!(#spec_path);

            /// Machine name of the provider (the spec's `provider`).
            pub const PROVIDER: &str = #provider;
            /// Human name of the provider.
            pub const TITLE: &str = #title;

            #support
            #env
            #creds
            #types
            #status
            #(#ops)*
            #(#responses)*
            #(#callbacks)*
            #(#recipes)*
            #dynamic
            #client
            #(#extras)*
        }
    }
}

#[cfg(test)]
mod tests;
