//! The settings and the HTTP client a [`Downloader`](crate::Downloader) shares with every
//! download it runs (built by the builder, read by the engine).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

use crate::progress::Progress;
use crate::retry::RetryPolicy;

pub(crate) type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

pub(crate) type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) part_size: u64,
    pub(crate) parallelism: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) idle_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_size: u64,
    pub(crate) resume: bool,
    pub(crate) checkpoint_dir: Option<PathBuf>,
    pub(crate) verify_crc: bool,
    pub(crate) write_buffer: usize,
    pub(crate) user_agent: String,
}

/// The configuration and the connection pool, shared by a downloader's clones.
pub(crate) struct Shared {
    pub(crate) client: HttpClient,
    pub(crate) config: Config,
}
