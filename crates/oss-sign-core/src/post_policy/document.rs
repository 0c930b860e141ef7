//! The policy document: its expiration and conditions, one type for the policy a signer builds
//! and the one a verifier reads back (its JSON and its size checks).

use super::condition::{Condition, Op};
use super::error::{PostPolicyError, PostPolicyErrorKind};
use crate::json;
use crate::time::SigningTime;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A POST policy: its expiration and conditions, in order. Built with [`PostPolicy::new`] and
/// [`PostPolicy::condition`] to be signed, or read back from a submitted form by
/// [`parse_policy`](super::parse_policy) (as [`ParsedPolicy`](super::ParsedPolicy), the same type).
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
    pub(super) expiration: SigningTime,
    pub(super) conditions: Vec<Condition>,
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
    #[cfg_attr(target_arch = "wasm32", inline)]
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
    #[cfg_attr(target_arch = "wasm32", inline)]
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
    #[cfg_attr(target_arch = "wasm32", inline)]
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
    #[cfg_attr(target_arch = "wasm32", inline)]
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
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.json_size_hint(0, 0));
        self.write_json_with(&mut out, &[]);
        out
    }

    /// How long the JSON is with `extra_items` more conditions of `extra_bytes` in all (exact
    /// unless something needs an escape, then more).
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn json_size_hint(&self, extra_items: usize, extra_bytes: usize) -> usize {
        let conditions: usize = self.conditions.iter().map(Condition::json_size_hint).sum();
        let commas = (self.conditions.len() + extra_items).saturating_sub(1);
        // `{"expiration":"2023-12-03T13:12:12.000Z","conditions":[` and `]}`
        57 + conditions + extra_bytes + commas
    }

    /// Appends the policy JSON with `extra` exact-match conditions (`{"field":"value"}`, the
    /// value given as parts that are joined) after the policy's own.
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn write_json_with(&self, out: &mut String, extra: &[(&str, &[&str])]) {
        out.push_str("{\"expiration\":\"");
        let iso = self.expiration.rfc3339_bytes();
        // ASCII digits and separators: always valid.
        out.push_str(core::str::from_utf8(&iso[..19]).unwrap_or_default());
        out.push_str(".000Z\",\"conditions\":[");
        for (i, c) in self.conditions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            c.write_json(out, ",");
        }
        for (i, (field, value)) in extra.iter().enumerate() {
            if i > 0 || !self.conditions.is_empty() {
                out.push(',');
            }
            out.push('{');
            json::write_str(out, field);
            out.push(':');
            json::write_joined_str(out, value);
            out.push('}');
        }
        out.push_str("]}");
    }

    /// The largest file the policy allows (the smallest `content-length-range` maximum), if
    /// any: a server can stop reading an upload as soon as it passes this.
    ///
    /// ```
    /// use oss_sign_core::post_policy::parse_policy;
    /// let p = parse_policy(r#"{"expiration":"1970-01-01T00:01:00Z","conditions":[["content-length-range",1,10]]}"#)?;
    /// assert_eq!(p.max_file_size(), Some(10));
    /// # Ok::<(), oss_sign_core::post_policy::PostPolicyError>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn max_file_size(&self) -> Option<u64> {
        self.conditions
            .iter()
            .filter_map(|c| match c.op {
                Op::LengthRange(_, max) => Some(max),
                _ => None,
            })
            .min()
    }

    /// Checks the file size against every `content-length-range`: `EntityTooLarge` /
    /// `EntityTooSmall` when outside.
    ///
    /// ```
    /// use oss_sign_core::post_policy::{parse_policy, PostPolicyErrorKind};
    /// let p = parse_policy(r#"{"expiration":"1970-01-01T00:01:00Z","conditions":[["content-length-range",2,10]]}"#)?;
    /// assert!(p.check_file_size(10).is_ok());
    /// assert_eq!(p.check_file_size(11).unwrap_err().kind(), PostPolicyErrorKind::EntityTooLarge);
    /// assert_eq!(p.check_file_size(1).unwrap_err().kind(), PostPolicyErrorKind::EntityTooSmall);
    /// # Ok::<(), oss_sign_core::post_policy::PostPolicyError>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn check_file_size(&self, size: u64) -> Result<(), PostPolicyError> {
        for c in &self.conditions {
            if let Op::LengthRange(min, max) = c.op {
                if size > max {
                    return Err(PostPolicyError::new(
                        PostPolicyErrorKind::EntityTooLarge,
                        format!(
                            "Your proposed upload exceeds the maximum allowed size: {size} bytes, the policy allows at most {max} ({})",
                            c.to_message_json()
                        ),
                    ));
                }
                if size < min {
                    return Err(PostPolicyError::new(
                        PostPolicyErrorKind::EntityTooSmall,
                        format!(
                            "Your proposed upload is smaller than the minimum allowed size: {size} bytes, the policy needs at least {min} ({})",
                            c.to_message_json()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
