//! What a [`DownloadError`](crate::DownloadError) and an [`UploadError`](crate::UploadError)
//! report alike: the OSS error body or HTTP status and the attempt count after the message,
//! the boxed cause behind `source()`, and which HTTP statuses are worth another attempt.

use std::fmt;

use crate::oss_error_body::OssErrorBody;

/// The boxed cause an error keeps.
pub(crate) type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Writes what follows an error's message: ` [Code: message, EC .., request id ..]` (or
/// ` [HTTP status]` without an OSS body) and ` after N attempts` when there were several.
pub(crate) fn write_answer_suffix(
    f: &mut fmt::Formatter<'_>,
    oss: Option<&OssErrorBody>,
    status: Option<u16>,
    attempts: u32,
) -> fmt::Result {
    if let Some(o) = oss {
        write!(f, " [{}: {}", o.code, o.message)?;
        if !o.ec.is_empty() {
            write!(f, ", EC {}", o.ec)?;
        }
        if !o.request_id.is_empty() {
            write!(f, ", request id {}", o.request_id)?;
        }
        f.write_str("]")?;
    } else if let Some(s) = status {
        write!(f, " [HTTP {s}]")?;
    }
    if attempts > 1 {
        write!(f, " after {attempts} attempts")?;
    }
    Ok(())
}

/// The cause as `std::error::Error::source` returns it.
pub(crate) fn source_of(cause: &Option<Cause>) -> Option<&(dyn std::error::Error + 'static)> {
    cause
        .as_ref()
        .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
}

/// A status worth another attempt: 5xx, 408 (request timeout), 429 (too many requests).
pub(crate) fn is_retryable_status(status: Option<u16>) -> bool {
    matches!(status, Some(s) if s >= 500 || s == 408 || s == 429)
}

/// The crate-internal constructors both error types share, inside `impl DownloadError` or
/// `impl UploadError` (their `inner` has `source`, `status`, `oss` and `attempts`); `$kind` is
/// the kind enum, whose `Io` the `io` constructor uses.
macro_rules! answer_builders {
    ($kind:ident) => {
        pub(crate) fn with_source(mut self, source: impl Into<crate::error_detail::Cause>) -> Self {
            self.inner.source = Some(source.into());
            self
        }

        pub(crate) fn with_status(
            mut self,
            status: u16,
            oss: Option<crate::oss_error_body::OssErrorBody>,
        ) -> Self {
            self.inner.status = Some(status);
            self.inner.oss = oss;
            self
        }

        pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
            self.inner.attempts = attempts;
            self
        }

        pub(crate) fn io(what: &str, e: std::io::Error) -> Self {
            Self::new($kind::Io, format!("{what}: {e}")).with_source(e)
        }
    };
}
pub(crate) use answer_builders;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for s in [500, 503, 599, 408, 429] {
            assert!(is_retryable_status(Some(s)), "{s}");
        }
        for s in [200, 400, 403, 404, 409, 412] {
            assert!(!is_retryable_status(Some(s)), "{s}");
        }
        assert!(!is_retryable_status(None));
    }
}
