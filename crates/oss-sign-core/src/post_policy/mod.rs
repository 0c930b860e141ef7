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
mod document;
mod error;
mod verify;

pub use condition::{Condition, MAX_POLICY_SECONDS};
pub use document::PostPolicy;
pub use error::{PostPolicyError, PostPolicyErrorKind};
pub use verify::{
    parse_policy, policy_expiration, verify_post_form, ParsedPolicy, PostForm, PostVerifyOptions,
    VerifiedPost, MAX_POLICY_BYTES,
};

use crate::error::{SignError, SignErrorKind};
use crate::scope_params::ScopeParams;
use crate::time::SigningTime;
use crate::v4::{SigningKey, ALGORITHM, TERMINATOR};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;

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
    /// The scope, `additional_headers` always empty (a policy signs no headers).
    scope: ScopeParams<'a>,
}

impl fmt::Debug for PostPolicyParams<'_> {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.scope
            .debug_fields(&mut f.debug_struct("PostPolicyParams"))
            .finish()
    }
}

impl<'a> PostPolicyParams<'a> {
    /// Parameters for signing at `time` with `access_key_id` in `region` (product `oss`).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let p = PostPolicyParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?);
    /// let shown = format!("{p:?}");
    /// assert!(shown.contains(r#"region: "cn-hangzhou""#) && shown.contains(r#"product: "oss""#));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            scope: ScopeParams::new(access_key_id, region, time),
        }
    }

    /// The STS token, added as the `x-oss-security-token` condition and form field; `None` or
    /// empty means none.
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let p = PostPolicyParams::new("ak", "r", SigningTime::from_unix_seconds(0)?);
    /// assert!(format!("{:?}", p.security_token(Some("tok"))).contains("security_token: Some(\"<redacted>\")"));
    /// // An empty token is no token.
    /// assert_eq!(format!("{:?}", p.security_token(Some(""))), format!("{:?}", p.security_token(None)));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn security_token(mut self, token: Option<&'a str>) -> Self {
        self.scope.security_token = token;
        self
    }

    /// The product in the credential scope (`oss` by default).
    ///
    /// ```
    /// use oss_sign_core::{post_policy::PostPolicyParams, SigningTime};
    /// let p = PostPolicyParams::new("ak", "r", SigningTime::from_unix_seconds(0)?).product("oss-cloudbox");
    /// assert!(format!("{p:?}").contains(r#"product: "oss-cloudbox""#));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn product(mut self, product: &'a str) -> Self {
        self.scope.product = product;
        self
    }

    /// The parts of `x-oss-credential`, `<ak>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request`,
    /// to be joined (`date_stamp` is the first eight bytes of the `x-oss-date`).
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn credential_parts<'s>(&'s self, date_stamp: &'s str) -> [&'s str; 9] {
        [
            self.scope.access_key_id,
            "/",
            date_stamp,
            "/",
            self.scope.region,
            "/",
            self.scope.product,
            "/",
            TERMINATOR,
        ]
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn validate(&self, key: &SigningKey) -> Result<(), SignError> {
        if self.scope.access_key_id.is_empty()
            || self
                .scope
                .access_key_id
                .bytes()
                .any(|b| b < 0x20 || b == 0x7f)
        {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "access key id is empty or has a control character: a V4 policy needs the printable access key id of the credentials",
            ));
        }
        if let Some(token) = self.scope.token() {
            if token.bytes().any(|b| b < 0x20 || b == 0x7f) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    "security token contains a control character: only printable characters are allowed",
                ));
            }
        }
        if !key.is_for(self.scope.time, self.scope.region, self.scope.product) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                format!(
                    "the signing key was derived for {}/{}/{} but the policy is signed for {}/{}/{}: derive a key for the signing day, region and product",
                    key.date_stamp(),
                    key.region(),
                    key.product(),
                    self.scope.time.date_stamp(),
                    crate::error::shorten(self.scope.region),
                    crate::error::shorten(self.scope.product)
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
    /// Everything in one buffer, in this order: the JSON, the credential, the date (16 bytes),
    /// the security token (empty without one), the base64 policy, the signature (64 bytes).
    text: String,
    json_end: usize,
    credential_end: usize,
    token_end: usize,
    base64_end: usize,
    has_token: bool,
}

impl fmt::Debug for SignedPostPolicy {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPostPolicy")
            .field("credential", &self.credential())
            .field("date", &self.date())
            .field("signature", &self.signature())
            .field(
                "security_token",
                &self.security_token().map(|_| "<redacted>"),
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn policy_json(&self) -> &str {
        self.part(0, self.json_end)
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn policy_base64(&self) -> &str {
        self.part(self.token_end, self.base64_end)
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn signature(&self) -> &str {
        self.part(self.base64_end, self.text.len())
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn credential(&self) -> &str {
        self.part(self.json_end, self.credential_end)
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn date(&self) -> &str {
        self.part(self.credential_end, self.credential_end + 16)
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn security_token(&self) -> Option<&str> {
        self.has_token
            .then(|| self.part(self.credential_end + 16, self.token_end))
    }

    /// `text[from..to]`; the cuts all fall between ASCII bytes or at the JSON's end.
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn part(&self, from: usize, to: usize) -> &str {
        self.text.get(from..to).unwrap_or_default()
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn form_fields(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::with_capacity(6);
        out.push(("policy", self.policy_base64()));
        out.push(("x-oss-signature-version", ALGORITHM));
        out.push(("x-oss-credential", self.credential()));
        out.push(("x-oss-date", self.date()));
        if let Some(token) = self.security_token() {
            out.push(("x-oss-security-token", token));
        }
        out.push(("x-oss-signature", self.signature()));
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
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn sign_post_policy(
    policy: &PostPolicy,
    params: &PostPolicyParams<'_>,
    key: &SigningKey,
) -> Result<SignedPostPolicy, SignError> {
    params.validate(key)?;
    let validity = policy.expiration().seconds_since(params.scope.time);
    if !(1..=MAX_POLICY_SECONDS).contains(&validity) {
        return Err(SignError::new(
            SignErrorKind::InvalidExpiry,
            format!(
                "policy expiration {} is {validity} seconds after the signing time {}: it must be 1..=604800 seconds (7 days) later",
                policy.expiration().to_rfc3339(),
                params.scope.time.to_rfc3339()
            ),
        ));
    }
    // One allocation: the JSON (with the V4 conditions), then the credential, date and token
    // fields, then the base64 policy encoded straight into place and the hex signature.
    let date_bytes = params.scope.time.x_oss_date_bytes();
    // ASCII digits: always valid.
    let date = core::str::from_utf8(&date_bytes).unwrap_or_default();
    let credential = params.credential_parts(date.get(..8).unwrap_or_default());
    let credential_len: usize = credential.iter().map(|p| p.len()).sum();
    let token = params.scope.token();
    let token_len = token.map_or(0, str::len);
    let mut extra: [(&str, &[&str]); 4] = [
        ("x-oss-signature-version", &[ALGORITHM]),
        ("x-oss-credential", &credential),
        ("x-oss-date", &[date]),
        ("x-oss-security-token", &[]),
    ];
    let token_parts = [token.unwrap_or_default()];
    let count = if token.is_some() {
        extra[3].1 = &token_parts;
        4
    } else {
        3
    };
    // `{"x-oss-signature-version":"OSS4-HMAC-SHA256"}` and its kin: 7 bytes of punctuation
    // each.
    let extra_len: usize = extra
        .iter()
        .take(count)
        .map(|(field, value)| field.len() + value.iter().map(|p| p.len()).sum::<usize>() + 7)
        .sum();
    let json_hint = policy.json_size_hint(count, extra_len);
    let tail = credential_len + 16 + token_len + 64;
    let mut text = String::with_capacity(json_hint + tail + base64_len(json_hint));
    policy.write_json_with(&mut text, extra.get(..count).unwrap_or(&extra));
    let json_end = text.len();
    for part in credential {
        text.push_str(part);
    }
    let credential_end = text.len();
    text.push_str(date);
    text.push_str(token.unwrap_or_default());
    let token_end = text.len();
    append_base64(&mut text, json_end);
    let base64_end = text.len();
    let signature = key.sign_hex_array(text.as_bytes().get(token_end..).unwrap_or_default());
    // Lower-case hex digits: always valid.
    text.push_str(core::str::from_utf8(&signature).unwrap_or_default());
    Ok(SignedPostPolicy {
        text,
        json_end,
        credential_end,
        token_end,
        base64_end,
        has_token: token.is_some(),
    })
}

/// The length of the padded base64 form of `len` bytes.
#[cfg_attr(target_arch = "wasm32", inline)]
fn base64_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// Appends the standard (padded) base64 of `text[..to]` to `text`. The input goes through
/// a stack buffer a few hundred bytes at a time, so nothing is zero-filled first and only the
/// base64 (not the whole buffer) is checked as UTF-8 on the way in.
#[cfg_attr(target_arch = "wasm32", inline)]
fn append_base64(text: &mut String, to: usize) {
    const CHUNK: usize = 384; // a multiple of 3: no padding inside the text
    let mut input = [0u8; CHUNK];
    let mut output = [0u8; CHUNK / 3 * 4];
    let mut from = 0;
    while from < to {
        let end = (from + CHUNK).min(to);
        let n = end - from;
        input[..n].copy_from_slice(text.as_bytes().get(from..end).unwrap_or_default());
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(&input[..n], &mut output)
            .unwrap_or(0);
        // base64 digits: always valid.
        text.push_str(core::str::from_utf8(&output[..written]).unwrap_or_default());
        from = end;
    }
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
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn sign_policy_document(policy_json: &str, key: &SigningKey) -> (String, String) {
    let base64 = base64::engine::general_purpose::STANDARD.encode(policy_json.as_bytes());
    let signature = key.sign_hex(base64.as_bytes());
    (base64, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_policy(t: SigningTime) -> PostPolicy {
        PostPolicy::new(t.checked_add_seconds(3600).unwrap())
            .condition(Condition::bucket("examplebucket"))
            .condition(Condition::starts_with("key", "user/42/"))
            .condition(Condition::content_length_range(0, 10 << 20))
            .condition(Condition::content_length_range(7, u64::MAX))
            .condition(Condition::eq("Content-Type", "image/png"))
            .condition(Condition::one_of("x-oss-meta-a", ["1", "22"]))
            .condition(Condition::none_of("x-oss-meta-b", Vec::<String>::new()))
    }

    #[test]
    fn the_signed_policy_is_one_exactly_sized_buffer() {
        let t = SigningTime::parse_x_oss_date("20231203T121212Z").unwrap();
        let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
        let policy = sample_policy(t);
        for token in [None, Some("sts-token")] {
            let params = PostPolicyParams::new("ak", "cn-hangzhou", t).security_token(token);
            let signed = sign_post_policy(&policy, &params, &key).unwrap();
            // The size was computed before writing: the buffer never grew.
            assert_eq!(signed.text.capacity(), signed.text.len(), "{token:?}");
            assert_eq!(signed.security_token(), token);
            let (b64, sig) = sign_policy_document(signed.policy_json(), &key);
            assert_eq!(signed.policy_base64(), b64);
            assert_eq!(signed.signature(), sig);
            assert_eq!(
                signed.credential(),
                "ak/20231203/cn-hangzhou/oss/aliyun_v4_request"
            );
            assert_eq!(signed.date(), "20231203T121212Z");
        }
        assert_eq!(policy.to_json().capacity(), policy.to_json().len());
        for c in policy.conditions() {
            assert_eq!(c.json_size_hint(), c.to_json().len(), "{c:?}");
        }
    }

    #[test]
    fn escapes_only_make_the_buffer_grow() {
        let t = SigningTime::parse_x_oss_date("20231203T121212Z").unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let policy = PostPolicy::new(t.checked_add_seconds(60).unwrap())
            .condition(Condition::eq("x-oss-meta-q", "say \"hi\"\n\u{1}é"));
        let params = PostPolicyParams::new("a\"k", "r", t).security_token(Some("t\\k"));
        let signed = sign_post_policy(&policy, &params, &key).unwrap();
        assert!(signed
            .policy_json()
            .contains(r#"["eq","$x-oss-meta-q","say \"hi\"\n\u0001é"]"#));
        assert!(signed
            .policy_json()
            .contains(r#"{"x-oss-credential":"a\"k/20231203/r/oss/aliyun_v4_request"}"#));
        assert_eq!(signed.credential(), "a\"k/20231203/r/oss/aliyun_v4_request");
        assert_eq!(signed.security_token(), Some("t\\k"));
        let (b64, sig) = sign_policy_document(signed.policy_json(), &key);
        assert_eq!((signed.policy_base64(), signed.signature()), (&*b64, &*sig));
    }
}
