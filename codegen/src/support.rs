//! The runtime names generated code uses, imported once per generated module.

use proc_macro2::TokenStream;
use quote::quote;

/// `use ::payspec::glue::prelude::*;`: std prelude items by absolute path, JSON, serde derives, the
/// runtime types, and `__g` (the `payspec::glue` helpers).
pub fn helpers() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use ::payspec::glue::prelude::*;
    }
}
