//! Alibaba Cloud credentials and their providers, resolved like the official SDKs.
//!
//! (Crate documentation is being written; see the module docs of each provider.)

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
mod http_client;
mod lazy_provider;
mod process;
mod profile_file;
mod provider;
pub mod rpc_signature;
mod source;
mod static_provider;
#[cfg(feature = "http")]
mod sts;
pub mod timestamp;
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
pub use process::ProcessProvider;
pub use profile_file::ProfileFileProvider;
pub use provider::{CredentialsFuture, FnProvider, ProvideCredentials};
pub use source::{CredentialSource, RoleConfig};
pub use static_provider::StaticProvider;
#[cfg(feature = "http")]
pub use sts::{AssumeRoleBuilder, AssumeRoleProvider, OidcRoleBuilder, OidcRoleProvider};
#[cfg(feature = "http")]
pub use uri::UriProvider;
