//! The error returned by signing: what was wrong with the input and what is allowed.

use alloc::string::String;

/// What kind of input a [`SignError`] refused.
///
/// ```
/// use oss_sign_core::{SignErrorKind, SigningTime};
/// let err = SigningTime::parse_x_oss_date("2023-12-17").unwrap_err();
/// assert_eq!(err.kind(), SignErrorKind::InvalidTime);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignErrorKind {
    /// A time or date could not be parsed or is outside the supported range (years 1970..=9999).
    InvalidTime,
    /// A percent-encoded string is malformed or does not decode to UTF-8.
    InvalidEncoding,
    /// A request field (method, header, query parameter, region, product...) is not acceptable.
    InvalidInput,
    /// The expiry is outside what the signature version allows.
    InvalidExpiry,
}

/// An input the signer refused. Its message names the field, what was wrong and what is allowed;
/// it never contains a secret.
///
/// ```
/// use oss_sign_core::encoding::percent_decode;
/// let err = percent_decode("abc%zz").unwrap_err();
/// assert!(err.to_string().contains("%zz"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignError {
    kind: SignErrorKind,
    message: String,
}

impl SignError {
    pub(crate) fn new(kind: SignErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of problem, for callers that branch on it.
    ///
    /// ```
    /// use oss_sign_core::{SignErrorKind, SigningTime};
    /// let err = SigningTime::from_unix_seconds(-1).unwrap_err();
    /// assert_eq!(err.kind(), SignErrorKind::InvalidTime);
    /// ```
    pub fn kind(&self) -> SignErrorKind {
        self.kind
    }

    /// The human-readable message (the same text as `Display`).
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let err = SigningTime::from_unix_seconds(-1).unwrap_err();
    /// assert!(err.message().contains("1970"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_error!(SignError, debug: kind, message);

/// At most 40 characters of untrusted text for an error message.
pub(crate) fn shorten(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
