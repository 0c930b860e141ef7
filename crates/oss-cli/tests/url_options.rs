//! `oss-presign url` operations, endpoint options, profiles and exit codes.

mod common;

use common::*;

const BASE: [&str; 7] = [
    "--region",
    "cn-hangzhou",
    "--bucket",
    "examplebucket",
    "--key",
    "big.iso",
    "--json",
];

fn url_json(home: &tempfile::TempDir, extra: &[&str]) -> serde_json::Value {
    let output = run(with_credentials(&mut oss_presign(home))
        .arg("url")
        .args(BASE)
        .args(extra));
    assert_eq!(code(&output), 0, "{extra:?}: {}", both(&output));
    serde_json::from_str(stdout(&output).trim()).expect("JSON")
}

fn url_of(value: &serde_json::Value) -> &str {
    value["url"].as_str().expect("url")
}

#[test]
fn operations_set_method_and_parameters() {
    let home = tempfile::tempdir().expect("temp dir");
    let cases: [(&[&str], &str, &str); 7] = [
        (&["--op", "get"], "GET", "/big.iso?x-oss-"),
        (&["--op", "put"], "PUT", "/big.iso?x-oss-"),
        (&["--op", "head"], "HEAD", "/big.iso?x-oss-"),
        (&["--op", "initiate-multipart"], "POST", "?uploads&"),
        (
            &[
                "--op",
                "upload-part",
                "--part-number",
                "3",
                "--upload-id",
                "UPID",
            ],
            "PUT",
            "partNumber=3&uploadId=UPID",
        ),
        (
            &["--op", "complete-multipart", "--upload-id", "UPID"],
            "POST",
            "uploadId=UPID",
        ),
        (
            &["--op", "abort-multipart", "--upload-id", "UPID"],
            "DELETE",
            "uploadId=UPID",
        ),
    ];
    for (extra, method, needle) in cases {
        let value = url_json(&home, extra);
        assert_eq!(value["method"], method, "{extra:?}");
        assert!(
            url_of(&value).contains(needle),
            "{extra:?}: {}",
            url_of(&value)
        );
    }
}

#[test]
fn endpoint_options_shape_the_url() {
    let home = tempfile::tempdir().expect("temp dir");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--internal"],
            "https://examplebucket.oss-cn-hangzhou-internal.aliyuncs.com/big.iso?",
        ),
        (
            &["--accelerate"],
            "https://examplebucket.oss-accelerate.aliyuncs.com/big.iso?",
        ),
        (
            &["--dualstack"],
            "https://examplebucket.cn-hangzhou.oss.aliyuncs.com/big.iso?",
        ),
        (
            &["--path-style"],
            "https://oss-cn-hangzhou.aliyuncs.com/examplebucket/big.iso?",
        ),
        (
            &["--endpoint", "https://static.example.com", "--cname"],
            "https://static.example.com/big.iso?",
        ),
        (
            &["--disable-ssl"],
            "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/big.iso?",
        ),
    ];
    for (extra, prefix) in cases {
        let value = url_json(&home, extra);
        assert!(
            url_of(&value).starts_with(prefix),
            "{extra:?}: {}",
            url_of(&value)
        );
    }
    let v1 = url_json(&home, &["--signature-version", "v1"]);
    assert!(
        url_of(&v1).contains("OSSAccessKeyId=LTAI5tExampleAccessKeyId"),
        "{}",
        url_of(&v1)
    );
    assert!(!url_of(&v1).contains("x-oss-signature"), "{}", url_of(&v1));
}

#[test]
fn a_profile_selects_the_credentials() {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(home.path().join(".alibabacloud")).expect("dir");
    std::fs::write(
        home.path().join(".alibabacloud/credentials.ini"),
        "[default]\ntype = access_key\naccess_key_id = LTAI5tDefaultProfile\naccess_key_secret = default-profile-secret\n\
         [prod]\ntype = access_key\naccess_key_id = LTAI5tProdProfile\naccess_key_secret = prod-profile-secret\n",
    )
    .expect("ini");
    for (extra, id) in [
        (vec![], "LTAI5tDefaultProfile"),
        (vec!["--profile", "prod"], "LTAI5tProdProfile"),
    ] {
        let output = run(oss_presign(&home).arg("url").args(BASE).args(&extra));
        assert_eq!(code(&output), 0, "{extra:?}: {}", both(&output));
        assert_stdout_has(&output, &format!("x-oss-credential={id}%2F"));
        assert_no_secret(&output, "profile-secret");
    }
    // The environment variable works the same way.
    let output = run(oss_presign(&home)
        .env("ALIBABA_CLOUD_PROFILE", "prod")
        .arg("url")
        .args(BASE));
    assert_stdout_has(&output, "LTAI5tProdProfile");
}

#[test]
fn exit_codes_separate_usage_from_credentials() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(oss_presign(&home).arg("url").args(BASE));
    assert_eq!(code(&output), 3, "{}", both(&output));
    for extra in [
        vec!["--op", "upload-part", "--upload-id", "U"],
        vec!["--op", "upload-part", "--part-number", "1"],
        vec!["--upload-id", "U"],
        vec!["--part-number", "2"],
        vec!["--expires", "8d"],
        vec!["--op", "copy"],
    ] {
        let output = run(with_credentials(&mut oss_presign(&home))
            .arg("url")
            .args(BASE)
            .args(&extra));
        assert_eq!(code(&output), 2, "{extra:?}: {}", both(&output));
        assert_no_secret(&output, SK);
    }
}

#[test]
fn every_subcommand_has_help_with_examples_and_exit_codes() {
    let home = tempfile::tempdir().expect("temp dir");
    for sub in ["url", "verify", "get", "put", "serve", "demo", "batch"] {
        let output = run(oss_presign(&home).args([sub, "--help"]));
        assert_eq!(code(&output), 0, "{sub}");
        for needle in [
            "Examples:",
            "Exit codes:",
            "11  the signature does not match",
        ] {
            assert_stdout_has(&output, needle);
        }
    }
}
