//! Alibaba Cloud credentials and their providers, resolved like the official SDKs.
//!
//! (Crate documentation is being written; see the module docs of each provider.)

mod clock;
mod credentials;
mod env;
mod error;
mod provider;
mod static_provider;
mod timestamp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::Credentials;
pub use env::{EnvFamily, EnvProvider, Environment};
pub use error::{CredentialsError, ErrorKind};
pub use provider::{CredentialsFuture, FnProvider, ProvideCredentials};
pub use static_provider::StaticProvider;
