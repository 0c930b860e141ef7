//! Fault injection: rules that make chosen requests fail, break, slow down or see a new object.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

/// One misbehaviour the server can show on a request.
///
/// ```
/// use oss_testserver::Fault;
/// let faults = [Fault::Status(503), Fault::DropAfter(1000), Fault::Throttle(1 << 20)];
/// assert_eq!(faults.len(), 3);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and the matching OSS error XML (500 `InternalError`,
    /// 503 `ServiceUnavailable`, 429 `TooManyRequests`, 408 `RequestTimeout`, 404 `NoSuchKey`,
    /// 403 `AccessDenied`, 412 `PreconditionFailed`, others `InternalError`).
    Status(u16),
    /// Send the headers and this many body bytes, then abort the connection.
    DropAfter(u64),
    /// Send the body at most this many bytes per second (per response, so per connection).
    Throttle(u64),
    /// After this many body bytes, send nothing for the given time, then continue.
    Stall {
        /// Body bytes sent before the stall.
        after: u64,
        /// How long to stall.
        duration: Duration,
    },
    /// Wait this long before sending the response headers.
    DelayHeaders(Duration),
    /// Replace the object with these bytes before answering (new ETag): "the object changed".
    ReplaceObject(Bytes),
    /// Flip the bits of the body byte at this offset of the object (if the response covers it).
    CorruptByte(u64),
    /// Send a wrong `x-oss-hash-crc64ecma` value.
    WrongCrcHeader,
    /// Ignore the `Range` header and answer 200 with the whole object.
    IgnoreRange,
}

/// When a [`Fault`] applies: to which object, to which of its requests, and how often.
///
/// Requests are counted per rule, in arrival order, among the requests that pass the rule's
/// object and range filters. `skip(n)` lets the first `n` pass untouched, then the fault applies
/// `times(k)` times (default: every time), each with the rule's probability (default 1).
///
/// ```
/// use oss_testserver::{Fault, FaultRule};
/// // The first two GETs of bucket/key answer 503, later ones succeed.
/// let rule = FaultRule::new(Fault::Status(503)).object("bucket", "key").times(2);
/// // Every request whose range starts at 8 MiB loses its connection after 1 KiB.
/// let rule2 = FaultRule::new(Fault::DropAfter(1024)).range_start(8 << 20).times(1);
/// # let _ = (rule, rule2);
/// ```
#[derive(Debug, Clone)]
pub struct FaultRule {
    fault: Fault,
    bucket: Option<String>,
    key: Option<String>,
    range_start: Option<u64>,
    skip: u64,
    times: Option<u64>,
    probability: f64,
}

impl FaultRule {
    /// A rule applying `fault` to every request.
    ///
    /// ```
    /// let rule = oss_testserver::FaultRule::new(oss_testserver::Fault::Status(500));
    /// # let _ = rule;
    /// ```
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            bucket: None,
            key: None,
            range_start: None,
            skip: 0,
            times: None,
            probability: 1.0,
        }
    }

    crate::setters::setters! {
        /// Only requests for this object.
        ///
        /// ```
        /// # use oss_testserver::{Fault, FaultRule};
        /// let rule = FaultRule::new(Fault::Status(500)).object("bucket", "dir/file.bin");
        /// # let _ = rule;
        /// ```
        object(bucket: &str, key: &str) =>
            bucket = Some(bucket.to_string()),
            key = Some(key.to_string());

        /// Only requests whose `Range` starts at this byte (a request without `Range` starts at 0).
        ///
        /// ```
        /// # use oss_testserver::{Fault, FaultRule};
        /// let rule = FaultRule::new(Fault::DropAfter(10)).range_start(0);
        /// # let _ = rule;
        /// ```
        range_start(start: u64) => range_start = Some(start);

        /// Lets the first `n` matching requests through untouched.
        ///
        /// ```
        /// # use oss_testserver::{Fault, FaultRule};
        /// // The second request sees a new object.
        /// let rule = FaultRule::new(Fault::ReplaceObject(b"new".to_vec().into())).skip(1).times(1);
        /// # let _ = rule;
        /// ```
        skip(n: u64) => skip = n;

        /// Applies the fault to at most `k` requests (after the skipped ones).
        ///
        /// ```
        /// # use oss_testserver::{Fault, FaultRule};
        /// let rule = FaultRule::new(Fault::Status(503)).times(3);
        /// # let _ = rule;
        /// ```
        times(k: u64) => times = Some(k);

        /// Applies the fault to each eligible request with probability `p` (clamped to 0..=1).
        ///
        /// ```
        /// # use oss_testserver::{Fault, FaultRule};
        /// let rule = FaultRule::new(Fault::DropAfter(100)).probability(0.1);
        /// # let _ = rule;
        /// ```
        probability(p: f64) =>
            probability = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    }
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    seen: AtomicU64,
    applied: AtomicU64,
}

/// The live set of fault rules of a server. Cheap to clone; rules can be added and cleared while
/// the server runs.
///
/// ```
/// use oss_testserver::{Fault, FaultPlan, FaultRule};
/// let plan = FaultPlan::default();
/// plan.add(FaultRule::new(Fault::Status(500)).times(1));
/// assert_eq!(plan.applied_count(), 0);
/// plan.clear();
/// ```
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    rules: Arc<Mutex<Vec<Arc<ActiveRule>>>>,
    applied: Arc<AtomicU64>,
}

impl FaultPlan {
    /// Adds a rule.
    ///
    /// ```
    /// # use oss_testserver::{Fault, FaultPlan, FaultRule};
    /// FaultPlan::default().add(FaultRule::new(Fault::Throttle(1 << 20)));
    /// ```
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(Arc::new(ActiveRule {
            rule,
            seen: AtomicU64::new(0),
            applied: AtomicU64::new(0),
        }));
    }

    /// Removes every rule.
    ///
    /// ```
    /// # use oss_testserver::FaultPlan;
    /// FaultPlan::default().clear();
    /// ```
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many times any fault has been applied so far.
    ///
    /// ```
    /// # use oss_testserver::FaultPlan;
    /// assert_eq!(FaultPlan::default().applied_count(), 0);
    /// ```
    pub fn applied_count(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// The faults that apply to a request for `bucket`/`key` starting at `range_start`.
    pub(crate) fn select(&self, bucket: &str, key: &str, range_start: u64) -> Vec<Fault> {
        let rules: Vec<Arc<ActiveRule>> = self.lock().clone();
        let mut out = Vec::new();
        for r in rules {
            let rule = &r.rule;
            if rule.bucket.as_deref().is_some_and(|b| b != bucket)
                || rule.key.as_deref().is_some_and(|k| k != key)
                || rule.range_start.is_some_and(|s| s != range_start)
            {
                continue;
            }
            let idx = r.seen.fetch_add(1, Ordering::SeqCst);
            if idx < rule.skip {
                continue;
            }
            if rule.probability < 1.0 && rand::random::<f64>() >= rule.probability {
                continue;
            }
            if let Some(times) = rule.times {
                if r.applied.fetch_add(1, Ordering::SeqCst) >= times {
                    continue;
                }
            }
            self.applied.fetch_add(1, Ordering::Relaxed);
            out.push(rule.fault.clone());
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<ActiveRule>>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_counts_skip_times_and_filters() {
        let plan = FaultPlan::default();
        plan.add(
            FaultRule::new(Fault::Status(503))
                .object("b", "k")
                .skip(1)
                .times(2),
        );
        let hits: Vec<bool> = (0..5)
            .map(|_| !plan.select("b", "k", 0).is_empty())
            .collect();
        assert_eq!(hits, [false, true, true, false, false]);
        assert!(plan.select("b", "other", 0).is_empty());
        assert_eq!(plan.applied_count(), 2);

        let plan = FaultPlan::default();
        plan.add(FaultRule::new(Fault::WrongCrcHeader).range_start(10));
        assert!(plan.select("b", "k", 0).is_empty());
        assert_eq!(plan.select("b", "k", 10).len(), 1);
    }

    #[test]
    fn probability_zero_never_and_one_always_applies() {
        let plan = FaultPlan::default();
        plan.add(FaultRule::new(Fault::IgnoreRange).probability(0.0));
        assert!((0..100).all(|_| plan.select("b", "k", 0).is_empty()));
        plan.clear();
        plan.add(FaultRule::new(Fault::IgnoreRange).probability(f64::NAN));
        assert!((0..100).all(|_| plan.select("b", "k", 0).is_empty()));
        plan.clear();
        plan.add(FaultRule::new(Fault::IgnoreRange).probability(1.0));
        assert!((0..100).all(|_| plan.select("b", "k", 0).len() == 1));
    }
}
