//! Compile every spec in `specs/` into this crate: one `payspec::provider!` module each, plus a
//! registry of their generated functions, so conformance runs generated code next to the
//! interpreter without naming any provider in Rust source.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let specs = Path::new(&manifest).join("../specs");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", specs.display());
    let mut files: Vec<_> = std::fs::read_dir(&specs)
        .expect("specs/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();

    let mut modules = String::new();
    let mut entries = String::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let path = f.canonicalize().expect("spec path").display().to_string().replace('\\', "/");
        let stem = f.file_stem().expect("file name").to_string_lossy().into_owned();
        // The module is named after the spec's `provider:`; read it without a YAML parser.
        let text = std::fs::read_to_string(f).expect("spec readable");
        let Some(name) = text.lines().find_map(|l| l.strip_prefix("provider:")).map(|n| n.trim().to_string()) else {
            panic!("{}: no `provider:` line", f.display());
        };
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{}: provider name {name:?}",
            f.display()
        );
        let _ = stem;
        writeln!(modules, "    payspec::provider!({path:?});").unwrap();
        writeln!(
            entries,
            r#"    Bundled {{
        provider: {name:?},
        spec_text: include_str!({path:?}),
        sign: |op, input, creds, env, clock| {{
            let c = modules::{name}::Credentials::from_runtime(creds).map_err(|source| payspec::SignError::Credential {{ target: format!("{name}.{{op}}"), source }})?;
            let e = modules::{name}::Env::from_name(env).ok_or_else(|| payspec::SignError::Unknown(format!("unknown environment `{{}}`", payspec::support::echo(env))))?;
            modules::{name}::DYNAMIC.sign(op, input, &c, e, clock)
        }},
        verify_callback: |cb, payload, creds| {{
            let c = modules::{name}::Credentials::from_runtime(creds).map_err(|source| payspec::SignError::Credential {{ target: format!("{name}.{{cb}}"), source }})?;
            modules::{name}::DYNAMIC.verify_callback(cb, payload, &c)
        }},
        verify_response: |op, body, creds| {{
            let c = modules::{name}::Credentials::from_runtime(creds).map_err(|source| payspec::SignError::Credential {{ target: format!("{name}.{{op}}"), source }})?;
            modules::{name}::DYNAMIC.verify_response(op, body, &c)
        }},
        request_round_trip: |op, json| modules::{name}::DYNAMIC.request_round_trip(op, json),
        response_round_trip: |op, json| modules::{name}::DYNAMIC.response_round_trip(op, json),
        status: |op, json| modules::{name}::DYNAMIC.status(op, json),
        typed_status: |op, json| modules::{name}::DYNAMIC.typed_status(op, json),
        run_recipe: |recipe, creds, clock| {{
            let c = modules::{name}::Credentials::from_runtime(creds).map_err(|source| payspec::SignError::Credential {{ target: format!("{name}.{{recipe}}"), source }})?;
            modules::{name}::DYNAMIC.run_recipe(recipe, &c, clock)
        }},
    }},"#
        )
        .unwrap();
    }
    let out = format!(
        "/// The generated modules of every spec in `specs/`.\npub mod modules {{\n{modules}}}\n\n/// Every bundled spec with its generated functions.\npub static BUNDLED: &[Bundled] = &[\n{entries}];\n"
    );
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("bundled.rs"), out).expect("write bundled.rs");

    // One #[test] per vector file, named after its id (smithy-rs style): tests/vectors.rs includes it.
    let vectors = Path::new(&manifest).join("../vectors");
    println!("cargo:rerun-if-changed={}", vectors.display());
    let mut cases = Vec::new();
    for dir in std::fs::read_dir(&vectors)
        .expect("vectors/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
    {
        println!("cargo:rerun-if-changed={}", dir.display());
        for f in std::fs::read_dir(&dir).expect("vector folder").filter_map(|e| e.ok().map(|e| e.path())) {
            if f.extension().is_some_and(|x| x == "json") {
                cases.push(f.canonicalize().expect("vector path"));
            }
        }
    }
    cases.sort();
    let mut tests = String::new();
    for f in cases {
        let id = f.file_stem().expect("file name").to_string_lossy().into_owned();
        let fn_name: String =
            id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        writeln!(tests, "#[test]\nfn {fn_name}() {{\n    run_case({:?});\n}}", f.display().to_string()).unwrap();
    }
    std::fs::write(Path::new(&out_dir).join("vector_cases.rs"), tests).expect("write vector_cases.rs");
}
