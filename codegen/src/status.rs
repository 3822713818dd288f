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
        let name = c.name.as_deref().unwrap_or_default();
        let meaning = &c.meaning;
        let retryable = c.retryable;
        match c.outcome {
            Some(o) => {
                let outcome = format_ident!("{}", format!("{o:?}"));
                quote!(row(&[#(#when),*], #outcome, #name, #retryable).means(#meaning),)
            }
            None => quote!(info(&[#(#when),*], #name, #retryable).means(#meaning),),
        }
    });
    let info = table.codes.iter().any(|c| c.outcome.is_none()).then(|| {
        quote!(
            use ::payspec::status::info;
        )
    });
    let row = table.codes.iter().any(|c| c.outcome.is_some()).then(|| {
        quote!(
            use ::payspec::{status::row, Outcome::*};
        )
    });
    quote!({
        #info
        #row
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
                if let Some(id) = self.inline_tables.borrow().get(at) {
                    return Some((quote!(#id), t));
                }
                let id = self.fresh("STATUS");
                self.inline_tables.borrow_mut().insert(at.to_string(), id.clone());
                let rows = rows(t);
                self.extra(quote! {
                    #[allow(non_upper_case_globals)]
                    static #id: &[StatusRow] = #rows;
                });
                Some((quote!(#id), t))
            }
        }
    }

    /// The success table of `op` (rows expression, table), made once per operation.
    pub fn success_table<'a>(&'a self, op: &'a OpPlan) -> Option<(TokenStream, &'a StatusTable)> {
        let sref = op.op.response.as_ref().and_then(|resp| resp.status.as_ref())?;
        self.table_of(sref, &format!("operations.{}.response.status", op.name))
    }

    /// The error-shape table of `op` (rows expression, table).
    pub fn error_table<'a>(&'a self, op: &'a OpPlan) -> Option<(TokenStream, &'a StatusTable)> {
        let sref = op.op.response.as_ref().and_then(|resp| resp.error.as_ref()).and_then(|e| e.status.as_ref())?;
        self.table_of(sref, &format!("operations.{}.response.error.status", op.name))
    }

    /// `status()` on a typed value of struct `r` looked up in `table` (`http:status` reads as absent).
    pub fn typed_status(&self, r: usize, table: &TokenStream, t: &StatusTable, doc: &str) -> TokenStream {
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
        quote! {
            #[doc = #doc]
            pub fn status(&self) -> StatusMatch {
                __g::lookup(#table, [#(#typed),*])
            }
        }
    }

    /// `status()` and `status_of(json)` on an object response type.
    pub fn response_status(&self, op: &OpPlan, r: usize) -> TokenStream {
        let Some((table, t)) = self.success_table(op) else {
            return quote!();
        };
        let fields = &t.fields;
        let list = t.fields.join(", ");
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let doc = format!("Map this response onto its status table (fields {list}; `http:status` reads as absent: use `status_of_http`). `outcome: None` means the code is unmapped (`matched: false`: never a silent default) or diagnostic.");
        let doc_json = format!(
            "Map a raw response body onto the status table (fields {list}), as `payspec::Interpreter::status`. A body that is not a JSON object is `VerifyError::Malformed` (field `body`), never a lookup."
        );
        let typed = self.typed_status(r, &table, t, &doc);
        quote! {
            #typed

            #[doc = #doc_json]
            pub fn status_of(json: &Value) -> Result<StatusMatch, VerifyError> {
                __g::status_of(#target, json, #table, &[#(#fields),*])
            }
        }
    }

    /// `status()` on the row struct and `status()` / `status_of(json)` (one per row) on the
    /// `Vec`-of-rows response type of an `array: true` operation: (row items, response items).
    pub fn rows_status(&self, op: &OpPlan, r: usize) -> (TokenStream, TokenStream) {
        let Some((table, t)) = self.success_table(op) else {
            return (quote!(), quote!());
        };
        let fields = &t.fields;
        let list = t.fields.join(", ");
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let doc = format!(
            "Map this row onto the status table (fields {list}). `outcome: None` means unmapped or diagnostic."
        );
        let row = self.typed_status(r, &table, t, &doc);
        let doc_json = format!(
            "Map a raw response body (a JSON array of rows) onto the status table, one lookup per row (fields {list}); an empty array gives no lookups, which says nothing about any refund. A body that is not an array of objects is `VerifyError::Malformed` (`body`, or `body[i]` for a row)."
        );
        let resp = quote! {
            /// One lookup per row, in order (empty for no rows).
            pub fn status(&self) -> Vec<StatusMatch> {
                self.0.iter().map(|r| r.status()).collect()
            }

            #[doc = #doc_json]
            pub fn status_of(json: &Value) -> Result<Vec<StatusMatch>, VerifyError> {
                __g::rows_status_of(#target, json, #table, &[#(#fields),*], None)
            }
        };
        (row, resp)
    }

    /// `status_of_http(http_status, json)` on the response type (nothing when no shape has a table).
    pub fn response_status_http(&self, op: &OpPlan) -> TokenStream {
        let Some(resp) = op.op.response.as_ref() else { return quote!() };
        let success = self.success_table(op);
        let error = self.error_table(op);
        if success.is_none() && error.is_none() {
            return quote!();
        }
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let success = match success {
            None => quote!(Ok(None)),
            Some((table, t)) => {
                let fields = &t.fields;
                if resp.array {
                    quote!(Ok(Some(ResponseStatus::Rows(__g::rows_status_of(#target, json, #table, &[#(#fields),*], http_status)?))))
                } else {
                    quote!(Ok(Some(ResponseStatus::One(__g::status_of_http(#target, json, #table, &[#(#fields),*], http_status)?))))
                }
            }
        };
        let error = match (&resp.error, error) {
            (None, _) => quote!(),
            (Some(e), table) => {
                let codes: Vec<String> = e.http.iter().map(|v| v.text()).collect();
                let looked = match table {
                    None => quote!(Ok(None)),
                    Some((table, t)) => {
                        let fields = &t.fields;
                        let etarget = format!("{}.{} error response", self.spec.provider, op.name);
                        quote!(Ok(Some(ResponseStatus::One(__g::status_of_http(#etarget, json, #table, &[#(#fields),*], http_status)?))))
                    }
                };
                quote! {
                    if __g::error_selected(http_status, &[#(#codes),*]) {
                        return #looked;
                    }
                }
            }
        };
        let doc = format!(
            "Map a response of `{}` received with HTTP status `http_status` (`None`: unknown) onto its status table(s), as `payspec::Interpreter::status_http`: an error status selects the error shape, an array response gives one lookup per row, and the `http:status` column reads `http_status`. `Ok(None)`: the selected shape has no table.",
            op.name
        );
        quote! {
            #[doc = #doc]
            pub fn status_of_http(http_status: Option<u16>, json: &Value) -> Result<Option<ResponseStatus<StatusMatch>>, VerifyError> {
                #error
                #success
            }
        }
    }

    /// `status()` and `status_of(json)` on the error type of an operation.
    pub fn error_status(&self, op: &OpPlan, e: usize) -> TokenStream {
        let Some((table, t)) = self.error_table(op) else {
            return quote!();
        };
        let fields = &t.fields;
        let list = t.fields.join(", ");
        let target = format!("{}.{} error response", self.spec.provider, op.name);
        let doc = format!("Map this error body onto its status table (fields {list}; `http:status` reads as absent: use the response's `status_of_http`).");
        let typed = self.typed_status(e, &table, t, &doc);
        quote! {
            #typed

            /// Map a raw error body onto the error status table (`http:status` absent); a body that is not a JSON object is `VerifyError::Malformed` (field `body`).
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
