//! `oss-presign verify` on valid, expired, tampered and otherwise refused URLs.

mod common;

use common::*;

/// Inside the 900 s of conformance case v4-key-001 (signed at 2024-11-12T09:27:56Z).
const INSIDE: &str = "2024-11-12T09:30:00Z";

/// The URL of conformance case v4-key-001 (GET examplebucket/exampleobject.txt), with `extra`
/// flags.
fn sample_url(home: &tempfile::TempDir, extra: &[&str]) -> String {
    presign(home, &[&V4_KEY_001_ARGS[..], extra].concat())
}

fn verify(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let output = run(with_credentials(&mut oss_presign(home))
        .arg("verify")
        .args(args));
    assert_no_secret(&output, SK);
    output
}

/// The lines of an indented block (`  | line`) after a heading.
fn block(text: &str, heading: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.starts_with("  | ") || *l == "  |")
        .map(|l| {
            l.trim_start_matches("  | ")
                .trim_start_matches("  |")
                .to_string()
        })
        .collect()
}

#[test]
fn a_valid_url_is_explained_with_its_canonical_request() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = sample_url(&home, &[]);
    let output = verify(&home, &["--at", INSIDE, &url]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    for needle in [
        "addressing: virtual-hosted",
        "bucket:     examplebucket",
        "key:        exampleobject.txt",
        "x-oss-date              = 20241112T092756Z (2024-11-12T09:27:56Z)",
        "x-oss-expires           = 900 (15m)",
        "(access key id LTAI5tExampleAccessKeyId, date 20241112, region cn-hangzhou, product oss)",
        "expires at: 2024-11-12T09:42:56Z (valid for another 12m56s)",
        V4_KEY_001_SIGNATURE,
        "signature:  matches",
        "result:     VALID",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    assert_eq!(
        block(&text, "canonical request:"),
        [
            "GET",
            "/examplebucket/exampleobject.txt",
            "x-oss-credential=LTAI5tExampleAccessKeyId%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20241112T092756Z&x-oss-expires=900&x-oss-signature-version=OSS4-HMAC-SHA256",
            "",
            "",
            "UNSIGNED-PAYLOAD",
        ]
    );
    let sts = block(&text, "string to sign:");
    assert_eq!(sts.len(), 4, "{text}");
    assert_eq!(
        sts[..3],
        [
            "OSS4-HMAC-SHA256",
            "20241112T092756Z",
            "20241112/cn-hangzhou/oss/aliyun_v4_request"
        ]
    );
    assert_eq!(sts[3].len(), 64);
}

#[test]
fn an_expired_url_exits_10_and_says_how_long_ago() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = sample_url(&home, &[]);
    let output = verify(&home, &["--at", "2024-11-12T10:42:56Z", &url]);
    assert_eq!(code(&output), 10, "{}", both(&output));
    assert_stdout_has(&output, "(expired 1h ago)");
    assert_stdout_has(&output, "signature:  matches");
    assert_stdout_has(&output, "result:     REFUSED: Request has expired");
    assert!(
        stderr(&output).starts_with("error: Request has expired"),
        "{}",
        stderr(&output)
    );

    // Without --at: the real clock, long after 2024.
    let output = verify(&home, &[&url]);
    assert_eq!(code(&output), 10, "{}", both(&output));
}

#[test]
fn a_tampered_url_exits_11_and_shows_what_was_recomputed() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = sample_url(&home, &[]);
    let tampered = url.replace("/exampleobject.txt?", "/otherobject.txt?");
    assert_ne!(tampered, url);
    let output = verify(&home, &["--at", INSIDE, &tampered]);
    assert_eq!(code(&output), 11, "{}", both(&output));
    let text = stdout(&output);
    assert_stdout_has(&output, "DOES NOT MATCH (SignatureDoesNotMatch)");
    assert_eq!(
        block(&text, "canonical request:")[1],
        "/examplebucket/otherobject.txt"
    );
    assert_stdout_has(&output, "the URL was altered after signing");
    assert_stdout_has(&output, "result:     REFUSED (signature mismatch)");

    // A changed signature is a mismatch too.
    let forged = url.replace(V4_KEY_001_SIGNATURE, &"0".repeat(64));
    let output = verify(&home, &["--at", INSIDE, &forged]);
    assert_eq!(code(&output), 11, "{}", both(&output));
}

#[test]
fn the_cause_of_a_mismatch_is_named() {
    let home = tempfile::tempdir().expect("temp dir");
    // Signed for PUT, checked as GET.
    let put = sample_url(&home, &["--op", "put"]);
    let output = verify(&home, &["--at", INSIDE, &put]);
    assert_eq!(code(&output), 11, "{}", both(&output));
    assert_stdout_has(&output, "the URL was signed for method PUT, not GET");
    let output = verify(&home, &["--at", INSIDE, "--method", "PUT", &put]);
    assert_eq!(code(&output), 0, "{}", both(&output));

    // A parameter appended after signing.
    let url = sample_url(&home, &[]);
    let added = format!("{url}&response-content-type=text%2Fhtml");
    let output = verify(&home, &["--at", INSIDE, &added]);
    assert_eq!(code(&output), 11, "{}", both(&output));
    assert!(
        stdout(&output).contains(
            "query parameter \"response-content-type\" was added or changed after signing"
        ),
        "{}",
        stdout(&output)
    );

    // Signed with a Content-Type the request does not send / sends differently.
    let put_with = |url: &str, header: &str| {
        verify(
            &home,
            &["--at", INSIDE, "--method", "PUT", "--header", header, url],
        )
    };
    let typed = sample_url(
        &home,
        &["--op", "put", "--header", "Content-Type:text/plain"],
    );
    let output = put_with(&typed, "Content-Type:text/plain");
    assert_eq!(code(&output), 0, "{}", both(&output));
    let plain = sample_url(&home, &["--op", "put"]);
    let output = put_with(&plain, "Content-Type:image/png");
    assert_eq!(code(&output), 11, "{}", both(&output));
    assert_stdout_has(&output, "header Content-Type was not signed");
}

#[test]
fn the_client_canonical_request_is_diffed_line_by_line() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = sample_url(&home, &[]);
    let client = home.path().join("client.txt");
    std::fs::write(
        &client,
        "GET\n/examplebucket/exampleobject.txt\nx-oss-credential=LTAI5tExampleAccessKeyId%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20241112T092756Z&x-oss-expires=900&x-oss-signature-version=OSS4-HMAC-SHA256\n\n\nUNSIGNED-PAYLOAD\n",
    )
    .expect("write");
    let tampered = url.replace("/exampleobject.txt?", "/exampleobject%2Etxt2?");
    let output = verify(
        &home,
        &[
            "--at",
            INSIDE,
            "--client-canonical",
            client.to_str().expect("utf-8"),
            &tampered,
        ],
    );
    assert_eq!(code(&output), 11, "{}", both(&output));
    let text = stdout(&output);
    assert_stdout_has(&output, "line 2 (canonical URI (bucket and key)) differs:");
    assert_stdout_has(&output, "    client:     /examplebucket/exampleobject.txt");
    assert_stdout_has(&output, "    recomputed: /examplebucket/exampleobject.txt2");
    assert!(!text.contains("line 1 "), "{text}");
    assert!(!text.contains("line 3 "), "{text}");
}

#[test]
fn v1_urls_and_path_style_are_read() {
    let home = tempfile::tempdir().expect("temp dir");
    // examplebucket/KEY in cn-hangzhou, with `extra` flags
    let url_of = |key: &str, extra: &[&str]| {
        let object = [
            "--region",
            "cn-hangzhou",
            "--bucket",
            "examplebucket",
            "--key",
            key,
        ];
        presign(&home, &[&object[..], extra].concat())
    };
    let v1 = url_of(
        "a b/c.txt",
        &["--signature-version", "v1", "--expires", "1h"],
    );
    let output = verify(&home, &[&v1]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_stdout_has(&output, "scheme:     V1 (HMAC-SHA1)");
    assert_stdout_has(&output, "key:        a b/c.txt");

    let path = url_of("k.txt", &["--endpoint", "http://127.0.0.1:9000"]);
    let output = verify(&home, &["--region", "cn-hangzhou", &path]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_stdout_has(&output, "addressing: path style");
    // Another region's endpoint refuses the scope.
    let output = verify(&home, &["--region", "cn-beijing", &path]);
    assert_eq!(code(&output), 12, "{}", both(&output));

    // A custom domain needs --cname --bucket.
    let cname = url_of(
        "img/a.png",
        &["--endpoint", "https://static.example.com", "--cname"],
    );
    let output = verify(&home, &[&cname]);
    assert_eq!(code(&output), 11, "{}", both(&output));
    let output = verify(&home, &["--cname", "--bucket", "examplebucket", &cname]);
    assert_eq!(code(&output), 0, "{}", both(&output));
}

#[test]
fn refusals_and_usage_errors_have_their_own_codes() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = sample_url(&home, &[]);
    // Another access key id.
    let output = run(oss_presign(&home)
        .env("OSS_ACCESS_KEY_ID", "LTAI5tSomeoneElse")
        .env("OSS_ACCESS_KEY_SECRET", "another-secret-value")
        .args(["verify", "--at", INSIDE, &url]));
    assert_eq!(code(&output), 12, "{}", both(&output));
    assert!(stdout(&output).contains("signed by access key id \"LTAI5tExampleAccessKeyId\""));
    assert_no_secret(&output, "another-secret-value");

    // No credentials at all.
    let output = run(oss_presign(&home).args(["verify", &url]));
    assert_eq!(code(&output), 3, "{}", both(&output));
    assert!(stderr(&output).starts_with("error: no usable credentials"));

    // Not a URL, not signed, bad --at.
    for (args, needle) in [
        (vec!["verify", "not-a-url"], "is not a URL"),
        (
            vec!["verify", "--at", "yesterday", "https://b.example.com/k?x=1"],
            "--at",
        ),
    ] {
        let output = run(with_credentials(&mut oss_presign(&home)).args(&args));
        assert_case_fails_with(&args, &output, 2, needle);
    }
    let output = verify(&home, &["https://b.oss-cn-hangzhou.aliyuncs.com/k?x=1"]);
    assert_eq!(code(&output), 12, "{}", both(&output));
    assert!(stdout(&output).contains("carries no presigned-URL signature"));
}

#[test]
fn a_malformed_parameter_is_listed_with_what_is_wrong() {
    let home = tempfile::tempdir().expect("temp dir");
    let url = format!("{}&response-content-type=%+F", sample_url(&home, &[]));
    let output = verify(&home, &["--at", INSIDE, &url]);
    assert_eq!(code(&output), 12, "{}", both(&output));
    let text = stdout(&output);
    let listed = text
        .lines()
        .find(|l| l.trim_start().starts_with("response-content-type"))
        .unwrap_or_else(|| panic!("the parameter is not listed in\n{text}"));
    assert!(
        listed.contains("! query parameter \"response-content-type\" is malformed"),
        "{listed}"
    );
    assert!(listed.contains("%+F"), "{listed}");
    // The parameters around it are still decoded and explained.
    assert!(
        text.contains("x-oss-expires           = 900 (15m)"),
        "{text}"
    );
    assert!(text.contains("result:     REFUSED"), "{text}");
}

#[test]
fn a_security_token_is_never_printed() {
    let home = tempfile::tempdir().expect("temp dir");
    let token = "CAIS-example-sts-token/with+chars=";
    let output = run(with_credentials(&mut oss_presign(&home))
        .env("OSS_SESSION_TOKEN", token)
        .args(URL_ARGS));
    assert!(output.status.success(), "{}", both(&output));
    let text = stdout(&output);
    let url = text.split_once(", url: ").expect("url").1.trim();
    let output = run(with_credentials(&mut oss_presign(&home))
        .env("OSS_SESSION_TOKEN", token)
        .args(["verify", url]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_no_secret(&output, token);
    assert_no_secret(&output, "CAIS-example-sts-token%2Fwith%2Bchars%3D");
    assert!(stdout(&output).contains("<security token, 34 characters, not shown>"));
}
