//! payspec runtime: signing primitives, the recipe interpreter, credentials and the types generated
//! code is built on.

pub mod canon;
pub mod crypto;
pub mod error;
pub mod interp;
pub mod secret;
pub mod wire;

pub use error::{SignError, Stage, VerifyError};
pub use interp::{Clock, Interpreter};
pub use payspec_macros::provider;
pub use payspec_spec as spec;
pub use payspec_spec::Outcome;
pub use secret::{CredentialError, CredentialValue, Credentials, Secret};
pub use wire::{Body, DigestBytes, SignatureValue, SignedRequest, Stages, StringToSign, Verified};
