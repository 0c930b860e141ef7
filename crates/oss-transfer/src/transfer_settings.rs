//! The settings a [`Downloader`](crate::Downloader) and an [`Uploader`](crate::Uploader) both
//! have (part size, parallelism, retries, timeouts, resume and its checkpoint folder, CRC-64
//! comparison, user agent), their defaults, and the pair of settings and connection pool a
//! client's clones share.

use std::path::PathBuf;
use std::time::Duration;

use crate::retry::RetryPolicy;

/// Default number of parts fetched (or sent) at once (the official downloader uses 3).
pub const DEFAULT_PARALLELISM: usize = 4;

/// The settings both transfer clients have: set by the builders, read by the engines.
#[derive(Debug, Clone)]
pub(crate) struct TransferSettings {
    pub(crate) part_size: u64,
    pub(crate) parallelism: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) idle_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) resume: bool,
    pub(crate) checkpoint_dir: Option<PathBuf>,
    pub(crate) verify_crc: bool,
    pub(crate) user_agent: String,
}

/// What a transfer client's clones share: its settings `C` and the connection pool sending
/// request bodies of type `B` ([`Shared`](crate::config::Shared) for downloads,
/// [`UploadShared`](crate::upload_engine::http::UploadShared) for uploads); built by
/// `Pooled::build` (in `transfer_options`, beside the limit checks).
pub(crate) struct Pooled<C, B> {
    pub(crate) client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        B,
    >,
    pub(crate) config: C,
}

/// Completes when a whole-transfer `timeout` runs out (never without one), with its length.
pub(crate) async fn timeout_elapsed(timeout: Option<Duration>) -> Duration {
    match timeout {
        Some(t) => {
            tokio::time::sleep(t).await;
            t
        }
        None => std::future::pending().await,
    }
}

impl TransferSettings {
    /// The defaults with parts of `part_size` bytes: 4 parts at a time, the default retries,
    /// a 30 s idle timeout and no overall one, no resume, checkpoints beside the file, CRC-64
    /// compared, `oss-transfer/<version>` as the user agent.
    pub(crate) fn with_part_size(part_size: u64) -> Self {
        Self {
            part_size,
            parallelism: DEFAULT_PARALLELISM,
            retry: RetryPolicy::default(),
            idle_timeout: Duration::from_secs(30),
            timeout: None,
            resume: false,
            checkpoint_dir: None,
            verify_crc: true,
            user_agent: format!("oss-transfer/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}
