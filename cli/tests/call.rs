//! `payspec call` as a real process against a real HTTP server on 127.0.0.1 (a thread here): what
//! arrives is the vector's request, what is printed is the answer with its verification and outcome,
//! and each kind of failure has its documented exit code. Every wait is bounded.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::JoinHandle;
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tmp(name: &str, content: &Value) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-call-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content.to_string()).unwrap();
    p
}

fn vector(provider: &str, id: &str) -> Value {
    let text = std::fs::read_to_string(root().join(format!("vectors/{provider}/{id}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A one-request server: reads the request (head + content-length body), answers `reply`, returns
/// the request bytes.
fn serve(reply: Vec<u8>) -> (String, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = sock.read(&mut chunk).unwrap();
            assert!(n > 0, "the client closed early");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if buf.len() >= i + 4 + len {
                    break;
                }
            }
        }
        sock.write_all(&reply).unwrap();
        buf
    });
    (addr, handle)
}

fn json_answer(body: &Value) -> Vec<u8> {
    let text = body.to_string();
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    )
    .into_bytes()
}

fn call(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec"))
        .arg("call")
        .args(args)
        .current_dir(root())
        .output()
        .expect("payspec runs")
}

fn hitechpay_files() -> (PathBuf, PathBuf, Value) {
    let v = vector("hitechpay", "hitechpay-refund-nofee-2553");
    (tmp("htp-request.json", &v["input"]), tmp("htp-creds.json", &v["credentials"]), v["expected"].clone())
}

#[test]
fn call_sends_the_vector_and_prints_the_outcome() {
    let (req, creds, expected) = hitechpay_files();
    let (addr, server) = serve(json_answer(&json!({"return_code": 1, "return_message": "ok", "refund_id": 77})));
    let base = format!("http://{addr}/hitechpay");
    let out = call(&[
        "hitechpay",
        "refund",
        "--request",
        req.to_str().unwrap(),
        "--credentials",
        creds.to_str().unwrap(),
        "--base-url",
        &base,
    ]);
    let sent = server.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let sent = String::from_utf8(sent).unwrap();
    assert!(sent.starts_with("POST /hitechpay/refund HTTP/1.1\r\n"), "{sent}");
    assert!(sent.ends_with(&serde_json::to_string(&expected["body"]).unwrap()), "{sent}");

    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["response"]["status"], 200);
    assert_eq!(printed["response"]["body"]["refund_id"], 77);
    assert_eq!(printed["status"]["outcome"], "processing");
    assert_eq!(printed["status"]["name"], "ACCEPTED");
    assert_eq!(printed["verification"], "unsigned (the spec signs no response of this operation)");
    let key1 = vector("hitechpay", "hitechpay-refund-nofee-2553")["credentials"]["key1"].as_str().unwrap().to_string();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&key1));
}

#[test]
fn call_refuses_a_forged_signed_response_with_exit_1() {
    let v = vector("appotapay", "appotapay-v1-refund-response-sandbox");
    let mut forged = v["input"].clone();
    forged["data"]["status"] = json!("success");
    let (addr, server) = serve(json_answer(&forged));
    let req = tmp(
        "appota-request.json",
        &json!({"refundId": "237052c887614019bedfd1851a287d9c", "appotapayTransId": "AP211364332963", "amount": 10000, "reason": "Test refund"}),
    );
    let creds = tmp("appota-creds.json", &v["credentials"]);
    let base = format!("http://{addr}/appotapay");
    let out = call(&[
        "appotapay",
        "refund",
        "--request",
        req.to_str().unwrap(),
        "--credentials",
        creds.to_str().unwrap(),
        "--base-url",
        &base,
    ]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(printed["error"].as_str().unwrap().contains("signature"), "{printed}");
    assert!(printed.get("status").is_none(), "no outcome is read from a forged answer");
}

#[test]
fn call_exit_codes_name_what_happened() {
    let (req, creds, _) = hitechpay_files();
    let (req, creds) = (req.to_str().unwrap(), creds.to_str().unwrap());
    // Nothing listening: not sent.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = format!("http://127.0.0.1:{port}/x");
    assert_eq!(
        call(&["hitechpay", "refund", "--request", req, "--credentials", creds, "--base-url", &closed]).status.code(),
        Some(3)
    );
    // The connection drops after the request arrived: ambiguous.
    let (addr, server) = serve(Vec::new());
    let base = format!("http://{addr}/x");
    assert_eq!(
        call(&["hitechpay", "refund", "--request", req, "--credentials", creds, "--base-url", &base]).status.code(),
        Some(4)
    );
    server.join().unwrap();
    // Bad input: nothing sent.
    let out = call(&["hitechpay", "refund", "--request", req, "--credentials", creds, "--base-url", "ftp://x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base-url"));
}
