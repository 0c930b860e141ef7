//! [`TestServer`]: the running server's handle: its address, store, fault rules, request log,
//! and stopping it.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::watch;

use super::routing::encode_key;
use super::state::State;
use crate::fault::FaultPlan;
use crate::request_log::RecordedRequest;
use crate::store::ObjectStore;
use crate::tls::TlsIdentity;

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
    /// The handle of a server [`ServerBuilder::start`](super::ServerBuilder::start) has started.
    pub(super) fn started(
        addr: SocketAddr,
        tls: Option<TlsIdentity>,
        state: Arc<State>,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    ) -> Self {
        Self {
            addr,
            tls,
            state,
            stop,
            task: Some(task),
        }
    }

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
        &self.state.verifier.region
    }

    /// The object store (shared: changes are visible to the next request).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.status(), 404);
    /// server.store().put("bucket", "key", b"v".to_vec()).unwrap();
    /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.body(), b"v");
    /// # Ok(())
    /// # }
    /// ```
    pub fn store(&self) -> &ObjectStore {
        &self.state.store
    }

    /// The fault rules (shared: add rules while the server runs).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{Fault, FaultRule};
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "key", b"v".to_vec()).unwrap();
    /// server.faults().add(FaultRule::new(Fault::Status(503)).times(1));
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.status(), 503);
    /// assert_eq!(oss_testserver::loopback::exchange(server.addr(), get).await?.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn faults(&self) -> &FaultPlan {
        &self.state.faults
    }

    /// The requests received so far, in order: the most recent ones, up to
    /// [`ServerBuilder::request_log_capacity`](crate::ServerBuilder::request_log_capacity).
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
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// oss_testserver::loopback::exchange(server.addr(), get).await?;
    /// assert_eq!(server.requests().len(), 1);
    /// server.clear_requests();
    /// assert!(server.requests().is_empty());
    /// # Ok(())
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
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// let addr = server.addr();
    /// server.shutdown().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok(())
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
