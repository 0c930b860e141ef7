//! Typed upload errors, including the OSS error XML the server sent.

use crate::error_detail::ErrorCore;

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
    /// A CompleteMultipartUpload was retried after an attempt whose answer never came, the
    /// retry was told the upload id no longer exists (`NoSuchUpload`), and the object at the
    /// key could not be confirmed to be this file: there is none, its size or CRC-64 differs
    /// (someone else aborted the upload or wrote the key), the HEAD answer has no
    /// `x-oss-hash-crc64ecma`, or the HEAD failed. Nothing is uploaded again by itself; the
    /// `NoSuchUpload` error is the [`source`](std::error::Error::source).
    ///
    /// ```
    /// let kind = oss_transfer::UploadErrorKind::UploadVanished;
    /// assert_ne!(kind, oss_transfer::UploadErrorKind::NotFound);
    /// ```
    UploadVanished,
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
    inner: Box<ErrorCore<UploadErrorKind>>,
}

crate::error_detail::error_type_impls!(
    UploadError,
    UploadErrorKind,
    "let err = oss_transfer::PresignedRequest::put(\"not a url\").unwrap_err();"
);

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
            inner: ErrorCore::new(kind, message.into()),
        }
    }

    /// Whether the OSS error code is `code` (e.g. `NoSuchUpload`).
    pub(crate) fn has_code(&self, code: &str) -> bool {
        self.inner.oss.as_ref().is_some_and(|o| o.code == code)
    }
}
