//! `payspec check`: lint, vectors through every signing path, a short property pass and signature
//! coverage for one spec, summarised per operation and callback.

use crate::coverage::{self, Coverage};
use crate::properties::{self, PropertyResult};
use crate::{check as check_vector, load_vectors, Interpreted, Mismatch, Path, Target, Vector};
use payspec::{CredentialValue, Credentials, Secret};
use payspec_model::{CredentialKind, Diagnostics, Spec};
use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};

/// Throwaway RSA key pair for synthesized credentials (test only; never registered anywhere).
pub const TEST_PRIVATE_KEY: &str = include_str!("../keys/test_private_key.pem");
/// Public half of [`TEST_PRIVATE_KEY`].
pub const TEST_PUBLIC_KEY: &str = include_str!("../keys/test_public_key.pem");

/// Credentials for property and coverage runs: a dummy value of the right type for every
/// credential, RSA keys from the throwaway pair (so provider-side signing verifies). The private keys
/// remember their last signatures ([`Secret::with_signature_memo`]): a property case that signs one
/// request on every path makes one RSA private-key operation, not one per path.
pub fn dummy_credentials(spec: &Spec) -> Credentials {
    let mut c = Credentials::default();
    for (name, def) in &spec.credentials {
        let v = match def.kind {
            CredentialKind::Integer => CredentialValue::Integer(1),
            CredentialKind::PrivateKeyPem => CredentialValue::Secret(Secret::with_signature_memo(TEST_PRIVATE_KEY)),
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
    /// The recipe the vector checks: `sign`, `auth`, `response` (a signed response), `callback`, or
    /// `recipe:<name>` (a shared recipe on its own).
    pub checks: String,
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

    /// Reproduced, and not a listed known failure: evidence that the recipe is right.
    pub fn passed(&self) -> bool {
        self.known_failure.is_none() && self.mismatch.is_none()
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
    /// The folder searched for this provider's vectors, and whether it exists.
    pub vectors_dir: (PathBuf, bool),
    /// The signing paths the vectors and properties ran on (`interpreter`, `generated`).
    pub paths: Vec<String>,
    /// Every vector of the provider on every path, plus listed known failures that have no vector.
    pub vectors: Vec<VectorResult>,
    /// Targets that no passing vector checks, with the reason: not ✓ even when nothing failed.
    pub unverified: BTreeMap<String, String>,
    /// Property results (see [`properties::run`]).
    pub properties: Vec<PropertyResult>,
    /// Signature coverage of each operation, response and callback (see [`coverage::all`]).
    pub coverage: Vec<Coverage>,
}

impl SpecCheck {
    /// Whether nothing failed: lint clean, every vector [`ok`](VectorResult::ok), every property held.
    /// Unverified targets and unprotected fields are reported but do not count here (see
    /// [`verified`](Self::verified)).
    pub fn ok(&self) -> bool {
        self.lint.is_ok()
            && self.vectors.iter().all(VectorResult::ok)
            && self.properties.iter().all(|p| p.failure.is_none())
    }

    /// Whether every target is checked by a passing vector.
    pub fn verified(&self) -> bool {
        self.lint.is_ok() && self.unverified.is_empty()
    }

    /// Problems of one matrix row (`operation refund`), empty when it passes.
    pub fn problems(&self, target: &str) -> Vec<String> {
        let mut out = Vec::new();
        for v in self.vectors.iter().filter(|v| v.target == target && !v.ok()) {
            match (&v.known_failure, &v.mismatch) {
                (Some(reason), None) => {
                    out.push(format!("known failure {} now passes ({reason}): remove it from the list", v.id))
                }
                (_, Some(m)) => out.push(format!("vector {} [{}]: {}", v.id, v.path, m.summary())),
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

    /// `✓`, `✗ <problems>` or `? unverified: <reason>` for one matrix row.
    fn mark(&self, target: &str, sep: &str) -> String {
        let problems = self.problems(target);
        if !problems.is_empty() {
            format!("✗ {}", problems.join(sep))
        } else if let Some(why) = self.unverified.get(target) {
            format!("? unverified: {why}")
        } else {
            "✓".to_string()
        }
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

fn checks_name(v: &Vector) -> String {
    match &v.target {
        Target::Operation(_) => v.stage.clone().unwrap_or_else(|| "sign".into()),
        Target::Response(_) => "response".into(),
        Target::Callback(_) => "callback".into(),
        Target::Recipe(r) => format!("recipe:{r}"),
    }
}

/// The vector folder of a spec: `<spec dir>/../vectors` (a project keeps `specs/` and `vectors/` side by
/// side), never the current directory.
pub fn default_vectors_dir(spec_path: &FsPath) -> PathBuf {
    spec_path.parent().unwrap_or(FsPath::new("")).join("..").join("vectors")
}

/// Check the spec at `path` with the vectors in `vectors_dir/<provider>/` (default:
/// [`default_vectors_dir`]). Bundled specs (compiled into this crate, unmodified) run through generated
/// code as well as the interpreter.
pub fn check_spec(path: &FsPath, vectors_dir: Option<&FsPath>, cases: u32) -> SpecCheck {
    let file = path.display().to_string();
    let root = vectors_dir.map(FsPath::to_path_buf).unwrap_or_else(|| default_vectors_dir(path));
    // Read once, through the loader's checks (regular files only, bounded size).
    let (spec, text) = match payspec_model::read_spec_file(path)
        .and_then(|text| payspec_model::load_str(&file, &text).map(|s| (s, text)))
    {
        Ok(s) => s,
        Err(d) => {
            let provider = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = root.join(&provider);
            let found = dir.is_dir();
            return SpecCheck {
                file,
                provider,
                lint: Err(d),
                targets: vec![],
                vectors_dir: (dir, found),
                paths: vec![],
                vectors: vec![],
                unverified: BTreeMap::new(),
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

    let dir = root.join(&spec.provider);
    let found = dir.is_dir();
    let known = known_failures(&dir);
    let vectors: Vec<Vector> = if found { load_vectors_in(&dir) } else { vec![] };
    let mut results = Vec::new();
    for v in &vectors {
        for p in &paths {
            results.push(VectorResult {
                id: v.id.clone(),
                target: target_name(&v.target),
                checks: checks_name(v),
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
            checks: "-".into(),
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
    let unverified = unverified(&spec, &results);
    let creds = dummy_credentials(&spec);
    let properties = properties::run(&spec, &creds, &paths, cases, None);
    let coverage = coverage::all(&spec, &creds, 16);
    SpecCheck {
        file,
        provider: spec.provider.clone(),
        lint: Ok(()),
        targets,
        vectors_dir: (dir, found),
        paths: paths.iter().map(|p| p.name().to_string()).collect(),
        vectors: results,
        unverified,
        properties,
        coverage,
    }
}

/// [`check_spec`] on every spec of `specs`, on up to [`std::thread::available_parallelism`] threads
/// (the specs are independent). `done` sees each result in the order of `specs`, as soon as it and
/// every one before it are finished, so progress streams and the output does not depend on which
/// thread finished first; the results come back in the order of `specs`.
pub fn check_specs(
    specs: &[PathBuf],
    vectors_dir: Option<&FsPath>,
    cases: u32,
    mut done: impl FnMut(&SpecCheck),
) -> Vec<SpecCheck> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(specs.len());
    if threads <= 1 {
        return specs
            .iter()
            .map(|p| {
                let c = check_spec(p, vectors_dir, cases);
                done(&c);
                c
            })
            .collect();
    }
    let next = AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel::<(usize, SpecCheck)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let send = send.clone();
            let next = &next;
            scope.spawn(move || {
                // Specs in order, each taken by the first free thread.
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = specs.get(i) else { return };
                    if send.send((i, check_spec(path, vectors_dir, cases))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        let mut pending: BTreeMap<usize, SpecCheck> = BTreeMap::new();
        let mut out = Vec::with_capacity(specs.len());
        // Ends when every thread has finished (a panicking one re-panics when the scope joins it).
        for (i, c) in receive {
            pending.insert(i, c);
            while let Some(c) = pending.remove(&out.len()) {
                done(&c);
                out.push(c);
            }
        }
        out
    })
}

/// Targets some recipe of which no passing vector checks. An operation's `sign` recipe is checked by an
/// operation vector (stage `sign`), its `auth` recipe by one with stage `auth` or by a vector of the
/// shared recipe itself, a signed response by a response vector, a callback by a callback vector; an
/// operation without recipes needs one operation vector. A vector passes when it reproduced on every
/// path and is not a listed known failure.
fn unverified(spec: &Spec, results: &[VectorResult]) -> BTreeMap<String, String> {
    let passing = |target: &str, checks: &str| {
        let runs: Vec<&VectorResult> = results.iter().filter(|r| r.target == target && r.checks == checks).collect();
        let mut ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        ids.dedup();
        ids.iter().any(|id| runs.iter().filter(|r| r.id == *id).all(|r| r.passed()))
    };
    let describe = |target: &str| {
        let all: Vec<&VectorResult> = results.iter().filter(|r| r.target == target).collect();
        if all.is_empty() {
            "no vectors".to_string()
        } else if all.iter().all(|r| r.known_failure.is_some()) {
            let ids: std::collections::BTreeSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
            format!("all {} of its vectors are known failures", ids.len())
        } else {
            String::new()
        }
    };
    let mut out = BTreeMap::new();
    for (name, op) in &spec.operations {
        let target = format!("operation {name}");
        let mut missing: Vec<String> = Vec::new();
        if op.sign.is_some() && !passing(&target, "sign") {
            missing.push("its `sign` recipe".into());
        }
        if let Some(auth) = &op.auth
            && !passing(&target, "auth")
            && !passing(&format!("recipe {auth}"), &format!("recipe:{auth}"))
        {
            missing.push(format!("its `auth: {auth}` recipe"));
        }
        if op.response.as_ref().is_some_and(|r| r.verify.is_some()) && !passing(&target, "response") {
            missing.push("its signed response".into());
        }
        let no_recipes = op.sign.is_none() && op.auth.is_none();
        if no_recipes && !results.iter().any(|r| r.target == target && r.passed()) {
            missing.push("the request".into());
        }
        if !missing.is_empty() {
            let why = describe(&target);
            let lead = if why.is_empty() { String::new() } else { format!("{why}; ") };
            out.insert(target, format!("{lead}no passing vector checks {}", missing.join(", ")));
        }
    }
    for name in spec.callbacks.keys() {
        let target = format!("callback {name}");
        if !passing(&target, "callback") {
            let why = describe(&target);
            out.insert(target, if why.is_empty() { "no passing vector".into() } else { why });
        }
    }
    out
}

fn load_vectors_in(dir: &FsPath) -> Vec<Vector> {
    // `load_vectors` walks provider folders under a root; reuse it on a one-folder view.
    let parent = dir.parent().unwrap_or(dir);
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    load_vectors(parent).unwrap_or_default().into_iter().filter(|v| v.provider == name).collect()
}

/// One-line progress summary: lint, vectors (passed / known failures / failed, and the paths they ran
/// on), properties, unverified targets, and the verdict (`✓`, `✗`, or `?` when nothing failed but some
/// target is unverified).
pub fn progress(c: &SpecCheck) -> String {
    match &c.lint {
        Err(d) => format!("{}: lint failed ({} error(s))", c.provider, d.0.len()),
        Ok(()) => {
            // Per vector, over every path it ran on: failed on any path, else known failure, else passed.
            let mut by_id: BTreeMap<&str, Vec<&VectorResult>> = BTreeMap::new();
            for v in &c.vectors {
                by_id.entry(&v.id).or_default().push(v);
            }
            let failed = by_id.values().filter(|runs| runs.iter().any(|v| !v.ok())).count();
            let known = by_id.values().filter(|runs| runs.iter().all(|v| v.ok() && v.known_failure.is_some())).count();
            let passed = by_id.len() - failed - known;
            let prop_ok = c.properties.iter().filter(|p| p.failure.is_none()).count();
            let vectors = if c.vectors_dir.1 {
                format!("vectors {passed} passed, {known} known failures, {failed} failed")
            } else {
                format!("vectors: none found in {}", c.vectors_dir.0.display())
            };
            let unverified =
                if c.unverified.is_empty() { String::new() } else { format!(" · {} unverified", c.unverified.len()) };
            format!(
                "{}: lint ok · {vectors} ({}) · properties {prop_ok}/{}{unverified} · {}",
                c.provider,
                paths_note(c),
                c.properties.len(),
                if !c.ok() {
                    "✗"
                } else if !c.verified() {
                    "?"
                } else {
                    "✓"
                }
            )
        }
    }
}

/// The paths exercised: `interpreter + generated`, or `interpreter only` for a spec that is not bundled.
fn paths_note(c: &SpecCheck) -> String {
    if c.paths.len() == 1 {
        format!("{} only: generated code exists only for the specs bundled at build time", c.paths[0])
    } else {
        c.paths.join(" + ")
    }
}

/// The coverage of a matrix row (an operation's response counts under the operation).
fn coverage_of<'a>(c: &'a SpecCheck, target: &str) -> impl Iterator<Item = &'a Coverage> {
    let response = target.replace("operation ", "response ");
    let target = target.to_string();
    c.coverage.iter().filter(move |cov| cov.target == target || cov.target == response)
}

fn unprotected<'a>(c: &'a SpecCheck, target: &str) -> Vec<&'a str> {
    coverage_of(c, target).flat_map(|cov| cov.unprotected.iter().map(String::as_str)).collect()
}

/// Pairs of fields that can trade characters without any signature noticing, as `a↔b`.
fn ambiguous(c: &SpecCheck, target: &str) -> Vec<String> {
    coverage_of(c, target).flat_map(|cov| cov.ambiguous.iter().map(|(a, b)| format!("{a}↔{b}"))).collect()
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
            let mark = c.mark(t, "; ");
            let open = unprotected(c, t);
            let open = if open.is_empty() { String::new() } else { format!("  unprotected: {}", open.join(", ")) };
            let shift = ambiguous(c, t);
            let shift = if shift.is_empty() { String::new() } else { format!("  ambiguous: {}", shift.join(", ")) };
            out.push_str(&format!("{:<10} {:<32} {mark}{open}{shift}\n", c.provider, t));
        }
    }
    out
}

/// The full Markdown report.
pub fn markdown(checks: &[SpecCheck]) -> String {
    let mut out = String::from("# payspec check\n\n| provider | target | result | fields not protected by any signature | fields that can trade characters |\n|---|---|---|---|---|\n");
    for c in checks {
        if let Err(d) = &c.lint {
            out.push_str(&format!(
                "| {} | (spec) | ✗ lint: {} | | |\n",
                c.provider,
                d.to_string().replace('\n', "<br>")
            ));
            continue;
        }
        for t in &c.targets {
            let mark = c.mark(t, "<br>");
            out.push_str(&format!(
                "| {} | {t} | {mark} | {} | {} |\n",
                c.provider,
                unprotected(c, t).join(", "),
                ambiguous(c, t).join(", ")
            ));
        }
    }
    for c in checks.iter().filter(|c| c.lint.is_ok()) {
        out.push_str(&format!(
            "\n## {}\n\nSpec: `{}`\n\nPaths: {}\n\n### Vectors\n\nFrom `{}`.\n\n",
            c.provider,
            c.file,
            paths_note(c),
            c.vectors_dir.0.display()
        ));
        if c.vectors.is_empty() {
            out.push_str(if c.vectors_dir.1 { "No vectors.\n" } else { "No vectors: the folder does not exist.\n" });
        }
        for v in &c.vectors {
            let status = match (&v.known_failure, &v.mismatch) {
                (None, None) => "✓".to_string(),
                (Some(r), Some(_)) => format!("known failure ({r})"),
                (Some(r), None) => format!("✗ known failure now passes ({r})"),
                (None, Some(m)) => format!("✗ {}", m.summary()),
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
