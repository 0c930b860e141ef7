//! Shared helpers for the integration tests: an HTTPS test server and a downloader that trusts
//! exactly its certificate.

#![allow(dead_code)]

use std::time::Duration;

use oss_testserver::{ServerBuilder, TestServer, TlsIdentity};
use oss_transfer::{Downloader, DownloaderBuilder, PresignedGet, RetryPolicy};

/// The bucket every test uses.
pub(crate) const BUCKET: &str = "test-bucket";
/// The part size of the test downloaders.
pub(crate) const PART: u64 = 64 << 10;

/// An HTTPS server with a generated certificate, anonymous access.
pub(crate) async fn https_server() -> TestServer {
    ServerBuilder::new()
        .tls(TlsIdentity::generate(&[]).expect("certificate"))
        .start()
        .await
        .expect("server starts")
}

/// A builder trusting the server's CA, with small parts and fast retries.
pub(crate) fn builder(server: &TestServer) -> DownloaderBuilder {
    Downloader::builder()
        .add_root_certificate_der(server.tls().expect("https").ca_certificate_der())
        .part_size(PART)
        .parallelism(3)
        .write_buffer(16 << 10)
        .idle_timeout(Duration::from_secs(5))
        .retry(fast_retry(4, Duration::from_millis(50)))
}

/// Retries that keep a test fast: `max_attempts` tries, 5 ms base delay, at most `max_delay`.
pub(crate) fn fast_retry(max_attempts: u32, max_delay: Duration) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .base_delay(Duration::from_millis(5))
        .max_delay(max_delay)
}

/// An unsigned path-style request for `key`.
pub(crate) fn get(server: &TestServer, key: &str) -> PresignedGet {
    PresignedGet::new(&server.object_url(BUCKET, key)).expect("url")
}

/// Files left in a directory (to prove no partial or temporary file remains).
pub(crate) fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Range headers of the GETs the server received for `key`.
pub(crate) fn ranges_for(server: &TestServer, key: &str) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.object.as_ref().is_some_and(|(_, k)| k == key))
        .filter_map(|r| r.header("range").map(str::to_string))
        .collect()
}
