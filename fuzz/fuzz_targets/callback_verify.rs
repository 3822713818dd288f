//! Arbitrary JSON as a received callback of every bundled spec: the interpreter's `verify_callback`
//! and the generated verifier (`payspec_conformance::bundled`) give the same result — the same
//! accept/reject, the same decoded payload and stages, the same error. Input: one flag byte (bit 0:
//! first sign the payload as the provider would, so the accepting path is reached too), then JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payspec_conformance::Path;
use payspec_fuzz::specs;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, json)) = data.split_first() else { return };
    let Ok(Value::Object(payload)) = serde_json::from_slice::<Value>(json) else { return };
    for l in specs() {
        let interp = payspec::Interpreter::new(&l.spec);
        for name in l.spec.callbacks.keys() {
            let payload = match (flags & 1 == 1).then(|| interp.sign_callback(name, &payload, &l.creds)) {
                Some(Ok((signed, _))) => signed,
                _ => payload.clone(),
            };
            let by_interp = interp.verify_callback(name, &payload, &l.creds);
            let by_generated = l.bundled.verify_callback(name, &payload, &l.creds);
            assert_eq!(
                by_interp,
                by_generated,
                "{}.{name}: interpreter vs generated on {}",
                l.spec.provider,
                Value::Object(payload.clone())
            );
        }
    }
});
