//! V1 signing (HMAC-SHA1, base64): presigned URLs (`OSSAccessKeyId`, `Expires`, `Signature`)
//! and the `Authorization: OSS <id>:<signature>` header. Still needed by old integrations.
//!
//! The string to sign is
//!
//! ```text
//! VERB \n Content-MD5 \n Content-Type \n Expires-or-Date \n CanonicalizedOSSHeaders CanonicalizedResource
//! ```
//!
//! where the resource is `/bucket/key` with the *raw* key, followed by the sorted
//! sub-resources (`?acl`, `?versionId=...`; see [`is_sub_resource`]).
//!
//! ```
//! use oss_sign_core::{v1, SignableRequest};
//! let query = [("versionId", "versionId")];
//! let request = SignableRequest::new("GET").bucket("bucket").key("key").query(&query);
//! let presigned = v1::presign(&request, &v1::PresignParams::new("ak", "sk", 1_699_807_420))?;
//! assert_eq!(presigned.signature(), "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=");
//! assert_eq!(
//!     presigned.url_query(),
//!     "versionId=versionId&OSSAccessKeyId=ak&Expires=1699807420&Signature=dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D"
//! );
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```

use crate::encoding::uri_encode_into;
use crate::error::{SignError, SignErrorKind};
use crate::request::SignableRequest;
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// Query parameters that V1 signs as sub-resources (besides every `x-oss-*` parameter, such as
/// `x-oss-process`, and `response-*` overrides).
pub const SUB_RESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketInfo",
    "callback",
    "callback-var",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "policyStatus",
    "position",
    "qos",
    "qosInfo",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "resourceGroup",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
];

/// Whether V1 signs the query parameter `name` (case-sensitive, as OSS compares it).
///
/// ```
/// use oss_sign_core::v1::is_sub_resource;
/// assert!(is_sub_resource("versionId"));
/// assert!(is_sub_resource("x-oss-process"));
/// assert!(is_sub_resource("response-content-type"));
/// assert!(!is_sub_resource("foo"));
/// ```
pub fn is_sub_resource(name: &str) -> bool {
    name.starts_with("x-oss-") || name.starts_with("response-") || SUB_RESOURCES.contains(&name)
}

fn sign(secret: &str, string_to_sign: &str) -> String {
    let mut mac = <HmacSha1 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Builds the V1 string to sign; `date` is the `Expires` value (query mode) or the `Date`
/// header (header mode). `extra_query` holds parameters the signer adds (`security-token`).
pub(crate) fn string_to_sign(
    request: &SignableRequest<'_>,
    date: &str,
    extra_query: &[(&str, &str)],
    extra_sub_resources: &[&str],
) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(request.method());
    out.push('\n');
    out.push_str(request.header("content-md5").map_or("", str::trim));
    out.push('\n');
    out.push_str(request.header("content-type").map_or("", str::trim));
    out.push('\n');
    out.push_str(date);
    out.push('\n');
    let mut oss_headers: Vec<(String, &str)> = request
        .header_pairs()
        .iter()
        .filter(|(n, _)| n.len() >= 6 && n.as_bytes()[..6].eq_ignore_ascii_case(b"x-oss-"))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .collect();
    crate::sort::sort_by(&mut oss_headers, |a, b| a.0.cmp(&b.0));
    for (name, value) in &oss_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('/');
    if let Some(bucket) = request.bucket_name() {
        out.push_str(bucket);
        out.push('/');
        if let Some(key) = request.key_name() {
            out.push_str(key);
        }
    }
    let mut subs: Vec<(&str, &str)> = request
        .query_pairs()
        .iter()
        .chain(extra_query.iter())
        .filter(|(n, _)| is_sub_resource(n) || extra_sub_resources.contains(n))
        .copied()
        .collect();
    crate::sort::sort_by(&mut subs, |a, b| a.cmp(b));
    for (index, (name, value)) in subs.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// Options of a V1 presigned URL.
///
/// ```
/// use oss_sign_core::v1::PresignParams;
/// let params = PresignParams::new("ak", "sk", 1_700_000_000).security_token(Some("token"));
/// assert_eq!(params.expires_unix(), 1_700_000_000);
/// assert!(!format!("{params:?}").contains("sk\""));
/// ```
#[derive(Clone, Copy)]
pub struct PresignParams<'a> {
    access_key_id: &'a str,
    secret: &'a str,
    expires_unix: i64,
    security_token: Option<&'a str>,
    extra_sub_resources: &'a [&'a str],
}

impl<'a> PresignParams<'a> {
    /// Presign as `access_key_id` with `secret`; the URL expires at `expires_unix` (absolute Unix
    /// seconds, V1's `Expires`).
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &v1::PresignParams::new("ak", "sk", 1_700_000_000))?;
    /// assert!(p.url_query().starts_with("OSSAccessKeyId=ak&Expires=1700000000&Signature="));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(access_key_id: &'a str, secret: &'a str, expires_unix: i64) -> Self {
        Self {
            access_key_id,
            secret,
            expires_unix,
            security_token: None,
            extra_sub_resources: &[],
        }
    }

    /// The STS token, sent as `security-token` and signed as a sub-resource.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let params = v1::PresignParams::new("ak", "sk", 100).security_token(Some("t"));
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &params)?;
    /// assert!(p.url_query().contains("security-token=t"));
    /// assert!(p.string_to_sign().ends_with("/b/k?security-token=t"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn security_token(mut self, token: Option<&'a str>) -> Self {
        self.security_token = token;
        self
    }

    /// Further query parameter names to treat as sub-resources.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let extra = ["mySubResource"];
    /// let q = [("mySubResource", "v")];
    /// let request = SignableRequest::new("GET").bucket("b").key("k").query(&q);
    /// let plain = v1::presign(&request, &v1::PresignParams::new("ak", "sk", 100))?;
    /// assert!(plain.string_to_sign().ends_with("/b/k"));
    /// let p = v1::presign(&request, &v1::PresignParams::new("ak", "sk", 100).extra_sub_resources(&extra))?;
    /// assert!(p.string_to_sign().ends_with("/b/k?mySubResource=v"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn extra_sub_resources(mut self, names: &'a [&'a str]) -> Self {
        self.extra_sub_resources = names;
        self
    }

    /// The absolute expiry, Unix seconds.
    ///
    /// ```
    /// use oss_sign_core::v1::PresignParams;
    /// assert_eq!(PresignParams::new("ak", "sk", 5).expires_unix(), 5);
    /// ```
    pub fn expires_unix(&self) -> i64 {
        self.expires_unix
    }
}

impl fmt::Debug for PresignParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignParams")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"<redacted>")
            .field("expires_unix", &self.expires_unix)
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .finish()
    }
}

/// A V1 presigned request. See [`presign`].
#[derive(Clone)]
pub struct Presigned {
    string_to_sign: String,
    signature: String,
    url_query: String,
    params: Vec<(&'static str, String)>,
    signed_headers: Vec<(String, String)>,
}

impl Presigned {
    /// The base64 signature (the decoded value of `Signature`).
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &v1::PresignParams::new("ak", "sk", 0))?;
    /// assert_eq!(p.signature().len(), 28);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The string to sign.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k+1"), &v1::PresignParams::new("ak", "sk", 9))?;
    /// assert_eq!(p.string_to_sign(), "GET\n\n\n9\n/b/k+1");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The complete URL query: the caller's parameters (encoded, in the given order), then
    /// `OSSAccessKeyId`, `Expires`, `Signature` and `security-token` when present.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &v1::PresignParams::new("ak", "sk", 9))?;
    /// assert!(p.url_query().starts_with("OSSAccessKeyId=ak&Expires=9&Signature="));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn url_query(&self) -> &str {
        &self.url_query
    }

    /// The authentication parameters with raw values, in URL order.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b").key("k"), &v1::PresignParams::new("ak", "sk", 9))?;
    /// assert_eq!(p.query_params()[1], ("Expires", "9".to_string()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn query_params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// Headers the signature covers (`x-oss-*`, `content-type`, `content-md5`), as
    /// `(lower-case name, value as given)`.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let h = [("Content-Type", "text/plain")];
    /// let p = v1::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h), &v1::PresignParams::new("ak", "sk", 9))?;
    /// assert_eq!(p.signed_headers()[0].0, "content-type");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signed_headers(&self) -> &[(String, String)] {
        &self.signed_headers
    }
}

impl fmt::Debug for Presigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presigned")
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Query parameter names V1 presigning adds itself, and the V4 signature parameters (a URL
/// carrying them would be read as a V4 URL).
pub(crate) const RESERVED_QUERY: [&str; 7] = [
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "security-token",
    "x-oss-signature",
    "x-oss-credential",
    "x-oss-signature-version",
];

/// Presigns `request` with V1. The key is used raw in the string to sign; a key starting with
/// `?` is refused because V1 cannot tell it from the sub-resources.
///
/// ```
/// use oss_sign_core::{v1, SignableRequest};
/// let q = [("versionId", "versionId")];
/// let request = SignableRequest::new("GET").bucket("bucket").key("key+123").query(&q);
/// let p = v1::presign(&request, &v1::PresignParams::new("ak", "sk", 1_699_808_204).security_token(Some("token")))?;
/// assert_eq!(p.signature(), "jzKYRrM5y6Br0dRFPaTGOsbrDhY=");
/// assert!(p.url_query().ends_with("&security-token=token"));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn presign(
    request: &SignableRequest<'_>,
    params: &PresignParams<'_>,
) -> Result<Presigned, SignError> {
    request.validate()?;
    if params.access_key_id.is_empty() {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            "access key id is empty: a V1 signature needs the access key id of the credentials",
        ));
    }
    if params.expires_unix < 0 {
        return Err(SignError::new(
            SignErrorKind::InvalidExpiry,
            format!(
                "V1 Expires {} is before 1970: it must be absolute Unix seconds",
                params.expires_unix
            ),
        ));
    }
    if request.key_name().is_some_and(|k| k.starts_with('?')) {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            "object key starts with '?', which V1 cannot sign unambiguously: use V4 for this key",
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
                "query parameter {name:?} is a signature parameter (V1 adds OSSAccessKeyId, Expires, Signature and security-token itself; x-oss-signature* and x-oss-credential belong to V4) and cannot be passed in: remove it"
            ),
        ));
    }
    let token = params.security_token.filter(|t| !t.is_empty());
    let expires = format!("{}", params.expires_unix);
    let extra: Vec<(&str, &str)> = token.map(|t| ("security-token", t)).into_iter().collect();
    let string_to_sign = string_to_sign(request, &expires, &extra, params.extra_sub_resources);
    let signature = sign(params.secret, &string_to_sign);

    let mut url_query = String::with_capacity(128);
    for (name, value) in request.query_pairs() {
        if !url_query.is_empty() {
            url_query.push('&');
        }
        uri_encode_into(&mut url_query, name, false);
        if !value.is_empty() {
            url_query.push('=');
            uri_encode_into(&mut url_query, value, false);
        }
    }
    let mut auth: Vec<(&'static str, String)> = Vec::with_capacity(4);
    auth.push(("OSSAccessKeyId", params.access_key_id.to_owned()));
    auth.push(("Expires", expires));
    auth.push(("Signature", signature.clone()));
    if let Some(token) = token {
        auth.push(("security-token", token.to_owned()));
    }
    for (name, value) in &auth {
        if !url_query.is_empty() {
            url_query.push('&');
        }
        url_query.push_str(name);
        url_query.push('=');
        uri_encode_into(&mut url_query, value, false);
    }
    let mut signed_headers: Vec<(String, String)> = request
        .header_pairs()
        .iter()
        .filter(|(n, _)| crate::is_signed_by_default(n))
        .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned()))
        .collect();
    crate::sort::sort_by(&mut signed_headers, |a, b| a.0.cmp(&b.0));
    Ok(Presigned {
        string_to_sign,
        signature,
        url_query,
        params: auth,
        signed_headers,
    })
}

/// The result of V1 header signing. See [`sign_header`].
#[derive(Clone)]
pub struct HeaderSigned {
    string_to_sign: String,
    authorization: String,
}

impl HeaderSigned {
    /// The `Authorization` value, `OSS <id>:<signature>`.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let s = v1::sign_header(&SignableRequest::new("GET").bucket("b"), "ak", "sk", "Wed, 28 Dec 2022 10:27:41 GMT", &[])?;
    /// assert!(s.authorization().starts_with("OSS ak:"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The string to sign.
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// let s = v1::sign_header(&SignableRequest::new("GET").bucket("b"), "ak", "sk", "D", &[])?;
    /// assert_eq!(s.string_to_sign(), "GET\n\n\nD\n/b/");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl fmt::Debug for HeaderSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSigned")
            .field("authorization", &self.authorization)
            .finish_non_exhaustive()
    }
}

/// Signs `request` for the `Authorization: OSS <id>:<signature>` header; `date` is the value of
/// the request's `Date` header (RFC 1123), which the caller sends. `extra_sub_resources` names
/// further query parameters to sign.
///
/// ```
/// use oss_sign_core::{v1, SignableRequest};
/// let h = [("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="), ("Content-Type", "text/html"),
///     ("x-oss-meta-author", "alice"), ("x-oss-meta-magic", "abracadabra"),
///     ("x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT")];
/// let r = SignableRequest::new("PUT").bucket("examplebucket").key("nelson").headers(&h);
/// let s = v1::sign_header(&r, "ak", "sk", "Wed, 28 Dec 2022 10:27:41 GMT", &[])?;
/// assert_eq!(s.authorization(), "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn sign_header(
    request: &SignableRequest<'_>,
    access_key_id: &str,
    secret: &str,
    date: &str,
    extra_sub_resources: &[&str],
) -> Result<HeaderSigned, SignError> {
    request.validate()?;
    if access_key_id.is_empty() {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            "access key id is empty: a V1 signature needs the access key id of the credentials",
        ));
    }
    let string_to_sign = string_to_sign(request, date, &[], extra_sub_resources);
    let signature = sign(secret, &string_to_sign);
    Ok(HeaderSigned {
        authorization: format!("OSS {access_key_id}:{signature}"),
        string_to_sign,
    })
}

/// The V1 signature of a string to sign (base64 HMAC-SHA1), for verification.
pub(crate) fn signature_of(secret: &str, string_to_sign: &str) -> String {
    sign(secret, string_to_sign)
}
