//! The upload engine: opens the source, chooses a single PUT or a multipart upload, and runs it
//! under the cancellation and the whole-upload timeout.
//!
//! `job` holds what a run works on, `body` streams file ranges, `stats` counts, `http` sends
//! requests and maps answers, `single` is the PUT,
//! `multipart` the initiate / parts / complete / abort sequence, `lost_completion` the HEAD that
//! confirms a completion whose answer was lost, `resume` its checkpoint,
//! `xml_answer` the little XML involved.

mod body;
pub(crate) mod http;
mod job;
mod lost_completion;
mod multipart;
mod resume;
mod single;
mod stats;
mod xml_answer;

use std::path::Path;
use std::sync::Arc;

use job::{stopped, Source};
pub(crate) use job::{Target, UploadJob, MAX_PUT_BYTES};
use stats::Stats;

use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_outcome::UploadOutcome;

pub(crate) async fn from_file(job: UploadJob, path: &Path) -> Result<UploadOutcome, UploadError> {
    let source = Source::open(path)?;
    let cfg = &job.shared.config;
    let stats = Arc::new(Stats::new(source.size, job.progress.clone()));
    let cancel = job.cancel.clone().unwrap_or_default();
    let work = async {
        match &job.target {
            Target::Presigner(p) if source.size > cfg.multipart_threshold => {
                multipart::run(&job.shared, &stats, p.clone(), &source, &cancel).await
            }
            target => {
                if source.size > MAX_PUT_BYTES {
                    return Err(UploadError::new(
                        Kind::TooLarge,
                        format!(
                            "{} holds {} bytes, more than the {MAX_PUT_BYTES} a single PUT may send; give the uploader a presigner for a multipart upload",
                            source.path.display(),
                            source.size
                        ),
                    ));
                }
                let stop = stopped(cancel.clone(), cfg.transfer.timeout);
                tokio::select! {
                    r = single::run(&job.shared, &stats, target, &source) => r,
                    e = stop => Err(e),
                }
            }
        }
    };
    stats::reporting(&stats, work).await
}

pub(crate) async fn from_reader<R>(
    job: UploadJob,
    reader: R,
    len: u64,
) -> Result<UploadOutcome, UploadError>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
{
    if len > MAX_PUT_BYTES {
        return Err(UploadError::new(
            Kind::TooLarge,
            format!("{len} bytes is more than the {MAX_PUT_BYTES} a single PUT may send"),
        ));
    }
    let cfg = &job.shared.config;
    let stats = Arc::new(Stats::new(len, job.progress.clone()));
    let cancel = job.cancel.clone().unwrap_or_default();
    let work = async {
        tokio::select! {
            r = single::run_reader(&job.shared, &stats, &job.target, reader, len) => r,
            e = stopped(cancel, cfg.transfer.timeout) => Err(e),
        }
    };
    stats::reporting(&stats, work).await
}
