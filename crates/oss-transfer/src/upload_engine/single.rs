//! A single PutObject from the source file: the body re-read from the file on every attempt,
//! the answer's CRC-64 compared with the bytes sent.

use std::sync::atomic::Ordering;

use base64::Engine as _;

use super::body::{digest_range, file_body};
use super::http::{send, with_retries, Answer, UploadShared};
use super::job::{Source, Target};
use super::stats::{Attempt, Finished, Stats};
use super::xml_answer::{etag_is_md5, plausible_etag};
use crate::outcome::Crc64Check;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_outcome::UploadOutcome;
use crate::upload_request::{PresignedRequest, UploadOperation};

/// What the server's `x-oss-hash-crc64ecma` says about the bytes sent.
pub(super) fn crc_check(
    answer: &Answer,
    sent_crc: u64,
    verify: bool,
    target: &str,
) -> Result<Crc64Check, UploadError> {
    if !verify {
        return Ok(Crc64Check::Disabled);
    }
    match answer.header("x-oss-hash-crc64ecma") {
        None => Ok(Crc64Check::NotSent),
        Some(v) => match v.trim().parse::<u64>() {
            Err(_) => Ok(Crc64Check::Unparsable),
            Ok(h) if h == sent_crc => Ok(Crc64Check::Verified),
            Ok(h) => Err(UploadError::new(
                Kind::Integrity,
                format!("{target}: CRC-64 mismatch: the server stored {h}, the bytes sent give {sent_crc}"),
            )),
        },
    }
}

/// The ETag of an answer, checked for sanity and (when an MD5 was sent) against it.
pub(super) fn checked_etag(
    answer: &Answer,
    md5: Option<&[u8; 16]>,
    target: &str,
    required: bool,
) -> Result<Option<String>, UploadError> {
    let Some(etag) = answer.header("etag") else {
        if required {
            return Err(UploadError::new(
                Kind::Protocol,
                format!("{target}: the answer has no ETag"),
            ));
        }
        return Ok(None);
    };
    if !plausible_etag(etag) {
        return Err(UploadError::new(
            Kind::Protocol,
            format!("{target}: the answer's ETag is not a plausible entity tag"),
        ));
    }
    if let Some(md5) = md5 {
        if !etag_is_md5(etag, md5) {
            return Err(UploadError::new(
                Kind::Integrity,
                format!("{target}: the ETag {etag} is not the MD5 of the bytes sent"),
            ));
        }
    }
    Ok(Some(etag.to_string()))
}

/// One PUT of `len` bytes from `start` through `request`; returns the answer and the CRC-64
/// of the bytes sent.
pub(super) async fn put_range(
    shared: &UploadShared,
    stats: &std::sync::Arc<Stats>,
    request: &PresignedRequest,
    source: &Source,
    start: u64,
    len: u64,
) -> Result<(Answer, u64), UploadError> {
    let attempt = Attempt::new(stats);
    let (body, reader) = file_body(source.file.clone(), start, len, &attempt);
    let answer = send(shared, stats, request, body, len, &attempt.sent).await?;
    let (read, crc) = reader
        .await
        .map_err(|e| UploadError::new(Kind::Io, format!("the reading thread failed: {e}")))?
        .map_err(|e| UploadError::io(&format!("reading {}", source.path.display()), e))?;
    if read != len {
        return Err(UploadError::new(
            Kind::Io,
            format!(
                "{} is shorter than when the upload started (it changed)",
                source.path.display()
            ),
        ));
    }
    Ok((answer, crc))
}

/// The MD5 of the `len` bytes of `source` from `start` when `wanted` (else nothing is read),
/// and its base64 for the `Content-MD5` the URL is signed with; the answer's ETag is checked
/// against the MD5.
pub(super) async fn range_md5(
    source: &Source,
    start: u64,
    len: u64,
    wanted: bool,
) -> Result<(Option<[u8; 16]>, Option<String>), UploadError> {
    if !wanted {
        return Ok((None, None));
    }
    let (_, md5) = digest_range(source.file.clone(), start, len, true)
        .await
        .map_err(|e| UploadError::io(&format!("reading {}", source.path.display()), e))?;
    let content_md5 = md5.map(|m| base64::engine::general_purpose::STANDARD.encode(m));
    Ok((md5, content_md5))
}

pub(super) async fn run(
    shared: &UploadShared,
    stats: &std::sync::Arc<Stats>,
    target: &Target,
    source: &Source,
) -> Result<UploadOutcome, UploadError> {
    let cfg = &shared.config;
    let size = source.size;
    let presigner = match target {
        Target::Presigner(p) => Some(p.clone()),
        Target::Fixed(_) => None,
    };
    // The MD5 is signed into the URL, so only a presigner can use it.
    let wanted = cfg.content_md5 && presigner.is_some();
    let (md5, content_md5) = range_md5(source, 0, size, wanted).await?;
    let op = UploadOperation::Put { content_md5 };
    let (etag, crc, check) = with_retries(cfg.transfer.retry, stats, true, || async {
        let request = match (&presigner, target) {
            (Some(p), _) => p.presign_upload(&op).await?,
            (None, Target::Fixed(r)) => r.clone(),
            (None, Target::Presigner(_)) => unreachable!("a presigner target has a presigner"),
        };
        let label = request.display_target();
        let (answer, crc) = put_range(shared, stats, &request, source, 0, size).await?;
        let etag = checked_etag(&answer, md5.as_ref(), &label, false)?;
        let check = crc_check(&answer, crc, cfg.transfer.verify_crc, &label)?;
        Ok((etag, crc, check))
    })
    .await?;
    source.check_unchanged()?;
    stats.acked.store(size, Ordering::Relaxed);
    Ok(one_put(stats, size, etag, crc, check))
}

/// One PUT of exactly `len` bytes from a stream: a single attempt (a stream cannot be read
/// twice), no `Content-MD5`.
pub(super) async fn run_reader<R>(
    shared: &UploadShared,
    stats: &std::sync::Arc<Stats>,
    target: &Target,
    reader: R,
    len: u64,
) -> Result<UploadOutcome, UploadError>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
{
    let cfg = &shared.config;
    let request = match target {
        Target::Presigner(p) => {
            p.presign_upload(&UploadOperation::Put { content_md5: None })
                .await?
        }
        Target::Fixed(r) => r.clone(),
    };
    let label = request.display_target();
    let attempt = Attempt::new(stats);
    let (body, task) = super::body::reader_body(reader, len, &attempt);
    let answer = send(shared, stats, &request, body, len, &attempt.sent).await?;
    let (read, crc) = task
        .await
        .map_err(|e| UploadError::new(Kind::Io, format!("the reading task failed: {e}")))?
        .map_err(|e| UploadError::io("reading the stream", e))?;
    if read != len {
        return Err(UploadError::new(
            Kind::Io,
            format!("the stream gave {read} bytes, {len} were announced"),
        ));
    }
    let etag = checked_etag(&answer, None, &label, false)?;
    let check = crc_check(&answer, crc, cfg.transfer.verify_crc, &label)?;
    stats.acked.store(len, Ordering::Relaxed);
    // a stream has one attempt: no retries are counted
    Ok(one_put(stats, len, etag, crc, check))
}

/// The outcome of a single PUT of `size` bytes.
fn one_put(
    stats: &Stats,
    size: u64,
    etag: Option<String>,
    crc64: u64,
    crc64_check: Crc64Check,
) -> UploadOutcome {
    stats.outcome(Finished {
        size,
        etag,
        crc64,
        crc64_check,
        upload_id: None,
        parts_total: 1,
        parts_uploaded: 1,
    })
}
