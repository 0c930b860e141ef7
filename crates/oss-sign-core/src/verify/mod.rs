//! Verification of presigned URLs and signed requests, for servers and for debugging.
//!
//! Given what a server received (method, the bucket and key it resolved, the raw query string
//! and the headers), a way to look up secrets, and "now", [`verify_presigned`] recomputes the
//! signature and compares it in constant time. When the signature does not match, the error
//! carries the canonical request and string to sign the verifier computed, so they can be diffed
//! against the client's.
//!
//! ```
//! use oss_sign_core::{v4, SignableRequest, SigningTime};
//! use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyErrorKind, VerifyRequest};
//!
//! let signed_at = SigningTime::from_unix_seconds(1_700_000_000)?;
//! let key = v4::SigningKey::derive("secret", signed_at, "cn-hangzhou", "oss");
//! let request = SignableRequest::new("GET").bucket("b").key("dir/a b.txt");
//! let presigned = v4::presign(&request, &v4::PresignParams::new("ak", "cn-hangzhou", signed_at, 60), &key)?;
//! let query = presigned.url_query();
//!
//! let secrets = StaticSecret::new("ak", "secret");
//! let received = VerifyRequest::new("GET", &query).bucket("b").key("dir/a b.txt");
//! let now = signed_at.checked_add_seconds(30).unwrap();
//! assert!(verify_presigned(&received, &secrets, now).is_ok());
//!
//! let later = signed_at.checked_add_seconds(61).unwrap();
//! let err = verify_presigned(&received, &secrets, later).unwrap_err();
//! assert_eq!(err.kind(), VerifyErrorKind::Expired);
//!
//! let tampered = VerifyRequest::new("GET", &query).bucket("b").key("dir/a c.txt");
//! let err = verify_presigned(&tampered, &secrets, now).unwrap_err();
//! assert_eq!(err.kind(), VerifyErrorKind::SignatureMismatch);
//! assert!(err.canonical_request().unwrap().contains("/b/dir/a%20c.txt"));
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```
//!
//! # Layout
//!
//! * `request`, `secrets`, `options`: the inputs ([`VerifyRequest`], [`SecretLookup`],
//!   [`VerifyOptions`] and the clock-skew rule).
//! * `outcome`, `error`: the results ([`Verified`], [`VerifyError`]).
//! * `query_params`: the received query as decoded pairs, each signature parameter once.
//! * `v4_signature`: what both V4 modes share (credential scope, recomputed signature).
//! * `v4_query`, `v4_header`, `v1`: one file per scheme and mode.
//! * `explain`: [`explain_presigned`], the intermediates without a secret.

mod error;
mod explain;
mod options;
mod outcome;
mod query_params;
mod request;
mod secrets;
mod v1;
mod v4_header;
mod v4_query;
mod v4_signature;

pub use error::{VerifyError, VerifyErrorKind};
pub use explain::{explain_presigned, Explanation};
pub use options::VerifyOptions;
pub use outcome::{SignatureVersion, Verified};
pub use request::VerifyRequest;
pub(crate) use secrets::{constant_time_eq, lookup_secret};
pub use secrets::{SecretLookup, StaticSecret};
pub(crate) use v4_signature::parse_credential;

use crate::time::SigningTime;
use query_params::parse_query;

/// Verifies a presigned URL (V4 `x-oss-signature` or V1 `Signature`) with default options.
///
/// See the [module documentation](self) for an example.
pub fn verify_presigned(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    verify_presigned_with(request, secrets, now, &VerifyOptions::default())
}

/// Verifies a presigned URL with explicit [`VerifyOptions`].
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::*;
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-beijing", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-beijing", t, 60), &key)?;
/// let query = p.url_query();
/// let err = verify_presigned_with(&VerifyRequest::new("GET", &query).bucket("b").key("k"),
///     &StaticSecret::new("ak", "sk"), t, &VerifyOptions::new().region("cn-hangzhou")).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::ScopeMismatch);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_presigned_with(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let pairs = parse_query(request.raw_query)?;
    let has = |name: &str| pairs.iter().any(|p| p.name() == name);
    if has("x-oss-signature-version") || has("x-oss-signature") || has("x-oss-credential") {
        v4_query::verify_v4_query(request, &pairs, secrets, now, options)
    } else if has("OSSAccessKeyId") || has("Signature") {
        v1::verify_v1_query(request, &pairs, secrets, now)
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request carries no presigned-URL signature: expected x-oss-signature (V4) or Signature (V1) in the query",
        ))
    }
}

/// Verifies a request signed in the `Authorization` header: V4
/// (`OSS4-HMAC-SHA256 Credential=...,Signature=...` with `x-oss-date`) or V1
/// (`OSS <id>:<signature>` with `Date`). The signing time must lie within the clock skew
/// (900 seconds by default) of `now`, in either direction.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::*;
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::HeaderParams::new("ak", "cn-hangzhou", t), &key)?;
/// let headers: Vec<(&str, &str)> = signed.headers_to_add().iter().map(|(n, v)| (*n, v.as_str())).collect();
/// let ok = verify_authorization(&VerifyRequest::new("GET", "").bucket("b").key("k").headers(&headers),
///     &StaticSecret::new("ak", "sk"), t).unwrap();
/// assert_eq!(ok.version(), SignatureVersion::V4);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_authorization(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    verify_authorization_with(request, secrets, now, &VerifyOptions::default())
}

/// [`verify_authorization`] with explicit [`VerifyOptions`].
///
/// ```
/// use oss_sign_core::SigningTime;
/// use oss_sign_core::verify::*;
/// let h = [("authorization", "Bearer x")];
/// let err = verify_authorization_with(&VerifyRequest::new("GET", "").headers(&h),
///     &StaticSecret::new("ak", "sk"), SigningTime::from_unix_seconds(0)?, &VerifyOptions::new()).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::Malformed);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_authorization_with(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let Some(authorization) = request.header("authorization") else {
        return Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request has no Authorization header",
        ));
    };
    let authorization = authorization.trim();
    if let Some(rest) = authorization.strip_prefix("OSS4-HMAC-SHA256 ") {
        v4_header::verify_v4_header(request, rest, secrets, now, options)
    } else if let Some(rest) = authorization.strip_prefix("OSS ") {
        v1::verify_v1_header(request, rest, secrets, now, options)
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            "the Authorization header is not an OSS signature: expected `OSS4-HMAC-SHA256 Credential=...` or `OSS <id>:<signature>`",
        ))
    }
}
