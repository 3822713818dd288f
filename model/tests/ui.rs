//! UI tests for malformed specs: every `tests/ui/<case>.yaml` is loaded and its diagnostics, one per
//! line exactly as `Display` prints them, must equal `tests/ui/<case>.expected`.
//!
//! `UPDATE_EXPECT=1 cargo test -p payspec-model --test ui` rewrites the `.expected` files; read every
//! changed one before keeping it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Fewest cases the suite may hold (guards against a glob that silently matches nothing).
const MIN_CASES: usize = 36;

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("ui")
}

/// Case names (file stems of `tests/ui/*.yaml`), sorted.
fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(ui_dir())
        .expect("tests/ui exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().expect("file stem").to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// All diagnostics of a case, one per line (empty when the spec loads).
fn render(case: &str, text: &str) -> String {
    let file = format!("tests/ui/{case}.yaml");
    match payspec_model::load_str(&file, text) {
        Ok(_) => String::new(),
        Err(diags) => diags.0.iter().map(|d| format!("{d}\n")).collect(),
    }
}

#[test]
fn malformed_specs_report_the_expected_diagnostics() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let line_shape = regex::Regex::new(r"^tests/ui/[a-z0-9_]+\.yaml:\d+:\d+: ").expect("regex compiles");
    let names = cases();
    assert!(names.len() >= MIN_CASES, "only {} cases in tests/ui, want at least {MIN_CASES}", names.len());

    let mut failures = String::new();
    for entry in std::fs::read_dir(ui_dir()).expect("tests/ui exists") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().is_some_and(|x| x == "expected") && !path.with_extension("yaml").exists() {
            let _ = writeln!(failures, "--- {}: no matching .yaml case", path.display());
        }
    }
    for case in &names {
        let yaml = ui_dir().join(format!("{case}.yaml"));
        let expected_path = ui_dir().join(format!("{case}.expected"));
        let text = std::fs::read_to_string(&yaml).unwrap_or_else(|e| panic!("{}: {e}", yaml.display()));
        let actual = render(case, &text);

        if update {
            std::fs::write(&expected_path, &actual).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        }
        let expected = match std::fs::read_to_string(&expected_path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(
                    failures,
                    "--- {case}: cannot read {}: {e}\n--- actual:\n{actual}",
                    expected_path.display()
                );
                continue;
            }
        };

        if expected.trim().is_empty() {
            let _ = writeln!(failures, "--- {case}: the .expected file is empty; every case must be a malformed spec");
        }
        for line in expected.lines().filter(|l| !line_shape.is_match(l)) {
            let _ = writeln!(
                failures,
                "--- {case}: expected line does not look like `tests/ui/<case>.yaml:L:C: …`: {line:?}"
            );
        }
        if expected != actual {
            let _ = writeln!(failures, "--- {case}: expected\n{expected}--- {case}: actual\n{actual}");
        }
    }
    assert!(failures.is_empty(), "UI test mismatches (rerun with UPDATE_EXPECT=1 to accept):\n{failures}");
}
