//! Sending a [`SignedRequest`] over HTTP and keeping the raw exchange (feature `client`, on by
//! default).
//!
//! [`Transport::send`] puts a signed request on the wire exactly as payspec signed it — method, URL,
//! headers in order, body bytes — and returns the provider's answer as an [`Exchange`] (status line,
//! headers in order, body bytes, elapsed time), whatever its status: a 502 HTML page or an empty 204
//! is an `Ok(Exchange)`, interpreting it is the caller's job. A failure is a [`SendError`] typed by
//! what may have happened at the provider: [`NotSent`](SendError::NotSent) (safe to retry),
//! [`Ambiguous`](SendError::Ambiguous) (the request may have been received: query its status before
//! resubmitting) or [`Invalid`](SendError::Invalid) (the request cannot be sent).
//!
//! HTTP/1.1 over rustls on aws-lc-rs (the RSA backend's crypto library), server certificates checked
//! by the platform verifier. Redirects are never followed (a 3xx comes back as an `Exchange`: a signed
//! request is not replayed elsewhere); proxies from the environment (`HTTPS_PROXY`, `NO_PROXY`, …) are
//! honoured. It needs a tokio runtime.
//!
//! What goes on the wire:
//! - the URL's path and query exactly as [`SignedRequest::url`] has them (a URL the HTTP stack would
//!   re-encode is refused as [`SendError::Invalid`], since the bytes sent would differ from those signed);
//! - each header of [`SignedRequest::headers`], in order, with its value's bytes (names in lower case,
//!   as HTTP/1.1 allows; `host`, `accept: */*` and `content-length` are added after them);
//! - the body: for [`Body::Json`] the compact JSON text `serde_json::to_string` gives (the same text
//!   `ctx:payload` and the envelope are built from), for [`Body::Form`] its text, for [`Body::None`]
//!   nothing.
//!
//! No secret reaches an error or a printed exchange: every text is masked with the request's
//! [`redactor`](SignedRequest::redactor), and errors never carry a header value.
//!
//! ```no_run
//! use payspec::transport::{SendError, Transport, TransportConfig};
//! use std::time::Duration;
//!
//! # async fn run(signed: payspec::SignedRequest) -> Result<(), SendError> {
//! let transport = Transport::new(TransportConfig {
//!     request_timeout: Duration::from_secs(10),
//!     ..TransportConfig::default()
//! })?;
//! match transport.send(&signed).await {
//!     Ok(exchange) => println!("{exchange}"), // status line, headers, body (secrets masked)
//!     Err(e) if e.may_have_reached_provider() => {
//!         // Timeout after the request was written, connection dropped mid-response: query the
//!         // operation's status before submitting again.
//!         eprintln!("{e}");
//!     }
//!     Err(e) => return Err(e), // not sent (safe to retry) or cannot be sent
//! }
//! # Ok(())
//! # }
//! ```

use crate::redact::Redactor;
use crate::wire::{Body, SignedRequest};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::time::{Duration, Instant};

/// How much of a body [`Exchange`]'s `Display` and `Debug` show (bytes of masked, lossy UTF-8).
pub const BODY_EXCERPT: usize = 4096;

/// Timeouts of a [`Transport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportConfig {
    /// Longest wait for the TCP connection and TLS handshake. Default 5 s. Exceeding it is
    /// [`SendError::NotSent`].
    pub connect_timeout: Duration,
    /// Longest wait for the whole exchange, from connecting to the last body byte. Default 30 s.
    /// Exceeding it once the request may have been written is [`SendError::Ambiguous`].
    pub request_timeout: Duration,
    /// Longest response body read, in bytes. Default 1 MiB (refund APIs answer in a few KiB).
    /// A longer body is [`SendError::TooLarge`]; reading stops there.
    pub max_response_bytes: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 1 << 20,
        }
    }
}

/// An HTTP client for signed requests. Cheap to clone (clones share one connection pool).
#[derive(Clone, Debug)]
pub struct Transport {
    client: reqwest::Client,
    config: TransportConfig,
}

/// One request sent and the provider's answer, kept for audit.
///
/// The fields hold the exact values; `Display` and `Debug` show the status line, the headers and the
/// body as lossy UTF-8 (at most [`BODY_EXCERPT`] bytes), with every secret of the request masked as
/// `«name»` (a provider echoing a token or a signed field shows it masked).
#[derive(Clone, PartialEq)]
pub struct Exchange {
    /// The request's method.
    pub method: String,
    /// The request's URL (exact; printed masked).
    pub url: String,
    /// The HTTP version of the answer (`HTTP/1.1`).
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The status code's standard reason phrase (`Bad Gateway`), empty for a code without one. (The
    /// HTTP stack does not keep the reason text the server sent.)
    pub reason: String,
    /// The response headers as received: names in lower case, values' bytes as sent. Distinct names
    /// keep the server's order; repeated values of one name are kept together in their order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The response body's bytes (not decoded, not decompressed).
    pub body: Vec<u8>,
    /// From starting the request to the last body byte.
    pub elapsed: Duration,
    /// What `Display` and `Debug` mask (the request's redactor).
    pub redactor: Redactor,
}

impl Exchange {
    /// The request's method and URL, masked (for messages).
    pub fn url_masked(&self) -> String {
        format!("{} {}", self.method, self.redactor.mask(&self.url))
    }

    /// The first value of the header `name` (any case), when it is UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| std::str::from_utf8(v).ok())
    }

    /// The body as lossy UTF-8, masked, cut after [`BODY_EXCERPT`] bytes (with a note of the rest).
    pub fn body_excerpt(&self) -> String {
        excerpt(&self.redactor, &self.body)
    }

    fn masked_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| (self.redactor.mask(k), self.redactor.mask(&String::from_utf8_lossy(v))))
            .collect()
    }
}

/// Mask first, then cut: a secret straddling the cut is never left half shown.
fn excerpt(redactor: &Redactor, bytes: &[u8]) -> String {
    let masked = redactor.mask(&String::from_utf8_lossy(bytes));
    if masked.len() <= BODY_EXCERPT {
        return masked;
    }
    let mut end = BODY_EXCERPT;
    while !masked.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &masked[..end], masked.len() - end)
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} {}", self.version, self.status, self.reason)?;
        for (k, v) in self.masked_headers() {
            writeln!(f, "{k}: {v}")?;
        }
        writeln!(f)?;
        f.write_str(&self.body_excerpt())
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("method", &self.method)
            .field("url", &self.redactor.mask(&self.url))
            .field("status", &format_args!("{} {} {}", self.version, self.status, self.reason))
            .field("headers", &self.masked_headers())
            .field("body", &self.body_excerpt())
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

/// Why a request produced no [`Exchange`], by what may have happened at the provider.
///
/// Every text is masked with the request's redactor; no variant carries a header value.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Nothing reached the server (connection refused, DNS failure, connect timeout, TLS handshake
    /// failed): safe to send again.
    #[error("{method} {url}: not sent, nothing reached the server: {cause}")]
    NotSent {
        /// The request's method.
        method: String,
        /// The request's URL, masked.
        url: String,
        /// What failed (the HTTP stack's message, masked).
        cause: String,
    },
    /// The request may have been received (timeout after it was written, connection dropped
    /// mid-response, body read failed): query the operation's status before resubmitting.
    #[error("{method} {url}: may have reached the provider{}: {cause}", status.map(|s| format!(" (it answered {s})")).unwrap_or_default())]
    Ambiguous {
        /// The request's method.
        method: String,
        /// The request's URL, masked.
        url: String,
        /// The status code, when the response headers arrived before the failure.
        status: Option<u16>,
        /// What failed (the HTTP stack's message, masked).
        cause: String,
    },
    /// The answer's body is longer than [`TransportConfig::max_response_bytes`]: not read further.
    /// The request was received.
    #[error("{method} {url}: the answer (HTTP {status}) has a body over the limit of {limit} bytes; not read")]
    TooLarge {
        /// The request's method.
        method: String,
        /// The request's URL, masked.
        url: String,
        /// The status code.
        status: u16,
        /// The limit.
        limit: usize,
    },
    /// The request cannot be sent as signed (bad method, URL or header): nothing was attempted.
    #[error("{method} {url}: cannot be sent: {reason}")]
    Invalid {
        /// The request's method (as given).
        method: String,
        /// The request's URL, masked.
        url: String,
        /// What is wrong (names a header, never its value).
        reason: String,
    },
    /// The transport itself could not be built ([`Transport::new`]: TLS set-up).
    #[error("the HTTP transport cannot be built: {cause}")]
    Setup {
        /// The HTTP stack's message.
        cause: String,
    },
}

impl SendError {
    /// True when the provider may have received the request ([`SendError::Ambiguous`]): before
    /// sending it again, query its status.
    pub fn may_have_reached_provider(&self) -> bool {
        matches!(self, SendError::Ambiguous { .. } | SendError::TooLarge { .. })
    }
}

/// The error and its sources, without the URL reqwest puts in its message.
fn cause_text(err: reqwest::Error, redactor: &Redactor) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    redactor.mask(&text)
}

/// The request target (path and query) of `url` as written: what follows the authority.
/// (An empty path is sent as `/`.)
fn written_target(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let target = rest.find(['/', '?', '#']).map_or("", |i| &rest[i..]);
    if target.starts_with('/') {
        target.to_string()
    } else {
        format!("/{target}")
    }
}

impl Transport {
    /// A transport with `config`'s timeouts.
    pub fn new(config: TransportConfig) -> Result<Transport, SendError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SendError::Setup { cause: cause_text(e, &Redactor::default()) })?;
        Ok(Transport { client, config })
    }

    /// The configuration the transport was built with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Send `req` as signed and read the whole answer.
    pub async fn send(&self, req: &SignedRequest) -> Result<Exchange, SendError> {
        let r = &req.redactor;
        let (method_text, url_masked) = (req.method.to_string(), r.mask(&req.url));
        let invalid = |reason: String| SendError::Invalid {
            method: r.mask(&method_text),
            url: url_masked.clone(),
            reason: r.mask(&reason),
        };
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| invalid("the method is not an HTTP method token".into()))?;
        let url = reqwest::Url::parse(&req.url).map_err(|e| invalid(format!("the URL does not parse ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!("the URL's scheme `{}` is not http or https", url.scheme())));
        }
        let sent_target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if sent_target != written_target(&req.url) {
            return Err(invalid(
                "the URL's path or query is not in wire form (it would be sent re-encoded, not as signed)".into(),
            ));
        }
        let mut headers = HeaderMap::with_capacity(req.headers.len());
        for (name, value) in &req.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("header name `{}` is not an HTTP token", name.escape_debug())))?;
            let mut v = HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| invalid(format!("header `{name}` has a value with a byte not allowed in a header")))?;
            if r.mask(value) != *value {
                v.set_sensitive(true);
            }
            headers.append(n, v);
        }
        let body: Option<Vec<u8>> = match &req.body {
            Body::None => None,
            Body::Json(v) => {
                Some(serde_json::to_vec(v).map_err(|e| invalid(format!("the JSON body does not serialise ({e})")))?)
            }
            Body::Form(s) => Some(s.as_bytes().to_vec()),
        };
        let mut builder = self.client.request(method, url).headers(headers);
        if let Some(b) = body {
            builder = builder.body(b);
        }
        let ambiguous = |status: Option<u16>, e: reqwest::Error, limit: Duration| SendError::Ambiguous {
            method: method_text.clone(),
            url: url_masked.clone(),
            status,
            cause: if e.is_timeout() {
                format!("no complete answer within the request timeout ({limit:?}): {}", cause_text(e, r))
            } else {
                cause_text(e, r)
            },
        };
        let start = Instant::now();
        let response = match builder.send().await {
            Ok(resp) => resp,
            Err(e) if e.is_builder() => return Err(invalid(cause_text(e, r))),
            Err(e) if e.is_connect() => {
                return Err(SendError::NotSent {
                    method: method_text.clone(),
                    url: url_masked.clone(),
                    cause: cause_text(e, r),
                });
            }
            Err(e) => return Err(ambiguous(None, e, self.config.request_timeout)),
        };
        let status = response.status();
        let version = format!("{:?}", response.version());
        let resp_headers: Vec<(String, Vec<u8>)> =
            response.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec())).collect();
        let limit = self.config.max_response_bytes;
        let too_large = || SendError::TooLarge {
            method: method_text.clone(),
            url: url_masked.clone(),
            status: status.as_u16(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut response = response;
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| ambiguous(Some(status.as_u16()), e, self.config.request_timeout))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Exchange {
            method: req.method.to_string(),
            url: req.url.clone(),
            version,
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers: resp_headers,
            body,
            elapsed: start.elapsed(),
            redactor: req.redactor.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_target_is_what_follows_the_authority() {
        assert_eq!(written_target("https://h.example/v2/refund?a=1"), "/v2/refund?a=1");
        assert_eq!(written_target("https://h.example"), "/");
        assert_eq!(written_target("http://127.0.0.1:8080?x=%20"), "/?x=%20");
    }

    #[test]
    fn an_excerpt_masks_before_it_cuts() {
        let mut r = Redactor::default();
        let secret = "s3cr3t-token-value";
        r.secret("token", secret);
        let mut body = "x".repeat(BODY_EXCERPT - 5).into_bytes();
        body.extend_from_slice(secret.as_bytes());
        let text = excerpt(&r, &body);
        assert!(!text.contains("s3cr"), "{text}");
        assert!(text.ends_with("more bytes)"), "{text}");
    }
}
