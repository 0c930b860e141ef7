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
//! this file holds what they share (the parts, the trait, and the `request!` macro that declares
//! each request's fields once, with their setters, and the field groups several requests take:
//! the request payer, the conditional headers, the object headers of PutObject and
//! InitiateMultipartUpload).

mod inline;
mod parts;

pub use inline::InlineParts;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use inline::PairCopy;
pub use parts::{Pair, PresignParts, PresignView, Presignable};
pub(crate) use parts::{PairText, PartsRef};

/// `Presignable` for a typed request whose inherent `write_parts` writes its parts (after
/// `$method`, its bucket and key) through an `inline::PartsSink`: the same code
/// fills the [`PresignParts`] vectors and the [`InlineParts`] arrays.
macro_rules! typed_presignable {
    ($name:ident, $method:literal) => {
        impl $crate::request::Presignable for $name {
            fn presign_parts(&self) -> $crate::request::PresignParts<'_> {
                let mut p = $crate::request::PresignParts::new($method, &self.bucket, &self.key);
                self.write_parts(&mut p);
                p
            }

            // Not in the WebAssembly module: a second copy of every request's `write_parts`
            // (for `InlineParts` beside `PresignParts`) costs the module ~25 KB, and there the
            // vectors' allocations are not what a presign waits on (SHA-256 is).
            #[cfg(not(target_arch = "wasm32"))]
            fn presign_inline<'a>(&'a self, parts: &mut $crate::request::InlineParts<'a>) -> bool {
                parts.set_target($method, &self.bucket, &self.key);
                self.write_parts(parts);
                parts.is_complete()
            }
        }
    };
}

/// Declares a typed request: the struct (`bucket`, `key`, the fields given, `headers`,
/// `parameters`), `new`, and a setter for every optional field, each with a doctest built on
/// `$new`. A field is written once, with its doc and type, and its kind follows from how it is
/// written:
///
/// - `pub f: Option<String>,` gets a string setter (`impl Into<String>`);
/// - `pub f: Option<T> = example,` gets a value setter (the example is its doctest's value);
/// - `new pub f: T = example,` is an argument of `new` after `bucket` and `key` (a `String` one
///   taken as `impl Into<String>`);
/// - `pub f: T,` is a plain field whose setter, if any, is written by hand;
/// - `@name,` stands for a group of fields several requests share, declared once below
///   (`@request_payer`, `@conditional_headers`, `@object_headers`).
macro_rules! request {
    (
        $(#[$attr:meta])*
        pub struct $name:ident, new: $new:literal { $($body:tt)* }
    ) => {
        request!(@munch $name $new [$(#[$attr])*] [] [] [] $($body)*);
    };

    // The groups: their fields are put back in front of the rest, so they get setters like
    // any other field; a group's push helper goes with the setters.
    (@munch $name:ident $new:literal $attrs:tt $fields:tt $methods:tt $required:tt
        @request_payer, $($rest:tt)*) => {
        request!(@munch $name $new $attrs $fields $methods $required
            /// `x-oss-request-payer` header (`requester`).
            pub request_payer: Option<String>,
            $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt $fields:tt [$($methods:tt)*] $required:tt
        @conditional_headers, $($rest:tt)*) => {
        request!(@munch $name $new $attrs $fields
            [$($methods)* conditional_header_methods!();]
            $required
            /// `If-Match` header (not signed).
            pub if_match: Option<String>,
            /// `If-None-Match` header (not signed).
            pub if_none_match: Option<String>,
            /// `If-Modified-Since` header (not signed).
            pub if_modified_since: Option<String>,
            /// `If-Unmodified-Since` header (not signed).
            pub if_unmodified_since: Option<String>,
            $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt $fields:tt [$($methods:tt)*] $required:tt
        @object_headers, $($rest:tt)*) => {
        request!(@munch $name $new $attrs $fields
            [$($methods)* object_header_methods!($name, $new);]
            $required
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
            pub forbid_overwrite: Option<bool> = true,
            /// `x-oss-server-side-encryption` header (`AES256`, `KMS`, `SM4`).
            pub server_side_encryption: Option<String>,
            /// `x-oss-server-side-data-encryption` header.
            pub server_side_data_encryption: Option<String>,
            /// `x-oss-server-side-encryption-key-id` header.
            pub server_side_encryption_key_id: Option<String>,
            @request_payer,
            /// User metadata: each `(name, value)` becomes header `x-oss-meta-{name}`.
            pub metadata: Vec<(String, String)>,
            $($rest)*);
    };

    // The field kinds.
    (@munch $name:ident $new:literal $attrs:tt [$($fields:tt)*] [$($methods:tt)*] $required:tt
        $(#[$m:meta])* pub $f:ident: Option<String>, $($rest:tt)*) => {
        request!(@munch $name $new $attrs
            [$($fields)* $(#[$m])* pub $f: Option<String>,]
            [$($methods)* string_setter!($name, $new, $f);]
            $required $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt [$($fields:tt)*] [$($methods:tt)*] $required:tt
        $(#[$m:meta])* pub $f:ident: Option<$t:ty> = $ex:literal, $($rest:tt)*) => {
        request!(@munch $name $new $attrs
            [$($fields)* $(#[$m])* pub $f: Option<$t>,]
            [$($methods)* value_setter!($name, $new, $f: $t = $ex);]
            $required $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt [$($fields:tt)*] $methods:tt [$($required:tt)*]
        $(#[$m:meta])* new pub $f:ident: String = $ex:literal, $($rest:tt)*) => {
        request!(@munch $name $new $attrs
            [$($fields)* $(#[$m])* pub $f: String,]
            $methods
            [$($required)* ($f: impl Into<String> = $f.into(); $ex)]
            $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt [$($fields:tt)*] $methods:tt [$($required:tt)*]
        $(#[$m:meta])* new pub $f:ident: $t:ty = $ex:literal, $($rest:tt)*) => {
        request!(@munch $name $new $attrs
            [$($fields)* $(#[$m])* pub $f: $t,]
            $methods
            [$($required)* ($f: $t = $f; $ex)]
            $($rest)*);
    };
    (@munch $name:ident $new:literal $attrs:tt [$($fields:tt)*] $methods:tt $required:tt
        $(#[$m:meta])* pub $f:ident: $t:ty, $($rest:tt)*) => {
        request!(@munch $name $new $attrs
            [$($fields)* $(#[$m])* pub $f: $t,]
            $methods $required $($rest)*);
    };

    // Every field read: the struct, `new`, the setters.
    (@munch $name:ident $new:literal [$(#[$attr:meta])*] [$($fields:tt)*] [$($methods:tt)*]
        [$(($rf:ident: $rty:ty = $rinit:expr; $rex:literal))*]) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// Bucket name.
            pub bucket: String,
            /// Object key.
            pub key: String,
            $($fields)*
            /// Further headers.
            pub headers: Vec<(String, String)>,
            /// Further query parameters.
            pub parameters: Vec<(String, String)>,
        }

        impl $name {
            #[doc = concat!(
                "A ", stringify!($name), " for `bucket`/`key`",
                $(", `", stringify!($rf), "`",)* " with no options."
            )]
            ///
            #[doc = concat!(
                "```\nlet req = oss_client::", $new, ";\n",
                "assert_eq!((req.bucket.as_str(), req.key.as_str()), (\"examplebucket\", \"k\"));",
                $("\nassert_eq!(req.", stringify!($rf), ", ", stringify!($rex), ");",)*
                "\nassert!(req.headers.is_empty() && req.parameters.is_empty());\n```"
            )]
            pub fn new(bucket: impl Into<String>, key: impl Into<String> $(, $rf: $rty)*) -> Self {
                $name {
                    bucket: bucket.into(),
                    key: key.into(),
                    $($rf: $rinit,)*
                    ..Default::default()
                }
            }

            $($methods)*
        }

        common_setters!($name, $new);
    };
}

/// An `Option<String>` setter with a doctest that builds `$new` and checks the field.
macro_rules! string_setter {
    ($ty:ident, $new:literal, $field:ident) => {
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
    };
}

/// An `Option<T>` setter of a `Copy` value (size, limit, flag) with a doctest that builds
/// `$new`, sets the example value and checks the field.
macro_rules! value_setter {
    ($ty:ident, $new:literal, $field:ident: $value_ty:ty = $example:literal) => {
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

/// The push helper of `@conditional_headers` (GetObject, HeadObject).
macro_rules! conditional_header_methods {
    () => {
        /// `If-Match`, `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`.
        fn push_conditional_headers<'a>(
            &'a self,
            p: &mut impl crate::request::inline::PartsSink<'a>,
        ) {
            p.header("If-Match", &self.if_match);
            p.header("If-None-Match", &self.if_none_match);
            p.header("If-Modified-Since", &self.if_modified_since);
            p.header("If-Unmodified-Since", &self.if_unmodified_since);
        }
    };
}

/// The `metadata` setter and push helpers of `@object_headers` (PutObject,
/// InitiateMultipartUpload), which push the shared headers in the order the official SDKs send
/// them.
macro_rules! object_header_methods {
    ($name:ident, $new:literal) => {
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
        fn push_representation_headers<'a>(&'a self, p: &mut impl crate::request::inline::PartsSink<'a>) {
            p.header("Cache-Control", &self.cache_control);
            p.header("Content-Disposition", &self.content_disposition);
            p.header("Content-Encoding", &self.content_encoding);
            p.header("Expires", &self.expires);
        }

        /// Storage class, tagging, overwrite protection and server-side encryption.
        fn push_storage_headers<'a>(&'a self, p: &mut impl crate::request::inline::PartsSink<'a>) {
            p.header("x-oss-storage-class", &self.storage_class);
            p.header("x-oss-tagging", &self.tagging);
            p.header_value("x-oss-forbid-overwrite", self.forbid_overwrite);
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
        fn push_payer_metadata_and_extras<'a>(&'a self, p: &mut impl crate::request::inline::PartsSink<'a>) {
            p.header("x-oss-request-payer", &self.request_payer);
            p.metadata(&self.metadata);
            p.extra(&self.headers, &self.parameters);
        }
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
