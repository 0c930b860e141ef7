//! Presigned (V4 and V1) and header-signed downloads against a server that verifies signatures.

mod common;

use std::time::{Duration, SystemTime};

use common::{files_in, BUCKET, PART};
use oss_sign_core::encoding::uri_encode;
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};
use oss_testserver::{generated_bytes, ServerBuilder, TestServer, TlsIdentity};
use oss_transfer::{DownloadErrorKind, PresignedGet};

const AK: &str = "LTAI-test-key";
const SK: &str = "test-secret-never-printed";
const REGION: &str = "cn-hangzhou";

async fn signed_server() -> TestServer {
    ServerBuilder::new()
        .tls(TlsIdentity::generate(&[]).unwrap())
        .credential(AK, SK)
        .region(REGION)
        .start()
        .await
        .unwrap()
}

fn now() -> SigningTime {
    SigningTime::try_from(SystemTime::now()).unwrap()
}

/// scheme://127.0.0.1:PORT/bucket/key?<user query>&<auth params>, path style.
fn presign_v4(
    server: &TestServer,
    key: &str,
    at: SigningTime,
    expires: u32,
    query: &[(&str, &str)],
) -> String {
    let signing_key = v4::SigningKey::derive(SK, at, REGION, "oss");
    let req = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(key)
        .query(query);
    let p = v4::presign(
        &req,
        &v4::PresignParams::new(AK, REGION, at, expires),
        &signing_key,
    )
    .unwrap();
    let mut url = format!(
        "{}/{}/{}?",
        server.endpoint(),
        BUCKET,
        uri_encode(key, true)
    );
    for (n, v) in query {
        url.push_str(&format!(
            "{}={}&",
            uri_encode(n, false),
            uri_encode(v, false)
        ));
    }
    url.push_str(&p.encoded_query());
    url
}

fn downloader(server: &TestServer) -> oss_transfer::Downloader {
    common::builder(server).build().unwrap()
}

#[tokio::test]
async fn v4_presigned_url_downloads_and_verifies() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let key = "dir/file name+special中.bin";
    let info = server
        .store()
        .put_generated(BUCKET, key, 5 * PART + 9, 1)
        .unwrap();
    let url = presign_v4(
        &server,
        key,
        now(),
        600,
        &[("response-content-type", "application/x-test")],
    );
    let target = dir.path().join("out.bin");
    let o = downloader(&server)
        .download(PresignedGet::new(&url).unwrap())
        .to_file(&target)
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes((5 * PART + 9) as usize, 1)
    );
    assert!(server.requests().iter().all(|r| r.status == 206));
}

#[tokio::test]
async fn v1_presigned_url_downloads() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "v1.bin", 2 * PART, 2)
        .unwrap();
    let expires = now().unix_seconds() + 600;
    let p = v1::presign(
        &SignableRequest::new("GET").bucket(BUCKET).key("v1.bin"),
        &v1::PresignParams::new(AK, SK, expires),
    )
    .unwrap();
    let url = format!("{}/{}/v1.bin?{}", server.endpoint(), BUCKET, p.url_query());
    let o = downloader(&server)
        .download(PresignedGet::new(&url).unwrap())
        .to_file(dir.path().join("v1.bin"))
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
}

#[tokio::test]
async fn expired_url_is_a_typed_error_with_its_expiry_and_leaves_no_file() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    server
        .store()
        .put(BUCKET, "k", b"secret data".to_vec())
        .unwrap();
    let signed_at = now().checked_add_seconds(-7200).unwrap();
    let url = presign_v4(&server, "k", signed_at, 60, &[]);
    let err = downloader(&server)
        .download(PresignedGet::new(&url).unwrap())
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Expired, "{err}");
    assert_eq!(err.status(), Some(403));
    let want = SystemTime::UNIX_EPOCH + Duration::from_secs((signed_at.unix_seconds() + 60) as u64);
    assert_eq!(err.expires_at(), Some(want));
    let oss = err.oss_error().unwrap();
    assert_eq!(oss.code, "AccessDenied");
    assert_eq!(oss.message, "Request has expired.");
    assert_eq!(oss.ec, "0002-00000069");
    let text = err.to_string();
    assert!(
        text.contains("expired at") && text.contains(&oss.request_id),
        "{text}"
    );
    assert!(!text.contains("x-oss-signature"), "{text}");
    assert_eq!(server.requests().len(), 1, "403 is not retried");
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn tampered_url_is_a_signature_mismatch_with_the_string_to_sign() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    server.store().put(BUCKET, "k", b"data".to_vec()).unwrap();
    server
        .store()
        .put(BUCKET, "other", b"other data".to_vec())
        .unwrap();
    let url = presign_v4(&server, "k", now(), 600, &[]);
    let tampered = url.replacen("/k?", "/other?", 1);
    let err = downloader(&server)
        .download(PresignedGet::new(&tampered).unwrap())
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::SignatureMismatch, "{err}");
    let oss = err.oss_error().unwrap();
    assert_eq!(oss.code, "SignatureDoesNotMatch");
    assert!(oss
        .field("StringToSign")
        .unwrap()
        .starts_with("OSS4-HMAC-SHA256\n"));
    assert!(oss
        .field("CanonicalRequest")
        .unwrap()
        .contains("/test-bucket/other"));
    assert!(!err.to_string().contains(SK));
    assert!(files_in(dir.path()).is_empty());

    // a changed signature and a wrong secret are refused the same way
    let sig_at = url.rfind("x-oss-signature=").unwrap() + "x-oss-signature=".len();
    let mut flipped = url.clone();
    let c = if &url[sig_at..sig_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    flipped.replace_range(sig_at..sig_at + 1, c);
    let err = downloader(&server)
        .download(PresignedGet::new(&flipped).unwrap())
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::SignatureMismatch);
}

#[tokio::test]
async fn unsigned_and_unknown_key_requests_are_denied() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    server.store().put(BUCKET, "k", b"data".to_vec()).unwrap();
    let d = downloader(&server);
    let err = d
        .download(PresignedGet::new(&server.object_url(BUCKET, "k")).unwrap())
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::AccessDenied);
    let url = presign_v4(&server, "k", now(), 600, &[]).replace("LTAI-test-key", "LTAI-other");
    let err = d
        .download(PresignedGet::new(&url).unwrap())
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::AccessDenied);
    assert_eq!(err.oss_error().unwrap().code, "InvalidAccessKeyId");
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn header_signed_v4_requests_are_verified() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "h.bin", 3 * PART, 4)
        .unwrap();
    let at = now();
    let sign = |secret: &str| {
        let key = v4::SigningKey::derive(secret, at, REGION, "oss");
        v4::sign_headers(
            &SignableRequest::new("GET").bucket(BUCKET).key("h.bin"),
            &v4::HeaderParams::new(AK, REGION, at),
            &key,
        )
        .unwrap()
    };
    let url = server.object_url(BUCKET, "h.bin");
    let mut get = PresignedGet::new(&url).unwrap();
    for (n, v) in sign(SK).headers_to_add() {
        get = get.header(n, v).unwrap();
    }
    let o = downloader(&server)
        .download(get)
        .to_file(dir.path().join("h"))
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_some()));

    let mut bad = PresignedGet::new(&url).unwrap();
    for (n, v) in sign("wrong secret").headers_to_add() {
        bad = bad.header(n, v).unwrap();
    }
    let err = downloader(&server)
        .download(bad)
        .to_file(dir.path().join("x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::SignatureMismatch);
}

#[tokio::test]
async fn header_signed_v1_requests_are_verified() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "v1h.bin", 2 * PART, 6)
        .unwrap();
    let date = now().to_http_date();
    let signed = v1::sign_header(
        &SignableRequest::new("GET").bucket(BUCKET).key("v1h.bin"),
        AK,
        SK,
        &date,
        &[],
    )
    .unwrap();
    let get = PresignedGet::new(&server.object_url(BUCKET, "v1h.bin"))
        .unwrap()
        .header("date", &date)
        .unwrap()
        .header("authorization", signed.authorization())
        .unwrap();
    let o = downloader(&server)
        .download(get)
        .to_file(dir.path().join("v1h"))
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert!(server.requests().iter().all(|r| r
        .header("authorization")
        .is_some_and(|a| a.starts_with("OSS "))));
}

#[tokio::test]
async fn http2_over_tls_with_a_presigned_url() {
    let server = signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "h2.bin", 5 * PART, 8)
        .unwrap();
    let url = presign_v4(&server, "h2.bin", now(), 600, &[]);
    let d = common::builder(&server)
        .http_version(oss_transfer::HttpVersion::Http2)
        .parallelism(4)
        .build()
        .unwrap();
    let o = d
        .download(PresignedGet::new(&url).unwrap())
        .to_file(dir.path().join("h2"))
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert_eq!(o.requests, 5);
    assert!(server.requests().iter().all(|r| r.version == "HTTP/2.0"));
    // HTTP/2 multiplexes the parts over one connection
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn a_server_identity_loaded_from_pem_files_is_trusted_through_its_pem() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
    let identity = TlsIdentity::from_pem(&cert.pem(), &key.serialize_pem()).unwrap();
    let server = ServerBuilder::new().tls(identity).start().await.unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "pem.bin", PART + 1, 3)
        .unwrap();
    let d = oss_transfer::Downloader::builder()
        .add_root_certificates_pem(&cert.pem())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = d
        .download(PresignedGet::new(&server.object_url(BUCKET, "pem.bin")).unwrap())
        .to_file(dir.path().join("pem.bin"))
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
}
