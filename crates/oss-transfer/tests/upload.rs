//! Uploads against a real `oss-testserver` (HTTPS with a generated certificate, and HTTP):
//! single PUTs through a ready URL, multipart uploads through a presigner that hands out the
//! server's URLs, each object read back byte for byte; the 10,000-part limit; a resumed
//! multipart upload that sends only the parts it is missing.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{fast_retry, https_server, BUCKET};
use oss_testserver::{generated_bytes, ServerBuilder, TestServer};
use oss_transfer::{
    Crc64Check, PresignedRequest, UploadError, UploadErrorKind, UploadOperation,
    UploadPresignFuture, UploadPresigner, Uploader, UploaderBuilder,
};

const PART: u64 = 128 << 10;

/// Hands out the (anonymous) server's URLs for every operation of one object, like a process
/// that receives URLs from elsewhere; can refuse chosen part numbers a number of times.
#[derive(Debug)]
struct Urls {
    object: String,
    fail_part: Option<u32>,
    failures_left: AtomicU32,
    part_requests: AtomicU32,
    cancel_at: Option<(u32, oss_transfer::Cancellation)>,
}

impl Urls {
    fn new(server: &TestServer, key: &str) -> Self {
        Self {
            object: server.object_url(BUCKET, key),
            fail_part: None,
            failures_left: AtomicU32::new(0),
            part_requests: AtomicU32::new(0),
            cancel_at: None,
        }
    }

    /// Cancels `cancel` when part `part` is asked for (and never hands out its URL).
    fn cancelling(mut self, part: u32, cancel: &oss_transfer::Cancellation) -> Self {
        self.cancel_at = Some((part, cancel.clone()));
        self
    }

    fn failing(mut self, part: u32, times: u32) -> Self {
        self.fail_part = Some(part);
        self.failures_left = AtomicU32::new(times);
        self
    }
}

impl UploadPresigner for Urls {
    fn presign_upload<'a>(&'a self, op: &'a UploadOperation) -> UploadPresignFuture<'a> {
        Box::pin(async move {
            if let UploadOperation::UploadPart { part_number, .. } = op {
                if let Some((at, cancel)) = &self.cancel_at {
                    if at == part_number {
                        cancel.cancel();
                        std::future::pending::<()>().await;
                    }
                }
                self.part_requests.fetch_add(1, Ordering::SeqCst);
                if self.fail_part == Some(*part_number)
                    && self
                        .failures_left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    return Err(UploadError::new(
                        UploadErrorKind::Credentials,
                        "no credentials for this part (test)",
                    ));
                }
            }
            common::object_request(&self.object, op)
        })
    }
}

fn uploader(server: &TestServer) -> UploaderBuilder {
    let mut b = Uploader::builder()
        .part_size(PART)
        .parallelism(3)
        .multipart_threshold(PART)
        .idle_timeout(Duration::from_secs(5))
        .retry(fast_retry(4, Duration::from_millis(50)));
    if let Some(tls) = server.tls() {
        b = b.add_root_certificate_der(tls.ca_certificate_der());
    }
    b
}

fn write_source(
    dir: &tempfile::TempDir,
    name: &str,
    len: usize,
    seed: u64,
) -> (std::path::PathBuf, Vec<u8>) {
    let bytes = generated_bytes(len, seed);
    let path = dir.path().join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

async fn http_server() -> TestServer {
    ServerBuilder::new().start().await.unwrap()
}

/// Uploads `path` as `key` with the test uploader, through the server's URLs.
async fn upload_file(
    server: &TestServer,
    key: &str,
    path: &std::path::Path,
) -> Result<oss_transfer::UploadOutcome, UploadError> {
    uploader(server)
        .build()
        .unwrap()
        .upload(Arc::new(Urls::new(server, key)))
        .from_file(path)
        .await
}

/// An HTTPS server with the test bucket, and an empty scratch folder.
/// How many `method` requests the server received.
fn requests_with_method(server: &TestServer, method: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == method)
        .count()
}

async fn server_and_dir() -> (TestServer, tempfile::TempDir) {
    let server = https_server().await;
    server.store().create_bucket(BUCKET).unwrap();
    (server, tempfile::tempdir().unwrap())
}

/// An uploader sending one part at a time and keeping a checkpoint.
fn resuming(server: &TestServer) -> Uploader {
    uploader(server)
        .parallelism(1)
        .resume(true)
        .build()
        .unwrap()
}

/// Uploads `path` as `key` with `up` and cancels when part `part` is asked for; asserts that
/// the upload ends as cancelled.
/// Runs `up` again for `path` as `key` through fresh URLs and checks that the stored object is
/// `bytes`: the outcome, and the URLs (their request counts).
async fn upload_again(
    up: &Uploader,
    server: &TestServer,
    key: &str,
    path: &std::path::Path,
    bytes: &[u8],
) -> (oss_transfer::UploadOutcome, Arc<Urls>) {
    let urls = Arc::new(Urls::new(server, key));
    let o = up.upload(urls.clone()).from_file(path).await.unwrap();
    assert_eq!(common::read_back(server, BUCKET, key).await, bytes);
    (o, urls)
}

async fn cancel_at_part(
    up: &Uploader,
    server: &TestServer,
    key: &str,
    path: &std::path::Path,
    part: u32,
) {
    let cancel = oss_transfer::Cancellation::new();
    let r = up
        .upload(Arc::new(Urls::new(server, key).cancelling(part, &cancel)))
        .cancellation(cancel.clone())
        .from_file(path)
        .await
        .unwrap_err();
    assert_eq!(r.kind(), UploadErrorKind::Cancelled);
}

#[tokio::test]
async fn a_single_put_through_a_ready_url_is_stored_byte_for_byte_over_https_and_http() {
    for server in [https_server().await, http_server().await] {
        server.store().create_bucket(BUCKET).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (path, bytes) = write_source(&dir, "one.bin", 300_001, 3);
        let put = PresignedRequest::put(&server.object_url(BUCKET, "dir/one.bin")).unwrap();
        let o = uploader(&server)
            .build()
            .unwrap()
            .put(put)
            .from_file(&path)
            .await
            .unwrap();
        assert_eq!(o.size, bytes.len() as u64);
        assert_eq!(o.crc64_check, Crc64Check::Verified);
        assert_eq!(o.parts_total, 1);
        assert!(o.upload_id.is_none());
        assert_eq!(
            common::read_back(&server, BUCKET, "dir/one.bin").await,
            bytes
        );
        // the source folder holds nothing but the source
        assert_eq!(common::files_in(dir.path()), vec!["one.bin".to_string()]);
    }
}

#[tokio::test]
async fn an_empty_file_is_a_single_put_even_through_a_presigner() {
    let (server, dir) = server_and_dir().await;
    let (path, _) = write_source(&dir, "empty", 0, 0);
    let o = upload_file(&server, "empty", &path).await.unwrap();
    assert_eq!((o.size, o.crc64, o.parts_total), (0, 0, 1));
    assert_eq!(server.store().info(BUCKET, "empty").unwrap().size, 0);
}

#[tokio::test]
async fn a_multipart_upload_sends_parts_in_parallel_and_completes_byte_for_byte() {
    for server in [https_server().await, http_server().await] {
        server.store().create_bucket(BUCKET).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let len = 7 * PART as usize + 12_345;
        let (path, bytes) = write_source(&dir, "big.bin", len, 9);
        let progress = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = progress.clone();
        let o = uploader(&server)
            .content_md5(false)
            .build()
            .unwrap()
            .upload(Arc::new(Urls::new(&server, "big.bin")))
            .progress(move |p| seen.lock().unwrap().push(p.bytes_done))
            .from_file(&path)
            .await
            .unwrap();
        assert_eq!(o.parts_total, 8);
        assert_eq!(o.parts_uploaded, 8);
        assert!(o.upload_id.is_some());
        assert_eq!(o.crc64_check, Crc64Check::Verified);
        assert!(
            o.etag.as_deref().is_some_and(|e| e.ends_with("-8\"")),
            "{:?}",
            o.etag
        );
        assert_eq!(o.crc64, oss_transfer::crc64::checksum(&bytes));
        assert_eq!(common::read_back(&server, BUCKET, "big.bin").await, bytes);
        let p = progress.lock().unwrap();
        assert_eq!(
            p.last().copied(),
            Some(len as u64),
            "the last report is the whole file"
        );
        assert!(p.windows(2).all(|w| w[1] <= len as u64));
        let puts = requests_with_method(&server, "PUT");
        assert_eq!(puts, 8, "one PUT per part, no more");
    }
}

#[tokio::test]
async fn content_md5_is_sent_signed_and_checked_against_the_etag() {
    let (server, dir) = server_and_dir().await;
    let (path, bytes) = write_source(&dir, "md5.bin", 3 * PART as usize, 4);
    // The test presigner ignores the MD5 it is given; the client's presigner signs it (see
    // upload_client.rs). Here the uploader computes it and checks each ETag against it.
    let o = uploader(&server)
        .content_md5(true)
        .build()
        .unwrap()
        .upload(Arc::new(Urls::new(&server, "md5.bin")))
        .from_file(&path)
        .await
        .unwrap();
    assert_eq!(o.parts_total, 3);
    assert_eq!(common::read_back(&server, BUCKET, "md5.bin").await, bytes);
}

#[tokio::test]
async fn more_than_ten_thousand_parts_is_a_typed_error_before_any_request() {
    let (server, dir) = server_and_dir().await;
    let path = dir.path().join("sparse");
    // sparse: no disk space used
    std::fs::File::create(&path)
        .unwrap()
        .set_len(10_001 * PART)
        .unwrap();
    let e = upload_file(&server, "sparse", &path).await.unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::TooManyParts, "{e}");
    assert!(e.to_string().contains("10000"), "{e}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_failed_multipart_upload_is_aborted_and_nothing_is_visible() {
    let (server, dir) = server_and_dir().await;
    let (path, _) = write_source(&dir, "fails.bin", 4 * PART as usize, 5);
    let e = uploader(&server)
        .build()
        .unwrap()
        .upload(Arc::new(Urls::new(&server, "fails.bin").failing(3, 100)))
        .from_file(&path)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::Credentials, "{e}");
    assert!(server.store().info(BUCKET, "fails.bin").is_none());
    let aborts = requests_with_method(&server, "DELETE");
    assert_eq!(aborts, 1, "the upload was aborted");
    assert_eq!(common::files_in(dir.path()), vec!["fails.bin".to_string()]);
}

#[tokio::test]
async fn a_resumed_upload_sends_only_the_missing_parts_after_re_checking_the_kept_ones() {
    let (server, dir) = server_and_dir().await;
    let (path, bytes) = write_source(&dir, "resume.bin", 6 * PART as usize + 7, 6);
    let first = resuming(&server)
        .upload(Arc::new(Urls::new(&server, "resume.bin").failing(4, 1)))
        .from_file(&path)
        .await
        .unwrap_err();
    assert_eq!(first.kind(), UploadErrorKind::Credentials);
    // A presigner failure is not a network failure: the upload is aborted, the checkpoint
    // removed, and a new run starts over.
    assert!(!dir
        .path()
        .join(".resume.bin.upload.oss-checkpoint")
        .exists());

    // A cancelled resumable upload keeps its upload and checkpoint.
    let up = resuming(&server);
    cancel_at_part(&up, &server, "resume.bin", &path, 4).await;
    let cp = dir.path().join(".resume.bin.upload.oss-checkpoint");
    assert!(
        cp.exists(),
        "a cancelled resumable upload keeps its checkpoint"
    );
    let text = std::fs::read_to_string(&cp).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let kept = v["data"]["parts"].as_array().unwrap().len() as u32;
    assert_eq!(kept, 3, "parts 1 to 3 recorded");
    assert!(
        server.store().info(BUCKET, "resume.bin").is_none(),
        "nothing visible yet"
    );

    let (o, urls2) = upload_again(&up, &server, "resume.bin", &path, &bytes).await;
    assert_eq!(o.parts_total, 7);
    assert_eq!(o.parts_uploaded, u64::from(7 - kept));
    assert_eq!(urls2.part_requests.load(Ordering::SeqCst), 7 - kept);
    assert_eq!(o.crc64_check, Crc64Check::Verified);
    assert!(!cp.exists(), "the checkpoint is removed on success");
}

#[tokio::test]
async fn a_changed_file_does_not_resume_from_the_old_parts() {
    let (server, dir) = server_and_dir().await;
    let (path, _) = write_source(&dir, "changes.bin", 4 * PART as usize, 7);
    let up = resuming(&server);
    cancel_at_part(&up, &server, "changes.bin", &path, 3).await;
    // same size, new content (and modification time)
    std::thread::sleep(Duration::from_millis(20));
    let (path, bytes) = write_source(&dir, "changes.bin", 4 * PART as usize, 8);
    let (o, _) = upload_again(&up, &server, "changes.bin", &path, &bytes).await;
    assert_eq!(o.parts_uploaded, 4, "every part is sent again");
}

#[tokio::test]
async fn a_kept_part_whose_bytes_changed_under_the_same_mtime_is_sent_again() {
    let (server, dir) = server_and_dir().await;
    let (path, mut bytes) = write_source(&dir, "edited.bin", 5 * PART as usize, 11);
    let up = resuming(&server);
    cancel_at_part(&up, &server, "edited.bin", &path, 4).await;
    // Edit part 2 in place and put the modification time back: only the re-check of the
    // recorded CRC-64 against the file can notice.
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    bytes[PART as usize + 10] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (o, _) = upload_again(&up, &server, "edited.bin", &path, &bytes).await;
    assert_eq!(o.parts_uploaded, 3, "parts 2, 4 and 5");
}

// multi-threaded: the raw blocking request below must not stop the server's thread
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_upload_the_server_no_longer_knows_starts_over() {
    use std::io::{Read as _, Write as _};
    let server = http_server().await;
    server.store().create_bucket(BUCKET).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = write_source(&dir, "gone.bin", 4 * PART as usize, 12);
    let up = resuming(&server);
    cancel_at_part(&up, &server, "gone.bin", &path, 3).await;
    let cp = dir.path().join(".gone.bin.upload.oss-checkpoint");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    let id = v["data"]["upload_id"].as_str().unwrap().to_string();
    // someone aborts the upload behind our back (a plain AbortMultipartUpload)
    let mut tcp = std::net::TcpStream::connect(server.addr()).unwrap();
    write!(
        tcp,
        "DELETE /{BUCKET}/gone.bin?uploadId={id} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.addr()
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");

    let o = up
        .upload(Arc::new(Urls::new(&server, "gone.bin")))
        .from_file(&path)
        .await
        .unwrap();
    assert_ne!(o.upload_id.as_deref(), Some(id.as_str()), "a new upload");
    assert_eq!(o.parts_uploaded, 4);
    assert_eq!(common::read_back(&server, BUCKET, "gone.bin").await, bytes);
    assert!(!cp.exists());
}

#[tokio::test]
async fn a_stream_goes_up_as_one_put_and_a_short_stream_stores_nothing() {
    let server = https_server().await;
    server.store().create_bucket(BUCKET).unwrap();
    let bytes = generated_bytes(700_000, 13);
    let up = uploader(&server).build().unwrap();
    let o = up
        .upload(Arc::new(Urls::new(&server, "stream.bin")))
        .from_reader(std::io::Cursor::new(bytes.clone()), bytes.len() as u64)
        .await
        .unwrap();
    assert_eq!((o.parts_total, o.retries), (1, 0));
    assert_eq!(o.crc64_check, Crc64Check::Verified);
    assert_eq!(
        common::read_back(&server, BUCKET, "stream.bin").await,
        bytes
    );
    // announced longer than it is: refused, nothing stored
    let put = PresignedRequest::put(&server.object_url(BUCKET, "short.bin")).unwrap();
    let e = up
        .put(put)
        .from_reader(std::io::Cursor::new(vec![1u8; 1000]), 5000)
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), UploadErrorKind::Network | UploadErrorKind::Io),
        "{e}"
    );
    assert!(server.store().info(BUCKET, "short.bin").is_none());
}
