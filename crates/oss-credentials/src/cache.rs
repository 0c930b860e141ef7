//! [`CachingProvider`]: refresh-ahead caching with a single fetch in flight.

use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::{CredentialsError, ErrorKind};
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::timestamp::format_utc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const PREFETCH_MAX: Duration = Duration::from_secs(15 * 60);
const STALE_MIN: Duration = Duration::from_secs(30);
const STALE_MAX: Duration = Duration::from_secs(180);
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
const MIN_REFETCH: Duration = Duration::from_secs(30);
const BACKOFF_START: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(120);

/// When a cached value must be refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Schedule {
    prefetch_at: SystemTime,
    stale_at: SystemTime,
    valid_until: SystemTime,
}

impl Schedule {
    fn for_expiry(fetched_at: SystemTime, expiration: SystemTime) -> Self {
        let lifetime = expiration
            .duration_since(fetched_at)
            .unwrap_or(Duration::ZERO);
        let sub = |d: Duration| expiration.checked_sub(d).unwrap_or(fetched_at);
        let valid_until = sub(EXPIRY_MARGIN.min(lifetime / 2));
        let stale_margin = (lifetime / 10).clamp(STALE_MIN, STALE_MAX);
        let stale_at = sub(stale_margin)
            .max(fetched_at + MIN_REFETCH)
            .min(valid_until);
        let prefetch_at = sub(PREFETCH_MAX.min(lifetime / 3))
            .max(fetched_at + MIN_REFETCH)
            .min(stale_at);
        Self {
            prefetch_at,
            stale_at,
            valid_until,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    credentials: Credentials,
    /// `None` for credentials that never expire.
    schedule: Option<Schedule>,
}

#[derive(Debug, Default)]
struct State {
    entry: Option<Entry>,
    /// No refresh is attempted before this instant (set after a failed refresh).
    retry_after: Option<SystemTime>,
    backoff: Duration,
    /// Why the last refresh failed (cleared by a successful one); secret-free `Display` text.
    last_error: Option<String>,
}

/// What a caller should do at a given instant.
enum Decision {
    /// Serve the cached value.
    Serve(Credentials),
    /// Serve the cached value, and refresh it if no other task is already doing so.
    Prefetch(Credentials),
    /// Wait for a refresh.
    Fetch,
}

/// Caches the credentials of any provider and refreshes them ahead of expiry, with exactly
/// one fetch in flight however many tasks ask.
///
/// For credentials with an expiry `E` fetched at `F` (lifetime `L = E − F`) the cache derives:
///
/// | instant | value | meaning |
/// | --- | --- | --- |
/// | `prefetch_at` | `E − min(15 min, L/3)` | the first caller after this refreshes; everyone else keeps getting the cached value |
/// | `stale_at` | `E − clamp(L/10, 30 s, 180 s)` | callers wait for one refresh (single flight) |
/// | `valid_until` | `E − min(10 s, L/2)` | the cached value is never served after this |
///
/// Neither refresh point comes earlier than 30 s after the fetch (nor later than
/// `valid_until`), so a provider handing out very short-lived credentials is not asked on
/// every call. A 3 600 s token is prefetched after 45 min and stale after 57 min; a 900 s token after
/// 10 min and 13.5 min, so short tokens are not refreshed on every call. Credentials without
/// an expiry are cached until [`invalidate`](CachingProvider::invalidate).
///
/// When a refresh fails while the cached value is still valid, the next attempt is pushed out
/// by a back-off (10 s doubling up to 2 min). A transient failure (timeout, transport error,
/// 5xx, throttling, an answer that had already expired) is hidden: the caller gets the cached value. Any other failure is returned
/// to that caller, and callers inside the back-off keep getting the cached value. Once the
/// cached value is past `valid_until` a failed refresh is an error.
///
/// The single flight uses a runtime-agnostic async mutex, so the wrapper works on any executor.
///
/// Synchronous readers use [`credentials_if_cached`](ProvideCredentials::credentials_if_cached)
/// (the same as [`cached`](Self::cached)): it returns the cached value until `valid_until`,
/// also inside the prefetch and stale windows, and never starts, waits for or cancels a
/// refresh. Something that may wait refreshes ahead of expiry: async callers of
/// [`provide_credentials`](ProvideCredentials::provide_credentials), or a
/// [`Refresher`](crate::Refresher) spawned on the runtime.
///
/// ```
/// use oss_credentials::{CachingProvider, Credentials, FnProvider, ManualClock, ProvideCredentials};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use std::time::{Duration, SystemTime};
///
/// let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let clock = ManualClock::new(start.try_into()?);
/// let calls = Arc::new(AtomicUsize::new(0));
/// let counter = calls.clone();
/// let upstream = FnProvider::new("sts", move || {
///     let n = counter.fetch_add(1, Ordering::SeqCst);
///     async move {
///         Ok(Credentials::new(format!("STS.id{n}"), "secret")?
///             .with_security_token("token")
///             .with_expiration(start + Duration::from_secs(3600 * (n as u64 + 1))))
///     }
/// });
/// let cached = CachingProvider::new(upstream).with_clock(clock.clone());
///
/// futures_executor::block_on(async {
///     assert_eq!(cached.provide_credentials().await?.access_key_id(), "STS.id0");
///     clock.advance(30 * 60); // still fresh
///     assert_eq!(cached.provide_credentials().await?.access_key_id(), "STS.id0");
///     clock.advance(28 * 60); // 58 min: stale, refreshed once
///     assert_eq!(cached.provide_credentials().await?.access_key_id(), "STS.id1");
///     Ok::<(), oss_credentials::CredentialsError>(())
/// })?;
/// assert_eq!(calls.load(Ordering::SeqCst), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    gate: async_lock::Mutex<()>,
}

impl CachingProvider {
    /// Wraps `inner`, using the system clock.
    pub fn new(inner: impl ProvideCredentials + 'static) -> Self {
        Self::from_arc(Arc::new(inner))
    }

    /// Wraps a shared provider.
    pub fn from_arc(inner: Arc<dyn ProvideCredentials>) -> Self {
        Self {
            inner,
            clock: Arc::new(SystemClock),
            state: Mutex::new(State {
                entry: None,
                retry_after: None,
                backoff: BACKOFF_START,
                last_error: None,
            }),
            gate: async_lock::Mutex::new(()),
        }
    }

    setters! {
        /// Uses `clock` instead of the system clock (tests, simulations).
        fn with_clock(clock: impl Clock + 'static) { clock = Arc::new(clock) }
    }

    /// The cached credentials if they are still valid now, without awaiting or fetching.
    ///
    /// ```
    /// use oss_credentials::{CachingProvider, ProvideCredentials, StaticProvider};
    /// let cached = CachingProvider::new(StaticProvider::new("id", "secret")?);
    /// assert!(cached.cached().is_none());
    /// futures_executor::block_on(cached.provide_credentials())?;
    /// assert_eq!(cached.cached().map(|c| c.access_key_id().to_owned()), Some("id".into()));
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn cached(&self) -> Option<Credentials> {
        let now = crate::clock::now(self.clock.as_ref());
        let state = self.lock_state();
        let entry = state.entry.as_ref()?;
        match entry.schedule {
            Some(schedule) if now >= schedule.valid_until => None,
            _ => Some(entry.credentials.clone()),
        }
    }

    /// Forgets the cached credentials (and any back-off) so the next call fetches new ones.
    ///
    /// ```
    /// use oss_credentials::{CachingProvider, ProvideCredentials, StaticProvider};
    /// let cached = CachingProvider::new(StaticProvider::new("id", "secret")?);
    /// futures_executor::block_on(cached.provide_credentials())?;
    /// cached.invalidate();
    /// assert!(cached.cached().is_none());
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn invalidate(&self) {
        let mut state = self.lock_state();
        state.entry = None;
        state.retry_after = None;
        state.backoff = BACKOFF_START;
        state.last_error = None;
    }

    /// Why the last refresh failed, while no later refresh has succeeded (`Display` text of
    /// the error, which never contains a secret).
    ///
    /// ```
    /// use oss_credentials::{CachingProvider, CredentialsError, ErrorKind, FnProvider, ProvideCredentials};
    /// let down = FnProvider::new("sts", || async {
    ///     Err::<oss_credentials::Credentials, _>(CredentialsError::new(ErrorKind::Http, "connection refused"))
    /// });
    /// let cached = CachingProvider::new(down);
    /// assert!(futures_executor::block_on(cached.provide_credentials()).is_err());
    /// assert!(cached.last_refresh_error().unwrap().contains("connection refused"));
    /// ```
    pub fn last_refresh_error(&self) -> Option<String> {
        self.lock_state().last_error.clone()
    }

    /// The instant after which the cached value wants refreshing (the prefetch point, or
    /// the end of a back-off after a failed refresh); `None` when nothing with an expiry is
    /// cached. A refresher ([`Refresher`](crate::Refresher)) calls
    /// [`provide_credentials`](ProvideCredentials::provide_credentials) at or after it.
    ///
    /// ```
    /// use oss_credentials::{CachingProvider, ProvideCredentials, StaticProvider};
    /// let cached = CachingProvider::new(StaticProvider::new("id", "secret")?);
    /// futures_executor::block_on(cached.provide_credentials())?;
    /// assert_eq!(cached.refresh_due_at(), None); // never expires
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn refresh_due_at(&self) -> Option<SystemTime> {
        let state = self.lock_state();
        let schedule = state.entry.as_ref()?.schedule?;
        Some(match state.retry_after {
            Some(at) => at.max(schedule.prefetch_at),
            None => schedule.prefetch_at,
        })
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn decide(&self, now: SystemTime) -> Decision {
        let state = self.lock_state();
        let Some(entry) = &state.entry else {
            return Decision::Fetch;
        };
        let Some(schedule) = entry.schedule else {
            return Decision::Serve(entry.credentials.clone());
        };
        if now >= schedule.valid_until {
            return Decision::Fetch;
        }
        if now < schedule.prefetch_at || state.retry_after.is_some_and(|at| now < at) {
            return Decision::Serve(entry.credentials.clone());
        }
        if now < schedule.stale_at {
            Decision::Prefetch(entry.credentials.clone())
        } else {
            Decision::Fetch
        }
    }

    async fn get(&self) -> Result<Credentials, CredentialsError> {
        match self.decide(crate::clock::now(self.clock.as_ref())) {
            Decision::Serve(credentials) => Ok(credentials),
            Decision::Prefetch(credentials) => match self.gate.try_lock() {
                // Re-check: another task may have refreshed just before the gate was free.
                Some(_guard) => match self.decide(crate::clock::now(self.clock.as_ref())) {
                    Decision::Serve(credentials) => Ok(credentials),
                    Decision::Prefetch(_) | Decision::Fetch => self.refresh().await,
                },
                None => Ok(credentials),
            },
            Decision::Fetch => {
                let _guard = self.gate.lock().await;
                // Another task may have refreshed while this one waited.
                match self.decide(crate::clock::now(self.clock.as_ref())) {
                    Decision::Serve(credentials) | Decision::Prefetch(credentials) => {
                        Ok(credentials)
                    }
                    Decision::Fetch => self.refresh().await,
                }
            }
        }
    }

    /// Fetches from the inner provider; the caller holds the gate.
    async fn refresh(&self) -> Result<Credentials, CredentialsError> {
        let result = self.inner.provide_credentials().await;
        let now = crate::clock::now(self.clock.as_ref());
        let result = result.and_then(|credentials| match credentials.expiration() {
            Some(expiration) => {
                let schedule = Schedule::for_expiry(now, expiration);
                if now >= schedule.valid_until {
                    Err(CredentialsError::new(
                        ErrorKind::Expired,
                        format!(
                            "the credentials received had already expired (expiration {}, now {})",
                            format_utc(expiration),
                            format_utc(now)
                        ),
                    )
                    .with_provider(self.inner.name().to_owned()))
                } else {
                    Ok(Entry {
                        credentials,
                        schedule: Some(schedule),
                    })
                }
            }
            None => Ok(Entry {
                credentials,
                schedule: None,
            }),
        });
        let mut state = self.lock_state();
        match result {
            Ok(entry) => {
                let credentials = entry.credentials.clone();
                state.entry = Some(entry);
                state.retry_after = None;
                state.backoff = BACKOFF_START;
                state.last_error = None;
                Ok(credentials)
            }
            Err(error) => {
                state.last_error = Some(error.to_string());
                let still_valid = state.entry.as_ref().and_then(|entry| match entry.schedule {
                    Some(schedule) if now >= schedule.valid_until => None,
                    _ => Some(entry.credentials.clone()),
                });
                match still_valid {
                    Some(credentials) => {
                        state.retry_after = Some(now + state.backoff);
                        state.backoff = (state.backoff * 2).min(BACKOFF_MAX);
                        if error.is_transient() {
                            Ok(credentials)
                        } else {
                            Err(error)
                        }
                    }
                    None => {
                        let expired_at = state
                            .entry
                            .as_ref()
                            .and_then(|entry| entry.credentials.expiration());
                        state.entry = None;
                        match expired_at {
                            Some(at) => Err(CredentialsError::new(
                                error.kind(),
                                format!(
                                    "the cached credentials expired at {} and the refresh failed",
                                    format_utc(at)
                                ),
                            )
                            .with_provider(self.inner.name().to_owned())
                            .with_source(error)),
                            None => Err(error),
                        }
                    }
                }
            }
        }
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.get())
    }

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn invalidate(&self) {
        CachingProvider::invalidate(self);
        self.inner.invalidate();
    }

    /// The cached value while it is valid ([`CachingProvider::cached`]); never starts or
    /// waits for a refresh, so a refresh in flight is never cancelled by this call.
    fn credentials_if_cached(&self) -> Option<Credentials> {
        self.cached()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn schedules_for_one_hour_fifteen_minutes_and_six_hours() {
        // (lifetime, prefetch_at, stale_at, valid_until where asserted)
        for (lifetime, prefetch, stale, valid_until) in [
            (3600, 2700, 3420, Some(3590)),
            (900, 600, 810, Some(890)),
            (6 * 3600, 6 * 3600 - 900, 6 * 3600 - 180, None),
        ] {
            let s = Schedule::for_expiry(at(0), at(lifetime));
            assert_eq!(s.prefetch_at, at(prefetch), "{lifetime} s");
            assert_eq!(s.stale_at, at(stale), "{lifetime} s");
            if let Some(valid_until) = valid_until {
                assert_eq!(s.valid_until, at(valid_until), "{lifetime} s");
            }
        }
    }

    #[test]
    fn short_lived_credentials_get_a_minimum_refetch_interval() {
        // 40 s of life: stale margin 30 s would make them stale after 10 s; the 30 s
        // minimum interval applies instead.
        let s = Schedule::for_expiry(at(0), at(40));
        assert_eq!(s.stale_at, at(30));
        assert_eq!(s.valid_until, at(30));
        assert!(s.prefetch_at <= s.stale_at);
        // 10 s of life: served for 5 s at most.
        let s = Schedule::for_expiry(at(0), at(10));
        assert_eq!(s.valid_until, at(5));
        assert_eq!(s.stale_at, at(5));
    }
}
