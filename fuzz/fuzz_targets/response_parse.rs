//! Arbitrary JSON as a response body of every operation of every bundled spec: the interpreter and
//! the generated code agree on the signature check (`verify_response`, where the response is
//! signed) and on the status (`Interpreter::status` vs the generated raw status and, when the body
//! parses into the typed response, the typed status); the typed round trip never panics. Input:
//! one flag byte (bit 0: first sign the body as the provider would), then JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payspec_conformance::Path;
use payspec_fuzz::specs;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, json)) = data.split_first() else { return };
    let Ok(body) = serde_json::from_slice::<Value>(json) else { return };
    for l in specs() {
        let interp = payspec::Interpreter::new(&l.spec);
        for (op, def) in &l.spec.operations {
            let Some(resp) = def.response.as_ref() else { continue };
            let mut json = body.clone();
            if let Value::Object(map) = &body {
                if resp.verify.is_some() {
                    let map = match (flags & 1 == 1).then(|| interp.sign_response(op, map, &l.creds)) {
                        Some(Ok((signed, _))) => signed,
                        _ => map.clone(),
                    };
                    let by_interp = interp.verify_response(op, &map, &l.creds);
                    let by_generated = l.bundled.verify_response(op, &map, &l.creds);
                    assert_eq!(
                        by_interp, by_generated,
                        "{}.{op} response: interpreter vs generated on {json}",
                        l.spec.provider
                    );
                    json = Value::Object(map);
                }
            }
            let _ = l.bundled.round_trip(true, op, &json);
            match (interp.status(op, &json), (l.bundled.status)(op, &json)) {
                (Ok(None), Ok(None)) => {}
                (Ok(Some(report)), Ok(Some(raw))) => {
                    let at = format!("{}.{op} status of {json}", l.spec.provider);
                    assert_eq!(raw.code, report.code, "{at}");
                    assert_eq!(raw.outcome, report.outcome(), "{at}");
                    assert_eq!(raw.name, report.row.and_then(|r| r.name.as_deref()), "{at}");
                    assert_eq!(raw.meaning, report.row.map(|r| r.meaning.as_str()), "{at}");
                    assert_eq!(raw.retryable, report.row.is_some_and(|r| r.retryable), "{at}");
                    if let Ok(Some(typed)) = (l.bundled.typed_status)(op, &json) {
                        assert_eq!(typed, raw, "typed vs raw {at}");
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{}.{op}: status errors differ on {json}", l.spec.provider),
                (a, b) => {
                    panic!(
                        "{}.{op}: interpreter status {:?} vs generated {:?}",
                        l.spec.provider,
                        a.map(|r| r.map(|r| r.code)),
                        b
                    )
                }
            }
        }
    }
});
