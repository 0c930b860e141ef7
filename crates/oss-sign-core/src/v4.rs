//! V4 signing (`OSS4-HMAC-SHA256`): signing keys, presigned URLs (query mode) and the
//! `Authorization` header (header mode).
//!
//! A V4 signature is HMAC-SHA256, keyed by a [`SigningKey`] derived from the secret, the date,
//! the region and the product, over a *string to sign* that hashes the canonical request:
//!
//! ```text
//! OSS4-HMAC-SHA256
//! 20231217T033009Z
//! 20231217/cn-hangzhou/oss/aliyun_v4_request
//! hex(SHA-256(canonical request))
//! ```
//!
//! Deriving the key costs four HMACs; it depends only on (secret, day, region, product), so
//! derive it once a day and reuse it for every request:
//!
//! ```
//! use oss_sign_core::{v4, SignableRequest, SigningTime};
//!
//! let now = SigningTime::from_unix_seconds(1_700_000_000)?;
//! let key = v4::SigningKey::derive("ExampleSecretKey1234567890", now, "cn-hangzhou", "oss");
//! let request = SignableRequest::new("GET").bucket("examplebucket").key("exampleobject.txt");
//! let params = v4::PresignParams::new("LTAI5tExampleAK", "cn-hangzhou", now, 3600);
//! let presigned = v4::presign(&request, &params, &key)?;
//! assert_eq!(
//!     presigned.signature(),
//!     "66ab530237c1b6e15cee68ec7bfcc79be30381cee805b31e2fae2a09aa6e3da7"
//! );
//! let url = format!(
//!     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?{}",
//!     presigned.url_query()
//! );
//! assert!(url.ends_with("&x-oss-signature=66ab530237c1b6e15cee68ec7bfcc79be30381cee805b31e2fae2a09aa6e3da7"));
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```

use crate::canonical::{
    effective_additional_headers, hashed_payload, CanonicalHeaders, CanonicalInputs,
    CanonicalRequest,
};
use crate::encoding::uri_encode_into;
use crate::error::{SignError, SignErrorKind};
use crate::hmac_state::PreparedHmac;
use crate::request::SignableRequest;
use crate::time::{shorten, SigningTime};
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name, the value of `x-oss-signature-version`.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS signs in place of a body hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest validity of a V4 presigned URL: seven days, in seconds.
pub const MAX_EXPIRES_SECONDS: u32 = 604_800;
/// The product of ordinary OSS (`oss-cloudbox` for OSS on CloudBox).
pub const DEFAULT_PRODUCT: &str = "oss";
/// The last element of the credential scope.
pub const TERMINATOR: &str = "aliyun_v4_request";

/// The derived V4 signing key for one (secret, UTC day, region, product).
///
/// The key bytes are zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oss_sign_core::{v4::SigningKey, SigningTime};
/// let day = SigningTime::parse_x_oss_date("20231217T000000Z")?;
/// let key = SigningKey::derive("sk", day, "cn-hangzhou", "oss");
/// let later_same_day = SigningTime::parse_x_oss_date("20231217T235959Z")?;
/// assert!(key.is_for(later_same_day, "cn-hangzhou", "oss"));
/// assert!(!key.is_for(day.checked_add_seconds(86_400).unwrap(), "cn-hangzhou", "oss"));
/// assert!(!format!("{key:?}").contains("sk"));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub struct SigningKey {
    key: [u8; 32],
    prepared: PreparedHmac,
    date: [u8; 8],
    region: String,
    product: String,
}

impl SigningKey {
    /// Derives the key: `HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), product),
    /// "aliyun_v4_request")`, the date being the UTC day of `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let t = SigningTime::from_unix_seconds(1_702_783_809)?;
    /// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    /// assert_eq!(key.date_stamp(), "20231217");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn derive(secret: &str, time: SigningTime, region: &str, product: &str) -> Self {
        let stamp = time.x_oss_date_bytes();
        let mut date = [0u8; 8];
        date.copy_from_slice(&stamp[..8]);

        let mut seed = String::with_capacity(9 + secret.len());
        seed.push_str("aliyun_v4");
        seed.push_str(secret);
        let mut key = hmac(seed.as_bytes(), &date);
        seed.zeroize();
        for part in [region.as_bytes(), product.as_bytes(), TERMINATOR.as_bytes()] {
            let next = hmac(&key, part);
            key.zeroize();
            key = next;
        }
        Self {
            prepared: PreparedHmac::new(&key),
            key,
            date,
            region: region.to_owned(),
            product: product.to_owned(),
        }
    }

    /// Whether this key signs requests made at `time` for `region` and `product`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let t = SigningTime::from_unix_seconds(0)?;
    /// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    /// assert!(!key.is_for(t, "cn-beijing", "oss"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn is_for(&self, time: SigningTime, region: &str, product: &str) -> bool {
        time.x_oss_date_bytes()[..8] == self.date
            && self.region == region
            && self.product == product
    }

    /// The UTC day the key is for, `YYYYMMDD`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "r", "oss");
    /// assert_eq!(key.date_stamp(), "19700101");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn date_stamp(&self) -> &str {
        core::str::from_utf8(&self.date).unwrap_or("")
    }

    /// The region the key is for.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "cn-shanghai", "oss");
    /// assert_eq!(key.region(), "cn-shanghai");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The product the key is for.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "cb-1", "oss-cloudbox");
    /// assert_eq!(key.product(), "oss-cloudbox");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// HMAC-SHA256 of `data` under this key, as lower-case hex.
    pub(crate) fn sign_hex(&self, data: &[u8]) -> String {
        let mut out = String::with_capacity(64);
        push_hex(&mut out, &self.prepared.mac(data));
        out
    }

    #[cfg(test)]
    pub(crate) fn key_hex(&self) -> String {
        hex_lower(&self.key)
    }
}

impl Clone for SigningKey {
    fn clone(&self) -> Self {
        Self {
            key: self.key,
            prepared: self.prepared.clone(),
            date: self.date,
            region: self.region.clone(),
            product: self.product.clone(),
        }
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("date", &self.date_stamp())
            .field("region", &self.region)
            .field("product", &self.product)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable_hmac_key_error());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_hmac_key_error() -> HmacSha256 {
    // `Hmac::new_from_slice` only fails for fixed-length-key MACs; HMAC is not one.
    <HmacSha256 as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends the lower-case hex form of `bytes`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

/// The scope fields shared by both modes.
#[derive(Clone, Copy)]
struct ScopeParams<'a> {
    access_key_id: &'a str,
    region: &'a str,
    product: &'a str,
    time: SigningTime,
    security_token: Option<&'a str>,
    additional_headers: &'a [&'a str],
}

impl fmt::Debug for ScopeParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeParams")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("product", &self.product)
            .field("time", &self.time)
            .field("security_token", &self.token().map(|_| "<redacted>"))
            .field("additional_headers", &self.additional_headers)
            .finish()
    }
}

impl<'a> ScopeParams<'a> {
    fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            access_key_id,
            region,
            product: DEFAULT_PRODUCT,
            time,
            security_token: None,
            additional_headers: &[],
        }
    }

    fn token(&self) -> Option<&'a str> {
        self.security_token.filter(|t| !t.is_empty())
    }

    fn validate(&self, key: &SigningKey) -> Result<(), SignError> {
        if self.access_key_id.is_empty() {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id is empty: a V4 signature needs the access key id of the credentials",
            ));
        }
        if self.access_key_id.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id contains a control character: only printable characters are allowed",
            ));
        }
        check_scope_part("region", self.region)?;
        check_scope_part("product", self.product)?;
        if let Some(token) = self.token() {
            if token.bytes().any(|b| b < 0x20 || b == 0x7f) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    "security token contains a control character: only printable characters are allowed",
                ));
            }
        }
        if !key.is_for(self.time, self.region, self.product) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                format!(
                    "the signing key was derived for {}/{}/{} but the request is signed for {}/{}/{}: derive a key for the signing day, region and product",
                    key.date_stamp(),
                    key.region,
                    key.product,
                    self.time.date_stamp(),
                    shorten(self.region),
                    shorten(self.product)
                ),
            ));
        }
        Ok(())
    }

    /// `YYYYMMDD/region/product/aliyun_v4_request`.
    fn write_scope(&self, out: &mut String, date: &[u8; 16]) {
        for &b in &date[..8] {
            out.push(char::from(b));
        }
        out.push('/');
        out.push_str(self.region);
        out.push('/');
        out.push_str(self.product);
        out.push('/');
        out.push_str(TERMINATOR);
    }
}

fn check_scope_part(field: &str, value: &str) -> Result<(), SignError> {
    if value.is_empty()
        || value.bytes().any(|b| {
            matches!(b, b'/' | b',')
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
                || !b.is_ascii()
        })
    {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            format!(
                "{field} {:?} cannot be part of a V4 credential scope: it must be non-empty ASCII without '/', ',', spaces or control characters (e.g. cn-hangzhou)",
                shorten(value)
            ),
        ));
    }
    Ok(())
}

/// Builds the string to sign for a canonical request.
pub(crate) fn string_to_sign(date: &[u8; 16], scope: &str, canonical_request: &str) -> String {
    let hash = Sha256::digest(canonical_request.as_bytes());
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

/// Options of a V4 presigned URL (query mode).
///
/// ```
/// use oss_sign_core::{v4::PresignParams, SigningTime};
/// let now = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let headers = ["host"];
/// let params = PresignParams::new("ak", "cn-hangzhou", now, 900)
///     .security_token(Some("sts-token"))
///     .additional_headers(&headers);
/// assert_eq!(params.expires_seconds(), 900);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PresignParams<'a> {
    scope: ScopeParams<'a>,
    expires_seconds: u32,
}

impl<'a> PresignParams<'a> {
    /// Presign as `access_key_id` for `region` at `time`, valid for `expires_seconds`
    /// (0..=604800) counted from `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?, 60);
    /// assert_eq!(p.expires_seconds(), 60);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(
        access_key_id: &'a str,
        region: &'a str,
        time: SigningTime,
        expires_seconds: u32,
    ) -> Self {
        Self {
            scope: ScopeParams::new(access_key_id, region, time),
            expires_seconds,
        }
    }

    /// The product in the scope: `oss` (default) or `oss-cloudbox`.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "cb-123", SigningTime::from_unix_seconds(0)?, 60)
    ///     .product("oss-cloudbox");
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn product(mut self, product: &'a str) -> Self {
        self.scope.product = product;
        self
    }

    /// The STS security token; `None` or an empty token means none.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "r", SigningTime::from_unix_seconds(0)?, 60)
    ///     .security_token(Some(""));
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn security_token(mut self, token: Option<&'a str>) -> Self {
        self.scope.security_token = token;
        self
    }

    /// Further header names to sign (see the crate docs for how the list is normalised).
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let names = ["Content-Disposition"];
    /// let p = PresignParams::new("ak", "r", SigningTime::from_unix_seconds(0)?, 60)
    ///     .additional_headers(&names);
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn additional_headers(mut self, names: &'a [&'a str]) -> Self {
        self.scope.additional_headers = names;
        self
    }

    /// The validity in seconds.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "r", SigningTime::from_unix_seconds(0)?, 7);
    /// assert_eq!(p.expires_seconds(), 7);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn expires_seconds(&self) -> u32 {
        self.expires_seconds
    }
}

/// Query parameter names that presigning adds and a caller may not pass itself.
pub(crate) const RESERVED_QUERY: [&str; 7] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature",
    "x-oss-security-token",
    "x-oss-additional-headers",
];

/// A V4 presigned request: the parameters to add to the URL, and every intermediate.
///
/// See [`presign`].
#[derive(Clone)]
pub struct Presigned {
    canonical: CanonicalRequest,
    string_to_sign: String,
    signature: String,
    credential: String,
    date: [u8; 16],
    expires_seconds: u32,
    security_token: Option<String>,
    additional_headers: String,
    signed_headers: Vec<(String, String)>,
    expiration: SigningTime,
}

impl Presigned {
    /// The lower-case hex signature (the value of `x-oss-signature`).
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.signature().len(), 64);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The canonical request that was signed.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("a b"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.canonical_request().starts_with("GET\n/b/a%20b\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_request(&self) -> &str {
        &self.canonical.text
    }

    /// The string to sign.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET"), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.string_to_sign().starts_with("OSS4-HMAC-SHA256\n19700101T000000Z\n19700101/r/oss/aliyun_v4_request\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The canonical query string: every query parameter (the caller's and the authentication
    /// ones), encoded and sorted, without `x-oss-signature`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let q = [("uploads", "")];
    /// let p = v4::presign(&SignableRequest::new("POST").bucket("b").key("k").query(&q),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.canonical_query().starts_with("uploads&x-oss-credential=ak%2F19700101%2Fr%2Foss%2Faliyun_v4_request&"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_query(&self) -> &str {
        &self.canonical.text[self.canonical.query.clone()]
    }

    /// Appends the complete URL query (the caller's parameters, the authentication parameters
    /// and `x-oss-signature`, encoded, without the leading `?`) to `out`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let mut url = String::from("https://b.example.com/k?");
    /// p.write_url_query(&mut url);
    /// assert!(url.contains("x-oss-expires=60&"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn write_url_query(&self, out: &mut String) {
        out.push_str(self.canonical_query());
        out.push_str("&x-oss-signature=");
        out.push_str(&self.signature);
    }

    /// The complete URL query as a new string (see [`write_url_query`](Self::write_url_query)).
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.url_query().ends_with(p.signature()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn url_query(&self) -> String {
        let mut out = String::with_capacity(self.canonical.query.len() + 80);
        self.write_url_query(&mut out);
        out
    }

    /// Only the authentication parameters, encoded and joined with `&`, `x-oss-signature` last,
    /// for callers that write their own parameters into the URL.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let q = [("versionId", "v1")];
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k").query(&q),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.encoded_query().starts_with("x-oss-signature-version=OSS4-HMAC-SHA256&"));
    /// assert!(!p.encoded_query().contains("versionId"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn encoded_query(&self) -> String {
        let mut out = String::with_capacity(256);
        for (index, (name, value)) in self.query_params().iter().enumerate() {
            if index > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            uri_encode_into(&mut out, value, false);
        }
        out
    }

    /// The authentication parameters in URL order, with raw (unencoded) values:
    /// `x-oss-signature-version`, `x-oss-date`, `x-oss-expires`, `x-oss-credential`, then
    /// `x-oss-security-token` and `x-oss-additional-headers` when present, and
    /// `x-oss-signature` last.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let params = p.query_params();
    /// assert_eq!(params[3], ("x-oss-credential", "ak/19700101/r/oss/aliyun_v4_request".to_string()));
    /// assert_eq!(params.last().unwrap().0, "x-oss-signature");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn query_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::with_capacity(7);
        params.push(("x-oss-signature-version", ALGORITHM.to_owned()));
        params.push((
            "x-oss-date",
            self.date.iter().map(|&b| char::from(b)).collect(),
        ));
        params.push(("x-oss-expires", format!("{}", self.expires_seconds)));
        params.push(("x-oss-credential", self.credential.clone()));
        if let Some(token) = &self.security_token {
            params.push(("x-oss-security-token", token.clone()));
        }
        if !self.additional_headers.is_empty() {
            params.push(("x-oss-additional-headers", self.additional_headers.clone()));
        }
        params.push(("x-oss-signature", self.signature.clone()));
        params
    }

    /// Every header the signature covers, as `(lower-case name, value as given)`, sorted by
    /// name. Whoever uses the URL must send exactly these headers with these values.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let h = [("Content-Type", "text/plain"), ("Range", "bytes=0-9")];
    /// let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.signed_headers(), &[("content-type".to_string(), "text/plain".to_string())]);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signed_headers(&self) -> &[(String, String)] {
        &self.signed_headers
    }

    /// When the URL stops being valid: `x-oss-date` + `x-oss-expires`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET"), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.expiration().unix_seconds(), 60);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn expiration(&self) -> SigningTime {
        self.expiration
    }
}

impl fmt::Debug for Presigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presigned")
            .field("credential", &self.credential)
            .field("expires_seconds", &self.expires_seconds)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("additional_headers", &self.additional_headers)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Signed headers as `(lower-case name, value as given)`.
fn signed_header_list(
    request: &SignableRequest<'_>,
    additional: &[String],
) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = request
        .header_pairs()
        .iter()
        .filter(|(name, _)| {
            crate::canonical::is_signed_by_default_any_case(name)
                || additional.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned()))
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    list
}

/// Presigns `request` (query mode): computes the canonical request, the string to sign and the
/// signature, and returns the parameters to add to the URL.
///
/// Refuses an expiry over [`MAX_EXPIRES_SECONDS`], query parameters that presigning adds itself
/// (`x-oss-signature`, `x-oss-credential`, ...), a key derived for another day, region or
/// product, and malformed methods, headers, regions or products.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime, SignErrorKind};
/// let now = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("secret", now, "cn-hangzhou", "oss");
/// let request = SignableRequest::new("GET").bucket("b").key("k");
/// let too_long = v4::PresignParams::new("ak", "cn-hangzhou", now, 604_801);
/// let err = v4::presign(&request, &too_long, &key).unwrap_err();
/// assert_eq!(err.kind(), SignErrorKind::InvalidExpiry);
/// assert!(err.to_string().contains("604800"));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn presign(
    request: &SignableRequest<'_>,
    params: &PresignParams<'_>,
    key: &SigningKey,
) -> Result<Presigned, SignError> {
    request.validate()?;
    let scope = &params.scope;
    scope.validate(key)?;
    if params.expires_seconds > MAX_EXPIRES_SECONDS {
        return Err(SignError::new(
            SignErrorKind::InvalidExpiry,
            format!(
                "expires should be not greater than 604800(seven days): got {} seconds; V4 presigned URLs are valid for 0 to 604800 seconds",
                params.expires_seconds
            ),
        ));
    }
    if let Some((name, _)) = request
        .query_pairs()
        .iter()
        .find(|(name, _)| RESERVED_QUERY.contains(name))
    {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            format!(
                "query parameter {name:?} is added by presigning itself and cannot be passed in: remove it"
            ),
        ));
    }
    let expiration = scope
        .time
        .checked_add_seconds(i64::from(params.expires_seconds))
        .ok_or_else(|| {
            SignError::new(
                SignErrorKind::InvalidExpiry,
                "the expiration falls after year 9999: use a shorter expiry",
            )
        })?;

    let date = scope.time.x_oss_date_bytes();
    let mut credential = String::with_capacity(scope.access_key_id.len() + 64);
    credential.push_str(scope.access_key_id);
    credential.push('/');
    let scope_start = credential.len();
    scope.write_scope(&mut credential, &date);

    let additional = effective_additional_headers(scope.additional_headers, request.header_pairs());
    let additional_line = additional.join(";");
    let headers = CanonicalHeaders::select(request.header_pairs(), &additional, &[]);

    let expires_buf = itoa_u32(params.expires_seconds);
    let expires_text = expires_buf.as_str();
    let date_text = core::str::from_utf8(&date).unwrap_or("");
    let token = scope.token();
    let mut extra: [(&str, &str); 6] = [
        ("x-oss-signature-version", ALGORITHM),
        ("x-oss-credential", &credential),
        ("x-oss-date", date_text),
        ("x-oss-expires", expires_text),
        ("", ""),
        ("", ""),
    ];
    let mut extra_len = 4;
    if let Some(token) = token {
        extra[extra_len] = ("x-oss-security-token", token);
        extra_len += 1;
    }
    if !additional_line.is_empty() {
        extra[extra_len] = ("x-oss-additional-headers", &additional_line);
        extra_len += 1;
    }
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let canonical = CanonicalRequest::build(&CanonicalInputs {
        method: request.method(),
        bucket: request.bucket_name(),
        key: request.key_name(),
        query: request.query_pairs(),
        extra_query: &extra[..extra_len],
        headers: &headers,
        additional_line: &additional_line,
        payload,
    });
    let string_to_sign = string_to_sign(&date, &credential[scope_start..], &canonical.text);
    let signature = key.sign_hex(string_to_sign.as_bytes());
    Ok(Presigned {
        canonical,
        string_to_sign,
        signature,
        credential,
        date,
        expires_seconds: params.expires_seconds,
        security_token: token.map(ToOwned::to_owned),
        additional_headers: additional_line,
        signed_headers: signed_header_list(request, &additional),
        expiration,
    })
}

/// A small stack buffer holding the decimal form of a `u32`.
struct DecimalBuf {
    bytes: [u8; 10],
    start: usize,
}

impl DecimalBuf {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[self.start..]).unwrap_or("0")
    }
}

fn itoa_u32(mut value: u32) -> DecimalBuf {
    let mut bytes = [0u8; 10];
    let mut start = bytes.len();
    loop {
        start -= 1;
        bytes[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    DecimalBuf { bytes, start }
}

/// Options of V4 header-mode signing (the `Authorization` header).
///
/// ```
/// use oss_sign_core::{v4::HeaderParams, SigningTime};
/// let params = HeaderParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?)
///     .security_token(Some("token"));
/// # let _ = params;
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderParams<'a> {
    scope: ScopeParams<'a>,
}

impl<'a> HeaderParams<'a> {
    /// Sign as `access_key_id` for `region` at `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4::HeaderParams, SigningTime};
    /// let p = HeaderParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?);
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            scope: ScopeParams::new(access_key_id, region, time),
        }
    }

    /// The product in the scope: `oss` (default) or `oss-cloudbox`.
    ///
    /// ```
    /// use oss_sign_core::{v4::HeaderParams, SigningTime};
    /// let p = HeaderParams::new("ak", "cb-1", SigningTime::from_unix_seconds(0)?).product("oss-cloudbox");
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn product(mut self, product: &'a str) -> Self {
        self.scope.product = product;
        self
    }

    /// The STS security token (sent and signed as `x-oss-security-token`).
    ///
    /// ```
    /// use oss_sign_core::{v4::HeaderParams, SigningTime};
    /// let p = HeaderParams::new("ak", "r", SigningTime::from_unix_seconds(0)?).security_token(None);
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn security_token(mut self, token: Option<&'a str>) -> Self {
        self.scope.security_token = token;
        self
    }

    /// Further header names to sign.
    ///
    /// ```
    /// use oss_sign_core::{v4::HeaderParams, SigningTime};
    /// let names = ["content-disposition"];
    /// let p = HeaderParams::new("ak", "r", SigningTime::from_unix_seconds(0)?).additional_headers(&names);
    /// # let _ = p;
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn additional_headers(mut self, names: &'a [&'a str]) -> Self {
        self.scope.additional_headers = names;
        self
    }
}

/// The result of header-mode signing: the headers to set on the request.
///
/// See [`sign_headers`].
#[derive(Clone)]
pub struct HeaderSigned {
    headers_to_add: Vec<(&'static str, String)>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

impl HeaderSigned {
    /// The headers the caller must set, in this order: `x-oss-date`, `x-oss-content-sha256`
    /// (unless the request already has it), `x-oss-security-token` (with a token), and
    /// `authorization`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// let names: Vec<_> = signed.headers_to_add().iter().map(|(n, _)| *n).collect();
    /// assert_eq!(names, ["x-oss-date", "x-oss-content-sha256", "authorization"]);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn headers_to_add(&self) -> &[(&'static str, String)] {
        &self.headers_to_add
    }

    /// The `Authorization` header value.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.authorization().starts_with("OSS4-HMAC-SHA256 Credential=ak/19700101/r/oss/aliyun_v4_request,Signature="));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn authorization(&self) -> &str {
        self.headers_to_add
            .last()
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The hex signature.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.authorization().ends_with(signed.signature()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The canonical request that was signed.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.canonical_request().contains("x-oss-content-sha256:UNSIGNED-PAYLOAD\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.string_to_sign().starts_with("OSS4-HMAC-SHA256\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl fmt::Debug for HeaderSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSigned")
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Signs `request` in header mode: returns the `x-oss-date`, `x-oss-content-sha256`,
/// `x-oss-security-token` and `Authorization` headers to set. The request is not modified.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// let t = SigningTime::parse_x_oss_date("20231216T162057Z")?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let headers = [("content-type", "text/plain"), ("x-oss-content-sha256", "UNSIGNED-PAYLOAD")];
/// let signed = v4::sign_headers(
///     &SignableRequest::new("PUT").bucket("bucket").key("1234+-/123/1.txt").headers(&headers),
///     &v4::HeaderParams::new("ak", "cn-hangzhou", t),
///     &key,
/// )?;
/// assert!(signed.authorization().starts_with("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn sign_headers(
    request: &SignableRequest<'_>,
    params: &HeaderParams<'_>,
    key: &SigningKey,
) -> Result<HeaderSigned, SignError> {
    request.validate()?;
    let scope = &params.scope;
    scope.validate(key)?;
    if scope.access_key_id.contains(',') {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            "access key id contains ',', which cannot be written into an Authorization header (its fields are separated by ','): use query signing (presign) or the real access key id",
        ));
    }
    let date = scope.time.x_oss_date_bytes();
    let date_text = core::str::from_utf8(&date).unwrap_or("");
    let token = scope.token();

    let has_sha = request.header("x-oss-content-sha256").is_some();
    let mut extra: Vec<(&str, &str)> = Vec::with_capacity(3);
    extra.push(("x-oss-date", date_text));
    if !has_sha {
        extra.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD));
    }
    if let Some(token) = token {
        extra.push(("x-oss-security-token", token));
    }
    // The signer's own headers replace any the caller set.
    let caller_headers: Vec<(&str, &str)> = request
        .header_pairs()
        .iter()
        .filter(|(name, _)| {
            let replaced = name.eq_ignore_ascii_case("x-oss-date")
                || (token.is_some() && name.eq_ignore_ascii_case("x-oss-security-token"));
            !replaced
        })
        .copied()
        .collect();

    let additional = effective_additional_headers(scope.additional_headers, &caller_headers);
    let additional_line = additional.join(";");
    let headers = CanonicalHeaders::select(&caller_headers, &additional, &extra);
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let canonical = CanonicalRequest::build(&CanonicalInputs {
        method: request.method(),
        bucket: request.bucket_name(),
        key: request.key_name(),
        query: request.query_pairs(),
        extra_query: &[],
        headers: &headers,
        additional_line: &additional_line,
        payload,
    });
    let mut scope_text = String::with_capacity(64);
    scope.write_scope(&mut scope_text, &date);
    let string_to_sign = string_to_sign(&date, &scope_text, &canonical.text);
    let signature = key.sign_hex(string_to_sign.as_bytes());

    let mut authorization = String::with_capacity(160);
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(scope.access_key_id);
    authorization.push('/');
    authorization.push_str(&scope_text);
    if !additional_line.is_empty() {
        authorization.push_str(",AdditionalHeaders=");
        authorization.push_str(&additional_line);
    }
    authorization.push_str(",Signature=");
    authorization.push_str(&signature);

    let mut headers_to_add: Vec<(&'static str, String)> = Vec::with_capacity(4);
    headers_to_add.push(("x-oss-date", date_text.to_owned()));
    if !has_sha {
        headers_to_add.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD.to_owned()));
    }
    if let Some(token) = token {
        headers_to_add.push(("x-oss-security-token", token.to_owned()));
    }
    headers_to_add.push(("authorization", authorization));
    Ok(HeaderSigned {
        headers_to_add,
        canonical_request: canonical.text,
        string_to_sign,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_sanity_value_from_the_spec() {
        let t = SigningTime::parse_x_oss_date("20231217T000000Z").unwrap();
        let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
        assert_eq!(
            key.key_hex(),
            "0e11d77e422d3484e84ee6b628fdf2a85f3788e1a597f23116b477efb407e94e"
        );
    }

    #[test]
    fn key_for_another_day_is_refused() {
        let t = SigningTime::parse_x_oss_date("20231217T235959Z").unwrap();
        let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
        let next = t.checked_add_seconds(1).unwrap();
        let err = presign(
            &SignableRequest::new("GET"),
            &PresignParams::new("ak", "cn-hangzhou", next, 60),
            &key,
        )
        .unwrap_err();
        assert_eq!(err.kind(), SignErrorKind::InvalidInput);
        assert!(err.message().contains("20231217"));
        assert!(err.message().contains("20231218"));
    }

    #[test]
    fn reserved_query_and_bad_inputs_are_refused() {
        let t = SigningTime::from_unix_seconds(0).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let q = [("x-oss-signature", "abc")];
        let bad_query = SignableRequest::new("GET").query(&q);
        let p = PresignParams::new("ak", "r", t, 60);
        assert_eq!(
            presign(&bad_query, &p, &key).unwrap_err().kind(),
            SignErrorKind::InvalidInput
        );
        let h = [("x-oss-meta", "a\r\nb")];
        let bad_header = SignableRequest::new("GET").headers(&h);
        assert!(presign(&bad_header, &p, &key).is_err());
        assert!(presign(&SignableRequest::new("G ET"), &p, &key).is_err());
        assert!(presign(&SignableRequest::new(""), &p, &key).is_err());
        let empty_ak = PresignParams::new("", "r", t, 60);
        assert!(presign(&SignableRequest::new("GET"), &empty_ak, &key).is_err());
        let key_slash = SigningKey::derive("sk", t, "cn/x", "oss");
        let bad_region = PresignParams::new("ak", "cn/x", t, 60);
        let err = presign(&SignableRequest::new("GET"), &bad_region, &key_slash).unwrap_err();
        assert!(err.message().contains("region"));
    }

    #[test]
    fn empty_token_is_no_token() {
        let t = SigningTime::from_unix_seconds(1_700_000_000).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let req = SignableRequest::new("GET").bucket("b").key("k");
        let a = presign(&req, &PresignParams::new("ak", "r", t, 60), &key).unwrap();
        let b = presign(
            &req,
            &PresignParams::new("ak", "r", t, 60).security_token(Some("")),
            &key,
        )
        .unwrap();
        assert_eq!(a.signature(), b.signature());
        assert!(!b.url_query().contains("security-token"));
    }
}
