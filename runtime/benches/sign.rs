//! Signing and verifying speed, one criterion group per seed recipe with `hand` (the shortest correct
//! hand-written Rust, `hand/mod.rs`), `generated` (`payspec::provider!`) and `interpreter` side by
//! side; RSA-2048 per backend; spec loading.
//!
//! ```sh
//! cargo bench -p payspec --bench sign -- --warm-up-time 1 --measurement-time 2
//! cargo bench -p payspec --bench sign --features rsa-rustcrypto -- rsa-2048   # both RSA backends
//! python3 bench/ratios.py                                                     # the Markdown rows
//! PAYSPEC_BENCH_CLOCK=cpu cargo bench -p payspec --bench sign                   # thread CPU time
//! ```
//!
//! The clock is wall time by default; `PAYSPEC_BENCH_CLOCK=cpu` measures the bench thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) instead: time the thread spends descheduled while other processes
//! run is not counted, so a shared machine inflates the figures less. The clock used is written to
//! `target/criterion/payspec-clock.txt`, which `bench/ratios.py` prints.
//!
//! Before anything is timed, every group asserts that the three paths produce the same method, URL,
//! headers (in order), body (byte for byte) and signature, and that they equal the recorded vector:
//! a wrong baseline cannot pass silently. Specs are parsed once, outside the timed loops; requests
//! and credentials are built once (the timed call is the signing call itself).

mod hand;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkId, Criterion};
use payspec::model::Spec;
use payspec::serde_json::{self, Map, Value};
use payspec::{Clock, Credentials, Interpreter, SignedRequest};
use std::hint::black_box;
use std::path::PathBuf;

payspec::provider!("../specs/hitechpay.yaml");
payspec::provider!("../specs/vietqr.yaml");
payspec::provider!("../specs/ninepay.yaml");
payspec::provider!("../specs/appotapay.yaml");
payspec::provider!("../specs/bbmsl.yaml");

const SEEDS: &[&str] = &["hitechpay", "vietqr", "ninepay", "appotapay", "bbmsl"];

fn root(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The spec, parsed once, named as `provider!` names it.
fn spec(provider: &str) -> Spec {
    let name = format!("../specs/{provider}.yaml");
    payspec::model::load_str(&name, &read(&format!("specs/{provider}.yaml"))).unwrap_or_else(|e| panic!("{e}"))
}

/// A recorded vector (`vectors/<provider>/<id>.json`).
struct Vector {
    v: Value,
}

impl Vector {
    fn load(provider: &str, id: &str) -> Self {
        Vector { v: serde_json::from_str(&read(&format!("vectors/{provider}/{id}.json"))).unwrap() }
    }
    fn input(&self) -> &Map<String, Value> {
        self.v["input"].as_object().unwrap()
    }
    fn s(&self, field: &str) -> &str {
        self.v["input"][field].as_str().unwrap_or_else(|| panic!("input.{field} is not a string"))
    }
    fn i(&self, field: &str) -> i64 {
        self.v["input"][field].as_i64().unwrap_or_else(|| panic!("input.{field} is not an integer"))
    }
    fn cred(&self, name: &str) -> &str {
        self.v["credentials"][name].as_str().unwrap_or_else(|| panic!("credentials.{name} is not a string"))
    }
    fn creds(&self, spec: &Spec) -> Credentials {
        Credentials::from_json(spec, &self.v["credentials"]).unwrap()
    }
    fn clock(&self) -> Clock {
        Clock::from_secs(self.v["now"].as_i64().unwrap_or(1_599_189_500))
    }
    fn expected(&self, key: &str) -> &Value {
        &self.v["expected"][key]
    }
}

/// What goes on the wire, in a form that compares order and bytes exactly.
#[derive(Debug, PartialEq)]
struct Wire {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl From<&SignedRequest> for Wire {
    fn from(s: &SignedRequest) -> Self {
        Wire {
            method: s.method.to_string(),
            url: s.url.clone(),
            headers: s.headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            body: serde_json::to_string(&s.body.to_json()).unwrap(),
        }
    }
}

impl From<&hand::Request> for Wire {
    fn from(r: &hand::Request) -> Self {
        Wire {
            method: r.method.to_string(),
            url: r.url.clone(),
            headers: r.headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            body: serde_json::to_string(&r.body).unwrap(),
        }
    }
}

/// Hand == generated == interpreter, and all equal the vector: method, URL, body, the vector's
/// headers, and the signature of the `sign` recipe.
fn assert_same(group: &str, v: &Vector, hand: &hand::Request, generated: &SignedRequest, interpreter: &SignedRequest) {
    let (h, g, i) = (Wire::from(hand), Wire::from(generated), Wire::from(interpreter));
    assert_eq!(h, g, "{group}: hand-written baseline differs from the generated signer");
    assert_eq!(g, i, "{group}: generated signer differs from the interpreter");
    let (gs, is) = (generated.stage("sign").unwrap(), interpreter.stage("sign").unwrap());
    assert_eq!(gs.signature.0, is.signature.0, "{group}: signatures differ");
    assert_eq!(gs.signature.0, v.expected("signature").as_str().unwrap(), "{group}: signature ≠ vector");
    assert_eq!(h.method, v.expected("method").as_str().unwrap(), "{group}: method ≠ vector");
    assert_eq!(h.url, v.expected("url").as_str().unwrap(), "{group}: URL ≠ vector");
    assert_eq!(h.body, serde_json::to_string(v.expected("body")).unwrap(), "{group}: body ≠ vector");
    if let Some(want) = v.expected("headers").as_object() {
        for (k, val) in want {
            let got = h.headers.iter().find(|(n, _)| n == k).map(|(_, x)| x.as_str());
            assert_eq!(got, val.as_str(), "{group}: header {k} ≠ vector");
        }
    }
}

fn hitechpay_refund<M: Measurement>(c: &mut Criterion<M>) {
    let spec = spec("hitechpay");
    let v = Vector::load("hitechpay", "hitechpay-refund-utf8-2553");
    let (rt, clock, interp) = (v.creds(&spec), v.clock(), Interpreter::new(&spec));
    let creds = hitechpay::Credentials::from_runtime(&rt).unwrap();
    let req = hitechpay::RefundRequest::builder()
        .m_refund_id(v.s("m_refund_id"))
        .zp_trans_id(v.s("zp_trans_id"))
        .amount(v.i("amount"))
        .description(v.s("description"))
        .build()
        .unwrap();
    let h = hand::HitechpayRefund {
        m_refund_id: v.s("m_refund_id"),
        zp_trans_id: v.s("zp_trans_id"),
        amount: v.i("amount"),
        refund_fee_amount: None,
        description: v.s("description"),
    };
    let (app_id, key1) = (v.v["credentials"]["app_id"].as_i64().unwrap(), v.cred("key1"));
    let input = v.input();

    let hand = || hand::hitechpay_refund(black_box(&h), app_id, key1, clock.now_ms);
    let generated = || hitechpay::sign_refund(black_box(&req), &creds, hitechpay::Env::Sandbox, clock).unwrap();
    let interpreter = || interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap();
    assert_same("hitechpay-refund", &v, &hand(), &generated(), &interpreter());

    let mut g = c.benchmark_group("hitechpay-refund");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

fn vietqr_refund<M: Measurement>(c: &mut Criterion<M>) {
    let spec = spec("vietqr");
    let v = Vector::load("vietqr", "vietqr-refund-checksum");
    let (rt, clock, interp) = (v.creds(&spec), v.clock(), Interpreter::new(&spec));
    let creds = vietqr::Credentials::from_runtime(&rt).unwrap();
    let multi = v.input()["multiTimes"].as_bool().unwrap();
    let req = vietqr::RefundRequest::builder()
        .bank_code(v.s("bankCode"))
        .bank_account(v.s("bankAccount"))
        .reference_number(v.s("referenceNumber"))
        .amount(v.s("amount"))
        .content(v.s("content"))
        .multi_times(multi)
        .build()
        .unwrap();
    let h = hand::VietqrRefund {
        bank_code: v.s("bankCode"),
        bank_account: v.s("bankAccount"),
        reference_number: v.s("referenceNumber"),
        amount: v.s("amount"),
        content: v.s("content"),
        multi_times: Some(multi),
    };
    let (secret_key, token) = (v.cred("secret_key"), v.cred("access_token"));
    let input = v.input();

    let hand = || hand::vietqr_refund(black_box(&h), secret_key, token);
    let generated = || vietqr::sign_refund(black_box(&req), &creds, vietqr::Env::Sandbox, clock).unwrap();
    let interpreter = || interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap();
    assert_same("vietqr-refund", &v, &hand(), &generated(), &interpreter());

    let mut g = c.benchmark_group("vietqr-refund");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

fn ninepay_refund<M: Measurement>(c: &mut Criterion<M>) {
    let spec = spec("ninepay");
    let v = Vector::load("ninepay", "ninepay-refund-create-bank");
    let (rt, clock, interp) = (v.creds(&spec), v.clock(), Interpreter::new(&spec));
    let creds = ninepay::Credentials::from_runtime(&rt).unwrap();
    let req = ninepay::RefundRequest::builder()
        .request_id(v.s("request_id"))
        .payment_no(v.i("payment_no"))
        .amount(v.i("amount"))
        .description(v.s("description"))
        .bank(v.s("bank"))
        .account_number(v.s("account_number"))
        .customer_name(v.s("customer_name"))
        .build()
        .unwrap();
    let h = hand::NinepayRefund {
        request_id: v.s("request_id"),
        payment_no: v.i("payment_no"),
        amount: v.i("amount"),
        description: v.s("description"),
        bank: Some((v.s("bank"), v.s("account_number"), v.s("customer_name"))),
    };
    let (merchant_key, secret_key) = (v.cred("merchant_key"), v.cred("secret_key"));
    let now_s = clock.now_ms / 1000;
    let input = v.input();

    let hand = || hand::ninepay_refund(black_box(&h), merchant_key, secret_key, now_s);
    let generated = || ninepay::sign_refund(black_box(&req), &creds, ninepay::Env::Sandbox, clock).unwrap();
    let interpreter = || interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap();
    assert_same("ninepay-refund", &v, &hand(), &generated(), &interpreter());

    let mut g = c.benchmark_group("ninepay-refund");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

fn appotapay_v1_refund<M: Measurement>(c: &mut Criterion<M>) {
    let spec = spec("appotapay");
    let v = Vector::load("appotapay", "appotapay-v1-refund-request-sandbox");
    let (rt, clock, interp) = (v.creds(&spec), v.clock(), Interpreter::new(&spec));
    let creds = appotapay::Credentials::from_runtime(&rt).unwrap();
    let req = appotapay::RefundRequest::builder()
        .refund_id(v.s("refundId"))
        .appotapay_trans_id(v.s("appotapayTransId"))
        .amount(v.i("amount"))
        .reason(v.s("reason"))
        .build()
        .unwrap();
    let h = hand::AppotapayRefund {
        refund_id: v.s("refundId"),
        appotapay_trans_id: v.s("appotapayTransId"),
        amount: v.i("amount"),
        reason: v.s("reason"),
    };
    let (partner, api_key, secret) = (v.cred("partner_code"), v.cred("api_key"), v.cred("secret_key"));
    let now_s = clock.now_ms / 1000;
    let input = v.input();

    let hand = || hand::appotapay_refund(black_box(&h), partner, api_key, secret, now_s);
    let generated = || appotapay::sign_refund(black_box(&req), &creds, appotapay::Env::Sandbox, clock).unwrap();
    let interpreter = || interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap();
    assert_same("appotapay-v1-refund", &v, &hand(), &generated(), &interpreter());

    let mut g = c.benchmark_group("appotapay-v1-refund");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

#[cfg(feature = "aws-lc-rs")]
fn bbmsl_refund<M: Measurement>(c: &mut Criterion<M>) {
    use std::str::FromStr;
    let spec = spec("bbmsl");
    let v = Vector::load("bbmsl", "bbmsl-refund-request");
    let (rt, clock, interp) = (v.creds(&spec), v.clock(), Interpreter::new(&spec));
    let creds = bbmsl::Credentials::from_runtime(&rt).unwrap();
    let amount = v.input()["amount"].to_string();
    let req = bbmsl::RefundRequest::builder()
        .merchant_id(v.i("merchantId"))
        .order_id(v.i("orderId"))
        .amount(payspec::rust_decimal::Decimal::from_str(&amount).unwrap())
        .build()
        .unwrap();
    let number = serde_json::Number::from_str(&amount).unwrap();
    let h = hand::BbmslRefund {
        merchant_id: v.i("merchantId"),
        order_id: Some(v.i("orderId")),
        merchant_reference: None,
        amount: &number,
    };
    // Parsed once, as a service holding its key would (payspec parses the PEM on every call today).
    let key = hand::bbmsl_key(v.cred("private_key"));
    let input = v.input();

    let hand = || hand::bbmsl_refund(black_box(&h), &key);
    let generated = || bbmsl::sign_refund(black_box(&req), &creds, bbmsl::Env::Sandbox, clock).unwrap();
    let interpreter = || interp.sign("refund", black_box(input), &rt, "sandbox", clock).unwrap();
    assert_same("bbmsl-refund", &v, &hand(), &generated(), &interpreter());

    let mut g = c.benchmark_group("bbmsl-refund");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

#[cfg(not(feature = "aws-lc-rs"))]
fn bbmsl_refund<M: Measurement>(_: &mut Criterion<M>) {
    eprintln!("bbmsl-refund: the hand-written RSA baseline uses aws-lc-rs (default feature `aws-lc-rs`); skipped");
}

fn hitechpay_callback<M: Measurement>(c: &mut Criterion<M>) {
    let spec = spec("hitechpay");
    let v = Vector::load("hitechpay", "hitechpay-callback-published-2553");
    let (rt, interp) = (v.creds(&spec), Interpreter::new(&spec));
    let creds = hitechpay::Credentials::from_runtime(&rt).unwrap();
    let key2 = v.cred("key2");
    let payload = v.input();

    let hand = || hand::hitechpay_callback(black_box(payload), key2).unwrap();
    let generated = || hitechpay::verify_callback(black_box(payload), &creds).unwrap();
    let interpreter = || interp.verify_callback("callback", black_box(payload), &rt).unwrap();
    let (h, g, i) = (hand(), generated(), interpreter());
    assert_eq!(h, g.payload, "hitechpay-callback: hand-written baseline differs from the generated verifier");
    assert_eq!(g, i, "hitechpay-callback: generated verifier differs from the interpreter");
    assert_eq!(h["data"], v.v["decoded"]["data"], "hitechpay-callback: decoded data ≠ vector");
    assert_eq!(g.stages.string_to_sign.0, v.expected("string_to_sign").as_str().unwrap());
    // A forged MAC is refused on every path.
    let mut forged = payload.clone();
    forged.insert("mac".into(), Value::String(v.expected("signature").as_str().unwrap().replace('d', "e")));
    assert!(hand::hitechpay_callback(&forged, key2).is_none());
    assert!(hitechpay::verify_callback(&forged, &creds).unwrap_err().is_bad_signature());
    assert!(interp.verify_callback("callback", &forged, &rt).unwrap_err().is_bad_signature());

    let mut g = c.benchmark_group("hitechpay-callback");
    g.bench_function("hand", |b| b.iter(hand));
    g.bench_function("generated", |b| b.iter(generated));
    g.bench_function("interpreter", |b| b.iter(interpreter));
    g.finish();
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 on each backend compiled in (`--features rsa-rustcrypto` adds the
/// `rsa` crate), PEM text in as payspec calls it; plus aws-lc-rs with the key parsed once, the figure
/// comparable to `openssl speed rsa2048` (see `bench/rsa.py`).
fn rsa_2048<M: Measurement>(c: &mut Criterion<M>) {
    let private = read("conformance/keys/test_private_key.pem");
    let public = read("conformance/keys/test_public_key.pem");
    let msg = r#"{"merchantId":3,"orderId":4922,"amount":10}"#.repeat(8);
    let mut g = c.benchmark_group("rsa-2048");
    for backend in payspec::crypto::RsaBackend::ALL {
        let sig = backend.sign_sha256(&private, msg.as_bytes()).unwrap();
        g.bench_function(BenchmarkId::new("sign", backend.name()), |b| {
            b.iter(|| backend.sign_sha256(&private, black_box(msg.as_bytes())).unwrap())
        });
        g.bench_function(BenchmarkId::new("verify", backend.name()), |b| {
            b.iter(|| assert!(backend.verify_sha256(&public, black_box(msg.as_bytes()), &sig).unwrap()))
        });
    }
    #[cfg(feature = "aws-lc-rs")]
    {
        use aws_lc_rs::signature::{self as sig, KeyPair};
        let key = hand::bbmsl_key(&private);
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut out = vec![0; key.public_modulus_len()];
        key.sign(&sig::RSA_PKCS1_SHA256, &rng, msg.as_bytes(), &mut out).unwrap();
        let public_der = key.public_key().as_ref().to_vec();
        let verifier = sig::UnparsedPublicKey::new(&sig::RSA_PKCS1_2048_8192_SHA256, &public_der);
        g.bench_function(BenchmarkId::new("sign", "aws-lc-rs parsed key"), |b| {
            b.iter(|| key.sign(&sig::RSA_PKCS1_SHA256, &rng, black_box(msg.as_bytes()), &mut out).unwrap())
        });
        g.bench_function(BenchmarkId::new("verify", "aws-lc-rs parsed key"), |b| {
            b.iter(|| verifier.verify(black_box(msg.as_bytes()), &out).unwrap())
        });
    }
    g.finish();
}

/// `load_str` (parse + position index + validation) per seed spec.
fn spec_load<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("spec-load");
    for p in SEEDS {
        let text = read(&format!("specs/{p}.yaml"));
        let name = format!("{p}.yaml");
        g.bench_function(BenchmarkId::from_parameter(p), |b| {
            b.iter(|| payspec::model::load_str(&name, black_box(&text)).unwrap())
        });
    }
    g.finish();
}

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`), formatted as durations.
struct ThreadCpuTime(WallTime);

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn run<M: Measurement>(mut c: Criterion<M>) {
    hitechpay_refund(&mut c);
    vietqr_refund(&mut c);
    ninepay_refund(&mut c);
    appotapay_v1_refund(&mut c);
    bbmsl_refund(&mut c);
    hitechpay_callback(&mut c);
    rsa_2048(&mut c);
    spec_load(&mut c);
    c.final_summary();
}

fn main() {
    let cpu = match std::env::var("PAYSPEC_BENCH_CLOCK").as_deref() {
        Ok("cpu") => true,
        Ok("wall") | Err(_) => false,
        Ok(other) => panic!("PAYSPEC_BENCH_CLOCK={other}: expected `wall` or `cpu`"),
    };
    let clock = if cpu { "thread CPU time" } else { "wall time" };
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root("target"));
    let dir = target.join("criterion");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("payspec-clock.txt"), clock);
    }
    if cpu {
        run(Criterion::default().with_measurement(ThreadCpuTime(WallTime)).configure_from_args());
    } else {
        run(Criterion::default().configure_from_args());
    }
}
