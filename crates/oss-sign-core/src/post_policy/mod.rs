//! V4 POST policies (browser form uploads, `PostObject`): building and signing a policy, and
//! verifying a submitted form against one.
//!
//! The policy is a JSON document (`expiration` and `conditions`); the form carries it base64
//! encoded in the `policy` field. The **string to sign is the base64 text itself**, and
//! `x-oss-signature` is its lower-case hex HMAC-SHA256 under the same day/region/product
//! [`SigningKey`] as every V4 signature, so a cached key signs policies too.
//! [`sign_post_policy`] adds the V4 conditions (`x-oss-signature-version`, `x-oss-credential`,
//! `x-oss-date` and, with STS, `x-oss-security-token`) and serialises the policy exactly as
//! JavaScript's `JSON.stringify` would (so ali-oss's `signPostObjectPolicyV4` signs the same
//! bytes).
//!
//! ```
//! use oss_sign_core::post_policy::{sign_post_policy, Condition, PostPolicy, PostPolicyParams};
//! use oss_sign_core::{v4::SigningKey, SigningTime};
//!
//! let now = SigningTime::parse_x_oss_date("20231203T121212Z")?;
//! let key = SigningKey::derive("sk", now, "cn-hangzhou", "oss");
//! let policy = PostPolicy::new(now.checked_add_seconds(3600).unwrap())
//!     .condition(Condition::bucket("examplebucket"))
//!     .condition(Condition::starts_with("key", "user/"))
//!     .condition(Condition::content_length_range(1, 10 << 20));
//! let signed = sign_post_policy(&policy, &PostPolicyParams::new("ak", "cn-hangzhou", now), &key)?;
//! assert!(signed.policy_json().starts_with(
//!     r#"{"expiration":"2023-12-03T13:12:12.000Z","conditions":[{"bucket":"examplebucket"},["starts-with","$key","user/"],"#
//! ));
//! assert_eq!(signed.signature().len(), 64);
//! assert_eq!(signed.form_fields()[0].0, "policy");
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```
//!
//! A server checks a submitted form with [`verify_post_form`]: the signature (in constant
//! time), the dates, then every condition against the form fields and the file size, each
//! refusal a [`PostPolicyError`] carrying OSS's error code.

mod condition;
mod error;
mod json;
mod verify;

pub use condition::{Condition, MAX_POLICY_SECONDS};

pub use error::{PostPolicyError, PostPolicyErrorKind};
pub use verify::{
    parse_policy, verify_post_form, ParsedPolicy, PostForm, PostVerifyOptions, VerifiedPost,
    MAX_POLICY_BYTES,
};

use crate::error::{SignError, SignErrorKind};
use crate::time::SigningTime;
use crate::v4::{SigningKey, ALGORITHM, DEFAULT_PRODUCT, TERMINATOR};
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;

/// A POST policy: its expiration and conditions, in order.
///
/// ```
/// use oss_sign_core::post_policy::{Condition, PostPolicy};
/// use oss_sign_core::SigningTime;
/// let p = PostPolicy::new(SigningTime::parse_rfc3339("2023-12-03T13:00:00Z")?)
///     .condition(Condition::content_length_range(0, 10));
/// assert_eq!(p.to_json(), r#"{"expiration":"2023-12-03T13:00:00.000Z","conditions":[["content-length-range",0,10]]}"#);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    expiration: SigningTime,
    conditions: Vec<Condition>,
}

impl PostPolicy {
    /// A policy valid until `expiration`, without conditions.
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicy, SigningTime};
    /// let p = PostPolicy::new(SigningTime::from_unix_seconds(0)?);
    /// assert!(p.conditions().is_empty());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(expiration: SigningTime) -> Self {
        Self {
            expiration,
            conditions: Vec::new(),
        }
    }

    /// Adds a condition (kept in order).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::{Condition, PostPolicy}, SigningTime};
    /// let p = PostPolicy::new(SigningTime::from_unix_seconds(0)?).condition(Condition::bucket("b"));
    /// assert_eq!(p.conditions().len(), 1);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// When the policy stops being accepted.
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicy, SigningTime};
    /// let t = SigningTime::from_unix_seconds(60)?;
    /// assert_eq!(PostPolicy::new(t).expiration(), t);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn expiration(&self) -> SigningTime {
        self.expiration
    }

    /// The conditions, in order.
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicy, SigningTime};
    /// assert!(PostPolicy::new(SigningTime::from_unix_seconds(0)?).conditions().is_empty());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The policy as compact JSON (`expiration` with milliseconds, as `Date.toISOString`).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicy, SigningTime};
    /// let p = PostPolicy::new(SigningTime::from_unix_seconds(0)?);
    /// assert_eq!(p.to_json(), r#"{"expiration":"1970-01-01T00:00:00.000Z","conditions":[]}"#);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn to_json(&self) -> String {
        self.json_with(&[])
    }

    /// The policy JSON with `extra` exact-match conditions (`{"field":"value"}`) after the
    /// policy's own.
    fn json_with(&self, extra: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(96 + 48 * (self.conditions.len() + extra.len()));
        out.push_str("{\"expiration\":\"");
        let iso = self.expiration.to_rfc3339();
        out.push_str(&iso[..iso.len() - 1]);
        out.push_str(".000Z\",\"conditions\":[");
        for (i, c) in self.conditions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            c.write_json(&mut out, ",");
        }
        for (i, (field, value)) in extra.iter().enumerate() {
            if i > 0 || !self.conditions.is_empty() {
                out.push(',');
            }
            out.push('{');
            json::write_str(&mut out, field);
            out.push(':');
            json::write_str(&mut out, value);
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// Who signs and when: the access key id, region, signing instant, and optionally the STS
/// token and product.
///
/// ```
/// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
/// let p = PostPolicyParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?)
///     .security_token(Some("token"));
/// assert!(!format!("{p:?}").contains("token\""));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Clone, Copy)]
pub struct PostPolicyParams<'a> {
    access_key_id: &'a str,
    region: &'a str,
    product: &'a str,
    time: SigningTime,
    security_token: Option<&'a str>,
}

impl fmt::Debug for PostPolicyParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostPolicyParams")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("product", &self.product)
            .field("time", &self.time)
            .field("security_token", &self.token().map(|_| "<redacted>"))
            .finish()
    }
}

impl<'a> PostPolicyParams<'a> {
    /// Parameters for signing at `time` with `access_key_id` in `region` (product `oss`).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let _ = PostPolicyParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            access_key_id,
            region,
            product: DEFAULT_PRODUCT,
            time,
            security_token: None,
        }
    }

    /// The STS token, added as the `x-oss-security-token` condition and form field; `None` or
    /// empty means none.
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let _ = PostPolicyParams::new("ak", "r", SigningTime::from_unix_seconds(0)?).security_token(None);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn security_token(mut self, token: Option<&'a str>) -> Self {
        self.security_token = token;
        self
    }

    /// The product in the credential scope (`oss` by default).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let _ = PostPolicyParams::new("ak", "r", SigningTime::from_unix_seconds(0)?).product("oss-cloudbox");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn product(mut self, product: &'a str) -> Self {
        self.product = product;
        self
    }

    fn token(&self) -> Option<&'a str> {
        self.security_token.filter(|t| !t.is_empty())
    }

    fn credential(&self) -> String {
        format!(
            "{}/{}/{}/{}/{}",
            self.access_key_id,
            self.time.date_stamp(),
            self.region,
            self.product,
            TERMINATOR
        )
    }

    fn validate(&self, key: &SigningKey) -> Result<(), SignError> {
        if self.access_key_id.is_empty()
            || self.access_key_id.bytes().any(|b| b < 0x20 || b == 0x7f)
        {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id is empty or has a control character: a V4 policy needs the printable access key id of the credentials",
            ));
        }
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
                    "the signing key was derived for {}/{}/{} but the policy is signed for {}/{}/{}: derive a key for the signing day, region and product",
                    key.date_stamp(),
                    key.region(),
                    key.product(),
                    self.time.date_stamp(),
                    crate::error::shorten(self.region),
                    crate::error::shorten(self.product)
                ),
            ));
        }
        Ok(())
    }
}

/// A signed policy: the JSON, its base64 form, the signature, and the form fields to send.
///
/// `Debug` hides the security token.
#[derive(Clone)]
pub struct SignedPostPolicy {
    json: String,
    base64: String,
    signature: String,
    credential: String,
    date: String,
    security_token: Option<String>,
}

impl fmt::Debug for SignedPostPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPostPolicy")
            .field("credential", &self.credential)
            .field("date", &self.date)
            .field("signature", &self.signature)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl SignedPostPolicy {
    /// The policy JSON that was signed (with the V4 conditions added).
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// assert!(s.policy_json().ends_with(r#"{"x-oss-date":"19700101T000000Z"}]}"#));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn policy_json(&self) -> &str {
        &self.json
    }

    /// The `policy` form field: standard base64 of the JSON (the string to sign).
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// assert!(s.policy_base64().starts_with("eyJleHBpcmF0aW9uIjoi"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn policy_base64(&self) -> &str {
        &self.base64
    }

    /// `x-oss-signature`: lower-case hex HMAC-SHA256 of the base64 policy.
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// assert!(s.signature().bytes().all(|b| b.is_ascii_hexdigit()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// `x-oss-credential`: `<ak>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// assert_eq!(s.credential(), "ak/19700101/r/oss/aliyun_v4_request");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// `x-oss-date`, `YYYYMMDDTHHMMSSZ`.
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// assert_eq!(s.date(), "19700101T000000Z");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn date(&self) -> &str {
        &self.date
    }

    /// The authentication form fields in the order to send them: `policy`,
    /// `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-security-token`
    /// (with STS), `x-oss-signature`. The caller adds `key`, its own fields and the file last.
    ///
    /// ```
    /// # use oss_sign_core::post_policy::*; use oss_sign_core::{v4::SigningKey, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?; let key = SigningKey::derive("sk", t, "r", "oss");
    /// let s = sign_post_policy(&PostPolicy::new(t.checked_add_seconds(60).unwrap()), &PostPolicyParams::new("ak", "r", t), &key)?;
    /// let names: Vec<&str> = s.form_fields().iter().map(|(n, _)| *n).collect();
    /// assert_eq!(names, ["policy", "x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-signature"]);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn form_fields(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::with_capacity(6);
        out.push(("policy", self.base64.as_str()));
        out.push(("x-oss-signature-version", ALGORITHM));
        out.push(("x-oss-credential", self.credential.as_str()));
        out.push(("x-oss-date", self.date.as_str()));
        if let Some(token) = &self.security_token {
            out.push(("x-oss-security-token", token.as_str()));
        }
        out.push(("x-oss-signature", self.signature.as_str()));
        out
    }
}

/// Signs `policy`: appends the V4 conditions, serialises, base64-encodes and signs.
///
/// Refuses (before signing) an expiration not after the signing instant or more than 7 days
/// ([`MAX_POLICY_SECONDS`]) after it, and a key derived for another day, region or product.
///
/// ```
/// use oss_sign_core::post_policy::*;
/// use oss_sign_core::{v4::SigningKey, SignErrorKind, SigningTime};
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let too_long = PostPolicy::new(t.checked_add_seconds(604_801).unwrap());
/// let err = sign_post_policy(&too_long, &PostPolicyParams::new("ak", "cn-hangzhou", t), &key).unwrap_err();
/// assert_eq!(err.kind(), SignErrorKind::InvalidExpiry);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn sign_post_policy(
    policy: &PostPolicy,
    params: &PostPolicyParams<'_>,
    key: &SigningKey,
) -> Result<SignedPostPolicy, SignError> {
    params.validate(key)?;
    let validity = policy.expiration.seconds_since(params.time);
    if !(1..=MAX_POLICY_SECONDS).contains(&validity) {
        return Err(SignError::new(
            SignErrorKind::InvalidExpiry,
            format!(
                "policy expiration {} is {validity} seconds after the signing time {}: it must be 1..=604800 seconds (7 days) later",
                policy.expiration.to_rfc3339(),
                params.time.to_rfc3339()
            ),
        ));
    }
    let credential = params.credential();
    let date = params.time.x_oss_date();
    let mut extra = [
        ("x-oss-signature-version", ALGORITHM),
        ("x-oss-credential", credential.as_str()),
        ("x-oss-date", date.as_str()),
        ("x-oss-security-token", ""),
    ];
    let count = match params.token() {
        Some(token) => {
            extra[3].1 = token;
            4
        }
        None => 3,
    };
    let json = policy.json_with(extra.get(..count).unwrap_or(&extra));
    let (base64, signature) = sign_policy_document(&json, key);
    Ok(SignedPostPolicy {
        json,
        base64,
        signature,
        credential,
        date,
        security_token: params.token().map(ToOwned::to_owned),
    })
}

/// Signs a policy document given verbatim (its exact bytes, unchanged): returns the base64
/// `policy` field and the hex `x-oss-signature`. For comparing with another signer on the same
/// bytes; nothing is checked or added.
///
/// ```
/// use oss_sign_core::{post_policy::sign_policy_document, v4::SigningKey, SigningTime};
/// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "r", "oss");
/// let (b64, sig) = sign_policy_document("{}", &key);
/// assert_eq!(b64, "e30=");
/// assert_eq!(sig.len(), 64);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn sign_policy_document(policy_json: &str, key: &SigningKey) -> (String, String) {
    let base64 = base64::engine::general_purpose::STANDARD.encode(policy_json.as_bytes());
    let signature = key.sign_hex(base64.as_bytes());
    (base64, signature)
}
