//! Presigning from many threads at once: one shared `Client` (and so one signing-key cache)
//! used by 64 threads gives exactly the URLs that one thread gives, including across a UTC day
//! boundary where the cached key must roll over.

use oss_client::{Client, Clock, Config, GetObjectRequest, SigningTime};
use oss_credentials::Credentials;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A clock the test moves by hand, shared by every thread.
#[derive(Debug)]
struct SteppedClock(Arc<AtomicI64>);

impl Clock for SteppedClock {
    fn now(&self) -> Option<SigningTime> {
        SigningTime::from_unix_seconds(self.0.load(Ordering::SeqCst)).ok()
    }
}

fn client(at: Arc<AtomicI64>) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(Credentials::new("LTAI5tThreads", "threads-secret").expect("credentials"))
            .clock(SteppedClock(at))
            .build()
            .expect("config"),
    )
}

fn urls(client: &Client, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|key| {
            client
                .presign(&GetObjectRequest::new("examplebucket", key.as_str()))
                .expect("presign")
                .url()
                .to_owned()
        })
        .collect()
}

#[test]
fn sixty_four_threads_give_the_urls_of_one_thread() {
    let keys: Vec<String> = (0..200).map(|i| format!("dir/object {i}.bin")).collect();
    // One second before midnight UTC, then midnight: the scope date and the key change.
    for instant in [1_732_751_999_i64, 1_732_752_000] {
        let expected = urls(&client(Arc::new(AtomicI64::new(instant))), &keys);
        let shared = Arc::new(client(Arc::new(AtomicI64::new(instant))));
        let handles: Vec<_> = (0..64)
            .map(|_| {
                let shared = Arc::clone(&shared);
                let keys = keys.clone();
                std::thread::spawn(move || urls(&shared, &keys))
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().expect("thread"), expected);
        }
    }
}

#[test]
fn a_shared_client_rolls_its_key_over_at_midnight_under_load() {
    let clock = Arc::new(AtomicI64::new(1_732_751_999));
    let shared = Arc::new(client(Arc::clone(&clock)));
    let keys = vec!["k".to_string()];
    let before = urls(&shared, &keys);
    assert!(before[0].contains("x-oss-date=20241127T235959Z"));
    let handles: Vec<_> = (0..64)
        .map(|i| {
            let shared = Arc::clone(&shared);
            let clock = Arc::clone(&clock);
            let keys = keys.clone();
            std::thread::spawn(move || {
                if i == 32 {
                    clock.store(1_732_752_000, Ordering::SeqCst);
                }
                urls(&shared, &keys)
            })
        })
        .collect();
    let results: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    let after = urls(&client(Arc::new(AtomicI64::new(1_732_752_000))), &keys);
    for url in results {
        // Each URL is exactly what a fresh client gives for its own signing instant.
        assert!(url == before[0] || url == after[0], "{url}");
    }
    assert_eq!(urls(&shared, &keys), after);
}
