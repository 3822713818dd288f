//! Status tables compiled to static rows; `status()` on responses, `status_of(json)` on JSON.

use crate::naming::upper;
use crate::plan::{CbPlan, OpPlan};
use crate::signers::to_text;
use crate::Gen;
use payspec_model::{StatusRef, StatusTable};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

fn rows(table: &StatusTable) -> TokenStream {
    let rows = table.codes.iter().map(|c| {
        let when = c.values.iter().map(|v| v.text());
        let outcome = format_ident!("{}", format!("{:?}", c.outcome));
        let name = c.name.as_deref().unwrap_or_default();
        let meaning = &c.meaning;
        let retryable = c.retryable;
        quote!(row(&[#(#when),*], #outcome, #name, #retryable).means(#meaning),)
    });
    quote!({
        use ::payspec::{status::row, Outcome::*};
        &[#(#rows)*]
    })
}

impl Gen<'_> {
    fn named_table_ident(name: &str) -> Ident {
        format_ident!("STATUS_{}", upper(name))
    }

    /// `pub static STATUS_<NAME>` for every shared status table.
    pub fn status_tables(&self) -> TokenStream {
        let mut names = crate::naming::Namer::default();
        let tables = self.spec.status_tables.iter().map(|(name, table)| {
            let id = Self::named_table_ident(name);
            if !names.claim(&id.to_string()) {
                self.error(format!("status_tables.{name}"), format!("the generated name `{id}` is used twice"));
            }
            let doc = format!(
                "Status table `{name}` (fields {}): first matching row wins; `\"*\"` in `when` matches any value.",
                table.fields.join(", ")
            );
            let rows = rows(table);
            quote! {
                #[doc = #doc]
                pub static #id: &[StatusRow] = #rows;
            }
        });
        quote!(#(#tables)*)
    }

    /// The rows expression and the table of a status reference (inline tables become private statics).
    fn table_of<'a>(&'a self, r: &'a StatusRef, at: &str) -> Option<(TokenStream, &'a StatusTable)> {
        match r {
            StatusRef::Named(n) => match self.spec.status_tables.get(n) {
                Some(t) => {
                    let id = Self::named_table_ident(n);
                    Some((quote!(#id), t))
                }
                None => {
                    self.error(at, format!("unknown status table `{n}`"));
                    None
                }
            },
            StatusRef::Inline(t) => {
                let id = self.fresh("STATUS");
                let rows = rows(t);
                self.extra(quote! {
                    #[allow(non_upper_case_globals)]
                    static #id: &[StatusRow] = #rows;
                });
                Some((quote!(#id), t))
            }
        }
    }

    /// `status()` and `status_of(json)` on an operation's response type.
    pub fn response_status(&self, op: &OpPlan, r: usize) -> TokenStream {
        let Some(sref) = op.op.response.as_ref().and_then(|resp| resp.status.as_ref()) else {
            return quote!();
        };
        let at = format!("operations.{}.response.status", op.name);
        let Some((table, t)) = self.table_of(sref, &at) else {
            return quote!();
        };
        let typed = t.fields.iter().map(|p| {
            let path: Vec<String> = p.split('.').map(String::from).collect();
            match self.field_path(quote!(self), r, &path, None) {
                None => quote!(None),
                Some(raw) => {
                    let e = raw.expr;
                    if raw.opt {
                        let text = to_text(raw.ty, &quote!(__v));
                        quote!(#e.map(|__v| #text))
                    } else {
                        let text = crate::signers::subst(to_text(raw.ty, &quote!(__v)), &e);
                        quote!(Some(#text))
                    }
                }
            }
        });
        let fields = &t.fields;
        let list = t.fields.join(", ");
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let doc = format!("Map this response onto its status table (fields {list}). `outcome: None` means the code is unmapped: never a silent default.");
        let doc_json = format!(
            "Map a raw response body onto the status table (fields {list}), as `payspec::Interpreter::status`. A body that is not a JSON object is `VerifyError::Malformed` (field `body`), never a lookup."
        );
        quote! {
            #[doc = #doc]
            pub fn status(&self) -> StatusMatch {
                __g::lookup(#table, [#(#typed),*])
            }

            #[doc = #doc_json]
            pub fn status_of(json: &Value) -> Result<StatusMatch, VerifyError> {
                __g::status_of(#target, json, #table, &[#(#fields),*])
            }
        }
    }

    /// `status_of(decoded)` on a callback's payload type.
    pub fn callback_status(&self, cb: &CbPlan) -> TokenStream {
        let Some(sref) = &cb.cb.status else {
            return quote!();
        };
        let at = format!("callbacks.{}.status", cb.name);
        let Some((table, t)) = self.table_of(sref, &at) else {
            return quote!();
        };
        let fields = &t.fields;
        let doc = format!(
            "Map a verified, decoded payload (`Verified::payload`) onto the callback's status table (fields {}). `outcome: None` means unmapped.",
            t.fields.join(", ")
        );
        quote! {
            #[doc = #doc]
            pub fn status_of(json: &Value) -> StatusMatch {
                __g::status_in(json, #table, &[#(#fields),*])
            }
        }
    }
}
