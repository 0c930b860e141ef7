//! The client the criterion benches presign through: the example access key pair from the OSS
//! documentation, region cn-hangzhou and a clock frozen at 2024-11-12T09:27:56Z, so that every
//! bench signs the same string.

use oss_client::{Client, Config, FixedClock, SigningTime};
use oss_credentials::Credentials;

/// The instant the example client's clock is frozen at.
pub(crate) fn example_time() -> SigningTime {
    SigningTime::parse_rfc3339("2024-11-12T09:27:56Z").expect("valid time")
}

/// The example access key pair (no security token).
pub(crate) fn example_credentials() -> Credentials {
    Credentials::new(
        "LTAI5tExampleAccessKeyId",
        "ExampleAccessKeySecret0123456789abcd",
    )
    .expect("valid credentials")
}

/// A client configured with the example credentials and the frozen clock.
pub(crate) fn example_client() -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(example_credentials())
            .clock(FixedClock::new(example_time()))
            .build()
            .expect("valid config"),
    )
}
