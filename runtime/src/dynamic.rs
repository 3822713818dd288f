//! A generated module's functions by name, on JSON values: the same calls as
//! [`Interpreter`](crate::interp::Interpreter), for conformance tests and tools that pick the
//! operation at run time. Every generated module has one, `DYNAMIC`; the table is generated, the
//! dispatch lives here.
//!
//! ```
//! payspec::provider!("../specs/hitechpay.yaml");
//! use hitechpay::{Credentials, Env, DYNAMIC};
//! use payspec::{Clock, Secret};
//!
//! let creds = Credentials { app_id: 2553, key1: Secret::new("k1"), key2: Secret::new("k2") };
//! let input = serde_json::json!({
//!     "m_refund_id": "240101_2553_1", "zp_trans_id": "240101000000001",
//!     "amount": 1000, "description": "refund",
//! });
//! let signed = DYNAMIC.sign("refund", input.as_object().unwrap(), &creds, Env::Sandbox, Clock::from_secs(1_700_000_000))?;
//! assert_eq!(signed.url, "https://sb-openapi.hitechpay.vn/v2/refund");
//! assert!(DYNAMIC.sign("nope", &Default::default(), &creds, Env::Sandbox, Clock::from_secs(0)).is_err());
//! # Ok::<(), payspec::SignError>(())
//! ```

use crate::glue::{self, Request};
use crate::status::ResponseStatus;
use crate::{Clock, SignError, SignedRequest, Stages, StatusMatch, Verified, VerifyError};
use serde_json::{Map, Value};

/// Request fields by wire name, credentials, environment and clock.
pub type SignArgs<'a, C, E> = (&'a Map<String, Value>, &'a C, E, Clock);
type RoundTrip = fn(&Value) -> Result<Value, String>;
/// A status lookup on an HTTP status and a raw body (`Ok(None)`: no table applies).
pub type StatusHttpFn = fn(Option<u16>, &Value) -> Result<Option<ResponseStatus<StatusMatch>>, VerifyError>;
type TypedStatusFn = fn(&Value) -> Result<ResponseStatus<StatusMatch>, VerifyError>;
/// A response or callback signature check.
pub type VerifyFn<C> = fn(&Map<String, Value>, &C) -> Result<Verified, VerifyError>;

/// One operation of a generated module (built with [`Op::new`] and the `const` methods).
pub struct Op<C: 'static, E: 'static> {
    name: &'static str,
    sign: fn(SignArgs<'_, C, E>) -> Result<SignedRequest, SignError>,
    request_round_trip: RoundTrip,
    response_round_trip: Option<RoundTrip>,
    verify_response: Option<VerifyFn<C>>,
    status_http: Option<StatusHttpFn>,
    typed_status: Option<TypedStatusFn>,
}

impl<C, E> Op<C, E> {
    /// The operation of request type `R` (its name and typed signer are `R`'s).
    pub const fn new<R>() -> Self
    where
        R: Request<Creds = C, Env = E> + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        Op {
            name: R::OP,
            sign: glue::sign_json::<R>,
            request_round_trip: glue::round_trip::<R>,
            response_round_trip: None,
            verify_response: None,
            status_http: None,
            typed_status: None,
        }
    }
    /// The operation's typed response `T`.
    pub const fn response<T>(mut self) -> Self
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        self.response_round_trip = Some(glue::round_trip::<T>);
        self
    }
    /// Its status tables on a raw body with the HTTP status (`<Op>Response::status_of_http`).
    pub const fn status_http(mut self, raw: StatusHttpFn) -> Self {
        self.status_http = Some(raw);
        self
    }
    /// Its success status table through the typed response.
    pub const fn typed_status(mut self, typed: TypedStatusFn) -> Self {
        self.typed_status = Some(typed);
        self
    }
    /// Its response signature check.
    pub const fn verify_response(mut self, verify: VerifyFn<C>) -> Self {
        self.verify_response = Some(verify);
        self
    }
}

/// A shared recipe run on its own: its stages and the value it places.
pub type RecipeFn<C> = fn(&C, Clock) -> Result<(Stages, String), SignError>;

/// Every operation, callback and shared recipe of a generated module, by name.
pub struct Dynamic<C: 'static, E: 'static> {
    /// The provider's machine name (for error targets: `<provider>.<operation> response`).
    pub provider: &'static str,
    /// The operations, in spec order.
    pub ops: &'static [Op<C, E>],
    /// The callbacks and their verifiers, in spec order.
    pub callbacks: &'static [(&'static str, VerifyFn<C>)],
    /// The shared recipes, in spec order.
    pub recipes: &'static [(&'static str, RecipeFn<C>)],
}

/// The error for a name the module does not know (`what`: operation, callback, recipe).
fn unknown<'a>(what: &str, name: &str, names: impl Iterator<Item = &'a str>) -> SignError {
    let names: Vec<&str> = names.collect();
    let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
    glue::unknown(what, name, &known)
}

impl<C, E> Op<C, E> {
    /// The operation's name in the spec.
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// Its response signature check, when its responses are signed.
    pub fn verify_response_fn(&self) -> Option<VerifyFn<C>> {
        self.verify_response
    }
    /// Its status tables on an HTTP status and a raw body, when it has any.
    pub fn status_http_fn(&self) -> Option<StatusHttpFn> {
        self.status_http
    }
}

impl<C, E> Dynamic<C, E> {
    /// The operation named `name`.
    pub fn op(&self, name: &str) -> Option<&Op<C, E>> {
        self.ops.iter().find(|o| o.name == name)
    }

    /// Sign operation `op` on request fields given as JSON (by wire name).
    pub fn sign(
        &self,
        op: &str,
        input: &Map<String, Value>,
        creds: &C,
        env: E,
        clock: Clock,
    ) -> Result<SignedRequest, SignError> {
        match self.op(op) {
            Some(o) => (o.sign)((input, creds, env, clock)),
            None => Err(unknown("operation", op, self.ops.iter().map(|o| o.name))),
        }
    }

    /// Verify callback `name` on a received payload.
    pub fn verify_callback(
        &self,
        name: &str,
        payload: &Map<String, Value>,
        creds: &C,
    ) -> Result<Verified, VerifyError> {
        match self.callbacks.iter().find(|(n, _)| *n == name) {
            Some((_, verify)) => verify(payload, creds),
            None => Err(unknown("callback", name, self.callbacks.iter().map(|(n, _)| *n)).into()),
        }
    }

    /// Verify the signature on a response of operation `op`.
    pub fn verify_response(&self, op: &str, body: &Map<String, Value>, creds: &C) -> Result<Verified, VerifyError> {
        match self.op(op).and_then(|o| o.verify_response) {
            Some(verify) => verify(body, creds),
            None => Err(glue::unsigned_response(op)),
        }
    }

    /// Map a response body of operation `op` onto its status table; `Ok(None)` when it has none,
    /// an error when the body is not a JSON object (as `payspec::Interpreter::status`).
    pub fn status(&self, op: &str, json: &Value) -> Result<Option<StatusMatch>, VerifyError> {
        let target = self.response_target(op);
        self.status_http(op, None, json)?.map(|s| glue::one_status(&target, Ok(s))).transpose()
    }

    /// Map a response body of operation `op` received with HTTP status `http_status` (`None`:
    /// unknown) onto its status table(s), as `payspec::Interpreter::status_http`: an error status
    /// selects the error shape, an array response gives one lookup per row. `Ok(None)`: the
    /// selected shape has no table (or there is no such operation).
    pub fn status_http(
        &self,
        op: &str,
        http_status: Option<u16>,
        json: &Value,
    ) -> Result<Option<ResponseStatus<StatusMatch>>, VerifyError> {
        match self.op(op).and_then(|o| o.status_http) {
            Some(f) => f(http_status, json),
            None => Ok(None),
        }
    }

    /// Like [`status`](Self::status), through the typed response (an error also when the body
    /// does not parse into it).
    pub fn typed_status(&self, op: &str, json: &Value) -> Result<Option<StatusMatch>, VerifyError> {
        let target = self.response_target(op);
        self.typed_rows_status(op, json)?.map(|s| glue::one_status(&target, Ok(s))).transpose()
    }

    /// Like [`typed_status`](Self::typed_status), for any response shape (an array response: one
    /// lookup per row).
    pub fn typed_rows_status(
        &self,
        op: &str,
        json: &Value,
    ) -> Result<Option<ResponseStatus<StatusMatch>>, VerifyError> {
        self.op(op).and_then(|o| o.typed_status).map(|typed| typed(json)).transpose()
    }

    /// `<provider>.<op> response`, for errors (as the interpreter names it).
    fn response_target(&self, op: &str) -> String {
        format!("{}.{op} response", self.provider)
    }

    /// Parse request fields of `op` into the typed request and serialise them back (`None`: no
    /// such operation).
    pub fn request_round_trip(&self, op: &str, json: &Value) -> Option<Result<Value, String>> {
        self.op(op).map(|o| (o.request_round_trip)(json))
    }

    /// Parse a response body of `op` into the typed response and serialise it back (`None`: no
    /// such operation or no response fields).
    pub fn response_round_trip(&self, op: &str, json: &Value) -> Option<Result<Value, String>> {
        self.op(op).and_then(|o| o.response_round_trip).map(|rt| rt(json))
    }

    /// Run shared recipe `name` on its own.
    pub fn run_recipe(&self, name: &str, creds: &C, clock: Clock) -> Result<(Stages, String), SignError> {
        match self.recipes.iter().find(|(n, _)| *n == name) {
            Some((_, run)) => run(creds, clock),
            None => Err(unknown("recipe", name, self.recipes.iter().map(|(n, _)| *n))),
        }
    }
}
