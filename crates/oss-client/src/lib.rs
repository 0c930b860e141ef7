//! OSS client configuration, endpoint resolution, validation and the presign API.
//!
//! This crate turns a request such as "GET `exampleobject.txt` in `examplebucket`" into a
//! presigned URL that anyone can use without credentials until it expires, exactly as the
//! official Alibaba Cloud OSS SDKs write it (same host, path, query and signature).
//!
//! The pieces:
//!
//! * [`Config`] (built with [`Config::builder`]): region, endpoint and its options (internal,
//!   accelerate, dual-stack, CNAME, path style, plain HTTP), CloudBox, signature version
//!   (V4 by default, V1 on request), additional signed headers, credentials and clock.
//!   [`ConfigBuilder::load_env`] reads `OSS_REGION` and `OSS_ENDPOINT`.
//! * [`endpoint`]: how the host, URL style and V4 scope follow from the configuration.
//! * [`validation`]: bucket names, object keys and regions are checked before signing; every
//!   error names the field, the value and the rule ([`Error`], [`ErrorKind`]).
//! * The requests: [`GetObjectRequest`], [`PutObjectRequest`], [`HeadObjectRequest`],
//!   [`InitiateMultipartUploadRequest`], [`UploadPartRequest`],
//!   [`CompleteMultipartUploadRequest`], [`AbortMultipartUploadRequest`], and the free-form
//!   [`ObjectRequest`].
//! * [`Client::presign`] (no I/O, no waiting: cached credentials only) and
//!   [`Client::presign_async`] (asks an async credentials provider first) return a
//!   [`PresignResult`]: method, URL, expiration, the headers the caller must send, and when the
//!   signing credentials expire. [`Client::credentials_refresher`] keeps a credentials cache
//!   fresh from a task, so the sync path works across STS refreshes.
//!
//! # Example: the official "presign a download" sample, in Rust
//!
//! Region, bucket and key come from the arguments, credentials from the environment
//! (`OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, optional `OSS_SESSION_TOKEN`). The runnable
//! version is `examples/presign_get_object.rs`.
//!
//! ```no_run
//! use oss_client::credentials::EnvProvider;
//! use oss_client::{Client, Config, GetObjectRequest};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let args: Vec<String> = std::env::args().collect();
//!     let (region, bucket, key) = (&args[1], &args[2], &args[3]);
//!
//!     let config = Config::builder()
//!         .region(region.as_str())
//!         .credentials_provider(EnvProvider::new())
//!         .build()?;
//!     let client = Client::new(config);
//!
//!     let result = client.presign(&GetObjectRequest::new(bucket.as_str(), key.as_str()))?;
//!     println!(
//!         "method: {}, expiration: {}, url: {}",
//!         result.method(),
//!         result.expiration().to_rfc3339(),
//!         result.url()
//!     );
//!     for (name, value) in result.signed_headers() {
//!         println!("signed headers key: {name}, signed headers value: {value}");
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Example: a reproducible URL
//!
//! With a fixed clock the URL is the same on every run; this one is byte for byte what the
//! official SDKs produce for the same inputs.
//!
//! ```
//! use oss_client::credentials::Credentials;
//! use oss_client::{Client, Config, FixedClock, GetObjectRequest, SigningTime};
//!
//! let client = Client::new(
//!     Config::builder()
//!         .region("cn-hangzhou")
//!         .credentials(Credentials::new(
//!             "LTAI5tExampleAccessKeyId",
//!             "ExampleAccessKeySecret0123456789abcd",
//!         )?)
//!         .clock(FixedClock::new(SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?))
//!         .build()?,
//! );
//! let result = client.presign(&GetObjectRequest::new("examplebucket", "exampleobject.txt"))?;
//! assert!(result.url().starts_with(
//!     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?"
//! ));
//! assert!(result.url().ends_with(
//!     "x-oss-signature=d2816a52095ab421a9b20de7f1973f3147c2694713c8ab28bc60c60bdb94a6fa"
//! ));
//! assert_eq!(result.expiration().to_rfc3339(), "2024-11-12T09:42:56Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Headers the URL user must send
//!
//! Every `x-oss-*` header, `Content-Type`, `Content-MD5` and the configured additional
//! headers are covered by the signature and listed in [`PresignResult::signed_headers`]: a
//! presigned PUT with `Content-Type: text/plain` only works when the uploader sends that exact
//! header. `Range` and `If-*` are not signed, so one GET URL serves every part of a ranged
//! download.

mod client;
mod clock;
mod config;
pub mod endpoint;
mod error;
mod header_signing;
mod post_policy;
mod presign;
mod request;
mod result_writer;
pub mod validation;

pub use client::Client;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{Config, ConfigBuilder, SignatureVersion, ENV_ENDPOINT, ENV_REGION};
pub use endpoint::{EndpointKind, ResolvedEndpoint, Scheme, UrlStyle};
pub use error::{Error, ErrorKind};
pub use header_signing::SignedRequest;
pub use post_policy::{Condition, PostPolicyForm, PostPolicyRequest};
pub use presign::{
    PresignOptions, PresignResult, ResultHeaders, DEFAULT_EXPIRES, MAX_V4_EXPIRES_SECONDS,
};
pub use request::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, GetObjectRequest,
    HeadObjectRequest, InitiateMultipartUploadRequest, InlineParts, ObjectRequest, Pair,
    PresignParts, PresignView, Presignable, PutObjectRequest, UploadPartRequest,
};

/// The signing instant type, re-exported from `oss-sign-core`.
pub use oss_sign_core::SigningTime;

/// The credentials and their providers, re-exported from `oss-credentials`, so that a program
/// presigning URLs needs only this crate: [`credentials::Credentials`],
/// [`credentials::StaticProvider`], [`credentials::EnvProvider`],
/// [`credentials::DefaultChain`], [`credentials::CachingProvider`],
/// [`credentials::ProvideCredentials`] and the rest. The STS, ECS and URI providers need
/// `oss-credentials`' `http` feature (this crate's `http` feature turns it on).
///
/// ```
/// use oss_client::credentials::{Credentials, ProvideCredentials, StaticProvider};
/// use oss_client::{Client, Config, GetObjectRequest};
///
/// let provider = StaticProvider::from_credentials(Credentials::new("LTAIexample", "example-secret")?);
/// assert_eq!(provider.name(), "static");
/// let client = Client::new(
///     Config::builder().region("cn-hangzhou").credentials_provider(provider).build()?,
/// );
/// let result = client.presign(&GetObjectRequest::new("examplebucket", "exampleobject.txt"))?;
/// assert!(result.url().contains("x-oss-credential=LTAIexample%2F"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use oss_credentials as credentials;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
