//! ossutil 1.x's per-bucket sections `[Bucket-Endpoint]` and `[Bucket-Cname]` in a fake home's
//! `~/.ossutilconfig`, applied by `url` (one object and `--list`) and by `get oss://...`, in
//! ossutil's priority: `--endpoint` > Bucket-Cname > Bucket-Endpoint > endpoint.

mod common;

use std::path::Path;

use common::*;

/// An ossutil 1.x file: `[Credentials]` and both per-bucket sections.
fn config(serve_endpoint: &str) -> String {
    format!(
        "\
[Credentials]
language = EN
endpoint = oss-cn-hangzhou.aliyuncs.com
accessKeyID = {AK}
accessKeySecret = {SK}
[Bucket-Endpoint]
logs = oss-cn-shanghai.aliyuncs.com
photos = {serve_endpoint}
site = oss-cn-beijing.aliyuncs.com
broken = ftp://nowhere
[Bucket-Cname]
site = https://static.example.com
"
    )
}

fn home_with(text: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::write(home.path().join(".ossutilconfig"), text).expect("config");
    home
}

/// `url --region cn-hangzhou --output url ARGS` with only the ossutil file configured.
fn url(home: &tempfile::TempDir, envs: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let output = run(oss_presign(home)
        .envs(envs.iter().copied())
        .args(["url", "--region", "cn-hangzhou", "--output", "url"])
        .args(args));
    assert_no_secret(&output, SK);
    output
}

fn ok_url(home: &tempfile::TempDir, args: &[&str]) -> String {
    let output = url(home, &[], args);
    assert_eq!(code(&output), 0, "{args:?}: {}", both(&output));
    stdout(&output).trim_end().to_string()
}

/// The scope region of a V4 URL.
fn scope_region(url: &str) -> &str {
    let credential = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("x-oss-credential="))
        .expect("a credential");
    credential.split("%2F").nth(2).expect("a region")
}

#[test]
fn each_bucket_goes_where_its_section_says() {
    let home = home_with(&config("http://127.0.0.1:9"));
    // Bucket-Endpoint: the bucket's region endpoint, and its region as the V4 scope.
    let logs = ok_url(&home, &["oss://logs/2024/app.log"]);
    assert!(
        logs.starts_with("https://logs.oss-cn-shanghai.aliyuncs.com/2024/app.log?"),
        "{logs}"
    );
    assert_eq!(scope_region(&logs), "cn-shanghai");
    // Bucket-Cname wins over Bucket-Endpoint: the custom domain, no bucket label.
    let site = ok_url(&home, &["--bucket", "site", "--key", "index.html"]);
    assert!(
        site.starts_with("https://static.example.com/index.html?"),
        "{site}"
    );
    assert_eq!(scope_region(&site), "cn-hangzhou");
    // A bucket in neither section: the profile's endpoint.
    let other = ok_url(&home, &["oss://other/k"]);
    assert!(
        other.starts_with("https://other.oss-cn-hangzhou.aliyuncs.com/k?"),
        "{other}"
    );
    // A browser form for the cname bucket is posted to its custom domain.
    let form = run(oss_presign(&home).args([
        "url",
        "--region",
        "cn-hangzhou",
        "--op",
        "post-policy",
        "oss://site/",
        "--key-prefix",
        "u/",
        "--json",
    ]));
    assert_eq!(code(&form), 0, "{}", both(&form));
    assert!(
        stdout(&form).contains("\"url\":\"https://static.example.com/\""),
        "{}",
        both(&form)
    );
    // An IP endpoint is path style.
    let photos = ok_url(&home, &["oss://photos/a b.txt"]);
    assert!(
        photos.starts_with("http://127.0.0.1:9/photos/a%20b.txt?"),
        "{photos}"
    );
}

#[test]
fn an_explicit_endpoint_turns_the_sections_off() {
    let home = home_with(&config("http://127.0.0.1:9"));
    for (envs, args) in [
        (
            vec![],
            vec![
                "--endpoint",
                "oss-cn-hangzhou-internal.aliyuncs.com",
                "oss://site/k",
            ],
        ),
        (
            vec![("OSS_ENDPOINT", "oss-cn-hangzhou-internal.aliyuncs.com")],
            vec!["oss://site/k"],
        ),
    ] {
        let output = url(&home, &envs, &args);
        assert_eq!(code(&output), 0, "{}", both(&output));
        assert!(
            stdout(&output).starts_with("https://site.oss-cn-hangzhou-internal.aliyuncs.com/k?"),
            "{envs:?} {args:?}: {}",
            both(&output)
        );
    }
}

#[test]
fn a_broken_entry_fails_only_its_bucket() {
    let home = home_with(&config("http://127.0.0.1:9"));
    let output = url(&home, &[], &["oss://broken/k"]);
    assert_fails_with(&output, 2, "[Bucket-Endpoint]");
    assert_stderr_has(&output, "bucket broken");
    // In a list: that line is reported with its number, the others are presigned.
    let list = home.path().join("objects.txt");
    std::fs::write(&list, "oss://logs/a\noss://broken/b\noss://site/c\nd\n").expect("list");
    let output = url(
        &home,
        &[],
        &["--list", list.to_str().expect("UTF-8"), "--bucket", "other"],
    );
    assert_eq!(code(&output), 4, "{}", both(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{}", both(&output));
    assert!(lines[0].starts_with("https://logs.oss-cn-shanghai.aliyuncs.com/a?"));
    assert!(lines[1].starts_with("https://static.example.com/c?"));
    assert!(lines[2].starts_with("https://other.oss-cn-hangzhou.aliyuncs.com/d?"));
    assert_stderr_has(&output, "line 2: bucket broken");
}

#[test]
fn a_file_without_the_sections_changes_nothing() {
    let with = home_with(&config("http://127.0.0.1:9"));
    let without = home_with(&format!(
        "[Credentials]\nendpoint = oss-cn-hangzhou.aliyuncs.com\naccessKeyID = {AK}\naccessKeySecret = {SK}\n"
    ));
    let args = ["oss://other/k", "--signing-time", "2024-11-12T09:27:56Z"];
    assert_eq!(ok_url(&with, &args), ok_url(&without, &args));
    let logs_without = ok_url(&without, &["oss://logs/k"]);
    assert!(logs_without.starts_with("https://logs.oss-cn-hangzhou.aliyuncs.com/k?"));
}

#[test]
fn get_downloads_through_the_bucket_endpoint_from_a_real_serve() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join("photos")).expect("bucket");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(root.path().join("photos").join("a b?#.bin"), &body).expect("object");
    let served = common::serve::serve(&home, root.path(), false, &["--region", "cn-hangzhou"]);
    std::fs::write(home.path().join(".ossutilconfig"), config(&served.endpoint)).expect("config");
    let out_dir = tempfile::tempdir().expect("out");
    let target = out_dir.path().join("got.bin");
    let get = |args: &[&str]| {
        let output = run(oss_presign(&home)
            .current_dir(out_dir.path())
            .args(["get", "--region", "cn-hangzhou", "--quiet"])
            .args(args));
        assert_no_secret(&output, SK);
        output
    };
    let output = get(&[
        "oss://photos/a b?#.bin",
        "--part-size",
        "64K",
        "-o",
        target.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(std::fs::read(&target).expect("downloaded"), body);
    // --bucket/--key, default output name from the key.
    let output = get(&["--bucket", "photos", "--key", "a b?#.bin"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        std::fs::read(out_dir.path().join("a b?#.bin")).expect("downloaded"),
        body
    );
    // A missing object: NoSuchKey's exit code, nothing left behind.
    let missing = out_dir.path().join("missing.bin");
    let output = get(&["oss://photos/none", "-o", missing.to_str().expect("UTF-8")]);
    assert_eq!(code(&output), 13, "{}", both(&output));
    assert!(!Path::new(&missing).exists());
}

#[test]
fn get_refuses_a_url_and_an_object_together_and_needs_credentials_to_presign() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(oss_presign(&home).args([
        "get",
        "https://b.oss-cn-hangzhou.aliyuncs.com/k?x-oss-signature=0",
        "--bucket",
        "b",
        "--key",
        "k",
    ]));
    assert_fails_with(&output, 2, "not both");
    let output = run(oss_presign(&home).args(["get", "oss://b/k", "--bucket", "b", "--key", "k"]));
    assert_eq!(code(&output), 2, "{}", both(&output));
    let output = run(oss_presign(&home).args(["get", "oss://b"]));
    assert_fails_with(&output, 2, "oss://BUCKET/KEY");
    // Nothing configured: no credentials is exit 3, and no file is created.
    let output = run(oss_presign(&home).current_dir(home.path()).args([
        "get",
        "--region",
        "cn-hangzhou",
        "oss://b/k",
    ]));
    assert_eq!(code(&output), 3, "{}", both(&output));
    assert!(!home.path().join("k").exists());
}

#[test]
fn put_uploads_through_the_bucket_endpoint_to_a_real_serve() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join("photos")).expect("bucket");
    let served = common::serve::serve(&home, root.path(), false, &["--region", "cn-hangzhou"]);
    std::fs::write(home.path().join(".ossutilconfig"), config(&served.endpoint)).expect("config");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let src_dir = tempfile::tempdir().expect("src");
    let source = src_dir.path().join("up.bin");
    std::fs::write(&source, &body).expect("source");
    let put = |args: &[&str]| {
        let output = run(oss_presign(&home)
            .args(["put", "--region", "cn-hangzhou", "--quiet"])
            .arg(&source)
            .args(args));
        assert_no_secret(&output, SK);
        output
    };
    // Single PUT, presigned for the bucket's own endpoint from [Bucket-Endpoint].
    let output = put(&["oss://photos/single.bin"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        std::fs::read(root.path().join("photos").join("single.bin")).expect("stored"),
        body
    );
    // Multipart above the threshold, --bucket/--key.
    let output = put(&[
        "--bucket",
        "photos",
        "--key",
        "parts.bin",
        "--multipart-threshold",
        "100K",
        "--part-size",
        "100K",
    ]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        std::fs::read(root.path().join("photos").join("parts.bin")).expect("stored"),
        body
    );
    // A bucket whose entry is broken fails before any upload.
    let output = put(&["oss://broken/x.bin"]);
    assert_fails_with(&output, 2, "[Bucket-Endpoint]");
}
