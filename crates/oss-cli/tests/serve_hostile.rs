//! `oss-presign serve` as a real process against hostile clients and local users: floods of
//! requests with big headers (memory stays bounded), 500 idle or slow connections (a good client is
//! still served, the idle ones are closed), running out of file descriptors (the accept loop does
//! not spin), symbolic links out of the root, SIGTERM, and misuse of its flags.
//!
//! Only loopback addresses; every flood is bounded in count and every wait in time.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::serve::{serve_args, start, Served};
use common::*;

/// Starts `serve --root ROOT` with `extra` flags, through `sh -c 'ulimit -n N; exec ...'` when a
/// descriptor limit is given.
fn serve(home: &tempfile::TempDir, root: &Path, extra: &[&str], fd_limit: Option<u32>) -> Served {
    let mut command = match fd_limit {
        Some(n) => {
            let mut c = Command::new("sh");
            c.env_clear()
                .env("HOME", home.path())
                .arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_oss-presign"));
            c
        }
        None => oss_presign(home),
    };
    command.env("TMPDIR", home.path());
    start(serve_args(&mut command, root, extra), None)
}

/// A value of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// CPU time (user + system) of a process so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("proc stat");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').expect("comm").1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// Reads one HTTP/1.1 response (head and a `content-length` body) from a keep-alive connection.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut status = 0;
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if status == 0 {
            status = l
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
        } else if l.is_empty() {
            break;
        } else if let Some((n, v)) = l.split_once(':') {
            if n.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, body))
}

/// One GET with `connection: close`; the status, or `None` if the connection was closed or reset
/// without an answer.
fn get_once(addr: SocketAddr, target: &str, extra: &str) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let req = format!("GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{extra}\r\n");
    let _ = s.write_all(req.as_bytes());
    read_response(&mut BufReader::new(s)).ok()
}

/// Path and query of a URL.
fn target_of(url: &str) -> String {
    let after_scheme = url.split_once("://").expect("a URL").1;
    after_scheme[after_scheme.find('/').expect("a path")..].to_string()
}

fn presigned_target(home: &tempfile::TempDir, served: &Served, bucket: &str, key: &str) -> String {
    let url = presign(
        home,
        &[
            "--endpoint",
            served.endpoint.as_str(),
            "--region",
            "cn-hangzhou",
            "--bucket",
            bucket,
            "--key",
            key,
        ],
    );
    target_of(&url)
}

fn root_with_object() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join("bucket")).expect("bucket");
    std::fs::write(root.path().join("bucket/k.txt"), b"hello from serve").expect("object");
    root
}

/// `serve` over `root` with a 3 s header timeout and room for 1000 connections (and the
/// descriptor limit `fd_limit`), and a presigned target for its `bucket/k.txt`.
fn serve_with_short_header_timeout(
    home: &tempfile::TempDir,
    root: &tempfile::TempDir,
    fd_limit: Option<u32>,
) -> (Served, String) {
    let served = serve(
        home,
        root.path(),
        &["--header-read-timeout", "3s", "--max-connections", "1000"],
        fd_limit,
    );
    let target = presigned_target(home, &served, "bucket", "k.txt");
    (served, target)
}

#[test]
fn a_flood_of_big_headers_keeps_memory_bounded() {
    let home = tempfile::tempdir().expect("home");
    let root = root_with_object();
    let served = serve(&home, root.path(), &[], None);
    let addr = served.addr();
    let pad16k = format!("x-pad: {}\r\n", "p".repeat(16 << 10));

    // Unsigned requests: each is answered 403 and recorded, headers and all.
    let flood = |count: usize, threads: usize| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let pad = pad16k.clone();
                std::thread::spawn(move || {
                    let s = TcpStream::connect(addr).expect("connect");
                    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                    let mut writer = s.try_clone().expect("clone");
                    let mut reader = BufReader::new(s);
                    let mut answered = 0;
                    for n in 0..count / threads {
                        let req = format!(
                            "GET /bucket/k.txt?n={n} HTTP/1.1\r\nhost: {addr}\r\n{pad}\r\n"
                        );
                        writer.write_all(req.as_bytes()).expect("send");
                        let (status, _) = read_response(&mut reader).expect("an answer");
                        assert_eq!(status, 403);
                        answered += 1;
                    }
                    answered
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .sum::<usize>()
    };
    assert_eq!(flood(400, 4), 400);
    let warm = proc_status_kib(served.pid(), "VmRSS");
    assert_eq!(flood(10_000, 4), 10_000);
    let after_16k = proc_status_kib(served.pid(), "VmRSS");

    // 200 KiB heads are over the default 64 KiB limit: refused, never kept.
    let pad200k = format!("x-pad: {}\r\n", "q".repeat(200 << 10));
    let mut refused_431 = 0;
    for _ in 0..1_000 {
        match get_once(addr, "/bucket/k.txt", &pad200k) {
            Some((431, _)) => refused_431 += 1,
            // Reset before the answer could be read: the server stopped reading, as it should.
            None => {}
            Some((status, _)) => panic!("a 200 KiB head got {status}"),
        }
    }
    let after_200k = proc_status_kib(served.pid(), "VmRSS");
    eprintln!(
        "serve RSS: {warm} KiB warm, {after_16k} KiB after 10,000 x 16 KiB heads, \
         {after_200k} KiB after 1,000 x 200 KiB heads ({refused_431} answered 431)"
    );
    assert!(refused_431 > 0, "no 431 was ever read");
    // Unbounded, these grew the server by ~170 MB and ~200 MB.
    assert!(
        after_16k < warm + 40 * 1024,
        "RSS grew from {warm} to {after_16k} KiB over 10,000 requests"
    );
    assert!(
        after_200k < after_16k + 40 * 1024,
        "RSS grew from {after_16k} to {after_200k} KiB over 1,000 refused requests"
    );
    // The server still answers a good request.
    let target = presigned_target(&home, &served, "bucket", "k.txt");
    let (status, body) = get_once(addr, &target, "").expect("an answer");
    assert_eq!((status, body.as_slice()), (200, &b"hello from serve"[..]));
}

#[test]
fn five_hundred_idle_connections_do_not_stop_a_good_client() {
    let home = tempfile::tempdir().expect("home");
    let root = root_with_object();
    let (served, target) = serve_with_short_header_timeout(&home, &root, None);
    let mut idle: Vec<TcpStream> = Vec::new();
    for n in 0..500 {
        let mut s = TcpStream::connect(served.addr()).expect("connect");
        if n % 2 == 0 {
            // Half a request head, never finished.
            s.write_all(b"GET /bucket/k.txt HTTP/1.1\r\nhost: x\r\nx-slow: ")
                .expect("partial head");
        }
        idle.push(s);
    }
    let began = Instant::now();
    let (status, body) = get_once(served.addr(), &target, "").expect("the good client is answered");
    let waited = began.elapsed();
    assert_eq!((status, body.as_slice()), (200, &b"hello from serve"[..]));
    assert!(
        waited < Duration::from_secs(20),
        "the good client waited {waited:?}"
    );

    // Every idle connection is closed by the server after the timeout.
    let mut closed = 0;
    for s in &mut idle {
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => closed += 1,
            Err(e)
                if e.kind() != std::io::ErrorKind::WouldBlock
                    && e.kind() != std::io::ErrorKind::TimedOut =>
            {
                closed += 1
            }
            // A slow head may get an error answer first; the close follows.
            Ok(_) => {
                if matches!(s.read(&mut buf), Ok(0) | Err(_)) {
                    closed += 1;
                }
            }
            Err(_) => {}
        }
    }
    eprintln!(
        "500 idle connections: the good client waited {waited:?}; {closed} closed by the server \
         after {:?}",
        began.elapsed()
    );
    assert_eq!(closed, 500, "idle connections left open");
}

#[test]
fn out_of_file_descriptors_the_accept_loop_backs_off() {
    let home = tempfile::tempdir().expect("home");
    let root = root_with_object();
    // The cap is above what 64 descriptors allow, so accept() itself fails with EMFILE.
    let (served, target) = serve_with_short_header_timeout(&home, &root, Some(64));
    let idle: Vec<TcpStream> = (0..120)
        .map(|_| TcpStream::connect(served.addr()).expect("connect (backlog)"))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(served.pid());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(served.pid()) - before;
    eprintln!("serve out of descriptors: {used} CPU ticks in 2 s");
    // A spinning accept loop burns a core: ~200 ticks (at 100 Hz) in 2 s.
    assert!(
        used < 60,
        "serve used {used} ticks of CPU in 2 s while out of descriptors"
    );
    // Once the idle connections time out, the good client is served. While descriptors are
    // short, opening the object may fail: that is a retryable 503, never a 404.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut answers = Vec::new();
    loop {
        let answer = get_once(served.addr(), &target, "");
        if let Some((200, body)) = &answer {
            assert_eq!(body.as_slice(), b"hello from serve");
            break;
        }
        let status = answer.as_ref().map(|a| a.0);
        assert!(
            matches!(status, None | Some(503)),
            "the good client got {status:?}"
        );
        answers.push(status);
        eprintln!("good client while out of descriptors: {status:?}, retrying");
        assert!(Instant::now() < deadline, "never served: {answers:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(idle);
}

#[test]
fn symlinks_out_of_the_root_are_refused_unless_followed() {
    let home = tempfile::tempdir().expect("home");
    let root = root_with_object();
    let outside = tempfile::tempdir().expect("outside");
    std::fs::write(outside.path().join("passwd"), b"root:x:0:0").expect("outside file");
    std::os::unix::fs::symlink(outside.path(), root.path().join("etc")).expect("bucket link");
    std::os::unix::fs::symlink(
        outside.path().join("passwd"),
        root.path().join("bucket/passwd"),
    )
    .expect("file link");

    let served = serve(&home, root.path(), &[], None);
    for (bucket, key) in [("etc", "passwd"), ("bucket", "passwd")] {
        let target = presigned_target(&home, &served, bucket, key);
        let (status, body) = get_once(served.addr(), &target, "").expect("an answer");
        assert_eq!(status, 404, "{bucket}/{key}");
        assert!(!String::from_utf8_lossy(&body).contains("root:x"));
    }
    let target = presigned_target(&home, &served, "bucket", "k.txt");
    assert_eq!(get_once(served.addr(), &target, "").expect("answer").0, 200);
    drop(served);

    let served = serve(&home, root.path(), &["--follow-symlinks"], None);
    for (bucket, key) in [("etc", "passwd"), ("bucket", "passwd")] {
        let target = presigned_target(&home, &served, bucket, key);
        let (status, body) = get_once(served.addr(), &target, "").expect("an answer");
        assert_eq!((status, body.as_slice()), (200, &b"root:x:0:0"[..]));
    }
}

#[test]
fn sigterm_cleans_up_the_default_ca_file_like_ctrl_c() {
    common::serve::assert_signal_stops_serve_and_removes_its_ca_file("TERM");
}

#[test]
fn misused_flags_are_refused_with_the_flag_named() {
    let home = tempfile::tempdir().expect("home");
    let root = root_with_object();
    let base = |extra: &[&str]| {
        run(oss_presign(&home)
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .args(["serve", "--access-key-id", AK, "--root"])
            .arg(root.path())
            .args(extra))
    };
    let out = base(&["--addr", "0.0.0.0:0"]);
    assert_fails_with(&out, 2, "--allow-non-loopback");
    assert!(
        !stderr(&out).contains("allow_non_loopback(true)"),
        "{}",
        both(&out)
    );

    let out = base(&["--region", "bad region"]);
    assert_eq!(code(&out), 2, "{}", both(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--region") && err.contains("bad region"),
        "{err}"
    );
    assert!(err.contains("a-z"), "the rule is not stated: {err}");

    for (flag, value, says) in [
        ("--max-header-bytes", "1K", "at least 8K"),
        ("--header-read-timeout", "0", "at least 1s"),
        ("--max-connections", "0", "0"),
    ] {
        let out = base(&[flag, value]);
        assert_eq!(code(&out), 2, "{flag} {value}: {}", both(&out));
        assert!(
            stderr(&out).contains(says),
            "{flag} {value}: {}",
            both(&out)
        );
    }
}
