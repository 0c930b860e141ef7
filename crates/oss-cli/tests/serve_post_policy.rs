//! Browser form uploads end to end: `url --op post-policy` signs, `curl -F` posts the form to a
//! real `oss-presign serve` child (HTTP and HTTPS with the CA it writes), the object is read
//! back byte for byte; policy violations and expired policies are refused with OSS's codes
//! and leave nothing behind.

mod common;

use std::path::Path;
use std::process::Command;

use common::serve::Served;
use common::*;

fn serve(home: &tempfile::TempDir, root: &Path, tls: bool) -> Served {
    common::serve::serve(home, root, tls, &[])
}

/// The form for `extra` flags: (url, fields in order).
fn form(
    home: &tempfile::TempDir,
    served: &Served,
    extra: &[&str],
) -> (String, Vec<(String, String)>) {
    let out = run(with_credentials(&mut oss_presign(home))
        .args([
            "url",
            "--endpoint",
            &served.endpoint,
            "--region",
            "cn-hangzhou",
        ])
        .args(["--bucket", "photos", "--op", "post-policy", "--json"])
        .args(extra));
    assert_eq!(code(&out), 0, "{}", both(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let fields = form_fields(&v);
    (v["url"].as_str().unwrap().to_string(), fields)
}

/// Asserts that a form post's (status, body) has `expected` status and a body holding `needle`.
#[track_caller]
fn assert_answer((status, body): (u16, String), expected: u16, needle: &str) -> String {
    assert_eq!(status, expected, "{body}");
    assert!(body.contains(needle), "{body}");
    body
}

/// Posts the form with curl; returns (status, body).
fn post(
    served: &Served,
    url: &str,
    fields: &[(String, String)],
    key: &str,
    file: &Path,
    file_type: &str,
) -> (u16, String) {
    let mut curl = Command::new("curl");
    curl.args(["-sS", "-o", "-", "-w", "\n%{http_code}"]);
    if let Some(ca) = &served.ca_cert {
        curl.arg("--cacert").arg(ca);
    }
    for (name, value) in fields {
        let value = if name == "key" { key } else { value.as_str() };
        if value.len() > 64 * 1024 {
            // too long for one argument: curl reads the value from a file (`<path`)
            let path = file.with_extension(format!("{name}.field"));
            std::fs::write(&path, value).unwrap();
            curl.arg("-F").arg(format!("{name}=<{}", path.display()));
            continue;
        }
        curl.arg("--form-string").arg(format!("{name}={value}"));
    }
    curl.arg("-F")
        .arg(format!("file=@{};type={file_type}", file.display()));
    let out = curl.arg(url).output().expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (status.trim().parse().unwrap_or(0), body.to_string())
}

/// Every file under `dir`, relative, sorted (temporary files included).
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn upload_and_violations(tls: bool) {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("photos")).unwrap();
    let served = serve(&home, root.path(), tls);
    let policy = [
        &ALICE_FORM_CONDITIONS[..],
        &["--content-length-range", "1,300KiB"],
    ]
    .concat();
    let (url, fields) = form(&home, &served, &policy);
    let send = |fields: &[(String, String)], key: &str, file: &Path, file_type: &str| {
        post(&served, &url, fields, key, file, file_type)
    };
    assert!(url.ends_with("/photos/"), "{url}");

    let data = sample(300 * 1024);
    let file = home.path().join("notes.txt");
    std::fs::write(&file, &data).unwrap();
    assert_answer(
        send(&fields, "user/notes.txt", &file, "text/plain"),
        201,
        "<Key>user/notes.txt</Key>",
    );
    let stored = root.path().join("photos/user/notes.txt");
    assert!(
        std::fs::read(&stored).unwrap() == data,
        "stored byte for byte"
    );
    // read back through a presigned GET
    let get_url = presign(
        &home,
        &[
            "--endpoint",
            &served.endpoint,
            "--region",
            "cn-hangzhou",
            "--bucket",
            "photos",
            "--key",
            "user/notes.txt",
        ],
    );
    let mut curl = Command::new("curl");
    curl.args(["-sS", "-f"]);
    if let Some(ca) = &served.ca_cert {
        curl.arg("--cacert").arg(ca);
    }
    let got = curl.arg(&get_url).output().unwrap();
    assert!(
        got.status.success() && got.stdout == data,
        "GET returns the upload"
    );
    let before = files(root.path());

    // Too big: EntityTooLarge, nothing stored.
    let big = home.path().join("big.txt");
    std::fs::write(&big, sample(300 * 1024 + 1)).unwrap();
    assert_answer(
        send(&fields, "user/big.txt", &big, "text/plain"),
        400,
        "<Code>EntityTooLarge</Code>",
    );
    // Outside the key prefix / another content type: AccessDenied with the condition quoted.
    let body = assert_answer(
        send(&fields, "other/notes.txt", &file, "text/plain"),
        403,
        "<Code>AccessDenied</Code>",
    );
    assert!(body.contains("Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;, &quot;$key&quot;, &quot;user/&quot;]"), "{body}");
    let mut wrong_type = fields.clone();
    wrong_type
        .iter_mut()
        .find(|(n, _)| n == "Content-Type")
        .unwrap()
        .1 = "text/html".into();
    assert_answer(
        send(&wrong_type, "user/page.html", &file, "text/html"),
        403,
        "$Content-Type",
    );
    // A tampered signature.
    let mut tampered = fields.clone();
    let sig = &mut tampered
        .iter_mut()
        .find(|(n, _)| n == "x-oss-signature")
        .unwrap()
        .1;
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    sig.replace_range(0..1, flipped);
    assert_answer(
        send(&tampered, "user/t.txt", &file, "text/plain"),
        403,
        "<Code>SignatureDoesNotMatch</Code>",
    );
    // Expired: signed two hours ago for one hour.
    let past = time_ago(7200);
    let mut expired_flags = policy.to_vec();
    expired_flags.extend(["--signing-time", past.as_str(), "--expires", "1h"]);
    let (_, expired) = form(&home, &served, &expired_flags);
    assert_answer(
        send(&expired, "user/late.txt", &file, "text/plain"),
        403,
        "Policy expired",
    );

    assert_eq!(
        files(root.path()),
        before,
        "refused uploads leave no object and no temporary file"
    );
}

fn time_ago(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    oss_sign_core::SigningTime::from_unix_seconds((now - seconds) as i64)
        .unwrap()
        .to_rfc3339()
}

#[test]
fn form_upload_over_http() {
    upload_and_violations(false);
}

#[test]
fn form_upload_over_https_with_the_served_ca() {
    upload_and_violations(true);
}

#[test]
fn hostile_forms_are_refused_and_write_nothing() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("photos")).unwrap();
    // another local user plants a link from the bucket to a folder outside it
    std::os::unix::fs::symlink(outside.path(), root.path().join("photos/evil")).unwrap();
    let served = serve(&home, root.path(), false);
    let (url, fields) = form(&home, &served, &["--key-prefix", ""]);
    let send = |fields: &[(String, String)], key: &str, file: &Path, file_type: &str| {
        post(&served, &url, fields, key, file, file_type)
    };
    let file = home.path().join("f.txt");
    std::fs::write(&file, b"payload").unwrap();

    assert_answer(
        send(&fields, "evil/x.txt", &file, "text/plain"),
        403,
        "<Code>AccessDenied</Code>",
    );
    assert!(
        files(outside.path()).is_empty(),
        "nothing written through the link"
    );

    // a field over the limit: refused, and the client still reads the XML
    let mut huge = fields.clone();
    huge.insert(1, ("x-oss-meta-big".into(), "a".repeat(200 * 1024)));
    assert_answer(
        send(&huge, "big.txt", &file, "text/plain"),
        400,
        "longer than",
    );

    // no policy at all on a server with credentials
    let bare: Vec<(String, String)> = vec![("key".into(), "bare.txt".into())];
    let (status, body) = send(&bare, "bare.txt", &file, "text/plain");
    assert_eq!(status, 403, "{body}");

    // and a good one still works through the same server
    let (status, body) = send(&fields, "ok.txt", &file, "text/plain");
    assert_eq!(status, 204, "{body}");
    // The object, and its metadata file (Content-Type, ETag, CRC-64) as PutObject keeps one.
    let written = files(root.path());
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written[0].starts_with(".oss-testserver/meta/photos/"),
        "{written:?}"
    );
    assert_eq!(written[1], "photos/ok.txt");
}
