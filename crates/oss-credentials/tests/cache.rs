//! Refresh rules of `CachingProvider`, driven by a manual clock (no network, no timing).

mod common;

use common::{expect_err, expect_ok, system_now};
use futures_executor::block_on;
use oss_credentials::{
    CachingProvider, Credentials, CredentialsError, CredentialsFuture, ErrorKind, ManualClock,
    ProvideCredentials,
};
use oss_sign_core::SigningTime;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An upstream whose answers the test scripts.
#[derive(Debug)]
struct Upstream {
    clock: ManualClock,
    calls: AtomicUsize,
    failure: Mutex<Option<ErrorKind>>,
    /// Lifetime of issued credentials; `None` issues keys without expiry. A negative-like
    /// "already expired" answer is scripted with `expired`.
    lifetime: Mutex<Option<Duration>>,
    expired: Mutex<bool>,
}

impl Upstream {
    fn new(clock: &ManualClock, lifetime: Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            clock: clock.clone(),
            calls: AtomicUsize::new(0),
            failure: Mutex::new(None),
            lifetime: Mutex::new(lifetime),
            expired: Mutex::new(false),
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn fail_with(&self, kind: Option<ErrorKind>) {
        *self.failure.lock().unwrap() = kind;
    }
}

impl ProvideCredentials for Upstream {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let result = match *self.failure.lock().unwrap() {
            Some(kind) => Err(CredentialsError::new(kind, "upstream is down")),
            None => {
                let creds = Credentials::new(format!("STS.gen{n}"), "SECRET-sts-b81d44")
                    .map(|c| c.with_security_token("SECRET-token-5e2c90"));
                creds.map(|c| {
                    let now = system_now(&self.clock);
                    if *self.expired.lock().unwrap() {
                        c.with_expiration(now - Duration::from_secs(1))
                    } else {
                        match *self.lifetime.lock().unwrap() {
                            Some(lifetime) => c.with_expiration(now + lifetime),
                            None => c,
                        }
                    }
                })
            }
        };
        Box::pin(std::future::ready(result))
    }
    fn name(&self) -> &str {
        "upstream"
    }
}

fn setup(lifetime: Option<u64>) -> (ManualClock, Arc<Upstream>, CachingProvider) {
    let clock = ManualClock::new(SigningTime::from_unix_seconds(1_800_000_000).unwrap());
    let upstream = Upstream::new(&clock, lifetime.map(Duration::from_secs));
    let cache = CachingProvider::from_arc(upstream.clone()).with_clock(clock.clone());
    (clock, upstream, cache)
}

/// [`setup`], then the first call, which must fetch and serve `STS.gen1`.
fn setup_served(lifetime: Option<u64>) -> (ManualClock, Arc<Upstream>, CachingProvider) {
    let (clock, upstream, cache) = setup(lifetime);
    assert_eq!(id(&cache), "STS.gen1");
    (clock, upstream, cache)
}

fn id(cache: &CachingProvider) -> String {
    expect_ok(block_on(cache.provide_credentials()))
        .access_key_id()
        .to_owned()
}

/// Plays `steps` of (seconds to advance the clock, key id the cache must then serve, upstream
/// calls made so far).
fn play(
    clock: &ManualClock,
    upstream: &Upstream,
    cache: &CachingProvider,
    steps: &[(i64, &str, usize)],
) {
    for (step, &(seconds, served, calls)) in steps.iter().enumerate() {
        clock.advance(seconds);
        assert_eq!(id(cache), served, "step {step}");
        assert_eq!(upstream.calls(), calls, "step {step}");
    }
}

#[test]
fn a_900_second_token_is_not_refetched_on_every_call() {
    let (clock, upstream, cache) = setup(Some(900));
    for _ in 0..60 {
        assert_eq!(id(&cache), "STS.gen1");
        clock.advance(9); // 540 s in total, before the prefetch point
    }
    assert_eq!(upstream.calls(), 1);
    clock.advance(70); // 610 s: prefetch window
    assert_eq!(id(&cache), "STS.gen2");
    for _ in 0..50 {
        assert_eq!(id(&cache), "STS.gen2");
    }
    assert_eq!(upstream.calls(), 2);
}

#[test]
fn one_hour_token_refresh_points() {
    let (clock, upstream, cache) = setup_served(Some(3600));
    play(
        &clock,
        &upstream,
        &cache,
        &[
            (2699, "STS.gen1", 1),
            (1, "STS.gen2", 2), // 45 min: prefetch
        ],
    );
}

#[test]
fn transient_failure_serves_the_cached_value_and_backs_off() {
    let (clock, upstream, cache) = setup_served(Some(3600));
    upstream.fail_with(Some(ErrorKind::Timeout));
    play(
        &clock,
        &upstream,
        &cache,
        &[
            (3000, "STS.gen1", 2), // prefetch window
            // Inside the 10 s back-off: no new attempt.
            (5, "STS.gen1", 2),
            // After it: one attempt, still failing, back-off doubles to 20 s.
            (6, "STS.gen1", 3),
            (15, "STS.gen1", 3),
        ],
    );
    // Upstream recovers.
    upstream.fail_with(None);
    clock.advance(10);
    assert_eq!(id(&cache), "STS.gen4");
}

#[test]
fn stale_value_is_still_served_when_the_refresh_fails_transiently() {
    let (clock, upstream, cache) = setup_served(Some(3600));
    upstream.fail_with(Some(ErrorKind::Http));
    clock.advance(3500); // stale (57 min) but valid until 3590 s
    assert_eq!(id(&cache), "STS.gen1");
    assert!(cache.cached().is_some());
}

#[test]
fn non_transient_failure_is_reported_once_then_backed_off() {
    let (clock, upstream, cache) = setup_served(Some(3600));
    upstream.fail_with(Some(ErrorKind::InvalidConfig));
    clock.advance(3000);
    let error = expect_err(block_on(cache.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert_eq!(
        id(&cache),
        "STS.gen1",
        "inside the back-off the cached value is served"
    );
    assert_eq!(upstream.calls(), 2);
}

#[test]
fn fails_clearly_once_expired() {
    let (clock, upstream, cache) = setup_served(Some(3600));
    upstream.fail_with(Some(ErrorKind::Timeout));
    clock.advance(3595); // past valid_until (3590 s)
    assert!(cache.cached().is_none());
    let error = expect_err(block_on(cache.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.to_string().contains("expired at"), "{error}");
    assert!(error.to_string().contains("upstream is down"), "{error}");
    // Still failing: the plain upstream error now (nothing cached any more).
    let error = expect_err(block_on(cache.provide_credentials()));
    assert_eq!(error.message(), "upstream is down");
}

#[test]
fn already_expired_answers_are_refused_and_the_old_value_kept() {
    let (clock, upstream, cache) = setup(Some(3600));
    *upstream.expired.lock().unwrap() = true;
    let error = expect_err(block_on(cache.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::Expired);
    assert!(error.to_string().contains("upstream"), "{error}");
    *upstream.expired.lock().unwrap() = false;
    assert_eq!(id(&cache), "STS.gen2");
    *upstream.expired.lock().unwrap() = true;
    clock.advance(3000);
    assert_eq!(
        id(&cache),
        "STS.gen2",
        "an expired answer does not replace a valid value"
    );
}

#[test]
fn short_lived_credentials_respect_a_minimum_refetch_interval() {
    let (clock, upstream, cache) = setup_served(Some(40));
    for _ in 0..29 {
        clock.advance(1);
        assert_eq!(id(&cache), "STS.gen1");
    }
    assert_eq!(upstream.calls(), 1);
    clock.advance(1);
    assert_eq!(id(&cache), "STS.gen2");
}

#[test]
fn credentials_without_expiry_are_cached_until_invalidated() {
    let (clock, upstream, cache) = setup(None);
    assert!(cache.cached().is_none());
    assert_eq!(id(&cache), "STS.gen1");
    clock.advance(10 * 365 * 86_400);
    assert_eq!(id(&cache), "STS.gen1");
    assert_eq!(cache.cached().unwrap().access_key_id(), "STS.gen1");
    ProvideCredentials::invalidate(&cache);
    assert!(cache.cached().is_none());
    assert_eq!(id(&cache), "STS.gen2");
    assert_eq!(upstream.calls(), 2);
}

#[test]
fn invalidate_forces_a_refresh_of_fresh_credentials() {
    let (_clock, upstream, cache) = setup_served(Some(3600));
    cache.invalidate();
    assert_eq!(id(&cache), "STS.gen2");
    assert_eq!(upstream.calls(), 2);
}

#[test]
fn concurrent_callers_on_an_empty_cache_share_one_fetch() {
    // A slow upstream on a thread pool executor: many tasks, one fetch.
    #[derive(Debug)]
    struct Slow(AtomicUsize);
    impl ProvideCredentials for Slow {
        fn provide_credentials(&self) -> CredentialsFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                let (tx, rx) = futures_channel_oneshot();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(20));
                    let _ = tx.send(());
                });
                let _ = rx.recv();
                Credentials::new("LTAIslow", "SECRET-file-77aa01")
            })
        }
    }
    // A blocking receive is fine here: each task runs on its own thread.
    fn futures_channel_oneshot() -> (std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>) {
        std::sync::mpsc::channel()
    }
    let upstream = Arc::new(Slow(AtomicUsize::new(0)));
    let cache = Arc::new(CachingProvider::from_arc(upstream.clone()));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let cache = cache.clone();
            std::thread::spawn(move || block_on(cache.provide_credentials()))
        })
        .collect();
    for thread in threads {
        let creds = expect_ok(thread.join().unwrap());
        assert_eq!(creds.access_key_id(), "LTAIslow");
    }
    assert_eq!(upstream.0.load(Ordering::SeqCst), 1);
}
