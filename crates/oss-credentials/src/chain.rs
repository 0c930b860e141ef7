//! [`ChainProvider`] (an ordered list of providers) and [`DefaultChain`] (the official order).

use crate::cli_config::CliConfigProvider;
use crate::env::{EnvProvider, Environment};
use crate::error::{join_or, CredentialsError, ErrorKind};
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
    sticky: Option<Mutex<Option<Remembered>>>,
    name: String,
}

/// The index of the last successful provider and the warnings of the walk that found it.
type Remembered = (usize, Vec<String>);

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

    setters! {
        /// Tries every provider whatever its error, like the official SDKs (default: stop at the
        /// first error that is not [`ErrorKind::NotLoaded`]).
        fn try_all(try_all: bool) { try_all = try_all }

        /// Whether to go straight to the last successful provider (default: yes).
        fn sticky(sticky: bool) { sticky = sticky.then(|| Mutex::new(None)) }

        /// Names the chain in diagnostics (default `chain`).
        fn named(name: impl Into<String>) { name = name.into() }
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

    fn remembered(&self) -> Option<Remembered> {
        let sticky = self.sticky.as_ref()?;
        sticky.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn remember(&self, index: Option<Remembered>) {
        if let Some(sticky) = &self.sticky {
            *sticky.lock().unwrap_or_else(|p| p.into_inner()) = index;
        }
    }

    async fn walk(&self) -> Result<crate::Credentials, CredentialsError> {
        if let Some((index, warnings)) = self.remembered() {
            if let Some(provider) = self.providers.get(index) {
                match provider.provide_credentials().await {
                    Ok(credentials) => return Ok(with_warnings(credentials, &warnings)),
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
                    // Broken sources that were skipped are reported, never silent.
                    let warnings: Vec<String> = attempts
                        .iter()
                        .filter(|e: &&CredentialsError| e.kind() != ErrorKind::NotLoaded)
                        .map(|e| format!("skipped {e}"))
                        .collect();
                    self.remember(Some((index, warnings.clone())));
                    return Ok(with_warnings(credentials, &warnings));
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
                join_or(&tried, ", ", "nothing: the chain is empty")
            ),
            attempts,
        )
        .with_provider(self.name.clone()))
    }
}

/// `credentials` with `warnings` added after its own.
fn with_warnings(credentials: crate::Credentials, warnings: &[String]) -> crate::Credentials {
    warnings.iter().fold(credentials, |creds, warning| {
        creds.with_warning(warning.clone())
    })
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
        let (index, warnings) = self.remembered().unwrap_or_default();
        let credentials = self.providers.get(index)?.credentials_if_cached()?;
        Some(with_warnings(credentials, &warnings))
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
/// of [`ChainProvider`] in its try-all mode, like the official SDKs: a source that is absent
/// or broken is recorded and the next one tried, broken sources that were skipped become
/// [warnings](crate::Credentials::warnings) on the credentials found, and when all fail the
/// error lists every provider tried and why ([`DefaultChainBuilder::try_all`]`(false)` stops
/// at the first broken source instead).
///
/// A named profile ([`DefaultChainBuilder::profile`], else `ALIBABA_CLOUD_PROFILE`) is
/// explicit and beats everything implicit: the chain is then only `~/.aliyun/config.json`
/// and the INI file, looked up with that name, and a name found in neither is an error
/// naming the files searched.
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
    /// The explicitly named profile, and where the name came from.
    profile: Option<(String, Option<&'static str>)>,
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
            try_all: true,
            uri_before_ecs: false,
            ecs: true,
            profile: None,
        }
    }

    /// The names of the providers in the chain, in order.
    pub fn provider_names(&self) -> Vec<&str> {
        self.chain.provider_names()
    }
}

impl DefaultChain {
    async fn resolve(&self) -> Result<crate::Credentials, CredentialsError> {
        let result = self.chain.provide_credentials().await;
        match (&self.profile, result) {
            (Some((name, origin)), Err(error)) if error.kind() == ErrorKind::ChainExhausted => {
                let origin = origin.map(|o| format!(" (from {o})")).unwrap_or_default();
                let searched: Vec<String> =
                    error.attempts().iter().map(ToString::to_string).collect();
                let not_found = error
                    .attempts()
                    .iter()
                    .all(|e| e.kind() == ErrorKind::NotLoaded);
                let message = if not_found {
                    format!(
                        "the profile '{name}'{origin} exists nowhere; searched: [{}]",
                        searched.join("; ")
                    )
                } else {
                    format!(
                        "the profile '{name}'{origin} gave no credentials: [{}]",
                        searched.join("; ")
                    )
                };
                let kind = if not_found {
                    ErrorKind::NotLoaded
                } else {
                    ErrorKind::InvalidConfig
                };
                Err(CredentialsError::new(kind, message).with_provider("default"))
            }
            (_, result) => result,
        }
    }

    /// The explicitly named profile (builder, or `ALIBABA_CLOUD_PROFILE`), if any.
    ///
    /// ```
    /// use oss_credentials::{DefaultChain, Environment};
    /// let env = Environment::from_map([("ALIBABA_CLOUD_PROFILE", "prod")]);
    /// assert_eq!(DefaultChain::builder().environment(env).build().profile(), Some("prod"));
    /// ```
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_ref().map(|(name, _)| name.as_str())
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.resolve())
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
    profile: Option<String>,
}

impl DefaultChainBuilder {
    setters! {
        /// Reads variables and the home directory from `env` (default: the process).
        fn environment(env: Environment) { env = env }

        /// Whether a source that is present but broken is skipped (recorded, reported as a
        /// [warning](crate::Credentials::warnings), and the next source tried), as in the official
        /// SDKs. Default: `true`. With `false` the first broken source stops the walk with its
        /// own error.
        fn try_all(try_all: bool) { try_all = try_all }
    }

    /// Uses this profile, explicitly: only `~/.aliyun/config.json` and the INI credentials
    /// file are consulted (in that order), even when credentials are set in the environment,
    /// and a profile that exists in neither is an error naming the files searched. Without
    /// it, `ALIBABA_CLOUD_PROFILE` has the same effect.
    ///
    /// ```
    /// use oss_credentials::{DefaultChain, Environment, ErrorKind, ProvideCredentials};
    /// let home = tempfile::tempdir()?;
    /// let env = Environment::from_map([("OSS_ACCESS_KEY_ID", "LTAIenv"), ("OSS_ACCESS_KEY_SECRET", "s")])
    ///     .with_home_dir(home.path());
    /// let chain = DefaultChain::builder().environment(env).profile("nosuch").build();
    /// assert_eq!(chain.provider_names(), ["cli_config", "profile_file"]);
    /// let err = futures_executor::block_on(chain.provide_credentials()).unwrap_err();
    /// assert!(err.to_string().contains("the profile 'nosuch'"), "{err}");
    /// assert!(err.to_string().contains("config.json"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into()).filter(|n: &String| !n.trim().is_empty());
        self
    }

    /// Leaves the ECS metadata provider out, whatever the environment says.
    #[must_use]
    pub fn without_ecs(mut self) -> Self {
        self.ecs = false;
        self
    }

    setters! {
        /// Puts the credentials URI before the ECS provider when `ALIBABA_CLOUD_CREDENTIALS_URI`
        /// is set (saves the metadata probe off ECS; a deviation from the SDKs' order).
        fn uri_before_ecs(yes: bool) { uri_before_ecs = yes }
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
        let profile = match self.profile {
            Some(name) => Some((name, None)),
            None => env
                .get("ALIBABA_CLOUD_PROFILE")
                .map(|name| (name.trim().to_owned(), Some("ALIBABA_CLOUD_PROFILE")))
                .filter(|(name, _)| !name.is_empty()),
        };
        if let Some((name, origin)) = profile {
            // Explicit beats implicit: the named profile, from the profile files only.
            let chain = ChainProvider::new()
                .named("default")
                .try_all(true)
                .push(CliConfigProvider::with_environment(env.clone()).profile(name.clone()))
                .push(ProfileFileProvider::with_environment(env).profile(name.clone()));
            return DefaultChain {
                chain,
                profile: Some((name, origin)),
            };
        }
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
        DefaultChain {
            chain,
            profile: None,
        }
    }
}
