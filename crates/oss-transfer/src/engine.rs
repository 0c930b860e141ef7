//! The download engine: size discovery, part scheduling, ranged GETs with resume, writes,
//! checkpoints and the final integrity check.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::os::unix::fs::{FileExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Empty};
use hyper::body::Incoming;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::checkpoint::{self, CheckpointData, PartRecord};
use crate::config::{ProgressFn, Shared};
use crate::crc64;
use crate::error::{DownloadError, DownloadErrorKind as Kind, OssErrorBody};
use crate::helper_files::{self, HelperNames, TargetLock, CHECKPOINT_TAG, NEW_TAG, TEMP_TAG};
use crate::outcome::{Crc64Check, DownloadOutcome};
use crate::progress::{Cancellation, Progress};
use crate::source::{PresignedGet, Presigner};

/// One download as the engine receives it (built by [`Download`](crate::Download)).
pub(crate) struct Job {
    pub(crate) shared: Arc<Shared>,
    pub(crate) source: PresignedGet,
    pub(crate) presigner: Option<Arc<dyn Presigner>>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<Cancellation>,
}

/// Counters and the progress callback of one run.
struct Stats {
    requests: AtomicU32,
    retries: AtomicU32,
    fetched: AtomicU64,
    done: AtomicU64,
    total: AtomicU64,
    started: Instant,
    progress: Option<ProgressFn>,
    last_report: Mutex<Option<Instant>>,
}

impl Stats {
    fn new(progress: Option<ProgressFn>) -> Self {
        Self {
            requests: AtomicU32::new(0),
            retries: AtomicU32::new(0),
            fetched: AtomicU64::new(0),
            done: AtomicU64::new(0),
            total: AtomicU64::new(u64::MAX),
            started: Instant::now(),
            progress,
            last_report: Mutex::new(None),
        }
    }

    fn received(&self, n: u64) {
        self.fetched.fetch_add(n, Ordering::Relaxed);
        self.done.fetch_add(n, Ordering::Relaxed);
        self.report(false);
    }

    fn report(&self, force: bool) {
        let Some(cb) = &self.progress else { return };
        let now = Instant::now();
        if let Ok(mut last) = self.last_report.lock() {
            if !force && last.is_some_and(|t| now.duration_since(t).as_millis() < 100) {
                return;
            }
            *last = Some(now);
        }
        let elapsed = now.duration_since(self.started);
        let total = self.total.load(Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        cb(&Progress {
            bytes_done: self.done.load(Ordering::Relaxed),
            total: (total != u64::MAX).then_some(total),
            bytes_per_second: if secs > 0.0 {
                self.fetched.load(Ordering::Relaxed) as f64 / secs
            } else {
                0.0
            },
            elapsed,
        });
    }
}

/// What every worker needs to send requests.
#[derive(Clone)]
struct Net {
    shared: Arc<Shared>,
    source: Arc<SourceCell>,
    stats: Arc<Stats>,
}

/// The current presigned GET, replaced by a fresh one when it expires and a presigner is set.
struct SourceCell {
    current: Mutex<Arc<PresignedGet>>,
    presigner: Option<Arc<dyn Presigner>>,
}

impl SourceCell {
    fn new(get: PresignedGet, presigner: Option<Arc<dyn Presigner>>) -> Arc<Self> {
        Arc::new(Self {
            current: Mutex::new(Arc::new(get)),
            presigner,
        })
    }
}

impl Net {
    /// One GET with the given range; non-2xx answers (except 416) become errors.
    fn source(&self) -> Arc<PresignedGet> {
        self.source
            .current
            .lock()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// One GET; if the URL has expired and a presigner is set, presigns again and repeats once.
    async fn get(
        &self,
        range: &str,
        if_match: Option<&str>,
    ) -> Result<Response<Incoming>, DownloadError> {
        match self.get_once(range, if_match).await {
            Err(e) if e.kind() == Kind::Expired => {
                let Some(presigner) = &self.source.presigner else {
                    return Err(e);
                };
                let fresh = presigner.presign_get()?;
                if let Ok(mut current) = self.source.current.lock() {
                    *current = Arc::new(fresh);
                }
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                self.get_once(range, if_match).await
            }
            other => other,
        }
    }

    async fn get_once(
        &self,
        range: &str,
        if_match: Option<&str>,
    ) -> Result<Response<Incoming>, DownloadError> {
        let source = self.source();
        let mut b = Request::get(source.uri().clone());
        for (name, value) in source.headers() {
            b = b.header(name, value);
        }
        b = b
            .header("range", range)
            .header("user-agent", &self.shared.config.user_agent);
        if let Some(etag) = if_match {
            b = b.header("if-match", etag);
        }
        let req = b.body(Empty::<Bytes>::new()).map_err(|e| {
            DownloadError::new(Kind::InvalidInput, format!("cannot build the request: {e}"))
        })?;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let idle = self.shared.config.idle_timeout;
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
                let mut msg = format!("{}: request failed: {e}", self.source().display_target());
                let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(&format!(": {s}"));
                    src = s.source();
                }
                return Err(DownloadError::new(Kind::Network, msg).with_source(e));
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        if status.is_success() || status == StatusCode::RANGE_NOT_SATISFIABLE {
            return Ok(resp);
        }
        Err(self.error_from_response(resp).await)
    }

    async fn error_from_response(&self, resp: Response<Incoming>) -> DownloadError {
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
            self.shared.config.idle_timeout,
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

/// Size and version of the object being downloaded.
#[derive(Debug, Clone)]
struct Geometry {
    size: u64,
    part_size: u64,
    etag: Option<String>,
}

impl Geometry {
    fn parts(&self) -> u64 {
        self.size.div_ceil(self.part_size)
    }
    fn part_range(&self, i: u64) -> (u64, u64) {
        let s = i * self.part_size;
        (s, (s + self.part_size).min(self.size))
    }
}

/// A contiguous byte range `[start, end)` fetched by one worker, on part boundaries.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: u64,
    end: u64,
}

/// What the server said about the object's CRC-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CrcHeader {
    Absent,
    Unparsable,
    Value(u64),
}

impl CrcHeader {
    fn of(resp: &Response<Incoming>) -> Self {
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
struct Probe {
    resp: Option<Response<Incoming>>,
    /// Whether the body is the whole object (200) rather than the requested range.
    whole: bool,
    size: u64,
    etag: Option<String>,
    crc: CrcHeader,
}

fn header_str<'a>(resp: &'a Response<Incoming>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Parses `bytes a-b/total` or `bytes */total`.
fn content_range(resp: &Response<Incoming>) -> Option<(Option<(u64, u64)>, u64)> {
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

fn protocol(net: &Net, what: impl std::fmt::Display) -> DownloadError {
    DownloadError::new(
        Kind::Protocol,
        format!("{}: {what}", net.source().display_target()),
    )
}

/// Sends the first request (with retries) and learns size, ETag and CRC from it.
async fn probe(net: &Net, start: u64, end: Option<u64>) -> Result<Probe, DownloadError> {
    let range = match end {
        Some(e) => format!("bytes={start}-{e}"),
        None => format!("bytes={start}-"),
    };
    let policy = net.shared.config.retry;
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
fn check_length(net: &Net, resp: &Response<Incoming>, want: u64) -> Result<(), DownloadError> {
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
fn check_part(
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

/// Where a worker's bytes go.
enum Out {
    File(FileOut),
    Chan(ChanOut),
}

/// Writes that may be in flight per connection: they absorb short write stalls (page-cache
/// writeback) without stopping the network reads.
const MAX_PENDING_WRITES: usize = 3;

struct FileOut {
    /// The temporary file (opened once, exclusively); batches are positional writes, so
    /// parallel writers never share an offset and nothing is reopened by name.
    file: Arc<File>,
    /// Received frames not yet written (kept as they came: no copy).
    chunks: Vec<Bytes>,
    len: usize,
    buf_pos: u64,
    cap: usize,
    pending: VecDeque<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl FileOut {
    fn new(file: Arc<File>, start: u64, cap: usize) -> Self {
        Self {
            file,
            chunks: Vec::new(),
            len: 0,
            buf_pos: start,
            cap,
            pending: VecDeque::new(),
        }
    }

    /// Waits until at most `keep` writes are in flight.
    async fn wait(&mut self, keep: usize) -> Result<(), DownloadError> {
        while self.pending.len() > keep {
            let Some(h) = self.pending.pop_front() else {
                break;
            };
            h.await
                .map_err(|e| DownloadError::new(Kind::Io, format!("writer task failed: {e}")))?
                .map_err(|e| DownloadError::io("writing the temporary file", e))?;
        }
        Ok(())
    }

    /// Starts writing the buffered frames in a blocking thread (one `pwritev` per batch).
    async fn submit(&mut self) -> Result<(), DownloadError> {
        self.wait(MAX_PENDING_WRITES - 1).await?;
        if self.chunks.is_empty() {
            return Ok(());
        }
        let chunks = std::mem::take(&mut self.chunks);
        let pos = self.buf_pos;
        self.buf_pos += self.len as u64;
        self.len = 0;
        let file = self.file.clone();
        self.pending.push_back(tokio::task::spawn_blocking(move || {
            use std::io::IoSlice;
            let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
            let mut rest = &mut slices[..];
            let mut at = pos;
            while !rest.is_empty() {
                let n = rustix::io::pwritev(file.as_ref(), rest, at)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::WriteZero.into());
                }
                at += n as u64;
                IoSlice::advance_slices(&mut rest, n);
            }
            Ok(())
        }));
        Ok(())
    }
}

struct ChanOut {
    tx: mpsc::Sender<Bytes>,
    buf: BytesMut,
    cap: usize,
}

impl Out {
    async fn push(&mut self, pos: u64, data: Bytes) -> Result<(), DownloadError> {
        match self {
            Out::File(f) => {
                if f.chunks.is_empty() {
                    f.buf_pos = pos;
                }
                f.len += data.len();
                f.chunks.push(data);
                if f.len >= f.cap {
                    f.submit().await?;
                }
            }
            Out::Chan(c) => {
                c.buf.extend_from_slice(&data);
                if c.buf.len() >= c.cap {
                    let chunk = c.buf.split().freeze();
                    c.buf.reserve(c.cap);
                    c.tx.send(chunk).await.map_err(|_| cancelled())?;
                }
            }
        }
        Ok(())
    }

    /// Makes everything pushed so far durable in the sink (written, or handed to the writer).
    async fn flush(&mut self) -> Result<(), DownloadError> {
        match self {
            Out::File(f) => {
                f.submit().await?;
                f.wait(0).await
            }
            Out::Chan(c) => {
                if !c.buf.is_empty() {
                    let chunk = c.buf.split().freeze();
                    c.tx.send(chunk).await.map_err(|_| cancelled())?;
                }
                Ok(())
            }
        }
    }
}

fn cancelled() -> DownloadError {
    DownloadError::new(Kind::Cancelled, "the download was cancelled")
}

/// A segment being fetched for an ordered writer: its chunks and its task.
type InFlight = (
    mpsc::Receiver<Bytes>,
    tokio::task::JoinHandle<Result<(), DownloadError>>,
);

/// Fetches one segment, resuming after broken bodies, reporting each finished part.
async fn run_segment(
    net: Net,
    geo: Arc<Geometry>,
    seg: Segment,
    mut first: Option<Response<Incoming>>,
    mut out: Out,
    done: mpsc::UnboundedSender<(u64, u64)>,
) -> Result<(), DownloadError> {
    let policy = net.shared.config.retry;
    let idle = net.shared.config.idle_timeout;
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
async fn stream_body(
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

/// The segments still to fetch, made one at a time as workers free up: one per part when
/// parallel, maximal runs of missing parts otherwise. Its memory does not grow with the number
/// of parts (a number the server chose); it holds only the parts already on disk.
struct Plan {
    size: u64,
    part_size: u64,
    parts: u64,
    next: u64,
    parallel: bool,
    kept: BTreeSet<u64>,
}

impl Plan {
    fn new(geo: &Geometry, kept: BTreeSet<u64>, parallel: bool) -> Self {
        Self {
            size: geo.size,
            part_size: geo.part_size,
            parts: geo.parts(),
            next: 0,
            parallel,
            kept,
        }
    }
}

impl Iterator for Plan {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        while self.next < self.parts && self.kept.contains(&self.next) {
            self.next += 1;
        }
        if self.next >= self.parts {
            return None;
        }
        let first = self.next;
        self.next += 1;
        if !self.parallel {
            while self.next < self.parts && !self.kept.contains(&self.next) {
                self.next += 1;
            }
        }
        Some(Segment {
            start: first * self.part_size,
            end: (self.next * self.part_size).min(self.size),
        })
    }
}

fn combined_crc(geo: &Geometry, parts: &BTreeMap<u64, u64>) -> u64 {
    parts.iter().fold(0, |crc, (&i, &part_crc)| {
        let (start, end) = geo.part_range(i);
        crc64::combine(crc, part_crc, end - start)
    })
}

fn check_crc(
    net: &Net,
    geo: &Geometry,
    parts: &BTreeMap<u64, u64>,
    header: CrcHeader,
) -> Result<(u64, Crc64Check), DownloadError> {
    if parts.len() as u64 != geo.parts() {
        return Err(DownloadError::new(
            Kind::Integrity,
            format!(
                "{}: only {} of {} parts arrived",
                net.source().display_target(),
                parts.len(),
                geo.parts()
            ),
        ));
    }
    let crc = combined_crc(geo, parts);
    let verify = net.shared.config.verify_crc;
    match header {
        _ if !verify => Ok((crc, Crc64Check::Disabled)),
        CrcHeader::Absent => Ok((crc, Crc64Check::NotSent)),
        CrcHeader::Unparsable => Ok((crc, Crc64Check::Unparsable)),
        CrcHeader::Value(h) if h != crc => Err(DownloadError::new(
            Kind::Integrity,
            format!(
                "{}: CRC-64 mismatch: the server says {h}, the received bytes give {crc}",
                net.source().display_target()
            ),
        )),
        CrcHeader::Value(_) => Ok((crc, Crc64Check::Verified)),
    }
}

/// Plan of a fresh download after the probe (the first segment uses the probe's body).
fn plan_fresh(probe: &Probe, geo: &Geometry, parallelism: usize) -> Plan {
    Plan::new(geo, BTreeSet::new(), !(probe.whole || parallelism == 1))
}

struct Paths {
    target: PathBuf,
    names: HelperNames,
    checkpoint: PathBuf,
}

impl Paths {
    /// The helper names of the checkpoint file itself (for its write-then-rename files).
    fn checkpoint_names(&self) -> Option<HelperNames> {
        let dir = self.checkpoint.parent()?;
        Some(HelperNames::new(dir, self.checkpoint.file_name()?))
    }

    /// Removes every temporary file of this target (and half-written checkpoints), except
    /// `keep`. Only called while the target's lock is held.
    fn remove_stale(&self, keep: Option<&Path>) {
        let _ = self.names.remove_stale(&[TEMP_TAG, NEW_TAG], keep);
        if let Some(n) = self.checkpoint_names() {
            let _ = n.remove_stale(&[NEW_TAG], None);
        }
        // The fixed temp name of earlier versions (`.<name>.oss-temp`), if it is ours.
        let legacy = self.names.fixed(TEMP_TAG);
        if helper_files::open_own(&legacy, false).is_ok() {
            let _ = std::fs::remove_file(&legacy);
        }
    }

    fn remove_checkpoint(&self) {
        if helper_files::open_own(&self.checkpoint, false).is_ok() {
            let _ = std::fs::remove_file(&self.checkpoint);
        }
    }
}

fn paths(shared: &Shared, target: &Path) -> Result<Paths, DownloadError> {
    let invalid = |m: String| DownloadError::new(Kind::InvalidInput, m);
    let name = target
        .file_name()
        .ok_or_else(|| invalid(format!("{} does not name a file", target.display())))?;
    if name.len() > helper_files::NAME_MAX {
        return Err(invalid(format!(
            "the file name of {} is {} bytes; at most {} are allowed",
            target.display(),
            name.len(),
            helper_files::NAME_MAX
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(invalid(format!(
            "the directory {} of the target does not exist",
            parent.display()
        )));
    }
    if target.is_dir() {
        return Err(invalid(format!("{} is a directory", target.display())));
    }
    let parent = parent
        .canonicalize()
        .map_err(|e| DownloadError::io("resolving the target directory", e))?;
    let target = parent.join(name);
    let names = HelperNames::new(&parent, name);
    let checkpoint = match &shared.config.checkpoint_dir {
        Some(dir) => {
            let mut file = std::ffi::OsString::from(format!(
                "{:016x}-",
                crc64::checksum(target.as_os_str().as_encoded_bytes())
            ));
            file.push(names.stem());
            file.push(format!(".{CHECKPOINT_TAG}"));
            dir.join(file)
        }
        None => names.fixed(CHECKPOINT_TAG),
    };
    Ok(Paths {
        target,
        names,
        checkpoint,
    })
}

/// Outcome of one attempt at a file download; `Restart` means the checkpoint was stale.
enum FileRun {
    Done(DownloadOutcome),
    Restart,
}

/// Completes when the whole-download timeout (if any) runs out.
async fn deadline(timeout: Option<std::time::Duration>) -> DownloadError {
    match timeout {
        Some(t) => {
            tokio::time::sleep(t).await;
            DownloadError::new(
                Kind::Timeout,
                format!("the download did not finish within {t:?} (the download timeout)"),
            )
        }
        None => std::future::pending().await,
    }
}

pub(crate) async fn to_file(call: Job, target: &Path) -> Result<DownloadOutcome, DownloadError> {
    let shared = call.shared.clone();
    let paths = paths(&shared, target)?;
    // Held until this function returns: no second download (in this or another process)
    // writes the same target, and its helper files are ours to clean.
    let _lock = TargetLock::acquire(&paths.names).map_err(|e| {
        if e.kind() == std::io::ErrorKind::WouldBlock {
            DownloadError::new(
                Kind::InUse,
                format!(
                    "another download into {} is running (lock file {})",
                    paths.target.display(),
                    paths.names.fixed(helper_files::LOCK_TAG).display()
                ),
            )
            .with_source(e)
        } else {
            DownloadError::io("locking the target", e)
        }
    })?;
    let net = Net {
        shared: shared.clone(),
        source: SourceCell::new(call.source, call.presigner),
        stats: Arc::new(Stats::new(call.progress)),
    };
    let cancel = call.cancel.unwrap_or_default();
    let resume = shared.config.resume;
    if !resume {
        // A plain run leaves nothing of earlier runs: interrupted temp files, an old checkpoint.
        paths.remove_checkpoint();
        paths.remove_stale(None);
    }
    let deadline = deadline(shared.config.timeout);
    tokio::pin!(deadline);
    let mut use_checkpoint = resume;
    loop {
        let result = tokio::select! {
            r = file_run(&net, &paths, use_checkpoint) => r,
            _ = cancel.cancelled() => Err(cancelled()),
            e = &mut deadline => Err(e),
        };
        match result {
            Ok(FileRun::Done(o)) => return Ok(o),
            Ok(FileRun::Restart) => {
                paths.remove_checkpoint();
                paths.remove_stale(None);
                use_checkpoint = false;
                net.stats.done.store(0, Ordering::Relaxed);
            }
            Err(e) => {
                let useless = matches!(e.kind(), Kind::ObjectChanged | Kind::Integrity);
                if !resume || useless {
                    paths.remove_stale(None);
                    paths.remove_checkpoint();
                }
                return Err(e);
            }
        }
    }
}

/// A checkpoint that fits this download, with its temporary file opened (never through a
/// link, only the user's own regular file of the right length).
fn usable_checkpoint(
    net: &Net,
    paths: &Paths,
    identity: &str,
    target: &str,
) -> Option<(CheckpointData, File)> {
    let cfg = &net.shared.config;
    let cp = checkpoint::load(&paths.checkpoint)?;
    let fits = cp.source == identity
        && cp.target == target
        && cp.part_size == cfg.part_size
        && cp.size <= cfg.max_size
        && paths.names.is_random(Path::new(&cp.temp), TEMP_TAG)
        && cp
            .parts
            .iter()
            .all(|p| p.index < cp.size.div_ceil(cp.part_size));
    if !fits {
        return None;
    }
    let file = helper_files::open_own(Path::new(&cp.temp), true).ok()?;
    if file.metadata().ok()?.len() != cp.size {
        return None;
    }
    Some((cp, file))
}

/// Re-reads the parts a checkpoint lists and keeps only those whose bytes on disk still have
/// the recorded CRC-64 (the file may have been damaged or edited since).
async fn verify_kept_parts(
    file: Arc<File>,
    geo: &Geometry,
    parts: Vec<PartRecord>,
) -> Result<Vec<PartRecord>, DownloadError> {
    let geo = geo.clone();
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; 1 << 20];
        let mut good = Vec::with_capacity(parts.len());
        for p in parts {
            let (start, end) = geo.part_range(p.index);
            let mut hasher = crc64::Hasher::new();
            let mut at = start;
            while at < end {
                let n = ((end - at) as usize).min(buf.len());
                file.read_exact_at(&mut buf[..n], at)?;
                hasher.update(&buf[..n]);
                at += n as u64;
            }
            if hasher.finish() == p.crc64 {
                good.push(p);
            }
        }
        Ok(good)
    })
    .await
    .map_err(|e| DownloadError::new(Kind::Io, format!("a verify task failed: {e}")))?
    .map_err(|e| DownloadError::io("re-reading the kept parts of the temporary file", e))
}

/// Gives the finished temporary file the permissions (and, where allowed, the owner) of the
/// file it replaces, so replacing a 0600 file does not make it world-readable.
fn keep_mode_of_replaced(temp: &File, target: &Path) -> Result<(), DownloadError> {
    let Ok(old) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !old.file_type().is_file() {
        return Ok(());
    }
    temp.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o777))
        .map_err(|e| DownloadError::io("copying the replaced file's permissions", e))?;
    // Only root (or the same owner) may do this; otherwise the file stays the user's own.
    let _ = std::os::unix::fs::fchown(temp, Some(old.uid()), Some(old.gid()));
    Ok(())
}

async fn file_run(
    net: &Net,
    paths: &Paths,
    use_checkpoint: bool,
) -> Result<FileRun, DownloadError> {
    let cfg = &net.shared.config;
    let resume = cfg.resume;
    let identity = net.source().identity();
    let target_str = paths.target.to_string_lossy().into_owned();
    let saved = if use_checkpoint {
        usable_checkpoint(net, paths, &identity, &target_str)
    } else {
        None
    };
    if use_checkpoint {
        if saved.is_none() {
            paths.remove_checkpoint();
        }
        // Temp files no usable checkpoint refers to are leftovers of interrupted runs.
        paths.remove_stale(saved.as_ref().map(|(c, _)| Path::new(&c.temp)));
    }

    let mut parts: BTreeMap<u64, u64> = BTreeMap::new();
    let (geo, crc_header, plan, mut probe_resp, parts_total, temp_file, temp_path, kept) =
        match saved {
            Some((cp, file)) => {
                let geo = Geometry {
                    size: cp.size,
                    part_size: cp.part_size,
                    etag: Some(cp.etag.clone()),
                };
                let file = Arc::new(file);
                let kept = verify_kept_parts(file.clone(), &geo, cp.parts).await?;
                for p in &kept {
                    parts.insert(p.index, p.crc64);
                }
                let mut plan =
                    Plan::new(&geo, parts.keys().copied().collect(), cfg.parallelism > 1)
                        .peekable();
                let (ps, pe, nothing_missing) = match plan.peek() {
                    Some(s) => (s.start, Some(s.end - 1), false),
                    None => (0, Some(0), true),
                };
                let probe = probe(net, ps, pe).await?;
                if probe.etag.as_deref() != Some(cp.etag.as_str())
                    || probe.size != cp.size
                    || probe.whole && cp.size > 0 && !nothing_missing && ps != 0
                {
                    return Ok(FileRun::Restart);
                }
                let done_bytes: u64 = parts
                    .keys()
                    .map(|&i| {
                        let (s, e) = geo.part_range(i);
                        e - s
                    })
                    .sum();
                net.stats.done.store(done_bytes, Ordering::Relaxed);
                net.stats.total.store(geo.size, Ordering::Relaxed);
                let first = if nothing_missing { None } else { probe.resp };
                let n = geo.parts();
                (
                    geo,
                    probe.crc,
                    plan,
                    first,
                    n,
                    file,
                    PathBuf::from(cp.temp),
                    kept,
                )
            }
            None => {
                let end = if cfg.parallelism > 1 {
                    Some(cfg.part_size - 1)
                } else {
                    None
                };
                let probe = probe(net, 0, end).await?;
                let geo = Geometry {
                    size: probe.size,
                    part_size: cfg.part_size,
                    etag: probe.etag.clone(),
                };
                net.stats.total.store(geo.size, Ordering::Relaxed);
                let plan = plan_fresh(&probe, &geo, cfg.parallelism).peekable();
                // A fresh temp file of the right length, created exclusively under a random
                // name (0666 minus the umask, like the file it becomes).
                let (f, path) = paths
                    .names
                    .create_random(TEMP_TAG, 0o666)
                    .map_err(|e| DownloadError::io("creating the temporary file", e))?;
                if let Err(e) = f.set_len(geo.size) {
                    let _ = std::fs::remove_file(&path);
                    return Err(DownloadError::io("sizing the temporary file", e));
                }
                let n = geo.parts();
                (
                    geo,
                    probe.crc,
                    plan,
                    probe.resp,
                    n,
                    Arc::new(f),
                    path,
                    Vec::new(),
                )
            }
        };
    let geo = Arc::new(geo);
    let mut cp = CheckpointData {
        source: identity,
        target: target_str,
        temp: temp_path.to_string_lossy().into_owned(),
        size: geo.size,
        etag: geo.etag.clone().unwrap_or_default(),
        part_size: geo.part_size,
        parts: kept,
    };
    let checkpointing = resume && geo.etag.is_some();
    if checkpointing {
        checkpoint::store(&paths.checkpoint, &cp)
            .map_err(|e| DownloadError::io("writing the checkpoint", e))?;
    }

    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(u64, u64)>();
    let mut queue = plan;
    let mut workers: JoinSet<Result<(), DownloadError>> = JoinSet::new();
    let parts_fetched_before = parts.len() as u64;
    let spawn = |workers: &mut JoinSet<_>, seg: Segment, first: Option<Response<Incoming>>| {
        let out = Out::File(FileOut::new(temp_file.clone(), seg.start, cfg.write_buffer));
        workers.spawn(run_segment(
            net.clone(),
            geo.clone(),
            seg,
            first,
            out,
            done_tx.clone(),
        ));
    };
    while workers.len() < cfg.parallelism {
        let Some(seg) = queue.next() else { break };
        spawn(&mut workers, seg, probe_resp.take());
    }
    drop(probe_resp);
    loop {
        if workers.is_empty() && queue.peek().is_none() {
            while let Ok((idx, crc)) = done_rx.try_recv() {
                parts.insert(idx, crc);
            }
            break;
        }
        tokio::select! {
            Some((idx, crc)) = done_rx.recv() => {
                parts.insert(idx, crc);
                if checkpointing {
                    cp.parts.push(PartRecord { index: idx, crc64: crc });
                    checkpoint::store(&paths.checkpoint, &cp)
                        .map_err(|e| DownloadError::io("writing the checkpoint", e))?;
                }
            }
            joined = workers.join_next(), if !workers.is_empty() => {
                match joined {
                    Some(Ok(Ok(()))) => {
                        if let Some(seg) = queue.next() {
                            spawn(&mut workers, seg, None);
                        }
                    }
                    Some(Ok(Err(e))) => {
                        workers.abort_all();
                        return Err(e);
                    }
                    Some(Err(e)) => {
                        workers.abort_all();
                        return Err(DownloadError::new(Kind::Io, format!("a download task failed: {e}")));
                    }
                    None => {}
                }
            }
        }
    }
    let (crc, check) = check_crc(net, &geo, &parts, crc_header)?;
    keep_mode_of_replaced(&temp_file, &paths.target)?;
    tokio::fs::rename(&temp_path, &paths.target)
        .await
        .map_err(|e| DownloadError::io("renaming the temporary file to the target", e))?;
    if resume {
        paths.remove_checkpoint();
    }
    net.stats.report(true);
    Ok(FileRun::Done(DownloadOutcome {
        size: geo.size,
        etag: geo.etag.clone(),
        crc64: crc,
        crc64_verified: check == Crc64Check::Verified,
        crc64_check: check,
        parts_total,
        parts_fetched: parts.len() as u64 - parts_fetched_before,
        bytes_fetched: net.stats.fetched.load(Ordering::Relaxed),
        requests: net.stats.requests.load(Ordering::Relaxed),
        retries: net.stats.retries.load(Ordering::Relaxed),
    }))
}

pub(crate) async fn to_writer<W>(
    call: Job,
    writer: &mut W,
) -> Result<DownloadOutcome, DownloadError>
where
    W: AsyncWrite + Unpin + Send + ?Sized,
{
    let shared = call.shared.clone();
    let cfg = shared.config.clone();
    let net = Net {
        shared,
        source: SourceCell::new(call.source, call.presigner),
        stats: Arc::new(Stats::new(call.progress)),
    };
    let cancel: Cancellation = call.cancel.unwrap_or_default();
    let work = async {
        let end = if cfg.parallelism > 1 {
            Some(cfg.part_size - 1)
        } else {
            None
        };
        let probe = probe(&net, 0, end).await?;
        let geo = Arc::new(Geometry {
            size: probe.size,
            part_size: cfg.part_size,
            etag: probe.etag.clone(),
        });
        net.stats.total.store(geo.size, Ordering::Relaxed);
        let mut queue = plan_fresh(&probe, &geo, cfg.parallelism);
        let mut first = probe.resp;
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(u64, u64)>();
        let mut in_flight: VecDeque<InFlight> = VecDeque::new();
        let mut result: Result<(), DownloadError> = Ok(());
        loop {
            while in_flight.len() < cfg.parallelism {
                let Some(seg) = queue.next() else { break };
                let (tx, rx) = mpsc::channel(2);
                let out = Out::Chan(ChanOut {
                    tx,
                    buf: BytesMut::with_capacity(cfg.write_buffer),
                    cap: cfg.write_buffer,
                });
                let h = tokio::spawn(run_segment(
                    net.clone(),
                    geo.clone(),
                    seg,
                    first.take(),
                    out,
                    done_tx.clone(),
                ));
                in_flight.push_back((rx, h));
            }
            let Some((mut rx, h)) = in_flight.pop_front() else {
                break;
            };
            while let Some(chunk) = rx.recv().await {
                if let Err(e) = writer.write_all(&chunk).await {
                    result = Err(DownloadError::io("writing to the output", e));
                    break;
                }
            }
            if result.is_err() {
                h.abort();
                break;
            }
            match h.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Err(e) => {
                    result = Err(DownloadError::new(
                        Kind::Io,
                        format!("a download task failed: {e}"),
                    ));
                    break;
                }
            }
        }
        for (_, h) in in_flight {
            h.abort();
        }
        result?;
        writer
            .flush()
            .await
            .map_err(|e| DownloadError::io("flushing the output", e))?;
        drop(done_tx);
        let mut parts = BTreeMap::new();
        while let Some((i, c)) = done_rx.recv().await {
            parts.insert(i, c);
        }
        let (crc, check) = check_crc(&net, &geo, &parts, probe.crc)?;
        net.stats.report(true);
        Ok(DownloadOutcome {
            size: geo.size,
            etag: geo.etag.clone(),
            crc64: crc,
            crc64_verified: check == Crc64Check::Verified,
            crc64_check: check,
            parts_total: geo.parts(),
            parts_fetched: geo.parts(),
            bytes_fetched: net.stats.fetched.load(Ordering::Relaxed),
            requests: net.stats.requests.load(Ordering::Relaxed),
            retries: net.stats.retries.load(Ordering::Relaxed),
        })
    };
    tokio::select! {
        r = work => r,
        _ = cancel.cancelled() => Err(cancelled()),
        e = deadline(cfg.timeout) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo(size: u64, part_size: u64) -> Geometry {
        Geometry {
            size,
            part_size,
            etag: None,
        }
    }

    #[test]
    fn the_plan_is_lazy_even_for_an_astronomical_number_of_parts() {
        let g = geo(1 << 62, 64 << 10);
        let mut plan = Plan::new(&g, BTreeSet::new(), true);
        let first: Vec<Segment> = plan.by_ref().take(3).collect();
        assert_eq!(first[2].start, 2 * (64 << 10));
        assert_eq!(first[2].end, 3 * (64 << 10));
    }

    #[test]
    fn the_plan_skips_kept_parts_and_merges_runs_when_sequential() {
        let g = geo(10 * 4 + 1, 4);
        let kept: BTreeSet<u64> = [0, 3, 4, 10].into_iter().collect();
        let seq: Vec<(u64, u64)> = Plan::new(&g, kept.clone(), false)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(seq, vec![(4, 12), (20, 40)]);
        let par: Vec<(u64, u64)> = Plan::new(&g, kept, true)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(par.len(), 7);
        assert_eq!(par[0], (4, 8));
        assert_eq!(par[6], (36, 40));
        assert_eq!(Plan::new(&geo(0, 4), BTreeSet::new(), true).count(), 0);
    }
}
