//! The runtime side of generated code (`payspec::provider!`): what every generated module imports
//! (`prelude`), and the helpers its builders, signers and verifiers call, so that the generated code
//! is thin glue specialised only where that pays (building the canonical string, the digest).
//!
//! Not a stable API: generated code and this module change together.

pub use crate::dynamic::{Dynamic, Op};
pub use crate::support::*;
pub use record::*;

mod record;
pub use serde_with::skip_serializing_none;

/// The names every generated module imports with `use ::payspec::glue::prelude::*;`: the std
/// prelude items by absolute path (so generated code works under `#![no_implicit_prelude]`), JSON,
/// serde derives and the runtime types signatures mention.
pub mod prelude {
    pub use crate::glue as __g;
    pub use crate::status::ResponseStatus;
    pub use crate::{Clock, SignError, SignedRequest, Stages, StatusMatch, StatusRow, Verified, VerifyError};
    pub use ::core::clone::Clone;
    pub use ::core::convert::{From, Into};
    pub use ::core::default::Default;
    pub use ::core::option::Option::{self, None, Some};
    pub use ::core::result::Result::{self, Err, Ok};
    pub use ::serde::{Deserialize, Serialize};
    pub use ::serde_json::{Map, Value};
    pub use ::std::string::{String, ToString};
    pub use ::std::vec::Vec;
    pub use ::std::{format, vec};
}

/// The body of an operation whose spec declares no response fields: any JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Untyped(pub Map<String, Value>);

impl Untyped {
    /// A JSON object body (anything else is `VerifyError::Malformed`, field `body`).
    pub fn from_json(body: &Value) -> Result<Self, VerifyError> {
        response_object("response", body).map(|m| Untyped(m.clone()))
    }
}

/// `render` for generated code (`payspec::canon::render`).
pub use crate::canon::render;

use crate::redact::Redactor;
use crate::secret::{CredentialError, CredentialValue, Credentials, Secret, SecretInteger};
use crate::wire::{Body, DigestBytes, SignatureValue, SignedRequest, Stages, StringToSign};
use crate::{Clock, SignError, VerifyError};
use payspec_model::{DecodeStep, FieldType};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Field rules

/// A field `pattern`, compiled on first use to match whole values and shared by every check
/// (never a clone of the compiled regex, whose match cache would start empty each time).
pub struct Pattern {
    src: &'static str,
    re: OnceLock<Result<regex::Regex, String>>,
}

impl Pattern {
    /// The pattern `src` (compiled on first use).
    pub const fn new(src: &'static str) -> Self {
        Pattern { src, re: OnceLock::new() }
    }

    /// Whether `text` matches as a whole; an error when the pattern does not compile.
    pub fn check(&self, text: &str) -> Result<(), String> {
        let re = self
            .re
            .get_or_init(|| regex::Regex::new(&format!("^(?:{})$", self.src)).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| format!("spec pattern does not compile: {e}"))?;
        if re.is_match(text) {
            Ok(())
        } else {
            Err(format!("`{}` does not match pattern {}", echo(text), self.src))
        }
    }
}

/// The checks of one field (a spec `Field` as static data): type, presence and limits.
pub struct Rule {
    /// Wire name.
    pub wire: &'static str,
    /// Spec type.
    pub ty: FieldType,
    /// `required: true`.
    pub required: bool,
    /// Filled from a secret credential: a problem with a filled value is not echoed.
    pub hidden: bool,
    /// `omit_empty`: an optional value given as empty text is left out.
    pub omit_empty: bool,
    /// Length limits in characters.
    pub min_len: Option<usize>,
    /// Length limits in characters.
    pub max_len: Option<usize>,
    /// Numeric limits, as spec text.
    pub min: Option<&'static str>,
    /// Numeric limits, as spec text.
    pub max: Option<&'static str>,
    /// Allowed values (`values:`), empty when any.
    pub values: &'static [&'static str],
    /// Whole-value pattern.
    pub pattern: Option<&'static Pattern>,
    /// Sub-fields of an object.
    pub fields: &'static [Rule],
}

impl Rule {
    /// A field of type `ty` named `wire` without limits.
    pub const fn new(wire: &'static str, ty: FieldType) -> Self {
        Rule {
            wire,
            ty,
            required: false,
            hidden: false,
            omit_empty: false,
            min_len: None,
            max_len: None,
            min: None,
            max: None,
            values: &[],
            pattern: None,
            fields: &[],
        }
    }
    /// A `string` field.
    pub const fn string(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::String)
    }
    /// An `integer` field.
    pub const fn integer(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::Integer)
    }
    /// A `decimal` field.
    pub const fn decimal(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::Decimal)
    }
    /// A `bool` field.
    pub const fn bool(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::Bool)
    }
    /// An `object` field.
    pub const fn object(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::Object)
    }
    /// A `json_text` field.
    pub const fn json_text(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::JsonText)
    }
    /// A `scalar` field.
    pub const fn scalar(wire: &'static str) -> Self {
        Rule::new(wire, FieldType::Scalar)
    }
    /// `min_len`.
    pub const fn min_len(mut self, n: usize) -> Self {
        self.min_len = Some(n);
        self
    }
    /// `max_len`.
    pub const fn max_len(mut self, n: usize) -> Self {
        self.max_len = Some(n);
        self
    }
    /// `min` (spec text).
    pub const fn min(mut self, n: &'static str) -> Self {
        self.min = Some(n);
        self
    }
    /// `max` (spec text).
    pub const fn max(mut self, n: &'static str) -> Self {
        self.max = Some(n);
        self
    }
    /// `required: true`.
    pub const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    /// Filled from a secret credential.
    pub const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    /// Left out when given as empty text (`omit_empty`).
    pub const fn omit_empty(mut self) -> Self {
        self.omit_empty = true;
        self
    }
    /// `min_len` / `max_len`.
    pub const fn len(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.min_len = min;
        self.max_len = max;
        self
    }
    /// `min` / `max`.
    pub const fn range(mut self, min: Option<&'static str>, max: Option<&'static str>) -> Self {
        self.min = min;
        self.max = max;
        self
    }
    /// `values:`.
    pub const fn values(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }
    /// `pattern:`.
    pub const fn pattern(mut self, p: &'static Pattern) -> Self {
        self.pattern = Some(p);
        self
    }
    /// Sub-fields of an object.
    pub const fn fields(mut self, fields: &'static [Rule]) -> Self {
        self.fields = fields;
        self
    }

    /// The pattern (if any) on the compact JSON of an object value.
    pub fn pattern_json<T: serde::Serialize>(&self, v: &T) -> Result<(), String> {
        match self.pattern {
            Some(p) => p.check(&json(v).to_string()),
            None => Ok(()),
        }
    }

    /// The pattern (if any) on `text`.
    pub fn pattern_on(&self, text: &str) -> Result<(), String> {
        match self.pattern {
            Some(p) => p.check(text),
            None => Ok(()),
        }
    }

    /// String limits: JSON text, lengths, values, pattern (in this order, as the interpreter).
    pub fn check_str(&self, s: &str) -> Result<(), String> {
        if self.ty == FieldType::JsonText
            && let Err(e) = serde_json::from_str::<Value>(s)
        {
            return Err(format!("not JSON text: {e}"));
        }
        if self.max_len.is_some() || self.min_len.is_some() {
            let len = s.chars().count();
            if let Some(max) = self.max_len
                && len > max
            {
                return Err(format!("{len} characters, at most {max} allowed"));
            }
            if let Some(min) = self.min_len
                && len < min
            {
                return Err(format!("{len} characters, at least {min} required"));
            }
        }
        if !self.values.is_empty() && !self.values.contains(&s) {
            return Err(format!("`{}` is not one of {}", echo(s), self.values.join(", ")));
        }
        self.pattern_on(s)
    }

    /// Pattern and numeric limits of a typed integer.
    pub fn check_int(&self, v: i64) -> Result<(), String> {
        if self.pattern.is_some() {
            self.pattern_on(&v.to_string())?;
        }
        for (bound, below) in [(self.min, true), (self.max, false)] {
            let Some(text) = bound else { continue };
            let out = match text.parse::<i64>() {
                Ok(n) => (below && v < n) || (!below && v > n),
                Err(_) => {
                    let b = to_decimal(text)?;
                    let d = rust_decimal::Decimal::from(v);
                    (below && d < b) || (!below && d > b)
                }
            };
            if out {
                return Err(bound_problem(&v.to_string(), text, below));
            }
        }
        Ok(())
    }

    /// Pattern and numeric limits of a typed decimal.
    pub fn check_dec(&self, v: &rust_decimal::Decimal) -> Result<(), String> {
        if self.pattern.is_some() {
            self.pattern_on(&v.to_string())?;
        }
        for (bound, below) in [(self.min, true), (self.max, false)] {
            let Some(text) = bound else { continue };
            let b = to_decimal(text)?;
            if (below && *v < b) || (!below && *v > b) {
                return Err(bound_problem(&v.to_string(), text, below));
            }
        }
        Ok(())
    }
}

fn bound_problem(v: &str, bound: &str, below: bool) -> String {
    if below {
        format!("{v} is below the minimum {bound}")
    } else {
        format!("{v} is above the maximum {bound}")
    }
}

/// A typed request value its [`Rule`] can check (generated enums and objects implement it too).
pub trait Checked {
    /// The rule's limits on this value; the problem in the interpreter's words.
    fn check(&self, rule: &Rule) -> Result<(), String>;
    /// Renders as empty text (what `omit_empty` leaves out).
    fn is_empty_text(&self) -> bool {
        false
    }
}

/// What every generated enum of wire values has, given its `ALL` (variants in spec order) and
/// `WIRE` (their wire texts, same order) consts: `as_str`, `from_wire`, `Display` and its field check.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum {
    ($name:ident) => {
        $crate::__wire_enum!(@impl $name, inhabited);
    };
    ($name:ident, uninhabited) => {
        $crate::__wire_enum!(@impl $name, uninhabited);
    };
    (@as_str $s:ident, inhabited) => {
        Self::WIRE[*$s as usize]
    };
    (@as_str $s:ident, uninhabited) => {
        match *$s {}
    };
    (@impl $name:ident, $kind:ident) => {
        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &'static str {
                $crate::__wire_enum!(@as_str self, $kind)
            }
            /// The value with wire text `s`.
            pub fn from_wire(s: &str) -> ::core::option::Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        // Serde through the wire texts: the derive's code for an enum is ten times longer.
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::glue::wire_variant(d, stringify!($name), Self::WIRE, Self::from_wire)
            }
        }
        impl $crate::glue::Field for $name {
            fn from_json(v: $crate::serde_json::Value, _: bool) -> ::core::result::Result<Self, $crate::serde_json::Error> {
                <Self as $crate::serde::Deserialize>::deserialize(v)
            }
            fn to_json(&self) -> ::core::option::Option<$crate::serde_json::Value> {
                ::core::option::Option::Some($crate::serde_json::Value::from(self.as_str()))
            }
        }
        impl $crate::glue::Checked for $name {
            fn check(&self, rule: &$crate::glue::Rule) -> ::core::result::Result<(), ::std::string::String> {
                rule.check_str(self.as_str())
            }
            fn is_empty_text(&self) -> bool {
                self.as_str().is_empty()
            }
        }
    };
}
pub use crate::__wire_enum as wire_enum;

/// `Deserialize` of a generated wire enum `name`: a unit variant among `wire`, read as serde's derive
/// reads it (same inputs accepted, same messages).
pub fn wire_variant<'de, D: serde::Deserializer<'de>, T>(
    d: D,
    name: &'static str,
    wire: &'static [&'static str],
    from_wire: fn(&str) -> Option<T>,
) -> Result<T, D::Error> {
    struct Variant<T>(&'static str, &'static [&'static str], fn(&str) -> Option<T>);
    impl<'de, T> serde::de::Visitor<'de> for Variant<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "enum {}", self.0)
        }
        fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
            use serde::de::{Error as _, VariantAccess as _};
            let (text, unit): (std::borrow::Cow<'de, str>, _) = data.variant()?;
            let v = (self.2)(&text).ok_or_else(|| A::Error::unknown_variant(&text, self.1))?;
            unit.unit_variant()?;
            Ok(v)
        }
    }
    d.deserialize_enum(name, wire, Variant(name, wire, from_wire))
}

/// The generated `Client` (payspec's feature `client`): per operation `op(Request) -> Response,
/// "doc";`, or `op(Request) -> Response | Error ["4xx", …], "doc";` with an error shape.
#[cfg(feature = "client")]
#[doc(hidden)]
#[macro_export]
macro_rules! __client {
    (@methods) => {};
    (@methods $op:ident($req:ty) -> $resp:ty | $err:ty [$($http:literal),*], $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        pub async fn $op(
            &self,
            req: &$req,
        ) -> ::core::result::Result<$crate::client::Reply<$crate::client::Answer<$resp, $err>>, $crate::client::CallError> {
            self.0.call_or_error(req, <$resp>::from_json, <$err>::from_json, &[$($http),*]).await
        }
        $crate::__client!(@methods $($rest)*);
    };
    (@methods $op:ident($req:ty) -> $resp:ty, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        pub async fn $op(
            &self,
            req: &$req,
        ) -> ::core::result::Result<$crate::client::Reply<$resp>, $crate::client::CallError> {
            self.0.call(req, <$resp>::from_json).await
        }
        $crate::__client!(@methods $($rest)*);
    };
    ($($entries:tt)*) => {
        /// The provider's async client: one method per operation, each signing the typed request,
        /// sending it and returning the verified, typed answer with its status and the raw exchange
        /// (see `payspec::client`). Cheap to clone.
        #[derive(Clone, Debug)]
        pub struct Client($crate::client::Client<Credentials, Env>);
        impl Client {
            /// A client of `env` (`Env::custom(url)` for a sandbox or a proxy) with default timeouts.
            pub fn new(env: Env, creds: Credentials) -> ::core::result::Result<Self, $crate::client::CallError> {
                Self::with_config(env, creds, ::core::default::Default::default())
            }
            /// A client with `config`'s timeouts, response size limit and clock.
            pub fn with_config(
                env: Env,
                creds: Credentials,
                config: $crate::client::ClientConfig,
            ) -> ::core::result::Result<Self, $crate::client::CallError> {
                $crate::client::Client::new(&DYNAMIC, env, creds, config).map(Client)
            }
            /// The provider-independent client underneath.
            pub fn inner(&self) -> &$crate::client::Client<Credentials, Env> {
                &self.0
            }
            $crate::__client!(@methods $($entries)*);
        }
    };
}
/// Without payspec's feature `client`, no `Client`.
#[cfg(not(feature = "client"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __client {
    ($($t:tt)*) => {};
}
pub use crate::__client as client;

/// What every generated `Env` has, given its `ALL` (spec environments in order, without
/// `Custom`), `NAMES` (their spec names, same order) and `HOSTS` (environment, host, base URL) consts.
#[doc(hidden)]
#[macro_export]
macro_rules! __env_enum {
    ($name:ident) => {
        impl $name {
            /// The environment's name in the spec (`sandbox`, `production`); `custom` for
            /// [`Custom`](Self::Custom).
            pub fn name(self) -> &'static str {
                Self::ALL.iter().position(|e| *e == self).map_or("custom", |i| Self::NAMES[i])
            }
            /// The environment named `name` in the spec.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                Self::ALL.iter().copied().find(|e| e.name() == name)
            }
            /// Every host at `url` instead of the spec's (a sandbox, a proxy): `Env::Custom`.
            pub fn custom(url: &str) -> ::core::result::Result<Self, $crate::BaseUrlError> {
                $crate::BaseUrl::parse(url).map(Self::Custom)
            }
            /// Base URL of `host` (`api` is the default host) in this environment.
            pub fn base_url(self, host: &str) -> ::core::option::Option<&'static str> {
                if let Self::Custom(base) = self {
                    return ::core::option::Option::Some(base.as_str());
                }
                Self::HOSTS.iter().find(|(e, h, _)| *e == self && *h == host).map(|(_, _, url)| *url)
            }
            #[doc(hidden)]
            pub fn __wire(self, h: &str, m: &'static str, p: &'static str) -> $crate::glue::Wired {
                $crate::glue::Wire::new(self.name(), h, self.base_url(h), m, p)
            }
        }
    };
}
pub use crate::__env_enum as env_enum;

impl Checked for String {
    fn check(&self, rule: &Rule) -> Result<(), String> {
        rule.check_str(self)
    }
    fn is_empty_text(&self) -> bool {
        self.is_empty()
    }
}
impl Checked for i64 {
    fn check(&self, rule: &Rule) -> Result<(), String> {
        rule.check_int(*self)
    }
}
impl Checked for bool {
    fn check(&self, rule: &Rule) -> Result<(), String> {
        if rule.pattern.is_some() {
            rule.pattern_on(&self.to_string())?;
        }
        Ok(())
    }
}
impl Checked for rust_decimal::Decimal {
    fn check(&self, rule: &Rule) -> Result<(), String> {
        rule.check_dec(self)
    }
}
impl Checked for crate::Scalar {
    fn check(&self, rule: &Rule) -> Result<(), String> {
        match self {
            crate::Scalar::Text(s) => rule.check_str(s),
            crate::Scalar::Int(i) => rule.check_int(*i),
        }
    }
    fn is_empty_text(&self) -> bool {
        matches!(self, crate::Scalar::Text(t) if t.is_empty())
    }
}

/// The problem of a field filled from a secret credential that does not fit (its value is hidden).
pub const HIDDEN: &str = "the secret credential it defaults to does not fit (value hidden)";

fn missing(target: &str, rule: &Rule) -> SignError {
    input(target, rule.wire, "required but missing")
}

fn checked<T: Checked>(target: &str, rule: &Rule, v: &T, filled: bool) -> Result<(), SignError> {
    v.check(rule).map_err(|p| input(target, rule.wire, if filled && rule.hidden { HIDDEN.to_string() } else { p }))
}

/// A required request field without default: checked, and present.
pub fn required<T: Checked>(target: &str, rule: &Rule, v: Option<T>) -> Result<T, SignError> {
    match v {
        Some(v) => checked(target, rule, &v, false).map(|_| v),
        None => Err(missing(target, rule)),
    }
}

/// An optional request field without default: checked when present (`omit_empty` applied).
pub fn optional<T: Checked>(target: &str, rule: &Rule, v: Option<T>) -> Result<Option<T>, SignError> {
    let v = v.filter(|v| !(rule.omit_empty && v.is_empty_text()));
    if let Some(v) = &v {
        checked(target, rule, v, false)?;
    }
    Ok(v)
}

/// [`optional`] on a borrowed value (signers check the caller's request without copying it).
pub fn present<'a, T: Checked>(target: &str, rule: &Rule, v: Option<&'a T>) -> Result<Option<&'a T>, SignError> {
    let v = v.filter(|v| !(rule.omit_empty && v.is_empty_text()));
    if let Some(v) = v {
        checked(target, rule, v, false)?;
    }
    Ok(v)
}

/// [`required`] on a borrowed value.
pub fn check<T: Checked>(target: &str, rule: &Rule, v: &T) -> Result<(), SignError> {
    checked(target, rule, v, false)
}

/// A request field with a `from:` default: `default` fills it when absent and `fill` is given
/// (signing), then it is checked; when required it must then be present, unless `building`.
pub fn filled<C, T: Checked>(
    target: &str,
    rule: &Rule,
    v: Option<T>,
    fill: Option<(&C, Clock)>,
    building: bool,
    default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
) -> Result<Option<T>, SignError> {
    let mut v = v.filter(|v| !(rule.omit_empty && v.is_empty_text()));
    let mut from_default = false;
    if v.is_none()
        && let Some((c, clock)) = fill
    {
        from_default = true;
        v = default(c, clock)?;
    }
    if let Some(x) = &v {
        checked(target, rule, x, from_default)?;
    }
    if v.is_none() && rule.required && !building {
        return Err(missing(target, rule));
    }
    Ok(v)
}

/// [`filled`] on a borrowed value, for signing: the caller's value, or the default.
pub fn fill_ref<'a, C, T: Checked + Clone>(
    target: &str,
    rule: &Rule,
    v: Option<&'a T>,
    (creds, clock): (&C, Clock),
    default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
) -> Result<Option<Cow<'a, T>>, SignError> {
    let v = v.filter(|v| !(rule.omit_empty && v.is_empty_text()));
    let v = match v {
        Some(v) => {
            checked(target, rule, v, false)?;
            Some(Cow::Borrowed(v))
        }
        None => {
            let d = default(creds, clock)?;
            if let Some(x) = &d {
                checked(target, rule, x, true)?;
            }
            d.map(Cow::Owned)
        }
    };
    if v.is_none() && rule.required {
        return Err(missing(target, rule));
    }
    Ok(v)
}

/// [`fill_ref`] of a `Copy` value (integers, booleans).
pub fn fill_copy<C, T: Checked + Copy>(
    target: &str,
    rule: &Rule,
    v: Option<T>,
    fill: (&C, Clock),
    default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
) -> Result<Option<T>, SignError> {
    Ok(fill_ref(target, rule, v.as_ref(), fill, default)?.map(|v| *v))
}

/// A filled required value (after [`fill_ref`]): present, or "required but missing".
pub fn need<T>(target: &str, rule: &Rule, v: Option<T>) -> Result<T, SignError> {
    v.ok_or_else(|| missing(target, rule))
}

/// The fields of one request being checked: its target, its rules, and what fills `from:`
/// defaults (the credentials and the clock; none while building). Each method is the free function
/// of the same name on rule `i`.
pub struct Fields<'a, C> {
    /// `provider.operation`.
    pub target: &'static str,
    /// The request's rules, in field order.
    pub rules: &'static [Rule],
    fill: Option<(&'a C, Clock)>,
    building: bool,
}

impl<C> Clone for Fields<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C> Copy for Fields<'_, C> {}

impl<'a, C> Fields<'a, C> {
    /// A builder's run (`__run`): defaults filled when `fill` is given; `building` lets required
    /// fields with defaults stay absent.
    pub fn new(target: &'static str, rules: &'static [Rule], fill: Option<(&'a C, Clock)>, building: bool) -> Self {
        Fields { target, rules, fill, building }
    }
    /// A signer's checks: defaults filled from `creds` and `clock`.
    pub fn signing(target: &'static str, rules: &'static [Rule], creds: &'a C, clock: Clock) -> Self {
        Fields { target, rules, fill: Some((creds, clock)), building: false }
    }
    /// [`required`].
    pub fn required<T: Checked>(self, i: usize, v: Option<T>) -> Result<T, SignError> {
        required(self.target, &self.rules[i], v)
    }
    /// [`optional`].
    pub fn optional<T: Checked>(self, i: usize, v: Option<T>) -> Result<Option<T>, SignError> {
        optional(self.target, &self.rules[i], v)
    }
    /// [`filled`].
    pub fn filled<T: Checked>(
        self,
        i: usize,
        v: Option<T>,
        default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
    ) -> Result<Option<T>, SignError> {
        filled(self.target, &self.rules[i], v, self.fill, self.building, default)
    }
    /// [`check`].
    pub fn check<T: Checked>(self, i: usize, v: &T) -> Result<(), SignError> {
        check(self.target, &self.rules[i], v)
    }
    /// [`present`].
    pub fn present<T: Checked>(self, i: usize, v: Option<&T>) -> Result<Option<&T>, SignError> {
        present(self.target, &self.rules[i], v)
    }
    fn creds(self) -> Result<(&'a C, Clock), SignError> {
        self.fill.ok_or_else(|| SignError::Unknown("defaults filled without credentials".into()))
    }
    /// [`fill_ref`].
    pub fn fill_ref<'v, T: Checked + Clone>(
        self,
        i: usize,
        v: Option<&'v T>,
        default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
    ) -> Result<Option<Cow<'v, T>>, SignError> {
        fill_ref(self.target, &self.rules[i], v, self.creds()?, default)
    }
    /// [`fill_copy`].
    pub fn fill_copy<T: Checked + Copy>(
        self,
        i: usize,
        v: Option<T>,
        default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
    ) -> Result<Option<T>, SignError> {
        fill_copy(self.target, &self.rules[i], v, self.creds()?, default)
    }
    /// [`fill_ref`] of a required field, then [`need`].
    pub fn need_ref<'v, T: Checked + Clone>(
        self,
        i: usize,
        v: Option<&'v T>,
        default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
    ) -> Result<Cow<'v, T>, SignError> {
        need(self.target, &self.rules[i], self.fill_ref(i, v, default)?)
    }
    /// [`fill_copy`] of a required field, then [`need`].
    pub fn need_copy<T: Checked + Copy>(
        self,
        i: usize,
        v: Option<T>,
        default: impl FnOnce(&C, Clock) -> Result<Option<T>, SignError>,
    ) -> Result<T, SignError> {
        need(self.target, &self.rules[i], self.fill_copy(i, v, default)?)
    }
}

/// A text default (`from: lit:…`, a text credential) checked as the enum's text: the rule's problem
/// on the field.
pub fn text_default(target: &str, rule: &Rule, v: &str) -> Result<(), SignError> {
    rule.check_str(v).map_err(|p| input(target, rule.wire, p))
}

/// A decimal default given as text: exactly its text, or the problem on the field.
pub fn decimal_default(target: &str, rule: &Rule, v: &str) -> Result<rust_decimal::Decimal, SignError> {
    let n = decimal_text(v).map_err(|p| input(target, rule.wire, p))?;
    n.to_string()
        .parse::<rust_decimal::Decimal>()
        .map_err(|e| input(target, rule.wire, format!("`{}` is out of the numeric range: {e}", echo(v))))
}

/// A default from a secret credential: its problem never echoes the value.
pub fn hide<T>(target: &str, rule: &Rule, r: Result<Option<T>, SignError>) -> Result<Option<T>, SignError> {
    r.map_err(|_| input(target, rule.wire, HIDDEN))
}

/// A default of the wrong type: "expected …, found …" on the field.
pub fn mismatch<T>(target: &str, rule: &Rule, found: String) -> Result<Option<T>, SignError> {
    Err(input(target, rule.wire, format!("expected {}, found {found}", rule.ty.described())))
}

/// A nested object field's check, its problem prefixed with the field (`` `total`: … ``).
pub fn nested<T: Checked>(rule: &Rule, v: Option<&T>) -> Result<(), String> {
    match v {
        Some(v) => v.check(rule).map_err(|p| format!("`{}`: {p}", rule.wire)),
        None => Ok(()),
    }
}

/// `one_of`: exactly one of the fields is present.
pub fn one_of(target: &str, fields: &str, present: &[bool]) -> Result<(), SignError> {
    let n = present.iter().filter(|b| **b).count();
    if n != 1 {
        return Err(input(target, fields, format!("exactly one of these fields is required, found {n}")));
    }
    Ok(())
}

/// `any_of`: at least one of the fields is present.
pub fn any_of(target: &str, fields: &str, present: &[bool]) -> Result<(), SignError> {
    if !present.contains(&true) {
        return Err(input(target, fields, "at least one of these fields is required, found none"));
    }
    Ok(())
}

/// `all_or_none`: every field of `names` or none.
pub fn all_or_none(target: &str, names: &[&str], present: &[bool]) -> Result<(), SignError> {
    let n = present.iter().filter(|b| **b).count();
    if n != 0 && n != names.len() {
        let missing: Vec<&str> = names.iter().zip(present).filter(|(_, p)| !**p).map(|(n, _)| *n).collect();
        return Err(input(target, &missing.join(", "), format!("required together with {}", names.join(", "))));
    }
    Ok(())
}

/// Request fields given as JSON (by wire name) into an operation's builder: unknown fields and
/// inexact decimals refused first (typed parsing would lose the decimal text).
pub fn from_json<B: serde::de::DeserializeOwned>(
    target: &str,
    rules: &[Rule],
    decimals: &[&str],
    input_: &Map<String, Value>,
) -> Result<B, SignError> {
    if let Some(extra) = input_.keys().find(|k| !rules.iter().any(|r| r.wire == k.as_str())) {
        let known: Vec<&str> = rules.iter().map(|r| r.wire).collect();
        return Err(input(target, &echo(extra), format!("unknown field (expected one of: {})", known.join(", "))));
    }
    if let Some((field, problem)) = first_bad_decimal(input_, decimals) {
        return Err(input(target, field, problem));
    }
    serde_json::from_value(Value::Object(input_.clone())).map_err(|e| input(target, "*", echo(&e.to_string())))
}

// ---------------------------------------------------------------------------------------------
// Received payloads

/// The interpreter's check of a received value against `rule`: type, then limits; the value
/// normalised to its wire type.
pub fn check_value(rule: &Rule, v: &Value, lenient: bool) -> Result<Value, String> {
    let v = match (rule.ty, v) {
        (FieldType::String, Value::String(_)) => v.clone(),
        (FieldType::JsonText, Value::String(s)) => {
            serde_json::from_str::<Value>(s).map_err(|e| format!("not JSON text: {e}"))?;
            v.clone()
        }
        (FieldType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => v.clone(),
        (FieldType::Integer, Value::String(s)) if lenient && s.parse::<i64>().is_ok() => v.clone(),
        (FieldType::Decimal, Value::Number(n)) => Value::Number(decimal_text(&n.to_string())?),
        (FieldType::Decimal, Value::String(s)) => Value::Number(decimal_text(s)?),
        (FieldType::Scalar, Value::String(_)) => v.clone(),
        (FieldType::Scalar, Value::Number(n)) if n.is_i64() || n.is_u64() => v.clone(),
        (FieldType::Bool, Value::Bool(_)) => v.clone(),
        (FieldType::Bool, Value::String(s)) if lenient && (s == "true" || s == "false") => v.clone(),
        (FieldType::Object, Value::Object(m)) => {
            let mut out = Map::new();
            for (k, sub) in m {
                let sub = match rule.fields.iter().find(|r| r.wire == k.as_str()) {
                    Some(sd) => check_value(sd, sub, lenient).map_err(|p| format!("`{k}`: {p}"))?,
                    None => sub.clone(),
                };
                out.insert(k.clone(), sub);
            }
            for sd in rule.fields {
                if sd.required && !out.contains_key(sd.wire) {
                    return Err(format!("`{}` is required but missing", sd.wire));
                }
            }
            Value::Object(out)
        }
        (ty, other) => return Err(format!("expected {}, found {}", ty.described(), json_kind(other))),
    };
    if let Value::String(s) = &v {
        let len = s.chars().count();
        if let Some(max) = rule.max_len
            && len > max
        {
            return Err(format!("{len} characters, at most {max} allowed"));
        }
        if let Some(min) = rule.min_len
            && len < min
        {
            return Err(format!("{len} characters, at least {min} required"));
        }
        if !rule.values.is_empty() && !rule.values.contains(&s.as_str()) {
            return Err(format!("`{}` is not one of {}", echo(s), rule.values.join(", ")));
        }
    }
    if rule.pattern.is_some() {
        rule.pattern_on(&render(&v))?;
    }
    let numeric = match &v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if rule.ty == FieldType::Integer => Some(s.clone()),
        _ => None,
    };
    if let (Some(n), true) = (numeric, rule.min.is_some() || rule.max.is_some()) {
        let val = to_decimal(&n)?;
        if let Some(min) = rule.min
            && val < to_decimal(min)?
        {
            return Err(format!("{} is below the minimum {min}", echo(&n)));
        }
        if let Some(max) = rule.max
            && val > to_decimal(max)?
        {
            return Err(format!("{} is above the maximum {max}", echo(&n)));
        }
    }
    Ok(v)
}

/// What [`check_received`] parsed on the way: the JSON-text fields, so that a decode step does not
/// parse them again ([`decode_checked`]).
#[derive(Default)]
pub struct Received(Vec<(&'static str, Value)>);

/// The interpreter's `check_received`: every field of `rules` in order, `VerifyError::Malformed`.
pub fn check_received(
    target: &str,
    rules: &[Rule],
    payload: &Map<String, Value>,
    lenient: bool,
) -> Result<Received, VerifyError> {
    let mut parsed = Received::default();
    for rule in rules {
        match payload.get(rule.wire) {
            None | Some(Value::Null) if rule.required => {
                return Err(malformed(target, rule.wire, "required but missing"));
            }
            None | Some(Value::Null) => {}
            Some(v @ Value::String(s)) if rule.ty == FieldType::JsonText => {
                // Parsed once: the check and the decode step share the value.
                let json = serde_json::from_str::<Value>(s)
                    .map_err(|e| malformed(target, rule.wire, format!("not JSON text: {e}")))?;
                check_value(&Rule { ty: FieldType::String, ..*rule }, v, lenient)
                    .map_err(|p| malformed(target, rule.wire, p))?;
                parsed.0.push((rule.wire, json));
            }
            Some(v) => {
                check_value(rule, v, lenient).map_err(|p| malformed(target, rule.wire, p))?;
            }
        }
    }
    Ok(parsed)
}

/// [`decode`], taking a JSON step's result from what [`check_received`] already parsed.
pub fn decode_checked(
    target: &str,
    payload: &mut Map<String, Value>,
    field: &str,
    steps: &[DecodeStep],
    received: &mut Received,
) -> Result<(), VerifyError> {
    if let [DecodeStep::Json, rest @ ..] = steps
        && let Some(i) = received.0.iter().position(|(wire, _)| *wire == field)
        && payload.contains_key(field)
    {
        let (_, json) = received.0.swap_remove(i);
        payload.insert(field.to_string(), json);
        return decode(target, payload, field, rest);
    }
    decode(target, payload, field, steps)
}

/// The received signature in `field`: a string.
pub fn received_signature(target: &str, payload: &Map<String, Value>, field: &str) -> Result<String, VerifyError> {
    match payload.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(malformed(target, field, format!("signature must be a string, found {}", json_kind(other)))),
        None => Err(malformed(target, field, "signature field missing")),
    }
}

/// Apply decode steps to a received field of `payload` (absent: nothing to do).
pub fn decode(
    target: &str,
    payload: &mut Map<String, Value>,
    field: &str,
    steps: &[DecodeStep],
) -> Result<(), VerifyError> {
    if steps.is_empty() {
        return Ok(());
    }
    let Some(v) = payload.get(field).cloned() else { return Ok(()) };
    let bad = |problem: String| malformed(target, field, problem);
    let v = steps.iter().try_fold(v, |v, step| {
        let text = match v {
            Value::String(s) => s,
            other => return Err(bad(format!("cannot {step:?}-decode {}", json_kind(&other)))),
        };
        match step {
            DecodeStep::Base64 => {
                let bytes = crate::crypto::base64_lenient(&text).ok_or_else(|| bad("not base64".into()))?;
                String::from_utf8(bytes).map(Value::String).map_err(|_| bad("base64 content is not UTF-8 text".into()))
            }
            DecodeStep::Json => serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}"))),
        }
    })?;
    payload.insert(field.to_string(), v);
    Ok(())
}

/// A received field's text for a recipe part: absent or `null` is the Select error at `at`.
pub fn received(payload: &Map<String, Value>, path: &[&str], at: &str) -> Result<String, SignError> {
    received_text(payload, path)
        .ok_or_else(|| stage(at, crate::Stage::Select, format!("`{}` is absent", path.join("."))))
}

/// A received field (when present) holds none of `seps` ([`refuse_separators`] on its text).
pub fn no_separators(
    target: &str,
    payload: &Map<String, Value>,
    path: &[&str],
    seps: &[&str],
) -> Result<(), VerifyError> {
    match received_text(payload, path) {
        Some(t) => refuse_separators(target, &path.join("."), &t, seps),
        None => Ok(()),
    }
}

/// A received field (when present) is at most `width` characters ([`refuse_wider`]).
pub fn no_wider(target: &str, payload: &Map<String, Value>, path: &[&str], width: usize) -> Result<(), VerifyError> {
    match received_text(payload, path) {
        Some(t) => refuse_wider(target, &path.join("."), &t, width),
        None => Ok(()),
    }
}

/// The stages of a verification that passed, sealed with `redactor` (see [`sealed`]).
pub fn verified(
    msg: String,
    digest: Option<Vec<u8>>,
    received: String,
    placed: &'static str,
    redactor: Redactor,
    structural: bool,
) -> Stages {
    sealed(stages("verify", msg, digest, received, placed), redactor, structural)
}

/// The expected signature equals the received one (constant-time), or `BadSignature` at `at`.
pub fn expect_equal(at: &str, expected: &str, received: &str, problem: &str) -> Result<(), VerifyError> {
    if crate::crypto::ct_eq(expected.as_bytes(), received.as_bytes()) {
        Ok(())
    } else {
        Err(bad_signature(at, problem.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------
// Status tables

/// `json` (any value) looked up in `rows` by the dotted paths `fields` (absent or `null`: `None`).
pub fn status_in(json: &Value, rows: &'static [crate::StatusRow], fields: &[&str]) -> crate::StatusMatch {
    status_in_http(json, rows, fields, None)
}

/// The code a status table over `fields` reads from `json`: each dotted path's value as text
/// (absent or `null`: `None`); the `http:status` pseudo-field reads `http` instead.
pub fn status_code(json: &Value, fields: &[&str], http: Option<u16>) -> Vec<Option<String>> {
    fields
        .iter()
        .map(|p| {
            if *p == payspec_model::HTTP_STATUS {
                crate::status::http_text(http)
            } else {
                p.split('.').try_fold(json, |v, seg| v.get(seg)).and_then(crate::status::code_text)
            }
        })
        .collect()
}

/// [`status_in`] with the response's HTTP status for the `http:status` column.
pub fn status_in_http(
    json: &Value,
    rows: &'static [crate::StatusRow],
    fields: &[&str],
    http: Option<u16>,
) -> crate::StatusMatch {
    crate::StatusMatch::lookup(rows, status_code(json, fields, http))
}

/// Whether a table over `fields` reads the body (any field but `http:status`): then the body must
/// be a JSON object; a table over `http:status` alone looks at no body (an HTML error page too).
pub fn reads_body(fields: &[&str]) -> bool {
    fields.iter().any(|f| *f != payspec_model::HTTP_STATUS)
}

/// [`status_of`] with the response's HTTP status for the `http:status` column.
pub fn status_of_http(
    target: &str,
    json: &Value,
    rows: &'static [crate::StatusRow],
    fields: &[&str],
    http: Option<u16>,
) -> Result<crate::StatusMatch, VerifyError> {
    if reads_body(fields) {
        response_object(target, json)?;
    }
    Ok(status_in_http(json, rows, fields, http))
}

/// The rows of an `array: true` response: a JSON array of objects, or `VerifyError::Malformed`
/// on `body` (not an array) or `body[i]` (a row that is not an object).
pub fn response_rows<'v>(target: &str, body: &'v Value) -> Result<&'v [Value], VerifyError> {
    let rows = body.as_array().ok_or_else(|| {
        malformed(target, "body", format!("expected a JSON array of rows, found {}", json_kind(body)))
    })?;
    for (i, row) in rows.iter().enumerate() {
        if !row.is_object() {
            return Err(malformed(
                target,
                &format!("body[{i}]"),
                format!("expected a JSON object, found {}", json_kind(row)),
            ));
        }
    }
    Ok(rows)
}

/// Whether HTTP status `http` (when known) selects an error shape listed as `codes` (`"400"`, `"4xx"`).
pub fn error_selected(http: Option<u16>, codes: &[&str]) -> bool {
    let Some(h) = http else { return false };
    let text = h.to_string();
    codes.iter().any(|c| payspec_model::code_matches(c, Some(&text)))
}

/// A typed `array: true` response parsed from a body: [`response_rows`], each row into `T`
/// (`VerifyError::Malformed` on `body[i]`).
pub fn parse_rows<T: serde::de::DeserializeOwned>(target: &str, body: &Value) -> Result<Vec<T>, VerifyError> {
    response_rows(target, body)?
        .iter()
        .enumerate()
        .map(|(i, row)| T::deserialize(row).map_err(|e| malformed(target, &format!("body[{i}]"), e.to_string())))
        .collect()
}

/// One lookup per row of an `array: true` response body ([`response_rows`]).
pub fn rows_status_of(
    target: &str,
    json: &Value,
    rows: &'static [crate::StatusRow],
    fields: &[&str],
    http: Option<u16>,
) -> Result<Vec<crate::StatusMatch>, VerifyError> {
    Ok(response_rows(target, json)?.iter().map(|r| status_in_http(r, rows, fields, http)).collect())
}

/// The one lookup of a status result; an array response's rows are `VerifyError::Malformed` on
/// `body` (the single-status entry points cannot report one status per row).
pub fn one_status<M>(
    target: &str,
    status: Result<crate::status::ResponseStatus<M>, VerifyError>,
) -> Result<M, VerifyError> {
    match status? {
        crate::status::ResponseStatus::One(m) => Ok(m),
        crate::status::ResponseStatus::Rows(_) => Err(malformed(
            target,
            "body",
            "an `array: true` response has one status per row: use the HTTP-status entry point (`status_http`, `status_of_http`)",
        )),
    }
}

/// `signed_when`: every `(field, values)` condition holds on the received body (the field's code
/// text is one of `values`), or `VerifyError::Unsigned` naming the first that does not.
pub fn signed_when(target: &str, body: &Map<String, Value>, conds: &[(&str, &[&str])]) -> Result<(), VerifyError> {
    for (field, values) in conds {
        let mut path = field.split('.');
        let first = path.next().and_then(|k| body.get(k));
        let got = path.try_fold(first, |v, seg| Some(v?.get(seg))).flatten().and_then(crate::status::code_text);
        if !got.as_deref().is_some_and(|g| values.contains(&g)) {
            let found = match &got {
                Some(g) => format!("`{}`", crate::support::echo(g)),
                None => "absent".to_string(),
            };
            return Err(VerifyError::Unsigned {
                target: target.to_string(),
                reason: format!(
                    "`{field}` is {found}; the signature applies only when it is one of [{}]",
                    values.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// A typed value's status: `code` (one text per table field) looked up in `rows`.
pub fn lookup<const N: usize>(rows: &'static [crate::StatusRow], code: [Option<String>; N]) -> crate::StatusMatch {
    crate::StatusMatch::lookup(rows, code.into())
}

/// A response body's status (`status_of`): a JSON object looked up as [`status_in`], anything else
/// `VerifyError::Malformed` on `body`.
pub fn status_of(
    target: &str,
    json: &Value,
    rows: &'static [crate::StatusRow],
    fields: &[&str],
) -> Result<crate::StatusMatch, VerifyError> {
    status_of_http(target, json, rows, fields, None)
}

/// A typed response parsed from a body (`from_json`): a JSON object, or `VerifyError::Malformed`
/// on `body`.
pub fn parse_response<T: serde::de::DeserializeOwned>(target: &str, body: &Value) -> Result<T, VerifyError> {
    let obj = response_object(target, body)?;
    T::deserialize(Value::Object(obj.clone())).map_err(|e| malformed(target, "body", e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// Read credential `name` of `creds` with `read` (typed from the interpreter's credentials).
pub fn cred<T>(
    creds: &Credentials,
    name: &str,
    read: fn(&str, &CredentialValue) -> Result<T, CredentialError>,
) -> Result<T, CredentialError> {
    match creds.get(name) {
        Some(v) => read(name, v),
        None => Err(CredentialError { name: name.into(), problem: "missing".into() }),
    }
}

/// [`cred`] of an optional credential.
pub fn cred_opt<T>(
    creds: &Credentials,
    name: &str,
    read: fn(&str, &CredentialValue) -> Result<T, CredentialError>,
) -> Result<Option<T>, CredentialError> {
    creds.get(name).map(|v| read(name, v)).transpose()
}

fn not_int(name: &str) -> CredentialError {
    CredentialError { name: name.into(), problem: "expected an integer".into() }
}

/// An integer credential.
pub fn read_int(name: &str, v: &CredentialValue) -> Result<i64, CredentialError> {
    match v {
        CredentialValue::Integer(i) => Ok(*i),
        CredentialValue::SecretInteger(i) => Ok(i.expose()),
        other => other.text().parse::<i64>().map_err(|_| not_int(name)),
    }
}

/// A secret integer credential.
pub fn read_secret_int(name: &str, v: &CredentialValue) -> Result<SecretInteger, CredentialError> {
    match v {
        CredentialValue::SecretInteger(i) => Ok(*i),
        CredentialValue::Integer(i) => Ok(SecretInteger::new(*i)),
        other => other.text().parse::<i64>().map(SecretInteger::new).map_err(|_| not_int(name)),
    }
}

/// A secret text credential.
pub fn read_secret(_: &str, v: &CredentialValue) -> Result<Secret, CredentialError> {
    Ok(match v {
        CredentialValue::Secret(s) => s.clone(),
        other => Secret::new(other.text()),
    })
}

/// A public text credential.
pub fn read_text(_: &str, v: &CredentialValue) -> Result<String, CredentialError> {
    Ok(v.text())
}

// ---------------------------------------------------------------------------------------------
// Signing

/// The canonical string of a `join` message, built in place: parts separated by `sep`, optional
/// parts left out when absent or empty.
pub struct Join {
    /// The string so far.
    pub text: String,
    sep: &'static str,
    any: bool,
}

impl Join {
    /// An empty message joined with `sep`.
    pub fn new(sep: &'static str) -> Self {
        Join { text: String::with_capacity(160), sep, any: false }
    }
    /// Append a part (even when empty).
    pub fn part<T: Display + ?Sized>(&mut self, v: &T) {
        if self.any {
            self.text.push_str(self.sep);
        }
        self.any = true;
        let _ = write!(self.text, "{v}");
    }
    /// Append a part unless it renders empty.
    pub fn skip_empty<T: Display + ?Sized>(&mut self, v: &T) {
        let start = self.text.len();
        let any = self.any;
        self.part(v);
        if self.text.len() == start + if any { self.sep.len() } else { 0 } {
            self.text.truncate(start);
            self.any = any;
        }
    }
    /// Append a text or integer part (even when empty), written straight in (no formatter).
    #[inline]
    pub fn put<T: Text + ?Sized>(&mut self, v: &T) {
        if self.any {
            self.text.push_str(self.sep);
        }
        self.any = true;
        v.put(&mut self.text);
    }
    /// [`put`](Self::put) unless the part is empty.
    #[inline]
    pub fn put_skip_empty<T: Text + ?Sized>(&mut self, v: &T) {
        let start = self.text.len();
        let any = self.any;
        self.put(v);
        if self.text.len() == start + if any { self.sep.len() } else { 0 } {
            self.text.truncate(start);
            self.any = any;
        }
    }
    /// The message.
    pub fn finish(self) -> String {
        self.text
    }
}

/// A message part written into the message without a formatter: text as it is, integers in
/// decimal (exactly what `Display` writes).
pub trait Text {
    /// Append the part's text to `out`.
    fn put(&self, out: &mut String);
}
impl Text for str {
    #[inline]
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl Text for String {
    #[inline]
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl Text for i64 {
    #[inline]
    fn put(&self, out: &mut String) {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        let mut n = self.unsigned_abs();
        loop {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if *self < 0 {
            out.push('-');
        }
        // Only ASCII digits were written.
        out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
    }
}
impl<T: Text + ?Sized> Text for &T {
    #[inline]
    fn put(&self, out: &mut String) {
        (**self).put(out)
    }
}
impl<T: Text + Clone> Text for Cow<'_, T> {
    #[inline]
    fn put(&self, out: &mut String) {
        (**self).put(out)
    }
}

pub use payspec_model::Encoding::{Base64, Base64Url, Hex, HexUpper};

/// HMAC-SHA256 of `msg` under `key` (`crypto::hmac_sha256` on text or bytes).
#[inline]
pub fn hmac_sha256(key: impl AsRef<[u8]>, msg: &str) -> Vec<u8> {
    crate::crypto::hmac_sha256(key.as_ref(), msg.as_bytes())
}

/// HMAC-SHA512 of `msg` under `key`.
#[inline]
pub fn hmac_sha512(key: impl AsRef<[u8]>, msg: &str) -> Vec<u8> {
    crate::crypto::hmac_sha512(key.as_ref(), msg.as_bytes())
}

/// SHA-256 of `msg`.
#[inline]
pub fn sha256(msg: &str) -> Vec<u8> {
    crate::crypto::sha256(msg.as_bytes())
}

/// MD5 of `msg`.
#[inline]
pub fn md5(msg: &str) -> Vec<u8> {
    crate::crypto::md5(msg.as_bytes())
}

/// `bytes` encoded as `enc` (`crypto::encode`).
#[inline]
pub fn encode(enc: payspec_model::Encoding, bytes: impl AsRef<[u8]>) -> String {
    crate::crypto::encode(enc, bytes.as_ref())
}

/// One recipe run's stages (the label and placement are the generated code's literals: not copied).
#[inline]
pub fn stages(
    recipe: &'static str,
    msg: String,
    digest: Option<Vec<u8>>,
    signature: String,
    placed: &'static str,
) -> Stages {
    Stages {
        recipe: Cow::Borrowed(recipe),
        string_to_sign: StringToSign::new(msg),
        digest: digest.map(DigestBytes),
        signature: SignatureValue::new(signature),
        placed: Cow::Borrowed(placed),
    }
}

/// Stages of a verification, sealed with the redactor of `secrets` (see [`Redactor::stage_done`]).
pub fn sealed(mut st: Stages, mut redactor: Redactor, structural: bool) -> Stages {
    redactor.stage_done(&st, structural);
    st.seal(&redactor);
    st
}

/// How a signed request's body is sent.
#[derive(Clone, Copy)]
pub enum BodyKind {
    /// No body.
    None,
    /// The fields as a JSON object.
    Json,
    /// The fields form-encoded.
    Form,
    /// The fields' JSON text as string field `.0` of an outer object (with body-placed signatures).
    Envelope(&'static str),
}

/// A scalar request value as its JSON body value (for [`Wire::opt`]).
pub trait ToJson {
    /// The JSON value.
    fn to_json(self) -> Value;
}
impl ToJson for &String {
    fn to_json(self) -> Value {
        Value::String(self.clone())
    }
}
impl ToJson for &str {
    fn to_json(self) -> Value {
        Value::String(self.to_string())
    }
}
impl ToJson for i64 {
    fn to_json(self) -> Value {
        Value::from(self)
    }
}
impl ToJson for bool {
    fn to_json(self) -> Value {
        Value::Bool(self)
    }
}
impl ToJson for &rust_decimal::Decimal {
    fn to_json(self) -> Value {
        decimal_json(self)
    }
}

/// `b` after `set` (a builder setter in one line).
#[inline(always)]
pub fn with<B>(mut b: B, set: impl FnOnce(&mut B)) -> B {
    set(&mut b);
    b
}

/// A generated request type: its builder, credentials, rules, and the builder's one pass (fill the
/// `from:` defaults when `fill` is given, check, require; `building` lets required fields with
/// defaults stay absent).
pub trait Request: Sized {
    /// The builder.
    type Builder: serde::de::DeserializeOwned;
    /// The generated `Credentials`.
    type Creds: 'static;
    /// The generated `Env`.
    type Env: 'static;
    /// The operation's name in the spec.
    const OP: &'static str;
    /// `provider.operation`.
    const TARGET: &'static str;
    /// The operation's typed signer (`sign_<operation>`).
    const SIGN: Signer<Self>;
    /// The field rules.
    const RULES: &'static [Rule];
    /// Dotted paths of decimal fields (checked as JSON numbers before parsing).
    const DECIMALS: &'static [&'static str] = &[];
    /// The builder's pass.
    fn run(b: Self::Builder, fill: Option<(&Self::Creds, Clock)>, building: bool) -> Result<Self, SignError>;
}

/// The typed signer of request type `R`.
pub type Signer<R> = fn(&R, &<R as Request>::Creds, <R as Request>::Env, Clock) -> Result<SignedRequest, SignError>;

/// `build()` of a generated builder.
pub fn build<R: Request>(b: R::Builder) -> Result<R, SignError> {
    R::run(b, None, true)
}

/// `validate()` of a generated request: its fields (serialised by wire name, as the builder
/// reads them) through the builder's pass.
pub fn validate<R: Request + serde::Serialize>(r: &R) -> Result<(), SignError> {
    let fields = serde_json::to_value(r)
        .and_then(serde_json::from_value::<R::Builder>)
        .map_err(|e| input(R::TARGET, "*", echo(&e.to_string())))?;
    R::run(fields, None, true).map(|_| ())
}

/// `DYNAMIC.sign` of one operation: the request from JSON fields (by wire name), defaults filled,
/// then its signer.
pub fn sign_json<R: Request>(
    (input, creds, env, clock): crate::dynamic::SignArgs<'_, R::Creds, R::Env>,
) -> Result<SignedRequest, SignError> {
    let b: R::Builder = from_json(R::TARGET, R::RULES, R::DECIMALS, input)?;
    (R::SIGN)(&R::run(b, Some((creds, clock)), false)?, creds, env, clock)
}

/// The error for a name `dynamic` does not know (`what`: operation, callback, recipe).
pub fn unknown(what: &str, name: &str, known: &str) -> SignError {
    SignError::Unknown(format!("unknown {what} `{}` (known: {known})", echo(name)))
}

/// The error of `dynamic::verify_response` for an operation without a signed response.
pub fn unsigned_response(op: &str) -> VerifyError {
    SignError::Unknown(format!("operation `{op}` has no signed response")).into()
}

/// `dynamic::*_round_trip`: parse `json` into `T`, serialise it back, and check it parses to the same.
pub fn round_trip<T>(json: &Value) -> Result<Value, String>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let typed: T = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let again: T = serde_json::from_value(back.clone()).map_err(|e| e.to_string())?;
    if again != typed {
        return Err(format!("parse(serialise(x)) != x: {:?} vs {:?}", again, typed));
    }
    Ok(back)
}

/// A typed credential field: its interpreter value and, when secret, what the redactor masks.
pub trait CredentialField {
    /// The value for `payspec::Credentials`.
    fn value(&self) -> CredentialValue;
    /// The secret to mask (`None` for public credentials).
    fn secret_ref(&self) -> Option<crate::SecretRef<'_>> {
        None
    }
}
impl CredentialField for String {
    fn value(&self) -> CredentialValue {
        CredentialValue::Public(self.clone())
    }
}
impl CredentialField for i64 {
    fn value(&self) -> CredentialValue {
        CredentialValue::Integer(*self)
    }
}
impl CredentialField for Secret {
    fn value(&self) -> CredentialValue {
        CredentialValue::Secret(self.clone())
    }
    fn secret_ref(&self) -> Option<crate::SecretRef<'_>> {
        Some(crate::SecretRef::Text(self))
    }
}
impl CredentialField for SecretInteger {
    fn value(&self) -> CredentialValue {
        CredentialValue::SecretInteger(*self)
    }
    fn secret_ref(&self) -> Option<crate::SecretRef<'_>> {
        Some(crate::SecretRef::Integer(self.expose()))
    }
}

/// `to_runtime` of generated credentials: credential `name`, when given.
pub fn put<T: CredentialField>(c: &mut Credentials, name: &str, v: Option<&T>) {
    if let Some(v) = v {
        c.insert(name, v.value());
    }
}

/// `redactor` of generated credentials: the secret to mask.
pub fn secret<T: CredentialField>(v: &T) -> Option<crate::SecretRef<'_>> {
    v.secret_ref()
}

/// RSA-SHA256 signature of `msg` with the private key in `key` (parsed once, kept in the `Secret`).
#[inline]
pub fn rsa_sign(key: &Secret, msg: &str) -> Result<Vec<u8>, crate::crypto::KeyError> {
    crate::crypto::rsa_sha256_sign_secret(key, msg.as_bytes())
}

/// What `Env::__wire` returns: a [`Wire`] or the missing base URL.
pub type Wired = Result<Wire, SignError>;

/// A request being assembled: method, base URL, path, query, headers and body fields.
pub struct Wire {
    method: &'static str,
    base: &'static str,
    /// The path, path fields filled in (the spec's path, not copied, when it has none).
    pub path: Cow<'static, str>,
    /// Query pairs in order.
    pub query: Vec<(&'static str, String)>,
    /// Headers in order.
    pub headers: crate::wire::Headers,
    /// Body fields in order.
    pub body: Map<String, Value>,
    /// The recipe runs so far.
    stages: Vec<Stages>,
    /// Bit `i`: the value of stage `i` is structurally secret.
    structural: u64,
}

impl Wire {
    /// A request to `path` on `host` of environment `env` (`base` is its base URL, if it has one).
    pub fn new(
        env: &str,
        host: &str,
        base: Option<&'static str>,
        method: &'static str,
        path: &'static str,
    ) -> Result<Self, SignError> {
        let Some(base) = base else {
            return Err(SignError::Unknown(format!("environment `{env}` has no URL for host `{host}`")));
        };
        Ok(Wire {
            method,
            base,
            path: Cow::Borrowed(path),
            query: Vec::new(),
            headers: crate::wire::Headers::with_capacity(2),
            body: Map::new(),
            stages: Vec::new(),
            structural: 0,
        })
    }
    /// Fill path field `{field}` (percent-encoded; empty is an error).
    pub fn path_field(&mut self, target: &str, field: &str, value: &str) -> Result<(), SignError> {
        let seg = path_field(target, field, value)?;
        self.path = Cow::Owned(self.path.replace(&format!("{{{field}}}"), &seg));
        Ok(())
    }
    /// A query pair.
    pub fn query(&mut self, key: &'static str, value: String) {
        self.query.push((key, value));
    }
    /// A header (a constant one, or a placed value already checked).
    pub fn header(&mut self, name: &'static str, value: impl Into<String>) {
        self.headers.insert(name.into(), value.into());
    }
    /// A header request field (refused when it cannot be a header value).
    pub fn header_field(&mut self, target: &str, field: &'static str, value: String) -> Result<(), SignError> {
        let v = header_field(target, field, value)?;
        self.headers.insert(field.into(), v);
        Ok(())
    }
    /// A body field.
    pub fn body(&mut self, key: &str, value: Value) {
        self.body.insert(key.to_string(), value);
    }
    /// An optional body field (left out when `None`).
    pub fn opt<T: ToJson>(&mut self, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.body.insert(key.to_string(), v.to_json());
        }
    }
    /// The URL as it stands (base + path + query).
    pub fn url(&self) -> String {
        build_url(self.base, &self.path, &self.query)
    }
    /// The body fields as JSON text (`ctx:payload`).
    pub fn payload(&self) -> String {
        serde_json::to_string(&self.body).unwrap_or_default()
    }
    /// A recipe run's stages (`structural`: its value is secret by construction, see
    /// [`Redactor::stage_done`]).
    pub fn stage(&mut self, st: Stages, structural: bool) {
        self.structural |= u64::from(structural) << self.stages.len().min(63);
        self.stages.push(st);
    }
    /// The signed request: body encoded as `kind`, each stage (see [`Wire::stage`]) recorded in and
    /// sealed with `redactor`. `envelope` lists `(field, stage)` pairs an envelope body carries next
    /// to the payload.
    pub fn finish(mut self, kind: BodyKind, envelope: &[(&str, usize)], mut redactor: Redactor) -> SignedRequest {
        for (i, st) in self.stages.iter().enumerate() {
            redactor.stage_done(st, self.structural >> i.min(63) & 1 == 1);
        }
        let stages = std::mem::take(&mut self.stages);
        let mut content_type = |t: &'static str| self.headers.insert_if_absent("Content-Type", t);
        let body = match kind {
            BodyKind::None => Body::None,
            BodyKind::Json => {
                content_type("application/json");
                Body::Json(Value::Object(std::mem::take(&mut self.body)))
            }
            BodyKind::Form => {
                content_type("application/x-www-form-urlencoded");
                let form: Vec<(&str, String)> = self.body.iter().map(|(k, v)| (k.as_str(), render(v))).collect();
                Body::Form(crate::canon::pairs(form.iter().map(|(k, v)| (*k, v.as_str())), "=", "&", true))
            }
            BodyKind::Envelope(field) => {
                content_type("application/json");
                let mut outer = Map::new();
                outer.insert(field.to_string(), Value::String(self.payload()));
                for (f, i) in envelope {
                    outer.insert(f.to_string(), Value::String(stages[*i].signature.0.clone()));
                }
                Body::Json(Value::Object(outer))
            }
        };
        SignedRequest {
            method: self.method,
            url: self.url(),
            headers: self.headers,
            body,
            stages,
            redactor: Redactor::default(),
        }
        .redacted_by(redactor)
    }
}
