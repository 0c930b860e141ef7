//! The V4 credential scope (`YYYYMMDD/region/product/aliyun_v4_request`), the string to sign,
//! and the options both signing modes share.

use super::key::{check_scope_part, push_hex, SigningKey};
use crate::error::{shorten, SignError, SignErrorKind};
use alloc::format;
use alloc::string::String;

/// The algorithm name, the value of `x-oss-signature-version`.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
pub(crate) use crate::scope_params::ScopeParams;
pub use crate::scope_params::DEFAULT_PRODUCT;

impl<'a> ScopeParams<'a> {
    /// Checks the scope against `key`; `access_key_id_checked` says that the access key id is
    /// one the key keeps encoded ([`SigningKey::knows_access_key_id`]), which passed the access
    /// key id checks before.
    pub(super) fn validate(
        &self,
        key: &SigningKey,
        access_key_id_checked: bool,
    ) -> Result<(), SignError> {
        if self.access_key_id.is_empty() {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id is empty: a V4 signature needs the access key id of the credentials",
            ));
        }
        // An access key id the key already keeps encoded passed this check before.
        if !access_key_id_checked && has_control_or_tab(self.access_key_id.as_bytes()) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id contains a control character: only printable characters are allowed",
            ));
        }
        let key_matches = key.is_for(self.time, self.region, self.product);
        // A key checks its region and product once, when derived.
        if !(key_matches && key.scope_is_valid()) {
            check_scope_part("region", self.region)?;
            check_scope_part("product", self.product)?;
        }
        if let Some(token) = self.token() {
            if has_control_or_tab(token.as_bytes()) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    "security token contains a control character: only printable characters are allowed",
                ));
            }
        }
        if !key_matches {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                format!(
                    "the signing key was derived for {}/{}/{} but the request is signed for {}/{}/{}: derive a key for the signing day, region and product",
                    key.date_stamp(),
                    key.region(),
                    key.product(),
                    self.time.date_stamp(),
                    shorten(self.region),
                    shorten(self.product)
                ),
            ));
        }
        Ok(())
    }
}

/// The setters [`PresignParams`](super::PresignParams) and [`HeaderParams`](super::HeaderParams)
/// share, written once: both hold their scope in a `scope: ScopeParams` field. Each invocation
/// passes one runnable example per setter, so every generated method keeps a doctest that
/// exercises it on its own type.
macro_rules! scope_setters {
    (product: $product:literal, security_token: $token:literal, additional_headers: $headers:literal $(,)?) => {
        /// The product in the scope: `oss` (the default) or `oss-cloudbox` for OSS on CloudBox.
        ///
        #[doc = $product]
        pub fn product(mut self, product: &'a str) -> Self {
            self.scope.product = product;
            self
        }

        /// The STS security token, sent and signed as `x-oss-security-token`; `None` or an
        /// empty token means none.
        ///
        #[doc = $token]
        pub fn security_token(mut self, token: Option<&'a str>) -> Self {
            self.scope.security_token = token;
            self
        }

        /// Further header names to sign besides `x-oss-*`, `content-type` and `content-md5`
        /// (any case). A name is signed only when the request carries it with a non-empty
        /// value; the list is lower-cased, sorted and de-duplicated.
        ///
        #[doc = $headers]
        pub fn additional_headers(mut self, names: &'a [&'a str]) -> Self {
            self.scope.additional_headers = names;
            self
        }
    };
}
pub(crate) use scope_setters;

/// Builds the string to sign for a canonical request.
pub(crate) fn string_to_sign(date: &[u8; 16], scope: &str, canonical_request: &str) -> String {
    let hash = crate::hmac_state::sha256(canonical_request.as_bytes());
    let mut out = String::with_capacity(ALGORITHM.len() + 1 + 16 + 1 + scope.len() + 1 + 64);
    out.push_str(ALGORITHM);
    out.push('\n');
    for &b in date {
        out.push(char::from(b));
    }
    out.push('\n');
    out.push_str(scope);
    out.push('\n');
    push_hex(&mut out, &hash);
    out
}

/// Whether `bytes` holds a byte below 0x20 (tab included) or 0x7f: the word-at-a-time scan
/// of the header checks, tab included, instead of a test per byte (STS tokens run to
/// hundreds of bytes).
fn has_control_or_tab(bytes: &[u8]) -> bool {
    crate::request::has_control_byte_or(bytes, true)
}

#[cfg(test)]
mod tests {
    use super::has_control_or_tab;

    #[test]
    fn control_scan_refuses_every_control_byte_and_tab() {
        for len in [1usize, 7, 8, 9, 24, 600] {
            let plain = alloc::vec![b'A'; len];
            assert!(!has_control_or_tab(&plain));
            for bad in (0u8..0x20).chain([0x7f]) {
                for at in [0, len / 2, len - 1] {
                    let mut bytes = plain.clone();
                    bytes[at] = bad;
                    assert!(has_control_or_tab(&bytes), "{bad:#x} at {at} of {len}");
                }
            }
        }
        assert!(!has_control_or_tab("é~ !".as_bytes()));
    }
}
