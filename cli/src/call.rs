//! `payspec call`: sign a request with the interpreter, send it, read the answer as a generated
//! client does (`payspec::client::read`), and print the exchange, its verification and its outcome.

use crate::{credentials, fail, load, read_object, Failure};
use payspec::client::{self, CallError, Reading};
use payspec::transport::{Transport, TransportConfig};
use payspec::{BaseUrl, Clock, Endpoint, Interpreter, Redactor};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Exit codes of `payspec call` besides 0 (an answer was read, verified where the spec signs it;
/// its outcome is printed). See `payspec call --help`.
pub mod exit {
    /// An answer came back but cannot be trusted or read: bad signature, not the operation's answer.
    pub const BAD_ANSWER: u8 = 1;
    /// Bad input (spec, request, credentials, base URL): nothing was sent.
    pub const BAD_INPUT: u8 = 2;
    /// Nothing reached the provider (connection refused, connect timeout): safe to send again.
    pub const NOT_SENT: u8 = 3;
    /// The provider may have received the request, but no complete answer came back: query the
    /// operation's status before sending it again.
    pub const AMBIGUOUS: u8 = 4;
}

/// What `payspec call` was asked to do.
pub struct Call<'a> {
    pub provider: &'a str,
    pub op: &'a str,
    pub request: &'a Path,
    pub credentials: &'a Path,
    pub env: Option<&'a str>,
    pub base_url: Option<&'a str>,
    pub now: Option<i64>,
    pub timeout: Duration,
}

pub fn call(args: Call<'_>) -> Result<(), Failure> {
    let spec = load(args.provider)?;
    let input = read_object("request", args.request)?;
    let creds = credentials(&spec, args.credentials)?;
    let redactor = Redactor::from_credentials(&creds);
    let endpoint = match (args.base_url, args.env) {
        (Some(url), _) => {
            Endpoint::Base(BaseUrl::parse(url).map_err(|e| fail(exit::BAD_INPUT, format!("--base-url: {e}")))?)
        }
        (None, Some(env)) => Endpoint::Env(env),
        (None, None) => Endpoint::Env(spec.environments.keys().next().map(String::as_str).unwrap_or_default()),
    };
    let clock = match args.now {
        Some(secs) => Clock::try_from_secs(secs).map_err(|e| fail(exit::BAD_INPUT, format!("--now: {e}")))?,
        None => Clock::system(),
    };
    let interp = Interpreter::new(&spec);
    let signed = interp
        .sign(args.op, &input, &creds, endpoint, clock)
        .map_err(|e| fail(exit::BAD_INPUT, redactor.mask_secrets(&e.to_string())))?;
    let config = TransportConfig { request_timeout: args.timeout, ..TransportConfig::default() };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(exit::BAD_INPUT, format!("cannot start the async runtime: {e}")))?;
    let exchange = runtime.block_on(async {
        let transport = Transport::new(config)?;
        transport.send(&signed).await
    });
    let request_json = signed.to_json_masked();
    let exchange = match exchange {
        Ok(x) => x,
        Err(e) => {
            let code = if e.may_have_reached_provider() { exit::AMBIGUOUS } else { exit::NOT_SENT };
            emit!("{}", pretty(&json!({ "request": request_json, "error": e.to_string() })));
            return Err(fail(code, e.to_string()));
        }
    };

    let response = spec.operations.get(args.op).and_then(|o| o.response.as_ref());
    let error_http: Vec<String> =
        response.and_then(|r| r.error.as_ref()).map(|e| e.http.iter().map(|c| c.text()).collect()).unwrap_or_default();
    let error_http: Vec<&str> = error_http.iter().map(String::as_str).collect();
    let verify = |body: &serde_json::Map<String, Value>| interp.verify_response(args.op, body, &creds);
    let reading = Reading {
        verify: response.is_some_and(|r| r.verify.is_some()).then_some(&verify as &dyn Fn(&_) -> _),
        parse: &|json: &Value, _| Ok(json.clone()),
        status: None,
        error_http: &error_http,
    };
    let http = exchange.status;
    let response_json = exchange_json(&exchange);
    match client::read(&format!("{}.{}", spec.provider, args.op), signed, exchange, reading) {
        Ok(reply) => {
            let report = |s: &payspec::interp::StatusReport<'_>| {
                json!({
                    "outcome": s.outcome().map(|o| format!("{o:?}").to_lowercase()),
                    "code": s.code,
                    "name": s.row.and_then(|r| r.name.clone()),
                    "meaning": s.row.map(|r| r.meaning.clone()),
                    "retryable": s.row.is_some_and(|r| r.retryable),
                    "matched": s.matched(),
                })
            };
            let status = match interp.status_http(args.op, Some(http), &reply.response) {
                Ok(Some(payspec::ResponseStatus::One(s))) => report(&s),
                Ok(Some(payspec::ResponseStatus::Rows(rows))) => {
                    json!({ "rows": rows.iter().map(report).collect::<Vec<_>>() })
                }
                Ok(None) => Value::Null,
                Err(e) => json!({ "error": e.to_string() }),
            };
            // A signed response that did not verify is an error above, never printed as unsigned.
            let verification = match (&reply.verified, &reply.unsigned) {
                (Some(_), _) => "verified".to_string(),
                (None, Some(why)) => format!("unsigned: {why}"),
                (None, None) => "unsigned (the spec signs no response of this operation)".to_string(),
            };
            emit!(
                "{}",
                pretty(&json!({
                    "request": request_json,
                    "response": response_json,
                    "verification": verification,
                    "status": status,
                }))
            );
            Ok(())
        }
        Err(e) => {
            let code = match &e {
                CallError::Sign(_) => exit::BAD_INPUT,
                _ => exit::BAD_ANSWER,
            };
            emit!("{}", pretty(&json!({ "request": request_json, "response": response_json, "error": e.to_string() })));
            Err(fail(code, e.to_string()))
        }
    }
}

/// The answer as printed: status, headers and body (JSON when it parses, else masked text).
fn exchange_json(x: &payspec::transport::Exchange) -> Value {
    let masked = x.redactor.mask(&String::from_utf8_lossy(&x.body));
    let body = serde_json::from_str::<Value>(&masked).unwrap_or(Value::String(x.body_excerpt()));
    let headers: Vec<Value> =
        x.headers.iter().map(|(k, v)| json!([k, x.redactor.mask(&String::from_utf8_lossy(v))])).collect();
    json!({ "status": x.status, "reason": x.reason, "headers": headers, "body": body, "elapsed_ms": x.elapsed.as_millis() as u64 })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON values serialize")
}
