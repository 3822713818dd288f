//! `payspec::provider!("specs/x.yaml")`: load a spec (path relative to the calling crate's
//! `Cargo.toml`) and generate its typed module with `payspec_codegen::generate`.
//!
//! Spec errors become one `compile_error!` per diagnostic, each `file:line:col: message`.

#![deny(missing_docs)]

use proc_macro::TokenStream;
use quote::quote_spanned;

/// Generate a provider module from a spec file (path relative to the calling crate's manifest).
///
/// `PAYSPEC_MANIFEST_DIR_OVERRIDE`, when set, replaces `CARGO_MANIFEST_DIR` as the base of relative
/// paths (for UI tests, whose crates live under `target/`).
#[proc_macro]
pub fn provider(input: TokenStream) -> TokenStream {
    let lit = syn::parse_macro_input!(input as syn::LitStr);
    let span = lit.span();
    let given = lit.value();
    let base = std::env::var_os("PAYSPEC_MANIFEST_DIR_OVERRIDE")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let full = base.join(&given);
    let full = std::fs::canonicalize(&full).unwrap_or(full);
    let error = |msg: String| TokenStream::from(quote_spanned!(span=> ::core::compile_error!(#msg);));
    let text = match std::fs::read_to_string(&full) {
        Ok(t) => t,
        Err(e) => return error(format!("{given}: cannot read {}: {e}", full.display())),
    };
    let Some(full) = full.to_str() else {
        return error(format!("{given}: the spec path is not UTF-8"));
    };
    match payspec_model::load_str(&given, &text) {
        Ok(spec) => payspec_codegen::generate(&spec, full).into(),
        Err(diags) => diags
            .0
            .iter()
            .map(|d| {
                let msg = d.to_string();
                TokenStream::from(quote_spanned!(span=> ::core::compile_error!(#msg);))
            })
            .collect(),
    }
}
