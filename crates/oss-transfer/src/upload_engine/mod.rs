//! The upload engine: opens the source, chooses a single PUT or a multipart upload, and runs it
//! under the cancellation and the whole-upload timeout.
//!
//! `body` streams file ranges, `http` sends requests and maps answers, `single` is the PUT,
//! `multipart` the initiate / parts / complete / abort sequence, `resume` its checkpoint,
//! `xml_answer` the little XML involved.

mod body;
pub(crate) mod http;
mod multipart;
mod resume;
mod single;
mod xml_answer;

use std::fs::File;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::{Stats, UploadShared};

use crate::config::ProgressFn;
use crate::progress::Cancellation;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_request::{PresignedRequest, UploadPresigner};
use crate::uploader::UploadOutcome;

/// Largest body of a single PutObject (5 GiB).
pub(crate) const MAX_PUT_BYTES: u64 = 5 << 30;
/// Most parts of a multipart upload.
pub(crate) const MAX_PARTS: u64 = 10_000;

/// Where the requests come from.
pub(crate) enum Target {
    /// A ready presigned PUT: a single PUT only.
    Fixed(PresignedRequest),
    /// A presigner: a single PUT or, above the threshold, a multipart upload.
    Presigner(Arc<dyn UploadPresigner>),
}

/// One upload as the engine receives it (built by [`Upload`](crate::Upload)).
pub(crate) struct UploadJob {
    pub(crate) shared: Arc<UploadShared>,
    pub(crate) target: Target,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<Cancellation>,
}

/// The source file, opened once, and what identifies its version.
#[derive(Clone)]
pub(super) struct Source {
    pub(super) file: Arc<File>,
    pub(super) path: PathBuf,
    pub(super) size: u64,
    pub(super) mtime_ns: i128,
}

impl Source {
    fn open(path: &Path) -> Result<Self, UploadError> {
        let what = format!("opening {}", path.display());
        let file = File::open(path).map_err(|e| UploadError::io(&what, e))?;
        let meta = file.metadata().map_err(|e| UploadError::io(&what, e))?;
        if !meta.file_type().is_file() {
            return Err(UploadError::new(
                Kind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Self {
            file: Arc::new(file),
            path,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
        })
    }

    /// Fails if the file's size or modification time changed since it was opened.
    pub(super) fn check_unchanged(&self) -> Result<(), UploadError> {
        let meta = self
            .file
            .metadata()
            .map_err(|e| UploadError::io("checking the source file", e))?;
        if meta.len() != self.size || mtime_ns(&meta) != self.mtime_ns {
            return Err(UploadError::new(
                Kind::Io,
                format!(
                    "{} changed while it was being uploaded (size or modification time); upload it again once it is stable",
                    self.path.display()
                ),
            ));
        }
        Ok(())
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec())
}

pub(super) fn cancelled() -> UploadError {
    UploadError::new(Kind::Cancelled, "the upload was cancelled")
}

/// Completes with the error that stops the upload: the cancellation, or the whole-upload
/// timeout running out.
pub(super) async fn stopped(cancel: Cancellation, timeout: Option<Duration>) -> UploadError {
    let deadline = async {
        match timeout {
            Some(t) => {
                tokio::time::sleep(t).await;
                UploadError::new(
                    Kind::Timeout,
                    format!("the upload did not finish within {t:?} (the upload timeout)"),
                )
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => cancelled(),
        e = deadline => e,
    }
}

pub(crate) async fn from_file(job: UploadJob, path: &Path) -> Result<UploadOutcome, UploadError> {
    let source = Source::open(path)?;
    let cfg = &job.shared.config;
    let stats = Arc::new(Stats::new(source.size, job.progress.clone()));
    let cancel = job.cancel.clone().unwrap_or_default();
    let reporter = {
        let stats = stats.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                stats.report(false);
            }
        }
    };
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
                let stop = stopped(cancel.clone(), cfg.timeout);
                tokio::select! {
                    r = single::run(&job.shared, &stats, target, &source) => r,
                    e = stop => Err(e),
                }
            }
        }
    };
    let result = tokio::select! {
        r = work => r,
        _ = reporter => unreachable!("the reporter never ends"),
    };
    if result.is_ok() {
        stats.report(true);
    }
    result
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
    let reporter = {
        let stats = stats.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                stats.report(false);
            }
        }
    };
    let result = tokio::select! {
        r = single::run_reader(&job.shared, &stats, &job.target, reader, len) => r,
        e = stopped(cancel, cfg.timeout) => Err(e),
        _ = reporter => unreachable!("the reporter never ends"),
    };
    if result.is_ok() {
        stats.report(true);
    }
    result
}
