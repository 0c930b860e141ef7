//! End to end in a real headless Chromium (driven by chromedriver over WebDriver): a page on
//! one origin (a small local HTTP server) downloads and uploads through presigned URLs on a
//! real `oss-presign serve --tls` child on another origin, whose generated CA the browser
//! trusts through `--ignore-certificate-errors-spki-list`.
//!
//! * the download sample of docs/browser.md with a URL from `oss-presign url`: the page's
//!   SHA-256 of the blob is the file's, the download link saves the same bytes; an expired and
//!   a tampered URL give the page OSS's 403 and error XML;
//! * the page presigns with the WebAssembly module (STS-style credentials) and fetches;
//! * a `fetch` PUT with a signed Content-Type (preflighted) and a POST-policy form upload, each
//!   read back from the server's root;
//! * the same page scripts against a server without CORS rules (as a new bucket): every
//!   cross-origin request fails with a `TypeError` and nothing is stored.
//!
//! Without Chromium and chromedriver the tests say so and pass, except under CI (`CI=true`,
//! which `.ci/run` sets after installing both), where a missing browser fails them.

#[path = "../common/mod.rs"]
mod common;
mod page_server;
mod spki;
mod webdriver;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use common::serve::{self, Served};
use common::*;
use page_server::{PageFile, PageServer};
use webdriver::{Browser, Installed};

/// The bucket every test uses.
const BUCKET: &str = "photos";
/// An STS-style temporary key: the id, and a token the page passes to the presigner.
const STS_AK: &str = "STS.NTestTemporaryAccessKeyId";
const STS_TOKEN: &str = "CAISTestSecurityToken+/=0123456789abcdefghijklmnopqrstuvwxyz";

/// The browser and driver, or `None` (with the reason printed) outside CI when one is
/// missing; under CI a missing browser is a failure.
fn installed_or_skip(test: &str) -> Option<Installed> {
    match Installed::find() {
        Ok(found) => Some(found),
        Err(why) => {
            assert!(
                !in_ci(),
                "CI=true but the browser tests cannot run: {why} (.ci/run installs both)"
            );
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

/// `CI=true` (or `1`): what `.ci/run` sets.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A `serve --tls` child for `access_key_id` with the `cors` flags.
fn serve(home: &tempfile::TempDir, root: &Path, access_key_id: &str, cors: &[String]) -> Served {
    let cors: Vec<&str> = cors.iter().map(String::as_str).collect();
    let served = serve::serve_with_key(home, root, access_key_id, true, &cors);
    assert!(
        served.endpoint.starts_with("https://127.0.0.1:"),
        "{}",
        served.banner
    );
    served
}

/// Everything one test needs, dropped browser first, then the servers, then the folders.
struct Setup {
    browser: Browser,
    served: Served,
    _page: PageServer,
    downloads: tempfile::TempDir,
    root: tempfile::TempDir,
    home: tempfile::TempDir,
}

/// How the OSS server is set up for the page's origin.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cors {
    /// `--cors <the page's origin>`.
    PageOrigin,
    /// A rule for the page's origin allowing GET only (`--cors-file`): downloads work, the
    /// preflight of a PUT is refused.
    GetOnly,
    /// No rules at all, as on a new bucket.
    None,
}

/// `BROWSER_TESTS_CORS=off` runs the tests that expect a CORS rule against a server without
/// one: they must then fail (the proof that the rule, not luck, lets the page through).
fn cors_switched_off() -> bool {
    std::env::var("BROWSER_TESTS_CORS").is_ok_and(|v| v == "off")
}

fn setup(installed: &Installed, cors: Cors, access_key_id: &str) -> Setup {
    let home = tempfile::tempdir().expect("home");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join(BUCKET)).expect("bucket");
    let page = PageServer::start(page_files());
    let origin = page.origin().to_string();
    let rules: Vec<String> = match cors {
        Cors::PageOrigin if cors_switched_off() => Vec::new(),
        Cors::PageOrigin => vec!["--cors".into(), origin.clone()],
        Cors::GetOnly => {
            let file = home.path().join("cors.xml");
            let xml = format!(
                "<CORSConfiguration><CORSRule><AllowedOrigin>{origin}</AllowedOrigin>\
                 <AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader>\
                 </CORSRule></CORSConfiguration>"
            );
            std::fs::write(&file, xml).expect("cors file");
            vec!["--cors-file".into(), file.display().to_string()]
        }
        Cors::None => Vec::new(),
    };
    let served = serve(&home, root.path(), access_key_id, &rules);
    assert_ne!(origin, served.endpoint, "two origins");
    let downloads = tempfile::tempdir().expect("downloads folder");
    let ca_pem = std::fs::read_to_string(served.ca_cert()).unwrap_or_default();
    let browser = Browser::start(
        installed,
        &spki::spki_hash_of_pem(&ca_pem),
        downloads.path(),
    );
    browser.open(&format!("{origin}/index.html"));
    Setup {
        browser,
        served,
        _page: page,
        downloads,
        root,
        home,
    }
}

/// [`setup`] for [`AK`], or `None` (see [`installed_or_skip`]).
fn setup_or_skip(test: &str, cors: Cors) -> Option<Setup> {
    installed_or_skip(test).map(|installed| setup(&installed, cors, AK))
}

impl Setup {
    /// The bucket's folder under the served root.
    fn bucket(&self) -> PathBuf {
        self.root.path().join(BUCKET)
    }

    /// Stores `data` as `BUCKET/KEY` (straight into the served folder).
    fn put_object(&self, key: &str, data: &[u8]) {
        std::fs::write(self.bucket().join(key), data).expect("object");
    }

    /// Asserts that `BUCKET/key` holds exactly `data` (a mismatch does not print the bytes).
    #[track_caller]
    fn assert_stored(&self, key: &str, data: &[u8]) {
        let stored = match std::fs::read(self.bucket().join(key)) {
            Ok(stored) => stored,
            Err(e) => panic!("{key} not stored: {e}"),
        };
        assert!(
            stored == data,
            "{key}: {} bytes stored, not the {} sent",
            stored.len(),
            data.len()
        );
    }
}

/// The page (index.html, the sample, the harness) and, when built, the WebAssembly
/// presigner's folder under `/wasm/`.
fn page_files() -> HashMap<String, PageFile> {
    let mut files = HashMap::new();
    let mut add = |path: &str, content_type: &'static str, bytes: Vec<u8>| {
        files.insert(
            path.to_string(),
            PageFile {
                content_type,
                bytes,
            },
        );
    };
    add(
        "/index.html",
        "text/html; charset=utf-8",
        include_bytes!("page/index.html").to_vec(),
    );
    add(
        "/download-sample.js",
        "text/javascript",
        include_bytes!("page/download-sample.js").to_vec(),
    );
    add(
        "/harness.js",
        "text/javascript",
        include_bytes!("page/harness.js").to_vec(),
    );
    if let Ok(entries) = std::fs::read_dir(wasm_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let content_type = match name.rsplit('.').next() {
                Some("mjs" | "js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("json") => "application/json",
                Some("ts") => "text/plain",
                _ => continue,
            };
            if let Ok(bytes) = std::fs::read(entry.path()) {
                add(&format!("/wasm/{name}"), content_type, bytes);
            }
        }
    }
    files
}

/// Where `cargo xtask wasm` puts the module and its wrapper.
fn wasm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../oss-presign-wasm/js")
}

/// Bytes with every value, deterministic.
fn sample(len: usize, seed: u64) -> Vec<u8> {
    oss_testserver::generated_bytes(len, seed)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `oss-presign url` for `BUCKET/KEY` on the test server, signed by `access_key_id`; the
/// caller adds the output flags.
fn url_command(setup: &Setup, access_key_id: &str, key: &str) -> Command {
    let mut command = oss_presign(&setup.home);
    command
        .env("OSS_ACCESS_KEY_ID", access_key_id)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .args(["url", "--endpoint", &setup.served.endpoint])
        .args(["--region", "cn-hangzhou", "--bucket", BUCKET, "--key", key]);
    command
}

/// What a successful `command` printed, trimmed.
fn printed(command: &mut Command) -> String {
    let out = run(command);
    assert_eq!(code(&out), 0, "{}", both(&out));
    stdout(&out).trim().to_string()
}

/// A URL from `oss-presign url` for the test server (`extra`: more flags).
fn url_for(setup: &Setup, access_key_id: &str, key: &str, extra: &[&str]) -> String {
    printed(
        url_command(setup, access_key_id, key)
            .args(["--output", "url"])
            .args(extra),
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `seconds_ago` before now.
fn utc_before_now(seconds_ago: u64) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        - seconds_ago;
    let (days, secs) = (now / 86_400, now % 86_400);
    // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The page's `runDownload` (the docs/browser.md sample).
fn page_download(setup: &Setup, url: &str, filename: &str) -> Value {
    setup.browser.run(
        "return runDownload(arguments[0], arguments[1]);",
        &[json!(url), json!(filename)],
    )
}

/// The Content-Type the page's uploads are signed with (not a CORS-safelisted one, so a `fetch`
/// PUT with it is preflighted).
const SIGNED_TYPE: &str = "application/x-browser-test";

/// The page's `runPut` of `data` with the Content-Type `sent` through a URL signed for a PUT of
/// `key` with [`SIGNED_TYPE`].
fn page_put(setup: &Setup, key: &str, sent: &str, data: &[u8]) -> Value {
    let put = url_for(
        setup,
        AK,
        key,
        &["--op", "put", "--content-type", SIGNED_TYPE],
    );
    setup.browser.run(
        "return runPut(arguments[0], arguments[1], arguments[2]);",
        &[json!(put), json!(sent), json!(base64(data))],
    )
}

/// Stores `len` sample bytes (from `seed`) as `BUCKET/report.bin`: the bytes and their
/// presigned GET URL.
fn stored_report(setup: &Setup, len: usize, seed: u64) -> (Vec<u8>, String) {
    let data = sample(len, seed);
    setup.put_object("report.bin", &data);
    let url = url_for(setup, AK, "report.bin", &[]);
    (data, url)
}

/// A preflighted PUT of `data` as `uploads/put.bin` the server's rules refuse: a CORS failure
/// in the page, and nothing stored.
#[track_caller]
fn assert_put_never_sent(setup: &Setup, data: &[u8]) {
    assert_cors_failure(&page_put(setup, "uploads/put.bin", SIGNED_TYPE, data));
    assert!(!setup.bucket().join("uploads/put.bin").exists());
}

/// The page's `runForm`: `data` as `form.bin` in the form `url --op post-policy --json` prints
/// for `key`, the file last.
fn page_form(setup: &Setup, key: &str, data: &[u8]) -> Value {
    let (form_url, fields, file_field) = post_form(setup, key);
    setup.browser.run(
        "return runForm(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]);",
        &[
            json!(form_url),
            fields,
            json!(file_field),
            json!("form.bin"),
            json!("application/octet-stream"),
            json!(base64(data)),
        ],
    )
}

/// Waits (up to 10 s) for Chromium to finish saving `name` into the downloads folder.
fn downloaded(setup: &Setup, name: &str) -> Vec<u8> {
    let path = setup.downloads.path().join(name);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let partial = entries(setup.downloads.path())
            .iter()
            .any(|n| n.ends_with(".crdownload"));
        if path.is_file() && !partial {
            return std::fs::read(&path).expect("the downloaded file");
        }
        assert!(
            Instant::now() < deadline,
            "{name} not downloaded: {:?}",
            entries(setup.downloads.path())
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A page result that must be a CORS failure: `fetch` rejects with a TypeError (the page
/// cannot tell it from a network error, exactly as against OSS).
#[track_caller]
fn assert_cors_failure(result: &Value) {
    assert_eq!(result["ok"], json!(false), "{result}");
    assert_eq!(result["name"], json!("TypeError"), "{result}");
    assert_eq!(
        result["status"],
        Value::Null,
        "no status reaches the page: {result}"
    );
}

#[test]
fn the_download_sample_gets_the_bytes_cross_origin_and_oss_errors_reach_the_page() {
    let Some(setup) = setup_or_skip("download sample", Cors::PageOrigin) else {
        return;
    };
    let (data, url) = stored_report(&setup, 300 << 10, 1);
    let got = page_download(&setup, &url, "report.bin");
    assert_eq!(got["ok"], json!(true), "{got}");
    assert_eq!(got["size"], json!(data.len()), "{got}");
    assert_eq!(got["sha256"], json!(sha256_hex(&data)), "{got}");
    // the download link saved the same bytes
    assert!(
        downloaded(&setup, "report.bin") == data,
        "saved file differs"
    );

    // expired: signed two hours ago for one minute
    let expired = url_for(
        &setup,
        AK,
        "report.bin",
        &["--signing-time", &utc_before_now(7200), "--expires", "1m"],
    );
    let got = page_download(&setup, &expired, "expired.bin");
    assert_eq!(got["ok"], json!(false), "{got}");
    assert_eq!(got["status"], json!(403), "{got}");
    let body = got["body"].as_str().unwrap_or_default();
    assert!(body.contains("<Code>AccessDenied</Code>"), "{got}");
    assert!(body.contains("Request has expired"), "{got}");

    let got = page_download(&setup, &tampered(&url), "tampered.bin");
    assert_eq!(got["status"], json!(403), "{got}");
    assert!(
        got["body"]
            .as_str()
            .unwrap_or_default()
            .contains("<Code>SignatureDoesNotMatch</Code>"),
        "{got}"
    );
    // the failed downloads saved nothing
    assert_eq!(entries(setup.downloads.path()), ["report.bin"]);
}

#[test]
fn a_presigned_put_with_a_signed_content_type_and_a_form_upload_are_stored() {
    let Some(setup) = setup_or_skip("uploads", Cors::PageOrigin) else {
        return;
    };

    // PUT: the signed Content-Type makes the browser send a preflight first
    let data = sample(200 << 10, 2);
    let got = page_put(&setup, "uploads/put.bin", SIGNED_TYPE, &data);
    assert_eq!(got["status"], json!(200), "{got}");
    let md5 = hex::encode_upper(md5_of(&data));
    assert_eq!(
        got["etag"],
        json!(format!("\"{md5}\"")),
        "ETag exposed: {got}"
    );
    setup.assert_stored("uploads/put.bin", &data);

    // another Content-Type than the signed one is refused, nothing stored
    let got = page_put(&setup, "uploads/other.bin", "text/plain", &data);
    assert_eq!(got["status"], json!(403), "{got}");
    assert!(!setup.bucket().join("uploads/other.bin").exists());

    // POST policy: the form `url --op post-policy --json` prints, the file last
    let form_data = sample(150 << 10, 3);
    let got = page_form(&setup, "uploads/form.bin", &form_data);
    assert_eq!(got["ok"], json!(true), "{got}");
    assert!(
        [200, 201, 204].contains(&got["status"].as_u64().unwrap_or(0)),
        "{got}"
    );
    setup.assert_stored("uploads/form.bin", &form_data);
}

/// (url, fields as the page appends them, the file field's name) from `url --op post-policy`.
fn post_form(setup: &Setup, key: &str) -> (String, Value, String) {
    let form = printed(url_command(setup, AK, key).args(["--op", "post-policy", "--json"]));
    let form: Value = serde_json::from_str(&form).expect("JSON");
    (
        form["url"].as_str().expect("url").to_string(),
        form["fields"].clone(),
        form["file_field"].as_str().unwrap_or("file").to_string(),
    )
}

fn md5_of(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest as _;
    md5::Md5::digest(bytes).into()
}

#[test]
fn the_page_presigns_with_the_webassembly_module_and_fetches() {
    let Some(installed) = installed_or_skip("WebAssembly presigner") else {
        return;
    };
    let module = wasm_dir().join("oss_presign_wasm.wasm");
    if !module.is_file() || !wasm_dir().join("index.mjs").is_file() {
        let crate_dir = wasm_dir().join("..");
        // Under CI the module must be there once its crate is (`cargo xtask ci` builds it
        // first); before the crate exists the test can only say what is missing.
        assert!(
            !(in_ci() && crate_dir.join("Cargo.toml").is_file()),
            "CI=true but {} is not built (`cargo xtask wasm` builds it)",
            module.display()
        );
        eprintln!(
            "SKIPPED WebAssembly presigner: no module crates/oss-presign-wasm/js/oss_presign_wasm.wasm \
             and its wrapper index.mjs (build them with `cargo xtask wasm`)"
        );
        return;
    }
    let setup = setup(&installed, Cors::PageOrigin, STS_AK);
    let data = sample(256 << 10, 4);
    setup.put_object("wasm.bin", &data);
    let signing_time = utc_before_now(0);
    let sts = |more: Value| -> Value {
        let mut options = json!({
            "region": "cn-hangzhou",
            "bucket": BUCKET,
            "accessKeyId": STS_AK,
            "accessKeySecret": SK,
            "securityToken": STS_TOKEN,
            "endpoint": setup.served.endpoint,
        });
        for (k, v) in more.as_object().expect("an object") {
            options[k] = v.clone();
        }
        options
    };
    let got = setup.browser.run(
        "return runWasm(arguments[0], arguments[1]);",
        &[
            json!("/wasm/index.mjs"),
            sts(json!({ "key": "wasm.bin", "expires": 600, "signingTime": signing_time })),
        ],
    );
    assert_eq!(got["ok"], json!(true), "{got}");
    assert_eq!(got["size"], json!(data.len()), "{got}");
    assert_eq!(got["sha256"], json!(sha256_hex(&data)), "{got}");
    assert_eq!(got["signed"]["method"], json!("GET"), "{got}");
    let url = got["signed"]["url"].as_str().unwrap_or_default();
    assert!(
        url.contains("x-oss-security-token="),
        "token signed in: {url}"
    );
    // signed in the browser, byte for byte the URL of the native CLI for the same request
    let native = printed(
        url_command(&setup, STS_AK, "wasm.bin")
            .env("OSS_SESSION_TOKEN", STS_TOKEN)
            .args(["--expires", "600", "--signing-time", &signing_time])
            .args(["--output", "url"]),
    );
    assert_eq!(url, native, "the module's URL is the CLI's");

    // uploads signed in the page: a PUT with a signed Content-Type and a POST-policy form
    let upload = sample(100 << 10, 7);
    let got = setup.browser.run(
        "return runWasmUploads(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4]);",
        &[
            json!("/wasm/index.mjs"),
            sts(json!({
                "key": "uploads/wasm-put.bin",
                "op": "put",
                "headers": { "Content-Type": SIGNED_TYPE },
            })),
            sts(json!({ "key": "uploads/wasm-form.bin", "contentType": SIGNED_TYPE })),
            json!(SIGNED_TYPE),
            json!(base64(&upload)),
        ],
    );
    assert_eq!(got["ok"], json!(true), "{got}");
    assert_eq!(got["put"]["status"], json!(200), "{got}");
    assert!(
        got["postFields"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("x-oss-security-token"))),
        "the form carries the token: {got}"
    );
    let status = got["post"]["status"].as_u64().unwrap_or(0);
    assert!([200, 201, 204].contains(&status), "{got}");
    setup.assert_stored("uploads/wasm-put.bin", &upload);
    setup.assert_stored("uploads/wasm-form.bin", &upload);
}

#[test]
fn without_a_cors_rule_every_cross_origin_fetch_fails_with_a_type_error() {
    let Some(setup) = setup_or_skip("no CORS rule", Cors::None) else {
        return;
    };
    let (data, url) = stored_report(&setup, 64 << 10, 5);

    // the same page scripts as above, against a bucket without rules
    assert_cors_failure(&page_download(&setup, &url, "report.bin"));
    // an error answer does not reach the page either
    assert_cors_failure(&page_download(&setup, &tampered(&url), "tampered.bin"));

    // the refused preflight stopped the PUT: nothing stored
    assert_put_never_sent(&setup, &data);

    let got = page_form(&setup, "uploads/form.bin", &data);
    // a form POST is a simple request: it is sent and stored, but the page cannot read the
    // answer, as with OSS
    assert_cors_failure(&got);
    assert!(
        entries(setup.downloads.path()).is_empty(),
        "no download link was followed"
    );

    // the answer was 204 and the object is there (CORS only keeps the page from reading it;
    // the policy decides what may be uploaded)
    setup.assert_stored("uploads/form.bin", &data);

    // the download URL the page could not use is valid: only the browser's CORS check refused
    let saved = setup.home.path().join("saved.bin");
    let ca = setup.home.path().join("ca.pem");
    let out = run(oss_presign(&setup.home)
        .arg("get")
        .arg("--ca-cert")
        .arg(&ca)
        .arg("-o")
        .arg(&saved)
        .arg(&url));
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert!(std::fs::read(&saved).expect("saved") == data);
}

#[test]
fn a_rule_allowing_only_get_serves_the_download_and_refuses_the_put_preflight() {
    let Some(setup) = setup_or_skip("GET-only CORS rule", Cors::GetOnly) else {
        return;
    };
    let (data, url) = stored_report(&setup, 32 << 10, 6);
    let got = page_download(&setup, &url, "report.bin");
    assert_eq!(got["sha256"], json!(sha256_hex(&data)), "{got}");

    // the preflight (OPTIONS asking for PUT) got 403, so the PUT was never sent
    assert_put_never_sent(&setup, &data);
}

#[test]
fn a_failing_test_leaves_no_browser_or_driver_behind() {
    let Some(installed) = installed_or_skip("cleanup on failure") else {
        return;
    };
    let group = std::sync::Mutex::new(None);
    let downloads = tempfile::tempdir().expect("folder");
    let failed = std::panic::catch_unwind(|| {
        let browser = Browser::start(&installed, "AAAA", downloads.path());
        let members = webdriver::live_members(browser.process_group());
        *group.lock().expect("lock") = Some(browser.process_group());
        // chromedriver and the browser's processes (browser, zygotes, renderer...)
        assert!(members.len() >= 2, "{members:?}");
        panic!("a test failing while its browser runs");
    });
    assert!(failed.is_err());
    let group = group.lock().expect("lock").expect("the browser started");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !webdriver::live_members(group).is_empty() {
        assert!(
            Instant::now() < deadline,
            "left running: {:?}",
            webdriver::live_members(group)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_docs_show_the_sample_the_tests_run() {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/browser.md"),
    )
    .expect("docs/browser.md");
    let sample = include_str!("page/download-sample.js");
    assert!(
        docs.contains(sample.trim_end()),
        "docs/browser.md must hold page/download-sample.js verbatim"
    );
}
