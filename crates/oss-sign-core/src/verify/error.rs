//! [`VerifyError`]: why verification refused a request, with the intermediates to diff.

use crate::time::SigningTime;
use alloc::format;
use alloc::string::String;
use core::fmt;

/// Why verification refused a request.
///
/// ```
/// use oss_sign_core::verify::VerifyErrorKind;
/// assert_ne!(VerifyErrorKind::Expired, VerifyErrorKind::SignatureMismatch);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyErrorKind {
    /// The request carries no signature at all.
    NotSigned,
    /// The URL's validity has ended.
    Expired,
    /// The URL was signed in the future (beyond the allowed clock skew).
    NotYetValid,
    /// A signature parameter or header is malformed (wrong format, bad encoding, wrong length).
    Malformed,
    /// A required signature parameter is missing.
    MissingParameter,
    /// A signature parameter appears more than once.
    DuplicateParameter,
    /// The access key id is not known to the verifier.
    UnknownAccessKey,
    /// The recomputed signature differs.
    SignatureMismatch,
    /// The credential scope names another date, region or product.
    ScopeMismatch,
    /// `x-oss-expires` is outside 1..=604800.
    ExpiresOutOfRange,
    /// A header listed in `x-oss-additional-headers` was not sent.
    MissingSignedHeader,
}

/// A refused request: its kind, a message saying what was wrong, and for a signature mismatch
/// the canonical request and string to sign that the verifier computed. Never contains a secret.
///
/// ```
/// use oss_sign_core::SigningTime;
/// use oss_sign_core::verify::*;
/// let err = verify_presigned(&VerifyRequest::new("GET", "a=b"), &StaticSecret::new("ak", "sk"),
///     SigningTime::from_unix_seconds(0)?).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::NotSigned);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: String,
    pub(super) expired_at: Option<SigningTime>,
    pub(super) canonical_request: Option<String>,
    pub(super) string_to_sign: Option<String>,
}

impl VerifyError {
    pub(super) fn new(kind: VerifyErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            expired_at: None,
            canonical_request: None,
            string_to_sign: None,
        }
    }

    /// A recomputed signature that differs from the one given, with what it was computed over
    /// (V4: the canonical request and the string to sign; V1: the string to sign) for the user
    /// to compare with the client's.
    pub(super) fn signature_mismatch(
        canonical_request: Option<String>,
        string_to_sign: String,
    ) -> Self {
        let compare = if canonical_request.is_some() {
            "the canonical request and string to sign"
        } else {
            "the string to sign"
        };
        let mut err = Self::new(
            VerifyErrorKind::SignatureMismatch,
            format!("the request signature we calculated does not match the signature provided: compare {compare} below with the client's"),
        );
        err.canonical_request = canonical_request;
        err.string_to_sign = Some(string_to_sign);
        err
    }

    /// The kind of refusal.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The message (the same text as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For [`VerifyErrorKind::Expired`]: when the URL expired.
    pub fn expired_at(&self) -> Option<SigningTime> {
        self.expired_at
    }

    /// For [`VerifyErrorKind::SignatureMismatch`]: the canonical request the verifier computed
    /// (V4; `None` for V1, which has none).
    pub fn canonical_request(&self) -> Option<&str> {
        self.canonical_request.as_deref()
    }

    /// For [`VerifyErrorKind::SignatureMismatch`]: the string to sign the verifier computed.
    pub fn string_to_sign(&self) -> Option<&str> {
        self.string_to_sign.as_deref()
    }
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("expired_at", &self.expired_at)
            .finish_non_exhaustive()
    }
}

message_error!(VerifyError);
