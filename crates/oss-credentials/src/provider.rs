//! The [`ProvideCredentials`] trait and adapters for closures and shared pointers.

use crate::credentials::Credentials;
use crate::error::CredentialsError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The boxed future returned by [`ProvideCredentials::provide_credentials`].
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// Something that can produce [`Credentials`], possibly by asking a remote service.
///
/// The trait is object safe: share providers as `Arc<dyn ProvideCredentials>`.
///
/// ```
/// use oss_credentials::{Credentials, CredentialsFuture, ProvideCredentials};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> CredentialsFuture<'_> {
///         Box::pin(async { Credentials::new("LTAIvault", "vault-secret") })
///     }
///     fn name(&self) -> &str {
///         "vault"
///     }
/// }
///
/// let provider: std::sync::Arc<dyn ProvideCredentials> = std::sync::Arc::new(FromVault);
/// let creds = futures_executor::block_on(provider.provide_credentials())?;
/// assert_eq!(creds.access_key_id(), "LTAIvault");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns credentials, fetching or refreshing them when needed.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;

    /// A short name for diagnostics (`env`, `profile_file`, `assume_role`, ...).
    fn name(&self) -> &str {
        "custom"
    }

    /// Drops any cached credentials so that the next call fetches fresh ones (call it after
    /// OSS answers `SecurityTokenExpired`, `InvalidAccessKeyId` or `InvalidSecurityToken`).
    /// Providers without a cache do nothing.
    fn invalidate(&self) {}

    /// The credentials this provider would hand out right now, if it has valid ones at hand,
    /// **without waiting, fetching or starting a refresh**. Synchronous callers (such as
    /// `oss_client::Client::presign`) use it; it must be cheap and must never block on the
    /// network.
    ///
    /// The default is `None` ("nothing at hand; call
    /// [`provide_credentials`](Self::provide_credentials)"). [`StaticProvider`](crate::StaticProvider),
    /// [`EnvProvider`](crate::EnvProvider) and [`CachingProvider`](crate::CachingProvider)
    /// (while its cached value is valid) answer `Some`; chains and profile providers forward
    /// to the provider they resolved to.
    ///
    /// ```
    /// use oss_credentials::{FnProvider, ProvideCredentials, StaticProvider, Credentials};
    ///
    /// let fixed = StaticProvider::new("LTAIexample", "example-secret")?;
    /// assert_eq!(fixed.credentials_if_cached().map(|c| c.access_key_id().to_owned()), Some("LTAIexample".into()));
    /// let remote = FnProvider::new("remote", || async { Credentials::new("a", "b") });
    /// assert!(remote.credentials_if_cached().is_none());
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    fn credentials_if_cached(&self) -> Option<Credentials> {
        None
    }
}

/// A shared or boxed provider is a provider: every method forwards to the one it points to.
macro_rules! forward_through_pointer {
    ($($pointer:ident),*) => {
        $(
            impl<T: ProvideCredentials + ?Sized> ProvideCredentials for $pointer<T> {
                fn provide_credentials(&self) -> CredentialsFuture<'_> {
                    (**self).provide_credentials()
                }
                fn name(&self) -> &str {
                    (**self).name()
                }
                fn invalidate(&self) {
                    (**self).invalidate()
                }
                fn credentials_if_cached(&self) -> Option<Credentials> {
                    (**self).credentials_if_cached()
                }
            }
        )*
    };
}

forward_through_pointer!(Arc, Box);

/// A provider made from a closure that returns a future of credentials.
///
/// ```
/// use oss_credentials::{Credentials, FnProvider, ProvideCredentials};
///
/// let provider = FnProvider::new("closure", || async { Credentials::new("LTAIfn", "fn-secret") });
/// let creds = futures_executor::block_on(provider.provide_credentials())?;
/// assert_eq!(creds.access_key_id(), "LTAIfn");
/// assert_eq!(provider.name(), "closure");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
pub struct FnProvider<F> {
    name: &'static str,
    function: F,
}

impl<F, Fut> FnProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credentials, CredentialsError>> + Send + 'static,
{
    /// Wraps `function`; `name` is used in diagnostics.
    ///
    /// ```
    /// use oss_credentials::{Credentials, FnProvider, ProvideCredentials};
    /// let provider = FnProvider::new("mine", || async { Credentials::new("LTAIfn", "secret") });
    /// let creds = futures_executor::block_on(provider.provide_credentials())?;
    /// assert_eq!(creds.access_key_id(), "LTAIfn");
    /// assert_eq!(provider.name(), "mine");
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn new(name: &'static str, function: F) -> Self {
        Self { name, function }
    }
}

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnProvider")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<F, Fut> ProvideCredentials for FnProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credentials, CredentialsError>> + Send + 'static,
{
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin((self.function)())
    }
    fn name(&self) -> &str {
        self.name
    }
}

/// A provider that could not be built: every call reports why.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
#[derive(Debug)]
pub(crate) struct FailingProvider {
    name: &'static str,
    kind: crate::error::ErrorKind,
    message: String,
}

#[cfg_attr(not(feature = "http"), allow(dead_code))]
impl FailingProvider {
    pub(crate) fn new(name: &'static str, error: CredentialsError) -> Self {
        Self {
            name,
            kind: error.kind(),
            message: error.message().to_owned(),
        }
    }
}

impl ProvideCredentials for FailingProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let error = CredentialsError::new(self.kind, self.message.clone()).with_provider(self.name);
        Box::pin(std::future::ready(Err(error)))
    }
    fn name(&self) -> &str {
        self.name
    }
}
