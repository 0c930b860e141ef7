//! The server's HTTP behaviour, checked with raw HTTP/1.1 requests over TCP.

use base64::Engine as _;
use oss_sign_core::{v4, SignableRequest, SigningTime};
use oss_testserver::{ServerBuilder, ServerErrorKind, TestServer};

mod common;
use common::{exchange, head, Answer};

/// Sends a bodiless `method target` with `headers`, and `host` first unless they name one.
async fn send(server: &TestServer, method: &str, target: &str, headers: &[(&str, &str)]) -> Answer {
    let host = server.addr().to_string();
    let mut all = Vec::new();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        all.push(("host", host.as_str()));
    }
    all.extend_from_slice(headers);
    exchange(server.addr(), &head(method, target, &all), b"").await
}

/// A GET of the object [`server_with`] stores, with `headers`.
async fn get_object(server: &TestServer, headers: &[(&str, &str)]) -> Answer {
    send(server, "GET", "/bucket/dir/obj.txt", headers).await
}

async fn server_with(data: &[u8]) -> TestServer {
    let s = ServerBuilder::new().start().await.unwrap();
    s.store()
        .put("bucket", "dir/obj.txt", data.to_vec())
        .unwrap();
    s
}

#[tokio::test]
async fn whole_object_headers() {
    let s = server_with(b"hello world!").await;
    let a = get_object(&s, &[]).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b"hello world!");
    assert_eq!(a.header("content-length"), Some("12"));
    assert_eq!(
        a.header("x-oss-hash-crc64ecma"),
        Some("9548687815775124833")
    );
    assert_eq!(
        a.header("etag"),
        Some("\"FC3FF98E8C6A0D3087D515C0473F8677\"")
    );
    assert_eq!(a.header("content-type"), Some("text/plain"));
    assert!(a.header("x-oss-request-id").is_some_and(|r| r.len() == 24));
    assert!(a
        .header("last-modified")
        .is_some_and(|d| d.ends_with("GMT")));
}

#[tokio::test]
async fn ranges_in_oss_and_standard_semantics() {
    let s = server_with(b"0123456789").await;
    let a = get_object(&s, &[("range", "bytes=2-4")]).await;
    assert_eq!((a.status, a.text().as_str()), (206, "234"));
    assert_eq!(a.header("content-range"), Some("bytes 2-4/10"));
    // whole-object CRC even on a range
    assert_eq!(
        a.header("x-oss-hash-crc64ecma"),
        s.store()
            .info("bucket", "dir/obj.txt")
            .map(|i| i.crc64.to_string())
            .as_deref()
    );
    let std_hdr = ("x-oss-range-behavior", "standard");
    for (headers, status, text) in [
        (vec![("range", "bytes=-3")], 206, "789"),
        // OSS default: out of bounds -> whole object
        (vec![("range", "bytes=5-100")], 200, "0123456789"),
        // standard: clamped, and 416 past the end
        (vec![("range", "bytes=5-100"), std_hdr], 206, "56789"),
    ] {
        let a = get_object(&s, &headers).await;
        assert_eq!((a.status, a.text().as_str()), (status, text), "{headers:?}");
    }
    let a = get_object(&s, &[("range", "bytes=10-"), std_hdr]).await;
    assert_eq!(a.status, 416);
    assert_eq!(a.header("content-range"), Some("bytes */10"));
    assert!(a.text().contains("<Code>InvalidRange</Code>"));
}

#[tokio::test]
async fn conditional_requests() {
    let s = server_with(b"abc").await;
    let etag = s.store().info("bucket", "dir/obj.txt").unwrap().etag;
    // (condition, status, what the body must hold)
    for (condition, status, body) in [
        (("if-match", etag.as_str()), 200, &[][..]),
        (
            ("if-match", "\"0000\""),
            412,
            &[
                "<Code>PreconditionFailed</Code>",
                "<Condition>If-Match</Condition>",
            ][..],
        ),
        (("if-none-match", etag.as_str()), 304, &[]),
        (
            ("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT"),
            304,
            &[],
        ),
        (
            ("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT"),
            412,
            &[],
        ),
    ] {
        let a = get_object(&s, &[condition]).await;
        assert_eq!(a.status, status, "{condition:?}");
        for part in body {
            assert!(a.text().contains(part), "{condition:?}: {part} missing");
        }
        if status == 304 {
            assert!(a.body.is_empty(), "{condition:?}");
        }
    }
}

#[tokio::test]
async fn errors_are_oss_xml_and_head_errors_use_x_oss_err() {
    let s = server_with(b"abc").await;
    let a = send(&s, "GET", "/bucket/nope", &[]).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.header("content-type"), Some("application/xml"));
    let t = a.text();
    for tag in [
        "<Code>NoSuchKey</Code>",
        "<Message>",
        "<RequestId>",
        "<HostId>",
    ] {
        assert!(t.contains(tag), "{tag} missing in {t}");
    }
    assert!(t.contains(a.header("x-oss-request-id").unwrap()));
    let a = send(&s, "GET", "/other-bucket/k", &[]).await;
    assert!(a.text().contains("<Code>NoSuchBucket</Code>"));
    let a = send(&s, "HEAD", "/bucket/nope", &[]).await;
    assert_eq!(a.status, 404);
    let xml = base64::engine::general_purpose::STANDARD
        .decode(a.header("x-oss-err").unwrap())
        .unwrap();
    assert!(String::from_utf8(xml)
        .unwrap()
        .contains("<Code>NoSuchKey</Code>"));
    let a = send(&s, "PATCH", "/bucket/k", &[("content-length", "0")]).await;
    assert_eq!(a.status, 405);
}

#[tokio::test]
async fn head_has_headers_but_no_body() {
    let s = server_with(b"abcdef").await;
    let a = send(&s, "HEAD", "/bucket/dir/obj.txt", &[]).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-length"), Some("6"));
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn virtual_hosted_style_via_host_header() {
    let s = server_with(b"vhost").await;
    let a = send(
        &s,
        "GET",
        "/dir/obj.txt",
        &[("host", "bucket.oss-cn-hangzhou.aliyuncs.com")],
    )
    .await;
    assert_eq!((a.status, a.text().as_str()), (200, "vhost"));
    // an IP host is always path style
    let a = get_object(&s, &[("host", "127.0.0.1")]).await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn virtual_hosted_v4_presigned_url_is_verified() {
    let s = common::signing_server("ak", "sk").await;
    s.store()
        .put("bucket", "k.txt", b"signed".to_vec())
        .unwrap();
    let t = SigningTime::try_from(std::time::SystemTime::now()).unwrap();
    let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    let p = v4::presign(
        &SignableRequest::new("GET").bucket("bucket").key("k.txt"),
        &v4::PresignParams::new("ak", "cn-hangzhou", t, 60),
        &key,
    )
    .unwrap();
    let host = ("host", "bucket.oss-cn-hangzhou.aliyuncs.com");
    let a = send(&s, "GET", &format!("/k.txt?{}", p.url_query()), &[host]).await;
    assert_eq!((a.status, a.text().as_str()), (200, "signed"));
    // the same URL against another key does not verify
    s.store().put("bucket", "x.txt", b"other".to_vec()).unwrap();
    let a = send(&s, "GET", &format!("/x.txt?{}", p.url_query()), &[host]).await;
    assert_eq!(a.status, 403);
    assert!(a.text().contains("<Code>SignatureDoesNotMatch</Code>"));
    assert!(a.text().contains("<StringToSign>OSS4-HMAC-SHA256\n"));
    assert_eq!(a.header("x-oss-ec"), Some("0002-00000201"));
}

#[tokio::test]
async fn directory_buckets_and_no_path_traversal() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("files/sub")).unwrap();
    std::fs::write(root.path().join("files/sub/a.txt"), b"from disk").unwrap();
    std::fs::write(root.path().join("secret.txt"), b"outside").unwrap();
    let s = ServerBuilder::new()
        .root_dir(root.path())
        .start()
        .await
        .unwrap();
    let a = send(&s, "GET", "/files/sub/a.txt", &[("range", "bytes=5-8")]).await;
    assert_eq!((a.status, a.text().as_str()), (206, "disk"));
    for evil in [
        "/files/../secret.txt",
        "/files/%2E%2E/secret.txt",
        "/files/sub/../../secret.txt",
    ] {
        let a = send(&s, "GET", evil, &[]).await;
        assert_ne!(a.status, 200, "{evil}");
        assert!(!a.text().contains("outside"));
    }
}

#[tokio::test]
async fn refuses_non_loopback_addresses_by_default() {
    let err = ServerBuilder::new()
        .addr("0.0.0.0:0".parse().unwrap())
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ServerErrorKind::NotLoopback);
}
