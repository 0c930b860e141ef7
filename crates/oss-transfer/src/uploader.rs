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
/// assert!(format!("{uploader:?}").contains("multipart_threshold: 104857600"));
///
/// // Values are checked when building:
/// let err = oss_transfer::Uploader::builder().part_size(1 << 10).build().unwrap_err();
/// assert_eq!(err.kind(), oss_transfer::UploadErrorKind::InvalidInput);
/// assert!(err.to_string().contains("part size"));
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
        /// assert!(format!("{b:?}").contains("max_attempts: 1"));
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
        /// use std::time::Duration;
        /// use oss_transfer::Uploader;
        /// assert!(Uploader::builder().timeout(Duration::from_secs(3600)).build().is_ok());
        /// let err = Uploader::builder().timeout(Duration::ZERO).build().unwrap_err();
        /// assert_eq!(err.to_string(), "the upload timeout must be greater than zero");
        /// ```
        timeout(d: Duration) => config.transfer.timeout = Some(d);

        /// Keep a checkpoint of a multipart upload (upload id, accepted parts with their CRC-64
        /// and ETag) so that a later run sends only the missing parts (default off). Without it a
        /// failed multipart upload is aborted.
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().resume(true);
        /// assert!(format!("{b:?}").contains("resume: true"));
        /// ```
        resume(on: bool) => config.transfer.resume = on;

        /// Folder of the checkpoint files (must exist; default: beside the source file).
        ///
        /// ```
        /// use oss_transfer::Uploader;
        /// assert!(Uploader::builder().checkpoint_dir(std::env::temp_dir()).build().is_ok());
        /// let err = Uploader::builder().checkpoint_dir("/no/such/folder").build().unwrap_err();
        /// assert!(err.to_string().contains("does not exist"));
        /// ```
        checkpoint_dir(dir: impl Into<PathBuf>) => config.transfer.checkpoint_dir = Some(dir.into());

        /// Send a `Content-MD5` with every PUT and part (read once more to compute it; default
        /// off). It is signed into the URL, so it applies to uploads through a presigner; the
        /// answer's ETag is then also checked against it.
        ///
        /// ```
        /// let b = oss_transfer::Uploader::builder().content_md5(true);
        /// assert!(format!("{b:?}").contains("content_md5: true"));
        /// ```
        content_md5(on: bool) => config.content_md5 = on;

        /// Compare the CRC-64 of the bytes sent with `x-oss-hash-crc64ecma` (default on). The
        /// HEAD that confirms a multipart upload whose CompleteMultipartUpload answer was lost
        /// compares it even when off: it is the only evidence that the object is this file.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// use oss_transfer::{Crc64Check, PresignedRequest, Uploader};
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().create_bucket("bucket").unwrap();
        /// # let put = PresignedRequest::put(&server.object_url("bucket", "k")).unwrap();
        /// let u = Uploader::builder().verify_crc64(false).build().unwrap();
        /// let outcome = u.put(put).from_reader(&b"hello"[..], 5).await.unwrap();
        /// assert_eq!(outcome.crc64_check, Crc64Check::Disabled);
        /// # }
        /// ```
        verify_crc64(on: bool) => config.transfer.verify_crc = on;
    }

    /// Builds the uploader (and its connection pool).
    ///
    /// ```
    /// use oss_transfer::{Uploader, UploadErrorKind, MIN_UPLOAD_PART_SIZE};
    /// assert!(Uploader::builder().part_size(MIN_UPLOAD_PART_SIZE).build().is_ok());
    /// let err = Uploader::builder().part_size(MIN_UPLOAD_PART_SIZE - 1).build().unwrap_err();
    /// assert_eq!(err.kind(), UploadErrorKind::InvalidInput);
    /// assert!(err.to_string().contains("100 KiB (102400) to 5 GiB"));
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
    /// let b = oss_transfer::Uploader::builder();
    /// let threshold = format!("multipart_threshold: {}", oss_transfer::DEFAULT_MULTIPART_THRESHOLD);
    /// assert!(format!("{b:?}").contains(&threshold));
    /// ```
    pub fn builder() -> UploaderBuilder {
        UploaderBuilder::default()
    }

    /// A single PUT through a ready presigned URL (what a process that only receives a URL
    /// can do). The body is re-read from the file on every retry.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use oss_transfer::{PresignedRequest, Uploader};
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().create_bucket("bucket").unwrap();
    /// let u = Uploader::builder().build().unwrap();
    /// let put = PresignedRequest::put(&server.object_url("bucket", "k")).unwrap();
    /// let outcome = u.put(put).from_reader(&b"hello"[..], 5).await.unwrap();
    /// assert_eq!((outcome.parts_total, outcome.upload_id), (1, None)); // one PUT, no multipart
    /// assert_eq!(server.store().info("bucket", "k").unwrap().size, 5);
    /// # }
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
    /// let outcome = u.upload(Arc::new(p)).from_file("big.iso").await.unwrap();
    /// assert_eq!(outcome.size, std::fs::metadata("big.iso").unwrap().len());
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
/// assert_eq!(outcome.parts_total, 1); // a single PUT
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
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// use std::sync::{Arc, Mutex};
        /// # let u = oss_transfer::Uploader::builder().build().unwrap();
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().create_bucket("bucket").unwrap();
        /// # let put = oss_transfer::PresignedRequest::put(&server.object_url("bucket", "k")).unwrap();
        /// let last = Arc::new(Mutex::new(None));
        /// let seen = last.clone();
        /// u.put(put)
        ///     .progress(move |p| {
        ///         println!("{:?}", p.fraction());
        ///         *seen.lock().unwrap() = Some(p.bytes_done);
        ///     })
        ///     .from_reader(&b"hello"[..], 5)
        ///     .await
        ///     .unwrap();
        /// assert_eq!(*last.lock().unwrap(), Some(5)); // the final report
        /// # }
        /// ```
        progress(f: impl Fn(&Progress) + Send + Sync + 'static) => progress = Some(Arc::new(f));

        /// Stops the upload when `c` is cancelled (a multipart upload is aborted, unless resuming
        /// keeps it for a later run).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// # let u = oss_transfer::Uploader::builder().build().unwrap();
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().create_bucket("bucket").unwrap();
        /// # let put = oss_transfer::PresignedRequest::put(&server.object_url("bucket", "k")).unwrap();
        /// let cancel = oss_transfer::Cancellation::new();
        /// let call = u.put(put).cancellation(cancel.clone());
        /// cancel.cancel(); // e.g. from a Ctrl-C handler
        /// let err = call.from_reader(&b"hello"[..], 5).await.unwrap_err();
        /// assert_eq!(err.kind(), oss_transfer::UploadErrorKind::Cancelled);
        /// assert!(server.store().info("bucket", "k").is_none());
        /// # }
        /// ```
        cancellation(c: Cancellation) => cancel = Some(c);
    }

    /// Uploads the regular file at `path`.
    ///
    /// ```no_run
    /// # async fn demo(u: oss_transfer::Uploader, put: oss_transfer::PresignedRequest) {
    /// let outcome = u.put(put).from_file("/tmp/object.bin").await.unwrap();
    /// assert_eq!(outcome.size, std::fs::metadata("/tmp/object.bin").unwrap().len());
    /// # }
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
