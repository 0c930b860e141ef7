//! Uploads to a real `oss-presign serve` child with real clients: curl (`-T`, `--upload-file`)
//! over HTTP and HTTPS with URLs from `oss-presign url --op put`, Python `requests.put`, and the
//! official Python SDK (alibabacloud-oss-v2, header-signed put_object and multipart) — each
//! object read back byte for byte; tampered and expired upload URLs refused with nothing
//! stored (and the error seen by curl over HTTPS, not a framing error); CORS preflight and
//! headers; objects surviving a restart.
//!
//! The Python clients are installed into a virtual environment under the target folder
//! (`pip install requests alibabacloud-oss-v2`); the Python part is skipped only when no
//! `python3` exists at all.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::serve::{serve, Served};
use common::*;
use oss_testserver::generated_bytes as sample;

fn url(home: &tempfile::TempDir, served: &Served, key: &str, extra: &[&str]) -> String {
    common::serve::url_for(home, served, key, extra)
}

/// Runs curl; returns (HTTP status, body).
fn curl(served: &Served, args: &[&str]) -> (u16, Vec<u8>) {
    let out_file = tempfile::NamedTempFile::new().expect("temp file");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-o"])
        .arg(out_file.path())
        .args(["-w", "%{http_code}"]);
    if let Some(ca) = &served.ca_cert {
        cmd.arg("--cacert").arg(ca);
    }
    let output = cmd.args(args).output().expect("curl runs");
    assert!(
        output.status.success(),
        "curl failed (a transport error, not an HTTP answer): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let status = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("status");
    (status, std::fs::read(out_file.path()).expect("body"))
}

/// `curl -T FILE -H HEADER... URL`: (HTTP status, body).
fn curl_put(served: &Served, file: &str, headers: &[&str], url: &str) -> (u16, Vec<u8>) {
    let mut args = vec!["-T", file];
    for header in headers {
        args.extend(["-H", header]);
    }
    args.push(url);
    curl(served, &args)
}

/// A presigned PUT of `photos/KEY` with the Content-Type `application/x-test` signed.
fn typed_put_url(home: &tempfile::TempDir, served: &Served, key: &str) -> String {
    url(
        home,
        served,
        key,
        &["--op", "put", "--content-type", "application/x-test"],
    )
}

/// A presigned GET of `photos/KEY` through curl answers 200 with `data`.
#[track_caller]
fn assert_reads_back(home: &tempfile::TempDir, served: &Served, key: &str, data: &[u8]) {
    let (status, body) = curl(served, &[&url(home, served, key, &[])]);
    assert_eq!(status, 200);
    assert!(body == data, "{key} read back byte for byte");
}

/// A home folder and a root to serve holding the empty bucket `photos`, for a test that needs
/// curl (asserted to be installed).
fn curl_and_a_photos_bucket() -> (tempfile::TempDir, tempfile::TempDir) {
    let curl = Command::new("curl").arg("--version").output();
    assert!(
        curl.is_ok_and(|o| o.status.success()),
        "curl is needed for this test"
    );
    let home = tempfile::tempdir().expect("home");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join("photos")).expect("bucket");
    (home, root)
}

#[test]
fn curl_uploads_over_http_and_https_and_bad_urls_store_nothing() {
    let (home, root) = curl_and_a_photos_bucket();
    let file = home.path().join("upload.bin");
    let data = sample(3 << 20, 1);
    std::fs::write(&file, &data).expect("file");
    let file_arg = file.to_str().expect("utf-8");

    for tls in [false, true] {
        let served = serve(&home, root.path(), tls, &[]);
        let key = format!("curl-{tls}.bin");
        let put = typed_put_url(&home, &served, &key);
        let (status, body) = curl_put(
            &served,
            file_arg,
            &["Content-Type: application/x-test"],
            &put,
        );
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert_reads_back(&home, &served, &key, &data);

        // A V1 presigned PUT URL works the same way.
        let key_v1 = format!("curl-v1-{tls}.bin");
        let put = url(
            &home,
            &served,
            &key_v1,
            &["--op", "put", "--signature-version", "v1"],
        );
        let (status, body) = curl_put(&served, file_arg, &["Content-Type:"], &put);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert!(std::fs::read(root.path().join("photos").join(&key_v1)).expect("stored") == data);

        // --upload-file, the long form, with x-oss-meta signed through --header.
        let key2 = format!("curl-long-{tls}.bin");
        let put = url(
            &home,
            &served,
            &key2,
            &[
                "--op",
                "put",
                "--content-type",
                "text/plain",
                "--header",
                "x-oss-meta-from:curl",
            ],
        );
        let (status, _) = curl(
            &served,
            &[
                "--upload-file",
                file_arg,
                "-H",
                "Content-Type: text/plain",
                "-H",
                "x-oss-meta-from: curl",
                &put,
            ],
        );
        assert_eq!(status, 200);
        let head = url(&home, &served, &key2, &["--method", "HEAD"]);
        let out = Command::new("curl")
            .args(["-sS", "-I"])
            .args(
                served
                    .ca_cert
                    .iter()
                    .flat_map(|c| ["--cacert".to_string(), c.display().to_string()]),
            )
            .arg(&head)
            .output()
            .expect("curl");
        let headers = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
        assert!(headers.contains("x-oss-meta-from: curl"), "{headers}");
        assert!(headers.contains("content-type: text/plain"), "{headers}");

        // Without the signed Content-Type: refused, nothing stored, and curl sees the XML
        // (the 3 MiB body was read before the answer), even over HTTPS.
        let key3 = format!("refused-{tls}.bin");
        let put = typed_put_url(&home, &served, &key3);
        let (status, body) = curl_put(&served, file_arg, &["Content-Type: text/other"], &put);
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 403, "{text}");
        assert!(
            text.contains("<Code>SignatureDoesNotMatch</Code>"),
            "{text}"
        );
        // A tampered signature (the last parameter: its last hex digit flipped).
        let (status, body) = curl_put(
            &served,
            file_arg,
            &["Content-Type: application/x-test"],
            &tampered(&put),
        );
        assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
        assert!(!root.path().join("photos").join(&key3).exists());

        // Expired: a URL valid for 1 s, used after 2 s.
        let put = url(&home, &served, &key3, &["--op", "put", "--expires", "1s"]);
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let (status, body) = curl_put(&served, file_arg, &[], &put);
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("Request has expired"), "{text}");
        assert!(!root.path().join("photos").join(&key3).exists());

        // Unsigned: 403 like an unsigned GET, not 405.
        let plain = format!("{}/photos/{key3}", served.endpoint);
        let (status, _) = curl_put(&served, file_arg, &[], &plain);
        assert_eq!(status, 403);
        assert!(!root.path().join("photos").join(&key3).exists());
    }
    let leftovers: Vec<_> = std::fs::read_dir(root.path().join("photos"))
        .expect("bucket")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".oss-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Objects survive a restart.
    let served = serve(&home, root.path(), false, &[]);
    assert_reads_back(&home, &served, "curl-true.bin", &data);
}

#[test]
fn cors_from_flags_and_file_on_a_real_serve() {
    let (home, root) = curl_and_a_photos_bucket();
    std::fs::write(root.path().join("photos/a.txt"), b"hello").expect("object");

    // Default: no rules; a preflight is refused.
    let served = serve(&home, root.path(), false, &[]);
    let preflight = |served: &Served, origin: &str, method: &str| {
        let out = Command::new("curl")
            .args(["-sS", "-i", "-X", "OPTIONS", "-H"])
            .arg(format!("Origin: {origin}"))
            .arg("-H")
            .arg(format!("Access-Control-Request-Method: {method}"))
            .args([
                "-H",
                "Access-Control-Request-Headers: content-type,x-oss-meta-a",
            ])
            .arg(format!("{}/photos/a.txt", served.endpoint))
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).to_ascii_lowercase()
    };
    assert!(preflight(&served, "http://localhost:3000", "PUT").starts_with("http/1.1 403"));
    drop(served);

    let served = serve(
        &home,
        root.path(),
        false,
        &["--cors", "http://localhost:3000"],
    );
    let answer = preflight(&served, "http://localhost:3000", "PUT");
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(
        answer.contains("access-control-allow-origin: http://localhost:3000"),
        "{answer}"
    );
    assert!(
        answer.contains("access-control-allow-headers: content-type, x-oss-meta-a"),
        "{answer}"
    );
    assert!(preflight(&served, "http://evil.example", "PUT").starts_with("http/1.1 403"));
    assert!(preflight(&served, "http://localhost:3000", "DELETE").starts_with("http/1.1 403"));
    // An error answer (unsigned GET) carries Allow-Origin too, so a page can read it.
    let out = Command::new("curl")
        .args(["-sS", "-i", "-H", "Origin: http://localhost:3000"])
        .arg(format!("{}/photos/a.txt", served.endpoint))
        .output()
        .expect("curl");
    let answer = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 403"), "{answer}");
    assert!(
        answer.contains("access-control-allow-origin: http://localhost:3000"),
        "{answer}"
    );
    assert!(
        answer.contains(
            "access-control-expose-headers: etag, x-oss-request-id, x-oss-hash-crc64ecma"
        ),
        "{answer}"
    );
    drop(served);

    let rules = home.path().join("cors.xml");
    std::fs::write(
        &rules,
        "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>\
         <AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>\
         <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>\
         <ResponseVary>false</ResponseVary></CORSConfiguration>",
    )
    .expect("rules");
    let served = serve(
        &home,
        root.path(),
        false,
        &["--cors-file", rules.to_str().expect("utf-8")],
    );
    let answer = preflight(&served, "https://app.example.com", "PUT");
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("access-control-max-age: 600"), "{answer}");
    assert!(preflight(&served, "https://app.example.com", "GET").starts_with("http/1.1 403"));
    drop(served);

    // A bad rules file is a usage error naming the problem.
    std::fs::write(&rules, "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>").expect("rules");
    let output = run(oss_presign(&home)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .args(["serve", "--access-key-id", AK, "--root"])
        .arg(root.path())
        .arg("--cors-file")
        .arg(&rules));
    assert_eq!(code(&output), 2, "{}", both(&output));
    assert!(stderr(&output).contains("PATCH"), "{}", both(&output));
}

/// A virtual environment under the target folder with `requests` and `alibabacloud-oss-v2`;
/// `None` only when there is no python3 at all.
fn python() -> Option<PathBuf> {
    let base = Command::new("python3").arg("--version").output().ok()?;
    if !base.status.success() {
        return None;
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("py-venv");
    let py = venv.join("bin/python");
    let ready = Command::new(&py)
        .args(["-c", "import requests, alibabacloud_oss_v2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("venv");
        assert!(made.success(), "python3 -m venv failed");
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "requests", "alibabacloud-oss-v2"])
            .status()
            .expect("pip runs");
        assert!(
            pip.success(),
            "pip install requests alibabacloud-oss-v2 failed"
        );
    }
    Some(py)
}

const SDK_SCRIPT: &str = r#"
import hashlib, os, sys
import requests
import alibabacloud_oss_v2 as oss

endpoint, ak, sk, put_url, ca, data_path = sys.argv[1:7]
data = open(data_path, "rb").read()

# requests.put through a presigned URL (HTTPS, the server's CA).
r = requests.put(put_url, data=data, headers={"Content-Type": "application/x-test"}, verify=ca)
assert r.status_code == 200, (r.status_code, r.text)
assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest().upper(), r.headers

cfg = oss.config.load_default()
cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ak, sk)
cfg.region = "cn-hangzhou"
cfg.endpoint = endpoint
cfg.use_path_style = True
client = oss.Client(cfg)

# Header-signed PutObject (V4), CRC-64 checked by the SDK.
client.put_object(oss.PutObjectRequest(bucket="photos", key="sdk/put.bin", body=data,
                                       metadata={"who": "sdk"}))
got = client.get_object(oss.GetObjectRequest(bucket="photos", key="sdk/put.bin"))
assert got.body.read() == data
assert got.metadata.get("who") == "sdk", got.metadata

# Multipart: two parts, the first >= 100 KiB.
init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="photos", key="sdk/multi.bin"))
cut = 200 * 1024
parts = []
for n, chunk in ((1, data[:cut]), (2, data[cut:])):
    up = client.upload_part(oss.UploadPartRequest(bucket="photos", key="sdk/multi.bin",
                                                  upload_id=init.upload_id, part_number=n, body=chunk))
    parts.append(oss.UploadPart(part_number=n, etag=up.etag))
listed = client.list_parts(oss.ListPartsRequest(bucket="photos", key="sdk/multi.bin", upload_id=init.upload_id))
assert [p.part_number for p in listed.parts] == [1, 2]
client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
    bucket="photos", key="sdk/multi.bin", upload_id=init.upload_id,
    complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts)))
got = client.get_object(oss.GetObjectRequest(bucket="photos", key="sdk/multi.bin"))
assert got.body.read() == data

# Multipart errors: wrong order, unknown upload.
init = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="photos", key="sdk/bad.bin"))
ups = [client.upload_part(oss.UploadPartRequest(bucket="photos", key="sdk/bad.bin", upload_id=init.upload_id,
                                                part_number=n, body=data[:cut])) for n in (1, 2)]
try:
    client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket="photos", key="sdk/bad.bin", upload_id=init.upload_id,
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=[
            oss.UploadPart(part_number=2, etag=ups[1].etag), oss.UploadPart(part_number=1, etag=ups[0].etag)])))
    raise SystemExit("out-of-order parts were accepted")
except oss.exceptions.OperationError as e:
    assert "InvalidPartOrder" in str(e), e
client.abort_multipart_upload(oss.AbortMultipartUploadRequest(bucket="photos", key="sdk/bad.bin", upload_id=init.upload_id))
try:
    client.list_parts(oss.ListPartsRequest(bucket="photos", key="sdk/bad.bin", upload_id=init.upload_id))
    raise SystemExit("an aborted upload is still listed")
except oss.exceptions.OperationError as e:
    assert "NoSuchUpload" in str(e), e

# ListObjectsV2 sees both objects.
listing = client.list_objects_v2(oss.ListObjectsV2Request(bucket="photos", prefix="sdk/"))
keys = [o.key for o in listing.contents]
assert keys == ["sdk/multi.bin", "sdk/put.bin"], keys
print("python clients ok")
"#;

#[test]
fn python_requests_and_the_official_sdk_upload_to_serve() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no python3 on this machine");
        return;
    };
    let home = tempfile::tempdir().expect("home");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join("photos")).expect("bucket");
    let data = sample(300 << 10, 7);
    let data_path = home.path().join("data.bin");
    std::fs::write(&data_path, &data).expect("data");
    // requests over HTTPS with the server's CA; the SDK over plain HTTP (its own TLS settings
    // are not what is tested here).
    let https = serve(&home, root.path(), true, &[]);
    let put = typed_put_url(&home, &https, "requests.bin");
    let http = serve(&home, root.path(), false, &[]);
    let output = Command::new(py)
        .args(["-c", SDK_SCRIPT, &http.endpoint, AK, SK, &put])
        .arg(https.ca_cert.as_ref().expect("ca"))
        .arg(&data_path)
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", both(&output));
    for key in ["requests.bin", "sdk/put.bin", "sdk/multi.bin"] {
        let stored = std::fs::read(root.path().join("photos").join(key)).expect("stored");
        assert_eq!(stored, data, "{key}");
    }
    assert!(!root.path().join("photos/sdk/bad.bin").exists());
}
