//! `oss-client` presigns the GET itself; the test server verifies it; oss-transfer downloads.

mod common;

use common::client::{client_config, client_for, download_after_expiry, SlowThenRight};
use common::signing_server;
use common::{files_in, BUCKET, PART};
use oss_client::{Client, GetObjectRequest};
use oss_credentials::Credentials;
use oss_testserver::{generated_bytes, TestServer};
use oss_transfer::{DownloadErrorKind, PresignedGet};

#[tokio::test]
async fn a_client_presigned_request_downloads_from_the_verifying_server() {
    let server = signing_server("client-ak", "client-sk").await;
    let info = server
        .store()
        .put_generated(BUCKET, "from client/a+b.bin", 3 * PART + 1, 5)
        .unwrap();
    let client = client_for(&server, "client-ak", "client-sk");
    let get = PresignedGet::presign(
        &client,
        &GetObjectRequest::new(BUCKET, "from client/a+b.bin"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let o = common::builder(&server)
        .build()
        .unwrap()
        .download(get)
        .to_file(&target)
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes((3 * PART + 1) as usize, 5)
    );

    // a client with the wrong secret gets a typed signature error and no file
    let bad = client_for(&server, "client-ak", "wrong");
    let get =
        PresignedGet::presign(&bad, &GetObjectRequest::new(BUCKET, "from client/a+b.bin")).unwrap();
    let err = common::builder(&server)
        .build()
        .unwrap()
        .download(get)
        .to_file(dir.path().join("bad"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::SignatureMismatch);
    assert_eq!(files_in(dir.path()), vec!["out".to_string()]);
}

/// A client for `server` whose first URL is born expired ([`SlowThenRight`]).
fn slow_clock_client(server: &TestServer) -> Client {
    Client::new(
        client_config(server)
            .credentials(Credentials::new("client-ak", "client-sk").unwrap())
            .clock(SlowThenRight::default())
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn an_expired_url_is_presigned_again_when_a_presigner_is_given() {
    let server = signing_server("client-ak", "client-sk").await;
    let client = slow_clock_client(&server);
    let presigner =
        oss_transfer::ClientPresigner::new(client, GetObjectRequest::new(BUCKET, "long.bin"));
    let (d, dir, statuses) =
        download_after_expiry(&server, 4 * PART, 6, std::sync::Arc::new(presigner)).await;
    assert!(statuses[1..].iter().all(|&s| s == 206), "{statuses:?}");

    // without a presigner the same situation is a typed Expired error
    let stale_client = slow_clock_client(&server);
    let stale =
        PresignedGet::presign(&stale_client, &GetObjectRequest::new(BUCKET, "long.bin")).unwrap();
    let err = d
        .download(stale)
        .to_file(dir.path().join("x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Expired);
}
