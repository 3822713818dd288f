//! `payspec` — lint specs, sign requests and verify callbacks with any spec, from the command line.

use clap::{Parser, Subcommand};
use payspec::{Clock, Credentials, Interpreter, VerifyError};
use payspec_spec::Spec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "payspec",
    version,
    about = "Declarative payment-provider APIs: lint specs, sign requests, verify callbacks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check specs; print every problem as `path:line:col: message`.
    Lint {
        /// Provider names (resolved to specs/<name>.yaml) or spec files; default: every spec in specs/.
        specs: Vec<String>,
    },
    /// Conformance run for spec authors: lint, vectors through every signing path, a short property
    /// pass and signature coverage; prints a matrix and writes a Markdown report. No network.
    Check {
        /// Provider names or spec files; default: every spec in specs/.
        specs: Vec<String>,
        /// Property cases per property.
        #[arg(long, default_value_t = 32)]
        cases: u32,
        /// Where to write the Markdown report.
        #[arg(long, default_value = "target/payspec-check.md")]
        report: PathBuf,
    },
    /// Sign a request with the interpreter and print it as JSON.
    Sign {
        /// Provider name or spec file.
        provider: String,
        /// Operation name.
        operation: String,
        /// JSON object of request fields by wire name.
        #[arg(long)]
        request: PathBuf,
        /// JSON object of credentials by spec name.
        #[arg(long)]
        credentials: PathBuf,
        /// Fix the clock (unix seconds).
        #[arg(long)]
        now: Option<i64>,
        /// Environment.
        #[arg(long, default_value = "sandbox")]
        env: String,
        /// Print every stage to stderr (secret credentials masked).
        #[arg(long)]
        explain: bool,
    },
    /// Verify a received callback; print its decoded payload.
    Verify {
        /// Provider name or spec file.
        provider: String,
        /// Callback name.
        callback: String,
        /// JSON object of the received fields.
        #[arg(long)]
        payload: PathBuf,
        /// JSON object of credentials by spec name.
        #[arg(long)]
        credentials: PathBuf,
        /// Print the stages to stderr (secret credentials masked).
        #[arg(long)]
        explain: bool,
    },
}

/// Print a line to stdout; a closed pipe (`payspec check | head`) ends the program quietly instead of
/// panicking like `println!` would.
macro_rules! emit {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// A failure with its exit code: 1 = check failed (lint errors, bad signature), 2 = bad input.
struct Failure {
    code: u8,
    message: String,
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure { code, message: message.into() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint { specs } => lint(&specs),
        Command::Check { specs, cases, report } => check(&specs, cases, &report),
        Command::Sign { provider, operation, request, credentials, now, env, explain } => {
            sign(&provider, &operation, &request, &credentials, now, &env, explain)
        }
        Command::Verify { provider, callback, payload, credentials, explain } => {
            verify(&provider, &callback, &payload, &credentials, explain)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("{}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// `specs/<name>.yaml` for a bare provider name, else the path as given.
fn spec_path(provider: &str) -> PathBuf {
    let p = Path::new(provider);
    if p.extension().is_some() || provider.contains('/') {
        p.to_path_buf()
    } else {
        Path::new("specs").join(format!("{provider}.yaml"))
    }
}

fn load(provider: &str) -> Result<Spec, Failure> {
    let path = spec_path(provider);
    if !path.exists() {
        return Err(fail(2, format!("no spec for `{provider}`: {} does not exist", path.display())));
    }
    payspec_spec::load_file(&path)
        .map_err(|d| fail(2, format!("{d}\n{}: spec has errors; run `payspec lint`", path.display())))
}

fn read_json(what: &str, path: &Path) -> Result<serde_json::Value, Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(2, format!("cannot read {what} {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| fail(2, format!("{what} {} is not JSON: {e}", path.display())))
}

fn read_object(what: &str, path: &Path) -> Result<serde_json::Map<String, serde_json::Value>, Failure> {
    match read_json(what, path)? {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(fail(2, format!("{what} {} must be a JSON object", path.display()))),
    }
}

fn credentials(spec: &Spec, path: &Path) -> Result<Credentials, Failure> {
    Credentials::from_json(spec, &read_json("credentials", path)?)
        .map_err(|e| fail(2, format!("{}: {e}", path.display())))
}

/// The spec files named on the command line, or every spec in specs/.
fn spec_files(specs: &[String]) -> Result<Vec<PathBuf>, Failure> {
    Ok(if specs.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir("specs")
            .map_err(|e| fail(2, format!("cannot list specs/: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        v.sort();
        v
    } else {
        specs.iter().map(|s| spec_path(s)).collect()
    })
}

fn lint(specs: &[String]) -> Result<(), Failure> {
    let paths = spec_files(specs)?;
    let mut errors = 0;
    for path in &paths {
        match payspec_spec::load_file(path) {
            Ok(spec) => emit!(
                "{}: ok ({} operations, {} callbacks)",
                path.display(),
                spec.operations.len(),
                spec.callbacks.len()
            ),
            Err(d) => {
                errors += d.0.len();
                emit!("{d}");
            }
        }
    }
    if errors == 0 {
        Ok(())
    } else {
        Err(fail(1, format!("{errors} error(s)")))
    }
}

fn check(specs: &[String], cases: u32, report: &Path) -> Result<(), Failure> {
    use payspec_conformance::check;
    let mut checks = Vec::new();
    for path in spec_files(specs)? {
        let c = check::check_spec(&path, Path::new("vectors"), cases);
        emit!("{}", check::progress(&c));
        checks.push(c);
    }
    emit!("\n{}", check::matrix(&checks));
    if let Some(dir) = report.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(2, format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(report, check::markdown(&checks))
        .map_err(|e| fail(2, format!("cannot write {}: {e}", report.display())))?;
    emit!("report: {}", report.display());
    if checks.iter().all(check::SpecCheck::ok) {
        Ok(())
    } else {
        Err(fail(1, format!("{} spec(s) failed the check", checks.iter().filter(|c| !c.ok()).count())))
    }
}

fn sign(
    provider: &str,
    op: &str,
    request: &Path,
    creds: &Path,
    now: Option<i64>,
    env: &str,
    explain: bool,
) -> Result<(), Failure> {
    let spec = load(provider)?;
    let input = read_object("request", request)?;
    let creds = credentials(&spec, creds)?;
    let clock = match now {
        Some(secs) => Clock::try_from_secs(secs).map_err(|e| fail(2, format!("--now: {e}")))?,
        None => Clock::system(),
    };
    let signed = Interpreter::new(&spec).sign(op, &input, &creds, env, clock).map_err(|e| fail(2, e.to_string()))?;
    if explain {
        for st in &signed.stages {
            eprint!("{}", st.explain(creds.secrets()));
        }
    }
    emit!("{}", serde_json::to_string_pretty(&signed.to_json()).expect("JSON values serialize"));
    Ok(())
}

fn verify(provider: &str, callback: &str, payload: &Path, creds: &Path, explain: bool) -> Result<(), Failure> {
    let spec = load(provider)?;
    let payload = read_object("payload", payload)?;
    let creds = credentials(&spec, creds)?;
    match Interpreter::new(&spec).verify_callback(callback, &payload, &creds) {
        Ok(v) => {
            if explain {
                eprint!("{}", v.stages.explain(creds.secrets()));
            }
            emit!("{}", serde_json::to_string_pretty(&v.payload).expect("JSON values serialize"));
            Ok(())
        }
        Err(e @ VerifyError::BadSignature { .. }) => Err(fail(1, format!("invalid signature: {e}"))),
        Err(e) => Err(fail(2, e.to_string())),
    }
}
