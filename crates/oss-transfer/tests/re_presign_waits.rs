//! A download whose URL expires part way presigns again through the path that may wait for
//! credentials (`Presigner::presign_get_async` -> `Client::presign_async`), so a credentials
//! cache that has run dry does not end the download.

mod common;

use common::client::{client_config, download_after_expiry, SlowThenRight};
use common::signing_server;
use common::{BUCKET, PART};
use oss_client::{Client, GetObjectRequest};
use oss_credentials::{Credentials, CredentialsFuture, ProvideCredentials};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Has credentials at hand only once (a warm cache that then runs dry); fetching them takes
/// one `Pending` poll, like a network call.
#[derive(Debug, Default)]
struct DryingCache {
    peeks: AtomicUsize,
    fetches: Arc<AtomicUsize>,
}

fn creds() -> Credentials {
    Credentials::new("client-ak", "client-sk").unwrap()
}

impl ProvideCredentials for DryingCache {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            tokio::task::yield_now().await;
            Ok(creds())
        })
    }
    fn credentials_if_cached(&self) -> Option<Credentials> {
        (self.peeks.fetch_add(1, Ordering::SeqCst) == 0).then(creds)
    }
}

#[tokio::test]
async fn the_re_presign_after_expiry_waits_for_the_credentials_provider() {
    let server = signing_server("client-ak", "client-sk").await;
    let provider = DryingCache::default();
    let fetches = provider.fetches.clone();
    let client = Client::new(
        client_config(&server)
            .credentials_provider(provider)
            .clock(SlowThenRight::default())
            .build()
            .unwrap(),
    );
    let request = GetObjectRequest::new(BUCKET, "long.bin");
    // The sync path has nothing left once the one cached value is used.
    let presigner = Arc::new(oss_transfer::ClientPresigner::new(client.clone(), request));
    download_after_expiry(&server, 2 * PART, 9, presigner).await;
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "re-presigned through the provider"
    );
    // The sync presign would have failed at that point.
    let err = client
        .presign(&GetObjectRequest::new(BUCKET, "long.bin"))
        .unwrap_err();
    assert!(
        err.to_string().contains("no valid credentials cached"),
        "{err}"
    );
}
