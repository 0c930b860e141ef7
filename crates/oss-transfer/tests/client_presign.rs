//! `oss-client` presigns the GET itself; the test server verifies it; oss-transfer downloads.

mod common;

use common::{files_in, BUCKET, PART};
use oss_client::{Client, Config, GetObjectRequest};
use oss_credentials::Credentials;
use oss_testserver::{generated_bytes, ServerBuilder, TlsIdentity};
use oss_transfer::{DownloadErrorKind, PresignedGet};

#[tokio::test]
async fn a_client_presigned_request_downloads_from_the_verifying_server() {
    let server = ServerBuilder::new()
        .tls(TlsIdentity::generate(&[]).unwrap())
        .credential("client-ak", "client-sk")
        .region("cn-hangzhou")
        .start()
        .await
        .unwrap();
    let info = server
        .store()
        .put_generated(BUCKET, "from client/a+b.bin", 3 * PART + 1, 5)
        .unwrap();
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.endpoint())
            .credentials(Credentials::new("client-ak", "client-sk").unwrap())
            .build()
            .unwrap(),
    );
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
    let bad = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.endpoint())
            .credentials(Credentials::new("client-ak", "wrong").unwrap())
            .build()
            .unwrap(),
    );
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
