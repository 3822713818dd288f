//! Generated code of the specs in `specs/`, compiled into this crate (see `build.rs`), as a [`Path`].

use crate::Path;
use payspec::{Clock, Credentials, SignError, SignedRequest, Stages, StatusMatch, Verified, VerifyError};
use serde_json::{Map, Value};

type Fields = Map<String, Value>;
type RecipeResult = Result<(Stages, String), SignError>;
type RoundTrip = fn(&str, &Value) -> Option<Result<Value, String>>;
type Status = fn(&str, &Value) -> Result<Option<StatusMatch>, VerifyError>;

/// One spec's generated functions, by name, on JSON values.
pub struct Bundled {
    /// The spec's `provider:`.
    pub provider: &'static str,
    /// The spec text the code was generated from.
    pub spec_text: &'static str,
    /// [`Path::sign`] through the generated typed request builder and signer.
    pub sign: fn(&str, &Fields, &Credentials, &str, Clock) -> Result<SignedRequest, SignError>,
    /// [`Path::verify_callback`] through the generated callback verifier.
    pub verify_callback: fn(&str, &Fields, &Credentials) -> Result<Verified, VerifyError>,
    /// [`Path::verify_response`] through the generated response verifier.
    pub verify_response: fn(&str, &Fields, &Credentials) -> Result<Verified, VerifyError>,
    /// [`Path::recipe`] through the generated shared-recipe function.
    pub run_recipe: fn(&str, &Credentials, Clock) -> RecipeResult,
    /// JSON → typed request of an operation → JSON.
    pub request_round_trip: RoundTrip,
    /// JSON → typed response of an operation → JSON.
    pub response_round_trip: RoundTrip,
    /// A raw response body of an operation onto its status table, as
    /// [`Interpreter::status`](payspec::Interpreter::status) (`None`: no status table).
    pub status: Status,
    /// The same through the typed response (`None` also when the body does not parse).
    pub typed_status: Status,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The generated code for a spec, when it was compiled from exactly this text (a modified copy of a
/// bundled spec has no generated code: only the interpreter can run it).
pub fn generated_for(provider: &str, spec_text: &str) -> Option<&'static Bundled> {
    BUNDLED.iter().find(|b| b.provider == provider && b.spec_text == spec_text)
}

impl Path for Bundled {
    fn name(&self) -> &str {
        "generated"
    }
    fn sign(
        &self,
        op: &str,
        input: &Fields,
        creds: &Credentials,
        env: &str,
        clock: Clock,
    ) -> Result<SignedRequest, SignError> {
        (self.sign)(op, input, creds, env, clock)
    }
    fn verify_callback(&self, name: &str, payload: &Fields, creds: &Credentials) -> Result<Verified, VerifyError> {
        (self.verify_callback)(name, payload, creds)
    }
    fn verify_response(&self, op: &str, body: &Fields, creds: &Credentials) -> Result<Verified, VerifyError> {
        (self.verify_response)(op, body, creds)
    }
    fn recipe(&self, name: &str, creds: &Credentials, clock: Clock) -> Result<(Stages, String), SignError> {
        (self.run_recipe)(name, creds, clock)
    }
    fn round_trip(&self, response: bool, op: &str, json: &Value) -> Option<Result<Value, String>> {
        if response {
            (self.response_round_trip)(op, json)
        } else {
            (self.request_round_trip)(op, json)
        }
    }
}
