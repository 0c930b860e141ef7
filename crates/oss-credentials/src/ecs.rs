//! [`EcsRoleProvider`]: the RAM role of an ECS instance, from the instance metadata service.

use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::http_client::{is_unreachable, HttpClient, RemoteCredentials, Requirements, USER_AGENT};
use crate::provider::{CredentialsFuture, ProvideCredentials};
use bytes::Bytes;
use http_body_util::Full;
use std::sync::Mutex;
use std::time::Duration;
use zeroize::Zeroizing;

const DEFAULT_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";

/// Fetches the instance RAM role's STS credentials from the ECS metadata service.
///
/// 1. IMDSv2: `PUT /latest/api/token` with a TTL header (21 600 s by default) gives a token
///    sent with every later request. If that fails, the provider continues without a token
///    (IMDSv1) unless v1 is disabled (`ALIBABA_CLOUD_IMDSV1_DISABLED=true` or
///    [`EcsRoleBuilder::disable_imds_v1`]).
/// 2. Role name: configured (`ALIBABA_CLOUD_ECS_METADATA`, the profile's `role_name`, or
///    [`EcsRoleBuilder::role_name`]), else discovered from
///    `GET /latest/meta-data/ram/security-credentials/` and remembered.
/// 3. `GET /latest/meta-data/ram/security-credentials/<role>`; `Code` must be `Success`.
///
/// A fresh metadata token is fetched per refresh. Timeouts: 1 s to connect, 2 s per request.
/// The endpoint (default `http://100.100.100.200`, never through a proxy) can be changed with
/// [`EcsRoleBuilder::endpoint`] or `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT` (tests point
/// it at a loopback server). Building fails with [`ErrorKind::NotLoaded`] when
/// `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
///
/// Needs a tokio runtime. Wrap it in a [`CachingProvider`](crate::CachingProvider).
///
/// ```
/// use oss_credentials::{EcsRoleProvider, Environment, ErrorKind};
///
/// let provider = EcsRoleProvider::builder()
///     .environment(Environment::from_map::<&str, &str>([]))
///     .endpoint("http://127.0.0.1:8080")
///     .role_name("oss-writer-role")
///     .build()?;
/// assert_eq!(provider.endpoint(), "http://127.0.0.1:8080");
///
/// let disabled = Environment::from_map([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
/// let err = EcsRoleProvider::builder().environment(disabled).build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NotLoaded);
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug)]
pub struct EcsRoleProvider {
    endpoint: String,
    configured_role: Option<String>,
    discovered_role: Mutex<Option<String>>,
    imds_v1_disabled: bool,
    token_ttl_seconds: u32,
    unreachable_is_not_loaded: bool,
    client: HttpClient,
}

impl EcsRoleProvider {
    /// Starts a builder (environment: the process).
    pub fn builder() -> EcsRoleBuilder {
        EcsRoleBuilder {
            env: Environment::process(),
            endpoint: None,
            role_name: None,
            disable_imds_v1: None,
            token_ttl_seconds: 21_600,
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            unreachable_is_not_loaded: false,
        }
    }

    /// The metadata service base URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    async fn metadata_token(&self) -> Result<Option<Zeroizing<String>>, CredentialsError> {
        let request = http::Request::put(format!("{}{TOKEN_PATH}", self.endpoint))
            .header(TOKEN_TTL_HEADER, self.token_ttl_seconds.to_string())
            .header(http::header::USER_AGENT, USER_AGENT)
            .body(Full::new(Bytes::new()))
            .map_err(|_| bad_endpoint(&self.endpoint))?;
        let outcome = match self.client.send(request, "ECS metadata token").await {
            Ok(response) if response.status == 200 => match std::str::from_utf8(&response.body) {
                Ok(token) if !token.trim().is_empty() => {
                    return Ok(Some(Zeroizing::new(token.trim().to_owned())))
                }
                _ => CredentialsError::new(
                    ErrorKind::Parse,
                    "ECS metadata token: the answer is empty or not text",
                ),
            },
            Ok(response) => CredentialsError::new(
                ErrorKind::Http,
                format!(
                    "ECS metadata token: the service answered HTTP {}",
                    response.status
                ),
            )
            .with_status(response.status),
            Err(error) => error,
        };
        if is_unreachable(&outcome) {
            // A v1 request would fail the same way: report it now.
            return Err(outcome);
        }
        if self.imds_v1_disabled {
            return Err(CredentialsError::new(
                outcome.kind(),
                "cannot get an IMDSv2 metadata token and the fallback to IMDSv1 is disabled (ALIBABA_CLOUD_IMDSV1_DISABLED)",
            )
            .with_source(outcome));
        }
        Ok(None)
    }

    async fn get(
        &self,
        path: &str,
        token: Option<&str>,
        what: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CredentialsError> {
        let mut request = http::Request::get(format!("{}{path}", self.endpoint))
            .header(http::header::USER_AGENT, USER_AGENT);
        if let Some(token) = token {
            request = request.header(TOKEN_HEADER, token);
        }
        let request = request
            .body(Full::new(Bytes::new()))
            .map_err(|_| bad_endpoint(&self.endpoint))?;
        let response = self.client.send(request, what).await?;
        match response.status {
            200 => Ok(response.body),
            404 => Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{what}: not found (HTTP 404); does the instance have this RAM role attached?"
                ),
            )
            .with_status(404)),
            401 | 403 => Err(CredentialsError::new(
                ErrorKind::Http,
                format!(
                    "{what}: refused (HTTP {}); the instance may require IMDSv2 tokens",
                    response.status
                ),
            )
            .with_status(response.status)),
            status => Err(CredentialsError::new(
                ErrorKind::Http,
                format!("{what}: the service answered with an error status"),
            )
            .with_status(status)),
        }
    }

    async fn role_name(&self, token: Option<&str>) -> Result<String, CredentialsError> {
        if let Some(role) = &self.configured_role {
            return Ok(role.clone());
        }
        if let Some(role) = self
            .discovered_role
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(role);
        }
        let body = self
            .get(CREDENTIALS_PATH, token, "ECS metadata role name")
            .await?;
        let role = std::str::from_utf8(&body)
            .ok()
            .map(str::trim)
            .filter(|r| !r.is_empty() && !r.contains(['/', '\n', '\r', ' ']))
            .ok_or_else(|| {
                CredentialsError::new(
                    ErrorKind::Parse,
                    "ECS metadata role name: the answer is empty or not a single role name; is a RAM role attached to the instance?",
                )
            })?
            .to_owned();
        *self
            .discovered_role
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(role.clone());
        Ok(role)
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = self.metadata_token().await?;
        let token = token.as_deref().map(String::as_str);
        let role = self.role_name(token).await?;
        let what = "ECS metadata credentials";
        let body = self
            .get(&format!("{CREDENTIALS_PATH}{role}"), token, what)
            .await?;
        let remote = RemoteCredentials::parse(&body, what)?;
        match remote.code.as_deref() {
            Some("Success") => {}
            Some(code) => {
                return Err(CredentialsError::service(
                    None,
                    Some(code.to_owned()),
                    format!("{what}: Code is not Success"),
                    None,
                    None,
                ))
            }
            None => {
                return Err(CredentialsError::new(
                    ErrorKind::Parse,
                    format!("{what}: the answer has no Code"),
                ))
            }
        }
        remote.into_credentials(what, "ecs_ram_role", Requirements { temporary: true })
    }
}

fn bad_endpoint(endpoint: &str) -> CredentialsError {
    CredentialsError::new(
        ErrorKind::InvalidConfig,
        format!(
            "ECS metadata endpoint `{}` is not a valid URL",
            endpoint.escape_debug()
        ),
    )
}

impl ProvideCredentials for EcsRoleProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            self.fetch().await.map_err(|error| {
                let error = if self.unreachable_is_not_loaded && is_unreachable(&error) {
                    CredentialsError::new(
                        ErrorKind::NotLoaded,
                        format!(
                            "the ECS metadata service at {} is unreachable (not on ECS?)",
                            self.endpoint
                        ),
                    )
                    .with_source(error)
                } else {
                    error
                };
                error.with_provider("ecs_ram_role")
            })
        })
    }

    fn name(&self) -> &str {
        "ecs_ram_role"
    }

    fn invalidate(&self) {
        *self
            .discovered_role
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Builds an [`EcsRoleProvider`].
///
/// ```
/// use oss_credentials::{EcsRoleProvider, Environment, ErrorKind};
/// use std::time::Duration;
///
/// let provider = EcsRoleProvider::builder()
///     .environment(Environment::from_map::<&str, &str>([]))
///     .endpoint("http://127.0.0.1:8080/")
///     .role_name("oss-writer-role")
///     .disable_imds_v1(true)
///     .token_ttl_seconds(3600)
///     .timeout(Duration::from_millis(500))
///     .unreachable_is_not_loaded(true)
///     .build()?;
/// assert_eq!(provider.endpoint(), "http://127.0.0.1:8080");
///
/// let bad_ttl = EcsRoleProvider::builder()
///     .environment(Environment::from_map::<&str, &str>([]))
///     .token_ttl_seconds(0)
///     .build()
///     .unwrap_err();
/// assert_eq!(bad_ttl.kind(), ErrorKind::InvalidConfig);
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EcsRoleBuilder {
    env: Environment,
    endpoint: Option<String>,
    role_name: Option<String>,
    disable_imds_v1: Option<bool>,
    token_ttl_seconds: u32,
    connect_timeout: Duration,
    timeout: Duration,
    unreachable_is_not_loaded: bool,
}

impl EcsRoleBuilder {
    setters! {
        /// Reads `ALIBABA_CLOUD_ECS_METADATA*` and `ALIBABA_CLOUD_IMDSV1_DISABLED` from `env`.
        fn environment(env: Environment) { env = env }

        /// The metadata service base URL (default `http://100.100.100.200`).
        fn endpoint(endpoint: impl Into<String>) { endpoint = Some(endpoint.into()) }

        /// The RAM role name (skips discovery).
        fn role_name(role: impl Into<String>) { role_name = Some(role.into()) }

        /// Never fall back to un-tokened IMDSv1 requests.
        fn disable_imds_v1(disable: bool) { disable_imds_v1 = Some(disable) }

        /// The metadata token TTL in seconds (1–21 600; default 21 600).
        fn token_ttl_seconds(seconds: u32) { token_ttl_seconds = seconds }
    }

    /// Time allowed for each metadata request (default 2 s; connecting at most 1 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }

    setters! {
        /// Reports an unreachable metadata service as [`ErrorKind::NotLoaded`] (so a chain moves
        /// on) instead of a transport error. The default chain sets this.
        fn unreachable_is_not_loaded(yes: bool) { unreachable_is_not_loaded = yes }
    }

    /// Builds the provider.
    pub fn build(self) -> Result<EcsRoleProvider, CredentialsError> {
        if self.env.is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                "ECS metadata credentials are disabled (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)",
            )
            .with_provider("ecs_ram_role"));
        }
        if !(1..=21_600).contains(&self.token_ttl_seconds) {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "the metadata token TTL must be 1 to 21600 seconds; got {}",
                    self.token_ttl_seconds
                ),
            )
            .with_provider("ecs_ram_role"));
        }
        let endpoint = self
            .endpoint
            .or_else(|| self.env.get("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT"))
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let uri: Result<http::Uri, _> = endpoint.parse();
        if !matches!(&uri, Ok(uri) if matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some())
        {
            return Err(bad_endpoint(&endpoint).with_provider("ecs_ram_role"));
        }
        Ok(EcsRoleProvider {
            endpoint,
            configured_role: self
                .role_name
                .filter(|r| !r.trim().is_empty())
                .or_else(|| self.env.get("ALIBABA_CLOUD_ECS_METADATA")),
            discovered_role: Mutex::new(None),
            imds_v1_disabled: self
                .disable_imds_v1
                .unwrap_or_else(|| self.env.is_true("ALIBABA_CLOUD_IMDSV1_DISABLED")),
            token_ttl_seconds: self.token_ttl_seconds,
            unreachable_is_not_loaded: self.unreachable_is_not_loaded,
            client: HttpClient::new(self.connect_timeout, self.timeout)?,
        })
    }
}
