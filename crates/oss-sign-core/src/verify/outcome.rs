//! What verification returns on success: [`Verified`] and the [`SignatureVersion`] it found.

use crate::time::SigningTime;
use alloc::string::String;
use core::fmt;

/// Which signature scheme a verified request used.
///
/// ```
/// use oss_sign_core::verify::SignatureVersion;
/// assert_ne!(SignatureVersion::V4, SignatureVersion::V1);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureVersion {
    /// `OSS4-HMAC-SHA256`.
    V4,
    /// HMAC-SHA1 (`OSSAccessKeyId` / `OSS id:sig`).
    V1,
}

/// A request whose signature checked out.
///
/// ```
/// # use oss_sign_core::{v1, SignableRequest, SigningTime};
/// # use oss_sign_core::verify::*;
/// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &v1::PresignParams::new("ak", "sk", 100))?;
/// let ok = verify_presigned(&VerifyRequest::new("GET", p.url_query()).bucket("b").key("k"),
///     &StaticSecret::new("ak", "sk"), SigningTime::from_unix_seconds(50)?).unwrap();
/// assert_eq!(ok.version(), SignatureVersion::V1);
/// assert_eq!(ok.access_key_id(), "ak");
/// assert_eq!(ok.expiration().map(|t| t.unix_seconds()), Some(100));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Clone)]
pub struct Verified {
    pub(super) version: SignatureVersion,
    pub(super) access_key_id: String,
    pub(super) signed_at: Option<SigningTime>,
    pub(super) expiration: Option<SigningTime>,
    pub(super) security_token: Option<String>,
}

impl Verified {
    pub(super) fn new(
        version: SignatureVersion,
        access_key_id: &str,
        signed_at: Option<SigningTime>,
        expiration: Option<SigningTime>,
        security_token: Option<&str>,
    ) -> Self {
        Verified {
            version,
            access_key_id: access_key_id.into(),
            signed_at,
            expiration,
            security_token: security_token.map(String::from),
        }
    }

    /// The signature scheme.
    pub fn version(&self) -> SignatureVersion {
        self.version
    }

    /// The access key id that signed.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// When the request was signed (V4 `x-oss-date`; V1 header mode `Date`), if known.
    pub fn signed_at(&self) -> Option<SigningTime> {
        self.signed_at
    }

    /// When a presigned URL stops being valid (`None` for header-signed requests).
    pub fn expiration(&self) -> Option<SigningTime> {
        self.expiration
    }

    /// The STS token the request carried, if any.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("version", &self.version)
            .field("access_key_id", &self.access_key_id)
            .field("signed_at", &self.signed_at)
            .field("expiration", &self.expiration)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
