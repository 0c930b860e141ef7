//! PutObject (`PUT /{key}`): the object headers declared once in the parent module, plus
//! the upload's own (`Content-MD5`, `Content-Length`, ACL, callback, traffic limit).

use super::inline::PartsSink;

request! {
    /// Presign an upload: `PUT /{key}`.
    ///
    /// `content_type`, `content_md5`, `x-oss-*` fields and metadata are signed: the uploader must
    /// send them with the same values. `metadata` entries become `x-oss-meta-{name}` headers.
    ///
    /// ```
    /// use oss_client::{Presignable, PutObjectRequest};
    /// let put = PutObjectRequest::new("examplebucket", "report.pdf")
    ///     .content_type("application/pdf")
    ///     .metadata("author", "alice")
    ///     .forbid_overwrite(true);
    /// let parts = put.presign_parts();
    /// assert!(parts.headers.contains(&("x-oss-meta-author".into(), "alice".into())));
    /// assert!(parts.headers.contains(&("x-oss-forbid-overwrite".into(), "true".into())));
    /// ```
    pub struct PutObjectRequest, new: "PutObjectRequest::new(\"examplebucket\", \"k\")" {
        /// `Content-MD5` header (signed).
        pub content_md5: Option<String>,
        /// `Content-Length` header (not signed).
        pub content_length: Option<u64> = 5,
        /// `x-oss-object-acl` header (`private`, `public-read`, ...).
        pub acl: Option<String>,
        /// `x-oss-callback` header (base64 JSON).
        pub callback: Option<String>,
        /// `x-oss-callback-var` header (base64 JSON).
        pub callback_var: Option<String>,
        /// `x-oss-traffic-limit` header, in bit/s.
        pub traffic_limit: Option<u64> = 819_200,
        @object_headers,
    }
}

typed_presignable!(PutObjectRequest, "PUT");

impl PutObjectRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.header("Content-Type", &self.content_type);
        p.header("Content-MD5", &self.content_md5);
        p.header_value("Content-Length", self.content_length);
        self.push_representation_headers(p);
        p.header("x-oss-object-acl", &self.acl);
        self.push_storage_headers(p);
        p.header("x-oss-callback", &self.callback);
        p.header("x-oss-callback-var", &self.callback_var);
        p.header_value("x-oss-traffic-limit", self.traffic_limit);
        self.push_payer_metadata_and_extras(p);
    }
}
