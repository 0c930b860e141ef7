//! What the raw-HTTP tests share: one request written on a fresh TCP connection
//! (`connection: close`) and the answer read to the end and split into status, headers and body;
//! the sample data, CRC-64 and file listing the write tests check against.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use oss_testserver::{ServerBuilder, TestServer};

/// One HTTP/1.1 answer: status, headers (names lower-cased) and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The first header called `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `<Code>` of an OSS error body (empty when there is none).
    pub(crate) fn code(&self) -> String {
        let t = self.text();
        t.split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or("")
            .to_string()
    }
}

/// Writes `head` (request line and headers, ending with the blank line) and `body` to `addr`,
/// reads the answer until the server closes the connection.
pub(crate) async fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut request = head.as_bytes().to_vec();
    request.extend_from_slice(body);
    let answer = oss_testserver::loopback::exchange(addr, &request)
        .await
        .unwrap();
    Answer {
        status: answer.status(),
        headers: answer.headers().to_vec(),
        body: answer.into_body(),
    }
}

/// A request head: `method target HTTP/1.1`, `connection: close`, `headers` in order and the
/// blank line that ends the head.
pub(crate) fn head(method: &str, target: &str, headers: &[(&str, &str)]) -> String {
    let mut req = format!("{method} {target} HTTP/1.1\r\nconnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req
}

/// Sends `method target` with `host` and `content-length` set, then `headers`, and `body`.
pub(crate) async fn send(
    server: &TestServer,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let (host, length) = (server.addr().to_string(), body.len().to_string());
    let mut all = vec![("host", host.as_str()), ("content-length", length.as_str())];
    all.extend_from_slice(headers);
    exchange(server.addr(), &head(method, target, &all), body).await
}

/// A server storing its buckets under `root`.
pub(crate) async fn root_server(root: &Path) -> TestServer {
    ServerBuilder::new().root_dir(root).start().await.unwrap()
}

/// A server that verifies every request's signature against `access_key_id`/`secret`.
pub(crate) async fn signing_server(access_key_id: &str, secret: &str) -> TestServer {
    ServerBuilder::new()
        .credential(access_key_id, secret)
        .start()
        .await
        .unwrap()
}

/// Sends `method target` with no headers of its own and no body.
pub(crate) async fn request(server: &TestServer, method: &str, target: &str) -> Answer {
    send(server, method, target, &[], b"").await
}

/// `len` bytes of a simple pattern that differs by `seed`.
pub(crate) fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The CRC-64/ECMA of `data`, as OSS sends it in `x-oss-hash-crc64ecma`.
pub(crate) fn crc64(data: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(data);
    d.sum64()
}

/// Every file under `dir`, at any depth.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Names of every file under `dir` (to find leftover temporary files).
pub(crate) fn all_files(dir: &Path) -> Vec<String> {
    files_under(dir)
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}
