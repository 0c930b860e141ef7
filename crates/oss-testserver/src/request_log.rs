//! The requests the server received, for assertions: a ring of the most recent ones, so a flood
//! of requests cannot grow the server's memory.

use std::collections::VecDeque;
use std::sync::Mutex;

/// One request the server received, as recorded for assertions.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use oss_testserver::{loopback::exchange, ServerBuilder};
/// let server = ServerBuilder::new().start().await.unwrap();
/// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
/// let get = b"GET /bucket/key?x=1 HTTP/1.1\r\nrange: bytes=1-\r\nconnection: close\r\n\r\n";
/// exchange(server.addr(), get).await?;
/// let r = &server.requests()[0];
/// assert_eq!((r.method.as_str(), r.target.as_str(), r.status), ("GET", "/bucket/key?x=1", 206));
/// assert_eq!(r.object, Some(("bucket".to_string(), "key".to_string())));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method (`GET`, `HEAD`, ...).
    pub method: String,
    /// Path and query exactly as received.
    pub target: String,
    /// HTTP version (`HTTP/1.1`, `HTTP/2.0`).
    pub version: String,
    /// Header names (lower case) and values, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The status code the server answered with.
    pub status: u16,
    /// Bucket and key the request resolved to, if any.
    pub object: Option<(String, String)>,
}

impl RecordedRequest {
    /// The first value of a header (name compared case-insensitively).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{loopback::exchange, ServerBuilder};
    /// let server = ServerBuilder::new().start().await.unwrap();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nRange: bytes=0-9\r\nconnection: close\r\n\r\n";
    /// exchange(server.addr(), get).await?;
    /// let r = &server.requests()[0];
    /// assert_eq!(r.header("RANGE"), Some("bytes=0-9"));
    /// assert_eq!(r.header("if-match"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The most recent `capacity` requests; older ones are dropped (0 keeps none).
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    entries: Mutex<VecDeque<RecordedRequest>>,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    /// Whether requests are recorded at all (a capacity of 0 records nothing).
    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub(crate) fn push(&self, request: RecordedRequest) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(request);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            target: format!("/b/{n}"),
            version: "HTTP/1.1".into(),
            headers: Vec::new(),
            status: 200,
            object: None,
        }
    }

    #[test]
    fn keeps_only_the_most_recent() {
        let log = RequestLog::new(3);
        for n in 0..10 {
            log.push(request(n));
        }
        let targets: Vec<String> = log.snapshot().into_iter().map(|r| r.target).collect();
        assert_eq!(targets, ["/b/7", "/b/8", "/b/9"]);
        log.clear();
        assert!(log.snapshot().is_empty());
    }

    #[test]
    fn zero_capacity_records_nothing() {
        let log = RequestLog::new(0);
        assert!(!log.enabled());
        log.push(request(1));
        assert!(log.snapshot().is_empty());
    }
}
