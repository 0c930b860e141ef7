//! The reads: GetObject (`GET /{key}`) and HeadObject (`HEAD /{key}`).

use super::inline::PartsSink;

request! {
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
    pub struct GetObjectRequest, new: "GetObjectRequest::new(\"examplebucket\", \"k\")" {
        /// `Range` header, e.g. `bytes=0-1023` (not signed).
        pub range: Option<String>,
        /// `x-oss-range-behavior` header (`standard`).
        pub range_behavior: Option<String>,
        @conditional_headers,
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
        pub traffic_limit: Option<u64> = 819_200,
        @request_payer,
    }
}

typed_presignable!(GetObjectRequest, "GET");

impl GetObjectRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
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
        self.push_conditional_headers(p);
        p.header("Accept-Encoding", &self.accept_encoding);
        p.header_value("x-oss-traffic-limit", self.traffic_limit);
        p.payer_and_extra(&self.request_payer, &self.headers, &self.parameters);
    }
}

request! {
    /// Presign a metadata request: `HEAD /{key}`.
    ///
    /// ```
    /// use oss_client::{HeadObjectRequest, Presignable};
    /// let head = HeadObjectRequest::new("examplebucket", "k").version_id("CAEQ");
    /// assert_eq!(head.presign_parts().query[0], ("versionId".into(), "CAEQ".into()));
    /// ```
    pub struct HeadObjectRequest, new: "HeadObjectRequest::new(\"examplebucket\", \"k\")" {
        /// `versionId` query parameter.
        pub version_id: Option<String>,
        @conditional_headers,
        @request_payer,
    }
}

typed_presignable!(HeadObjectRequest, "HEAD");

impl HeadObjectRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.param("versionId", &self.version_id);
        self.push_conditional_headers(p);
        p.payer_and_extra(&self.request_payer, &self.headers, &self.parameters);
    }
}
