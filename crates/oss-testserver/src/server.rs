//! The server: builder, running handle, connection loop and the GetObject/HeadObject handler.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::body::{full, ChannelBody, ResponseBody};
use crate::connection::{accept_loop, Limits, MIN_HEADER_BYTES};
use crate::error::{ServerError, ServerErrorKind};
use crate::fault::{Fault, FaultPlan};
use crate::oss_error::OssError;
use crate::range::{self, RangeAnswer};
use crate::request_log::{RecordedRequest, RequestLog};
use crate::store::{Lookup, Object, ObjectStore};
use crate::tls::TlsIdentity;

/// How many requests [`TestServer::requests`] keeps by default.
const DEFAULT_REQUEST_LOG: usize = 1000;

/// A source of "now" for signature expiry checks.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything the handler shares.
pub(crate) struct State {
    pub(crate) store: ObjectStore,
    pub(crate) faults: FaultPlan,
    pub(crate) credentials: Vec<(String, String)>,
    pub(crate) region: String,
    pub(crate) clock: Clock,
    pub(crate) limits: Limits,
    requests: RequestLog,
    counter: AtomicU64,
    pub(crate) connections: AtomicU64,
    id_prefix: u32,
}

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
    clock: Option<Clock>,
    limits: Limits,
    request_log_capacity: usize,
    follow_symlinks: bool,
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
    /// let builder = oss_testserver::ServerBuilder::new();
    /// # let _ = builder;
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
        }
    }

    /// The address to listen on. Non-loopback addresses are refused by
    /// [`start`](ServerBuilder::start) unless [`allow_non_loopback`](ServerBuilder::allow_non_loopback).
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().addr("127.0.0.1:0".parse().unwrap());
    /// # let _ = b;
    /// ```
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Allows binding a non-loopback address (off by default: a test server is not a public one).
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().allow_non_loopback(false);
    /// # let _ = b;
    /// ```
    pub fn allow_non_loopback(mut self, allow: bool) -> Self {
        self.allow_non_loopback = allow;
        self
    }

    /// Serves HTTPS (HTTP/1.1 and HTTP/2 via ALPN) with this identity.
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new()
    ///     .tls(oss_testserver::TlsIdentity::generate(&[]).unwrap());
    /// # let _ = b;
    /// ```
    pub fn tls(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// Uses this object store (share one store between servers, or pre-fill it).
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// store.put("bucket", "k", b"v".to_vec()).unwrap();
    /// let b = oss_testserver::ServerBuilder::new().store(store);
    /// # let _ = b;
    /// ```
    pub fn store(mut self, store: ObjectStore) -> Self {
        self.store = store;
        self
    }

    /// Serves each subdirectory of `dir` as a bucket (checked when the server starts).
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().root_dir(std::env::temp_dir());
    /// # let _ = b;
    /// ```
    pub fn root_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.root_dir = Some(dir.into());
        self
    }

    /// Adds an access key the server accepts; once any is set, requests must be signed.
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().credential("ak", "secret");
    /// # let _ = b;
    /// ```
    pub fn credential(mut self, access_key_id: &str, secret: &str) -> Self {
        self.credentials
            .push((access_key_id.to_string(), secret.to_string()));
        self
    }

    /// The region V4 signatures must be scoped to (default `cn-hangzhou`).
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().region("eu-central-1");
    /// # let _ = b;
    /// ```
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// Replaces the clock used for expiry checks (default: the system clock).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let b = oss_testserver::ServerBuilder::new()
    ///     .clock(|| SystemTime::now() + Duration::from_secs(3600));
    /// # let _ = b;
    /// ```
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

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
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

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
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_header_bytes = bytes;
        self
    }

    /// How long a connection may go without a request in progress before it is closed: one that
    /// sends nothing, sends its request head slowly, or stays idle between keep-alive requests
    /// (default 10 s). A response being sent counts as in progress, however long it takes.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = oss_testserver::ServerBuilder::new().header_read_timeout(Duration::from_secs(5));
    /// # let _ = b;
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a TLS handshake may take before the connection is closed (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = oss_testserver::ServerBuilder::new().tls_handshake_timeout(Duration::from_secs(5));
    /// # let _ = b;
    /// ```
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.limits.tls_handshake_timeout = timeout;
        self
    }

    /// How many connections are served at once (default 512, at least 1); further ones wait in
    /// the listen backlog until one closes. Keep it below the process's file descriptor limit.
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().max_connections(64);
    /// # let _ = b;
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections;
        self
    }

    /// Whether symbolic links under [`root_dir`](ServerBuilder::root_dir) (and mounted bucket
    /// folders) may lead outside it (default `false`: a bucket or key whose real path is outside
    /// the root is answered as missing). See [`ObjectStore::follow_symlinks`].
    ///
    /// ```
    /// let b = oss_testserver::ServerBuilder::new().follow_symlinks(true);
    /// # let _ = b;
    /// ```
    pub fn follow_symlinks(mut self, follow: bool) -> Self {
        self.follow_symlinks = follow;
        self
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
            credentials: self.credentials,
            region: self.region,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
            limits: self.limits,
            requests: RequestLog::new(self.request_log_capacity),
            counter: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            id_prefix: rand::random(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, acceptor, state.clone(), stop_rx));
        Ok(TestServer {
            addr,
            tls: self.tls,
            state,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// A running server. Dropping it stops accepting connections and closes open ones.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
/// server.store().put("bucket", "dir/a.txt", b"abc".to_vec()).unwrap();
/// assert_eq!(
///     server.object_url("bucket", "dir/a.txt"),
///     format!("http://{}/bucket/dir/a.txt", server.addr())
/// );
/// server.shutdown().await;
/// # }
/// ```
pub struct TestServer {
    addr: SocketAddr,
    tls: Option<TlsIdentity>,
    state: Arc<State>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// The bound address (with the real port).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert_ne!(server.addr().port(), 0);
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The unsigned path-style URL of an object (key segments percent-encoded, `/` kept).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.object_url("b-1", "a b.txt").ends_with("/b-1/a%20b.txt"));
    /// # }
    /// ```
    pub fn object_url(&self, bucket: &str, key: &str) -> String {
        format!("{}/{}/{}", self.endpoint(), bucket, encode_key(key))
    }

    /// The region signatures are checked against.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().region("us-west-1").start().await.unwrap();
    /// assert_eq!(server.region(), "us-west-1");
    /// # }
    /// ```
    pub fn region(&self) -> &str {
        &self.state.region
    }

    /// The object store (shared: changes are visible to the next request).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "k", b"v".to_vec()).unwrap();
    /// # }
    /// ```
    pub fn store(&self) -> &ObjectStore {
        &self.state.store
    }

    /// The fault rules (shared: add rules while the server runs).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use oss_testserver::{Fault, FaultRule};
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.faults().add(FaultRule::new(Fault::Status(503)).times(1));
    /// # }
    /// ```
    pub fn faults(&self) -> &FaultPlan {
        &self.state.faults
    }

    /// The requests received so far, in order: the most recent ones, up to
    /// [`ServerBuilder::request_log_capacity`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.requests().is_empty());
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.snapshot()
    }

    /// How many TCP connections the server has accepted (to check connection reuse).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert_eq!(server.connections_accepted(), 0);
    /// # }
    /// ```
    pub fn connections_accepted(&self) -> u64 {
        self.state.connections.load(Ordering::Relaxed)
    }

    /// Forgets the recorded requests.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.clear_requests();
    /// # }
    /// ```
    pub fn clear_requests(&self) {
        self.state.requests.clear();
    }

    /// The TLS identity, if serving HTTPS (its CA is what clients must trust).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// assert!(server.tls().is_none());
    /// # }
    /// ```
    pub fn tls(&self) -> Option<&TlsIdentity> {
        self.tls.as_ref()
    }

    /// Stops the server and waits for the accept loop to end.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// oss_testserver::ServerBuilder::new().start().await.unwrap().shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Where a request points after resolving Host and path.
pub(crate) struct Target {
    pub(crate) bucket: String,
    pub(crate) key: String,
}

fn resolve_target(state: &State, req: &Request<Incoming>) -> Result<Target, OssError> {
    let host = req
        .uri()
        .authority()
        .map(|a| a.host().to_string())
        .or_else(|| {
            req.headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| strip_port(h).to_string())
        })
        .unwrap_or_default();
    let raw_path = req.uri().path();
    let path = percent_decode(raw_path).ok_or_else(|| {
        OssError::new(
            400,
            "InvalidURI",
            "The request path is not valid percent-encoding.",
        )
    })?;
    let host_is_ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok();
    let virtual_bucket = if host_is_ip || host == "localhost" {
        None
    } else {
        host.split_once('.')
            .map(|(first, _)| first)
            .filter(|b| state.store.bucket_exists(b))
            .map(str::to_string)
    };
    let path = path.strip_prefix('/').unwrap_or(&path).to_string();
    let (bucket, key) = match virtual_bucket {
        Some(b) => (b, path),
        None => match path.split_once('/') {
            Some((b, k)) => (b.to_string(), k.to_string()),
            None => (path, String::new()),
        },
    };
    if bucket.is_empty() || key.is_empty() {
        return Err(OssError::new(
            501,
            "NotImplemented",
            "oss-testserver only implements GetObject and HeadObject (a bucket and a key are required).",
        ));
    }
    Ok(Target { bucket, key })
}

/// Percent-encodes an object key for a URL path: unreserved characters and `/` stay literal.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map(|(h, _)| &h[1..]).unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

/// Percent-decodes a path; `None` on bad escapes or invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Decoded `(name, value)` pairs of a raw query string (`+` is kept as is, like OSS).
pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(n).unwrap_or_else(|| n.to_string()),
                percent_decode(v).unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<ResponseBody> {
    let n = state.counter.fetch_add(1, Ordering::Relaxed);
    let request_id = format!("{:08X}{:016X}", state.id_prefix, n);
    let mut record = RecordedRequest {
        method: req.method().to_string(),
        target: req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        version: format!("{:?}", req.version()),
        // Nothing is copied when the log keeps nothing.
        headers: if state.requests.enabled() {
            req.headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        status: 0,
        object: None,
    };
    let head = req.method() == Method::HEAD;
    let host_id = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let resp = match respond(&state, req, &request_id, &mut record).await {
        Ok(r) => r,
        Err(e) => e.into_response(&request_id, &host_id, head),
    };
    record.status = resp.status().as_u16();
    state.requests.push(record);
    resp
}

async fn respond(
    state: &State,
    req: Request<Incoming>,
    request_id: &str,
    record: &mut RecordedRequest,
) -> Result<Response<ResponseBody>, OssError> {
    let head = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            return Err(OssError::new(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            ))
        }
    };
    let target = resolve_target(state, &req)?;
    record.object = Some((target.bucket.clone(), target.key.clone()));
    let raw_query = req.uri().query().unwrap_or("").to_string();
    crate::auth::authorize(state, &req, &target, &raw_query)?;

    if !state.store.bucket_exists(&target.bucket) {
        return Err(
            OssError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
                .extra("BucketName", target.bucket.clone()),
        );
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let range_header = header("range").map(str::to_string);
    let faults = state.faults.select(
        &target.bucket,
        &target.key,
        range::requested_start(range_header.as_deref()),
    );
    let mut body_faults = BodyFaults::default();
    for f in &faults {
        match f {
            Fault::ReplaceObject(data) => {
                let _ = state.store.put(&target.bucket, &target.key, data.clone());
            }
            Fault::Status(code) => return Err(OssError::for_status(*code)),
            Fault::DelayHeaders(d) => tokio::time::sleep(*d).await,
            Fault::DropAfter(n) => body_faults.drop_after = Some(*n),
            Fault::Throttle(bps) => body_faults.throttle = Some((*bps).max(1)),
            Fault::Stall { after, duration } => body_faults.stall = Some((*after, *duration)),
            Fault::CorruptByte(off) => body_faults.corrupt = Some(*off),
            Fault::WrongCrcHeader => body_faults.wrong_crc = true,
            Fault::IgnoreRange => body_faults.ignore_range = true,
        }
    }
    let object = match state.store.lookup(&target.bucket, &target.key) {
        Lookup::Found(o) => o,
        Lookup::NoSuchBucket => {
            return Err(
                OssError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
                    .extra("BucketName", target.bucket.clone()),
            )
        }
        Lookup::NoSuchKey => {
            return Err(
                OssError::new(404, "NoSuchKey", "The specified key does not exist.")
                    .extra("Key", target.key.clone()),
            )
        }
        // Out of file descriptors or an I/O error: the server's problem, worth a retry.
        Lookup::Unavailable(why) => {
            return Err(OssError::new(
                503,
                "ServiceUnavailable",
                format!("The object cannot be read now, please try again ({why})."),
            ))
        }
    };
    let info = &object.info;

    // Conditions, in the order RFC 7232 gives them.
    if let Some(m) = header("if-match") {
        if !etag_list_matches(m, &info.etag) {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            )
            .extra("Condition", "If-Match"));
        }
    } else if let Some(t) = header("if-unmodified-since").and_then(parse_http_date) {
        if info.last_modified > t {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            )
            .extra("Condition", "If-Unmodified-Since"));
        }
    }
    let not_modified = if let Some(m) = header("if-none-match") {
        etag_list_matches(m, &info.etag)
    } else if let Some(t) = header("if-modified-since").and_then(parse_http_date) {
        info.last_modified <= t
    } else {
        false
    };
    if not_modified {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header("etag", &info.etag)
            .header("x-oss-request-id", request_id)
            .body(full(Bytes::new()))
            .map_err(|_| OssError::for_status(500));
    }

    let standard =
        header("x-oss-range-behavior").is_some_and(|v| v.eq_ignore_ascii_case("standard"));
    let answer = if body_faults.ignore_range {
        RangeAnswer::Whole
    } else {
        range::resolve(range_header.as_deref(), info.size, standard)
    };
    let (status, start, len) = match answer {
        RangeAnswer::Whole => (StatusCode::OK, 0, info.size),
        RangeAnswer::Partial { start, end } => {
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeAnswer::Unsatisfiable => {
            let mut resp = OssError::new(
                416,
                "InvalidRange",
                "The requested range cannot be satisfied.",
            )
            .extra("RangeRequested", range_header.clone().unwrap_or_default())
            .extra("ActualObjectSize", info.size.to_string())
            .into_response(request_id, "127.0.0.1", head);
            if let Ok(v) = format!("bytes */{}", info.size).parse() {
                resp.headers_mut().insert("content-range", v);
            }
            return Ok(resp);
        }
    };
    let crc = if body_faults.wrong_crc {
        info.crc64 ^ 1
    } else {
        info.crc64
    };
    let query = query_pairs(&raw_query);
    let override_of = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut builder = Response::builder()
        .status(status)
        .header("server", "AliyunOSS")
        .header("date", http_date(SystemTime::now()))
        .header("x-oss-request-id", request_id)
        .header("accept-ranges", "bytes")
        .header("etag", &info.etag)
        .header("last-modified", http_date(info.last_modified))
        .header("x-oss-object-type", "Normal")
        .header("x-oss-storage-class", "Standard")
        .header("x-oss-hash-crc64ecma", crc.to_string())
        .header("content-length", len)
        .header(
            "content-type",
            override_of("response-content-type").unwrap_or_else(|| object.content_type.clone()),
        );
    for (q, h) in [
        ("response-content-disposition", "content-disposition"),
        ("response-cache-control", "cache-control"),
        ("response-content-language", "content-language"),
        ("response-content-encoding", "content-encoding"),
        ("response-expires", "expires"),
    ] {
        if let Some(v) = override_of(q) {
            builder = builder.header(h, v);
        }
    }
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            "content-range",
            format!("bytes {}-{}/{}", start, start + len - 1, info.size),
        );
    }
    let body = if head || len == 0 {
        full(Bytes::new())
    } else {
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(produce_body(object.clone(), start, len, body_faults, tx));
        ChannelBody { rx }.boxed()
    };
    builder.body(body).map_err(|e| {
        OssError::new(
            500,
            "InternalError",
            format!("cannot build the response: {e}"),
        )
    })
}

#[derive(Debug, Default, Clone)]
struct BodyFaults {
    drop_after: Option<u64>,
    throttle: Option<u64>,
    stall: Option<(u64, Duration)>,
    corrupt: Option<u64>,
    wrong_crc: bool,
    ignore_range: bool,
}

async fn produce_body(
    object: Arc<Object>,
    start: u64,
    len: u64,
    mut faults: BodyFaults,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
) {
    let chunk = match faults.throttle {
        Some(bps) => (bps / 20).clamp(1024, 64 << 10) as usize,
        None => 256 << 10,
    };
    let began = tokio::time::Instant::now();
    let mut sent = 0u64;
    while sent < len {
        if faults.drop_after.is_some_and(|d| sent >= d) {
            // Let the connection flush what was sent, then break it.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = tx
                .send(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fault injection: connection dropped",
                )))
                .await;
            return;
        }
        if let Some((after, d)) = faults.stall {
            if sent >= after {
                tokio::time::sleep(d).await;
                faults.stall = None;
            }
        }
        let mut want = (chunk as u64).min(len - sent);
        if let Some(d) = faults.drop_after {
            want = want.min(d - sent);
        }
        if let Some((after, _)) = faults.stall {
            if after > sent {
                want = want.min(after - sent);
            }
        }
        let data = match object.content.read_at(start + sent, want as usize).await {
            Ok(d) if !d.is_empty() => d,
            Ok(_) => {
                let _ = tx
                    .send(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "object shorter than announced",
                    )))
                    .await;
                return;
            }
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        let pos = start + sent;
        let data = match faults.corrupt {
            Some(off) if off >= pos && off < pos + data.len() as u64 => {
                let mut m = BytesMut::from(&data[..]);
                let i = (off - pos) as usize;
                m[i] ^= 0xFF;
                m.freeze()
            }
            _ => data,
        };
        let n = data.len() as u64;
        if let Some(bps) = faults.throttle {
            let due = Duration::from_secs_f64((sent + n) as f64 / bps as f64);
            tokio::time::sleep_until(began + due).await;
        }
        if tx.send(Ok(data)).await.is_err() {
            return;
        }
        sent += n;
    }
}

fn etag_list_matches(header: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    header.split(',').map(str::trim).any(|t| {
        t == "*"
            || t.trim_start_matches("W/")
                .trim_matches('"')
                .eq_ignore_ascii_case(bare)
    })
}

fn http_date(t: SystemTime) -> String {
    let dt: chrono::DateTime<chrono::Utc> = t.into();
    dt.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(s: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matching_handles_quotes_lists_and_star() {
        assert!(etag_list_matches("\"ABC\"", "\"ABC\""));
        assert!(etag_list_matches("abc", "\"ABC\""));
        assert!(etag_list_matches("\"x\", \"ABC\"", "\"ABC\""));
        assert!(etag_list_matches("*", "\"ABC\""));
        assert!(!etag_list_matches("\"ABD\"", "\"ABC\""));
    }

    #[test]
    fn host_port_stripping() {
        assert_eq!(strip_port("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(strip_port("[::1]:8080"), "::1");
        assert_eq!(strip_port("bucket.example.com"), "bucket.example.com");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b%2Fc").as_deref(), Some("/a b/c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%E4%B8%AD").as_deref(), Some("中"));
    }
}
