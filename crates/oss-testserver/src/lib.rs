//! A local OSS-compatible HTTP(S) server for tests, demos and users' own integration tests.
//!
//! It answers `GetObject` and `HeadObject` the way Alibaba Cloud OSS does: `Range` (206/416,
//! including the OSS default of answering an out-of-bounds range with the whole object),
//! `If-Match`/`If-None-Match`/`If-Modified-Since`/`If-Unmodified-Since`, `ETag`,
//! `Content-Length`, `x-oss-hash-crc64ecma`, `x-oss-request-id`, and errors as XML bodies with
//! `Code`, `Message`, `RequestId`, `HostId` and `EC` (for HEAD: base64 in `x-oss-err`).
//!
//! With credentials configured it verifies V4 (`OSS4-HMAC-SHA256`) and V1 signatures, both
//! presigned (query) and in the `Authorization` header, through `oss-sign-core`'s verifier.
//! Buckets are found virtual-hosted style (`Host: bucket.example.localhost`) or path style
//! (`/bucket/key`, always used for IP and `localhost` hosts).
//!
//! Uploads are answered too, each request signature-checked before it is routed: PutObject
//! (the body streamed into a temporary file and renamed in only when complete, so a
//! half-received object is never visible; `Content-MD5`, `x-oss-forbid-overwrite`,
//! `Content-Type` and `x-oss-meta-*` stored and returned, ETag and `x-oss-hash-crc64ecma`
//! answered, 5 GB at most), multipart uploads (Initiate, UploadPart, ListParts, Complete with
//! OSS's checks: `InvalidPartOrder`, `InvalidPart`, `EntityTooSmall`, `NoSuchUpload`; Abort),
//! DeleteObject and a minimal ListObjectsV2. Metadata of objects under
//! [`ServerBuilder::root_dir`] is kept in `<root>/.oss-testserver/meta`, so uploaded objects keep
//! it across a restart. An error is answered only after the request body is read (up to
//! 64 MiB; beyond, the connection is closed after the answer), so clients see the OSS error XML.
//! CORS works as on OSS ([`CorsConfiguration`], [`ServerBuilder::cors`]): no rules by default,
//! preflight `OPTIONS` answered 200 or 403, `Access-Control-*` on answers and on errors.
//!
//! Faults can be injected per object and per request ([`FaultRule`]): error statuses,
//! dropped connections after N bytes, throttling, stalls, delayed headers, an object replaced
//! between requests, corrupted bytes, wrong CRC headers, ignored ranges.
//!
//! It binds only loopback addresses unless told otherwise, and what a client can take from it is
//! bounded: request heads ([`ServerBuilder::max_header_bytes`]), time without a request in
//! progress ([`ServerBuilder::header_read_timeout`]), TLS handshakes
//! ([`ServerBuilder::tls_handshake_timeout`]), open connections
//! ([`ServerBuilder::max_connections`]) and the request log
//! ([`ServerBuilder::request_log_capacity`]). Symbolic links in served folders are not followed
//! out of them ([`ObjectStore::follow_symlinks`]). A file is answered before it is hashed: one
//! over 4 MiB has no `x-oss-hash-crc64ecma` on its first answer, while a background thread
//! computes it for the next ones.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use oss_testserver::{Fault, FaultRule, ServerBuilder, TlsIdentity};
//!
//! let server = ServerBuilder::new()
//!     .tls(TlsIdentity::generate(&[]).unwrap())
//!     .start()
//!     .await
//!     .unwrap();
//! let info = server.store().put("bucket", "a.txt", b"hello world!".to_vec()).unwrap();
//! assert_eq!(info.crc64, 0x8483C0FA32607D61);
//! // The first GET of a.txt answers 503 ServiceUnavailable.
//! server.faults().add(FaultRule::new(Fault::Status(503)).object("bucket", "a.txt").times(1));
//! let url = server.object_url("bucket", "a.txt");
//! assert!(url.starts_with("https://127.0.0.1:"));
//! // Clients trust exactly this server's CA:
//! let ca_pem = server.tls().unwrap().ca_certificate_pem();
//! # let _ = ca_pem;
//! # }
//! ```

mod auth;
mod body;
mod connection;
mod cors;
mod error;
mod fault;
pub mod loopback;
mod oss_error;
mod query;
mod range;
mod request_body;
mod request_log;
mod server;
mod setters;
mod spool;
mod store;
pub mod test_files;
mod tls;
mod xml_text;

pub use auth::Clock;
pub use cors::{CorsConfiguration, CorsRule, MAX_CORS_RULES};
pub use error::{ServerError, ServerErrorKind};
pub use fault::{Fault, FaultPlan, FaultRule};
pub use request_log::RecordedRequest;
pub use server::{ServerBuilder, TestServer};
pub use store::{generated_bytes, generated_crc64, ObjectInfo, ObjectStore};
pub use tls::TlsIdentity;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
