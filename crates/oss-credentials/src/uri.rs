//! [`UriProvider`]: credentials served over HTTP by a local agent (`ALIBABA_CLOUD_CREDENTIALS_URI`).

use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::http_client::{status_error, HttpClient, RemoteCredentials, Requirements, USER_AGENT};
use crate::provider::{CredentialsFuture, ProvideCredentials};
use bytes::Bytes;
use http_body_util::Full;
use std::time::Duration;

/// Fetches credentials with `GET <url>` (http or https, query kept as configured).
///
/// The answer must be HTTP 200 with a JSON object holding `AccessKeyId`, `AccessKeySecret`,
/// `SecurityToken` and `Expiration` (`YYYY-MM-DDTHH:MM:SSZ`); `Code`, when present, must be
/// `Success`. Long-term keys may leave out both `SecurityToken` and `Expiration`.
/// Timeouts: 5 s to connect, 10 s in total. Wrap it in a
/// [`CachingProvider`](crate::CachingProvider) (the default chain does).
///
/// Needs a tokio runtime.
///
/// ```
/// use oss_credentials::{ErrorKind, UriProvider};
/// let provider = UriProvider::new("http://127.0.0.1:9100/creds")?;
/// assert_eq!(provider.url(), "http://127.0.0.1:9100/creds");
/// assert_eq!(UriProvider::new("file:///etc/passwd").unwrap_err().kind(), ErrorKind::InvalidConfig);
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug)]
pub struct UriProvider {
    url: String,
    client: HttpClient,
}

impl UriProvider {
    /// A provider for `url` (must be an `http://` or `https://` URL with a host).
    pub fn new(url: impl Into<String>) -> Result<Self, CredentialsError> {
        Self::with_timeout(url, Duration::from_secs(10))
    }

    /// A provider for `url` with a total timeout per request (connecting gets at most 5 s).
    pub fn with_timeout(
        url: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, CredentialsError> {
        let url = url.into().trim().to_owned();
        let valid = url.parse::<http::Uri>().ok().is_some_and(|uri| {
            matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some()
        });
        if !valid {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                "the credentials URI must be an http:// or https:// URL with a host",
            )
            .with_provider("credentials_uri"));
        }
        Ok(Self {
            url,
            client: HttpClient::new(Duration::from_secs(5).min(timeout), timeout)?,
        })
    }

    /// The provider for `ALIBABA_CLOUD_CREDENTIALS_URI`, or `None` when it is unset.
    ///
    /// ```
    /// use oss_credentials::{Environment, UriProvider};
    /// assert!(UriProvider::from_env(&Environment::from_map::<&str, &str>([])).is_none());
    /// ```
    pub fn from_env(env: &Environment) -> Option<Result<Self, CredentialsError>> {
        env.get("ALIBABA_CLOUD_CREDENTIALS_URI").map(Self::new)
    }

    /// The URL fetched.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let what = "credentials URI";
        let request = http::Request::get(&self.url)
            .header(http::header::USER_AGENT, USER_AGENT)
            .body(Full::new(Bytes::new()))
            .map_err(|_| {
                CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    "the credentials URI is not a valid URL",
                )
            })?;
        let response = self.client.send(request, what).await?;
        if response.status != 200 {
            return Err(status_error(what, &response));
        }
        let remote = RemoteCredentials::parse(&response.body, what)?;
        if let Some(code) = remote.code.as_deref() {
            if code != "Success" {
                return Err(CredentialsError::service(
                    Some(200),
                    Some(code.to_owned()),
                    format!("{what}: Code is not Success"),
                    None,
                    None,
                ));
            }
        }
        remote.into_credentials(what, "credentials_uri", Requirements { temporary: false })
    }
}

fetching_provider!(UriProvider, "credentials_uri");
