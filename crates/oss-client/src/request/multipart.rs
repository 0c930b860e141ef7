//! The multipart upload: initiate (`POST ?uploads`), upload a part (`PUT ?partNumber&uploadId`),
//! complete (`POST ?uploadId`) and abort (`DELETE ?uploadId`).

use super::parts::{PresignParts, Presignable};
use std::borrow::Cow;

object_creation_request! {
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
}

value_setters!(UploadPartRequest, "UploadPartRequest::new(\"examplebucket\", \"k\", 1, \"UPID\")" {
    content_length: u64 = 5,
    traffic_limit: u64 = 8,
});
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
}

value_setters!(CompleteMultipartUploadRequest, "CompleteMultipartUploadRequest::new(\"examplebucket\", \"k\", \"UPID\")" {
    forbid_overwrite: bool = false,
});
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
