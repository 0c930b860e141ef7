//! Hostile servers on 127.0.0.1 (real hyper HTTP/1.1 servers answering what a lying or
//! malicious server would): absurd sizes, bytes trickled just fast enough to beat the idle
//! timeout, an unparsable CRC header.

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use common::files_in;
use http::{Request, Response};
use hyper::body::{Frame, Incoming};
use oss_transfer::{
    Crc64Check, DownloadError, DownloadErrorKind, DownloadOutcome, Downloader, PresignedGet,
};

type Answer = Arc<dyn Fn(&Request<Incoming>) -> Response<Body> + Send + Sync>;

/// A response body: bytes at once, or one byte every `every`.
enum Body {
    Full(Option<Bytes>),
    Trickle {
        left: usize,
        every: Duration,
        sleep: Pin<Box<tokio::time::Sleep>>,
    },
}

impl Body {
    fn full(b: impl Into<Bytes>) -> Self {
        Body::Full(Some(b.into()))
    }
    fn trickle(len: usize, every: Duration) -> Self {
        Body::Trickle {
            left: len,
            every,
            sleep: Box::pin(tokio::time::sleep(every)),
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Body::Trickle { left, every, sleep } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => {
                        *left -= 1;
                        let next = tokio::time::Instant::now() + *every;
                        sleep.as_mut().reset(next);
                        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"x")))))
                    }
                }
            }
        }
    }
}

/// Starts a hyper server on 127.0.0.1 answering every request with `answer`.
async fn hostile(answer: Answer) -> SocketAddr {
    common::serve_http(move |req: Request<Incoming>| {
        let resp = answer(&req);
        async move { Ok::<_, Infallible>(resp) }
    })
    .await
}

fn downloader(parallelism: usize, resume: bool) -> oss_transfer::DownloaderBuilder {
    Downloader::builder()
        .part_size(64 << 10)
        .parallelism(parallelism)
        .resume(resume)
        .idle_timeout(Duration::from_secs(2))
        .retry(common::fast_retry(2, Duration::from_millis(20)))
}

fn url(addr: SocketAddr) -> PresignedGet {
    PresignedGet::new(&format!("http://{addr}/bucket/object.bin")).unwrap()
}

/// Downloads the hostile server's object with `d` into `target`.
async fn fetch_from(
    d: &Downloader,
    addr: SocketAddr,
    target: impl AsRef<std::path::Path>,
) -> Result<DownloadOutcome, DownloadError> {
    d.download(url(addr)).to_file(target).await
}

/// A first part of 64 KiB (sevens) of an object announced as `total` bytes long.
fn first_part_of(total: impl std::fmt::Display) -> Response<Body> {
    Response::builder()
        .status(206)
        .header("content-range", format!("bytes 0-65535/{total}"))
        .header("content-length", "65536")
        .header("etag", "\"e\"")
        .body(Body::full(vec![7u8; 65536]))
        .unwrap()
}

/// Finding 1: `Content-Range: bytes 0-65535/9223372036854775808` (and 2^64-1) aborted the
/// process in the part planning; now it is `TooLarge` before any file is sized, for files,
/// resumable files, single streams and writers alike.
#[tokio::test]
async fn an_absurd_size_is_refused_before_anything_is_planned_or_allocated() {
    for total in ["9223372036854775808", "18446744073709551615"] {
        let total = total.to_string();
        let addr = hostile(Arc::new(move |_req| first_part_of(&total))).await;
        for (parallelism, resume) in [(4, false), (1, false), (4, true)] {
            let dir = tempfile::tempdir().unwrap();
            let d = downloader(parallelism, resume).build().unwrap();
            let err = fetch_from(&d, addr, dir.path().join("object.bin"))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), DownloadErrorKind::TooLarge, "{err}");
            assert!(err.to_string().contains("more than"), "{err}");
            assert_eq!(files_in(dir.path()), Vec::<String>::new());
        }
        let d = downloader(4, false).build().unwrap();
        let mut out = Vec::new();
        let err = d.download(url(addr)).to_writer(&mut out).await.unwrap_err();
        assert_eq!(err.kind(), DownloadErrorKind::TooLarge);
        assert!(out.is_empty());
    }
}

/// With the limit raised to 2^62, planning 2^46 parts still allocates nothing per part: the
/// download gets as far as sizing the temporary file (which the file system refuses) instead of
/// aborting on a huge allocation.
#[tokio::test]
async fn planning_a_huge_object_allocates_nothing_per_part() {
    let addr = hostile(Arc::new(|_req| first_part_of(1u64 << 62))).await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(4, true).max_size(1 << 62).build().unwrap();
    let err = fetch_from(&d, addr, dir.path().join("object.bin"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Io, "{err}");
    assert!(
        err.to_string().contains("sizing the temporary file"),
        "{err}"
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

/// The limit is the caller's: `max_size` below the object's size refuses it too.
#[tokio::test]
async fn max_size_refuses_a_whole_body_over_the_limit() {
    let addr = hostile(Arc::new(|_req| {
        Response::builder()
            .status(200)
            .header("content-length", "5000")
            .body(Body::full(vec![1u8; 5000]))
            .unwrap()
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(4, false).max_size(4999).build().unwrap();
    let err = fetch_from(&d, addr, dir.path().join("o"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::TooLarge);
    let d = downloader(4, false).max_size(5000).build().unwrap();
    let o = fetch_from(&d, addr, dir.path().join("o")).await.unwrap();
    assert_eq!(o.size, 5000);
}

/// Finding 11: a server trickling a byte every 100 ms never trips the 2 s idle timeout; the
/// whole-download timeout stops it and leaves nothing behind.
#[tokio::test]
async fn a_trickling_server_is_stopped_by_the_download_timeout() {
    let addr = hostile(Arc::new(|_req| {
        Response::builder()
            .status(200)
            .header("content-length", "1000")
            .body(Body::trickle(1000, Duration::from_millis(100)))
            .unwrap()
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(1, false)
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let run = d.download(url(addr)).to_file(dir.path().join("o"));
    let err = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the download timeout must end the download")
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("download timeout"), "{err}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());

    let mut out = Vec::new();
    let run = d.download(url(addr)).to_writer(&mut out);
    let err = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the download timeout must end the download")
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Timeout);
}

/// Finding 12: an `x-oss-hash-crc64ecma` that is not a number is reported as such, not as a
/// missing header.
#[tokio::test]
async fn an_unparsable_crc_header_is_told_apart_from_a_missing_one() {
    for (header, want) in [
        (Some("not-a-number"), Crc64Check::Unparsable),
        (Some("-1"), Crc64Check::Unparsable),
        (None, Crc64Check::NotSent),
    ] {
        let addr = hostile(Arc::new(move |_req| {
            let mut b = Response::builder()
                .status(200)
                .header("content-length", "3");
            if let Some(h) = header {
                b = b.header("x-oss-hash-crc64ecma", h);
            }
            b.body(Body::full(&b"abc"[..])).unwrap()
        }))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("o");
        let d = downloader(4, false).build().unwrap();
        let o = fetch_from(&d, addr, &target).await.unwrap();
        assert_eq!(o.crc64_check, want, "{header:?}");
        assert!(!o.crc64_verified);
        let d = downloader(4, false).verify_crc64(false).build().unwrap();
        let o = fetch_from(&d, addr, &target).await.unwrap();
        assert_eq!(o.crc64_check, Crc64Check::Disabled);
    }
}
