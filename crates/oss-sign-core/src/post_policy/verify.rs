//! Checking a submitted POST form: the policy document, the signature, the dates and the
//! conditions.

use super::condition::{Condition, Op, MAX_POLICY_SECONDS};
use super::document::PostPolicy;
use super::error::{PostPolicyError, PostPolicyErrorKind};
use crate::error::shorten;
use crate::json::{self, Grammar, Value};
use crate::time::SigningTime;
use crate::v4::{SigningKey, ALGORITHM};
use crate::verify::{constant_time_eq, lookup_secret, parse_credential, SecretLookup};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;

/// Largest policy document accepted, in bytes of JSON (the base64 field may be 4/3 of it).
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

#[cfg_attr(target_arch = "wasm32", inline)]
fn invalid(message: impl Into<String>) -> PostPolicyError {
    PostPolicyError::new(PostPolicyErrorKind::InvalidPolicyDocument, message)
}

/// A policy document read back from JSON: a [`PostPolicy`] (the same type the signer builds,
/// with the same accessors and size checks).
///
/// ```
/// use oss_sign_core::post_policy::parse_policy;
/// let p = parse_policy(r#"{"expiration":"2023-12-03T13:00:00.000Z","conditions":[["starts-with","$key","u/"]]}"#)?;
/// assert_eq!(p.expiration().to_rfc3339(), "2023-12-03T13:00:00Z");
/// assert_eq!(p.conditions()[0].field(), "key");
/// # Ok::<(), oss_sign_core::post_policy::PostPolicyError>(())
/// ```
pub type ParsedPolicy = PostPolicy;

/// Parses a policy document (JSON text), strictly: at most [`MAX_POLICY_BYTES`], exactly the
/// members `expiration` and `conditions`, each condition of a known form. Every refusal is
/// `InvalidPolicyDocument` with what was wrong.
///
/// ```
/// use oss_sign_core::post_policy::{parse_policy, PostPolicyErrorKind};
/// let err = parse_policy(r#"{"expiration":"2023-12-03T13:00:00Z","conditions":[["content-length-range",20,10]]}"#).unwrap_err();
/// assert_eq!(err.kind(), PostPolicyErrorKind::InvalidPolicyDocument);
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn parse_policy(text: &str) -> Result<ParsedPolicy, PostPolicyError> {
    read_policy::<Messages>(text).map_err(invalid)
}

/// The `expiration` of a policy document that [`parse_policy`] accepts, `None` for one it
/// refuses: the same reading without the refusals' messages (what a signer of a verbatim
/// document needs, in less code).
///
/// ```
/// use oss_sign_core::post_policy::policy_expiration;
/// let at = policy_expiration(r#"{"expiration":"1970-01-01T00:01:00Z","conditions":[]}"#);
/// assert_eq!(at.map(|t| t.unix_seconds()), Some(60));
/// assert_eq!(policy_expiration(r#"{"expiration":"1970-01-01T00:01:00Z","conditions":[[]]}"#), None);
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn policy_expiration(text: &str) -> Option<SigningTime> {
    read_policy::<Silent>(text).ok().map(|p| p.expiration)
}

/// How [`read_policy`] reports what was wrong: with the message ([`Messages`]) or with nothing
/// ([`Silent`]), so that the silent reading carries none of the messages' formatting.
trait Report {
    type Fault;
    fn fault(message: impl FnOnce() -> String) -> Self::Fault;
}

/// Refusals with their messages ([`parse_policy`]).
struct Messages;

impl Report for Messages {
    type Fault = String;
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fault(message: impl FnOnce() -> String) -> String {
        message()
    }
}

/// Refusals without messages ([`policy_expiration`]).
struct Silent;

impl Report for Silent {
    type Fault = ();
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fault(_: impl FnOnce() -> String) {}
}

#[cfg_attr(target_arch = "wasm32", inline)]
fn read_policy<R: Report>(text: &str) -> Result<ParsedPolicy, R::Fault> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(R::fault(|| {
            format!(
                "the policy is {} bytes: at most {MAX_POLICY_BYTES} are accepted",
                text.len()
            )
        }));
    }
    let value = json::parse(text, Grammar::Policy).map_err(|e| {
        R::fault(|| {
            format!(
                "the policy is not valid JSON: {} at byte {}",
                e.what, e.offset
            )
        })
    })?;
    let Value::Object(members) = value else {
        return Err(R::fault(|| {
            "the policy must be a JSON object with \"expiration\" and \"conditions\"".into()
        }));
    };
    let mut expiration = None;
    let mut conditions = None;
    for (name, value) in members {
        match (name.as_str(), value) {
            ("expiration", Value::Str(s)) => {
                expiration = Some(SigningTime::parse_rfc3339(&s).map_err(|_| {
                    R::fault(|| format!(
                        "policy expiration {:?} is not an ISO 8601 UTC time such as 2023-12-03T13:00:00.000Z",
                        shorten(&s)
                    ))
                })?);
            }
            ("conditions", Value::Array(items)) => {
                let mut list = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    list.push(parse_condition::<R>(item, i)?);
                }
                conditions = Some(list);
            }
            ("expiration", _) => {
                return Err(R::fault(|| "policy expiration must be a string".into()))
            }
            ("conditions", _) => {
                return Err(R::fault(|| "policy conditions must be an array".into()))
            }
            (other, _) => {
                return Err(R::fault(|| {
                    format!(
                "unknown policy member {:?}: only \"expiration\" and \"conditions\" are allowed",
                shorten(other)
            )
                }))
            }
        }
    }
    let expiration =
        expiration.ok_or_else(|| R::fault(|| "the policy has no \"expiration\"".into()))?;
    let conditions =
        conditions.ok_or_else(|| R::fault(|| "the policy has no \"conditions\"".into()))?;
    Ok(ParsedPolicy {
        expiration,
        conditions,
    })
}

/// The refusal of condition `i`: "policy condition {i} is invalid: {message}".
#[cfg_attr(target_arch = "wasm32", inline)]
fn refuse<R: Report>(i: usize, message: impl FnOnce() -> String) -> R::Fault {
    R::fault(|| format!("policy condition {i} is invalid: {}", message()))
}

/// Condition `i` of a policy; a refusal says "policy condition {i} is invalid: ...".
#[cfg_attr(target_arch = "wasm32", inline)]
fn parse_condition<R: Report>(value: Value, i: usize) -> Result<Condition, R::Fault> {
    match value {
        Value::Object(mut members) => {
            if members.len() != 1 {
                return Err(refuse::<R>(i, || {
                    "an object condition must hold exactly one field".into()
                }));
            }
            let (field, value) = members.remove(0);
            match value {
                Value::Str(v) => Ok(Condition::exact(field, v)),
                _ => Err(refuse::<R>(i, || {
                    format!("the value of {:?} must be a string", shorten(&field))
                })),
            }
        }
        Value::Array(items) => {
            let mut it = items.into_iter();
            let (Some(Value::Str(op)), Some(a), Some(b), None) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                return Err(refuse::<R>(i, || {
                    "an array condition must be [operator, field or min, value or max]".into()
                }));
            };
            if op.eq_ignore_ascii_case("content-length-range") {
                let (Value::Int(min), Value::Int(max)) = (a, b) else {
                    return Err(refuse::<R>(i, || {
                        "content-length-range takes two integers".into()
                    }));
                };
                if min < 0 || max < min {
                    return Err(refuse::<R>(i, || {
                        format!(
                        "content-length-range {min}..{max}: both must be non-negative and max >= min"
                    )
                    }));
                }
                return Ok(Condition::content_length_range(min as u64, max as u64));
            }
            let Value::Str(field) = a else {
                return Err(refuse::<R>(i, || {
                    "the field of a condition must be a string such as \"$key\"".into()
                }));
            };
            let Some(field) = field.strip_prefix('$') else {
                return Err(refuse::<R>(i, || {
                    format!(
                        "field {:?} must start with '$', e.g. \"$key\"",
                        shorten(&field)
                    )
                }));
            };
            let field = String::from(field);
            let strings = |v: Value| -> Result<Vec<String>, R::Fault> {
                let Value::Array(vs) = v else {
                    return Err(refuse::<R>(i, || format!("{op} takes a list of strings")));
                };
                vs.into_iter()
                    .map(|v| match v {
                        Value::Str(s) => Ok(s),
                        _ => Err(refuse::<R>(i, || format!("{op} takes a list of strings"))),
                    })
                    .collect()
            };
            let op_kind = match op.to_ascii_lowercase().as_str() {
                "eq" | "starts-with" => {
                    let Value::Str(v) = b else {
                        return Err(refuse::<R>(i, || format!("{op} compares with a string")));
                    };
                    if op.eq_ignore_ascii_case("eq") {
                        Op::Eq(v)
                    } else {
                        Op::StartsWith(v)
                    }
                }
                "in" => Op::In(strings(b)?),
                "not-in" => Op::NotIn(strings(b)?),
                _ => {
                    return Err(refuse::<R>(i, || {
                        format!(
                        "unknown operator {:?}: expected eq, starts-with, in, not-in or content-length-range",
                        shorten(&op)
                    )
                    }))
                }
            };
            Ok(Condition { field, op: op_kind })
        }
        _ => Err(refuse::<R>(i, || {
            "a condition must be an object or an array".into()
        })),
    }
}

/// The submitted form: the bucket it was sent to and its fields (everything but the file), in
/// order.
///
/// ```
/// use oss_sign_core::post_policy::PostForm;
/// let fields = [("key", "a.txt"), ("Content-Type", "text/plain")];
/// let form = PostForm::new("bucket", &fields);
/// assert_eq!(form.field("content-type"), Some("text/plain"));
/// ```
#[derive(Clone, Copy)]
pub struct PostForm<'a> {
    bucket: &'a str,
    fields: &'a [(&'a str, &'a str)],
}

impl fmt::Debug for PostForm<'_> {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| *n).collect();
        f.debug_struct("PostForm")
            .field("bucket", &self.bucket)
            .field("field_names", &names)
            .finish()
    }
}

impl<'a> PostForm<'a> {
    /// A form sent to `bucket` with `fields`.
    ///
    /// ```
    /// let form = oss_sign_core::post_policy::PostForm::new("b", &[("key", "a.txt")]);
    /// assert_eq!(form.field("key"), Some("a.txt"));
    /// assert_eq!(form.field("policy"), None);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn new(bucket: &'a str, fields: &'a [(&'a str, &'a str)]) -> Self {
        Self { bucket, fields }
    }

    /// The first field named `name` (any case).
    ///
    /// ```
    /// let f = [("Key", "a")];
    /// assert_eq!(oss_sign_core::post_policy::PostForm::new("b", &f).field("key"), Some("a"));
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn field(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Limits for [`verify_post_form`].
///
/// ```
/// use oss_sign_core::post_policy::PostVerifyOptions;
/// let o = PostVerifyOptions::new().region("cn-hangzhou").max_date_age(900);
/// assert_ne!(o, PostVerifyOptions::new());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostVerifyOptions {
    region: Option<String>,
    clock_skew: i64,
    max_date_age: i64,
}

impl Default for PostVerifyOptions {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn default() -> Self {
        Self {
            region: None,
            clock_skew: 900,
            max_date_age: MAX_POLICY_SECONDS,
        }
    }
}

impl PostVerifyOptions {
    /// Defaults: any region, `x-oss-date` at most 900 s in the future and at most 7 days old.
    ///
    /// ```
    /// assert_eq!(oss_sign_core::post_policy::PostVerifyOptions::new(), Default::default());
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Require this region in `x-oss-credential`.
    ///
    /// ```
    /// use oss_sign_core::post_policy::PostVerifyOptions;
    /// let o = PostVerifyOptions::new().region("cn-hangzhou");
    /// assert!(format!("{o:?}").contains(r#"region: Some("cn-hangzhou")"#));
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// How far in the future `x-oss-date` may be (seconds, default 900).
    ///
    /// ```
    /// use oss_sign_core::post_policy::PostVerifyOptions;
    /// assert!(format!("{:?}", PostVerifyOptions::new().clock_skew(60)).contains("clock_skew: 60"));
    /// assert_eq!(PostVerifyOptions::new().clock_skew(900), PostVerifyOptions::new()); // the default
    /// assert_eq!(PostVerifyOptions::new().clock_skew(-5), PostVerifyOptions::new().clock_skew(0));
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn clock_skew(mut self, seconds: i64) -> Self {
        self.clock_skew = seconds.max(0);
        self
    }

    /// How old `x-oss-date` may be (seconds, default 7 days; at most 7 days). The OSS
    /// documentation words this as a 15-minute window: `max_date_age(900)` enforces that.
    ///
    /// ```
    /// use oss_sign_core::post_policy::PostVerifyOptions;
    /// assert!(format!("{:?}", PostVerifyOptions::new().max_date_age(900)).contains("max_date_age: 900"));
    /// // More than 7 days is 7 days, the default.
    /// assert_eq!(PostVerifyOptions::new().max_date_age(30 * 86_400), PostVerifyOptions::new());
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn max_date_age(mut self, seconds: i64) -> Self {
        self.max_date_age = seconds.clamp(0, MAX_POLICY_SECONDS);
        self
    }
}

/// An accepted form: the access key id, the signing time and the parsed policy (whose
/// [`ParsedPolicy::check_file_size`] the server applies once it has the file).
#[derive(Debug, Clone)]
pub struct VerifiedPost {
    access_key_id: String,
    signed_at: SigningTime,
    policy: ParsedPolicy,
}

impl VerifiedPost {
    /// The access key id that signed.
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// `x-oss-date`.
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn signed_at(&self) -> SigningTime {
        self.signed_at
    }

    /// The policy that was checked.
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn policy(&self) -> &ParsedPolicy {
        &self.policy
    }
}

#[cfg_attr(target_arch = "wasm32", inline)]
fn field<'a>(form: &PostForm<'a>, name: &str) -> Result<&'a str, PostPolicyError> {
    form.field(name).ok_or_else(|| {
        PostPolicyError::new(
            PostPolicyErrorKind::InvalidArgument,
            format!("the form has no {name} field: a V4 POST needs policy, x-oss-signature-version, x-oss-credential, x-oss-date and x-oss-signature"),
        )
    })
}

/// Verifies a POST form: the V4 fields, the signature over the `policy` field (constant-time),
/// `x-oss-date` (within the clock skew, not older than the allowed age, on the credential's
/// day), the policy's expiration, and every condition but `content-length-range` (which needs
/// the file: [`ParsedPolicy::check_file_size`]).
///
/// ```
/// use oss_sign_core::post_policy::*;
/// use oss_sign_core::verify::StaticSecret;
/// use oss_sign_core::{v4::SigningKey, SigningTime};
/// let t = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let policy = PostPolicy::new(t.checked_add_seconds(600).unwrap())
///     .condition(Condition::starts_with("key", "u/"));
/// let signed = sign_post_policy(&policy, &PostPolicyParams::new("ak", "cn-hangzhou", t), &key)?;
/// let mut fields = vec![("key", "u/a.txt")];
/// fields.extend(signed.form_fields());
/// let secrets = StaticSecret::new("ak", "sk");
/// let opts = PostVerifyOptions::new();
/// assert!(verify_post_form(&PostForm::new("b", &fields), &secrets, t, &opts).is_ok());
/// fields[0].1 = "other/a.txt";
/// let err = verify_post_form(&PostForm::new("b", &fields), &secrets, t, &opts).unwrap_err();
/// assert_eq!(err.kind().oss_code(), "AccessDenied");
/// assert_eq!(err.message(), r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "u/"]"#);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn verify_post_form(
    form: &PostForm<'_>,
    secrets: &dyn SecretLookup,
    now: SigningTime,
    options: &PostVerifyOptions,
) -> Result<VerifiedPost, PostPolicyError> {
    let policy_b64 = field(form, "policy")?;
    let version = field(form, "x-oss-signature-version")?;
    let credential = field(form, "x-oss-credential")?;
    let date = field(form, "x-oss-date")?;
    let signature = field(form, "x-oss-signature")?;
    let bad_arg = |m: String| PostPolicyError::new(PostPolicyErrorKind::InvalidArgument, m);
    if version != ALGORITHM {
        return Err(bad_arg(format!(
            "x-oss-signature-version {:?} is not supported: it must be {ALGORITHM}",
            shorten(version)
        )));
    }
    let scope = parse_credential(credential).map_err(|e| bad_arg(String::from(e.message())))?;
    let signed_at = SigningTime::parse_x_oss_date(date).map_err(|_| {
        bad_arg(format!(
            "x-oss-date {:?} is malformed: expected YYYYMMDDTHHMMSSZ, e.g. 20231203T121212Z",
            shorten(date)
        ))
    })?;
    if scope.date.as_bytes() != &signed_at.x_oss_date_bytes()[..8] {
        return Err(bad_arg(format!(
            "the x-oss-credential date {} differs from the x-oss-date day {}: both must be the same UTC day",
            scope.date,
            signed_at.date_stamp()
        )));
    }
    if let Some(region) = &options.region {
        if scope.region != region {
            return Err(bad_arg(format!(
                "x-oss-credential names region {:?} but this endpoint serves {region:?}",
                shorten(scope.region)
            )));
        }
    }
    let skewed = |m: String| PostPolicyError::new(PostPolicyErrorKind::RequestTimeTooSkewed, m);
    let age = now.seconds_since(signed_at);
    if age < -options.clock_skew {
        return Err(skewed(format!(
            "x-oss-date {date} is {} seconds ahead of the server's clock: at most {} are allowed",
            -age, options.clock_skew
        )));
    }
    if age > options.max_date_age {
        return Err(skewed(format!(
            "x-oss-date {date} is {age} seconds old: a POST signature is accepted for at most {} seconds",
            options.max_date_age
        )));
    }
    if policy_b64.len() > MAX_POLICY_BYTES.div_ceil(3) * 4 {
        return Err(invalid(format!(
            "the policy field is {} bytes: at most {} are accepted",
            policy_b64.len(),
            MAX_POLICY_BYTES.div_ceil(3) * 4
        )));
    }
    let mut secret = lookup_secret(secrets, scope.access_key_id).map_err(|e| {
        PostPolicyError::new(
            PostPolicyErrorKind::InvalidAccessKeyId,
            String::from(e.message()),
        )
    })?;
    let key = SigningKey::derive(&secret, signed_at, scope.region, scope.product);
    zeroize::Zeroize::zeroize(&mut secret);
    let expected = key.sign_hex(policy_b64.as_bytes());
    if !constant_time_eq(&expected, signature) {
        return Err(PostPolicyError::new(
            PostPolicyErrorKind::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided: x-oss-signature must be the hex HMAC-SHA256 of the policy field under the V4 signing key",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(policy_b64.as_bytes())
        .map_err(|_| invalid("the policy field is not standard base64"))?;
    let text = core::str::from_utf8(&decoded).map_err(|_| invalid("the policy is not UTF-8"))?;
    let policy = parse_policy(text)?;
    if now.seconds_since(policy.expiration) > 0 {
        return Err(PostPolicyError::new(
            PostPolicyErrorKind::PolicyExpired,
            format!(
                "Invalid according to Policy: Policy expired. (expiration {}, now {})",
                policy.expiration.to_rfc3339(),
                now.to_rfc3339()
            ),
        ));
    }
    for required in ["x-oss-signature-version", "x-oss-credential", "x-oss-date"] {
        if !policy
            .conditions
            .iter()
            .any(|c| c.field.eq_ignore_ascii_case(required))
        {
            return Err(invalid(format!(
                "the policy has no {required} condition: a V4 policy must name x-oss-signature-version, x-oss-credential and x-oss-date"
            )));
        }
    }
    for c in &policy.conditions {
        if !holds(c, form) {
            return Err(PostPolicyError::new(
                PostPolicyErrorKind::ConditionFailed,
                format!(
                    "Invalid according to Policy: Policy Condition failed: {}",
                    c.to_message_json()
                ),
            ));
        }
    }
    Ok(VerifiedPost {
        access_key_id: String::from(scope.access_key_id),
        signed_at,
        policy,
    })
}

#[cfg_attr(target_arch = "wasm32", inline)]
fn holds(c: &Condition, form: &PostForm<'_>) -> bool {
    let value = if c.field.eq_ignore_ascii_case("bucket") {
        form.bucket
    } else {
        form.field(&c.field).unwrap_or("")
    };
    match &c.op {
        Op::Exact(v) | Op::Eq(v) => value == v,
        Op::StartsWith(p) => value.starts_with(p.as_str()),
        Op::In(vs) => vs.iter().any(|v| v == value),
        Op::NotIn(vs) => !vs.iter().any(|v| v == value),
        Op::LengthRange(..) => true,
    }
}
