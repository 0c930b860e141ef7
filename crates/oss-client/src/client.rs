//! The [`Client`]: validates a request, signs it at the clock's instant and writes the URL.

use std::sync::{Arc, Mutex};

use oss_credentials::Credentials;
use oss_sign_core::{SignError, SignErrorKind, SigningTime};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::presign::{PresignOptions, PresignResult};
use crate::request::{PartsRef, Presignable};
// Not in the WebAssembly module, where typed requests have no presign_inline (see request!).
#[cfg(not(target_arch = "wasm32"))]
use crate::request::{InlineParts, PairCopy};

mod key_cache;
mod request_checks;
mod signing;

use key_cache::{CachedKey, KeyCache};
pub(crate) use request_checks::check_parts;

/// Presigns OSS requests. Cheap to clone (the state is shared) and safe to use from many
/// threads at once.
///
/// The V4 signing key (four chained HMACs) is derived once per secret, UTC day, region and
/// product and reused by every later call.
///
/// ```
/// use std::time::Duration;
/// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
/// use oss_credentials::Credentials;
///
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(Credentials::new("LTAI5tExampleAccessKeyId", "ExampleAccessKeySecret")?)
///     .build()?;
/// let client = Client::new(config);
///
/// let get = GetObjectRequest::new("examplebucket", "exampleobject.txt");
/// let result = client.presign_with(&get, &PresignOptions::new().expires(Duration::from_secs(3600)))?;
/// assert!(result.url().contains("x-oss-expires=3600"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    keys: KeyCache,
    /// The official default chain, built on first use by the async paths when the
    /// configuration names no credentials.
    default_chain: std::sync::OnceLock<Arc<dyn oss_credentials::ProvideCredentials>>,
    /// Why the last credentials fetch of an async path or refresher failed (secret-free
    /// `Display` text), cleared by the next success; quoted by the sync path's error.
    last_fetch_error: Mutex<Option<String>>,
}

impl Client {
    /// A client for `config`.
    ///
    /// ```
    /// let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou").build()?);
    /// assert_eq!(client.config().region(), Some("cn-hangzhou"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn new(config: Config) -> Self {
        let keys = KeyCache::new(config.endpoint.signing_region(), config.endpoint.product());
        Client {
            inner: Arc::new(Inner {
                config,
                keys,
                default_chain: std::sync::OnceLock::new(),
                last_fetch_error: Mutex::new(None),
            }),
        }
    }

    /// The configuration the client was built with.
    ///
    /// ```
    /// let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou").build()?);
    /// assert_eq!(client.config().endpoint().authority(), "oss-cn-hangzhou.aliyuncs.com");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Presigns `request`, valid for the default 15 minutes.
    ///
    /// Credentials come from the configured provider without waiting: static credentials,
    /// environment variables, or whatever valid value a [`CachingProvider`] holds
    /// ([`ProvideCredentials::credentials_if_cached`]). The sync path never starts, polls or
    /// cancels a refresh; keep the cache fresh with [`credentials_refresher`](Self::credentials_refresher)
    /// (a task on your runtime) or by calling [`presign_async`](Self::presign_async) now and
    /// then. It fails with [`ErrorKind::Credentials`] only when no valid credentials are cached
    /// (never fetched yet, or expired because every refresh failed), saying how to fix it.
    /// Presigning does no I/O.
    ///
    /// [`CachingProvider`]: oss_credentials::CachingProvider
    /// [`ProvideCredentials::credentials_if_cached`]: oss_credentials::ProvideCredentials::credentials_if_cached
    ///
    /// ```
    /// use oss_client::{Client, Config, HeadObjectRequest};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let result = client.presign(&HeadObjectRequest::new("examplebucket", "k"))?;
    /// assert_eq!(result.method(), "HEAD");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign<R: Presignable + ?Sized>(&self, request: &R) -> Result<PresignResult, Error> {
        // A constant: no options written to the stack at each call.
        const DEFAULT: PresignOptions = PresignOptions::new();
        self.presign_with(request, &DEFAULT)
    }

    /// Presigns `request` with explicit options (expiry).
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_client::{Client, Config, ErrorKind, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// let eight_days = PresignOptions::new().expires(Duration::from_secs(8 * 86_400));
    /// assert_eq!(client.presign_with(&get, &eight_days).unwrap_err().kind(), ErrorKind::InvalidExpiry);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign_with<R: Presignable + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
    ) -> Result<PresignResult, Error> {
        // Static credentials: one test and one call (no frame of its own, so this inlines into
        // its caller); a provider's credentials are taken, and dropped after the presign, out
        // of line.
        match &self.inner.config.static_credentials {
            Some(credentials) => self.presign_with_credentials(request, options, credentials),
            None => self.presign_with_provider(request, options),
        }
    }

    /// [`presign_with`](Self::presign_with) with the provider's cached credentials.
    #[inline(never)]
    fn presign_with_provider<R: Presignable + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
    ) -> Result<PresignResult, Error> {
        let credentials = self.credentials_now()?;
        self.presign_with_credentials(request, options, &credentials)
    }

    /// Presigns `request` with the given credentials instead of the configured provider.
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder().region("cn-hangzhou").build()?);
    /// let creds = Credentials::new("STS.example", "secret")?.with_security_token("token");
    /// let result = client.presign_with_credentials(
    ///     &GetObjectRequest::new("examplebucket", "k"), &PresignOptions::new(), &creds)?;
    /// assert!(result.url().contains("x-oss-security-token=token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign_with_credentials<R: Presignable + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
        credentials: &Credentials,
    ) -> Result<PresignResult, Error> {
        let now = self.now()?;
        if let Some(view) = request.presign_view() {
            return self.presign_parts_at(&PartsRef::from(view), options, credentials, now);
        }
        // Typed requests: their parts in fixed arrays, signed from there (copied only when a
        // number or metadata name is written in). Not in the WebAssembly module (smaller there
        // through the vectors; see `request!`).
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut inline = InlineParts::new();
            if request.presign_inline(&mut inline) {
                let (mut header_copy, mut query_copy) = (PairCopy::new(), PairCopy::new());
                let (headers, query) = inline.resolve(&mut header_copy, &mut query_copy);
                let parts = PartsRef {
                    method: inline.method(),
                    bucket: inline.bucket(),
                    key: inline.key(),
                    headers,
                    query,
                };
                return self.presign_parts_at(&parts, options, credentials, now);
            }
        }
        let parts = request.presign_parts();
        self.presign_parts_at(&PartsRef::from(&parts), options, credentials, now)
    }

    /// The clock's instant.
    #[inline]
    pub(crate) fn now(&self) -> Result<SigningTime, Error> {
        self.inner.config.clock.now().ok_or_else(|| {
            Error::without_field(
                ErrorKind::InvalidConfig,
                "the clock gave no usable instant (before 1970 or after 9999, or no system clock at all, as on wasm32-unknown-unknown); check the system clock, or give the instant with ConfigBuilder::clock (FixedClock)",
            )
        })
    }

    /// The cached V4 signing key for this secret and day, for the endpoint's signing region
    /// and product (derived when the cache holds another).
    pub(crate) fn signing_key(
        &self,
        credentials: &Credentials,
        time: SigningTime,
    ) -> Arc<CachedKey> {
        self.inner.keys.get(credentials, time)
    }

    /// Presigns `request` after asking the configured provider for credentials, which may do
    /// network I/O (STS, ECS metadata, ...). The signing itself does none. When the configuration
    /// names no credentials, the official default chain is used
    /// ([`oss_credentials::DefaultChain`]: environment, OIDC, CLI config, credentials file, ECS
    /// metadata, credentials URI); call it inside the runtime your HTTP providers need (tokio).
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// let result = futures_executor::block_on(client.presign_async(&get, &PresignOptions::new()))?;
    /// assert_eq!(result.method(), "GET");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn presign_async<R: Presignable + Sync + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
    ) -> Result<PresignResult, Error> {
        let provider = self.async_provider();
        let result = provider.provide_credentials().await;
        self.record_fetch(result.as_ref().err());
        let credentials = result.map_err(credentials_error)?;
        self.presign_with_credentials(request, options, &credentials)
    }

    /// A [`Refresher`](oss_credentials::Refresher) for the client's credentials provider (the
    /// default chain when none is configured): spawn it on your runtime so that the sync
    /// [`presign`](Self::presign) always finds valid cached credentials, also across STS
    /// refreshes. The first round fetches at once (warming the cache); later rounds refresh
    /// ahead of expiry. Failures are remembered and quoted by the sync path's error.
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest};
    /// use oss_credentials::{CachingProvider, Credentials, FnProvider};
    ///
    /// let sts = CachingProvider::new(FnProvider::new("sts", || async {
    ///     Ok(Credentials::new("STS.example", "secret")?
    ///         .with_security_token("token")
    ///         .with_expiration(std::time::SystemTime::now() + std::time::Duration::from_secs(3600)))
    /// }));
    /// let client = Client::new(Config::builder().region("cn-hangzhou").credentials_provider(sts).build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// assert!(client.presign(&get).is_err()); // nothing cached yet
    /// let refresher = client.credentials_refresher();
    /// futures_executor::block_on(refresher.refresh_once())?; // what the spawned task does first
    /// assert!(client.presign(&get)?.url().contains("x-oss-security-token=token"));
    /// // On tokio: tokio::spawn(client.credentials_refresher().run(tokio::time::sleep));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credentials_refresher(&self) -> oss_credentials::Refresher {
        let inner = Arc::downgrade(&self.inner);
        oss_credentials::Refresher::new(self.async_provider().clone()).on_result(move |result| {
            if let Some(inner) = inner.upgrade() {
                inner.record_fetch(result.err());
            }
        })
    }

    pub(crate) fn record_fetch(&self, error: Option<&oss_credentials::CredentialsError>) {
        self.inner.record_fetch(error);
    }

    pub(crate) fn provider(&self) -> Result<&Arc<dyn oss_credentials::ProvideCredentials>, Error> {
        self.inner.config.credentials.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Credentials,
                "credentials",
                "no credentials are configured; set them with ConfigBuilder::credentials or credentials_provider, or use presign_async, which falls back to the default credentials chain",
            )
        })
    }

    /// The configured provider, or the default chain (built once) when there is none.
    pub(crate) fn async_provider(&self) -> &Arc<dyn oss_credentials::ProvideCredentials> {
        match &self.inner.config.credentials {
            Some(provider) => provider,
            None => self
                .inner
                .default_chain
                .get_or_init(|| Arc::new(oss_credentials::DefaultChain::new())),
        }
    }

    /// The provider's valid cached credentials, without waiting (never polls, so it can
    /// neither start nor cancel a refresh).
    pub(crate) fn credentials_now(&self) -> Result<Credentials, Error> {
        let provider = self.provider()?;
        if let Some(credentials) = provider.credentials_if_cached() {
            return Ok(credentials);
        }
        let last = self
            .inner
            .last_fetch_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let cause = match last {
            Some(error) => format!(" (the last fetch failed: {error})"),
            None => String::new(),
        };
        Err(Error::new(
            ErrorKind::Credentials,
            "credentials",
            format!(
                "the credentials provider {:?} has no valid credentials cached{cause}; the sync presign never waits for a fetch: warm the cache first (await presign_async or provide_credentials once), keep it fresh with Client::credentials_refresher spawned on your runtime, or use Client::presign_async",
                provider.name()
            ),
        ))
    }
}

pub(crate) fn sign_error(err: SignError) -> Error {
    let kind = match err.kind() {
        SignErrorKind::InvalidExpiry => ErrorKind::InvalidExpiry,
        SignErrorKind::InvalidInput | SignErrorKind::InvalidEncoding => ErrorKind::InvalidRequest,
        _ => ErrorKind::Signing,
    };
    Error::without_field(kind, err.message().to_owned()).with_source(err)
}

pub(crate) fn credentials_error(err: oss_credentials::CredentialsError) -> Error {
    Error::new(
        ErrorKind::Credentials,
        "credentials",
        format!("could not get credentials: {err}"),
    )
    .with_source(err)
}

impl Inner {
    fn record_fetch(&self, error: Option<&oss_credentials::CredentialsError>) {
        let mut slot = self
            .last_fetch_error
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *slot = error.map(ToString::to_string);
    }
}
