//! `oss-presign put` against a real `oss-testserver` (HTTPS with a generated certificate, and
//! HTTP) that verifies every signature and stores objects as files under its root: a single
//! PUT through a URL from `oss-presign url --op put`, a multipart upload it presigns itself,
//! each object read back byte for byte from the server's folder; tampered and expired URLs
//! refused with their exit codes and nothing stored; a `put --resume` child killed with
//! SIGKILL half way (its bytes pass a throttling TCP proxy), then resumed to an identical
//! object sending only the missing parts.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use oss_testserver::{ServerBuilder, TestServer, TlsIdentity};

const BUCKET: &str = "photos";

struct Setup {
    server: TestServer,
    root: tempfile::TempDir,
    home: tempfile::TempDir,
    ca: Option<PathBuf>,
}

async fn setup(tls: bool) -> Setup {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(BUCKET)).unwrap();
    let mut b = ServerBuilder::new()
        .root_dir(root.path())
        .credential(AK, SK)
        .region("cn-hangzhou");
    if tls {
        b = b.tls(TlsIdentity::generate(&[]).unwrap());
    }
    let server = b.start().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let ca = server.tls().map(|t| {
        let p = home.path().join("ca.pem");
        std::fs::write(&p, t.ca_certificate_pem()).unwrap();
        p
    });
    Setup {
        server,
        root,
        home,
        ca,
    }
}

impl Setup {
    fn stored(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.path().join(BUCKET).join(key)).ok()
    }

    /// Everything in the bucket's folder (no half-written object may be visible).
    fn bucket_files(&self) -> Vec<String> {
        entries(&self.root.path().join(BUCKET))
    }

    fn put(&self, endpoint: &str, args: &[&str]) -> Command {
        let mut c = oss_presign(&self.home);
        with_credentials(&mut c).arg("put").args([
            "--endpoint",
            endpoint,
            "--region",
            "cn-hangzhou",
        ]);
        if let Some(ca) = &self.ca {
            c.arg("--ca-cert").arg(ca);
        }
        c.args(args);
        c
    }

    fn url(&self, key: &str, extra: &[&str]) -> String {
        let endpoint = self.server.endpoint();
        let mut args = vec![
            "--endpoint",
            endpoint.as_str(),
            "--region",
            "cn-hangzhou",
            "--bucket",
            BUCKET,
            "--key",
            key,
            "--op",
            "put",
        ];
        args.extend_from_slice(extra);
        presign(&self.home, &args)
    }
}

fn sample(dir: &Path, name: &str, len: usize, seed: u64) -> (PathBuf, Vec<u8>) {
    let bytes = oss_testserver::generated_bytes(len, seed);
    let p = dir.join(name);
    std::fs::write(&p, &bytes).unwrap();
    (p, bytes)
}

async fn blocking(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().expect("runs"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_through_a_presigned_url_and_a_self_presigned_multipart_over_https_and_http() {
    for tls in [true, false] {
        let s = setup(tls).await;
        let src = tempfile::tempdir().unwrap();
        let endpoint = s.server.endpoint();

        // a single PUT through a URL signed with a Content-Type
        let (file, bytes) = sample(src.path(), "one.txt", 150_000, 1);
        let url = s.url("docs/one.txt", &["--content-type", "text/plain"]);
        let mut c = s.put(&endpoint, &["--header", "Content-Type:text/plain"]);
        c.arg(&file).arg(&url);
        let out = blocking(c).await;
        assert_eq!(code(&out), 0, "{}", both(&out));
        assert_stdout_has(&out, "single PUT");
        assert_stdout_has(&out, "verified against x-oss-hash-crc64ecma");
        assert_eq!(s.stored("docs/one.txt").as_deref(), Some(&bytes[..]));

        // a multipart upload the command presigns itself, with a signed Content-MD5 per part
        let (file, bytes) = sample(src.path(), "big.bin", 1_000_001, 2);
        let mut c = s.put(
            &endpoint,
            &[
                "--multipart-threshold",
                "200K",
                "--part-size",
                "100K",
                "--parallel",
                "3",
                "--send-md5",
                "--content-type",
                "application/x-test",
            ],
        );
        c.arg(&file).arg("oss://photos/big/中 文.bin");
        let out = blocking(c).await;
        assert_eq!(code(&out), 0, "{}", both(&out));
        assert_stdout_has(&out, "multipart upload");
        assert_stdout_has(&out, "10 parts (10 sent now");
        assert_stdout_has(&out, "verified against x-oss-hash-crc64ecma");
        assert_eq!(s.stored("big/中 文.bin").as_deref(), Some(&bytes[..]));
        assert_no_secret(&out, SK);
        assert_eq!(
            entries(src.path()),
            vec!["big.bin", "one.txt"],
            "no helper files left"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_and_expired_urls_are_refused_with_their_exit_codes_and_nothing_stored() {
    let s = setup(true).await;
    let src = tempfile::tempdir().unwrap();
    let (file, _) = sample(src.path(), "x.bin", 10_000, 3);
    let endpoint = s.server.endpoint();

    let url = s.url("tampered.bin", &[]);
    let tampered = url.replace("tampered.bin?", "tampereD.bin?");
    let mut c = s.put(&endpoint, &[]);
    c.arg(&file).arg(&tampered);
    let out = blocking(c).await;
    assert_fails_with(&out, 11, "signature");

    let two_hours_ago = chrono_like_past(7200);
    let expired = s.url(
        "expired.bin",
        &["--signing-time", &two_hours_ago, "--expires", "60"],
    );
    let mut c = s.put(&endpoint, &[]);
    c.arg(&file).arg(&expired);
    let out = blocking(c).await;
    assert_fails_with(&out, 10, "expired");

    // a signed header left out is a signature mismatch too
    let typed = s.url("typed.bin", &["--content-type", "text/plain"]);
    let mut c = s.put(&endpoint, &[]);
    c.arg(&file).arg(&typed);
    assert_eq!(code(&blocking(c).await), 11);

    assert!(s.bucket_files().is_empty(), "{:?}", s.bucket_files());

    // multipart options make no sense with one URL
    let mut c = s.put(&endpoint, &["--resume"]);
    c.arg(&file).arg(&url);
    let out = blocking(c).await;
    assert_fails_with(&out, 2, "--resume needs the object");
    // too many parts is a usage error before any request
    let sparse = src.path().join("sparse");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(10_001 * (100 << 10))
        .unwrap();
    s.server.clear_requests();
    let mut c = s.put(&endpoint, &["--part-size", "100K"]);
    c.arg(&sparse).arg("oss://photos/sparse");
    let out = blocking(c).await;
    assert_fails_with(&out, 2, "at most 10000");
    assert!(s.server.requests().iter().all(|r| r.method != "PUT"));

    // presigning here without credentials: exit 3, nothing sent
    s.server.clear_requests();
    let mut c = oss_presign(&s.home);
    c.args(["put", "--endpoint", &endpoint, "--region", "cn-hangzhou"])
        .arg(&file)
        .arg("oss://photos/no-credentials.bin");
    let out = blocking(c).await;
    assert_fails_with(&out, 3, "OSS_ACCESS_KEY_ID");
    assert!(s.server.requests().is_empty());
}

/// `YYYY-MM-DDTHH:MM:SSZ`, `secs` seconds ago.
fn chrono_like_past(secs: u64) -> String {
    let t = std::time::SystemTime::now() - Duration::from_secs(secs);
    let at = oss_client::SigningTime::try_from(t).unwrap();
    at.to_rfc3339()
}

/// A TCP proxy on 127.0.0.1 in front of `target`; bytes from the client to the server pass
/// at most `rate` bytes per second (0: unlimited), per connection.
async fn throttling_proxy(
    target: std::net::SocketAddr,
    rate: Arc<AtomicU64>,
) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    oss_testserver::loopback::accept_each(move |client| {
        let rate = rate.clone();
        async move {
            let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                return;
            };
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            let up = async move {
                let mut buf = vec![0u8; 16 << 10];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    let r = rate.load(Ordering::Relaxed);
                    if r > 0 {
                        tokio::time::sleep(Duration::from_secs_f64(n as f64 / r as f64)).await;
                    }
                }
                let _ = sw.shutdown().await;
            };
            let down = async move {
                let _ = tokio::io::copy(&mut sr, &mut cw).await;
                let _ = cw.shutdown().await;
            };
            tokio::join!(up, down);
        }
    })
    .await
    .expect("proxy listens")
}

/// The part numbers an upload checkpoint records, sorted (none while it is missing or half
/// written).
fn recorded_parts(checkpoint: &Path) -> Vec<u64> {
    oss_testserver::test_files::checkpoint_parts(checkpoint, "number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_resume_child_killed_half_way_resumes_to_an_identical_object() {
    const PART: u64 = 128 << 10;
    const PARTS: u64 = 24;
    let s = setup(true).await;
    let rate = Arc::new(AtomicU64::new(512 << 10)); // 512 KiB/s: the whole upload takes ~6 s
    let proxy = throttling_proxy(s.server.addr(), rate.clone()).await;
    let endpoint = format!("https://{proxy}");
    let src = tempfile::tempdir().unwrap();
    let (file, bytes) = sample(src.path(), "crash.bin", (PARTS * PART) as usize - 5, 77);
    let args = [
        "--multipart-threshold",
        "1M",
        "--part-size",
        "128K",
        "--parallel",
        "2",
        "--resume",
        "--quiet",
    ];
    let mut c = s.put(&endpoint, &args);
    c.arg(&file)
        .arg("oss://photos/crash.bin")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let checkpoint = src.path().join(".crash.bin.upload.oss-checkpoint");
    let started = Instant::now();
    while recorded_parts(&checkpoint).len() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no 4 parts recorded"
        );
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: nothing runs in the child
    child.wait().unwrap();
    let done = recorded_parts(&checkpoint);
    assert!(done.len() >= 4 && (done.len() as u64) < PARTS, "{done:?}");
    assert!(
        s.stored("crash.bin").is_none(),
        "nothing visible after the kill"
    );
    assert!(s.bucket_files().is_empty(), "{:?}", s.bucket_files());

    rate.store(0, Ordering::Relaxed);
    // Let the dead child's last connections (still in the proxy) end before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.server.clear_requests();
    let mut c = s.put(&endpoint, &args[..args.len() - 1]);
    c.arg(&file).arg("oss://photos/crash.bin");
    let out = blocking(c).await;
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert_stdout_has(
        &out,
        &format!("{PARTS} parts ({} sent now", PARTS - done.len() as u64),
    );
    assert_eq!(
        s.stored("crash.bin").as_deref(),
        Some(&bytes[..]),
        "identical object"
    );
    // only the missing parts went up again
    let mut sent: Vec<u64> = s
        .server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 200)
        .filter_map(|r| {
            r.target
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("partNumber="))
                .and_then(|n| n.parse().ok())
        })
        .collect();
    sent.sort_unstable();
    let missing: Vec<u64> = (1..=PARTS).filter(|p| !done.contains(p)).collect();
    assert_eq!(sent, missing);
    assert_eq!(
        entries(src.path()),
        vec!["crash.bin"],
        "checkpoint and lock removed"
    );
}
