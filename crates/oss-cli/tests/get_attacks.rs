//! `oss-presign get` (a real child process) against hostile or awkward situations: Ctrl-C and
//! SIGTERM half way, keys that would make dangerous file names, existing files, a closed
//! stdout, `--ca-cert /dev/zero`, an unparsable CRC header, a trickling server, and the CA file
//! `serve --tls` writes through a planted symlink.

mod common;

use std::io::{Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use oss_testserver::{generated_bytes, Fault, FaultRule, ServerBuilder, TestServer};

const BUCKET: &str = "bucket";

async fn server() -> TestServer {
    ServerBuilder::new().start().await.expect("server starts")
}

/// Waits until `ready` holds, or panics after 60 s.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(60), "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Finding 5: SIGINT and SIGTERM half way through `get` cancel it; without `--resume` the
/// temporary file is removed, with `--resume` temp + checkpoint stay and the next run
/// completes with exact bytes. Exit codes 130 and 143.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_half_way_cancel_cleanly() {
    let server = server().await;
    let size: u64 = 16 * (64 << 10);
    server
        .store()
        .put_generated(BUCKET, "big.bin", size, 5)
        .unwrap();
    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(256 << 10)).object(BUCKET, "big.bin"));
    let url = server.object_url(BUCKET, "big.bin");
    let home = tempfile::tempdir().unwrap();
    for (signal, resume, code) in [
        ("INT", false, 130),
        ("TERM", false, 143),
        ("INT", true, 130),
        ("TERM", true, 143),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("big.bin");
        let mut cmd = oss_presign(&home);
        cmd.args(["get", "--part-size", "64K", "--parallel", "2", "-o"])
            .arg(&target)
            .arg(&url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if resume {
            cmd.arg("--resume");
        }
        let child = cmd.spawn().expect("get starts");
        let d = dir.path().to_path_buf();
        // half way: some parts are on disk (the checkpoint lists 3, or the temp file exists a
        // while)
        if resume {
            let cp = d.join(".big.bin.oss-checkpoint");
            wait_for("3 parts in the checkpoint", || {
                std::fs::read_to_string(&cp)
                    .unwrap_or_default()
                    .matches("\"index\"")
                    .count()
                    >= 3
            });
        } else {
            wait_for("a temp file", || {
                entries(&d).iter().any(|f| f.ends_with(".oss-temp"))
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        send_signal(signal, child.id());
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(output.status.code(), Some(code), "{}", both(&output));
        assert_stderr_has(&output, &format!("interrupted by SIG{signal}"));
        assert!(!target.exists());
        let left = entries(dir.path());
        if !resume {
            assert!(left.is_empty(), "{signal}: left behind {left:?}");
            continue;
        }
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left.iter().any(|f| f.ends_with(".oss-checkpoint")));
        // the next run completes from the checkpoint
        server.faults().clear();
        let output = run(oss_presign(&home)
            .args(["get", "--resume", "--part-size", "64K", "-o"])
            .arg(&target)
            .arg(&url));
        assert_eq!(code_of(&output), 0, "{}", both(&output));
        assert_eq!(
            std::fs::read(&target).unwrap(),
            generated_bytes(size as usize, 5)
        );
        assert_eq!(entries(dir.path()), vec!["big.bin".to_string()]);
        server
            .faults()
            .add(FaultRule::new(Fault::Throttle(256 << 10)).object(BUCKET, "big.bin"));
    }
}

fn code_of(output: &std::process::Output) -> i32 {
    output.status.code().expect("exited with a code")
}

/// Finding 8: names from the URL are made safe: `d/.bashrc` gives `bashrc`, ESC and newline
/// become `_` (and are never printed raw), a key ending in `-` is not stdout; an existing file
/// of the derived name is not replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_from_the_url_are_safe_and_never_replace_a_file() {
    let server = server().await;
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    for (key, want) in [
        ("d/.bashrc", "bashrc"),
        ("d/a\u{1b}[2Jb\nc", "a_[2Jb_c"),
        ("d/-", "_"),
    ] {
        server
            .store()
            .put(BUCKET, key, key.as_bytes().to_vec())
            .unwrap();
        let url = server.object_url(BUCKET, key);
        let output = run(oss_presign(&home)
            .current_dir(cwd.path())
            .args(["get", &url]));
        assert_eq!(code_of(&output), 0, "{key:?}: {}", both(&output));
        assert_eq!(
            std::fs::read(cwd.path().join(want)).unwrap(),
            key.as_bytes()
        );
        assert!(!output.stdout.contains(&0x1b) && !output.stderr.contains(&0x1b));
        // the second time the file exists: refused, untouched
        std::fs::write(cwd.path().join(want), b"mine").unwrap();
        let output = run(oss_presign(&home)
            .current_dir(cwd.path())
            .args(["get", &url]));
        assert_eq!(code_of(&output), 2, "{}", both(&output));
        assert_stderr_has(&output, "not replaced");
        assert_eq!(std::fs::read(cwd.path().join(want)).unwrap(), b"mine");
    }
    assert!(!cwd.path().join(".bashrc").exists());
    assert_eq!(entries(cwd.path()), vec!["_", "a_[2Jb_c", "bashrc"]);

    // -o names it: replaced, and its mode is kept (finding 9)
    let mine = cwd.path().join("bashrc");
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = run(oss_presign(&home)
        .args(["get", "-o"])
        .arg(&mine)
        .arg(server.object_url(BUCKET, "d/.bashrc")));
    assert_eq!(code_of(&output), 0, "{}", both(&output));
    assert_eq!(std::fs::read(&mine).unwrap(), b"d/.bashrc");
    let mode = std::fs::metadata(&mine).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// Finding 14: `-o -` with stdout closed, or a reader that goes away, is an I/O failure
/// (exit 21), not "saved stdout".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_is_a_failure() {
    let server = server().await;
    server
        .store()
        .put_generated(BUCKET, "o.bin", 4 << 20, 9)
        .unwrap();
    let url = server.object_url(BUCKET, "o.bin");
    let home = tempfile::tempdir().unwrap();
    // `get -o - URL` with stdout redirected by the shell as `redirect` says.
    let get_to_stdout = |redirect: &str| {
        let script = format!("exec \"$0\" get -o - \"$1\" {redirect}");
        let (url, home) = (url.clone(), home.path().to_path_buf());
        tokio::task::spawn_blocking(move || {
            Command::new("sh")
                .args(["-c", &script, env!("CARGO_BIN_EXE_oss-presign"), &url])
                .env_clear()
                .env("HOME", home)
                .output()
                .unwrap()
        })
    };
    let output = get_to_stdout(">&-").await.unwrap();
    assert_eq!(code_of(&output), 21, "{}", both(&output));
    assert!(
        !stderr(&output).contains("saved stdout"),
        "{}",
        both(&output)
    );
    assert!(stderr(&output).contains("stdout"), "{}", both(&output));

    // a deliberate `>/dev/null` (write-only) is accepted
    let output = get_to_stdout(">/dev/null").await.unwrap();
    assert_eq!(code_of(&output), 0, "{}", both(&output));

    // a reader that closes the pipe after a few bytes
    let mut child = oss_presign(&home)
        .args(["get", "-o", "-", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code_of(&output), 21, "{}", both(&output));
    assert!(
        !stderr(&output).contains("saved stdout"),
        "{}",
        both(&output)
    );
}

/// Finding 15: `--ca-cert /dev/zero` is refused after a bounded read.
#[test]
fn an_endless_ca_file_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let output = run(oss_presign(&home).args([
        "get",
        "--ca-cert",
        "/dev/zero",
        "-o",
        "x",
        "https://127.0.0.1:1/b/k",
    ]));
    assert_eq!(code_of(&output), 2, "{}", both(&output));
    assert!(stderr(&output).contains("larger than"), "{}", both(&output));
}

/// A one-shot hostile HTTP/1.1 server on 127.0.0.1 answering every connection with `head` and
/// then `body`, sending one byte every `every` when given.
fn raw_server(head: String, body: Vec<u8>, every: Option<Duration>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let (head, body) = (head.clone(), body.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(head.as_bytes());
                match every {
                    None => {
                        let _ = stream.write_all(&body);
                    }
                    Some(d) => {
                        for b in body {
                            if stream.write_all(&[b]).is_err() {
                                return;
                            }
                            std::thread::sleep(d);
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}/b/k.bin")
}

/// Finding 12: an unparsable `x-oss-hash-crc64ecma` is reported as unparsable.
#[test]
fn an_unparsable_crc_header_is_named_as_such() {
    let url = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nx-oss-hash-crc64ecma: not-a-number\r\n\r\n"
            .to_string(),
        b"abc".to_vec(),
        None,
    );
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = run(oss_presign(&home)
        .args(["get", "-o"])
        .arg(dir.path().join("k.bin"))
        .arg(&url));
    assert_eq!(code_of(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    assert!(text.contains("is not a decimal 64-bit number"), "{text}");
    assert!(!text.contains("sent no"), "{text}");
}

/// Finding 11: `--timeout` stops a server that trickles a byte every 200 ms (well inside the
/// idle timeout).
#[test]
fn timeout_stops_a_trickling_server() {
    let url = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_string(),
        vec![b'x'; 1000],
        Some(Duration::from_millis(200)),
    );
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = run(oss_presign(&home)
        .args(["get", "--timeout", "2", "--idle-timeout", "5", "-o"])
        .arg(dir.path().join("k.bin"))
        .arg(&url));
    assert_eq!(code_of(&output), 20, "{}", both(&output));
    assert_stderr_has(&output, "download timeout");
    assert!(entries(dir.path()).is_empty());
    let output = run(oss_presign(&home).args(["get", "--timeout", "0", "-o", "x", &url]));
    assert_eq!(code_of(&output), 2, "{}", both(&output));
}

/// Finding 2 (CLI part): `serve --tls` writes its CA file at the predictable default path
/// without following a symlink planted there.
#[test]
fn serve_does_not_write_its_ca_file_through_a_planted_symlink() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let victim = home.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let planted: PathBuf = tmp.path().join(format!("oss-presign-serve-{port}-ca.pem"));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let mut command = oss_presign(&home);
    command.env("TMPDIR", tmp.path());
    let addr = format!("127.0.0.1:{port}");
    let served = serve::start(
        serve::serve_args(&mut command, root.path(), &["--tls", "--addr", &addr]),
        None,
    );
    let banner = served.banner.clone();
    drop(served); // killed and reaped
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(banner.contains("ca certificate:"), "{banner}");
}
