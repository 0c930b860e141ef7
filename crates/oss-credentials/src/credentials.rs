//! The [`Credentials`] value: an access key pair, an optional STS token and an optional expiry.

use crate::error::{CredentialsError, ErrorKind};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use zeroize::Zeroizing;

/// The text printed in place of a secret or a token.
pub(crate) const REDACTED: &str = "** redacted **";

/// A secret string: zeroized on drop, never printed.
#[derive(Clone)]
struct SecretString(Zeroizing<String>);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Shows the first four characters of an access key id followed by `****`.
pub(crate) fn masked_id(id: &str) -> String {
    let prefix: String = id.chars().take(4).collect();
    format!("{prefix}****")
}

#[derive(Debug)]
struct Inner {
    access_key_id: String,
    access_key_secret: SecretString,
    security_token: Option<SecretString>,
    expiration: Option<SystemTime>,
    provider_name: String,
    warnings: Vec<String>,
}

/// Alibaba Cloud credentials: access key id, access key secret, an optional STS security token
/// and an optional expiration time.
///
/// The value is immutable and cheap to clone (the fields live behind an [`Arc`]). The secret and
/// the token are zeroized when the last clone is dropped, and neither `Debug` nor `Display`
/// ever prints them; the access key id is shown as its first four characters followed by
/// `****`.
///
/// ```
/// use oss_credentials::Credentials;
/// use std::time::{Duration, SystemTime};
///
/// let expires = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_554_000);
/// let creds = Credentials::new("STS.exampleId", "exampleSecret")?
///     .with_security_token("exampleToken")
///     .with_expiration(expires);
/// assert_eq!(creds.access_key_id(), "STS.exampleId");
/// assert_eq!(creds.access_key_secret(), "exampleSecret");
/// assert_eq!(creds.security_token(), Some("exampleToken"));
/// assert_eq!(creds.expiration(), Some(expires));
/// assert!(!format!("{creds:?}{creds}").contains("exampleSecret"));
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

impl Credentials {
    /// Builds long-term credentials from an access key id and secret.
    ///
    /// Fails with [`ErrorKind::InvalidConfig`] when either is empty (after trimming white
    /// space); the error never contains the secret.
    ///
    /// ```
    /// use oss_credentials::{Credentials, ErrorKind};
    /// let creds = Credentials::new("LTAIexample", "secret")?;
    /// assert_eq!(creds.security_token(), None);
    /// assert_eq!(Credentials::new("", "secret").unwrap_err().kind(), ErrorKind::InvalidConfig);
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let access_key_id = access_key_id.into();
        let access_key_secret = Zeroizing::new(access_key_secret.into());
        if access_key_id.trim().is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                "the access key id is empty",
            ));
        }
        if access_key_secret.trim().is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                "the access key secret is empty",
            ));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                access_key_id,
                access_key_secret: SecretString(access_key_secret),
                security_token: None,
                expiration: None,
                provider_name: String::from("static"),
                warnings: Vec::new(),
            }),
        })
    }

    fn modify(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                access_key_id: shared.access_key_id.clone(),
                access_key_secret: shared.access_key_secret.clone(),
                security_token: shared.security_token.clone(),
                expiration: shared.expiration,
                provider_name: shared.provider_name.clone(),
                warnings: shared.warnings.clone(),
            },
        };
        change(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Adds an STS security token. An empty token is treated as no token.
    ///
    /// ```
    /// # use oss_credentials::Credentials;
    /// let creds = Credentials::new("id", "secret")?.with_security_token("");
    /// assert!(!creds.has_security_token());
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    #[must_use]
    pub fn with_security_token(self, token: impl Into<String>) -> Self {
        let token = Zeroizing::new(token.into());
        self.modify(|inner| {
            inner.security_token = if token.trim().is_empty() {
                None
            } else {
                Some(SecretString(token))
            };
        })
    }

    /// Sets the instant after which the credentials are no longer valid.
    #[must_use]
    pub fn with_expiration(self, expiration: SystemTime) -> Self {
        self.modify(|inner| inner.expiration = Some(expiration))
    }

    /// Records which provider produced the credentials (for diagnostics, e.g.
    /// `default/profile_file/assume_role`).
    #[must_use]
    pub fn with_provider_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.modify(|inner| inner.provider_name = name)
    }

    /// Adds a warning: something that was skipped or repaired on the way to these
    /// credentials (a broken file the chain went past, a half-set variable pair). Warnings
    /// must not contain secrets; they are meant to be shown to the user (`oss-presign` prints
    /// them to stderr).
    ///
    /// ```
    /// # use oss_credentials::Credentials;
    /// let creds = Credentials::new("id", "secret")?.with_warning("~/.aliyun/config.json is not JSON; skipped");
    /// assert_eq!(creds.warnings(), ["~/.aliyun/config.json is not JSON; skipped"]);
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    #[must_use]
    pub fn with_warning(self, warning: impl Into<String>) -> Self {
        let warning = warning.into();
        self.modify(|inner| {
            if !inner.warnings.contains(&warning) {
                inner.warnings.push(warning);
            }
        })
    }

    /// The warnings recorded while resolving these credentials, oldest first (see
    /// [`with_warning`](Self::with_warning)).
    ///
    /// ```
    /// # use oss_credentials::Credentials;
    /// assert!(Credentials::new("id", "secret")?.warnings().is_empty());
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn warnings(&self) -> &[String] {
        &self.inner.warnings
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The access key secret, for signing. Never log it.
    pub fn access_key_secret(&self) -> &str {
        &self.inner.access_key_secret.0
    }

    /// The STS security token, when the credentials are temporary.
    pub fn security_token(&self) -> Option<&str> {
        self.inner.security_token.as_ref().map(|t| t.0.as_str())
    }

    /// Whether a security token is present.
    pub fn has_security_token(&self) -> bool {
        self.inner.security_token.is_some()
    }

    /// When the credentials expire; `None` for long-term keys.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.inner.expiration
    }

    /// The name of the provider that produced the credentials (`static` unless set).
    pub fn provider_name(&self) -> &str {
        &self.inner.provider_name
    }

    /// Whether the credentials have expired at `now` (never for credentials without expiry).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        matches!(self.inner.expiration, Some(expiration) if now >= expiration)
    }

    /// Whether the credentials expire within `window` of `now` (never for credentials without
    /// expiry).
    ///
    /// ```
    /// # use oss_credentials::Credentials;
    /// # use std::time::{Duration, SystemTime};
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
    /// let creds = Credentials::new("id", "secret")?.with_expiration(at);
    /// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(50);
    /// assert!(creds.expires_within(now, Duration::from_secs(60)));
    /// assert!(!creds.expires_within(now, Duration::from_secs(10)));
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn expires_within(&self, now: SystemTime, window: Duration) -> bool {
        match self.inner.expiration {
            Some(expiration) => now.checked_add(window).is_none_or(|end| end >= expiration),
            None => false,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &masked_id(&self.inner.access_key_id))
            .field("access_key_secret", &self.inner.access_key_secret)
            .field("security_token", &self.inner.security_token)
            .field(
                "expiration",
                &self.inner.expiration.map(crate::timestamp::format_utc),
            )
            .field("provider_name", &self.inner.provider_name)
            .field("warnings", &self.inner.warnings)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "access key {} from {}",
            masked_id(&self.inner.access_key_id),
            self.inner.provider_name
        )?;
        if self.inner.security_token.is_some() {
            f.write_str(" with a security token")?;
        }
        if let Some(expiration) = self.inner.expiration {
            write!(f, ", expires {}", crate::timestamp::format_utc(expiration))?;
        }
        Ok(())
    }
}
