//! `oss-presign serve --tls` as a real process, `url` presigning for it, and `get`
//! downloading through the URLs (valid, expired, tampered, missing, untrusted certificate).

mod common;

use std::path::Path;

use common::serve::{url_for, Served};
use common::*;
use oss_testserver::generated_bytes as sample;

fn serve(home: &tempfile::TempDir, root: &Path) -> Served {
    common::serve::serve(home, root, true, &[])
}

fn get(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let output = run(oss_presign(home).arg("get").args(args));
    assert_no_secret(&output, SK);
    output
}

#[test]
fn get_downloads_from_serve_over_https_and_refuses_bad_urls() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    let data = sample(700_000, 0);
    std::fs::create_dir_all(root.path().join("photos/dir")).expect("bucket dir");
    std::fs::write(root.path().join("photos/dir/a b.bin"), &data).expect("object");
    let served = serve(&home, root.path());

    // The banner: endpoint, CA file, the url command; never the secret.
    assert!(
        served.endpoint.starts_with("https://127.0.0.1:"),
        "{}",
        served.banner
    );
    assert!(served
        .banner
        .contains(&format!("ca certificate: {}", served.ca_cert().display())));
    assert!(
        served.banner.contains("buckets: photos"),
        "{}",
        served.banner
    );
    assert!(
        served.banner.contains(&format!(
            "oss-presign url --endpoint {} --region cn-hangzhou --bucket photos --key 'dir/a b.bin'",
            served.endpoint
        )),
        "{}",
        served.banner
    );
    assert!(
        !served.banner.contains(SK),
        "the secret leaked: {}",
        served.banner
    );
    let ca = served.ca_cert().to_str().expect("utf-8 path").to_string();

    // A valid URL: parallel ranged parts, CRC-64 checked.
    let out = tempfile::tempdir().expect("out dir");
    let target = out.path().join("copy.bin");
    let url = url_for(&home, &served, "dir/a b.bin", &[]);
    // `get --ca-cert CA FLAGS... -o TARGET URL`
    let get_to = |target: &Path, flags: &[&str]| {
        let target = target.to_str().expect("utf-8");
        get(
            &home,
            &[&["--ca-cert", &ca][..], flags, &["-o", target, &url]].concat(),
        )
    };
    let output = get_to(&target, &["--parallel", "3", "--part-size", "64K"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(std::fs::read(&target).expect("downloaded"), data);
    let text = stdout(&output);
    assert!(text.contains("700000 bytes (683.6 KiB)"), "{text}");
    assert!(
        text.contains("(verified against x-oss-hash-crc64ecma)"),
        "{text}"
    );
    assert!(text.contains("parts: 11 (11 fetched"), "{text}");
    assert!(
        stderr(&output).is_empty(),
        "no bar when not a terminal: {}",
        stderr(&output)
    );

    // With a checkpoint: nothing but the file is left after success.
    let resumed = tempfile::tempdir().expect("resume dir");
    let target = resumed.path().join("copy.bin");
    let output = get_to(&target, &["--resume", "--part-size", "64K"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(std::fs::read(&target).expect("downloaded"), data);
    assert_eq!(entries(resumed.path()), ["copy.bin"]);

    // To stdout, quietly.
    let output = get(&home, &["--ca-cert", &ca, "--quiet", "-o", "-", &url]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(output.stdout == data, "stdout holds the object");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));

    // Default name: the key's last segment, in the current directory.
    let output = run(oss_presign(&home).current_dir(out.path()).args([
        "get",
        "--ca-cert",
        &ca,
        "--quiet",
        &url,
    ]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        std::fs::read(out.path().join("a b.bin")).expect("named"),
        data
    );

    // Refusals: each has its code, and nothing is left at the target.
    let refused = tempfile::tempdir().expect("refused dir");
    let target = refused.path().join("never.bin");
    let target_arg = target.to_str().expect("utf-8").to_string();
    let expired = url_for(
        &home,
        &served,
        "dir/a b.bin",
        &["--signing-time", "2024-11-12T09:27:56Z"],
    );
    let tampered = url.replace("/dir/a%20b.bin?", "/dir/other.bin?");
    let missing = url_for(&home, &served, "dir/missing.bin", &[]);
    let cases: [(&str, i32, &str); 3] = [
        (&expired, 10, "expired"),
        (&tampered, 11, "signature"),
        (&missing, 13, "NoSuchKey"),
    ];
    for (url, expected, needle) in cases {
        let output = get(&home, &["--ca-cert", &ca, "-o", &target_arg, url]);
        assert_case_fails_with(&url, &output, expected, needle);
        assert!(
            !stderr(&output).contains("x-oss-signature="),
            "no query in messages"
        );
        assert!(
            entries(refused.path()).is_empty(),
            "left behind: {:?}",
            entries(refused.path())
        );
    }

    // The server's certificate is not trusted without --ca-cert: a TLS (network) failure.
    let output = get(&home, &["-o", &target_arg, &url]);
    assert_fails_with(&output, 20, "--ca-cert FILE");
    assert!(entries(refused.path()).is_empty());
}

#[test]
fn get_reports_usage_and_network_errors() {
    let home = tempfile::tempdir().expect("temp dir");
    for (args, needle) in [
        (vec!["get", "ftp://example.com/x"], "http"),
        (
            vec![
                "get",
                "--part-size",
                "1K",
                "-o",
                "x",
                "http://127.0.0.1:1/b/k?x-oss-expires=1",
            ],
            "part size",
        ),
        (
            vec![
                "get",
                "--part-size",
                "lots",
                "-o",
                "x",
                "http://127.0.0.1:1/b/k",
            ],
            "--part-size",
        ),
        (
            vec!["get", "--header", "nocolon", "http://127.0.0.1:1/b/k"],
            "NAME:VALUE",
        ),
        (vec!["get", "http://127.0.0.1:1/?x=1"], "-o FILE"),
    ] {
        assert_case_fails_with(&args, &run(oss_presign(&home).args(&args)), 2, needle);
    }
    // Nothing listens on port 1: connection refused, after retries.
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("x.bin");
    let output = run(oss_presign(&home).args([
        "get",
        "-o",
        target.to_str().expect("utf-8"),
        "http://127.0.0.1:1/b/k.bin",
    ]));
    assert_eq!(code(&output), 20, "{}", both(&output));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn serve_refuses_bad_setups() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    let root_arg = root.path().to_str().expect("utf-8").to_string();
    let cases: [(Vec<&str>, &str); 3] = [
        (vec!["--addr", "0.0.0.0:0"], "loopback"),
        (vec!["--root", "/definitely/not/here"], "not a directory"),
        (vec!["--access-key-id", ""], "must not be empty"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["serve"];
        for (flag, value) in [("--access-key-id", AK), ("--root", root_arg.as_str())] {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(&extra);
        let output = run(oss_presign(&home)
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .args(&args));
        assert_case_fails_with(&extra, &output, 2, needle);
        assert_no_secret(&output, SK);
    }
    // No secret anywhere: clap's usage error.
    let output =
        run(oss_presign(&home).args(["serve", "--access-key-id", AK, "--root", &root_arg]));
    assert_fails_with(&output, 2, "--access-key-secret");
}

#[test]
fn serve_stops_on_ctrl_c_and_removes_its_default_ca_file() {
    common::serve::assert_signal_stops_serve_and_removes_its_ca_file("INT");
}
