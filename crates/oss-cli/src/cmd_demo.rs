//! `oss-presign demo`: the whole story in one command, with nothing configured.
//!
//! Starts the local HTTPS server (`oss-testserver`) on a free loopback port with a generated
//! sample object and demo credentials, presigns a GET URL (`oss-client`), downloads it through
//! the URL (`oss-transfer`), verifies it offline (`oss-sign-core`), and shows an expired and a
//! tampered URL being refused by both the server and the verifier. Exits 0 only when every
//! step turned out as expected.

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use clap::Args;
use oss_client::{Client, Config, FixedClock, GetObjectRequest, PresignOptions, SigningTime};
use oss_credentials::Credentials;
use oss_sign_core::verify::StaticSecret;
use oss_testserver::{ServerBuilder, TestServer, TlsIdentity};
use oss_transfer::{DownloadErrorKind, Downloader, PresignedGet};

use crate::cmd_get;
use crate::cmd_verify::Check;
use crate::exit_code::{self, Failure};
use crate::presigned_url::{self, AddressingHints};

/// The demo's access key id (printed) and secret (never printed; it is only a demo value).
const DEMO_ACCESS_KEY_ID: &str = "LTAI5tDemoAccessKeyId";
const DEMO_SECRET: &str = "oss-presign-demo-secret-not-a-real-one";
const REGION: &str = "cn-hangzhou";
const BUCKET: &str = "demo-bucket";
const KEY: &str = "samples/hello world.bin";
const OTHER_KEY: &str = "samples/private.bin";
const SAMPLE_SIZE: u64 = 4 << 20;

/// Examples shown by `oss-presign demo --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  oss-presign demo
  cargo run --release -p oss-cli -- demo";

/// Options of `oss-presign demo` (none: it needs nothing).
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {}

pub(crate) fn run(_args: DemoArgs) -> ExitCode {
    exit_code::finish(run_inner())
}

/// Prints a step heading.
fn step(n: u32, title: &str) {
    say!();
    say!("[{n}] {title}");
}

/// Prints text indented under the current step.
fn indented(text: &str) {
    for line in text.lines() {
        say!("    {line}");
    }
}

fn check(ok: bool, what: &str) -> Result<(), Failure> {
    if ok {
        say!("    ok: {what}");
        Ok(())
    } else {
        Err(Failure::internal(format!(
            "demo step failed: expected {what}"
        )))
    }
}

fn run_inner() -> Result<(), Failure> {
    let started = Instant::now();
    let runtime = exit_code::runtime()?;
    let work = std::env::temp_dir().join(format!("oss-presign-demo-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| {
        Failure::new(
            exit_code::LOCAL_IO,
            format!("cannot create {}: {e}", work.display()),
        )
    })?;
    let outcome = runtime.block_on(demo(&work));
    let _ = std::fs::remove_dir_all(&work);
    outcome?;
    say!();
    say!(
        "demo finished in {:.2} s: every step turned out as expected",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn signing_time(at: SystemTime) -> Result<SigningTime, Failure> {
    SigningTime::try_from(at)
        .map_err(|e| Failure::internal(format!("the system clock is unusable: {e}")))
}

async fn demo(work: &std::path::Path) -> Result<(), Failure> {
    step(
        1,
        "start a local OSS-compatible HTTPS server with a sample object",
    );
    let identity = TlsIdentity::generate(&["localhost"])
        .map_err(|e| Failure::internal(format!("cannot generate a certificate: {e}")))?;
    let server: TestServer = ServerBuilder::new()
        .tls(identity)
        .region(REGION)
        .credential(DEMO_ACCESS_KEY_ID, DEMO_SECRET)
        .start()
        .await
        .map_err(|e| Failure::internal(format!("cannot start the local server: {e}")))?;
    let info = server
        .store()
        .put_generated(BUCKET, KEY, SAMPLE_SIZE, 42)
        .map_err(|e| Failure::internal(e.to_string()))?;
    server
        .store()
        .put(BUCKET, OTHER_KEY, b"not for you".to_vec())
        .map_err(|e| Failure::internal(e.to_string()))?;
    say!(
        "    endpoint:      {} (region {REGION}, certificate generated now)",
        server.endpoint()
    );
    say!(
        "    object:        {BUCKET}/{KEY}, {SAMPLE_SIZE} bytes, crc64 {:016x}",
        info.crc64
    );
    say!("    access key id: {DEMO_ACCESS_KEY_ID} (demo credentials; the secret is not shown)");

    step(
        2,
        "presign a GET URL for it, valid 15 minutes (oss-client, V4)",
    );
    let now = signing_time(SystemTime::now())?;
    let url = presign(&server, now)?;
    say!("    {url}");

    step(
        3,
        "download through the URL (oss-transfer: 4 parallel ranged parts, CRC-64 check)",
    );
    let downloader = Downloader::builder()
        .add_root_certificate_der(
            server
                .tls()
                .map(TlsIdentity::ca_certificate_der)
                .unwrap_or(&[]),
        )
        .part_size(1 << 20)
        .parallelism(4)
        .build()
        .map_err(|e| Failure::internal(e.to_string()))?;
    let target = work.join("hello world.bin");
    let source = PresignedGet::new(&url).map_err(|e| Failure::internal(e.to_string()))?;
    let began = Instant::now();
    let outcome = downloader
        .download(source)
        .to_file(&target)
        .await
        .map_err(|e| cmd_get::failure_of(&e))?;
    indented(&cmd_get::summary(&outcome, began.elapsed(), &target, false));
    check(
        outcome.size == SAMPLE_SIZE && outcome.crc64 == info.crc64 && outcome.crc64_verified,
        "size and CRC-64 match the server's object",
    )?;

    let secrets = StaticSecret::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET);
    step(4, "verify the URL offline (oss-presign verify)");
    let code = explain(&url, now, &secrets, Detail::Full)?;
    check(code == exit_code::OK, "the verifier accepts it")?;

    step(5, "an expired URL: signed two hours ago, valid 15 minutes");
    let two_hours_ago = signing_time(SystemTime::now() - Duration::from_secs(2 * 3600))?;
    let expired = presign(&server, two_hours_ago)?;
    let refusal = Refusal {
        kind: DownloadErrorKind::Expired,
        server_says: "the server refuses it as expired (403 AccessDenied, Request has expired)",
        detail: Detail::Verdict,
        exit: exit_code::EXPIRED,
        verifier_says: "the verifier says it expired",
    };
    let target = work.join("expired.bin");
    show_refused(&downloader, &expired, &target, now, &secrets, refusal).await?;

    step(
        6,
        "a tampered URL: the valid URL with its path changed to another object",
    );
    let tampered = url.replacen(
        &presigned_url::encode_path(KEY),
        &presigned_url::encode_path(OTHER_KEY),
        1,
    );
    let refusal = Refusal {
        kind: DownloadErrorKind::SignatureMismatch,
        server_says: "the server refuses it (403 SignatureDoesNotMatch)",
        detail: Detail::VerdictAndCanonical,
        exit: exit_code::SIGNATURE_MISMATCH,
        verifier_says: "the verifier shows the signature does not match, and the canonical request it recomputed",
    };
    let target = work.join("tampered.bin");
    show_refused(&downloader, &tampered, &target, now, &secrets, refusal).await?;
    server.shutdown().await;
    Ok(())
}

fn presign(server: &TestServer, at: SigningTime) -> Result<String, Failure> {
    let credentials = Credentials::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET)
        .map_err(|e| Failure::internal(e.to_string()))?;
    let config = Config::builder()
        .region(REGION)
        .endpoint(server.endpoint())
        .credentials(credentials)
        .clock(FixedClock::new(at))
        .build()
        .map_err(|e| Failure::internal(e.to_string()))?;
    let result = Client::new(config)
        .presign_with(
            &GetObjectRequest::new(BUCKET, KEY),
            &PresignOptions::new().expires(Duration::from_secs(900)),
        )
        .map_err(|e| Failure::internal(e.to_string()))?;
    Ok(result.into_url())
}

/// Checks that downloading `url` to `target` is refused with `want` (the check says `what`)
/// and leaves no file at the target.
/// What a URL that must not work gives (steps 5 and 6): the download's refusal, and the
/// verifier's exit code with what it prints.
struct Refusal<'a> {
    kind: DownloadErrorKind,
    /// What the refusal shows.
    server_says: &'a str,
    detail: Detail,
    exit: u8,
    /// What the verifier's exit code shows.
    verifier_says: &'a str,
}

/// Prints `url`, then checks that the server refuses it as `want` says (leaving nothing at
/// `target`) and that the verifier agrees.
async fn show_refused(
    downloader: &Downloader,
    url: &str,
    target: &std::path::Path,
    now: SigningTime,
    secrets: &StaticSecret,
    want: Refusal<'_>,
) -> Result<(), Failure> {
    say!("    {url}");
    let refused = try_download(downloader, url, target).await?;
    check(refused == Some(want.kind), want.server_says)?;
    check(!target.exists(), "no file is left at the target")?;
    let code = explain(url, now, secrets, want.detail)?;
    check(code == want.exit, want.verifier_says)
}

/// Tries a download that should be refused; returns the refusal's kind (`None` if it worked).
async fn try_download(
    downloader: &Downloader,
    url: &str,
    target: &std::path::Path,
) -> Result<Option<DownloadErrorKind>, Failure> {
    let source = PresignedGet::new(url).map_err(|e| Failure::internal(e.to_string()))?;
    match downloader.download(source).to_file(target).await {
        Ok(_) => {
            say!("    download: succeeded (unexpected)");
            Ok(None)
        }
        Err(e) => {
            let failure = cmd_get::failure_of(&e);
            say!(
                "    download refused (exit code {} for `oss-presign get`):",
                failure.code
            );
            indented(failure.message.lines().next().unwrap_or(""));
            Ok(Some(e.kind()))
        }
    }
}

/// How much of the verifier's explanation to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    Verdict,
    VerdictAndCanonical,
}

/// Whether a line of the explanation is part of the verdict.
fn is_verdict(line: &str) -> bool {
    ["expires at:", "signature:", "cause:", "note:", "result:"]
        .iter()
        .any(|p| line.starts_with(p))
}

/// Runs the verifier on a URL, prints its explanation, returns its exit code.
fn explain(
    url: &str,
    now: SigningTime,
    secrets: &StaticSecret,
    detail: Detail,
) -> Result<u8, Failure> {
    let parts = presigned_url::parse(url)?;
    let target = presigned_url::resolve(&parts, &AddressingHints::default())?;
    let report = Check {
        url: &parts,
        target: &target,
        method: "GET",
        headers: &[],
        region: Some(REGION),
        now,
        secrets,
        configured_key_id: DEMO_ACCESS_KEY_ID,
    }
    .explain(None);
    say!(
        "    oss-presign verify URL (exit code {}){}:",
        report.code,
        if detail == Detail::Full {
            ""
        } else {
            ", in short"
        }
    );
    let mut in_canonical = false;
    for line in report.text.lines() {
        if !line.starts_with(' ') {
            in_canonical = line.starts_with("canonical request:");
        }
        let shown = match detail {
            Detail::Full => true,
            Detail::Verdict => is_verdict(line),
            Detail::VerdictAndCanonical => is_verdict(line) || in_canonical,
        };
        if shown {
            say!("      {line}");
        }
    }
    Ok(report.code)
}
