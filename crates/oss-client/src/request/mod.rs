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
//!
//! One file per family: `get` the reads (GetObject, HeadObject), `put` PutObject,
//! `multipart` the four multipart operations, `object` the free-form [`ObjectRequest`];
//! this file holds what they share (the parts, the trait, the setter macros for strings, values
//! and free-form headers, and the object headers PutObject and InitiateMultipartUpload both
//! take).

mod parts;

pub use parts::{Pair, PresignParts, Presignable};

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

/// `Option<T>` setters of `Copy` values (sizes, limits, flags), each with a doctest that builds
/// `$new`, sets the example value and checks the field.
macro_rules! value_setters {
    ($ty:ident, $new:literal { $($field:ident: $value_ty:ty = $example:literal),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                ///
                #[doc = concat!(
                    "```\nuse oss_client::", stringify!($ty), ";\nlet req = ", $new, ".",
                    stringify!($field), "(", stringify!($example), ");\nassert_eq!(req.",
                    stringify!($field), ", Some(", stringify!($example), "));\n```"
                )]
                #[must_use]
                pub fn $field(mut self, value: $value_ty) -> Self {
                    self.$field = Some(value);
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
        value_setters!($name, $new { forbid_overwrite: bool = true });
        common_setters!($name, $new);
    };
}

mod get;
mod multipart;
mod object;
mod put;

pub use get::{GetObjectRequest, HeadObjectRequest};
pub use multipart::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, InitiateMultipartUploadRequest,
    UploadPartRequest,
};
pub use object::ObjectRequest;
pub use put::PutObjectRequest;

#[cfg(test)]
mod tests;
