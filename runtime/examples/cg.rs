//! Instruction counts per signing call, for comparing signers under callgrind (stable where wall and
//! CPU time on a shared machine are not).
//!
//! ```sh
//! cargo build --release -p payspec --example cg
//! python3 bench/callgrind.py                    # every recipe × path, instructions per call
//! # or by hand: the difference of two runs, divided by the extra calls
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/cg hitechpay generated 201
//! ```
//!
//! `cg <recipe> <path> <calls>`: recipe `hitechpay`, `vietqr`, `ninepay`, `appotapay`; path `hand`
//! (the bench's hand-written baseline, `benches/hand/mod.rs`), `generated` or `interpreter`. Setup
//! (spec parsing, request and credentials) is the same for every call count, so the count of a run
//! with N + 200 calls minus that of a run with N calls, over 200, is the cost of one call.

#[path = "../benches/hand/mod.rs"]
#[allow(dead_code)]
mod hand;

use payspec::serde_json::{self, Map, Value};
use payspec::{Clock, Credentials, Interpreter};
use std::hint::black_box;

payspec::provider!("../specs/hitechpay.yaml");
payspec::provider!("../specs/vietqr.yaml");
payspec::provider!("../specs/ninepay.yaml");
payspec::provider!("../specs/appotapay.yaml");

fn read(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Vector(Value);

impl Vector {
    fn load(provider: &str, id: &str) -> Self {
        Vector(serde_json::from_str(&read(&format!("vectors/{provider}/{id}.json"))).unwrap())
    }
    fn input(&self) -> &Map<String, Value> {
        self.0["input"].as_object().unwrap()
    }
    fn s(&self, f: &str) -> &str {
        self.0["input"][f].as_str().unwrap()
    }
    fn i(&self, f: &str) -> i64 {
        self.0["input"][f].as_i64().unwrap()
    }
    fn cred(&self, n: &str) -> &str {
        self.0["credentials"][n].as_str().unwrap()
    }
    fn clock(&self) -> Clock {
        Clock::from_secs(self.0["now"].as_i64().unwrap_or(1_599_189_500))
    }
}

/// Call `f` `n` times, keeping every result alive until it is dropped (as the bench does).
fn repeat<T>(n: usize, f: impl Fn() -> T) {
    for _ in 0..n {
        black_box(f());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, recipe, path, n] = &args[..] else {
        eprintln!("usage: cg <hitechpay|vietqr|ninepay|appotapay> <hand|generated|interpreter> <calls>");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("calls: a number");
    let spec =
        payspec::model::load_str(&format!("../specs/{recipe}.yaml"), &read(&format!("specs/{recipe}.yaml"))).unwrap();
    let interp = Interpreter::new(&spec);
    match recipe.as_str() {
        "hitechpay" => {
            let v = Vector::load("hitechpay", "hitechpay-refund-utf8-2553");
            let (rt, clock) = (Credentials::from_json(&spec, &v.0["credentials"]).unwrap(), v.clock());
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
            let (app_id, key1) = (v.0["credentials"]["app_id"].as_i64().unwrap(), v.cred("key1"));
            match path.as_str() {
                "hand" => repeat(n, || hand::hitechpay_refund(black_box(&h), app_id, key1, clock.now_ms)),
                "generated" => repeat(n, || {
                    hitechpay::sign_refund(black_box(&req), &creds, hitechpay::Env::Sandbox, clock).unwrap()
                }),
                _ => repeat(n, || interp.sign("refund", black_box(v.input()), &rt, "sandbox", clock).unwrap()),
            }
        }
        "vietqr" => {
            let v = Vector::load("vietqr", "vietqr-refund-checksum");
            let (rt, clock) = (Credentials::from_json(&spec, &v.0["credentials"]).unwrap(), v.clock());
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
            match path.as_str() {
                "hand" => repeat(n, || hand::vietqr_refund(black_box(&h), secret_key, token)),
                "generated" => {
                    repeat(n, || vietqr::sign_refund(black_box(&req), &creds, vietqr::Env::Sandbox, clock).unwrap())
                }
                _ => repeat(n, || interp.sign("refund", black_box(v.input()), &rt, "sandbox", clock).unwrap()),
            }
        }
        "ninepay" => {
            let v = Vector::load("ninepay", "ninepay-refund-create-bank");
            let (rt, clock) = (Credentials::from_json(&spec, &v.0["credentials"]).unwrap(), v.clock());
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
            match path.as_str() {
                "hand" => repeat(n, || hand::ninepay_refund(black_box(&h), merchant_key, secret_key, now_s)),
                "generated" => {
                    repeat(n, || ninepay::sign_refund(black_box(&req), &creds, ninepay::Env::Sandbox, clock).unwrap())
                }
                _ => repeat(n, || interp.sign("refund", black_box(v.input()), &rt, "sandbox", clock).unwrap()),
            }
        }
        "appotapay" => {
            let v = Vector::load("appotapay", "appotapay-v1-refund-request-sandbox");
            let (rt, clock) = (Credentials::from_json(&spec, &v.0["credentials"]).unwrap(), v.clock());
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
            match path.as_str() {
                "hand" => repeat(n, || hand::appotapay_refund(black_box(&h), partner, api_key, secret, now_s)),
                "generated" => repeat(n, || {
                    appotapay::sign_refund(black_box(&req), &creds, appotapay::Env::Sandbox, clock).unwrap()
                }),
                _ => repeat(n, || interp.sign("refund", black_box(v.input()), &rt, "sandbox", clock).unwrap()),
            }
        }
        other => panic!("unknown recipe `{other}`"),
    }
}
