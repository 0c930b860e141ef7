//! The accept loop of the small servers tests write by hand beside (or instead of) the
//! [`TestServer`](crate::TestServer): a proxy that throttles or cuts connections, a server that
//! lies. Each gets a fresh `127.0.0.1` port and says only what it does with one connection.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
//! // answers every connection with a fixed greeting
//! let addr = oss_testserver::loopback::accept_each(|mut stream| async move {
//!     let _ = stream.write_all(b"hello").await;
//! })
//! .await?;
//! let mut client = tokio::net::TcpStream::connect(addr).await?;
//! let mut greeting = String::new();
//! client.read_to_string(&mut greeting).await?;
//! assert_eq!(greeting, "hello");
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

/// Listens on a fresh `127.0.0.1` port and, on a task of its own, hands each connection
/// accepted there to `on_connection`, run on a new task; returns the port's address. The loop
/// ends at the first failed accept or when the runtime shuts down. Must be called within a
/// Tokio runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// // a port that closes every connection at once
/// let addr = oss_testserver::loopback::accept_each(|stream| async move { drop(stream) }).await?;
/// assert!(addr.ip().is_loopback());
/// let mut client = tokio::net::TcpStream::connect(addr).await?;
/// let mut rest = Vec::new();
/// tokio::io::AsyncReadExt::read_to_end(&mut client, &mut rest).await?;
/// assert!(rest.is_empty());
/// # Ok(())
/// # }
/// ```
pub async fn accept_each<F, Fut>(on_connection: F) -> std::io::Result<SocketAddr>
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(on_connection(stream));
        }
    });
    Ok(addr)
}
