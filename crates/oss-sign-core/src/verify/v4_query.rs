//! V4 presigned URLs (query mode): the `x-oss-*` parameters, expiry and signature.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::{check_not_expired, VerifyOptions};
use super::outcome::Verified;
use super::query_params::{require_decimal, required, single, QueryPair, SignedQuery, V4_UNSIGNED};
use super::request::VerifyRequest;
use super::secrets::SecretLookup;
use super::v4_signature::{
    check_hex_signature, check_scope, parse_credential, parse_x_oss_date, verify_v4_claim, V4Claim,
};
use crate::error::shorten;
use crate::time::SigningTime;
use crate::v4::{ALGORITHM, MAX_EXPIRES_SECONDS};
use alloc::format;

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
    let signed_at = parse_x_oss_date(date_text)?;
    check_scope(&scope, signed_at, options)?;
    require_decimal(
        "x-oss-expires",
        expires_text,
        10,
        "it must be the validity in seconds, 1 to 604800",
    )?;
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
    check_not_expired(expiration, now)?;
    let claim = V4Claim::new(scope, signed_at, additional_line);
    let query = SignedQuery::Presigned {
        pairs,
        left_out: V4_UNSIGNED,
    };
    verify_v4_claim(request, &claim, query, signature, secrets)?;
    Ok(claim.verified(Some(expiration), token))
}
