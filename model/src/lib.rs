//! The payspec spec language: model, loading with source positions, validation.
//!
//! Feature `load` (default) adds loading, validation and [`canonical`]; without it the crate is the
//! model types alone, which is what generated code needs.
//!
//! ```
//! let spec = payspec_model::load_str("specs/x.yaml", "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\noperations: {}\n").unwrap();
//! assert_eq!(spec.provider, "x");
//! ```

#![deny(missing_docs)]

#[cfg(feature = "load")]
pub mod canonical;
mod diag;
#[cfg(feature = "load")]
mod load;
pub mod model;
#[cfg(feature = "load")]
mod positions;
mod secrets;
#[cfg(feature = "load")]
mod validate;

pub use diag::{Diagnostic, Diagnostics};
#[cfg(feature = "load")]
pub use load::{load_file, load_str, read_spec_file, MAX_ERRORS, MAX_SPEC_BYTES};
pub use model::*;
pub use secrets::sensitive_paths;
