//! The crate's error type: one opaque [`Error`] with a [`kind()`](Error::kind).

use std::fmt;

/// What went wrong, for callers that branch on the failure.
///
/// The enum is `#[non_exhaustive]`: match it with a wildcard arm.
///
/// # Example
///
/// ```
/// use oss_client::{validation, ErrorKind};
///
/// let err = validation::validate_bucket_name("My_Bucket").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidBucketName);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bucket name breaks the OSS naming rule (3-63 of `a-z`, `0-9`, `-`, no `-` at either end).
    InvalidBucketName,
    /// The object key is empty, longer than 1023 bytes, or not allowed by the signature version.
    InvalidObjectKey,
    /// The region (or cloud box id) is missing or malformed.
    InvalidRegion,
    /// The endpoint cannot be parsed (bad scheme, path, port or host).
    InvalidEndpoint,
    /// The expiry is negative, or longer than the V4 maximum of 604800 seconds.
    InvalidExpiry,
    /// A request field, header or query parameter is malformed or duplicated.
    InvalidRequest,
    /// A configuration option is missing or contradicts another one.
    InvalidConfig,
    /// No credentials are configured, or the provider failed to produce them.
    Credentials,
    /// The signing step itself refused the input.
    Signing,
}

impl ErrorKind {
    /// A short lower-case name of the kind, used as the prefix of [`Error`]'s `Display`.
    ///
    /// ```
    /// assert_eq!(oss_client::ErrorKind::InvalidExpiry.as_str(), "invalid expiry");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidBucketName => "invalid bucket name",
            ErrorKind::InvalidObjectKey => "invalid object key",
            ErrorKind::InvalidRegion => "invalid region",
            ErrorKind::InvalidEndpoint => "invalid endpoint",
            ErrorKind::InvalidExpiry => "invalid expiry",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Credentials => "credentials error",
            ErrorKind::Signing => "signing error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned by every fallible operation of this crate.
///
/// `Display` names the kind, the field, the offending value (never a secret) and the rule
/// that was broken, e.g.
/// `invalid bucket name: bucket "-abc" must not start or end with '-' (3-63 characters of a-z, 0-9 and '-')`.
///
/// # Example
///
/// ```
/// use oss_client::{Config, ErrorKind};
///
/// let err = Config::builder().region("oss-cn-hangzhou").build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidRegion);
/// assert_eq!(err.field(), Some("region"));
/// assert!(err.to_string().contains("cn-hangzhou"));
/// ```
pub struct Error {
    kind: ErrorKind,
    field: Option<&'static str>,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, field: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind,
            field: Some(field),
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn without_field(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            field: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The category of the failure.
    ///
    /// ```
    /// use oss_client::{validation, ErrorKind};
    /// let err = validation::validate_object_key("").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidObjectKey);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The name of the input that was rejected (`"bucket"`, `"key"`, `"region"`,
    /// `"endpoint"`, `"expires"`, a header name, ...), when there is one.
    ///
    /// ```
    /// use oss_client::validation;
    /// let err = validation::validate_region("").unwrap_err();
    /// assert_eq!(err.field(), Some("region"));
    /// ```
    pub fn field(&self) -> Option<&str> {
        self.field
    }

    /// The human-readable explanation, without the kind prefix.
    ///
    /// ```
    /// use oss_client::validation;
    /// let err = validation::validate_bucket_name("ab").unwrap_err();
    /// assert!(err.message().contains("3-63"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind)
            .field("field", &self.field)
            .field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Quotes a user-supplied value for an error message, shortening very long values so that a
/// 1024-byte key does not flood the message. Never call this with a secret.
pub(crate) fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut out = String::with_capacity(value.len().min(MAX_CHARS * 4) + 32);
    out.push('"');
    for (count, c) in value.chars().enumerate() {
        if count == MAX_CHARS {
            out.push_str("...");
            break;
        }
        // Through the formatter (in the module anyway) rather than an inlined escape
        // iterator: the same characters, 1 KB less in the WebAssembly module.
        let _ = fmt::Write::write_fmt(&mut out, format_args!("{}", c.escape_debug()));
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_and_shortens() {
        assert_eq!(quoted("a\"b\n"), "\"a\\\"b\\n\"");
        let long = "k".repeat(1024);
        let q = quoted(&long);
        assert!(q.len() < 80, "{q}");
        assert!(q.ends_with("...\""));
    }

    #[test]
    fn display_has_kind_prefix_and_source() {
        let inner = Error::new(ErrorKind::InvalidRegion, "region", "bad");
        let outer = Error::without_field(ErrorKind::InvalidConfig, "wrapped").with_source(inner);
        assert_eq!(outer.to_string(), "invalid configuration: wrapped");
        let src = std::error::Error::source(&outer).map(|s| s.to_string());
        assert_eq!(src.as_deref(), Some("invalid region: bad"));
        assert!(format!("{outer:?}").contains("InvalidConfig"));
    }
}
