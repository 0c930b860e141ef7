//! `oss-presign url` as OSS users write it: `oss://` objects, `--output`, the named request
//! flags, durations and instants, refused values, and `--list` (files and stdin with bad
//! lines), down to `curl "$(oss-presign url ... --output url)"` against a real `serve`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;

const AT: &str = "2024-11-12T09:27:56Z";

/// `url` with the fake credentials and a fixed signing time, before the test's own arguments.
fn url_command(home: &tempfile::TempDir) -> std::process::Command {
    let mut command = oss_presign(home);
    with_credentials(&mut command).args(["url", "--region", "cn-hangzhou", "--signing-time", AT]);
    command
}

/// `url` with the fake credentials, a fixed signing time and `args`; returns the output.
fn url(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    run(url_command(home).args(args))
}

/// The one line `--output url` prints (asserting success and exactly one line).
fn url_only(home: &tempfile::TempDir, args: &[&str]) -> String {
    let output = url(home, &[args, &["--output", "url"]].concat());
    assert_eq!(code(&output), 0, "{args:?}: {}", both(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.ends_with('\n'));
    text.trim_end().to_string()
}

fn json(home: &tempfile::TempDir, args: &[&str]) -> serde_json::Value {
    let output = url(home, &[args, &["--output", "json"]].concat());
    assert_eq!(code(&output), 0, "{args:?}: {}", both(&output));
    serde_json::from_str(stdout(&output).trim()).expect("JSON")
}

/// The key `verify` reads back from a URL.
fn verified_key(home: &tempfile::TempDir, url: &str) -> String {
    let output = run(with_credentials(&mut oss_presign(home)).args([
        "verify",
        "--at",
        "2024-11-12T09:30:00Z",
        url,
    ]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    stdout(&output)
        .lines()
        .find_map(|l| l.strip_prefix("key:"))
        .map(|k| k.trim_start().to_string())
        .expect("a key line")
}

#[test]
fn oss_uris_name_the_object_exactly() {
    let home = tempfile::tempdir().expect("temp dir");
    for key in [
        "exampleobject.txt",
        "dir/a b.txt",
        "中文/文件 名.txt",
        "what?is=this#frag",
        "100% &+done",
        "//double//slash",
    ] {
        let from_uri = url_only(&home, &[&format!("oss://examplebucket/{key}")]);
        let from_flags = url_only(&home, &["--bucket", "examplebucket", "--key", key]);
        assert_eq!(from_uri, from_flags, "{key}");
        assert_eq!(verified_key(&home, &from_uri), key, "{from_uri}");
    }
    // The URL of the official sample, byte for byte.
    assert!(url_only(&home, &["oss://examplebucket/exampleobject.txt"])
        .ends_with(&format!("x-oss-signature={V4_KEY_001_SIGNATURE}")));
    for (args, needle) in [
        (vec!["oss://examplebucket"], "no object"),
        (vec!["oss://examplebucket/"], "no object"),
        (vec!["oss:///k"], "no bucket"),
        (vec!["s3://examplebucket/k"], "not an oss:// URI"),
        (vec!["oss://examplebucket/k", "--bucket", "b"], "not both"),
        (vec!["--bucket", "examplebucket"], "--bucket needs --key"),
        (vec![], "no object"),
    ] {
        assert_case_fails_with(&args, &url(&home, &args), 2, needle);
    }
}

#[test]
fn output_formats() {
    let home = tempfile::tempdir().expect("temp dir");
    let args = [
        "oss://examplebucket/up.txt",
        "--op",
        "put",
        "--content-type",
        "text/plain",
    ];
    let only = url_only(&home, &args);
    let sample = url(&home, &args);
    let sample = stdout(&sample);
    let mut lines = sample.lines();
    assert_eq!(
        lines.next(),
        Some(format!("method: PUT, expiration: 2024-11-12T09:42:56.000Z, url: {only}").as_str())
    );
    assert_eq!(
        lines.next(),
        Some("signed headers key: content-type, signed headers value: text/plain")
    );
    assert_eq!(lines.next(), None);
    let value = json(&home, &args);
    assert_eq!(value["url"], only.as_str());
    assert_eq!(value["signed_headers"]["content-type"], "text/plain");
    // --json is the alias of --output json, and the two cannot disagree.
    let alias = url(&home, &[&args[..], &["--json"]].concat());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&alias)).expect("JSON"),
        value
    );
    let clash = url(&home, &[&args[..], &["--json", "--output", "url"]].concat());
    assert_eq!(code(&clash), 2, "{}", both(&clash));
}

fn query_of(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (n.to_string(), v.to_string())
        })
        .collect()
}

fn has_param(url: &str, name: &str, value: &str) -> bool {
    query_of(url).iter().any(|(n, v)| n == name && v == value)
}

#[test]
fn named_flags_map_to_the_typed_requests() {
    let home = tempfile::tempdir().expect("temp dir");
    let obj = "oss://examplebucket/photo.jpg";
    let query_cases: [(&[&str], &str, &str); 8] = [
        (&["--version-id", "CAEQ"], "versionId", "CAEQ"),
        (
            &["--op", "head", "--version-id", "CAEQ"],
            "versionId",
            "CAEQ",
        ),
        (
            &["--process", "image/resize,w_100"],
            "x-oss-process",
            "image%2Fresize%2Cw_100",
        ),
        (
            &["--response-content-type", "text/html"],
            "response-content-type",
            "text%2Fhtml",
        ),
        (
            &[
                "--response-content-disposition",
                "attachment; filename=\"a b.jpg\"",
            ],
            "response-content-disposition",
            "attachment%3B%20filename%3D%22a%20b.jpg%22",
        ),
        (
            &["--response-cache-control", "no-cache"],
            "response-cache-control",
            "no-cache",
        ),
        (
            &["--response-content-language", "zh-CN"],
            "response-content-language",
            "zh-CN",
        ),
        (&["--response-expires", "0"], "response-expires", "0"),
    ];
    for (flags, name, value) in query_cases {
        let u = url_only(&home, &[&[obj][..], flags].concat());
        assert!(has_param(&u, name, value), "{flags:?}: {u}");
        // Mapped through the typed request: the same URL as the raw query parameter.
        let raw_value = value
            .replace("%2F", "/")
            .replace("%2C", ",")
            .replace("%3B", ";")
            .replace("%20", " ")
            .replace("%3D", "=")
            .replace("%22", "\"");
        let mut raw: Vec<&str> = vec![obj];
        if flags[0] == "--op" {
            raw.extend(&flags[..2]);
        }
        let query = format!("{name}={raw_value}");
        raw.extend(["--query", &query]);
        assert_eq!(url_only(&home, &raw), u, "{flags:?}");
    }
    let header_cases: [(&[&str], &str, &str); 6] = [
        (
            &["--traffic-limit", "819200"],
            "x-oss-traffic-limit",
            "819200",
        ),
        (
            &["--request-payer", "requester"],
            "x-oss-request-payer",
            "requester",
        ),
        (
            &["--op", "put", "--content-type", "image/jpeg"],
            "content-type",
            "image/jpeg",
        ),
        (
            &["--op", "put", "--content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="],
            "content-md5",
            "XrY7u+Ae7tCTyyK7j1rNww==",
        ),
        (
            &["--op", "put", "--traffic-limit", "838860800"],
            "x-oss-traffic-limit",
            "838860800",
        ),
        (
            &[
                "--op",
                "upload-part",
                "--part-number",
                "2",
                "--upload-id",
                "U",
                "--content-md5",
                "XrY7u+Ae7tCTyyK7j1rNww==",
            ],
            "content-md5",
            "XrY7u+Ae7tCTyyK7j1rNww==",
        ),
    ];
    for (flags, name, value) in header_cases {
        let v = json(&home, &[&[obj][..], flags].concat());
        assert_eq!(v["signed_headers"][name], value, "{flags:?}: {v}");
    }
    // Flags the operation does not have, and values OSS would refuse.
    for flags in [
        &["--op", "put", "--version-id", "v"][..],
        &["--op", "put", "--process", "image/resize,w_1"],
        &["--op", "head", "--response-content-type", "text/html"],
        &["--content-type", "text/plain"],
        &["--content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="],
        &["--op", "head", "--traffic-limit", "819200"],
        &["--method", "DELETE", "--request-payer", "requester"],
        &["--traffic-limit", "1000"],
        &["--traffic-limit", "100M"],
        &["--request-payer", "owner"],
        &[
            "--op",
            "put",
            "--content-md5",
            "5eb63bbbe01eeed093cb22bb8f5acdc3",
        ],
    ] {
        let output = url(&home, &[&[obj][..], flags].concat());
        assert_eq!(code(&output), 2, "{flags:?}: {}", both(&output));
        assert_no_secret(&output, SK);
    }
}

#[test]
fn durations_and_instants() {
    let home = tempfile::tempdir().expect("temp dir");
    let obj = "oss://examplebucket/k";
    for (flags, expires) in [
        (&["--expires", "1w"][..], "604800"),
        (&["--expires", "1d12h"], "129600"),
        (&["--expires", "1"], "1"),
        // ossutil's forms, with and without an offset (none = UTC).
        (&["--expiration", "2024-11-12T10:27:56Z"], "3600"),
        (&["--expiration", "2024-11-12T10:27:56"], "3600"),
        (&["--expiration", "2024-11-12 10:27:56"], "3600"),
        (&["--expiration", "2024-11-12T18:27:56+08:00"], "3600"),
        (&["--expiration", "2024-11-12T05:27:56-0500"], "3600"),
        (&["--expiration", "2024-11-13"], "52324"),
    ] {
        let u = url_only(&home, &[&[obj][..], flags].concat());
        assert!(has_param(&u, "x-oss-expires", expires), "{flags:?}: {u}");
    }
    for (flags, needle) in [
        (&["--expires", "0"][..], "at least 1s"),
        (&["--expires", "0s"], "at least 1s"),
        (&["--expires", "1w1s"], "604800"),
        (&["--expires", "2w"], "604800"),
        (
            &["--expiration", "2024-11-12T09:27:56Z"],
            "at least 1 second",
        ),
        (
            &["--expiration", "2024-11-12T09:00:00Z"],
            "not after the signing time",
        ),
        (&["--expiration", "2024-11-12T10:27:56+24:00"], "offset"),
        (&["--expiration", "12/11/2024"], "malformed"),
    ] {
        assert_case_fails_with(
            &flags,
            &url(&home, &[&[obj][..], flags].concat()),
            2,
            needle,
        );
    }
}

#[test]
fn bad_regions_and_huge_values_are_refused_briefly() {
    let home = tempfile::tempdir().expect("temp dir");
    for region in [
        "cn-",
        "-cn-hangzhou",
        "cn--hangzhou",
        "oss-cn-hangzhou",
        "CN-HANGZHOU",
    ] {
        // As a flag value (with '=' so that a leading '-' is a value) and as OSS_REGION.
        let output = run(with_credentials(&mut oss_presign(&home))
            .arg("url")
            .arg(format!("--region={region}"))
            .arg("oss://examplebucket/k"));
        assert_eq!(code(&output), 2, "{region}: {}", both(&output));
        let from_env = run(with_credentials(&mut oss_presign(&home))
            .env("OSS_REGION", region)
            .args(["url", "oss://examplebucket/k"]));
        assert_eq!(stderr(&from_env), stderr(&output), "{region}");
        assert!(
            stderr(&output).contains("invalid region"),
            "{region}: {}",
            both(&output)
        );
    }
    let huge = "a".repeat(127 * 1024); // Linux allows at most 128 KiB per argument
    for args in [
        vec!["--header", huge.as_str()],
        vec!["--expires", huge.as_str()],
        vec!["--key", huge.as_str(), "--bucket", "examplebucket"],
        vec!["--op", huge.as_str()],
    ] {
        let output = url(&home, &[&["oss://examplebucket/k"][..], &args[..]].concat());
        assert_eq!(
            code(&output),
            2,
            "{}",
            &stderr(&output)[..200.min(stderr(&output).len())]
        );
        let err = stderr(&output);
        assert!(err.len() < 400, "{} bytes: {}", err.len(), &err[..400]);
        assert!(err.contains("aaaaaaaa"), "{err}");
    }
    // Under the 16 KiB guard, clap's own errors quote only a beginning as well.
    let medium = "b".repeat(10_000);
    for args in [
        vec!["--op", medium.as_str()],
        vec!["--signature-version", medium.as_str()],
        vec!["--part-number", medium.as_str()],
    ] {
        let output = url(&home, &args);
        assert_eq!(code(&output), 2, "{}", stderr(&output).len());
        let err = stderr(&output);
        assert!(err.len() < 500, "{} bytes", err.len());
        assert!(err.contains("bbbbbbbb"), "{err}");
    }
    // Values under the argument limit that break a rule are quoted briefly too.
    let long_key = format!("oss://examplebucket/{}", "k".repeat(2000));
    let output = url(&home, &[long_key.as_str()]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).len() < 400, "{}", stderr(&output));
    let long_header = format!("X-Not Valid:{}", "v".repeat(10_000));
    let output = url(&home, &["oss://examplebucket/k", "--header", &long_header]);
    assert_eq!(code(&output), 2, "{}", both(&output));
    assert!(stderr(&output).len() < 400, "{}", stderr(&output));
}

/// `url --list -` with `stdin` as the list.
fn list_stdin(home: &tempfile::TempDir, args: &[&str], stdin: &[u8]) -> std::process::Output {
    run_with_stdin(url_command(home).args(["--list", "-"]).args(args), stdin)
}

#[test]
fn lists_from_stdin_report_bad_lines_and_go_on() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut input = Vec::new();
    input.extend_from_slice(b"oss://examplebucket/a b.txt\n"); // 1
    input.extend_from_slice("dir/中文?#.txt\r\n".as_bytes()); // 2, bare key, CRLF
    input.extend_from_slice(b"\n"); // 3, empty: skipped
    input.extend_from_slice(b"oss://examplebucket\n"); // 4, no key
    input.extend_from_slice(b"oss://Bad_Bucket/k\n"); // 5, bucket refused
    input.extend_from_slice(b"\xff\xfe\n"); // 6, not UTF-8
    input.extend_from_slice(format!("{}\n", "k".repeat(5000)).as_bytes()); // 7, too long
    input.extend_from_slice(format!("{}\n", "k".repeat(1024)).as_bytes()); // 8, key too long
    input.extend_from_slice(b"oss://other-bucket/last"); // 9, no final newline
    let output = list_stdin(
        &home,
        &["--bucket", "examplebucket", "--output", "url"],
        &input,
    );
    assert_eq!(code(&output), 4, "{}", both(&output));
    let urls: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(urls.len(), 3, "{}", both(&output));
    // Each equals the single-object URL of the same object.
    assert_eq!(urls[0], url_only(&home, &["oss://examplebucket/a b.txt"]));
    assert_eq!(
        urls[1],
        url_only(&home, &["oss://examplebucket/dir/中文?#.txt"])
    );
    assert_eq!(urls[2], url_only(&home, &["oss://other-bucket/last"]));
    let err = stderr(&output);
    for line in [4, 5, 6, 7, 8] {
        assert!(
            err.contains(&format!("line {line}: ")),
            "line {line}: {err}"
        );
    }
    for line in [1, 2, 3, 9] {
        assert!(
            !err.contains(&format!("line {line}: ")),
            "line {line}: {err}"
        );
    }
    assert!(
        err.contains("5 of 8 objects could not be presigned"),
        "{err}"
    );
    assert!(err.len() < 2000, "{err}");

    // Without --bucket a bare key is a bad line; JSON lines say where each result came from.
    let output = list_stdin(&home, &["--json"], b"bare\noss://examplebucket/x y\n");
    assert_eq!(code(&output), 4, "{}", both(&output));
    assert!(stderr(&output).contains("line 1: "), "{}", both(&output));
    let value: serde_json::Value =
        serde_json::from_str(stdout(&output).trim()).expect("one JSON line");
    assert_eq!(
        (
            value["line"].as_u64(),
            value["bucket"].as_str(),
            value["key"].as_str()
        ),
        (Some(2), Some("examplebucket"), Some("x y"))
    );
    assert_eq!(
        value["url"],
        url_only(&home, &["oss://examplebucket/x y"]).as_str()
    );

    // All good: exit 0; the sample's lines per object with the PUT's signed header.
    let output = list_stdin(
        &home,
        &[
            "--bucket",
            "examplebucket",
            "--op",
            "put",
            "--content-type",
            "text/plain",
        ],
        b"a\nb\n",
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    let lines = lines_of(&text, 4);
    assert!(lines[0].starts_with("method: PUT, expiration: 2024-11-12T09:42:56.000Z, url: https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a?"));
    assert_eq!(
        lines[1],
        "signed headers key: content-type, signed headers value: text/plain"
    );
    assert!(lines[2].contains("/b?"));
}

#[test]
fn lists_from_files() {
    let home = tempfile::tempdir().expect("temp dir");
    let list = home.path().join("keys.txt");
    let keys: Vec<String> = (0..500)
        .map(|i| format!("logs/2024/{i:04} part.gz"))
        .collect();
    std::fs::write(&list, keys.join("\n")).expect("list");
    let list_arg = list.to_str().expect("UTF-8 temp path");
    let output = url(
        &home,
        &[
            "--bucket",
            "examplebucket",
            "--output",
            "url",
            "--list",
            list_arg,
        ],
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    let urls = lines_of(&text, 500);
    assert_eq!(
        urls[137],
        url_only(&home, &["oss://examplebucket/logs/2024/0137 part.gz"])
    );
    // Across many chunks (and worker threads): order kept, bad lines numbered exactly.
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for i in 1..=5000u32 {
        if i % 777 == 0 {
            lines.push("oss://Bad_Bucket/k".to_string());
            bad.push(i);
        } else {
            lines.push(format!("oss://examplebucket/many/{i}"));
        }
    }
    std::fs::write(&list, lines.join("\n")).expect("list");
    let output = url(&home, &["--output", "json", "--list", list_arg]);
    assert_eq!(code(&output), 4, "{}", &stderr(&output));
    let text = stdout(&output);
    let numbers: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON")["line"]
                .as_u64()
                .expect("line")
        })
        .collect();
    let expected: Vec<u64> = (1..=5000u64).filter(|i| i % 777 != 0).collect();
    assert_eq!(numbers, expected);
    let reported: Vec<u32> = stderr(&output)
        .lines()
        .filter_map(|l| l.strip_prefix("line ")?.split(':').next()?.parse().ok())
        .collect();
    assert_eq!(reported, bad);
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["key"], "many/5000");
    assert_eq!(
        last["url"],
        url_only(&home, &["oss://examplebucket/many/5000"]).as_str()
    );
    let missing = run(with_credentials(&mut oss_presign(&home))
        .args(["url", "--region", "cn-hangzhou", "--list"])
        .arg(home.path().join("absent.txt")));
    assert_eq!(code(&missing), 21, "{}", both(&missing));
    // --list and a single object do not mix.
    let output = url(&home, &["oss://examplebucket/k", "--list", "-"]);
    assert_eq!(code(&output), 2, "{}", both(&output));
    // No credentials: exit 3 before reading anything.
    let output = run(oss_presign(&home)
        .args(["url", "--region", "cn-hangzhou", "--bucket", "b", "--list"])
        .arg(&list));
    assert_eq!(code(&output), 3, "{}", both(&output));
    assert!(stdout(&output).is_empty());
}

/// `sh -c SCRIPT` with the test credentials, `home` as HOME and no metadata service.
fn shell(home: &tempfile::TempDir, script: &str) -> std::process::Output {
    run(with_credentials(&mut std::process::Command::new("sh"))
        .env("HOME", home.path())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .args(["-c", script]))
}

/// A folder for `serve` holding `objects` (paths below it, with their bytes).
fn bucket_root(objects: &[(&str, &[u8])]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("root");
    for (path, bytes) in objects {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("bucket");
        std::fs::write(path, bytes).expect("object");
    }
    root
}

#[test]
fn curl_downloads_through_url_only_output() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = bucket_root(&[
        ("photos/2024/cat 1.jpg", b"meow, one"),
        ("photos/2024/cat 2.jpg", b"meow, two"),
    ]);
    let served = common::serve::serve(&home, root.path(), false, &[]);
    assert!(
        served.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        served.endpoint
    );
    let bin = env!("CARGO_BIN_EXE_oss-presign");
    // The shell line users write: curl "$(oss-presign url ... --output url)".
    let script = format!(
        "curl -fsS \"$('{bin}' url --endpoint {} --region cn-hangzhou 'oss://photos/2024/cat 1.jpg' --output url)\"",
        served.endpoint
    );
    let output = shell(&home, &script);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(output.stdout, b"meow, one");

    // A missing object: with -f curl fails instead of saving the error document.
    let script = format!(
        "curl -fsS -o /dev/null \"$('{bin}' url --endpoint {} --region cn-hangzhou oss://photos/absent.jpg --output url)\"",
        served.endpoint
    );
    let output = shell(&home, &script);
    assert_eq!(code(&output), 22, "{}", both(&output));

    // Every URL of a --list, fetched in turn.
    let script = format!(
        "printf 'oss://photos/2024/cat 1.jpg\\noss://photos/2024/cat 2.jpg\\n' | '{bin}' url --endpoint {} --region cn-hangzhou --list - --output url | while read -r u; do curl -fsS \"$u\"; echo; done",
        served.endpoint
    );
    let output = shell(&home, &script);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(stdout(&output), "meow, one\nmeow, two\n");
}

/// `--output url` prints the URL alone, so the headers it was signed with would be lost: the
/// note on stderr names them, and what it says is checked with curl against `serve`.
#[test]
fn url_only_output_names_the_signed_headers_on_stderr() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = bucket_root(&[("photos/cat.jpg", b"meow")]);
    let served = common::serve::serve(&home, root.path(), false, &[]);
    let endpoint = served.endpoint.as_str();
    let signed = [
        "url",
        "--endpoint",
        endpoint,
        "--region",
        "cn-hangzhou",
        "oss://photos/cat.jpg",
        "--request-payer",
        "requester",
        "--output",
        "url",
    ];
    let output = run(with_credentials(&mut oss_presign(&home)).args(signed));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let url = stdout(&output);
    assert_eq!(url.lines().count(), 1, "{url}");
    assert!(url.starts_with(endpoint), "{url}");
    let note = stderr(&output);
    assert!(note.starts_with("note: "), "{note}");
    assert!(
        note.contains("-H 'x-oss-request-payer: requester'"),
        "{note}"
    );
    assert!(note.contains("SignatureDoesNotMatch"), "{note}");

    // What the note says is true: without the header OSS (here `serve`) refuses the URL,
    // with the header as the note writes it the object comes back.
    let url = url.trim();
    let refused = shell(&home, &format!("curl -fsS -o /dev/null '{url}'"));
    assert_eq!(code(&refused), 22, "{}", both(&refused));
    let fetched = shell(
        &home,
        &format!("curl -fsS -H 'x-oss-request-payer: requester' '{url}'"),
    );
    assert_eq!(code(&fetched), 0, "{}", both(&fetched));
    assert_eq!(fetched.stdout, b"meow");

    // The other formats print the headers themselves, and a URL that signs none needs no note.
    let sample = run(with_credentials(&mut oss_presign(&home)).args(&signed[..8]));
    assert_eq!(code(&sample), 0, "{}", both(&sample));
    assert!(stderr(&sample).is_empty(), "{}", stderr(&sample));
    assert_stdout_has(&sample, "signed headers key: x-oss-request-payer");
    let plain = run(with_credentials(&mut oss_presign(&home))
        .args(&signed[..6])
        .args(["--output", "url"]));
    assert_eq!(code(&plain), 0, "{}", both(&plain));
    assert!(stderr(&plain).is_empty(), "{}", stderr(&plain));
}

#[test]
fn a_list_gives_the_note_once() {
    let home = tempfile::tempdir().expect("temp dir");
    let keys: Vec<String> = (0..5_000)
        .map(|i| format!("oss://examplebucket/k{i}"))
        .collect();
    let output = run_with_stdin(
        with_credentials(&mut oss_presign(&home)).args([
            "url",
            "--region",
            "cn-hangzhou",
            "--list",
            "-",
            "--traffic-limit",
            "819200",
            "--output",
            "url",
        ]),
        keys.join("\n").as_bytes(),
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(stdout(&output).lines().count(), 5_000);
    let errors = stderr(&output);
    let notes = lines_of(&errors, 1);
    assert!(
        notes[0].contains("-H 'x-oss-traffic-limit: 819200'"),
        "{}",
        notes[0]
    );
}

#[test]
fn a_closed_output_stops_a_list_quietly() {
    let home = tempfile::tempdir().expect("temp dir");
    let list = home.path().join("keys.txt");
    let keys: Vec<String> = (0..200_000).map(|i| format!("k{i}")).collect();
    std::fs::write(&list, keys.join("\n")).expect("list");
    let mut child = with_credentials(&mut oss_presign(&home))
        .args([
            "url",
            "--region",
            "cn-hangzhou",
            "--bucket",
            "examplebucket",
            "--output",
            "url",
            "--list",
        ])
        .arg(&list)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let out = child.stdout.take().expect("stdout");
    let first = BufReader::new(out)
        .lines()
        .next()
        .expect("a line")
        .expect("text");
    assert!(first.starts_with("https://examplebucket."), "{first}");
    // The reader is dropped here, as `| head -1` does.
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}
