//! The multipart upload: initiate (`POST ?uploads`), upload a part (`PUT ?partNumber&uploadId`),
//! complete (`POST ?uploadId`) and abort (`DELETE ?uploadId`).

use super::inline::PartsSink;

request! {
    /// Presign the start of a multipart upload: `POST /{key}?uploads`.
    ///
    /// Takes the same object headers as [`PutObjectRequest`](crate::PutObjectRequest) (they are
    /// declared once for both).
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
        @object_headers,
    }
}

typed_presignable!(InitiateMultipartUploadRequest, "POST");

impl InitiateMultipartUploadRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.param_str("uploads", "");
        p.param("encoding-type", &self.encoding_type);
        p.header("Content-Type", &self.content_type);
        self.push_representation_headers(p);
        self.push_storage_headers(p);
        self.push_payer_metadata_and_extras(p);
    }
}

impl From<&crate::PutObjectRequest> for InitiateMultipartUploadRequest {
    /// The multipart start of the object `put` would write: the same bucket, key, object
    /// headers (content type, representation, storage class, tagging, overwrite protection,
    /// encryption, payer), metadata and extra headers. What only a single PUT has
    /// (`Content-MD5`, `Content-Length`, ACL, callback, traffic limit) is left out, and
    /// `encoding-type` is unset.
    ///
    /// ```
    /// use oss_client::{InitiateMultipartUploadRequest, Presignable, PutObjectRequest};
    /// let put = PutObjectRequest::new("examplebucket", "big.bin")
    ///     .content_type("video/mp4")
    ///     .storage_class("IA")
    ///     .metadata("author", "alice")
    ///     .content_length(5);
    /// let init = InitiateMultipartUploadRequest::from(&put);
    /// assert_eq!((init.bucket.as_str(), init.key.as_str()), ("examplebucket", "big.bin"));
    /// let headers = init.presign_parts().headers;
    /// assert!(headers.contains(&("Content-Type".into(), "video/mp4".into())));
    /// assert!(headers.contains(&("x-oss-storage-class".into(), "IA".into())));
    /// assert!(headers.contains(&("x-oss-meta-author".into(), "alice".into())));
    /// assert!(!headers.iter().any(|(name, _)| name == "Content-Length"));
    /// ```
    fn from(put: &crate::PutObjectRequest) -> Self {
        let mut init = Self::new(&put.bucket, &put.key);
        init.content_type.clone_from(&put.content_type);
        init.cache_control.clone_from(&put.cache_control);
        init.content_disposition
            .clone_from(&put.content_disposition);
        init.content_encoding.clone_from(&put.content_encoding);
        init.expires.clone_from(&put.expires);
        init.storage_class.clone_from(&put.storage_class);
        init.tagging.clone_from(&put.tagging);
        init.forbid_overwrite = put.forbid_overwrite;
        init.server_side_encryption
            .clone_from(&put.server_side_encryption);
        init.server_side_data_encryption
            .clone_from(&put.server_side_data_encryption);
        init.server_side_encryption_key_id
            .clone_from(&put.server_side_encryption_key_id);
        init.request_payer.clone_from(&put.request_payer);
        init.metadata.clone_from(&put.metadata);
        init.headers.clone_from(&put.headers);
        init
    }
}

request! {
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
    pub struct UploadPartRequest,
        new: "UploadPartRequest::new(\"examplebucket\", \"k\", 1, \"UPID\")" {
        /// `partNumber` query parameter, 1..=10000.
        new pub part_number: u32 = 1,
        /// `uploadId` query parameter.
        new pub upload_id: String = "UPID",
        /// `Content-MD5` header (signed).
        pub content_md5: Option<String>,
        /// `Content-Length` header (not signed).
        pub content_length: Option<u64> = 5,
        /// `x-oss-traffic-limit` header, in bit/s.
        pub traffic_limit: Option<u64> = 8,
        @request_payer,
    }
}

typed_presignable!(UploadPartRequest, "PUT");

impl UploadPartRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.param_scalar("partNumber", self.part_number.into());
        p.param_str("uploadId", &self.upload_id);
        p.header("Content-MD5", &self.content_md5);
        p.header_value("Content-Length", self.content_length);
        p.header_value("x-oss-traffic-limit", self.traffic_limit);
        p.payer_and_extra(&self.request_payer, &self.headers, &self.parameters);
    }
}

request! {
    /// Presign the completion of a multipart upload: `POST /{key}?uploadId={id}`.
    ///
    /// ```
    /// use oss_client::{CompleteMultipartUploadRequest, Presignable};
    /// let done = CompleteMultipartUploadRequest::new("examplebucket", "big.bin", "UPID").complete_all(true);
    /// let parts = done.presign_parts();
    /// assert_eq!(parts.method, "POST");
    /// assert!(parts.headers.contains(&("x-oss-complete-all".into(), "yes".into())));
    /// ```
    pub struct CompleteMultipartUploadRequest,
        new: "CompleteMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")" {
        /// `uploadId` query parameter.
        new pub upload_id: String = "UPID",
        /// `encoding-type` query parameter (`url`).
        pub encoding_type: Option<String>,
        /// `x-oss-complete-all: yes` (complete with every uploaded part, no body needed).
        pub complete_all: bool,
        /// `x-oss-object-acl` header.
        pub acl: Option<String>,
        /// `x-oss-forbid-overwrite` header.
        pub forbid_overwrite: Option<bool> = false,
        /// `x-oss-callback` header (base64 JSON).
        pub callback: Option<String>,
        /// `x-oss-callback-var` header (base64 JSON).
        pub callback_var: Option<String>,
        @request_payer,
    }
}

impl CompleteMultipartUploadRequest {
    /// Sets [`complete_all`](Self::complete_all).
    ///
    /// ```
    /// use oss_client::{CompleteMultipartUploadRequest, Presignable};
    /// let done = CompleteMultipartUploadRequest::new("examplebucket", "k", "UPID");
    /// assert!(!done.complete_all);
    /// let done = done.complete_all(true);
    /// assert!(done.presign_parts().headers.contains(&("x-oss-complete-all".into(), "yes".into())));
    /// ```
    #[must_use]
    pub fn complete_all(mut self, all: bool) -> Self {
        self.complete_all = all;
        self
    }
}

typed_presignable!(CompleteMultipartUploadRequest, "POST");

impl CompleteMultipartUploadRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.param_str("uploadId", &self.upload_id);
        p.param("encoding-type", &self.encoding_type);
        if self.complete_all {
            p.header_str("x-oss-complete-all", "yes");
        }
        p.header("x-oss-object-acl", &self.acl);
        p.header_value("x-oss-forbid-overwrite", self.forbid_overwrite);
        p.header("x-oss-callback", &self.callback);
        p.header("x-oss-callback-var", &self.callback_var);
        p.payer_and_extra(&self.request_payer, &self.headers, &self.parameters);
    }
}

request! {
    /// Presign the cancellation of a multipart upload: `DELETE /{key}?uploadId={id}`.
    ///
    /// ```
    /// use oss_client::{AbortMultipartUploadRequest, Presignable};
    /// let abort = AbortMultipartUploadRequest::new("examplebucket", "big.bin", "UPID");
    /// assert_eq!(abort.presign_parts().method, "DELETE");
    /// ```
    pub struct AbortMultipartUploadRequest,
        new: "AbortMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")" {
        /// `uploadId` query parameter.
        new pub upload_id: String = "UPID",
        @request_payer,
    }
}

typed_presignable!(AbortMultipartUploadRequest, "DELETE");

impl AbortMultipartUploadRequest {
    /// The headers and query parameters, in the order the official SDKs send them.
    fn write_parts<'a>(&'a self, p: &mut impl PartsSink<'a>) {
        p.param_str("uploadId", &self.upload_id);
        p.payer_and_extra(&self.request_payer, &self.headers, &self.parameters);
    }
}
