//! What an upload sends: presigned requests (method, URL, signed headers), the operations of an
//! upload, and the [`UploadPresigner`] that turns one into the other.

use std::time::SystemTime;

use http::Method;

use crate::signed_url::SignedUrl;
use crate::upload_error::{UploadError, UploadErrorKind};

/// One presigned request of an upload: the method, the URL and the headers that must be sent
/// with it (the ones the presigner listed as signed, e.g. `Content-Type` or `Content-MD5`).
///
/// `Debug` hides the query values that are credentials (signature, security token).
///
/// ```
/// let put = oss_transfer::PresignedRequest::put(
///     "https://bucket.oss-cn-hangzhou.aliyuncs.com/a.txt?x-oss-signature-version=OSS4-HMAC-SHA256\
///      &x-oss-date=20240102T030405Z&x-oss-expires=60&x-oss-signature=abc",
/// )
/// .unwrap()
/// .header("content-type", "text/plain")
/// .unwrap();
/// assert!(!format!("{put:?}").contains("abc"));
/// assert_eq!(put.method(), "PUT");
/// ```
#[derive(Clone)]
pub struct PresignedRequest {
    method: Method,
    pub(crate) url: SignedUrl,
}

impl std::fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PresignedRequest");
        d.field("method", &self.method);
        self.url.debug_fields(&mut d);
        d.finish()
    }
}

fn invalid(message: impl Into<String>) -> UploadError {
    UploadError::new(UploadErrorKind::InvalidInput, message)
}

impl PresignedRequest {
    /// A request with `method` (`PUT`, `POST`, `DELETE`, or `HEAD` for
    /// [`UploadOperation::HeadObject`]) to an absolute `http` or `https` URL.
    ///
    /// ```
    /// use oss_transfer::PresignedRequest;
    /// assert!(PresignedRequest::new("POST", "https://127.0.0.1/b/k?uploads").is_ok());
    /// assert!(PresignedRequest::new("HEAD", "https://127.0.0.1/b/k").is_ok());
    /// assert!(PresignedRequest::new("GET", "https://127.0.0.1/b/k").is_err());
    /// assert!(PresignedRequest::new("PUT", "/relative").is_err());
    /// ```
    pub fn new(method: &str, url: &str) -> Result<Self, UploadError> {
        let method = match method.to_ascii_uppercase().as_str() {
            "PUT" => Method::PUT,
            "POST" => Method::POST,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            other => {
                return Err(invalid(format!(
                    "an upload request is PUT, POST, DELETE or HEAD, not {other:?}"
                )))
            }
        };
        let url = SignedUrl::parse(url).map_err(invalid)?;
        Ok(Self { method, url })
    }

    /// A presigned `PUT` (PutObject or UploadPart) URL.
    ///
    /// ```
    /// assert!(oss_transfer::PresignedRequest::put("http://127.0.0.1:9000/b/k").is_ok());
    /// ```
    pub fn put(url: &str) -> Result<Self, UploadError> {
        Self::new("PUT", url)
    }

    /// Adds a header to send (a signed header of the presigned request). `Host`,
    /// `Content-Length` and `Transfer-Encoding` are set by the uploader and refused here.
    ///
    /// ```
    /// let put = oss_transfer::PresignedRequest::put("https://127.0.0.1/b/k").unwrap();
    /// assert!(put.clone().header("content-length", "1").is_err());
    /// assert!(put.header("x-oss-meta-a", "1").is_ok());
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, UploadError> {
        self.url
            .add_header(
                name,
                value,
                &["host", "content-length", "transfer-encoding"],
                "uploader",
            )
            .map_err(invalid)?;
        Ok(self)
    }

    /// The request described by an `oss-client` presign result: method, URL, signed headers.
    ///
    /// ```
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let result = client.presign(&oss_client::PutObjectRequest::new("bucket", "key"))?;
    /// let put = oss_transfer::PresignedRequest::from_presign_result(&result)?;
    /// assert_eq!(put.method(), "PUT");
    /// assert_eq!(put.expires_at(), Some(result.expiration_system_time()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "client")]
    pub fn from_presign_result(result: &oss_client::PresignResult) -> Result<Self, UploadError> {
        let mut request = Self::new(result.method(), result.url())?;
        for (name, value) in result.signed_headers() {
            request = request.header(name, value)?;
        }
        Ok(request)
    }

    /// The HTTP method.
    ///
    /// ```
    /// let r = oss_transfer::PresignedRequest::new("delete", "https://h/b/k?uploadId=1").unwrap();
    /// assert_eq!(r.method(), "DELETE");
    /// ```
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    /// When the URL stops being valid (`x-oss-date` + `x-oss-expires`, or V1 `Expires`).
    ///
    /// ```
    /// let r = oss_transfer::PresignedRequest::put("http://h/b/k?OSSAccessKeyId=a&Expires=1700000000&Signature=s").unwrap();
    /// assert!(r.expires_at().is_some());
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.url.expires_at()
    }

    pub(crate) fn http_method(&self) -> &Method {
        &self.method
    }

    /// `PUT scheme://host/path` without the query, for messages.
    pub(crate) fn display_target(&self) -> String {
        self.url.display_target(self.method.as_str())
    }
}

/// One request of an upload that an [`UploadPresigner`] is asked to presign.
///
/// ```
/// use oss_transfer::UploadOperation;
/// let op = UploadOperation::UploadPart { upload_id: "U1".into(), part_number: 3, content_md5: None };
/// assert_eq!(op.name(), "UploadPart");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadOperation {
    /// PutObject (`PUT`), with the base64 `Content-MD5` of the body when the uploader sends one.
    Put {
        /// Base64 MD5 of the whole body, to be signed and sent.
        content_md5: Option<String>,
    },
    /// InitiateMultipartUpload (`POST ?uploads`).
    InitiateMultipart,
    /// UploadPart (`PUT ?partNumber&uploadId`).
    UploadPart {
        /// The id InitiateMultipartUpload returned.
        upload_id: String,
        /// 1 to 10,000.
        part_number: u32,
        /// Base64 MD5 of the part, to be signed and sent.
        content_md5: Option<String>,
    },
    /// CompleteMultipartUpload (`POST ?uploadId`).
    CompleteMultipart {
        /// The id InitiateMultipartUpload returned.
        upload_id: String,
    },
    /// AbortMultipartUpload (`DELETE ?uploadId`).
    AbortMultipart {
        /// The id InitiateMultipartUpload returned.
        upload_id: String,
    },
    /// HeadObject (`HEAD`) of the object being uploaded. Asked for only when a retried
    /// CompleteMultipartUpload is told `NoSuchUpload` (the answer to an earlier attempt was
    /// lost, and the server may have completed the upload then): the uploader compares the
    /// object's `Content-Length` and `x-oss-hash-crc64ecma` with the file. A presigner that
    /// cannot presign it (one holding a fixed list of URLs) returns an error, and the upload
    /// fails with the `NoSuchUpload` error as it would without this check.
    HeadObject,
}

impl UploadOperation {
    /// The OSS API name of the operation.
    ///
    /// ```
    /// assert_eq!(oss_transfer::UploadOperation::InitiateMultipart.name(), "InitiateMultipartUpload");
    /// assert_eq!(oss_transfer::UploadOperation::HeadObject.name(), "HeadObject");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Put { .. } => "PutObject",
            Self::InitiateMultipart => "InitiateMultipartUpload",
            Self::UploadPart { .. } => "UploadPart",
            Self::CompleteMultipart { .. } => "CompleteMultipartUpload",
            Self::AbortMultipart { .. } => "AbortMultipartUpload",
            Self::HeadObject => "HeadObject",
        }
    }
}

/// The future returned by [`UploadPresigner::presign_upload`].
///
/// ```
/// let put = oss_transfer::PresignedRequest::put("https://127.0.0.1/b/k").unwrap();
/// let future: oss_transfer::UploadPresignFuture<'static> = Box::pin(std::future::ready(Ok(put)));
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert_eq!(runtime.block_on(future).unwrap().method(), "PUT");
/// ```
pub type UploadPresignFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<PresignedRequest, UploadError>> + Send + 'a>,
>;

/// Presigns the requests of uploads to one object, so an [`Uploader`](crate::Uploader) can
/// run a multipart upload (and get a fresh URL for every attempt, so nothing expires part way).
///
/// A process that only receives URLs implements it over the URLs it was given.
///
/// ```
/// use oss_transfer::{PresignedRequest, UploadError, UploadOperation, UploadPresignFuture, UploadPresigner};
/// #[derive(Debug)]
/// struct PutOnly(String);
/// impl UploadPresigner for PutOnly {
///     fn presign_upload<'a>(&'a self, op: &'a UploadOperation) -> UploadPresignFuture<'a> {
///         Box::pin(async move {
///             match op {
///                 UploadOperation::Put { content_md5: None } => PresignedRequest::put(&self.0),
///                 other => Err(UploadError::new(
///                     oss_transfer::UploadErrorKind::InvalidInput,
///                     format!("{} is not available", other.name()),
///                 )),
///             }
///         })
///     }
/// }
/// let p = PutOnly("https://127.0.0.1/b/k".into());
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert!(rt.block_on(p.presign_upload(&UploadOperation::Put { content_md5: None })).is_ok());
/// assert!(rt.block_on(p.presign_upload(&UploadOperation::InitiateMultipart)).is_err());
/// ```
pub trait UploadPresigner: Send + Sync + std::fmt::Debug {
    /// A presigned request for `op`, valid from now (may wait for credentials).
    fn presign_upload<'a>(&'a self, op: &'a UploadOperation) -> UploadPresignFuture<'a>;
}

/// An [`UploadPresigner`] backed by an `oss-client` client and a `PutObjectRequest` template
/// (feature `client`): its bucket, key, `Content-Type`, metadata and other object headers
/// go into the PutObject or the InitiateMultipartUpload.
///
/// ```
/// use oss_transfer::{UploadOperation, UploadPresigner};
/// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
/// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
/// let put = oss_client::PutObjectRequest::new("bucket", "dir/big.iso").content_type("application/x-iso9660-image");
/// let p = oss_transfer::ClientUploadPresigner::new(client, put);
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let initiate = runtime.block_on(p.presign_upload(&UploadOperation::InitiateMultipart))?;
/// assert_eq!(initiate.method(), "POST");
/// // The template's Content-Type is signed into the request, to be sent with it.
/// assert!(format!("{initiate:?}").contains("content-type"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "client")]
#[derive(Debug, Clone)]
pub struct ClientUploadPresigner {
    client: oss_client::Client,
    put: oss_client::PutObjectRequest,
}

#[cfg(feature = "client")]
impl ClientUploadPresigner {
    /// Presigns uploads of `put`'s object with `client` whenever a URL is needed.
    ///
    /// ```
    /// use oss_transfer::{UploadOperation, UploadPresigner};
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let p = oss_transfer::ClientUploadPresigner::new(client, oss_client::PutObjectRequest::new("bucket", "k"));
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// let abort = UploadOperation::AbortMultipart { upload_id: "U1".into() };
    /// assert_eq!(runtime.block_on(p.presign_upload(&abort))?.method(), "DELETE");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(client: oss_client::Client, put: oss_client::PutObjectRequest) -> Self {
        Self { client, put }
    }

    fn initiate_request(&self) -> oss_client::InitiateMultipartUploadRequest {
        oss_client::InitiateMultipartUploadRequest::from(&self.put)
    }

    async fn sign<R: oss_client::Presignable + Sync>(
        &self,
        request: &R,
    ) -> Result<PresignedRequest, UploadError> {
        let result = self
            .client
            .presign_async(request, &oss_client::PresignOptions::new())
            .await
            .map_err(|e| {
                let kind = if e.kind() == oss_client::ErrorKind::Credentials {
                    UploadErrorKind::Credentials
                } else {
                    UploadErrorKind::InvalidInput
                };
                UploadError::new(kind, format!("presigning the upload failed: {e}")).with_source(e)
            })?;
        PresignedRequest::from_presign_result(&result)
    }
}

#[cfg(feature = "client")]
impl UploadPresigner for ClientUploadPresigner {
    fn presign_upload<'a>(&'a self, op: &'a UploadOperation) -> UploadPresignFuture<'a> {
        let (bucket, key) = (self.put.bucket.as_str(), self.put.key.as_str());
        Box::pin(async move {
            match op {
                UploadOperation::Put { content_md5 } => {
                    let mut put = self.put.clone();
                    put.content_md5 = content_md5.clone();
                    self.sign(&put).await
                }
                UploadOperation::InitiateMultipart => self.sign(&self.initiate_request()).await,
                UploadOperation::UploadPart {
                    upload_id,
                    part_number,
                    content_md5,
                } => {
                    let mut part =
                        oss_client::UploadPartRequest::new(bucket, key, *part_number, upload_id);
                    part.content_md5 = content_md5.clone();
                    part.request_payer = self.put.request_payer.clone();
                    self.sign(&part).await
                }
                UploadOperation::CompleteMultipart { upload_id } => {
                    let mut c =
                        oss_client::CompleteMultipartUploadRequest::new(bucket, key, upload_id);
                    c.forbid_overwrite = self.put.forbid_overwrite;
                    c.acl = self.put.acl.clone();
                    c.request_payer = self.put.request_payer.clone();
                    self.sign(&c).await
                }
                UploadOperation::AbortMultipart { upload_id } => {
                    let mut a =
                        oss_client::AbortMultipartUploadRequest::new(bucket, key, upload_id);
                    a.request_payer = self.put.request_payer.clone();
                    self.sign(&a).await
                }
                UploadOperation::HeadObject => {
                    let mut h = oss_client::HeadObjectRequest::new(bucket, key);
                    h.request_payer = self.put.request_payer.clone();
                    self.sign(&h).await
                }
            }
        })
    }
}
