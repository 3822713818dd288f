//! A crate that only uses generated code (`examples/consumer`: `payspec` with default features off,
//! plus `payspec::provider!`) compiles no YAML parser and no interpreter, and its signers work.
//!
//! `cargo -p payspec-consumer` selects that package's features alone (resolver 2), so the features
//! other members turn on in `cargo test --workspace` do not hide a leak. The consumer builds in its
//! own target directory (`target/consumer`) so it does not wait on the outer build's lock.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Crates of spec loading and the interpreter that must not be in the consumer's normal tree.
const FORBIDDEN: &[&str] = &["serde_yaml", "yaml-rust2", "unsafe-libyaml", "serde_path_to_error"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo() -> Option<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(&cargo).arg("--version").output().ok().filter(|o| o.status.success()).map(|_| cargo)
}

/// Run cargo with `args` in the workspace, at most `limit`; stdout and stderr.
fn run(cargo: &str, args: &[&str], limit: Duration) -> (bool, String, String) {
    let dir = std::env::temp_dir().join(format!("payspec-consumer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, err) = (dir.join("out"), dir.join("err"));
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(root())
        .env("CARGO_TARGET_DIR", root().join("target/consumer"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let ok = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cargo {} took more than {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let r = (ok, read(&out), read(&err));
    let _ = std::fs::remove_dir_all(&dir);
    r
}

#[test]
fn a_generated_code_only_crate_has_no_yaml_parser_and_no_interpreter() {
    let Some(cargo) = cargo() else {
        eprintln!("SKIPPED: cargo is not available to run `cargo tree` and the consumer's test");
        return;
    };
    // `-e normal,no-proc-macro`: what the consumer's own target links, not what the macro runs on
    // at compile time (it parses the spec with the YAML parser, which is allowed).
    let (ok, tree, err) = run(
        &cargo,
        &[
            "tree",
            "--offline",
            "-p",
            "payspec-consumer",
            "-e",
            "normal,no-proc-macro",
            "--prefix",
            "none",
            "-f",
            "{p} [{f}]",
        ],
        Duration::from_secs(120),
    );
    assert!(ok, "cargo tree failed:\n{err}");
    let names: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    for bad in FORBIDDEN {
        assert!(!names.contains(bad), "`{bad}` is in the consumer's tree:\n{tree}");
    }
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        if name == "payspec" {
            assert!(!line.contains("interpreter"), "payspec is built with the interpreter:\n{line}");
        }
        if name == "payspec-model" {
            assert!(!line.contains("load"), "payspec-model is built with loading:\n{line}");
        }
    }
    assert!(names.contains(&"payspec") && names.contains(&"payspec-model"), "{tree}");

    // Its generated signer signs the recorded vector, built with exactly those features.
    let (ok, out, err) =
        run(&cargo, &["test", "--offline", "-p", "payspec-consumer", "--test", "sign"], Duration::from_secs(900));
    assert!(ok, "the consumer's test failed:\n{out}\n{err}");
    assert!(out.contains("generated_refund_signer_matches_the_recorded_vector ... ok"), "{out}");
}
