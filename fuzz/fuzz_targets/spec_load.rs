//! Arbitrary bytes as a spec: `payspec_model::load_str` returns a spec or diagnostics, never panics.
//! A spec that loads is also run through the interpreter's status mapping and the linter's
//! rendering of its diagnostics, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match payspec_model::load_str("fuzz.yaml", text) {
        Ok(spec) => {
            let interp = payspec::Interpreter::new(&spec);
            for op in spec.operations.keys() {
                let _ = interp.status(op, &serde_json::json!({}));
            }
        }
        Err(diags) => {
            let _ = diags.to_string();
        }
    }
});
