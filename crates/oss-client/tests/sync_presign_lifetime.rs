//! The sync `Client::presign` over whole STS lifetimes: a manual clock walks every minute
//! from 0 % to 100 % of 15-minute and 1-hour credentials behind a `CachingProvider`, a
//! refresher (the task a service spawns on its runtime) runs one round per minute, and 64
//! threads presign at each minute. Every sync call must succeed while valid credentials are
//! cached, exactly one refresh per lifetime must reach the provider, and a provider that is
//! down must leave the cached value in service until it expires, then give a clear error.

mod common;

use common::{presign_async_now, YieldOnce};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

// One clock for both: the cache and the client's signing take the same ManualClock.
use oss_client::credentials::{
    CachingProvider, Clock as _, Credentials, CredentialsError, CredentialsFuture,
    ErrorKind as CredErrorKind, ManualClock, ProvideCredentials,
};
use oss_client::{Client, Config, ErrorKind, GetObjectRequest, SigningTime};

const THREADS: usize = 64;
const CALLS_PER_THREAD: usize = 8;

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn at_minute(minute: u64) -> SigningTime {
    SigningTime::try_from(start() + Duration::from_secs(minute * 60)).expect("in range")
}

/// An STS stand-in: each call mints credentials valid for `lifetime` from the clock's now.
#[derive(Debug)]
struct Sts {
    clock: ManualClock,
    lifetime: Duration,
    calls: AtomicUsize,
    up: AtomicBool,
}

impl ProvideCredentials for Sts {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let up = self.up.load(Ordering::SeqCst);
        let expiration = SystemTime::from(self.clock.now().expect("in range")) + self.lifetime;
        Box::pin(async move {
            YieldOnce(false).await;
            if !up {
                return Err(CredentialsError::new(
                    CredErrorKind::Http,
                    "connection refused by sts.example",
                ));
            }
            Ok(Credentials::new(format!("STS.id{n}"), "sts-secret")?
                .with_security_token(format!("token{n}"))
                .with_expiration(expiration))
        })
    }
    fn name(&self) -> &str {
        "sts"
    }
}

struct Rig {
    clock: ManualClock,
    sts: Arc<Sts>,
    client: Client,
    tick: mpsc::Sender<()>,
    done: mpsc::Receiver<()>,
}

/// A client over a cached STS provider, with a refresher on its own thread that runs one
/// round, then waits for the next tick.
fn rig(lifetime: Duration) -> Rig {
    let clock = ManualClock::new(at_minute(0));
    let sts = Arc::new(Sts {
        clock: clock.clone(),
        lifetime,
        calls: AtomicUsize::new(0),
        up: AtomicBool::new(true),
    });
    let cache = CachingProvider::from_arc(sts.clone()).with_clock(clock.clone());
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(cache)
            .clock(clock.clone())
            .build()
            .expect("config"),
    );
    let (tick, ticks) = mpsc::channel::<()>();
    let (done_tx, done) = mpsc::channel::<()>();
    let refresher = client.credentials_refresher();
    std::thread::spawn(move || {
        futures_executor::block_on(refresher.run(move |_interval| {
            // A round has finished: report it, then sleep until the driver's next minute.
            let _ = done_tx.send(());
            let woke = ticks.recv().is_ok();
            async move {
                if !woke {
                    std::future::pending::<()>().await;
                }
            }
        }));
    });
    Rig {
        clock,
        sts,
        client,
        tick,
        done,
    }
}

impl Rig {
    /// Moves to `minute` after the start and lets the refresher run its round.
    fn at_minute(&self, minute: u64) {
        self.clock.set(at_minute(minute));
        if minute > 0 {
            self.tick.send(()).expect("refresher alive");
        }
        self.done
            .recv_timeout(Duration::from_secs(30))
            .expect("refresher round");
    }

    /// 64 threads presigning at once; every result.
    fn presign_from_threads(&self) -> Vec<Result<String, oss_client::Error>> {
        let get = GetObjectRequest::new("examplebucket", "k");
        let client = &self.client;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        (0..CALLS_PER_THREAD)
                            .map(|_| client.presign(&get).map(|r| r.into_url()))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("thread"))
                .collect()
        })
    }
}

fn whole_lifetime_with_a_refresher(lifetime: Duration) {
    let rig = rig(lifetime);
    let minutes = lifetime.as_secs() / 60;
    let mut refreshed_at = None;
    for minute in 0..=minutes {
        rig.at_minute(minute);
        let calls_before = rig.sts.calls.load(Ordering::SeqCst);
        let results = rig.presign_from_threads();
        assert_eq!(results.len(), THREADS * CALLS_PER_THREAD);
        let expected_id = format!("STS.id{}", calls_before - 1);
        for result in &results {
            let url = result
                .as_ref()
                .unwrap_or_else(|e| panic!("minute {minute} of {minutes}: {e}"));
            assert!(
                url.contains(&format!("x-oss-credential={expected_id}%2F")),
                "minute {minute}: {url}"
            );
        }
        // The sync callers never reached the provider.
        assert_eq!(rig.sts.calls.load(Ordering::SeqCst), calls_before);
        if calls_before == 2 && refreshed_at.is_none() {
            refreshed_at = Some(minute);
        }
    }
    // The warm-up fetch plus exactly one refresh in the lifetime.
    assert_eq!(rig.sts.calls.load(Ordering::SeqCst), 2, "{lifetime:?}");
    // Refreshed at the prefetch point: E - min(15 min, L/3).
    let prefetch_minute = (lifetime.as_secs() - (lifetime.as_secs() / 3).min(900)) / 60;
    assert_eq!(refreshed_at, Some(prefetch_minute), "{lifetime:?}");
}

#[test]
fn fifteen_minute_credentials_every_minute_64_threads() {
    whole_lifetime_with_a_refresher(Duration::from_secs(900));
}

#[test]
fn one_hour_credentials_every_minute_64_threads() {
    whole_lifetime_with_a_refresher(Duration::from_secs(3600));
}

fn provider_down_after_warm_up(lifetime: Duration) {
    let rig = rig(lifetime);
    let minutes = lifetime.as_secs() / 60;
    rig.at_minute(0);
    rig.sts.up.store(false, Ordering::SeqCst);
    for minute in 1..=minutes {
        rig.at_minute(minute);
        let results = rig.presign_from_threads();
        // Valid until 10 s before the expiry: every minute before 100 % is served.
        if minute < minutes {
            for result in &results {
                let url = result
                    .as_ref()
                    .unwrap_or_else(|e| panic!("minute {minute}: {e}"));
                assert!(url.contains("x-oss-credential=STS.id0%2F"), "{url}");
            }
        } else {
            for result in &results {
                let err = result.as_ref().expect_err("expired at 100 %");
                assert_eq!(err.kind(), ErrorKind::Credentials);
                let text = err.to_string();
                for needle in [
                    "no valid credentials cached",
                    "connection refused by sts.example",
                    "credentials_refresher",
                    "presign_async",
                ] {
                    assert!(text.contains(needle), "`{needle}` missing: {text}");
                }
                assert!(!text.contains("sts-secret"), "{text}");
            }
        }
    }
    // Only the refresher asked the provider: at most one call per round.
    let calls = rig.sts.calls.load(Ordering::SeqCst);
    assert!(calls >= 2 && calls as u64 <= minutes + 1, "{calls} calls");
    // The provider comes back: the next round recovers and sync presigning works again.
    rig.sts.up.store(true, Ordering::SeqCst);
    rig.at_minute(minutes + 1);
    let results = rig.presign_from_threads();
    assert!(results.iter().all(Result::is_ok));
}

#[test]
fn fifteen_minute_credentials_with_the_provider_down() {
    provider_down_after_warm_up(Duration::from_secs(900));
}

#[test]
fn one_hour_credentials_with_the_provider_down() {
    provider_down_after_warm_up(Duration::from_secs(3600));
}

#[test]
fn sync_presign_in_the_prefetch_window_neither_fails_nor_touches_the_provider() {
    // No refresher: warmed once by presign_async, then only sync callers until 100 %.
    let clock = ManualClock::new(at_minute(0));
    let sts = Arc::new(Sts {
        clock: clock.clone(),
        lifetime: Duration::from_secs(3600),
        calls: AtomicUsize::new(0),
        up: AtomicBool::new(true),
    });
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(CachingProvider::from_arc(sts.clone()).with_clock(clock.clone()))
            .clock(clock.clone())
            .build()
            .expect("config"),
    );
    let get = GetObjectRequest::new("examplebucket", "k");
    let err = client.presign(&get).expect_err("nothing cached yet");
    assert!(err.to_string().contains("warm the cache"), "{err}");
    assert_eq!(sts.calls.load(Ordering::SeqCst), 0);
    presign_async_now(&client, &get).expect("warm");
    for minute in 0..60 {
        clock.set(at_minute(minute));
        std::thread::scope(|scope| {
            for _ in 0..THREADS {
                scope.spawn(|| client.presign(&get).expect("cached value is valid"));
            }
        });
    }
    assert_eq!(
        sts.calls.load(Ordering::SeqCst),
        1,
        "sync calls never fetch"
    );
    // An async call in the prefetch window refreshes, once.
    presign_async_now(&client, &get).expect("async");
    assert_eq!(sts.calls.load(Ordering::SeqCst), 2);
    let url = client.presign(&get).expect("fresh").into_url();
    assert!(url.contains("x-oss-credential=STS.id1%2F"), "{url}");
}
