//! [`ServerBuilder`]: what a test server is configured with (address, TLS, store, keys, clock,
//! limits, CORS), checked and started by [`ServerBuilder::start`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::handler;
use super::running::TestServer;
use super::state::State;
use crate::auth::{Clock, SystemClock, Verifier};
use crate::connection::{accept_loop, Limits, MIN_HEADER_BYTES};
use crate::cors::{CorsConfiguration, CorsRules};
use crate::error::{ServerError, ServerErrorKind};
use crate::fault::FaultPlan;
use crate::request_log::RequestLog;
use crate::store::ObjectStore;
use crate::tls::TlsIdentity;

/// How many requests [`TestServer::requests`] keeps by default.
const DEFAULT_REQUEST_LOG: usize = 1000;

/// Configures and starts a [`TestServer`].
///
/// By default it listens on `127.0.0.1` with a free port, plain HTTP, no buckets, and accepts
/// anonymous requests (no credentials configured). With at least one
/// [`credential`](ServerBuilder::credential), every request must carry a valid V4 or V1
/// signature (presigned query or `Authorization` header).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use oss_testserver::{ServerBuilder, TlsIdentity};
/// let server = ServerBuilder::new()
///     .tls(TlsIdentity::generate(&[]).unwrap())
///     .credential("test-ak", "test-secret")
///     .region("cn-hangzhou")
///     .start()
///     .await
///     .unwrap();
/// server.store().put("bucket", "hello.txt", b"hello".to_vec()).unwrap();
/// assert!(server.endpoint().starts_with("https://127.0.0.1:"));
/// # }
/// ```
pub struct ServerBuilder {
    addr: SocketAddr,
    allow_non_loopback: bool,
    tls: Option<TlsIdentity>,
    store: ObjectStore,
    root_dir: Option<std::path::PathBuf>,
    credentials: Vec<(String, String)>,
    region: String,
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
    request_log_capacity: usize,
    follow_symlinks: bool,
    cors: CorsRules,
    body_idle_timeout: Duration,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .field("credentials", &self.credentials.len())
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Default for ServerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerBuilder {
    /// Defaults: `127.0.0.1:0`, plain HTTP, region `cn-hangzhou`, no credentials.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    /// assert_eq!(server.region(), "cn-hangzhou");
    /// // no credentials: requests need no signature
    /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            allow_non_loopback: false,
            tls: None,
            store: ObjectStore::new(),
            root_dir: None,
            credentials: Vec::new(),
            region: "cn-hangzhou".to_string(),
            clock: None,
            limits: Limits::default(),
            request_log_capacity: DEFAULT_REQUEST_LOG,
            follow_symlinks: false,
            cors: CorsRules::default(),
            body_idle_timeout: Duration::from_secs(30),
        }
    }

    crate::setters::setters! {
        /// The address to listen on. Non-loopback addresses are refused by
        /// [`start`](ServerBuilder::start) unless [`allow_non_loopback`](ServerBuilder::allow_non_loopback).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .addr("[::1]:0".parse().unwrap())
        ///     .start()
        ///     .await;
        /// // IPv6 loopback, where the machine has it
        /// if let Ok(server) = server {
        ///     assert!(server.endpoint().starts_with("http://[::1]:"));
        /// }
        /// # Ok(())
        /// # }
        /// ```
        addr(addr: SocketAddr) => addr = addr;

        /// Allows binding a non-loopback address (off by default: a test server is not a public one).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{ServerBuilder, ServerErrorKind};
        /// let refused = ServerBuilder::new()
        ///     .addr("0.0.0.0:0".parse().unwrap())
        ///     .allow_non_loopback(false)
        ///     .start()
        ///     .await
        ///     .unwrap_err();
        /// assert_eq!(refused.kind(), ServerErrorKind::NotLoopback);
        /// # Ok(())
        /// # }
        /// ```
        allow_non_loopback(allow: bool) => allow_non_loopback = allow;

        /// Serves HTTPS (HTTP/1.1 and HTTP/2 via ALPN) with this identity.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .tls(oss_testserver::TlsIdentity::generate(&[]).unwrap())
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// assert!(server.endpoint().starts_with("https://"));
        /// assert!(server.tls().is_some());
        /// # Ok(())
        /// # }
        /// ```
        tls(identity: TlsIdentity) => tls = Some(identity);

        /// Uses this object store (share one store between servers, or pre-fill it).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let store = oss_testserver::ObjectStore::new();
        /// store.put("bucket", "key", b"v".to_vec()).unwrap();
        /// let server = oss_testserver::ServerBuilder::new().store(store.clone()).start().await.unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.body(), b"v");
        /// // the store is shared: what the test changes, the server serves
        /// store.put("bucket", "key", b"w".to_vec()).unwrap();
        /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.body(), b"w");
        /// # Ok(())
        /// # }
        /// ```
        store(store: ObjectStore) => store = store;

        /// Serves each subdirectory of `dir` as a bucket (checked when the server starts).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let root = tempfile::tempdir()?;
        /// std::fs::create_dir(root.path().join("bucket"))?;
        /// std::fs::write(root.path().join("bucket/key"), b"on disk")?;
        /// let server = oss_testserver::ServerBuilder::new().root_dir(root.path()).start().await.unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.body(), b"on disk");
        /// let missing = oss_testserver::ServerBuilder::new().root_dir(root.path().join("nope"));
        /// assert!(missing.start().await.is_err());
        /// # Ok(())
        /// # }
        /// ```
        root_dir(dir: impl Into<std::path::PathBuf>) => root_dir = Some(dir.into());

        /// Adds an access key the server accepts; once any is set, requests must be signed.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let server = oss_testserver::ServerBuilder::new().credential("ak", "secret").start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// let unsigned = oss_testserver::loopback::exchange(server.addr(), get).await?;
        /// assert_eq!(unsigned.status(), 403);
        /// # Ok(())
        /// # }
        /// ```
        credential(access_key_id: &str, secret: &str) =>
            credentials.push((access_key_id.to_string(), secret.to_string()));

        /// The region V4 signatures must be scoped to (default `cn-hangzhou`).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_sign_core::{v4, SignableRequest, SigningTime};
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .credential("ak", "sk")
        ///     .region("eu-central-1")
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let now = SigningTime::try_from(std::time::SystemTime::now()).unwrap();
        /// let request = SignableRequest::new("GET").bucket("bucket").key("key");
        /// let addr = server.addr();
    /// let status = |region: &'static str| {
        ///     let key = v4::SigningKey::derive("sk", now, region, "oss");
        ///     let url = v4::presign(&request, &v4::PresignParams::new("ak", region, now, 60), &key).unwrap();
        ///     let get = format!("GET /bucket/key?{} HTTP/1.1\r\nconnection: close\r\n\r\n", url.url_query());
        ///     async move { oss_testserver::loopback::exchange(addr, get.as_bytes()).await }
        /// };
        /// assert_eq!(status("eu-central-1").await?.status(), 200);
        /// // a signature scoped to another region is refused as a bad argument
    /// assert_eq!(status("cn-hangzhou").await?.status(), 400);
        /// # Ok(())
        /// # }
        /// ```
        region(region: &str) => region = region.to_string();

        /// Replaces the clock used for expiry checks (default: the system clock). It is the
        /// workspace's one clock trait, [`oss_sign_core::Clock`], so one `FixedClock`,
        /// `ManualClock` or [`FnClock`](oss_sign_core::FnClock) can drive the signer and the server.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_sign_core::{v4, FnClock, SignableRequest, SigningTime};
        /// use std::time::{Duration, SystemTime};
        /// // An hour ahead: URLs valid for less than an hour are already expired.
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .credential("ak", "sk")
        ///     .clock(FnClock::new(|| {
        ///         SigningTime::try_from(SystemTime::now() + Duration::from_secs(3600)).ok()
        ///     }))
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let now = SigningTime::try_from(SystemTime::now()).unwrap();
        /// let key = v4::SigningKey::derive("sk", now, "cn-hangzhou", "oss");
        /// let request = SignableRequest::new("GET").bucket("bucket").key("key");
        /// for (expires, status) in [(60, 403), (7200, 200)] {
        ///     let url = v4::presign(&request, &v4::PresignParams::new("ak", "cn-hangzhou", now, expires), &key);
        ///     let get = format!("GET /bucket/key?{} HTTP/1.1\r\nconnection: close\r\n\r\n", url.unwrap().url_query());
        ///     let answer = oss_testserver::loopback::exchange(server.addr(), get.as_bytes()).await?;
        ///     assert_eq!(answer.status(), status, "valid for {expires} s");
        /// }
        /// # Ok(())
        /// # }
        /// ```
        clock(clock: impl Clock + 'static) => clock = Some(Arc::new(clock));

        /// How many received requests [`TestServer::requests`] keeps: the most recent `capacity`,
        /// older ones are forgotten, so a flood of requests cannot grow the server's memory (default
        /// 1000; 0 records nothing).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .request_log_capacity(0)
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// assert!(server.requests().is_empty());
        /// # }
        /// ```
        request_log_capacity(capacity: usize) => request_log_capacity = capacity;

        /// The largest request head (request line and headers) accepted, in bytes (default 64 KiB,
        /// at least 8 KiB): a bigger one is answered `431 Request Header Fields Too Large` and the
        /// connection closed, before the server keeps anything of it.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() {
        /// let b = oss_testserver::ServerBuilder::new().max_header_bytes(16 << 10);
        /// assert!(b.start().await.is_ok());
        /// let too_small = oss_testserver::ServerBuilder::new().max_header_bytes(100);
        /// assert!(too_small.start().await.is_err());
        /// # }
        /// ```
        max_header_bytes(bytes: usize) => limits.max_header_bytes = bytes;

        /// How long a connection may go without a request in progress before it is closed: one that
        /// sends nothing, sends its request head slowly, or stays idle between keep-alive requests
        /// (default 10 s). A response being sent counts as in progress, however long it takes.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use std::time::Duration;
        /// use tokio::io::AsyncReadExt as _;
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .header_read_timeout(Duration::from_millis(200))
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// // a client that connects and says nothing is disconnected
        /// let mut silent = tokio::net::TcpStream::connect(server.addr()).await?;
        /// let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut [0; 16])).await;
        /// assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "still open: {read:?}");
        /// # Ok(())
        /// # }
        /// ```
        header_read_timeout(timeout: Duration) => limits.header_read_timeout = timeout;

        /// How long a TLS handshake may take before the connection is closed (default 10 s).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use std::time::Duration;
        /// use tokio::io::AsyncReadExt as _;
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .tls(oss_testserver::TlsIdentity::generate(&[]).unwrap())
        ///     .tls_handshake_timeout(Duration::from_millis(200))
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// // a client that never starts the handshake is disconnected
        /// let mut silent = tokio::net::TcpStream::connect(server.addr()).await?;
        /// let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut [0; 16])).await;
        /// assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "still open: {read:?}");
        /// # Ok(())
        /// # }
        /// ```
        tls_handshake_timeout(timeout: Duration) => limits.tls_handshake_timeout = timeout;

        /// How many connections are served at once (default 512, at least 1); further ones wait in
        /// the listen backlog until one closes. Keep it below the process's file descriptor limit.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use std::time::Duration;
        /// let server = oss_testserver::ServerBuilder::new().max_connections(1).start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// // an idle connection holds the only slot ...
        /// let idle = tokio::net::TcpStream::connect(server.addr()).await?;
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// let waiting = tokio::spawn(oss_testserver::loopback::exchange(server.addr(), get));
        /// tokio::time::sleep(Duration::from_millis(200)).await;
        /// assert!(!waiting.is_finished());
        /// // ... until it closes; then the waiting request is served
        /// drop(idle);
        /// assert_eq!(waiting.await.unwrap()?.status(), 200);
        /// # Ok(())
        /// # }
        /// ```
        max_connections(connections: usize) => limits.max_connections = connections;

        /// Whether symbolic links under [`root_dir`](ServerBuilder::root_dir) (and mounted bucket
        /// folders) may lead outside it (default `false`: a bucket or key whose real path is outside
        /// the root is answered as missing). See [`ObjectStore::follow_symlinks`].
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// let (root, outside) = (tempfile::tempdir()?, tempfile::tempdir()?);
        /// std::fs::write(outside.path().join("shared.txt"), b"elsewhere")?;
        /// std::fs::create_dir(root.path().join("bucket"))?;
        /// std::os::unix::fs::symlink(outside.path().join("shared.txt"), root.path().join("bucket/key"))?;
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// for (follow, status) in [(false, 404), (true, 200)] {
        ///     let server = oss_testserver::ServerBuilder::new()
        ///         .root_dir(root.path())
        ///         .follow_symlinks(follow)
        ///         .start()
        ///         .await
        ///         .unwrap();
        ///     assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.status(), status);
        /// }
        /// # Ok(())
        /// # }
        /// ```
        follow_symlinks(follow: bool) => follow_symlinks = follow;

        /// The CORS rules of every bucket without its own ([`bucket_cors`](ServerBuilder::bucket_cors));
        /// default none, as on a new OSS bucket: preflights are refused and answers carry no
        /// `Access-Control-*` headers. Checked by [`start`](ServerBuilder::start) (at most 20
        /// rules, each with an origin and a method).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, CorsConfiguration, ServerBuilder};
        /// let server = ServerBuilder::new()
        ///     .cors(CorsConfiguration::allow_origins(&["*"]))
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\norigin: https://a.example\r\nconnection: close\r\n\r\n";
        /// let answer = exchange(server.addr(), get).await?;
        /// assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        /// # Ok(())
        /// # }
        /// ```
        cors(config: CorsConfiguration) => cors.all = config;
    }

    /// The CORS rules of one bucket, replacing those given to [`cors`](ServerBuilder::cors).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{loopback::exchange, CorsConfiguration, CorsRule, ServerBuilder};
    /// let rule = CorsRule::new().allowed_origin("https://app.example.com").allowed_method("PUT");
    /// let server = ServerBuilder::new()
    ///     .bucket_cors("uploads", CorsConfiguration::new().rule(rule))
    ///     .start()
    ///     .await
    ///     .unwrap();
    /// for bucket in ["uploads", "other"] {
    ///     server.store().create_bucket(bucket).unwrap();
    /// }
    /// let preflight = |bucket: &str| {
    ///     format!("OPTIONS /{bucket}/k HTTP/1.1\r\norigin: https://app.example.com\r\n\
    ///              access-control-request-method: PUT\r\nconnection: close\r\n\r\n")
    /// };
    /// assert_eq!(exchange(server.addr(), preflight("uploads").as_bytes()).await?.status(), 200);
    /// // other buckets have no rules
    /// assert_eq!(exchange(server.addr(), preflight("other").as_bytes()).await?.status(), 403);
    /// # Ok(())
    /// # }
    /// ```
    pub fn bucket_cors(mut self, bucket: &str, config: CorsConfiguration) -> Self {
        self.cors.buckets.insert(bucket.to_string(), config);
        self
    }

    crate::setters::setters! {
        /// How long a request body may pause between chunks before the upload is refused with
        /// `RequestTimeout` (default 30 s, at least 1 ms).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use std::time::Duration;
        /// let server = oss_testserver::ServerBuilder::new()
        ///     .body_idle_timeout(Duration::from_millis(100))
        ///     .start()
        ///     .await
        ///     .unwrap();
        /// server.store().create_bucket("bucket").unwrap();
    /// // 10 bytes announced, 2 sent, then nothing
        /// let put = b"PUT /bucket/key HTTP/1.1\r\ncontent-length: 10\r\nconnection: close\r\n\r\nab";
        /// let answer = oss_testserver::loopback::exchange(server.addr(), put).await?;
        /// assert_eq!(answer.status(), 400);
        /// assert!(String::from_utf8_lossy(answer.body()).contains("<Code>RequestTimeout</Code>"));
        /// assert!(server.store().info("bucket", "key").is_none());
        /// # Ok(())
        /// # }
        /// ```
        body_idle_timeout(timeout: Duration) =>
            body_idle_timeout = timeout.max(Duration::from_millis(1));
    }

    /// Binds and starts serving on the current tokio runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.addr().ip().is_loopback());
    /// let refused = oss_testserver::ServerBuilder::new()
    ///     .addr("0.0.0.0:0".parse().unwrap())
    ///     .start()
    ///     .await;
    /// assert!(refused.is_err());
    /// # }
    /// ```
    pub async fn start(self) -> Result<TestServer, ServerError> {
        if !self.addr.ip().is_loopback() && !self.allow_non_loopback {
            return Err(ServerError::new(
                ServerErrorKind::NotLoopback,
                format!(
                    "refusing to listen on {}: only loopback addresses are allowed unless \
                     allow_non_loopback(true) is set",
                    self.addr
                ),
            ));
        }
        if self.limits.max_header_bytes < MIN_HEADER_BYTES {
            return Err(ServerError::new(
                ServerErrorKind::InvalidInput,
                format!(
                    "max_header_bytes {} is too small: at least {MIN_HEADER_BYTES} bytes",
                    self.limits.max_header_bytes
                ),
            ));
        }
        self.cors.all.check()?;
        for config in self.cors.buckets.values() {
            config.check()?;
        }
        if self.follow_symlinks {
            self.store.follow_symlinks(true);
        }
        if let Some(root) = &self.root_dir {
            self.store.mount_root(root)?;
        }
        let acceptor = match &self.tls {
            Some(t) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(
                t.server_config()?,
            ))),
            None => None,
        };
        let listener = TcpListener::bind(self.addr).await.map_err(|e| {
            ServerError::new(
                ServerErrorKind::Bind,
                format!("cannot bind {}: {e}", self.addr),
            )
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::new(ServerErrorKind::Bind, e.to_string()))?;
        let state = Arc::new(State {
            store: self.store.clone(),
            faults: FaultPlan::default(),
            verifier: Verifier {
                credentials: self.credentials,
                region: self.region,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            },
            requests: RequestLog::new(self.request_log_capacity),
            counter: AtomicU64::new(0),
            connections: Arc::new(AtomicU64::new(0)),
            id_prefix: rand::random(),
            cors: self.cors,
            uploads: Default::default(),
            body_idle_timeout: self.body_idle_timeout,
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = state.clone();
        let task = tokio::spawn(accept_loop(
            listener,
            acceptor,
            self.limits,
            state.connections.clone(),
            move |req| handler::handle(shared.clone(), req),
            stop_rx,
        ));
        Ok(TestServer::started(addr, self.tls, state, stop_tx, task))
    }
}
