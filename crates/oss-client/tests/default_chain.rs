//! A client configured without credentials falls back to the official default chain on the
//! async path. This file holds a single test because it sets process environment variables
//! (the implicit chain reads the process environment); the metadata service is disabled so
//! nothing leaves the machine.

mod common;

use common::presign_async_now;
use oss_client::{Client, Config, ErrorKind, GetObjectRequest};

#[test]
fn async_presign_without_configured_credentials_uses_the_default_chain() {
    // Only this test runs in this binary, so changing the environment races with nothing.
    std::env::set_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    std::env::set_var("HOME", std::env::temp_dir().join("oss-client-no-home"));
    for name in [
        "OSS_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_SECRET",
        "OSS_SESSION_TOKEN",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "ALIBABA_CLOUD_CONFIG_FILE",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    ] {
        std::env::remove_var(name);
    }
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .build()
            .expect("config"),
    );
    let get = GetObjectRequest::new("examplebucket", "k");

    // Nothing configured anywhere: the chain's error names what it tried.
    let err = presign_async_now(&client, &get).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.to_string().contains("OSS_ACCESS_KEY_ID"), "{err}");

    // The sync path never builds the chain, and says where to go.
    let err = client.presign(&get).unwrap_err();
    assert!(err.to_string().contains("presign_async"), "{err}");

    // Credentials in the environment are found by the chain.
    std::env::set_var("OSS_ACCESS_KEY_ID", "LTAI5tFromEnv");
    std::env::set_var("OSS_ACCESS_KEY_SECRET", "env-secret");
    let result = presign_async_now(&client, &get).expect("presign through the default chain");
    assert!(
        result.url().contains("x-oss-credential=LTAI5tFromEnv%2F"),
        "{}",
        result.url()
    );
}
