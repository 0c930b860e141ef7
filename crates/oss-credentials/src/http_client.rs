//! The small HTTP client shared by the STS, ECS metadata and credentials-URI providers:
//! hyper + hyper-rustls (ring provider, web PKI roots) on tokio, HTTP/1.1, plain HTTP allowed
//! (the metadata service and loopback tests use it), per-request timeouts, capped bodies, no
//! redirects and no proxy. Also the `ProvideCredentials` impl of the providers that fetch
//! through it, written once (`fetching_provider!`).

/// `ProvideCredentials` for an HTTP provider whose `async fn fetch(&self)` does the work:
/// `name()` is `$name` and every error of `fetch` carries it. Further trait methods (such as
/// `invalidate`) may follow the name.
macro_rules! fetching_provider {
    ($ty:ident, $name:literal $(, $($more:tt)*)?) => {
        impl ProvideCredentials for $ty {
            fn provide_credentials(&self) -> CredentialsFuture<'_> {
                Box::pin(async move { self.fetch().await.map_err(|e| e.with_provider($name)) })
            }

            fn name(&self) -> &str {
                $name
            }

            $($($more)*)?
        }
    };
}

use crate::credentials::Credentials;
use crate::error::{CredentialsError, ErrorKind};
use crate::json_error::{missing_field, required_field};
use crate::timestamp::parse_utc;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// Largest response body accepted.
const MAX_BODY: usize = 1024 * 1024;

/// The User-Agent sent with every request.
pub(crate) const USER_AGENT: &str =
    concat!("oss-credentials/", env!("CARGO_PKG_VERSION"), " (rust)");

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// An answer: status and body.
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) body: Zeroizing<Vec<u8>>,
}

/// A hyper client with a total timeout per request.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<Connector, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client with the given connect and total timeouts.
    pub(crate) fn new(
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Result<Self, CredentialsError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| {
                CredentialsError::new(ErrorKind::Http, "cannot set up TLS").with_source(e)
            })?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(Self { client, timeout })
    }

    /// Sends `request` and reads the whole (capped) body within the timeout.
    pub(crate) async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
        what: &str,
    ) -> Result<HttpResponse, CredentialsError> {
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                if e.is_connect() {
                    CredentialsError::new(ErrorKind::Http, format!("{what}: cannot connect"))
                        .with_source(e)
                        .mark_unreachable()
                } else {
                    CredentialsError::new(ErrorKind::Http, format!("{what}: the request failed"))
                        .with_source(e)
                }
            })?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|_| {
                    CredentialsError::new(
                        ErrorKind::Http,
                        format!("{what}: the response body could not be read or is larger than {MAX_BODY} bytes"),
                    )
                })?
                .to_bytes();
            Ok::<_, CredentialsError>(HttpResponse {
                status,
                body: Zeroizing::new(body.to_vec()),
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(CredentialsError::new(
                ErrorKind::Timeout,
                format!(
                    "{what}: no complete answer within {} ms",
                    self.timeout.as_millis()
                ),
            )),
        }
    }
}

/// Whether an error means "nobody is listening there" (connection refused or timed out).
pub(crate) fn is_unreachable(error: &CredentialsError) -> bool {
    error.kind() == ErrorKind::Timeout || error.is_unreachable()
}

/// A secret JSON string, zeroized on drop.
pub(crate) struct SecretField(Zeroizing<String>);

impl AsRef<str> for SecretField {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| SecretField(Zeroizing::new(s)))
    }
}

/// The credential fields common to STS, ECS metadata and credentials-URI answers.
#[derive(Deserialize)]
pub(crate) struct RemoteCredentials {
    #[serde(rename = "Code", default)]
    pub(crate) code: Option<String>,
    #[serde(rename = "AccessKeyId", default)]
    pub(crate) access_key_id: Option<String>,
    #[serde(rename = "AccessKeySecret", default)]
    pub(crate) access_key_secret: Option<SecretField>,
    #[serde(rename = "SecurityToken", default)]
    pub(crate) security_token: Option<SecretField>,
    #[serde(rename = "Expiration", default)]
    pub(crate) expiration: Option<String>,
}

/// How strict [`RemoteCredentials::into_credentials`] is.
pub(crate) struct Requirements {
    /// A security token and an expiration are required.
    pub(crate) temporary: bool,
}

impl RemoteCredentials {
    /// Parses a JSON body (errors describe position only, never content).
    pub(crate) fn parse(body: &[u8], what: &str) -> Result<Self, CredentialsError> {
        serde_json::from_slice(body).map_err(|e| {
            CredentialsError::new(
                ErrorKind::Parse,
                format!(
                    "{what}: the answer is not the expected JSON ({})",
                    crate::json_error::describe_json_error(&e)
                ),
            )
        })
    }

    /// Checks the fields and builds [`Credentials`].
    pub(crate) fn into_credentials(
        self,
        what: &str,
        provider_name: &str,
        requirements: Requirements,
    ) -> Result<Credentials, CredentialsError> {
        let answer = format!("{what}: the answer");
        let missing = |field: &str| missing_field(&answer, field);
        let id = required_field(self.access_key_id, &answer, "AccessKeyId")?;
        let secret = required_field(self.access_key_secret, &answer, "AccessKeySecret")?;
        let token = self.security_token.filter(|s| !s.0.is_empty());
        let expiration = match self.expiration.filter(|s| !s.is_empty()) {
            Some(text) => Some(parse_utc(&text).ok_or_else(|| {
                CredentialsError::new(
                    ErrorKind::Parse,
                    format!("{what}: Expiration is not in the form YYYY-MM-DDTHH:MM:SSZ"),
                )
            })?),
            None => None,
        };
        if requirements.temporary {
            if token.is_none() {
                return Err(missing("SecurityToken"));
            }
            if expiration.is_none() {
                return Err(missing("Expiration"));
            }
        } else if token.is_some() != expiration.is_some() && token.is_some() {
            return Err(missing("Expiration"));
        }
        let mut credentials =
            Credentials::new(id, secret.0.as_str())?.with_provider_name(provider_name);
        if let Some(token) = token {
            credentials = credentials.with_security_token(token.0.as_str());
        }
        if let Some(expiration) = expiration {
            credentials = credentials.with_expiration(expiration);
        }
        Ok(credentials)
    }
}

/// The error body of Alibaba Cloud POP services.
#[derive(Deserialize)]
struct ServiceErrorBody {
    #[serde(rename = "Code", default)]
    code: Option<String>,
    #[serde(rename = "Message", default)]
    message: Option<String>,
    #[serde(rename = "RequestId", default)]
    request_id: Option<String>,
    #[serde(rename = "Recommend", default)]
    recommend: Option<String>,
}

/// Turns a non-2xx answer into an error: a [`ErrorKind::Service`] error when the body is the
/// service's error JSON, else an [`ErrorKind::Http`] error with the status only.
pub(crate) fn status_error(what: &str, response: &HttpResponse) -> CredentialsError {
    match serde_json::from_slice::<ServiceErrorBody>(&response.body) {
        Ok(body) if body.code.is_some() => CredentialsError::service(
            Some(response.status),
            body.code,
            format!(
                "{what}: {}",
                body.message
                    .unwrap_or_else(|| String::from("the service refused the request"))
            ),
            body.request_id,
            body.recommend,
        ),
        _ => CredentialsError::new(
            ErrorKind::Http,
            format!("{what}: the service answered with an error status"),
        )
        .with_status(response.status),
    }
}
