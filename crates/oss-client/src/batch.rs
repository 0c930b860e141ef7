//! Batch presigning of conformance cases: the logic behind `oss-presign batch`.
//!
//! Input: a JSON array of cases; output: a JSON array of results, one per case, in order,
//! in the formats of `conformance/client/FORMAT.md`. Each case is signed through the
//! ordinary [`Client`] API, with the case's signing time given as the client's clock
//! ([`FixedClock`]); a case the client refuses becomes an `error` result.
//!
//! ```
//! let input = r#"[{
//!     "id": "v4-key-001",
//!     "access_key_id": "LTAI5tExampleAccessKeyId",
//!     "access_key_secret": "ExampleAccessKeySecret0123456789abcd",
//!     "region": "cn-hangzhou",
//!     "bucket": "examplebucket",
//!     "key": "exampleobject.txt",
//!     "method": "GET",
//!     "signing_time": "2024-11-12T09:27:56Z",
//!     "expires_seconds": 900
//! }, {"id": "bad", "bucket": "-abc"}]"#;
//! let output = oss_client::batch::run_json(input)?;
//! let results: serde_json::Value = serde_json::from_str(&output)?;
//! assert_eq!(results[0]["peer"], "rust-oss");
//! assert_eq!(results[0]["expiration"], "2024-11-12T09:42:56Z");
//! assert!(results[1]["error"].is_string());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use oss_credentials::Credentials;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::FixedClock;
use crate::config::{Config, SignatureVersion};
use crate::error::{Error, ErrorKind};
use crate::presign::PresignOptions;
use crate::request::ObjectRequest;
use crate::Client;
use oss_sign_core::SigningTime;

/// The `peer` name written into every result.
pub const PEER: &str = "rust-oss";

/// One conformance case (unknown fields are ignored).
///
/// ```
/// let case: oss_client::batch::Case = serde_json::from_str(r#"{"id": "x", "bucket": "b"}"#)?;
/// assert_eq!(case.id, "x");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Case {
    /// Unique name of the case.
    pub id: String,
    /// `"v4"` (also when absent) or `"v1"`.
    pub signature_version: Option<String>,
    /// Access key id, used verbatim.
    pub access_key_id: String,
    /// Access key secret, used verbatim.
    pub access_key_secret: String,
    /// STS token.
    pub security_token: Option<String>,
    /// Region id.
    pub region: Option<String>,
    /// Explicit endpoint.
    pub endpoint: Option<String>,
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// HTTP method (any case).
    pub method: String,
    /// Signing instant, `YYYY-MM-DDTHH:MM:SSZ`.
    pub signing_time: String,
    /// Validity in seconds.
    pub expires_seconds: Option<i64>,
    /// Request headers.
    pub headers: BTreeMap<String, String>,
    /// Query parameters (raw values; `""` = no value).
    pub query: BTreeMap<String, String>,
    /// Further header names to sign (V4).
    pub additional_headers: Vec<String>,
    /// Path-style URLs.
    pub use_path_style: bool,
    /// The endpoint is a custom domain.
    pub use_cname: bool,
    /// Internal endpoint.
    pub use_internal_endpoint: bool,
    /// Accelerate endpoint.
    pub use_accelerate_endpoint: bool,
    /// Dual-stack endpoint.
    pub use_dualstack_endpoint: bool,
    /// `http` instead of `https`.
    pub disable_ssl: bool,
}

/// One result: a URL, or an error.
///
/// ```
/// let r = oss_client::batch::CaseResult::error("x", "invalid region: ...");
/// assert_eq!(serde_json::to_value(&r)?["peer"], "rust-oss");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case's id.
    pub id: String,
    /// Always [`PEER`].
    pub peer: &'static str,
    /// The presigned URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The method, upper case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// Lower-case name to value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_headers: Option<BTreeMap<String, String>>,
    /// Why the case was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CaseResult {
    /// A refusal.
    ///
    /// ```
    /// let r = oss_client::batch::CaseResult::error("id-1", "no");
    /// assert_eq!(r.error.as_deref(), Some("no"));
    /// ```
    pub fn error(id: impl Into<String>, message: impl Into<String>) -> Self {
        CaseResult {
            id: id.into(),
            peer: PEER,
            url: None,
            method: None,
            expiration: None,
            signed_headers: None,
            error: Some(message.into()),
        }
    }
}

fn case_error(field: &'static str, message: String) -> Error {
    Error::new(ErrorKind::InvalidRequest, field, message)
}

/// Presigns one case.
///
/// ```
/// use oss_client::batch::{run_case, Case};
/// let case: Case = serde_json::from_value(serde_json::json!({
///     "id": "v1", "signature_version": "v1", "access_key_id": "ak", "access_key_secret": "sk",
///     "region": "cn-hangzhou", "bucket": "bucket", "key": "key", "method": "get",
///     "signing_time": "2023-11-12T16:43:40Z", "expires_seconds": 0
/// }))?;
/// let result = run_case(&case);
/// assert_eq!(result.method.as_deref(), Some("GET"));
/// assert!(result.url.unwrap().contains("Expires=1699807420"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn run_case(case: &Case) -> CaseResult {
    match presign_case(case) {
        Ok(result) => result,
        Err(err) => CaseResult::error(case.id.clone(), err.to_string()),
    }
}

fn presign_case(case: &Case) -> Result<CaseResult, Error> {
    let version = match case.signature_version.as_deref() {
        None | Some("v4") => SignatureVersion::V4,
        Some("v1") => SignatureVersion::V1,
        Some(other) => {
            return Err(case_error(
                "signature_version",
                format!("signature_version {other:?} is not supported; use \"v4\" or \"v1\""),
            ))
        }
    };
    let signing_time = SigningTime::parse_rfc3339(&case.signing_time).map_err(|e| {
        case_error(
            "signing_time",
            format!(
                "signing_time {:?} is not YYYY-MM-DDTHH:MM:SSZ: {e}",
                case.signing_time
            ),
        )
    })?;
    let expires = match case.expires_seconds {
        Some(s) if s >= 0 => Duration::from_secs(s.unsigned_abs()),
        Some(s) => {
            return Err(Error::new(
                ErrorKind::InvalidExpiry,
                "expires",
                format!("expires_seconds {s} is negative; a validity is 0 or more seconds"),
            ))
        }
        None => crate::presign::DEFAULT_EXPIRES,
    };

    let mut builder = Config::builder()
        .signature_version(version)
        .use_path_style(case.use_path_style)
        .use_cname(case.use_cname)
        .use_internal_endpoint(case.use_internal_endpoint)
        .use_accelerate_endpoint(case.use_accelerate_endpoint)
        .use_dualstack_endpoint(case.use_dualstack_endpoint)
        .disable_ssl(case.disable_ssl)
        .additional_headers(case.additional_headers.iter().cloned())
        .clock(FixedClock::new(signing_time));
    if let Some(region) = &case.region {
        builder = builder.region(region.as_str());
    }
    if let Some(endpoint) = &case.endpoint {
        builder = builder.endpoint(endpoint.as_str());
    }
    let client = Client::new(builder.build()?);

    let mut credentials =
        Credentials::new(case.access_key_id.as_str(), case.access_key_secret.as_str()).map_err(
            |e| {
                Error::new(
                    ErrorKind::Credentials,
                    "credentials",
                    format!("the case's credentials are unusable: {e}"),
                )
            },
        )?;
    if let Some(token) = &case.security_token {
        credentials = credentials.with_security_token(token.as_str());
    }

    let request = ObjectRequest {
        method: case.method.clone(),
        bucket: case.bucket.clone(),
        key: case.key.clone(),
        headers: case
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
        parameters: case
            .query
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
    };
    let options = PresignOptions::new().expires(expires);
    let result = client.presign_with_credentials(&request, &options, &credentials)?;
    Ok(CaseResult {
        id: case.id.clone(),
        peer: PEER,
        url: Some(result.url().to_owned()),
        method: Some(result.method().to_owned()),
        expiration: Some(result.expiration().to_rfc3339()),
        signed_headers: Some(result.signed_headers().iter().cloned().collect()),
        error: None,
    })
}

/// Presigns every case of a JSON array and returns the JSON array of results.
///
/// A case that is not a well-formed case object becomes an `error` result; only input that
/// is not a JSON array at all is an [`Error`] (kind [`ErrorKind::InvalidRequest`]).
///
/// ```
/// let out = oss_client::batch::run_json("[]")?;
/// assert_eq!(out, "[]");
/// assert!(oss_client::batch::run_json("{").is_err());
/// # Ok::<(), oss_client::Error>(())
/// ```
pub fn run_json(input: &str) -> Result<String, Error> {
    let cases: Vec<Value> = serde_json::from_str(input).map_err(|e| {
        Error::new(
            ErrorKind::InvalidRequest,
            "input",
            format!("the input is not a JSON array of cases: {e}"),
        )
    })?;
    let results = run_values(&cases);
    serde_json::to_string_pretty(&results).map_err(|e| {
        Error::without_field(
            ErrorKind::InvalidRequest,
            format!("cannot write results: {e}"),
        )
    })
}

/// Presigns already-parsed cases.
///
/// ```
/// let cases = vec![serde_json::json!({"id": "a"})];
/// let results = oss_client::batch::run_values(&cases);
/// assert_eq!(results[0].id, "a");
/// assert!(results[0].error.is_some());
/// ```
pub fn run_values(cases: &[Value]) -> Vec<CaseResult> {
    cases
        .iter()
        .map(|value| match Case::deserialize(value) {
            Ok(case) => run_case(&case),
            Err(e) => {
                let id = value
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                CaseResult::error(id, format!("invalid request: malformed case: {e}"))
            }
        })
        .collect()
}
