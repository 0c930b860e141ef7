//! The network side of an upload: one request with a body, watched by an idle timer that
//! notices both a server that stops reading and one that never answers; bounded reads of the
//! answer; OSS errors mapped to [`UploadErrorKind`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt as _;

use super::body::UploadBody;
use super::stats::Stats;
use crate::oss_error_body::OssErrorBody;
use crate::retry::RetryPolicy;
use crate::transfer_settings::TransferSettings;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_request::PresignedRequest;

/// The settings of an [`Uploader`](crate::Uploader).
#[derive(Debug, Clone)]
pub(crate) struct UploadConfig {
    pub(crate) transfer: TransferSettings,
    pub(crate) multipart_threshold: u64,
    pub(crate) content_md5: bool,
}

/// The configuration and the connection pool, shared by an uploader's clones.
pub(crate) type UploadShared = crate::transfer_settings::Pooled<UploadConfig, UploadBody>;

/// Largest answer body read (an error document, an InitiateMultipartUpload or
/// CompleteMultipartUpload result): the server cannot decide how much is allocated.
pub(super) const MAX_ANSWER: usize = 64 << 10;

/// A 2xx answer: its headers and its (bounded) body.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl Answer {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `request` without a body (InitiateMultipartUpload, AbortMultipartUpload, the HEAD
/// that confirms a lost Complete) as one attempt of its own.
pub(super) async fn send_empty(
    shared: &UploadShared,
    stats: &std::sync::Arc<Stats>,
    request: &PresignedRequest,
) -> Result<Answer, UploadError> {
    let attempt = super::stats::Attempt::new(stats);
    send(
        shared,
        stats,
        request,
        UploadBody::empty(),
        0,
        &attempt.sent,
    )
    .await
}

/// Sends `request` with `body` (`length` bytes; `attempt_sent` counts what the body has handed
/// over). Fails with `Timeout` if for `idle` neither a body byte left nor an answer came.
pub(super) async fn send(
    shared: &UploadShared,
    stats: &Stats,
    request: &PresignedRequest,
    body: UploadBody,
    length: u64,
    attempt_sent: &AtomicU64,
) -> Result<Answer, UploadError> {
    let mut b = Request::builder()
        .method(request.http_method().clone())
        .uri(request.url.uri.clone());
    for (name, value) in &request.url.headers {
        b = b.header(name, value);
    }
    b = b
        .header("user-agent", &shared.config.transfer.user_agent)
        .header("content-length", length);
    let req = b.body(body).map_err(UploadError::unbuildable_request)?;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let idle = shared.config.transfer.idle_timeout;
    let target = request.display_target();
    let call = shared.client.request(req);
    tokio::pin!(call);
    let tick = (idle / 4).max(Duration::from_millis(5));
    let mut seen = attempt_sent.load(Ordering::Relaxed);
    let mut last_change = Instant::now();
    let resp = loop {
        tokio::select! {
            r = &mut call => break r,
            _ = tokio::time::sleep(tick) => {
                let now = attempt_sent.load(Ordering::Relaxed);
                if now != seen {
                    seen = now;
                    last_change = Instant::now();
                } else if last_change.elapsed() >= idle {
                    let what = if now < length {
                        format!("the server stopped reading the body at byte {now} of {length}")
                    } else {
                        "no answer".to_string()
                    };
                    return Err(UploadError::new(
                        Kind::Timeout,
                        format!("{target}: {what} for {idle:?}"),
                    ));
                }
            }
        }
    };
    let resp = resp.map_err(|e| UploadError::request_failed(&target, e))?;
    let status = resp.status();
    let (parts, body) = resp.into_parts();
    let collected = tokio::time::timeout(
        idle,
        http_body_util::Limited::new(body, MAX_ANSWER).collect(),
    )
    .await;
    let body = match collected {
        Err(_) => {
            return Err(UploadError::new(
                Kind::Timeout,
                format!("{target}: the answer's body stalled for {idle:?}"),
            ))
        }
        Ok(Err(e)) => {
            let too_big = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if too_big {
                return Err(UploadError::new(
                    Kind::Protocol,
                    format!("{target}: the answer's body is larger than {MAX_ANSWER} bytes"),
                )
                .with_status(status.as_u16(), None));
            }
            return Err(UploadError::new(
                Kind::Network,
                format!("{target}: the answer broke off: {e}"),
            ));
        }
        Ok(Ok(c)) => c.to_bytes(),
    };
    if status.is_success() {
        return Ok(Answer {
            headers: parts.headers,
            body,
        });
    }
    Err(error_of(&target, status, &parts.headers, &body))
}

/// The typed error of a non-2xx answer.
fn error_of(target: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> UploadError {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut oss = OssErrorBody::parse(&String::from_utf8_lossy(body));
    if let Some(o) = &mut oss {
        if o.request_id.is_empty() {
            o.request_id = header("x-oss-request-id");
        }
        if o.ec.is_empty() {
            o.ec = header("x-oss-ec");
        }
    }
    let code = oss.as_ref().map(|o| o.code.as_str()).unwrap_or("");
    let message = oss.as_ref().map(|o| o.message.as_str()).unwrap_or("");
    let status = status.as_u16();
    let (kind, text) = match (status, code) {
        (403, "AccessDenied") if message.to_ascii_lowercase().contains("expired") => {
            (Kind::Expired, format!("{target}: the presigned URL has expired"))
        }
        (403, "SignatureDoesNotMatch") => (
            Kind::SignatureMismatch,
            format!("{target}: the server rejected the signature (URL altered, or a signed header missing)"),
        ),
        (403, _) => (Kind::AccessDenied, format!("{target}: access denied")),
        (404, "NoSuchUpload") => (
            Kind::NotFound,
            format!("{target}: the multipart upload no longer exists (completed or aborted)"),
        ),
        (404, _) => (Kind::NotFound, format!("{target}: no such bucket")),
        (400, "InvalidDigest") => (
            Kind::Integrity,
            format!("{target}: the server refused the Content-MD5"),
        ),
        _ => (Kind::HttpStatus, format!("{target}: HTTP {status}")),
    };
    UploadError::new(kind, text).with_status(status, oss)
}

/// Runs `attempt` until it succeeds, fails for good, or runs out of attempts (a retryable
/// error sleeps the policy's backoff first).
/// With `retry_integrity`, a CRC-64 or ETag that disagrees with the bytes sent is retried too
/// (the request replaces what it stored).
pub(super) async fn with_retries<T, F, Fut>(
    policy: RetryPolicy,
    stats: &Stats,
    retry_integrity: bool,
    mut attempt: F,
) -> Result<T, UploadError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, UploadError>>,
{
    let mut n = 0;
    loop {
        n += 1;
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e)
                if (e.is_retryable() || retry_integrity && e.kind() == Kind::Integrity)
                    && n < policy.attempts() =>
            {
                stats.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(policy.backoff(n)).await;
            }
            Err(e) => return Err(e.with_attempts(n)),
        }
    }
}
