//! [`PostPolicyError`]: why a POST-policy form was refused, with OSS's error code.

use alloc::string::String;

/// What a [`PostPolicyError`] refused; [`oss_code`](Self::oss_code) and
/// [`http_status`](Self::http_status) give what OSS answers.
///
/// ```
/// use oss_sign_core::post_policy::PostPolicyErrorKind;
/// assert_eq!(PostPolicyErrorKind::ConditionFailed.oss_code(), "AccessDenied");
/// assert_eq!(PostPolicyErrorKind::ConditionFailed.http_status(), 403);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostPolicyErrorKind {
    /// The policy is not base64, not JSON, too large, or not of the policy shape.
    InvalidPolicyDocument,
    /// A form field the V4 scheme needs is missing or malformed.
    InvalidArgument,
    /// A policy condition does not hold for the submitted form.
    ConditionFailed,
    /// The policy's `expiration` has passed.
    PolicyExpired,
    /// The file is larger than `content-length-range` allows.
    EntityTooLarge,
    /// The file is smaller than `content-length-range` allows.
    EntityTooSmall,
    /// `x-oss-date` is too far from the server's clock, or older than 7 days.
    RequestTimeTooSkewed,
    /// The access key id of `x-oss-credential` is not known.
    InvalidAccessKeyId,
    /// The recomputed signature differs from `x-oss-signature`.
    SignatureDoesNotMatch,
}

impl PostPolicyErrorKind {
    /// The OSS error code (`<Code>` of the error XML).
    ///
    /// ```
    /// use oss_sign_core::post_policy::PostPolicyErrorKind;
    /// assert_eq!(PostPolicyErrorKind::EntityTooLarge.oss_code(), "EntityTooLarge");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn oss_code(self) -> &'static str {
        match self {
            Self::InvalidPolicyDocument => "InvalidPolicyDocument",
            Self::InvalidArgument => "InvalidArgument",
            Self::ConditionFailed | Self::PolicyExpired => "AccessDenied",
            Self::EntityTooLarge => "EntityTooLarge",
            Self::EntityTooSmall => "EntityTooSmall",
            Self::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            Self::InvalidAccessKeyId => "InvalidAccessKeyId",
            Self::SignatureDoesNotMatch => "SignatureDoesNotMatch",
        }
    }

    /// The HTTP status OSS answers with.
    ///
    /// ```
    /// use oss_sign_core::post_policy::PostPolicyErrorKind;
    /// assert_eq!(PostPolicyErrorKind::InvalidPolicyDocument.http_status(), 400);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidPolicyDocument
            | Self::InvalidArgument
            | Self::EntityTooLarge
            | Self::EntityTooSmall => 400,
            _ => 403,
        }
    }
}

/// A refused POST-policy form: the kind, and a message saying what was wrong (for a failed
/// condition, OSS's own `Invalid according to Policy: Policy Condition failed: [...]`). It never
/// contains a secret.
///
/// ```
/// use oss_sign_core::post_policy::{parse_policy, PostPolicyErrorKind};
/// let err = parse_policy("{}").unwrap_err();
/// assert_eq!(err.kind(), PostPolicyErrorKind::InvalidPolicyDocument);
/// assert!(err.message().contains("expiration"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PostPolicyError {
    kind: PostPolicyErrorKind,
    message: String,
}

impl PostPolicyError {
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn new(kind: PostPolicyErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of refusal.
    ///
    /// ```
    /// use oss_sign_core::post_policy::{parse_policy, PostPolicyErrorKind};
    /// assert_eq!(parse_policy("[").unwrap_err().kind(), PostPolicyErrorKind::InvalidPolicyDocument);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn kind(&self) -> PostPolicyErrorKind {
        self.kind
    }

    /// The message (the same text as `Display`).
    ///
    /// ```
    /// use oss_sign_core::post_policy::parse_policy;
    /// assert!(parse_policy("[").unwrap_err().message().contains("JSON"));
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_error!(PostPolicyError, debug: kind, message);
