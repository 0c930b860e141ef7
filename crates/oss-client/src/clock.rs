//! Where the signing instant comes from: the system clock, or a fixed instant for tests,
//! reproducible URLs and conformance runs.

use std::fmt;
use std::time::SystemTime;

use oss_sign_core::SigningTime;

/// A source of the signing instant.
///
/// The client asks its clock once per presign and uses that one instant for `x-oss-date`,
/// the scope date, the expiry computation and the 7-day check.
///
/// ```
/// use oss_client::{Clock, FixedClock, SigningTime};
///
/// let at = SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?;
/// let clock = FixedClock::new(at);
/// assert_eq!(clock.now().unwrap().to_rfc3339(), "2024-11-12T09:27:56Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant, or `None` when the clock cannot express it (a system clock set
    /// before 1970 or beyond the year 9999).
    fn now(&self) -> Option<SigningTime>;
}

/// The system clock (UTC), truncated to whole seconds. The default clock.
///
/// ```
/// use oss_client::{Clock, SystemClock};
/// assert!(SystemClock.now().unwrap().unix_seconds() > 1_700_000_000);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Option<SigningTime> {
        SigningTime::try_from(SystemTime::now()).ok()
    }
}

/// A clock stopped at one instant.
///
/// ```
/// use oss_client::{Clock, FixedClock, SigningTime};
/// let clock = FixedClock::new(SigningTime::from_unix_seconds(1_731_403_676)?);
/// assert_eq!(clock.now().unwrap().x_oss_date(), "20241112T092756Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(SigningTime);

impl FixedClock {
    /// A clock that always answers `at`.
    ///
    /// ```
    /// # use oss_client::{FixedClock, SigningTime};
    /// let clock = FixedClock::new(SigningTime::from_unix_seconds(0)?);
    /// # let _ = clock;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(at: SigningTime) -> Self {
        FixedClock(at)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Option<SigningTime> {
        Some(self.0)
    }
}
