//! Request bodies of an upload: a byte range of the source file, read in bounded chunks by a
//! blocking thread (CRC-64 computed as it reads) and handed to hyper through a small channel,
//! so a part never sits in memory whole; or a small buffer (the Complete document).

use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use hyper::body::{Frame, SizeHint};
use tokio::sync::mpsc;

use super::stats::{Attempt, Stats};
use crate::crc64;

/// Bytes read from the file per chunk.
pub(super) const CHUNK: usize = 256 << 10;
/// Chunks queued between the reader thread and hyper, per request.
const QUEUED: usize = 2;

/// The body of an upload request.
pub(crate) struct UploadBody {
    kind: Kind,
}

enum Kind {
    Bytes(Option<Bytes>),
    File {
        rx: mpsc::Receiver<std::io::Result<Bytes>>,
        left: u64,
        sent: Arc<AtomicU64>,
        stats: Arc<Stats>,
    },
}

impl UploadBody {
    pub(super) fn bytes(b: impl Into<Bytes>) -> Self {
        let b = b.into();
        Self {
            kind: Kind::Bytes((!b.is_empty()).then_some(b)),
        }
    }

    pub(super) fn empty() -> Self {
        Self::bytes(Bytes::new())
    }
}

impl hyper::body::Body for UploadBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Bytes(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Kind::File {
                rx,
                left,
                sent,
                stats,
            } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                match rx.poll_recv(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Some(Ok(chunk))) => {
                        *left = left.saturating_sub(chunk.len() as u64);
                        let n = chunk.len() as u64;
                        sent.fetch_add(n, Ordering::Relaxed);
                        stats.sent.fetch_add(n, Ordering::Relaxed);
                        stats.inflight.fetch_add(n, Ordering::Relaxed);
                        Poll::Ready(Some(Ok(Frame::data(chunk))))
                    }
                    Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                    Poll::Ready(None) => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the source ended before the announced length (did the file shrink?)",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Bytes(b) => b.is_none(),
            Kind::File { left, .. } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Bytes(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::File { left, .. } => SizeHint::with_exact(*left),
        }
    }
}

/// A file-range body and the reader thread behind it; the thread's result is the CRC-64 of
/// the bytes it read and how many (all of them once the server has answered 2xx).
pub(super) fn file_body(
    file: Arc<File>,
    start: u64,
    len: u64,
    attempt: &Attempt,
) -> (
    UploadBody,
    tokio::task::JoinHandle<std::io::Result<(u64, u64)>>,
) {
    let (tx, rx) = mpsc::channel(QUEUED);
    let reader = tokio::task::spawn_blocking(move || {
        let mut hasher = crc64::Hasher::new();
        let mut pos = start;
        let end = start + len;
        while pos < end {
            let want = ((end - pos) as usize).min(CHUNK);
            let mut buf = BytesMut::zeroed(want);
            let mut got = 0;
            while got < want {
                match file.read_at(&mut buf[got..], pos + got as u64) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
                        return Err(e);
                    }
                }
            }
            if got == 0 {
                // Shorter than planned: the body reports it (the channel closes).
                break;
            }
            buf.truncate(got);
            hasher.update(&buf);
            pos += got as u64;
            if tx.blocking_send(Ok(buf.freeze())).is_err() {
                break; // the request was dropped
            }
        }
        Ok((pos - start, hasher.finish()))
    });
    (UploadBody::chunks(rx, len, attempt), reader)
}

impl UploadBody {
    /// A body of the `len` bytes a reading task sends through `rx`, counted in `attempt`.
    fn chunks(rx: mpsc::Receiver<std::io::Result<Bytes>>, len: u64, attempt: &Attempt) -> Self {
        UploadBody {
            kind: Kind::File {
                rx,
                left: len,
                sent: attempt.sent.clone(),
                stats: attempt.stats.clone(),
            },
        }
    }
}

/// A body of exactly `len` bytes read from `reader` by a task (CRC-64 computed as it reads),
/// in bounded chunks like [`file_body`]; a reader that ends early fails the body.
pub(super) fn reader_body<R>(
    reader: R,
    len: u64,
    attempt: &Attempt,
) -> (
    UploadBody,
    tokio::task::JoinHandle<std::io::Result<(u64, u64)>>,
)
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
{
    use tokio::io::AsyncReadExt as _;
    let (tx, rx) = mpsc::channel(QUEUED);
    let task = tokio::spawn(async move {
        let mut reader = reader.take(len);
        let mut hasher = crc64::Hasher::new();
        let mut read = 0u64;
        while read < len {
            let mut buf = BytesMut::with_capacity(((len - read) as usize).min(CHUNK));
            let n = match reader.read_buf(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = tx
                        .send(Err(std::io::Error::new(e.kind(), e.to_string())))
                        .await;
                    return Err(e);
                }
            };
            if n == 0 {
                break; // shorter than announced: the body reports it (the channel closes)
            }
            hasher.update(&buf);
            read += n as u64;
            if tx.send(Ok(buf.freeze())).await.is_err() {
                break;
            }
        }
        Ok((read, hasher.finish()))
    });
    (UploadBody::chunks(rx, len, attempt), task)
}

/// CRC-64 and (optionally) MD5 of a file range, read in bounded chunks on a blocking thread:
/// to re-check a checkpoint's parts, and to sign a `Content-MD5` before sending.
pub(super) async fn digest_range(
    file: Arc<File>,
    start: u64,
    len: u64,
    with_md5: bool,
) -> std::io::Result<(u64, Option<[u8; 16]>)> {
    tokio::task::spawn_blocking(move || {
        use md5::Digest as _;
        let mut hasher = crc64::Hasher::new();
        let mut md5 = with_md5.then(md5::Md5::new);
        let mut buf = vec![0u8; CHUNK];
        let mut pos = start;
        let end = start + len;
        while pos < end {
            let want = ((end - pos) as usize).min(CHUNK);
            let n = file.read_at(&mut buf[..want], pos)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the source file is shorter than planned (did it shrink?)",
                ));
            }
            hasher.update(&buf[..n]);
            if let Some(m) = &mut md5 {
                m.update(&buf[..n]);
            }
            pos += n as u64;
        }
        Ok((hasher.finish(), md5.map(|m| m.finalize().into())))
    })
    .await
    .map_err(|e| std::io::Error::other(format!("the reading thread failed: {e}")))?
}
