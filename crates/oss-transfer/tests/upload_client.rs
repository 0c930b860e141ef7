//! Uploads whose URLs `oss-client` presigns (ClientUploadPresigner), against a test server that
//! verifies every signature: single PUT and multipart (with signed Content-MD5 and
//! Content-Type), read back byte for byte; a tampered and an expired URL refused with nothing
//! stored.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{fast_retry, BUCKET};
use oss_client::{Client, FixedClock, PresignOptions, PutObjectRequest, SigningTime};
use oss_credentials::Credentials;
use oss_testserver::{generated_bytes, ServerBuilder, TestServer, TlsIdentity};
use oss_transfer::{
    ClientUploadPresigner, Crc64Check, PresignedRequest, UploadError, UploadErrorKind, Uploader,
};

const AK: &str = "upload-ak";
const SK: &str = "upload-secret-never-printed";
const PART: u64 = 100 << 10;

async fn server(tls: bool) -> TestServer {
    let mut b = ServerBuilder::new()
        .credential(AK, SK)
        .region("cn-hangzhou");
    if tls {
        b = b.tls(TlsIdentity::generate(&[]).unwrap());
    }
    let s = b.start().await.unwrap();
    s.store().create_bucket(BUCKET).unwrap();
    s
}

fn client(server: &TestServer, secret: &str, at: Option<SystemTime>) -> Client {
    let mut b =
        common::client::client_config(server).credentials(Credentials::new(AK, secret).unwrap());
    if let Some(at) = at {
        b = b.clock(FixedClock::new(SigningTime::try_from(at).unwrap()));
    }
    Client::new(b.build().unwrap())
}

fn uploader(server: &TestServer) -> Uploader {
    let mut b = Uploader::builder()
        .part_size(PART)
        .parallelism(4)
        .multipart_threshold(2 * PART)
        .content_md5(true)
        .retry(fast_retry(3, Duration::from_millis(20)));
    if let Some(tls) = server.tls() {
        b = b.add_root_certificate_der(tls.ca_certificate_der());
    }
    b.build().unwrap()
}

fn source(dir: &tempfile::TempDir, len: usize, seed: u64) -> (std::path::PathBuf, Vec<u8>) {
    let bytes = generated_bytes(len, seed);
    let p = dir.path().join(format!("src-{seed}"));
    std::fs::write(&p, &bytes).unwrap();
    (p, bytes)
}

/// A multipart upload of `file` to `key` presigned by `client`, which must fail and leave
/// nothing stored under `key`; returns its error.
async fn refused_multipart(
    server: &TestServer,
    client: Client,
    key: &str,
    file: &std::path::Path,
) -> UploadError {
    let e = uploader(server)
        .upload(Arc::new(ClientUploadPresigner::new(
            client,
            PutObjectRequest::new(BUCKET, key),
        )))
        .from_file(file)
        .await
        .unwrap_err();
    assert!(
        server.store().info(BUCKET, key).is_none(),
        "{key} stored: {e}"
    );
    e
}

#[tokio::test]
async fn client_presigned_single_and_multipart_uploads_are_verified_and_stored() {
    for tls in [true, false] {
        let server = server(tls).await;
        let c = client(&server, SK, None);
        let dir = tempfile::tempdir().unwrap();
        for (key, len) in [
            ("small/one.txt", 1000usize),
            ("big/中 文+x.bin", 9 * PART as usize + 3),
        ] {
            let (path, bytes) = source(&dir, len, len as u64);
            let put = PutObjectRequest::new(BUCKET, key)
                .content_type("text/x-test")
                .metadata("origin", "upload-test");
            let o = uploader(&server)
                .upload(Arc::new(ClientUploadPresigner::new(c.clone(), put)))
                .from_file(&path)
                .await
                .unwrap();
            assert_eq!(o.size, len as u64);
            assert_eq!(o.crc64_check, Crc64Check::Verified);
            assert_eq!(o.upload_id.is_some(), len as u64 > 2 * PART);
            let info = server.store().info(BUCKET, key).unwrap();
            assert_eq!(info.crc64, oss_transfer::crc64::checksum(&bytes));
            // read back through a presigned GET
            let get = oss_transfer::PresignedGet::presign(
                &c,
                &oss_client::GetObjectRequest::new(BUCKET, key),
            )
            .unwrap();
            let mut d = oss_transfer::Downloader::builder();
            if let Some(t) = server.tls() {
                d = d.add_root_certificate_der(t.ca_certificate_der());
            }
            let mut out = Vec::new();
            d.build()
                .unwrap()
                .download(get)
                .to_writer(&mut out)
                .await
                .unwrap();
            assert_eq!(out, bytes, "{key}");
        }
        // every request carried a signature the server checked; the MD5 and type were signed
        let reqs = server.requests();
        assert!(reqs
            .iter()
            .filter(|r| r.method == "PUT")
            .all(|r| r.header("content-md5").is_some()));
    }
}

#[tokio::test]
async fn a_tampered_url_is_refused_and_nothing_is_stored() {
    let server = server(true).await;
    let c = client(&server, SK, None);
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = source(&dir, 5000, 1);
    let result = c
        .presign(&PutObjectRequest::new(BUCKET, "tampered"))
        .unwrap();
    let url = result.url().replace("/tampered?", "/tampereD?");
    let e = uploader(&server)
        .put(PresignedRequest::put(&url).unwrap())
        .from_file(&path)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::SignatureMismatch, "{e}");
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.attempts(), 1, "a refused signature is not retried");
    assert!(!e.to_string().contains("x-oss-signature="), "{e}");
    assert!(server.store().info(BUCKET, "tampered").is_none());
    assert!(server.store().info(BUCKET, "tampereD").is_none());
    // the wrong secret, through the presigner: refused before any part is stored
    let bad = client(&server, "wrong-secret", None);
    let (big, _) = source(&dir, 5 * PART as usize, 2);
    let e = refused_multipart(&server, bad, "bad", &big).await;
    assert_eq!(e.kind(), UploadErrorKind::SignatureMismatch, "{e}");
}

#[tokio::test]
async fn an_expired_url_is_refused_and_nothing_is_stored() {
    let server = server(true).await;
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let c = client(&server, SK, Some(hour_ago));
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = source(&dir, 5000, 3);
    let result = c
        .presign_with(
            &PutObjectRequest::new(BUCKET, "expired"),
            &PresignOptions::new().expires(Duration::from_secs(60)),
        )
        .unwrap();
    let put = PresignedRequest::from_presign_result(&result).unwrap();
    assert!(put.expires_at().unwrap() < SystemTime::now());
    let e = uploader(&server)
        .put(put)
        .from_file(&path)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::Expired, "{e}");
    assert!(server.store().info(BUCKET, "expired").is_none());
    // a multipart upload through the same (stale-clocked) client fails at initiate
    let (big, _) = source(&dir, 5 * PART as usize, 4);
    let e = refused_multipart(&server, c, "expired-mp", &big).await;
    assert_eq!(e.kind(), UploadErrorKind::Expired, "{e}");
}

/// A multipart upload presigned by `oss-client` to `key` through a proxy that loses the first
/// CompleteMultipartUpload's answer (and strips HEAD answers' CRC-64 when `strip_head_crc`).
async fn lost_complete(
    strip_head_crc: bool,
    key: &str,
) -> (
    TestServer,
    Result<oss_transfer::UploadOutcome, UploadError>,
    Vec<u8>,
) {
    let server = server(false).await;
    let plan = common::complete_proxy::Plan {
        first_complete: common::complete_proxy::FirstComplete::AnswerLost,
        strip_head_crc,
    };
    let proxy = common::complete_proxy::start(server.addr(), plan).await;
    let c = Client::new(
        oss_client::Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!("http://{proxy}"))
            .credentials(Credentials::new(AK, SK).unwrap())
            .build()
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = source(&dir, 3 * PART as usize + 5, 9);
    let result = uploader(&server)
        .upload(Arc::new(ClientUploadPresigner::new(
            c,
            PutObjectRequest::new(BUCKET, key),
        )))
        .from_file(&path)
        .await;
    (server, result, bytes)
}

#[tokio::test]
async fn a_lost_complete_answer_is_confirmed_through_a_presigned_head() {
    let (server, result, bytes) = lost_complete(false, "lost/a.bin").await;
    let o = result.unwrap_or_else(|e| panic!("{e}"));
    let info = server.store().info(BUCKET, "lost/a.bin").unwrap();
    assert_eq!(info.crc64, oss_transfer::crc64::checksum(&bytes));
    assert_eq!((o.size, o.crc64), (info.size, info.crc64));
    assert_eq!(o.crc64_check, Crc64Check::Verified);
    assert_eq!(o.etag.as_deref(), Some(info.etag.as_str()));
    // the HEAD was presigned (the server checks every signature) and accepted
    let reqs = server.requests();
    let heads: Vec<_> = reqs.iter().filter(|r| r.method == "HEAD").collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].status, 200);
    assert!(
        heads[0].target.contains("x-oss-signature="),
        "{}",
        heads[0].target
    );
    assert_eq!(reqs.iter().filter(|r| r.method == "PUT").count(), 4);
}

#[tokio::test]
async fn an_unconfirmed_lost_complete_names_no_signature() {
    let (server, result, _) = lost_complete(true, "lost/b.bin").await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::UploadVanished, "{e}");
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(text.contains("could not be confirmed"), "{text}");
        assert!(!text.contains("x-oss-signature"), "{text}");
        assert!(!text.contains("x-oss-credential"), "{text}");
        assert!(!text.contains(SK), "{text}");
    }
    // the HEAD itself was signed and accepted; only its CRC-64 was missing
    assert!(server
        .requests()
        .iter()
        .any(|r| r.method == "HEAD" && r.status == 200));
}
