//! Client::presign_post: the form a browser sends, checked by oss-sign-core's verifier.

use std::time::Duration;

use oss_client::{
    Client, Condition, Config, ErrorKind, FixedClock, PostPolicyRequest, SignatureVersion,
    SigningTime,
};
use oss_credentials::Credentials;
use oss_sign_core::post_policy::{
    verify_post_form, PostForm, PostPolicyErrorKind, PostVerifyOptions,
};
use oss_sign_core::verify::StaticSecret;

const T0: i64 = 1_701_605_532;

fn client(version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(Credentials::new("ak", "sk").unwrap())
            .signature_version(version)
            .clock(FixedClock::new(SigningTime::from_unix_seconds(T0).unwrap()))
            .build()
            .unwrap(),
    )
}

#[test]
fn the_form_is_ordered_and_verifies() {
    let form = client(SignatureVersion::V4)
        .presign_post(
            &PostPolicyRequest::new("examplebucket")
                .key_prefix("user/")
                .expires(Duration::from_secs(600))
                .content_length_range(1, 100)
                .content_type("text/plain")
                .meta("Owner", "alice")
                .success_action_status(201)
                .condition(Condition::none_of("cache-control", ["no-cache"])),
        )
        .unwrap();
    assert_eq!(
        form.url(),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/"
    );
    let names: Vec<&str> = form.fields().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "Content-Type",
            "x-oss-meta-owner",
            "success_action_status",
            "policy",
            "x-oss-signature-version",
            "x-oss-credential",
            "x-oss-date",
            "x-oss-signature"
        ]
    );
    assert_eq!(form.expiration().unix_seconds(), T0 + 600);
    assert_eq!(form.field("x-oss-date"), Some("20231203T121212Z"));

    let mut fields: Vec<(&str, &str)> = form
        .fields()
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    fields[0].1 = "user/photo.txt";
    let now = SigningTime::from_unix_seconds(T0 + 5).unwrap();
    let secrets = StaticSecret::new("ak", "sk");
    let opts = PostVerifyOptions::new().region("cn-hangzhou");
    let verify = |fields: &[(&str, &str)]| {
        verify_post_form(
            &PostForm::new("examplebucket", fields),
            &secrets,
            now,
            &opts,
        )
    };
    let ok = verify(&fields).unwrap();
    assert!(ok.policy().check_file_size(100).is_ok());
    fields[1].1 = "text/html";
    let err = verify(&fields).unwrap_err();
    assert_eq!(err.kind(), PostPolicyErrorKind::ConditionFailed);
    assert!(
        err.message()
            .contains(r#"["eq", "$Content-Type", "text/plain"]"#),
        "{err}"
    );
}

#[test]
fn bad_requests_are_refused_before_signing() {
    let c = client(SignatureVersion::V4);
    let cases = [
        (
            PostPolicyRequest::new("Bad_Bucket").key("k"),
            ErrorKind::InvalidBucketName,
        ),
        (
            PostPolicyRequest::new("b-1").key(""),
            ErrorKind::InvalidObjectKey,
        ),
        (
            PostPolicyRequest::new("b-1").expires(Duration::from_secs(604_801)),
            ErrorKind::InvalidExpiry,
        ),
        (
            PostPolicyRequest::new("b-1").success_action_status(302),
            ErrorKind::InvalidRequest,
        ),
        (
            PostPolicyRequest::new("b-1").content_type("a\nb"),
            ErrorKind::InvalidRequest,
        ),
    ];
    for (request, kind) in cases {
        assert_eq!(
            c.presign_post(&request).unwrap_err().kind(),
            kind,
            "{request:?}"
        );
    }
    assert!(c
        .presign_post(&PostPolicyRequest::new("b-1").expires(Duration::from_secs(604_800)))
        .is_ok());
    let v1 = client(SignatureVersion::V1);
    assert_eq!(
        v1.presign_post(&PostPolicyRequest::new("b-1"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidConfig
    );
}

#[test]
fn sts_tokens_are_sent_and_hidden_from_debug() {
    let c = client(SignatureVersion::V4);
    let creds = Credentials::new("STS.ak", "sk")
        .unwrap()
        .with_security_token("Tq9-secret-token");
    let form = c
        .presign_post_with_credentials(&PostPolicyRequest::new("b-1").key("k"), &creds)
        .unwrap();
    assert_eq!(form.field("x-oss-security-token"), Some("Tq9-secret-token"));
    assert!(form
        .policy_json()
        .contains(r#"{"x-oss-security-token":"Tq9-secret-token"}"#));
    assert!(!format!("{form:?}").contains("Tq9"));
}

#[test]
fn a_verbatim_document_gets_the_oracle_signature() {
    // conformance/post-policy/verbatim-document.json: signed by ali-oss on the same bytes
    let case = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/post-policy/verbatim-document.json"
    ))
    .unwrap();
    let grab = |name: &str| {
        let at = case.find(&format!("\"{name}\": \"")).unwrap() + name.len() + 5;
        case[at..at + case[at..].find('"').unwrap()].to_string()
    };
    let document = "{\n  \"expiration\": \"2023-12-03T13:00:00.000Z\",\n  \"conditions\": [ {\"bucket\": \"examplebucket\"}, [\"starts-with\", \"$key\", \"user/\"] ]\n}\n";
    let form = client(SignatureVersion::V4)
        .presign_post(&PostPolicyRequest::verbatim("examplebucket", document))
        .unwrap();
    assert_eq!(form.field("x-oss-signature").unwrap(), grab("signature"));
    assert_eq!(form.field("policy").unwrap(), grab("policy_base64"));
    assert_eq!(
        form.field("x-oss-credential"),
        Some("ak/20231203/cn-hangzhou/oss/aliyun_v4_request")
    );
    assert_eq!(form.field("key"), None);
    assert_eq!(form.expiration().to_rfc3339(), "2023-12-03T13:00:00Z");
}
