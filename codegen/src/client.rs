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
            let resp = match (&op.rows_ty, op.response) {
                (Some(rows), _) => quote!(#rows),
                (None, Some(r)) => {
                    let ty = &self.plan.structs[r].name;
                    quote!(#ty)
                }
                (None, None) => quote!(__g::Untyped),
            };
            let what = op.op.doc.as_deref().map(|d| format!(": {}", d.trim_end())).unwrap_or_default();
            let doc = format!("Send `{}`{what}", op.name);
            let error = op.response.and(op.error).map(|e| {
                let ty = &self.plan.structs[e].name;
                let http: Vec<String> = op
                    .op
                    .response
                    .as_ref()
                    .and_then(|r| r.error.as_ref())
                    .map(|e| e.http.iter().map(|c| c.text()).collect())
                    .unwrap_or_default();
                quote!(| #ty [#(#http),*])
            });
            quote!(#method(#req) -> #resp #error, #doc;)
        });
        quote! {
            __g::client!(#(#methods)*);
        }
    }
}
