//! The public entry point of uploads: [`Uploader`] (configured once, reused) and [`Upload`]
//! (one call).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::ProgressFn;
use crate::progress::{Cancellation, Progress};
use crate::retry::RetryPolicy;
use crate::transfer_options::{check_range, ConnectionOptions};
use crate::transfer_settings::TransferSettings;
use crate::upload_engine::http::{UploadConfig, UploadShared};
use crate::upload_engine::{Target, UploadJob};
use crate::upload_error::{UploadError, UploadErrorKind};
use crate::upload_outcome::UploadOutcome;
use crate::upload_request::{PresignedRequest, UploadPresigner};

/// Default part size of multipart uploads (8 MiB).
pub const DEFAULT_UPLOAD_PART_SIZE: u64 = 8 << 20;
/// Default size above which an upload through a presigner is multipart (64 MiB).
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 64 << 20;
/// Smallest part size (every part but the last must be at least 100 KiB).
pub const MIN_UPLOAD_PART_SIZE: u64 = 100 << 10;

/// Configures an [`Uploader`].
///
/// ```
/// use std::time::Duration;
/// let uploader = oss_transfer::Uploader::builder()
///     .part_size(16 << 20)
///     .parallelism(8)
///     .multipart_threshold(100 << 20)
///     .idle_timeout(Duration::from_secs(30))
///     .resume(true)
///     .build()
///     .unwrap();
/// # let _ = uploader;
/// ```
#[derive(Debug, Clone)]
pub struct UploaderBuilder {
    config: UploadConfig,
    connection: ConnectionOptions,
}

impl Default for UploaderBuilder {
    fn default() -> Self {
        Self {
            config: UploadConfig {
                transfer: TransferSettings::with_part_size(DEFAULT_UPLOAD_PART_SIZE),
                multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
                content_md5: false,
            },
            connection: ConnectionOptions::default(),
        }
    }
}

impl UploaderBuilder {
    crate::transfer_options::connection_setters!("Uploader");

    crate::setters::setters! {
        /// Bytes per part of a multipart upload (100 KiB to 5 GiB; default
        /// [`DEFAULT_UPLOAD_PART_SIZE`]). A file that would need more than 10,000 parts fails with
        /// [`TooManyParts`](UploadErrorKind::TooManyParts).
        ///
        /// ```
        /// assert!(oss_transfer::Uploader::builder().part_size(1000).build().is_err());
        /// ```
        part_size(bytes: u64) => config.transfer.part_size = bytes;

        /// Parts sent at the same time (1 to 64; default 4).
        ///
        /// ```
        /// assert!(oss_transfer::Uploader::builder().parallelism(0).build().is_err());
        /// ```
        parallelism(n: usize) => config.transfer.parallelism = n;

        /// Files larger than this go up as a multipart upload when a presigner is given (up to
        /// 5 GiB; default [`DEFAULT_MULTIPART_THRESHOLD`]).
        ///
        /// ```
        /// assert!(oss_transfer::Uploader::builder().multipart_threshold(6 << 30).build().is_err());
        /// ```
        multipart_threshold(bytes: u64) => config.multipart_threshold = bytes;

        /// The retry policy (retryable: 5xx, 408, 429, network errors, timeouts, and a CRC-64 or
        /// ETag that disagrees with the bytes sent; every attempt re-reads the file).
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().retry(oss_transfer::RetryPolicy::none());
        /// # let _ = b;
        /// ```
        retry(policy: RetryPolicy) => config.transfer.retry = policy;

        /// Longest time without progress: no body byte taken by the server and no answer
        /// (default 30 s). Counts as a retryable failure.
        ///
        /// ```
        /// assert!(oss_transfer::Uploader::builder().idle_timeout(std::time::Duration::ZERO).build().is_err());
        /// ```
        idle_timeout(d: Duration) => config.transfer.idle_timeout = d;

        /// Longest time a whole upload may take, retries included (default: no limit).
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().timeout(std::time::Duration::from_secs(3600));
        /// # let _ = b;
        /// ```
        timeout(d: Duration) => config.transfer.timeout = Some(d);

        /// Keep a checkpoint of a multipart upload (upload id, accepted parts with their CRC-64
        /// and ETag) so that a later run sends only the missing parts (default off). Without it a
        /// failed multipart upload is aborted.
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().resume(true);
        /// # let _ = b;
        /// ```
        resume(on: bool) => config.transfer.resume = on;

        /// Folder of the checkpoint files (must exist; default: beside the source file).
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().checkpoint_dir(std::env::temp_dir());
        /// # let _ = b;
        /// ```
        checkpoint_dir(dir: impl Into<PathBuf>) => config.transfer.checkpoint_dir = Some(dir.into());

        /// Send a `Content-MD5` with every PUT and part (read once more to compute it; default
        /// off). It is signed into the URL, so it applies to uploads through a presigner; the
        /// answer's ETag is then also checked against it.
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().content_md5(true);
        /// # let _ = b;
        /// ```
        content_md5(on: bool) => config.content_md5 = on;

        /// Compare the CRC-64 of the bytes sent with `x-oss-hash-crc64ecma` (default on). The
        /// HEAD that confirms a multipart upload whose CompleteMultipartUpload answer was lost
        /// compares it even when off: it is the only evidence that the object is this file.
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().verify_crc64(false);
        /// # let _ = b;
        /// ```
        verify_crc64(on: bool) => config.transfer.verify_crc = on;
    }

    /// Builds the uploader (and its connection pool).
    ///
    /// ```
    /// let u = oss_transfer::Uploader::builder().build().unwrap();
    /// # let _ = u;
    /// ```
    pub fn build(self) -> Result<Uploader, UploadError> {
        let c = &self.config;
        let invalid = |m: String| UploadError::new(UploadErrorKind::InvalidInput, m);
        check_range(
            "part size",
            c.transfer.part_size,
            MIN_UPLOAD_PART_SIZE..=5 << 30,
            "100 KiB (102400) to 5 GiB",
        )
        .map_err(invalid)?;
        if c.multipart_threshold > crate::upload_engine::MAX_PUT_BYTES {
            return Err(invalid(format!(
                "multipart threshold {} is above 5 GiB, the largest single PUT",
                c.multipart_threshold
            )));
        }
        let shared = UploadShared::build(self.connection, self.config, |c| &c.transfer, "upload")
            .map_err(invalid)?;
        Ok(Uploader { shared })
    }
}

/// Uploads files through presigned URLs. Cheap to clone; clones share the connection pool.
///
/// A single PUT of a file through a ready presigned URL, against a local server:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use oss_testserver::{ServerBuilder, TlsIdentity};
/// use oss_transfer::{PresignedRequest, Uploader};
///
/// let server = ServerBuilder::new().tls(TlsIdentity::generate(&[]).unwrap()).start().await.unwrap();
/// server.store().create_bucket("bucket").unwrap();
/// let dir = tempfile::tempdir().unwrap();
/// let file = dir.path().join("hello.txt");
/// std::fs::write(&file, b"hello world!").unwrap();
///
/// let uploader = Uploader::builder()
///     .add_root_certificate_der(server.tls().unwrap().ca_certificate_der())
///     .build()
///     .unwrap();
/// let put = PresignedRequest::put(&server.object_url("bucket", "hello.txt")).unwrap();
/// let outcome = uploader.put(put).from_file(&file).await.unwrap();
/// assert_eq!(outcome.size, 12);
/// assert_eq!(outcome.crc64, oss_transfer::crc64::checksum(b"hello world!"));
/// assert_eq!(outcome.crc64_check, oss_transfer::Crc64Check::Verified);
/// assert_eq!(server.store().info("bucket", "hello.txt").unwrap().crc64, outcome.crc64);
/// # }
/// ```
#[derive(Clone)]
pub struct Uploader {
    shared: Arc<UploadShared>,
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploader")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Uploader {
    /// A builder with the defaults.
    ///
    /// ```
    /// let u = oss_transfer::Uploader::builder().build().unwrap();
    /// # let _ = u;
    /// ```
    pub fn builder() -> UploaderBuilder {
        UploaderBuilder::default()
    }

    /// A single PUT through a ready presigned URL (what a process that only receives a URL
    /// can do). The body is re-read from the file on every retry.
    ///
    /// ```
    /// let u = oss_transfer::Uploader::builder().build().unwrap();
    /// let call = u.put(oss_transfer::PresignedRequest::put("https://127.0.0.1/b/k").unwrap());
    /// # let _ = call;
    /// ```
    pub fn put(&self, request: PresignedRequest) -> Upload<'_> {
        Upload::new(self, Target::Fixed(request))
    }

    /// An upload whose URLs come from `presigner`: a single PUT up to the
    /// [multipart threshold](UploaderBuilder::multipart_threshold), a multipart upload above.
    /// Every attempt gets a fresh URL, so a long upload does not outlive its URLs.
    ///
    /// With `ClientUploadPresigner` (feature `client`):
    ///
    /// ```no_run
    /// # #[cfg(feature = "client")]
    /// # async fn demo(u: oss_transfer::Uploader, client: oss_client::Client) {
    /// use std::sync::Arc;
    /// let p = oss_transfer::ClientUploadPresigner::new(client, oss_client::PutObjectRequest::new("bucket", "big.iso"));
    /// u.upload(Arc::new(p)).from_file("big.iso").await.unwrap();
    /// # }
    /// ```
    pub fn upload(&self, presigner: Arc<dyn UploadPresigner>) -> Upload<'_> {
        Upload::new(self, Target::Presigner(presigner))
    }
}

/// One upload; finish it with [`from_file`](Upload::from_file) or
/// [`from_reader`](Upload::from_reader).
///
/// ```no_run
/// # async fn demo(u: oss_transfer::Uploader, put: oss_transfer::PresignedRequest) {
/// let outcome = u.put(put).progress(|p| eprintln!("{} bytes", p.bytes_done)).from_file("a.bin").await.unwrap();
/// println!("crc64 {}", outcome.crc64);
/// # }
/// ```
pub struct Upload<'a> {
    uploader: &'a Uploader,
    target: Target,
    progress: Option<ProgressFn>,
    cancel: Option<Cancellation>,
}

impl std::fmt::Debug for Upload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload").finish_non_exhaustive()
    }
}

impl<'a> Upload<'a> {
    /// A call of `uploader` to `target`, with no progress callback and no cancellation yet.
    fn new(uploader: &'a Uploader, target: Target) -> Self {
        Upload {
            uploader,
            target,
            progress: None,
            cancel: None,
        }
    }

    /// What the engine needs to run this upload.
    fn into_job(self) -> UploadJob {
        UploadJob {
            shared: self.uploader.shared.clone(),
            target: self.target,
            progress: self.progress,
            cancel: self.cancel,
        }
    }

    crate::setters::setters! {
        /// Calls `f` as bytes are sent (at most about every 100 ms, and once at the end).
        ///
        /// ```
        /// # let u = oss_transfer::Uploader::builder().build().unwrap();
        /// # let put = oss_transfer::PresignedRequest::put("https://127.0.0.1/b/k").unwrap();
        /// let call = u.put(put).progress(|p| println!("{:?}", p.fraction()));
        /// # let _ = call;
        /// ```
        progress(f: impl Fn(&Progress) + Send + Sync + 'static) => progress = Some(Arc::new(f));

        /// Stops the upload when `c` is cancelled (a multipart upload is aborted, unless resuming
        /// keeps it for a later run).
        ///
        /// ```
        /// # let u = oss_transfer::Uploader::builder().build().unwrap();
        /// # let put = oss_transfer::PresignedRequest::put("https://127.0.0.1/b/k").unwrap();
        /// let call = u.put(put).cancellation(oss_transfer::Cancellation::new());
        /// # let _ = call;
        /// ```
        cancellation(c: Cancellation) => cancel = Some(c);
    }

    /// Uploads the regular file at `path`.
    ///
    /// ```no_run
    /// # async fn demo(u: oss_transfer::Uploader, put: oss_transfer::PresignedRequest) {
    /// let outcome = u.put(put).from_file("/tmp/object.bin").await.unwrap();
    /// # let _ = outcome; }
    /// ```
    pub async fn from_file(self, path: impl AsRef<Path>) -> Result<UploadOutcome, UploadError> {
        crate::upload_engine::from_file(self.into_job(), path.as_ref()).await
    }

    /// Uploads exactly `length` bytes read from `reader` with a single PUT (also through a
    /// presigner, whatever the size; at most 5 GiB). A stream cannot be read twice, so there
    /// is one attempt and no `Content-MD5`; the CRC-64 is still compared. A reader that ends
    /// early fails the upload (`Io`) and the server stores nothing.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use oss_transfer::{PresignedRequest, Uploader};
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().create_bucket("bucket").unwrap();
    /// let put = PresignedRequest::put(&server.object_url("bucket", "from-stream.txt")).unwrap();
    /// let body: &'static [u8] = b"streamed bytes";
    /// let o = Uploader::builder().build().unwrap().put(put).from_reader(body, 14).await.unwrap();
    /// assert_eq!(o.crc64_check, oss_transfer::Crc64Check::Verified);
    /// assert_eq!(server.store().info("bucket", "from-stream.txt").unwrap().size, 14);
    /// # }
    /// ```
    pub async fn from_reader<R>(self, reader: R, length: u64) -> Result<UploadOutcome, UploadError>
    where
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
    {
        crate::upload_engine::from_reader(self.into_job(), reader, length).await
    }
}
