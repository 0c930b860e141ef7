//! [`StaticProvider`]: fixed credentials given by the caller.

use crate::credentials::Credentials;
use crate::error::CredentialsError;
use crate::provider::{CredentialsFuture, ProvideCredentials};

/// Always returns the same credentials (long-term keys, or an STS token you refresh yourself).
///
/// ```
/// use oss_credentials::{ProvideCredentials, StaticProvider};
///
/// let provider = StaticProvider::new("LTAIexample", "example-secret")?;
/// assert_eq!(provider.credentials().access_key_id(), "LTAIexample");
/// let creds = futures_executor::block_on(provider.provide_credentials())?;
/// assert_eq!(creds.access_key_secret(), "example-secret");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Long-term credentials from an id and secret (both must be non-empty).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        Ok(Self::from_credentials(Credentials::new(
            access_key_id,
            access_key_secret,
        )?))
    }

    /// Wraps existing credentials.
    ///
    /// ```
    /// use oss_credentials::{Credentials, StaticProvider};
    /// let creds = Credentials::new("id", "secret")?.with_security_token("token");
    /// let provider = StaticProvider::from_credentials(creds);
    /// assert_eq!(provider.credentials().security_token(), Some("token"));
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn from_credentials(credentials: Credentials) -> Self {
        Self { credentials }
    }

    /// The credentials, synchronously.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(std::future::ready(Ok(self.credentials.clone())))
    }
    fn name(&self) -> &str {
        "static"
    }
    fn credentials_if_cached(&self) -> Option<Credentials> {
        Some(self.credentials.clone())
    }
}
