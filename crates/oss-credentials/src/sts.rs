//! STS providers: [`AssumeRoleProvider`] (signed with RPC signature V1.0) and
//! [`OidcRoleProvider`] (`AssumeRoleWithOIDC`, anonymous).
//!
//! Endpoint resolution, in order: an explicit endpoint (with or without a scheme; `https://`
//! by default, so `http://127.0.0.1:PORT` works for tests); `ALIBABA_CLOUD_STS_ENDPOINT`; a
//! region (explicit, else `ALIBABA_CLOUD_STS_REGION`) giving `sts.<region>.aliyuncs.com`, or
//! `sts-vpc.<region>.aliyuncs.com` when VPC is enabled (explicitly or by
//! `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`); else the global `sts.aliyuncs.com`.

use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::http_client::{status_error, HttpClient, RemoteCredentials, Requirements, USER_AGENT};
use crate::json_error::describe_json_error;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::{check_duration, RoleConfig};
use crate::rpc_signature::sign;
use crate::timestamp::format_utc;
use bytes::Bytes;
use http_body_util::Full;
use oss_sign_core::encoding::uri_encode;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const API_VERSION: &str = "2015-04-01";
const DEFAULT_DURATION: u64 = 3600;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

fn invalid(message: String) -> CredentialsError {
    CredentialsError::new(ErrorKind::InvalidConfig, message)
}

/// Turns an endpoint setting into a base URL without a trailing slash.
fn endpoint_url(endpoint: &str) -> Result<String, CredentialsError> {
    let trimmed = endpoint.trim().trim_end_matches('/');
    let url = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let uri: http::Uri = url.parse().map_err(|_| {
        invalid(format!(
            "STS endpoint `{}` is not a valid host or URL",
            endpoint.escape_debug()
        ))
    })?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(invalid(format!(
            "STS endpoint `{}` must be a host name or an http(s) URL",
            endpoint.escape_debug()
        )));
    }
    Ok(url)
}

/// Resolves the STS base URL (see the module documentation for the order).
pub(crate) fn resolve_endpoint(
    endpoint: Option<&str>,
    region: Option<&str>,
    vpc: bool,
    env: &Environment,
) -> Result<String, CredentialsError> {
    if let Some(endpoint) = endpoint.filter(|e| !e.trim().is_empty()) {
        return endpoint_url(endpoint);
    }
    if let Some(endpoint) = env.get("ALIBABA_CLOUD_STS_ENDPOINT") {
        return endpoint_url(&endpoint);
    }
    let region = region
        .filter(|r| !r.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| env.get("ALIBABA_CLOUD_STS_REGION"));
    let vpc = vpc || env.is_true("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
    match region {
        None => Ok(String::from("https://sts.aliyuncs.com")),
        Some(region) => {
            let region = region.trim();
            if !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(invalid(format!(
                    "STS region `{}` may only contain a-z, 0-9 and '-'",
                    region.escape_debug()
                )));
            }
            let region = region.strip_suffix("-finance").unwrap_or(region);
            let prefix = if vpc { "sts-vpc" } else { "sts" };
            Ok(format!("https://{prefix}.{region}.aliyuncs.com"))
        }
    }
}

/// Checks a RoleSessionName: 2 to 64 characters from `A-Z a-z 0-9 . @ - _`.
fn check_session_name(name: &str) -> Result<(), CredentialsError> {
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'-' | b'_'));
    if !(2..=64).contains(&name.len()) || !valid_chars {
        return Err(invalid(format!(
            "RoleSessionName `{}` must be 2 to 64 characters from A-Z a-z 0-9 . @ - _",
            name.escape_debug()
        )));
    }
    Ok(())
}

fn check_external_id(id: &str) -> Result<(), CredentialsError> {
    let valid_chars = id.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-'
            )
    });
    if !(2..=1224).contains(&id.len()) || !valid_chars {
        return Err(invalid(String::from(
            "ExternalId must be 2 to 1224 characters from A-Z a-z 0-9 _ + = , . @ : / -",
        )));
    }
    Ok(())
}

fn check_policy(policy: &str) -> Result<(), CredentialsError> {
    if policy.is_empty() || policy.len() > 2048 {
        return Err(invalid(format!(
            "Policy must be 1 to 2048 characters of JSON; got {} characters",
            policy.len()
        )));
    }
    Ok(())
}

fn default_session_name(clock: &dyn Clock) -> String {
    let millis = crate::clock::now(clock)
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("oss-credentials-{millis}")
}

/// Validated options shared by both STS providers.
#[derive(Debug, Clone)]
struct RoleRequest {
    role_arn: String,
    session_name: Option<String>,
    duration_seconds: u64,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: String,
}

impl RoleRequest {
    fn from_config(role: RoleConfig, env: &Environment) -> Result<Self, CredentialsError> {
        if role.role_arn.trim().is_empty() {
            return Err(invalid(String::from(
                "RoleArn is empty (set it, or ALIBABA_CLOUD_ROLE_ARN)",
            )));
        }
        let session_name = role
            .role_session_name
            .or_else(|| env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME"));
        if let Some(name) = &session_name {
            check_session_name(name)?;
        }
        let duration_seconds = role.duration_seconds.unwrap_or(DEFAULT_DURATION);
        check_duration(duration_seconds, "STS")?;
        if let Some(policy) = &role.policy {
            check_policy(policy)?;
        }
        if let Some(id) = &role.external_id {
            check_external_id(id)?;
        }
        let endpoint = resolve_endpoint(
            role.sts_endpoint.as_deref(),
            role.sts_region.as_deref(),
            role.enable_vpc,
            env,
        )?;
        Ok(Self {
            role_arn: role.role_arn,
            session_name,
            duration_seconds,
            policy: role.policy,
            external_id: role.external_id,
            endpoint,
        })
    }
}

#[derive(Deserialize)]
struct StsAnswer {
    #[serde(rename = "Credentials")]
    credentials: Option<RemoteCredentials>,
}

/// Builds the POST request and parses the STS answer.
async fn call_sts(
    client: &HttpClient,
    endpoint: &str,
    query: &[(&str, &str)],
    form: &[(&str, &str)],
    what: &str,
    provider_name: &str,
) -> Result<Credentials, CredentialsError> {
    let encode = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let url = format!("{endpoint}/?{}", encode(query));
    let body = zeroize::Zeroizing::new(encode(form));
    let request = http::Request::post(url)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT_ENCODING, "identity")
        .header(http::header::USER_AGENT, USER_AGENT)
        .body(Full::new(Bytes::from(body.as_bytes().to_vec())))
        .map_err(|_| {
            invalid(format!(
                "{what}: cannot build a request for the STS endpoint"
            ))
        })?;
    let response = client.send(request, what).await?;
    if response.status != 200 {
        return Err(status_error(what, &response));
    }
    let answer: StsAnswer = serde_json::from_slice(&response.body).map_err(|e| {
        CredentialsError::new(
            ErrorKind::Parse,
            format!(
                "{what}: the answer is not the expected JSON ({})",
                describe_json_error(&e)
            ),
        )
    })?;
    let credentials = answer.credentials.ok_or_else(|| {
        CredentialsError::new(
            ErrorKind::Parse,
            format!("{what}: the answer has no Credentials object"),
        )
    })?;
    credentials.into_credentials(what, provider_name, Requirements { temporary: true })
}

fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The setters [`AssumeRoleBuilder`] and [`OidcRoleBuilder`] share: the [`RoleConfig`] fields
/// both send to STS, the environment, the clock and the timeout. Written once here so the two
/// builders cannot drift apart; each expands it inside its `impl` (both have the fields
/// `role`, `env`, `clock` and `timeout`).
macro_rules! role_builder_setters {
    () => {
        /// `RoleSessionName` (2–64 characters of `A-Z a-z 0-9 . @ - _`; default
        /// `ALIBABA_CLOUD_ROLE_SESSION_NAME` or `oss-credentials-<unix ms>`).
        #[must_use]
        pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
            self.role.role_session_name = Some(name.into());
            self
        }

        /// `DurationSeconds` (at least 900, default 3 600; the role's maximum session
        /// duration is checked by STS).
        #[must_use]
        pub fn duration_seconds(mut self, seconds: u64) -> Self {
            self.role.duration_seconds = Some(seconds);
            self
        }

        /// A session policy (JSON, 1–2 048 characters) narrowing the role's permissions.
        #[must_use]
        pub fn policy(mut self, policy: impl Into<String>) -> Self {
            self.role.policy = Some(policy.into());
            self
        }

        /// The STS region (`sts.<region>.aliyuncs.com`).
        #[must_use]
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.role.sts_region = Some(region.into());
            self
        }

        /// Uses the VPC endpoint `sts-vpc.<region>.aliyuncs.com` (needs a region).
        #[must_use]
        pub fn enable_vpc(mut self, vpc: bool) -> Self {
            self.role.enable_vpc = vpc;
            self
        }

        /// A full endpoint (`sts.example.com`, `https://...`, or `http://127.0.0.1:PORT` in
        /// tests).
        #[must_use]
        pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.role.sts_endpoint = Some(endpoint.into());
            self
        }

        /// Reads `ALIBABA_CLOUD_*` defaults from `env` (default: the process environment).
        #[must_use]
        pub fn environment(mut self, env: Environment) -> Self {
            self.env = env;
            self
        }

        /// The clock used for the request `Timestamp` and default session names.
        #[must_use]
        pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
            self.clock = Arc::new(clock);
            self
        }

        /// Total time allowed for one STS exchange (default 10 s; connecting gets at most
        /// 5 s).
        #[must_use]
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.timeout = timeout;
            self
        }
    };
}

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
        let session_name = self
            .request
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(self.clock.as_ref()));
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
        let mut form: Vec<(&str, &str)> = vec![
            ("RoleArn", &self.request.role_arn),
            ("RoleSessionName", &session_name),
            ("DurationSeconds", &duration),
        ];
        if let Some(policy) = &self.request.policy {
            form.push(("Policy", policy));
        }
        if let Some(id) = &self.request.external_id {
            form.push(("ExternalId", id));
        }
        let all: Vec<(&str, &str)> = query.iter().chain(form.iter()).copied().collect();
        let signature = sign("POST", &all, source.access_key_secret());
        query.push(("Signature", &signature));
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

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            self.fetch()
                .await
                .map_err(|e| e.with_provider("assume_role"))
        })
    }

    fn name(&self) -> &str {
        "assume_role"
    }

    fn invalidate(&self) {
        self.source.invalidate();
    }
}

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

    /// `ExternalId` (2–1 224 characters of `A-Z a-z 0-9 _ + = , . @ : / -`).
    #[must_use]
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.role.external_id = Some(id.into());
        self
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
        let session_name = self
            .request
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(self.clock.as_ref()));
        let duration = self.request.duration_seconds.to_string();
        let query: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", API_VERSION),
            ("Timestamp", &timestamp),
        ];
        let mut form: Vec<(&str, &str)> = vec![
            ("RoleArn", &self.request.role_arn),
            ("OIDCProviderArn", &self.provider_arn),
            ("OIDCToken", token),
            ("RoleSessionName", &session_name),
            ("DurationSeconds", &duration),
        ];
        if let Some(policy) = &self.request.policy {
            form.push(("Policy", policy));
        }
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

impl ProvideCredentials for OidcRoleProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { self.fetch().await.map_err(|e| e.with_provider("oidc_role")) })
    }

    fn name(&self) -> &str {
        "oidc_role"
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_resolution_order() {
        let empty = Environment::from_map::<&str, &str>([]);
        assert_eq!(
            resolve_endpoint(None, None, false, &empty).unwrap(),
            "https://sts.aliyuncs.com"
        );
        assert_eq!(
            resolve_endpoint(None, None, true, &empty).unwrap(),
            "https://sts.aliyuncs.com",
            "VPC without a region stays global"
        );
        assert_eq!(
            resolve_endpoint(None, Some("cn-hangzhou-finance"), true, &empty).unwrap(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com"
        );
        let env = Environment::from_map([
            ("ALIBABA_CLOUD_STS_REGION", "ap-southeast-1"),
            ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "TRUE"),
        ]);
        assert_eq!(
            resolve_endpoint(None, None, false, &env).unwrap(),
            "https://sts-vpc.ap-southeast-1.aliyuncs.com"
        );
        assert_eq!(
            resolve_endpoint(None, Some("cn-beijing"), false, &env).unwrap(),
            "https://sts-vpc.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            resolve_endpoint(Some("sts.example.com/"), Some("cn-beijing"), true, &env).unwrap(),
            "https://sts.example.com"
        );
        let env = Environment::from_map([("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:8080")]);
        assert_eq!(
            resolve_endpoint(None, Some("cn-beijing"), false, &env).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            resolve_endpoint(None, Some("Bad Region"), false, &empty)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidConfig
        );
        assert!(resolve_endpoint(Some("ftp://x"), None, false, &empty).is_err());
    }

    #[test]
    fn session_name_rules() {
        assert!(check_session_name("ab").is_ok());
        assert!(check_session_name("a").is_err());
        assert!(check_session_name(&"a".repeat(65)).is_err());
        assert!(check_session_name("user@example.com_1-2").is_ok());
        assert!(check_session_name("has space").is_err());
        assert!(check_external_id("abcd1234").is_ok());
        assert!(check_external_id("a").is_err());
        assert!(check_external_id("a b").is_err());
        assert!(check_policy("").is_err());
        assert!(check_policy(&"x".repeat(2049)).is_err());
    }

    #[test]
    fn default_session_name_fits_old_limit() {
        let clock = crate::ManualClock::new(
            oss_sign_core::SigningTime::from_unix_seconds(1_900_000_000).unwrap(),
        );
        let name = default_session_name(&clock);
        assert!(name.len() <= 32, "{name}");
        assert!(check_session_name(&name).is_ok());
    }
}
