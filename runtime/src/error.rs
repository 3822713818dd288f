//! Typed errors. Each names the stage and the field, and where it can, the spec location.

use crate::secret::CredentialError;

/// Signing failed: bad input, a missing or unusable credential, or a stage that could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A request field is missing, of the wrong type or out of its limits.
    #[error("{target}: field `{field}`: {problem}")]
    Input { target: String, field: String, problem: String },
    /// A credential is missing or malformed.
    #[error("{target}: {source}")]
    Credential { target: String, source: CredentialError },
    /// A recipe stage could not run.
    #[error("{at}: {stage} stage: {problem}")]
    Stage { at: String, stage: Stage, problem: String },
    /// The operation, callback, recipe or environment does not exist in the spec.
    #[error("{0}")]
    Unknown(String),
}

/// The stages of a recipe, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Select,
    Canonicalise,
    Digest,
    Encode,
    Place,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Select => "select",
            Stage::Canonicalise => "canonicalise",
            Stage::Digest => "digest",
            Stage::Encode => "encode",
            Stage::Place => "place",
        })
    }
}

/// Verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The payload is not what the spec describes (missing field, wrong type, undecodable).
    #[error("malformed {target}: field `{field}`: {problem}")]
    Malformed { target: String, field: String, problem: String },
    /// The signature does not match.
    #[error("{at}: signature check failed: {problem}")]
    BadSignature { at: String, problem: String },
    /// Computing the expected signature failed (e.g. a missing credential).
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl VerifyError {
    /// True for a signature mismatch (as opposed to malformed input).
    pub fn is_bad_signature(&self) -> bool {
        matches!(self, VerifyError::BadSignature { .. })
    }
}
