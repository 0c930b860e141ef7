//! A CompleteMultipartUpload whose answer was lost: the retry is told `NoSuchUpload`, since OSS
//! forgets an upload id once the upload is completed. A HEAD of the object tells whether that
//! completion was ours: the same `Content-Length` as the file and an `x-oss-hash-crc64ecma`
//! equal to the parts' combined CRC-64. Anything less (no object, another size or CRC-64, no
//! CRC-64 header, a failed HEAD) is [`UploadVanished`](Kind::UploadVanished), never a silent
//! new upload. A presigner that cannot presign the HEAD leaves the `NoSuchUpload` error as it is.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::http::{send_empty, with_retries, Answer, UploadShared};
use super::single::checked_etag;
use super::stats::Stats;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_request::{UploadOperation, UploadPresigner};

/// What the object at the key must be for the lost completion to count as done.
pub(super) struct Expected<'a> {
    pub(super) upload_id: &'a str,
    pub(super) size: u64,
    pub(super) crc64: u64,
}

/// The ETag of the object when a HEAD shows it is the file (`expected`'s size and CRC-64);
/// `no_such_upload` (the retried CompleteMultipartUpload's error) unchanged when `presigner`
/// cannot presign a HEAD; an [`UploadVanished`](Kind::UploadVanished) error otherwise.
pub(super) async fn confirm(
    shared: &UploadShared,
    stats: &Arc<Stats>,
    presigner: &dyn UploadPresigner,
    expected: Expected<'_>,
    no_such_upload: UploadError,
) -> Result<Option<String>, UploadError> {
    let Ok(head) = presigner.presign_upload(&UploadOperation::HeadObject).await else {
        return Err(no_such_upload);
    };
    let target = head.display_target();
    let id = expected.upload_id;
    let vanished = |why: String| {
        UploadError::new(
            Kind::UploadVanished,
            format!(
                "upload id {id} vanished (NoSuchUpload) after a CompleteMultipartUpload whose answer was lost, and {why}; nothing was uploaded again"
            ),
        )
    };
    let first = AtomicBool::new(true);
    let answer = with_retries(shared.config.transfer.retry, stats, false, || async {
        // a fresh URL for every retry, like the other requests
        let request = if first.swap(false, Ordering::Relaxed) {
            head.clone()
        } else {
            presigner
                .presign_upload(&UploadOperation::HeadObject)
                .await
                .unwrap_or_else(|_| head.clone())
        };
        send_empty(shared, stats, &request).await
    })
    .await;
    let answer: Answer = match answer {
        Ok(a) => a,
        Err(e) if e.kind() == Kind::NotFound => {
            return Err(
                vanished(format!("{target} finds no object: this file is not stored"))
                    .with_source(no_such_upload),
            )
        }
        Err(e) => {
            return Err(vanished(format!(
                "checking the object failed, so it is not known to be this file: {e}"
            ))
            .with_source(no_such_upload))
        }
    };
    let length = answer
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if length != Some(expected.size) {
        let holds = match length {
            Some(n) => format!("holds {n} bytes"),
            None => "has no usable Content-Length".to_string(),
        };
        return Err(vanished(format!(
            "the object at {target} is not this file: it {holds}, the file {}",
            expected.size
        ))
        .with_source(no_such_upload));
    }
    let crc = answer
        .header("x-oss-hash-crc64ecma")
        .map(|v| v.trim().parse::<u64>());
    match crc {
        Some(Ok(c)) if c == expected.crc64 => {}
        Some(Ok(c)) => {
            return Err(vanished(format!(
                "the object at {target} is not this file: its CRC-64 is {c}, the file's {}",
                expected.crc64
            ))
            .with_source(no_such_upload))
        }
        Some(Err(_)) | None => {
            return Err(vanished(format!(
                "the object at {target} has the file's size but no usable x-oss-hash-crc64ecma, so it could not be confirmed to be this file"
            ))
            .with_source(no_such_upload))
        }
    }
    checked_etag(&answer, None, &target, false)
}
