//! Accepting and serving connections within limits a hostile client cannot stretch: a cap on
//! open connections, a TLS-handshake timeout, a header-read (idle) timeout, a bound on the size of
//! request heads, and an accept loop that backs off instead of spinning when the process is out
//! of file descriptors.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::body::ResponseBody;

/// The smallest request-head bound hyper accepts (its minimum read buffer).
pub(crate) const MIN_HEADER_BYTES: usize = 8192;

/// How long the accept loop waits at first after a failed `accept` (EMFILE and the like).
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// The longest it waits between retries.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// What one connection may take from the server.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Bytes of a request head (request line and headers) before it is refused with 431.
    pub(crate) max_header_bytes: usize,
    /// How long a connection may stay without a request in progress: sending nothing, sending a
    /// head slowly, or idle between keep-alive requests.
    pub(crate) header_read_timeout: Duration,
    /// How long a TLS handshake may take.
    pub(crate) tls_handshake_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 64 << 10,
            header_read_timeout: Duration::from_secs(10),
            tls_handshake_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Accepts connections until `stop` turns true, each served on its own task, every request
/// answered by `handler`; `accepted` counts the connections.
pub(crate) async fn accept_loop<H, F>(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    accepted: Arc<AtomicU64>,
    handler: H,
    mut stop: watch::Receiver<bool>,
) where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<ResponseBody>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut conns = tokio::task::JoinSet::new();
    let mut backoff = ACCEPT_BACKOFF_MIN;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            (permit, tcp) = next_connection(&listener, &slots, &mut backoff) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                let limits = limits.clone();
                conns.spawn(async move {
                    let _permit = permit;
                    match acceptor {
                        Some(acc) => {
                            let handshake =
                                tokio::time::timeout(limits.tls_handshake_timeout, acc.accept(tcp));
                            if let Ok(Ok(tls)) = handshake.await {
                                serve_connection(TokioIo::new(tls), &limits, handler).await;
                            }
                        }
                        None => serve_connection(TokioIo::new(tcp), &limits, handler).await,
                    }
                });
            }
        }
    }
    conns.abort_all();
}

/// Waits for a free connection slot, then for a connection. A failed `accept` (most often EMFILE:
/// out of file descriptors) is retried after a growing pause, so the loop never spins.
async fn next_connection(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    backoff: &mut Duration,
) -> (OwnedSemaphorePermit, TcpStream) {
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            // The semaphore is never closed; wait forever rather than spin if it were.
            std::future::pending::<()>().await;
            continue;
        };
        match listener.accept().await {
            Ok((tcp, _peer)) => {
                *backoff = ACCEPT_BACKOFF_MIN;
                return (permit, tcp);
            }
            Err(_) => {
                drop(permit);
                tokio::time::sleep(*backoff).await;
                *backoff = (*backoff * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
}

/// When a connection last finished a request, and how many it has in progress.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    /// Milliseconds after `opened` when the last request finished (its body sent or dropped).
    idle_since_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            idle_since_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.clone())
    }

    /// Resolves when the connection has had no request in progress for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            if self.in_flight.load(Ordering::SeqCst) > 0 {
                tokio::time::sleep(timeout).await;
                continue;
            }
            let since =
                self.opened + Duration::from_millis(self.idle_since_ms.load(Ordering::SeqCst));
            let deadline = since + timeout;
            if Instant::now() >= deadline {
                if self.in_flight.load(Ordering::SeqCst) == 0 {
                    return;
                }
                continue;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A request in progress: from its head being parsed until its response body is done.
#[derive(Debug)]
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let ms = self.0.opened.elapsed().as_millis();
        self.0
            .idle_since_ms
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its request counted as in progress until it is finished.
struct TrackedBody {
    inner: ResponseBody,
    _in_flight: InFlight,
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

async fn serve_connection<I, H, F>(io: I, limits: &Limits, handler: H)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<ResponseBody>> + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let tracker = activity.clone();
    let service = hyper::service::service_fn(move |req| {
        let in_flight = tracker.begin();
        let answer = handler(req);
        async move {
            let resp = answer.await;
            Ok::<_, Infallible>(resp.map(|inner| TrackedBody {
                inner,
                _in_flight: in_flight,
            }))
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .max_buf_size(limits.max_header_bytes.max(MIN_HEADER_BYTES));
    builder
        .http2()
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    let conn = builder.serve_connection(io, service);
    // Dropping the connection future closes the socket: that is how an idle or slow connection
    // is let go.
    tokio::select! {
        _ = conn => {}
        () = activity.idle_for(limits.header_read_timeout) => {}
    }
}
