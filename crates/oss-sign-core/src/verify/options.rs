//! [`VerifyOptions`], the clock-skew rule of header-signed requests and the expiry rule of
//! presigned URLs.

use super::error::{VerifyError, VerifyErrorKind};
use crate::time::SigningTime;
use alloc::format;
use alloc::string::String;

/// Options of verification beyond the defaults of [`verify_presigned`](super::verify_presigned).
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::{verify_authorization_with, StaticSecret, VerifyErrorKind, VerifyOptions, VerifyRequest};
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "cn-hangzhou", t), &key)?;
/// let headers: Vec<(&str, &str)> = signed.headers_to_add().iter().map(|(n, v)| (*n, v.as_str())).collect();
/// let received = VerifyRequest::new("GET", "").headers(&headers);
/// let options = VerifyOptions::new().region("cn-hangzhou").max_clock_skew_seconds(60);
/// let secrets = StaticSecret::new("ak", "sk");
/// let in_time = t.checked_add_seconds(60).unwrap();
/// assert!(verify_authorization_with(&received, &secrets, in_time, &options).is_ok());
/// let late = t.checked_add_seconds(61).unwrap();
/// let err = verify_authorization_with(&received, &secrets, late, &options).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::Expired);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub(super) region: Option<String>,
    pub(super) product: Option<String>,
    max_clock_skew_seconds: Option<u32>,
}

impl VerifyOptions {
    /// Defaults: any region and product, 900 seconds of allowed clock skew.
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuse V4 signatures whose scope names another region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Refuse V4 signatures whose scope names another product.
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.product = Some(product.into());
        self
    }

    /// How far in the future a signing time may lie (and, for header-signed requests, in the
    /// past) before the request is refused. Default 900 seconds, as OSS allows.
    pub fn max_clock_skew_seconds(mut self, seconds: u32) -> Self {
        self.max_clock_skew_seconds = Some(seconds);
        self
    }

    pub(super) fn skew(&self) -> i64 {
        i64::from(self.max_clock_skew_seconds.unwrap_or(900))
    }
}

pub(super) fn check_skew(
    signed_at: SigningTime,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<(), VerifyError> {
    let difference = now.unix_seconds() - signed_at.unix_seconds();
    if difference < -options.skew() {
        return Err(VerifyError::new(
            VerifyErrorKind::NotYetValid,
            format!(
                "the request is signed at {signed_at}, {} seconds in the future: the difference between the request time and the current time is too large",
                -difference
            ),
        ));
    }
    if difference > options.skew() {
        let mut err = VerifyError::new(
            VerifyErrorKind::Expired,
            format!(
                "the request is signed at {signed_at}, {difference} seconds ago: the difference between the request time and the current time is too large"
            ),
        );
        err.expired_at = signed_at.checked_add_seconds(options.skew());
        return Err(err);
    }
    Ok(())
}

/// Refuses a presigned URL that `now` is past the `expiration` of.
pub(super) fn check_not_expired(
    expiration: SigningTime,
    now: SigningTime,
) -> Result<(), VerifyError> {
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
    Ok(())
}
