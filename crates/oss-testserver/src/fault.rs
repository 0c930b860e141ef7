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
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
/// let server = ServerBuilder::new().start().await.unwrap();
/// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
/// // The first two GETs of bucket/key answer 503, later ones succeed.
/// server.faults().add(FaultRule::new(Fault::Status(503)).object("bucket", "key").times(2));
/// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
/// let mut statuses = Vec::new();
/// for _ in 0..3 {
///     statuses.push(exchange(server.addr(), get).await?.status());
/// }
/// assert_eq!(statuses, [503, 503, 200]);
/// # Ok(())
/// # }
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
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
    /// let server = ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
    /// server.faults().add(FaultRule::new(Fault::Status(500)));
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// for _ in 0..2 {
    ///     assert_eq!(exchange(server.addr(), get).await?.status(), 500);
    /// }
    /// assert_eq!(server.faults().applied_count(), 2);
    /// # Ok(())
    /// # }
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
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
        /// let server = ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// server.store().put("bucket", "dir/file.bin", b"data".to_vec()).unwrap();
        /// server.faults().add(FaultRule::new(Fault::Status(500)).object("bucket", "dir/file.bin"));
        /// let file = b"GET /bucket/dir/file.bin HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// assert_eq!(exchange(server.addr(), file).await?.status(), 500);
        /// assert_eq!(exchange(server.addr(), get).await?.status(), 200);
        /// # Ok(())
        /// # }
        /// ```
        object(bucket: &str, key: &str) =>
            bucket = Some(bucket.to_string()),
            key = Some(key.to_string());

        /// Only requests whose `Range` starts at this byte (a request without `Range` starts at 0).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
        /// let server = ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// server.faults().add(FaultRule::new(Fault::Status(503)).range_start(2));
        /// let from_2 = b"GET /bucket/key HTTP/1.1\r\nrange: bytes=2-\r\nconnection: close\r\n\r\n";
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// assert_eq!(exchange(server.addr(), from_2).await?.status(), 503);
        /// // no `Range` starts at 0
        /// assert_eq!(exchange(server.addr(), get).await?.status(), 200);
        /// # Ok(())
        /// # }
        /// ```
        range_start(start: u64) => range_start = Some(start);

        /// Lets the first `n` matching requests through untouched.
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
        /// let server = ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// // The second request sees a new object.
        /// server.faults().add(FaultRule::new(Fault::ReplaceObject(b"new".to_vec().into())).skip(1).times(1));
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// assert_eq!(exchange(server.addr(), get).await?.body(), b"data");
        /// assert_eq!(exchange(server.addr(), get).await?.body(), b"new");
        /// # Ok(())
        /// # }
        /// ```
        skip(n: u64) => skip = n;

        /// Applies the fault to at most `k` requests (after the skipped ones).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
        /// let server = ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// server.faults().add(FaultRule::new(Fault::Status(503)).times(3));
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// let mut statuses = Vec::new();
        /// for _ in 0..4 {
        ///     statuses.push(exchange(server.addr(), get).await?.status());
        /// }
        /// assert_eq!(statuses, [503, 503, 503, 200]);
        /// # Ok(())
        /// # }
        /// ```
        times(k: u64) => times = Some(k);

        /// Applies the fault to each eligible request with probability `p` (clamped to 0..=1).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
        /// let server = ServerBuilder::new().start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
        /// // 0 never applies (0.1 would apply to about one request in ten)
        /// server.faults().add(FaultRule::new(Fault::Status(500)).probability(0.0));
        /// assert_eq!(exchange(server.addr(), get).await?.status(), 200);
        /// // out of range: clamped to 1, always applies
        /// server.faults().add(FaultRule::new(Fault::Status(503)).probability(7.0));
        /// assert_eq!(exchange(server.addr(), get).await?.status(), 503);
        /// # Ok(())
        /// # }
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
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
    /// let server = ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// // rules may be added while the server runs
    /// assert_eq!(exchange(server.addr(), get).await?.status(), 200);
    /// server.faults().add(FaultRule::new(Fault::Status(429)).times(1));
    /// assert_eq!(exchange(server.addr(), get).await?.status(), 429);
    /// assert_eq!(server.faults().applied_count(), 1);
    /// # Ok(())
    /// # }
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
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use oss_testserver::{loopback::exchange, Fault, FaultRule, ServerBuilder};
    /// let server = ServerBuilder::new().start().await.unwrap();
    /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
    /// server.faults().add(FaultRule::new(Fault::Status(500)));
    /// server.faults().clear();
    /// let get = b"GET /bucket/key HTTP/1.1\r\nconnection: close\r\n\r\n";
    /// assert_eq!(exchange(server.addr(), get).await?.status(), 200);
    /// assert_eq!(server.faults().applied_count(), 0);
    /// # Ok(())
    /// # }
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
