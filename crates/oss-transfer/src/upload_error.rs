//! Typed upload errors, including the OSS error XML the server sent.

use std::fmt;

use crate::oss_error_body::OssErrorBody;

/// What kind of failure an [`UploadError`] is.
///
/// ```
/// let kind = oss_transfer::UploadErrorKind::TooManyParts;
/// assert_ne!(kind, oss_transfer::UploadErrorKind::TooLarge);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadErrorKind {
    /// The presigned URL has expired (403 `AccessDenied`, "Request has expired").
    Expired,
    /// The signature was refused (403 `SignatureDoesNotMatch`): the URL was altered, or a
    /// signed header (`Content-Type`, `Content-MD5`, ...) is missing or different.
    SignatureMismatch,
    /// Any other 403.
    AccessDenied,
    /// 404: no such bucket, or (multipart) the upload id is unknown (`NoSuchUpload`).
    NotFound,
    /// The server's `x-oss-hash-crc64ecma` disagrees with the bytes sent, its ETag is not the
    /// MD5 that was sent, or it refused the `Content-MD5` (`InvalidDigest`).
    Integrity,
    /// Another HTTP error status (after retries, for retryable ones).
    HttpStatus,
    /// Connecting, TLS, or the connection broke (after retries).
    Network,
    /// No response within the idle timeout, the server stopped reading the body, or the whole
    /// upload took longer than [`timeout`](crate::UploaderBuilder::timeout).
    Timeout,
    /// The server answered something inconsistent (no upload id, no ETag, a huge answer).
    Protocol,
    /// Reading the source file or writing the checkpoint failed, or the file changed while it
    /// was being uploaded.
    Io,
    /// The upload was cancelled.
    Cancelled,
    /// The source is larger than a single PUT may send (5 GiB) and no presigner is there for
    /// a multipart upload.
    TooLarge,
    /// The file needs more than 10,000 parts of the configured part size.
    TooManyParts,
    /// Another upload of the same file with the same checkpoint is running.
    InUse,
    /// The presigner had no usable credentials.
    Credentials,
    /// The URL, a header or an option is not acceptable.
    InvalidInput,
}

/// A failed upload. [`kind`](UploadError::kind) says what happened; the OSS error fields and
/// the HTTP status are available when known. Its `Display` never contains a URL's query.
///
/// ```
/// let err = oss_transfer::PresignedRequest::put("ftp://example.invalid/x").unwrap_err();
/// assert_eq!(err.kind(), oss_transfer::UploadErrorKind::InvalidInput);
/// assert!(err.to_string().contains("http"));
/// ```
pub struct UploadError {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: UploadErrorKind,
    message: String,
    status: Option<u16>,
    oss: Option<OssErrorBody>,
    attempts: u32,
    source: Option<crate::error_detail::Cause>,
}

impl fmt::Debug for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadError")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("status", &self.inner.status)
            .field("oss", &self.inner.oss)
            .field("attempts", &self.inner.attempts)
            .finish()
    }
}

impl UploadError {
    /// An error of `kind` with a message saying what was wrong (for [`UploadPresigner`]
    /// implementations).
    ///
    /// [`UploadPresigner`]: crate::UploadPresigner
    ///
    /// ```
    /// use oss_transfer::{UploadError, UploadErrorKind};
    /// let e = UploadError::new(UploadErrorKind::Credentials, "no key configured");
    /// assert_eq!(e.kind(), UploadErrorKind::Credentials);
    /// assert_eq!(e.to_string(), "no key configured");
    /// ```
    pub fn new(kind: UploadErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                oss: None,
                attempts: 0,
                source: None,
            }),
        }
    }

    crate::error_detail::answer_builders!(UploadErrorKind);

    /// The kind of failure.
    ///
    /// ```
    /// let err = oss_transfer::PresignedRequest::put("not a url").unwrap_err();
    /// assert_eq!(err.kind(), oss_transfer::UploadErrorKind::InvalidInput);
    /// ```
    pub fn kind(&self) -> UploadErrorKind {
        self.inner.kind
    }

    /// The HTTP status of the failing answer, if the failure was one.
    ///
    /// ```
    /// let err = oss_transfer::PresignedRequest::put("not a url").unwrap_err();
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The OSS error body (code, message, request id, EC, ...), if the server sent one.
    ///
    /// ```
    /// let err = oss_transfer::PresignedRequest::put("not a url").unwrap_err();
    /// assert!(err.oss_error().is_none());
    /// ```
    pub fn oss_error(&self) -> Option<&OssErrorBody> {
        self.inner.oss.as_ref()
    }

    /// How many attempts were made before giving up (0 when not applicable).
    ///
    /// ```
    /// let err = oss_transfer::PresignedRequest::put("not a url").unwrap_err();
    /// assert_eq!(err.attempts(), 0);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether the OSS error code is `code` (e.g. `NoSuchUpload`).
    pub(crate) fn has_code(&self, code: &str) -> bool {
        self.inner.oss.as_ref().is_some_and(|o| o.code == code)
    }

    /// Worth another attempt: network failures, timeouts, 5xx, 408, 429, and a CRC-64 that
    /// disagrees with what was sent (the request replaces what it stored).
    pub(crate) fn is_retryable(&self) -> bool {
        match self.inner.kind {
            UploadErrorKind::Network | UploadErrorKind::Timeout => true,
            UploadErrorKind::HttpStatus => {
                crate::error_detail::is_retryable_status(self.inner.status)
            }
            _ => false,
        }
    }
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        crate::error_detail::write_answer_suffix(
            f,
            self.inner.oss.as_ref(),
            self.inner.status,
            self.inner.attempts,
        )
    }
}

impl std::error::Error for UploadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        crate::error_detail::source_of(&self.inner.source)
    }
}
