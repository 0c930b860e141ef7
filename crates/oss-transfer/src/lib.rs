//! Fast, resumable, verified downloads and uploads through OSS presigned URLs.
//!
//! Uploads: an [`Uploader`] sends a file with a single PUT through a ready
//! [`PresignedRequest`], or, with an [`UploadPresigner`], as a multipart upload above a size
//! threshold (parts in parallel, each retried with the body re-read from the file, CRC-64
//! compared part by part and for the whole object, aborted on failure, resumable from a
//! checkpoint). Downloads:
//!
//! Give a [`Downloader`] a [`PresignedGet`] (the URL plus any headers that were signed with
//! it) and a destination: a file path ([`Download::to_file`]) or any
//! [`AsyncWrite`](tokio::io::AsyncWrite) ([`Download::to_writer`]).
//!
//! How it works:
//!
//! - **No HEAD.** A presigned GET URL cannot be used for HEAD, so the first request is a
//!   ranged GET (`bytes=0-<part size - 1>`, or `bytes=0-` for a single stream). Its
//!   `Content-Range` gives the size, and its `ETag` and `x-oss-hash-crc64ecma` the version and
//!   checksum. A `200` answer means the object is smaller than the range: it is the whole
//!   object.
//! - **Parallel parts, pinned.** The rest is cut into parts fetched by up to `parallelism`
//!   connections; every part request carries `If-Match: <first ETag>` (an unsigned header, so
//!   allowed by the URL), so a changed object fails with
//!   [`ObjectChanged`](DownloadErrorKind::ObjectChanged) instead of producing a mixed file.
//! - **Retries.** 5xx, 408, 429, network errors, idle timeouts and broken bodies are retried
//!   with capped exponential backoff and full jitter ([`RetryPolicy`]); a broken body resumes at
//!   the byte it reached. 403 is never retried.
//! - **Integrity.** Each part's CRC-64/XZ is computed as it streams and the parts are
//!   [combined](crc64::combine) into the object's CRC, compared with the server's header.
//! - **Files.** Bytes go to a temporary file beside the target, renamed on success. With
//!   [`resume`](DownloaderBuilder::resume) a checkpoint records finished parts (and their CRCs)
//!   and a later run re-checks the kept parts on disk and fetches only the missing ones; the
//!   checkpoint is ignored if the object, its size or ETag, or the part size changed. A lock
//!   stops a second download into the same target ([`InUse`](DownloadErrorKind::InUse)).
//!   Every helper file is created through [`helper_files`]: exclusively, never through a link,
//!   under unpredictable names that fit `NAME_MAX`.
//! - **Limits.** Sizes above [`max_size`](DownloaderBuilder::max_size) are
//!   [`TooLarge`](DownloadErrorKind::TooLarge); parts are planned lazily; a whole-download
//!   [`timeout`](DownloaderBuilder::timeout) and a per-request idle timeout bound slow servers;
//!   a [`Cancellation`] stops a download cleanly.
//! - **Memory** is bounded by `parallelism x 4 x write_buffer` plus the HTTP stack's buffers,
//!   whatever the object size.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use oss_testserver::{ServerBuilder, TlsIdentity};
//! use oss_transfer::{Downloader, PresignedGet};
//!
//! // A local HTTPS server with one object (anonymous access: no credentials configured).
//! let server = ServerBuilder::new().tls(TlsIdentity::generate(&[]).unwrap()).start().await.unwrap();
//! let info = server.store().put_generated("bucket", "data.bin", 300_000, 1).unwrap();
//!
//! let downloader = Downloader::builder()
//!     .add_root_certificate_der(server.tls().unwrap().ca_certificate_der())
//!     .part_size(64 << 10)
//!     .parallelism(3)
//!     .build()
//!     .unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let target = dir.path().join("data.bin");
//! let get = PresignedGet::new(&server.object_url("bucket", "data.bin")).unwrap();
//! let outcome = downloader.download(get).to_file(&target).await.unwrap();
//! assert_eq!(outcome.size, 300_000);
//! assert_eq!(outcome.crc64, info.crc64);
//! assert!(outcome.crc64_verified);
//! # }
//! ```

pub mod crc64;
pub mod helper_files;

mod checkpoint;
mod config;
mod downloader;
mod engine;
mod error;
mod error_detail;
mod oss_error_body;
mod outcome;
mod progress;
mod retry;
mod setters;
mod signed_url;
mod source;
mod transfer_options;
mod transfer_settings;
mod upload_engine;
mod upload_error;
mod upload_outcome;
mod upload_request;
mod uploader;

pub use downloader::{
    Download, Downloader, DownloaderBuilder, HttpVersion, DEFAULT_MAX_SIZE, DEFAULT_PARALLELISM,
    DEFAULT_PART_SIZE,
};
pub use error::{DownloadError, DownloadErrorKind};
pub use oss_error_body::OssErrorBody;
pub use outcome::{Crc64Check, DownloadOutcome};
pub use progress::{Cancellation, Progress};
pub use retry::RetryPolicy;
#[cfg(feature = "client")]
pub use source::ClientPresigner;
pub use source::{PresignFuture, PresignedGet, Presigner};
pub use upload_error::{UploadError, UploadErrorKind};
pub use upload_outcome::UploadOutcome;
#[cfg(feature = "client")]
pub use upload_request::ClientUploadPresigner;
pub use upload_request::{PresignedRequest, UploadOperation, UploadPresignFuture, UploadPresigner};
pub use uploader::{
    Upload, Uploader, UploaderBuilder, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_UPLOAD_PART_SIZE,
    MIN_UPLOAD_PART_SIZE,
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
