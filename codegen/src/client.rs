//! The generated `Client`: one async method per operation, over `payspec::client::Client`.

use crate::naming;
use crate::Gen;
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// `__g::client!`: expands to the `Client` type when payspec's `client` feature is on, to
    /// nothing otherwise (a consumer without it compiles no HTTP stack).
    pub fn client(&self) -> TokenStream {
        let methods = self.plan.ops.iter().map(|op| {
            let method = naming::ident(&naming::snake(op.name));
            let req = &self.plan.structs[op.request].name;
            let resp = match op.response {
                Some(r) => {
                    let ty = &self.plan.structs[r].name;
                    quote!(#ty)
                }
                None => quote!(Map<String, Value>),
            };
            let what = op.op.doc.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
            let doc = format!("Send `{}`{what}", op.name);
            quote!(#method(#req) -> #resp, #doc;)
        });
        quote! {
            __g::client!(#(#methods)*);
        }
    }
}
