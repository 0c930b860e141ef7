//! What to download: a presigned GET URL plus the headers that were signed with it.

use std::time::SystemTime;

use crate::error::{DownloadError, DownloadErrorKind};
use crate::signed_url::SignedUrl;

/// A presigned GET request: the URL and the headers that must be sent with it (the ones the
/// presigner listed as signed, e.g. `x-oss-range-behavior` or `x-oss-traffic-limit`).
///
/// `Debug` hides the query values that are credentials (signature, security token).
///
/// ```
/// let get = oss_transfer::PresignedGet::new(
///     "https://bucket.oss-cn-hangzhou.aliyuncs.com/a.txt?x-oss-signature-version=OSS4-HMAC-SHA256\
///      &x-oss-date=20240102T030405Z&x-oss-expires=60&x-oss-signature=abc",
/// )
/// .unwrap()
/// .header("x-oss-traffic-limit", "819200")
/// .unwrap();
/// assert!(!format!("{get:?}").contains("abc"));
/// assert!(get.expires_at().is_some());
/// ```
#[derive(Clone)]
pub struct PresignedGet {
    pub(crate) url: SignedUrl,
}

impl std::fmt::Debug for PresignedGet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PresignedGet");
        self.url.debug_fields(&mut d);
        d.finish()
    }
}

/// An `InvalidInput` download error saying `message`.
fn invalid(message: String) -> DownloadError {
    DownloadError::new(DownloadErrorKind::InvalidInput, message)
}

impl PresignedGet {
    /// Parses an `http` or `https` URL.
    ///
    /// ```
    /// assert!(oss_transfer::PresignedGet::new("https://127.0.0.1:9000/b/k").is_ok());
    /// assert!(oss_transfer::PresignedGet::new("/relative/only").is_err());
    /// ```
    pub fn new(url: &str) -> Result<Self, DownloadError> {
        let url = SignedUrl::parse(url).map_err(invalid)?;
        Ok(Self { url })
    }

    /// Adds a header to send with every request (a signed header of the presigned request).
    /// `Range`, `If-Match` and `Host` are managed by the downloader and refused here.
    ///
    /// ```
    /// let get = oss_transfer::PresignedGet::new("https://127.0.0.1/b/k").unwrap();
    /// assert!(get.clone().header("range", "bytes=0-1").is_err());
    /// assert!(get.header("x-oss-traffic-limit", "819200").is_ok());
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, DownloadError> {
        self.url
            .add_header(
                name,
                value,
                &["range", "if-match", "host", "content-length"],
                "downloader",
            )
            .map_err(invalid)?;
        Ok(self)
    }

    /// The GET described by an `oss-client` presign result: its URL and signed headers.
    ///
    /// ```
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let result = client.presign(&oss_client::GetObjectRequest::new("bucket", "key"))?;
    /// let get = oss_transfer::PresignedGet::from_presign_result(&result)?;
    /// assert_eq!(get.expires_at(), Some(result.expiration_system_time()));
    ///
    /// // A presigned PUT is not a download.
    /// let put = client.presign(&oss_client::PutObjectRequest::new("bucket", "key"))?;
    /// assert!(oss_transfer::PresignedGet::from_presign_result(&put).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "client")]
    pub fn from_presign_result(result: &oss_client::PresignResult) -> Result<Self, DownloadError> {
        if !result.method().eq_ignore_ascii_case("GET") {
            return Err(DownloadError::new(
                DownloadErrorKind::InvalidInput,
                format!(
                    "the presigned request is for {}, a download needs GET",
                    result.method()
                ),
            ));
        }
        let mut get = Self::new(result.url())?;
        for (name, value) in result.signed_headers() {
            get = get.header(name, value)?;
        }
        Ok(get)
    }

    /// Presigns `request` with `client` (its region, endpoint and credentials) for a download.
    ///
    /// ```
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let get = oss_transfer::PresignedGet::presign(
    ///     &client,
    ///     &oss_client::GetObjectRequest::new("bucket", "dir/file.bin"),
    /// )?;
    /// assert!(format!("{get:?}").contains("bucket.oss-cn-hangzhou.aliyuncs.com/dir/file.bin"));
    /// assert!(get.expires_at().unwrap() > std::time::SystemTime::now());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "client")]
    pub fn presign(
        client: &oss_client::Client,
        request: &oss_client::GetObjectRequest,
    ) -> Result<Self, DownloadError> {
        Self::presign_with(client, request, &oss_client::PresignOptions::new())
    }

    /// Like [`presign`](Self::presign), with presign options (how long the URL lasts).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let get = oss_transfer::PresignedGet::presign_with(
    ///     &client,
    ///     &oss_client::GetObjectRequest::new("bucket", "dir/file.bin"),
    ///     &oss_client::PresignOptions::new().expires(Duration::from_secs(3600)),
    /// )?;
    /// // Valid for an hour, not the default 15 minutes.
    /// assert!(get.expires_at().unwrap() > SystemTime::now() + Duration::from_secs(3000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "client")]
    pub fn presign_with(
        client: &oss_client::Client,
        request: &oss_client::GetObjectRequest,
        options: &oss_client::PresignOptions,
    ) -> Result<Self, DownloadError> {
        let result = client
            .presign_with(request, options)
            .map_err(presign_failed)?;
        Self::from_presign_result(&result)
    }

    /// Like [`presign`](Self::presign), but asks the client's credentials provider through
    /// [`Client::presign_async`](oss_client::Client::presign_async), which may wait for a
    /// fetch or refresh (STS, ECS metadata, ...).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let get = oss_transfer::PresignedGet::presign_async(
    ///     &client,
    ///     &oss_client::GetObjectRequest::new("bucket", "dir/file.bin"),
    /// ).await?;
    /// assert!(get.expires_at().unwrap() > std::time::SystemTime::now());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "client")]
    pub async fn presign_async(
        client: &oss_client::Client,
        request: &oss_client::GetObjectRequest,
    ) -> Result<Self, DownloadError> {
        Self::presign_async_with(client, request, &oss_client::PresignOptions::new()).await
    }

    /// Like [`presign_async`](Self::presign_async), with presign options.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::{Duration, SystemTime};
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let get = oss_transfer::PresignedGet::presign_async_with(
    ///     &client,
    ///     &oss_client::GetObjectRequest::new("bucket", "dir/file.bin"),
    ///     &oss_client::PresignOptions::new().expires(Duration::from_secs(3600)),
    /// )
    /// .await?;
    /// assert!(get.expires_at().unwrap() > SystemTime::now() + Duration::from_secs(3000));
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "client")]
    pub async fn presign_async_with(
        client: &oss_client::Client,
        request: &oss_client::GetObjectRequest,
        options: &oss_client::PresignOptions,
    ) -> Result<Self, DownloadError> {
        let result = client
            .presign_async(request, options)
            .await
            .map_err(presign_failed)?;
        Self::from_presign_result(&result)
    }

    /// When the URL stops being valid: `x-oss-date` + `x-oss-expires` for V4, `Expires` for V1.
    ///
    /// ```
    /// let v1 = oss_transfer::PresignedGet::new("http://h/b/k?OSSAccessKeyId=a&Expires=1700000000&Signature=s").unwrap();
    /// assert_eq!(
    ///     v1.expires_at(),
    ///     Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
    /// );
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.url.expires_at()
    }

    /// `GET scheme://host/path` without the query, for messages.
    pub(crate) fn display_target(&self) -> String {
        self.url.display_target("GET")
    }
}

/// The error of a presign through `oss-client` that failed.
#[cfg(feature = "client")]
fn presign_failed(e: oss_client::Error) -> DownloadError {
    invalid(format!("presigning the download failed: {e}")).with_source(e)
}

/// Produces presigned GETs for one object, so a download can get a fresh URL when its URL
/// expires (see [`Downloader::download_presigned_by`](crate::Downloader::download_presigned_by)).
///
/// ```
/// use oss_transfer::{DownloadError, PresignedGet, Presigner};
/// #[derive(Debug)]
/// struct Fixed(String);
/// impl Presigner for Fixed {
///     fn presign_get(&self) -> Result<PresignedGet, DownloadError> {
///         PresignedGet::new(&self.0)
///     }
/// }
/// assert!(Fixed("https://127.0.0.1/b/k".into()).presign_get().is_ok());
/// ```
pub trait Presigner: Send + Sync + std::fmt::Debug {
    /// A presigned GET for the object, valid from now, without waiting (used for the first
    /// URL of [`Downloader::download_presigned_by`](crate::Downloader::download_presigned_by)).
    fn presign_get(&self) -> Result<PresignedGet, DownloadError>;

    /// A presigned GET that may wait for credentials (a fetch or an STS refresh). A download
    /// whose URL expired part way presigns again through this method. The default answers
    /// [`presign_get`](Self::presign_get).
    ///
    /// ```
    /// # use oss_transfer::{DownloadError, PresignedGet, Presigner};
    /// # #[derive(Debug)]
    /// # struct Fixed(String);
    /// # impl Presigner for Fixed {
    /// #     fn presign_get(&self) -> Result<PresignedGet, DownloadError> { PresignedGet::new(&self.0) }
    /// # }
    /// let fixed = Fixed("https://127.0.0.1/b/k".into());
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(runtime.block_on(fixed.presign_get_async()).is_ok());
    /// ```
    fn presign_get_async(&self) -> PresignFuture<'_> {
        Box::pin(std::future::ready(self.presign_get()))
    }
}

/// The future returned by [`Presigner::presign_get_async`].
///
/// ```
/// let get = oss_transfer::PresignedGet::new("https://127.0.0.1/b/k?Expires=1700000000").unwrap();
/// let future: oss_transfer::PresignFuture<'static> = Box::pin(std::future::ready(Ok(get)));
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let got = runtime.block_on(future).unwrap();
/// assert_eq!(got.expires_at(), Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)));
/// ```
pub type PresignFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<PresignedGet, DownloadError>> + Send + 'a>,
>;

/// A [`Presigner`] backed by an `oss-client` client and a `GetObjectRequest` (feature
/// `client`).
///
/// ```
/// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
/// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
/// use oss_transfer::{ClientPresigner, Presigner};
/// let p = ClientPresigner::new(client, oss_client::GetObjectRequest::new("bucket", "key"));
/// let get = p.presign_get()?;
/// assert!(get.expires_at().unwrap() > std::time::SystemTime::now());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "client")]
#[derive(Debug, Clone)]
pub struct ClientPresigner {
    client: oss_client::Client,
    request: oss_client::GetObjectRequest,
    options: oss_client::PresignOptions,
}

#[cfg(feature = "client")]
impl ClientPresigner {
    /// Presigns `request` with `client` whenever a URL is needed.
    ///
    /// ```
    /// use oss_transfer::Presigner;
    /// # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let p = oss_transfer::ClientPresigner::new(client, oss_client::GetObjectRequest::new("bucket", "k"));
    /// // Each call presigns a fresh URL for the object.
    /// assert!(format!("{:?}", p.presign_get()?).contains("/k?"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(client: oss_client::Client, request: oss_client::GetObjectRequest) -> Self {
        Self {
            client,
            request,
            options: oss_client::PresignOptions::new(),
        }
    }

    /// The presign options of every URL (e.g. how long each lasts; default: the client's).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let client = oss_client::Client::new(
    ///     oss_client::Config::builder()
    ///         .region("cn-hangzhou")
    ///         .credentials_provider(oss_client::credentials::StaticProvider::new("ak", "sk").unwrap())
    ///         .build()
    ///         .unwrap(),
    /// );
    /// use oss_transfer::{ClientPresigner, Presigner};
    /// let p = ClientPresigner::new(client, oss_client::GetObjectRequest::new("examplebucket", "k"))
    ///     .options(oss_client::PresignOptions::new().expires(Duration::from_secs(7200)));
    /// let get = p.presign_get().unwrap();
    /// // Valid for two hours, not the default 15 minutes.
    /// assert!(get.expires_at().unwrap() > SystemTime::now() + Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn options(mut self, options: oss_client::PresignOptions) -> Self {
        self.options = options;
        self
    }
}

#[cfg(feature = "client")]
impl Presigner for ClientPresigner {
    /// The sync presign: needs credentials at hand (static, environment, or a warm cache).
    fn presign_get(&self) -> Result<PresignedGet, DownloadError> {
        PresignedGet::presign_with(&self.client, &self.request, &self.options)
    }

    /// Through [`Client::presign_async`](oss_client::Client::presign_async): waits for the
    /// provider, so a re-presign after expiry also works when the STS token needs refreshing.
    fn presign_get_async(&self) -> PresignFuture<'_> {
        Box::pin(PresignedGet::presign_async_with(
            &self.client,
            &self.request,
            &self.options,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn identity_drops_auth_parameters_only() {
        let a = PresignedGet::new(
            "https://h/b/k?versionId=1&x-oss-date=20240101T000000Z&x-oss-signature=aa&x-oss-credential=c",
        )
        .unwrap();
        let b = PresignedGet::new(
            "https://h/b/k?versionId=1&x-oss-date=20250101T000000Z&x-oss-signature=bb&x-oss-credential=c",
        )
        .unwrap();
        assert_eq!(a.url.identity(), "https://h/b/k?versionId=1");
        assert_eq!(a.url.identity(), b.url.identity());
    }

    #[test]
    fn v4_expiry_is_date_plus_expires() {
        let g = PresignedGet::new("https://h/b/k?x-oss-date=20240102T030405Z&x-oss-expires=60")
            .unwrap();
        let want = SystemTime::UNIX_EPOCH + Duration::from_secs(1704164645 + 60);
        assert_eq!(g.expires_at(), Some(want));
    }

    #[test]
    fn debug_redacts_signature_and_token() {
        let g = PresignedGet::new(
            "https://h/b/k?x-oss-signature=SECRETSIG&x-oss-security-token=TOKEN&x-oss-expires=5",
        )
        .unwrap();
        let d = format!("{g:?}");
        assert!(!d.contains("SECRETSIG") && !d.contains("TOKEN"));
        assert!(d.contains("x-oss-expires=5"));
        // The name is judged decoded, whatever its case or encoding.
        let g = PresignedGet::new("https://h/b/k?X-OSS-Signatur%65=SECRETSIG&a=1").unwrap();
        let d = format!("{g:?}");
        assert!(!d.contains("SECRETSIG"), "{d}");
        assert!(d.contains("X-OSS-Signatur%65=<redacted>&a=1"), "{d}");
    }
}
