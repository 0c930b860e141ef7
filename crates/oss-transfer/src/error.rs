//! Typed download errors, including the OSS error XML the server sent.

use std::time::SystemTime;

use crate::error_detail::ErrorCore;

/// What kind of failure a [`DownloadError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DownloadErrorKind {
    /// The presigned URL has expired (403 `AccessDenied`, "Request has expired").
    Expired,
    /// The signature was refused (403 `SignatureDoesNotMatch`): the URL was altered, or a
    /// signed header is missing or different.
    SignatureMismatch,
    /// Any other 403 (`AccessDenied`, `InvalidAccessKeyId`, ...).
    AccessDenied,
    /// 404 `NoSuchKey` or `NoSuchBucket`.
    NotFound,
    /// The object changed during the download (412 on `If-Match`, or a different ETag/size).
    ObjectChanged,
    /// The bytes received do not match `x-oss-hash-crc64ecma` or the announced length.
    Integrity,
    /// Another HTTP error status (after retries, for retryable ones).
    HttpStatus,
    /// Connecting, TLS, or the connection broke (after retries).
    Network,
    /// No response or no body bytes within the idle timeout (after retries), or the whole
    /// download took longer than [`timeout`](crate::DownloaderBuilder::timeout).
    Timeout,
    /// The server answered something inconsistent (wrong `Content-Range`, missing headers).
    Protocol,
    /// Reading or writing local files failed.
    Io,
    /// The download was cancelled.
    Cancelled,
    /// The server announced an object larger than
    /// [`max_size`](crate::DownloaderBuilder::max_size); refused before anything was allocated
    /// or written.
    TooLarge,
    /// Another download into the same target is running (its lock file is held).
    InUse,
    /// The URL, a header or an option is not acceptable.
    InvalidInput,
}

/// A failed download. [`kind`](DownloadError::kind) says what happened; the OSS error fields,
/// the HTTP status and (for an expired URL) the expiry instant are available when known.
///
/// Its `Display` never contains the URL's query (signature, security token).
///
/// ```
/// use oss_transfer::{DownloadErrorKind, PresignedGet};
/// let err = PresignedGet::new("ftp://example.invalid/x?x-oss-signature=SECRET").unwrap_err();
/// assert_eq!(err.kind(), DownloadErrorKind::InvalidInput);
/// assert!(!err.to_string().contains("SECRET"));
/// ```
pub struct DownloadError {
    inner: Box<ErrorCore<DownloadErrorKind>>,
}

crate::error_detail::error_type_impls!(
    DownloadError,
    DownloadErrorKind,
    "let err = oss_transfer::PresignedGet::new(\"not a url\").unwrap_err();"
);

impl DownloadError {
    pub(crate) fn new(kind: DownloadErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: ErrorCore::new(kind, message.into()),
        }
    }

    pub(crate) fn with_expiry(mut self, at: Option<SystemTime>) -> Self {
        self.inner.expires_at = at;
        self
    }

    /// The OSS request id of the failing response, if any.
    ///
    /// ```
    /// let err = oss_transfer::PresignedGet::new("not a url").unwrap_err();
    /// assert_eq!(err.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.inner
            .oss
            .as_ref()
            .map(|o| o.request_id.as_str())
            .filter(|s| !s.is_empty())
    }

    /// When the presigned URL expired (for [`DownloadErrorKind::Expired`]), from the URL's
    /// `x-oss-date` + `x-oss-expires` (V4) or `Expires` (V1).
    ///
    /// ```
    /// let err = oss_transfer::PresignedGet::new("not a url").unwrap_err();
    /// assert_eq!(err.expires_at(), None);
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.inner.expires_at
    }
}

#[cfg(test)]
mod tests {
    use crate::oss_error_body::OssErrorBody;

    #[test]
    fn parses_children_in_order_with_namespace_and_escapes() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match.</Message>
  <RequestId>65A1</RequestId>
  <HostId>h.example</HostId>
  <CanonicalRequest>a=1&amp;b=2</CanonicalRequest>
  <Empty/>
  <EC>0002-00000201</EC>
</Error>"#;
        let e = OssErrorBody::parse(xml).unwrap();
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.request_id, "65A1");
        assert_eq!(e.ec, "0002-00000201");
        assert_eq!(e.field("CanonicalRequest"), Some("a=1&b=2"));
        assert_eq!(e.fields[0].0, "Code");
        assert_eq!(e.fields.len(), 7);
    }

    #[test]
    fn rejects_non_error_documents() {
        assert!(OssErrorBody::parse("<Other><Code>x</Code></Other>").is_none());
        assert!(OssErrorBody::parse("<Error><Code>unterminated").is_none());
    }
}
