//! 1,000 tasks ask one cached provider for credentials while the token is due for refresh:
//! the loopback STS sees exactly one fetch and every task gets valid credentials.
#![cfg(feature = "http")]

mod common;

use common::server::{Reply, TestServer};
use common::{expect_ok, format_utc, system_now};
use oss_credentials::{
    AssumeRoleProvider, CachingProvider, ManualClock, ProvideCredentials, StaticProvider,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const TASKS: usize = 1000;
const LIFETIME: u64 = 900;

/// An STS that issues `STS.gen<N>` credentials valid for 900 s of the shared manual clock,
/// answering slowly enough that the callers pile up behind the refresh.
async fn numbered_sts(clock: ManualClock) -> TestServer {
    let generation = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |_| {
        let n = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let expiration = system_now(&clock) + Duration::from_secs(LIFETIME);
        Reply::ok(format!(
            r#"{{"RequestId":"R{n}","Credentials":{{"AccessKeyId":"STS.gen{n}","AccessKeySecret":"SECRET-sts-b81d44",
               "SecurityToken":"SECRET-token-5e2c90","Expiration":"{}"}}}}"#,
            format_utc(expiration)
        ))
        .delayed(Duration::from_millis(50))
    })
    .await
}

fn cached_provider(server: &TestServer, clock: &ManualClock) -> Arc<CachingProvider> {
    let upstream = AssumeRoleProvider::builder(
        StaticProvider::new("LTAIsource", "SECRET-source-3f9a7c").unwrap(),
        "acs:ram::1234567890123456:role/oss-writer",
    )
    .endpoint(server.url())
    .duration_seconds(LIFETIME)
    .clock(clock.clone())
    .build()
    .unwrap();
    Arc::new(CachingProvider::new(upstream).with_clock(clock.clone()))
}

async fn ask_from_many_tasks(provider: &Arc<CachingProvider>) -> Vec<oss_credentials::Credentials> {
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut handles = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let provider = provider.clone();
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            provider.provide_credentials().await
        }));
    }
    let mut all = Vec::with_capacity(TASKS);
    for handle in handles {
        all.push(expect_ok(handle.await.expect("task panicked")));
    }
    all
}

fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_token_is_refreshed_exactly_once_for_a_thousand_tasks() {
    let clock = ManualClock::new(start_time().try_into().unwrap());
    let server = numbered_sts(clock.clone()).await;
    let provider = cached_provider(&server, &clock);

    // A first burst on an empty cache: one fetch.
    let first = ask_from_many_tasks(&provider).await;
    assert_eq!(server.hits(), 1);
    assert!(first.iter().all(|c| c.access_key_id() == "STS.gen1"));

    // 850 s into a 900 s token: past the stale point (810 s), still before expiry.
    clock.advance(850);
    let refreshed = ask_from_many_tasks(&provider).await;
    assert_eq!(server.hits(), 2, "exactly one refresh for {TASKS} tasks");
    let now = system_now(&clock);
    for creds in &refreshed {
        assert_eq!(creds.access_key_id(), "STS.gen2");
        assert!(!creds.is_expired_at(now));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prefetch_window_refreshes_once_while_everyone_keeps_valid_credentials() {
    let clock = ManualClock::new(start_time().try_into().unwrap());
    let server = numbered_sts(clock.clone()).await;
    let provider = cached_provider(&server, &clock);
    expect_ok(provider.provide_credentials().await);
    assert_eq!(server.hits(), 1);

    // 700 s into a 900 s token: inside the prefetch window (600 s .. 810 s).
    clock.advance(700);
    let results = ask_from_many_tasks(&provider).await;
    assert_eq!(
        server.hits(),
        2,
        "one background-style refresh, no stampede"
    );
    let now = system_now(&clock);
    assert!(results.iter().all(|c| !c.is_expired_at(now)));
    assert!(
        results.iter().any(|c| c.access_key_id() == "STS.gen2"),
        "the refresher got the new token"
    );
    assert!(results
        .iter()
        .all(|c| c.access_key_id() == "STS.gen1" || c.access_key_id() == "STS.gen2"));
    // Afterwards everyone sees the new token without another fetch.
    let after = ask_from_many_tasks(&provider).await;
    assert!(after.iter().all(|c| c.access_key_id() == "STS.gen2"));
    assert_eq!(server.hits(), 2);
}
