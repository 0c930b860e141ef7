//! Retry policy: bounded attempts with capped exponential backoff and full jitter.

use std::time::Duration;

use crate::setters::setters;

/// How failed requests are retried.
///
/// Retryable: HTTP 5xx, 408, 429, network errors, idle timeouts, and bodies that break
/// off (those resume from the byte they reached). Never retried: 403 (expired URL, bad
/// signature), 404, 412 (object changed), other 4xx, integrity failures.
///
/// `max_attempts` bounds consecutive attempts that make no progress; an attempt that
/// delivered body bytes resets the count, so a long download over a flaky link continues, but a
/// server that never sends anything is given up on. Before retry `n` (1-based) the downloader
/// sleeps a uniformly random time in `[0, min(max_delay, base_delay * 2^n)]` ("full jitter").
///
/// ```
/// use std::time::Duration;
/// let policy = oss_transfer::RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(50))
///     .max_delay(Duration::from_secs(2));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms base, 20 s cap: the official SDKs' values.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    ///
    /// ```
    /// assert_eq!(oss_transfer::RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    setters! {
        /// Attempts without progress before giving up (at least 1).
        ///
        /// ```
        /// assert_eq!(oss_transfer::RetryPolicy::default().max_attempts(0).attempts(), 1);
        /// ```
        max_attempts(n: u32) => max_attempts = n.max(1);

        /// Base of the exponential backoff.
        ///
        /// ```
        /// use std::time::Duration;
        /// use oss_transfer::RetryPolicy;
        /// // 200 ms is the default
        /// assert_eq!(RetryPolicy::default().base_delay(Duration::from_millis(200)), RetryPolicy::default());
        /// assert_ne!(RetryPolicy::default().base_delay(Duration::ZERO), RetryPolicy::default());
        /// ```
        base_delay(d: Duration) => base_delay = d;

        /// Cap of the backoff.
        ///
        /// ```
        /// use std::time::Duration;
        /// use oss_transfer::RetryPolicy;
        /// // 20 s is the default
        /// assert_eq!(RetryPolicy::default().max_delay(Duration::from_secs(20)), RetryPolicy::default());
        /// assert_ne!(RetryPolicy::default().max_delay(Duration::from_secs(1)), RetryPolicy::default());
        /// ```
        max_delay(d: Duration) => max_delay = d;
    }

    /// The configured attempt bound.
    ///
    /// ```
    /// assert_eq!(oss_transfer::RetryPolicy::default().attempts(), 3);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The random delay before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX));
        let cap = exp.min(self.max_delay);
        cap.mul_f64(rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_the_capped_window() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500));
        for retry in 1..40 {
            let cap = Duration::from_millis(100 * (1u64 << retry.min(30)))
                .min(Duration::from_millis(500));
            for _ in 0..20 {
                assert!(p.backoff(retry) <= cap);
            }
        }
    }
}
