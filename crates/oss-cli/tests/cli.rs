//! Runs the built `oss-presign` binary as a real process.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

mod common;

use common::*;

/// `url` for conformance case v4-key-001.
fn get_command(home: &tempfile::TempDir) -> std::process::Command {
    let mut command = oss_presign(home);
    command.arg("url").args(V4_KEY_001_ARGS);
    command
}

/// Runs `url` for conformance case v4-key-001 with the test credentials and `extra` arguments.
fn url_with(home: &tempfile::TempDir, extra: &[&str]) -> std::process::Output {
    run(with_credentials(&mut get_command(home)).args(extra))
}

/// [`url_with`] that must succeed: its stdout.
fn url_stdout(home: &tempfile::TempDir, extra: &[&str]) -> String {
    let output = url_with(home, extra);
    assert!(output.status.success(), "{extra:?}: {}", stderr(&output));
    stdout(&output)
}

#[test]
fn url_prints_the_sample_line() {
    let home = tempfile::tempdir().expect("temp dir");
    let text = url_stdout(&home, &[]);
    let lines = lines_of(&text, 1);
    let prefix = "method: GET, expiration: 2024-11-12T09:42:56.000Z, url: ";
    let url = lines[0]
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{}", lines[0]));
    assert!(
        url.starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?"),
        "{url}"
    );
    let mut query: Vec<&str> = url
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .collect();
    query.sort_unstable();
    assert_eq!(
        query,
        [
            "x-oss-credential=LTAI5tExampleAccessKeyId%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request",
            "x-oss-date=20241112T092756Z",
            "x-oss-expires=900",
            "x-oss-signature-version=OSS4-HMAC-SHA256",
            &format!("x-oss-signature={V4_KEY_001_SIGNATURE}"),
        ]
    );
}

#[test]
fn url_prints_one_line_per_signed_header() {
    let home = tempfile::tempdir().expect("temp dir");
    let text = url_stdout(
        &home,
        &[
            "--method",
            "put",
            "--header",
            "Content-Type: text/plain",
            "--header",
            "x-oss-meta-author:alice",
            "--header",
            "Range:bytes=0-9",
            "--expires",
            "1h",
        ],
    );
    let lines = lines_of(&text, 3);
    assert!(
        lines[0].starts_with("method: PUT, expiration: 2024-11-12T10:27:56.000Z, url: https://"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("x-oss-expires=3600"), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "signed headers key: content-type, signed headers value: text/plain"
    );
    assert_eq!(
        lines[2],
        "signed headers key: x-oss-meta-author, signed headers value: alice"
    );
}

#[test]
fn url_json_has_the_same_fields() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut command = get_command(&home);
    with_credentials(&mut command)
        .env("OSS_SESSION_TOKEN", "token+/=")
        .args(["--json", "--header", "x-oss-request-payer:requester"]);
    let output = run(&mut command);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(value["method"], "GET");
    assert_eq!(value["expiration"], "2024-11-12T09:42:56.000Z");
    assert_eq!(
        value["signed_headers"],
        serde_json::json!({"x-oss-request-payer": "requester"})
    );
    let url = value["url"].as_str().expect("url string");
    assert!(url.contains("x-oss-security-token=token%2B%2F%3D"), "{url}");
}

#[test]
fn url_reads_region_from_the_environment() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut command = oss_presign(&home);
    with_credentials(&mut command)
        .env("OSS_REGION", "eu-central-1")
        .args([
            "url",
            "--bucket",
            "examplebucket",
            "--key",
            "k",
            "--path-style",
        ]);
    let output = run(&mut command);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_stdout_has(
        &output,
        "url: https://oss-eu-central-1.aliyuncs.com/examplebucket/k?",
    );
}

#[test]
fn missing_credentials_are_a_clear_error() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(&mut get_command(&home));
    assert!(!output.status.success());
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.starts_with("error: no usable credentials"),
        "{message}"
    );
    for name in [
        "OSS_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_SECRET",
        "OSS_SESSION_TOKEN",
    ] {
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn bad_inputs_fail_with_the_rule() {
    let home = tempfile::tempdir().expect("temp dir");
    let cases: [(&[&str], &str); 5] = [
        (&["--expires", "8d"], "604800"),
        (&["--bucket", "My_Bucket"], "lower-case"),
        (&["--region", "oss-cn-hangzhou"], "drop the \"oss-\" prefix"),
        (&["--endpoint", "ftp://example.com"], "only http and https"),
        (&["--expires", "10x"], "--expires"),
    ];
    for (extra, needle) in cases {
        // The base arguments, with the overridden option replaced.
        let mut args: Vec<&str> = vec!["url"];
        let mut base = V4_KEY_001_ARGS.iter();
        while let Some(arg) = base.next() {
            if *arg == extra[0] {
                base.next();
            } else {
                args.push(arg);
            }
        }
        args.extend_from_slice(extra);
        let output = run(with_credentials(&mut oss_presign(&home)).args(&args));
        assert!(!output.status.success(), "{extra:?}");
        let message = stderr(&output);
        assert!(message.contains(needle), "{extra:?}: {message}");
        assert!(!message.contains(SK), "the secret leaked: {message}");
    }
}

fn conformance(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/client")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sorted_query(url: &str) -> (String, Vec<String>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query.split('&').map(str::to_owned).collect();
    pairs.sort_unstable();
    (base.to_owned(), pairs)
}

#[test]
fn batch_over_the_conformance_cases_matches_the_expectations() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run_batch(&home, conformance("presign-cases.json").as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    let results: Vec<Value> = serde_json::from_str(&stdout(&output)).expect("a JSON array");
    let expected: Vec<Value> =
        serde_json::from_str(&conformance("presign-expected.json")).expect("expectations");
    assert_eq!(results.len(), expected.len());
    let by_id: BTreeMap<&str, &Value> = results
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or_default(), r))
        .collect();
    let mut failures = Vec::new();
    for want in &expected {
        let id = want["id"].as_str().unwrap_or_default();
        let got = by_id.get(id).copied().unwrap_or(&Value::Null);
        assert_eq!(got["peer"], "rust-oss", "{id}");
        let ok = match want["outcome"].as_str() {
            Some("url") => {
                got["url"].as_str().map(sorted_query) == want["url"].as_str().map(sorted_query)
                    && got["method"] == want["method"]
                    && got["expiration"] == want["expiration"]
                    && got["signed_headers"] == want["signed_headers"]
            }
            Some("error") => got["error"].is_string(),
            _ => true,
        };
        if !ok {
            failures.push(format!("{id}: got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn batch_refuses_bad_cases_but_exits_zero() {
    let home = tempfile::tempdir().expect("temp dir");
    let input = r#"[{"id": "not-a-case", "expires_seconds": "soon"}, {"id": "empty"}]"#;
    let output = run_batch(&home, input.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    let results: Vec<Value> = serde_json::from_str(&stdout(&output)).expect("a JSON array");
    assert_eq!(results.len(), 2);
    for (result, id) in results.iter().zip(["not-a-case", "empty"]) {
        assert_eq!(result["id"], id);
        assert_eq!(result["peer"], "rust-oss");
        assert!(result["error"].is_string(), "{result}");
    }
}

#[test]
fn batch_fails_on_unreadable_input() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run_batch(&home, b"this is not JSON");
    assert!(!output.status.success());
    assert!(stdout(&output).is_empty());
    assert_stderr_has(&output, "not a JSON array");
}

#[test]
fn url_takes_an_absolute_expiration_and_v1() {
    let home = tempfile::tempdir().expect("temp dir");
    let text = url_stdout(
        &home,
        &[
            "--expiration",
            "2024-11-12T10:27:56Z",
            "--signature-version",
            "v1",
            "--query",
            "versionId=v1",
            "--query",
            "uploads",
        ],
    );
    assert!(
        text.starts_with("method: GET, expiration: 2024-11-12T10:27:56.000Z, url: https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?versionId=v1&uploads&OSSAccessKeyId=LTAI5tExampleAccessKeyId&Expires=1731407276&Signature="),
        "{text}"
    );
    // Duration and absolute expiration together are refused by the argument parser.
    let output = url_with(
        &home,
        &["--expires", "1h", "--expiration", "2024-11-12T10:27:56Z"],
    );
    assert!(!output.status.success());
    assert_stderr_has(&output, "cannot be used with");
}
