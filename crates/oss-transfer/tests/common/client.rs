//! Helpers of the tests that presign through `oss-client` (feature `client`): a client
//! configuration for a verifying server (`common::signing_server`), and a clock that makes the
//! first URL expired.

use oss_client::{Client, Config, ConfigBuilder};
use oss_credentials::Credentials;
use oss_testserver::TestServer;

/// A client configuration for `server` (region cn-hangzhou, its endpoint), credentials unset.
pub(crate) fn client_config(server: &TestServer) -> ConfigBuilder {
    Config::builder()
        .region("cn-hangzhou")
        .endpoint(server.endpoint())
}

/// A client for `server` signing with `ak`/`sk`.
pub(crate) fn client_for(server: &TestServer, ak: &str, sk: &str) -> Client {
    Client::new(
        client_config(server)
            .credentials(Credentials::new(ak, sk).expect("credentials"))
            .build()
            .expect("config"),
    )
}

/// Two hours slow on the first reading, correct afterwards: the first URL is born expired.
#[derive(Debug, Default)]
pub(crate) struct SlowThenRight(std::sync::atomic::AtomicU32);

impl oss_client::Clock for SlowThenRight {
    fn now(&self) -> Option<oss_client::SigningTime> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let now = oss_client::SigningTime::try_from(std::time::SystemTime::now()).ok()?;
        if n == 0 {
            now.checked_add_seconds(-7200)
        } else {
            Some(now)
        }
    }
}
