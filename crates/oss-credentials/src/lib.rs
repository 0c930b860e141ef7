//! Alibaba Cloud credentials and the providers that find them, resolved the way the official
//! SDKs do, refreshed safely under load.
//!
//! # The pieces
//!
//! * [`Credentials`]: access key id, secret, optional STS security token and expiry. `Debug`
//!   and `Display` never show the secret or token; the secret is zeroized on drop.
//! * [`ProvideCredentials`]: one object-safe async trait implemented by every provider (use
//!   `Arc<dyn ProvideCredentials>`); [`FnProvider`] adapts a closure.
//! * [`CachingProvider`]: refresh-ahead caching with a single fetch in flight; read it without
//!   waiting with [`ProvideCredentials::credentials_if_cached`], keep it fresh from a task
//!   with a [`Refresher`].
//! * [`CredentialsError`] with [`ErrorKind`]: every failure says which provider, variable,
//!   file, line or profile was wrong, and never contains a secret.
//!
//! # Which provider to use
//!
//! | situation | provider |
//! | --- | --- |
//! | you have an AccessKey pair (or a token you renew yourself) | [`StaticProvider`] |
//! | keys in `OSS_ACCESS_KEY_ID`/`OSS_ACCESS_KEY_SECRET` or `ALIBABA_CLOUD_ACCESS_KEY_*` | [`EnvProvider`] |
//! | a developer machine set up with the Aliyun CLI (`aliyun configure`) | [`CliConfigProvider`] |
//! | a shared `~/.alibabacloud/credentials` INI file | [`ProfileFileProvider`] |
//! | a machine set up for ossutil 2.0 (`ossutil config`, `~/.ossutilconfig`) | [`OssutilConfigProvider`] (not in the default chain yet) |
//! | assume a RAM role with long-term keys (least privilege, cross-account) | `AssumeRoleProvider` (feature `http`) |
//! | Kubernetes on ACK with RRSA (service-account OIDC tokens) | `OidcRoleProvider` (feature `http`) |
//! | code running on ECS with an instance RAM role | `EcsRoleProvider` (feature `http`) |
//! | a local credentials agent serving JSON over HTTP | `UriProvider` (feature `http`) |
//! | a credential helper program (vault, SSO tooling) | [`ProcessProvider`] |
//! | "whatever this machine is configured with" | [`DefaultChain`] |
//!
//! Network-backed providers should be wrapped in a [`CachingProvider`]; the profile providers
//! and the default chain do this themselves.
//!
//! # The default chain
//!
//! [`DefaultChain`] follows the order of the official Alibaba Cloud credentials SDKs:
//!
//! 1. environment variables ([`EnvProvider`]; `OSS_*` first, then `ALIBABA_CLOUD_*`);
//! 2. OIDC role, when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
//!    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set;
//! 3. the Aliyun CLI profile in `~/.aliyun/config.json`;
//! 4. the INI file `~/.alibabacloud/credentials` (or `credentials.ini`);
//! 5. the ECS instance RAM role, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`;
//! 6. the credentials URI, when `ALIBABA_CLOUD_CREDENTIALS_URI` is set.
//!
//! As in the official SDKs, a source that is absent *or broken* (a half-set variable pair, a
//! malformed file, a `current` that names no profile) is recorded and the next source tried;
//! a broken source that was skipped is reported in [`Credentials::warnings`] (never silent),
//! and `DefaultChainBuilder::try_all(false)` makes it stop the walk instead. When nothing
//! works the error ([`ErrorKind::ChainExhausted`]) lists every source tried and why.
//!
//! A profile named explicitly ([`DefaultChainBuilder::profile`] or `ALIBABA_CLOUD_PROFILE`)
//! is looked up in `~/.aliyun/config.json`, then the INI file, and used even when credentials
//! are set in the environment; a profile that exists nowhere is an error naming the files
//! searched. Values from the environment, the INI file and `config.json` are trimmed of
//! leading and trailing white space.
//!
//! ```
//! use oss_credentials::{DefaultChain, Environment, ProvideCredentials};
//!
//! // Tests inject the environment instead of touching the process's.
//! let env = Environment::from_map([
//!     ("OSS_ACCESS_KEY_ID", "LTAIexample"),
//!     ("OSS_ACCESS_KEY_SECRET", "example-secret"),
//!     ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
//! ]);
//! let chain = DefaultChain::builder().environment(env).build();
//! let creds = futures_executor::block_on(chain.provide_credentials())?;
//! assert_eq!(creds.access_key_id(), "LTAIexample");
//! assert_eq!(creds.provider_name(), "env");
//! # Ok::<(), oss_credentials::CredentialsError>(())
//! ```
//!
//! # Refresh rules
//!
//! [`CachingProvider`] computes, from the expiry `E` and the lifetime `L` of each credential:
//! a *prefetch* point `E − min(15 min, L/3)` after which the first caller refreshes while
//! everyone else keeps the cached value, and a *stale* point `E − clamp(L/10, 30 s, 180 s)`
//! after which callers wait for exactly one refresh. A one-hour token is refreshed after
//! 45 min; a 900-second token after 10 min (not on every call). Concurrent callers share one
//! fetch; a refresh that fails transiently keeps serving the cached value (with back-off)
//! until shortly before `E`, after which the failure is returned. Time comes from an
//! injectable [`Clock`]; [`CachingProvider::invalidate`] forces a refresh (call it when OSS
//! answers `InvalidAccessKeyId` or `SecurityTokenExpired`).
//!
//! # Features
//!
//! * `http` (off by default): the STS, ECS metadata and credentials-URI providers, built on
//!   hyper + hyper-rustls (ring) + tokio. They must be polled inside a tokio runtime. Without
//!   it the crate has no hyper or tokio dependency; profiles that need the network resolve to
//!   an [`ErrorKind::Unsupported`] error.
//!
//! Endpoints are configurable (`AssumeRoleBuilder::endpoint`, `EcsRoleBuilder::endpoint`,
//! `ALIBABA_CLOUD_STS_ENDPOINT`, `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`) so tests can
//! point them at loopback servers. There is no proxy support.

#[macro_use]
mod setters;
#[macro_use]
mod file_provider;
mod cache;
mod chain;
mod cli_config;
mod clock;
mod credentials;
#[cfg(feature = "http")]
mod ecs;
mod env;
mod error;
#[cfg(feature = "http")]
#[macro_use]
mod http_client;
mod json_error;
mod lazy_provider;
mod ossutil_bucket_hosts;
mod ossutil_config;
mod process;
mod profile_file;
mod provider;
mod refresher;
mod role_config;
mod rpc_signature;
mod source;
mod static_provider;
#[cfg(feature = "http")]
mod sts;
mod timestamp;
#[cfg(feature = "http")]
mod uri;

pub use cache::CachingProvider;
pub use chain::{ChainProvider, DefaultChain, DefaultChainBuilder};
pub use cli_config::CliConfigProvider;
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::Credentials;
#[cfg(feature = "http")]
pub use ecs::{EcsRoleBuilder, EcsRoleProvider};
pub use env::{EnvFamily, EnvProvider, Environment};
pub use error::{CredentialsError, ErrorKind};
pub use ossutil_bucket_hosts::{BucketHost, OssutilBucketHosts};
pub use ossutil_config::{OssutilConfigProvider, OssutilSettings};
pub use process::ProcessProvider;
pub use profile_file::ProfileFileProvider;
pub use provider::{CredentialsFuture, FnProvider, ProvideCredentials};
pub use refresher::{Refresher, DEFAULT_REFRESH_INTERVAL};
pub use role_config::RoleConfig;
pub use rpc_signature::RpcSignature;
pub use source::CredentialSource;
pub use static_provider::StaticProvider;
#[cfg(feature = "http")]
pub use sts::{AssumeRoleBuilder, AssumeRoleProvider, OidcRoleBuilder, OidcRoleProvider};
#[cfg(feature = "http")]
pub use uri::UriProvider;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
