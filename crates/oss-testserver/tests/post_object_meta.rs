//! PostObject keeps the form's `Content-Type` and `x-oss-meta-*` fields exactly as PutObject
//! keeps the same headers: returned on GET and HEAD, in the metadata file under
//! `root/.oss-testserver/meta`, and across a restart; in-memory buckets too.

use oss_testserver::{ObjectStore, ServerBuilder, TestServer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers a reader of the object sees (what must be equal for PUT and POST).
    fn object_headers(&self) -> Vec<(String, String)> {
        let mut kept: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(n, _)| {
                n == "content-type"
                    || n == "content-length"
                    || n == "etag"
                    || n == "x-oss-hash-crc64ecma"
                    || n.starts_with("x-oss-meta-")
            })
            .cloned()
            .collect();
        kept.sort();
        kept
    }
}

async fn send(
    server: &TestServer,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nconnection: close\r\nhost: {}\r\ncontent-length: {}\r\n",
        server.addr(),
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

const BOUNDARY: &str = "----oss-testserver-form-7d1f";

/// A `multipart/form-data` body: `fields` in order, then the file.
fn form(fields: &[(&str, &str)], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post(server: &TestServer, bucket: &str, fields: &[(&str, &str)], file: &[u8]) -> Answer {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    send(
        server,
        "POST",
        &format!("/{bucket}/"),
        &[("content-type", &content_type)],
        &form(fields, file),
    )
    .await
}

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(29).wrapping_add(seed))
        .collect()
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

/// PUT and POST of the same bytes with the same type and metadata, then GET and HEAD of both:
/// the headers a reader sees are the same.
async fn same_as_put(server: &TestServer, bucket: &str) {
    let body = data(200_000, 5);
    let put = send(
        server,
        "PUT",
        &format!("/{bucket}/put/photo.bin"),
        &[
            ("content-type", "image/x-test"),
            ("x-oss-meta-owner", "alice"),
            ("x-oss-meta-note", "two words"),
        ],
        &body,
    )
    .await;
    assert_eq!(put.status, 200);
    let posted = post(
        server,
        bucket,
        &[
            ("key", "post/photo.bin"),
            ("Content-Type", "image/x-test"),
            ("x-oss-meta-Owner", "alice"),
            ("X-OSS-META-NOTE", "two words"),
        ],
        &body,
    )
    .await;
    assert_eq!(
        posted.status,
        204,
        "{}",
        String::from_utf8_lossy(&posted.body)
    );
    assert_eq!(posted.header("etag"), put.header("etag"));
    for method in ["GET", "HEAD"] {
        let from_put = send(
            server,
            method,
            &format!("/{bucket}/put/photo.bin"),
            &[],
            b"",
        )
        .await;
        let from_post = send(
            server,
            method,
            &format!("/{bucket}/post/photo.bin"),
            &[],
            b"",
        )
        .await;
        assert_eq!(from_post.status, 200);
        assert_eq!(from_post.header("content-type"), Some("image/x-test"));
        assert_eq!(from_post.header("x-oss-meta-owner"), Some("alice"));
        assert_eq!(from_post.header("x-oss-meta-note"), Some("two words"));
        assert_eq!(
            from_post.object_headers(),
            from_put.object_headers(),
            "{method}"
        );
        if method == "GET" {
            assert_eq!(from_post.body, body);
        }
    }
    // Without a Content-Type field: the key's extension's type, as PutObject without the header.
    let put = send(
        server,
        "PUT",
        &format!("/{bucket}/plain-put.txt"),
        &[],
        b"hi",
    )
    .await;
    assert_eq!(put.status, 200);
    let posted = post(server, bucket, &[("key", "plain-post.txt")], b"hi").await;
    assert_eq!(posted.status, 204);
    let a = send(
        server,
        "HEAD",
        &format!("/{bucket}/plain-put.txt"),
        &[],
        b"",
    )
    .await;
    let b = send(
        server,
        "HEAD",
        &format!("/{bucket}/plain-post.txt"),
        &[],
        b"",
    )
    .await;
    assert_eq!(a.header("content-type"), b.header("content-type"));
    assert!(b.header("content-type").is_some());
    assert_eq!(b.header("x-oss-meta-owner"), None);
}

#[tokio::test]
async fn post_object_stores_type_and_meta_like_put_object_and_they_survive_a_restart() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = ServerBuilder::new()
        .root_dir(root.path())
        .start()
        .await
        .unwrap();
    same_as_put(&s, "bucket").await;

    // The metadata file is where PutObject's are.
    let meta_dir = root
        .path()
        .join(".oss-testserver")
        .join("meta")
        .join("bucket");
    let sidecars = files_under(&meta_dir);
    assert_eq!(sidecars.len(), 4, "{sidecars:?}");

    // After a restart the POSTed object still has its type and metadata.
    drop(s);
    let s = ServerBuilder::new()
        .root_dir(root.path())
        .start()
        .await
        .unwrap();
    let g = send(&s, "GET", "/bucket/post/photo.bin", &[], b"").await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body, data(200_000, 5));
    assert_eq!(g.header("content-type"), Some("image/x-test"));
    assert_eq!(g.header("x-oss-meta-owner"), Some("alice"));

    // No temporary file is left anywhere.
    assert!(files_under(root.path())
        .iter()
        .all(|f| !f.display().to_string().contains(".oss-tmp-")));
}

#[tokio::test]
async fn post_object_into_a_memory_bucket_keeps_type_and_meta_too() {
    let store = ObjectStore::new();
    store.create_bucket("mem").unwrap();
    let s = ServerBuilder::new().store(store).start().await.unwrap();
    same_as_put(&s, "mem").await;
}

#[tokio::test]
async fn a_refused_post_stores_nothing() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = ServerBuilder::new()
        .root_dir(root.path())
        .start()
        .await
        .unwrap();
    // A form cut before its closing delimiter: refused, no object, no metadata, no temp file.
    let mut body = form(
        &[("key", "cut.bin"), ("x-oss-meta-owner", "mallory")],
        &data(100_000, 1),
    );
    body.truncate(body.len() - 20);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let a = send(
        &s,
        "POST",
        "/bucket/",
        &[("content-type", &content_type)],
        &body,
    )
    .await;
    assert_eq!(a.status, 400, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(
        send(&s, "HEAD", "/bucket/cut.bin", &[], b"").await.status,
        404
    );
    let files = files_under(root.path());
    assert!(files.is_empty(), "{files:?}");
}
