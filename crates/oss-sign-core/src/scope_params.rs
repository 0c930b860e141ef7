//! The signer's part of a V4 credential scope (access key id, region, product, instant, STS
//! token, additional header names): held by V4 presigning, V4 header signing and V4 POST
//! policies alike, so that its fields, defaults, token rule and redacting `Debug` stand once.

use crate::time::SigningTime;
use core::fmt;

/// The product of ordinary OSS (`oss-cloudbox` for OSS on CloudBox).
pub const DEFAULT_PRODUCT: &str = "oss";

/// The scope fields shared by both V4 modes and the POST policy (which leaves
/// `additional_headers` empty).
#[derive(Clone, Copy)]
pub(crate) struct ScopeParams<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) region: &'a str,
    pub(crate) product: &'a str,
    pub(crate) time: SigningTime,
    pub(crate) security_token: Option<&'a str>,
    pub(crate) additional_headers: &'a [&'a str],
}

impl fmt::Debug for ScopeParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.debug_fields(&mut f.debug_struct("ScopeParams"))
            .field("additional_headers", &self.additional_headers)
            .finish()
    }
}

impl<'a> ScopeParams<'a> {
    /// The scope of `access_key_id` in `region` at `time`: product `oss`, no token, no
    /// additional headers.
    pub(crate) fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            access_key_id,
            region,
            product: DEFAULT_PRODUCT,
            time,
            security_token: None,
            additional_headers: &[],
        }
    }

    /// The STS token, `None` when absent or empty.
    pub(crate) fn token(&self) -> Option<&'a str> {
        self.security_token.filter(|t| !t.is_empty())
    }

    /// Adds every field but `additional_headers` to `d`, the token redacted: the `Debug` of
    /// this struct and of the POST policy's parameters.
    pub(crate) fn debug_fields<'d, 'f, 'b>(
        &self,
        d: &'d mut fmt::DebugStruct<'f, 'b>,
    ) -> &'d mut fmt::DebugStruct<'f, 'b> {
        d.field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("product", &self.product)
            .field("time", &self.time)
            .field("security_token", &self.token().map(|_| "<redacted>"))
    }
}
