//! Malformed specs fail to compile with one `compile_error!` per diagnostic, each `file:line:col`.

#[test]
fn malformed_specs() {
    // trybuild compiles the cases in a crate under `target/`: relative spec paths resolve here instead.
    std::env::set_var("PAYSPEC_MANIFEST_DIR_OVERRIDE", env!("CARGO_MANIFEST_DIR"));
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
