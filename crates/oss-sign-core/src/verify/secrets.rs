//! Where verification gets secrets ([`SecretLookup`], [`StaticSecret`]) and how it compares
//! signatures against them (in constant time).

use super::error::{VerifyError, VerifyErrorKind};
use crate::error::shorten;
use alloc::format;
use alloc::string::String;
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
    /// use oss_sign_core::verify::{SecretLookup, StaticSecret};
    /// let s = StaticSecret::new("ak", "sk");
    /// assert_eq!(s.secret_for("ak").as_deref(), Some("sk"));
    /// assert_eq!(s.secret_for("AK"), None);
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

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Looks up the secret of `access_key_id`, runs `check` with it and wipes it, whatever `check`
/// returned.
pub(super) fn with_secret<R>(
    secrets: &dyn SecretLookup,
    access_key_id: &str,
    check: impl FnOnce(&str) -> Result<R, VerifyError>,
) -> Result<R, VerifyError> {
    let mut secret = lookup_secret(secrets, access_key_id)?;
    let outcome = check(&secret);
    secret.zeroize();
    outcome
}

pub(crate) fn lookup_secret(
    secrets: &dyn SecretLookup,
    access_key_id: &str,
) -> Result<String, VerifyError> {
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
