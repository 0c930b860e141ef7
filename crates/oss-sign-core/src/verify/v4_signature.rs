//! What the V4 checks of both modes share: the credential scope of `x-oss-credential`, the
//! additional-header list, the claim they make (`V4Claim`), and the recomputed canonical
//! request, string to sign and signature.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::VerifyOptions;
use super::outcome::{SignatureVersion, Verified};
use super::query_params::SignedQuery;
use super::request::VerifyRequest;
use super::secrets::{constant_time_eq, with_secret, SecretLookup};
use crate::canonical::{hashed_payload, CanonicalHeaders, CanonicalInputs, CanonicalRequest};
use crate::error::shorten;
use crate::time::SigningTime;
use crate::v4::{self, SigningKey, TERMINATOR};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The parts of `x-oss-credential`: `ak/YYYYMMDD/region/product/aliyun_v4_request`.
pub(crate) struct CredentialScope<'c> {
    pub(crate) access_key_id: &'c str,
    pub(crate) date: &'c str,
    pub(crate) region: &'c str,
    pub(crate) product: &'c str,
}

pub(crate) fn parse_credential(credential: &str) -> Result<CredentialScope<'_>, VerifyError> {
    let bad = || {
        VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "credential {:?} is malformed: expected <access key id>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request",
                shorten(credential)
            ),
        )
    };
    // The access key id may itself contain '/', so take the four scope parts from the right.
    let mut parts = credential.rsplitn(5, '/');
    let terminator = parts.next().ok_or_else(bad)?;
    let product = parts.next().ok_or_else(bad)?;
    let region = parts.next().ok_or_else(bad)?;
    let date = parts.next().ok_or_else(bad)?;
    let access_key_id = parts.next().ok_or_else(bad)?;
    if terminator != TERMINATOR
        || access_key_id.is_empty()
        || region.is_empty()
        || product.is_empty()
        || date.len() != 8
        || !date.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    Ok(CredentialScope {
        access_key_id,
        date,
        region,
        product,
    })
}

pub(super) fn check_scope(
    scope: &CredentialScope<'_>,
    signed_at: SigningTime,
    options: &VerifyOptions,
) -> Result<(), VerifyError> {
    let stamp = signed_at.x_oss_date_bytes();
    if scope.date.as_bytes() != &stamp[..8] {
        return Err(VerifyError::new(
            VerifyErrorKind::ScopeMismatch,
            format!(
                "the credential scope date {} differs from the signing date {}: both must be the same UTC day",
                scope.date,
                signed_at.date_stamp()
            ),
        ));
    }
    check_scope_part("region", scope.region, options.region.as_deref())?;
    check_scope_part("product", scope.product, options.product.as_deref())
}

/// Refuses a credential scope whose `part` (region or product) is `claimed` when this
/// endpoint serves `served` (when it is set).
fn check_scope_part(part: &str, claimed: &str, served: Option<&str>) -> Result<(), VerifyError> {
    match served {
        Some(served) if claimed != served => {
            // Only a region names what to sign for: a product is the service, not a choice.
            let advice = if part == "region" {
                format!(": sign for {served:?}")
            } else {
                String::new()
            };
            Err(VerifyError::new(
                VerifyErrorKind::ScopeMismatch,
                format!(
                    "the credential scope names {part} {:?} but this endpoint serves {served:?}{advice}",
                    shorten(claimed)
                ),
            ))
        }
        _ => Ok(()),
    }
}

pub(super) fn check_hex_signature(signature: &str) -> Result<(), VerifyError> {
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "signature {:?} is malformed: a V4 signature is 64 lower-case hex digits (got {} characters)",
                shorten(signature),
                signature.len()
            ),
        ));
    }
    Ok(())
}

pub(super) fn additional_list(
    request: &VerifyRequest<'_>,
    line: Option<&str>,
) -> Result<Vec<String>, VerifyError> {
    let mut list = Vec::new();
    for name in line.unwrap_or("").split(';').filter(|n| !n.is_empty()) {
        if request.header(name).is_none() {
            return Err(VerifyError::new(
                VerifyErrorKind::MissingSignedHeader,
                format!(
                    "header {:?} is signed (listed in the additional headers) but was not sent: send it with the value it was signed with",
                    shorten(name)
                ),
            ));
        }
        list.push(name.to_ascii_lowercase());
    }
    Ok(list)
}

/// The `x-oss-date` of a V4 request (parameter or header) as a time.
pub(super) fn parse_x_oss_date(text: &str) -> Result<SigningTime, VerifyError> {
    SigningTime::parse_x_oss_date(text)
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))
}

/// What a V4 request claims about its signature, whichever mode carried it: the credential
/// scope, the signing time and the `x-oss-additional-headers` list as received.
pub(super) struct V4Claim<'r> {
    pub(super) scope: CredentialScope<'r>,
    pub(super) signed_at: SigningTime,
    pub(super) additional_line: Option<&'r str>,
}

impl<'r> V4Claim<'r> {
    /// What a request making this claim was verified as, with the URL's `expiration` (query
    /// mode) and the STS token it carried.
    pub(super) fn verified(
        &self,
        expiration: Option<SigningTime>,
        security_token: Option<&str>,
    ) -> Verified {
        Verified::new(
            SignatureVersion::V4,
            self.scope.access_key_id,
            Some(self.signed_at),
            expiration,
            security_token,
        )
    }

    pub(super) fn new(
        scope: CredentialScope<'r>,
        signed_at: SigningTime,
        additional_line: Option<&'r str>,
    ) -> Self {
        V4Claim {
            scope,
            signed_at,
            additional_line,
        }
    }
}

/// The V4 canonical request and string to sign of what was received (no secret involved).
pub(super) fn v4_intermediates(
    request: &VerifyRequest<'_>,
    query: &[(&str, &str)],
    additional: &[String],
    claim: &V4Claim<'_>,
) -> (String, String) {
    let received = &request.received;
    let headers = CanonicalHeaders::select(received.header_pairs(), additional, &[]);
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let canonical = CanonicalRequest::build(&CanonicalInputs {
        method: received.method(),
        bucket: received.bucket_name(),
        key: received.key_name(),
        query,
        extra_query: &[],
        headers: &headers,
        additional_line: claim.additional_line.unwrap_or(""),
        payload,
    });
    let scope = &claim.scope;
    let date = claim.signed_at.x_oss_date_bytes();
    let mut scope_text = String::with_capacity(64);
    scope_text.push_str(scope.date);
    scope_text.push('/');
    scope_text.push_str(scope.region);
    scope_text.push('/');
    scope_text.push_str(scope.product);
    scope_text.push('/');
    scope_text.push_str(TERMINATOR);
    let string_to_sign = v4::string_to_sign(&date, &scope_text, &canonical.text);
    (canonical.text, string_to_sign)
}

/// The last V4 checks of both modes, once their own have passed: every additional header sent,
/// the access key known, and the signature recomputed over `query` equal to `given`.
pub(super) fn verify_v4_claim(
    request: &VerifyRequest<'_>,
    claim: &V4Claim<'_>,
    query: SignedQuery<'_, '_>,
    given: &str,
    secrets: &dyn SecretLookup,
) -> Result<(), VerifyError> {
    let additional = additional_list(request, claim.additional_line)?;
    let scope = &claim.scope;
    with_secret(secrets, scope.access_key_id, |secret| {
        query.with_pairs(|query| {
            let (canonical_request, string_to_sign) =
                v4_intermediates(request, query, &additional, claim);
            let key = SigningKey::derive(secret, claim.signed_at, scope.region, scope.product);
            let expected = key.sign_hex(string_to_sign.as_bytes());
            if constant_time_eq(&expected, given) {
                Ok(())
            } else {
                Err(VerifyError::signature_mismatch(
                    Some(canonical_request),
                    string_to_sign,
                ))
            }
        })
    })
}
