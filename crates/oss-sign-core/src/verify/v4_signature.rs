//! What the V4 checks of both modes share: the credential scope of `x-oss-credential`, the
//! additional-header list, and the recomputed canonical request, string to sign and signature.

use super::error::{VerifyError, VerifyErrorKind};
use super::options::VerifyOptions;
use super::request::VerifyRequest;
use super::secrets::constant_time_eq;
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
    if let Some(region) = &options.region {
        if scope.region != region {
            return Err(VerifyError::new(
                VerifyErrorKind::ScopeMismatch,
                format!(
                    "the credential scope names region {:?} but this endpoint serves {region:?}: sign for {region:?}",
                    shorten(scope.region)
                ),
            ));
        }
    }
    if let Some(product) = &options.product {
        if scope.product != product {
            return Err(VerifyError::new(
                VerifyErrorKind::ScopeMismatch,
                format!(
                    "the credential scope names product {:?} but this endpoint serves {product:?}",
                    shorten(scope.product)
                ),
            ));
        }
    }
    Ok(())
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

/// The V4 canonical request and string to sign of what was received (no secret involved).
pub(super) fn v4_intermediates(
    request: &VerifyRequest<'_>,
    query: &[(&str, &str)],
    additional: &[String],
    additional_line: &str,
    scope: &CredentialScope<'_>,
    signed_at: SigningTime,
) -> (String, String) {
    let headers = CanonicalHeaders::select(request.headers, additional, &[]);
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let canonical = CanonicalRequest::build(&CanonicalInputs {
        method: request.method,
        bucket: request.bucket,
        key: request.key,
        query,
        extra_query: &[],
        headers: &headers,
        additional_line,
        payload,
    });
    let date = signed_at.x_oss_date_bytes();
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

/// Recomputes a V4 signature and compares it.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_v4_signature(
    request: &VerifyRequest<'_>,
    query: &[(&str, &str)],
    additional: &[String],
    additional_line: &str,
    scope: &CredentialScope<'_>,
    signed_at: SigningTime,
    secret: &str,
    given: &str,
) -> Result<(), VerifyError> {
    let (canonical_request, string_to_sign) = v4_intermediates(
        request,
        query,
        additional,
        additional_line,
        scope,
        signed_at,
    );
    let key = SigningKey::derive(secret, signed_at, scope.region, scope.product);
    let expected = key.sign_hex(string_to_sign.as_bytes());
    if constant_time_eq(&expected, given) {
        Ok(())
    } else {
        let mut err = VerifyError::new(
            VerifyErrorKind::SignatureMismatch,
            "the request signature we calculated does not match the signature provided: compare the canonical request and string to sign below with the client's",
        );
        err.canonical_request = Some(canonical_request);
        err.string_to_sign = Some(string_to_sign);
        Err(err)
    }
}
