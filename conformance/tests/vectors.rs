//! Every recorded vector through every signing path, each case named in the output. Listed known
//! failures (vectors/<provider>/known-failures.txt) must fail; one that passes fails the run.

use payspec_conformance::check::known_failures;
use payspec_conformance::{check, load_vectors, Interpreted, Path};
use std::path::Path as FsPath;

#[test]
fn every_vector_reproduces_on_every_path() {
    let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let vectors = load_vectors(&root.join("vectors")).expect("vectors load");
    assert!(vectors.len() >= 31, "expected every seed vector, found {}", vectors.len());
    let mut failures = Vec::new();
    for v in &vectors {
        let spec = payspec_spec::load_file(&root.join("specs").join(format!("{}.yaml", v.provider))).expect("spec loads");
        let known = known_failures(&root.join("vectors").join(&v.provider));
        let interp = Interpreted(&spec);
        let paths: Vec<&dyn Path> = vec![&interp];
        for p in paths {
            match (check(&spec, p, v), known.get(&v.id)) {
                (Ok(()), None) => println!("ok   {} [{}]", v.id, p.name()),
                (Err(m), Some(reason)) => println!("ok   {} [{}] known failure ({reason}): stage `{}`", v.id, p.name(), m.stage),
                (Ok(()), Some(reason)) => {
                    println!("FAIL {} [{}]: listed as a known failure ({reason}) but passes", v.id, p.name());
                    failures.push(format!("{}: known failure now passes; remove it from known-failures.txt", v.id));
                }
                (Err(m), None) => {
                    println!("FAIL {m}");
                    failures.push(m.to_string());
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// A deliberately broken recipe stage in a copy of a spec fails with the stage, the case and both values.
#[test]
fn a_broken_stage_is_named_with_both_values() {
    let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("specs/hitechpay.yaml")).unwrap();
    // Break only the `refund` operation: the text up to the next operation.
    let (refund, rest) = text.split_at(text.find("\n  query_refund:").unwrap());
    let vectors = load_vectors(&root.join("vectors")).unwrap();
    let case = vectors.iter().find(|v| v.id == "hitechpay-refund-nofee-2553").unwrap();
    let mac = "5b5f0c4580fd894b78c2a13919db43f71e624a1781757aa0b6dac8e8e287bf01";
    let breakages = [
        // (from, to, stage that must be named, expected value, actual value)
        ("join: \"|\"", "join: \",\"", "string_to_sign", "\"2553|200904000000389|10000|ZaloPay Refund Demo|1599189500000\"", "\"2553,200904000000389,10000,ZaloPay Refund Demo,1599189500000\""),
        ("alg: hmac-sha256", "alg: hmac-sha512", "digest", mac, ""),
        ("encode: hex", "encode: HEX", "signature", mac, "5B5F0C4580FD894B78C2A13919DB43F71E624A1781757AA0B6DAC8E8E287BF01"),
    ];
    for (from, to, stage, expected, actual) in breakages {
        assert_eq!(refund.matches(from).count(), 1, "{from}");
        let broken = payspec_spec::load_str("hitechpay-broken.yaml", &format!("{}{rest}", refund.replacen(from, to, 1))).unwrap();
        let m = check(&broken, &Interpreted(&broken), case).unwrap_err();
        let shown = m.to_string();
        assert_eq!((m.case.as_str(), m.stage.as_str()), ("hitechpay-refund-nofee-2553", stage), "{shown}");
        assert!(shown.contains(&format!("stage `{stage}` differs")), "{shown}");
        assert!(shown.contains(expected) && shown.contains(actual), "{shown}");
    }
}
