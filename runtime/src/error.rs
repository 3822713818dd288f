//! Typed errors. Each names the stage and the field, and where it can, the spec location.

use crate::secret::CredentialError;

/// Signing failed: bad input, a missing or unusable credential, or a stage that could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A request field is missing, of the wrong type or out of its limits.
    #[error("{target}: field `{field}`: {problem}")]
    Input {
        /// What was being signed: `<provider>.<operation>`.
        target: String,
        /// Wire name of the field.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A credential is missing or malformed.
    #[error("{target}: {source}")]
    Credential {
        /// What needed it: `<provider>.<operation>`, or the spec location of the recipe that reads it.
        target: String,
        /// Which credential, and what is wrong with it.
        source: CredentialError,
    },
    /// A recipe stage could not run.
    #[error("{at}: {stage} stage: {problem}")]
    Stage {
        /// Spec location of the recipe (`file:line:col: operations.refund.sign`, see
        /// [`Spec::locate`](payspec_model::Spec::locate)).
        at: String,
        /// The stage that failed.
        stage: Stage,
        /// What went wrong.
        problem: String,
    },
    /// The operation, callback, recipe or environment does not exist in the spec.
    #[error("{0}")]
    Unknown(String),
}

/// The stages of a recipe, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the recipe's items: a field, credential or context value that is absent or unusable.
    Select,
    /// Hashing, MAC or RSA signing: a missing or unusable key.
    Digest,
    /// Turning the digest into text (`encode:`).
    Encode,
    /// Putting the value where it goes: header templates.
    Place,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Select => "select",
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
    Malformed {
        /// What was received: `<provider>.<callback>`, `<provider>.<operation> response` or
        /// `<provider>.<operation> request`.
        target: String,
        /// Wire name of the field (for a request also `method`, `url` or `body`).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The signature does not match.
    #[error("{at}: signature check failed: {problem}")]
    BadSignature {
        /// Spec location of the recipe the signature was checked with.
        at: String,
        /// Which check failed, naming the signature field.
        problem: String,
    },
    /// The spec says this body carries no signature (its `signed_when` condition does not hold, e.g.
    /// an error body): nothing was verified, and the body must not be trusted as signed.
    #[error("{target} is unsigned by the spec: {reason}; nothing was verified")]
    Unsigned {
        /// `<provider>.<operation> response`.
        target: String,
        /// Which `signed_when` condition does not hold (field and the values it is signed for).
        reason: String,
    },
    /// Computing the expected signature failed (e.g. a missing credential).
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl VerifyError {
    /// True for a signature mismatch (as opposed to malformed input).
    pub fn is_bad_signature(&self) -> bool {
        matches!(self, VerifyError::BadSignature { .. })
    }

    /// True when the body is unsigned by the spec (`signed_when` does not hold): not verified, and
    /// not a bad signature either.
    pub fn is_unsigned(&self) -> bool {
        matches!(self, VerifyError::Unsigned { .. })
    }
}
