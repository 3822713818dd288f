//! Every recorded vector through the interpreter.

use payspec_conformance::{check, load_vectors, Interpreted};
use std::path::Path;

#[test]
fn every_vector_reproduces_through_the_interpreter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let vectors = load_vectors(&root.join("vectors")).expect("vectors load");
    assert!(vectors.len() >= 31, "expected every seed vector, found {}", vectors.len());
    let mut failures = Vec::new();
    for v in &vectors {
        let spec = payspec_spec::load_file(&root.join("specs").join(format!("{}.yaml", v.provider))).expect("spec loads");
        match check(&spec, &Interpreted(&spec), v) {
            Ok(()) => println!("ok   {}", v.id),
            Err(m) => {
                println!("FAIL {m}");
                failures.push(m.to_string());
            }
        }
    }
    assert!(failures.is_empty(), "{} vector(s) failed:\n{}", failures.len(), failures.join("\n"));
}
