//! [`ChainProvider`] (an ordered list of providers) and [`DefaultChain`] (the official order).

use crate::cli_config::CliConfigProvider;
use crate::env::{EnvProvider, Environment};
use crate::error::{CredentialsError, ErrorKind};
use crate::profile_file::ProfileFileProvider;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use std::sync::{Arc, Mutex};

/// Tries providers in order and returns the first credentials obtained.
///
/// * A provider answering [`ErrorKind::NotLoaded`] (not configured here) is skipped.
/// * Any other error stops the walk and is returned (a broken explicit configuration is not
///   silently replaced by another identity). [`ChainProvider::try_all`] restores the official
///   SDKs' behaviour of trying every provider whatever the error.
/// * When every provider fails the error has kind [`ErrorKind::ChainExhausted`] and lists
///   each provider tried with its message ([`CredentialsError::attempts`]).
/// * After a success the chain remembers the provider and goes straight to it next time
///   (its errors are then returned as they are). A remembered provider that is no longer
///   configured is forgotten and the chain is walked again at once; one that fails with
///   another non-transient error is forgotten for the next call.
///
/// ```
/// use oss_credentials::{ChainProvider, EnvProvider, Environment, ErrorKind, ProvideCredentials, StaticProvider};
///
/// let empty = Environment::from_map::<&str, &str>([]);
/// let chain = ChainProvider::new()
///     .push(EnvProvider::with_environment(empty))
///     .push(StaticProvider::new("LTAIfallback", "fallback-secret")?);
/// let creds = futures_executor::block_on(chain.provide_credentials())?;
/// assert_eq!(creds.access_key_id(), "LTAIfallback");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug, Default)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn ProvideCredentials>>,
    try_all: bool,
    sticky: Option<Mutex<Option<usize>>>,
    name: String,
}

impl ChainProvider {
    /// An empty chain (sticky, strict).
    ///
    /// ```
    /// use oss_credentials::{ChainProvider, ErrorKind, ProvideCredentials};
    /// let err = futures_executor::block_on(ChainProvider::new().provide_credentials()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ChainExhausted);
    /// ```
    pub fn new() -> Self {
        Self {
            providers: Vec::new(),
            try_all: false,
            sticky: Some(Mutex::new(None)),
            name: String::from("chain"),
        }
    }

    /// Appends a provider.
    #[must_use]
    pub fn push(self, provider: impl ProvideCredentials + 'static) -> Self {
        self.push_arc(Arc::new(provider))
    }

    /// Appends a shared provider.
    #[must_use]
    pub fn push_arc(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.providers.push(provider);
        self
    }

    /// Tries every provider whatever its error, like the official SDKs (default: stop at the
    /// first error that is not [`ErrorKind::NotLoaded`]).
    #[must_use]
    pub fn try_all(mut self, try_all: bool) -> Self {
        self.try_all = try_all;
        self
    }

    /// Whether to go straight to the last successful provider (default: yes).
    #[must_use]
    pub fn sticky(mut self, sticky: bool) -> Self {
        self.sticky = sticky.then(|| Mutex::new(None));
        self
    }

    /// Names the chain in diagnostics (default `chain`).
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The number of providers.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// Whether the chain has no providers.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// The names of the providers, in order.
    pub fn provider_names(&self) -> Vec<&str> {
        self.providers.iter().map(|p| p.name()).collect()
    }

    fn remembered(&self) -> Option<usize> {
        let sticky = self.sticky.as_ref()?;
        *sticky.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, index: Option<usize>) {
        if let Some(sticky) = &self.sticky {
            *sticky.lock().unwrap_or_else(|p| p.into_inner()) = index;
        }
    }

    async fn walk(&self) -> Result<crate::Credentials, CredentialsError> {
        if let Some(index) = self.remembered() {
            if let Some(provider) = self.providers.get(index) {
                match provider.provide_credentials().await {
                    Ok(credentials) => return Ok(credentials),
                    // No longer configured (a variable was unset): walk the chain again.
                    Err(error) if error.kind() == ErrorKind::NotLoaded => self.remember(None),
                    Err(error) => {
                        if !error.is_transient() {
                            self.remember(None);
                        }
                        return Err(error.with_provider(provider.name().to_owned()));
                    }
                }
            }
        }
        let mut attempts = Vec::new();
        for (index, provider) in self.providers.iter().enumerate() {
            match provider.provide_credentials().await {
                Ok(credentials) => {
                    self.remember(Some(index));
                    return Ok(credentials);
                }
                Err(error) => {
                    let error = error.with_provider(provider.name().to_owned());
                    if !self.try_all && error.kind() != ErrorKind::NotLoaded {
                        return Err(error);
                    }
                    attempts.push(error);
                }
            }
        }
        let tried: Vec<&str> = self.provider_names();
        Err(CredentialsError::chain(
            format!(
                "no provider in the chain produced credentials (tried {})",
                if tried.is_empty() {
                    String::from("nothing: the chain is empty")
                } else {
                    tried.join(", ")
                }
            ),
            attempts,
        )
        .with_provider(self.name.clone()))
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.walk())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn invalidate(&self) {
        for provider in &self.providers {
            provider.invalidate();
        }
    }

    /// Answers only when the provider the chain would use is known without waiting: the
    /// remembered (sticky) provider, or else the first provider of the chain. Never walks
    /// the chain, so it cannot pick another identity than [`provide_credentials`] would.
    ///
    /// [`provide_credentials`]: ProvideCredentials::provide_credentials
    fn credentials_if_cached(&self) -> Option<crate::Credentials> {
        let index = self.remembered().unwrap_or(0);
        self.providers.get(index)?.credentials_if_cached()
    }
}

/// The default credential chain, in the order of the official Alibaba Cloud credentials SDKs:
///
/// 1. environment: `OSS_ACCESS_KEY_ID`/`OSS_ACCESS_KEY_SECRET`/`OSS_SESSION_TOKEN`, then
///    `ALIBABA_CLOUD_ACCESS_KEY_ID`/`ALIBABA_CLOUD_ACCESS_KEY_SECRET`/`ALIBABA_CLOUD_SECURITY_TOKEN`
///    ([`EnvProvider`]);
/// 2. OIDC role, only when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set (`http` feature);
/// 3. the Aliyun CLI profile `~/.aliyun/config.json` ([`CliConfigProvider`]);
/// 4. the INI credentials file `~/.alibabacloud/credentials` ([`ProfileFileProvider`]);
/// 5. the ECS instance RAM role from the metadata service, unless
///    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` (`http` feature; an unreachable metadata
///    service counts as "not configured");
/// 6. the credentials URI, only when `ALIBABA_CLOUD_CREDENTIALS_URI` is set (`http` feature).
///
/// The environment decides which slots exist when the chain is built. Walking rules are those
/// of [`ChainProvider`]: unconfigured providers are skipped, a real error stops the walk
/// (unless [`DefaultChainBuilder::try_all`]), and when all fail the error lists every provider
/// tried.
///
/// ```
/// use oss_credentials::{DefaultChain, Environment, ErrorKind, ProvideCredentials};
///
/// // Tests inject the environment; this one has nothing configured and ECS disabled.
/// let env = Environment::from_map([
///     ("HOME", "/nonexistent"),
///     ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
/// ]);
/// let chain = DefaultChain::builder().environment(env).build();
/// let err = futures_executor::block_on(chain.provide_credentials()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ChainExhausted);
/// assert!(err.to_string().contains("env"));
/// assert!(err.to_string().contains("cli_config"));
/// ```
#[derive(Debug)]
pub struct DefaultChain {
    chain: ChainProvider,
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// The default chain over the process environment.
    ///
    /// ```no_run
    /// use oss_credentials::{DefaultChain, ProvideCredentials};
    /// # async fn run() -> Result<(), oss_credentials::CredentialsError> {
    /// let chain = DefaultChain::new();
    /// let creds = chain.provide_credentials().await?;
    /// println!("using {creds}");
    /// # Ok(()) }
    /// ```
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder to inject an environment or change the chain's behaviour.
    pub fn builder() -> DefaultChainBuilder {
        DefaultChainBuilder {
            env: Environment::process(),
            try_all: false,
            uri_before_ecs: false,
            ecs: true,
        }
    }

    /// The names of the providers in the chain, in order.
    pub fn provider_names(&self) -> Vec<&str> {
        self.chain.provider_names()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        self.chain.provide_credentials()
    }

    fn name(&self) -> &str {
        "default"
    }

    fn invalidate(&self) {
        self.chain.invalidate();
    }
    fn credentials_if_cached(&self) -> Option<crate::Credentials> {
        self.chain.credentials_if_cached()
    }
}

/// Builds a [`DefaultChain`].
///
/// ```
/// use oss_credentials::{DefaultChain, Environment};
///
/// let env = Environment::from_map([("HOME", "/nonexistent")]);
/// let chain = DefaultChain::builder()
///     .environment(env)
///     .without_ecs()
///     .try_all(true)
///     .uri_before_ecs(true)
///     .build();
/// assert_eq!(chain.provider_names(), ["env", "cli_config", "profile_file"]);
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChainBuilder {
    env: Environment,
    try_all: bool,
    uri_before_ecs: bool,
    ecs: bool,
}

impl DefaultChainBuilder {
    /// Reads variables and the home directory from `env` (default: the process).
    #[must_use]
    pub fn environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// Tries every provider whatever its error, like the official SDKs.
    #[must_use]
    pub fn try_all(mut self, try_all: bool) -> Self {
        self.try_all = try_all;
        self
    }

    /// Leaves the ECS metadata provider out, whatever the environment says.
    #[must_use]
    pub fn without_ecs(mut self) -> Self {
        self.ecs = false;
        self
    }

    /// Puts the credentials URI before the ECS provider when `ALIBABA_CLOUD_CREDENTIALS_URI`
    /// is set (saves the metadata probe off ECS; a deviation from the SDKs' order).
    #[must_use]
    pub fn uri_before_ecs(mut self, yes: bool) -> Self {
        self.uri_before_ecs = yes;
        self
    }

    /// Builds the chain. Slots whose environment condition is not met, or whose feature is
    /// off, are left out.
    ///
    /// ```
    /// use oss_credentials::{DefaultChain, Environment};
    /// let env = Environment::from_map([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    /// let chain = DefaultChain::builder().environment(env).build();
    /// assert_eq!(chain.provider_names()[0], "env");
    /// ```
    pub fn build(self) -> DefaultChain {
        let env = self.env;
        let mut chain = ChainProvider::new()
            .named("default")
            .try_all(self.try_all)
            .push(EnvProvider::with_environment(env.clone()));
        #[cfg(feature = "http")]
        {
            if let Some(oidc) = crate::sts::OidcRoleProvider::from_env(&env) {
                chain = match oidc {
                    Ok(provider) => chain.push(crate::cache::CachingProvider::new(provider)),
                    Err(error) => {
                        chain.push(crate::provider::FailingProvider::new("oidc_role", error))
                    }
                };
            }
        }
        chain = chain
            .push(CliConfigProvider::with_environment(env.clone()))
            .push(ProfileFileProvider::with_environment(env.clone()));
        #[cfg(feature = "http")]
        {
            let uri = env.get("ALIBABA_CLOUD_CREDENTIALS_URI").map(|url| {
                match crate::uri::UriProvider::new(url) {
                    Ok(provider) => Arc::new(crate::cache::CachingProvider::new(provider))
                        as Arc<dyn ProvideCredentials>,
                    Err(error) => Arc::new(crate::provider::FailingProvider::new(
                        "credentials_uri",
                        error,
                    )),
                }
            });
            let ecs =
                (self.ecs && !env.is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED")).then(|| {
                    match crate::ecs::EcsRoleProvider::builder()
                        .environment(env.clone())
                        .unreachable_is_not_loaded(true)
                        .build()
                    {
                        Ok(provider) => Arc::new(crate::cache::CachingProvider::new(provider))
                            as Arc<dyn ProvideCredentials>,
                        Err(error) => {
                            Arc::new(crate::provider::FailingProvider::new("ecs_ram_role", error))
                        }
                    }
                });
            let (first, second) = if self.uri_before_ecs {
                (uri, ecs)
            } else {
                (ecs, uri)
            };
            for provider in [first, second].into_iter().flatten() {
                chain = chain.push_arc(provider);
            }
        }
        #[cfg(not(feature = "http"))]
        let _ = (self.ecs, self.uri_before_ecs);
        DefaultChain { chain }
    }
}
