//! The server against hostile clients and local users: huge request heads, connections that
//! never finish a request or a TLS handshake, a flood of requests against the request log, and
//! symbolic links planted in a served folder.

use std::time::Duration;

use oss_testserver::{ServerBuilder, ServerErrorKind, TestServer, TlsIdentity};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Sends one request (with `connection: close`) and returns the status, or `None` when the
/// server closed or reset the connection without an answer.
async fn status_of(server: &TestServer, target: &str, extra_headers: &str) -> Option<u16> {
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    let req = format!(
        "GET {target} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n{extra_headers}\r\n",
        server.addr()
    );
    // The server may stop reading (and close) before a huge head is fully written.
    let _ = s.write_all(req.as_bytes()).await;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw).await;
    let head = String::from_utf8_lossy(&raw);
    head.lines().next()?.split(' ').nth(1)?.parse().ok()
}

/// Starts `builder`'s server with `body` stored at `bucket/key`.
async fn serving(builder: ServerBuilder, key: &str, body: Vec<u8>) -> TestServer {
    let server = builder.start().await.unwrap();
    server.store().put("bucket", key, body).unwrap();
    server
}

/// Asserts the status of a plain GET of each target.
async fn assert_statuses(server: &TestServer, expected: &[(&str, u16)]) {
    for &(target, status) in expected {
        assert_eq!(
            status_of(server, target, "").await,
            Some(status),
            "{target}"
        );
    }
}

/// Waits (at most `bound`) until the server closes `s`; true if it did.
async fn closed_within(s: &mut TcpStream, bound: Duration) -> bool {
    let mut buf = [0u8; 512];
    let wait = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(bound, wait).await.is_ok()
}

#[tokio::test]
async fn a_request_head_over_the_limit_is_refused_with_431() {
    let server = serving(
        ServerBuilder::new().max_header_bytes(16 << 10),
        "k.txt",
        b"x".to_vec(),
    )
    .await;
    let small = format!("x-pad: {}\r\n", "a".repeat(8 << 10));
    assert_eq!(status_of(&server, "/bucket/k.txt", &small).await, Some(200));
    let big = format!("x-pad: {}\r\n", "a".repeat(200 << 10));
    let status = status_of(&server, "/bucket/k.txt", &big).await;
    assert!(
        matches!(status, Some(431) | None),
        "a 200 KiB head got {status:?}"
    );
    // Nothing of the refused request is kept.
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("x-pad").map_or(0, str::len) < 16 << 10));
}

#[tokio::test]
async fn a_header_limit_below_the_minimum_is_refused_at_start() {
    let err = ServerBuilder::new()
        .max_header_bytes(1024)
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ServerErrorKind::InvalidInput);
    assert!(err.to_string().contains("8192"), "{err}");
}

#[tokio::test]
async fn the_request_log_keeps_only_the_most_recent_requests() {
    let server = serving(
        ServerBuilder::new().request_log_capacity(5),
        "k.txt",
        b"x".to_vec(),
    )
    .await;
    for n in 0..20 {
        status_of(&server, &format!("/bucket/k.txt?n={n}"), "").await;
    }
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    let expected: Vec<String> = (15..20).map(|n| format!("/bucket/k.txt?n={n}")).collect();
    assert_eq!(targets, expected);
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_and_a_good_client_is_served() {
    let server = serving(
        ServerBuilder::new().header_read_timeout(Duration::from_secs(1)),
        "k.txt",
        b"hello".to_vec(),
    )
    .await;
    let mut silent = TcpStream::connect(server.addr()).await.unwrap();
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"GET /bucket/k.txt HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    // A keep-alive connection idle after a complete request is let go too.
    let mut kept = TcpStream::connect(server.addr()).await.unwrap();
    kept.write_all(b"GET /bucket/k.txt HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    assert_eq!(status_of(&server, "/bucket/k.txt", "").await, Some(200));
    let bound = Duration::from_secs(15);
    assert!(
        closed_within(&mut silent, bound).await,
        "silent connection kept"
    );
    assert!(closed_within(&mut slow, bound).await, "slow head kept");
    assert!(
        closed_within(&mut kept, bound).await,
        "idle keep-alive kept"
    );
}

#[tokio::test]
async fn a_long_response_is_not_cut_by_the_header_timeout() {
    use oss_testserver::{Fault, FaultRule};
    let server = serving(
        ServerBuilder::new().header_read_timeout(Duration::from_secs(1)),
        "k.bin",
        vec![7u8; 64 << 10],
    )
    .await;
    // The body stalls for longer than the header timeout half way.
    server.faults().add(FaultRule::new(Fault::Stall {
        after: 32 << 10,
        duration: Duration::from_secs(2),
    }));
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(b"GET /bucket/k.bin HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert_eq!(raw.len() - split - 4, 64 << 10, "the body was cut");
}

#[tokio::test]
async fn a_tls_handshake_that_never_comes_is_closed() {
    let server = ServerBuilder::new()
        .tls(TlsIdentity::generate(&[]).unwrap())
        .tls_handshake_timeout(Duration::from_secs(1))
        .header_read_timeout(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    // Half a record header, then nothing.
    s.write_all(&[0x16, 0x03]).await.unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(15)).await);
}

#[tokio::test]
async fn the_connection_cap_holds_new_connections_until_a_slot_frees() {
    let server = serving(
        ServerBuilder::new()
            .max_connections(2)
            .header_read_timeout(Duration::from_secs(1)),
        "k.txt",
        b"hello".to_vec(),
    )
    .await;
    let _a = TcpStream::connect(server.addr()).await.unwrap();
    let _b = TcpStream::connect(server.addr()).await.unwrap();
    // The third waits in the backlog until the idle ones are closed, then is served.
    let status = tokio::time::timeout(
        Duration::from_secs(20),
        status_of(&server, "/bucket/k.txt", ""),
    )
    .await
    .expect("served once the idle connections were closed");
    assert_eq!(status, Some(200));
}

mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;

    struct Layout {
        root: tempfile::TempDir,
        _outside: tempfile::TempDir,
    }

    /// `root/bucket/inside.txt`, `root/bucket/escape.txt -> outside/secret.txt`,
    /// `root/bucket/local.txt -> root/other/ok.txt`, `root/linked -> outside`.
    fn layout() -> Layout {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
        std::fs::create_dir(root.path().join("bucket")).unwrap();
        std::fs::create_dir(root.path().join("other")).unwrap();
        std::fs::write(root.path().join("bucket/inside.txt"), b"inside").unwrap();
        std::fs::write(root.path().join("other/ok.txt"), b"ok").unwrap();
        symlink(
            outside.path().join("secret.txt"),
            root.path().join("bucket/escape.txt"),
        )
        .unwrap();
        symlink(
            root.path().join("other/ok.txt"),
            root.path().join("bucket/local.txt"),
        )
        .unwrap();
        symlink(outside.path(), root.path().join("linked")).unwrap();
        Layout {
            root,
            _outside: outside,
        }
    }

    #[tokio::test]
    async fn links_out_of_the_root_are_not_followed() {
        let l = layout();
        let server = ServerBuilder::new()
            .root_dir(l.root.path())
            .start()
            .await
            .unwrap();
        assert_statuses(
            &server,
            &[
                ("/bucket/inside.txt", 200),
                // A link that stays inside the root is fine.
                ("/bucket/local.txt", 200),
                // A file link and a bucket link leading out of the root are not.
                ("/bucket/escape.txt", 404),
                ("/linked/secret.txt", 404),
            ],
        )
        .await;
        assert!(server.store().info("bucket", "escape.txt").is_none());
        assert!(server.store().info("linked", "secret.txt").is_none());
    }

    #[tokio::test]
    async fn follow_symlinks_allows_them() {
        let l = layout();
        let server = ServerBuilder::new()
            .root_dir(l.root.path())
            .follow_symlinks(true)
            .start()
            .await
            .unwrap();
        assert_statuses(
            &server,
            &[("/bucket/escape.txt", 200), ("/linked/secret.txt", 200)],
        )
        .await;
    }

    #[tokio::test]
    async fn a_mounted_bucket_folder_confines_its_links_too() {
        let l = layout();
        let server = ServerBuilder::new().start().await.unwrap();
        server
            .store()
            .mount_dir("files", l.root.path().join("bucket"))
            .unwrap();
        assert_statuses(
            &server,
            &[
                ("/files/inside.txt", 200),
                ("/files/escape.txt", 404),
                // local.txt leads to root/other, outside the mounted folder.
                ("/files/local.txt", 404),
            ],
        )
        .await;
    }
}
