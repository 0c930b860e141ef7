//! `oss-presign url --op post-policy`: the form fields, JSON output, verbatim policy files.

mod common;

use common::*;
use oss_sign_core::post_policy::{verify_post_form, PostForm, PostVerifyOptions};
use oss_sign_core::verify::StaticSecret;
use oss_sign_core::SigningTime;

fn post_policy(home: &tempfile::TempDir, extra: &[&str]) -> std::process::Output {
    run(oss_presign(home)
        .env("OSS_ACCESS_KEY_ID", "ak")
        .env("OSS_ACCESS_KEY_SECRET", "sk")
        .args(["url", "--region", "cn-hangzhou", "--op", "post-policy"])
        .args(["--signing-time", "2023-12-03T12:12:12Z"])
        .args(extra))
}

#[test]
fn json_form_verifies_and_enforces_its_conditions() {
    let home = tempfile::tempdir().unwrap();
    let out = post_policy(
        &home,
        &[
            &["oss://examplebucket/", "--content-length-range", "1,1KiB"][..],
            &ALICE_FORM_CONDITIONS,
            &["--expires", "1h", "--json"],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        v["url"],
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/"
    );
    assert_eq!(v["expiration"], "2023-12-03T13:12:12.000Z");
    assert_eq!(v["file_field"], "file");
    let fields = form_fields(&v);
    assert_eq!(fields[0], ("key".into(), "user/".into()));
    assert_eq!(fields.last().unwrap().0, "x-oss-signature");
    let mut view: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    view[0].1 = "user/notes.txt";
    let now = SigningTime::parse_x_oss_date("20231203T121300Z").unwrap();
    let secrets = StaticSecret::new("ak", "sk");
    let ok = verify_post_form(
        &PostForm::new("examplebucket", &view),
        &secrets,
        now,
        &PostVerifyOptions::new(),
    )
    .unwrap();
    assert_eq!(ok.policy().max_file_size(), Some(1024));
    view[0].1 = "other/notes.txt";
    assert!(verify_post_form(
        &PostForm::new("examplebucket", &view),
        &secrets,
        now,
        &PostVerifyOptions::new()
    )
    .is_err());
    assert!(!stdout(&out).contains("\"sk\""));
}

#[test]
fn a_policy_file_is_signed_verbatim_like_ali_oss() {
    let home = tempfile::tempdir().unwrap();
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../conformance/post-policy/verbatim-document.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let file = home.path().join("policy.json");
    std::fs::write(&file, case["verbatim"].as_str().unwrap()).unwrap();
    let out = post_policy(
        &home,
        &[
            "--bucket",
            "examplebucket",
            "--policy-file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "x-oss-signature: {}\n",
            case["expected"]["signature"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "policy: {}\n",
        case["expected"]["policy_base64"].as_str().unwrap()
    )));
}

#[test]
fn usage_errors_say_what_is_allowed() {
    let home = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--bucket", "b-1"], "--key-prefix"),
        (
            &[
                "--bucket",
                "b-1",
                "--key",
                "k",
                "--content-length-range",
                "9,1",
            ],
            "below MIN",
        ),
        (
            &["--bucket", "b-1", "--key", "k", "--meta", "novalue"],
            "NAME=VALUE",
        ),
        (
            &[
                "--bucket",
                "b-1",
                "--key",
                "k",
                "--success-action-status",
                "302",
            ],
            "200, 201 or 204",
        ),
        (
            &["--bucket", "b-1", "--key", "k", "--expires", "8d"],
            "604800",
        ),
    ];
    for (args, needle) in cases {
        assert_case_fails_with(&args, &post_policy(&home, args), 2, needle);
    }
    let out = run(with_credentials(&mut oss_presign(&home))
        .args(URL_ARGS)
        .args(["--policy-file", "x"]));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--op post-policy"));
}
