//! Where the signing instant comes from: the system clock, or a fixed instant for tests,
//! reproducible URLs and conformance runs.
//!
//! [`Clock`] and [`FixedClock`] are the workspace's one clock trait and fixed clock,
//! re-exported from `oss-sign-core`, and [`SystemClock`] the one system clock, re-exported from
//! `oss-credentials`, so a clock given to the client is the same type a
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

pub use oss_credentials::SystemClock;
pub use oss_sign_core::{Clock, FixedClock};
