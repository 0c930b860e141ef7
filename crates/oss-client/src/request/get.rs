//! The reads: GetObject (`GET /{key}`) and HeadObject (`HEAD /{key}`).

use super::parts::{PresignParts, Presignable};

/// Presign a download: `GET /{key}`.
///
/// | field | goes to | signed |
/// | --- | --- | --- |
/// | `range` | header `Range` | no |
/// | `if_match`, `if_none_match`, `if_modified_since`, `if_unmodified_since` | `If-*` headers | no |
/// | `accept_encoding` | header `Accept-Encoding` | no |
/// | `range_behavior` | header `x-oss-range-behavior` | yes |
/// | `traffic_limit` | header `x-oss-traffic-limit` (bit/s) | yes |
/// | `request_payer` | header `x-oss-request-payer` | yes |
/// | `response_*` | query `response-cache-control`, `response-content-disposition`, ... | yes |
/// | `version_id` | query `versionId` | yes |
/// | `process` | query `x-oss-process` | yes |
///
/// ```
/// use oss_client::{Presignable, GetObjectRequest};
/// let get = GetObjectRequest::new("examplebucket", "photo.jpg")
///     .process("image/resize,w_100")
///     .traffic_limit(819200)
///     .range("bytes=0-99");
/// let parts = get.presign_parts();
/// assert_eq!(parts.query[0], ("x-oss-process".into(), "image/resize,w_100".into()));
/// assert!(parts.headers.contains(&("x-oss-traffic-limit".into(), "819200".into())));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// `Range` header, e.g. `bytes=0-1023` (not signed).
    pub range: Option<String>,
    /// `x-oss-range-behavior` header (`standard`).
    pub range_behavior: Option<String>,
    /// `If-Match` header (not signed).
    pub if_match: Option<String>,
    /// `If-None-Match` header (not signed).
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` header (not signed).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` header (not signed).
    pub if_unmodified_since: Option<String>,
    /// `Accept-Encoding` header (not signed).
    pub accept_encoding: Option<String>,
    /// `response-cache-control` query parameter.
    pub response_cache_control: Option<String>,
    /// `response-content-disposition` query parameter.
    pub response_content_disposition: Option<String>,
    /// `response-content-encoding` query parameter.
    pub response_content_encoding: Option<String>,
    /// `response-content-language` query parameter.
    pub response_content_language: Option<String>,
    /// `response-content-type` query parameter.
    pub response_content_type: Option<String>,
    /// `response-expires` query parameter.
    pub response_expires: Option<String>,
    /// `versionId` query parameter.
    pub version_id: Option<String>,
    /// `x-oss-process` query parameter (image/video processing).
    pub process: Option<String>,
    /// `x-oss-traffic-limit` header, in bit/s.
    pub traffic_limit: Option<u64>,
    /// `x-oss-request-payer` header (`requester`).
    pub request_payer: Option<String>,
    /// Further headers.
    pub headers: Vec<(String, String)>,
    /// Further query parameters.
    pub parameters: Vec<(String, String)>,
}

impl GetObjectRequest {
    /// A GetObject request for `bucket`/`key` with no options.
    ///
    /// ```
    /// let req = oss_client::GetObjectRequest::new("examplebucket", "exampleobject.txt");
    /// assert_eq!(req.key, "exampleobject.txt");
    /// ```
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        GetObjectRequest {
            bucket: bucket.into(),
            key: key.into(),
            ..Default::default()
        }
    }
}

value_setters!(GetObjectRequest, "GetObjectRequest::new(\"examplebucket\", \"k\")" {
    traffic_limit: u64 = 819_200,
});
string_setters!(GetObjectRequest, "GetObjectRequest::new(\"examplebucket\", \"k\")" {
    range,
    range_behavior,
    if_match,
    if_none_match,
    if_modified_since,
    if_unmodified_since,
    accept_encoding,
    response_cache_control,
    response_content_disposition,
    response_content_encoding,
    response_content_language,
    response_content_type,
    response_expires,
    version_id,
    process,
    request_payer,
});
common_setters!(
    GetObjectRequest,
    "GetObjectRequest::new(\"examplebucket\", \"k\")"
);

impl Presignable for GetObjectRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("GET", &self.bucket, &self.key);
        p.param("response-cache-control", &self.response_cache_control);
        p.param(
            "response-content-disposition",
            &self.response_content_disposition,
        );
        p.param("response-content-encoding", &self.response_content_encoding);
        p.param("response-content-language", &self.response_content_language);
        p.param("response-content-type", &self.response_content_type);
        p.param("response-expires", &self.response_expires);
        p.param("versionId", &self.version_id);
        p.param("x-oss-process", &self.process);
        p.header("Range", &self.range);
        p.header("x-oss-range-behavior", &self.range_behavior);
        p.header("If-Match", &self.if_match);
        p.header("If-None-Match", &self.if_none_match);
        p.header("If-Modified-Since", &self.if_modified_since);
        p.header("If-Unmodified-Since", &self.if_unmodified_since);
        p.header("Accept-Encoding", &self.accept_encoding);
        p.header_owned(
            "x-oss-traffic-limit",
            self.traffic_limit.map(|v| v.to_string()),
        );
        p.header("x-oss-request-payer", &self.request_payer);
        p.extra(&self.headers, &self.parameters);
        p
    }
}

/// Presign a metadata request: `HEAD /{key}`.
///
/// ```
/// use oss_client::{HeadObjectRequest, Presignable};
/// let head = HeadObjectRequest::new("examplebucket", "k").version_id("CAEQ");
/// assert_eq!(head.presign_parts().query[0], ("versionId".into(), "CAEQ".into()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeadObjectRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// `versionId` query parameter.
    pub version_id: Option<String>,
    /// `If-Match` header (not signed).
    pub if_match: Option<String>,
    /// `If-None-Match` header (not signed).
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` header (not signed).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` header (not signed).
    pub if_unmodified_since: Option<String>,
    /// `x-oss-request-payer` header (`requester`).
    pub request_payer: Option<String>,
    /// Further headers.
    pub headers: Vec<(String, String)>,
    /// Further query parameters.
    pub parameters: Vec<(String, String)>,
}

impl HeadObjectRequest {
    /// A HeadObject request for `bucket`/`key`.
    ///
    /// ```
    /// let req = oss_client::HeadObjectRequest::new("examplebucket", "k");
    /// assert_eq!(req.bucket, "examplebucket");
    /// ```
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        HeadObjectRequest {
            bucket: bucket.into(),
            key: key.into(),
            ..Default::default()
        }
    }
}

string_setters!(HeadObjectRequest, "HeadObjectRequest::new(\"examplebucket\", \"k\")" {
    version_id,
    if_match,
    if_none_match,
    if_modified_since,
    if_unmodified_since,
    request_payer,
});
common_setters!(
    HeadObjectRequest,
    "HeadObjectRequest::new(\"examplebucket\", \"k\")"
);

impl Presignable for HeadObjectRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("HEAD", &self.bucket, &self.key);
        p.param("versionId", &self.version_id);
        p.header("If-Match", &self.if_match);
        p.header("If-None-Match", &self.if_none_match);
        p.header("If-Modified-Since", &self.if_modified_since);
        p.header("If-Unmodified-Since", &self.if_unmodified_since);
        p.header("x-oss-request-payer", &self.request_payer);
        p.extra(&self.headers, &self.parameters);
        p
    }
}
