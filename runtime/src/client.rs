//! Typed async clients (feature `client`): what every generated `Client` is built on.
//!
//! A call signs the typed request, sends it with [`Transport`], and reads the answer in a fixed
//! order, stopping at the first problem:
//!
//! 1. the body must be JSON, else [`CallError::Http`] (a non-2xx status whose body is not the
//!    operation's answer: a 502 HTML page, an empty 503 — with what a table reading only
//!    `http:status` says about it) or [`CallError::Decode`] (a 2xx body that is empty, truncated or
//!    not JSON);
//! 2. the HTTP status selects the success or the error shape (`response.error` in the spec);
//! 3. a signed response is verified before anything is read from it: a missing or wrong signature is
//!    [`CallError::Signature`]; a body the spec does not sign (`signed_when`, an error shape) is
//!    marked [`Reply::unsigned`], never verified;
//! 4. the typed response is parsed (wrong shape or types: `Decode` / `Http`), and mapped onto the
//!    operation's status tables with the HTTP status (one lookup per row for an array response).
//!
//! The [`Reply`] keeps the typed response, its status, the verification, the signed request and
//! the raw [`Exchange`] for audit. A provider's refusal is an answer, not an error: its outcome is
//! in [`Reply::status`]; [`Reply::accepted`] turns refusals and unmapped codes into errors for
//! callers that only go on with accepted requests.
//!
//! ```no_run
//! payspec::provider!("../specs/hitechpay.yaml");
//! use hitechpay::{Client, Credentials, Env, RefundRequest};
//! use payspec::Secret;
//!
//! # async fn run() -> Result<(), payspec::client::CallError> {
//! let creds = Credentials { app_id: 2553, key1: Secret::new("k1"), key2: Secret::new("k2") };
//! let client = Client::new(Env::Sandbox, creds)?;
//! let req = RefundRequest::builder()
//!     .m_refund_id("240101_2553_1")
//!     .zp_trans_id("240101000000001")
//!     .amount(1000)
//!     .description("refund")
//!     .build()?;
//! let reply = client.refund(&req).await?;
//! println!("{:?} {}", reply.outcome(), reply.exchange.status); // Some(Processing) 200
//! # Ok(())
//! # }
//! ```

use crate::dynamic::Dynamic;
use crate::glue::{self, Request};
use crate::status::ResponseStatus;
use crate::transport::{Exchange, SendError, Transport, TransportConfig};
use crate::{Clock, Outcome, SignError, SignedRequest, StatusMatch, Verified, VerifyError};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// How a [`Client`] sends and signs.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Timeouts and the response size limit.
    pub transport: TransportConfig,
    /// The clock requests are signed with (`from: ctx:now*` defaults, timestamps). Default
    /// [`Clock::system`].
    pub clock: fn() -> Clock,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig { transport: TransportConfig::default(), clock: Clock::system }
    }
}

/// The client of one provider: credentials, environment and transport. Generated `Client`s wrap
/// one; cheap to clone (clones share the connection pool and the credentials).
pub struct Client<C: 'static, E: 'static> {
    module: &'static Dynamic<C, E>,
    transport: Transport,
    creds: Arc<C>,
    env: E,
    clock: fn() -> Clock,
}

impl<C, E: Clone> Clone for Client<C, E> {
    fn clone(&self) -> Self {
        Client {
            module: self.module,
            transport: self.transport.clone(),
            creds: Arc::clone(&self.creds),
            env: self.env.clone(),
            clock: self.clock,
        }
    }
}

impl<C, E: fmt::Debug> fmt::Debug for Client<C, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials.
        f.debug_struct("Client")
            .field("provider", &self.module.provider)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

/// A provider's answer to one call.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    /// The typed response.
    pub response: T,
    /// What the response's code means, when a status table applies: one lookup for an object
    /// body, one per row for an `array: true` response.
    pub status: Option<ResponseStatus<StatusMatch>>,
    /// The response signature's check, when the spec signs this response.
    pub verified: Option<Verified>,
    /// Why the body carries no signature although the operation's responses are signed: the spec
    /// says so for this body (`signed_when`, or an error shape). Its content is unauthenticated.
    pub unsigned: Option<String>,
    /// The request as signed and sent.
    pub request: SignedRequest,
    /// Status line, headers and body bytes as received.
    pub exchange: Exchange,
}

impl<T> Reply<T> {
    /// The single status lookup of an object (or error) body.
    pub fn status_match(&self) -> Option<&StatusMatch> {
        self.status.as_ref().and_then(ResponseStatus::one)
    }

    /// The outcome of the status table's matching row (`None`: no table, an unmapped code, a
    /// diagnostic row, or an array response — see [`status`](Self::status) for its rows).
    pub fn outcome(&self) -> Option<Outcome> {
        self.status_match().and_then(|s| s.outcome)
    }

    /// The reply when the provider took the request: an error when its status table says
    /// `rejected`, or the code is in no row. Operations without a status table, and array
    /// responses (a status per row), pass.
    pub fn accepted(self) -> Result<Self, CallError> {
        match self.status_match() {
            Some(s) if s.outcome == Some(Outcome::Rejected) => {
                Err(CallError::Rejected { status: s.clone(), exchange: Box::new(self.exchange) })
            }
            Some(s) if !s.matched => Err(CallError::Unmapped { status: s.clone(), exchange: Box::new(self.exchange) }),
            _ => Ok(self),
        }
    }
}

/// Why a call gave no [`Reply`] (or [`Reply::accepted`] refused one). Texts are masked: no secret
/// of the request appears, and bodies are quoted as bounded, escaped excerpts.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The request was not signed (a field breaks a rule, a credential is unusable): nothing sent.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The request was not sent, or no complete answer came back; see
    /// [`SendError::may_have_reached_provider`].
    #[error(transparent)]
    Send(#[from] SendError),
    /// A non-2xx status whose body is not the operation's answer (an HTML error page, an empty body).
    /// A status table that reads only `http:status` still says what the status means.
    #[error("{target}: HTTP {} {} and a body that is not its answer ({problem}){}: {}", exchange.status, exchange.reason, status.as_ref().map(|s| format!("; status table: {}", describe(s))).unwrap_or_default(), excerpt(exchange))]
    Http {
        /// `provider.operation`.
        target: String,
        /// Why the body is not the answer.
        problem: String,
        /// The lookup of a table that reads only the HTTP status.
        status: Option<StatusMatch>,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// A 2xx body that is not the operation's answer: empty, truncated, not JSON, the wrong shape or
    /// the wrong types.
    #[error("{target}: the response body (HTTP {}) is not the answer: {problem}: {}", exchange.status, excerpt(exchange))]
    Decode {
        /// `provider.operation`.
        target: String,
        /// What is wrong, naming the field when one is at fault.
        problem: String,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The response's signature is missing or does not match: nothing of the body is trusted.
    #[error("{target}: the response signature does not verify: {source}")]
    Signature {
        /// `provider.operation`.
        target: String,
        /// The verification's error.
        source: VerifyError,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// [`Reply::accepted`]: the provider refused the request.
    #[error("{}: refused by the provider: {}", exchange.url_masked(), describe(status))]
    Rejected {
        /// The code and its row.
        status: StatusMatch,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// [`Reply::accepted`]: the code is in no row of the status table.
    #[error("{}: a code the status table does not map: {}", exchange.url_masked(), describe(status))]
    Unmapped {
        /// The code.
        status: StatusMatch,
        /// The exchange.
        exchange: Box<Exchange>,
    },
}

impl CallError {
    /// The exchange, when an answer came back.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            CallError::Sign(_) | CallError::Send(_) => None,
            CallError::Http { exchange, .. }
            | CallError::Decode { exchange, .. }
            | CallError::Signature { exchange, .. }
            | CallError::Rejected { exchange, .. }
            | CallError::Unmapped { exchange, .. } => Some(exchange),
        }
    }

    /// True when the provider may have acted on the request although no usable answer came back
    /// (an ambiguous send, an unreadable or unverifiable answer): query the status before sending
    /// it again.
    pub fn may_have_reached_provider(&self) -> bool {
        match self {
            CallError::Sign(_) => false,
            CallError::Send(e) => e.may_have_reached_provider(),
            CallError::Http { .. } | CallError::Decode { .. } | CallError::Signature { .. } => true,
            CallError::Rejected { .. } | CallError::Unmapped { .. } => false,
        }
    }
}

fn excerpt(exchange: &Exchange) -> String {
    let body = exchange.body_excerpt();
    if body.is_empty() {
        "(empty body)".into()
    } else {
        format!("{:?}", body)
    }
}

fn describe(status: &StatusMatch) -> String {
    let code: Vec<&str> = status.code.iter().map(|c| c.as_deref().unwrap_or("absent")).collect();
    let mut text = format!("code [{}]", code.join(", "));
    if let Some(outcome) = status.outcome {
        text.push_str(&format!(" {outcome:?}"));
    }
    if let Some(name) = status.name {
        text.push_str(&format!(" {name}"));
    }
    if let Some(meaning) = status.meaning.filter(|m| !m.is_empty()) {
        text.push_str(&format!(": {meaning}"));
    }
    text
}

impl<C, E: Copy> Client<C, E> {
    /// A client of the generated module `module` (its `DYNAMIC` table).
    pub fn new(module: &'static Dynamic<C, E>, env: E, creds: C, config: ClientConfig) -> Result<Self, CallError> {
        Ok(Client {
            module,
            transport: Transport::new(config.transport)?,
            creds: Arc::new(creds),
            env,
            clock: config.clock,
        })
    }

    /// The credentials the client signs with.
    pub fn credentials(&self) -> &C {
        &self.creds
    }

    /// The environment the client sends to.
    pub fn env(&self) -> E {
        self.env
    }

    /// Sign `req`, send it, and read the answer as `T` (see the [module docs](self)).
    pub async fn call<R, T>(&self, req: &R, parse: fn(&Value) -> Result<T, VerifyError>) -> Result<Reply<T>, CallError>
    where
        R: Request<Creds = C, Env = E>,
    {
        self.call_with(req, &|json, _| parse(json), &[]).await
    }

    /// [`call`](Self::call) for an operation with an error shape: an HTTP status among `error_http`
    /// (`"4xx"`, `"400"`) selects it, and the answer is an [`Answer::Error`].
    pub async fn call_or_error<R, T, X>(
        &self,
        req: &R,
        parse: fn(&Value) -> Result<T, VerifyError>,
        parse_error: fn(&Value) -> Result<X, VerifyError>,
        error_http: &[&str],
    ) -> Result<Reply<Answer<T, X>>, CallError>
    where
        R: Request<Creds = C, Env = E>,
    {
        let parse = |json: &Value, error: bool| {
            if error {
                parse_error(json).map(Answer::Error)
            } else {
                parse(json).map(Answer::Success)
            }
        };
        self.call_with(req, &parse, error_http).await
    }

    async fn call_with<R, T>(
        &self,
        req: &R,
        parse: &dyn Fn(&Value, bool) -> Result<T, VerifyError>,
        error_http: &[&str],
    ) -> Result<Reply<T>, CallError>
    where
        R: Request<Creds = C, Env = E>,
    {
        let signed = (R::SIGN)(req, &self.creds, self.env, (self.clock)())?;
        let exchange = self.transport.send(&signed).await?;
        let entry = self.module.op(R::OP);
        let verify = entry.and_then(|o| o.verify_response_fn()).map(|f| move |body: &_| f(body, &self.creds));
        let reading = Reading {
            verify: verify.as_ref().map(|f| f as &dyn Fn(&_) -> _),
            parse,
            status: entry.and_then(|o| o.status_http_fn()),
            error_http,
        };
        read(R::TARGET, signed, exchange, reading)
    }
}

/// A typed answer of an operation with an error shape (`response.error` in the spec).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer<T, X> {
    /// The success shape.
    Success(T),
    /// The error shape, selected by the HTTP status.
    Error(X),
}

/// A response signature check on a body object.
pub type VerifyBody<'a> = dyn Fn(&serde_json::Map<String, Value>) -> Result<Verified, VerifyError> + 'a;

/// How to read one operation's answer: what [`read`] runs on the body.
pub struct Reading<'a, T> {
    /// The response signature check, when the operation's responses are signed.
    pub verify: Option<&'a VerifyBody<'a>>,
    /// The typed parse of the body (`true`: the error shape was selected).
    pub parse: &'a dyn Fn(&Value, bool) -> Result<T, VerifyError>,
    /// The status lookup on the HTTP status and the body, when the operation has tables.
    pub status: Option<crate::dynamic::StatusHttpFn>,
    /// The HTTP statuses (`"4xx"`, `"400"`) that select the error shape.
    pub error_http: &'a [&'a str],
}

/// Read `exchange` as the answer to `request` (target `provider.operation`), as a generated
/// client does (see the [module docs](self)): for callers that pick the operation at run time, such
/// as `payspec call` on the interpreter.
pub fn read<T>(
    target: &str,
    request: SignedRequest,
    exchange: Exchange,
    how: Reading<'_, T>,
) -> Result<Reply<T>, CallError> {
    let http = exchange.status;
    let ok = (200..300).contains(&http);
    let json = match json_body(&exchange.body) {
        Ok(v) => v,
        Err(problem) => {
            // A table that reads only the HTTP status still applies to a body that is not JSON.
            let status =
                how.status.and_then(|f| f(Some(http), &Value::Null).ok().flatten()).and_then(|s| s.one().cloned());
            let (target, exchange) = (target.to_string(), Box::new(exchange));
            return Err(if ok {
                CallError::Decode { target, problem, exchange }
            } else {
                CallError::Http { target, problem, status, exchange }
            });
        }
    };
    let fail = |problem: String, exchange: Exchange| {
        let (target, exchange) = (target.to_string(), Box::new(exchange));
        if ok {
            CallError::Decode { target, problem, exchange }
        } else {
            CallError::Http { target, problem, status: None, exchange }
        }
    };
    let error_shape = glue::error_selected(Some(http), how.error_http);
    let (mut verified, mut unsigned) = (None, None);
    if let Some(verify) = how.verify {
        if error_shape {
            unsigned = Some(format!("HTTP {http} selects the error shape, which the spec does not sign"));
        } else {
            let Some(obj) = json.as_object() else {
                return Err(fail(format!("expected a JSON object, got {}", kind(&json)), exchange));
            };
            match verify(obj) {
                Ok(v) => verified = Some(v),
                Err(VerifyError::Unsigned { reason, .. }) => unsigned = Some(reason),
                Err(source) => {
                    return Err(CallError::Signature { target: target.into(), source, exchange: Box::new(exchange) });
                }
            }
        }
    }
    let response = match (how.parse)(&json, error_shape) {
        Ok(r) => r,
        Err(e) => return Err(fail(problem_of(e), exchange)),
    };
    let status = match how.status.map(|f| f(Some(http), &json)).transpose() {
        Ok(s) => s.flatten(),
        Err(e) => return Err(fail(problem_of(e), exchange)),
    };
    Ok(Reply { response, status, verified, unsigned, request, exchange })
}

/// The body as JSON, or why it is not.
fn json_body(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the body is empty".into());
    }
    serde_json::from_slice(body).map_err(|e| {
        let hint = match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => " (it looks like HTML or XML)",
            _ if e.is_eof() => " (it is truncated)",
            _ => "",
        };
        format!("not JSON{hint}: {e}")
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn problem_of(e: VerifyError) -> String {
    match e {
        VerifyError::Malformed { field, problem, .. } => format!("{field}: {problem}"),
        other => other.to_string(),
    }
}
