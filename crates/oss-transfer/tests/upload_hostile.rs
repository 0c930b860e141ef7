//! Uploads against hostile servers on 127.0.0.1 (real hyper HTTP/1.1 servers that read the
//! body and answer what a lying or failing server would): a wrong CRC-64, 5xx, connections
//! dropped mid-body, no answer at all, implausible ETags, an endless initiate answer, a lying
//! CompleteMultipartUpload.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::fast_retry;
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Frame, Incoming};
use oss_transfer::{crc64, PresignedRequest, UploadErrorKind, Uploader};

/// What the hostile server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    query: String,
    len: usize,
    crc: u64,
    n: u32,
}

/// What it does about it.
enum Act {
    Answer(u16, Vec<(&'static str, String)>, Bytes),
    /// An answer whose body never ends (1 MiB chunks).
    Endless(u16),
    /// Close the connection without an answer (after reading this many body bytes).
    Drop(usize),
    /// Read the body, then never answer.
    Silence,
}

type Policy = Arc<dyn Fn(&Seen) -> Act + Send + Sync>;

type AnswerBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn handle(
    req: Request<Incoming>,
    policy: Policy,
    count: Arc<AtomicU32>,
    log: Arc<Mutex<Vec<Seen>>>,
) -> Result<Response<AnswerBody>, std::io::Error> {
    let method = req.method().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let n = count.fetch_add(1, Ordering::SeqCst);
    let mut body = req.into_body();
    let mut data = Vec::new();
    // peek at the policy with the length so far to decide on drops
    let probe = Seen {
        method: method.clone(),
        query: query.clone(),
        len: 0,
        crc: 0,
        n,
    };
    let drop_at = match policy(&probe) {
        Act::Drop(at) => Some(at),
        _ => None,
    };
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(d) = frame.into_data() {
            data.extend_from_slice(&d);
        }
        if drop_at.is_some_and(|at| data.len() >= at) {
            return Err(std::io::Error::other("hostile: dropped"));
        }
    }
    let seen = Seen {
        method,
        query,
        len: data.len(),
        crc: crc64::checksum(&data),
        n,
    };
    log.lock().unwrap().push(seen.clone());
    match policy(&seen) {
        Act::Answer(status, headers, body) => {
            let mut b = Response::builder().status(status);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            Ok(b.body(Full::new(body).boxed()).unwrap())
        }
        Act::Endless(status) => Ok(Response::builder()
            .status(status)
            .body(Endless.boxed())
            .unwrap()),
        Act::Drop(_) => Err(std::io::Error::other("hostile: dropped")),
        Act::Silence => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(std::io::Error::other("never"))
        }
    }
}

/// An answer body of endless 1 MiB frames.
struct Endless;

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'<'; 1 << 20])))))
    }
}

struct Hostile {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Seen>>>,
}

async fn hostile(policy: Policy) -> Hostile {
    let count = Arc::new(AtomicU32::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let addr =
        common::serve_http(move |req| handle(req, policy.clone(), count.clone(), log2.clone()))
            .await;
    Hostile { addr, log }
}

impl Hostile {
    fn url(&self, rest: &str) -> String {
        format!("http://{}/b/k{rest}", self.addr)
    }
    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

fn ok_with_crc(crc: u64) -> Act {
    Act::Answer(
        200,
        vec![
            ("x-oss-hash-crc64ecma", crc.to_string()),
            ("etag", "\"0123456789ABCDEF0123456789ABCDEF\"".into()),
        ],
        Bytes::new(),
    )
}

fn uploader() -> Uploader {
    Uploader::builder()
        .part_size(100 << 10)
        .parallelism(2)
        .multipart_threshold(100 << 10)
        .idle_timeout(Duration::from_millis(500))
        .retry(fast_retry(3, Duration::from_millis(20)))
        .build()
        .unwrap()
}

fn file(dir: &tempfile::TempDir, len: usize) -> std::path::PathBuf {
    let p = dir.path().join("src");
    std::fs::write(&p, oss_testserver::generated_bytes(len, 42)).unwrap();
    p
}

#[tokio::test]
async fn a_server_that_lies_about_the_crc_fails_as_integrity_after_the_retries() {
    let (result, h) = put_against(Arc::new(|s: &Seen| ok_with_crc(s.crc ^ 1)), 5000).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::Integrity, "{e}");
    assert_eq!(e.attempts(), 3);
    assert_eq!(h.seen().len(), 3, "each attempt re-sent the whole body");
    assert!(h.seen().iter().all(|s| s.len == 5000));
}

#[tokio::test]
async fn five_hundreds_and_dropped_connections_are_retried_with_the_body_re_read() {
    let (result, h) = put_against(
        Arc::new(|s: &Seen| match s.n {
            0 => Act::Answer(
                503,
                vec![],
                Bytes::from_static(
                    b"<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>",
                ),
            ),
            1 => Act::Drop(64 << 10),
            _ => ok_with_crc(s.crc),
        }),
        300_000,
    )
    .await;
    let o = result.unwrap();
    assert_eq!(o.retries, 2);
    assert_eq!(o.crc64_check, oss_transfer::Crc64Check::Verified);
    let seen = h.seen();
    assert_eq!(seen.last().unwrap().len, 300_000);
    assert_eq!(seen.last().unwrap().crc, o.crc64);
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    let (result, _h) = put_against(Arc::new(|_: &Seen| Act::Silence), 1000).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::Timeout, "{e}");
    assert_eq!(e.attempts(), 3);
}

/// A single PUT of a `len`-byte file to a hostile server acting by `policy`: the result, and
/// the server (for what it saw).
async fn put_against(
    policy: Policy,
    len: usize,
) -> (
    Result<oss_transfer::UploadOutcome, oss_transfer::UploadError>,
    Hostile,
) {
    let h = hostile(policy).await;
    let dir = tempfile::tempdir().unwrap();
    let result = uploader()
        .put(PresignedRequest::put(&h.url("")).unwrap())
        .from_file(file(&dir, len))
        .await;
    (result, h)
}

fn initiated() -> Act {
    Act::Answer(200, vec![], Bytes::from_static(b"<InitiateMultipartUploadResult><UploadId>UP1</UploadId></InitiateMultipartUploadResult>"))
}

/// An empty 204 answer (what an abort gets).
fn no_content(_: &Seen) -> Act {
    Act::Answer(204, vec![], Bytes::new())
}

/// A multipart server: the initiate answered with upload id `UP1`, each part PUT by `part`,
/// the Complete (`POST ?uploadId=`) by `complete`, anything else (the abort) with 204.
fn multipart_policy(
    part: impl Fn(&Seen) -> Act + Send + Sync + 'static,
    complete: impl Fn(&Seen) -> Act + Send + Sync + 'static,
) -> Policy {
    Arc::new(move |s: &Seen| {
        if s.query == "uploads" {
            initiated()
        } else if s.method == "PUT" {
            part(s)
        } else if s.method == "POST" {
            complete(s)
        } else {
            no_content(s)
        }
    })
}

async fn multipart_against(policy: Policy) -> (oss_transfer::UploadError, Vec<Seen>) {
    let h = hostile(policy).await;
    let dir = tempfile::tempdir().unwrap();
    let e = uploader()
        .upload(Arc::new(common::ObjectUrls(h.url(""))))
        .from_file(file(&dir, 350_000))
        .await
        .unwrap_err();
    assert_eq!(common::files_in(dir.path()), vec!["src".to_string()]);
    (e, h.seen())
}

#[tokio::test]
async fn an_endless_initiate_answer_is_refused_without_reading_it_all() {
    let (e, seen) = multipart_against(Arc::new(|s: &Seen| {
        if s.query == "uploads" {
            Act::Endless(200)
        } else {
            ok_with_crc(s.crc)
        }
    }))
    .await;
    assert_eq!(e.kind(), UploadErrorKind::Protocol, "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn an_initiate_answer_without_an_upload_id_is_a_protocol_error() {
    let (e, _) = multipart_against(Arc::new(|_: &Seen| {
        Act::Answer(200, vec![], Bytes::from_static(b"<x/>"))
    }))
    .await;
    assert_eq!(e.kind(), UploadErrorKind::Protocol, "{e}");
}

#[tokio::test]
async fn an_implausible_part_etag_fails_the_upload_and_aborts_it() {
    let (e, seen) = multipart_against(multipart_policy(
        |s| {
            Act::Answer(
                200,
                vec![
                    ("etag", "x".repeat(2000)),
                    ("x-oss-hash-crc64ecma", s.crc.to_string()),
                ],
                Bytes::new(),
            )
        },
        no_content,
    ))
    .await;
    assert_eq!(e.kind(), UploadErrorKind::Protocol, "{e}");
    assert!(
        seen.iter()
            .any(|s| s.method == "DELETE" && s.query == "uploadId=UP1"),
        "aborted: {seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|s| s.method == "POST" && s.query.starts_with("uploadId")),
        "never completed"
    );
}

#[tokio::test]
async fn a_complete_answer_with_a_wrong_crc_is_an_integrity_error() {
    let (e, seen) = multipart_against(multipart_policy(
        |s| ok_with_crc(s.crc),
        |_| {
            Act::Answer(
                200,
                vec![("x-oss-hash-crc64ecma", "12345".into())],
                Bytes::from_static(b"<CompleteMultipartUploadResult/>"),
            )
        },
    ))
    .await;
    assert_eq!(e.kind(), UploadErrorKind::Integrity, "{e}");
    let complete = seen
        .iter()
        .find(|s| s.method == "POST" && s.query == "uploadId=UP1")
        .unwrap();
    assert!(complete.len > 0);
    assert_eq!(seen.iter().filter(|s| s.method == "PUT").count(), 4);
}

#[tokio::test]
async fn parts_refused_with_5xx_are_retried_then_the_upload_is_aborted() {
    let (e, seen) = multipart_against(multipart_policy(
        |s| {
            if s.query.starts_with("partNumber=2&") {
                Act::Answer(
                    500,
                    vec![],
                    Bytes::from_static(
                        b"<Error><Code>InternalError</Code><Message>x</Message></Error>",
                    ),
                )
            } else {
                ok_with_crc(s.crc)
            }
        },
        no_content,
    ))
    .await;
    assert_eq!(e.kind(), UploadErrorKind::HttpStatus, "{e}");
    assert_eq!(e.status(), Some(500));
    assert_eq!(
        seen.iter()
            .filter(|s| s.query.starts_with("partNumber=2&"))
            .count(),
        3
    );
    assert!(seen.iter().any(|s| s.method == "DELETE"));
}
