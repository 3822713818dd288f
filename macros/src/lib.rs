//! `payspec::provider!("specs/x.yaml")`.
use proc_macro::TokenStream;

/// Generate a provider module from a spec file (path relative to the calling crate's manifest).
#[proc_macro]
pub fn provider(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
