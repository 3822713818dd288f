//! `payspec check`: lint, vectors through every signing path, a short property pass and signature
//! coverage for one spec, summarised per operation and callback.

use crate::coverage::{self, Coverage};
use crate::properties::{self, PropertyResult};
use crate::{check as check_vector, load_vectors, Interpreted, Mismatch, Path, Target, Vector};
use payspec::{CredentialValue, Credentials, Secret};
use payspec_spec::{CredentialKind, Diagnostics, Spec};
use std::collections::BTreeMap;
use std::path::Path as FsPath;

/// Throwaway RSA key pair for synthesized credentials (test only; never registered anywhere).
pub const TEST_PRIVATE_KEY: &str = include_str!("../keys/test_private_key.pem");
/// Public half of [`TEST_PRIVATE_KEY`].
pub const TEST_PUBLIC_KEY: &str = include_str!("../keys/test_public_key.pem");

/// Credentials for property and coverage runs: a dummy value of the right type for every
/// credential, RSA keys from the throwaway pair (so provider-side signing verifies).
pub fn dummy_credentials(spec: &Spec) -> Credentials {
    let mut c = Credentials::default();
    for (name, def) in &spec.credentials {
        let v = match def.kind {
            CredentialKind::Integer => CredentialValue::Integer(1),
            CredentialKind::PrivateKeyPem => CredentialValue::Secret(Secret::new(TEST_PRIVATE_KEY)),
            CredentialKind::PublicKeyPem => CredentialValue::Public(TEST_PUBLIC_KEY.into()),
            CredentialKind::String if def.secret => CredentialValue::Secret(Secret::new(format!("test-{name}-secret"))),
            CredentialKind::String => CredentialValue::Public(format!("test-{name}")),
        };
        c.insert(name.clone(), v);
    }
    c
}

/// A vector's expected result: pass, or a listed known failure.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorResult {
    /// The vector's id.
    pub id: String,
    /// Matrix row: `operation <name>` (response vectors count under their operation), `callback <name>`
    /// or `recipe <name>`; `known-failures.txt` for a listed id that has no vector.
    pub target: String,
    /// [`Path::name`] of the path it ran on; `-` for a listed id that has no vector.
    pub path: String,
    /// Reason when the vector is a listed known failure.
    pub known_failure: Option<String>,
    /// The first difference; `None` when the path reproduced the vector.
    pub mismatch: Option<Mismatch>,
}

impl VectorResult {
    /// Passed, or failed as a listed known failure. A known failure that passes is a failure.
    pub fn ok(&self) -> bool {
        self.known_failure.is_some() == self.mismatch.is_some()
    }
}

/// Everything `payspec check` learned about one spec.
#[derive(Debug, Clone)]
pub struct SpecCheck {
    /// The spec's path, as given.
    pub file: String,
    /// The spec's `provider:`; the file stem when the spec does not load.
    pub provider: String,
    /// `Err` with every diagnostic when the spec does not load; then nothing else ran.
    pub lint: Result<(), Diagnostics>,
    /// Operation and callback names (rows of the matrix), `operation x` / `callback y`.
    pub targets: Vec<String>,
    /// Every vector of the provider on every path, plus listed known failures that have no vector.
    pub vectors: Vec<VectorResult>,
    /// Property results (see [`properties::run`]).
    pub properties: Vec<PropertyResult>,
    /// Signature coverage of each operation, response and callback (see [`coverage::all`]).
    pub coverage: Vec<Coverage>,
}

impl SpecCheck {
    /// Whether the spec passes: lint clean, every vector [`ok`](VectorResult::ok), every property held.
    /// Unprotected fields in `coverage` are reported but do not fail it.
    pub fn ok(&self) -> bool {
        self.lint.is_ok()
            && self.vectors.iter().all(VectorResult::ok)
            && self.properties.iter().all(|p| p.failure.is_none())
    }

    /// Problems of one matrix row (`operation refund`), empty when it passes.
    pub fn problems(&self, target: &str) -> Vec<String> {
        let mut out = Vec::new();
        for v in self.vectors.iter().filter(|v| v.target == target && !v.ok()) {
            match (&v.known_failure, &v.mismatch) {
                (Some(reason), None) => {
                    out.push(format!("known failure {} now passes ({reason}): remove it from the list", v.id))
                }
                (_, Some(m)) => out.push(format!("vector {} [{}]: stage `{}` differs", v.id, v.path, m.stage)),
                _ => {}
            }
        }
        for p in self
            .properties
            .iter()
            .filter(|p| p.target == target || p.target == target.replace("operation ", "response "))
        {
            if let Some(f) = &p.failure {
                out.push(format!("property `{}`: {}", p.property, f.lines().next().unwrap_or_default()));
            }
        }
        out
    }
}

/// `vectors/<provider>/known-failures.txt`: lines `<vector id>: <reason>`.
pub fn known_failures(dir: &FsPath) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join("known-failures.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':').map(|(id, why)| (id.trim().to_string(), why.trim().to_string())))
        .collect()
}

fn target_name(t: &Target) -> String {
    match t {
        Target::Operation(o) | Target::Response(o) => format!("operation {o}"),
        Target::Callback(c) => format!("callback {c}"),
        Target::Recipe(r) => format!("recipe {r}"),
    }
}

/// Check the spec at `path`. `vectors_dir` holds `<provider>/*.json`. Bundled specs (compiled into
/// this crate, unmodified) run through generated code as well as the interpreter.
pub fn check_spec(path: &FsPath, vectors_dir: &FsPath, cases: u32) -> SpecCheck {
    let file = path.display().to_string();
    // Read once, through the loader's checks (regular files only, bounded size).
    let (spec, text) = match payspec_spec::read_spec_file(path)
        .and_then(|text| payspec_spec::load_str(&file, &text).map(|s| (s, text)))
    {
        Ok(s) => s,
        Err(d) => {
            let provider = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            return SpecCheck {
                file,
                provider,
                lint: Err(d),
                targets: vec![],
                vectors: vec![],
                properties: vec![],
                coverage: vec![],
            };
        }
    };
    let mut targets: Vec<String> = spec.operations.keys().map(|o| format!("operation {o}")).collect();
    targets.extend(spec.callbacks.keys().map(|c| format!("callback {c}")));
    let interp = Interpreted(&spec);
    let mut paths: Vec<&dyn Path> = vec![&interp];
    if let Some(generated) = crate::bundled::generated_for(&spec.provider, &text) {
        paths.push(generated);
    }

    let dir = vectors_dir.join(&spec.provider);
    let known = known_failures(&dir);
    let vectors: Vec<Vector> = if dir.is_dir() { load_vectors_in(&dir) } else { vec![] };
    let mut results = Vec::new();
    for v in &vectors {
        for p in &paths {
            results.push(VectorResult {
                id: v.id.clone(),
                target: target_name(&v.target),
                path: p.name().to_string(),
                known_failure: known.get(&v.id).cloned(),
                mismatch: check_vector(&spec, *p, v).err(),
            });
        }
    }
    for id in known.keys().filter(|id| !vectors.iter().any(|v| &v.id == *id)) {
        results.push(VectorResult {
            id: id.clone(),
            target: "known-failures.txt".into(),
            path: "-".into(),
            known_failure: None,
            mismatch: Some(Mismatch {
                case: id.clone(),
                path: "-".into(),
                stage: "list".into(),
                expected: "a vector with this id".into(),
                actual: "none".into(),
            }),
        });
    }
    let creds = dummy_credentials(&spec);
    let properties = properties::run(&spec, &creds, &paths, cases, None);
    let coverage = coverage::all(&spec, &creds, 16);
    SpecCheck { file, provider: spec.provider.clone(), lint: Ok(()), targets, vectors: results, properties, coverage }
}

fn load_vectors_in(dir: &FsPath) -> Vec<Vector> {
    // `load_vectors` walks provider folders under a root; reuse it on a one-folder view.
    let parent = dir.parent().unwrap_or(dir);
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    load_vectors(parent).unwrap_or_default().into_iter().filter(|v| v.provider == name).collect()
}

/// One-line progress summary.
pub fn progress(c: &SpecCheck) -> String {
    match &c.lint {
        Err(d) => format!("{}: lint failed ({} error(s))", c.provider, d.0.len()),
        Ok(()) => {
            let vec_ok = c.vectors.iter().filter(|v| v.ok()).count();
            let prop_ok = c.properties.iter().filter(|p| p.failure.is_none()).count();
            let mut paths: Vec<&str> = Vec::new();
            for p in c.vectors.iter().map(|v| v.path.as_str()).filter(|p| *p != "-") {
                if !paths.contains(&p) {
                    paths.push(p);
                }
            }
            format!(
                "{}: lint ok · vectors {vec_ok}/{} ({}) · properties {prop_ok}/{} · {}",
                c.provider,
                c.vectors.len(),
                if paths.is_empty() { "none".to_string() } else { paths.join(" + ") },
                c.properties.len(),
                if c.ok() { "✓" } else { "✗" }
            )
        }
    }
}

fn unprotected<'a>(c: &'a SpecCheck, target: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for cov in
        c.coverage.iter().filter(|cov| cov.target == target || cov.target == target.replace("operation ", "response "))
    {
        out.extend(cov.unprotected.iter().map(String::as_str));
    }
    out
}

/// The provider × operation matrix as text.
pub fn matrix(checks: &[SpecCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        if let Err(d) = &c.lint {
            out.push_str(&format!(
                "{:<10} {:<32} ✗ {}\n",
                c.provider,
                "(spec)",
                d.0.first().map(|d| d.to_string()).unwrap_or_default()
            ));
            continue;
        }
        for t in &c.targets {
            let problems = c.problems(t);
            let mark = if problems.is_empty() { "✓".to_string() } else { format!("✗ {}", problems.join("; ")) };
            let open = unprotected(c, t);
            let open = if open.is_empty() { String::new() } else { format!("  unprotected: {}", open.join(", ")) };
            out.push_str(&format!("{:<10} {:<32} {mark}{open}\n", c.provider, t));
        }
    }
    out
}

/// The full Markdown report.
pub fn markdown(checks: &[SpecCheck]) -> String {
    let mut out = String::from("# payspec check\n\n| provider | target | result | fields not protected by any signature |\n|---|---|---|---|\n");
    for c in checks {
        if let Err(d) = &c.lint {
            out.push_str(&format!("| {} | (spec) | ✗ lint: {} | |\n", c.provider, d.to_string().replace('\n', "<br>")));
            continue;
        }
        for t in &c.targets {
            let problems = c.problems(t);
            let mark = if problems.is_empty() { "✓".to_string() } else { format!("✗ {}", problems.join("<br>")) };
            out.push_str(&format!("| {} | {t} | {mark} | {} |\n", c.provider, unprotected(c, t).join(", ")));
        }
    }
    for c in checks.iter().filter(|c| c.lint.is_ok()) {
        out.push_str(&format!("\n## {}\n\nSpec: `{}`\n\n### Vectors\n\n", c.provider, c.file));
        if c.vectors.is_empty() {
            out.push_str("No vectors.\n");
        }
        for v in &c.vectors {
            let status = match (&v.known_failure, &v.mismatch) {
                (None, None) => "✓".to_string(),
                (Some(r), Some(_)) => format!("known failure ({r})"),
                (Some(r), None) => format!("✗ known failure now passes ({r})"),
                (None, Some(m)) => format!("✗ stage `{}`: expected `{}`, got `{}`", m.stage, m.expected, m.actual),
            };
            out.push_str(&format!("- `{}` [{}] {status}\n", v.id, v.path));
        }
        out.push_str("\n### Properties\n\n");
        for p in &c.properties {
            out.push_str(&format!(
                "- {} — {}: {}\n",
                p.target,
                p.property,
                p.failure.as_deref().map_or("✓".to_string(), |f| format!("✗ {f}"))
            ));
        }
        out.push_str("\n### Signature coverage\n\n");
        for cov in &c.coverage {
            out.push_str(&format!("- {cov}\n"));
        }
    }
    out
}
