//! What the fuzz targets share: every bundled spec, loaded once, with its generated code and dummy
//! credentials.

use payspec_conformance::bundled::{Bundled, BUNDLED};
use payspec_conformance::check::dummy_credentials;
use std::sync::OnceLock;

/// One bundled spec as the targets use it.
pub struct Loaded {
    /// The spec, loaded under the name `provider!` used.
    pub spec: payspec_model::Spec,
    /// Its generated code.
    pub bundled: &'static Bundled,
    /// Dummy credentials of the right types (RSA from the throwaway test pair).
    pub creds: payspec::Credentials,
}

/// Every bundled spec, loaded on first use.
pub fn specs() -> &'static [Loaded] {
    static SPECS: OnceLock<Vec<Loaded>> = OnceLock::new();
    SPECS.get_or_init(|| {
        BUNDLED
            .iter()
            .map(|b| {
                // Named as `provider!` named it (the canonical path), so error locations compare equal.
                let file =
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../specs/{}.yaml", b.provider));
                let name = std::fs::canonicalize(&file).map_or(b.provider.to_string(), |p| p.display().to_string());
                let spec = payspec_model::load_str(&name, b.spec_text).expect("bundled specs load");
                let creds = dummy_credentials(&spec);
                Loaded { spec, bundled: b, creds }
            })
            .collect()
    })
}
