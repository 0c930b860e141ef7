//! What a finished upload reports: [`UploadOutcome`].

use crate::outcome::Crc64Check;

/// What a successful upload did.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
/// # server.store().create_bucket("bucket").unwrap();
/// # let put = oss_transfer::PresignedRequest::put(&server.object_url("bucket", "a.bin")).unwrap();
/// # let dir = tempfile::tempdir().unwrap();
/// # let file = dir.path().join("a.bin");
/// # std::fs::write(&file, b"hello world!").unwrap();
/// let u = oss_transfer::Uploader::builder().build().unwrap();
/// let o = u.put(put).from_file(&file).await.unwrap();
/// println!("{} bytes in {} parts, {} retries", o.size, o.parts_total, o.retries);
/// assert_eq!((o.size, o.parts_total, o.bytes_sent), (12, 1, 12));
/// assert_eq!(o.crc64, oss_transfer::crc64::checksum(b"hello world!"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutcome {
    /// Bytes in the object.
    pub size: u64,
    /// The object's ETag, as the server answered it.
    pub etag: Option<String>,
    /// CRC-64/XZ of the bytes sent (for a multipart upload, combined from the parts).
    pub crc64: u64,
    /// Whether and why the CRC-64 was compared with the server's `x-oss-hash-crc64ecma`.
    pub crc64_check: Crc64Check,
    /// The multipart upload id (`None` for a single PUT).
    pub upload_id: Option<String>,
    /// Parts of the object (1 for a single PUT).
    pub parts_total: u64,
    /// Parts sent by this run (the others were kept from a checkpoint).
    pub parts_uploaded: u64,
    /// Body bytes sent by this run, retries included.
    pub bytes_sent: u64,
    /// HTTP requests sent by this run.
    pub requests: u32,
    /// Retries in this run.
    pub retries: u32,
}
