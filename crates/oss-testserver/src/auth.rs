//! Signature checks with `oss-sign-core`'s verifier, and their OSS-style error answers.

use std::sync::Arc;
use std::time::SystemTime;

use http::request::Parts;
use oss_sign_core::verify::{
    verify_authorization_with, verify_presigned_with, VerifyError, VerifyErrorKind, VerifyOptions,
    VerifyRequest,
};
use oss_sign_core::SigningTime;

use crate::oss_error::OssError;
use crate::query::query_pairs;

/// The source of "now" for signature expiry checks: the workspace's one clock trait, from
/// `oss-sign-core` (see [`ServerBuilder::clock`](crate::ServerBuilder::clock)).
pub use oss_sign_core::Clock;

/// The system clock, the server's default.
#[derive(Debug)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Option<SigningTime> {
        SigningTime::try_from(SystemTime::now()).ok()
    }
}

/// What a signature is checked against: the access keys, the region and the clock.
pub(crate) struct Verifier {
    pub(crate) credentials: Vec<(String, String)>,
    pub(crate) region: String,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Verifier {
    /// Checks the request's signature when the server has credentials; anonymous otherwise.
    pub(crate) fn authorize(
        &self,
        req: &Parts,
        bucket: &str,
        key: &str,
        raw_query: &str,
    ) -> Result<(), OssError> {
        authorize(self, req, bucket, key, raw_query)
    }
}

/// Checks the request's signature when the server has credentials; anonymous otherwise.
fn authorize(
    verifier: &Verifier,
    req: &Parts,
    bucket: &str,
    key: &str,
    raw_query: &str,
) -> Result<(), OssError> {
    if verifier.credentials.is_empty() {
        return Ok(());
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let method = req.method.as_str();
    let request = VerifyRequest::new(method, raw_query)
        .bucket(bucket)
        .key(key)
        .headers(&header_refs);
    let secrets = |ak: &str| {
        verifier
            .credentials
            .iter()
            .find(|(id, _)| id == ak)
            .map(|(_, s)| s.clone())
    };
    let now = verifier
        .clock
        .now()
        .ok_or_else(|| OssError::new(500, "InternalError", "the server clock is out of range"))?;
    let options = VerifyOptions::new().region(verifier.region.clone());
    let names: Vec<String> = query_pairs(raw_query)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let presigned = names.iter().any(|n| {
        matches!(
            n.as_str(),
            "x-oss-signature"
                | "x-oss-signature-version"
                | "x-oss-credential"
                | "OSSAccessKeyId"
                | "Signature"
        )
    });
    let result = if presigned {
        verify_presigned_with(&request, &secrets, now, &options)
    } else if req.headers.contains_key("authorization") {
        verify_authorization_with(&request, &secrets, now, &options)
    } else {
        return Err(OssError::new(
            403,
            "AccessDenied",
            "You have no right to access this object because of bucket acl.",
        ));
    };
    result
        .map(|_| ())
        .map_err(|e| to_oss_error(&e, raw_query, now))
}

fn to_oss_error(e: &VerifyError, raw_query: &str, now: SigningTime) -> OssError {
    let access_key = query_pairs(raw_query)
        .unwrap_or_default()
        .into_iter()
        .find_map(|(n, v)| match n.as_str() {
            "x-oss-credential" => v.split('/').next().map(str::to_string),
            "OSSAccessKeyId" => Some(v),
            _ => None,
        })
        .unwrap_or_default();
    match e.kind() {
        VerifyErrorKind::Expired => {
            let mut err = OssError::new(403, "AccessDenied", "Request has expired.");
            if let Some(at) = e.expired_at() {
                err = err.extra("Expires", at.to_rfc3339());
            }
            err.extra("ServerTime", now.to_rfc3339())
                .ec("0002-00000069")
        }
        VerifyErrorKind::NotYetValid => OssError::new(
            403,
            "AccessDenied",
            format!("Request is not valid yet: {}", e.message()),
        )
        .ec("0002-00000235"),
        VerifyErrorKind::SignatureMismatch => {
            let mut err = OssError::new(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            )
            .extra("OSSAccessKeyId", access_key);
            if let Some(sts) = e.string_to_sign() {
                err = err
                    .extra("StringToSign", sts)
                    .extra("StringToSignBytes", hex_spaced(sts.as_bytes()));
            }
            if let Some(cr) = e.canonical_request() {
                err = err.extra("CanonicalRequest", cr);
            }
            err.ec("0002-00000201")
        }
        VerifyErrorKind::UnknownAccessKey => OssError::new(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .extra("OSSAccessKeyId", access_key),
        VerifyErrorKind::ExpiresOutOfRange => OssError::new(
            400,
            "InvalidArgument",
            format!("Invalid argument: {}", e.message()),
        )
        .extra("ArgumentName", "x-oss-expires")
        .ec("0002-00000232"),
        VerifyErrorKind::MissingSignedHeader => OssError::new(
            403,
            "AccessDenied",
            format!("Signed header missing: {}", e.message()),
        )
        .ec("0002-00000077"),
        VerifyErrorKind::NotSigned => OssError::new(
            403,
            "AccessDenied",
            "You have no right to access this object because of bucket acl.",
        ),
        _ => OssError::new(
            400,
            "InvalidArgument",
            format!("Invalid signature: {}", e.message()),
        ),
    }
}

fn hex_spaced(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}
