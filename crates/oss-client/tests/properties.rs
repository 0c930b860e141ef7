//! Property tests: URL building round-trips keys, validation matches its rule, and no input
//! makes the client panic.

mod common;

use common::client_with_version as client;
use oss_client::{validation, Config, ObjectRequest, PresignOptions, SignatureVersion};
use oss_credentials::Credentials;
use oss_sign_core::encoding::percent_decode;
use proptest::prelude::*;

fn reference_bucket_rule(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !b.starts_with('-')
        && !b.ends_with('-')
}

proptest! {
    #[test]
    fn object_urls_round_trip_the_key(key in "\\PC{1,64}") {
        let config = Config::builder().region("cn-hangzhou").build().expect("config");
        let url = config.endpoint().object_url("examplebucket", &key);
        let path = url
            .strip_prefix("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/")
            .expect("prefix");
        // Only unreserved characters, '/' and escapes appear in the path.
        prop_assert!(path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)), "{}", path);
        prop_assert_eq!(percent_decode(path).expect("decodes"), key);
    }

    #[test]
    fn bucket_validation_is_the_documented_rule(bucket in "[a-z0-9_.A-Z-]{0,70}") {
        prop_assert_eq!(validation::validate_bucket_name(&bucket).is_ok(), reference_bucket_rule(&bucket));
    }

    #[test]
    fn key_validation_counts_bytes(key in "\\PC{0,400}") {
        let ok = validation::validate_object_key(&key).is_ok();
        prop_assert_eq!(ok, !key.is_empty() && key.len() <= 1023);
    }

    #[test]
    fn presign_never_panics(
        method in "\\PC{0,8}",
        bucket in "\\PC{0,12}",
        key in "\\PC{0,40}",
        header in ("\\PC{0,12}", "\\PC{0,12}"),
        param in ("\\PC{0,12}", "\\PC{0,12}"),
        v1 in any::<bool>(),
    ) {
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
        let request = ObjectRequest::new(method, bucket, key)
            .header(header.0, header.1)
            .parameter(param.0, param.1);
        let credentials = Credentials::new("LTAI5tExampleAccessKeyId", "secret").expect("creds");
        if let Ok(result) = client(version).presign_with_credentials(&request, &PresignOptions::new(), &credentials) {
            prop_assert!(result.url().starts_with("https://"));
            prop_assert!(!result.url().contains(' '));
        }
    }

    #[test]
    fn endpoint_parsing_never_panics(endpoint in "\\PC{0,40}") {
        let _ = Config::builder().region("cn-hangzhou").endpoint(endpoint).build();
    }
}
