//! payspec runtime: signing primitives, the recipe interpreter, credentials and the types generated
//! code is built on.
//!
//! Feature `interpreter` (default) adds [`Interpreter`](crate::interp::Interpreter) and spec loading
//! (`payspec::model::load_str`, through `payspec-model/load`). Generated code (`payspec::provider!`)
//! needs neither: with `default-features = false` a crate compiles no YAML parser and no interpreter.
//!
//! Feature `client` (default) adds [`transport`]: sending a [`SignedRequest`] over
//! HTTP (reqwest, rustls on aws-lc-rs, tokio) and keeping the raw [`Exchange`](crate::transport::Exchange).

#![deny(missing_docs)]

pub mod canon;
#[cfg(feature = "client")]
pub mod client;
pub mod clock;
pub mod crypto;
pub mod dynamic;
pub mod endpoint;
pub mod error;
#[doc(hidden)]
pub mod glue;
#[cfg(feature = "interpreter")]
pub mod interp;
pub mod redact;
pub mod scalar;
pub mod secret;
pub mod status;
#[doc(hidden)]
pub mod support;
#[cfg(feature = "client")]
pub mod transport;
pub mod wire;

pub use clock::{Clock, ClockRangeError};
pub use endpoint::{BaseUrl, BaseUrlError, Endpoint};
pub use error::{SignError, Stage, VerifyError};
#[cfg(feature = "interpreter")]
pub use interp::Interpreter;
pub use payspec_macros::provider;
pub use payspec_model as model;
pub use payspec_model::Outcome;
pub use redact::{Redactor, SecretRef};
pub use scalar::Scalar;
pub use secret::{CredentialError, CredentialValue, Credentials, Secret, SecretInteger};
pub use status::{ResponseStatus, StatusMatch, StatusRow};
pub use wire::{Body, DigestBytes, Headers, SignatureValue, SignedRequest, Stages, StringToSign, Verified};

// Re-exports for generated code (`payspec::provider!`), so callers need no extra dependencies.
pub use indexmap;
pub use percent_encoding;
pub use regex;
pub use rust_decimal;
pub use serde;
pub use serde_json;
