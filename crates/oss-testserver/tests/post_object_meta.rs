//! PostObject keeps the form's `Content-Type` and `x-oss-meta-*` fields exactly as PutObject
//! keeps the same headers: returned on GET and HEAD, in the metadata file under
//! `root/.oss-testserver/meta`, and across a restart; in-memory buckets too.

use oss_testserver::{ObjectStore, ServerBuilder, TestServer};

mod common;
use common::{data, files_under, request, root_server, send, Answer};

/// The headers a reader of the object sees (what must be equal for PUT and POST).
fn object_headers(answer: &Answer) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = answer
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
        let from_put = request(server, method, &format!("/{bucket}/put/photo.bin")).await;
        let from_post = request(server, method, &format!("/{bucket}/post/photo.bin")).await;
        assert_eq!(from_post.status, 200);
        assert_eq!(from_post.header("content-type"), Some("image/x-test"));
        assert_eq!(from_post.header("x-oss-meta-owner"), Some("alice"));
        assert_eq!(from_post.header("x-oss-meta-note"), Some("two words"));
        assert_eq!(
            object_headers(&from_post),
            object_headers(&from_put),
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
    let a = request(server, "HEAD", &format!("/{bucket}/plain-put.txt")).await;
    let b = request(server, "HEAD", &format!("/{bucket}/plain-post.txt")).await;
    assert_eq!(a.header("content-type"), b.header("content-type"));
    assert!(b.header("content-type").is_some());
    assert_eq!(b.header("x-oss-meta-owner"), None);
}

#[tokio::test]
async fn post_object_stores_type_and_meta_like_put_object_and_they_survive_a_restart() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = root_server(root.path()).await;
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
    let s = root_server(root.path()).await;
    let g = request(&s, "GET", "/bucket/post/photo.bin").await;
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
    let s = root_server(root.path()).await;
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
    assert_eq!(request(&s, "HEAD", "/bucket/cut.bin").await.status, 404);
    let files = files_under(root.path());
    assert!(files.is_empty(), "{files:?}");
}
