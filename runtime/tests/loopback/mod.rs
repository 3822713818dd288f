//! A real HTTP/1.1 server on 127.0.0.1 for the transport and client tests, written on a raw
//! `TcpListener` so faults can be injected exactly. Every wait is bounded.
#![allow(dead_code)]

use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A recorded vector of `provider`.
pub fn vector(provider: &str, id: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../vectors/{provider}/{id}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Longest any server step or client call may take.
pub const BOUND: Duration = Duration::from_secs(2);

/// A request as the server read it off the socket.
#[derive(Debug)]
pub struct Received {
    pub method: String,
    pub target: String,
    /// Names as sent (case kept), values as text.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server does once it has read the request.
pub enum Reply {
    /// Write these bytes, then close.
    Bytes(Vec<u8>),
    /// Write nothing; wait until the client gives up and closes.
    Silent,
}

/// Read one request (head and `content-length` body) off `sock`.
pub async fn read_request(sock: &mut TcpStream) -> Received {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = sock.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the client closed before the request head ended");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap().split(' ');
    let (method, target) = (request_line.next().unwrap().to_string(), request_line.next().unwrap().to_string());
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.to_string(), v.trim_start().to_string())
        })
        .collect();
    let length: usize =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = sock.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the client closed before the body ended");
        body.extend_from_slice(&chunk[..n]);
    }
    Received { method, target, headers, body }
}

/// A one-connection server on 127.0.0.1; the handle yields the request it read.
pub async fn serve(reply: Reply) -> (SocketAddr, JoinHandle<Received>) {
    let (addr, all) = serve_all(vec![reply]).await;
    (addr, tokio::spawn(async move { all.await.unwrap().pop().unwrap() }))
}

/// A server on 127.0.0.1 answering one connection per reply, in order; the handle yields the
/// requests it read.
pub async fn serve_all(replies: Vec<Reply>) -> (SocketAddr, JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let mut received = Vec::new();
        for reply in replies {
            let step = tokio::time::timeout(BOUND, async {
                let (mut sock, _) = listener.accept().await.unwrap();
                let request = read_request(&mut sock).await;
                match reply {
                    Reply::Bytes(bytes) => {
                        sock.write_all(&bytes).await.unwrap();
                        sock.shutdown().await.unwrap();
                    }
                    Reply::Silent => {
                        let mut rest = [0u8; 64];
                        while sock.read(&mut rest).await.unwrap_or(0) > 0 {}
                    }
                }
                request
            });
            received.push(step.await.expect("the server step took longer than its bound"));
        }
        received
    });
    (addr, handle)
}

/// A port that was bound on 127.0.0.1 and closed: connecting to it is refused.
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// An HTTP/1.1 response: status line, headers, body (no framing added: give `content-length`).
pub fn response(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}
