//! The write half, checked with raw HTTP/1.1 requests over TCP: PutObject (metadata, ETag,
//! CRC-64, Content-MD5, forbid-overwrite, a connection cut mid-body), multipart uploads and
//! their errors, DeleteObject, ListObjectsV2, persistence across a restart, CORS, and errors
//! sent only after the body is read.

use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_testserver::{CorsConfiguration, CorsRule, ServerBuilder, TestServer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

mod common;
use common::{all_files, crc64, data, request, root_server, send, Answer};

fn md5_hex(data: &[u8]) -> String {
    hex::encode_upper(Md5::digest(data))
}

#[tokio::test]
async fn put_object_stores_bytes_and_metadata_and_get_returns_them() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = root_server(root.path()).await;
    let body = data(300_000, 3);
    let a = send(
        &s,
        "PUT",
        "/bucket/dir/file.bin",
        &[
            ("content-type", "image/x-test"),
            ("x-oss-meta-owner", "alice"),
            ("x-oss-meta-note", "two words"),
        ],
        &body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let etag = format!("\"{}\"", md5_hex(&body));
    assert_eq!(a.header("etag"), Some(etag.as_str()));
    assert_eq!(
        a.header("x-oss-hash-crc64ecma"),
        Some(crc64(&body).to_string().as_str())
    );
    assert_eq!(
        std::fs::read(root.path().join("bucket/dir/file.bin")).unwrap(),
        body
    );

    let g = request(&s, "GET", "/bucket/dir/file.bin").await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body, body);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.header("content-type"), Some("image/x-test"));
    assert_eq!(g.header("x-oss-meta-owner"), Some("alice"));
    assert_eq!(g.header("x-oss-meta-note"), Some("two words"));
    assert_eq!(
        g.header("x-oss-hash-crc64ecma"),
        Some(crc64(&body).to_string().as_str())
    );
    let h = request(&s, "HEAD", "/bucket/dir/file.bin").await;
    assert_eq!(h.header("x-oss-meta-owner"), Some("alice"));
    assert_eq!(h.header("content-length"), Some("300000"));

    // Objects (and their metadata) survive a restart: they are files under the root.
    drop(s);
    let s = root_server(root.path()).await;
    let g = request(&s, "GET", "/bucket/dir/file.bin").await;
    assert_eq!(g.body, body);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.header("content-type"), Some("image/x-test"));
    assert_eq!(g.header("x-oss-meta-note"), Some("two words"));

    // A file changed behind the server's back is served as a plain file again.
    std::fs::write(root.path().join("bucket/dir/file.bin"), b"changed").unwrap();
    let g = request(&s, "GET", "/bucket/dir/file.bin").await;
    assert_eq!(g.body, b"changed");
    assert_eq!(g.header("x-oss-meta-owner"), None);
    assert_ne!(g.header("etag"), Some(etag.as_str()));

    // No temporary file is left anywhere.
    assert!(all_files(root.path())
        .iter()
        .all(|f| !f.contains(".oss-tmp-")));
}

/// What a step of a scripted exchange must answer.
enum Expect {
    /// This status.
    Status(u16),
    /// This status with this OSS error `<Code>`.
    Error(u16, &'static str),
    /// This body.
    Body(&'static [u8]),
}

/// A step of a scripted exchange: method, target, headers, body, and what must follow.
type Step<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [u8], Expect);

#[tokio::test]
async fn content_md5_and_forbid_overwrite_are_enforced() {
    let s = ServerBuilder::new().start().await.unwrap();
    s.store().create_bucket("bucket").unwrap();
    let good = base64::engine::general_purpose::STANDARD.encode(Md5::digest(b"abc"));
    let bad = base64::engine::general_purpose::STANDARD.encode(Md5::digest(b"abd"));
    let nothing = &[][..];
    let steps: [Step<'_>; 12] = [
        (
            "PUT",
            "/bucket/k",
            &[("content-md5", &bad)],
            b"abc",
            Expect::Error(400, "InvalidDigest"),
        ),
        (
            "PUT",
            "/bucket/k",
            &[("content-md5", "not base64!")],
            b"abc",
            Expect::Error(400, "InvalidDigest"),
        ),
        (
            "PUT",
            "/bucket/k",
            &[("content-md5", &good)],
            b"abc",
            Expect::Status(200),
        ),
        (
            "PUT",
            "/bucket/k",
            &[("x-oss-forbid-overwrite", "true")],
            b"new",
            Expect::Error(409, "FileAlreadyExists"),
        ),
        ("GET", "/bucket/k", nothing, b"", Expect::Body(b"abc")),
        (
            "PUT",
            "/bucket/k",
            &[("x-oss-forbid-overwrite", "false")],
            b"new",
            Expect::Status(200),
        ),
        ("GET", "/bucket/k", nothing, b"", Expect::Body(b"new")),
        (
            "PUT",
            "/nobucket/k",
            nothing,
            b"x",
            Expect::Error(404, "NoSuchBucket"),
        ),
        ("PATCH", "/bucket/k", nothing, b"", Expect::Status(405)),
        ("DELETE", "/bucket/k", nothing, b"", Expect::Status(204)),
        ("GET", "/bucket/k", nothing, b"", Expect::Status(404)),
        ("DELETE", "/bucket/k", nothing, b"", Expect::Status(204)),
    ];
    for (step, (method, target, headers, body, expect)) in steps.into_iter().enumerate() {
        let a = send(&s, method, target, headers, body).await;
        match expect {
            Expect::Status(status) => assert_eq!(a.status, status, "step {step}"),
            Expect::Error(status, code) => {
                assert_eq!((a.status, a.code().as_str()), (status, code), "step {step}")
            }
            Expect::Body(want) => assert_eq!(a.body, want, "step {step}"),
        }
        if step == 0 {
            assert!(s.store().info("bucket", "k").is_none());
        }
    }
}

#[tokio::test]
async fn too_large_is_refused_from_content_length_before_reading() {
    let s = ServerBuilder::new().start().await.unwrap();
    s.store().create_bucket("bucket").unwrap();
    let mut c = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let head = format!(
        "PUT /bucket/huge HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
        s.addr(),
        (5u64 << 30) + 1
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("<Code>EntityTooLarge</Code>"));
    assert!(!text.contains("100 Continue"));
}

#[tokio::test]
async fn a_connection_cut_mid_body_leaves_no_object_and_no_temporary_file() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = root_server(root.path()).await;
    // An existing object stays as it was.
    assert_eq!(
        send(&s, "PUT", "/bucket/obj", &[], b"old").await.status,
        200
    );
    for key in ["obj", "new"] {
        let mut c = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        let head = format!(
            "PUT /bucket/{key} HTTP/1.1\r\nhost: {}\r\ncontent-length: 1000000\r\n\r\n",
            s.addr()
        );
        c.write_all(head.as_bytes()).await.unwrap();
        c.write_all(&data(400_000, 1)).await.unwrap();
        c.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // While the body is arriving the object is not visible (or still the old one).
        let g = request(&s, "GET", &format!("/bucket/{key}")).await;
        if key == "obj" {
            assert_eq!(g.body, b"old");
        } else {
            assert_eq!(g.status, 404);
        }
        drop(c);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(request(&s, "GET", "/bucket/obj").await.body, b"old");
    assert_eq!(request(&s, "GET", "/bucket/new").await.status, 404);
    let files = all_files(root.path());
    assert!(files.iter().all(|f| !f.contains(".oss-tmp-")), "{files:?}");
}

#[tokio::test]
async fn unsigned_writes_are_refused_like_unsigned_reads_and_the_error_follows_the_body() {
    let s = common::signing_server("ak", "secret").await;
    s.store().create_bucket("bucket").unwrap();
    let body = data(2 << 20, 9);
    for method in ["PUT", "GET", "POST", "DELETE", "PATCH"] {
        let a = send(
            &s,
            method,
            "/bucket/k",
            &[],
            if method == "PUT" { &body } else { b"" },
        )
        .await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "AccessDenied"),
            "{method}"
        );
    }
    let a = request(&s, "GET", "/bucket?list-type=2").await;
    assert_eq!(a.status, 403);
    assert!(s.store().info("bucket", "k").is_none());
}

async fn initiate(s: &TestServer, key: &str) -> String {
    let a = send(
        s,
        "POST",
        &format!("/bucket/{key}?uploads"),
        &[("content-type", "text/x-joined")],
        b"",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let t = a.text();
    t.split("<UploadId>")
        .nth(1)
        .unwrap()
        .split("</UploadId>")
        .next()
        .unwrap()
        .to_string()
}

/// UploadPart `n` of upload `id` of `key`, whatever it answers.
async fn send_part(s: &TestServer, key: &str, id: &str, n: u32, body: &[u8]) -> Answer {
    send(
        s,
        "PUT",
        &format!("/bucket/{key}?partNumber={n}&uploadId={id}"),
        &[],
        body,
    )
    .await
}

/// UploadPart that must succeed with the part's CRC-64; returns its ETag.
async fn part(s: &TestServer, key: &str, id: &str, n: u32, body: &[u8]) -> String {
    let a = send_part(s, key, id, n, body).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.header("x-oss-hash-crc64ecma"),
        Some(crc64(body).to_string().as_str())
    );
    a.header("etag").unwrap().to_string()
}

fn complete_xml(parts: &[(u32, &str)]) -> String {
    let mut x = String::from("<CompleteMultipartUpload>");
    for (n, e) in parts {
        x.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>"
        ));
    }
    x.push_str("</CompleteMultipartUpload>");
    x
}

#[tokio::test]
async fn multipart_upload_checks_parts_and_joins_them() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let s = root_server(root.path()).await;
    let id = initiate(&s, "big.bin").await;
    let p1 = data(100 << 10, 1);
    let p2 = data(150 << 10, 2);
    let p3 = data(10, 3);
    let e1 = part(&s, "big.bin", &id, 1, &p1).await;
    let e3 = part(&s, "big.bin", &id, 3, &p3).await;
    let e2 = part(&s, "big.bin", &id, 2, &p2).await;

    let l = request(&s, "GET", &format!("/bucket/big.bin?uploadId={id}")).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.text().matches("<Part>").count(), 3);
    assert!(l.text().contains(&format!("<Size>{}</Size>", 150 << 10)));

    let url = format!("/bucket/big.bin?uploadId={id}");
    let c = |xml: String| {
        let (s, url) = (&s, &url);
        async move { send(s, "POST", url, &[], xml.as_bytes()).await }
    };
    let a = c(complete_xml(&[(2, &e2), (1, &e1)])).await;
    assert_eq!((a.status, a.code().as_str()), (400, "InvalidPartOrder"));
    let a = c(complete_xml(&[(1, &e1), (2, &e1)])).await;
    assert_eq!((a.status, a.code().as_str()), (400, "InvalidPart"));
    let a = c(complete_xml(&[(1, &e1), (4, &e1)])).await;
    assert_eq!((a.status, a.code().as_str()), (400, "InvalidPart"));
    let a = c(complete_xml(&[(1, "\"00000000000000000000000000000000\"")])).await;
    assert_eq!(a.code(), "InvalidPart");
    let a = c("<CompleteMultipartUpload>".to_string()).await;
    assert_eq!((a.status, a.code().as_str()), (400, "MalformedXML"));
    // A small part that is not the last one.
    let id2 = initiate(&s, "small.bin").await;
    let s1 = part(&s, "small.bin", &id2, 1, b"tiny").await;
    let s2 = part(&s, "small.bin", &id2, 2, b"tail").await;
    let a = send(
        &s,
        "POST",
        &format!("/bucket/small.bin?uploadId={id2}"),
        &[],
        complete_xml(&[(1, &s1), (2, &s2)]).as_bytes(),
    )
    .await;
    assert_eq!((a.status, a.code().as_str()), (400, "EntityTooSmall"));
    assert!(all_files(root.path())
        .iter()
        .all(|f| !f.ends_with("small.bin")));
    // Nothing visible before Complete.
    assert_eq!(request(&s, "GET", "/bucket/big.bin").await.status, 404);

    let a = c(complete_xml(&[(1, &e1), (2, &e2), (3, &e3)])).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let whole = [p1.clone(), p2.clone(), p3.clone()].concat();
    assert_eq!(
        a.header("x-oss-hash-crc64ecma"),
        Some(crc64(&whole).to_string().as_str())
    );
    let etag = a.header("etag").unwrap().to_string();
    assert!(etag.ends_with("-3\""), "{etag}");
    assert!(a.text().contains("<CompleteMultipartUploadResult>"));
    let g = request(&s, "GET", "/bucket/big.bin").await;
    assert_eq!(g.body, whole);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.header("content-type"), Some("text/x-joined"));
    // The upload is gone once completed; abort of an unknown one is NoSuchUpload.
    let a = c(complete_xml(&[(1, &e1)])).await;
    assert_eq!((a.status, a.code().as_str()), (404, "NoSuchUpload"));
    let a = send_part(&s, "big.bin", &id, 1, b"x").await;
    assert_eq!(a.code(), "NoSuchUpload");
    let a = request(&s, "DELETE", &format!("/bucket/small.bin?uploadId={id2}")).await;
    assert_eq!(a.status, 204);
    let a = request(&s, "GET", &format!("/bucket/small.bin?uploadId={id2}")).await;
    assert_eq!((a.status, a.code().as_str()), (404, "NoSuchUpload"));
    let a = send_part(&s, "big.bin", &id, 10001, b"x").await;
    assert_eq!((a.status, a.code().as_str()), (400, "InvalidArgument"));
    assert!(all_files(root.path())
        .iter()
        .all(|f| !f.contains(".oss-tmp-")));
}

#[tokio::test]
async fn list_objects_v2_pages_by_prefix_and_delimiter() {
    let s = ServerBuilder::new().start().await.unwrap();
    for k in ["a/1", "a/2", "a/b/3", "b", "c/4"] {
        s.store().put("bucket", k, k.as_bytes().to_vec()).unwrap();
    }
    let keys = |t: &str| -> Vec<String> {
        t.split("<Key>")
            .skip(1)
            .map(|r| r.split("</Key>").next().unwrap().to_string())
            .collect()
    };
    let a = request(&s, "GET", "/bucket?list-type=2").await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(keys(&a.text()), ["a/1", "a/2", "a/b/3", "b", "c/4"]);
    let a = request(&s, "GET", "/bucket?list-type=2&delimiter=%2F").await;
    assert_eq!(keys(&a.text()), ["b"]);
    assert!(a
        .text()
        .contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"));
    assert!(a
        .text()
        .contains("<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>"));
    let a = request(&s, "GET", "/bucket?list-type=2&prefix=a%2F&delimiter=%2F").await;
    assert_eq!(keys(&a.text()), ["a/1", "a/2"]);
    assert!(a.text().contains("<Prefix>a/b/</Prefix>"));
    // Pages of two, following the continuation token.
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..5 {
        let target = match &token {
            Some(t) => format!(
                "/bucket?list-type=2&max-keys=2&continuation-token={}",
                oss_sign_core::encoding::uri_encode(t, false)
            ),
            None => "/bucket?list-type=2&max-keys=2".to_string(),
        };
        let t = request(&s, "GET", &target).await.text();
        all.extend(keys(&t));
        token = t.split("<NextContinuationToken>").nth(1).map(|r| {
            r.split("</NextContinuationToken>")
                .next()
                .unwrap()
                .to_string()
        });
        if token.is_none() {
            assert!(t.contains("<IsTruncated>false</IsTruncated>"));
            break;
        }
    }
    assert_eq!(all, ["a/1", "a/2", "a/b/3", "b", "c/4"]);
    let a = request(&s, "GET", "/bucket?list-type=2&max-keys=1001").await;
    assert_eq!(a.code(), "InvalidArgument");
    let a = request(&s, "GET", "/bucket").await;
    assert_eq!(a.status, 501);
}

#[tokio::test]
async fn cors_preflight_and_headers_on_answers_and_errors() {
    let rule = CorsRule::new()
        .allowed_origin("https://*.example.com")
        .allowed_method("PUT")
        .allowed_method("GET")
        .allowed_header("content-type")
        .allowed_header("x-oss-meta-*")
        .expose_header("ETag")
        .max_age_seconds(600);
    let s = ServerBuilder::new()
        .cors(CorsConfiguration::new().rule(rule))
        .bucket_cors("closed", CorsConfiguration::new())
        .start()
        .await
        .unwrap();
    s.store().create_bucket("bucket").unwrap();
    s.store().create_bucket("closed").unwrap();
    let origin = ("origin", "https://app.example.com");
    let a = send(
        &s,
        "OPTIONS",
        "/bucket/k",
        &[
            origin,
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "Content-Type, x-oss-meta-a",
            ),
        ],
        b"",
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(a.header("access-control-allow-methods"), Some("PUT, GET"));
    assert_eq!(
        a.header("access-control-allow-headers"),
        Some("content-type, x-oss-meta-a")
    );
    assert_eq!(a.header("access-control-expose-headers"), Some("ETag"));
    assert_eq!(a.header("access-control-max-age"), Some("600"));
    for (headers, why) in [
        (
            vec![
                ("origin", "https://example.org"),
                ("access-control-request-method", "PUT"),
            ],
            "origin",
        ),
        (
            vec![origin, ("access-control-request-method", "DELETE")],
            "method",
        ),
        (
            vec![
                origin,
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-other"),
            ],
            "header",
        ),
        (vec![origin], "no method"),
    ] {
        let a = send(&s, "OPTIONS", "/bucket/k", &headers, b"").await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "AccessForbidden"),
            "{why}"
        );
        assert_eq!(a.header("access-control-allow-origin"), None, "{why}");
    }
    let a = send(
        &s,
        "OPTIONS",
        "/closed/k",
        &[origin, ("access-control-request-method", "GET")],
        b"",
    )
    .await;
    assert_eq!(a.status, 403);
    // Actual answers, success and error, carry Allow-Origin and Expose-Headers.
    let a = send(&s, "PUT", "/bucket/k", &[origin], b"v").await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(a.header("access-control-expose-headers"), Some("ETag"));
    let a = send(&s, "GET", "/bucket/missing", &[origin], b"").await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let a = request(&s, "GET", "/bucket/k").await;
    assert_eq!(a.header("access-control-allow-origin"), None);
    let a = send(&s, "GET", "/closed/k", &[origin], b"").await;
    assert_eq!(a.header("access-control-allow-origin"), None);
    // More than 20 rules are refused at start.
    let mut many = CorsConfiguration::new();
    for _ in 0..21 {
        many = many.rule(CorsRule::new().allowed_origin("*").allowed_method("GET"));
    }
    assert!(ServerBuilder::new().cors(many).start().await.is_err());
}

#[tokio::test]
async fn a_stalled_body_is_refused_after_the_idle_timeout() {
    let s = ServerBuilder::new()
        .body_idle_timeout(std::time::Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    s.store().create_bucket("bucket").unwrap();
    let mut c = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let head = format!(
        "PUT /bucket/slow HTTP/1.1\r\nhost: {}\r\ncontent-length: 100\r\n\r\n0123456789",
        s.addr()
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(5), c.read_to_end(&mut raw))
        .await
        .expect("the server answers and closes")
        .unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("<Code>RequestTimeout</Code>"), "{text}");
    assert!(s.store().info("bucket", "slow").is_none());
}

#[tokio::test]
async fn planted_symlinks_are_replaced_or_refused_never_written_through() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    std::fs::write(outside.path().join("victim"), b"precious").unwrap();
    // A link at the key itself: the upload replaces the link, the victim is untouched.
    std::os::unix::fs::symlink(outside.path().join("victim"), root.path().join("bucket/k"))
        .unwrap();
    // A link as a folder of the key: refused.
    std::os::unix::fs::symlink(outside.path(), root.path().join("bucket/dir")).unwrap();
    let s = root_server(root.path()).await;
    let a = send(&s, "PUT", "/bucket/k", &[], b"new").await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        std::fs::read(outside.path().join("victim")).unwrap(),
        b"precious"
    );
    assert!(!std::fs::symlink_metadata(root.path().join("bucket/k"))
        .unwrap()
        .file_type()
        .is_symlink());
    // A file, then a folder, that would be created through the link.
    for (target, through_link) in [("/bucket/dir/x", "x"), ("/bucket/dir/sub/x", "sub")] {
        let a = send(&s, "PUT", target, &[], b"new").await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "AccessDenied"),
            "{target}: {}",
            a.text()
        );
        assert!(
            !outside.path().join(through_link).exists(),
            "{target}: {through_link} was created through the link"
        );
    }
    let files: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    // A planted link at the server's own folder: metadata is not written through it.
    let root2 = tempfile::tempdir().unwrap();
    std::fs::create_dir(root2.path().join("bucket")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root2.path().join(".oss-testserver")).unwrap();
    let s = root_server(root2.path()).await;
    let a = send(&s, "PUT", "/bucket/k", &[("x-oss-meta-a", "b")], b"v").await;
    assert_eq!(a.status, 500, "{}", a.text());
    assert!(!outside.path().join("meta").exists());
    assert!(!root2.path().join("bucket/k").exists());
}
