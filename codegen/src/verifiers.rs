//! Verifiers: `verify_<callback>` and `verify_<op>_response`, as the interpreter's
//! `verify_callback` / `verify_response` (`runtime/src/interp/recipe.rs::verify`).

use crate::plan::{CbPlan, OpPlan};
use crate::signers::{encoding_tokens, stage_err, RCtx, Target};
use crate::Gen;
use payspec_model::{DecodeStep, DigestAlg, PayloadEncoding, Recipe};
use proc_macro2::TokenStream;
use quote::quote;

/// `const AT: &str = "<at>";` when `body` uses `AT`.
fn at_const(body: &TokenStream, at: &str) -> TokenStream {
    if body.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "AT") {
        quote!(const AT: &str = #at;)
    } else {
        quote!()
    }
}

impl Gen<'_> {
    /// Statements refusing a received payload that breaks the message's boundaries, in the order of
    /// [`payspec_model::canonical::received_rules`] (as the interpreter's `check_canonical`).
    fn canonical_checks(&self, recipe: &Recipe, _target: &str) -> TokenStream {
        use payspec_model::canonical::{received_rules, ReceivedRule};
        let steps = received_rules(recipe).into_iter().map(|rule| match rule {
            ReceivedRule::NoSeparator { field, seps } => {
                quote!(__g::no_separators(T, payload, &[#(#field),*], &[#(#seps),*])?;)
            }
            ReceivedRule::NoSeparatorAnyField { exclude, seps } => quote! {
                for (__k, __v) in payload.iter() {
                    if [#(#exclude),*].contains(&__k.as_str()) {
                        continue;
                    }
                    __g::refuse_separators(T, __k, __k, &[#(#seps),*])?;
                    __g::refuse_separators(T, __k, &__g::render(__v), &[#(#seps),*])?;
                }
            },
            ReceivedRule::MaxWidth { field, width } => {
                quote!(__g::no_wider(T, payload, &[#(#field),*], #width)?;)
            }
        });
        quote!(#(#steps)*)
    }

    /// Statements checking the signature of `payload` with `recipe` and binding `__stages`.
    fn verify_stages(&self, recipe: &Recipe, target: &str, at: &str) -> TokenStream {
        let stages_ty = quote!(Stages);
        let Some(field) = recipe.place.field() else {
            let msg = format!("{at}: only body and query places can be verified");
            return quote! {
                let __stages: #stages_ty = Err::<#stages_ty, SignError>(SignError::Unknown(#msg.to_string()))?;
            };
        };
        let placed = match &recipe.place {
            payspec_model::Place::Query(q) => format!("query.{q}"),
            _ => format!("body.{field}"),
        };
        let cx = RCtx {
            target: Target::Received,
            at: at.to_string(),
            exclude: Some(field.to_string()),
            at_id: Some(quote::format_ident!("AT")),
        };
        let _ = target;
        let received = quote!(let __received = __g::received_signature(T, payload, #field)?;);
        let msg = self.message_stmt(&cx, recipe);
        let structural = self.spec.recipe_value_is_secret(recipe, None);
        let check = match (recipe.digest.as_ref(), recipe.encode) {
            (Some(d), None) if d.alg == DigestAlg::RsaSha256 => {
                let e = stage_err(quote!(AT), "Encode", quote!("a digest needs an encoding"));
                quote! {
                    let _ = (&__received, &__msg);
                    let __stages: #stages_ty = Err::<#stages_ty, SignError>(#e)?;
                }
            }
            (Some(d), Some(enc)) if d.alg == DigestAlg::RsaSha256 => {
                let pem = self.key_text(&cx, d.public_key.as_ref(), "public_key");
                let enc_t = encoding_tokens(enc);
                let not_text = format!("`{field}` is not valid {enc:?} text");
                let no = format!("RSA-SHA256 signature in `{field}` does not verify over the string to sign");
                let digest_err = stage_err(quote!(AT), "Digest", quote!(e.to_string()));
                quote! {
                    let __pem: String = #pem;
                    let __sig_bytes: Vec<u8> = match ::payspec::crypto::decode(#enc_t, &__received) {
                        Some(b) => b,
                        None => return Err(__g::bad_signature(AT, #not_text.to_string())),
                    };
                    let __ok: bool = ::payspec::crypto::rsa_sha256_verify(&__pem, __msg.as_bytes(), &__sig_bytes).map_err(|e| #digest_err)?;
                    if !__ok {
                        return Err(__g::bad_signature(AT, #no.to_string()));
                    }
                    let __stages = __g::verified(__msg, Some(__sig_bytes), __received, #placed, creds.redactor(), #structural);
                }
            }
            _ => {
                let digest = self.digest_stmt(&cx, recipe);
                let has_digest = digest.is_some();
                let expected = self.encoded(&cx, recipe, has_digest);
                let mismatch = format!("`{field}` does not match {} of the string to sign", recipe.describe());
                let digest_val = if has_digest { quote!(Some(__digest)) } else { quote!(None) };
                quote! {
                    #digest
                    let __expected = #expected;
                    __g::expect_equal(AT, &__expected, &__received, #mismatch)?;
                    let __stages = __g::verified(__msg, #digest_val, __received, #placed, creds.redactor(), #structural);
                }
            }
        };
        quote! {
            #received
            #msg
            #check
        }
    }

    /// `pub fn verify_<callback>`.
    pub fn verify_callback_fn(&self, cb: &CbPlan) -> TokenStream {
        let f = &cb.verify_fn;
        let target = format!("{}.{}", self.spec.provider, cb.name);
        let at = self.spec.locate(&format!("callbacks.{}.verify", cb.name));
        let lenient = !matches!(cb.cb.encoding, PayloadEncoding::Json);
        let check = self.check_received(&target, cb.payload);
        let _ = lenient;
        let canonical = self.canonical_checks(&cb.cb.verify, &target);
        let verify = self.verify_stages(&cb.cb.verify, &target, &at);
        let at_const = at_const(&verify, &at);
        let decodes: Vec<_> = cb
            .cb
            .decode
            .iter()
            .map(|(field, steps)| {
                let steps = steps.iter().map(|step| match step {
                    DecodeStep::Base64 => quote!(::payspec::model::DecodeStep::Base64),
                    DecodeStep::Json => quote!(::payspec::model::DecodeStep::Json),
                });
                quote!(__g::decode_checked(T, &mut __decoded, #field, &[#(#steps),*], &mut __pre)?;)
            })
            .collect();
        // The JSON-text fields the check parsed feed the decode steps.
        let check = if decodes.is_empty() {
            check
        } else {
            let rules = self.rules(cb.payload);
            let lenient = self.plan.structs[cb.payload].lenient;
            quote!(let mut __pre = __g::check_received(T, &#rules, payload, #lenient)?;)
        };
        let mutable = if decodes.is_empty() { quote!() } else { quote!(mut) };
        let payload_ty = &self.plan.structs[cb.payload].name;
        let doc = format!(
            "Verify callback `{}` ({} payload){} Checks the fields, the signature (constant-time comparison) and decodes encoded fields, exactly as `payspec::Interpreter::verify_callback`. [`{payload_ty}`] is the typed form of the received payload.",
            cb.name,
            format!("{:?}", cb.cb.encoding).to_lowercase(),
            cb.cb.doc.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_else(|| ".".into())
        );
        quote! {
            #[doc = #doc]
            pub fn #f(
                payload: &Map<String, Value>,
                creds: &Credentials,
            ) -> Result<Verified, VerifyError> {
                const T: &str = #target;
                #at_const
                #check
                #canonical
                #verify
                let #mutable __decoded = payload.clone();
                #(#decodes)*
                Ok(Verified { payload: Value::Object(__decoded), stages: __stages })
            }
        }
    }

    /// `pub fn verify_<op>_response` (nothing when the operation's responses are not signed).
    pub fn verify_response_fn(&self, op: &OpPlan) -> TokenStream {
        let (Some(f), Some(resp)) = (&op.verify_fn, &op.op.response) else {
            return quote!();
        };
        let Some(recipe) = &resp.verify else {
            return quote!();
        };
        let target = format!("{}.{} response", self.spec.provider, op.name);
        let at = self.spec.locate(&format!("operations.{}.response.verify", op.name));
        let check = self.check_received(&target, op.response.expect("a response with fields"));
        let canonical = self.canonical_checks(recipe, &target);
        let verify = self.verify_stages(recipe, &target, &at);
        let at_const = at_const(&verify, &at);
        let signed_when = if resp.signed_when.is_empty() {
            quote!()
        } else {
            let conds = resp.signed_when.iter().map(|(f, vs)| {
                let vs = vs.iter().map(|v| v.text());
                quote!((#f, &[#(#vs),*]))
            });
            quote!(__g::signed_when(T, body, &[#(#conds),*])?;)
        };
        let when_doc = if resp.signed_when.is_empty() {
            String::new()
        } else {
            let conds: Vec<String> = resp
                .signed_when
                .iter()
                .map(|(f, vs)| format!("`{f}` in [{}]", vs.iter().map(|v| v.text()).collect::<Vec<_>>().join(", ")))
                .collect();
            format!(
                " The signature applies only when {}; any other body is `VerifyError::Unsigned` (nothing verified).",
                conds.join(" and ")
            )
        };
        let doc = format!(
            "Verify the signature on a response of `{}` (constant-time comparison), exactly as `payspec::Interpreter::verify_response`.{when_doc}",
            op.name
        );
        quote! {
            #[doc = #doc]
            pub fn #f(
                body: &Map<String, Value>,
                creds: &Credentials,
            ) -> Result<Verified, VerifyError> {
                const T: &str = #target;
                #at_const
                let payload = body;
                #check
                #signed_when
                #canonical
                #verify
                Ok(Verified { payload: Value::Object(body.clone()), stages: __stages })
            }
        }
    }
}
