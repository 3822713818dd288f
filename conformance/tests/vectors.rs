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
