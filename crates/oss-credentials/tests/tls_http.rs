//! HTTPS is really used and really verified: a loopback TLS server with a certificate
//! generated here (not signed by any trusted root) must be refused.
#![cfg(feature = "http")]

mod common;

use common::expect_err;
use oss_credentials::{ErrorKind, ProvideCredentials, UriProvider};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// Serves one TLS connection on 127.0.0.1 and reports whether the handshake completed.
fn tls_server() -> (u16, std::thread::JoinHandle<bool>) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("certificate");
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::try_from(certified.key_pair.serialize_der())
        .expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("server config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let mut connection = rustls::ServerConnection::new(Arc::new(config)).expect("conn");
        let mut stream = rustls::Stream::new(&mut connection, &mut socket);
        let mut buffer = [0u8; 1024];
        match stream.read(&mut buffer) {
            Ok(n) if n > 0 => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
                true
            }
            _ => false,
        }
    });
    (port, handle)
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let (port, server) = tls_server();
    let provider = UriProvider::new(format!("https://127.0.0.1:{port}/creds")).unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Http);
    let handshake_completed = tokio::task::spawn_blocking(move || server.join().unwrap())
        .await
        .unwrap();
    assert!(
        !handshake_completed,
        "the client must not talk to an unverified server"
    );
}
