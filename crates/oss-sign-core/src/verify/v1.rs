//! V1 (HMAC-SHA1): presigned URLs (`OSSAccessKeyId`, `Expires`, `Signature`) and the
//! `Authorization: OSS <id>:<signature>` header with `Date`.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::{check_not_expired, check_skew, VerifyOptions};
use super::outcome::{SignatureVersion, Verified};
use super::query_params::{require_decimal, required, single, QueryPair, SignedQuery, V1_UNSIGNED};
use super::request::VerifyRequest;
use super::secrets::{constant_time_eq, with_secret, SecretLookup};
use crate::time::SigningTime;
use crate::v1;
use alloc::format;
use alloc::string::String;

pub(super) fn verify_v1_query(
    request: &VerifyRequest<'_>,
    pairs: &[QueryPair<'_>],
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    let access_key_id = required(pairs, "OSSAccessKeyId")?;
    let expires_text = required(pairs, "Expires")?;
    let signature = required(pairs, "Signature")?;
    let token = single(pairs, "security-token")?;
    require_decimal(
        "Expires",
        expires_text,
        12,
        "V1 Expires is the absolute expiry in Unix seconds",
    )?;
    let expires_unix: i64 = expires_text.parse().unwrap_or(i64::MAX);
    let expiration = SigningTime::from_unix_seconds(expires_unix)
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("Expires: {e}")))?;
    if signature.len() != 28 {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "Signature is malformed: a V1 signature is 28 base64 characters (got {})",
                signature.len()
            ),
        ));
    }
    check_not_expired(expiration, now)?;
    let query = SignedQuery::Presigned {
        pairs,
        left_out: V1_UNSIGNED,
    };
    check_v1_signature(
        request,
        query,
        expires_text,
        access_key_id,
        signature,
        secrets,
    )?;
    Ok(Verified::new(
        SignatureVersion::V1,
        access_key_id,
        None,
        Some(expiration),
        token,
    ))
}

/// The V1 string to sign of what was received over the signed `query`, with `date` the
/// `Expires` parameter (presigned URL) or the `Date` header (header mode).
pub(super) fn v1_string_to_sign(
    request: &VerifyRequest<'_>,
    query: &[(&str, &str)],
    date: &str,
) -> String {
    let signable = request.received.query(query);
    v1::string_to_sign(&signable, date, &[], &[])
}

/// The last V1 checks of both modes: the access key known and the signature recomputed over
/// `query` and `date` (see [`v1_string_to_sign`]) equal to `given`.
fn check_v1_signature(
    request: &VerifyRequest<'_>,
    query: SignedQuery<'_, '_>,
    date: &str,
    access_key_id: &str,
    given: &str,
    secrets: &dyn SecretLookup,
) -> Result<(), VerifyError> {
    with_secret(secrets, access_key_id, |secret| {
        query.with_pairs(|query| {
            let string_to_sign = v1_string_to_sign(request, query, date);
            if constant_time_eq(&v1::signature_of(secret, &string_to_sign), given) {
                Ok(())
            } else {
                Err(VerifyError::signature_mismatch(None, string_to_sign))
            }
        })
    })
}

pub(super) fn verify_v1_header(
    request: &VerifyRequest<'_>,
    rest: &str,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let (access_key_id, signature) = rest.rsplit_once(':').ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::Malformed,
            "the Authorization header is malformed: expected `OSS <access key id>:<signature>`",
        )
    })?;
    let date_text = request
        .header("date")
        .or_else(|| request.header("x-oss-date"))
        .ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::MissingParameter,
                "header Date is missing: a V1 header-signed request must carry it",
            )
        })?;
    let signed_at = SigningTime::parse_http_date(date_text.trim())
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
    check_skew(signed_at, now, options)?;
    let query = SignedQuery::Header(request.raw_query);
    check_v1_signature(request, query, date_text, access_key_id, signature, secrets)?;
    Ok(Verified::new(
        SignatureVersion::V1,
        access_key_id,
        Some(signed_at),
        None,
        request.header("x-oss-security-token"),
    ))
}
