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
use std::time::Duration;

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

/// The most bytes [`exchange`] reads from one connection before it gives up: a test's answers
/// are small, and a server that never stops sending must not grow the test's memory.
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// One HTTP/1.1 answer, read by [`exchange`] to the end of its connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// let addr = oss_testserver::loopback::accept_each(|mut s| async move {
///     let _ = s.read(&mut [0; 64]).await; // the request
///     let _ = s.write_all(b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n").await;
/// })
/// .await?;
/// let answer = oss_testserver::loopback::exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await?;
/// assert_eq!((answer.status(), answer.header("x-a")), (204, Some("1")));
/// assert!(answer.body().is_empty());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    /// The status code of the status line.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// let head = format!("GET /nobucket/k HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr());
    /// let answer = oss_testserver::loopback::exchange(server.addr(), head.as_bytes()).await?;
    /// assert_eq!(answer.status(), 404);
    /// # Ok(())
    /// # }
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of the first header called `name` (compared without case), trimmed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// let head = format!("GET /nobucket/k HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr());
    /// let answer = oss_testserver::loopback::exchange(server.addr(), head.as_bytes()).await?;
    /// assert_eq!(answer.header("Content-Type"), Some("application/xml"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header in the order received, names lower-cased.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// let addr = oss_testserver::loopback::accept_each(|mut s| async move {
    ///     let _ = s.read(&mut [0; 64]).await; // the request
    ///     let _ = s.write_all(b"HTTP/1.1 200 OK\r\nB: 2\r\nA: 1\r\n\r\n").await;
    /// })
    /// .await?;
    /// let answer = oss_testserver::loopback::exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await?;
    /// let names: Vec<&str> = answer.headers().iter().map(|(n, _)| n.as_str()).collect();
    /// assert_eq!(names, ["b", "a"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Everything after the blank line that ends the head, as sent (chunked encoding is not
    /// decoded: send `connection: close` requests to get plain bodies).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = oss_testserver::ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "k", b"hello".to_vec()).unwrap();
    /// let head = format!("GET /bucket/k HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr());
    /// let answer = oss_testserver::loopback::exchange(server.addr(), head.as_bytes()).await?;
    /// assert_eq!(answer.body(), b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out of the answer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// let addr = oss_testserver::loopback::accept_each(|mut s| async move {
    ///     let _ = s.read(&mut [0; 64]).await; // the request
    ///     let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\nxyz").await;
    /// })
    /// .await?;
    /// let answer = oss_testserver::loopback::exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await?;
    /// assert_eq!(answer.into_body(), b"xyz".to_vec());
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// Connects to `addr`, writes `request` (a whole HTTP/1.1 request: head, blank line, body) and
/// reads the answer until the server closes the connection, at most [`MAX_RESPONSE_BYTES`],
/// within [`EXCHANGE_TIMEOUT`] ([`exchange_within`] takes another bound).
/// Errors: the connection fails, the answer is longer than the cap, it does not start with an
/// HTTP status line and a head ending in a blank line, or the server keeps the connection open
/// past the bound (`TimedOut`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use tokio::io::AsyncReadExt as _;
/// // a peer that reads the request and closes without answering
/// let addr = oss_testserver::loopback::accept_each(|mut s| async move {
///     let _ = s.read(&mut [0; 64]).await;
/// })
/// .await?;
/// let err = oss_testserver::loopback::exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
/// # Ok(())
/// # }
/// ```
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<RawResponse> {
    exchange_within(addr, request, EXCHANGE_TIMEOUT).await
}

/// How long [`exchange`] waits for the whole answer: a server that never closes the connection
/// fails the test instead of hanging it.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// [`exchange`] with its own bound on the whole exchange (connect, write, read to the end).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::time::Duration;
/// use tokio::io::AsyncReadExt as _;
/// // a peer that reads the request and then holds the connection open
/// let addr = oss_testserver::loopback::accept_each(|mut s| async move {
///     let _ = s.read(&mut [0; 64]).await;
///     std::future::pending::<()>().await;
/// })
/// .await?;
/// let request = b"GET / HTTP/1.1\r\n\r\n";
/// let err = oss_testserver::loopback::exchange_within(addr, request, Duration::from_millis(100))
///     .await
///     .unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
/// # Ok(())
/// # }
/// ```
pub async fn exchange_within(
    addr: SocketAddr,
    request: &[u8],
    bound: Duration,
) -> std::io::Result<RawResponse> {
    match tokio::time::timeout(bound, read_answer(addr, request)).await {
        Ok(answer) => answer,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no complete answer from {addr} within {bound:?}"),
        )),
    }
}

async fn read_answer(addr: SocketAddr, request: &[u8]) -> std::io::Result<RawResponse> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    let mut raw = Vec::new();
    (&mut stream)
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut raw)
        .await?;
    if raw.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(invalid(format!(
            "the answer is longer than {MAX_RESPONSE_BYTES} bytes"
        )));
    }
    parse_response(raw)
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

fn parse_response(mut raw: Vec<u8>) -> std::io::Result<RawResponse> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid(format!("no complete HTTP head in {} bytes", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid(format!("not an HTTP status line: {status_line:?}")))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = raw.split_off(split + 4);
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_split_into_status_headers_and_body() {
        let r = parse_response(
            b"HTTP/1.1 206 Partial\r\nA: x \r\nb:y\r\n\r\nbody\r\n\r\nmore".to_vec(),
        )
        .unwrap();
        assert_eq!(r.status(), 206);
        assert_eq!(
            r.headers(),
            [("a".into(), "x".into()), ("b".into(), "y".into())]
        );
        assert_eq!(r.body(), b"body\r\n\r\nmore");
    }

    #[test]
    fn a_truncated_or_foreign_answer_is_refused() {
        for raw in [
            &b"HTTP/1.1 200 OK\r\nA: 1\r\n"[..],
            b"SSH-2.0-x\r\n\r\n",
            b"HTTP/1.1 abc\r\n\r\n",
            b"",
        ] {
            let err = parse_response(raw.to_vec()).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{raw:?}");
        }
    }

    #[tokio::test]
    async fn an_answer_that_never_ends_is_cut_at_the_cap() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let addr = accept_each(|mut s| async move {
            let _ = s.read(&mut [0; 64]).await;
            let chunk = vec![b'x'; 1 << 20];
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
            while s.write_all(&chunk).await.is_ok() {}
        })
        .await
        .unwrap();
        let err = exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("longer than"), "{err}");
    }
}
