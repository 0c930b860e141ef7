//! [`explain_presigned`]: the canonical request and string to sign of a URL, without a secret.

use super::error::{VerifyError, VerifyErrorKind};
use super::outcome::SignatureVersion;
use super::query_params::{parse_query, required, signed_pairs, single, V1_UNSIGNED, V4_UNSIGNED};
use super::request::VerifyRequest;
use super::v1::v1_string_to_sign;
use super::v4_signature::{
    additional_list, parse_credential, parse_x_oss_date, v4_intermediates, V4Claim,
};
use alloc::string::String;

/// What a presigned URL was (or should have been) signed over, recomputed without any secret:
/// the canonical request (V4) and the string to sign. See [`explain_presigned`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    version: SignatureVersion,
    canonical_request: Option<String>,
    string_to_sign: String,
}

impl Explanation {
    /// The signature scheme of the URL.
    pub fn version(&self) -> SignatureVersion {
        self.version
    }

    /// The canonical request (V4; `None` for V1, which has none).
    pub fn canonical_request(&self) -> Option<&str> {
        self.canonical_request.as_deref()
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> Option<&str> {
        Some(&self.string_to_sign)
    }
}

/// Recomputes the canonical request and string to sign of a presigned URL as a verifier would,
/// without a secret and without checking the time: what a user compares with the client's when
/// OSS answers `SignatureDoesNotMatch`. Fails on the same malformed or missing parameters as
/// [`verify_presigned`](super::verify_presigned).
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-hangzhou", t, 60), &key)?;
/// let query = p.url_query();
/// let explained = explain_presigned(&VerifyRequest::new("GET", &query).bucket("b").key("k")).unwrap();
/// assert_eq!(explained.canonical_request(), Some(p.canonical_request()));
/// assert_eq!(explained.string_to_sign(), Some(p.string_to_sign()));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn explain_presigned(request: &VerifyRequest<'_>) -> Result<Explanation, VerifyError> {
    let pairs = parse_query(request.raw_query)?;
    let has = |name: &str| pairs.iter().any(|p| p.name() == name);
    if has("x-oss-signature-version") || has("x-oss-signature") || has("x-oss-credential") {
        let credential = required(&pairs, "x-oss-credential")?;
        let date_text = required(&pairs, "x-oss-date")?;
        let additional_line = single(&pairs, "x-oss-additional-headers")?;
        let claim = V4Claim {
            scope: parse_credential(credential)?,
            signed_at: parse_x_oss_date(date_text)?,
            additional_line,
        };
        let additional = additional_list(request, additional_line)?;
        let query = signed_pairs(&pairs, V4_UNSIGNED);
        let (canonical_request, string_to_sign) =
            v4_intermediates(request, &query, &additional, &claim);
        Ok(Explanation {
            version: SignatureVersion::V4,
            canonical_request: Some(canonical_request),
            string_to_sign,
        })
    } else if has("OSSAccessKeyId") || has("Signature") {
        let expires_text = required(&pairs, "Expires")?;
        let query = signed_pairs(&pairs, V1_UNSIGNED);
        Ok(Explanation {
            version: SignatureVersion::V1,
            canonical_request: None,
            string_to_sign: v1_string_to_sign(request, &query, expires_text),
        })
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request carries no presigned-URL signature: expected x-oss-signature (V4) or Signature (V1) in the query",
        ))
    }
}
