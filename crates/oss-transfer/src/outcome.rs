//! What a finished download reports: [`DownloadOutcome`] and [`Crc64Check`].

/// Whether and why the CRC-64 of a download was compared with `x-oss-hash-crc64ecma`.
///
/// ```
/// let c = oss_transfer::Crc64Check::Unparsable;
/// assert_ne!(c, oss_transfer::Crc64Check::Verified);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Crc64Check {
    /// Compared, and it matched.
    Verified,
    /// Not compared: checking was turned off with
    /// [`verify_crc64(false)`](crate::DownloaderBuilder::verify_crc64).
    Disabled,
    /// Not compared: the server sent no `x-oss-hash-crc64ecma`.
    NotSent,
    /// Not compared: the server sent an `x-oss-hash-crc64ecma` that is not a decimal 64-bit
    /// number.
    Unparsable,
}

/// What a successful download did.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
/// # server.store().put_generated("bucket", "k", 300_000, 1).unwrap();
/// # let get = oss_transfer::PresignedGet::new(&server.object_url("bucket", "k")).unwrap();
/// # let dir = tempfile::tempdir().unwrap();
/// # let target = dir.path().join("x");
/// let d = oss_transfer::Downloader::builder().part_size(64 << 10).build().unwrap();
/// let o = d.download(get).to_file(&target).await.unwrap();
/// println!("{} bytes, {} parts fetched, {} retries", o.size, o.parts_fetched, o.retries);
/// assert_eq!((o.size, o.parts_total, o.parts_fetched), (300_000, 5, 5)); // 4 x 64 KiB + the rest
/// assert_eq!(o.bytes_fetched, 300_000);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadOutcome {
    /// Object size in bytes.
    pub size: u64,
    /// The ETag every part was pinned to.
    pub etag: Option<String>,
    /// CRC-64/XZ of the object as received (combined from the parts).
    pub crc64: u64,
    /// Whether `crc64` was compared with the server's `x-oss-hash-crc64ecma` (and matched).
    pub crc64_verified: bool,
    /// Why the CRC-64 was or was not compared (the detail behind `crc64_verified`).
    pub crc64_check: Crc64Check,
    /// Number of parts the object was cut into.
    pub parts_total: u64,
    /// Parts fetched by this run (the others came from a checkpoint).
    pub parts_fetched: u64,
    /// Body bytes received by this run.
    pub bytes_fetched: u64,
    /// HTTP requests sent by this run.
    pub requests: u32,
    /// Retries (re-sent requests after a failure) in this run.
    pub retries: u32,
}
