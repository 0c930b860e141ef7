//! Alibaba Cloud credentials and their providers, resolved like the official SDKs.
//!
//! (Crate documentation is being written; see the module docs of each provider.)

mod cache;
mod chain;
mod cli_config;
mod clock;
mod credentials;
mod env;
mod error;
mod lazy_provider;
mod process;
mod profile_file;
mod provider;
pub mod rpc_signature;
mod source;
mod static_provider;
mod timestamp;

pub use cache::CachingProvider;
pub use chain::{ChainProvider, DefaultChain, DefaultChainBuilder};
pub use cli_config::CliConfigProvider;
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::Credentials;
pub use env::{EnvFamily, EnvProvider, Environment};
pub use error::{CredentialsError, ErrorKind};
pub use process::ProcessProvider;
pub use profile_file::ProfileFileProvider;
pub use provider::{CredentialsFuture, FnProvider, ProvideCredentials};
pub use source::{CredentialSource, RoleConfig};
pub use static_provider::StaticProvider;
