//! Reading a request body within limits: each chunk must arrive within the idle timeout, a body
//! read into memory (an XML document) is capped, and what an error answer leaves unread is
//! drained up to a bound, so the client sees the OSS error instead of a broken connection.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

use crate::oss_error::OssError;

/// How much of an unread body is read and thrown away before an error answer is sent; beyond
/// it the connection is closed after the answer.
pub(crate) const DRAIN_LIMIT: u64 = 64 << 20;

/// The body of the request being answered, and how much of it has been read.
pub(crate) struct RequestBody {
    body: Option<Incoming>,
    /// Whether any chunk was asked for (after which `Expect: 100-continue` has been answered).
    pub(crate) polled: bool,
    /// Whether the end of the body was reached.
    pub(crate) finished: bool,
    idle_timeout: Duration,
}

/// Why a body could not be read to its end.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The client stopped sending for longer than the idle timeout.
    Stalled,
    /// The connection broke or the framing was invalid.
    Broken(String),
}

impl BodyError {
    pub(crate) fn into_oss(self) -> OssError {
        match self {
            BodyError::Stalled => OssError::new(
                400,
                "RequestTimeout",
                "Your socket connection to the server was not read from or written to within the timeout period.",
            ),
            BodyError::Broken(why) => OssError::new(
                400,
                "IncompleteBody",
                format!("The request body ended before its announced length ({why})."),
            ),
        }
    }
}

impl RequestBody {
    pub(crate) fn new(body: Incoming, idle_timeout: Duration) -> Self {
        let finished = hyper::body::Body::is_end_stream(&body);
        Self {
            body: Some(body),
            polled: false,
            finished,
            idle_timeout,
        }
    }

    /// The next data chunk, `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let Some(body) = self.body.as_mut() else {
                return Ok(None);
            };
            self.polled = true;
            let frame = tokio::time::timeout(self.idle_timeout, body.frame())
                .await
                .map_err(|_| BodyError::Stalled)?;
            match frame {
                None => {
                    self.finished = true;
                    return Ok(None);
                }
                Some(Err(e)) => {
                    self.body = None;
                    return Err(BodyError::Broken(e.to_string()));
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Ok(Some(data));
                        }
                    }
                }
            }
        }
    }

    /// The whole body in memory, refused with `too_big` beyond `limit` bytes (the memory
    /// grows with what arrives, never with what the client announces).
    pub(crate) async fn read_all(
        &mut self,
        limit: usize,
        too_big: impl FnOnce() -> OssError,
    ) -> Result<Vec<u8>, OssError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await.map_err(BodyError::into_oss)? {
            if out.len() + chunk.len() > limit {
                return Err(too_big());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Before an error answer: reads and drops what is left, up to [`DRAIN_LIMIT`]. Returns
    /// whether the connection can stay open (the body was read to its end, or its sender is
    /// waiting for `100 Continue` and will send nothing when it sees the answer).
    pub(crate) async fn drain(&mut self, expects_continue: bool) -> bool {
        if self.finished {
            return true;
        }
        if self.body.is_none() {
            return false;
        }
        if expects_continue && !self.polled {
            // The client has sent nothing yet; hyper answers without `100 Continue`, and the
            // connection is closed after the answer so no late body is taken as a request.
            return false;
        }
        let mut read = 0u64;
        loop {
            match self.chunk().await {
                Ok(Some(c)) => {
                    read += c.len() as u64;
                    if read > DRAIN_LIMIT {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }
}
