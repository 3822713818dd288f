//! The runtime side of generated code (`payspec::provider!`): what every generated module imports
//! (`prelude`), and the helpers its builders, signers and verifiers call, so that the generated code
//! is thin glue specialised only where that pays (building the canonical string, the digest).
//!
//! Not a stable API: generated code and this module change together.

pub use crate::support::*;

/// The names every generated module imports with `use ::payspec::glue::prelude::*;`: the std
/// prelude items by absolute path (so generated code works under `#![no_implicit_prelude]`), JSON,
/// serde derives and the runtime types signatures mention.
pub mod prelude {
    pub use crate::glue as __g;
    pub use crate::{Clock, SignError, SignedRequest, Stages, VerifyError, Verified};
    pub use ::core::option::Option::{self, None, Some};
    pub use ::core::result::Result::{self, Err, Ok};
    pub use ::serde::{Deserialize, Serialize};
    pub use ::serde_json::{Map, Value};
    pub use ::std::string::{String, ToString};
    pub use ::std::vec::Vec;
    pub use ::std::{format, vec};
    pub use ::core::convert::{From, Into};
    pub use ::core::clone::Clone;
    pub use ::core::default::Default;
}

/// `::payspec::interp::render` for generated code: the one path to change when `render` moves.
pub use crate::interp::render;
