//! The runtime helpers generated code calls, imported once per generated module under private names.

use proc_macro2::TokenStream;
use quote::quote;

/// `use` lines binding `payspec::support` helpers to the `__`-prefixed names the generated code uses.
pub fn helpers() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use ::payspec::support::{
            bad_signature as __bad_signature, build_url as __build_url, decimal_json as __dec_json,
            decimal_text as __decimal_text, header_field as __header_field,
            header_placed as __header_placed, input as __input, json as __json, json_kind as __json_kind,
            malformed as __malformed, path_field as __path_field, pattern as __pattern,
            response_object as __response_object, stage as __stage, to_decimal as __to_decimal,
        };
    }
}
