//! Small private helpers emitted once per generated module.

use proc_macro2::TokenStream;
use quote::quote;

pub fn helpers() -> TokenStream {
    quote! {
        #[allow(dead_code)]
        fn __input(target: &str, field: &str, problem: impl ::core::convert::Into<::std::string::String>) -> ::payspec::SignError {
            ::payspec::SignError::Input { target: target.into(), field: field.into(), problem: problem.into() }
        }

        #[allow(dead_code)]
        fn __stage(at: &str, stage: ::payspec::Stage, problem: impl ::core::convert::Into<::std::string::String>) -> ::payspec::SignError {
            ::payspec::SignError::Stage { at: at.into(), stage, problem: problem.into() }
        }

        #[allow(dead_code)]
        fn __malformed(target: &str, field: &str, problem: impl ::core::convert::Into<::std::string::String>) -> ::payspec::VerifyError {
            ::payspec::VerifyError::Malformed { target: target.into(), field: field.into(), problem: problem.into() }
        }

        #[allow(dead_code)]
        fn __bad_signature(at: &str, problem: ::std::string::String) -> ::payspec::VerifyError {
            ::payspec::VerifyError::BadSignature { at: at.into(), problem }
        }

        /// A numeric text as a decimal, for `min` / `max` checks.
        #[allow(dead_code)]
        fn __to_decimal(s: &str) -> ::core::result::Result<::payspec::rust_decimal::Decimal, ::std::string::String> {
            s.parse::<::payspec::rust_decimal::Decimal>()
                .or_else(|_| ::payspec::rust_decimal::Decimal::from_scientific(s))
                .map_err(|e| ::std::format!("`{}` is out of the numeric range: {}", s, e))
        }

        /// A decimal amount: digits with an optional `.` fraction, kept byte for byte.
        #[allow(dead_code)]
        fn __decimal_text(text: &str) -> ::core::result::Result<::payspec::serde_json::Number, ::std::string::String> {
            let t = text.strip_prefix('-').unwrap_or(text);
            let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
            let ok = !int.is_empty()
                && !frac.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return ::core::result::Result::Err(::std::format!(
                    "`{}` is not a decimal amount (digits with an optional `.` fraction)",
                    text
                ));
            }
            text.parse::<::payspec::serde_json::Number>().map_err(|e| ::std::format!("`{}`: {}", text, e))
        }

        /// A decimal as an exact JSON number.
        #[allow(dead_code)]
        fn __dec_json(d: &::payspec::rust_decimal::Decimal) -> ::payspec::serde_json::Value {
            d.to_string()
                .parse::<::payspec::serde_json::Number>()
                .map(::payspec::serde_json::Value::Number)
                .unwrap_or(::payspec::serde_json::Value::Null)
        }

        /// A serializable value as JSON (`null` if it cannot be represented).
        #[allow(dead_code)]
        fn __json<T: ::payspec::serde::Serialize>(v: &T) -> ::payspec::serde_json::Value {
            ::payspec::serde_json::to_value(v).unwrap_or(::payspec::serde_json::Value::Null)
        }

        /// How a JSON value is described in messages.
        #[allow(dead_code)]
        fn __json_kind(v: &::payspec::serde_json::Value) -> ::std::string::String {
            use ::payspec::serde_json::Value;
            match v {
                Value::Null => "null".into(),
                Value::Bool(b) => ::std::format!("boolean {}", b),
                Value::Number(n) => ::std::format!("number {}", n),
                Value::String(s) => ::std::format!("string {:?}", s),
                Value::Array(_) => "an array".into(),
                Value::Object(_) => "an object".into(),
            }
        }

        /// Percent-encode one path segment (unreserved characters kept).
        #[allow(dead_code)]
        fn __seg(s: &str) -> ::std::string::String {
            const SEG: &::payspec::percent_encoding::AsciiSet = &::payspec::percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            ::payspec::percent_encoding::utf8_percent_encode(s, SEG).to_string()
        }

        /// Base URL (without trailing `/`) + path + form-encoded query.
        #[allow(dead_code)]
        fn __build_url(base: &str, path: &str, query: &[(&str, ::std::string::String)]) -> ::std::string::String {
            let mut url = ::std::format!("{}{}", base.trim_end_matches('/'), path);
            if !query.is_empty() {
                url.push('?');
                url.push_str(&::payspec::canon::pairs(query.iter().map(|(k, v)| (*k, v.as_str())), "=", "&", true));
            }
            url
        }

        /// Compile a spec pattern anchored at both ends (once).
        #[allow(dead_code)]
        fn __pattern(
            cell: &'static ::std::sync::OnceLock<::core::result::Result<::payspec::regex::Regex, ::std::string::String>>,
            pattern: &str,
        ) -> ::core::result::Result<&'static ::payspec::regex::Regex, ::std::string::String> {
            cell.get_or_init(|| ::payspec::regex::Regex::new(&::std::format!("^(?:{})$", pattern)).map_err(|e| e.to_string()))
                .as_ref()
                .map_err(|e| ::std::format!("spec pattern does not compile: {}", e))
        }
    }
}
