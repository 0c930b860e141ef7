//! [`Clock`]: the workspace's one source of "now", a trait the caller implements.
//!
//! This crate never reads a clock itself (it has no I/O and runs on targets without one): the
//! signing functions take a [`SigningTime`], and whoever needs "now" asks a [`Clock`]. The
//! trait lives here, in the lowest crate, so that the client, the credential providers and the
//! test server can all take the same `Arc<dyn Clock>` and a test freezes time in one place.
//!
//! Implementations here never read the system clock either: [`FixedClock`] (one instant),
//! [`ManualClock`] (moved by hand, shared between clones) and [`FnClock`] (any closure). The
//! system clock is implemented by the std crates that may read it.
//!
//! ```
//! use oss_sign_core::{Clock, FixedClock, SigningTime};
//!
//! // A system clock, written where std is available.
//! #[derive(Debug)]
//! struct SystemClock;
//! impl Clock for SystemClock {
//!     fn now(&self) -> Option<SigningTime> {
//!         SigningTime::try_from(std::time::SystemTime::now()).ok()
//!     }
//! }
//!
//! fn signing_instant(clock: &dyn Clock) -> Option<SigningTime> {
//!     clock.now()
//! }
//! assert!(signing_instant(&SystemClock).unwrap().unix_seconds() > 1_700_000_000);
//! let frozen = FixedClock::new(SigningTime::parse_x_oss_date("20241112T092756Z")?);
//! assert_eq!(signing_instant(&frozen).unwrap().x_oss_date(), "20241112T092756Z");
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```

use crate::time::SigningTime;
use alloc::boxed::Box;
use core::fmt;

/// A source of the current instant.
///
/// `now` returns `None` when the clock cannot express the instant as a [`SigningTime`] (a
/// system clock set before 1970 or after 9999); callers turn that into their own error.
/// `Send + Sync + Debug` so that one clock can be shared as `Arc<dyn Clock>` by everything that
/// needs time and shown in the `Debug` output of what holds it.
///
/// ```
/// use oss_sign_core::{Clock, SigningTime};
/// use std::sync::Arc;
///
/// #[derive(Debug)]
/// struct Epoch;
/// impl Clock for Epoch {
///     fn now(&self) -> Option<SigningTime> {
///         SigningTime::from_unix_seconds(0).ok()
///     }
/// }
/// let shared: Arc<dyn Clock> = Arc::new(Epoch);
/// assert_eq!(shared.now().unwrap().to_rfc3339(), "1970-01-01T00:00:00Z");
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant, or `None` when it cannot be expressed.
    fn now(&self) -> Option<SigningTime>;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Option<SigningTime> {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> Option<SigningTime> {
        (**self).now()
    }
}

#[cfg(target_has_atomic = "ptr")]
impl<C: Clock + ?Sized> Clock for alloc::sync::Arc<C> {
    fn now(&self) -> Option<SigningTime> {
        (**self).now()
    }
}

/// A clock stopped at one instant: reproducible URLs, conformance runs, tests.
///
/// ```
/// use oss_sign_core::{Clock, FixedClock, SigningTime};
/// let clock = FixedClock::new(SigningTime::from_unix_seconds(1_731_403_676)?);
/// assert_eq!(clock.now().unwrap().x_oss_date(), "20241112T092756Z");
/// assert_eq!(clock.now(), clock.now());
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(SigningTime);

impl FixedClock {
    /// A clock that always answers `at`.
    ///
    /// ```
    /// use oss_sign_core::{Clock, FixedClock, SigningTime};
    /// let at = SigningTime::from_unix_seconds(0)?;
    /// assert_eq!(FixedClock::new(at).now(), Some(at));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(at: SigningTime) -> Self {
        Self(at)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Option<SigningTime> {
        Some(self.0)
    }
}

/// A clock that moves only when told to; clones share the same time. Meant for tests of
/// caching, refresh and expiry. (Needs 64-bit atomics, so it is absent on targets without them,
/// such as `thumbv7em-none-eabihf`.)
///
/// ```
/// use oss_sign_core::{Clock, ManualClock, SigningTime};
/// let clock = ManualClock::new(SigningTime::from_unix_seconds(1_000)?);
/// let shared = clock.clone();
/// clock.advance(60);
/// assert_eq!(shared.now().unwrap().unix_seconds(), 1_060);
/// shared.set(SigningTime::from_unix_seconds(5)?);
/// assert_eq!(clock.now().unwrap().unix_seconds(), 5);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[cfg(target_has_atomic = "64")]
#[derive(Debug, Clone)]
pub struct ManualClock {
    unix: alloc::sync::Arc<core::sync::atomic::AtomicI64>,
}

#[cfg(target_has_atomic = "64")]
impl ManualClock {
    /// A clock showing `start`.
    ///
    /// ```
    /// use oss_sign_core::{Clock, ManualClock, SigningTime};
    /// let start = SigningTime::from_unix_seconds(42)?;
    /// assert_eq!(ManualClock::new(start).now(), Some(start));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(start: SigningTime) -> Self {
        Self {
            unix: alloc::sync::Arc::new(core::sync::atomic::AtomicI64::new(start.unix_seconds())),
        }
    }

    /// Moves the clock by `seconds` (negative moves it back). A clock moved outside
    /// 1970..=9999 answers `None` until it is moved back or [`set`](Self::set).
    ///
    /// ```
    /// use oss_sign_core::{Clock, ManualClock, SigningTime};
    /// let clock = ManualClock::new(SigningTime::from_unix_seconds(10)?);
    /// clock.advance(-11);
    /// assert_eq!(clock.now(), None);
    /// clock.advance(1);
    /// assert_eq!(clock.now().unwrap().unix_seconds(), 0);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn advance(&self, seconds: i64) {
        use core::sync::atomic::Ordering;
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .unix
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |unix| {
                Some(unix.saturating_add(seconds))
            });
    }

    /// Sets the clock to `at`.
    ///
    /// ```
    /// use oss_sign_core::{Clock, ManualClock, SigningTime};
    /// let clock = ManualClock::new(SigningTime::from_unix_seconds(0)?);
    /// clock.set(SigningTime::from_unix_seconds(99)?);
    /// assert_eq!(clock.now().unwrap().unix_seconds(), 99);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn set(&self, at: SigningTime) {
        self.unix
            .store(at.unix_seconds(), core::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(target_has_atomic = "64")]
impl Clock for ManualClock {
    fn now(&self) -> Option<SigningTime> {
        SigningTime::from_unix_seconds(self.unix.load(core::sync::atomic::Ordering::SeqCst)).ok()
    }
}

/// A clock answered by a closure, for callers whose time comes from elsewhere (a simulated
/// clock, a test server's offset clock).
///
/// ```
/// use oss_sign_core::{Clock, FnClock, SigningTime};
/// let clock = FnClock::new(|| SigningTime::from_unix_seconds(7).ok());
/// assert_eq!(clock.now().unwrap().unix_seconds(), 7);
/// assert_eq!(format!("{clock:?}"), "FnClock");
/// ```
#[derive(Clone, Copy)]
pub struct FnClock<F>(F);

impl<F> FnClock<F>
where
    F: Fn() -> Option<SigningTime> + Send + Sync,
{
    /// A clock that calls `now` for every reading.
    ///
    /// ```
    /// use oss_sign_core::{Clock, FnClock};
    /// assert_eq!(FnClock::new(|| None).now(), None);
    /// ```
    pub fn new(now: F) -> Self {
        Self(now)
    }
}

impl<F> fmt::Debug for FnClock<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnClock")
    }
}

impl<F> Clock for FnClock<F>
where
    F: Fn() -> Option<SigningTime> + Send + Sync,
{
    fn now(&self) -> Option<SigningTime> {
        (self.0)()
    }
}

#[cfg(all(test, target_has_atomic = "64"))]
mod tests {
    use super::*;
    use alloc::sync::Arc;

    #[test]
    fn one_frozen_clock_serves_every_holder() {
        let clock = ManualClock::new(SigningTime::from_unix_seconds(100).unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let boxed: Box<dyn Clock> = Box::new(clock.clone());
        clock.advance(5);
        assert_eq!(shared.now().map(SigningTime::unix_seconds), Some(105));
        assert_eq!(boxed.now().map(SigningTime::unix_seconds), Some(105));
        fn read(clock: impl Clock) -> Option<SigningTime> {
            clock.now()
        }
        assert_eq!(read(&shared), shared.now());
        assert_eq!(read(&*boxed), boxed.now());
    }

    #[test]
    fn manual_clock_saturates_instead_of_overflowing() {
        let clock = ManualClock::new(SigningTime::from_unix_seconds(0).unwrap());
        clock.advance(i64::MAX);
        clock.advance(i64::MAX);
        assert_eq!(clock.now(), None);
        clock.set(SigningTime::from_unix_seconds(1).unwrap());
        assert_eq!(clock.now().map(SigningTime::unix_seconds), Some(1));
    }
}
