//! Files are answered before they are hashed: a big file's first answer carries its ETag (from
//! the file's identity) but no CRC-64, which a background thread computes and every later answer
//! carries; a small file has its CRC-64 on the first answer.

use std::path::Path;
use std::time::Duration;

use oss_testserver::TestServer;

mod common;
use common::{crc64, data as pattern, exchange, root_server, Answer};

async fn get(server: &TestServer, target: &str, extra: &str) -> Answer {
    let req = format!("GET {target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{extra}\r\n");
    exchange(server.addr(), &req, b"").await
}

/// A server over `root` whose one folder bucket, `bucket`, holds the file `name` with `data`.
async fn serving(root: &Path, name: &str, data: &[u8]) -> TestServer {
    std::fs::create_dir(root.join("bucket")).unwrap();
    std::fs::write(root.join("bucket").join(name), data).unwrap();
    root_server(root).await
}

#[tokio::test]
async fn a_big_file_is_answered_first_and_hashed_for_the_next_answers() {
    let root = tempfile::tempdir().unwrap();
    let data = pattern(24 << 20, 7);
    let server = serving(root.path(), "big.bin", &data).await;

    // The first answer does not wait for the hash: no CRC header, the whole body.
    let first = get(&server, "/bucket/big.bin", "").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-oss-hash-crc64ecma"), None);
    assert!(first.body == data, "the first body differs");
    let etag = first.header("etag").expect("an ETag at once").to_string();

    // Later answers carry the CRC-64 the background thread computed, and the same ETag.
    let want = crc64(&data).to_string();
    let mut answer = get(&server, "/bucket/big.bin", "range: bytes=0-9\r\n").await;
    for _ in 0..300 {
        if answer.header("x-oss-hash-crc64ecma").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = get(&server, "/bucket/big.bin", "range: bytes=0-9\r\n").await;
    }
    assert_eq!(answer.status, 206);
    assert_eq!(answer.header("x-oss-hash-crc64ecma"), Some(want.as_str()));
    assert_eq!(answer.header("etag"), Some(etag.as_str()));
    assert_eq!(answer.body, &data[..10]);
    // The store's own API hashes when asked, and agrees.
    let info = server.store().info("bucket", "big.bin").unwrap();
    assert_eq!(info.crc64.to_string(), want);
    assert_eq!(info.etag, etag);
    // The ETag pins the version: If-Match with it is served.
    let pinned = get(
        &server,
        "/bucket/big.bin",
        &format!("if-match: {etag}\r\nrange: bytes=0-0\r\n"),
    )
    .await;
    assert_eq!(pinned.status, 206);

    // A changed file gets a new ETag, and its own CRC once hashed again.
    let changed = pattern(24 << 20, 7).into_iter().rev().collect::<Vec<u8>>();
    std::fs::write(root.path().join("bucket/big.bin"), &changed).unwrap();
    let info = server.store().info("bucket", "big.bin").unwrap();
    assert_ne!(info.etag, etag);
    assert_eq!(info.crc64, crc64(&changed));
    let again = get(&server, "/bucket/big.bin", "range: bytes=0-9\r\n").await;
    assert_eq!(
        again.header("x-oss-hash-crc64ecma"),
        Some(crc64(&changed).to_string().as_str())
    );
}

#[tokio::test]
async fn a_small_file_has_its_crc_on_the_first_answer() {
    let root = tempfile::tempdir().unwrap();
    let data = pattern(700_000, 7);
    let server = serving(root.path(), "small.bin", &data).await;
    let first = get(&server, "/bucket/small.bin", "range: bytes=0-99\r\n").await;
    assert_eq!(first.status, 206);
    assert_eq!(
        first.header("x-oss-hash-crc64ecma"),
        Some(crc64(&data).to_string().as_str())
    );
    assert_eq!(first.body, &data[..100]);
}
