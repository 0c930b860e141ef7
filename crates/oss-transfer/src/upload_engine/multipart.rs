//! A multipart upload through presigned URLs: initiate, parts in parallel (each retried with a
//! fresh URL, its CRC-64 compared with the server's), complete with the ETag list (the
//! combined CRC-64 compared with the object's), abort on failure. With resuming, a checkpoint
//! records the upload id and every accepted part; a later run re-checks the recorded parts
//! against the file and sends only the others.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use tokio::task::JoinSet;

use super::body::{digest_range, UploadBody};
use super::http::{send, send_empty, with_retries, UploadShared};
use super::job::{cancelled, stopped, Source, MAX_PARTS};
use super::lost_completion;
use super::resume::{DonePart, UploadCheckpoint};
use super::single::{checked_etag, crc_check, put_range, range_md5};
use super::stats::{Attempt, Finished, Stats};
use super::xml_answer::{complete_document, element_text};
use crate::checkpoint;
use crate::crc64;
use crate::helper_files::{HelperNames, TargetLock, CHECKPOINT_TAG};
use crate::outcome::Crc64Check;
use crate::progress::Cancellation;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_outcome::UploadOutcome;
use crate::upload_request::{UploadOperation, UploadPresigner};

/// How often the checkpoint is rewritten while parts finish.
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// The part geometry of one upload.
#[derive(Debug, Clone, Copy)]
struct Parts {
    size: u64,
    part_size: u64,
    count: u64,
}

impl Parts {
    /// Part `number` (1-based): its start and length.
    fn range(&self, number: u32) -> (u64, u64) {
        let start = u64::from(number - 1) * self.part_size;
        (start, self.part_size.min(self.size - start))
    }
}

/// Where the checkpoint and the lock of an upload of `source` live.
fn helper_names(shared: &UploadShared, source: &Source) -> Result<HelperNames, UploadError> {
    let name = source.path.file_name().ok_or_else(|| {
        UploadError::new(Kind::InvalidInput, "the source path does not name a file")
    })?;
    let dir = match &shared.config.transfer.checkpoint_dir {
        Some(d) => d.clone(),
        None => source
            .path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| ".".into()),
    };
    // `.<name>.upload.oss-checkpoint`: never the name a download into the same path uses.
    let mut stem = name.to_os_string();
    stem.push(".upload");
    Ok(HelperNames::new(&dir, &stem))
}

pub(super) async fn run(
    shared: &Arc<UploadShared>,
    stats: &Arc<Stats>,
    presigner: Arc<dyn UploadPresigner>,
    source: &Source,
    cancel: &Cancellation,
) -> Result<UploadOutcome, UploadError> {
    let cfg = &shared.config;
    let parts = Parts {
        size: source.size,
        part_size: cfg.transfer.part_size,
        count: source.size.div_ceil(cfg.transfer.part_size).max(1),
    };
    if parts.count > MAX_PARTS {
        return Err(UploadError::new(
            Kind::TooManyParts,
            format!(
                "{} bytes in parts of {} would need {} parts; a multipart upload has at most {MAX_PARTS}: use a part size of at least {}",
                parts.size,
                parts.part_size,
                parts.count,
                parts.size.div_ceil(MAX_PARTS)
            ),
        ));
    }
    let names = helper_names(shared, source)?;
    let checkpoint_path = names.fixed(CHECKPOINT_TAG);
    let _lock = if cfg.transfer.resume {
        Some(TargetLock::acquire(&names).map_err(|e| {
            let busy = format!(
                "another resumable upload of {} is running",
                source.path.display()
            );
            UploadError::lock_failed(e, &names, &busy, "locking the upload's checkpoint")
        })?)
    } else {
        None
    };
    let remove_checkpoint = || {
        if let Ok(meta) = std::fs::symlink_metadata(&checkpoint_path) {
            if meta.file_type().is_file() {
                let _ = std::fs::remove_file(&checkpoint_path);
            }
        }
    };
    let mut use_checkpoint = cfg.transfer.resume;
    loop {
        let mut upload_id: Option<String> = None;
        let result = {
            let stop = stopped(cancel.clone(), cfg.transfer.timeout);
            let attempt = attempt_upload(
                shared,
                stats,
                &presigner,
                source,
                parts,
                cfg.transfer.resume.then_some(checkpoint_path.as_path()),
                use_checkpoint,
                cancel,
                &mut upload_id,
            );
            tokio::select! {
                // first, so that a cancellation seen by the part loop saves the checkpoint
                biased;
                r = attempt => r,
                e = stop => Err(e),
            }
        };
        match result {
            Ok(outcome) => {
                if cfg.transfer.resume {
                    remove_checkpoint();
                }
                return Ok(outcome);
            }
            // The recorded upload is gone (completed, aborted, expired): start over once.
            Err(e) if use_checkpoint && e.has_code("NoSuchUpload") => {
                remove_checkpoint();
                use_checkpoint = false;
                continue;
            }
            Err(e) => {
                let keep = cfg.transfer.resume
                    && matches!(
                        e.kind(),
                        Kind::Network
                            | Kind::Timeout
                            | Kind::HttpStatus
                            | Kind::Cancelled
                            | Kind::Expired
                    );
                if !keep {
                    // a vanished upload id has nothing left to abort
                    if let Some(id) = upload_id.filter(|_| e.kind() != Kind::UploadVanished) {
                        abort(shared, stats, &*presigner, &id).await;
                    }
                    if cfg.transfer.resume {
                        remove_checkpoint();
                    }
                }
                return Err(e);
            }
        }
    }
}

/// Best-effort AbortMultipartUpload (bounded by the idle timeout): the parts must not linger.
async fn abort(
    shared: &UploadShared,
    stats: &Arc<Stats>,
    presigner: &dyn UploadPresigner,
    id: &str,
) {
    let op = UploadOperation::AbortMultipart {
        upload_id: id.to_string(),
    };
    let idle = shared.config.transfer.idle_timeout;
    let _ = tokio::time::timeout(idle.saturating_mul(2), async {
        let request = presigner.presign_upload(&op).await?;
        send_empty(shared, stats, &request).await
    })
    .await;
}

/// The parts of a checkpoint that still match the file (re-read, CRC-64 compared).
async fn verified_parts(
    source: &Source,
    parts: Parts,
    cp: &UploadCheckpoint,
) -> BTreeMap<u32, DonePart> {
    let mut kept = BTreeMap::new();
    for p in &cp.parts {
        if p.number == 0 || u64::from(p.number) > parts.count || kept.contains_key(&p.number) {
            continue;
        }
        let (start, len) = parts.range(p.number);
        if len != p.size {
            continue;
        }
        if let Ok((crc, _)) = digest_range(source.file.clone(), start, len, false).await {
            if crc == p.crc64 {
                kept.insert(p.number, p.clone());
            }
        }
    }
    kept
}

/// One run: resume or initiate, send the missing parts, complete.
#[allow(clippy::too_many_arguments)]
async fn attempt_upload(
    shared: &Arc<UploadShared>,
    stats: &Arc<Stats>,
    presigner: &Arc<dyn UploadPresigner>,
    source: &Source,
    parts: Parts,
    checkpoint_path: Option<&std::path::Path>,
    load_saved: bool,
    cancel: &Cancellation,
    upload_id_out: &mut Option<String>,
) -> Result<UploadOutcome, UploadError> {
    let cfg = &shared.config;
    let initiate = presigner
        .presign_upload(&UploadOperation::InitiateMultipart)
        .await?;
    let object = initiate.url.identity();
    let file_str = source.path.to_string_lossy().into_owned();
    let saved = checkpoint_path
        .filter(|_| load_saved)
        .and_then(checkpoint::load::<UploadCheckpoint>)
        .filter(|cp| {
            cp.object == object
                && cp.file == file_str
                && cp.size == source.size
                && cp.mtime_ns == source.mtime_ns
                && cp.part_size == parts.part_size
        });
    // whether an earlier run sent a CompleteMultipartUpload of this upload id
    let mut complete_sent = false;
    let (upload_id, mut done) = match saved {
        Some(cp) => {
            let kept = verified_parts(source, parts, &cp).await;
            complete_sent = cp.complete_sent;
            (cp.upload_id, kept)
        }
        None => {
            let answer = with_retries(cfg.transfer.retry, stats, false, || async {
                send_empty(shared, stats, &initiate).await
            })
            .await?;
            let text = String::from_utf8_lossy(&answer.body);
            let id = element_text(&text, "UploadId")
                .filter(|id| {
                    !id.is_empty() && id.len() <= 1024 && id.bytes().all(|b| b.is_ascii_graphic())
                })
                .ok_or_else(|| {
                    UploadError::new(
                        Kind::Protocol,
                        format!(
                            "{}: the answer holds no usable <UploadId>",
                            initiate.display_target()
                        ),
                    )
                })?;
            (id, BTreeMap::new())
        }
    };
    *upload_id_out = Some(upload_id.clone());
    let kept_bytes: u64 = done.values().map(|p| p.size).sum();
    stats.acked.store(kept_bytes, Ordering::Relaxed);
    let parts_kept = done.len() as u64;
    let mut cp = UploadCheckpoint {
        object,
        file: file_str,
        size: source.size,
        mtime_ns: source.mtime_ns,
        part_size: parts.part_size,
        upload_id: upload_id.clone(),
        parts: done.values().cloned().collect(),
        complete_sent,
    };
    let save = |cp: &UploadCheckpoint| -> Result<(), UploadError> {
        match checkpoint_path {
            Some(p) => checkpoint::store(p, cp)
                .map_err(|e| UploadError::io("writing the upload checkpoint", e)),
            None => Ok(()),
        }
    };
    // Recorded before any part is sent, so an interrupted run always finds its upload id.
    save(&cp)?;

    // The parts, `parallelism` at a time, in number order. The checkpoint is rewritten at most
    // every SAVE_EVERY while parts finish (a file of 10,000 parts is about 1 MiB: rewriting it
    // for every part would write gigabytes), and once more when the loop stops early.
    let mut last_save = std::time::Instant::now();
    let mut next: u32 = 1;
    let mut workers: JoinSet<Result<DonePart, UploadError>> = JoinSet::new();
    loop {
        while workers.len() < cfg.transfer.parallelism && u64::from(next) <= parts.count {
            let number = next;
            next += 1;
            if done.contains_key(&number) {
                continue;
            }
            workers.spawn(upload_part(
                shared.clone(),
                stats.clone(),
                presigner.clone(),
                source.clone(),
                parts,
                upload_id.clone(),
                number,
            ));
        }
        let joined = tokio::select! {
            j = workers.join_next() => j,
            _ = cancel.cancelled() => {
                workers.abort_all();
                save(&cp)?;
                return Err(cancelled());
            }
        };
        let Some(joined) = joined else {
            break;
        };
        match joined {
            Ok(Ok(part)) => {
                stats.acked.fetch_add(part.size, Ordering::Relaxed);
                cp.parts.push(part.clone());
                done.insert(part.number, part);
                if last_save.elapsed() >= SAVE_EVERY {
                    save(&cp)?;
                    last_save = std::time::Instant::now();
                }
            }
            Ok(Err(e)) => {
                workers.abort_all();
                save(&cp)?;
                return Err(e);
            }
            Err(e) => {
                workers.abort_all();
                save(&cp)?;
                return Err(UploadError::new(
                    Kind::Io,
                    format!("a part task failed: {e}"),
                ));
            }
        }
    }
    source.check_unchanged()?;

    // Complete with the ETag list; compare the object's CRC-64 with the parts' combined one.
    let combined = done
        .values()
        .fold(0u64, |crc, p| crc64::combine(crc, p.crc64, p.size));
    let document = complete_document(done.values().map(|p| (p.number, p.etag.as_str())));
    let op = UploadOperation::CompleteMultipart {
        upload_id: upload_id.clone(),
    };
    // Recorded before the first attempt: a run that dies waiting for the answer leaves a
    // checkpoint saying the upload may be completed already.
    if !cp.complete_sent {
        cp.complete_sent = true;
        save(&cp)?;
    }
    // Attempts made: a NoSuchUpload on a retry (or on the first attempt of a run resuming one
    // that sent a Complete) may mean an earlier attempt completed the upload and its answer was
    // lost (OSS forgets a completed upload's id), so a HEAD decides.
    let tries = AtomicU32::new(u32::from(complete_sent));
    let completed = with_retries(cfg.transfer.retry, stats, false, || async {
        tries.fetch_add(1, Ordering::Relaxed);
        let request = presigner.presign_upload(&op).await?;
        let attempt = Attempt::new(stats);
        let len = document.len() as u64;
        send(
            shared,
            stats,
            &request,
            UploadBody::bytes(document.clone()),
            len,
            &attempt.sent,
        )
        .await
    })
    .await;
    let finished = |etag, crc64_check| Finished {
        size: source.size,
        etag,
        crc64: combined,
        crc64_check,
        upload_id: Some(upload_id.clone()),
        parts_total: parts.count,
        parts_uploaded: done.len() as u64 - parts_kept,
    };
    let answer = match completed {
        Ok(a) => a,
        Err(e) if e.has_code("NoSuchUpload") && tries.load(Ordering::Relaxed) > 1 => {
            let expected = lost_completion::Expected {
                upload_id: &upload_id,
                size: source.size,
                crc64: combined,
            };
            let etag = lost_completion::confirm(shared, stats, &**presigner, expected, e).await?;
            return Ok(stats.outcome(finished(etag, Crc64Check::Verified)));
        }
        Err(e) => return Err(e),
    };
    let label = format!("CompleteMultipartUpload of {upload_id}");
    let check = crc_check(&answer, combined, cfg.transfer.verify_crc, &label)?;
    let etag = answer
        .header("etag")
        .map(str::to_string)
        .or_else(|| element_text(&String::from_utf8_lossy(&answer.body), "ETag"));
    Ok(stats.outcome(finished(etag, check)))
}

/// Sends part `number` (retried with a fresh URL each time; a CRC-64 or ETag that disagrees
/// with the bytes sent is retried too) and returns what the checkpoint records of it.
async fn upload_part(
    shared: Arc<UploadShared>,
    stats: Arc<Stats>,
    presigner: Arc<dyn UploadPresigner>,
    source: Source,
    parts: Parts,
    upload_id: String,
    number: u32,
) -> Result<DonePart, UploadError> {
    let cfg = &shared.config;
    let (start, len) = parts.range(number);
    let (md5, content_md5) = range_md5(&source, start, len, cfg.content_md5).await?;
    let op = UploadOperation::UploadPart {
        upload_id,
        part_number: number,
        content_md5,
    };
    with_retries(cfg.transfer.retry, &stats, true, || async {
        let request = presigner.presign_upload(&op).await?;
        let label = format!("{} (part {number})", request.display_target());
        let (answer, crc) = put_range(&shared, &stats, &request, &source, start, len).await?;
        let etag = checked_etag(&answer, md5.as_ref(), &label, true)?.unwrap_or_default();
        crc_check(&answer, crc, cfg.transfer.verify_crc, &label)?;
        Ok(DonePart {
            number,
            size: len,
            crc64: crc,
            etag,
        })
    })
    .await
}
