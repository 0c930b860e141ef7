//! V4 presigned URLs (query mode): the `x-oss-*` parameters, expiry and signature.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::VerifyOptions;
use super::outcome::{SignatureVersion, Verified};
use super::query_params::{required, signed_pairs, single, QueryPair, V4_UNSIGNED};
use super::request::VerifyRequest;
use super::secrets::{lookup_secret, SecretLookup};
use super::v4_signature::{
    additional_list, check_hex_signature, check_scope, check_v4_signature, parse_credential,
};
use crate::error::shorten;
use crate::time::SigningTime;
use crate::v4::{ALGORITHM, MAX_EXPIRES_SECONDS};
use alloc::borrow::ToOwned;
use alloc::format;
use zeroize::Zeroize;

pub(super) fn verify_v4_query(
    request: &VerifyRequest<'_>,
    pairs: &[QueryPair<'_>],
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let version = required(pairs, "x-oss-signature-version")?;
    if version != ALGORITHM {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "x-oss-signature-version {:?} is not supported: expected {ALGORITHM}",
                shorten(version)
            ),
        ));
    }
    let credential = required(pairs, "x-oss-credential")?;
    let date_text = required(pairs, "x-oss-date")?;
    let expires_text = required(pairs, "x-oss-expires")?;
    let signature = required(pairs, "x-oss-signature")?;
    let token = single(pairs, "x-oss-security-token")?;
    let additional_line = single(pairs, "x-oss-additional-headers")?;

    let scope = parse_credential(credential)?;
    let signed_at = SigningTime::parse_x_oss_date(date_text)
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
    check_scope(&scope, signed_at, options)?;
    if expires_text.is_empty()
        || expires_text.len() > 10
        || !expires_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "x-oss-expires {:?} is not a number: it must be the validity in seconds, 1 to 604800",
                shorten(expires_text)
            ),
        ));
    }
    let expires: u64 = expires_text.parse().unwrap_or(u64::MAX);
    if expires == 0 || expires > u64::from(MAX_EXPIRES_SECONDS) {
        return Err(VerifyError::new(
            VerifyErrorKind::ExpiresOutOfRange,
            format!("x-oss-expires {expires} is out of range: it must be 1 to 604800 seconds"),
        ));
    }
    check_hex_signature(signature)?;

    // expires <= 604800, so the addition cannot leave the supported range by much; clamp anyway.
    let expiration = signed_at
        .checked_add_seconds(expires as i64)
        .unwrap_or(signed_at);
    if now.unix_seconds() + options.skew() < signed_at.unix_seconds() {
        return Err(VerifyError::new(
            VerifyErrorKind::NotYetValid,
            format!(
                "the URL is signed at {signed_at}, {} seconds in the future: check the signer's clock",
                signed_at.unix_seconds() - now.unix_seconds()
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
    let additional = additional_list(request, additional_line)?;
    let mut secret = lookup_secret(secrets, scope.access_key_id)?;
    let query = signed_pairs(pairs, V4_UNSIGNED);
    let outcome = check_v4_signature(
        request,
        &query,
        &additional,
        additional_line.unwrap_or(""),
        &scope,
        signed_at,
        &secret,
        signature,
    );
    secret.zeroize();
    outcome?;
    Ok(Verified {
        version: SignatureVersion::V4,
        access_key_id: scope.access_key_id.to_owned(),
        signed_at: Some(signed_at),
        expiration: Some(expiration),
        security_token: token.map(ToOwned::to_owned),
    })
}
