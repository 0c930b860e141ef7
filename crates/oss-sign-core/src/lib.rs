//! Pure signing math for Alibaba Cloud Object Storage Service (OSS): V4
//! (`OSS4-HMAC-SHA256`) presigned URLs and `Authorization` headers, V1 (HMAC-SHA1) for older
//! integrations, and verification of both.
//!
//! This crate does no I/O and reads no clock: the caller passes the signing instant as a
//! [`SigningTime`]. It is `#![no_std]` with `alloc`; the default `std` feature only adds
//! conveniences (`std::error::Error` impls and `SystemTime` conversions). Build it for an
//! embedded target with `--no-default-features`.
//!
//! # How a V4 presigned URL is made
//!
//! 1. The **canonical request** lists, one per line: the method; the canonical URI `/bucket/key`
//!    built from the *decoded* bucket and key (never from a URL path) and encoded with
//!    [`encoding::uri_encode`] keeping `/`; the canonical query (every parameter encoded, sorted
//!    by encoded name, `k` without `=` for an empty value, including the authentication
//!    parameters `x-oss-credential`, `x-oss-date`, `x-oss-expires`,
//!    `x-oss-signature-version` and, when present, `x-oss-security-token` and
//!    `x-oss-additional-headers`); the signed headers (`x-oss-*`, `content-type`,
//!    `content-md5` and any additional headers, lower-cased, values trimmed); the additional
//!    header list; and `UNSIGNED-PAYLOAD`.
//! 2. The **string to sign** is `OSS4-HMAC-SHA256`, the `x-oss-date`, the scope
//!    `YYYYMMDD/region/product/aliyun_v4_request` and the hex SHA-256 of the canonical request.
//! 3. The **signature** is the hex HMAC-SHA256 of the string to sign under the
//!    [`v4::SigningKey`], derived from the secret, day, region and product. Derive it once a
//!    day and reuse it: that is the expensive part.
//!
//! ```
//! use oss_sign_core::{v4, SignableRequest, SigningTime};
//!
//! let now = SigningTime::parse_x_oss_date("20231217T033009Z")?;
//! let key = v4::SigningKey::derive("sk", now, "cn-hangzhou", "oss");
//! let query = [("versionId", "CAEQ")];
//! let request = SignableRequest::new("GET").bucket("bucket").key("dir/file 1.txt").query(&query);
//! let presigned = v4::presign(&request, &v4::PresignParams::new("ak", "cn-hangzhou", now, 900), &key)?;
//!
//! let url = format!(
//!     "https://bucket.oss-cn-hangzhou.aliyuncs.com/{}?{}",
//!     oss_sign_core::encoding::uri_encode("dir/file 1.txt", true),
//!     presigned.url_query(),
//! );
//! assert!(url.starts_with("https://bucket.oss-cn-hangzhou.aliyuncs.com/dir/file%201.txt?versionId=CAEQ&x-oss-credential=ak%2F20231217%2F"));
//! assert_eq!(presigned.expiration().to_rfc3339(), "2023-12-17T03:45:09Z");
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```
//!
//! The result also carries every intermediate ([`v4::Presigned::canonical_request`],
//! [`v4::Presigned::string_to_sign`]) and the headers the user of the URL must send
//! ([`v4::Presigned::signed_headers`]).
//!
//! # Modules
//!
//! * [`v4`]: signing keys, presigning (query mode) and header signing.
//! * [`v1`]: the HMAC-SHA1 scheme.
//! * [`post_policy`]: V4 POST policies (browser form uploads): signing and checking a form.
//! * [`verify`]: checking presigned URLs and `Authorization` headers, for servers and debugging.
//! * [`SigningTime`] and [`Clock`]: the workspace's one time type and one clock trait (the
//!   caller implements it; this crate never reads a clock), with [`FixedClock`],
//!   [`ManualClock`] and [`FnClock`].
//! * [`encoding`]: the workspace's one percent codec: the OSS URI encoder and the strict
//!   decoder ([`encoding::decode_strict`]).
//! * [`query`]: the workspace's one query-string parser ([`query::parse_query`]), strict
//!   decoding, borrowing where nothing is escaped.
//! * [`json`]: the workspace's one JSON reader and writer (a POST policy's strict subset, or
//!   any JSON document), writing as `JSON.stringify` does.
//! * [`xml_text`]: the workspace's one XML text codec ([`xml_text::escape_into`],
//!   [`xml_text::unescape`]) for OSS error bodies and multipart documents.
//!
//! Nothing here panics on any input; every refusal is a [`SignError`] (or a
//! [`verify::VerifyError`]) that says what was wrong and what is allowed, and no secret ever
//! appears in `Debug`, `Display` or an error.

#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod message_error;
mod canonical;
mod clock;
pub mod decimal;
mod default_signed;
mod encode_buf;
pub mod encoding;
mod error;
mod hmac_state;
pub mod json;
mod name_order;
pub mod post_policy;
pub mod query;
mod repeat_scan;
mod request;
mod scope_params;
mod sort;
mod time;
pub mod v1;
pub mod v4;
pub mod verify;
pub mod xml_text;

#[cfg(target_has_atomic = "64")]
pub use clock::ManualClock;
pub use clock::{Clock, FixedClock, FnClock};
pub use default_signed::is_signed_by_default;
pub use error::{SignError, SignErrorKind};
pub use request::{first_repeated_name, is_http_token, SignableRequest};
pub use time::SigningTime;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
