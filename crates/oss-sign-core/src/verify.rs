//! Verification of presigned URLs and signed requests, for servers and for debugging.
//!
//! Given what a server received (method, the bucket and key it resolved, the raw query string
//! and the headers), a way to look up secrets, and "now", [`verify_presigned`] recomputes the
//! signature and compares it in constant time. When the signature does not match, the error
//! carries the canonical request and string to sign the verifier computed, so they can be diffed
//! against the client's.
//!
//! ```
//! use oss_sign_core::{v4, SignableRequest, SigningTime};
//! use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyErrorKind, VerifyRequest};
//!
//! let signed_at = SigningTime::from_unix_seconds(1_700_000_000)?;
//! let key = v4::SigningKey::derive("secret", signed_at, "cn-hangzhou", "oss");
//! let request = SignableRequest::new("GET").bucket("b").key("dir/a b.txt");
//! let presigned = v4::presign(&request, &v4::PresignParams::new("ak", "cn-hangzhou", signed_at, 60), &key)?;
//! let query = presigned.url_query();
//!
//! let secrets = StaticSecret::new("ak", "secret");
//! let received = VerifyRequest::new("GET", &query).bucket("b").key("dir/a b.txt");
//! let now = signed_at.checked_add_seconds(30).unwrap();
//! assert!(verify_presigned(&received, &secrets, now).is_ok());
//!
//! let later = signed_at.checked_add_seconds(61).unwrap();
//! let err = verify_presigned(&received, &secrets, later).unwrap_err();
//! assert_eq!(err.kind(), VerifyErrorKind::Expired);
//!
//! let tampered = VerifyRequest::new("GET", &query).bucket("b").key("dir/a c.txt");
//! let err = verify_presigned(&tampered, &secrets, now).unwrap_err();
//! assert_eq!(err.kind(), VerifyErrorKind::SignatureMismatch);
//! assert!(err.canonical_request().unwrap().contains("/b/dir/a%20c.txt"));
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```

use crate::canonical::{hashed_payload, CanonicalHeaders, CanonicalInputs, CanonicalRequest};
use crate::encoding::percent_decode;
use crate::request::SignableRequest;
use crate::time::{shorten, SigningTime};
use crate::v4::{self, SigningKey, ALGORITHM, MAX_EXPIRES_SECONDS, TERMINATOR};
use crate::{v1, SignErrorKind};
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Looks up the secret of an access key id.
///
/// Implemented for [`StaticSecret`] and for closures `Fn(&str) -> Option<String>`.
///
/// ```
/// use oss_sign_core::verify::SecretLookup;
/// let lookup = |id: &str| (id == "ak").then(|| "secret".to_string());
/// assert_eq!(lookup.secret_for("ak").as_deref(), Some("secret"));
/// assert_eq!(lookup.secret_for("other"), None);
/// ```
pub trait SecretLookup {
    /// The secret of `access_key_id`, or `None` when the id is unknown.
    fn secret_for(&self, access_key_id: &str) -> Option<String>;
}

impl<F> SecretLookup for F
where
    F: Fn(&str) -> Option<String>,
{
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self(access_key_id)
    }
}

/// One access key id and its secret. The secret is zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oss_sign_core::verify::{SecretLookup, StaticSecret};
/// let s = StaticSecret::new("ak", "top-secret");
/// assert_eq!(s.secret_for("ak").as_deref(), Some("top-secret"));
/// assert!(!format!("{s:?}").contains("top-secret"));
/// ```
#[derive(Clone)]
pub struct StaticSecret {
    access_key_id: String,
    secret: String,
}

impl StaticSecret {
    /// A lookup that knows exactly one key.
    ///
    /// ```
    /// use oss_sign_core::verify::StaticSecret;
    /// let s = StaticSecret::new("ak", "sk");
    /// # let _ = s;
    /// ```
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
        }
    }
}

impl SecretLookup for StaticSecret {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (self.access_key_id == access_key_id).then(|| self.secret.clone())
    }
}

impl Drop for StaticSecret {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl fmt::Debug for StaticSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticSecret")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// What a server received, as it resolved it: the method, the decoded bucket and key, the raw
/// (still encoded) query string without `?`, and the headers.
///
/// ```
/// use oss_sign_core::verify::VerifyRequest;
/// let headers = [("Host", "b.example.com")];
/// let r = VerifyRequest::new("GET", "x-oss-expires=60").bucket("b").key("k").headers(&headers);
/// # let _ = r;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    method: &'a str,
    raw_query: &'a str,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> VerifyRequest<'a> {
    /// A received request with this method and raw query (without the leading `?`).
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "");
    /// # let _ = r;
    /// ```
    pub fn new(method: &'a str, raw_query: &'a str) -> Self {
        Self {
            method,
            raw_query: raw_query.strip_prefix('?').unwrap_or(raw_query),
            bucket: None,
            key: None,
            headers: &[],
        }
    }

    /// The decoded bucket name the server resolved (from the host or the path).
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "").bucket("b");
    /// # let _ = r;
    /// ```
    pub fn bucket(mut self, bucket: &'a str) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// The decoded object key.
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "").bucket("b").key("a b");
    /// # let _ = r;
    /// ```
    pub fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }

    /// The request headers.
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let h = [("content-type", "text/plain")];
    /// let r = VerifyRequest::new("PUT", "").headers(&h);
    /// # let _ = r;
    /// ```
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

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
    version: SignatureVersion,
    access_key_id: String,
    signed_at: Option<SigningTime>,
    expiration: Option<SigningTime>,
    security_token: Option<String>,
}

impl Verified {
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

/// Why verification refused a request.
///
/// ```
/// use oss_sign_core::verify::VerifyErrorKind;
/// assert_ne!(VerifyErrorKind::Expired, VerifyErrorKind::SignatureMismatch);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyErrorKind {
    /// The request carries no signature at all.
    NotSigned,
    /// The URL's validity has ended.
    Expired,
    /// The URL was signed in the future (beyond the allowed clock skew).
    NotYetValid,
    /// A signature parameter or header is malformed (wrong format, bad encoding, wrong length).
    Malformed,
    /// A required signature parameter is missing.
    MissingParameter,
    /// A signature parameter appears more than once.
    DuplicateParameter,
    /// The access key id is not known to the verifier.
    UnknownAccessKey,
    /// The recomputed signature differs.
    SignatureMismatch,
    /// The credential scope names another date, region or product.
    ScopeMismatch,
    /// `x-oss-expires` is outside 1..=604800.
    ExpiresOutOfRange,
    /// A header listed in `x-oss-additional-headers` was not sent.
    MissingSignedHeader,
}

/// A refused request: its kind, a message saying what was wrong, and for a signature mismatch
/// the canonical request and string to sign that the verifier computed. Never contains a secret.
///
/// ```
/// use oss_sign_core::SigningTime;
/// use oss_sign_core::verify::*;
/// let err = verify_presigned(&VerifyRequest::new("GET", "a=b"), &StaticSecret::new("ak", "sk"),
///     SigningTime::from_unix_seconds(0)?).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::NotSigned);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: String,
    expired_at: Option<SigningTime>,
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
}

impl VerifyError {
    fn new(kind: VerifyErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            expired_at: None,
            canonical_request: None,
            string_to_sign: None,
        }
    }

    /// The kind of refusal.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The message (the same text as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For [`VerifyErrorKind::Expired`]: when the URL expired.
    pub fn expired_at(&self) -> Option<SigningTime> {
        self.expired_at
    }

    /// For [`VerifyErrorKind::SignatureMismatch`]: the canonical request the verifier computed
    /// (V4; `None` for V1, which has none).
    pub fn canonical_request(&self) -> Option<&str> {
        self.canonical_request.as_deref()
    }

    /// For [`VerifyErrorKind::SignatureMismatch`]: the string to sign the verifier computed.
    pub fn string_to_sign(&self) -> Option<&str> {
        self.string_to_sign.as_deref()
    }
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("expired_at", &self.expired_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}

/// Options of verification beyond the defaults of [`verify_presigned`].
///
/// ```
/// use oss_sign_core::verify::VerifyOptions;
/// let options = VerifyOptions::new().region("cn-hangzhou").max_clock_skew_seconds(60);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    region: Option<String>,
    product: Option<String>,
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

    fn skew(&self) -> i64 {
        i64::from(self.max_clock_skew_seconds.unwrap_or(900))
    }
}

/// A decoded query parameter and whether it had an `=`.
struct QueryPair {
    name: String,
    value: String,
}

fn parse_query(raw: &str) -> Result<Vec<QueryPair>, VerifyError> {
    let mut pairs = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let decode = |text: &str| {
            percent_decode(text).map_err(|e| {
                VerifyError::new(
                    VerifyErrorKind::Malformed,
                    format!("query parameter {:?} is malformed: {e}", shorten(name)),
                )
            })
        };
        pairs.push(QueryPair {
            name: decode(name)?,
            value: decode(value)?,
        });
    }
    Ok(pairs)
}

/// The single value of an authentication parameter: missing and repeated are errors.
fn single<'q>(pairs: &'q [QueryPair], name: &str) -> Result<Option<&'q str>, VerifyError> {
    let mut found = None;
    for pair in pairs.iter().filter(|p| p.name == name) {
        if found.is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                format!("query parameter {name} appears more than once: a presigned URL carries each signature parameter exactly once"),
            ));
        }
        found = Some(pair.value.as_str());
    }
    Ok(found)
}

fn required<'q>(pairs: &'q [QueryPair], name: &str) -> Result<&'q str, VerifyError> {
    single(pairs, name)?.ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            format!("query parameter {name} is missing: a presigned URL must carry it"),
        )
    })
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Verifies a presigned URL (V4 `x-oss-signature` or V1 `Signature`) with default options.
///
/// See the [module documentation](self) for an example.
pub fn verify_presigned(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    verify_presigned_with(request, secrets, now, &VerifyOptions::default())
}

/// Verifies a presigned URL with explicit [`VerifyOptions`].
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::*;
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-beijing", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-beijing", t, 60), &key)?;
/// let query = p.url_query();
/// let err = verify_presigned_with(&VerifyRequest::new("GET", &query).bucket("b").key("k"),
///     &StaticSecret::new("ak", "sk"), t, &VerifyOptions::new().region("cn-hangzhou")).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::ScopeMismatch);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_presigned_with(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let pairs = parse_query(request.raw_query)?;
    let has = |name: &str| pairs.iter().any(|p| p.name == name);
    if has("x-oss-signature-version") || has("x-oss-signature") || has("x-oss-credential") {
        verify_v4_query(request, &pairs, secrets, now, options)
    } else if has("OSSAccessKeyId") || has("Signature") {
        verify_v1_query(request, &pairs, secrets, now)
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request carries no presigned-URL signature: expected x-oss-signature (V4) or Signature (V1) in the query",
        ))
    }
}

/// The parts of `x-oss-credential`: `ak/YYYYMMDD/region/product/aliyun_v4_request`.
struct CredentialScope<'c> {
    access_key_id: &'c str,
    date: &'c str,
    region: &'c str,
    product: &'c str,
}

fn parse_credential(credential: &str) -> Result<CredentialScope<'_>, VerifyError> {
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

fn check_scope(
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

fn check_hex_signature(signature: &str) -> Result<(), VerifyError> {
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

fn lookup_secret(secrets: &dyn SecretLookup, access_key_id: &str) -> Result<String, VerifyError> {
    secrets.secret_for(access_key_id).ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::UnknownAccessKey,
            format!(
                "access key id {:?} is not known to this verifier",
                shorten(access_key_id)
            ),
        )
    })
}

fn additional_list(
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
fn v4_intermediates(
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
fn check_v4_signature(
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

/// What a presigned URL was (or should have been) signed over, recomputed without any secret:
/// the canonical request (V4) and the string to sign. See [`explain_presigned`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    version: SignatureVersion,
    canonical_request: Option<String>,
    string_to_sign: String,
}

impl Explanation {
    /// The signature scheme of the URL.
    pub fn version(&self) -> SignatureVersion {
        self.version
    }

    /// The canonical request (V4; `None` for V1, which has none).
    pub fn canonical_request(&self) -> Option<&str> {
        self.canonical_request.as_deref()
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> Option<&str> {
        Some(&self.string_to_sign)
    }
}

/// Recomputes the canonical request and string to sign of a presigned URL as a verifier would,
/// without a secret and without checking the time: what a user compares with the client's when
/// OSS answers `SignatureDoesNotMatch`. Fails on the same malformed or missing parameters as
/// [`verify_presigned`].
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-hangzhou", t, 60), &key)?;
/// let query = p.url_query();
/// let explained = explain_presigned(&VerifyRequest::new("GET", &query).bucket("b").key("k")).unwrap();
/// assert_eq!(explained.canonical_request(), Some(p.canonical_request()));
/// assert_eq!(explained.string_to_sign(), Some(p.string_to_sign()));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn explain_presigned(request: &VerifyRequest<'_>) -> Result<Explanation, VerifyError> {
    let pairs = parse_query(request.raw_query)?;
    let has = |name: &str| pairs.iter().any(|p| p.name == name);
    if has("x-oss-signature-version") || has("x-oss-signature") || has("x-oss-credential") {
        let credential = required(&pairs, "x-oss-credential")?;
        let date_text = required(&pairs, "x-oss-date")?;
        let additional_line = single(&pairs, "x-oss-additional-headers")?;
        let scope = parse_credential(credential)?;
        let signed_at = SigningTime::parse_x_oss_date(date_text)
            .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
        let additional = additional_list(request, additional_line)?;
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|p| p.name != "x-oss-signature")
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        let (canonical_request, string_to_sign) = v4_intermediates(
            request,
            &query,
            &additional,
            additional_line.unwrap_or(""),
            &scope,
            signed_at,
        );
        Ok(Explanation {
            version: SignatureVersion::V4,
            canonical_request: Some(canonical_request),
            string_to_sign,
        })
    } else if has("OSSAccessKeyId") || has("Signature") {
        let expires_text = required(&pairs, "Expires")?;
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|p| !matches!(p.name.as_str(), "OSSAccessKeyId" | "Expires" | "Signature"))
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        let signable = signable_for_v1(request, &query);
        Ok(Explanation {
            version: SignatureVersion::V1,
            canonical_request: None,
            string_to_sign: v1::string_to_sign(&signable, expires_text, &[], &[]),
        })
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request carries no presigned-URL signature: expected x-oss-signature (V4) or Signature (V1) in the query",
        ))
    }
}

fn verify_v4_query(
    request: &VerifyRequest<'_>,
    pairs: &[QueryPair],
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let version = required(pairs, "x-oss-signature-version")?;
    if version != ALGORITHM {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "x-oss-signature-version {:?} is not supported: expected {ALGORITHM}",
                shorten(version)
            ),
        ));
    }
    let credential = required(pairs, "x-oss-credential")?;
    let date_text = required(pairs, "x-oss-date")?;
    let expires_text = required(pairs, "x-oss-expires")?;
    let signature = required(pairs, "x-oss-signature")?;
    let token = single(pairs, "x-oss-security-token")?;
    let additional_line = single(pairs, "x-oss-additional-headers")?;

    let scope = parse_credential(credential)?;
    let signed_at = SigningTime::parse_x_oss_date(date_text)
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
    check_scope(&scope, signed_at, options)?;
    if expires_text.is_empty()
        || expires_text.len() > 10
        || !expires_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "x-oss-expires {:?} is not a number: it must be the validity in seconds, 1 to 604800",
                shorten(expires_text)
            ),
        ));
    }
    let expires: u64 = expires_text.parse().unwrap_or(u64::MAX);
    if expires == 0 || expires > u64::from(MAX_EXPIRES_SECONDS) {
        return Err(VerifyError::new(
            VerifyErrorKind::ExpiresOutOfRange,
            format!("x-oss-expires {expires} is out of range: it must be 1 to 604800 seconds"),
        ));
    }
    check_hex_signature(signature)?;

    // expires <= 604800, so the addition cannot leave the supported range by much; clamp anyway.
    let expiration = signed_at
        .checked_add_seconds(expires as i64)
        .unwrap_or(signed_at);
    if now.unix_seconds() + options.skew() < signed_at.unix_seconds() {
        return Err(VerifyError::new(
            VerifyErrorKind::NotYetValid,
            format!(
                "the URL is signed at {signed_at}, {} seconds in the future: check the signer's clock",
                signed_at.unix_seconds() - now.unix_seconds()
            ),
        ));
    }
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
    let additional = additional_list(request, additional_line)?;
    let mut secret = lookup_secret(secrets, scope.access_key_id)?;
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|p| p.name != "x-oss-signature")
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    let outcome = check_v4_signature(
        request,
        &query,
        &additional,
        additional_line.unwrap_or(""),
        &scope,
        signed_at,
        &secret,
        signature,
    );
    secret.zeroize();
    outcome?;
    Ok(Verified {
        version: SignatureVersion::V4,
        access_key_id: scope.access_key_id.to_owned(),
        signed_at: Some(signed_at),
        expiration: Some(expiration),
        security_token: token.map(ToOwned::to_owned),
    })
}

fn verify_v1_query(
    request: &VerifyRequest<'_>,
    pairs: &[QueryPair],
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    let access_key_id = required(pairs, "OSSAccessKeyId")?;
    let expires_text = required(pairs, "Expires")?;
    let signature = required(pairs, "Signature")?;
    let token = single(pairs, "security-token")?;
    if expires_text.is_empty()
        || expires_text.len() > 12
        || !expires_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "Expires {:?} is not a number: V1 Expires is the absolute expiry in Unix seconds",
                shorten(expires_text)
            ),
        ));
    }
    let expires_unix: i64 = expires_text.parse().unwrap_or(i64::MAX);
    let expiration = SigningTime::from_unix_seconds(expires_unix)
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("Expires: {e}")))?;
    if signature.len() != 28 {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "Signature is malformed: a V1 signature is 28 base64 characters (got {})",
                signature.len()
            ),
        ));
    }
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
    let mut secret = lookup_secret(secrets, access_key_id)?;
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|p| !matches!(p.name.as_str(), "OSSAccessKeyId" | "Expires" | "Signature"))
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    let signable = signable_for_v1(request, &query);
    let string_to_sign = v1::string_to_sign(&signable, expires_text, &[], &[]);
    let expected = v1::signature_of(&secret, &string_to_sign);
    secret.zeroize();
    if !constant_time_eq(&expected, signature) {
        let mut err = VerifyError::new(
            VerifyErrorKind::SignatureMismatch,
            "the request signature we calculated does not match the signature provided: compare the string to sign below with the client's",
        );
        err.string_to_sign = Some(string_to_sign);
        return Err(err);
    }
    Ok(Verified {
        version: SignatureVersion::V1,
        access_key_id: access_key_id.to_owned(),
        signed_at: None,
        expiration: Some(expiration),
        security_token: token.map(ToOwned::to_owned),
    })
}

fn signable_for_v1<'a>(
    request: &VerifyRequest<'a>,
    query: &'a [(&'a str, &'a str)],
) -> SignableRequest<'a> {
    let mut signable = SignableRequest::new(request.method)
        .query(query)
        .headers(request.headers);
    if let Some(bucket) = request.bucket {
        signable = signable.bucket(bucket);
    }
    if let Some(key) = request.key {
        signable = signable.key(key);
    }
    signable
}

/// Verifies a request signed in the `Authorization` header: V4
/// (`OSS4-HMAC-SHA256 Credential=...,Signature=...` with `x-oss-date`) or V1
/// (`OSS <id>:<signature>` with `Date`). The signing time must lie within the clock skew
/// (900 seconds by default) of `now`, in either direction.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// use oss_sign_core::verify::*;
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::HeaderParams::new("ak", "cn-hangzhou", t), &key)?;
/// let headers: Vec<(&str, &str)> = signed.headers_to_add().iter().map(|(n, v)| (*n, v.as_str())).collect();
/// let ok = verify_authorization(&VerifyRequest::new("GET", "").bucket("b").key("k").headers(&headers),
///     &StaticSecret::new("ak", "sk"), t).unwrap();
/// assert_eq!(ok.version(), SignatureVersion::V4);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_authorization(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
) -> Result<Verified, VerifyError> {
    verify_authorization_with(request, secrets, now, &VerifyOptions::default())
}

/// [`verify_authorization`] with explicit [`VerifyOptions`].
///
/// ```
/// use oss_sign_core::SigningTime;
/// use oss_sign_core::verify::*;
/// let h = [("authorization", "Bearer x")];
/// let err = verify_authorization_with(&VerifyRequest::new("GET", "").headers(&h),
///     &StaticSecret::new("ak", "sk"), SigningTime::from_unix_seconds(0)?, &VerifyOptions::new()).unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::Malformed);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn verify_authorization_with(
    request: &VerifyRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let Some(authorization) = request.header("authorization") else {
        return Err(VerifyError::new(
            VerifyErrorKind::NotSigned,
            "the request has no Authorization header",
        ));
    };
    let authorization = authorization.trim();
    if let Some(rest) = authorization.strip_prefix("OSS4-HMAC-SHA256 ") {
        verify_v4_header(request, rest, secrets, now, options)
    } else if let Some(rest) = authorization.strip_prefix("OSS ") {
        verify_v1_header(request, rest, secrets, now, options)
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            "the Authorization header is not an OSS signature: expected `OSS4-HMAC-SHA256 Credential=...` or `OSS <id>:<signature>`",
        ))
    }
}

fn check_skew(
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

fn verify_v4_header(
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
    let signed_at = SigningTime::parse_x_oss_date(date_text.trim())
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
    check_scope(&scope, signed_at, options)?;
    check_hex_signature(signature)?;
    check_skew(signed_at, now, options)?;
    let additional = additional_list(request, additional_line)?;
    let mut secret = lookup_secret(secrets, scope.access_key_id)?;
    let pairs = parse_query(request.raw_query)?;
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    let outcome = check_v4_signature(
        request,
        &query,
        &additional,
        additional_line.unwrap_or(""),
        &scope,
        signed_at,
        &secret,
        signature,
    );
    secret.zeroize();
    outcome?;
    Ok(Verified {
        version: SignatureVersion::V4,
        access_key_id: scope.access_key_id.to_owned(),
        signed_at: Some(signed_at),
        expiration: None,
        security_token: request
            .header("x-oss-security-token")
            .map(ToOwned::to_owned),
    })
}

fn verify_v1_header(
    request: &VerifyRequest<'_>,
    rest: &str,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let (access_key_id, signature) = rest.rsplit_once(':').ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::Malformed,
            "the Authorization header is malformed: expected `OSS <access key id>:<signature>`",
        )
    })?;
    let date_text = request
        .header("date")
        .or_else(|| request.header("x-oss-date"))
        .ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::MissingParameter,
                "header Date is missing: a V1 header-signed request must carry it",
            )
        })?;
    let signed_at = SigningTime::parse_http_date(date_text.trim())
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))?;
    check_skew(signed_at, now, options)?;
    let mut secret = lookup_secret(secrets, access_key_id)?;
    let pairs = parse_query(request.raw_query)?;
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    let signable = signable_for_v1(request, &query);
    let string_to_sign = v1::string_to_sign(&signable, date_text, &[], &[]);
    let expected = v1::signature_of(&secret, &string_to_sign);
    secret.zeroize();
    if !constant_time_eq(&expected, signature) {
        let mut err = VerifyError::new(
            VerifyErrorKind::SignatureMismatch,
            "the request signature we calculated does not match the signature provided: compare the string to sign below with the client's",
        );
        err.string_to_sign = Some(string_to_sign);
        return Err(err);
    }
    let _ = SignErrorKind::InvalidInput;
    Ok(Verified {
        version: SignatureVersion::V1,
        access_key_id: access_key_id.to_owned(),
        signed_at: Some(signed_at),
        expiration: None,
        security_token: request
            .header("x-oss-security-token")
            .map(ToOwned::to_owned),
    })
}
