//! What a finished upload reports: [`UploadOutcome`].

use crate::outcome::Crc64Check;

/// What a successful upload did.
///
/// ```no_run
/// # async fn demo(u: oss_transfer::Uploader, put: oss_transfer::PresignedRequest) {
/// let o = u.put(put).from_file("a.bin").await.unwrap();
/// println!("{} bytes in {} parts, {} retries", o.size, o.parts_total, o.retries);
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
