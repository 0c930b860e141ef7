//! [`AssumeRoleProvider`]: STS `AssumeRole` signed with the RPC signature V1.0, and its builder.

use super::request::{call_sts, nonce, RoleRequest, API_VERSION, CONNECT_TIMEOUT, TOTAL_TIMEOUT};
use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::CredentialsError;
use crate::http_client::HttpClient;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::RoleConfig;
use crate::rpc_signature::RpcSignature;
use crate::timestamp::format_utc;
use std::sync::Arc;
use std::time::Duration;

/// Assumes a RAM role with STS `AssumeRole`, signing the request with the credentials of a
/// source provider (RPC signature V1.0, HMAC-SHA1, POST with a form body).
///
/// Defaults: `DurationSeconds` 3 600 (at least 900), `RoleSessionName`
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME` or `oss-credentials-<unix ms>`; when the source
/// credentials carry a token it is sent as `SecurityToken` (role chaining). Each request gets
/// a fresh nonce and timestamp. Wrap the provider in a [`CachingProvider`](crate::CachingProvider)
/// (the profile providers and the default chain do).
///
/// Needs a tokio runtime.
///
/// ```
/// use oss_credentials::{AssumeRoleProvider, StaticProvider};
///
/// let source = StaticProvider::new("LTAIexample", "example-secret")?;
/// let provider = AssumeRoleProvider::builder(source, "acs:ram::1234567890123456:role/oss-writer")
///     .role_session_name("nightly-backup")
///     .duration_seconds(900)
///     .region("cn-hangzhou")
///     .build()?;
/// assert_eq!(provider.endpoint(), "https://sts.cn-hangzhou.aliyuncs.com");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug)]
pub struct AssumeRoleProvider {
    source: Arc<dyn ProvideCredentials>,
    request: RoleRequest,
    clock: Arc<dyn Clock>,
    client: HttpClient,
}

impl AssumeRoleProvider {
    /// Starts a builder with the source provider and the role ARN.
    pub fn builder(
        source: impl ProvideCredentials + 'static,
        role_arn: impl Into<String>,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder::new(Arc::new(source), role_arn.into())
    }

    /// Starts a builder with a shared source provider.
    pub fn builder_from_arc(
        source: Arc<dyn ProvideCredentials>,
        role_arn: impl Into<String>,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder::new(source, role_arn.into())
    }

    pub(crate) fn from_role_config(
        source: Arc<dyn ProvideCredentials>,
        role: RoleConfig,
        env: &Environment,
    ) -> Result<Self, CredentialsError> {
        let mut builder = AssumeRoleBuilder::new(source, String::new());
        builder.role = role;
        builder.env = env.clone();
        builder.build()
    }

    /// The STS base URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.request.endpoint
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let source = self.source.provide_credentials().await.map_err(|e| {
            e.with_provider(self.source.name().to_owned())
                .within("assume_role")
        })?;
        let timestamp = format_utc(crate::clock::now(self.clock.as_ref()));
        let nonce = nonce();
        let session_name = self.request.session_name_at(self.clock.as_ref());
        let duration = self.request.duration_seconds.to_string();
        let mut query: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRole"),
            ("Format", "JSON"),
            ("Version", API_VERSION),
            ("AccessKeyId", source.access_key_id()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", &nonce),
            ("Timestamp", &timestamp),
        ];
        if let Some(token) = source.security_token() {
            query.push(("SecurityToken", token));
        }
        let mut form = self.request.form(&[], &session_name, &duration);
        if let Some(id) = &self.request.external_id {
            form.push(("ExternalId", id));
        }
        let all: Vec<(&str, &str)> = query.iter().chain(form.iter()).copied().collect();
        let signature = RpcSignature::sign("POST", &all, source.access_key_secret());
        query.push(("Signature", signature.signature()));
        call_sts(
            &self.client,
            &self.request.endpoint,
            &query,
            &form,
            "STS AssumeRole",
            "assume_role",
        )
        .await
    }
}

fetching_provider!(
    AssumeRoleProvider,
    "assume_role",
    fn invalidate(&self) {
        self.source.invalidate();
    }
);

/// Builds an [`AssumeRoleProvider`]; [`build`](Self::build) validates every option.
///
/// ```
/// use oss_credentials::{AssumeRoleProvider, Environment, ErrorKind, ManualClock, StaticProvider};
/// use std::time::Duration;
///
/// let provider = AssumeRoleProvider::builder(StaticProvider::new("id", "secret")?, "acs:ram::1:role/r")
///     .role_session_name("backup@host")
///     .duration_seconds(7200)
///     .policy(r#"{"Version":"1","Statement":[]}"#)
///     .external_id("abcd1234")
///     .region("cn-shanghai")
///     .enable_vpc(true)
///     .environment(Environment::from_map::<&str, &str>([]))
///     .clock(ManualClock::new(oss_sign_core::SigningTime::from_unix_seconds(0)?))
///     .timeout(Duration::from_secs(3))
///     .build()?;
/// assert_eq!(provider.endpoint(), "https://sts-vpc.cn-shanghai.aliyuncs.com");
///
/// let short = AssumeRoleProvider::builder(StaticProvider::new("id", "secret")?, "acs:ram::1:role/r")
///     .duration_seconds(600)
///     .build()
///     .unwrap_err();
/// assert_eq!(short.kind(), ErrorKind::InvalidConfig);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AssumeRoleBuilder {
    source: Arc<dyn ProvideCredentials>,
    role: RoleConfig,
    env: Environment,
    clock: Arc<dyn Clock>,
    timeout: Duration,
}

impl AssumeRoleBuilder {
    fn new(source: Arc<dyn ProvideCredentials>, role_arn: String) -> Self {
        Self {
            source,
            role: RoleConfig::new(role_arn),
            env: Environment::process(),
            clock: Arc::new(SystemClock),
            timeout: TOTAL_TIMEOUT,
        }
    }

    setters! {
        /// `ExternalId` (2–1 224 characters of `A-Z a-z 0-9 _ + = , . @ : / -`).
        fn external_id(id: impl Into<String>) { role.external_id = Some(id.into()) }
    }

    role_builder_setters!();

    /// Validates the options and builds the provider.
    pub fn build(self) -> Result<AssumeRoleProvider, CredentialsError> {
        let request = RoleRequest::from_config(self.role, &self.env)
            .map_err(|e| e.with_provider("assume_role"))?;
        Ok(AssumeRoleProvider {
            source: self.source,
            request,
            clock: self.clock,
            client: HttpClient::new(CONNECT_TIMEOUT.min(self.timeout), self.timeout)?,
        })
    }
}
