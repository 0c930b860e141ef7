//! Exact validation messages and request-level rules. The table of every rule
//! (`conformance/client/validation-cases.json`) is run by `cargo xtask conformance` (and
//! `cargo test -p xtask`) through the validation functions and real presigns.

mod common;

use common::client_with_version as client;
use oss_client::{
    validation, Client, Config, Error, ErrorKind, GetObjectRequest, ObjectRequest, PresignOptions,
    SignatureVersion,
};
use oss_credentials::Credentials;

fn presign(client: &Client, request: &ObjectRequest) -> Result<String, Error> {
    let credentials = Credentials::new("LTAI5tExampleAccessKeyId", "secret").expect("creds");
    client
        .presign_with_credentials(request, &PresignOptions::new(), &credentials)
        .map(|r| r.url().to_owned())
}

#[test]
fn messages_name_field_value_and_rule_exactly() {
    let err = validation::validate_bucket_name("-abc").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid bucket name: bucket \"-abc\" must not start or end with '-'; a bucket name has 3-63 characters: lower-case letters a-z, digits 0-9 and '-'"
    );
    let err = validation::validate_region("oss-cn-hangzhou").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid region: region \"oss-cn-hangzhou\" starts with \"oss-\", the endpoint prefix; use the region id \"cn-hangzhou\" (drop the \"oss-\" prefix)"
    );
    let long = "k".repeat(1024);
    let err = validation::validate_object_key(&long).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid object key: key \"kkkk"),
        "{err}"
    );
    assert!(
        err.to_string().ends_with(
            "...\" is 1024 bytes of UTF-8 (1024 characters); an object key is at most 1023 bytes"
        ),
        "{err}"
    );
}

#[test]
fn request_level_rules() {
    let v4 = client(SignatureVersion::V4);
    let dup = ObjectRequest::new("PUT", "examplebucket", "k")
        .header("Content-Type", "a")
        .header("content-type", "b");
    let err = presign(&v4, &dup).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string().contains("\"content-type\" is given twice"),
        "{err}"
    );

    let dup = GetObjectRequest::new("examplebucket", "k")
        .version_id("a")
        .parameter("versionId", "b");
    let creds = Credentials::new("id", "secret").expect("creds");
    let err = v4
        .presign_with_credentials(&dup, &PresignOptions::new(), &creds)
        .unwrap_err();
    assert!(
        err.to_string().contains("\"versionId\" is given twice"),
        "{err}"
    );

    let reserved =
        ObjectRequest::new("GET", "examplebucket", "k").parameter("x-oss-signature", "x");
    let err = presign(&v4, &reserved).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("x-oss-signature"), "{err}");

    let bad_value = ObjectRequest::new("PUT", "examplebucket", "k").header("x-oss-meta-a", "a\nb");
    let err = presign(&v4, &bad_value).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("line breaks"), "{err}");

    let empty_name = ObjectRequest::new("GET", "examplebucket", "k").parameter("", "v");
    assert!(presign(&v4, &empty_name)
        .unwrap_err()
        .to_string()
        .contains("empty name"));

    let bad_additional = Config::builder()
        .region("cn-hangzhou")
        .additional_headers(["bad name"])
        .build()
        .unwrap_err();
    assert_eq!(bad_additional.kind(), ErrorKind::InvalidConfig);
    assert_eq!(bad_additional.field(), Some("additional_headers"));
    assert!(
        bad_additional.to_string().contains("\"bad name\""),
        "{bad_additional}"
    );

    let empty_ignored = Config::builder()
        .region("cn-hangzhou")
        .additional_headers(["", "Host"])
        .build()
        .expect("an empty name is dropped");
    assert_eq!(empty_ignored.additional_headers(), ["Host"]);
}
