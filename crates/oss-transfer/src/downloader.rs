//! The public entry point: [`Downloader`] (configured once, reused) and [`Download`] (one call).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWrite;

use crate::config::{Config, ProgressFn, Shared};
use crate::engine::Job;
use crate::error::{DownloadError, DownloadErrorKind};
use crate::outcome::DownloadOutcome;
use crate::progress::{Cancellation, Progress};
use crate::retry::RetryPolicy;
use crate::source::{PresignedGet, Presigner};
use crate::transfer_options::{check_range, ConnectionOptions};
use crate::transfer_settings::TransferSettings;

/// Default part size for parallel downloads (8 MiB; the official downloader uses 6 MiB).
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
pub use crate::transfer_settings::DEFAULT_PARALLELISM;
/// Default largest object size accepted: 48.8 TiB, the largest object OSS stores
/// (48.8 x 2^40 bytes, rounded down to a whole KiB).
pub const DEFAULT_MAX_SIZE: u64 = 53_656_167_435_264;

pub use crate::config::HttpVersion;

/// Configures a [`Downloader`].
///
/// ```
/// use std::time::Duration;
/// use oss_transfer::{Downloader, RetryPolicy};
/// let downloader = Downloader::builder()
///     .part_size(16 << 20)
///     .parallelism(8)
///     .retry(RetryPolicy::default().max_attempts(5))
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(30))
///     .resume(true)
///     .build()
///     .unwrap();
/// assert!(format!("{downloader:?}").contains("parallelism: 8"));
///
/// // Values are checked when building:
/// let err = Downloader::builder().part_size(1 << 10).build().unwrap_err();
/// assert_eq!(err.kind(), oss_transfer::DownloadErrorKind::InvalidInput);
/// assert!(err.to_string().contains("part size"));
/// ```
#[derive(Debug, Clone)]
pub struct DownloaderBuilder {
    config: Config,
    connection: ConnectionOptions,
}

impl Default for DownloaderBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                transfer: TransferSettings::with_part_size(DEFAULT_PART_SIZE),
                max_size: DEFAULT_MAX_SIZE,
                write_buffer: 1 << 20,
            },
            connection: ConnectionOptions::default(),
        }
    }
}

impl DownloaderBuilder {
    crate::transfer_options::connection_setters!("Downloader");

    crate::setters::setters! {
        /// Bytes per ranged request (64 KiB to 5 GiB; default [`DEFAULT_PART_SIZE`]).
        ///
        /// ```
        /// assert!(oss_transfer::Downloader::builder().part_size(10).build().is_err());
        /// ```
        part_size(bytes: u64) => config.transfer.part_size = bytes;

        /// Parts fetched at the same time (1 to 64; default [`DEFAULT_PARALLELISM`]). With 1 the
        /// object is streamed over one connection with a single request.
        ///
        /// ```
        /// assert!(oss_transfer::Downloader::builder().parallelism(0).build().is_err());
        /// ```
        parallelism(n: usize) => config.transfer.parallelism = n;

        /// The retry policy.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// use oss_testserver::{Fault, FaultRule};
        /// use oss_transfer::{Downloader, PresignedGet, RetryPolicy};
        /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
        /// let get = PresignedGet::new(&server.object_url("bucket", "k")).unwrap();
        ///
        /// // The next request answers 503: without retries the download fails...
        /// server.faults().add(FaultRule::new(Fault::Status(503)).times(1));
        /// let once = Downloader::builder().retry(RetryPolicy::none()).build().unwrap();
        /// let err = once.download(get.clone()).to_writer(&mut Vec::new()).await.unwrap_err();
        /// assert_eq!(err.status(), Some(503));
        ///
        /// // ...with the default policy it is retried.
        /// server.faults().add(FaultRule::new(Fault::Status(503)).times(1));
        /// let d = Downloader::builder().build().unwrap();
        /// let outcome = d.download(get).to_writer(&mut Vec::new()).await.unwrap();
        /// assert_eq!(outcome.retries, 1);
        /// # }
        /// ```
        retry(policy: RetryPolicy) => config.transfer.retry = policy;

        /// Longest wait for response headers or for the next body bytes (default 30 s); an idle
        /// timeout counts as a retryable network failure.
        ///
        /// ```
        /// use std::time::Duration;
        /// use oss_transfer::Downloader;
        /// assert!(Downloader::builder().idle_timeout(Duration::from_secs(5)).build().is_ok());
        /// let err = Downloader::builder().idle_timeout(Duration::ZERO).build().unwrap_err();
        /// assert!(err.to_string().contains("idle timeout"));
        /// ```
        idle_timeout(d: Duration) => config.transfer.idle_timeout = d;

        /// Longest time a whole download may take, retries included (default: no limit). When it
        /// runs out the download stops with [`Timeout`](DownloadErrorKind::Timeout) and cleans up
        /// as a cancellation does. Bounds a server that trickles bytes just fast enough to beat the
        /// [idle timeout](Self::idle_timeout).
        ///
        /// ```
        /// let b = oss_transfer::Downloader::builder().timeout(std::time::Duration::from_secs(3600));
        /// assert!(b.build().is_ok());
        /// assert!(oss_transfer::Downloader::builder().timeout(std::time::Duration::ZERO).build().is_err());
        /// ```
        timeout(d: Duration) => config.transfer.timeout = Some(d);

        /// Largest object accepted, in bytes (1 to 2^62; default [`DEFAULT_MAX_SIZE`], the OSS
        /// maximum). A server announcing more (in `Content-Range` or `Content-Length`) is refused
        /// with [`TooLarge`](DownloadErrorKind::TooLarge) before any file is sized or any
        /// memory grows with the number.
        ///
        /// ```
        /// let b = oss_transfer::Downloader::builder().max_size(10 << 30);
        /// assert!(b.build().is_ok());
        /// assert!(oss_transfer::Downloader::builder().max_size(0).build().is_err());
        /// ```
        max_size(bytes: u64) => config.max_size = bytes;

        /// Keep the temp file and a checkpoint on failure so a later run continues (default off).
        /// Applies to [`Download::to_file`].
        ///
        /// ```
        /// let b = oss_transfer::Downloader::builder().resume(true);
        /// assert!(format!("{b:?}").contains("resume: true"));
        /// ```
        resume(on: bool) => config.transfer.resume = on;

        /// Directory for checkpoint files (must exist; default: beside the target file).
        ///
        /// ```
        /// use oss_transfer::Downloader;
        /// assert!(Downloader::builder().checkpoint_dir(std::env::temp_dir()).build().is_ok());
        /// let err = Downloader::builder().checkpoint_dir("/no/such/folder").build().unwrap_err();
        /// assert!(err.to_string().contains("does not exist"));
        /// ```
        checkpoint_dir(dir: impl Into<PathBuf>) => config.transfer.checkpoint_dir = Some(dir.into());

        /// Compare the CRC-64 of the received bytes with `x-oss-hash-crc64ecma` (default on).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// use oss_transfer::{Crc64Check, Downloader, PresignedGet};
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
        /// # let get = PresignedGet::new(&server.object_url("bucket", "k")).unwrap();
        /// let d = Downloader::builder().verify_crc64(false).build().unwrap();
        /// let outcome = d.download(get).to_writer(&mut Vec::new()).await.unwrap();
        /// assert_eq!(outcome.crc64_check, Crc64Check::Disabled);
        /// assert!(!outcome.crc64_verified);
        /// # }
        /// ```
        verify_crc64(on: bool) => config.transfer.verify_crc = on;

        /// Bytes buffered per connection before a disk write (4 KiB to 16 MiB; default 1 MiB).
        ///
        /// ```
        /// assert!(oss_transfer::Downloader::builder().write_buffer(1).build().is_err());
        /// ```
        write_buffer(bytes: usize) => config.write_buffer = bytes;
    }

    /// Builds the downloader (and its connection pool).
    ///
    /// ```
    /// use oss_transfer::{DownloadErrorKind, Downloader};
    /// assert!(Downloader::builder().build().is_ok());
    /// let err = Downloader::builder().write_buffer(1).build().unwrap_err();
    /// assert_eq!(err.kind(), DownloadErrorKind::InvalidInput);
    /// assert!(err.to_string().contains("write buffer 1 is out of range"));
    /// ```
    pub fn build(self) -> Result<Downloader, DownloadError> {
        let c = &self.config;
        let invalid = |m: String| DownloadError::new(DownloadErrorKind::InvalidInput, m);
        let limits = [
            (
                "part size",
                c.transfer.part_size,
                64 << 10..=5 << 30,
                "64 KiB (65536) to 5 GiB",
            ),
            (
                "write buffer",
                c.write_buffer as u64,
                4 << 10..=16 << 20,
                "4 KiB to 16 MiB",
            ),
            ("maximum size", c.max_size, 1..=1 << 62, "1 to 2^62 bytes"),
        ];
        for (what, value, range, allowed) in limits {
            check_range(what, value, range, allowed).map_err(invalid)?;
        }
        let shared = Shared::build(self.connection, self.config, |c| &c.transfer, "download")
            .map_err(invalid)?;
        Ok(Downloader { shared })
    }
}

/// Downloads objects through presigned GET URLs. Cheap to clone; clones share the connection
/// pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), oss_transfer::DownloadError> {
/// use oss_transfer::{Downloader, PresignedGet};
/// let downloader = Downloader::builder().parallelism(4).build()?;
/// let get = PresignedGet::new("https://bucket.oss-cn-hangzhou.aliyuncs.com/big.iso?x-oss-...")?;
/// let outcome = downloader
///     .download(get)
///     .progress(|p| eprintln!("{} / {:?} bytes", p.bytes_done, p.total))
///     .to_file("big.iso")
///     .await?;
/// println!("{} bytes, crc64 {}", outcome.size, outcome.crc64);
/// assert_eq!(std::fs::metadata("big.iso").unwrap().len(), outcome.size);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Downloader {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Downloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloader")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Downloader {
    /// A builder with the defaults.
    ///
    /// ```
    /// let b = oss_transfer::Downloader::builder();
    /// assert!(format!("{b:?}").contains(&format!("part_size: {}", oss_transfer::DEFAULT_PART_SIZE)));
    /// ```
    pub fn builder() -> DownloaderBuilder {
        DownloaderBuilder::default()
    }

    /// Starts describing one download of `source`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use oss_transfer::{Downloader, PresignedGet};
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
    /// let d = Downloader::builder().build().unwrap();
    /// let call = d.download(PresignedGet::new(&server.object_url("bucket", "k")).unwrap());
    /// assert!(server.requests().is_empty()); // nothing is sent until the call is finished
    /// let mut out = Vec::new();
    /// call.to_writer(&mut out).await.unwrap();
    /// assert_eq!(out, b"hello");
    /// # }
    /// ```
    pub fn download(&self, source: PresignedGet) -> Download<'_> {
        Download::new(self, source, None)
    }

    /// Starts a download whose URL comes from `presigner`; when a request is refused because
    /// the URL expired (a long download, or a stale URL), the downloader presigns again and
    /// continues instead of failing. Fails at once if the first presign fails.
    ///
    /// With `ClientPresigner` (feature `client`):
    ///
    /// ```no_run
    /// # #[cfg(feature = "client")]
    /// # async fn demo(d: oss_transfer::Downloader, client: oss_client::Client) {
    /// use std::sync::Arc;
    /// use oss_transfer::ClientPresigner;
    /// let presigner = ClientPresigner::new(client, oss_client::GetObjectRequest::new("bucket", "big.iso"));
    /// let outcome = d.download_presigned_by(Arc::new(presigner)).unwrap().to_file("big.iso").await.unwrap();
    /// assert_eq!(std::fs::metadata("big.iso").unwrap().len(), outcome.size);
    /// # }
    /// ```
    ///
    /// A presigner that cannot give the first URL fails the call at once:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use oss_transfer::{DownloadError, DownloadErrorKind, Downloader, PresignedGet, Presigner};
    /// #[derive(Debug)]
    /// struct Fixed(&'static str);
    /// impl Presigner for Fixed {
    ///     fn presign_get(&self) -> Result<PresignedGet, DownloadError> {
    ///         PresignedGet::new(self.0)
    ///     }
    /// }
    /// let d = Downloader::builder().build().unwrap();
    /// let err = d.download_presigned_by(Arc::new(Fixed("not a url"))).unwrap_err();
    /// assert_eq!(err.kind(), DownloadErrorKind::InvalidInput);
    /// assert!(d.download_presigned_by(Arc::new(Fixed("https://127.0.0.1/b/k"))).is_ok());
    /// ```
    pub fn download_presigned_by(
        &self,
        presigner: Arc<dyn Presigner>,
    ) -> Result<Download<'_>, DownloadError> {
        let source = presigner.presign_get()?;
        Ok(Download::new(self, source, Some(presigner)))
    }
}

/// One download; finish it with [`to_file`](Download::to_file) or
/// [`to_writer`](Download::to_writer).
///
/// ```no_run
/// # async fn demo(d: oss_transfer::Downloader, get: oss_transfer::PresignedGet) {
/// let mut out = Vec::new();
/// let outcome = d.download(get).to_writer(&mut out).await.unwrap();
/// assert_eq!(out.len() as u64, outcome.size);
/// # }
/// ```
pub struct Download<'a> {
    pub(crate) downloader: &'a Downloader,
    pub(crate) source: PresignedGet,
    pub(crate) presigner: Option<Arc<dyn Presigner>>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<Cancellation>,
}

impl std::fmt::Debug for Download<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<'a> Download<'a> {
    /// A call of `downloader` for `source`, with no progress callback and no cancellation yet.
    fn new(
        downloader: &'a Downloader,
        source: PresignedGet,
        presigner: Option<Arc<dyn Presigner>>,
    ) -> Self {
        Download {
            downloader,
            source,
            presigner,
            progress: None,
            cancel: None,
        }
    }

    crate::setters::setters! {
        /// Calls `f` as bytes arrive (at most about every 100 ms, and once at the end).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// use std::sync::{Arc, Mutex};
        /// # let d = oss_transfer::Downloader::builder().build().unwrap();
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
        /// # let get = oss_transfer::PresignedGet::new(&server.object_url("bucket", "k")).unwrap();
        /// let last = Arc::new(Mutex::new(None));
        /// let seen = last.clone();
        /// d.download(get)
        ///     .progress(move |p| {
        ///         println!("{:.0}%", 100.0 * p.fraction().unwrap_or(0.0));
        ///         *seen.lock().unwrap() = Some(p.bytes_done);
        ///     })
        ///     .to_writer(&mut Vec::new())
        ///     .await
        ///     .unwrap();
        /// assert_eq!(*last.lock().unwrap(), Some(5)); // the final report
        /// # }
        /// ```
        progress(f: impl Fn(&Progress) + Send + Sync + 'static) => progress = Some(Arc::new(f));

        /// Stops the download when `c` is cancelled.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// # let d = oss_transfer::Downloader::builder().build().unwrap();
        /// # let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
        /// # server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
        /// # let get = oss_transfer::PresignedGet::new(&server.object_url("bucket", "k")).unwrap();
        /// let cancel = oss_transfer::Cancellation::new();
        /// let call = d.download(get).cancellation(cancel.clone());
        /// cancel.cancel(); // e.g. from a Ctrl-C handler
        /// let err = call.to_writer(&mut Vec::new()).await.unwrap_err();
        /// assert_eq!(err.kind(), oss_transfer::DownloadErrorKind::Cancelled);
        /// # }
        /// ```
        cancellation(c: Cancellation) => cancel = Some(c);
    }

    /// Downloads into `path`: bytes go to a temporary file beside it which is renamed on
    /// success. On failure `path` is untouched and the temporary file removed, unless resuming
    /// is enabled, in which case it and a checkpoint stay for the next run.
    ///
    /// ```no_run
    /// # async fn demo(d: oss_transfer::Downloader, get: oss_transfer::PresignedGet) {
    /// let outcome = d.download(get).to_file("/tmp/object.bin").await.unwrap();
    /// assert!(outcome.crc64_verified || outcome.size == 0);
    /// # }
    /// ```
    pub async fn to_file(self, path: impl AsRef<Path>) -> Result<DownloadOutcome, DownloadError> {
        crate::engine::to_file(self.into_job(), path.as_ref()).await
    }

    /// Streams the object into `writer`, in order. Parts may still be fetched in parallel (each
    /// buffers at most a few write buffers ahead). There is no resume for writers.
    ///
    /// ```no_run
    /// # async fn demo(d: oss_transfer::Downloader, get: oss_transfer::PresignedGet) {
    /// let mut file = tokio::fs::File::create("copy.bin").await.unwrap();
    /// let outcome = d.download(get).to_writer(&mut file).await.unwrap();
    /// assert_eq!(file.metadata().await.unwrap().len(), outcome.size);
    /// # }
    /// ```
    pub async fn to_writer<W>(self, writer: &mut W) -> Result<DownloadOutcome, DownloadError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        crate::engine::to_writer(self.into_job(), crate::engine::Sink::Async(writer)).await
    }

    /// Streams the object into a blocking `writer` (a file, a pipe, standard output) on a
    /// thread of its own, in order: the received frames are written as they came, with
    /// vectored writes, without being copied into a buffer first. Otherwise like
    /// [`to_writer`](Self::to_writer).
    ///
    /// ```no_run
    /// # async fn demo(d: oss_transfer::Downloader, get: oss_transfer::PresignedGet) {
    /// let file = std::fs::File::create("copy.bin").unwrap();
    /// let outcome = d.download(get).to_blocking_writer(file).await.unwrap();
    /// assert_eq!(std::fs::metadata("copy.bin").unwrap().len(), outcome.size);
    /// # }
    /// ```
    pub async fn to_blocking_writer<T>(self, writer: T) -> Result<DownloadOutcome, DownloadError>
    where
        T: std::io::Write + Send + 'static,
    {
        let sink = crate::engine::BlockingSink::new(writer);
        crate::engine::to_writer::<tokio::fs::File>(
            self.into_job(),
            crate::engine::Sink::Blocking(sink),
        )
        .await
    }

    /// What the engine needs to run this download.
    fn into_job(self) -> Job {
        Job {
            shared: self.downloader.shared.clone(),
            source: self.source,
            presigner: self.presigner,
            progress: self.progress,
            cancel: self.cancel,
        }
    }
}
