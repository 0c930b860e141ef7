//! Header mode: sign a request with an `Authorization` header instead of query parameters, and
//! turn signed or presigned requests into [`http::Request`]s.

use oss_credentials::Credentials;
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};

use crate::client::{check_parts, credentials_error, sign_error, Client};
use crate::config::SignatureVersion;
use crate::error::{Error, ErrorKind};
use crate::presign::PresignResult;
use crate::request::Presignable;

/// A request signed in header mode: send it to [`url`](Self::url) with every header of
/// [`headers`](Self::headers) (the request's own ones, `Date`, and the signer's `x-oss-date`,
/// `x-oss-content-sha256`, `x-oss-security-token` and `authorization`).
///
/// ```
/// use oss_client::{Client, Config, FixedClock, PutObjectRequest, SigningTime};
/// use oss_credentials::Credentials;
///
/// let client = Client::new(Config::builder()
///     .region("cn-hangzhou")
///     .credentials(Credentials::new("LTAIexample", "secret")?)
///     .clock(FixedClock::new(SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?))
///     .build()?);
/// let signed = client.sign_request(&PutObjectRequest::new("examplebucket", "k").content_type("text/plain"))?;
/// assert_eq!(signed.url(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k");
/// let auth = signed.header("authorization").unwrap();
/// assert!(auth.starts_with("OSS4-HMAC-SHA256 Credential=LTAIexample/20241112/cn-hangzhou/oss/aliyun_v4_request,Signature="));
/// assert_eq!(signed.header("date"), Some("Tue, 12 Nov 2024 09:27:56 GMT"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
}

impl std::fmt::Debug for SignedRequest {
    /// Shows everything but the STS token header's value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &crate::presign::redact_url_token(&self.url))
            .field("headers", &redact_token_pairs(&self.headers))
            .finish()
    }
}

/// `pairs` (headers or form fields) with the value of `x-oss-security-token` (any case)
/// replaced by `<redacted>`, for `Debug` output.
pub(crate) fn redact_token_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(name, value)| {
            if name.eq_ignore_ascii_case("x-oss-security-token") {
                (name.as_str(), "<redacted>")
            } else {
                (name.as_str(), value.as_str())
            }
        })
        .collect()
}

impl SignedRequest {
    /// The HTTP method (upper case).
    ///
    /// See the [type-level example](SignedRequest).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL, with the request's query parameters and no authentication parameters.
    ///
    /// See the [type-level example](SignedRequest).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every header to send, in order: the request's, then `date` and the signer's.
    ///
    /// See the [type-level example](SignedRequest).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The value of header `name` (case-insensitive), if present.
    ///
    /// See the [type-level example](SignedRequest).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An [`http::Request`] with this method, URI and headers, and an empty body.
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let request = client.sign_request(&GetObjectRequest::new("examplebucket", "k"))?.to_http_request()?;
    /// assert_eq!(request.method(), http::Method::GET);
    /// assert!(request.headers().contains_key(http::header::AUTHORIZATION));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http_request(&self) -> Result<http::Request<()>, Error> {
        build_http_request(
            &self.method,
            &self.url,
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        )
    }
}

impl PresignResult {
    /// An [`http::Request`] for the presigned URL, with the signed headers (which must be
    /// sent) and the request's unsigned ones, and an empty body.
    ///
    /// ```
    /// # use oss_client::{Client, Config, PutObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let put = PutObjectRequest::new("examplebucket", "k").content_type("text/plain");
    /// let request = client.presign(&put)?.to_http_request()?;
    /// assert_eq!(request.method(), http::Method::PUT);
    /// assert_eq!(request.headers()["content-type"], "text/plain");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http_request(&self) -> Result<http::Request<()>, Error> {
        build_http_request(
            &self.method,
            self.url(),
            self.signed_headers().chain(self.unsigned_headers()),
        )
    }
}

fn build_http_request<'h>(
    method: &str,
    url: &str,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
) -> Result<http::Request<()>, Error> {
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(()).map_err(|e| {
        Error::without_field(
            ErrorKind::InvalidRequest,
            format!("cannot build an http::Request: {e}"),
        )
        .with_source(e)
    })
}

impl Client {
    /// Signs `request` in header mode (an `Authorization` header) at the clock's instant,
    /// with the configured credentials (which must be available without waiting, as for
    /// [`presign`](Client::presign)).
    ///
    /// See [`SignedRequest`] for an example.
    pub fn sign_request<R: Presignable + ?Sized>(
        &self,
        request: &R,
    ) -> Result<SignedRequest, Error> {
        match self.config().static_credentials.clone() {
            Some(credentials) => self.sign_request_with_credentials(request, &credentials),
            None => {
                let credentials = self.credentials_now()?;
                self.sign_request_with_credentials(request, &credentials)
            }
        }
    }

    /// Like [`sign_request`](Self::sign_request), asking an async provider first.
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// let signed = futures_executor::block_on(client.sign_request_async(&get))?;
    /// assert!(signed.header("authorization").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn sign_request_async<R: Presignable + Sync + ?Sized>(
        &self,
        request: &R,
    ) -> Result<SignedRequest, Error> {
        let credentials = self
            .async_provider()
            .provide_credentials()
            .await
            .map_err(credentials_error)?;
        self.sign_request_with_credentials(request, &credentials)
    }

    /// Signs `request` in header mode with the given credentials.
    ///
    /// ```
    /// # use oss_client::{Client, Config, SignatureVersion, HeadObjectRequest};
    /// # use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou").signature_version(SignatureVersion::V1).build()?);
    /// let creds = Credentials::new("LTAIexample", "secret")?;
    /// let signed = client.sign_request_with_credentials(&HeadObjectRequest::new("examplebucket", "k"), &creds)?;
    /// assert!(signed.header("authorization").unwrap().starts_with("OSS LTAIexample:"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_request_with_credentials<R: Presignable + ?Sized>(
        &self,
        request: &R,
        credentials: &Credentials,
    ) -> Result<SignedRequest, Error> {
        let parts = request.presign_parts();
        let now = self.now()?;
        let method = check_parts(&parts, self.config().signature_version)?;
        let config = self.config();
        let endpoint = config.endpoint();

        let mut url = String::with_capacity(endpoint.url_capacity(parts.bucket, parts.key) + 64);
        endpoint.write_object_url(&mut url, parts.bucket, parts.key);
        for (index, (name, value)) in parts.query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            oss_sign_core::encoding::uri_encode_into(&mut url, name, false);
            if !value.is_empty() {
                url.push('=');
                oss_sign_core::encoding::uri_encode_into(&mut url, value, false);
            }
        }

        let date = http_date(now);
        let mut headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("date")) {
            headers.push(("date".to_owned(), date.clone()));
        }
        let token = credentials.security_token();
        let query: Vec<(&str, &str)> = parts
            .query
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();

        // V1 signs the token as a header; V4 adds it itself (with its other headers) below.
        let v1 = matches!(config.signature_version, SignatureVersion::V1);
        if let (true, Some(token)) = (v1, token) {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-oss-security-token"));
            headers.push(("x-oss-security-token".to_owned(), token.to_owned()));
        }
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let signable = SignableRequest::new(&method)
            .bucket(parts.bucket)
            .key(parts.key)
            .query(&query)
            .headers(&pairs);
        let added: Vec<(String, String)> = if v1 {
            let date_value = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("date"))
                .map(|(_, v)| v.as_str())
                .unwrap_or(date.as_str());
            let signed = v1::sign_header(
                &signable,
                credentials.access_key_id(),
                credentials.access_key_secret(),
                date_value,
                &[],
            )
            .map_err(sign_error)?;
            vec![(
                "authorization".to_owned(),
                signed.authorization().to_owned(),
            )]
        } else {
            let key = self.signing_key(credentials, now);
            let additional: Vec<&str> = config
                .additional_headers()
                .iter()
                .map(String::as_str)
                .collect();
            let params =
                v4::HeaderParams::new(credentials.access_key_id(), endpoint.signing_region(), now)
                    .product(endpoint.product())
                    .security_token(token)
                    .additional_headers(&additional);
            let signed = v4::sign_headers(&signable, &params, &key.key).map_err(sign_error)?;
            signed
                .headers_to_add()
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect()
        };
        if !v1 {
            // The V4 headers replace any of the same name the request carried.
            headers.retain(|(n, _)| !added.iter().any(|(a, _)| a.eq_ignore_ascii_case(n)));
        }
        headers.extend(added);
        Ok(SignedRequest {
            method: method.into_owned(),
            url,
            headers,
        })
    }
}

fn http_date(at: SigningTime) -> String {
    at.to_http_date()
}
