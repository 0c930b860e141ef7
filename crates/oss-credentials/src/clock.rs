//! Time sources. [`Clock`] and [`ManualClock`] are the workspace's one clock trait and test
//! clock, re-exported from `oss-sign-core`: the clock given to a [`CachingProvider`] or an STS
//! builder is the very one an `oss-client` configuration takes, so a test freezes time in one
//! place. [`SystemClock`] reads the operating system's clock (this is the lowest crate with
//! `std` that needs it; `oss-client` re-exports it).
//!
//! Clocks answer in whole seconds ([`SigningTime`]), which is what `Expiration` fields carry.
//!
//! ```
//! use oss_credentials::{Clock, ManualClock, SystemClock};
//! use oss_sign_core::SigningTime;
//!
//! assert!(SystemClock.now().unwrap().unix_seconds() > 1_700_000_000);
//! let clock = ManualClock::new(SigningTime::from_unix_seconds(1_700_000_000)?);
//! let shared = clock.clone();
//! clock.advance(60);
//! assert_eq!(shared.now().unwrap().unix_seconds(), 1_700_000_060);
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```
//!
//! [`CachingProvider`]: crate::CachingProvider

use oss_sign_core::SigningTime;
use std::time::SystemTime;

pub use oss_sign_core::{Clock, ManualClock};

/// The operating system's clock, truncated to whole seconds; `None` before 1970 or after the
/// year 9999, and always `None` on `wasm32-unknown-unknown`, which has no system clock (std's
/// `SystemTime::now` panics there): give such a program's client the host's instant instead
/// (`FixedClock`, `ManualClock`), as `oss-presign-wasm` does.
///
/// ```
/// use oss_credentials::{Clock, SystemClock};
/// let now = SystemClock.now().unwrap();
/// assert!(std::time::SystemTime::from(now) <= std::time::SystemTime::now());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    fn now(&self) -> Option<SigningTime> {
        SigningTime::try_from(SystemTime::now()).ok()
    }

    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    fn now(&self) -> Option<SigningTime> {
        None
    }
}

/// `clock`'s instant as a [`SystemTime`]. A clock that cannot express its instant (`None`:
/// outside 1970..=9999) is replaced by the operating system's clock, so a broken clock never
/// makes expired credentials look fresh.
pub(crate) fn now(clock: &dyn Clock) -> SystemTime {
    clock
        .now()
        .map(SystemTime::from)
        .unwrap_or_else(SystemTime::now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_sign_core::FnClock;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn in_range_instants_come_from_the_clock() {
        let clock = ManualClock::new(SigningTime::from_unix_seconds(1_800_000_000).unwrap());
        assert_eq!(now(&clock), UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        clock.advance(5);
        assert_eq!(now(&clock), UNIX_EPOCH + Duration::from_secs(1_800_000_005));
    }

    #[test]
    fn a_clock_without_an_answer_falls_back_to_the_system_clock() {
        let before = SystemTime::now() - Duration::from_secs(1);
        let at = now(&FnClock::new(|| None));
        assert!(at >= before && at <= SystemTime::now() + Duration::from_secs(1));
    }
}
