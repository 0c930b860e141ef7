//! The network side of a download: the HTTP client calls (with re-presigning), the first
//! request that learns size, ETag and CRC, the checks on every answer, and the workers that
//! stream a segment's bodies (resuming broken ones) into a sink.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Empty};
use hyper::body::Incoming;
use tokio::sync::mpsc;

use super::plan::{Geometry, Segment};
use super::sink::Out;
use crate::config::Shared;
use crate::crc64;
use crate::error::{DownloadError, DownloadErrorKind as Kind};
use crate::oss_error_body::OssErrorBody;
use crate::progress::{ProgressFn, Reporter};
use crate::source::{PresignedGet, Presigner};

/// Counters and the progress reports of one run.
pub(super) struct Stats {
    pub(super) requests: AtomicU32,
    pub(super) retries: AtomicU32,
    pub(super) fetched: AtomicU64,
    pub(super) done: AtomicU64,
    pub(super) total: AtomicU64,
    reporter: Reporter,
}

impl Stats {
    pub(super) fn new(progress: Option<ProgressFn>) -> Self {
        Self {
            requests: AtomicU32::new(0),
            retries: AtomicU32::new(0),
            fetched: AtomicU64::new(0),
            done: AtomicU64::new(0),
            total: AtomicU64::new(u64::MAX),
            reporter: Reporter::new(progress),
        }
    }

    pub(super) fn received(&self, n: u64) {
        self.fetched.fetch_add(n, Ordering::Relaxed);
        self.done.fetch_add(n, Ordering::Relaxed);
        self.report(false);
    }

    pub(super) fn report(&self, force: bool) {
        self.reporter.report(force, || {
            let total = self.total.load(Ordering::Relaxed);
            (
                self.done.load(Ordering::Relaxed),
                (total != u64::MAX).then_some(total),
                self.fetched.load(Ordering::Relaxed),
            )
        });
    }
}

/// What every worker needs to send requests.
#[derive(Clone)]
pub(super) struct Net {
    pub(super) shared: Arc<Shared>,
    pub(super) source: Arc<SourceCell>,
    pub(super) stats: Arc<Stats>,
}

/// The current presigned GET, replaced by a fresh one when it expires and a presigner is set.
pub(super) struct SourceCell {
    pub(super) current: Mutex<Arc<PresignedGet>>,
    pub(super) presigner: Option<Arc<dyn Presigner>>,
}

impl SourceCell {
    pub(super) fn new(get: PresignedGet, presigner: Option<Arc<dyn Presigner>>) -> Arc<Self> {
        Arc::new(Self {
            current: Mutex::new(Arc::new(get)),
            presigner,
        })
    }
}

impl Net {
    /// One GET with the given range; non-2xx answers (except 416) become errors.
    pub(super) fn source(&self) -> Arc<PresignedGet> {
        self.source
            .current
            .lock()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// One GET; if the URL has expired and a presigner is set, presigns again and repeats once.
    pub(super) async fn get(
        &self,
        range: &str,
        if_match: Option<&str>,
    ) -> Result<Response<Incoming>, DownloadError> {
        match self.get_once(range, if_match).await {
            Err(e) if e.kind() == Kind::Expired => {
                let Some(presigner) = &self.source.presigner else {
                    return Err(e);
                };
                let fresh = presigner.presign_get_async().await?;
                if let Ok(mut current) = self.source.current.lock() {
                    *current = Arc::new(fresh);
                }
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                self.get_once(range, if_match).await
            }
            other => other,
        }
    }

    pub(super) async fn get_once(
        &self,
        range: &str,
        if_match: Option<&str>,
    ) -> Result<Response<Incoming>, DownloadError> {
        let source = self.source();
        let mut b = Request::get(source.url.uri.clone());
        for (name, value) in &source.url.headers {
            b = b.header(name, value);
        }
        b = b
            .header("range", range)
            .header("user-agent", &self.shared.config.transfer.user_agent);
        if let Some(etag) = if_match {
            b = b.header("if-match", etag);
        }
        let req = b
            .body(Empty::<Bytes>::new())
            .map_err(DownloadError::unbuildable_request)?;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let idle = self.shared.config.transfer.idle_timeout;
        let resp = match tokio::time::timeout(idle, self.shared.client.request(req)).await {
            Err(_) => {
                return Err(DownloadError::new(
                    Kind::Timeout,
                    format!(
                        "{}: no response within {:?}",
                        self.source().display_target(),
                        idle
                    ),
                ))
            }
            Ok(Err(e)) => {
                let target = self.source().display_target();
                return Err(DownloadError::request_failed(&target, e));
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        if status.is_success() || status == StatusCode::RANGE_NOT_SATISFIABLE {
            return Ok(resp);
        }
        Err(self.error_from_response(resp).await)
    }

    pub(super) async fn error_from_response(&self, resp: Response<Incoming>) -> DownloadError {
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (req_id, ec) = (header("x-oss-request-id"), header("x-oss-ec"));
        let body = tokio::time::timeout(
            self.shared.config.transfer.idle_timeout,
            http_body_util::Limited::new(resp.into_body(), 64 << 10).collect(),
        )
        .await
        .ok()
        .and_then(|r| r.ok())
        .map(|c| c.to_bytes())
        .unwrap_or_default();
        let mut oss = OssErrorBody::parse(&String::from_utf8_lossy(&body));
        if let Some(o) = &mut oss {
            if o.request_id.is_empty() {
                o.request_id = req_id;
            }
            if o.ec.is_empty() {
                o.ec = ec;
            }
        }
        let code = oss.as_ref().map(|o| o.code.as_str()).unwrap_or("");
        let message = oss.as_ref().map(|o| o.message.as_str()).unwrap_or("");
        let target = self.source().display_target();
        let (kind, text, expiry) = match (status, code) {
            (403, "AccessDenied") if message.to_ascii_lowercase().contains("expired") => (
                Kind::Expired,
                format!("{target}: the presigned URL has expired"),
                self.source().expires_at(),
            ),
            (403, "SignatureDoesNotMatch") => (
                Kind::SignatureMismatch,
                format!(
                    "{target}: the server rejected the signature (URL altered, or a signed header missing)"
                ),
                None,
            ),
            (403, _) => (Kind::AccessDenied, format!("{target}: access denied"), None),
            (404, _) => (
                Kind::NotFound,
                format!("{target}: no such {}", if code == "NoSuchBucket" { "bucket" } else { "object" }),
                None,
            ),
            (412, _) => (
                Kind::ObjectChanged,
                format!("{target}: the object changed during the download (If-Match failed)"),
                None,
            ),
            _ => (Kind::HttpStatus, format!("{target}: HTTP {status}"), None),
        };
        DownloadError::new(kind, text)
            .with_status(status, oss)
            .with_expiry(expiry)
    }
}

/// What the server said about the object's CRC-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CrcHeader {
    Absent,
    Unparsable,
    Value(u64),
}

impl CrcHeader {
    pub(super) fn of(resp: &Response<Incoming>) -> Self {
        match resp.headers().get("x-oss-hash-crc64ecma") {
            None => Self::Absent,
            Some(v) => v
                .to_str()
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .map_or(Self::Unparsable, Self::Value),
        }
    }
}

/// Answer to the first request.
pub(super) struct Probe {
    pub(super) resp: Option<Response<Incoming>>,
    /// Whether the body is the whole object (200) rather than the requested range.
    pub(super) whole: bool,
    pub(super) size: u64,
    pub(super) etag: Option<String>,
    pub(super) crc: CrcHeader,
}

pub(super) fn header_str<'a>(resp: &'a Response<Incoming>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Parses `bytes a-b/total` or `bytes */total`.
pub(super) fn content_range(resp: &Response<Incoming>) -> Option<(Option<(u64, u64)>, u64)> {
    let v = header_str(resp, "content-range")?.trim();
    let rest = v.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let total = total.trim().parse().ok()?;
    if range.trim() == "*" {
        return Some((None, total));
    }
    let (a, b) = range.split_once('-')?;
    Some((
        Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        total,
    ))
}

pub(super) fn protocol(net: &Net, what: impl std::fmt::Display) -> DownloadError {
    DownloadError::new(
        Kind::Protocol,
        format!("{}: {what}", net.source().display_target()),
    )
}

/// Sends the first request (with retries) and learns size, ETag and CRC from it.
pub(super) async fn probe(net: &Net, start: u64, end: Option<u64>) -> Result<Probe, DownloadError> {
    let range = match end {
        Some(e) => format!("bytes={start}-{e}"),
        None => format!("bytes={start}-"),
    };
    let policy = net.shared.config.transfer.retry;
    let mut attempt = 0;
    let resp = loop {
        attempt += 1;
        match net.get(&range, None).await {
            Ok(r) => break r,
            Err(e) if e.is_retryable() && attempt < policy.attempts() => {
                net.stats.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(policy.backoff(attempt)).await;
            }
            Err(e) => return Err(e.with_attempts(attempt)),
        }
    };
    let etag = header_str(&resp, "etag").map(str::to_string);
    let crc = CrcHeader::of(&resp);
    let max = net.shared.config.max_size;
    let too_large = |size: u64| {
        DownloadError::new(
            Kind::TooLarge,
            format!(
                "{}: the server announced {size} bytes, more than the {max} allowed (max_size)",
                net.source().display_target()
            ),
        )
    };
    match resp.status() {
        StatusCode::PARTIAL_CONTENT => {
            let Some((Some((a, b)), total)) = content_range(&resp) else {
                return Err(protocol(net, "206 without a usable Content-Range"));
            };
            if a != start {
                return Err(protocol(
                    net,
                    format!("asked for bytes from {start}, the server sent from {a}"),
                ));
            }
            if b < a || b >= total {
                return Err(protocol(
                    net,
                    format!("inconsistent Content-Range bytes {a}-{b}/{total}"),
                ));
            }
            if total > max {
                return Err(too_large(total));
            }
            check_length(net, &resp, b - a + 1)?;
            Ok(Probe {
                resp: Some(resp),
                whole: false,
                size: total,
                etag,
                crc,
            })
        }
        StatusCode::RANGE_NOT_SATISFIABLE => match content_range(&resp) {
            Some((None, 0)) => Ok(Probe {
                resp: None,
                whole: true,
                size: 0,
                etag,
                crc,
            }),
            _ => Err(DownloadError::new(
                Kind::Protocol,
                format!(
                    "{}: range {range} not satisfiable",
                    net.source().display_target()
                ),
            )
            .with_status(416, None)),
        },
        _ => {
            let Some(size) = header_str(&resp, "content-length").and_then(|v| v.parse().ok())
            else {
                return Err(protocol(net, "200 without Content-Length"));
            };
            if size > max {
                return Err(too_large(size));
            }
            Ok(Probe {
                resp: Some(resp),
                whole: true,
                size,
                etag,
                crc,
            })
        }
    }
}

/// A `Content-Length` that disagrees with the range is a protocol error (a missing one is
/// tolerated: the body length is checked while streaming either way).
pub(super) fn check_length(
    net: &Net,
    resp: &Response<Incoming>,
    want: u64,
) -> Result<(), DownloadError> {
    match header_str(resp, "content-length").map(|v| v.trim().parse::<u64>()) {
        Some(Ok(n)) if n != want => Err(protocol(
            net,
            format!("Content-Length {n} does not match the {want} bytes of the range"),
        )),
        Some(Err(_)) => Err(protocol(net, "unparsable Content-Length")),
        _ => Ok(()),
    }
}

/// Checks a part response: 206 at the right offset, same size and ETag.
pub(super) fn check_part(
    net: &Net,
    resp: &Response<Incoming>,
    pos: u64,
    end: u64,
    geo: &Geometry,
) -> Result<(), DownloadError> {
    if let (Some(want), Some(got)) = (&geo.etag, header_str(resp, "etag")) {
        if want != got {
            return Err(DownloadError::new(
                Kind::ObjectChanged,
                format!(
                    "{}: the object changed during the download (ETag {want} became {got})",
                    net.source().display_target()
                ),
            ));
        }
    }
    match resp.status() {
        StatusCode::PARTIAL_CONTENT => {
            let Some((Some((a, b)), total)) = content_range(resp) else {
                return Err(protocol(net, "206 without a usable Content-Range"));
            };
            if total != geo.size {
                return Err(DownloadError::new(
                    Kind::ObjectChanged,
                    format!(
                        "{}: the object size changed from {} to {total}",
                        net.source().display_target(),
                        geo.size
                    ),
                ));
            }
            if a != pos || b + 1 != end {
                return Err(protocol(
                    net,
                    format!("asked for bytes {pos}-{}, got {a}-{b}", end - 1),
                ));
            }
            check_length(net, resp, end - pos)
        }
        StatusCode::OK if pos == 0 && end == geo.size => check_length(net, resp, geo.size),
        StatusCode::RANGE_NOT_SATISFIABLE => Err(protocol(
            net,
            format!(
                "range {pos}-{} not satisfiable: did the object shrink?",
                end - 1
            ),
        )
        .with_status(416, None)),
        s => Err(protocol(
            net,
            format!("expected 206 for bytes {pos}-{}, got {s}", end - 1),
        )),
    }
}

/// Fetches one segment, resuming after broken bodies, reporting each finished part.
pub(super) async fn run_segment(
    net: Net,
    geo: Arc<Geometry>,
    seg: Segment,
    mut first: Option<Response<Incoming>>,
    mut out: Out,
    done: mpsc::UnboundedSender<(u64, u64)>,
) -> Result<(), DownloadError> {
    let policy = net.shared.config.transfer.retry;
    let idle = net.shared.config.transfer.idle_timeout;
    let mut pos = seg.start;
    let mut hasher = crc64::Hasher::new();
    let mut failures = 0u32;
    while pos < seg.end {
        let attempt_start = pos;
        let resp = match first.take() {
            Some(r) => Ok(r),
            None => {
                let range = format!("bytes={pos}-{}", seg.end - 1);
                match net.get(&range, geo.etag.as_deref()).await {
                    Ok(r) => check_part(&net, &r, pos, seg.end, &geo).map(|_| r),
                    Err(e) => Err(e),
                }
            }
        };
        let result = match resp {
            Ok(r) => {
                stream_body(
                    &net,
                    r,
                    &mut pos,
                    seg.end,
                    &geo,
                    &mut hasher,
                    &mut out,
                    &done,
                    idle,
                )
                .await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {}
            Err(e) if e.is_retryable() => {
                failures = if pos > attempt_start { 1 } else { failures + 1 };
                if failures >= policy.attempts() {
                    return Err(e.with_attempts(failures));
                }
                net.stats.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(policy.backoff(failures)).await;
            }
            Err(e) => return Err(e),
        }
    }
    out.flush().await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn stream_body(
    net: &Net,
    resp: Response<Incoming>,
    pos: &mut u64,
    end: u64,
    geo: &Geometry,
    hasher: &mut crc64::Hasher,
    out: &mut Out,
    done: &mpsc::UnboundedSender<(u64, u64)>,
    idle: std::time::Duration,
) -> Result<(), DownloadError> {
    let mut body = resp.into_body();
    // One timer per response, re-armed only when it fires: cheaper than a timeout per frame.
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(idle_timer);
    let mut last_bytes = tokio::time::Instant::now();
    while *pos < end {
        let next = tokio::select! {
            biased;
            f = body.frame() => Some(f),
            _ = &mut idle_timer => None,
        };
        let frame = match next {
            None => {
                if last_bytes.elapsed() < idle {
                    idle_timer.as_mut().reset(last_bytes + idle);
                    continue;
                }
                return Err(DownloadError::new(
                    Kind::Timeout,
                    format!(
                        "{}: no body bytes for {idle:?} at offset {pos}",
                        net.source().display_target()
                    ),
                ));
            }
            Some(None) => break,
            Some(Some(Err(e))) => {
                return Err(DownloadError::new(
                    Kind::Network,
                    format!(
                        "{}: the connection broke at offset {pos}: {e}",
                        net.source().display_target()
                    ),
                )
                .with_source(e))
            }
            Some(Some(Ok(f))) => {
                last_bytes = tokio::time::Instant::now();
                f
            }
        };
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        if *pos + data.len() as u64 > end {
            return Err(protocol(
                net,
                format!("the server sent more bytes than the {} requested", end),
            ));
        }
        while !data.is_empty() {
            let part = *pos / geo.part_size;
            let (_, part_end) = geo.part_range(part);
            let take = (data.len() as u64).min(part_end - *pos) as usize;
            let piece = data.split_to(take);
            hasher.update(&piece);
            out.push(*pos, piece).await?;
            *pos += take as u64;
            net.stats.received(take as u64);
            if *pos == part_end {
                out.flush().await?;
                let _ = done.send((part, hasher.finish()));
                *hasher = crc64::Hasher::new();
            }
        }
    }
    if *pos < end {
        return Err(DownloadError::new(
            Kind::Network,
            format!(
                "{}: the body ended early at offset {pos} of {end}",
                net.source().display_target()
            ),
        ));
    }
    Ok(())
}
