//! Typed requests of the seven operations that can be presigned, and the generic
//! [`ObjectRequest`] for anything else (any method, headers and query parameters).
//!
//! Each request is a struct with public fields, built with `new` and builder-style setters (the
//! structs are `#[non_exhaustive]`, so a new OSS header can be added without breaking anyone:
//! they cannot be written as struct literals outside this crate, but every field can still be
//! read and assigned):
//!
//! ```
//! use oss_client::GetObjectRequest;
//!
//! let a = GetObjectRequest::new("examplebucket", "exampleobject.txt").version_id("CAEQ");
//! let mut b = GetObjectRequest::new("examplebucket", "exampleobject.txt");
//! b.version_id = Some("CAEQ".into());
//! assert_eq!(a, b);
//! ```
//!
//! Where each field goes (header or query parameter) follows the official SDKs. Headers named
//! `x-oss-*`, `Content-Type` and `Content-MD5` are covered by the signature and returned in
//! [`PresignResult::signed_headers`](crate::PresignResult::signed_headers): whoever uses the URL
//! must send them with exactly those values. Other headers (`Range`, `If-Match`, ...) are not
//! signed and are returned in
//! [`PresignResult::unsigned_headers`](crate::PresignResult::unsigned_headers) as a reminder.

use std::borrow::Cow;

/// A header or query parameter name and value, borrowed from a request where possible.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The HTTP-level view of a request: method, bucket, key, headers and query parameters
/// (raw, unescaped values; an empty value means a parameter without a value, like `uploads`).
///
/// Produced by [`Presignable::presign_parts`]; the client validates it before signing.
///
/// ```
/// use oss_client::{PresignParts, Presignable, PutObjectRequest};
///
/// let put = PutObjectRequest::new("examplebucket", "a.txt").content_type("text/plain");
/// let parts: PresignParts<'_> = put.presign_parts();
/// assert_eq!(parts.method, "PUT");
/// assert_eq!(parts.headers[0], ("Content-Type".into(), "text/plain".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresignParts<'a> {
    /// HTTP method; upper-cased by the client.
    pub method: Cow<'a, str>,
    /// Bucket name.
    pub bucket: &'a str,
    /// Object key (unescaped).
    pub key: &'a str,
    /// Request headers, in order.
    pub headers: Vec<Pair<'a>>,
    /// Query parameters, in order (raw values).
    pub query: Vec<Pair<'a>>,
}

impl<'a> PresignParts<'a> {
    /// Parts with no headers and no query parameters.
    ///
    /// ```
    /// use oss_client::PresignParts;
    /// let parts = PresignParts::new("DELETE", "examplebucket", "k");
    /// assert!(parts.headers.is_empty() && parts.query.is_empty());
    /// ```
    pub fn new(method: impl Into<Cow<'a, str>>, bucket: &'a str, key: &'a str) -> Self {
        PresignParts {
            method: method.into(),
            bucket,
            key,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }

    fn header(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.headers
                .push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }

    fn header_owned(&mut self, name: &'static str, value: Option<String>) {
        if let Some(value) = value {
            self.headers.push((Cow::Borrowed(name), Cow::Owned(value)));
        }
    }

    fn param(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.query.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }

    fn extra(&mut self, headers: &'a [(String, String)], parameters: &'a [(String, String)]) {
        self.headers.extend(
            headers
                .iter()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))),
        );
        self.query.extend(
            parameters
                .iter()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))),
        );
    }

    fn metadata(&mut self, metadata: &'a [(String, String)]) {
        self.headers.extend(metadata.iter().map(|(n, v)| {
            (
                Cow::Owned(format!("x-oss-meta-{n}")),
                Cow::Borrowed(v.as_str()),
            )
        }));
    }
}

/// A request that can be presigned: one of the seven typed operations, an [`ObjectRequest`],
/// or a type of your own that maps itself to [`PresignParts`].
///
/// ```
/// use oss_client::{HeadObjectRequest, Presignable};
/// let head = HeadObjectRequest::new("examplebucket", "k");
/// assert_eq!(head.presign_parts().method, "HEAD");
/// ```
pub trait Presignable {
    /// The method, bucket, key, headers and query parameters of the request.
    fn presign_parts(&self) -> PresignParts<'_>;
}

impl<T: Presignable + ?Sized> Presignable for &T {
    fn presign_parts(&self) -> PresignParts<'_> {
        (**self).presign_parts()
    }
}

/// `Option<String>` setters, each with a doctest that builds `$new` and checks the field.
macro_rules! string_setters {
    ($ty:ident, $new:literal { $($field:ident),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                ///
                #[doc = concat!(
                    "```\nuse oss_client::", stringify!($ty), ";\nlet req = ", $new, ".",
                    stringify!($field), "(\"v\");\nassert_eq!(req.", stringify!($field),
                    ".as_deref(), Some(\"v\"));\n```"
                )]
                #[must_use]
                pub fn $field(mut self, value: impl Into<String>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// `header` and `parameter`, each with a doctest that builds `$new` and checks the parts.
macro_rules! common_setters {
    ($ty:ident, $new:literal) => {
        impl $ty {
            /// Adds a free-form request header (signed when it is `x-oss-*`, `Content-Type`,
            /// `Content-MD5`, or listed in the client's additional headers).
            ///
            #[doc = concat!(
                "```\nuse oss_client::{Presignable, ", stringify!($ty), "};\nlet req = ", $new,
                ".header(\"x-oss-meta-a\", \"1\");\nassert_eq!(req.presign_parts().headers.last(), Some(&(\"x-oss-meta-a\".into(), \"1\".into())));\n```"
            )]
            #[must_use]
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.headers.push((name.into(), value.into()));
                self
            }

            /// Adds a free-form query parameter (always signed; `""` = no value).
            ///
            #[doc = concat!(
                "```\nuse oss_client::{Presignable, ", stringify!($ty), "};\nlet req = ", $new,
                ".parameter(\"x-oss-ac-source-ip\", \"\");\nassert_eq!(req.presign_parts().query.last(), Some(&(\"x-oss-ac-source-ip\".into(), \"\".into())));\n```"
            )]
            #[must_use]
            pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.parameters.push((name.into(), value.into()));
                self
            }
        }
    };
}

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

    /// Sets [`traffic_limit`](Self::traffic_limit) (bit/s).
    ///
    /// ```
    /// use oss_client::{GetObjectRequest, Presignable};
    /// let get = GetObjectRequest::new("examplebucket", "k").traffic_limit(819_200);
    /// assert!(get.presign_parts().headers.contains(&("x-oss-traffic-limit".into(), "819200".into())));
    /// ```
    #[must_use]
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }
}

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

/// Declares a request that creates an object (PutObject, InitiateMultipartUpload): `bucket`,
/// `key`, the fields given, then the object headers both operations take (written once
/// here), `metadata`, `headers` and `parameters`; with `new`, every setter, and helpers that
/// push the shared headers in the order the official SDKs send them.
macro_rules! object_creation_request {
    (
        $(#[$attr:meta])*
        pub struct $name:ident, new: $new:literal {
            $($(#[$field_attr:meta])* pub $field:ident: $field_ty:ty,)*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// Bucket name.
            pub bucket: String,
            /// Object key.
            pub key: String,
            $($(#[$field_attr])* pub $field: $field_ty,)*
            /// `Content-Type` header (signed).
            pub content_type: Option<String>,
            /// `Cache-Control` header.
            pub cache_control: Option<String>,
            /// `Content-Disposition` header.
            pub content_disposition: Option<String>,
            /// `Content-Encoding` header.
            pub content_encoding: Option<String>,
            /// `Expires` header.
            pub expires: Option<String>,
            /// `x-oss-storage-class` header (`Standard`, `IA`, `Archive`, ...).
            pub storage_class: Option<String>,
            /// `x-oss-tagging` header (`a=1&b=2`).
            pub tagging: Option<String>,
            /// `x-oss-forbid-overwrite` header.
            pub forbid_overwrite: Option<bool>,
            /// `x-oss-server-side-encryption` header (`AES256`, `KMS`, `SM4`).
            pub server_side_encryption: Option<String>,
            /// `x-oss-server-side-data-encryption` header.
            pub server_side_data_encryption: Option<String>,
            /// `x-oss-server-side-encryption-key-id` header.
            pub server_side_encryption_key_id: Option<String>,
            /// `x-oss-request-payer` header (`requester`).
            pub request_payer: Option<String>,
            /// User metadata: each `(name, value)` becomes header `x-oss-meta-{name}`.
            pub metadata: Vec<(String, String)>,
            /// Further headers.
            pub headers: Vec<(String, String)>,
            /// Further query parameters.
            pub parameters: Vec<(String, String)>,
        }

        impl $name {
            #[doc = concat!("A ", stringify!($name), " for `bucket`/`key` with no options.")]
            ///
            #[doc = concat!(
                "```\nlet req = oss_client::", stringify!($name), "::new(\"examplebucket\", \"k\");\n",
                "assert_eq!((req.bucket.as_str(), req.key.as_str()), (\"examplebucket\", \"k\"));\n",
                "assert!(req.content_type.is_none() && req.metadata.is_empty());\n```"
            )]
            pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
                $name {
                    bucket: bucket.into(),
                    key: key.into(),
                    ..Default::default()
                }
            }

            /// Adds one metadata entry (`x-oss-meta-{name}: value`).
            ///
            #[doc = concat!(
                "```\nuse oss_client::{Presignable, ", stringify!($name), "};\n",
                "let req = ", $new, ".metadata(\"author\", \"alice\");\n",
                "assert!(req.presign_parts().headers.contains(&(\"x-oss-meta-author\".into(), \"alice\".into())));\n```"
            )]
            #[must_use]
            pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.metadata.push((name.into(), value.into()));
                self
            }

            /// Sets [`forbid_overwrite`](Self::forbid_overwrite).
            ///
            #[doc = concat!(
                "```\nuse oss_client::{Presignable, ", stringify!($name), "};\n",
                "let req = ", $new, ".forbid_overwrite(true);\n",
                "assert!(req.presign_parts().headers.contains(&(\"x-oss-forbid-overwrite\".into(), \"true\".into())));\n```"
            )]
            #[must_use]
            pub fn forbid_overwrite(mut self, forbid: bool) -> Self {
                self.forbid_overwrite = Some(forbid);
                self
            }

            /// `Cache-Control`, `Content-Disposition`, `Content-Encoding`, `Expires`.
            fn push_representation_headers<'a>(&'a self, p: &mut PresignParts<'a>) {
                p.header("Cache-Control", &self.cache_control);
                p.header("Content-Disposition", &self.content_disposition);
                p.header("Content-Encoding", &self.content_encoding);
                p.header("Expires", &self.expires);
            }

            /// Storage class, tagging, overwrite protection and server-side encryption.
            fn push_storage_headers<'a>(&'a self, p: &mut PresignParts<'a>) {
                p.header("x-oss-storage-class", &self.storage_class);
                p.header("x-oss-tagging", &self.tagging);
                p.header_owned(
                    "x-oss-forbid-overwrite",
                    self.forbid_overwrite.map(|v| v.to_string()),
                );
                p.header("x-oss-server-side-encryption", &self.server_side_encryption);
                p.header(
                    "x-oss-server-side-data-encryption",
                    &self.server_side_data_encryption,
                );
                p.header(
                    "x-oss-server-side-encryption-key-id",
                    &self.server_side_encryption_key_id,
                );
            }

            /// `x-oss-request-payer`, the metadata, then the free-form headers and parameters.
            fn push_payer_metadata_and_extras<'a>(&'a self, p: &mut PresignParts<'a>) {
                p.header("x-oss-request-payer", &self.request_payer);
                p.metadata(&self.metadata);
                p.extra(&self.headers, &self.parameters);
            }
        }

        string_setters!($name, $new {
            content_type,
            cache_control,
            content_disposition,
            content_encoding,
            expires,
            storage_class,
            tagging,
            server_side_encryption,
            server_side_data_encryption,
            server_side_encryption_key_id,
            request_payer,
        });
        common_setters!($name, $new);
    };
}

object_creation_request! {
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
        pub content_length: Option<u64>,
        /// `x-oss-object-acl` header (`private`, `public-read`, ...).
        pub acl: Option<String>,
        /// `x-oss-callback` header (base64 JSON).
        pub callback: Option<String>,
        /// `x-oss-callback-var` header (base64 JSON).
        pub callback_var: Option<String>,
        /// `x-oss-traffic-limit` header, in bit/s.
        pub traffic_limit: Option<u64>,
    }
}

impl PutObjectRequest {
    /// Sets [`content_length`](Self::content_length).
    ///
    /// ```
    /// use oss_client::{Presignable, PutObjectRequest};
    /// let put = PutObjectRequest::new("examplebucket", "k").content_length(5);
    /// assert!(put.presign_parts().headers.contains(&("Content-Length".into(), "5".into())));
    /// ```
    #[must_use]
    pub fn content_length(mut self, length: u64) -> Self {
        self.content_length = Some(length);
        self
    }

    /// Sets [`traffic_limit`](Self::traffic_limit) (bit/s).
    ///
    /// ```
    /// use oss_client::{Presignable, PutObjectRequest};
    /// let put = PutObjectRequest::new("examplebucket", "k").traffic_limit(819_200);
    /// assert!(put.presign_parts().headers.contains(&("x-oss-traffic-limit".into(), "819200".into())));
    /// ```
    #[must_use]
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }
}

string_setters!(PutObjectRequest, "PutObjectRequest::new(\"examplebucket\", \"k\")" {
    content_md5,
    acl,
    callback,
    callback_var,
});

impl Presignable for PutObjectRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("PUT", &self.bucket, &self.key);
        p.header("Content-Type", &self.content_type);
        p.header("Content-MD5", &self.content_md5);
        p.header_owned("Content-Length", self.content_length.map(|v| v.to_string()));
        self.push_representation_headers(&mut p);
        p.header("x-oss-object-acl", &self.acl);
        self.push_storage_headers(&mut p);
        p.header("x-oss-callback", &self.callback);
        p.header("x-oss-callback-var", &self.callback_var);
        p.header_owned(
            "x-oss-traffic-limit",
            self.traffic_limit.map(|v| v.to_string()),
        );
        self.push_payer_metadata_and_extras(&mut p);
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

object_creation_request! {
    /// Presign the start of a multipart upload: `POST /{key}?uploads`.
    ///
    /// Takes the same object headers as [`PutObjectRequest`] (they are declared once for both).
    ///
    /// ```
    /// use oss_client::{InitiateMultipartUploadRequest, Presignable};
    /// let init = InitiateMultipartUploadRequest::new("examplebucket", "big.bin");
    /// let parts = init.presign_parts();
    /// assert_eq!((parts.method.as_ref(), &parts.query[0]), ("POST", &("uploads".into(), "".into())));
    /// ```
    pub struct InitiateMultipartUploadRequest,
        new: "InitiateMultipartUploadRequest::new(\"examplebucket\", \"k\")" {
        /// `encoding-type` query parameter (`url`).
        pub encoding_type: Option<String>,
    }
}

string_setters!(
    InitiateMultipartUploadRequest,
    "InitiateMultipartUploadRequest::new(\"examplebucket\", \"k\")" { encoding_type }
);

impl Presignable for InitiateMultipartUploadRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("POST", &self.bucket, &self.key);
        p.query.push((Cow::Borrowed("uploads"), Cow::Borrowed("")));
        p.param("encoding-type", &self.encoding_type);
        p.header("Content-Type", &self.content_type);
        self.push_representation_headers(&mut p);
        self.push_storage_headers(&mut p);
        self.push_payer_metadata_and_extras(&mut p);
        p
    }
}

/// Presign the upload of one part: `PUT /{key}?partNumber={n}&uploadId={id}`.
///
/// The part number must be 1..=10000 and the upload id non-empty; the client checks both.
///
/// ```
/// use oss_client::{Presignable, UploadPartRequest};
/// let part = UploadPartRequest::new("examplebucket", "big.bin", 1, "0004B9894A22E5B1888A1E29F823****");
/// let parts = part.presign_parts();
/// assert_eq!(parts.query[0], ("partNumber".into(), "1".into()));
/// assert_eq!(parts.query[1].0, "uploadId");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadPartRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// `partNumber` query parameter, 1..=10000.
    pub part_number: u32,
    /// `uploadId` query parameter.
    pub upload_id: String,
    /// `Content-MD5` header (signed).
    pub content_md5: Option<String>,
    /// `Content-Length` header (not signed).
    pub content_length: Option<u64>,
    /// `x-oss-traffic-limit` header, in bit/s.
    pub traffic_limit: Option<u64>,
    /// `x-oss-request-payer` header (`requester`).
    pub request_payer: Option<String>,
    /// Further headers.
    pub headers: Vec<(String, String)>,
    /// Further query parameters.
    pub parameters: Vec<(String, String)>,
}

impl UploadPartRequest {
    /// An UploadPart request.
    ///
    /// ```
    /// let req = oss_client::UploadPartRequest::new("examplebucket", "k", 2, "UPID");
    /// assert_eq!(req.part_number, 2);
    /// ```
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        part_number: u32,
        upload_id: impl Into<String>,
    ) -> Self {
        UploadPartRequest {
            bucket: bucket.into(),
            key: key.into(),
            part_number,
            upload_id: upload_id.into(),
            ..Default::default()
        }
    }

    /// Sets [`content_length`](Self::content_length).
    ///
    /// ```
    /// use oss_client::{Presignable, UploadPartRequest};
    /// let part = UploadPartRequest::new("examplebucket", "k", 1, "UPID").content_length(5);
    /// assert!(part.presign_parts().headers.contains(&("Content-Length".into(), "5".into())));
    /// ```
    #[must_use]
    pub fn content_length(mut self, length: u64) -> Self {
        self.content_length = Some(length);
        self
    }

    /// Sets [`traffic_limit`](Self::traffic_limit) (bit/s).
    ///
    /// ```
    /// use oss_client::{Presignable, UploadPartRequest};
    /// let part = UploadPartRequest::new("examplebucket", "k", 1, "UPID").traffic_limit(8);
    /// assert!(part.presign_parts().headers.contains(&("x-oss-traffic-limit".into(), "8".into())));
    /// ```
    #[must_use]
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }
}

string_setters!(UploadPartRequest, "UploadPartRequest::new(\"examplebucket\", \"k\", 1, \"UPID\")" {
    content_md5,
    request_payer,
});
common_setters!(
    UploadPartRequest,
    "UploadPartRequest::new(\"examplebucket\", \"k\", 1, \"UPID\")"
);

impl Presignable for UploadPartRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("PUT", &self.bucket, &self.key);
        p.query.push((
            Cow::Borrowed("partNumber"),
            Cow::Owned(self.part_number.to_string()),
        ));
        p.query
            .push((Cow::Borrowed("uploadId"), Cow::Borrowed(&self.upload_id)));
        p.header("Content-MD5", &self.content_md5);
        p.header_owned("Content-Length", self.content_length.map(|v| v.to_string()));
        p.header_owned(
            "x-oss-traffic-limit",
            self.traffic_limit.map(|v| v.to_string()),
        );
        p.header("x-oss-request-payer", &self.request_payer);
        p.extra(&self.headers, &self.parameters);
        p
    }
}

/// Presign the completion of a multipart upload: `POST /{key}?uploadId={id}`.
///
/// ```
/// use oss_client::{CompleteMultipartUploadRequest, Presignable};
/// let done = CompleteMultipartUploadRequest::new("examplebucket", "big.bin", "UPID").complete_all(true);
/// let parts = done.presign_parts();
/// assert_eq!(parts.method, "POST");
/// assert!(parts.headers.contains(&("x-oss-complete-all".into(), "yes".into())));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteMultipartUploadRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// `uploadId` query parameter.
    pub upload_id: String,
    /// `encoding-type` query parameter (`url`).
    pub encoding_type: Option<String>,
    /// `x-oss-complete-all: yes` (complete with every uploaded part, no body needed).
    pub complete_all: bool,
    /// `x-oss-object-acl` header.
    pub acl: Option<String>,
    /// `x-oss-forbid-overwrite` header.
    pub forbid_overwrite: Option<bool>,
    /// `x-oss-callback` header (base64 JSON).
    pub callback: Option<String>,
    /// `x-oss-callback-var` header (base64 JSON).
    pub callback_var: Option<String>,
    /// `x-oss-request-payer` header (`requester`).
    pub request_payer: Option<String>,
    /// Further headers.
    pub headers: Vec<(String, String)>,
    /// Further query parameters.
    pub parameters: Vec<(String, String)>,
}

impl CompleteMultipartUploadRequest {
    /// A CompleteMultipartUpload request.
    ///
    /// ```
    /// let req = oss_client::CompleteMultipartUploadRequest::new("examplebucket", "k", "UPID");
    /// assert!(!req.complete_all);
    /// ```
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
    ) -> Self {
        CompleteMultipartUploadRequest {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
            ..Default::default()
        }
    }

    /// Sets [`complete_all`](Self::complete_all).
    ///
    /// ```
    /// use oss_client::{CompleteMultipartUploadRequest, Presignable};
    /// let done = CompleteMultipartUploadRequest::new("examplebucket", "k", "UPID").complete_all(true);
    /// assert!(done.presign_parts().headers.contains(&("x-oss-complete-all".into(), "yes".into())));
    /// ```
    #[must_use]
    pub fn complete_all(mut self, all: bool) -> Self {
        self.complete_all = all;
        self
    }

    /// Sets [`forbid_overwrite`](Self::forbid_overwrite).
    ///
    /// ```
    /// use oss_client::{CompleteMultipartUploadRequest, Presignable};
    /// let done = CompleteMultipartUploadRequest::new("examplebucket", "k", "UPID").forbid_overwrite(false);
    /// assert!(done.presign_parts().headers.contains(&("x-oss-forbid-overwrite".into(), "false".into())));
    /// ```
    #[must_use]
    pub fn forbid_overwrite(mut self, forbid: bool) -> Self {
        self.forbid_overwrite = Some(forbid);
        self
    }
}

string_setters!(CompleteMultipartUploadRequest, "CompleteMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")" {
    encoding_type,
    acl,
    callback,
    callback_var,
    request_payer,
});
common_setters!(
    CompleteMultipartUploadRequest,
    "CompleteMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")"
);

impl Presignable for CompleteMultipartUploadRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("POST", &self.bucket, &self.key);
        p.query
            .push((Cow::Borrowed("uploadId"), Cow::Borrowed(&self.upload_id)));
        p.param("encoding-type", &self.encoding_type);
        if self.complete_all {
            p.headers
                .push((Cow::Borrowed("x-oss-complete-all"), Cow::Borrowed("yes")));
        }
        p.header("x-oss-object-acl", &self.acl);
        p.header_owned(
            "x-oss-forbid-overwrite",
            self.forbid_overwrite.map(|v| v.to_string()),
        );
        p.header("x-oss-callback", &self.callback);
        p.header("x-oss-callback-var", &self.callback_var);
        p.header("x-oss-request-payer", &self.request_payer);
        p.extra(&self.headers, &self.parameters);
        p
    }
}

/// Presign the cancellation of a multipart upload: `DELETE /{key}?uploadId={id}`.
///
/// ```
/// use oss_client::{AbortMultipartUploadRequest, Presignable};
/// let abort = AbortMultipartUploadRequest::new("examplebucket", "big.bin", "UPID");
/// assert_eq!(abort.presign_parts().method, "DELETE");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AbortMultipartUploadRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// `uploadId` query parameter.
    pub upload_id: String,
    /// `x-oss-request-payer` header (`requester`).
    pub request_payer: Option<String>,
    /// Further headers.
    pub headers: Vec<(String, String)>,
    /// Further query parameters.
    pub parameters: Vec<(String, String)>,
}

impl AbortMultipartUploadRequest {
    /// An AbortMultipartUpload request.
    ///
    /// ```
    /// let req = oss_client::AbortMultipartUploadRequest::new("examplebucket", "k", "UPID");
    /// assert_eq!(req.upload_id, "UPID");
    /// ```
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
    ) -> Self {
        AbortMultipartUploadRequest {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
            ..Default::default()
        }
    }
}

string_setters!(AbortMultipartUploadRequest, "AbortMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")" { request_payer });
common_setters!(
    AbortMultipartUploadRequest,
    "AbortMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")"
);

impl Presignable for AbortMultipartUploadRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new("DELETE", &self.bucket, &self.key);
        p.query
            .push((Cow::Borrowed("uploadId"), Cow::Borrowed(&self.upload_id)));
        p.header("x-oss-request-payer", &self.request_payer);
        p.extra(&self.headers, &self.parameters);
        p
    }
}

/// Any object request: a method of your choice with free-form headers and query parameters.
///
/// This is what the `oss-presign batch` command uses for conformance cases; prefer the typed
/// requests in application code.
///
/// ```
/// use oss_client::{ObjectRequest, Presignable};
/// let req = ObjectRequest::new("post", "examplebucket", "k").parameter("uploads", "");
/// let parts = req.presign_parts();
/// assert_eq!(parts.method, "post"); // upper-cased by the client when it signs
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectRequest {
    /// HTTP method (upper-cased when signed).
    pub method: String,
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Query parameters (raw values; `""` = no value).
    pub parameters: Vec<(String, String)>,
}

impl ObjectRequest {
    /// A request with `method` on `bucket`/`key`.
    ///
    /// ```
    /// let req = oss_client::ObjectRequest::new("GET", "examplebucket", "k");
    /// assert_eq!(req.method, "GET");
    /// ```
    pub fn new(
        method: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        ObjectRequest {
            method: method.into(),
            bucket: bucket.into(),
            key: key.into(),
            ..Default::default()
        }
    }
}

common_setters!(
    ObjectRequest,
    "ObjectRequest::new(\"GET\", \"examplebucket\", \"k\")"
);

impl Presignable for ObjectRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new(self.method.as_str(), &self.bucket, &self.key);
        p.extra(&self.headers, &self.parameters);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q<'a>(parts: &'a PresignParts<'_>) -> Vec<(&'a str, &'a str)> {
        parts
            .query
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect()
    }
    fn h<'a>(parts: &'a PresignParts<'_>) -> Vec<(&'a str, &'a str)> {
        parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect()
    }

    #[test]
    fn get_object_maps_every_field() {
        let req = GetObjectRequest::new("b", "k")
            .range("bytes=0-9")
            .range_behavior("standard")
            .if_match("e1")
            .if_none_match("e2")
            .if_modified_since("m1")
            .if_unmodified_since("m2")
            .accept_encoding("identity")
            .response_cache_control("no-cache")
            .response_content_disposition("attachment")
            .response_content_encoding("gzip")
            .response_content_language("zh-CN")
            .response_content_type("text/plain")
            .response_expires("0")
            .version_id("v")
            .process("image/resize,w_1")
            .traffic_limit(819200)
            .request_payer("requester")
            .header("x-oss-meta-x", "1")
            .parameter("p", "");
        let parts = req.presign_parts();
        assert_eq!(parts.method, "GET");
        assert_eq!(
            q(&parts),
            [
                ("response-cache-control", "no-cache"),
                ("response-content-disposition", "attachment"),
                ("response-content-encoding", "gzip"),
                ("response-content-language", "zh-CN"),
                ("response-content-type", "text/plain"),
                ("response-expires", "0"),
                ("versionId", "v"),
                ("x-oss-process", "image/resize,w_1"),
                ("p", ""),
            ]
        );
        assert_eq!(
            h(&parts),
            [
                ("Range", "bytes=0-9"),
                ("x-oss-range-behavior", "standard"),
                ("If-Match", "e1"),
                ("If-None-Match", "e2"),
                ("If-Modified-Since", "m1"),
                ("If-Unmodified-Since", "m2"),
                ("Accept-Encoding", "identity"),
                ("x-oss-traffic-limit", "819200"),
                ("x-oss-request-payer", "requester"),
                ("x-oss-meta-x", "1"),
            ]
        );
    }

    #[test]
    fn put_object_maps_fields_and_metadata() {
        let req = PutObjectRequest::new("b", "k")
            .content_type("text/plain")
            .content_md5("md5")
            .content_length(5)
            .acl("private")
            .storage_class("IA")
            .tagging("a=1")
            .forbid_overwrite(false)
            .metadata("author", "alice");
        let parts = req.presign_parts();
        assert_eq!(parts.method, "PUT");
        assert!(parts.query.is_empty());
        assert_eq!(
            h(&parts),
            [
                ("Content-Type", "text/plain"),
                ("Content-MD5", "md5"),
                ("Content-Length", "5"),
                ("x-oss-object-acl", "private"),
                ("x-oss-storage-class", "IA"),
                ("x-oss-tagging", "a=1"),
                ("x-oss-forbid-overwrite", "false"),
                ("x-oss-meta-author", "alice"),
            ]
        );
    }

    #[test]
    fn multipart_requests_carry_their_sub_resources() {
        let init = InitiateMultipartUploadRequest::new("b", "k").encoding_type("url");
        assert_eq!(
            q(&init.presign_parts()),
            [("uploads", ""), ("encoding-type", "url")]
        );
        let part = UploadPartRequest::new("b", "k", 7, "U");
        let parts = part.presign_parts();
        assert_eq!(
            (parts.method.as_ref(), q(&parts)),
            ("PUT", vec![("partNumber", "7"), ("uploadId", "U")])
        );
        let done = CompleteMultipartUploadRequest::new("b", "k", "U");
        let parts = done.presign_parts();
        assert_eq!(
            (parts.method.as_ref(), q(&parts)),
            ("POST", vec![("uploadId", "U")])
        );
        assert!(parts.headers.is_empty());
        let abort = AbortMultipartUploadRequest::new("b", "k", "U").request_payer("requester");
        let parts = abort.presign_parts();
        assert_eq!(
            (parts.method.as_ref(), q(&parts)),
            ("DELETE", vec![("uploadId", "U")])
        );
        assert_eq!(h(&parts), [("x-oss-request-payer", "requester")]);
        let head = HeadObjectRequest::new("b", "k").if_match("e");
        assert_eq!(h(&head.presign_parts()), [("If-Match", "e")]);
    }
}
