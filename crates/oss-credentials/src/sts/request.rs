//! What both STS providers share: endpoint resolution, the checks of session name, external
//! id and policy, the validated [`RoleRequest`], and the exchange with STS ([`call_sts`]).

use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::http_client::{status_error, HttpClient, RemoteCredentials, Requirements, USER_AGENT};
use crate::json_error::describe_json_error;
use crate::role_config::{check_duration, RoleConfig};
use bytes::Bytes;
use http_body_util::Full;
use oss_sign_core::encoding::uri_encode;
use serde::Deserialize;
use std::time::{Duration, UNIX_EPOCH};

pub(super) const API_VERSION: &str = "2015-04-01";
const DEFAULT_DURATION: u64 = 3600;
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub(super) const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn invalid(message: String) -> CredentialsError {
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
fn resolve_endpoint(
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

pub(super) fn default_session_name(clock: &dyn Clock) -> String {
    let millis = crate::clock::now(clock)
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("oss-credentials-{millis}")
}

/// Validated options shared by both STS providers.
#[derive(Debug, Clone)]
pub(super) struct RoleRequest {
    pub(super) role_arn: String,
    pub(super) session_name: Option<String>,
    pub(super) duration_seconds: u64,
    pub(super) policy: Option<String>,
    pub(super) external_id: Option<String>,
    pub(super) endpoint: String,
}

impl RoleRequest {
    pub(super) fn from_config(
        role: RoleConfig,
        env: &Environment,
    ) -> Result<Self, CredentialsError> {
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

    /// The `RoleSessionName` to send: the configured one, else a default from `clock`.
    pub(super) fn session_name_at(&self, clock: &dyn Clock) -> String {
        self.session_name
            .clone()
            .unwrap_or_else(|| default_session_name(clock))
    }

    /// The form fields both actions send: `RoleArn`, then `identity` (what the action adds to
    /// name the caller), `RoleSessionName`, `DurationSeconds` and `Policy` when there is one.
    pub(super) fn form<'a>(
        &'a self,
        identity: &[(&'a str, &'a str)],
        session_name: &'a str,
        duration: &'a str,
    ) -> Vec<(&'a str, &'a str)> {
        let mut form = vec![("RoleArn", self.role_arn.as_str())];
        form.extend_from_slice(identity);
        form.push(("RoleSessionName", session_name));
        form.push(("DurationSeconds", duration));
        if let Some(policy) = &self.policy {
            form.push(("Policy", policy));
        }
        form
    }
}

#[derive(Deserialize)]
struct StsAnswer {
    #[serde(rename = "Credentials")]
    credentials: Option<RemoteCredentials>,
}

/// Builds the POST request and parses the STS answer.
pub(super) async fn call_sts(
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

pub(super) fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
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
