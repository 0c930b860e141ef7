//! Where the signing instant comes from: the system clock, or a fixed instant for tests,
//! reproducible URLs and conformance runs.
//!
//! [`Clock`] and [`FixedClock`] are the workspace's one clock trait and fixed clock,
//! re-exported from `oss-sign-core`, so a clock given to the client is the same type a
//! credentials cache or the test server takes. The client asks its clock once per presign and
//! uses that one instant for `x-oss-date`, the scope date, the expiry computation and the
//! 7-day check.
//!
//! ```
//! use oss_client::{Clock, FixedClock, SigningTime};
//!
//! let at = SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?;
//! let clock = FixedClock::new(at);
//! assert_eq!(clock.now().unwrap().to_rfc3339(), "2024-11-12T09:27:56Z");
//! // The same trait as sign-core's: one clock serves every crate.
//! let shared: std::sync::Arc<dyn oss_sign_core::Clock> = std::sync::Arc::new(clock);
//! assert_eq!(shared.now(), Some(at));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::SystemTime;

use oss_sign_core::SigningTime;

pub use oss_sign_core::{Clock, FixedClock};

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
