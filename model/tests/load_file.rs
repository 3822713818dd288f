//! `load_file` reads regular files only, and never more than `MAX_SPEC_BYTES`: a FIFO, a device or a
//! directory given as a spec path is a clear error, not a blocked or endless read.

use payspec_model::{load_file, read_spec_file, MAX_SPEC_BYTES};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-load-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

/// `load_file(path)`'s single message, run on a thread so that a read that blocks fails the test
/// after a few seconds instead of hanging it.
fn load_error(path: &Path) -> String {
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(load_file(&p).map(|_| ()).map_err(|d| d.to_string()));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Err(e)) => e,
        Ok(Ok(())) => panic!("{} loaded as a spec", path.display()),
        Err(_) => panic!("load_file({}) did not return within 10 s (blocked or reading forever)", path.display()),
    }
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let fifo = scratch("spec.fifo");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("SKIPPED a_fifo_is_refused_without_blocking: mkfifo is unavailable here ({other:?})");
            return;
        }
    }
    let e = load_error(&fifo);
    assert_eq!(
        e,
        format!(
            "{}:1:1: cannot read: not a regular file (a FIFO); a spec must be a regular .yaml file",
            fifo.display()
        )
    );
    std::fs::remove_file(&fifo).unwrap();
}

#[test]
fn dev_zero_is_refused_without_reading_forever() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("SKIPPED dev_zero_is_refused_without_reading_forever: no /dev/zero here");
        return;
    }
    let e = load_error(zero);
    assert_eq!(
        e,
        "/dev/zero:1:1: cannot read: not a regular file (a character device); a spec must be a regular .yaml file"
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = scratch("a-dir.yaml");
    let _ = std::fs::remove_dir(&dir);
    std::fs::create_dir(&dir).unwrap();
    let e = load_error(&dir);
    assert_eq!(
        e,
        format!(
            "{}:1:1: cannot read: not a regular file (a directory); a spec must be a regular .yaml file",
            dir.display()
        )
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let big = scratch("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    // Sparse: the size is set without writing 16 MiB.
    f.set_len(MAX_SPEC_BYTES + 1).unwrap();
    let e = load_error(&big);
    assert_eq!(
        e,
        format!(
            "{}:1:1: cannot read: the file is larger than {MAX_SPEC_BYTES} bytes (16 MiB), the most a spec may be",
            big.display()
        )
    );
    // At the limit the file is read (and, being NUL bytes, fails as YAML, not as a file).
    f.set_len(1024).unwrap();
    let e = load_error(&big);
    assert!(!e.contains("cannot read"), "{e}");
    std::fs::remove_file(&big).unwrap();
}

#[test]
fn non_utf8_text_is_a_clear_error() {
    let p = scratch("latin1.yaml");
    std::fs::write(&p, b"provider: caf\xe9\n").unwrap();
    let e = read_spec_file(&p).unwrap_err().to_string();
    assert_eq!(e, format!("{}:1:1: cannot read: not UTF-8 text (invalid byte at offset 13)", p.display()));
}

#[test]
fn a_regular_file_with_a_byte_order_mark_loads() {
    let p = scratch("bom.yaml");
    std::fs::write(
        &p,
        "\u{feff}provider: x\ntitle: X\nenvironments: { sandbox: https://x.test }\ncredentials: {}\noperations: {}\n",
    )
    .unwrap();
    assert_eq!(load_file(&p).unwrap().provider, "x");
}
