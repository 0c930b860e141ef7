//! `oss-presign serve --tls` as a real process, `url` presigning for it, and `get`
//! downloading through the URLs (valid, expired, tampered, missing, untrusted certificate).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::serve::{sample, url_for, Served};
use common::*;

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
    let output = get(
        &home,
        &[
            "--ca-cert",
            &ca,
            "--parallel",
            "3",
            "--part-size",
            "64K",
            "-o",
            target.to_str().expect("utf-8"),
            &url,
        ],
    );
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
    let output = get(
        &home,
        &[
            "--ca-cert",
            &ca,
            "--resume",
            "--part-size",
            "64K",
            "-o",
            target.to_str().expect("utf-8"),
            &url,
        ],
    );
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
        assert_eq!(code(&output), expected, "{}", both(&output));
        assert!(stderr(&output).contains(needle), "{}", both(&output));
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
    assert_eq!(code(&output), 20, "{}", both(&output));
    assert_stderr_has(&output, "--ca-cert FILE");
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
        let output = run(oss_presign(&home).args(&args));
        assert_eq!(code(&output), 2, "{args:?}: {}", both(&output));
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            both(&output)
        );
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
        assert_eq!(code(&output), 2, "{extra:?}: {}", both(&output));
        assert!(
            stderr(&output).contains(needle),
            "{extra:?}: {}",
            both(&output)
        );
        assert_no_secret(&output, SK);
    }
    // No secret anywhere: clap's usage error.
    let output =
        run(oss_presign(&home).args(["serve", "--access-key-id", AK, "--root", &root_arg]));
    assert_eq!(code(&output), 2, "{}", both(&output));
    assert_stderr_has(&output, "--access-key-secret");
}

#[test]
fn serve_stops_on_ctrl_c_and_removes_its_default_ca_file() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    let mut child = oss_presign(&home)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env("TMPDIR", home.path())
        .args(["serve", "--tls", "--access-key-id", AK, "--root"])
        .arg(root.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut ca = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(path) = line.strip_prefix("ca certificate: ") {
            ca = Some(PathBuf::from(path));
        }
        if line.starts_with("serving until interrupted") {
            break;
        }
    }
    let ca = ca.expect("a CA file is printed");
    assert!(ca.starts_with(home.path()), "{}", ca.display());
    assert!(std::fs::read_to_string(&ca)
        .expect("CA")
        .contains("BEGIN CERTIFICATE"));
    // SIGINT, as Ctrl-C sends, to the process this test started (by its id).
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("sh runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("serve exits");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!ca.exists(), "the default CA file is removed");
}
