//! Endpoint configuration from the environment. The table of every endpoint option
//! combination (`conformance/client/endpoint-cases.json`) is run by `cargo xtask conformance`
//! (and `cargo test -p xtask`), checked on the resolved endpoint and on a real presign.
use oss_client::{Config, ErrorKind, UrlStyle};

#[test]
fn region_and_endpoint_come_from_the_environment_unless_set() {
    let env = |name: &str| match name {
        "OSS_REGION" => Some("cn-shanghai".to_string()),
        "OSS_ENDPOINT" => Some("http://127.0.0.1:9000".to_string()),
        _ => None,
    };
    let config = Config::builder()
        .load_env_from(env)
        .build()
        .expect("config");
    assert_eq!(config.region(), Some("cn-shanghai"));
    assert_eq!(config.endpoint().authority(), "127.0.0.1:9000");
    assert_eq!(config.endpoint().style(), UrlStyle::Path);

    let config = Config::builder()
        .region("cn-beijing")
        .load_env_from(env)
        .build()
        .expect("config");
    assert_eq!(config.region(), Some("cn-beijing"));
    assert_eq!(config.endpoint().signing_region(), "cn-beijing");

    let empty = |_: &str| Some("  ".to_string());
    let err = Config::builder().load_env_from(empty).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("OSS_REGION"), "{err}");
}
