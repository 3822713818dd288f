//! Process time of the `payspec` binary: `sign` (one HiTechPAY refund), `lint` (every seed spec) and
//! `check` (the conformance run on the five seeds, default arguments), each spawned and waited for.
//!
//! ```sh
//! cargo bench -p payspec-cli --bench cli -- --warm-up-time 1 --measurement-time 5
//! ```
//!
//! Run from any directory: the binary runs in the repository root, where `specs/` and `vectors/` are.
//! Each command's output is checked once (exit code, a line of its stdout) before it is timed.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn payspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec")).args(args).current_dir(root()).output().expect("spawn payspec")
}

fn expect(args: &[&str], stdout_has: &str) {
    let out = payspec(args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(stdout_has),
        "payspec {args:?}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn cli(c: &mut Criterion) {
    let report = std::env::temp_dir().join("payspec-bench-check.md");
    let report = report.to_str().expect("UTF-8 temp dir");
    let sign = [
        "sign",
        "hitechpay",
        "refund",
        "--request",
        "examples/hitechpay/refund.json",
        "--credentials",
        "examples/hitechpay/credentials.json",
        "--now",
        "1599189500",
    ];
    let check = ["check", "--report", report];
    // The HiTechPAY demo refund's mac (examples/hitechpay, public ZaloPay demo credentials).
    expect(&sign, "\"mac\"");
    expect(&["lint"], "");
    expect(&check, "");

    let mut g = c.benchmark_group("cli");
    g.bench_function("sign", |b| b.iter(|| assert!(payspec(&sign).status.success())));
    g.bench_function("lint", |b| b.iter(|| assert!(payspec(&["lint"]).status.success())));
    // About a second per run: ten runs (the fewest samples criterion takes), one per sample.
    g.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    g.bench_function("check", |b| b.iter(|| assert!(payspec(&check).status.success())));
    g.finish();
}

criterion_group!(benches, cli);
criterion_main!(benches);
