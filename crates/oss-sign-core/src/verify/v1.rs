//! V1 (HMAC-SHA1): presigned URLs (`OSSAccessKeyId`, `Expires`, `Signature`) and the
//! `Authorization: OSS <id>:<signature>` header with `Date`.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::{check_skew, VerifyOptions};
use super::outcome::{SignatureVersion, Verified};
use super::query_params::{parse_query, required, signed_pairs, single, QueryPair, V1_UNSIGNED};
use super::request::VerifyRequest;
use super::secrets::{constant_time_eq, lookup_secret, SecretLookup};
use crate::error::shorten;
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::v1;
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::vec::Vec;
use zeroize::Zeroize;

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
    if expires_text.is_empty()
        || expires_text.len() > 12
        || !expires_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "Expires {:?} is not a number: V1 Expires is the absolute expiry in Unix seconds",
                shorten(expires_text)
            ),
        ));
    }
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
    if now > expiration {
        let mut err = VerifyError::new(
            VerifyErrorKind::Expired,
            format!(
                "Request has expired: the URL was valid until {expiration}, {} seconds ago",
                now.unix_seconds() - expiration.unix_seconds()
            ),
        );
        err.expired_at = Some(expiration);
        return Err(err);
    }
    let mut secret = lookup_secret(secrets, access_key_id)?;
    let query = signed_pairs(pairs, V1_UNSIGNED);
    let signable = signable_for_v1(request, &query);
    let string_to_sign = v1::string_to_sign(&signable, expires_text, &[], &[]);
    let expected = v1::signature_of(&secret, &string_to_sign);
    secret.zeroize();
    if !constant_time_eq(&expected, signature) {
        let mut err = VerifyError::new(
            VerifyErrorKind::SignatureMismatch,
            "the request signature we calculated does not match the signature provided: compare the string to sign below with the client's",
        );
        err.string_to_sign = Some(string_to_sign);
        return Err(err);
    }
    Ok(Verified {
        version: SignatureVersion::V1,
        access_key_id: access_key_id.to_owned(),
        signed_at: None,
        expiration: Some(expiration),
        security_token: token.map(ToOwned::to_owned),
    })
}

pub(super) fn signable_for_v1<'a>(
    request: &VerifyRequest<'a>,
    query: &'a [(&'a str, &'a str)],
) -> SignableRequest<'a> {
    let mut signable = SignableRequest::new(request.method)
        .query(query)
        .headers(request.headers);
    if let Some(bucket) = request.bucket {
        signable = signable.bucket(bucket);
    }
    if let Some(key) = request.key {
        signable = signable.key(key);
    }
    signable
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
    let mut secret = lookup_secret(secrets, access_key_id)?;
    let pairs = parse_query(request.raw_query)?;
    let query: Vec<(&str, &str)> = pairs.iter().map(|p| (p.name(), p.value())).collect();
    let signable = signable_for_v1(request, &query);
    let string_to_sign = v1::string_to_sign(&signable, date_text, &[], &[]);
    let expected = v1::signature_of(&secret, &string_to_sign);
    secret.zeroize();
    if !constant_time_eq(&expected, signature) {
        let mut err = VerifyError::new(
            VerifyErrorKind::SignatureMismatch,
            "the request signature we calculated does not match the signature provided: compare the string to sign below with the client's",
        );
        err.string_to_sign = Some(string_to_sign);
        return Err(err);
    }
    Ok(Verified {
        version: SignatureVersion::V1,
        access_key_id: access_key_id.to_owned(),
        signed_at: Some(signed_at),
        expiration: None,
        security_token: request
            .header("x-oss-security-token")
            .map(ToOwned::to_owned),
    })
}
