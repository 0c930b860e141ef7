//! V4 signing (`OSS4-HMAC-SHA256`): signing keys, presigned URLs (query mode) and the
//! `Authorization` header (header mode).
//!
//! A V4 signature is HMAC-SHA256, keyed by a [`SigningKey`] derived from the secret, the date,
//! the region and the product, over a *string to sign* that hashes the canonical request:
//!
//! ```text
//! OSS4-HMAC-SHA256
//! 20231217T033009Z
//! 20231217/cn-hangzhou/oss/aliyun_v4_request
//! hex(SHA-256(canonical request))
//! ```
//!
//! Deriving the key costs four HMACs; it depends only on (secret, day, region, product), so
//! derive it once a day and reuse it for every request:
//!
//! ```
//! use oss_sign_core::{v4, SignableRequest, SigningTime};
//!
//! let now = SigningTime::from_unix_seconds(1_700_000_000)?;
//! let key = v4::SigningKey::derive("ExampleSecretKey1234567890", now, "cn-hangzhou", "oss");
//! let request = SignableRequest::new("GET").bucket("examplebucket").key("exampleobject.txt");
//! let params = v4::PresignParams::new("LTAI5tExampleAK", "cn-hangzhou", now, 3600);
//! let presigned = v4::presign(&request, &params, &key)?;
//! assert_eq!(
//!     presigned.signature(),
//!     "66ab530237c1b6e15cee68ec7bfcc79be30381cee805b31e2fae2a09aa6e3da7"
//! );
//! let url = format!(
//!     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?{}",
//!     presigned.url_query()
//! );
//! assert!(url.ends_with("&x-oss-signature=66ab530237c1b6e15cee68ec7bfcc79be30381cee805b31e2fae2a09aa6e3da7"));
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```
//!
//! # Layout
//!
//! * `scope`: the credential scope, the string to sign and the options both modes share.
//! * `key`: [`SigningKey`], derived once a day.
//! * `query`: presigned URLs ([`presign`], [`PresignParams`], [`Presigned`]).
//! * `header`: the `Authorization` header ([`sign_headers`], [`HeaderParams`], [`HeaderSigned`]).

#[cfg(feature = "bench-floor")]
#[doc(hidden)]
pub mod bench_floor;
mod header;
mod key;
mod query;
mod scope;

pub use crate::canonical::UNSIGNED_PAYLOAD;
pub use header::{sign_headers, HeaderParams, HeaderSigned};
pub use key::{SigningKey, TERMINATOR};
pub use query::{presign, PresignParams, Presigned, MAX_EXPIRES_SECONDS};
pub use scope::{ALGORITHM, DEFAULT_PRODUCT};

pub(crate) use scope::string_to_sign;
