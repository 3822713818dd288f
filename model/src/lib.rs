//! The payspec spec language: model, loading with source positions, validation.
//!
//! ```
//! let spec = payspec_model::load_str("specs/x.yaml", "provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: { key: { secret: true } }\noperations: {}\n").unwrap();
//! assert_eq!(spec.provider, "x");
//! ```

#![deny(missing_docs)]

pub mod canonical;
mod diag;
mod load;
pub mod model;
mod positions;
mod secrets;
mod validate;

pub use diag::{Diagnostic, Diagnostics};
pub use load::{load_file, load_str, read_spec_file, MAX_ERRORS, MAX_SPEC_BYTES};
pub use model::*;
pub use secrets::sensitive_paths;
