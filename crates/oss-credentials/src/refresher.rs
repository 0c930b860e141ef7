//! [`Refresher`]: keeps a provider's cache fresh from a task that is allowed to wait, so that
//! synchronous readers ([`ProvideCredentials::credentials_if_cached`]) always find valid
//! credentials.

use crate::credentials::Credentials;
use crate::error::CredentialsError;
use crate::provider::ProvideCredentials;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The default pause between two refresh checks.
///
/// ```
/// assert_eq!(oss_credentials::DEFAULT_REFRESH_INTERVAL.as_secs(), 60);
/// ```
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

type ResultHook = Arc<dyn Fn(Result<&Credentials, &CredentialsError>) + Send + Sync>;

/// Asks a provider for credentials at a fixed interval, on a task of your runtime.
///
/// Each round awaits [`ProvideCredentials::provide_credentials`]: a [`CachingProvider`]
/// (also one nested in a chain or a profile) answers from its cache while the value is
/// fresh, and refreshes it once the prefetch point has passed (a one-hour token after
/// 45 minutes). Because the refresher awaits the refresh to the end, the refresh is never
/// cancelled, and synchronous callers that only read the cache
/// ([`credentials_if_cached`](ProvideCredentials::credentials_if_cached), e.g.
/// `oss_client::Client::presign`) keep finding valid credentials for the whole lifetime.
///
/// The first round runs at once (it warms an empty cache). Failed rounds are reported to
/// [`on_result`](Self::on_result) and retried at the next round; a [`CachingProvider`] keeps
/// serving its cached value until it expires. Pick an interval well below a tenth of the
/// credentials' lifetime (the default, 60 s, suits STS tokens of 15 minutes or more).
///
/// The refresher is runtime-agnostic: [`run`](Self::run) takes the runtime's sleep function.
/// With the `http` feature, [`spawn`](Self::spawn) starts it on the current tokio runtime.
///
/// [`CachingProvider`]: crate::CachingProvider
///
/// ```
/// use oss_credentials::{CachingProvider, ProvideCredentials, Refresher, StaticProvider};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let cache = Arc::new(CachingProvider::new(StaticProvider::new("LTAIexample", "example-secret")?));
/// let refresher = Refresher::new(cache.clone()).interval(Duration::from_secs(30));
/// // One round, as the spawned task does every 30 s:
/// futures_executor::block_on(refresher.refresh_once())?;
/// assert!(cache.credentials_if_cached().is_some());
/// // On tokio: tokio::spawn(refresher.run(tokio::time::sleep));
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Clone)]
pub struct Refresher {
    provider: Arc<dyn ProvideCredentials>,
    interval: Duration,
    on_result: Option<ResultHook>,
}

impl fmt::Debug for Refresher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refresher")
            .field("provider", &self.provider.name())
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl Refresher {
    /// A refresher for `provider`, checking every [`DEFAULT_REFRESH_INTERVAL`].
    ///
    /// ```
    /// use oss_credentials::{Refresher, StaticProvider, DEFAULT_REFRESH_INTERVAL};
    /// let refresher = Refresher::new(std::sync::Arc::new(StaticProvider::new("a", "b")?));
    /// let shown = format!("{refresher:?}");
    /// assert!(shown.contains(&format!("interval: {DEFAULT_REFRESH_INTERVAL:?}")), "{shown}");
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn new(provider: Arc<dyn ProvideCredentials>) -> Self {
        Self {
            provider,
            interval: DEFAULT_REFRESH_INTERVAL,
            on_result: None,
        }
    }

    setters! {
        /// The pause between two rounds (at least 1 s).
        ///
        /// ```
        /// # use oss_credentials::{Refresher, StaticProvider};
        /// use std::time::Duration;
        /// let provider = std::sync::Arc::new(StaticProvider::new("a", "b")?);
        /// let r = Refresher::new(provider.clone()).interval(Duration::from_secs(20));
        /// assert!(format!("{r:?}").contains("interval: 20s"));
        /// // Less than a second is a second.
        /// let r = Refresher::new(provider).interval(Duration::from_millis(10));
        /// assert!(format!("{r:?}").contains("interval: 1s"));
        /// # Ok::<(), oss_credentials::CredentialsError>(())
        /// ```
        fn interval(interval: Duration) { interval = interval.max(Duration::from_secs(1)) }
    }

    /// Called with the outcome of every round (log failures; errors never contain a secret).
    ///
    /// ```
    /// # use oss_credentials::{Refresher, StaticProvider};
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let rounds = Arc::new(AtomicUsize::new(0));
    /// let seen = rounds.clone();
    /// let r = Refresher::new(Arc::new(StaticProvider::new("a", "b")?))
    ///     .on_result(move |result| {
    ///         if let Err(e) = result {
    ///             eprintln!("credentials refresh failed: {e}");
    ///         }
    ///         seen.fetch_add(1, Ordering::Relaxed);
    ///     });
    /// futures_executor::block_on(r.refresh_once())?;
    /// assert_eq!(rounds.load(Ordering::Relaxed), 1);
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    #[must_use]
    pub fn on_result(
        mut self,
        hook: impl Fn(Result<&Credentials, &CredentialsError>) + Send + Sync + 'static,
    ) -> Self {
        self.on_result = Some(Arc::new(hook));
        self
    }

    /// One round: asks the provider (which refreshes its cache if due) and reports the
    /// outcome to the [`on_result`](Self::on_result) hook.
    ///
    /// ```
    /// # use oss_credentials::{Refresher, StaticProvider};
    /// let r = Refresher::new(std::sync::Arc::new(StaticProvider::new("LTAIa", "b")?));
    /// let creds = futures_executor::block_on(r.refresh_once())?;
    /// assert_eq!(creds.access_key_id(), "LTAIa");
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub async fn refresh_once(&self) -> Result<Credentials, CredentialsError> {
        let result = self.provider.provide_credentials().await;
        if let Some(hook) = &self.on_result {
            hook(result.as_ref());
        }
        result
    }

    /// Runs rounds forever, sleeping `interval` between them with the runtime's `sleep`
    /// (e.g. `tokio::time::sleep`). Spawn the returned future; drop or abort the task to stop.
    ///
    /// ```
    /// use oss_credentials::{Refresher, StaticProvider};
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let rounds = Arc::new(AtomicUsize::new(0));
    /// let seen = rounds.clone();
    /// let r = Refresher::new(Arc::new(StaticProvider::new("a", "b")?))
    ///     .on_result(move |_| { seen.fetch_add(1, Ordering::SeqCst); });
    /// // A "sleep" that ends the loop after three rounds, for the example.
    /// let stop = rounds.clone();
    /// let run = r.run(move |_| {
    ///     let done = stop.load(Ordering::SeqCst) >= 3;
    ///     async move { if done { std::future::pending::<()>().await } }
    /// });
    /// use std::future::Future;
    /// let mut run = Box::pin(run);
    /// let waker = std::task::Waker::noop();
    /// let _ = run.as_mut().poll(&mut std::task::Context::from_waker(waker));
    /// assert_eq!(rounds.load(Ordering::SeqCst), 3);
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub async fn run<S, F>(self, mut sleep: S)
    where
        S: FnMut(Duration) -> F + Send,
        F: Future<Output = ()> + Send,
    {
        loop {
            let _ = self.refresh_once().await;
            sleep(self.interval).await;
        }
    }

    /// Spawns [`run`](Self::run) on the current tokio runtime (feature `http`). Panics outside
    /// a tokio runtime, like `tokio::spawn`.
    ///
    /// ```
    /// # #[cfg(feature = "http")] {
    /// use oss_credentials::{CachingProvider, ProvideCredentials, Refresher, StaticProvider};
    /// use std::sync::Arc;
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    /// runtime.block_on(async {
    ///     let cache = Arc::new(CachingProvider::new(StaticProvider::new("id", "secret").unwrap()));
    ///     let task = Refresher::new(cache.clone()).spawn();
    ///     tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    ///     assert!(cache.credentials_if_cached().is_some());
    ///     task.abort();
    /// });
    /// # }
    /// ```
    #[cfg(feature = "http")]
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run(tokio::time::sleep))
    }
}
