//! `payspec` — lint specs, sign requests and verify callbacks with any spec, from the command line.

use clap::{Parser, Subcommand};
use payspec::{Clock, Credentials, Interpreter, VerifyError};
use payspec_model::Spec;
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
        /// Folder holding `<provider>/*.json` vectors; default: `vectors/` next to each spec's folder
        /// (`<spec dir>/../vectors`).
        #[arg(long)]
        vectors: Option<PathBuf>,
        /// Exit 0 even when some operation or callback has no passing vector (it is still shown as
        /// unverified).
        #[arg(long)]
        allow_unverified: bool,
    },
    /// Sign a request with the interpreter and print it as JSON (secrets masked as «name» unless
    /// --reveal-secrets).
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
        /// Environment (a name under the spec's `environments:`); default: the spec's first.
        #[arg(long)]
        env: Option<String>,
        /// Print every stage to stderr (secret credentials masked).
        #[arg(long)]
        explain: bool,
        /// Print secret credentials and values derived from them (HTTP Basic, bearer tokens, fields
        /// filled from secrets) as they are. Without it they are masked as «name» and the printed
        /// request cannot be sent as is.
        #[arg(long)]
        reveal_secrets: bool,
    },
    /// Verify a received callback (or, with `--response`, a signed response); print its decoded payload.
    Verify {
        /// Provider name or spec file.
        provider: String,
        /// Callback name.
        #[arg(required_unless_present = "response", conflicts_with = "response")]
        callback: Option<String>,
        /// Verify a signed response of this operation instead of a callback.
        #[arg(long, value_name = "OPERATION")]
        response: Option<String>,
        /// JSON object of the received fields (for a response: its body).
        #[arg(long)]
        payload: PathBuf,
        /// JSON object of credentials by spec name.
        #[arg(long)]
        credentials: PathBuf,
        /// Print the stages to stderr (secret credentials masked), also when the check fails.
        #[arg(long)]
        explain: bool,
    },
    /// Sign a request with the interpreter, send it, verify the answer and print request, response,
    /// verification and outcome as JSON (secrets masked) — curl for payment APIs.
    ///
    /// Exit codes: 0 an answer was read (verified where the spec signs it; its outcome is printed,
    /// whatever it is); 1 an answer came back that cannot be trusted or read (bad signature, not the
    /// operation's answer); 2 bad input, nothing sent; 3 nothing reached the provider (safe to send
    /// again); 4 the provider may have received the request but no complete answer came back (query
    /// the status before sending again).
    Call {
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
        /// Environment (a name under the spec's `environments:`); default: the spec's first.
        #[arg(long, conflicts_with = "base_url")]
        env: Option<String>,
        /// Send to this base URL instead of the spec's hosts (our sandbox, a proxy); signed as sent.
        #[arg(long)]
        base_url: Option<String>,
        /// Fix the clock (unix seconds).
        #[arg(long)]
        now: Option<i64>,
        /// Longest wait for the whole exchange, in seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
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

mod call;

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
        Command::Check { specs, cases, report, vectors, allow_unverified } => {
            check(&specs, cases, &report, vectors.as_deref(), allow_unverified)
        }
        Command::Sign { provider, operation, request, credentials, now, env, explain, reveal_secrets } => sign(
            &provider,
            &operation,
            &request,
            &credentials,
            now,
            env.as_deref(),
            Shown { explain, reveal: reveal_secrets },
        ),
        Command::Verify { provider, callback, response, payload, credentials, explain } => match (callback, response) {
            (_, Some(op)) => verify(&provider, &Received::Response(op), &payload, &credentials, explain),
            (Some(cb), None) => verify(&provider, &Received::Callback(cb), &payload, &credentials, explain),
            (None, None) => Err(fail(2, "name a callback, or a signed response with --response <operation>")),
        },
        Command::Call { provider, operation, request, credentials, env, base_url, now, timeout } => {
            call::call(call::Call {
                provider: &provider,
                op: &operation,
                request: &request,
                credentials: &credentials,
                env: env.as_deref(),
                base_url: base_url.as_deref(),
                now,
                timeout: std::time::Duration::from_secs(timeout),
            })
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
    payspec_model::load_file(&path)
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
        match payspec_model::load_file(path) {
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

fn check(
    specs: &[String],
    cases: u32,
    report: &Path,
    vectors: Option<&Path>,
    allow_unverified: bool,
) -> Result<(), Failure> {
    use payspec_conformance::check;
    // The specs run in parallel; progress lines come in the order of the specs.
    let checks = check::check_specs(&spec_files(specs)?, vectors, cases, |c| emit!("{}", check::progress(c)));
    emit!("\n{}", check::matrix(&checks));
    if let Some(dir) = report.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(2, format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(report, check::markdown(&checks))
        .map_err(|e| fail(2, format!("cannot write {}: {e}", report.display())))?;
    emit!("report: {}", report.display());
    let failed = checks.iter().filter(|c| !c.ok()).count();
    let unverified: usize = checks.iter().map(|c| c.unverified.len()).sum();
    if failed > 0 {
        Err(fail(1, format!("{failed} spec(s) failed the check")))
    } else if unverified > 0 && !allow_unverified {
        Err(fail(
            1,
            format!(
                "{unverified} target(s) unverified: no passing vector checks them (add vectors, or pass \
                 --allow-unverified to accept that)"
            ),
        ))
    } else {
        Ok(())
    }
}

/// What `payspec sign` prints besides the request.
struct Shown {
    /// Every stage to stderr.
    explain: bool,
    /// Secrets as they are (`--reveal-secrets`).
    reveal: bool,
}

/// The masking note `payspec sign` prints to stderr when it masked something.
const MASKED_NOTE: &str =
    "note: secret values are masked as «name»; this request cannot be sent as printed (--reveal-secrets prints them)";

fn sign(
    provider: &str,
    op: &str,
    request: &Path,
    creds: &Path,
    now: Option<i64>,
    env: Option<&str>,
    shown: Shown,
) -> Result<(), Failure> {
    let spec = load(provider)?;
    let env = env.unwrap_or_else(|| spec.environments.keys().next().map(String::as_str).unwrap_or_default());
    let input = read_object("request", request)?;
    let creds = credentials(&spec, creds)?;
    let clock = match now {
        Some(secs) => Clock::try_from_secs(secs).map_err(|e| fail(2, format!("--now: {e}")))?,
        None => Clock::system(),
    };
    // Errors never carry secret values; mask anyway in case an input field holds one.
    let redactor = payspec::Redactor::from_credentials(&creds);
    let signed = Interpreter::new(&spec)
        .sign(op, &input, &creds, env, clock)
        .map_err(|e| fail(2, redactor.mask_secrets(&e.to_string())))?;
    if shown.explain {
        for st in &signed.stages {
            if shown.reveal {
                eprint!("{}", st.explain_revealed());
            } else {
                eprint!("{}", st.explain(creds.secrets()));
            }
        }
    }
    let mut json = if shown.reveal { signed.to_json() } else { signed.to_json_masked() };
    if json != signed.to_json() {
        // Marked in the output itself too, so a saved copy says it is not the wire request.
        let labels: Vec<&str> =
            signed.redactor.labels().into_iter().filter(|l| json.to_string().contains(&format!("«{l}»"))).collect();
        json["masked"] = serde_json::json!(labels);
        eprintln!("{MASKED_NOTE}");
    }
    emit!("{}", serde_json::to_string_pretty(&json).expect("JSON values serialize"));
    Ok(())
}

/// What `payspec verify` checks.
enum Received {
    /// A callback, by name.
    Callback(String),
    /// A signed response of an operation.
    Response(String),
}

fn verify(provider: &str, target: &Received, payload: &Path, creds: &Path, explain: bool) -> Result<(), Failure> {
    let spec = load(provider)?;
    let payload = read_object("payload", payload)?;
    let creds = credentials(&spec, creds)?;
    let interp = Interpreter::new(&spec);
    let result = match target {
        Received::Callback(cb) => interp.verify_callback(cb, &payload, &creds),
        Received::Response(op) => interp.verify_response(op, &payload, &creds),
    };
    match result {
        Ok(v) => {
            if explain {
                eprint!("{}", v.stages.explain(creds.secrets()));
            }
            emit!("{}", serde_json::to_string_pretty(&v.payload).expect("JSON values serialize"));
            Ok(())
        }
        Err(e) => {
            if explain {
                explain_refused(&interp, target, &payload, &creds);
            }
            match e {
                VerifyError::BadSignature { .. } => Err(fail(1, format!("invalid signature: {e}"))),
                e => Err(fail(2, e.to_string())),
            }
        }
    }
}

/// The string to sign of a refused payload, next to the signature received. The signature the key
/// would give is not printed: for a payload someone else chose it would be a valid forgery.
fn explain_refused(
    interp: &Interpreter,
    target: &Received,
    payload: &serde_json::Map<String, serde_json::Value>,
    creds: &Credentials,
) {
    let recomputed = match target {
        Received::Callback(cb) => interp.recompute_callback(cb, payload, creds),
        Received::Response(op) => interp.recompute_response(op, payload, creds),
    };
    match recomputed {
        Ok(mut st) => {
            let field = st.placed.split_once('.').map_or("", |(_, f)| f);
            let received = payload.get(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            st.digest = None;
            st.signature = payspec::SignatureValue::new(received);
            st.recipe = "verify (refused; the expected signature is not shown)".into();
            eprint!("{}", st.explain(creds.secrets()));
        }
        Err(e) => eprintln!("[verify] no string to sign: {e}"),
    }
}
