//! V4 header mode: the `Authorization: OSS4-HMAC-SHA256 Credential=...` header and `x-oss-date`.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::{check_skew, VerifyOptions};
use super::outcome::Verified;
use super::query_params::SignedQuery;
use super::request::VerifyRequest;
use super::secrets::SecretLookup;
use super::v4_signature::{
    check_hex_signature, check_scope, parse_credential, parse_x_oss_date, verify_v4_claim, V4Claim,
};
use crate::error::shorten;
use crate::time::SigningTime;
use alloc::format;

pub(super) fn verify_v4_header(
    request: &VerifyRequest<'_>,
    fields: &str,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let mut credential = None;
    let mut additional_line = None;
    let mut signature = None;
    for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::Malformed,
                format!(
                    "Authorization field {:?} is malformed: expected Name=value",
                    shorten(field)
                ),
            )
        })?;
        let slot = match name {
            "Credential" => &mut credential,
            "AdditionalHeaders" => &mut additional_line,
            "Signature" => &mut signature,
            _ => {
                return Err(VerifyError::new(
                    VerifyErrorKind::Malformed,
                    format!(
                        "Authorization field {:?} is unknown: expected Credential, AdditionalHeaders and Signature",
                        shorten(name)
                    ),
                ))
            }
        };
        if slot.replace(value).is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                format!("Authorization field {name} appears more than once"),
            ));
        }
    }
    let missing = |name: &str| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            format!("the Authorization header has no {name} field"),
        )
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope = parse_credential(credential)?;
    let date_text = request.header("x-oss-date").ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            "header x-oss-date is missing: a V4 header-signed request must carry it",
        )
    })?;
    let signed_at = parse_x_oss_date(date_text.trim())?;
    check_scope(&scope, signed_at, options)?;
    check_hex_signature(signature)?;
    check_skew(signed_at, now, options)?;
    let claim = V4Claim::new(scope, signed_at, additional_line);
    let query = SignedQuery::Header(request.raw_query);
    verify_v4_claim(request, &claim, query, signature, secrets)?;
    Ok(claim.verified(None, request.header("x-oss-security-token")))
}
