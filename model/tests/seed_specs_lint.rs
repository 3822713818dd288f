//! Every shipped spec (and the kitchen-sink test spec) lints clean under every rule, including the
//! verify-recipe rules (depends on a secret, no boundary ambiguity).

use std::path::Path;

#[test]
fn shipped_specs_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths: Vec<_> = std::fs::read_dir(root.join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.push(root.join("runtime/tests/specs/kitchen_sink.yaml"));
    paths.sort();
    let mut problems = String::new();
    for p in &paths {
        if let Err(d) = payspec_model::load_file(p) {
            problems.push_str(&format!("{d}\n"));
        }
    }
    assert!(problems.is_empty(), "{problems}");
}
