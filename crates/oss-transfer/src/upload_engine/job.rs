//! What one upload works on: where its requests come from ([`Target`]), the job as the
//! engine receives it, the source file and its version, and what stops a run.

use std::fs::File;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::http::UploadShared;
use crate::config::ProgressFn;
use crate::progress::Cancellation;
use crate::transfer_settings::timeout_elapsed;
use crate::upload_error::{UploadError, UploadErrorKind as Kind};
use crate::upload_request::{PresignedRequest, UploadPresigner};

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
pub(crate) struct Source {
    pub(crate) file: Arc<File>,
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) mtime_ns: i128,
}

impl Source {
    pub(crate) fn open(path: &Path) -> Result<Self, UploadError> {
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
    pub(crate) fn check_unchanged(&self) -> Result<(), UploadError> {
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

pub(crate) fn cancelled() -> UploadError {
    UploadError::new(Kind::Cancelled, "the upload was cancelled")
}

/// Completes with the error that stops the upload: the cancellation, or the whole-upload
/// timeout running out.
pub(crate) async fn stopped(cancel: Cancellation, timeout: Option<Duration>) -> UploadError {
    let deadline = async {
        let t = timeout_elapsed(timeout).await;
        UploadError::new(
            Kind::Timeout,
            format!("the upload did not finish within {t:?} (the upload timeout)"),
        )
    };
    tokio::select! {
        _ = cancel.cancelled() => cancelled(),
        e = deadline => e,
    }
}
