//! [`OidcRoleProvider`]: STS `AssumeRoleWithOIDC` (anonymous, an OIDC token file), and its
//! builder.

use super::request::{call_sts, invalid, RoleRequest, API_VERSION, CONNECT_TIMEOUT, TOTAL_TIMEOUT};
use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::http_client::HttpClient;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::RoleConfig;
use crate::timestamp::format_utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Assumes a RAM role with STS `AssumeRoleWithOIDC` (anonymous, no signature), presenting the
/// OIDC token read from a file. The file is read again on every fetch, so rotated tokens
/// (ACK RRSA) are picked up.
///
/// Needs a tokio runtime.
///
/// ```
/// use oss_credentials::OidcRoleProvider;
///
/// let provider = OidcRoleProvider::builder(
///     "acs:ram::1234567890123456:role/oss-reader",
///     "acs:ram::1234567890123456:oidc-provider/ack-rrsa-cluster",
///     "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
/// )
/// .role_session_name("pod-reader")
/// .build()?;
/// assert_eq!(provider.endpoint(), "https://sts.aliyuncs.com");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug)]
pub struct OidcRoleProvider {
    request: RoleRequest,
    provider_arn: String,
    token_file: PathBuf,
    clock: Arc<dyn Clock>,
    client: HttpClient,
}

impl OidcRoleProvider {
    /// Starts a builder with the role ARN, the OIDC provider ARN and the token file.
    pub fn builder(
        role_arn: impl Into<String>,
        oidc_provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> OidcRoleBuilder {
        OidcRoleBuilder {
            role: RoleConfig::new(role_arn),
            provider_arn: oidc_provider_arn.into(),
            token_file: token_file.into(),
            env: Environment::process(),
            clock: Arc::new(SystemClock),
            timeout: TOTAL_TIMEOUT,
        }
    }

    /// The provider described by `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`
    /// and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (plus `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
    /// `ALIBABA_CLOUD_STS_REGION`, `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`); `None` unless all
    /// three are set.
    ///
    /// ```
    /// use oss_credentials::{Environment, OidcRoleProvider};
    /// assert!(OidcRoleProvider::from_env(&Environment::from_map([("ALIBABA_CLOUD_ROLE_ARN", "a")])).is_none());
    /// ```
    pub fn from_env(env: &Environment) -> Option<Result<Self, CredentialsError>> {
        let role_arn = env.get("ALIBABA_CLOUD_ROLE_ARN")?;
        let provider_arn = env.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")?;
        let token_file = env.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE")?;
        Some(
            Self::builder(role_arn, provider_arn, token_file)
                .environment(env.clone())
                .build(),
        )
    }

    pub(crate) fn from_role_config(
        role: RoleConfig,
        provider_arn: String,
        token_file: PathBuf,
        env: &Environment,
    ) -> Result<Self, CredentialsError> {
        OidcRoleBuilder {
            role,
            provider_arn,
            token_file,
            env: env.clone(),
            clock: Arc::new(SystemClock),
            timeout: TOTAL_TIMEOUT,
        }
        .build()
    }

    /// The STS base URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.request.endpoint
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token =
            zeroize::Zeroizing::new(tokio::fs::read_to_string(&self.token_file).await.map_err(
                |e| {
                    CredentialsError::new(
                        ErrorKind::Io,
                        format!(
                            "cannot read the OIDC token file {}",
                            self.token_file.display()
                        ),
                    )
                    .with_source(e)
                },
            )?);
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("the OIDC token file {} is empty", self.token_file.display()),
            ));
        }
        let timestamp = format_utc(crate::clock::now(self.clock.as_ref()));
        let session_name = self.request.session_name_at(self.clock.as_ref());
        let duration = self.request.duration_seconds.to_string();
        let query: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", API_VERSION),
            ("Timestamp", &timestamp),
        ];
        let form = self.request.form(
            &[
                ("OIDCProviderArn", &self.provider_arn),
                ("OIDCToken", token),
            ],
            &session_name,
            &duration,
        );
        call_sts(
            &self.client,
            &self.request.endpoint,
            &query,
            &form,
            "STS AssumeRoleWithOIDC",
            "oidc_role",
        )
        .await
    }
}

fetching_provider!(OidcRoleProvider, "oidc_role");

/// Builds an [`OidcRoleProvider`]; [`build`](Self::build) validates every option.
///
/// ```
/// use oss_credentials::{Environment, ManualClock, OidcRoleProvider};
/// use std::time::Duration;
///
/// let provider = OidcRoleProvider::builder("acs:ram::1:role/r", "acs:ram::1:oidc-provider/p", "/var/run/token")
///     .role_session_name("pod-reader")
///     .duration_seconds(900)
///     .policy(r#"{"Version":"1"}"#)
///     .region("cn-beijing")
///     .enable_vpc(false)
///     .environment(Environment::from_map::<&str, &str>([]))
///     .clock(ManualClock::new(oss_sign_core::SigningTime::from_unix_seconds(0)?))
///     .timeout(Duration::from_secs(3))
///     .build()?;
/// assert_eq!(provider.endpoint(), "https://sts.cn-beijing.aliyuncs.com");
/// let local = OidcRoleProvider::builder("r", "p", "/t").endpoint("http://127.0.0.1:1").build()?;
/// assert_eq!(local.endpoint(), "http://127.0.0.1:1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OidcRoleBuilder {
    role: RoleConfig,
    provider_arn: String,
    token_file: PathBuf,
    env: Environment,
    clock: Arc<dyn Clock>,
    timeout: Duration,
}

impl OidcRoleBuilder {
    role_builder_setters!();

    /// Validates the options and builds the provider.
    pub fn build(self) -> Result<OidcRoleProvider, CredentialsError> {
        let build = || {
            if self.provider_arn.trim().is_empty() {
                return Err(invalid(String::from(
                    "OIDCProviderArn is empty (set it, or ALIBABA_CLOUD_OIDC_PROVIDER_ARN)",
                )));
            }
            if self.token_file.as_os_str().is_empty() {
                return Err(invalid(String::from(
                    "the OIDC token file path is empty (set it, or ALIBABA_CLOUD_OIDC_TOKEN_FILE)",
                )));
            }
            let mut role = self.role.clone();
            role.external_id = None;
            RoleRequest::from_config(role, &self.env)
        };
        let request = build().map_err(|e| e.with_provider("oidc_role"))?;
        Ok(OidcRoleProvider {
            request,
            provider_arn: self.provider_arn,
            token_file: self.token_file,
            clock: self.clock,
            client: HttpClient::new(CONNECT_TIMEOUT.min(self.timeout), self.timeout)?,
        })
    }
}
