//! Batch presigning of conformance cases: the logic behind `oss-presign batch`, and the
//! conformance harness `cargo xtask conformance` runs.
//!
//! Input: a JSON array of cases; output: a JSON array of results, one per case, in order,
//! in the formats of `conformance/client/FORMAT.md`. Each case is signed through the
//! ordinary [`Client`] API, with the case's signing time given as the client's clock
//! ([`FixedClock`]); a case the client refuses becomes an `error` result.
//!
//! [`run_stream`] reads the array element by element and writes each result as soon as it is
//! made, so memory stays the same whatever the size of the input.
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
//! let output = oss_cli::batch::run_json(input)?;
//! let results: serde_json::Value = serde_json::from_str(&output)?;
//! assert_eq!(results[0]["peer"], "rust-oss");
//! assert_eq!(results[0]["expiration"], "2024-11-12T09:42:56Z");
//! assert!(results[1]["error"].is_string());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::time::Duration;

use oss_client::{
    Client, Config, ErrorKind, FixedClock, ObjectRequest, PresignOptions, SignatureVersion,
    SigningTime, DEFAULT_EXPIRES,
};
use oss_credentials::Credentials;
use serde::de::{self, DeserializeSeed as _, SeqAccess, Visitor};
use serde::ser::{SerializeSeq as _, Serializer as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `peer` name written into every result.
pub const PEER: &str = "rust-oss";

/// One conformance case (unknown fields are ignored).
///
/// ```
/// let case: oss_cli::batch::Case = serde_json::from_str(r#"{"id": "x", "bucket": "b"}"#)?;
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
/// let r = oss_cli::batch::CaseResult::error("x", "invalid region: ...");
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
    /// let r = oss_cli::batch::CaseResult::error("id-1", "no");
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

/// A refusal of a case, written like the client's own errors (`KIND: message`).
#[derive(Debug)]
struct CaseError(String);

impl CaseError {
    fn new(kind: ErrorKind, message: String) -> Self {
        Self(format!("{kind}: {message}"))
    }
}

impl From<oss_client::Error> for CaseError {
    fn from(e: oss_client::Error) -> Self {
        Self(e.to_string())
    }
}

fn case_error(message: String) -> CaseError {
    CaseError::new(ErrorKind::InvalidRequest, message)
}

/// Presigns one case.
///
/// ```
/// use oss_cli::batch::{run_case, Case};
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
        Err(err) => CaseResult::error(case.id.clone(), err.0),
    }
}

fn presign_case(case: &Case) -> Result<CaseResult, CaseError> {
    let version = match case.signature_version.as_deref() {
        None | Some("v4") => SignatureVersion::V4,
        Some("v1") => SignatureVersion::V1,
        Some(other) => {
            return Err(case_error(format!(
                "signature_version {other:?} is not supported; use \"v4\" or \"v1\""
            )))
        }
    };
    let signing_time = SigningTime::parse_rfc3339(&case.signing_time).map_err(|e| {
        case_error(format!(
            "signing_time {:?} is not YYYY-MM-DDTHH:MM:SSZ: {e}",
            case.signing_time
        ))
    })?;
    let expires = match case.expires_seconds {
        Some(s) if s >= 0 => Duration::from_secs(s.unsigned_abs()),
        Some(s) => {
            return Err(CaseError::new(
                ErrorKind::InvalidExpiry,
                format!("expires_seconds {s} is negative; a validity is 0 or more seconds"),
            ))
        }
        None => DEFAULT_EXPIRES,
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
                CaseError::new(
                    ErrorKind::Credentials,
                    format!("the case's credentials are unusable: {e}"),
                )
            },
        )?;
    if let Some(token) = &case.security_token {
        credentials = credentials.with_security_token(token.as_str());
    }

    let mut request = ObjectRequest::new(
        case.method.as_str(),
        case.bucket.as_str(),
        case.key.as_str(),
    );
    request.headers = case
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    request.parameters = case
        .query
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let options = PresignOptions::new().expires(expires);
    let result = client.presign_with_credentials(&request, &options, &credentials)?;
    Ok(CaseResult {
        id: case.id.clone(),
        peer: PEER,
        url: Some(result.url().to_owned()),
        method: Some(result.method().to_owned()),
        expiration: Some(result.expiration().to_rfc3339()),
        signed_headers: Some(
            result
                .signed_headers()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        ),
        error: None,
    })
}

/// What went wrong with a whole batch (a refused case is a result, not an error).
///
/// ```
/// use oss_cli::batch::BatchErrorKind;
/// let err = oss_cli::batch::run_json("[{}, ").unwrap_err();
/// assert_eq!(err.kind(), BatchErrorKind::Input);
/// assert_eq!((err.line(), err.column()), (1, 5));
/// ```
#[derive(Debug)]
pub struct BatchError {
    kind: BatchErrorKind,
    message: String,
    line: usize,
    column: usize,
}

/// The kind of a [`BatchError`].
///
/// ```
/// let kind = oss_cli::batch::BatchErrorKind::Output;
/// assert_ne!(kind, oss_cli::batch::BatchErrorKind::Input);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchErrorKind {
    /// The input is not a JSON array (malformed JSON, another type, trailing data) or cannot be
    /// read; [`BatchError::line`] and [`BatchError::column`] say where.
    Input,
    /// The results cannot be written.
    Output,
}

impl BatchError {
    fn input(e: &serde_json::Error) -> Self {
        let message = if e.is_io() {
            format!("cannot read the cases: {e}")
        } else {
            format!("the input is not a JSON array of cases: {e}")
        };
        Self {
            kind: BatchErrorKind::Input,
            message,
            line: e.line(),
            column: e.column(),
        }
    }

    fn output(e: impl fmt::Display) -> Self {
        Self {
            kind: BatchErrorKind::Output,
            message: format!("cannot write the results: {e}"),
            line: 0,
            column: 0,
        }
    }

    /// Whether the input or the output failed.
    ///
    /// ```
    /// let err = oss_cli::batch::run_json("{}").unwrap_err();
    /// assert_eq!(err.kind(), oss_cli::batch::BatchErrorKind::Input);
    /// ```
    pub fn kind(&self) -> BatchErrorKind {
        self.kind
    }

    /// The input line (from 1) where the input stopped being a JSON array of cases; 0 when
    /// unknown or for an output error.
    ///
    /// ```
    /// let err = oss_cli::batch::run_json("[\n{\"id\": }]").unwrap_err();
    /// assert_eq!(err.line(), 2);
    /// ```
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column (from 1) on [`line`](BatchError::line).
    ///
    /// ```
    /// let err = oss_cli::batch::run_json("[1 2]").unwrap_err();
    /// assert_eq!(err.column(), 4);
    /// ```
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BatchError {}

/// Presigns the cases of a JSON array read from `input` one at a time, writing each result to
/// `output` as soon as it is made (a pretty-printed JSON array, the same text as [`run_json`]).
/// Memory does not grow with the number of cases. Returns how many cases were read.
///
/// A case that is not a well-formed case object becomes an `error` result. Input that is not a
/// JSON array is a [`BatchError`] of kind [`BatchErrorKind::Input`] naming the line and column;
/// the results already written stay written, and the output is then not a complete array.
///
/// ```
/// let mut out = Vec::new();
/// let n = oss_cli::batch::run_stream(&br#"[{"id": "a"}, {"id": "b"}]"#[..], &mut out)?;
/// assert_eq!(n, 2);
/// let results: Vec<serde_json::Value> = serde_json::from_slice(&out)?;
/// assert_eq!(results[1]["id"], "b");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_stream<R: io::Read, W: io::Write>(input: R, output: W) -> Result<u64, BatchError> {
    run_from(serde_json::Deserializer::from_reader(input), output)
}

/// [`run_stream`] over any of serde_json's inputs (a reader, or text already in memory).
fn run_from<'de, R: serde_json::de::Read<'de>, W: io::Write>(
    mut de: serde_json::Deserializer<R>,
    output: W,
) -> Result<u64, BatchError> {
    let mut ser = serde_json::Serializer::pretty(output);
    let mut write_error = None;
    let read = CasesSeed {
        out: &mut ser,
        write_error: &mut write_error,
    }
    .deserialize(&mut de);
    if let Some(e) = write_error {
        return Err(BatchError::output(e));
    }
    let count = read.map_err(|e| BatchError::input(&e))?;
    de.end().map_err(|e| BatchError::input(&e))?;
    Ok(count)
}

type PrettyJson<W> = serde_json::Serializer<W, serde_json::ser::PrettyFormatter<'static>>;

/// Reads a JSON array, presigning and writing each element as it is read. Nothing is written
/// before the first element has been read whole (or the empty array has closed), so input that is
/// not an array at all leaves the output empty.
struct CasesSeed<'a, W: io::Write> {
    out: &'a mut PrettyJson<W>,
    write_error: &'a mut Option<serde_json::Error>,
}

impl<'de, W: io::Write> de::DeserializeSeed<'de> for CasesSeed<'_, W> {
    type Value = u64;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, W: io::Write> Visitor<'de> for CasesSeed<'_, W> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of cases")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut cases: A) -> Result<u64, A::Error> {
        let CasesSeed { out, write_error } = self;
        let mut fail = |e: serde_json::Error| {
            *write_error = Some(e);
            de::Error::custom("the results cannot be written")
        };
        let mut next = cases.next_element::<Value>()?;
        let mut seq = out.serialize_seq(None).map_err(&mut fail)?;
        let mut count = 0;
        while let Some(value) = next {
            count += 1;
            seq.serialize_element(&run_value(&value))
                .map_err(&mut fail)?;
            next = cases.next_element::<Value>()?;
        }
        seq.end().map_err(&mut fail)?;
        Ok(count)
    }
}

/// Presigns every case of a JSON array and returns the JSON array of results.
///
/// A case that is not a well-formed case object becomes an `error` result; only input that
/// is not a JSON array at all is a [`BatchError`] (kind [`BatchErrorKind::Input`]).
///
/// ```
/// let out = oss_cli::batch::run_json("[]")?;
/// assert_eq!(out, "[]");
/// assert!(oss_cli::batch::run_json("{").is_err());
/// # Ok::<(), oss_cli::batch::BatchError>(())
/// ```
pub fn run_json(input: &str) -> Result<String, BatchError> {
    let mut out = Vec::new();
    run_from(serde_json::Deserializer::from_str(input), &mut out)?;
    String::from_utf8(out).map_err(BatchError::output)
}

/// Presigns one case given as JSON (a value that is not a case object gives an `error` result).
///
/// ```
/// let result = oss_cli::batch::run_value(&serde_json::json!([1, 2]));
/// assert!(result.error.unwrap().contains("malformed case"));
/// ```
pub fn run_value(value: &Value) -> CaseResult {
    match Case::deserialize(value) {
        Ok(case) => run_case(&case),
        Err(e) => {
            let id = value
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            CaseResult::error(id, format!("invalid request: malformed case: {e}"))
        }
    }
}

/// Presigns already-parsed cases.
///
/// ```
/// let cases = vec![serde_json::json!({"id": "a"})];
/// let results = oss_cli::batch::run_values(&cases);
/// assert_eq!(results[0].id, "a");
/// assert!(results[0].error.is_some());
/// ```
pub fn run_values(cases: &[Value]) -> Vec<CaseResult> {
    cases.iter().map(run_value).collect()
}
