//! Signature coverage, computed by mutation: which wire fields can change without any signature
//! noticing. Read from behaviour, not from the spec, so it also catches recipes that select a field
//! but lose it (an optional part that drops out, a pair with the wrong key).

use crate::strategies;
use payspec::{Clock, Credentials, Interpreter};
use payspec_model::{Context, DecodeStep, Field, Source, Spec};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value};
use std::fmt;

/// Coverage of one operation, callback or signed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// `operation refund`, `callback ipn`, `response refund`.
    pub target: String,
    /// Fields whose change left every signature valid / unchanged.
    pub unprotected: Vec<String>,
    /// Fields no generated sample could exercise (never present, or no valid mutation).
    pub untested: Vec<String>,
    /// Pairs of signed fields between which characters can move (the end of one to the start of the
    /// other, or back) with every signature still valid: the signed string does not tell them apart.
    pub ambiguous: Vec<(String, String)>,
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| if v.is_empty() { "-".to_string() } else { v.join(", ") };
        write!(f, "{}: unprotected: {}", self.target, list(&self.unprotected))?;
        if !self.untested.is_empty() {
            write!(f, "; untested: {}", list(&self.untested))?;
        }
        if !self.ambiguous.is_empty() {
            let pairs: Vec<String> = self.ambiguous.iter().map(|(a, b)| format!("{a}↔{b}")).collect();
            write!(f, "; ambiguous: {}", pairs.join(", "))?;
        }
        Ok(())
    }
}

const NOW: i64 = 1_700_000_000;

fn samples<T: fmt::Debug>(strategy: impl Strategy<Value = T>, n: usize, seed: &str) -> Vec<T> {
    let mut runner = TestRunner::new_with_rng(
        Default::default(),
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed_bytes(seed)),
    );
    (0..n).filter_map(|_| strategy.new_tree(&mut runner).ok().map(|t| t.current())).collect()
}

fn seed_bytes(s: &str) -> [u8; 32] {
    let d = payspec::crypto::sha256(s.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(&d);
    out
}

/// Fill `from:` defaults explicitly so they can be mutated like any other field.
fn materialise(fields: &indexmap::IndexMap<String, Field>, input: &mut Map<String, Value>, creds: &Credentials) {
    for (name, f) in fields {
        if input.contains_key(name) {
            continue;
        }
        let v = match f.from.as_ref().map(|i| &i.source) {
            Some(Source::Credential(c)) => creds.get(c).map(|v| v.json()),
            Some(Source::Context(Context::NowS)) => Some(Value::from(NOW)),
            Some(Source::Context(Context::NowMs)) => Some(Value::from(NOW * 1000)),
            Some(Source::Literal(l)) => Some(Value::String(l.clone())),
            _ => None,
        };
        if let Some(v) = v {
            input.insert(name.clone(), v);
        }
    }
}

/// Coverage of operation `op`'s request signatures (all recipes together).
pub fn operation(spec: &Spec, op: &str, creds: &Credentials, n: usize) -> Coverage {
    let operation = &spec.operations[op];
    let interp = Interpreter::new(spec);
    let clock = Clock::from_secs(NOW);
    // Signatures are deterministic functions of their strings to sign, so comparing the strings
    // compares the signatures, without an RSA private-key operation per mutation.
    let sign =
        |input: &Map<String, Value>| interp.strings_to_sign(op, input, creds, crate::default_env(spec), clock).ok();
    let mut inputs: Vec<(Map<String, Value>, Vec<String>)> = Vec::new();
    for mut input in samples(strategies::request(operation), n, &format!("{}.{op}", spec.provider)) {
        materialise(&operation.request, &mut input, creds);
        if let Some(sigs) = sign(&input) {
            inputs.push((input, sigs));
        }
    }
    let fields: Vec<(String, Field)> =
        strategies::wire_fields(operation).map(|(k, f)| (k.clone(), f.clone())).collect();
    classify(format!("operation {op}"), &fields, &inputs, |input| sign(input).map(|s| s.into_iter().collect()))
}

/// Value strategy for a received field, honouring its decode steps (base64 of JSON, JSON text).
fn received_value(f: &Field, steps: Option<&Vec<DecodeStep>>) -> proptest::strategy::BoxedStrategy<Value> {
    match steps.map(Vec::as_slice) {
        Some([DecodeStep::Base64, ..]) => strategies::value(&Field {
            ty: payspec_model::FieldType::JsonText,
            max_len: None,
            min_len: None,
            pattern: None,
            ..f.clone()
        })
        .prop_map(|v| {
            Value::String(base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                v.as_str().unwrap_or_default(),
            ))
        })
        .boxed(),
        _ => strategies::value(f),
    }
}

/// Received payloads with every field present (except the signature field `skip`), decodable.
pub fn received_payload(
    fields: &indexmap::IndexMap<String, Field>,
    skip: &str,
    decode: &indexmap::IndexMap<String, Vec<DecodeStep>>,
) -> proptest::strategy::BoxedStrategy<Map<String, Value>> {
    // Every field present, so every one can be mutated; decoded fields get decodable values.
    let plain: indexmap::IndexMap<String, Field> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != skip && !decode.contains_key(*k))
        .map(|(k, f)| (k.clone(), f.clone()))
        .collect();
    let coded: Vec<proptest::strategy::BoxedStrategy<(String, Value)>> = fields
        .iter()
        .filter(|(k, _)| decode.contains_key(*k))
        .map(|(k, f)| {
            let k = k.clone();
            received_value(f, decode.get(&k)).prop_map(move |v| (k.clone(), v)).boxed()
        })
        .collect();
    let order: Vec<String> = fields.keys().cloned().collect();
    (strategies::full_object(&plain), coded)
        .prop_map(move |(mut m, coded)| {
            m.extend(coded);
            let mut all: Vec<(String, Value)> = m.into_iter().collect();
            all.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
            all.into_iter().collect()
        })
        .boxed()
}

/// Coverage of callback `name`: fields a forger could change while the signature still verifies.
pub fn callback(spec: &Spec, name: &str, creds: &Credentials, n: usize) -> Coverage {
    let cb = &spec.callbacks[name];
    let interp = Interpreter::new(spec);
    let sig_field = cb.verify.place.field().unwrap_or_default().to_string();
    let mut payloads = Vec::new();
    for p in samples(received_payload(&cb.fields, &sig_field, &cb.decode), n, &format!("{}.{name}", spec.provider)) {
        if let Ok((signed, _)) = interp.sign_callback(name, &p, creds)
            && interp.verify_callback(name, &signed, creds).is_ok()
        {
            payloads.push((signed, vec![]));
        }
    }
    let fields: Vec<(String, Field)> =
        cb.fields.iter().filter(|(k, _)| **k != sig_field).map(|(k, f)| (k.clone(), f.clone())).collect();
    // "Same signatures" here means: the forged payload still verifies.
    classify(format!("callback {name}"), &fields, &payloads, |p| match interp.verify_callback(name, p, creds) {
        Ok(_) => Some(vec![]),
        Err(e) if e.is_bad_signature() => Some(vec!["rejected".into()]),
        Err(_) => None,
    })
}

/// Coverage of operation `op`'s signed response.
pub fn response(spec: &Spec, op: &str, creds: &Credentials, n: usize) -> Option<Coverage> {
    let resp = spec.operations[op].response.as_ref()?;
    let recipe = resp.verify.as_ref()?;
    let interp = Interpreter::new(spec);
    let sig_field = recipe.place.field().unwrap_or_default().to_string();
    let mut bodies = Vec::new();
    for b in samples(
        received_payload(&resp.fields, &sig_field, &Default::default()),
        n,
        &format!("{}.{op}.response", spec.provider),
    ) {
        // A body the spec signs: each `signed_when` field holds its first listed value.
        let mut b = b;
        for (f, values) in &resp.signed_when {
            if let (Some(v), false) = (values.first(), f.contains('.')) {
                let v = match v {
                    payspec_model::CodeValue::Int(i) => serde_json::Value::from(*i),
                    payspec_model::CodeValue::Text(t) => serde_json::Value::from(t.clone()),
                };
                b.insert(f.clone(), v);
            }
        }
        if let Ok((signed, _)) = interp.sign_response(op, &b, creds)
            && interp.verify_response(op, &signed, creds).is_ok()
        {
            bodies.push((signed, vec![]));
        }
    }
    let fields: Vec<(String, Field)> = flatten(&resp.fields, "").into_iter().filter(|(k, _)| *k != sig_field).collect();
    Some(classify(format!("response {op}"), &fields, &bodies, |b| match interp.verify_response(op, b, creds) {
        Ok(_) => Some(vec![]),
        // A changed `signed_when` field makes the body unsigned: it is not accepted as signed either.
        Err(e) if e.is_bad_signature() || e.is_unsigned() => Some(vec!["rejected".into()]),
        Err(_) => None,
    }))
}

/// Leaf fields by dotted path (objects are walked into).
fn flatten(fields: &indexmap::IndexMap<String, Field>, prefix: &str) -> Vec<(String, Field)> {
    let mut out = Vec::new();
    for (k, f) in fields {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        if f.fields.is_empty() {
            out.push((path, f.clone()));
        } else {
            out.extend(flatten(&f.fields, &path));
        }
    }
    out
}

fn get_path<'a>(m: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segs = path.split('.');
    let first = m.get(segs.next()?)?;
    segs.try_fold(first, |v, s| v.get(s))
}

fn set_path(m: &mut Map<String, Value>, path: &str, v: Value) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut cur = m;
    for s in &segs[..segs.len() - 1] {
        match cur.get_mut(*s).and_then(Value::as_object_mut) {
            Some(next) => cur = next,
            None => return,
        }
    }
    cur.insert(segs[segs.len() - 1].to_string(), v);
}

/// Mutate each field in each sample; a field is unprotected when some mutation left `observe`
/// unchanged, untested when no sample could exercise it.
fn classify(
    target: String,
    fields: &[(String, Field)],
    samples: &[(Map<String, Value>, Vec<String>)],
    observe: impl Fn(&Map<String, Value>) -> Option<Vec<String>>,
) -> Coverage {
    // `observe` is deterministic (fixed clock, deterministic signatures): each distinct payload is
    // signed or verified once, however many mutations compare against it.
    let seen: std::cell::RefCell<std::collections::HashMap<String, Option<Vec<String>>>> = Default::default();
    let observe = |m: &Map<String, Value>| {
        let key = serde_json::to_string(m).unwrap_or_default();
        if let Some(v) = seen.borrow().get(&key) {
            return v.clone();
        }
        let v = observe(m);
        seen.borrow_mut().insert(key, v.clone());
        v
    };
    let mut unprotected = Vec::new();
    let mut untested = Vec::new();
    for (name, f) in fields {
        let mut exercised = false;
        let mut open = false;
        for (sample, _) in samples {
            let Some(before) = observe(sample) else { continue };
            let Some(old) = get_path(sample, name) else { continue };
            let Some(new) = strategies::mutate(f, old) else { continue };
            let mut changed = sample.clone();
            set_path(&mut changed, name, new);
            let Some(after) = observe(&changed) else { continue };
            exercised = true;
            if after == before {
                open = true;
                break;
            }
        }
        if open {
            unprotected.push(name.clone());
        } else if !exercised {
            untested.push(name.clone());
        }
    }
    let signed: Vec<&String> =
        fields.iter().map(|(n, _)| n).filter(|n| !unprotected.contains(n) && !untested.contains(n)).collect();
    let ambiguous = shiftable(&signed, samples, &observe);
    Coverage { target, unprotected, untested, ambiguous }
}

/// Samples tried per pair of fields by the shifting mutation.
const SHIFT_SAMPLES: usize = 3;

/// The two-field shifting mutation: for each pair of signed fields, move one character from the end
/// of one to the start of the other (and from the start of one to the end of the other, both ways);
/// a pair is ambiguous when some such shift leaves `observe` unchanged.
fn shiftable(
    fields: &[&String],
    samples: &[(Map<String, Value>, Vec<String>)],
    observe: &impl Fn(&Map<String, Value>) -> Option<Vec<String>>,
) -> Vec<(String, String)> {
    let base: Vec<(&Map<String, Value>, Vec<String>)> =
        samples.iter().filter_map(|(s, _)| observe(s).map(|b| (s, b))).take(SHIFT_SAMPLES).collect();
    let mut out = Vec::new();
    for (i, a) in fields.iter().enumerate() {
        for b in &fields[i + 1..] {
            let hit = base.iter().any(|(sample, before)| {
                let (Some(va), Some(vb)) = (get_path(sample, a), get_path(sample, b)) else { return false };
                [(a, va, b, vb), (b, vb, a, va)].into_iter().any(|(x, vx, y, vy)| {
                    [true, false].into_iter().any(|end_to_start| {
                        let Some((nx, ny)) = shift(vx, vy, end_to_start) else { return false };
                        let mut changed = (*sample).clone();
                        set_path(&mut changed, x, nx);
                        set_path(&mut changed, y, ny);
                        observe(&changed).as_ref() == Some(before)
                    })
                })
            });
            if hit {
                out.push(((*a).clone(), (*b).clone()));
            }
        }
    }
    out
}

/// `x`, `y` after moving one character: the last of `x` to the front of `y` (`end_to_start`), or
/// the first of `y` to the end of `x`. Each keeps its JSON kind (a number stays a number); `None`
/// when the shift is impossible.
fn shift(x: &Value, y: &Value, end_to_start: bool) -> Option<(Value, Value)> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (mut tx, mut ty) = (text(x)?, text(y)?);
    if end_to_start {
        let c = tx.pop()?;
        ty.insert(0, c);
    } else {
        let c = ty.chars().next()?;
        ty.drain(..c.len_utf8());
        tx.push(c);
    }
    let back = |like: &Value, t: String| match like {
        Value::Number(_) => serde_json::from_str::<Value>(&t).ok().filter(Value::is_number),
        _ => Some(Value::String(t)),
    };
    Some((back(x, tx)?, back(y, ty)?))
}

/// Coverage of every operation, signed response and callback of a spec.
pub fn all(spec: &Spec, creds: &Credentials, n: usize) -> Vec<Coverage> {
    let mut out: Vec<Coverage> = spec.operations.keys().map(|op| operation(spec, op, creds, n)).collect();
    out.extend(spec.operations.keys().filter_map(|op| response(spec, op, creds, n)));
    out.extend(spec.callbacks.keys().map(|cb| callback(spec, cb, creds, n)));
    out
}
