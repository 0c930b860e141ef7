//! [`CredentialSource`]: what a profile (INI section or CLI profile) resolves to, and how it
//! becomes a provider.

use crate::cache::CachingProvider;
use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::CredentialsError;
use crate::process::ProcessProvider;
use crate::provider::ProvideCredentials;
use crate::role_config::RoleConfig;
use crate::static_provider::StaticProvider;
use std::path::PathBuf;
use std::sync::Arc;

/// What a credentials profile describes. Returned by
/// [`ProfileFileProvider::resolve`](crate::ProfileFileProvider::resolve) and
/// [`CliConfigProvider::resolve`](crate::CliConfigProvider::resolve), so callers can show
/// which credentials would be used without contacting any service. `Debug` never shows
/// secrets.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Fixed keys (INI `access_key`/`sts`, CLI `AK`/`StsToken`).
    Static(Credentials),
    /// STS `AssumeRole` signed with the credentials of `source` (INI `ram_role_arn`,
    /// CLI `RamRoleArn` and `ChainableRamRoleArn`).
    AssumeRole {
        /// Where the signing credentials come from.
        source: Box<CredentialSource>,
        /// The role to assume.
        role: RoleConfig,
    },
    /// STS `AssumeRoleWithOIDC` (INI `oidc_role_arn`, CLI `OIDC`).
    Oidc {
        /// The role to assume (`external_id` is not used).
        role: RoleConfig,
        /// `OIDCProviderArn`.
        oidc_provider_arn: String,
        /// The token file, re-read on every refresh.
        oidc_token_file: PathBuf,
    },
    /// The ECS instance RAM role (INI `ecs_ram_role`, CLI `EcsRamRole`).
    EcsRamRole {
        /// The role name; discovered from the metadata service when absent.
        role_name: Option<String>,
    },
    /// A credentials URI (CLI `CredentialsURI`).
    CredentialsUri {
        /// The URL to fetch.
        url: String,
    },
    /// An external process (CLI `External`).
    Process {
        /// The command line, split into arguments without a shell.
        command: String,
    },
}

impl CredentialSource {
    /// A short name of the source kind: `static`, `assume_role`, `oidc_role`, `ecs_ram_role`,
    /// `credentials_uri` or `process`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            CredentialSource::Static(_) => "static",
            CredentialSource::AssumeRole { .. } => "assume_role",
            CredentialSource::Oidc { .. } => "oidc_role",
            CredentialSource::EcsRamRole { .. } => "ecs_ram_role",
            CredentialSource::CredentialsUri { .. } => "credentials_uri",
            CredentialSource::Process { .. } => "process",
        }
    }

    /// Builds the provider for this source. Network-backed sources are wrapped in a
    /// [`CachingProvider`]; they need the `http` feature and fail with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) without it.
    ///
    /// ```
    /// use oss_credentials::{CredentialSource, Credentials, Environment};
    /// let source = CredentialSource::Static(Credentials::new("id", "secret")?);
    /// let provider = source.into_provider(&Environment::process())?;
    /// assert_eq!(provider.name(), "static");
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn into_provider(
        self,
        env: &Environment,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        match self {
            CredentialSource::Static(credentials) => {
                Ok(Arc::new(StaticProvider::from_credentials(credentials)))
            }
            CredentialSource::Process { command } => Ok(Arc::new(CachingProvider::new(
                ProcessProvider::from_command_line(&command)?,
            ))),
            #[cfg(feature = "http")]
            CredentialSource::AssumeRole { source, role } => {
                let source = source.into_provider(env)?;
                let provider = crate::sts::AssumeRoleProvider::from_role_config(source, role, env)?;
                Ok(Arc::new(CachingProvider::new(provider)))
            }
            #[cfg(feature = "http")]
            CredentialSource::Oidc {
                role,
                oidc_provider_arn,
                oidc_token_file,
            } => {
                let provider = crate::sts::OidcRoleProvider::from_role_config(
                    role,
                    oidc_provider_arn,
                    oidc_token_file,
                    env,
                )?;
                Ok(Arc::new(CachingProvider::new(provider)))
            }
            #[cfg(feature = "http")]
            CredentialSource::EcsRamRole { role_name } => {
                let mut builder = crate::ecs::EcsRoleProvider::builder().environment(env.clone());
                if let Some(role_name) = role_name {
                    builder = builder.role_name(role_name);
                }
                Ok(Arc::new(CachingProvider::new(builder.build()?)))
            }
            #[cfg(feature = "http")]
            CredentialSource::CredentialsUri { url } => Ok(Arc::new(CachingProvider::new(
                crate::uri::UriProvider::new(url)?,
            ))),
            #[cfg(not(feature = "http"))]
            other => {
                let _ = env;
                Err(CredentialsError::new(
                    crate::ErrorKind::Unsupported,
                    format!(
                        "a `{}` credential source needs the `http` feature of oss-credentials",
                        other.kind_name()
                    ),
                ))
            }
        }
    }
}
