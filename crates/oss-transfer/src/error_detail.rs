//! What a [`DownloadError`](crate::DownloadError) and an [`UploadError`](crate::UploadError)
//! hold and report alike: [`ErrorCore`] (kind, message, HTTP status, OSS error body, expiry,
//! attempts and the boxed cause), the message followed by the OSS error body or HTTP status
//! and the attempt count, which HTTP statuses are worth another attempt, and
//! [`error_type_impls!`], the accessors and trait impls both public types share.

use std::fmt;
use std::time::SystemTime;

use crate::oss_error_body::OssErrorBody;

/// The boxed cause an error keeps.
pub(crate) type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What a download or upload error holds; `K` is its kind enum.
#[derive(Debug)]
pub(crate) struct ErrorCore<K> {
    pub(crate) kind: K,
    pub(crate) message: String,
    pub(crate) status: Option<u16>,
    pub(crate) oss: Option<OssErrorBody>,
    /// When the presigned URL expired (downloads refused as expired).
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) attempts: u32,
    pub(crate) source: Option<Cause>,
}

impl<K> ErrorCore<K> {
    /// An error of `kind` saying `message`, with nothing else known yet.
    pub(crate) fn new(kind: K, message: String) -> Box<Self> {
        Box::new(Self {
            kind,
            message,
            status: None,
            oss: None,
            expires_at: None,
            attempts: 0,
            source: None,
        })
    }

    /// The `Debug` form of the public error type `name` (kind, message, status, OSS body,
    /// attempts; never the cause, which may quote a URL).
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        K: fmt::Debug,
    {
        f.debug_struct(name)
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("status", &self.status)
            .field("oss", &self.oss)
            .field("attempts", &self.attempts)
            .finish()
    }

    /// The cause as `std::error::Error::source` returns it.
    pub(crate) fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The message, then ` (the URL expired at ..)` when the expiry is known, then
/// ` [Code: message, EC .., request id ..]` (or ` [HTTP status]` without an OSS body) and
/// ` after N attempts` when there were several.
impl<K> fmt::Display for ErrorCore<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(at) = self.expires_at {
            let dt: chrono::DateTime<chrono::Utc> = at.into();
            write!(
                f,
                " (the URL expired at {})",
                dt.format("%Y-%m-%dT%H:%M:%SZ")
            )?;
        }
        if let Some(o) = &self.oss {
            write!(f, " [{}: {}", o.code, o.message)?;
            if !o.ec.is_empty() {
                write!(f, ", EC {}", o.ec)?;
            }
            if !o.request_id.is_empty() {
                write!(f, ", request id {}", o.request_id)?;
            }
            f.write_str("]")?;
        } else if let Some(s) = self.status {
            write!(f, " [HTTP {s}]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// A status worth another attempt: 5xx, 408 (request timeout), 429 (too many requests).
pub(crate) fn is_retryable_status(status: Option<u16>) -> bool {
    matches!(status, Some(s) if s >= 500 || s == 408 || s == 429)
}

/// What `DownloadError` and `UploadError` share around their `inner: Box<ErrorCore<$kind>>`:
/// the crate-internal builders (`with_source`, `with_status`, `with_attempts`, `io`,
/// `lock_failed`, `is_retryable`), the public accessors (`kind`, `status`, `oss_error`, `attempts`, each
/// with an example whose error comes from `$example`), and `Debug`, `Display` and
/// `std::error::Error`. `$kind` has the variants `Io`, `InUse`, `HttpStatus`, `Network`, `Timeout`,
/// `InvalidInput`.
macro_rules! error_type_impls {
    ($error:ident, $kind:ident, $example:literal) => {
        impl $error {
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

            /// The `InvalidInput` error for a request that could not be built.
            pub(crate) fn unbuildable_request(e: http::Error) -> Self {
                Self::new($kind::InvalidInput, format!("cannot build the request: {e}"))
            }

            /// The `Network` error for a request to `target` that got no answer: the
            /// client's error and each of its sources in turn (`e` as the source).
            pub(crate) fn request_failed(
                target: &str,
                e: hyper_util::client::legacy::Error,
            ) -> Self {
                let mut msg = format!("{target}: request failed: {e}");
                let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(&format!(": {s}"));
                    src = s.source();
                }
                Self::new($kind::Network, msg).with_source(e)
            }

            /// The error for a failed
            /// [`TargetLock::acquire`](crate::helper_files::TargetLock::acquire) of `names`:
            /// `InUse` saying `busy` and the lock file's path when another transfer holds the
            /// lock (the lock's error as the source), else an `Io` error while `locking`.
            pub(crate) fn lock_failed(
                e: std::io::Error,
                names: &crate::helper_files::HelperNames,
                busy: &str,
                locking: &str,
            ) -> Self {
                if e.kind() == std::io::ErrorKind::WouldBlock {
                    let lock = names.fixed(crate::helper_files::LOCK_TAG);
                    Self::new($kind::InUse, format!("{busy} (lock file {})", lock.display()))
                        .with_source(e)
                } else {
                    Self::io(locking, e)
                }
            }

            /// Worth another attempt: network failures, timeouts, and the HTTP statuses of
            /// [`is_retryable_status`](crate::error_detail::is_retryable_status).
            pub(crate) fn is_retryable(&self) -> bool {
                match self.inner.kind {
                    $kind::Network | $kind::Timeout => true,
                    $kind::HttpStatus => {
                        crate::error_detail::is_retryable_status(self.inner.status)
                    }
                    _ => false,
                }
            }

            /// The kind of failure.
            ///
            /// ```
            #[doc = $example]
            #[doc = concat!("assert_eq!(err.kind(), oss_transfer::", stringify!($kind), "::InvalidInput);")]
            /// ```
            pub fn kind(&self) -> $kind {
                self.inner.kind
            }

            /// The HTTP status of the failing response, if the failure was an HTTP answer.
            ///
            /// ```
            #[doc = $example]
            /// assert_eq!(err.status(), None);
            /// ```
            pub fn status(&self) -> Option<u16> {
                self.inner.status
            }

            /// The OSS error body (code, message, request id, EC, ...), if the server sent one.
            ///
            /// ```
            #[doc = $example]
            /// assert!(err.oss_error().is_none());
            /// ```
            pub fn oss_error(&self) -> Option<&crate::oss_error_body::OssErrorBody> {
                self.inner.oss.as_ref()
            }

            /// How many attempts were made before giving up (0 when not applicable).
            ///
            /// ```
            #[doc = $example]
            /// assert_eq!(err.attempts(), 0);
            /// ```
            pub fn attempts(&self) -> u32 {
                self.inner.attempts
            }
        }

        impl std::fmt::Debug for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.inner.debug(stringify!($error), f)
            }
        }

        impl std::fmt::Display for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.inner, f)
            }
        }

        impl std::error::Error for $error {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.inner.source()
            }
        }
    };
}
pub(crate) use error_type_impls;

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
